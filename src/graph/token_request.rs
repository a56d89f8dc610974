//! One request to an identity endpoint: the identity platform's token endpoint, a managed
//! identity endpoint, or GitHub's OIDC token endpoint.
//!
//! They share what matters: the same retries as Graph requests (throttling, 5xx, dropped
//! connections; the instance metadata service adds 404 and 410, which it answers while the
//! identity is being set up), refusals turned into messages that end with a hint for the
//! sign-in method at hand, and no secret in any message: remote text goes through the token
//! source's scrubber first. Token answers carry the lifetime as `expires_in` (seconds from now,
//! the identity platform) or `expires_on` (epoch seconds, managed identity), as a number or a
//! string; both are read.

use super::auth::describe_transport_error;
use super::endpoint::display_target;
use super::error::{GraphError, OptionalText};
use super::retry::{RETRYABLE_STATUSES, RetryPolicy};
use super::secret::Secret;
use serde::Deserialize;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use url::Url;

/// How long a token lives when the answer does not say.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(3599);

/// What every identity request of one token source shares.
pub struct IdentityRequest<'a> {
    pub http: &'a reqwest::Client,
    pub timeout: Duration,
    pub retry: &'a RetryPolicy,
    /// Removes every secret and token known so far from remote text.
    pub scrub: &'a (dyn Fn(&str) -> String + Sync),
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    expires_on: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct ErrorResponse {
    error: Option<serde_json::Value>,
    error_description: Option<String>,
    /// App Service's managed identity endpoint says `message` instead.
    message: Option<String>,
}

impl IdentityRequest<'_> {
    /// Sends the request `build` makes for each attempt and returns the body of the first
    /// success. `method` names the request in messages; `also_retry` adds statuses to Graph's
    /// retryable ones; `hint` ends a refusal.
    pub async fn send<Build>(
        &self,
        method: &'static str,
        url: &Url,
        also_retry: &[u16],
        hint: &str,
        build: Build,
    ) -> Result<Vec<u8>, GraphError>
    where
        Build: Fn() -> Result<reqwest::RequestBuilder, GraphError>,
    {
        let target = display_target(url);
        let mut failures = 0;
        loop {
            let sent = build()?
                .timeout(self.timeout)
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await;
            let (wait, problem) = match sent {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|value| value.to_str().ok())
                        .and_then(|value| self.retry.retry_after(value));
                    let retryable = RETRYABLE_STATUSES.contains(&status)
                        || status == 500
                        || also_retry.contains(&status);
                    match response.bytes().await {
                        Ok(body) if (200..300).contains(&status) => return Ok(body.to_vec()),
                        Ok(body) if !retryable => {
                            return Err(self.refused(&target, status, &body, hint));
                        }
                        Ok(body) => (retry_after, self.refused(&target, status, &body, hint)),
                        Err(error) => (None, self.transport(method, &target, url, &error)),
                    }
                }
                Err(error) => (None, self.transport(method, &target, url, &error)),
            };
            failures += 1;
            if failures >= self.retry.max_attempts.max(1) {
                return Err(problem.with_attempts(failures));
            }
            tokio::time::sleep(wait.unwrap_or_else(|| self.retry.backoff(failures))).await;
        }
    }

    fn refused(&self, target: &str, status: u16, body: &[u8], hint: &str) -> GraphError {
        let parsed: Option<ErrorResponse> = serde_json::from_slice(body).ok();
        let (error, description) = match parsed {
            Some(parsed) => (
                parsed.error.map(|error| match error {
                    serde_json::Value::String(text) => text,
                    other => other.to_string(),
                }),
                parsed.error_description.or(parsed.message),
            ),
            None => (
                None,
                Some(String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned())
                    .filter(|text| !text.trim().is_empty()),
            ),
        };
        let said = format!(
            "{}{}",
            OptionalText::new(" ", error.map(|text| (self.scrub)(&text))),
            OptionalText::new(
                ": ",
                description.map(|text| (self.scrub)(text.lines().next().unwrap_or_default())),
            )
        );
        GraphError::TokenRefused {
            target: target.to_string(),
            status,
            said,
            hint: hint.to_string(),
        }
    }

    fn transport(
        &self,
        method: &str,
        target: &str,
        url: &Url,
        error: &reqwest::Error,
    ) -> GraphError {
        GraphError::Transport {
            method: method.to_string(),
            target: target.to_string(),
            host: url.host_str().unwrap_or_default().to_string(),
            problem: (self.scrub)(&describe_transport_error(error)),
            attempts: 0,
        }
    }
}

