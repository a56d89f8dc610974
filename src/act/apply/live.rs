//! The tenant as it is now: what `apply` re-reads before each action, so a change is never
//! made on the strength of a stale audit.
//!
//! One user read (`GET /users/{id}` with the license, account and sign-in properties) and,
//! for group mechanisms, the user's direct groups (`/users/{id}/memberOf`, groups only)
//! or the group itself (`GET /groups/{id}`). Tenants without Entra ID P1 refuse
//! `signInActivity` with 403; the reader then drops it for the rest of the run and says so,
//! and "the user became active" can no longer be checked.

use crate::graph::endpoint::encode_segment as encode;
use crate::graph::{GraphClient, GraphError};
use crate::support::timestamp::parse_timestamp;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const USER_SELECT: &str =
    "id,userPrincipalName,accountEnabled,usageLocation,licenseAssignmentStates";
const GROUP_SELECT: &str = "id,displayName,groupTypes,assignedLicenses";

/// One `licenseAssignmentStates` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveAssignment {
    pub sku_id: String,
    /// `None` for a direct assignment.
    pub assigned_by_group: Option<String>,
    /// `Active`, `ActiveWithError`, `Disabled`, `Error`, …
    pub state: String,
    pub disabled_plans: Vec<String>,
}

impl LiveAssignment {
    pub fn is_active(&self) -> bool {
        self.state.eq_ignore_ascii_case("active")
            || self.state.eq_ignore_ascii_case("activewitherror")
    }
}

/// A user as Graph reports it now.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveUser {
    pub id: String,
    pub user_principal_name: String,
    pub account_enabled: Option<bool>,
    pub usage_location: Option<String>,
    /// Latest sign-in of any kind, in milliseconds; `None` when never or unknown.
    pub last_sign_in: Option<i64>,
    /// False when the tenant refused `signInActivity`.
    pub sign_in_known: bool,
    pub assignments: Vec<LiveAssignment>,
}

impl LiveUser {
    /// The direct assignment of a SKU, in any state.
    pub fn direct(&self, sku_id: &str) -> Option<&LiveAssignment> {
        self.assignments.iter().find(|assignment| {
            assignment.assigned_by_group.is_none() && assignment.sku_id.eq_ignore_ascii_case(sku_id)
        })
    }

    /// Groups whose assignment of the SKU is active for this user.
    pub fn active_groups_for(&self, sku_id: &str) -> Vec<&str> {
        self.assignments
            .iter()
            .filter(|assignment| {
                assignment.sku_id.eq_ignore_ascii_case(sku_id) && assignment.is_active()
            })
            .filter_map(|assignment| assignment.assigned_by_group.as_deref())
            .collect()
    }
}

/// A group as Graph reports it now.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveGroup {
    pub id: String,
    pub display_name: Option<String>,
    pub dynamic: bool,
    pub licenses: Vec<String>,
}

