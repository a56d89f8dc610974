//! The write endpoints, `memberOf`, and running a `$batch`, over HTTP.
//!
//! Exists to give `seatwise apply` Graph's license-writing surface: `assignLicense` on
//! users (200 with the user) and groups (202 with the group and a `Location`), `members/$ref`
//! add (POST) and remove (DELETE) answering 204, `memberOf` (and its `microsoft.graph.group`
//! cast) paged like the other collections, and JSON `$batch`. The rules live in `licensing.rs`;
//! this module parses requests, marks their log entries `applied` the moment the tenant changes
//! (still under the tenant lock, so a test that sees the change also sees the mark), and renders
//! answers. Each request inside a `$batch` goes through the same `dispatch` as a top-level one,
//! after its own fault check.

use std::collections::HashMap;
use std::time::Duration;

use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::LoggedRequest;
use super::auth;
use super::batch::{self, BatchItem};
use super::errors::{GraphError, insert_text};
use super::faults::Terminal;
use super::licensing::{LicenseChanges, malformed_json};
use super::odata::{self, CollectionWriter};
use super::server::{
    Answer, Incoming, MAX_BODY, Shared, graph_json, graph_route, into_response, lock, no_content,
};

/// What running a `$batch` produced, with what its inner requests' faults ask of the whole
/// response.
pub struct BatchOutcome {
    pub answer: Answer,
    /// Sum of the inner requests' `HoldAfterApply` delays.
    pub hold: Duration,
    /// An inner request matched `DropConnection`: cut off the batch's response.
    pub drop_connection: bool,
}

/// `lastUpdatedDateTime` of a state written now.
fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The object id at the end of an `@odata.id` reference (`https://graph.microsoft.com/v1.0/
/// directoryObjects/{id}`, `…/users/{id}`, any host).
fn referenced_id(reference: &str) -> Option<&str> {
    let path = reference.split(['?', '#']).next().unwrap_or_default();
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|id| !id.is_empty() && !id.contains(':'))
}

impl Shared {
    /// Marks the request (and its batch) as having changed the tenant.
    fn mark_applied(&self, incoming: &Incoming) {
        let mut log = lock(&self.log);
        for index in &incoming.log_entries {
            if let Some(entry) = log.get_mut(*index) {
                entry.applied = true;
            }
        }
    }

    /// `POST /users/{id | userPrincipalName}/assignLicense`.
    pub fn assign_user_license(&self, version: &str, user: &str, incoming: &Incoming) -> Answer {
        odata::parse_query(incoming.raw_query.as_deref(), &[])?;
        let changes = LicenseChanges::parse(&incoming.body, "User")?;
        let mut tenant = lock(&self.tenant);
        let index = tenant.assign_user_licenses(user, &changes, &now())?;
        if !changes.is_empty() {
            self.mark_applied(incoming);
        }
        let mut entity = Vec::with_capacity(2048);
        odata::write_entity(&mut entity, None, &tenant.users[index], None, &[], None);
        drop(tenant);
        let context = format!("{}/$entity", self.context(version, "users"));
        let body = Self::single_entity(&context, entity);
        Ok(graph_json(StatusCode::OK, body, incoming))
    }

    /// `POST /groups/{id}/assignLicense`: 202 with the group and a `Location`.
    pub fn assign_group_license(&self, version: &str, group: &str, incoming: &Incoming) -> Answer {
        odata::parse_query(incoming.raw_query.as_deref(), &[])?;
        let changes = LicenseChanges::parse(&incoming.body, "Group")?;
        let mut tenant = lock(&self.tenant);
        let index = tenant.assign_group_licenses(group, &changes, &now())?;
        if !changes.is_empty() {
            self.mark_applied(incoming);
        }
        let group = &tenant.groups[index];
        let location = format!("{}/{version}/groups/{}", self.base_url, group.id);
        let mut entity = Vec::with_capacity(1024);
        odata::write_entity(&mut entity, None, &group.properties, None, &[], None);
        drop(tenant);
        let context = format!("{}/$entity", self.context(version, "groups"));
        let body = Self::single_entity(&context, entity);
        let mut response = graph_json(StatusCode::ACCEPTED, body, incoming);
        insert_text(response.headers_mut(), "location", &location);
        Ok(response)
    }

