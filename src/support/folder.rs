//! A folder that appears whole or not at all (SPEC §4): written into a hidden staging folder
//! beside its target and moved into place in one rename once complete. An earlier folder at the
//! target is moved aside first and removed after; a run that fails or is killed leaves only a
//! hidden staging folder, never a target that looks complete. [`write_file_whole`] does the
//! same for one file.

use std::path::{Path, PathBuf};

/// A failed step, with the path it failed on.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct FolderError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

fn at(path: &Path) -> impl FnOnce(std::io::Error) -> FolderError + '_ {
    move |source| FolderError {
        path: path.to_path_buf(),
        source,
    }
}

/// A staging folder for `target`; removed again unless committed.
#[derive(Debug)]
pub struct StagedFolder {
    staging: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl StagedFolder {
    /// Creates the hidden staging folder `.<name>.partial-<pid>` beside `target` (and the
    /// target's parent folders). Whether `target` may be replaced is the caller's decision,
    /// taken before.
    pub fn begin(target: &Path) -> Result<StagedFolder, FolderError> {
        let parent = parent_of(target);
        std::fs::create_dir_all(&parent).map_err(at(&parent))?;
        let staging = parent.join(format!(
            ".{}.partial-{}",
            name_of(target),
            std::process::id()
        ));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(at(&staging))?;
        }
        std::fs::create_dir(&staging).map_err(at(&staging))?;
        Ok(StagedFolder {
            staging,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// The folder to write into.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Moves the staged folder to its target, replacing the folder there.
    pub fn commit(mut self) -> Result<(), FolderError> {
        if self.target.exists() {
            let retired = parent_of(&self.target).join(format!(
                ".{}.replaced-{}",
                name_of(&self.target),
                std::process::id()
            ));
            std::fs::rename(&self.target, &retired).map_err(at(&self.target))?;
            std::fs::rename(&self.staging, &self.target).map_err(at(&self.target))?;
            self.committed = true;
            std::fs::remove_dir_all(&retired).map_err(at(&retired))?;
        } else {
            std::fs::rename(&self.staging, &self.target).map_err(at(&self.target))?;
            self.committed = true;
        }
        Ok(())
    }
}

impl Drop for StagedFolder {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the hidden name never looks like a finished folder even if this fails.
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Writes `bytes` to `target` whole or not at all: into a hidden file beside it, synced, then
/// renamed over it. On failure the hidden file is removed and `target` is left as it was.
pub fn write_file_whole(target: &Path, bytes: &[u8]) -> Result<(), FolderError> {
    use std::io::Write;
    let staging = parent_of(target).join(format!(
        ".{}.partial-{}",
        name_of(target),
        std::process::id()
    ));
    let written = std::fs::File::create(&staging)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .map_err(at(&staging))
        .and_then(|()| std::fs::rename(&staging, target).map_err(at(target)));
    if written.is_err() {
        // Best effort: the hidden name never looks like the finished file even if this fails.
        let _ = std::fs::remove_file(&staging);
    }
    written
}

fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn name_of(target: &Path) -> String {
    target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "folder".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_appears_whole_replaces_the_last_one_or_leaves_nothing() {
        let root = tempfile::tempdir().expect("temp dir");
        let target = root.path().join("reports/2026-11-01");
        let first = StagedFolder::begin(&target).expect("begin");
        std::fs::write(first.path().join("a.txt"), "one").expect("write");
        assert!(!target.exists(), "nothing appears before the commit");
        first.commit().expect("commit");
        assert_eq!(
            std::fs::read_to_string(target.join("a.txt"))
                .ok()
                .as_deref(),
            Some("one")
        );

        let second = StagedFolder::begin(&target).expect("begin");
        std::fs::write(second.path().join("b.txt"), "two").expect("write");
        second.commit().expect("commit");
        assert!(
            !target.join("a.txt").exists(),
            "the earlier folder is replaced whole"
        );
        assert!(target.join("b.txt").exists());

        let abandoned = StagedFolder::begin(&target).expect("begin");
        let staging = abandoned.path().to_path_buf();
        drop(abandoned);
        assert!(!staging.exists(), "an uncommitted folder is removed");
        let leftovers: Vec<_> = std::fs::read_dir(root.path().join("reports"))
            .expect("list")
            .filter_map(Result::ok)
            .map(|entry| entry.file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("2026-11-01")]);
    }

    #[test]
    fn a_file_is_replaced_whole_and_a_failed_write_leaves_the_old_one() {
        let root = tempfile::tempdir().expect("temp dir");
        let target = root.path().join("report.html");
        write_file_whole(&target, b"first").expect("write");
        write_file_whole(&target, b"second").expect("replace");
        assert_eq!(std::fs::read(&target).expect("read"), b"second");

        // A folder in the way of the rename: the write fails, naming the target, and leaves
        // no hidden file behind.
        let blocked = root.path().join("blocked");
        std::fs::create_dir(&blocked).expect("folder");
        std::fs::write(blocked.join("inside"), "x").expect("fill");
        let error = write_file_whole(&blocked, b"page").expect_err("a folder is not replaced");
        assert_eq!(error.path, blocked);
        let names: Vec<_> = std::fs::read_dir(root.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|name| !name.starts_with('.')), "{names:?}");

        let missing = root.path().join("no/such/folder/report.html");
        let error = write_file_whole(&missing, b"page").expect_err("no parent folder");
        assert!(error.to_string().contains("no/such/folder"), "{error}");
    }
}
