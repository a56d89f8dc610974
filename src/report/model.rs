//! The report model: every figure a report shows, computed once with Polars from the findings
//! and the audit's typed tables (SPEC §4, §6). No I/O.
//!
//! `summary.md`, the terminal table and the finance report all render this one model, so no
//! renderer adds anything up and two views of one audit cannot disagree. Money stays exact
//! ([`Money`] micro-units) from the tables to here; a figure the snapshot cannot prove is a
//! [`Figure::Unknown`].
//!
//! Definitions the views share:
//! - *priced, paid* SKU: a price above zero and a subscription that is not `Suspended`,
//!   `Deleted` or `LockedOut`; the headline seat counts are over these SKUs (free and trial
//!   SKUs come with thousands of seats that cost nothing);
//! - *active*: last activity on or after the window's first day (SPEC §1); unknown for
//!   everyone when the snapshot carries no sign-in activity;
//! - *chargeback cost* of a group of users: the prices of the paid licenses its members hold;
//!   *overhead* is what the tenant pays beyond that (idle seats, and any seat the directory and
//!   the subscriptions count differently), so the groups plus the overhead are the monthly cost.

use super::attribute::UserAttribute;
use super::figures::{Figure, Percent};
use super::tables::{
    ACTIVITY_KNOWN, AuditTables, LAUNCH_DATE, LAUNCHES, REASSIGNABLE_NOW, REDUCIBLE_ON,
};
use crate::analyze::inputs::{
    IS_PAID, LAST_PREMIUM_USE, PREMIUM_APPS_USED, PURCHASED_SEATS, UNASSIGNED_DEPARTMENT, millis,
};
use crate::analyze::quality::AnalysisQuality;
use crate::analyze::rules::{KIND, MONTHLY_AMOUNT as AMOUNT, REASON, SEATS};
use crate::analyze::timing::{ReducibleOn, RenewalCalendar, RenewalCut};
use crate::analyze::{AuditWindow, FindingKind, LicenseMix};
use crate::catalogue::price_book::PriceBookOrigin;
use crate::history::{HistoryDiff, Trend};
use crate::model::{IngestQuality, Snapshot, columns};
use crate::money::Money;
use crate::output::AsOfSource;
use chrono::NaiveDate;
use polars::prelude::*;

/// The bucket of users without a value for the chosen attribute (never guessed).
pub const UNASSIGNED: &str = UNASSIGNED_DEPARTMENT;

// Column names local to the model's queries.
const GROUP: &str = "group";
const ACTIVE: &str = "active";
const ORDER: &str = "order";
const COUNT: &str = "count";
const HOLDERS: &str = "holders";
const ACTIVE_HOLDERS: &str = "active_holders";
const IDLE_SEATS: &str = "idle_seats";
const MONTHLY_COST: &str = "monthly_cost";
const USERS: &str = "users";
const LICENSED_USERS: &str = "licensed_users";
const ACTIVE_USERS: &str = "active_users";
const LICENSES: &str = "licenses";
const LICENSE_COST: &str = "license_cost";
const SAVINGS: &str = "savings";
const SAVING_FINDINGS: &str = "saving_findings";
const COST_TO_COMPLY: &str = "cost_to_comply";
const MISSING_PREMIUM: &str = "missing_premium";
const APPS_USED: &str = "apps_used";
const HOLDS_PREMIUM: &str = "holds_premium";
const UNLICENSED: &str = "unlicensed";
const HOLDERS_USING: &str = "holders_using";
/// A user holds a premium SKU that is priced and paid for.
const PAID_PREMIUM: &str = "paid_premium";

/// What a report is about: the audit's dates, currency, snapshot and price book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    pub window: AuditWindow,
    pub as_of_source: AsOfSource,
    pub currency: String,
    pub snapshot_path: String,
    pub tenant_id: Option<String>,
    /// Epoch milliseconds.
    pub collected_at: Option<i64>,
    /// What collected the snapshot (`snapshot.json`'s `source`).
    pub snapshot_source: Option<String>,
    pub price_book: PriceBookOrigin,
    /// `seatwise <version>` that ran the audit.
    pub generator: String,
    /// When the savings' seats can drop, per subscription (`findings.json`'s `renewals`).
    pub renewals: RenewalCalendar,
    /// The tenant's Power Apps license mix as the analysis priced it (SPEC §8), amounts
    /// rounded to cents as `findings.json` holds it; `None` when it was not assessed.
    pub license_mix: Option<LicenseMix>,
}

impl AuditContext {
    pub fn of(
        snapshot: &Snapshot,
        window: AuditWindow,
        as_of_source: AsOfSource,
        currency: &str,
        price_book: &PriceBookOrigin,
        renewals: &RenewalCalendar,
    ) -> AuditContext {
        AuditContext {
            window,
            as_of_source,
            currency: currency.to_string(),
            snapshot_path: snapshot.dir.display().to_string(),
            tenant_id: snapshot.metadata.tenant_id.clone(),
            collected_at: snapshot.metadata.collected_at,
            snapshot_source: snapshot.metadata.source.clone(),
            price_book: price_book.clone(),
            generator: generator(),
            renewals: renewals.clone(),
            license_mix: None,
        }
    }

    /// The context with the analysis's license mix, rounded to cents as `findings.json`
    /// writes it, so an audit's report and a report rebuilt from its folder agree.
    pub fn with_license_mix(self, mix: Option<&LicenseMix>) -> AuditContext {
        AuditContext {
            license_mix: mix.map(LicenseMix::rounded_to_cents),
            ..self
        }
    }
}

/// `seatwise <version>`: this build, as an audit names what wrote it.
pub fn generator() -> String {
    format!("seatwise {}", env!("CARGO_PKG_VERSION"))
}

/// What ingestion and analysis noticed, passed through for the data-quality view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataQuality {
    pub ingest: IngestQuality,
    pub analysis: AnalysisQuality,
    /// Audit rows of operations other than `LaunchPowerApp`, skipped.
    pub other_operation_rows: usize,
}

impl DataQuality {
    pub fn new(mut ingest: IngestQuality, analysis: AnalysisQuality) -> DataQuality {
        // The records' span is the analysis's coverage; findings.json does not repeat it.
        ingest.audit_records_span = None;
        let other_operation_rows = ingest.other_operations.values().sum();
        DataQuality {
            ingest,
            analysis,
            other_operation_rows,
        }
    }
}

