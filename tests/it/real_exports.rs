//! Snapshots in the byte shapes Microsoft's tools write (`tests/fixtures/real-exports/*`, each
//! with a README naming its sources): they are read unchanged, in strict mode, and evidence that
//! is missing (no sign-in data, no launch rows, an audit export that does not cover the window,
//! an unpaid subscription, no assignment states) never turns into a reclaim.

use crate::util::{seatwise, stderr, stdout};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

// People of the fixtures: the Microsoft Graph documentation's example users.
const ADELE: &str = "1aecaf40-dc3a-461f-88a8-d06994e12898";
const ALEX: &str = "f0662ee5-84b1-43d6-8338-769cce1bc141";
const GRADY: &str = "e8b753b5-4117-464e-9a08-713e1ff266b3";
const ADAMS: &str = "6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0";
const JOHN: &str = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";
const DEBRA: &str = "81a133c2-bdf2-4e67-8755-7264366b04ee";
const ADMIN: &str = "cb4954e8-467f-4a6d-a8c8-28b9034fadbc";
/// `renamed-user`: the current holder of the reused UPN `IsaiahL@contoso.com`.
const ISAIAH_NOW: &str = "b7e4d2a1-6c3f-4e8b-a5d9-0f1e2c3b4a59";
/// The licensing group of the fixtures (the Graph documentation's "HR Taskforce").
const HR_GROUP: &str = "02bd9fd6-8f93-4758-87c3-1fb73740a315";
/// The launch record that `duplicate-launches` and `conflicting-launch-ids` hold twice.
const SHARED_LAUNCH: &str = "96b84d78-f028-5cd3-aebb-bcef8c45ecdf";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-exports")
        .join(name)
}

/// One audit of a snapshot, in its own temporary folder.
struct Audit {
    temp: tempfile::TempDir,
    out: PathBuf,
    doc: Value,
}

impl Audit {
    /// The findings of `kind` for the user with object id `user_id`.
    fn of(&self, kind: &str, user_id: &str) -> Vec<&Value> {
        self.findings()
            .iter()
            .filter(|finding| finding["kind"] == kind && finding["user_id"] == user_id)
            .collect()
    }

    /// Every finding of `kind`.
    fn kind(&self, kind: &str) -> Vec<&Value> {
        self.findings()
            .iter()
            .filter(|finding| finding["kind"] == kind)
            .collect()
    }

    /// The object ids of the users with a finding of `kind`, sorted.
    fn users_with(&self, kind: &str) -> Vec<String> {
        let mut users: Vec<String> = self
            .kind(kind)
            .iter()
            .filter_map(|finding| finding["user_id"].as_str().map(str::to_string))
            .collect();
        users.sort();
        users.dedup();
        users
    }

    fn findings(&self) -> &Vec<Value> {
        self.doc["findings"].as_array().expect("findings array")
    }

    fn analysis(&self) -> &Value {
        &self.doc["data_quality"]["analysis"]
    }

    fn ingest(&self) -> &Value {
        &self.doc["data_quality"]["ingest"]
    }

    fn summary_md(&self) -> String {
        std::fs::read_to_string(self.out.join("summary.md")).expect("read summary.md")
    }

