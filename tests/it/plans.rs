//! Plans end to end through the binary: a small tenant with every way of holding a license
//! (direct, group, both, dynamic group), audited, then planned under a policy with caps and
//! exclusions; assignment strategies; approvals bound to the plan's bytes; and golden files
//! pinning the PowerShell script and the `$batch` bodies.

use crate::util::{seatwise, stderr, stdout};
use serde_json::{Value, json};
use std::path::Path;

pub(crate) const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
pub(crate) const PBI: &str = "f8a1db68-be16-40ed-86d5-cb42ce701560";
pub(crate) const PREMIUM: &str = "b30411f5-fea1-4a59-9ad9-3db7c7ead579";
pub(crate) const TEAM_GROUP: &str = "aaaaaaaa-0000-0000-0000-0000000000a1";
pub(crate) const DYNAMIC_GROUP: &str = "aaaaaaaa-0000-0000-0000-0000000000a2";
const OLD: &str = "2026-01-15T09:00:00Z";
const RECENT: &str = "2026-10-28T09:00:00Z";

fn user(name: &str, number: u32, last: &str, licenses: &[(&str, &[&str])]) -> Value {
    let assigned: Vec<Value> = licenses
        .iter()
        .map(|(sku, _)| json!({"skuId": sku, "disabledPlans": []}))
        .collect();
    let states: Vec<Value> = licenses
        .iter()
        .flat_map(|(sku, sources)| {
            sources.iter().map(move |source| {
                json!({"skuId": sku, "assignedByGroup": if *source == "direct" { Value::Null } else { json!(source) }, "state": "Active", "error": "None"})
            })
        })
        .collect();
    json!({
        "id": format!("00000000-0000-0000-0000-{number:012}"),
        "userPrincipalName": format!("{name}@contoso.com"),
        "displayName": name, "accountEnabled": true, "userType": "Member", "department": "Sales",
        "usageLocation": "US",
        "assignedLicenses": assigned, "licenseAssignmentStates": states,
        "signInActivity": {"lastSignInDateTime": last, "lastNonInteractiveSignInDateTime": null, "lastSuccessfulSignInDateTime": last}
    })
}

pub(crate) fn user_id(number: u32) -> String {
    format!("00000000-0000-0000-0000-{number:012}")
}

/// Writes the tenant into `dir/snapshot`.
pub(crate) fn write_tenant(dir: &Path) {
    let snapshot = dir.join("snapshot");
    std::fs::create_dir_all(&snapshot).expect("mkdir");
    let users = json!({"value": [
        user("ada", 1, OLD, &[(E5, &["direct"])]),
        user("bob", 2, OLD, &[(E5, &[TEAM_GROUP]), (PBI, &[TEAM_GROUP])]),
        user("cy", 3, OLD, &[(E5, &["direct", TEAM_GROUP])]),
        user("dee", 4, OLD, &[(E5, &[DYNAMIC_GROUP])]),
        user("eve", 5, OLD, &[(E5, &["direct"])]),
        user("fay", 6, OLD, &[(E5, &["direct"])]),
        user("gil", 7, RECENT, &[(E5, &["direct"])]),
        user("hal", 8, RECENT, &[]),
    ]});
    let groups = json!({"value": [
        {"id": TEAM_GROUP, "displayName": "Sales Team", "groupTypes": ["Unified"], "membershipRule": null,
         "assignedLicenses": [{"skuId": E5}, {"skuId": PBI}],
         "members": [{"@odata.type": "#microsoft.graph.user", "id": user_id(2)}, {"@odata.type": "#microsoft.graph.user", "id": user_id(3)}]},
        {"id": DYNAMIC_GROUP, "displayName": "All Sales", "groupTypes": ["DynamicMembership"],
         "membershipRule": "(user.department -eq \"Sales\")", "assignedLicenses": [{"skuId": E5}],
         "members": [{"@odata.type": "#microsoft.graph.user", "id": user_id(4)}]}
    ]});
    let skus = json!({"value": [
        {"skuId": E5, "skuPartNumber": "SPE_E5", "prepaidUnits": {"enabled": 7}, "consumedUnits": 7},
        {"skuId": PBI, "skuPartNumber": "POWER_BI_PRO", "prepaidUnits": {"enabled": 1}, "consumedUnits": 1},
        {"skuId": PREMIUM, "skuPartNumber": "POWERAPPS_PER_USER", "prepaidUnits": {"enabled": 2}, "consumedUnits": 0}
    ]});
    for (name, value) in [
        ("users.json", users),
        ("groups.json", groups),
        ("subscribedSkus.json", skus),
    ] {
        std::fs::write(snapshot.join(name), value.to_string()).expect("write");
    }
    std::fs::write(
        snapshot.join("snapshot.json"),
        r#"{"tenantId":"t","collectedAt":"2026-11-01T06:00:00Z","source":"test"}"#,
    )
    .expect("write");
}

