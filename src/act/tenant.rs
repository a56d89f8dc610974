//! The tenant as planners see it: users, assignment sources, groups and seats, looked up by
//! id or name. Built once from a snapshot's frames; planning touches few rows, so plain maps
//! serve better here than joins.

use crate::catalogue::Catalogue;
use crate::model::{Snapshot, columns};
use crate::support::timestamp::format_millis;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq)]
pub struct TenantUser {
    pub id: String,
    pub user_principal_name: String,
    pub account_enabled: Option<bool>,
    pub last_activity: Option<String>,
    pub usage_location: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TenantGroup {
    pub id: String,
    pub display_name: Option<String>,
    pub dynamic: bool,
    pub membership_rule: Option<String>,
    /// Microsoft 365 ("Unified") group: membership also grants a team, files and mail.
    pub unified: bool,
    pub licenses: Vec<String>,
    pub members: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TenantSku {
    pub sku_id: String,
    pub part_number: String,
    pub prepaid: i64,
    pub consumed: i64,
}

/// Lookups over one snapshot.
#[derive(Debug, Clone, Default)]
pub struct TenantView {
    pub users: BTreeMap<String, TenantUser>,
    /// Lower-case UPN -> user id.
    pub user_ids_by_name: BTreeMap<String, String>,
    /// (user id, SKU id) -> sources (`direct`, group ids) of active assignments.
    pub sources: BTreeMap<(String, String), BTreeSet<String>>,
    /// (user id, SKU id) pairs in `assignedLicenses`.
    pub holdings: BTreeSet<(String, String)>,
    pub groups: BTreeMap<String, TenantGroup>,
    pub skus: BTreeMap<String, TenantSku>,
    /// Part number (lower case) -> SKU id, from the tenant then the catalogue.
    pub sku_ids_by_part: BTreeMap<String, String>,
    /// SKU id -> part number, from the tenant then the catalogue.
    pub part_numbers: BTreeMap<String, String>,
}

fn strings(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<String>>> {
    let values = frame.column(name)?.str()?.clone();
    Ok((0..values.len())
        .map(|row| values.get(row).map(str::to_string))
        .collect())
}

fn integers(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<i64>>> {
    let column = frame.column(name)?.cast(&DataType::Int64)?;
    let values = column.i64()?;
    Ok((0..values.len()).map(|row| values.get(row)).collect())
}

fn booleans(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<bool>>> {
    let values = frame.column(name)?.bool()?.clone();
    Ok((0..values.len()).map(|row| values.get(row)).collect())
}

impl TenantView {
    pub fn from_snapshot(snapshot: &Snapshot, catalogue: &Catalogue) -> PolarsResult<TenantView> {
        let mut view = TenantView::default();
        let users = &snapshot.users;
        let ids = strings(users, columns::USER_ID)?;
        let names = strings(users, columns::USER_PRINCIPAL_NAME)?;
        let enabled = booleans(users, columns::ACCOUNT_ENABLED)?;
        let activity = integers(users, columns::LAST_ACTIVITY)?;
        let locations = strings(users, columns::USAGE_LOCATION)?;
        for row in 0..users.height() {
            let (Some(id), Some(name)) = (ids[row].clone(), names[row].clone()) else {
                continue;
            };
            view.user_ids_by_name
                .insert(name.to_lowercase(), id.clone());
            view.users.insert(
                id.clone(),
                TenantUser {
                    id,
                    user_principal_name: name,
                    account_enabled: enabled[row],
                    last_activity: activity[row].map(format_millis),
                    usage_location: locations[row].clone(),
                },
            );
        }

        let states = &snapshot.assignment_states;
        let state_users = strings(states, columns::USER_ID)?;
        let state_skus = strings(states, columns::SKU_ID)?;
        let state_sources = strings(states, columns::ASSIGNED_BY)?;
        let state_values = strings(states, columns::ASSIGNMENT_STATE)?;
        for row in 0..states.height() {
            let active = state_values[row]
                .as_deref()
                .is_some_and(|state| state.eq_ignore_ascii_case("active"));
            if let (true, Some(user), Some(sku), Some(source)) = (
                active,
                state_users[row].clone(),
                state_skus[row].clone(),
                state_sources[row].clone(),
            ) {
                view.sources.entry((user, sku)).or_default().insert(source);
            }
        }
        let holding_users = strings(&snapshot.holdings, columns::USER_ID)?;
        let holding_skus = strings(&snapshot.holdings, columns::SKU_ID)?;
        for (user, sku) in holding_users.into_iter().zip(holding_skus) {
            if let (Some(user), Some(sku)) = (user, sku) {
                view.holdings.insert((user, sku));
            }
        }

        let groups = &snapshot.groups;
        if groups.height() > 0 {
            let ids = strings(groups, columns::GROUP_ID)?;
            let names = strings(groups, columns::GROUP_DISPLAY_NAME)?;
            let dynamic = booleans(groups, columns::GROUP_IS_DYNAMIC)?;
            let rules = strings(groups, columns::GROUP_MEMBERSHIP_RULE)?;
            let types = strings(groups, columns::GROUP_TYPES)?;
            for row in 0..groups.height() {
                let Some(id) = ids[row].clone() else { continue };
                let unified = types[row]
                    .as_deref()
                    .unwrap_or("")
                    .split(';')
                    .any(|kind| kind.eq_ignore_ascii_case("Unified"));
                view.groups.insert(
                    id.clone(),
                    TenantGroup {
                        id,
                        display_name: names[row].clone(),
                        dynamic: dynamic[row].unwrap_or(false),
                        membership_rule: rules[row].clone(),
                        unified,
                        licenses: Vec::new(),
                        members: BTreeSet::new(),
                    },
                );
            }
        }
        let pairs = |frame: &DataFrame, right: &str| -> PolarsResult<Vec<(String, String)>> {
            let left = strings(frame, columns::GROUP_ID)?;
            let right = strings(frame, right)?;
            Ok(left
                .into_iter()
                .zip(right)
                .filter_map(|(left, right)| Some((left?, right?)))
                .collect())
        };
        for (group, sku) in pairs(&snapshot.group_licenses, columns::SKU_ID)? {
            if let Some(entry) = view.groups.get_mut(&group) {
                entry.licenses.push(sku);
            }
        }
        for (group, user) in pairs(&snapshot.group_members, columns::USER_ID)? {
            if let Some(entry) = view.groups.get_mut(&group) {
                entry.members.insert(user);
            }
        }

        for sku in &catalogue.skus {
            view.sku_ids_by_part
                .insert(sku.part_number.to_ascii_lowercase(), sku.sku_id.clone());
            view.part_numbers
                .insert(sku.sku_id.clone(), sku.part_number.clone());
        }
        let skus = &snapshot.subscribed_skus;
        let sku_ids = strings(skus, columns::SKU_ID)?;
        let parts = strings(skus, columns::SKU_PART_NUMBER)?;
        let prepaid = integers(skus, columns::PREPAID_ENABLED)?;
        let consumed = integers(skus, columns::CONSUMED_UNITS)?;
        for row in 0..skus.height() {
            let (Some(sku_id), Some(part)) = (sku_ids[row].clone(), parts[row].clone()) else {
                continue;
            };
            view.sku_ids_by_part
                .insert(part.to_ascii_lowercase(), sku_id.clone());
            view.part_numbers.insert(sku_id.clone(), part.clone());
            view.skus.insert(
                sku_id.clone(),
                TenantSku {
                    sku_id,
                    part_number: part,
                    prepaid: prepaid[row].unwrap_or(0),
                    consumed: consumed[row].unwrap_or(0),
                },
            );
        }
        Ok(view)
    }

    pub fn user_by_name(&self, name: &str) -> Option<&TenantUser> {
        self.user_ids_by_name
            .get(&name.trim().to_lowercase())
            .and_then(|id| self.users.get(id))
    }

    /// A user by object id or principal name.
    pub fn find_user(&self, key: &str) -> Option<&TenantUser> {
        self.users
            .get(&key.trim().to_ascii_lowercase())
            .or_else(|| self.user_by_name(key))
    }

    /// A SKU id by part number or GUID.
    pub fn find_sku(&self, key: &str) -> Option<(String, String)> {
        let key = key.trim();
        let lower = key.to_ascii_lowercase();
        if let Some(part) = self.part_numbers.get(&lower) {
            return Some((lower, part.clone()));
        }
        self.sku_ids_by_part
            .get(&lower)
            .map(|id| (id.clone(), self.part_name(id)))
    }

    pub fn part_name(&self, sku_id: &str) -> String {
        self.part_numbers
            .get(sku_id)
            .cloned()
            .unwrap_or_else(|| sku_id.to_string())
    }

    /// A group by id or display name.
    pub fn find_group(&self, key: &str) -> Option<&TenantGroup> {
        let lower = key.trim().to_ascii_lowercase();
        self.groups.get(&lower).or_else(|| {
            self.groups.values().find(|group| {
                group
                    .display_name
                    .as_deref()
                    .is_some_and(|name| name.eq_ignore_ascii_case(key.trim()))
            })
        })
    }

    /// Seats of a SKU nobody holds (negative when over-assigned).
    pub fn available_seats(&self, sku_id: &str) -> i64 {
        self.skus
            .get(sku_id)
            .map_or(0, |sku| sku.prepaid - sku.consumed)
    }

    pub fn groups_of(&self, user_id: &str) -> impl Iterator<Item = &TenantGroup> {
        let user_id = user_id.to_string();
        self.groups
            .values()
            .filter(move |group| group.members.contains(&user_id))
    }
}
