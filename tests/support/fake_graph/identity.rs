//! Secretless sign-in on the fake: what the identity platform trusts (the app's registered
//! certificate, its federated credentials), the token issuers federated tokens come from
//! (Kubernetes, GitHub Actions' OIDC endpoint), and Azure's managed identity endpoints (App
//! Service style and the instance metadata service).
//!
//! Exists so every sign-in method is tested against endpoints that check what Azure checks: the
//! App Service endpoint wants `X-IDENTITY-HEADER` and `api-version=2019-08-01`, the metadata
//! service wants `Metadata: true` and `api-version=2018-02-01`, both want `resource` to be Graph
//! and a known identity, and both answer `expires_on` (the metadata service also `expires_in`, as
//! strings, as it does). GitHub's endpoint wants its request token as the bearer and signs a
//! token for the audience asked. All run on the fake's own loopback port, so the access tokens
//! they issue are the ones Graph accepts. The certificate and keys are test-only fixtures
//! (tests/fixtures/auth/).

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::sha2::{Digest, Sha256};
use rsa::{PrivateKey, PublicKey};
use serde_json::{Map, Value, json};
use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::auth::TokenBook;
use super::ids::Ids;
use super::jwt;

/// The issuer of the fake Kubernetes cluster's service account tokens.
pub const KUBERNETES_ISSUER: &str = "https://kubernetes.test.invalid/oidc";
/// The service account the tests' pods run as.
pub const KUBERNETES_SUBJECT: &str = "system:serviceaccount:seatwise:seatwise-audit";
/// GitHub Actions' OIDC issuer.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The workflow the tests pretend to run in.
pub const GITHUB_SUBJECT: &str = "repo:contoso/license-audit:environment:production";
/// The audience a federated token must carry.
pub const EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";
/// Paths served.
pub const APP_SERVICE_PATH: &str = "/msi/token";
pub const IMDS_PATH: &str = "/metadata/identity/oauth2/token";
pub const GITHUB_PATH: &str = "/github/idtoken";

const APP_CERTIFICATE: &str = include_str!("../../fixtures/auth/app.crt");
const ISSUER_KEY: &str = include_str!("../../fixtures/auth/issuer.key");

/// A federated credential on the app registration: tokens from `issuer` about `subject` for
/// `audience` are accepted as its client assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedCredential {
    pub issuer: String,
    pub subject: String,
    pub audience: String,
}

/// What secretless sign-in the fake accepts. The defaults accept the fixtures.
#[derive(Debug, Clone)]
pub struct SignInConfig {
    /// The certificate registered on the app (PEM).
    pub certificate_pem: String,
    pub federated_credentials: Vec<FederatedCredential>,
    /// `IDENTITY_HEADER` of the App Service endpoint.
    pub identity_header: String,
    /// Whether the resource has a system-assigned identity.
    pub system_assigned_identity: bool,
    /// Client ids of the user-assigned identities attached.
    pub user_assigned_client_ids: Vec<String>,
    /// `ACTIONS_ID_TOKEN_REQUEST_TOKEN`.
    pub github_request_token: String,
    /// `sub` of the tokens GitHub's endpoint issues.
    pub github_subject: String,
    /// The metadata service answers 410 (identity being set up) to this many requests first.
    pub imds_gone_first: usize,
    /// GitHub's endpoint answers 200 without the token (a broken proxy, say).
    pub github_omits_value: bool,
}

impl Default for SignInConfig {
    fn default() -> Self {
        Self {
            certificate_pem: APP_CERTIFICATE.to_string(),
            federated_credentials: vec![
                FederatedCredential {
                    issuer: KUBERNETES_ISSUER.to_string(),
                    subject: KUBERNETES_SUBJECT.to_string(),
                    audience: EXCHANGE_AUDIENCE.to_string(),
                },
                FederatedCredential {
                    issuer: GITHUB_ISSUER.to_string(),
                    subject: GITHUB_SUBJECT.to_string(),
                    audience: EXCHANGE_AUDIENCE.to_string(),
                },
            ],
            identity_header: "test-identity-header-5c2e9a".to_string(),
            system_assigned_identity: true,
            user_assigned_client_ids: vec!["test-user-assigned-identity".to_string()],
            github_request_token: "test-github-request-token-81d4f0".to_string(),
            github_subject: GITHUB_SUBJECT.to_string(),
            imds_gone_first: 0,
            github_omits_value: false,
        }
    }
}

