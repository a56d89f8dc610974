//! Tests of the fake Microsoft Graph's write endpoints (`tests/support/fake_graph`).
//!
//! `seatwise apply`'s tests trust the fake to move licenses the way Graph does, so these tests pin
//! that down with a plain HTTP client against the sample tenant (`data/sample`): `assignLicense`
//! on users and groups with every refusal Graph gives (and nothing applied when one fires),
//! `members/$ref` with group-based licenses following the member, seat counts moving with the
//! holders, `memberOf`, `$batch` with `dependsOn` and 424, the `applied` marks in the request log,
//! and the faults around writes (`HoldAfterApply`, throttling before applying, a dropped answer
//! after applying). Every test that undoes its changes checks the tenant fingerprint is back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::fake_graph::{
    DIRECT, FakeGraph, FakeGraphConfig, Fault, TenantFingerprint, TenantState,
};
use crate::fake_graph_smoke::{client, runtime, token};

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/sample")
}

fn start(adjust: impl FnOnce(&mut FakeGraphConfig)) -> FakeGraph {
    let mut config = FakeGraphConfig {
        snapshot: sample(),
        ..FakeGraphConfig::default()
    };
    adjust(&mut config);
    FakeGraph::start(config)
}

pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

/// Sends a Graph request (`path` under `/v1.0`) with a JSON body, or a raw text body.
pub(crate) async fn call(
    client: &reqwest::Client,
    graph: &FakeGraph,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    let url = format!("{}/v1.0{path}", graph.base_url());
    let mut request = client.request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("Graph request");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// Graph's error envelope with this status, code and exact message.
fn assert_error(answer: &Answer, status: StatusCode, code: &str, message: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.body["error"]["code"], code, "{}", answer.body);
    assert_eq!(answer.body["error"]["message"], message, "{}", answer.body);
    assert!(answer.body["error"]["innerError"]["request-id"].is_string());
}

fn licenses(add: &[(&str, &[&str])], remove: &[&str]) -> Value {
    json!({
        "addLicenses": add
            .iter()
            .map(|(sku, disabled)| json!({"skuId": sku, "disabledPlans": disabled}))
            .collect::<Vec<_>>(),
        "removeLicenses": remove,
    })
}

fn reference(user_id: &str) -> Value {
    json!({ "@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{user_id}") })
}

fn with_tenant<T>(graph: &FakeGraph, read: impl FnOnce(&TenantState) -> T) -> T {
    let tenant = graph.tenant();
    let tenant = tenant.lock().expect("tenant lock");
    read(&tenant)
}

fn fingerprint(graph: &FakeGraph) -> TenantFingerprint {
    with_tenant(graph, TenantState::snapshot_fingerprint)
}

fn consumed(graph: &FakeGraph, sku: &str) -> i64 {
    with_tenant(graph, |tenant| tenant.consumed_units(sku)).expect("subscribed SKU")
}

fn sources(graph: &FakeGraph, user: &str) -> BTreeMap<String, BTreeSet<String>> {
    with_tenant(graph, |tenant| tenant.license_sources(user))
}

fn applied_count(graph: &FakeGraph) -> usize {
    graph
        .requests()
        .iter()
        .filter(|entry| entry.applied)
        .count()
}

/// Ids chosen from the sample tenant by the property each test needs (not hard-coded).
struct Picks {
    /// The SKU with the most free seats (enough for a whole group), not `group_sku`.
    free_sku: String,
    /// A SKU with every seat taken.
    full_sku: String,
    /// A user with a usage location holding neither SKU, not in `static_group`.
    located_user: String,
    /// A user without a usage location.
    unlocated_user: String,
    /// A user holding `inherited_sku` only through a group.
    inheriting_user: String,
    inherited_sku: String,
    /// A assigned (not dynamic) group with members whose licenses all have free seats, and its
    /// first license.
    static_group: String,
    group_sku: String,
    /// Another user with a usage location, not in `static_group`, holding neither `group_sku`
    /// nor `free_sku`.
    outsider: String,
    /// A dynamic group and one of its members.
    dynamic_group: String,
    dynamic_member: String,
    /// A user directly in at least two groups.
    joiner: String,
}

