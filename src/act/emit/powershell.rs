//! `plan.ps1`: the plan as a Microsoft Graph PowerShell SDK script, as the seed document's
//! example does it: `Set-MgUserLicense` for direct licenses, group membership cmdlets for
//! group-based ones. `-WhatIf` shows what would change; each action has its own error
//! handling, so one failure is reported and the rest still run.
//!
//! The script never runs tenant text. Names, UPNs, ids, reasons and notes come from the tenant
//! (or from a `plan.json` anyone could edit), and `-WhatIf` still evaluates the arguments of
//! `ShouldProcess`, so a value that escaped its string would run even on a dry run. Hence:
//!
//! - every value is written as a single-quoted literal by [`quoted`], the one PowerShell string
//!   form with no expansion, and every kind of single quote in it is escaped;
//! - comments carry values only after [`comment`] (or [`block_comment`] inside the `<# … #>`
//!   header), so no value can end a comment and start a line of code;
//! - the script begins with a UTF-8 byte-order mark ([`BOM`]).

use crate::act::{Action, Mechanism, Plan};
use crate::support::visible::{is_hidden, push_code_point};
use std::fmt::Write;

/// Starts the script. Windows PowerShell 5.1 reads a script without a byte-order mark in the
/// machine's ANSI code page; in Windows-1252 the UTF-8 bytes of ordinary letters (`Ò` is
/// `C3 92`) decode to a typographic quote that would end a literal. The mark makes every
/// PowerShell read the file as UTF-8, which is what the escaping below assumes.
const BOM: char = '\u{feff}';

/// A single quote to PowerShell's tokenizer (`CharExtensions.IsSingleQuote`): the ASCII
/// apostrophe and the typographic quotes U+2018, U+2019, U+201A and U+201B. Any of them ends
/// a single-quoted literal.
fn is_single_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}')
}

/// A character that ends a `#` comment to PowerShell (CR, LF), or that editors and viewers
/// show as a line break (NEL U+0085, LINE SEPARATOR U+2028, PARAGRAPH SEPARATOR U+2029).
fn is_line_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// A PowerShell single-quoted string literal of `text`.
///
/// Inside single quotes PowerShell expands nothing (`$(…)`, `$name`, backticks and double
/// quotes are plain text); the only special characters are the single quotes, and two single
/// quotes in a row stand for the second one. So each single-quote character is doubled —
/// `'` becomes `''`, `’` becomes `’’` — and the literal ends only at the closing `'`.
///
/// Hidden characters (see [`is_hidden`]) are written as the text `U+XXXX`, so the literal
/// stays on one line and shows what it holds: a NUL in a name reads `U+0000`. That rendering
/// is not reversible (a value could contain the text `U+0000` itself), which is fine because
/// these literals are read by people and by cmdlets that take ids, and ids (GUIDs, SKU part
/// numbers) never contain such characters.
fn quoted(text: &str) -> String {
    let mut literal = String::with_capacity(text.len() + 2);
    literal.push('\'');
    for c in text.chars() {
        if is_single_quote(c) {
            literal.push(c);
            literal.push(c);
        } else if is_hidden(c) {
            push_code_point(&mut literal, c);
        } else {
            literal.push(c);
        }
    }
    literal.push('\'');
    literal
}

fn command(action: &Action) -> Option<String> {
    let user = quoted(action.user_id.as_deref().unwrap_or(""));
    let group = quoted(action.group_id.as_deref().unwrap_or(""));
    let sku = quoted(&action.sku_id);
    Some(match action.mechanism {
        Mechanism::RemoveDirect => {
            format!(
                "Set-MgUserLicense -UserId {user} -AddLicenses @() -RemoveLicenses @({sku}) | Out-Null"
            )
        }
        Mechanism::AssignDirect if action.disabled_plans.is_empty() => {
            format!(
                "Set-MgUserLicense -UserId {user} -AddLicenses @(@{{SkuId = {sku}}}) -RemoveLicenses @() | Out-Null"
            )
        }
        Mechanism::AssignDirect => {
            let disabled: Vec<String> = action
                .disabled_plans
                .iter()
                .map(|plan| quoted(plan))
                .collect();
            format!(
                "Set-MgUserLicense -UserId {user} -AddLicenses @(@{{SkuId = {sku}; DisabledPlans = @({})}}) -RemoveLicenses @() | Out-Null",
                disabled.join(", ")
            )
        }
        Mechanism::RemoveFromGroup => {
            format!("Remove-MgGroupMemberByRef -GroupId {group} -DirectoryObjectId {user}")
        }
        Mechanism::AddToGroup => {
            format!("New-MgGroupMember -GroupId {group} -DirectoryObjectId {user}")
        }
        Mechanism::AssignToGroup => {
            format!(
                "Set-MgGroupLicense -GroupId {group} -AddLicenses @(@{{SkuId = {sku}}}) -RemoveLicenses @() | Out-Null"
            )
        }
        Mechanism::RemoveGroupLicense => {
            format!(
                "Set-MgGroupLicense -GroupId {group} -AddLicenses @() -RemoveLicenses @({sku}) | Out-Null"
            )
        }
        Mechanism::Manual => return None,
    })
}

