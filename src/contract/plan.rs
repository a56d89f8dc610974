//! The plan file (`plan.json`, schema `seatwise.plan/2`, SPEC §5): actions with stable ids,
//! the state observed when planned, exact amounts, where the plan came from, and a content
//! hash. The planners write it, `approve`, `apply` and `rollback` read it, all as [`Plan`].
//!
//! Schema 2 made amounts exact ([`Money`], decimal JSON numbers); a plan of schema 1 carried
//! binary-float amounts and is refused with a request to plan again (plans live days, so
//! nothing is converted behind anyone's back).

use super::{ParseError, from_slice, schema_of};
use crate::money::Money;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const SCHEMA: &str = "seatwise.plan/2";

/// The schema of plans whose amounts were binary floats; no longer read.
pub const RETIRED_SCHEMA: &str = "seatwise.plan/1";

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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedState {
    /// Sources of the license when planned (`direct`, group ids); empty for a new assignment.
    pub assigned_by: Vec<String>,
    pub account_enabled: Option<bool>,
    pub last_activity: Option<String>,
    pub last_premium_use: Option<String>,
    pub premium_apps_used: Option<u32>,
    /// Whether the user was a member of the action's group when planned.
    pub group_member: Option<bool>,
    /// `redundant-license`: the SKU (id) that covers the one removed, held when planned.
    /// `apply` leaves the removal alone once the user no longer holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covering_sku_id: Option<String>,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Monthly amount saved (removals) or spent (assignments), exact.
    pub monthly_amount: Money,
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
    /// What else joining a group grants: every other license the group carries, with its
    /// monthly price (counted in `monthly_amount` when the user does not hold it yet).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_grants: Vec<String>,
    /// The group's licenses (SKU ids, lower case) as planned, for joining and leaving a group:
    /// `apply` treats joining as stale when the group has gained a license since, because
    /// membership would hand it to the user unapproved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_licenses: Vec<String>,
    /// Earliest date to apply (after the grace period), `YYYY-MM-DD`.
    pub not_before: Option<String>,
    pub note: Option<String>,
}

/// Something the planner considered and left out, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub user_principal_name: Option<String>,
    pub sku_part_number: String,
    pub why: String,
}

/// Where the plan came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSource {
    pub audit_id: Option<String>,
    pub audit_as_of: Option<String>,
    pub snapshot: Option<String>,
    pub policy: Option<String>,
    pub input: Option<String>,
}

/// A plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Always [`SCHEMA`]; [`read`] refuses anything else.
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
    /// Σ of the actions' amounts, computed by [`Plan::seal`] and nowhere else.
    pub total_monthly_amount: Money,
    /// Approvals must be signed by a key of the allowed-signers file kept in the plan's
    /// folder (see [`crate::act::signers`]); absent when signatures are not required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatures: Option<SignatureRequirement>,
    /// `sha256:` of the plan's canonical JSON without this field.
    pub content_hash: String,
}

/// The file a plan's folder keeps its allowed signers in.
pub const ALLOWED_SIGNERS: &str = "allowed_signers";

/// Signed approvals required, by the signers of one exact file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureRequirement {
    /// Where the allowed-signers file was read from when planning (for people; the copy in
    /// the plan's folder, [`ALLOWED_SIGNERS`], is what counts).
    pub allowed_signers_source: String,
    /// `sha256:` of its bytes.
    pub allowed_signers_sha256: String,
}

impl Plan {
    /// Fills `content_hash` and `total_monthly_amount` after the actions are final.
    pub fn seal(mut self) -> Plan {
        self.total_monthly_amount = self
            .actions
            .iter()
            .map(|action| action.monthly_amount)
            .sum();
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

/// The compact JSON of the plan's fields in their declared order. Deterministic, and free of
/// `serde_json::Value`, whose numbers are binary floats: amounts are hashed as written.
fn canonical_json(plan: &Plan) -> Vec<u8> {
    serde_json::to_vec(plan).unwrap_or_default()
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

/// Why a `plan.json` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a seatwise plan: {}", .0.path.display(), .0.problem)]
    Parse(ParseError),
    #[error(
        "{}: schema {RETIRED_SCHEMA} is no longer supported; plan again with `seatwise plan {}`\nhint: plans are now {SCHEMA}, with exact amounts; approve the new plan (approvals of the old one do not carry over)",
        path.display(),
        replan_command(strategy.as_deref())
    )]
    Retired {
        path: PathBuf,
        strategy: Option<String>,
    },
    #[error(
        "{}: not a seatwise plan (schema {}; expected {SCHEMA})",
        path.display(),
        found.as_deref().map_or_else(|| "missing".to_string(), |found| format!("{found:?}"))
    )]
    Schema {
        path: PathBuf,
        found: Option<String>,
    },
    #[error(
        "{}: the plan was edited after it was made (its content hash does not match)\nhint: make the plan again with `seatwise plan`",
        path.display()
    )]
    Tampered { path: PathBuf },
}

/// The `seatwise plan` subcommand that makes a plan of `strategy` again.
fn replan_command(strategy: Option<&str>) -> &'static str {
    match strategy {
        Some("reclaim") => "reclaim …",
        Some("manual" | "bulk" | "group" | "request" | "on-demand") => "assign …",
        _ => "…",
    }
}

