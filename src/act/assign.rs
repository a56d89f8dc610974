//! `seatwise plan assign`: the assignment strategies of the seed document as plans.
//!
//! - manual: one user, one SKU;
//! - bulk: a CSV of users (the seed's `UserEmail` column) and a SKU, checking free seats first;
//! - group: license a group, or move a SKU's direct holders into a licensing group (add to
//!   the group first, then remove the direct assignment, so nobody is ever without it);
//! - request: a requests CSV (requester, SKU, justification, manager) -> a plan that waits
//!   for approval;
//! - on demand: the users an audit found using premium apps without a license, who would
//!   auto-claim Power Apps Premium, and a plan that covers them.

use super::tenant::{TenantGroup, TenantView};
use crate::analyze::FindingKind;
use crate::contract::findings::FindingsDocument;
use crate::contract::plan::{
    Action, Mechanism, ObservedState, Plan, PlanSource, SCHEMA, Skipped, action_id,
};
use crate::ingest::error::{IngestError, RejectionLog, Strictness, rejection};
use crate::ingest::table::CsvTable;
use crate::money::Money;
use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum AssignError {
    #[error("no user {0:?} in the snapshot")]
    UnknownUser(String),
    #[error("no SKU {0:?} in the snapshot or the catalogue")]
    UnknownSku(String),
    #[error("no group {0:?} in the snapshot's groups.json")]
    UnknownGroup(String),
    #[error(
        "group {0} is dynamic: its rule decides membership, so users cannot be added to it\nhint: license the group itself with --group only, or choose an assigned group"
    )]
    DynamicGroup(String),
    #[error(transparent)]
    Input(#[from] IngestError),
}

/// Prices for amounts: part number -> monthly price (zero when unpriced).
pub type PriceLookup = dyn Fn(&str) -> Money;

/// What every assign plan shares.
pub struct AssignContext<'a> {
    pub tenant: &'a TenantView,
    pub price_of: &'a PriceLookup,
    pub currency: String,
    pub planned_on: NaiveDate,
    pub snapshot: String,
    pub required_approvals: u32,
}

impl AssignContext<'_> {
    fn plan(
        &self,
        strategy: &str,
        input: Option<String>,
        actions: Vec<Action>,
        skipped: Vec<Skipped>,
    ) -> Plan {
        Plan {
            schema: SCHEMA.to_string(),
            strategy: strategy.to_string(),
            planned_on: self.planned_on.to_string(),
            currency: self.currency.clone(),
            source: PlanSource {
                snapshot: Some(self.snapshot.clone()),
                input,
                ..PlanSource::default()
            },
            required_approvals: self.required_approvals,
            actions,
            skipped,
            total_monthly_amount: Money::ZERO,
            signatures: None,
            content_hash: String::new(),
        }
        .seal()
    }

    fn sku(&self, key: &str) -> Result<(String, String), AssignError> {
        self.tenant
            .find_sku(key)
            .ok_or_else(|| AssignError::UnknownSku(key.to_string()))
    }

    /// An `assign-direct` action, or why it is not needed.
    fn assign_direct(
        &self,
        user_key: &str,
        sku_id: &str,
        part: &str,
        reason: &str,
    ) -> Result<Action, String> {
        let user = self
            .tenant
            .find_user(user_key)
            .ok_or_else(|| "no such user in the snapshot".to_string())?;
        if self
            .tenant
            .holdings
            .contains(&(user.id.clone(), sku_id.to_string()))
        {
            return Err("already holds the license".into());
        }
        let note = user.usage_location.is_none().then(|| {
            "the user has no usage location; Graph refuses license assignment until one is set"
                .to_string()
        });
        Ok(Action {
            id: action_id(Mechanism::AssignDirect, Some(&user.id), None, sku_id),
            mechanism: Mechanism::AssignDirect,
            user_id: Some(user.id.clone()),
            user_principal_name: Some(user.user_principal_name.clone()),
            group_id: None,
            group_display_name: None,
            sku_id: sku_id.to_string(),
            sku_part_number: part.to_string(),
            disabled_plans: Vec::new(),
            reason: reason.to_string(),
            observed: ObservedState {
                account_enabled: user.account_enabled,
                last_activity: user.last_activity.clone(),
                ..ObservedState::default()
            },
            monthly_amount: (self.price_of)(part),
            together_with: Vec::new(),
            depends_on: Vec::new(),
            frees: Vec::new(),
            also_removes: Vec::new(),
            also_grants: Vec::new(),
            group_licenses: Vec::new(),
            not_before: None,
            note,
        })
    }

    /// [`AssignContext::within_seats`] for actions of several SKUs.
    fn within_seats_per_sku(
        &self,
        actions: Vec<Action>,
        skipped: &mut Vec<Skipped>,
    ) -> Vec<Action> {
        let skus: BTreeSet<(String, String)> = actions
            .iter()
            .map(|action| (action.sku_id.clone(), action.sku_part_number.clone()))
            .collect();
        let mut kept = Vec::new();
        for (sku_id, part) in skus {
            let of_sku: Vec<Action> = actions
                .iter()
                .filter(|action| action.sku_id == sku_id)
                .cloned()
                .collect();
            kept.extend(self.within_seats(&sku_id, &part, of_sku, skipped));
        }
        kept
    }

    /// Keeps assignments within the free seats; the rest are skipped as a shortfall.
    fn within_seats(
        &self,
        sku_id: &str,
        part: &str,
        actions: Vec<Action>,
        skipped: &mut Vec<Skipped>,
    ) -> Vec<Action> {
        if !self.tenant.skus.contains_key(sku_id) {
            return actions;
        }
        let free = self.tenant.available_seats(sku_id).max(0) as usize;
        let mut kept = Vec::new();
        for action in actions {
            if kept.len() < free {
                kept.push(action);
            } else {
                skipped.push(Skipped {
                    user_principal_name: action.user_principal_name.clone(),
                    sku_part_number: part.to_string(),
                    why: format!(
                        "seat shortfall: {free} free {part} seats; buy more or reclaim first"
                    ),
                });
            }
        }
        kept
    }
}

