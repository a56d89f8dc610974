//! The error bodies the fake sends, in the exact shapes Microsoft's services use.
//!
//! Exists so that every failure the fake produces looks like the real thing to the client under
//! test: Graph's envelope `{"error":{"code","message","innerError":{"date","request-id",
//! "client-request-id"}}}` with the `request-id` response header (and `Retry-After` on throttling,
//! `WWW-Authenticate` on 401), and the identity platform's flat OAuth2 error with its `AADSTS`
//! code for the token endpoint (MICROSOFT.md §1.1).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Content type Graph puts on its JSON answers.
pub const GRAPH_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// A Graph error answer before it is rendered.
#[derive(Debug, Clone)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// Seconds for `Retry-After`, when the error is a throttle that names one.
    pub retry_after: Option<u64>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_string(),
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 `Request_BadRequest`, Graph's code for malformed directory queries.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    /// 400 `Request_UnsupportedQuery` for query options the fake (or Graph) does not take.
    pub fn unsupported_query(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
    }

    /// 401 `InvalidAuthenticationToken`.
    pub fn invalid_token(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    }

    /// 404 `Request_ResourceNotFound` for a directory object id that does not exist.
    pub fn directory_object_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    /// 400 for a URL segment Graph does not know (Graph answers 400, not 404, here).
    pub fn unknown_segment(segment: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Resource not found for the segment '{segment}'."),
        )
    }

    /// 405 for a known resource used with a method the fake does not serve.
    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            format!("The HTTP method '{method}' is not supported on '{path}'."),
        )
    }

    /// Renders the envelope with its request-id headers.
    pub fn into_response(self, request_id: &str, client_request_id: Option<&str>) -> Response {
        let date = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string();
        let client_request_id = client_request_id.unwrap_or(request_id);
        let body = json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": date,
                    "request-id": request_id,
                    "client-request-id": client_request_id,
                }
            }
        });
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(GRAPH_JSON));
        insert_text(headers, "request-id", request_id);
        insert_text(headers, "client-request-id", client_request_id);
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(
                    "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
                ),
            );
        }
        response
    }
}

/// An identity platform (Entra ID) token endpoint error.
#[derive(Debug, Clone)]
pub struct OAuthError {
    pub status: StatusCode,
    /// The RFC 6749 error, e.g. `invalid_client`.
    pub error: &'static str,
    /// The AADSTS number, e.g. 7000215.
    pub aadsts: u32,
    pub description: String,
}

impl OAuthError {
    pub fn new(
        status: StatusCode,
        error: &'static str,
        aadsts: u32,
        description: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error,
            aadsts,
            description: description.into(),
        }
    }

    /// Renders `{"error","error_description","error_codes","timestamp","trace_id",
    /// "correlation_id","error_uri"}` as login.microsoftonline.com does.
    pub fn into_response(self, trace_id: &str, correlation_id: &str) -> Response {
        let now = chrono::Utc::now();
        let description = format!(
            "AADSTS{}: {} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {}Z",
            self.aadsts,
            self.description,
            now.format("%Y-%m-%d %H:%M:%S%.3f"),
        );
        let body = json!({
            "error": self.error,
            "error_description": description,
            "error_codes": [self.aadsts],
            "timestamp": format!("{}Z", now.format("%Y-%m-%d %H:%M:%S%.3f")),
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.aadsts),
        });
        let mut response = (self.status, body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        response
    }
}

/// Inserts a header whose value came from our own id generator or the client (skipped if not
/// representable, which cannot happen for our hex ids).
pub fn insert_text(headers: &mut axum::http::HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}
