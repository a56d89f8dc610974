//! Small CSV files read by header name: the app inventory, price books, the SKU catalogue.
//!
//! Exports differ in column order and letter case, and PowerShell adds a BOM and quotes every
//! field, so columns are found by name (trimmed, ignoring case). A missing required column is
//! reported against the header line; each row remembers its line for later messages.

use super::error::{IngestError, Location, rejection};
use super::json_records::strip_bom;
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
            IngestError::Malformed(rejection(
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
pub struct CsvTable {
    path: PathBuf,
    headers: HeaderMap,
    records: Vec<(u64, csv::StringRecord)>,
}

/// One row of a [`CsvTable`].
pub struct CsvRow<'a> {
    table: &'a CsvTable,
    line: u64,
    record: &'a csv::StringRecord,
}

impl CsvTable {
    /// Reads `path` (UTF-8 or UTF-16, a `#TYPE` line skipped); `required` columns must be
    /// present.
    pub fn open(path: &Path, required: &[&str]) -> Result<CsvTable, IngestError> {
        let bytes = super::encoding::read_utf8(path)?;
        let text = String::from_utf8(bytes).map_err(|error| {
            IngestError::Malformed(rejection(
                path,
                Location::File,
                "(encoding)",
                format!("not UTF-8: {error}"),
            ))
        })?;
        CsvTable::open_text(path, &text, required)
    }

    /// Reads CSV `text` that came from `path`.
    pub fn open_text(path: &Path, text: &str, required: &[&str]) -> Result<CsvTable, IngestError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = Vec::new();
        let mut headers = None;
        let mut lines = LineLocator::new(std::io::Cursor::new(text.as_bytes()));
        for result in reader.records() {
            let record = result.map_err(|error| {
                let line = error
                    .position()
                    .map(|position| lines.line_at(position.byte()));
                csv_error(path, &error, line)
            })?;
            let line = lines.line_at(record.position().map_or(0, |position| position.byte()));
            if headers.is_none() {
                if line == 1 && is_type_line(record.iter().next().unwrap_or_default().as_bytes()) {
                    continue;
                }
                headers = Some(HeaderMap::new(record.iter().map(str::as_bytes)));
                continue;
            }
            if record.iter().all(|field| field.trim().is_empty()) {
                continue;
            }
            records.push((line, record));
        }
        let headers = headers.ok_or_else(|| {
            IngestError::Malformed(rejection(
                path,
                Location::File,
                "(header)",
                "the file is empty",
            ))
        })?;
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
            .unwrap_or("")
    }

    pub fn location(&self) -> Location {
        Location::Line(self.line)
    }
}

/// True for the `#TYPE …` line Windows PowerShell 5.1's `Export-Csv` writes first unless
/// told `-NoTypeInformation`: it names the .NET type of the exported objects, not a column.
pub fn is_type_line(first_field: &[u8]) -> bool {
    let field = strip_bom(first_field);
    field.len() >= 5 && field[..5].eq_ignore_ascii_case(b"#TYPE")
}

/// A CSV syntax or encoding error, placed on its line when known.
pub fn csv_error(path: &Path, error: &csv::Error, line: Option<u64>) -> IngestError {
    IngestError::Malformed(rejection(
        path,
        line.map_or(Location::File, Location::Line),
        "(csv)",
        format!("unreadable CSV: {error}"),
    ))
}

/// Turns byte offsets into 1-based line numbers by counting `\n` in the file itself.
///
/// The csv crate's own line count drifts on CRLF files, and exports from PowerShell are CRLF.
/// Offsets must be asked for in increasing order; each byte is read once, so locating every
/// rejected row of a large export costs one extra sequential read at most.
pub struct LineLocator<R> {
    source: R,
    offset: u64,
    line: u64,
    buffer: Vec<u8>,
}

impl<R: std::io::Read> LineLocator<R> {
    pub fn new(source: R) -> Self {
        LineLocator {
            source,
            offset: 0,
            line: 1,
            buffer: vec![0; 64 * 1024],
        }
    }

    /// The line of a record starting at byte `offset` (or the last line counted, if the
    /// source ends). The byte at `offset` itself is counted too: after a CRLF the csv reader
    /// starts the next record at the `\n`.
    pub fn line_at(&mut self, offset: u64) -> u64 {
        let end = offset.saturating_add(1);
        while self.offset < end {
            let wanted = usize::try_from(end - self.offset)
                .unwrap_or(usize::MAX)
                .min(self.buffer.len());
            let read = match self.source.read(&mut self.buffer[..wanted]) {
                Ok(0) | Err(_) => break,
                Ok(read) => read,
            };
            self.line += memchr::memchr_iter(b'\n', &self.buffer[..read]).count() as u64;
            self.offset += read as u64;
        }
        self.line
    }
}
