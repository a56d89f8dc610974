//! Workload identity federation: a token issued by another identity provider, sent to the
//! identity platform as the client assertion (MICROSOFT.md §5.5).
//!
//! Two sources. Kubernetes (Azure workload identity) projects a service account token into a
//! file named by `AZURE_FEDERATED_TOKEN_FILE` and rotates it, so the file is read again at every
//! token renewal, never cached. GitHub Actions hands out an OIDC token on request: a GET to
//! `ACTIONS_ID_TOKEN_REQUEST_URL` with `audience=api://AzureADTokenExchange` and
//! `ACTIONS_ID_TOKEN_REQUEST_TOKEN` as the bearer, answered `{"value": "<JWT>"}`; a fresh one is
//! fetched at every renewal too. Either token is a credential for its short life and is handled
//! as a [`Secret`].

use super::endpoint::check_transport;
use super::error::{CredentialError, GraphError};
use super::secret::Secret;
use super::token_request::IdentityRequest;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::Deserialize;
use std::path::PathBuf;
use url::Url;

/// The audience the identity platform expects in a federated token.
pub const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";
/// GitHub Actions' OIDC issuer.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// Where the federated token comes from.
#[derive(Debug)]
pub enum FederatedAssertion {
    /// A file holding the token, re-read at every renewal. `named_by` is the setting that
    /// named it (`--federated-token-file` or `AZURE_FEDERATED_TOKEN_FILE`), for messages.
    File {
        path: PathBuf,
        named_by: &'static str,
    },
    /// GitHub Actions' OIDC token endpoint.
    GitHubActions {
        request_url: Url,
        request_token: Secret,
        /// `Bearer {request_token}`, ready to send (marked sensitive, so it is never logged).
        authorization: HeaderValue,
    },
}

#[derive(Deserialize)]
struct GitHubTokenResponse {
    value: Option<String>,
}

impl FederatedAssertion {
    /// A token file.
    pub fn file(path: PathBuf, named_by: &'static str) -> FederatedAssertion {
        FederatedAssertion::File { path, named_by }
    }

    /// GitHub Actions' endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL`, which must be HTTPS or
    /// loopback) and its request token (`ACTIONS_ID_TOKEN_REQUEST_TOKEN`).
    pub fn github_actions(
        request_url: &str,
        request_token: Secret,
    ) -> Result<FederatedAssertion, GraphError> {
        let url = Url::parse(request_url.trim()).map_err(|error| GraphError::InvalidEndpoint {
            what: "ACTIONS_ID_TOKEN_REQUEST_URL",
            url: request_url.to_string(),
            problem: error.to_string(),
        })?;
        check_transport(&url, "ACTIONS_ID_TOKEN_REQUEST_URL")?;
        let mut authorization =
            HeaderValue::from_str(&format!("Bearer {}", request_token.expose())).map_err(|_| {
                CredentialError::Unusable {
                    what: "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                    problem: "it holds characters an HTTP header cannot carry".to_string(),
                }
            })?;
        authorization.set_sensitive(true);
        Ok(FederatedAssertion::GitHubActions {
            request_url: url,
            request_token,
            authorization,
        })
    }

    /// The secret needed to get the token (GitHub's request token), for scrubbing.
    pub fn secret(&self) -> Option<&Secret> {
        match self {
            FederatedAssertion::File { .. } => None,
            FederatedAssertion::GitHubActions { request_token, .. } => Some(request_token),
        }
    }

    /// The hint that ends a refusal of the exchanged token.
    pub fn refusal_hint(&self) -> String {
        match self {
            FederatedAssertion::File { path, named_by } => format!(
                "check --tenant and --client-id, and that the app registration has a federated credential whose issuer and subject match the token in {} ({named_by}) with audience {TOKEN_EXCHANGE_AUDIENCE}",
                path.display()
            ),
            FederatedAssertion::GitHubActions { .. } => format!(
                "check --tenant and --client-id, and that the app registration has a federated credential for issuer {GITHUB_ISSUER} whose subject matches this workflow run (repo:OWNER/REPO:environment:NAME or :ref:refs/heads/BRANCH) with audience {TOKEN_EXCHANGE_AUDIENCE}"
            ),
        }
    }

    /// The current token: the file's content, or a fresh token from GitHub.
    pub async fn fetch(&self, request: &IdentityRequest<'_>) -> Result<Secret, GraphError> {
        match self {
            FederatedAssertion::File { path, named_by } => {
                let text = tokio::fs::read_to_string(path).await.map_err(|source| {
                    CredentialError::Unreadable {
                        what: named_by,
                        path: path.clone(),
                        source,
                    }
                })?;
                let token = Secret::new(text);
                if token.is_empty() {
                    return Err(CredentialError::Invalid {
                        what: named_by,
                        path: path.clone(),
                        problem: "the file is empty".to_string(),
                        hint: Some("\nhint: it holds the token the platform projects (Kubernetes: the azure-identity-token volume)"),
                    }
                    .into());
                }
                Ok(token)
            }
            FederatedAssertion::GitHubActions {
                request_url,
                authorization,
                ..
            } => {
                let mut url = request_url.clone();
                url.query_pairs_mut()
                    .append_pair("audience", TOKEN_EXCHANGE_AUDIENCE);
                let hint = "check that the workflow job has `permissions: id-token: write` (GitHub sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN only then)";
                let body = request
                    .send("GET", &url, &[], hint, || {
                        Ok(request
                            .http
                            .get(url.clone())
                            .header(AUTHORIZATION, authorization.clone()))
                    })
                    .await?;
                let target = super::endpoint::display_target(&url);
                let parsed: GitHubTokenResponse =
                    serde_json::from_slice(&body).map_err(|error| GraphError::Decode {
                        method: "GET".to_string(),
                        target: target.clone(),
                        problem: format!("{error} (an OIDC token {{\"value\": …}} was expected)"),
                    })?;
                parsed
                    .value
                    .map(Secret::new)
                    .filter(|token| !token.is_empty())
                    .ok_or(GraphError::Decode {
                        method: "GET".to_string(),
                        target,
                        problem: "no \"value\" in the OIDC token response".to_string(),
                    })
            }
        }
    }
}
