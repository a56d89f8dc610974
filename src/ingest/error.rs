//! Errors of reading a snapshot, and the lenient mode's record of what it skipped.
//!
//! Every rejection names the file, the place in it (line or record) and the field, so an admin
//! can open the export and fix it. In strict mode the first rejection stops ingestion; with
//! `--lenient` the offending row is skipped and counted in the data-quality section instead.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a file a problem sits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// A malformed row or record, in strict mode: `--lenient` would skip and count it.
    #[error("{0}\nhint: fix the record, or pass --lenient to skip malformed rows and count them")]
    Malformed(Rejection),
    /// A file that cannot be read as a whole (broken document, missing column, bad encoding):
    /// `--lenient` cannot help, so it is not suggested.
    #[error("{0}\nhint: fix or re-export the file")]
    Unreadable(Rejection),
    #[error(
        "{}: not a snapshot: {missing} is missing\nhint: a snapshot folder holds subscribedSkus.json and users.json (or users.jsonl, or users/*.json); see the README",
        dir.display()
    )]
    NotASnapshot { dir: PathBuf, missing: String },
    #[error(
        "{}: --lenient skipped {rejected} of {records} {collection} records ({percent}), more than the {limit} % it may skip\nhint: an export this damaged cannot be trusted; fix or re-export it (the first rejection: {first})",
        source_path.display(),
        percent = share_text(*rejected, *records),
        limit = LENIENT_LIMIT_PERCENT
    )]
    TooManyRejected {
        source_path: PathBuf,
        collection: String,
        rejected: usize,
        records: usize,
        first: Box<Rejection>,
    },
    #[error(
        "{} and {}: two sources for {what}\nhint: keep one of them in the snapshot folder",
        first.display(),
        second.display()
    )]
    TwoSources {
        first: PathBuf,
        second: PathBuf,
        what: String,
    },
    #[error("{}: {problem}", path.display())]
    NotAFile { path: PathBuf, problem: String },
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

    /// True for a failure of seatwise itself rather than of the input.
    pub fn is_internal(&self) -> bool {
        matches!(self, IngestError::Frame { .. })
    }

    pub fn io(path: &Path, source: std::io::Error) -> Self {
        IngestError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The share of a required collection's records `--lenient` may skip: beyond it (or when it
/// would skip every record) the export is refused rather than reported as a smaller tenant.
pub const LENIENT_LIMIT_PERCENT: usize = 5;

fn share_text(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "all".to_string();
    }
    let tenths = part.saturating_mul(1000) / whole;
    format!("{}.{} %", tenths / 10, tenths % 10)
}

/// Refuses a required collection when `--lenient` skipped every record, or more than
/// [`LENIENT_LIMIT_PERCENT`] of them.
pub fn check_lenient_limit(
    source_path: &Path,
    collection: &str,
    records: usize,
    rejected: &[Rejection],
) -> Result<(), IngestError> {
    let Some(first) = rejected.first() else {
        return Ok(());
    };
    let over_limit = rejected.len() >= records
        || rejected.len().saturating_mul(100) > records.saturating_mul(LENIENT_LIMIT_PERCENT);
    if over_limit {
        return Err(IngestError::TooManyRejected {
            source_path: source_path.to_path_buf(),
            collection: collection.to_string(),
            rejected: rejected.len(),
            records,
            first: Box::new(first.clone()),
        });
    }
    Ok(())
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

    /// How many rejections were recorded.
    pub fn len(&self) -> usize {
        self.rejections.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rejections.is_empty()
    }

    pub fn strictness(&self) -> Strictness {
        self.strictness
    }

    pub fn absorb(&mut self, other: RejectionLog) {
        self.rejections.extend(other.rejections);
    }

    pub fn rejections(&self) -> &[Rejection] {
        &self.rejections
    }

    pub fn into_rejections(self) -> Vec<Rejection> {
        self.rejections
    }
}

/// An id that must be a GUID (object, SKU and group ids), lower-cased; anything else is a
/// rejection naming the field.
pub fn guid_field(
    file: &Path,
    location: &Location,
    field: &str,
    text: &str,
) -> Result<String, Rejection> {
    crate::model::guid::require_guid(text)
        .map_err(|problem| rejection(file, location.clone(), field, problem))
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
