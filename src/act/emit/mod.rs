//! Writers of a plan for people and tools: CSV for review, a Microsoft Graph PowerShell SDK
//! script, Graph JSON `$batch` bodies, and the notices people get before a removal.

pub mod batch;
pub mod notices;
pub mod powershell;
pub mod review_csv;

use super::Plan;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("{}: cannot write: {source}", path.display())]
pub struct EmitError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), EmitError> {
    std::fs::write(path, bytes).map_err(|source| EmitError {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `plan.json` at `plan_path` and every other form beside it; returns the paths.
pub fn write_all(plan: &Plan, plan_path: &Path) -> Result<Vec<PathBuf>, EmitError> {
    let dir = match plan_path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|source| EmitError {
        path: dir.clone(),
        source,
    })?;
    let mut written = Vec::new();
    write(plan_path, plan.to_json().as_bytes())?;
    written.push(plan_path.to_path_buf());
    for (name, bytes) in [
        ("plan.csv", review_csv::render(plan)),
        ("plan.ps1", powershell::render(plan).into_bytes()),
        ("notices.csv", notices::render(plan)),
    ] {
        let path = dir.join(name);
        write(&path, &bytes)?;
        written.push(path);
    }
    let batch_dir = dir.join("batch");
    if batch_dir.exists() {
        std::fs::remove_dir_all(&batch_dir).map_err(|source| EmitError {
            path: batch_dir.clone(),
            source,
        })?;
    }
    let batches = batch::batches(plan);
    if !batches.is_empty() {
        std::fs::create_dir_all(&batch_dir).map_err(|source| EmitError {
            path: batch_dir.clone(),
            source,
        })?;
    }
    for (index, body) in batches.iter().enumerate() {
        let path = batch_dir.join(format!("batch-{:03}.json", index + 1));
        let mut text = serde_json::to_string_pretty(body).unwrap_or_default();
        text.push('\n');
        write(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}
