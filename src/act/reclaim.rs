//! `seatwise plan reclaim`: removals from an audit's findings, under a policy.
//!
//! A license is removed the way it was granted: a direct assignment directly, a group's by
//! leaving the group, a dynamic group's by a person changing the rule or the user (a `manual`
//! action quoting the rule). A user holding a SKU both ways needs every action, or the seat is
//! not freed; the actions say so. Exclusions protect until they expire, caps bound how many
//! seats of a SKU one plan removes (worst cases first), and a grace period dates each action
//! after the notice people get. A `redundant-license` finding removes the covered license and
//! never the covering one: when only leaving a group would free it and that group grants the
//! covering license too, the finding is skipped with the reason.

use super::policy::{Excluded, Policy};
use super::tenant::TenantView;
use crate::analyze::FindingReason;
use crate::contract::findings::{FindingRecord, FindingsDocument};
use crate::contract::plan::{
    Action, Mechanism, ObservedState, Plan, PlanSource, SCHEMA, Skipped, action_id,
};
use crate::money::Money;
use chrono::{Days, NaiveDate};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum ReclaimError {
    #[error(
        "the audit's window is {audit} days but the policy asks for at least {policy}\nhint: rerun the audit with --window-days {policy}"
    )]
    WindowTooShort { audit: u32, policy: u32 },
}

/// Everything a reclaim plan is made from.
pub struct ReclaimInputs<'a> {
    pub audit: &'a FindingsDocument,
    pub audit_id: String,
    pub audit_path: String,
    pub tenant: &'a TenantView,
    pub policy: &'a Policy,
    pub policy_path: Option<String>,
    pub planned_on: NaiveDate,
}

/// Worst first: the order in which capped seats are taken. A redundant license comes after
/// an unused premium one: its holder still uses what it grants, through another license.
fn severity(reason: Option<&FindingReason>) -> u8 {
    match reason {
        Some(FindingReason::Disabled) => 0,
        Some(FindingReason::NeverSignedIn) => 1,
        Some(FindingReason::Inactive) => 2,
        Some(FindingReason::CoveredByHeldLicense) => 4,
        _ => 3,
    }
}

