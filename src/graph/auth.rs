//! Bearer tokens for Graph: app-only sign-in by client secret, certificate, managed identity or
//! workload identity federation, or a ready token.
//!
//! Every method but the ready token asks for a token when none is cached or the cached one is
//! about to expire; none has a refresh token, so renewing means asking again, and a 401 from
//! Graph invalidates the cached token once (see [`TokenSource::invalidate`]), which covers a
//! token revoked or expired early. An app registration (secret, certificate, federated token)
//! posts `grant_type=client_credentials` with `scope={graph}/.default` to
//! `{authority}/{tenant}/oauth2/v2.0/token`, proving itself with the secret or with a client
//! assertion: a JWT signed with the certificate ([`super::assertion`]), built anew for every
//! request, or the federated token ([`super::federated`]), read or fetched anew at every
//! renewal. A managed identity asks its Azure endpoint instead ([`super::managed_identity`]).
//! A ready token (`SEATWISE_ACCESS_TOKEN`) cannot be renewed. Concurrent requests share one
//! token: the cache is behind an async mutex, so a renewal happens once, not once per waiting
//! request. Every secret, assertion and token this source has seen is scrubbed from remote text.

use super::assertion::{ASSERTION_TYPE, client_assertion};
use super::certificate::ClientCertificate;
use super::endpoint::display_target;
use super::error::GraphError;
use super::federated::FederatedAssertion;
use super::managed_identity::ManagedIdentity;
use super::retry::RetryPolicy;
use super::secret::Secret;
use super::token_request::{DEFAULT_LIFETIME, IdentityRequest, parse_token};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::Mutex;
use url::Url;

/// The longest time before expiry at which a token is renewed.
const RENEWAL_MARGIN: Duration = Duration::from_secs(300);

/// An app registration in a tenant: who signs in with a secret, a certificate or a federated
/// token.
#[derive(Debug, Clone)]
pub struct AppRegistration {
    /// The identity platform, e.g. `https://login.microsoftonline.com` (national clouds have
    /// their own).
    pub authority: Url,
    /// The tenant id or a verified domain.
    pub tenant: String,
    pub client_id: String,
}

impl AppRegistration {
    /// `{authority}/{tenant}/oauth2/v2.0/token`, with the tenant as one path segment.
    pub fn token_url(&self) -> Result<Url, GraphError> {
        token_url(&self.authority, &self.tenant)
    }
}

/// How seatwise authenticates to Graph.
#[derive(Debug)]
pub enum Credentials {
    /// An app registration's client secret.
    ClientSecret {
        app: AppRegistration,
        secret: Secret,
    },
    /// An app registration's certificate: a signed client assertion instead of a secret.
    Certificate {
        app: AppRegistration,
        certificate: Box<ClientCertificate>,
    },
    /// Workload identity federation: another provider's token as the client assertion.
    Federated {
        app: AppRegistration,
        assertion: FederatedAssertion,
    },
    /// The Azure resource's managed identity.
    ManagedIdentity(ManagedIdentity),
    /// A bearer token obtained elsewhere; used as is, never renewed.
    AccessToken(Secret),
}

impl Credentials {
    /// The sign-in method in words, for messages.
    pub fn method(&self) -> &'static str {
        match self {
            Credentials::ClientSecret { .. } => "client secret",
            Credentials::Certificate { .. } => "certificate",
            Credentials::Federated {
                assertion: FederatedAssertion::File { .. },
                ..
            } => "federated token file",
            Credentials::Federated {
                assertion: FederatedAssertion::GitHubActions { .. },
                ..
            } => "GitHub Actions OIDC token",
            Credentials::ManagedIdentity(_) => "managed identity",
            Credentials::AccessToken(_) => "ready access token",
        }
    }

    /// The app registration, for the methods that have one.
    pub fn app(&self) -> Option<&AppRegistration> {
        match self {
            Credentials::ClientSecret { app, .. }
            | Credentials::Certificate { app, .. }
            | Credentials::Federated { app, .. } => Some(app),
            Credentials::ManagedIdentity(_) | Credentials::AccessToken(_) => None,
        }
    }

    /// Whether tokens can be renewed (every method but a ready token).
    pub fn can_renew(&self) -> bool {
        !matches!(self, Credentials::AccessToken(_))
    }

    /// The secrets the credentials hold (not the certificate's key, which never leaves it).
    fn secrets(&self) -> Vec<Secret> {
        let secret = match self {
            Credentials::ClientSecret { secret, .. } => Some(secret),
            Credentials::AccessToken(token) => Some(token),
            Credentials::Federated { assertion, .. } => assertion.secret(),
            Credentials::ManagedIdentity(identity) => identity.secret(),
            Credentials::Certificate { .. } => None,
        };
        secret.into_iter().cloned().collect()
    }

    /// What to check when the token request is refused.
    fn refusal_hint(&self) -> String {
        match self {
            Credentials::ClientSecret { .. } => "check --tenant, --client-id and the client secret (SEATWISE_CLIENT_SECRET or --client-secret-file), and that the secret has not expired".to_string(),
            Credentials::Certificate { certificate, .. } => format!(
                "check --tenant and --client-id, and that {} is uploaded to the app registration (Certificates & secrets; x5t#S256 thumbprint {})",
                certificate.describe(),
                certificate.thumbprint_sha256()
            ),
            Credentials::Federated { assertion, .. } => assertion.refusal_hint(),
            Credentials::ManagedIdentity(identity) => identity.refusal_hint(),
            Credentials::AccessToken(_) => "get a fresh token".to_string(),
        }
    }
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
    /// `{graph}/.default`, for the token endpoint.
    scope: String,
    /// `{graph}`, for managed identity endpoints.
    resource: String,
    cache: Mutex<Option<CachedToken>>,
    /// Every secret, assertion and token seen so far, kept only to scrub them from remote text.
    known: std::sync::Mutex<Vec<Secret>>,
}

