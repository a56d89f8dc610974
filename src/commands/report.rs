//! `seatwise report`: the finance report of an audit folder, rebuilt from its tables and
//! `findings.json` alone (the snapshot is not read again).

use super::{ExitStatus, UsageError};
use crate::cli::ReportArgs;
use anyhow::{Context, bail};
use seatwise::report::{ReportModel, ReportOptions, UserAttribute, write_report};
use std::io::Write;

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
    let model = ReportModel::from_audit_folder(&args.audit, &options)?;
    let out = args.out.clone().unwrap_or_else(|| args.audit.clone());
    std::fs::create_dir_all(&out)
        .with_context(|| format!("{}: cannot create the report folder", out.display()))?;
    for path in write_report(&out, &model)? {
        writeln!(stdout, "wrote {}", path.display())?;
    }
    Ok(ExitStatus::Success)
}
