//! `findings.json` (schema `seatwise.findings/1`): the machine-readable audit that plans,
//! reports and monthly history consume.

use super::AuditReport;
use crate::analyze::{Finding, FindingKind};
use crate::ingest::timestamp::format_millis;
use serde::Serialize;
use serde_json::{Map, Value, json};

pub const SCHEMA: &str = "seatwise.findings/1";

#[derive(Serialize)]
struct FindingRecord<'a> {
    kind: &'static str,
    user_id: Option<&'a str>,
    user_principal_name: Option<&'a str>,
    department: Option<&'a str>,
    sku_part_number: &'a str,
    sku_id: &'a str,
    reason: Option<&'a str>,
    assigned_by: &'a [String],
    last_activity: Option<String>,
    last_premium_use: Option<String>,
    premium_apps_used: Option<u32>,
    seats: Option<i64>,
    monthly_amount: serde_json::Number,
    note: Option<&'a str>,
}

impl<'a> From<&'a Finding> for FindingRecord<'a> {
    fn from(finding: &'a Finding) -> Self {
        FindingRecord {
            kind: finding.kind.as_str(),
            user_id: finding.user_id.as_deref(),
            user_principal_name: finding.user_principal_name.as_deref(),
            department: finding.department.as_deref(),
            sku_part_number: &finding.sku_part_number,
            sku_id: &finding.sku_id,
            reason: finding.reason.as_deref(),
            assigned_by: &finding.assigned_by,
            last_activity: finding.last_activity.map(format_millis),
            last_premium_use: finding.last_premium_use.map(format_millis),
            premium_apps_used: finding.premium_apps_used,
            seats: finding.seats,
            monthly_amount: finding.monthly_amount.to_json_number(),
            note: finding.note.as_deref(),
        }
    }
}

/// The document: the summary part, then the findings, streamed without an intermediate tree.
#[derive(Serialize)]
struct Document<'a> {
    #[serde(flatten)]
    header: Map<String, Value>,
    findings: Vec<FindingRecord<'a>>,
}

/// Writes the whole document to `writer`.
pub fn write(report: &AuditReport, writer: impl std::io::Write) -> serde_json::Result<()> {
    let analysis = report.analysis;
    let summary = &analysis.summary;
    let snapshot = report.snapshot;
    let counts: Map<String, Value> = FindingKind::ALL
        .iter()
        .map(|kind| {
            let count = summary.by_kind.get(kind).map_or(0, |total| total.count);
            (kind.as_str().to_string(), json!(count))
        })
        .collect();
    let amounts: Map<String, Value> = FindingKind::ALL
        .iter()
        .map(|kind| {
            let amount = summary
                .by_kind
                .get(kind)
                .map(|total| total.monthly_amount)
                .unwrap_or_default();
            (
                kind.as_str().to_string(),
                Value::Number(amount.to_json_number()),
            )
        })
        .collect();
    let document = json!({
        "schema": SCHEMA,
        "as_of": analysis.window.as_of.to_string(),
        "as_of_source": report.as_of_source.as_str(),
        "window_days": analysis.window.days,
        "window_first_day": analysis.window.first_day().to_string(),
        "currency": analysis.currency,
        "generator": format!("seatwise {}", env!("CARGO_PKG_VERSION")),
        "snapshot": {
            "path": snapshot.dir.display().to_string(),
            "tenant_id": snapshot.metadata.tenant_id,
            "collected_at": snapshot.metadata.collected_at.map(format_millis),
            "source": snapshot.metadata.source,
        },
        "price_book": analysis.price_book,
        "summary": {
            "users": summary.users,
            "licensed_users": summary.licensed_users,
            "findings": counts,
            "monthly_amounts": amounts,
            "monthly_cost": Value::Number(summary.monthly_cost.to_json_number()),
            "monthly_savings": Value::Number(summary.monthly_savings.to_json_number()),
            "monthly_cost_to_comply": Value::Number(summary.monthly_cost_to_comply.to_json_number()),
        },
        "data_quality": {
            "ingest": snapshot.quality,
            "analysis": analysis.quality,
        },
    });
    let header = match document {
        Value::Object(header) => header,
        _ => Map::new(),
    };
    let document = Document {
        header,
        findings: analysis.findings.iter().map(FindingRecord::from).collect(),
    };
    serde_json::to_writer_pretty(writer, &document)
}
