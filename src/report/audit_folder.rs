//! Rebuilds the report model from an audit folder: the typed tables (the findings among
//! them, with exact amounts) and, from `findings.json`, the audit's dates, currency, snapshot
//! and data-quality notes. The snapshot is not read again (SPEC §4), so a report of last
//! month's audit shows last month.

use super::model::{AuditContext, DataQuality, ReportModel, ReportOptions};
use super::tables::{AuditTables, TablesError};
use crate::analyze::AuditWindow;
use crate::analyze::quality::AnalysisQuality;
use crate::contract::findings::{self, ReadError};
use crate::model::IngestQuality;
use crate::support::timestamp::parse_optional_timestamp;
use polars::prelude::PolarsError;
use std::path::{Path, PathBuf};

pub const FINDINGS_FILE: &str = "findings.json";

#[derive(Debug, thiserror::Error)]
pub enum AuditFolderError {
    #[error(transparent)]
    Findings(#[from] ReadError),
    #[error(
        "{}: {problem}\nhint: run `seatwise audit` again to rewrite the audit folder",
        path.display()
    )]
    Incomplete { path: PathBuf, problem: String },
    #[error(transparent)]
    Tables(#[from] TablesError),
    #[error("{}: the report could not be computed: {source}", path.display())]
    Engine {
        path: PathBuf,
        #[source]
        source: PolarsError,
    },
}

/// `findings.json`'s data-quality notes, which the findings contract does not read back.
#[derive(serde::Deserialize)]
struct QualityPart {
    data_quality: Option<QualityRecord>,
}

#[derive(serde::Deserialize)]
struct QualityRecord {
    ingest: IngestQuality,
    analysis: AnalysisQuality,
}

/// The audit's context and data-quality notes, from `findings.json` of the folder `dir`.
pub fn read_context(dir: &Path) -> Result<(AuditContext, DataQuality), AuditFolderError> {
    let path = dir.join(FINDINGS_FILE);
    let (document, _) = findings::read(&path)?;
    let incomplete = |problem: String| AuditFolderError::Incomplete {
        path: path.clone(),
        problem,
    };
    let bytes = std::fs::read(&path).map_err(|source| ReadError::Io {
        path: path.clone(),
        source,
    })?;
    let quality = serde_json::from_slice::<QualityPart>(&bytes)
        .map_err(|error| incomplete(format!("data_quality: {error}")))?
        .data_quality
        .ok_or_else(|| incomplete("data_quality is missing".to_string()))?;
    let collected_at = match &document.snapshot.collected_at {
        Some(text) => parse_optional_timestamp(text)
            .map_err(|error| incomplete(format!("snapshot.collected_at: {error}")))?,
        None => None,
    };
    let context = AuditContext {
        window: AuditWindow {
            as_of: document.as_of,
            days: document.window_days,
        },
        as_of_source: document.as_of_source,
        currency: document.currency,
        snapshot_path: document.snapshot.path,
        tenant_id: document.snapshot.tenant_id,
        collected_at,
        snapshot_source: document.snapshot.source,
        price_book: document.price_book,
        generator: document.generator,
        renewals: document.renewals,
        license_mix: document.license_mix,
    };
    Ok((context, DataQuality::new(quality.ingest, quality.analysis)))
}

impl ReportModel {
    /// The model of the audit folder `dir`, from its tables and `findings.json` alone.
    pub fn from_audit_folder(
        dir: &Path,
        options: &ReportOptions,
    ) -> Result<ReportModel, AuditFolderError> {
        let (context, quality) = read_context(dir)?;
        let tables = AuditTables::read(dir)?;
        ReportModel::build(context, &tables, quality, options).map_err(|source| {
            AuditFolderError::Engine {
                path: dir.to_path_buf(),
                source,
            }
        })
    }
}
