//! The history root on disk: recording an audit as a month, listing the months, pruning old
//! ones. A month is written into a hidden staging folder and renamed into place
//! ([`StagedFolder`]), under the root's lock, so a reader or a killed run never sees half a
//! month; recording a month again replaces it whole. One root holds one tenant in one
//! currency: a month that disagrees is refused before anything is written. Recording a month
//! also carries the findings' ages forward into it and into the months recorded after it,
//! and pruning carries them again from the oldest month kept ([`super::ages`]); a failure
//! there leaves stale ages that readers recognise and carry forward themselves.

use super::ages;
use super::lock::HistoryLock;
use super::manifest::{self, MonthManifest};
use super::month_tables::{FindingKey, finding_keys, read_finding_keys};
use super::{HistoryError, Month};
use crate::contract::findings::{self, FindingsSummary};
use crate::report::AuditTables;
use crate::report::audit_folder::FINDINGS_FILE;
use crate::report::tables::{self, Table};
use crate::support::folder::StagedFolder;
use crate::support::folder::write_file_whole;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A deliberate failure, for tests of what a killed write leaves behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Abort the process after the tables are staged, before the manifest and the rename.
    AfterTables,
}

impl Fault {
    /// The environment variable that asks for a fault (`history-after-tables`).
    pub const VARIABLE: &'static str = "SEATWISE_FAULT";

    pub fn parse(text: &str) -> Option<Fault> {
        (text == "history-after-tables").then_some(Fault::AfterTables)
    }
}

#[derive(Debug, Clone, Default)]
pub struct RecordOptions {
    pub fault: Option<Fault>,
}

/// What recording did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub month: Month,
    pub folder: PathBuf,
    /// An earlier recording of the month was replaced.
    pub replaced: bool,
    /// What a reader of the month should know (also in the manifest), then what went wrong
    /// after the month was in place (only here: the later months' ages not carried forward).
    pub warnings: Vec<String>,
}

/// What pruning did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// The months removed, oldest first.
    pub removed: Vec<Month>,
    /// What went wrong after they were removed (the ages not carried forward again).
    pub warnings: Vec<String>,
}