    /// A reclaim plan of this audit (no policy file: the defaults), planned the day after.
    fn reclaim_plan(&self) -> Value {
        let plan = self.temp.path().join("plan/plan.json");
        let output = seatwise(&[
            "plan",
            "reclaim",
            path_str(&self.out),
            "--out",
            path_str(&plan),
            "--on",
            "2026-11-02",
        ]);
        assert!(
            output.status.success(),
            "plan reclaim failed\nstdout: {}\nstderr: {}",
            stdout(&output),
            stderr(&output)
        );
        serde_json::from_slice(&std::fs::read(&plan).expect("read plan.json")).expect("plan json")
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Audits a fixture in strict mode and insists that it succeeds.
fn audit(name: &str, extra: &[&str]) -> Audit {
    audit_dir(&fixture(name), extra)
}

fn audit_dir(snapshot: &Path, extra: &[&str]) -> Audit {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("out");
    let mut args = vec!["audit", path_str(snapshot), "--out", path_str(&out)];
    args.extend_from_slice(extra);
    let output = seatwise(&args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "audit of {} failed\nstdout: {}\nstderr: {}",
        snapshot.display(),
        stdout(&output),
        stderr(&output)
    );
    let doc = serde_json::from_slice(&std::fs::read(out.join("findings.json")).expect("read"))
        .expect("findings.json is JSON");
    Audit { temp, out, doc }
}

/// The user ids that a plan's actions touch, sorted.
fn plan_users(plan: &Value) -> Vec<String> {
    let mut users: Vec<String> = plan["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(|action| action["user_id"].as_str().map(str::to_string))
        .collect();
    users.sort();
    users.dedup();
    users
}

fn amount(finding: &Value) -> f64 {
    finding["monthly_amount"].as_f64().expect("monthly_amount")
}

fn ids(list: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = list.iter().map(|id| id.to_string()).collect();
    ids.sort();
    ids
}

/// The findings the Graph documentation's tenant must produce, however it was exported.
fn assert_documentation_tenant(audit: &Audit, adele_last_activity: &str) {
    // Inactive holders: Adele (a real but old sign-in), Grady and John (placeholders only).
    assert_eq!(
        audit.users_with("inactive-holder"),
        ids(&[ADELE, GRADY, JOHN])
    );
    let adele = audit.of("inactive-holder", ADELE);
    assert_eq!(adele.len(), 1, "{adele:?}");
    assert_eq!(adele[0]["reason"], "inactive");
    assert_eq!(adele[0]["sku_part_number"], "ENTERPRISEPREMIUM");
    assert_eq!(adele[0]["last_activity"], adele_last_activity);
    for never in [GRADY, JOHN] {
        let found = audit.of("inactive-holder", never);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0]["reason"], "never-signed-in", "{never}");
        assert_eq!(found[0]["last_activity"], Value::Null, "{never}");
        assert_eq!(amount(found[0]), 38.0, "{never}");
    }
    // Adams's only real timestamp is a non-interactive sign-in in the window: active. Alex
    // opens one premium app in a whole month at most, which pay-as-you-go covers for less
    // than his Power Apps Premium license: his only finding is right-size.
    for active in [ALEX, ADAMS, ADMIN] {
        let kinds: Vec<&Value> = audit
            .findings()
            .iter()
            .filter(|finding| finding["user_id"] == active && finding["kind"] != "right-size")
            .collect();
        assert!(kinds.is_empty(), "{active} has findings: {kinds:?}");
    }
    let alex = audit.of("right-size", ALEX);
    assert_eq!(alex.len(), 1, "{alex:?}");
    assert_eq!(alex[0]["reason"], "pay-as-you-go");
    assert_eq!(audit.users_with("right-size"), ids(&[ALEX]));
    // Debra holds Power Apps Premium through the group and launched only a standard app.
    assert_eq!(audit.users_with("unused-premium"), ids(&[DEBRA]));
    let debra = audit.of("unused-premium", DEBRA);
    assert_eq!(debra[0]["sku_part_number"], "POWERAPPS_PER_USER");
    assert_eq!(debra[0]["assigned_by"], json!([HR_GROUP]));
    assert_eq!(audit.analysis()["activity_known"], true);
    assert_eq!(audit.analysis()["premium_use_known"], true);
}

/// Readable + placeholders: Graph docs shapes; `0001-01-01T00:00:00Z` is never, `""` is null.
#[test]
fn graph_documentation_examples_read_with_placeholders_as_never() {
    let audit = audit("graph-docs", &[]);
    assert_documentation_tenant(&audit, "2021-06-17T16:41:33Z");
    // The documentation's Power Apps end user is not in the directory: reported, not dropped.
    assert_eq!(audit.analysis()["unknown_user_premium_launches"], 1);
    assert_eq!(audit.ingest()["launch_rows"], 4);
    assert_eq!(audit.ingest()["other_operations"]["UserLoggedIn"], 2);
}

/// Readable: Windows PowerShell 5.1 bytes (UTF-16, PascalCase, `\/Date()\/`, `#TYPE`, 0-byte file).
#[test]
fn windows_powershell_exports_read_unchanged() {
    let audit = audit("ps51", &[]);
    assert_documentation_tenant(&audit, "2026-01-15T10:03:27Z");
    assert_eq!(audit.ingest()["audit_files"], 4);
    assert_eq!(audit.ingest()["launch_rows"], 4);
    assert_eq!(audit.ingest()["rejected"], json!([]));
}

/// Readable: `Get-AdminPowerApp` JSON flags (incl. `usesPcfExternalServiceUsage`) and UTF-16 BE.
#[test]
fn apps_json_flags_and_big_endian_utf16_are_read() {
    let audit = audit("ps51-apps-json", &[]);
    assert_eq!(
        audit.users_with("inactive-holder"),
        ids(&[ADELE, GRADY, JOHN])
    );
    // Debra launched the code-component app: premium use, so her license is in use.
    assert!(audit.of("unused-premium", DEBRA).is_empty());
    assert!(audit.kind("unused-premium").is_empty());
    assert_eq!(audit.analysis()["premium_use_known"], true);
    assert_eq!(audit.analysis()["unknown_app_launches"], 0);
    let skus: Vec<&str> = audit
        .kind("idle-seats")
        .iter()
        .filter_map(|finding| finding["sku_part_number"].as_str())
        .collect();
    assert_eq!(skus, vec!["ENTERPRISEPREMIUM", "POWERAPPS_PER_USER"]);
}

/// Missing evidence: without `signInActivity` only disabled accounts are reclaimed.
#[test]
fn without_sign_in_activity_only_disabled_holders_are_reclaimed() {
    let audit = audit("no-sign-in-activity", &[]);
    let holders = audit.kind("inactive-holder");
    assert_eq!(audit.users_with("inactive-holder"), ids(&[GRADY]));
    assert!(
        holders
            .iter()
            .all(|finding| finding["reason"] == "disabled"),
        "{holders:?}"
    );
    assert_eq!(audit.analysis()["activity_known"], false);
    assert_eq!(audit.ingest()["users_without_sign_in_activity"], 4);
    assert_eq!(plan_users(&audit.reclaim_plan()), ids(&[GRADY]));
}

/// Missing evidence: exports without LaunchPowerApp rows say nothing about premium use.
#[test]
fn exports_without_launch_rows_leave_premium_use_unknown() {
    let audit = audit("no-launches", &[]);
    assert!(audit.kind("unused-premium").is_empty());
    assert_eq!(audit.analysis()["premium_use_known"], false);
    assert_eq!(audit.ingest()["launch_rows"], 0);
    assert_eq!(audit.ingest()["other_operations"]["UserLoggedIn"], 4);
    assert_eq!(audit.ingest()["other_operations"]["FileAccessed"], 2);
    // Sign-in evidence is still there: Adele is an inactive holder.
    assert_eq!(audit.users_with("inactive-holder"), ids(&[ADELE]));
    let planned = plan_users(&audit.reclaim_plan());
    assert!(!planned.contains(&ALEX.to_string()), "{planned:?}");
    assert!(!planned.contains(&DEBRA.to_string()), "{planned:?}");
}

/// Missing evidence, asserted away: `--audit-complete` makes non-launching holders unused.
#[test]
fn audit_complete_makes_premium_use_known() {
    let audit = audit("no-launches", &["--audit-complete"]);
    assert_eq!(audit.analysis()["premium_use_known"], true);
    assert_eq!(audit.users_with("unused-premium"), ids(&[ALEX, DEBRA]));
    assert_eq!(amount(audit.of("unused-premium", ALEX)[0]), 20.0);
}

/// Missing evidence: audit records spanning only the last 20 days of a 90-day window.
#[test]
fn audit_exports_that_do_not_cover_the_window_leave_premium_use_unknown() {
    let audit = audit("short-coverage", &[]);
    assert!(audit.of("unused-premium", DEBRA).is_empty());
    assert!(audit.kind("unused-premium").is_empty());
    assert_eq!(audit.analysis()["premium_use_known"], false);
    let planned = plan_users(&audit.reclaim_plan());
    assert!(!planned.contains(&DEBRA.to_string()), "{planned:?}");
}

/// Missing evidence: a 20-day audit query recorded in snapshot.json does not cover the window.
#[test]
fn a_short_recorded_query_window_leaves_premium_use_unknown() {
    let audit = audit("short-coverage-query-window", &[]);
    assert!(audit.kind("unused-premium").is_empty());
    assert_eq!(audit.analysis()["premium_use_known"], false);
}

/// Coverage: a recorded query window spanning the window counts, whatever the records' span.
#[test]
fn a_full_recorded_query_window_makes_premium_use_known() {
    let audit = audit("full-query-window", &[]);
    assert_eq!(audit.analysis()["premium_use_known"], true);
    assert_eq!(audit.users_with("unused-premium"), ids(&[DEBRA]));
}

/// Identity: launches follow the object id (renamed, reused UPN); a PUID key falls back to UPN.
#[test]
fn launches_belong_to_the_object_id_not_the_user_principal_name() {
    let audit = audit("renamed-user", &[]);
    // Alex was renamed; his launches carry AlexW@contoso.com and his object id.
    assert!(audit.of("unused-premium", ALEX).is_empty());
    // IsaiahL@contoso.com belonged to a deleted user whose launch must not credit the new owner.
    let isaiah = audit.of("unused-premium", ISAIAH_NOW);
    assert_eq!(isaiah.len(), 1, "{:?}", audit.findings());
    assert_eq!(isaiah[0]["last_premium_use"], Value::Null);
    let planned = plan_users(&audit.reclaim_plan());
    assert!(!planned.contains(&ALEX.to_string()), "{planned:?}");
    // Debra's legacy record has a PUID key and her UPN in lower case.
    assert!(audit.of("unused-premium", DEBRA).is_empty());
    assert!(!planned.contains(&DEBRA.to_string()), "{planned:?}");
    assert_eq!(audit.users_with("unused-premium"), ids(&[ISAIAH_NOW]));
    assert_eq!(audit.analysis()["unknown_user_premium_launches"], 1);
    let differs = audit.analysis()["launch_records_upn_differs"]
        .as_u64()
        .expect("launch_records_upn_differs");
    assert!(differs >= 1, "{differs}");
}

/// Unpaid subscriptions: Suspended/LockedOut holders are no savings; Warning still counts.
#[test]
fn suspended_and_locked_out_subscriptions_are_not_savings() {
    let audit = audit("subscription-states", &[]);
    let unpaid = ["CRMSTANDARD", "SPE_E3"];
    let counted: Vec<&Value> = audit
        .findings()
        .iter()
        .filter(|finding| {
            unpaid.contains(&finding["sku_part_number"].as_str().unwrap_or(""))
                && amount(finding) > 0.0
        })
        .collect();
    assert!(counted.is_empty(), "{counted:?}");
    // The Warning SKU's inactive holder still counts.
    let adele = audit.of("inactive-holder", ADELE);
    assert_eq!(adele.len(), 1);
    assert_eq!(adele[0]["sku_part_number"], "ENTERPRISEPREMIUM");
    assert_eq!(amount(adele[0]), 38.0);

    let mut listed = audit.analysis()["unpaid_skus"]
        .as_array()
        .expect("unpaid_skus")
        .clone();
    listed.sort_by_key(|sku| sku["sku_part_number"].to_string());
    assert_eq!(
        listed,
        vec![
            json!({"sku_part_number": "CRMSTANDARD", "capability_status": "Suspended", "holders": 2}),
            json!({"sku_part_number": "SPE_E3", "capability_status": "LockedOut", "holders": 2}),
        ]
    );
    assert_eq!(
        audit.analysis()["ending_skus"],
        json!([{"sku_part_number": "ENTERPRISEPREMIUM", "warning_seats": 5}])
    );
    assert!(audit.summary_md().contains("Warning"));
}

/// Older exports: no `licenseAssignmentStates` means source unknown and manual removals.
#[test]
fn users_without_assignment_states_are_read_and_planned_by_hand() {
    let audit = audit("no-assignment-states", &[]);
    assert_eq!(audit.users_with("inactive-holder"), ids(&[ADELE, GRADY]));
    for holder in audit.kind("inactive-holder") {
        assert_eq!(holder["assigned_by"], json!(["unknown"]), "{holder}");
    }
    assert!(audit.kind("duplicate-assignment").is_empty());
    assert!(audit.kind("assignment-error").is_empty());
    let skipped = audit.analysis()["rules_not_evaluated"].to_string();
    assert!(skipped.contains("\"duplicate-assignment\""), "{skipped}");
    assert!(skipped.contains("\"assignment-error\""), "{skipped}");

    let plan = audit.reclaim_plan();
    let actions = plan["actions"].as_array().expect("actions");
    assert_eq!(plan_users(&plan), ids(&[ADELE, GRADY]));
    for action in actions {
        assert_eq!(action["mechanism"], "manual", "{action}");
    }
}

/// Overlapping exports: one launch record (one `AuditData.Id`) in two files counts once.
#[test]
fn the_same_launch_in_two_exports_counts_once() {
    let audit = audit("duplicate-launches", &[]);
    assert_eq!(audit.ingest()["duplicate_launch_records"], 1);
    assert_eq!(audit.analysis()["launches_in_window"], 2);
    assert!(audit.kind("unused-premium").is_empty());
}

/// Overlapping exports that disagree: one id, two contents is bad input naming both files.
#[test]
fn one_launch_id_with_two_contents_is_refused() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("out");
    let output = seatwise(&[
        "audit",
        path_str(&fixture("conflicting-launch-ids")),
        "--out",
        path_str(&out),
    ]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("purview-audit-search.csv"), "{message}");
    assert!(message.contains("launches-2026-10-20.csv"), "{message}");
    assert!(message.contains(SHARED_LAUNCH), "{message}");
    assert!(!out.join("findings.json").exists());
}

