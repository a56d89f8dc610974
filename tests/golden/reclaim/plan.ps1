<#
.SYNOPSIS
  seatwise reclaim plan of 2026-11-02: 6 actions, 314.00 USD per month.
.DESCRIPTION
  Generated from plan.json (sha256:9087170ff94fc701ef6355c15d2dd4b1f5f8b9b0a47e8e28b854a9b837f68319).
  Review it first; run with -WhatIf to see every change without making it.
  Needs the Microsoft Graph PowerShell SDK (Install-Module Microsoft.Graph).
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param()
$ErrorActionPreference = 'Stop'
Connect-MgGraph -Scopes 'LicenseAssignment.ReadWrite.All', 'GroupMember.ReadWrite.All' -NoWelcome
$failures = @()

# act-d3fcf88f434a: remove license SPE_E5 from ada@contoso.com (inactive-holder/inactive)
# not before 2026-11-16
try {
    if ($PSCmdlet.ShouldProcess('ada@contoso.com', 'remove license SPE_E5 from ada@contoso.com')) {
        Set-MgUserLicense -UserId '00000000-0000-0000-0000-000000000001' -AddLicenses @() -RemoveLicenses @('06ebc4ee-1bb5-47dd-8120-11324bc54e06') | Out-Null
    }
} catch {
    $failures += [pscustomobject]@{ Action = 'act-d3fcf88f434a'; Target = 'ada@contoso.com'; Error = $_.Exception.Message }
    Write-Warning ('act-d3fcf88f434a: ' + $_.Exception.Message)
}

# act-a6d9668cf827: remove bob@contoso.com from group Sales Team (frees POWER_BI_PRO) (inactive-holder/inactive)
# not before 2026-11-16
# note: also reclaims SPE_E5
try {
    if ($PSCmdlet.ShouldProcess('bob@contoso.com', 'remove bob@contoso.com from group Sales Team (frees POWER_BI_PRO)')) {
        Remove-MgGroupMemberByRef -GroupId 'aaaaaaaa-0000-0000-0000-0000000000a1' -DirectoryObjectId '00000000-0000-0000-0000-000000000002'
    }
} catch {
    $failures += [pscustomobject]@{ Action = 'act-a6d9668cf827'; Target = 'bob@contoso.com'; Error = $_.Exception.Message }
    Write-Warning ('act-a6d9668cf827: ' + $_.Exception.Message)
}

# act-c6e09bcf6e28: remove license SPE_E5 from cy@contoso.com (inactive-holder/inactive)
# not before 2026-11-16
# note: the license is granted by more than one source: every action of this group must be applied or the seat is not freed
try {
    if ($PSCmdlet.ShouldProcess('cy@contoso.com', 'remove license SPE_E5 from cy@contoso.com')) {
        Set-MgUserLicense -UserId '00000000-0000-0000-0000-000000000003' -AddLicenses @() -RemoveLicenses @('06ebc4ee-1bb5-47dd-8120-11324bc54e06') | Out-Null
    }
} catch {
    $failures += [pscustomobject]@{ Action = 'act-c6e09bcf6e28'; Target = 'cy@contoso.com'; Error = $_.Exception.Message }
    Write-Warning ('act-c6e09bcf6e28: ' + $_.Exception.Message)
}

# act-68a667a7e135: remove cy@contoso.com from group Sales Team (frees SPE_E5) (inactive-holder/inactive)
# not before 2026-11-16
# note: the license is granted by more than one source: every action of this group must be applied or the seat is not freed
try {
    if ($PSCmdlet.ShouldProcess('cy@contoso.com', 'remove cy@contoso.com from group Sales Team (frees SPE_E5)')) {
        Remove-MgGroupMemberByRef -GroupId 'aaaaaaaa-0000-0000-0000-0000000000a1' -DirectoryObjectId '00000000-0000-0000-0000-000000000003'
    }
} catch {
    $failures += [pscustomobject]@{ Action = 'act-68a667a7e135'; Target = 'cy@contoso.com'; Error = $_.Exception.Message }
    Write-Warning ('act-68a667a7e135: ' + $_.Exception.Message)
}

# act-4acebe13ac8f: MANUAL: SPE_E5 for dee@contoso.com (inactive-holder/inactive)
# not before 2026-11-16
# note: dynamic group All Sales: membership follows its rule `(user.department -eq "Sales")`; change the rule or the user's attributes, or exclude the user
Write-Host 'act-4acebe13ac8f: MANUAL: SPE_E5 for dee@contoso.com - do this by hand: dynamic group All Sales: membership follows its rule `(user.department -eq "Sales")`; change the rule or the user''s attributes, or exclude the user'

# act-d7374af310f1: remove license SPE_E5 from fay@contoso.com (inactive-holder/inactive)
# not before 2026-11-16
try {
    if ($PSCmdlet.ShouldProcess('fay@contoso.com', 'remove license SPE_E5 from fay@contoso.com')) {
        Set-MgUserLicense -UserId '00000000-0000-0000-0000-000000000006' -AddLicenses @() -RemoveLicenses @('06ebc4ee-1bb5-47dd-8120-11324bc54e06') | Out-Null
    }
} catch {
    $failures += [pscustomobject]@{ Action = 'act-d7374af310f1'; Target = 'fay@contoso.com'; Error = $_.Exception.Message }
    Write-Warning ('act-d7374af310f1: ' + $_.Exception.Message)
}

if ($failures.Count -gt 0) {
    $failures | Format-Table -AutoSize
    exit 1
}