fn pick(graph: &FakeGraph) -> Picks {
    with_tenant(graph, |tenant| {
        let seats = |sku: &Value| {
            (
                sku["consumedUnits"].as_i64().unwrap_or_default(),
                sku["prepaidUnits"]["enabled"].as_i64().unwrap_or_default(),
            )
        };
        let skus: Vec<Value> = tenant
            .subscribed_skus
            .iter()
            .map(|sku| Value::Object(sku.clone()))
            .collect();
        let full_sku = skus
            .iter()
            .find(|sku| {
                let (used, enabled) = seats(sku);
                used >= enabled
            })
            .and_then(|sku| sku["skuId"].as_str())
            .expect("a SKU without free seats")
            .to_string();
        let has_free_seat = |sku: &str| {
            tenant
                .consumed_units(sku)
                .zip(
                    skus.iter()
                        .find(|entry| entry["skuId"] == sku)
                        .map(|entry| seats(entry).1),
                )
                .is_some_and(|(used, enabled)| used < enabled)
        };
        let located = |id: &str| {
            tenant
                .user(id)
                .and_then(|user| user.value("usageLocation"))
                .and_then(|location| location.as_str().map(str::to_string))
                .is_some_and(|location| !location.is_empty())
        };
        let user_where = |wanted: &dyn Fn(&str) -> bool| {
            tenant
                .users
                .iter()
                .map(|user| user.id.clone())
                .find(|id| wanted(id))
                .expect("a user of the wanted kind")
        };
        let group_skus = |index: usize| -> Vec<String> {
            tenant.groups[index].properties["assignedLicenses"]
                .as_array()
                .map(|licenses| {
                    licenses
                        .iter()
                        .filter_map(|license| license["skuId"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let static_index = (0..tenant.groups.len())
            .find(|&index| {
                let group = &tenant.groups[index];
                let skus = group_skus(index);
                !group.is_dynamic()
                    && !group.members.is_empty()
                    && !skus.is_empty()
                    && skus.iter().all(|sku| has_free_seat(sku))
            })
            .expect("an assigned licensed group with free seats");
        let static_group = tenant.groups[static_index].id.clone();
        let group_sku = group_skus(static_index)[0].clone();
        let free_sku = skus
            .iter()
            .filter(|sku| sku["skuId"] != group_sku.as_str())
            .max_by_key(|sku| {
                let (used, enabled) = seats(sku);
                enabled - used
            })
            .and_then(|sku| sku["skuId"].as_str())
            .expect("a SKU with free seats")
            .to_string();
        let in_static_group = |id: &str| tenant.groups[static_index].has_member(id);
        let dynamic = tenant
            .groups
            .iter()
            .find(|group| group.is_dynamic() && !group.members.is_empty())
            .expect("a dynamic group with members");
        let dynamic_member = dynamic.members[0]["id"]
            .as_str()
            .expect("member id")
            .to_string();
        let (inheriting_user, inherited_sku) = tenant
            .users
            .iter()
            .find_map(|user| {
                tenant
                    .license_sources(&user.id)
                    .into_iter()
                    .find(|(_, from)| !from.contains(DIRECT))
                    .map(|(sku, _)| (user.id.clone(), sku))
            })
            .expect("a license held only through a group");
        let located_user = user_where(&|id| {
            let held = tenant.license_sources(id);
            located(id)
                && !in_static_group(id)
                && !held.contains_key(&free_sku)
                && !held.contains_key(&full_sku)
        });
        Picks {
            unlocated_user: user_where(&|id| !located(id)),
            outsider: user_where(&|id| {
                let held = tenant.license_sources(id);
                id != located_user
                    && located(id)
                    && !in_static_group(id)
                    && !held.contains_key(&group_sku)
                    && !held.contains_key(&free_sku)
            }),
            located_user,
            joiner: user_where(&|id| tenant.direct_groups_of(id).len() >= 2),
            free_sku,
            full_sku,
            inheriting_user,
            inherited_sku,
            static_group,
            group_sku,
            dynamic_group: dynamic.id.clone(),
            dynamic_member,
        }
    })
}

#[test]
fn user_assign_license_adds_and_removes_direct_licenses_and_moves_seats() {
    let graph = start(|_| {});
    let picks = pick(&graph);
    let start_state = fingerprint(&graph);
    let seats_before = consumed(&graph, &picks.free_sku);
    let upn = with_tenant(&graph, |tenant| {
        tenant
            .user(&picks.located_user)
            .map(|user| user.user_principal_name.to_uppercase())
            .expect("user")
    });
    let client = client();
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        // By user principal name, as Graph resolves /users/{id | userPrincipalName}.
        let plan = "efb87545-963c-4e0d-99df-69c6916d9eb0";
        let answer = call(
            &client,
            &graph,
            &token,
            Method::POST,
            &format!("/users/{upn}/assignLicense"),
            Some(licenses(&[(&picks.free_sku, &[plan])], &[])),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert!(
            answer.body["@odata.context"]
                .as_str()
                .is_some_and(|context| context.ends_with("$metadata#users/$entity"))
        );
        assert_eq!(answer.body["id"], picks.located_user.as_str());
        let assigned = answer.body["assignedLicenses"]
            .as_array()
            .expect("assignedLicenses");
        assert!(
            assigned.contains(&json!({"skuId": picks.free_sku, "disabledPlans": [plan]})),
            "{assigned:?}"
        );
        let state = answer.body["licenseAssignmentStates"]
            .as_array()
            .expect("states")
            .iter()
            .find(|state| state["skuId"] == picks.free_sku.as_str())
            .expect("a state for the new SKU")
            .clone();
        assert_eq!(state["assignedByGroup"], Value::Null);
        assert_eq!(state["state"], "Active");
        assert_eq!(state["error"], "None");
        assert_eq!(state["disabledPlans"], json!([plan]));
        assert!(state["lastUpdatedDateTime"].is_string());
        assert_eq!(consumed(&graph, &picks.free_sku), seats_before + 1);
        assert_eq!(
            sources(&graph, &picks.located_user).get(&picks.free_sku),
            Some(&BTreeSet::from([DIRECT.to_string()]))
        );

        // Reads see the change; so does subscribedSkus.
        let user = call(
            &client,
            &graph,
            &token,
            Method::GET,
            &format!("/users/{}?$select=assignedLicenses", picks.located_user),
            None,
        )
        .await;
        assert_eq!(
            user.body["assignedLicenses"],
            answer.body["assignedLicenses"]
        );
        let skus = call(
            &client,
            &graph,
            &token,
            Method::GET,
            "/subscribedSkus",
            None,
        )
        .await;
        let served = skus.body["value"]
            .as_array()
            .expect("skus")
            .iter()
            .find(|sku| sku["skuId"] == picks.free_sku.as_str())
            .expect("the SKU")
            .clone();
        assert_eq!(served["consumedUnits"], seats_before + 1);

        // Assigning again replaces the direct state (new disabled plans) without another seat.
        let again = call(
            &client,
            &graph,
            &token,
            Method::POST,
            &format!("/users/{}/assignLicense", picks.located_user),
            Some(licenses(&[(&picks.free_sku.to_uppercase(), &[])], &[])),
        )
        .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(consumed(&graph, &picks.free_sku), seats_before + 1);
        let states = again.body["licenseAssignmentStates"]
            .as_array()
            .expect("states");
        let direct: Vec<&Value> = states
            .iter()
            .filter(|state| state["skuId"] == picks.free_sku.as_str())
            .collect();
        assert_eq!(direct.len(), 1, "{states:?}");
        assert_eq!(direct[0]["disabledPlans"], json!([]));

        let removed = call(
            &client,
            &graph,
            &token,
            Method::POST,
            &format!("/users/{}/assignLicense", picks.located_user),
            Some(licenses(&[], &[&picks.free_sku])),
        )
        .await;
        assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
        assert!(
            !removed.body["assignedLicenses"]
                .as_array()
                .expect("assignedLicenses")
                .iter()
                .any(|license| license["skuId"] == picks.free_sku.as_str())
        );
        assert_eq!(consumed(&graph, &picks.free_sku), seats_before);
    });
    assert_eq!(fingerprint(&graph), start_state);
    let writes: Vec<(u16, bool)> = graph
        .requests()
        .iter()
        .filter(|entry| entry.path_and_query.ends_with("/assignLicense"))
        .map(|entry| (entry.status, entry.applied))
        .collect();
    assert_eq!(writes, [(200, true), (200, true), (200, true)]);
    assert_eq!(applied_count(&graph), 3, "reads are never applied");
}

#[test]
fn user_assign_license_refusals_change_nothing() {
    let graph = start(|_| {});
    let picks = pick(&graph);
    let start_state = fingerprint(&graph);
    let client = client();
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        let path = format!("/users/{}/assignLicense", picks.located_user);
        let post = |path: String, body: Value| {
            let (client, graph, token) = (&client, &graph, &token);
            async move { call(client, graph, token, Method::POST, &path, Some(body)).await }
        };
        let bad = |answer: &Answer, message: &str| {
            assert_error(answer, StatusCode::BAD_REQUEST, "Request_BadRequest", message);
        };

        let answer = post(path.clone(), json!({"removeLicenses": []})).await;
        bad(
            &answer,
            "Request body is missing the required parameter 'addLicenses'.",
        );
        let answer = post(path.clone(), json!({"addLicenses": []})).await;
        bad(
            &answer,
            "Request body is missing the required parameter 'removeLicenses'.",
        );
        let url = format!("{}/v1.0{path}", graph.base_url());
        let response = client
            .post(url)
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body("{\"addLicenses\": [")
            .send()
            .await
            .expect("malformed request");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body: Value = response.json().await.expect("error JSON");
        assert_eq!(body["error"]["code"], "BadRequest");

        let answer = post(
            "/users/nobody@example.com/assignLicense".into(),
            licenses(&[(&picks.free_sku, &[])], &[]),
        )
        .await;
        assert_error(
            &answer,
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            "Resource 'nobody@example.com' does not exist or one of its queried reference-property objects are not present.",
        );

        let unknown_sku = "00000000-0000-0000-0000-00000000abcd";
        let answer = post(path.clone(), licenses(&[(unknown_sku, &[])], &[])).await;
        bad(
            &answer,
            &format!("License {unknown_sku} does not correspond to a valid company License."),
        );

        let answer = post(
            format!("/users/{}/assignLicense", picks.unlocated_user),
            licenses(&[(&picks.free_sku, &[])], &[]),
        )
        .await;
        bad(
            &answer,
            "License assignment cannot be done for user with invalid usage location.",
        );

        let answer = post(path.clone(), licenses(&[(&picks.full_sku, &[])], &[])).await;
        bad(
            &answer,
            &format!(
                "Subscription {} does not have any available licenses.",
                picks.full_sku
            ),
        );

        let answer = post(
            format!("/users/{}/assignLicense", picks.inheriting_user),
            licenses(&[], &[&picks.inherited_sku]),
        )
        .await;
        bad(
            &answer,
            "User license is inherited from a group membership and it cannot be removed directly from the user.",
        );

        let answer = post(path.clone(), licenses(&[], &[&picks.free_sku])).await;
        bad(&answer, "User does not have a corresponding license.");

        // All or nothing: a valid add next to an invalid remove applies neither.
        let answer = post(
            path.clone(),
            licenses(&[(&picks.free_sku, &[])], &[&picks.full_sku]),
        )
        .await;
        bad(&answer, "User does not have a corresponding license.");

        let answer = post(
            path.clone(),
            licenses(&[(&picks.free_sku, &[])], &[&picks.free_sku]),
        )
        .await;
        bad(
            &answer,
            &format!(
                "License {} cannot be both added and removed in the same request.",
                picks.free_sku
            ),
        );

        let answer = call(&client, &graph, &token, Method::GET, &path, None).await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    });
    assert_eq!(fingerprint(&graph), start_state);
    assert_eq!(applied_count(&graph), 0);
}

#[test]
fn adding_a_member_inherits_the_groups_licenses_and_removing_drops_them() {
    let graph = start(|_| {});
    let picks = pick(&graph);
    let start_state = fingerprint(&graph);
    let seats_before = consumed(&graph, &picks.group_sku);
    let upn = with_tenant(&graph, |tenant| {
        tenant
            .user(&picks.outsider)
            .map(|user| user.user_principal_name.clone())
            .expect("user")
    });
    let client = client();
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        let members_ref = format!("/groups/{}/members/$ref", picks.static_group);
        let answer = call(
            &client,
            &graph,
            &token,
            Method::POST,
            &members_ref,
            Some(reference(&picks.outsider)),
        )
        .await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.body);
        assert!(answer.headers.contains_key("request-id"));

        assert!(
            with_tenant(&graph, |tenant| tenant.direct_groups_of(&picks.outsider))
                .contains(&picks.static_group)
        );
        assert_eq!(
            sources(&graph, &picks.outsider).get(&picks.group_sku),
            Some(&BTreeSet::from([picks.static_group.clone()]))
        );
        assert_eq!(consumed(&graph, &picks.group_sku), seats_before + 1);
        let members = call(
            &client,
            &graph,
            &token,
            Method::GET,
            &format!(
                "/groups/{}/members?$select=id,userPrincipalName&$top=999",
                picks.static_group
            ),
            None,
        )
        .await;
        let last = members.body["value"]
            .as_array()
            .and_then(|members| members.last())
            .expect("members")
            .clone();
        assert_eq!(last["id"], picks.outsider.as_str());
        assert_eq!(last["userPrincipalName"], upn.as_str());
        let user = call(
            &client,
            &graph,
            &token,
            Method::GET,
            &format!(
                "/users/{}?$select=assignedLicenses,licenseAssignmentStates",
                picks.outsider
            ),
            None,
        )
        .await;
        let inherited = user.body["licenseAssignmentStates"]
            .as_array()
            .expect("states")
            .iter()
            .find(|state| state["assignedByGroup"] == picks.static_group.as_str())
            .expect("an inherited state")
            .clone();
        assert_eq!(inherited["skuId"], picks.group_sku.as_str());
        assert_eq!(inherited["state"], "Active");
        assert_eq!(inherited["error"], "None");
        assert!(
            user.body["assignedLicenses"]
                .as_array()
                .expect("assignedLicenses")
                .iter()
                .any(|license| license["skuId"] == picks.group_sku.as_str())
        );

        // Refusals.
        let answer = call(
            &client,
            &graph,
            &token,
            Method::POST,
            &members_ref,
            // Also the …/users/{id} form, on another host.
            Some(json!({"@odata.id": format!("https://graph.example/v1.0/users/{}", picks.outsider)})),
        )
        .await;
        assert_error(
            &answer,
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "One or more added object references already exist for the following modified properties: 'members'.",
        );
        let answer = call(
            &client,
            &graph,
            &token,
            Method::POST,
            "/groups/00000000-0000-0000-0000-000000000001/members/$ref",
            Some(reference(&picks.outsider)),
        )
        .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        assert_eq!(answer.body["error"]["code"], "Request_ResourceNotFound");
        let answer = call(
            &client,
            &graph,
            &token,
            Method::POST,
            &members_ref,
            Some(reference("00000000-0000-0000-0000-000000000002")),
        )
        .await;
        assert_error(
            &answer,
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            "Resource '00000000-0000-0000-0000-000000000002' does not exist or one of its queried reference-property objects are not present.",
        );
        let answer = call(
            &client,
            &graph,
            &token,
            Method::POST,
            &format!("/groups/{}/members/$ref", picks.dynamic_group),
            Some(reference(&picks.outsider)),
        )
        .await;
        assert_error(
            &answer,
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Cannot add or remove members of a group with dynamic membership.",
        );
        let answer = call(
            &client,
            &graph,
            &token,
            Method::DELETE,
            &format!(
                "/groups/{}/members/{}/$ref",
                picks.dynamic_group, picks.dynamic_member
            ),
            None,
        )
        .await;
        assert_error(
            &answer,
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Cannot add or remove members of a group with dynamic membership.",
        );
        let answer = call(
            &client,
            &graph,
            &token,
            Method::DELETE,
            &format!(
                "/groups/{}/members/{}/$ref",
                picks.static_group, picks.located_user
            ),
            None,
        )
        .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
        assert_eq!(answer.body["error"]["code"], "Request_ResourceNotFound");

        // Removing the member drops what it inherited and frees the seat (`%24ref` decoded).
        let answer = call(
            &client,
            &graph,
            &token,
            Method::DELETE,
            &format!(
                "/groups/{}/members/{}/%24ref",
                picks.static_group, picks.outsider
            ),
            None,
        )
        .await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.body);
        assert!(!sources(&graph, &picks.outsider).contains_key(&picks.group_sku));
        assert_eq!(consumed(&graph, &picks.group_sku), seats_before);
    });
    let applied: Vec<(String, u16)> = graph
        .requests()
        .iter()
        .filter(|entry| entry.applied)
        .map(|entry| (entry.method.clone(), entry.status))
        .collect();
    assert_eq!(
        applied,
        [("POST".to_string(), 204), ("DELETE".to_string(), 204)]
    );
    // Back exactly where it started.
    assert_eq!(fingerprint(&graph), start_state);
}

