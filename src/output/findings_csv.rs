//! `findings.csv`: the findings for spreadsheets, one row each, same order as the JSON.
//!
//! Finance opens this in Excel, so text that a spreadsheet would run as a formula (a
//! department named `=HYPERLINK(…)`) is prefixed with an apostrophe. Columns only grow, at
//! the end: the `right-size` columns are empty on other kinds.

use crate::analyze::Finding;
use crate::support::spreadsheet::spreadsheet_safe;
use crate::support::timestamp::format_millis;

pub const HEADER: [&str; 21] = [
    "kind",
    "user_id",
    "user_principal_name",
    "department",
    "sku_part_number",
    "sku_id",
    "reason",
    "assigned_by",
    "last_activity",
    "last_premium_use",
    "premium_apps_used",
    "seats",
    "monthly_amount",
    "note",
    "reducible_on",
    "reassignable_now",
    "covered_by",
    "current_monthly_cost",
    "cheapest_part_number",
    "cheapest_monthly_cost",
    "whole_months",
];

pub fn write(findings: &[Finding], output: impl std::io::Write) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(output);
    writer.write_record(HEADER)?;
    for finding in findings {
        let text = |value: Option<&str>| spreadsheet_safe(value.unwrap_or(""));
        writer.write_record([
            finding.kind.as_str().to_string(),
            text(finding.user_id.as_deref()),
            text(finding.user_principal_name.as_deref()),
            text(finding.department.as_deref()),
            text(Some(&finding.sku_part_number)),
            text(Some(&finding.sku_id)),
            text(finding.reason.as_ref().map(ToString::to_string).as_deref()),
            // Group ids come from the tenant's export: guarded like any other text.
            text(Some(&finding.assigned_by.join(";"))),
            finding.last_activity.map(format_millis).unwrap_or_default(),
            finding
                .last_premium_use
                .map(format_millis)
                .unwrap_or_default(),
            finding
                .premium_apps_used
                .map(|count| count.to_string())
                .unwrap_or_default(),
            finding
                .seats
                .map(|seats| seats.to_string())
                .unwrap_or_default(),
            finding.monthly_amount.to_string(),
            text(finding.note.as_deref()),
            finding
                .timing
                .map(|timing| timing.reducible_on.to_string())
                .unwrap_or_default(),
            finding
                .timing
                .map(|timing| timing.reassignable_now.to_string())
                .unwrap_or_default(),
            // `redundant-license`: the part number of the license that covers this one.
            text(
                finding
                    .covered_by
                    .as_ref()
                    .map(|covering| covering.sku_part_number.as_str()),
            ),
            finding
                .current_monthly_cost
                .map(|cost| cost.to_string())
                .unwrap_or_default(),
            text(finding.cheapest_part_number.as_deref()),
            finding
                .cheapest_monthly_cost
                .map(|cost| cost.to_string())
                .unwrap_or_default(),
            finding
                .whole_months
                .map(|months| months.to_string())
                .unwrap_or_default(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
