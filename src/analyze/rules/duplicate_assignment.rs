//! `duplicate-assignment`: a (user, SKU) granted by two or more `Active` assignment states
//! from different sources (direct and a group, or several groups). One seat is consumed, but
//! removing one source does not free it, which plans must know.

use super::super::finding::FindingKind;
use super::super::inputs::{RuleInputs, SOURCES};
use super::assignment_error::with_user_and_sku;
use super::{FindingColumns, REASON};
use crate::model::{Snapshot, columns};
use polars::prelude::*;

pub const DIRECT_AND_GROUP: &str = "direct-and-group";
pub const MULTIPLE_GROUPS: &str = "multiple-groups";

const SOURCE_COUNT: &str = "source_count";
const HAS_DIRECT: &str = "has_direct";

pub fn find(snapshot: &Snapshot, inputs: &RuleInputs) -> LazyFrame {
    let active = snapshot.assignment_states.clone().lazy().filter(
        col(columns::ASSIGNMENT_STATE)
            .str()
            .to_lowercase()
            .eq(lit("active")),
    );
    // Millions of assignments have one source: the pairs with two or more are found on a
    // count first, and only their sources are gathered and joined into text. (User and SKU
    // ids are never null in the frame, so the semi join keeps every such pair.)
    let several_sources = active
        .clone()
        .group_by([col(columns::USER_ID), col(columns::SKU_ID)])
        .agg([col(columns::ASSIGNED_BY).n_unique().alias(SOURCE_COUNT)])
        .filter(col(SOURCE_COUNT).gt_eq(lit(2u32)))
        .select([col(columns::USER_ID), col(columns::SKU_ID)]);
    let duplicated = active
        .join(
            several_sources,
            [col(columns::USER_ID), col(columns::SKU_ID)],
            [col(columns::USER_ID), col(columns::SKU_ID)],
            JoinArgs::new(JoinType::Semi),
        )
        .group_by([col(columns::USER_ID), col(columns::SKU_ID)])
        .agg([
            col(columns::ASSIGNED_BY).n_unique().alias(SOURCE_COUNT),
            col(columns::ASSIGNED_BY)
                .eq(lit(columns::DIRECT))
                .any(true)
                .alias(HAS_DIRECT),
            col(columns::ASSIGNED_BY)
                .unique()
                .str()
                .join(";", true)
                .alias(SOURCES),
        ])
        .filter(col(SOURCE_COUNT).gt_eq(lit(2u32)))
        .with_column(
            when(col(HAS_DIRECT))
                .then(lit(DIRECT_AND_GROUP))
                .otherwise(lit(MULTIPLE_GROUPS))
                .alias(REASON),
        );
    FindingColumns {
        reason: col(REASON),
        sources: col(SOURCES),
        monthly_amount: lit(0i64),
        ..FindingColumns::for_user_and_sku()
    }
    .select(
        FindingKind::DuplicateAssignment,
        with_user_and_sku(duplicated, inputs),
    )
}