/// A Graph users page of `total` users of which the first `broken` lack their `id`.
fn users_with_broken_records(dir: &Path, total: usize, broken: usize) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let users: Vec<Value> = (0..total)
        .map(|number| {
            let mut user = json!({
                "id": format!("00000000-0000-4000-8000-{number:012}"),
                "userPrincipalName": format!("user{number}@contoso.com"),
                "accountEnabled": true,
                "assignedLicenses": [{"skuId": "c7df2760-2c81-4ef7-b578-5b5392b571df", "disabledPlans": []}],
                "licenseAssignmentStates": [{"skuId": "c7df2760-2c81-4ef7-b578-5b5392b571df",
                    "assignedByGroup": null, "state": "Active", "error": "None"}],
                "signInActivity": {"lastSignInDateTime": "2026-10-20T08:00:00Z",
                    "lastNonInteractiveSignInDateTime": null,
                    "lastSuccessfulSignInDateTime": "2026-10-20T08:00:00Z"}
            });
            if number < broken {
                user.as_object_mut().expect("object").remove("id");
            }
            user
        })
        .collect();
    let files = [
        ("users.json", json!({"value": users})),
        (
            "subscribedSkus.json",
            json!({"value": [{"skuId": "c7df2760-2c81-4ef7-b578-5b5392b571df",
                "skuPartNumber": "ENTERPRISEPREMIUM", "capabilityStatus": "Enabled",
                "prepaidUnits": {"enabled": 50, "suspended": 0, "warning": 0, "lockedOut": 0},
                "consumedUnits": total}]}),
        ),
        (
            "snapshot.json",
            json!({"tenantId": "t", "collectedAt": "2026-11-01T06:00:00Z", "source": "test"}),
        ),
    ];
    for (name, value) in files {
        std::fs::write(dir.join(name), value.to_string()).expect("write");
    }
}

