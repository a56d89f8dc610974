//! The Data quality sheet: what ingestion and analysis noticed, one check a row, so a reader
//! knows how far to trust the other sheets. Every skipped row is listed (summary.md shows the
//! first twenty), so the sheet is written in constant-memory mode.

use super::cells::{Formats, SheetWriter};
use super::{Problem, SheetName};
use crate::analyze::evidence::{
    COVERAGE_END_SLACK_DAYS, COVERAGE_START_SLACK_DAYS, CoverageSource,
};
use crate::report::model::ReportModel;
use crate::support::timestamp::parse_timestamp;
use chrono::NaiveDate;
use rust_xlsxwriter::Worksheet;

/// The value of a check.
enum Value {
    Count(usize),
    Text(String),
    Date(NaiveDate),
    /// A recorded time; kept as text when it does not read as one.
    Time(String),
    Empty,
}

struct Check {
    check: String,
    value: Value,
    detail: String,
}

fn check(check: impl Into<String>, value: Value, detail: impl Into<String>) -> Check {
    Check {
        check: check.into(),
        value,
        detail: detail.into(),
    }
}

fn count(name: &str, value: usize) -> Check {
    check(name, Value::Count(value), "")
}

fn known(is_known: bool) -> Value {
    Value::Text(if is_known { "known" } else { "unknown" }.into())
}

fn list(items: &[String]) -> Value {
    if items.is_empty() {
        Value::Text("none".into())
    } else {
        Value::Text(items.join(", "))
    }
}

