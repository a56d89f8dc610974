//! Azure managed identity: a token for Graph from the Azure resource seatwise runs on, with no
//! credential to keep at all.
//!
//! Two endpoints (MICROSOFT.md §5.5): App Service, Functions and Automation publish theirs in
//! `IDENTITY_ENDPOINT`, called with `X-IDENTITY-HEADER: $IDENTITY_HEADER` and
//! `api-version=2019-08-01`; virtual machines use the instance metadata service at
//! `http://169.254.169.254/metadata/identity/oauth2/token` with `Metadata: true` and
//! `api-version=2018-02-01`. Both take `resource` (the Graph base URL, no `/.default`) and, for
//! a user-assigned identity, its `client_id`, and answer with `expires_on` rather than
//! `expires_in` (see [`super::token_request`]). The metadata service is plain HTTP by design,
//! the one exception [`super::endpoint::check_identity_endpoint`] makes; tests point it at a
//! loopback fake with [`ManagedIdentity::virtual_machine_at`].

use super::endpoint::{check_identity_endpoint, is_loopback};
use super::error::{CredentialError, GraphError};
use super::secret::Secret;
use reqwest::header::HeaderValue;
use url::Url;

/// The instance metadata service's token endpoint.
pub const IMDS_TOKEN_URL: &str = "http://169.254.169.254/metadata/identity/oauth2/token";
/// Its path, below a test's stand-in base URL.
pub const IMDS_TOKEN_PATH: &str = "/metadata/identity/oauth2/token";
pub const IMDS_API_VERSION: &str = "2018-02-01";
pub const APP_SERVICE_API_VERSION: &str = "2019-08-01";
/// Statuses the metadata service answers while an identity is being set up or the service is
/// updating; Azure's SDKs retry them, and so does seatwise.
pub const IMDS_RETRY_STATUSES: [u16; 2] = [404, 410];

/// A managed identity: where to ask for its tokens, and which identity.
#[derive(Debug)]
pub struct ManagedIdentity {
    endpoint: Endpoint,
    /// A user-assigned identity's client id; `None` for the system-assigned identity.
    client_id: Option<String>,
}

#[derive(Debug)]
enum Endpoint {
    AppService {
        url: Url,
        header: Secret,
        /// The same, ready to send (marked sensitive, so it is never logged).
        header_value: HeaderValue,
    },
    InstanceMetadata {
        url: Url,
    },
}

impl ManagedIdentity {
    /// The App Service / Functions / Automation endpoint: `IDENTITY_ENDPOINT` and
    /// `IDENTITY_HEADER`. The endpoint must be HTTPS or loopback.
    pub fn app_service(
        endpoint: &str,
        header: Secret,
        client_id: Option<String>,
    ) -> Result<ManagedIdentity, GraphError> {
        let url = Url::parse(endpoint.trim()).map_err(|error| GraphError::InvalidEndpoint {
            what: "IDENTITY_ENDPOINT",
            url: endpoint.to_string(),
            problem: error.to_string(),
        })?;
        check_identity_endpoint(&url, "IDENTITY_ENDPOINT")?;
        let mut header_value =
            HeaderValue::from_str(header.expose()).map_err(|_| CredentialError::Unusable {
                what: "IDENTITY_HEADER",
                problem: "it holds characters an HTTP header cannot carry".to_string(),
            })?;
        header_value.set_sensitive(true);
        Ok(ManagedIdentity {
            endpoint: Endpoint::AppService {
                url,
                header,
                header_value,
            },
            client_id,
        })
    }

    /// A virtual machine's identity, through the instance metadata service.
    pub fn virtual_machine(client_id: Option<String>) -> ManagedIdentity {
        let url = match Url::parse(IMDS_TOKEN_URL) {
            Ok(url) => url,
            Err(_) => unreachable!("IMDS_TOKEN_URL is a valid URL"),
        };
        ManagedIdentity {
            endpoint: Endpoint::InstanceMetadata { url },
            client_id,
        }
    }

    /// As [`ManagedIdentity::virtual_machine`], with the metadata service at `base` (a test's
    /// stand-in, named by `what` in messages). Only a loopback base is accepted, so the setting
    /// cannot send the request anywhere else.
    pub fn virtual_machine_at(
        base: &str,
        what: &'static str,
        client_id: Option<String>,
    ) -> Result<ManagedIdentity, GraphError> {
        let base_url = super::endpoint::parse_base_url(base, what)?;
        if !is_loopback(&base_url) {
            return Err(GraphError::InvalidEndpoint {
                what,
                url: base.to_string(),
                problem: "it stands in for the metadata service in tests and must be a loopback address (127.0.0.1, ::1 or localhost)".to_string(),
            });
        }
        let url = Url::parse(&format!(
            "{}{IMDS_TOKEN_PATH}",
            base_url.as_str().trim_end_matches('/')
        ))
        .map_err(|error| GraphError::InvalidEndpoint {
            what,
            url: base.to_string(),
            problem: error.to_string(),
        })?;
        Ok(ManagedIdentity {
            endpoint: Endpoint::InstanceMetadata { url },
            client_id,
        })
    }

