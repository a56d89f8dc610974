//! `redundant-license` (SPEC §8) on hand-built tenants: one user or two per case, each
//! expectation worked out by hand from `data/coverage.csv` and `data/prices.csv` (as of
//! 2026-11-01: Microsoft 365 E5 60.00, Microsoft 365 E3 39.00, Power BI Pro 14.00 USD). Then
//! the whole path through the binary: the finding in `findings.json`, and a reclaim plan that
//! removes the covered license, never the covering one.

use crate::plans::{ok, read_json, run_in};
use crate::util::{APPS_CSV, PURVIEW_AUDIT, SNAPSHOT_JSON};
use seatwise::analyze::{
    AnalyzeOptions, AuditWindow, CoveringLicense, Finding, FindingKind, FindingReason, analyze,
};
use seatwise::catalogue::{Catalogue, Coverage, PriceBook};
use seatwise::ingest::error::Strictness;
use seatwise::ingest::{IngestOptions, read_snapshot};
use seatwise::money::Money;
use serde_json::{Value, json};
use std::path::Path;

const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
const E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";
const PBI: &str = "f8a1db68-be16-40ed-86d5-cb42ce701560";
const PBI_DEPT: &str = "3a6a908c-09c5-406a-8170-8ebb63c42882";
/// Power BI Pro's one user-facing plan, `BI_AZURE_P2`, which E5 lists under the same GUID.
const BI_AZURE_P2: &str = "70d33638-9c74-4d01-bfd3-562de28bd4ba";
/// An E5 plan Power BI Pro does not need: `MCOEV` (Teams Phone System).
const MCOEV: &str = "4828c8ec-dc2e-4779-b502-87ac9ce28ab7";
/// Microsoft Teams Commercial Cloud, a trial, whose plans include every plan of Microsoft Teams
/// Trial (`MS_TEAMS_IW`).
const TEAMS_TRIAL: &str = "29a2f828-8f39-4837-b8ff-c957e86abe3c";
const TEAMS_IW: &str = "74fbf1bb-47c6-4796-9623-77dc7371723b";
/// Power Apps Plan 2 (premium) covers Power Automate Plan 2.
const POWERFLOW_P2: &str = "ddfae3e3-fcb2-4174-8ebd-3023cb213c8b";
const FLOW_P2: &str = "4755df59-3f73-41ab-a249-596ad72b5504";

/// Ada launched the premium app on 2026-10-20 (the small snapshot's Purview export).
const ADA: &str = "11111111-1111-1111-1111-111111111111";
const BOB: &str = "22222222-2222-2222-2222-222222222222";
const CY: &str = "33333333-3333-3333-3333-333333333333";
const BI_GROUP: &str = "aaaaaaaa-0000-0000-0000-0000000000b1";
const EVERYTHING_GROUP: &str = "aaaaaaaa-0000-0000-0000-0000000000b2";
const RECENT: &str = "2026-10-28T09:00:00Z";
const OLD: &str = "2026-01-15T09:00:00Z";

/// One license a user holds: the SKU, the plans disabled on it, and its sources.
struct Held {
    sku: &'static str,
    disabled: &'static [&'static str],
    sources: &'static [&'static str],
}

fn direct(sku: &'static str) -> Held {
    Held {
        sku,
        disabled: &[],
        sources: &["direct"],
    }
}

fn user(id: &str, name: &str, last: &str, licenses: &[Held]) -> Value {
    let assigned: Vec<Value> = licenses
        .iter()
        .map(|held| json!({"skuId": held.sku, "disabledPlans": held.disabled}))
        .collect();
    let states: Vec<Value> = licenses
        .iter()
        .flat_map(|held| {
            held.sources.iter().map(move |source| {
                let group = if *source == "direct" {
                    Value::Null
                } else {
                    json!(source)
                };
                json!({"skuId": held.sku, "assignedByGroup": group, "disabledPlans": held.disabled, "state": "Active", "error": "None"})
            })
        })
        .collect();
    json!({
        "id": id, "userPrincipalName": format!("{name}@contoso.com"), "displayName": name,
        "accountEnabled": true, "userType": "Member", "department": "Sales", "usageLocation": "US",
        "assignedLicenses": assigned, "licenseAssignmentStates": states,
        "signInActivity": {"lastSignInDateTime": last, "lastNonInteractiveSignInDateTime": null, "lastSuccessfulSignInDateTime": last}
    })
}

