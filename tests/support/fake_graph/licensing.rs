//! License and membership writes on the tenant state, with Graph v1.0's rules and error texts.
//!
//! Exists so `seatwise apply` can be tested against the behaviour that matters when
//! licenses are really moved: `assignLicense` on users (all-or-nothing, usage location required,
//! no seat → `CountViolation`, inherited licenses cannot be removed directly) and on groups,
//! group membership edits through `members/$ref` (refused on dynamic groups) with group-based
//! licensing following the member, and the bookkeeping Graph keeps consistent after every change:
//! each user's `assignedLicenses` (derived from `licenseAssignmentStates`) and each SKU's
//! `consumedUnits` (moved by the change in holders, never recounted over the tenant). It also
//! gives tests read-outs of that state ([`TenantState::license_sources`],
//! [`TenantState::direct_groups_of`], [`TenantState::snapshot_fingerprint`]).
//!
//! Simplifications: a license is "held" when at least one of its states is `Active`; service
//! plan dependencies and mutually exclusive SKUs are not checked; freeing a seat does not
//! re-process other users' `CountViolation` states; `disabledPlans` ids are not checked against
//! the SKU's service plans.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::errors::GraphError;
use super::tenant::{Group, Properties, TenantState, User};

/// One license to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseAdd {
    /// As sent (resolved case-insensitively against `subscribedSkus`).
    pub sku_id: String,
    pub disabled_plans: Vec<String>,
}

/// The body of `assignLicense`, on a user or a group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenseChanges {
    pub add: Vec<LicenseAdd>,
    pub remove: Vec<String>,
}

impl LicenseChanges {
    /// Parses `{"addLicenses":[{"skuId","disabledPlans"}],"removeLicenses":["skuId"]}`; both
    /// arrays are required (they may be empty). `resource` (`User` or `Group`) names the type in
    /// messages.
    pub fn parse(body: &[u8], resource: &str) -> Result<Self, GraphError> {
        let value: Value = serde_json::from_slice(body).map_err(|_| malformed_json())?;
        let object = value.as_object().ok_or_else(malformed_json)?;
        let array = |name: &str| match object.get(name) {
            Some(Value::Array(items)) => Ok(items),
            None | Some(Value::Null) => Err(GraphError::bad_request(format!(
                "Request body is missing the required parameter '{name}'."
            ))),
            Some(_) => Err(invalid_property(name, resource)),
        };
        let add_items = array("addLicenses")?;
        let remove_items = array("removeLicenses")?;
        let mut changes = Self::default();
        for item in add_items {
            let license = item
                .as_object()
                .ok_or_else(|| invalid_property("addLicenses", resource))?;
            let sku_id = license
                .get("skuId")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid_property("skuId", "AssignedLicense"))?;
            let disabled_plans = match license.get("disabledPlans") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(plans)) => plans
                    .iter()
                    .map(|plan| plan.as_str().map(str::to_string))
                    .collect::<Option<Vec<String>>>()
                    .ok_or_else(|| invalid_property("disabledPlans", "AssignedLicense"))?,
                Some(_) => return Err(invalid_property("disabledPlans", "AssignedLicense")),
            };
            changes.add.push(LicenseAdd {
                sku_id: sku_id.to_string(),
                disabled_plans,
            });
        }
        for item in remove_items {
            let sku_id = item
                .as_str()
                .ok_or_else(|| invalid_property("removeLicenses", resource))?;
            if changes
                .add
                .iter()
                .any(|add| add.sku_id.eq_ignore_ascii_case(sku_id))
            {
                return Err(GraphError::bad_request(format!(
                    "License {sku_id} cannot be both added and removed in the same request."
                )));
            }
            changes.remove.push(sku_id.to_string());
        }
        Ok(changes)
    }

    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty()
    }
}

/// Graph's answer to a body that is not JSON.
pub fn malformed_json() -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
    )
}

fn invalid_property(property: &str, resource: &str) -> GraphError {
    GraphError::bad_request(format!(
        "Invalid value specified for property '{property}' of resource '{resource}'."
    ))
}

fn invalid_license(sku_id: &str) -> GraphError {
    GraphError::bad_request(format!(
        "License {sku_id} does not correspond to a valid company License."
    ))
}

/// The message for a group's members edited by hand when a rule decides them.
pub const DYNAMIC_MEMBERSHIP: &str =
    "Cannot add or remove members of a group with dynamic membership.";

