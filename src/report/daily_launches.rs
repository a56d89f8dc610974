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

/// The table from `launches` (the analysis' attributed launch rows) and the app ids of the
/// inventory (`None` without one: no app is in it).
pub fn build(launches: &DataFrame, inventory: Option<&StringChunked>) -> PolarsResult<DataFrame> {
    let days = launches
        .column(columns::LAUNCH_DAY)?
        .cast(&DataType::Int32)?;
    let days = days.i32()?;
    let owners = launches.column(OWNER_ORDER)?.idx()?;
    let unknown_users = launches.column(UNKNOWN_USER)?.str()?;
    let apps = launches.column(columns::APP_ID)?.str()?;
    let counts = launches.column(columns::LAUNCHES)?.cast(&DataType::Int64)?;
    let counts = counts.i64()?;

    let apps = Places::of(apps.iter());
    // Directory users' rows count as null here, so they share one place of their own.
    let unknown = Places::of(
        owners
            .iter()
            .zip(unknown_users.iter())
            .map(|(owner, unknown)| if owner.is_none() { unknown } else { None }),
    );
    let unknown_count = unknown.values.len() as u64;

    let mut keys: Vec<(i32, u64, u32, IdxSize)> = Vec::with_capacity(launches.height());
    for (row, ((day, owner), (unknown_place, app))) in days
        .iter()
        .zip(owners.iter())
        .zip(unknown.places.iter().zip(apps.places.iter()))
        .enumerate()
    {
        let who = match owner {
            Some(owner) => unknown_count + u64::from(owner),
            None => u64::from(*unknown_place),
        };
        let row = IdxSize::try_from(row)
            .map_err(|_| polars_err!(ComputeError: "too many launch rows to index"))?;
        keys.push((day.unwrap_or(i32::MIN), who, *app, row));
    }
    keys.par_sort_unstable();

    let mut firsts: Vec<IdxSize> = Vec::new();
    let mut dates: Vec<i32> = Vec::new();
    let mut sums: Vec<i64> = Vec::new();
    let mut current: Option<(i32, u64, u32)> = None;
    for &(day, who, app, row) in &keys {
        let count = counts.get(row as usize).unwrap_or(0);
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
    let in_inventory: Vec<bool> = firsts
        .iter()
        .map(|&row| {
            apps.values
                .get(apps.places[row as usize] as usize)
                .copied()
                .flatten()
                .is_some_and(|app| inventory.contains(app))
        })
        .collect();
    let firsts = IdxCa::from_vec(PlSmallStr::EMPTY, firsts);
    let first_of_run = |name: &str| -> PolarsResult<Column> {
        Ok(launches.column(name)?.take(&firsts)?.rechunk())
    };
    DataFrame::new_infer_height(vec![
        Column::new(LAUNCH_DATE.into(), dates).cast(&DataType::Date)?,
        first_of_run(columns::USER_ID)?,
        first_of_run(UNKNOWN_USER)?,
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
