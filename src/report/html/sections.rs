//! The page's sections, in reading order: the headline figures, cost and waste by SKU,
//! chargeback, idle seats, when savings can be banked (the renewal calendar), the largest
//! savings, unlicensed premium use and the Power Apps license mix (data quality and
//! method live beside). Each writes the model's figures; none adds anything up.

use super::TABLE_ROWS;
use super::charts::{self, Axis, Bar, ChartError, Series, Svg, TickFormat, palette};
use super::markup::{Cell, Column, Markup, coordinate, count, table};
use crate::analyze::rules::{inactive_holder, redundant_license, unused_premium};
use crate::analyze::{CoverOption, FindingKind};
use crate::money::Money;
use crate::report::figures::UNKNOWN;
use crate::report::model::{Since, SkuRow};
use crate::report::{Figure, ReportModel};

/// Bars a chart shows at most; the tables beside it hold every row.
const CHART_BARS: usize = 15;

pub(super) fn section_start(page: &mut Markup, id: &'static str, heading: &str) {
    page.tag("<section id=\"")
        .tag(id)
        .tag("\">\n")
        .element("<h2>", heading, "</h2>\n");
}

pub(super) fn section_end(page: &mut Markup) {
    page.tag("</section>\n");
}

/// One headline figure; `name` is its `data-figure` key.
pub(super) fn figure(
    page: &mut Markup,
    class: &'static str,
    label: &'static str,
    name: &'static str,
    value: &str,
    unit: &str,
) {
    page.tag("<div class=\"figure")
        .tag(class)
        .tag("\"><div class=\"label\">")
        .tag(label)
        .tag("</div><div class=\"value")
        .tag(if value == UNKNOWN { " unknown" } else { "" })
        .tag("\" data-figure=\"")
        .tag(name)
        .tag("\">")
        .text(value)
        .tag("</div><div class=\"unit\">")
        .text(unit)
        .tag("</div></div>\n");
}

fn figure_text(value: Figure<i64>) -> String {
    match value {
        Figure::Known(value) => count(value),
        Figure::Unknown => UNKNOWN.to_string(),
    }
}

/// "… and 12 more rows in the workbook".
fn more_rows(page: &mut Markup, shown: usize, total: usize, what: &str) {
    if total > shown {
        page.tag("<p class=\"note\">")
            .text(&format!(
                "Showing the first {} of {} {what}; the other {} are in the workbook (report.xlsx).",
                count(shown as i64),
                count(total as i64),
                count((total - shown) as i64)
            ))
            .tag("</p>\n");
    }
}

/// A chart in a `<figure>` with its heading, legend and caption, or a note when it has no data.
pub(super) fn chart(
    page: &mut Markup,
    heading: &str,
    svg: Option<Svg>,
    legend: &[Series],
    caption: &str,
    no_data: &str,
) {
    page.tag("<figure class=\"chart\">\n")
        .element("<h3>", heading, "</h3>\n");
    match svg {
        Some(svg) => {
            if legend.len() > 1 {
                page.tag("<ul class=\"legend\">");
                for series in legend {
                    page.tag("<li><span class=\"swatch\" style=\"background:")
                        .text(&palette::css(series.colour))
                        .tag("\"></span>")
                        .text(series.name)
                        .tag("</li>");
                }
                page.tag("</ul>\n");
            }
            page.svg(&svg).tag("\n");
            if !caption.is_empty() {
                page.element("<figcaption>", caption, "</figcaption>\n");
            }
        }
        None => {
            page.element("<p class=\"no-data\">No data: ", no_data, "</p>\n");
        }
    }
    page.tag("</figure>\n");
}

