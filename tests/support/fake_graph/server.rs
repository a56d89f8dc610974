//! The request handler: logging, faults, latency, authentication, then Graph's resources.
//!
//! Exists to keep the protocol in one readable place: every request is logged on arrival, counted
//! against the scripted faults, delayed as configured, checked for a valid bearer token (Graph) or
//! handled as a token request (identity platform), and then routed by hand (Graph's URL segments
//! are case-insensitive and contain `$`, which a router's patterns do not help with). The read
//! endpoints are here; the writes, `memberOf` and `$batch` are in `writes.rs`, routed from here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::audit::{AuditLog, AuditQuery};
use super::auth::{self, Credentials, TokenBook};
use super::errors::{GRAPH_JSON, GraphError, insert_text};
use super::faults::{FaultBook, Terminal};
use super::identity::{self, IdentityContext, Trust};
use super::ids::Ids;
use super::odata::{self, CollectionWriter, DEFAULT_PAGE, QueryOptions};
use super::tenant::TenantState;
use super::{FakeGraphConfig, LoggedRequest};

/// Largest request body read (a `$batch` of 20 requests is far below this).
pub const MAX_BODY: usize = 16 << 20;

/// Graph's page cap for `/users` when `$select` includes `signInActivity`.
const SIGN_IN_ACTIVITY_CAP: usize = 120;

/// Properties `/users` returns without `$select` (Graph's default set).
const USER_DEFAULTS: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// Graph user properties a client may `$select` even when the snapshot never sets them.
const USER_PROPERTIES: &[&str] = &[
    "aboutMe",
    "accountEnabled",
    "ageGroup",
    "assignedLicenses",
    "assignedPlans",
    "birthday",
    "businessPhones",
    "city",
    "companyName",
    "consentProvidedForMinor",
    "country",
    "createdDateTime",
    "creationType",
    "deletedDateTime",
    "department",
    "displayName",
    "employeeHireDate",
    "employeeId",
    "employeeLeaveDateTime",
    "employeeOrgData",
    "employeeType",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "faxNumber",
    "givenName",
    "id",
    "identities",
    "imAddresses",
    "isResourceAccount",
    "jobTitle",
    "lastPasswordChangeDateTime",
    "legalAgeGroupClassification",
    "licenseAssignmentStates",
    "mail",
    "mailNickname",
    "mobilePhone",
    "officeLocation",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesExtensionAttributes",
    "onPremisesImmutableId",
    "onPremisesLastSyncDateTime",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "onPremisesUserPrincipalName",
    "otherMails",
    "passwordPolicies",
    "postalCode",
    "preferredDataLocation",
    "preferredLanguage",
    "provisionedPlans",
    "proxyAddresses",
    "securityIdentifier",
    "showInAddressList",
    "signInActivity",
    "signInSessionsValidFromDateTime",
    "state",
    "streetAddress",
    "surname",
    "usageLocation",
    "userPrincipalName",
    "userType",
];

/// Graph group properties a client may `$select` (`members` is a relationship, not one of them).
const GROUP_PROPERTIES: &[&str] = &[
    "assignedLicenses",
    "classification",
    "createdDateTime",
    "deletedDateTime",
    "description",
    "displayName",
    "expirationDateTime",
    "groupTypes",
    "id",
    "isAssignableToRole",
    "licenseProcessingState",
    "mail",
    "mailEnabled",
    "mailNickname",
    "membershipRule",
    "membershipRuleProcessingState",
    "onPremisesSyncEnabled",
    "proxyAddresses",
    "renewedDateTime",
    "securityEnabled",
    "securityIdentifier",
    "visibility",
];

/// subscribedSku properties.
const SKU_PROPERTIES: &[&str] = &[
    "accountId",
    "accountName",
    "appliesTo",
    "capabilityStatus",
    "consumedUnits",
    "id",
    "prepaidUnits",
    "servicePlans",
    "skuId",
    "skuPartNumber",
    "subscriptionIds",
];

/// Property names per type: lower-case → Graph's spelling.
#[derive(Debug, Default)]
pub struct Schema {
    users: HashMap<String, String>,
    groups: HashMap<String, String>,
    skus: HashMap<String, String>,
}