impl LiveGroup {
    pub fn carries(&self, sku_id: &str) -> bool {
        self.licenses
            .iter()
            .any(|sku| sku.eq_ignore_ascii_case(sku_id))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserShape {
    id: String,
    #[serde(default)]
    user_principal_name: Option<String>,
    #[serde(default)]
    account_enabled: Option<bool>,
    #[serde(default)]
    usage_location: Option<String>,
    #[serde(default)]
    license_assignment_states: Option<Vec<StateShape>>,
    #[serde(default)]
    sign_in_activity: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LicenseShape {
    sku_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateShape {
    sku_id: String,
    #[serde(default)]
    assigned_by_group: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    disabled_plans: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupShape {
    /// In `memberOf`: `#microsoft.graph.group`, or a directory role or administrative unit.
    #[serde(default, rename = "@odata.type")]
    odata_type: Option<String>,
    id: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    group_types: Option<Vec<String>>,
    #[serde(default)]
    assigned_licenses: Option<Vec<LicenseShape>>,
}

impl From<GroupShape> for LiveGroup {
    fn from(shape: GroupShape) -> LiveGroup {
        LiveGroup {
            dynamic: shape
                .group_types
                .iter()
                .flatten()
                .any(|kind| kind.eq_ignore_ascii_case("DynamicMembership")),
            id: shape.id.to_ascii_lowercase(),
            display_name: shape.display_name,
            licenses: shape
                .assigned_licenses
                .unwrap_or_default()
                .into_iter()
                .map(|license| license.sku_id.to_ascii_lowercase())
                .collect(),
        }
    }
}

/// The latest activity, by the audit's rule: the latest successful interactive sign-in (or,
/// when Graph does not report successes, the latest interactive attempt) or non-interactive
/// sign-in. A failed attempt alone does not make a user active.
fn last_sign_in(activity: &Value) -> Option<i64> {
    let at = |name: &str| {
        activity
            .get(name)
            .and_then(Value::as_str)
            .and_then(|text| parse_timestamp(text).ok())
    };
    let interactive = if activity.get("lastSuccessfulSignInDateTime").is_some() {
        at("lastSuccessfulSignInDateTime")
    } else {
        at("lastSignInDateTime")
    };
    interactive.max(at("lastNonInteractiveSignInDateTime"))
}

/// Reads users and groups through the shared Graph client.
pub struct LiveReader {
    client: Arc<GraphClient>,
    sign_in_refused: AtomicBool,
}

impl LiveReader {
    pub fn new(client: Arc<GraphClient>) -> LiveReader {
        LiveReader {
            client,
            sign_in_refused: AtomicBool::new(false),
        }
    }

    /// True once the tenant has refused `signInActivity`.
    pub fn sign_in_refused(&self) -> bool {
        self.sign_in_refused.load(Ordering::Relaxed)
    }

    /// The user now; `None` when Graph no longer knows the id.
    pub async fn user(&self, user_id: &str) -> Result<Option<LiveUser>, GraphError> {
        let with_sign_in = !self.sign_in_refused();
        let select = if with_sign_in {
            format!("{USER_SELECT},signInActivity")
        } else {
            USER_SELECT.to_string()
        };
        let target = format!("/v1.0/users/{}?$select={select}", encode(user_id));
        let shape: UserShape = match self.client.get_json(&target, &[]).await {
            Ok(shape) => shape,
            Err(error) if error.status() == Some(404) => return Ok(None),
            Err(error) if error.status() == Some(403) && with_sign_in => {
                // Refused with signInActivity: if the same read succeeds without it, the
                // tenant refuses sign-in activity (no Entra ID P1 or AuditLog.Read.All).
                let target = format!("/v1.0/users/{}?$select={USER_SELECT}", encode(user_id));
                let shape = match self.client.get_json(&target, &[]).await {
                    Ok(shape) => shape,
                    Err(error) if error.status() == Some(404) => return Ok(None),
                    Err(error) => return Err(error),
                };
                self.sign_in_refused.store(true, Ordering::Relaxed);
                shape
            }
            Err(error) => return Err(error),
        };
        let sign_in_known = !self.sign_in_refused();
        Ok(Some(LiveUser {
            id: shape.id.to_ascii_lowercase(),
            user_principal_name: shape.user_principal_name.unwrap_or_default(),
            account_enabled: shape.account_enabled,
            usage_location: shape
                .usage_location
                .filter(|location| !location.trim().is_empty()),
            last_sign_in: shape.sign_in_activity.as_ref().and_then(last_sign_in),
            sign_in_known,
            assignments: shape
                .license_assignment_states
                .unwrap_or_default()
                .into_iter()
                .map(|state| LiveAssignment {
                    sku_id: state.sku_id.to_ascii_lowercase(),
                    assigned_by_group: state.assigned_by_group.map(|id| id.to_ascii_lowercase()),
                    state: state.state.unwrap_or_default(),
                    disabled_plans: state.disabled_plans.unwrap_or_default(),
                })
                .collect(),
        }))
    }

    /// The groups the user is a direct member of (every page).
    pub async fn direct_groups(&self, user_id: &str) -> Result<Vec<LiveGroup>, GraphError> {
        let mut target = format!(
            "/v1.0/users/{}/memberOf?$select={GROUP_SELECT}&$top=999",
            encode(user_id)
        );
        let mut groups = Vec::new();
        loop {
            let page = self.client.get_page(&target, &[]).await?;
            for value in &page.values {
                let shape: GroupShape =
                    serde_json::from_str(value.get()).map_err(|error| GraphError::Decode {
                        method: "GET".to_string(),
                        target: format!("/v1.0/users/{user_id}/memberOf"),
                        problem: error.to_string(),
                    })?;
                // memberOf also lists directory roles and administrative units.
                let is_group = shape
                    .odata_type
                    .as_deref()
                    .is_none_or(|kind| kind.eq_ignore_ascii_case("#microsoft.graph.group"));
                if is_group {
                    groups.push(LiveGroup::from(shape));
                }
            }
            match page.next_link {
                Some(next) => target = next,
                None => return Ok(groups),
            }
        }
    }

    /// The group now; `None` when Graph no longer knows the id.
    pub async fn group(&self, group_id: &str) -> Result<Option<LiveGroup>, GraphError> {
        let target = format!("/v1.0/groups/{}?$select={GROUP_SELECT}", encode(group_id));
        match self.client.get_json::<GroupShape>(&target, &[]).await {
            Ok(shape) => Ok(Some(LiveGroup::from(shape))),
            Err(error) if error.status() == Some(404) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_follows_the_audit_rule() {
        let activity = serde_json::json!({
            "lastSignInDateTime": "2026-10-20T08:00:00Z",
            "lastNonInteractiveSignInDateTime": "2026-10-05T08:00:00.1234567Z",
            "lastSuccessfulSignInDateTime": null
        });
        // The later interactive attempt failed: only the non-interactive sign-in counts.
        let expected = parse_timestamp("2026-10-05T08:00:00.123Z").ok();
        assert_eq!(last_sign_in(&activity), expected);
        let failed_only = serde_json::json!({
            "lastSignInDateTime": "2026-10-20T08:00:00Z",
            "lastSuccessfulSignInDateTime": null
        });
        assert_eq!(last_sign_in(&failed_only), None);
        // Without the successful property, the interactive attempt is all there is.
        let older = serde_json::json!({"lastSignInDateTime": "2026-10-20T08:00:00Z"});
        assert_eq!(
            last_sign_in(&older),
            parse_timestamp("2026-10-20T08:00:00Z").ok()
        );
        assert_eq!(last_sign_in(&serde_json::json!({})), None);
    }
}