fn sku(id: &str, part: &str, seats: i64) -> Value {
    json!({"skuId": id, "skuPartNumber": part, "prepaidUnits": {"enabled": seats}, "consumedUnits": seats,
           "capabilityStatus": "Enabled", "appliesTo": "User"})
}

/// Every SKU the cases use, 5 seats each.
fn all_skus() -> Vec<Value> {
    vec![
        sku(E5, "SPE_E5", 5),
        sku(E3, "SPE_E3", 5),
        sku(PBI, "POWER_BI_PRO", 5),
        sku(PBI_DEPT, "POWER_BI_PRO_DEPT", 5),
        sku(TEAMS_TRIAL, "TEAMS_COMMERCIAL_TRIAL", 5),
        sku(TEAMS_IW, "MS_TEAMS_IW", 5),
        sku(POWERFLOW_P2, "POWERFLOW_P2", 5),
        sku(FLOW_P2, "FLOW_P2", 5),
    ]
}

/// Writes a snapshot of `users` with [`all_skus`], the small snapshot's app inventory and
/// audit export, and `prices` (a `prices.csv`) when given.
fn write_snapshot(dir: &Path, users: Vec<Value>, groups: Option<Value>, prices: Option<&str>) {
    write_snapshot_with(dir, users, all_skus(), groups, prices);
}

fn write_snapshot_with(
    dir: &Path,
    users: Vec<Value>,
    skus: Vec<Value>,
    groups: Option<Value>,
    prices: Option<&str>,
) {
    std::fs::create_dir_all(dir.join("audit")).expect("mkdir");
    let mut files = vec![
        ("users.json", json!({"value": users}).to_string()),
        ("subscribedSkus.json", json!({"value": skus}).to_string()),
        ("snapshot.json", SNAPSHOT_JSON.to_string()),
        ("apps.csv", APPS_CSV.to_string()),
        ("audit/purview.csv", PURVIEW_AUDIT.to_string()),
    ];
    if let Some(groups) = groups {
        files.push(("groups.json", groups.to_string()));
    }
    if let Some(prices) = prices {
        files.push(("prices.csv", prices.to_string()));
    }
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write snapshot file");
    }
}

/// The findings of an audit of `users` as of 2026-11-01 over 90 days, with the audit exports
/// declared complete (premium use is known).
fn findings_of(users: Vec<Value>, prices: Option<&str>) -> Vec<Finding> {
    findings_with(users, all_skus(), prices)
}

/// Like [`findings_of`], with the subscribed SKUs given.
fn findings_with(users: Vec<Value>, skus: Vec<Value>, prices: Option<&str>) -> Vec<Finding> {
    let temp = tempfile::tempdir().expect("temp dir");
    write_snapshot_with(temp.path(), users, skus, None, prices);
    let snapshot = read_snapshot(
        temp.path(),
        &IngestOptions {
            strictness: Strictness::Strict,
        },
    )
    .expect("snapshot reads");
    let window = AuditWindow {
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
        days: 90,
    };
    analyze(
        &snapshot,
        &Catalogue::bundled().expect("catalogue"),
        PriceBook::bundled().expect("prices"),
        window,
        AnalyzeOptions {
            audit_complete: true,
        },
    )
    .expect("analysis runs")
    .findings
}

fn of_kind(findings: &[Finding], kind: FindingKind) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|finding| finding.kind == kind)
        .collect()
}

fn redundant(findings: &[Finding]) -> Vec<&Finding> {
    of_kind(findings, FindingKind::RedundantLicense)
}

fn usd(text: &str) -> Money {
    Money::parse(text).expect("amount")
}

fn covered_by(part: &str, id: &str) -> Option<CoveringLicense> {
    Some(CoveringLicense {
        sku_part_number: part.into(),
        sku_id: id.into(),
    })
}

