//! Rebuilds the report model from an audit folder: `findings.json` for the findings, the
//! audit's dates and its data-quality notes, and the typed tables for everything else. The
//! snapshot is not read again (SPEC §4), so a report of last month's audit shows last month.

use super::model::{AuditContext, DataQuality, ReportModel, ReportOptions};
use super::tables::{AuditTables, TablesError};
use crate::analyze::quality::AnalysisQuality;
use crate::analyze::{AuditWindow, Finding, FindingKind};
use crate::catalogue::price_book::PriceBookOrigin;
use crate::ingest::timestamp::parse_optional_timestamp;
use crate::model::IngestQuality;
use crate::money::Money;
use crate::output::AsOfSource;
use chrono::NaiveDate;
use polars::prelude::PolarsError;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::path::{Path, PathBuf};

pub const FINDINGS_FILE: &str = "findings.json";

#[derive(Debug, thiserror::Error)]
pub enum AuditFolderError {
    #[error("{}: cannot read: {source}\nhint: give the folder `seatwise audit --out` wrote", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a seatwise findings document: {problem}\nhint: run `seatwise audit` again to rewrite the audit folder", path.display())]
    Findings { path: PathBuf, problem: String },
    #[error(transparent)]
    Tables(#[from] TablesError),
    #[error("{}: the report could not be computed: {source}", path.display())]
    Engine {
        path: PathBuf,
        #[source]
        source: PolarsError,
    },
}

/// The parts of `findings.json` a report reads.
#[derive(Deserialize)]
struct FindingsDocument {
    schema: String,
    as_of: NaiveDate,
    as_of_source: String,
    window_days: u32,
    currency: String,
    snapshot: SnapshotRecord,
    price_book: PriceBookOrigin,
    data_quality: DataQualityRecord,
    findings: Vec<FindingRecord>,
}

#[derive(Deserialize)]
struct SnapshotRecord {
    path: String,
    tenant_id: Option<String>,
    collected_at: Option<String>,
}

#[derive(Deserialize)]
struct DataQualityRecord {
    ingest: IngestQuality,
    analysis: AnalysisQuality,
}

#[derive(Deserialize)]
struct FindingRecord {
    kind: String,
    user_id: Option<String>,
    user_principal_name: Option<String>,
    department: Option<String>,
    sku_part_number: String,
    sku_id: String,
    reason: Option<String>,
    #[serde(default)]
    assigned_by: Vec<String>,
    last_activity: Option<String>,
    last_premium_use: Option<String>,
    premium_apps_used: Option<u32>,
    seats: Option<i64>,
    /// Read from its decimal text, so no binary float stands between the file and the money.
    monthly_amount: Box<RawValue>,
    note: Option<String>,
}

impl FindingRecord {
    fn into_finding(self, index: usize) -> Result<Finding, String> {
        let at = |text: Option<String>, field: &str| -> Result<Option<i64>, String> {
            match text {
                Some(text) => parse_optional_timestamp(&text)
                    .map_err(|problem| format!("finding {index}: {field}: {problem}")),
                None => Ok(None),
            }
        };
        let kind = FindingKind::parse(&self.kind)
            .ok_or_else(|| format!("finding {index}: unknown kind {:?}", self.kind))?;
        let amount_text = self.monthly_amount.get().trim().trim_matches('"');
        let monthly_amount = Money::parse(amount_text)
            .map_err(|problem| format!("finding {index}: monthly_amount: {problem}"))?;
        Ok(Finding {
            kind,
            user_id: self.user_id,
            user_principal_name: self.user_principal_name,
            department: self.department,
            sku_part_number: self.sku_part_number,
            sku_id: self.sku_id,
            reason: self.reason,
            assigned_by: self.assigned_by,
            last_activity: at(self.last_activity, "last_activity")?,
            last_premium_use: at(self.last_premium_use, "last_premium_use")?,
            premium_apps_used: self.premium_apps_used,
            seats: self.seats,
            monthly_amount,
            note: self.note,
        })
    }
}

/// The audit's context, findings and data-quality notes, from `findings.json`.
pub struct AuditFindings {
    pub context: AuditContext,
    pub findings: Vec<Finding>,
    pub quality: DataQuality,
}

/// Reads `findings.json` of the audit folder `dir`.
pub fn read_findings(dir: &Path) -> Result<AuditFindings, AuditFolderError> {
    let path = dir.join(FINDINGS_FILE);
    let bytes = std::fs::read(&path).map_err(|source| AuditFolderError::Io {
        path: path.clone(),
        source,
    })?;
    let problem = |problem: String| AuditFolderError::Findings {
        path: path.clone(),
        problem,
    };
    let document: FindingsDocument =
        serde_json::from_slice(&bytes).map_err(|error| problem(error.to_string()))?;
    if !document.schema.starts_with("seatwise.findings/") {
        return Err(problem(format!("schema {:?}", document.schema)));
    }
    let as_of_source = AsOfSource::parse(&document.as_of_source)
        .ok_or_else(|| problem(format!("as_of_source {:?}", document.as_of_source)))?;
    let collected_at = match document.snapshot.collected_at {
        Some(text) => parse_optional_timestamp(&text)
            .map_err(|error| problem(format!("snapshot.collected_at: {error}")))?,
        None => None,
    };
    let findings = document
        .findings
        .into_iter()
        .enumerate()
        .map(|(index, record)| record.into_finding(index))
        .collect::<Result<Vec<Finding>, String>>()
        .map_err(problem)?;
    Ok(AuditFindings {
        context: AuditContext {
            window: AuditWindow {
                as_of: document.as_of,
                days: document.window_days,
            },
            as_of_source,
            currency: document.currency,
            snapshot_path: document.snapshot.path,
            tenant_id: document.snapshot.tenant_id,
            collected_at,
            price_book: document.price_book,
        },
        findings,
        quality: DataQuality::new(document.data_quality.ingest, document.data_quality.analysis),
    })
}

impl ReportModel {
    /// The model of the audit folder `dir`, from its findings and tables alone.
    pub fn from_audit_folder(
        dir: &Path,
        options: &ReportOptions,
    ) -> Result<ReportModel, AuditFolderError> {
        let audit = read_findings(dir)?;
        let tables = AuditTables::read(dir)?;
        ReportModel::build(
            audit.context,
            &audit.findings,
            &tables,
            audit.quality,
            options,
        )
        .map_err(|source| AuditFolderError::Engine {
            path: dir.to_path_buf(),
            source,
        })
    }
}
