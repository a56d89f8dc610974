//! Approvals: who approved which exact plan. An approval records the SHA-256 of `plan.json`'s
//! bytes; change one byte and it no longer counts. They live beside the plan in
//! `approvals.json`, so approving never edits the plan itself.

use crate::contract::plan::{self, Plan, PlanFileError, file_sha256};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub by: String,
    pub at: String,
    pub note: Option<String>,
    pub plan_sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    #[error("{}: cannot read or write: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a seatwise approvals file: {source}", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error(transparent)]
    Plan(#[from] PlanFileError),
    #[error("approver name is empty")]
    NoName,
}

/// `approvals.json` beside a plan.
pub fn approvals_path(plan_path: &Path) -> PathBuf {
    plan_path.with_file_name("approvals.json")
}

/// Reads a plan and checks its content hash.
pub fn read_plan(path: &Path) -> Result<Plan, ApprovalError> {
    read_plan_and_sha(path).map(|(plan, _)| plan)
}

/// Reads a plan once: the plan, checked against its schema and content hash, and the SHA-256
/// of the very bytes parsed (what approvals bind to), so the file cannot change between the
/// two.
pub fn read_plan_and_sha(path: &Path) -> Result<(Plan, String), ApprovalError> {
    Ok(plan::read(path)?)
}

pub fn read_approvals(plan_path: &Path) -> Result<Vec<Approval>, ApprovalError> {
    let path = approvals_path(plan_path);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let bytes = std::fs::read(&path).map_err(|source| ApprovalError::Io {
        path: path.clone(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| ApprovalError::Parse { path, source })
}

/// Records an approval of the plan as it is now.
pub fn approve(
    plan_path: &Path,
    by: &str,
    note: Option<&str>,
    at: &str,
) -> Result<Approval, ApprovalError> {
    if by.trim().is_empty() {
        return Err(ApprovalError::NoName);
    }
    read_plan(plan_path)?;
    let plan_sha256 = file_sha256(plan_path).map_err(|source| ApprovalError::Io {
        path: plan_path.to_path_buf(),
        source,
    })?;
    let mut approvals = read_approvals(plan_path)?;
    let approval = Approval {
        by: by.trim().to_string(),
        at: at.to_string(),
        note: note.map(str::to_string),
        plan_sha256,
    };
    approvals.retain(|existing| {
        !(existing.by.eq_ignore_ascii_case(&approval.by)
            && existing.plan_sha256 == approval.plan_sha256)
    });
    approvals.push(approval.clone());
    let path = approvals_path(plan_path);
    let mut text = serde_json::to_string_pretty(&approvals).unwrap_or_default();
    text.push('\n');
    std::fs::write(&path, text).map_err(|source| ApprovalError::Io { path, source })?;
    Ok(approval)
}

/// The distinct approvers (compared without case, named as they first approved) whose approval
/// matches the plan's current bytes.
pub fn valid_approvers(plan_path: &Path) -> Result<Vec<String>, ApprovalError> {
    let current = file_sha256(plan_path).map_err(|source| ApprovalError::Io {
        path: plan_path.to_path_buf(),
        source,
    })?;
    approvers_of(plan_path, &current)
}

/// The distinct approvers of the plan bytes whose SHA-256 is `plan_sha256`.
pub fn approvers_of(plan_path: &Path, plan_sha256: &str) -> Result<Vec<String>, ApprovalError> {
    let mut names: Vec<String> = Vec::new();
    for approval in read_approvals(plan_path)? {
        if approval.plan_sha256 == plan_sha256
            && !names
                .iter()
                .any(|name| name.eq_ignore_ascii_case(&approval.by))
        {
            names.push(approval.by);
        }
    }
    Ok(names)
}
