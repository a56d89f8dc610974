//! Writers of a plan for people and tools: CSV for review, a Microsoft Graph PowerShell SDK
//! script, Graph JSON `$batch` bodies, and the notices people get before a removal; and the
//! manifest of them all that approvals cover. A plan folder appears whole or not at all.

pub mod batch;
pub mod notices;
pub mod powershell;
pub mod review_csv;

use super::Plan;
use super::signers::AllowedSigners;
use crate::contract::manifest::{BATCH_DIR, FILE_NAME as MANIFEST, ManifestError, PlanManifest};
use crate::contract::plan::ALLOWED_SIGNERS;
use crate::support::folder::StagedFolder;
use std::path::{Path, PathBuf};

/// Approvals of a plan, beside it (see [`crate::act::approval`]).
const APPROVALS: &str = "approvals.json";

#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    #[error("{}: cannot write: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}: the plan in this folder has been applied (it has a journal); planning over it would lose its history\nhint: write the new plan into a new folder",
        dir.display()
    )]
    Applied { dir: PathBuf },
    #[error(
        "{}: holds files a plan does not write ({}); a plan needs a folder of its own\nhint: --out plans/<name>/plan.json",
        dir.display(),
        foreign.join(", ")
    )]
    NotAPlanFolder { dir: PathBuf, foreign: Vec<String> },
    #[error(transparent)]
    Manifest(#[from] ManifestError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> EmitError + '_ {
    move |source| EmitError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), EmitError> {
    std::fs::write(path, bytes).map_err(io(path))
}

/// Which plan folder is written: what an existing one may hold, and what of it is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFolder {
    /// `seatwise plan`: replaces an earlier plan that was never applied (its approvals file
    /// is kept, void for the new content); a folder with a journal is refused.
    New,
    /// The rollback plan `apply` writes and rewrites: the rollback's journal is kept.
    Rollback,
}

/// The journal `apply` keeps beside a plan.
const JOURNAL: &str = "journal.jsonl";

impl PlanFolder {
    /// Files of an existing folder that move into the new one.
    fn kept(self) -> &'static [&'static str] {
        match self {
            PlanFolder::New => &[APPROVALS],
            PlanFolder::Rollback => &[APPROVALS, JOURNAL],
        }
    }
}

/// The names (relative paths) of the files one plan folder is emitted with, `batch/` bodies
/// included; the manifest lists them all.
fn emitted_files(
    plan: &Plan,
    plan_name: &str,
    signers: Option<&AllowedSigners>,
) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        (plan_name.to_string(), plan.to_json().into_bytes()),
        ("plan.csv".to_string(), review_csv::render(plan)),
        (
            "plan.ps1".to_string(),
            powershell::render(plan).into_bytes(),
        ),
        ("notices.csv".to_string(), notices::render(plan)),
    ];
    for (index, body) in batch::batches(plan).iter().enumerate() {
        let mut text = serde_json::to_string_pretty(body).unwrap_or_default();
        text.push('\n');
        files.push((
            format!("{BATCH_DIR}/batch-{:03}.json", index + 1),
            text.into_bytes(),
        ));
    }
    if let Some(signers) = signers {
        files.push((ALLOWED_SIGNERS.to_string(), signers.bytes.clone()));
    }
    files
}

/// May the folder at `dir` be replaced by a plan folder? Returns the files to keep.
fn check_replaceable(
    dir: &Path,
    plan_name: &str,
    folder: PlanFolder,
) -> Result<Vec<&'static str>, EmitError> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    if folder == PlanFolder::New && names.iter().any(|name| name == JOURNAL) {
        return Err(EmitError::Applied {
            dir: dir.to_path_buf(),
        });
    }
    let own = [
        plan_name,
        "plan.csv",
        "plan.ps1",
        "notices.csv",
        BATCH_DIR,
        MANIFEST,
        ALLOWED_SIGNERS,
    ];
    let mut foreign: Vec<String> = names
        .iter()
        .filter(|name| !own.contains(&name.as_str()) && !folder.kept().contains(&name.as_str()))
        .cloned()
        .collect();
    if !foreign.is_empty() {
        foreign.sort();
        return Err(EmitError::NotAPlanFolder {
            dir: dir.to_path_buf(),
            foreign,
        });
    }
    Ok(folder
        .kept()
        .iter()
        .copied()
        .filter(|name| names.iter().any(|present| present == name))
        .collect())
}

/// Writes the plan folder of `plan_path`: `plan.json` (under `plan_path`'s name), plan.csv,
/// plan.ps1, notices.csv, `batch/`, the allowed signers of a plan that requires signed
/// approvals, and `manifest.json`. The folder is written aside and moved
/// into place, so it appears whole or not at all; files an existing folder may keep (see
/// [`PlanFolder`]) are copied into the new one first. Returns the paths written.
pub fn write_all(
    plan: &Plan,
    plan_path: &Path,
    folder: PlanFolder,
    signers: Option<&AllowedSigners>,
) -> Result<Vec<PathBuf>, EmitError> {
    let dir = match plan_path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let plan_name = plan_path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plan.json".to_string());
    let kept = check_replaceable(&dir, &plan_name, folder)?;
    let staged = StagedFolder::begin(&dir).map_err(|error| EmitError::Io {
        path: error.path,
        source: error.source,
    })?;
    let files = emitted_files(plan, &plan_name, signers);
    if files.iter().any(|(name, _)| name.starts_with(BATCH_DIR)) {
        let batch_dir = staged.path().join(BATCH_DIR);
        std::fs::create_dir_all(&batch_dir).map_err(io(&batch_dir))?;
    }
    for (name, bytes) in &files {
        write(&staged.path().join(name), bytes)?;
    }
    let names: Vec<String> = files.into_iter().map(|(name, _)| name).collect();
    let manifest = PlanManifest::of(staged.path(), &names)?;
    write(&staged.path().join(MANIFEST), manifest.to_json().as_bytes())?;
    for name in kept {
        let from = dir.join(name);
        std::fs::copy(&from, staged.path().join(name)).map_err(io(&from))?;
    }
    staged.commit().map_err(|error| EmitError::Io {
        path: error.path,
        source: error.source,
    })?;
    let mut written: Vec<PathBuf> = names.iter().map(|name| dir.join(name)).collect();
    written.push(dir.join(MANIFEST));
    Ok(written)
}
