//! Monthly history (SPEC §7): a history root of Parquet partitions, one per month
//! (`month=YYYY-MM/`), each holding an audit's typed tables and a manifest, written whole
//! under a lock; and the month-over-month comparison built from them.
//!
//! `store` records, lists and prunes months; `lock` keeps writers apart; `manifest` is the
//! month's `manifest.json`; `inputs` hashes the snapshot an audit read; `month_tables` reads a
//! month back; `ages` keeps how many months each finding has persisted. `diff` pairs two months' findings, `resolution` says how a finding went away,
//! `returned` finds licenses given back to a user, `cohorts` follows the license holders
//! between the months; `trend` lines up the last twelve months for the report; `render`
//! prints the list and the diff for people.

pub mod ages;
pub mod cohorts;
pub mod diff;
pub mod inputs;
pub mod lock;
pub mod manifest;
pub mod month;
pub mod month_tables;
pub mod render;
pub mod resolution;
pub mod returned;
pub mod store;
pub mod trend;

pub use diff::{HistoryDiff, diff};
pub use manifest::MonthManifest;
pub use month::Month;
pub use store::{Fault, Pruned, RecordOptions, Recorded, list, prune, record};
pub use trend::{Trend, trend};

use crate::contract::findings::ReadError;
use crate::report::tables::TablesError;
use std::path::{Path, PathBuf};

/// The default history root.
pub const DEFAULT_ROOT: &str = "reports/history";

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}: the history is being written by another run{}; refusing to write at the same time\nhint: wait for it to finish; if no seatwise runs, delete the lock file",
        path.display(),
        pid.map_or_else(|| " (the lock holds no process id)".to_string(), |pid| format!(" (process {pid})"))
    )]
    Locked { path: PathBuf, pid: Option<u32> },
    #[error(
        "{}: {field} is missing: history is kept per tenant, and this audit does not say which tenant it is\nhint: add tenantId to the snapshot's snapshot.json (`seatwise ingest graph` writes it) and audit again",
        path.display()
    )]
    MissingTenant { path: PathBuf, field: String },
    #[error(
        "{}: {field} is {found:?}, but this history holds {expected:?} ({month}); one history root holds one {what}\nhint: give each {what} a history root of its own (--root)",
        path.display()
    )]
    Mismatch {
        /// The audit's file being recorded.
        path: PathBuf,
        field: String,
        what: &'static str,
        found: String,
        expected: String,
        /// The month already in history that disagrees.
        month: Month,
    },
    #[error("{}: not a seatwise history manifest: {problem}\nhint: a month folder holds what `seatwise history record` wrote; remove the folder or record the month again", path.display())]
    Manifest { path: PathBuf, problem: String },
    #[error("{}: no month {month} in this history (months: {})", root.display(), if available.is_empty() { "none".to_string() } else { available.join(", ") })]
    NoSuchMonth {
        root: PathBuf,
        month: Month,
        available: Vec<String>,
    },
    #[error("{}: {problem}", root.display())]
    Range { root: PathBuf, problem: String },
    #[error(transparent)]
    Findings(#[from] ReadError),
    #[error(transparent)]
    Tables(#[from] TablesError),
    #[error("{}: a month's table is damaged: {problem}\nhint: record the month again", path.display())]
    Damaged { path: PathBuf, problem: String },
    #[error("{}: the audit's table cannot be recorded: {problem}\nhint: run `seatwise audit` again to rewrite the audit folder", path.display())]
    BadAudit { path: PathBuf, problem: String },
}

impl HistoryError {
    /// Maps an I/O error on `path`.
    pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HistoryError + '_ {
        move |source| HistoryError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl From<crate::support::folder::FolderError> for HistoryError {
    fn from(error: crate::support::folder::FolderError) -> Self {
        HistoryError::Io {
            path: error.path,
            source: error.source,
        }
    }
}
