//! `idle-seats`: purchased seats of a priced, paid SKU that nobody holds
//! (`prepaidUnits.enabled` + grace-period `warning` seats − `consumedUnits` > 0). A suspended,
//! deleted or locked-out subscription is not paid for, so its seats are no saving.

use super::super::finding::FindingKind;
use super::super::inputs::{IS_PAID, PURCHASED_SEATS};
use super::{FindingColumns, SEATS};
use crate::model::columns;
use polars::prelude::*;

pub fn find(skus: LazyFrame) -> LazyFrame {
    let candidates = skus
        .with_column((col(PURCHASED_SEATS) - col(columns::CONSUMED_UNITS)).alias(SEATS))
        .filter(
            col(columns::MONTHLY_PRICE)
                .gt(lit(0i64))
                .and(col(IS_PAID))
                .and(col(SEATS).gt(lit(0i64))),
        );
    let null_string = || lit(NULL).cast(DataType::String);
    FindingColumns {
        user_id: null_string(),
        user_principal_name: null_string(),
        department: null_string(),
        sources: null_string(),
        last_activity: lit(NULL).cast(DataType::Int64),
        last_premium_use: lit(NULL).cast(DataType::Int64),
        premium_apps_used: lit(NULL).cast(DataType::UInt32),
        seats: col(SEATS),
        monthly_amount: col(SEATS) * col(columns::MONTHLY_PRICE),
        ..FindingColumns::for_user_and_sku()
    }
    .select(FindingKind::IdleSeats, candidates)
}