pub(crate) const POLICY: &str = r#"
window_days = 90
grace_days = 14
required_approvals = 2
[[exclusions]]
user = "eve@contoso.com"
reason = "Break-glass account"
expires = "2026-12-31"
[[exclusions]]
user = "fay@contoso.com"
reason = "Parental leave"
expires = "2026-10-01"
"#;

/// Runs seatwise in `dir` (relative paths keep the plan's bytes independent of the temp path).
pub(crate) fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run seatwise")
}

pub(crate) fn ok(output: std::process::Output) -> std::process::Output {
    assert!(
        output.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(&output),
        stderr(&output)
    );
    output
}

pub(crate) fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json")
}

/// A tenant, its audit and a reclaim plan under [`POLICY`], in a temp dir.
fn reclaim_plan() -> (tempfile::TempDir, Value) {
    reclaim_plan_under(POLICY)
}

/// A tenant, its audit and a reclaim plan under `policy`, in a temp dir.
fn reclaim_plan_under(policy: &str) -> (tempfile::TempDir, Value) {
    let temp = tempfile::tempdir().expect("temp dir");
    write_tenant(temp.path());
    std::fs::write(temp.path().join("policy.toml"), policy).expect("write");
    ok(run_in(
        temp.path(),
        &["audit", "snapshot", "--out", "audit"],
    ));
    ok(run_in(
        temp.path(),
        &[
            "plan",
            "reclaim",
            "audit",
            "--policy",
            "policy.toml",
            "--out",
            "plan/plan.json",
            "--on",
            "2026-11-02",
        ],
    ));
    let plan = read_json(&temp.path().join("plan/plan.json"));
    (temp, plan)
}

pub(crate) fn actions_of<'a>(plan: &'a Value, user: &str) -> Vec<&'a Value> {
    plan["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter(|action| action["user_principal_name"] == format!("{user}@contoso.com"))
        .collect()
}

#[test]
fn reclaim_removes_each_license_the_way_it_was_granted() {
    let (_temp, plan) = reclaim_plan();
    assert_eq!(plan["schema"], "seatwise.plan/2");
    assert_eq!(plan["required_approvals"], 2);

    let ada = actions_of(&plan, "ada");
    assert_eq!(ada.len(), 1);
    assert_eq!(ada[0]["mechanism"], "remove-direct");
    assert_eq!(ada[0]["not_before"], "2026-11-16");

    // Bob holds E5 and Power BI through a Microsoft 365 group: leaving it removes both.
    let bob = actions_of(&plan, "bob");
    assert_eq!(bob.len(), 1, "{bob:?}");
    assert_eq!(bob[0]["mechanism"], "remove-from-group");
    let also = bob[0]["also_removes"].to_string();
    assert!(
        also.contains("POWER_BI_PRO") || also.contains("SPE_E5"),
        "{also}"
    );
    assert!(also.contains("Microsoft 365 group membership"), "{also}");

    // Cy holds E5 directly and through the group: both actions, each naming the other.
    let cy = actions_of(&plan, "cy");
    let mechanisms: Vec<&str> = cy
        .iter()
        .filter_map(|action| action["mechanism"].as_str())
        .collect();
    assert_eq!(mechanisms, vec!["remove-direct", "remove-from-group"]);
    assert_eq!(cy[0]["together_with"][0], cy[1]["id"]);
    assert!(
        cy[0]["note"]
            .as_str()
            .unwrap_or("")
            .contains("seat is not freed")
    );

    // Dee's E5 comes from a dynamic group: a manual action quoting the rule.
    let dee = actions_of(&plan, "dee");
    assert_eq!(dee[0]["mechanism"], "manual");
    assert!(
        dee[0]["note"]
            .as_str()
            .unwrap_or("")
            .contains("user.department -eq"),
        "{}",
        dee[0]["note"]
    );

    // Eve's exclusion holds; Fay's expired a month ago.
    assert!(actions_of(&plan, "eve").is_empty());
    assert_eq!(actions_of(&plan, "fay").len(), 1);
    let skipped = plan["skipped"].to_string();
    assert!(skipped.contains("Break-glass account"), "{skipped}");
    // Gil is active.
    assert!(actions_of(&plan, "gil").is_empty());
}

