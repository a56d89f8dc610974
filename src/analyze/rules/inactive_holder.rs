//! `inactive-holder`: a priced, paid SKU held by a user who is disabled, never signed in, or
//! not active in the window. `disabled` wins over the other reasons; without sign-in
//! evidence only `disabled` is raised.

use super::super::finding::FindingKind;
use super::super::inputs::{IS_ACTIVE, IS_DISABLED, IS_PAID, RuleInputs};
use super::{FindingColumns, REASON};
use crate::model::columns;
use polars::prelude::*;

pub const DISABLED: &str = "disabled";
pub const NEVER_SIGNED_IN: &str = "never-signed-in";
pub const INACTIVE: &str = "inactive";

pub fn find(inputs: &RuleInputs) -> LazyFrame {
    let activity_known = lit(inputs.activity_known);
    let reason = when(col(IS_DISABLED))
        .then(lit(DISABLED))
        .when(
            activity_known
                .clone()
                .and(col(columns::HAS_SIGN_IN_TIMESTAMP).not()),
        )
        .then(lit(NEVER_SIGNED_IN))
        .when(activity_known.and(col(IS_ACTIVE).not()))
        .then(lit(INACTIVE))
        .otherwise(lit(NULL).cast(DataType::String));
    let note = when(col(REASON).eq(lit(DISABLED)).and(col(IS_ACTIVE)))
        .then(lit("the account is disabled but was active in the window"))
        .when(col(REASON).eq(lit(INACTIVE)).and(col(columns::LAST_ACTIVITY).is_null()))
        .then(lit("only failed sign-in attempts are recorded, no successful sign-in"))
        .when(
            col(REASON)
                .eq(lit(INACTIVE))
                .and(col(columns::ACTIVITY_COUNTS_FAILED_ATTEMPTS)),
        )
        .then(lit(
            "last activity is lastSignInDateTime (the export lacks lastSuccessfulSignInDateTime), which also counts failed sign-ins",
        ))
        .otherwise(lit(NULL).cast(DataType::String));
    let candidates = inputs
        .holders
        .clone()
        .filter(col(columns::MONTHLY_PRICE).gt(lit(0i64)).and(col(IS_PAID)))
        .with_column(reason.alias(REASON))
        .filter(col(REASON).is_not_null());
    FindingColumns {
        reason: col(REASON),
        note,
        ..FindingColumns::for_user_and_sku()
    }
    .select(FindingKind::InactiveHolder, candidates)
}
