//! `seatwise approve`: record an approval bound to the plan folder's exact bytes, signed with
//! an SSH key when asked.

use super::ExitStatus;
use crate::cli::ApproveArgs;
use seatwise::act::approval::{approve, read_plan, valid_approvers};
use std::io::Write;

pub fn run(args: &ApproveArgs, stdout: &mut dyn Write) -> anyhow::Result<ExitStatus> {
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let approval = approve(
        &args.plan,
        &args.by,
        args.note.as_deref(),
        &now,
        args.sign_with.as_deref(),
    )?;
    let plan = read_plan(&args.plan)?;
    let approvers = valid_approvers(&args.plan)?;
    writeln!(
        stdout,
        "approved by {}{} ({}); {} of {} required approvals",
        approval.by,
        if approval.signature.is_some() {
            ", signed"
        } else {
            ""
        },
        approval.plan_sha256,
        approvers.len(),
        plan.required_approvals
    )?;
    Ok(ExitStatus::Success)
}
