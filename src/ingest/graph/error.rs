//! What can stop a pull, and whether it was Graph's fault (exit 3) or the user's (exit 2).

use super::progress::Collection;
use crate::graph::GraphError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error("pulling {} failed{}", collection.label(), permission_note(*collection, source))]
    Graph {
        collection: Collection,
        #[source]
        source: GraphError,
    },
    #[error("cannot authenticate to Microsoft Graph")]
    Authentication {
        #[source]
        source: GraphError,
    },
    #[error("{}: cannot {action}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}: already exists\nhint: pull into a new folder (e.g. one named after today's date), or remove the old snapshot first",
        path.display()
    )]
    OutputExists { path: PathBuf },
    #[error(
        "{}: an interrupted pull is waiting here\nhint: rerun the same command with --resume to continue it, or delete that folder to start over",
        path.display()
    )]
    PartialExists { path: PathBuf },
    #[error(
        "--resume: the interrupted pull in {} was started with {setting} {saved:?}, not {given:?}\nhint: rerun with the same settings, or delete that folder to start over",
        path.display()
    )]
    ResumeMismatch {
        path: PathBuf,
        setting: &'static str,
        saved: String,
        given: String,
    },
    #[error(
        "{}: the checkpoint is unreadable: {problem}\nhint: delete the partial folder to start the pull over",
        path.display()
    )]
    Checkpoint { path: PathBuf, problem: String },
    #[error("{}: Graph returned an unusable record: {problem}", collection.label())]
    Malformed {
        collection: Collection,
        problem: String,
    },
    #[error(
        "the audit log query {query_id} ended with status {status:?}\nhint: check the AuditLogsQuery.Read.All permission and that auditing is on (Get-AdminAuditLogConfig); rerun to create a new query"
    )]
    AuditQueryFailed { query_id: String, status: String },
    #[error(
        "the audit log query {query_id} was still {status:?} after {waited_seconds} s\nhint: rerun the same command with --resume later: the query keeps running in Microsoft Purview and the pull picks it up (SEATWISE_AUDIT_TIMEOUT_S waits longer)"
    )]
    AuditQueryTimedOut {
        query_id: String,
        status: String,
        waited_seconds: u64,
    },
    #[error(
        "the audit log query {query_id} hit its record-count limit{}, so launches are missing and premium users would look idle\nhint: pull a shorter window with --since, or export the launches from Microsoft Purview into audit/ (see the README)",
        limit.map(|limit| format!(" ({limit} records)")).unwrap_or_default()
    )]
    AuditRecordLimit {
        query_id: String,
        limit: Option<i64>,
    },
}

impl PullError {
    /// True when the remote service failed (exit code 3).
    pub fn is_remote(&self) -> bool {
        match self {
            PullError::Graph { source, .. } | PullError::Authentication { source } => {
                source.is_remote()
            }
            PullError::Malformed { .. }
            | PullError::AuditQueryFailed { .. }
            | PullError::AuditQueryTimedOut { .. }
            | PullError::AuditRecordLimit { .. } => true,
            _ => false,
        }
    }

    pub(crate) fn io(
        path: impl Into<PathBuf>,
        action: &'static str,
        source: std::io::Error,
    ) -> Self {
        PullError::Io {
            path: path.into(),
            action,
            source,
        }
    }

    /// Wraps a failure of a request for `collection`; a refused token or an unusable
    /// credential is nobody's collection.
    pub(crate) fn graph(collection: Collection) -> impl FnOnce(GraphError) -> PullError {
        move |source| match source {
            GraphError::TokenRefused { .. }
            | GraphError::StaticTokenRefused { .. }
            | GraphError::Credential(_) => PullError::Authentication { source },
            source => PullError::Graph { collection, source },
        }
    }

    /// The HTTP status of the Graph failure behind this error, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            PullError::Graph { source, .. } | PullError::Authentication { source } => {
                source.status()
            }
            _ => None,
        }
    }
}

/// Names the permission a collection needs when Graph refused it (403).
fn permission_note(collection: Collection, source: &GraphError) -> String {
    if source.status() == Some(403) {
        format!(
            " (the app needs the application permission {}, with admin consent)",
            collection.permission()
        )
    } else {
        String::new()
    }
}
