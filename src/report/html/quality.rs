//! The data-quality section: what ingestion and analysis noticed, so a reader knows how far to
//! trust the figures above (the same notes as `summary.md`, as a list; warnings marked).

use super::TABLE_ROWS;
use super::markup::{Markup, count};
use crate::analyze::evidence::{
    COVERAGE_END_SLACK_DAYS, COVERAGE_START_SLACK_DAYS, CoverageSource,
};
use crate::report::ReportModel;

/// Rejected rows listed by name; the rest are counted.
const REJECTIONS_LISTED: usize = 20;

struct Notes<'a> {
    page: &'a mut Markup,
}

impl Notes<'_> {
    fn warning(&mut self, text: &str) {
        self.page.element(
            "<li class=\"warning\"><strong>Warning:</strong> ",
            text,
            "</li>\n",
        );
    }

    fn note(&mut self, text: &str) {
        self.page.element("<li>", text, "</li>\n");
    }
}

fn number(value: usize) -> String {
    count(i64::try_from(value).unwrap_or(i64::MAX))
}

pub fn section(page: &mut Markup, model: &ReportModel) {
    let ingest = &model.quality.ingest;
    let analysis = &model.quality.analysis;
    let window = &model.context.window;
    page.tag("<section id=\"data-quality\">\n<h2>Data quality</h2>\n<ul class=\"quality\">\n");
    let mut notes = Notes { page: &mut *page };
    if let Some(reason) = analysis.activity_unknown_because {
        notes.warning(&format!(
            "sign-in activity is unknown: {reason}. Inactive and never-signed-in holders cannot be told apart from active ones, so only disabled holders are reported, and active counts read unknown."
        ));
    }
    if let Some(reason) = analysis.premium_use_unknown_because {
        notes.warning(&format!(
            "premium use is unknown: {reason}. No unused-premium finding is raised; missing-premium only for launches that were seen."
        ));
    }
    if let Some(coverage) = &analysis.audit_coverage {
        let source = match coverage.from {
            CoverageSource::SnapshotQuery => "the audit query recorded in snapshot.json",
            CoverageSource::Records => "the earliest to the latest exported record",
        };
        let text = format!(
            "Audit coverage ({source}): {} to {}; it {} the window ({} to {}, allowing {COVERAGE_START_SLACK_DAYS} days late and {COVERAGE_END_SLACK_DAYS} days early).",
            coverage.first,
            coverage.last,
            if coverage.covers_window {
                "covers"
            } else {
                "does not cover"
            },
            window.first_day(),
            window.as_of
        );
        if coverage.covers_window {
            notes.note(&text);
        } else {
            notes.warning(&text);
        }
    }
    if !analysis.rules_not_evaluated.is_empty() {
        let kinds: Vec<&str> = analysis
            .rules_not_evaluated
            .iter()
            .map(|kind| kind.as_str())
            .collect();
        notes.warning(&format!(
            "not evaluated: {} (no user record carries licenseAssignmentStates, as in older exports).",
            kinds.join(", ")
        ));
    } else if analysis.licensed_users_without_assignment_states > 0 {
        notes.note(&format!(
            "{} licensed users lack licenseAssignmentStates: how they hold their licenses is unknown, and they are not checked for duplicate or failed assignments.",
            number(analysis.licensed_users_without_assignment_states)
        ));
    }
    for sku in &analysis.unpaid_skus {
        notes.note(&format!(
            "{} is {}: not paid for, so its {} holders and its seats are not savings.",
            sku.sku_part_number,
            sku.capability_status,
            number(sku.holders)
        ));
    }
    for sku in &analysis.ending_skus {
        notes.note(&format!(
            "{} is in Warning (grace period): still paid, {} seats are ending; renew or let them lapse.",
            sku.sku_part_number,
            number(sku.warning_seats.try_into().unwrap_or(0))
        ));
    }
    notes.note(&format!(
        "Audit exports: {} files, {} rows, {} LaunchPowerApp launches ({} in the window, {} after the as-of date and ignored); {} rows of other operations skipped.",
        number(ingest.audit_files),
        number(ingest.audit_rows),
        number(ingest.launch_rows),
        number(analysis.launches_in_window),
        number(analysis.launches_after_as_of),
        number(model.quality.other_operation_rows)
    ));
    if ingest.duplicate_launch_records > 0 {
        notes.note(&format!(
            "{} launch records were exported more than once and counted once.",
            number(ingest.duplicate_launch_records)
        ));
    }
    if analysis.launch_records_upn_differs > 0 {
        notes.note(&format!(
            "{} launch records name their user by an older user principal name; they were matched by object id.",
            number(analysis.launch_records_upn_differs)
        ));
    }
    notes.note(&format!(
        "Launches in the window by users not in the directory: {} by {} users ({} of premium apps); not findings.",
        number(analysis.unknown_user_launches),
        number(analysis.unknown_users),
        number(analysis.unknown_user_premium_launches)
    ));
    notes.note(&format!(
        "Launches in the window of apps missing from the inventory (treated as not premium): {} of {} apps.",
        number(analysis.unknown_app_launches),
        number(analysis.unknown_apps)
    ));
    if ingest.users_activity_from_attempts > 0 {
        notes.note(&format!(
            "{} users' exports lack lastSuccessfulSignInDateTime; their last activity is lastSignInDateTime, which also counts failed attempts.",
            number(ingest.users_activity_from_attempts)
        ));
    }
    if ingest.users_without_sign_in_activity > 0 {
        notes.note(&format!(
            "{} users have no signInActivity at all.",
            number(ingest.users_without_sign_in_activity)
        ));
    }
    if !analysis.unpriced_skus.is_empty() {
        notes.note(&format!(
            "SKUs without a price, never counted as waste: {}.",
            analysis.unpriced_skus.join(", ")
        ));
    }
    for sku in &analysis.unpriced_before_book {
        notes.note(&format!(
            "{} is unpriced: the price book starts on {}.",
            sku.sku_part_number, sku.book_starts
        ));
    }
    if !analysis.uncatalogued_skus.is_empty() {
        notes.note(&format!(
            "SKUs missing from the catalogue (not premium): {}.",
            analysis.uncatalogued_skus.join(", ")
        ));
    }
    if ingest.repeated_users > 0 {
        notes.note(&format!(
            "{} users listed twice with identical data, kept once.",
            number(ingest.repeated_users)
        ));
    }
    if analysis.group_members_not_in_directory > 0 || ingest.group_members_not_users > 0 {
        notes.note(&format!(
            "Group members not in the users export: {}; members that are not users (nested groups, devices; they get no license): {}.",
            number(analysis.group_members_not_in_directory),
            number(ingest.group_members_not_users)
        ));
    }
    if ingest.rejected.is_empty() {
        notes.note("No malformed rows.");
    } else {
        notes.warning(&format!(
            "{} malformed rows skipped (--lenient).",
            number(ingest.rejected.len())
        ));
    }
    page.tag("</ul>\n");
    if !ingest.rejected.is_empty() {
        let listed = ingest.rejected.len().min(REJECTIONS_LISTED.min(TABLE_ROWS));
        page.tag("<h3>Malformed rows skipped</h3>\n<ul>\n");
        for rejection in ingest.rejected.iter().take(listed) {
            page.element("<li>", &rejection.to_string(), "</li>\n");
        }
        page.tag("</ul>\n");
        if ingest.rejected.len() > listed {
            page.element(
                "<p class=\"note\">",
                &format!(
                    "The other {} are listed in findings.json.",
                    number(ingest.rejected.len() - listed)
                ),
                "</p>\n",
            );
        }
    }
    page.tag("</section>\n");
}
