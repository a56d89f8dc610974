//! Shared helpers: tiny snapshots written into temporary folders, and the binary.

use std::path::{Path, PathBuf};
use std::process::Output;

pub const E5: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
pub const PREMIUM_APP: &str = "3c1f6a5e-1b8a-4c11-9d55-0f6f3f0c0a01";

/// `subscribedSkus.json`: 10 E5 seats and 5 Power Apps Premium seats.
pub const SUBSCRIBED_SKUS: &str = r#"{"value":[
 {"skuId":"06ebc4ee-1bb5-47dd-8120-11324bc54e06","skuPartNumber":"SPE_E5","prepaidUnits":{"enabled":10,"suspended":0,"warning":0,"lockedOut":0},"consumedUnits":2,"capabilityStatus":"Enabled","appliesTo":"User"},
 {"skuId":"b30411f5-fea1-4a59-9ad9-3db7c7ead579","skuPartNumber":"POWERAPPS_PER_USER","prepaidUnits":{"enabled":5},"consumedUnits":1}
]}"#;

/// Two users: Ada (E5 + Power Apps Premium, active) and Bob (E5, never signed in).
pub const USERS_PAGE: &str = r#"{"@odata.context":"x","value":[
 {"id":"11111111-1111-1111-1111-111111111111","userPrincipalName":"Ada@Contoso.com","accountEnabled":true,"department":"Finance",
  "assignedLicenses":[{"skuId":"06ebc4ee-1bb5-47dd-8120-11324bc54e06","disabledPlans":[]},{"skuId":"b30411f5-fea1-4a59-9ad9-3db7c7ead579"}],
  "licenseAssignmentStates":[{"skuId":"06ebc4ee-1bb5-47dd-8120-11324bc54e06","assignedByGroup":null,"state":"Active","error":"None"},
                             {"skuId":"b30411f5-fea1-4a59-9ad9-3db7c7ead579","assignedByGroup":null,"state":"Active","error":"None"}],
  "signInActivity":{"lastSignInDateTime":"2026-10-30T08:00:00Z","lastNonInteractiveSignInDateTime":null,"lastSuccessfulSignInDateTime":"2026-10-30T08:00:00Z"}},
 {"id":"22222222-2222-2222-2222-222222222222","userPrincipalName":"bob@contoso.com","accountEnabled":true,"department":"",
  "assignedLicenses":[{"skuId":"06ebc4ee-1bb5-47dd-8120-11324bc54e06"}],
  "licenseAssignmentStates":[{"skuId":"06ebc4ee-1bb5-47dd-8120-11324bc54e06","assignedByGroup":null,"state":"Active","error":null}],
  "signInActivity":null}
]}"#;

pub const APPS_CSV: &str = "\"AppName\",\"DisplayName\",\"EnvironmentName\",\"UsesPremiumApi\",\"UsesCustomApi\",\"UsesOnPremiseGateway\"\r\n\
\"3c1f6a5e-1b8a-4c11-9d55-0f6f3f0c0a01\",\"Expenses, with SQL\",\"env\",\"True\",\"False\",\"False\"\r\n";

/// A Purview export: one RecordType 256 launch of the premium app by Ada (upper case UPN).
pub const PURVIEW_AUDIT: &str = "\u{feff}RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n\
r1,2026-10-20T10:00:00.0000000Z ,256,LaunchPowerApp,ADA@CONTOSO.COM,\"{\"\"Id\"\":\"\"r1\"\",\"\"RecordType\"\":256,\"\"CreationTime\"\":\"\"2026-10-20T10:00:00\"\",\"\"Operation\"\":\"\"LaunchPowerApp\"\",\"\"UserId\"\":\"\"ADA@CONTOSO.COM\"\",\"\"Workload\"\":\"\"PowerPlatform\"\",\"\"PropertyCollection\"\":[{\"\"Name\"\":\"\"powerplatform.analytics.resource.type\"\",\"\"Value\"\":\"\"PowerApp\"\"},{\"\"Name\"\":\"\"powerplatform.analytics.resource.power_app.id\"\",\"\"Value\"\":\"\"3C1F6A5E-1B8A-4C11-9D55-0F6F3F0C0A01\"\"}]}\",,\r\n\
r2,2026-10-20T11:00:00.0000000Z ,15,UserLoggedIn,ada@contoso.com,\"{\"\"Id\"\":\"\"r2\"\"}\",,\r\n";

/// A `Search-UnifiedAuditLog | Export-Csv` export: one RecordType 45 launch by Bob.
pub const SEARCH_AUDIT: &str = "\"CreationDate\",\"UserIds\",\"Operations\",\"AuditData\"\r\n\
\"10/21/2026 4:05:03 PM\",\"bob@contoso.com\",\"LaunchPowerApp\",\"{\"\"Id\"\":\"\"r3\"\",\"\"RecordType\"\":45,\"\"CreationTime\"\":\"\"2026-10-21T16:05:03\"\",\"\"Operation\"\":\"\"LaunchPowerApp\"\",\"\"UserId\"\":\"\"bob@contoso.com\"\",\"\"Workload\"\":\"\"PowerApps\"\",\"\"AppName\"\":\"\"3c1f6a5e-1b8a-4c11-9d55-0f6f3f0c0a01\"\"}\"\r\n";

pub const SNAPSHOT_JSON: &str =
    r#"{"tenantId":"t","collectedAt":"2026-11-01T06:00:00Z","source":"test"}"#;

/// Writes the small complete snapshot above into `dir`.
pub fn write_small_snapshot(dir: &Path) {
    std::fs::create_dir_all(dir.join("audit")).expect("create snapshot dirs");
    for (name, text) in [
        ("subscribedSkus.json", SUBSCRIBED_SKUS),
        ("users.json", USERS_PAGE),
        ("apps.csv", APPS_CSV),
        ("audit/purview.csv", PURVIEW_AUDIT),
        ("audit/search.csv", SEARCH_AUDIT),
        ("snapshot.json", SNAPSHOT_JSON),
    ] {
        std::fs::write(dir.join(name), text).expect("write snapshot file");
    }
}

/// A temporary folder holding the small snapshot, at `<tmp>/snapshot`.
pub fn small_snapshot() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("snapshot");
    write_small_snapshot(&dir);
    (temp, dir)
}

/// Runs the `seatwise` binary.
pub fn seatwise(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .args(args)
        .output()
        .expect("run seatwise")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Copies the folder `from` to `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}