/// Keys the fake trusts or signs with, derived once from [`SignInConfig`].
pub struct Trust {
    /// `x5t#S256` of the registered certificate.
    pub certificate_thumbprint: String,
    pub certificate_key: PublicKey,
    /// The key both fake issuers sign federated tokens with.
    issuer_key: PrivateKey,
    pub issuer_public_key: PublicKey,
}

impl Trust {
    pub fn new(config: &SignInConfig) -> Trust {
        let (label, der) =
            x509_cert::der::pem::decode_vec(config.certificate_pem.trim().as_bytes())
                .expect("fake graph: the registered certificate is PEM");
        assert_eq!(
            label, "CERTIFICATE",
            "fake graph: a certificate is registered"
        );
        let certificate =
            Certificate::from_der(&der).expect("fake graph: the registered certificate parses");
        let spki = certificate
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .expect("fake graph: encode the certificate's key");
        let issuer_key =
            PrivateKey::from_pkcs8_pem(ISSUER_KEY).expect("fake graph: the issuer key parses");
        Trust {
            certificate_thumbprint: URL_SAFE_NO_PAD.encode(Sha256::digest(&der)),
            certificate_key: PublicKey::from_public_key_der(&spki)
                .expect("fake graph: the certificate has an RSA key"),
            issuer_public_key: issuer_key.to_public_key(),
            issuer_key,
        }
    }

    /// A token from `issuer` about `subject` for `audience`, valid from now for `lifetime`
    /// (negative offsets make it expired): what Kubernetes projects into the token file.
    pub fn federated_token(
        &self,
        issuer: &str,
        subject: &str,
        audience: &str,
        lifetime: Duration,
        ids: &Ids,
    ) -> String {
        let now = unix_now();
        let claims = json!({
            "iss": issuer,
            "sub": subject,
            "aud": audience,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime.as_secs() as i64,
            "jti": ids.guid(),
        });
        let mut header = Map::new();
        header.insert("kid".to_string(), Value::from("fake-issuer-key"));
        jwt::sign_ps256(header, &claims, &self.issuer_key)
    }

    /// An expired token from `issuer` (an hour past its end).
    pub fn expired_federated_token(&self, issuer: &str, subject: &str, ids: &Ids) -> String {
        let now = unix_now();
        let claims = json!({
            "iss": issuer,
            "sub": subject,
            "aud": EXCHANGE_AUDIENCE,
            "iat": now - 7200,
            "nbf": now - 7200,
            "exp": now - 3600,
            "jti": ids.guid(),
        });
        jwt::sign_ps256(Map::new(), &claims, &self.issuer_key)
    }
}

/// Seconds since the epoch, now.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or_default()
}

/// What a managed identity or GitHub request needs from the server.
pub struct IdentityContext<'a> {
    pub config: &'a SignInConfig,
    pub trust: &'a Trust,
    pub base_url: &'a str,
    pub lifetime: Duration,
    pub ids: &'a Ids,
}

