//! A CSV record splitter for audit exports, made for their shape: few columns, one of them a
//! long quoted JSON document (`AuditData`).
//!
//! A general CSV state machine inspects every byte; here quoted fields are crossed with
//! `memchr` jumps from quote to quote and unquoted ones from delimiter to delimiter, so the
//! cost is in proportion to the quotes, not the bytes. Fields are handed out as spans of an
//! internal buffer (no copy); a quoted field with doubled quotes is unescaped only when asked
//! for. RFC 4180 rules apply: `,` separates, `"` quotes, `""` escapes a quote inside quotes,
//! records end at LF, CRLF or CR, and quoted fields may span lines. The file is read in blocks,
//! so memory stays bounded whatever the export's size.
//!
//! Damage is reported, never repaired silently: a record holding a quote inside an unquoted
//! field, text after a closing quote, or a quote that never closes carries a [`CsvProblem`],
//! and the readers reject it with its line (a damaged export must not shift a launch into the
//! wrong column, or merge two rows into one).

use crate::support::word_scan::{bytes_equal, find_in_words};
use std::io::Read;

const BLOCK: usize = 4 << 20;

/// What is structurally wrong with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvProblem {
    /// A `"` inside a field that does not start with one.
    StrayQuote { field: usize },
    /// Characters between a closing quote and the next delimiter.
    TextAfterClosingQuote { field: usize },
    /// A quoted field whose quote never closes: it runs to the end of the file.
    UnterminatedQuote { field: usize },
}

impl std::fmt::Display for CsvProblem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CsvProblem::StrayQuote { field } => write!(
                formatter,
                "a stray quote inside unquoted field {} (a quote must open the field, or be doubled inside a quoted one)",
                field + 1
            ),
            CsvProblem::TextAfterClosingQuote { field } => write!(
                formatter,
                "text after the closing quote of field {} (an unescaped quote inside a quoted field?)",
                field + 1
            ),
            CsvProblem::UnterminatedQuote { field } => write!(
                formatter,
                "the quote opening field {} never closes: the rest of the file is unreadable",
                field + 1
            ),
        }
    }
}

/// Where one field's content sits in the buffer.
#[derive(Debug, Clone, Copy)]
struct FieldSpan {
    start: usize,
    end: usize,
    /// Quoted and holding `""` pairs that must be unescaped.
    escaped: bool,
}

/// Splits a byte stream into CSV records.
pub struct CsvRecords<R> {
    reader: R,
    buffer: Vec<u8>,
    /// Start of unconsumed data in `buffer`.
    start: usize,
    /// End of valid data in `buffer`.
    end: usize,
    /// File offset of `buffer[0]`.
    buffer_offset: u64,
    at_eof: bool,
    fields: Vec<FieldSpan>,
    record_offset: u64,
    problem: Option<CsvProblem>,
}

/// The current record: fields as borrowed bytes.
pub struct CsvRecord<'a> {
    buffer: &'a [u8],
    fields: &'a [FieldSpan],
    /// Byte offset of the record's first byte in the file.
    pub offset: u64,
    /// The first structural problem of the record, if any.
    pub problem: Option<CsvProblem>,
}

enum Parsed {
    /// A record ends at this buffer index.
    Record(usize),
    /// The buffer ends inside the record.
    NeedMore,
}

impl<R: Read> CsvRecords<R> {
    pub fn new(reader: R) -> Self {
        Self::with_block_size(reader, BLOCK)
    }

    /// Like [`CsvRecords::new`] with a chosen read size (small sizes exercise refills in tests).
    pub fn with_block_size(reader: R, block: usize) -> Self {
        CsvRecords {
            reader,
            buffer: vec![0; block.max(1)],
            start: 0,
            end: 0,
            buffer_offset: 0,
            at_eof: false,
            fields: Vec::new(),
            record_offset: 0,
            problem: None,
        }
    }