/// How to build the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOptions {
    /// The attribute of the chargeback breakdown.
    pub by: UserAttribute,
    /// Rows in the top-savings view.
    pub top: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            by: UserAttribute::Department,
            top: 25,
        }
    }
}

/// Seats of the priced, paid SKUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seats {
    /// Paid for (`prepaidUnits.enabled` + `warning`).
    pub purchased: i64,
    /// Assigned (`consumedUnits`).
    pub assigned: i64,
    /// Held by users active in the window.
    pub active: Figure<i64>,
    /// Purchased and not assigned.
    pub idle: i64,
}

/// The figures a reader sees first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headline {
    pub users: i64,
    pub licensed_users: i64,
    pub monthly_cost: Money,
    pub yearly_cost: Money,
    pub monthly_savings: Money,
    pub yearly_savings: Money,
    pub monthly_cost_to_comply: Money,
    pub yearly_cost_to_comply: Money,
    pub seats: Seats,
    /// Monthly cost per licensed user; `None` without licensed users.
    pub cost_per_licensed_user: Option<Money>,
}

/// Findings of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindTotal {
    pub kind: FindingKind,
    pub count: i64,
    pub monthly_amount: Money,
}

/// Cost and waste of one SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuRow {
    pub sku_id: String,
    pub part_number: String,
    pub display_name: Option<String>,
    pub premium: bool,
    pub capability_status: Option<String>,
    pub paid: bool,
    /// `None` when unpriced.
    pub monthly_price: Option<Money>,
    pub purchased_seats: i64,
    pub assigned_seats: i64,
    /// Directory users holding it.
    pub holders: i64,
    pub active_holders: Figure<i64>,
    /// Purchased and not assigned.
    pub idle_seats: i64,
    /// Purchased seats × price.
    pub monthly_cost: Money,
    /// The `idle-seats` finding's amount.
    pub idle_amount: Money,
    pub inactive_holders: i64,
    pub inactive_holder_amount: Money,
    pub unused_premium_holders: i64,
    pub unused_premium_amount: Money,
    /// Holders another of whose licenses covers this one (`redundant-license`).
    pub redundant_holders: i64,
    pub redundant_amount: Money,
    /// Idle, inactive-holder, unused-premium and redundant-license amounts together.
    pub monthly_savings: Money,
    /// The monthly cost less those savings: what pays for seats in use. Negative when more
    /// seats are held than bought and their holders are inactive.
    pub in_use_amount: Money,
    /// Assigned / purchased; `None` without purchased seats.
    pub utilisation: Option<Percent>,
}

/// One group of users sharing a value of the chosen attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// The attribute's value, or [`UNASSIGNED`].
    pub name: String,
    pub users: i64,
    pub licensed_users: i64,
    pub active_users: Figure<i64>,
    /// Paid, priced licenses its members hold.
    pub licenses: i64,
    /// Chargeback cost: the prices of those licenses.
    pub license_cost: Money,
    pub saving_findings: i64,
    /// Inactive-holder, unused-premium and redundant-license amounts of its members.
    pub savings: Money,
    pub missing_premium_users: i64,
    pub cost_to_comply: Money,
}

/// Costs by a user attribute: the groups, and the overhead no group holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeBreakdown {
    pub attribute: UserAttribute,
    /// By chargeback cost, highest first, then by name.
    pub groups: Vec<GroupRow>,
    /// Monthly cost − Σ groups' chargeback cost.
    pub overhead: Money,
    /// The monthly cost: the groups plus the overhead.
    pub total: Money,
}

/// A count and an amount under a name: one row of a savings breakdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakdownRow {
    pub name: String,
    pub findings: i64,
    pub monthly_amount: Money,
}

/// Since when a saving has been there, as far as the snapshot tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// The holder's last activity (`inactive-holder`) or last premium app launch
    /// (`unused-premium`), UTC day.
    Date(NaiveDate),
    /// No sign-in at all, or no premium launch in the exports.
    Never,
    /// The snapshot cannot tell (idle seats; activity not collected).
    Unknown,
}

/// One of the largest savings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopSaving {
    pub kind: FindingKind,
    pub user_id: Option<String>,
    pub user_principal_name: Option<String>,
    pub user_display_name: Option<String>,
    /// The user's value of the chosen attribute; `None` for SKU-level findings.
    pub group: Option<String>,
    pub sku_part_number: String,
    pub reason: Option<String>,
    /// Idle seats, for `idle-seats`.
    pub seats: Option<i64>,
    pub monthly_amount: Money,
    pub since: Since,
}

/// Idle seats of one SKU: an `idle-seats` finding with its SKU's seats and price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdleSeatRow {
    pub sku_part_number: String,
    pub sku_display_name: Option<String>,
    pub capability_status: Option<String>,
    pub purchased_seats: i64,
    pub assigned_seats: i64,
    pub idle_seats: i64,
    pub monthly_price: Option<Money>,
    pub monthly_amount: Money,
}

/// A user who opened premium apps without a premium license: a `missing-premium` finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnlicensedUser {
    pub user_principal_name: Option<String>,
    pub user_display_name: Option<String>,
    /// The user's value of the chosen attribute.
    pub group: String,
    pub premium_apps_used: Option<i64>,
    /// UTC day of the last premium launch in the window.
    pub last_premium_use: Option<NaiveDate>,
    /// The SKU that would cover the use.
    pub sku_part_number: String,
    pub monthly_amount: Money,
}

/// Premium-app launches of one week (Monday to Sunday, UTC) within the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekLaunches {
    /// The Monday starting the week (it may fall before the window's first day).
    pub week_start: NaiveDate,
    /// Days of the week inside the window (the first and last weeks may be short).
    pub days_in_window: i64,
    /// By directory users holding a premium license.
    pub licensed: i64,
    /// By directory users holding none.
    pub unlicensed: i64,
    /// By users not in the directory.
    pub outside_directory: i64,
}

/// Users with premium use in the window, by the number of premium apps they opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppsUsedRow {
    pub apps: i64,
    pub users: i64,
    /// Of those, holding a premium SKU.
    pub licensed: i64,
    /// Of those, holding no premium SKU.
    pub unlicensed: i64,
}

/// Premium use in the window, by directory users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PremiumUse {
    /// Whether non-use can be told (SPEC §3): otherwise the counts are of use seen.
    pub known: bool,
    pub users: i64,
    pub licensed_users: i64,
    pub unlicensed_users: i64,
    pub monthly_cost_to_comply: Money,
    pub by_apps_used: Vec<AppsUsedRow>,
    /// Users holding a premium SKU that is priced and paid for.
    pub premium_holders: i64,
    /// Of those, users who opened a premium app in the window.
    pub premium_holders_using: Figure<i64>,
    /// Every week the window touches, oldest first.
    pub launches_by_week: Vec<WeekLaunches>,
    /// The `missing-premium` findings: most premium apps first, then latest use, then name.
    pub unlicensed_use: Vec<UnlicensedUser>,
}

