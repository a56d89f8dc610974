//! The rollback plan: the exact undo of what an apply changed, derived from its journal.
//!
//! Only changes the journal shows as applied (or in doubt, when a run was cut short) are
//! undone, newest first, each by its inverse: a removed direct license comes back with the
//! service plans it had disabled, a left group is joined again, an added member leaves. Order
//! is kept safe by reversing `dependsOn`: when an apply added someone to a group and then
//! removed their direct license, the rollback gives the direct license back before taking
//! the membership away.

use super::journal::{ActionResult, Standing};
use crate::act::{Action, Mechanism, Plan};
use crate::contract::plan::{ObservedState, PlanSource, action_id};
use crate::money::Money;
use std::collections::BTreeMap;

/// Every rollback action's reason starts with this.
pub const REASON_PREFIX: &str = "rollback of ";

/// The strategy name of rollback plans.
pub const STRATEGY: &str = "rollback";

fn inverse(mechanism: Mechanism) -> Option<Mechanism> {
    Some(match mechanism {
        Mechanism::RemoveDirect => Mechanism::AssignDirect,
        Mechanism::AssignDirect => Mechanism::RemoveDirect,
        Mechanism::RemoveFromGroup => Mechanism::AddToGroup,
        Mechanism::AddToGroup => Mechanism::RemoveFromGroup,
        Mechanism::AssignToGroup => Mechanism::RemoveGroupLicense,
        Mechanism::RemoveGroupLicense => Mechanism::AssignToGroup,
        Mechanism::Manual => return None,
    })
}

/// The rollback of `plan` given its apply journal's standings.
pub fn rollback_plan(
    plan: &Plan,
    plan_sha256: &str,
    plan_path: &str,
    standings: &BTreeMap<String, Standing>,
    planned_on: &str,
) -> Plan {
    let changed = |action: &Action| match standings.get(&action.id) {
        Some(Standing::Ended { result, .. }) => *result == ActionResult::Applied,
        Some(Standing::InDoubt { .. }) => true,
        None => false,
    };
    let undone: Vec<&Action> = plan
        .actions
        .iter()
        .rev()
        .filter(|action| changed(action))
        .collect();
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    // Per undo: how many of the group's licenses the member held before leaving it.
    let mut held: BTreeMap<String, usize> = BTreeMap::new();
    let mut actions = Vec::new();
    for original in &undone {
        let Some(mechanism) = inverse(original.mechanism) else {
            continue;
        };
        let id = action_id(
            mechanism,
            original.user_id.as_deref(),
            original.group_id.as_deref(),
            &original.sku_id,
        );
        ids.insert(original.id.as_str(), id.clone());
        let recorded = standings
            .get(&original.id)
            .map(|standing| standing.restore().clone())
            .unwrap_or_default();
        held.insert(
            id.clone(),
            recorded.held_through_group.as_ref().map_or(0, Vec::len),
        );
        let restore = recorded.disabled_plans.unwrap_or_default();
        actions.push(Action {
            id,
            mechanism,
            user_id: original.user_id.clone(),
            user_principal_name: original.user_principal_name.clone(),
            group_id: original.group_id.clone(),
            group_display_name: original.group_display_name.clone(),
            sku_id: original.sku_id.clone(),
            sku_part_number: original.sku_part_number.clone(),
            disabled_plans: if mechanism == Mechanism::AssignDirect {
                restore
            } else {
                Vec::new()
            },
            reason: format!("{REASON_PREFIX}{}", original.id),
            observed: ObservedState::default(),
            monthly_amount: original.monthly_amount,
            together_with: Vec::new(),
            depends_on: Vec::new(),
            frees: if mechanism == Mechanism::RemoveDirect {
                vec![original.sku_id.clone()]
            } else {
                Vec::new()
            },
            also_removes: Vec::new(),
            also_grants: Vec::new(),
            // Rejoining a group hands out what it carries now: stale if it gained licenses.
            group_licenses: original.group_licenses.clone(),
            not_before: None,
            note: Some(format!(
                "undoes {} ({} {})",
                original.id,
                original.mechanism.as_str(),
                original.reason
            )),
        });
    }
    // A depends on B in the plan: undo A before undoing B.
    for (original, action) in undone
        .iter()
        .filter(|original| inverse(original.mechanism).is_some())
        .zip(actions.iter_mut())
    {
        for other in &undone {
            if other.depends_on.contains(&original.id)
                && let Some(undo_other) = ids.get(other.id.as_str())
            {
                action.depends_on.push(undo_other.clone());
            }
        }
        action.together_with = original
            .together_with
            .iter()
            .filter_map(|id| ids.get(id.as_str()).cloned())
            .collect();
    }
    restore_before_removing(&mut actions);
    seat_holders_first(&mut actions, &held);
    Plan {
        schema: crate::contract::plan::SCHEMA.to_string(),
        strategy: STRATEGY.to_string(),
        planned_on: planned_on.to_string(),
        currency: plan.currency.clone(),
        source: PlanSource {
            audit_id: plan.source.audit_id.clone(),
            audit_as_of: plan.source.audit_as_of.clone(),
            snapshot: plan.source.snapshot.clone(),
            policy: plan.source.policy.clone(),
            input: Some(format!("{plan_path} ({plan_sha256})")),
        },
        required_approvals: plan.required_approvals,
        actions,
        skipped: Vec::new(),
        total_monthly_amount: Money::ZERO,
        signatures: None,
        content_hash: String::new(),
    }
    .seal()
}