#[test]
fn power_bi_pro_beside_e5_is_redundant_at_its_own_price() {
    let findings = findings_of(
        vec![user(BOB, "bob", RECENT, &[direct(E5), direct(PBI)])],
        None,
    );
    let found = redundant(&findings);
    assert_eq!(found.len(), 1, "{findings:#?}");
    let finding = found[0];
    assert_eq!(finding.user_id.as_deref(), Some(BOB));
    assert_eq!(
        finding.user_principal_name.as_deref(),
        Some("bob@contoso.com")
    );
    assert_eq!(finding.sku_part_number, "POWER_BI_PRO");
    assert_eq!(finding.sku_id, PBI);
    assert_eq!(finding.reason, Some(FindingReason::CoveredByHeldLicense));
    assert_eq!(finding.monthly_amount, usd("14.00"));
    assert_eq!(finding.assigned_by, ["direct"]);
    assert_eq!(finding.covered_by, covered_by("SPE_E5", E5));
    assert_eq!(
        finding.note.as_deref(),
        Some("Microsoft 365 E5 (SPE_E5), also held, grants every service of this license")
    );
    // Nothing else: Bob is active and neither license is premium.
    assert_eq!(findings.len(), 1, "{findings:#?}");
}

#[test]
fn e3_does_not_cover_power_bi_pro() {
    let findings = findings_of(
        vec![user(BOB, "bob", RECENT, &[direct(E3), direct(PBI)])],
        None,
    );
    assert!(redundant(&findings).is_empty(), "{findings:#?}");
}

#[test]
fn a_covering_plan_disabled_for_the_user_covers_nothing() {
    let e5_without_power_bi = Held {
        sku: E5,
        disabled: &[BI_AZURE_P2],
        sources: &["direct"],
    };
    let findings = findings_of(
        vec![user(
            BOB,
            "bob",
            RECENT,
            &[e5_without_power_bi, direct(PBI)],
        )],
        None,
    );
    assert!(redundant(&findings).is_empty(), "{findings:#?}");

    // A disabled plan Power BI Pro does not need changes nothing.
    let e5_without_phone = Held {
        sku: E5,
        disabled: &[MCOEV],
        sources: &["direct"],
    };
    let findings = findings_of(
        vec![user(BOB, "bob", RECENT, &[e5_without_phone, direct(PBI)])],
        None,
    );
    assert_eq!(redundant(&findings).len(), 1, "{findings:#?}");
}

#[test]
fn a_suspended_or_company_wide_covering_license_covers_nothing() {
    let with_e5 = |edit: &dyn Fn(&mut Value)| {
        let mut skus = all_skus();
        for sku in &mut skus {
            if sku["skuId"] == E5 {
                edit(sku);
            }
        }
        findings_with(
            vec![user(BOB, "bob", RECENT, &[direct(E5), direct(PBI)])],
            skus,
            None,
        )
    };
    let suspended = with_e5(&|sku| sku["capabilityStatus"] = json!("Suspended"));
    assert!(redundant(&suspended).is_empty(), "{suspended:#?}");
    let company = with_e5(&|sku| sku["appliesTo"] = json!("Company"));
    assert!(redundant(&company).is_empty(), "{company:#?}");
    // In its grace period a subscription is still paid for, and still covers.
    let ending = with_e5(&|sku| sku["capabilityStatus"] = json!("Warning"));
    assert_eq!(redundant(&ending).len(), 1, "{ending:#?}");
}

#[test]
fn a_trial_covers_nothing_even_a_priced_license_inside_it() {
    // The premise: every user-facing plan of MS_TEAMS_IW is a plan of the trial.
    let coverage = Coverage::bundled().expect("coverage");
    let trial_plans = coverage
        .user_facing_plans(TEAMS_TRIAL)
        .expect("trial plans");
    let inside = coverage.user_facing_plans(TEAMS_IW).expect("plans");
    assert!(
        inside
            .iter()
            .all(|plan| trial_plans.iter().any(|held| held.name == plan.name))
    );
    let prices = "SkuPartNumber,MonthlyPrice,Currency\nMS_TEAMS_IW,5.00,USD\n";
    let findings = findings_of(
        vec![user(
            BOB,
            "bob",
            RECENT,
            &[direct(TEAMS_TRIAL), direct(TEAMS_IW)],
        )],
        Some(prices),
    );
    assert!(redundant(&findings).is_empty(), "{findings:#?}");
}