/// Everything a report shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportModel {
    pub context: AuditContext,
    pub headline: Headline,
    /// Every kind, in [`FindingKind::ALL`] order.
    pub by_kind: Vec<KindTotal>,
    /// By monthly cost, highest first, then by part number.
    pub skus: Vec<SkuRow>,
    pub by_attribute: AttributeBreakdown,
    /// Savings findings by SKU part number, largest amount first.
    pub savings_by_sku: Vec<BreakdownRow>,
    /// User savings findings by the chosen attribute, largest amount first.
    pub savings_by_group: Vec<BreakdownRow>,
    /// `missing-premium` findings by the chosen attribute, largest amount first.
    pub unlicensed_by_group: Vec<BreakdownRow>,
    /// The largest savings findings, largest first (findings order on ties).
    pub top_savings: Vec<TopSaving>,
    /// The `idle-seats` findings, largest amount first.
    pub idle_seats: Vec<IdleSeatRow>,
    pub premium_use: PremiumUse,
    pub savings_timing: SavingsTiming,
    /// The tenant's Power Apps license mix (SPEC §8), as the analysis computed it: the cost of
    /// its premium users today and on the cheapest mix of per user, pay-as-you-go and per app
    /// licenses. `None` when it was not assessed (no usage evidence, no whole month in the
    /// window, or no per-user price).
    pub license_mix: Option<LicenseMix>,
    pub quality: DataQuality,
    /// The last recorded months up to the as-of month (SPEC §7), when the report was given a
    /// history root; `None` otherwise.
    pub trend: Option<Trend>,
    /// What changed from the month recorded before the as-of month to the as-of month, when
    /// the history holds both; `None` otherwise.
    pub changes: Option<HistoryDiff>,
}

/// When the savings can be banked (SPEC §8): at once for seats taken back from users (they go
/// to the next hire instead of a purchase), and as money only when the subscription's seats
/// can drop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavingsTiming {
    /// Whether the audit had the tenant's subscriptions; without them every date is unknown.
    pub subscriptions_known: bool,
    /// Savings from licenses taken back from users, a month.
    pub reassignable_now: Money,
    /// Savings by the date their seats can drop, soonest first, unknown last.
    pub by_date: Vec<DatedSaving>,
    /// The renewal calendar: per subscription, the date, the seats to cut and the saving.
    pub calendar: Vec<RenewalCut>,
}

/// What the renewal calendar counts beyond the savings by date, for every rendering of it.
pub const CALENDAR_NOTE: &str = "Per subscription, the seats that can be cut and what cutting them saves: the savings above, and also the per-user seats that right-size findings free when their holders move to a cheaper license.";

/// The savings whose seats can drop on one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatedSaving {
    pub reducible_on: ReducibleOn,
    pub findings: i64,
    pub monthly_amount: Money,
    pub yearly_amount: Money,
}

impl ReportModel {
    /// Computes the model from the audit's tables (its findings among them).
    pub fn build(
        context: AuditContext,
        tables: &AuditTables,
        quality: DataQuality,
        options: &ReportOptions,
    ) -> PolarsResult<ReportModel> {
        let inputs = Inputs::prepare(&context, tables, &quality, options)?;
        let headline = inputs.headline()?;
        let by_kind = inputs.by_kind()?;
        let skus = inputs.skus()?;
        let by_attribute = inputs.by_attribute(headline.monthly_cost)?;
        let savings_by_sku = inputs.breakdown(
            inputs
                .findings
                .clone()
                .filter(saving_kind())
                .with_column(col(columns::SKU_PART_NUMBER).alias(GROUP)),
        )?;
        let savings_by_group = inputs.breakdown(
            inputs
                .findings
                .clone()
                .filter(saving_kind().and(col(columns::USER_ID).is_not_null())),
        )?;
        let unlicensed_by_group = inputs.breakdown(
            inputs
                .findings
                .clone()
                .filter(kind_is(FindingKind::MissingPremium)),
        )?;
        let top_savings = inputs.top_savings()?;
        let idle_seats = inputs.idle_seats()?;
        let premium_use = inputs.premium_use()?;
        let savings_timing = inputs.savings_timing(&context.renewals)?;
        let license_mix = context.license_mix.clone();
        Ok(ReportModel {
            context,
            headline,
            by_kind,
            skus,
            by_attribute,
            savings_by_sku,
            savings_by_group,
            unlicensed_by_group,
            top_savings,
            idle_seats,
            premium_use,
            savings_timing,
            license_mix,
            quality,
            trend: None,
            changes: None,
        })
    }
}

/// The frames every view starts from.
struct Inputs {
    window: AuditWindow,
    options: ReportOptions,
    activity_known: bool,
    premium_use_known: bool,
    /// Users with [`GROUP`] and [`ACTIVE`] (null when activity is unknown).
    users: LazyFrame,
    skus: LazyFrame,
    /// Holdings with the SKU's price, paid and premium flags and the user's group and activity.
    holdings: LazyFrame,
    /// Findings with [`ORDER`] and the user's [`GROUP`].
    findings: LazyFrame,
    launches_daily: LazyFrame,
}

fn kind_is(kind: FindingKind) -> Expr {
    col(KIND).eq(lit(kind.as_str()))
}

/// The kinds whose amounts are savings (SPEC §4 `monthly_savings`).
fn saving_kind() -> Expr {
    FindingKind::ALL
        .into_iter()
        .filter(|kind| kind.is_saving())
        .map(kind_is)
        .reduce(Expr::or)
        .unwrap_or(lit(false))
}

/// A price above zero on a subscription that is paid for.
fn priced_and_paid() -> Expr {
    col(columns::MONTHLY_PRICE)
        .gt(lit(0i64))
        .fill_null(lit(false))
        .and(col(IS_PAID))
}

fn amount_of(kind: FindingKind) -> Expr {
    col(AMOUNT).filter(kind_is(kind)).sum()
}

fn count_of(kind: FindingKind) -> Expr {
    kind_is(kind).sum().cast(DataType::Int64)
}

fn days_since_epoch(date: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    i32::try_from((date - epoch).num_days()).unwrap_or(i32::MAX)
}

