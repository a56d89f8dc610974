//! The rollback plan: the exact undo of what an apply changed, derived from its journal.
//!
//! Only changes the journal shows as applied (or in doubt, when a run was cut short) are
//! undone, newest first, each by its inverse: a removed direct license comes back with the
//! service plans it had disabled, a left group is joined again, an added member leaves. Order
//! is kept safe by reversing `dependsOn`: when an apply added someone to a group and then
//! removed their direct license, the rollback gives the direct license back before taking
//! the membership away.

use super::journal::{ActionResult, Standing};
use crate::act::plan::{ObservedState, PlanSource, action_id};
use crate::act::{Action, Mechanism, Plan};
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
        let restore = standings
            .get(&original.id)
            .and_then(Standing::restore_disabled_plans)
            .cloned()
            .unwrap_or_default();
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
    Plan {
        schema: crate::act::plan::SCHEMA.to_string(),
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
        total_monthly_amount: 0.0,
        content_hash: String::new(),
    }
    .seal()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::act::apply::journal::Request;

    fn action(id: &str, mechanism: Mechanism, depends_on: &[&str]) -> Action {
        Action {
            id: id.into(),
            mechanism,
            user_id: Some("u1".into()),
            user_principal_name: Some("ada@contoso.com".into()),
            group_id: Some("g1".into()),
            group_display_name: Some("LIC".into()),
            sku_id: "sku-1".into(),
            sku_part_number: "POWERAPPS_PER_USER".into(),
            disabled_plans: Vec::new(),
            reason: "move".into(),
            observed: ObservedState::default(),
            monthly_amount: 0.0,
            together_with: Vec::new(),
            depends_on: depends_on.iter().map(|id| id.to_string()).collect(),
            frees: Vec::new(),
            also_removes: Vec::new(),
            not_before: None,
            note: None,
        }
    }

    fn ended(result: ActionResult, restore: Option<Vec<String>>) -> Standing {
        Standing::Ended {
            result,
            detail: String::new(),
            restore_disabled_plans: restore,
        }
    }

    fn plan(actions: Vec<Action>) -> Plan {
        Plan {
            schema: crate::act::plan::SCHEMA.into(),
            strategy: "group".into(),
            planned_on: "2026-11-27".into(),
            currency: "USD".into(),
            source: PlanSource::default(),
            required_approvals: 1,
            actions,
            skipped: Vec::new(),
            total_monthly_amount: 0.0,
            content_hash: String::new(),
        }
        .seal()
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
                restore_disabled_plans: Some(vec!["plan-x".into()]),
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
}
