//! The page's history sections, shown when the report was given a history root: the trend of
//! the last recorded months (a line chart and its table) and what changed since the month
//! recorded before the as-of month. Both render the model's [`Trend`] and [`HistoryDiff`];
//! every count, total and change is theirs. Without history the page has neither section.
//!
//! [`Trend`]: crate::history::Trend
//! [`HistoryDiff`]: crate::history::HistoryDiff

use super::charts::{self, Axis, ChartError, Line, Series, TickFormat, palette};
use super::markup::{Cell, Column, Markup, coordinate, table};
use super::sections::{chart, figure, section_end, section_start};
use crate::history::render::signed;
use crate::report::ReportModel;

const COST: Series = Series {
    name: "Monthly cost",
    colour: palette::BLUE,
};
const SAVINGS: Series = Series {
    name: "Savings available",
    colour: palette::ORANGE,
};
const COMPLY: Series = Series {
    name: "Cost to comply",
    colour: palette::VERMILLION,
};

/// A count with its sign: `+3`, `-2`, `0`.
fn signed_count(value: i64) -> String {
    let text = super::markup::count(value);
    if value > 0 { format!("+{text}") } else { text }
}

/// The trend of the recorded months: a chart of cost, savings and cost to comply, and a
/// table of every month's figures.
pub fn trend(page: &mut Markup, model: &ReportModel) -> Result<(), ChartError> {
    let Some(trend) = &model.trend else {
        return Ok(());
    };
    let currency = &model.context.currency;
    section_start(page, "trend", "Trend");
    let Some(latest) = trend.latest() else {
        page.tag(
            "<p class=\"note\">The history holds no month up to this audit's month yet.</p>\n",
        );
        section_end(page);
        return Ok(());
    };
    page.tag("<p>")
        .text(&format!(
            "The last {} recorded month{} up to {}, as each month's audit found them.",
            trend.months.len(),
            if trend.months.len() == 1 { "" } else { "s" },
            latest.month
        ))
        .tag("</p>\n");
    // Twelve `YYYY-MM` labels do not fit side by side: the axis writes `Nov '26`.
    let labels: Vec<String> = trend
        .months
        .iter()
        .map(|month| {
            chrono::NaiveDate::from_ymd_opt(month.month.year, month.month.month, 1).map_or_else(
                || month.month.to_string(),
                |day| day.format("%b '%y").to_string(),
            )
        })
        .collect();
    let line = |series: Series, amount: &dyn Fn(&crate::history::trend::TrendMonth) -> f64| Line {
        series,
        values: trend.months.iter().map(amount).collect(),
    };
    let lines = [
        line(COST, &|month| coordinate(month.monthly_cost)),
        line(SAVINGS, &|month| coordinate(month.monthly_savings)),
        line(COMPLY, &|month| coordinate(month.monthly_cost_to_comply)),
    ];
    let axis = Axis {
        caption: format!("{currency} per month"),
        format: TickFormat::Grouped,
        reference: None,
    };
    let svg = charts::lines(
        "trend-chart",
        &format!(
            "Monthly cost, savings available and cost to comply in {currency}, for each recorded month from {} to {}",
            trend
                .months
                .first()
                .map_or(latest.month, |month| month.month),
            latest.month
        ),
        "month",
        &labels,
        &lines,
        &axis,
    )?;
    chart(
        page,
        "Cost, savings and cost to comply by month",
        svg,
        &[COST, SAVINGS, COMPLY],
        "One dot per recorded month.",
        "every recorded month's amounts are 0.",
    );
    table(
        page,
        "trend-table",
        &[
            Column::text("month"),
            Column::text("as of"),
            Column::number(format!("cost ({currency})")),
            Column::number(format!("savings ({currency})")),
            Column::number(format!("cost to comply ({currency})")),
            Column::number("seats purchased"),
            Column::number("seats assigned"),
            Column::number("seats idle"),
            Column::number("findings"),
        ],
        trend.months.iter().map(|month| {
            vec![
                Cell::text(month.month.to_string()),
                Cell::text(month.as_of.to_string()),
                Cell::money(month.monthly_cost),
                Cell::money(month.monthly_savings),
                Cell::money(month.monthly_cost_to_comply),
                Cell::count(month.seats.purchased),
                Cell::count(month.seats.assigned),
                Cell::count(month.seats.idle),
                Cell::count(i64::try_from(month.total_findings).unwrap_or(i64::MAX)),
            ]
        }),
        &[],
    );
    section_end(page);
    Ok(())
}

