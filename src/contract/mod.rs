//! The files one stage writes and another reads, each as the one Rust type both sides use.
//!
//! `findings.json` is written by `audit` and read by the planners; `plan.json` is written by
//! the planners (and by `apply`, for the rollback plan) and read by `approve`, `apply` and
//! `rollback`. A writer and its readers can no longer disagree about a field: there is one
//! struct, kinds and reasons are enums, and money is [`crate::money::Money`], written and
//! read as exact decimal JSON numbers that never pass through a binary float.

pub mod findings;
pub mod manifest;
pub mod plan;

use std::path::{Path, PathBuf};

/// A JSON document that could not be read as its contract type.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct ParseError {
    pub path: PathBuf,
    /// What is wrong, naming the field (`findings[3].monthly_amount`), line and column.
    pub problem: String,
}

/// Reads `bytes` (the file at `path`) as `T`, naming the failing field on error.
pub fn from_slice<T: serde::de::DeserializeOwned>(
    path: &Path,
    bytes: &[u8],
) -> Result<T, ParseError> {
    let problem = |problem: String| ParseError {
        path: path.to_path_buf(),
        problem,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| problem(error.to_string()))?;
    deserializer
        .end()
        .map_err(|error| problem(error.to_string()))?;
    Ok(value)
}

/// The `schema` a JSON document declares, read before the rest so an old or foreign file is
/// refused by name rather than by its first unexpected field.
pub fn schema_of(path: &Path, bytes: &[u8]) -> Result<Option<String>, ParseError> {
    #[derive(serde::Deserialize)]
    struct Head {
        schema: Option<String>,
    }
    from_slice::<Head>(path, bytes).map(|head| head.schema)
}