    /// The reader, given back (at the end of the input once every record is read).
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// The next record, or `None` at the end of the input.
    pub fn next_record(&mut self) -> std::io::Result<Option<CsvRecord<'_>>> {
        loop {
            if self.start == self.end {
                if self.at_eof {
                    return Ok(None);
                }
                self.fill()?;
                continue;
            }
            if self.buffer_offset == 0 && self.start == 0 {
                if self.end < 3 && !self.at_eof {
                    self.fill()?;
                    continue;
                }
                if self.buffer[..self.end].starts_with(b"\xEF\xBB\xBF") {
                    self.start = 3;
                    continue;
                }
            }
            match self.parse() {
                Parsed::Record(next) => {
                    self.record_offset = self.buffer_offset + self.start as u64;
                    self.start = next;
                    return Ok(Some(CsvRecord {
                        buffer: &self.buffer,
                        fields: &self.fields,
                        offset: self.record_offset,
                        problem: self.problem,
                    }));
                }
                Parsed::NeedMore => self.fill()?,
            }
        }
    }

    /// Moves unconsumed bytes to the front, grows the buffer if a record fills it, reads more.
    fn fill(&mut self) -> std::io::Result<()> {
        if self.start > 0 {
            self.buffer.copy_within(self.start..self.end, 0);
            self.buffer_offset += self.start as u64;
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buffer.len() {
            let grown = self.buffer.len() * 2;
            self.buffer.resize(grown, 0);
        }
        let read = loop {
            match self.reader.read(&mut self.buffer[self.end..]) {
                Ok(read) => break read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            }
        };
        if read == 0 {
            self.at_eof = true;
        }
        self.end += read;
        Ok(())
    }

    /// Parses one record starting at `self.start`, filling `self.fields`.
    fn parse(&mut self) -> Parsed {
        let data = &self.buffer[..self.end];
        let eof = self.at_eof;
        self.fields.clear();
        let mut problem = None;
        let mut position = self.start;
        loop {
            // One field.
            let (span, after) = if data.get(position) == Some(&b'"') {
                let mut search = position + 1;
                let mut escaped = false;
                loop {
                    match next_quote(&data[search..]) {
                        None if eof => {
                            // An unterminated quote runs to the end of the input.
                            problem.get_or_insert(CsvProblem::UnterminatedQuote {
                                field: self.fields.len(),
                            });
                            break (
                                FieldSpan {
                                    start: position + 1,
                                    end: data.len(),
                                    escaped,
                                },
                                data.len(),
                            );
                        }
                        None => return Parsed::NeedMore,
                        Some(found) => {
                            let quote = search + found;
                            match data.get(quote + 1) {
                                Some(b'"') => {
                                    escaped = true;
                                    search = quote + 2;
                                }
                                None if !eof => return Parsed::NeedMore,
                                _ => {
                                    // Anything between the closing quote and the delimiter is
                                    // left out of the value, and the record is marked damaged.
                                    let rest = &data[quote + 1..];
                                    let delimiter = memchr::memchr3(b',', b'\r', b'\n', rest)
                                        .map_or(data.len(), |offset| quote + 1 + offset);
                                    if delimiter == data.len() && !eof {
                                        return Parsed::NeedMore;
                                    }
                                    if delimiter > quote + 1 {
                                        problem.get_or_insert(CsvProblem::TextAfterClosingQuote {
                                            field: self.fields.len(),
                                        });
                                    }
                                    break (
                                        FieldSpan {
                                            start: position + 1,
                                            end: quote,
                                            escaped,
                                        },
                                        delimiter,
                                    );
                                }
                            }
                        }
                    }
                }
            } else {
                let end = memchr::memchr3(b',', b'\r', b'\n', &data[position..]);
                let field_end = end.map_or(data.len(), |offset| position + offset);
                if (end.is_some() || eof)
                    && memchr::memchr(b'"', &data[position..field_end]).is_some()
                {
                    problem.get_or_insert(CsvProblem::StrayQuote {
                        field: self.fields.len(),
                    });
                }
                match end {
                    Some(offset) => (
                        FieldSpan {
                            start: position,
                            end: position + offset,
                            escaped: false,
                        },
                        position + offset,
                    ),
                    None if eof => (
                        FieldSpan {
                            start: position,
                            end: data.len(),
                            escaped: false,
                        },
                        data.len(),
                    ),
                    None => return Parsed::NeedMore,
                }
            };
            self.fields.push(span);
            self.problem = problem;
            // What follows the field.
            match data.get(after) {
                Some(b',') => position = after + 1,
                Some(b'\r') => match data.get(after + 1) {
                    Some(b'\n') => return Parsed::Record(after + 2),
                    None if !eof => return Parsed::NeedMore,
                    _ => return Parsed::Record(after + 1),
                },
                Some(_) => return Parsed::Record(after + 1),
                None => return Parsed::Record(after),
            }
        }
    }
}

