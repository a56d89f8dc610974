//! The write-ahead journal: what `apply` is about to do and what happened, one JSON line per
//! record, appended and flushed to disk (`fsync`) before the next step.
//!
//! The order is the safety: an `intent` record is durable before its Graph request leaves, and
//! the `outcome` is durable before the next action starts. After a crash or kill, an intent
//! without an outcome is the only uncertainty left, and `apply --resume` settles it by
//! re-reading the tenant instead of sending the request again. A last line cut short by the
//! crash was never acknowledged, so it is dropped (and trimmed before appending).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How an action ended in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionResult {
    /// Graph made the change.
    Applied,
    /// The tenant was already as the action wanted it.
    AlreadyDone,
    /// Reality changed since the plan was made; the action no longer holds.
    Stale,
    /// A person must do it (a dynamic group's rule).
    Manual,
    /// Not yet: a grace period, or an action it depends on has not happened.
    Deferred,
    /// Graph refused the change, or a precondition failed.
    Failed,
}

impl ActionResult {
    /// Final results are not retried by `--resume`.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ActionResult::Applied
                | ActionResult::AlreadyDone
                | ActionResult::Stale
                | ActionResult::Manual
        )
    }

    /// The tenant is as the action wanted (so actions depending on it may go ahead).
    pub fn reached(self) -> bool {
        matches!(self, ActionResult::Applied | ActionResult::AlreadyDone)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ActionResult::Applied => "applied",
            ActionResult::AlreadyDone => "already-done",
            ActionResult::Stale => "stale",
            ActionResult::Manual => "manual",
            ActionResult::Deferred => "deferred",
            ActionResult::Failed => "failed",
        }
    }
}

/// The request an intent announces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub body: Option<Value>,
}

/// What a rollback needs to restore the state an action changed, read just before it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Restore {
    /// The direct assignment's disabled plans before a direct removal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_plans: Option<Vec<String>>,
    /// The SKUs the user held through the group before leaving it (a member may hold fewer
    /// than the group carries when seats ran out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_through_group: Option<Vec<String>>,
}

impl Restore {
    pub fn is_empty(&self) -> bool {
        self.disabled_plans.is_none() && self.held_through_group.is_none()
    }
}

/// One journal line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "kebab-case")]
pub enum Record {
    /// A run began.
    Start {
        at: String,
        /// `apply` or `rollback`.
        mode: String,
        plan: String,
        plan_sha256: String,
        approvers: Vec<String>,
    },
    /// About to send a request.
    Intent {
        at: String,
        action: String,
        request: Request,
        /// What the rollback needs to restore exactly.
        #[serde(default, skip_serializing_if = "Restore::is_empty")]
        restore: Restore,
    },
    /// How an action ended.
    Outcome {
        at: String,
        action: String,
        result: ActionResult,
        detail: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        http_status: Option<u16>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
    },
    /// A run ended (absent when it was killed).
    Finish { at: String, summary: String },
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{}: cannot read or write the journal: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: line {line}: not a journal record: {problem}", path.display())]
    Corrupt {
        path: PathBuf,
        line: usize,
        problem: String,
    },
}

/// The journal's lines, read back. A torn last line (no newline) is left out.
pub fn read(path: &Path) -> Result<Vec<Record>, JournalError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(JournalError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let complete = match bytes.iter().rposition(|byte| *byte == b'\n') {
        Some(end) => &bytes[..=end],
        None => &[][..],
    };
    let mut records = Vec::new();
    for (index, line) in complete.split(|byte| *byte == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record = serde_json::from_slice(line).map_err(|error| JournalError::Corrupt {
            path: path.to_path_buf(),
            line: index + 1,
            problem: error.to_string(),
        })?;
        records.push(record);
    }
    Ok(records)
}

/// Where each action stands after the records so far.
#[derive(Debug, Clone, PartialEq)]
pub enum Standing {
    /// The latest outcome.
    Ended {
        result: ActionResult,
        detail: String,
        restore: Restore,
    },
    /// An intent with no outcome after it: the request may or may not have reached Graph.
    InDoubt { request: Request, restore: Restore },
}

impl Standing {
    pub fn is_final(&self) -> bool {
        matches!(self, Standing::Ended { result, .. } if result.is_final())
    }

    /// What was recorded before the action's latest request.
    pub fn restore(&self) -> &Restore {
        match self {
            Standing::Ended { restore, .. } | Standing::InDoubt { restore, .. } => restore,
        }
    }
}

/// Folds the records into each action's standing.
pub fn standings(records: &[Record]) -> BTreeMap<String, Standing> {
    let mut standings: BTreeMap<String, Standing> = BTreeMap::new();
    for record in records {
        match record {
            Record::Intent {
                action,
                request,
                restore,
                ..
            } => {
                let restore = if restore.is_empty() {
                    previous_restore(&standings, action)
                } else {
                    restore.clone()
                };
                standings.insert(
                    action.clone(),
                    Standing::InDoubt {
                        request: request.clone(),
                        restore,
                    },
                );
            }
            Record::Outcome {
                action,
                result,
                detail,
                ..
            } => {
                let restore = previous_restore(&standings, action);
                standings.insert(
                    action.clone(),
                    Standing::Ended {
                        result: *result,
                        detail: detail.clone(),
                        restore,
                    },
                );
            }
            Record::Start { .. } | Record::Finish { .. } => {}
        }
    }
    standings
}

