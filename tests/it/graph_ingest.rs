//! `seatwise ingest graph` against the fake Microsoft Graph (`tests/support/fake_graph`).
//!
//! Each test generates a small tenant with `seatwise generate`, serves it with the fake Graph on
//! loopback, runs the real binary against it and checks what it wrote and what it sent: the
//! pulled snapshot must equal the served one (read both with `seatwise::ingest::read_snapshot`),
//! and the request log shows paging, `$select`, retries, token renewal and resumption. Waits are
//! kept short through the client's environment settings (timeouts, backoff, audit polling).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use polars::prelude::*;
use seatwise::ingest::{IngestOptions, read_snapshot};
use seatwise::model::{Snapshot, columns};
use serde_json::Value;

use crate::fake_graph::{FakeGraph, FakeGraphConfig, Fault, LoggedRequest};

const CLIENT_ID: &str = "test-client";
const SECRET: &str = "test-secret-value-7f3a";
const SINCE: &str = "2026-01-01";
const USER_SELECT: &str = "$select=id,userPrincipalName,displayName,accountEnabled,userType,department,jobTitle,usageLocation,companyName,officeLocation,employeeOrgData,createdDateTime,assignedLicenses,licenseAssignmentStates,signInActivity&$top=999";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A tenant of `users` users generated into a temporary folder, as `<tmp>/served`.
pub(crate) fn tenant(users: usize, seed: u64) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().expect("temp dir");
    let served = temp.path().join("served");
    let output = Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .args([
            "generate",
            "--users",
            &users.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .args(["--as-of", "2026-11-01", "--out"])
        .arg(&served)
        .output()
        .expect("run seatwise generate");
    assert!(
        output.status.success(),
        "generate failed: {}",
        text(&output.stderr)
    );
    (temp, served)
}

pub(crate) fn serve(snapshot: &Path, adjust: impl FnOnce(&mut FakeGraphConfig)) -> FakeGraph {
    let mut config = FakeGraphConfig {
        snapshot: snapshot.to_path_buf(),
        ..FakeGraphConfig::default()
    };
    adjust(&mut config);
    FakeGraph::start(config)
}

/// `seatwise ingest graph` against `fake`, with client credentials and short waits.
fn ingest_command(fake: &FakeGraph, out: &Path, extra: &[&str]) -> Command {
    let base = fake.base_url();
    let mut command = Command::new(env!("CARGO_BIN_EXE_seatwise"));
    command
        .args([
            "ingest",
            "graph",
            "--tenant",
            &fake.tenant_id(),
            "--client-id",
            CLIENT_ID,
        ])
        .args(["--authority", &base, "--graph", &base, "--out"])
        .arg(out)
        .args(extra);
    if !extra.contains(&"--since") {
        command.args(["--since", SINCE]);
    }
    command
        .env("SEATWISE_CLIENT_SECRET", SECRET)
        .env_remove("SEATWISE_ACCESS_TOKEN")
        .env("SEATWISE_GRAPH_TIMEOUT_MS", "5000")
        .env("SEATWISE_GRAPH_MAX_ATTEMPTS", "4")
        .env("SEATWISE_GRAPH_BACKOFF_MS", "10")
        .env("SEATWISE_AUDIT_POLL_MS", "10");
    command
}

fn ingest(fake: &FakeGraph, out: &Path, extra: &[&str], environment: &[(&str, &str)]) -> Output {
    let mut command = ingest_command(fake, out, extra);
    for (name, value) in environment {
        command.env(name, value);
    }
    command.output().expect("run seatwise ingest graph")
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "ingest failed ({:?}):\nstdout: {}\nstderr: {}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    );
}

fn read(dir: &Path) -> Snapshot {
    read_snapshot(dir, &IngestOptions::default())
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
}

/// The rows of `frame` as sorted strings: equal frames have equal rows, whatever their order.
fn rows(frame: &DataFrame) -> Vec<String> {
    let mut rows: Vec<String> = (0..frame.height())
        .map(|index| format!("{:?}", frame.get_row(index).expect("row").0))
        .collect();
    rows.sort();
    rows
}

fn assert_same_frame(name: &str, served: &DataFrame, pulled: &DataFrame) {
    assert_eq!(
        served.get_column_names(),
        pulled.get_column_names(),
        "{name}: columns"
    );
    let (served_rows, pulled_rows) = (rows(served), rows(pulled));
    assert_eq!(served_rows.len(), pulled_rows.len(), "{name}: row count");
    assert!(served_rows == pulled_rows, "{name}: rows differ");
}

/// One row of launches: user, object id, app, first and last time, and how many.
type LaunchDay = (String, String, String, i64, i64, i64);

/// Every launch row (per user, app and UTC day) of a snapshot, sorted.
fn launches(snapshot: &Snapshot) -> Vec<LaunchDay> {
    let frame = &snapshot.launches_with_identities().expect("named launches");
    let strings = |name: &str| -> Vec<String> {
        let column = frame
            .column(name)
            .expect("launch column")
            .str()
            .expect("string column")
            .clone();
        (0..frame.height())
            .map(|index| column.get(index).unwrap_or_default().to_string())
            .collect()
    };
    let integers = |name: &str| -> Vec<i64> {
        let column = frame
            .column(name)
            .expect("launch column")
            .cast(&DataType::Int64)
            .expect("cast");
        let column = column.i64().expect("i64");
        (0..frame.height())
            .map(|index| column.get(index).unwrap_or_default())
            .collect()
    };
    let (users, object_ids, apps) = (
        strings(columns::USER_KEY),
        strings(columns::USER_OBJECT_ID),
        strings(columns::APP_ID),
    );
    let (first, last, counts) = (
        integers(columns::FIRST_LAUNCHED_AT),
        integers(columns::LAST_LAUNCHED_AT),
        integers(columns::LAUNCHES),
    );
    let mut launches: Vec<LaunchDay> = (0..frame.height())
        .map(|index| {
            (
                users[index].clone(),
                object_ids[index].clone(),
                apps[index].clone(),
                first[index],
                last[index],
                counts[index],
            )
        })
        .collect();
    launches.sort();
    launches
}

/// The pulled launches are the served ones of the window `[start, end)`: a served row wholly
/// inside it is pulled as it is; a served row on a day the window cuts is pulled with fewer
/// launches, or not at all; nothing else is pulled.
fn assert_same_launches(served: &[LaunchDay], pulled: &[LaunchDay], (start, end): (i64, i64)) {
    const DAY: i64 = 86_400_000;
    let day_of = |row: &LaunchDay| {
        (
            row.0.clone(),
            row.1.clone(),
            row.2.clone(),
            row.3.div_euclid(DAY),
        )
    };
    let served_by_day: BTreeMap<_, &LaunchDay> =
        served.iter().map(|row| (day_of(row), row)).collect();
    let inside: Vec<&LaunchDay> = served
        .iter()
        .filter(|row| row.3 >= start && row.4 < end)
        .collect();
    assert!(
        !inside.is_empty(),
        "the window holds no launch: the test proves nothing"
    );
    for row in &inside {
        assert!(
            pulled.contains(row),
            "a served launch row is not pulled: {row:?}"
        );
    }
    for row in pulled {
        assert!(
            row.3 >= start && row.4 < end,
            "a launch outside the window: {row:?}"
        );
        let Some(&origin) = served_by_day.get(&day_of(row)) else {
            panic!("a pulled launch row the tenant does not serve: {row:?}");
        };
        let cut = origin.3 < start || origin.4 >= end;
        assert!(
            origin == row || (cut && row.5 < origin.5),
            "a pulled launch row differs from the served one: {row:?} against {origin:?}"
        );
    }
}

/// Launch records in all rows of a snapshot.
fn launch_count(snapshot: &Snapshot) -> i64 {
    snapshot
        .launches
        .column(columns::LAUNCHES)
        .expect("launch counts")
        .cast(&DataType::Int64)
        .expect("cast")
        .i64()
        .expect("i64")
        .sum()
        .unwrap_or(0)
}

fn snapshot_json(dir: &Path) -> Value {
    let bytes = std::fs::read(dir.join("snapshot.json")).expect("snapshot.json");
    serde_json::from_slice(&bytes).expect("snapshot.json is JSON")
}

/// The audit query window `snapshot.json` records, in milliseconds.
fn pulled_window(dir: &Path) -> (i64, i64) {
    let metadata = snapshot_json(dir);
    let millis = |value: &Value| {
        chrono::DateTime::parse_from_rfc3339(value.as_str().expect("a timestamp"))
            .expect("RFC 3339")
            .timestamp_millis()
    };
    (
        millis(&metadata["auditQuery"]["filterStartDateTime"]),
        millis(&metadata["auditQuery"]["filterEndDateTime"]),
    )
}

/// The pulled snapshot holds exactly the served tenant: every frame, and the launches of the
/// pulled window, nothing lost and nothing doubled.
pub(crate) fn assert_same_tenant(served: &Path, pulled: &Path) {
    let (expected, actual) = (read(served), read(pulled));
    assert_same_frame("users", &expected.users, &actual.users);
    assert_same_frame("holdings", &expected.holdings, &actual.holdings);
    assert_same_frame(
        "assignment_states",
        &expected.assignment_states,
        &actual.assignment_states,
    );
    assert_same_frame(
        "subscribed_skus",
        &expected.subscribed_skus,
        &actual.subscribed_skus,
    );
    assert_same_frame("groups", &expected.groups, &actual.groups);
    assert_same_frame(
        "group_members",
        &expected.group_members,
        &actual.group_members,
    );
    assert_same_frame(
        "group_licenses",
        &expected.group_licenses,
        &actual.group_licenses,
    );
    let window = pulled_window(pulled);
    assert_same_launches(&launches(&expected), &launches(&actual), window);
    assert!(
        !pulled
            .parent()
            .expect("parent")
            .join(partial_name(pulled))
            .exists(),
        "the partial folder is left behind"
    );
    assert!(
        !pulled.join(".pull").exists(),
        "checkpoints are left in the snapshot"
    );
}

fn partial_name(out: &Path) -> String {
    format!(
        ".{}.partial",
        out.file_name().expect("name").to_string_lossy()
    )
}

fn graph_requests<'a>(log: &'a [LoggedRequest], prefix: &str) -> Vec<&'a LoggedRequest> {
    log.iter()
        .filter(|request| request.path_and_query.starts_with(prefix))
        .collect()
}

