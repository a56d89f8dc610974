//! Typed cells for the workbook: one place that decides how a value lands in a cell, so every
//! sheet writes money, counts, shares, dates and tenant text the same way.
//!
//! - Money is a number with a currency format naming the audit's currency. xlsx stores every
//!   number as an IEEE-754 double, so [`money_cell_value`] is the one place a [`Money`] becomes
//!   an `f64`; nothing here adds amounts.
//! - Text, the tenant's included, is always written as a string cell (`write_string`), never
//!   through a writer that guesses a type, so no text becomes a formula. Text a spreadsheet
//!   would evaluate if it were typed in (the CSV guard's test, [`reads_as_formula`]) also gets
//!   Excel's quote-prefix style: it reads exactly as the tenant spelled it, and editing the cell
//!   keeps it text. The CSV guard's leading apostrophe is not used here: in a typed cell it
//!   would become part of the value and change what filters, pivots and lookups see.
//! - Text longer than a cell holds (32,767 UTF-16 units) is cut and ends with
//!   [`TRUNCATION_MARKER`].
//! - An unknown figure is the text `unknown`, never 0.

use super::{Problem, SheetName};
use crate::money::{MICROS_PER_UNIT, Money};
use crate::report::figures::{Figure, Percent, UNKNOWN};
use crate::support::spreadsheet::reads_as_formula;
use chrono::{Datelike, NaiveDate, Timelike};
use rust_xlsxwriter::{
    ColNum, ExcelDateTime, Format, FormatAlign, RowNum, Worksheet, XlsxError, column_number_to_name,
};
use std::borrow::Cow;

/// The most UTF-16 code units Excel keeps in one cell.
pub const MAX_CELL_TEXT: usize = 32_767;
/// What ends a text cut to fit a cell.
pub const TRUNCATION_MARKER: &str = "… [truncated]";
/// Rows of a sheet below its header row (Excel's 1,048,576 rows, less the header).
pub const MAX_DATA_ROWS: usize = 1_048_575;

/// Column widths, in characters: wide enough for a header, never wider than a screen third.
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;
/// Room for the autofilter's drop-down arrow beside a header.
const FILTER_ARROW_WIDTH: usize = 3;

/// The amount as the double an xlsx number cell holds. Exact micro-units are only turned into
/// a float here, at the cell: xlsx has no decimal type. The double is the one nearest the exact
/// decimal (both operands are exact below 2^53 micro-units, nine billion a month), so the cell
/// reads back as the same decimal, and a reader that needs exact sums parses the cell's text.
pub fn money_cell_value(amount: Money) -> f64 {
    amount.0 as f64 / MICROS_PER_UNIT as f64
}

/// `text` cut to fit one cell, ending with [`TRUNCATION_MARKER`] when cut.
pub fn fit_cell(text: &str) -> Cow<'_, str> {
    if text.encode_utf16().count() <= MAX_CELL_TEXT {
        return Cow::Borrowed(text);
    }
    let budget = MAX_CELL_TEXT - TRUNCATION_MARKER.encode_utf16().count();
    let mut used = 0;
    let mut end = 0;
    for (index, character) in text.char_indices() {
        if used + character.len_utf16() > budget {
            break;
        }
        used += character.len_utf16();
        end = index + character.len_utf8();
    }
    Cow::Owned(format!("{}{TRUNCATION_MARKER}", &text[..end]))
}

/// The number format of money in `currency`, and how many characters it adds to the digits.
/// The currency goes into the format as a quoted literal, so only its letters and digits are
/// kept: nothing can end the literal early.
fn money_number_format(currency: &str) -> (String, usize) {
    let code: String = currency
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if code.is_empty() {
        ("#,##0.00".to_string(), 0)
    } else {
        (format!("\"{code}\" #,##0.00"), code.len() + 1)
    }
}

/// The cell formats of one workbook.
pub struct Formats {
    header: Format,
    text: Format,
    formula_like_text: Format,
    label: Format,
    unknown: Format,
    money: Format,
    count: Format,
    percent: Format,
    date: Format,
    moment: Format,
    /// Characters a money cell shows besides the digits: the currency code and a space.
    money_prefix_width: usize,
}