impl TokenSource {
    /// `graph` is the Graph base URL; the token is requested for `{graph}/.default`.
    pub fn new(credentials: Credentials, graph: &Url) -> TokenSource {
        let resource = graph.as_str().trim_end_matches('/').to_string();
        TokenSource {
            scope: format!("{resource}/.default"),
            resource,
            known: std::sync::Mutex::new(credentials.secrets()),
            credentials,
            cache: Mutex::new(None),
        }
    }

    /// Whether tokens can be renewed (every method but a ready token).
    pub fn can_renew(&self) -> bool {
        self.credentials.can_renew()
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
            _ => {
                let (token, lifetime) = self.acquire(http, timeout, retry).await?;
                let margin = RENEWAL_MARGIN.min(lifetime / 5);
                (
                    token,
                    Some(Instant::now() + lifetime.saturating_sub(margin)),
                )
            }
        };
        self.remember(&token);
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

    /// `text` with every secret, assertion and token seen so far replaced by `<redacted>`.
    pub fn scrub(&self, text: &str) -> String {
        let mut text = text.to_string();
        if let Ok(known) = self.known.lock() {
            for secret in known.iter() {
                text = secret.scrub(&text);
            }
        }
        text
    }

    fn remember(&self, secret: &Secret) {
        if let Ok(mut known) = self.known.lock()
            && !known.contains(secret)
        {
            known.push(secret.clone());
        }
    }

    /// A new token and its lifetime, by the credentials' method.
    async fn acquire(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
        retry: &RetryPolicy,
    ) -> Result<(Secret, Duration), GraphError> {
        let scrub = |text: &str| self.scrub(text);
        let request = IdentityRequest {
            http,
            timeout,
            retry,
            scrub: &scrub,
        };
        let hint = self.credentials.refusal_hint();
        match &self.credentials {
            Credentials::ClientSecret { app, secret } => {
                self.exchange(&request, app, &hint, |_| {
                    Ok(vec![("client_secret", secret.expose().to_string())])
                })
                .await
            }
            Credentials::Certificate { app, certificate } => {
                self.exchange(&request, app, &hint, |token_url| {
                    let assertion = client_assertion(
                        certificate,
                        &app.client_id,
                        token_url,
                        SystemTime::now(),
                    )?;
                    self.remember(&assertion);
                    Ok(vec![
                        ("client_assertion_type", ASSERTION_TYPE.to_string()),
                        ("client_assertion", assertion.expose().to_string()),
                    ])
                })
                .await
            }
            Credentials::Federated { app, assertion } => {
                let token = assertion.fetch(&request).await?;
                self.remember(&token);
                self.exchange(&request, app, &hint, |_| {
                    Ok(vec![
                        ("client_assertion_type", ASSERTION_TYPE.to_string()),
                        ("client_assertion", token.expose().to_string()),
                    ])
                })
                .await
            }
            Credentials::ManagedIdentity(identity) => {
                let url = identity.token_url(&self.resource);
                let body = request
                    .send("GET", &url, identity.extra_retry_statuses(), &hint, || {
                        Ok(identity.request(http, &url))
                    })
                    .await?;
                parse_token("GET", &display_target(&url), &body, SystemTime::now())
            }
            // Never asked for: `bearer` hands a ready token out as it is.
            Credentials::AccessToken(token) => Ok((token.clone(), DEFAULT_LIFETIME)),
        }
    }

    /// The client credentials grant at `app`'s token endpoint; `proof` gives the form fields
    /// that prove the client (built again for every attempt, so an assertion is never reused).
    async fn exchange<Proof>(
        &self,
        request: &IdentityRequest<'_>,
        app: &AppRegistration,
        hint: &str,
        proof: Proof,
    ) -> Result<(Secret, Duration), GraphError>
    where
        Proof: Fn(&Url) -> Result<Vec<(&'static str, String)>, GraphError>,
    {
        let url = app.token_url()?;
        let body = request
            .send("POST", &url, &[], hint, || {
                let mut form = vec![
                    ("client_id", app.client_id.clone()),
                    ("grant_type", "client_credentials".to_string()),
                    ("scope", self.scope.clone()),
                ];
                form.extend(proof(&url)?);
                Ok(request.http.post(url.clone()).form(&form))
            })
            .await?;
        parse_token("POST", &display_target(&url), &body, SystemTime::now())
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
            app: AppRegistration {
                authority: Url::parse("https://login.microsoftonline.com")
                    .unwrap_or_else(|e| panic!("{e}")),
                tenant: "t".to_string(),
                client_id: "c".to_string(),
            },
            secret: Secret::new("hunter2-secret"),
        };
        assert!(!format!("{credentials:?}").contains("hunter2"));
    }
}
