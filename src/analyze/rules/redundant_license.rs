//! `redundant-license` (SPEC §8): a user holds a priced, paid SKU B while another SKU A they
//! hold already grants every user-facing service plan of B. Which SKU covers which comes from
//! the catalogue's coverage tables ([`Coverage`]: infrastructure plans ignored, a higher tier
//! covers a lower one, trials never cover, SKUs for users only); this rule adds what only the
//! tenant knows:
//!
//! - a plan disabled on A for that user covers nothing, so the pair is checked again against
//!   the user's `disabledPlans` of A;
//! - A must be paid for (a suspended, deleted or locked-out subscription grants nothing for
//!   long), and neither SKU may be one that `subscribedSkus` says applies to the company;
//! - when A and B cover each other for that user, only the pricier one is redundant (on equal
//!   prices, the one whose part number sorts later), so one of the two always stays;
//! - a (user, B) already in a reclaim kind is not also redundant, and neither is B when A is
//!   itself being reclaimed from that user: removing both would leave the user without either.
//!
//! The amount is B's price. Several covering SKUs make one finding, naming the first by part
//! number.

use super::super::finding::FindingKind;
use super::super::inputs::{IS_PAID, RuleInputs};
use super::{FindingColumns, NOTE};
use crate::catalogue::Coverage;
use crate::model::columns;
use crate::money::Money;
use polars::prelude::*;
use std::collections::HashSet;

pub const COVERED_BY_HELD_LICENSE: &str = "covered-by-held-license";

// The covering license of a finding, in the common layout.
pub const COVERING_SKU_ID: &str = "covering_sku_id";
pub const COVERING_SKU_PART_NUMBER: &str = "covering_sku_part_number";

// Candidate columns, local to the rule.
const COVERING_DISPLAY_NAME: &str = "covering_sku_display_name";
const COVERING_DISABLED_PLANS: &str = "covering_disabled_plans";
const COVERING_PRICE: &str = "covering_monthly_price";
const COVERING_IS_PAID: &str = "covering_is_paid";
const COVERING_APPLIES_TO: &str = "covering_applies_to";

/// A holding's columns about its SKU: a candidate carries them for B as they are and for A
/// under [`COVERING_COLUMNS`], in the same order.
const SKU_COLUMNS: [&str; 7] = [
    columns::SKU_ID,
    columns::SKU_PART_NUMBER,
    columns::SKU_DISPLAY_NAME,
    columns::DISABLED_PLANS,
    columns::MONTHLY_PRICE,
    IS_PAID,
    columns::APPLIES_TO,
];
const COVERING_COLUMNS: [&str; 7] = [
    COVERING_SKU_ID,
    COVERING_SKU_PART_NUMBER,
    COVERING_DISPLAY_NAME,
    COVERING_DISABLED_PLANS,
    COVERING_PRICE,
    COVERING_IS_PAID,
    COVERING_APPLIES_TO,
];

// Row numbers of the holdings, and which may take part in a pair, while pairs are found.
const HELD_ROW: &str = "held_row";
const COVERING_ROW: &str = "covering_row";
const MAY_BE_COVERED: &str = "may_be_covered";
const MAY_COVER: &str = "may_cover";

/// `subscribedSkus.appliesTo` of a SKU assigned to the tenant rather than to users.
const COMPANY: &str = "Company";

