//! Power Apps launches from unified audit log CSV exports.
//!
//! Two CSV shapes occur (SPEC §2): Purview's (`RecordId, CreationDate, RecordType, Operation,
//! UserId, AuditData, …`) and `Search-UnifiedAuditLog | Export-Csv` output (`CreationDate,
//! UserIds, Operations, AuditData`), told apart by header names. Exports reach hundreds of
//! megabytes, so each file is streamed record by record with only the needed columns decoded:
//! rows of other operations are counted without touching their `AuditData`, and for launches
//! a purpose-made deserializer picks the handful of `AuditData` properties (including the app
//! id inside the newer records' `PropertyCollection`) and skips everything else unallocated.
//! Files are read in parallel, each into compact records that [`launch_days`] merges as each
//! file is done and then counts per launch identity, app and day.

use super::audit_data_scan::{self, LaunchFields};
use super::csv_records::{CsvRecord, CsvRecords};
use super::encoding::{Encoding, read_utf8, read_utf8_digested};
use super::error::{IngestError, Location, Rejection, RejectionLog, Strictness, rejection};
use super::launch_days::{self, FileLaunches, LaunchMerge};
use super::record::KeyIndex;
use super::table::{HeaderMap, is_type_line, structure_problem};
use crate::case_insensitive_record;
use crate::model::guid::Guid;
use crate::support::digest::{DigestingReader, FileDigest};
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
use std::sync::{Mutex, PoisonError};

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
    /// The size and SHA-256 of the file as stored.
    pub digest: FileDigest,
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
    /// The digest of each file, by path.
    pub digests: Vec<(PathBuf, FileDigest)>,
    pub launches: polars::prelude::DataFrame,
    /// Who launched: row `n` is `launch_identity` `n` of `launches`.
    pub launch_identities: polars::prelude::DataFrame,
    pub rows: usize,
    pub launch_rows: usize,
    /// Launch records exported more than once (same record id, same content), kept once.
    pub duplicate_launch_records: usize,
    pub other_operations: BTreeMap<String, usize>,
    pub first_record: Option<i64>,
    pub last_record: Option<i64>,
    pub log: RejectionLog,
}

