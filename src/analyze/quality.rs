//! Data-quality counts: what the findings could not see, so nobody trusts them blindly.
//!
//! Launches by people no longer in the directory, launch records naming a user by an old
//! name, launches of apps missing from the inventory, launches after the as-of date, SKUs
//! without a price (never counted as waste), subscriptions not paid for or ending, SKUs the
//! catalogue does not know, and whether activity, premium use and assignment sources were
//! knowable, with why not.

use super::evidence::{ActivityUnknown, Coverage, Evidence, PremiumUseUnknown};
use super::finding::FindingKind;
use super::inputs::{ENDING_STATUS, IS_PAID, RuleInputs};
use super::launch_owner::UNKNOWN_USER;
use super::launch_tally;
use crate::catalogue::PriceBook;
use crate::model::{Snapshot, columns};
use chrono::NaiveDate;
use polars::prelude::*;

/// A SKU whose subscription is not paid for (`Suspended`, `Deleted`, `LockedOut`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnpaidSku {
    pub sku_part_number: String,
    pub capability_status: String,
    /// Users holding it: not savings, since nothing is paid for their seats.
    pub holders: usize,
}

/// A SKU in its grace period (`Warning`): still paid, but ending.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EndingSku {
    pub sku_part_number: String,
    pub warning_seats: i64,
}

/// A SKU unpriced on the as-of date because the price book starts later.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnpricedBeforeBook {
    pub sku_part_number: String,
    pub book_starts: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AnalysisQuality {
    pub activity_known: bool,
    pub activity_unknown_because: Option<ActivityUnknown>,
    pub premium_use_known: bool,
    pub premium_use_unknown_because: Option<PremiumUseUnknown>,
    /// The span the audit exports cover, and whether it covers the window.
    pub audit_coverage: Option<Coverage>,
    /// Finding kinds not evaluated for lack of evidence.
    pub rules_not_evaluated: Vec<FindingKind>,
    /// Licensed users whose assignment sources are unknown (no `licenseAssignmentStates`).
    pub licensed_users_without_assignment_states: usize,
    /// Launch records matched by object id that name the user by another (older) name.
    pub launch_records_upn_differs: usize,
    pub launches_in_window: usize,
    pub launches_after_as_of: usize,
    pub unknown_user_launches: usize,
    pub unknown_users: usize,
    pub unknown_user_premium_launches: usize,
    pub unknown_app_launches: usize,
    pub unknown_apps: usize,
    /// Part numbers of SKUs bought or held that have no price: never counted as waste.
    pub unpriced_skus: Vec<String>,
    /// Of those, the ones the price book only prices from a later date.
    pub unpriced_before_book: Vec<UnpricedBeforeBook>,
    pub unpaid_skus: Vec<UnpaidSku>,
    pub ending_skus: Vec<EndingSku>,
    /// SKU ids held or bought that the catalogue does not list.
    pub uncatalogued_skus: Vec<String>,
    pub group_members_not_in_directory: usize,
}

/// Users holding each SKU, by SKU id.
fn sku_holder_counts(
    snapshot: &Snapshot,
) -> PolarsResult<std::collections::BTreeMap<String, usize>> {
    let counts = snapshot
        .holdings
        .clone()
        .lazy()
        .group_by([col(columns::SKU_ID)])
        .agg([len().alias("holders")])
        .collect()?;
    let ids = counts.column(columns::SKU_ID)?.str()?;
    let holders = counts.column("holders")?.u32()?;
    Ok((0..counts.height())
        .filter_map(|row| Some((ids.get(row)?.to_string(), holders.get(row)? as usize)))
        .collect())
}

