//! `findings.json` (schema `seatwise.findings/1`): the machine-readable audit that plans,
//! reports and monthly history consume. The document is [`FindingsDocument`], the one type
//! its readers use too; this module fills it from an analysis.

use super::AuditReport;
use crate::analyze::{Finding, FindingKind};
use crate::contract::findings::{
    self, DataQuality, FindingRecord, FindingsDocument, FindingsSummary, SCHEMA, SnapshotOrigin,
};
use crate::money::Money;
use crate::support::timestamp::format_millis;

impl From<&Finding> for FindingRecord {
    /// The finding as written: amounts rounded to cents (SPEC §3), times as text.
    fn from(finding: &Finding) -> Self {
        FindingRecord {
            kind: finding.kind,
            user_id: finding.user_id.clone(),
            user_principal_name: finding.user_principal_name.clone(),
            department: finding.department.clone(),
            sku_part_number: finding.sku_part_number.clone(),
            sku_id: finding.sku_id.clone(),
            reason: finding.reason.clone(),
            assigned_by: finding.assigned_by.clone(),
            last_activity: finding.last_activity.map(format_millis),
            last_premium_use: finding.last_premium_use.map(format_millis),
            premium_apps_used: finding.premium_apps_used,
            seats: finding.seats,
            monthly_amount: finding.monthly_amount.rounded_to_cents(),
            note: finding.note.clone(),
            reducible_on: finding.timing.map(|timing| timing.reducible_on),
            reassignable_now: finding.timing.map(|timing| timing.reassignable_now),
            covered_by: finding.covered_by.clone(),
            current_monthly_cost: finding.current_monthly_cost.map(Money::rounded_to_cents),
            cheapest_part_number: finding.cheapest_part_number.clone(),
            cheapest_monthly_cost: finding.cheapest_monthly_cost.map(Money::rounded_to_cents),
            whole_months: finding.whole_months,
        }
    }
}

/// The document for `report`.
pub fn document(report: &AuditReport) -> FindingsDocument {
    let analysis = report.analysis;
    let summary = &analysis.summary;
    let snapshot = report.snapshot;
    let total = |kind: &FindingKind| summary.by_kind.get(kind).cloned().unwrap_or_default();
    FindingsDocument {
        schema: SCHEMA.to_string(),
        as_of: analysis.window.as_of,
        as_of_source: report.as_of_source,
        window_days: analysis.window.days,
        window_first_day: analysis.window.first_day(),
        currency: analysis.currency.clone(),
        generator: format!("seatwise {}", env!("CARGO_PKG_VERSION")),
        snapshot: SnapshotOrigin {
            path: snapshot.dir.display().to_string(),
            tenant_id: snapshot.metadata.tenant_id.clone(),
            collected_at: snapshot.metadata.collected_at.map(format_millis),
            source: snapshot.metadata.source.clone(),
            inputs: report.inputs.to_vec(),
        },
        price_book: analysis.price_book.clone(),
        summary: FindingsSummary {
            users: summary.users,
            licensed_users: summary.licensed_users,
            findings: FindingKind::ALL
                .iter()
                .map(|kind| (*kind, total(kind).count))
                .collect(),
            monthly_amounts: FindingKind::ALL
                .iter()
                .map(|kind| (*kind, total(kind).monthly_amount.rounded_to_cents()))
                .collect(),
            monthly_cost: summary.monthly_cost.rounded_to_cents(),
            monthly_savings: summary.monthly_savings.rounded_to_cents(),
            monthly_cost_to_comply: summary.monthly_cost_to_comply.rounded_to_cents(),
            monthly_savings_reassignable_now: summary
                .monthly_savings_reassignable_now
                .rounded_to_cents(),
        },
        data_quality: Some(DataQuality {
            ingest: snapshot.quality.clone(),
            analysis: analysis.quality.clone(),
        }),
        renewals: analysis.renewals.clone(),
        license_mix: analysis
            .license_mix
            .as_ref()
            .map(|mix| mix.rounded_to_cents()),
        findings: analysis.findings.iter().map(FindingRecord::from).collect(),
    }
}

/// Writes the whole document to `writer`.
pub fn write(report: &AuditReport, writer: impl std::io::Write) -> serde_json::Result<()> {
    findings::write(&document(report), writer)
}
