//! Reading Microsoft's official "Product names and service plan identifiers for licensing" CSV
//! (`data/product_names_service_plan_identifiers_licensing.csv`, an unmodified copy, BOM
//! included), shared by the two derivations built on it: the SKU catalogue
//! ([`super::derive`]) and the coverage tables ([`super::coverage`]).
//!
//! The file has one row per (SKU, service plan) pair. This module folds those rows into one
//! [`OfficialSku`] per `skuId`, with the SKU's service plans in file order, and rejects a file
//! that contradicts itself. What each derivation makes of the plans is its own business.
//!
//! # Reading rules
//!
//! - A leading UTF-8 BOM is ignored; LF and CRLF line ends both work; fields are CSV-quoted.
//! - Columns are found by header name, compared with all whitespace removed and ignoring case,
//!   so the typo header `String_ Id` of older copies still reads as `String_Id`. The columns a
//!   derivation needs are required; the others are ignored.
//! - Every field is trimmed of leading and trailing whitespace, including the no-break spaces
//!   Microsoft's file carries (`MCOCAP_FACULTY\u{a0}`, `AAD_PREMIUM_USGOV_GCCHIGH `). Interior
//!   characters are kept verbatim: the file is Microsoft's word on part numbers.
//! - `String_Id` is Graph's `skuPartNumber`, `GUID` its `skuId` (written lowercase);
//!   `Service_Plan_Id` is the GUID Graph lists in `servicePlans` and `disabledPlans`.
//! - Rows whose fields are all blank are spreadsheet debris and are skipped; any other row with an
//!   empty required field, or a `GUID` (or, where required, `Service_Plan_Id`) that is not a
//!   GUID, is an error naming the line and column.
//! - All rows of one `skuId` must agree on part number and display name, otherwise derivation
//!   fails, naming both lines.

use std::collections::BTreeMap;

/// Column names of the official CSV.
pub const DISPLAY_NAME: &str = "Product_Display_Name";
pub const STRING_ID: &str = "String_Id";
pub const GUID: &str = "GUID";
pub const SERVICE_PLAN_NAME: &str = "Service_Plan_Name";
pub const SERVICE_PLAN_ID: &str = "Service_Plan_Id";

/// Why the official CSV could not be turned into a derived table. Every variant names the line
/// (1-based, as an editor shows it) and, where one is at fault, the column.
#[derive(Debug, thiserror::Error)]
pub enum DeriveError {
    /// The CSV itself is malformed (unequal field counts, invalid UTF-8, ...).
    #[error("line {line}: malformed CSV: {source}")]
    Csv {
        line: u64,
        #[source]
        source: csv::Error,
    },
    /// A required column is not in the header line.
    #[error("line 1: required column `{column}` is missing (header has: {found})")]
    MissingColumn { column: &'static str, found: String },
    /// Two header cells normalise to the same required column.
    #[error("line 1: column `{column}` appears more than once in the header")]
    DuplicateColumn { column: &'static str },
    /// A data row lacks a value in a required column.
    #[error("line {line}, column `{column}`: value is empty")]
    EmptyField { line: u64, column: &'static str },
    /// A GUID column (`GUID`, `Service_Plan_Id`) does not hold a GUID.
    #[error("line {line}, column `{column}`: `{value}` is not a GUID")]
    BadGuid {
        line: u64,
        column: &'static str,
        value: String,
    },
    /// Two rows of the same SKU disagree.
    #[error(
        "line {line}, column `{column}`: SKU {sku_id} has `{found}` here but `{expected}` on line {first_line}"
    )]
    Conflict {
        line: u64,
        column: &'static str,
        sku_id: String,
        found: String,
        expected: String,
        first_line: u64,
    },
    /// The file has a header but no data rows.
    #[error("line 2: the file has no data rows")]
    NoRows,
    /// Writing the derived table failed (cannot happen when writing to memory; kept for honesty).
    #[error("writing the derived table failed: {0}")]
    Write(String),
}

/// Which service-plan columns a derivation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanColumns {
    /// `Service_Plan_Name` only; an empty name is read as empty (the catalogue's premium rule
    /// simply does not match it).
    Name,
    /// `Service_Plan_Name` and `Service_Plan_Id`, both non-empty, the id a GUID.
    NameAndId,
}

/// One service-plan row of a SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialPlan {
    /// `Service_Plan_Name`, trimmed.
    pub name: String,
    /// `Service_Plan_Id`, lowercase, when the derivation asked for it.
    pub id: Option<String>,
    /// The line the row sits on.
    pub line: u64,
}

/// One SKU, folded from all of its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialSku {
    pub part_number: String,
    pub display_name: String,
    /// The first line that names this SKU.
    pub first_line: u64,
    /// Its service plans, in file order (a plan listed twice appears twice).
    pub plans: Vec<OfficialPlan>,
}

