//! `seatwise monthly`: the unattended run a scheduler starts once a month. It reads the
//! configuration ([`seatwise::monthly::config`]), pulls the snapshot through the same path as
//! `ingest graph` (or takes an exported folder), audits it with the same function as `audit`,
//! records the month in history, prunes old months, plans a reclaim under a policy when asked
//! (the plan is written, never applied), notifies the webhook on every run, success or
//! failure, and exits by the thresholds. No prompt; progress is plain lines on stderr; with
//! `--json`, stdout carries one result line.

use super::audit::{AuditRequest, audit_snapshot};
use super::ingest::{check_sign_in, pull_snapshot};
use super::plan::plan_and_write_reclaim;
use super::{ExitStatus, UsageError, parse_date, today_utc};
use crate::cli::{GraphConnectionArgs, IngestGraphArgs, MonthlyArgs, ReclaimArgs, SignInMethod};
use anyhow::{Context, bail};
use chrono::NaiveDate;
use seatwise::act::policy::Policy;
use seatwise::history::{self, HistoryError, Month};
use seatwise::monthly::config::{MonthlyConfig, SignIn, Source};
use seatwise::monthly::notify::{self, Webhook};
use seatwise::monthly::run::{
    CHECK_SCHEMA, Changes, Check, CheckResult, Figures, MonthlyResult, Notification,
    PlannedReclaim, Recording, RunStatus, is_last_day_of_month,
};
use seatwise::monthly::threshold;
use seatwise::support::visible::for_terminal;
use std::io::Write;

const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";
const DEFAULT_GRAPH: &str = "https://graph.microsoft.com";

pub fn run(args: &MonthlyArgs, stdout: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    let lookup = |name: &str| std::env::var(name).ok();
    let config = MonthlyConfig::read(&args.config, &lookup)?;
    let as_of = args
        .as_of
        .as_deref()
        .map(|text| parse_date(text, "--as-of"))
        .transpose()?;
    if args.check {
        return check(&config, args, stdout);
    }
    let today = today_utc();
    if args.last_day_only && !is_last_day_of_month(today) {
        if !args.quiet {
            writeln!(
                std::io::stderr(),
                "seatwise: monthly: {today} is not the last day of the month; nothing to do (--last-day-only)"
            )?;
        }
        if args.json {
            let mut result = MonthlyResult::started(config.sign_in.tenant.clone());
            result.status = RunStatus::Skipped;
            serde_json::to_writer(&mut *stdout, &result)?;
            stdout.write_all(b"\n")?;
        }
        return Ok(ExitStatus::Success);
    }
    let progress = Progress { quiet: args.quiet };
    let mut result = MonthlyResult::started(config.sign_in.tenant.clone());
    let outcome = pipeline(&config, as_of, args.quiet, &progress, &mut result);
    let status = match &outcome {
        Ok(()) if result.crossed.is_empty() => {
            result.status = RunStatus::Ok;
            result.exit_code = 0;
            ExitStatus::Success
        }
        Ok(()) => {
            result.status = RunStatus::ThresholdsCrossed;
            result.exit_code = 1;
            ExitStatus::FindingsFound
        }
        Err(error) => {
            result.status = RunStatus::Failed;
            result.exit_code = crate::failure_code(error);
            result.error = Some(crate::describe(error));
            ExitStatus::Success
        }
    };
    result.notification = notify_run(&config, &result, &progress);
    if args.json {
        serde_json::to_writer(&mut *stdout, &result)?;
        stdout.write_all(b"\n")?;
    } else if outcome.is_ok() {
        write_summary(&result, stdout)?;
    }
    outcome?;
    Ok(status)
}

/// Plain progress lines on stderr.
struct Progress {
    quiet: bool,
}

impl Progress {
    fn line(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(
                std::io::stderr(),
                "seatwise: monthly: {}",
                for_terminal(text)
            );
        }
    }

    fn warn(&self, text: &str) {
        let _ = writeln!(
            std::io::stderr(),
            "seatwise: warning: {}",
            for_terminal(text)
        );
    }
}

