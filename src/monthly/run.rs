//! The outcome of one unattended run: what the `--json` line says and what the notification
//! carries. One typed struct, so the machine-readable line, the Slack message and the Teams
//! card cannot disagree about the figures.

use super::threshold::Crossed;
use crate::analyze::summary::Summary;
use crate::history::HistoryDiff;
use crate::money::Money;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// The schema of the `--json` line.
pub const SCHEMA: &str = "seatwise.monthly/1";

/// How the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    /// Audited, recorded, no threshold crossed: exit code 0.
    Ok,
    /// Audited and recorded, but a threshold was crossed: exit code 1.
    ThresholdsCrossed,
    /// The run stopped on an error: exit code 2, 3 or 4.
    Failed,
    /// `--last-day-only` on another day: nothing run, nothing notified, exit code 0.
    Skipped,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Ok => "ok",
            RunStatus::ThresholdsCrossed => "thresholds crossed",
            RunStatus::Failed => "failed",
            RunStatus::Skipped => "skipped",
        }
    }
}

/// What became of the notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Notification {
    /// No `[notify]` in the configuration.
    Off,
    Sent,
    /// The receiver kept failing; the run's result is unchanged.
    Failed,
}

/// The headline figures of the audit (SPEC §4's summary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub currency: String,
    pub users: usize,
    pub licensed_users: usize,
    pub findings: usize,
    /// Kind -> count, kinds with findings only.
    pub by_kind: BTreeMap<String, usize>,
    pub monthly_cost: Money,
    pub monthly_savings: Money,
    pub monthly_cost_to_comply: Money,
}

impl Figures {
    pub fn of(summary: &Summary, currency: &str) -> Figures {
        Figures {
            currency: currency.to_string(),
            users: summary.users,
            licensed_users: summary.licensed_users,
            findings: summary.by_kind.values().map(|total| total.count).sum(),
            by_kind: summary
                .by_kind
                .iter()
                .filter(|(_, total)| total.count > 0)
                .map(|(kind, total)| (kind.as_str().to_string(), total.count))
                .collect(),
            monthly_cost: summary.monthly_cost,
            monthly_savings: summary.monthly_savings,
            monthly_cost_to_comply: summary.monthly_cost_to_comply,
        }
    }
}

/// The month recorded in history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recording {
    pub month: String,
    /// Whether it replaced an earlier run of the same month.
    pub replaced: bool,
    /// Months removed by `keep_months`.
    pub pruned: Vec<String>,
}

/// What changed since the previous recorded month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub from_month: String,
    pub new: usize,
    pub resolved: usize,
    pub persisting: usize,
    pub returned: usize,
    pub monthly_cost_change: Money,
    pub monthly_savings_change: Money,
}

impl Changes {
    pub fn of(diff: &HistoryDiff) -> Changes {
        Changes {
            from_month: diff.from.month.to_string(),
            new: diff.totals.new,
            resolved: diff.totals.resolved,
            persisting: diff.totals.persisting,
            returned: diff.totals.returned,
            monthly_cost_change: diff.money.monthly_cost.change,
            monthly_savings_change: diff.money.monthly_savings.change,
        }
    }
}

/// The reclaim plan written (never applied by the run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedReclaim {
    pub path: String,
    pub actions: usize,
    pub monthly_amount: Money,
}

/// One run's result: the `--json` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthlyResult {
    pub schema: &'static str,
    pub status: RunStatus,
    pub exit_code: u8,
    pub tenant: Option<String>,
    pub as_of: Option<NaiveDate>,
    /// The snapshot audited.
    pub snapshot: Option<String>,
    /// The audit folder written (findings.json, summary.md, report.html, report.xlsx).
    pub audit: Option<String>,
    pub figures: Option<Figures>,
    pub history: Option<Recording>,
    pub changes: Option<Changes>,
    pub plan: Option<PlannedReclaim>,
    pub crossed: Vec<Crossed>,
    /// Why the run failed.
    pub error: Option<String>,
    pub notification: Notification,
}

impl MonthlyResult {
    /// A result with nothing done yet.
    pub fn started(tenant: Option<String>) -> MonthlyResult {
        MonthlyResult {
            schema: SCHEMA,
            status: RunStatus::Ok,
            exit_code: 0,
            tenant,
            as_of: None,
            snapshot: None,
            audit: None,
            figures: None,
            history: None,
            changes: None,
            plan: None,
            crossed: Vec::new(),
            error: None,
            notification: Notification::Off,
        }
    }
}

/// Whether `date` is the last day of its month (`--last-day-only`).
pub fn is_last_day_of_month(date: NaiveDate) -> bool {
    date.succ_opt()
        .is_none_or(|next| next.month() != date.month())
}

/// The schema of `monthly --check --json`.
pub const CHECK_SCHEMA: &str = "seatwise.monthly-check/1";

/// One thing `--check` verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// What `monthly --check` found: the `--json` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    pub schema: &'static str,
    pub ok: bool,
    pub checks: Vec<Check>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_day_of_each_month() {
        let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        let last = |text: &str| date(text).is_some_and(is_last_day_of_month);
        assert!(last("2026-11-30"));
        assert!(last("2026-12-31"));
        assert!(last("2028-02-29"));
        assert!(last("2027-02-28"));
        assert!(!last("2028-02-28"));
        assert!(!last("2026-12-01"));
    }
}
