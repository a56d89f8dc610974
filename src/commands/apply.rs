//! `seatwise apply` and `seatwise rollback`: connect to Graph, run the plan (or its undo)
//! through [`seatwise::act::apply`], print one line per action and a summary on stdout;
//! retries and progress go to stderr.

use super::connection::connect;
use super::{ExitStatus, UsageError, parse_date, today_utc};
use crate::cli::{ApplyArgs, GraphConnectionArgs, RollbackArgs};
use anyhow::{Context, bail};
use seatwise::act::apply::{self, ActionReport, ApplyObserver, ApplySettings, ApplySummary, Mode};
use seatwise::graph::{GraphClient, RetryObserver};
use seatwise::money::Money;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub fn run_apply(args: &ApplyArgs, stdout: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    let today = match &args.on {
        Some(text) => {
            let date = parse_date(text, "--on")?;
            if args.execute && date > today_utc() {
                bail!(UsageError::Invalid(format!(
                    "--on {text} is in the future: with --execute, grace periods count against today at the latest (a later --on previews a dry run only)"
                )));
            }
            date
        }
        None => today_utc(),
    };
    let settings = ApplySettings {
        plan_path: args.plan.clone(),
        mode: Mode::Apply,
        execute: args.execute,
        resume: args.resume,
        today,
        concurrency: args.concurrency as usize,
    };
    execute(&args.connection, &settings, stdout)
}

pub fn run_rollback(args: &RollbackArgs, stdout: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    let settings = ApplySettings {
        plan_path: args.plan.clone(),
        mode: Mode::Rollback,
        execute: args.execute,
        resume: args.resume,
        today: today_utc(),
        concurrency: args.concurrency as usize,
    };
    execute(&args.connection, &settings, stdout)
}

/// Collects reports (printed in plan order at the end) and shows progress on stderr.
struct Reports {
    reports: Mutex<Vec<ActionReport>>,
    last_line: Mutex<Instant>,
}

impl ApplyObserver for Reports {
    fn reported(&self, report: &ActionReport) {
        let mut reports = self.reports.lock().unwrap_or_else(PoisonError::into_inner);
        reports.push(report.clone());
        let mut last = self
            .last_line
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if last.elapsed() >= Duration::from_secs(5) {
            *last = Instant::now();
            eprintln!("seatwise: {} actions settled so far", reports.len());
        }
    }
}

impl RetryObserver for Reports {
    fn retrying(&self, method: &str, target: &str, reason: &str, wait: Duration) {
        eprintln!(
            "seatwise: {method} {target}: {reason}; retrying in {:.1} s",
            wait.as_secs_f64()
        );
    }
}

fn execute(
    connection: &GraphConnectionArgs,
    settings: &ApplySettings,
    stdout: &mut dyn Write,
) -> anyhow::Result<ExitStatus> {
    let (client_settings, credentials) = connect(connection, settings.concurrency.max(1) * 2)?;
    let reports = Arc::new(Reports {
        reports: Mutex::new(Vec::new()),
        last_line: Mutex::new(Instant::now()),
    });
    let client = GraphClient::new(client_settings, credentials)?.with_observer(reports.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let interrupt = Arc::new(AtomicBool::new(false));
    let outcome = runtime.block_on(async {
        // Ctrl-C stops the run before its next action; what is in flight finishes and is
        // recorded, and the journal, audit trail and rollback plan are brought up to date.
        let flag = interrupt.clone();
        let watcher = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("seatwise: interrupted; finishing the actions in flight");
                flag.store(true, Ordering::Relaxed);
            }
        });
        let outcome = apply::run(
            Arc::new(client),
            settings,
            reports.clone(),
            interrupt.clone(),
        )
        .await
        .map_err(anyhow::Error::from);
        watcher.abort();
        outcome
    });
    let mut collected = std::mem::take(
        &mut *reports
            .reports
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    );
    print_reports(settings, &mut collected, stdout)?;
    let summary = outcome?;
    print_summary(settings, &summary, stdout)?;
    let failed = summary.counts.get("failed").copied().unwrap_or(0);
    Ok(if failed > 0 {
        ExitStatus::RemoteRefused
    } else {
        ExitStatus::Success
    })
}

fn print_reports(
    settings: &ApplySettings,
    reports: &mut [ActionReport],
    stdout: &mut dyn Write,
) -> anyhow::Result<()> {
    // Plan order: the plan lists actions in the order people reviewed them.
    reports.sort_by_key(|report| report.position);
    for report in reports.iter() {
        writeln!(
            stdout,
            "{:<12} {} {:<20} {} {} - {}",
            report.step.as_str(),
            report.action_id,
            report.mechanism.as_str(),
            report.target,
            report.sku_part_number,
            report.detail
        )?;
    }
    if !settings.execute && !reports.is_empty() {
        writeln!(
            stdout,
            "(dry run: nothing was changed; add --execute to apply)"
        )?;
    }
    Ok(())
}

fn print_summary(
    settings: &ApplySettings,
    summary: &ApplySummary,
    stdout: &mut dyn Write,
) -> anyhow::Result<()> {
    let counts: Vec<String> = summary
        .counts
        .iter()
        .map(|(name, count)| format!("{count} {name}"))
        .collect();
    let approval = format!(
        "approved by {} of {} required{}",
        summary.approvers.len(),
        summary.required_approvals,
        if summary.approvers.is_empty() {
            String::new()
        } else {
            format!(" ({})", summary.approvers.join(", "))
        }
    );
    let verb = match (settings.mode, settings.execute) {
        (Mode::Apply, true) => "applied",
        (Mode::Apply, false) => "dry run of",
        (Mode::Rollback, true) => "rolled back",
        (Mode::Rollback, false) => "dry run of the rollback of",
    };
    writeln!(
        stdout,
        "{verb} {} ({}): {} actions: {}{}; {approval}",
        settings.plan_path.display(),
        summary.plan_sha256,
        summary.actions,
        if counts.is_empty() {
            "nothing to do".to_string()
        } else {
            counts.join(", ")
        },
        if summary.settled_earlier > 0 {
            format!(" ({} settled by earlier runs)", summary.settled_earlier)
        } else {
            String::new()
        },
    )?;
    let would = if settings.execute { "" } else { " would be" };
    if summary.monthly_removed > Money::ZERO || summary.monthly_added > Money::ZERO {
        writeln!(
            stdout,
            "monthly amount of licenses{would} removed {} {}, assigned {} {}",
            summary.monthly_removed, summary.currency, summary.monthly_added, summary.currency
        )?;
    }
    if !settings.execute && summary.approvers.len() < summary.required_approvals as usize {
        writeln!(
            stdout,
            "NOT APPROVED: --execute will refuse until {} distinct approver(s) run `seatwise approve`",
            summary.required_approvals
        )?;
    }
    if summary.sign_in_unavailable {
        writeln!(
            stdout,
            "note: the tenant refused signInActivity, so recent sign-ins could not be re-checked"
        )?;
    }
    if summary.open() > 0 && settings.execute {
        writeln!(
            stdout,
            "{} action(s) failed or are deferred; fix the cause or wait, then rerun with --resume",
            summary.open()
        )?;
    }
    for file in &summary.files {
        writeln!(stdout, "wrote {}", file.display())?;
    }
    Ok(())
}