/// Reads every audit export in parallel, merges their launches as each file is read and keeps
/// each record once.
pub fn read_audit_files(
    files: &[PathBuf],
    strictness: Strictness,
) -> Result<AuditRead, IngestError> {
    let merge = Mutex::new(LaunchMerge::with_capacity(
        files.iter().map(|path| expected_records(path)).sum(),
    ));
    let per_file: Vec<Result<AuditFileRead, IngestError>> = files
        .par_iter()
        .enumerate()
        .map(|(index, path)| {
            let mut file = read_audit_file(path, strictness)?;
            let launches = std::mem::take(&mut file.launches);
            merge
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .offer(index, launches);
            Ok(file)
        })
        .collect();
    let mut rows = 0;
    let mut other_operations: BTreeMap<String, usize> = BTreeMap::new();
    let mut log = RejectionLog::new(strictness);
    let mut first_record: Option<i64> = None;
    let mut last_record: Option<i64> = None;
    let mut digests = Vec::with_capacity(files.len());
    for (result, path) in per_file.into_iter().zip(files) {
        let file = result?;
        digests.push((path.clone(), file.digest));
        rows += file.rows;
        for (operation, count) in file.other_operations {
            *other_operations.entry(operation).or_default() += count;
        }
        first_record = min_option(first_record, file.first_record);
        last_record = last_record.max(file.last_record);
        log.absorb(file.log);
    }
    let merged = merge.into_inner().unwrap_or_else(PoisonError::into_inner);
    let days = launch_days::reduce(merged, files, &mut log)?;
    Ok(AuditRead {
        digests,
        launch_rows: days.launches,
        launches: days.frame,
        launch_identities: days.identities,
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

/// An audit export opened at its start, and whether it is UTF-16.
fn open_export(path: &Path) -> Result<(std::fs::File, bool), IngestError> {
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
    file.seek(SeekFrom::Start(0))
        .map_err(|error| IngestError::io(path, error))?;
    Ok((file, is_utf16))
}

/// The bytes of an audit export as UTF-8, digested as stored while they are read: UTF-8 files
/// are streamed from disk; UTF-16 files (Windows PowerShell 5.1's `Out-File`) are transcoded in
/// memory first, since the splitter and the line counter work on UTF-8 bytes.
enum Utf8Stream {
    Streamed(DigestingReader<std::fs::File>),
    Transcoded {
        text: std::io::Cursor<Vec<u8>>,
        digest: FileDigest,
    },
}

impl Utf8Stream {
    fn open(path: &Path) -> Result<Utf8Stream, IngestError> {
        let (file, is_utf16) = open_export(path)?;
        if is_utf16 {
            let (text, digest) = read_utf8_digested(path)?;
            return Ok(Utf8Stream::Transcoded {
                text: std::io::Cursor::new(text),
                digest,
            });
        }
        Ok(Utf8Stream::Streamed(DigestingReader::new(file)))
    }

    /// The digest of the whole file.
    fn finish(self) -> std::io::Result<FileDigest> {
        match self {
            Utf8Stream::Streamed(reader) => reader.finish(),
            Utf8Stream::Transcoded { digest, .. } => Ok(digest),
        }
    }
}

impl Read for Utf8Stream {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Utf8Stream::Streamed(reader) => reader.read(buffer),
            Utf8Stream::Transcoded { text, .. } => text.read(buffer),
        }
    }
}

/// The UTF-8 bytes of an audit export again, undigested: for the line counter, which reads
/// only as far as a rejected record.
fn open_utf8_stream(path: &Path) -> Result<Box<dyn Read + Send>, IngestError> {
    let (file, is_utf16) = open_export(path)?;
    if is_utf16 {
        return Ok(Box::new(std::io::Cursor::new(read_utf8(path)?)));
    }
    Ok(Box::new(file))
}

/// Streams one audit export. A file with no bytes (or only a byte order mark and blank
/// lines) is an export with no rows: a per-day export loop leaves one for a quiet day.
pub fn read_audit_file(path: &Path, strictness: Strictness) -> Result<AuditFileRead, IngestError> {
    let mut records = CsvRecords::new(Utf8Stream::open(path)?);
    let mut lines = LineLocator::new(std::io::BufReader::new(open_utf8_stream(path)?));
    let mut log = RejectionLog::new(strictness);
    let mut launches = FileLaunches::with_capacity(expected_records(path));
    let mut other_operations: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut rows = 0usize;
    let mut first_record: Option<i64> = None;
    let mut last_record: Option<i64> = None;
    let mut scratch = LaunchScratch::default();
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
                digest: records.into_inner().finish().map_err(read_error)?,
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
        digest: records.into_inner().finish().map_err(read_error)?,
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

/// About how many records the export at `path` holds, to size its tables: a row of a
/// Purview export is about a kilobyte (its `AuditData` document), so one per kilobyte, at most
/// the 50,000 rows Purview puts in one file (a larger file still reads; its tables grow).
fn expected_records(path: &Path) -> usize {
    const BYTES_PER_RECORD: u64 = 1024;
    const PURVIEW_ROWS_PER_FILE: u64 = 50_000;
    let bytes = std::fs::metadata(path).map_or(0, |metadata| metadata.len());
    usize::try_from((bytes / BYTES_PER_RECORD).min(PURVIEW_ROWS_PER_FILE)).unwrap_or(0)
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

/// Buffers reused from one launch row to the next: most values are lower-cased on the way in.
#[derive(Default)]
struct LaunchScratch {
    /// The unescaped `AuditData`, when the full decoder is needed.
    audit_data: Vec<u8>,
    user: String,
    app: String,
    record_id: String,
}

impl LaunchAuditData {
    /// The values read, borrowed; absent and null alike `None`.
    fn fields(&self) -> LaunchFields<'_> {
        fn text(value: &Option<Option<String>>) -> Option<&str> {
            value.as_ref().and_then(|text| text.as_deref())
        }
        let properties = self.property_collection.as_ref();
        LaunchFields {
            id: text(&self.id),
            creation_time: text(&self.creation_time),
            user_id: text(&self.user_id),
            user_key: text(&self.user_key),
            app_name: text(&self.app_name),
            app_id_property: properties.and_then(|ids| ids.app_id.as_deref()),
            end_user_id_property: properties.and_then(|ids| ids.end_user_id.as_deref()),
        }
    }
}

/// The launch row's `AuditData` decoded in full: for what the scanner leaves to it, and for
/// the rejection of a broken document.
fn decode_audit_data(path: &Path, audit_bytes: &[u8]) -> Result<LaunchAuditData, Rejection> {
    serde_json::from_slice(audit_bytes).map_err(|error| {
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
            Location::File,
            field,
            format!("broken AuditData JSON: {problem}"),
        )
    })
}

/// `text` trimmed and lower-cased into `out` (ASCII without a new allocation). Other text is
/// lowered whole: `str::to_lowercase` depends on context (a final sigma), so it is not done
/// character by character.
fn lower_trimmed<'s>(text: &str, out: &'s mut String) -> &'s str {
    let text = text.trim();
    out.clear();
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
    } else {
        out.push_str(&text.to_lowercase());
    }
    out
}

