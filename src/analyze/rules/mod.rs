//! One module per finding rule (SPEC §3). Each is a pure function from the prepared inputs
//! to a lazy frame in the common finding layout built by [`FindingColumns`].

pub mod assignment_error;
pub mod duplicate_assignment;
pub mod idle_seats;
pub mod inactive_holder;
pub mod missing_premium;
pub mod redundant_license;
pub mod right_size;
pub mod unused_premium;

use super::finding::FindingKind;
use super::inputs::{LAST_PREMIUM_USE, PREMIUM_APPS_USED, SOURCES};
use crate::model::columns;
use polars::prelude::*;
use right_size::{CHEAPEST_MONTHLY_COST, CHEAPEST_PART_NUMBER, CURRENT_MONTHLY_COST, WHOLE_MONTHS};

// The columns of the common finding layout not already named in `model::columns`.
pub const KIND: &str = "kind";
pub const REASON: &str = "reason";
pub const SEATS: &str = "seats";
pub const MONTHLY_AMOUNT: &str = "monthly_amount";
pub const NOTE: &str = "note";

/// The expressions that fill each column of the finding layout.
pub struct FindingColumns {
    pub user_id: Expr,
    pub user_principal_name: Expr,
    pub department: Expr,
    pub sku_part_number: Expr,
    pub sku_id: Expr,
    pub reason: Expr,
    pub sources: Expr,
    pub last_activity: Expr,
    pub last_premium_use: Expr,
    pub premium_apps_used: Expr,
    pub seats: Expr,
    pub monthly_amount: Expr,
    pub note: Expr,
    /// `redundant-license`: the held SKU that covers this one.
    pub covering_sku_id: Expr,
    pub covering_sku_part_number: Expr,
    /// `right-size`: the current license's monthly price.
    pub current_monthly_cost: Expr,
    /// `right-size`: the part number of the cheapest option.
    pub cheapest_part_number: Expr,
    /// `right-size`: the cheapest option's monthly cost.
    pub cheapest_monthly_cost: Expr,
    /// `right-size`: the calendar months wholly inside the window the use was counted over.
    pub whole_months: Expr,
}

fn typed_null(dtype: DataType) -> Expr {
    lit(NULL).cast(dtype)
}

impl FindingColumns {
    /// The layout for a finding about a user and a SKU, read from the standard column names.
    pub fn for_user_and_sku() -> FindingColumns {
        FindingColumns {
            user_id: col(columns::USER_ID),
            user_principal_name: col(columns::USER_PRINCIPAL_NAME),
            department: col(columns::DEPARTMENT),
            sku_part_number: col(columns::SKU_PART_NUMBER),
            sku_id: col(columns::SKU_ID),
            reason: typed_null(DataType::String),
            // Filled in after the rules run, for the pairs found only.
            sources: typed_null(DataType::String),
            last_activity: col(columns::LAST_ACTIVITY),
            last_premium_use: col(LAST_PREMIUM_USE),
            premium_apps_used: col(PREMIUM_APPS_USED),
            seats: typed_null(DataType::Int64),
            monthly_amount: col(columns::MONTHLY_PRICE),
            note: typed_null(DataType::String),
            covering_sku_id: typed_null(DataType::String),
            covering_sku_part_number: typed_null(DataType::String),
            current_monthly_cost: typed_null(DataType::Int64),
            cheapest_part_number: typed_null(DataType::String),
            cheapest_monthly_cost: typed_null(DataType::Int64),
            whole_months: typed_null(DataType::UInt32),
        }
    }

    /// Selects the layout from `frame`, tagging rows with `kind`.
    pub fn select(self, kind: FindingKind, frame: LazyFrame) -> LazyFrame {
        frame.select([
            lit(kind.as_str()).alias(KIND),
            self.user_id.cast(DataType::String).alias(columns::USER_ID),
            self.user_principal_name
                .cast(DataType::String)
                .alias(columns::USER_PRINCIPAL_NAME),
            self.department
                .cast(DataType::String)
                .alias(columns::DEPARTMENT),
            self.sku_part_number
                .cast(DataType::String)
                .alias(columns::SKU_PART_NUMBER),
            self.sku_id.cast(DataType::String).alias(columns::SKU_ID),
            self.reason.cast(DataType::String).alias(REASON),
            self.sources.cast(DataType::String).alias(SOURCES),
            self.last_activity
                .cast(DataType::Int64)
                .alias(columns::LAST_ACTIVITY),
            self.last_premium_use
                .cast(DataType::Int64)
                .alias(LAST_PREMIUM_USE),
            self.premium_apps_used
                .cast(DataType::UInt32)
                .alias(PREMIUM_APPS_USED),
            self.seats.cast(DataType::Int64).alias(SEATS),
            self.monthly_amount
                .cast(DataType::Int64)
                .fill_null(lit(0i64))
                .alias(MONTHLY_AMOUNT),
            self.note.cast(DataType::String).alias(NOTE),
            self.covering_sku_id
                .cast(DataType::String)
                .alias(redundant_license::COVERING_SKU_ID),
            self.covering_sku_part_number
                .cast(DataType::String)
                .alias(redundant_license::COVERING_SKU_PART_NUMBER),
            self.current_monthly_cost
                .cast(DataType::Int64)
                .alias(CURRENT_MONTHLY_COST),
            self.cheapest_part_number
                .cast(DataType::String)
                .alias(CHEAPEST_PART_NUMBER),
            self.cheapest_monthly_cost
                .cast(DataType::Int64)
                .alias(CHEAPEST_MONTHLY_COST),
            self.whole_months.cast(DataType::UInt32).alias(WHOLE_MONTHS),
        ])
    }
}