/// Reads a plan once: the plan, checked against its schema and content hash, and the
/// SHA-256 of the very bytes parsed (what approvals bind to), so the file cannot change
/// between the two.
pub fn read(path: &Path) -> Result<(Plan, String), PlanFileError> {
    let bytes = std::fs::read(path).map_err(|source| PlanFileError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let plan = parse(path, &bytes)?;
    Ok((plan, format!("sha256:{}", sha256_hex(&bytes))))
}

/// Parses the bytes of the `plan.json` at `path`, refusing other schemas and edited plans.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Plan, PlanFileError> {
    match schema_of(path, bytes).map_err(PlanFileError::Parse)? {
        Some(schema) if schema == SCHEMA => {}
        Some(schema) if schema == RETIRED_SCHEMA => {
            #[derive(Deserialize)]
            struct Strategy {
                strategy: Option<String>,
            }
            let strategy = serde_json::from_slice::<Strategy>(bytes)
                .ok()
                .and_then(|head| head.strategy);
            return Err(PlanFileError::Retired {
                path: path.to_path_buf(),
                strategy,
            });
        }
        found => {
            return Err(PlanFileError::Schema {
                path: path.to_path_buf(),
                found,
            });
        }
    }
    let plan: Plan = from_slice(path, bytes).map_err(PlanFileError::Parse)?;
    if plan.expected_hash() != plan.content_hash {
        return Err(PlanFileError::Tampered {
            path: path.to_path_buf(),
        });
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(id: &str, amount: &str) -> Action {
        Action {
            id: id.into(),
            mechanism: Mechanism::RemoveDirect,
            user_id: Some("u1".into()),
            user_principal_name: Some("ada@contoso.com".into()),
            group_id: None,
            group_display_name: None,
            sku_id: "sku-1".into(),
            sku_part_number: "SPE_E5".into(),
            disabled_plans: Vec::new(),
            reason: "inactive-holder/disabled".into(),
            observed: ObservedState::default(),
            monthly_amount: Money::from_json_number(amount).expect("amount"),
            together_with: Vec::new(),
            depends_on: Vec::new(),
            frees: vec!["sku-1".into()],
            also_removes: Vec::new(),
            also_grants: Vec::new(),
            group_licenses: Vec::new(),
            not_before: Some("2026-11-16".into()),
            note: None,
        }
    }

    fn plan(amounts: &[&str]) -> Plan {
        Plan {
            schema: SCHEMA.into(),
            strategy: "reclaim".into(),
            planned_on: "2026-11-02".into(),
            currency: "USD".into(),
            source: PlanSource::default(),
            required_approvals: 1,
            actions: amounts
                .iter()
                .enumerate()
                .map(|(index, amount)| action(&format!("act-{index}"), amount))
                .collect(),
            skipped: Vec::new(),
            total_monthly_amount: Money::ZERO,
            signatures: None,
            content_hash: String::new(),
        }
        .seal()
    }

    #[test]
    fn the_total_is_exact_and_the_plan_reads_back_equal() {
        let sealed = plan(&["0.10", "0.20", "12.375", "12345678901.23"]);
        assert_eq!(sealed.total_monthly_amount.exact(), "12345678913.905");
        let text = sealed.to_json();
        assert!(text.contains("\"schema\": \"seatwise.plan/2\""), "{text}");
        assert!(text.contains("\"monthly_amount\": 0.10,"), "{text}");
        assert!(
            text.contains("\"total_monthly_amount\": 12345678913.905,"),
            "{text}"
        );
        let read = parse(Path::new("plan.json"), text.as_bytes()).expect("reads back");
        assert_eq!(read, sealed);
        assert_eq!(read.expected_hash(), sealed.content_hash);
    }

    #[test]
    fn a_plan_of_schema_1_is_refused_with_a_request_to_plan_again() {
        let text = plan(&["57.00"])
            .to_json()
            .replacen(SCHEMA, RETIRED_SCHEMA, 1)
            .replace("57.00", "57.0");
        let error = parse(Path::new("plan/plan.json"), text.as_bytes()).expect_err("refused");
        assert!(matches!(error, PlanFileError::Retired { .. }), "{error:?}");
        assert!(
            error.to_string().starts_with(
                "plan/plan.json: schema seatwise.plan/1 is no longer supported; plan again with `seatwise plan reclaim …`"
            ),
            "{error}"
        );
        let foreign = text.replacen(RETIRED_SCHEMA, "seatwise.findings/1", 1);
        let error = parse(Path::new("plan.json"), foreign.as_bytes()).expect_err("foreign");
        assert!(error.to_string().contains("not a seatwise plan"), "{error}");
    }

    #[test]
    fn an_edited_amount_breaks_the_content_hash() {
        let text = plan(&["57.00", "20.00"]).to_json();
        let edited = text.replacen("\"monthly_amount\": 57.00", "\"monthly_amount\": 5.70", 1);
        assert_ne!(text, edited);
        let error = parse(Path::new("plan.json"), edited.as_bytes()).expect_err("edited");
        assert!(matches!(error, PlanFileError::Tampered { .. }), "{error:?}");
        // The same amount written another way is the same plan.
        let respelled = text.replacen("\"monthly_amount\": 57.00", "\"monthly_amount\": 57", 1);
        assert!(parse(Path::new("plan.json"), respelled.as_bytes()).is_ok());
    }
}