impl<'a> CsvRecord<'a> {
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// True for a blank line.
    pub fn is_blank(&self) -> bool {
        self.fields.iter().all(|field| {
            self.buffer[field.start..field.end]
                .iter()
                .all(u8::is_ascii_whitespace)
        })
    }

    /// A field's content as stored: without its surrounding quotes, `""` pairs still doubled.
    pub fn raw(&self, index: usize) -> Option<&'a [u8]> {
        self.fields
            .get(index)
            .map(|field| &self.buffer[field.start..field.end])
    }

    /// A field's value, unescaped into a new buffer only when it holds `""` pairs.
    pub fn value(&self, index: usize) -> Option<std::borrow::Cow<'a, [u8]>> {
        let field = self.fields.get(index)?;
        let content = &self.buffer[field.start..field.end];
        if !field.escaped {
            return Some(std::borrow::Cow::Borrowed(content));
        }
        let mut unescaped = Vec::with_capacity(content.len());
        unescape_into(content, &mut unescaped);
        Some(std::borrow::Cow::Owned(unescaped))
    }

    /// A field's value, with `""` unescaped into `scratch` when needed.
    pub fn field<'s>(&self, index: usize, scratch: &'s mut Vec<u8>) -> Option<&'s [u8]>
    where
        'a: 's,
    {
        let field = self.fields.get(index)?;
        let content = &self.buffer[field.start..field.end];
        if !field.escaped {
            return Some(content);
        }
        scratch.clear();
        unescape_into(content, scratch);
        Some(scratch)
    }
}

/// The place of the first quote of `bytes`. Inside a JSON document stored in a field, quotes
/// come every few bytes: the first bytes are searched a word at a time, the rest (a long
/// stretch without one) with a vector search.
fn next_quote(bytes: &[u8]) -> Option<usize> {
    const NEAR_WORDS: usize = 4;
    let is_quote = |word| bytes_equal(word, b'"');
    match find_in_words(bytes, NEAR_WORDS, is_quote, |byte| byte == b'"') {
        Ok(place) => Some(place),
        Err(crossed) => memchr::memchr(b'"', &bytes[crossed..]).map(|place| crossed + place),
    }
}

