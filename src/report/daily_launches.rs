//! The audit's daily launch table (`launches_daily.parquet`, see [`super::tables`]): the
//! attributed launch rows summed per (UTC day, owner, app) and sorted by them.
//!
//! The launch rows are per launch identity, and several identities can be one owner (a record
//! with the object id and an older one with only the name), so rows are merged per owner. A
//! large tenant has millions of rows: grouping and sorting them on the owner and app strings
//! takes seconds and gigabytes, so each row gets one integer key instead (the day, the owner's
//! place, the app's place), ordered exactly as the table is: unknown users first by their key,
//! then directory users in the order of their ids, and apps by id. The keys are sorted, runs
//! of one key summed, and each output row takes its names from the first row of its run,
//! sharing their bytes rather than copying them.

use super::tables::{APP_IN_INVENTORY, LAUNCH_DATE, LAUNCHES};
use crate::analyze::launch_owner::{OWNER_ORDER, UNKNOWN_USER};
use crate::model::columns;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// The columns of the attributed launch rows that [`build`] reads.
pub const COLUMNS_READ: [&str; 7] = [
    columns::LAUNCH_DAY,
    columns::LAUNCH_IDENTITY,
    OWNER_ORDER,
    columns::USER_ID,
    columns::APP_ID,
    columns::APP_IS_PREMIUM,
    columns::LAUNCHES,
];

/// The table from `launches` (the analysis' attributed launch rows), `owners` (the owners of
/// their launch identities, by identity number) and the app ids of the inventory (`None`
/// without one: no app is in it).
pub fn build(
    launches: &DataFrame,
    owners: &DataFrame,
    inventory: Option<&StringChunked>,
) -> PolarsResult<DataFrame> {
    let days = launches
        .column(columns::LAUNCH_DAY)?
        .cast(&DataType::Int32)?;
    let days = days.i32()?;
    let identities = launches.column(columns::LAUNCH_IDENTITY)?.idx()?;
    let owner_orders = launches.column(OWNER_ORDER)?.idx()?;
    let unknown_users = owners.column(UNKNOWN_USER)?.str()?;
    let apps = launches.column(columns::APP_ID)?.str()?;
    let counts = launches.column(columns::LAUNCHES)?.u32()?.rechunk();
    let counts = counts.cont_slice()?;

    let apps = Places::of(apps.iter());
    // Per identity; directory users' identities count as null, a place of their own.
    let unknown = Places::of(unknown_users.iter());
    let unknown_count = u32::try_from(unknown.values.len())
        .map_err(|_| polars_err!(ComputeError: "too many unknown users to number"))?;

    // (day, who, app, row): sorted, rows of one day, owner and app lie side by side.
    let mut keys: Vec<(i32, u32, u32, IdxSize)> = Vec::with_capacity(launches.height());
    for (row, ((day, owner), (identity, app))) in days
        .iter()
        .zip(owner_orders.iter())
        .zip(identities.iter().zip(apps.places.iter()))
        .enumerate()
    {
        let who = match owner {
            Some(owner) => unknown_count
                .checked_add(owner)
                .ok_or_else(|| polars_err!(ComputeError: "too many launch owners to number"))?,
            None => identity
                .and_then(|identity| unknown.places.get(identity as usize))
                .copied()
                .ok_or_else(
                    || polars_err!(ComputeError: "launch row {row} names no launch identity"),
                )?,
        };
        let row = IdxSize::try_from(row)
            .map_err(|_| polars_err!(ComputeError: "too many launch rows to index"))?;
        keys.push((day.unwrap_or(i32::MIN), who, *app, row));
    }
    keys.par_sort_unstable();

    let mut firsts: Vec<IdxSize> = Vec::new();
    let mut dates: Vec<i32> = Vec::new();
    let mut sums: Vec<i64> = Vec::new();
    let mut current: Option<(i32, u32, u32)> = None;
    for &(day, who, app, row) in &keys {
        let count = i64::from(counts.get(row as usize).copied().unwrap_or(0));
        if current == Some((day, who, app)) {
            if let Some(sum) = sums.last_mut() {
                *sum += count;
            }
            continue;
        }
        current = Some((day, who, app));
        firsts.push(row);
        dates.push(day);
        sums.push(count);
    }
    drop(keys);

    let inventory: HashSet<&str> = inventory
        .map(|ids| ids.iter().flatten().collect())
        .unwrap_or_default();
    // Told once per distinct app, then read by place: millions of rows, hundreds of apps.
    let app_listed: Vec<bool> = apps
        .values
        .iter()
        .map(|app| app.is_some_and(|app| inventory.contains(app)))
        .collect();
    let in_inventory: Vec<bool> = firsts
        .iter()
        .map(|&row| {
            app_listed
                .get(apps.places[row as usize] as usize)
                .copied()
                .unwrap_or(false)
        })
        .collect();
    let firsts = IdxCa::from_vec(PlSmallStr::EMPTY, firsts);
    let first_of_run = |name: &str| -> PolarsResult<Column> {
        Ok(launches.column(name)?.take(&firsts)?.rechunk())
    };
    let first_identities = identities.take(&firsts)?;
    let unknown_user = owners
        .column(UNKNOWN_USER)?
        .take(&first_identities)?
        .rechunk();
    DataFrame::new_infer_height(vec![
        Column::new(LAUNCH_DATE.into(), dates).cast(&DataType::Date)?,
        first_of_run(columns::USER_ID)?,
        unknown_user,
        first_of_run(columns::APP_ID)?,
        first_of_run(columns::APP_IS_PREMIUM)?,
        Column::new(APP_IN_INVENTORY.into(), in_inventory),
        Column::new(LAUNCHES.into(), sums),
    ])
}

