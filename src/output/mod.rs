//! The audit folder (SPEC §4): `findings.json`, `findings.csv`, `summary.md`, the typed
//! tables (`users.parquet`, `holdings.parquet`, `skus.parquet`, `launches_daily.parquet`,
//! `findings.parquet`; see [`crate::report::tables`]) and, unless skipped, the finance report
//! (`report.html`, `report.xlsx`; see [`crate::report::write`]), written aside and moved into place so a
//! failed or killed audit never leaves a folder that looks complete.

pub mod findings_csv;
pub mod findings_json;
pub mod summary_md;
pub mod terminal;

pub use crate::contract::findings::AsOfSource;

use crate::analyze::Analysis;
use crate::model::Snapshot;
use crate::report::tables::{self, Table};
use crate::report::{AuditTables, REPORT_FILES, ReportModel, ReportWriteError, write_report};
use crate::support::folder::{FolderError, StagedFolder, entry_names};
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Everything the writers need.
pub struct AuditReport<'a> {
    pub snapshot: &'a Snapshot,
    pub analysis: &'a Analysis,
    pub as_of_source: AsOfSource,
    /// The typed tables, written as Parquet.
    pub tables: &'a AuditTables,
    /// What `summary.md` and the report render.
    pub model: &'a ReportModel,
    /// Write the finance report (`report.html`, `report.xlsx`) into the folder too.
    pub with_report: bool,
    /// The snapshot's files and their hashes, recorded in `findings.json`.
    pub inputs: &'a [crate::contract::findings::InputFile],
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
    #[error(
        "{}: holds files an audit does not write ({}); refusing to replace it, which would delete them\nhint: move them elsewhere (plans belong in their own folder) or choose another --out",
        path.display(),
        foreign.join(", ")
    )]
    HoldsOtherFiles { path: PathBuf, foreign: Vec<String> },
    #[error(transparent)]
    Report(#[from] ReportWriteError),
}

fn folder_error(error: FolderError) -> OutputError {
    OutputError::Io {
        path: error.path,
        source: error.source,
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The files of an audit folder besides the typed tables: what an audit writes, and what
/// `seatwise report` adds to it. Nothing else in a folder is the audit's to replace.
pub const AUDIT_FILES: [&str; 3] = ["findings.json", "findings.csv", "summary.md"];

fn is_audit_file(name: &str) -> bool {
    AUDIT_FILES.contains(&name)
        || REPORT_FILES.contains(&name)
        || Table::ALL.iter().any(|table| table.file_name() == name)
}

/// May `out` be replaced by a new audit? Only when it is empty, or an earlier audit holding
/// nothing but the audit's own files: plans, approvals or journals saved into it are never
/// deleted.
fn check_replaceable(out: &Path) -> Result<(), OutputError> {
    let names = entry_names(out).map_err(folder_error)?;
    if names.is_empty() {
        return Ok(());
    }
    if !out.join("findings.json").is_file() {
        return Err(OutputError::NotAnAuditFolder {
            path: out.to_path_buf(),
        });
    }
    let foreign: Vec<String> = names
        .into_iter()
        .filter(|name| !is_audit_file(name))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    Err(OutputError::HoldsOtherFiles {
        path: out.to_path_buf(),
        foreign,
    })
}

/// Writes the audit folder at `out`, replacing an earlier audit there.
pub fn write_audit_folder(out: &Path, report: &AuditReport) -> Result<(), OutputError> {
    check_replaceable(out)?;
    let staged = StagedFolder::begin(out).map_err(folder_error)?;
    write_files(staged.path(), report)?;
    staged.commit().map_err(folder_error)
}

/// One file of the audit folder besides the finance report.
#[derive(Debug, Clone, Copy)]
enum AuditFile {
    FindingsJson,
    FindingsCsv,
    Summary,
    Table(Table),
}

impl AuditFile {
    /// Every file: the findings' JSON and CSV, the summary, then the tables.
    fn all() -> Vec<AuditFile> {
        let mut files = vec![
            AuditFile::FindingsJson,
            AuditFile::FindingsCsv,
            AuditFile::Summary,
        ];
        files.extend(Table::ALL.map(AuditFile::Table));
        files
    }

    fn write(self, dir: &Path, report: &AuditReport) -> Result<(), OutputError> {
        match self {
            AuditFile::FindingsJson => write_synced(&dir.join("findings.json"), |writer| {
                findings_json::write(report, &mut *writer).map_err(std::io::Error::other)?;
                writer.write_all(b"\n")
            }),
            AuditFile::FindingsCsv => write_synced(&dir.join("findings.csv"), |writer| {
                findings_csv::write(&report.analysis.findings, &mut *writer)
                    .map_err(std::io::Error::other)
            }),
            AuditFile::Summary => {
                let summary = summary_md::render(report.model);
                write_synced(&dir.join("summary.md"), |writer| {
                    writer.write_all(summary.as_bytes())
                })
            }
            AuditFile::Table(table) => write_synced(&dir.join(table.file_name()), |writer| {
                tables::write_table(table, report.tables.get(table), &mut *writer)
                    .map_err(std::io::Error::other)
            }),
        }
    }
}

/// The files are independent of one another, so they are written side by side: the findings
/// serialise as text while the tables encode as Parquet. The first failure, in the order of
/// [`AuditFile::all`], is the one reported.
fn write_files(dir: &Path, report: &AuditReport) -> Result<(), OutputError> {
    let written: Vec<Result<(), OutputError>> = AuditFile::all()
        .into_par_iter()
        .map(|file| file.write(dir, report))
        .collect();
    written.into_iter().collect::<Result<(), OutputError>>()?;
    if report.with_report {
        write_report(dir, report.model, report.tables)?;
    }
    Ok(())
}

/// Writes the views of `model` into the written audit folder `dir` again: `summary.md` and, with
/// `with_report`, the finance report. Used once the audit is recorded in history, so its views
/// show the trend and the changes; each file is replaced whole.
pub fn rewrite_views(
    dir: &Path,
    model: &ReportModel,
    tables: &AuditTables,
    with_report: bool,
) -> Result<(), OutputError> {
    let summary = summary_md::render(model);
    crate::support::folder::write_file_whole(&dir.join("summary.md"), summary.as_bytes())
        .map_err(folder_error)?;
    if with_report {
        write_report(dir, model, tables)?;
    }
    Ok(())
}

/// Writes a file through a buffer and syncs it to disk before the folder is moved into place.
fn write_synced(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    let file = std::fs::File::create(path).map_err(io_error(path))?;
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
    fill(&mut writer).map_err(io_error(path))?;
    let file = writer
        .into_inner()
        .map_err(|error| io_error(path)(error.into_error()))?;
    file.sync_all().map_err(io_error(path))
}
