//! A folder that appears whole or not at all (SPEC §4): written into a hidden staging folder
//! beside its target and moved into place in one rename once complete. An earlier folder at the
//! target is moved aside first and removed after; a run that fails or is killed leaves only a
//! hidden staging folder, never a target that looks complete. The next run cleans up after a
//! killed one, but only after a process that is gone: a staging folder whose owner still
//! runs is left alone, and an earlier folder moved aside just before the kill is put back.
//! [`write_file_whole`] does the same for one file.

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
        clean_leftovers(&parent, target)?;
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
            // The new folder is in place: the write succeeded. An old copy that cannot be
            // removed now is a leftover the next run removes (see `leftover`).
            let _ = std::fs::remove_dir_all(&retired);
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

/// A leftover of a run: what it was doing, and its process id.
#[derive(Debug, PartialEq, Eq)]
enum Leftover {
    Staging(u32),
    Replaced(u32),
}

fn leftover(name: &str, target_name: &str) -> Option<Leftover> {
    let rest = name.strip_prefix('.')?.strip_prefix(target_name)?;
    if let Some(pid) = rest.strip_prefix(".partial-") {
        return pid.parse().ok().map(Leftover::Staging);
    }
    rest.strip_prefix(".replaced-")?
        .parse()
        .ok()
        .map(Leftover::Replaced)
}

/// Whether process `pid` still runs. Where that cannot be told (no `/proc`), it is assumed
/// to run, so nothing of a live run is ever removed.
pub fn process_runs(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return true;
    }
    proc.join(pid.to_string()).exists()
}

/// Removes the staging folders of `target` left by processes that are gone, and puts back an
/// earlier folder that such a process had moved aside but not replaced.
fn clean_leftovers(parent: &Path, target: &Path) -> Result<(), FolderError> {
    let target_name = name_of(target);
    let own = std::process::id();
    let entries = match std::fs::read_dir(parent) {
        Ok(entries) => entries,
        Err(_) => return Ok(()),
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(found) = leftover(&name, &target_name) else {
            continue;
        };
        let (Leftover::Staging(pid) | Leftover::Replaced(pid)) = found;
        if pid == own || process_runs(pid) {
            continue;
        }
        let path = entry.path();
        match found {
            Leftover::Replaced(_) if !target.exists() => {
                std::fs::rename(&path, target).map_err(at(target))?
            }
            _ => std::fs::remove_dir_all(&path).map_err(at(&path))?,
        }
    }
    Ok(())
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

/// The names of the entries of the folder `dir`, sorted; none when it does not exist. What
/// decides whether a folder may be replaced: it must hold nothing but what the writer writes.
pub fn entry_names(dir: &Path) -> Result<Vec<String>, FolderError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(at(dir)(error)),
    };
    let mut names = Vec::new();
    for entry in entries {
        names.push(
            entry
                .map_err(at(dir))?
                .file_name()
                .to_string_lossy()
                .into_owned(),
        );
    }
    names.sort();
    Ok(names)
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

    /// A process id above Linux's largest (2^22), so never running.
    const GONE: u32 = 999_999_999;

    #[test]
    fn leftovers_of_gone_runs_are_cleaned_and_of_running_ones_kept() {
        let root = tempfile::tempdir().expect("temp dir");
        let target = root.path().join("plan");
        let running = root.path().join(".plan.partial-1");
        let gone = root.path().join(format!(".plan.partial-{GONE}"));
        let other = root.path().join(format!(".other.partial-{GONE}"));
        for dir in [&running, &gone, &other] {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        // Killed between moving the earlier folder aside and moving the new one in.
        let replaced = root.path().join(format!(".plan.replaced-{GONE}"));
        std::fs::create_dir_all(&replaced).expect("mkdir");
        std::fs::write(replaced.join("plan.json"), "earlier").expect("write");

        let staged = StagedFolder::begin(&target).expect("begin");
        assert!(!gone.exists(), "a gone run's staging folder is removed");
        assert!(!replaced.exists());
        assert_eq!(
            std::fs::read_to_string(target.join("plan.json")).expect("restored"),
            "earlier",
            "the earlier folder is put back"
        );
        if Path::new("/proc/self").exists() {
            assert!(running.exists(), "a running process's folder is kept");
        }
        assert!(other.exists(), "another target's folder is not touched");
        drop(staged);
    }

    #[test]
    fn only_names_of_the_target_are_leftovers() {
        assert_eq!(
            leftover(".plan.partial-12", "plan"),
            Some(Leftover::Staging(12))
        );
        assert_eq!(
            leftover(".plan.replaced-7", "plan"),
            Some(Leftover::Replaced(7))
        );
        assert_eq!(leftover(".plan.partial-x", "plan"), None);
        assert_eq!(leftover(".plans.partial-12", "plan"), None);
        assert_eq!(leftover("plan.partial-12", "plan"), None);
    }

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
