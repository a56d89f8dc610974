//! Integration tests of the synthetic tenant generator (`seatwise::generate`).
//!
//! The generator is the fixture every other stage is demonstrated and benchmarked on, so these
//! tests read its output back with plain `serde_json` and `csv` (never through other seatwise
//! modules) and check the snapshot contract: byte-for-byte determinism, Graph-consistent
//! licensing (consumed units, group members, assignment states), both audit CSV shapes and both
//! record shapes, the 50,000-row file cap, and that every realism case actually occurs, including
//! the identity cases of SPEC §2 (renamed users, a reused user principal name, a non-GUID user
//! key), a `#TYPE` line, a record exported twice and an app premium only through a code
//! component.

// In a test a panic is the failure report.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use seatwise::generate::{GenerateConfig, GenerateError, GenerateSummary, generate};
use serde_json::Value;

const BOM: &str = "\u{feff}";
const PURVIEW_HEADER: &str = "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames";
const SEARCH_HEADER: &str = "\"CreationDate\",\"UserIds\",\"Operations\",\"AuditData\"";
const SEARCH_HEADER_WITH_TYPE: &str =
    "\"RecordType\",\"CreationDate\",\"UserIds\",\"Operations\",\"AuditData\"";
const POWERAPPS_PER_USER: &str = "b30411f5-fea1-4a59-9ad9-3db7c7ead579";
const TYPE_LINE: &str =
    "#TYPE Deserialized.Microsoft.Exchange.Data.ApplicationLogic.UnifiedAuditLogEvent";

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 9, 14).unwrap()
}

fn config(users: usize, seed: u64) -> GenerateConfig {
    GenerateConfig {
        users,
        seed,
        as_of: as_of(),
    }
}

/// Generates into a fresh temporary directory; returns it, the snapshot path and the summary.
fn generate_fresh(users: usize, seed: u64) -> (tempfile::TempDir, PathBuf, GenerateSummary) {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("snapshot");
    let summary = generate(&config(users, seed), &out).unwrap();
    (temp, out, summary)
}

/// Every file under `dir`, relative path to bytes.
fn all_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_path_buf();
                files.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

fn array<'a>(value: &'a Value, key: &str) -> &'a Vec<Value> {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not an array in {value}"))
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {value}"))
}

fn graph_time(value: &Value) -> Option<NaiveDateTime> {
    value
        .as_str()
        .map(|text| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%SZ").unwrap())
}

/// Reads `users/page-*.json` in order: the pages and the users they hold.
fn read_user_pages(dir: &Path) -> (Vec<Value>, Vec<Value>) {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir.join("users"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    let pages: Vec<Value> = paths.iter().map(|path| read_json(path)).collect();
    let users = pages
        .iter()
        .flat_map(|page| array(page, "value").iter().cloned())
        .collect();
    (pages, users)
}

/// A parsed audit row.
#[derive(Debug)]
struct AuditRow {
    file: String,
    creation_date: String,
    user: String,
    operation: String,
    /// The `AuditData` text as written.
    audit_data: String,
    data: Value,
}

/// One audit file: name, `#TYPE` line (if any), header line, data rows.
#[derive(Debug)]
struct AuditFile {
    name: String,
    type_line: Option<String>,
    header: String,
    rows: usize,
}

/// Reads every audit file; returns the rows and the files.
fn read_audit(dir: &Path) -> (Vec<AuditRow>, Vec<AuditFile>) {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir.join("audit"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    let mut rows = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let content = fs::read_to_string(&path).unwrap();
        assert!(content.ends_with("\r\n"), "{name} does not end with CRLF");
        assert!(
            !content.replace("\r\n", "").contains('\n'),
            "{name} has a bare LF line end"
        );
        let (type_line, content) = match content.strip_prefix("#TYPE ") {
            Some(_) => {
                let (line, rest) = content.split_once("\r\n").unwrap();
                (Some(line.to_string()), rest.to_string())
            }
            None => (None, content),
        };
        let header_line = content.split("\r\n").next().unwrap().to_string();
        let body = content.strip_prefix(BOM).unwrap_or(&content);
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        let column = |wanted: &str| headers.iter().position(|header| header == wanted);
        let date_column = column("CreationDate").unwrap();
        let user_column = column("UserId").or_else(|| column("UserIds")).unwrap();
        let operation_column = column("Operation")
            .or_else(|| column("Operations"))
            .unwrap();
        let data_column = column("AuditData").unwrap();
        let mut count = 0;
        for record in reader.records() {
            let record = record.unwrap();
            count += 1;
            rows.push(AuditRow {
                file: name.clone(),
                creation_date: record[date_column].to_string(),
                user: record[user_column].to_string(),
                operation: record[operation_column].to_string(),
                audit_data: record[data_column].to_string(),
                data: serde_json::from_str(&record[data_column]).unwrap(),
            });
        }
        files.push(AuditFile {
            name,
            type_line,
            header: header_line,
            rows: count,
        });
    }
    (rows, files)
}

/// The `PropertyCollection` value named `name`, if the record has one.
fn property<'a>(data: &'a Value, name: &str) -> Option<&'a str> {
    data["PropertyCollection"].as_array().and_then(|entries| {
        entries
            .iter()
            .find(|entry| entry["Name"] == name)
            .and_then(|entry| entry["Value"].as_str())
    })
}

