//! The audit folder (SPEC §4): `findings.json`, `findings.csv`, `summary.md`, written aside
//! and moved into place so a failed or killed audit never leaves a folder that looks complete.

pub mod findings_csv;
pub mod findings_json;
pub mod summary_md;
pub mod terminal;

use crate::analyze::Analysis;
use crate::model::Snapshot;
use std::path::{Path, PathBuf};

/// How the as-of date was chosen; the audit states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOfSource {
    CommandLine,
    SnapshotCollectedAt,
    Today,
}

impl AsOfSource {
    pub fn describe(self) -> &'static str {
        match self {
            AsOfSource::CommandLine => "given with --as-of",
            AsOfSource::SnapshotCollectedAt => "the snapshot's collectedAt date",
            AsOfSource::Today => "today (UTC); the snapshot has no collectedAt",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AsOfSource::CommandLine => "command-line",
            AsOfSource::SnapshotCollectedAt => "snapshot",
            AsOfSource::Today => "today",
        }
    }
}

/// Everything the writers need.
pub struct AuditReport<'a> {
    pub snapshot: &'a Snapshot,
    pub analysis: &'a Analysis,
    pub as_of_source: AsOfSource,
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{}: cannot write the audit: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}: exists and is not an audit folder (no findings.json); refusing to replace it\nhint: choose another --out",
        path.display()
    )]
    NotAnAuditFolder { path: PathBuf },
    #[error("{}: cannot encode: {message}", path.display())]
    Encode { path: PathBuf, message: String },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes the audit folder at `out`, replacing an earlier audit there.
pub fn write_audit_folder(out: &Path, report: &AuditReport) -> Result<(), OutputError> {
    if out.exists() {
        let is_empty_dir = std::fs::read_dir(out)
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(false);
        if !out.join("findings.json").is_file() && !is_empty_dir {
            return Err(OutputError::NotAnAuditFolder {
                path: out.to_path_buf(),
            });
        }
    }
    let parent = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io_error(&parent))?;
    let name = out
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "audit".to_string());
    let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
    }
    std::fs::create_dir_all(&staging).map_err(io_error(&staging))?;

    let written = write_files(&staging, report);
    if let Err(error) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(error);
    }
    if out.exists() {
        let retired = parent.join(format!(".{name}.replaced-{}", std::process::id()));
        std::fs::rename(out, &retired).map_err(io_error(out))?;
        std::fs::rename(&staging, out).map_err(io_error(out))?;
        std::fs::remove_dir_all(&retired).map_err(io_error(&retired))?;
    } else {
        std::fs::rename(&staging, out).map_err(io_error(out))?;
    }
    Ok(())
}

fn write_files(dir: &Path, report: &AuditReport) -> Result<(), OutputError> {
    let json_path = dir.join("findings.json");
    let json = findings_json::render(report).map_err(|error| OutputError::Encode {
        path: json_path.clone(),
        message: error.to_string(),
    })?;
    write_synced(&json_path, json.as_bytes())?;
    let csv_path = dir.join("findings.csv");
    let csv =
        findings_csv::render(&report.analysis.findings).map_err(|error| OutputError::Encode {
            path: csv_path.clone(),
            message: error.to_string(),
        })?;
    write_synced(&csv_path, &csv)?;
    write_synced(
        &dir.join("summary.md"),
        summary_md::render(report).as_bytes(),
    )?;
    Ok(())
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    use std::io::Write;
    let mut file = std::fs::File::create(path).map_err(io_error(path))?;
    file.write_all(bytes).map_err(io_error(path))?;
    file.sync_all().map_err(io_error(path))
}
