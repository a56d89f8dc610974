//! `audit/graph-NNNNN.csv`: Power Apps launches from Graph's audit log query API.
//!
//! The unified audit log is searched asynchronously: `POST /v1.0/security/auditLog/queries`
//! creates a query (`operationFilters: ["LaunchPowerApp"]`, which returns both record shapes,
//! the older RecordType 45 `PowerAppsApp` ones and the newer RecordType 256 `PowerPlatform`
//! ones, where a record-type filter would pick one), the query's `status` is polled with a
//! growing wait until `succeeded`, and `…/queries/{id}/records` is paged. The query id is
//! checkpointed, so a resumed pull keeps polling the same query instead of starting another.
//!
//! Records are written as Microsoft Purview export CSV (`RecordId, CreationDate, RecordType,
//! Operation, UserId, AuditData`, at most 50,000 rows a file, as Purview splits its exports),
//! so `seatwise audit` reads them like any other export.

use super::PullContext;
use super::checkpoint::{create_dir, read_json, write_json};
use super::error::PullError;
use super::paged::{PagedPull, pull_pages, read_page_items};
use super::progress::Collection;
use crate::case_insensitive_record;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const QUERIES: &str = "/v1.0/security/auditLog/queries";
const LAUNCH_OPERATION: &str = "LaunchPowerApp";
/// Rows per CSV file, as Purview limits one export.
pub const ROWS_PER_FILE: usize = 50_000;
const CSV_HEADER: [&str; 6] = [
    "RecordId",
    "CreationDate",
    "RecordType",
    "Operation",
    "UserId",
    "AuditData",
];

/// How to wait for the audit query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditPollPolicy {
    /// The wait before the first status check; each further wait is 1.5 times longer.
    pub first_wait: Duration,
    /// The longest wait between two checks.
    pub max_wait: Duration,
    /// How long to wait in all before giving up (the query keeps running; `--resume` waits on).
    pub timeout: Duration,
}

impl Default for AuditPollPolicy {
    fn default() -> Self {
        AuditPollPolicy {
            first_wait: Duration::from_secs(5),
            max_wait: Duration::from_secs(60),
            timeout: Duration::from_secs(2 * 60 * 60),
        }
    }
}

/// The query window: from the first `--since` day to the moment the pull started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// What the audit pull produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditOutcome {
    pub records: u64,
    pub pages: u32,
}

/// The checkpoint of the query itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryState {
    query_id: String,
    succeeded: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryResource {
    id: Option<String>,
    status: Option<String>,
    is_record_count_limit_exceeded: Option<bool>,
    record_count_limit: Option<i64>,
}

pub async fn pull_audit(
    context: &PullContext,
    window: AuditWindow,
    poll: &AuditPollPolicy,
) -> Result<AuditOutcome, PullError> {
    let collection = Collection::AuditRecords;
    context.progress.started(collection);
    let query_path = context.folder.staged("audit.query.json");
    let saved: Option<QueryState> = read_json(&query_path)?;
    let mut query = match saved {
        Some(query) => query,
        None => create_query(context, window, &query_path).await?,
    };
    if !query.succeeded {
        match wait_for_query(context, &query.query_id, poll).await {
            Err(PullError::Graph { source, .. }) if source.status() == Some(404) => {
                // The saved query expired while the pull was stopped: search again.
                context.progress.note(
                    Some(collection),
                    &format!(
                        "audit log query {} no longer exists; creating a new one",
                        query.query_id
                    ),
                );
                remove_saved_records(context)?;
                query = create_query(context, window, &query_path).await?;
                wait_for_query(context, &query.query_id, poll).await?;
            }
            other => other?,
        }
        query.succeeded = true;
        write_json(&context.folder.staging, &query_path, &query)?;
    }
    let records = records_pull(context, &query.query_id);
    let state = pull_pages(
        &context.client,
        &context.folder.staging,
        &records,
        context.progress.as_ref(),
    )
    .await?;
    context.progress.finished(collection, state.items);
    Ok(AuditOutcome {
        records: state.items,
        pages: state.pages,
    })
}

fn records_pull(context: &PullContext, query_id: &str) -> PagedPull<'static> {
    let id: String = url::form_urlencoded::byte_serialize(query_id.as_bytes()).collect();
    PagedPull {
        collection: Collection::AuditRecords,
        pages_dir: context.folder.staged("audit-records"),
        state_path: context.folder.staged("audit-records.state.json"),
        first_link: format!("{QUERIES}/{id}/records"),
        headers: &[],
    }
}