impl AnalysisQuality {
    pub fn compute(
        snapshot: &Snapshot,
        inputs: &RuleInputs,
        skus: &DataFrame,
        evidence: &Evidence,
        price_book: &PriceBook,
    ) -> PolarsResult<AnalysisQuality> {
        let inventory = match &snapshot.apps {
            Some(apps) => Some(apps.column(columns::APP_ID)?.str()?),
            None => None,
        };
        let mut launches = launch_tally::tally(
            &inputs.launches.clone().collect()?,
            inventory,
            inputs.window,
        )?;
        // An unknown user is told apart by the id the records carry, else the name: the
        // identities of their launches name them.
        let unknown_users = inputs
            .launch_owners
            .column(UNKNOWN_USER)?
            .take(&IdxCa::from_vec(
                PlSmallStr::EMPTY,
                std::mem::take(&mut launches.unknown_user_identities),
            ))?
            .n_unique()?;

        let part_numbers = skus.column(columns::SKU_PART_NUMBER)?.str()?;
        let sku_ids = skus.column(columns::SKU_ID)?.str()?;
        let prices = skus.column(columns::MONTHLY_PRICE)?.i64()?;
        let display_names = skus.column(columns::SKU_DISPLAY_NAME)?.str()?;
        let statuses = skus.column(columns::CAPABILITY_STATUS)?.str()?;
        let paid = skus.column(IS_PAID)?.bool()?;
        let warning_seats = skus.column(columns::PREPAID_WARNING)?.i64()?;
        let holders = sku_holder_counts(snapshot)?;
        let mut unpriced_skus = Vec::new();
        let mut uncatalogued_skus = Vec::new();
        let mut unpriced_before_book = Vec::new();
        let mut unpaid_skus = Vec::new();
        let mut ending_skus = Vec::new();
        for row in 0..skus.height() {
            let part_number = part_numbers.get(row).unwrap_or_default();
            if prices.get(row).is_none() {
                unpriced_skus.push(part_number.to_string());
                if let Some(book_starts) = price_book.starts_after(part_number, inputs.window.as_of)
                {
                    unpriced_before_book.push(UnpricedBeforeBook {
                        sku_part_number: part_number.to_string(),
                        book_starts,
                    });
                }
            }
            let status = statuses.get(row).unwrap_or_default();
            if paid.get(row) == Some(false) {
                let sku_id = sku_ids.get(row).unwrap_or_default();
                unpaid_skus.push(UnpaidSku {
                    sku_part_number: part_number.to_string(),
                    capability_status: status.to_string(),
                    holders: holders.get(sku_id).copied().unwrap_or(0),
                });
            } else if status.eq_ignore_ascii_case(ENDING_STATUS) {
                ending_skus.push(EndingSku {
                    sku_part_number: part_number.to_string(),
                    warning_seats: warning_seats.get(row).unwrap_or(0),
                });
            }
            if display_names.get(row).is_none() {
                uncatalogued_skus.push(sku_ids.get(row).unwrap_or_default().to_string());
            }
        }
        unpriced_skus.sort();
        uncatalogued_skus.sort();
        unpriced_before_book
            .sort_by(|left, right| left.sku_part_number.cmp(&right.sku_part_number));
        unpaid_skus.sort_by(|left, right| left.sku_part_number.cmp(&right.sku_part_number));
        ending_skus.sort_by(|left, right| left.sku_part_number.cmp(&right.sku_part_number));
        let rules_not_evaluated = if evidence.assignment_states_missing {
            vec![
                FindingKind::AssignmentError,
                FindingKind::DuplicateAssignment,
            ]
        } else {
            Vec::new()
        };

        let group_members_not_in_directory = snapshot
            .group_members
            .clone()
            .lazy()
            .join(
                snapshot
                    .users
                    .clone()
                    .lazy()
                    .select([col(columns::USER_ID)]),
                [col(columns::USER_ID)],
                [col(columns::USER_ID)],
                JoinArgs::new(JoinType::Anti),
            )
            .collect()?
            .height();

        Ok(AnalysisQuality {
            activity_known: inputs.activity_known,
            activity_unknown_because: evidence.activity_unknown,
            premium_use_known: inputs.premium_use_known,
            premium_use_unknown_because: evidence.premium_use_unknown,
            audit_coverage: evidence.coverage.clone(),
            rules_not_evaluated,
            licensed_users_without_assignment_states: snapshot
                .quality
                .licensed_users_without_assignment_states,
            launch_records_upn_differs: launches.upn_differs,
            launches_in_window: launches.in_window,
            launches_after_as_of: launches.after_as_of,
            unknown_user_launches: launches.unknown_user_launches,
            unknown_users,
            unknown_user_premium_launches: launches.unknown_user_premium_launches,
            unknown_app_launches: if snapshot.apps.is_some() {
                launches.unknown_app_launches
            } else {
                0
            },
            unknown_apps: if snapshot.apps.is_some() {
                launches.unknown_apps
            } else {
                0
            },
            unpriced_skus,
            unpriced_before_book,
            unpaid_skus,
            ending_skus,
            uncatalogued_skus,
            group_members_not_in_directory,
        })
    }
}
