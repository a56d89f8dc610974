//! Whether an action still holds, given the tenant as it is now: the rules that keep `apply`
//! from surprising anyone. Pure functions over what [`super::live`] read, so every rule has a
//! test of its own.
//!
//! An action goes ahead only when its change is still needed and still means what the plan
//! said: a reclaim skips a user who signed in or was re-enabled since the audit, a license that
//! is already gone, a group that no longer grants the SKU or became dynamic, and a direct
//! removal that would no longer free the seat because a new group grants it too. Moving a
//! direct holder into a group removes the direct license only once the group's license is
//! active for the user, so nobody is left unlicensed in between.

use super::journal::ActionResult;
use super::live::{LiveGroup, LiveUser};
use crate::act::{Action, Mechanism};
use crate::support::timestamp::parse_timestamp;
use chrono::NaiveDate;

/// A lookup that may not have been made.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Lookup<T> {
    #[default]
    NotRead,
    /// Graph answered 404.
    Missing,
    Found(T),
}

impl<T> Lookup<T> {
    pub fn found(&self) -> Option<&T> {
        match self {
            Lookup::Found(value) => Some(value),
            _ => None,
        }
    }
}

/// What was read for one action.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observation {
    pub user: Lookup<LiveUser>,
    pub group: Lookup<LiveGroup>,
    /// Direct membership of the user in the action's group, when read.
    pub member: Option<bool>,
}

/// What to do with an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Send the request.
    Proceed,
    /// Do not send it, for this reason.
    Settle {
        result: ActionResult,
        detail: String,
    },
}

fn settle(result: ActionResult, detail: impl Into<String>) -> Decision {
    Decision::Settle {
        result,
        detail: detail.into(),
    }
}

/// Held back by the grace period?
pub fn not_yet(action: &Action, today: NaiveDate) -> Option<Decision> {
    let not_before = action.not_before.as_deref()?;
    let Ok(date) = NaiveDate::parse_from_str(not_before, "%Y-%m-%d") else {
        // A grace date that cannot be read protects as if it were still running.
        return Some(settle(
            ActionResult::Deferred,
            format!("grace period: not_before {not_before:?} is not a YYYY-MM-DD date"),
        ));
    };
    (today < date).then(|| {
        settle(
            ActionResult::Deferred,
            format!("grace period: not before {not_before}"),
        )
    })
}

/// The group's name for messages.
fn group_name<'a>(action: &'a Action, observation: &'a Observation) -> &'a str {
    observation
        .group
        .found()
        .and_then(|group| group.display_name.as_deref())
        .or(action.group_display_name.as_deref())
        .or(action.group_id.as_deref())
        .unwrap_or("the group")
}