fn describe(action: &Action) -> String {
    let target = action
        .user_principal_name
        .as_deref()
        .or(action.group_display_name.as_deref())
        .unwrap_or("");
    match action.mechanism {
        Mechanism::RemoveDirect => {
            format!("remove license {} from {target}", action.sku_part_number)
        }
        Mechanism::AssignDirect => format!("assign license {} to {target}", action.sku_part_number),
        Mechanism::RemoveFromGroup => format!(
            "remove {target} from group {} (frees {})",
            action
                .group_display_name
                .as_deref()
                .or(action.group_id.as_deref())
                .unwrap_or(""),
            action.sku_part_number
        ),
        Mechanism::AddToGroup => format!(
            "add {target} to group {} (grants {})",
            action
                .group_display_name
                .as_deref()
                .or(action.group_id.as_deref())
                .unwrap_or(""),
            action.sku_part_number
        ),
        Mechanism::AssignToGroup => format!(
            "assign license {} to group {target}",
            action.sku_part_number
        ),
        Mechanism::RemoveGroupLicense => format!(
            "remove license {} from group {target}",
            action.sku_part_number
        ),
        Mechanism::Manual => format!("MANUAL: {} for {target}", action.sku_part_number),
    }
}

/// Text for a `#` comment line. A comment ends at a line break and whatever follows is code,
/// so every line-break character (see [`is_line_break`]) becomes a space; other hidden
/// characters are shown as `U+XXXX`, as in [`quoted`].
fn comment(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    for c in text.chars() {
        if is_line_break(c) {
            line.push(' ');
        } else if is_hidden(c) {
            push_code_point(&mut line, c);
        } else {
            line.push(c);
        }
    }
    line
}

/// Text for the `<# … #>` header: a [`comment`] in which `#>`, which would end the block, is
/// written `# >`.
fn block_comment(text: &str) -> String {
    comment(text).replace("#>", "# >")
}

/// The script for `plan`, starting with [`BOM`].
pub fn render(plan: &Plan) -> String {
    let mut script = String::new();
    script.push(BOM);
    write_header(&mut script, plan);
    for action in &plan.actions {
        write_action(&mut script, action);
    }
    write_footer(&mut script);
    script
}

/// The comment-based help block, the parameters and the connection.
fn write_header(script: &mut String, plan: &Plan) {
    let _ = writeln!(script, "<#");
    let _ = writeln!(script, ".SYNOPSIS");
    let _ = writeln!(
        script,
        "  seatwise {} plan of {}: {} actions, {} {} per month.",
        block_comment(&plan.strategy),
        block_comment(&plan.planned_on),
        plan.actions.len(),
        plan.total_monthly_amount,
        block_comment(&plan.currency)
    );
    let _ = writeln!(script, ".DESCRIPTION");
    let _ = writeln!(
        script,
        "  Generated from plan.json ({}).",
        block_comment(&plan.content_hash)
    );
    let _ = writeln!(
        script,
        "  Review it first; run with -WhatIf to see every change without making it."
    );
    let _ = writeln!(
        script,
        "  Needs the Microsoft Graph PowerShell SDK (Install-Module Microsoft.Graph)."
    );
    let _ = writeln!(script, "#>");
    let _ = writeln!(script, "[CmdletBinding(SupportsShouldProcess = $true)]");
    let _ = writeln!(script, "param()");
    let _ = writeln!(script, "$ErrorActionPreference = 'Stop'");
    let _ = writeln!(
        script,
        "Connect-MgGraph -Scopes 'LicenseAssignment.ReadWrite.All', 'GroupMember.ReadWrite.All' -NoWelcome"
    );
    let _ = writeln!(script, "$failures = @()");
}

/// One action: comments saying what and why, then its command or, for a manual action, the
/// instruction printed for the person who runs the script.
fn write_action(script: &mut String, action: &Action) {
    let _ = writeln!(script);
    let _ = writeln!(
        script,
        "# {}: {} ({})",
        comment(&action.id),
        comment(&describe(action)),
        comment(&action.reason)
    );
    if let Some(not_before) = &action.not_before {
        let _ = writeln!(script, "# not before {}", comment(not_before));
    }
    if let Some(note) = &action.note {
        let _ = writeln!(script, "# note: {}", comment(note));
    }
    match command(action) {
        None => {
            let _ = writeln!(
                script,
                "Write-Host {}",
                quoted(&format!(
                    "{}: {} - do this by hand: {}",
                    action.id,
                    describe(action),
                    action.note.as_deref().unwrap_or("")
                ))
            );
        }
        Some(command) => write_guarded(script, action, &command),
    }
}