fn previous_restore(standings: &BTreeMap<String, Standing>, action: &str) -> Restore {
    standings
        .get(action)
        .map(|standing| standing.restore().clone())
        .unwrap_or_default()
}

/// An open journal: appends and syncs one record at a time.
pub struct Journal {
    path: PathBuf,
    file: Mutex<Appender>,
}

/// The file and how long it is when every record so far is complete.
struct Appender {
    file: File,
    length: u64,
    /// A write failed and could not be undone: nothing more may be appended.
    broken: bool,
}

impl Journal {
    /// Opens (creating) the journal for appending, first trimming a torn last line.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let io = |source| JournalError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Ok(bytes) = std::fs::read(path) {
            let keep = bytes
                .iter()
                .rposition(|byte| *byte == b'\n')
                .map_or(0, |end| end + 1);
            if keep < bytes.len() {
                let file = OpenOptions::new().write(true).open(path).map_err(io)?;
                file.set_len(keep as u64).map_err(io)?;
                file.sync_all().map_err(io)?;
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        let length = file.metadata().map_err(io)?.len();
        if let Some(parent) = path.parent()
            && let Ok(directory) = File::open(if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            })
        {
            // The journal's own directory entry must survive a crash too.
            let _ = directory.sync_all();
        }
        Ok(Journal {
            path: path.to_path_buf(),
            file: Mutex::new(Appender {
                file,
                length,
                broken: false,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record and waits until it is on disk. A write that fails part way (a full
    /// disk) is cut back off, so the journal never holds half a record followed by others.
    pub fn append(&self, record: &Record) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(record).map_err(|error| JournalError::Io {
            path: self.path.clone(),
            source: std::io::Error::other(error),
        })?;
        line.push(b'\n');
        let mut appender = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let io = |source| JournalError::Io {
            path: self.path.clone(),
            source,
        };
        if appender.broken {
            return Err(io(std::io::Error::other(
                "an earlier write to the journal failed; no more records are written",
            )));
        }
        let written = appender
            .file
            .write_all(&line)
            .and_then(|()| appender.file.sync_data());
        if let Err(error) = written {
            let length = appender.length;
            let undone = appender
                .file
                .set_len(length)
                .and_then(|()| appender.file.sync_data());
            if undone.is_err() {
                appender.broken = true;
            }
            return Err(io(error));
        }
        appender.length += line.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(action: &str, result: ActionResult) -> Record {
        Record::Outcome {
            at: "2026-11-27T10:00:00Z".into(),
            action: action.into(),
            result,
            detail: String::new(),
            http_status: None,
            request_id: None,
        }
    }

    fn intent(action: &str) -> Record {
        Record::Intent {
            at: "2026-11-27T10:00:00Z".into(),
            action: action.into(),
            request: Request {
                method: "DELETE".into(),
                target: "/v1.0/groups/g/members/u/$ref".into(),
                body: None,
            },
            restore: Restore {
                disabled_plans: Some(vec!["plan-a".into()]),
                held_through_group: None,
            },
        }
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_trimmed_before_appending() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("journal.jsonl");
        let journal = Journal::open(&path).expect("open");
        journal.append(&intent("a")).expect("append");
        drop(journal);
        let mut bytes = std::fs::read(&path).expect("read");
        bytes.extend_from_slice(b"{\"record\":\"outcome\",\"at\":\"2026");
        std::fs::write(&path, &bytes).expect("write");
        assert_eq!(read(&path).expect("read").len(), 1);
        let journal = Journal::open(&path).expect("reopen");
        journal
            .append(&outcome("a", ActionResult::Applied))
            .expect("append");
        let records = read(&path).expect("read");
        assert_eq!(records.len(), 2);
        assert_eq!(records[1], outcome("a", ActionResult::Applied));
    }

    #[test]
    fn a_corrupt_middle_line_names_the_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("journal.jsonl");
        std::fs::write(
            &path,
            "{\"record\":\"finish\",\"at\":\"x\",\"summary\":\"\"}\nnot json\n{}\n",
        )
        .expect("write");
        let error = read(&path).expect_err("corrupt");
        assert!(error.to_string().contains("line 2"), "{error}");
    }

    #[test]
    fn standings_follow_the_latest_record_and_keep_what_to_restore() {
        let records = vec![
            intent("a"),
            outcome("a", ActionResult::Failed),
            intent("a"),
            intent("b"),
            outcome("b", ActionResult::Applied),
            outcome("c", ActionResult::Deferred),
        ];
        let standings = standings(&records);
        assert!(matches!(standings["a"], Standing::InDoubt { .. }));
        assert!(standings["b"].is_final());
        assert_eq!(
            standings["b"].restore().disabled_plans,
            Some(vec!["plan-a".to_string()])
        );
        assert!(!standings["c"].is_final());
    }
}