#[test]
fn group_assign_license_reaches_every_member_and_counts_seats() {
    let graph = start(|_| {});
    let picks = pick(&graph);
    let start_state = fingerprint(&graph);
    let members: Vec<String> = with_tenant(&graph, |tenant| {
        tenant
            .group(&picks.static_group)
            .map(|group| {
                group
                    .members
                    .iter()
                    .filter_map(|member| member["id"].as_str().map(str::to_string))
                    .collect()
            })
            .expect("group")
    });
    let newly_holding = members
        .iter()
        .filter(|member| !sources(&graph, member).contains_key(&picks.free_sku))
        .count();
    let free_seats_before = consumed(&graph, &picks.free_sku);
    let full_seats_before = consumed(&graph, &picks.full_sku);
    let client = client();
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        let path = format!("/groups/{}/assignLicense", picks.static_group);
        let post = |body: Value| {
            let (client, graph, token, path) = (&client, &graph, &token, &path);
            async move { call(client, graph, token, Method::POST, path, Some(body)).await }
        };

        // Adding the SKU with free seats: 202, the group, a Location; every member holds it.
        let answer = post(licenses(&[(&picks.free_sku, &[])], &[])).await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
        assert_eq!(answer.body["id"], picks.static_group.as_str());
        assert!(
            answer.body["assignedLicenses"]
                .as_array()
                .expect("assignedLicenses")
                .iter()
                .any(|license| license["skuId"] == picks.free_sku.as_str())
        );
        assert!(
            answer
                .headers
                .get("location")
                .and_then(|value| value.to_str().ok())
                .is_some_and(
                    |location| location.ends_with(&format!("/v1.0/groups/{}", picks.static_group))
                )
        );
        for member in &members {
            assert!(
                sources(&graph, member)
                    .get(&picks.free_sku)
                    .is_some_and(|from| from.contains(&picks.static_group)),
                "{member} inherits the new license"
            );
        }
        assert!(
            newly_holding > 0,
            "the sample group has members without the SKU"
        );
        assert_eq!(
            consumed(&graph, &picks.free_sku),
            free_seats_before + i64::try_from(newly_holding).expect("count")
        );

        // Adding a SKU without seats: accepted, but members get CountViolation and no seat.
        let answer = post(licenses(&[(&picks.full_sku, &[])], &[])).await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
        assert_eq!(consumed(&graph, &picks.full_sku), full_seats_before);
        let without_full_sku = members
            .iter()
            .find(|member| {
                start_state.users[member.as_str()]
                    .iter()
                    .all(|(sku, _, _)| *sku != picks.full_sku)
            })
            .expect("a member without the full SKU");
        let user = call(
            &client,
            &graph,
            &token,
            Method::GET,
            &format!("/users/{without_full_sku}?$select=licenseAssignmentStates"),
            None,
        )
        .await;
        let error_state = user.body["licenseAssignmentStates"]
            .as_array()
            .expect("states")
            .iter()
            .find(|state| {
                state["skuId"] == picks.full_sku.as_str()
                    && state["assignedByGroup"] == picks.static_group.as_str()
            })
            .expect("a state for the full SKU")
            .clone();
        assert_eq!(error_state["state"], "Error");
        assert_eq!(error_state["error"], "CountViolation");

        // Refusals.
        let answer = post(licenses(&[("not-a-sku", &[])], &[])).await;
        assert_error(
            &answer,
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "License not-a-sku does not correspond to a valid company License.",
        );
        let answer = post(licenses(&[], &["00000000-0000-0000-0000-00000000abcd"])).await;
        assert_error(
            &answer,
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Group does not have a corresponding license.",
        );
        let answer = call(
            &client,
            &graph,
            &token,
            Method::POST,
            "/groups/00000000-0000-0000-0000-000000000001/assignLicense",
            Some(licenses(&[(&picks.free_sku, &[])], &[])),
        )
        .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);

        // Removing both puts every member and every count back.
        let answer = post(licenses(&[], &[&picks.free_sku, &picks.full_sku])).await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
    });
    assert_eq!(fingerprint(&graph), start_state);
    assert_eq!(applied_count(&graph), 3);
}

