//! The coverage tables at run time: `data/coverage.csv` and `data/coverage_plans.csv`, compiled
//! into the binary and answered by [`Coverage`].

use super::plans::PlanRelation;
use super::table::{COVERAGE_HEADER, COVERAGE_PLANS_HEADER};
use crate::ingest::error::{IngestError, guid_field, rejection};
use crate::ingest::table::CsvTable;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// `data/coverage.csv`, as bundled.
pub const BUNDLED_COVERAGE_CSV: &str = include_str!("../../../data/coverage.csv");
/// `data/coverage_plans.csv`, as bundled.
pub const BUNDLED_COVERAGE_PLANS_CSV: &str = include_str!("../../../data/coverage_plans.csv");

/// One user-facing service plan of a SKU in the coverage tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoveragePlan {
    /// The canonical `Service_Plan_Name`.
    pub name: String,
    /// The plan GUID (lowercase), as Graph lists it in `servicePlans` and `disabledPlans`.
    pub id: String,
}

/// Which SKU covers which (see the parent module for the rule), with the plans needed to
/// answer for a user whose covering license has some plans disabled.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// (covering `skuId`, covered `skuId`), lowercase.
    pairs: HashSet<(String, String)>,
    /// `skuId` → its user-facing plans, for every SKU of a pair.
    plans: HashMap<String, Vec<CoveragePlan>>,
    relation: PlanRelation,
}

impl Coverage {
    /// The coverage tables compiled into the binary.
    pub fn bundled() -> Result<Coverage, IngestError> {
        Coverage::parse(
            Path::new("data/coverage.csv"),
            BUNDLED_COVERAGE_CSV,
            Path::new("data/coverage_plans.csv"),
            BUNDLED_COVERAGE_PLANS_CSV,
        )
    }

    /// Tables with no pair: no SKU covers another.
    pub fn none() -> Coverage {
        Coverage {
            pairs: HashSet::new(),
            plans: HashMap::new(),
            relation: PlanRelation::curated(),
        }
    }

    /// Parses tables in the `data/coverage.csv` and `data/coverage_plans.csv` layouts. Every SKU
    /// of a pair must have its plans in the plan table, or the pair could not be re-checked
    /// against disabled plans.
    pub fn parse(
        pairs_path: &Path,
        pairs_csv: &str,
        plans_path: &Path,
        plans_csv: &str,
    ) -> Result<Coverage, IngestError> {
        let malformed = IngestError::Malformed;

        let plan_table = CsvTable::open_text(plans_path, plans_csv, &COVERAGE_PLANS_HEADER)?;
        let mut plans: HashMap<String, Vec<CoveragePlan>> = HashMap::new();
        for row in plan_table.rows() {
            let location = row.location();
            let sku_id =
                guid_field(plans_path, &location, "SkuId", row.get("SkuId")).map_err(malformed)?;
            let id = guid_field(
                plans_path,
                &location,
                "ServicePlanId",
                row.get("ServicePlanId"),
            )
            .map_err(malformed)?;
            let name = row.get("ServicePlanName").trim();
            if name.is_empty() {
                return Err(malformed(rejection(
                    plans_path,
                    location,
                    "ServicePlanName",
                    "value is empty",
                )));
            }
            plans.entry(sku_id).or_default().push(CoveragePlan {
                name: name.to_owned(),
                id,
            });
        }

        let pair_table = CsvTable::open_text(pairs_path, pairs_csv, &COVERAGE_HEADER)?;
        let mut pairs = HashSet::new();
        for row in pair_table.rows() {
            let location = row.location();
            let sku = |column: &str| -> Result<String, IngestError> {
                let sku_id = guid_field(pairs_path, &location, column, row.get(column))
                    .map_err(malformed)?;
                if !plans.contains_key(&sku_id) {
                    return Err(malformed(rejection(
                        pairs_path,
                        location.clone(),
                        column,
                        format!("SKU {sku_id} has no plans in {}", plans_path.display()),
                    )));
                }
                Ok(sku_id)
            };
            let covering = sku("CoveringSkuId")?;
            let covered = sku("CoveredSkuId")?;
            if covering == covered {
                return Err(malformed(rejection(
                    pairs_path,
                    location,
                    "CoveredSkuId",
                    "a SKU never covers itself",
                )));
            }
            pairs.insert((covering, covered));
        }
        Ok(Coverage {
            pairs,
            plans,
            relation: PlanRelation::curated(),
        })
    }

    /// True when a user holding `covering_sku_id` with every plan enabled already has every
    /// user-facing service of `covered_sku_id`. A SKU never covers itself; SKUs outside the
    /// tables (no user-facing plan, not for users) cover and are covered by nothing.
    pub fn covers(&self, covering_sku_id: &str, covered_sku_id: &str) -> bool {
        self.pairs.contains(&(
            covering_sku_id.trim().to_ascii_lowercase(),
            covered_sku_id.trim().to_ascii_lowercase(),
        ))
    }

    /// Like [`Coverage::covers`], for a user whose `covering_sku_id` license has
    /// `disabled_plan_ids` disabled (Graph's `assignedLicenses[].disabledPlans`, plan GUIDs in
    /// any case): a disabled plan covers nothing, so the answer is true only when the plans
    /// still enabled cover every user-facing plan of `covered_sku_id`. Disabled ids that are not
    /// plans of the covering SKU change nothing.
    pub fn covers_with_disabled<S: AsRef<str>>(
        &self,
        covering_sku_id: &str,
        disabled_plan_ids: &[S],
        covered_sku_id: &str,
    ) -> bool {
        if !self.covers(covering_sku_id, covered_sku_id) {
            return false;
        }
        let (Some(held), Some(needed)) = (
            self.user_facing_plans(covering_sku_id),
            self.user_facing_plans(covered_sku_id),
        ) else {
            return false;
        };
        let disabled: HashSet<String> = disabled_plan_ids
            .iter()
            .map(|id| id.as_ref().trim().to_ascii_lowercase())
            .collect();
        let enabled: Vec<&CoveragePlan> = held
            .iter()
            .filter(|plan| !disabled.contains(&plan.id))
            .collect();
        needed.iter().all(|plan| {
            enabled
                .iter()
                .any(|held| self.relation.covers(&held.name, &plan.name))
        })
    }

    /// The user-facing plans of a SKU that takes part in coverage.
    pub fn user_facing_plans(&self, sku_id: &str) -> Option<&[CoveragePlan]> {
        self.plans
            .get(&sku_id.trim().to_ascii_lowercase())
            .map(Vec::as_slice)
    }

    /// Every (covering `skuId`, covered `skuId`) pair, lowercase, in no particular order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs
            .iter()
            .map(|(covering, covered)| (covering.as_str(), covered.as_str()))
    }

    /// How many (covering, covered) pairs the tables hold.
    pub fn pair_count(&self) -> usize {
        self.pairs.len()
    }
}
