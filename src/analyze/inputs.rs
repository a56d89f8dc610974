//! The prepared frames every rule starts from: users with their activity, the SKU dimension
//! with prices, premium use per user, and the holders table joining them.
//!
//! The shared inputs are collected once here (each is read by several rules); the rules add
//! their filters lazily and the pipeline collects them together.

use super::evidence::Evidence;
use super::launch_owner;
use super::window::AuditWindow;
use crate::catalogue::Catalogue;
use crate::model::{Snapshot, columns};
use crate::money::Money;
use polars::prelude::*;
use std::collections::BTreeMap;

/// Department shown for users whose `department` is empty (never guessed).
pub const UNASSIGNED_DEPARTMENT: &str = "Unassigned";

// Derived column names, local to the analysis.
pub const IS_ACTIVE: &str = "is_active";
pub const IS_DISABLED: &str = "is_disabled";
pub const LAST_PREMIUM_USE: &str = "last_premium_use";
pub const PREMIUM_APPS_USED: &str = "premium_apps_used";
pub const LAUNCHED_IN_WINDOW: &str = "launched_in_window";
/// False for a SKU whose subscription is `Suspended`, `Deleted` or `LockedOut`: not paid for,
/// so its holders and seats are no savings.
pub const IS_PAID: &str = "is_paid";
/// Seats the tenant pays for: `prepaidUnits.enabled` plus the `warning` (grace period) seats,
/// zero for a SKU that is not paid.
pub const PURCHASED_SEATS: &str = "purchased_seats";

/// `capabilityStatus` values of subscriptions the tenant no longer pays for.
pub const UNPAID_STATUSES: [&str; 3] = ["Suspended", "Deleted", "LockedOut"];

/// The SKU's subscription no longer bills (one of [`UNPAID_STATUSES`]); false when unknown.
fn unpaid_status() -> PolarsResult<Expr> {
    Ok(col(columns::CAPABILITY_STATUS)
        .is_in(
            lit(Series::new("unpaid".into(), UNPAID_STATUSES)
                .implode()?
                .into_series()),
            false,
        )
        .fill_null(lit(false)))
}
/// `capabilityStatus` of a subscription in its grace period: still paid, but ending.
pub const ENDING_STATUS: &str = "Warning";
/// The `;`-joined sources (`direct`, group ids) of an assignment.
pub const SOURCES: &str = "sources";

/// What the rules read.
pub struct RuleInputs {
    /// Users with department label, `is_active`, `is_disabled`, times as Int64 milliseconds.
    pub users: LazyFrame,
    /// One row per SKU the tenant buys or any user holds: id, part number, display name,
    /// premium flag, price (null when unpriced), prepaid and consumed units, subscription
    /// status, `appliesTo`, whether it is paid and the seats paid for.
    pub skus: LazyFrame,
    /// Per directory user (SPEC §2 matching): `last_premium_use`, `premium_apps_used` (in the
    /// window).
    pub premium_use: LazyFrame,
    /// Every launch with its premium flag and its owner (see [`attributed_launches`]),
    /// attributed once for the rules and the data-quality counts.
    pub launches: LazyFrame,
    /// The owner of each launch identity, row `n` for identity `n` (see
    /// [`launch_owner::attribute`]): what is known of an unknown user is read here, not
    /// carried by millions of launch rows.
    pub launch_owners: DataFrame,
    /// Per (user, SKU) holding: its disabled plans, the user's columns the rules read
    /// ([`HOLDER_USER_COLUMNS`] and the flags of `users`), the SKU's ([`HOLDER_SKU_COLUMNS`])
    /// and the premium-use columns. Millions of rows: every column more costs tens of
    /// megabytes.
    pub holders: LazyFrame,
    pub window: AuditWindow,
    /// False when sign-in activity was not collected: only `disabled` can be told then.
    pub activity_known: bool,
    /// False without an app inventory or audit exports: premium use is then unknown.
    pub premium_use_known: bool,
    /// Part number, id and price of the license that covers premium use.
    pub premium_license: PremiumLicense,
}

#[derive(Debug, Clone)]
pub struct PremiumLicense {
    pub part_number: String,
    pub sku_id: String,
    pub monthly_price: Money,
}