impl Inputs {
    fn prepare(
        context: &AuditContext,
        tables: &AuditTables,
        quality: &DataQuality,
        options: &ReportOptions,
    ) -> PolarsResult<Inputs> {
        let window = context.window;
        let users = tables
            .users
            .clone()
            .lazy()
            .with_columns([
                options.by.group().alias(GROUP),
                when(col(ACTIVITY_KNOWN))
                    .then(
                        millis(columns::LAST_ACTIVITY)
                            .gt_eq(lit(window.start_millis()))
                            .fill_null(lit(false)),
                    )
                    .otherwise(lit(NULL).cast(DataType::Boolean))
                    .alias(ACTIVE),
            ])
            .collect()?
            .lazy();
        let skus = tables.skus.clone().lazy();
        let holdings = tables
            .holdings
            .clone()
            .lazy()
            .join(
                skus.clone().select([
                    col(columns::SKU_ID),
                    col(columns::MONTHLY_PRICE),
                    col(IS_PAID),
                    col(columns::PREMIUM),
                ]),
                [col(columns::SKU_ID)],
                [col(columns::SKU_ID)],
                JoinArgs::new(JoinType::Left),
            )
            .join(
                users
                    .clone()
                    .select([col(columns::USER_ID), col(GROUP), col(ACTIVE)]),
                [col(columns::USER_ID)],
                [col(columns::USER_ID)],
                JoinArgs::new(JoinType::Left),
            )
            .collect()?
            .lazy();
        let findings = tables
            .findings
            .clone()
            .lazy()
            .with_row_index(ORDER, None)
            .join(
                users.clone().select([
                    col(columns::USER_ID),
                    col(GROUP),
                    col(columns::USER_DISPLAY_NAME),
                ]),
                [col(columns::USER_ID)],
                [col(columns::USER_ID)],
                JoinArgs::new(JoinType::Left),
            )
            .collect()?
            .lazy();
        Ok(Inputs {
            window,
            options: *options,
            activity_known: quality.analysis.activity_known,
            premium_use_known: quality.analysis.premium_use_known,
            users,
            skus,
            holdings,
            findings,
            launches_daily: tables.launches_daily.clone().lazy(),
        })
    }

    fn savings_timing(&self, renewals: &RenewalCalendar) -> PolarsResult<SavingsTiming> {
        // The analysis decided which findings are savings to time (`reassignable_now` is set on
        // exactly those); the model follows it rather than deciding again. The dates sum the
        // savings of the headline (SPEC §4 `monthly_savings`); a license change (`right-size`)
        // is timed on its finding and in the renewal calendar, apart.
        let savings = self
            .findings
            .clone()
            .filter(col(REASSIGNABLE_NOW).is_not_null().and(saving_kind()));
        let reassignable = savings
            .clone()
            .select([col(AMOUNT)
                .filter(col(REASSIGNABLE_NOW))
                .sum()
                .alias(SAVINGS)])
            .collect()?;
        let dated = savings
            .group_by([col(REDUCIBLE_ON)])
            .agg([len().alias(COUNT), col(AMOUNT).sum().alias(SAVINGS)])
            .sort(
                [REDUCIBLE_ON],
                SortMultipleOptions::default().with_nulls_last(true),
            )
            .collect()?;
        let rows = Rows::of(&dated);
        let mut by_date = Vec::with_capacity(rows.height);
        for index in 0..rows.height {
            let monthly_amount = rows.money(SAVINGS, index)?;
            by_date.push(DatedSaving {
                reducible_on: rows
                    .date(REDUCIBLE_ON, index)?
                    .map_or(ReducibleOn::Unknown, ReducibleOn::Date),
                findings: rows.integer(COUNT, index)?,
                monthly_amount,
                yearly_amount: yearly(monthly_amount),
            });
        }
        Ok(SavingsTiming {
            subscriptions_known: renewals.subscriptions_known,
            reassignable_now: Row::first(&reassignable).money(SAVINGS)?,
            by_date,
            calendar: renewals.subscriptions.clone(),
        })
    }

    fn headline(&self) -> PolarsResult<Headline> {
        let idle = col(PURCHASED_SEATS) - col(columns::CONSUMED_UNITS);
        let seats = self
            .skus
            .clone()
            .select([
                (col(PURCHASED_SEATS) * col(columns::MONTHLY_PRICE).fill_null(lit(0i64)))
                    .sum()
                    .alias(MONTHLY_COST),
                col(PURCHASED_SEATS)
                    .filter(priced_and_paid())
                    .sum()
                    .alias(PURCHASED_SEATS),
                col(columns::CONSUMED_UNITS)
                    .filter(priced_and_paid())
                    .sum()
                    .alias(columns::CONSUMED_UNITS),
                when(idle.clone().gt(lit(0i64)))
                    .then(idle)
                    .otherwise(lit(0i64))
                    .filter(priced_and_paid())
                    .sum()
                    .alias(IDLE_SEATS),
            ])
            .collect()?;
        let holders = self
            .holdings
            .clone()
            .select([
                col(columns::USER_ID).n_unique().alias(LICENSED_USERS),
                col(ACTIVE)
                    .filter(priced_and_paid())
                    .sum()
                    .alias(ACTIVE_HOLDERS),
            ])
            .collect()?;
        let amounts = self
            .findings
            .clone()
            .select([
                col(AMOUNT).filter(saving_kind()).sum().alias(SAVINGS),
                amount_of(FindingKind::MissingPremium).alias(COST_TO_COMPLY),
            ])
            .collect()?;
        let users = self.users.clone().select([len().alias(USERS)]).collect()?;

        let seats = Row::first(&seats);
        let holders = Row::first(&holders);
        let amounts = Row::first(&amounts);
        let monthly_cost = seats.money(MONTHLY_COST)?;
        let monthly_savings = amounts.money(SAVINGS)?;
        let monthly_cost_to_comply = amounts.money(COST_TO_COMPLY)?;
        let licensed_users = holders.integer(LICENSED_USERS)?;
        Ok(Headline {
            users: Row::first(&users).integer(USERS)?,
            licensed_users,
            monthly_cost,
            yearly_cost: yearly(monthly_cost),
            monthly_savings,
            yearly_savings: yearly(monthly_savings),
            monthly_cost_to_comply,
            yearly_cost_to_comply: yearly(monthly_cost_to_comply),
            seats: Seats {
                purchased: seats.integer(PURCHASED_SEATS)?,
                assigned: seats.integer(columns::CONSUMED_UNITS)?,
                active: Figure::when(self.activity_known, holders.integer(ACTIVE_HOLDERS)?),
                idle: seats.integer(IDLE_SEATS)?,
            },
            cost_per_licensed_user: per_unit(monthly_cost, licensed_users),
        })
    }

