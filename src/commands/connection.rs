//! The Graph connection every online command shares (`ingest graph`, `apply`, `rollback`):
//! endpoints and credentials from the command line and the environment (the sign-in method is
//! resolved by [`super::sign_in`]), and the client's timeout and retry tuning.

use super::UsageError;
use super::sign_in;
use crate::cli::GraphConnectionArgs;
use anyhow::bail;
use seatwise::graph::endpoint::parse_base_url;
use seatwise::graph::{Credentials, GraphSettings, RetryPolicy};
use std::time::{Duration, SystemTime};

const TIMEOUT_VARIABLE: &str = "SEATWISE_GRAPH_TIMEOUT_MS";
const MAX_ATTEMPTS_VARIABLE: &str = "SEATWISE_GRAPH_MAX_ATTEMPTS";
const BACKOFF_VARIABLE: &str = "SEATWISE_GRAPH_BACKOFF_MS";

/// Client settings and credentials for `args`, with `concurrency` requests in flight.
pub fn connect(
    args: &GraphConnectionArgs,
    concurrency: usize,
) -> anyhow::Result<(GraphSettings, Credentials)> {
    let graph = parse_base_url(&args.graph, "--graph")?;
    let lookup = |name: &str| std::env::var(name).ok();
    let credentials = sign_in::credentials(args, &lookup, SystemTime::now())?;
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
