//! Damaged and ambiguous exports never pass silently: each is an error naming the file, the
//! place and the field (`--lenient`: the row is skipped and counted), never a merged, shifted
//! or dropped row.

use crate::util::{SEARCH_AUDIT, seatwise, small_snapshot, stderr};
use std::path::Path;

fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Audits `snapshot` into a temporary folder; returns the exit code, stderr and findings.json.
fn audit(snapshot: &Path, extra: &[&str]) -> (Option<i32>, String, Option<serde_json::Value>) {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("out");
    let mut args = vec!["audit", path_str(snapshot), "--out", path_str(&out)];
    args.extend_from_slice(extra);
    let output = seatwise(&args);
    let findings = std::fs::read(out.join("findings.json"))
        .ok()
        .map(|bytes| serde_json::from_slice(&bytes).expect("findings.json is JSON"));
    (output.status.code(), stderr(&output), findings)
}

/// The Search-UnifiedAuditLog export of the small snapshot with `row` appended.
fn search_audit_with(row: &str) -> String {
    format!("{SEARCH_AUDIT}{row}\r\n")
}

const GOOD_ROW: &str = "\"10/22/2026 9:00:00 AM\",\"bob@contoso.com\",\"UserLoggedIn\",\"{}\"";

#[test]
fn a_row_with_another_field_count_than_the_header_is_named() {
    let (_temp, dir) = small_snapshot();
    let short = "\"10/22/2026 9:00:00 AM\",\"bob@contoso.com\",\"LaunchPowerApp\"";
    std::fs::write(dir.join("audit/search.csv"), search_audit_with(short)).expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(message.contains("search.csv: line 3"), "{message}");
    assert!(
        message.contains("3 fields where the header has 4"),
        "{message}"
    );

    let (code, message, findings) = audit(&dir, &["--lenient"]);
    assert_eq!(code, Some(0), "{message}");
    let findings = findings.expect("findings.json");
    let rejected = &findings["data_quality"]["ingest"]["rejected"];
    assert_eq!(rejected.as_array().map(Vec::len), Some(1), "{rejected}");
    assert_eq!(rejected[0]["location"]["number"], 3);
}

#[test]
fn stray_and_unterminated_quotes_are_named_anywhere_in_the_row() {
    let cases = [
        (
            "\"10/22/2026 9:00:00 AM\",bob\"@contoso.com,\"UserLoggedIn\",\"{}\"",
            "stray quote inside unquoted field 2",
        ),
        (
            "\"10/22/2026 9:00:00 AM\",\"bob@contoso.com\"x,\"UserLoggedIn\",\"{}\"",
            "text after the closing quote of field 2",
        ),
        (
            "\"10/22/2026 9:00:00 AM\",\"bob@contoso.com,\"UserLoggedIn\",\"{}\"",
            "text after the closing quote of field 2",
        ),
        (
            "\"10/22/2026 9:00:00 AM\",\"bob@contoso.com\",\"UserLoggedIn\",\"{}",
            "never closes",
        ),
    ];
    for (row, expected) in cases {
        let (_temp, dir) = small_snapshot();
        std::fs::write(dir.join("audit/search.csv"), search_audit_with(row)).expect("write");
        let (code, message, _) = audit(&dir, &[]);
        assert_eq!(code, Some(2), "{row}: {message}");
        assert!(message.contains("search.csv: line 3"), "{row}: {message}");
        assert!(message.contains(expected), "{row}: {message}");
    }
}

#[test]
fn two_exports_concatenated_are_refused_at_the_second_header() {
    let (_temp, dir) = small_snapshot();
    let header = "\"CreationDate\",\"UserIds\",\"Operations\",\"AuditData\"";
    let text = format!("{SEARCH_AUDIT}{header}\r\n{GOOD_ROW}\r\n");
    std::fs::write(dir.join("audit/search.csv"), text).expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(message.contains("search.csv: line 3"), "{message}");
    assert!(message.contains("second header"), "{message}");

    let type_line =
        "#TYPE Deserialized.Microsoft.Exchange.Data.ApplicationLogic.UnifiedAuditLogEvent";
    let text = format!("{SEARCH_AUDIT}{type_line}\r\n{header}\r\n");
    std::fs::write(dir.join("audit/search.csv"), text).expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(message.contains("#TYPE"), "{message}");
}