fn query(raw_query: Option<&str>) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn json_response(status: StatusCode, body: Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// Graph as a managed identity `resource`: Graph itself, a national cloud's, or this fake.
fn resource_is_graph(resource: &str, base_url: &str) -> bool {
    let resource = resource.trim_end_matches('/');
    [
        "https://graph.microsoft.com",
        "https://graph.microsoft.us",
        "https://dod-graph.microsoft.us",
        "https://microsoftgraph.chinacloudapi.cn",
        base_url.trim_end_matches('/'),
    ]
    .iter()
    .any(|known| resource.eq_ignore_ascii_case(known))
}

/// Which identity a request asks for, if the resource has it.
fn identity(config: &SignInConfig, client_id: Option<&String>) -> Option<String> {
    match client_id {
        Some(id) => config
            .user_assigned_client_ids
            .iter()
            .find(|known| known.eq_ignore_ascii_case(id))
            .cloned(),
        None => config
            .system_assigned_identity
            .then(|| "system-assigned-identity".to_string()),
    }
}

/// `GET /msi/token` as App Service, Functions and Automation serve it.
pub fn app_service_token(
    context: &IdentityContext<'_>,
    identity_header: Option<&str>,
    raw_query: Option<&str>,
    book: &mut TokenBook,
) -> Response {
    let refuse = |status: StatusCode, message: String| {
        json_response(
            status,
            json!({"statusCode": status.as_u16(), "message": message}),
        )
    };
    if identity_header != Some(context.config.identity_header.as_str()) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "The X-IDENTITY-HEADER is missing or does not match IDENTITY_HEADER.".to_string(),
        );
    }
    let params = query(raw_query);
    if params.get("api-version").map(String::as_str) != Some("2019-08-01") {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "The api-version '{}' could not be found. Supported: 2019-08-01.",
                params
                    .get("api-version")
                    .map(String::as_str)
                    .unwrap_or_default()
            ),
        );
    }
    let resource = params.get("resource").cloned().unwrap_or_default();
    if !resource_is_graph(&resource, context.base_url) {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "AADSTS500011: The resource principal named {resource} was not found in the tenant."
            ),
        );
    }
    let Some(client_id) = identity(context.config, params.get("client_id")) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "No managed identity with that client id is assigned to this resource.".to_string(),
        );
    };
    let token = context.ids.token();
    book.issue(token.clone(), context.lifetime);
    let expires_on = unix_now() + context.lifetime.as_secs() as i64;
    json_response(
        StatusCode::OK,
        json!({
            "access_token": token,
            "expires_on": expires_on.to_string(),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": client_id,
        }),
    )
}

/// `GET /metadata/identity/oauth2/token` as a VM's instance metadata service serves it.
/// `gone` says whether this request is one of the first answered 410.
pub fn imds_token(
    context: &IdentityContext<'_>,
    metadata_header: Option<&str>,
    raw_query: Option<&str>,
    gone: bool,
    book: &mut TokenBook,
) -> Response {
    let refuse = |status: StatusCode, error: &str, description: String| {
        json_response(
            status,
            json!({"error": error, "error_description": description}),
        )
    };
    if !metadata_header.is_some_and(|value| value.eq_ignore_ascii_case("true")) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required metadata header not specified".to_string(),
        );
    }
    if gone {
        return refuse(
            StatusCode::GONE,
            "unavailable",
            "The managed identity is being set up; retry.".to_string(),
        );
    }
    let params = query(raw_query);
    if params.get("api-version").map(String::as_str) != Some("2018-02-01") {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid or unsupported api-version".to_string(),
        );
    }
    let resource = params.get("resource").cloned().unwrap_or_default();
    if !resource_is_graph(&resource, context.base_url) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_resource",
            format!(
                "AADSTS500011: The resource principal named {resource} was not found in the tenant."
            ),
        );
    }
    let Some(client_id) = identity(context.config, params.get("client_id")) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Identity not found".to_string(),
        );
    };
    let token = context.ids.token();
    book.issue(token.clone(), context.lifetime);
    let now = unix_now();
    let seconds = context.lifetime.as_secs().to_string();
    json_response(
        StatusCode::OK,
        json!({
            "access_token": token,
            "client_id": client_id,
            "expires_in": seconds,
            "expires_on": (now + context.lifetime.as_secs() as i64).to_string(),
            "ext_expires_in": seconds,
            "not_before": now.to_string(),
            "resource": resource,
            "token_type": "Bearer",
        }),
    )
}

/// `GET /github/idtoken?audience=…` as GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_URL` serves it.
pub fn github_token(
    context: &IdentityContext<'_>,
    authorization: Option<&str>,
    raw_query: Option<&str>,
) -> Response {
    let bearer = super::auth::bearer_token(authorization);
    if bearer != Some(context.config.github_request_token.as_str()) {
        return json_response(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Bad credentials"}),
        );
    }
    let params = query(raw_query);
    let Some(audience) = params.get("audience") else {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"message": "audience is required"}),
        );
    };
    if context.config.github_omits_value {
        return json_response(StatusCode::OK, json!({"count": 0}));
    }
    let token = context.trust.federated_token(
        GITHUB_ISSUER,
        &context.config.github_subject,
        audience,
        Duration::from_secs(300),
        context.ids,
    );
    json_response(StatusCode::OK, json!({"count": 1, "value": token}))
}