/// Decides an action from the current state.
pub fn decide(action: &Action, observation: &Observation) -> Decision {
    if action.mechanism == Mechanism::Manual {
        if reached(action, observation) {
            return settle(
                ActionResult::AlreadyDone,
                format!(
                    "{} no longer grants {} to the user",
                    group_name(action, observation),
                    action.sku_part_number
                ),
            );
        }
        return settle(
            ActionResult::Manual,
            format!(
                "do this by hand: {}",
                action.note.as_deref().unwrap_or("see the plan")
            ),
        );
    }
    let needs_user = !matches!(
        action.mechanism,
        Mechanism::AssignToGroup | Mechanism::RemoveGroupLicense
    );
    let user = match (&observation.user, needs_user) {
        (Lookup::Missing, true) => {
            return settle(ActionResult::Stale, "the user no longer exists");
        }
        (Lookup::Found(user), _) => Some(user),
        _ => None,
    };
    let needs_group = !matches!(
        action.mechanism,
        Mechanism::RemoveDirect | Mechanism::AssignDirect
    );
    if needs_group && observation.group == Lookup::Missing {
        return settle(
            ActionResult::Stale,
            format!("group {} no longer exists", group_name(action, observation)),
        );
    }
    if reached(action, observation) {
        return settle(ActionResult::AlreadyDone, already_done(action, observation));
    }
    if action.mechanism.removes()
        && let Some(user) = user
        && let Some(reason) = became_active(action, user).or_else(|| lost_covering(action, user))
    {
        return settle(ActionResult::Stale, reason);
    }
    let group = observation.group.found();
    let name = group_name(action, observation);
    match action.mechanism {
        Mechanism::RemoveDirect => {
            let Some(user) = user else {
                return Decision::Proceed;
            };
            if action.frees.is_empty() {
                // Moving a direct holder into a group: keep the user licensed throughout.
                if user.active_groups_for(&action.sku_id).is_empty() {
                    return settle(
                        ActionResult::Deferred,
                        format!(
                            "no group grants {} to the user yet (group licensing may still be processing); run apply --resume later",
                            action.sku_part_number
                        ),
                    );
                }
            } else if let Some(new_group) = new_group_source(action, user) {
                return settle(
                    ActionResult::Stale,
                    format!(
                        "{} is now also granted by group {new_group}; removing the direct license would not free the seat",
                        action.sku_part_number
                    ),
                );
            }
            Decision::Proceed
        }
        Mechanism::RemoveFromGroup => {
            if let Some(group) = group {
                if group.dynamic {
                    return settle(
                        ActionResult::Stale,
                        format!("{name} now has dynamic membership; change its rule instead"),
                    );
                }
                if !action.frees.is_empty() && !action.frees.iter().any(|sku| group.carries(sku)) {
                    return settle(
                        ActionResult::Stale,
                        format!(
                            "{name} no longer assigns {}; leaving it would free nothing",
                            action.sku_part_number
                        ),
                    );
                }
            }
            if let Some(user) = user
                && !action.observed.assigned_by.is_empty()
                && let Some(source) =
                    new_source_other_than(action, user, action.group_id.as_deref())
            {
                return settle(
                    ActionResult::Stale,
                    format!(
                        "{} is now also granted {source}; leaving {name} would not free the seat",
                        action.sku_part_number
                    ),
                );
            }
            Decision::Proceed
        }
        Mechanism::AddToGroup => {
            if let Some(group) = group {
                if group.dynamic {
                    return settle(
                        ActionResult::Stale,
                        format!(
                            "{name} now has dynamic membership; members cannot be added by hand"
                        ),
                    );
                }
                if !group.carries(&action.sku_id) {
                    return settle(
                        ActionResult::Stale,
                        format!("{name} no longer assigns {}", action.sku_part_number),
                    );
                }
                let gained = gained_licenses(action, group);
                if !gained.is_empty() {
                    return settle(
                        ActionResult::Stale,
                        format!(
                            "{name} has gained {} since planning; joining would grant {} nobody approved",
                            gained.join(", "),
                            if gained.len() == 1 { "it" } else { "them" }
                        ),
                    );
                }
            }
            Decision::Proceed
        }
        Mechanism::AssignDirect => {
            // A rollback restores the direct assignment exactly, even beside a group's.
            if let Some(user) = user
                && !action.reason.starts_with(super::rollback::REASON_PREFIX)
                && let Some(group) = user.active_groups_for(&action.sku_id).first()
            {
                return settle(
                    ActionResult::AlreadyDone,
                    format!(
                        "the user already holds {} through group {group}",
                        action.sku_part_number
                    ),
                );
            }
            if let Some(user) = user
                && user.usage_location.is_none()
            {
                return settle(
                    ActionResult::Failed,
                    "the user has no usage location; Graph refuses licenses until usageLocation is set",
                );
            }
            Decision::Proceed
        }
        Mechanism::AssignToGroup | Mechanism::RemoveGroupLicense | Mechanism::Manual => {
            Decision::Proceed
        }
    }
}

/// Licenses the group carries now that it did not carry when the action was planned (none
/// when the plan recorded no license list, as plans of group-less mechanisms do).
fn gained_licenses(action: &Action, group: &LiveGroup) -> Vec<String> {
    if action.group_licenses.is_empty() {
        return Vec::new();
    }
    group
        .licenses
        .iter()
        .filter(|sku| {
            !action
                .group_licenses
                .iter()
                .any(|planned| planned.eq_ignore_ascii_case(sku))
        })
        .cloned()
        .collect()
}

