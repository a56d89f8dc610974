//! What can go wrong talking to Microsoft Graph and the identity platform.
//!
//! Every message names the request (method and path; paging tokens elided), what Graph said
//! (HTTP status, its error code and message, the request id Microsoft support asks for) and how
//! many attempts were made, and ends with a hint where one helps. No message ever contains a
//! secret or a token: remote text is scrubbed of both before it is stored here.

use std::fmt;
use std::path::PathBuf;

/// A failure of a Graph or token request.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// A base URL that would carry tokens over plain HTTP to a non-loopback host.
    #[error(
        "{what} {url:?} uses plain http://, which would send tokens in clear text\nhint: use https:// (plain http:// is accepted only for 127.0.0.1, ::1 and localhost, for tests)"
    )]
    InsecureEndpoint { what: &'static str, url: String },
    /// A base URL that does not parse or has parts a base URL cannot have.
    #[error("{what} {url:?} is not a usable base URL: {problem}")]
    InvalidEndpoint {
        what: &'static str,
        url: String,
        problem: String,
    },
    /// Graph answered with an error status (after retries, for the retryable ones).
    #[error("{0}")]
    Status(Box<StatusFailure>),
    /// No answer: connection refused or dropped, or the request timed out, on every attempt.
    #[error(
        "{method} {target}: {problem} (gave up after {attempts} attempt(s))\nhint: check network access to {host}; SEATWISE_GRAPH_TIMEOUT_MS and SEATWISE_GRAPH_MAX_ATTEMPTS tune the timeout and the retries"
    )]
    Transport {
        method: String,
        target: String,
        host: String,
        problem: String,
        attempts: u32,
    },
    /// The identity platform (or a managed identity or OIDC token endpoint) refused to issue a
    /// token. `hint` depends on the sign-in method.
    #[error("the token request to {target} was refused: HTTP {status}{said}\nhint: {hint}")]
    TokenRefused {
        target: String,
        status: u16,
        /// What the endpoint said (its error code and description, scrubbed), shown after the
        /// status: ` invalid_client: AADSTS700027: …`, or empty.
        said: String,
        hint: String,
    },
    /// A credential that cannot be used as given: an unreadable or invalid certificate or key,
    /// an expired certificate, an empty federated token file.
    #[error(transparent)]
    Credential(#[from] CredentialError),
    /// A ready token (SEATWISE_ACCESS_TOKEN) that Graph no longer accepts.
    #[error(
        "{method} {target}: HTTP 401: the access token from SEATWISE_ACCESS_TOKEN was refused\nhint: the token has probably expired; get a fresh one, or use client credentials (--tenant, --client-id and a secret) so seatwise can renew it"
    )]
    StaticTokenRefused { method: String, target: String },
    /// A success status whose body is not the JSON expected.
    #[error("{method} {target}: the response is not the JSON expected: {problem}")]
    Decode {
        method: String,
        target: String,
        problem: String,
    },
    /// An `@odata.nextLink` that points away from the Graph endpoint: the token is not sent there.
    #[error(
        "{target}: Graph returned a next-page link to another host ({link_origin}); refusing to send the token there\nhint: check --graph; a proxy that rewrites links must keep the same scheme, host and port"
    )]
    ForeignLink { target: String, link_origin: String },
}

impl GraphError {
    /// The same failure, saying it came after `attempts` tries (a refusal with a status, or a
    /// transport failure; other errors do not count attempts).
    pub fn with_attempts(self, attempts: u32) -> GraphError {
        match self {
            GraphError::Status(mut failure) => {
                failure.attempts = attempts;
                GraphError::Status(failure)
            }
            GraphError::Transport {
                method,
                target,
                host,
                problem,
                ..
            } => GraphError::Transport {
                method,
                target,
                host,
                problem,
                attempts,
            },
            other => other,
        }
    }

    /// True for failures of the remote service (exit code 3); false for bad settings (2).
    pub fn is_remote(&self) -> bool {
        !matches!(
            self,
            GraphError::InsecureEndpoint { .. }
                | GraphError::InvalidEndpoint { .. }
                | GraphError::Credential(_)
        )
    }