#[test]
fn a_short_inventory_row_is_rejected_and_an_empty_inventory_proves_nothing() {
    let (_temp, dir) = small_snapshot();
    let header = "\"AppName\",\"DisplayName\",\"EnvironmentName\",\"UsesPremiumApi\",\"UsesCustomApi\",\"UsesOnPremiseGateway\"";
    let short = "\"3c1f6a5e-1b8a-4c11-9d55-0f6f3f0c0a01\",\"Expenses\",\"env\"";
    std::fs::write(dir.join("apps.csv"), format!("{header}\r\n{short}\r\n")).expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(message.contains("apps.csv: line 2"), "{message}");
    assert!(
        message.contains("3 fields where the header has 6"),
        "{message}"
    );

    std::fs::write(dir.join("apps.csv"), format!("{header}\r\n")).expect("write");
    let (code, message, findings) = audit(&dir, &[]);
    assert_eq!(code, Some(0), "{message}");
    let findings = findings.expect("findings.json");
    let analysis = &findings["data_quality"]["analysis"];
    assert_eq!(analysis["premium_use_known"], false);
    assert_eq!(
        analysis["premium_use_unknown_because"]["reason"],
        "empty-app-inventory"
    );
    let kinds: Vec<&str> = findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|finding| finding["kind"].as_str())
        .collect();
    assert!(!kinds.contains(&"unused-premium"), "{kinds:?}");
}

#[test]
fn two_sources_for_the_users_are_named_both() {
    let (_temp, dir) = small_snapshot();
    std::fs::create_dir_all(dir.join("users")).expect("mkdir");
    std::fs::copy(dir.join("users.json"), dir.join("users/page-1.json")).expect("copy");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(message.contains("users.json and "), "{message}");
    assert!(message.contains("page-1.json"), "{message}");

    std::fs::remove_file(dir.join("users.json")).expect("remove");
    std::fs::write(dir.join("users/page-2.jsonl"), "").expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(message.contains("page-1.json and "), "{message}");
    assert!(message.contains("page-2.jsonl"), "{message}");
}

#[cfg(unix)]
#[test]
fn links_to_files_are_followed_and_anything_else_in_a_collection_is_an_error() {
    let (_temp, dir) = small_snapshot();
    let elsewhere = dir.parent().expect("parent").join("search-elsewhere.csv");
    std::fs::rename(dir.join("audit/search.csv"), &elsewhere).expect("move");
    std::os::unix::fs::symlink(&elsewhere, dir.join("audit/search.csv")).expect("link");
    let (code, message, findings) = audit(&dir, &[]);
    assert_eq!(code, Some(0), "{message}");
    let files = &findings.expect("findings.json")["data_quality"]["ingest"]["audit_files"];
    assert_eq!(files, 2);

    std::os::unix::fs::symlink(dir.join("nowhere.csv"), dir.join("audit/dangling.csv"))
        .expect("link");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(message.contains("dangling.csv"), "{message}");
    assert!(message.contains("leads nowhere or loops"), "{message}");

    std::fs::remove_file(dir.join("audit/dangling.csv")).expect("remove");
    std::fs::create_dir(dir.join("audit/older.csv")).expect("mkdir");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(
        message.contains("older.csv: not a regular file"),
        "{message}"
    );

    std::fs::remove_dir(dir.join("audit/older.csv")).expect("rmdir");
    std::fs::write(dir.join("audit/notes.txt"), "remember").expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(message.contains("notes.txt: not an export"), "{message}");
}