pub fn headline(page: &mut Markup, model: &ReportModel) {
    let headline = &model.headline;
    let currency = &model.context.currency;
    let per_month = format!("{currency} per month");
    let per_year = format!("{currency} per year");
    section_start(page, "headline", "Headline figures");
    page.tag("<div class=\"figures\">\n");
    let money = " money";
    figure(
        page,
        money,
        "Monthly cost",
        "monthly-cost",
        &headline.monthly_cost.grouped(),
        &per_month,
    );
    figure(
        page,
        money,
        "Yearly cost",
        "yearly-cost",
        &headline.yearly_cost.grouped(),
        &per_year,
    );
    figure(
        page,
        money,
        "Savings available",
        "monthly-savings",
        &headline.monthly_savings.grouped(),
        &per_month,
    );
    figure(
        page,
        money,
        "Savings available, yearly",
        "yearly-savings",
        &headline.yearly_savings.grouped(),
        &per_year,
    );
    figure(
        page,
        money,
        "Cost to comply",
        "monthly-cost-to-comply",
        &headline.monthly_cost_to_comply.grouped(),
        &per_month,
    );
    figure(
        page,
        money,
        "Cost to comply, yearly",
        "yearly-cost-to-comply",
        &headline.yearly_cost_to_comply.grouped(),
        &per_year,
    );
    figure(
        page,
        money,
        "Cost per licensed user",
        "cost-per-licensed-user",
        &headline
            .cost_per_licensed_user
            .map_or_else(|| "–".to_string(), Money::grouped),
        &format!(
            "{currency} per month, over {} licensed users",
            count(headline.licensed_users)
        ),
    );
    let seats = &headline.seats;
    figure(
        page,
        "",
        "Seats purchased",
        "seats-purchased",
        &count(seats.purchased),
        "paid seats of priced SKUs",
    );
    figure(
        page,
        "",
        "Seats assigned",
        "seats-assigned",
        &count(seats.assigned),
        "held by users",
    );
    figure(
        page,
        "",
        "Seats held by active users",
        "seats-active",
        &figure_text(seats.active),
        "signed in within the window",
    );
    figure(
        page,
        "",
        "Idle seats",
        "seats-idle",
        &count(seats.idle),
        "purchased, not assigned",
    );
    figure(
        page,
        "",
        "Users",
        "users",
        &count(headline.users),
        &format!("{} holding a license", count(headline.licensed_users)),
    );
    page.tag("</div>\n<h3>Findings by kind</h3>\n");
    let currency_column = format!("per month ({currency})");
    table(
        page,
        "findings-by-kind",
        &[
            Column::text("kind"),
            Column::number("findings"),
            Column::number(currency_column),
            Column::text(""),
        ],
        model.by_kind.iter().map(|total| {
            vec![
                Cell::text(total.kind.as_str()),
                Cell::count(total.count),
                Cell::money(total.monthly_amount),
                Cell::text(match total.kind {
                    FindingKind::MissingPremium => "cost to comply",
                    kind if kind.is_saving() => "saving",
                    kind if kind.is_license_change() => "saving by changing license",
                    _ => "",
                }),
            ]
        }),
        &[],
    );
    section_end(page);
}

fn sku_label(sku: &SkuRow) -> String {
    sku.display_name
        .clone()
        .unwrap_or_else(|| sku.part_number.clone())
}

