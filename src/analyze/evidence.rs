//! What the snapshot can prove (SPEC §3: missing evidence is unknown, never guilty).
//!
//! A finding that takes a license away needs evidence of non-use. Three kinds of evidence can
//! be missing from a real export without anything looking broken: sign-in activity (an export
//! without that `$select`, a tenant without Entra ID P1), premium launches (a wrong
//! `-RecordType` filter yields no `LaunchPowerApp` row; a 50,000-row cap or a short retention
//! leaves a gap that looks like non-use) and assignment sources (older exports lack
//! `licenseAssignmentStates`). [`Evidence::decide`] is a pure decision over counts the readers
//! made; the rules then raise only what the evidence supports, and the data-quality section
//! says what was not knowable and why.

use super::window::AuditWindow;
use crate::support::timestamp::format_millis;
use chrono::{DateTime, Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How far the audit's coverage may start after the window's first day.
pub const COVERAGE_START_SLACK_DAYS: u64 = 7;
/// How far the audit's coverage may end before the as-of date.
pub const COVERAGE_END_SLACK_DAYS: u64 = 2;

/// The counts the decision reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceInputs {
    pub users: usize,
    pub users_without_sign_in_activity: usize,
    /// `snapshot.json`'s `signInActivityCollected` (true when absent).
    pub sign_in_activity_collected: bool,
    pub has_app_inventory: bool,
    /// An inventory file was there but listed no app.
    pub app_inventory_empty: bool,
    pub audit_files: usize,
    pub launch_rows: usize,
    /// The query window `ingest graph` recorded (epoch milliseconds).
    pub audit_query: Option<(i64, i64)>,
    /// The earliest and latest record of any operation in the exports (epoch milliseconds).
    pub audit_records_span: Option<(i64, i64)>,
    pub licensed_users: usize,
    pub licensed_users_without_assignment_states: usize,
    /// `--audit-complete`: the user asserts the exports hold every launch of the window.
    pub audit_complete: bool,
}

/// Why sign-in activity is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActivityUnknown {
    /// `snapshot.json` says the collector could not read `signInActivity`.
    NotCollected,
    /// No user record carries `signInActivity`.
    NoUserCarriesIt,
}

impl fmt::Display for ActivityUnknown {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            ActivityUnknown::NotCollected => {
                "snapshot.json says signInActivity could not be collected (it needs Microsoft Entra ID P1 and AuditLog.Read.All)"
            }
            ActivityUnknown::NoUserCarriesIt => {
                "no user record carries signInActivity (exported without it in $select, or the tenant has no Microsoft Entra ID P1)"
            }
        })
    }
}

/// Why premium use is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "reason")]
pub enum PremiumUseUnknown {
    NoAppInventory,
    /// The inventory lists no app: that says nothing about which apps are premium.
    EmptyAppInventory,
    NoAuditExports,
    /// The exports hold no `LaunchPowerApp` record at all: a wrong filter looks exactly so.
    NoLaunchRecords,
    /// The exports do not cover the window.
    ShortCoverage,
}

impl fmt::Display for PremiumUseUnknown {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            PremiumUseUnknown::NoAppInventory => {
                "there is no app inventory (apps.csv or apps.json), so no app is known to be premium"
            }
            PremiumUseUnknown::EmptyAppInventory => {
                "the app inventory lists no app (a header without rows, or every row rejected), which says nothing about which apps are premium"
            }
            PremiumUseUnknown::NoAuditExports => "there are no audit exports (audit/*.csv)",
            PremiumUseUnknown::NoLaunchRecords => {
                "the audit exports hold no LaunchPowerApp record at all, which a wrong -RecordType or operation filter also produces; pass --audit-complete if the tenant truly had no launch"
            }
            PremiumUseUnknown::ShortCoverage => {
                "the audit exports do not cover the window (a row cap or a short retention leaves gaps that look like non-use); export the whole window, or pass --audit-complete"
            }
        })
    }
}

/// Where the coverage of the audit exports comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CoverageSource {
    /// The query window `ingest graph` recorded in `snapshot.json`.
    SnapshotQuery,
    /// The earliest to the latest exported record.
    Records,
}

