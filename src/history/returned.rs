//! Returned licenses: a (user, SKU) held in the later month, absent in a recorded month from
//! the earlier month on, and held in a month before that absence; a reclaimed license that
//! came back to the same user. Only the pairs held now and missing in the compared range are
//! followed back, so a long history is read only as far as those few pairs need.

use super::HistoryError;
use super::Month;
use super::month_tables::{FindingKey, MonthTables, read_finding_keys, read_holding_pairs};
use crate::analyze::FindingKind;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

/// A license held, then not held for a month or more, then held again by the same user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ReturnedLicense {
    pub user_id: String,
    pub user_principal_name: String,
    pub sku_id: String,
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
    let mut holdings: BTreeMap<usize, HashMap<String, BTreeSet<String>>> = BTreeMap::new();
    let held_in = |index: usize,
                   holdings: &mut BTreeMap<usize, HashMap<String, BTreeSet<String>>>|
     -> Result<(), HistoryError> {
        if index != from_index && !holdings.contains_key(&index) {
            holdings.insert(index, read_holding_pairs(&history[index].1)?);
        }
        Ok(())
    };
    let holds = |index: usize,
                 holdings: &BTreeMap<usize, HashMap<String, BTreeSet<String>>>,
                 user: &str,
                 sku: &str| {
        if index == from_index {
            earlier.holds(user, sku)
        } else {
            holdings
                .get(&index)
                .and_then(|pairs| pairs.get(user))
                .is_some_and(|skus| skus.contains(sku))
        }
    };
    // Candidates: held now, and absent in a month from `from` on; the latest such month.
    for index in from_index..to_index {
        held_in(index, &mut holdings)?;
    }
    let mut candidates: Vec<(&str, &str, usize)> = Vec::new();
    for (user, skus) in &later.holdings {
        for sku in skus {
            if let Some(absent) = (from_index..to_index)
                .rev()
                .find(|index| !holds(*index, &holdings, user, sku))
            {
                candidates.push((user, sku, absent));
            }
        }
    }
    candidates.sort();
    let mut flagged_cache: HashMap<usize, HashSet<FindingKey>> = HashMap::new();
    let mut found = Vec::new();
    for (user, sku, absent) in candidates {
        let mut last_held = None;
        for index in (0..absent).rev() {
            held_in(index, &mut holdings)?;
            if holds(index, &holdings, user, sku) {
                last_held = Some(index);
                break;
            }
        }
        let Some(last_held) = last_held else { continue };
        if let std::collections::hash_map::Entry::Vacant(entry) = flagged_cache.entry(last_held) {
            let keys = if last_held == from_index {
                earlier.findings.iter().map(|row| row.key.clone()).collect()
            } else {
                read_finding_keys(&history[last_held].1)?
                    .into_iter()
                    .collect()
            };
            entry.insert(keys);
        }
        let was_flagged = [FindingKind::InactiveHolder, FindingKind::UnusedPremium]
            .into_iter()
            .any(|kind| {
                flagged_cache.get(&last_held).is_some_and(|keys| {
                    keys.contains(&FindingKey {
                        kind,
                        user_id: Some(user.to_string()),
                        sku_id: sku.to_string(),
                    })
                })
            });
        found.push(ReturnedLicense {
            user_id: user.to_string(),
            user_principal_name: later
                .users
                .get(user)
                .map(|state| state.user_principal_name.clone())
                .unwrap_or_default(),
            sku_id: sku.to_string(),
            sku_part_number: later
                .skus
                .get(sku)
                .map_or_else(|| sku.to_string(), |state| state.sku_part_number.clone()),
            held_until: history[last_held].0,
            absent_from: history[last_held + 1].0,
            was_flagged,
        });
    }
    found.sort_by(|left, right| {
        (&left.user_principal_name, &left.sku_part_number)
            .cmp(&(&right.user_principal_name, &right.sku_part_number))
    });
    Ok(found)
}
