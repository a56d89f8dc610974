//! `assignment-error`: a (user, SKU) with a `licenseAssignmentStates` entry whose `error` is
//! not `None`. One finding per pair, whatever the number of groups; the reason lists the
//! distinct errors and `assigned_by` the sources that failed.

use super::super::finding::FindingKind;
use super::super::inputs::{RuleInputs, SOURCES};
use super::{FindingColumns, REASON};
use crate::model::{Snapshot, columns};
use polars::prelude::*;

/// Joins the distinct error codes of one (user, SKU) in its reason.
pub const ERROR_SEPARATOR: &str = ";";

pub fn find(snapshot: &Snapshot, inputs: &RuleInputs) -> LazyFrame {
    let failed = snapshot
        .assignment_states
        .clone()
        .lazy()
        .filter(
            col(columns::ASSIGNMENT_ERROR)
                .str()
                .to_lowercase()
                .neq(lit("none")),
        )
        .group_by([col(columns::USER_ID), col(columns::SKU_ID)])
        .agg([
            col(columns::ASSIGNMENT_ERROR)
                .unique()
                .sort(SortOptions::default())
                .str()
                .join(ERROR_SEPARATOR, true)
                .alias(REASON),
            col(columns::ASSIGNED_BY)
                .unique()
                .str()
                .join(";", true)
                .alias(SOURCES),
        ]);
    FindingColumns {
        reason: col(REASON),
        sources: col(SOURCES),
        monthly_amount: lit(0i64),
        ..FindingColumns::for_user_and_sku()
    }
    .select(
        FindingKind::AssignmentError,
        with_user_and_sku(failed, inputs),
    )
}

/// Adds the user's and the SKU's columns to (user, SKU) rows.
pub fn with_user_and_sku(pairs: LazyFrame, inputs: &RuleInputs) -> LazyFrame {
    pairs
        .join(
            inputs.users.clone(),
            [col(columns::USER_ID)],
            [col(columns::USER_ID)],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            inputs.skus.clone(),
            [col(columns::SKU_ID)],
            [col(columns::SKU_ID)],
            JoinArgs::new(JoinType::Left),
        )
        .left_join(
            inputs.premium_use.clone(),
            col(columns::USER_ID),
            col(columns::USER_ID),
        )
}
