//! Derivation of `data/coverage.csv` and `data/coverage_plans.csv` from the official CSV: the
//! rules of the parent module applied to every pair of user SKUs.

use super::plans::{PlanRelation, is_ignored};
use super::skus::{applies_to_users, is_trial};
use crate::catalogue::official::{DeriveError, OfficialSku, PlanColumns, read_skus, write_csv};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The header line of `data/coverage.csv`.
pub const COVERAGE_HEADER: [&str; 4] = [
    "CoveringSkuPartNumber",
    "CoveringSkuId",
    "CoveredSkuPartNumber",
    "CoveredSkuId",
];

/// The header line of `data/coverage_plans.csv`.
pub const COVERAGE_PLANS_HEADER: [&str; 4] =
    ["SkuPartNumber", "SkuId", "ServicePlanName", "ServicePlanId"];

/// A SKU that applies to users, with its user-facing plans.
struct UserSku {
    part_number: String,
    sku_id: String,
    trial: bool,
    /// Canonical plan name → the plan GUIDs this SKU lists under it.
    plans: BTreeMap<String, BTreeSet<String>>,
}

/// Every user SKU, sorted by part number (bytes) then `skuId`, and the covering pairs as
/// indexes into it, sorted the same way.
struct Derivation {
    skus: Vec<UserSku>,
    pairs: Vec<(usize, usize)>,
}

/// Turns the official CSV into the exact text of `data/coverage.csv`: one row per (covering,
/// covered) pair, sorted by covering part number (bytes), covering `skuId`, covered part
/// number, covered `skuId`; LF line ends.
pub fn derive_coverage(official_csv: &str) -> Result<String, DeriveError> {
    let derivation = derive(official_csv)?;
    write_csv(
        &COVERAGE_HEADER,
        derivation.pairs.iter().map(|&(covering, covered)| {
            let (a, b) = (&derivation.skus[covering], &derivation.skus[covered]);
            vec![
                a.part_number.as_str(),
                a.sku_id.as_str(),
                b.part_number.as_str(),
                b.sku_id.as_str(),
            ]
        }),
    )
}

/// Turns the official CSV into the exact text of `data/coverage_plans.csv`: the user-facing
/// plans of every SKU that appears in `data/coverage.csv`, one row per (SKU, plan GUID),
/// sorted by part number (bytes), `skuId`, plan name (bytes), plan GUID; LF line ends.
pub fn derive_coverage_plans(official_csv: &str) -> Result<String, DeriveError> {
    let derivation = derive(official_csv)?;
    let in_a_pair: BTreeSet<usize> = derivation
        .pairs
        .iter()
        .flat_map(|&(covering, covered)| [covering, covered])
        .collect();
    write_csv(
        &COVERAGE_PLANS_HEADER,
        in_a_pair.into_iter().flat_map(|index| {
            let sku = &derivation.skus[index];
            sku.plans.iter().flat_map(move |(name, ids)| {
                ids.iter().map(move |id| {
                    vec![
                        sku.part_number.as_str(),
                        sku.sku_id.as_str(),
                        name.as_str(),
                        id.as_str(),
                    ]
                })
            })
        }),
    )
}

fn derive(official_csv: &str) -> Result<Derivation, DeriveError> {
    let official = read_skus(official_csv, PlanColumns::NameAndId)?;
    let names = canonical_names(&official);
    let mut skus: Vec<UserSku> = official
        .iter()
        .filter(|(_, sku)| applies_to_users(&sku.display_name))
        .map(|(sku_id, sku)| user_sku(sku_id, sku, &names))
        .filter(|sku| !sku.plans.is_empty())
        .collect();
    skus.sort_by(|a, b| {
        a.part_number
            .as_bytes()
            .cmp(b.part_number.as_bytes())
            .then_with(|| a.sku_id.cmp(&b.sku_id))
    });

    let pairs = covering_pairs(&skus);
    Ok(Derivation { skus, pairs })
}

/// Rule 5 of the parent module over every ordered pair of `skus`.
fn covering_pairs(skus: &[UserSku]) -> Vec<(usize, usize)> {
    // Plans are numbered so that the 200,000-odd SKU pairs compare by array index.
    let mut numbers: HashMap<&str, usize> = HashMap::new();
    for sku in skus {
        for name in sku.plans.keys() {
            let next = numbers.len();
            numbers.entry(name.as_str()).or_insert(next);
        }
    }
    let numbered = |sku: &UserSku| -> Vec<usize> {
        sku.plans
            .keys()
            .filter_map(|name| numbers.get(name.as_str()).copied())
            .collect()
    };
    let needs: Vec<Vec<usize>> = skus.iter().map(numbered).collect();

    let relation = PlanRelation::curated();
    let mut pairs = Vec::new();
    for (covering_index, covering) in skus.iter().enumerate() {
        if covering.trial {
            continue;
        }
        // Every plan that some user-facing plan of A covers, itself included.
        let mut reach = vec![false; numbers.len()];
        let mut mark = |plan: &str| {
            if let Some(&number) = numbers.get(plan) {
                reach[number] = true;
            }
        };
        for held in covering.plans.keys() {
            mark(held);
            relation.covered_by(held).for_each(&mut mark);
        }
        for (covered_index, needed) in needs.iter().enumerate() {
            // A covers B when every user-facing plan of B is covered by some user-facing plan
            // of A.
            if covering_index != covered_index && needed.iter().all(|&plan| reach[plan]) {
                pairs.push((covering_index, covered_index));
            }
        }
    }
    pairs
}

