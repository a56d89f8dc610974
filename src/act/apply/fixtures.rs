//! Small plans for the unit tests of the apply modules.

use crate::act::{Action, Mechanism, Plan};
use crate::contract::plan::{ObservedState, PlanSource, SCHEMA};
use crate::money::Money;

/// An action of user `u1` on group `g1` and SKU `sku-1`.
pub fn action(id: &str, mechanism: Mechanism, depends_on: &[&str]) -> Action {
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
        monthly_amount: Money::ZERO,
        together_with: Vec::new(),
        depends_on: depends_on.iter().map(|id| id.to_string()).collect(),
        frees: Vec::new(),
        also_removes: Vec::new(),
        also_grants: Vec::new(),
        group_licenses: Vec::new(),
        not_before: None,
        note: None,
    }
}

/// A sealed plan of `actions`.
pub fn plan(actions: Vec<Action>) -> Plan {
    Plan {
        schema: SCHEMA.into(),
        strategy: "group".into(),
        planned_on: "2026-11-27".into(),
        currency: "USD".into(),
        source: PlanSource::default(),
        required_approvals: 1,
        actions,
        skipped: Vec::new(),
        total_monthly_amount: Money::ZERO,
        signatures: None,
        content_hash: String::new(),
    }
    .seal()
}
