//! The report's history (SPEC §6, §7): given a history root, the model gains the trend of the
//! last recorded months up to its as-of month and what changed since the month recorded
//! before it. Both are computed here once, by the history library; the renderers only show
//! them. A history root of another tenant or currency is refused, as recording refuses it.

use super::model::ReportModel;
use crate::history::manifest::FILE_NAME as MANIFEST_FILE;
use crate::history::store::month_folders;
use crate::history::{self, HistoryError, Month, MonthManifest};
use std::path::Path;

impl ReportModel {
    /// The model with the trend and the changes of the history root `root`. The changes are
    /// `None` unless the as-of month and a month before it are recorded; the trend is `None`
    /// when no month up to the as-of month is.
    pub fn with_history(mut self, root: &Path) -> Result<ReportModel, HistoryError> {
        let month = Month::of(self.context.window.as_of);
        let folders = month_folders(root)?;
        let Some(position) = folders.iter().rposition(|(found, _)| *found <= month) else {
            self.trend = None;
            self.changes = None;
            return Ok(self);
        };
        let (latest, dir) = &folders[position];
        let manifest = MonthManifest::read(dir)?;
        let mismatch = |field: &str, what, found: &str, expected: &str| HistoryError::Mismatch {
            path: dir.join(MANIFEST_FILE),
            field: field.to_string(),
            what,
            found: found.to_string(),
            expected: expected.to_string(),
            month: *latest,
        };
        if let Some(tenant) = &self.context.tenant_id
            && *tenant != manifest.tenant_id
        {
            return Err(mismatch("tenant_id", "tenant", tenant, &manifest.tenant_id));
        }
        if self.context.currency != manifest.currency {
            return Err(mismatch(
                "currency",
                "currency",
                &self.context.currency,
                &manifest.currency,
            ));
        }
        self.trend = Some(history::trend(root, month)?);
        self.changes = if *latest == month && position > 0 {
            Some(history::diff(root, None, Some(month))?)
        } else {
            None
        };
        Ok(self)
    }

    /// Drops the users the changes list by name (new, resolved, persisting and returned
    /// findings, the cohorts' members), keeping every count and amount: a redacted report
    /// shows no real identifier.
    pub fn without_named_changes(mut self) -> ReportModel {
        if let Some(changes) = &mut self.changes {
            changes.new.clear();
            changes.resolved.clear();
            changes.persisting.clear();
            changes.returned.clear();
            changes.cohorts.reactivated.clear();
            changes.cohorts.lapsed.clear();
            changes.cohorts.reclaimed.clear();
        }
        self
    }
}
