//! Tests of the fake Microsoft Graph server itself (`tests/support/fake_graph`).
//!
//! The Graph client's tests trust this server to speak Graph's protocol, so these tests pin that
//! down with a plain HTTP client: token issuance and refusal, bearer checks, paging that
//! reassembles exactly the served tenant (made by `seatwise generate`), `$select`, `$top` limits,
//! the licensed-groups query, group members, the audit log query lifecycle, every fault kind,
//! and the request log.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::fake_graph::{FakeGraph, FakeGraphConfig, Fault};

const CLIENT_ID: &str = "test-client";
const SECRET: &str = "test-secret-value-7f3a";
const SCOPE: &str = "https://graph.microsoft.com/.default";
const USER_SELECT: &str = "id,userPrincipalName,displayName,accountEnabled,userType,department,jobTitle,usageLocation,companyName,officeLocation,employeeOrgData,createdDateTime,assignedLicenses,licenseAssignmentStates,signInActivity";

/// A generated tenant of `users` users in a temporary folder.
fn tenant(users: usize) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().expect("temp dir");
    let snapshot = temp.path().join("snapshot");
    let users = users.to_string();
    let status = Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .args([
            "generate",
            "--users",
            &users,
            "--seed",
            "3",
            "--as-of",
            "2026-11-01",
        ])
        .arg("--out")
        .arg(&snapshot)
        .output()
        .expect("run seatwise generate");
    assert!(
        status.status.success(),
        "seatwise generate failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    (temp, snapshot)
}

fn start(snapshot: &Path, adjust: impl FnOnce(&mut FakeGraphConfig)) -> FakeGraph {
    let mut config = FakeGraphConfig {
        snapshot: snapshot.to_path_buf(),
        ..FakeGraphConfig::default()
    };
    adjust(&mut config);
    FakeGraph::start(config)
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("test runtime")
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("http client")
}

/// The snapshot's users, in file order (the generator writes Graph pages).
fn snapshot_users(snapshot: &Path) -> Vec<Value> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(snapshot.join("users"))
        .expect("users folder")
        .map(|entry| entry.expect("users entry").path())
        .collect();
    pages.sort();
    pages
        .iter()
        .flat_map(|page| {
            let text = std::fs::read_to_string(page).expect("read users page");
            let page: Value = serde_json::from_str(&text).expect("users page JSON");
            page["value"].as_array().expect("value array").clone()
        })
        .collect()
}

fn snapshot_groups(snapshot: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(snapshot.join("groups.json")).expect("read groups");
    let groups: Value = serde_json::from_str(&text).expect("groups JSON");
    groups["value"].as_array().expect("groups value").clone()
}

async fn fetch_token(
    client: &reqwest::Client,
    graph: &FakeGraph,
    secret: &str,
) -> reqwest::Response {
    let url = format!(
        "{}/{}/oauth2/v2.0/token",
        graph.base_url(),
        graph.tenant_id()
    );
    client
        .post(url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", secret),
            ("scope", SCOPE),
        ])
        .send()
        .await
        .expect("token request")
}