/// True when the tenant is already as the action wants it.
pub fn reached(action: &Action, observation: &Observation) -> bool {
    let user = observation.user.found();
    let group = observation.group.found();
    match action.mechanism {
        // A user who no longer exists is not a removal that happened.
        Mechanism::RemoveDirect => user.is_some_and(|user| user.direct(&action.sku_id).is_none()),
        Mechanism::AssignDirect => user.is_some_and(|user| user.direct(&action.sku_id).is_some()),
        Mechanism::AddToGroup => observation.member == Some(true),
        Mechanism::RemoveFromGroup => observation.member == Some(false),
        Mechanism::AssignToGroup => group.is_some_and(|group| group.carries(&action.sku_id)),
        Mechanism::RemoveGroupLicense => group.is_some_and(|group| !group.carries(&action.sku_id)),
        // A dynamic group's license is gone once the group no longer grants it to the user.
        Mechanism::Manual => match (user, action.group_id.as_deref()) {
            (Some(user), Some(group)) => !user
                .active_groups_for(&action.sku_id)
                .iter()
                .any(|granting| granting.eq_ignore_ascii_case(group)),
            _ => false,
        },
    }
}

fn already_done(action: &Action, observation: &Observation) -> String {
    let name = group_name(action, observation);
    match action.mechanism {
        Mechanism::RemoveDirect => format!(
            "the direct {} license is already gone",
            action.sku_part_number
        ),
        Mechanism::AssignDirect => {
            format!("{} is already assigned directly", action.sku_part_number)
        }
        Mechanism::AddToGroup => format!("already a member of {name}"),
        Mechanism::RemoveFromGroup => format!("no longer a member of {name}"),
        Mechanism::AssignToGroup => format!("{name} already assigns {}", action.sku_part_number),
        Mechanism::RemoveGroupLicense => {
            format!("{name} no longer assigns {}", action.sku_part_number)
        }
        Mechanism::Manual => String::new(),
    }
}

/// A redundant license whose covering license the user no longer holds: removing it now
/// would take its services away.
fn lost_covering(action: &Action, user: &LiveUser) -> Option<String> {
    let covering = action.observed.covering_sku_id.as_deref()?;
    let held = user.assignments.iter().any(|assignment| {
        assignment.sku_id.eq_ignore_ascii_case(covering) && assignment.is_active()
    });
    (!held).then(|| {
        format!(
            "the license that covers {} ({covering}) is no longer active for the user; removing {} would take its services away",
            action.sku_part_number, action.sku_part_number
        )
    })
}

/// A reclaim for inactivity whose user has since signed in, or been enabled again.
fn became_active(action: &Action, user: &LiveUser) -> Option<String> {
    if action.observed.account_enabled == Some(false) && user.account_enabled == Some(true) {
        return Some("the account was enabled again after the audit".to_string());
    }
    if !action.reason.starts_with("inactive-holder") || !user.sign_in_known {
        return None;
    }
    let signed_in = user.last_sign_in?;
    let seen = action
        .observed
        .last_activity
        .as_deref()
        .and_then(|text| parse_timestamp(text).ok());
    // The audit keeps whole seconds; Graph may add a fraction to the same sign-in.
    let newer = seen.is_none_or(|seen| signed_in >= seen + 1000);
    newer.then(|| {
        format!(
            "the user signed in on {} (the audit saw {})",
            crate::support::timestamp::format_millis(signed_in),
            action
                .observed
                .last_activity
                .as_deref()
                .unwrap_or("no sign-in")
        )
    })
}

/// A group granting the SKU now that the plan did not see.
fn new_group_source(action: &Action, user: &LiveUser) -> Option<String> {
    if action.observed.assigned_by.is_empty() {
        return None;
    }
    user.active_groups_for(&action.sku_id)
        .into_iter()
        .find(|group| {
            !action
                .observed
                .assigned_by
                .iter()
                .any(|seen| seen.eq_ignore_ascii_case(group))
        })
        .map(str::to_string)
}

