//! The webhook notification sent after every run, success or failure: a failed sign-in at
//! 3 a.m. must reach someone. [`slack`] and [`teams`] build the payloads from the run's
//! [`MonthlyResult`]; this module reads the webhook URL (a secret: it never appears in a
//! message) and posts, retrying on connection errors, 429 and 5xx with a doubling wait.
//! Delivery never changes the run's result: the caller reports a failure on stderr and keeps
//! the exit code the audit decided.

pub mod slack;
pub mod teams;

use super::config::{NotifyConfig, NotifyFormat};
use super::run::MonthlyResult;
use crate::graph::Secret;
use crate::graph::endpoint::is_loopback;
use std::path::{Path, PathBuf};
use std::time::Duration;
use url::Url;

/// The longest wait a receiver's `Retry-After` may ask for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("{}: cannot read the webhook URL: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {problem}", path.display())]
    BadUrl { path: PathBuf, problem: String },
    #[error("the webhook at {host} failed after {attempts} attempt(s): {problem}")]
    Delivery {
        host: String,
        attempts: u32,
        problem: String,
    },
}

/// A webhook: its URL (secret) and host (for messages).
#[derive(Debug, Clone)]
pub struct Webhook {
    url: Secret,
    host: String,
}

impl Webhook {
    /// Reads the URL from `path` (the file holds the URL alone). HTTPS is required, except on
    /// this machine's loopback.
    pub fn read(path: &Path) -> Result<Webhook, NotifyError> {
        let text = std::fs::read_to_string(path).map_err(|source| NotifyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let url = Secret::new(text);
        let bad = |problem: &str| NotifyError::BadUrl {
            path: path.to_path_buf(),
            problem: problem.to_string(),
        };
        if url.is_empty() {
            return Err(bad("the file is empty; it must hold the webhook URL"));
        }
        let parsed = Url::parse(url.expose()).map_err(|_| {
            bad("the file does not hold a URL (its text is not shown: it is a secret)")
        })?;
        match parsed.scheme() {
            "https" => {}
            "http" if is_loopback(&parsed) => {}
            _ => return Err(bad("the webhook URL must use https://")),
        }
        Ok(Webhook {
            host: parsed.host_str().unwrap_or_default().to_string(),
            url,
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }
}

/// The payload of `result` in `format`.
pub fn payload(format: NotifyFormat, result: &MonthlyResult) -> serde_json::Value {
    match format {
        NotifyFormat::Slack => slack::payload(result),
        NotifyFormat::Teams => teams::payload(result),
    }
}

/// Posts `body` to `webhook` under `config`'s attempts, backoff and timeout; `retrying` hears
/// of each retry. Returns the number of attempts made.
pub async fn send(
    webhook: &Webhook,
    body: &serde_json::Value,
    config: &NotifyConfig,
    retrying: &(dyn Fn(&str) + Sync),
) -> Result<u32, NotifyError> {
    let failure = |attempts: u32, problem: String| NotifyError::Delivery {
        host: webhook.host.clone(),
        attempts,
        problem,
    };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(config.timeout)
        .user_agent(concat!("seatwise/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| {
            failure(
                0,
                format!("cannot set up the HTTP client: {}", error.without_url()),
            )
        })?;
    let mut wait = config.backoff;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let outcome = client.post(webhook.url.expose()).json(body).send().await;
        let (problem, retry_after) = match outcome {
            Ok(response) if response.status().is_success() => return Ok(attempt),
            Ok(response) => {
                let status = response.status();
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|text| text.trim().parse::<u64>().ok())
                    .map(|seconds| Duration::from_secs(seconds).min(MAX_RETRY_AFTER));
                let text = response.text().await.unwrap_or_default();
                let text: String = webhook.url.scrub(&text).chars().take(200).collect();
                let problem = format!(
                    "HTTP {status}{}",
                    if text.trim().is_empty() {
                        String::new()
                    } else {
                        format!(": {}", text.trim())
                    }
                );
                if !(status.is_server_error() || status.as_u16() == 429) {
                    return Err(failure(attempt, problem));
                }
                (problem, retry_after)
            }
            Err(error) => (describe(&error), None),
        };
        if attempt >= config.attempts {
            return Err(failure(attempt, problem));
        }
        let pause = retry_after.unwrap_or(wait);
        retrying(&format!(
            "webhook at {}: {problem}; retrying in {:.1} s",
            webhook.host,
            pause.as_secs_f64()
        ));
        tokio::time::sleep(pause).await;
        wait = wait.saturating_mul(2);
    }
}

/// A transport error without its URL (which is the secret).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "the request failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    if cause.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {cause}")
    }
}

