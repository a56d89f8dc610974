//! The OAuth2 client-credentials token endpoint and the bearer-token check on Graph calls.
//!
//! Exists so the client's authentication is tested for real: it must post the right form to
//! `/{tenant}/oauth2/v2.0/token`, get the identity platform's exact error shapes when the tenant,
//! client or secret is wrong, send `Authorization: Bearer` on every Graph call, and fetch a new
//! token when one expires (by lifetime, or revoked by [`super::Fault::ExpireTokens`]).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;

use super::errors::{GraphError, OAuthError};
use super::ids::Ids;

/// The Graph resource, as a client-credentials scope.
const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

/// National-cloud Graph resources, also accepted as `<resource>/.default`.
const NATIONAL_GRAPH_RESOURCES: &[&str] = &[
    "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us",
    "https://microsoftgraph.chinacloudapi.cn",
];

/// Every token issued, with when it stops being valid.
#[derive(Debug, Default)]
pub struct TokenBook {
    issued: HashMap<String, IssuedToken>,
}

#[derive(Debug, Clone, Copy)]
struct IssuedToken {
    expires_at: Instant,
    revoked: bool,
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    Missing,
    Unknown,
    Expired,
}

impl TokenProblem {
    /// The 401 Graph sends for this problem (messages as Graph words them).
    pub fn into_error(self) -> GraphError {
        match self {
            TokenProblem::Missing => GraphError::invalid_token("Access token is empty."),
            TokenProblem::Unknown => GraphError::invalid_token(
                "IDX14100: JWT is not well formed, there are no dots (.). The token needs to be in JWS or JWE Compact Serialization Format.",
            ),
            TokenProblem::Expired => {
                GraphError::invalid_token("Lifetime validation failed, the token is expired.")
            }
        }
    }
}

impl TokenBook {
    /// Records a new token valid for `lifetime`.
    pub fn issue(&mut self, token: String, lifetime: Duration) {
        let expires_at = Instant::now() + lifetime;
        self.issued.insert(
            token,
            IssuedToken {
                expires_at,
                revoked: false,
            },
        );
    }

    /// Checks the token of an `Authorization` header value.
    pub fn check(&self, token: Option<&str>) -> Result<(), TokenProblem> {
        let token = match token {
            Some(token) if !token.is_empty() => token,
            _ => return Err(TokenProblem::Missing),
        };
        let issued = self.issued.get(token).ok_or(TokenProblem::Unknown)?;
        if issued.revoked || Instant::now() >= issued.expires_at {
            return Err(TokenProblem::Expired);
        }
        Ok(())
    }

    /// Makes every token issued so far invalid (as if they had expired).
    pub fn revoke_all(&mut self) {
        for issued in self.issued.values_mut() {
            issued.revoked = true;
        }
    }
}

/// What the token endpoint accepts.
#[derive(Debug, Clone)]
pub struct Credentials<'a> {
    pub tenant_id: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub base_url: &'a str,
    pub lifetime: Duration,
}

/// Handles `POST /{tenant}/oauth2/v2.0/token` with a form body. On success returns the token
/// (already recorded in `book`) and the response JSON text.
pub fn token_endpoint(
    tenant_in_path: &str,
    form_body: &[u8],
    content_type: Option<&str>,
    credentials: &Credentials<'_>,
    book: &mut TokenBook,
    ids: &Ids,
) -> Result<String, OAuthError> {
    let is_form = content_type
        .map(|value| {
            value
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
        .unwrap_or(false);
    if !is_form {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        ));
    }
    if !tenant_in_path.eq_ignore_ascii_case(credentials.tenant_id) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant_in_path}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        ));
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(form_body)
        .into_owned()
        .collect();
    let field = |name: &str| form.get(name).map(String::as_str);

    match field("grant_type") {
        None => {
            return Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'grant_type'.",
            ));
        }
        Some("client_credentials") => {}
        Some(other) => {
            return Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                format!("The app requested an unsupported grant type '{other}'."),
            ));
        }
    }
    let client_id = field("client_id").unwrap_or_default();
    if client_id.is_empty() {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        ));
    }
    if client_id != credentials.client_id {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                credentials.tenant_id
            ),
        ));
    }
    let scope = field("scope").unwrap_or_default();
    if scope.is_empty() {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        ));
    }
    if !scope_is_graph_default(scope, credentials.base_url) {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        ));
    }
    match field("client_secret") {
        None | Some("") => {
            return Err(OAuthError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000216,
                "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
            ));
        }
        Some(secret) if secret != credentials.client_secret => {
            return Err(OAuthError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
                    .replace("{client_id}", client_id),
            ));
        }
        Some(_) => {}
    }

    let token = ids.token();
    book.issue(token.clone(), credentials.lifetime);
    let seconds = credentials.lifetime.as_secs();
    let body = json!({
        "token_type": "Bearer",
        "expires_in": seconds,
        "ext_expires_in": seconds,
        "access_token": token,
    });
    Ok(body.to_string())
}

/// True for `https://graph.microsoft.com/.default`, a national cloud's Graph, or this fake's own
/// base URL (a client that derives the scope from its `--graph` setting).
fn scope_is_graph_default(scope: &str, base_url: &str) -> bool {
    scope
        .split(' ')
        .filter(|part| !part.is_empty())
        .all(|part| {
            let Some(resource) = part.strip_suffix("/.default") else {
                return false;
            };
            let resource = resource.trim_end_matches('/');
            part.eq_ignore_ascii_case(GRAPH_SCOPE)
                || NATIONAL_GRAPH_RESOURCES
                    .iter()
                    .any(|known| resource.eq_ignore_ascii_case(known))
                || resource.eq_ignore_ascii_case(base_url.trim_end_matches('/'))
        })
}

/// The bearer token of an `Authorization` header value, if it is one.
pub fn bearer_token(authorization: Option<&str>) -> Option<&str> {
    let value = authorization?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}
