//! The common case of a launch's `AuditData`, read where it lies in the export.
//!
//! Nearly every row of an audit export is a launch, and its `AuditData` is a JSON document of a
//! kilobyte or more of which seatwise reads seven values. Unescaping the CSV field, then decoding
//! it with serde (checking and skipping everything else, allocating each value kept) took most
//! of an audit's read. This scanner walks the field's bytes as the export stores them (each JSON
//! quote doubled by CSV), checks the JSON's syntax as it goes and borrows the values it needs.
//!
//! It answers only for the plain case: a document that is valid UTF-8, whose keys and
//! `PropertyCollection` names have no escape sequences, whose wanted properties are strings
//! without escape sequences or null, each named once, nested at most [`MAX_DEPTH`] deep. For
//! anything else, broken JSON included, it answers `None`, and the caller decodes the record with
//! the full decoder, which gives the same values or the exact rejection. So this path changes the
//! speed of the read, never its result; the tests compare both paths on the shapes Microsoft
//! writes, on every kind of broken document and on every cut of a stored record.

use super::audit::{END_USER_ID_PROPERTY, POWER_APP_ID_PROPERTY};
use crate::support::word_scan::{bytes_below, bytes_equal, find_in_words};

/// Deeper documents go to the full decoder: the scanner recurses once per level, and real
/// records nest four levels at most.
pub const MAX_DEPTH: usize = 64;

/// The top-level properties read, in the order of [`LaunchFields`]' slots.
const TOP_LEVEL: [&str; 6] = [
    "Id",
    "CreationTime",
    "UserId",
    "UserKey",
    "AppName",
    "PropertyCollection",
];
const PROPERTY_COLLECTION: usize = 5;

/// The `AuditData` values a launch row uses, absent and null alike `None`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LaunchFields<'a> {
    pub id: Option<&'a str>,
    pub creation_time: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub user_key: Option<&'a str>,
    pub app_name: Option<&'a str>,
    /// The `Value` of the last `PropertyCollection` entry named [`POWER_APP_ID_PROPERTY`] that
    /// has one: the text when it is a string, else `None`.
    pub app_id_property: Option<&'a str>,
    /// The same for [`END_USER_ID_PROPERTY`].
    pub end_user_id_property: Option<&'a str>,
}

impl<'a> LaunchFields<'a> {
    /// The slot of the top-level string property `index` of [`TOP_LEVEL`] (not
    /// `PropertyCollection`).
    fn string_slot(&mut self, index: usize) -> &mut Option<&'a str> {
        match index {
            0 => &mut self.id,
            1 => &mut self.creation_time,
            2 => &mut self.user_id,
            3 => &mut self.user_key,
            _ => &mut self.app_name,
        }
    }
}

/// The fields of an `AuditData` document as a quoted CSV field stores it (the content between
/// the field's quotes, every quote inside doubled), or `None` when the document is not the plain
/// case and needs the full decoder. The caller passes only fields of records without a CSV
/// problem: in those, every quote inside a field is one of a doubled pair.
pub fn scan(stored: &[u8]) -> Option<LaunchFields<'_>> {
    let text = std::str::from_utf8(stored).ok()?;
    let mut cursor = Cursor {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    cursor.document().ok()
}

/// Not the plain case: the full decoder decides.
struct Unsure;

type Scanned<T> = Result<T, Unsure>;

/// A JSON string as found.
enum JsonString<'a> {
    /// Without escape sequences: the text itself.
    Plain(&'a str),
    /// Valid, but with escape sequences only the full decoder resolves.
    Escaped,
}

/// The `Value` of a `PropertyCollection` entry.
enum EntryValue<'a> {
    Text(&'a str),
    /// A string with escape sequences.
    Escaped,
    /// Null, or not a string: the decoder reads it as no value.
    NotText,
}

struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn document(&mut self) -> Scanned<LaunchFields<'a>> {
        let mut fields = LaunchFields::default();
        let mut seen = [false; TOP_LEVEL.len()];
        self.skip_space();
        self.expect(b'{')?;
        self.members(|cursor, key| {
            let Some(index) = TOP_LEVEL
                .iter()
                .position(|name| name.eq_ignore_ascii_case(key))
            else {
                return cursor.value(1);
            };
            // A property named twice (in any letter case) is ambiguous: the decoder rejects it.
            if std::mem::replace(&mut seen[index], true) {
                return Err(Unsure);
            }
            if index == PROPERTY_COLLECTION {
                cursor.property_collection(&mut fields)
            } else {
                *fields.string_slot(index) = cursor.string_or_null()?;
                Ok(())
            }
        })?;
        self.skip_space();
        if self.at == self.bytes.len() {
            Ok(fields)
        } else {
            Err(Unsure)
        }
    }

    /// The members of an object whose `{` is read, through its `}`: `member` reads each value.
    fn members(
        &mut self,
        mut member: impl FnMut(&mut Self, &'a str) -> Scanned<()>,
    ) -> Scanned<()> {
        self.skip_space();
        if self.eat(b'}') {
            return Ok(());
        }
        loop {
            self.skip_space();
            let JsonString::Plain(key) = self.string()? else {
                return Err(Unsure);
            };
            self.skip_space();
            self.expect(b':')?;
            self.skip_space();
            member(self, key)?;
            self.skip_space();
            match self.next_byte() {
                Some(b',') => continue,
                Some(b'}') => return Ok(()),
                _ => return Err(Unsure),
            }
        }
    }

    /// The elements of an array whose `[` is read, through its `]`: `element` reads each.
    fn elements(&mut self, mut element: impl FnMut(&mut Self) -> Scanned<()>) -> Scanned<()> {
        self.skip_space();
        if self.eat(b']') {
            return Ok(());
        }
        loop {
            self.skip_space();
            element(self)?;
            self.skip_space();
            match self.next_byte() {
                Some(b',') => continue,
                Some(b']') => return Ok(()),
                _ => return Err(Unsure),
            }
        }
    }

    /// `PropertyCollection`: an array of `{Name, Value}` objects (anything else, null too, is
    /// the decoder's to judge).
    fn property_collection(&mut self, fields: &mut LaunchFields<'a>) -> Scanned<()> {
        self.expect(b'[')?;
        self.elements(|cursor| cursor.property_entry(fields))
    }

    /// One `{Name, Value}` entry. A later entry of the same name wins, as in the decoder; an
    /// entry without `Value` changes nothing, one whose value is not a string clears the slot.
    /// Values are resolved once the name is known: an escaped value matters only to the
    /// entries read.
    fn property_entry(&mut self, fields: &mut LaunchFields<'a>) -> Scanned<()> {
        let mut name: Option<Option<&'a str>> = None;
        let mut value: Option<EntryValue<'a>> = None;
        self.expect(b'{')?;
        self.members(|cursor, key| {
            if key.eq_ignore_ascii_case("Name") {
                if name.is_some() {
                    return Err(Unsure);
                }
                name = Some(cursor.string_or_null()?);
            } else if key.eq_ignore_ascii_case("Value") {
                if value.is_some() {
                    return Err(Unsure);
                }
                value = Some(match cursor.peek() {
                    Some(b'"') => match cursor.string()? {
                        JsonString::Plain(text) => EntryValue::Text(text),
                        JsonString::Escaped => EntryValue::Escaped,
                    },
                    _ => {
                        cursor.value(3)?;
                        EntryValue::NotText
                    }
                });
            } else {
                cursor.value(3)?;
            }
            Ok(())
        })?;
        let (Some(value), Some(Some(name))) = (value, name) else {
            return Ok(());
        };
        let slot = if name.eq_ignore_ascii_case(POWER_APP_ID_PROPERTY) {
            &mut fields.app_id_property
        } else if name.eq_ignore_ascii_case(END_USER_ID_PROPERTY) {
            &mut fields.end_user_id_property
        } else {
            return Ok(());
        };
        *slot = match value {
            EntryValue::Text(text) => Some(text),
            EntryValue::NotText => None,
            EntryValue::Escaped => return Err(Unsure),
        };
        Ok(())
    }

    /// A wanted value: a plain string, or null.
    fn string_or_null(&mut self) -> Scanned<Option<&'a str>> {
        match self.peek() {
            Some(b'n') => self.literal(b"null").map(|()| None),
            Some(b'"') => match self.string()? {
                JsonString::Plain(text) => Ok(Some(text)),
                JsonString::Escaped => Err(Unsure),
            },
            _ => Err(Unsure),
        }
    }

    /// Any JSON value, checked and skipped; `depth` counts the objects and arrays around it.
    fn value(&mut self, depth: usize) -> Scanned<()> {
        if matches!(self.peek(), Some(b'{' | b'[')) && depth >= MAX_DEPTH {
            return Err(Unsure);
        }
        match self.peek() {
            Some(b'"') => self.string().map(|_| ()),
            Some(b'{') => {
                self.at += 1;
                self.members(|cursor, _| cursor.value(depth + 1))
            }
            Some(b'[') => {
                self.at += 1;
                self.elements(|cursor| cursor.value(depth + 1))
            }
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(Unsure),
        }
    }

    /// A string from its opening (doubled) quote through its closing one.
    fn string(&mut self) -> Scanned<JsonString<'a>> {
        self.quote()?;
        let start = self.at;
        let mut escaped = false;
        loop {
            self.at += plain_run(&self.bytes[self.at..]);
            match self.peek() {
                Some(b'"') => {
                    let end = self.at;
                    self.quote()?;
                    return Ok(if escaped {
                        JsonString::Escaped
                    } else {
                        JsonString::Plain(&self.text[start..end])
                    });
                }
                Some(b'\\') => {
                    escaped = true;
                    self.escape()?;
                }
                // A raw control character (not allowed inside a JSON string), or the end.
                _ => return Err(Unsure),
            }
        }
    }

    /// One escape sequence, from its backslash. Like the decoder skipping a value, any four hex
    /// digits pass after `\u`; strings that are read, where a code unit must be valid, never
    /// get here (escaped values go to the decoder).
    fn escape(&mut self) -> Scanned<()> {
        match self.bytes.get(self.at + 1) {
            Some(b'"') => {
                self.at += 1;
                self.quote()
            }
            Some(b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.at += 2;
                Ok(())
            }
            Some(b'u') => {
                let digits = self.bytes.get(self.at + 2..self.at + 6).ok_or(Unsure)?;
                if !digits.iter().all(u8::is_ascii_hexdigit) {
                    return Err(Unsure);
                }
                self.at += 6;
                Ok(())
            }
            _ => Err(Unsure),
        }
    }

    /// A JSON quote, which CSV stores doubled.
    fn quote(&mut self) -> Scanned<()> {
        if self.bytes.get(self.at..self.at + 2) == Some(b"\"\"") {
            self.at += 2;
            Ok(())
        } else {
            Err(Unsure)
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Scanned<()> {
        self.eat(b'-');
        match self.next_byte() {
            Some(b'0') => {}
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(Unsure),
        }
        if self.eat(b'.') {
            self.some_digits()?;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.some_digits()?;
        }
        Ok(())
    }

    fn some_digits(&mut self) -> Scanned<()> {
        match self.peek() {
            Some(b'0'..=b'9') => {
                self.digits();
                Ok(())
            }
            _ => Err(Unsure),
        }
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &[u8]) -> Scanned<()> {
        if self
            .bytes
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(word))
        {
            self.at += word.len();
            Ok(())
        } else {
            Err(Unsure)
        }
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next_byte(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, byte: u8) -> Scanned<()> {
        if self.eat(byte) { Ok(()) } else { Err(Unsure) }
    }
}

/// The length of the run of `bytes` before the first byte that ends plain string content: a
/// quote, a backslash or a control character (below 0x20); all of `bytes` when there is none.
fn plain_run(bytes: &[u8]) -> usize {
    let stops = |word| bytes_below(word, 0x20) | bytes_equal(word, b'"') | bytes_equal(word, b'\\');
    let is_stop = |byte: u8| byte == b'"' || byte == b'\\' || byte < 0x20;
    find_in_words(bytes, usize::MAX, stops, is_stop).unwrap_or_else(|crossed| crossed)
}

#[cfg(test)]
mod tests {
    use super::plain_run;

    #[test]
    fn a_plain_run_ends_at_a_quote_a_backslash_or_a_control_character() {
        assert_eq!(plain_run(b"abcdefg\x1f\"\\0123456789\""), 7);
        assert_eq!(plain_run(b"0123456789abcdef\\\""), 16);
        assert_eq!(plain_run(b"0123456789abcdef\""), 16);
        assert_eq!(plain_run(b"caf\xc3\xa9 \x7f\"x"), 7);
        assert_eq!(plain_run(b"0123456789abcdef0"), 17);
        assert_eq!(plain_run(b""), 0);
    }
}
