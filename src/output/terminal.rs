//! The summary table printed on stdout after an audit.

use super::AuditReport;
use crate::analyze::FindingKind;
use std::fmt::Write;

pub fn render(report: &AuditReport, out_dir: &std::path::Path) -> String {
    let analysis = report.analysis;
    let summary = &analysis.summary;
    let currency = &analysis.currency;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "seatwise audit as of {} ({}), window {} days from {}",
        analysis.window.as_of,
        report.as_of_source.describe(),
        analysis.window.days,
        analysis.window.first_day()
    );
    let _ = writeln!(text);
    let _ = writeln!(
        text,
        "{:<22} {:>9} {:>16}",
        "kind",
        "findings",
        format!("monthly {currency}")
    );
    for kind in FindingKind::ALL {
        let total = summary.by_kind.get(&kind).cloned().unwrap_or_default();
        let role = match kind {
            FindingKind::MissingPremium => "  cost to comply",
            kind if kind.is_saving() => "  saving",
            _ => "",
        };
        let _ = writeln!(
            text,
            "{:<22} {:>9} {:>16}{role}",
            kind.as_str(),
            total.count,
            total.monthly_amount.grouped()
        );
    }
    let _ = writeln!(text);
    let _ = writeln!(
        text,
        "users {} (licensed {})  |  paid {} {currency}/month  |  savings {} {currency}/month  |  cost to comply {} {currency}/month",
        summary.users,
        summary.licensed_users,
        summary.monthly_cost.grouped(),
        summary.monthly_savings.grouped(),
        summary.monthly_cost_to_comply.grouped()
    );
    if !report.snapshot.quality.rejected.is_empty() {
        let _ = writeln!(
            text,
            "skipped {} malformed rows (--lenient); see summary.md",
            report.snapshot.quality.rejected.len()
        );
    }
    let _ = writeln!(text, "written to {}", out_dir.display());
    text
}
