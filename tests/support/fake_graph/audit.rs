//! The audit log behind Graph's audit log query API (`/security/auditLog/queries`).
//!
//! Exists so the client's Power Apps launch pull is tested against the real lifecycle: create a
//! query (201, `notStarted`), poll it (`running` a configured number of times, then
//! `succeeded`), page its `records`, and get a 400 when reading records too early. Records come
//! from the snapshot's `audit/*.csv` exports (Purview and `Search-UnifiedAuditLog` shapes, columns
//! found by header). A 100,000-user tenant has about a million rows, so the log is an index
//! (time, operation, user, service, record type, and where the row is in its file): a page reads
//! and renders only its own rows from disk. The snapshot must therefore stay in place while the
//! server runs.

use std::borrow::Cow;
use std::collections::{HashMap, hash_map};
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::errors::GraphError;
use super::odata::{self, CollectionWriter};

/// The AuditData fields the fake reads (names as Microsoft writes them).
#[derive(Debug, Default, Deserialize)]
struct AuditDataFields<'a> {
    #[serde(rename = "Id", borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(rename = "CreationTime", borrow)]
    creation_time: Option<Cow<'a, str>>,
    #[serde(rename = "Operation", borrow)]
    operation: Option<Cow<'a, str>>,
    #[serde(rename = "RecordType")]
    record_type: Option<Value>,
    #[serde(rename = "UserId", borrow)]
    user_id: Option<Cow<'a, str>>,
    #[serde(rename = "Workload", borrow)]
    workload: Option<Cow<'a, str>>,
    #[serde(rename = "OrganizationId", borrow)]
    organization_id: Option<Cow<'a, str>>,
    #[serde(rename = "UserType")]
    user_type: Option<Value>,
    #[serde(rename = "ObjectId", borrow)]
    object_id: Option<Cow<'a, str>>,
    #[serde(rename = "ClientIP", borrow)]
    client_ip: Option<Cow<'a, str>>,
}

/// Column positions found by header name.
#[derive(Debug, Default, Clone)]
struct Columns {
    record_id: Option<usize>,
    creation_date: Option<usize>,
    record_type: Option<usize>,
    operation: Option<usize>,
    user: Option<usize>,
    audit_data: usize,
    admin_units: Option<usize>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Option<Self> {
        let mut audit_data = None;
        let mut columns = Columns::default();
        for (index, name) in header.iter().enumerate() {
            let name = name
                .trim_start_matches('\u{feff}')
                .trim()
                .to_ascii_lowercase();
            let slot = match name.as_str() {
                "recordid" => &mut columns.record_id,
                "creationdate" => &mut columns.creation_date,
                "recordtype" => &mut columns.record_type,
                "operation" | "operations" => &mut columns.operation,
                "userid" | "userids" => &mut columns.user,
                "auditdata" => &mut audit_data,
                "associatedadminunits" => &mut columns.admin_units,
                _ => continue,
            };
            slot.get_or_insert(index);
        }
        columns.audit_data = audit_data?;
        Some(columns)
    }
}

/// One row parsed: everything a record needs.
struct Row<'a> {
    fields: AuditDataFields<'a>,
    raw_audit_data: &'a str,
    created: DateTime<Utc>,
    operation: Cow<'a, str>,
    record_type: Option<i64>,
    user_principal_name: Cow<'a, str>,
    id: Cow<'a, str>,
    admin_units: Option<&'a str>,
}

/// Parses one CSV row: AuditData's fields first, the export's own columns as fallbacks.
fn parse_row<'a>(row: &'a csv::StringRecord, columns: &Columns) -> Option<Row<'a>> {
    let cell = |column: Option<usize>| {
        column
            .and_then(|index| row.get(index))
            .map(str::trim)
            .filter(|text| !text.is_empty())
    };
    let raw_audit_data = row.get(columns.audit_data)?.trim();
    // (serde hands `Option<Cow<str>>` fields out owned; the cost is a few small strings a row.)
    let mut fields: AuditDataFields<'a> = serde_json::from_str(raw_audit_data).ok()?;
    let created = fields
        .creation_time
        .as_deref()
        .and_then(parse_time)
        .or_else(|| cell(columns.creation_date).and_then(parse_time))?;
    let operation = fields
        .operation
        .take()
        .or_else(|| cell(columns.operation).map(Cow::Borrowed))?;
    let record_type = fields
        .record_type
        .as_ref()
        .and_then(Value::as_i64)
        .or_else(|| cell(columns.record_type).and_then(|text| text.parse().ok()));
    let user_principal_name = fields
        .user_id
        .take()
        .or_else(|| cell(columns.user).map(Cow::Borrowed))
        .unwrap_or_default();
    let id = fields
        .id
        .take()
        .or_else(|| cell(columns.record_id).map(Cow::Borrowed))?;
    Some(Row {
        admin_units: cell(columns.admin_units),
        fields,
        raw_audit_data,
        created,
        operation,
        record_type,
        user_principal_name,
        id,
    })
}

