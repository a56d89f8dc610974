//! `terms.csv` (optional): the term, billing frequency and renewal date of subscriptions,
//! which Graph does not give. A row names a subscription (`SubscriptionId`: its commerce or
//! directory id) or every subscription of a SKU (`SkuPartNumber`). Two rows for one key are an
//! error, never last-value-wins.

use super::error::{IngestError, RejectionLog, rejection};
use super::table::CsvTable;
use crate::model::subscriptions::{Term, TermKey, TermRow};
use crate::support::timestamp::parse_recorded_timestamp;
use std::collections::BTreeMap;
use std::path::Path;

/// Reads `terms.csv`.
pub fn read_terms(path: &Path, log: &mut RejectionLog) -> Result<Vec<TermRow>, IngestError> {
    let table = CsvTable::read(path, &[], log)?;
    if !table.has_column("SubscriptionId") && !table.has_column("SkuPartNumber") {
        return Err(IngestError::Unreadable(rejection(
            path,
            super::error::Location::Line(1),
            "SubscriptionId",
            "terms.csv needs a SubscriptionId or a SkuPartNumber column",
        )));
    }
    let mut rows = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for row in table.rows() {
        let subscription = row.get("SubscriptionId").trim();
        let part_number = row.get("SkuPartNumber").trim();
        let key = match (subscription.is_empty(), part_number.is_empty()) {
            (false, true) => match crate::model::guid::require_guid(subscription) {
                Ok(id) => TermKey::Subscription(id),
                Err(problem) => {
                    log.reject(rejection(path, row.location(), "SubscriptionId", problem))?;
                    continue;
                }
            },
            (true, false) => TermKey::SkuPartNumber(part_number.to_string()),
            (false, false) => {
                log.reject(rejection(
                    path,
                    row.location(),
                    "SubscriptionId",
                    "a row names a subscription or a SKU, not both",
                ))?;
                continue;
            }
            (true, true) => {
                log.reject(rejection(
                    path,
                    row.location(),
                    "SubscriptionId",
                    "a row names a subscription (SubscriptionId) or a SKU (SkuPartNumber)",
                ))?;
                continue;
            }
        };
        let term_text = row.get("Term").trim();
        let term = if term_text.is_empty() {
            None
        } else {
            match Term::parse(term_text) {
                Some(term) => Some(term),
                None => {
                    log.reject(rejection(
                        path,
                        row.location(),
                        "Term",
                        format!("{term_text:?} is not a term: write P1M, P1Y or P3Y"),
                    ))?;
                    continue;
                }
            }
        };
        let renewal_text = row.get("RenewalDate").trim();
        let renewal_date = if renewal_text.is_empty() {
            None
        } else {
            match parse_recorded_timestamp(renewal_text) {
                Ok(millis) => {
                    chrono::DateTime::from_timestamp_millis(millis).map(|at| at.date_naive())
                }
                Err(problem) => {
                    log.reject(rejection(path, row.location(), "RenewalDate", problem))?;
                    continue;
                }
            }
        };
        let key_text = match &key {
            TermKey::Subscription(id) => format!("subscription {id}"),
            TermKey::SkuPartNumber(part) => format!("SKU {}", part.to_ascii_lowercase()),
        };
        if let Some(place) = seen.get(&key_text) {
            log.reject(rejection(
                path,
                row.location(),
                if matches!(key, TermKey::Subscription(_)) {
                    "SubscriptionId"
                } else {
                    "SkuPartNumber"
                },
                format!("{key_text} already has terms at {place}"),
            ))?;
            continue;
        }
        seen.insert(key_text, row.location().to_string());
        let billing = row.get("Billing").trim();
        rows.push(TermRow {
            key,
            term,
            billing: (!billing.is_empty()).then(|| billing.to_string()),
            renewal_date,
        });
    }
    Ok(rows)
}