    /// The user-assigned identity's client id, if one was named.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// Which endpoint, in words.
    pub fn describe(&self) -> &'static str {
        match self.endpoint {
            Endpoint::AppService { .. } => "the App Service managed identity endpoint",
            Endpoint::InstanceMetadata { .. } => "the instance metadata service",
        }
    }

    /// The secret the endpoint requires (App Service's identity header), for scrubbing.
    pub fn secret(&self) -> Option<&Secret> {
        match &self.endpoint {
            Endpoint::AppService { header, .. } => Some(header),
            Endpoint::InstanceMetadata { .. } => None,
        }
    }

    /// Statuses retried beyond Graph's.
    pub fn extra_retry_statuses(&self) -> &'static [u16] {
        match self.endpoint {
            Endpoint::AppService { .. } => &[],
            Endpoint::InstanceMetadata { .. } => &IMDS_RETRY_STATUSES,
        }
    }

    /// The token URL for `resource`, with its query.
    pub fn token_url(&self, resource: &str) -> Url {
        let (mut url, api_version) = match &self.endpoint {
            Endpoint::AppService { url, .. } => (url.clone(), APP_SERVICE_API_VERSION),
            Endpoint::InstanceMetadata { url } => (url.clone(), IMDS_API_VERSION),
        };
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("api-version", api_version)
                .append_pair("resource", resource);
            if let Some(client_id) = &self.client_id {
                query.append_pair("client_id", client_id);
            }
        }
        url
    }

    /// The GET request for a token for `resource`.
    pub fn request(&self, http: &reqwest::Client, url: &Url) -> reqwest::RequestBuilder {
        match &self.endpoint {
            Endpoint::AppService { header_value, .. } => http
                .get(url.clone())
                .header("X-IDENTITY-HEADER", header_value.clone()),
            Endpoint::InstanceMetadata { .. } => http.get(url.clone()).header("Metadata", "true"),
        }
    }

    /// The hint that ends a refusal.
    pub fn refusal_hint(&self) -> String {
        let which = match &self.client_id {
            Some(client_id) => format!(
                "the user-assigned identity {client_id} (--client-id) is attached to this Azure resource"
            ),
            None => "this Azure resource has a system-assigned managed identity turned on (or pass a user-assigned identity's client id with --client-id)".to_string(),
        };
        format!(
            "check that {which}, and that the identity has been granted Graph's application permissions (see the README section \"Signing in\")"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_urls_carry_api_version_resource_and_client_id() {
        let vm = ManagedIdentity::virtual_machine(None);
        assert_eq!(
            vm.token_url("https://graph.microsoft.com").as_str(),
            "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fgraph.microsoft.com"
        );
        let app = ManagedIdentity::app_service(
            "http://127.0.0.1:41741/msi/token?x=1",
            Secret::new("header-value"),
            Some("c1".to_string()),
        )
        .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(
            app.token_url("https://graph.microsoft.com").as_str(),
            "http://127.0.0.1:41741/msi/token?x=1&api-version=2019-08-01&resource=https%3A%2F%2Fgraph.microsoft.com&client_id=c1"
        );
        assert!(!format!("{app:?}").contains("header-value"));
    }

    #[test]
    fn endpoints_that_would_leak_are_refused() {
        assert!(matches!(
            ManagedIdentity::app_service(
                "http://identity.example.com/msi/token",
                Secret::new("h"),
                None
            ),
            Err(GraphError::InsecureEndpoint { .. })
        ));
        assert!(matches!(
            ManagedIdentity::app_service("not a url", Secret::new("h"), None),
            Err(GraphError::InvalidEndpoint { .. })
        ));
        assert!(matches!(
            ManagedIdentity::app_service(
                "http://127.0.0.1:1/msi/token",
                Secret::new("bad\nheader"),
                None
            ),
            Err(GraphError::Credential(CredentialError::Unusable {
                what: "IDENTITY_HEADER",
                ..
            }))
        ));
        assert!(matches!(
            ManagedIdentity::virtual_machine_at(
                "https://imds.example.com",
                "SEATWISE_IMDS_ENDPOINT",
                None
            ),
            Err(GraphError::InvalidEndpoint {
                what: "SEATWISE_IMDS_ENDPOINT",
                ..
            })
        ));
        let local = ManagedIdentity::virtual_machine_at(
            "http://127.0.0.1:8080/",
            "SEATWISE_IMDS_ENDPOINT",
            None,
        )
        .unwrap_or_else(|error| panic!("{error}"));
        assert!(local.token_url("r").as_str().starts_with(
            "http://127.0.0.1:8080/metadata/identity/oauth2/token?api-version=2018-02-01"
        ));
    }
}
