//! `seatwise approve`: record an approval bound to the plan's exact bytes.

use super::ExitStatus;
use crate::cli::ApproveArgs;
use seatwise::act::approval::{approve, read_plan, valid_approvers};
use std::io::Write;

pub fn run(args: &ApproveArgs, stdout: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let approval = approve(&args.plan, &args.by, args.note.as_deref(), &now)?;
    let plan = read_plan(&args.plan)?;
    let approvers = valid_approvers(&args.plan)?;
    writeln!(
        stdout,
        "approved by {} ({}); {} of {} required approvals",
        approval.by,
        approval.plan_sha256,
        approvers.len(),
        plan.required_approvals
    )?;
    Ok(ExitStatus::Success)
}