/// A token for the fake's test app registration.
pub(crate) async fn token(client: &reqwest::Client, graph: &FakeGraph) -> String {
    let response = fetch_token(client, graph, SECRET).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("token JSON");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

async fn get(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("GET");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

/// Follows `@odata.nextLink` from `url`; returns the pages.
async fn all_pages(
    client: &reqwest::Client,
    url: String,
    token: &str,
    headers: &[(&str, &str)],
) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut next = Some(url);
    while let Some(url) = next {
        let answer = get(client, &url, Some(token), headers).await;
        assert_eq!(answer.status, StatusCode::OK, "GET {url}: {}", answer.body);
        next = answer.body["@odata.nextLink"].as_str().map(str::to_string);
        pages.push(answer.body);
        assert!(pages.len() < 10_000, "paging does not end");
    }
    pages
}

fn items(pages: &[Value]) -> Vec<Value> {
    pages
        .iter()
        .flat_map(|page| page["value"].as_array().expect("value array").clone())
        .collect()
}

fn error_code(answer: &Answer) -> &str {
    answer.body["error"]["code"].as_str().unwrap_or_default()
}

/// Graph's envelope: code, message, innerError with a request-id matching the header.
fn assert_graph_error(answer: &Answer, status: StatusCode, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(error_code(answer), code, "{}", answer.body);
    assert!(
        answer.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    let request_id = answer.body["error"]["innerError"]["request-id"].as_str();
    assert!(
        request_id.is_some_and(|id| id.len() == 36),
        "{}",
        answer.body
    );
    assert_eq!(
        answer
            .headers
            .get("request-id")
            .and_then(|value| value.to_str().ok()),
        request_id
    );
    assert!(answer.body["error"]["innerError"]["date"].is_string());
}

#[test]
fn token_endpoint_issues_tokens_and_refuses_bad_credentials() {
    let (_temp, snapshot) = tenant(40);
    let graph = start(&snapshot, |_| {});
    let info: Value = serde_json::from_str(
        &std::fs::read_to_string(snapshot.join("snapshot.json")).expect("snapshot.json"),
    )
    .expect("snapshot.json JSON");
    assert_eq!(Some(graph.tenant_id().as_str()), info["tenantId"].as_str());
    let client = client();
    runtime().block_on(async {
        let response = fetch_token(&client, &graph, SECRET).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 3600);
        assert_eq!(body["ext_expires_in"], 3600);
        assert!(
            body["access_token"]
                .as_str()
                .is_some_and(|token| token.len() > 32)
        );

        let wrong_secret = fetch_token(&client, &graph, "nope").await;
        assert_eq!(wrong_secret.status(), StatusCode::UNAUTHORIZED);
        let body: Value = wrong_secret.json().await.expect("JSON");
        assert_eq!(body["error"], "invalid_client");
        assert_eq!(body["error_codes"], json!([7000215]));
        assert!(
            body["error_description"]
                .as_str()
                .is_some_and(|d| d.starts_with("AADSTS7000215:"))
        );
        assert!(body["trace_id"].is_string() && body["correlation_id"].is_string());

        let wrong_client = client
            .post(format!(
                "{}/{}/oauth2/v2.0/token",
                graph.base_url(),
                graph.tenant_id()
            ))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "someone-else"),
                ("client_secret", SECRET),
                ("scope", SCOPE),
            ])
            .send()
            .await
            .expect("token request");
        assert_eq!(wrong_client.status(), StatusCode::BAD_REQUEST);
        let body: Value = wrong_client.json().await.expect("JSON");
        assert_eq!(body["error"], "unauthorized_client");
        assert_eq!(body["error_codes"], json!([700016]));

        let wrong_tenant = client
            .post(format!(
                "{}/other-tenant/oauth2/v2.0/token",
                graph.base_url()
            ))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
                ("scope", SCOPE),
            ])
            .send()
            .await
            .expect("token request");
        assert_eq!(wrong_tenant.status(), StatusCode::BAD_REQUEST);
        let body: Value = wrong_tenant.json().await.expect("JSON");
        assert_eq!(body["error_codes"], json!([90002]));

        let wrong_scope = client
            .post(format!(
                "{}/{}/oauth2/v2.0/token",
                graph.base_url(),
                graph.tenant_id()
            ))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
                ("scope", "User.Read.All"),
            ])
            .send()
            .await
            .expect("token request");
        assert_eq!(wrong_scope.status(), StatusCode::BAD_REQUEST);
        let body: Value = wrong_scope.json().await.expect("JSON");
        assert_eq!(body["error"], "invalid_scope");
    });
    let log = graph.requests();
    assert_eq!(log.len(), 5);
    assert_eq!(
        log.iter().map(|entry| entry.status).collect::<Vec<_>>(),
        [200, 401, 400, 400, 400]
    );
    // Bodies are stored as sent: the tests of the client check what it sends.
    let first = log[0].body.as_deref().expect("token body logged");
    assert!(first.contains("grant_type=client_credentials"), "{first}");
    assert!(
        first.contains(&format!("client_secret={SECRET}")),
        "{first}"
    );
    assert!(
        log.iter()
            .all(|entry| entry.method == "POST" && !entry.had_bearer)
    );
}

