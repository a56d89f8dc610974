//! Audit export files: the two CSV shapes admins actually download, split at 50,000 rows.
//!
//! Ingestion must detect the export format by its header, so the synthetic log alternates between
//! them file by file: the Microsoft Purview export (`RecordId,CreationDate,RecordType,...`, UTF-8
//! with BOM, minimal quoting, `CreationDate` like `2026-09-14T06:54:24.0000000Z ` with a trailing
//! space) and `Search-UnifiedAuditLog | Export-Csv` output (every field quoted, no BOM,
//! `CreationDate` like `9/14/2026 6:54:24 AM`, with or without a leading `RecordType` column).
//! The first `Search-UnifiedAuditLog` file with a `RecordType` column was exported by Windows
//! PowerShell 5.1 without `-NoTypeInformation`, so it starts with a `#TYPE` line. Exports overlap
//! the way an admin's repeated downloads do: the last launch of the first Purview file is also the
//! first row of the second one, byte for byte (one record, exported twice).
//! Rows stream straight into buffered files; a row is never held longer than it takes to write.

use std::path::PathBuf;

use memchr::memchr_iter;

use super::GenerateError;
use super::audit_record::{Operation, RecordHeader, record_type_name};
use super::output::{TextFile, create_dir};
use super::time;

/// Purview's export cap: at most this many data rows per file.
pub const MAX_ROWS_PER_FILE: usize = 50_000;
/// Even a small tenant's log is split into this many files, so every shape occurs.
const MIN_FILES: usize = 4;
/// The file (0-based) that Windows PowerShell 5.1's `Export-Csv` wrote with type information.
const TYPE_INFORMATION_FILE: usize = 3;
/// The type line `Export-Csv` writes for `Search-UnifiedAuditLog` results without
/// `-NoTypeInformation`. Microsoft does not document the type name: this one is the name public
/// parsers of such exports skip (`Deserialized.` because Exchange Online PowerShell returns
/// objects through remoting). Readers skip any `#TYPE` first line, whatever the name.
const TYPE_INFORMATION: &str =
    "#TYPE Deserialized.Microsoft.Exchange.Data.ApplicationLogic.UnifiedAuditLogEvent\r\n";
/// The file whose last launch row is exported again, and the file that repeats it first.
const OVERLAP_FROM_FILE: usize = 0;
const OVERLAP_INTO_FILE: usize = 2;

/// The layout of one export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Microsoft Purview audit search export.
    Purview,
    /// `Search-UnifiedAuditLog | Export-Csv`, optionally with a `RecordType` column first.
    SearchUnifiedAuditLog { with_record_type: bool },
}

impl Shape {
    /// The shape of the `index`-th file (0-based) and its number within its shape (1-based).
    fn of_file(index: usize) -> (Self, usize) {
        let number = index / 2 + 1;
        if index.is_multiple_of(2) {
            (Shape::Purview, number)
        } else {
            let with_record_type = (index / 2) % 2 == 1;
            (Shape::SearchUnifiedAuditLog { with_record_type }, number)
        }
    }

    fn file_name(self, number: usize) -> String {
        match self {
            Shape::Purview => format!("purview-{number:04}.csv"),
            Shape::SearchUnifiedAuditLog { .. } => {
                format!("search-unifiedauditlog-{number:04}.csv")
            }
        }
    }

    fn header(self) -> &'static str {
        match self {
            Shape::Purview => {
                "\u{feff}RecordId,CreationDate,RecordType,Operation,UserId,AuditData,\
                 AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n"
            }
            Shape::SearchUnifiedAuditLog {
                with_record_type: false,
            } => "\"CreationDate\",\"UserIds\",\"Operations\",\"AuditData\"\r\n",
            Shape::SearchUnifiedAuditLog {
                with_record_type: true,
            } => "\"RecordType\",\"CreationDate\",\"UserIds\",\"Operations\",\"AuditData\"\r\n",
        }
    }
}

/// One row to write.
#[derive(Debug, Clone, Copy)]
pub struct AuditRow<'a> {
    /// Event time (row `CreationDate`, equal to `AuditData.CreationTime`).
    pub at: i64,
    /// Record identity, type and operation.
    pub header: RecordHeader,
    /// Row-level user (`UserId` / `UserIds`).
    pub user_id: &'a str,
    /// The `AuditData` JSON.
    pub audit_data: &'a str,
}

/// What the audit export produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditTotals {
    /// Data rows written.
    pub rows: usize,
    /// Files written.
    pub files: usize,
}

/// Writes rows into `audit/` files, rotating shape and file every `rows_per_file` rows.
pub struct AuditSink {
    dir: PathBuf,
    rows_per_file: usize,
    current: Option<(TextFile, Shape)>,
    rows_in_file: usize,
    totals: AuditTotals,
    line: String,
    /// The last launch row written to [`OVERLAP_FROM_FILE`], repeated in [`OVERLAP_INTO_FILE`].
    overlap: String,
}

/// Appends `text` as a quoted CSV field, doubling embedded quotes.
fn push_quoted(line: &mut String, text: &str) {
    line.push('"');
    let mut start = 0;
    for quote in memchr_iter(b'"', text.as_bytes()) {
        // Quotes are ASCII, so `quote + 1` is a character boundary.
        line.push_str(&text[start..=quote]);
        line.push('"');
        start = quote + 1;
    }
    line.push_str(&text[start..]);
    line.push('"');
}