/// Reads the official CSV into its SKUs, keyed by lowercase `skuId`.
pub fn read_skus(
    official_csv: &str,
    plan_columns: PlanColumns,
) -> Result<BTreeMap<String, OfficialSku>, DeriveError> {
    let text = official_csv
        .strip_prefix('\u{feff}')
        .unwrap_or(official_csv);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());

    let headers = reader
        .headers()
        .map_err(|source| DeriveError::Csv { line: 1, source })?
        .clone();
    let columns = Columns::find(&headers, plan_columns)?;

    let mut skus: BTreeMap<String, OfficialSku> = BTreeMap::new();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(text);
    loop {
        let more = match reader.read_record(&mut record) {
            Ok(more) => more,
            Err(source) => {
                let byte = source.position().unwrap_or(reader.position()).byte();
                let line = lines.line_at(byte);
                return Err(DeriveError::Csv { line, source });
            }
        };
        if !more {
            break;
        }
        let line = record
            .position()
            .map_or(0, |position| lines.line_at(position.byte()));
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let row = Row::read(&record, &columns, line)?;
        let plan = OfficialPlan {
            name: row.plan_name.to_owned(),
            id: row.plan_id,
            line,
        };
        match skus.get_mut(&row.sku_id) {
            Some(sku) => {
                check_same(
                    line,
                    STRING_ID,
                    &row.sku_id,
                    &sku.part_number,
                    row.part_number,
                    sku.first_line,
                )?;
                check_same(
                    line,
                    DISPLAY_NAME,
                    &row.sku_id,
                    &sku.display_name,
                    row.display_name,
                    sku.first_line,
                )?;
                sku.plans.push(plan);
            }
            None => {
                skus.insert(
                    row.sku_id,
                    OfficialSku {
                        part_number: row.part_number.to_owned(),
                        display_name: row.display_name.to_owned(),
                        first_line: line,
                        plans: vec![plan],
                    },
                );
            }
        }
    }
    if skus.is_empty() {
        return Err(DeriveError::NoRows);
    }
    Ok(skus)
}

/// Writes CSV records to a string with LF line ends, the layout of every derived table.
pub fn write_csv<'a>(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<&'a str>>,
) -> Result<String, DeriveError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let write_err = |e: csv::Error| DeriveError::Write(e.to_string());
    writer.write_record(header).map_err(write_err)?;
    for row in rows {
        writer.write_record(row).map_err(write_err)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| DeriveError::Write(e.error().to_string()))?;
    String::from_utf8(bytes).map_err(|e| DeriveError::Write(e.to_string()))
}

/// Turns byte offsets into 1-based line numbers.
///
/// With CRLF line ends the `csv` crate's `Position` undercounts: a record's offset points at
/// the `\n` that ends the previous line, and its `line` is one short. So lines are counted here:
/// from the reported offset, skip line-end bytes (a record never starts with one; blank lines
/// are skipped by the reader), then count the newlines before it, scanning forward only.
struct LineCounter<'a> {
    text: &'a [u8],
    byte: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            byte: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, byte: u64) -> u64 {
        let mut target = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while matches!(self.text.get(target), Some(b'\r' | b'\n')) {
            target += 1;
        }
        if target < self.byte {
            self.byte = 0;
            self.line = 1;
        }
        let newlines = self.text[self.byte..target]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line = self
            .line
            .saturating_add(u64::try_from(newlines).unwrap_or(u64::MAX));
        self.byte = target;
        self.line
    }
}

/// Fails when a later row of the same SKU disagrees with the first one.
fn check_same(
    line: u64,
    column: &'static str,
    sku_id: &str,
    expected: &str,
    found: &str,
    first_line: u64,
) -> Result<(), DeriveError> {
    if expected == found {
        return Ok(());
    }
    Err(DeriveError::Conflict {
        line,
        column,
        sku_id: sku_id.to_owned(),
        found: found.to_owned(),
        expected: expected.to_owned(),
        first_line,
    })
}

/// Positions of the columns a derivation reads.
struct Columns {
    display_name: usize,
    string_id: usize,
    guid: usize,
    service_plan_name: usize,
    /// Present when the derivation asked for plan ids.
    service_plan_id: Option<usize>,
}

impl Columns {
    fn find(headers: &csv::StringRecord, plan_columns: PlanColumns) -> Result<Self, DeriveError> {
        let normalised: Vec<String> = headers.iter().map(normalise_header).collect();
        let find = |column: &'static str| -> Result<usize, DeriveError> {
            let wanted = normalise_header(column);
            let mut hits = normalised
                .iter()
                .enumerate()
                .filter(|(_, h)| **h == wanted)
                .map(|(i, _)| i);
            match (hits.next(), hits.next()) {
                (Some(i), None) => Ok(i),
                (Some(_), Some(_)) => Err(DeriveError::DuplicateColumn { column }),
                (None, _) => Err(DeriveError::MissingColumn {
                    column,
                    found: headers.iter().collect::<Vec<_>>().join(", "),
                }),
            }
        };
        Ok(Self {
            display_name: find(DISPLAY_NAME)?,
            string_id: find(STRING_ID)?,
            guid: find(GUID)?,
            service_plan_name: find(SERVICE_PLAN_NAME)?,
            service_plan_id: match plan_columns {
                PlanColumns::Name => None,
                PlanColumns::NameAndId => Some(find(SERVICE_PLAN_ID)?),
            },
        })
    }
}