#[test]
fn graph_requires_a_valid_bearer_token() {
    let (_temp, snapshot) = tenant(40);
    let graph = start(&snapshot, |_| {});
    let client = client();
    let url = format!("{}/v1.0/subscribedSkus", graph.base_url());
    runtime().block_on(async {
        let missing = get(&client, &url, None, &[]).await;
        assert_graph_error(
            &missing,
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
        );
        assert!(missing.headers.contains_key("www-authenticate"));

        let forged = get(&client, &url, Some("made-up-token"), &[]).await;
        assert_graph_error(
            &forged,
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
        );

        let token = token(&client, &graph).await;
        let ok = get(&client, &url, Some(&token), &[]).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert!(
            ok.body["@odata.context"]
                .as_str()
                .is_some_and(|c| c.ends_with("$metadata#subscribedSkus"))
        );
        let served = ok.body["value"].as_array().expect("skus").clone();
        let stored: Value = serde_json::from_str(
            &std::fs::read_to_string(snapshot.join("subscribedSkus.json")).expect("skus file"),
        )
        .expect("skus JSON");
        assert_eq!(
            served,
            stored["value"].as_array().expect("stored skus").clone()
        );

        let selected = get(
            &client,
            &format!("{url}?$select=skuId,skuPartNumber"),
            Some(&token),
            &[],
        )
        .await;
        assert_eq!(selected.status, StatusCode::OK);
        for sku in selected.body["value"].as_array().expect("skus") {
            let keys: BTreeSet<&str> = sku
                .as_object()
                .expect("object")
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(keys, BTreeSet::from(["id", "skuId", "skuPartNumber"]));
        }
    });
    let log = graph.requests();
    let summary: Vec<(u16, bool)> = log
        .iter()
        .map(|entry| (entry.status, entry.had_bearer))
        .collect();
    assert_eq!(
        summary,
        [
            (401, false),
            (401, true),
            (200, false),
            (200, true),
            (200, true)
        ]
    );
    assert_eq!(
        log[4].path_and_query,
        "/v1.0/subscribedSkus?$select=skuId,skuPartNumber"
    );
    assert_eq!(log[3].body, None);
}

#[test]
fn users_paging_reassembles_exactly_the_snapshot_users() {
    let (_temp, snapshot) = tenant(250);
    let graph = start(&snapshot, |_| {});
    let client = client();
    let expected = snapshot_users(&snapshot);
    assert_eq!(expected.len(), 250);
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        // signInActivity selected: pages of at most 120 whatever $top says, as Graph does.
        let url = format!(
            "{}/v1.0/users?$select={USER_SELECT}&$top=999",
            graph.base_url()
        );
        let pages = all_pages(&client, url, &token, &[]).await;
        let sizes: Vec<usize> = pages
            .iter()
            .map(|page| page["value"].as_array().map_or(0, Vec::len))
            .collect();
        assert_eq!(sizes, [120, 120, 10]);
        for page in &pages[..2] {
            let link = page["@odata.nextLink"].as_str().expect("next link");
            assert!(
                link.starts_with(&format!("{}/v1.0/users?", graph.base_url())),
                "{link}"
            );
            assert!(link.contains(&format!("$select={USER_SELECT}")), "{link}");
            assert!(
                link.contains("$top=999") && link.contains("$skiptoken="),
                "{link}"
            );
        }
        assert!(pages[2].get("@odata.nextLink").is_none());
        let served = items(&pages);
        let served_ids: Vec<&str> = served
            .iter()
            .filter_map(|user| user["id"].as_str())
            .collect();
        let expected_ids: Vec<&str> = expected
            .iter()
            .filter_map(|user| user["id"].as_str())
            .collect();
        assert_eq!(served_ids, expected_ids);
        // Every selected property is served exactly as stored.
        assert_eq!(served, expected);

        // Without signInActivity, $top is honoured up to 999.
        let url = format!(
            "{}/v1.0/users?$select=id,displayName&$top=200",
            graph.base_url()
        );
        let pages = all_pages(&client, url, &token, &[]).await;
        assert_eq!(pages.len(), 2);
        assert_eq!(items(&pages).len(), 250);

        // A tampered skip token is refused.
        let tampered = format!(
            "{}/v1.0/users?$top=10&$skiptoken=RFNwdA0123456789abcdef10",
            graph.base_url()
        );
        let answer = get(&client, &tampered, Some(&token), &[]).await;
        assert_graph_error(&answer, StatusCode::BAD_REQUEST, "Request_BadRequest");
    });
}

