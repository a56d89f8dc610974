//! Power Apps launches from unified audit log CSV exports.
//!
//! Two CSV shapes occur (SPEC §2): Purview's (`RecordId, CreationDate, RecordType, Operation,
//! UserId, AuditData, …`) and `Search-UnifiedAuditLog | Export-Csv` output (`CreationDate,
//! UserIds, Operations, AuditData`), told apart by header names. Exports reach hundreds of
//! megabytes, so each file is streamed record by record with only the needed columns decoded:
//! rows of other operations are counted without touching their `AuditData`, and for launches
//! a purpose-made deserializer picks the handful of `AuditData` properties (including the app
//! id inside the newer records' `PropertyCollection`) and skips everything else unallocated.
//! Files are read in parallel; each yields a small frame.

use super::csv_records::{CsvRecord, CsvRecords};
use super::encoding::{Encoding, read_utf8};
use super::error::{IngestError, Location, RejectionLog, Strictness, rejection};
use super::record::KeyIndex;
use super::table::{HeaderMap, is_type_line, structure_problem};
use crate::case_insensitive_record;
use crate::model::columns;
use crate::model::guid::parse_guid;
use crate::support::lines::LineLocator;
use crate::support::timestamp::{parse_recorded_timestamp, parse_timestamp};
use polars::prelude::*;
use rayon::prelude::*;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The only audit operation seatwise uses.
pub const LAUNCH_OPERATION: &str = "LaunchPowerApp";
/// The `PropertyCollection` entry that carries the app id in RecordType 256 records.
pub const POWER_APP_ID_PROPERTY: &str = "powerplatform.analytics.resource.power_app.id";
/// The `PropertyCollection` entry that carries the user's Entra object id.
pub const END_USER_ID_PROPERTY: &str = "enduser.id";

case_insensitive_record! {
    struct LaunchAuditData {
        id: Option<String> = "Id",
        creation_time: Option<String> = "CreationTime",
        user_id: Option<String> = "UserId",
        user_key: Option<String> = "UserKey",
        app_name: Option<String> = "AppName",
        property_collection: PropertyCollectionIds = "PropertyCollection",
    }
}

/// The app id and the user's object id found in a `PropertyCollection` array, if any.
#[derive(Default)]
struct PropertyCollectionIds {
    app_id: Option<String>,
    end_user_id: Option<String>,
}

impl<'de> Deserialize<'de> for PropertyCollectionIds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(PropertyCollectionVisitor)
    }
}

struct PropertyCollectionVisitor;

impl<'de> Visitor<'de> for PropertyCollectionVisitor {
    type Value = PropertyCollectionIds;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an array of {Name, Value} objects")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(PropertyCollectionIds::default())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut entries: A) -> Result<Self::Value, A::Error> {
        let mut ids = PropertyCollectionIds::default();
        while let Some(entry) = entries.next_element::<PropertyEntry<'de>>()? {
            let Some(raw) = entry.value else { continue };
            let slot = match entry.name {
                PropertyName::AppId => &mut ids.app_id,
                PropertyName::EndUserId => &mut ids.end_user_id,
                PropertyName::Other => continue,
            };
            *slot = serde_json::from_str::<Option<String>>(raw.get())
                .ok()
                .flatten();
        }
        Ok(ids)
    }
}

/// The `PropertyCollection` entries seatwise reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PropertyName {
    AppId,
    EndUserId,
    Other,
}

/// One `{Name, Value}` entry; the value is kept raw and decoded only for the entries read.
struct PropertyEntry<'de> {
    name: PropertyName,
    value: Option<&'de RawValue>,
}

impl<'de> Deserialize<'de> for PropertyEntry<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PropertyEntryVisitor)
    }
}

struct PropertyEntryVisitor;