/// Header comparison key: BOM and all whitespace removed, lowercase (`String_ Id` → `string_id`).
fn normalise_header(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The fields of one data row, trimmed and checked.
struct Row<'a> {
    part_number: &'a str,
    sku_id: String,
    display_name: &'a str,
    plan_name: &'a str,
    plan_id: Option<String>,
}

impl<'a> Row<'a> {
    fn read(
        record: &'a csv::StringRecord,
        columns: &Columns,
        line: u64,
    ) -> Result<Self, DeriveError> {
        let value = |index: usize| record.get(index).map_or("", str::trim);
        let field = |index: usize, column: &'static str| -> Result<&'a str, DeriveError> {
            let value = record.get(index).map_or("", str::trim);
            if value.is_empty() {
                Err(DeriveError::EmptyField { line, column })
            } else {
                Ok(value)
            }
        };
        let guid = |index: usize, column: &'static str| -> Result<String, DeriveError> {
            let value = field(index, column)?;
            if is_guid(value) {
                Ok(value.to_ascii_lowercase())
            } else {
                Err(DeriveError::BadGuid {
                    line,
                    column,
                    value: value.to_owned(),
                })
            }
        };
        let part_number = field(columns.string_id, STRING_ID)?;
        let sku_id = guid(columns.guid, GUID)?;
        let display_name = field(columns.display_name, DISPLAY_NAME)?;
        let (plan_name, plan_id) = match columns.service_plan_id {
            None => (value(columns.service_plan_name), None),
            Some(id_index) => (
                field(columns.service_plan_name, SERVICE_PLAN_NAME)?,
                Some(guid(id_index, SERVICE_PLAN_ID)?),
            ),
        };
        Ok(Self {
            part_number,
            sku_id,
            display_name,
            plan_name,
            plan_id,
        })
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits in either case.
pub fn is_guid(value: &str) -> bool {
    value.len() == 36
        && value.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\n";

    #[test]
    fn plan_ids_are_read_lowercase_when_asked_for() {
        let csv = format!(
            "{HEADER}Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560, BI_AZURE_P2 ,70D33638-9C74-4D01-BFD3-562DE28BD4BA,x\n"
        );
        let skus = read_skus(&csv, PlanColumns::NameAndId).expect("reads");
        let sku = &skus["f8a1db68-be16-40ed-86d5-cb42ce701560"];
        assert_eq!(
            sku.plans,
            [OfficialPlan {
                name: "BI_AZURE_P2".into(),
                id: Some("70d33638-9c74-4d01-bfd3-562de28bd4ba".into()),
                line: 2,
            }]
        );
        let names_only = read_skus(&csv, PlanColumns::Name).expect("reads");
        assert_eq!(
            names_only["f8a1db68-be16-40ed-86d5-cb42ce701560"].plans[0].id,
            None
        );
    }

    #[test]
    fn plan_columns_are_required_only_when_asked_for() {
        let csv = "Product_Display_Name,String_Id,GUID,Service_Plan_Name\n\
                   Power BI Pro,POWER_BI_PRO,f8a1db68-be16-40ed-86d5-cb42ce701560,BI_AZURE_P2\n";
        assert!(read_skus(csv, PlanColumns::Name).is_ok());
        let error = read_skus(csv, PlanColumns::NameAndId).expect_err("no plan ids");
        assert!(
            matches!(
                error,
                DeriveError::MissingColumn {
                    column: SERVICE_PLAN_ID,
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn a_bad_or_empty_plan_id_names_line_and_column() {
        let bad = format!("{HEADER}A,X,b30411f5-fea1-4a59-9ad9-3db7c7ead579,P,not-a-guid,x\n");
        let text = read_skus(&bad, PlanColumns::NameAndId)
            .expect_err("bad plan id")
            .to_string();
        assert!(
            text.contains("line 2") && text.contains("`Service_Plan_Id`"),
            "{text}"
        );
        let empty = format!("{HEADER}A,X,b30411f5-fea1-4a59-9ad9-3db7c7ead579,,x,x\n");
        let text = read_skus(&empty, PlanColumns::NameAndId)
            .expect_err("empty plan name")
            .to_string();
        assert!(
            text.contains("line 2") && text.contains("`Service_Plan_Name`"),
            "{text}"
        );
    }
}
