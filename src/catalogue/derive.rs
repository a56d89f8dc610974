//! Derivation of the bundled SKU catalogue (`data/skus.csv`) from Microsoft's official
//! "Product names and service plan identifiers for licensing" CSV.
//!
//! # Why this exists
//!
//! Graph reports licenses as a `skuId` GUID and a terse `skuPartNumber` (`SPE_E5`,
//! `POWERAPPS_PER_USER`), and says nothing about which of them carry Power Apps premium rights.
//! Microsoft publishes one row per (SKU, service plan) pair in the official CSV
//! (`data/product_names_service_plan_identifiers_licensing.csv`, an unmodified copy, BOM included).
//! seatwise needs one row per SKU with a display name and a `Premium` flag, so this module folds
//! the official file into `data/skus.csv`. The committed catalogue is generated text: an
//! integration test checks that it equals [`derive_sku_catalogue`] applied to the committed
//! official copy byte for byte, so refreshing the catalogue means replacing the official file and
//! regenerating, never hand-editing.
//!
//! # Reading the official file
//!
//! - A leading UTF-8 BOM is ignored; LF and CRLF line ends both work; fields are CSV-quoted.
//! - Columns are found by header name, compared with all whitespace removed and ignoring case,
//!   so the typo header `String_ Id` of older copies still reads as `String_Id`. Only
//!   `Product_Display_Name`, `String_Id`, `GUID` and `Service_Plan_Name` are required.
//! - Every field is trimmed of leading and trailing whitespace, including the no-break spaces
//!   Microsoft's file carries (`MCOCAP_FACULTY\u{a0}`, `AAD_PREMIUM_USGOV_GCCHIGH `). Interior
//!   characters are kept verbatim: the file is Microsoft's word on part numbers.
//! - `String_Id` is Graph's `skuPartNumber`, `GUID` its `skuId` (written lowercase).
//! - Rows whose fields are all blank are spreadsheet debris and are skipped; any other row with an
//!   empty `String_Id`, `GUID` or `Product_Display_Name`, or a `GUID` that is not a GUID, is an
//!   error naming the line and column.
//!
//! # One row per SKU
//!
//! A SKU is a `skuId`. All rows of one `skuId` must agree on part number and display name,
//! otherwise the file contradicts itself and derivation fails, naming both lines. A part number
//! may map to more than one `skuId` (the official file lists `MCOPSTN5` twice, as two different
//! PSTN calling products); each `skuId` gets its own row, so a catalogue lookup by GUID (what
//! Graph's `assignedLicenses` carry) always succeeds. Output rows are sorted by part number
//! (byte order), then by `skuId`.
//!
//! # The premium rule
//!
//! SPEC §1: a SKU is premium when it grants use of Power Apps that need premium connectors,
//! custom connectors or the on-premises gateway. A SKU is premium iff it includes one of the
//! service plans in [`PREMIUM_SERVICE_PLANS`] (matched on the trimmed `Service_Plan_Name`,
//! exactly). Those are the plans that grant *general* Power Apps premium rights: usable with
//! premium, custom and gateway connectors in production, not tied to the context of a
//! Dynamics 365 or industry application. Each entry, and each family deliberately left out, is
//! explained next to the list. With the December 2025 official file this marks 12 of 569 SKUs premium.

use std::collections::BTreeMap;