/// Manual: one user, one SKU.
pub fn plan_manual(context: &AssignContext, user: &str, sku: &str) -> Result<Plan, AssignError> {
    let (sku_id, part) = context.sku(sku)?;
    if context.tenant.find_user(user).is_none() {
        return Err(AssignError::UnknownUser(user.to_string()));
    }
    let mut skipped = Vec::new();
    let actions = match context.assign_direct(user, &sku_id, &part, "manual request") {
        Ok(action) => vec![action],
        Err(why) => {
            skipped.push(Skipped {
                user_principal_name: Some(user.to_string()),
                sku_part_number: part.clone(),
                why,
            });
            Vec::new()
        }
    };
    let actions = context.within_seats(&sku_id, &part, actions, &mut skipped);
    Ok(context.plan("manual", None, actions, skipped))
}

/// Bulk: the users of a CSV with a `UserEmail` column.
pub fn plan_bulk(
    context: &AssignContext,
    users_csv: &Path,
    sku: &str,
    strictness: Strictness,
) -> Result<Plan, AssignError> {
    let (sku_id, part) = context.sku(sku)?;
    let table = CsvTable::open(users_csv, &["UserEmail"])?;
    let mut log = RejectionLog::new(strictness);
    let mut actions = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = BTreeSet::new();
    for row in table.rows() {
        let email = row.get("UserEmail").trim();
        if email.is_empty() {
            log.reject(rejection(users_csv, row.location(), "UserEmail", "empty"))?;
            continue;
        }
        if !seen.insert(email.to_lowercase()) {
            continue;
        }
        match context.assign_direct(email, &sku_id, &part, "bulk assignment") {
            Ok(action) => actions.push(action),
            Err(why) => skipped.push(Skipped {
                user_principal_name: Some(email.to_string()),
                sku_part_number: part.clone(),
                why,
            }),
        }
    }
    let actions = context.within_seats(&sku_id, &part, actions, &mut skipped);
    Ok(context.plan(
        "bulk",
        Some(users_csv.display().to_string()),
        actions,
        skipped,
    ))
}

/// What joining a group grants one user.
struct JoiningGrants {
    /// A line per license besides the one planned, with its monthly price.
    lines: Vec<String>,
    /// The prices of those the user does not hold yet: what joining adds to the bill.
    monthly_amount: Money,
    /// Every license the group carries once the plan has run, lower case, sorted.
    group_licenses: Vec<String>,
}