/// Records the audit folder `audit` (its findings.json and typed tables) as the month of its
/// as-of date in the history root `root`.
pub fn record(
    root: &Path,
    audit: &Path,
    options: &RecordOptions,
) -> Result<Recorded, HistoryError> {
    let findings_path = audit.join(FINDINGS_FILE);
    let (document, findings_id) = findings::read(&findings_path)?;
    let tenant_id = document
        .snapshot
        .tenant_id
        .clone()
        .filter(|tenant| !tenant.trim().is_empty())
        .ok_or_else(|| HistoryError::MissingTenant {
            path: findings_path.clone(),
            field: "snapshot.tenant_id".to_string(),
        })?;
    let tables = AuditTables::read(audit)?;
    // The findings' keys pair them across months: an id that is not a GUID is refused here,
    // naming the audit's table, before anything in the root changes.
    let keys = finding_keys(audit, tables.get(Table::Findings)).map_err(|error| match error {
        HistoryError::Damaged { path, problem } => HistoryError::BadAudit { path, problem },
        other => other,
    })?;
    let month = Month::of(document.as_of);

    let _lock = HistoryLock::acquire(root)?;
    let months = read_months(root)?;
    let mismatch =
        |field: &str, what, found: &str, expected: &str, other: Month| HistoryError::Mismatch {
            path: findings_path.clone(),
            field: field.to_string(),
            what,
            found: found.to_string(),
            expected: expected.to_string(),
            month: other,
        };
    for (other, existing) in months.iter().filter(|(other, _)| *other != month) {
        if existing.tenant_id != tenant_id {
            return Err(mismatch(
                "snapshot.tenant_id",
                "tenant",
                &tenant_id,
                &existing.tenant_id,
                *other,
            ));
        }
        if existing.currency != document.currency {
            return Err(mismatch(
                "currency",
                "currency",
                &document.currency,
                &existing.currency,
                *other,
            ));
        }
    }
    let mut warnings = Vec::new();
    if let Some((previous, existing)) = months.iter().rev().find(|(other, _)| *other < month)
        && existing.window_days != document.window_days
    {
        warnings.push(format!(
            "the window is {} days, {previous} used {} days: findings and activity of the two months are not measured alike",
            document.window_days, existing.window_days
        ));
    }
    let manifest = MonthManifest {
        schema: manifest::SCHEMA.to_string(),
        month,
        tenant_id,
        as_of: document.as_of,
        window_days: document.window_days,
        window_first_day: document.window_first_day,
        currency: document.currency.clone(),
        audit_generator: document.generator.clone(),
        recorded_by: format!("seatwise {}", env!("CARGO_PKG_VERSION")),
        audit_path: audit.display().to_string(),
        findings_sha256: findings_id,
        snapshot_path: document.snapshot.path.clone(),
        collected_at: document.snapshot.collected_at.clone(),
        inputs: document.snapshot.inputs.clone(),
        summary: document.summary.clone(),
        warnings: warnings.clone(),
    };

    let folder = root.join(month.folder_name());
    let replaced = folder.exists();
    let folders = month_folders(root)?;
    // The months before this one and its own manifest: the history its ages are carried
    // through.
    let hash_of =
        |(other, manifest): &(Month, MonthManifest)| (*other, manifest.findings_sha256.clone());
    let mut history: Vec<(Month, String)> = months
        .iter()
        .filter(|(other, _)| *other < month)
        .map(hash_of)
        .collect();
    let earlier = &folders[..history.len()];
    let month_ages = match history.len().checked_sub(1) {
        None => ages::carry_forward(None, &keys),
        Some(previous) => {
            let previous_keys = read_finding_keys(&earlier[previous].1)?;
            let previous_ages = ages::month_ages(earlier, &history, previous, &previous_keys)?;
            ages::carry_forward(Some((&previous_keys, &previous_ages)), &keys)
        }
    };
    let lineage = ages::lineage(&history, history.len());
    let staged = StagedFolder::begin(&folder)?;
    for table in Table::ALL {
        let path = staged.path().join(table.file_name());
        write_synced(&path, |writer| {
            tables::write_table(table, tables.get(table), &mut *writer)
                .map_err(std::io::Error::other)
        })?;
    }
    write_synced(&staged.path().join(ages::FILE_NAME), |writer| {
        ages::write(&month_ages, &lineage, &mut *writer).map_err(std::io::Error::other)
    })?;
    if options.fault == Some(Fault::AfterTables) {
        // A kill in the middle of a write: nothing is cleaned up, as after a real one.
        std::process::abort();
    }
    let text = manifest.to_json().map_err(|error| HistoryError::Manifest {
        path: staged.path().join(manifest::FILE_NAME),
        problem: error.to_string(),
    })?;
    write_synced(&staged.path().join(manifest::FILE_NAME), |writer| {
        writer.write_all(text.as_bytes())
    })?;
    staged.commit()?;
    history.push((month, manifest.findings_sha256.clone()));
    let later_start = history.len();
    history.extend(
        months
            .iter()
            .filter(|(other, _)| *other > month)
            .map(hash_of),
    );
    let mut all_folders = folders[..later_start - 1].to_vec();
    all_folders.push((month, folder.clone()));
    all_folders.extend(folders.into_iter().filter(|(other, _)| *other > month));
    if let Err(error) = carry_ages_into(&all_folders, &history, later_start, keys, month_ages) {
        warnings.push(format!(
            "the later months' ages were not carried forward ({error}); comparisons carry them forward when they read them"
        ));
    }
    Ok(Recorded {
        month,
        folder,
        replaced,
        warnings,
    })
}

/// Carries the ages forward into the months of `folders` from `from` on; the month before
/// `from` has findings with `keys` and `month_ages`, and `history` holds every month with
/// the SHA-256 of its `findings.json`. Each month's file is replaced whole.
fn carry_ages_into(
    folders: &[(Month, PathBuf)],
    history: &[(Month, String)],
    from: usize,
    mut keys: Vec<FindingKey>,
    mut month_ages: Vec<u32>,
) -> Result<(), HistoryError> {
    for (index, (_, dir)) in folders.iter().enumerate().skip(from) {
        let next_keys = read_finding_keys(dir)?;
        let next_ages = ages::carry_forward(Some((&keys, &month_ages)), &next_keys);
        write_ages_file(dir, &next_ages, &ages::lineage(history, index))?;
        (keys, month_ages) = (next_keys, next_ages);
    }
    Ok(())
}

/// Replaces the ages file of the month folder `dir` whole.
fn write_ages_file(
    dir: &Path,
    month_ages: &[u32],
    lineage: &ages::Lineage,
) -> Result<(), HistoryError> {
    let path = dir.join(ages::FILE_NAME);
    let mut bytes = Vec::new();
    ages::write(month_ages, lineage, &mut bytes).map_err(|error| HistoryError::Damaged {
        path: path.clone(),
        problem: error.to_string(),
    })?;
    Ok(write_file_whole(&path, &bytes)?)
}

