//! `findings.json` (schema `seatwise.findings/1`, SPEC §4): the audit as one type, written by
//! [`crate::output::findings_json`] and read by the planners (`plan reclaim`,
//! `plan assign --on-demand`) and anything else that consumes an audit.
//!
//! The schema only grows: a field may be added, never renamed or retyped. Amounts are
//! [`Money`], rounded to cents when the audit is written (SPEC §3), and read back exactly.
//! `data_quality` is written for people and history; readers that act on findings do not
//! need it, so it is not read back.

use super::{ParseError, from_slice, schema_of};
pub use crate::analyze::timing::{ReducibleOn, RenewalCalendar, RenewalCut};
use crate::analyze::{AnalysisQuality, CoveringLicense, FindingKind, FindingReason, LicenseMix};
use crate::catalogue::price_book::PriceBookOrigin;
use crate::model::IngestQuality;
use crate::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const SCHEMA: &str = "seatwise.findings/1";

/// How the as-of date was chosen; the audit states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AsOfSource {
    CommandLine,
    #[serde(rename = "snapshot")]
    SnapshotCollectedAt,
    Today,
}

impl AsOfSource {
    pub fn describe(self) -> &'static str {
        match self {
            AsOfSource::CommandLine => "given with --as-of",
            AsOfSource::SnapshotCollectedAt => "the snapshot's collectedAt date",
            AsOfSource::Today => "today (UTC); the snapshot has no collectedAt",
        }
    }
}

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingsDocument {
    /// Always [`SCHEMA`]; [`read`] refuses anything else.
    pub schema: String,
    pub as_of: NaiveDate,
    pub as_of_source: AsOfSource,
    pub window_days: u32,
    pub window_first_day: NaiveDate,
    /// The price book's currency, which every amount is in.
    pub currency: String,
    /// `seatwise <version>` that wrote the audit.
    pub generator: String,
    pub snapshot: SnapshotOrigin,
    pub price_book: PriceBookOrigin,
    pub summary: FindingsSummary,
    /// Written, not read back (readers get `None`).
    #[serde(default, skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub data_quality: Option<DataQuality>,
    /// When the savings' seats can drop, per subscription (SPEC §8). Absent from audits
    /// written before it existed, which read as "subscriptions unknown".
    #[serde(default)]
    pub renewals: RenewalCalendar,
    /// The tenant's Power Apps license mix (SPEC §8); absent without usage evidence, and in
    /// audits written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_mix: Option<LicenseMix>,
    /// Sorted by kind, then user principal name, then SKU part number.
    pub findings: Vec<FindingRecord>,
}

/// The snapshot the audit was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotOrigin {
    /// The snapshot folder, as given to `audit` (plans read the tenant from it).
    pub path: String,
    pub tenant_id: Option<String>,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub collected_at: Option<String>,
    pub source: Option<String>,
    /// Every file of the snapshot with its SHA-256, so history can tell what a month was
    /// built from. Empty (and not written) for audits made before it was recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<InputFile>,
}

/// One file of a snapshot, as the audit read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// Relative to the snapshot folder, `/`-separated.
    pub path: String,
    pub bytes: u64,
    /// `sha256:<hex>` of the file's bytes.
    pub sha256: String,
}

/// The summary numbers of SPEC §4, computed once by the analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingsSummary {
    /// User records.
    pub users: usize,
    /// Users holding any SKU.
    pub licensed_users: usize,
    /// Findings per kind, every kind present.
    pub findings: BTreeMap<FindingKind, usize>,
    /// Amount per kind, every kind present.
    pub monthly_amounts: BTreeMap<FindingKind, Money>,
    /// What the tenant pays: Σ over paid SKUs of purchased seats × price.
    pub monthly_cost: Money,
    /// `inactive-holder` + `unused-premium` + `idle-seats` + `redundant-license`.
    pub monthly_savings: Money,
    /// `missing-premium`.
    pub monthly_cost_to_comply: Money,
    /// The part of `monthly_savings` from licenses taken back from users: seats that can go to
    /// the next hire at once, whenever the subscription renews.
    #[serde(default)]
    pub monthly_savings_reassignable_now: Money,
}

/// What ingestion and analysis noticed about the data, for people to trust the findings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DataQuality {
    pub ingest: IngestQuality,
    pub analysis: AnalysisQuality,
}