#[test]
fn caps_take_the_worst_cases_first() {
    let (_temp, plan) = reclaim_plan_under("[caps.sku.SPE_E5]\ncount = 2\n");
    let e5_users: std::collections::BTreeSet<String> = plan["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter(|action| {
            action["frees"]
                .as_array()
                .is_some_and(|frees| frees.contains(&json!(E5)))
        })
        .filter_map(|action| action["user_principal_name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(e5_users.len(), 2, "{e5_users:?}");
    let caps = plan["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .filter(|skip| {
            skip["why"]
                .as_str()
                .unwrap_or("")
                .starts_with("cap reached")
        })
        .count();
    assert_eq!(caps, 4);
}

#[test]
fn a_policy_window_longer_than_the_audit_is_refused() {
    let temp = tempfile::tempdir().expect("temp dir");
    write_tenant(temp.path());
    std::fs::write(temp.path().join("policy.toml"), "window_days = 120\n").expect("write");
    ok(run_in(
        temp.path(),
        &["audit", "snapshot", "--out", "audit"],
    ));
    let output = run_in(
        temp.path(),
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
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--window-days 120"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn approval_is_bound_to_the_plan_bytes() {
    let (temp, _plan) = reclaim_plan();
    let plan_path = temp.path().join("plan/plan.json");
    let first = ok(run_in(
        temp.path(),
        &[
            "approve",
            "plan/plan.json",
            "--by",
            "Dana",
            "--note",
            "checked",
        ],
    ));
    assert!(
        stdout(&first).contains("1 of 2 required approvals"),
        "{}",
        stdout(&first)
    );
    let second = ok(run_in(
        temp.path(),
        &["approve", "plan/plan.json", "--by", "Lee"],
    ));
    assert!(
        stdout(&second).contains("2 of 2 required approvals"),
        "{}",
        stdout(&second)
    );
    let again = ok(run_in(
        temp.path(),
        &["approve", "plan/plan.json", "--by", "lee"],
    ));
    assert!(
        stdout(&again).contains("2 of 2"),
        "the same approver counts once: {}",
        stdout(&again)
    );

    // Edit one byte: the plan no longer matches its hash and cannot be approved.
    let text = std::fs::read_to_string(&plan_path).expect("read");
    let edited = text.replacen("\"monthly_amount\": 60.00", "\"monthly_amount\": 70.00", 1);
    assert_ne!(text, edited, "the fixture changed");
    std::fs::write(&plan_path, edited).expect("write");
    let refused = run_in(temp.path(), &["approve", "plan/plan.json", "--by", "Kim"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("edited after it was made"),
        "{}",
        stderr(&refused)
    );
    // The edit is caught before any approval is counted.
    let edited = seatwise::act::approval::valid_approvers(&plan_path);
    assert!(
        matches!(edited, Err(seatwise::act::approval::ApprovalError::Plan(_))),
        "approvals must not survive an edit: {edited:?}"
    );
}

#[test]
fn bulk_assignment_reports_a_seat_shortfall() {
    let temp = tempfile::tempdir().expect("temp dir");
    write_tenant(temp.path());
    std::fs::write(
        temp.path().join("users.csv"),
        "UserEmail\r\nada@contoso.com\r\nbob@contoso.com\r\ncy@contoso.com\r\nnobody@contoso.com\r\n",
    )
    .expect("write");
    ok(run_in(
        temp.path(),
        &[
            "plan",
            "assign",
            "--snapshot",
            "snapshot",
            "--from",
            "users.csv",
            "--sku",
            "POWERAPPS_PER_USER",
            "--out",
            "bulk/plan.json",
            "--on",
            "2026-11-02",
        ],
    ));
    let plan = read_json(&temp.path().join("bulk/plan.json"));
    assert_eq!(plan["strategy"], "bulk");
    assert_eq!(
        plan["actions"].as_array().map(Vec::len),
        Some(2),
        "two free seats"
    );
    let skipped = plan["skipped"].to_string();
    assert!(skipped.contains("seat shortfall"), "{skipped}");
    assert!(skipped.contains("nobody@contoso.com"), "{skipped}");
    assert_eq!(plan["total_monthly_amount"].as_f64(), Some(40.0));
}

#[test]
fn moving_direct_holders_into_a_group_adds_before_it_removes() {
    let temp = tempfile::tempdir().expect("temp dir");
    write_tenant(temp.path());
    ok(run_in(
        temp.path(),
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
    let plan = read_json(&temp.path().join("group/plan.json"));
    let ada = actions_of(&plan, "ada");
    assert_eq!(ada.len(), 2);
    assert_eq!(ada[0]["mechanism"], "add-to-group");
    assert_eq!(ada[1]["mechanism"], "remove-direct");
    assert_eq!(ada[1]["depends_on"][0], ada[0]["id"]);
    // Cy is already a member: only the direct assignment goes.
    let cy = actions_of(&plan, "cy");
    assert_eq!(cy.len(), 1);
    assert_eq!(cy[0]["mechanism"], "remove-direct");
    let batch = read_json(&temp.path().join("group/batch/batch-001.json"));
    let requests = batch["requests"].as_array().expect("requests");
    let remove = requests
        .iter()
        .find(|request| request["id"] == ada[1]["id"])
        .expect("ada's removal is in the batch");
    assert_eq!(remove["dependsOn"][0], ada[0]["id"]);

    let dynamic = run_in(
        temp.path(),
        &[
            "plan",
            "assign",
            "--snapshot",
            "snapshot",
            "--group",
            "All Sales",
            "--sku",
            "SPE_E5",
            "--move-direct-holders",
            "--out",
            "dynamic/plan.json",
        ],
    );
    assert_eq!(dynamic.status.code(), Some(2));
    assert!(stderr(&dynamic).contains("dynamic"), "{}", stderr(&dynamic));
}

#[test]
fn requests_wait_for_approval_and_bad_rows_are_named() {
    let temp = tempfile::tempdir().expect("temp dir");
    write_tenant(temp.path());
    std::fs::write(
        temp.path().join("requests.csv"),
        "Requester,Sku,Justification,Manager\nhal@contoso.com,POWERAPPS_PER_USER,Builds the expenses app,boss@contoso.com\n",
    )
    .expect("write");
    ok(run_in(
        temp.path(),
        &[
            "plan",
            "assign",
            "--snapshot",
            "snapshot",
            "--requests",
            "requests.csv",
            "--out",
            "requests/plan.json",
        ],
    ));
    let plan = read_json(&temp.path().join("requests/plan.json"));
    assert_eq!(plan["required_approvals"], 1);
    assert_eq!(plan["actions"][0]["mechanism"], "assign-direct");
    assert!(
        plan["actions"][0]["note"]
            .as_str()
            .unwrap_or("")
            .contains("Builds the expenses app")
    );

    std::fs::write(
        temp.path().join("bad.csv"),
        "Requester,Sku,Justification,Manager\nhal@contoso.com,NOT_A_SKU,x,y\n",
    )
    .expect("write");
    let bad = run_in(
        temp.path(),
        &[
            "plan",
            "assign",
            "--snapshot",
            "snapshot",
            "--requests",
            "bad.csv",
            "--out",
            "bad/plan.json",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("bad.csv: line 2: field `Sku`"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn findings_json_reads_back_through_its_one_type() {
    let temp = tempfile::tempdir().expect("temp dir");
    write_tenant(temp.path());
    ok(run_in(
        temp.path(),
        &["audit", "snapshot", "--out", "audit"],
    ));
    let path = temp.path().join("audit/findings.json");
    let (document, id) = seatwise::contract::findings::read(&path).expect("reads back");
    assert!(id.starts_with("sha256:"), "{id}");
    assert_eq!(document.schema, seatwise::contract::findings::SCHEMA);
    assert!(document.data_quality.is_none(), "written, not read back");
    let inactive = document
        .findings
        .iter()
        .filter(|finding| finding.kind == seatwise::analyze::FindingKind::InactiveHolder)
        .count();
    assert_eq!(
        document.summary.findings[&seatwise::analyze::FindingKind::InactiveHolder],
        inactive
    );

    // Written again from what was read, it is the same document (less data_quality).
    let mut rewritten = Vec::new();
    seatwise::contract::findings::write(&document, &mut rewritten).expect("write");
    let mut original = read_json(&path);
    original
        .as_object_mut()
        .expect("an object")
        .remove("data_quality")
        .expect("data_quality is written");
    let rewritten: Value = serde_json::from_slice(&rewritten).expect("json");
    assert_eq!(rewritten, original);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        text.contains("\"monthly_amount\": 60.00,"),
        "exact digits: {text}"
    );

    // A kind this version does not know is refused, naming the file and the field.
    std::fs::write(
        &path,
        text.replacen("\"kind\": \"idle-seats\"", "\"kind\": \"idle-chairs\"", 1),
    )
    .expect("write");
    let refused = run_in(
        temp.path(),
        &["plan", "reclaim", "audit", "--out", "plan/plan.json"],
    );
    assert_eq!(refused.status.code(), Some(2));
    let message = stderr(&refused);
    assert!(
        message.contains("findings.json: not a seatwise findings.json: findings[")
            && message.contains("].kind: unknown finding kind \"idle-chairs\""),
        "{message}"
    );
}

#[test]
fn a_plan_of_schema_1_is_refused_by_approve_apply_and_rollback() {
    let (temp, _plan) = reclaim_plan();
    let plan_path = temp.path().join("plan/plan.json");
    let text = std::fs::read_to_string(&plan_path).expect("read");
    // A plan as schema 1 wrote it: amounts as binary floats.
    let old = text
        .replacen("\"seatwise.plan/2\"", "\"seatwise.plan/1\"", 1)
        .replace(".00,\n", ".0,\n");
    assert_ne!(old, text);
    std::fs::write(&plan_path, old).expect("write");
    let offline = [
        "--graph",
        "http://127.0.0.1:9",
        "--authority",
        "http://127.0.0.1:9",
    ];
    for command in [
        vec!["approve", "plan/plan.json", "--by", "Dana"],
        [&["apply", "plan/plan.json"][..], &offline[..]].concat(),
        [&["apply", "plan/plan.json", "--execute"][..], &offline[..]].concat(),
        [&["rollback", "plan/plan.json"][..], &offline[..]].concat(),
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_seatwise"))
            .args(&command)
            .env("SEATWISE_ACCESS_TOKEN", "never-sent")
            .current_dir(temp.path())
            .output()
            .expect("run seatwise");
        assert_eq!(
            output.status.code(),
            Some(2),
            "{command:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(
                "plan/plan.json: schema seatwise.plan/1 is no longer supported; plan again with `seatwise plan reclaim …`"
            ),
            "{command:?}: {}",
            stderr(&output)
        );
        assert!(
            stdout(&output).is_empty(),
            "{command:?}: {}",
            stdout(&output)
        );
    }
    assert!(
        !temp.path().join("plan/approvals.json").exists(),
        "nothing was approved"
    );
    assert!(
        !temp.path().join("plan/journal.jsonl").exists(),
        "nothing was run"
    );
}

/// Compares with a golden file; `SEATWISE_BLESS=1` rewrites it.
fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("SEATWISE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("bless");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} missing: run with SEATWISE_BLESS=1 once and review it",
            path.display()
        )
    });
    assert_eq!(actual, expected, "{name} differs from its golden file");
}

#[test]
fn the_powershell_script_and_batch_bodies_are_pinned() {
    let (temp, plan) = reclaim_plan();
    golden(
        "reclaim/plan.ps1",
        &std::fs::read_to_string(temp.path().join("plan/plan.ps1")).expect("read"),
    );
    let batch_text =
        std::fs::read_to_string(temp.path().join("plan/batch/batch-001.json")).expect("read");
    golden("reclaim/batch-001.json", &batch_text);

    // The $batch body against Graph's documented shape.
    let batch: Value = serde_json::from_str(&batch_text).expect("json");
    let requests = batch["requests"].as_array().expect("requests");
    assert!(requests.len() <= 20);
    let mut ids = std::collections::BTreeSet::new();
    for request in requests {
        assert!(
            ids.insert(request["id"].as_str().expect("id").to_string()),
            "duplicate id"
        );
        let method = request["method"].as_str().expect("method");
        assert!(["POST", "DELETE"].contains(&method));
        let url = request["url"].as_str().expect("url");
        assert!(
            url.starts_with('/') && !url.contains("graph.microsoft.com"),
            "relative url: {url}"
        );
        if request.get("body").is_some() {
            assert_eq!(request["headers"]["Content-Type"], "application/json");
        }
    }
    let manual = plan["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter(|action| action["mechanism"] == "manual")
        .count();
    assert_eq!(
        requests.len(),
        plan["actions"].as_array().map_or(0, Vec::len) - manual
    );
}

#[test]
fn batches_never_exceed_twenty_requests() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("audit");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    ok(seatwise(&[
        "audit",
        sample.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]));
    let plan_path = temp.path().join("plan/plan.json");
    ok(seatwise(&[
        "plan",
        "reclaim",
        out.to_str().expect("utf-8"),
        "--out",
        plan_path.to_str().expect("utf-8"),
        "--on",
        "2026-11-02",
    ]));
    let plan = read_json(&plan_path);
    let mut total = 0;
    for entry in std::fs::read_dir(temp.path().join("plan/batch")).expect("batches") {
        let batch = read_json(&entry.expect("entry").path());
        let count = batch["requests"].as_array().map_or(0, Vec::len);
        assert!((1..=20).contains(&count), "{count} requests in a batch");
        total += count;
    }
    let automatic = plan["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter(|action| action["mechanism"] != "manual")
        .count();
    assert_eq!(total, automatic);
}