/// A record in the index: what queries filter on, and where its row is.
#[derive(Debug, Clone, Copy)]
struct Entry {
    created_micros: i64,
    operation: u32,
    user: u32,
    service: u32,
    record_type: Option<i64>,
    file: u32,
    offset: u64,
    len: u32,
}

/// An audit export file and its header mapping.
#[derive(Debug, Clone)]
struct AuditFile {
    path: PathBuf,
    columns: Columns,
}

/// The indexed audit log of a snapshot.
#[derive(Debug, Default)]
pub struct AuditLog {
    files: Vec<AuditFile>,
    entries: Vec<Entry>,
    /// Interned operation, user and service names; lookups compare case-insensitively.
    strings: Vec<String>,
    /// Rows that could not be used (bad CSV, AuditData not JSON, no time): real exports carry junk.
    pub skipped_rows: usize,
}

/// One file's part of the index before merging.
struct FileIndex {
    file: AuditFile,
    entries: Vec<Entry>,
    strings: Vec<String>,
    skipped: usize,
}

impl AuditLog {
    /// Indexes every `audit/*.csv` of the snapshot (files in name order, in parallel).
    pub fn load(snapshot: &Path) -> Self {
        let Ok(listing) = fs::read_dir(snapshot.join("audit")) else {
            return Self::default();
        };
        let mut paths: Vec<PathBuf> = listing
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| {
                path.extension()
                    .is_some_and(|extension| extension.eq_ignore_ascii_case("csv"))
            })
            .collect();
        paths.sort();
        let indexes: Vec<FileIndex> = paths
            .par_iter()
            .filter_map(|path| index_file(path))
            .collect();