#[test]
fn member_of_lists_direct_groups_with_select_and_paging() {
    let graph = start(|_| {});
    let picks = pick(&graph);
    let expected = with_tenant(&graph, |tenant| tenant.direct_groups_of(&picks.joiner));
    let client = client();
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        let mut url = format!(
            "{}/v1.0/users/{}/memberOf?$top=1&$select=displayName,groupTypes",
            graph.base_url(),
            picks.joiner
        );
        let mut seen = BTreeSet::new();
        let mut pages = 0;
        loop {
            let response = client
                .get(&url)
                .bearer_auth(&token)
                .send()
                .await
                .expect("memberOf");
            assert_eq!(response.status(), StatusCode::OK);
            let page: Value = response.json().await.expect("page");
            assert!(page["@odata.context"].as_str().is_some_and(|context| {
                context.ends_with("#directoryObjects(displayName,groupTypes)")
            }));
            let items = page["value"].as_array().expect("value");
            assert_eq!(items.len(), 1);
            let keys: BTreeSet<&str> = items[0]
                .as_object()
                .expect("object")
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(
                keys,
                BTreeSet::from(["@odata.type", "id", "displayName", "groupTypes"])
            );
            assert_eq!(items[0]["@odata.type"], "#microsoft.graph.group");
            seen.insert(items[0]["id"].as_str().expect("id").to_string());
            pages += 1;
            match page["@odata.nextLink"].as_str() {
                Some(next) => url = next.to_string(),
                None => break,
            }
        }
        assert_eq!(seen, expected);
        assert_eq!(pages, expected.len());

        // The cast: groups, without @odata.type, all stored properties by default.
        let cast = call(
            &client,
            &graph,
            &token,
            Method::GET,
            &format!("/users/{}/memberOf/microsoft.graph.group", picks.joiner),
            None,
        )
        .await;
        assert_eq!(cast.status, StatusCode::OK, "{}", cast.body);
        assert!(
            cast.body["@odata.context"]
                .as_str()
                .is_some_and(|context| context.ends_with("$metadata#groups"))
        );
        let groups = cast.body["value"].as_array().expect("groups");
        assert_eq!(groups.len(), expected.len());
        assert!(groups.iter().all(|group| group.get("@odata.type").is_none()
            && group["assignedLicenses"].is_array()
            && group.get("members").is_none()));

        let missing = call(
            &client,
            &graph,
            &token,
            Method::GET,
            "/users/nobody@example.com/memberOf",
            None,
        )
        .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let bad_select = call(
            &client,
            &graph,
            &token,
            Method::GET,
            &format!("/users/{}/memberOf?$select=nope", picks.joiner),
            None,
        )
        .await;
        assert_eq!(bad_select.status, StatusCode::BAD_REQUEST);
    });
}

