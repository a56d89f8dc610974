//! `summary.md`: what a person reads first. Money first (what the tenant pays, what it could
//! save, what compliance would cost), then the findings by kind, where the savings sit (by SKU
//! and by department), and the data-quality notes that bound how far to trust the numbers.

use super::AuditReport;
use crate::analyze::evidence::{
    COVERAGE_END_SLACK_DAYS, COVERAGE_START_SLACK_DAYS, CoverageSource,
};
use crate::analyze::{Finding, FindingKind};
use crate::money::Money;
use crate::support::timestamp::format_millis;
use std::collections::BTreeMap;
use std::fmt::Write;

/// What each kind means, in a sentence.
pub fn kind_meaning(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::AssignmentError => "a license assignment Entra could not apply",
        FindingKind::DuplicateAssignment => "the same license granted by more than one source",
        FindingKind::IdleSeats => "purchased seats nobody holds",
        FindingKind::InactiveHolder => {
            "a paid license held by a disabled, never-signed-in or inactive user"
        }
        FindingKind::MissingPremium => "premium apps used without a premium license",
        FindingKind::UnusedPremium => "a premium license with no premium app use in the window",
    }
}

fn amount_role(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::MissingPremium => "cost to comply",
        kind if kind.is_saving() => "saving",
        _ => "",
    }
}