impl<'de> Visitor<'de> for PropertyEntryVisitor {
    type Value = PropertyEntry<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a {Name, Value} object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entry = PropertyEntry {
            name: PropertyName::Other,
            value: None,
        };
        while let Some(key) = map.next_key_seed(KeyIndex(&["Name", "Value"]))? {
            match key {
                Some(0) => entry.name = map.next_value_seed(NameOf)?,
                Some(1) => entry.value = Some(map.next_value::<&'de RawValue>()?),
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(entry)
    }
}

/// Tells which entry a `Name` value names, without allocating.
struct NameOf;

impl<'de> DeserializeSeed<'de> for NameOf {
    type Value = PropertyName;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<PropertyName, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NameOf {
    type Value = PropertyName;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a property name")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<PropertyName, E> {
        Ok(if name.eq_ignore_ascii_case(POWER_APP_ID_PROPERTY) {
            PropertyName::AppId
        } else if name.eq_ignore_ascii_case(END_USER_ID_PROPERTY) {
            PropertyName::EndUserId
        } else {
            PropertyName::Other
        })
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<PropertyName, E> {
        Ok(PropertyName::Other)
    }
}

/// The launches of one audit file and its counts.
pub struct AuditFileRead {
    /// Launch rows in the layout of [`crate::model::schema::launches`], plus the byte offset
    /// of each row's record (to name both places when one record id holds two contents).
    pub frame: DataFrame,
    pub rows: usize,
    pub other_operations: BTreeMap<String, usize>,
    /// Earliest and latest time of any record in the file (launches or not).
    pub first_record: Option<i64>,
    pub last_record: Option<i64>,
    pub log: RejectionLog,
}

/// Launches of all audit files, and their counts.
pub struct AuditRead {
    pub launches: DataFrame,
    pub rows: usize,
    pub launch_rows: usize,
    /// Launch records exported more than once (same record id, same content), kept once.
    pub duplicate_launch_records: usize,
    pub other_operations: BTreeMap<String, usize>,
    pub first_record: Option<i64>,
    pub last_record: Option<i64>,
    pub log: RejectionLog,
}

/// Internal columns of a file's launch frame, dropped once duplicates are settled.
const SOURCE_FILE: &str = "source_file";
const SOURCE_OFFSET: &str = "source_offset";

/// Reads every audit export in parallel, stacks their launches and keeps each record once.
pub fn read_audit_files(
    files: &[PathBuf],
    strictness: Strictness,
) -> Result<AuditRead, IngestError> {
    let per_file: Vec<Result<AuditFileRead, IngestError>> = files
        .par_iter()
        .map(|path| read_audit_file(path, strictness))
        .collect();
    let label = Path::new("audit");
    let frame_error = |error| IngestError::frame(label, error);
    let mut rows = 0;
    let mut other_operations: BTreeMap<String, usize> = BTreeMap::new();
    let mut log = RejectionLog::new(strictness);
    let mut first_record: Option<i64> = None;
    let mut last_record: Option<i64> = None;
    let mut stacked = launches_frame(LaunchColumns::default()).map_err(frame_error)?;
    stacked
        .with_column(Column::new(SOURCE_FILE.into(), Vec::<u32>::new()))
        .map_err(frame_error)?;
    for (index, result) in per_file.into_iter().enumerate() {
        let file = result?;
        rows += file.rows;
        for (operation, count) in file.other_operations {
            *other_operations.entry(operation).or_default() += count;
        }
        first_record = min_option(first_record, file.first_record);
        last_record = last_record.max(file.last_record);
        log.absorb(file.log);
        let file_index = u32::try_from(index).unwrap_or(u32::MAX);
        let mut frame = file.frame;
        frame
            .with_column(Column::new_scalar(
                SOURCE_FILE.into(),
                Scalar::from(file_index),
                frame.height(),
            ))
            .map_err(frame_error)?;
        stacked.vstack_mut_owned(frame).map_err(frame_error)?;
    }
    stacked.rechunk_mut();
    let (launches, duplicate_launch_records) = drop_repeated_records(stacked, files, &mut log)?;
    Ok(AuditRead {
        launch_rows: launches.height(),
        launches,
        rows,
        duplicate_launch_records,
        other_operations,
        first_record,
        last_record,
        log,
    })
}

fn min_option(left: Option<i64>, right: Option<i64>) -> Option<i64> {
    match (left, right) {
        (Some(left), Some(right)) => Some(left.min(right)),
        (left, right) => left.or(right),
    }
}

/// One copy of a repeated record id, as the duplicate check sees it.
struct Copy {
    record_id: String,
    file: usize,
    offset: u64,
    content: (Option<String>, Option<String>, Option<String>, Option<i64>),
}

/// Keeps each launch record once. Overlapping exports repeat records; the same record id
/// with the same content is one launch, with different content it is an error naming both
/// places (`--lenient`: the later copy is skipped and counted).
fn drop_repeated_records(
    stacked: DataFrame,
    files: &[PathBuf],
    log: &mut RejectionLog,
) -> Result<(DataFrame, usize), IngestError> {
    let label = Path::new("audit");
    let frame_error = |error| IngestError::frame(label, error);
    const COPIES: &str = "copies";
    let repeated_ids = stacked
        .clone()
        .lazy()
        .filter(col(columns::RECORD_ID).is_not_null())
        .group_by([col(columns::RECORD_ID)])
        .agg([len().alias(COPIES)])
        .filter(col(COPIES).gt(lit(1u32)))
        .select([col(columns::RECORD_ID)]);
    let copies = stacked
        .clone()
        .lazy()
        .join(
            repeated_ids,
            [col(columns::RECORD_ID)],
            [col(columns::RECORD_ID)],
            JoinArgs::new(JoinType::Semi),
        )
        .sort(
            [columns::RECORD_ID, SOURCE_FILE, SOURCE_OFFSET],
            SortMultipleOptions::default(),
        )
        .collect()
        .map_err(frame_error)?;
    let drop_internal = |frame: DataFrame| frame.drop_many([SOURCE_FILE, SOURCE_OFFSET]);
    if copies.height() == 0 {
        return Ok((drop_internal(stacked), 0));
    }

    let copies = read_copies(&copies).map_err(frame_error)?;
    let mut dropped_files = Vec::new();
    let mut dropped_offsets = Vec::new();
    let mut repeated = 0;
    let mut kept: Option<&Copy> = None;
    for copy in &copies {
        let first = match kept {
            Some(first) if first.record_id == copy.record_id => first,
            _ => {
                kept = Some(copy);
                continue;
            }
        };
        dropped_files.push(u32::try_from(copy.file).unwrap_or(u32::MAX));
        dropped_offsets.push(copy.offset);
        if first.content == copy.content {
            repeated += 1;
            continue;
        }
        let first_place = place_of(files, first.file, first.offset);
        let place = place_of(files, copy.file, copy.offset);
        let path = files.get(copy.file).map_or(label, PathBuf::as_path);
        log.reject(rejection(
            path,
            place.1,
            "AuditData.Id",
            format!(
                "launch record {} also appears in {} at {} with different content (user, app or time)",
                copy.record_id,
                first_place.0.display(),
                first_place.1
            ),
        ))?;
    }
    let dropped = DataFrame::new_infer_height(vec![
        Column::new(SOURCE_FILE.into(), dropped_files),
        Column::new(SOURCE_OFFSET.into(), dropped_offsets),
    ])
    .map_err(frame_error)?;
    let kept = stacked
        .lazy()
        .join(
            dropped.lazy(),
            [col(SOURCE_FILE), col(SOURCE_OFFSET)],
            [col(SOURCE_FILE), col(SOURCE_OFFSET)],
            JoinArgs::new(JoinType::Anti),
        )
        .collect()
        .map_err(frame_error)?;
    Ok((drop_internal(kept), repeated))
}

fn read_copies(frame: &DataFrame) -> PolarsResult<Vec<Copy>> {
    let ids = frame.column(columns::RECORD_ID)?.str()?;
    let files = frame.column(SOURCE_FILE)?.u32()?;
    let offsets = frame.column(SOURCE_OFFSET)?.u64()?;
    let user_keys = frame.column(columns::USER_KEY)?.str()?;
    let object_ids = frame.column(columns::USER_OBJECT_ID)?.str()?;
    let apps = frame.column(columns::APP_ID)?.str()?;
    let times = frame.column(columns::LAUNCHED_AT)?.cast(&DataType::Int64)?;
    let times = times.i64()?;
    Ok((0..frame.height())
        .map(|row| Copy {
            record_id: ids.get(row).unwrap_or_default().to_string(),
            file: files.get(row).unwrap_or_default() as usize,
            offset: offsets.get(row).unwrap_or_default(),
            content: (
                user_keys.get(row).map(str::to_string),
                object_ids.get(row).map(str::to_string),
                apps.get(row).map(str::to_string),
                times.get(row),
            ),
        })
        .collect())
}

/// The file and line of a record, for a message.
fn place_of(files: &[PathBuf], file: usize, offset: u64) -> (PathBuf, Location) {
    let Some(path) = files.get(file) else {
        return (PathBuf::from("audit"), Location::File);
    };
    let location = match super::encoding::read_utf8(path) {
        Ok(bytes) => Location::Line(LineLocator::new(bytes.as_slice()).line_at(offset)),
        Err(_) => Location::File,
    };
    (path.clone(), location)
}

/// Column builders for one file's launches.
#[derive(Default)]
struct LaunchColumns {
    user_keys: Vec<String>,
    user_object_ids: Vec<Option<String>>,
    app_ids: Vec<String>,
    launched_at: Vec<i64>,
    record_ids: Vec<Option<String>>,
    offsets: Vec<u64>,
}

struct AuditColumns {
    /// The header's names, to recognise a second header.
    names: Vec<Vec<u8>>,
    audit_data: usize,
    operation: usize,
    creation_date: Option<usize>,
    user: Option<usize>,
    record_id: Option<usize>,
}

/// The bytes of an audit export, as a stream: UTF-8 files are streamed from disk; UTF-16
/// files (Windows PowerShell 5.1's `Out-File`) are transcoded in memory first, since the
/// splitter and the line counter work on UTF-8 bytes.
fn open_utf8_stream(path: &Path) -> Result<Box<dyn Read + Send>, IngestError> {
    let mut file = std::fs::File::open(path).map_err(|error| IngestError::io(path, error))?;
    let mut start = [0u8; 2];
    let mut filled = 0;
    while filled < start.len() {
        match file.read(&mut start[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(IngestError::io(path, error)),
        }
    }
    let is_utf16 = matches!(
        Encoding::detect(&start[..filled]).0,
        Encoding::Utf16LittleEndian | Encoding::Utf16BigEndian
    );
    if is_utf16 {
        return Ok(Box::new(std::io::Cursor::new(read_utf8(path)?)));
    }
    file.seek(SeekFrom::Start(0))
        .map_err(|error| IngestError::io(path, error))?;
    Ok(Box::new(file))
}

/// Streams one audit export. A file with no bytes (or only a byte order mark and blank
/// lines) is an export with no rows: a per-day export loop leaves one for a quiet day.
pub fn read_audit_file(path: &Path, strictness: Strictness) -> Result<AuditFileRead, IngestError> {
    let mut records = CsvRecords::new(open_utf8_stream(path)?);
    let mut lines = LineLocator::new(std::io::BufReader::new(open_utf8_stream(path)?));
    let mut log = RejectionLog::new(strictness);
    let mut launches = LaunchColumns::default();
    let mut other_operations: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut rows = 0usize;
    let mut first_record: Option<i64> = None;
    let mut last_record: Option<i64> = None;
    let mut scratch = Vec::new();
    let read_error = |error: std::io::Error| IngestError::io(path, error);

    let layout = {
        let mut header = None;
        while let Some(record) = records.next_record().map_err(read_error)? {
            if record.is_blank() {
                continue;
            }
            let first_field = record.raw(0).unwrap_or_default();
            if header.is_none() && record.offset == 0 && is_type_line(first_field) {
                continue;
            }
            header = Some(
                (0..record.len())
                    .map(|index| record.value(index).unwrap_or_default().into_owned())
                    .collect::<Vec<Vec<u8>>>(),
            );
            break;
        }
        let Some(names) = header else {
            return Ok(AuditFileRead {
                frame: launches_frame(launches).map_err(|error| IngestError::frame(path, error))?,
                rows,
                other_operations: BTreeMap::new(),
                first_record,
                last_record,
                log,
            });
        };
        let headers = HeaderMap::new(names.iter().map(Vec::as_slice));
        AuditColumns {
            names: names.clone(),
            audit_data: headers.require(path, &["AuditData"])?,
            operation: headers.require(path, &["Operation", "Operations"])?,
            creation_date: headers.find(&["CreationDate"]),
            user: headers.find(&["UserId", "UserIds"]),
            record_id: headers.find(&["RecordId"]),
        }
    };

    while let Some(record) = records.next_record().map_err(read_error)? {
        if record.is_blank() {
            continue;
        }
        rows += 1;
        if let Some(problem) = structure_problem(&record, &layout.names) {
            let line = lines.line_at(record.offset);
            log.reject(rejection(path, Location::Line(line), "(csv)", problem))?;
            continue;
        }
        let operation = record.value(layout.operation).unwrap_or_default();
        let operation = operation.trim_ascii();
        if !operation.eq_ignore_ascii_case(LAUNCH_OPERATION.as_bytes()) {
            count_operation(&mut other_operations, operation);
            if let Some(at) = row_creation_date(&record, &layout) {
                first_record = min_option(first_record, Some(at));
                last_record = last_record.max(Some(at));
            }
            continue;
        }
        match read_launch(path, &record, &layout, &mut scratch, &mut launches) {
            Ok(at) => {
                first_record = min_option(first_record, Some(at));
                last_record = last_record.max(Some(at));
            }
            Err(mut problem) => {
                problem.location = Location::Line(lines.line_at(record.offset));
                log.reject(problem)?;
            }
        }
    }

    let frame = launches_frame(launches).map_err(|error| IngestError::frame(path, error))?;
    Ok(AuditFileRead {
        frame,
        rows,
        other_operations: other_operations
            .into_iter()
            .map(|(operation, count)| (String::from_utf8_lossy(&operation).into_owned(), count))
            .collect(),
        first_record,
        last_record,
        log,
    })
}

/// The row's `CreationDate`, for the export's coverage; rows seatwise does not otherwise read
/// are not rejected for a date it cannot parse, they only do not count towards coverage.
fn row_creation_date(record: &CsvRecord, layout: &AuditColumns) -> Option<i64> {
    let bytes = record.value(layout.creation_date?)?;
    let text = std::str::from_utf8(&bytes).ok()?;
    parse_timestamp(text).ok()
}

fn count_operation(counts: &mut Vec<(Vec<u8>, usize)>, operation: &[u8]) {
    match counts
        .iter_mut()
        .find(|(known, _)| known.as_slice() == operation)
    {
        Some((_, count)) => *count += 1,
        None => counts.push((operation.to_vec(), 1)),
    }
}

/// Reads one launch row and returns its time. Rejections carry a placeholder location; the
/// caller, which can count lines, fills it in.
fn read_launch(
    path: &Path,
    record: &CsvRecord,
    layout: &AuditColumns,
    scratch: &mut Vec<u8>,
    launches: &mut LaunchColumns,
) -> Result<i64, super::error::Rejection> {
    let location = Location::File;
    let text_field =
        |index: Option<usize>, field: &str| -> Result<Option<String>, super::error::Rejection> {
            match index.and_then(|index| record.value(index)) {
                None => Ok(None),
                Some(bytes) => std::str::from_utf8(&bytes)
                    .map(|text| Some(text.trim().to_string()).filter(|text| !text.is_empty()))
                    .map_err(|_| rejection(path, location.clone(), field, "not UTF-8")),
            }
        };
    let audit_bytes: &[u8] = record.field(layout.audit_data, scratch).unwrap_or_default();
    let audit: LaunchAuditData = serde_json::from_slice(audit_bytes).map_err(|error| {
        let (field, problem) = super::record::split_field_path(&error.to_string());
        // Broken syntax has no meaningful property path; a wrong type inside valid JSON does.
        let is_syntax = serde_json::from_slice::<serde::de::IgnoredAny>(audit_bytes).is_err();
        let field = if field.is_empty() || is_syntax {
            "AuditData".to_string()
        } else {
            format!("AuditData.{field}")
        };
        rejection(
            path,
            location.clone(),
            field,
            format!("broken AuditData JSON: {problem}"),
        )
    })?;

    let launched_at = match audit.creation_time.flatten() {
        Some(text) => parse_recorded_timestamp(&text).map_err(|problem| {
            rejection(path, location.clone(), "AuditData.CreationTime", problem)
        })?,
        None => match text_field(layout.creation_date, "CreationDate")? {
            Some(text) => parse_recorded_timestamp(&text)
                .map_err(|problem| rejection(path, location.clone(), "CreationDate", problem))?,
            None => {
                return Err(rejection(
                    path,
                    location,
                    "AuditData.CreationTime",
                    "no time: neither AuditData.CreationTime nor CreationDate is set",
                ));
            }
        },
    };
    let property_ids = audit.property_collection.unwrap_or_default();
    // SPEC §2: the object id is `UserKey` when that is a GUID (older records carry a PUID
    // there), else the `enduser.id` entry of the newer record shape.
    let user_object_id = audit
        .user_key
        .flatten()
        .and_then(|key| parse_guid(&key))
        .or_else(|| property_ids.end_user_id.as_deref().and_then(parse_guid));
    let user = match audit
        .user_id
        .flatten()
        .filter(|user| !user.trim().is_empty())
    {
        Some(user) => Some(user.trim().to_lowercase()),
        None => text_field(layout.user, "UserId")?.map(|user| user.to_lowercase()),
    };
    let user = match (user, &user_object_id) {
        (Some(user), _) => user,
        (None, Some(_)) => String::new(),
        (None, None) => {
            return Err(rejection(
                path,
                location,
                "AuditData.UserId",
                "no user: neither AuditData.UserId, the row's UserId/UserIds nor an object id (UserKey, enduser.id) is set",
            ));
        }
    };
    let app_id = audit
        .app_name
        .flatten()
        .or(property_ids.app_id)
        .map(|app| app.trim().to_ascii_lowercase())
        .filter(|app| !app.is_empty())
        .ok_or_else(|| {
            rejection(
                path,
                location.clone(),
                "AuditData.AppName",
                format!("no app id: neither AppName nor a PropertyCollection entry {POWER_APP_ID_PROPERTY}"),
            )
        })?;
    let record_id = match audit.id.flatten() {
        Some(id) => Some(id),
        None => text_field(layout.record_id, "RecordId")?,
    }
    .map(|id| id.trim().to_ascii_lowercase())
    .filter(|id| !id.is_empty());

    launches.user_keys.push(user);
    launches.user_object_ids.push(user_object_id);
    launches.app_ids.push(app_id);
    launches.launched_at.push(launched_at);
    launches.record_ids.push(record_id);
    launches.offsets.push(record.offset);
    Ok(launched_at)
}

fn launches_frame(launches: LaunchColumns) -> PolarsResult<DataFrame> {
    DataFrame::new_infer_height(vec![
        Column::new(columns::USER_KEY.into(), launches.user_keys),
        Column::new(columns::USER_OBJECT_ID.into(), launches.user_object_ids),
        Column::new(columns::APP_ID.into(), launches.app_ids),
        Column::new(columns::LAUNCHED_AT.into(), launches.launched_at)
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?,
        Column::new(columns::RECORD_ID.into(), launches.record_ids),
        Column::new(SOURCE_OFFSET.into(), launches.offsets),
    ])
}

/// A launches frame with no rows (a snapshot without audit exports).
pub fn empty_launches() -> PolarsResult<DataFrame> {
    Ok(launches_frame(LaunchColumns::default())?.drop_many([SOURCE_OFFSET]))
}