#[test]
fn batch_runs_in_dependency_order_and_fails_dependents_with_424() {
    let graph = start(|config| {
        config.faults = vec![Fault::TooManyRequests {
            path_prefix: "/v1.0/users/throttled/memberOf".into(),
            after: 0,
            times: 1,
            retry_after_secs: 3,
        }]
    });
    let picks = pick(&graph);
    let seats_before = consumed(&graph, &picks.free_sku);
    let client = client();
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        let json_headers = json!({"Content-Type": "application/json"});
        let body = json!({"requests": [
            // Listed first, but runs after "add" (which it depends on).
            {"id": "license", "method": "POST", "dependsOn": ["ADD"],
             "url": format!("/users/{}/assignLicense", picks.outsider),
             "headers": json_headers, "body": licenses(&[(&picks.free_sku, &[])], &[])},
            {"id": "add", "method": "POST",
             "url": format!("groups/{}/members/$ref", picks.static_group),
             "headers": json_headers, "body": reference(&picks.outsider)},
            {"id": "no-seats", "method": "POST",
             "url": format!("/users/{}/assignLicense", picks.located_user),
             "headers": json_headers, "body": licenses(&[(&picks.full_sku, &[])], &[])},
            {"id": "after-no-seats", "method": "POST", "dependsOn": ["no-seats"],
             "url": format!("/users/{}/assignLicense", picks.located_user),
             "headers": json_headers, "body": licenses(&[(&picks.free_sku, &[])], &[])},
            {"id": "no-content-type", "method": "POST",
             "url": format!("/users/{}/assignLicense", picks.located_user),
             "body": licenses(&[(&picks.free_sku, &[])], &[])},
            {"id": "read", "method": "GET", "dependsOn": ["license"],
             "url": format!("/users/{}/memberOf?$select=id", picks.outsider)},
            {"id": "throttled", "method": "GET", "url": "/users/throttled/memberOf"},
        ]});
        let answer = call(&client, &graph, &token, Method::POST, "/$batch", Some(body)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let responses = answer.body["responses"].as_array().expect("responses");
        let order: Vec<&str> = responses
            .iter()
            .map(|response| response["id"].as_str().expect("id"))
            .collect();
        assert_eq!(
            order,
            [
                "add",
                "license",
                "no-seats",
                "after-no-seats",
                "no-content-type",
                "read",
                "throttled"
            ]
        );
        let status = |id: &str| {
            responses
                .iter()
                .find(|response| response["id"] == id)
                .map(|response| {
                    (
                        response["status"].as_u64().unwrap_or_default(),
                        response.clone(),
                    )
                })
                .expect("response")
        };
        assert_eq!(status("add").0, 204);
        assert!(status("add").1.get("body").is_none());
        let (code, license) = status("license");
        assert_eq!(code, 200, "{license}");
        assert_eq!(license["body"]["id"], picks.outsider.as_str());
        assert!(
            license["headers"]["Content-Type"]
                .as_str()
                .is_some_and(|value| value.starts_with("application/json"))
        );
        let (code, no_seats) = status("no-seats");
        assert_eq!(code, 400);
        assert_eq!(no_seats["body"]["error"]["code"], "Request_BadRequest");
        let (code, failed) = status("after-no-seats");
        assert_eq!(code, 424);
        assert_eq!(failed["body"]["error"]["code"], "FailedDependency");
        assert_eq!(status("no-content-type").0, 400);
        let (code, read) = status("read");
        assert_eq!(code, 200);
        assert!(
            read["body"]["value"]
                .as_array()
                .expect("groups")
                .iter()
                .any(|group| group["id"] == picks.static_group.as_str())
        );
        let (code, throttled) = status("throttled");
        assert_eq!(code, 429);
        assert_eq!(throttled["headers"]["Retry-After"], "3");

        // Applied: the membership and the direct license; the direct license took one seat, and
        // the request that failed took none.
        assert!(
            with_tenant(&graph, |tenant| tenant.direct_groups_of(&picks.outsider))
                .contains(&picks.static_group)
        );
        let held = sources(&graph, &picks.outsider);
        assert_eq!(
            held.get(&picks.free_sku),
            Some(&BTreeSet::from([DIRECT.to_string()]))
        );
        assert_eq!(consumed(&graph, &picks.free_sku), seats_before + 1);
        assert!(!sources(&graph, &picks.located_user).contains_key(&picks.free_sku));

        // Whole-batch refusals.
        let too_many: Vec<Value> = (0..21)
            .map(|id| json!({"id": id.to_string(), "method": "GET", "url": "/subscribedSkus"}))
            .collect();
        let duplicate = vec![
            json!({"id": "a", "method": "GET", "url": "/subscribedSkus"}),
            json!({"id": "A", "method": "GET", "url": "/subscribedSkus"}),
        ];
        let dangling =
            vec![json!({"id": "a", "method": "GET", "url": "/subscribedSkus", "dependsOn": ["z"]})];
        for requests in [too_many, duplicate, dangling] {
            let answer = call(
                &client,
                &graph,
                &token,
                Method::POST,
                "/$batch",
                Some(json!({ "requests": requests })),
            )
            .await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
            assert_eq!(answer.body["error"]["code"], "BadRequest");
        }
    });
    let log = graph.requests();
    let outer: Vec<(u16, bool)> = log
        .iter()
        .filter(|entry| entry.path_and_query == "/v1.0/$batch")
        .map(|entry| (entry.status, entry.applied))
        .collect();
    assert_eq!(
        outer,
        [(200, true), (400, false), (400, false), (400, false)]
    );
    let inner: Vec<(&str, u16, bool)> = log
        .iter()
        .filter_map(|entry| {
            entry
                .batch_request_id
                .as_deref()
                .map(|id| (id, entry.status, entry.applied))
        })
        .collect();
    assert_eq!(
        inner,
        [
            ("add", 204, true),
            ("license", 200, true),
            ("no-seats", 400, false),
            ("after-no-seats", 424, false),
            ("no-content-type", 400, false),
            ("read", 200, false),
            ("throttled", 429, false),
        ]
    );
    let add = log
        .iter()
        .find(|entry| entry.batch_request_id.as_deref() == Some("add"))
        .expect("inner entry");
    assert_eq!(add.method, "POST");
    assert_eq!(
        add.path_and_query,
        format!("/v1.0/groups/{}/members/$ref", picks.static_group)
    );
}

