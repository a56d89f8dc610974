//! Errors of reading a snapshot, and the lenient mode's record of what it skipped.
//!
//! Every rejection names the file, the place in it (line or record) and the field, so an admin
//! can open the export and fix it. In strict mode the first rejection stops ingestion; with
//! `--lenient` the offending row is skipped and counted in the data-quality section instead.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a file a problem sits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "unit", content = "number", rename_all = "lowercase")]
pub enum Location {
    /// A line of a text file (1-based), as an editor shows it.
    Line(u64),
    /// The n-th record (1-based) of a JSON array or Graph page.
    Record(u64),
    /// The file as a whole.
    File,
}

impl fmt::Display for Location {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(line) => write!(formatter, "line {line}"),
            Location::Record(record) => write!(formatter, "record {record}"),
            Location::File => formatter.write_str("whole file"),
        }
    }
}

/// One malformed row or record: what `--lenient` skips and strict mode refuses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    pub file: PathBuf,
    pub location: Location,
    pub field: String,
    pub problem: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{}: {}: field `{}`: {}",
            self.file.display(),
            self.location,
            self.field,
            self.problem
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}\nhint: fix the record, or pass --lenient to skip malformed rows and count them")]
    Malformed(Rejection),
    #[error(
        "{}: not a snapshot: {missing} is missing\nhint: a snapshot folder holds subscribedSkus.json and users.json (or users.jsonl, or users/*.json); see the README",
        dir.display()
    )]
    NotASnapshot { dir: PathBuf, missing: String },
    #[error("{}: required file is missing: {what}", path.display())]
    MissingFile { path: PathBuf, what: String },
    #[error("{}: building the frame failed: {message}", path.display())]
    Frame { path: PathBuf, message: String },
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl IngestError {
    /// A failure of Polars itself while building a frame: not the input's fault, but it
    /// still names the file being read.
    pub fn frame(path: &Path, error: polars::error::PolarsError) -> Self {
        IngestError::Frame {
            path: path.to_path_buf(),
            message: error.to_string(),
        }
    }

    pub fn io(path: &Path, source: std::io::Error) -> Self {
        IngestError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Whether malformed rows stop ingestion or are skipped and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strictness {
    #[default]
    Strict,
    Lenient,
}

/// Collects rejections of one file (or one stage) under the chosen strictness.
#[derive(Debug, Default)]
pub struct RejectionLog {
    strictness: Strictness,
    rejections: Vec<Rejection>,
}

impl RejectionLog {
    pub fn new(strictness: Strictness) -> Self {
        RejectionLog {
            strictness,
            rejections: Vec::new(),
        }
    }

    /// Records a rejection; in strict mode it becomes the error that stops ingestion.
    pub fn reject(&mut self, rejection: Rejection) -> Result<(), IngestError> {
        match self.strictness {
            Strictness::Strict => Err(IngestError::Malformed(rejection)),
            Strictness::Lenient => {
                self.rejections.push(rejection);
                Ok(())
            }
        }
    }

    pub fn strictness(&self) -> Strictness {
        self.strictness
    }

    pub fn absorb(&mut self, other: RejectionLog) {
        self.rejections.extend(other.rejections);
    }

    pub fn into_rejections(self) -> Vec<Rejection> {
        self.rejections
    }
}

/// Shorthand for building a rejection.
pub fn rejection(
    file: &Path,
    location: Location,
    field: impl Into<String>,
    problem: impl Into<String>,
) -> Rejection {
    Rejection {
        file: file.to_path_buf(),
        location,
        field: field.into(),
        problem: problem.into(),
    }
}