pub fn plan_reclaim(inputs: &ReclaimInputs) -> Result<Plan, ReclaimError> {
    let audit = inputs.audit;
    let policy = inputs.policy;
    if let Some(required) = policy.window_days
        && audit.window_days < required
    {
        return Err(ReclaimError::WindowTooShort {
            audit: audit.window_days,
            policy: required,
        });
    }
    let not_before = inputs
        .planned_on
        .checked_add_days(Days::new(u64::from(policy.grace_days)))
        .unwrap_or(inputs.planned_on)
        .to_string();

    let mut candidates: Vec<&FindingRecord> = audit
        .findings
        .iter()
        .filter(|finding| policy.kinds.contains(&finding.kind) && finding.user_id.is_some())
        .filter(|finding| {
            policy.reasons.as_ref().is_none_or(|reasons| {
                finding
                    .reason
                    .as_ref()
                    .is_some_and(|reason| reasons.contains(reason))
            })
        })
        .collect();
    candidates.sort_by(|left, right| {
        let key = |finding: &FindingRecord| {
            (
                severity(finding.reason.as_ref()),
                finding.last_activity.clone().unwrap_or_default(),
                finding
                    .user_principal_name
                    .clone()
                    .unwrap_or_default()
                    .to_lowercase(),
                finding.sku_part_number.clone(),
            )
        };
        key(left).cmp(&key(right))
    });

    let mut actions: Vec<Action> = Vec::new();
    let mut skipped: Vec<Skipped> = Vec::new();
    let mut removed_per_sku: BTreeMap<String, u64> = BTreeMap::new();
    for finding in candidates {
        let skip = |why: String| Skipped {
            user_principal_name: finding.user_principal_name.clone(),
            sku_part_number: finding.sku_part_number.clone(),
            why,
        };
        let user_id = finding.user_id.clone().unwrap_or_default();
        let Some(user) = inputs.tenant.users.get(&user_id) else {
            skipped.push(skip("the user is not in the snapshot any more".into()));
            continue;
        };
        if let Some(reason) = protecting_exclusion(inputs, &user_id, &user.user_principal_name) {
            skipped.push(skip(format!("excluded: {reason}")));
            continue;
        }
        if let Some(why) = covering_license_at_risk(inputs, &user_id, finding) {
            skipped.push(skip(why));
            continue;
        }
        let cap = policy.cap_for(&finding.sku_part_number);
        let assigned = inputs
            .tenant
            .skus
            .get(&finding.sku_id)
            .map_or(0, |sku| sku.consumed);
        let taken = removed_per_sku.entry(finding.sku_id.clone()).or_default();
        if let Some(limit) = cap.limit(assigned)
            && *taken >= limit
        {
            skipped.push(skip(format!(
                "cap reached: this plan already removes {limit} {} seats",
                finding.sku_part_number
            )));
            continue;
        }
        *taken += 1;

        let key = (user_id.clone(), finding.sku_id.clone());
        let sources: Vec<String> = match inputs.tenant.sources.get(&key) {
            Some(sources) if !sources.is_empty() => {
                let mut sources: Vec<String> = sources.iter().cloned().collect();
                sources.sort_by_key(|source| (source != "direct", source.clone()));
                sources
            }
            _ => finding.assigned_by.clone(),
        };
        let observed = ObservedState {
            assigned_by: sources.clone(),
            account_enabled: user.account_enabled,
            last_activity: finding.last_activity.clone(),
            last_premium_use: finding.last_premium_use.clone(),
            premium_apps_used: finding.premium_apps_used,
            group_member: None,
            covering_sku_id: finding
                .covered_by
                .as_ref()
                .map(|covering| covering.sku_id.clone()),
        };
        let reason = format!(
            "{}/{}",
            finding.kind,
            finding
                .reason
                .as_ref()
                .map_or_else(|| "unspecified".to_string(), ToString::to_string)
        );
        let mut new_actions = Vec::new();
        // SPEC §3: when the export does not say how the license is assigned (older exports
        // without licenseAssignmentStates), nothing is guessed: an admin looks and acts.
        let unknown_source = sources.is_empty()
            || sources
                .iter()
                .any(|source| source == crate::model::columns::UNKNOWN_SOURCE);
        // An action on the user's own license: removed directly, or by hand when its source
        // is unknown.
        let own_license = |mechanism: Mechanism, note: Option<String>| Action {
            id: action_id(mechanism, Some(&user_id), None, &finding.sku_id),
            mechanism,
            user_id: Some(user_id.clone()),
            user_principal_name: Some(user.user_principal_name.clone()),
            group_id: None,
            group_display_name: None,
            sku_id: finding.sku_id.clone(),
            sku_part_number: finding.sku_part_number.clone(),
            disabled_plans: Vec::new(),
            reason: reason.clone(),
            observed: observed.clone(),
            monthly_amount: Money::ZERO,
            together_with: Vec::new(),
            depends_on: Vec::new(),
            frees: Vec::new(),
            also_removes: Vec::new(),
            also_grants: Vec::new(),
            group_licenses: Vec::new(),
            not_before: Some(not_before.clone()),
            note,
        };
        if unknown_source {
            new_actions.push(own_license(
                Mechanism::Manual,
                Some(
                    "the source of this license is unknown (the export has no licenseAssignmentStates): check whether it is assigned directly or by a group, and remove it there".to_string(),
                ),
            ));
        }
        for source in if unknown_source { Vec::new() } else { sources } {
            let action = if source == "direct" {
                own_license(Mechanism::RemoveDirect, None)
            } else {
                group_action(
                    inputs,
                    &user_id,
                    &user.user_principal_name,
                    &source,
                    finding,
                    &reason,
                    &observed,
                    &not_before,
                )
            };
            new_actions.push(action);
        }
        if let Some(first) = new_actions.first_mut() {
            first.monthly_amount = finding.monthly_amount;
        }
        for action in &mut new_actions {
            action.frees = vec![finding.sku_id.clone()];
        }
        if new_actions.len() > 1 {
            let ids: Vec<String> = new_actions.iter().map(|action| action.id.clone()).collect();
            for action in &mut new_actions {
                action.together_with = ids.iter().filter(|id| **id != action.id).cloned().collect();
                let both = "the license is granted by more than one source: every action of this group must be applied or the seat is not freed";
                action.note = Some(match action.note.take() {
                    Some(note) => format!("{note}; {both}"),
                    None => both.to_string(),
                });
            }
        }
        for action in new_actions {
            match actions.iter_mut().find(|existing| existing.id == action.id) {
                Some(existing) => {
                    existing.monthly_amount = existing.monthly_amount + action.monthly_amount;
                    existing.frees.extend(action.frees);
                    let also = format!("also reclaims {}", action.sku_part_number);
                    existing.note = Some(match existing.note.take() {
                        Some(note) => format!("{note}; {also}"),
                        None => also,
                    });
                }
                None => actions.push(action),
            }
        }
    }
    actions.sort_by(|left, right| {
        (
            left.user_principal_name
                .as_deref()
                .unwrap_or("")
                .to_lowercase(),
            &left.sku_part_number,
            left.mechanism,
        )
            .cmp(&(
                right
                    .user_principal_name
                    .as_deref()
                    .unwrap_or("")
                    .to_lowercase(),
                &right.sku_part_number,
                right.mechanism,
            ))
    });
    Ok(Plan {
        schema: SCHEMA.to_string(),
        strategy: "reclaim".to_string(),
        planned_on: inputs.planned_on.to_string(),
        currency: audit.currency.clone(),
        source: PlanSource {
            audit_id: Some(inputs.audit_id.clone()),
            audit_as_of: Some(audit.as_of.to_string()),
            snapshot: Some(audit.snapshot.path.clone()),
            policy: inputs.policy_path.clone(),
            input: Some(inputs.audit_path.clone()),
        },
        required_approvals: policy.required_approvals,
        actions,
        skipped,
        total_monthly_amount: Money::ZERO,
        signatures: None,
        content_hash: String::new(),
    }
    .seal())
}

