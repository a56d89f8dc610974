//! `right-size` (SPEC §8): a holder of per-user Power Apps Premium, not already in a reclaim
//! kind, whose premium use would cost less under another license.
//!
//! The use is counted over the calendar months wholly inside the window: for each month, the
//! distinct premium apps the user opened. It is priced three ways, in the price book's
//! currency:
//! - **per user**: `POWERAPPS_PER_USER` at the tier the tenant's purchased seats reach;
//! - **pay-as-you-go**: the `POWERAPPS_PAYG` price × the apps opened in a month, averaged over
//!   the months (a month without a launch costs nothing). A user who keeps a Dynamics 365
//!   license with Power Apps rights is not charged. Without a `POWERAPPS_PAYG` row this option
//!   is not considered;
//! - **per app**: the price of a per app pass the book says is purchasable × the most apps
//!   opened in one month; not considered when no per app plan is purchasable.
//!
//! The options are compared exactly, as totals over the months (never as rounded averages).
//! The cheapest wins; on a tie the current license stays (no finding). The amount is the
//! per-user price less the cheapest option's monthly average, that average rounded half up to
//! a micro-unit. Without usage evidence (premium use or sign-in activity unknown, no whole
//! month in the window, no premium launch in those months) there is no recommendation.
//!
//! The rule runs after the other rules are collected: it reads their reclaim findings (a pair
//! already in one is a saving already) and the `missing-premium` users, whom the tenant-level
//! [`LicenseMix`] prices too.

use super::super::finding::FindingKind;
use super::super::inputs::{IS_PAID, RuleInputs, millis};
use super::super::license_mix::{CoverOption, LicenseMix, MixOption, OptionPrice};
use super::{FindingColumns, KIND, NOTE, REASON};
use crate::catalogue::coverage::BUNDLED_COVERAGE_PLANS_CSV;
use crate::catalogue::{POWER_APPS_PREMIUM, PriceBook};
use crate::model::columns;
use crate::money::Money;
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// The price book's pay-as-you-go meter: per active user per app per month.
pub const PAY_AS_YOU_GO_PART: &str = "POWERAPPS_PAYG";
/// Per app plans, newest first: the cheapest purchasable one is considered.
pub const PER_APP_PARTS: [&str; 2] = ["POWERAPPS_PER_APP_NEW", "POWERAPPS_PER_APP"];
/// Service plans that give a Dynamics 365 license's holder Power Apps rights, so that
/// pay-as-you-go does not charge them (MICROSOFT.md §3.2, §5.1). Team-member plans
/// (`POWERAPPS_DYN_TEAM`) are restricted use and do not count.
pub const DYNAMICS_POWER_APPS_PLANS: [&str; 4] = [
    "POWERAPPS_DYN_APPS",
    "POWERAPPS_DYN_APPS_GOV",
    "POWERAPPS_DYN_P2",
    "POWERAPPS_DYN_P2_GOV",
];
/// Two options are within this share of a break-even when their costs differ by at most
/// 1/10 of the dearer one.
pub const BREAK_EVEN_SHARE_DENOMINATOR: i128 = 10;

// Columns of the rule's own rows, before the finding layout.
pub const CURRENT_MONTHLY_COST: &str = "current_monthly_cost";
pub const CHEAPEST_PART_NUMBER: &str = "cheapest_part_number";
pub const CHEAPEST_MONTHLY_COST: &str = "cheapest_monthly_cost";
pub const WHOLE_MONTHS: &str = "whole_months";
const MONTH: &str = "month";
const APPS: &str = "apps";
const AMOUNT: &str = "amount";

/// The rule's findings (in the finding layout) and the tenant-level table.
pub struct RightSize {
    pub findings: LazyFrame,
    /// `None` without usage evidence or without a per-user price.
    pub mix: Option<LicenseMix>,
}

/// A month as `year × 12 + month − 1`, so consecutive months are consecutive numbers.
pub type MonthIndex = i32;

