//! `summary.md`: what a person reads first. Money first (what the tenant pays, what it could
//! save, what compliance would cost), the seats, then the findings by kind, cost and waste by
//! SKU, where the savings sit (by SKU and by department), the largest savings, premium use, and
//! the data-quality notes that bound how far to trust the numbers.
//!
//! It renders the [`ReportModel`] and computes nothing: every figure, total and order is the
//! model's. Every tenant value goes through [`crate::support::markdown::text`], so a name
//! cannot add a row, a heading, a link, an image or HTML.

use crate::analyze::evidence::{
    COVERAGE_END_SLACK_DAYS, COVERAGE_START_SLACK_DAYS, CoverageSource,
};
use crate::analyze::{CoverOption, FindingKind};
use crate::money::Money;
use crate::report::ReportModel;
use crate::report::model::BreakdownRow;
use crate::support::markdown::text as md;
use crate::support::timestamp::format_millis;
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
        FindingKind::RedundantLicense => {
            "a paid license whose every service another license the user holds already grants"
        }
        FindingKind::RightSize => {
            "a per-user Power Apps Premium license whose use another license covers for less"
        }
        FindingKind::UnusedPremium => "a premium license with no premium app use in the window",
    }
}

fn amount_role(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::MissingPremium => "cost to comply",
        kind if kind.is_saving() => "saving",
        kind if kind.is_license_change() => "saving by changing license",
        _ => "",
    }
}

