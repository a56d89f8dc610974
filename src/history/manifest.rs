//! A month's `manifest.json` (`seatwise.history-month/1`): which tenant, as-of date, window
//! and currency the month's tables are about, which seatwise wrote them, the hashes of the
//! files they were built from, and the audit's summary, so `history list` and the checks on
//! a new month read one small file per month rather than the tables.

use super::{HistoryError, Month};
use crate::contract::findings::{FindingsSummary, InputFile};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const SCHEMA: &str = "seatwise.history-month/1";
pub const FILE_NAME: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthManifest {
    /// Always [`SCHEMA`].
    pub schema: String,
    pub month: Month,
    pub tenant_id: String,
    pub as_of: NaiveDate,
    pub window_days: u32,
    pub window_first_day: NaiveDate,
    /// The currency of every amount in the month's tables.
    pub currency: String,
    /// `seatwise <version>` that wrote the audit.
    pub audit_generator: String,
    /// `seatwise <version>` that recorded the month.
    pub recorded_by: String,
    /// The audit folder the month was recorded from, and the `sha256:` of its findings.json.
    pub audit_path: String,
    pub findings_sha256: String,
    /// The snapshot the audit read, as recorded in findings.json.
    pub snapshot_path: String,
    pub collected_at: Option<String>,
    /// The snapshot's files and their hashes; empty when the audit did not record them.
    pub inputs: Vec<InputFile>,
    /// The audit's summary (amounts rounded to cents, as findings.json has them).
    pub summary: FindingsSummary,
    /// What a reader of the month should know (a window that differs from the month before).
    pub warnings: Vec<String>,
}

impl MonthManifest {
    /// Reads the manifest of the month folder `dir`.
    pub fn read(dir: &Path) -> Result<MonthManifest, HistoryError> {
        let path = dir.join(FILE_NAME);
        let bytes = std::fs::read(&path).map_err(HistoryError::io(&path))?;
        let problem = |problem: String| HistoryError::Manifest {
            path: path.clone(),
            problem,
        };
        let schema =
            crate::contract::schema_of(&path, &bytes).map_err(|error| problem(error.problem))?;
        if schema.as_deref() != Some(SCHEMA) {
            return Err(problem(format!(
                "schema {}, expected {SCHEMA}",
                schema.map_or_else(|| "missing".to_string(), |found| format!("{found:?}"))
            )));
        }
        let manifest: MonthManifest =
            crate::contract::from_slice(&path, &bytes).map_err(|error| problem(error.problem))?;
        let folder_month = dir
            .file_name()
            .and_then(|name| Month::from_folder_name(&name.to_string_lossy()));
        if folder_month.is_some_and(|month| month != manifest.month) {
            return Err(problem(format!(
                "month: {} does not match its folder",
                manifest.month
            )));
        }
        Ok(manifest)
    }

    /// The SHA-256 of the month's `findings.json` alone, read without decoding the rest of
    /// the manifest (its inputs list is long): what the ages' lineage names.
    pub fn read_findings_sha256(dir: &Path) -> Result<String, HistoryError> {
        #[derive(Deserialize)]
        struct FindingsHash {
            findings_sha256: String,
        }
        let path = dir.join(FILE_NAME);
        let bytes = std::fs::read(&path).map_err(HistoryError::io(&path))?;
        let hash: FindingsHash =
            crate::contract::from_slice(&path, &bytes).map_err(|error| HistoryError::Manifest {
                path: path.clone(),
                problem: error.problem,
            })?;
        Ok(hash.findings_sha256)
    }

    pub fn to_json(&self) -> serde_json::Result<String> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text)
    }
}
