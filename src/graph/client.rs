//! The Graph HTTP client: authenticated JSON requests with timeouts, retries and paging.
//!
//! Every request carries a bearer token from [`TokenSource`], has its own timeout (connection,
//! headers and body together), and is retried under [`RetryPolicy`]: on 429/502/503/504 after
//! the server's `Retry-After` (else exponential backoff with jitter), on dropped connections
//! and timeouts after backoff, and once after a 401 with a renewed token. At most
//! `max_concurrent_requests` requests are in flight; a request waiting to retry holds no slot.
//! Pages are followed through `@odata.nextLink` verbatim, and only to the Graph host itself,
//! so the token never leaves for another origin. The apply/rollback executor writes license
//! changes through the same client, so writes get the same throttling and retry rules.

use super::auth::{Bearer, Credentials, TokenSource, describe_transport_error};
use super::endpoint::{check_transport, display_target, same_origin};
use super::error::{GraphError, StatusFailure};
use super::retry::{RETRYABLE_STATUSES, RetryPolicy};
use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;
use url::Url;

/// How the client reaches Graph.
#[derive(Debug, Clone)]
pub struct GraphSettings {
    /// The Graph base URL, e.g. `https://graph.microsoft.com` (checked with
    /// [`super::endpoint::parse_base_url`]).
    pub graph: Url,
    /// The timeout of one attempt: connecting, sending, and reading the whole response.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Requests in flight at once (at least 1).
    pub max_concurrent_requests: usize,
}

/// Told about every retry, so a command can show why a pull is slow.
pub trait RetryObserver: Send + Sync {
    fn retrying(&self, method: &str, target: &str, reason: &str, wait: Duration);
}

/// Counters of what the client did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    pub requests: u64,
    pub retries: u64,
    pub token_renewals_after_401: u64,
}

/// The answer to a write: its status, Graph's request id (for the audit trail) and the body.
#[derive(Debug, Clone)]
pub struct WriteReceipt {
    pub status: u16,
    pub request_id: Option<String>,
    pub body: Vec<u8>,
}

/// One page of a Graph collection: the body exactly as received, the next link and the items.
pub struct Page {
    pub body: Vec<u8>,
    pub next_link: Option<String>,
    pub values: Vec<Box<RawValue>>,
}

#[derive(Deserialize)]
struct PageShape {
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
    #[serde(default)]
    value: Option<Vec<Box<RawValue>>>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: Option<ErrorBody>,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: Option<String>,
    message: Option<String>,
    #[serde(rename = "innerError", alias = "innererror")]
    inner_error: Option<InnerError>,
}

#[derive(Deserialize)]
struct InnerError {
    #[serde(rename = "request-id")]
    request_id: Option<String>,
}

/// An authenticated Graph client.
pub struct GraphClient {
    http: reqwest::Client,
    graph: Url,
    tokens: TokenSource,
    timeout: Duration,
    retry: RetryPolicy,
    permits: Semaphore,
    observer: Option<Arc<dyn RetryObserver>>,
    requests: AtomicU64,
    retries: AtomicU64,
    renewals: AtomicU64,
}

/// How one attempt ended.
enum Attempt {
    Success(WriteReceipt),
    Unauthorized(StatusFailure),
    Retryable {
        wait: Option<Duration>,
        reason: String,
        failure: GraphError,
    },
    Fatal(GraphError),
}

impl GraphClient {
    pub fn new(
        settings: GraphSettings,
        credentials: Credentials,
    ) -> Result<GraphClient, GraphError> {
        check_transport(&settings.graph, "--graph")?;
        if let Some(app) = credentials.app() {
            check_transport(&app.authority, "--authority")?;
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.timeout)
            .user_agent(concat!("seatwise/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| GraphError::Transport {
                method: "-".to_string(),
                target: "-".to_string(),
                host: settings.graph.host_str().unwrap_or_default().to_string(),
                problem: format!("cannot set up the HTTP client: {error}"),
                attempts: 0,
            })?;
        Ok(GraphClient {
            http,
            tokens: TokenSource::new(credentials, &settings.graph),
            graph: settings.graph,
            timeout: settings.timeout,
            retry: settings.retry,
            permits: Semaphore::new(settings.max_concurrent_requests.max(1)),
            observer: None,
            requests: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            renewals: AtomicU64::new(0),
        })
    }

    /// Reports retries to `observer`.
    pub fn with_observer(mut self, observer: Arc<dyn RetryObserver>) -> GraphClient {
        self.observer = Some(observer);
        self
    }

    /// The Graph base URL.
    pub fn graph_url(&self) -> &Url {
        &self.graph
    }

    /// How this client retries (callers pace their own re-reads by it).
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    pub fn stats(&self) -> ClientStats {
        ClientStats {
            requests: self.requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            token_renewals_after_401: self.renewals.load(Ordering::Relaxed),
        }
    }

