//! Splits a JSON export into records, remembering where each came from.
//!
//! SPEC §2 accepts three shapes for a collection: a Graph page (`{"value":[...]}`, one per
//! file), a plain JSON array, and JSON Lines. Records are handed out as borrowed raw JSON so
//! each can be parsed (and rejected) on its own, with its record or line number.

use super::error::{IngestError, Location, RejectionLog, rejection};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::path::Path;

/// One record of a JSON export and where it sits in its file.
pub struct JsonRecord<'a> {
    pub location: Location,
    pub raw: &'a RawValue,
}

#[derive(Deserialize)]
struct GraphPage<'a> {
    #[serde(borrow, alias = "Value", alias = "VALUE")]
    value: Option<Vec<&'a RawValue>>,
}

/// Drops a UTF-8 byte order mark, which PowerShell writes by default.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Splits `bytes` (the content of `path`) into records.
///
/// A file named `*.jsonl` is JSON Lines: a broken line is a rejection of that line only.
/// Anything else is one JSON document (a page or an array): broken JSON there is an error for
/// the whole file, since no record boundary can be trusted after it.
pub fn split_records<'a>(
    path: &Path,
    bytes: &'a [u8],
    log: &mut RejectionLog,
) -> Result<Vec<JsonRecord<'a>>, IngestError> {
    let bytes = strip_bom(bytes);
    let is_lines = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("jsonl"));
    if is_lines {
        return split_lines(path, bytes, log);
    }
    let first = bytes.iter().find(|byte| !byte.is_ascii_whitespace());
    match first {
        Some(b'[') => {
            let records: Vec<&RawValue> =
                serde_json::from_slice(bytes).map_err(|error| broken_document(path, &error))?;
            Ok(number_records(records))
        }
        Some(b'{') => {
            let page: GraphPage =
                serde_json::from_slice(bytes).map_err(|error| broken_document(path, &error))?;
            let records = page.value.ok_or_else(|| {
                IngestError::Unreadable(rejection(
                    path,
                    Location::File,
                    "value",
                    "a Graph page needs a `value` array of records",
                ))
            })?;
            Ok(number_records(records))
        }
        Some(_) => Err(IngestError::Unreadable(rejection(
            path,
            Location::Line(1),
            "(document)",
            "expected a JSON object (a Graph page) or a JSON array",
        ))),
        None => Err(IngestError::Unreadable(rejection(
            path,
            Location::File,
            "(document)",
            "the file is empty",
        ))),
    }
}

fn number_records(records: Vec<&RawValue>) -> Vec<JsonRecord<'_>> {
    records
        .into_iter()
        .zip(1u64..)
        .map(|(raw, number)| JsonRecord {
            location: Location::Record(number),
            raw,
        })
        .collect()
}

fn broken_document(path: &Path, error: &serde_json::Error) -> IngestError {
    IngestError::Unreadable(rejection(
        path,
        Location::Line(error.line() as u64),
        "(document)",
        format!("broken JSON: {error}"),
    ))
}

fn split_lines<'a>(
    path: &Path,
    bytes: &'a [u8],
    log: &mut RejectionLog,
) -> Result<Vec<JsonRecord<'a>>, IngestError> {
    let mut records = Vec::new();
    for (line, number) in bytes.split(|byte| *byte == b'\n').zip(1u64..) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<&RawValue>(line) {
            Ok(raw) => records.push(JsonRecord {
                location: Location::Line(number),
                raw,
            }),
            Err(error) => log.reject(rejection(
                path,
                Location::Line(number),
                "(record)",
                format!("broken JSON: {error}"),
            ))?,
        }
    }
    Ok(records)
}

/// Reads a small keyed collection (`subscribedSkus.json`, `subscriptions.json`): every record
/// parsed as `R` and checked by `validate`. A record whose key (`key`, the property
/// `key_field`) was seen before is an error, never last-value-wins. Rejections go to `log`
/// under its strictness; a file rejected for the most part is refused as a whole, naming
/// `what` its records are.
pub fn read_keyed_collection<R: serde::de::DeserializeOwned, T>(
    path: &Path,
    log: &mut RejectionLog,
    what: &str,
    key_field: &str,
    validate: impl Fn(&Location, R) -> Result<T, super::error::Rejection>,
    key: impl Fn(&T) -> &str,
) -> Result<Vec<T>, IngestError> {
    let bytes = super::encoding::read_utf8(path)?;
    let mut file_log = RejectionLog::new(log.strictness());
    let records = split_records(path, &bytes, &mut file_log)?;
    let record_count = records.len();
    let mut items: Vec<T> = Vec::with_capacity(records.len());
    for record in records {
        match serde_json::from_str::<R>(record.raw.get()) {
            Ok(raw) => match validate(&record.location, raw) {
                Ok(item) => {
                    if items.iter().any(|seen| key(seen) == key(&item)) {
                        file_log.reject(rejection(
                            path,
                            record.location,
                            key_field,
                            format!("{what} {} is listed twice", key(&item)),
                        ))?;
                    } else {
                        items.push(item);
                    }
                }
                Err(problem) => file_log.reject(problem)?,
            },
            Err(error) => {
                let (field, problem) = super::record::split_field_path(&error.to_string());
                file_log.reject(rejection(path, record.location, field, problem))?;
            }
        }
    }
    super::error::check_lenient_limit(path, what, record_count, file_log.rejections())?;
    log.absorb(file_log);
    Ok(items)
}