pub fn render(report: &AuditReport) -> String {
    let analysis = report.analysis;
    let summary = &analysis.summary;
    let currency = &analysis.currency;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# seatwise license audit as of {}\n",
        analysis.window.as_of
    );
    let snapshot = report.snapshot;
    let _ = writeln!(
        text,
        "- Snapshot: `{}`{}{}",
        snapshot.dir.display(),
        snapshot
            .metadata
            .tenant_id
            .as_deref()
            .map(|tenant| format!(", tenant `{tenant}`"))
            .unwrap_or_default(),
        snapshot
            .metadata
            .collected_at
            .map(|at| format!(", collected {}", format_millis(at)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        text,
        "- As-of date {} ({}); activity window {} days, {} to {}",
        analysis.window.as_of,
        report.as_of_source.describe(),
        analysis.window.days,
        analysis.window.first_day(),
        analysis.window.as_of
    );
    let _ = writeln!(
        text,
        "- Prices in {currency}: {} bundled list prices{}",
        analysis.price_book.bundled_entries,
        if analysis.price_book.bundled_replaced {
            format!(
                ", replaced by the snapshot's {} prices (another currency)",
                analysis.price_book.snapshot_entries
            )
        } else if analysis.price_book.snapshot_entries > 0 {
            format!(
                ", {} overridden by the snapshot's prices.csv",
                analysis.price_book.snapshot_entries
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        text,
        "- {} users, {} holding at least one license\n",
        summary.users, summary.licensed_users
    );

    let _ = writeln!(text, "## Money\n");
    let _ = writeln!(text, "| | per month ({currency}) | per year ({currency}) |");
    let _ = writeln!(text, "| --- | ---: | ---: |");
    for (label, amount) in [
        (
            "What the tenant pays for its purchased seats",
            summary.monthly_cost,
        ),
        (
            "Could be saved (inactive holders, unused premium, idle seats)",
            summary.monthly_savings,
        ),
        (
            "Would cost to license unlicensed premium use",
            summary.monthly_cost_to_comply,
        ),
    ] {
        let _ = writeln!(
            text,
            "| {label} | {} | {} |",
            amount.grouped(),
            Money(amount.0 * 12).grouped()
        );
    }

    let _ = writeln!(text, "\n## Findings\n");
    let _ = writeln!(
        text,
        "| kind | meaning | findings | per month ({currency}) | |"
    );
    let _ = writeln!(text, "| --- | --- | ---: | ---: | --- |");
    for kind in FindingKind::ALL {
        let total = summary.by_kind.get(&kind).cloned().unwrap_or_default();
        let _ = writeln!(
            text,
            "| `{kind}` | {} | {} | {} | {} |",
            kind_meaning(kind),
            total.count,
            total.monthly_amount.grouped(),
            amount_role(kind)
        );
    }

    write_breakdown(
        &mut text,
        "Savings by SKU",
        "SKU",
        currency,
        analysis
            .findings
            .iter()
            .filter(|finding| finding.kind.is_saving()),
        |finding| finding.sku_part_number.clone(),
    );
    write_breakdown(
        &mut text,
        "Savings by department",
        "department",
        currency,
        analysis
            .findings
            .iter()
            .filter(|finding| finding.kind.is_saving() && finding.user_id.is_some()),
        |finding| finding.department.clone().unwrap_or_default(),
    );
    write_breakdown(
        &mut text,
        "Unlicensed premium use by department",
        "department",
        currency,
        analysis
            .findings
            .iter()
            .filter(|finding| finding.kind == FindingKind::MissingPremium),
        |finding| finding.department.clone().unwrap_or_default(),
    );
    write_quality(&mut text, report);
    text
}

fn write_breakdown<'a>(
    text: &mut String,
    title: &str,
    key_label: &str,
    currency: &str,
    findings: impl Iterator<Item = &'a Finding>,
    key: impl Fn(&Finding) -> String,
) {
    let mut totals: BTreeMap<String, (usize, Money)> = BTreeMap::new();
    for finding in findings {
        let entry = totals.entry(key(finding)).or_default();
        entry.0 += 1;
        entry.1 = entry.1 + finding.monthly_amount;
    }
    if totals.is_empty() {
        return;
    }
    let mut rows: Vec<(String, (usize, Money))> = totals.into_iter().collect();
    rows.sort_by(|left, right| right.1.1.cmp(&left.1.1).then_with(|| left.0.cmp(&right.0)));
    let _ = writeln!(text, "\n## {title}\n");
    let _ = writeln!(text, "| {key_label} | findings | per month ({currency}) |");
    let _ = writeln!(text, "| --- | ---: | ---: |");
    for (name, (count, amount)) in rows {
        let _ = writeln!(text, "| {name} | {count} | {} |", amount.grouped());
    }
}

fn write_quality(text: &mut String, report: &AuditReport) {
    let ingest = &report.snapshot.quality;
    let analysis = &report.analysis.quality;
    let _ = writeln!(text, "\n## Data quality\n");
    if let Some(reason) = analysis.activity_unknown_because {
        let _ = writeln!(
            text,
            "- **Sign-in activity is unknown**: {reason}. Inactive and never-signed-in holders cannot be told apart from active ones, so only disabled holders are reported."
        );
    }
    if let Some(reason) = analysis.premium_use_unknown_because {
        let _ = writeln!(
            text,
            "- **Premium use is unknown**: {reason}. No `unused-premium` finding is raised; `missing-premium` only for launches that were seen."
        );
    }
    if let Some(coverage) = &analysis.audit_coverage {
        let source = match coverage.from {
            CoverageSource::SnapshotQuery => "the audit query recorded in snapshot.json",
            CoverageSource::Records => "the earliest to the latest exported record",
        };
        let verdict = if coverage.covers_window {
            "covers the window"
        } else {
            "does **not** cover the window"
        };
        let _ = writeln!(
            text,
            "- Audit coverage ({source}): {} to {}; it {verdict} ({} to {}, allowing {COVERAGE_START_SLACK_DAYS} days late and {COVERAGE_END_SLACK_DAYS} days early)",
            coverage.first,
            coverage.last,
            report.analysis.window.first_day(),
            report.analysis.window.as_of,
        );
    }
    if !analysis.rules_not_evaluated.is_empty() {
        let kinds: Vec<&str> = analysis
            .rules_not_evaluated
            .iter()
            .map(|kind| kind.as_str())
            .collect();
        let _ = writeln!(
            text,
            "- **Not evaluated**: {} (no user record carries licenseAssignmentStates, as in older exports); every finding's source reads `unknown`",
            kinds.join(", ")
        );
    } else if analysis.licensed_users_without_assignment_states > 0 {
        let _ = writeln!(
            text,
            "- {} licensed users lack licenseAssignmentStates: their sources read `unknown`, and they are not checked for duplicate or failed assignments",
            analysis.licensed_users_without_assignment_states
        );
    }
    for sku in &analysis.unpaid_skus {
        let _ = writeln!(
            text,
            "- **{}** is `{}`: not paid for, so its {} holders and its seats are not savings",
            sku.sku_part_number, sku.capability_status, sku.holders
        );
    }
    for sku in &analysis.ending_skus {
        let _ = writeln!(
            text,
            "- **{}** is in `Warning` (grace period): still paid, {} seats are ending; renew or let them lapse",
            sku.sku_part_number, sku.warning_seats
        );
    }
    let _ = writeln!(
        text,
        "- Audit exports: {} files, {} rows, {} `LaunchPowerApp` launches ({} in the window, {} after the as-of date and ignored); {} rows of other operations skipped",
        ingest.audit_files,
        ingest.audit_rows,
        ingest.launch_rows,
        analysis.launches_in_window,
        analysis.launches_after_as_of,
        ingest.other_operations.values().sum::<usize>()
    );
    if ingest.duplicate_launch_records > 0 {
        let _ = writeln!(
            text,
            "- {} launch records were exported more than once (same record id and content) and counted once",
            ingest.duplicate_launch_records
        );
    }
    if analysis.launch_records_upn_differs > 0 {
        let _ = writeln!(
            text,
            "- {} launch records name their user by another user principal name than today's (renamed users); they were matched by object id",
            analysis.launch_records_upn_differs
        );
    }
    let _ = writeln!(
        text,
        "- Launches in the window by users not in the directory: {} by {} users ({} of premium apps); not findings",
        analysis.unknown_user_launches,
        analysis.unknown_users,
        analysis.unknown_user_premium_launches
    );
    let _ = writeln!(
        text,
        "- Launches in the window of apps missing from the inventory (treated as not premium): {} of {} apps",
        analysis.unknown_app_launches, analysis.unknown_apps
    );
    if ingest.users_activity_from_attempts > 0 {
        let _ = writeln!(
            text,
            "- {} users' exports lack lastSuccessfulSignInDateTime; their last activity is lastSignInDateTime, which also counts failed attempts",
            ingest.users_activity_from_attempts
        );
    }
    if ingest.users_without_sign_in_activity > 0 {
        let _ = writeln!(
            text,
            "- {} users have no signInActivity at all",
            ingest.users_without_sign_in_activity
        );
    }
    if !analysis.unpriced_skus.is_empty() {
        let _ = writeln!(
            text,
            "- SKUs without a price, never counted as waste: {}",
            analysis.unpriced_skus.join(", ")
        );
    }
    for sku in &analysis.unpriced_before_book {
        let _ = writeln!(
            text,
            "- {} is unpriced: the book starts on {}",
            sku.sku_part_number, sku.book_starts
        );
    }
    if !analysis.uncatalogued_skus.is_empty() {
        let _ = writeln!(
            text,
            "- SKUs missing from the catalogue (not premium): {}",
            analysis.uncatalogued_skus.join(", ")
        );
    }
    if ingest.repeated_users > 0 {
        let _ = writeln!(
            text,
            "- {} users listed twice with identical data, kept once",
            ingest.repeated_users
        );
    }
    if analysis.group_members_not_in_directory > 0 || ingest.group_members_not_users > 0 {
        let _ = writeln!(
            text,
            "- Group members not in the users export: {}; non-user members (nested groups, devices; they get no license): {}",
            analysis.group_members_not_in_directory, ingest.group_members_not_users
        );
    }
    if ingest.rejected.is_empty() {
        let _ = writeln!(text, "- No malformed rows");
    } else {
        let _ = writeln!(
            text,
            "- **{} malformed rows skipped** (--lenient):",
            ingest.rejected.len()
        );
        for rejection in ingest.rejected.iter().take(20) {
            let _ = writeln!(text, "  - {rejection}");
        }
        if ingest.rejected.len() > 20 {
            let _ = writeln!(
                text,
                "  - … and {} more (see findings.json)",
                ingest.rejected.len() - 20
            );
        }
    }
}