/// Where an active license comes from in [`TenantState::license_sources`].
pub const DIRECT: &str = "direct";

/// A comparable picture of everything the write endpoints change (see
/// [`TenantState::snapshot_fingerprint`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantFingerprint {
    /// User id → its `Active` license states as (skuId, source, sorted disabledPlans); source is
    /// [`DIRECT`] or the assigning group's id. Every user is present, unlicensed ones with an
    /// empty set.
    pub users: BTreeMap<String, BTreeSet<(String, String, Vec<String>)>>,
    pub groups: BTreeMap<String, GroupFingerprint>,
    /// skuId → `consumedUnits`.
    pub consumed_units: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupFingerprint {
    /// Direct member ids.
    pub members: BTreeSet<String>,
    /// skuId → sorted disabledPlans.
    pub licenses: BTreeMap<String, Vec<String>>,
}

/// `skuId` of a license state or an assigned license.
fn sku_of(entry: &Value) -> &str {
    entry
        .get("skuId")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The assigning group of a license state; `None` for a direct assignment.
fn group_of(state: &Value) -> Option<&str> {
    state
        .get("assignedByGroup")
        .and_then(Value::as_str)
        .filter(|group| !group.is_empty())
}

fn is_active(state: &Value) -> bool {
    state.get("state").and_then(Value::as_str) == Some("Active")
}

fn plans_of(entry: &Value) -> Vec<String> {
    entry
        .get("disabledPlans")
        .and_then(Value::as_array)
        .map(|plans| {
            plans
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn sorted(mut plans: Vec<String>) -> Vec<String> {
    plans.sort();
    plans
}

/// A user's `licenseAssignmentStates` (absent or null: none).
fn states_of(user: &User) -> Vec<Value> {
    match user.value("licenseAssignmentStates") {
        Some(Value::Array(states)) => states,
        _ => Vec::new(),
    }
}

/// Lower-cased SKU ids with at least one `Active` state: the licenses the user holds.
fn held(states: &[Value]) -> BTreeSet<String> {
    states
        .iter()
        .filter(|state| is_active(state))
        .map(|state| sku_of(state).to_ascii_lowercase())
        .collect()
}

fn new_state(
    sku_id: &str,
    group: Option<&str>,
    active: bool,
    plans: &[String],
    now: &str,
) -> Value {
    json!({
        "skuId": sku_id,
        "assignedByGroup": group,
        "state": if active { "Active" } else { "Error" },
        "error": if active { "None" } else { "CountViolation" },
        "disabledPlans": plans,
        "lastUpdatedDateTime": now,
    })
}

/// `assignedLicenses` as Graph derives it: one entry per held SKU (in state order); a plan is
/// disabled only when every active state disables it (the union of enabled plans).
fn assigned_licenses(states: &[Value]) -> Value {
    let mut licenses: Vec<(String, Vec<String>)> = Vec::new();
    for state in states.iter().filter(|state| is_active(state)) {
        let sku = sku_of(state);
        let plans = plans_of(state);
        match licenses
            .iter_mut()
            .find(|(held, _)| held.eq_ignore_ascii_case(sku))
        {
            Some((_, disabled)) => disabled.retain(|plan| plans.contains(plan)),
            None => licenses.push((sku.to_string(), plans)),
        }
    }
    Value::Array(
        licenses
            .into_iter()
            .map(|(sku, plans)| json!({"skuId": sku, "disabledPlans": plans}))
            .collect(),
    )
}

/// A group's `assignedLicenses` as (skuId, disabledPlans).
fn group_licenses(group: &Group) -> Vec<(String, Vec<String>)> {
    group
        .properties
        .get("assignedLicenses")
        .and_then(Value::as_array)
        .map(|licenses| {
            licenses
                .iter()
                .map(|license| (sku_of(license).to_string(), plans_of(license)))
                .collect()
        })
        .unwrap_or_default()
}

fn has_usage_location(user: &User) -> bool {
    user.value("usageLocation")
        .as_ref()
        .and_then(Value::as_str)
        .is_some_and(|location| !location.trim().is_empty())
}

fn as_i64(value: Option<&Value>) -> i64 {
    value.and_then(Value::as_i64).unwrap_or_default()
}

impl TenantState {
    /// Index in `subscribed_skus` of the SKU with this id (case-insensitive).
    fn sku_index(&self, sku_id: &str) -> Option<usize> {
        self.subscribed_skus.iter().position(|sku| {
            sku.get("skuId")
                .and_then(Value::as_str)
                .is_some_and(|id| id.eq_ignore_ascii_case(sku_id))
        })
    }

    /// The SKU's id as `subscribedSkus` spells it.
    fn canonical_sku(&self, sku_index: usize) -> String {
        self.subscribed_skus[sku_index]
            .get("skuId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    /// `consumedUnits < prepaidUnits.enabled`.
    fn has_free_seat(&self, sku_index: usize) -> bool {
        let sku = &self.subscribed_skus[sku_index];
        let enabled = as_i64(
            sku.get("prepaidUnits")
                .and_then(|units| units.get("enabled")),
        );
        as_i64(sku.get("consumedUnits")) < enabled
    }

    fn has_free_seat_for(&self, sku_id: &str) -> bool {
        self.sku_index(sku_id)
            .is_some_and(|index| self.has_free_seat(index))
    }

    /// `consumedUnits` of a SKU, if it is subscribed.
    pub fn consumed_units(&self, sku_id: &str) -> Option<i64> {
        self.sku_index(sku_id)
            .map(|index| as_i64(self.subscribed_skus[index].get("consumedUnits")))
    }

    fn adjust_consumed(&mut self, sku_id: &str, delta: i64) {
        if let Some(index) = self.sku_index(sku_id) {
            let sku = &mut self.subscribed_skus[index];
            let consumed = as_i64(sku.get("consumedUnits")) + delta;
            sku.insert("consumedUnits".to_string(), json!(consumed.max(0)));
        }
    }

    /// Stores a user's new license states, derives `assignedLicenses`, and moves each SKU's
    /// `consumedUnits` by the change in whether this user holds it (`before`: what
    /// [`held`] said of the stored states).
    fn commit_states(&mut self, user_index: usize, before: &BTreeSet<String>, states: Vec<Value>) {
        let after = held(&states);
        for sku in after.difference(before) {
            self.adjust_consumed(sku, 1);
        }
        for sku in before.difference(&after) {
            self.adjust_consumed(sku, -1);
        }
        let licenses = assigned_licenses(&states);
        let user = &mut self.users[user_index];
        user.set("licenseAssignmentStates", &Value::Array(states));
        user.set("assignedLicenses", &licenses);
    }

    /// Replaces `group_id`'s state for `sku_id` in `states` by one inherited from the group:
    /// `Active` when the user already held the SKU or a seat is free, else `CountViolation`.
    fn inherit(
        &self,
        states: &mut Vec<Value>,
        held_before: &BTreeSet<String>,
        group_id: &str,
        (sku_id, plans): (&str, &[String]),
        now: &str,
    ) {
        states.retain(|state| {
            !(group_of(state).is_some_and(|group| group.eq_ignore_ascii_case(group_id))
                && sku_of(state).eq_ignore_ascii_case(sku_id))
        });
        let active =
            held_before.contains(&sku_id.to_ascii_lowercase()) || self.has_free_seat_for(sku_id);
        states.push(new_state(sku_id, Some(group_id), active, plans, now));
    }

    /// `POST /users/{id | userPrincipalName}/assignLicense`: validates every change first, then
    /// applies them all (or none). Returns the user's index.
    pub fn assign_user_licenses(
        &mut self,
        user: &str,
        changes: &LicenseChanges,
        now: &str,
    ) -> Result<usize, GraphError> {
        let index = self
            .user_index(user)
            .ok_or_else(|| GraphError::directory_object_not_found(user))?;
        let mut states = states_of(&self.users[index]);
        let held_before = held(&states);
        for add in &changes.add {
            let sku_index = self
                .sku_index(&add.sku_id)
                .ok_or_else(|| invalid_license(&add.sku_id))?;
            if !has_usage_location(&self.users[index]) {
                return Err(GraphError::bad_request(
                    "License assignment cannot be done for user with invalid usage location.",
                ));
            }
            let sku_id = self.canonical_sku(sku_index);
            if !held_before.contains(&sku_id.to_ascii_lowercase()) && !self.has_free_seat(sku_index)
            {
                return Err(GraphError::bad_request(format!(
                    "Subscription {sku_id} does not have any available licenses."
                )));
            }
            states.retain(|state| {
                !(group_of(state).is_none() && sku_of(state).eq_ignore_ascii_case(&sku_id))
            });
            states.push(new_state(&sku_id, None, true, &add.disabled_plans, now));
        }
        for sku_id in &changes.remove {
            let direct = states.iter().position(|state| {
                group_of(state).is_none() && sku_of(state).eq_ignore_ascii_case(sku_id)
            });
            match direct {
                Some(position) => {
                    states.remove(position);
                }
                None if held_before.contains(&sku_id.to_ascii_lowercase()) => {
                    return Err(GraphError::bad_request(
                        "User license is inherited from a group membership and it cannot be removed directly from the user.",
                    ));
                }
                None => {
                    return Err(GraphError::bad_request(
                        "User does not have a corresponding license.",
                    ));
                }
            }
        }
        if !changes.is_empty() {
            self.commit_states(index, &held_before, states);
        }
        Ok(index)
    }

    /// `POST /groups/{id}/members/$ref` with a user: appends the member and gives it the group's
    /// licenses.
    pub fn add_group_member(
        &mut self,
        group: &str,
        user: &str,
        now: &str,
    ) -> Result<(), GraphError> {
        let group_index = self
            .group_index(group)
            .ok_or_else(|| GraphError::directory_object_not_found(group))?;
        let user_index = self
            .user_index(user)
            .ok_or_else(|| GraphError::directory_object_not_found(user))?;
        let target = &self.groups[group_index];
        if target.is_dynamic() {
            return Err(GraphError::bad_request(DYNAMIC_MEMBERSHIP));
        }
        let member = &self.users[user_index];
        if target.has_member(&member.id) {
            return Err(GraphError::bad_request(
                "One or more added object references already exist for the following modified properties: 'members'.",
            ));
        }
        let mut entry = Properties::new();
        entry.insert("@odata.type".into(), json!("#microsoft.graph.user"));
        entry.insert("id".into(), json!(member.id));
        entry.insert(
            "userPrincipalName".into(),
            json!(member.user_principal_name),
        );
        let group_id = target.id.clone();
        let licenses = group_licenses(target);
        self.groups[group_index].add_member(entry);
        if !licenses.is_empty() {
            let mut states = states_of(&self.users[user_index]);
            let held_before = held(&states);
            for (sku_id, plans) in &licenses {
                self.inherit(&mut states, &held_before, &group_id, (sku_id, plans), now);
            }
            self.commit_states(user_index, &held_before, states);
        }
        Ok(())
    }

    /// `DELETE /groups/{id}/members/{memberId}/$ref`: removes the member and the license states
    /// it had through the group.
    pub fn remove_group_member(&mut self, group: &str, member: &str) -> Result<(), GraphError> {
        let group_index = self
            .group_index(group)
            .ok_or_else(|| GraphError::directory_object_not_found(group))?;
        let target = &self.groups[group_index];
        if !target.has_member(member) {
            return Err(GraphError::directory_object_not_found(member));
        }
        if target.is_dynamic() {
            return Err(GraphError::bad_request(DYNAMIC_MEMBERSHIP));
        }
        let group_id = target.id.clone();
        self.groups[group_index].remove_member(member);
        if let Some(user_index) = self.user_index(member) {
            let mut states = states_of(&self.users[user_index]);
            let held_before = held(&states);
            let count = states.len();
            states.retain(|state| {
                !group_of(state).is_some_and(|group| group.eq_ignore_ascii_case(&group_id))
            });
            if states.len() != count {
                self.commit_states(user_index, &held_before, states);
            }
        }
        Ok(())
    }

    /// `POST /groups/{id}/assignLicense`: edits the group's `assignedLicenses`, then every user
    /// member's inherited states (a member without a free seat gets `CountViolation`; Graph
    /// accepts the group change regardless). Returns the group's index.
    pub fn assign_group_licenses(
        &mut self,
        group: &str,
        changes: &LicenseChanges,
        now: &str,
    ) -> Result<usize, GraphError> {
        let group_index = self
            .group_index(group)
            .ok_or_else(|| GraphError::directory_object_not_found(group))?;
        let mut adds: Vec<(String, Vec<String>)> = Vec::with_capacity(changes.add.len());
        for add in &changes.add {
            let sku_index = self
                .sku_index(&add.sku_id)
                .ok_or_else(|| invalid_license(&add.sku_id))?;
            adds.push((self.canonical_sku(sku_index), add.disabled_plans.clone()));
        }
        let mut licenses = group_licenses(&self.groups[group_index]);
        for sku_id in &changes.remove {
            let position = licenses
                .iter()
                .position(|(held, _)| held.eq_ignore_ascii_case(sku_id))
                .ok_or_else(|| {
                    GraphError::bad_request("Group does not have a corresponding license.")
                })?;
            licenses.remove(position);
        }
        for (sku_id, plans) in &adds {
            match licenses
                .iter_mut()
                .find(|(held, _)| held.eq_ignore_ascii_case(sku_id))
            {
                Some((_, disabled)) => disabled.clone_from(plans),
                None => licenses.push((sku_id.clone(), plans.clone())),
            }
        }
        if changes.is_empty() {
            return Ok(group_index);
        }
        let group_id = self.groups[group_index].id.clone();
        self.groups[group_index].properties.insert(
            "assignedLicenses".into(),
            Value::Array(
                licenses
                    .iter()
                    .map(|(sku, plans)| json!({"skuId": sku, "disabledPlans": plans}))
                    .collect(),
            ),
        );

        let touched: BTreeSet<String> = adds
            .iter()
            .map(|(sku, _)| sku.to_ascii_lowercase())
            .chain(changes.remove.iter().map(|sku| sku.to_ascii_lowercase()))
            .collect();
        let members: Vec<usize> = self.groups[group_index]
            .members
            .iter()
            .filter_map(|member| member.get("id").and_then(Value::as_str))
            .filter_map(|id| self.user_index(id))
            .collect();
        for user_index in members {
            let mut states = states_of(&self.users[user_index]);
            let held_before = held(&states);
            states.retain(|state| {
                !(group_of(state).is_some_and(|group| group.eq_ignore_ascii_case(&group_id))
                    && touched.contains(&sku_of(state).to_ascii_lowercase()))
            });
            for (sku_id, plans) in &adds {
                self.inherit(&mut states, &held_before, &group_id, (sku_id, plans), now);
            }
            self.commit_states(user_index, &held_before, states);
        }
        Ok(group_index)
    }

    /// Indexes (in tenant order) of the groups the user with this object id is a direct member of.
    pub fn direct_group_indexes(&self, user_id: &str) -> Vec<usize> {
        self.groups
            .iter()
            .enumerate()
            .filter(|(_, group)| group.has_member(user_id))
            .map(|(index, _)| index)
            .collect()
    }

    /// Ids of the groups the user (id or user principal name) is a direct member of; empty for an
    /// unknown user.
    pub fn direct_groups_of(&self, user: &str) -> BTreeSet<String> {
        let Some(found) = self.user(user) else {
            return BTreeSet::new();
        };
        self.direct_group_indexes(&found.id)
            .into_iter()
            .map(|index| self.groups[index].id.clone())
            .collect()
    }

    /// The user's held licenses: skuId → where each comes from ([`DIRECT`] or the assigning
    /// group's id), from `Active` states only; empty for an unknown user.
    pub fn license_sources(&self, user: &str) -> BTreeMap<String, BTreeSet<String>> {
        let mut sources: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        if let Some(found) = self.user(user) {
            for state in states_of(found).iter().filter(|state| is_active(state)) {
                sources
                    .entry(sku_of(state).to_string())
                    .or_default()
                    .insert(group_of(state).unwrap_or(DIRECT).to_string());
            }
        }
        sources
    }

    /// Everything the write endpoints change, as one comparable value: take it before a run and
    /// after its rollback to assert the tenant is back exactly where it started. Parses every
    /// user's states, so it is meant for tests, not per request.
    pub fn snapshot_fingerprint(&self) -> TenantFingerprint {
        let users = self
            .users
            .iter()
            .map(|user| {
                let states = states_of(user)
                    .iter()
                    .filter(|state| is_active(state))
                    .map(|state| {
                        (
                            sku_of(state).to_string(),
                            group_of(state).unwrap_or(DIRECT).to_string(),
                            sorted(plans_of(state)),
                        )
                    })
                    .collect();
                (user.id.clone(), states)
            })
            .collect();
        let groups = self
            .groups
            .iter()
            .map(|group| {
                let members = group
                    .members
                    .iter()
                    .filter_map(|member| member.get("id").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect();
                let licenses = group_licenses(group)
                    .into_iter()
                    .map(|(sku, plans)| (sku, sorted(plans)))
                    .collect();
                (group.id.clone(), GroupFingerprint { members, licenses })
            })
            .collect();
        let consumed_units = self
            .subscribed_skus
            .iter()
            .map(|sku| {
                (
                    sku.get("skuId")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    as_i64(sku.get("consumedUnits")),
                )
            })
            .collect();
        TenantFingerprint {
            users,
            groups,
            consumed_units,
        }
    }
}
