//! `seatwise ingest graph`: resolve the command line and environment into settings, pull the
//! snapshot, show progress on stderr and a one-line summary on stdout.
//! The connection (endpoints, credentials, retry tuning) comes from [`super::connection`].

use super::connection::{connect, environment_number};
use super::{ExitStatus, UsageError, parse_date, today_utc};
use crate::cli::{GraphConnectionArgs, IngestArgs, IngestGraphArgs, IngestSource};
use anyhow::{Context, bail};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use seatwise::graph::{GraphClient, RetryObserver};
use seatwise::ingest::error::{RejectionLog, Strictness};
use seatwise::ingest::graph::{
    AuditPollPolicy, Collection, PullProgress, PullSettings, PullSummary, pull,
};
use seatwise::support::visible::for_terminal;
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    let started = Instant::now();
    let summary = pull_snapshot(args)?;
    writeln!(stdout, "{}", summary_line(&summary, started.elapsed()))?;
    Ok(ExitStatus::Success)
}

/// Signs in as `connection` asks and acquires one token, without reading from Graph.
pub fn check_sign_in(connection: &GraphConnectionArgs) -> anyhow::Result<&'static str> {
    let (client_settings, credentials) = connect(connection, 1)?;
    let method = credentials.method();
    let client = GraphClient::new(client_settings, credentials)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(client.sign_in())?;
    Ok(method)
}

/// Pulls the snapshot `args` asks for, with progress on stderr (bars on a terminal, plain
/// lines otherwise, nothing with --quiet): the library path `ingest graph` and `monthly` share.
pub fn pull_snapshot(args: &IngestGraphArgs) -> anyhow::Result<PullSummary> {
    let (client_settings, credentials) = connect(&args.connection, args.concurrency as usize)?;
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
        tenant_id: credentials
            .app()
            .map(|app| app.tenant.clone())
            .or_else(|| args.connection.tenant.clone()),
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
    outcome
}

fn summary_line(summary: &PullSummary, elapsed: Duration) -> String {
    let activity = if summary.users.sign_in_activity_collected {
        "with sign-in activity"
    } else {
        "WITHOUT sign-in activity (Graph refused it)"
    };
    let subscriptions = match summary.subscriptions.subscriptions {
        Some(count) => format!("{count} subscriptions"),
        None => "no subscriptions (Graph refused them)".to_string(),
    };
    format!(
        "pulled {}{}: {} users ({}) in {} pages, {} SKUs, {subscriptions}, {} licensed groups ({} dynamic) with {} members, {} launch records from {} to {} in {} audit file(s); {} requests, {} retries, {:.1} s",
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
        let text = for_terminal(text);
        match &self.mode {
            Mode::Bars(multi) => {
                let _ = multi.println(text.as_ref());
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
