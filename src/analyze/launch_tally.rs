//! The launch counts of data quality (see [`super::quality`]), taken in one pass over the
//! attributed launch rows.
//!
//! A large tenant has millions of launch rows. Counting them as frame expressions, each count
//! casting and filtering the rows for itself and all of them side by side, held hundreds of
//! megabytes at the audit's busiest moment; one walk over the columns holds nothing but the
//! counts and the distinct unknown apps and identities.

use super::launch_owner::UPN_DIFFERS;
use super::window::AuditWindow;
use crate::model::columns;
use polars::prelude::*;
use std::collections::HashSet;

/// A set hashed for speed: it is asked once per launch row.
type FastSet<T> = HashSet<T, foldhash::fast::RandomState>;

/// What the launch rows say about the data's gaps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaunchTally {
    /// Launches in the window.
    pub in_window: usize,
    /// Launches on or after the window's end (the as-of date's next midnight).
    pub after_as_of: usize,
    /// Launches in the window by users not in the directory.
    pub unknown_user_launches: usize,
    /// Of those, launches of premium apps.
    pub unknown_user_premium_launches: usize,
    /// The launch identities of those launches, ascending.
    pub unknown_user_identities: Vec<IdxSize>,
    /// Launches in the window of apps the inventory does not list.
    pub unknown_app_launches: usize,
    /// Distinct such apps (a launch naming no app counts as one).
    pub unknown_apps: usize,
    /// Launches whose records name the user by another principal name than the directory's.
    pub upn_differs: usize,
}

