//! A small PowerShell tokenizer for checking generated scripts, written apart from the
//! emitter so that it cannot share the emitter's mistakes. It knows only what `plan.ps1` needs
//! (comments, single- and double-quoted strings, variables, bare words, punctuation) and
//! reports, for each line, the single-quoted literals, the expansions and the commands.
//!
//! Its character classes are PowerShell's own, from `CharTraits.cs` and `tokenizer.cs`
//! (System.Management.Automation/engine/parser) and about_Quoting_Rules:
//!
//! - single quotes (`CharExtensions.IsSingleQuote`): `'`, U+2018, U+2019, U+201A, U+201B;
//! - double quotes (`CharExtensions.IsDoubleQuote`): `"`, U+201C, U+201D, U+201E;
//! - in a single-quoted string (`ScanStringLiteral`), a single quote of any kind followed by
//!   another single quote of any kind stands for the second one; any other single quote ends
//!   the string; nothing else is special;
//! - in a double-quoted string, a backtick escapes the next character, two double quotes stand
//!   for one, and `$(…)`, `${…}` and `$name` expand;
//! - newlines (`CharTraits.Newline`): CR and LF only, which is also where a `#` comment ends
//!   (`ScanToEndOfCommentLine`); NEL U+0085 and the Unicode separators (U+2028, U+2029 among
//!   them) are whitespace (`CharExtensions.IsWhitespace`: `char.IsSeparator`);
//! - `<#` opens a block comment that ends at the first `#>` (`ScanBlockComment`); blocks do
//!   not nest.

use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `#` to the end of the line, or `<# … #>`.
    Comment,
    /// A single-quoted literal and the value PowerShell reads from it.
    Literal(String),
    /// A double-quoted string and the expansions in it (`$(…)`, `${…}`, `$name`).
    Expandable(Vec<String>),
    /// `$name` or `${…}` outside a string.
    Variable(String),
    /// `$(` outside a string.
    SubExpression,
    /// A backtick and the character it escapes, outside a string.
    Escape,
    /// A bare word: a command, parameter, keyword, member, operator or number.
    Word,
    /// `(`, `)`, `{`, `}`, `[`, `]`, `;`, `,`, `|`, `&`, `@(` or `@{`.
    Punct,
    /// CR, LF or CR LF.
    Newline,
}

/// A token and where it is in the script (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub span: Range<usize>,
}

/// One line of code: the tokens between two newlines (a literal or block comment that holds
/// line breaks belongs to the line it starts on).
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// 1-based, counting lines of code.
    pub number: usize,
    pub tokens: Vec<Token>,
    /// The line with each literal written `'…'` and each comment `#…` or `<#…#>`: exactly
    /// what the script's template decides, with every value left out.
    pub skeleton: String,
    /// Where each single-quoted literal is, and the value PowerShell reads from it.
    pub literals: Vec<(Range<usize>, String)>,
    /// The text of each comment, delimiters included.
    pub comments: Vec<String>,
    /// Variables, `$(` and double-quoted strings' expansions: anything evaluated.
    pub expansions: Vec<String>,
    /// The number of double-quoted strings.
    pub double_quoted: usize,
    /// Words in command position (first of a statement or pipeline element).
    pub commands: Vec<String>,
}

pub(crate) fn is_single_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}')
}

pub(crate) fn is_double_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201c}' | '\u{201d}' | '\u{201e}')
}

fn is_newline(c: char) -> bool {
    matches!(c, '\r' | '\n')
}

/// `CharExtensions.IsWhitespace`: space, tab, VT, FF, NBSP, NEL, and `char.IsSeparator`
/// (Unicode categories Zs, Zl, Zp).
fn is_whitespace(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{b}' | '\u{c}' | '\u{a0}' | '\u{85}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

fn is_punct(c: char) -> bool {
    matches!(c, '(' | ')' | '{' | '}' | '[' | ']' | ';' | ',' | '|' | '&')
}

fn is_variable_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '?' | ':')
}

/// Ends a bare word.
fn ends_word(c: char) -> bool {
    is_whitespace(c)
        || is_newline(c)
        || is_punct(c)
        || is_single_quote(c)
        || is_double_quote(c)
        || matches!(c, '$' | '`')
}

/// A cursor over the script's characters.
struct Scanner<'a> {
    chars: Vec<(usize, char)>,
    at: usize,
    text: &'a str,
}

