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
use super::error::{IngestError, Location, RejectionLog, Strictness, rejection};
use super::record::KeyIndex;
use super::table::{HeaderMap, LineLocator};
use super::timestamp::parse_timestamp;
use crate::case_insensitive_record;
use crate::model::columns;
use polars::prelude::*;
use rayon::prelude::*;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The only audit operation seatwise uses.
pub const LAUNCH_OPERATION: &str = "LaunchPowerApp";
/// The `PropertyCollection` entry that carries the app id in RecordType 256 records.
pub const POWER_APP_ID_PROPERTY: &str = "powerplatform.analytics.resource.power_app.id";

case_insensitive_record! {
    struct LaunchAuditData {
        id: Option<String> = "Id",
        creation_time: Option<String> = "CreationTime",
        user_id: Option<String> = "UserId",
        app_name: Option<String> = "AppName",
        property_collection: PropertyCollectionAppId = "PropertyCollection",
    }
}

/// The app id found in a `PropertyCollection` array, if any.
struct PropertyCollectionAppId(Option<String>);

impl<'de> Deserialize<'de> for PropertyCollectionAppId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(PropertyCollectionVisitor)
    }
}

struct PropertyCollectionVisitor;

impl<'de> Visitor<'de> for PropertyCollectionVisitor {
    type Value = PropertyCollectionAppId;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an array of {Name, Value} objects")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(PropertyCollectionAppId(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut entries: A) -> Result<Self::Value, A::Error> {
        let mut app_id = None;
        while let Some(entry) = entries.next_element::<PropertyEntry<'de>>()? {
            if let (true, Some(raw)) = (entry.is_app_id, entry.value) {
                app_id = serde_json::from_str::<Option<String>>(raw.get())
                    .ok()
                    .flatten();
            }
        }
        Ok(PropertyCollectionAppId(app_id))
    }
}