fn as_count(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// What changed since the month recorded before the as-of month: findings new, resolved and
/// persisting, how they were resolved, money, seats and the license holders' cohorts.
pub fn changes(page: &mut Markup, model: &ReportModel) {
    if model.trend.is_none() {
        return;
    }
    let Some(changes) = &model.changes else {
        section_start(page, "changes", "What changed");
        page.tag("<p class=\"note\">Nothing to compare: the history does not hold both this audit's month and a month recorded before it.</p>\n");
        section_end(page);
        return;
    };
    let currency = &model.context.currency;
    section_start(
        page,
        "changes",
        &format!("What changed since {}", changes.from.month),
    );
    page.tag("<p>")
        .text(&format!(
            "From {} (as of {}, {} findings) to {} (as of {}, {} findings).",
            changes.from.month,
            changes.from.as_of,
            super::markup::count(as_count(changes.from.findings)),
            changes.to.month,
            changes.to.as_of,
            super::markup::count(as_count(changes.to.findings)),
        ))
        .tag("</p>\n");
    for warning in &changes.warnings {
        page.element("<p class=\"note\">Note: ", warning, "</p>\n");
    }
    let totals = &changes.totals;
    page.tag("<div class=\"figures\">\n");
    for (label, name, value, unit) in [
        (
            "New findings",
            "changes-new",
            as_count(totals.new),
            "findings",
        ),
        (
            "Resolved findings",
            "changes-resolved",
            as_count(totals.resolved),
            "findings",
        ),
        (
            "Persisting findings",
            "changes-persisting",
            as_count(totals.persisting),
            "findings",
        ),
        (
            "Returned licenses",
            "changes-returned",
            as_count(totals.returned),
            "licenses held again",
        ),
        (
            "Seats bought",
            "changes-seats-bought",
            totals.seats_bought,
            "seats",
        ),
        ("Seats cut", "changes-seats-cut", totals.seats_cut, "seats"),
    ] {
        figure(page, "", label, name, &super::markup::count(value), unit);
    }
    page.tag("</div>\n");

    let money = &changes.money;
    page.element("<h3>", "Money", "</h3>\n");
    table(
        page,
        "changes-money-table",
        &[
            Column::text("a month"),
            Column::number(format!("{} ({currency})", changes.from.month)),
            Column::number(format!("{} ({currency})", changes.to.month)),
            Column::number(format!("change ({currency})")),
        ],
        [
            ("Monthly cost", &money.monthly_cost),
            ("Savings available", &money.monthly_savings),
            ("Cost to comply", &money.monthly_cost_to_comply),
        ]
        .into_iter()
        .map(|(label, change)| {
            vec![
                Cell::text(label),
                Cell::money(change.from),
                Cell::money(change.to),
                Cell::Number(signed(change.change)),
            ]
        }),
        &[],
    );
    page.tag("<p>")
        .text(&format!(
            "New findings bring {} {currency} a month of savings and {} {currency} of cost to comply; resolved ones took away {} {currency} of savings and {} {currency} of cost to comply.",
            money.new_savings.grouped(),
            money.new_cost_to_comply.grouped(),
            money.resolved_savings.grouped(),
            money.resolved_cost_to_comply.grouped(),
        ))
        .tag("</p>\n");

    page.element("<h3>", "Findings by kind", "</h3>\n");
    table(
        page,
        "changes-kind-table",
        &[
            Column::text("kind"),
            Column::number("new"),
            Column::number("resolved"),
            Column::number("persisting"),
        ],
        totals
            .by_kind
            .iter()
            .filter(|(_, counts)| counts.new + counts.resolved + counts.persisting > 0)
            .map(|(kind, counts)| {
                vec![
                    Cell::text(kind.as_str()),
                    Cell::count(as_count(counts.new)),
                    Cell::count(as_count(counts.resolved)),
                    Cell::count(as_count(counts.persisting)),
                ]
            }),
        &[vec![
            Cell::text("Total"),
            Cell::count(as_count(totals.new)),
            Cell::count(as_count(totals.resolved)),
            Cell::count(as_count(totals.persisting)),
        ]],
    );
    if !totals.resolved_by.is_empty() {
        page.element("<h3>", "How findings were resolved", "</h3>\n");
        table(
            page,
            "changes-resolved-table",
            &[Column::text("resolution"), Column::number("findings")],
            totals.resolved_by.iter().map(|(resolution, findings)| {
                vec![
                    Cell::text(resolution.as_str()),
                    Cell::count(as_count(*findings)),
                ]
            }),
            &[],
        );
    }
    if !changes.seats.is_empty() {
        page.element("<h3>", "Seats bought and cut", "</h3>\n");
        table(
            page,
            "changes-seats-table",
            &[
                Column::text("SKU"),
                Column::number(format!("seats {}", changes.from.month)),
                Column::number(format!("seats {}", changes.to.month)),
                Column::number("change"),
                Column::number(format!("cost change ({currency})")),
            ],
            changes.seats.iter().map(|seat| {
                vec![
                    Cell::text(seat.sku_part_number.clone()),
                    Cell::count(seat.from_seats),
                    Cell::count(seat.to_seats),
                    Cell::Number(signed_count(seat.change)),
                    Cell::Number(signed(seat.monthly_cost_change)),
                ]
            }),
            &[],
        );
    }
    let cohorts = &changes.cohorts;
    page.element("<h3>", "License holders", "</h3>\n");
    let known = |value: usize| {
        if cohorts.activity_known {
            Cell::count(as_count(value))
        } else {
            Cell::Unknown
        }
    };
    table(
        page,
        "changes-cohort-table",
        &[Column::text("users who"), Column::number("users")],
        [
            (
                "held a paid license in either month",
                Cell::count(as_count(cohorts.counts.holders)),
            ),
            ("were active in both months", known(cohorts.counts.retained)),
            (
                "were inactive holders and are active again",
                known(cohorts.counts.reactivated),
            ),
            (
                "were active and are inactive holders now",
                known(cohorts.counts.lapsed),
            ),
            (
                "lost a paid license",
                Cell::count(as_count(cohorts.counts.reclaimed)),
            ),
        ]
        .into_iter()
        .map(|(label, cell)| vec![Cell::text(label), cell]),
        &[],
    );
    section_end(page);
}
