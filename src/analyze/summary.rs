//! The summary numbers of SPEC §4: counts, what the tenant pays, what it could save and what
//! compliance would cost.

use super::finding::{Finding, FindingKind};
use super::inputs::PURCHASED_SEATS;
use crate::model::{Snapshot, columns};
use crate::money::Money;
use polars::prelude::*;
use std::collections::BTreeMap;

/// Per-kind totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KindTotal {
    pub count: usize,
    pub monthly_amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub users: usize,
    pub licensed_users: usize,
    /// Every kind, with zero counts too.
    pub by_kind: BTreeMap<FindingKind, KindTotal>,
    /// Σ over paid SKUs of the purchased seats (`prepaidUnits.enabled` + `warning`) × price.
    pub monthly_cost: Money,
    pub monthly_savings: Money,
    pub monthly_cost_to_comply: Money,
    /// The savings from licenses taken back from users (`FindingKind::is_reclaim`).
    pub monthly_savings_reassignable_now: Money,
}

/// A sum that left `i64`: the inputs are bounded so that it cannot, so this is a broken
/// invariant, reported with the field it happened in.
fn overflow(field: &str) -> PolarsError {
    PolarsError::ComputeError(
        format!("{field}: the sum overflows; amounts are out of range").into(),
    )
}

impl Summary {
    pub fn compute(
        snapshot: &Snapshot,
        skus: &DataFrame,
        findings: &[Finding],
    ) -> PolarsResult<Summary> {
        let licensed_users = snapshot
            .holdings
            .column(columns::USER_ID)?
            .as_materialized_series()
            .n_unique()?;
        let prepaid = skus.column(PURCHASED_SEATS)?.i64()?;
        let prices = skus.column(columns::MONTHLY_PRICE)?.i64()?;
        let mut monthly_cost = Money::ZERO;
        for row in 0..skus.height() {
            let cost = Money(prices.get(row).unwrap_or(0))
                .checked_times(prepaid.get(row).unwrap_or(0))
                .and_then(|cost| monthly_cost.checked_add(cost));
            monthly_cost = cost.ok_or_else(|| overflow("monthly_cost"))?;
        }
        let mut by_kind: BTreeMap<FindingKind, KindTotal> = FindingKind::ALL
            .into_iter()
            .map(|kind| (kind, KindTotal::default()))
            .collect();
        for finding in findings {
            let total = by_kind.entry(finding.kind).or_default();
            total.count += 1;
            total.monthly_amount = total
                .monthly_amount
                .checked_add(finding.monthly_amount)
                .ok_or_else(|| overflow("monthly_amount"))?;
        }
        let amount_of = |kinds: &[FindingKind], field: &str| -> PolarsResult<Money> {
            kinds
                .iter()
                .filter_map(|kind| by_kind.get(kind))
                .try_fold(Money::ZERO, |sum, total| {
                    sum.checked_add(total.monthly_amount)
                })
                .ok_or_else(|| overflow(field))
        };
        let monthly_savings = amount_of(
            &[
                FindingKind::InactiveHolder,
                FindingKind::UnusedPremium,
                FindingKind::IdleSeats,
                FindingKind::RedundantLicense,
            ],
            "monthly_savings",
        )?;
        let monthly_cost_to_comply =
            amount_of(&[FindingKind::MissingPremium], "monthly_cost_to_comply")?;
        let reclaim_kinds: Vec<FindingKind> = FindingKind::ALL
            .into_iter()
            .filter(|kind| kind.is_reclaim())
            .collect();
        let monthly_savings_reassignable_now =
            amount_of(&reclaim_kinds, "monthly_savings_reassignable_now")?;
        Ok(Summary {
            users: snapshot.users.height(),
            licensed_users,
            by_kind,
            monthly_cost,
            monthly_savings,
            monthly_cost_to_comply,
            monthly_savings_reassignable_now,
        })
    }
}