#[test]
fn select_is_honoured_and_top_is_bounded() {
    let (_temp, snapshot) = tenant(60);
    let graph = start(&snapshot, |config| config.max_page_size = 25);
    let client = client();
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        let base = graph.base_url();
        let answer = get(
            &client,
            &format!("{base}/v1.0/users?$select=DisplayName,department&$top=10"),
            Some(&token),
            &[],
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert!(
            answer.body["@odata.context"]
                .as_str()
                .is_some_and(|c| c.ends_with("#users(displayName,department)"))
        );
        let users = answer.body["value"].as_array().expect("users");
        assert_eq!(users.len(), 10);
        for user in users {
            let keys: BTreeSet<&str> = user
                .as_object()
                .expect("user")
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(keys, BTreeSet::from(["department", "displayName", "id"]));
        }

        // No $select: Graph's default property set.
        let answer = get(
            &client,
            &format!("{base}/v1.0/users?$top=1"),
            Some(&token),
            &[],
        )
        .await;
        let user = answer.body["value"][0].as_object().expect("user");
        assert!(user.contains_key("userPrincipalName") && user.contains_key("displayName"));
        assert!(!user.contains_key("assignedLicenses"));

        // The configured cap wins over $top.
        let answer = get(
            &client,
            &format!("{base}/v1.0/users?$select=id&$top=999"),
            Some(&token),
            &[],
        )
        .await;
        assert_eq!(answer.body["value"].as_array().map(Vec::len), Some(25));

        let answer = get(
            &client,
            &format!("{base}/v1.0/users?$select=id&$top=1000"),
            Some(&token),
            &[],
        )
        .await;
        assert_graph_error(&answer, StatusCode::BAD_REQUEST, "Request_BadRequest");
        assert_eq!(
            answer.body["error"]["message"],
            "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive."
        );

        let answer = get(
            &client,
            &format!("{base}/v1.0/users?$select=id,shoeSize"),
            Some(&token),
            &[],
        )
        .await;
        assert_graph_error(&answer, StatusCode::BAD_REQUEST, "Request_BadRequest");

        let answer = get(
            &client,
            &format!("{base}/v1.0/users?$orderby=displayName"),
            Some(&token),
            &[],
        )
        .await;
        assert_graph_error(&answer, StatusCode::BAD_REQUEST, "Request_UnsupportedQuery");
    });
}

#[test]
fn sign_in_activity_is_capped_at_120_and_can_be_refused() {
    let (_temp, snapshot) = tenant(150);
    let graph = start(&snapshot, |_| {});
    let refusing = start(&snapshot, |config| config.sign_in_activity_forbidden = true);
    let client = client();
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        let url = format!(
            "{}/v1.0/users?$select=id,signInActivity&$top=500",
            graph.base_url()
        );
        let answer = get(&client, &url, Some(&token), &[]).await;
        assert_eq!(answer.body["value"].as_array().map(Vec::len), Some(120));
        assert!(answer.body["@odata.nextLink"].is_string());

        let token = self::token(&client, &refusing).await;
        let url = format!(
            "{}/v1.0/users?$select=id,signInActivity&$top=500",
            refusing.base_url()
        );
        let answer = get(&client, &url, Some(&token), &[]).await;
        assert_graph_error(
            &answer,
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
        );
        let url = format!(
            "{}/v1.0/users?$select=id,assignedLicenses&$top=500",
            refusing.base_url()
        );
        let answer = get(&client, &url, Some(&token), &[]).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body["value"].as_array().map(Vec::len), Some(150));
    });
}

