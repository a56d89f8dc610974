//! Bearer tokens for Graph: OAuth2 client credentials, or a ready token.
//!
//! With client credentials, a token is requested from `{authority}/{tenant}/oauth2/v2.0/token`
//! (`grant_type=client_credentials`, `scope={graph}/.default`), cached, and renewed shortly
//! before it expires; the flow has no refresh token, so renewing means asking again. A 401 from
//! Graph invalidates the cached token once (see [`TokenSource::invalidate`]), which covers a
//! token revoked or expired early. A ready token (`SEATWISE_ACCESS_TOKEN`) cannot be renewed.
//! Concurrent requests share one token: the cache is behind an async mutex, so a renewal
//! happens once, not once per waiting request.

use super::endpoint::display_target;
use super::error::{GraphError, OptionalText};
use super::retry::{RETRYABLE_STATUSES, RetryPolicy};
use super::secret::Secret;
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use url::Url;

/// The longest time before expiry at which a token is renewed.
const RENEWAL_MARGIN: Duration = Duration::from_secs(300);
/// How long a token lives when the response does not say.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3599);

/// How seatwise authenticates to Graph.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// An app registration's client id and secret (client credentials grant).
    ClientSecret {
        /// The identity platform, e.g. `https://login.microsoftonline.com` (national clouds
        /// have their own).
        authority: Url,
        /// The tenant id or a verified domain.
        tenant: String,
        client_id: String,
        secret: Secret,
    },
    /// A bearer token obtained elsewhere; used as is, never renewed.
    AccessToken(Secret),
}

/// A token handed to one request, with the cache generation it came from.
#[derive(Debug, Clone)]
pub struct Bearer {
    pub token: Secret,
    pub generation: u64,
}

struct CachedToken {
    token: Secret,
    renew_at: Option<Instant>,
    generation: u64,
}

/// Issues bearer tokens and renews them.
pub struct TokenSource {
    credentials: Credentials,
    scope: String,
    cache: Mutex<Option<CachedToken>>,
    /// Tokens issued so far, kept only to scrub them from remote text.
    issued: std::sync::Mutex<Vec<Secret>>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct TokenErrorResponse {
    error: Option<String>,
    error_description: Option<String>,
}

impl TokenSource {
    /// `graph` is the Graph base URL; the token is requested for `{graph}/.default`.
    pub fn new(credentials: Credentials, graph: &Url) -> TokenSource {
        let scope = format!("{}/.default", graph.as_str().trim_end_matches('/'));
        let issued = match &credentials {
            Credentials::AccessToken(token) => vec![token.clone()],
            Credentials::ClientSecret { .. } => Vec::new(),
        };
        TokenSource {
            credentials,
            scope,
            cache: Mutex::new(None),
            issued: std::sync::Mutex::new(issued),
        }
    }

    /// Whether tokens can be renewed (client credentials) or not (a ready token).
    pub fn can_renew(&self) -> bool {
        matches!(self.credentials, Credentials::ClientSecret { .. })
    }

    /// A valid token: the cached one, or a new one when it is missing or about to expire.
    pub async fn bearer(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
        retry: &RetryPolicy,
    ) -> Result<Bearer, GraphError> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref() {
            let fresh = cached
                .renew_at
                .is_none_or(|renew_at| Instant::now() < renew_at);
            if fresh {
                return Ok(Bearer {
                    token: cached.token.clone(),
                    generation: cached.generation,
                });
            }
        }
        let generation = cache.as_ref().map_or(1, |cached| cached.generation + 1);
        let (token, renew_at) = match &self.credentials {
            Credentials::AccessToken(token) => (token.clone(), None),
            Credentials::ClientSecret {
                authority,
                tenant,
                client_id,
                secret,
            } => {
                let url = token_url(authority, tenant)?;
                let (token, lifetime) = self
                    .request_token(http, &url, client_id, secret, timeout, retry)
                    .await?;
                let margin = RENEWAL_MARGIN.min(lifetime / 5);
                (
                    token,
                    Some(Instant::now() + lifetime.saturating_sub(margin)),
                )
            }
        };
        if let Ok(mut issued) = self.issued.lock()
            && !issued.contains(&token)
        {
            issued.push(token.clone());
        }
        *cache = Some(CachedToken {
            token: token.clone(),
            renew_at,
            generation,
        });
        Ok(Bearer { token, generation })
    }

    /// Drops the cached token after Graph refused it with 401, unless a newer one already
    /// replaced it. Returns false when the token cannot be renewed (a ready token).
    pub async fn invalidate(&self, generation: u64) -> bool {
        if !self.can_renew() {
            return false;
        }
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_mut()
            && cached.generation == generation
        {
            cached.renew_at = Some(Instant::now());
        }
        true
    }

    /// `text` with the client secret and every token issued so far replaced by `<redacted>`.
    pub fn scrub(&self, text: &str) -> String {
        let mut text = match &self.credentials {
            Credentials::ClientSecret { secret, .. } => secret.scrub(text),
            Credentials::AccessToken(token) => token.scrub(text),
        };
        if let Ok(issued) = self.issued.lock() {
            for token in issued.iter() {
                text = token.scrub(&text);
            }
        }
        text
    }

