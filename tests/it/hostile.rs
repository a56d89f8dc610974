//! Hostile tenant text: display names, UPNs, group names, reasons and notes that try to break
//! out of whatever an emitter writes them into. One corpus for every emitter, so each output
//! format is held to the same strings.

/// Every single-quote character of PowerShell (`'`, U+2018, U+2019, U+201A, U+201B).
pub(crate) const SINGLE_QUOTES: [&str; 5] = ["'", "\u{2018}", "\u{2019}", "\u{201a}", "\u{201b}"];

/// Every double-quote character of PowerShell (`"`, U+201C, U+201D, U+201E).
pub(crate) const DOUBLE_QUOTES: [&str; 4] = ["\"", "\u{201c}", "\u{201d}", "\u{201e}"];

/// Everything else: expansions, escapes, line breaks, comment delimiters, control characters,
/// statement separators, and the combinations that close a literal and run a command.
pub(crate) const STRINGS: &[&str] = &[
    // Expansion and escapes.
    "$(Start-Process calc)",
    "${env:PATH}",
    "$env:USERNAME",
    "`",
    "``",
    "`n",
    "a`$(Start-Process calc)",
    // Line breaks, in every form a reader or a tokenizer might honour.
    "line\nStart-Process calc",
    "line\rStart-Process calc",
    "line\r\nStart-Process calc",
    "line\u{85}Start-Process calc",
    "line\u{2028}Start-Process calc",
    "line\u{2029}Start-Process calc",
    "\n",
    // Comment delimiters.
    "#>",
    "<#",
    "#> Start-Process calc <#",
    "# Start-Process calc",
    // Control and formatting characters.
    "nul\0Start-Process calc",
    "\0",
    "bell\u{7}del\u{7f}c1\u{9b}",
    "rtl\u{202e}cla\u{2066}c",
    // Statement separators and operators.
    ";",
    "|",
    "&",
    "; Start-Process calc",
    "| Start-Process calc",
    "& calc",
    // Closing a literal with each quote kind, then running something.
    "'; Remove-Item C:\\ -Recurse; '",
    "\u{2019}; Remove-Item C:\\ -Recurse; \u{2019}",
    "\u{2018}; Remove-Item C:\\ -Recurse; \u{2018}",
    "\u{201a}; Remove-Item C:\\ -Recurse; \u{201a}",
    "\u{201b}; Remove-Item C:\\ -Recurse; \u{201b}",
    "x\u{2019}\u{2019}$(evil)",
    "x'\u{2019}$(evil)",
    "x\u{2019}'$(evil)'",
    "O\u{2019}Brien\u{2019}) ; Start-Process calc ; (\u{2019}",
    "\u{2019}+$(Start-Process calc)+\u{2019}",
    "\u{201c}$(Start-Process calc)\u{201d}",
    "\"$(Start-Process calc)\"",
    "\u{2019}\n$(Start-Process calc)\n#",
    // Markup: a table row or cell, a heading, a list, a quote, HTML, an image, a link,
    // emphasis, code, an entity and math, in Markdown and HTML.
    "| injected | row |",
    "a | b",
    "# Injected heading",
    "> quoted",
    "- listed",
    "1. numbered",
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "![pixel](https://attacker.example/p.png)",
    "[click](https://attacker.example)",
    "**bold** _em_ ~~gone~~",
    "`code`",
    "&amp; &lt;",
    "$x^2$",
    // Spreadsheet formulas.
    "=HYPERLINK(\"https://attacker.example\",\"open\")",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    " =1+1",
    // Terminal escape sequences.
    "\u{1b}[2J\u{1b}[31mred",
    "\u{1b}]0;title\u{7}",
    // Windows-1252 reads the UTF-8 bytes of these as typographic quotes (`Ò` is C3 92, `’`
    // in cp1252); harmless as long as the script is read as UTF-8.
    "\u{d2}\u{c2}\u{91}\u{82}",
];

/// The whole corpus: every quote kind on its own, then [`STRINGS`].
pub(crate) fn corpus() -> Vec<&'static str> {
    SINGLE_QUOTES
        .iter()
        .chain(DOUBLE_QUOTES.iter())
        .chain(STRINGS.iter())
        .copied()
        .collect()
}
