//! The spreadsheet guard: tenant text that a spreadsheet would run as a formula (a department
//! named `=HYPERLINK(…)`) is written as text. Every CSV seatwise writes for people to open
//! (findings, plans, notices, the audit trail) puts tenant text through it.

/// Neutralises text a spreadsheet would evaluate: a cell whose first character, or first
/// character after leading spaces, starts a formula (`=`, `+`, `-`, `@`, or a tab or line break
/// before one) gets a leading apostrophe.
pub fn spreadsheet_safe(text: &str) -> String {
    let starts_formula =
        |character: char| matches!(character, '=' | '+' | '-' | '@' | '\t' | '\r' | '\n');
    let first = text.chars().next();
    let first_after_spaces = text.trim_start_matches(' ').chars().next();
    if first.is_some_and(starts_formula) || first_after_spaces.is_some_and(starts_formula) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

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
            assert_eq!(spreadsheet_safe(text), format!("'{text}"), "{text:?}");
        }
        for text in ["Finance", "", "a=b", "direct;0a1b"] {
            assert_eq!(spreadsheet_safe(text), text);
        }
    }
}
