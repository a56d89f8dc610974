//! Tenant text made safe for a web page. Display names, departments and SKU names come from the
//! tenant, so every value a page shows, in text or in an attribute, inline SVG included, goes
//! through [`escape`]; text handed to a library that escapes markup itself (plotters' SVG
//! backend) goes through [`neutralise`] first.
//!
//! Beyond the five markup characters, two kinds of characters are replaced with U+FFFD (�), a
//! visible mark that something was there:
//! - control characters other than tab, line feed and carriage return: they are not allowed in
//!   XML (inline SVG) and can hide text;
//! - the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): a
//!   right-to-left override in a name would reverse the text after it ("Trojan Source").
//!   Right-to-left names need none of them; the plain marks (U+200E, U+200F) are kept.

use std::borrow::Cow;

/// What stands in for a character that must not reach the page.
pub const REPLACEMENT: char = '\u{FFFD}';

/// A character that is replaced rather than shown.
fn is_neutralised(character: char) -> bool {
    let control = character.is_control() && !matches!(character, '\t' | '\n' | '\r');
    let bidi_control = matches!(character, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let noncharacter = matches!(character, '\u{FFFE}' | '\u{FFFF}');
    control || bidi_control || noncharacter
}

/// Appends `text` to `out`, escaped for HTML text and quoted attribute values alike.
pub fn push_escaped(out: &mut String, text: &str) {
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other if is_neutralised(other) => out.push(REPLACEMENT),
            other => out.push(other),
        }
    }
}

/// `text` escaped for HTML text and quoted attribute values alike.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_escaped(&mut out, text);
    out
}

/// `text` with control and bidirectional control characters replaced, markup left as it is:
/// for a renderer that escapes markup itself.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_neutralised) {
        Cow::Owned(
            text.chars()
                .map(|character| {
                    if is_neutralised(character) {
                        REPLACEMENT
                    } else {
                        character
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            escape(r#""><img src=x onerror=alert(1)>"#),
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(escape("O'Brien & Sons"), "O&#39;Brien &amp; Sons");
        assert_eq!(
            escape("&amp; stays text"),
            "&amp;amp; stays text",
            "an entity in tenant text is shown, not decoded"
        );
    }

    #[test]
    fn control_characters_are_replaced_and_whitespace_kept() {
        assert_eq!(escape("a\u{0}b\u{7}c\u{1b}[31md"), "a�b�c�[31md");
        assert_eq!(escape("a\u{7f}b\u{85}c"), "a�b�c");
        assert_eq!(escape("line\tone\r\nline two"), "line\tone\r\nline two");
        assert_eq!(escape("\u{FFFF}"), "�");
    }

    #[test]
    fn bidirectional_overrides_cannot_reverse_the_text_after_them() {
        // "Finance" followed by a right-to-left override and an isolate.
        assert_eq!(
            escape("Finance\u{202E}gpj.exe\u{2066}x\u{2069}"),
            "Finance�gpj.exe�x�"
        );
        for character in ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{2067}'] {
            assert_eq!(escape(&character.to_string()), "�", "{character:?}");
        }
        // Right-to-left text itself and the plain direction marks are not controls.
        assert_eq!(escape("מחלקה\u{200F}"), "מחלקה\u{200F}");
    }

    #[test]
    fn plain_text_is_unchanged() {
        let text = "Ada Lovelace, Zürich 東京 — 12.50 USD";
        assert_eq!(escape(text), text);
        assert!(matches!(neutralise(text), Cow::Borrowed(_)));
    }

    #[test]
    fn neutralise_replaces_controls_and_leaves_markup_to_the_caller() {
        assert_eq!(neutralise("<b>\u{202E}x\u{0}"), "<b>�x�");
    }
}
