//! The tenant's commerce subscriptions from Graph `GET /v1.0/directory/subscriptions`
//! (`subscriptions.json`, optional): per SKU, how many seats each subscription carries and
//! when it renews. One SKU may have several subscriptions with different dates.

use super::error::{IngestError, Location, Rejection, RejectionLog, rejection};
use super::json_records::read_keyed_collection;
use crate::case_insensitive_record;
use crate::model::subscriptions::{Subscription, SubscriptionStatus};
use crate::support::timestamp::parse_optional_timestamp;
use chrono::NaiveDate;
use std::path::Path;

case_insensitive_record! {
    #[derive(Debug)]
    struct SubscriptionRecord {
        id: Option<String> = "id",
        commerce_subscription_id: Option<String> = "commerceSubscriptionId",
        sku_id: Option<String> = "skuId",
        sku_part_number: Option<String> = "skuPartNumber",
        total_licenses: Option<i64> = "totalLicenses",
        is_trial: Option<bool> = "isTrial",
        status: Option<String> = "status",
        created: Option<String> = "createdDateTime",
        next_lifecycle: Option<String> = "nextLifecycleDateTime",
    }
}

/// Reads `subscriptions.json`. A subscription listed twice (by id) is an error, never
/// last-value-wins.
pub fn read_subscriptions(
    path: &Path,
    log: &mut RejectionLog,
) -> Result<Vec<Subscription>, IngestError> {
    read_keyed_collection(
        path,
        log,
        "subscription",
        "id",
        |location, raw: SubscriptionRecord| validate(path, location, raw),
        |subscription: &Subscription| subscription.id.as_str(),
    )
}

fn validate(
    path: &Path,
    location: &Location,
    raw: SubscriptionRecord,
) -> Result<Subscription, Rejection> {
    let required = |value: Option<Option<String>>, field: &str| {
        value
            .flatten()
            .filter(|text| !text.trim().is_empty())
            .ok_or_else(|| {
                rejection(
                    path,
                    location.clone(),
                    field,
                    "required property is missing or empty",
                )
            })
    };
    let id = required(raw.id, "id")?;
    let id = super::error::guid_field(path, location, "id", &id)?;
    let sku_id = required(raw.sku_id, "skuId")?;
    let sku_id = super::error::guid_field(path, location, "skuId", &sku_id)?;
    let commerce_subscription_id = match raw.commerce_subscription_id.flatten() {
        Some(text) if !text.trim().is_empty() => Some(super::error::guid_field(
            path,
            location,
            "commerceSubscriptionId",
            &text,
        )?),
        _ => None,
    };
    let total_licenses = raw.total_licenses.flatten().unwrap_or(0);
    if !(0..=crate::money::MAX_SEATS).contains(&total_licenses) {
        return Err(rejection(
            path,
            location.clone(),
            "totalLicenses",
            format!(
                "{total_licenses} licenses is not a seat count (0 to {})",
                crate::money::MAX_SEATS
            ),
        ));
    }
    let date =
        |value: Option<Option<String>>, field: &str| -> Result<Option<NaiveDate>, Rejection> {
            let Some(text) = value.flatten() else {
                return Ok(None);
            };
            let millis = parse_optional_timestamp(&text)
                .map_err(|problem| rejection(path, location.clone(), field, problem))?;
            Ok(millis
                .and_then(chrono::DateTime::from_timestamp_millis)
                .map(|moment| moment.date_naive()))
        };
    Ok(Subscription {
        id,
        commerce_subscription_id,
        sku_id,
        sku_part_number: raw
            .sku_part_number
            .flatten()
            .map(|text| text.trim().to_string())
            .filter(|text| !text.is_empty()),
        total_licenses,
        is_trial: raw.is_trial.flatten().unwrap_or(false),
        status: raw
            .status
            .flatten()
            .map_or(SubscriptionStatus::Enabled, |text| {
                SubscriptionStatus::parse(&text)
            }),
        created: date(raw.created, "createdDateTime")?,
        next_lifecycle: date(raw.next_lifecycle, "nextLifecycleDateTime")?,
    })
}
