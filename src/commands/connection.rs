//! The Graph connection every online command shares (`ingest graph`, `apply`, `rollback`):
//! endpoints and credentials from the command line and the environment, and the client's
//! timeout and retry tuning.
//!
//! Secrets are read here, from the environment or a file, and handed to the library wrapped
//! in [`Secret`]; they never appear on the command line, where `ps` and shell history see them.

use super::UsageError;
use crate::cli::GraphConnectionArgs;
use anyhow::bail;
use seatwise::graph::endpoint::parse_base_url;
use seatwise::graph::{Credentials, GraphSettings, RetryPolicy, Secret};
use std::time::Duration;

pub const CLIENT_SECRET_VARIABLE: &str = "SEATWISE_CLIENT_SECRET";
pub const ACCESS_TOKEN_VARIABLE: &str = "SEATWISE_ACCESS_TOKEN";
const TIMEOUT_VARIABLE: &str = "SEATWISE_GRAPH_TIMEOUT_MS";
const MAX_ATTEMPTS_VARIABLE: &str = "SEATWISE_GRAPH_MAX_ATTEMPTS";
const BACKOFF_VARIABLE: &str = "SEATWISE_GRAPH_BACKOFF_MS";

/// Client settings and credentials for `args`, with `concurrency` requests in flight.
pub fn connect(
    args: &GraphConnectionArgs,
    concurrency: usize,
) -> anyhow::Result<(GraphSettings, Credentials)> {
    let graph = parse_base_url(&args.graph, "--graph")?;
    let credentials = credentials(args)?;
    let retry = RetryPolicy {
        max_attempts: environment_number(MAX_ATTEMPTS_VARIABLE)?
            .map_or(6, |value| value.min(100) as u32),
        base_delay: environment_number(BACKOFF_VARIABLE)?
            .map_or(Duration::from_secs(1), Duration::from_millis),
        ..RetryPolicy::default()
    };
    let settings = GraphSettings {
        graph,
        timeout: environment_number(TIMEOUT_VARIABLE)?
            .map_or(Duration::from_secs(60), Duration::from_millis),
        retry,
        max_concurrent_requests: concurrency,
    };
    Ok((settings, credentials))
}

/// The credentials: a ready token, or client id + secret (environment or file, not both).
fn credentials(args: &GraphConnectionArgs) -> anyhow::Result<Credentials> {
    if let Some(token) = environment_secret(ACCESS_TOKEN_VARIABLE) {
        return Ok(Credentials::AccessToken(token));
    }
    let authority = parse_base_url(&args.authority, "--authority")?;
    let (Some(tenant), Some(client_id)) = (&args.tenant, &args.client_id) else {
        bail!(UsageError::Invalid(format!(
            "--tenant and --client-id are required (or a ready token in {ACCESS_TOKEN_VARIABLE})\nhint: see `seatwise ingest graph --help` and the README section \"Pulling a snapshot from Microsoft Graph\""
        )));
    };
    let from_environment = environment_secret(CLIENT_SECRET_VARIABLE);
    let secret = match (&args.client_secret_file, from_environment) {
        (Some(_), Some(_)) => bail!(UsageError::Invalid(format!(
            "the client secret is given twice, in {CLIENT_SECRET_VARIABLE} and --client-secret-file; keep one"
        ))),
        (Some(path), None) => {
            let text = std::fs::read_to_string(path).map_err(|error| {
                UsageError::Invalid(format!(
                    "--client-secret-file {}: cannot read: {error}",
                    path.display()
                ))
            })?;
            let secret = Secret::new(text);
            if secret.is_empty() {
                bail!(UsageError::Invalid(format!(
                    "--client-secret-file {}: the file is empty",
                    path.display()
                )));
            }
            secret
        }
        (None, Some(secret)) => secret,
        (None, None) => bail!(UsageError::Invalid(format!(
            "no client secret: set {CLIENT_SECRET_VARIABLE} or pass --client-secret-file PATH (a secret is never taken on the command line)"
        ))),
    };
    Ok(Credentials::ClientSecret {
        authority,
        tenant: tenant.trim().to_string(),
        client_id: client_id.trim().to_string(),
        secret,
    })
}

fn environment_secret(name: &str) -> Option<Secret> {
    std::env::var(name)
        .ok()
        .map(Secret::new)
        .filter(|secret| !secret.is_empty())
}

/// A positive whole number from an environment variable, if set.
pub fn environment_number(name: &str) -> anyhow::Result<Option<u64>> {
    match std::env::var(name) {
        Err(_) => Ok(None),
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(value) if value > 0 => Ok(Some(value)),
            _ => bail!(UsageError::Invalid(format!(
                "{name}={text:?} is not a positive whole number"
            ))),
        },
    }
}