/// The token and its lifetime from a token answer `body` received at `now`.
pub fn parse_token(
    method: &str,
    target: &str,
    body: &[u8],
    now: SystemTime,
) -> Result<(Secret, Duration), GraphError> {
    let decode = |problem: String| GraphError::Decode {
        method: method.to_string(),
        target: target.to_string(),
        problem,
    };
    let parsed: TokenResponse = serde_json::from_slice(body)
        .map_err(|error| decode(format!("{error} (a token response was expected)")))?;
    let token = parsed
        .access_token
        .filter(|token| !token.is_empty())
        .ok_or_else(|| decode("no access_token in the token response".to_string()))?;
    let lifetime = match (
        parsed.expires_in.as_ref().and_then(seconds),
        parsed.expires_on.as_ref().and_then(seconds),
    ) {
        (Some(expires_in), _) => Duration::from_secs(expires_in),
        (None, Some(expires_on)) => {
            let now = now
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_secs());
            Duration::from_secs(expires_on.saturating_sub(now))
        }
        (None, None) => DEFAULT_LIFETIME,
    };
    Ok((Secret::new(token), lifetime))
}

/// Whole seconds from a JSON number or a string of digits.
fn seconds(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(number) => number.as_u64(),
        serde_json::Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifetime(body: &str, now: u64) -> Duration {
        parse_token(
            "GET",
            "/token",
            body.as_bytes(),
            UNIX_EPOCH + Duration::from_secs(now),
        )
        .map(|(_, lifetime)| lifetime)
        .unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn lifetimes_come_from_expires_in_or_expires_on_numbers_or_strings() {
        assert_eq!(
            lifetime(r#"{"access_token":"t","expires_in":3599}"#, 0),
            Duration::from_secs(3599)
        );
        assert_eq!(
            lifetime(r#"{"access_token":"t","expires_in":"86399"}"#, 0),
            Duration::from_secs(86399)
        );
        assert_eq!(
            lifetime(r#"{"access_token":"t","expires_on":"1000600"}"#, 1_000_000),
            Duration::from_secs(600)
        );
        assert_eq!(
            lifetime(r#"{"access_token":"t","expires_on":1000060}"#, 1_000_000),
            Duration::from_secs(60)
        );
        // expires_in wins when both are given (IMDS sends both).
        assert_eq!(
            lifetime(
                r#"{"access_token":"t","expires_in":"100","expires_on":"5000000"}"#,
                1_000_000
            ),
            Duration::from_secs(100)
        );
        // Already past: renewed at once rather than trusted.
        assert_eq!(
            lifetime(r#"{"access_token":"t","expires_on":"10"}"#, 1_000_000),
            Duration::ZERO
        );
        assert_eq!(
            lifetime(r#"{"access_token":"t","expires_on":"soon"}"#, 0),
            DEFAULT_LIFETIME
        );
    }

    #[test]
    fn a_token_answer_without_a_token_is_a_decode_error() {
        for body in [r#"{"expires_in":1}"#, r#"{"access_token":""}"#, "not json"] {
            assert!(
                matches!(
                    parse_token("POST", "/t", body.as_bytes(), UNIX_EPOCH),
                    Err(GraphError::Decode { .. })
                ),
                "{body}"
            );
        }
    }
}