/// The user columns a holding carries for the rules, beside the flags `is_active` and
/// `is_disabled`.
pub const HOLDER_USER_COLUMNS: [&str; 8] = [
    columns::USER_ID,
    columns::USER_PRINCIPAL_NAME,
    columns::DEPARTMENT,
    columns::ACCOUNT_ENABLED,
    columns::LAST_SIGN_IN,
    columns::LAST_ACTIVITY,
    columns::ACTIVITY_COUNTS_FAILED_ATTEMPTS,
    columns::HAS_SIGN_IN_TIMESTAMP,
];

/// The SKU columns a holding carries for the rules.
pub const HOLDER_SKU_COLUMNS: [&str; 7] = [
    columns::SKU_ID,
    columns::SKU_PART_NUMBER,
    columns::SKU_DISPLAY_NAME,
    columns::PREMIUM,
    columns::MONTHLY_PRICE,
    columns::APPLIES_TO,
    IS_PAID,
];

/// Epoch-millisecond view of a datetime column.
pub fn millis(name: &str) -> Expr {
    col(name).cast(DataType::Int64)
}

impl RuleInputs {
    pub fn prepare(
        snapshot: &Snapshot,
        catalogue: &Catalogue,
        prices: &BTreeMap<String, Money>,
        price_frame: DataFrame,
        window: AuditWindow,
        evidence: &Evidence,
    ) -> PolarsResult<RuleInputs> {
        let start = window.start_millis();
        let end = window.end_millis();
        let users = snapshot.users.clone().lazy().with_columns([
            when(
                col(columns::DEPARTMENT)
                    .is_null()
                    .or(col(columns::DEPARTMENT).eq(lit(""))),
            )
            .then(lit(UNASSIGNED_DEPARTMENT))
            .otherwise(col(columns::DEPARTMENT))
            .alias(columns::DEPARTMENT),
            millis(columns::LAST_ACTIVITY).alias(columns::LAST_ACTIVITY),
            millis(columns::LAST_SIGN_IN).alias(columns::LAST_SIGN_IN),
            millis(columns::LAST_ACTIVITY)
                .gt_eq(lit(start))
                .fill_null(lit(false))
                .alias(IS_ACTIVE),
            col(columns::ACCOUNT_ENABLED)
                .eq(lit(false))
                .fill_null(lit(false))
                .alias(IS_DISABLED),
        ]);

        let sku_ids = concat(
            [
                snapshot
                    .subscribed_skus
                    .clone()
                    .lazy()
                    .select([col(columns::SKU_ID)]),
                snapshot
                    .holdings
                    .clone()
                    .lazy()
                    .select([col(columns::SKU_ID)]),
                snapshot
                    .assignment_states
                    .clone()
                    .lazy()
                    .select([col(columns::SKU_ID)]),
            ],
            UnionArgs::default(),
        )?
        .unique(None, UniqueKeepStrategy::First);
        let skus = sku_ids
            .left_join(
                snapshot.subscribed_skus.clone().lazy(),
                col(columns::SKU_ID),
                col(columns::SKU_ID),
            )
            .left_join(
                catalogue.frame()?.lazy(),
                col(columns::SKU_ID),
                col(columns::SKU_ID),
            )
            .with_columns([
                coalesce(&[
                    col(columns::SKU_PART_NUMBER),
                    col(columns::CATALOGUE_PART_NUMBER),
                    col(columns::SKU_ID),
                ])
                .alias(columns::SKU_PART_NUMBER),
                col(columns::PREMIUM).fill_null(lit(false)),
                col(columns::PREPAID_ENABLED).fill_null(lit(0i64)),
                col(columns::PREPAID_WARNING).fill_null(lit(0i64)),
                col(columns::CONSUMED_UNITS).fill_null(lit(0i64)),
                unpaid_status()?.not().alias(IS_PAID),
            ])
            .with_column(
                when(col(IS_PAID))
                    .then(col(columns::PREPAID_ENABLED) + col(columns::PREPAID_WARNING))
                    .otherwise(lit(0i64))
                    .alias(PURCHASED_SEATS),
            )
            .with_column(
                col(columns::SKU_PART_NUMBER)
                    .str()
                    .to_lowercase()
                    .alias(columns::SKU_KEY),
            )
            .left_join(
                price_frame.lazy(),
                col(columns::SKU_KEY),
                col(columns::SKU_KEY),
            )
            .select([
                col(columns::SKU_ID),
                col(columns::SKU_PART_NUMBER),
                col(columns::SKU_DISPLAY_NAME),
                col(columns::PREMIUM),
                col(columns::MONTHLY_PRICE),
                col(columns::PREPAID_ENABLED),
                col(columns::PREPAID_WARNING),
                col(columns::CONSUMED_UNITS),
                col(columns::CAPABILITY_STATUS),
                col(columns::APPLIES_TO),
                col(IS_PAID),
                col(PURCHASED_SEATS),
            ]);

        let (launches, launch_owners) = attributed_launches(snapshot)?;
        let launches = launches.lazy();
        let premium_use = launches
            .clone()
            .filter(col(columns::USER_ID).is_not_null())
            // Rows are UTC days and the window's bounds are midnights: a day's first launch
            // places all of them.
            .filter(millis(columns::FIRST_LAUNCHED_AT).lt(lit(end)))
            .with_column(
                millis(columns::FIRST_LAUNCHED_AT)
                    .gt_eq(lit(start))
                    .alias(LAUNCHED_IN_WINDOW),
            )
            .filter(col(columns::APP_IS_PREMIUM))
            .group_by([col(columns::USER_ID)])
            .agg([
                millis(columns::LAST_LAUNCHED_AT)
                    .max()
                    .alias(LAST_PREMIUM_USE),
                col(columns::APP_ID)
                    .filter(col(LAUNCHED_IN_WINDOW))
                    .n_unique()
                    .cast(DataType::UInt32)
                    .alias(PREMIUM_APPS_USED),
            ]);

        let users = materialise(users)?;
        let skus = materialise(skus)?;
        let premium_use = materialise(premium_use)?;
        let holder_users = HOLDER_USER_COLUMNS
            .iter()
            .copied()
            .chain([IS_ACTIVE, IS_DISABLED])
            .map(col)
            .collect::<Vec<Expr>>();
        let holders = snapshot
            .holdings
            .clone()
            .lazy()
            .join(
                users.clone().select(holder_users),
                [col(columns::USER_ID)],
                [col(columns::USER_ID)],
                JoinArgs::new(JoinType::Inner),
            )
            .join(
                skus.clone().select(HOLDER_SKU_COLUMNS.map(col)),
                [col(columns::SKU_ID)],
                [col(columns::SKU_ID)],
                JoinArgs::new(JoinType::Inner),
            )
            .left_join(
                premium_use.clone(),
                col(columns::USER_ID),
                col(columns::USER_ID),
            )
            .with_column(col(PREMIUM_APPS_USED).fill_null(lit(0u32)));
        let holders = materialise(holders)?;

        let premium_license = PremiumLicense {
            part_number: crate::catalogue::POWER_APPS_PREMIUM.to_string(),
            sku_id: catalogue
                .sku_id_of(crate::catalogue::POWER_APPS_PREMIUM)
                .unwrap_or_default()
                .to_string(),
            monthly_price: prices
                .get(&crate::catalogue::POWER_APPS_PREMIUM.to_ascii_lowercase())
                .copied()
                .unwrap_or(Money::ZERO),
        };

        Ok(RuleInputs {
            users,
            skus,
            premium_use,
            launches,
            launch_owners,
            holders,
            window,
            activity_known: evidence.activity_known(),
            premium_use_known: evidence.premium_use_known(),
            premium_license,
        })
    }
}

