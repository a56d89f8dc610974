//! `subscriptions.json` and `terms.csv` of a generated tenant: each SKU's commerce
//! subscriptions with dates a test can work out by hand, so renewal timing is exercised on a
//! whole tenant.
//!
//! Subscription `k` (SKUs in [`Sku::ALL`] order, then their subscriptions) was created
//! `20 + 53·k` days before the as-of date and renews yearly on that day, so its
//! `nextLifecycleDateTime` is the first anniversary after the as-of date. The one exception
//! is the fourth SKU, whose subscription has no lifecycle date (its savings' timing is
//! unknown). A SKU with two subscriptions splits its seats two thirds / one third.
//! `terms.csv` makes the Power Platform SKUs (`POWER*`, `FLOW*`) monthly, and names the first
//! subscription of a SKU with two by its commerce id, as yearly.

use super::GenerateError;
use super::output::write_pretty_json;
use super::rng::{Guid, Rng};
use super::tenant::Tenant;
use chrono::{Months, NaiveDate};
use serde::Serialize;
use std::path::Path;

/// Days before the as-of date the first subscription was created, and the step between them.
const FIRST_CREATED_DAYS: u64 = 20;
const CREATED_STEP_DAYS: u64 = 53;
/// The SKU (by index in `Sku::ALL`) whose subscription has no lifecycle date.
const UNDATED_SKU: usize = 3;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionJson {
    id: Guid,
    commerce_subscription_id: Guid,
    sku_id: &'static str,
    sku_part_number: &'static str,
    total_licenses: usize,
    is_trial: bool,
    status: &'static str,
    created_date_time: String,
    next_lifecycle_date_time: Option<String>,
    owner_type: &'static str,
}

#[derive(Serialize)]
struct Page {
    #[serde(rename = "@odata.context")]
    context: &'static str,
    value: Vec<SubscriptionJson>,
}

fn midnight(date: NaiveDate) -> String {
    format!("{date}T00:00:00Z")
}

/// The first yearly anniversary of `created` after `as_of`.
fn next_anniversary(created: NaiveDate, as_of: NaiveDate) -> Option<NaiveDate> {
    let mut next = created;
    while next <= as_of {
        next = next.checked_add_months(Months::new(12))?;
    }
    Some(next)
}

/// Writes `subscriptions.json` and `terms.csv`.
pub fn write_renewals(
    dir: &Path,
    tenant: &Tenant,
    as_of: NaiveDate,
    rng: &mut Rng,
) -> Result<(), GenerateError> {
    let mut value = Vec::new();
    let mut terms = String::from("SubscriptionId,SkuPartNumber,Term,Billing,RenewalDate\n");
    let mut index: u64 = 0;
    for (sku_index, subscription) in tenant.subscriptions.iter().enumerate() {
        let facts = subscription.sku.facts();
        let count = subscription.subscription_ids.len();
        for (position, id) in subscription.subscription_ids.iter().enumerate() {
            let created = as_of - chrono::Days::new(FIRST_CREATED_DAYS + CREATED_STEP_DAYS * index);
            index += 1;
            let next = if sku_index == UNDATED_SKU {
                None
            } else {
                next_anniversary(created, as_of)
            };
            let total_licenses = match (count, position) {
                (1, _) => subscription.prepaid,
                (_, 0) => subscription.prepaid * 2 / 3,
                _ => subscription.prepaid - subscription.prepaid * 2 / 3,
            };
            let commerce_id = rng.guid();
            if count > 1 && position == 0 {
                terms.push_str(&format!(
                    "{commerce_id},,P1Y,Annual,{}\n",
                    next.map(|date| date.to_string()).unwrap_or_default()
                ));
            }
            value.push(SubscriptionJson {
                id: *id,
                commerce_subscription_id: commerce_id,
                sku_id: facts.sku_id,
                sku_part_number: facts.part_number,
                total_licenses,
                is_trial: false,
                status: "Enabled",
                created_date_time: midnight(created),
                next_lifecycle_date_time: next.map(midnight),
                owner_type: "User",
            });
        }
        if facts.part_number.starts_with("POWER") || facts.part_number.starts_with("FLOW") {
            terms.push_str(&format!(",{},P1M,Monthly,\n", facts.part_number));
        }
    }
    let page = Page {
        context: "https://graph.microsoft.com/v1.0/$metadata#directory/subscriptions",
        value,
    };
    write_pretty_json(&dir.join("subscriptions.json"), &page)?;
    std::fs::write(dir.join("terms.csv"), terms).map_err(|source| GenerateError::Io {
        path: dir.join("terms.csv"),
        source,
    })
}
