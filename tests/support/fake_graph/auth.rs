//! The OAuth2 client-credentials token endpoint and the bearer-token check on Graph calls.
//!
//! Exists so the client's authentication is tested for real: it must post the right form to
//! `/{tenant}/oauth2/v2.0/token`, get the identity platform's exact error shapes when the tenant,
//! client, secret or client assertion is wrong, send `Authorization: Bearer` on every Graph
//! call, and fetch a new token when one expires (by lifetime, or revoked by
//! [`super::Fault::ExpireTokens`]). A client assertion is verified as the identity platform
//! does: the app's own (certificate) assertion by its `x5t#S256` header against the registered
//! certificate, its PS256 signature with that certificate's key, `aud` = this token endpoint,
//! `iss` = `sub` = the client id and its time range; a federated token by its issuer's
//! signature, its time range and a federated credential matching issuer, subject and audience.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;

use super::errors::{GraphError, OAuthError};
use super::identity::{FederatedCredential, Trust, unix_now};
use super::ids::Ids;
use super::jwt::Jwt;

/// `client_assertion_type` of a JWT client assertion.
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Clock skew the identity platform tolerates on assertion times.
const CLOCK_SKEW_SECONDS: i64 = 300;

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
pub struct Credentials<'a> {
    pub tenant_id: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub base_url: &'a str,
    pub lifetime: Duration,
    /// The registered certificate and the federated token issuers' key.
    pub trust: &'a Trust,
    pub federated: &'a [FederatedCredential],
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
    if let Some(assertion) = field("client_assertion").filter(|value| !value.is_empty()) {
        if field("client_assertion_type") != Some(ASSERTION_TYPE) {
            return Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                90014,
                "The required field 'client_assertion_type' is missing or is not 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
            ));
        }
        let token_url = format!(
            "{}/{tenant_in_path}/oauth2/v2.0/token",
            credentials.base_url.trim_end_matches('/')
        );
        verify_assertion(assertion, client_id, &token_url, credentials)?;
        return Ok(issue(credentials, book, ids));
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
    Ok(issue(credentials, book, ids))
}

/// A new token, recorded in `book`, as the token endpoint's JSON answer.
fn issue(credentials: &Credentials<'_>, book: &mut TokenBook, ids: &Ids) -> String {
    let token = ids.token();
    book.issue(token.clone(), credentials.lifetime);
    let seconds = credentials.lifetime.as_secs();
    let body = json!({
        "token_type": "Bearer",
        "expires_in": seconds,
        "ext_expires_in": seconds,
        "access_token": token,
    });
    body.to_string()
}

/// Checks a client assertion: the app's own (certificate) when `iss` is the client id, else a
/// federated token.
fn verify_assertion(
    assertion: &str,
    client_id: &str,
    token_url: &str,
    credentials: &Credentials<'_>,
) -> Result<(), OAuthError> {
    let jwt = Jwt::parse(assertion).map_err(|problem| {
        OAuthError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            50027,
            format!("JWT token is invalid or malformed: {problem}."),
        )
    })?;
    let issuer = jwt.claim_text("iss").unwrap_or_default();
    if issuer == client_id {
        verify_certificate_assertion(&jwt, client_id, token_url, credentials.trust)
    } else {
        verify_federated_token(&jwt, credentials)
    }
}

fn invalid_client(aadsts: u32, description: String) -> OAuthError {
    OAuthError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        aadsts,
        description,
    )
}

fn verify_certificate_assertion(
    jwt: &Jwt,
    client_id: &str,
    token_url: &str,
    trust: &Trust,
) -> Result<(), OAuthError> {
    let thumbprint = jwt
        .header_text("x5t#S256")
        .or_else(|| jwt.header_text("x5t"))
        .unwrap_or_default();
    if thumbprint != trust.certificate_thumbprint {
        return Err(invalid_client(
            700027,
            format!(
                "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'.]"
            ),
        ));
    }
    if !jwt.verifies_ps256(&trust.certificate_key) {
        return Err(invalid_client(
            700027,
            format!(
                "Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '{thumbprint}']"
            ),
        ));
    }
    if jwt.claim_text("sub") != Some(client_id) {
        return Err(invalid_client(
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter."
                .to_string(),
        ));
    }
    if jwt.claim_text("aud") != Some(token_url) {
        return Err(invalid_client(
            700023,
            format!(
                "Client assertion audience claim does not match Realm issuer. Expected '{token_url}', found '{}'.",
                jwt.claim_text("aud").unwrap_or_default()
            ),
        ));
    }
    if jwt.claim_text("jti").is_none_or(str::is_empty) {
        return Err(invalid_client(
            700024,
            "Client assertion has no 'jti' claim.".to_string(),
        ));
    }
    check_time_range(jwt)
}

fn verify_federated_token(jwt: &Jwt, credentials: &Credentials<'_>) -> Result<(), OAuthError> {
    let issuer = jwt.claim_text("iss").unwrap_or_default();
    let subject = jwt.claim_text("sub").unwrap_or_default();
    let audiences: Vec<&str> = match jwt.claims.get("aud") {
        Some(serde_json::Value::String(one)) => vec![one.as_str()],
        Some(serde_json::Value::Array(many)) => {
            many.iter().filter_map(serde_json::Value::as_str).collect()
        }
        _ => Vec::new(),
    };
    let no_match = || {
        invalid_client(
            70021,
            format!(
                "No matching federated identity record found for presented assertion. Assertion Issuer: '{issuer}'. Assertion Subject: '{subject}'. Assertion Audience: '{}'.",
                audiences.join(",")
            ),
        )
    };
    let known_issuer = credentials
        .federated
        .iter()
        .any(|credential| credential.issuer == issuer);
    if !known_issuer {
        return Err(no_match());
    }
    if !jwt.verifies_ps256(&credentials.trust.issuer_public_key) {
        return Err(invalid_client(
            50013,
            "Assertion failed signature validation.".to_string(),
        ));
    }
    check_time_range(jwt)?;
    let matched = credentials.federated.iter().any(|credential| {
        credential.issuer == issuer
            && credential.subject == subject
            && audiences.contains(&credential.audience.as_str())
    });
    if !matched {
        return Err(no_match());
    }
    Ok(())
}

/// `nbf` ≤ now < `exp`, give or take the tolerated clock skew.
fn check_time_range(jwt: &Jwt) -> Result<(), OAuthError> {
    let now = unix_now();
    let not_before = jwt.claim_seconds("nbf").unwrap_or(i64::MIN);
    let expires = jwt.claim_seconds("exp");
    let valid = match expires {
        Some(expires) => {
            not_before <= now + CLOCK_SKEW_SECONDS && now < expires + CLOCK_SKEW_SECONDS
        }
        None => false,
    };
    if valid {
        return Ok(());
    }
    Err(invalid_client(
        700024,
        format!(
            "Client assertion is not within its valid time range. Current time: {now}, assertion valid from {}, expiry time of assertion {}.",
            jwt.claim_seconds("nbf")
                .map_or("(none)".to_string(), |value| value.to_string()),
            expires.map_or("(none)".to_string(), |value| value.to_string()),
        ),
    ))
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