    /// `text` with the client secret and every token seen replaced by `<redacted>`.
    pub fn scrub(&self, text: &str) -> String {
        self.tokens.scrub(text)
    }

    /// The URL of `target`: a path below the Graph base (`/v1.0/users?…`), or an absolute URL
    /// on the Graph host (an `@odata.nextLink`, used verbatim).
    pub fn resolve(&self, target: &str) -> Result<Url, GraphError> {
        let url = if target.starts_with('/') {
            Url::parse(&format!(
                "{}{target}",
                self.graph.as_str().trim_end_matches('/')
            ))
        } else {
            Url::parse(target)
        }
        .map_err(|error| GraphError::Decode {
            method: "GET".to_string(),
            target: target.chars().take(200).collect(),
            problem: format!("not a URL: {error}"),
        })?;
        if !same_origin(&url, &self.graph) {
            return Err(GraphError::ForeignLink {
                target: display_target(&url),
                link_origin: url.origin().ascii_serialization(),
            });
        }
        Ok(url)
    }

    /// Signs in without calling Graph: acquires a token by the configured method, so a
    /// scheduled run can check its credentials (`seatwise monthly --check`) before it pulls.
    pub async fn sign_in(&self) -> Result<(), GraphError> {
        self.tokens
            .bearer(&self.http, self.timeout, &self.retry)
            .await
            .map(|_| ())
    }

    /// GETs one page of a collection.
    pub async fn get_page(
        &self,
        target: &str,
        headers: &[(&str, &str)],
    ) -> Result<Page, GraphError> {
        let url = self.resolve(target)?;
        let body = self.send(Method::GET, &url, headers, None).await?.body;
        let shape: PageShape =
            serde_json::from_slice(&body).map_err(|error| GraphError::Decode {
                method: "GET".to_string(),
                target: display_target(&url),
                problem: format!("{error} (a page {{\"value\":[…]}} was expected)"),
            })?;
        let Some(values) = shape.value else {
            return Err(GraphError::Decode {
                method: "GET".to_string(),
                target: display_target(&url),
                problem: "no \"value\" array (a collection page was expected)".to_string(),
            });
        };
        Ok(Page {
            body,
            next_link: shape.next_link,
            values,
        })
    }

