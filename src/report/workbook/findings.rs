//! The Findings sheet: every row of the audit's findings table, in its order, with each
//! user's display name and chargeback group looked up in the users table (a join, no
//! arithmetic). Written in constant-memory mode: a large tenant has hundreds of thousands of
//! findings.

use super::cells::{Formats, SheetWriter};
use super::sheets::{capitalised, per_month};
use super::{Problem, SheetName};
use crate::analyze::inputs::{LAST_PREMIUM_USE, PREMIUM_APPS_USED};
use crate::analyze::rules::{KIND, MONTHLY_AMOUNT, NOTE, REASON, SEATS};
use crate::model::columns;
use crate::money::Money;
use crate::report::UserAttribute;
use crate::report::model::ReportModel;
use crate::report::tables::AuditTables;
use polars::prelude::*;
use rust_xlsxwriter::Worksheet;

const ORDER: &str = "order";
const GROUP: &str = "group";

/// The findings, ready to write: the findings table joined to the users it names.
pub struct FindingRows {
    frame: DataFrame,
}

impl FindingRows {
    /// The findings table in its order, with `user_display_name` and the user's `group` under
    /// `attribute`; times as epoch milliseconds and `assigned_by` as `; `-separated text.
    pub fn collect(tables: &AuditTables, attribute: UserAttribute) -> PolarsResult<FindingRows> {
        let users = tables.users.clone().lazy().select([
            col(columns::USER_ID),
            col(columns::USER_DISPLAY_NAME),
            attribute.group().alias(GROUP),
        ]);
        let frame = tables
            .findings
            .clone()
            .lazy()
            .with_row_index(ORDER, None)
            .join(
                users,
                [col(columns::USER_ID)],
                [col(columns::USER_ID)],
                JoinArgs::new(JoinType::Left),
            )
            .sort([ORDER], SortMultipleOptions::default())
            .with_columns([
                col(columns::ASSIGNED_BY)
                    .list()
                    .join(lit("; "), true)
                    .alias(columns::ASSIGNED_BY),
                col(columns::LAST_ACTIVITY).cast(DataType::Int64),
                col(LAST_PREMIUM_USE).cast(DataType::Int64),
            ])
            .collect()?;
        Ok(FindingRows { frame })
    }

    pub fn len(&self) -> usize {
        self.frame.height()
    }

    /// Writes the Findings sheet, one row per finding.
    pub fn write(
        &self,
        sheet: &mut Worksheet,
        formats: &Formats,
        model: &ReportModel,
    ) -> Result<(), Problem> {
        let text = |name: &str| -> PolarsResult<&StringChunked> { self.frame.column(name)?.str() };
        let integer =
            |name: &str| -> PolarsResult<&Int64Chunked> { self.frame.column(name)?.i64() };
        let kind = text(KIND)?;
        let user_principal_name = text(columns::USER_PRINCIPAL_NAME)?;
        let display_name = text(columns::USER_DISPLAY_NAME)?;
        let group = text(GROUP)?;
        let sku = text(columns::SKU_PART_NUMBER)?;
        let reason = text(REASON)?;
        let seats = integer(SEATS)?;
        let amount = integer(MONTHLY_AMOUNT)?;
        let last_activity = integer(columns::LAST_ACTIVITY)?;
        let last_premium_use = integer(LAST_PREMIUM_USE)?;
        let premium_apps_used = integer(PREMIUM_APPS_USED)?;
        let assigned_by = text(columns::ASSIGNED_BY)?;
        let user_id = text(columns::USER_ID)?;
        let sku_id = text(columns::SKU_ID)?;
        let note = text(NOTE)?;

        let mut writer = SheetWriter::begin(
            sheet,
            formats,
            SheetName::Findings,
            vec![
                "Kind".into(),
                "User principal name".into(),
                "Display name".into(),
                capitalised(model.by_attribute.attribute.label()),
                "SKU".into(),
                "Reason".into(),
                "Seats".into(),
                per_month(model),
                "Last activity (UTC)".into(),
                "Last premium use (UTC)".into(),
                "Premium apps used".into(),
                "Assigned by".into(),
                "User id".into(),
                "SKU id".into(),
                "Note".into(),
            ],
        )?;
        for index in 0..self.frame.height() {
            writer.optional_text(0, kind.get(index))?;
            writer.optional_text(1, user_principal_name.get(index))?;
            writer.optional_text(2, display_name.get(index))?;
            writer.optional_text(3, group.get(index))?;
            writer.optional_text(4, sku.get(index))?;
            writer.optional_text(5, reason.get(index))?;
            writer.optional_count(6, seats.get(index))?;
            writer.optional_money(7, amount.get(index).map(Money))?;
            writer.optional_moment(8, last_activity.get(index))?;
            writer.optional_moment(9, last_premium_use.get(index))?;
            writer.optional_count(10, premium_apps_used.get(index))?;
            writer.optional_text(11, assigned_by.get(index).filter(|text| !text.is_empty()))?;
            writer.optional_text(12, user_id.get(index))?;
            writer.optional_text(13, sku_id.get(index))?;
            writer.optional_text(14, note.get(index))?;
            writer.next_row();
        }
        writer.finish()
    }
}