pub fn skus(page: &mut Markup, model: &ReportModel) -> Result<(), ChartError> {
    let currency = &model.context.currency;
    section_start(page, "skus", "Cost and waste by SKU");
    // SKUs that cost something or hold waste; free SKUs have nothing to draw.
    let priced: Vec<&SkuRow> = model
        .skus
        .iter()
        .filter(|sku| sku.monthly_cost > Money::ZERO || sku.monthly_savings > Money::ZERO)
        .collect();
    let cost_series = [
        Series {
            name: "seats in use",
            colour: palette::BLUE,
        },
        Series {
            name: "idle seats",
            colour: palette::ORANGE,
        },
        Series {
            name: "inactive holders",
            colour: palette::VERMILLION,
        },
        Series {
            name: "unused premium",
            colour: palette::PURPLE,
        },
        Series {
            name: "redundant licenses",
            colour: palette::YELLOW,
        },
    ];
    let bars: Vec<Bar> = priced
        .iter()
        .take(CHART_BARS)
        .map(|sku| Bar {
            label: sku_label(sku),
            values: vec![
                coordinate(sku.in_use_amount),
                coordinate(sku.idle_amount),
                coordinate(sku.inactive_holder_amount),
                coordinate(sku.unused_premium_amount),
                coordinate(sku.redundant_amount),
            ],
        })
        .collect();
    let largest = priced
        .first()
        .map(|sku| {
            format!(
                " The largest is {}: {} {currency} a month, {} of it could be saved.",
                sku_label(sku),
                sku.monthly_cost.grouped(),
                sku.monthly_savings.grouped()
            )
        })
        .unwrap_or_default();
    let svg = charts::horizontal_bars(
        "chart-cost-by-sku",
        &format!(
            "Monthly cost by SKU in {currency}, each bar split into seats in use, idle seats, inactive holders, unused premium licenses and redundant licenses.{largest}"
        ),
        &bars,
        &cost_series,
        &Axis {
            caption: format!("{currency} per month"),
            format: TickFormat::Grouped,
            reference: None,
        },
    )?;
    chart(
        page,
        "Monthly cost by SKU",
        svg,
        &cost_series,
        &chart_note(priced.len(), "SKUs"),
        "no SKU the tenant pays for has a price",
    );

    let paid: Vec<&SkuRow> = priced
        .iter()
        .copied()
        .filter(|sku| sku.purchased_seats > 0)
        .collect();
    let utilisation_series = [Series {
        name: "assigned / purchased",
        colour: palette::GREEN,
    }];
    let bars: Vec<Bar> = paid
        .iter()
        .take(CHART_BARS)
        .map(|sku| Bar {
            label: sku_label(sku),
            // Tenths of a percent to a percent coordinate.
            values: vec![sku.utilisation.map_or(0.0, |share| share.0 as f64 / 10.0)],
        })
        .collect();
    let svg = charts::horizontal_bars(
        "chart-utilisation",
        "Utilisation by SKU: assigned seats as a share of purchased seats, with a line at 100 %.",
        &bars,
        &utilisation_series,
        &Axis {
            caption: "seats assigned, % of purchased".to_string(),
            format: TickFormat::Percent,
            reference: Some(100.0),
        },
    )?;
    chart(
        page,
        "Utilisation by SKU",
        svg,
        &utilisation_series,
        &chart_note(paid.len(), "SKUs"),
        "no SKU with purchased seats has a price",
    );

    page.tag("<h3>Every SKU</h3>\n");
    let shown = model.skus.len().min(TABLE_ROWS);
    table(
        page,
        "sku-table",
        &[
            Column::text("SKU"),
            Column::number(format!("price ({currency})")),
            Column::number("purchased"),
            Column::number("assigned"),
            Column::number("utilisation"),
            Column::number("active holders"),
            Column::number("idle"),
            Column::number(format!("cost / month ({currency})")),
            Column::number(format!("could save ({currency})")),
        ],
        model.skus.iter().take(shown).map(|sku| {
            let status = match &sku.capability_status {
                Some(status) if !sku.paid => format!("{status}, not paid"),
                Some(status) if status != "Enabled" => status.clone(),
                _ => String::new(),
            };
            let second = if status.is_empty() {
                sku.part_number.clone()
            } else {
                format!("{} ({status})", sku.part_number)
            };
            vec![
                Cell::TwoLines(sku_label(sku), second),
                sku.monthly_price
                    .map_or_else(|| Cell::text("unpriced"), Cell::money),
                Cell::count(sku.purchased_seats),
                Cell::count(sku.assigned_seats),
                sku.utilisation
                    .map_or(Cell::Empty, |share| Cell::Number(share.to_string())),
                Cell::figure(sku.active_holders),
                Cell::count(sku.idle_seats),
                Cell::money(sku.monthly_cost),
                Cell::money(sku.monthly_savings),
            ]
        }),
        &[],
    );
    more_rows(page, shown, model.skus.len(), "SKUs");
    section_end(page);
    Ok(())
}

/// "The 15 largest of 40 SKUs; the table below lists all." when a chart is cut.
fn chart_note(total: usize, what: &str) -> String {
    if total > CHART_BARS {
        format!("The {CHART_BARS} largest of {total} {what}; the table lists every one.")
    } else {
        String::new()
    }
}