        let mut log = AuditLog::default();
        let mut global: HashMap<String, u32> = HashMap::new();
        for (file_number, index) in indexes.into_iter().enumerate() {
            let remap: Vec<u32> = index
                .strings
                .into_iter()
                .map(|text| {
                    let next = u32::try_from(log.strings.len()).unwrap_or(u32::MAX);
                    *global.entry(text.clone()).or_insert_with(|| {
                        log.strings.push(text);
                        next
                    })
                })
                .collect();
            let file = u32::try_from(file_number).unwrap_or(u32::MAX);
            log.entries
                .extend(index.entries.into_iter().map(|entry| Entry {
                    operation: remap[entry.operation as usize],
                    user: remap[entry.user as usize],
                    service: remap[entry.service as usize],
                    file,
                    ..entry
                }));
            log.files.push(index.file);
            log.skipped_rows += index.skipped;
        }
        log
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Indexes of the records a query selects, in log order.
    fn select(&self, filters: &Filters) -> Vec<u32> {
        let wanted = |names: &[String]| -> Option<Vec<bool>> {
            (!names.is_empty()).then(|| {
                self.strings
                    .iter()
                    .map(|text| names.iter().any(|name| name.eq_ignore_ascii_case(text)))
                    .collect()
            })
        };
        let operations = wanted(&filters.operations);
        let users = wanted(&filters.users);
        let services = wanted(filters.service.as_slice());
        let start = filters.start.map(|time| time.timestamp_micros());
        let end = filters.end.map(|time| time.timestamp_micros());
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, entry)| {
                start.is_none_or(|start| entry.created_micros >= start)
                    && end.is_none_or(|end| entry.created_micros < end)
                    && operations
                        .as_ref()
                        .is_none_or(|ok| ok[entry.operation as usize])
                    && users.as_ref().is_none_or(|ok| ok[entry.user as usize])
                    && services
                        .as_ref()
                        .is_none_or(|ok| ok[entry.service as usize])
                    && (filters.record_types.is_empty()
                        || filters.record_types.iter().any(|name| {
                            name.eq_ignore_ascii_case(record_type_name(entry.record_type).0)
                        }))
            })
            .filter_map(|(index, _)| u32::try_from(index).ok())
            .collect()
    }

    /// Appends each record's `auditLogRecord` JSON to `writer`, reading the rows from disk.
    pub fn render(
        &self,
        indexes: &[u32],
        include_unknown_enum_members: bool,
        writer: &mut CollectionWriter,
    ) -> Result<(), GraphError> {
        let mut open: HashMap<u32, File> = HashMap::new();
        let mut bytes = Vec::new();
        let mut record = csv::StringRecord::new();
        for index in indexes {
            let entry = self.entries[*index as usize];
            let file = &self.files[entry.file as usize];
            let handle = match open.entry(entry.file) {
                hash_map::Entry::Occupied(slot) => slot.into_mut(),
                hash_map::Entry::Vacant(slot) => {
                    slot.insert(File::open(&file.path).map_err(|error| changed(&file.path, error))?)
                }
            };
            bytes.resize(entry.len as usize, 0);
            handle
                .seek(SeekFrom::Start(entry.offset))
                .and_then(|_| handle.read_exact(&mut bytes))
                .map_err(|error| changed(&file.path, error))?;
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(bytes.as_slice());
            let row = match reader.read_record(&mut record) {
                Ok(true) => parse_row(&record, &file.columns),
                _ => None,
            }
            .ok_or_else(|| changed(&file.path, "the row is no longer where it was"))?;
            write_record(writer.item(), &row, include_unknown_enum_members);
        }
        Ok(())
    }
}

/// A 500 for a snapshot file that was changed or removed while the server runs.
fn changed(path: &Path, error: impl std::fmt::Display) -> GraphError {
    GraphError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServerError",
        format!(
            "fake graph: audit file {} changed while serving: {error}",
            path.display()
        ),
    )
}

/// Interns strings for one file.
#[derive(Default)]
struct Interner {
    strings: Vec<String>,
    lookup: HashMap<String, u32>,
}

impl Interner {
    fn intern(&mut self, text: &str) -> u32 {
        if let Some(index) = self.lookup.get(text) {
            return *index;
        }
        let index = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(text.to_string());
        self.lookup.insert(text.to_string(), index);
        index
    }
}

/// Indexes one export; `None` when it is unreadable or has no AuditData column.
fn index_file(path: &Path) -> Option<FileIndex> {
    let bytes = fs::read(path).ok()?;
    // Bytes before the header: a BOM and a `#TYPE` line, both optional.
    let (body, header_offset) = match bytes.strip_prefix(b"\xef\xbb\xbf".as_slice()) {
        Some(rest) => (rest, 3u64),
        None => (bytes.as_slice(), 0),
    };
    // Windows PowerShell 5.1's `Export-Csv` writes a `#TYPE` line before the header.
    let (body, header_offset) = if body.starts_with(b"#TYPE") {
        let line_end = body.iter().position(|&byte| byte == b'\n')? + 1;
        (&body[line_end..], header_offset + line_end as u64)
    } else {
        (body, header_offset)
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(body);
    let header = reader.headers().ok()?.clone();
    let columns = Columns::from_header(&header)?;
    let mut interner = Interner::default();
    let mut entries = Vec::new();
    let mut skipped = 0;
    let mut record = csv::StringRecord::new();
    loop {
        let start = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(_) => {
                skipped += 1;
                continue;
            }
        }
        let end = reader.position().byte();
        let Some(row) = parse_row(&record, &columns) else {
            skipped += 1;
            continue;
        };
        let service = row.fields.workload.as_deref().unwrap_or_default();
        entries.push(Entry {
            created_micros: row.created.timestamp_micros(),
            operation: interner.intern(&row.operation),
            user: interner.intern(&row.user_principal_name),
            service: interner.intern(service),
            record_type: row.record_type,
            file: 0,
            offset: start + header_offset,
            len: u32::try_from(end - start).unwrap_or(u32::MAX),
        });
    }
    Some(FileIndex {
        file: AuditFile {
            path: path.to_path_buf(),
            columns,
        },
        entries,
        strings: interner.strings,
        skipped,
    })
}

