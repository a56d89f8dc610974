//! A fake Microsoft Graph, with the identity platform's token endpoint, on loopback: test support.
//!
//! Why it exists: `seatwise ingest graph` and `seatwise apply` talk to Graph,
//! and their tests must exercise the real protocol without a tenant: OAuth2 client credentials,
//! bearer tokens that expire, `$select`, `$top` limits, `@odata.nextLink` paging, the licensed
//! groups query that needs `ConsistencyLevel: eventual`, the audit log query lifecycle, Graph's
//! error envelope, throttling with `Retry-After`, slow and dropped responses, and the license
//! writes (`assignLicense` on users and groups, `members/$ref`, `memberOf`, JSON `$batch`) with
//! Graph's rules for seats, usage location, inherited licenses and dynamic groups. Sign-in
//! without a secret is served too: certificate and federated client assertions at the token
//! endpoint, Azure's managed identity endpoints and GitHub's OIDC endpoint (`identity.rs`).
//! [`FakeGraph::start`] serves a snapshot folder (SPEC §2 layout, e.g. from `seatwise generate`)
//! that way, with scripted [`Fault`]s and a log of every request ([`FakeGraph::requests`]) so
//! tests assert on what the client actually sent and which requests changed the tenant.
//!
//! Used by `tests/it` (as `crate::fake_graph`) and by `examples/fake_graph.rs` (the benchmark
//! server); each uses a different part of it, hence the `dead_code` and `unused_imports` allowances.
//!
//! Conventions the client can rely on:
//! - Fault windows count matching requests from 0: `after: a, times: t` lets `a` requests
//!   through and fires on the next `t`. `ExpireTokens { after: a }` kills every token issued so
//!   far when the Graph request with 0-based index `a` arrives.
//! - A dropped connection is logged with status 0.
//! - Writes change the tenant under its lock before the response is produced; the request's log
//!   entry says `applied: true` from that moment (a `$batch` also logs one entry per inner
//!   request, with `batch_request_id` set). `TooManyRequests` and `ServiceUnavailable` answer
//!   before anything is applied; `DropConnection` and `HoldAfterApply` act after.
//! - Record type 256 has no member in Graph v1.0's `auditLogRecordType` enum: records report
//!   `unknownFutureValue` unless the request sends `Prefer: include-unknown-enum-members`, then
//!   `powerPlatformAdministratorActivity` (beta's evolvable member). `auditData` is the export's
//!   AuditData object verbatim with Graph's `@odata.type` annotation added first.

#![allow(dead_code, unused_imports)]

mod audit;
mod auth;
mod batch;
mod errors;
mod faults;
mod identity;
mod ids;
mod jwt;
mod licensing;
mod odata;
mod server;
mod tenant;
mod writes;

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub use identity::{
    APP_SERVICE_PATH, EXCHANGE_AUDIENCE, FederatedCredential, GITHUB_ISSUER, GITHUB_PATH,
    GITHUB_SUBJECT, IMDS_PATH, KUBERNETES_ISSUER, KUBERNETES_SUBJECT, SignInConfig,
};
pub use jwt::Jwt;
pub use licensing::{DIRECT, GroupFingerprint, LicenseAdd, LicenseChanges, TenantFingerprint};
pub use tenant::{Group, Properties, TenantState, User};

use server::{Schema, Shared, lock};

/// How the fake behaves. Build with `FakeGraphConfig { snapshot, ..Default::default() }`.
#[derive(Debug, Clone)]
pub struct FakeGraphConfig {
    /// A snapshot folder (SPEC §2 layout) whose tenant is served.
    pub snapshot: PathBuf,
    /// Accepted client id (default `test-client`).
    pub client_id: String,
    /// Accepted client secret (default `test-secret-value-7f3a`).
    pub client_secret: String,
    /// Accepted tenant; empty (the default) means `snapshot.json`'s `tenantId`, else
    /// `test-tenant`. [`FakeGraph::tenant_id`] tells which.
    pub tenant_id: String,
    /// `expires_in` of issued tokens; Graph refuses a token after it (default 3600 s).
    pub token_lifetime: Duration,
    /// Added before every Graph response (default 0).
    pub latency: Duration,
    /// Cap on `$top` for `/users`, `/groups` and members (default 999); `/users` with
    /// `signInActivity` selected is further capped at 120, as Graph does.
    pub max_page_size: usize,
    /// A `$select` with `signInActivity` gets 403 `Authorization_RequestDenied` (a tenant without
    /// Entra ID P1).
    pub sign_in_activity_forbidden: bool,
    /// `directory/subscriptions` answers 403 (the app lacks Organization.Read.All).
    pub subscriptions_forbidden: bool,
    /// GETs of a created audit query answer `running` this many times before `succeeded`
    /// (default 2).
    pub audit_query_polls_running: u32,
    /// Audit records per page (default 1000).
    pub audit_page_size: usize,
    pub faults: Vec<Fault>,
    /// Sign-in without a secret: the registered certificate, federated credentials, managed
    /// identities and GitHub's OIDC endpoint (defaults: the fixtures in tests/fixtures/auth/).
    pub sign_in: SignInConfig,
}