pub fn chargeback(page: &mut Markup, model: &ReportModel) -> Result<(), ChartError> {
    let currency = &model.context.currency;
    let breakdown = &model.by_attribute;
    let label = breakdown.attribute.label();
    section_start(page, "chargeback", &format!("Chargeback by {label}"));
    page.tag("<p>Each ")
        .text(label)
        .tag(" is charged the prices of the paid licenses its members hold. Users without a ")
        .text(label)
        .tag(" are in <em>Unassigned</em>. Idle seats belong to no one: they are tenant overhead, so the groups and the overhead add up to the monthly cost.</p>\n");

    let idle = model
        .by_kind
        .iter()
        .find(|total| total.kind == FindingKind::IdleSeats)
        .map_or(Money::ZERO, |total| total.monthly_amount);
    let waste_series = [
        Series {
            name: "members' licenses (inactive holders, unused premium, redundant)",
            colour: palette::VERMILLION,
        },
        Series {
            name: "idle seats (tenant overhead)",
            colour: palette::ORANGE,
        },
    ];
    let mut bars: Vec<Bar> = model
        .savings_by_group
        .iter()
        .take(CHART_BARS)
        .map(|row| Bar {
            label: row.name.clone(),
            values: vec![coordinate(row.monthly_amount), 0.0],
        })
        .collect();
    if idle > Money::ZERO {
        bars.push(Bar {
            label: "Tenant overhead".to_string(),
            values: vec![0.0, coordinate(idle)],
        });
    }
    let largest = model
        .savings_by_group
        .first()
        .map(|row| {
            format!(
                " The largest is {}: {} {currency} a month.",
                row.name,
                row.monthly_amount.grouped()
            )
        })
        .unwrap_or_default();
    let svg = charts::horizontal_bars(
        "chart-waste-by-group",
        &format!(
            "Savings available by {label} in {currency} per month, and the idle seats no {label} holds ({} {currency}).{largest}",
            idle.grouped()
        ),
        &bars,
        &waste_series,
        &Axis {
            caption: format!("{currency} per month"),
            format: TickFormat::Grouped,
            reference: None,
        },
    )?;
    chart(
        page,
        &format!("Waste by {label}"),
        svg,
        &waste_series,
        &chart_note(model.savings_by_group.len(), "groups"),
        "no license is wasted",
    );

    page.element("<h3>Chargeback by ", label, "</h3>\n");
    let shown = breakdown.groups.len().min(TABLE_ROWS);
    let mut heading = label.to_string();
    if let Some(first) = heading.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    table(
        page,
        "chargeback-table",
        &[
            Column::text(heading),
            Column::number("users"),
            Column::number("licensed"),
            Column::number("active"),
            Column::number("paid licenses"),
            Column::number(format!("chargeback / month ({currency})")),
            Column::number(format!("could save ({currency})")),
            Column::number(format!("cost to comply ({currency})")),
        ],
        breakdown.groups.iter().take(shown).map(|group| {
            vec![
                Cell::text(group.name.as_str()),
                Cell::count(group.users),
                Cell::count(group.licensed_users),
                Cell::figure(group.active_users),
                Cell::count(group.licenses),
                Cell::money(group.license_cost),
                Cell::money(group.savings),
                Cell::money(group.cost_to_comply),
            ]
        }),
        &[
            vec![
                Cell::text("Tenant overhead (idle seats)"),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::money(breakdown.overhead),
                Cell::Empty,
                Cell::Empty,
            ],
            vec![
                Cell::text("Monthly cost"),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::money(breakdown.total),
                Cell::Empty,
                Cell::Empty,
            ],
        ],
    );
    more_rows(page, shown, breakdown.groups.len(), "groups");
    section_end(page);
    Ok(())
}

