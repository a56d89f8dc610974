//! `seatwise history`: record an audit as a month, list the months, compare two months,
//! show the trend of the last twelve, prune old ones. The library (`seatwise::history`) does
//! the work; this file turns arguments into calls and models into output.

use super::{ExitStatus, UsageError};
use crate::cli::{HistoryCommand, HistoryDiffArgs};
use anyhow::bail;
use seatwise::history::{self, Fault, HistoryError, Month, RecordOptions, Recorded, render};
use seatwise::model::Snapshot;
use std::io::Write;
use std::path::Path;

pub fn run(command: &HistoryCommand, stdout: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    match command {
        HistoryCommand::Record(args) => {
            record_into(&args.root.root, &args.audit, stdout)?;
        }
        HistoryCommand::List(args) => {
            let entries = history::list(&args.root.root)?;
            if args.json {
                serde_json::to_writer_pretty(&mut *stdout, &entries)?;
                stdout.write_all(b"\n")?;
            } else {
                stdout.write_all(render::list(&entries).as_bytes())?;
            }
        }
        HistoryCommand::Diff(args) => diff(args, stdout)?,
        HistoryCommand::Trend(args) => {
            let to = match parse_month(args.to.as_deref(), "--to")? {
                Some(month) => month,
                None => match history::store::month_folders(&args.root.root)?.last() {
                    Some((month, _)) => *month,
                    None => bail!(HistoryError::Range {
                        root: args.root.root.clone(),
                        problem: "holds no month yet\nhint: record audits with `seatwise audit SNAPSHOT --history`".to_string(),
                    }),
                },
            };
            let trend = history::trend(&args.root.root, to)?;
            if args.json {
                serde_json::to_writer_pretty(&mut *stdout, &trend)?;
                stdout.write_all(b"\n")?;
            } else {
                stdout.write_all(render::trend(&trend).as_bytes())?;
            }
        }
        HistoryCommand::Prune(args) => {
            let keep = usize::try_from(args.keep_months).unwrap_or(usize::MAX);
            let pruned = history::prune(&args.root.root, keep)?;
            if pruned.removed.is_empty() {
                writeln!(stdout, "nothing to prune: {} months or fewer", keep)?;
            }
            for month in pruned.removed {
                writeln!(stdout, "removed {}", month)?;
            }
            for warning in pruned.warnings {
                writeln!(std::io::stderr(), "seatwise: warning: {warning}")?;
            }
        }
    }
    Ok(ExitStatus::Success)
}

fn parse_month(text: Option<&str>, flag: &str) -> anyhow::Result<Option<Month>> {
    match text {
        None => Ok(None),
        Some(text) => match Month::parse(text) {
            Some(month) => Ok(Some(month)),
            None => bail!(UsageError::Invalid(format!(
                "{flag} {text:?} is not a month: write YYYY-MM"
            ))),
        },
    }
}

fn diff(args: &HistoryDiffArgs, stdout: &mut dyn Write) -> anyhow::Result<()> {
    let from = parse_month(args.from.as_deref(), "--from")?;
    let to = parse_month(args.to.as_deref(), "--to")?;
    let model = history::diff(&args.root.root, from, to)?;
    if args.json {
        // Written whole: a large comparison is one write, not one per line.
        let mut text = serde_json::to_vec_pretty(&model)?;
        text.push(b'\n');
        stdout.write_all(&text)?;
    } else {
        stdout.write_all(render::diff(&model).as_bytes())?;
    }
    Ok(())
}

/// Records the audit folder `audit` into the history root `root`, saying what was done;
/// warnings go to stderr too.
pub fn record_into(root: &Path, audit: &Path, stdout: &mut dyn Write) -> anyhow::Result<()> {
    let recorded = history::record(root, audit, &record_options())?;
    for warning in &recorded.warnings {
        writeln!(
            std::io::stderr(),
            "seatwise: warning: {}: {warning}",
            recorded.month
        )?;
    }
    writeln!(stdout, "{}", recorded_line(&recorded))?;
    Ok(())
}

/// How a recording is run: with the test-only fault `SEATWISE_FAULT` names, if any.
pub fn record_options() -> RecordOptions {
    RecordOptions {
        fault: std::env::var(Fault::VARIABLE)
            .ok()
            .and_then(|text| Fault::parse(&text)),
    }
}

/// The line saying what recording did.
pub fn recorded_line(recorded: &Recorded) -> String {
    format!(
        "history: {} {} in {}",
        if recorded.replaced {
            "replaced"
        } else {
            "recorded"
        },
        recorded.month,
        recorded.folder.display()
    )
}

/// History is kept per tenant: a snapshot that does not name its tenant is refused before
/// the audit runs.
pub fn require_tenant(snapshot: &Snapshot) -> anyhow::Result<()> {
    let named = snapshot
        .metadata
        .tenant_id
        .as_deref()
        .is_some_and(|tenant| !tenant.trim().is_empty());
    if !named {
        return Err(HistoryError::MissingTenant {
            path: snapshot.dir.join("snapshot.json"),
            field: "tenantId".to_string(),
        }
        .into());
    }
    Ok(())
}