    /// GETs a JSON object.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        target: &str,
        headers: &[(&str, &str)],
    ) -> Result<T, GraphError> {
        let url = self.resolve(target)?;
        let body = self.send(Method::GET, &url, headers, None).await?.body;
        decode(&url, "GET", &body)
    }

    /// POSTs a JSON body and decodes the JSON answer.
    pub async fn post_json<T: DeserializeOwned>(
        &self,
        target: &str,
        body: &serde_json::Value,
    ) -> Result<T, GraphError> {
        let url = self.resolve(target)?;
        let bytes = serde_json::to_vec(body).map_err(|error| GraphError::Decode {
            method: "POST".to_string(),
            target: display_target(&url),
            problem: format!("cannot encode the request body: {error}"),
        })?;
        let answer = self.send(Method::POST, &url, &[], Some(&bytes)).await?.body;
        decode(&url, "POST", &answer)
    }

    /// Sends a write (`POST`, `PATCH` or `DELETE`, with an optional JSON body) and returns the
    /// receipt: the status and request id the audit trail records. Throttling and transient
    /// failures are retried as for reads; a caller that cannot tell whether a failed write
    /// reached Graph re-reads the state it meant to change.
    pub async fn write(
        &self,
        method: Method,
        target: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<WriteReceipt, GraphError> {
        let url = self.resolve(target)?;
        let bytes = match body {
            Some(body) => Some(
                serde_json::to_vec(body).map_err(|error| GraphError::Decode {
                    method: method.to_string(),
                    target: display_target(&url),
                    problem: format!("cannot encode the request body: {error}"),
                })?,
            ),
            None => None,
        };
        self.send(method, &url, &[], bytes.as_deref()).await
    }

    /// Sends one request with retries; returns the first success.
    async fn send(
        &self,
        method: Method,
        url: &Url,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<WriteReceipt, GraphError> {
        let mut failures = 0u32;
        let mut renewed = false;
        loop {
            let (attempt, can_renew) = {
                // The token is taken (and, after a 401, dropped) while holding a slot, so a
                // request never goes out with a token another request has just seen refused.
                let _permit = self.permits.acquire().await;
                let bearer = self
                    .tokens
                    .bearer(&self.http, self.timeout, &self.retry)
                    .await?;
                self.requests.fetch_add(1, Ordering::Relaxed);
                let attempt = self.attempt(&method, url, headers, body, &bearer).await;
                let can_renew = match &attempt {
                    Attempt::Unauthorized(_) if !renewed => {
                        self.tokens.invalidate(bearer.generation).await
                    }
                    _ => false,
                };
                (attempt, can_renew)
            };
            match attempt {
                Attempt::Success(receipt) => return Ok(receipt),
                Attempt::Unauthorized(mut failure) => {
                    if renewed {
                        failure.attempts = failures + 1;
                        return Err(GraphError::Status(Box::new(failure)));
                    }
                    if !can_renew {
                        return Err(GraphError::StaticTokenRefused {
                            method: method.to_string(),
                            target: display_target(url),
                        });
                    }
                    renewed = true;
                    self.renewals.fetch_add(1, Ordering::Relaxed);
                }
                Attempt::Retryable {
                    wait,
                    reason,
                    failure,
                } => {
                    failures += 1;
                    if failures >= self.retry.max_attempts.max(1) {
                        return Err(failure.with_attempts(failures));
                    }
                    let wait = wait.unwrap_or_else(|| self.retry.backoff(failures));
                    self.retries.fetch_add(1, Ordering::Relaxed);
                    if let Some(observer) = &self.observer {
                        observer.retrying(method.as_str(), &display_target(url), &reason, wait);
                    }
                    tokio::time::sleep(wait).await;
                }
                Attempt::Fatal(error) => return Err(error.with_attempts(failures + 1)),
            }
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        bearer: &Bearer,
    ) -> Attempt {
        let target = display_target(url);
        let mut authorization =
            match HeaderValue::from_str(&format!("Bearer {}", bearer.token.expose())) {
                Ok(value) => value,
                Err(_) => {
                    return Attempt::Fatal(GraphError::Decode {
                        method: method.to_string(),
                        target,
                        problem: "the access token holds characters a header cannot carry"
                            .to_string(),
                    });
                }
            };
        authorization.set_sensitive(true);
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .timeout(self.timeout)
            .header(AUTHORIZATION, authorization)
            .header(ACCEPT, "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => return self.transport_failure(method, url, &error),
        };
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        };
        let request_id = header("request-id").or_else(|| header("client-request-id"));
        let retry_after = header(RETRY_AFTER.as_str());
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(error) => return self.transport_failure(method, url, &error),
        };
        if (200..300).contains(&status) {
            return Attempt::Success(WriteReceipt {
                status,
                request_id,
                body: body.to_vec(),
            });
        }
        let failure = self.status_failure(method, &target, status, &body, request_id);
        if status == 401 {
            return Attempt::Unauthorized(failure);
        }
        if RETRYABLE_STATUSES.contains(&status) {
            let wait = retry_after
                .as_deref()
                .and_then(|value| self.retry.retry_after(value));
            let reason = match &retry_after {
                Some(value) => format!("HTTP {status}, Retry-After {value}"),
                None => format!("HTTP {status}"),
            };
            return Attempt::Retryable {
                wait,
                reason,
                failure: GraphError::Status(Box::new(failure)),
            };
        }
        Attempt::Fatal(GraphError::Status(Box::new(failure)))
    }

    fn transport_failure(&self, method: &Method, url: &Url, error: &reqwest::Error) -> Attempt {
        let problem = self.scrub(&describe_transport_error(error));
        Attempt::Retryable {
            wait: None,
            reason: problem.clone(),
            failure: GraphError::Transport {
                method: method.to_string(),
                target: display_target(url),
                host: url.host_str().unwrap_or_default().to_string(),
                problem,
                attempts: 0,
            },
        }
    }

    fn status_failure(
        &self,
        method: &Method,
        target: &str,
        status: u16,
        body: &[u8],
        request_id: Option<String>,
    ) -> StatusFailure {
        let envelope: Option<ErrorBody> = serde_json::from_slice::<ErrorEnvelope>(body)
            .ok()
            .and_then(|envelope| envelope.error);
        let (code, message, inner_request_id) = match envelope {
            Some(error) => (
                error.code,
                error.message,
                error.inner_error.and_then(|inner| inner.request_id),
            ),
            None => {
                let text = String::from_utf8_lossy(&body[..body.len().min(300)])
                    .trim()
                    .to_string();
                (None, Some(text).filter(|text| !text.is_empty()), None)
            }
        };
        StatusFailure {
            method: method.to_string(),
            target: target.to_string(),
            status,
            code: code.map(|code| self.scrub(&code)),
            message: message.map(|message| self.scrub(&message)),
            request_id: request_id.or(inner_request_id),
            attempts: 1,
        }
    }
}

fn decode<T: DeserializeOwned>(url: &Url, method: &str, body: &[u8]) -> Result<T, GraphError> {
    serde_json::from_slice(body).map_err(|error| GraphError::Decode {
        method: method.to_string(),
        target: display_target(url),
        problem: error.to_string(),
    })
}