#[test]
fn licensed_groups_need_consistency_level_and_members_page() {
    let (_temp, snapshot) = tenant(250);
    let graph = start(&snapshot, |_| {});
    let client = client();
    let stored = snapshot_groups(&snapshot);
    let licensed: Vec<&Value> = stored
        .iter()
        .filter(|group| {
            group["assignedLicenses"]
                .as_array()
                .is_some_and(|l| !l.is_empty())
        })
        .collect();
    assert!(
        licensed.len() >= 2,
        "the generated tenant has licensed groups"
    );
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        let url = format!(
            "{}/v1.0/groups?$filter=assignedLicenses/$count ne 0&$count=true&$select=id,displayName,groupTypes,membershipRule,assignedLicenses&$top=2",
            graph.base_url()
        );
        let refused = get(&client, &url, Some(&token), &[]).await;
        assert_graph_error(&refused, StatusCode::BAD_REQUEST, "Request_BadRequest");

        let eventual = [("ConsistencyLevel", "eventual")];
        let pages = all_pages(&client, url, &token, &eventual).await;
        assert_eq!(pages.len(), licensed.len().div_ceil(2));
        assert_eq!(pages[0]["@odata.count"], json!(licensed.len()));
        let served = items(&pages);
        let served_ids: Vec<&str> = served.iter().filter_map(|group| group["id"].as_str()).collect();
        let expected_ids: Vec<&str> = licensed.iter().filter_map(|group| group["id"].as_str()).collect();
        assert_eq!(served_ids, expected_ids);
        for (group, stored) in served.iter().zip(&licensed) {
            assert!(group.get("members").is_none());
            assert_eq!(group["groupTypes"], stored["groupTypes"]);
            assert_eq!(group["membershipRule"], stored["membershipRule"]);
            assert_eq!(group["assignedLicenses"], stored["assignedLicenses"]);
        }

        // Members of the largest group, paged by 10, each with its @odata.type.
        let largest = stored
            .iter()
            .max_by_key(|group| group["members"].as_array().map_or(0, Vec::len))
            .expect("a group");
        let stored_members = largest["members"].as_array().expect("members");
        assert!(stored_members.len() > 20);
        let group_id = largest["id"].as_str().expect("group id");
        let url = format!(
            "{}/v1.0/groups/{group_id}/members?$select=id,userPrincipalName&$top=10",
            graph.base_url()
        );
        let pages = all_pages(&client, url, &token, &[]).await;
        assert_eq!(pages.len(), stored_members.len().div_ceil(10));
        let members = items(&pages);
        assert_eq!(members.len(), stored_members.len());
        for (member, stored) in members.iter().zip(stored_members) {
            assert_eq!(member["@odata.type"], "#microsoft.graph.user");
            assert_eq!(member["id"], stored["id"]);
            assert_eq!(member["userPrincipalName"], stored["userPrincipalName"]);
        }

        let missing = format!(
            "{}/v1.0/groups/00000000-0000-0000-0000-000000000000/members?$select=id",
            graph.base_url()
        );
        let answer = get(&client, &missing, Some(&token), &[]).await;
        assert_graph_error(&answer, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
    });
}

/// `LaunchPowerApp` rows of the snapshot's audit exports whose AuditData time is in `[start, end)`,
/// counted independently of the server.
fn launches_in_window(
    snapshot: &Path,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> (usize, BTreeSet<String>) {
    let mut count = 0;
    let mut ids = BTreeSet::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(snapshot.join("audit"))
        .expect("audit folder")
        .map(|entry| entry.expect("audit entry").path())
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("audit file");
        let text = text.trim_start_matches('\u{feff}');
        // Windows PowerShell 5.1's `Export-Csv` writes a `#TYPE` line before the header.
        let text = match text.strip_prefix("#TYPE") {
            Some(rest) => rest.split_once('\n').map_or("", |(_, rest)| rest),
            None => text,
        };
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().expect("audit header").clone();
        let column = headers
            .iter()
            .position(|name| name == "AuditData")
            .expect("AuditData column");
        for row in reader.records() {
            let row = row.expect("audit row");
            let data: Value = serde_json::from_str(&row[column]).expect("AuditData JSON");
            if data["Operation"] != "LaunchPowerApp" {
                continue;
            }
            let time = NaiveDateTime::parse_from_str(
                data["CreationTime"].as_str().expect("CreationTime"),
                "%Y-%m-%dT%H:%M:%S",
            )
            .expect("CreationTime format")
            .and_utc();
            if time >= start && time < end {
                count += 1;
                ids.insert(data["Id"].as_str().expect("Id").to_string());
            }
        }
    }
    (count, ids)
}

