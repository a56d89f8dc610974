//! The history for people: `history list`, `history diff` and `history trend` as terminal
//! text. Both render
//! the typed models (`MonthEntry`, [`HistoryDiff`]) that `--json` writes, so the two never
//! disagree; tenant text (principal names, part numbers) goes through
//! [`crate::support::visible::shown`], so it stays on its line.

use super::diff::{HistoryDiff, Resolution};
use super::store::MonthEntry;
use crate::money::Money;
use crate::support::visible::shown;
use std::fmt::Write;

/// Rows shown per section before "… and N more".
const SHOWN_ROWS: usize = 20;

pub fn list(entries: &[MonthEntry]) -> String {
    let mut out = String::new();
    if entries.is_empty() {
        out.push_str("no month recorded yet\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{:<8}  {:<10}  {:<36}  {:>7}  {:>8}  {:>8}  {:>16}  {:>16}",
        "month", "as-of", "tenant", "window", "users", "findings", "monthly cost", "savings"
    );
    for entry in entries {
        let _ = writeln!(
            out,
            "{:<8}  {:<10}  {:<36}  {:>6}d  {:>8}  {:>8}  {:>16}  {:>16}{}",
            entry.month.to_string(),
            entry.as_of.to_string(),
            shown(&entry.tenant_id),
            entry.window_days,
            entry.summary.users,
            entry.findings,
            format!(
                "{} {}",
                entry.summary.monthly_cost.grouped(),
                shown(&entry.currency)
            ),
            entry.summary.monthly_savings.grouped(),
            if entry.warnings.is_empty() {
                ""
            } else {
                "  (!)"
            }
        );
    }
    for entry in entries {
        for warning in &entry.warnings {
            let _ = writeln!(out, "{}: warning: {}", entry.month, shown(warning));
        }
    }
    out
}

/// `history trend`: one line per month.
pub fn trend(trend: &super::Trend) -> String {
    let mut out = String::new();
    if trend.months.is_empty() {
        out.push_str("no month recorded up to that month\n");
        return out;
    }
    let currency = shown(&trend.currency);
    let _ = writeln!(
        out,
        "{:<8}  {:<10}  {:>16}  {:>16}  {:>16}  {:>9}  {:>9}  {:>9}  {:>8}",
        "month",
        "as-of",
        format!("cost {currency}"),
        "savings",
        "cost to comply",
        "purchased",
        "assigned",
        "idle",
        "findings"
    );
    for month in &trend.months {
        let _ = writeln!(
            out,
            "{:<8}  {:<10}  {:>16}  {:>16}  {:>16}  {:>9}  {:>9}  {:>9}  {:>8}",
            month.month.to_string(),
            month.as_of.to_string(),
            month.monthly_cost.grouped(),
            month.monthly_savings.grouped(),
            month.monthly_cost_to_comply.grouped(),
            month.seats.purchased,
            month.seats.assigned,
            month.seats.idle,
            month.total_findings
        );
    }
    out
}

/// An amount with its sign: `+1,200.00`, `-80.00`, `0.00`.
pub fn signed(amount: Money) -> String {
    if amount.0 > 0 {
        format!("+{}", amount.grouped())
    } else {
        amount.grouped()
    }
}

fn who(user: Option<&str>, sku: &str) -> String {
    match user {
        Some(user) => format!("{} {}", shown(user), shown(sku)),
        None => shown(sku).into_owned(),
    }
}

pub fn diff(model: &HistoryDiff) -> String {
    let mut out = String::new();
    let currency = shown(&model.currency);
    let _ = writeln!(
        out,
        "What changed from {} (as of {}) to {} (as of {}), tenant {}",
        model.from.month,
        model.from.as_of,
        model.to.month,
        model.to.as_of,
        shown(&model.tenant_id)
    );
    for warning in &model.warnings {
        let _ = writeln!(out, "warning: {}", shown(warning));
    }
    let totals = &model.totals;
    let _ = writeln!(
        out,
        "\nfindings: {} new, {} resolved, {} persisting ({} then, {} now)",
        totals.new, totals.resolved, totals.persisting, model.from.findings, model.to.findings
    );
    for (kind, counts) in &totals.by_kind {
        if counts.new + counts.resolved + counts.persisting > 0 {
            let _ = writeln!(
                out,
                "  {:<22} {:>6} new  {:>6} resolved  {:>6} persisting",
                kind.as_str(),
                counts.new,
                counts.resolved,
                counts.persisting
            );
        }
    }
    let money = &model.money;
    let _ = writeln!(out, "\nmoney ({currency} a month):");
    for (label, change) in [
        ("cost", &money.monthly_cost),
        ("savings available", &money.monthly_savings),
        ("cost to comply", &money.monthly_cost_to_comply),
    ] {
        let _ = writeln!(
            out,
            "  {label:<18} {:>14} -> {:>14}  ({})",
            change.from.grouped(),
            change.to.grouped(),
            signed(change.change)
        );
    }
    let _ = writeln!(
        out,
        "  savings in new findings {}, in resolved findings {}",
        money.new_savings.grouped(),
        money.resolved_savings.grouped()
    );

    section(&mut out, "new findings", model.new.len(), |out, limit| {
        for finding in model.new.iter().take(limit) {
            let _ = writeln!(
                out,
                "  + {:<22} {}  {}",
                finding.kind.as_str(),
                who(
                    finding.user_principal_name.as_deref(),
                    &finding.sku_part_number
                ),
                finding.monthly_amount.grouped()
            );
        }
    });
    section(
        &mut out,
        "resolved findings",
        model.resolved.len(),
        |out, limit| {
            for resolved in model.resolved.iter().take(limit) {
                let finding = &resolved.finding;
                let _ = writeln!(
                    out,
                    "  - {:<22} {}  {}  ({}{})",
                    finding.kind.as_str(),
                    who(
                        finding.user_principal_name.as_deref(),
                        &finding.sku_part_number
                    ),
                    finding.monthly_amount.grouped(),
                    resolved.resolution.as_str(),
                    resolved
                        .now_kind
                        .map(|kind| format!(", now {}", kind.as_str()))
                        .unwrap_or_default()
                );
            }
        },
    );
    if !totals.resolved_by.is_empty() {
        let how: Vec<String> = totals
            .resolved_by
            .iter()
            .map(|(resolution, count): (&Resolution, &usize)| {
                format!("{} {count}", resolution.as_str())
            })
            .collect();
        let _ = writeln!(out, "  resolved by: {}", how.join(", "));
    }
    let mut oldest: Vec<_> = model.persisting.iter().collect();
    oldest.sort_by_key(|found| std::cmp::Reverse(found.age_months));
    section(
        &mut out,
        "persisting findings (oldest first)",
        oldest.len(),
        |out, limit| {
            for persisting in oldest.iter().take(limit) {
                let finding = &persisting.finding;
                let _ = writeln!(
                    out,
                    "  = {:<22} {}  {}  {} months",
                    finding.kind.as_str(),
                    who(
                        finding.user_principal_name.as_deref(),
                        &finding.sku_part_number
                    ),
                    finding.monthly_amount.grouped(),
                    persisting.age_months
                );
            }
        },
    );
    section(
        &mut out,
        "returned licenses (held again after a month without)",
        model.returned.len(),
        |out, limit| {
            for license in model.returned.iter().take(limit) {
                let _ = writeln!(
                    out,
                    "  {} {}  held until {}, absent from {}{}",
                    shown(&license.user_principal_name),
                    shown(&license.sku_part_number),
                    license.held_until,
                    license.absent_from,
                    if license.was_flagged {
                        ", reclaimed as flagged"
                    } else {
                        ""
                    }
                );
            }
        },
    );
    section(&mut out, "seats", model.seats.len(), |out, limit| {
        for seat in model.seats.iter().take(limit) {
            let _ = writeln!(
                out,
                "  {:<28} {:>7} -> {:>7}  ({:+})  cost {}",
                shown(&seat.sku_part_number),
                seat.from_seats,
                seat.to_seats,
                seat.change,
                signed(seat.monthly_cost_change)
            );
        }
    });
    let _ = writeln!(
        out,
        "  seats bought {}, seats cut {}",
        totals.seats_bought, totals.seats_cut
    );
    let cohorts = &model.cohorts;
    let counts = &cohorts.counts;
    let _ = writeln!(
        out,
        "\ncohorts of the {} paid-license holders of either month:",
        counts.holders
    );
    if cohorts.activity_known {
        let _ = writeln!(
            out,
            "  retained {}, reactivated {}, lapsed {}, reclaimed {}",
            counts.retained, counts.reactivated, counts.lapsed, counts.reclaimed
        );
    } else {
        let _ = writeln!(
            out,
            "  reclaimed {} (sign-in activity is missing from a month: retained, reactivated and lapsed are unknown)",
            counts.reclaimed
        );
    }
    out
}

fn section(out: &mut String, title: &str, count: usize, rows: impl FnOnce(&mut String, usize)) {
    let _ = writeln!(out, "\n{title}: {count}");
    rows(out, SHOWN_ROWS);
    if count > SHOWN_ROWS {
        let _ = writeln!(
            out,
            "  … and {} more (--json lists them all)",
            count - SHOWN_ROWS
        );
    }
}