#[test]
fn a_covering_license_being_reclaimed_makes_nothing_redundant() {
    // Power Apps Plan 2 (premium, priced here) covers Power Automate Plan 2. Cy launched no
    // premium app: his Plan 2 is unused-premium, so Power Automate is what he keeps. Ada
    // launched one: her Power Automate Plan 2 is redundant.
    let prices = "SkuPartNumber,MonthlyPrice,Currency\nPOWERFLOW_P2,40.00,USD\nFLOW_P2,15.00,USD\n";
    let findings = findings_of(
        vec![
            user(ADA, "ada", RECENT, &[direct(POWERFLOW_P2), direct(FLOW_P2)]),
            user(CY, "cy", RECENT, &[direct(POWERFLOW_P2), direct(FLOW_P2)]),
        ],
        Some(prices),
    );
    let unused = of_kind(&findings, FindingKind::UnusedPremium);
    assert_eq!(unused.len(), 1, "{findings:#?}");
    assert_eq!(
        (unused[0].user_id.as_deref(), unused[0].sku_id.as_str()),
        (Some(CY), POWERFLOW_P2)
    );
    let found = redundant(&findings);
    assert_eq!(found.len(), 1, "{findings:#?}");
    assert_eq!(
        (found[0].user_id.as_deref(), found[0].sku_id.as_str()),
        (Some(ADA), FLOW_P2)
    );
    assert_eq!(found[0].monthly_amount, usd("15.00"));
    assert_eq!(
        found[0].covered_by,
        covered_by("POWERFLOW_P2", POWERFLOW_P2)
    );
}

#[test]
fn an_inactive_holder_is_reclaimed_not_told_redundant() {
    let findings = findings_of(
        vec![user(BOB, "bob", OLD, &[direct(E5), direct(PBI)])],
        None,
    );
    assert!(redundant(&findings).is_empty(), "{findings:#?}");
    assert_eq!(
        of_kind(&findings, FindingKind::InactiveHolder).len(),
        2,
        "{findings:#?}"
    );
}

#[test]
fn of_two_licenses_covering_each_other_the_pricier_is_redundant() {
    // Power BI Pro and Power BI Pro Dept have the same plan: each covers the other.
    let cheaper_dept = "SkuPartNumber,MonthlyPrice,Currency\nPOWER_BI_PRO_DEPT,10.00,USD\n";
    let findings = findings_of(
        vec![user(BOB, "bob", RECENT, &[direct(PBI), direct(PBI_DEPT)])],
        Some(cheaper_dept),
    );
    let found = redundant(&findings);
    assert_eq!(found.len(), 1, "{findings:#?}");
    assert_eq!(found[0].sku_part_number, "POWER_BI_PRO");
    assert_eq!(found[0].monthly_amount, usd("14.00"));
    assert_eq!(
        found[0].covered_by,
        covered_by("POWER_BI_PRO_DEPT", PBI_DEPT)
    );

    // Equal prices: still one, the part number sorting later.
    let same_price = "SkuPartNumber,MonthlyPrice,Currency\nPOWER_BI_PRO_DEPT,14.00,USD\n";
    let findings = findings_of(
        vec![user(BOB, "bob", RECENT, &[direct(PBI), direct(PBI_DEPT)])],
        Some(same_price),
    );
    let found = redundant(&findings);
    assert_eq!(found.len(), 1, "{findings:#?}");
    assert_eq!(found[0].sku_part_number, "POWER_BI_PRO_DEPT");
    assert_eq!(found[0].covered_by, covered_by("POWER_BI_PRO", PBI));
}