fn remove_saved_records(context: &PullContext) -> Result<(), PullError> {
    let records = records_pull(context, "-");
    for path in [&records.state_path, &records.pages_dir] {
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        };
        match removed {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(PullError::io(path.as_path(), "remove", error)),
        }
    }
    Ok(())
}

async fn create_query(
    context: &PullContext,
    window: AuditWindow,
    query_path: &Path,
) -> Result<QueryState, PullError> {
    let collection = Collection::AuditRecords;
    let start = window.start.to_rfc3339_opts(SecondsFormat::Secs, true);
    let end = window.end.to_rfc3339_opts(SecondsFormat::Secs, true);
    let body = serde_json::json!({
        "displayName": format!("seatwise {LAUNCH_OPERATION} {start}..{end}"),
        "filterStartDateTime": start,
        "filterEndDateTime": end,
        "operationFilters": [LAUNCH_OPERATION],
    });
    let created: QueryResource = context
        .client
        .post_json(QUERIES, &body)
        .await
        .map_err(PullError::graph(collection))?;
    let query_id = created
        .id
        .filter(|id| !id.is_empty())
        .ok_or_else(|| PullError::Malformed {
            collection,
            problem: "the created audit log query has no id".to_string(),
        })?;
    context.progress.note(
        Some(collection),
        &format!("audit log query {query_id} created for {LAUNCH_OPERATION} from {start} to {end}"),
    );
    let query = QueryState {
        query_id,
        succeeded: false,
    };
    write_json(&context.folder.staging, query_path, &query)?;
    Ok(query)
}

/// Polls the query until it succeeds; fails on `failed`/`cancelled` or after the timeout.
async fn wait_for_query(
    context: &PullContext,
    query_id: &str,
    poll: &AuditPollPolicy,
) -> Result<(), PullError> {
    let collection = Collection::AuditRecords;
    let id: String = url::form_urlencoded::byte_serialize(query_id.as_bytes()).collect();
    let target = format!("{QUERIES}/{id}");
    let started = Instant::now();
    let mut wait = poll.first_wait;
    let mut last_status = String::new();
    loop {
        let query: QueryResource = context
            .client
            .get_json(&target, &[])
            .await
            .map_err(PullError::graph(collection))?;
        let status = query.status.unwrap_or_default();
        match status.as_str() {
            "succeeded" => {
                if query.is_record_count_limit_exceeded == Some(true) {
                    return Err(PullError::AuditRecordLimit {
                        query_id: query_id.to_string(),
                        limit: query.record_count_limit,
                    });
                }
                return Ok(());
            }
            "notStarted" | "running" => {}
            _ => {
                return Err(PullError::AuditQueryFailed {
                    query_id: query_id.to_string(),
                    status,
                });
            }
        }
        if status != last_status {
            context.progress.note(
                Some(collection),
                &format!("audit log query {query_id} is {status}; waiting for it"),
            );
            last_status = status.clone();
        }
        let waited = started.elapsed();
        if waited >= poll.timeout {
            return Err(PullError::AuditQueryTimedOut {
                query_id: query_id.to_string(),
                status,
                waited_seconds: waited.as_secs(),
            });
        }
        tokio::time::sleep(wait.min(poll.timeout.saturating_sub(waited))).await;
        wait = wait.mul_f64(1.5).min(poll.max_wait);
    }
}

case_insensitive_record! {
    struct AuditRecord {
        id: Option<String> = "id",
        created_date_time: Option<String> = "createdDateTime",
        operation: Option<String> = "operation",
        user_principal_name: Option<String> = "userPrincipalName",
        user_id: Option<String> = "userId",
        record_type_name: Option<String> = "auditLogRecordType",
        audit_data: Option<Box<RawValue>> = "auditData",
    }
}

case_insensitive_record! {
    struct AuditDataRecordType {
        record_type: Option<serde_json::Value> = "RecordType",
    }
}

