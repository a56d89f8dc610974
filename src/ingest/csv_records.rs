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

use std::io::Read;

const BLOCK: usize = 4 << 20;

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
}

/// The current record: fields as borrowed bytes.
pub struct CsvRecord<'a> {
    buffer: &'a [u8],
    fields: &'a [FieldSpan],
    /// Byte offset of the record's first byte in the file.
    pub offset: u64,
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
        }
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
        let mut position = self.start;
        loop {
            // One field.
            let (span, after) = if data.get(position) == Some(&b'"') {
                let mut search = position + 1;
                let mut escaped = false;
                loop {
                    match memchr::memchr(b'"', &data[search..]) {
                        None if eof => {
                            // An unterminated quote runs to the end of the input.
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
                                    // dropped, as spreadsheet tools do.
                                    let rest = &data[quote + 1..];
                                    let delimiter = memchr::memchr3(b',', b'\r', b'\n', rest)
                                        .map_or(data.len(), |offset| quote + 1 + offset);
                                    if delimiter == data.len() && !eof {
                                        return Parsed::NeedMore;
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
                match memchr::memchr3(b',', b'\r', b'\n', &data[position..]) {
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
mod tests {
    use super::*;

    /// Every record as unescaped strings, read with the given block size.
    fn split(text: &str, block: usize) -> Vec<Vec<String>> {
        let mut records = CsvRecords::with_block_size(text.as_bytes(), block);
        let mut rows = Vec::new();
        let mut scratch = Vec::new();
        while let Some(record) = records.next_record().expect("in-memory read") {
            rows.push(
                (0..record.len())
                    .map(|index| {
                        let value = record.field(index, &mut scratch).unwrap_or_default();
                        String::from_utf8_lossy(value).into_owned()
                    })
                    .collect(),
            );
        }
        rows
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
    }
}