#[test]
fn the_audit_writes_the_finding_and_the_plan_removes_the_covered_license_only() {
    let temp = tempfile::tempdir().expect("temp dir");
    let group = |id: &str, name: &str, licenses: &[&str], member: &str| {
        json!({"id": id, "displayName": name, "groupTypes": [], "membershipRule": null,
               "assignedLicenses": licenses.iter().map(|sku| json!({"skuId": sku})).collect::<Vec<_>>(),
               "members": [{"@odata.type": "#microsoft.graph.user", "id": member}]})
    };
    let groups = json!({"value": [
        group(BI_GROUP, "BI Users", &[PBI], BOB),
        group(EVERYTHING_GROUP, "Everything", &[E5, PBI], CY),
    ]});
    // Ada: Power BI Pro directly; Bob: from a group that grants only it; Cy: E5 and Power BI
    // Pro both from one group, so leaving it would take E5 away too.
    let from = |sku: &'static str, group: &'static [&'static str]| Held {
        sku,
        disabled: &[],
        sources: group,
    };
    write_snapshot(
        &temp.path().join("snapshot"),
        vec![
            user(ADA, "ada", RECENT, &[direct(E5), direct(PBI)]),
            user(BOB, "bob", RECENT, &[direct(E5), from(PBI, &[BI_GROUP])]),
            user(
                CY,
                "cy",
                RECENT,
                &[
                    from(E5, &[EVERYTHING_GROUP]),
                    from(PBI, &[EVERYTHING_GROUP]),
                ],
            ),
        ],
        Some(groups),
        None,
    );
    ok(run_in(
        temp.path(),
        &["audit", "snapshot", "--out", "audit", "--no-report"],
    ));
    let audit = read_json(&temp.path().join("audit/findings.json"));
    assert_eq!(audit["summary"]["findings"]["redundant-license"], 3);
    let findings: Vec<&Value> = audit["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["kind"] == "redundant-license")
        .collect();
    let names: Vec<&str> = findings
        .iter()
        .map(|finding| finding["user_principal_name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        ["ada@contoso.com", "bob@contoso.com", "cy@contoso.com"]
    );
    for finding in &findings {
        assert_eq!(finding["sku_part_number"], "POWER_BI_PRO");
        assert_eq!(finding["reason"], "covered-by-held-license");
        assert_eq!(finding["monthly_amount"], json!(14.0));
        assert_eq!(
            finding["covered_by"],
            json!({"sku_part_number": "SPE_E5", "sku_id": E5})
        );
    }
    assert_eq!(findings[1]["assigned_by"], json!([BI_GROUP]));
    // 3 × 14.00 saved; nothing else is a saving (every seat is held, everyone active).
    assert_eq!(audit["summary"]["monthly_savings"], json!(42.0));

    std::fs::write(
        temp.path().join("policy.toml"),
        "kinds = [\"redundant-license\"]\n",
    )
    .expect("write policy");
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
    let actions = plan["actions"].as_array().expect("actions");
    let summary: Vec<(String, String, String)> = actions
        .iter()
        .map(|action| {
            (
                action["user_principal_name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                action["mechanism"].as_str().unwrap_or_default().to_string(),
                action["sku_part_number"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "ada@contoso.com".to_string(),
                "remove-direct".to_string(),
                "POWER_BI_PRO".to_string()
            ),
            (
                "bob@contoso.com".to_string(),
                "remove-from-group".to_string(),
                "POWER_BI_PRO".to_string()
            ),
        ]
    );
    assert!(
        actions.iter().all(|action| action["sku_id"] != E5),
        "{actions:#?}"
    );
    assert_eq!(actions[1]["group_id"], BI_GROUP);
    // `apply` re-checks that the covering license is still there before removing.
    for action in actions {
        assert_eq!(action["observed"]["covering_sku_id"], E5);
        assert_eq!(
            action["reason"],
            "redundant-license/covered-by-held-license"
        );
    }
    let skipped = plan["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 1, "{skipped:#?}");
    assert_eq!(skipped[0]["user_principal_name"], "cy@contoso.com");
    let why = skipped[0]["why"].as_str().unwrap_or_default();
    assert!(
        why.contains("Everything") && why.contains("covering license SPE_E5"),
        "{why}"
    );
}

#[test]
fn disabled_plans_are_read_in_any_case_and_a_bad_one_is_named() {
    // PowerShell's ConvertTo-Json writes `DisabledPlans`; GUIDs may come upper case.
    let mut bob = user(BOB, "bob", RECENT, &[direct(E5), direct(PBI)]);
    bob["assignedLicenses"][0] =
        json!({"SkuId": E5, "DisabledPlans": [BI_AZURE_P2.to_uppercase()]});
    let findings = findings_of(vec![bob.clone()], None);
    assert!(redundant(&findings).is_empty(), "{findings:#?}");

    bob["assignedLicenses"][0] = json!({"skuId": E5, "disabledPlans": ["Power BI"]});
    let temp = tempfile::tempdir().expect("temp dir");
    write_snapshot(temp.path(), vec![bob], None, None);
    let error = read_snapshot(
        temp.path(),
        &IngestOptions {
            strictness: Strictness::Strict,
        },
    )
    .err()
    .expect("a plan that is not a GUID is refused")
    .to_string();
    assert!(
        error.contains("assignedLicenses[0].disabledPlans[0]"),
        "{error}"
    );
}