    /// The HTTP status Graph answered with, if it answered with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            GraphError::Status(failure) => Some(failure.status),
            GraphError::TokenRefused { status, .. } => Some(*status),
            GraphError::StaticTokenRefused { .. } => Some(401),
            _ => None,
        }
    }
}

/// A credential seatwise cannot use, found before or between token requests. Messages name the
/// file and what is wrong with it; none holds key material or a token.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// A file that cannot be read.
    #[error("{what} {}: cannot read: {source}", path.display())]
    Unreadable {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file whose content is not what it must be; `hint`, when there is one, starts with a
    /// line break.
    #[error("{what} {}: {problem}{}", path.display(), hint.unwrap_or_default())]
    Invalid {
        what: &'static str,
        path: PathBuf,
        problem: String,
        hint: Option<&'static str>,
    },
    /// A certificate past its end date (the identity platform refuses it too).
    #[error(
        "{what} {}: the certificate {subject} expired on {not_after}\nhint: create a new certificate, upload it to the app registration (Certificates & secrets) and point seatwise at it",
        path.display()
    )]
    Expired {
        what: &'static str,
        path: PathBuf,
        subject: String,
        not_after: String,
    },
    /// A certificate whose start date is still ahead.
    #[error(
        "{what} {}: the certificate {subject} is not valid before {not_before}\nhint: check this machine's clock",
        path.display()
    )]
    NotYetValid {
        what: &'static str,
        path: PathBuf,
        subject: String,
        not_before: String,
    },
    /// A setting (an environment variable, say) that cannot be used as given.
    #[error("{what}: {problem}")]
    Unusable { what: &'static str, problem: String },
    /// Signing the client assertion failed (or no randomness for its id was to be had).
    #[error("cannot sign the client assertion: {0}")]
    Signing(String),
}

/// An error status from Graph, with what Graph said about it.
#[derive(Debug)]
pub struct StatusFailure {
    pub method: String,
    pub target: String,
    pub status: u16,
    /// Graph's `error.code`, e.g. `Authorization_RequestDenied`.
    pub code: Option<String>,
    /// Graph's `error.message`, or the start of a body that is not a Graph error.
    pub message: Option<String>,
    /// `request-id` (header or `error.innerError`), for Microsoft support.
    pub request_id: Option<String>,
    pub attempts: u32,
}

impl fmt::Display for StatusFailure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} {}: HTTP {}",
            self.method, self.target, self.status
        )?;
        if let Some(code) = &self.code {
            write!(formatter, " {code}")?;
        }
        if let Some(message) = &self.message {
            write!(formatter, ": {message}")?;
        }
        if let Some(request_id) = &self.request_id {
            write!(formatter, " (request-id {request_id})")?;
        }
        if self.attempts > 1 {
            write!(formatter, " (gave up after {} attempts)", self.attempts)?;
        }
        if let Some(hint) = status_hint(self.status) {
            write!(formatter, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

fn status_hint(status: u16) -> Option<&'static str> {
    match status {
        401 => Some(
            "Graph refused the token even after renewing it; check that the app registration belongs to --tenant",
        ),
        403 => Some(
            "the app lacks an application permission or its admin consent; see the README section \"Pulling a snapshot from Microsoft Graph\" for the permissions",
        ),
        429 | 503 | 504 => Some(
            "Graph kept throttling or was unavailable; rerun later with --resume (the pull continues where it stopped), or lower --concurrency",
        ),
        _ => None,
    }
}

/// Text that may be absent, shown as `: text` (or ` text` for codes) when present.
#[derive(Debug, Default)]
pub struct OptionalText {
    prefix: &'static str,
    text: Option<String>,
}

impl OptionalText {
    pub fn new(prefix: &'static str, text: Option<String>) -> OptionalText {
        OptionalText { prefix, text }
    }
}

impl fmt::Display for OptionalText {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.text {
            Some(text) => write!(formatter, "{}{text}", self.prefix),
            None => Ok(()),
        }
    }
}