/// Writes one `auditLogRecord`.
fn write_record(out: &mut Vec<u8>, row: &Row<'_>, include_unknown_enum_members: bool) {
    let fields = &row.fields;
    let (type_name, in_v1) = record_type_name(row.record_type);
    let type_name = if in_v1 || include_unknown_enum_members {
        type_name
    } else {
        "unknownFutureValue"
    };
    let user_type = fields
        .user_type
        .as_ref()
        .and_then(Value::as_i64)
        .map(user_type_name);
    let administrative_units: Vec<&str> = row
        .admin_units
        .map(|units| {
            units
                .split(',')
                .map(str::trim)
                .filter(|unit| !unit.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let head = json!({
        "@odata.type": "#microsoft.graph.security.auditLogRecord",
        "id": row.id,
        "createdDateTime": row.created.to_rfc3339_opts(SecondsFormat::Secs, true),
        "auditLogRecordType": type_name,
        "operation": row.operation,
        "organizationId": fields.organization_id,
        "userType": user_type,
        "userId": row.user_principal_name,
        "service": fields.workload,
        "objectId": fields.object_id,
        "userPrincipalName": row.user_principal_name,
        "clientIp": fields.client_ip,
        "administrativeUnits": administrative_units,
    });
    // `head` is an object: write it without its closing brace, then the AuditData verbatim with
    // Graph's type annotation in front.
    let mut text = head.to_string();
    text.pop();
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b",\"auditData\":{\"@odata.type\":");
    odata::write_str(out, audit_data_type(row.record_type));
    let inner = row
        .raw_audit_data
        .strip_prefix('{')
        .unwrap_or(row.raw_audit_data)
        .trim_start();
    if !inner.starts_with('}') {
        out.push(b',');
    }
    out.extend_from_slice(inner.as_bytes());
    out.push(b'}');
}

/// Parses the timestamps audit exports carry: ISO 8601 with or without offset and fraction (no
/// offset = UTC), a trailing space, or `M/D/YYYY h:mm:ss AM`.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%m/%d/%Y %I:%M:%S %p",
    ] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Some(time.and_utc());
        }
    }
    None
}

/// `auditLogRecordType` for an Office 365 Management API record type number, and whether v1.0's
/// enum has it. It has no member for 256: beta lists `powerPlatformAdministratorActivity` after
/// `unknownFutureValue`, so Graph reports it as an evolvable member.
fn record_type_name(record_type: Option<i64>) -> (&'static str, bool) {
    let name = match record_type {
        Some(1) => "exchangeAdmin",
        Some(2) => "exchangeItem",
        Some(3) => "exchangeItemGroup",
        Some(4) => "sharePoint",
        Some(6) => "sharePointFileOperation",
        Some(7) => "oneDrive",
        Some(8) => "azureActiveDirectory",
        Some(9) => "azureActiveDirectoryAccountLogon",
        Some(14) => "sharePointSharingOperation",
        Some(15) => "azureActiveDirectoryStsLogon",
        Some(20) => "powerBIAudit",
        Some(21) => "crm",
        Some(25) => "microsoftTeams",
        Some(30) => "microsoftFlow",
        Some(45) => "powerAppsApp",
        Some(46) => "powerAppsPlan",
        Some(256) => return ("powerPlatformAdministratorActivity", false),
        _ => "unknownFutureValue",
    };
    (name, true)
}

/// The `@odata.type` Graph gives `auditData` for a record type.
fn audit_data_type(record_type: Option<i64>) -> &'static str {
    match record_type {
        Some(45) => "#microsoft.graph.security.powerAppsAuditAppRecord",
        Some(46) => "#microsoft.graph.security.powerAppsAuditPlanRecord",
        Some(256) => "#microsoft.graph.security.powerPlatformAdministratorActivityRecord",
        _ => "#microsoft.graph.security.defaultAuditData",
    }
}