/// `reclaimed`: the (user id, SKU id) pairs of the reclaim kinds' findings.
pub fn find(
    inputs: &RuleInputs,
    coverage: &Coverage,
    reclaimed: LazyFrame,
) -> PolarsResult<LazyFrame> {
    let held = inputs
        .holders
        .clone()
        .collect()?
        .select(std::iter::once(columns::USER_ID).chain(SKU_COLUMNS))?;
    let held_skus: HashSet<&str> = held
        .column(columns::SKU_ID)?
        .str()?
        .iter()
        .flatten()
        .collect();
    let covered_pairs = coverage_frame(coverage, &held_skus)?;
    let for_users = |name: &str| col(name).neq(lit(COMPANY)).fill_null(lit(true));
    // Every (user, B, A) where the tables say A covers B with all of A's plans enabled: few
    // rows, checked one by one below against the user's disabled plans. The pairs are found
    // on row numbers and ids alone (a SKU is covered by many, so the first join multiplies
    // the rows), and only the pairs found take the holdings' other columns.
    let numbered = held.clone().lazy().with_row_index(HELD_ROW, None).select([
        col(HELD_ROW),
        col(columns::USER_ID),
        col(columns::SKU_ID),
        col(columns::MONTHLY_PRICE)
            .gt(lit(0i64))
            .and(col(IS_PAID))
            .and(for_users(columns::APPLIES_TO))
            .alias(MAY_BE_COVERED),
        col(IS_PAID)
            .and(for_users(columns::APPLIES_TO))
            .alias(MAY_COVER),
    ]);
    let pairs = numbered
        .clone()
        .filter(col(MAY_BE_COVERED))
        .select([col(HELD_ROW), col(columns::USER_ID), col(columns::SKU_ID)])
        .join(
            covered_pairs,
            [col(columns::SKU_ID)],
            [col(columns::SKU_ID)],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            numbered.filter(col(MAY_COVER)).select([
                col(columns::USER_ID),
                col(columns::SKU_ID).alias(COVERING_SKU_ID),
                col(HELD_ROW).alias(COVERING_ROW),
            ]),
            [col(columns::USER_ID), col(COVERING_SKU_ID)],
            [col(columns::USER_ID), col(COVERING_SKU_ID)],
            JoinArgs::new(JoinType::Inner),
        )
        .select([col(HELD_ROW), col(COVERING_ROW)])
        .collect()?;
    let covered = held.take(pairs.column(HELD_ROW)?.idx()?)?;
    let covering = held
        .select(SKU_COLUMNS)?
        .take(pairs.column(COVERING_ROW)?.idx()?)?;
    let mut candidates = covered;
    for (name, column) in COVERING_COLUMNS.into_iter().zip(covering.into_columns()) {
        candidates.with_column(column.with_name(name.into()))?;
    }
    let redundant = redundant_rows(&candidates, coverage)?;
    let found = candidates
        .filter(&redundant)?
        .lazy()
        .join(
            reclaimed.clone(),
            [col(columns::USER_ID), col(columns::SKU_ID)],
            [col(columns::USER_ID), col(columns::SKU_ID)],
            JoinArgs::new(JoinType::Anti),
        )
        .join(
            reclaimed,
            [col(columns::USER_ID), col(COVERING_SKU_ID)],
            [col(columns::USER_ID), col(columns::SKU_ID)],
            JoinArgs::new(JoinType::Anti),
        )
        .sort(
            [
                columns::USER_ID,
                columns::SKU_ID,
                COVERING_SKU_PART_NUMBER,
                COVERING_SKU_ID,
            ],
            SortMultipleOptions::default(),
        )
        .unique_stable(
            Some(cols([columns::USER_ID, columns::SKU_ID])),
            UniqueKeepStrategy::First,
        )
        .select([
            col(columns::USER_ID),
            col(columns::SKU_ID),
            col(COVERING_SKU_ID),
            col(COVERING_SKU_PART_NUMBER),
            concat_str(
                [
                    when(col(COVERING_DISPLAY_NAME).is_null())
                        .then(col(COVERING_SKU_PART_NUMBER))
                        .otherwise(concat_str(
                            [
                                col(COVERING_DISPLAY_NAME),
                                lit(" ("),
                                col(COVERING_SKU_PART_NUMBER),
                                lit(")"),
                            ],
                            "",
                            false,
                        )),
                    lit(", also held, grants every service of this license"),
                ],
                "",
                false,
            )
            .alias(NOTE),
        ])
        .join(
            inputs.holders.clone(),
            [col(columns::USER_ID), col(columns::SKU_ID)],
            [col(columns::USER_ID), col(columns::SKU_ID)],
            JoinArgs::new(JoinType::Inner),
        );
    Ok(FindingColumns {
        reason: lit(COVERED_BY_HELD_LICENSE),
        note: col(NOTE),
        covering_sku_id: col(COVERING_SKU_ID),
        covering_sku_part_number: col(COVERING_SKU_PART_NUMBER),
        ..FindingColumns::for_user_and_sku()
    }
    .select(FindingKind::RedundantLicense, found))
}

/// The coverage pairs of SKUs someone in the tenant holds, as a frame: `sku_id` (covered) and
/// `covering_sku_id`. The catalogue's other pairs could match no holding, and a SKU held by
/// millions is covered by dozens of SKUs in the catalogue.
fn coverage_frame(coverage: &Coverage, held: &HashSet<&str>) -> PolarsResult<LazyFrame> {
    let (covering, covered): (Vec<&str>, Vec<&str>) = coverage
        .pairs()
        .filter(|(covering, covered)| held.contains(covering) && held.contains(covered))
        .unzip();
    Ok(df!(
        columns::SKU_ID => covered,
        COVERING_SKU_ID => covering,
    )?
    .lazy())
}

/// For each candidate (user, B, A): whether A, with the user's disabled plans of A, covers B,
/// and B is the one to go when the two cover each other.
fn redundant_rows(candidates: &DataFrame, coverage: &Coverage) -> PolarsResult<BooleanChunked> {
    let string =
        |name: &str| -> PolarsResult<StringChunked> { Ok(candidates.column(name)?.str()?.clone()) };
    let plans =
        |name: &str| -> PolarsResult<ListChunked> { Ok(candidates.column(name)?.list()?.clone()) };
    let covered_ids = string(columns::SKU_ID)?;
    let covering_ids = string(COVERING_SKU_ID)?;
    let covered_parts = string(columns::SKU_PART_NUMBER)?;
    let covering_parts = string(COVERING_SKU_PART_NUMBER)?;
    let covered_disabled = plans(columns::DISABLED_PLANS)?;
    let covering_disabled = plans(COVERING_DISABLED_PLANS)?;
    let covered_prices = candidates.column(columns::MONTHLY_PRICE)?.i64()?.clone();
    let covering_prices = candidates.column(COVERING_PRICE)?.i64()?.clone();

    let disabled_of = |lists: &ListChunked, row: usize| -> PolarsResult<Vec<String>> {
        let Some(list) = lists.get_as_series(row) else {
            return Ok(Vec::new());
        };
        Ok(list.str()?.iter().flatten().map(str::to_string).collect())
    };
    let mut redundant = Vec::with_capacity(candidates.height());
    for row in 0..candidates.height() {
        let (Some(covered), Some(covering)) = (covered_ids.get(row), covering_ids.get(row)) else {
            redundant.push(false);
            continue;
        };
        let covers = coverage.covers_with_disabled(
            covering,
            &disabled_of(&covering_disabled, row)?,
            covered,
        );
        let covered_back =
            coverage.covers_with_disabled(covered, &disabled_of(&covered_disabled, row)?, covering);
        let price = |prices: &Int64Chunked| Money(prices.get(row).unwrap_or(0));
        let pricier = (
            price(&covered_prices),
            covered_parts.get(row).unwrap_or_default(),
        ) > (
            price(&covering_prices),
            covering_parts.get(row).unwrap_or_default(),
        );
        redundant.push(covers && (!covered_back || pricier));
    }
    Ok(BooleanChunked::from_slice("redundant".into(), &redundant))
}
