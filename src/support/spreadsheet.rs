//! The spreadsheet guard: tenant text that a spreadsheet would run as a formula (a department
//! named `=HYPERLINK(…)`) is written as text. Every CSV seatwise writes for people to open
//! (findings, plans, notices, the audit trail) puts tenant text through it; the workbook, whose
//! cells are typed, uses [`reads_as_formula`] to mark such text as text without changing it.

/// Whether a spreadsheet would evaluate `text` typed into a cell: its first character, or its
/// first character after leading spaces, starts a formula (`=`, `+`, `-`, `@`, or a tab or line
/// break before one).
pub fn reads_as_formula(text: &str) -> bool {
    let starts_formula =
        |character: char| matches!(character, '=' | '+' | '-' | '@' | '\t' | '\r' | '\n');
    let first = text.chars().next();
    let first_after_spaces = text.trim_start_matches(' ').chars().next();
    first.is_some_and(starts_formula) || first_after_spaces.is_some_and(starts_formula)
}

/// Neutralises text a spreadsheet would evaluate ([`reads_as_formula`]) by a leading
/// apostrophe.
pub fn spreadsheet_safe(text: &str) -> String {
    if reads_as_formula(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{reads_as_formula, spreadsheet_safe};

    #[test]
    fn formulas_become_text_even_behind_spaces() {
        for text in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "\t=1",
            "\n=1",
            "  =HYPERLINK(\"x\")",
        ] {
            assert!(reads_as_formula(text), "{text:?}");
            assert_eq!(spreadsheet_safe(text), format!("'{text}"), "{text:?}");
        }
        for text in ["Finance", "", "a=b", "direct;0a1b"] {
            assert!(!reads_as_formula(text), "{text:?}");
            assert_eq!(spreadsheet_safe(text), text);
        }
    }
}