pub(crate) fn is_token_request(request: &LoggedRequest) -> bool {
    request.method == "POST" && request.path_and_query.ends_with("/oauth2/v2.0/token")
}

fn page_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .collect()
        })
        .unwrap_or_default();
    files.retain(|path| {
        path.extension()
            .is_some_and(|extension| extension == "json")
    });
    files.sort();
    files
}

/// The `@odata.nextLink` of a saved page, as a path and query.
fn next_link_of(page: &Path, base: &str) -> Option<String> {
    let value: Value =
        serde_json::from_slice(&std::fs::read(page).expect("page")).expect("page JSON");
    value["@odata.nextLink"]
        .as_str()
        .map(|link| link.strip_prefix(base).unwrap_or(link).to_string())
}

// ---------------------------------------------------------------------------------------------
// A complete pull
// ---------------------------------------------------------------------------------------------

#[test]
fn pulled_snapshot_equals_the_served_tenant() {
    let (temp, served) = tenant(300, 5);
    let fake = serve(&served, |config| {
        config.max_page_size = 40;
        config.audit_page_size = 150;
    });
    let out = temp.path().join("pulled");
    let apps = served.join("apps.csv");
    let apps = apps.to_str().expect("path");
    let output = ingest(
        &fake,
        &out,
        &[
            "--since",
            "2026-08-01",
            "--concurrency",
            "3",
            "--apps",
            apps,
        ],
        &[],
    );
    assert_success(&output);
    assert_same_tenant(&served, &out);

    let stdout = text(&output.stdout);
    assert_eq!(
        stdout.lines().count(),
        1,
        "stdout is one summary line: {stdout}"
    );
    assert!(
        stdout.starts_with("pulled ") && stdout.contains("300 users"),
        "{stdout}"
    );

    // The window starts on --since: earlier launches of the served tenant are not pulled.
    let (start, _) = pulled_window(&out);
    let start_day = chrono::DateTime::from_timestamp_millis(start).expect("start");
    assert_eq!(start_day.to_rfc3339(), "2026-08-01T00:00:00+00:00");
    assert!(
        launch_count(&read(&served)) > launch_count(&read(&out)),
        "the served tenant has launches before --since, which must stay out"
    );

    let metadata = snapshot_json(&out);
    assert_eq!(metadata["source"], "seatwise ingest graph");
    assert_eq!(metadata["signInActivityCollected"], true);
    assert_eq!(metadata["tenantId"], Value::String(fake.tenant_id()));
    assert!(
        metadata["collectedAt"]
            .as_str()
            .is_some_and(|moment| moment.ends_with('Z'))
    );

    // The same audit, from the served and the pulled snapshot. Graph does not know the
    // subscriptions' terms: the admin adds terms.csv beside the pulled files, as here.
    std::fs::copy(served.join("terms.csv"), out.join("terms.csv")).expect("terms.csv");
    let findings = |snapshot: &Path, name: &str| -> Value {
        let report = temp.path().join(name);
        let output = Command::new(env!("CARGO_BIN_EXE_seatwise"))
            .arg("audit")
            .arg(snapshot)
            .args(["--as-of", "2026-11-01", "--out"])
            .arg(&report)
            .output()
            .expect("run seatwise audit");
        assert!(
            output.status.success(),
            "audit failed: {}",
            text(&output.stderr)
        );
        let bytes = std::fs::read(report.join("findings.json")).expect("findings.json");
        let findings: Value = serde_json::from_slice(&bytes).expect("findings JSON");
        findings["findings"].clone()
    };
    // Launches before --since only change last_premium_use context; compare the rest.
    let strip = |mut findings: Value| {
        if let Some(list) = findings.as_array_mut() {
            for finding in list {
                if let Some(object) = finding.as_object_mut() {
                    object.remove("last_premium_use");
                }
            }
        }
        findings
    };
    let (expected, actual) = (
        strip(findings(&served, "served-audit")),
        strip(findings(&out, "pulled-audit")),
    );
    let (expected, actual) = (
        expected.as_array().expect("findings").clone(),
        actual.as_array().expect("findings").clone(),
    );
    assert!(
        expected.len() > 20,
        "the audit finds something: the comparison proves something"
    );
    for (expected, actual) in expected.iter().zip(&actual) {
        assert_eq!(
            expected, actual,
            "the audits of the served and the pulled snapshot differ"
        );
    }
    assert_eq!(expected.len(), actual.len(), "finding count");
}

