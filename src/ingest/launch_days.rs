//! Launch records reduced to what the rules read: one row per (launch identity, app, UTC day)
//! with the number of launches and the first and last time (SPEC §2), and one row per launch
//! identity (a distinct lower-case user principal name and object id pair) naming it.
//!
//! Every rule asks questions a day answers exactly, because the window and the calendar months
//! start and end at midnight UTC: which apps a user opened inside the window or a month, when
//! last, how many launches fell inside or after it, and how many per day. Audit exports run to
//! tens of millions of records, so each file's records are kept compact while read (users and
//! apps interned, the record id in 128 bits), merged into one numbering as each file is done,
//! and only the day rows and the identities become frames.
//!
//! Overlapping exports repeat records. A record id seen twice with the same content is one
//! launch, counted once; with a different user, app or time it is an error naming both places
//! (`--lenient`: the later copy, in file order then byte order, is skipped). An id that is a GUID
//! is compared as one (any letter case, with or without braces). Records without an id cannot
//! be told apart and are all kept.

use super::error::{IngestError, Location, RejectionLog, Strictness, rejection};
use crate::model::columns;
use crate::model::guid::Guid;
use crate::support::lines::LineLocator;
use polars::prelude::*;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::path::{Path, PathBuf};

const MILLIS_PER_DAY: i64 = 86_400_000;

/// Distinct values, each numbered once in order of first appearance.
struct Interner<K> {
    numbers: HashMap<K, u32, foldhash::fast::RandomState>,
    values: Vec<K>,
}

impl<K> Default for Interner<K> {
    fn default() -> Self {
        Interner {
            numbers: HashMap::default(),
            values: Vec::new(),
        }
    }
}

impl<K> Interner<K> {
    fn with_capacity(capacity: usize) -> Self {
        Interner {
            numbers: HashMap::with_capacity_and_hasher(capacity, Default::default()),
            values: Vec::with_capacity(capacity),
        }
    }
}

impl<K: Hash + Eq + Clone> Interner<K> {
    /// The number of `value`, given one if it is new; an owned copy is made only then.
    fn number<Q>(&mut self, value: &Q) -> u32
    where
        K: Borrow<Q> + for<'a> From<&'a Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(&number) = self.numbers.get(value) {
            return number;
        }
        let number = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        let owned = K::from(value);
        self.numbers.insert(owned.clone(), number);
        self.values.push(owned);
        number
    }
}

impl Interner<Box<str>> {
    /// Numbers here every value of `other`: the result maps each of `other`'s numbers to its
    /// number here.
    fn renumber(&mut self, other: &Interner<Box<str>>) -> Vec<u32> {
        other
            .values
            .iter()
            .map(|value| self.number(&**value))
            .collect()
    }
}

/// Who a record says launched: the interned user principal name and the object id.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Identity {
    user: u32,
    object_id: Option<Guid>,
}

impl From<&Identity> for Identity {
    fn from(identity: &Identity) -> Identity {
        *identity
    }
}

/// One launch record in 48 bytes: its id, who (interned), which app (interned), when, where.
#[derive(Clone, Copy)]
struct LaunchRecord {
    /// The record id in 128 bits: the GUID itself, or the leading half of the SHA-256 of an id
    /// that is not a GUID. Meaningless when `has_id` is false.
    id: u128,
    at: i64,
    /// Byte offset of the record in its file, to name its line.
    offset: u64,
    identity: u32,
    app: u32,
    file: u32,
    has_id: bool,
}

/// The launch records of one audit file, compact.
#[derive(Default)]
pub struct FileLaunches {
    users: Interner<Box<str>>,
    identities: Interner<Identity>,
    apps: Interner<Box<str>>,
    records: Vec<LaunchRecord>,
    /// The text of record ids that are not GUIDs, by their 128 bits, for messages.
    id_texts: HashMap<u128, String>,
}

impl FileLaunches {
    /// Room for about `records` launch records, with as many users and identities: tables
    /// sized once instead of regrown and copied while a large export is read.
    pub fn with_capacity(records: usize) -> FileLaunches {
        FileLaunches {
            users: Interner::with_capacity(records),
            identities: Interner::with_capacity(records),
            apps: Interner::default(),
            records: Vec::with_capacity(records),
            id_texts: HashMap::new(),
        }
    }