impl Formats {
    /// The formats, with money shown as `"USD" #,##0.00`.
    pub fn new(currency: &str) -> Formats {
        let (money_format, money_prefix_width) = money_number_format(currency);
        Formats {
            header: Format::new().set_bold(),
            text: Format::new(),
            formula_like_text: Format::new().set_quote_prefix(),
            label: Format::new().set_bold(),
            unknown: Format::new().set_align(FormatAlign::Right),
            money: Format::new().set_num_format(money_format),
            count: Format::new().set_num_format("#,##0"),
            percent: Format::new().set_num_format("0.0%"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            moment: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            money_prefix_width,
        }
    }
}

/// A sheet written row by row under one header row: a table with an autofilter over its
/// rows, the header frozen, and columns as wide as their contents (bounded).
///
/// Rows are written in order, so the same writer serves constant-memory sheets.
pub struct SheetWriter<'a> {
    sheet: &'a mut Worksheet,
    formats: &'a Formats,
    name: SheetName,
    headers: Vec<String>,
    widths: Vec<usize>,
    /// The row being written.
    row: RowNum,
    /// The last row under the autofilter, when the table ends before the sheet (a total row).
    table_end: Option<RowNum>,
}

impl<'a> SheetWriter<'a> {
    /// Names the sheet and writes its header row.
    pub fn begin(
        sheet: &'a mut Worksheet,
        formats: &'a Formats,
        name: SheetName,
        headers: Vec<String>,
    ) -> Result<SheetWriter<'a>, Problem> {
        sheet
            .set_name(name.as_str())
            .map_err(|source| Problem::Sheet {
                sheet: name,
                source: Box::new(source),
            })?;
        let widths = headers
            .iter()
            .map(|header| header.chars().count() + FILTER_ARROW_WIDTH)
            .collect();
        let mut writer = SheetWriter {
            sheet,
            formats,
            name,
            headers,
            widths,
            row: 0,
            table_end: None,
        };
        for (column, header) in writer.headers.clone().iter().enumerate() {
            let column = writer.column(column)?;
            writer.string(column, header, &formats.header)?;
        }
        writer.row = 1;
        Ok(writer)
    }

    /// Moves to the next row. Every row of the table ends with it; a total row written after
    /// [`SheetWriter::end_table`] need not.
    pub fn next_row(&mut self) {
        self.row += 1;
    }

    /// Ends the filtered table at the last row written; rows after it (totals) stay outside
    /// the filter.
    pub fn end_table(&mut self) {
        self.table_end = Some(self.row.saturating_sub(1));
    }

    /// Tenant or seatwise text, as a string cell.
    pub fn text(&mut self, column: ColNum, text: &str) -> Result<(), Problem> {
        let formats = self.formats;
        let format = if reads_as_formula(text) {
            &formats.formula_like_text
        } else {
            &formats.text
        };
        self.string(column, text, format)
    }

    /// Text, or an empty cell.
    pub fn optional_text(&mut self, column: ColNum, text: Option<&str>) -> Result<(), Problem> {
        match text {
            Some(text) => self.text(column, text),
            None => Ok(()),
        }
    }

    /// A row's label in bold (a total or an overhead line).
    pub fn label(&mut self, column: ColNum, text: &str) -> Result<(), Problem> {
        let formats = self.formats;
        self.string(column, text, &formats.label)
    }

    /// The text `unknown`, aligned with the numbers it stands in for.
    pub fn unknown(&mut self, column: ColNum) -> Result<(), Problem> {
        let formats = self.formats;
        self.string(column, UNKNOWN, &formats.unknown)
    }

    pub fn money(&mut self, column: ColNum, amount: Money) -> Result<(), Problem> {
        let width = amount.grouped().len() + self.formats.money_prefix_width;
        self.widen(column, width);
        let result = self.sheet.write_number_with_format(
            self.row,
            column,
            money_cell_value(amount),
            &self.formats.money,
        );
        let result = result.map(|_| ());
        self.check(column, result)
    }

    pub fn optional_money(&mut self, column: ColNum, amount: Option<Money>) -> Result<(), Problem> {
        match amount {
            Some(amount) => self.money(column, amount),
            None => Ok(()),
        }
    }

    /// A count, as a whole number.
    pub fn count(&mut self, column: ColNum, count: i64) -> Result<(), Problem> {
        let digits = count.unsigned_abs().to_string().len();
        self.widen(column, digits + digits / 3 + 1);
        // Counts are far below 2^53, so the double holds them exactly.
        let result = self
            .sheet
            .write_number_with_format(self.row, column, count as f64, &self.formats.count)
            .map(|_| ());
        self.check(column, result)
    }

    pub fn optional_count(&mut self, column: ColNum, count: Option<i64>) -> Result<(), Problem> {
        match count {
            Some(count) => self.count(column, count),
            None => Ok(()),
        }
    }

    /// A count the snapshot may not know: the number, or `unknown`.
    pub fn figure(&mut self, column: ColNum, figure: Figure<i64>) -> Result<(), Problem> {
        match figure {
            Figure::Known(count) => self.count(column, count),
            Figure::Unknown => self.unknown(column),
        }
    }

    /// A share with a percent format; an empty cell when there is none.
    pub fn percent(&mut self, column: ColNum, share: Option<Percent>) -> Result<(), Problem> {
        let Some(share) = share else {
            return Ok(());
        };
        self.widen(column, share.to_string().len());
        let result = self.sheet.write_number_with_format(
            self.row,
            column,
            share.fraction(),
            &self.formats.percent,
        );
        let result = result.map(|_| ());
        self.check(column, result)
    }

    pub fn boolean(&mut self, column: ColNum, value: bool) -> Result<(), Problem> {
        self.widen(column, 5);
        let result = self
            .sheet
            .write_boolean(self.row, column, value)
            .map(|_| ());
        self.check(column, result)
    }

    /// A calendar date, as an Excel date.
    pub fn date(&mut self, column: ColNum, date: NaiveDate) -> Result<(), Problem> {
        let value = u16::try_from(date.year())
            .map_err(|_| XlsxError::DateTimeRangeError(format!("year of {date}")))
            .and_then(|year| ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8));
        let result = value.and_then(|value| {
            self.sheet
                .write_datetime_with_format(self.row, column, &value, &self.formats.date)
                .map(|_| ())
        });
        self.widen(column, 10);
        self.check(column, result)
    }

    /// A UTC moment (epoch milliseconds), as an Excel date and time.
    pub fn moment(&mut self, column: ColNum, millis: i64) -> Result<(), Problem> {
        let value = chrono::DateTime::from_timestamp_millis(millis)
            .ok_or_else(|| {
                XlsxError::DateTimeRangeError(format!("{millis} milliseconds since 1970"))
            })
            .and_then(|moment| {
                let year = u16::try_from(moment.year()).map_err(|_| {
                    XlsxError::DateTimeRangeError(format!("year of {}", moment.date_naive()))
                })?;
                ExcelDateTime::from_ymd(year, moment.month() as u8, moment.day() as u8)?
                    .and_hms_milli(
                        moment.hour() as u16,
                        moment.minute() as u8,
                        moment.second() as u8,
                        (moment.timestamp_subsec_millis()) as u16,
                    )
            });
        let result = value.and_then(|value| {
            self.sheet
                .write_datetime_with_format(self.row, column, &value, &self.formats.moment)
                .map(|_| ())
        });
        self.widen(column, 19);
        self.check(column, result)
    }

    pub fn optional_moment(&mut self, column: ColNum, millis: Option<i64>) -> Result<(), Problem> {
        match millis {
            Some(millis) => self.moment(column, millis),
            None => Ok(()),
        }
    }

    /// Sets the autofilter over the table, freezes the header row and sizes the columns.
    pub fn finish(self) -> Result<(), Problem> {
        let name = self.name;
        let sheet_error = |source| Problem::Sheet {
            sheet: name,
            source: Box::new(source),
        };
        let last_column = ColNum::try_from(self.headers.len().saturating_sub(1))
            .map_err(|_| sheet_error(XlsxError::RowColumnLimitError))?;
        let last_row = self.table_end.unwrap_or_else(|| self.row.saturating_sub(1));
        self.sheet
            .autofilter(0, 0, last_row, last_column)
            .map_err(sheet_error)?;
        self.sheet.set_freeze_panes(1, 0).map_err(sheet_error)?;
        for (column, width) in self.widths.iter().enumerate() {
            let column = ColNum::try_from(column)
                .map_err(|_| sheet_error(XlsxError::RowColumnLimitError))?;
            let width = (*width).clamp(MIN_WIDTH, MAX_WIDTH) as f64;
            self.sheet
                .set_column_width(column, width)
                .map_err(sheet_error)?;
        }
        Ok(())
    }

    fn column(&self, index: usize) -> Result<ColNum, Problem> {
        ColNum::try_from(index).map_err(|_| Problem::Sheet {
            sheet: self.name,
            source: Box::new(XlsxError::RowColumnLimitError),
        })
    }

    fn string(&mut self, column: ColNum, text: &str, format: &Format) -> Result<(), Problem> {
        let text = fit_cell(text);
        let longest_line = text.lines().map(|line| line.chars().count()).max();
        self.widen(column, longest_line.unwrap_or(0));
        let result = self
            .sheet
            .write_string_with_format(self.row, column, text.as_ref(), format)
            .map(|_| ());
        self.check(column, result)
    }

    fn widen(&mut self, column: ColNum, width: usize) {
        if let Some(current) = self.widths.get_mut(usize::from(column)) {
            *current = (*current).max(width.min(MAX_WIDTH));
        }
    }

    /// Names the cell a write failed on: sheet, cell reference and column header.
    fn check(&self, column: ColNum, result: Result<(), XlsxError>) -> Result<(), Problem> {
        result.map_err(|source| Problem::Cell {
            sheet: self.name,
            cell: format!("{}{}", column_number_to_name(column), self.row + 1),
            column: self
                .headers
                .get(usize::from(column))
                .cloned()
                .unwrap_or_default(),
            source: Box::new(source),
        })
    }
}

