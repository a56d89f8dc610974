//! Monthly history: three months of a generated tenant that changes in known ways between
//! months (a user signs in again, a license is removed and given back, a user is deleted, an
//! active user goes quiet, seats are bought and cut), recorded with `audit --history`, then
//! compared exactly; and the store's guarantees: the lock, a killed write, the refusals.

use crate::util::{copy_dir, seatwise, stderr, stdout};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use seatwise::analyze::{FindingKind, FindingReason};
use seatwise::contract::findings::{self, FindingRecord, FindingsDocument};
use seatwise::history::diff::{HistoryDiff, Resolution};
use seatwise::history::{self, Month};
use seatwise::money::Money;
use seatwise::report::tables::{Table, read_table};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const FIRST: &str = "2026-09-01";
const SECOND: &str = "2026-10-01";
const THIRD: &str = "2026-11-01";

fn month(text: &str) -> Month {
    Month::parse(text).expect("month")
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read json")).expect("json")
}

fn write_json(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_vec_pretty(value).expect("json")).expect("write json");
}

fn user_pages(snapshot: &Path) -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(snapshot.join("users"))
        .expect("users folder")
        .map(|entry| entry.expect("entry").path())
        .collect();
    pages.sort();
    pages
}

/// Applies `edit` to the users array of every page.
fn edit_users(snapshot: &Path, mut edit: impl FnMut(&mut Vec<Value>)) {
    for page in user_pages(snapshot) {
        let mut document = read_json(&page);
        if let Some(Value::Array(users)) = document.get_mut("value") {
            edit(users);
        }
        write_json(&page, &document);
    }
}

fn edit_user(snapshot: &Path, id: &str, mut edit: impl FnMut(&mut Value)) {
    edit_users(snapshot, |users| {
        for user in users.iter_mut().filter(|user| user["id"] == id) {
            edit(user);
        }
    });
}

fn users(snapshot: &Path) -> Vec<Value> {
    let mut all = Vec::new();
    for page in user_pages(snapshot) {
        if let Value::Array(users) = read_json(&page)["value"].take() {
            all.extend(users);
        }
    }
    all
}

fn shifted(text: &str, days: i64) -> Option<String> {
    let moment = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    if moment.timestamp() <= 0 {
        return None;
    }
    Some(
        (moment + Duration::days(days))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
    )
}

/// The snapshot of a later month: the same tenant collected on `as_of`, every sign-in moved
/// by as many days, so nobody's activity changes unless a test changes it.
fn next_month(previous: &Path, out: &Path, previous_as_of: &str, as_of: &str) {
    copy_dir(previous, out);
    let days = (date(as_of) - date(previous_as_of)).num_days();
    let metadata = out.join("snapshot.json");
    let mut snapshot = read_json(&metadata);
    snapshot["collectedAt"] = Value::String(format!("{as_of}T06:00:00Z"));
    write_json(&metadata, &snapshot);
    edit_users(out, |users| {
        for user in users.iter_mut() {
            if let Some(Value::Object(activity)) = user.get_mut("signInActivity") {
                for value in activity.values_mut() {
                    if let Some(moved) = value.as_str().and_then(|text| shifted(text, days)) {
                        *value = Value::String(moved);
                    }
                }
            }
        }
    });
}

fn set_sign_ins(snapshot: &Path, id: &str, moment: &str) {
    edit_user(snapshot, id, |user| {
        user["signInActivity"] = serde_json::json!({
            "lastSignInDateTime": moment,
            "lastNonInteractiveSignInDateTime": moment,
            "lastSuccessfulSignInDateTime": moment,
        });
    });
}

/// Removes `sku` from the user's licenses; returns what was removed, to give it back.
fn remove_license(snapshot: &Path, id: &str, sku: &str) -> (Vec<Value>, Vec<Value>) {
    let mut removed = (Vec::new(), Vec::new());
    edit_user(snapshot, id, |user| {
        for (field, into) in [
            ("assignedLicenses", &mut removed.0),
            ("licenseAssignmentStates", &mut removed.1),
        ] {
            if let Some(Value::Array(entries)) = user.get_mut(field) {
                into.extend(
                    entries
                        .iter()
                        .filter(|entry| entry["skuId"] == sku)
                        .cloned(),
                );
                entries.retain(|entry| entry["skuId"] != sku);
            }
        }
    });
    removed
}

fn give_back(snapshot: &Path, id: &str, removed: &(Vec<Value>, Vec<Value>)) {
    edit_user(snapshot, id, |user| {
        for (field, entries) in [
            ("assignedLicenses", &removed.0),
            ("licenseAssignmentStates", &removed.1),
        ] {
            if let Some(Value::Array(existing)) = user.get_mut(field) {
                existing.extend(entries.iter().cloned());
            }
        }
    });
}

/// Sets a subscribed SKU's enabled units (from enabled and consumed), clearing the warning
/// units when `clear_warning`; returns (purchased before, consumed).
fn set_seats(
    snapshot: &Path,
    sku: &str,
    clear_warning: bool,
    enabled: impl Fn(i64, i64) -> i64,
) -> (i64, i64) {
    let path = snapshot.join("subscribedSkus.json");
    let mut document = read_json(&path);
    let mut found = None;
    if let Some(Value::Array(skus)) = document.get_mut("value") {
        for entry in skus.iter_mut().filter(|entry| entry["skuId"] == sku) {
            let before = entry["prepaidUnits"]["enabled"].as_i64().unwrap_or(0)
                + entry["prepaidUnits"]["warning"].as_i64().unwrap_or(0);
            let consumed = entry["consumedUnits"].as_i64().unwrap_or(0);
            let now = enabled(
                entry["prepaidUnits"]["enabled"].as_i64().unwrap_or(0),
                consumed,
            );
            entry["prepaidUnits"]["enabled"] = Value::from(now);
            if clear_warning {
                entry["prepaidUnits"]["warning"] = Value::from(0);
            }
            found = Some((before, consumed));
        }
    }
    write_json(&path, &document);
    found.expect("the SKU is subscribed")
}