#[test]
fn audit_query_runs_then_pages_the_launches_in_its_window() {
    let (_temp, snapshot) = tenant(250);
    let graph = start(&snapshot, |config| {
        config.audit_query_polls_running = 3;
        config.audit_page_size = 150;
    });
    let start_time = "2026-08-04T00:00:00Z"
        .parse::<DateTime<Utc>>()
        .expect("start");
    let end_time = "2026-11-02T00:00:00Z"
        .parse::<DateTime<Utc>>()
        .expect("end");
    let (expected_count, expected_ids) = launches_in_window(&snapshot, start_time, end_time);
    assert!(
        expected_count > 300,
        "enough launches to page: {expected_count}"
    );
    let client = client();
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        let queries = format!("{}/v1.0/security/auditLog/queries", graph.base_url());
        let created = client
            .post(&queries)
            .bearer_auth(&token)
            .json(&json!({
                "displayName": "seatwise launches",
                "filterStartDateTime": "2026-08-04T00:00:00Z",
                "filterEndDateTime": "2026-11-02T00:00:00Z",
                "operationFilters": ["LaunchPowerApp"],
            }))
            .send()
            .await
            .expect("create query");
        assert_eq!(created.status(), StatusCode::CREATED);
        let query: Value = created.json().await.expect("query JSON");
        assert_eq!(query["status"], "notStarted");
        assert_eq!(query["operationFilters"], json!(["LaunchPowerApp"]));
        assert_eq!(query["filterStartDateTime"], "2026-08-04T00:00:00Z");
        assert_eq!(query["displayName"], "seatwise launches");
        let id = query["id"].as_str().expect("query id").to_string();

        let records_url = format!("{queries}/{id}/records");
        let early = get(&client, &records_url, Some(&token), &[]).await;
        assert_graph_error(&early, StatusCode::BAD_REQUEST, "BadRequest");

        let mut statuses = Vec::new();
        for _ in 0..5 {
            let answer = get(&client, &format!("{queries}/{id}"), Some(&token), &[]).await;
            assert_eq!(answer.status, StatusCode::OK);
            statuses.push(
                answer.body["status"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        assert_eq!(
            statuses,
            ["running", "running", "running", "succeeded", "succeeded"]
        );

        let pages = all_pages(&client, records_url.clone(), &token, &[]).await;
        assert_eq!(pages.len(), expected_count.div_ceil(150));
        let records = items(&pages);
        assert_eq!(records.len(), expected_count);
        let ids: BTreeSet<String> = records
            .iter()
            .filter_map(|r| r["id"].as_str().map(str::to_string))
            .collect();
        assert_eq!(ids, expected_ids);

        let mut by_type: HashMap<&str, usize> = HashMap::new();
        for record in &records {
            assert_eq!(record["operation"], "LaunchPowerApp");
            assert_eq!(record["auditData"]["Id"], record["id"]);
            assert_eq!(record["userPrincipalName"], record["auditData"]["UserId"]);
            let created = record["createdDateTime"].as_str().expect("createdDateTime");
            let created = created
                .parse::<DateTime<Utc>>()
                .expect("createdDateTime format");
            assert!(created >= start_time && created < end_time);
            let kind = record["auditLogRecordType"].as_str().expect("record type");
            match record["auditData"]["RecordType"].as_i64() {
                Some(45) => assert_eq!(kind, "powerAppsApp"),
                Some(256) => assert_eq!(kind, "unknownFutureValue"),
                other => panic!("unexpected record type {other:?}"),
            }
            *by_type.entry(kind).or_default() += 1;
        }
        assert_eq!(
            by_type.len(),
            2,
            "both record shapes are served: {by_type:?}"
        );

        // Evolvable enum members are named when the client opts in.
        let prefer = [("Prefer", "include-unknown-enum-members")];
        let answer = get(&client, &records_url, Some(&token), &prefer).await;
        let named = answer.body["value"]
            .as_array()
            .expect("records")
            .iter()
            .any(|record| record["auditLogRecordType"] == "powerPlatformAdministratorActivity");
        assert!(named);

        let unknown = get(
            &client,
            &format!("{queries}/not-a-query"),
            Some(&token),
            &[],
        )
        .await;
        assert_graph_error(&unknown, StatusCode::NOT_FOUND, "NotFound");
    });
    let log = graph.requests();
    let create = log
        .iter()
        .find(|entry| entry.method == "POST" && entry.path_and_query.ends_with("/queries"))
        .expect("create logged");
    assert!(
        create
            .body
            .as_deref()
            .is_some_and(|body| body.contains("LaunchPowerApp"))
    );
}

#[test]
fn throttling_and_bursts_answer_with_graph_errors() {
    let (_temp, snapshot) = tenant(40);
    let graph = start(&snapshot, |config| {
        config.faults = vec![
            Fault::TooManyRequests {
                path_prefix: "/v1.0/users".into(),
                after: 1,
                times: 2,
                retry_after_secs: 7,
            },
            Fault::ServiceUnavailable {
                path_prefix: "/v1.0/subscribedSkus".into(),
                after: 0,
                times: 2,
            },
        ];
    });
    let client = client();
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        let users = format!("{}/v1.0/users?$select=id", graph.base_url());
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let answer = get(&client, &users, Some(&token), &[]).await;
            if answer.status == StatusCode::TOO_MANY_REQUESTS {
                assert_graph_error(&answer, StatusCode::TOO_MANY_REQUESTS, "TooManyRequests");
                assert_eq!(
                    answer
                        .headers
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok()),
                    Some("7")
                );
            }
            statuses.push(answer.status.as_u16());
        }
        assert_eq!(statuses, [200, 429, 429, 200]);

        let skus = format!("{}/v1.0/subscribedSkus", graph.base_url());
        let mut statuses = Vec::new();
        for _ in 0..3 {
            let answer = get(&client, &skus, Some(&token), &[]).await;
            if answer.status == StatusCode::SERVICE_UNAVAILABLE {
                assert_graph_error(
                    &answer,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "serviceNotAvailable",
                );
                assert!(answer.headers.get("retry-after").is_none());
            }
            statuses.push(answer.status.as_u16());
        }
        assert_eq!(statuses, [503, 503, 200]);
    });
    let statuses: Vec<u16> = graph.requests().iter().map(|entry| entry.status).collect();
    assert_eq!(statuses, [200, 200, 429, 429, 200, 503, 503, 200]);
}

