//! Tenant text inside Markdown (`summary.md`). A department, a group or a SKU name must read as
//! the text it is: it cannot end a table cell, start a heading, a list or a quote, or become
//! emphasis, code, a link, an image, an entity or HTML, in CommonMark and in GitHub's dialect
//! (tables, strikethrough, `$` math).

use super::visible::shown;

/// Every character that can start Markdown syntax inside a line: each is written with a
/// backslash, which CommonMark defines for every ASCII punctuation character.
fn is_syntax(c: char) -> bool {
    matches!(
        c,
        '\\' | '`' | '*' | '~' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '&' | '$'
    )
}

/// An underscore between two letters or digits cannot open or close emphasis (CommonMark's
/// flanking rules), so `SPE_E5` stays as it is; any other underscore is escaped.
fn is_loose_underscore(before: Option<&char>, after: Option<&char>) -> bool {
    !(before.is_some_and(|c| c.is_alphanumeric()) && after.is_some_and(|c| c.is_alphanumeric()))
}

/// `raw` as inline Markdown text, safe in a paragraph, a list item and a table cell. Hidden
/// characters (line breaks among them) are shown as `U+XXXX` so the value stays on its line;
/// syntax characters are backslash-escaped; a leading `-`, `+`, `=` or ordered-list number is
/// escaped so the value cannot open a block of its own.
pub fn text(raw: &str) -> String {
    let visible = shown(raw);
    let mut out = String::with_capacity(visible.len() + 8);
    let chars: Vec<char> = visible.chars().collect();
    let leading_digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let ends_number = |index: usize| {
        leading_digits > 0
            && index == leading_digits
            && chars.get(index + 1).is_none_or(|next| next.is_whitespace())
    };
    for (index, &c) in chars.iter().enumerate() {
        let opens_block = index == 0 && matches!(c, '-' | '+' | '=')
            || (ends_number(index) && matches!(c, '.' | ')'));
        let loose_underscore = c == '_'
            && is_loose_underscore(
                index.checked_sub(1).and_then(|before| chars.get(before)),
                chars.get(index + 1),
            );
        if is_syntax(c) || opens_block || loose_underscore {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn plain_names_stay_readable() {
        assert_eq!(text("Finance"), "Finance");
        assert_eq!(text("ada@contoso.com"), "ada@contoso.com");
        assert_eq!(text("SPE_E5"), "SPE_E5");
        assert_eq!(text("_em_ a_"), "\\_em\\_ a\\_");
        assert_eq!(text("R&D"), "R\\&D");
    }

    #[test]
    fn syntax_and_line_breaks_are_neutralised() {
        assert_eq!(text("a|b"), "a\\|b");
        assert_eq!(text("x\n# heading"), "xU+000A\\# heading");
        assert_eq!(text("<script>"), "\\<script\\>");
        assert_eq!(text("![i](http://x)"), "\\!\\[i\\](http://x)");
        assert_eq!(text("- item"), "\\- item");
        assert_eq!(text("12. item"), "12\\. item");
        assert_eq!(text("7)"), "7\\)");
        assert_eq!(text("3.5"), "3.5");
        assert_eq!(text("v1.2"), "v1.2");
    }
}
