//! Writing the snapshot folder safely: staging, buffered files, errors that name the path.
//!
//! A snapshot that is half written must never look complete, so the generator writes everything
//! into a hidden sibling directory and renames it into place only after the last file is flushed;
//! if anything fails, the staging directory is removed. The small file helpers here exist so that
//! every I/O, JSON and CSV error carries the path it happened on.

use crate::support::folder::{FolderError, StagedFolder};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::GenerateError;

/// Buffer size for output files (large files are written sequentially).
const BUFFER_BYTES: usize = 1 << 20;

/// Maps an I/O error to a [`GenerateError`] naming `path`.
pub fn io_error(path: &Path) -> impl FnOnce(io::Error) -> GenerateError + '_ {
    move |source| GenerateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates a directory (and its parents).
pub fn create_dir(path: &Path) -> Result<(), GenerateError> {
    fs::create_dir_all(path).map_err(io_error(path))
}

/// A buffered output file that remembers its path.
pub struct TextFile {
    path: PathBuf,
    writer: BufWriter<File>,
}

impl TextFile {
    /// Creates (truncates) the file.
    pub fn create(path: &Path) -> Result<Self, GenerateError> {
        let file = File::create(path).map_err(io_error(path))?;
        Ok(Self {
            path: path.to_path_buf(),
            writer: BufWriter::with_capacity(BUFFER_BYTES, file),
        })
    }

    /// Appends text.
    pub fn write_str(&mut self, text: &str) -> Result<(), GenerateError> {
        self.writer
            .write_all(text.as_bytes())
            .map_err(io_error(&self.path))
    }

    /// Serialises `value` as compact JSON.
    pub fn write_json<T: Serialize>(&mut self, value: &T) -> Result<(), GenerateError> {
        serde_json::to_writer(&mut self.writer, value).map_err(|source| GenerateError::Json {
            path: self.path.clone(),
            source,
        })
    }

    /// Flushes the file; dropping without `finish` may lose buffered data.
    pub fn finish(mut self) -> Result<(), GenerateError> {
        self.writer.flush().map_err(io_error(&self.path))
    }
}

/// Writes `value` as indented JSON (a trailing newline included).
pub fn write_pretty_json<T: Serialize>(path: &Path, value: &T) -> Result<(), GenerateError> {
    let mut file = TextFile::create(path)?;
    serde_json::to_writer_pretty(&mut file.writer, value).map_err(|source| {
        GenerateError::Json {
            path: path.to_path_buf(),
            source,
        }
    })?;
    file.write_str("\n")?;
    file.finish()
}

/// A CSV file in PowerShell `Export-Csv` style: every field quoted, CRLF line ends.
pub struct CsvFile {
    path: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
}

impl CsvFile {
    /// Creates (truncates) the file.
    pub fn create_quoted(path: &Path) -> Result<Self, GenerateError> {
        let file = File::create(path).map_err(io_error(path))?;
        let writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .terminator(csv::Terminator::CRLF)
            .from_writer(BufWriter::with_capacity(BUFFER_BYTES, file));
        Ok(Self {
            path: path.to_path_buf(),
            writer,
        })
    }

    /// Writes one record.
    pub fn write_record<'a>(
        &mut self,
        record: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), GenerateError> {
        self.writer
            .write_record(record)
            .map_err(|source| GenerateError::Csv {
                path: self.path.clone(),
                source,
            })
    }

    /// Flushes the file.
    pub fn finish(mut self) -> Result<(), GenerateError> {
        self.writer.flush().map_err(io_error(&self.path))
    }
}

/// The snapshot folder being written: `target` must be absent or an empty directory, so a
/// generated tenant never replaces anything; the writing itself is a [`StagedFolder`].
pub struct Staging {
    folder: StagedFolder,
}

impl Staging {
    /// Checks that `target` is absent or an empty directory and creates the staging directory.
    pub fn begin(target: &Path) -> Result<Self, GenerateError> {
        match fs::metadata(target) {
            Ok(metadata) if !metadata.is_dir() => {
                return Err(GenerateError::OutputNotEmpty {
                    path: target.to_path_buf(),
                });
            }
            Ok(_) => {
                let mut entries = fs::read_dir(target).map_err(io_error(target))?;
                if entries.next().is_some() {
                    return Err(GenerateError::OutputNotEmpty {
                        path: target.to_path_buf(),
                    });
                }
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(io_error(target)(error)),
        }
        if target.file_name().is_none() {
            return Err(GenerateError::InvalidOutput {
                path: target.to_path_buf(),
            });
        }
        let folder = StagedFolder::begin(target).map_err(folder_error)?;
        Ok(Self { folder })
    }

    /// The directory to write into.
    pub fn path(&self) -> &Path {
        self.folder.path()
    }

    /// Moves the staged snapshot to its final place.
    pub fn commit(self) -> Result<(), GenerateError> {
        self.folder.commit().map_err(folder_error)
    }
}

fn folder_error(error: FolderError) -> GenerateError {
    GenerateError::Io {
        path: error.path,
        source: error.source,
    }
}