#[test]
fn expired_tokens_are_refused_until_a_new_one_is_fetched() {
    let (_temp, snapshot) = tenant(40);
    let graph = start(&snapshot, |config| {
        config.faults = vec![Fault::ExpireTokens { after: 2 }]
    });
    let short_lived = start(&snapshot, |config| {
        config.token_lifetime = Duration::from_millis(300)
    });
    let client = client();
    runtime().block_on(async {
        let old = token(&client, &graph).await;
        let url = format!("{}/v1.0/subscribedSkus", graph.base_url());
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let answer = get(&client, &url, Some(&old), &[]).await;
            if answer.status == StatusCode::UNAUTHORIZED {
                assert_graph_error(
                    &answer,
                    StatusCode::UNAUTHORIZED,
                    "InvalidAuthenticationToken",
                );
                assert_eq!(
                    answer.body["error"]["message"],
                    "Lifetime validation failed, the token is expired."
                );
            }
            statuses.push(answer.status.as_u16());
        }
        assert_eq!(statuses, [200, 200, 401, 401]);
        let fresh = token(&client, &graph).await;
        assert_ne!(fresh, old);
        assert_eq!(
            get(&client, &url, Some(&fresh), &[]).await.status,
            StatusCode::OK
        );

        let token = self::token(&client, &short_lived).await;
        let url = format!("{}/v1.0/subscribedSkus", short_lived.base_url());
        assert_eq!(
            get(&client, &url, Some(&token), &[]).await.status,
            StatusCode::OK
        );
        tokio::time::sleep(Duration::from_millis(400)).await;
        let answer = get(&client, &url, Some(&token), &[]).await;
        assert_graph_error(
            &answer,
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
        );
    });
}