/// Appends `text` as a CSV field, quoted only when it has to be.
fn push_minimal(line: &mut String, text: &str) {
    if text.contains([',', '"', '\r', '\n']) {
        push_quoted(line, text);
    } else {
        line.push_str(text);
    }
}

impl AuditSink {
    /// A sink for about `expected_rows` rows (the overlapping row not included) under `dir`
    /// (created on first use).
    pub fn new(dir: PathBuf, expected_rows: usize) -> Self {
        // The overlapping row is written twice.
        let expected_rows = expected_rows + 1;
        let files = expected_rows.div_ceil(MAX_ROWS_PER_FILE).max(MIN_FILES);
        let rows_per_file = expected_rows.div_ceil(files).clamp(1, MAX_ROWS_PER_FILE);
        Self {
            dir,
            rows_per_file,
            current: None,
            rows_in_file: 0,
            totals: AuditTotals { rows: 0, files: 0 },
            line: String::with_capacity(4096),
            overlap: String::new(),
        }
    }

    fn open_next(&mut self) -> Result<(), GenerateError> {
        if let Some((file, _)) = self.current.take() {
            file.finish()?;
        }
        if self.totals.files == 0 {
            create_dir(&self.dir)?;
        }
        let index = self.totals.files;
        let (shape, number) = Shape::of_file(index);
        let mut file = TextFile::create(&self.dir.join(shape.file_name(number)))?;
        if index == TYPE_INFORMATION_FILE {
            file.write_str(TYPE_INFORMATION)?;
        }
        file.write_str(shape.header())?;
        self.rows_in_file = 0;
        if index == OVERLAP_INTO_FILE && !self.overlap.is_empty() {
            // Both files are Purview exports, so the repeated row is the identical line.
            file.write_str(&self.overlap)?;
            self.rows_in_file += 1;
            self.totals.rows += 1;
        }
        self.current = Some((file, shape));
        self.totals.files += 1;
        Ok(())
    }

    /// Writes one row, starting a new file when the current one is full.
    pub fn write(&mut self, row: &AuditRow<'_>) -> Result<(), GenerateError> {
        if self.current.is_none() || self.rows_in_file >= self.rows_per_file {
            self.open_next()?;
        }
        let Some((file, shape)) = self.current.as_mut() else {
            return Ok(());
        };
        let line = &mut self.line;
        line.clear();
        match *shape {
            Shape::Purview => {
                row.header.id.push_to(line);
                line.push(',');
                time::push_purview(line, row.at);
                line.push(',');
                let _ =
                    std::fmt::Write::write_fmt(line, format_args!("{},", row.header.record_type));
                line.push_str(row.header.operation.name());
                line.push(',');
                push_minimal(line, row.user_id);
                line.push(',');
                push_quoted(line, row.audit_data);
                line.push_str(",,\r\n");
            }
            Shape::SearchUnifiedAuditLog { with_record_type } => {
                if with_record_type {
                    push_quoted(line, record_type_name(row.header.record_type));
                    line.push(',');
                }
                line.push('"');
                time::push_us(line, row.at);
                line.push_str("\",");
                push_quoted(line, row.user_id);
                line.push(',');
                push_quoted(line, row.header.operation.name());
                line.push(',');
                push_quoted(line, row.audit_data);
                line.push_str("\r\n");
            }
        }
        file.write_str(line)?;
        if self.totals.files == OVERLAP_FROM_FILE + 1
            && row.header.operation == Operation::LaunchPowerApp
        {
            self.overlap.clone_from(line);
        }
        self.rows_in_file += 1;
        self.totals.rows += 1;
        Ok(())
    }

    /// Flushes the last file; writes a header-only file if there were no rows at all.
    pub fn finish(mut self) -> Result<AuditTotals, GenerateError> {
        if self.current.is_none() {
            self.open_next()?;
        }
        if let Some((file, _)) = self.current.take() {
            file.finish()?;
        }
        Ok(self.totals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_doubles_embedded_quotes() {
        let mut line = String::new();
        push_quoted(&mut line, r#"{"a":"b"}"#);
        assert_eq!(line, r#""{""a"":""b""}""#);
        line.clear();
        push_minimal(&mut line, "plain@contoso.com");
        push_minimal(&mut line, "a,b");
        assert_eq!(line, "plain@contoso.com\"a,b\"");
    }

    #[test]
    fn files_alternate_shapes_and_split_evenly() {
        assert_eq!(Shape::of_file(0), (Shape::Purview, 1));
        assert_eq!(
            Shape::of_file(1),
            (
                Shape::SearchUnifiedAuditLog {
                    with_record_type: false
                },
                1
            )
        );
        assert_eq!(Shape::of_file(2), (Shape::Purview, 2));
        assert_eq!(
            Shape::of_file(3),
            (
                Shape::SearchUnifiedAuditLog {
                    with_record_type: true
                },
                2
            )
        );
        let sink = AuditSink::new(PathBuf::from("unused"), 1_999_999);
        assert_eq!(sink.rows_per_file, MAX_ROWS_PER_FILE);
        let sink = AuditSink::new(PathBuf::from("unused"), 2_000_001);
        assert!(sink.rows_per_file <= MAX_ROWS_PER_FILE);
        let sink = AuditSink::new(PathBuf::from("unused"), 999);
        assert_eq!(sink.rows_per_file, 250);
        let sink = AuditSink::new(PathBuf::from("unused"), 0);
        assert_eq!(sink.rows_per_file, 1);
    }
}