#[test]
fn faults_around_writes_apply_or_not_as_documented() {
    let graph = start(|config| {
        config.faults = vec![
            Fault::TooManyRequests {
                path_prefix: "/v1.0/users".into(),
                after: 0,
                times: 1,
                retry_after_secs: 1,
            },
            Fault::HoldAfterApply {
                path_prefix: "/v1.0/users".into(),
                after: 1,
                times: 2,
                delay: Duration::from_millis(1500),
            },
            Fault::DropConnection {
                path_prefix: "/v1.0/groups".into(),
                after: 0,
                times: 1,
            },
        ];
    });
    let picks = pick(&graph);
    let start_state = fingerprint(&graph);
    let seats_before = consumed(&graph, &picks.free_sku);
    let client = client();
    runtime().block_on(async {
        let token = token(&client, &graph).await;
        let path = format!("/users/{}/assignLicense", picks.located_user);
        let add = licenses(&[(&picks.free_sku, &[])], &[]);

        // Throttled before anything is applied.
        let answer = call(
            &client,
            &graph,
            &token,
            Method::POST,
            &path,
            Some(add.clone()),
        )
        .await;
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(fingerprint(&graph), start_state);

        // Held after applying: the tenant changes while the answer is still pending.
        let pending = tokio::spawn({
            let client = client.clone();
            let url = format!("{}/v1.0{path}", graph.base_url());
            let (token, add) = (token.clone(), add.clone());
            async move {
                client
                    .post(url)
                    .bearer_auth(token)
                    .json(&add)
                    .send()
                    .await
                    .map(|response| response.status())
            }
        });
        let began = std::time::Instant::now();
        while consumed(&graph, &picks.free_sku) == seats_before {
            assert!(
                began.elapsed() < Duration::from_secs(5),
                "the write is applied"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(!pending.is_finished(), "the answer is held");
        let held = graph
            .requests()
            .last()
            .cloned()
            .expect("the held request is logged");
        assert_eq!((held.status, held.applied), (0, true));
        assert_eq!(pending.await.expect("task").expect("answer").as_u16(), 200);

        // A client that gives up while the answer is held: applied, never heard of.
        let impatient = reqwest::Client::builder()
            .timeout(Duration::from_millis(300))
            .build()
            .expect("client");
        let gave_up = impatient
            .post(format!("{}/v1.0{path}", graph.base_url()))
            .bearer_auth(&token)
            .json(&licenses(&[], &[&picks.free_sku]))
            .send()
            .await;
        assert!(gave_up.is_err_and(|error| error.is_timeout()));
        assert_eq!(consumed(&graph, &picks.free_sku), seats_before);

        // A dropped answer: the member was added although the client saw the connection die.
        let dropped = client
            .post(format!(
                "{}/v1.0/groups/{}/members/$ref",
                graph.base_url(),
                picks.static_group
            ))
            .bearer_auth(&token)
            .json(&reference(&picks.outsider))
            .send()
            .await;
        let heard = match dropped {
            Ok(response) => response.bytes().await.is_ok(),
            Err(_) => false,
        };
        assert!(!heard, "the answer is cut off");
        assert!(
            with_tenant(&graph, |tenant| tenant.direct_groups_of(&picks.outsider))
                .contains(&picks.static_group)
        );
    });
    let writes: Vec<(u16, bool)> = graph
        .requests()
        .iter()
        .filter(|entry| entry.method == "POST" && entry.path_and_query.starts_with("/v1.0/"))
        .map(|entry| (entry.status, entry.applied))
        .collect();
    // The abandoned held request's status depends on when the server noticed the client left.
    let applied: Vec<bool> = writes.iter().map(|(_, applied)| *applied).collect();
    assert_eq!(applied, [false, true, true, true]);
    assert_eq!((writes[0].0, writes[1].0, writes[3].0), (429, 200, 0));
}
