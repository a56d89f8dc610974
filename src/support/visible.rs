//! Characters that must not reach a reader as themselves: control characters (a terminal runs
//! an ESC sequence, a NUL cuts text short), the line and paragraph separators, and the
//! bidirectional formatting characters (which make text display in another order than it is
//! read). Every output that shows tenant text to a person writes them as the text `U+XXXX`,
//! so a value stays on its line and shows what it holds.

use std::borrow::Cow;
use std::fmt::Write;

/// A character shown as `U+XXXX` instead of written: C0 controls except tab, DEL, C1
/// controls, U+2028/U+2029, and the bidirectional marks, embeddings, overrides and isolates.
pub fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Writes `c` as the text `U+XXXX` (at least four upper-case hex digits).
pub fn push_code_point(out: &mut String, c: char) {
    let _ = write!(out, "U+{:04X}", u32::from(c));
}

/// `text` with every hidden character (see [`is_hidden`]) written as `U+XXXX`: one line, as
/// it is read.
pub fn shown(text: &str) -> Cow<'_, str> {
    shown_keeping(text, |_| false)
}

/// `text` for a terminal: as [`shown`], but line feeds stay, because messages seatwise
/// composes span lines. A carriage return, an ESC sequence or a bidi override from the data
/// cannot rewrite what the terminal shows.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    shown_keeping(text, |c| c == '\n')
}

fn shown_keeping(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let hidden = |c: char| is_hidden(c) && !keep(c);
    if !has_hidden(text, hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            push_code_point(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `text` holds a character `hidden` says is hidden. ASCII is checked a byte at a
/// time (most text is ASCII, and the comparisons, seatwise's own output among it, run to tens
/// of megabytes); from the first non-ASCII byte on, a character at a time.
fn has_hidden(text: &str, hidden: impl Fn(char) -> bool) -> bool {
    for (index, byte) in text.bytes().enumerate() {
        if matches!(byte, b' '..=b'~') {
            continue;
        }
        if !byte.is_ascii() {
            // All bytes before were ASCII, so `index` starts a character.
            return text[index..].chars().any(&hidden);
        }
        if hidden(char::from(byte)) {
            return true;
        }
    }
    false
}

/// A writer for a terminal: complete lines pass through [`for_terminal`]; the rest waits for
/// its line feed or for `flush`. Lines are cut at `\n`, an ASCII byte, so no UTF-8 sequence is
/// split; bytes that are not UTF-8 are written as U+FFFD.
pub struct TerminalWriter<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> TerminalWriter<W> {
    pub fn new(inner: W) -> TerminalWriter<W> {
        TerminalWriter {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes `lines` (whole lines, or the rest at a flush) cleaned for the terminal.
    fn write_cleaned(&mut self, lines: &[u8]) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(lines);
        self.inner.write_all(for_terminal(&text).as_bytes())
    }

    /// Writes what is waiting, cleaned, and keeps nothing.
    fn write_pending(&mut self) -> std::io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        self.write_cleaned(&pending)
    }
}

impl<W: std::io::Write> std::io::Write for TerminalWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let Some(last_line_feed) = bytes.iter().rposition(|&byte| byte == b'\n') else {
            self.pending.extend_from_slice(bytes);
            return Ok(bytes.len());
        };
        let (lines, rest) = bytes.split_at(last_line_feed + 1);
        if self.pending.is_empty() {
            // Whole lines and nothing waiting: cleaned in place, not copied.
            self.write_cleaned(lines)?;
        } else {
            self.pending.extend_from_slice(lines);
            self.write_pending()?;
        }
        self.pending.extend_from_slice(rest);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.write_pending()?;
        self.inner.flush()
    }
}

impl<W: std::io::Write> Drop for TerminalWriter<W> {
    fn drop(&mut self) {
        let _ = std::io::Write::flush(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    #[test]
    fn hidden_characters_are_shown_as_code_points() {
        assert_eq!(shown("plain text"), Cow::Borrowed("plain text"));
        assert_eq!(shown("a\tb"), "a\tb");
        assert_eq!(shown("a\0b\r\n"), "aU+0000bU+000DU+000A");
        assert_eq!(shown("\u{1b}[2J"), "U+001B[2J");
        assert_eq!(shown("\u{7f}\u{9b}\u{85}"), "U+007FU+009BU+0085");
        assert_eq!(
            shown("rtl\u{202e}x\u{2066}\u{200f}"),
            "rtlU+202ExU+2066U+200F"
        );
        assert_eq!(shown("\u{2028}\u{2029}\u{61c}"), "U+2028U+2029U+061C");
        // Past plain ASCII and non-ASCII that shows, a hidden character is still found.
        assert_eq!(shown("ab é c\u{202e}d"), "ab é cU+202Ed");
        assert_eq!(shown("ab é c"), Cow::Borrowed("ab é c"));
        assert_eq!(for_terminal("a\nb\x07"), "a\nbU+0007");
    }

    #[test]
    fn terminal_text_keeps_its_lines_and_nothing_else() {
        assert_eq!(for_terminal("one\ntwo"), "one\ntwo");
        assert_eq!(
            for_terminal("field `\u{1b}]0;owned\u{7}`\rx"),
            "field `U+001B]0;ownedU+0007`U+000Dx"
        );
    }

    #[test]
    fn the_writer_cleans_whole_lines_across_writes() {
        let mut out = Vec::new();
        {
            let mut writer = TerminalWriter::new(&mut out);
            // An ESC sequence and a two-byte C1 control split across writes.
            writer.write_all(b"a\x1b").expect("write");
            writer.write_all(b"[31mred\xc2").expect("write");
            writer.write_all(b"\x9b\nnext").expect("write");
        }
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "aU+001B[31mredU+009B\nnext"
        );
    }
}