/// One finding (SPEC §3). User fields are `None` for SKU-level findings (`idle-seats`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    pub kind: FindingKind,
    pub user_id: Option<String>,
    pub user_principal_name: Option<String>,
    pub department: Option<String>,
    pub sku_part_number: String,
    pub sku_id: String,
    pub reason: Option<FindingReason>,
    /// `direct` and/or group ids, `direct` first; `unknown` when the export does not say.
    #[serde(default)]
    pub assigned_by: Vec<String>,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub last_activity: Option<String>,
    pub last_premium_use: Option<String>,
    pub premium_apps_used: Option<u32>,
    /// Idle seat count, for `idle-seats`.
    pub seats: Option<i64>,
    /// Never negative; the kind says whether it is a saving or a cost.
    pub monthly_amount: Money,
    pub note: Option<String>,
    /// Savings and `right-size` only: the date the seats can drop (`YYYY-MM-DD`) or `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reducible_on: Option<ReducibleOn>,
    /// Savings and `right-size` only: whether the seat is free for the next hire at once
    /// (never for `right-size`, whose holder keeps a license).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reassignable_now: Option<bool>,
    /// `redundant-license`: the held license that already grants this one's services; plans
    /// remove the finding's SKU and keep this one. Absent for other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covered_by: Option<CoveringLicense>,
    /// `right-size`: the current license's monthly price (the per-user tier the tenant's
    /// seats reach).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_monthly_cost: Option<Money>,
    /// `right-size`: the part number of the cheapest option (`POWERAPPS_PAYG`, a per app
    /// plan); the option itself is the `reason`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cheapest_part_number: Option<String>,
    /// `right-size`: what the cheapest option costs a month, averaged over the months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cheapest_monthly_cost: Option<Money>,
    /// `right-size`: the calendar months wholly inside the window the use was counted over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whole_months: Option<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}: not a seatwise findings.json: {}\nhint: give the folder `seatwise audit` wrote, or its findings.json",
        .0.path.display(),
        .0.problem
    )]
    Parse(ParseError),
    #[error(
        "{}: not a seatwise findings file (schema {}; expected {SCHEMA})\nhint: give the folder `seatwise audit` wrote, or its findings.json",
        path.display(),
        found.as_deref().map_or_else(|| "missing".to_string(), |found| format!("{found:?}"))
    )]
    Schema {
        path: PathBuf,
        found: Option<String>,
    },
}

/// Reads `findings.json` and its id (the SHA-256 of its bytes, which plans record).
pub fn read(path: &Path) -> Result<(FindingsDocument, String), ReadError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let document = parse(path, &bytes)?;
    let id = format!("sha256:{}", super::plan::sha256_hex(&bytes));
    Ok((document, id))
}

/// Parses the bytes of the `findings.json` at `path`.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<FindingsDocument, ReadError> {
    let schema = schema_of(path, bytes).map_err(ReadError::Parse)?;
    if schema.as_deref() != Some(SCHEMA) {
        return Err(ReadError::Schema {
            path: path.to_path_buf(),
            found: schema,
        });
    }
    from_slice(path, bytes).map_err(ReadError::Parse)
}