/// Pull or read, audit, record, prune, plan; `result` is filled as each step ends, so a
/// failure still reports what was done before it.
fn pipeline(
    config: &MonthlyConfig,
    as_of: Option<NaiveDate>,
    quiet: bool,
    progress: &Progress,
    result: &mut MonthlyResult,
) -> anyhow::Result<()> {
    let snapshot = match &config.source {
        Source::Folder(folder) => {
            if !folder.is_dir() {
                bail!(UsageError::Invalid(format!(
                    "{}: source: the snapshot folder {} does not exist",
                    config.path.display(),
                    folder.display()
                )));
            }
            progress.line(&format!("reading the snapshot {}", folder.display()));
            folder.clone()
        }
        Source::Graph => {
            let today = today_utc();
            let out = config
                .snapshots()
                .join(chrono::Utc::now().format("%Y-%m-%dT%H%M%SZ").to_string());
            std::fs::create_dir_all(config.snapshots()).with_context(|| {
                format!("{}: cannot create the folder", config.snapshots().display())
            })?;
            let since = today - chrono::Days::new(u64::from(config.window_days));
            progress.line(&format!(
                "pulling a snapshot from Microsoft Graph into {}",
                out.display()
            ));
            let args = IngestGraphArgs {
                connection: connection(config),
                out: out.clone(),
                since: Some(since.to_string()),
                concurrency: 4,
                resume: false,
                quiet,
                apps: config.apps.clone(),
            };
            pull_snapshot(&args)?;
            out
        }
    };
    result.snapshot = Some(snapshot.display().to_string());

    progress.line("auditing");
    let mut audited = audit_snapshot(&AuditRequest {
        snapshot: &snapshot,
        as_of,
        window_days: config.window_days,
        out: None,
        reports_root: config.reports(),
        lenient: config.lenient,
        audit_complete: config.audit_complete,
        // The report is written once the month is recorded, with the trend in it.
        with_report: false,
        verbose: false,
        require_tenant: true,
    })?;
    result.as_of = Some(audited.as_of);
    result.audit = Some(audited.out_dir.display().to_string());
    if audited.tenant.is_some() {
        result.tenant = audited.tenant.clone();
    }
    let summary = &audited.analysis.summary;
    result.figures = Some(Figures::of(summary, &audited.analysis.currency));
    result.crossed = threshold::crossed(&config.thresholds, summary);
    progress.line(&format!("audit written to {}", audited.out_dir.display()));

    let root = config.history();
    let recorded = history::record(&root, &audited.out_dir, &super::history::record_options())?;
    audited.show_history(&root, true)?;
    for warning in &recorded.warnings {
        progress.warn(&format!("{}: {warning}", recorded.month));
    }
    progress.line(&super::history::recorded_line(&recorded));
    result.history = Some(Recording {
        month: recorded.month.to_string(),
        replaced: recorded.replaced,
        pruned: Vec::new(),
    });
    result.changes = changes(&root, recorded.month, progress);

    if let Some(keep) = config.keep_months {
        let keep = usize::try_from(keep).unwrap_or(usize::MAX);
        let pruned = history::prune(&root, keep)?;
        if let Some(history) = result.history.as_mut() {
            history.pruned = pruned.removed.iter().map(ToString::to_string).collect();
        }
        for month in pruned.removed {
            progress.line(&format!("history: pruned {month}"));
        }
        for warning in pruned.warnings {
            progress.warn(&format!("history: {warning}"));
        }
    }

    if let Some(policy) = &config.policy {
        let out = config
            .plans()
            .join(audited.as_of.to_string())
            .join("plan.json");
        let (plan, _) = plan_and_write_reclaim(&ReclaimArgs {
            audit: audited.out_dir.clone(),
            policy: Some(policy.clone()),
            out: out.clone(),
            snapshot: Some(snapshot.clone()),
            on: None,
        })?;
        progress.line(&format!(
            "reclaim plan: {} actions in {} (not applied)",
            plan.actions.len(),
            out.display()
        ));
        result.plan = Some(PlannedReclaim {
            path: out.display().to_string(),
            actions: plan.actions.len(),
            monthly_amount: plan.total_monthly_amount,
        });
    }
    for crossed in &result.crossed {
        progress.line(&format!(
            "threshold crossed: {} (is {})",
            crossed.threshold, crossed.value
        ));
    }
    Ok(())
}

