//! `unused-premium`: an active, enabled user holding a paid premium SKU who launched no
//! premium app in the window. Not raised when premium use cannot be known (no app inventory,
//! no audit exports, exports without a launch or not covering the window; see
//! [`super::super::evidence`]): absence of evidence is not evidence of non-use.

use super::super::finding::FindingKind;
use super::super::inputs::{IS_ACTIVE, IS_DISABLED, IS_PAID, PREMIUM_APPS_USED, RuleInputs};
use super::FindingColumns;
use crate::model::columns;
use polars::prelude::*;

pub const NO_PREMIUM_USE: &str = "no-premium-use";

pub fn find(inputs: &RuleInputs) -> LazyFrame {
    let active = if inputs.activity_known {
        col(IS_ACTIVE)
    } else {
        lit(true)
    };
    let candidates = inputs.holders.clone().filter(
        lit(inputs.premium_use_known)
            .and(col(columns::PREMIUM))
            .and(col(IS_PAID))
            .and(col(IS_DISABLED).not())
            .and(active)
            .and(col(PREMIUM_APPS_USED).eq(lit(0u32))),
    );
    let note = if inputs.activity_known {
        lit(NULL).cast(DataType::String)
    } else {
        lit("sign-in activity was not collected, so the user may also be inactive")
    };
    FindingColumns {
        reason: lit(NO_PREMIUM_USE),
        note,
        ..FindingColumns::for_user_and_sku()
    }
    .select(FindingKind::UnusedPremium, candidates)
}