    fn by_kind(&self) -> PolarsResult<Vec<KindTotal>> {
        let totals = self
            .findings
            .clone()
            .group_by([col(KIND)])
            .agg([len().alias(COUNT), col(AMOUNT).sum()])
            .collect()?;
        let rows = Rows::of(&totals);
        FindingKind::ALL
            .into_iter()
            .map(|kind| {
                let row = (0..rows.height)
                    .find(|&index| rows.string(KIND, index).as_deref() == Some(kind.as_str()));
                Ok(match row {
                    Some(index) => KindTotal {
                        kind,
                        count: rows.integer(COUNT, index)?,
                        monthly_amount: rows.money(AMOUNT, index)?,
                    },
                    None => KindTotal {
                        kind,
                        count: 0,
                        monthly_amount: Money::ZERO,
                    },
                })
            })
            .collect()
    }

    fn skus(&self) -> PolarsResult<Vec<SkuRow>> {
        let holders = self.holdings.clone().group_by([col(columns::SKU_ID)]).agg([
            len().cast(DataType::Int64).alias(HOLDERS),
            col(ACTIVE)
                .sum()
                .cast(DataType::Int64)
                .alias(ACTIVE_HOLDERS),
        ]);
        let amounts = self.findings.clone().group_by([col(columns::SKU_ID)]).agg([
            amount_of(FindingKind::IdleSeats).alias(FindingKind::IdleSeats.as_str()),
            amount_of(FindingKind::InactiveHolder).alias(FindingKind::InactiveHolder.as_str()),
            count_of(FindingKind::InactiveHolder).alias(INACTIVE_COUNT),
            amount_of(FindingKind::UnusedPremium).alias(FindingKind::UnusedPremium.as_str()),
            count_of(FindingKind::UnusedPremium).alias(UNUSED_COUNT),
            amount_of(FindingKind::RedundantLicense).alias(FindingKind::RedundantLicense.as_str()),
            count_of(FindingKind::RedundantLicense).alias(REDUNDANT_COUNT),
        ]);
        let idle = col(PURCHASED_SEATS) - col(columns::CONSUMED_UNITS);
        let frame = self
            .skus
            .clone()
            .left_join(holders, col(columns::SKU_ID), col(columns::SKU_ID))
            .left_join(amounts, col(columns::SKU_ID), col(columns::SKU_ID))
            .with_columns([
                col(HOLDERS).fill_null(lit(0i64)),
                col(ACTIVE_HOLDERS).fill_null(lit(0i64)),
                col(FindingKind::IdleSeats.as_str()).fill_null(lit(0i64)),
                col(FindingKind::InactiveHolder.as_str()).fill_null(lit(0i64)),
                col(INACTIVE_COUNT).fill_null(lit(0i64)),
                col(FindingKind::UnusedPremium.as_str()).fill_null(lit(0i64)),
                col(UNUSED_COUNT).fill_null(lit(0i64)),
                col(FindingKind::RedundantLicense.as_str()).fill_null(lit(0i64)),
                col(REDUNDANT_COUNT).fill_null(lit(0i64)),
                when(idle.clone().gt(lit(0i64)))
                    .then(idle)
                    .otherwise(lit(0i64))
                    .alias(IDLE_SEATS),
                (col(PURCHASED_SEATS) * col(columns::MONTHLY_PRICE).fill_null(lit(0i64)))
                    .alias(MONTHLY_COST),
            ])
            .with_column(
                (col(FindingKind::IdleSeats.as_str())
                    + col(FindingKind::InactiveHolder.as_str())
                    + col(FindingKind::UnusedPremium.as_str())
                    + col(FindingKind::RedundantLicense.as_str()))
                .alias(SAVINGS),
            )
            .with_column((col(MONTHLY_COST) - col(SAVINGS)).alias(IN_USE))
            .sort(
                [MONTHLY_COST, columns::SKU_PART_NUMBER, columns::SKU_ID],
                SortMultipleOptions::default().with_order_descending_multi([true, false, false]),
            )
            .collect()?;
        let rows = Rows::of(&frame);
        (0..rows.height)
            .map(|index| {
                let purchased = rows.integer(PURCHASED_SEATS, index)?;
                let assigned = rows.integer(columns::CONSUMED_UNITS, index)?;
                Ok(SkuRow {
                    sku_id: rows.string(columns::SKU_ID, index).unwrap_or_default(),
                    part_number: rows
                        .string(columns::SKU_PART_NUMBER, index)
                        .unwrap_or_default(),
                    display_name: rows.string(columns::SKU_DISPLAY_NAME, index),
                    premium: rows.boolean(columns::PREMIUM, index),
                    capability_status: rows.string(columns::CAPABILITY_STATUS, index),
                    paid: rows.boolean(IS_PAID, index),
                    monthly_price: rows
                        .optional_integer(columns::MONTHLY_PRICE, index)?
                        .map(Money),
                    purchased_seats: purchased,
                    assigned_seats: assigned,
                    holders: rows.integer(HOLDERS, index)?,
                    active_holders: Figure::when(
                        self.activity_known,
                        rows.integer(ACTIVE_HOLDERS, index)?,
                    ),
                    idle_seats: rows.integer(IDLE_SEATS, index)?,
                    monthly_cost: rows.money(MONTHLY_COST, index)?,
                    idle_amount: rows.money(FindingKind::IdleSeats.as_str(), index)?,
                    inactive_holders: rows.integer(INACTIVE_COUNT, index)?,
                    inactive_holder_amount: rows
                        .money(FindingKind::InactiveHolder.as_str(), index)?,
                    unused_premium_holders: rows.integer(UNUSED_COUNT, index)?,
                    unused_premium_amount: rows
                        .money(FindingKind::UnusedPremium.as_str(), index)?,
                    redundant_holders: rows.integer(REDUNDANT_COUNT, index)?,
                    redundant_amount: rows.money(FindingKind::RedundantLicense.as_str(), index)?,
                    monthly_savings: rows.money(SAVINGS, index)?,
                    in_use_amount: rows.money(IN_USE, index)?,
                    utilisation: Percent::of(assigned, purchased),
                })
            })
            .collect()
    }