/// Appends `content` to `out` with each `""` turned into `"`.
fn unescape_into(content: &[u8], out: &mut Vec<u8>) {
    let mut rest = content;
    while let Some(quote) = memchr::memchr(b'"', rest) {
        out.extend_from_slice(&rest[..=quote]);
        rest = rest.get(quote + 2..).unwrap_or_default();
    }
    out.extend_from_slice(rest);
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Every record as unescaped strings, read with the given block size.
    fn split(text: &str, block: usize) -> Vec<Vec<String>> {
        split_bytes(text.as_bytes(), block).0
    }

    /// Every record of `bytes` as unescaped strings, and whether any record is damaged.
    pub(in crate::ingest) fn split_bytes(bytes: &[u8], block: usize) -> (Vec<Vec<String>>, bool) {
        let mut records = CsvRecords::with_block_size(bytes, block);
        let mut rows = Vec::new();
        let mut damaged = false;
        let mut scratch = Vec::new();
        while let Ok(Some(record)) = records.next_record() {
            damaged |= record.problem.is_some();
            rows.push(
                (0..record.len())
                    .map(|index| {
                        let value = record.field(index, &mut scratch).unwrap_or_default();
                        String::from_utf8_lossy(value).into_owned()
                    })
                    .collect(),
            );
        }
        (rows, damaged)
    }

    #[test]
    fn the_next_quote_is_found_near_and_far() {
        for length in 0..80 {
            let mut bytes = vec![b'x'; length];
            assert_eq!(next_quote(&bytes), None, "length {length}");
            for place in (0..length).rev() {
                bytes[place] = b'"';
                assert_eq!(next_quote(&bytes), Some(place), "length {length}");
            }
        }
    }

    fn rows(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|row| row.iter().map(|field| field.to_string()).collect())
            .collect()
    }

    #[test]
    fn quoted_fields_with_commas_quotes_and_newlines() {
        let text = "\u{feff}a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\nplain,,last\n";
        let expected = rows(&[
            &["a", "b", "c"],
            &["x, y", "say \"hi\"", "two\r\nlines"],
            &["plain", "", "last"],
        ]);
        for block in [1, 2, 3, 5, 7, 64, 4096] {
            assert_eq!(split(text, block), expected, "block size {block}");
        }
    }

    #[test]
    fn line_ends_of_every_kind_and_no_final_newline() {
        let expected = rows(&[&["a", "b"], &["c", "d"], &["e", "f"]]);
        for block in [1, 2, 4096] {
            assert_eq!(split("a,b\rc,d\r\ne,f", block), expected);
            assert_eq!(split("a,b\nc,d\ne,f\n", block), expected);
        }
    }

    #[test]
    fn a_trailing_comma_makes_an_empty_last_field() {
        assert_eq!(split("a,\n", 4096), rows(&[&["a", ""]]));
        assert_eq!(split("a,", 1), rows(&[&["a", ""]]));
    }

    #[test]
    fn offsets_point_at_record_starts() {
        let text = "h1,h2\r\n\"a\nb\",c\r\nd,e\r\n";
        let mut records = CsvRecords::with_block_size(text.as_bytes(), 3);
        let mut offsets = Vec::new();
        while let Some(record) = records.next_record().expect("read") {
            offsets.push(record.offset);
        }
        assert_eq!(offsets, vec![0, 7, 16]);
    }

    #[test]
    fn an_unterminated_quote_runs_to_the_end() {
        assert_eq!(split("a,\"open\nstill", 2), rows(&[&["a", "open\nstill"]]));
        assert_eq!(
            problems("a,\"open\nstill", 2),
            vec![Some(CsvProblem::UnterminatedQuote { field: 1 })]
        );
    }

    /// The problem of every record, read with the given block size.
    fn problems(text: &str, block: usize) -> Vec<Option<CsvProblem>> {
        let mut records = CsvRecords::with_block_size(text.as_bytes(), block);
        let mut found = Vec::new();
        while let Some(record) = records.next_record().expect("in-memory read") {
            found.push(record.problem);
        }
        found
    }

    #[test]
    fn stray_quotes_and_text_after_a_closing_quote_are_reported() {
        let text = "a,b\r\nx\"y,z\r\n\"q\"tail,z\r\nfine,\"ok \"\"quoted\"\"\"\r\n";
        let expected = vec![
            None,
            Some(CsvProblem::StrayQuote { field: 0 }),
            Some(CsvProblem::TextAfterClosingQuote { field: 0 }),
            None,
        ];
        for block in [1, 2, 3, 5, 4096] {
            assert_eq!(problems(text, block), expected, "block size {block}");
        }
    }
}
