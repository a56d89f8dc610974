//! Savings timed to renewals (SPEC §8) on the bundled sample, a tenant the generator made with
//! known subscription dates: every saving's `reducible_on` is worked out again here from
//! `subscriptions.json` and `terms.csv` alone, and the damaged files are refused with the
//! file, the record or line, and the field.

use super::util::{small_snapshot, stderr};
use chrono::{Months, NaiveDate};
use seatwise::analyze::FindingKind;
use seatwise::contract::findings::{FindingsDocument, ReducibleOn};
use seatwise::money::Money;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn audit(snapshot: &Path, out: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .arg("audit")
        .arg(snapshot)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run seatwise")
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&text[..10], "%Y-%m-%d").expect("date")
}

/// One subscription as the sample's files describe it, and the day its seats can drop,
/// derived here: the renewal date (terms.csv's, else Graph's next lifecycle date), moved back
/// month by month to the first on or after the as-of date for a monthly term; unknown
/// without a date.
struct Expected {
    part_number: String,
    seats: i64,
    reducible_on: ReducibleOn,
}

fn expected_subscriptions(snapshot: &Path, as_of: NaiveDate) -> Vec<Expected> {
    let text = std::fs::read_to_string(snapshot.join("subscriptions.json")).expect("subscriptions");
    let page: Value = serde_json::from_str(&text).expect("json");
    let terms = std::fs::read_to_string(snapshot.join("terms.csv")).expect("terms.csv");
    let mut monthly_parts = Vec::new();
    let mut by_commerce_id = BTreeMap::new();
    for line in terms.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        match fields[..] {
            ["", part, "P1M", ..] => monthly_parts.push(part.to_string()),
            [id, "", "P1Y", _, renewal] => {
                by_commerce_id.insert(id.to_string(), renewal.to_string());
            }
            _ => panic!("unexpected terms.csv line {line:?}"),
        }
    }
    let mut expected = Vec::new();
    for subscription in page["value"].as_array().expect("value") {
        let part_number = subscription["skuPartNumber"]
            .as_str()
            .expect("part")
            .to_string();
        let commerce = subscription["commerceSubscriptionId"].as_str().expect("id");
        let renewal = by_commerce_id
            .get(commerce)
            .map(|text| date(text))
            .or_else(|| subscription["nextLifecycleDateTime"].as_str().map(date));
        let reducible_on = match renewal {
            None => ReducibleOn::Unknown,
            Some(renewal) if monthly_parts.contains(&part_number) => {
                // The latest of renewal − k months that is not before the as-of date, each
                // counted from the renewal date itself.
                let next = (0..)
                    .map_while(|k| renewal.checked_sub_months(Months::new(k)))
                    .take_while(|date| *date >= as_of)
                    .last()
                    .expect("a renewal after the as-of date");
                // Renewed less than 8 days ago: seats can drop now.
                let last = next.checked_sub_months(Months::new(1)).expect("date");
                if (as_of - last).num_days() <= 7 {
                    ReducibleOn::Date(as_of)
                } else {
                    ReducibleOn::Date(next)
                }
            }
            Some(renewal) => ReducibleOn::Date(renewal),
        };
        expected.push(Expected {
            part_number,
            seats: subscription["totalLicenses"].as_i64().expect("seats"),
            reducible_on,
        });
    }
    expected
}

