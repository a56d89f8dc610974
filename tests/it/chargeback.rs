//! Chargeback reconciliation: the department totals of the sample, derived here from the
//! snapshot's own files and the bundled price list (not from seatwise's tables), equal the
//! report model's, and they plus the overhead equal the monthly cost.

use super::util::{seatwise, stderr};
use seatwise::money::Money;
use seatwise::report::{ReportModel, ReportOptions, UserAttribute};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample")
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json")
}

/// The bundled list price of each part number on `as_of`: the row with the latest
/// `EffectiveFrom` on or before it.
fn prices_on(as_of: &str) -> BTreeMap<String, Money> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/prices.csv"))
            .expect("prices.csv");
    let mut latest: BTreeMap<String, (String, Money)> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let [part, price, _currency, from, ..] = fields[..] else {
            continue;
        };
        if from > as_of {
            continue;
        }
        let price = Money::parse(price).expect("price");
        let part = part.to_ascii_lowercase();
        if latest
            .get(&part)
            .is_none_or(|(seen, _)| from > seen.as_str())
        {
            latest.insert(part, (from.to_string(), price));
        }
    }
    latest
        .into_iter()
        .map(|(part, (_, price))| (part, price))
        .collect()
}

/// (chargeback cost by department, monthly cost), from the snapshot's files.
fn derived_chargeback() -> (BTreeMap<String, Money>, Money) {
    let prices = prices_on("2026-11-01");
    let skus = json(&sample().join("subscribedSkus.json"));
    // The price of each paid, priced SKU by id; and what the tenant pays for its seats.
    let mut paid_price: BTreeMap<String, Money> = BTreeMap::new();
    let mut monthly_cost = Money::ZERO;
    for sku in skus["value"].as_array().expect("skus") {
        let status = sku["capabilityStatus"].as_str().unwrap_or("Enabled");
        if matches!(status, "Suspended" | "Deleted" | "LockedOut") {
            continue;
        }
        let part = sku["skuPartNumber"]
            .as_str()
            .expect("part")
            .to_ascii_lowercase();
        let Some(price) = prices
            .get(&part)
            .copied()
            .filter(|price| *price > Money::ZERO)
        else {
            continue;
        };
        let seats = sku["prepaidUnits"]["enabled"].as_i64().unwrap_or(0)
            + sku["prepaidUnits"]["warning"].as_i64().unwrap_or(0);
        monthly_cost = monthly_cost + price.times(seats);
        let id = sku["skuId"].as_str().expect("id").to_ascii_lowercase();
        paid_price.insert(id, price);
    }
    let mut by_department: BTreeMap<String, Money> = BTreeMap::new();
    for page in std::fs::read_dir(sample().join("users")).expect("users/") {
        let page = json(&page.expect("entry").path());
        for user in page["value"].as_array().expect("value") {
            let department = user["department"]
                .as_str()
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .unwrap_or("Unassigned")
                .to_string();
            let cost: Money = user["assignedLicenses"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|license| license["skuId"].as_str())
                .filter_map(|id| paid_price.get(&id.to_ascii_lowercase()).copied())
                .sum();
            if cost > Money::ZERO {
                let entry = by_department.entry(department).or_insert(Money::ZERO);
                *entry = *entry + cost;
            }
        }
    }
    (by_department, monthly_cost)
}

#[test]
fn department_chargeback_plus_overhead_is_the_monthly_cost() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("audit");
    let output = seatwise(&[
        "audit",
        sample().to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let options = ReportOptions {
        by: UserAttribute::Department,
        ..ReportOptions::default()
    };
    let model = ReportModel::from_audit_folder(&out, &options).expect("model");

    let (expected, monthly_cost) = derived_chargeback();
    assert_eq!(model.headline.monthly_cost, monthly_cost);
    let breakdown = &model.by_attribute;
    let actual: BTreeMap<String, Money> = breakdown
        .groups
        .iter()
        .filter(|group| group.license_cost > Money::ZERO)
        .map(|group| (group.name.clone(), group.license_cost))
        .collect();
    assert_eq!(actual, expected);
    let groups: Money = expected.values().copied().sum();
    assert_eq!(groups + breakdown.overhead, monthly_cost);
    assert_eq!(breakdown.total, monthly_cost);
    assert!(
        breakdown.overhead >= Money::ZERO,
        "{:?}",
        breakdown.overhead
    );
    assert!(expected.len() > 3, "{expected:?}");
}
