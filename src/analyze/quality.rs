//! Data-quality counts: what the findings could not see, so nobody trusts them blindly.
//!
//! Launches by people no longer in the directory, launches of apps missing from the
//! inventory, launches after the as-of date, SKUs without a price (never counted as waste),
//! SKUs the catalogue does not know, and whether activity and premium use were knowable.

use super::inputs::{RuleInputs, millis, premium_launches};
use crate::model::{Snapshot, columns};
use polars::prelude::*;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AnalysisQuality {
    pub activity_known: bool,
    pub premium_use_known: bool,
    pub launches_in_window: usize,
    pub launches_after_as_of: usize,
    pub unknown_user_launches: usize,
    pub unknown_users: usize,
    pub unknown_user_premium_launches: usize,
    pub unknown_app_launches: usize,
    pub unknown_apps: usize,
    /// Part numbers of SKUs bought or held that have no price: never counted as waste.
    pub unpriced_skus: Vec<String>,
    /// SKU ids held or bought that the catalogue does not list.
    pub uncatalogued_skus: Vec<String>,
    pub group_members_not_in_directory: usize,
}

const IN_DIRECTORY: &str = "in_directory";
const IN_INVENTORY: &str = "in_inventory";

impl AnalysisQuality {
    pub fn compute(
        snapshot: &Snapshot,
        inputs: &RuleInputs,
        skus: &DataFrame,
    ) -> PolarsResult<AnalysisQuality> {
        let start = inputs.window.start_millis();
        let end = inputs.window.end_millis();
        let known_users = snapshot
            .users
            .clone()
            .lazy()
            .select([col(columns::USER_KEY), lit(true).alias(IN_DIRECTORY)]);
        let mut launches = premium_launches(snapshot)?
            .left_join(known_users, col(columns::USER_KEY), col(columns::USER_KEY))
            .with_column(col(IN_DIRECTORY).fill_null(lit(false)));
        launches = match &snapshot.apps {
            Some(apps) => launches
                .left_join(
                    apps.clone()
                        .lazy()
                        .select([col(columns::APP_ID), lit(true).alias(IN_INVENTORY)]),
                    col(columns::APP_ID),
                    col(columns::APP_ID),
                )
                .with_column(col(IN_INVENTORY).fill_null(lit(false))),
            None => launches.with_column(lit(false).alias(IN_INVENTORY)),
        };
        let launched = millis(columns::LAUNCHED_AT);
        let in_window = launched
            .clone()
            .gt_eq(lit(start))
            .and(launched.clone().lt(lit(end)));
        let unknown_user = in_window.clone().and(col(IN_DIRECTORY).not());
        let unknown_app = in_window.clone().and(col(IN_INVENTORY).not());
        let counts = launches
            .select([
                in_window
                    .clone()
                    .sum()
                    .cast(DataType::Int64)
                    .alias("in_window"),
                launched
                    .gt_eq(lit(end))
                    .sum()
                    .cast(DataType::Int64)
                    .alias("after"),
                unknown_user
                    .clone()
                    .sum()
                    .cast(DataType::Int64)
                    .alias("unknown_user_launches"),
                col(columns::USER_KEY)
                    .filter(unknown_user.clone())
                    .n_unique()
                    .cast(DataType::Int64)
                    .alias("unknown_users"),
                unknown_user
                    .and(col(columns::APP_IS_PREMIUM))
                    .sum()
                    .cast(DataType::Int64)
                    .alias("unknown_user_premium"),
                unknown_app
                    .clone()
                    .sum()
                    .cast(DataType::Int64)
                    .alias("unknown_app_launches"),
                col(columns::APP_ID)
                    .filter(unknown_app)
                    .n_unique()
                    .cast(DataType::Int64)
                    .alias("unknown_apps"),
            ])
            .collect()?;
        let count = |name: &str| -> PolarsResult<usize> {
            Ok(counts.column(name)?.i64()?.get(0).unwrap_or(0).max(0) as usize)
        };

        let part_numbers = skus.column(columns::SKU_PART_NUMBER)?.str()?;
        let sku_ids = skus.column(columns::SKU_ID)?.str()?;
        let prices = skus.column(columns::MONTHLY_PRICE)?.i64()?;
        let display_names = skus.column(columns::SKU_DISPLAY_NAME)?.str()?;
        let mut unpriced_skus = Vec::new();
        let mut uncatalogued_skus = Vec::new();
        for row in 0..skus.height() {
            if prices.get(row).is_none() {
                unpriced_skus.push(part_numbers.get(row).unwrap_or_default().to_string());
            }
            if display_names.get(row).is_none() {
                uncatalogued_skus.push(sku_ids.get(row).unwrap_or_default().to_string());
            }
        }
        unpriced_skus.sort();
        uncatalogued_skus.sort();

        let group_members_not_in_directory = snapshot
            .group_members
            .clone()
            .lazy()
            .join(
                snapshot
                    .users
                    .clone()
                    .lazy()
                    .select([col(columns::USER_ID)]),
                [col(columns::USER_ID)],
                [col(columns::USER_ID)],
                JoinArgs::new(JoinType::Anti),
            )
            .collect()?
            .height();

        Ok(AnalysisQuality {
            activity_known: inputs.activity_known,
            premium_use_known: inputs.premium_use_known,
            launches_in_window: count("in_window")?,
            launches_after_as_of: count("after")?,
            unknown_user_launches: count("unknown_user_launches")?,
            unknown_users: count("unknown_users")?,
            unknown_user_premium_launches: count("unknown_user_premium")?,
            unknown_app_launches: if snapshot.apps.is_some() {
                count("unknown_app_launches")?
            } else {
                0
            },
            unknown_apps: if snapshot.apps.is_some() {
                count("unknown_apps")?
            } else {
                0
            },
            unpriced_skus,
            uncatalogued_skus,
            group_members_not_in_directory,
        })
    }
}