/// Service plans whose presence makes a SKU premium (general Power Apps premium rights).
///
/// Included:
/// - `POWERAPPS_PER_USER`: Power Apps Premium (per user), the reference premium license; also
///   carried by `POWERAPPS_PER_USER_BD_ONLY`.
/// - `POWERAPPS_PER_USER_GCC`: the same plan for US Government (GCC) tenants.
/// - `POWERAPPS_PER_APP_NEW`: Power Apps per app (1 app or website): premium rights, limited to
///   the licensed app, but seatwise cannot see which app a pass covers, so it counts as premium.
/// - `POWERAPPS_PER_APP_GCC_NEW`: the same for GCC (also in the `..._BD_Only_GCC` SKU).
/// - `POWERAPPS_PER_APP`: the legacy per-app plan (2 apps and 1 portal), premium rights.
/// - `POWERAPPS_PER_APP_GCC`: the legacy per-app plan for GCC.
/// - `POWERAPPS_P2`: legacy Power Apps Plan 2 (in `POWERFLOW_P2`), a superset of Plan 1.
/// - `POWERAPPS_P1`: legacy Power Apps Plan 1 (premium and custom connectors, gateway). It is
///   absent from the December 2025 file but present in older copies; listed so they classify the
///   same way.
/// - `POWERAPPS_P1_GOV`: legacy Power Apps Plan 1 for Government.
/// - `POWERAPPS_P2_VIRAL`: the Power Apps trial (`POWERAPPS_VIRAL`). A trial grants full premium
///   rights while it lasts; it is premium here and priced at 0, so it is never "reclaimed" for
///   money (MICROSOFT.md §3.2: do not treat it as production coverage; the report can say so).
///
/// Deliberately not included:
/// - `POWERAPPS_O365_*` (E1/E3/E5/F3/Business Basic/Standard/Premium and their GCC twins): the
///   seeded Microsoft 365 rights cover standard connectors only.
/// - Power Automate plans (`FLOW_*`, `POWER_AUTOMATE_ATTENDED_RPA`, per-flow and per-process):
///   they license flows, not apps, so Power Automate SKUs are not premium.
/// - `POWERAPPS_DEV_VIRAL` (Developer Plan): developer environments only, not production use.
/// - `POWERAPPSFREE` (`POWERAPPS_INDIVIDUAL_USER`): the legacy free plan.
/// - `POWERAPPS_DYN_*`, `POWERAPPS_SALES_PRO*`, `POWERAPPS_CUSTOMER_SERVICE_PRO`,
///   `POWER_APPS_DYN365_VIRAL_TRIAL*`, `POWERAPPS_GUIDES`, `POWER_APPS_FOR_MCS_USL`: Dynamics 365
///   and industry-cloud rights are limited to the context of that application, so they do not
///   cover an arbitrary premium canvas app.
/// - `POWERAPPS_PER_APP_IWTRIAL` (`POWERAPPS_PER_APP_IW`, "per app baseline access"): a no-cost
///   entitlement given to users of per-app capacity; the right itself comes from capacity
///   allocated to an environment, which the license list does not show.
/// - `CDS_POWERAPPS_*`, `POWERAPPS_PORTALS_*`, `DATAVERSE_POWERAPPS_PER_APP_NEW`: Dataverse or
///   portal capacity, not user rights to run apps.
pub const PREMIUM_SERVICE_PLANS: &[&str] = &[
    "POWERAPPS_PER_USER",
    "POWERAPPS_PER_USER_GCC",
    "POWERAPPS_PER_APP_NEW",
    "POWERAPPS_PER_APP_GCC_NEW",
    "POWERAPPS_PER_APP",
    "POWERAPPS_PER_APP_GCC",
    "POWERAPPS_P2",
    "POWERAPPS_P1",
    "POWERAPPS_P1_GOV",
    "POWERAPPS_P2_VIRAL",
];

/// The header line of `data/skus.csv`.
pub const CATALOGUE_HEADER: [&str; 4] = ["SkuPartNumber", "SkuId", "DisplayName", "Premium"];

/// Column names of the official CSV that derivation needs.
const DISPLAY_NAME: &str = "Product_Display_Name";
const STRING_ID: &str = "String_Id";
const GUID: &str = "GUID";
const SERVICE_PLAN_NAME: &str = "Service_Plan_Name";

/// Why the official CSV could not be turned into a catalogue. Every variant names the line
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
    /// The `GUID` column does not hold a GUID.
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
    /// Writing the catalogue failed (cannot happen when writing to memory; kept for honesty).
    #[error("writing the catalogue failed: {0}")]
    Write(String),
}

/// One SKU as it accumulates over the official file's rows.
struct Sku {
    part_number: String,
    display_name: String,
    premium: bool,
    first_line: u64,
}