impl Schema {
    /// The documented names plus every name the snapshot uses.
    pub fn of(tenant: &TenantState) -> Self {
        fn names<'a>(
            documented: &[&str],
            stored: impl Iterator<Item = &'a str>,
        ) -> HashMap<String, String> {
            let mut map: HashMap<String, String> = documented
                .iter()
                .map(|name| (name.to_ascii_lowercase(), (*name).to_string()))
                .collect();
            for name in stored.filter(|name| !name.starts_with('@')) {
                map.entry(name.to_ascii_lowercase())
                    .or_insert_with(|| name.to_string());
            }
            map
        }
        Self {
            users: names(
                USER_PROPERTIES,
                tenant
                    .users
                    .iter()
                    .flat_map(|user| user.properties().map(|(name, _)| name)),
            ),
            groups: names(
                GROUP_PROPERTIES,
                tenant
                    .groups
                    .iter()
                    .flat_map(|group| group.properties.keys().map(String::as_str)),
            ),
            skus: names(
                SKU_PROPERTIES,
                tenant
                    .subscribed_skus
                    .iter()
                    .flat_map(|sku| sku.keys().map(String::as_str)),
            ),
        }
    }
}

/// Everything the handler shares.
pub struct Shared {
    pub config: FakeGraphConfig,
    pub tenant_id: String,
    pub base_url: String,
    pub tenant: Arc<Mutex<TenantState>>,
    pub schema: Schema,
    pub audit: AuditLog,
    pub queries: Mutex<Vec<AuditQuery>>,
    pub tokens: Mutex<TokenBook>,
    pub faults: Mutex<FaultBook>,
    pub log: Mutex<Vec<LoggedRequest>>,
    pub ids: Ids,
    /// The registered certificate and the federated token issuers' key.
    pub trust: Trust,
    /// Requests the metadata service has answered so far.
    pub imds_requests: Mutex<usize>,
}

/// Locks a mutex, ignoring poisoning (a panicking handler must not wedge the server).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One request, read (an HTTP request, or one request inside a `$batch`).
pub struct Incoming {
    pub method: Method,
    /// Percent-encoded path, e.g. `/v1.0/users/x/assignLicense`.
    pub path: String,
    pub raw_query: Option<String>,
    pub headers: HeaderMap,
    pub body: axum::body::Bytes,
    pub request_id: String,
    pub client_request_id: Option<String>,
    /// Log entries to mark `applied` when this request changes the tenant: its own, and for a
    /// request inside a `$batch` also the batch's.
    pub log_entries: Vec<usize>,
}

impl Incoming {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    fn consistency_eventual(&self) -> bool {
        self.header("consistencylevel")
            .is_some_and(|value| value.trim().eq_ignore_ascii_case("eventual"))
    }

    fn include_unknown_enum_members(&self) -> bool {
        self.headers
            .get_all("prefer")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .any(|value| {
                value.split(',').any(|part| {
                    part.trim()
                        .eq_ignore_ascii_case("include-unknown-enum-members")
                })
            })
    }
}

/// The axum handler for every path.
pub async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|value| value.as_str().to_string())
        .unwrap_or_else(|| parts.uri.path().to_string());
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let had_bearer = auth::bearer_token(authorization).is_some();
    let logged_body = matches!(parts.method, Method::POST | Method::PATCH | Method::PUT)
        .then(|| String::from_utf8_lossy(&body).into_owned());
    let log_index = {
        let mut log = lock(&shared.log);
        log.push(LoggedRequest {
            method: parts.method.as_str().to_string(),
            path_and_query,
            status: 0,
            had_bearer,
            body: logged_body,
            applied: false,
            batch_request_id: None,
        });
        log.len() - 1
    };
    let incoming = Incoming {
        client_request_id: parts
            .headers
            .get("client-request-id")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string),
        method: parts.method,
        path: parts.uri.path().to_string(),
        raw_query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body,
        request_id: shared.ids.guid(),
        log_entries: vec![log_index],
    };
    let (response, logged_status) = match shared.respond(&incoming).await {
        Reply::Send(response, status) => (response, status),
        Reply::Sever => {
            // An answer without a body cannot be cut off mid-body (hyper sends a 204 whole), so
            // the connection's task is unwound instead: the client gets no byte of the answer.
            // `resume_unwind` skips the panic hook, so nothing is printed; the runtime survives.
            std::panic::resume_unwind(Box::new("fake graph: connection dropped by a fault"));
        }
    };
    if let Some(entry) = lock(&shared.log).get_mut(log_index) {
        entry.status = logged_status;
    }
    response
}

/// What `respond` decided.
enum Reply {
    /// Send this response; log this status (0 when it is cut off mid-body).
    Send(Response, u16),
    /// Close the connection without answering (a dropped connection on a body-less answer).
    Sever,
}

