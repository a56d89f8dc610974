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
        let monthly_cost = (0..skus.height())
            .map(|row| Money(prepaid.get(row).unwrap_or(0) * prices.get(row).unwrap_or(0)))
            .sum();
        let mut by_kind: BTreeMap<FindingKind, KindTotal> = FindingKind::ALL
            .into_iter()
            .map(|kind| (kind, KindTotal::default()))
            .collect();
        for finding in findings {
            let total = by_kind.entry(finding.kind).or_default();
            total.count += 1;
            total.monthly_amount = total.monthly_amount + finding.monthly_amount;
        }
        let amount_of = |kinds: &[FindingKind]| -> Money {
            kinds
                .iter()
                .filter_map(|kind| by_kind.get(kind))
                .map(|total| total.monthly_amount)
                .sum()
        };
        let monthly_savings = amount_of(&[
            FindingKind::InactiveHolder,
            FindingKind::UnusedPremium,
            FindingKind::IdleSeats,
        ]);
        let monthly_cost_to_comply = amount_of(&[FindingKind::MissingPremium]);
        Ok(Summary {
            users: snapshot.users.height(),
            licensed_users,
            by_kind,
            monthly_cost,
            monthly_savings,
            monthly_cost_to_comply,
        })
    }
}