/// Why a `redundant-license` removal must not be planned, if it must not: the covering
/// license is what the user keeps, so the plan never touches it. Leaving a group that grants
/// the covering license too would remove it with the redundant one; the group's licenses are
/// then for a person to change.
fn covering_license_at_risk(
    inputs: &ReclaimInputs,
    user_id: &str,
    finding: &FindingRecord,
) -> Option<String> {
    let covering = finding.covered_by.as_ref()?;
    let tenant = inputs.tenant;
    if !tenant
        .holdings
        .contains(&(user_id.to_string(), covering.sku_id.clone()))
    {
        return Some(format!(
            "the covering license {} is no longer held",
            covering.sku_part_number
        ));
    }
    let covering_sources = tenant
        .sources
        .get(&(user_id.to_string(), covering.sku_id.clone()));
    let sources: Vec<String> = match tenant
        .sources
        .get(&(user_id.to_string(), finding.sku_id.clone()))
    {
        Some(sources) if !sources.is_empty() => sources.iter().cloned().collect(),
        _ => finding.assigned_by.clone(),
    };
    sources
        .iter()
        .filter(|source| {
            *source != crate::model::columns::DIRECT
                && *source != crate::model::columns::UNKNOWN_SOURCE
        })
        .find(|group_id| {
            covering_sources.is_some_and(|granted| granted.contains(*group_id))
                || tenant
                    .groups
                    .get(*group_id)
                    .is_some_and(|group| group.licenses.contains(&covering.sku_id))
        })
        .map(|group_id| {
            let name = tenant
                .groups
                .get(group_id)
                .and_then(|group| group.display_name.clone())
                .unwrap_or_else(|| group_id.clone());
            format!(
                "group {name} grants both {} and the covering license {}: leaving it would remove {} too; remove {} from the group's licenses or assign it differently",
                finding.sku_part_number,
                covering.sku_part_number,
                covering.sku_part_number,
                finding.sku_part_number
            )
        })
}

