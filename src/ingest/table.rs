//! Small CSV files read by header name: the app inventory, price books, the SKU catalogue.
//!
//! Exports differ in column order and letter case, and PowerShell adds a BOM and quotes every
//! field, so columns are found by name (trimmed, ignoring case). A missing required column is
//! reported against the header line; each row remembers its line for later messages.

use super::csv_records::{CsvRecord, CsvRecords};
use super::error::{IngestError, Location, RejectionLog, Strictness, rejection};
use super::json_records::strip_bom;
use crate::support::lines::LineLocator;
use std::path::{Path, PathBuf};

/// Positions of named columns in a header row.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    names: Vec<String>,
}

impl HeaderMap {
    pub fn new<'a>(header: impl IntoIterator<Item = &'a [u8]>) -> HeaderMap {
        HeaderMap {
            names: header
                .into_iter()
                .map(|name| String::from_utf8_lossy(strip_bom(name)).trim().to_string())
                .collect(),
        }
    }

    /// The index of the first column whose name matches one of `names`, ignoring case.
    pub fn find(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|wanted| {
            self.names
                .iter()
                .position(|name| name.eq_ignore_ascii_case(wanted))
        })
    }

    /// Like [`HeaderMap::find`], but a missing column is an error naming the file.
    pub fn require(&self, path: &Path, names: &[&str]) -> Result<usize, IngestError> {
        self.find(names).ok_or_else(|| {
            IngestError::Unreadable(rejection(
                path,
                Location::Line(1),
                names.join(" or "),
                format!(
                    "required column is missing (the header has: {})",
                    self.names.join(", ")
                ),
            ))
        })
    }
}

/// A whole small CSV file in memory, with its required columns located.
///
/// Rows are split by the same [`CsvRecords`] splitter as the audit exports, so damage is
/// judged alike everywhere: a row with damaged quoting, with another field count than the
/// header, or repeating the header (two files concatenated) is a rejection naming its line.
pub struct CsvTable {
    path: PathBuf,
    headers: HeaderMap,
    records: Vec<(u64, Vec<String>)>,
}

/// One row of a [`CsvTable`].
pub struct CsvRow<'a> {
    table: &'a CsvTable,
    line: u64,
    record: &'a [String],
}

impl CsvTable {
    /// Reads `path` (UTF-8 or UTF-16, a `#TYPE` line skipped); `required` columns must be
    /// present and any damaged row is an error.
    pub fn open(path: &Path, required: &[&str]) -> Result<CsvTable, IngestError> {
        CsvTable::read(path, required, &mut RejectionLog::new(Strictness::Strict))
    }

    /// Like [`CsvTable::open`], with damaged rows rejected through `log` (skipped and counted
    /// under `--lenient`).
    pub fn read(
        path: &Path,
        required: &[&str],
        log: &mut RejectionLog,
    ) -> Result<CsvTable, IngestError> {
        let bytes = super::encoding::read_utf8(path)?;
        let text = String::from_utf8(bytes).map_err(|error| {
            IngestError::Unreadable(rejection(
                path,
                Location::File,
                "(encoding)",
                format!("not UTF-8: {error}"),
            ))
        })?;
        CsvTable::parse(path, &text, required, log)
    }

    /// Reads CSV `text` that came from `path`; any damaged row is an error.
    pub fn open_text(path: &Path, text: &str, required: &[&str]) -> Result<CsvTable, IngestError> {
        CsvTable::parse(
            path,
            text,
            required,
            &mut RejectionLog::new(Strictness::Strict),
        )
    }

    fn parse(
        path: &Path,
        text: &str,
        required: &[&str],
        log: &mut RejectionLog,
    ) -> Result<CsvTable, IngestError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut splitter = CsvRecords::new(text.as_bytes());
        let mut lines = LineLocator::new(text.as_bytes());
        let mut records = Vec::new();
        let mut header: Option<Vec<String>> = None;
        let read_error = |error: std::io::Error| IngestError::io(path, error);
        while let Some(record) = splitter.next_record().map_err(read_error)? {
            if record.is_blank() {
                continue;
            }
            let line = lines.line_at(record.offset);
            let fields: Vec<String> = (0..record.len())
                .map(|index| {
                    String::from_utf8_lossy(&record.value(index).unwrap_or_default()).into_owned()
                })
                .collect();
            let Some(names) = &header else {
                if let Some(problem) = record.problem {
                    return Err(IngestError::Unreadable(rejection(
                        path,
                        Location::Line(line),
                        "(header)",
                        problem.to_string(),
                    )));
                }
                if line == 1 && is_type_line(record.raw(0).unwrap_or_default()) {
                    continue;
                }
                header = Some(fields);
                continue;
            };
            match structure_problem(&record, names) {
                Some(problem) => {
                    log.reject(rejection(path, Location::Line(line), "(csv)", problem))?
                }
                None => records.push((line, fields)),
            }
        }
        let names = header.ok_or_else(|| {
            IngestError::Unreadable(rejection(
                path,
                Location::File,
                "(header)",
                "the file is empty",
            ))
        })?;
        let headers = HeaderMap::new(names.iter().map(String::as_bytes));
        for name in required {
            headers.require(path, &[name])?;
        }
        Ok(CsvTable {
            path: path.to_path_buf(),
            headers,
            records,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn has_column(&self, name: &str) -> bool {
        self.headers.find(&[name]).is_some()
    }

    /// The data rows in file order.
    pub fn rows(&self) -> impl Iterator<Item = CsvRow<'_>> {
        self.records.iter().map(|(line, record)| CsvRow {
            table: self,
            line: *line,
            record,
        })
    }
}

impl CsvRow<'_> {
    /// The value of a column by name; an absent column or a short row reads as empty.
    pub fn get(&self, name: &str) -> &str {
        self.table
            .headers
            .find(&[name])
            .and_then(|index| self.record.get(index))
            .map_or("", String::as_str)
    }

    pub fn location(&self) -> Location {
        Location::Line(self.line)
    }
}

/// Why a data row cannot be trusted as a row of its file: damaged quoting, a field count
/// other than the header's (a merged or split row shifts every column after it), or a second
/// header or `#TYPE` line (two exports concatenated). `header` holds the header's names.
pub fn structure_problem<S: AsRef<[u8]>>(record: &CsvRecord, header: &[S]) -> Option<String> {
    if let Some(problem) = record.problem {
        return Some(problem.to_string());
    }
    if is_type_line(record.raw(0).unwrap_or_default()) {
        return Some("a `#TYPE` line in the middle of the file: two exports concatenated".into());
    }
    if record.len() != header.len() {
        return Some(format!(
            "{} fields where the header has {}",
            record.len(),
            header.len()
        ));
    }
    let repeats_header = header.iter().enumerate().all(|(index, name)| {
        let value = record.value(index).unwrap_or_default();
        value
            .trim_ascii()
            .eq_ignore_ascii_case(name.as_ref().trim_ascii())
    });
    repeats_header
        .then(|| "a second header in the middle of the file: two exports concatenated".into())
}

/// True for the `#TYPE …` line Windows PowerShell 5.1's `Export-Csv` writes first unless
/// told `-NoTypeInformation`: it names the .NET type of the exported objects, not a column.
pub fn is_type_line(first_field: &[u8]) -> bool {
    let field = strip_bom(first_field);
    field.len() >= 5 && field[..5].eq_ignore_ascii_case(b"#TYPE")
}