/// Tenant names, each escaped, separated by commas.
fn md_list(names: &[String]) -> String {
    names
        .iter()
        .map(|name| md(name))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn render(model: &ReportModel) -> String {
    let context = &model.context;
    let headline = &model.headline;
    let currency = &context.currency;
    let window = &context.window;
    let mut text = String::new();
    let _ = writeln!(text, "# seatwise license audit as of {}\n", window.as_of);
    let _ = writeln!(
        text,
        "- Snapshot: {}{}{}",
        md(&context.snapshot_path),
        context
            .tenant_id
            .as_deref()
            .map(|tenant| format!(", tenant {}", md(tenant)))
            .unwrap_or_default(),
        context
            .collected_at
            .map(|at| format!(", collected {}", format_millis(at)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        text,
        "- As-of date {} ({}); activity window {} days, {} to {}",
        window.as_of,
        context.as_of_source.describe(),
        window.days,
        window.first_day(),
        window.as_of
    );
    let price_book = &context.price_book;
    let _ = writeln!(
        text,
        "- Prices in {currency}: {} bundled list prices{}",
        price_book.bundled_entries,
        if price_book.bundled_replaced {
            format!(
                ", replaced by the snapshot's {} prices (another currency)",
                price_book.snapshot_entries
            )
        } else if price_book.snapshot_entries > 0 {
            format!(
                ", {} overridden by the snapshot's prices.csv",
                price_book.snapshot_entries
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        text,
        "- {} users, {} holding at least one license\n",
        headline.users, headline.licensed_users
    );

    let _ = writeln!(text, "## Money\n");
    let _ = writeln!(text, "| | per month ({currency}) | per year ({currency}) |");
    let _ = writeln!(text, "| --- | ---: | ---: |");
    for (label, monthly, yearly) in [
        (
            "What the tenant pays for its purchased seats",
            headline.monthly_cost,
            headline.yearly_cost,
        ),
        (
            "Could be saved (inactive holders, unused premium, redundant licenses, idle seats)",
            headline.monthly_savings,
            headline.yearly_savings,
        ),
        (
            "Would cost to license unlicensed premium use",
            headline.monthly_cost_to_comply,
            headline.yearly_cost_to_comply,
        ),
    ] {
        let _ = writeln!(
            text,
            "| {label} | {} | {} |",
            monthly.grouped(),
            yearly.grouped()
        );
    }
    if let Some(per_user) = headline.cost_per_licensed_user {
        let _ = writeln!(
            text,
            "\nPer licensed user, the tenant pays {} {currency} a month.",
            per_user.grouped()
        );
    }

    write_changes(&mut text, model);

    let seats = &headline.seats;
    let _ = writeln!(text, "\n## Seats\n");
    let _ = writeln!(text, "Seats of the priced SKUs the tenant pays for.\n");
    let _ = writeln!(text, "| | seats |");
    let _ = writeln!(text, "| --- | ---: |");
    let _ = writeln!(text, "| Purchased | {} |", seats.purchased);
    let _ = writeln!(text, "| Assigned | {} |", seats.assigned);
    let _ = writeln!(
        text,
        "| Held by users active in the window | {} |",
        seats.active
    );
    let _ = writeln!(text, "| Idle (purchased, not assigned) | {} |", seats.idle);

    let _ = writeln!(text, "\n## Findings\n");
    let _ = writeln!(
        text,
        "| kind | meaning | findings | per month ({currency}) | |"
    );
    let _ = writeln!(text, "| --- | --- | ---: | ---: | --- |");
    for total in &model.by_kind {
        let _ = writeln!(
            text,
            "| `{}` | {} | {} | {} | {} |",
            total.kind,
            kind_meaning(total.kind),
            total.count,
            total.monthly_amount.grouped(),
            amount_role(total.kind)
        );
    }

    write_skus(&mut text, model);
    let by = model.by_attribute.attribute.label();
    write_breakdown(
        &mut text,
        "Savings by SKU",
        "SKU",
        currency,
        &model.savings_by_sku,
    );
    write_breakdown(
        &mut text,
        &format!("Savings by {by}"),
        by,
        currency,
        &model.savings_by_group,
    );
    write_breakdown(
        &mut text,
        &format!("Unlicensed premium use by {by}"),
        by,
        currency,
        &model.unlicensed_by_group,
    );
    write_top_savings(&mut text, model);
    write_savings_timing(&mut text, model);
    write_premium_use(&mut text, model);
    write_license_mix(&mut text, model);
    write_quality(&mut text, model);
    text
}

/// What changed since the month recorded before, when the report was given history.
fn write_changes(text: &mut String, model: &ReportModel) {
    if model.trend.is_none() {
        return;
    }
    let currency = &model.context.currency;
    let Some(changes) = &model.changes else {
        let _ = writeln!(
            text,
            "\n## What changed\n\nNothing to compare: the history does not hold both this audit's month and a month recorded before it."
        );
        return;
    };
    let totals = &changes.totals;
    let _ = writeln!(
        text,
        "\n## What changed since {}\n\nFrom {} (as of {}, {} findings) to {} (as of {}, {} findings): {} new, {} resolved, {} persisting; {} licenses returned to their users; {} seats bought, {} cut.\n",
        changes.from.month,
        changes.from.month,
        changes.from.as_of,
        changes.from.findings,
        changes.to.month,
        changes.to.as_of,
        changes.to.findings,
        totals.new,
        totals.resolved,
        totals.persisting,
        totals.returned,
        totals.seats_bought,
        totals.seats_cut
    );
    for warning in &changes.warnings {
        let _ = writeln!(text, "Note: {}\n", md(warning));
    }
    let _ = writeln!(
        text,
        "| per month ({currency}) | {} | {} | change |",
        changes.from.month, changes.to.month
    );
    let _ = writeln!(text, "| --- | ---: | ---: | ---: |");
    let money = &changes.money;
    for (label, change) in [
        ("Cost", &money.monthly_cost),
        ("Savings available", &money.monthly_savings),
        ("Cost to comply", &money.monthly_cost_to_comply),
    ] {
        let _ = writeln!(
            text,
            "| {label} | {} | {} | {} |",
            change.from.grouped(),
            change.to.grouped(),
            crate::history::render::signed(change.change)
        );
    }
    if !totals.resolved_by.is_empty() {
        let how: Vec<String> = totals
            .resolved_by
            .iter()
            .map(|(resolution, count)| format!("{count} {}", resolution.as_str()))
            .collect();
        let _ = writeln!(text, "\nResolved by: {}.", how.join(", "));
    }
    if let Some(first) = model.trend.as_ref().and_then(|trend| trend.months.first()) {
        let _ = writeln!(
            text,
            "\nThe report's Trend section and sheet show the {} recorded months from {}.",
            model.trend.as_ref().map_or(0, |trend| trend.months.len()),
            first.month
        );
    }
}

/// Cost and waste of every SKU the tenant buys or a user holds.
fn write_skus(text: &mut String, model: &ReportModel) {
    if model.skus.is_empty() {
        return;
    }
    let currency = &model.context.currency;
    let _ = writeln!(text, "\n## Cost and waste by SKU\n");
    let _ = writeln!(
        text,
        "| SKU | price ({currency}) | purchased | assigned | utilisation | active holders | idle | per month ({currency}) | could save ({currency}) |"
    );
    let _ = writeln!(
        text,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for sku in &model.skus {
        let status = match &sku.capability_status {
            Some(status) if !sku.paid => format!(" ({}, not paid)", md(status)),
            _ => String::new(),
        };
        let _ = writeln!(
            text,
            "| {}{status} | {} | {} | {} | {} | {} | {} | {} | {} |",
            md(&sku.part_number),
            sku.monthly_price
                .map(Money::grouped)
                .unwrap_or_else(|| "unpriced".to_string()),
            sku.purchased_seats,
            sku.assigned_seats,
            sku.utilisation
                .map(|share| share.to_string())
                .unwrap_or_else(|| "–".to_string()),
            sku.active_holders,
            sku.idle_seats,
            sku.monthly_cost.grouped(),
            sku.monthly_savings.grouped()
        );
    }
}

fn write_breakdown(
    text: &mut String,
    title: &str,
    key_label: &str,
    currency: &str,
    rows: &[BreakdownRow],
) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(text, "\n## {title}\n");
    let _ = writeln!(text, "| {key_label} | findings | per month ({currency}) |");
    let _ = writeln!(text, "| --- | ---: | ---: |");
    for row in rows {
        let _ = writeln!(
            text,
            "| {} | {} | {} |",
            md(&row.name),
            row.findings,
            row.monthly_amount.grouped()
        );
    }
}

/// Rows of the largest savings summary.md lists; the report page lists the model's 25.
pub const TOP_SAVINGS_LISTED: usize = 10;

fn write_top_savings(text: &mut String, model: &ReportModel) {
    if model.top_savings.is_empty() {
        return;
    }
    let currency = &model.context.currency;
    let by = model.by_attribute.attribute.label();
    let _ = writeln!(text, "\n## Largest savings\n");
    let _ = writeln!(
        text,
        "| kind | user, or seats | {by} | SKU | reason | per month ({currency}) |"
    );
    let _ = writeln!(text, "| --- | --- | --- | --- | --- | ---: |");
    for saving in model.top_savings.iter().take(TOP_SAVINGS_LISTED) {
        let who = match (&saving.user_principal_name, saving.seats) {
            (Some(name), _) => md(name),
            (None, Some(seats)) => format!("{seats} idle"),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            text,
            "| `{}` | {who} | {} | {} | {} | {} |",
            saving.kind,
            md(saving.group.as_deref().unwrap_or("")),
            md(&saving.sku_part_number),
            md(saving.reason.as_deref().unwrap_or("")),
            saving.monthly_amount.grouped()
        );
    }
}

/// When the savings can be banked: seats free at once, and the money by renewal date.
fn write_savings_timing(text: &mut String, model: &ReportModel) {
    let timing = &model.savings_timing;
    if timing.by_date.is_empty() {
        return;
    }
    let currency = &model.context.currency;
    let _ = writeln!(text, "\n## When the savings can be banked\n");
    let _ = writeln!(
        text,
        "- {} {currency} a month of the savings are licenses taken back from users: the seats can go to the next hire at once instead of a purchase.",
        timing.reassignable_now.grouped()
    );
    if timing.subscriptions_known {
        let _ = writeln!(
            text,
            "- As money, a saving counts once its subscription's seats can drop: at renewal, or within 7 days of a purchase or renewal (new-commerce rules).\n"
        );
    } else {
        let _ = writeln!(
            text,
            "- The snapshot has no subscriptions.json (Graph `GET /v1.0/directory/subscriptions`), so when seats can drop is unknown.\n"
        );
    }
    let _ = writeln!(
        text,
        "| seats can drop on | findings | per month ({currency}) | per year ({currency}) |"
    );
    let _ = writeln!(text, "| --- | ---: | ---: | ---: |");
    for saving in &timing.by_date {
        let _ = writeln!(
            text,
            "| {} | {} | {} | {} |",
            saving.reducible_on,
            saving.findings,
            saving.monthly_amount.grouped(),
            saving.yearly_amount.grouped()
        );
    }
    if timing.calendar.is_empty() {
        return;
    }
    let _ = writeln!(text, "\n### Renewal calendar\n");
    let _ = writeln!(text, "{}\n", crate::report::model::CALENDAR_NOTE);
    let _ = writeln!(
        text,
        "| date | SKU | subscription | term | seats | seats to cut | per year ({currency}) |"
    );
    let _ = writeln!(text, "| --- | --- | --- | --- | ---: | ---: | ---: |");
    for cut in &timing.calendar {
        let _ = writeln!(
            text,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cut.reducible_on,
            md(&cut.sku_part_number),
            md(cut
                .commerce_subscription_id
                .as_deref()
                .unwrap_or(&cut.subscription_id)),
            cut.term.map_or("unknown", |term| term.as_str()),
            cut.total_licenses,
            cut.seats_to_cut,
            cut.yearly_saving.grouped()
        );
    }
}

fn write_premium_use(text: &mut String, model: &ReportModel) {
    let premium = &model.premium_use;
    let _ = writeln!(text, "\n## Premium use\n");
    let _ = writeln!(
        text,
        "- {} users opened premium apps in the window: {} with a premium license, {} without",
        premium.users, premium.licensed_users, premium.unlicensed_users
    );
    let _ = writeln!(
        text,
        "- {} users hold a premium license the tenant pays for; {} of them opened a premium app in the window",
        premium.premium_holders, premium.premium_holders_using
    );
    if !premium.by_apps_used.is_empty() {
        let _ = writeln!(
            text,
            "\n| premium apps opened | users | without a premium license |"
        );
        let _ = writeln!(text, "| ---: | ---: | ---: |");
        for row in &premium.by_apps_used {
            let _ = writeln!(
                text,
                "| {} | {} | {} |",
                row.apps, row.users, row.unlicensed
            );
        }
    }
}

fn write_license_mix(text: &mut String, model: &ReportModel) {
    let _ = writeln!(text, "\n## Power Apps license mix\n");
    let Some(mix) = &model.license_mix else {
        let _ = writeln!(
            text,
            "Not assessed: premium use or sign-in activity is unknown, no calendar month lies wholly inside the window, or the price book has no Power Apps Premium price."
        );
        return;
    };
    let currency = &model.context.currency;
    let _ = writeln!(
        text,
        "Premium use counted over the calendar months wholly inside the window ({}), priced each way the price book allows; the cheapest for each user wins, a tie keeps per user.\n",
        mix.months.join(", ")
    );
    let _ = writeln!(
        text,
        "| option | price ({currency}) | users on the cheapest mix | per month ({currency}) |"
    );
    let _ = writeln!(text, "| --- | ---: | ---: | ---: |");
    for row in &mix.by_option {
        let Some(price) = mix.prices.iter().find(|price| price.option == row.option) else {
            continue;
        };
        let tier = if price.min_seats > 0 {
            format!(", the {}-seat tier", price.min_seats)
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "| {} (`{}`, {}{tier}) | {} | {} | {} |",
            row.option.label(),
            md(&price.part_number),
            row.option.unit(),
            price.monthly_price.grouped(),
            row.users,
            row.monthly_cost.grouped()
        );
    }
    let _ = writeln!(
        text,
        "\n- {} premium users priced: {} holding Power Apps Premium (not in a reclaim finding), {} without a premium license; the per-user tier comes from {} purchased seats",
        mix.users, mix.holders, mix.unlicensed, mix.per_user_seats
    );
    let _ = writeln!(
        text,
        "- Per month: {} {currency} today for the holders; {} {currency} with every priced user on per user; {} {currency} on the cheapest mix",
        mix.cost_today.grouped(),
        mix.cost_all_per_user.grouped(),
        mix.cost_cheapest_mix.grouped()
    );
    let _ = writeln!(
        text,
        "- {} users are within 10 % of a break-even (their two cheapest options differ by at most a tenth)",
        mix.near_break_even
    );
    if mix.without_use_in_months > 0 {
        let _ = writeln!(
            text,
            "- {} users are left out: none of their premium launches falls in those months",
            mix.without_use_in_months
        );
    }
    for option in CoverOption::ALL {
        if !mix.prices.iter().any(|price| price.option == option) {
            let _ = writeln!(
                text,
                "- Not considered: {}, as {}",
                option.label(),
                option.not_considered_because()
            );
        }
    }
}

fn write_quality(text: &mut String, model: &ReportModel) {
    let ingest = &model.quality.ingest;
    let analysis = &model.quality.analysis;
    let window = &model.context.window;
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
            window.first_day(),
            window.as_of,
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
            "- **{}** is {}: not paid for, so its {} holders and its seats are not savings",
            md(&sku.sku_part_number),
            md(&sku.capability_status),
            sku.holders
        );
    }
    for sku in &analysis.ending_skus {
        let _ = writeln!(
            text,
            "- **{}** is in `Warning` (grace period): still paid, {} seats are ending; renew or let them lapse",
            md(&sku.sku_part_number),
            sku.warning_seats
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
        model.quality.other_operation_rows
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
            md_list(&analysis.unpriced_skus)
        );
    }
    for sku in &analysis.unpriced_before_book {
        let _ = writeln!(
            text,
            "- {} is unpriced: the book starts on {}",
            md(&sku.sku_part_number),
            sku.book_starts
        );
    }
    if !analysis.uncatalogued_skus.is_empty() {
        let _ = writeln!(
            text,
            "- SKUs missing from the catalogue (not premium): {}",
            md_list(&analysis.uncatalogued_skus)
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
            let _ = writeln!(text, "  - {}", md(&rejection.to_string()));
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