impl Default for FakeGraphConfig {
    fn default() -> Self {
        Self {
            snapshot: PathBuf::new(),
            client_id: "test-client".to_string(),
            client_secret: "test-secret-value-7f3a".to_string(),
            tenant_id: String::new(),
            token_lifetime: Duration::from_secs(3600),
            latency: Duration::ZERO,
            max_page_size: 999,
            sign_in_activity_forbidden: false,
            subscriptions_forbidden: false,
            audit_query_polls_running: 2,
            audit_page_size: 1000,
            faults: Vec::new(),
            sign_in: SignInConfig::default(),
        }
    }
}

/// A scripted misbehaviour. Windows count requests whose path starts with `path_prefix`, from 0.
/// Requests inside a `$batch` count too, by their resolved path (`/v1.0/users/…`): a throttle
/// or 503 answers that inner request only, a delay or hold delays the whole batch, a drop cuts
/// off the whole batch response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Matching requests `after..after + times` get 429 with `Retry-After: retry_after_secs`.
    TooManyRequests {
        path_prefix: String,
        after: usize,
        times: usize,
        retry_after_secs: u64,
    },
    /// Matching requests `after..after + times` get 503 without `Retry-After` (a burst).
    ServiceUnavailable {
        path_prefix: String,
        after: usize,
        times: usize,
    },
    /// Tokens issued before Graph request number `after` (0-based, the token endpoint not
    /// counted) stop being valid: Graph answers 401 `InvalidAuthenticationToken` until the client
    /// fetches a new token.
    ExpireTokens { after: usize },
    /// Matching requests `after..after + times` are answered only after `delay` (to trigger
    /// client timeouts).
    SlowResponse {
        path_prefix: String,
        after: usize,
        times: usize,
        delay: Duration,
    },
    /// Matching requests `after..after + times` get the headers and half the body, then the
    /// connection closes (logged with status 0); an answer without a body (a 204) is not sent at
    /// all, the connection closes first. The request is handled first: a write is applied (its
    /// log entry says `applied: true`) although the client never hears the answer.
    DropConnection {
        path_prefix: String,
        after: usize,
        times: usize,
    },
    /// Matching requests `after..after + times` are handled (a write is applied) and only then
    /// held for `delay` before the answer is sent: time for a test to kill the client between
    /// the server applying a write and the client hearing about it. (`SlowResponse` delays
    /// before handling, so a write it delays is not applied yet.)
    HoldAfterApply {
        path_prefix: String,
        after: usize,
        times: usize,
        delay: Duration,
    },
}

/// One request as it arrived, with the status it was answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    pub path_and_query: String,
    /// The status sent; 0 when the connection was dropped mid-response.
    pub status: u16,
    /// Whether an `Authorization: Bearer …` header was present (valid or not).
    pub had_bearer: bool,
    /// The body of POST/PATCH/PUT requests, as sent (token requests included, secret and all).
    pub body: Option<String>,
    /// Whether handling the request changed the tenant state; set the moment it changed, so it
    /// is already true while a [`Fault::HoldAfterApply`] holds the answer. A `$batch` is applied
    /// when any of its inner requests was.
    pub applied: bool,
    /// For an entry logged for a request inside a `$batch`: its `id` there (its method and
    /// resolved path, e.g. `/v1.0/users/x/assignLicense`, are in `method` and
    /// `path_and_query`). `None` for requests that arrived over HTTP.
    pub batch_request_id: Option<String>,
}