#[test]
fn the_samples_savings_are_timed_by_its_subscriptions() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("audit");
    let output = audit(&sample, &out);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(out.join("findings.json")).expect("findings.json");
    let document: FindingsDocument = serde_json::from_str(&text).expect("findings");
    let subscriptions = expected_subscriptions(&sample, document.as_of);

    // Seats to cut per SKU: idle seats first, then the reclaimed licenses in findings order,
    // each into the subscription that can drop soonest.
    let mut seats_by_part: BTreeMap<String, Vec<(ReducibleOn, i64)>> = BTreeMap::new();
    for subscription in &subscriptions {
        seats_by_part
            .entry(subscription.part_number.clone())
            .or_default()
            .push((subscription.reducible_on, subscription.seats));
    }
    for capacities in seats_by_part.values_mut() {
        capacities.sort();
    }
    // Savings are banked when their seats drop: a reclaimed license's, and a per-user
    // license's that a cheaper one replaces (`right-size`).
    let banked = |kind: FindingKind| kind.is_saving() || kind.is_license_change();
    let savings: Vec<_> = document
        .findings
        .iter()
        .filter(|finding| banked(finding.kind) && finding.monthly_amount > Money::ZERO)
        .collect();
    assert!(
        savings
            .iter()
            .any(|finding| finding.kind == FindingKind::RightSize),
        "the sample right-sizes someone"
    );
    assert!(savings.len() > 50, "{} savings", savings.len());
    let mut ordered: Vec<_> = savings.iter().filter(|f| f.seats.is_some()).collect();
    ordered.extend(savings.iter().filter(|f| f.seats.is_none()));
    let mut dated = 0;
    for finding in ordered {
        let mut seats = finding.seats.unwrap_or(1);
        let capacities = seats_by_part
            .get_mut(&finding.sku_part_number)
            .unwrap_or_else(|| panic!("no subscription of {}", finding.sku_part_number));
        let mut latest = None;
        for (reducible_on, left) in capacities.iter_mut() {
            let take = (*left).min(seats);
            if take > 0 {
                *left -= take;
                seats -= take;
                latest =
                    Some(latest.map_or(*reducible_on, |seen: ReducibleOn| seen.max(*reducible_on)));
            }
        }
        let expected = if seats > 0 {
            ReducibleOn::Unknown
        } else {
            latest.unwrap_or(ReducibleOn::Unknown)
        };
        assert_eq!(
            finding.reducible_on,
            Some(expected),
            "{} {:?} {}",
            finding.kind,
            finding.user_principal_name,
            finding.sku_part_number
        );
        assert_eq!(finding.reassignable_now, Some(finding.kind.is_reclaim()));
        if matches!(expected, ReducibleOn::Date(_)) {
            dated += 1;
        }
    }
    assert!(dated > 20, "only {dated} dated savings");
    // Costs, and savings of nothing (free licenses), carry no timing.
    for finding in document
        .findings
        .iter()
        .filter(|f| !banked(f.kind) || f.monthly_amount == Money::ZERO)
    {
        assert_eq!(finding.reducible_on, None, "{}", finding.kind);
    }

    // The calendar: every subscription cut from, its seats within what it has; the seats
    // cut add up to the seats the savings free.
    let calendar = &document.renewals;
    assert!(calendar.subscriptions_known);
    let freed: i64 = savings.iter().map(|f| f.seats.unwrap_or(1)).sum();
    let cut: i64 = calendar.subscriptions.iter().map(|c| c.seats_to_cut).sum();
    let undated_seats: i64 = savings
        .iter()
        .filter(|f| f.reducible_on == Some(ReducibleOn::Unknown))
        .map(|f| f.seats.unwrap_or(1))
        .sum();
    assert!(
        cut <= freed && cut >= freed - undated_seats,
        "{cut} of {freed}"
    );
    for line in &calendar.subscriptions {
        assert!(line.seats_to_cut <= line.total_licenses, "{line:?}");
        assert_eq!(line.yearly_saving, line.monthly_saving.times(12));
    }
    let dates: Vec<ReducibleOn> = calendar
        .subscriptions
        .iter()
        .map(|c| c.reducible_on)
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "soonest first");
    // Two E3 subscriptions: the one renewing first is cut first.
    let e3: Vec<_> = calendar
        .subscriptions
        .iter()
        .filter(|c| c.sku_part_number == "SPE_E3")
        .collect();
    assert!(!e3.is_empty());
    assert_eq!(e3[0].reducible_on, ReducibleOn::Date(date("2027-08-20")));

    // The summary and the workbook carry both views.
    let summary = std::fs::read_to_string(out.join("summary.md")).expect("summary.md");
    assert!(
        summary.contains("## When the savings can be banked"),
        "{summary}"
    );
    assert!(summary.contains("### Renewal calendar"));
    assert!(
        document.summary.monthly_savings_reassignable_now > Money::ZERO,
        "{:?}",
        document.summary
    );
}

#[test]
fn without_subscriptions_every_saving_is_undated() {
    let (temp, snapshot) = small_snapshot();
    let out = temp.path().join("audit");
    let output = audit(&snapshot, &out);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(out.join("findings.json")).expect("findings.json");
    let document: FindingsDocument = serde_json::from_str(&text).expect("findings");
    assert!(!document.renewals.subscriptions_known);
    let banked = |kind: FindingKind| kind.is_saving() || kind.is_license_change();
    let savings: Vec<_> = document
        .findings
        .iter()
        .filter(|finding| banked(finding.kind) && finding.monthly_amount > Money::ZERO)
        .collect();
    assert!(!savings.is_empty());
    for finding in savings {
        assert_eq!(finding.reducible_on, Some(ReducibleOn::Unknown));
    }
    let summary = std::fs::read_to_string(out.join("summary.md")).expect("summary.md");
    assert!(summary.contains("no subscriptions.json"), "{summary}");
}

/// Audits the small snapshot with `file` written into it; returns stderr of the refusal.
fn refused(file: &str, text: &str) -> String {
    let (temp, snapshot) = small_snapshot();
    std::fs::write(snapshot.join(file), text).expect("write");
    let output = audit(&snapshot, &temp.path().join("audit"));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    stderr(&output)
}