fn write_synced(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), HistoryError> {
    let file = std::fs::File::create(path).map_err(HistoryError::io(path))?;
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
    fill(&mut writer).map_err(HistoryError::io(path))?;
    let file = writer
        .into_inner()
        .map_err(|error| HistoryError::io(path)(error.into_error()))?;
    file.sync_all().map_err(HistoryError::io(path))
}

/// The month folders of `root` (`month=YYYY-MM`), oldest first; none when `root` does not
/// exist. Hidden entries (staging folders, the lock) and other names are not months.
pub fn month_folders(root: &Path) -> Result<Vec<(Month, PathBuf)>, HistoryError> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(HistoryError::Io {
                path: root.to_path_buf(),
                source,
            });
        }
    };
    let mut months = Vec::new();
    for entry in entries {
        let entry = entry.map_err(HistoryError::io(root))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(month) = Month::from_folder_name(&name)
            && entry.path().is_dir()
        {
            months.push((month, entry.path()));
        }
    }
    months.sort();
    Ok(months)
}

/// Every month's manifest, oldest first.
pub fn read_months(root: &Path) -> Result<Vec<(Month, MonthManifest)>, HistoryError> {
    month_folders(root)?
        .into_iter()
        .map(|(month, dir)| Ok((month, MonthManifest::read(&dir)?)))
        .collect()
}

/// One line of `history list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthEntry {
    pub month: Month,
    pub as_of: chrono::NaiveDate,
    pub tenant_id: String,
    pub window_days: u32,
    pub currency: String,
    pub findings: usize,
    pub summary: FindingsSummary,
    pub warnings: Vec<String>,
}

/// The months of `root`, oldest first.
pub fn list(root: &Path) -> Result<Vec<MonthEntry>, HistoryError> {
    Ok(read_months(root)?
        .into_iter()
        .map(|(month, manifest)| MonthEntry {
            month,
            as_of: manifest.as_of,
            tenant_id: manifest.tenant_id,
            window_days: manifest.window_days,
            currency: manifest.currency,
            findings: manifest.summary.findings.values().sum(),
            summary: manifest.summary,
            warnings: manifest.warnings,
        })
        .collect())
}

/// Removes all but the `keep` latest months of `root`. A month is renamed aside (hidden)
/// before it is deleted, so it never appears half removed. The ages are then carried forward
/// again from the oldest month kept; a failure there is a warning, as the months are gone and
/// stale ages are recognised when read.
pub fn prune(root: &Path, keep: usize) -> Result<Pruned, HistoryError> {
    let _lock = HistoryLock::acquire(root)?;
    let months = month_folders(root)?;
    let excess = months.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for (month, dir) in months.into_iter().take(excess) {
        let aside = root.join(format!(
            ".{}.pruned-{}",
            month.folder_name(),
            std::process::id()
        ));
        std::fs::rename(&dir, &aside).map_err(HistoryError::io(&dir))?;
        std::fs::remove_dir_all(&aside).map_err(HistoryError::io(&aside))?;
        removed.push(month);
    }
    let mut warnings = Vec::new();
    if !removed.is_empty()
        && let Err(error) = restart_ages(root)
    {
        warnings.push(format!(
            "the ages were not carried forward again from the oldest month kept ({error}); comparisons carry them forward when they read them"
        ));
    }
    Ok(Pruned { removed, warnings })
}

/// Ages count recorded months: the oldest month of `root` starts them again.
fn restart_ages(root: &Path) -> Result<(), HistoryError> {
    let folders = month_folders(root)?;
    let history: Vec<(Month, String)> = read_months(root)?
        .into_iter()
        .map(|(month, manifest)| (month, manifest.findings_sha256))
        .collect();
    let Some((_, first)) = folders.first() else {
        return Ok(());
    };
    let keys = read_finding_keys(first)?;
    let first_ages = ages::carry_forward(None, &keys);
    write_ages_file(first, &first_ages, &Vec::new())?;
    carry_ages_into(&folders, &history, 1, keys, first_ages)
}

/// The folder of `month` in `root`, which must be recorded.
pub fn month_folder(root: &Path, month: Month) -> Result<PathBuf, HistoryError> {
    let folders = month_folders(root)?;
    folders
        .iter()
        .find(|(found, _)| *found == month)
        .map(|(_, dir)| dir.clone())
        .ok_or_else(|| HistoryError::NoSuchMonth {
            root: root.to_path_buf(),
            month,
            available: folders.iter().map(|(month, _)| month.to_string()).collect(),
        })
}