impl AssignContext<'_> {
    /// What joining `group` grants `user_id` besides `sku_id` (which the plan licenses the
    /// group with, if it does not carry it yet).
    fn joining_grants(&self, group: &TenantGroup, user_id: &str, sku_id: &str) -> JoiningGrants {
        let mut group_licenses: Vec<String> = group
            .licenses
            .iter()
            .chain(std::iter::once(&sku_id.to_string()))
            .map(|sku| sku.to_ascii_lowercase())
            .collect();
        group_licenses.sort();
        group_licenses.dedup();
        let mut lines = Vec::new();
        let mut monthly_amount = Money::ZERO;
        for other in group_licenses
            .iter()
            .filter(|other| **other != sku_id.to_ascii_lowercase())
        {
            let part = self.tenant.part_name(other);
            let held = self
                .tenant
                .holdings
                .contains(&(user_id.to_string(), other.clone()));
            let price = (self.price_of)(&part);
            if held {
                lines.push(format!("license {part} (already held)"));
            } else {
                monthly_amount = monthly_amount + price;
                lines.push(format!(
                    "license {part} ({price} {} a month)",
                    self.currency
                ));
            }
        }
        JoiningGrants {
            lines,
            monthly_amount,
            group_licenses,
        }
    }
}

/// Group-based: license the group, or with `move_direct_holders`, move the SKU's direct
/// holders into the group (add first, then remove the direct assignment).
pub fn plan_group(
    context: &AssignContext,
    group: &str,
    sku: &str,
    move_direct_holders: bool,
) -> Result<Plan, AssignError> {
    let (sku_id, part) = context.sku(sku)?;
    let group = context
        .tenant
        .find_group(group)
        .ok_or_else(|| AssignError::UnknownGroup(group.to_string()))?;
    let mut actions = Vec::new();
    let mut skipped = Vec::new();
    if !group.licenses.contains(&sku_id) {
        let members = i64::try_from(group.members.len()).unwrap_or(i64::MAX);
        actions.push(Action {
            id: action_id(Mechanism::AssignToGroup, None, Some(&group.id), &sku_id),
            mechanism: Mechanism::AssignToGroup,
            user_id: None,
            user_principal_name: None,
            group_id: Some(group.id.clone()),
            group_display_name: group.display_name.clone(),
            sku_id: sku_id.clone(),
            sku_part_number: part.clone(),
            disabled_plans: Vec::new(),
            reason: "group-based licensing".into(),
            observed: ObservedState::default(),
            monthly_amount: (context.price_of)(&part).times(members),
            together_with: Vec::new(),
            depends_on: Vec::new(),
            frees: Vec::new(),
            also_removes: Vec::new(),
            also_grants: Vec::new(),
            group_licenses: Vec::new(),
            not_before: None,
            note: Some(format!(
                "licenses every member ({} now{}); Entra applies it asynchronously and records failures on the members",
                group.members.len(),
                if group.dynamic { ", by the group's rule" } else { "" }
            )),
        });
    }
    if move_direct_holders {
        if group.dynamic {
            return Err(AssignError::DynamicGroup(
                group
                    .display_name
                    .clone()
                    .unwrap_or_else(|| group.id.clone()),
            ));
        }
        let group_assign = actions.first().map(|action| action.id.clone());
        for ((user_id, held_sku), sources) in &context.tenant.sources {
            if *held_sku != sku_id || !sources.contains("direct") {
                continue;
            }
            let Some(user) = context.tenant.users.get(user_id) else {
                continue;
            };
            // The direct license goes only after the group grants the SKU: after the group is
            // licensed (when this plan licenses it) and after the user joins.
            let mut remove_depends: Vec<String> = group_assign.iter().cloned().collect();
            if !group.members.contains(user_id) {
                let grants = context.joining_grants(group, user_id, &sku_id);
                let add = Action {
                    id: action_id(
                        Mechanism::AddToGroup,
                        Some(user_id),
                        Some(&group.id),
                        &sku_id,
                    ),
                    mechanism: Mechanism::AddToGroup,
                    user_id: Some(user_id.clone()),
                    user_principal_name: Some(user.user_principal_name.clone()),
                    group_id: Some(group.id.clone()),
                    group_display_name: group.display_name.clone(),
                    sku_id: sku_id.clone(),
                    sku_part_number: part.clone(),
                    disabled_plans: Vec::new(),
                    reason: "move direct holder into the licensing group".into(),
                    observed: ObservedState {
                        assigned_by: sources.iter().cloned().collect(),
                        group_member: Some(false),
                        ..ObservedState::default()
                    },
                    monthly_amount: grants.monthly_amount,
                    together_with: Vec::new(),
                    depends_on: group_assign.iter().cloned().collect(),
                    frees: Vec::new(),
                    also_removes: Vec::new(),
                    also_grants: grants.lines,
                    group_licenses: grants.group_licenses,
                    not_before: None,
                    note: None,
                };
                remove_depends.push(add.id.clone());
                actions.push(add);
            }
            actions.push(Action {
                id: action_id(Mechanism::RemoveDirect, Some(user_id), None, &sku_id),
                mechanism: Mechanism::RemoveDirect,
                user_id: Some(user_id.clone()),
                user_principal_name: Some(user.user_principal_name.clone()),
                group_id: None,
                group_display_name: None,
                sku_id: sku_id.clone(),
                sku_part_number: part.clone(),
                disabled_plans: Vec::new(),
                reason: "the group now grants it".into(),
                observed: ObservedState {
                    assigned_by: sources.iter().cloned().collect(),
                    ..ObservedState::default()
                },
                monthly_amount: Money::ZERO,
                together_with: Vec::new(),
                depends_on: remove_depends,
                frees: Vec::new(),
                also_removes: Vec::new(),
                also_grants: Vec::new(),
                group_licenses: Vec::new(),
                not_before: None,
                note: Some(
                    "after the group grants the license, so the user keeps it throughout".into(),
                ),
            });
        }
        if actions.is_empty() {
            skipped.push(Skipped {
                user_principal_name: None,
                sku_part_number: part.clone(),
                why: "no direct holders to move and the group already carries the SKU".into(),
            });
        }
    }
    Ok(context.plan("group", None, actions, skipped))
}

