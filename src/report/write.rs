//! Writing a report: the files a finance reader opens, rendered from one [`ReportModel`]
//! into a folder (an audit folder being staged, or the `--out` of `seatwise report`). Each
//! file is written aside and renamed into place, so a reader never opens half a page.
//!
//! This is the one entry point for report files: the workbook is written beside the page
//! here.

use super::html::{self, charts::ChartError};
use super::model::ReportModel;
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
}

/// Writes the report files of `model` into the existing folder `dir`; returns their paths.
pub fn write_report(dir: &Path, model: &ReportModel) -> Result<Vec<PathBuf>, ReportWriteError> {
    let path = dir.join(html::FILE_NAME);
    let page = html::render(model).map_err(|source| ReportWriteError::Chart {
        path: path.clone(),
        source,
    })?;
    write_file_whole(&path, page.as_bytes()).map_err(ReportWriteError::Io)?;
    Ok(vec![path])
}