/// Seats the tenant pays for, per lower-case part number (summed over its subscriptions):
/// `prepaidUnits.enabled` + `warning` of subscriptions that are paid. They choose the price
/// book's volume tier of each SKU (SPEC §2 `MinSeats`).
pub fn purchased_seats_by_part(snapshot: &Snapshot) -> PolarsResult<BTreeMap<String, i64>> {
    let seats = snapshot
        .subscribed_skus
        .clone()
        .lazy()
        .filter(col(columns::SKU_PART_NUMBER).is_not_null())
        .with_columns([
            col(columns::SKU_PART_NUMBER)
                .str()
                .to_lowercase()
                .alias(columns::SKU_KEY),
            when(unpaid_status()?)
                .then(lit(0i64))
                .otherwise(
                    col(columns::PREPAID_ENABLED).fill_null(lit(0i64))
                        + col(columns::PREPAID_WARNING).fill_null(lit(0i64)),
                )
                .alias(PURCHASED_SEATS),
        ])
        .group_by([col(columns::SKU_KEY)])
        .agg([col(PURCHASED_SEATS).sum()])
        .collect()?;
    let keys = seats.column(columns::SKU_KEY)?.str()?;
    let counts = seats.column(PURCHASED_SEATS)?.i64()?;
    Ok(keys
        .iter()
        .zip(counts.iter())
        .filter_map(|(key, count)| Some((key?.to_string(), count.unwrap_or(0))))
        .collect())
}