/// `/{tenant}/oauth2/v2.0/token` → the tenant segment.
fn token_tenant(path: &str) -> Option<&str> {
    let rest = path.strip_prefix('/')?;
    let (tenant, tail) = rest.split_once('/')?;
    (!tenant.is_empty() && tail.eq_ignore_ascii_case("oauth2/v2.0/token")).then_some(tenant)
}

/// `/v1.0/…` or `/beta/…` → the version and the segments after it, percent-decoded.
pub fn graph_route(path: &str) -> Option<(&'static str, Vec<String>)> {
    let rest = path.strip_prefix('/')?;
    let (version, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let version = if version.eq_ignore_ascii_case("v1.0") {
        "v1.0"
    } else if version.eq_ignore_ascii_case("beta") {
        "beta"
    } else {
        return None;
    };
    let segments = tail
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(percent_decode)
        .collect();
    Some((version, segments))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%' && index + 2 < bytes.len() {
            let pair = std::str::from_utf8(&bytes[index + 1..index + 3])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok());
            if let Some(value) = pair {
                decoded.push(value);
                index += 3;
                continue;
            }
        }
        decoded.push(byte);
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// A successful JSON answer (body already rendered).
pub fn graph_json(status: StatusCode, body: Vec<u8>, incoming: &Incoming) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(GRAPH_JSON));
    insert_text(headers, "request-id", &incoming.request_id);
    insert_text(
        headers,
        "client-request-id",
        incoming
            .client_request_id
            .as_deref()
            .unwrap_or(&incoming.request_id),
    );
    response
}

/// Sends the headers and half the body of `response`, announcing the full length, so the client
/// sees the connection end mid-body.
async fn cut_off(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let announced = bytes.len().max(2);
    let half = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(announced));
    // A streamed body has no exact size, so hyper trusts the header and closes the connection
    // when the stream ends short of it.
    let body = Body::from_stream(Body::from(half).into_data_stream());
    Response::from_parts(parts, body)
}

/// 204 with Graph's request-id headers.
pub fn no_content(incoming: &Incoming) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    insert_text(headers, "request-id", &incoming.request_id);
    insert_text(
        headers,
        "client-request-id",
        incoming
            .client_request_id
            .as_deref()
            .unwrap_or(&incoming.request_id),
    );
    response
}

pub type Answer = Result<Response, GraphError>;

/// Renders an answer, errors in Graph's envelope.
pub fn into_response(answer: Answer, incoming: &Incoming) -> Response {
    match answer {
        Ok(response) => response,
        Err(error) => {
            error.into_response(&incoming.request_id, incoming.client_request_id.as_deref())
        }
    }
}

/// True for `POST /{version}/$batch`.
fn is_batch(method: &Method, segments: &[String]) -> bool {
    *method == Method::POST && matches!(segments, [only] if only.eq_ignore_ascii_case("$batch"))
}

