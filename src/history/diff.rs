//! What changed between two recorded months: one typed model ([`HistoryDiff`]) that the
//! terminal rendering and `history diff --json` both show, with every total computed here
//! once. Findings are paired by (kind, user id, SKU id), idle seats by SKU; a finding whose
//! kind changed is one resolved plus one new. How a finding was resolved is read from the
//! later month's users, holdings and SKU tables. A persisting finding's age counts the
//! consecutive recorded months, up to the later month, that hold it ([`super::ages`]). A
//! license held again after a month without it is a returned license.

use super::ages::month_ages;
use super::cohorts::Cohorts;
use super::month_tables::{FindingKey, FindingRow, MonthTables, SkuState};
pub use super::resolution::Resolution;
use super::resolution::resolution;
pub use super::returned::ReturnedLicense;
use super::returned::returned;
use super::store::month_folders;
use super::{HistoryError, Month, MonthManifest};
use crate::analyze::{FindingKind, FindingReason};
use crate::model::guid::Guid;
use crate::money::Money;
use chrono::NaiveDate;
use foldhash::{HashMap, HashMapExt};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub const SCHEMA: &str = "seatwise.history-diff/1";

/// The comparison of two months.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryDiff {
    /// Always [`SCHEMA`].
    pub schema: String,
    pub tenant_id: String,
    pub currency: String,
    pub from: MonthInfo,
    pub to: MonthInfo,
    /// Recorded months strictly between the two.
    pub months_between: Vec<Month>,
    /// What a reader should know first (windows that differ, recorded warnings).
    pub warnings: Vec<String>,
    pub totals: DiffTotals,
    pub money: MoneyChanges,
    /// In the later month only; sorted by kind, user principal name, SKU part number.
    pub new: Vec<DiffFinding>,
    /// In the earlier month only.
    pub resolved: Vec<ResolvedFinding>,
    /// In both, as the later month has them.
    pub persisting: Vec<PersistingFinding>,
    /// Licenses held again by the same user after a month without them.
    pub returned: Vec<ReturnedLicense>,
    /// SKUs whose purchased seats or monthly cost changed.
    pub seats: Vec<SeatChange>,
    pub cohorts: Cohorts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthInfo {
    pub month: Month,
    pub as_of: NaiveDate,
    pub window_days: u32,
    pub findings: usize,
}

/// Counts, computed once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffTotals {
    pub new: usize,
    pub resolved: usize,
    pub persisting: usize,
    pub returned: usize,
    /// Every kind present.
    pub by_kind: BTreeMap<FindingKind, KindTotals>,
    /// Resolved findings by how they were resolved.
    pub resolved_by: BTreeMap<Resolution, usize>,
    /// Σ of the seat increases over SKUs.
    pub seats_bought: i64,
    /// Σ of the seat decreases over SKUs (a positive count).
    pub seats_cut: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KindTotals {
    pub new: usize,
    pub resolved: usize,
    pub persisting: usize,
}

/// Money between the months; amounts from the months' summaries (rounded to cents, as
/// findings.json has them) and from the findings (exact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoneyChanges {
    pub monthly_cost: Change,
    pub monthly_savings: Change,
    pub monthly_cost_to_comply: Change,
    /// Σ of the saving kinds' amounts among the new findings.
    pub new_savings: Money,
    /// Σ of the saving kinds' amounts among the resolved findings (as the earlier month had them).
    pub resolved_savings: Money,
    pub new_cost_to_comply: Money,
    pub resolved_cost_to_comply: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Change {
    pub from: Money,
    pub to: Money,
    /// `to − from`; negative when it fell.
    pub change: Money,
}

impl Change {
    fn of(from: Money, to: Money) -> Change {
        Change {
            from,
            to,
            change: Money(to.0 - from.0),
        }
    }
}

/// A finding as the comparison shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffFinding {
    pub kind: FindingKind,
    pub user_id: Option<Guid>,
    pub user_principal_name: Option<String>,
    pub sku_id: Guid,
    pub sku_part_number: String,
    pub reason: Option<FindingReason>,
    pub seats: Option<i64>,
    pub monthly_amount: Money,
}

