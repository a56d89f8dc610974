//! The partial folder a pull writes into, and the checkpoints that make it resumable.
//!
//! A pull never writes into `--out` directly. Everything goes into `.<name>.partial/` beside it:
//! the snapshot files in their final places (`subscribedSkus.json`, `users/page-00001.json`, …)
//! and, under `.pull/`, what is needed to continue: the run's settings (`pull.json`), one small
//! state file per paged collection (pages written, next link), the staged group and audit pages
//! that become `groups.json` and `audit/*.csv` at the end. Each file is written aside and
//! renamed into place, and a page's state is saved only after the page itself, so a pull killed
//! at any instant resumes from the last saved next link: no gap, no page twice. Only when every
//! collection is complete is the partial folder renamed to `--out`.

use super::error::PullError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The checkpoint folder inside the partial folder.
pub const STAGING: &str = ".pull";
const MANIFEST: &str = "pull.json";
const MANIFEST_SCHEMA: &str = "seatwise.pull/1";

/// The settings a pull started with; a resumed pull must use the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub schema: String,
    pub graph: String,
    pub tenant_id: Option<String>,
    /// The first day of the audit query (UTC, `YYYY-MM-DD`).
    pub since: String,
    /// When the pull started (RFC 3339): `collectedAt`, and the end of the audit query.
    pub started_at: String,
}

impl Manifest {
    pub fn new(
        graph: &str,
        tenant_id: Option<String>,
        since: String,
        started_at: String,
    ) -> Manifest {
        Manifest {
            schema: MANIFEST_SCHEMA.to_string(),
            graph: graph.to_string(),
            tenant_id,
            since,
            started_at,
        }
    }
}

/// Where a pull writes: the partial folder, its checkpoint folder, and the final `--out`.
#[derive(Debug, Clone)]
pub struct PartialFolder {
    pub out: PathBuf,
    pub root: PathBuf,
    pub staging: PathBuf,
}

impl PartialFolder {
    /// The partial folder of `out`: `.<name>.partial` in the same parent, so the final rename
    /// stays on one file system.
    pub fn for_output(out: &Path) -> Result<PartialFolder, PullError> {
        let name = out
            .file_name()
            .ok_or_else(|| PullError::Checkpoint {
                path: out.to_path_buf(),
                problem: "--out must name a folder (it has no last component)".to_string(),
            })?
            .to_string_lossy()
            .into_owned();
        let parent = out.parent().unwrap_or(Path::new(""));
        let root = parent.join(format!(".{name}.partial"));
        Ok(PartialFolder {
            out: out.to_path_buf(),
            staging: root.join(STAGING),
            root,
        })
    }

    pub fn manifest_path(&self) -> PathBuf {
        self.staging.join(MANIFEST)
    }

    /// A file under the checkpoint folder.
    pub fn staged(&self, relative: &str) -> PathBuf {
        self.staging.join(relative)
    }

    /// Reads the saved settings, if this partial folder has any.
    pub fn read_manifest(&self) -> Result<Option<Manifest>, PullError> {
        let manifest: Option<Manifest> = read_json(&self.manifest_path())?;
        match manifest {
            Some(manifest) if manifest.schema != MANIFEST_SCHEMA => Err(PullError::Checkpoint {
                path: self.manifest_path(),
                problem: format!("written by another version ({:?})", manifest.schema),
            }),
            other => Ok(other),
        }
    }

    pub fn create(&self, manifest: &Manifest) -> Result<(), PullError> {
        create_dir(&self.staging)?;
        write_json(&self.staging, &self.manifest_path(), manifest)
    }
}

/// The checkpoint of one paged collection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PagedState {
    /// The request of the first page (it tells, e.g., whether `signInActivity` was selected).
    pub first_link: String,
    /// Pages saved so far: `page-00001.json` … `page-{pages}.json`.
    pub pages: u32,
    /// Items in those pages.
    pub items: u64,
    /// The `@odata.nextLink` of the last saved page: where to continue.
    pub next_link: Option<String>,
    /// No next link: every page is saved.
    pub complete: bool,
}

/// The file name of page `number`.
pub fn page_file_name(number: u32) -> String {
    format!("page-{number:05}.json")
}

/// Reads a JSON checkpoint file; `None` when it does not exist.
pub fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, PullError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(PullError::io(path, "read the checkpoint", error)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|error| PullError::Checkpoint {
            path: path.to_path_buf(),
            problem: error.to_string(),
        })
}

/// Writes `value` as JSON to `path`, atomically (see [`write_atomically`]).
pub fn write_json<T: Serialize>(staging: &Path, path: &Path, value: &T) -> Result<(), PullError> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|error| PullError::Checkpoint {
        path: path.to_path_buf(),
        problem: error.to_string(),
    })?;
    write_atomically(staging, path, &bytes)
}

/// Writes `bytes` to `path` by writing a temporary file in `staging` and renaming it, so a
/// reader (or a resumed pull) sees the old file or the new one, never half of one.
pub fn write_atomically(staging: &Path, path: &Path, bytes: &[u8]) -> Result<(), PullError> {
    let temporary_dir = staging.join("tmp");
    create_dir(&temporary_dir)?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    // One temporary name per target: a target is only ever written by one task at a time.
    let mut hasher = std::hash::DefaultHasher::new();
    std::hash::Hash::hash(path, &mut hasher);
    let temporary = temporary_dir.join(format!(
        "{:016x}-{name}.tmp",
        std::hash::Hasher::finish(&hasher)
    ));
    std::fs::write(&temporary, bytes).map_err(|error| PullError::io(&temporary, "write", error))?;
    if let Some(parent) = path.parent() {
        create_dir(parent)?;
    }
    std::fs::rename(&temporary, path).map_err(|error| PullError::io(path, "move into place", error))
}

pub fn create_dir(path: &Path) -> Result<(), PullError> {
    std::fs::create_dir_all(path).map_err(|error| PullError::io(path, "create the folder", error))
}

/// Removes page files numbered above `pages` (written by a killed pull after its last saved
/// state; they are fetched again from the saved next link).
pub fn remove_pages_after(dir: &Path, pages: u32) -> Result<(), PullError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(PullError::io(dir, "list", error)),
    };
    for entry in entries {
        let path = entry
            .map_err(|error| PullError::io(dir, "list", error))?
            .path();
        let number = path
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_prefix("page-"))
            .and_then(|rest| rest.strip_suffix(".json"))
            .and_then(|digits| digits.parse::<u32>().ok());
        if number.is_some_and(|number| number > pages) {
            std::fs::remove_file(&path).map_err(|error| PullError::io(&path, "remove", error))?;
        }
    }
    Ok(())
}
