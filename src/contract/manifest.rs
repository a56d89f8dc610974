//! `manifest.json`: the SHA-256 of every file a plan folder was emitted with (plan.json,
//! plan.csv, plan.ps1, notices.csv and each `batch/` body). An approval covers the plan and
//! this manifest, so what an approver reviewed is what runs: `approve` and `apply` refuse a
//! folder whose script or batches no longer match it.

use super::plan::sha256_hex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const SCHEMA: &str = "seatwise.plan-manifest/1";
pub const FILE_NAME: &str = "manifest.json";
/// The folder of `$batch` bodies, whose every file is listed.
pub const BATCH_DIR: &str = "batch";

/// The emitted files of one plan folder, by path relative to it (`/`-separated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanManifest {
    pub schema: String,
    /// `sha256:<hex>` by relative path.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}: missing: this plan folder has no manifest of its files, so what was approved cannot be checked\nhint: plan again with this version of seatwise",
        path.display()
    )]
    Missing { path: PathBuf },
    #[error("{}: not a seatwise plan manifest: {problem}", path.display())]
    Parse { path: PathBuf, problem: String },
    #[error(
        "{}: changed since the plan was made (its SHA-256 differs from {FILE_NAME}); an approval covers the files as they were planned\nhint: plan again instead of editing the emitted files",
        path.display()
    )]
    Changed { path: PathBuf },
    #[error(
        "{}: listed in {FILE_NAME} but missing\nhint: plan again instead of editing the emitted files",
        path.display()
    )]
    Removed { path: PathBuf },
    #[error(
        "{}: not part of the plan as it was made (not in {FILE_NAME})\nhint: remove it, or plan again",
        path.display()
    )]
    Added { path: PathBuf },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ManifestError + '_ {
    move |source| ManifestError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl PlanManifest {
    /// The manifest of `files` (relative paths) as they are now in `dir`.
    pub fn of(dir: &Path, files: &[String]) -> Result<PlanManifest, ManifestError> {
        let mut hashes = BTreeMap::new();
        for name in files {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            hashes.insert(name.clone(), format!("sha256:{}", sha256_hex(&bytes)));
        }
        Ok(PlanManifest {
            schema: SCHEMA.to_string(),
            files: hashes,
        })
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// The files actually in the `batch/` folder of `dir`, as relative paths.
fn batch_files(dir: &Path) -> Result<Vec<String>, ManifestError> {
    let batch = dir.join(BATCH_DIR);
    if !batch.exists() {
        return Ok(Vec::new());
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&batch).map_err(io(&batch))? {
        let entry = entry.map_err(io(&batch))?;
        names.push(format!(
            "{BATCH_DIR}/{}",
            entry.file_name().to_string_lossy()
        ));
    }
    names.sort();
    Ok(names)
}

/// Checks the plan folder of `plan_path` against its manifest: every listed file is present
/// with its hash, and `batch/` holds nothing else. Returns the SHA-256 of the manifest's
/// bytes, which approvals record.
pub fn verify(plan_path: &Path) -> Result<String, ManifestError> {
    let dir = match plan_path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let path = dir.join(FILE_NAME);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(ManifestError::Missing { path });
        }
        Err(source) => return Err(ManifestError::Io { path, source }),
    };
    let manifest: PlanManifest =
        serde_json::from_slice(&bytes).map_err(|error| ManifestError::Parse {
            path: path.clone(),
            problem: error.to_string(),
        })?;
    if manifest.schema != SCHEMA {
        return Err(ManifestError::Parse {
            path,
            problem: format!("schema {:?}, expected {SCHEMA}", manifest.schema),
        });
    }
    let plan_name = plan_path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !manifest.files.contains_key(&plan_name) {
        return Err(ManifestError::Added {
            path: plan_path.to_path_buf(),
        });
    }
    for (name, expected) in &manifest.files {
        let file = dir.join(name);
        let bytes = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(ManifestError::Removed { path: file });
            }
            Err(source) => return Err(ManifestError::Io { path: file, source }),
        };
        if &format!("sha256:{}", sha256_hex(&bytes)) != expected {
            return Err(ManifestError::Changed { path: file });
        }
    }
    if let Some(extra) = batch_files(&dir)?
        .into_iter()
        .find(|name| !manifest.files.contains_key(name))
    {
        return Err(ManifestError::Added {
            path: dir.join(extra),
        });
    }
    Ok(format!("sha256:{}", sha256_hex(&bytes)))
}