/// The calendar months wholly inside the window from `first_day` to `as_of`, inclusive.
pub fn whole_months(first_day: NaiveDate, as_of: NaiveDate) -> Vec<MonthIndex> {
    let index = |date: NaiveDate| date.year() * 12 + i32::try_from(date.month0()).unwrap_or(0);
    let mut first = index(first_day);
    if first_day.day() != 1 {
        first += 1;
    }
    let mut last = index(as_of);
    let ends_month = as_of
        .succ_opt()
        .is_some_and(|next| next.month() != as_of.month());
    if !ends_month {
        last -= 1;
    }
    (first..=last).collect()
}

/// `YYYY-MM` of a month index.
pub fn month_text(month: MonthIndex) -> String {
    format!(
        "{:04}-{:02}",
        month.div_euclid(12),
        month.rem_euclid(12) + 1
    )
}

/// The prices of the options considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionPrices {
    pub per_user: Money,
    /// `None`: the book has no `POWERAPPS_PAYG` row, so pay-as-you-go is not considered.
    pub pay_as_you_go: Option<Money>,
    /// `None`: no per app plan is purchasable.
    pub per_app: Option<Money>,
}

/// One user's premium use: distinct premium apps per whole month (zero for a month without a
/// launch), and whether a license they keep spares them pay-as-you-go charges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserUse {
    pub apps_by_month: Vec<u32>,
    pub pay_as_you_go_covered: bool,
}

/// One user's use priced every way considered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedUse {
    /// Each option considered with its monthly cost (averaged over the months, rounded half
    /// up to a micro-unit), in [`CoverOption::ALL`] order.
    pub costs: Vec<(CoverOption, Money)>,
    /// The cheapest option; per user on a tie with it.
    pub cheapest: CoverOption,
    pub cheapest_cost: Money,
    /// The two cheapest options differ by at most a tenth of the dearer one.
    pub near_break_even: bool,
}

/// Prices `usage` every way `prices` allows. Totals over the months decide, exactly.
pub fn price_use(usage: &UserUse, prices: OptionPrices) -> PricedUse {
    let months = i128::try_from(usage.apps_by_month.len().max(1)).unwrap_or(1);
    let app_months: i128 = usage
        .apps_by_month
        .iter()
        .map(|apps| i128::from(*apps))
        .sum();
    let most_apps = i128::from(usage.apps_by_month.iter().copied().max().unwrap_or(0));
    let mut totals: Vec<(CoverOption, i128)> =
        vec![(CoverOption::PerUser, i128::from(prices.per_user.0) * months)];
    if let Some(price) = prices.pay_as_you_go {
        let charged = if usage.pay_as_you_go_covered {
            0
        } else {
            app_months
        };
        totals.push((CoverOption::PayAsYouGo, i128::from(price.0) * charged));
    }
    if let Some(price) = prices.per_app {
        totals.push((
            CoverOption::PerApp,
            i128::from(price.0) * most_apps * months,
        ));
    }
    // The first minimum in `ALL` order wins, so a tie keeps the current license.
    let (cheapest, cheapest_total) = totals
        .iter()
        .copied()
        .fold(
            None,
            |best: Option<(CoverOption, i128)>, candidate| match best {
                Some(known) if known.1 <= candidate.1 => Some(known),
                _ => Some(candidate),
            },
        )
        .unwrap_or((CoverOption::PerUser, 0));
    let mut sorted: Vec<i128> = totals.iter().map(|(_, total)| *total).collect();
    sorted.sort_unstable();
    let near_break_even = match sorted.as_slice() {
        [lowest, next, ..] => (next - lowest) * BREAK_EVEN_SHARE_DENOMINATOR <= *next,
        _ => false,
    };
    let average = |total: i128| {
        let rounded = (total + months / 2) / months;
        Money(i64::try_from(rounded).unwrap_or(i64::MAX))
    };
    PricedUse {
        costs: totals
            .iter()
            .map(|(option, total)| (*option, average(*total)))
            .collect(),
        cheapest,
        cheapest_cost: average(cheapest_total),
        near_break_even,
    }
}