/// The exclusion that protects this user on the planning date, if any.
fn protecting_exclusion(
    inputs: &ReclaimInputs,
    user_id: &str,
    user_principal_name: &str,
) -> Option<String> {
    inputs
        .policy
        .exclusions
        .iter()
        .filter(|exclusion| exclusion.in_force(inputs.planned_on))
        .find(|exclusion| match &exclusion.who {
            Excluded::User(who) => who == &user_principal_name.to_lowercase() || who == user_id,
            Excluded::Group(group) => inputs
                .tenant
                .find_group(group)
                .is_some_and(|group| group.members.contains(user_id)),
        })
        .map(|exclusion| exclusion.reason.clone())
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site; the fields of one finding"
)]
fn group_action(
    inputs: &ReclaimInputs,
    user_id: &str,
    user_principal_name: &str,
    group_id: &str,
    finding: &FindingRecord,
    reason: &str,
    observed: &ObservedState,
    not_before: &str,
) -> Action {
    let group = inputs.tenant.groups.get(group_id);
    let dynamic = group.is_some_and(|group| group.dynamic);
    let mechanism = if dynamic {
        Mechanism::Manual
    } else {
        Mechanism::RemoveFromGroup
    };
    let mut also_removes: Vec<String> = group
        .map(|group| {
            group
                .licenses
                .iter()
                .filter(|sku| **sku != finding.sku_id)
                .map(|sku| format!("license {}", inputs.tenant.part_name(sku)))
                .collect()
        })
        .unwrap_or_default();
    if group.is_some_and(|group| group.unified) {
        also_removes
            .push("Microsoft 365 group membership: its team, files, mailbox and calendar".into());
    }
    let group_name = group.and_then(|group| group.display_name.clone());
    let note = if dynamic {
        Some(format!(
            "dynamic group {}: membership follows its rule {}; change the rule or the user's attributes, or exclude the user",
            group_name.as_deref().unwrap_or(group_id),
            group
                .and_then(|group| group.membership_rule.clone())
                .map(|rule| format!("`{rule}`"))
                .unwrap_or_else(|| "(rule not in the snapshot)".into())
        ))
    } else if group.is_none() {
        Some(
            "the group is not in the snapshot's groups.json; check what else its membership grants"
                .into(),
        )
    } else {
        None
    };
    Action {
        // Leaving a group frees all its licenses at once: one action per (user, group).
        id: action_id(mechanism, Some(user_id), Some(group_id), ""),
        mechanism,
        user_id: Some(user_id.to_string()),
        user_principal_name: Some(user_principal_name.to_string()),
        group_id: Some(group_id.to_string()),
        group_display_name: group_name,
        sku_id: finding.sku_id.clone(),
        sku_part_number: finding.sku_part_number.clone(),
        disabled_plans: Vec::new(),
        reason: reason.to_string(),
        observed: ObservedState {
            group_member: Some(true),
            ..observed.clone()
        },
        monthly_amount: Money::ZERO,
        together_with: Vec::new(),
        depends_on: Vec::new(),
        frees: Vec::new(),
        also_removes,
        also_grants: Vec::new(),
        group_licenses: group
            .map(|group| {
                let mut licenses: Vec<String> = group
                    .licenses
                    .iter()
                    .map(|sku| sku.to_ascii_lowercase())
                    .collect();
                licenses.sort();
                licenses.dedup();
                licenses
            })
            .unwrap_or_default(),
        not_before: Some(not_before.to_string()),
        note,
    }
}
