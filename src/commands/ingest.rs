//! `seatwise ingest graph`: resolve the command line and environment into settings, pull the
//! snapshot, show progress on stderr and a one-line summary on stdout.
//!
//! Secrets are read here, from the environment or a file, and handed to the library wrapped
//! in [`Secret`]; they never appear on the command line, where `ps` and shell history see them.

use super::{ExitStatus, UsageError, parse_date, today_utc};
use crate::cli::{IngestArgs, IngestGraphArgs, IngestSource};
use anyhow::{Context, bail};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use seatwise::graph::endpoint::parse_base_url;
use seatwise::graph::{
    Credentials, GraphClient, GraphSettings, RetryObserver, RetryPolicy, Secret,
};
use seatwise::ingest::error::{RejectionLog, Strictness};
use seatwise::ingest::graph::{
    AuditPollPolicy, Collection, PullProgress, PullSettings, PullSummary, pull,
};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENT_SECRET_VARIABLE: &str = "SEATWISE_CLIENT_SECRET";
const ACCESS_TOKEN_VARIABLE: &str = "SEATWISE_ACCESS_TOKEN";
const TIMEOUT_VARIABLE: &str = "SEATWISE_GRAPH_TIMEOUT_MS";
const MAX_ATTEMPTS_VARIABLE: &str = "SEATWISE_GRAPH_MAX_ATTEMPTS";
const BACKOFF_VARIABLE: &str = "SEATWISE_GRAPH_BACKOFF_MS";
const AUDIT_POLL_VARIABLE: &str = "SEATWISE_AUDIT_POLL_MS";
const AUDIT_TIMEOUT_VARIABLE: &str = "SEATWISE_AUDIT_TIMEOUT_S";
/// How often plain progress lines repeat for one collection.
const LINE_INTERVAL: Duration = Duration::from_secs(5);

pub fn run(args: &IngestArgs, stdout: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    match &args.source {
        IngestSource::Graph(args) => run_graph(args, stdout),
    }
}