pub fn idle_seats(page: &mut Markup, model: &ReportModel) {
    let currency = &model.context.currency;
    section_start(page, "idle-seats", "Idle seats");
    if model.idle_seats.is_empty() {
        page.tag("<p>No paid seat is idle: every priced SKU's purchased seats are assigned.</p>\n");
        section_end(page);
        return;
    }
    page.tag("<p>Seats bought and assigned to no one. Lowering the subscription's quantity at its next renewal saves them.</p>\n");
    let shown = model.idle_seats.len().min(TABLE_ROWS);
    table(
        page,
        "idle-seat-table",
        &[
            Column::text("SKU"),
            Column::number("purchased"),
            Column::number("assigned"),
            Column::number("idle"),
            Column::number(format!("price ({currency})")),
            Column::number(format!("per month ({currency})")),
        ],
        model.idle_seats.iter().take(shown).map(|row| {
            let name = row
                .sku_display_name
                .clone()
                .unwrap_or_else(|| row.sku_part_number.clone());
            let second = match &row.capability_status {
                Some(status) if status != "Enabled" => {
                    format!("{} ({status})", row.sku_part_number)
                }
                _ => row.sku_part_number.clone(),
            };
            vec![
                Cell::TwoLines(name, second),
                Cell::count(row.purchased_seats),
                Cell::count(row.assigned_seats),
                Cell::count(row.idle_seats),
                row.monthly_price
                    .map_or_else(|| Cell::text("unpriced"), Cell::money),
                Cell::money(row.monthly_amount),
            ]
        }),
        &[],
    );
    more_rows(page, shown, model.idle_seats.len(), "SKUs with idle seats");
    section_end(page);
}

/// When the savings can be banked: seats free at once, and the money by renewal date.
pub fn renewals(page: &mut Markup, model: &ReportModel) {
    let timing = &model.savings_timing;
    if timing.by_date.is_empty() {
        return;
    }
    let currency = &model.context.currency;
    section_start(page, "renewals", "When the savings can be banked");
    page.tag("<p>")
        .text(&format!(
            "{} {currency} a month of the savings are licenses taken back from users: those seats can go to the next hire at once instead of a purchase. ",
            timing.reassignable_now.grouped()
        ));
    if timing.subscriptions_known {
        page.text("As money, a saving counts only once its subscription's seats can drop: at renewal, or within 7 days of a purchase or renewal (new-commerce rules).");
    } else {
        page.text("The snapshot holds no subscriptions (Graph's directory/subscriptions), so when seats can drop is unknown.");
    }
    page.tag("</p>\n");
    table(
        page,
        "savings-by-date-table",
        &[
            Column::text("seats can drop on"),
            Column::number("findings"),
            Column::number(format!("per month ({currency})")),
            Column::number(format!("per year ({currency})")),
        ],
        timing.by_date.iter().map(|saving| {
            vec![
                Cell::text(saving.reducible_on.to_string()),
                Cell::count(saving.findings),
                Cell::money(saving.monthly_amount),
                Cell::money(saving.yearly_amount),
            ]
        }),
        &[],
    );
    if !timing.calendar.is_empty() {
        page.element("<h3>", "Renewal calendar", "</h3>\n");
        page.element("<p>", crate::report::model::CALENDAR_NOTE, "</p>\n");
        let shown = timing.calendar.len().min(TABLE_ROWS);
        table(
            page,
            "renewal-table",
            &[
                Column::text("date"),
                Column::text("SKU"),
                Column::text("subscription"),
                Column::text("term"),
                Column::number("seats"),
                Column::number("seats to cut"),
                Column::number(format!("per year ({currency})")),
            ],
            timing.calendar.iter().take(shown).map(|cut| {
                vec![
                    Cell::text(cut.reducible_on.to_string()),
                    Cell::text(cut.sku_part_number.clone()),
                    Cell::text(
                        cut.commerce_subscription_id
                            .clone()
                            .unwrap_or_else(|| cut.subscription_id.clone()),
                    ),
                    Cell::text(cut.term.map_or("unknown", |term| term.as_str())),
                    Cell::count(cut.total_licenses),
                    Cell::count(cut.seats_to_cut),
                    Cell::money(cut.yearly_saving),
                ]
            }),
            &[],
        );
        more_rows(page, shown, timing.calendar.len(), "subscriptions");
    }
    section_end(page);
}

