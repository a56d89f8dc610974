//! `missing-premium`: a directory user who launched a premium app in the window and holds no
//! premium SKU on the as-of date; the amount is what Power Apps Premium would cost. Raised
//! whatever the account's state; launches by users not in the directory are data-quality
//! counts, not findings.

use super::super::finding::FindingKind;
use super::super::inputs::{IS_DISABLED, PREMIUM_APPS_USED, RuleInputs};
use super::FindingColumns;
use crate::model::columns;
use polars::prelude::*;

pub const UNLICENSED_PREMIUM_USE: &str = "unlicensed-premium-use";

pub fn find(inputs: &RuleInputs) -> LazyFrame {
    let premium_holders = inputs
        .holders
        .clone()
        .filter(col(columns::PREMIUM))
        .select([col(columns::USER_ID)])
        .unique(None, UniqueKeepStrategy::Any);
    let candidates = inputs
        .users
        .clone()
        .join(
            inputs.premium_use.clone(),
            [col(columns::USER_ID)],
            [col(columns::USER_ID)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col(PREMIUM_APPS_USED).gt(lit(0u32)))
        .join(
            premium_holders,
            [col(columns::USER_ID)],
            [col(columns::USER_ID)],
            JoinArgs::new(JoinType::Anti),
        );
    let license = &inputs.premium_license;
    FindingColumns {
        sku_part_number: lit(license.part_number.clone()),
        sku_id: lit(license.sku_id.clone()),
        reason: lit(UNLICENSED_PREMIUM_USE),
        sources: lit(NULL).cast(DataType::String),
        monthly_amount: lit(license.monthly_price.0),
        note: when(col(IS_DISABLED))
            .then(lit("the account is disabled"))
            .otherwise(lit(NULL).cast(DataType::String)),
        ..FindingColumns::for_user_and_sku()
    }
    .select(FindingKind::MissingPremium, candidates)
}