/// `text` trimmed, with its ASCII letters lower-cased, into `out`: app and record ids.
fn lower_trimmed_ascii<'s>(text: &str, out: &'s mut String) -> &'s str {
    out.clear();
    out.push_str(text.trim());
    out.make_ascii_lowercase();
    out
}

/// Reads one launch row and returns its time. Rejections carry a placeholder location; the
/// caller, which can count lines, fills it in.
fn read_launch(
    path: &Path,
    record: &CsvRecord,
    layout: &AuditColumns,
    scratch: &mut LaunchScratch,
    launches: &mut FileLaunches,
) -> Result<i64, Rejection> {
    let location = Location::File;
    let text_field = |index: Option<usize>, field: &str| -> Result<Option<String>, Rejection> {
        match index.and_then(|index| record.value(index)) {
            None => Ok(None),
            Some(bytes) => std::str::from_utf8(&bytes)
                .map(|text| Some(text.trim().to_string()).filter(|text| !text.is_empty()))
                .map_err(|_| rejection(path, location.clone(), field, "not UTF-8")),
        }
    };
    // The scanner reads quotes as doubled pairs, which only a record without a CSV problem
    // guarantees (the caller rejects the others first).
    let scanned = match record.problem {
        None => audit_data_scan::scan(record.raw(layout.audit_data).unwrap_or_default()),
        Some(_) => None,
    };
    let decoded;
    let audit = match scanned {
        Some(fields) => fields,
        None => {
            let bytes = record
                .field(layout.audit_data, &mut scratch.audit_data)
                .unwrap_or_default();
            decoded = decode_audit_data(path, bytes)?;
            decoded.fields()
        }
    };

    let launched_at = match audit.creation_time {
        Some(text) => parse_recorded_timestamp(text).map_err(|problem| {
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
    // SPEC §2: the object id is `UserKey` when that is a GUID (older records carry a PUID
    // there), else the `enduser.id` entry of the newer record shape.
    let user_object_id = audit
        .user_key
        .and_then(Guid::parse)
        .or_else(|| audit.end_user_id_property.and_then(Guid::parse));
    let user = match audit.user_id.filter(|user| !user.trim().is_empty()) {
        Some(user) => Some(lower_trimmed(user, &mut scratch.user)),
        None => match text_field(layout.user, "UserId")? {
            Some(user) => Some(lower_trimmed(&user, &mut scratch.user)),
            None => None,
        },
    };
    let user = match (user, &user_object_id) {
        (Some(user), _) => user,
        (None, Some(_)) => "",
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
        .or(audit.app_id_property)
        .map(|app| lower_trimmed_ascii(app, &mut scratch.app))
        .filter(|app| !app.is_empty())
        .ok_or_else(|| {
            rejection(
                path,
                location.clone(),
                "AuditData.AppName",
                format!("no app id: neither AppName nor a PropertyCollection entry {POWER_APP_ID_PROPERTY}"),
            )
        })?;
    let record_id_text;
    let record_id = match audit.id {
        Some(id) => Some(id),
        None => {
            record_id_text = text_field(layout.record_id, "RecordId")?;
            record_id_text.as_deref()
        }
    }
    .map(|id| lower_trimmed_ascii(id, &mut scratch.record_id))
    .filter(|id| !id.is_empty());

    launches.push(
        user,
        user_object_id,
        app_id,
        launched_at,
        record_id,
        record.offset,
    );
    Ok(launched_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::columns;

    /// A JSON document as a quoted CSV field stores it, quotes doubled.
    fn stored(document: &str) -> Vec<u8> {
        document.replace('"', "\"\"").into_bytes()
    }

    /// The full decoder's reading of `document`, as owned strings.
    fn decoded(document: &str) -> Option<[Option<String>; 7]> {
        let decoded = decode_audit_data(Path::new("audit.csv"), document.as_bytes()).ok()?;
        Some(owned(decoded.fields()))
    }

    fn owned(fields: LaunchFields<'_>) -> [Option<String>; 7] {
        [
            fields.id,
            fields.creation_time,
            fields.user_id,
            fields.user_key,
            fields.app_name,
            fields.app_id_property,
            fields.end_user_id_property,
        ]
        .map(|value| value.map(str::to_string))
    }

    /// Whether the scanner answers `document`; when it does, its answer must be the decoder's.
    fn scanner_answers(document: &str) -> bool {
        let stored = stored(document);
        match audit_data_scan::scan(&stored) {
            Some(fields) => {
                assert_eq!(Some(owned(fields)), decoded(document), "{document}");
                true
            }
            None => false,
        }
    }

    const NEWER: &str = r#"{"Id":"448ead1a-709d-465f-91f1-5ce483b37ff2","RecordType":256,"CreationTime":"2026-11-04T23:19:02","UserKey":"9fa50e07-2b48-4deb-a40f-f775db5f0b8e","UserId":"Aoife@Tailspintoys.com","Version":1.5e3,"Ok":false,"Nothing":null,"PropertyCollection":[{"Name":"enduser.id","Value":"9fa50e07-2b48-4deb-a40f-f775db5f0b8e"},{"Name":"powerplatform.analytics.resource.power_app.display_name","Value":"\"Quick\" Quote \\ Builder \u00e9"},{"Value":"f0455ea2-02e8-41f1-8f88-8abfab0d286b","Name":"POWERPLATFORM.analytics.resource.power_app.id"},{"Name":"other","Value":{"nested":[1,-0.5,[],{}]}}]}"#;
    const OLDER: &str = "{ \"id\" : \"9d8c\", \"CREATIONTIME\":\"2026-10-01T08:00:00\",\r\n\t\"AppName\":\"Zoë's app\", \"UserKey\":\"10032001A2B3C4D5\" }";

    #[test]
    fn the_scanner_reads_the_plain_records_as_the_decoder_does() {
        for document in [
            NEWER,
            OLDER,
            "{}",
            r#"{"UserId":null,"AppName":"a"}"#,
            // A later entry of a name wins; one without a value changes nothing; a value that is
            // not a string clears it.
            r#"{"PropertyCollection":[{"Name":"enduser.id","Value":"x"},{"Name":"enduser.id"},{"Name":"powerplatform.analytics.resource.power_app.id","Value":"a"},{"Name":"powerplatform.analytics.resource.power_app.id","Value":7}]}"#,
            r#"{"PropertyCollection":[{"Name":null,"Value":"x"},{"Value":"y"},{}]}"#,
            // A nameless entry leaves a slot as it is; a null value clears it.
            r#"{"PropertyCollection":[{"Name":"enduser.id","Value":"x"},{"Name":null,"Value":"y"},{"name":"ENDUSER.ID","value":null}]}"#,
            // Escapes matter only in values read: other values may hold any.
            r#"{"Other":"\ud83d\ude80 \"x\"","PropertyCollection":[{"Value":"\u00e9\n","Name":"enduser.role"}]}"#,
            r#"{"UserId":"","AppName":" "}"#,
        ] {
            assert!(scanner_answers(document), "left to the decoder: {document}");
        }
    }

    #[test]
    fn a_launch_reads_the_same_through_the_scanner_and_the_decoder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("audit.csv");
        let row = |id: &str, time: &str, user: &str| {
            let document = format!(
                r#"{{"Id":"{id}","CreationTime":"2026-10-01T{time}","UserId":"{user}","AppName":" App-1 "}}"#
            );
            format!(
                "{id},2026-10-01T{time}Z,256,LaunchPowerApp,x,\"{}\"\r\n",
                document.replace('"', "\"\"")
            )
        };
        let text = [
            "RecordId,CreationDate,RecordType,Operation,UserId,AuditData\r\n".to_string(),
            // The scanner reads the first; the escape sends the second to the decoder.
            row("1", "08:00:00", " Ada@Contoso.com "),
            row("2", "09:00:00", r"ada\u0040contoso.COM"),
            row("3", "10:00:00", " ÅSA@Contoso.com "),
        ]
        .concat();
        std::fs::write(&path, text).expect("write");
        let read = read_audit_files(&[path], Strictness::Strict).expect("read");
        let frame = crate::model::name_launch_identities(&read.launches, &read.launch_identities)
            .and_then(|frame| frame.sort([columns::USER_KEY], Default::default()))
            .expect("sort");
        let texts = |name: &str| -> Vec<Option<String>> {
            frame
                .column(name)
                .and_then(|column| column.str().cloned())
                .expect(name)
                .iter()
                .map(|value| value.map(str::to_string))
                .collect()
        };
        assert_eq!(
            texts(columns::USER_KEY),
            [
                Some("ada@contoso.com".into()),
                Some("åsa@contoso.com".into())
            ]
        );
        assert_eq!(
            texts(columns::APP_ID),
            [Some("app-1".into()), Some("app-1".into())]
        );
        let launches: Vec<Option<u32>> = frame
            .column(columns::LAUNCHES)
            .and_then(|column| column.u32().cloned())
            .expect("launches")
            .iter()
            .collect();
        assert_eq!(launches, [Some(2), Some(1)]);
    }

    #[test]
    fn what_the_scanner_does_not_settle_goes_to_the_decoder() {
        for document in [
            // Escapes in a value read, a property twice, a wanted value of another type.
            r#"{"UserId":"ada\u0040contoso.com"}"#,
            r#"{"UserId":"a","USERID":"b"}"#,
            r#"{"UserId":null,"userid":"b"}"#,
            r#"{"AppName":7}"#,
            r#"{"PropertyCollection":{}}"#,
            r#"{"PropertyCollection":null}"#,
            r#"{"PropertyCollection":[1]}"#,
            r#"{"PropertyCollection":[{"Name":1,"Value":"x"}]}"#,
            r#"{"PropertyCollection":[{"Name":"a","Name":"b"}]}"#,
            r#"{"PropertyCollection":[{"Name":"enduser.id","Value":"\u0041"}]}"#,
            r#"{"Us\u0065rId":"a"}"#,
            r#"{"PropertyCollection":[{"Value":"\u0041","Name":"enduser.id"}]}"#,
            r#"{"PropertyCollection":[{"Name":"enduser\u002eid","Value":"a"}]}"#,
            // Broken JSON of every kind.
            "",
            "[]",
            r#"{"a":1,}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":tru}"#,
            r#"{"a":"b"} x"#,
            r#"{"a":"b""#,
            r#"{"a" "b"}"#,
            r#"{a:1}"#,
            r#"{"a":[1 2]}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12"}"#,
            "{\"a\":\"tab\tinside\"}",
        ] {
            let stored = stored(document);
            assert_eq!(
                audit_data_scan::scan(&stored),
                None,
                "settled by the scanner: {document}"
            );
        }
        let nested =
            |levels: usize| format!("{{\"a\":{}{}}}", "[".repeat(levels), "]".repeat(levels));
        assert!(scanner_answers(&nested(audit_data_scan::MAX_DEPTH - 1)));
        assert_eq!(
            audit_data_scan::scan(&stored(&nested(audit_data_scan::MAX_DEPTH))),
            None
        );
        assert_eq!(audit_data_scan::scan(b"{\"\"a\"\":\"\"\xff\"\"}"), None);
        // A quote that CSV did not double is not the plain case either.
        assert_eq!(audit_data_scan::scan(br#"{"a":1}"#), None);
    }

    #[test]
    fn on_every_document_either_both_paths_agree_or_the_decoder_decides() {
        // Every prefix of the sample documents is broken JSON, cut in a different place: only
        // the whole document is read, and the decoder rejects the rest.
        for document in [NEWER, OLDER] {
            for end in (0..=document.len()).filter(|end| document.is_char_boundary(*end)) {
                let prefix = &document[..end];
                assert_eq!(scanner_answers(prefix), end == document.len(), "{prefix}");
                assert_eq!(decoded(prefix).is_some(), end == document.len(), "{prefix}");
            }
            // Stored bytes cut anywhere, inside a doubled quote or a character too, are left to
            // the decoder, and never make the scanner stumble.
            let whole = stored(document);
            for end in 0..whole.len() {
                assert_eq!(audit_data_scan::scan(&whole[..end]), None, "cut at {end}");
            }
        }
    }
}