/// One `{Name, Value}` entry; the value is kept raw and decoded only for the app id entry.
struct PropertyEntry<'de> {
    is_app_id: bool,
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
            is_app_id: false,
            value: None,
        };
        while let Some(key) = map.next_key_seed(KeyIndex(&["Name", "Value"]))? {
            match key {
                Some(0) => entry.is_app_id = map.next_value_seed(NameIs(POWER_APP_ID_PROPERTY))?,
                Some(1) => entry.value = Some(map.next_value::<&'de RawValue>()?),
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(entry)
    }
}

/// Compares a string value with a name without allocating.
struct NameIs(&'static str);

impl<'de> DeserializeSeed<'de> for NameIs {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NameIs {
    type Value = bool;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a property name")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<bool, E> {
        Ok(name.eq_ignore_ascii_case(self.0))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

/// The launches of one audit file and its counts.
pub struct AuditFileRead {
    pub frame: DataFrame,
    pub rows: usize,
    pub other_operations: BTreeMap<String, usize>,
    pub log: RejectionLog,
}

/// Launches of all audit files, and their counts.
pub struct AuditRead {
    pub launches: DataFrame,
    pub rows: usize,
    pub launch_rows: usize,
    pub other_operations: BTreeMap<String, usize>,
    pub log: RejectionLog,
}

/// Reads every audit export in parallel and stacks their launches.
pub fn read_audit_files(
    files: &[PathBuf],
    strictness: Strictness,
) -> Result<AuditRead, IngestError> {
    let per_file: Vec<Result<AuditFileRead, IngestError>> = files
        .par_iter()
        .map(|path| read_audit_file(path, strictness))
        .collect();
    let mut frames = Vec::with_capacity(per_file.len());
    let mut rows = 0;
    let mut other_operations: BTreeMap<String, usize> = BTreeMap::new();
    let mut log = RejectionLog::new(strictness);
    for result in per_file {
        let file = result?;
        rows += file.rows;
        for (operation, count) in file.other_operations {
            *other_operations.entry(operation).or_default() += count;
        }
        log.absorb(file.log);
        frames.push(file.frame);
    }
    let label = Path::new("audit");
    let mut launches = empty_launches().map_err(|error| IngestError::frame(label, error))?;
    for frame in frames {
        launches
            .vstack_mut_owned(frame)
            .map_err(|error| IngestError::frame(label, error))?;
    }
    launches.rechunk_mut();
    let launch_rows = launches.height();
    Ok(AuditRead {
        launches,
        rows,
        launch_rows,
        other_operations,
        log,
    })
}

/// Column builders for one file's launches.
#[derive(Default)]
struct LaunchColumns {
    user_keys: Vec<String>,
    app_ids: Vec<String>,
    launched_at: Vec<i64>,
    record_ids: Vec<Option<String>>,
}

struct AuditColumns {
    audit_data: usize,
    operation: usize,
    creation_date: Option<usize>,
    user: Option<usize>,
    record_id: Option<usize>,
}

/// Streams one audit export.
pub fn read_audit_file(path: &Path, strictness: Strictness) -> Result<AuditFileRead, IngestError> {
    let file = std::fs::File::open(path).map_err(|error| IngestError::io(path, error))?;
    let mut records = CsvRecords::new(file);
    let mut lines = LineLocator::new(std::io::BufReader::new(
        std::fs::File::open(path).map_err(|error| IngestError::io(path, error))?,
    ));
    let mut log = RejectionLog::new(strictness);
    let mut launches = LaunchColumns::default();
    let mut other_operations: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut rows = 0usize;
    let mut scratch = Vec::new();
    let read_error = |error: std::io::Error| IngestError::io(path, error);

    let layout = {
        let Some(header) = records.next_record().map_err(read_error)? else {
            return Err(IngestError::Malformed(rejection(
                path,
                Location::File,
                "(header)",
                "the file is empty",
            )));
        };
        let names: Vec<Vec<u8>> = (0..header.len())
            .map(|index| header.value(index).unwrap_or_default().into_owned())
            .collect();
        let headers = HeaderMap::new(names.iter().map(Vec::as_slice));
        AuditColumns {
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
        let operation = record.value(layout.operation).unwrap_or_default();
        let operation = trim_bytes(&operation);
        if !operation.eq_ignore_ascii_case(LAUNCH_OPERATION.as_bytes()) {
            count_operation(&mut other_operations, operation);
            continue;
        }
        if let Err(mut problem) = read_launch(path, &record, &layout, &mut scratch, &mut launches) {
            problem.location = Location::Line(lines.line_at(record.offset));
            log.reject(problem)?;
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
        log,
    })
}

fn trim_bytes(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|byte| !byte.is_ascii_whitespace())
        .map_or(start, |end| end + 1);
    &bytes[start..end]
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

/// Reads one launch row. Rejections carry a placeholder location; the caller, which can
/// count lines, fills it in.
fn read_launch(
    path: &Path,
    record: &CsvRecord,
    layout: &AuditColumns,
    scratch: &mut Vec<u8>,
    launches: &mut LaunchColumns,
) -> Result<(), super::error::Rejection> {
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
        Some(text) => parse_timestamp(&text).map_err(|problem| {
            rejection(path, location.clone(), "AuditData.CreationTime", problem)
        })?,
        None => match text_field(layout.creation_date, "CreationDate")? {
            Some(text) => parse_timestamp(&text)
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
    let user = match audit
        .user_id
        .flatten()
        .filter(|user| !user.trim().is_empty())
    {
        Some(user) => user.trim().to_lowercase(),
        None => match text_field(layout.user, "UserId")? {
            Some(user) => user.to_lowercase(),
            None => {
                return Err(rejection(
                    path,
                    location,
                    "AuditData.UserId",
                    "no user: neither AuditData.UserId nor the row's UserId/UserIds is set",
                ));
            }
        },
    };
    let app_id = audit
        .app_name
        .flatten()
        .or_else(|| audit.property_collection.and_then(|collection| collection.0))
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
    .map(|id| id.trim().to_ascii_lowercase());

    launches.user_keys.push(user);
    launches.app_ids.push(app_id);
    launches.launched_at.push(launched_at);
    launches.record_ids.push(record_id);
    Ok(())
}

fn launches_frame(launches: LaunchColumns) -> PolarsResult<DataFrame> {
    DataFrame::new_infer_height(vec![
        Column::new(columns::USER_KEY.into(), launches.user_keys),
        Column::new(columns::APP_ID.into(), launches.app_ids),
        Column::new(columns::LAUNCHED_AT.into(), launches.launched_at)
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?,
        Column::new(columns::RECORD_ID.into(), launches.record_ids),
    ])
}

/// A launches frame with no rows (a snapshot without audit exports).
pub fn empty_launches() -> PolarsResult<DataFrame> {
    launches_frame(LaunchColumns::default())
}