/// Counts `launches` (the analysis' attributed launch rows, see
/// [`super::inputs::attributed_launches`]) against `window`; `inventory` holds the app ids of
/// the inventory (`None` without one: no app is in it). A row's first launch places all of its
/// launches: rows are UTC days and the window's bounds are midnights.
pub fn tally(
    launches: &DataFrame,
    inventory: Option<&StringChunked>,
    window: AuditWindow,
) -> PolarsResult<LaunchTally> {
    let inventory: FastSet<&str> = inventory
        .map(|ids| ids.iter().flatten().collect())
        .unwrap_or_default();
    let (start, end) = (window.start_millis(), window.end_millis());
    let first_launched = launches
        .column(columns::FIRST_LAUNCHED_AT)?
        .datetime()?
        .physical();
    let counts = launches.column(columns::LAUNCHES)?.u32()?;
    let owners = launches.column(columns::USER_ID)?.str()?;
    let apps = launches.column(columns::APP_ID)?.str()?;
    let premium = launches.column(columns::APP_IS_PREMIUM)?.bool()?;
    let upn_differs = launches.column(UPN_DIFFERS)?.bool()?;
    let identities = launches.column(columns::LAUNCH_IDENTITY)?.idx()?;

    let mut tally = LaunchTally::default();
    let mut unknown_apps: FastSet<Option<&str>> = FastSet::default();
    let mut unknown_identities: FastSet<IdxSize> = FastSet::default();
    let rows = first_launched
        .iter()
        .zip(counts.iter())
        .zip(owners.iter().zip(apps.iter()))
        .zip(premium.iter().zip(upn_differs.iter()))
        .zip(identities.iter());
    for ((((first, count), (owner, app)), (premium, upn_differs)), identity) in rows {
        let count = count.map_or(0, |count| count as usize);
        if upn_differs == Some(true) {
            tally.upn_differs += count;
        }
        let Some(first) = first else { continue };
        if first >= end {
            tally.after_as_of += count;
            continue;
        }
        if first < start {
            continue;
        }
        tally.in_window += count;
        if owner.is_none() {
            tally.unknown_user_launches += count;
            if premium == Some(true) {
                tally.unknown_user_premium_launches += count;
            }
            if let Some(identity) = identity {
                unknown_identities.insert(identity);
            }
        }
        if !app.is_some_and(|app| inventory.contains(app)) {
            tally.unknown_app_launches += count;
            unknown_apps.insert(app);
        }
    }
    tally.unknown_apps = unknown_apps.len();
    tally.unknown_user_identities = unknown_identities.into_iter().collect();
    tally.unknown_user_identities.sort_unstable();
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::{LaunchTally, tally};
    use crate::analyze::launch_owner::UPN_DIFFERS;
    use crate::analyze::window::AuditWindow;
    use crate::model::columns;
    use chrono::NaiveDate;
    use polars::prelude::*;

    const DAY: i64 = 86_400_000;

    /// Rows of (first launch, launches, owner, app, premium, UPN differs, identity).
    type Row = (
        i64,
        u32,
        Option<&'static str>,
        Option<&'static str>,
        bool,
        Option<bool>,
        IdxSize,
    );

    fn launches(rows: &[Row]) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            Column::new(
                columns::FIRST_LAUNCHED_AT.into(),
                rows.iter().map(|row| row.0).collect::<Vec<i64>>(),
            )
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?,
            Column::new(
                columns::LAUNCHES.into(),
                rows.iter().map(|row| row.1).collect::<Vec<u32>>(),
            ),
            Column::new(
                columns::USER_ID.into(),
                rows.iter().map(|row| row.2).collect::<Vec<_>>(),
            ),
            Column::new(
                columns::APP_ID.into(),
                rows.iter().map(|row| row.3).collect::<Vec<_>>(),
            ),
            Column::new(
                columns::APP_IS_PREMIUM.into(),
                rows.iter().map(|row| row.4).collect::<Vec<_>>(),
            ),
            Column::new(
                UPN_DIFFERS.into(),
                rows.iter().map(|row| row.5).collect::<Vec<_>>(),
            ),
            IdxCa::from_vec(
                columns::LAUNCH_IDENTITY.into(),
                rows.iter().map(|row| row.6).collect(),
            )
            .into_column(),
        ])
    }

    /// The 30 days up to and including 2026-11-01.
    fn window() -> AuditWindow {
        AuditWindow {
            as_of: NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date"),
            days: 30,
        }
    }

    #[test]
    fn each_launch_counted_where_its_day_falls() -> PolarsResult<()> {
        let window = window();
        let (start, end) = (window.start_millis(), window.end_millis());
        let inventory = StringChunked::new(PlSmallStr::EMPTY, ["app-a"]);
        let rows: [Row; 7] = [
            // Known user, listed app, in the window: counted in the window only.
            (start, 3, Some("u1"), Some("app-a"), true, Some(false), 0),
            // The day before the window: nowhere, except that its name differs.
            (
                start - DAY,
                5,
                Some("u1"),
                Some("app-a"),
                true,
                Some(true),
                0,
            ),
            // The window's end is the day after the as-of date: after it.
            (end, 7, None, Some("app-x"), true, None, 1),
            // Unknown users (two identities), premium or not, an app not listed.
            (end - 1, 2, None, Some("app-x"), true, None, 2),
            (start + DAY, 4, None, Some("app-a"), false, None, 1),
            (start + DAY, 1, None, Some("app-a"), false, None, 2),
            // A row naming no app counts as an app the inventory lacks.
            (start + 2 * DAY, 6, Some("u2"), None, false, Some(true), 3),
        ];
        assert_eq!(
            tally(&launches(&rows)?, Some(&inventory), window)?,
            LaunchTally {
                in_window: 3 + 2 + 4 + 1 + 6,
                after_as_of: 7,
                unknown_user_launches: 2 + 4 + 1,
                unknown_user_premium_launches: 2,
                unknown_user_identities: vec![1, 2],
                unknown_app_launches: 2 + 6,
                unknown_apps: 2,
                upn_differs: 5 + 6,
            }
        );
        Ok(())
    }

    #[test]
    fn without_an_inventory_every_launch_in_the_window_is_of_an_unknown_app() -> PolarsResult<()> {
        let window = window();
        let start = window.start_millis();
        let rows: [Row; 2] = [
            (start, 3, Some("u1"), Some("app-a"), false, Some(false), 0),
            (start, 2, Some("u1"), Some("app-b"), false, Some(false), 0),
        ];
        let counted = tally(&launches(&rows)?, None, window)?;
        assert_eq!((counted.unknown_app_launches, counted.unknown_apps), (5, 2));
        Ok(())
    }
}