    async fn request_token(
        &self,
        http: &reqwest::Client,
        url: &Url,
        client_id: &str,
        secret: &Secret,
        timeout: Duration,
        retry: &RetryPolicy,
    ) -> Result<(Secret, Duration), GraphError> {
        let form = [
            ("client_id", client_id),
            ("client_secret", secret.expose()),
            ("grant_type", "client_credentials"),
            ("scope", self.scope.as_str()),
        ];
        let target = display_target(url);
        let mut failures = 0;
        loop {
            let sent = http
                .post(url.clone())
                .timeout(timeout)
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&form)
                .send()
                .await;
            let (wait, problem) = match sent {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|value| value.to_str().ok())
                        .and_then(|value| retry.retry_after(value));
                    match response.bytes().await {
                        Ok(body) if (200..300).contains(&status) => {
                            return self.parse_token(&target, &body);
                        }
                        Ok(body) if !RETRYABLE_STATUSES.contains(&status) && status != 500 => {
                            return Err(self.refused(&target, status, &body));
                        }
                        Ok(body) => (retry_after, Some(self.refused(&target, status, &body))),
                        Err(error) => (None, Some(self.transport(&target, url, &error, 0))),
                    }
                }
                Err(error) => (None, Some(self.transport(&target, url, &error, 0))),
            };
            failures += 1;
            if failures >= retry.max_attempts.max(1) {
                return Err(match problem {
                    Some(GraphError::Transport {
                        method,
                        target,
                        host,
                        problem,
                        ..
                    }) => GraphError::Transport {
                        method,
                        target,
                        host,
                        problem,
                        attempts: failures,
                    },
                    Some(other) => other,
                    None => self.refused(&target, 0, b""),
                });
            }
            tokio::time::sleep(wait.unwrap_or_else(|| retry.backoff(failures))).await;
        }
    }

    fn parse_token(&self, target: &str, body: &[u8]) -> Result<(Secret, Duration), GraphError> {
        let decode = |problem: String| GraphError::Decode {
            method: "POST".to_string(),
            target: target.to_string(),
            problem,
        };
        let parsed: TokenResponse = serde_json::from_slice(body)
            .map_err(|error| decode(format!("{error} (a token response was expected)")))?;
        let token = parsed
            .access_token
            .filter(|token| !token.is_empty())
            .ok_or_else(|| decode("no access_token in the token response".to_string()))?;
        let lifetime = match parsed.expires_in {
            Some(serde_json::Value::Number(number)) => number.as_u64(),
            Some(serde_json::Value::String(text)) => text.trim().parse().ok(),
            _ => None,
        }
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_LIFETIME);
        Ok((Secret::new(token), lifetime))
    }

    fn refused(&self, target: &str, status: u16, body: &[u8]) -> GraphError {
        let parsed: Option<TokenErrorResponse> = serde_json::from_slice(body).ok();
        let (error, description) = match parsed {
            Some(parsed) => (parsed.error, parsed.error_description),
            None => (
                None,
                Some(String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned())
                    .filter(|text| !text.trim().is_empty()),
            ),
        };
        GraphError::TokenRefused {
            target: target.to_string(),
            status,
            error: OptionalText::new(" ", error.map(|text| self.scrub(&text))),
            description: OptionalText::new(
                ": ",
                description.map(|text| self.scrub(text.lines().next().unwrap_or_default())),
            ),
        }
    }

    fn transport(
        &self,
        target: &str,
        url: &Url,
        error: &reqwest::Error,
        attempts: u32,
    ) -> GraphError {
        GraphError::Transport {
            method: "POST".to_string(),
            target: target.to_string(),
            host: url.host_str().unwrap_or_default().to_string(),
            problem: self.scrub(&describe_transport_error(error)),
            attempts,
        }
    }
}

/// `{authority}/{tenant}/oauth2/v2.0/token`, with the tenant as one path segment.
fn token_url(authority: &Url, tenant: &str) -> Result<Url, GraphError> {
    let mut url = authority.clone();
    url.path_segments_mut()
        .map_err(|()| GraphError::InvalidEndpoint {
            what: "--authority",
            url: authority.to_string(),
            problem: "it cannot have a path".to_string(),
        })?
        .pop_if_empty()
        .extend([tenant, "oauth2", "v2.0", "token"]);
    Ok(url)
}

/// A transport failure in words, without the URL (messages name the target themselves).
pub fn describe_transport_error(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the connection broke while reading the response"
    } else {
        "the request failed"
    };
    let mut innermost = None;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(current) = cause {
        innermost = Some(current.to_string());
        cause = current.source();
    }
    match innermost {
        Some(detail) if !detail.is_empty() => format!("{kind} ({detail})"),
        _ => kind.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_url_puts_the_tenant_in_one_segment() {
        let authority =
            Url::parse("https://login.microsoftonline.com").unwrap_or_else(|e| panic!("{e}"));
        let url =
            token_url(&authority, "contoso.onmicrosoft.com").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            url.as_str(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        let odd = token_url(&authority, "a/b?c").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(odd.path(), "/a%2Fb%3Fc/oauth2/v2.0/token");
    }

    #[test]
    fn debug_of_credentials_hides_the_secret() {
        let credentials = Credentials::ClientSecret {
            authority: Url::parse("https://login.microsoftonline.com")
                .unwrap_or_else(|e| panic!("{e}")),
            tenant: "t".to_string(),
            client_id: "c".to_string(),
            secret: Secret::new("hunter2-secret"),
        };
        assert!(!format!("{credentials:?}").contains("hunter2"));
    }
}
