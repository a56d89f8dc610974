//! The history root's lock: one writer at a time. Two scheduled runs overlapping (a slow
//! month and the next trigger) must not interleave their renames, so every change to the
//! root happens while holding a lock file created with `create_new` and holding the writer's
//! process id. A second run is refused, naming the lock and the process; a lock left by a
//! process that is gone (killed, crashed) is taken over.

use super::HistoryError;
use crate::support::folder::process_runs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The lock file's name in the history root (hidden, so no reader globs it).
pub const LOCK_FILE: &str = ".seatwise-history.lock";

/// A held lock; released (the file removed) when dropped.
#[derive(Debug)]
pub struct HistoryLock {
    path: PathBuf,
}

impl HistoryLock {
    /// Takes the lock of the history root `root` (created if missing).
    pub fn acquire(root: &Path) -> Result<HistoryLock, HistoryError> {
        std::fs::create_dir_all(root).map_err(HistoryError::io(root))?;
        let path = root.join(LOCK_FILE);
        let own = std::process::id();
        // A stale lock is removed and the creation tried again; a third collision means
        // another run keeps taking it, which is a live run.
        for _ in 0..3 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    file.write_all(format!("{own}\n").as_bytes())
                        .and_then(|()| file.sync_all())
                        .map_err(HistoryError::io(&path))?;
                    return Ok(HistoryLock { path });
                }
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    match text.trim().parse::<u32>() {
                        Ok(pid) if pid != own && !process_runs(pid) => {
                            // The holder is gone: its lock is stale.
                            match std::fs::remove_file(&path) {
                                Ok(()) => continue,
                                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                                    continue;
                                }
                                Err(source) => return Err(HistoryError::Io { path, source }),
                            }
                        }
                        Ok(pid) => {
                            return Err(HistoryError::Locked {
                                path,
                                pid: Some(pid),
                            });
                        }
                        // No process id: a run writing it right now, or one killed between
                        // creating the file and writing it, long ago.
                        Err(_) if is_abandoned(&path) => match std::fs::remove_file(&path) {
                            Ok(()) => continue,
                            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                                continue;
                            }
                            Err(source) => return Err(HistoryError::Io { path, source }),
                        },
                        Err(_) => return Err(HistoryError::Locked { path, pid: None }),
                    }
                }
                Err(source) => return Err(HistoryError::Io { path, source }),
            }
        }
        Err(HistoryError::Locked { path, pid: None })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// How long a lock without a process id may be in the middle of being written.
const UNWRITTEN_LOCK_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// A lock file without a process id, older than [`UNWRITTEN_LOCK_GRACE`].
fn is_abandoned(path: &Path) -> bool {
    std::fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok()
        .and_then(|modified| modified.elapsed().ok())
        .is_some_and(|age| age > UNWRITTEN_LOCK_GRACE)
}

impl Drop for HistoryLock {
    fn drop(&mut self) {
        // Best effort: a lock left behind is stale once this process is gone.
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A process id above Linux's largest (2^22), so never running.
    const GONE: u32 = 999_999_999;

    #[test]
    fn a_live_lock_refuses_and_a_stale_one_is_taken_over() {
        let root = tempfile::tempdir().expect("temp dir");
        let lock = HistoryLock::acquire(root.path()).expect("first");
        let error = HistoryLock::acquire(root.path()).expect_err("held");
        assert!(matches!(error, HistoryError::Locked { .. }), "{error}");
        drop(lock);
        assert!(!root.path().join(LOCK_FILE).exists());

        if Path::new("/proc/self").exists() {
            std::fs::write(root.path().join(LOCK_FILE), format!("{GONE}\n")).expect("stale");
            let lock = HistoryLock::acquire(root.path()).expect("stale lock taken over");
            let text = std::fs::read_to_string(lock.path()).expect("read");
            assert_eq!(text.trim(), std::process::id().to_string());
        }
    }

    #[test]
    fn a_lock_without_a_process_id_is_refused_until_it_is_old() {
        let root = tempfile::tempdir().expect("temp dir");
        let path = root.path().join(LOCK_FILE);
        std::fs::write(&path, "").expect("empty lock");
        let error = HistoryLock::acquire(root.path()).expect_err("being written");
        assert!(
            error.to_string().contains("the lock holds no process id"),
            "{error}"
        );
        let old = std::time::SystemTime::now() - 2 * UNWRITTEN_LOCK_GRACE;
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|file| file.set_modified(old))
            .expect("age the lock");
        HistoryLock::acquire(root.path()).expect("an abandoned lock is taken over");
    }
}
