//! The model's small sheets: Summary, By SKU, Chargeback, Idle seats, Renewals, Trend and
//! What changed. Each writes the model's rows and, where a table has a total, the model's own
//! total (never a sum taken here and never a formula).

use super::SheetName;
use super::cells::SheetWriter;
use super::{Problem, cells::Formats};
use crate::analyze::FindingKind;
use crate::money::Money;
use crate::output::summary_md::kind_meaning;
use crate::report::model::{KindTotal, ReportModel};
use chrono::NaiveDate;
use rust_xlsxwriter::{ColNum, Worksheet};

/// `Per month (USD)`.
pub fn per_month(model: &ReportModel) -> String {
    format!("Per month ({})", model.context.currency)
}

fn per_year(model: &ReportModel) -> String {
    format!("Per year ({})", model.context.currency)
}

/// `cost center` → `Cost center`, for a header.
pub fn capitalised(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

/// The value of a Summary row.
enum Value {
    Count(i64),
    Unknown,
    Text(String),
    Date(NaiveDate),
    Moment(i64),
    Empty,
}

/// One row of the Summary sheet.
struct SummaryRow {
    section: &'static str,
    figure: String,
    value: Value,
    monthly: Option<Money>,
    yearly: Option<Money>,
}

impl SummaryRow {
    fn value(section: &'static str, figure: impl Into<String>, value: Value) -> SummaryRow {
        SummaryRow {
            section,
            figure: figure.into(),
            value,
            monthly: None,
            yearly: None,
        }
    }

    fn money(
        section: &'static str,
        figure: impl Into<String>,
        monthly: Money,
        yearly: Option<Money>,
    ) -> SummaryRow {
        SummaryRow {
            section,
            figure: figure.into(),
            value: Value::Empty,
            monthly: Some(monthly),
            yearly,
        }
    }
}

fn count_or_unknown(figure: crate::report::Figure<i64>) -> Value {
    figure.known().map_or(Value::Unknown, Value::Count)
}

/// How the price book was made, as summary.md says it.
fn price_book_text(model: &ReportModel) -> String {
    let book = &model.context.price_book;
    let source = if book.bundled_replaced {
        format!(
            ", replaced by the snapshot's {} prices (another currency)",
            book.snapshot_entries
        )
    } else if book.snapshot_entries > 0 {
        format!(
            ", {} overridden by the snapshot's prices.csv",
            book.snapshot_entries
        )
    } else {
        String::new()
    };
    format!("{} bundled list prices{source}", book.bundled_entries)
}

fn summary_rows(model: &ReportModel) -> Vec<SummaryRow> {
    let headline = &model.headline;
    let seats = &headline.seats;
    let premium = &model.premium_use;
    let context = &model.context;
    let window = &context.window;
    let mut rows = vec![
        SummaryRow::money(
            "Money",
            "What the tenant pays for its purchased seats",
            headline.monthly_cost,
            Some(headline.yearly_cost),
        ),
        SummaryRow::money(
            "Money",
            "Could be saved (inactive holders, unused premium, redundant licenses, idle seats)",
            headline.monthly_savings,
            Some(headline.yearly_savings),
        ),
        SummaryRow::money(
            "Money",
            "Would cost to license unlicensed premium use",
            headline.monthly_cost_to_comply,
            Some(headline.yearly_cost_to_comply),
        ),
        match headline.cost_per_licensed_user {
            Some(per_user) => SummaryRow::money("Money", "Cost per licensed user", per_user, None),
            None => SummaryRow::value(
                "Money",
                "Cost per licensed user",
                Value::Text("no licensed users".into()),
            ),
        },
        SummaryRow::value("Users", "Users", Value::Count(headline.users)),
        SummaryRow::value(
            "Users",
            "Holding at least one license",
            Value::Count(headline.licensed_users),
        ),
        SummaryRow::value(
            "Seats",
            "Purchased (priced SKUs the tenant pays for)",
            Value::Count(seats.purchased),
        ),
        SummaryRow::value("Seats", "Assigned", Value::Count(seats.assigned)),
        SummaryRow::value(
            "Seats",
            "Held by users active in the window",
            count_or_unknown(seats.active),
        ),
        SummaryRow::value(
            "Seats",
            "Idle (purchased, not assigned)",
            Value::Count(seats.idle),
        ),
    ];
    rows.extend(model.by_kind.iter().map(|total: &KindTotal| SummaryRow {
        section: "Findings",
        figure: format!("{}: {}", total.kind, kind_meaning(total.kind)),
        value: Value::Count(total.count),
        monthly: Some(total.monthly_amount),
        yearly: None,
    }));
    rows.extend([
        SummaryRow::value(
            "Premium use",
            "Users who opened premium apps in the window",
            Value::Count(premium.users),
        ),
        SummaryRow::value(
            "Premium use",
            "Of those, with a premium license",
            Value::Count(premium.licensed_users),
        ),
        SummaryRow::value(
            "Premium use",
            "Of those, without a premium license",
            Value::Count(premium.unlicensed_users),
        ),
        SummaryRow::value(
            "Premium use",
            "Users holding a premium license the tenant pays for",
            Value::Count(premium.premium_holders),
        ),
        SummaryRow::value(
            "Premium use",
            "Of those, who opened a premium app in the window",
            count_or_unknown(premium.premium_holders_using),
        ),
    ]);
    rows.extend(license_mix_rows(model));
    rows.extend([
        SummaryRow::value("Method", "As-of date", Value::Date(window.as_of)),
        SummaryRow::value(
            "Method",
            "As-of date chosen from",
            Value::Text(context.as_of_source.describe().into()),
        ),
        SummaryRow::value(
            "Method",
            "Activity window (days)",
            Value::Count(i64::from(window.days)),
        ),
        SummaryRow::value(
            "Method",
            "Window's first day",
            Value::Date(window.first_day()),
        ),
        SummaryRow::value("Method", "Window's last day", Value::Date(window.as_of)),
        SummaryRow::value("Method", "Currency", Value::Text(context.currency.clone())),
        SummaryRow::value("Method", "Price book", Value::Text(price_book_text(model))),
        SummaryRow::value(
            "Method",
            "Snapshot",
            Value::Text(context.snapshot_path.clone()),
        ),
        SummaryRow::value(
            "Method",
            "Tenant id",
            context
                .tenant_id
                .clone()
                .map_or(Value::Text("not stated".into()), Value::Text),
        ),
        SummaryRow::value(
            "Method",
            "Snapshot collected at (UTC)",
            context
                .collected_at
                .map_or(Value::Text("not stated".into()), Value::Moment),
        ),
        SummaryRow::value(
            "Method",
            "Chargeback attribute",
            Value::Text(model.by_attribute.attribute.graph_name().into()),
        ),
        SummaryRow::value(
            "Method",
            "Written by",
            Value::Text(format!("seatwise {}", env!("CARGO_PKG_VERSION"))),
        ),
    ]);
    rows
}

/// The Power Apps license mix block of the Summary sheet (SPEC §8), as the model holds it.
fn license_mix_rows(model: &ReportModel) -> Vec<SummaryRow> {
    const SECTION: &str = "Power Apps license mix";
    let Some(mix) = &model.license_mix else {
        return vec![SummaryRow::value(
            SECTION,
            "Assessed",
            Value::Text(
                "no: premium use or sign-in activity is unknown, no calendar month lies wholly inside the window, or the price book has no Power Apps Premium price"
                    .into(),
            ),
        )];
    };
    let as_count = |value: usize| Value::Count(i64::try_from(value).unwrap_or(i64::MAX));
    let mut rows = vec![
        SummaryRow::value(
            SECTION,
            "Calendar months counted",
            Value::Text(mix.months.join(", ")),
        ),
        SummaryRow::value(SECTION, "Premium users priced", as_count(mix.users)),
        SummaryRow::value(
            SECTION,
            "Of those, holding Power Apps Premium",
            as_count(mix.holders),
        ),
        SummaryRow::value(
            SECTION,
            "Of those, without a premium license",
            as_count(mix.unlicensed),
        ),
    ];
    for price in &mix.prices {
        let tier = if price.min_seats > 0 {
            format!(", {}-seat tier", price.min_seats)
        } else {
            String::new()
        };
        rows.push(SummaryRow::money(
            SECTION,
            format!(
                "Price: {} ({}, {}{tier})",
                price.option.label(),
                price.part_number,
                price.option.unit()
            ),
            price.monthly_price,
            None,
        ));
    }
    for row in &mix.by_option {
        rows.push(SummaryRow {
            section: SECTION,
            figure: format!("Cheapest mix: users on {}", row.option.label()),
            value: as_count(row.users),
            monthly: Some(row.monthly_cost),
            yearly: None,
        });
    }
    rows.extend([
        SummaryRow::money(
            SECTION,
            "Today: the holders' per-user licenses",
            mix.cost_today,
            None,
        ),
        SummaryRow::money(
            SECTION,
            "Every priced user on per user",
            mix.cost_all_per_user,
            None,
        ),
        SummaryRow::money(SECTION, "The cheapest mix", mix.cost_cheapest_mix, None),
        SummaryRow::value(
            SECTION,
            "Users within 10 % of a break-even",
            as_count(mix.near_break_even),
        ),
        SummaryRow::value(
            SECTION,
            "Users without premium use in those months (left out)",
            as_count(mix.without_use_in_months),
        ),
    ]);
    for option in crate::analyze::CoverOption::ALL {
        if !mix.prices.iter().any(|price| price.option == option) {
            rows.push(SummaryRow::value(
                SECTION,
                format!("Not considered: {}", option.label()),
                Value::Text(option.not_considered_because().into()),
            ));
        }
    }
    rows
}

/// Headline figures, findings by kind, premium use, the license mix and the method, one
/// figure a row.
pub fn summary(
    sheet: &mut Worksheet,
    formats: &Formats,
    model: &ReportModel,
) -> Result<(), Problem> {
    const SECTION: ColNum = 0;
    const FIGURE: ColNum = 1;
    const VALUE: ColNum = 2;
    const MONTHLY: ColNum = 3;
    const YEARLY: ColNum = 4;
    let mut writer = SheetWriter::begin(
        sheet,
        formats,
        SheetName::Summary,
        vec![
            "Section".into(),
            "Figure".into(),
            "Value".into(),
            per_month(model),
            per_year(model),
        ],
    )?;
    for row in summary_rows(model) {
        writer.text(SECTION, row.section)?;
        writer.text(FIGURE, &row.figure)?;
        match row.value {
            Value::Count(count) => writer.count(VALUE, count)?,
            Value::Unknown => writer.unknown(VALUE)?,
            Value::Text(text) => writer.text(VALUE, &text)?,
            Value::Date(date) => writer.date(VALUE, date)?,
            Value::Moment(millis) => writer.moment(VALUE, millis)?,
            Value::Empty => {}
        }
        writer.optional_money(MONTHLY, row.monthly)?;
        writer.optional_money(YEARLY, row.yearly)?;
        writer.next_row();
    }
    writer.finish()
}

fn kind_total(model: &ReportModel, kind: FindingKind) -> Option<&KindTotal> {
    model.by_kind.iter().find(|total| total.kind == kind)
}

/// Cost and waste of every SKU, and a total row of the model's totals.
pub fn by_sku(
    sheet: &mut Worksheet,
    formats: &Formats,
    model: &ReportModel,
) -> Result<(), Problem> {
    let currency = &model.context.currency;
    let mut writer = SheetWriter::begin(
        sheet,
        formats,
        SheetName::BySku,
        vec![
            "SKU".into(),
            "Name".into(),
            "Premium".into(),
            "Status".into(),
            "Paid".into(),
            format!("Price per seat ({currency})"),
            "Purchased".into(),
            "Assigned".into(),
            "Utilisation".into(),
            "Holders".into(),
            "Active holders".into(),
            "Idle seats".into(),
            per_month(model),
            format!("Idle seats ({currency})"),
            "Inactive holders".into(),
            format!("Inactive holders ({currency})"),
            "Unused premium".into(),
            format!("Unused premium ({currency})"),
            "Redundant".into(),
            format!("Redundant ({currency})"),
            format!("Could save ({currency})"),
        ],
    )?;
    for sku in &model.skus {
        writer.text(0, &sku.part_number)?;
        writer.optional_text(1, sku.display_name.as_deref())?;
        writer.boolean(2, sku.premium)?;
        writer.optional_text(3, sku.capability_status.as_deref())?;
        writer.boolean(4, sku.paid)?;
        match sku.monthly_price {
            Some(price) => writer.money(5, price)?,
            None => writer.text(5, "unpriced")?,
        }
        writer.count(6, sku.purchased_seats)?;
        writer.count(7, sku.assigned_seats)?;
        writer.percent(8, sku.utilisation)?;
        writer.count(9, sku.holders)?;
        writer.figure(10, sku.active_holders)?;
        writer.count(11, sku.idle_seats)?;
        writer.money(12, sku.monthly_cost)?;
        writer.money(13, sku.idle_amount)?;
        writer.count(14, sku.inactive_holders)?;
        writer.money(15, sku.inactive_holder_amount)?;
        writer.count(16, sku.unused_premium_holders)?;
        writer.money(17, sku.unused_premium_amount)?;
        writer.count(18, sku.redundant_holders)?;
        writer.money(19, sku.redundant_amount)?;
        writer.money(20, sku.monthly_savings)?;
        writer.next_row();
    }
    writer.end_table();
    writer.label(0, "Total")?;
    writer.money(12, model.headline.monthly_cost)?;
    if let Some(idle) = kind_total(model, FindingKind::IdleSeats) {
        writer.money(13, idle.monthly_amount)?;
    }
    if let Some(inactive) = kind_total(model, FindingKind::InactiveHolder) {
        writer.count(14, inactive.count)?;
        writer.money(15, inactive.monthly_amount)?;
    }
    if let Some(unused) = kind_total(model, FindingKind::UnusedPremium) {
        writer.count(16, unused.count)?;
        writer.money(17, unused.monthly_amount)?;
    }
    if let Some(redundant) = kind_total(model, FindingKind::RedundantLicense) {
        writer.count(18, redundant.count)?;
        writer.money(19, redundant.monthly_amount)?;
    }
    writer.money(20, model.headline.monthly_savings)?;
    writer.finish()
}

/// The label of the overhead row.
pub const OVERHEAD: &str = "Tenant overhead (idle seats)";
/// The label of a total row.
pub const TOTAL: &str = "Total";

/// Chargeback by the model's attribute: the groups (`Unassigned` among them), the tenant's
/// overhead, and the total, which is the monthly cost.
pub fn chargeback(
    sheet: &mut Worksheet,
    formats: &Formats,
    model: &ReportModel,
) -> Result<(), Problem> {
    let breakdown = &model.by_attribute;
    let currency = &model.context.currency;
    let mut writer = SheetWriter::begin(
        sheet,
        formats,
        SheetName::Chargeback,
        vec![
            capitalised(breakdown.attribute.label()),
            "Users".into(),
            "Licensed users".into(),
            "Active users".into(),
            "Paid licenses".into(),
            format!("Chargeback per month ({currency})"),
            "Saving findings".into(),
            format!("Savings per month ({currency})"),
            "Unlicensed premium users".into(),
            format!("Cost to comply per month ({currency})"),
        ],
    )?;
    for group in &breakdown.groups {
        writer.text(0, &group.name)?;
        writer.count(1, group.users)?;
        writer.count(2, group.licensed_users)?;
        writer.figure(3, group.active_users)?;
        writer.count(4, group.licenses)?;
        writer.money(5, group.license_cost)?;
        writer.count(6, group.saving_findings)?;
        writer.money(7, group.savings)?;
        writer.count(8, group.missing_premium_users)?;
        writer.money(9, group.cost_to_comply)?;
        writer.next_row();
    }
    writer.label(0, OVERHEAD)?;
    writer.money(5, breakdown.overhead)?;
    writer.next_row();
    writer.end_table();
    writer.label(0, TOTAL)?;
    writer.count(1, model.headline.users)?;
    writer.count(2, model.headline.licensed_users)?;
    writer.money(5, breakdown.total)?;
    writer.money(9, model.headline.monthly_cost_to_comply)?;
    writer.finish()
}

/// SKUs with purchased seats nobody holds, and what those seats cost.
pub fn idle_seats(
    sheet: &mut Worksheet,
    formats: &Formats,
    model: &ReportModel,
) -> Result<(), Problem> {
    let currency = &model.context.currency;
    let mut writer = SheetWriter::begin(
        sheet,
        formats,
        SheetName::IdleSeats,
        vec![
            "SKU".into(),
            "Name".into(),
            "Status".into(),
            "Paid".into(),
            format!("Price per seat ({currency})"),
            "Purchased".into(),
            "Assigned".into(),
            "Idle seats".into(),
            per_month(model),
        ],
    )?;
    for sku in model.skus.iter().filter(|sku| sku.idle_seats > 0) {
        writer.text(0, &sku.part_number)?;
        writer.optional_text(1, sku.display_name.as_deref())?;
        writer.optional_text(2, sku.capability_status.as_deref())?;
        writer.boolean(3, sku.paid)?;
        match sku.monthly_price {
            Some(price) => writer.money(4, price)?,
            None => writer.text(4, "unpriced")?,
        }
        writer.count(5, sku.purchased_seats)?;
        writer.count(6, sku.assigned_seats)?;
        writer.count(7, sku.idle_seats)?;
        writer.money(8, sku.idle_amount)?;
        writer.next_row();
    }
    writer.end_table();
    writer.label(0, TOTAL)?;
    if let Some(idle) = kind_total(model, FindingKind::IdleSeats) {
        writer.money(8, idle.monthly_amount)?;
    }
    writer.finish()
}

/// The renewal calendar: per subscription, when its seats can drop, the seats to cut and the
/// saving; then the savings by date, with those free for the next hire at once.
pub fn renewals(
    sheet: &mut Worksheet,
    formats: &Formats,
    model: &ReportModel,
) -> Result<(), Problem> {
    let timing = &model.savings_timing;
    let mut writer = SheetWriter::begin(
        sheet,
        formats,
        SheetName::Renewals,
        vec![
            "Seats can drop on".into(),
            "SKU".into(),
            "Subscription".into(),
            "Directory subscription id".into(),
            "Term".into(),
            "Seats".into(),
            "Seats to cut".into(),
            per_month(model),
            per_year(model),
        ],
    )?;
    for cut in &timing.calendar {
        match cut.reducible_on.date() {
            Some(date) => writer.date(0, date)?,
            None => writer.unknown(0)?,
        }
        writer.text(1, &cut.sku_part_number)?;
        writer.optional_text(2, cut.commerce_subscription_id.as_deref())?;
        writer.text(3, &cut.subscription_id)?;
        writer.text(4, cut.term.map_or("unknown", |term| term.as_str()))?;
        writer.count(5, cut.total_licenses)?;
        writer.count(6, cut.seats_to_cut)?;
        writer.money(7, cut.monthly_saving)?;
        writer.money(8, cut.yearly_saving)?;
        writer.next_row();
    }
    writer.end_table();
    writer.next_row();
    writer.label(0, crate::report::model::CALENDAR_NOTE)?;
    writer.next_row();
    writer.label(0, "Savings by the date their seats can drop")?;
    writer.next_row();
    for saving in &timing.by_date {
        match saving.reducible_on.date() {
            Some(date) => writer.date(0, date)?,
            None => writer.unknown(0)?,
        }
        writer.count(6, saving.findings)?;
        writer.money(7, saving.monthly_amount)?;
        writer.money(8, saving.yearly_amount)?;
        writer.next_row();
    }
    writer.label(0, "Free for the next hire at once")?;
    writer.money(7, timing.reassignable_now)?;
    if !timing.subscriptions_known {
        writer.next_row();
        writer.label(
            0,
            "The snapshot holds no subscriptions.json: when seats can drop is unknown.",
        )?;
    }
    writer.finish()
}

/// The first day of `month`, which the workbook writes as the month's date.
fn first_day(month: crate::history::Month) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(month.year, month.month, 1)
}

