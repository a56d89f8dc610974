//! `report.xlsx`: the report model as a workbook finance can filter and pivot (SPEC §6).
//!
//! Sheets, in order: Summary (headline figures and the method), By SKU, Chargeback (by the
//! model's attribute, with the tenant's overhead and a total equal to the monthly cost),
//! Findings (every finding of the audit's findings table), Idle seats, Renewals (the renewal
//! calendar: when each subscription's seats can drop, the seats to cut and the saving), Trend
//! (one row per recorded month, with history), What changed (the comparison with the month
//! recorded before, with history), Data quality.
//!
//! Like every view, the workbook renders the [`ReportModel`]: each total is the model's value,
//! written as a number, never a formula and never a sum taken here. The Findings sheet lists
//! the findings table row by row, with each user's display name and chargeback group looked up
//! in the users table. Cells are typed (see [`cells`]): money as numbers in the audit's
//! currency, counts as whole numbers, shares as percentages, dates as dates, and tenant text
//! as text that never runs as a formula. The large sheets (Findings, Data quality) are written
//! in constant-memory mode, a row at a time.
//!
//! The file is written beside its target under a hidden name and renamed into place, so a
//! failed write never leaves a half workbook at `path`.

pub mod cells;
mod findings;
mod quality;
mod sheets;

use super::model::ReportModel;
use super::tables::AuditTables;
use crate::support::folder::write_file_whole;
use polars::prelude::PolarsError;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};
use std::path::{Path, PathBuf};

/// The workbook's file name in an audit or report folder.
pub const FILE_NAME: &str = "report.xlsx";

pub use cells::{MAX_CELL_TEXT, MAX_DATA_ROWS, TRUNCATION_MARKER};

/// The workbook's sheets, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetName {
    Summary,
    BySku,
    Chargeback,
    Findings,
    IdleSeats,
    Renewals,
    Trend,
    Changes,
    DataQuality,
}

impl SheetName {
    pub const ALL: [SheetName; 9] = [
        SheetName::Summary,
        SheetName::BySku,
        SheetName::Chargeback,
        SheetName::Findings,
        SheetName::IdleSeats,
        SheetName::Renewals,
        SheetName::Trend,
        SheetName::Changes,
        SheetName::DataQuality,
    ];

    /// The tab's name (Excel allows 31 characters and no `[]:*?/\`).
    pub fn as_str(self) -> &'static str {
        match self {
            SheetName::Summary => "Summary",
            SheetName::BySku => "By SKU",
            SheetName::Chargeback => "Chargeback",
            SheetName::Findings => "Findings",
            SheetName::IdleSeats => "Idle seats",
            SheetName::Renewals => "Renewals",
            SheetName::Trend => "Trend",
            SheetName::Changes => "What changed",
            SheetName::DataQuality => "Data quality",
        }
    }
}

impl std::fmt::Display for SheetName {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// What went wrong while building or saving the workbook.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error("sheet {sheet}, cell {cell} ({column}): {source}")]
    Cell {
        sheet: SheetName,
        cell: String,
        column: String,
        #[source]
        source: Box<XlsxError>,
    },
    #[error("sheet {sheet}: {source}")]
    Sheet {
        sheet: SheetName,
        #[source]
        source: Box<XlsxError>,
    },
    #[error(
        "sheet {sheet}: {rows} rows do not fit under the header (Excel's limit is {MAX_DATA_ROWS})\nhint: findings.csv and findings.parquet in the audit folder hold every finding"
    )]
    TooManyRows { sheet: SheetName, rows: usize },
    #[error("the findings could not be read from the audit's tables: {0}")]
    Engine(#[from] PolarsError),
    #[error("cannot write the workbook: {0}")]
    Save(#[source] Box<XlsxError>),
    #[error("writing {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A workbook that could not be written, and where it was to go.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct WorkbookError {
    pub path: PathBuf,
    #[source]
    pub problem: Problem,
}

/// Writes the workbook of `model` to `path`; the Findings sheet lists `tables.findings`.
pub fn write_workbook(
    path: &Path,
    model: &ReportModel,
    tables: &AuditTables,
) -> Result<(), WorkbookError> {
    let at = |problem| WorkbookError {
        path: path.to_path_buf(),
        problem,
    };
    let mut workbook = build(model, tables).map_err(at)?;
    save_beside(&mut workbook, path).map_err(at)
}

/// The whole workbook, in memory except for its constant-memory sheets.
fn build(model: &ReportModel, tables: &AuditTables) -> Result<Workbook, Problem> {
    let findings = findings::FindingRows::collect(tables, model.by_attribute.attribute)?;
    cells::check_fits(SheetName::Findings, findings.len())?;
    let formats = cells::Formats::new(&model.context.currency);
    let mut workbook = Workbook::new();
    workbook.set_properties(&properties(model));
    sheets::summary(workbook.add_worksheet(), &formats, model)?;
    sheets::by_sku(workbook.add_worksheet(), &formats, model)?;
    sheets::chargeback(workbook.add_worksheet(), &formats, model)?;
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(|source| Problem::Sheet {
            sheet: SheetName::Findings,
            source: Box::new(source),
        })?;
    findings.write(sheet, &formats, model)?;
    sheets::idle_seats(workbook.add_worksheet(), &formats, model)?;
    sheets::renewals(workbook.add_worksheet(), &formats, model)?;
    sheets::trend(workbook.add_worksheet(), &formats, model)?;
    sheets::changes(workbook.add_worksheet(), &formats, model)?;
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(|source| Problem::Sheet {
            sheet: SheetName::DataQuality,
            source: Box::new(source),
        })?;
    quality::write(sheet, &formats, model)?;
    Ok(workbook)
}

/// The file's properties. Its creation date is the audit's as-of date rather than the clock,
/// so one audit always gives the same workbook.
fn properties(model: &ReportModel) -> DocProperties {
    let as_of = model.context.window.as_of;
    let title = format!("seatwise license audit as of {as_of}");
    let properties = DocProperties::new()
        .set_title(title)
        .set_author(format!("seatwise {}", env!("CARGO_PKG_VERSION")));
    let created = chrono::Datelike::year(&as_of)
        .try_into()
        .ok()
        .and_then(|year| {
            ExcelDateTime::from_ymd(
                year,
                chrono::Datelike::month(&as_of) as u8,
                chrono::Datelike::day(&as_of) as u8,
            )
            .ok()
        });
    match created {
        Some(created) => properties.set_creation_datetime(&created),
        None => properties,
    }
}

/// Saves the workbook whole or not at all: built in memory, then written under a hidden name
/// beside `path` and renamed into place.
fn save_beside(workbook: &mut Workbook, path: &Path) -> Result<(), Problem> {
    let bytes = workbook
        .save_to_buffer()
        .map_err(|error| Problem::Save(Box::new(error)))?;
    write_file_whole(path, &bytes).map_err(|error| Problem::Io {
        path: error.path,
        source: error.source,
    })
}