/// `auditUserType` names for the Management API's `UserType` numbers.
fn user_type_name(user_type: i64) -> &'static str {
    match user_type {
        0 => "regular",
        1 => "reserved",
        2 => "admin",
        3 => "dcAdmin",
        4 => "system",
        5 => "application",
        6 => "servicePrincipal",
        7 => "customPolicy",
        8 => "systemPolicy",
        9 => "partnerTechnician",
        10 => "guest",
        _ => "unknownFutureValue",
    }
}

/// What a query selects on.
#[derive(Debug, Default, Clone)]
struct Filters {
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    operations: Vec<String>,
    record_types: Vec<String>,
    users: Vec<String>,
    service: Option<String>,
}

/// A created query.
#[derive(Debug, Clone)]
pub struct AuditQuery {
    pub id: String,
    /// The filters as posted (echoed back, Graph style).
    pub echo: Map<String, Value>,
    /// GETs of the query so far.
    pub polls: u32,
    pub status: &'static str,
    /// Indexes of matching records, in log order.
    pub matches: Vec<u32>,
}

/// The posted properties Graph echoes (`true`: a collection, `[]` when absent).
const ECHOED: &[(&str, bool)] = &[
    ("displayName", false),
    ("filterStartDateTime", false),
    ("filterEndDateTime", false),
    ("recordTypeFilters", true),
    ("keywordFilter", false),
    ("serviceFilter", false),
    ("operationFilters", true),
    ("userPrincipalNameFilters", true),
    ("ipAddressFilters", true),
    ("objectIdFilters", true),
    ("administrativeUnitIdFilters", true),
];

impl AuditQuery {
    /// Validates a POST body and runs the query at once (the answer is held back until the
    /// query reports `succeeded`). Honours the time window `[start, end)`, operation, record
    /// type, user principal name and service filters (case-insensitive).
    pub fn create(id: String, body: &[u8], log: &AuditLog) -> Result<Self, GraphError> {
        let bad = |message: String| GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message);
        let posted: Map<String, Value> = serde_json::from_slice(body)
            .map_err(|error| bad(format!("Invalid request body: {error}")))?;
        let field = |name: &str| {
            posted
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value)
                .filter(|value| !value.is_null())
        };
        let time = |name: &str| -> Result<Option<DateTime<Utc>>, GraphError> {
            match field(name) {
                None => Ok(None),
                Some(value) => value.as_str().and_then(parse_time).map(Some).ok_or_else(|| {
                    bad(format!(
                        "Cannot convert the literal '{value}' to the expected type 'Edm.DateTimeOffset'."
                    ))
                }),
            }
        };
        let strings = |name: &str| -> Vec<String> {
            field(name)
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let filters = Filters {
            start: time("filterStartDateTime")?,
            end: time("filterEndDateTime")?,
            operations: strings("operationFilters"),
            record_types: strings("recordTypeFilters"),
            users: strings("userPrincipalNameFilters"),
            service: field("serviceFilter")
                .and_then(Value::as_str)
                .map(str::to_string),
        };
        let mut echo = Map::new();
        for (name, is_list) in ECHOED {
            let value =
                field(name)
                    .cloned()
                    .unwrap_or(if *is_list { json!([]) } else { Value::Null });
            echo.insert((*name).to_string(), value);
        }
        Ok(Self {
            id,
            echo,
            polls: 0,
            status: "notStarted",
            matches: log.select(&filters),
        })
    }

    /// Counts a GET: `running` for the first `running_polls` GETs, then `succeeded`.
    pub fn poll(&mut self, running_polls: u32) {
        self.polls = self.polls.saturating_add(1);
        self.status = if self.polls <= running_polls {
            "running"
        } else {
            "succeeded"
        };
    }

    /// The query object as Graph returns it.
    pub fn to_json(&self, context: &str) -> Value {
        let mut object = Map::new();
        if !context.is_empty() {
            object.insert("@odata.context".into(), json!(context));
        }
        object.insert(
            "@odata.type".into(),
            json!("#microsoft.graph.security.auditLogQuery"),
        );
        object.insert("id".into(), json!(self.id));
        for (name, value) in &self.echo {
            object.insert(name.clone(), value.clone());
        }
        object.insert("status".into(), json!(self.status));
        Value::Object(object)
    }
}