/// The span of time the audit exports cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    pub first: String,
    pub last: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub from: CoverageSource,
    /// True when it starts at most 7 days after the window's first day and ends at most 2
    /// days before the as-of date.
    pub covers_window: bool,
}

/// What the snapshot can prove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub activity_unknown: Option<ActivityUnknown>,
    pub premium_use_unknown: Option<PremiumUseUnknown>,
    pub coverage: Option<Coverage>,
    /// No licensed user carries `licenseAssignmentStates`: the duplicate and error rules
    /// cannot be evaluated.
    pub assignment_states_missing: bool,
}

impl Evidence {
    pub fn decide(inputs: &EvidenceInputs, window: AuditWindow) -> Evidence {
        let activity_unknown = if !inputs.sign_in_activity_collected {
            Some(ActivityUnknown::NotCollected)
        } else if inputs.users > 0 && inputs.users_without_sign_in_activity >= inputs.users {
            Some(ActivityUnknown::NoUserCarriesIt)
        } else {
            None
        };
        let coverage = coverage(inputs, window);
        let premium_use_unknown = if inputs.app_inventory_empty {
            Some(PremiumUseUnknown::EmptyAppInventory)
        } else if !inputs.has_app_inventory {
            Some(PremiumUseUnknown::NoAppInventory)
        } else if inputs.audit_files == 0 {
            Some(PremiumUseUnknown::NoAuditExports)
        } else if inputs.audit_complete {
            None
        } else if inputs.launch_rows == 0 {
            Some(PremiumUseUnknown::NoLaunchRecords)
        } else if !coverage
            .as_ref()
            .is_some_and(|coverage| coverage.covers_window)
        {
            Some(PremiumUseUnknown::ShortCoverage)
        } else {
            None
        };
        Evidence {
            activity_unknown,
            premium_use_unknown,
            coverage,
            assignment_states_missing: inputs.licensed_users > 0
                && inputs.licensed_users_without_assignment_states >= inputs.licensed_users,
        }
    }

    pub fn activity_known(&self) -> bool {
        self.activity_unknown.is_none()
    }

    pub fn premium_use_known(&self) -> bool {
        self.premium_use_unknown.is_none()
    }
}