impl Scanner<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).map(|&(_, c)| c)
    }

    fn offset(&self) -> usize {
        self.chars
            .get(self.at)
            .map_or(self.text.len(), |&(offset, _)| offset)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0);
        if c.is_some() {
            self.at += 1;
        }
        c
    }

    /// After an opening single quote: the value, up to and past the closing quote.
    fn single_quoted(&mut self) -> Result<String, String> {
        let mut value = String::new();
        loop {
            match self.bump() {
                None => return Err("unterminated single-quoted string".into()),
                Some(c) if is_single_quote(c) => match self.peek(0) {
                    Some(next) if is_single_quote(next) => {
                        value.push(next);
                        self.at += 1;
                    }
                    _ => return Ok(value),
                },
                Some(c) => value.push(c),
            }
        }
    }

    /// After an opening double quote: the expansions, up to and past the closing quote.
    fn double_quoted(&mut self) -> Result<Vec<String>, String> {
        let mut expansions = Vec::new();
        loop {
            match self.bump() {
                None => return Err("unterminated double-quoted string".into()),
                Some('`') => {
                    self.bump();
                }
                Some(c) if is_double_quote(c) => match self.peek(0) {
                    Some(next) if is_double_quote(next) => self.at += 1,
                    _ => return Ok(expansions),
                },
                Some('$') => {
                    if let Some(expansion) = self.dollar()? {
                        expansions.push(expansion);
                    }
                }
                Some(_) => {}
            }
        }
    }

    /// After a `$` in a double-quoted string: the expansion it starts, if any.
    fn dollar(&mut self) -> Result<Option<String>, String> {
        let start = self.offset() - 1;
        match self.peek(0) {
            Some('(') => {
                let mut depth = 0usize;
                loop {
                    match self.bump() {
                        None => return Err("unterminated $( in a string".into()),
                        Some('(') => depth += 1,
                        Some(')') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
            Some('{') => self.braced_variable()?,
            Some(c) if is_variable_char(c) => self.variable_name(),
            _ => return Ok(None),
        }
        Ok(Some(self.text[start..self.offset()].to_string()))
    }

    fn braced_variable(&mut self) -> Result<(), String> {
        loop {
            match self.bump() {
                None => return Err("unterminated ${".into()),
                Some('}') => return Ok(()),
                Some(_) => {}
            }
        }
    }

    fn variable_name(&mut self) {
        while self.peek(0).is_some_and(is_variable_char) {
            self.at += 1;
        }
    }

    /// The next token, skipping whitespace; `None` at the end.
    fn token(&mut self) -> Result<Option<Token>, String> {
        while self.peek(0).is_some_and(is_whitespace) {
            self.at += 1;
        }
        let start = self.offset();
        let Some(c) = self.bump() else {
            return Ok(None);
        };
        let kind = match c {
            '\r' => {
                if self.peek(0) == Some('\n') {
                    self.at += 1;
                }
                Kind::Newline
            }
            '\n' => Kind::Newline,
            '#' => {
                while self.peek(0).is_some_and(|c| !is_newline(c)) {
                    self.at += 1;
                }
                Kind::Comment
            }
            '<' if self.peek(0) == Some('#') => {
                self.at += 1;
                loop {
                    match self.bump() {
                        None => return Err("unterminated <# comment".into()),
                        Some('#') if self.peek(0) == Some('>') => {
                            self.at += 1;
                            break;
                        }
                        Some(_) => {}
                    }
                }
                Kind::Comment
            }
            c if is_single_quote(c) => Kind::Literal(self.single_quoted()?),
            c if is_double_quote(c) => Kind::Expandable(self.double_quoted()?),
            '$' => match self.peek(0) {
                Some('(') => {
                    self.at += 1;
                    Kind::SubExpression
                }
                Some('{') => {
                    self.braced_variable()?;
                    Kind::Variable(self.text[start..self.offset()].to_string())
                }
                Some(c) if is_variable_char(c) => {
                    self.variable_name();
                    Kind::Variable(self.text[start..self.offset()].to_string())
                }
                _ => Kind::Word,
            },
            '`' => {
                self.bump();
                Kind::Escape
            }
            '@' if matches!(self.peek(0), Some('(' | '{')) => {
                self.at += 1;
                Kind::Punct
            }
            c if is_punct(c) => Kind::Punct,
            _ => {
                while self.peek(0).is_some_and(|c| !ends_word(c)) {
                    self.at += 1;
                }
                Kind::Word
            }
        };
        Ok(Some(Token {
            kind,
            span: start..self.offset(),
        }))
    }
}

/// Every token of `script`. A leading byte-order mark is skipped, as PowerShell's file reader
/// consumes it.
pub(crate) fn tokens(script: &str) -> Result<Vec<Token>, String> {
    let body = script.strip_prefix('\u{feff}').unwrap_or(script);
    let skipped = script.len() - body.len();
    let mut scanner = Scanner {
        chars: body.char_indices().collect(),
        at: 0,
        text: body,
    };
    let mut tokens = Vec::new();
    while let Some(mut token) = scanner
        .token()
        .map_err(|error| format!("at byte {}: {error}", scanner.offset() + skipped))?
    {
        token.span = token.span.start + skipped..token.span.end + skipped;
        tokens.push(token);
    }
    Ok(tokens)
}

/// What encloses a token: `{ }` block, `@{ }` hash table or parentheses.
#[derive(Clone, Copy, PartialEq)]
enum Group {
    Block,
    Hash,
    Paren,
}

/// Words in command position: the first word of a line, and the first after `;` (outside a
/// hash table), `|`, `&`, `{`, `@(`, or a `(` that does not call a method or attribute.
fn commands(script: &str, tokens: &[Token]) -> Vec<String> {
    let mut commands = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut expect_command = true;
    let mut previous: Option<&Token> = None;
    for token in tokens {
        let text = &script[token.span.clone()];
        match &token.kind {
            Kind::Comment => continue,
            Kind::Word if expect_command => {
                commands.push(text.to_string());
                expect_command = false;
            }
            Kind::Punct => {
                let called = previous.is_some_and(|previous| {
                    previous.span.end == token.span.start
                        && matches!(previous.kind, Kind::Word | Kind::Variable(_))
                });
                expect_command = match text {
                    "{" => {
                        groups.push(Group::Block);
                        true
                    }
                    "@{" => {
                        groups.push(Group::Hash);
                        false
                    }
                    "(" | "@(" => {
                        groups.push(Group::Paren);
                        text == "@(" || !called
                    }
                    ")" | "}" => {
                        groups.pop();
                        false
                    }
                    ";" => groups.last() != Some(&Group::Hash),
                    "|" | "&" => true,
                    _ => false,
                };
            }
            Kind::SubExpression => {
                groups.push(Group::Paren);
                expect_command = true;
            }
            _ => expect_command = false,
        }
        previous = Some(token);
    }
    commands
}

/// The script's lines of code, each with its literals, comments, expansions and commands.
pub(crate) fn lines(script: &str) -> Result<Vec<Line>, String> {
    let all = tokens(script)?;
    let mut lines = Vec::new();
    for (index, tokens) in all.split(|token| token.kind == Kind::Newline).enumerate() {
        lines.push(line(script, index + 1, tokens.to_vec()));
    }
    Ok(lines)
}

fn line(script: &str, number: usize, tokens: Vec<Token>) -> Line {
    let mut skeleton = String::new();
    let mut literals = Vec::new();
    let mut comments = Vec::new();
    let mut expansions = Vec::new();
    let mut double_quoted = 0;
    let mut previous_end = tokens.first().map_or(0, |token| token.span.start);
    for token in &tokens {
        skeleton.push_str(&script[previous_end..token.span.start]);
        let text = &script[token.span.clone()];
        match &token.kind {
            Kind::Literal(value) => {
                skeleton.push_str("'…'");
                literals.push((token.span.clone(), value.clone()));
            }
            Kind::Comment => {
                skeleton.push_str(if text.starts_with("<#") {
                    "<#…#>"
                } else {
                    "#…"
                });
                comments.push(text.to_string());
            }
            Kind::Expandable(inside) => {
                skeleton.push_str(text);
                double_quoted += 1;
                expansions.extend(inside.iter().cloned());
            }
            Kind::Variable(name) => {
                skeleton.push_str(text);
                expansions.push(name.clone());
            }
            Kind::SubExpression => {
                skeleton.push_str(text);
                expansions.push(text.to_string());
            }
            _ => skeleton.push_str(text),
        }
        previous_end = token.span.end;
    }
    let commands = commands(script, &tokens);
    Line {
        number,
        tokens,
        skeleton,
        literals,
        comments,
        expansions,
        double_quoted,
        commands,
    }
}

// The tokenizer checked against hand-written PowerShell, including the escaping mistake that
// made this tokenizer necessary.

fn only_line(script: &str) -> Line {
    let mut lines = lines(script).expect("tokenizes");
    assert_eq!(lines.len(), 1, "{script:?}: {lines:?}");
    lines.remove(0)
}

fn values(line: &Line) -> Vec<&str> {
    line.literals
        .iter()
        .map(|(_, value)| value.as_str())
        .collect()
}

#[test]
fn a_doubled_single_quote_of_any_kind_is_one_quote() {
    let line =
        only_line("Write-Host 'it''s' 'it\u{2019}\u{2019}s' 'a\u{2018}\u{2019}b' \u{201a}c'");
    assert_eq!(values(&line), ["it's", "it\u{2019}s", "a\u{2019}b", "c"]);
    assert_eq!(line.commands, ["Write-Host"]);
    assert!(line.expansions.is_empty());
}

#[test]
fn nothing_expands_in_a_single_quoted_literal() {
    let line = only_line("Write-Host '$(calc) ${env:PATH} $x `n \"y\" \u{201c}z\u{201d} # <# #>'");
    assert_eq!(
        values(&line),
        ["$(calc) ${env:PATH} $x `n \"y\" \u{201c}z\u{201d} # <# #>"]
    );
    assert!(line.expansions.is_empty());
    assert!(line.comments.is_empty());
}

#[test]
fn a_typographic_quote_escaped_the_ascii_way_ends_the_literal() {
    // What doubling only `'` made of `x’; Remove-Item C:\ -Recurse; ’`.
    let line = only_line("Write-Host 'x\u{2019}; Remove-Item C:\\ -Recurse; \u{2019}'");
    assert_eq!(values(&line), ["x", ""]);
    assert_eq!(line.commands, ["Write-Host", "Remove-Item"]);

    let line =
        only_line("if ($PSCmdlet.ShouldProcess('x\u{2019}$(Start-Process calc)\u{2019}', 'y')) {");
    assert_eq!(line.expansions, ["$PSCmdlet", "$("]);
    assert_eq!(line.commands, ["if", "Start-Process"]);
}

#[test]
fn double_quoted_strings_expand() {
    let line = only_line("Write-Warning \"a $(b) `$c $d ${e} \"\"f\"\" \u{201c}\u{201c}g\"");
    assert_eq!(line.double_quoted, 1);
    assert_eq!(line.expansions, ["$(b)", "$d", "${e}"]);
    let line = only_line("Write-Warning \u{201e}$(b)\u{201c}");
    assert_eq!(line.expansions, ["$(b)"]);
}

#[test]
fn only_cr_and_lf_end_a_comment() {
    for separator in ["\u{85}", "\u{2028}", "\u{2029}"] {
        let script = format!("# note: a{separator}Start-Process calc");
        let line = only_line(&script);
        assert_eq!(line.comments, std::slice::from_ref(&script));
        assert!(line.commands.is_empty(), "{separator:?}");
    }
    for separator in ["\n", "\r", "\r\n"] {
        let lines = lines(&format!("# note: a{separator}Start-Process calc")).expect("tokenizes");
        assert_eq!(lines.len(), 2, "{separator:?}");
        assert_eq!(lines[1].commands, ["Start-Process"]);
    }
}

#[test]
fn a_block_comment_ends_at_the_first_close() {
    let line = only_line("<# a <# b #> Start-Process calc #>");
    assert_eq!(line.comments, ["<# a <# b #>", "#>"]);
    assert_eq!(line.commands, ["Start-Process"]);
    assert_eq!(line.skeleton, "<#…#> Start-Process calc #…");
    assert!(lines("<# open").is_err());
}

#[test]
fn hash_table_entries_are_not_commands() {
    let line = only_line(
        "$failures += [pscustomobject]@{ Action = 'a'; Target = 'b'; Error = $_.Exception.Message }",
    );
    assert!(line.commands.is_empty(), "{:?}", line.commands);
    assert_eq!(line.expansions, ["$failures", "$_"]);
    assert_eq!(
        line.skeleton,
        "$failures += [pscustomobject]@{ Action = '…'; Target = '…'; Error = $_.Exception.Message }"
    );
}

#[test]
fn an_unterminated_literal_is_an_error() {
    assert!(lines("Write-Host 'abc").is_err());
    assert!(lines("Write-Host 'abc\u{2019}\u{2019}").is_err());
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_line() {
    let line = only_line("\u{feff}param()");
    assert_eq!(line.skeleton, "param()");
    assert_eq!(line.commands, ["param"]);
}