/// Trend: one row per recorded month of the model's trend, oldest first.
pub fn trend(sheet: &mut Worksheet, formats: &Formats, model: &ReportModel) -> Result<(), Problem> {
    let currency = &model.context.currency;
    let mut headers: Vec<String> = vec![
        "Month".into(),
        "As of".into(),
        format!("Monthly cost ({currency})"),
        format!("Savings available ({currency})"),
        format!("Cost to comply ({currency})"),
        "Seats purchased".into(),
        "Seats assigned".into(),
        "Seats idle".into(),
        "Findings".into(),
    ];
    headers.extend(FindingKind::ALL.map(|kind| kind.as_str().to_string()));
    let mut writer = SheetWriter::begin(sheet, formats, SheetName::Trend, headers)?;
    let Some(trend) = &model.trend else {
        writer.label(
            0,
            "No history was given: run the audit with --history, or the report with --history DIR.",
        )?;
        return writer.finish();
    };
    for month in &trend.months {
        match first_day(month.month) {
            Some(date) => writer.date(0, date)?,
            None => writer.text(0, &month.month.to_string())?,
        }
        writer.date(1, month.as_of)?;
        writer.money(2, month.monthly_cost)?;
        writer.money(3, month.monthly_savings)?;
        writer.money(4, month.monthly_cost_to_comply)?;
        writer.count(5, month.seats.purchased)?;
        writer.count(6, month.seats.assigned)?;
        writer.count(7, month.seats.idle)?;
        writer.count(8, whole(month.total_findings))?;
        for (offset, kind) in (9..).zip(FindingKind::ALL) {
            writer.count(
                offset,
                whole(month.findings.get(&kind).copied().unwrap_or(0)),
            )?;
        }
        writer.next_row();
    }
    writer.finish()
}

