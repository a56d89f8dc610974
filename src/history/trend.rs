//! The trend of the last recorded months (at most [`TREND_MONTHS`]) up to a report's as-of
//! month: per month what the tenant paid, what it could have saved, what compliance would have
//! cost, its seats and its findings by kind. Money and counts come from each month's manifest
//! (the audit's summary, rounded to cents as findings.json has them); seats from the month's
//! small SKU table, counted as the report's headline counts them (priced SKUs the tenant pays
//! for). Computed once here; the page, the workbook and summary.md only render it.

use super::month_tables::SkuState;
use super::store::month_folders;
use super::{HistoryError, Month, MonthManifest};
use crate::analyze::FindingKind;
use crate::analyze::inputs::{IS_PAID, PURCHASED_SEATS};
use crate::model::columns;
use crate::money::Money;
use crate::report::tables::{Table, read_table};
use chrono::NaiveDate;
use polars::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Months a trend shows at most.
pub const TREND_MONTHS: usize = 12;

/// The recorded months up to an as-of month, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trend {
    pub currency: String,
    /// At most [`TREND_MONTHS`], oldest first; the last is the latest recorded month not after
    /// the as-of month.
    pub months: Vec<TrendMonth>,
}

/// One recorded month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendMonth {
    pub month: Month,
    pub as_of: NaiveDate,
    pub window_days: u32,
    pub monthly_cost: Money,
    pub monthly_savings: Money,
    pub monthly_cost_to_comply: Money,
    pub seats: TrendSeats,
    /// Every kind present.
    pub findings: BTreeMap<FindingKind, usize>,
    /// Σ of `findings`.
    pub total_findings: usize,
}

/// Seats of the priced SKUs the tenant pays for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TrendSeats {
    pub purchased: i64,
    pub assigned: i64,
    /// Σ over those SKUs of purchased − assigned, where positive.
    pub idle: i64,
}

impl Trend {
    /// The latest month of the trend.
    pub fn latest(&self) -> Option<&TrendMonth> {
        self.months.last()
    }
}

/// The trend of the history root `root`: the last [`TREND_MONTHS`] recorded months not after
/// `up_to`. Empty when none is recorded.
pub fn trend(root: &Path, up_to: Month) -> Result<Trend, HistoryError> {
    let folders: Vec<_> = month_folders(root)?
        .into_iter()
        .filter(|(month, _)| *month <= up_to)
        .collect();
    let skip = folders.len().saturating_sub(TREND_MONTHS);
    let mut months = Vec::with_capacity(folders.len() - skip);
    let mut currency = String::new();
    for (month, dir) in folders.into_iter().skip(skip) {
        let manifest = MonthManifest::read(&dir)?;
        let seats = read_seats(&dir)?;
        let summary = &manifest.summary;
        let findings: BTreeMap<FindingKind, usize> = FindingKind::ALL
            .into_iter()
            .map(|kind| (kind, summary.findings.get(&kind).copied().unwrap_or(0)))
            .collect();
        currency.clone_from(&manifest.currency);
        months.push(TrendMonth {
            month,
            as_of: manifest.as_of,
            window_days: manifest.window_days,
            monthly_cost: summary.monthly_cost,
            monthly_savings: summary.monthly_savings,
            monthly_cost_to_comply: summary.monthly_cost_to_comply,
            seats,
            total_findings: findings.values().sum(),
            findings,
        });
    }
    Ok(Trend { currency, months })
}

/// The seats of a month's SKU table.
fn read_seats(dir: &Path) -> Result<TrendSeats, HistoryError> {
    let table = Table::Skus;
    let frame = read_table(dir, table)?;
    let damaged = |field: &str| {
        let field = field.to_string();
        move |error: PolarsError| HistoryError::Damaged {
            path: dir.join(table.file_name()),
            problem: format!("{field}: {error}"),
        }
    };
    let purchased = frame
        .column(PURCHASED_SEATS)
        .and_then(Column::i64)
        .map_err(damaged(PURCHASED_SEATS))?;
    let assigned = frame
        .column(columns::CONSUMED_UNITS)
        .and_then(Column::i64)
        .map_err(damaged(columns::CONSUMED_UNITS))?;
    let prices = frame
        .column(columns::MONTHLY_PRICE)
        .and_then(Column::i64)
        .map_err(damaged(columns::MONTHLY_PRICE))?;
    let paid = frame
        .column(IS_PAID)
        .and_then(Column::bool)
        .map_err(damaged(IS_PAID))?;
    let mut seats = TrendSeats::default();
    for index in 0..frame.height() {
        let state = SkuState {
            sku_part_number: String::new(),
            premium: false,
            purchased_seats: purchased.get(index).unwrap_or(0),
            monthly_price: prices.get(index).map(Money),
            is_paid: paid.get(index).unwrap_or(false),
        };
        if !state.is_paid_license() {
            continue;
        }
        seats.purchased += state.purchased_seats;
        if let Some(in_use) = assigned.get(index) {
            seats.assigned += in_use;
            seats.idle += (state.purchased_seats - in_use).max(0);
        }
    }
    Ok(seats)
}