    fn by_attribute(&self, monthly_cost: Money) -> PolarsResult<AttributeBreakdown> {
        let people = self.users.clone().group_by([col(GROUP)]).agg([
            len().cast(DataType::Int64).alias(USERS),
            col(ACTIVE).sum().cast(DataType::Int64).alias(ACTIVE_USERS),
        ]);
        let licenses = self.holdings.clone().group_by([col(GROUP)]).agg([
            col(columns::USER_ID)
                .n_unique()
                .cast(DataType::Int64)
                .alias(LICENSED_USERS),
            priced_and_paid()
                .sum()
                .cast(DataType::Int64)
                .alias(LICENSES),
            col(columns::MONTHLY_PRICE)
                .filter(priced_and_paid())
                .sum()
                .alias(LICENSE_COST),
        ]);
        let user_savings = saving_kind().and(col(columns::USER_ID).is_not_null());
        let findings = self
            .findings
            .clone()
            .filter(col(columns::USER_ID).is_not_null())
            .group_by([col(GROUP)])
            .agg([
                user_savings
                    .clone()
                    .sum()
                    .cast(DataType::Int64)
                    .alias(SAVING_FINDINGS),
                col(AMOUNT).filter(user_savings).sum().alias(SAVINGS),
                count_of(FindingKind::MissingPremium).alias(MISSING_PREMIUM),
                amount_of(FindingKind::MissingPremium).alias(COST_TO_COMPLY),
            ]);
        let frame = people
            .left_join(licenses, col(GROUP), col(GROUP))
            .left_join(findings, col(GROUP), col(GROUP))
            .with_columns(
                [
                    LICENSED_USERS,
                    LICENSES,
                    LICENSE_COST,
                    SAVING_FINDINGS,
                    SAVINGS,
                    MISSING_PREMIUM,
                    COST_TO_COMPLY,
                ]
                .map(|name| col(name).fill_null(lit(0i64))),
            )
            .sort(
                [LICENSE_COST, GROUP],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            )
            .collect()?;
        let rows = Rows::of(&frame);
        let groups = (0..rows.height)
            .map(|index| {
                Ok(GroupRow {
                    name: rows.string(GROUP, index).unwrap_or_default(),
                    users: rows.integer(USERS, index)?,
                    licensed_users: rows.integer(LICENSED_USERS, index)?,
                    active_users: Figure::when(
                        self.activity_known,
                        rows.integer(ACTIVE_USERS, index)?,
                    ),
                    licenses: rows.integer(LICENSES, index)?,
                    license_cost: rows.money(LICENSE_COST, index)?,
                    saving_findings: rows.integer(SAVING_FINDINGS, index)?,
                    savings: rows.money(SAVINGS, index)?,
                    missing_premium_users: rows.integer(MISSING_PREMIUM, index)?,
                    cost_to_comply: rows.money(COST_TO_COMPLY, index)?,
                })
            })
            .collect::<PolarsResult<Vec<GroupRow>>>()?;
        let charged: Money = groups.iter().map(|group| group.license_cost).sum();
        Ok(AttributeBreakdown {
            attribute: self.options.by,
            groups,
            overhead: Money(monthly_cost.0 - charged.0),
            total: monthly_cost,
        })
    }

    /// Counts and amounts of `findings` by [`GROUP`], largest amount first, then by name.
    fn breakdown(&self, findings: LazyFrame) -> PolarsResult<Vec<BreakdownRow>> {
        let frame = findings
            .with_column(col(GROUP).fill_null(lit(UNASSIGNED)))
            .group_by([col(GROUP)])
            .agg([len().alias(COUNT), col(AMOUNT).sum()])
            .sort(
                [AMOUNT, GROUP],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            )
            .collect()?;
        let rows = Rows::of(&frame);
        (0..rows.height)
            .map(|index| {
                Ok(BreakdownRow {
                    name: rows.string(GROUP, index).unwrap_or_default(),
                    findings: rows.integer(COUNT, index)?,
                    monthly_amount: rows.money(AMOUNT, index)?,
                })
            })
            .collect()
    }

    fn top_savings(&self) -> PolarsResult<Vec<TopSaving>> {
        let frame = self
            .findings
            .clone()
            .filter(saving_kind())
            .sort(
                [AMOUNT, ORDER],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            )
            .limit(IdxSize::try_from(self.options.top).unwrap_or(IdxSize::MAX))
            .with_column(
                when(kind_is(FindingKind::InactiveHolder))
                    .then(col(columns::LAST_ACTIVITY))
                    .when(kind_is(FindingKind::UnusedPremium))
                    .then(col(LAST_PREMIUM_USE))
                    .otherwise(lit(NULL))
                    .cast(DataType::Date)
                    .alias(SINCE),
            )
            .collect()?;
        let rows = Rows::of(&frame);
        (0..rows.height)
            .map(|index| {
                let kind_text = rows.string(KIND, index).unwrap_or_default();
                let kind = FindingKind::parse(&kind_text).ok_or_else(|| {
                    PolarsError::ComputeError(format!("unknown finding kind {kind_text:?}").into())
                })?;
                let user_id = rows.string(columns::USER_ID, index);
                let since = match (rows.date(SINCE, index)?, kind) {
                    (Some(day), _) => Since::Date(day),
                    (None, FindingKind::InactiveHolder) if self.activity_known => Since::Never,
                    (None, FindingKind::UnusedPremium) => Since::Never,
                    (None, _) => Since::Unknown,
                };
                Ok(TopSaving {
                    kind,
                    group: user_id.as_ref().and(rows.string(GROUP, index)),
                    user_id,
                    user_principal_name: rows.string(columns::USER_PRINCIPAL_NAME, index),
                    user_display_name: rows.string(columns::USER_DISPLAY_NAME, index),
                    sku_part_number: rows
                        .string(columns::SKU_PART_NUMBER, index)
                        .unwrap_or_default(),
                    reason: rows.string(REASON, index),
                    seats: rows.optional_integer(SEATS, index)?,
                    monthly_amount: rows.money(AMOUNT, index)?,
                    since,
                })
            })
            .collect()
    }

