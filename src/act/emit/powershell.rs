//! `plan.ps1`: the plan as a Microsoft Graph PowerShell SDK script, as the seed document's
//! example does it: `Set-MgUserLicense` for direct licenses, group membership cmdlets for
//! group-based ones. `-WhatIf` shows what would change; each action has its own error
//! handling, so one failure is reported and the rest still run.

use crate::act::{Action, Mechanism, Plan};
use std::fmt::Write;

/// A PowerShell single-quoted string literal.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
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

/// One-line text for a PowerShell comment (no line breaks).
fn comment(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

pub fn render(plan: &Plan) -> String {
    let mut script = String::new();
    let _ = writeln!(script, "<#");
    let _ = writeln!(script, ".SYNOPSIS");
    let _ = writeln!(
        script,
        "  seatwise {} plan of {}: {} actions, {:.2} {} per month.",
        plan.strategy,
        plan.planned_on,
        plan.actions.len(),
        plan.total_monthly_amount,
        plan.currency
    );
    let _ = writeln!(script, ".DESCRIPTION");
    let _ = writeln!(
        script,
        "  Generated from plan.json ({}).",
        plan.content_hash
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
    for action in &plan.actions {
        let _ = writeln!(script);
        let _ = writeln!(
            script,
            "# {}: {} ({})",
            action.id,
            comment(&describe(action)),
            comment(&action.reason)
        );
        if let Some(not_before) = &action.not_before {
            let _ = writeln!(script, "# not before {not_before}");
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
            Some(command) => {
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
                    "    Write-Warning \"{}: $($_.Exception.Message)\"",
                    action.id
                );
                let _ = writeln!(script, "}}");
            }
        }
    }
    let _ = writeln!(script);
    let _ = writeln!(script, "if ($failures.Count -gt 0) {{");
    let _ = writeln!(script, "    $failures | Format-Table -AutoSize");
    let _ = writeln!(script, "    exit 1");
    let _ = writeln!(script, "}}");
    script
}