/// The SKU ids whose plans (in the bundled coverage tables) include one of
/// [`DYNAMICS_POWER_APPS_PLANS`].
pub fn dynamics_power_apps_sku_ids() -> BTreeSet<String> {
    // Rows are `SkuPartNumber,SkuId,ServicePlanName,ServicePlanId`; plan names and GUIDs hold
    // no comma, so reading from the right is safe whatever the part number's quoting.
    BUNDLED_COVERAGE_PLANS_CSV
        .lines()
        .filter_map(|line| {
            let mut fields = line.rsplitn(4, ',');
            let _plan_id = fields.next()?;
            let plan_name = fields.next()?.trim();
            let sku_id = fields.next()?.trim();
            DYNAMICS_POWER_APPS_PLANS
                .contains(&plan_name)
                .then(|| sku_id.to_ascii_lowercase())
        })
        .collect()
}

/// The option prices the book gives on the as-of date, with what the mix reports of them.
fn option_prices(
    book: &PriceBook,
    as_of: NaiveDate,
    seats: &BTreeMap<String, i64>,
) -> Option<(OptionPrices, Vec<OptionPrice>, i64)> {
    let seats_of = |part: &str| seats.get(&part.to_ascii_lowercase()).copied().unwrap_or(0);
    let described = |option: CoverOption, entry: &crate::catalogue::PriceEntry| OptionPrice {
        option,
        part_number: entry.part_number.clone(),
        monthly_price: entry.monthly_price,
        min_seats: entry.min_seats,
        source: entry.source.clone(),
    };
    let per_user_seats = seats_of(POWER_APPS_PREMIUM);
    let per_user = book
        .entry_for_seats(POWER_APPS_PREMIUM, as_of, per_user_seats)
        .filter(|entry| entry.monthly_price > Money::ZERO)?;
    let pay_as_you_go = book.entry_for_seats(PAY_AS_YOU_GO_PART, as_of, 0);
    let per_app = PER_APP_PARTS
        .iter()
        .filter_map(|part| book.entry_for_seats(part, as_of, seats_of(part)))
        .filter(|entry| entry.purchasable && entry.monthly_price > Money::ZERO)
        .min_by_key(|entry| entry.monthly_price);
    let mut described_prices = vec![described(CoverOption::PerUser, per_user)];
    described_prices.extend(pay_as_you_go.map(|entry| described(CoverOption::PayAsYouGo, entry)));
    described_prices.extend(per_app.map(|entry| described(CoverOption::PerApp, entry)));
    let prices = OptionPrices {
        per_user: per_user.monthly_price,
        pay_as_you_go: pay_as_you_go.map(|entry| entry.monthly_price),
        per_app: per_app.map(|entry| entry.monthly_price),
    };
    Some((prices, described_prices, per_user_seats))
}

/// Distinct premium apps per (directory user, whole month).
fn apps_by_user_month(
    inputs: &RuleInputs,
    months: &[MonthIndex],
) -> PolarsResult<BTreeMap<String, BTreeMap<MonthIndex, u32>>> {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return Ok(BTreeMap::new());
    };
    let month_start = |month: MonthIndex| {
        let month_of_year = u32::try_from(month.rem_euclid(12)).unwrap_or(0) + 1;
        NaiveDate::from_ymd_opt(month.div_euclid(12), month_of_year, 1)
            .map_or(0, crate::support::timestamp::date_start_millis)
    };
    let counts = inputs
        .launches
        .clone()
        .filter(
            col(columns::USER_ID)
                .is_not_null()
                .and(col(columns::APP_IS_PREMIUM))
                .and(millis(columns::FIRST_LAUNCHED_AT).gt_eq(lit(month_start(*first))))
                .and(millis(columns::FIRST_LAUNCHED_AT).lt(lit(month_start(last + 1)))),
        )
        .with_column(
            (col(columns::LAUNCH_DAY).dt().year().cast(DataType::Int32) * lit(12i32)
                + col(columns::LAUNCH_DAY).dt().month().cast(DataType::Int32)
                - lit(1i32))
            .alias(MONTH),
        )
        .group_by([col(columns::USER_ID), col(MONTH)])
        .agg([col(columns::APP_ID)
            .n_unique()
            .cast(DataType::UInt32)
            .alias(APPS)])
        .collect()?;
    let users = counts.column(columns::USER_ID)?.str()?;
    let month_column = counts.column(MONTH)?.i32()?;
    let apps = counts.column(APPS)?.u32()?;
    let mut by_user: BTreeMap<String, BTreeMap<MonthIndex, u32>> = BTreeMap::new();
    for row in 0..counts.height() {
        if let (Some(user), Some(month), Some(count)) =
            (users.get(row), month_column.get(row), apps.get(row))
        {
            by_user
                .entry(user.to_string())
                .or_default()
                .insert(month, count);
        }
    }
    Ok(by_user)
}