    fn idle_seats(&self) -> PolarsResult<Vec<IdleSeatRow>> {
        let frame = self
            .findings
            .clone()
            .filter(kind_is(FindingKind::IdleSeats))
            .select([col(ORDER), col(columns::SKU_ID), col(SEATS), col(AMOUNT)])
            .left_join(
                self.skus.clone().select([
                    col(columns::SKU_ID),
                    col(columns::SKU_PART_NUMBER),
                    col(columns::SKU_DISPLAY_NAME),
                    col(columns::CAPABILITY_STATUS),
                    col(PURCHASED_SEATS),
                    col(columns::CONSUMED_UNITS),
                    col(columns::MONTHLY_PRICE),
                ]),
                col(columns::SKU_ID),
                col(columns::SKU_ID),
            )
            .sort(
                [AMOUNT, ORDER],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            )
            .collect()?;
        let rows = Rows::of(&frame);
        (0..rows.height)
            .map(|index| {
                Ok(IdleSeatRow {
                    sku_part_number: rows
                        .string(columns::SKU_PART_NUMBER, index)
                        .unwrap_or_default(),
                    sku_display_name: rows.string(columns::SKU_DISPLAY_NAME, index),
                    capability_status: rows.string(columns::CAPABILITY_STATUS, index),
                    purchased_seats: rows.integer(PURCHASED_SEATS, index)?,
                    assigned_seats: rows.integer(columns::CONSUMED_UNITS, index)?,
                    idle_seats: rows.integer(SEATS, index)?,
                    monthly_price: rows
                        .optional_integer(columns::MONTHLY_PRICE, index)?
                        .map(Money),
                    monthly_amount: rows.money(AMOUNT, index)?,
                })
            })
            .collect()
    }

    /// The `missing-premium` findings, most premium apps first.
    fn unlicensed_use(&self) -> PolarsResult<Vec<UnlicensedUser>> {
        let frame = self
            .findings
            .clone()
            .filter(kind_is(FindingKind::MissingPremium))
            .with_column(col(LAST_PREMIUM_USE).cast(DataType::Date).alias(SINCE))
            .sort(
                [PREMIUM_APPS_USED, LAST_PREMIUM_USE, ORDER],
                SortMultipleOptions::default()
                    .with_order_descending_multi([true, true, false])
                    .with_nulls_last(true),
            )
            .collect()?;
        let rows = Rows::of(&frame);
        (0..rows.height)
            .map(|index| {
                Ok(UnlicensedUser {
                    user_principal_name: rows.string(columns::USER_PRINCIPAL_NAME, index),
                    user_display_name: rows.string(columns::USER_DISPLAY_NAME, index),
                    group: rows
                        .string(GROUP, index)
                        .unwrap_or_else(|| UNASSIGNED.to_string()),
                    premium_apps_used: rows.optional_integer(PREMIUM_APPS_USED, index)?,
                    last_premium_use: rows.date(SINCE, index)?,
                    sku_part_number: rows
                        .string(columns::SKU_PART_NUMBER, index)
                        .unwrap_or_default(),
                    monthly_amount: rows.money(AMOUNT, index)?,
                })
            })
            .collect()
    }

    /// Premium launches per Monday-to-Sunday week of the window, by who launched.
    fn launches_by_week(&self, premium_holders: LazyFrame) -> PolarsResult<Vec<WeekLaunches>> {
        let first = days_since_epoch(self.window.first_day());
        let last = days_since_epoch(self.window.as_of);
        // A week is keyed by its Monday's day number. 1970-01-01 was a Thursday, so a day is
        // (day + 3) % 7 days after its Monday.
        let monday_of = |day: Expr| day.clone() - (day + lit(3i32)) % lit(7i32);
        let monday = |day: i32| day - (day + 3) % 7;
        let weeks = (monday(first)..=monday(last))
            .step_by(7)
            .collect::<Vec<i32>>();
        let weeks = DataFrame::new(weeks.len(), vec![Column::new(WEEK.into(), weeks)])?.lazy();
        let day = col(LAUNCH_DATE).cast(DataType::Int32);
        let launches = self
            .launches_daily
            .clone()
            .filter(
                day.clone()
                    .gt_eq(lit(first))
                    .and(day.clone().lt_eq(lit(last)))
                    .and(col(columns::APP_IS_PREMIUM)),
            )
            .left_join(
                premium_holders,
                col(columns::USER_ID),
                col(columns::USER_ID),
            )
            .with_column(monday_of(day).alias(WEEK))
            .group_by([col(WEEK)])
            .agg([
                col(LAUNCHES)
                    .filter(col(HOLDS_PREMIUM).fill_null(lit(false)))
                    .sum()
                    .alias(HOLDERS),
                col(LAUNCHES)
                    .filter(
                        col(columns::USER_ID)
                            .is_not_null()
                            .and(col(HOLDS_PREMIUM).fill_null(lit(false)).not()),
                    )
                    .sum()
                    .alias(UNLICENSED),
                col(LAUNCHES)
                    .filter(col(columns::USER_ID).is_null())
                    .sum()
                    .alias(UNKNOWN_USERS),
            ]);
        let frame = weeks
            .left_join(launches, col(WEEK), col(WEEK))
            .with_columns(
                [HOLDERS, UNLICENSED, UNKNOWN_USERS].map(|name| col(name).fill_null(lit(0i64))),
            )
            .sort([WEEK], SortMultipleOptions::default())
            .collect()?;
        let rows = Rows::of(&frame);
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
        (0..rows.height)
            .map(|index| {
                let monday = rows.integer(WEEK, index)?;
                let (first, last) = (i64::from(first), i64::from(last));
                Ok(WeekLaunches {
                    week_start: epoch + chrono::Duration::days(monday),
                    days_in_window: (monday + 6).min(last) - monday.max(first) + 1,
                    licensed: rows.integer(HOLDERS, index)?,
                    unlicensed: rows.integer(UNLICENSED, index)?,
                    outside_directory: rows.integer(UNKNOWN_USERS, index)?,
                })
            })
            .collect()
    }

