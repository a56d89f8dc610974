//! Purchased SKUs from Graph `GET /subscribedSkus`: what the tenant pays for and uses.

use super::error::{IngestError, Location, RejectionLog, rejection};
use super::json_records::read_keyed_collection;
use crate::case_insensitive_record;
use crate::model::columns;
use polars::prelude::*;
use std::path::Path;

case_insensitive_record! {
    #[derive(Debug)]
    struct SubscribedSkuRecord {
        sku_id: Option<String> = "skuId",
        sku_part_number: Option<String> = "skuPartNumber",
        prepaid_units: Option<PrepaidUnitsRecord> = "prepaidUnits",
        consumed_units: Option<i64> = "consumedUnits",
        capability_status: Option<String> = "capabilityStatus",
        applies_to: Option<String> = "appliesTo",
    }
}

case_insensitive_record! {
    #[derive(Debug)]
    struct PrepaidUnitsRecord {
        enabled: Option<i64> = "enabled",
        suspended: Option<i64> = "suspended",
        warning: Option<i64> = "warning",
        locked_out: Option<i64> = "lockedOut",
    }
}

struct SubscribedSku {
    sku_id: String,
    part_number: String,
    enabled: i64,
    suspended: i64,
    warning: i64,
    locked_out: i64,
    consumed: i64,
    capability_status: Option<String>,
    applies_to: Option<String>,
}

/// Reads `subscribedSkus.json` into the `subscribed_skus` frame.
pub fn read_subscribed_skus(path: &Path, log: &mut RejectionLog) -> Result<DataFrame, IngestError> {
    let skus = read_keyed_collection(
        path,
        log,
        "subscribed SKU",
        "skuId",
        |location, raw: SubscribedSkuRecord| validate(path, location, raw),
        |sku: &SubscribedSku| sku.sku_id.as_str(),
    )?;
    frame(&skus).map_err(|error| IngestError::frame(path, error))
}

fn validate(
    path: &Path,
    location: &Location,
    raw: SubscribedSkuRecord,
) -> Result<SubscribedSku, super::error::Rejection> {
    let missing = |field: &str| {
        rejection(
            path,
            location.clone(),
            field,
            "required property is missing or empty",
        )
    };
    let sku_id = raw
        .sku_id
        .flatten()
        .filter(|text| !text.trim().is_empty())
        .ok_or_else(|| missing("skuId"))?;
    let part_number = raw
        .sku_part_number
        .flatten()
        .filter(|text| !text.trim().is_empty())
        .ok_or_else(|| missing("skuPartNumber"))?;
    let prepaid = raw
        .prepaid_units
        .flatten()
        .ok_or_else(|| missing("prepaidUnits"))?;
    let enabled = prepaid
        .enabled
        .flatten()
        .ok_or_else(|| missing("prepaidUnits.enabled"))?;
    let consumed = raw
        .consumed_units
        .flatten()
        .ok_or_else(|| missing("consumedUnits"))?;
    let suspended = prepaid.suspended.flatten().unwrap_or(0);
    let warning = prepaid.warning.flatten().unwrap_or(0);
    let locked_out = prepaid.locked_out.flatten().unwrap_or(0);
    for (field, value) in [
        ("prepaidUnits.enabled", enabled),
        ("prepaidUnits.suspended", suspended),
        ("prepaidUnits.warning", warning),
        ("prepaidUnits.lockedOut", locked_out),
        ("consumedUnits", consumed),
    ] {
        if value < 0 {
            return Err(rejection(
                path,
                location.clone(),
                field,
                format!("negative unit count {value}"),
            ));
        }
        if value > crate::money::MAX_SEATS {
            return Err(rejection(
                path,
                location.clone(),
                field,
                format!(
                    "{value} units is beyond any tenant (at most {})",
                    crate::money::MAX_SEATS
                ),
            ));
        }
    }
    let sku_id = super::error::guid_field(path, location, "skuId", &sku_id)?;
    Ok(SubscribedSku {
        sku_id,
        part_number: part_number.trim().to_string(),
        enabled,
        suspended,
        warning,
        locked_out,
        consumed,
        capability_status: raw.capability_status.flatten(),
        applies_to: raw.applies_to.flatten(),
    })
}

fn frame(skus: &[SubscribedSku]) -> PolarsResult<DataFrame> {
    let integers = |name: &str, pick: fn(&SubscribedSku) -> i64| {
        Column::new(name.into(), skus.iter().map(pick).collect::<Vec<i64>>())
    };
    DataFrame::new_infer_height(vec![
        Column::new(
            columns::SKU_ID.into(),
            skus.iter()
                .map(|sku| sku.sku_id.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            columns::SKU_PART_NUMBER.into(),
            skus.iter()
                .map(|sku| sku.part_number.as_str())
                .collect::<Vec<_>>(),
        ),
        integers(columns::PREPAID_ENABLED, |sku| sku.enabled),
        integers(columns::PREPAID_SUSPENDED, |sku| sku.suspended),
        integers(columns::PREPAID_WARNING, |sku| sku.warning),
        integers(columns::PREPAID_LOCKED_OUT, |sku| sku.locked_out),
        integers(columns::CONSUMED_UNITS, |sku| sku.consumed),
        Column::new(
            columns::CAPABILITY_STATUS.into(),
            skus.iter()
                .map(|sku| sku.capability_status.as_deref())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            columns::APPLIES_TO.into(),
            skus.iter()
                .map(|sku| sku.applies_to.as_deref())
                .collect::<Vec<_>>(),
        ),
    ])
}