fn coverage(inputs: &EvidenceInputs, window: AuditWindow) -> Option<Coverage> {
    let (span, from) = match (inputs.audit_query, inputs.audit_records_span) {
        (Some(query), _) => (query, CoverageSource::SnapshotQuery),
        (None, Some(records)) => (records, CoverageSource::Records),
        (None, None) => return None,
    };
    let day = |millis: i64| DateTime::from_timestamp_millis(millis).map(|at| at.date_naive());
    let (first_day, last_day) = (day(span.0)?, day(span.1)?);
    let latest_start = window
        .first_day()
        .checked_add_days(Days::new(COVERAGE_START_SLACK_DAYS))
        .unwrap_or(NaiveDate::MAX);
    let earliest_end = window
        .as_of
        .checked_sub_days(Days::new(COVERAGE_END_SLACK_DAYS))
        .unwrap_or(NaiveDate::MIN);
    Some(Coverage {
        first: format_millis(span.0),
        last: format_millis(span.1),
        first_day,
        last_day,
        from,
        covers_window: first_day <= latest_start && last_day >= earliest_end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn window() -> AuditWindow {
        AuditWindow {
            as_of: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default(),
            days: 90,
        }
    }

    /// A snapshot with every kind of evidence, covering the window exactly.
    fn complete() -> EvidenceInputs {
        let window = window();
        EvidenceInputs {
            users: 10,
            users_without_sign_in_activity: 2,
            sign_in_activity_collected: true,
            has_app_inventory: true,
            app_inventory_empty: false,
            audit_files: 1,
            launch_rows: 5,
            audit_query: None,
            audit_records_span: Some((window.start_millis(), window.end_millis() - 1)),
            licensed_users: 8,
            licensed_users_without_assignment_states: 0,
            audit_complete: false,
        }
    }

    #[test]
    fn a_complete_snapshot_proves_everything() {
        let evidence = Evidence::decide(&complete(), window());
        assert!(evidence.activity_known());
        assert!(evidence.premium_use_known());
        assert!(!evidence.assignment_states_missing);
        let coverage = evidence.coverage.expect("coverage from records");
        assert_eq!(coverage.from, CoverageSource::Records);
        assert!(coverage.covers_window);
    }

    #[test]
    fn no_user_with_sign_in_activity_is_unknown_activity() {
        let inputs = EvidenceInputs {
            users_without_sign_in_activity: 10,
            ..complete()
        };
        let evidence = Evidence::decide(&inputs, window());
        assert_eq!(
            evidence.activity_unknown,
            Some(ActivityUnknown::NoUserCarriesIt)
        );
        let inputs = EvidenceInputs {
            sign_in_activity_collected: false,
            ..complete()
        };
        let evidence = Evidence::decide(&inputs, window());
        assert_eq!(
            evidence.activity_unknown,
            Some(ActivityUnknown::NotCollected)
        );
    }

    #[test]
    fn exports_without_a_launch_prove_nothing_unless_asserted() {
        let inputs = EvidenceInputs {
            launch_rows: 0,
            ..complete()
        };
        let evidence = Evidence::decide(&inputs, window());
        assert_eq!(
            evidence.premium_use_unknown,
            Some(PremiumUseUnknown::NoLaunchRecords)
        );
        let asserted = EvidenceInputs {
            audit_complete: true,
            ..inputs
        };
        assert!(Evidence::decide(&asserted, window()).premium_use_known());
    }

    #[test]
    fn coverage_may_start_seven_days_late_and_end_two_days_early() {
        let window = window();
        let start = window.start_millis();
        let as_of_start = window.end_millis() - DAY;
        let decide = |first: i64, last: i64| {
            let inputs = EvidenceInputs {
                audit_records_span: Some((first, last)),
                ..complete()
            };
            Evidence::decide(&inputs, window).premium_use_unknown
        };
        assert_eq!(
            decide(start + 7 * DAY + DAY - 1, as_of_start - 2 * DAY),
            None
        );
        assert_eq!(
            decide(start + 8 * DAY, as_of_start),
            Some(PremiumUseUnknown::ShortCoverage)
        );
        assert_eq!(
            decide(start, as_of_start - 3 * DAY + DAY - 1),
            Some(PremiumUseUnknown::ShortCoverage)
        );
    }

    #[test]
    fn the_recorded_query_window_wins_over_the_records() {
        let window = window();
        let inputs = EvidenceInputs {
            audit_query: Some((window.start_millis(), window.end_millis())),
            audit_records_span: Some((window.end_millis() - DAY, window.end_millis() - 1)),
            ..complete()
        };
        let evidence = Evidence::decide(&inputs, window);
        assert!(evidence.premium_use_known());
        assert_eq!(
            evidence.coverage.map(|coverage| coverage.from),
            Some(CoverageSource::SnapshotQuery)
        );
    }

    #[test]
    fn missing_assignment_states_everywhere_stop_the_source_rules() {
        let inputs = EvidenceInputs {
            licensed_users_without_assignment_states: 8,
            ..complete()
        };
        assert!(Evidence::decide(&inputs, window()).assignment_states_missing);
        let some = EvidenceInputs {
            licensed_users_without_assignment_states: 3,
            ..complete()
        };
        assert!(!Evidence::decide(&some, window()).assignment_states_missing);
    }

    #[test]
    fn no_inventory_or_no_exports_outrank_an_assertion() {
        let no_apps = EvidenceInputs {
            has_app_inventory: false,
            audit_complete: true,
            ..complete()
        };
        assert_eq!(
            Evidence::decide(&no_apps, window()).premium_use_unknown,
            Some(PremiumUseUnknown::NoAppInventory)
        );
        let no_files = EvidenceInputs {
            audit_files: 0,
            audit_complete: true,
            ..complete()
        };
        assert_eq!(
            Evidence::decide(&no_files, window()).premium_use_unknown,
            Some(PremiumUseUnknown::NoAuditExports)
        );
    }
}
