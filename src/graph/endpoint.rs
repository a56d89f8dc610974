//! Which endpoints seatwise talks to, and how their URLs are shown.
//!
//! Tokens and secrets travel only over HTTPS. Plain `http://` is accepted for loopback hosts
//! alone, so tests can run a fake Graph server on 127.0.0.1 (and App Service's managed identity
//! endpoint, which is a loopback URL); anything else is a usage error before a single request
//! is sent. The one documented exception is the Azure instance metadata service at
//! `http://169.254.169.254`, a link-local address the VM's host answers itself: it is accepted
//! for managed identity requests only ([`check_identity_endpoint`]), never for Graph or the
//! identity platform. URLs shown in messages keep their path and query but hide
//! paging tokens, which are long and opaque.

use super::error::GraphError;
use url::Url;

/// Hosts for which plain HTTP is allowed.
const LOOPBACK_HOSTS: [&str; 3] = ["127.0.0.1", "[::1]", "localhost"];
/// The Azure instance metadata service's fixed address (plain HTTP, port 80, by design).
pub const IMDS_ADDRESS: std::net::Ipv4Addr = std::net::Ipv4Addr::new(169, 254, 169, 254);
/// Query parameters whose values are elided in messages.
const OPAQUE_PARAMETERS: [&str; 3] = ["$skiptoken", "$skipToken", "$deltatoken"];

/// Parses and checks a base URL given as a setting (`--graph`, `--authority`).
///
/// `what` names the setting in messages. The result has no trailing slash in its path, no
/// query and no fragment.
pub fn parse_base_url(text: &str, what: &'static str) -> Result<Url, GraphError> {
    let url = Url::parse(text.trim()).map_err(|error| GraphError::InvalidEndpoint {
        what,
        url: text.to_string(),
        problem: error.to_string(),
    })?;
    check_transport(&url, what)?;
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(GraphError::InvalidEndpoint {
            what,
            url: text.to_string(),
            problem: "a base URL takes no query, fragment or user name".to_string(),
        });
    }
    let mut url = url;
    let trimmed = url.path().trim_end_matches('/').to_string();
    url.set_path(&trimmed);
    Ok(url)
}

/// Refuses a URL that would carry a token in clear text.
pub fn check_transport(url: &Url, what: &'static str) -> Result<(), GraphError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(GraphError::InsecureEndpoint {
            what,
            url: url.to_string(),
        }),
        other => Err(GraphError::InvalidEndpoint {
            what,
            url: url.to_string(),
            problem: format!("the scheme {other:?} is not supported; use https://"),
        }),
    }
}

/// As [`check_transport`], for a managed identity endpoint: also accepts the instance metadata
/// service, `http://169.254.169.254` on port 80 and nothing else.
pub fn check_identity_endpoint(url: &Url, what: &'static str) -> Result<(), GraphError> {
    if is_instance_metadata_service(url) {
        return Ok(());
    }
    check_transport(url, what)
}

/// Whether `url` is the instance metadata service: plain HTTP to 169.254.169.254, port 80.
pub fn is_instance_metadata_service(url: &Url) -> bool {
    url.scheme() == "http"
        && url.host() == Some(url::Host::Ipv4(IMDS_ADDRESS))
        && url.port_or_known_default() == Some(80)
        && url.username().is_empty()
        && url.password().is_none()
}

/// Whether `url` names this machine (127.0.0.1, ::1 or localhost).
pub fn is_loopback(url: &Url) -> bool {
    url.host_str().is_some_and(|host| {
        LOOPBACK_HOSTS
            .iter()
            .any(|allowed| host.eq_ignore_ascii_case(allowed))
    })
}

/// Whether `url` is served by the same scheme, host and port as `base`: the only URLs the
/// bearer token may be sent to.
pub fn same_origin(url: &Url, base: &Url) -> bool {
    url.origin() == base.origin()
}

/// The path and query of `url` for messages, with paging tokens elided.
/// An id or principal name as one URL path segment.
pub fn encode_segment(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

pub fn display_target(url: &Url) -> String {
    let mut shown = url.path().to_string();
    if let Some(query) = url.query() {
        let parts: Vec<String> = query
            .split('&')
            .map(|part| match part.split_once('=') {
                Some((name, _)) if OPAQUE_PARAMETERS.contains(&name) => format!("{name}=…"),
                _ => part.to_string(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&parts.join("&"));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert!(parse_base_url("https://graph.microsoft.com/", "--graph").is_ok());
        assert!(parse_base_url("http://127.0.0.1:8080", "--graph").is_ok());
        assert!(parse_base_url("http://[::1]:8080", "--graph").is_ok());
        assert!(parse_base_url("http://localhost:1", "--graph").is_ok());
        assert!(matches!(
            parse_base_url("http://graph.example.com", "--graph"),
            Err(GraphError::InsecureEndpoint { .. })
        ));
        assert!(matches!(
            parse_base_url("ftp://graph.example.com", "--graph"),
            Err(GraphError::InvalidEndpoint { .. })
        ));
        assert!(matches!(
            parse_base_url("not a url", "--graph"),
            Err(GraphError::InvalidEndpoint { .. })
        ));
    }

    #[test]
    fn the_metadata_service_is_the_one_plain_http_exception_for_managed_identity() {
        let parse = |text: &str| Url::parse(text).unwrap_or_else(|error| panic!("{error}"));
        let imds = parse("http://169.254.169.254/metadata/identity/oauth2/token");
        assert!(check_identity_endpoint(&imds, "IMDS").is_ok());
        assert!(check_identity_endpoint(&parse("http://169.254.169.254:80/x"), "IMDS").is_ok());
        assert!(check_identity_endpoint(&parse("http://127.0.0.1:41741/msi/token"), "E").is_ok());
        assert!(check_identity_endpoint(&parse("https://identity.example.com/t"), "E").is_ok());
        for refused in [
            "http://169.254.169.254:8080/metadata/identity/oauth2/token",
            "http://169.254.169.253/metadata/identity/oauth2/token",
            "http://user@169.254.169.254/metadata/identity/oauth2/token",
            "http://identity.example.com/msi/token",
        ] {
            assert!(
                matches!(
                    check_identity_endpoint(&parse(refused), "IDENTITY_ENDPOINT"),
                    Err(GraphError::InsecureEndpoint { .. })
                ),
                "{refused}"
            );
        }
        // Graph and the identity platform never get the exception.
        assert!(matches!(
            check_transport(&imds, "--graph"),
            Err(GraphError::InsecureEndpoint { .. })
        ));
        assert!(matches!(
            parse_base_url("http://169.254.169.254", "--authority"),
            Err(GraphError::InsecureEndpoint { .. })
        ));
    }

    #[test]
    fn trailing_slash_is_dropped() {
        let url = parse_base_url("https://login.microsoftonline.us/", "--authority")
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(
            url.as_str().trim_end_matches('/'),
            "https://login.microsoftonline.us"
        );
        assert_eq!(url.path(), "/");
    }

    #[test]
    fn paging_tokens_are_elided() {
        let url = Url::parse("https://graph.microsoft.com/v1.0/users?$select=id&$skiptoken=abc123")
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(display_target(&url), "/v1.0/users?$select=id&$skiptoken=…");
    }
}