/// A source of the SKU (other than `leaving`) the plan did not see: "directly" or "by group G".
fn new_source_other_than(
    action: &Action,
    user: &LiveUser,
    leaving: Option<&str>,
) -> Option<String> {
    let seen = |source: &str| {
        action
            .observed
            .assigned_by
            .iter()
            .any(|known| known.eq_ignore_ascii_case(source))
    };
    // Only the action's own SKU: the sources observed belong to it (leaving a group may free
    // more SKUs, each held its own way).
    let sku = &action.sku_id;
    if user
        .direct(sku)
        .is_some_and(|assignment| assignment.is_active())
        && !seen("direct")
    {
        return Some("directly".to_string());
    }
    user.active_groups_for(sku)
        .into_iter()
        .find(|group| {
            !leaving.is_some_and(|leaving| leaving.eq_ignore_ascii_case(group)) && !seen(group)
        })
        .map(|group| format!("by group {group}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::act::apply::live::LiveAssignment;
    use crate::contract::plan::ObservedState;

    const SKU: &str = "sku-1";

    fn action(mechanism: Mechanism) -> Action {
        Action {
            id: "act-1".into(),
            mechanism,
            user_id: Some("u1".into()),
            user_principal_name: Some("ada@contoso.com".into()),
            group_id: Some("g1".into()),
            group_display_name: Some("LIC".into()),
            sku_id: SKU.into(),
            sku_part_number: "POWERAPPS_PER_USER".into(),
            disabled_plans: Vec::new(),
            reason: "inactive-holder/no-sign-in".into(),
            observed: ObservedState {
                assigned_by: vec!["direct".into()],
                account_enabled: Some(true),
                last_activity: Some("2026-06-01T09:00:00Z".into()),
                ..ObservedState::default()
            },
            monthly_amount: crate::money::Money(20_000_000),
            together_with: Vec::new(),
            depends_on: Vec::new(),
            frees: vec![SKU.into()],
            also_removes: Vec::new(),
            also_grants: Vec::new(),
            group_licenses: Vec::new(),
            not_before: Some("2026-11-20".into()),
            note: None,
        }
    }

    fn assignment(group: Option<&str>) -> LiveAssignment {
        LiveAssignment {
            sku_id: SKU.into(),
            assigned_by_group: group.map(str::to_string),
            state: "Active".into(),
            disabled_plans: Vec::new(),
        }
    }

    fn user(assignments: Vec<LiveAssignment>) -> LiveUser {
        LiveUser {
            id: "u1".into(),
            user_principal_name: "ada@contoso.com".into(),
            account_enabled: Some(true),
            usage_location: Some("US".into()),
            last_sign_in: parse_timestamp("2026-06-01T09:00:00.4Z").ok(),
            sign_in_known: true,
            assignments,
        }
    }

    fn group(carries: bool, dynamic: bool) -> LiveGroup {
        LiveGroup {
            id: "g1".into(),
            display_name: Some("LIC".into()),
            dynamic,
            licenses: if carries {
                vec![SKU.into()]
            } else {
                Vec::new()
            },
        }
    }

    fn seen(user: LiveUser) -> Observation {
        Observation {
            user: Lookup::Found(user),
            ..Observation::default()
        }
    }

    fn result(decision: Decision) -> Option<ActionResult> {
        match decision {
            Decision::Proceed => None,
            Decision::Settle { result, .. } => Some(result),
        }
    }

    #[test]
    fn grace_period_defers_until_its_date() {
        let action = action(Mechanism::RemoveDirect);
        let before = NaiveDate::from_ymd_opt(2026, 11, 19).expect("date");
        let on = NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
        assert!(not_yet(&action, before).is_some());
        assert!(not_yet(&action, on).is_none());
    }

    #[test]
    fn a_direct_removal_goes_ahead_when_nothing_changed() {
        let decision = decide(
            &action(Mechanism::RemoveDirect),
            &seen(user(vec![assignment(None)])),
        );
        assert_eq!(decision, Decision::Proceed);
    }

    #[test]
    fn a_redundant_license_stays_once_its_covering_license_is_gone() {
        let mut redundant = action(Mechanism::RemoveDirect);
        redundant.reason = "redundant-license/covered-by-held-license".into();
        redundant.observed.covering_sku_id = Some("sku-covering".into());
        let covering = LiveAssignment {
            sku_id: "SKU-COVERING".into(),
            ..assignment(None)
        };
        let still_covered = decide(
            &redundant,
            &seen(user(vec![assignment(None), covering.clone()])),
        );
        assert_eq!(still_covered, Decision::Proceed);
        let lost = decide(&redundant, &seen(user(vec![assignment(None)])));
        assert_eq!(result(lost), Some(ActionResult::Stale));
        let failing = LiveAssignment {
            state: "Error".into(),
            ..covering
        };
        let in_error = decide(&redundant, &seen(user(vec![assignment(None), failing])));
        assert_eq!(result(in_error), Some(ActionResult::Stale));
    }

    #[test]
    fn a_user_who_signed_in_since_the_audit_is_skipped() {
        let mut active = user(vec![assignment(None)]);
        active.last_sign_in = parse_timestamp("2026-11-25T10:00:00Z").ok();
        let decision = decide(&action(Mechanism::RemoveDirect), &seen(active));
        assert_eq!(result(decision), Some(ActionResult::Stale));
    }

    #[test]
    fn unknown_sign_ins_cannot_make_a_user_active() {
        let mut unknown = user(vec![assignment(None)]);
        unknown.last_sign_in = None;
        unknown.sign_in_known = false;
        let decision = decide(&action(Mechanism::RemoveDirect), &seen(unknown));
        assert_eq!(decision, Decision::Proceed);
    }

    #[test]
    fn a_re_enabled_account_is_skipped() {
        let mut planned = action(Mechanism::RemoveDirect);
        planned.observed.account_enabled = Some(false);
        let decision = decide(&planned, &seen(user(vec![assignment(None)])));
        assert_eq!(result(decision), Some(ActionResult::Stale));
    }

    #[test]
    fn a_license_already_gone_is_already_done() {
        let decision = decide(&action(Mechanism::RemoveDirect), &seen(user(Vec::new())));
        assert_eq!(result(decision), Some(ActionResult::AlreadyDone));
    }

    #[test]
    fn a_missing_user_is_stale() {
        let observation = Observation {
            user: Lookup::Missing,
            ..Observation::default()
        };
        let decision = decide(&action(Mechanism::RemoveDirect), &observation);
        assert_eq!(result(decision), Some(ActionResult::Stale));
    }

    #[test]
    fn a_new_group_source_makes_a_direct_removal_pointless() {
        let decision = decide(
            &action(Mechanism::RemoveDirect),
            &seen(user(vec![assignment(None), assignment(Some("g9"))])),
        );
        assert_eq!(result(decision), Some(ActionResult::Stale));
    }

    #[test]
    fn moving_a_holder_waits_for_the_group_license() {
        let mut move_holder = action(Mechanism::RemoveDirect);
        move_holder.frees.clear();
        move_holder.reason = "the group now grants it".into();
        let waiting = decide(&move_holder, &seen(user(vec![assignment(None)])));
        assert_eq!(result(waiting), Some(ActionResult::Deferred));
        let ready = decide(
            &move_holder,
            &seen(user(vec![assignment(None), assignment(Some("g1"))])),
        );
        assert_eq!(ready, Decision::Proceed);
    }

    fn in_group(member: bool, group: LiveGroup, user: LiveUser) -> Observation {
        Observation {
            user: Lookup::Found(user),
            group: Lookup::Found(group),
            member: Some(member),
        }
    }

    #[test]
    fn leaving_a_group_checks_membership_and_the_group() {
        let mut leave = action(Mechanism::RemoveFromGroup);
        leave.observed.assigned_by = vec!["g1".into()];
        let holder = user(vec![assignment(Some("g1"))]);
        assert_eq!(
            decide(&leave, &in_group(true, group(true, false), holder.clone())),
            Decision::Proceed
        );
        let gone = decide(&leave, &in_group(false, group(true, false), holder.clone()));
        assert_eq!(result(gone), Some(ActionResult::AlreadyDone));
        let changed = decide(&leave, &in_group(true, group(false, false), holder.clone()));
        assert_eq!(result(changed), Some(ActionResult::Stale));
        let dynamic = decide(&leave, &in_group(true, group(true, true), holder.clone()));
        assert_eq!(result(dynamic), Some(ActionResult::Stale));
        let deleted = Observation {
            user: Lookup::Found(holder),
            group: Lookup::Missing,
            member: Some(false),
        };
        assert_eq!(result(decide(&leave, &deleted)), Some(ActionResult::Stale));
    }

    #[test]
    fn leaving_a_group_is_pointless_when_a_new_direct_license_appeared() {
        let mut leave = action(Mechanism::RemoveFromGroup);
        leave.observed.assigned_by = vec!["g1".into()];
        let holder = user(vec![assignment(Some("g1")), assignment(None)]);
        let decision = decide(&leave, &in_group(true, group(true, false), holder));
        assert_eq!(result(decision), Some(ActionResult::Stale));
    }

    #[test]
    fn assignments_skip_holders_and_users_without_a_usage_location() {
        let mut assign = action(Mechanism::AssignDirect);
        assign.reason = "request".into();
        assign.frees.clear();
        let holder = decide(&assign, &seen(user(vec![assignment(Some("g1"))])));
        assert_eq!(result(holder), Some(ActionResult::AlreadyDone));
        let mut nowhere = user(Vec::new());
        nowhere.usage_location = None;
        assert_eq!(
            result(decide(&assign, &seen(nowhere))),
            Some(ActionResult::Failed)
        );
        assert_eq!(decide(&assign, &seen(user(Vec::new()))), Decision::Proceed);
    }

    #[test]
    fn joining_a_group_checks_what_the_group_grants() {
        let mut join = action(Mechanism::AddToGroup);
        join.reason = "move direct holder into the licensing group".into();
        let holder = user(vec![assignment(None)]);
        assert_eq!(
            decide(&join, &in_group(false, group(true, false), holder.clone())),
            Decision::Proceed
        );
        let member = decide(&join, &in_group(true, group(true, false), holder.clone()));
        assert_eq!(result(member), Some(ActionResult::AlreadyDone));
        let changed = decide(&join, &in_group(false, group(false, false), holder));
        assert_eq!(result(changed), Some(ActionResult::Stale));
    }

    #[test]
    fn joining_a_group_that_gained_a_license_since_planning_is_stale() {
        const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
        let mut join = action(Mechanism::AddToGroup);
        join.reason = "move direct holder into the licensing group".into();
        join.group_licenses = vec![SKU.to_ascii_uppercase()];
        let holder = user(vec![assignment(None)]);
        assert_eq!(
            decide(&join, &in_group(false, group(true, false), holder.clone())),
            Decision::Proceed,
            "the licenses as planned (compared without case)"
        );
        let mut richer = group(true, false);
        richer.licenses.push(E5.into());
        let Decision::Settle { result, detail } =
            decide(&join, &in_group(false, richer.clone(), holder.clone()))
        else {
            panic!("joining a richer group must not proceed");
        };
        assert_eq!(result, ActionResult::Stale);
        assert_eq!(
            detail,
            format!("LIC has gained {E5} since planning; joining would grant it nobody approved")
        );
        // A plan that recorded no license list (made before it was recorded) is not judged.
        join.group_licenses.clear();
        assert_eq!(
            decide(&join, &in_group(false, richer, holder)),
            Decision::Proceed
        );
    }

    #[test]
    fn manual_actions_are_never_sent_and_done_once_the_group_lets_go() {
        let decision = decide(&action(Mechanism::Manual), &Observation::default());
        assert_eq!(result(decision), Some(ActionResult::Manual));
        let still = seen(user(vec![assignment(Some("g1"))]));
        assert_eq!(
            result(decide(&action(Mechanism::Manual), &still)),
            Some(ActionResult::Manual)
        );
        let released = seen(user(Vec::new()));
        assert_eq!(
            result(decide(&action(Mechanism::Manual), &released)),
            Some(ActionResult::AlreadyDone)
        );
    }

    #[test]
    fn an_unreadable_grace_date_still_protects() {
        let mut planned = action(Mechanism::RemoveDirect);
        planned.not_before = Some("20 Nov".into());
        let today = NaiveDate::from_ymd_opt(2030, 1, 1).expect("date");
        assert!(matches!(
            not_yet(&planned, today),
            Some(Decision::Settle {
                result: ActionResult::Deferred,
                ..
            })
        ));
    }

    #[test]
    fn a_deleted_user_is_not_a_removal_that_happened() {
        let observation = Observation {
            user: Lookup::Missing,
            ..Observation::default()
        };
        assert!(!reached(&action(Mechanism::RemoveDirect), &observation));
    }
}