    fn premium_use(&self) -> PolarsResult<PremiumUse> {
        let day = col(LAUNCH_DATE).cast(DataType::Int32);
        let per_user = self
            .launches_daily
            .clone()
            .filter(
                day.clone()
                    .gt_eq(lit(days_since_epoch(self.window.first_day())))
                    .and(day.lt_eq(lit(days_since_epoch(self.window.as_of))))
                    .and(col(columns::APP_IS_PREMIUM))
                    .and(col(columns::USER_ID).is_not_null()),
            )
            .group_by([col(columns::USER_ID)])
            .agg([col(columns::APP_ID)
                .n_unique()
                .cast(DataType::Int64)
                .alias(APPS_USED)]);
        let premium_holders = self
            .holdings
            .clone()
            .filter(col(columns::PREMIUM).fill_null(lit(false)))
            .group_by([col(columns::USER_ID)])
            .agg([priced_and_paid().any(true).alias(PAID_PREMIUM)])
            .with_column(lit(true).alias(HOLDS_PREMIUM));
        let per_user = per_user
            .left_join(
                premium_holders.clone(),
                col(columns::USER_ID),
                col(columns::USER_ID),
            )
            .with_column(col(HOLDS_PREMIUM).fill_null(lit(false)))
            .collect()?
            .lazy();
        let by_apps = per_user
            .clone()
            .group_by([col(APPS_USED)])
            .agg([
                len().cast(DataType::Int64).alias(USERS),
                col(HOLDS_PREMIUM)
                    .sum()
                    .cast(DataType::Int64)
                    .alias(LICENSED_USERS),
                col(HOLDS_PREMIUM)
                    .not()
                    .sum()
                    .cast(DataType::Int64)
                    .alias(UNLICENSED),
            ])
            .sort([APPS_USED], SortMultipleOptions::default())
            .collect()?;
        let totals = per_user
            .clone()
            .select([
                len().cast(DataType::Int64).alias(USERS),
                col(HOLDS_PREMIUM)
                    .sum()
                    .cast(DataType::Int64)
                    .alias(LICENSED_USERS),
                col(HOLDS_PREMIUM)
                    .and(col(PAID_PREMIUM).fill_null(lit(false)))
                    .sum()
                    .cast(DataType::Int64)
                    .alias(HOLDERS_USING),
            ])
            .collect()?;
        let launches_by_week = self.launches_by_week(
            premium_holders
                .clone()
                .select([col(columns::USER_ID), col(HOLDS_PREMIUM)]),
        )?;
        let paid_holders = premium_holders
            .filter(col(PAID_PREMIUM))
            .select([len().cast(DataType::Int64).alias(HOLDERS)])
            .collect()?;
        let cost = self
            .findings
            .clone()
            .select([amount_of(FindingKind::MissingPremium).alias(COST_TO_COMPLY)])
            .collect()?;

        let rows = Rows::of(&by_apps);
        let by_apps_used = (0..rows.height)
            .map(|index| {
                Ok(AppsUsedRow {
                    apps: rows.integer(APPS_USED, index)?,
                    users: rows.integer(USERS, index)?,
                    licensed: rows.integer(LICENSED_USERS, index)?,
                    unlicensed: rows.integer(UNLICENSED, index)?,
                })
            })
            .collect::<PolarsResult<Vec<AppsUsedRow>>>()?;
        let totals = Row::first(&totals);
        let users = totals.integer(USERS)?;
        let licensed_users = totals.integer(LICENSED_USERS)?;
        Ok(PremiumUse {
            known: self.premium_use_known,
            users,
            licensed_users,
            unlicensed_users: users - licensed_users,
            monthly_cost_to_comply: Row::first(&cost).money(COST_TO_COMPLY)?,
            by_apps_used,
            premium_holders: Row::first(&paid_holders).integer(HOLDERS)?,
            premium_holders_using: Figure::when(
                self.premium_use_known,
                totals.integer(HOLDERS_USING)?,
            ),
            launches_by_week,
            unlicensed_use: self.unlicensed_use()?,
        })
    }
}

const INACTIVE_COUNT: &str = "inactive_holder_count";
const SINCE: &str = "since";
const WEEK: &str = "week";
const UNKNOWN_USERS: &str = "unknown_users";
const IN_USE: &str = "in_use";
const UNUSED_COUNT: &str = "unused_premium_count";
const REDUNDANT_COUNT: &str = "redundant_license_count";

/// Twelve months of a monthly amount.
fn yearly(monthly: Money) -> Money {
    Money(monthly.0 * 12)
}

/// `total / count`, rounded half away from zero to a micro-unit; `None` when `count` is 0.
fn per_unit(total: Money, count: i64) -> Option<Money> {
    if count <= 0 {
        return None;
    }
    let half = count / 2;
    let rounded = if total.0 >= 0 {
        (total.0 + half) / count
    } else {
        (total.0 - half) / count
    };
    Some(Money(rounded))
}

/// Typed reads of a collected frame's cells.
struct Rows<'a> {
    frame: &'a DataFrame,
    height: usize,
}

impl<'a> Rows<'a> {
    fn of(frame: &'a DataFrame) -> Rows<'a> {
        Rows {
            frame,
            height: frame.height(),
        }
    }

    fn string(&self, name: &str, index: usize) -> Option<String> {
        let column = self.frame.column(name).ok()?;
        column.str().ok()?.get(index).map(str::to_string)
    }

    fn boolean(&self, name: &str, index: usize) -> bool {
        self.frame
            .column(name)
            .ok()
            .and_then(|column| column.bool().ok().and_then(|values| values.get(index)))
            .unwrap_or(false)
    }

    fn optional_integer(&self, name: &str, index: usize) -> PolarsResult<Option<i64>> {
        let column = self.frame.column(name)?.cast(&DataType::Int64)?;
        Ok(column.i64()?.get(index))
    }

    fn integer(&self, name: &str, index: usize) -> PolarsResult<i64> {
        Ok(self.optional_integer(name, index)?.unwrap_or(0))
    }

    fn money(&self, name: &str, index: usize) -> PolarsResult<Money> {
        Ok(Money(self.integer(name, index)?))
    }

    /// A `Date` cell.
    fn date(&self, name: &str, index: usize) -> PolarsResult<Option<NaiveDate>> {
        let days = self.frame.column(name)?.cast(&DataType::Int32)?;
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
        Ok(days
            .i32()?
            .get(index)
            .map(|days| epoch + chrono::Duration::days(i64::from(days))))
    }
}

/// The one row of an aggregate frame.
struct Row<'a>(Rows<'a>);

impl<'a> Row<'a> {
    fn first(frame: &'a DataFrame) -> Row<'a> {
        Row(Rows::of(frame))
    }

    fn integer(&self, name: &str) -> PolarsResult<i64> {
        self.0.integer(name, 0)
    }

    fn money(&self, name: &str) -> PolarsResult<Money> {
        self.0.money(name, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_per_user_rounds_half_away_from_zero_to_a_micro_unit() {
        assert_eq!(per_unit(Money(10), 4), Some(Money(3)));
        assert_eq!(per_unit(Money(9), 6), Some(Money(2)));
        assert_eq!(per_unit(Money(504_500_000), 5), Some(Money(100_900_000)));
        assert_eq!(per_unit(Money(1), 0), None);
        assert_eq!(yearly(Money(20_000_000)), Money(240_000_000));
    }
}