/// Refuses a table with more rows than a sheet holds.
pub fn check_fits(sheet: SheetName, rows: usize) -> Result<(), Problem> {
    if rows > MAX_DATA_ROWS {
        return Err(Problem::TooManyRows { sheet, rows });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    #[test]
    fn long_text_is_cut_to_a_cell_with_a_marker() {
        let short = "Finance";
        assert_eq!(fit_cell(short), Cow::Borrowed(short));
        let exactly = "x".repeat(MAX_CELL_TEXT);
        assert_eq!(fit_cell(&exactly).len(), MAX_CELL_TEXT);

        let long = "é".repeat(MAX_CELL_TEXT + 1);
        let cut = fit_cell(&long);
        assert!(cut.ends_with(TRUNCATION_MARKER));
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_TEXT);

        // A character outside the Basic Multilingual Plane takes two UTF-16 units and is
        // never split: after one `a`, only an odd number of units is left for the pairs.
        let budget = MAX_CELL_TEXT - TRUNCATION_MARKER.encode_utf16().count();
        assert_eq!(budget % 2, 0);
        let pairs = format!("a{}", "😀".repeat(MAX_CELL_TEXT));
        let cut = fit_cell(&pairs);
        let kept = cut.strip_suffix(TRUNCATION_MARKER).expect("the marker");
        assert_eq!(kept.encode_utf16().count(), budget - 1);
        assert!(kept.chars().skip(1).all(|character| character == '😀'));
    }

    #[test]
    fn money_becomes_the_nearest_double_only_at_the_cell() {
        assert_eq!(money_cell_value(Money(36_125_000)), 36.125);
        assert_eq!(money_cell_value(Money(300_000)), 0.3);
        assert_eq!(
            money_cell_value(Money(12_345_678_901_230_000)).to_string(),
            "12345678901.23"
        );
    }

    #[test]
    fn the_currency_cannot_break_out_of_the_number_format() {
        assert_eq!(
            money_number_format("USD"),
            ("\"USD\" #,##0.00".to_string(), 4)
        );
        assert_eq!(
            money_number_format("US\"D;@[Red]"),
            ("\"USDRed\" #,##0.00".to_string(), 7)
        );
        assert_eq!(money_number_format("\";@"), ("#,##0.00".to_string(), 0));
    }

    #[test]
    fn a_table_too_long_for_a_sheet_is_refused_by_name() {
        assert!(check_fits(SheetName::Findings, MAX_DATA_ROWS).is_ok());
        let error = check_fits(SheetName::Findings, MAX_DATA_ROWS + 1)
            .expect_err("too many rows")
            .to_string();
        assert!(
            error.starts_with(
                "sheet Findings: 1048576 rows do not fit under the header (Excel's limit is 1048575)"
            ),
            "{error}"
        );
    }

    #[test]
    fn a_date_excel_cannot_hold_names_its_cell() {
        let mut workbook = Workbook::new();
        let formats = Formats::new("USD");
        let sheet = workbook.add_worksheet();
        let mut writer = SheetWriter::begin(
            sheet,
            &formats,
            SheetName::Findings,
            vec!["Kind".into(), "Last activity (UTC)".into()],
        )
        .expect("header");
        // 1800-01-01T00:00:00Z: before Excel's first date.
        let error = writer
            .moment(1, -5_364_662_400_000)
            .expect_err("out of range")
            .to_string();
        assert!(
            error.starts_with("sheet Findings, cell B2 (Last activity (UTC)): "),
            "{error}"
        );
        let error = writer
            .date(1, NaiveDate::from_ymd_opt(1899, 12, 30).expect("date"))
            .expect_err("out of range")
            .to_string();
        assert!(
            error.starts_with("sheet Findings, cell B2 (Last activity (UTC)): "),
            "{error}"
        );
    }
}