fn user_sku(sku_id: &str, sku: &OfficialSku, names: &HashMap<&str, &str>) -> UserSku {
    let mut plans: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for plan in &sku.plans {
        let Some(id) = plan.id.as_deref() else {
            continue;
        };
        let name = names.get(id).copied().unwrap_or(plan.name.as_str());
        if !is_ignored(name) {
            plans
                .entry(name.to_owned())
                .or_default()
                .insert(id.to_owned());
        }
    }
    UserSku {
        part_number: sku.part_number.clone(),
        sku_id: sku_id.to_owned(),
        trial: is_trial(&sku.part_number, &sku.display_name),
        plans,
    }
}

/// The canonical name of every plan GUID: the spelling most rows give it, ties broken by byte
/// order. Microsoft's file spells a few plans two ways under one GUID (`Deskless`/`DESKLESS`,
/// `RMS_S_ENTERPRISE`/`RMS_S_ENTERPRISE)`, a tab-laden `Virtualization Rights for Windows 10`);
/// the GUID is what Graph reports, so the spellings are one plan.
fn canonical_names(official: &BTreeMap<String, OfficialSku>) -> HashMap<&str, &str> {
    let mut spellings: HashMap<&str, BTreeMap<&str, usize>> = HashMap::new();
    for sku in official.values() {
        for plan in &sku.plans {
            let Some(id) = plan.id.as_deref() else {
                continue;
            };
            *spellings
                .entry(id)
                .or_default()
                .entry(plan.name.as_str())
                .or_default() += 1;
        }
    }
    spellings
        .into_iter()
        .filter_map(|(id, names)| {
            // BTreeMap iterates names in byte order; keep the first of the most frequent.
            let mut best: Option<(&str, usize)> = None;
            for (name, count) in names {
                if best.is_none_or(|(_, most)| count > most) {
                    best = Some((name, count));
                }
            }
            best.map(|(name, _)| (id, name))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\n";
    const E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";
    const BASIC: &str = "3b555118-da6a-4418-894f-7df1e2096870";
    const ROOMS: &str = "6070a4c8-34c6-4937-8dfb-39bbc6397a60";

    fn row(display: &str, part: &str, sku: &str, plan: &str, plan_id: &str) -> String {
        format!("{display},{part},{sku},{plan},{plan_id},x\n")
    }

    #[test]
    fn a_spelling_variant_of_one_plan_guid_is_the_same_plan() {
        // Two SKUs spell plan 8c7d... differently; the majority spelling wins and E3 covers Basic.
        let csv = [
            HEADER.to_owned(),
            row(
                "E3",
                "E3",
                E3,
                "TEAMS1",
                "57ff2da0-773e-42df-b2af-ffb7a2317929",
            ),
            row(
                "E3",
                "E3",
                E3,
                "STAFF",
                "8c7d2df8-86f0-4902-b2ed-a0458298f3b3",
            ),
            row(
                "Basic",
                "BASIC",
                BASIC,
                "staff",
                "8c7d2df8-86f0-4902-b2ed-a0458298f3b3",
            ),
            row(
                "Other",
                "OTHER",
                ROOMS,
                "STAFF",
                "8c7d2df8-86f0-4902-b2ed-a0458298f3b3",
            ),
        ]
        .concat();
        let pairs = derive_coverage(&csv).expect("derives");
        assert!(
            pairs.contains(&format!("E3,{E3},BASIC,{BASIC}\n")),
            "{pairs}"
        );
        let plans = derive_coverage_plans(&csv).expect("derives");
        assert!(
            plans.contains(&format!(
                "BASIC,{BASIC},STAFF,8c7d2df8-86f0-4902-b2ed-a0458298f3b3\n"
            )),
            "{plans}"
        );
    }

    #[test]
    fn non_user_skus_and_infrastructure_only_skus_take_no_part() {
        let csv = [
            HEADER.to_owned(),
            row(
                "E3",
                "E3",
                E3,
                "TEAMS1",
                "57ff2da0-773e-42df-b2af-ffb7a2317929",
            ),
            row(
                "Teams Rooms Pro",
                "ROOMS",
                ROOMS,
                "TEAMS1",
                "57ff2da0-773e-42df-b2af-ffb7a2317929",
            ),
            row(
                "Foundation only",
                "FOUNDATION",
                BASIC,
                "EXCHANGE_S_FOUNDATION",
                "113feb6c-3fe4-4440-bddc-54d774bf0318",
            ),
        ]
        .concat();
        let pairs = derive_coverage(&csv).expect("derives");
        assert_eq!(pairs, COVERAGE_HEADER.join(",") + "\n");
    }

    #[test]
    fn a_trial_is_covered_but_never_covers() {
        let csv = [
            HEADER.to_owned(),
            row(
                "E3",
                "E3",
                E3,
                "TEAMS1",
                "57ff2da0-773e-42df-b2af-ffb7a2317929",
            ),
            row(
                "Teams Trial",
                "TEAMS_TRIAL",
                BASIC,
                "TEAMS1",
                "57ff2da0-773e-42df-b2af-ffb7a2317929",
            ),
        ]
        .concat();
        let pairs = derive_coverage(&csv).expect("derives");
        assert_eq!(
            pairs,
            format!(
                "{}\nE3,{E3},TEAMS_TRIAL,{BASIC}\n",
                COVERAGE_HEADER.join(",")
            )
        );
    }
}
