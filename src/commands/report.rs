//! `seatwise report`: the finance report of an audit folder, rebuilt from its tables and
//! `findings.json` alone (the snapshot is not read again). With `--redact` the tables are
//! pseudonymised before the model is built, so no renderer ever sees a real identifier, and
//! the report is written whole into a folder of its own. With `--history` the report also
//! shows the trend of the recorded months and what changed since the month before.

use super::{ExitStatus, UsageError};
use crate::cli::ReportArgs;
use anyhow::{Context, bail};
use seatwise::report::audit_folder::{AuditFolderError, read_context};
use seatwise::report::redact::{KEY_VARIABLE, Redactor};
use seatwise::report::{
    AuditTables, REPORT_FILES, ReportModel, ReportOptions, UserAttribute, write_report,
};
use seatwise::support::folder::{StagedFolder, entry_names};
use std::io::Write;
use std::path::Path;

pub fn run(args: &ReportArgs, stdout: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    let Some(by) = UserAttribute::parse(&args.by) else {
        bail!(UsageError::Invalid(format!(
            "--by {:?} is not a chargeback attribute; attributes are: {}",
            args.by,
            UserAttribute::ALL.map(UserAttribute::graph_name).join(", ")
        )));
    };
    let options = ReportOptions {
        by,
        ..ReportOptions::default()
    };
    let redactor = if args.redact {
        Some(Redactor::from_file_or_environment(
            args.redact_key_file.as_deref(),
            std::env::var(KEY_VARIABLE).ok(),
        )?)
    } else {
        None
    };
    let out = args.out.clone().unwrap_or_else(|| args.audit.clone());
    if redactor.is_some() {
        check_redacted_out(&args.audit, &out)?;
    }

    let (context, quality) = read_context(&args.audit)?;
    let tables = AuditTables::read(&args.audit).map_err(AuditFolderError::from)?;
    let (tables, quality) = match &redactor {
        Some(redactor) => (redactor.tables(&tables)?, redactor.quality(&quality)),
        None => (tables, quality),
    };
    let mut model = ReportModel::build(context, &tables, quality, &options)
        .with_context(|| format!("{}: cannot build the report model", args.audit.display()))?;
    if let Some(root) = &args.history {
        model = model.with_history(root)?;
        if redactor.is_some() {
            model = model.without_named_changes();
        }
    }

    let written = if redactor.is_some() {
        // The redacted report appears whole, in a folder holding nothing else.
        let staged = StagedFolder::begin(&out)?;
        let written = write_report(staged.path(), &model, &tables)?;
        staged.commit()?;
        written
            .iter()
            .filter_map(|path| path.file_name())
            .map(|name| out.join(name))
            .collect()
    } else {
        std::fs::create_dir_all(&out)
            .with_context(|| format!("{}: cannot create the report folder", out.display()))?;
        write_report(&out, &model, &tables)?
    };
    for path in written {
        writeln!(stdout, "wrote {}", path.display())?;
    }
    Ok(ExitStatus::Success)
}

/// A redacted report needs a folder of its own (`--redact` requires `--out`): new, empty or
/// an earlier report holding nothing but report files, and never the audit folder itself.
fn check_redacted_out(audit: &Path, out: &Path) -> anyhow::Result<()> {
    let same = match (audit.canonicalize(), out.canonicalize()) {
        (Ok(audit), Ok(out)) => audit == out,
        _ => false,
    };
    if same {
        bail!(UsageError::Invalid(format!(
            "--out {} is the audit folder: a redacted report needs a folder of its own, or the audit's real names would sit beside it",
            out.display()
        )));
    }
    let foreign: Vec<String> = entry_names(out)?
        .into_iter()
        .filter(|name| !REPORT_FILES.contains(&name.as_str()))
        .collect();
    if !foreign.is_empty() {
        bail!(UsageError::Invalid(format!(
            "--out {} holds files a redacted report does not write ({}); refusing to replace it\nhint: choose a new folder for the redacted report",
            out.display(),
            foreign.join(", ")
        )));
    }
    Ok(())
}