/// The changes since the month recorded before `month`, if there is one.
fn changes(root: &std::path::Path, month: Month, progress: &Progress) -> Option<Changes> {
    match history::diff(root, None, Some(month)) {
        Ok(diff) => Some(Changes::of(&diff)),
        Err(HistoryError::Range { .. }) => None,
        Err(error) => {
            progress.warn(&format!("cannot compare with the previous month: {error}"));
            None
        }
    }
}

/// Sends the notification, if configured; a failure is reported on stderr and changes
/// nothing else.
fn notify_run(config: &MonthlyConfig, result: &MonthlyResult, progress: &Progress) -> Notification {
    let Some(settings) = &config.notify else {
        return Notification::Off;
    };
    let webhook = match Webhook::read(&settings.url_file) {
        Ok(webhook) => webhook,
        Err(error) => {
            progress.warn(&format!("notification not sent: {error}"));
            return Notification::Failed;
        }
    };
    let body = notify::payload(settings.format, result);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            progress.warn(&format!(
                "notification not sent: cannot start the async runtime: {error}"
            ));
            return Notification::Failed;
        }
    };
    let retrying = |line: &str| progress.line(line);
    match runtime.block_on(notify::send(&webhook, &body, settings, &retrying)) {
        Ok(attempts) => {
            progress.line(&format!(
                "notified the webhook at {}{}",
                webhook.host(),
                if attempts > 1 {
                    format!(" after {attempts} attempts")
                } else {
                    String::new()
                }
            ));
            Notification::Sent
        }
        Err(error) => {
            progress.warn(&format!(
                "notification not sent: {error}; the run's result is unchanged"
            ));
            Notification::Failed
        }
    }
}

/// The human summary on stdout.
fn write_summary(result: &MonthlyResult, stdout: &mut dyn Write) -> anyhow::Result<()> {
    if let (Some(figures), Some(audit)) = (&result.figures, &result.audit) {
        writeln!(
            stdout,
            "monthly audit{} as of {}: {} findings, savings {} {currency}/month, cost to comply {} {currency}/month; {audit}",
            result
                .tenant
                .as_deref()
                .map(|tenant| format!(" of {tenant}"))
                .unwrap_or_default(),
            result
                .as_of
                .map(|date| date.to_string())
                .unwrap_or_default(),
            figures.findings,
            figures.monthly_savings.grouped(),
            figures.monthly_cost_to_comply.grouped(),
            currency = figures.currency,
        )?;
    }
    if let Some(history) = &result.history {
        writeln!(
            stdout,
            "history: {} {}",
            if history.replaced {
                "replaced"
            } else {
                "recorded"
            },
            history.month
        )?;
    }
    if let Some(changes) = &result.changes {
        writeln!(
            stdout,
            "since {}: {} new, {} resolved, {} persisting findings",
            changes.from_month, changes.new, changes.resolved, changes.persisting
        )?;
    }
    if let Some(plan) = &result.plan {
        writeln!(
            stdout,
            "reclaim plan (not applied): {} actions, {}",
            plan.actions, plan.path
        )?;
    }
    for crossed in &result.crossed {
        writeln!(
            stdout,
            "threshold crossed: {} (is {})",
            crossed.threshold, crossed.value
        )?;
    }
    Ok(())
}