impl Shared {
    /// Produces the response and the status to log (0 for a dropped connection).
    async fn respond(&self, incoming: &Incoming) -> Reply {
        let token_tenant = (incoming.method == Method::POST)
            .then(|| token_tenant(&incoming.path))
            .flatten();
        let route = graph_route(&incoming.path);
        let plan = lock(&self.faults).on_request(&incoming.path, route.is_some());
        if plan.expire_tokens {
            lock(&self.tokens).revoke_all();
        }
        if route.is_some() && !self.config.latency.is_zero() {
            tokio::time::sleep(self.config.latency).await;
        }
        if plan.delay > Duration::ZERO {
            tokio::time::sleep(plan.delay).await;
        }
        let mut hold = plan.hold_after;
        let mut drop_connection = plan.terminal == Some(Terminal::DropConnection);
        let answer = match plan.terminal {
            Some(Terminal::TooManyRequests { retry_after_secs }) => {
                let mut error = GraphError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequests",
                    "Too many requests.",
                );
                error.retry_after = Some(retry_after_secs);
                Err(error)
            }
            Some(Terminal::ServiceUnavailable) => Err(GraphError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please try again later.",
            )),
            Some(Terminal::DropConnection) | None => {
                if let Some(tenant) = token_tenant {
                    Ok(self.token(tenant, incoming))
                } else if let Some(response) = self.identity_endpoint(incoming) {
                    Ok(response)
                } else if let Some((version, segments)) = &route {
                    match self.authenticate(incoming) {
                        Err(error) => Err(error),
                        Ok(()) if is_batch(&incoming.method, segments) => {
                            let outcome = self.batch(version, incoming).await;
                            hold += outcome.hold;
                            drop_connection |= outcome.drop_connection;
                            outcome.answer
                        }
                        Ok(()) => self.dispatch(version, segments, incoming),
                    }
                } else {
                    Err(GraphError::new(
                        StatusCode::NOT_FOUND,
                        "NotFound",
                        format!(
                            "The fake Graph serves /v1.0, /beta, /{{tenant}}/oauth2/v2.0/token and the managed identity and GitHub OIDC token endpoints, not '{}'.",
                            incoming.path
                        ),
                    ))
                }
            }
        };
        let response = into_response(answer, incoming);
        // Anything the request changed is applied by now.
        if hold > Duration::ZERO {
            tokio::time::sleep(hold).await;
        }
        if drop_connection {
            let bodiless = response.status() == StatusCode::NO_CONTENT
                || response.status() == StatusCode::NOT_MODIFIED;
            return if bodiless {
                Reply::Sever
            } else {
                Reply::Send(cut_off(response).await, 0)
            };
        }
        let status = response.status().as_u16();
        Reply::Send(response, status)
    }

    /// The managed identity endpoints and GitHub's OIDC endpoint (GET only), if `incoming` is
    /// for one of them.
    fn identity_endpoint(&self, incoming: &Incoming) -> Option<Response> {
        if incoming.method != Method::GET {
            return None;
        }
        let context = IdentityContext {
            config: &self.config.sign_in,
            trust: &self.trust,
            base_url: &self.base_url,
            lifetime: self.config.token_lifetime,
            ids: &self.ids,
        };
        let query = incoming.raw_query.as_deref();
        let path = incoming.path.as_str();
        if path.eq_ignore_ascii_case(identity::APP_SERVICE_PATH) {
            Some(identity::app_service_token(
                &context,
                incoming.header("x-identity-header"),
                query,
                &mut lock(&self.tokens),
            ))
        } else if path.eq_ignore_ascii_case(identity::IMDS_PATH) {
            let gone = {
                let mut answered = lock(&self.imds_requests);
                *answered += 1;
                *answered <= self.config.sign_in.imds_gone_first
            };
            Some(identity::imds_token(
                &context,
                incoming.header("metadata"),
                query,
                gone,
                &mut lock(&self.tokens),
            ))
        } else if path.eq_ignore_ascii_case(identity::GITHUB_PATH) {
            Some(identity::github_token(
                &context,
                incoming.header("authorization"),
                query,
            ))
        } else {
            None
        }
    }

    fn token(&self, tenant: &str, incoming: &Incoming) -> Response {
        let credentials = Credentials {
            tenant_id: &self.tenant_id,
            client_id: &self.config.client_id,
            client_secret: &self.config.client_secret,
            base_url: &self.base_url,
            lifetime: self.config.token_lifetime,
            trust: &self.trust,
            federated: &self.config.sign_in.federated_credentials,
        };
        let result = auth::token_endpoint(
            tenant,
            &incoming.body,
            incoming.header("content-type"),
            &credentials,
            &mut lock(&self.tokens),
            &self.ids,
        );
        match result {
            Ok(body) => {
                let mut response = (StatusCode::OK, body).into_response();
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                );
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-store, no-cache"),
                );
                response
            }
            Err(error) => error.into_response(&self.ids.guid(), &incoming.request_id),
        }
    }

    /// Checks the bearer token of a Graph request.
    fn authenticate(&self, incoming: &Incoming) -> Result<(), GraphError> {
        let authorization = incoming.header("authorization");
        lock(&self.tokens)
            .check(auth::bearer_token(authorization))
            .map_err(|problem| problem.into_error())
    }

    /// Routes an authenticated Graph request (also each request inside a `$batch`; a `$batch`
    /// itself never reaches here from HTTP, and is refused inside a batch).
    pub fn dispatch(
        &self,
        version: &'static str,
        segments: &[String],
        incoming: &Incoming,
    ) -> Answer {
        let lower: Vec<String> = segments
            .iter()
            .map(|segment| segment.to_ascii_lowercase())
            .collect();
        let names: Vec<&str> = lower.iter().map(String::as_str).collect();
        let get = incoming.method == Method::GET;
        let post = incoming.method == Method::POST;
        let delete = incoming.method == Method::DELETE;
        let not_allowed =
            || GraphError::method_not_allowed(incoming.method.as_str(), &incoming.path);
        match names.as_slice() {
            ["subscribedskus"] if get => self.subscribed_skus(version, incoming),
            ["directory", "subscriptions"] if get => self.subscriptions(version, incoming),
            ["users"] if get => self.users(version, incoming),
            ["users", _] if get => self.user(version, &segments[1], incoming),
            ["users", _, "assignlicense"] if post => {
                self.assign_user_license(version, &segments[1], incoming)
            }
            ["users", _, "memberof"] if get => {
                self.member_of(version, &segments[1], false, incoming)
            }
            ["users", _, "memberof", "microsoft.graph.group"] if get => {
                self.member_of(version, &segments[1], true, incoming)
            }
            ["groups"] if get => self.groups(version, incoming),
            ["groups", _] if get => self.group(version, &segments[1], incoming),
            ["groups", _, "members"] if get => self.members(version, &segments[1], incoming),
            ["groups", _, "members", "$ref"] if post => self.add_member_ref(&segments[1], incoming),
            ["groups", _, "members", _, "$ref"] if delete => {
                self.remove_member_ref(&segments[1], &segments[3], incoming)
            }
            ["groups", _, "assignlicense"] if post => {
                self.assign_group_license(version, &segments[1], incoming)
            }
            ["$batch"] if post => Err(GraphError::bad_request(
                "A $batch request cannot contain another $batch request.",
            )),
            ["security", "auditlog", "queries"] if post => self.create_query(version, incoming),
            ["security", "auditlog", "queries"] if get => self.list_queries(version, incoming),
            ["security", "auditlog", "queries", _] if get => {
                self.get_query(version, &segments[3], incoming)
            }
            ["security", "auditlog", "queries", _, "records"] if get => {
                self.records(version, &segments[3], incoming)
            }
            ["subscribedskus"]
            | ["users"]
            | ["users", _]
            | ["users", _, "assignlicense"]
            | ["users", _, "memberof"]
            | ["users", _, "memberof", "microsoft.graph.group"]
            | ["groups"]
            | ["groups", _]
            | ["groups", _, "members"]
            | ["groups", _, "members", "$ref"]
            | ["groups", _, "members", _, "$ref"]
            | ["groups", _, "assignlicense"]
            | ["$batch"]
            | ["security", "auditlog", "queries"]
            | ["security", "auditlog", "queries", _]
            | ["security", "auditlog", "queries", _, "records"] => Err(not_allowed()),
            _ => {
                let known = ["subscribedskus", "users", "groups", "security", "$batch"];
                let unknown = segments
                    .iter()
                    .find(|segment| !known.contains(&segment.to_ascii_lowercase().as_str()))
                    .or(segments.last())
                    .map(String::as_str)
                    .unwrap_or(version);
                Err(GraphError::unknown_segment(unknown))
            }
        }
    }

    pub fn context(&self, version: &str, fragment: &str) -> String {
        format!("{}/{version}/$metadata#{fragment}", self.base_url)
    }

    pub fn context_with_selection(
        &self,
        version: &str,
        set: &str,
        selection: Option<&[String]>,
    ) -> String {
        match selection {
            Some(names) => self.context(version, &format!("{set}({})", names.join(","))),
            None => self.context(version, set),
        }
    }

    /// Items per page: `$top` (default [`DEFAULT_PAGE`]), at most `cap`, at least 1.
    pub fn page_size(&self, options: &QueryOptions, cap: usize) -> usize {
        options.top.unwrap_or(DEFAULT_PAGE).min(cap).max(1)
    }

    /// Start offset from `$skiptoken` (0 when absent).
    pub fn start_offset(&self, scope: &str, options: &QueryOptions) -> Result<usize, GraphError> {
        match options.skiptoken.as_deref() {
            Some(token) => odata::decode_skiptoken(&self.ids, scope, token),
            None => Ok(0),
        }
    }

    pub fn next_link(
        &self,
        incoming: &Incoming,
        scope: &str,
        options: &QueryOptions,
        next: Option<usize>,
    ) -> Option<String> {
        next.map(|offset| {
            let token = odata::encode_skiptoken(&self.ids, scope, offset);
            odata::next_link(&self.base_url, &incoming.path, options, &token)
        })
    }

    pub fn require_count_consistency(
        incoming: &Incoming,
        options: &QueryOptions,
    ) -> Result<(), GraphError> {
        if options.count && !incoming.consistency_eventual() {
            return Err(GraphError::bad_request(
                "$count is not currently supported. Add the header ConsistencyLevel: eventual to use $count.",
            ));
        }
        Ok(())
    }

    fn subscribed_skus(&self, version: &str, incoming: &Incoming) -> Answer {
        let options = odata::parse_query(incoming.raw_query.as_deref(), &["$select"])?;
        let selection = odata::resolve_select(
            options.select.as_deref(),
            |name| {
                self.schema
                    .skus
                    .get(&name.to_ascii_lowercase())
                    .map(String::as_str)
            },
            "microsoft.graph.subscribedSku",
        )?;
        let tenant = lock(&self.tenant);
        let context = self.context_with_selection(version, "subscribedSkus", selection.as_deref());
        let mut writer =
            CollectionWriter::new(&context, None, None, tenant.subscribed_skus.len() * 2048);
        for sku in &tenant.subscribed_skus {
            odata::write_entity(writer.item(), None, sku, selection.as_deref(), &[], None);
        }
        Ok(graph_json(StatusCode::OK, writer.finish(), incoming))
    }

    /// `GET /directory/subscriptions`: the tenant's commerce subscriptions, one page.
    fn subscriptions(&self, version: &str, incoming: &Incoming) -> Answer {
        odata::parse_query(incoming.raw_query.as_deref(), &[])?;
        if self.config.subscriptions_forbidden {
            return Err(GraphError::new(
                StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ));
        }
        let tenant = lock(&self.tenant);
        let context = self.context(version, "directory/subscriptions");
        let mut writer =
            CollectionWriter::new(&context, None, None, tenant.subscriptions.len() * 1024);
        for subscription in &tenant.subscriptions {
            odata::write_entity(writer.item(), None, subscription, None, &[], None);
        }
        Ok(graph_json(StatusCode::OK, writer.finish(), incoming))
    }

    fn resolve_user_select(
        &self,
        options: &QueryOptions,
    ) -> Result<Option<Vec<String>>, GraphError> {
        odata::resolve_select(
            options.select.as_deref(),
            |name| {
                self.schema
                    .users
                    .get(&name.to_ascii_lowercase())
                    .map(String::as_str)
            },
            "microsoft.graph.user",
        )
    }

    fn check_sign_in_activity(&self, selection: Option<&[String]>) -> Result<bool, GraphError> {
        let wants =
            selection.is_some_and(|names| names.iter().any(|name| name == "signInActivity"));
        if wants && self.config.sign_in_activity_forbidden {
            return Err(GraphError::new(
                StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                "Neither tenant is B2C or tenant doesn't have premium license",
            ));
        }
        Ok(wants)
    }

    fn users(&self, version: &str, incoming: &Incoming) -> Answer {
        let options = odata::parse_query(
            incoming.raw_query.as_deref(),
            &["$select", "$top", "$count"],
        )?;
        Self::require_count_consistency(incoming, &options)?;
        let selection = self.resolve_user_select(&options)?;
        let wants_sign_in = self.check_sign_in_activity(selection.as_deref())?;
        let cap = if wants_sign_in {
            self.config.max_page_size.min(SIGN_IN_ACTIVITY_CAP)
        } else {
            self.config.max_page_size
        };
        let size = self.page_size(&options, cap);
        let scope = format!("/{version}/users");
        let start = self.start_offset(&scope, &options)?;

        let tenant = lock(&self.tenant);
        let bounds = odata::page_bounds(tenant.users.len(), start, size);
        let next = self.next_link(incoming, &scope, &options, bounds.next);
        let context = self.context_with_selection(version, "users", selection.as_deref());
        let count = options.count.then_some(tenant.users.len());
        let mut writer = CollectionWriter::new(&context, count, next.as_deref(), size * 1024);
        for user in &tenant.users[bounds.start..bounds.end] {
            odata::write_entity(
                writer.item(),
                None,
                user,
                selection.as_deref(),
                USER_DEFAULTS,
                None,
            );
        }
        drop(tenant);
        Ok(graph_json(StatusCode::OK, writer.finish(), incoming))
    }

    /// Writes `{"@odata.context":…,` + the entity's own fields.
    pub fn single_entity(context: &str, entity: Vec<u8>) -> Vec<u8> {
        let mut out = Vec::with_capacity(entity.len() + context.len() + 24);
        out.extend_from_slice(b"{\"@odata.context\":");
        odata::write_str(&mut out, context);
        out.push(b',');
        out.extend_from_slice(&entity[1..]);
        out
    }

    fn user(&self, version: &str, id: &str, incoming: &Incoming) -> Answer {
        let options = odata::parse_query(incoming.raw_query.as_deref(), &["$select"])?;
        let selection = self.resolve_user_select(&options)?;
        self.check_sign_in_activity(selection.as_deref())?;
        let tenant = lock(&self.tenant);
        let user = tenant
            .user(id)
            .ok_or_else(|| GraphError::directory_object_not_found(id))?;
        let mut entity = Vec::with_capacity(2048);
        odata::write_entity(
            &mut entity,
            None,
            user,
            selection.as_deref(),
            USER_DEFAULTS,
            None,
        );
        drop(tenant);
        let context = self.context_with_selection(version, "users", selection.as_deref());
        let body = Self::single_entity(&format!("{context}/$entity"), entity);
        Ok(graph_json(StatusCode::OK, body, incoming))
    }

    pub fn resolve_group_select(
        &self,
        options: &QueryOptions,
    ) -> Result<Option<Vec<String>>, GraphError> {
        odata::resolve_select(
            options.select.as_deref(),
            |name| {
                self.schema
                    .groups
                    .get(&name.to_ascii_lowercase())
                    .map(String::as_str)
            },
            "microsoft.graph.group",
        )
    }

    fn groups(&self, version: &str, incoming: &Incoming) -> Answer {
        let options = odata::parse_query(
            incoming.raw_query.as_deref(),
            &["$select", "$top", "$count", "$filter"],
        )?;
        let licensed_only = match options.filter.as_deref() {
            None => false,
            Some(filter) => {
                let normalised: String = filter
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if normalised != "assignedlicenses/$countne0" {
                    return Err(GraphError::unsupported_query(format!(
                        "The fake Graph supports only $filter=assignedLicenses/$count ne 0 on groups, not '{filter}'."
                    )));
                }
                if !incoming.consistency_eventual() || !options.count {
                    return Err(GraphError::bad_request(
                        "Operator 'Ne' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information",
                    ));
                }
                true
            }
        };
        Self::require_count_consistency(incoming, &options)?;
        let selection = self.resolve_group_select(&options)?;
        let size = self.page_size(&options, self.config.max_page_size);
        let scope = format!("/{version}/groups");
        let start = self.start_offset(&scope, &options)?;

        let tenant = lock(&self.tenant);
        let chosen: Vec<usize> = tenant
            .groups
            .iter()
            .enumerate()
            .filter(|(_, group)| !licensed_only || group.has_licenses())
            .map(|(index, _)| index)
            .collect();
        let bounds = odata::page_bounds(chosen.len(), start, size);
        let next = self.next_link(incoming, &scope, &options, bounds.next);
        let context = self.context_with_selection(version, "groups", selection.as_deref());
        let count = options.count.then_some(chosen.len());
        let mut writer = CollectionWriter::new(&context, count, next.as_deref(), size * 1024);
        for index in &chosen[bounds.start..bounds.end] {
            let group = &tenant.groups[*index];
            odata::write_entity(
                writer.item(),
                None,
                &group.properties,
                selection.as_deref(),
                &[],
                None,
            );
        }
        drop(tenant);
        Ok(graph_json(StatusCode::OK, writer.finish(), incoming))
    }

    fn group(&self, version: &str, id: &str, incoming: &Incoming) -> Answer {
        let options = odata::parse_query(incoming.raw_query.as_deref(), &["$select"])?;
        let selection = self.resolve_group_select(&options)?;
        let tenant = lock(&self.tenant);
        let group = tenant
            .group(id)
            .ok_or_else(|| GraphError::directory_object_not_found(id))?;
        let mut entity = Vec::with_capacity(1024);
        odata::write_entity(
            &mut entity,
            None,
            &group.properties,
            selection.as_deref(),
            &[],
            None,
        );
        drop(tenant);
        let context = self.context_with_selection(version, "groups", selection.as_deref());
        let body = Self::single_entity(&format!("{context}/$entity"), entity);
        Ok(graph_json(StatusCode::OK, body, incoming))
    }

    fn members(&self, version: &str, group_id: &str, incoming: &Incoming) -> Answer {
        let options = odata::parse_query(
            incoming.raw_query.as_deref(),
            &["$select", "$top", "$count"],
        )?;
        Self::require_count_consistency(incoming, &options)?;
        let selection = self.resolve_user_select(&options)?;
        let size = self.page_size(&options, self.config.max_page_size);
        let tenant = lock(&self.tenant);
        let group = tenant
            .group(group_id)
            .ok_or_else(|| GraphError::directory_object_not_found(group_id))?;
        let scope = format!(
            "/{version}/groups/{}/members",
            group.id.to_ascii_lowercase()
        );
        let start = self.start_offset(&scope, &options)?;
        let bounds = odata::page_bounds(group.members.len(), start, size);
        let next = self.next_link(incoming, &scope, &options, bounds.next);
        let context =
            self.context_with_selection(version, "directoryObjects", selection.as_deref());
        let count = options.count.then_some(group.members.len());
        let mut writer = CollectionWriter::new(&context, count, next.as_deref(), size * 256);
        for member in &group.members[bounds.start..bounds.end] {
            let odata_type = member
                .get("@odata.type")
                .and_then(Value::as_str)
                .unwrap_or("#microsoft.graph.user");
            let as_user = member
                .get("id")
                .and_then(Value::as_str)
                .and_then(|id| tenant.user(id))
                .map(|user| user as &dyn odata::Entity);
            odata::write_entity(
                writer.item(),
                Some(odata_type),
                member,
                selection.as_deref(),
                &[],
                as_user,
            );
        }
        drop(tenant);
        Ok(graph_json(StatusCode::OK, writer.finish(), incoming))
    }

    fn queries_context(&self, version: &str) -> String {
        self.context(version, "security/auditLog/queries")
    }

    fn create_query(&self, version: &str, incoming: &Incoming) -> Answer {
        let query = AuditQuery::create(self.ids.guid(), &incoming.body, &self.audit)?;
        let body = query
            .to_json(&format!("{}/$entity", self.queries_context(version)))
            .to_string();
        let location = format!(
            "{}/{version}/security/auditLog/queries/{}",
            self.base_url, query.id
        );
        lock(&self.queries).push(query);
        let mut response = graph_json(StatusCode::CREATED, body.into_bytes(), incoming);
        insert_text(response.headers_mut(), "location", &location);
        Ok(response)
    }

    fn list_queries(&self, version: &str, incoming: &Incoming) -> Answer {
        odata::parse_query(incoming.raw_query.as_deref(), &[])?;
        let queries = lock(&self.queries);
        let items: Vec<Value> = queries
            .iter()
            .map(|query| {
                let mut value = query.to_json("");
                if let Some(object) = value.as_object_mut() {
                    object.remove("@odata.context");
                }
                value
            })
            .collect();
        let body = json!({
            "@odata.context": self.queries_context(version),
            "value": items,
        });
        Ok(graph_json(
            StatusCode::OK,
            body.to_string().into_bytes(),
            incoming,
        ))
    }

    fn query_not_found(id: &str) -> GraphError {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("The audit log query '{id}' was not found."),
        )
    }

    fn get_query(&self, version: &str, id: &str, incoming: &Incoming) -> Answer {
        odata::parse_query(incoming.raw_query.as_deref(), &["$select"])?;
        let mut queries = lock(&self.queries);
        let query = queries
            .iter_mut()
            .find(|query| query.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| Self::query_not_found(id))?;
        query.poll(self.config.audit_query_polls_running);
        let body = query
            .to_json(&format!("{}/$entity", self.queries_context(version)))
            .to_string();
        drop(queries);
        Ok(graph_json(StatusCode::OK, body.into_bytes(), incoming))
    }

    fn records(&self, version: &str, id: &str, incoming: &Incoming) -> Answer {
        let options = odata::parse_query(incoming.raw_query.as_deref(), &["$top"])?;
        let page_cap = self.config.audit_page_size.max(1);
        let size = options.top.unwrap_or(page_cap).min(page_cap);
        let queries = lock(&self.queries);
        let query = queries
            .iter()
            .find(|query| query.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| Self::query_not_found(id))?;
        if query.status != "succeeded" {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!(
                    "The audit log query '{}' has not completed (status: {}). Records can be read once its status is succeeded.",
                    query.id, query.status
                ),
            ));
        }
        let scope = format!("/{version}/security/auditlog/queries/{}/records", query.id);
        let start = self.start_offset(&scope, &options)?;
        let bounds = odata::page_bounds(query.matches.len(), start, size);
        let page: Vec<u32> = query.matches[bounds.start..bounds.end].to_vec();
        let query_id = query.id.clone();
        drop(queries);

        let next = self.next_link(incoming, &scope, &options, bounds.next);
        let context = self.context(
            version,
            &format!("security/auditLog/queries('{query_id}')/records"),
        );
        let unknown_members = incoming.include_unknown_enum_members();
        let mut writer = CollectionWriter::new(&context, None, next.as_deref(), page.len() * 2048);
        self.audit.render(&page, unknown_members, &mut writer)?;
        Ok(graph_json(StatusCode::OK, writer.finish(), incoming))
    }
}
