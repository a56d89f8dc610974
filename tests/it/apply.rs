//! `seatwise apply` and `seatwise rollback` end to end: the real binary against the fake
//! Microsoft Graph serving the plans tests' tenant (direct, group, both, dynamic holders).
//!
//! The fake's request log is the witness: a dry run sends no write, an action is applied by
//! exactly one request even across throttling, 5xx and a kill mid-apply, and a rollback
//! brings the tenant back to its starting fingerprint. The tenant is changed behind the
//! plan's back to prove stale actions are skipped, and seats are taken away to prove Graph's
//! refusals are recorded, not hidden.

use crate::fake_graph::{DIRECT, FakeGraph, FakeGraphConfig, Fault, LoggedRequest};
use crate::plans::{
    DYNAMIC_GROUP, E5, PBI, POLICY, PREMIUM, TEAM_GROUP, actions_of, ok, read_json, run_in,
    user_id, write_tenant,
};
use crate::util::{stderr, stdout};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "test-secret-value-7f3a";
/// Applies the reclaim plan after its grace period.
const EXECUTE: &[&str] = &["apply", "plan/plan.json", "--execute", "--on", "2026-11-20"];
/// Applies it one action at a time, so a test knows what is in flight.
const EXECUTE_SERIALLY: &[&str] = &[
    "apply",
    "plan/plan.json",
    "--execute",
    "--on",
    "2026-11-20",
    "--concurrency",
    "1",
];
/// Continues it.
const RESUME: &[&str] = &[
    "apply",
    "plan/plan.json",
    "--execute",
    "--resume",
    "--on",
    "2026-11-20",
];

/// The plans tenant in a temp dir, served by a fake Graph configured by `adjust`.
fn served(adjust: impl FnOnce(&mut FakeGraphConfig)) -> (tempfile::TempDir, FakeGraph) {
    let temp = tempfile::tempdir().expect("temp dir");
    write_tenant(temp.path());
    let mut config = FakeGraphConfig {
        snapshot: temp.path().join("snapshot"),
        ..FakeGraphConfig::default()
    };
    adjust(&mut config);
    let fake = FakeGraph::start(config);
    (temp, fake)
}

/// `seatwise <args>` in `dir`, connected to `fake`, with short retry waits.
fn online(dir: &Path, fake: &FakeGraph, args: &[&str]) -> Command {
    let base = fake.base_url();
    let mut command = Command::new(env!("CARGO_BIN_EXE_seatwise"));
    command
        .args(args)
        .args(["--tenant", &fake.tenant_id(), "--client-id", "test-client"])
        .args(["--authority", &base, "--graph", &base])
        .env("SEATWISE_CLIENT_SECRET", SECRET)
        .env("SEATWISE_GRAPH_BACKOFF_MS", "20")
        .env("SEATWISE_GRAPH_TIMEOUT_MS", "10000")
        .env_remove("SEATWISE_ACCESS_TOKEN")
        .current_dir(dir);
    command
}

fn run_online(dir: &Path, fake: &FakeGraph, args: &[&str]) -> Output {
    online(dir, fake, args).output().expect("run seatwise")
}

/// Sets a SKU's purchased seats in the served tenant.
fn set_prepaid(fake: &FakeGraph, sku_id: &str, seats: i64) {
    let tenant = fake.tenant();
    let mut tenant = tenant.lock().expect("tenant lock");
    let sku = tenant
        .subscribed_skus
        .iter_mut()
        .find(|sku| sku["skuId"] == sku_id)
        .expect("the SKU is in the tenant");
    sku.insert("prepaidUnits".into(), json!({"enabled": seats}));
}

/// Audits the tenant and plans a reclaim under [`POLICY`] into `plan/plan.json`.
fn reclaim_plan(dir: &Path) -> Value {
    std::fs::write(dir.join("policy.toml"), POLICY).expect("write policy");
    ok(run_in(dir, &["audit", "snapshot", "--out", "audit"]));
    plan_reclaim_on(dir, "2026-11-02")
}

/// Plans the reclaim of the audit in `dir` as on `date`, into `plan/plan.json`.
fn plan_reclaim_on(dir: &Path, date: &str) -> Value {
    ok(run_in(
        dir,
        &[
            "plan",
            "reclaim",
            "audit",
            "--policy",
            "policy.toml",
            "--out",
            "plan/plan.json",
            "--on",
            date,
        ],
    ));
    read_json(&dir.join("plan/plan.json"))
}

/// The plans tenant served as `adjust` says, with a reclaim plan approved by two people.
pub(crate) fn approved_reclaim(
    adjust: impl FnOnce(&mut FakeGraphConfig),
) -> (tempfile::TempDir, FakeGraph) {
    let (temp, fake) = served(adjust);
    reclaim_plan(temp.path());
    approve(temp.path(), "plan/plan.json", &["Dana", "Lee"]);
    (temp, fake)
}

fn approve(dir: &Path, plan: &str, by: &[&str]) {
    for name in by {
        ok(run_in(dir, &["approve", plan, "--by", name]));
    }
}

/// Requests that change things (token requests excluded).
pub(crate) fn writes(fake: &FakeGraph) -> Vec<LoggedRequest> {
    fake.requests()
        .into_iter()
        .filter(|request| request.method != "GET" && !request.path_and_query.contains("oauth2"))
        .collect()
}

/// Every write that changed the tenant did so once: no (method, path, body) applied twice.
fn assert_each_change_applied_once(fake: &FakeGraph) -> usize {
    let mut applied: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for request in writes(fake).into_iter().filter(|request| request.applied) {
        *applied
            .entry((
                request.method.clone(),
                request.path_and_query.clone(),
                request.body.clone().unwrap_or_default(),
            ))
            .or_default() += 1;
    }
    let twice: Vec<_> = applied.iter().filter(|(_, count)| **count > 1).collect();
    assert!(twice.is_empty(), "applied more than once: {twice:?}");
    applied.len()
}