fn lenient_audit(total: usize, broken: usize) -> (tempfile::TempDir, std::process::Output) {
    let temp = tempfile::tempdir().expect("temp dir");
    let snapshot = temp.path().join("snapshot");
    users_with_broken_records(&snapshot, total, broken);
    let output = seatwise(&[
        "audit",
        path_str(&snapshot),
        "--out",
        path_str(&temp.path().join("out")),
        "--lenient",
    ]);
    (temp, output)
}

/// `--lenient` limits: more than 5 % of a file's records broken is bad input, not a skip.
#[test]
fn lenient_refuses_a_file_with_more_than_five_percent_broken() {
    let (temp, output) = lenient_audit(20, 3);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("3 of 20"), "{message}");
    assert!(message.contains("users.json"), "{message}");
    assert!(!temp.path().join("out/findings.json").exists());
}

/// `--lenient` limits: a file whose every record is broken is bad input.
#[test]
fn lenient_refuses_a_file_with_every_record_broken() {
    let (_temp, output) = lenient_audit(5, 5);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("5 of 5"), "{message}");
}

/// `--lenient` limits: one broken record in forty is skipped and counted.
#[test]
fn lenient_skips_one_broken_record_in_forty() {
    let (temp, output) = lenient_audit(40, 1);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let doc: Value = serde_json::from_slice(
        &std::fs::read(temp.path().join("out/findings.json")).expect("read"),
    )
    .expect("json");
    assert_eq!(doc["summary"]["users"], 39);
    let rejected = doc["data_quality"]["ingest"]["rejected"]
        .as_array()
        .expect("rejected");
    assert_eq!(rejected.len(), 1, "{rejected:?}");
}

/// Prices: an as-of date before the price book's first row leaves SKUs unpriced and says why.
#[test]
fn an_as_of_before_the_price_book_is_explained() {
    let audit = audit("graph-docs", &["--as-of", "2015-01-01"]);
    let summary = audit.summary_md();
    assert!(
        summary.contains("unpriced: the book starts on"),
        "{summary}"
    );
    assert!(audit.kind("inactive-holder").is_empty());
}