/// Why a saving is one, in words.
fn why(kind: FindingKind, reason: Option<&str>) -> String {
    match (kind, reason) {
        (FindingKind::IdleSeats, _) => "purchased, not assigned".to_string(),
        (_, Some(inactive_holder::DISABLED)) => "account disabled".to_string(),
        (_, Some(inactive_holder::NEVER_SIGNED_IN)) => "never signed in".to_string(),
        (_, Some(inactive_holder::INACTIVE)) => "no sign-in in the window".to_string(),
        (_, Some(unused_premium::NO_PREMIUM_USE)) => {
            "no premium app opened in the window".to_string()
        }
        (_, Some(redundant_license::COVERED_BY_HELD_LICENSE)) => {
            "another license the user holds grants it all".to_string()
        }
        (_, Some(other)) => other.to_string(),
        (_, None) => String::new(),
    }
}

fn since_cell(kind: FindingKind, since: Since) -> Cell {
    match since {
        Since::Date(day) => Cell::Number(day.to_string()),
        Since::Never if kind == FindingKind::UnusedPremium => Cell::text("no premium use seen"),
        Since::Never => Cell::text("never signed in"),
        Since::Unknown => Cell::Unknown,
    }
}

pub fn top_savings(page: &mut Markup, model: &ReportModel) {
    let currency = &model.context.currency;
    let label = model.by_attribute.attribute.label();
    section_start(page, "top-savings", "Largest savings");
    if model.top_savings.is_empty() {
        page.tag("<p>No savings were found.</p>\n");
        section_end(page);
        return;
    }
    page.tag("<p>The ")
        .text(&count(model.top_savings.len() as i64))
        .tag(" largest savings: who holds what, why it is waste, and since when (the last sign-in, or the last premium app launch).</p>\n");
    table(
        page,
        "top-savings-table",
        &[
            Column::number("#"),
            Column::text("who"),
            Column::text(label),
            Column::text("what"),
            Column::text("why"),
            Column::number("since"),
            Column::number(format!("per month ({currency})")),
        ],
        model.top_savings.iter().enumerate().map(|(index, saving)| {
            let who = match (
                &saving.user_display_name,
                &saving.user_principal_name,
                saving.seats,
            ) {
                (Some(name), Some(upn), _) => Cell::TwoLines(name.clone(), upn.clone()),
                (None, Some(upn), _) => Cell::text(upn.as_str()),
                (_, None, Some(seats)) => Cell::text(format!("{} idle seats", count(seats))),
                _ => Cell::Empty,
            };
            vec![
                Cell::count(index as i64 + 1),
                who,
                Cell::optional(saving.group.as_deref()),
                Cell::text(saving.sku_part_number.as_str()),
                Cell::text(why(saving.kind, saving.reason.as_deref())),
                since_cell(saving.kind, saving.since),
                Cell::money(saving.monthly_amount),
            ]
        }),
        &[],
    );
    section_end(page);
}

