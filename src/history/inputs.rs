//! The files an audit was made from, hashed: history records what each month's figures came
//! from, so a month can be traced to (and checked against) the exports it was built on.

use crate::contract::findings::InputFile;
use crate::support::digest::{DigestingReader, FileDigest};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A file of the snapshot that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot hash the snapshot file: {source}", path.display())]
pub struct InputsError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// The SHA-256 and size of every regular file under the snapshot folder `dir` (hidden
/// entries skipped), by `/`-separated path relative to it, sorted by path. Files the reader
/// already digested as it read them (`read`, by path) are not read again.
pub fn hash_snapshot(
    dir: &Path,
    read: &BTreeMap<PathBuf, FileDigest>,
) -> Result<Vec<InputFile>, InputsError> {
    let mut paths = Vec::new();
    collect(dir, "", &mut paths)?;
    // Whatever is left can still be large: the files are hashed side by side.
    let mut files = paths
        .into_par_iter()
        .map(|(path, relative)| {
            let digest = match read.get(&path).cloned() {
                Some(digest) => digest,
                None => hash_file(&path).map_err(|source| InputsError {
                    path: path.clone(),
                    source,
                })?,
            };
            Ok(InputFile {
                path: relative,
                bytes: digest.bytes,
                sha256: digest.sha256,
            })
        })
        .collect::<Result<Vec<InputFile>, InputsError>>()?;
    files.sort_by(|left, right| left.path.cmp(&right.path));
    Ok(files)
}

/// Every regular file under `dir` (hidden entries skipped) with its relative path.
fn collect(
    dir: &Path,
    prefix: &str,
    files: &mut Vec<(PathBuf, String)>,
) -> Result<(), InputsError> {
    let error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| InputsError { path, source }
    };
    for entry in std::fs::read_dir(dir).map_err(error(dir))? {
        let entry = entry.map_err(error(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let relative = format!("{prefix}{name}");
        let metadata = std::fs::metadata(&path).map_err(error(&path))?;
        if metadata.is_dir() {
            collect(&path, &format!("{relative}/"), files)?;
        } else if metadata.is_file() {
            files.push((path, relative));
        }
    }
    Ok(())
}

fn hash_file(path: &Path) -> std::io::Result<FileDigest> {
    DigestingReader::new(std::fs::File::open(path)?).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_hashed_by_relative_path() {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(root.path().join("audit")).expect("mkdir");
        std::fs::write(root.path().join("users.json"), "abc").expect("write");
        std::fs::write(root.path().join("audit/a.csv"), "").expect("write");
        std::fs::write(root.path().join(".hidden"), "x").expect("write");
        let files = hash_snapshot(root.path(), &BTreeMap::new()).expect("hash");
        let paths: Vec<&str> = files.iter().map(|file| file.path.as_str()).collect();
        assert_eq!(paths, ["audit/a.csv", "users.json"]);
        assert_eq!(
            files[1].sha256,
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(files[1].bytes, 3);
    }
}