fn checks(model: &ReportModel) -> Vec<Check> {
    let ingest = &model.quality.ingest;
    let analysis = &model.quality.analysis;
    let window = &model.context.window;
    let mut checks = vec![
        check(
            "Sign-in activity",
            known(analysis.activity_known),
            analysis
                .activity_unknown_because
                .map(|reason| reason.to_string())
                .unwrap_or_default(),
        ),
        check(
            "Premium use",
            known(analysis.premium_use_known),
            analysis
                .premium_use_unknown_because
                .map(|reason| reason.to_string())
                .unwrap_or_default(),
        ),
    ];
    if let Some(coverage) = &analysis.audit_coverage {
        let source = match coverage.from {
            CoverageSource::SnapshotQuery => "the audit query recorded in snapshot.json",
            CoverageSource::Records => "the earliest to the latest exported record",
        };
        checks.extend([
            check(
                "Audit coverage from (UTC)",
                Value::Time(coverage.first.clone()),
                source,
            ),
            check(
                "Audit coverage to (UTC)",
                Value::Time(coverage.last.clone()),
                source,
            ),
            check(
                "Audit coverage covers the window",
                Value::Text(if coverage.covers_window { "yes" } else { "no" }.into()),
                format!(
                    "window {} to {}, allowing {COVERAGE_START_SLACK_DAYS} days late and {COVERAGE_END_SLACK_DAYS} days early",
                    window.first_day(),
                    window.as_of
                ),
            ),
        ]);
    }
    let not_evaluated: Vec<String> = analysis
        .rules_not_evaluated
        .iter()
        .map(|kind| kind.to_string())
        .collect();
    checks.push(check(
        "Rules not evaluated",
        list(&not_evaluated),
        if not_evaluated.is_empty() {
            ""
        } else {
            "no user record carries licenseAssignmentStates; every finding's source reads `unknown`"
        },
    ));
    checks.push(check(
        "Licensed users without licenseAssignmentStates",
        Value::Count(analysis.licensed_users_without_assignment_states),
        "their sources read `unknown`; not checked for duplicate or failed assignments",
    ));
    for sku in &analysis.unpaid_skus {
        checks.push(check(
            "Subscription not paid for",
            Value::Text(sku.sku_part_number.clone()),
            format!(
                "{}: its {} holders and its seats are not savings",
                sku.capability_status, sku.holders
            ),
        ));
    }
    for sku in &analysis.ending_skus {
        checks.push(check(
            "Subscription in its grace period",
            Value::Text(sku.sku_part_number.clone()),
            format!(
                "{} seats ending; renew or let them lapse",
                sku.warning_seats
            ),
        ));
    }
    checks.extend([
        count("Audit export files", ingest.audit_files),
        count("Audit export rows", ingest.audit_rows),
        count("LaunchPowerApp launches", ingest.launch_rows),
        count("Launches in the window", analysis.launches_in_window),
        count(
            "Launches after the as-of date (ignored)",
            analysis.launches_after_as_of,
        ),
        count(
            "Rows of other operations (skipped)",
            model.quality.other_operation_rows,
        ),
    ]);
    for (operation, rows) in &ingest.other_operations {
        checks.push(check(
            "Rows of another operation (skipped)",
            Value::Count(*rows),
            operation.clone(),
        ));
    }
    checks.extend([
        count(
            "Launch records exported twice (counted once)",
            ingest.duplicate_launch_records,
        ),
        count(
            "Launch records naming a user by an older name (matched by object id)",
            analysis.launch_records_upn_differs,
        ),
        count(
            "Launches in the window by users not in the directory (not findings)",
            analysis.unknown_user_launches,
        ),
        count(
            "Users not in the directory who launched apps",
            analysis.unknown_users,
        ),
        count(
            "Of their launches, of premium apps",
            analysis.unknown_user_premium_launches,
        ),
        count(
            "Launches in the window of apps missing from the inventory (not premium)",
            analysis.unknown_app_launches,
        ),
        count("Apps missing from the inventory", analysis.unknown_apps),
        count(
            "Users whose last activity counts failed sign-in attempts",
            ingest.users_activity_from_attempts,
        ),
        count(
            "Users without signInActivity",
            ingest.users_without_sign_in_activity,
        ),
        check(
            "SKUs without a price (never counted as waste)",
            list(&analysis.unpriced_skus),
            "",
        ),
    ]);
    for sku in &analysis.unpriced_before_book {
        checks.push(check(
            "Unpriced until the price book starts",
            Value::Date(sku.book_starts),
            sku.sku_part_number.clone(),
        ));
    }
    checks.extend([
        check(
            "SKUs missing from the catalogue (not premium)",
            list(&analysis.uncatalogued_skus),
            "",
        ),
        count(
            "Users listed twice with identical data (kept once)",
            ingest.repeated_users,
        ),
        count(
            "Group members not in the users export",
            analysis.group_members_not_in_directory,
        ),
        count(
            "Group members that are not users (they get no license)",
            ingest.group_members_not_users,
        ),
        count("Malformed rows skipped (--lenient)", ingest.rejected.len()),
    ]);
    checks.extend(
        ingest
            .rejected
            .iter()
            .map(|rejection| check("Malformed row skipped", Value::Empty, rejection.to_string())),
    );
    checks
}

pub fn write(sheet: &mut Worksheet, formats: &Formats, model: &ReportModel) -> Result<(), Problem> {
    let mut writer = SheetWriter::begin(
        sheet,
        formats,
        SheetName::DataQuality,
        vec!["Check".into(), "Value".into(), "Detail".into()],
    )?;
    for check in checks(model) {
        writer.text(0, &check.check)?;
        match check.value {
            Value::Count(count) => writer.count(1, i64::try_from(count).unwrap_or(i64::MAX))?,
            Value::Text(text) => writer.text(1, &text)?,
            Value::Date(date) => writer.date(1, date)?,
            Value::Time(text) => match parse_timestamp(&text) {
                Ok(millis) => writer.moment(1, millis)?,
                Err(_) => writer.text(1, &text)?,
            },
            Value::Empty => {}
        }
        if !check.detail.is_empty() {
            writer.text(2, &check.detail)?;
        }
        writer.next_row();
    }
    writer.finish()
}