    /// Keeps one launch record. `user` is the lower-case principal name (empty when the record
    /// carries only an object id); `app` and `record_id` are trimmed and lower case.
    pub fn push(
        &mut self,
        user: &str,
        object_id: Option<Guid>,
        app: &str,
        at: i64,
        record_id: Option<&str>,
        offset: u64,
    ) {
        let identity = self.identities.number(&Identity {
            user: self.users.number(user),
            object_id,
        });
        let id = record_id.map(|text| match Guid::parse(text) {
            Some(guid) => guid.bits(),
            None => {
                let digest = Sha256::digest(text.as_bytes());
                let bits = digest
                    .iter()
                    .take(16)
                    .fold(0u128, |bits, byte| (bits << 8) | u128::from(*byte));
                self.id_texts
                    .entry(bits)
                    .or_insert_with(|| text.to_string());
                bits
            }
        });
        self.records.push(LaunchRecord {
            id: id.unwrap_or_default(),
            at,
            offset,
            identity,
            app: self.apps.number(app),
            file: 0,
            has_id: id.is_some(),
        });
    }
}

/// The launches of every file, each record once, by day.
pub struct LaunchDays {
    /// Rows in the layout of [`crate::model::schema::launches`].
    pub frame: DataFrame,
    /// Who launched, in the layout of [`crate::model::schema::launch_identities`].
    pub identities: DataFrame,
    /// Launch records kept (the sum of the frame's launch counts).
    pub launches: usize,
    /// Records exported more than once with the same content, kept once.
    pub repeated: usize,
}

/// The records of the files read so far, merged in file order as they arrive: users,
/// identities and apps numbered once for all files. A file's own numbers are dropped as soon
/// as it is merged, so memory follows the distinct users and apps rather than the number of
/// files; only files read ahead of a slower earlier one wait unmerged.
#[derive(Default)]
pub struct LaunchMerge {
    users: Interner<Box<str>>,
    identities: Interner<Identity>,
    apps: Interner<Box<str>>,
    /// The text of record ids that are not GUIDs, by their 128 bits.
    id_texts: HashMap<u128, String>,
    /// The records of the files merged, in the numbers above, file after file.
    records: Vec<LaunchRecord>,
    /// Files read ahead of one still being read, by their place in the order.
    waiting: BTreeMap<usize, FileLaunches>,
    /// The place of the next file to merge.
    next: usize,
}

impl LaunchMerge {
    /// A merge with room for about `records` records in all: the merged records are one
    /// vector, sized once rather than regrown and copied as the files arrive.
    pub fn with_capacity(records: usize) -> LaunchMerge {
        LaunchMerge {
            records: Vec::with_capacity(records),
            ..LaunchMerge::default()
        }
    }

    /// The files' records, merged in the order given.
    pub fn of(files: Vec<FileLaunches>) -> LaunchMerge {
        let mut merge = LaunchMerge::default();
        for (index, file) in files.into_iter().enumerate() {
            merge.offer(index, file);
        }
        merge
    }

    /// Takes the records of the file at `index` in the order of the files (files read in
    /// parallel finish in any order): it is merged once every file before it is.
    pub fn offer(&mut self, index: usize, file: FileLaunches) {
        self.waiting.insert(index, file);
        while let Some(file) = self.waiting.remove(&self.next) {
            self.merge(self.next, file);
            self.next += 1;
        }
    }

    /// Merges the files still waiting: those after a file never offered (one that could not
    /// be read) keep their own places.
    fn merge_waiting(&mut self) {
        for (index, file) in std::mem::take(&mut self.waiting) {
            self.merge(index, file);
        }
    }

    fn merge(&mut self, index: usize, file: FileLaunches) {
        let file_number = u32::try_from(index).unwrap_or(u32::MAX);
        let user_numbers = self.users.renumber(&file.users);
        let identity_numbers: Vec<u32> = file
            .identities
            .values
            .iter()
            .map(|identity| {
                self.identities.number(&Identity {
                    user: user_numbers[identity.user as usize],
                    object_id: identity.object_id,
                })
            })
            .collect();
        let app_numbers = self.apps.renumber(&file.apps);
        self.records
            .extend(file.records.iter().map(|record| LaunchRecord {
                identity: identity_numbers[record.identity as usize],
                app: app_numbers[record.app as usize],
                file: file_number,
                ..*record
            }));
        self.id_texts.extend(file.id_texts);
    }
}