fn run_graph(args: &IngestGraphArgs, stdout: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    let graph = parse_base_url(&args.graph, "--graph")?;
    let credentials = credentials(args)?;
    let since = match &args.since {
        Some(text) => {
            let date = parse_date(text, "--since")?;
            if date > today_utc() {
                bail!(UsageError::Invalid(format!(
                    "--since {text} is in the future; give the first day of launches to pull"
                )));
            }
            Some(date)
        }
        None => None,
    };
    if let Some(apps) = &args.apps {
        let mut log = RejectionLog::new(Strictness::Strict);
        seatwise::ingest::apps::read_apps(apps, &mut log).with_context(|| {
            format!(
                "--apps {}: not a usable Power Apps inventory",
                apps.display()
            )
        })?;
    }
    let retry = RetryPolicy {
        max_attempts: environment_number(MAX_ATTEMPTS_VARIABLE)?
            .map_or(6, |value| value.min(100) as u32),
        base_delay: environment_number(BACKOFF_VARIABLE)?
            .map_or(Duration::from_secs(1), Duration::from_millis),
        ..RetryPolicy::default()
    };
    let client_settings = GraphSettings {
        graph,
        timeout: environment_number(TIMEOUT_VARIABLE)?
            .map_or(Duration::from_secs(60), Duration::from_millis),
        retry,
        max_concurrent_requests: args.concurrency as usize,
    };
    let audit_poll = AuditPollPolicy {
        first_wait: environment_number(AUDIT_POLL_VARIABLE)?
            .map_or(AuditPollPolicy::default().first_wait, Duration::from_millis),
        timeout: environment_number(AUDIT_TIMEOUT_VARIABLE)?
            .map_or(AuditPollPolicy::default().timeout, Duration::from_secs),
        ..AuditPollPolicy::default()
    };
    let audit_poll = AuditPollPolicy {
        max_wait: audit_poll.max_wait.max(audit_poll.first_wait),
        ..audit_poll
    };
    let settings = PullSettings {
        out: args.out.clone(),
        tenant_id: args.tenant.clone(),
        since,
        resume: args.resume,
        apps: args.apps.clone(),
        concurrency: args.concurrency as usize,
        audit_poll,
    };

    let reporter = Arc::new(StderrProgress::new(if args.quiet {
        Mode::Quiet
    } else if std::io::stderr().is_terminal() {
        Mode::Bars(MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
    } else {
        Mode::Lines
    }));
    let client = GraphClient::new(client_settings, credentials)?.with_observer(reporter.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let started = Instant::now();
    let outcome = runtime.block_on(async {
        tokio::select! {
            outcome = pull(Arc::new(client), &settings, reporter.clone()) => outcome.map_err(anyhow::Error::from),
            _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!(
                "interrupted; what was pulled so far is kept beside {}\nhint: rerun the same command with --resume to continue",
                settings.out.display()
            )),
        }
    });
    reporter.stop();
    let summary = outcome?;
    writeln!(stdout, "{}", summary_line(&summary, started.elapsed()))?;
    Ok(ExitStatus::Success)
}

/// The credentials: a ready token, or client id + secret (environment or file, not both).
fn credentials(args: &IngestGraphArgs) -> anyhow::Result<Credentials> {
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
fn environment_number(name: &str) -> anyhow::Result<Option<u64>> {
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

fn summary_line(summary: &PullSummary, elapsed: Duration) -> String {
    let activity = if summary.users.sign_in_activity_collected {
        "with sign-in activity"
    } else {
        "WITHOUT sign-in activity (Graph refused it)"
    };
    format!(
        "pulled {}{}: {} users ({}) in {} pages, {} SKUs, {} licensed groups ({} dynamic) with {} members, {} launch records from {} to {} in {} audit file(s); {} requests, {} retries, {:.1} s",
        summary.out.display(),
        if summary.resumed { " (resumed)" } else { "" },
        summary.users.users,
        activity,
        summary.users.pages,
        summary.subscribed_skus,
        summary.groups.groups,
        summary.groups.dynamic_groups,
        summary.groups.members,
        summary.audit.records,
        summary.audit_window.start.format("%Y-%m-%d"),
        summary.audit_window.end.format("%Y-%m-%dT%H:%M:%SZ"),
        summary.audit_files,
        summary.client.requests,
        summary.client.retries,
        elapsed.as_secs_f64()
    )
}

/// How progress is shown.
enum Mode {
    /// One bar per collection (stderr is a terminal).
    Bars(MultiProgress),
    /// Plain lines, a few per collection (stderr is a file or pipe).
    Lines,
    /// Nothing (`--quiet`).
    Quiet,
}

/// Progress of one collection, for plain lines.
struct Tally {
    items: u64,
    started: Instant,
    last_line: Instant,
}

impl Tally {
    fn starting(now: Instant) -> Tally {
        Tally {
            items: 0,
            started: now,
            last_line: now,
        }
    }
}

/// Progress on stderr: bars, lines or nothing.
struct StderrProgress {
    mode: Mode,
    bars: Mutex<HashMap<Collection, ProgressBar>>,
    tallies: Mutex<HashMap<Collection, Tally>>,
}

impl StderrProgress {
    /// The bar of a collection, once it has started.
    fn bar(&self, collection: Collection) -> Option<ProgressBar> {
        self.bars
            .lock()
            .ok()
            .and_then(|bars| bars.get(&collection).cloned())
    }

    fn new(mode: Mode) -> StderrProgress {
        StderrProgress {
            mode,
            bars: Mutex::new(HashMap::new()),
            tallies: Mutex::new(HashMap::new()),
        }
    }

    fn line(&self, text: &str) {
        match &self.mode {
            Mode::Bars(multi) => {
                let _ = multi.println(text);
            }
            Mode::Lines => {
                let _ = writeln!(std::io::stderr(), "seatwise: {text}");
            }
            Mode::Quiet => {}
        }
    }

    /// Stops the bars still running (after an error), leaving them as they were, so the error
    /// message starts on a clean line below them.
    fn stop(&self) {
        if let (Mode::Bars(_), Ok(bars)) = (&self.mode, self.bars.lock()) {
            for bar in bars.values() {
                if !bar.is_finished() {
                    bar.abandon();
                }
            }
        }
    }

    fn rate(items: u64, since: Instant) -> String {
        let seconds = since.elapsed().as_secs_f64();
        if seconds < 0.05 {
            return String::new();
        }
        format!(", {:.0}/s", items as f64 / seconds)
    }
}

impl PullProgress for StderrProgress {
    fn started(&self, collection: Collection) {
        match &self.mode {
            Mode::Bars(multi) => {
                let bar = multi.add(ProgressBar::new_spinner());
                if let Ok(style) = ProgressStyle::with_template(
                    "{prefix:>16} {spinner} {human_pos:>9} {rate:>8} {elapsed:>4} {msg}",
                ) {
                    bar.set_style(style.with_key(
                        "rate",
                        |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                            let _ = write!(out, "{:.0}/s", state.per_sec());
                        },
                    ));
                }
                bar.set_prefix(collection.label());
                bar.enable_steady_tick(Duration::from_millis(200));
                if let Ok(mut bars) = self.bars.lock() {
                    bars.insert(collection, bar);
                }
            }
            Mode::Lines => {
                let now = Instant::now();
                if let Ok(mut tallies) = self.tallies.lock() {
                    tallies.entry(collection).or_insert(Tally::starting(now));
                }
            }
            Mode::Quiet => {}
        }
    }

    fn advanced(&self, collection: Collection, items: u64) {
        match &self.mode {
            Mode::Bars(_) => {
                if let Some(bar) = self.bar(collection) {
                    bar.inc(items);
                }
            }
            Mode::Lines => {
                let mut due = None;
                if let Ok(mut tallies) = self.tallies.lock() {
                    let now = Instant::now();
                    let tally = tallies.entry(collection).or_insert(Tally::starting(now));
                    tally.items += items;
                    if tally.last_line.elapsed() >= LINE_INTERVAL {
                        tally.last_line = now;
                        due = Some(format!(
                            "{}: {} so far{}",
                            collection.label(),
                            tally.items,
                            Self::rate(tally.items, tally.started)
                        ));
                    }
                }
                if let Some(text) = due {
                    self.line(&text);
                }
            }
            Mode::Quiet => {}
        }
    }

    fn finished(&self, collection: Collection, items: u64) {
        match &self.mode {
            Mode::Bars(_) => {
                if let Some(bar) = self.bar(collection) {
                    bar.set_position(items);
                    bar.finish_with_message("done");
                }
            }
            Mode::Lines => {
                let started = self
                    .tallies
                    .lock()
                    .ok()
                    .and_then(|tallies| tallies.get(&collection).map(|tally| tally.started));
                let rate = started
                    .map(|started| Self::rate(items, started))
                    .unwrap_or_default();
                self.line(&format!("{}: {items} done{rate}", collection.label()));
            }
            Mode::Quiet => {}
        }
    }

    fn note(&self, collection: Option<Collection>, message: &str) {
        match collection {
            Some(collection) => self.line(&format!("{}: {message}", collection.label())),
            None => self.line(message),
        }
    }
}

impl RetryObserver for StderrProgress {
    fn retrying(&self, method: &str, target: &str, reason: &str, wait: Duration) {
        let path = target.split('?').next().unwrap_or(target);
        self.line(&format!(
            "{method} {path}: {reason}; retrying in {:.1} s",
            wait.as_secs_f64()
        ));
    }
}