/// By request: `Requester, Sku, Justification, Manager` rows; the plan waits for approval.
pub fn plan_requests(
    context: &AssignContext,
    requests_csv: &Path,
    strictness: Strictness,
) -> Result<Plan, AssignError> {
    let table = CsvTable::open(
        requests_csv,
        &["Requester", "Sku", "Justification", "Manager"],
    )?;
    let mut log = RejectionLog::new(strictness);
    let mut actions: Vec<Action> = Vec::new();
    let mut skipped = Vec::new();
    for row in table.rows() {
        let requester = row.get("Requester").trim();
        let sku = row.get("Sku").trim();
        let justification = row.get("Justification").trim();
        let manager = row.get("Manager").trim();
        for (field, value) in [
            ("Requester", requester),
            ("Sku", sku),
            ("Justification", justification),
        ] {
            if value.is_empty() {
                log.reject(rejection(requests_csv, row.location(), field, "empty"))?;
            }
        }
        if requester.is_empty() || sku.is_empty() || justification.is_empty() {
            continue;
        }
        let Some((sku_id, part)) = context.tenant.find_sku(sku) else {
            log.reject(rejection(
                requests_csv,
                row.location(),
                "Sku",
                format!("unknown SKU {sku:?}"),
            ))?;
            continue;
        };
        match context.assign_direct(requester, &sku_id, &part, "request") {
            Ok(mut action) => {
                action.note = Some(format!(
                    "justification: {justification}; manager: {}",
                    if manager.is_empty() {
                        "(none given)"
                    } else {
                        manager
                    }
                ));
                if !actions.iter().any(|existing| existing.id == action.id) {
                    actions.push(action);
                }
            }
            Err(why) => skipped.push(Skipped {
                user_principal_name: Some(requester.to_string()),
                sku_part_number: part,
                why,
            }),
        }
    }
    let kept = context.within_seats_per_sku(actions, &mut skipped);
    let mut plan = context.plan(
        "request",
        Some(requests_csv.display().to_string()),
        kept,
        skipped,
    );
    plan.required_approvals = plan.required_approvals.max(1);
    Ok(plan.seal())
}

/// On demand: users an audit found using premium apps without a license.
pub fn plan_on_demand(
    context: &AssignContext,
    audit: &FindingsDocument,
    audit_id: &str,
) -> Result<Plan, AssignError> {
    let mut actions = Vec::new();
    let mut skipped = Vec::new();
    for finding in audit
        .findings
        .iter()
        .filter(|finding| finding.kind == FindingKind::MissingPremium)
    {
        let Some(user_id) = &finding.user_id else {
            continue;
        };
        let reason = format!(
            "premium use without a license ({} premium apps)",
            finding.premium_apps_used.unwrap_or(0)
        );
        match context.assign_direct(user_id, &finding.sku_id, &finding.sku_part_number, &reason) {
            Ok(mut action) => {
                action.observed.last_premium_use = finding.last_premium_use.clone();
                action.observed.premium_apps_used = finding.premium_apps_used;
                actions.push(action);
            }
            Err(why) => skipped.push(Skipped {
                user_principal_name: finding.user_principal_name.clone(),
                sku_part_number: finding.sku_part_number.clone(),
                why,
            }),
        }
    }
    let kept = context.within_seats_per_sku(actions, &mut skipped);
    let mut plan = context.plan("on-demand", None, kept, skipped);
    plan.source.audit_id = Some(audit_id.to_string());
    plan.source.audit_as_of = Some(audit.as_of.to_string());
    Ok(plan.seal())
}