/// Nobody may be left without a license in between: an undo that takes a license away
/// (stop licensing a group, leave a group) waits for every undo that gives the same SKU back
/// directly (to anyone, or to the same user), even when the plan recorded no dependency (a
/// holder who was already a member lost only the direct license).
fn restore_before_removing(actions: &mut [Action]) {
    let restores: Vec<(String, Option<String>, String)> = actions
        .iter()
        .filter(|action| action.mechanism == Mechanism::AssignDirect)
        .map(|action| {
            (
                action.id.clone(),
                action.user_id.clone(),
                action.sku_id.to_ascii_lowercase(),
            )
        })
        .collect();
    for action in actions.iter_mut() {
        let same_user = match action.mechanism {
            Mechanism::RemoveGroupLicense => false,
            Mechanism::RemoveFromGroup => true,
            _ => continue,
        };
        for (id, user, sku) in &restores {
            if *sku == action.sku_id.to_ascii_lowercase()
                && (!same_user || *user == action.user_id)
                && !action.depends_on.contains(id)
            {
                action.depends_on.push(id.clone());
            }
        }
    }
}

/// Members re-added to a group compete for its seats in the order they are added. Among the
/// re-additions to one group, those who held more of its licenses go first, so a seat that
/// ran short goes back to whoever had it.
fn seat_holders_first(actions: &mut [Action], held: &BTreeMap<String, usize>) {
    let held = |action: &Action| held.get(&action.id).copied().unwrap_or(0);
    let mut groups: Vec<String> = Vec::new();
    for action in actions.iter() {
        if action.mechanism == Mechanism::AddToGroup
            && let Some(group) = &action.group_id
            && !groups.contains(group)
        {
            groups.push(group.clone());
        }
    }
    for group in groups {
        let slots: Vec<usize> = actions
            .iter()
            .enumerate()
            .filter(|(_, action)| {
                action.mechanism == Mechanism::AddToGroup
                    && action.group_id.as_deref() == Some(group.as_str())
            })
            .map(|(slot, _)| slot)
            .collect();
        let mut ordered: Vec<Action> = slots.iter().map(|&slot| actions[slot].clone()).collect();
        ordered.sort_by_key(|action| std::cmp::Reverse(held(action)));
        for (slot, action) in slots.into_iter().zip(ordered) {
            actions[slot] = action;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::act::apply::fixtures::{action, plan};
    use crate::act::apply::journal::{Request, Restore};

    fn ended(result: ActionResult, held_through_group: Option<Vec<String>>) -> Standing {
        Standing::Ended {
            result,
            detail: String::new(),
            restore: Restore {
                disabled_plans: None,
                held_through_group,
            },
        }
    }

    #[test]
    fn undoes_applied_and_in_doubt_changes_in_reverse_with_reversed_dependencies() {
        let plan = plan(vec![
            action("add", Mechanism::AddToGroup, &[]),
            action("remove", Mechanism::RemoveDirect, &["add"]),
            action("manual", Mechanism::Manual, &[]),
            action("skipped", Mechanism::AssignDirect, &[]),
        ]);
        let mut standings = BTreeMap::new();
        standings.insert("add".to_string(), ended(ActionResult::Applied, None));
        standings.insert(
            "remove".to_string(),
            Standing::InDoubt {
                request: Request {
                    method: "POST".into(),
                    target: "/v1.0/users/u1/assignLicense".into(),
                    body: None,
                },
                restore: Restore {
                    disabled_plans: Some(vec!["plan-x".into()]),
                    held_through_group: None,
                },
            },
        );
        standings.insert("manual".to_string(), ended(ActionResult::Manual, None));
        standings.insert(
            "skipped".to_string(),
            ended(ActionResult::AlreadyDone, None),
        );
        let rollback = rollback_plan(&plan, "sha256:x", "plan.json", &standings, "2026-11-28");
        let mechanisms: Vec<Mechanism> = rollback.actions.iter().map(|a| a.mechanism).collect();
        assert_eq!(
            mechanisms,
            [Mechanism::AssignDirect, Mechanism::RemoveFromGroup]
        );
        assert_eq!(rollback.actions[0].disabled_plans, ["plan-x"]);
        assert_eq!(
            rollback.actions[1].depends_on,
            [rollback.actions[0].id.clone()]
        );
        assert!(rollback.actions[0].reason.starts_with(REASON_PREFIX));
        assert_eq!(rollback.content_hash, rollback.expected_hash());
    }

    #[test]
    fn licenses_come_back_directly_before_a_group_stops_granting_them() {
        let mut group = action("group", Mechanism::AssignToGroup, &[]);
        group.user_id = None;
        // u2 was already a member: only the direct license went, with no recorded dependency.
        let mut direct = action("direct", Mechanism::RemoveDirect, &[]);
        direct.user_id = Some("u2".into());
        let plan = plan(vec![group, direct]);
        let mut standings = BTreeMap::new();
        standings.insert("group".to_string(), ended(ActionResult::Applied, None));
        standings.insert("direct".to_string(), ended(ActionResult::Applied, None));
        let rollback = rollback_plan(&plan, "sha256:x", "plan.json", &standings, "2026-11-28");
        let undo_group = rollback
            .actions
            .iter()
            .find(|action| action.mechanism == Mechanism::RemoveGroupLicense)
            .expect("undo of the group license");
        let undo_direct = rollback
            .actions
            .iter()
            .find(|action| action.mechanism == Mechanism::AssignDirect)
            .expect("undo of the direct removal");
        assert_eq!(undo_group.depends_on, std::slice::from_ref(&undo_direct.id));
    }

    #[test]
    fn members_who_held_more_of_a_group_rejoin_first() {
        let mut first = action("first", Mechanism::RemoveFromGroup, &[]);
        first.user_id = Some("u1".into());
        let mut second = action("second", Mechanism::RemoveFromGroup, &[]);
        second.user_id = Some("u2".into());
        let plan = plan(vec![first, second]);
        let mut standings = BTreeMap::new();
        // The first leaver held both of the group's licenses, the second only one.
        standings.insert(
            "first".to_string(),
            ended(ActionResult::Applied, Some(vec!["a".into(), "b".into()])),
        );
        standings.insert(
            "second".to_string(),
            ended(ActionResult::Applied, Some(vec!["a".into()])),
        );
        let rollback = rollback_plan(&plan, "sha256:x", "plan.json", &standings, "2026-11-28");
        let users: Vec<&str> = rollback
            .actions
            .iter()
            .filter_map(|action| action.user_id.as_deref())
            .collect();
        assert_eq!(users, ["u1", "u2"], "newest first would put u2 first");
    }
}