    /// `POST /groups/{id}/members/$ref` with `{"@odata.id": "…/directoryObjects/{userId}"}`.
    pub fn add_member_ref(&self, group: &str, incoming: &Incoming) -> Answer {
        odata::parse_query(incoming.raw_query.as_deref(), &[])?;
        let body: Value = serde_json::from_slice(&incoming.body).map_err(|_| malformed_json())?;
        let reference = body
            .get("@odata.id")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                GraphError::bad_request(
                    "The request body must be {\"@odata.id\": \"https://graph.microsoft.com/v1.0/directoryObjects/{id}\"}.",
                )
            })?;
        let member = referenced_id(reference).ok_or_else(|| {
            GraphError::bad_request(format!("Invalid object identifier '{reference}'."))
        })?;
        let mut tenant = lock(&self.tenant);
        tenant.add_group_member(group, member, &now())?;
        self.mark_applied(incoming);
        drop(tenant);
        Ok(no_content(incoming))
    }

    /// `DELETE /groups/{id}/members/{memberId}/$ref`.
    pub fn remove_member_ref(&self, group: &str, member: &str, incoming: &Incoming) -> Answer {
        odata::parse_query(incoming.raw_query.as_deref(), &[])?;
        let mut tenant = lock(&self.tenant);
        tenant.remove_group_member(group, member)?;
        self.mark_applied(incoming);
        drop(tenant);
        Ok(no_content(incoming))
    }

    /// `GET /users/{id}/memberOf` (directoryObjects, each with `@odata.type`) and
    /// `GET /users/{id}/memberOf/microsoft.graph.group` (`cast`): the groups the user is a direct
    /// member of, in tenant order, with `$select`, `$top`, `$count` and paging.
    pub fn member_of(&self, version: &str, user: &str, cast: bool, incoming: &Incoming) -> Answer {
        let options = odata::parse_query(
            incoming.raw_query.as_deref(),
            &["$select", "$top", "$count"],
        )?;
        Self::require_count_consistency(incoming, &options)?;
        let selection = self.resolve_group_select(&options)?;
        let size = self.page_size(&options, self.config.max_page_size);
        let tenant = lock(&self.tenant);
        let found = tenant
            .user(user)
            .ok_or_else(|| GraphError::directory_object_not_found(user))?;
        let scope = format!(
            "/{version}/users/{}/memberof{}",
            found.id.to_ascii_lowercase(),
            if cast { "/microsoft.graph.group" } else { "" }
        );
        let start = self.start_offset(&scope, &options)?;
        let chosen = tenant.direct_group_indexes(&found.id);
        let bounds = odata::page_bounds(chosen.len(), start, size);
        let next = self.next_link(incoming, &scope, &options, bounds.next);
        let set = if cast { "groups" } else { "directoryObjects" };
        let context = self.context_with_selection(version, set, selection.as_deref());
        let count = options.count.then_some(chosen.len());
        let odata_type = (!cast).then_some("#microsoft.graph.group");
        let mut writer = CollectionWriter::new(&context, count, next.as_deref(), size * 512);
        for index in &chosen[bounds.start..bounds.end] {
            odata::write_entity(
                writer.item(),
                odata_type,
                &tenant.groups[*index].properties,
                selection.as_deref(),
                &[],
                None,
            );
        }
        drop(tenant);
        Ok(graph_json(StatusCode::OK, writer.finish(), incoming))
    }

    /// `POST /$batch`: runs the requests in dependency order and answers 200 with one response
    /// per request. A request whose dependency did not answer 2xx gets 424 without running; one
    /// with a body but no `Content-Type` gets 400.
    pub async fn batch(&self, version: &'static str, incoming: &Incoming) -> BatchOutcome {
        let mut outcome = BatchOutcome {
            answer: Err(GraphError::bad_request("Invalid batch payload format.")),
            hold: Duration::ZERO,
            drop_connection: false,
        };
        let parsed = batch::parse(&incoming.body)
            .and_then(|items| batch::execution_order(&items).map(|order| (items, order)));
        let (items, order) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => {
                outcome.answer = Err(error);
                return outcome;
            }
        };
        let had_bearer = auth::bearer_token(incoming.header("authorization")).is_some();
        let mut statuses: HashMap<String, u16> = HashMap::new();
        let mut responses: Vec<Value> = Vec::with_capacity(items.len());
        for index in order {
            let item = &items[index];
            let (path, raw_query) = item.path_and_query(version);
            let body_text = item.body.as_ref().map(Value::to_string);
            let log_index = {
                let mut log = lock(&self.log);
                log.push(LoggedRequest {
                    method: item.method.as_str().to_string(),
                    path_and_query: match &raw_query {
                        Some(query) => format!("{path}?{query}"),
                        None => path.clone(),
                    },
                    status: 0,
                    had_bearer,
                    body: body_text.clone(),
                    applied: false,
                    batch_request_id: Some(item.id.clone()),
                });
                log.len() - 1
            };
            let mut log_entries = vec![log_index];
            log_entries.extend_from_slice(&incoming.log_entries);
            let inner = Incoming {
                method: item.method.clone(),
                path,
                raw_query,
                headers: item.headers.clone(),
                body: body_text.map(axum::body::Bytes::from).unwrap_or_default(),
                request_id: self.ids.guid(),
                client_request_id: item
                    .headers
                    .get("client-request-id")
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_string),
                log_entries,
            };
            let failed_dependency = item.depends_on.iter().find(|dependency| {
                !statuses
                    .get(&dependency.to_ascii_lowercase())
                    .is_some_and(|status| (200..300).contains(status))
            });
            let answer = if let Some(dependency) = failed_dependency {
                Err(GraphError::new(
                    StatusCode::FAILED_DEPENDENCY,
                    "FailedDependency",
                    format!(
                        "Request '{}' was not run because request '{dependency}' it depends on failed.",
                        item.id
                    ),
                ))
            } else if item.body.is_some() && !item.has_content_type() {
                Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    format!(
                        "Write request id : {} does not contain Content-Type header or body.",
                        item.id
                    ),
                ))
            } else {
                self.run_batch_item(&inner, &mut outcome).await
            };
            let response = into_response(answer, &inner);
            let (rendered, status) = batch_response(item, response).await;
            statuses.insert(item.id.to_ascii_lowercase(), status);
            if let Some(entry) = lock(&self.log).get_mut(log_index) {
                entry.status = status;
            }
            responses.push(rendered);
        }
        let body = json!({ "responses": responses }).to_string().into_bytes();
        outcome.answer = Ok(graph_json(StatusCode::OK, body, incoming));
        outcome
    }

    /// One batch request: its faults (counted by its resolved path), then the ordinary dispatch.
    async fn run_batch_item(&self, inner: &Incoming, outcome: &mut BatchOutcome) -> Answer {
        let plan = lock(&self.faults).on_batch_request(&inner.path);
        if plan.delay > Duration::ZERO {
            tokio::time::sleep(plan.delay).await;
        }
        outcome.hold += plan.hold_after;
        match plan.terminal {
            Some(Terminal::TooManyRequests { retry_after_secs }) => {
                let mut error = GraphError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequests",
                    "Too many requests.",
                );
                error.retry_after = Some(retry_after_secs);
                return Err(error);
            }
            Some(Terminal::ServiceUnavailable) => {
                return Err(GraphError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "serviceNotAvailable",
                    "The service is temporarily unavailable. Please try again later.",
                ));
            }
            Some(Terminal::DropConnection) => outcome.drop_connection = true,
            None => {}
        }
        match graph_route(&inner.path) {
            Some((version, segments)) => self.dispatch(version, &segments, inner),
            None => Err(GraphError::unknown_segment(&inner.path)),
        }
    }
}

/// `{"id","status","headers","body"?}` for one batch request (no `body` for an empty answer).
async fn batch_response(item: &BatchItem, response: Response) -> (Value, u16) {
    let status = response.status().as_u16();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let mut headers = Map::new();
    for (name, key) in [
        ("Content-Type", header::CONTENT_TYPE),
        ("Location", header::LOCATION),
        ("Retry-After", header::RETRY_AFTER),
    ] {
        if let Some(value) = parts.headers.get(key).and_then(|value| value.to_str().ok()) {
            headers.insert(name.to_string(), json!(value));
        }
    }
    let mut rendered = json!({ "id": item.id, "status": status, "headers": headers });
    if !bytes.is_empty() {
        rendered["body"] = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    }
    (rendered, status)
}