fn sources(fake: &FakeGraph, user: u32) -> BTreeMap<String, BTreeSet<String>> {
    fake.tenant()
        .lock()
        .expect("tenant lock")
        .license_sources(&user_id(user))
}

fn set(sources: &[&str]) -> BTreeSet<String> {
    sources.iter().map(|source| source.to_string()).collect()
}

/// The user's license sources after a reclaim under [`POLICY`] applied on 2026-11-20.
fn assert_reclaimed(fake: &FakeGraph) {
    // ada: direct E5 removed.
    assert!(sources(fake, 1).is_empty(), "ada: {:?}", sources(fake, 1));
    // bob left the Microsoft 365 group: its E5 and Power BI both went.
    assert!(sources(fake, 2).is_empty(), "bob: {:?}", sources(fake, 2));
    // cy held E5 directly and through the group: both removed.
    assert!(sources(fake, 3).is_empty(), "cy: {:?}", sources(fake, 3));
    // dee's E5 comes from a dynamic group: a manual action, untouched.
    assert_eq!(sources(fake, 4)[E5], set(&[DYNAMIC_GROUP]));
    // eve is excluded; fay's exclusion expired.
    assert_eq!(sources(fake, 5)[E5], set(&[DIRECT]));
    assert!(sources(fake, 6).is_empty(), "fay: {:?}", sources(fake, 6));
    // gil is active.
    assert_eq!(sources(fake, 7)[E5], set(&[DIRECT]));
}