/// The strings of one column of `frame`'s rows where `keep` holds.
fn strings_where(frame: LazyFrame, keep: Expr, name: &str) -> PolarsResult<BTreeSet<String>> {
    let picked = frame.filter(keep).select([col(name)]).collect()?;
    Ok(picked
        .column(name)?
        .str()?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect())
}

/// One `right-size` row before the finding layout.
struct Recommendation {
    user_id: String,
    sku_id: String,
    reason: CoverOption,
    amount: Money,
    current: Money,
    cheapest_part: String,
    cheapest_cost: Money,
    note: String,
}

/// Runs the rule. `found` is the other rules' findings, collected, in the finding layout.
pub fn find(
    inputs: &RuleInputs,
    book: &PriceBook,
    seats: &BTreeMap<String, i64>,
    found: &DataFrame,
) -> PolarsResult<RightSize> {
    let months = whole_months(inputs.window.first_day(), inputs.window.as_of);
    let evidence = inputs.premium_use_known && inputs.activity_known && !months.is_empty();
    let priced = option_prices(book, inputs.window.as_of, seats);
    let (Some((prices, described_prices, per_user_seats)), true) = (priced, evidence) else {
        return Ok(RightSize {
            findings: layout(inputs, &[], 0)?,
            mix: None,
        });
    };
    let part_of = |option: CoverOption| {
        described_prices
            .iter()
            .find(|price| price.option == option)
            .map(|price| price.part_number.clone())
            .unwrap_or_default()
    };

    let reclaim_kinds: Vec<&str> = FindingKind::ALL
        .iter()
        .filter(|kind| kind.is_reclaim())
        .map(|kind| kind.as_str())
        .collect();
    let reclaimed = found
        .clone()
        .lazy()
        .filter(
            col(KIND).is_in(
                lit(Series::new("reclaim".into(), reclaim_kinds)
                    .implode()?
                    .into_series()),
                false,
            ),
        )
        .select([col(columns::USER_ID), col(columns::SKU_ID)]);
    let holders = inputs
        .holders
        .clone()
        .filter(
            col(columns::SKU_PART_NUMBER)
                .str()
                .to_lowercase()
                .eq(lit(POWER_APPS_PREMIUM.to_ascii_lowercase()))
                .and(col(IS_PAID)),
        )
        .join(
            reclaimed,
            [col(columns::USER_ID), col(columns::SKU_ID)],
            [col(columns::USER_ID), col(columns::SKU_ID)],
            JoinArgs::new(JoinType::Anti),
        )
        .select([col(columns::USER_ID), col(columns::SKU_ID)])
        .collect()?;
    let unlicensed = strings_where(
        found.clone().lazy(),
        col(KIND).eq(lit(FindingKind::MissingPremium.as_str())),
        columns::USER_ID,
    )?;
    let dynamics_ids: Vec<String> = dynamics_power_apps_sku_ids().into_iter().collect();
    let covered = strings_where(
        inputs.holders.clone(),
        col(columns::SKU_ID).is_in(
            lit(Series::new("dynamics".into(), dynamics_ids)
                .implode()?
                .into_series()),
            false,
        ),
        columns::USER_ID,
    )?;
    let use_by_user = apps_by_user_month(inputs, &months)?;
    let use_of = |user: &str| UserUse {
        apps_by_month: months
            .iter()
            .map(|month| {
                use_by_user
                    .get(user)
                    .and_then(|by_month| by_month.get(month))
                    .copied()
                    .unwrap_or(0)
            })
            .collect(),
        pay_as_you_go_covered: covered.contains(user),
    };

    let mut mix = Tally::default();
    let mut recommendations = Vec::new();
    let holder_users = holders.column(columns::USER_ID)?.str()?;
    let holder_skus = holders.column(columns::SKU_ID)?.str()?;
    for row in 0..holders.height() {
        let (Some(user), Some(sku)) = (holder_users.get(row), holder_skus.get(row)) else {
            continue;
        };
        let usage = use_of(user);
        let Some(priced) = mix.add(&usage, prices, true) else {
            continue;
        };
        if priced.cheapest == CoverOption::PerUser || priced.cheapest_cost >= prices.per_user {
            continue;
        }
        let counts: Vec<String> = usage
            .apps_by_month
            .iter()
            .map(|apps| apps.to_string())
            .collect();
        let mut note = format!(
            "premium apps opened a month ({}): {}",
            months
                .iter()
                .map(|month| month_text(*month))
                .collect::<Vec<_>>()
                .join(", "),
            counts.join(", ")
        );
        if priced.cheapest == CoverOption::PayAsYouGo && usage.pay_as_you_go_covered {
            note.push_str(
                "; pay-as-you-go does not charge this user, who keeps a Dynamics 365 license with Power Apps rights (limited to Dynamics 365 app contexts: check the apps' environments)",
            );
        }
        if priced.near_break_even {
            note.push_str("; within 10 % of a break-even");
        }
        recommendations.push(Recommendation {
            user_id: user.to_string(),
            sku_id: sku.to_string(),
            reason: priced.cheapest,
            amount: Money(prices.per_user.0 - priced.cheapest_cost.0),
            current: prices.per_user,
            cheapest_part: part_of(priced.cheapest),
            cheapest_cost: priced.cheapest_cost,
            note,
        });
    }
    for user in &unlicensed {
        mix.add(&use_of(user), prices, false);
    }
    let considered: Vec<CoverOption> = described_prices.iter().map(|price| price.option).collect();
    let mix = LicenseMix {
        months: months.iter().map(|month| month_text(*month)).collect(),
        prices: described_prices,
        per_user_seats,
        users: mix.holders + mix.unlicensed,
        holders: mix.holders,
        unlicensed: mix.unlicensed,
        cost_today: prices
            .per_user
            .times(i64::try_from(mix.holders).unwrap_or(i64::MAX)),
        cost_all_per_user: prices
            .per_user
            .times(i64::try_from(mix.holders + mix.unlicensed).unwrap_or(i64::MAX)),
        cost_cheapest_mix: mix.by_option.values().map(|(_, cost)| *cost).sum(),
        by_option: considered
            .into_iter()
            .map(|option| {
                let (users, monthly_cost) = mix
                    .by_option
                    .get(&option)
                    .copied()
                    .unwrap_or((0, Money::ZERO));
                MixOption {
                    option,
                    users,
                    monthly_cost,
                }
            })
            .collect(),
        near_break_even: mix.near_break_even,
        without_use_in_months: mix.without_use,
    };
    Ok(RightSize {
        findings: layout(inputs, &recommendations, months.len())?,
        mix: Some(mix),
    })
}