const E5_SKU: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
const ID_1: &str = "11111111-1111-4111-8111-111111111111";

#[test]
fn damaged_subscriptions_and_terms_are_refused_where_they_are_damaged() {
    let subscription = |id: &str, sku: &str, next: &str| {
        format!(
            r#"{{"id":"{id}","skuId":"{sku}","skuPartNumber":"SPE_E5","totalLicenses":5,"status":"Enabled","nextLifecycleDateTime":"{next}"}}"#
        )
    };
    let page = |items: &[String]| format!(r#"{{"value":[{}]}}"#, items.join(","));

    let message = refused(
        "subscriptions.json",
        &page(&[subscription(ID_1, "not-a-guid", "2027-01-01T00:00:00Z")]),
    );
    assert!(
        message.contains("subscriptions.json")
            && message.contains("skuId")
            && message.contains("record 1"),
        "{message}"
    );
    let message = refused(
        "subscriptions.json",
        &page(&[
            subscription(ID_1, E5_SKU, "2027-01-01T00:00:00Z"),
            subscription(ID_1, E5_SKU, "2027-02-01T00:00:00Z"),
        ]),
    );
    assert!(
        message.contains("listed twice") && message.contains("record 2"),
        "{message}"
    );
    let message = refused(
        "subscriptions.json",
        &page(&[subscription(ID_1, E5_SKU, "1899-12-30T00:00:00Z")]),
    );
    assert!(
        message.contains("nextLifecycleDateTime") && message.contains("implausible"),
        "{message}"
    );
    let message = refused(
        "subscriptions.json",
        &page(&[subscription(ID_1, E5_SKU, "2027-01-01T00:00:00Z")
            .replace("\"totalLicenses\":5", "\"totalLicenses\":-5")]),
    );
    assert!(message.contains("totalLicenses"), "{message}");

    let message = refused(
        "subscriptions.json",
        &page(&[subscription(ID_1, E5_SKU, "2027-01-01T00:00:00Z")
            .replace(&format!("\"id\":\"{ID_1}\","), "")]),
    );
    assert!(
        message.contains("record 1") && message.contains("id") && message.contains("missing"),
        "{message}"
    );
    let message = refused(
        "subscriptions.json",
        &page(
            &[subscription(ID_1, E5_SKU, "2027-01-01T00:00:00Z").replace(
                "\"status\"",
                "\"commerceSubscriptionId\":\"CSP-42\",\"status\"",
            )],
        ),
    );
    assert!(message.contains("commerceSubscriptionId"), "{message}");

    let header = "SubscriptionId,SkuPartNumber,Term,Billing,RenewalDate\n";
    let message = refused("terms.csv", &format!("{header}CSP-42,,P1Y,,\n"));
    assert!(
        message.contains("line 2")
            && message.contains("SubscriptionId")
            && message.contains("GUID"),
        "{message}"
    );
    let message = refused("terms.csv", &format!("{header},SPE_E5,P2W,Monthly,\n"));
    assert!(
        message.contains("terms.csv") && message.contains("line 2") && message.contains("Term"),
        "{message}"
    );
    let message = refused(
        "terms.csv",
        &format!("{header},SPE_E5,P1M,,\n,spe_e5,P1Y,,\n"),
    );
    assert!(
        message.contains("line 3")
            && message.contains("SkuPartNumber")
            && message.contains("line 2"),
        "{message}"
    );
    let message = refused("terms.csv", &format!("{header}{ID_1},SPE_E5,P1M,,\n"));
    assert!(message.contains("not both"), "{message}");
    let message = refused("terms.csv", &format!("{header}{ID_1},,P1Y,,13/45/2027\n"));
    assert!(message.contains("RenewalDate"), "{message}");
    let message = refused("terms.csv", "Term,Billing\nP1M,Monthly\n");
    assert!(
        message.contains("SubscriptionId") && message.contains("SkuPartNumber"),
        "{message}"
    );
}

#[test]
fn a_sku_listed_twice_in_subscribed_skus_is_refused_not_overwritten() {
    let first = r#"{"skuId":"06ebc4ee-1bb5-47dd-8120-11324bc54e06","skuPartNumber":"SPE_E5","prepaidUnits":{"enabled":10},"consumedUnits":2}"#;
    let again = first.replace("\"enabled\":10", "\"enabled\":99");
    let message = refused(
        "subscribedSkus.json",
        &format!(r#"{{"value":[{first},{again}]}}"#),
    );
    assert!(
        message.contains("subscribedSkus.json")
            && message.contains("record 2")
            && message.contains("skuId")
            && message.contains("listed twice"),
        "{message}"
    );
}