#[test]
fn slow_responses_and_dropped_connections_hit_only_their_window() {
    let (_temp, snapshot) = tenant(40);
    let graph = start(&snapshot, |config| {
        config.faults = vec![
            Fault::SlowResponse {
                path_prefix: "/v1.0/subscribedSkus".into(),
                after: 1,
                times: 1,
                delay: Duration::from_millis(800),
            },
            Fault::DropConnection {
                path_prefix: "/v1.0/users".into(),
                after: 0,
                times: 1,
            },
        ];
    });
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let client = client();
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        let skus = format!("{}/v1.0/subscribedSkus", graph.base_url());
        let send = |client: &reqwest::Client| client.get(&skus).bearer_auth(&token).send();
        assert_eq!(
            send(&impatient).await.expect("fast").status(),
            StatusCode::OK
        );
        let slow = send(&impatient).await;
        assert!(slow.is_err_and(|error| error.is_timeout()));
        assert_eq!(
            send(&impatient).await.expect("fast again").status(),
            StatusCode::OK
        );

        let users = format!("{}/v1.0/users?$select=id,displayName", graph.base_url());
        let dropped = match client.get(&users).bearer_auth(&token).send().await {
            Ok(response) => response.bytes().await.is_err(),
            Err(_) => true,
        };
        assert!(dropped, "the first users request is cut off");
        let answer = get(&client, &users, Some(&token), &[]).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body["value"].as_array().map(Vec::len), Some(40));
    });
    let log = graph.requests();
    let users: Vec<u16> = log
        .iter()
        .filter(|entry| entry.path_and_query.starts_with("/v1.0/users"))
        .map(|entry| entry.status)
        .collect();
    assert_eq!(users, [0, 200]);
    let skus = log
        .iter()
        .filter(|entry| entry.path_and_query == "/v1.0/subscribedSkus")
        .count();
    assert_eq!(skus, 3, "the timed-out request is logged too");
}

#[test]
fn latency_is_added_to_graph_requests_only() {
    let (_temp, snapshot) = tenant(20);
    let client = client();
    // Started and dropped inside an async context, as a `#[tokio::test]` would.
    runtime().block_on(async {
        let graph = start(&snapshot, |config| {
            config.latency = Duration::from_millis(150)
        });
        let began = std::time::Instant::now();
        let token = token(&client, &graph).await;
        assert!(
            began.elapsed() < Duration::from_millis(150),
            "token endpoint is not delayed"
        );
        let began = std::time::Instant::now();
        let url = format!("{}/v1.0/users", graph.base_url());
        let answer = get(&client, &url, Some(&token), &[]).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(began.elapsed() >= Duration::from_millis(150));
        drop(graph);
    });
}

#[test]
fn tenant_state_is_live_and_single_objects_are_served() {
    let (_temp, snapshot) = tenant(30);
    let graph = start(&snapshot, |_| {});
    let expected = snapshot_users(&snapshot);
    let upn = expected[3]["userPrincipalName"]
        .as_str()
        .expect("upn")
        .to_uppercase();
    let client = client();
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        // By user principal name, case-insensitively, as Graph resolves /users/{id | upn}.
        let url = format!(
            "{}/v1.0/users/{upn}?$select=id,assignedLicenses",
            graph.base_url()
        );
        let answer = get(&client, &url, Some(&token), &[]).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert!(
            answer.body["@odata.context"]
                .as_str()
                .is_some_and(|context| context.ends_with("#users(id,assignedLicenses)/$entity"))
        );
        assert_eq!(answer.body["id"], expected[3]["id"]);
        assert_eq!(
            answer.body["assignedLicenses"],
            expected[3]["assignedLicenses"]
        );

        // What the write endpoints do: edit the shared state; reads see it at once.
        let licenses =
            json!([{"skuId": "b30411f5-fea1-4a59-9ad9-3db7c7ead579", "disabledPlans": []}]);
        {
            let tenant = graph.tenant();
            let mut tenant = tenant.lock().expect("tenant lock");
            let user = tenant.user_mut(&upn).expect("user by upn");
            user.set("assignedLicenses", &licenses);
            assert_eq!(user.value("assignedLicenses"), Some(licenses.clone()));
        }
        let answer = get(&client, &url, Some(&token), &[]).await;
        assert_eq!(answer.body["assignedLicenses"], licenses);

        let missing = format!("{}/v1.0/users/nobody@example.com", graph.base_url());
        let answer = get(&client, &missing, Some(&token), &[]).await;
        assert_graph_error(&answer, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        let unknown = format!("{}/v1.0/devices", graph.base_url());
        let answer = get(&client, &unknown, Some(&token), &[]).await;
        assert_graph_error(&answer, StatusCode::BAD_REQUEST, "BadRequest");
    });
}