/// A running fake Graph. Stops on [`FakeGraph::shutdown`] or drop.
pub struct FakeGraph {
    base_url: String,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGraph {
    /// Loads the snapshot, starts on 127.0.0.1 on a free port in a background thread with its own
    /// tokio runtime, and returns once listening. Panics with a message if the snapshot cannot be
    /// loaded.
    pub fn start(config: FakeGraphConfig) -> FakeGraph {
        Self::start_on(config, 0)
    }

    /// As [`FakeGraph::start`], on a given port (0 = any free port).
    pub fn start_on(config: FakeGraphConfig, port: u16) -> FakeGraph {
        let (tenant, info) = tenant::load(&config.snapshot);
        let audit = audit::AuditLog::load(&config.snapshot);
        let tenant_id = if !config.tenant_id.is_empty() {
            config.tenant_id.clone()
        } else {
            info.tenant_id
                .filter(|id| !id.is_empty())
                .unwrap_or_else(|| "test-tenant".to_string())
        };

        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
            .expect("fake graph: bind 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("fake graph: non-blocking listener");
        let address = listener.local_addr().expect("fake graph: local address");
        let base_url = format!("http://{address}");

        let schema = Schema::of(&tenant);
        let faults = faults::FaultBook::new(config.faults.clone());
        let trust = identity::Trust::new(&config.sign_in);
        let shared = Arc::new(Shared {
            config,
            tenant_id,
            base_url: base_url.clone(),
            tenant: Arc::new(Mutex::new(tenant)),
            schema,
            audit,
            queries: Mutex::new(Vec::new()),
            tokens: Mutex::new(auth::TokenBook::default()),
            faults: Mutex::new(faults),
            log: Mutex::new(Vec::new()),
            ids: ids::Ids::new(),
            trust,
            imds_requests: Mutex::new(0),
        });

        let workers = std::thread::available_parallelism()
            .map(|count| count.get().min(4))
            .unwrap_or(2);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("fake-graph")
            .enable_all()
            .build()
            .expect("fake graph: tokio runtime");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = axum::Router::new()
            .fallback(server::handle)
            .with_state(Arc::clone(&shared));
        let thread = std::thread::Builder::new()
            .name("fake-graph".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)
                        .expect("fake graph: tokio listener");
                    tokio::select! {
                        result = std::future::IntoFuture::into_future(axum::serve(listener, app)) => {
                            if let Err(error) = result {
                                eprintln!("fake graph: server stopped: {error}");
                            }
                        }
                        _ = stopped => {}
                    }
                });
                // In-flight handlers (a slow response, say) are cancelled, not awaited.
                runtime.shutdown_timeout(Duration::from_millis(200));
            })
            .expect("fake graph: server thread");

        FakeGraph {
            base_url,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`: Graph under `/v1.0/…` and `/beta/…`, the authority under
    /// `/{tenant}/oauth2/v2.0/token`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The tenant id the token endpoint accepts.
    pub fn tenant_id(&self) -> String {
        self.shared.tenant_id.clone()
    }

    /// A federated token from `issuer` about `subject` for `audience`, valid for `lifetime`:
    /// what Kubernetes projects into `AZURE_FEDERATED_TOKEN_FILE`.
    pub fn federated_token(
        &self,
        issuer: &str,
        subject: &str,
        audience: &str,
        lifetime: Duration,
    ) -> String {
        self.shared
            .trust
            .federated_token(issuer, subject, audience, lifetime, &self.shared.ids)
    }

    /// A federated token from `issuer` that expired an hour ago.
    pub fn expired_federated_token(&self, issuer: &str, subject: &str) -> String {
        self.shared
            .trust
            .expired_federated_token(issuer, subject, &self.shared.ids)
    }

    /// `IDENTITY_ENDPOINT` of the App Service style managed identity endpoint.
    pub fn app_service_identity_endpoint(&self) -> String {
        format!("{}{APP_SERVICE_PATH}", self.base_url)
    }

    /// `ACTIONS_ID_TOKEN_REQUEST_URL` of the GitHub OIDC endpoint (with its api-version, as
    /// GitHub gives it).
    pub fn github_token_request_url(&self) -> String {
        format!("{}{GITHUB_PATH}?api-version=2.0", self.base_url)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).clone()
    }

    /// The live tenant state: what the server serves now, changed by the write endpoints. Lock it
    /// only briefly (the server waits on the same lock).
    pub fn tenant(&self) -> Arc<Mutex<TenantState>> {
        Arc::clone(&self.shared.tenant)
    }

    /// Stops the server and waits for its thread.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for FakeGraph {
    fn drop(&mut self) {
        self.stop_now();
    }
}