/// `command` behind `ShouldProcess` (so `-WhatIf` only reports it), with a failure recorded
/// and reported instead of stopping the script.
fn write_guarded(script: &mut String, action: &Action, command: &str) {
    let _ = writeln!(script, "try {{");
    let _ = writeln!(
        script,
        "    if ($PSCmdlet.ShouldProcess({}, {})) {{",
        quoted(
            action
                .user_principal_name
                .as_deref()
                .or(action.group_display_name.as_deref())
                .unwrap_or(&action.id)
        ),
        quoted(&describe(action))
    );
    let _ = writeln!(script, "        {command}");
    let _ = writeln!(script, "    }}");
    let _ = writeln!(script, "}} catch {{");
    let _ = writeln!(
        script,
        "    $failures += [pscustomobject]@{{ Action = {}; Target = {}; Error = $_.Exception.Message }}",
        quoted(&action.id),
        quoted(
            action
                .user_principal_name
                .as_deref()
                .or(action.group_id.as_deref())
                .unwrap_or("")
        )
    );
    let _ = writeln!(
        script,
        "    Write-Warning ({} + $_.Exception.Message)",
        quoted(&format!("{}: ", action.id))
    );
    let _ = writeln!(script, "}}");
}

/// Lists the failures and exits non-zero if there were any.
fn write_footer(script: &mut String) {
    let _ = writeln!(script);
    let _ = writeln!(script, "if ($failures.Count -gt 0) {{");
    let _ = writeln!(script, "    $failures | Format-Table -AutoSize");
    let _ = writeln!(script, "    exit 1");
    let _ = writeln!(script, "}}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_quoted_as_is() {
        assert_eq!(quoted("ada@contoso.com"), "'ada@contoso.com'");
        assert_eq!(quoted(""), "''");
        assert_eq!(
            quoted("$(Start-Process calc) ${env:PATH} `n \"x\" # <# #> ; | &"),
            "'$(Start-Process calc) ${env:PATH} `n \"x\" # <# #> ; | &'"
        );
    }

    #[test]
    fn every_single_quote_kind_is_doubled_by_itself() {
        assert_eq!(quoted("O'Brien"), "'O''Brien'");
        assert_eq!(quoted("O\u{2018}Brien"), "'O\u{2018}\u{2018}Brien'");
        assert_eq!(quoted("O\u{2019}Brien"), "'O\u{2019}\u{2019}Brien'");
        assert_eq!(quoted("O\u{201a}Brien"), "'O\u{201a}\u{201a}Brien'");
        assert_eq!(quoted("O\u{201b}Brien"), "'O\u{201b}\u{201b}Brien'");
        assert_eq!(
            quoted("x\u{2019}\u{2019}$(evil)"),
            "'x\u{2019}\u{2019}\u{2019}\u{2019}$(evil)'"
        );
        assert_eq!(
            quoted("'\u{2018}\u{2019}\u{201a}\u{201b}"),
            "'''\u{2018}\u{2018}\u{2019}\u{2019}\u{201a}\u{201a}\u{201b}\u{201b}'"
        );
    }

    #[test]
    fn double_quotes_of_every_kind_stay_as_they_are() {
        assert_eq!(
            quoted("\"\u{201c}\u{201d}\u{201e}"),
            "'\"\u{201c}\u{201d}\u{201e}'"
        );
    }

    #[test]
    fn hidden_characters_are_shown_as_code_points() {
        assert_eq!(quoted("a\0b"), "'aU+0000b'");
        assert_eq!(quoted("a\r\nb"), "'aU+000DU+000Ab'");
        assert_eq!(quoted("a\u{85}\u{2028}\u{2029}b"), "'aU+0085U+2028U+2029b'");
        assert_eq!(quoted("a\u{7f}\u{9f}\u{1b}b"), "'aU+007FU+009FU+001Bb'");
        assert_eq!(quoted("a\u{202e}b\u{2066}"), "'aU+202EbU+2066'");
        assert_eq!(quoted("a\tb"), "'a\tb'", "a tab is plain text");
    }

    #[test]
    fn comments_have_no_line_breaks() {
        assert_eq!(comment("Sales Team"), "Sales Team");
        assert_eq!(
            comment("a\rb\nc\r\nd\u{85}e\u{2028}f\u{2029}g"),
            "a b c  d e f g"
        );
        assert_eq!(comment("a\0b\u{202e}"), "aU+0000bU+202E");
        assert_eq!(comment("it\u{2019}s $(x) #> <#"), "it\u{2019}s $(x) #> <#");
    }

    #[test]
    fn the_header_block_cannot_be_closed_early() {
        assert_eq!(block_comment("reclaim"), "reclaim");
        assert_eq!(block_comment("a#>b"), "a# >b");
        assert_eq!(block_comment("##>>"), "## >>");
        assert!(!block_comment("#>\n#>#>").contains("#>"));
    }
}