#[test]
fn pages_follow_next_links_and_select_every_property() {
    let (temp, served) = tenant(150, 6);
    let fake = serve(&served, |config| {
        config.max_page_size = 25;
        config.audit_page_size = 40;
    });
    let out = temp.path().join("pulled");
    assert_success(&ingest(&fake, &out, &[], &[]));
    assert_same_tenant(&served, &out);
    let log = fake.requests();
    let base = fake.base_url();

    // Users: the first request selects every property the audit reads; then the next links.
    let users = graph_requests(&log, "/v1.0/users");
    assert_eq!(
        users[0].path_and_query,
        format!("/v1.0/users?{USER_SELECT}")
    );
    let pages = page_files(&out.join("users"));
    assert_eq!(pages.len(), 6, "150 users in pages of 25");
    let mut expected = vec![users[0].path_and_query.clone()];
    for page in &pages[..pages.len() - 1] {
        expected.push(next_link_of(page, &base).expect("a next link on every page but the last"));
    }
    assert!(next_link_of(&pages[5], &base).is_none());
    let sent: Vec<String> = users
        .iter()
        .map(|request| request.path_and_query.clone())
        .collect();
    assert_eq!(
        sent, expected,
        "users pages are fetched once each, by their next links"
    );
    assert!(
        users
            .iter()
            .all(|request| request.had_bearer && request.status == 200)
    );

    // Groups: the licensed-groups advanced query, then each group's members, paged.
    let groups = graph_requests(&log, "/v1.0/groups?");
    assert!(
        groups[0]
            .path_and_query
            .contains("$filter=assignedLicenses/$count%20ne%200")
    );
    assert!(groups[0].path_and_query.contains("$count=true"));
    let members = graph_requests(&log, "/v1.0/groups/");
    assert!(
        members
            .iter()
            .all(|request| request.path_and_query.contains("/members?"))
    );
    assert!(
        members
            .iter()
            .any(|request| request.path_and_query.contains("skiptoken"))
    );

    // Audit: one query for LaunchPowerApp, its records paged after it succeeded.
    let posts: Vec<_> = graph_requests(&log, "/v1.0/security/auditLog/queries")
        .into_iter()
        .filter(|request| request.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    let body: Value =
        serde_json::from_str(posts[0].body.as_deref().expect("body")).expect("JSON body");
    assert_eq!(
        body["operationFilters"],
        serde_json::json!(["LaunchPowerApp"])
    );
    assert_eq!(body["filterStartDateTime"], "2026-01-01T00:00:00Z");
    let records = graph_requests(&log, "/v1.0/security/auditLog/queries/")
        .into_iter()
        .filter(|request| request.path_and_query.contains("/records"))
        .count();
    assert!(records > 1, "records are paged");
    let audit_files = page_files(&out.join("audit"));
    assert!(audit_files.is_empty(), "audit exports are CSV");
    assert!(out.join("audit/graph-00001.csv").is_file());
    // --apps absent: no inventory.
    assert!(!out.join("apps.csv").exists());
}

#[test]
fn apps_inventory_is_copied_in() {
    let (temp, served) = tenant(60, 7);
    let fake = serve(&served, |_| {});
    let out = temp.path().join("pulled");
    let apps = served.join("apps.csv");
    let output = ingest(&fake, &out, &["--apps", apps.to_str().expect("path")], &[]);
    assert_success(&output);
    assert_eq!(
        std::fs::read(&apps).expect("served apps"),
        std::fs::read(out.join("apps.csv")).expect("pulled apps")
    );

    let bad = temp.path().join("bad-apps.csv");
    std::fs::write(&bad, "Name,Premium\nx,True\n").expect("write");
    let output = ingest(
        &fake,
        &temp.path().join("other"),
        &["--apps", bad.to_str().expect("path")],
        &[],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("--apps"),
        "{}",
        text(&output.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------------------------

#[test]
fn throttling_honours_retry_after() {
    let (temp, served) = tenant(100, 8);
    let fake = serve(&served, |config| {
        config.max_page_size = 30;
        config.faults = vec![Fault::TooManyRequests {
            path_prefix: "/v1.0/users".to_string(),
            after: 1,
            times: 2,
            retry_after_secs: 1,
        }];
    });
    let out = temp.path().join("pulled");
    let started = Instant::now();
    let output = ingest(&fake, &out, &[], &[]);
    let elapsed = started.elapsed();
    assert_success(&output);
    assert_same_tenant(&served, &out);
    // The backoff is 10 ms: only honouring Retry-After (1 s, twice) makes the pull this slow.
    assert!(
        elapsed >= Duration::from_secs(2),
        "Retry-After was not honoured: {elapsed:?}"
    );
    let log = fake.requests();
    let users = graph_requests(&log, "/v1.0/users");
    let statuses: Vec<u16> = users.iter().map(|request| request.status).collect();
    assert_eq!(&statuses[..4], &[200, 429, 429, 200], "{statuses:?}");
    assert_eq!(
        users[1].path_and_query, users[3].path_and_query,
        "the same page is asked again"
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("HTTP 429, Retry-After 1; retrying in 1.0 s"),
        "{stderr}"
    );
}

#[test]
fn service_unavailable_bursts_are_retried() {
    let (temp, served) = tenant(80, 9);
    let fake = serve(&served, |config| {
        config.faults = vec![
            Fault::ServiceUnavailable {
                path_prefix: "/v1.0/groups".to_string(),
                after: 2,
                times: 3,
            },
            Fault::ServiceUnavailable {
                path_prefix: "/v1.0/subscribedSkus".to_string(),
                after: 0,
                times: 3,
            },
        ];
    });
    let out = temp.path().join("pulled");
    assert_success(&ingest(&fake, &out, &[], &[]));
    assert_same_tenant(&served, &out);
    let log = fake.requests();
    let unavailable = log.iter().filter(|request| request.status == 503).count();
    assert_eq!(unavailable, 6);
}

#[test]
fn an_expired_token_is_renewed_once() {
    let (temp, served) = tenant(120, 10);
    let fake = serve(&served, |config| {
        config.max_page_size = 20;
        config.faults = vec![Fault::ExpireTokens { after: 5 }];
    });
    let out = temp.path().join("pulled");
    assert_success(&ingest(&fake, &out, &["--concurrency", "1"], &[]));
    assert_same_tenant(&served, &out);
    let log = fake.requests();
    let token_requests = log
        .iter()
        .filter(|request| is_token_request(request))
        .count();
    assert_eq!(token_requests, 2, "one token at the start, one renewal");
    let refused: Vec<usize> = (0..log.len())
        .filter(|&index| log[index].status == 401)
        .collect();
    assert_eq!(refused.len(), 1, "one request hit the expired token");
    assert!(
        is_token_request(&log[refused[0] + 1]),
        "the renewal follows the 401"
    );
    assert!(
        log[refused[0] + 2..]
            .iter()
            .any(
                |request| request.path_and_query == log[refused[0]].path_and_query
                    && request.status == 200
            ),
        "the refused request is sent again with the new token"
    );
}

#[test]
fn a_token_about_to_expire_is_renewed_before_use() {
    let (temp, served) = tenant(60, 11);
    let fake = serve(&served, |config| {
        config.max_page_size = 5;
        config.token_lifetime = Duration::from_secs(1);
        config.latency = Duration::from_millis(40);
    });
    let out = temp.path().join("pulled");
    let started = Instant::now();
    assert_success(&ingest(&fake, &out, &["--concurrency", "1"], &[]));
    let elapsed = started.elapsed();
    assert_same_tenant(&served, &out);
    let log = fake.requests();
    let tokens = log
        .iter()
        .filter(|request| is_token_request(request))
        .count();
    assert!(
        elapsed < Duration::from_secs(1) || tokens >= 2,
        "a pull of {elapsed:?} with 1 s tokens used {tokens} token(s) over {} requests",
        log.len()
    );
    assert!(
        elapsed >= Duration::from_secs(1),
        "the pull is too short to outlive a token"
    );
    assert!(
        log.iter().all(|request| request.status != 401),
        "tokens are renewed before they expire, not after a 401"
    );
}

/// How long the fake holds the slow page: longer than the whole pull takes without it.
const SLOW_PAGE_DELAY: Duration = Duration::from_secs(20);

#[test]
fn a_slow_page_times_out_and_is_fetched_again() {
    let (temp, served) = tenant(90, 12);
    let fake = serve(&served, |config| {
        config.max_page_size = 30;
        config.faults = vec![Fault::SlowResponse {
            path_prefix: "/v1.0/users".to_string(),
            after: 1,
            times: 1,
            delay: SLOW_PAGE_DELAY,
        }];
    });
    let out = temp.path().join("pulled");
    let started = Instant::now();
    // The timeout leaves every other request of this debug-built pair ample time on a busy
    // machine, and stays far below the slow page's delay.
    let output = ingest(&fake, &out, &[], &[("SEATWISE_GRAPH_TIMEOUT_MS", "2500")]);
    let elapsed = started.elapsed();
    assert_success(&output);
    assert_same_tenant(&served, &out);
    assert!(
        elapsed < SLOW_PAGE_DELAY,
        "the slow page was waited for: {elapsed:?}"
    );
    let log = fake.requests();
    let users = graph_requests(&log, "/v1.0/users");
    assert_eq!(
        users[1].path_and_query, users[2].path_and_query,
        "the timed-out page is asked again"
    );
    assert!(
        text(&output.stderr).contains("timed out"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_dropped_connection_is_retried() {
    let (temp, served) = tenant(90, 13);
    let fake = serve(&served, |config| {
        config.max_page_size = 30;
        config.faults = vec![
            Fault::DropConnection {
                path_prefix: "/v1.0/users".to_string(),
                after: 1,
                times: 1,
            },
            Fault::DropConnection {
                path_prefix: "/v1.0/security/auditLog/queries/".to_string(),
                after: 0,
                times: 1,
            },
        ];
    });
    let out = temp.path().join("pulled");
    assert_success(&ingest(&fake, &out, &[], &[]));
    assert_same_tenant(&served, &out);
    let log = fake.requests();
    assert_eq!(log.iter().filter(|request| request.status == 0).count(), 2);
    let users = graph_requests(&log, "/v1.0/users");
    assert_eq!(users[1].status, 0);
    assert_eq!(users[1].path_and_query, users[2].path_and_query);
}

#[test]
fn an_audit_query_that_stays_running_is_polled_until_it_succeeds() {
    let (temp, served) = tenant(60, 14);
    let fake = serve(&served, |config| config.audit_query_polls_running = 4);
    let out = temp.path().join("pulled");
    let output = ingest(&fake, &out, &[], &[]);
    assert_success(&output);
    assert_same_tenant(&served, &out);
    let log = fake.requests();
    let audit = graph_requests(&log, "/v1.0/security/auditLog/queries");
    let polls = audit
        .iter()
        .filter(|request| request.method == "GET" && !request.path_and_query.contains("/records"))
        .count();
    assert_eq!(polls, 5, "four answers `running`, the fifth `succeeded`");
    let first_records = audit
        .iter()
        .position(|request| request.path_and_query.contains("/records"))
        .expect("records are read");
    assert_eq!(
        first_records, 6,
        "records are read only after the query succeeded"
    );
    assert!(
        audit.iter().all(|request| request.status < 400),
        "no premature records read"
    );
    assert!(
        text(&output.stderr).contains("running"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn refused_sign_in_activity_is_recorded_and_not_taken_for_inactivity() {
    let (temp, served) = tenant(120, 15);
    let fake = serve(&served, |config| config.sign_in_activity_forbidden = true);
    let out = temp.path().join("pulled");
    let output = ingest(&fake, &out, &[], &[]);
    assert_success(&output);
    assert_eq!(snapshot_json(&out)["signInActivityCollected"], false);
    assert!(
        text(&output.stderr).contains("signInActivity"),
        "{}",
        text(&output.stderr)
    );
    assert!(text(&output.stdout).contains("WITHOUT sign-in activity"));
    let log = fake.requests();
    let users = graph_requests(&log, "/v1.0/users");
    assert_eq!(users[0].status, 403);
    assert!(
        users[1..]
            .iter()
            .all(|request| !request.path_and_query.contains("signInActivity"))
    );

    let (expected, actual) = (read(&served), read(&out));
    assert!(!actual.metadata.sign_in_activity_collected);
    assert_same_frame("holdings", &expected.holdings, &actual.holdings);
    assert_same_frame(
        "assignment_states",
        &expected.assignment_states,
        &actual.assignment_states,
    );
    assert_eq!(expected.users.height(), actual.users.height());

    let report = temp.path().join("audit");
    let audit = Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .arg("audit")
        .arg(&out)
        .args(["--as-of", "2026-11-01", "--out"])
        .arg(&report)
        .output()
        .expect("run seatwise audit");
    assert!(audit.status.success(), "{}", text(&audit.stderr));
    let findings: Value =
        serde_json::from_slice(&std::fs::read(report.join("findings.json")).expect("findings"))
            .expect("JSON");
    let reasons: BTreeSet<String> = findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["kind"] == "inactive-holder")
        .map(|finding| finding["reason"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        reasons.iter().all(|reason| reason == "disabled"),
        "without sign-in data only disabled holders may be reported: {reasons:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Failure and usage
// ---------------------------------------------------------------------------------------------

#[test]
fn faults_that_outlast_the_retries_exit_3() {
    let (temp, served) = tenant(40, 16);
    let fake = serve(&served, |config| {
        config.faults = vec![Fault::ServiceUnavailable {
            path_prefix: "/v1.0/subscribedSkus".to_string(),
            after: 0,
            times: 100,
        }];
    });
    let out = temp.path().join("pulled");
    let output = ingest(&fake, &out, &[], &[("SEATWISE_GRAPH_MAX_ATTEMPTS", "3")]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("subscribedSkus") && stderr.contains("HTTP 503"),
        "{stderr}"
    );
    assert!(
        stderr.contains("3 attempts") && stderr.contains("hint:"),
        "{stderr}"
    );
    assert!(!out.exists(), "a failed pull must not leave a snapshot");
    assert!(
        temp.path().join(partial_name(&out)).is_dir(),
        "the partial pull is kept for --resume"
    );
    let log = fake.requests();
    assert_eq!(graph_requests(&log, "/v1.0/subscribedSkus").len(), 3);

    // A partial folder without --resume is refused (usage), with --resume it completes.
    let again = ingest(&fake, &out, &[], &[]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again.stderr));
    assert!(text(&again.stderr).contains("--resume"));

    // Wrong credentials are Graph's answer, not usage: exit 3, and the secret is not echoed.
    let refused = ingest(
        &fake,
        &temp.path().join("other"),
        &[],
        &[("SEATWISE_CLIENT_SECRET", "wrong-secret-1234")],
    );
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused.stderr));
    assert!(
        text(&refused.stderr).contains("invalid_client"),
        "{}",
        text(&refused.stderr)
    );
    assert!(!text(&refused.stderr).contains("wrong-secret-1234"));
}

#[test]
fn bad_usage_exits_2() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("pulled");
    let run = |args: &[&str], secret: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_seatwise"));
        command
            .args(["ingest", "graph"])
            .args(args)
            .arg("--out")
            .arg(&out)
            .env_remove("SEATWISE_ACCESS_TOKEN")
            .env_remove("SEATWISE_CLIENT_SECRET");
        if let Some(secret) = secret {
            command.env("SEATWISE_CLIENT_SECRET", secret);
        }
        command.output().expect("run seatwise")
    };
    let credentials = ["--tenant", "t", "--client-id", "c"];

    let insecure = run(
        &[&credentials[..], &["--graph", "http://graph.example.com"]].concat(),
        Some("s3cret"),
    );
    assert_eq!(insecure.status.code(), Some(2));
    assert!(
        text(&insecure.stderr).contains("plain http://"),
        "{}",
        text(&insecure.stderr)
    );

    let insecure = run(
        &[
            &credentials[..],
            &["--authority", "http://login.example.com"],
        ]
        .concat(),
        Some("s3cret"),
    );
    assert_eq!(insecure.status.code(), Some(2));
    assert!(
        text(&insecure.stderr).contains("--authority"),
        "{}",
        text(&insecure.stderr)
    );

    // There is no way to give the secret on the command line.
    let on_command_line = run(
        &[&credentials[..], &["--client-secret", "s3cret"]].concat(),
        None,
    );
    assert_eq!(on_command_line.status.code(), Some(2));
    assert!(!text(&on_command_line.stderr).contains("s3cret"));

    let no_secret = run(&credentials, None);
    assert_eq!(no_secret.status.code(), Some(2));
    assert!(text(&no_secret.stderr).contains("SEATWISE_CLIENT_SECRET"));

    let no_tenant = run(&["--client-id", "c"], Some("s3cret"));
    assert_eq!(no_tenant.status.code(), Some(2));

    let bad_since = run(
        &[&credentials[..], &["--since", "last spring"]].concat(),
        Some("s3cret"),
    );
    assert_eq!(bad_since.status.code(), Some(2));

    let bad_tuning = {
        let mut command = Command::new(env!("CARGO_BIN_EXE_seatwise"));
        command
            .args(["ingest", "graph"])
            .args(credentials)
            .arg("--out")
            .arg(&out)
            .env("SEATWISE_CLIENT_SECRET", "s3cret")
            .env("SEATWISE_GRAPH_TIMEOUT_MS", "soon");
        command.output().expect("run seatwise")
    };
    assert_eq!(bad_tuning.status.code(), Some(2));

    std::fs::create_dir_all(&out).expect("create out");
    let exists = run(
        &[&credentials[..], &["--graph", "http://127.0.0.1:9"]].concat(),
        Some("s3cret"),
    );
    assert_eq!(exists.status.code(), Some(2), "{}", text(&exists.stderr));
    assert!(
        text(&exists.stderr).contains("already exists"),
        "{}",
        text(&exists.stderr)
    );

    let help = Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .args(["ingest", "graph", "--help"])
        .output()
        .expect("help");
    let help = text(&help.stdout);
    for needle in [
        "SEATWISE_CLIENT_SECRET",
        "SEATWISE_GRAPH_TIMEOUT_MS",
        "Example:",
        "--resume",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}");
    }
}

// ---------------------------------------------------------------------------------------------
// Resumption and secrets
// ---------------------------------------------------------------------------------------------

#[test]
fn a_killed_pull_resumes_without_gaps_or_repeated_pages() {
    let (temp, served) = tenant(300, 17);
    let fake = serve(&served, |config| {
        config.max_page_size = 10;
        config.audit_page_size = 50;
        config.latency = Duration::from_millis(25);
    });
    let out = temp.path().join("pulled");
    let partial = temp.path().join(partial_name(&out));
    let users_dir = partial.join("users");

    let mut child = ingest_command(&fake, &out, &["--concurrency", "2"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn seatwise");
    let deadline = Instant::now() + Duration::from_secs(60);
    while page_files(&users_dir).len() < 8 {
        assert!(Instant::now() < deadline, "no users pages appeared");
        assert!(
            child.try_wait().expect("poll child").is_none(),
            "the pull ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("kill seatwise");
    child.wait().expect("reap seatwise");
    assert!(!out.exists(), "a killed pull must not look complete");

    // What the killed pull had saved: its users checkpoint and the pages it names.
    let state: Value = serde_json::from_slice(
        &std::fs::read(partial.join(".pull/users.state.json")).expect("users checkpoint"),
    )
    .expect("checkpoint JSON");
    let saved_pages = state["pages"].as_u64().expect("pages") as usize;
    let resume_link = state["nextLink"].as_str().expect("next link").to_string();
    assert!(
        (7..30).contains(&saved_pages),
        "killed midway: {saved_pages} pages saved"
    );
    let base = fake.base_url();
    let pages = page_files(&users_dir);
    let log_before = fake.requests();
    let mut saved_links = BTreeSet::new();
    saved_links.insert(
        graph_requests(&log_before, "/v1.0/users")[0]
            .path_and_query
            .clone(),
    );
    for page in &pages[..saved_pages - 1] {
        saved_links.insert(next_link_of(page, &base).expect("next link"));
    }
    assert_eq!(
        next_link_of(&pages[saved_pages - 1], &base).as_deref(),
        Some(resume_link.strip_prefix(&base).unwrap_or(&resume_link))
    );

    let output = ingest(&fake, &out, &["--resume", "--concurrency", "2"], &[]);
    assert_success(&output);
    assert!(text(&output.stdout).contains("(resumed)"));
    assert_same_tenant(&served, &out);
    assert_eq!(
        page_files(&out.join("users")).len(),
        30,
        "300 users in pages of 10"
    );

    let log = fake.requests();
    let after: Vec<&LoggedRequest> = log[log_before.len()..].iter().collect();
    let users_after: Vec<&str> = after
        .iter()
        .filter(|request| request.path_and_query.starts_with("/v1.0/users"))
        .map(|request| request.path_and_query.as_str())
        .collect();
    assert_eq!(
        users_after[0],
        resume_link.strip_prefix(&base).unwrap_or(&resume_link)
    );
    for link in &users_after {
        assert!(
            !saved_links.contains(*link),
            "page {link} was fetched again after the resume"
        );
    }
    let distinct: BTreeSet<&&str> = users_after.iter().collect();
    assert_eq!(
        distinct.len(),
        users_after.len(),
        "a users page was fetched twice after the resume"
    );
    assert_eq!(saved_pages + users_after.len(), 30);
    // The audit query of the first run is polled, not created again.
    let creates = log
        .iter()
        .filter(|request| {
            request.method == "POST" && request.path_and_query.starts_with("/v1.0/security")
        })
        .count();
    let created_before = log_before
        .iter()
        .filter(|request| {
            request.method == "POST" && request.path_and_query.starts_with("/v1.0/security")
        })
        .count();
    assert_eq!(
        creates,
        created_before.max(1),
        "the audit query is created once"
    );
}

#[test]
fn no_secret_or_token_reaches_any_output() {
    let (temp, served) = tenant(80, 18);
    let fake = serve(&served, |config| {
        config.max_page_size = 20;
        config.faults = vec![
            Fault::ExpireTokens { after: 3 },
            Fault::TooManyRequests {
                path_prefix: "/v1.0/groups".to_string(),
                after: 0,
                times: 1,
                retry_after_secs: 0,
            },
        ];
    });
    let mut captured = Vec::new();

    // Client credentials, with a token renewal and a retry on the way.
    let out = temp.path().join("pulled");
    let output = ingest(&fake, &out, &[], &[]);
    assert_success(&output);
    captured.push(output);

    // A ready token given in the environment, used for a pull that then fails.
    let token = issue_token(&fake);
    let failing = serve(&served, |config| {
        config.faults = vec![Fault::ServiceUnavailable {
            path_prefix: "/v1.0/users".to_string(),
            after: 0,
            times: 100,
        }];
    });
    let token_for_failing = issue_token(&failing);
    let mut command = ingest_command(&failing, &temp.path().join("failed"), &[]);
    command
        .env_remove("SEATWISE_CLIENT_SECRET")
        .env("SEATWISE_ACCESS_TOKEN", &token_for_failing)
        .env("SEATWISE_GRAPH_MAX_ATTEMPTS", "2");
    let output = command.output().expect("run seatwise");
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    captured.push(output);

    // A ready token Graph refuses (it belongs to another server).
    let mut command = ingest_command(&failing, &temp.path().join("refused"), &[]);
    command
        .env_remove("SEATWISE_CLIENT_SECRET")
        .env("SEATWISE_ACCESS_TOKEN", &token);
    let output = command.output().expect("run seatwise");
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("SEATWISE_ACCESS_TOKEN"),
        "{}",
        text(&output.stderr)
    );
    captured.push(output);

    let issued = |log: &[LoggedRequest]| {
        log.iter()
            .filter(|request| is_token_request(request))
            .count()
    };
    assert!(
        issued(&fake.requests()) >= 3,
        "tokens were issued (and renewed)"
    );
    let mut haystacks: Vec<(String, Vec<u8>)> = Vec::new();
    for (index, output) in captured.iter().enumerate() {
        haystacks.push((format!("run {index} stdout"), output.stdout.clone()));
        haystacks.push((format!("run {index} stderr"), output.stderr.clone()));
    }
    for file in files_under(temp.path()) {
        if file.starts_with(&served) {
            continue;
        }
        haystacks.push((
            file.display().to_string(),
            std::fs::read(&file).expect("read output file"),
        ));
    }
    assert!(haystacks.len() > 10, "outputs were collected");
    for (name, bytes) in &haystacks {
        let content = String::from_utf8_lossy(bytes);
        assert!(
            !content.contains(SECRET),
            "{name} contains the client secret"
        );
        assert!(!content.contains(&token), "{name} contains an access token");
        assert!(
            !content.contains(&token_for_failing),
            "{name} contains an access token"
        );
        assert!(
            !has_token_shape(&content),
            "{name} contains something token-shaped"
        );
    }
}

/// A token from `fake`'s token endpoint, obtained as an administrator would elsewhere.
fn issue_token(fake: &FakeGraph) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let url = format!("{}/{}/oauth2/v2.0/token", fake.base_url(), fake.tenant_id());
        let scope = format!("{}/.default", fake.base_url());
        let form = [
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("grant_type", "client_credentials"),
            ("scope", scope.as_str()),
        ];
        let response: BTreeMap<String, Value> = reqwest::Client::new()
            .post(url)
            .form(&form)
            .send()
            .await
            .expect("token request")
            .json()
            .await
            .expect("token JSON");
        response["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    })
}

/// Whether `text` holds a token as the fake issues them: `fake.` and 64 hex digits.
pub(crate) fn has_token_shape(text: &str) -> bool {
    text.match_indices("fake.").any(|(index, _)| {
        let rest = &text[index + 5..];
        rest.len() >= 64 && rest.as_bytes()[..64].iter().all(u8::is_ascii_hexdigit)
    })
}

pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("list").flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn subscriptions_are_pulled_and_a_refusal_leaves_their_timing_unknown() {
    let (temp, served) = tenant(60, 9);
    let fake = serve(&served, |_| {});
    let out = temp.path().join("pulled");
    let output = ingest(&fake, &out, &[], &[]);
    assert_success(&output);
    let ids = |dir: &Path| -> Vec<String> {
        let text = std::fs::read_to_string(dir.join("subscriptions.json")).expect("subscriptions");
        let page: Value = serde_json::from_str(&text).expect("json");
        page["value"]
            .as_array()
            .expect("value")
            .iter()
            .map(|item| item["id"].as_str().expect("id").to_string())
            .collect()
    };
    assert_eq!(ids(&out), ids(&served));
    assert_eq!(snapshot_json(&out)["subscriptionsCollected"], true);
    let pulled = read(&out);
    let subscriptions = pulled.renewals.subscriptions.expect("read back");
    assert_eq!(subscriptions.len(), ids(&served).len());

    // Without Organization.Read.All: the pull goes on, says so, and writes no file.
    let refusing = serve(&served, |config| config.subscriptions_forbidden = true);
    let out = temp.path().join("refused");
    let output = ingest(&refusing, &out, &[], &[]);
    assert_success(&output);
    assert!(!out.join("subscriptions.json").exists());
    assert_eq!(snapshot_json(&out)["subscriptionsCollected"], false);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("Organization.Read.All"), "{stderr}");
    assert!(text(&output.stdout).contains("no subscriptions (Graph refused them)"));
    let log = refusing.requests();
    let requests = graph_requests(&log, "/v1.0/directory/subscriptions");
    assert_eq!(requests.len(), 1, "a 403 is not retried");
    assert_eq!(requests[0].status, 403);
    assert!(read(&out).renewals.subscriptions.is_none());
}