/// A GUID in Microsoft's lowercase 8-4-4-4-12 form.
fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(index, character)| match index {
            8 | 13 | 18 | 23 => character == '-',
            _ => character.is_ascii_hexdigit(),
        })
}

/// A Passport-style user key: 16 uppercase hex digits.
fn is_puid(text: &str) -> bool {
    text.len() == 16
        && text
            .chars()
            .all(|character| character.is_ascii_digit() || ('A'..='F').contains(&character))
}

/// The app GUID of a launch record, in either shape.
fn launched_app(data: &Value) -> Option<String> {
    if let Some(app) = data["AppName"].as_str() {
        return Some(app.to_string());
    }
    data["PropertyCollection"].as_array().and_then(|entries| {
        entries
            .iter()
            .find(|entry| entry["Name"] == "powerplatform.analytics.resource.power_app.id")
            .and_then(|entry| entry["Value"].as_str().map(str::to_string))
    })
}

/// One row of `apps.csv`.
#[derive(Debug, Clone)]
struct AppRow {
    id: String,
    name: String,
    /// Any of the four premium flags.
    premium: bool,
    /// Premium only through `UsesPcfExternalServiceUsage`.
    pcf_only: bool,
}

/// The rows of `apps.csv`.
fn read_apps(dir: &Path) -> Vec<AppRow> {
    let mut reader = csv::Reader::from_path(dir.join("apps.csv")).unwrap();
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let flag = |column: usize| &record[column] == "True";
            AppRow {
                id: record[0].to_string(),
                name: record[1].to_string(),
                premium: (3..7).any(flag),
                pcf_only: flag(6) && !(3..6).any(flag),
            }
        })
        .collect()
}

#[test]
fn same_config_gives_identical_bytes_and_another_seed_differs() {
    let (_first_temp, first, first_summary) = generate_fresh(150, 7);
    let (_second_temp, second, second_summary) = generate_fresh(150, 7);
    let (_other_temp, other, _) = generate_fresh(150, 8);
    assert_eq!(first_summary, second_summary);
    let first_files = all_files(&first);
    assert!(
        first_files.len() >= 8,
        "too few files: {:?}",
        first_files.keys()
    );
    assert_eq!(first_files, all_files(&second));
    let other_files = all_files(&other);
    assert_ne!(
        first_files.get(Path::new("snapshot.json")),
        other_files.get(Path::new("snapshot.json"))
    );
    assert_ne!(
        first_files.get(Path::new("users/page-0001.json")),
        other_files.get(Path::new("users/page-0001.json"))
    );
}

#[test]
fn refuses_zero_users_and_non_empty_output() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("snapshot");
    assert!(matches!(
        generate(&config(0, 1), &out),
        Err(GenerateError::NoUsers)
    ));
    assert!(!out.exists());

    fs::create_dir(&out).unwrap();
    fs::write(out.join("keep.txt"), "mine").unwrap();
    let error = generate(&config(20, 1), &out).unwrap_err();
    assert!(
        matches!(error, GenerateError::OutputNotEmpty { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("snapshot"), "{error}");
    assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "mine");
    assert_eq!(fs::read_dir(&out).unwrap().count(), 1);

    let file = temp.path().join("a-file");
    fs::write(&file, "x").unwrap();
    assert!(matches!(
        generate(&config(20, 1), &file),
        Err(GenerateError::OutputNotEmpty { .. })
    ));
}