/// Figures shared by both formats: `1,234.50 USD`.
pub(crate) fn amount(money: crate::money::Money, currency: &str) -> String {
    format!("{} {currency}", money.grouped())
}

/// A signed change: `+12.00`, `-3.50`, `0.00`.
pub(crate) fn signed(money: crate::money::Money) -> String {
    if money.0 > 0 {
        format!("+{}", money.grouped())
    } else {
        money.grouped()
    }
}

/// The one-line headline of a result.
pub(crate) fn headline(result: &MonthlyResult) -> String {
    let tenant = result.tenant.as_deref().unwrap_or("unknown tenant");
    match result.as_of {
        Some(as_of) => format!(
            "seatwise monthly audit of {tenant} as of {as_of}: {}",
            result.status.as_str()
        ),
        None => format!(
            "seatwise monthly audit of {tenant}: {}",
            result.status.as_str()
        ),
    }
}

/// The facts both formats show, as (label, value) pairs of plain text.
pub(crate) fn facts(result: &MonthlyResult) -> Vec<(String, String)> {
    let mut facts = Vec::new();
    if let Some(figures) = &result.figures {
        facts.push((
            "Monthly cost".to_string(),
            amount(figures.monthly_cost, &figures.currency),
        ));
        facts.push((
            "Monthly savings".to_string(),
            amount(figures.monthly_savings, &figures.currency),
        ));
        facts.push((
            "Cost to comply".to_string(),
            amount(figures.monthly_cost_to_comply, &figures.currency),
        ));
        facts.push((
            "Users".to_string(),
            format!("{} ({} licensed)", figures.users, figures.licensed_users),
        ));
        let kinds: Vec<String> = figures
            .by_kind
            .iter()
            .map(|(kind, count)| format!("{kind} {count}"))
            .collect();
        facts.push((
            "Findings".to_string(),
            if kinds.is_empty() {
                "0".to_string()
            } else {
                format!("{} ({})", figures.findings, kinds.join(", "))
            },
        ));
    }
    if let Some(history) = &result.history {
        facts.push((
            "History".to_string(),
            if history.replaced {
                format!(
                    "{} recorded again (replaced an earlier run of the month)",
                    history.month
                )
            } else {
                format!("{} recorded", history.month)
            },
        ));
    }
    if let Some(plan) = &result.plan {
        let currency = result
            .figures
            .as_ref()
            .map_or("", |figures| figures.currency.as_str());
        facts.push((
            "Reclaim plan".to_string(),
            format!(
                "{} actions, {} per month, not applied: {}",
                plan.actions,
                amount(plan.monthly_amount, currency),
                plan.path
            ),
        ));
    }
    facts
}

/// The change since the previous month, in one line of plain text.
pub(crate) fn changes_line(result: &MonthlyResult) -> Option<String> {
    let changes = result.changes.as_ref()?;
    let currency = result
        .figures
        .as_ref()
        .map_or("", |figures| figures.currency.as_str());
    Some(format!(
        "Since {}: {} new, {} resolved, {} persisting, {} returned findings; cost {} {currency}, savings {} {currency}",
        changes.from_month,
        changes.new,
        changes.resolved,
        changes.persisting,
        changes.returned,
        signed(changes.monthly_cost_change),
        signed(changes.monthly_savings_change),
    ))
}

/// The crossed thresholds, in one line of plain text.
pub(crate) fn crossed_line(result: &MonthlyResult) -> Option<String> {
    if result.crossed.is_empty() {
        return None;
    }
    let crossed: Vec<String> = result
        .crossed
        .iter()
        .map(|crossed| format!("{} (is {})", crossed.threshold, crossed.value))
        .collect();
    Some(format!("Thresholds crossed: {}", crossed.join(", ")))
}