/// Writes the document as `findings.json` is written: pretty JSON.
pub fn write(document: &FindingsDocument, writer: impl std::io::Write) -> serde_json::Result<()> {
    serde_json::to_writer_pretty(writer, document)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::AssignmentErrorCode;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    fn record(kind: FindingKind, reason: Option<FindingReason>, amount: Money) -> FindingRecord {
        FindingRecord {
            kind,
            user_id: Some("00000000-0000-0000-0000-000000000001".into()),
            user_principal_name: Some("ada@contoso.com".into()),
            department: Some("Unassigned".into()),
            sku_part_number: "SPE_E5".into(),
            sku_id: "06ebc4ee-1bb5-47dd-8120-11324bc54e06".into(),
            reason,
            assigned_by: vec![
                "direct".into(),
                "aaaaaaaa-0000-0000-0000-0000000000a1".into(),
            ],
            last_activity: Some("2026-01-15T09:00:00Z".into()),
            last_premium_use: None,
            premium_apps_used: Some(0),
            seats: None,
            monthly_amount: amount,
            note: None,
            reducible_on: Some(ReducibleOn::Date(date("2027-03-01"))),
            reassignable_now: Some(true),
            covered_by: None,
            current_monthly_cost: None,
            cheapest_part_number: None,
            cheapest_monthly_cost: None,
            whole_months: None,
        }
    }

    fn document() -> FindingsDocument {
        let amount = |text: &str| Money::from_json_number(text).expect("amount");
        let mut findings: Vec<FindingRecord> = FindingReason::RULE_REASONS
            .into_iter()
            .map(|(reason, _)| record(FindingKind::InactiveHolder, Some(reason), amount("57.00")))
            .collect();
        findings.push(record(
            FindingKind::AssignmentError,
            Some(FindingReason::AssignmentErrors(vec![
                AssignmentErrorCode::CountViolation,
                AssignmentErrorCode::Unrecognized("SomethingNew".into()),
            ])),
            Money::ZERO,
        ));
        findings.push(FindingRecord {
            user_id: None,
            user_principal_name: None,
            department: None,
            assigned_by: Vec::new(),
            last_activity: None,
            premium_apps_used: None,
            seats: Some(3),
            ..record(FindingKind::IdleSeats, None, amount("12345678901.23"))
        });
        findings.push(FindingRecord {
            sku_part_number: "POWER_BI_PRO".into(),
            sku_id: "f8a1db68-be16-40ed-86d5-cb42ce701560".into(),
            covered_by: Some(CoveringLicense {
                sku_part_number: "SPE_E5".into(),
                sku_id: "06ebc4ee-1bb5-47dd-8120-11324bc54e06".into(),
            }),
            ..record(
                FindingKind::RedundantLicense,
                Some(FindingReason::CoveredByHeldLicense),
                amount("14.00"),
            )
        });
        FindingsDocument {
            schema: SCHEMA.into(),
            as_of: date("2026-11-01"),
            as_of_source: AsOfSource::SnapshotCollectedAt,
            window_days: 90,
            window_first_day: date("2026-08-04"),
            currency: "USD".into(),
            generator: "seatwise 0.1.0".into(),
            snapshot: SnapshotOrigin {
                path: "snapshot".into(),
                tenant_id: Some("t".into()),
                collected_at: Some("2026-11-01T06:00:00Z".into()),
                source: None,
                inputs: Vec::new(),
            },
            price_book: PriceBookOrigin {
                currency: "USD".into(),
                bundled_entries: 40,
                snapshot_entries: 0,
                bundled_replaced: false,
            },
            summary: FindingsSummary {
                users: 8,
                licensed_users: 7,
                findings: FindingKind::ALL.into_iter().map(|kind| (kind, 1)).collect(),
                monthly_amounts: FindingKind::ALL
                    .into_iter()
                    .map(|kind| (kind, amount("0.1") + amount("0.2")))
                    .collect(),
                monthly_cost: amount("399.00"),
                monthly_savings: amount("12345678901.23"),
                monthly_cost_to_comply: Money::ZERO,
                monthly_savings_reassignable_now: amount("0.30"),
            },
            data_quality: Some(DataQuality::default()),
            renewals: RenewalCalendar::default(),
            license_mix: None,
            findings,
        }
    }

    #[test]
    fn what_is_written_reads_back_equal() {
        let written = document();
        let mut bytes = Vec::new();
        write(&written, &mut bytes).expect("write");
        let text = String::from_utf8(bytes.clone()).expect("utf-8");
        assert!(
            text.contains("\"monthly_savings\": 12345678901.23,"),
            "{text}"
        );
        assert!(text.contains("\"idle-seats\": 0.30,"), "{text}");
        assert!(
            text.contains("\"reason\": \"CountViolation;SomethingNew\""),
            "{text}"
        );
        assert!(text.contains("\"reason\": \"never-signed-in\""), "{text}");
        assert!(text.contains("\"as_of_source\": \"snapshot\""), "{text}");
        assert!(text.contains("\"data_quality\": {"), "{text}");
        let read = parse(Path::new("findings.json"), &bytes).expect("read back");
        // data_quality is written for people, not read back.
        assert_eq!(
            read,
            FindingsDocument {
                data_quality: None,
                ..written
            }
        );
    }

    #[test]
    fn an_unknown_kind_or_schema_names_the_file() {
        let mut bytes = Vec::new();
        write(&document(), &mut bytes).expect("write");
        let text = String::from_utf8(bytes).expect("utf-8");
        let path = Path::new("audit/findings.json");

        let unknown_kind =
            text.replacen("\"kind\": \"idle-seats\"", "\"kind\": \"idle-chairs\"", 1);
        let error = parse(path, unknown_kind.as_bytes())
            .expect_err("unknown kind")
            .to_string();
        assert!(
            error.starts_with(
                "audit/findings.json: not a seatwise findings.json: findings[11].kind: unknown finding kind \"idle-chairs\""
            ),
            "{error}"
        );

        let other_schema = text.replacen(SCHEMA, "seatwise.findings/9", 1);
        let error = parse(path, other_schema.as_bytes())
            .expect_err("schema")
            .to_string();
        assert!(
            error.starts_with(
                "audit/findings.json: not a seatwise findings file (schema \"seatwise.findings/9\""
            ),
            "{error}"
        );

        let bad_amount = text.replacen("\"monthly_cost\": 399.00", "\"monthly_cost\": \"399\"", 1);
        let error = parse(path, bad_amount.as_bytes())
            .expect_err("amount")
            .to_string();
        assert!(
            error.starts_with("audit/findings.json: not a seatwise findings.json: summary.monthly_cost: not an amount"),
            "{error}"
        );
    }
}