#[test]
fn writes_into_an_empty_directory_and_leaves_no_staging_behind() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("nested").join("snapshot");
    fs::create_dir_all(&out).unwrap();
    let summary = generate(&config(30, 3), &out).unwrap();
    assert_eq!(summary.users, 30);
    assert!(out.join("snapshot.json").is_file());
    let siblings: Vec<String> = fs::read_dir(temp.path().join("nested"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(siblings, vec!["snapshot".to_string()]);
}

#[test]
fn tiny_tenants_are_generated_without_panicking() {
    for users in [1, 2, 5, 13] {
        let (_temp, dir, summary) = generate_fresh(users, users as u64);
        assert_eq!(summary.users, users);
        let (_, directory_users) = read_user_pages(&dir);
        assert_eq!(directory_users.len(), users);
        let (_, files) = read_audit(&dir);
        assert_eq!(files.len(), summary.audit_files);
    }
}

#[test]
fn snapshot_and_subscriptions_are_consistent() {
    let (_temp, dir, summary) = generate_fresh(300, 42);
    let snapshot = read_json(&dir.join("snapshot.json"));
    assert_eq!(snapshot["collectedAt"], "2026-09-14T06:00:00Z");
    assert_eq!(snapshot["source"], "seatwise generate");
    let tenant_id = text(&snapshot, "tenantId").to_string();
    assert_eq!(tenant_id.len(), 36);

    let (pages, users) = read_user_pages(&dir);
    assert_eq!(users.len(), summary.users);
    assert_eq!(users.len(), 300);
    for (index, page) in pages.iter().enumerate() {
        let last = index + 1 == pages.len();
        assert!(text(page, "@odata.context").starts_with("https://graph.microsoft.com/v1.0/"));
        assert_eq!(page.get("@odata.nextLink").is_none(), last);
        if !last {
            assert_eq!(array(page, "value").len(), 120);
            assert!(text(page, "@odata.nextLink").contains("$skiptoken="));
        }
    }

    let mut holders: HashMap<String, usize> = HashMap::new();
    for user in &users {
        let licenses: Vec<&str> = array(user, "assignedLicenses")
            .iter()
            .map(|license| text(license, "skuId"))
            .collect();
        let unique: HashSet<&str> = licenses.iter().copied().collect();
        assert_eq!(unique.len(), licenses.len(), "a SKU listed twice: {user}");
        for sku in unique {
            *holders.entry(sku.to_string()).or_default() += 1;
        }
    }

    let skus = read_json(&dir.join("subscribedSkus.json"));
    assert_eq!(
        skus["@odata.context"],
        "https://graph.microsoft.com/v1.0/$metadata#subscribedSkus"
    );
    let mut exact = 0;
    let mut idle = 0;
    let mut parts = BTreeMap::new();
    for sku in array(&skus, "value") {
        let sku_id = text(sku, "skuId");
        let consumed = sku["consumedUnits"].as_u64().unwrap() as usize;
        let enabled = sku["prepaidUnits"]["enabled"].as_u64().unwrap() as usize;
        assert_eq!(consumed, holders.get(sku_id).copied().unwrap_or(0), "{sku}");
        assert!(enabled >= consumed, "over-assigned: {sku}");
        assert_eq!(text(sku, "id"), format!("{tenant_id}_{sku_id}"));
        assert_eq!(sku["appliesTo"], "User");
        assert_eq!(sku["capabilityStatus"], "Enabled");
        assert!(!array(sku, "servicePlans").is_empty());
        assert!(!array(sku, "subscriptionIds").is_empty());
        if enabled == consumed {
            exact += 1;
        } else if enabled < 10_000 {
            idle += 1;
        }
        parts.insert(text(sku, "skuPartNumber").to_string(), (consumed, enabled));
    }
    assert_eq!(parts.len(), 13);
    assert!(exact >= 1, "no SKU without spare seats: {parts:?}");
    assert!(idle >= 5, "too few SKUs with idle seats: {parts:?}");
    assert_eq!(parts["POWERAPPS_VIRAL"].1, 10_000);
    assert_eq!(parts["FLOW_FREE"].1, 10_000);
    assert!(parts["POWERAPPS_PER_USER"].0 > 0);
    assert!(parts["POWERAPPS_PER_APP_NEW"].0 > 0);
    assert!(parts["DYN365_ENTERPRISE_SALES"].0 > 0);

    let known_skus: HashSet<String> = array(&skus, "value")
        .iter()
        .map(|sku| text(sku, "skuId").to_string())
        .collect();
    assert!(holders.keys().all(|sku| known_skus.contains(sku)));
}

#[test]
fn groups_and_assignment_states_agree() {
    let (_temp, dir, summary) = generate_fresh(300, 42);
    let (_, users) = read_user_pages(&dir);
    let groups = read_json(&dir.join("groups.json"));
    let groups = array(&groups, "value");
    assert_eq!(groups.len(), summary.groups);

    let user_ids: HashSet<&str> = users.iter().map(|user| text(user, "id")).collect();
    assert_eq!(user_ids.len(), users.len(), "duplicate user ids");
    let group_ids: HashSet<&str> = groups.iter().map(|group| text(group, "id")).collect();

    // Users by group according to their assignment states.
    let mut by_states: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut errors = BTreeSet::new();
    let mut duplicates = 0;
    let mut two_groups = 0;
    for user in &users {
        let held: HashSet<&str> = array(user, "assignedLicenses")
            .iter()
            .map(|license| text(license, "skuId"))
            .collect();
        let mut active_sources: HashMap<&str, Vec<Value>> = HashMap::new();
        for state in array(user, "licenseAssignmentStates") {
            let sku = text(state, "skuId");
            let group = &state["assignedByGroup"];
            if let Some(group) = group.as_str() {
                assert!(group_ids.contains(group), "unknown group {group}");
                by_states
                    .entry(group.to_string())
                    .or_default()
                    .insert(text(user, "id").to_string());
            } else {
                assert!(group.is_null());
            }
            assert!(graph_time(&state["lastUpdatedDateTime"]).is_some());
            match text(state, "state") {
                "Active" => {
                    assert_eq!(state["error"], "None");
                    assert!(held.contains(sku), "active but not held: {user}");
                    active_sources.entry(sku).or_default().push(group.clone());
                }
                "Error" => {
                    errors.insert(text(state, "error").to_string());
                }
                other => panic!("unexpected state {other}"),
            }
        }
        // Everything held comes from an active state; an errored SKU is not held otherwise.
        for sku in &held {
            assert!(
                active_sources.contains_key(sku),
                "held without state: {user}"
            );
        }
        if let Some(sources) = active_sources.get(POWERAPPS_PER_USER) {
            let direct = sources.iter().filter(|source| source.is_null()).count();
            let via_groups = sources.len() - direct;
            if direct == 1 && via_groups >= 1 {
                duplicates += 1;
            }
            if via_groups >= 2 {
                two_groups += 1;
            }
        }
    }
    assert!(duplicates >= 1, "no direct + group Power Apps Premium");
    assert!(two_groups >= 1, "no Power Apps Premium through two groups");
    for expected in [
        "CountViolation",
        "MutuallyExclusiveViolation",
        "DependencyViolation",
    ] {
        assert!(errors.contains(expected), "no {expected}: {errors:?}");
    }

    let mut dynamic = 0;
    let mut empty_dynamic = 0;
    for group in groups {
        let members: BTreeSet<String> = array(group, "members")
            .iter()
            .map(|member| {
                assert_eq!(member["@odata.type"], "#microsoft.graph.user");
                let id = text(member, "id");
                assert!(user_ids.contains(id), "member {id} is not a user");
                id.to_string()
            })
            .collect();
        let expected = by_states.remove(text(group, "id")).unwrap_or_default();
        assert_eq!(members, expected, "members of {}", group["displayName"]);
        assert_eq!(array(group, "assignedLicenses").len(), 1);
        assert_eq!(group["securityEnabled"], true);
        let types: Vec<&str> = array(group, "groupTypes")
            .iter()
            .map(|kind| kind.as_str().unwrap())
            .collect();
        if types.contains(&"DynamicMembership") {
            let rule = text(group, "membershipRule");
            assert!(rule.starts_with("(user.department -eq \""), "{rule}");
            dynamic += 1;
            if members.is_empty() {
                empty_dynamic += 1;
            } else {
                // Everyone in the rule's department, and nobody else.
                let department = rule
                    .trim_start_matches("(user.department -eq \"")
                    .trim_end_matches("\")");
                let in_department: BTreeSet<String> = users
                    .iter()
                    .filter(|user| user["department"] == department)
                    .map(|user| text(user, "id").to_string())
                    .collect();
                assert_eq!(members, in_department);
            }
        } else {
            assert!(group["membershipRule"].is_null());
        }
    }
    assert!(dynamic >= 1 && empty_dynamic >= 1);
    assert!(
        by_states.is_empty(),
        "states name groups not in groups.json"
    );
}

/// Sign-in cases, departments and guests of a 300-user tenant.
/// Members carry the chargeback attributes finance groups costs by, some null as in real
/// directories; guests carry none; the cost center follows the department.
#[test]
fn members_carry_chargeback_attributes() {
    let (_temp, dir, _) = generate_fresh(300, 42);
    let (_, users) = read_user_pages(&dir);
    let (guests, members): (Vec<&Value>, Vec<&Value>) =
        users.iter().partition(|user| user["userType"] == "Guest");
    for guest in &guests {
        assert!(guest["companyName"].is_null(), "{guest}");
        assert!(guest["employeeOrgData"].is_null(), "{guest}");
    }
    let count = |pick: &dyn Fn(&Value) -> bool| members.iter().filter(|user| pick(user)).count();
    let with_cost_center = count(&|user| user["employeeOrgData"]["costCenter"].is_string());
    let without_org_data = count(&|user| user["employeeOrgData"].is_null());
    let without_company = count(&|user| user["companyName"].is_null());
    let european = count(&|user| {
        user["companyName"]
            .as_str()
            .is_some_and(|name| name.ends_with(" Europe"))
    });
    let with_office = count(&|user| user["officeLocation"].is_string());
    assert!(
        with_cost_center > members.len() * 3 / 4,
        "{with_cost_center}"
    );
    assert!(
        without_org_data > 0 && without_company > 0,
        "some are unset"
    );
    assert!(european > 0 && with_office > members.len() / 2);
    // One department, one cost center.
    let mut centers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for user in &members {
        if let (Some(department), Some(center)) = (
            user["department"].as_str().filter(|name| !name.is_empty()),
            user["employeeOrgData"]["costCenter"].as_str(),
        ) {
            centers
                .entry(department.to_string())
                .or_default()
                .insert(center.to_string());
        }
    }
    assert!(centers.len() > 3);
    for (department, codes) in &centers {
        assert_eq!(codes.len(), 1, "{department}: {codes:?}");
    }
}

#[test]
fn directory_contains_every_realism_case() {
    let (_temp, dir, _) = generate_fresh(300, 42);
    let (_, users) = read_user_pages(&dir);
    let as_of = as_of().and_hms_opt(0, 0, 0).unwrap();
    let collected = as_of + chrono::Duration::hours(6);
    let window_start = as_of - chrono::Duration::days(89);
    let days_ago = |at: NaiveDateTime| (as_of.date() - at.date()).num_days();

    let upns: HashSet<String> = users
        .iter()
        .map(|user| text(user, "userPrincipalName").to_lowercase())
        .collect();
    assert_eq!(
        upns.len(),
        users.len(),
        "user principal names are not unique"
    );

    let mut departments: BTreeMap<String, usize> = BTreeMap::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut bump = |case: &'static str| *counts.entry(case).or_default() += 1;
    for user in &users {
        match &user["department"] {
            Value::Null => bump("department null"),
            Value::String(name) if name.is_empty() => bump("department empty"),
            Value::String(name) => *departments.entry(name.clone()).or_default() += 1,
            other => panic!("department {other}"),
        }
        let upn = text(user, "userPrincipalName");
        let guest = user["userType"] == "Guest";
        if guest {
            assert!(upn.contains("#EXT#@"), "{upn}");
            bump("guest");
        } else {
            assert_eq!(user["userType"], "Member");
        }
        if upn.chars().any(char::is_uppercase) && !guest {
            bump("mixed-case upn");
        }
        let licensed = !array(user, "assignedLicenses").is_empty();
        let enabled = user["accountEnabled"].as_bool().unwrap();
        let sign_in = &user["signInActivity"];
        if sign_in.is_null() {
            bump("signInActivity null");
            continue;
        }
        let last = graph_time(&sign_in["lastSignInDateTime"]);
        let non_interactive = graph_time(&sign_in["lastNonInteractiveSignInDateTime"]);
        let has_success_property = sign_in.get("lastSuccessfulSignInDateTime").is_some();
        let success = graph_time(&sign_in["lastSuccessfulSignInDateTime"]);
        for at in [last, non_interactive, success].into_iter().flatten() {
            assert!(at <= collected, "sign-in after collection: {user}");
        }
        if !has_success_property {
            assert!(sign_in.get("lastSuccessfulSignInRequestId").is_none());
            bump("no lastSuccessful property");
        }
        if last.is_none() && non_interactive.is_none() && success.is_none() {
            bump("never signed in (all null)");
        }
        if !enabled {
            bump("disabled");
            if licensed {
                bump("disabled and licensed");
            }
            if last.is_some_and(|at| days_ago(at) <= 10) {
                bump("disabled with recent sign-in");
            }
        }
        if has_success_property
            && last.is_some_and(|at| at >= window_start)
            && success.is_none_or(|at| at < window_start)
            && non_interactive.is_none_or(|at| at < window_start)
        {
            bump("failed interactive sign-in");
        }
        let activity = if has_success_property {
            success.max(non_interactive)
        } else {
            last.max(non_interactive)
        };
        match activity.map(days_ago) {
            Some(89) => bump("activity on as_of - 89"),
            Some(90) => bump("activity on as_of - 90"),
            Some(0..=88) => bump("active"),
            Some(91..=200) => bump("recently inactive"),
            Some(201..) => bump("long inactive"),
            _ => {}
        }
    }
    for case in [
        "department null",
        "department empty",
        "guest",
        "mixed-case upn",
        "signInActivity null",
        "no lastSuccessful property",
        "never signed in (all null)",
        "disabled",
        "disabled and licensed",
        "disabled with recent sign-in",
        "failed interactive sign-in",
        "activity on as_of - 89",
        "activity on as_of - 90",
        "active",
        "recently inactive",
        "long inactive",
    ] {
        assert!(
            counts.get(case).copied().unwrap_or(0) >= 1,
            "no {case}: {counts:?}"
        );
    }
    assert!(departments.len() >= 7, "{departments:?}");
    assert!(!departments.contains_key("Legal"));
    let sizes: Vec<usize> = departments.values().copied().collect();
    assert!(sizes.iter().max().unwrap() >= &(3 * sizes.iter().min().unwrap()));
    let disabled = counts["disabled"];
    assert!((8..=30).contains(&disabled), "disabled {disabled}");
    assert!(counts["active"] > 150, "{counts:?}");
}

#[test]
fn apps_csv_is_written_like_export_csv() {
    let (_temp, dir, summary) = generate_fresh(300, 42);
    let content = fs::read_to_string(dir.join("apps.csv")).unwrap();
    assert!(content.starts_with(
        "\"AppName\",\"DisplayName\",\"EnvironmentName\",\"UsesPremiumApi\",\"UsesCustomApi\",\"UsesOnPremiseGateway\",\"UsesPcfExternalServiceUsage\"\r\n"
    ));
    assert!(!content.replace("\r\n", "").contains('\n'));
    for line in content.split("\r\n").filter(|line| !line.is_empty()) {
        assert!(line.starts_with('"') && line.ends_with('"'), "{line}");
    }
    let apps = read_apps(&dir);
    assert_eq!(apps.len(), summary.apps);
    assert!((25..=40).contains(&apps.len()), "{}", apps.len());
    let premium = apps.iter().filter(|app| app.premium).count();
    assert!(
        premium * 4 >= apps.len() && premium * 2 <= apps.len(),
        "{premium}"
    );
    assert!(apps.iter().any(|app| app.name.contains(',')));
    assert!(apps.iter().any(|app| app.name.contains('"')));
    assert!(
        apps.iter().any(|app| app.pcf_only),
        "no app premium only through UsesPcfExternalServiceUsage"
    );
    let mut reader = csv::Reader::from_path(dir.join("apps.csv")).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        assert_eq!(record.len(), 7);
        for column in 3..7 {
            assert!(matches!(&record[column], "True" | "False"));
        }
    }
    for flag in 3..7 {
        let mut reader = csv::Reader::from_path(dir.join("apps.csv")).unwrap();
        assert!(
            reader
                .records()
                .any(|record| &record.unwrap()[flag] == "True"),
            "flag column {flag} is never True"
        );
    }
}