pub fn unlicensed(page: &mut Markup, model: &ReportModel) -> Result<(), ChartError> {
    let currency = &model.context.currency;
    let premium = &model.premium_use;
    let label = model.by_attribute.attribute.label();
    section_start(page, "unlicensed", "Unlicensed premium use");
    if !premium.known {
        page.tag("<p class=\"no-data\">");
        match model.quality.analysis.premium_use_unknown_because {
            Some(reason) => page.text(&format!("Premium use is unknown: {reason}.")),
            None => page.text("Premium use is unknown."),
        };
        page.tag(" Launches that were seen are shown; users with no launch may still use premium apps.</p>\n");
    }
    page.tag("<div class=\"figures\">\n");
    figure(
        page,
        "",
        "Users of premium apps",
        "premium-users",
        &count(premium.users),
        "opened one in the window",
    );
    figure(
        page,
        "",
        "Without a premium license",
        "unlicensed-users",
        &count(premium.unlicensed_users),
        &format!("{} with one", count(premium.licensed_users)),
    );
    figure(
        page,
        " money",
        "Cost to comply",
        "premium-cost-to-comply",
        &premium.monthly_cost_to_comply.grouped(),
        &format!("{currency} per month"),
    );
    figure(
        page,
        "",
        "Premium holders using premium apps",
        "premium-holders-using",
        &figure_text(premium.premium_holders_using),
        &format!("of {} paid premium holders", count(premium.premium_holders)),
    );
    page.tag("</div>\n");

    let week_series = [
        Series {
            name: "users with a premium license",
            colour: palette::BLUE,
        },
        Series {
            name: "users without one",
            colour: palette::VERMILLION,
        },
        Series {
            name: "users not in the directory",
            colour: palette::SKY_BLUE,
        },
    ];
    let weeks = &premium.launches_by_week;
    let bars: Vec<Bar> = weeks
        .iter()
        .map(|week| Bar {
            label: week.week_start.format("%b %d").to_string(),
            values: vec![
                week.licensed as f64,
                week.unlicensed as f64,
                week.outside_directory as f64,
            ],
        })
        .collect();
    let span = match (weeks.first(), weeks.last()) {
        (Some(first), Some(last)) => format!(
            "the {} weeks starting {} to {}",
            weeks.len(),
            first.week_start,
            last.week_start
        ),
        _ => "the window".to_string(),
    };
    let svg = charts::vertical_bars(
        "chart-launches-by-week",
        &format!(
            "Premium-app launches per week (Monday to Sunday, UTC) over {span}, stacked by users with a premium license, users without one and users not in the directory. The first and last weeks may be partly outside the window."
        ),
        "week starting (Monday, UTC)",
        &bars,
        &week_series,
        &Axis {
            caption: "launches".to_string(),
            format: TickFormat::Grouped,
            reference: None,
        },
    )?;
    chart(
        page,
        "Premium-app launches per week",
        svg,
        &week_series,
        "Only the days inside the window are counted: the first and last weeks may be short.",
        if premium.known {
            "no premium app was launched in the window"
        } else {
            "no launch of an app known to be premium was seen (premium use is unknown)"
        },
    );

    let apps_series = [
        Series {
            name: "with a premium license",
            colour: palette::BLUE,
        },
        Series {
            name: "without one",
            colour: palette::VERMILLION,
        },
    ];
    let bars: Vec<Bar> = premium
        .by_apps_used
        .iter()
        .map(|row| Bar {
            label: count(row.apps),
            values: vec![row.licensed as f64, row.unlicensed as f64],
        })
        .collect();
    let svg = charts::vertical_bars(
        "chart-users-by-apps",
        "Users by the number of premium apps they opened in the window, stacked by users with a premium license and users without one.",
        "premium apps opened in the window",
        &bars,
        &apps_series,
        &Axis {
            caption: "users".to_string(),
            format: TickFormat::Grouped,
            reference: None,
        },
    )?;
    chart(
        page,
        "Users by number of premium apps used",
        svg,
        &apps_series,
        "",
        if premium.known {
            "no directory user opened a premium app in the window"
        } else {
            "no directory user was seen opening an app known to be premium (premium use is unknown)"
        },
    );

    if !model.unlicensed_by_group.is_empty() {
        page.element("<h3>Cost to comply by ", label, "</h3>\n");
        let shown = model.unlicensed_by_group.len().min(TABLE_ROWS);
        table(
            page,
            "unlicensed-by-group-table",
            &[
                Column::text(label),
                Column::number("users"),
                Column::number(format!("per month ({currency})")),
            ],
            model.unlicensed_by_group.iter().take(shown).map(|row| {
                vec![
                    Cell::text(row.name.as_str()),
                    Cell::count(row.findings),
                    Cell::money(row.monthly_amount),
                ]
            }),
            &[],
        );
        more_rows(page, shown, model.unlicensed_by_group.len(), "groups");
    }

    let users = &premium.unlicensed_use;
    if users.is_empty() {
        page.tag("<p>No directory user opened a premium app without a premium license.</p>\n");
    } else {
        page.tag("<h3>Users without a premium license</h3>\n");
        let shown = users.len().min(TABLE_ROWS);
        table(
            page,
            "unlicensed-users-table",
            &[
                Column::text("who"),
                Column::text(label),
                Column::number("premium apps"),
                Column::number("last use"),
                Column::text("license to cover it"),
                Column::number(format!("per month ({currency})")),
            ],
            users.iter().take(shown).map(|user| {
                let who = match (&user.user_display_name, &user.user_principal_name) {
                    (Some(name), Some(upn)) => Cell::TwoLines(name.clone(), upn.clone()),
                    (None, Some(upn)) => Cell::text(upn.as_str()),
                    (Some(name), None) => Cell::text(name.as_str()),
                    (None, None) => Cell::Empty,
                };
                vec![
                    who,
                    Cell::text(user.group.as_str()),
                    user.premium_apps_used.map_or(Cell::Unknown, Cell::count),
                    user.last_premium_use
                        .map_or(Cell::Unknown, |day| Cell::Number(day.to_string())),
                    Cell::text(user.sku_part_number.as_str()),
                    Cell::money(user.monthly_amount),
                ]
            }),
            &[],
        );
        more_rows(page, shown, users.len(), "users");
    }
    section_end(page);
    Ok(())
}