/// Writes the saved record pages as Purview-shape CSV files into `root/audit/`; returns the
/// number of files.
pub fn write_audit_files(context: &PullContext, pages: u32) -> Result<usize, PullError> {
    let records = records_pull(context, "-");
    let dir = context.folder.root.join("audit");
    create_dir(&dir)?;
    let mut writer: Option<(PathBuf, csv::Writer<std::io::BufWriter<std::fs::File>>)> = None;
    let mut files = 0usize;
    let mut rows_in_file = 0usize;
    for number in 1..=pages {
        for raw in read_page_items(&records.pages_dir, number)? {
            if writer.is_none() || rows_in_file >= ROWS_PER_FILE {
                if let Some((path, mut open)) = writer.take() {
                    open.flush()
                        .map_err(|error| PullError::io(&path, "write", error))?;
                }
                files += 1;
                writer = Some(open_csv(&dir, files)?);
                rows_in_file = 0;
            }
            let row = csv_row(raw.get())?;
            if let Some((path, open)) = writer.as_mut() {
                open.write_record(&row)
                    .map_err(|error| PullError::io(path.as_path(), "write", error.into()))?;
            }
            rows_in_file += 1;
        }
    }
    if writer.is_none() {
        // No launch in the window: an empty export still says the audit log was searched.
        files += 1;
        writer = Some(open_csv(&dir, files)?);
    }
    if let Some((path, mut open)) = writer.take() {
        open.flush()
            .map_err(|error| PullError::io(&path, "write", error))?;
    }
    Ok(files)
}

fn open_csv(
    dir: &Path,
    number: usize,
) -> Result<(PathBuf, csv::Writer<std::io::BufWriter<std::fs::File>>), PullError> {
    let path = dir.join(format!("graph-{number:05}.csv"));
    let file =
        std::fs::File::create(&path).map_err(|error| PullError::io(&path, "create", error))?;
    let mut writer = csv::Writer::from_writer(std::io::BufWriter::new(file));
    writer
        .write_record(CSV_HEADER)
        .map_err(|error| PullError::io(&path, "write", error.into()))?;
    Ok((path, writer))
}

/// One CSV row from one `auditLogRecord`.
fn csv_row(raw: &str) -> Result<[String; 6], PullError> {
    let malformed = |problem: String| PullError::Malformed {
        collection: Collection::AuditRecords,
        problem,
    };
    let record: AuditRecord =
        serde_json::from_str(raw).map_err(|error| malformed(error.to_string()))?;
    let audit_data = record.audit_data.flatten();
    let record_type = match &audit_data {
        Some(data) => serde_json::from_str::<AuditDataRecordType>(data.get())
            .ok()
            .and_then(|found| found.record_type.flatten())
            .map(|value| match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            }),
        None => None,
    }
    .or(record.record_type_name.flatten())
    .unwrap_or_default();
    let user = record
        .user_principal_name
        .flatten()
        .filter(|user| !user.is_empty())
        .or(record.user_id.flatten())
        .unwrap_or_default();
    Ok([
        record.id.flatten().unwrap_or_default(),
        record.created_date_time.flatten().unwrap_or_default(),
        record_type,
        record.operation.flatten().unwrap_or_default(),
        user,
        audit_data
            .map(|data| data.get().to_string())
            .unwrap_or_else(|| "{}".to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::csv_row;

    #[test]
    fn a_record_becomes_a_purview_row() {
        let record = r#"{"id":"r1","createdDateTime":"2026-10-20T10:00:00Z","auditLogRecordType":"powerPlatformServiceActivity","operation":"LaunchPowerApp","userPrincipalName":"ada@contoso.com","userId":"ada@contoso.com","auditData":{"Id":"r1","RecordType":256,"CreationTime":"2026-10-20T10:00:00","UserId":"ada@contoso.com"}}"#;
        let row = csv_row(record).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(row[0], "r1");
        assert_eq!(row[2], "256");
        assert_eq!(row[4], "ada@contoso.com");
        assert_eq!(
            row[5],
            r#"{"Id":"r1","RecordType":256,"CreationTime":"2026-10-20T10:00:00","UserId":"ada@contoso.com"}"#
        );
    }

    #[test]
    fn record_type_falls_back_to_the_graph_name() {
        let record = r#"{"id":"r2","operation":"LaunchPowerApp","auditLogRecordType":"powerAppsApp","userId":"bob@contoso.com","auditData":{"AppName":"x"}}"#;
        let row = csv_row(record).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(row[2], "powerAppsApp");
        assert_eq!(row[4], "bob@contoso.com");
    }
}