fn trail_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("audit trail");
    let headers = reader.headers().expect("headers").clone();
    reader
        .records()
        .map(|record| {
            let record = record.expect("row");
            headers
                .iter()
                .zip(record.iter())
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn a_dry_run_reads_and_reports_but_changes_nothing() {
    let (temp, fake) = served(|_| {});
    let dir = temp.path();
    reclaim_plan(dir);
    let start = fake.tenant().lock().expect("lock").snapshot_fingerprint();
    let output = ok(run_online(
        dir,
        &fake,
        &["apply", "plan/plan.json", "--on", "2026-11-20"],
    ));
    let text = stdout(&output);
    assert!(text.contains("would-apply"), "{text}");
    assert!(text.contains("manual"), "{text}");
    assert!(text.contains("NOT APPROVED"), "{text}");
    assert!(writes(&fake).is_empty(), "{:?}", writes(&fake));
    assert!(!dir.join("plan/journal.jsonl").exists());
    assert_eq!(
        fake.tenant().lock().expect("lock").snapshot_fingerprint(),
        start
    );
    approve(dir, "plan/plan.json", &["Dana", "Lee"]);
    // Nothing was applied, so there is nothing to roll back.
    let nothing = run_online(dir, &fake, &["rollback", "plan/plan.json", "--execute"]);
    assert_eq!(nothing.status.code(), Some(2));
    assert!(
        stderr(&nothing).contains("nothing to roll back"),
        "{}",
        stderr(&nothing)
    );
    // Grace periods cannot be skipped by naming a later date.
    let ahead = run_online(
        dir,
        &fake,
        &["apply", "plan/plan.json", "--execute", "--on", "2099-01-01"],
    );
    assert_eq!(ahead.status.code(), Some(2));
    assert!(
        stderr(&ahead).contains("in the future"),
        "{}",
        stderr(&ahead)
    );
    assert!(writes(&fake).is_empty());
    // Before the grace period ends everything waits.
    let early = ok(run_online(
        dir,
        &fake,
        &["apply", "plan/plan.json", "--on", "2026-11-10"],
    ));
    assert!(
        stdout(&early).contains("grace period: not before 2026-11-16"),
        "{}",
        stdout(&early)
    );
}

#[test]
fn reclaim_applies_every_mechanism_and_rollback_restores_the_start_exactly() {
    let (temp, fake) = served(|_| {});
    let dir = temp.path();
    let plan = reclaim_plan(dir);
    approve(dir, "plan/plan.json", &["Dana", "Lee"]);
    {
        // ada's E5 has two service plans turned off: the rollback must turn them off again.
        let tenant = fake.tenant();
        let mut tenant = tenant.lock().expect("lock");
        let ada = tenant.user_mut(&user_id(1)).expect("ada");
        let disabled = json!([
            "efb87545-963c-4e0d-99df-69c6916d9eb0",
            "5dbe027f-2339-4123-9542-606e4d348a72"
        ]);
        ada.set(
            "assignedLicenses",
            &json!([{"skuId": E5, "disabledPlans": disabled}]),
        );
        ada.set(
            "licenseAssignmentStates",
            &json!([{"skuId": E5, "assignedByGroup": null, "state": "Active", "error": "None", "disabledPlans": disabled}]),
        );
    }
    let start = fake.tenant().lock().expect("lock").snapshot_fingerprint();
    assert!(
        start.users[&user_id(1)]
            .iter()
            .any(|(_, _, disabled)| disabled.len() == 2),
        "the fixture sets disabled plans"
    );

    let output = ok(run_online(dir, &fake, EXECUTE));
    assert_reclaimed(&fake);
    let text = stdout(&output);
    assert!(text.contains("applied plan/plan.json"), "{text}");
    assert!(
        text.contains("approved by 2 of 2 required (Dana, Lee)"),
        "{text}"
    );
    let changes = assert_each_change_applied_once(&fake);
    let automatic = plan["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter(|action| action["mechanism"] != "manual")
        .count();
    assert_eq!(changes, automatic, "one applied request per action");

    // The audit trail names approvers, results and Graph's request ids.
    let rows = trail_rows(&dir.join("plan/audit-trail.csv"));
    assert_eq!(
        rows.len(),
        plan["actions"].as_array().expect("actions").len()
    );
    for row in &rows {
        assert_eq!(row["run"], "apply");
        assert_eq!(row["approved_by"], "Dana; Lee");
        if row["mechanism"] == "manual" {
            assert_eq!(row["result"], "manual");
        } else {
            assert_eq!(row["result"], "applied", "{row:?}");
            assert!(!row["graph_request_id"].is_empty(), "{row:?}");
            assert!(row["http_status"].starts_with('2'), "{row:?}");
        }
    }

    // Running again without --resume is refused; with it, nothing is repeated.
    let again = run_online(dir, &fake, EXECUTE);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("--resume"), "{}", stderr(&again));
    let writes_before = writes(&fake).len();
    let resumed = ok(run_online(dir, &fake, RESUME));
    assert!(
        stdout(&resumed).contains("settled by earlier runs"),
        "{}",
        stdout(&resumed)
    );
    assert_eq!(writes(&fake).len(), writes_before);

    // The rollback plan undoes exactly the applied actions, and rollback restores the start.
    let rollback = read_json(&dir.join("plan/rollback/plan.json"));
    assert_eq!(rollback["strategy"], "rollback");
    assert_eq!(
        rollback["actions"].as_array().expect("actions").len(),
        automatic
    );
    assert!(dir.join("plan/rollback/plan.ps1").exists());
    let dry = ok(run_online(dir, &fake, &["rollback", "plan/plan.json"]));
    assert!(stdout(&dry).contains("would-apply"), "{}", stdout(&dry));
    let undone = ok(run_online(
        dir,
        &fake,
        &["rollback", "plan/plan.json", "--execute"],
    ));
    assert_eq!(
        fake.tenant().lock().expect("lock").snapshot_fingerprint(),
        start,
        "rollback must restore the starting state exactly"
    );
    // Each action is reported in the order of the plan being run (the rollback plan's).
    let reported: Vec<String> = stdout(&undone)
        .lines()
        .filter(|line| line.starts_with("applied "))
        .filter_map(|line| line.split_whitespace().nth(1).map(str::to_string))
        .filter(|word| word.starts_with("act-"))
        .collect();
    let planned: Vec<String> = rollback["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(|action| action["id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(reported, planned);
    let rows = trail_rows(&dir.join("plan/audit-trail.csv"));
    assert!(
        rows.iter()
            .any(|row| row["run"] == "rollback" && row["result"] == "applied")
    );

    // A rolled-back plan cannot be applied again.
    let reapply = run_online(dir, &fake, RESUME);
    assert_eq!(reapply.status.code(), Some(2));
    assert!(
        stderr(&reapply).contains("rolled back"),
        "{}",
        stderr(&reapply)
    );
}

#[test]
fn unapproved_and_edited_plans_are_refused_before_any_request() {
    let (temp, fake) = served(|_| {});
    let dir = temp.path();
    reclaim_plan(dir);

    approve(dir, "plan/plan.json", &["Dana"]);
    let one = run_online(dir, &fake, EXECUTE);
    assert_eq!(one.status.code(), Some(2));
    assert!(
        stderr(&one).contains("needs 2 distinct approval(s)") && stderr(&one).contains("has 1"),
        "{}",
        stderr(&one)
    );

    // Approved, then one byte of formatting changed: the approvals no longer count.
    approve(dir, "plan/plan.json", &["Lee"]);
    let path = dir.join("plan/plan.json");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("{text} ")).expect("write");
    let reformatted = run_online(dir, &fake, EXECUTE);
    assert_eq!(reformatted.status.code(), Some(2));
    assert!(
        stderr(&reformatted).contains("plan.json: changed since the plan was made"),
        "{}",
        stderr(&reformatted)
    );

    // Content edited: the plan no longer matches its hash.
    let edited = text.replacen("\"monthly_amount\": 60.00", "\"monthly_amount\": 6.00", 1);
    assert_ne!(edited, text);
    std::fs::write(&path, edited).expect("write");
    let tampered = run_online(dir, &fake, EXECUTE);
    assert_eq!(tampered.status.code(), Some(2));
    assert!(
        stderr(&tampered).contains("edited after it was made"),
        "{}",
        stderr(&tampered)
    );
    assert!(writes(&fake).is_empty(), "{:?}", writes(&fake));
    let nothing = run_online(dir, &fake, &["rollback", "plan/plan.json"]);
    assert_eq!(nothing.status.code(), Some(2));
}

#[test]
fn actions_overtaken_by_reality_are_skipped_with_the_reason() {
    let (temp, fake) = approved_reclaim(|_| {});
    let dir = temp.path();
    {
        let tenant = fake.tenant();
        let mut tenant = tenant.lock().expect("lock");
        // ada signed in after the audit.
        let ada = tenant.user_mut(&user_id(1)).expect("ada");
        ada.set(
            "signInActivity",
            &json!({"lastSignInDateTime": "2026-11-18T08:30:00Z", "lastSuccessfulSignInDateTime": "2026-11-18T08:30:00Z"}),
        );
        // bob already left the group; fay's license was already removed by someone else.
        tenant
            .remove_group_member(TEAM_GROUP, &user_id(2))
            .expect("remove bob");
        tenant
            .assign_user_licenses(
                &user_id(6),
                &crate::fake_graph::LicenseChanges {
                    add: Vec::new(),
                    remove: vec![E5.to_string()],
                },
                "2026-11-15T00:00:00Z",
            )
            .expect("remove fay's license");
        // The group became dynamic: cy cannot be taken out of it by hand any more.
        let group = tenant.group_mut(TEAM_GROUP).expect("group");
        group
            .properties
            .insert("groupTypes".into(), json!(["Unified", "DynamicMembership"]));
    }
    let output = ok(run_online(dir, &fake, EXECUTE));
    let text = stdout(&output);
    let rows = trail_rows(&dir.join("plan/audit-trail.csv"));
    let result_of = |user: &str, mechanism: &str| -> (String, String) {
        let row = rows
            .iter()
            .find(|row| {
                row["user_principal_name"] == format!("{user}@contoso.com")
                    && row["mechanism"] == mechanism
            })
            .unwrap_or_else(|| panic!("no row for {user} {mechanism}: {text}"));
        (row["result"].clone(), row["detail"].clone())
    };
    let (result, detail) = result_of("ada", "remove-direct");
    assert_eq!(result, "stale");
    assert!(detail.contains("signed in on 2026-11-18"), "{detail}");
    let (result, detail) = result_of("bob", "remove-from-group");
    assert_eq!(result, "already-done");
    assert!(detail.contains("no longer a member"), "{detail}");
    let (result, detail) = result_of("fay", "remove-direct");
    assert_eq!(result, "already-done");
    assert!(detail.contains("already gone"), "{detail}");
    let (result, detail) = result_of("cy", "remove-from-group");
    assert_eq!(result, "stale");
    assert!(detail.contains("dynamic"), "{detail}");
    // ada kept her license; nothing was sent for the skipped actions.
    assert_eq!(sources(&fake, 1)[E5], set(&[DIRECT]));
    for request in writes(&fake) {
        assert!(
            !request.path_and_query.contains(&user_id(1))
                && !request.path_and_query.contains(&user_id(6))
                && !request
                    .path_and_query
                    .contains(&format!("members/{}", user_id(2))),
            "a skipped action was sent: {request:?}"
        );
    }
    // cy's direct license goes with leaving the group: alone it would free no seat.
    let (result, detail) = result_of("cy", "remove-direct");
    assert_eq!(result, "stale");
    assert!(detail.contains("goes with"), "{detail}");
    assert_eq!(sources(&fake, 3)[E5], set(&[DIRECT, TEAM_GROUP]));
    assert!(writes(&fake).is_empty(), "{:?}", writes(&fake));
    // Nothing was changed, so there is nothing to undo.
    let rollback = read_json(&dir.join("plan/rollback/plan.json"));
    assert_eq!(rollback["actions"].as_array().expect("actions").len(), 0);
    let nothing = ok(run_online(
        dir,
        &fake,
        &["rollback", "plan/plan.json", "--execute"],
    ));
    assert!(
        stdout(&nothing).contains("nothing to do"),
        "{}",
        stdout(&nothing)
    );
    // An empty rollback changes nothing and leaves the plan open to --resume.
    assert!(!dir.join("plan/rollback/journal.jsonl").exists());
    ok(run_online(dir, &fake, RESUME));
}

#[test]
fn throttling_and_server_errors_mid_apply_are_retried_and_applied_once() {
    let ada_license = format!("/v1.0/users/{}/assignLicense", user_id(1));
    let team_members = format!("/v1.0/groups/{TEAM_GROUP}/members/");
    let (temp, fake) = approved_reclaim(|config| {
        config.faults = vec![
            Fault::TooManyRequests {
                path_prefix: ada_license.clone(),
                after: 0,
                times: 2,
                retry_after_secs: 1,
            },
            Fault::ServiceUnavailable {
                path_prefix: team_members.clone(),
                after: 0,
                times: 2,
            },
        ];
    });
    let dir = temp.path();
    let output = ok(run_online(dir, &fake, EXECUTE));
    assert_reclaimed(&fake);
    assert_each_change_applied_once(&fake);
    let statuses: Vec<u16> = writes(&fake)
        .iter()
        .filter(|request| request.path_and_query == ada_license)
        .map(|request| request.status)
        .collect();
    assert_eq!(statuses, [429, 429, 200], "{}", stderr(&output));
    let group_statuses: Vec<u16> = writes(&fake)
        .iter()
        .filter(|request| request.path_and_query.starts_with(&team_members))
        .map(|request| request.status)
        .collect();
    assert_eq!(&group_statuses[..2], [503, 503]);
    assert!(stderr(&output).contains("retrying"), "{}", stderr(&output));
}

#[test]
fn a_process_killed_mid_apply_resumes_without_applying_anything_twice() {
    let (temp, fake, fay_license) = holding_fays_removal(Duration::from_secs(5));
    let dir = temp.path();

    // Kill the process while Graph has made fay's change but not yet answered.
    let mut child = online(dir, &fake, EXECUTE_SERIALLY)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn apply");
    wait_for_held(&fake, &fay_license);
    child.kill().expect("kill");
    let _ = child.wait();
    let journal = std::fs::read_to_string(dir.join("plan/journal.jsonl")).expect("journal");
    assert!(
        journal.contains("\"intent\"") && !journal.contains("\"finish\""),
        "{journal}"
    );

    let refused = run_online(dir, &fake, EXECUTE);
    assert_eq!(refused.status.code(), Some(2));
    let resumed = ok(run_online(dir, &fake, RESUME));
    assert!(
        stdout(&resumed).contains("confirmed on resume"),
        "{}",
        stdout(&resumed)
    );
    assert_reclaimed(&fake);
    assert_each_change_applied_once(&fake);
    let fay_requests = writes(&fake)
        .iter()
        .filter(|request| request.path_and_query == fay_license)
        .count();
    assert_eq!(fay_requests, 1, "fay's change must not be sent again");
    // Every action of the plan has exactly one final outcome in the journal after resume.
    let plan = read_json(&dir.join("plan/plan.json"));
    let rows = trail_rows(&dir.join("plan/audit-trail.csv"));
    for action in plan["actions"].as_array().expect("actions") {
        let id = action["id"].as_str().expect("id");
        let finals = rows
            .iter()
            .filter(|row| row["action_id"] == id && row["result"] != "deferred")
            .count();
        assert_eq!(finals, 1, "action {id}: {rows:?}");
    }
}

#[test]
fn graph_refusals_are_recorded_and_resume_retries_them() {
    let (temp, fake) = served(|_| {});
    let dir = temp.path();
    ok(run_in(
        dir,
        &[
            "plan",
            "assign",
            "--snapshot",
            "snapshot",
            "--user",
            "hal@contoso.com",
            "--sku",
            "POWERAPPS_PER_USER",
            "--out",
            "manual/plan.json",
        ],
    ));
    approve(dir, "manual/plan.json", &["Dana"]);
    let set_consumed = |units: i64| {
        let tenant = fake.tenant();
        let mut tenant = tenant.lock().expect("lock");
        let sku = tenant
            .subscribed_skus
            .iter_mut()
            .find(|sku| sku["skuId"] == PREMIUM)
            .expect("premium sku");
        sku.insert("consumedUnits".into(), json!(units));
    };
    set_consumed(2);
    let refused = run_online(dir, &fake, &["apply", "manual/plan.json", "--execute"]);
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    assert!(
        stdout(&refused).contains("1 action(s) failed or are deferred"),
        "{}",
        stdout(&refused)
    );
    let rows = trail_rows(&dir.join("manual/audit-trail.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["result"], "failed");
    assert_eq!(rows[0]["http_status"], "400");
    assert!(
        rows[0]["detail"].contains("does not have any available licenses"),
        "{:?}",
        rows[0]
    );
    assert!(!rows[0]["graph_request_id"].is_empty());

    set_consumed(0);
    ok(run_online(
        dir,
        &fake,
        &["apply", "manual/plan.json", "--execute", "--resume"],
    ));
    assert_eq!(sources(&fake, 8)[PREMIUM], set(&[DIRECT]));
    assert_each_change_applied_once(&fake);
}

#[test]
fn assignment_strategies_apply_end_to_end() {
    let (temp, fake) = served(|_| {});
    let dir = temp.path();
    // Room for the group's Power BI when moved holders join it.
    set_prepaid(&fake, PBI, 20);
    let plan_and_apply = |name: &str, strategy: &[&str]| -> Value {
        let out = format!("{name}/plan.json");
        let mut args = vec!["plan", "assign", "--snapshot", "snapshot"];
        args.extend_from_slice(strategy);
        args.extend_from_slice(&["--out", &out]);
        ok(run_in(dir, &args));
        approve(dir, &out, &["Dana"]);
        let output = ok(run_online(dir, &fake, &["apply", &out, "--execute"]));
        assert!(
            !stdout(&output).contains("failed"),
            "{name}: {}",
            stdout(&output)
        );
        read_json(&dir.join(&out))
    };

    // Manual: one user, one SKU.
    plan_and_apply(
        "manual",
        &["--user", "hal@contoso.com", "--sku", "POWERAPPS_PER_USER"],
    );
    assert_eq!(sources(&fake, 8)[PREMIUM], set(&[DIRECT]));

    // Bulk: hal already holds it now (skipped as done), gil gets it.
    std::fs::write(
        dir.join("users.csv"),
        "UserEmail\nhal@contoso.com\ngil@contoso.com\n",
    )
    .expect("write");
    plan_and_apply(
        "bulk",
        &["--from", "users.csv", "--sku", "POWERAPPS_PER_USER"],
    );
    assert_eq!(sources(&fake, 7)[PREMIUM], set(&[DIRECT]));
    let bulk_rows = trail_rows(&dir.join("bulk/audit-trail.csv"));
    assert!(
        bulk_rows
            .iter()
            .any(|row| row["user_principal_name"] == "hal@contoso.com"
                && row["result"] == "already-done"),
        "{bulk_rows:?}"
    );

    // Group-based: license the dynamic group, and move E5's direct holders into the team.
    plan_and_apply(
        "dynamic",
        &["--group", "All Sales", "--sku", "POWER_BI_PRO"],
    );
    assert!(sources(&fake, 4)[PBI].contains(DYNAMIC_GROUP));
    let moved = plan_and_apply(
        "group",
        &[
            "--group",
            "Sales Team",
            "--sku",
            "SPE_E5",
            "--move-direct-holders",
        ],
    );
    for user in [1, 3, 5, 6, 7] {
        assert_eq!(
            sources(&fake, user)[E5],
            set(&[TEAM_GROUP]),
            "user {user} should hold E5 through the group only"
        );
    }
    assert_eq!(actions_of(&moved, "ada").len(), 2);

    // By request.
    std::fs::write(
        dir.join("requests.csv"),
        "Requester,Sku,Justification,Manager\nbob@contoso.com,POWERAPPS_PER_USER,Field app,Dana\n",
    )
    .expect("write");
    let requests = dir.join("requests.csv");
    let requests = requests.to_str().expect("utf-8 path");
    // Premium has two seats and both are taken: make room first.
    set_prepaid(&fake, PREMIUM, 5);
    plan_and_apply("requests", &["--requests", requests]);
    assert_eq!(sources(&fake, 2)[PREMIUM], set(&[DIRECT]));
    assert_each_change_applied_once(&fake);
}

#[test]
fn joining_a_group_that_gained_a_license_since_planning_is_not_applied() {
    let (temp, fake) = served(|_| {});
    let dir = temp.path();
    set_prepaid(&fake, PBI, 20);
    let out = "group/plan.json";
    ok(run_in(
        dir,
        &[
            "plan",
            "assign",
            "--snapshot",
            "snapshot",
            "--group",
            "Sales Team",
            "--sku",
            "SPE_E5",
            "--move-direct-holders",
            "--out",
            out,
        ],
    ));
    // Joining grants the team's Power BI too: recorded, and priced into the join.
    let plan = read_json(&dir.join(out));
    let ada = actions_of(&plan, "ada");
    assert_eq!(ada[0]["mechanism"], "add-to-group");
    let grants = ada[0]["also_grants"].to_string();
    assert!(grants.contains("license POWER_BI_PRO ("), "{grants}");
    assert!(
        ada[0]["monthly_amount"]
            .as_f64()
            .is_some_and(|amount| amount > 0.0)
    );
    let mut planned: Vec<String> = [E5, PBI].iter().map(|id| id.to_ascii_lowercase()).collect();
    planned.sort();
    assert_eq!(ada[0]["group_licenses"], json!(planned));
    approve(dir, out, &["Dana"]);

    // The team gains Power Apps Premium before the plan runs.
    {
        let tenant = fake.tenant();
        let mut tenant = tenant.lock().expect("tenant lock");
        let team = tenant.group_mut(TEAM_GROUP).expect("team");
        team.properties.insert(
            "assignedLicenses".into(),
            json!([{"skuId": E5}, {"skuId": PBI}, {"skuId": PREMIUM}]),
        );
    }
    let output = ok(run_online(dir, &fake, &["apply", out, "--execute"]));
    let text = stdout(&output);
    assert!(
        text.contains("since planning; joining would grant it nobody approved"),
        "{text}"
    );
    // Nobody joined, so nobody got Premium; the direct E5 licenses stay.
    for user in [1, 5, 6, 7] {
        assert!(!sources(&fake, user).contains_key(PREMIUM), "user {user}");
        assert!(sources(&fake, user)[E5].contains(DIRECT), "user {user}");
    }
}

#[test]
fn on_demand_plans_cover_the_users_auto_claim_would_license() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    ok(run_in(
        dir,
        &[
            "generate",
            "--users",
            "80",
            "--seed",
            "3",
            "--as-of",
            "2026-11-01",
            "--out",
            "snapshot",
        ],
    ));
    ok(run_in(dir, &["audit", "snapshot", "--out", "audit"]));
    ok(run_in(
        dir,
        &[
            "plan",
            "assign",
            "--on-demand",
            "audit",
            "--out",
            "od/plan.json",
        ],
    ));
    let plan = read_json(&dir.join("od/plan.json"));
    let actions = plan["actions"].as_array().expect("actions");
    assert!(
        !actions.is_empty(),
        "the generated tenant has missing-premium users"
    );
    approve(dir, "od/plan.json", &["Dana"]);
    let fake = FakeGraph::start(FakeGraphConfig {
        snapshot: dir.join("snapshot"),
        ..FakeGraphConfig::default()
    });
    let output = ok(run_online(
        dir,
        &fake,
        &["apply", "od/plan.json", "--execute"],
    ));
    for action in actions {
        assert_eq!(action["mechanism"], "assign-direct");
        let user = action["user_id"].as_str().expect("user id");
        let sku = action["sku_id"].as_str().expect("sku id");
        let held = fake
            .tenant()
            .lock()
            .expect("lock")
            .license_sources(user)
            .get(sku)
            .cloned()
            .unwrap_or_default();
        assert!(
            held.contains(DIRECT),
            "{user} should now hold {sku} directly: {}",
            stdout(&output)
        );
    }
    assert_each_change_applied_once(&fake);
}

#[test]
fn emitted_batches_sent_to_graph_leave_the_tenant_as_apply_does() {
    let (temp, applied) = served(|_| {});
    let dir = temp.path();
    let plan = reclaim_plan(dir);
    approve(dir, "plan/plan.json", &["Dana", "Lee"]);
    ok(run_online(dir, &applied, EXECUTE));

    // The same plan sent as its $batch files to a second copy of the tenant.
    let batched = FakeGraph::start(FakeGraphConfig {
        snapshot: dir.join("snapshot"),
        ..FakeGraphConfig::default()
    });
    let mut files: Vec<_> = std::fs::read_dir(dir.join("plan/batch"))
        .expect("batch folder")
        .map(|entry| entry.expect("entry").path())
        .collect();
    files.sort();
    let runtime = crate::fake_graph_smoke::runtime();
    let client = crate::fake_graph_smoke::client();
    let token = runtime.block_on(crate::fake_graph_smoke::token(&client, &batched));
    let mut sent = 0;
    for file in files {
        let body = read_json(&file);
        let requests = body["requests"].as_array().expect("requests");
        assert!(requests.len() <= 20);
        sent += requests.len();
        let answer = runtime.block_on(crate::fake_graph_writes::call(
            &client,
            &batched,
            &token,
            reqwest::Method::POST,
            "/$batch",
            Some(body.clone()),
        ));
        assert_eq!(answer.status, reqwest::StatusCode::OK);
        for response in answer.body["responses"].as_array().expect("responses") {
            let status = response["status"].as_u64().expect("status");
            assert!((200..300).contains(&status), "{response}");
        }
    }
    let automatic = plan["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter(|action| action["mechanism"] != "manual")
        .count();
    assert_eq!(sent, automatic);
    assert_eq!(
        batched
            .tenant()
            .lock()
            .expect("lock")
            .snapshot_fingerprint(),
        applied
            .tenant()
            .lock()
            .expect("lock")
            .snapshot_fingerprint()
    );
}

#[test]
fn a_journal_of_another_version_of_the_plan_is_refused() {
    let (temp, fake) = approved_reclaim(|_| {});
    let dir = temp.path();
    ok(run_online(dir, &fake, EXECUTE));
    // Planning over the applied plan is refused: its folder keeps its history.
    let replanned = run_in(
        dir,
        &[
            "plan",
            "reclaim",
            "audit",
            "--policy",
            "policy.toml",
            "--out",
            "plan/plan.json",
        ],
    );
    assert_eq!(replanned.status.code(), Some(2));
    assert!(
        stderr(&replanned).contains("has been applied (it has a journal)"),
        "{}",
        stderr(&replanned)
    );
    // A new plan made elsewhere, approved, and given the applied plan's journal.
    ok(run_in(
        dir,
        &[
            "plan",
            "reclaim",
            "audit",
            "--policy",
            "policy.toml",
            "--out",
            "next/plan.json",
            "--on",
            "2026-11-03",
        ],
    ));
    approve(dir, "next/plan.json", &["Dana", "Lee"]);
    std::fs::copy(
        dir.join("plan/journal.jsonl"),
        dir.join("next/journal.jsonl"),
    )
    .expect("copy");
    let writes_before = writes(&fake).len();
    let resume_next: Vec<&str> = RESUME
        .iter()
        .map(|arg| {
            if *arg == "plan/plan.json" {
                "next/plan.json"
            } else {
                arg
            }
        })
        .collect();
    let refused = run_online(dir, &fake, &resume_next);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("another version"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(writes(&fake).len(), writes_before);
}

#[test]
fn without_sign_in_activity_the_run_says_what_it_could_not_check() {
    let (temp, fake) = served(|config| config.sign_in_activity_forbidden = true);
    let dir = temp.path();
    reclaim_plan(dir);
    {
        let tenant = fake.tenant();
        let mut tenant = tenant.lock().expect("lock");
        let ada = tenant.user_mut(&user_id(1)).expect("ada");
        ada.set(
            "signInActivity",
            &json!({"lastSignInDateTime": "2026-11-18T08:30:00Z", "lastSuccessfulSignInDateTime": "2026-11-18T08:30:00Z"}),
        );
    }
    let output = ok(run_online(
        dir,
        &fake,
        &["apply", "plan/plan.json", "--on", "2026-11-20"],
    ));
    let text = stdout(&output);
    assert!(text.contains("the tenant refused signInActivity"), "{text}");
    // ada's sign-in is invisible here, so her removal still looks due.
    let ada = text
        .lines()
        .find(|line| line.contains("ada@contoso.com"))
        .expect("ada's line");
    assert!(ada.starts_with("would-apply"), "{ada}");
    // At most one refused read per user in flight (--concurrency 4), then none.
    let refused = fake
        .requests()
        .iter()
        .filter(|request| request.status == 403)
        .count();
    assert!((1..=4).contains(&refused), "{:?}", fake.requests());
    let last = fake.requests().pop().expect("requests");
    assert!(!last.path_and_query.contains("signInActivity"), "{last:?}");
}

#[test]
fn rolling_back_a_move_into_a_group_gives_direct_licenses_back_first() {
    let (temp, fake) = served(|_| {});
    let dir = temp.path();
    // Room for the group's Power BI when moved holders join it.
    set_prepaid(&fake, PBI, 20);
    ok(run_in(
        dir,
        &[
            "plan",
            "assign",
            "--snapshot",
            "snapshot",
            "--group",
            "Sales Team",
            "--sku",
            "SPE_E5",
            "--move-direct-holders",
            "--out",
            "group/plan.json",
        ],
    ));
    approve(dir, "group/plan.json", &["Dana"]);
    let start = fake.tenant().lock().expect("lock").snapshot_fingerprint();
    ok(run_online(
        dir,
        &fake,
        &["apply", "group/plan.json", "--execute"],
    ));
    assert_eq!(sources(&fake, 1)[E5], set(&[TEAM_GROUP]));
    assert_eq!(sources(&fake, 3)[E5], set(&[TEAM_GROUP]));

    // In the rollback, each leave waits for the same user's direct license to come back.
    let rollback = read_json(&dir.join("group/rollback/plan.json"));
    let actions = rollback["actions"].as_array().expect("actions");
    for leave in actions
        .iter()
        .filter(|action| action["mechanism"] == "remove-from-group")
    {
        let restore = actions
            .iter()
            .find(|action| {
                action["mechanism"] == "assign-direct" && action["user_id"] == leave["user_id"]
            })
            .expect("a direct license to restore first");
        assert!(
            leave["depends_on"]
                .as_array()
                .expect("depends_on")
                .contains(&restore["id"]),
            "{leave}"
        );
    }
    ok(run_online(
        dir,
        &fake,
        &["rollback", "group/plan.json", "--execute"],
    ));
    assert_eq!(
        fake.tenant().lock().expect("lock").snapshot_fingerprint(),
        start
    );
}

#[test]
fn graph_failing_beyond_the_retries_stops_the_run_and_resume_finishes_it() {
    let ada_license = format!("/v1.0/users/{}/assignLicense", user_id(1));
    let (temp, fake) = approved_reclaim(|config| {
        config.faults = vec![Fault::ServiceUnavailable {
            path_prefix: ada_license.clone(),
            after: 0,
            times: 3,
        }];
    });
    let dir = temp.path();
    let stopped = online(dir, &fake, EXECUTE)
        .env("SEATWISE_GRAPH_MAX_ATTEMPTS", "3")
        .output()
        .expect("run apply");
    assert_eq!(stopped.status.code(), Some(3), "{}", stderr(&stopped));
    assert!(
        stderr(&stopped).contains("--resume"),
        "{}",
        stderr(&stopped)
    );
    // The journal and the audit trail are up to date, and the run says where it stopped.
    let journal = std::fs::read_to_string(dir.join("plan/journal.jsonl")).expect("journal");
    assert!(journal.contains("stopped: POST"), "{journal}");
    assert!(dir.join("plan/audit-trail.csv").exists());

    ok(run_online(dir, &fake, RESUME));
    assert_reclaimed(&fake);
    assert_each_change_applied_once(&fake);
}

#[test]
fn a_dry_run_stopped_by_graph_mentions_no_journal() {
    let ada = format!("/v1.0/users/{}", user_id(1));
    let (temp, fake) = served(|config| {
        config.faults = vec![Fault::ServiceUnavailable {
            path_prefix: ada.clone(),
            after: 0,
            times: 100,
        }];
    });
    let dir = temp.path();
    reclaim_plan(dir);
    let stopped = online(
        dir,
        &fake,
        &["apply", "plan/plan.json", "--on", "2026-11-20"],
    )
    .env("SEATWISE_GRAPH_MAX_ATTEMPTS", "2")
    .output()
    .expect("run apply");
    let text = stderr(&stopped);
    assert_eq!(stopped.status.code(), Some(3), "{text}");
    assert!(
        text.contains("this was a dry run: nothing was changed and no journal was written"),
        "{text}"
    );
    assert!(
        !text.contains("journal.jsonl") && !text.contains("records what happened"),
        "{text}"
    );
    assert!(!dir.join("plan/journal.jsonl").exists());
}

#[test]
fn a_write_that_timed_out_after_graph_made_it_is_recognised_not_failed() {
    let (temp, fake, fay_license) = holding_fays_removal(Duration::from_secs(3));
    let dir = temp.path();
    // The first attempt times out after Graph removed the license; the retry is refused
    // ("does not have a corresponding license"); reading back shows the change is in place.
    let output = online(dir, &fake, EXECUTE)
        .env("SEATWISE_GRAPH_TIMEOUT_MS", "1000")
        .output()
        .expect("run apply");
    assert!(output.status.success(), "{}", stderr(&output));
    let statuses: Vec<u16> = writes(&fake)
        .iter()
        .filter(|request| request.path_and_query == fay_license)
        .map(|request| request.status)
        .collect();
    assert_eq!(statuses.last(), Some(&400), "{statuses:?}");
    let rows = trail_rows(&dir.join("plan/audit-trail.csv"));
    let fay = rows
        .iter()
        .find(|row| row["user_principal_name"] == "fay@contoso.com")
        .expect("fay's row");
    assert_eq!(fay["result"], "applied", "{fay:?}");
    assert!(fay["detail"].contains("earlier attempt"), "{fay:?}");
    assert_reclaimed(&fake);
    // So the rollback gives fay her license back.
    let rollback = read_json(&dir.join("plan/rollback/plan.json"));
    assert!(
        rollback["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .any(|action| action["user_principal_name"] == "fay@contoso.com")
    );
}

/// An approved reclaim whose fake Graph removes fay's license and then holds the answer for
/// `delay`; also the path of that write.
fn holding_fays_removal(delay: Duration) -> (tempfile::TempDir, FakeGraph, String) {
    let fay_license = format!("/v1.0/users/{}/assignLicense", user_id(6));
    let (temp, fake) = approved_reclaim(|config| {
        config.faults = vec![Fault::HoldAfterApply {
            path_prefix: fay_license.clone(),
            after: 0,
            times: 1,
            delay,
        }];
    });
    (temp, fake, fay_license)
}

/// Waits until the fake has applied (and is holding the answer to) a write to `path`.
fn wait_for_held(fake: &FakeGraph, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !fake
        .requests()
        .iter()
        .any(|request| request.path_and_query == path && request.applied)
    {
        assert!(Instant::now() < deadline, "the held request never arrived");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_second_run_of_the_same_plan_waits_its_turn_and_ctrl_c_finishes_cleanly() {
    let (temp, fake, fay_license) = holding_fays_removal(Duration::from_secs(2));
    let dir = temp.path();
    let first = online(dir, &fake, EXECUTE_SERIALLY)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn apply");
    wait_for_held(&fake, &fay_license);

    // While the first run holds the plan, a second one is refused before it sends anything.
    let writes_before = writes(&fake).len();
    let second = run_online(dir, &fake, RESUME);
    assert_eq!(second.status.code(), Some(2));
    assert!(
        stderr(&second).contains("another seatwise run"),
        "{}",
        stderr(&second)
    );
    assert_eq!(writes(&fake).len(), writes_before);

    // Ctrl-C: the action in flight finishes and is recorded, nothing new starts.
    let interrupted = Command::new("kill")
        .args(["-INT", &first.id().to_string()])
        .status()
        .expect("send SIGINT");
    assert!(interrupted.success());
    let output = first.wait_with_output().expect("first run");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("interrupted"),
        "{}",
        stderr(&output)
    );
    let journal = std::fs::read_to_string(dir.join("plan/journal.jsonl")).expect("journal");
    assert!(journal.contains("\"interrupted: "), "{journal}");
    let fay_id = read_json(&dir.join("plan/plan.json"))["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .find(|action| action["user_principal_name"] == "fay@contoso.com")
        .and_then(|action| action["id"].as_str().map(str::to_string))
        .expect("fay's action");
    let rows = trail_rows(&dir.join("plan/audit-trail.csv"));
    assert!(
        rows.iter()
            .any(|row| row["action_id"] == fay_id && row["result"] == "applied"),
        "the action in flight was recorded: {rows:?}"
    );

    ok(run_online(dir, &fake, RESUME));
    assert_reclaimed(&fake);
    assert_each_change_applied_once(&fake);
}