/// Keeps each record id of the merged files (`paths`, in their order) once and counts the
/// launches per (identity, app, day).
pub fn reduce(
    mut merged: LaunchMerge,
    paths: &[PathBuf],
    log: &mut RejectionLog,
) -> Result<LaunchDays, IngestError> {
    let label = Path::new("audit");
    merged.merge_waiting();
    let LaunchMerge {
        users,
        identities,
        apps,
        id_texts,
        mut records,
        ..
    } = merged;

    // Copies of one id side by side, the earliest place first; records without an id last.
    records
        .par_sort_unstable_by_key(|record| (!record.has_id, record.id, record.file, record.offset));
    let mut repeated = 0;
    let mut conflicts = Vec::new();
    let mut day_keys: Vec<u128> = Vec::with_capacity(records.len());
    let mut kept: Option<LaunchRecord> = None;
    for record in &records {
        if let Some(first) = kept.filter(|first| record.has_id && first.id == record.id) {
            if (first.identity, first.app, first.at) == (record.identity, record.app, record.at) {
                repeated += 1;
            } else {
                conflicts.push((first, *record));
                // Strict reading stops at the first one.
                if log.strictness() == Strictness::Strict {
                    break;
                }
            }
            continue;
        }
        kept = Some(*record);
        day_keys.push(day_key(record));
    }
    drop(records);
    reject_conflicts(&conflicts, paths, &id_texts, log)?;

    day_keys.par_sort_unstable();
    let days = DayColumns::count(&day_keys);
    let frame = days
        .into_frame(&apps)
        .map_err(|error| IngestError::frame(label, error))?;
    let identities =
        identity_frame(&users, &identities).map_err(|error| IngestError::frame(label, error))?;
    Ok(LaunchDays {
        frame,
        identities,
        launches: day_keys.len(),
        repeated,
    })
}

/// Who, which app and when in one integer that sorts by them in that order.
fn day_key(record: &LaunchRecord) -> u128 {
    let time = (record.at as u64) ^ (1 << 63);
    (u128::from(record.identity) << 96) | (u128::from(record.app) << 64) | u128::from(time)
}

fn split_day_key(key: u128) -> (u32, u32, i64) {
    let identity = (key >> 96) as u32;
    let app = (key >> 64) as u32;
    let at = ((key as u64) ^ (1 << 63)) as i64;
    (identity, app, at)
}

/// The day rows, as columns of numbers until the frame is built.
#[derive(Default)]
struct DayColumns {
    identities: Vec<IdxSize>,
    apps: Vec<IdxSize>,
    days: Vec<i32>,
    launches: Vec<u32>,
    first: Vec<i64>,
    last: Vec<i64>,
}

impl DayColumns {
    /// Runs of sorted day keys with one (identity, app, day) become one row.
    fn count(sorted_keys: &[u128]) -> DayColumns {
        let mut columns = DayColumns::default();
        let mut current: Option<(u32, u32, i64)> = None;
        for &key in sorted_keys {
            let (identity, app, at) = split_day_key(key);
            let day = at.div_euclid(MILLIS_PER_DAY);
            if current == Some((identity, app, day)) {
                if let Some(count) = columns.launches.last_mut() {
                    *count += 1;
                }
                if let Some(last) = columns.last.last_mut() {
                    *last = at;
                }
                continue;
            }
            current = Some((identity, app, day));
            columns.identities.push(identity as IdxSize);
            columns.apps.push(app as IdxSize);
            columns.days.push(i32::try_from(day).unwrap_or(if day < 0 {
                i32::MIN
            } else {
                i32::MAX
            }));
            columns.launches.push(1);
            columns.first.push(at);
            columns.last.push(at);
        }
        columns
    }

    /// The frame: app ids looked up by gathering from the distinct values, so an id's bytes
    /// are stored once however many rows carry it.
    fn into_frame(self, apps: &Interner<Box<str>>) -> PolarsResult<DataFrame> {
        let app_ids = Series::new(
            columns::APP_ID.into(),
            apps.values
                .iter()
                .map(|text| &**text)
                .collect::<Vec<&str>>(),
        );
        let app_rows = IdxCa::from_vec("".into(), self.apps);
        let timestamp = DataType::Datetime(TimeUnit::Milliseconds, None);
        DataFrame::new_infer_height(vec![
            IdxCa::from_vec(columns::LAUNCH_IDENTITY.into(), self.identities).into_column(),
            app_ids.take(&app_rows)?.into_column(),
            Column::new(columns::LAUNCH_DAY.into(), self.days).cast(&DataType::Date)?,
            Column::new(columns::LAUNCHES.into(), self.launches),
            Column::new(columns::FIRST_LAUNCHED_AT.into(), self.first).cast(&timestamp)?,
            Column::new(columns::LAST_LAUNCHED_AT.into(), self.last).cast(&timestamp)?,
        ])
    }
}