/// Turns the text of Microsoft's official licensing CSV into the exact text of `data/skus.csv`:
/// header `SkuPartNumber,SkuId,DisplayName,Premium`, one row per distinct `skuId`, sorted by
/// part number (byte order) then `skuId`, `Premium` written `true`/`false`, LF line ends.
///
/// See the module documentation for the reading rules and the premium rule.
pub fn derive_sku_catalogue(official_csv: &str) -> Result<String, DeriveError> {
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
    let columns = Columns::find(&headers)?;

    let mut skus: BTreeMap<String, Sku> = BTreeMap::new();
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
                sku.premium |= row.premium;
            }
            None => {
                skus.insert(
                    row.sku_id.clone(),
                    Sku {
                        part_number: row.part_number.to_owned(),
                        display_name: row.display_name.to_owned(),
                        premium: row.premium,
                        first_line: line,
                    },
                );
            }
        }
    }
    if skus.is_empty() {
        return Err(DeriveError::NoRows);
    }

    let mut rows: Vec<(&String, &Sku)> = skus.iter().collect();
    rows.sort_by(|(id_a, a), (id_b, b)| {
        a.part_number
            .as_bytes()
            .cmp(b.part_number.as_bytes())
            .then_with(|| id_a.cmp(id_b))
    });

    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let write_err = |e: csv::Error| DeriveError::Write(e.to_string());
    writer.write_record(CATALOGUE_HEADER).map_err(write_err)?;
    for (sku_id, sku) in rows {
        let premium = if sku.premium { "true" } else { "false" };
        writer
            .write_record([
                sku.part_number.as_str(),
                sku_id.as_str(),
                sku.display_name.as_str(),
                premium,
            ])
            .map_err(write_err)?;
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

/// Positions of the required columns in the header.
struct Columns {
    display_name: usize,
    string_id: usize,
    guid: usize,
    service_plan_name: usize,
}

impl Columns {
    fn find(headers: &csv::StringRecord) -> Result<Self, DeriveError> {
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

/// The fields of one data row that derivation uses, trimmed and checked.
struct Row<'a> {
    part_number: &'a str,
    sku_id: String,
    display_name: &'a str,
    premium: bool,
}

impl<'a> Row<'a> {
    fn read(
        record: &'a csv::StringRecord,
        columns: &Columns,
        line: u64,
    ) -> Result<Self, DeriveError> {
        let field = |index: usize, column: &'static str| -> Result<&'a str, DeriveError> {
            let value = record.get(index).map_or("", str::trim);
            if value.is_empty() {
                Err(DeriveError::EmptyField { line, column })
            } else {
                Ok(value)
            }
        };
        let part_number = field(columns.string_id, STRING_ID)?;
        let guid = field(columns.guid, GUID)?;
        if !is_guid(guid) {
            return Err(DeriveError::BadGuid {
                line,
                column: GUID,
                value: guid.to_owned(),
            });
        }
        let display_name = field(columns.display_name, DISPLAY_NAME)?;
        let plan = record.get(columns.service_plan_name).map_or("", str::trim);
        Ok(Self {
            part_number,
            sku_id: guid.to_ascii_lowercase(),
            display_name,
            premium: PREMIUM_SERVICE_PLANS.contains(&plan),
        })
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits in either case.
fn is_guid(value: &str) -> bool {
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
    fn folds_rows_and_flags_premium() {
        let csv = format!(
            "\u{feff}{HEADER}\
             Power Apps Premium,POWERAPPS_PER_USER,b30411f5-fea1-4a59-9ad9-3db7c7ead579,DYN365_CDS_P2,6ea4c1ef-c259-46df-bce2-943342cd3cb2,x\n\
             Power Apps Premium,POWERAPPS_PER_USER,b30411f5-fea1-4a59-9ad9-3db7c7ead579,POWERAPPS_PER_USER,ea2cf03b-ac60-46ae-9c1d-eeaeb63cec86,x\n\
             \"Office 365 E1, test\",STANDARDPACK ,18181A46-0D4E-45CD-891E-60AABD171B4E,POWERAPPS_O365_P1,92f7a6f3-b89b-4bbd-8c30-809e6da5ad1c,x\n"
        );
        let out = derive_sku_catalogue(&csv).expect("derives");
        assert_eq!(
            out,
            "SkuPartNumber,SkuId,DisplayName,Premium\n\
             POWERAPPS_PER_USER,b30411f5-fea1-4a59-9ad9-3db7c7ead579,Power Apps Premium,true\n\
             STANDARDPACK,18181a46-0d4e-45cd-891e-60aabd171b4e,\"Office 365 E1, test\",false\n"
        );
    }

    #[test]
    fn conflicting_part_numbers_name_both_lines() {
        let csv = format!(
            "{HEADER}A,X,b30411f5-fea1-4a59-9ad9-3db7c7ead579,P,ea2cf03b-ac60-46ae-9c1d-eeaeb63cec86,x\n\
             A,Y,b30411f5-fea1-4a59-9ad9-3db7c7ead579,Q,ea2cf03b-ac60-46ae-9c1d-eeaeb63cec86,x\n"
        );
        let err = derive_sku_catalogue(&csv).expect_err("conflict");
        let text = err.to_string();
        assert!(
            text.contains("line 3") && text.contains("line 2") && text.contains("String_Id"),
            "{text}"
        );
    }

    #[test]
    fn bad_guid_and_empty_field_name_line_and_column() {
        let bad = format!("{HEADER}A,X,not-a-guid,P,ea2cf03b-ac60-46ae-9c1d-eeaeb63cec86,x\n");
        let text = derive_sku_catalogue(&bad)
            .expect_err("bad guid")
            .to_string();
        assert!(text.contains("line 2") && text.contains("GUID"), "{text}");
        let empty = format!("{HEADER}A,,b30411f5-fea1-4a59-9ad9-3db7c7ead579,P,x,x\n");
        let text = derive_sku_catalogue(&empty).expect_err("empty").to_string();
        assert!(
            text.contains("line 2") && text.contains("String_Id"),
            "{text}"
        );
    }

    #[test]
    fn ragged_rows_and_empty_files_are_errors() {
        let ragged = format!("{HEADER}A,X,b30411f5-fea1-4a59-9ad9-3db7c7ead579\n");
        let text = derive_sku_catalogue(&ragged)
            .expect_err("ragged")
            .to_string();
        assert!(text.contains("line 2"), "{text}");
        assert!(matches!(
            derive_sku_catalogue(HEADER),
            Err(DeriveError::NoRows)
        ));
        assert!(matches!(
            derive_sku_catalogue(""),
            Err(DeriveError::MissingColumn { .. })
        ));
    }
}