/// The tenant's Power Apps license mix (SPEC §8): a short table of the options, and the costs
/// today and on the cheapest mix, as the model holds them.
pub fn license_mix(page: &mut Markup, model: &ReportModel) {
    let currency = &model.context.currency;
    section_start(page, "license-mix", "Power Apps license mix");
    let Some(mix) = &model.license_mix else {
        page.tag("<p>Not assessed: premium use or sign-in activity is unknown, no calendar month lies wholly inside the window, or the price book has no Power Apps Premium price.</p>\n");
        section_end(page);
        return;
    };
    page.tag("<p>")
        .text(&format!(
            "Premium use of {} users ({} holding Power Apps Premium, {} without a premium license) over the calendar months wholly inside the window ({}), priced each way the price book allows; the cheapest for each user wins, a tie keeps per user.",
            count(mix.users as i64),
            count(mix.holders as i64),
            count(mix.unlicensed as i64),
            mix.months.join(", ")
        ))
        .tag("</p>\n");
    table(
        page,
        "license-mix-table",
        &[
            Column::text("option"),
            Column::number(format!("price ({currency})")),
            Column::number("users on the cheapest mix"),
            Column::number(format!("per month ({currency})")),
        ],
        mix.by_option.iter().filter_map(|row| {
            let price = mix.prices.iter().find(|price| price.option == row.option)?;
            let tier = if price.min_seats > 0 {
                format!(", {}-seat tier", count(price.min_seats))
            } else {
                String::new()
            };
            Some(vec![
                Cell::TwoLines(
                    row.option.label().to_string(),
                    format!("{}, {}{tier}", price.part_number, row.option.unit()),
                ),
                Cell::money(price.monthly_price),
                Cell::count(row.users as i64),
                Cell::money(row.monthly_cost),
            ])
        }),
        &[
            vec![
                Cell::text("Cheapest mix"),
                Cell::Empty,
                Cell::count(mix.users as i64),
                Cell::money(mix.cost_cheapest_mix),
            ],
            vec![
                Cell::text("Everyone on per user"),
                Cell::Empty,
                Cell::count(mix.users as i64),
                Cell::money(mix.cost_all_per_user),
            ],
            vec![
                Cell::text("Today (the holders' per-user licenses)"),
                Cell::Empty,
                Cell::count(mix.holders as i64),
                Cell::money(mix.cost_today),
            ],
        ],
    );
    let mut notes = vec![format!(
        "{} users are within 10 % of a break-even: a little more or less use would change their cheapest option.",
        count(mix.near_break_even as i64)
    )];
    if mix.without_use_in_months > 0 {
        notes.push(format!(
            "{} users are left out: none of their premium launches falls in those months.",
            count(mix.without_use_in_months as i64)
        ));
    }
    for option in CoverOption::ALL {
        if !mix.prices.iter().any(|price| price.option == option) {
            notes.push(format!(
                "Not considered: {}, as {}.",
                option.label(),
                option.not_considered_because()
            ));
        }
    }
    for note in notes {
        page.element("<p class=\"note\">", &note, "</p>\n");
    }
    section_end(page);
}