fn audit_into_history(snapshot: &Path, out: &Path, root: &Path) -> std::process::Output {
    seatwise(&[
        "audit",
        snapshot.to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        "--no-report",
        &format!("--history={}", root.display()),
    ])
}

fn recorded(output: &std::process::Output) {
    assert!(
        output.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
}

pub(crate) fn document(audit: &Path) -> FindingsDocument {
    findings::read(&audit.join("findings.json"))
        .expect("findings")
        .0
}

type Key = (FindingKind, Option<String>, String);

fn key(finding: &FindingRecord) -> Key {
    (
        finding.kind,
        finding.user_id.clone(),
        finding.sku_id.clone(),
    )
}

fn keys<'a>(findings: impl IntoIterator<Item = &'a FindingRecord>) -> BTreeSet<Key> {
    findings.into_iter().map(key).collect()
}

fn diff_keys<'a>(
    findings: impl IntoIterator<Item = &'a seatwise::history::diff::DiffFinding>,
) -> BTreeSet<Key> {
    findings.into_iter().map(diff_key).collect()
}

/// The pairing key of a finding of the comparison, as text.
fn diff_key(finding: &seatwise::history::diff::DiffFinding) -> Key {
    (
        finding.kind,
        finding.user_id.map(|id| id.to_string()),
        finding.sku_id.to_string(),
    )
}

/// The users of a month folder who hold a paid, priced SKU and are active in its window.
fn active_paid_holders(month_dir: &Path, window_first_day: NaiveDate) -> BTreeSet<String> {
    let skus = read_table(month_dir, Table::Skus).expect("skus");
    let ids = skus.column("sku_id").expect("sku_id").str().expect("str");
    let prices = skus
        .column("monthly_price")
        .expect("price")
        .i64()
        .expect("i64");
    let paid = skus.column("is_paid").expect("paid").bool().expect("bool");
    let priced: BTreeSet<String> = (0..skus.height())
        .filter(|&row| paid.get(row) == Some(true) && prices.get(row).is_some_and(|p| p > 0))
        .filter_map(|row| ids.get(row).map(str::to_string))
        .collect();
    let holdings = read_table(month_dir, Table::Holdings).expect("holdings");
    let holders = holdings
        .column("user_id")
        .expect("user")
        .str()
        .expect("str");
    let held = holdings.column("sku_id").expect("sku").str().expect("str");
    let paid_holders: BTreeSet<String> = (0..holdings.height())
        .filter(|&row| held.get(row).is_some_and(|sku| priced.contains(sku)))
        .filter_map(|row| holders.get(row).map(str::to_string))
        .collect();
    let users = read_table(month_dir, Table::Users).expect("users");
    let ids = users.column("user_id").expect("id").str().expect("str");
    let last = users
        .column("last_activity")
        .expect("last")
        .cast(&polars::prelude::DataType::Int64)
        .expect("cast");
    let last = last.i64().expect("i64");
    let first = window_first_day
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp_millis();
    (0..users.height())
        .filter(|&row| last.get(row).is_some_and(|moment| moment >= first))
        .filter_map(|row| ids.get(row).map(str::to_string))
        .filter(|id| paid_holders.contains(id))
        .collect()
}

/// Who the test changes, chosen from the first month's findings.
struct Cast {
    /// Inactive, signs in again in the second month.
    returning: String,
    /// Inactive; loses `license` in the second month and gets it back in the third.
    reclaimed: String,
    license: String,
    license_part: String,
    /// Inactive; deleted in the second month.
    deleted: String,
    /// Active paid holder; goes quiet in the second month.
    quiet: String,
    /// Idle seats: `bought` gets 5 more seats, `cut` is cut to its assigned seats.
    bought: String,
    cut: String,
}

fn cast(first: &FindingsDocument, snapshot: &Path, priced: &BTreeSet<String>) -> Cast {
    let mut inactive: BTreeMap<String, Vec<&FindingRecord>> = BTreeMap::new();
    for finding in &first.findings {
        if finding.kind == FindingKind::InactiveHolder {
            let user = finding.user_principal_name.clone().expect("user finding");
            inactive.entry(user).or_default().push(finding);
        }
    }
    let only_inactive = |findings: &Vec<&FindingRecord>| {
        findings
            .iter()
            .all(|finding| finding.reason == Some(FindingReason::Inactive))
    };
    let mut quiet_ones = inactive.values().filter(|findings| only_inactive(findings));
    let returning = quiet_ones.next().expect("an inactive user")[0];
    let reclaimed = quiet_ones.next().expect("a second inactive user")[0];
    let deleted = quiet_ones.next().expect("a third inactive user")[0];
    let flagged: BTreeSet<String> = first
        .findings
        .iter()
        .filter(|finding| finding.kind == FindingKind::InactiveHolder)
        .filter_map(|finding| finding.user_id.clone())
        .collect();
    let quiet = users(snapshot)
        .into_iter()
        .find(|user| {
            let id = user["id"].as_str().unwrap_or_default();
            user["accountEnabled"] == Value::Bool(true)
                && !flagged.contains(id)
                && user["assignedLicenses"].as_array().is_some_and(|licenses| {
                    licenses.iter().any(|license| {
                        license["skuId"]
                            .as_str()
                            .is_some_and(|sku| priced.contains(sku))
                    })
                })
        })
        .expect("an active paid holder");
    let idle: Vec<&FindingRecord> = first
        .findings
        .iter()
        .filter(|finding| finding.kind == FindingKind::IdleSeats)
        .collect();
    assert!(idle.len() >= 2, "the tenant has idle seats on two SKUs");
    let id = |finding: &FindingRecord| finding.user_id.clone().expect("user id");
    Cast {
        returning: id(returning),
        reclaimed: id(reclaimed),
        license: reclaimed.sku_id.clone(),
        license_part: reclaimed.sku_part_number.clone(),
        deleted: id(deleted),
        quiet: quiet["id"].as_str().expect("id").to_string(),
        bought: idle[0].sku_id.clone(),
        cut: idle[1].sku_id.clone(),
    }
}