/// The tenant table's running counts.
#[derive(Default)]
struct Tally {
    holders: usize,
    unlicensed: usize,
    without_use: usize,
    near_break_even: usize,
    by_option: BTreeMap<CoverOption, (usize, Money)>,
}

impl Tally {
    /// Prices one user and counts them; `None` when they opened no premium app in the months.
    fn add(&mut self, usage: &UserUse, prices: OptionPrices, holder: bool) -> Option<PricedUse> {
        if usage.apps_by_month.iter().all(|apps| *apps == 0) {
            self.without_use += 1;
            return None;
        }
        let priced = price_use(usage, prices);
        if holder {
            self.holders += 1;
        } else {
            self.unlicensed += 1;
        }
        if priced.near_break_even {
            self.near_break_even += 1;
        }
        let entry = self
            .by_option
            .entry(priced.cheapest)
            .or_insert((0, Money::ZERO));
        entry.0 += 1;
        entry.1 = entry.1 + priced.cheapest_cost;
        Some(priced)
    }
}

/// The recommendations in the finding layout, with the holder's columns.
fn layout(
    inputs: &RuleInputs,
    recommendations: &[Recommendation],
    months: usize,
) -> PolarsResult<LazyFrame> {
    let text = |pick: fn(&Recommendation) -> String| {
        recommendations.iter().map(pick).collect::<Vec<String>>()
    };
    let money = |pick: fn(&Recommendation) -> Money| {
        recommendations
            .iter()
            .map(|recommendation| pick(recommendation).0)
            .collect::<Vec<i64>>()
    };
    let rows = DataFrame::new_infer_height(vec![
        Column::new(columns::USER_ID.into(), text(|row| row.user_id.clone())),
        Column::new(columns::SKU_ID.into(), text(|row| row.sku_id.clone())),
        Column::new(REASON.into(), text(|row| row.reason.as_str().to_string())),
        Column::new(AMOUNT.into(), money(|row| row.amount)),
        Column::new(CURRENT_MONTHLY_COST.into(), money(|row| row.current)),
        Column::new(
            CHEAPEST_PART_NUMBER.into(),
            text(|row| row.cheapest_part.clone()),
        ),
        Column::new(CHEAPEST_MONTHLY_COST.into(), money(|row| row.cheapest_cost)),
        Column::new(NOTE.into(), text(|row| row.note.clone())),
    ])?;
    let candidates = rows.lazy().join(
        inputs.holders.clone(),
        [col(columns::USER_ID), col(columns::SKU_ID)],
        [col(columns::USER_ID), col(columns::SKU_ID)],
        JoinArgs::new(JoinType::Inner),
    );
    Ok(FindingColumns {
        reason: col(REASON),
        monthly_amount: col(AMOUNT),
        note: col(NOTE),
        current_monthly_cost: col(CURRENT_MONTHLY_COST),
        cheapest_part_number: col(CHEAPEST_PART_NUMBER),
        cheapest_monthly_cost: col(CHEAPEST_MONTHLY_COST),
        whole_months: lit(u32::try_from(months).unwrap_or(u32::MAX)),
        ..FindingColumns::for_user_and_sku()
    }
    .select(FindingKind::RightSize, candidates))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
    }

    fn money(text: &str) -> Money {
        Money::parse(text).unwrap_or_default()
    }

    fn usage(apps_by_month: &[u32]) -> UserUse {
        UserUse {
            apps_by_month: apps_by_month.to_vec(),
            pay_as_you_go_covered: false,
        }
    }

    const PRICES: OptionPrices = OptionPrices {
        per_user: Money(20_000_000),
        pay_as_you_go: Some(Money(10_000_000)),
        per_app: None,
    };

    #[test]
    fn only_months_wholly_inside_the_window_count() {
        let texts = |months: Vec<MonthIndex>| -> Vec<String> {
            months.into_iter().map(month_text).collect()
        };
        // The sample's window: 2026-08-04 to 2026-11-01.
        assert_eq!(
            texts(whole_months(date(2026, 8, 4), date(2026, 11, 1))),
            ["2026-09", "2026-10"]
        );
        // A window starting on a first and ending on a last day keeps both ends.
        assert_eq!(
            texts(whole_months(date(2026, 9, 1), date(2026, 11, 30))),
            ["2026-09", "2026-10", "2026-11"]
        );
        // Across a new year, and February's last day.
        assert_eq!(
            texts(whole_months(date(2025, 12, 1), date(2026, 2, 28))),
            ["2025-12", "2026-01", "2026-02"]
        );
        assert!(whole_months(date(2026, 10, 15), date(2026, 11, 10)).is_empty());
    }

    #[test]
    fn a_month_without_launches_averages_in_as_nothing() {
        // One app in the first of three months: 10 / 3 = 3.333333 (rounded half up to a
        // micro-unit), against 20 per user.
        let priced = price_use(&usage(&[1, 0, 0]), PRICES);
        assert_eq!(priced.cheapest, CoverOption::PayAsYouGo);
        assert_eq!(priced.cheapest_cost, Money(3_333_333));
        // Two apps in one of three months: 20 / 3 = 6.666667.
        assert_eq!(
            price_use(&usage(&[2, 0, 0]), PRICES).cheapest_cost,
            Money(6_666_667)
        );
    }

    #[test]
    fn a_tie_keeps_the_per_user_license_and_counts_as_a_break_even() {
        // 1 + 3 apps over two months: (10 + 30) / 2 = 20, the per-user price.
        let priced = price_use(&usage(&[1, 3]), PRICES);
        assert_eq!(priced.cheapest, CoverOption::PerUser);
        assert_eq!(priced.cheapest_cost, money("20"));
        assert!(priced.near_break_even);
        // 21 vs 20 over three months: within a tenth; 23 vs 20 is not.
        let near = OptionPrices {
            per_user: money("21"),
            ..PRICES
        };
        assert!(price_use(&usage(&[2, 2, 2]), near).near_break_even);
        let far = OptionPrices {
            per_user: money("23"),
            ..PRICES
        };
        assert!(!price_use(&usage(&[2, 2, 2]), far).near_break_even);
    }

    #[test]
    fn per_app_is_the_most_apps_in_one_month_and_loses_a_tie_to_pay_as_you_go() {
        let prices = OptionPrices {
            per_app: Some(money("5")),
            ..PRICES
        };
        // Pay-as-you-go (1 + 3) × 10 / 2 = 20; per app 3 × 5 = 15.
        let priced = price_use(&usage(&[1, 3]), prices);
        assert_eq!(priced.cheapest, CoverOption::PerApp);
        assert_eq!(priced.cheapest_cost, money("15"));
        assert_eq!(
            priced.costs,
            vec![
                (CoverOption::PerUser, money("20")),
                (CoverOption::PayAsYouGo, money("20")),
                (CoverOption::PerApp, money("15")),
            ]
        );
        // One app each month at 10 a pass: per app 10 ties pay-as-you-go 10, which wins.
        let dear_pass = OptionPrices {
            per_app: Some(money("10")),
            ..PRICES
        };
        assert_eq!(
            price_use(&usage(&[1, 1]), dear_pass).cheapest,
            CoverOption::PayAsYouGo
        );
    }

    #[test]
    fn a_user_covered_by_dynamics_pays_no_pay_as_you_go() {
        let covered = UserUse {
            apps_by_month: vec![4, 4],
            pay_as_you_go_covered: true,
        };
        let priced = price_use(&covered, PRICES);
        assert_eq!(priced.cheapest, CoverOption::PayAsYouGo);
        assert_eq!(priced.cheapest_cost, Money::ZERO);
    }

    #[test]
    fn dynamics_skus_with_power_apps_rights_come_from_the_coverage_plans() {
        let ids = dynamics_power_apps_sku_ids();
        // Dynamics 365 Sales Enterprise (POWERAPPS_DYN_APPS) and Customer Engagement Plan
        // (POWERAPPS_DYN_P2) count; Team Members (POWERAPPS_DYN_TEAM only) does not.
        assert!(ids.contains("1e1a282c-9c54-43a2-9310-98ef728faace"));
        assert!(ids.contains("ea126fc5-a19e-42e2-a731-da9d437bffcf"));
        assert!(!ids.contains("7ac9fe77-66b7-4e5e-9e46-10eed1cff547"));
        // Power Apps Premium itself is not a Dynamics license.
        assert!(!ids.contains("b30411f5-fea1-4a59-9ad9-3db7c7ead579"));
    }
}