/// The distinct values of a column in the order they sort (nulls first, as the table sorts
/// them), and each row's place among them.
struct Places<'a> {
    /// The distinct values, sorted.
    values: Vec<Option<&'a str>>,
    /// Per row, the place of its value among `values`.
    places: Vec<u32>,
}

impl<'a> Places<'a> {
    fn of(rows: impl Iterator<Item = Option<&'a str>>) -> Places<'a> {
        let mut first_seen: HashMap<Option<&'a str>, u32, foldhash::fast::RandomState> =
            HashMap::default();
        let mut values: Vec<Option<&'a str>> = Vec::new();
        let mut numbers: Vec<u32> = Vec::new();
        for value in rows {
            let next = u32::try_from(values.len()).unwrap_or(u32::MAX);
            let number = *first_seen.entry(value).or_insert_with(|| {
                values.push(value);
                next
            });
            numbers.push(number);
        }
        let mut order: Vec<u32> = (0..u32::try_from(values.len()).unwrap_or(u32::MAX)).collect();
        order.sort_unstable_by_key(|&number| values[number as usize]);
        let mut place_of_number = vec![0u32; values.len()];
        for (place, &number) in order.iter().enumerate() {
            place_of_number[number as usize] = u32::try_from(place).unwrap_or(u32::MAX);
        }
        Places {
            values: order
                .iter()
                .map(|&number| values[number as usize])
                .collect(),
            places: numbers
                .into_iter()
                .map(|number| place_of_number[number as usize])
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-built frame in the attributed launches' types: days as dates, numbers as indices.
    fn as_attributed(frame: DataFrame) -> PolarsResult<DataFrame> {
        frame
            .lazy()
            .with_column(col(columns::LAUNCH_DAY).cast(DataType::Date))
            .with_column(col(OWNER_ORDER).cast(IDX_DTYPE))
            .with_column(col(columns::LAUNCH_IDENTITY).cast(IDX_DTYPE))
            .collect()
    }

    #[test]
    fn rows_of_one_owner_day_and_app_merge_and_unknown_users_come_first() {
        const ADA: &str = "11111111-1111-1111-1111-111111111111";
        const BOB: &str = "22222222-2222-2222-2222-222222222222";
        // Ada launches app-b on day 10 under two identities (with and without the object id);
        // Bob (second in id order) and two strangers launch too.
        let launches = df!(
            columns::LAUNCH_IDENTITY => [0u32, 1, 2, 3, 4, 2, 0],
            columns::LAUNCH_DAY => [10i32, 10, 10, 10, 10, 9, 10],
            OWNER_ORDER => [Some(0u32), Some(0), Some(1), None, None, Some(1), Some(0)],
            columns::USER_ID => [Some(ADA), Some(ADA), Some(BOB), None, None, Some(BOB), Some(ADA)],
            columns::APP_ID => ["app-b", "app-b", "app-a", "app-a", "app-a", "app-b", "app-a"],
            columns::APP_IS_PREMIUM => [true, true, false, false, false, true, false],
            columns::LAUNCHES => [2u32, 3, 1, 4, 5, 6, 7],
        )
        .and_then(as_attributed)
        .expect("launches");
        // Identities: Ada with her object id and by name, Bob, and two strangers.
        let owners = df!(
            UNKNOWN_USER => [None, None, None, Some("zed@contoso.com"), Some(BOB)],
        )
        .expect("owners");
        let inventory = StringChunked::new("".into(), ["app-b"]);
        let table = build(&launches, &owners, Some(&inventory)).expect("table");

        let strings = |name: &str| -> Vec<Option<String>> {
            table
                .column(name)
                .and_then(|column| column.str().cloned())
                .expect(name)
                .iter()
                .map(|value| value.map(str::to_string))
                .collect()
        };
        let text = |value: &str| Some(value.to_string());
        let days: Vec<Option<i32>> = table
            .column(LAUNCH_DATE)
            .and_then(|column| column.cast(&DataType::Int32))
            .and_then(|column| Ok(column.i32()?.iter().collect()))
            .expect("days");
        assert_eq!(
            days,
            [Some(9), Some(10), Some(10), Some(10), Some(10), Some(10)]
        );
        // Day 10: the unknown users first by their key (an object id sorts before a name),
        // then Ada, then Bob; apps by id within each.
        assert_eq!(
            strings(columns::USER_ID),
            [text(BOB), None, None, text(ADA), text(ADA), text(BOB)]
        );
        assert_eq!(
            strings(UNKNOWN_USER),
            [None, text(BOB), text("zed@contoso.com"), None, None, None]
        );
        assert_eq!(
            strings(columns::APP_ID),
            [
                text("app-b"),
                text("app-a"),
                text("app-a"),
                text("app-a"),
                text("app-b"),
                text("app-a")
            ]
        );
        let sums: Vec<Option<i64>> = table
            .column(LAUNCHES)
            .and_then(|column| Ok(column.i64()?.iter().collect()))
            .expect("sums");
        assert_eq!(sums, [Some(6), Some(5), Some(4), Some(7), Some(5), Some(1)]);
        let in_inventory: Vec<Option<bool>> = table
            .column(APP_IN_INVENTORY)
            .and_then(|column| Ok(column.bool()?.iter().collect()))
            .expect("inventory");
        assert_eq!(
            in_inventory,
            [
                Some(true),
                Some(false),
                Some(false),
                Some(false),
                Some(true),
                Some(false)
            ]
        );
        assert_eq!(
            table.schema().as_ref(),
            &super::super::tables::Table::LaunchesDaily.schema()
        );
    }

    #[test]
    fn an_unknown_users_row_naming_no_identity_is_refused() {
        let launches = df!(
            columns::LAUNCH_IDENTITY => [0u32, 5],
            columns::LAUNCH_DAY => [10i32, 10],
            OWNER_ORDER => [None::<u32>, None],
            columns::USER_ID => [None::<&str>, None],
            columns::APP_ID => ["app-a", "app-a"],
            columns::APP_IS_PREMIUM => [false, false],
            columns::LAUNCHES => [1u32, 1],
        )
        .and_then(as_attributed)
        .expect("launches");
        let owners = df!(UNKNOWN_USER => [Some("zed@contoso.com")]).expect("owners");
        let error = build(&launches, &owners, None)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(
            error.contains("launch row 1 names no launch identity"),
            "{error}"
        );
    }
}