#[test]
fn messages_say_what_is_true() {
    let (_temp, dir) = small_snapshot();
    let file = dir.join("users.json");
    let (code, message, _) = audit(&file, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(
        message.contains("a file, not a snapshot folder"),
        "{message}"
    );
    assert!(!message.contains("missing"), "{message}");

    std::fs::write(dir.join("subscribedSkus.json"), "{\"value\":[").expect("write");
    let (code, message, _) = audit(&dir, &["--lenient"]);
    assert_eq!(code, Some(2), "{message}");
    assert!(message.contains("subscribedSkus.json"), "{message}");
    assert!(!message.contains("pass --lenient"), "{message}");

    std::fs::remove_file(dir.join("subscribedSkus.json")).expect("remove");
    std::fs::create_dir(dir.join("subscribedSkus.json")).expect("mkdir");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    let said = message.matches("Is a directory").count();
    assert_eq!(said, 1, "the I/O error is said once: {message}");
}

#[test]
fn ambiguity_is_an_error_never_last_value_wins() {
    // The same property twice in one record, in another letter case.
    let (_temp, dir) = small_snapshot();
    let users = std::fs::read_to_string(dir.join("users.json")).expect("read");
    let doubled = users.replacen(
        "\"department\":\"Finance\"",
        "\"department\":\"Finance\",\"Department\":\"Sales\"",
        1,
    );
    assert_ne!(users, doubled);
    std::fs::write(dir.join("users.json"), doubled).expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(
        message.contains("users.json: record 1: field `department`"),
        "{message}"
    );
    assert!(message.contains("appears twice"), "{message}");

    // Two users with one user principal name and different ids.
    let (_temp, dir) = small_snapshot();
    let renamed = users.replacen("bob@contoso.com", "ADA@contoso.com", 1);
    std::fs::write(dir.join("users.json"), renamed).expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(message.contains("field `userPrincipalName`"), "{message}");
    assert!(
        message.contains("11111111-1111-1111-1111-111111111111"),
        "{message}"
    );

    // Two price rows with one key and different prices.
    let (_temp, dir) = small_snapshot();
    let prices = "SkuPartNumber,MonthlyPrice,Currency,EffectiveFrom\r\n\
                  SPE_E5,57.00,USD,2026-01-01\r\n\
                  SPE_E5,54.75,USD,2026-01-01\r\n";
    std::fs::write(dir.join("prices.csv"), prices).expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(
        message.contains("prices.csv: line 3: field `MonthlyPrice`"),
        "{message}"
    );
    assert!(message.contains("line 2"), "{message}");
}

#[test]
fn implausible_dates_are_errors() {
    let (_temp, dir) = small_snapshot();
    let users = std::fs::read_to_string(dir.join("users.json")).expect("read");
    let old = users.replacen("2026-10-30T08:00:00Z", "1926-10-30T08:00:00Z", 1);
    std::fs::write(dir.join("users.json"), old).expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(message.contains("before 2000"), "{message}");

    let (_temp, dir) = small_snapshot();
    let tomorrow_but_one = (chrono::Utc::now().date_naive() + chrono::Days::new(2)).to_string();
    let (code, message, _) = audit(&dir, &["--as-of", &tomorrow_but_one]);
    assert_eq!(code, Some(2), "{message}");
    assert!(message.contains("is after today"), "{message}");

    let collected = format!(
        "{{\"tenantId\":\"t\",\"collectedAt\":\"{tomorrow_but_one}T06:00:00Z\",\"source\":\"test\"}}"
    );
    std::fs::write(dir.join("snapshot.json"), collected).expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(message.contains("collectedAt"), "{message}");
    assert!(message.contains("is after today"), "{message}");
}

#[test]
fn seat_counts_and_prices_beyond_any_tenant_are_errors_not_overflows() {
    let (_temp, dir) = small_snapshot();
    let skus = std::fs::read_to_string(dir.join("subscribedSkus.json")).expect("read");
    let huge = skus.replacen("\"enabled\":10", "\"enabled\":9223372036854775807", 1);
    assert_ne!(skus, huge);
    std::fs::write(dir.join("subscribedSkus.json"), huge).expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(
        message.contains("record 1: field `prepaidUnits.enabled`"),
        "{message}"
    );
    assert!(message.contains("beyond any tenant"), "{message}");

    let (_temp, dir) = small_snapshot();
    let prices = "SkuPartNumber,MonthlyPrice,Currency\r\nSPE_E5,150000.00,USD\r\n";
    std::fs::write(dir.join("prices.csv"), prices).expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(
        message.contains("prices.csv: line 2: field `MonthlyPrice`"),
        "{message}"
    );
    assert!(message.contains("beyond any license price"), "{message}");
}

#[test]
fn ids_that_must_be_guids_are_checked_as_guids() {
    let (_temp, dir) = small_snapshot();
    let users = std::fs::read_to_string(dir.join("users.json")).expect("read");
    let hostile = users.replacen(
        "\"assignedByGroup\":null",
        "\"assignedByGroup\":\"=HYPERLINK(\\\"http://x\\\")\"",
        1,
    );
    assert_ne!(users, hostile);
    std::fs::write(dir.join("users.json"), hostile).expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(
        message.contains("field `licenseAssignmentStates[0].assignedByGroup`: not a GUID"),
        "{message}"
    );

    let (_temp, dir) = small_snapshot();
    let skus = std::fs::read_to_string(dir.join("subscribedSkus.json")).expect("read");
    let hostile = skus.replacen(
        "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
        "'; Remove-Item C:\\\\ -Recurse; '",
        1,
    );
    std::fs::write(dir.join("subscribedSkus.json"), hostile).expect("write");
    let (code, message, _) = audit(&dir, &[]);
    assert_eq!(code, Some(2), "{message}");
    assert!(
        message.contains("record 1: field `skuId`: not a GUID"),
        "{message}"
    );
}
