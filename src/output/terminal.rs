//! The summary table printed on stdout after an audit, rendered from the report model.

use crate::analyze::FindingKind;
use crate::report::ReportModel;
use std::fmt::Write;

pub fn render(model: &ReportModel, out_dir: &std::path::Path) -> String {
    let context = &model.context;
    let headline = &model.headline;
    let currency = &context.currency;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "seatwise audit as of {} ({}), window {} days from {}",
        context.window.as_of,
        context.as_of_source.describe(),
        context.window.days,
        context.window.first_day()
    );
    let _ = writeln!(text);
    let _ = writeln!(
        text,
        "{:<22} {:>9} {:>16}",
        "kind",
        "findings",
        format!("monthly {currency}")
    );
    for total in &model.by_kind {
        let role = match total.kind {
            FindingKind::MissingPremium => "  cost to comply",
            kind if kind.is_saving() => "  saving",
            kind if kind.is_license_change() => "  saving by changing license",
            _ => "",
        };
        let _ = writeln!(
            text,
            "{:<22} {:>9} {:>16}{role}",
            total.kind.as_str(),
            total.count,
            total.monthly_amount.grouped()
        );
    }
    let _ = writeln!(text);
    let _ = writeln!(
        text,
        "users {} (licensed {})  |  paid {} {currency}/month  |  savings {} {currency}/month  |  cost to comply {} {currency}/month",
        headline.users,
        headline.licensed_users,
        headline.monthly_cost.grouped(),
        headline.monthly_savings.grouped(),
        headline.monthly_cost_to_comply.grouped()
    );
    let seats = &headline.seats;
    let _ = writeln!(
        text,
        "paid seats {}  |  assigned {}  |  held by active users {}  |  idle {}",
        seats.purchased, seats.assigned, seats.active, seats.idle
    );
    let rejected = model.quality.ingest.rejected.len();
    if rejected > 0 {
        let _ = writeln!(
            text,
            "skipped {rejected} malformed rows (--lenient); see summary.md"
        );
    }
    let _ = writeln!(text, "written to {}", out_dir.display());
    text
}