impl From<&FindingRow> for DiffFinding {
    fn from(row: &FindingRow) -> Self {
        DiffFinding {
            kind: row.key.kind,
            user_id: row.key.user_id,
            user_principal_name: row.user_principal_name.clone(),
            sku_id: row.key.sku_id,
            sku_part_number: row.sku_part_number.clone(),
            reason: row.reason.clone(),
            seats: row.seats,
            monthly_amount: row.monthly_amount,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedFinding {
    #[serde(flatten)]
    pub finding: DiffFinding,
    pub resolution: Resolution,
    /// The kind the same user and SKU carry in the later month, if another.
    pub now_kind: Option<FindingKind>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersistingFinding {
    #[serde(flatten)]
    pub finding: DiffFinding,
    /// Consecutive recorded months, ending with the later month, that hold the finding.
    pub age_months: usize,
    /// The amount now minus the amount before.
    pub amount_change: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatChange {
    pub sku_id: Guid,
    pub sku_part_number: String,
    pub from_seats: i64,
    pub to_seats: i64,
    /// `to_seats − from_seats`: seats bought when positive, cut when negative.
    pub change: i64,
    pub monthly_cost_change: Money,
}

/// Compares the months `from` and `to` of the history root `root`. Without `to`, the latest
/// month; without `from`, the month recorded before `to`.
pub fn diff(
    root: &Path,
    from: Option<Month>,
    to: Option<Month>,
) -> Result<HistoryDiff, HistoryError> {
    let folders = month_folders(root)?;
    let range = |problem: String| HistoryError::Range {
        root: root.to_path_buf(),
        problem,
    };
    let position = |month: Month| {
        folders
            .iter()
            .position(|(found, _)| *found == month)
            .ok_or_else(|| HistoryError::NoSuchMonth {
                root: root.to_path_buf(),
                month,
                available: folders.iter().map(|(month, _)| month.to_string()).collect(),
            })
    };
    let to_index = match to {
        Some(month) => position(month)?,
        None => folders.len().checked_sub(1).ok_or_else(|| {
            range("holds no month yet\nhint: record audits with `seatwise audit SNAPSHOT --history` or `seatwise history record AUDIT_DIR`".to_string())
        })?,
    };
    let from_index = match from {
        Some(month) => position(month)?,
        None => to_index.checked_sub(1).ok_or_else(|| {
            range(format!(
                "holds no month before {}: a comparison needs two months",
                folders[to_index].0
            ))
        })?,
    };
    if from_index >= to_index {
        return Err(range(format!(
            "--from {} is not before --to {}",
            folders[from_index].0, folders[to_index].0
        )));
    }
    // The two months are read side by side.
    let (earlier, later) = std::thread::scope(|scope| {
        let earlier =
            scope.spawn(|| MonthTables::read(folders[from_index].0, &folders[from_index].1));
        let later = MonthTables::read(folders[to_index].0, &folders[to_index].1);
        let earlier = earlier
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (earlier, later)
    });
    let (earlier, later) = (earlier?, later?);
    let history = &folders[..=to_index];

    let mut warnings = Vec::new();
    if earlier.manifest.window_days != later.manifest.window_days {
        warnings.push(format!(
            "the windows differ ({} days in {}, {} days in {}): activity is not measured alike",
            earlier.manifest.window_days, earlier.month, later.manifest.window_days, later.month
        ));
    }

    let before: HashMap<&FindingKey, &FindingRow> =
        earlier.findings.iter().map(|row| (&row.key, row)).collect();
    let now: HashMap<&FindingKey, &FindingRow> =
        later.findings.iter().map(|row| (&row.key, row)).collect();
    // The kinds new in the later month, by (user, SKU): where a resolved finding went.
    let mut new_kinds: HashMap<(Option<Guid>, Guid), Vec<FindingKind>> = HashMap::new();
    for row in later
        .findings
        .iter()
        .filter(|row| !before.contains_key(&row.key))
    {
        new_kinds
            .entry((row.key.user_id, row.key.sku_id))
            .or_default()
            .push(row.key.kind);
    }

    let new: Vec<DiffFinding> = later
        .findings
        .iter()
        .filter(|row| !before.contains_key(&row.key))
        .map(DiffFinding::from)
        .collect();
    let resolved: Vec<ResolvedFinding> = earlier
        .findings
        .iter()
        .filter(|row| !now.contains_key(&row.key))
        .map(|row| {
            let now_kind = new_kinds
                .get(&(row.key.user_id, row.key.sku_id))
                .and_then(|kinds| kinds.iter().copied().min());
            ResolvedFinding {
                finding: DiffFinding::from(row),
                resolution: resolution(row, &earlier, &later, now_kind),
                now_kind,
            }
        })
        .collect();
    let later_keys: Vec<FindingKey> = later.findings.iter().map(|row| row.key).collect();
    // The ages' lineage is checked against the manifests of every month up to the later one.
    let manifests = history
        .iter()
        .map(|(month, dir)| Ok((*month, MonthManifest::read_findings_sha256(dir)?)))
        .collect::<Result<Vec<_>, HistoryError>>()?;
    let ages = month_ages(history, &manifests, to_index, &later_keys)?;
    let persisting: Vec<PersistingFinding> = later
        .findings
        .iter()
        .zip(&ages)
        .filter_map(|(row, age)| {
            let previous = before.get(&row.key)?;
            Some(PersistingFinding {
                finding: DiffFinding::from(row),
                age_months: *age as usize,
                amount_change: Money(row.monthly_amount.0 - previous.monthly_amount.0),
            })
        })
        .collect();
    let returned = returned(history, from_index, &earlier, &later)?;
    let seats = seat_changes(&earlier, &later);
    let cohorts = Cohorts::build(&earlier, &later);

    let mut by_kind: BTreeMap<FindingKind, KindTotals> = FindingKind::ALL
        .into_iter()
        .map(|kind| (kind, KindTotals::default()))
        .collect();
    for finding in &new {
        by_kind.entry(finding.kind).or_default().new += 1;
    }
    for finding in &resolved {
        by_kind.entry(finding.finding.kind).or_default().resolved += 1;
    }
    for finding in &persisting {
        by_kind.entry(finding.finding.kind).or_default().persisting += 1;
    }
    let mut resolved_by: BTreeMap<Resolution, usize> = BTreeMap::new();
    for finding in &resolved {
        *resolved_by.entry(finding.resolution).or_default() += 1;
    }
    let sum = |findings: &mut dyn Iterator<Item = &DiffFinding>, saving: bool| -> Money {
        findings
            .filter(|finding| {
                if saving {
                    finding.kind.is_saving()
                } else {
                    finding.kind == FindingKind::MissingPremium
                }
            })
            .map(|finding| finding.monthly_amount)
            .sum()
    };
    let (summary_before, summary_now) = (&earlier.manifest.summary, &later.manifest.summary);
    let money = MoneyChanges {
        monthly_cost: Change::of(summary_before.monthly_cost, summary_now.monthly_cost),
        monthly_savings: Change::of(summary_before.monthly_savings, summary_now.monthly_savings),
        monthly_cost_to_comply: Change::of(
            summary_before.monthly_cost_to_comply,
            summary_now.monthly_cost_to_comply,
        ),
        new_savings: sum(&mut new.iter(), true),
        resolved_savings: sum(&mut resolved.iter().map(|found| &found.finding), true),
        new_cost_to_comply: sum(&mut new.iter(), false),
        resolved_cost_to_comply: sum(&mut resolved.iter().map(|found| &found.finding), false),
    };
    let totals = DiffTotals {
        new: new.len(),
        resolved: resolved.len(),
        persisting: persisting.len(),
        returned: returned.len(),
        by_kind,
        resolved_by,
        seats_bought: seats.iter().map(|seat| seat.change.max(0)).sum(),
        seats_cut: seats.iter().map(|seat| (-seat.change).max(0)).sum(),
    };
    let info = |tables: &MonthTables| MonthInfo {
        month: tables.month,
        as_of: tables.manifest.as_of,
        window_days: tables.manifest.window_days,
        findings: tables.findings.len(),
    };
    Ok(HistoryDiff {
        schema: SCHEMA.to_string(),
        tenant_id: later.manifest.tenant_id.clone(),
        currency: later.manifest.currency.clone(),
        from: info(&earlier),
        to: info(&later),
        months_between: folders[from_index + 1..to_index]
            .iter()
            .map(|(month, _)| *month)
            .collect(),
        warnings,
        totals,
        money,
        new,
        resolved,
        persisting,
        returned,
        seats,
        cohorts,
    })
}

fn seat_changes(earlier: &MonthTables, later: &MonthTables) -> Vec<SeatChange> {
    let ids: BTreeSet<&Guid> = earlier.skus.keys().chain(later.skus.keys()).collect();
    let mut changes: Vec<SeatChange> = ids
        .into_iter()
        .filter_map(|id| {
            let (before, now) = (earlier.skus.get(id), later.skus.get(id));
            let seats = |state: Option<&SkuState>| state.map_or(0, |state| state.purchased_seats);
            let cost = |state: Option<&SkuState>| state.map_or(Money::ZERO, SkuState::monthly_cost);
            let change = seats(now) - seats(before);
            let cost_change = Money(cost(now).0 - cost(before).0);
            (change != 0 || cost_change != Money::ZERO).then(|| SeatChange {
                sku_id: *id,
                sku_part_number: now
                    .or(before)
                    .map_or_else(|| id.to_string(), |state| state.sku_part_number.clone()),
                from_seats: seats(before),
                to_seats: seats(now),
                change,
                monthly_cost_change: cost_change,
            })
        })
        .collect();
    changes.sort_by(|left, right| {
        (&left.sku_part_number, &left.sku_id).cmp(&(&right.sku_part_number, &right.sku_id))
    });
    changes
}
