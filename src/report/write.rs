//! Writing a report: the files a finance reader opens, rendered from one [`ReportModel`]
//! into a folder (an audit folder being staged, or the `--out` of `seatwise report`). Each
//! file is written aside and renamed into place, so a reader never opens half a page.
//!
//! This is the one entry point for report files: `report.html` and `report.xlsx`.

use super::html::{self, charts::ChartError};
use super::model::ReportModel;
use super::tables::AuditTables;
use super::workbook::{self, WorkbookError, write_workbook};
use crate::support::folder::{FolderError, write_file_whole};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ReportWriteError {
    #[error("{}: the report could not be drawn: {source}", path.display())]
    Chart {
        path: PathBuf,
        #[source]
        source: ChartError,
    },
    #[error("{}: cannot write the report: {}", .0.path.display(), .0.source)]
    Io(#[source] FolderError),
    #[error(transparent)]
    Workbook(#[from] WorkbookError),
}

/// The files a report consists of, in the order they are written.
pub const REPORT_FILES: [&str; 2] = [html::FILE_NAME, workbook::FILE_NAME];

/// Writes the report files of `model` into the existing folder `dir`; returns their paths.
/// The workbook's Findings sheet lists `tables.findings`, the tables `model` was built from.
pub fn write_report(
    dir: &Path,
    model: &ReportModel,
    tables: &AuditTables,
) -> Result<Vec<PathBuf>, ReportWriteError> {
    let path = dir.join(html::FILE_NAME);
    let page = html::render(model).map_err(|source| ReportWriteError::Chart {
        path: path.clone(),
        source,
    })?;
    write_file_whole(&path, page.as_bytes()).map_err(ReportWriteError::Io)?;
    let workbook_path = dir.join(workbook::FILE_NAME);
    write_workbook(&workbook_path, model, tables)?;
    Ok(vec![path, workbook_path])
}