#[test]
fn audit_log_has_both_shapes_and_every_usage_case() {
    let (_temp, dir, summary) = generate_fresh(300, 42);
    let (rows, files) = read_audit(&dir);
    assert_eq!(rows.len(), summary.audit_rows);
    assert_eq!(files.len(), summary.audit_files);
    assert!(
        (1_500..=9_000).contains(&rows.len()),
        "about 10 rows per user expected, got {}",
        rows.len()
    );

    // File shapes, the row cap, and the one export written with type information.
    let mut headers = BTreeSet::new();
    let mut typed = Vec::new();
    for file in &files {
        let (name, header) = (&file.name, &file.header);
        assert!(file.rows <= 50_000, "{name} has {} rows", file.rows);
        if name.starts_with("purview-") {
            assert_eq!(header, &format!("{BOM}{PURVIEW_HEADER}"));
        } else {
            assert!(name.starts_with("search-unifiedauditlog-"), "{name}");
            assert!(
                header == SEARCH_HEADER || header == SEARCH_HEADER_WITH_TYPE,
                "{header}"
            );
            assert!(!header.starts_with(BOM));
        }
        if let Some(line) = &file.type_line {
            typed.push((name.as_str(), line.as_str(), header.as_str()));
        }
        headers.insert(header.clone());
    }
    assert_eq!(headers.len(), 3, "{headers:?}");
    assert_eq!(
        typed,
        vec![(
            "search-unifiedauditlog-0002.csv",
            TYPE_LINE,
            SEARCH_HEADER_WITH_TYPE
        )]
    );

    // One launch exported twice: the identical row in two Purview files; every other record once.
    let mut by_record: HashMap<&str, Vec<&AuditRow>> = HashMap::new();
    for row in &rows {
        by_record
            .entry(text(&row.data, "Id"))
            .or_default()
            .push(row);
    }
    let repeated: Vec<&Vec<&AuditRow>> = by_record.values().filter(|rows| rows.len() > 1).collect();
    assert_eq!(repeated.len(), 1, "records exported more than once");
    let twice = repeated[0];
    assert_eq!(twice.len(), 2);
    assert_ne!(twice[0].file, twice[1].file);
    assert!(twice.iter().all(|row| row.file.starts_with("purview-")));
    assert_eq!(twice[0].operation, "LaunchPowerApp");
    for (first, second) in [
        (&twice[0].creation_date, &twice[1].creation_date),
        (&twice[0].user, &twice[1].user),
        (&twice[0].operation, &twice[1].operation),
        (&twice[0].audit_data, &twice[1].audit_data),
    ] {
        assert_eq!(first, second);
    }

    let (_, users) = read_user_pages(&dir);
    let by_id: HashMap<&str, &Value> = users.iter().map(|user| (text(user, "id"), user)).collect();
    let by_upn: HashMap<String, &Value> = users
        .iter()
        .map(|user| (text(user, "userPrincipalName").to_lowercase(), user))
        .collect();
    let apps: HashMap<String, AppRow> = read_apps(&dir)
        .into_iter()
        .map(|app| (app.id.clone(), app))
        .collect();
    let as_of = as_of().and_hms_opt(0, 0, 0).unwrap();
    let window_start = as_of - chrono::Duration::days(89);
    let day_after = as_of + chrono::Duration::days(1);

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut bump = |case: &'static str| *counts.entry(case).or_default() += 1;
    let mut premium_users_in_window: HashSet<String> = HashSet::new();
    // Users with premium launches in the window under an older name, and under the current one.
    let mut premium_under_former_upn: HashSet<String> = HashSet::new();
    let mut premium_under_current_upn: HashSet<String> = HashSet::new();
    let mut seen_records: HashSet<&str> = HashSet::new();
    for row in &rows {
        let data = &row.data;
        if !seen_records.insert(text(data, "Id")) {
            continue;
        }
        let creation_time =
            NaiveDateTime::parse_from_str(text(data, "CreationTime"), "%Y-%m-%dT%H:%M:%S").unwrap();
        let row_time = if row.file.starts_with("purview-") {
            assert!(
                row.creation_date.ends_with(".0000000Z "),
                "{}",
                row.creation_date
            );
            NaiveDateTime::parse_from_str(&row.creation_date, "%Y-%m-%dT%H:%M:%S.0000000Z ")
        } else {
            NaiveDateTime::parse_from_str(&row.creation_date, "%-m/%-d/%Y %-I:%M:%S %p")
        }
        .unwrap();
        assert_eq!(row_time, creation_time);
        assert!(creation_time >= as_of - chrono::Duration::days(180));
        let data_user = text(data, "UserId");
        assert!(row.user.eq_ignore_ascii_case(data_user));
        if row.user != data_user {
            bump("row user in another case");
        }
        assert_eq!(row.operation, text(data, "Operation"));
        if row.operation != "LaunchPowerApp" {
            bump("other operation");
            continue;
        }
        bump("launch");
        match data["RecordType"].as_u64() {
            Some(45) => {
                assert_eq!(data["Workload"], "PowerApps");
                bump("record type 45");
            }
            Some(256) => {
                assert_eq!(data["Workload"], "PowerPlatform");
                let first = &array(data, "PropertyCollection")[0];
                if first["Name"] != "powerplatform.analytics.resource.power_app.id" {
                    bump("app id not first");
                }
                if let Some(name) = property(data, "enduser.principal_name") {
                    assert_eq!(name, data_user);
                }
                bump("record type 256");
            }
            other => panic!("launch with record type {other:?}"),
        }
        // The user key: the object id (repeated as enduser.id when present), or a PUID.
        let user_key = text(data, "UserKey");
        let end_user_id = property(data, "enduser.id");
        let object_id = if is_guid(user_key) {
            if let Some(end_user_id) = end_user_id {
                assert_eq!(end_user_id, user_key);
            }
            Some(user_key)
        } else {
            assert!(is_puid(user_key), "user key {user_key}");
            assert!(end_user_id.is_none(), "a PUID-keyed record with enduser.id");
            bump("PUID user key");
            None
        };
        let app = launched_app(data).unwrap();
        let app = apps.get(&app);
        if app.is_none() {
            bump("deleted app");
        }
        if creation_time >= day_after {
            bump("after as_of");
            continue;
        }
        let premium_in_window = app.is_some_and(|app| app.premium) && creation_time >= window_start;
        if premium_in_window && app.is_some_and(|app| app.pcf_only) {
            bump("app premium only through a code component, in window");
        }
        match object_id.map(|id| by_id.get(id)) {
            Some(None) => {
                bump("deleted user");
                if premium_in_window {
                    bump("deleted user premium in window");
                    if by_upn.contains_key(&data_user.to_lowercase()) {
                        bump("deleted user premium in window under a reused name");
                    }
                }
            }
            Some(Some(user)) => {
                let id = text(user, "id").to_string();
                let current = text(user, "userPrincipalName");
                let renamed = !current.eq_ignore_ascii_case(data_user);
                if renamed {
                    assert!(
                        !by_upn.contains_key(&data_user.to_lowercase()),
                        "{data_user}: a former name that a current user holds"
                    );
                    bump("renamed user");
                } else if current != data_user {
                    bump("audit user in another case than directory");
                }
                if premium_in_window {
                    if renamed {
                        premium_under_former_upn.insert(id.clone());
                    } else {
                        premium_under_current_upn.insert(id.clone());
                    }
                    premium_users_in_window.insert(id);
                }
            }
            None => {
                let user = by_upn
                    .get(&data_user.to_lowercase())
                    .unwrap_or_else(|| panic!("PUID-keyed launch of unknown {data_user}"));
                if premium_in_window {
                    bump("PUID-keyed premium launch in window");
                    premium_users_in_window.insert(text(user, "id").to_string());
                }
            }
        }
    }
    for case in [
        "other operation",
        "record type 45",
        "record type 256",
        "app id not first",
        "deleted app",
        "after as_of",
        "deleted user",
        "deleted user premium in window",
        "deleted user premium in window under a reused name",
        "renamed user",
        "PUID user key",
        "PUID-keyed premium launch in window",
        "app premium only through a code component, in window",
        "row user in another case",
        "audit user in another case than directory",
    ] {
        assert!(
            counts.get(case).copied().unwrap_or(0) >= 1,
            "no {case}: {counts:?}"
        );
    }
    let other_share = counts["other operation"] as f64 / rows.len() as f64;
    assert!((0.08..=0.25).contains(&other_share), "{other_share}");

    // Missing premium (use without any premium-granting license) and unused premium.
    let premium_skus = [
        POWERAPPS_PER_USER,
        "b4d7b828-e8dc-4518-91f9-e123ae48440d",
        "dcb1a3ae-b33f-4487-846a-a640262fadf4",
        "1e1a282c-9c54-43a2-9310-98ef728faace",
    ];
    let holds = |user: &Value, skus: &[&str]| {
        array(user, "assignedLicenses")
            .iter()
            .any(|license| skus.contains(&text(license, "skuId")))
    };
    let missing = users
        .iter()
        .filter(|user| premium_users_in_window.contains(text(user, "id")))
        .filter(|user| !holds(user, &premium_skus))
        .count();
    assert!(missing >= 3, "missing-premium cases: {missing}");
    let active = |user: &Value| {
        let sign_in = &user["signInActivity"];
        [
            graph_time(&sign_in["lastSuccessfulSignInDateTime"]),
            graph_time(&sign_in["lastNonInteractiveSignInDateTime"]),
        ]
        .into_iter()
        .flatten()
        .any(|at| at >= window_start)
    };
    let unused = users
        .iter()
        .filter(|user| holds(user, &[POWERAPPS_PER_USER]) && user["accountEnabled"] == true)
        .filter(|user| active(user) && !premium_users_in_window.contains(text(user, "id")))
        .count();
    assert!(unused >= 2, "unused-premium cases: {unused}");
    let idle_holders = users
        .iter()
        .filter(|user| holds(user, &[POWERAPPS_PER_USER]))
        .filter(|user| user["accountEnabled"] == false || !active(user))
        .count();
    assert!(
        idle_holders >= 2,
        "inactive or disabled premium holders: {idle_holders}"
    );
    // A premium holder whose every premium launch in the window is under a former name.
    let renamed_holders = users
        .iter()
        .filter(|user| holds(user, &[POWERAPPS_PER_USER]) && user["accountEnabled"] == true)
        .filter(|user| active(user))
        .filter(|user| {
            let id = text(user, "id");
            premium_under_former_upn.contains(id) && !premium_under_current_upn.contains(id)
        })
        .count();
    assert!(
        renamed_holders >= 1,
        "no premium holder with premium use only under a former name"
    );
}