fn priced_skus(month_dir: &Path) -> BTreeSet<String> {
    let skus = read_table(month_dir, Table::Skus).expect("skus");
    let ids = skus.column("sku_id").expect("sku_id").str().expect("str");
    let prices = skus
        .column("monthly_price")
        .expect("price")
        .i64()
        .expect("i64");
    let paid = skus.column("is_paid").expect("paid").bool().expect("bool");
    (0..skus.height())
        .filter(|&row| paid.get(row) == Some(true) && prices.get(row).is_some_and(|p| p > 0))
        .filter_map(|row| ids.get(row).map(str::to_string))
        .collect()
}

pub(crate) struct ThreeMonths {
    _temp: tempfile::TempDir,
    pub(crate) root: PathBuf,
    pub(crate) audits: [PathBuf; 3],
    pub(crate) snapshots: [PathBuf; 3],
    cast: Cast,
    /// (purchased before, consumed) of `cast.cut`.
    cut_seats: (i64, i64),
    quiet_skus: BTreeSet<String>,
    first_window: NaiveDate,
}

pub(crate) fn three_months() -> ThreeMonths {
    let temp = tempfile::tempdir().expect("temp dir");
    let base = temp.path().join("snapshots");
    let root = temp.path().join("history");
    let snapshot = |index: usize| base.join(format!("month-{index}"));
    let work = temp.path().to_path_buf();
    let audit = |index: usize| work.join(format!("audit-{index}"));
    let output = seatwise(&[
        "generate",
        "--users",
        "60",
        "--seed",
        "11",
        "--as-of",
        FIRST,
        "--out",
        snapshot(1).to_str().expect("path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    // Without the audit log premium use is unknown, so only the changes below move findings.
    std::fs::remove_dir_all(snapshot(1).join("audit")).expect("remove audit log");
    recorded(&audit_into_history(&snapshot(1), &audit(1), &root));
    let first = document(&audit(1));
    let first_dir = root.join("month=2026-09");
    let priced = priced_skus(&first_dir);
    let cast = cast(&first, &snapshot(1), &priced);

    next_month(&snapshot(1), &snapshot(2), FIRST, SECOND);
    set_sign_ins(&snapshot(2), &cast.returning, "2026-09-28T10:00:00Z");
    let removed = remove_license(&snapshot(2), &cast.reclaimed, &cast.license);
    edit_users(&snapshot(2), |users| {
        users.retain(|user| user["id"] != cast.deleted.as_str())
    });
    set_sign_ins(&snapshot(2), &cast.quiet, "2026-03-02T10:00:00Z");
    set_seats(&snapshot(2), &cast.bought, false, |enabled, _| enabled + 5);
    let cut_seats = set_seats(&snapshot(2), &cast.cut, true, |_, consumed| consumed);
    recorded(&audit_into_history(&snapshot(2), &audit(2), &root));

    next_month(&snapshot(2), &snapshot(3), SECOND, THIRD);
    give_back(&snapshot(3), &cast.reclaimed, &removed);
    recorded(&audit_into_history(&snapshot(3), &audit(3), &root));

    let quiet_skus = users(&snapshot(1))
        .into_iter()
        .find(|user| user["id"] == cast.quiet.as_str())
        .and_then(|user| user["assignedLicenses"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|license| license["skuId"].as_str().map(str::to_string))
        .filter(|sku| priced.contains(sku))
        .collect();
    ThreeMonths {
        _temp: temp,
        root,
        audits: [audit(1), audit(2), audit(3)],
        snapshots: [snapshot(1), snapshot(2), snapshot(3)],
        cast,
        cut_seats,
        quiet_skus,
        first_window: first.window_first_day,
    }
}

#[test]
fn three_months_of_a_changing_tenant_compare_exactly() {
    let months = three_months();
    let cast = &months.cast;
    let [first, second, third] = months.audits.clone().map(|audit| document(&audit));

    // The list: three months, one tenant, their counts.
    let entries = history::list(&months.root).expect("list");
    let listed: Vec<String> = entries
        .iter()
        .map(|entry| entry.month.to_string())
        .collect();
    assert_eq!(listed, ["2026-09", "2026-10", "2026-11"]);
    for (entry, document) in entries.iter().zip([&first, &second, &third]) {
        assert_eq!(entry.findings, document.findings.len());
        assert_eq!(entry.summary, document.summary);
        assert_eq!(Some(&entry.tenant_id), document.snapshot.tenant_id.as_ref());
    }
    let text = stdout(&seatwise(&[
        "history",
        "list",
        "--root",
        months.root.to_str().expect("path"),
    ]));
    assert!(text.contains("2026-11   2026-11-01"), "{text}");

    // September to October.
    let diff =
        history::diff(&months.root, Some(month("2026-09")), Some(month("2026-10"))).expect("diff");
    let of_user = |findings: &[FindingRecord], user: &str| -> BTreeSet<Key> {
        keys(
            findings
                .iter()
                .filter(|finding| finding.user_id.as_deref() == Some(user)),
        )
    };
    let returning: BTreeSet<Key> = of_user(&first.findings, &cast.returning)
        .into_iter()
        .filter(|(kind, _, _)| *kind == FindingKind::InactiveHolder)
        .collect();
    let removed: BTreeSet<Key> = of_user(&first.findings, &cast.reclaimed)
        .into_iter()
        .filter(|(_, _, sku)| *sku == cast.license)
        .collect();
    let deleted = of_user(&first.findings, &cast.deleted);
    let cut: Key = (FindingKind::IdleSeats, None, cast.cut.clone());
    let quiet: BTreeSet<Key> = months
        .quiet_skus
        .iter()
        .map(|sku| {
            (
                FindingKind::InactiveHolder,
                Some(cast.quiet.clone()),
                sku.clone(),
            )
        })
        .collect();
    assert!(!quiet.is_empty() && !returning.is_empty() && !removed.is_empty());

    assert_eq!(
        diff_keys(&diff.new),
        quiet,
        "the quiet user's licenses are new findings"
    );
    let mut expected_resolved: BTreeMap<Key, Resolution> = BTreeMap::new();
    for found in &returning {
        expected_resolved.insert(found.clone(), Resolution::UserActiveAgain);
    }
    for found in &removed {
        expected_resolved.insert(found.clone(), Resolution::LicenseRemoved);
    }
    for found in &deleted {
        expected_resolved.insert(found.clone(), Resolution::UserDeleted);
    }
    expected_resolved.insert(cut.clone(), Resolution::SeatsCut);
    let resolved: BTreeMap<Key, Resolution> = diff
        .resolved
        .iter()
        .map(|found| {
            let finding = &found.finding;
            (diff_key(finding), found.resolution)
        })
        .collect();
    assert_eq!(resolved, expected_resolved);
    let first_keys = keys(&first.findings);
    let persisting: BTreeSet<Key> = first_keys
        .iter()
        .filter(|found| !expected_resolved.contains_key(*found))
        .cloned()
        .collect();
    assert_eq!(
        diff_keys(diff.persisting.iter().map(|found| &found.finding)),
        persisting
    );
    assert!(diff.persisting.iter().all(|found| found.age_months == 2));
    assert_eq!(diff.totals.new, quiet.len());
    assert_eq!(diff.totals.resolved, expected_resolved.len());
    assert_eq!(diff.totals.persisting, persisting.len());
    assert_eq!(
        diff.totals
            .resolved_by
            .get(&Resolution::UserDeleted)
            .copied(),
        Some(deleted.len())
    );
    assert!(diff.returned.is_empty());

    // Seats: five bought on one SKU, the idle ones cut on another; idle seats of the first
    // persist with the five seats' price added.
    let idle = |document: &FindingsDocument, sku: &str| {
        document
            .findings
            .iter()
            .find(|finding| finding.kind == FindingKind::IdleSeats && finding.sku_id == sku)
            .cloned()
            .expect("idle seats")
    };
    let bought_before = idle(&first, &cast.bought);
    let bought_price = Money(bought_before.monthly_amount.0 / bought_before.seats.expect("seats"));
    let cut_before = idle(&first, &cast.cut);
    let cut_price = Money(cut_before.monthly_amount.0 / cut_before.seats.expect("seats"));
    let bought_persisting = diff
        .persisting
        .iter()
        .find(|found| {
            found.finding.kind == FindingKind::IdleSeats
                && found.finding.sku_id.to_string() == cast.bought
        })
        .expect("persisting idle seats");
    assert_eq!(bought_persisting.amount_change, bought_price.times(5));
    let (cut_purchased, cut_consumed) = months.cut_seats;
    let seats: Vec<(String, i64)> = diff
        .seats
        .iter()
        .map(|seat| (seat.sku_id.to_string(), seat.change))
        .collect();
    let mut expected_seats = vec![
        (cast.bought.clone(), 5),
        (cast.cut.clone(), cut_consumed - cut_purchased),
    ];
    expected_seats.sort_by_key(|(sku, _)| {
        diff.seats
            .iter()
            .position(|seat| &seat.sku_id.to_string() == sku)
            .unwrap_or(usize::MAX)
    });
    assert_eq!(seats, expected_seats);
    assert_eq!(diff.totals.seats_bought, 5);
    assert_eq!(diff.totals.seats_cut, cut_purchased - cut_consumed);
    let cost_change =
        Money(bought_price.times(5).0 + cut_price.times(cut_consumed - cut_purchased).0);
    assert_eq!(diff.money.monthly_cost.change, cost_change);
    assert_eq!(
        diff.money.monthly_cost.to, second.summary.monthly_cost,
        "the later month's cost"
    );
    assert_eq!(
        diff.money.monthly_savings.change,
        Money(second.summary.monthly_savings.0 - first.summary.monthly_savings.0)
    );

    // Cohorts.
    let cohorts = &diff.cohorts;
    assert!(cohorts.activity_known);
    let ids = |users: &[seatwise::history::cohorts::CohortUser]| -> Vec<String> {
        users.iter().map(|user| user.user_id.to_string()).collect()
    };
    assert_eq!(ids(&cohorts.reactivated), vec![cast.returning.clone()]);
    assert_eq!(ids(&cohorts.lapsed), vec![cast.quiet.clone()]);
    let reclaimed: BTreeMap<String, (Vec<String>, bool)> = cohorts
        .reclaimed
        .iter()
        .map(|user| {
            (
                user.user_id.to_string(),
                (user.sku_part_numbers.clone(), user.user_deleted),
            )
        })
        .collect();
    assert_eq!(
        reclaimed.keys().cloned().collect::<BTreeSet<_>>(),
        BTreeSet::from([cast.reclaimed.clone(), cast.deleted.clone()])
    );
    assert_eq!(
        reclaimed[&cast.reclaimed],
        (vec![cast.license_part.clone()], false)
    );
    assert!(reclaimed[&cast.deleted].1, "the deleted user is marked so");
    let active_before =
        active_paid_holders(&months.root.join("month=2026-09"), months.first_window);
    assert!(active_before.contains(&cast.quiet));
    assert_eq!(cohorts.counts.retained, active_before.len() - 1);
    assert_eq!(cohorts.counts.reactivated, 1);
    assert_eq!(cohorts.counts.lapsed, 1);
    assert_eq!(cohorts.counts.reclaimed, 2);

    // October to November (the default: the last two months): the license comes back.
    let latest = history::diff(&months.root, None, None).expect("default diff");
    assert_eq!(
        (latest.from.month, latest.to.month),
        (month("2026-10"), month("2026-11"))
    );
    assert_eq!(
        diff_keys(&latest.new),
        removed,
        "the returned license's findings are new again"
    );
    assert!(latest.resolved.is_empty(), "{:?}", latest.resolved);
    assert_eq!(latest.returned.len(), 1);
    let back = &latest.returned[0];
    assert_eq!(
        (
            back.user_id.to_string().as_str(),
            back.sku_id.to_string().as_str(),
            back.held_until,
            back.absent_from,
            back.was_flagged
        ),
        (
            cast.reclaimed.as_str(),
            cast.license.as_str(),
            month("2026-09"),
            month("2026-10"),
            true
        )
    );
    let ages: BTreeMap<Key, usize> = latest
        .persisting
        .iter()
        .map(|found| {
            let finding = &found.finding;
            (diff_key(finding), found.age_months)
        })
        .collect();
    for (found, age) in &ages {
        let expected = if quiet.contains(found) { 2 } else { 3 };
        assert_eq!(*age, expected, "{found:?}");
    }
    assert_eq!(
        ages.keys().cloned().collect::<BTreeSet<_>>(),
        keys(&second.findings)
    );
    assert!(latest.seats.is_empty());
    assert_eq!(latest.money.monthly_cost.change, Money::ZERO);
    assert_eq!(
        latest.cohorts.counts.reactivated + latest.cohorts.counts.lapsed,
        0
    );
    assert!(latest.cohorts.reclaimed.is_empty());

    // September to November: the license held in both is returned, and its findings are
    // one month old (absent in October).
    let span = history::diff(&months.root, Some(month("2026-09")), None).expect("span");
    assert_eq!(span.months_between, [month("2026-10")]);
    assert_eq!(span.returned.len(), 1);
    for found in &span.persisting {
        let key = diff_key(&found.finding);
        assert_eq!(
            found.age_months,
            if removed.contains(&key) { 1 } else { 3 },
            "{key:?}"
        );
    }

    // The command line: the same model as JSON, and the terminal text.
    let root = months.root.to_str().expect("path");
    let json = seatwise(&[
        "history", "diff", "--root", root, "--from", "2026-09", "--to", "2026-10", "--json",
    ]);
    assert!(json.status.success(), "{}", stderr(&json));
    let value: Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(value["schema"], "seatwise.history-diff/1");
    assert_eq!(value["totals"]["new"], diff.totals.new);
    assert_eq!(
        value,
        serde_json::to_value(&diff).expect("model"),
        "--json writes the model"
    );
    let text = stdout(&seatwise(&["history", "diff", "--root", root]));
    assert!(text.contains("What changed from 2026-10"), "{text}");
    assert!(
        text.contains("returned licenses (held again after a month without): 1"),
        "{text}"
    );
    let bad = seatwise(&[
        "history", "diff", "--root", root, "--from", "2026-11", "--to", "2026-09",
    ]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    let missing = seatwise(&["history", "diff", "--root", root, "--from", "2026-01"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no month 2026-01"),
        "{}",
        stderr(&missing)
    );

    // Pruning keeps the latest months.
    let prune = seatwise(&["history", "prune", "--root", root, "--keep-months", "2"]);
    assert!(prune.status.success(), "{}", stderr(&prune));
    assert_eq!(stdout(&prune), "removed 2026-09\n");
    let left: Vec<String> = history::list(&months.root)
        .expect("list")
        .iter()
        .map(|entry| entry.month.to_string())
        .collect();
    assert_eq!(left, ["2026-10", "2026-11"]);
    for compared in [&diff, &latest, &span] {
        assert_totals_count_the_lists(compared);
    }
}

/// `seatwise history record AUDIT --root ROOT`.
fn history_record(audit: &Path, root: &Path) -> std::process::Output {
    seatwise(&[
        "history",
        "record",
        audit.to_str().expect("path"),
        "--root",
        root.to_str().expect("path"),
    ])
}

/// Records `audits` into the history root `root`, in that order.
fn record_audits<'a>(root: &Path, audits: impl IntoIterator<Item = &'a Path>) {
    for audit in audits {
        recorded(&history_record(audit, root));
    }
}

#[test]
fn ages_are_the_same_recorded_out_of_order_without_their_files_and_after_pruning() {
    let months = three_months();
    let compared = |root: &Path| {
        (
            history::diff(root, None, None).expect("latest diff"),
            history::diff(root, Some(month("2026-09")), None).expect("span diff"),
        )
    };
    let in_order = compared(&months.root);
    assert!(
        in_order
            .0
            .persisting
            .iter()
            .any(|found| found.age_months == 3),
        "findings held in all three months are three months old"
    );

    // The latest month first, then the earliest, then the one between: the later months'
    // ages are carried forward again each time.
    let shuffled = months.root.with_file_name("shuffled");
    record_audits(
        &shuffled,
        [2, 0, 1].map(|index| months.audits[index].as_path()),
    );
    assert_eq!(compared(&shuffled), in_order);

    // Months recorded without ages (by an earlier seatwise) carry them forward on reading.
    let without = months.root.with_file_name("without-ages");
    copy_dir(&months.root, &without);
    for (_, dir) in history::store::month_folders(&without).expect("months") {
        std::fs::remove_file(dir.join(history::ages::FILE_NAME)).expect("ages removed");
    }
    assert_eq!(compared(&without), in_order);

    // A damaged ages file is refused by name.
    let ages_file = months
        .root
        .join("month=2026-11")
        .join(history::ages::FILE_NAME);
    let kept = std::fs::read(&ages_file).expect("ages");
    std::fs::write(&ages_file, b"not parquet").expect("damaged");
    let error = history::diff(&months.root, None, None)
        .expect_err("damaged ages")
        .to_string();
    let named = Path::new("month=2026-11").join(history::ages::FILE_NAME);
    assert!(error.contains(&named.display().to_string()), "{error}");

    // A stale ages file (as a run killed while carrying ages forward leaves, or a month
    // restored from a backup) is recognised by its lineage and not used.
    let rows = read_table(&months.root.join("month=2026-11"), Table::Findings)
        .expect("findings")
        .height();
    let mut stale = Vec::new();
    history::ages::write(&vec![9; rows], &Vec::new(), &mut stale).expect("stale ages");
    std::fs::write(&ages_file, stale).expect("stale");
    assert_eq!(compared(&months.root), in_order);
    std::fs::write(&ages_file, kept).expect("restored");

    // The lineage is read from every earlier month's manifest: a damaged one is named.
    let manifest = months.root.join("month=2026-09").join("manifest.json");
    let kept_manifest = std::fs::read(&manifest).expect("manifest");
    std::fs::write(&manifest, b"{").expect("damaged");
    let error = history::diff(&months.root, None, None)
        .expect_err("damaged manifest")
        .to_string();
    let named = Path::new("month=2026-09").join("manifest.json");
    assert!(error.contains(&named.display().to_string()), "{error}");
    std::fs::write(&manifest, kept_manifest).expect("restored");

    // Pruning the first month starts the ages at the oldest month kept: as if the history
    // began there (the license returned after September is no longer known to have been held).
    history::prune(&months.root, 2).expect("pruned");
    let pruned = history::diff(&months.root, None, None).expect("latest diff");
    let from_october = months.root.with_file_name("from-october");
    record_audits(
        &from_october,
        [1, 2].map(|index| months.audits[index].as_path()),
    );
    let fresh = history::diff(&from_october, None, None).expect("fresh diff");
    assert_eq!(pruned, fresh);
    assert!(pruned.returned.is_empty());
    assert!(pruned.persisting.iter().all(|found| found.age_months == 2));
}

#[test]
fn a_month_recorded_again_is_kept_when_a_later_month_cannot_take_its_ages() {
    let months = three_months();
    // November's findings cannot be read: recording October again cannot carry the ages
    // into November. October is recorded all the same, with a warning.
    let november = months.root.join("month=2026-11");
    std::fs::write(november.join("findings.parquet"), b"damaged").expect("damaged");
    let output = history_record(&months.audits[1], &months.root);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the later months' ages were not carried forward")
            && stderr(&output).contains("findings.parquet"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("history: replaced 2026-10"));
    let october = history::diff(&months.root, None, Some(month("2026-10"))).expect("diff");
    assert!(october.persisting.iter().all(|found| found.age_months == 2));
}

/// Rewrites `table` of the folder `dir` with `value` in row `row` (from 0) of the text
/// column `column`.
fn set_text(dir: &Path, table: Table, column: &str, row: usize, value: &str) {
    let mut frame = read_table(dir, table).expect("table");
    let mut values: Vec<Option<String>> = frame
        .column(column)
        .expect("column")
        .str()
        .expect("text")
        .iter()
        .map(|text| text.map(str::to_string))
        .collect();
    values[row] = Some(value.to_string());
    frame
        .replace(column, polars::prelude::Column::new(column.into(), values))
        .expect("replaced");
    let file = std::fs::File::create(dir.join(table.file_name())).expect("file");
    seatwise::report::tables::write_table(table, &frame, file).expect("written");
}

#[test]
fn an_id_that_is_not_a_guid_is_refused_by_file_row_and_field() {
    let months = three_months();
    // In a recorded month's holdings.
    let dir = months.root.join("month=2026-11");
    set_text(&dir, Table::Holdings, "user_id", 1, "not-a-guid");
    let error = history::diff(&months.root, None, None)
        .expect_err("refused")
        .to_string();
    assert!(
        error.contains("holdings.parquet")
            && error.contains("row 2: user_id: not a GUID: \"not-a-guid\""),
        "{error}"
    );

    // In the findings of an audit being recorded: refused naming the audit's table, before
    // the history changes.
    let audit = months.root.with_file_name("damaged-audit");
    copy_dir(&months.audits[2], &audit);
    set_text(&audit, Table::Findings, "sku_id", 0, "E5");
    let root = months.root.with_file_name("untouched");
    let output = history_record(&audit, &root);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains(&audit.join("findings.parquet").display().to_string())
            && message.contains("row 1: sku_id: not a GUID: \"E5\""),
        "{message}"
    );
    assert!(!root.join("month=2026-11").exists());
}

/// Totals agree with the lists they count.
fn assert_totals_count_the_lists(diff: &HistoryDiff) {
    assert_eq!(diff.totals.new, diff.new.len());
    assert_eq!(diff.totals.resolved, diff.resolved.len());
    assert_eq!(diff.totals.persisting, diff.persisting.len());
    assert_eq!(
        diff.totals
            .by_kind
            .values()
            .map(|kind| kind.new)
            .sum::<usize>(),
        diff.new.len()
    );
    assert_eq!(diff.totals.returned, diff.returned.len());
    assert_eq!(
        diff.totals.resolved_by.values().sum::<usize>(),
        diff.resolved.len()
    );
}

fn small_history_snapshot(temp: &Path, name: &str) -> PathBuf {
    let dir = temp.join(name);
    crate::util::write_small_snapshot(&dir);
    dir
}

fn seatwise_with_fault(args: &[&str], fault: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .args(args)
        .env("SEATWISE_FAULT", fault)
        .output()
        .expect("run seatwise")
}

fn hidden_entries(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .expect("list")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn a_live_lock_refuses_a_second_run_and_a_dead_one_is_taken_over() {
    let temp = tempfile::tempdir().expect("temp dir");
    let snapshot = small_history_snapshot(temp.path(), "snapshot");
    let root = temp.path().join("history");
    let audit = temp.path().join("audit");
    std::fs::create_dir_all(&root).expect("mkdir");
    let mut holder = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .expect("a process holding the lock");
    let lock = root.join(seatwise::history::lock::LOCK_FILE);
    std::fs::write(&lock, format!("{}\n", holder.id())).expect("lock");

    let output = audit_into_history(&snapshot, &audit, &root);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains(&lock.display().to_string()), "{message}");
    assert!(
        message.contains(&format!("(process {})", holder.id())),
        "{message}"
    );
    assert!(!root.join("month=2026-11").exists());
    assert!(
        audit.join("findings.json").exists(),
        "the audit itself was written"
    );

    holder.kill().expect("kill");
    holder.wait().expect("wait");
    let output = history_record(&audit, &root);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        format!(
            "history: recorded 2026-11 in {}\n",
            root.join("month=2026-11").display()
        )
    );
    assert!(root.join("month=2026-11/manifest.json").exists());
    assert!(!lock.exists(), "the lock is released");
}

#[test]
fn a_killed_write_leaves_earlier_months_intact_and_the_rerun_succeeds() {
    let temp = tempfile::tempdir().expect("temp dir");
    let snapshot = small_history_snapshot(temp.path(), "snapshot");
    let root = temp.path().join("history");
    let root_arg = root.to_str().expect("path");
    let october = temp.path().join("audit-october");
    let output = seatwise(&[
        "audit",
        snapshot.to_str().expect("path"),
        "--as-of",
        "2026-10-01",
        "--out",
        october.to_str().expect("path"),
        "--no-report",
        &format!("--history={root_arg}"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let kept = root.join("month=2026-10");
    let manifest = std::fs::read(kept.join("manifest.json")).expect("manifest");
    let findings = std::fs::read(kept.join("findings.parquet")).expect("findings");

    let november = temp.path().join("audit-november");
    let output = seatwise(&[
        "audit",
        snapshot.to_str().expect("path"),
        "--out",
        november.to_str().expect("path"),
        "--no-report",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let record = [
        "history",
        "record",
        november.to_str().expect("path"),
        "--root",
        root_arg,
    ];
    let killed = seatwise_with_fault(&record, "history-after-tables");
    assert!(!killed.status.success(), "the fault aborts the write");
    assert!(
        !root.join("month=2026-11").exists(),
        "no half month appears"
    );
    let leftovers = hidden_entries(&root);
    assert!(
        leftovers
            .iter()
            .any(|name| name.starts_with(".month=2026-11.partial-")),
        "{leftovers:?}"
    );
    assert!(leftovers.contains(&seatwise::history::lock::LOCK_FILE.to_string()));
    assert_eq!(
        std::fs::read(kept.join("manifest.json")).expect("manifest"),
        manifest
    );
    assert_eq!(
        std::fs::read(kept.join("findings.parquet")).expect("findings"),
        findings
    );
    let months: Vec<String> = history::list(&root)
        .expect("list")
        .iter()
        .map(|entry| entry.month.to_string())
        .collect();
    assert_eq!(months, ["2026-10"]);

    // The rerun takes over the dead run's lock, cleans its staging folder and records.
    let rerun = seatwise(&record);
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    assert!(
        hidden_entries(&root).is_empty(),
        "{:?}",
        hidden_entries(&root)
    );
    let months: Vec<String> = history::list(&root)
        .expect("list")
        .iter()
        .map(|entry| entry.month.to_string())
        .collect();
    assert_eq!(months, ["2026-10", "2026-11"]);

    // A killed re-recording leaves the month as it was; a finished one replaces it.
    let before = std::fs::read(root.join("month=2026-11/manifest.json")).expect("manifest");
    let killed = seatwise_with_fault(&record, "history-after-tables");
    assert!(!killed.status.success());
    assert_eq!(
        std::fs::read(root.join("month=2026-11/manifest.json")).expect("manifest"),
        before
    );
    let rerun = seatwise(&record);
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    assert!(
        stdout(&rerun).starts_with("history: replaced 2026-11"),
        "{}",
        stdout(&rerun)
    );
    assert!(
        hidden_entries(&root).is_empty(),
        "{:?}",
        hidden_entries(&root)
    );
}

#[test]
fn another_tenant_another_currency_or_no_tenant_is_refused_by_file_and_field() {
    let temp = tempfile::tempdir().expect("temp dir");
    let snapshot = small_history_snapshot(temp.path(), "snapshot");
    let root = temp.path().join("history");
    let root_arg = format!("--history={}", root.display());
    let audit = |snapshot: &Path, name: &str, extra: &[&str]| {
        let out = temp.path().join(format!("audit-{name}"));
        let mut args = vec![
            "audit".to_string(),
            snapshot.display().to_string(),
            "--out".to_string(),
            out.display().to_string(),
            "--no-report".to_string(),
        ];
        args.extend(extra.iter().map(|arg| arg.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        (seatwise(&args), out)
    };
    let (output, _) = audit(&snapshot, "october", &["--as-of", "2026-10-01", &root_arg]);
    assert!(output.status.success(), "{}", stderr(&output));

    // Another tenant.
    let other = small_history_snapshot(temp.path(), "other-tenant");
    std::fs::write(
        other.join("snapshot.json"),
        r#"{"tenantId":"other","collectedAt":"2026-11-01T06:00:00Z"}"#,
    )
    .expect("write");
    let (output, out) = audit(&other, "other", &[&root_arg]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains(&format!(
            "{}: snapshot.tenant_id is \"other\", but this history holds \"t\" (2026-10)",
            out.join("findings.json").display()
        )),
        "{message}"
    );

    // Another currency.
    let euros = small_history_snapshot(temp.path(), "euros");
    std::fs::write(
        euros.join("prices.csv"),
        "SkuPartNumber,MonthlyPrice,Currency\nSPE_E5,52.00,EUR\nPOWERAPPS_PER_USER,18.50,EUR\n",
    )
    .expect("write");
    let (output, out) = audit(&euros, "euros", &[&root_arg]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains(&format!(
            "{}: currency is \"EUR\", but this history holds \"USD\"",
            out.join("findings.json").display()
        )),
        "{message}"
    );

    // No tenant: refused before the audit runs, naming snapshot.json's field.
    let anonymous = small_history_snapshot(temp.path(), "anonymous");
    std::fs::write(
        anonymous.join("snapshot.json"),
        r#"{"collectedAt":"2026-11-01T06:00:00Z"}"#,
    )
    .expect("write");
    let (output, out) = audit(&anonymous, "anonymous", &[&root_arg]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains(&format!(
            "{}: tenantId is missing",
            anonymous.join("snapshot.json").display()
        )),
        "{message}"
    );
    assert!(!out.exists(), "nothing is written");
    // An audit made without a tenant is refused by `history record`, naming findings.json.
    let (output, out) = audit(&anonymous, "anonymous", &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = seatwise(&[
        "history",
        "record",
        out.to_str().expect("path"),
        "--root",
        root.to_str().expect("path"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(&format!(
            "{}: snapshot.tenant_id is missing",
            out.join("findings.json").display()
        )),
        "{}",
        stderr(&output)
    );

    // A different window is recorded with a warning.
    let (output, _) = audit(&snapshot, "november", &["--window-days", "60", &root_arg]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("warning: 2026-11: the window is 60 days, 2026-10 used 90 days"),
        "{}",
        stderr(&output)
    );
    let entries = history::list(&root).expect("list");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].warnings.len(), 1);
    let manifest = history::MonthManifest::read(&root.join("month=2026-11")).expect("manifest");
    assert_eq!(manifest.tenant_id, "t");
    assert_eq!(manifest.window_days, 60);
    assert_eq!(manifest.as_of, date("2026-11-01"));
    let paths: Vec<&str> = manifest
        .inputs
        .iter()
        .map(|input| input.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "apps.csv",
            "audit/purview.csv",
            "audit/search.csv",
            "snapshot.json",
            "subscribedSkus.json",
            "users.json"
        ]
    );
    assert!(
        manifest
            .inputs
            .iter()
            .all(|input| input.sha256.starts_with("sha256:") && input.sha256.len() == 71)
    );
}

#[test]
fn a_finding_that_changes_kind_is_one_resolved_and_one_new() {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().join("history");
    let ada = "11111111-1111-1111-1111-111111111111";
    let premium = "b30411f5-fea1-4a59-9ad9-3db7c7ead579";
    // October: Ada holds E5 and Power Apps Premium but has not signed in since January.
    let october = small_history_snapshot(temp.path(), "october");
    let users_path = october.join("users.json");
    let mut users = read_json(&users_path);
    users["value"][0]["signInActivity"] = serde_json::json!({
        "lastSignInDateTime": "2026-01-05T08:00:00Z",
        "lastNonInteractiveSignInDateTime": null,
        "lastSuccessfulSignInDateTime": "2026-01-05T08:00:00Z",
    });
    write_json(&users_path, &users);
    // November: she signs in again (as the small snapshot has it) but opens no premium app;
    // her principal name now carries an escape sequence.
    let november = small_history_snapshot(temp.path(), "november");
    let users_path = november.join("users.json");
    let mut users = read_json(&users_path);
    users["value"][0]["userPrincipalName"] = Value::String("Ada\u{1b}[2J@Contoso.com".into());
    write_json(&users_path, &users);
    let purview: Vec<&str> = crate::util::PURVIEW_AUDIT.split("\r\n").collect();
    std::fs::write(
        november.join("audit/purview.csv"),
        format!("{}\r\n{}\r\n", purview[0], purview[2]),
    )
    .expect("write");
    for (snapshot, as_of) in [(&october, "2026-10-25"), (&november, "2026-11-01")] {
        let output = seatwise(&[
            "audit",
            snapshot.to_str().expect("path"),
            "--as-of",
            as_of,
            "--audit-complete",
            "--out",
            temp.path()
                .join(format!("audit-{as_of}"))
                .to_str()
                .expect("path"),
            "--no-report",
            &format!("--history={}", root.display()),
        ]);
        recorded(&output);
    }
    let diff = history::diff(&root, None, None).expect("diff");
    let resolved: Vec<(FindingKind, &str, Resolution, Option<FindingKind>)> = diff
        .resolved
        .iter()
        .map(|found| {
            (
                found.finding.kind,
                found.finding.sku_part_number.as_str(),
                found.resolution,
                found.now_kind,
            )
        })
        .collect();
    assert_eq!(
        resolved,
        [
            (
                FindingKind::InactiveHolder,
                "POWERAPPS_PER_USER",
                Resolution::UserActiveAgain,
                Some(FindingKind::UnusedPremium)
            ),
            (
                FindingKind::InactiveHolder,
                "SPE_E5",
                Resolution::UserActiveAgain,
                None
            ),
        ]
    );
    assert_eq!(
        diff_keys(&diff.new),
        BTreeSet::from([(
            FindingKind::UnusedPremium,
            Some(ada.to_string()),
            premium.to_string()
        )])
    );
    let persisting: Vec<FindingKind> = diff
        .persisting
        .iter()
        .map(|found| found.finding.kind)
        .collect();
    assert!(
        persisting.contains(&FindingKind::MissingPremium),
        "{persisting:?}"
    );
    assert_eq!(diff.cohorts.counts.reactivated, 1);
    assert_eq!(
        diff.totals.resolved_by.get(&Resolution::UserActiveAgain),
        Some(&2)
    );
}

/// The digests history records of the large files are taken as they are read: they must be
/// the digests of the bytes as stored, for UTF-8 and UTF-16 (both byte orders) exports, an
/// empty one, users pages and `groups.json`, and leave nothing unhashed.
#[test]
fn files_digested_while_read_are_the_files_as_stored() {
    use seatwise::ingest::error::Strictness;
    use seatwise::ingest::{IngestOptions, read_snapshot};
    use seatwise::support::digest::FileDigest;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixtures = root.join("tests/fixtures/real-exports");
    for dir in [
        root.join("data/sample"),
        fixtures.join("ps51"),
        fixtures.join("ps51-apps-json"),
    ] {
        let options = IngestOptions {
            strictness: Strictness::Strict,
        };
        let snapshot = read_snapshot(&dir, &options).expect("readable snapshot");
        let audit_files = std::fs::read_dir(dir.join("audit"))
            .expect("audit folder")
            .count();
        let read_audit_files = snapshot
            .file_digests
            .keys()
            .filter(|path| path.parent() == Some(&dir.join("audit")))
            .count();
        assert_eq!(read_audit_files, audit_files, "{}", dir.display());
        for (path, digest) in &snapshot.file_digests {
            let bytes = std::fs::read(path).expect("readable file");
            assert_eq!(digest, &FileDigest::of(&bytes), "{}", path.display());
        }
        let known = history::inputs::hash_snapshot(&dir, &snapshot.file_digests).expect("hash");
        let fresh = history::inputs::hash_snapshot(&dir, &BTreeMap::new()).expect("hash");
        assert_eq!(known, fresh, "{}", dir.display());
        // The digests taken while reading are the ones recorded: those files are not read again.
        let mut planted = snapshot.file_digests.clone();
        for digest in planted.values_mut() {
            digest.sha256 = "sha256:planted".to_string();
        }
        let recorded = history::inputs::hash_snapshot(&dir, &planted).expect("hash");
        let taken_over = recorded
            .iter()
            .filter(|input| input.sha256 == "sha256:planted")
            .count();
        assert_eq!(taken_over, planted.len(), "{}", dir.display());
    }
}
