//! Returned licenses: a (user, SKU) held in the later month, absent in a recorded month from
//! the earlier month on, and held in a month before that absence; a reclaimed license that
//! came back to the same user. Only the pairs held now and missing in the compared range are
//! followed back, so a long history is read only as far as those few pairs need.

use super::HistoryError;
use super::Month;
use super::month_tables::{
    FindingKey, Holdings, MonthTables, read_finding_keys, read_holding_pairs,
};
use crate::analyze::FindingKind;
use crate::model::guid::Guid;
use foldhash::{HashMap, HashMapExt, HashSet};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A license held, then not held for a month or more, then held again by the same user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ReturnedLicense {
    pub user_id: Guid,
    pub user_principal_name: String,
    pub sku_id: Guid,
    pub sku_part_number: String,
    /// The last month it was held before the gap.
    pub held_until: Month,
    /// The first month without it.
    pub absent_from: Month,
    /// It carried a reclaim finding (inactive-holder, unused-premium) in `held_until`.
    pub was_flagged: bool,
}

/// Licenses held in the later month, absent in a recorded month from the earlier month on,
/// and held in some month before that absence.
pub fn returned(
    history: &[(Month, PathBuf)],
    from_index: usize,
    earlier: &MonthTables,
    later: &MonthTables,
) -> Result<Vec<ReturnedLicense>, HistoryError> {
    let to_index = history.len() - 1;
    // The months between the two compared ones are read whole: every pair held now is
    // checked against them.
    let mut between: BTreeMap<usize, Holdings> = BTreeMap::new();
    for (index, (_, dir)) in history
        .iter()
        .enumerate()
        .take(to_index)
        .skip(from_index + 1)
    {
        between.insert(index, read_holding_pairs(dir, None)?);
    }
    let held_between = |index: usize, user: Guid, sku: Guid| {
        if index == from_index {
            earlier.holds(user, sku)
        } else {
            between
                .get(&index)
                .is_some_and(|pairs| pairs.holds(user, sku))
        }
    };
    // Candidates: held now and absent in a month from `from` on (the latest such month),
    // each with the last month before that absence holding it, once found.
    let mut candidates: Vec<Candidate> = Vec::new();
    for (user, sku) in later.holdings.pairs() {
        if let Some(absent) = (from_index..to_index)
            .rev()
            .find(|index| !held_between(*index, user, sku))
        {
            candidates.push(Candidate {
                user,
                sku,
                absent,
                last_held: None,
            });
        }
    }
    // Walk back through the months once, each read only for the candidates' users.
    let latest_absence = candidates.iter().map(|candidate| candidate.absent).max();
    for index in (0..latest_absence.unwrap_or(0)).rev() {
        let open: HashSet<Guid> = candidates
            .iter()
            .filter(|candidate| candidate.last_held.is_none() && candidate.absent > index)
            .map(|candidate| candidate.user)
            .collect();
        if open.is_empty() {
            if candidates
                .iter()
                .all(|candidate| candidate.last_held.is_some())
            {
                break;
            }
            continue;
        }
        let read = if index >= from_index {
            None
        } else {
            Some(read_holding_pairs(&history[index].1, Some(&open))?)
        };
        for candidate in candidates
            .iter_mut()
            .filter(|candidate| candidate.last_held.is_none() && candidate.absent > index)
        {
            let held = match &read {
                None => held_between(index, candidate.user, candidate.sku),
                Some(pairs) => pairs.holds(candidate.user, candidate.sku),
            };
            if held {
                candidate.last_held = Some(index);
            }
        }
    }

    let mut flagged: HashMap<usize, HashSet<FindingKey>> = HashMap::new();
    let mut found = Vec::new();
    for candidate in candidates {
        let Some(last_held) = candidate.last_held else {
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(entry) = flagged.entry(last_held) {
            entry.insert(if last_held == from_index {
                earlier.findings.iter().map(|row| row.key).collect()
            } else {
                read_finding_keys(&history[last_held].1)?
                    .into_iter()
                    .collect()
            });
        }
        let was_flagged = [FindingKind::InactiveHolder, FindingKind::UnusedPremium]
            .into_iter()
            .any(|kind| {
                flagged.get(&last_held).is_some_and(|keys| {
                    keys.contains(&FindingKey {
                        kind,
                        user_id: Some(candidate.user),
                        sku_id: candidate.sku,
                    })
                })
            });
        found.push(ReturnedLicense {
            user_id: candidate.user,
            user_principal_name: later
                .principal_name(candidate.user)
                .unwrap_or_default()
                .to_string(),
            sku_id: candidate.sku,
            sku_part_number: later.skus.get(&candidate.sku).map_or_else(
                || candidate.sku.to_string(),
                |state| state.sku_part_number.clone(),
            ),
            held_until: history[last_held].0,
            absent_from: history[last_held + 1].0,
            was_flagged,
        });
    }
    found.sort_by(|left, right| {
        (
            &left.user_principal_name,
            &left.sku_part_number,
            &left.user_id,
        )
            .cmp(&(
                &right.user_principal_name,
                &right.sku_part_number,
                &right.user_id,
            ))
    });
    Ok(found)
}

/// A license held now that some month of the compared range lacks.
struct Candidate {
    user: Guid,
    sku: Guid,
    /// The latest month index, from `from` on, without it.
    absent: usize,
    /// The latest month index before `absent` holding it.
    last_held: Option<usize>,
}