/// Computes a shared input once: every rule reads it, and a lazy plan would recompute it
/// per rule.
fn materialise(frame: LazyFrame) -> PolarsResult<LazyFrame> {
    Ok(frame.collect()?.lazy())
}

/// Launches with the app's premium flag (apps missing from the inventory are not premium).
pub fn premium_launches(snapshot: &Snapshot) -> PolarsResult<LazyFrame> {
    let launches = snapshot.launches.clone().lazy();
    let Some(apps) = &snapshot.apps else {
        return Ok(launches.with_column(lit(false).alias(columns::APP_IS_PREMIUM)));
    };
    let premium = apps
        .clone()
        .lazy()
        .filter(col(columns::APP_IS_PREMIUM))
        .select([col(columns::APP_ID)])
        .collect()?;
    Ok(launches
        .with_column(app_one_of(premium.column(columns::APP_ID)?)?.alias(columns::APP_IS_PREMIUM)))
}

/// Whether a row's [`columns::APP_ID`] is one of `app_ids` (false for a null id): a
/// set-membership test, since the inventory holds hundreds of apps and the launches millions
/// of rows, which a join would copy whole.
pub fn app_one_of(app_ids: &Column) -> PolarsResult<Expr> {
    let ids = app_ids.as_materialized_series().implode()?.into_series();
    Ok(col(columns::APP_ID)
        .is_in(lit(ids), false)
        .fill_null(lit(false)))
}

/// Premium-flagged launches with their owner (SPEC §2): [`columns::USER_ID`], null for users
/// not in the directory, [`launch_owner::OWNER_ORDER`] and [`launch_owner::UPN_DIFFERS`];
/// and the owners of the launch identities themselves, with [`launch_owner::UNKNOWN_USER`].
///
/// Owners are decided per launch identity, and each row takes its identity's by number.
pub fn attributed_launches(snapshot: &Snapshot) -> PolarsResult<(DataFrame, DataFrame)> {
    let owners = launch_owner::attribute(
        snapshot.launch_identities.clone().lazy(),
        snapshot.users.clone().lazy(),
    )
    .collect()?;
    let launches = premium_launches(snapshot)?.collect()?;
    let identities = launches.column(columns::LAUNCH_IDENTITY)?.idx()?;
    let row_owners = owners
        .select([
            columns::USER_ID,
            launch_owner::OWNER_ORDER,
            launch_owner::UPN_DIFFERS,
        ])?
        .take(identities)?;
    Ok((launches.hstack(row_owners.columns())?, owners))
}

/// Adds the sources of each (user, SKU) assignment to findings that have none yet, reading
/// only the assignment states of the pairs found (most holders are never a finding).
pub fn with_assignment_sources(
    findings: DataFrame,
    snapshot: &Snapshot,
) -> PolarsResult<DataFrame> {
    const FOUND_SOURCES: &str = "found_sources";
    let pairs = findings
        .clone()
        .lazy()
        .filter(
            col(SOURCES)
                .is_null()
                .and(col(columns::USER_ID).is_not_null()),
        )
        .select([col(columns::USER_ID), col(columns::SKU_ID)])
        .unique(None, UniqueKeepStrategy::Any);
    let sources = snapshot
        .assignment_states
        .clone()
        .lazy()
        .join(
            pairs,
            [col(columns::USER_ID), col(columns::SKU_ID)],
            [col(columns::USER_ID), col(columns::SKU_ID)],
            JoinArgs::new(JoinType::Semi),
        )
        .group_by([col(columns::USER_ID), col(columns::SKU_ID)])
        .agg([col(columns::ASSIGNED_BY)
            .unique()
            .str()
            .join(";", true)
            .alias(FOUND_SOURCES)]);
    findings
        .lazy()
        .join(
            sources,
            [col(columns::USER_ID), col(columns::SKU_ID)],
            [col(columns::USER_ID), col(columns::SKU_ID)],
            JoinArgs::new(JoinType::Left).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .with_column(coalesce(&[col(SOURCES), col(FOUND_SOURCES)]).alias(SOURCES))
        .drop(cols([FOUND_SOURCES]))
        .collect()
}