fn whole(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// What changed: the model's comparison of the month recorded before the as-of month with
/// the as-of month, one figure a row.
pub fn changes(
    sheet: &mut Worksheet,
    formats: &Formats,
    model: &ReportModel,
) -> Result<(), Problem> {
    let currency = &model.context.currency;
    let mut writer = SheetWriter::begin(
        sheet,
        formats,
        SheetName::Changes,
        vec![
            "Figure".into(),
            "Count".into(),
            format!("Before ({currency})"),
            format!("Now ({currency})"),
            format!("Change ({currency})"),
        ],
    )?;
    let Some(changes) = &model.changes else {
        writer.label(
            0,
            if model.trend.is_some() {
                "Nothing to compare: the history does not hold both this audit's month and a month recorded before it."
            } else {
                "No history was given: run the audit with --history, or the report with --history DIR."
            },
        )?;
        return writer.finish();
    };
    writer.text(0, "Months compared (before, now)")?;
    for (column, month) in [(2, changes.from.month), (3, changes.to.month)] {
        match first_day(month) {
            Some(date) => writer.date(column, date)?,
            None => writer.text(column, &month.to_string())?,
        }
    }
    writer.next_row();
    let totals = &changes.totals;
    let mut counts: Vec<(String, i64)> = vec![
        ("Findings before".into(), whole(changes.from.findings)),
        ("Findings now".into(), whole(changes.to.findings)),
        ("New findings".into(), whole(totals.new)),
        ("Resolved findings".into(), whole(totals.resolved)),
        ("Persisting findings".into(), whole(totals.persisting)),
        ("Returned licenses".into(), whole(totals.returned)),
        ("Seats bought".into(), totals.seats_bought),
        ("Seats cut".into(), totals.seats_cut),
    ];
    counts.extend(
        totals.resolved_by.iter().map(|(resolution, count)| {
            (format!("Resolved: {}", resolution.as_str()), whole(*count))
        }),
    );
    for (kind, kind_totals) in &totals.by_kind {
        for (what, count) in [
            ("new", kind_totals.new),
            ("resolved", kind_totals.resolved),
            ("persisting", kind_totals.persisting),
        ] {
            if count > 0 {
                counts.push((format!("{} {what}", kind.as_str()), whole(count)));
            }
        }
    }
    let cohorts = &changes.cohorts;
    counts.push((
        "Holders of a paid license in either month".into(),
        whole(cohorts.counts.holders),
    ));
    counts.push((
        "Holders who lost a paid license".into(),
        whole(cohorts.counts.reclaimed),
    ));
    for (label, count) in counts {
        writer.text(0, &label)?;
        writer.count(1, count)?;
        writer.next_row();
    }
    for (label, count) in [
        ("Holders active in both months", cohorts.counts.retained),
        ("Holders active again", cohorts.counts.reactivated),
        ("Holders gone inactive", cohorts.counts.lapsed),
    ] {
        writer.text(0, label)?;
        if cohorts.activity_known {
            writer.count(1, whole(count))?;
        } else {
            writer.unknown(1)?;
        }
        writer.next_row();
    }
    let money = &changes.money;
    for (label, change) in [
        ("Monthly cost", &money.monthly_cost),
        ("Savings available", &money.monthly_savings),
        ("Cost to comply", &money.monthly_cost_to_comply),
    ] {
        writer.text(0, label)?;
        writer.money(2, change.from)?;
        writer.money(3, change.to)?;
        writer.money(4, change.change)?;
        writer.next_row();
    }
    for (label, amount) in [
        ("Savings of the new findings", money.new_savings),
        ("Savings of the resolved findings", money.resolved_savings),
        (
            "Cost to comply of the new findings",
            money.new_cost_to_comply,
        ),
        (
            "Cost to comply of the resolved findings",
            money.resolved_cost_to_comply,
        ),
    ] {
        writer.text(0, label)?;
        writer.money(4, amount)?;
        writer.next_row();
    }
    writer.finish()
}
