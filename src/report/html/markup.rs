//! Writing the page's markup so that tenant text cannot become markup: fixed markup is taken
//! only as `&'static str` (written into the source), anything computed goes through
//! [`Markup::text`], which escapes it, and charts come in as [`Svg`] from the chart module.
//! Also the page's number formats, so every table writes a figure the same way.

use super::charts::Svg;
use crate::money::Money;
use crate::report::Figure;
use crate::report::figures::UNKNOWN;
use crate::support::html::push_escaped;

/// The page being written.
#[derive(Debug, Default)]
pub struct Markup {
    out: String,
}

impl Markup {
    pub fn new() -> Markup {
        Markup {
            out: String::with_capacity(256 * 1024),
        }
    }

    /// Fixed markup, written in the source.
    pub fn tag(&mut self, markup: &'static str) -> &mut Markup {
        self.out.push_str(markup);
        self
    }

    /// Text, escaped: tenant names, numbers, anything computed.
    pub fn text(&mut self, text: &str) -> &mut Markup {
        push_escaped(&mut self.out, text);
        self
    }

    /// `<open>text</close>`.
    pub fn element(&mut self, open: &'static str, text: &str, close: &'static str) -> &mut Markup {
        self.tag(open).text(text).tag(close)
    }

    pub fn svg(&mut self, svg: &Svg) -> &mut Markup {
        self.out.push_str(svg.as_str());
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    /// Right-aligned, in tabular figures.
    Number(String),
    /// A figure the snapshot cannot tell: "unknown", set apart.
    Unknown,
    /// A main line and a quieter second one (a display name over a user principal name).
    TwoLines(String, String),
    Empty,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }

    pub fn optional(text: Option<&str>) -> Cell {
        text.map_or(Cell::Empty, Cell::text)
    }

    pub fn count(value: i64) -> Cell {
        Cell::Number(count(value))
    }

    pub fn money(value: Money) -> Cell {
        Cell::Number(value.grouped())
    }

    pub fn figure(value: Figure<i64>) -> Cell {
        match value {
            Figure::Known(value) => Cell::count(value),
            Figure::Unknown => Cell::Unknown,
        }
    }
}

/// A column heading and whether its cells are numbers.
pub struct Column {
    pub heading: String,
    pub numeric: bool,
}

impl Column {
    pub fn text(heading: impl Into<String>) -> Column {
        Column {
            heading: heading.into(),
            numeric: false,
        }
    }

    pub fn number(heading: impl Into<String>) -> Column {
        Column {
            heading: heading.into(),
            numeric: true,
        }
    }
}

/// A table with a header row, the body rows, and optional total rows in a footer.
pub fn table(
    page: &mut Markup,
    id: &'static str,
    columns: &[Column],
    rows: impl IntoIterator<Item = Vec<Cell>>,
    footer: &[Vec<Cell>],
) {
    page.tag("<table id=\"").tag(id).tag("\">\n<thead><tr>");
    for column in columns {
        page.tag(if column.numeric {
            "<th class=\"num\">"
        } else {
            "<th>"
        })
        .text(&column.heading)
        .tag("</th>");
    }
    page.tag("</tr></thead>\n<tbody>\n");
    for row in rows {
        write_row(page, &row);
    }
    page.tag("</tbody>\n");
    if !footer.is_empty() {
        page.tag("<tfoot>\n");
        for row in footer {
            write_row(page, row);
        }
        page.tag("</tfoot>\n");
    }
    page.tag("</table>\n");
}

fn write_row(page: &mut Markup, row: &[Cell]) {
    page.tag("<tr>");
    for cell in row {
        match cell {
            Cell::Text(text) => page.element("<td>", text, "</td>"),
            Cell::Number(text) => page.element("<td class=\"num\">", text, "</td>"),
            Cell::Unknown => page.element("<td class=\"num unknown\">", UNKNOWN, "</td>"),
            Cell::TwoLines(main, second) => page.element("<td>", main, "").element(
                "<span class=\"second\">",
                second,
                "</span></td>",
            ),
            Cell::Empty => page.tag("<td></td>"),
        };
    }
    page.tag("</tr>\n");
}

/// A count with thousands separators: `12,345`.
pub fn count(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        text.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// Amounts become chart coordinates here, and only here: whole currency units as `f64`.
pub fn coordinate(amount: Money) -> f64 {
    amount.0 as f64 / crate::money::MICROS_PER_UNIT as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_fixed_markup_is_not() {
        let mut page = Markup::new();
        page.element("<td>", "<img src=x onerror=alert(1)>", "</td>");
        assert_eq!(page.finish(), "<td>&lt;img src=x onerror=alert(1)&gt;</td>");
    }

    #[test]
    fn an_unknown_figure_reads_unknown_and_counts_are_grouped() {
        let mut page = Markup::new();
        table(
            &mut page,
            "t",
            &[Column::number("active")],
            [
                vec![Cell::figure(Figure::Unknown)],
                vec![Cell::figure(Figure::Known(0))],
            ],
            &[],
        );
        let html = page.finish();
        assert!(
            html.contains("<td class=\"num unknown\">unknown</td>"),
            "{html}"
        );
        assert!(html.contains("<td class=\"num\">0</td>"), "{html}");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(-1000), "-1,000");
        assert_eq!(count(999), "999");
    }
}
