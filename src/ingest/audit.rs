//! Power Apps launches from unified audit log CSV exports.
//!
//! Two CSV shapes occur (SPEC §2): Purview's (`RecordId, CreationDate, RecordType, Operation,
//! UserId, AuditData, …`) and `Search-UnifiedAuditLog | Export-Csv` output (`CreationDate,
//! UserIds, Operations, AuditData`), told apart by header names. Exports reach hundreds of
//! megabytes, so each file is streamed record by record with only the needed columns decoded:
//! rows of other operations are counted without touching their `AuditData`, and for launches
//! a purpose-made deserializer picks the handful of `AuditData` properties (including the app
//! id inside the newer records' `PropertyCollection`) and skips everything else unallocated.
//! Files are read in parallel, each into compact records that [`launch_days`] then counts per
//! user, app and day.

use super::csv_records::{CsvRecord, CsvRecords};
use super::encoding::{Encoding, read_utf8};
use super::error::{IngestError, Location, RejectionLog, Strictness, rejection};
use super::launch_days::{self, FileLaunches};
use super::record::KeyIndex;
use super::table::{HeaderMap, is_type_line, structure_problem};
use crate::case_insensitive_record;
use crate::model::guid::Guid;
use crate::support::lines::LineLocator;
use crate::support::timestamp::{parse_recorded_timestamp, parse_timestamp};
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
    /// The file's launch records, compact.
    pub launches: FileLaunches,
    pub rows: usize,
    pub other_operations: BTreeMap<String, usize>,
    /// Earliest and latest time of any record in the file (launches or not).
    pub first_record: Option<i64>,
    pub last_record: Option<i64>,
    pub log: RejectionLog,
}

/// Launches of all audit files, and their counts.
pub struct AuditRead {
    pub launches: polars::prelude::DataFrame,
    pub rows: usize,
    pub launch_rows: usize,
    /// Launch records exported more than once (same record id, same content), kept once.
    pub duplicate_launch_records: usize,
    pub other_operations: BTreeMap<String, usize>,
    pub first_record: Option<i64>,
    pub last_record: Option<i64>,
    pub log: RejectionLog,
}

/// Reads every audit export in parallel, stacks their launches and keeps each record once.
pub fn read_audit_files(
    files: &[PathBuf],
    strictness: Strictness,
) -> Result<AuditRead, IngestError> {
    let per_file: Vec<Result<AuditFileRead, IngestError>> = files
        .par_iter()
        .map(|path| read_audit_file(path, strictness))
        .collect();
    let mut rows = 0;
    let mut other_operations: BTreeMap<String, usize> = BTreeMap::new();
    let mut log = RejectionLog::new(strictness);
    let mut first_record: Option<i64> = None;
    let mut last_record: Option<i64> = None;
    let mut launches = Vec::with_capacity(files.len());
    for result in per_file {
        let file = result?;
        rows += file.rows;
        for (operation, count) in file.other_operations {
            *other_operations.entry(operation).or_default() += count;
        }
        first_record = min_option(first_record, file.first_record);
        last_record = last_record.max(file.last_record);
        log.absorb(file.log);
        launches.push(file.launches);
    }
    let days = launch_days::reduce(launches, files, &mut log)?;
    Ok(AuditRead {
        launch_rows: days.launches,
        launches: days.frame,
        rows,
        duplicate_launch_records: days.repeated,
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
    let mut launches = FileLaunches::default();
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
                launches,
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

    Ok(AuditFileRead {
        launches,
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
    launches: &mut FileLaunches,
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
        .and_then(|key| Guid::parse(&key))
        .or_else(|| property_ids.end_user_id.as_deref().and_then(Guid::parse));
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

    launches.push(
        &user,
        user_object_id,
        &app_id,
        launched_at,
        record_id.as_deref(),
        record.offset,
    );
    Ok(launched_at)
}
