//! The plan file (`seatwise.plan/1`): actions with stable ids, the state observed when
//! planned, amounts, where the plan came from, and a content hash.

use crate::money::Money;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

pub const SCHEMA: &str = "seatwise.plan/1";

/// How an action changes the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mechanism {
    /// `POST /users/{id}/assignLicense` with `removeLicenses`.
    RemoveDirect,
    /// Remove the user from a licensing group (`DELETE /groups/{id}/members/{user}/$ref`).
    RemoveFromGroup,
    /// `POST /users/{id}/assignLicense` with `addLicenses`.
    AssignDirect,
    /// Add the user to a licensing group (`POST /groups/{id}/members/$ref`).
    AddToGroup,
    /// `POST /groups/{id}/assignLicense`: license a whole group.
    AssignToGroup,
    /// `POST /groups/{id}/assignLicense` with `removeLicenses`: stop licensing a group (the
    /// undo of `assign-to-group`).
    RemoveGroupLicense,
    /// A person must act (a dynamic group's rule decides membership).
    Manual,
}

impl Mechanism {
    /// True for changes that take a license away.
    pub fn removes(self) -> bool {
        matches!(
            self,
            Mechanism::RemoveDirect | Mechanism::RemoveFromGroup | Mechanism::RemoveGroupLicense
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mechanism::RemoveDirect => "remove-direct",
            Mechanism::RemoveFromGroup => "remove-from-group",
            Mechanism::AssignDirect => "assign-direct",
            Mechanism::AddToGroup => "add-to-group",
            Mechanism::AssignToGroup => "assign-to-group",
            Mechanism::RemoveGroupLicense => "remove-group-license",
            Mechanism::Manual => "manual",
        }
    }
}

/// What the planner saw, so `apply` can tell when reality has changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObservedState {
    /// Sources of the license when planned (`direct`, group ids); empty for a new assignment.
    pub assigned_by: Vec<String>,
    pub account_enabled: Option<bool>,
    pub last_activity: Option<String>,
    pub last_premium_use: Option<String>,
    pub premium_apps_used: Option<u32>,
    /// Whether the user was a member of the action's group when planned.
    pub group_member: Option<bool>,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// Stable: derived from mechanism, user, group and SKU.
    pub id: String,
    pub mechanism: Mechanism,
    pub user_id: Option<String>,
    pub user_principal_name: Option<String>,
    pub group_id: Option<String>,
    pub group_display_name: Option<String>,
    pub sku_id: String,
    pub sku_part_number: String,
    /// Service plans to leave disabled when assigning directly (a rollback restores the
    /// exact plans a removed license had).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disabled_plans: Vec<String>,
    /// Why: the finding kind and reason, or the request.
    pub reason: String,
    pub observed: ObservedState,
    /// Monthly amount saved (removals) or spent (assignments).
    pub monthly_amount: f64,
    /// Actions that must all be applied before the seat is freed (a license held both
    /// directly and through groups).
    pub together_with: Vec<String>,
    /// Actions that must succeed before this one (Graph `$batch` `dependsOn`).
    pub depends_on: Vec<String>,
    /// The SKUs (ids) this action reclaims: one, or several when leaving a group frees
    /// more than one license the plan reclaims. Empty for assignments.
    pub frees: Vec<String>,
    /// What else this change takes away (other licenses a group carries, a Microsoft 365
    /// group's team and files).
    pub also_removes: Vec<String>,
    /// Earliest date to apply (after the grace period), `YYYY-MM-DD`.
    pub not_before: Option<String>,
    pub note: Option<String>,
}

/// Something the planner considered and left out, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    pub user_principal_name: Option<String>,
    pub sku_part_number: String,
    pub why: String,
}

/// Where the plan came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanSource {
    pub audit_id: Option<String>,
    pub audit_as_of: Option<String>,
    pub snapshot: Option<String>,
    pub policy: Option<String>,
    pub input: Option<String>,
}

/// A plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub schema: String,
    /// `reclaim`, `manual`, `bulk`, `group`, `request` or `on-demand`.
    pub strategy: String,
    pub planned_on: String,
    pub currency: String,
    pub source: PlanSource,
    /// Distinct approvers `apply` requires.
    pub required_approvals: u32,
    pub actions: Vec<Action>,
    pub skipped: Vec<Skipped>,
    pub total_monthly_amount: f64,
    /// `sha256:` of the plan's canonical JSON without this field.
    pub content_hash: String,
}

impl Plan {
    /// Fills `content_hash` and `total_monthly_amount` after the actions are final.
    pub fn seal(mut self) -> Plan {
        let total: Money = self
            .actions
            .iter()
            .map(|action| money_from_f64(action.monthly_amount))
            .sum();
        self.total_monthly_amount = total.cents() as f64 / 100.0;
        self.content_hash = String::new();
        self.content_hash = format!("sha256:{}", sha256_hex(&canonical_json(&self)));
        self
    }

    /// The hash the plan's content should have.
    pub fn expected_hash(&self) -> String {
        let mut unsealed = self.clone();
        unsealed.content_hash = String::new();
        format!("sha256:{}", sha256_hex(&canonical_json(&unsealed)))
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

fn canonical_json(plan: &Plan) -> Vec<u8> {
    // serde_json::Value keeps object keys sorted, which makes the bytes canonical.
    serde_json::to_value(plan)
        .and_then(|value| serde_json::to_vec(&value))
        .unwrap_or_default()
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The SHA-256 of a file's exact bytes, which approvals are bound to.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    Ok(format!("sha256:{}", sha256_hex(&std::fs::read(path)?)))
}

/// A stable action id from what the action does.
pub fn action_id(
    mechanism: Mechanism,
    user_id: Option<&str>,
    group_id: Option<&str>,
    sku_id: &str,
) -> String {
    let key = format!(
        "{}|{}|{}|{}",
        mechanism.as_str(),
        user_id.unwrap_or(""),
        group_id.unwrap_or(""),
        sku_id
    );
    format!("act-{}", &sha256_hex(key.as_bytes())[..12])
}

/// Money from a JSON amount (cents precision, which is what findings carry).
pub fn money_from_f64(amount: f64) -> Money {
    Money((amount * 100.0).round() as i64 * 10_000)
}
