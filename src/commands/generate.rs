//! `seatwise generate`: write a synthetic tenant snapshot.

use super::{ExitStatus, parse_date, today_utc};
use crate::cli::GenerateArgs;
use seatwise::generate::{GenerateConfig, generate};
use std::io::Write;

pub fn run(args: &GenerateArgs, stdout: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    let as_of = match &args.as_of {
        Some(text) => parse_date(text, "--as-of")?,
        None => today_utc(),
    };
    let config = GenerateConfig {
        users: args.users,
        seed: args.seed,
        as_of,
    };
    let summary = generate(&config, &args.out)?;
    writeln!(
        stdout,
        "wrote {}: {} users, {} groups, {} apps, {} audit rows in {} files",
        args.out.display(),
        summary.users,
        summary.groups,
        summary.apps,
        summary.audit_rows,
        summary.audit_files
    )?;
    Ok(ExitStatus::Success)
}