/// One row per identity, in the order of their numbers.
fn identity_frame(
    users: &Interner<Box<str>>,
    identities: &Interner<Identity>,
) -> PolarsResult<DataFrame> {
    let user_keys: Vec<&str> = identities
        .values
        .iter()
        .map(|identity| {
            users
                .values
                .get(identity.user as usize)
                .map_or("", |text| text)
        })
        .collect();
    let object_ids: Vec<Option<String>> = identities
        .values
        .iter()
        .map(|identity| identity.object_id.map(|guid| guid.to_string()))
        .collect();
    DataFrame::new_infer_height(vec![
        Column::new(columns::USER_KEY.into(), user_keys),
        Column::new(columns::USER_OBJECT_ID.into(), object_ids),
    ])
}

/// Rejects the later copy of each record id found with two contents, naming both places.
/// Each file involved is read once to turn the copies' byte offsets into lines.
fn reject_conflicts(
    conflicts: &[(LaunchRecord, LaunchRecord)],
    paths: &[PathBuf],
    id_texts: &HashMap<u128, String>,
    log: &mut RejectionLog,
) -> Result<(), IngestError> {
    let mut offsets: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for (first, copy) in conflicts {
        for record in [first, copy] {
            offsets.entry(record.file).or_default().push(record.offset);
        }
    }
    let mut lines: HashMap<(u32, u64), Location> = HashMap::new();
    for (file, mut file_offsets) in offsets {
        file_offsets.sort_unstable();
        file_offsets.dedup();
        let bytes = paths
            .get(file as usize)
            .and_then(|path| super::encoding::read_utf8(path).ok());
        let mut locator = bytes.as_deref().map(LineLocator::new);
        for offset in file_offsets {
            let location = locator.as_mut().map_or(Location::File, |locator| {
                Location::Line(locator.line_at(offset))
            });
            lines.insert((file, offset), location);
        }
    }
    let path_of = |record: &LaunchRecord| {
        paths
            .get(record.file as usize)
            .map_or_else(|| PathBuf::from("audit"), PathBuf::clone)
    };
    let line_of = |record: &LaunchRecord| {
        lines
            .get(&(record.file, record.offset))
            .cloned()
            .unwrap_or(Location::File)
    };
    for (first, copy) in conflicts {
        let id_text = id_texts
            .get(&copy.id)
            .cloned()
            .unwrap_or_else(|| Guid::from_bits(copy.id).to_string());
        log.reject(rejection(
            &path_of(copy),
            line_of(copy),
            "AuditData.Id",
            format!(
                "launch record {id_text} also appears in {} at {} with different content (user, app or time)",
                path_of(first).display(),
                line_of(first),
            ),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADA: &str = "11111111-1111-1111-1111-111111111111";
    const HOUR: i64 = 3_600_000;
    const DAY: i64 = 24 * HOUR;

    /// The day rows with the identity's name written out.
    fn rows(days: &LaunchDays) -> Vec<(String, String, i32, u32, i64, i64)> {
        let frame = crate::model::name_launch_identities(&days.frame, &days.identities)
            .expect("named rows");
        let frame = &frame;
        let text = |name: &str, row: usize| {
            frame
                .column(name)
                .and_then(|column| {
                    column
                        .str()
                        .map(|column| column.get(row).map(str::to_string))
                })
                .ok()
                .flatten()
                .unwrap_or_default()
        };
        let number = |name: &str, row: usize| {
            frame
                .column(name)
                .and_then(|column| column.cast(&DataType::Int64))
                .ok()
                .and_then(|column| column.i64().ok().and_then(|column| column.get(row)))
                .unwrap_or(-1)
        };
        (0..frame.height())
            .map(|row| {
                (
                    text(columns::USER_KEY, row),
                    text(columns::APP_ID, row),
                    number(columns::LAUNCH_DAY, row) as i32,
                    number(columns::LAUNCHES, row) as u32,
                    number(columns::FIRST_LAUNCHED_AT, row),
                    number(columns::LAST_LAUNCHED_AT, row),
                )
            })
            .collect()
    }

    #[test]
    fn launches_of_one_day_become_one_row_and_a_repeated_record_counts_once() {
        let mut first = FileLaunches::default();
        first.push(
            "ada@contoso.com",
            None,
            "app-a",
            10 * DAY + HOUR,
            Some(ADA),
            10,
        );
        first.push(
            "ada@contoso.com",
            None,
            "app-a",
            10 * DAY + 5 * HOUR,
            Some("r-2"),
            20,
        );
        first.push("ada@contoso.com", None, "app-a", 11 * DAY, None, 30);
        let mut second = FileLaunches::default();
        // The same record exported again, with its id in upper case.
        second.push(
            "ada@contoso.com",
            None,
            "app-a",
            10 * DAY + HOUR,
            Some(&ADA.to_uppercase()),
            10,
        );
        second.push("bob@contoso.com", None, "app-a", 10 * DAY - 1, None, 20);
        let mut log = RejectionLog::new(Strictness::Strict);
        let days = reduce(
            LaunchMerge::of(vec![first, second]),
            &[PathBuf::from("a.csv"), PathBuf::from("b.csv")],
            &mut log,
        )
        .expect("reduce");
        assert_eq!(days.launches, 4);
        assert_eq!(days.repeated, 1);
        assert_eq!(
            rows(&days),
            vec![
                (
                    "ada@contoso.com".to_string(),
                    "app-a".to_string(),
                    10,
                    2,
                    10 * DAY + HOUR,
                    10 * DAY + 5 * HOUR
                ),
                (
                    "ada@contoso.com".to_string(),
                    "app-a".to_string(),
                    11,
                    1,
                    11 * DAY,
                    11 * DAY
                ),
                (
                    "bob@contoso.com".to_string(),
                    "app-a".to_string(),
                    9,
                    1,
                    10 * DAY - 1,
                    10 * DAY - 1
                ),
            ]
        );
    }

    #[test]
    fn files_finishing_out_of_order_merge_as_in_file_order() {
        let files = || {
            let mut first = FileLaunches::default();
            first.push("bob@contoso.com", None, "app-b", DAY, Some("r-1"), 0);
            first.push("ada@contoso.com", None, "app-a", DAY, Some("r-2"), 10);
            let mut second = FileLaunches::default();
            second.push("ada@contoso.com", None, "app-a", 2 * DAY, Some("r-3"), 0);
            second.push("cy@contoso.com", None, "app-b", DAY, Some("r-4"), 10);
            [first, second]
        };
        let paths = [PathBuf::from("a.csv"), PathBuf::from("b.csv")];
        let frames = |merge: LaunchMerge| {
            let days =
                reduce(merge, &paths, &mut RejectionLog::new(Strictness::Strict)).expect("reduce");
            (days.frame, days.identities)
        };
        let [first, second] = files();
        let in_order = frames(LaunchMerge::of(vec![first, second]));
        let [first, second] = files();
        let mut merge = LaunchMerge::default();
        merge.offer(1, second);
        merge.offer(0, first);
        assert_eq!(frames(merge), in_order);
        // Identities are numbered in order of first appearance in file order.
        let names: Vec<Option<&str>> = in_order
            .1
            .column(columns::USER_KEY)
            .and_then(|column| column.str())
            .expect("names")
            .iter()
            .collect();
        assert_eq!(
            names,
            [
                Some("bob@contoso.com"),
                Some("ada@contoso.com"),
                Some("cy@contoso.com")
            ]
        );

        // A file never offered (one that could not be read) leaves the others in their places.
        let [_, second] = files();
        let mut merge = LaunchMerge::default();
        merge.offer(1, second);
        let mut log = RejectionLog::new(Strictness::Strict);
        let days = reduce(merge, &paths, &mut log).expect("reduce");
        assert_eq!(days.launches, 2);
    }

    #[test]
    fn a_record_id_with_two_contents_is_an_error_or_leniently_the_first_copy() {
        let files = || {
            let mut first = FileLaunches::default();
            first.push("ada@contoso.com", None, "app-a", DAY, Some("r-1"), 0);
            let mut second = FileLaunches::default();
            second.push("ada@contoso.com", None, "app-b", DAY, Some("r-1"), 0);
            LaunchMerge::of(vec![first, second])
        };
        let paths = [
            PathBuf::from("missing-a.csv"),
            PathBuf::from("missing-b.csv"),
        ];
        let mut strict = RejectionLog::new(Strictness::Strict);
        let error = reduce(files(), &paths, &mut strict)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(error.contains("missing-b.csv"), "{error}");
        assert!(
            error.contains("launch record r-1 also appears in missing-a.csv"),
            "{error}"
        );

        let mut lenient = RejectionLog::new(Strictness::Lenient);
        let days = reduce(files(), &paths, &mut lenient).expect("lenient");
        assert_eq!(days.launches, 1);
        assert_eq!(rows(&days)[0].1, "app-a");
        assert_eq!(lenient.into_rejections().len(), 1);
    }
}