/// The Graph connection the configuration describes, as `ingest graph` takes it.
fn connection(config: &MonthlyConfig) -> GraphConnectionArgs {
    let sign_in = &config.sign_in;
    GraphConnectionArgs {
        auth: sign_in.auth.map(|method| match method {
            SignIn::Secret => SignInMethod::Secret,
            SignIn::Certificate => SignInMethod::Certificate,
            SignIn::ManagedIdentity => SignInMethod::ManagedIdentity,
            SignIn::Federated => SignInMethod::Federated,
            SignIn::GithubOidc => SignInMethod::GithubOidc,
        }),
        tenant: sign_in.tenant.clone(),
        client_id: sign_in.client_id.clone(),
        client_secret_file: sign_in.client_secret_file.clone(),
        certificate_file: sign_in.certificate_file.clone(),
        private_key_file: sign_in.private_key_file.clone(),
        federated_token_file: sign_in.federated_token_file.clone(),
        authority: sign_in
            .authority
            .clone()
            .unwrap_or_else(|| DEFAULT_AUTHORITY.to_string()),
        graph: sign_in
            .graph_url
            .clone()
            .unwrap_or_else(|| DEFAULT_GRAPH.to_string()),
    }
}

/// `--check`: every file the configuration names, and the sign-in, without pulling.
fn check(
    config: &MonthlyConfig,
    args: &MonthlyArgs,
    stdout: &mut dyn Write,
) -> anyhow::Result<ExitStatus> {
    let mut checks = Vec::new();
    let mut first_error: Option<anyhow::Error> = None;
    let mut record = |name: &str, outcome: anyhow::Result<String>| match outcome {
        Ok(detail) => checks.push(Check {
            name: name.to_string(),
            ok: true,
            detail,
        }),
        Err(error) => {
            checks.push(Check {
                name: name.to_string(),
                ok: false,
                detail: crate::describe(&error),
            });
            if first_error.is_none() {
                first_error = Some(error);
            }
        }
    };
    record(
        "config",
        Ok(format!(
            "{} ({} threshold(s))",
            config.path.display(),
            config.thresholds.len()
        )),
    );
    record(
        "source",
        match &config.source {
            Source::Folder(folder) if folder.is_dir() => Ok(format!("folder {}", folder.display())),
            Source::Folder(folder) => Err(anyhow::Error::new(UsageError::Invalid(format!(
                "{}: source: the snapshot folder {} does not exist",
                config.path.display(),
                folder.display()
            )))),
            Source::Graph => check_sign_in(&connection(config))
                .map(|method| format!("graph: signed in by {method}, token acquired")),
        },
    );
    record(
        "output_root",
        std::fs::create_dir_all(&config.output_root)
            .map(|()| config.output_root.display().to_string())
            .with_context(|| {
                format!(
                    "{}: cannot create the output root",
                    config.output_root.display()
                )
            }),
    );
    if let Some(policy) = &config.policy {
        record(
            "policy",
            Policy::read(policy)
                .map(|_| policy.display().to_string())
                .map_err(anyhow::Error::from),
        );
    }
    if let Some(notify) = &config.notify {
        record(
            "notify",
            Webhook::read(&notify.url_file)
                .map(|webhook| {
                    format!("{:?} webhook at {}", notify.format, webhook.host()).to_lowercase()
                })
                .map_err(anyhow::Error::from),
        );
    }
    let ok = first_error.is_none();
    if args.json {
        serde_json::to_writer(
            &mut *stdout,
            &CheckResult {
                schema: CHECK_SCHEMA,
                ok,
                checks,
            },
        )?;
        stdout.write_all(b"\n")?;
    } else {
        for check in &checks {
            writeln!(
                stdout,
                "{}: {}{}",
                check.name,
                if check.ok { "ok" } else { "FAILED" },
                if check.ok {
                    format!(" ({})", check.detail)
                } else {
                    String::new()
                }
            )?;
        }
    }
    match first_error {
        Some(error) => Err(error),
        None => Ok(ExitStatus::Success),
    }
}
