//! Reading snapshots: every accepted shape, and every rejection path with the file, place
//! and field it names.

use crate::util::*;
use polars::prelude::*;
use seatwise::ingest::error::{IngestError, Location, Rejection, Strictness};
use seatwise::ingest::{IngestOptions, read_snapshot};
use seatwise::model::{Snapshot, columns};
use std::path::Path;

fn read(dir: &Path) -> Result<Snapshot, IngestError> {
    read_snapshot(dir, &IngestOptions::default())
}

fn read_lenient(dir: &Path) -> Snapshot {
    read_snapshot(
        dir,
        &IngestOptions {
            strictness: Strictness::Lenient,
        },
    )
    .expect("lenient read succeeds")
}

fn malformed(result: Result<Snapshot, IngestError>) -> Rejection {
    match result {
        Err(IngestError::Malformed(rejection) | IngestError::Unreadable(rejection)) => rejection,
        Err(other) => panic!("expected a malformed-input error, got {other}"),
        Ok(_) => panic!("expected a malformed-input error, the snapshot was accepted"),
    }
}

fn strings(frame: &DataFrame, name: &str) -> Vec<Option<String>> {
    let values = frame
        .column(name)
        .expect("column")
        .str()
        .expect("string column")
        .clone();
    (0..values.len())
        .map(|row| values.get(row).map(str::to_string))
        .collect()
}

/// A datetime or integer column as epoch milliseconds.
fn integers(frame: &DataFrame, name: &str) -> Vec<Option<i64>> {
    let column = frame
        .column(name)
        .expect("column")
        .cast(&DataType::Int64)
        .expect("cast");
    let values = column.i64().expect("integers");
    (0..values.len()).map(|row| values.get(row)).collect()
}

fn booleans(frame: &DataFrame, name: &str) -> Vec<Option<bool>> {
    let values = frame
        .column(name)
        .expect("column")
        .bool()
        .expect("booleans")
        .clone();
    (0..values.len()).map(|row| values.get(row)).collect()
}

#[test]
fn the_small_snapshot_reads_into_frames() {
    let (_temp, dir) = small_snapshot();
    let snapshot = read(&dir).expect("snapshot reads");
    assert_eq!(snapshot.users.height(), 2);
    assert_eq!(snapshot.holdings.height(), 3);
    assert_eq!(snapshot.assignment_states.height(), 3);
    assert_eq!(snapshot.subscribed_skus.height(), 2);
    assert_eq!(
        strings(&snapshot.users, columns::USER_KEY),
        vec![
            Some("ada@contoso.com".into()),
            Some("bob@contoso.com".into())
        ]
    );
    // Both audit shapes and both record shapes; the UserLoggedIn row is counted, not read.
    let named = snapshot.launches_with_identities().expect("named launches");
    let mut launches = strings(&named, columns::USER_KEY);
    launches.sort();
    assert_eq!(
        launches,
        vec![
            Some("ada@contoso.com".into()),
            Some("bob@contoso.com".into())
        ]
    );
    assert_eq!(
        strings(&snapshot.launches, columns::APP_ID),
        vec![Some(PREMIUM_APP.into()); 2]
    );
    assert_eq!(snapshot.quality.audit_rows, 3);
    assert_eq!(
        snapshot.quality.other_operations.get("UserLoggedIn"),
        Some(&1)
    );
    assert_eq!(snapshot.metadata.collected_at, Some(1_793_512_800_000));
}

#[test]
fn audit_times_come_from_creation_time_or_else_creation_date() {
    let (_temp, dir) = small_snapshot();
    let without_time = SEARCH_AUDIT.replace(r#"""CreationTime"":""2026-10-21T16:05:03"","#, "");
    assert_ne!(without_time, SEARCH_AUDIT, "the fixture changed");
    std::fs::write(dir.join("audit/search.csv"), without_time).expect("write");
    let snapshot = read(&dir).expect("snapshot reads");
    let times = integers(&snapshot.launches, columns::FIRST_LAUNCHED_AT);
    // 2026-10-20T10:00:00Z from AuditData, 10/21/2026 4:05:03 PM from the row.
    assert!(times.contains(&Some(1_792_490_400_000)), "{times:?}");
    assert!(times.contains(&Some(1_792_598_703_000)), "{times:?}");
}

#[test]
fn pascal_case_json_lines_with_bom_and_crlf_read_the_same() {
    let (_temp, dir) = small_snapshot();
    std::fs::remove_file(dir.join("users.json")).expect("remove");
    let lines = "\u{feff}{\"Id\":\"11111111-1111-1111-1111-111111111111\",\"UserPrincipalName\":\"Ada@Contoso.com\",\"AccountEnabled\":true,\"AssignedLicenses\":[{\"SkuId\":\"06EBC4EE-1BB5-47DD-8120-11324BC54E06\"}],\"SignInActivity\":{\"LastSuccessfulSignInDateTime\":\"2026-10-30T08:00:00.1234567+02:00\"}}\r\n\r\n{\"Id\":\"22222222-2222-2222-2222-222222222222\",\"UserPrincipalName\":\"bob@contoso.com\"}\r\n";
    std::fs::write(dir.join("users.jsonl"), lines).expect("write");
    let snapshot = read(&dir).expect("snapshot reads");
    assert_eq!(snapshot.users.height(), 2);
    assert_eq!(
        strings(&snapshot.holdings, columns::SKU_ID),
        vec![Some(E5.into())]
    );
    assert_eq!(
        integers(&snapshot.users, columns::LAST_ACTIVITY)[0],
        Some(1_793_340_000_123)
    );
}

#[test]
fn users_in_graph_pages_and_json_arrays() {
    let (_temp, dir) = small_snapshot();
    std::fs::remove_file(dir.join("users.json")).expect("remove");
    std::fs::create_dir_all(dir.join("users")).expect("mkdir");
    let page: serde_json::Value = serde_json::from_str(USERS_PAGE).expect("fixture parses");
    let users = page["value"].as_array().expect("array");
    std::fs::write(
        dir.join("users/page-0001.json"),
        serde_json::json!({"value": [users[0].clone()], "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$skiptoken=x"}).to_string(),
    )
    .expect("write");
    std::fs::write(
        dir.join("users/page-0002.json"),
        serde_json::json!([users[1].clone()]).to_string(),
    )
    .expect("write");
    assert_eq!(read(&dir).expect("snapshot reads").users.height(), 2);
}

#[test]
fn an_absent_success_property_falls_back_to_last_sign_in_but_null_does_not() {
    let (_temp, dir) = small_snapshot();
    let users = r#"[
      {"id":"00000000-0000-4000-8000-00000000000a","userPrincipalName":"absent@x","signInActivity":{"lastSignInDateTime":"2026-10-01T00:00:00Z","lastNonInteractiveSignInDateTime":null}},
      {"id":"00000000-0000-4000-8000-00000000000b","userPrincipalName":"null@x","signInActivity":{"lastSignInDateTime":"2026-10-01T00:00:00Z","lastNonInteractiveSignInDateTime":null,"lastSuccessfulSignInDateTime":null}}
    ]"#;
    std::fs::write(dir.join("users.json"), users).expect("write");
    let snapshot = read(&dir).expect("snapshot reads");
    assert_eq!(
        integers(&snapshot.users, columns::LAST_ACTIVITY),
        vec![Some(1_790_812_800_000), None]
    );
    assert_eq!(
        booleans(&snapshot.users, columns::ACTIVITY_COUNTS_FAILED_ATTEMPTS),
        vec![Some(true), Some(false)]
    );
}

#[test]
fn a_folder_that_is_not_a_snapshot_is_refused() {
    let temp = tempfile::tempdir().expect("temp dir");
    match read(temp.path()) {
        Err(IngestError::NotASnapshot { .. }) => {}
        other => panic!(
            "expected NotASnapshot, got {:?}",
            other.err().map(|error| error.to_string())
        ),
    }
    match read(&temp.path().join("missing")) {
        Err(IngestError::NotASnapshot { .. }) => {}
        other => panic!(
            "expected NotASnapshot, got {:?}",
            other.err().map(|error| error.to_string())
        ),
    }
}

#[test]
fn a_missing_required_file_is_named() {
    let (_temp, dir) = small_snapshot();
    std::fs::remove_file(dir.join("subscribedSkus.json")).expect("remove");
    let error = read(&dir).err().expect("refused");
    assert!(matches!(error, IngestError::MissingFile { .. }));
    assert!(error.to_string().contains("subscribedSkus.json"), "{error}");

    let (_temp, dir) = small_snapshot();
    std::fs::remove_file(dir.join("users.json")).expect("remove");
    let error = read(&dir).err().expect("refused");
    assert!(error.to_string().contains("users.json"), "{error}");
}

#[test]
fn a_missing_required_column_is_named_with_the_header_line() {
    let (_temp, dir) = small_snapshot();
    std::fs::write(
        dir.join("apps.csv"),
        "AppName,DisplayName,UsesCustomApi,UsesOnPremiseGateway\r\nx,y,False,False\r\n",
    )
    .expect("write");
    let rejection = malformed(read(&dir));
    assert!(rejection.file.ends_with("apps.csv"));
    assert_eq!(
        (rejection.location, rejection.field.as_str()),
        (Location::Line(1), "UsesPremiumApi")
    );

    let (_temp, dir) = small_snapshot();
    std::fs::write(
        dir.join("audit/purview.csv"),
        "RecordId,CreationDate,Operation,UserId\r\n",
    )
    .expect("write");
    let rejection = malformed(read(&dir));
    assert!(rejection.file.ends_with("purview.csv"));
    assert_eq!(
        (rejection.location, rejection.field.as_str()),
        (Location::Line(1), "AuditData")
    );
}

const A: &str = "00000000-0000-4000-8000-00000000000a";
const B: &str = "00000000-0000-4000-8000-00000000000b";

#[test]
fn a_broken_json_line_is_named_and_lenient_mode_skips_and_counts_it() {
    let (_temp, dir) = small_snapshot();
    std::fs::remove_file(dir.join("users.json")).expect("remove");
    // One broken line in 21 records: within the 5 % --lenient may skip.
    let mut lines = vec![format!("{{\"id\":\"{A}\",\"userPrincipalName\":\"a@x\"}}")];
    lines.push(format!("{{\"id\":\"{B}\",\"userPrincipalName\":"));
    lines.extend((0..19).map(|n| {
        format!("{{\"id\":\"00000000-0000-4000-8000-{n:012}\",\"userPrincipalName\":\"c{n}@x\"}}")
    }));
    std::fs::write(dir.join("users.jsonl"), lines.join("\n") + "\n").expect("write");
    let rejection = malformed(read(&dir));
    assert!(rejection.file.ends_with("users.jsonl"));
    assert_eq!(rejection.location, Location::Line(2));
    let snapshot = read_lenient(&dir);
    assert_eq!(snapshot.users.height(), 20);
    assert_eq!(snapshot.quality.rejected.len(), 1);
}

#[test]
fn a_broken_json_document_is_named_with_its_line() {
    let (_temp, dir) = small_snapshot();
    std::fs::write(
        dir.join("subscribedSkus.json"),
        "{\"value\":[\n{\"skuId\": }\n]}",
    )
    .expect("write");
    let rejection = malformed(read(&dir));
    assert!(rejection.file.ends_with("subscribedSkus.json"));
    assert_eq!(rejection.location, Location::Line(2));
}

#[test]
fn a_record_of_the_wrong_type_names_the_property() {
    let (_temp, dir) = small_snapshot();
    std::fs::write(
        dir.join("users.json"),
        r#"[{"id":"00000000-0000-4000-8000-00000000000a","userPrincipalName":"a@x","accountEnabled":"yes"}]"#,
    )
    .expect("write");
    let rejection = malformed(read(&dir));
    assert_eq!(
        (rejection.location, rejection.field.as_str()),
        (Location::Record(1), "accountEnabled")
    );
}

#[test]
fn a_broken_audit_data_is_named_with_its_line_and_skipped_when_lenient() {
    let (_temp, dir) = small_snapshot();
    let broken = format!(
        "{PURVIEW_AUDIT}r9,2026-10-20T10:00:00Z,256,LaunchPowerApp,a@x,\"{{\"\"Id\"\":\",,\r\n"
    );
    std::fs::write(dir.join("audit/purview.csv"), broken).expect("write");
    let rejection = malformed(read(&dir));
    assert!(rejection.file.ends_with("purview.csv"));
    assert_eq!(
        (rejection.location, rejection.field.as_str()),
        (Location::Line(4), "AuditData")
    );
    let snapshot = read_lenient(&dir);
    assert_eq!(snapshot.launches.height(), 2);
    assert_eq!(snapshot.quality.launch_rows, 2);
    assert_eq!(snapshot.quality.rejected.len(), 1);
}

#[test]
fn a_launch_without_an_app_id_is_rejected() {
    let (_temp, dir) = small_snapshot();
    let without_app = SEARCH_AUDIT.replace(
        r#",""AppName"":""3c1f6a5e-1b8a-4c11-9d55-0f6f3f0c0a01"""#,
        "",
    );
    assert_ne!(without_app, SEARCH_AUDIT, "the fixture changed");
    std::fs::write(dir.join("audit/search.csv"), without_app).expect("write");
    let rejection = malformed(read(&dir));
    assert_eq!(
        (rejection.location, rejection.field.as_str()),
        (Location::Line(2), "AuditData.AppName")
    );
}

#[test]
fn bad_timestamps_are_named() {
    let (_temp, dir) = small_snapshot();
    let users = USERS_PAGE.replace(
        "2026-10-30T08:00:00Z\",\"lastNonInteractive",
        "yesterday\",\"lastNonInteractive",
    );
    assert_ne!(users, USERS_PAGE, "the fixture changed");
    std::fs::write(dir.join("users.json"), users).expect("write");
    let rejection = malformed(read(&dir));
    assert_eq!(
        (rejection.location, rejection.field.as_str()),
        (Location::Record(1), "signInActivity.lastSignInDateTime")
    );

    let (_temp, dir) = small_snapshot();
    let audit = SEARCH_AUDIT.replace("2026-10-21T16:05:03", "21/10/2026");
    std::fs::write(dir.join("audit/search.csv"), audit).expect("write");
    let rejection = malformed(read(&dir));
    assert_eq!(
        (rejection.location, rejection.field.as_str()),
        (Location::Line(2), "AuditData.CreationTime")
    );
}

#[test]
fn a_non_numeric_price_is_named() {
    let (_temp, dir) = small_snapshot();
    std::fs::write(
        dir.join("prices.csv"),
        "SkuPartNumber,MonthlyPrice,Currency\nSPE_E5,57.00,USD\nPOWERAPPS_PER_USER,twenty,USD\n",
    )
    .expect("write");
    let rejection = malformed(read(&dir));
    assert!(rejection.file.ends_with("prices.csv"));
    assert_eq!(
        (rejection.location, rejection.field.as_str()),
        (Location::Line(3), "MonthlyPrice")
    );
}

#[test]
fn a_duplicate_user_id_with_conflicting_data_is_refused_identical_copies_are_kept_once() {
    let (_temp, dir) = small_snapshot();
    std::fs::remove_file(dir.join("users.json")).expect("remove");
    std::fs::create_dir_all(dir.join("users")).expect("mkdir");
    std::fs::write(dir.join("users/page-1.json"), USERS_PAGE).expect("write");
    std::fs::write(dir.join("users/page-2.json"), USERS_PAGE).expect("write");
    let snapshot = read(&dir).expect("identical copies are fine");
    assert_eq!(
        (snapshot.users.height(), snapshot.quality.repeated_users),
        (2, 2)
    );

    std::fs::write(
        dir.join("users/page-2.json"),
        USERS_PAGE.replace("Finance", "Legal"),
    )
    .expect("write");
    let rejection = malformed(read(&dir));
    assert_eq!(rejection.field, "id");
    assert!(
        rejection.problem.contains("different data"),
        "{}",
        rejection.problem
    );
}

#[test]
fn a_missing_user_id_is_named() {
    let (_temp, dir) = small_snapshot();
    std::fs::write(
        dir.join("users.json"),
        r#"{"value":[{"id":"00000000-0000-4000-8000-00000000000a","userPrincipalName":"a@x"},{"userPrincipalName":"b@x"}]}"#,
    )
    .expect("write");
    let rejection = malformed(read(&dir));
    assert_eq!(
        (rejection.location, rejection.field.as_str()),
        (Location::Record(2), "id")
    );
}

#[test]
fn an_unknown_app_flag_is_named() {
    let (_temp, dir) = small_snapshot();
    std::fs::write(
        dir.join("apps.csv"),
        APPS_CSV.replace("\"True\"", "\"Maybe\""),
    )
    .expect("write");
    let rejection = malformed(read(&dir));
    assert_eq!(
        (rejection.location, rejection.field.as_str()),
        (Location::Line(2), "UsesPremiumApi")
    );
}

#[test]
fn every_frame_has_the_model_schema() {
    use seatwise::model::schema;
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let (_temp, small) = small_snapshot();
    for dir in [sample.as_path(), small.as_path()] {
        let snapshot = read(dir).expect("snapshot reads");
        let checks = [
            ("users", &snapshot.users, schema::users()),
            ("holdings", &snapshot.holdings, schema::holdings()),
            (
                "assignment_states",
                &snapshot.assignment_states,
                schema::assignment_states(),
            ),
            (
                "subscribed_skus",
                &snapshot.subscribed_skus,
                schema::subscribed_skus(),
            ),
            ("groups", &snapshot.groups, schema::groups()),
            (
                "group_members",
                &snapshot.group_members,
                schema::group_members(),
            ),
            (
                "group_licenses",
                &snapshot.group_licenses,
                schema::group_licenses(),
            ),
            ("launches", &snapshot.launches, schema::launches()),
            (
                "launch_identities",
                &snapshot.launch_identities,
                schema::launch_identities(),
            ),
        ];
        for (name, frame, expected) in checks {
            assert_eq!(
                frame.schema().as_ref(),
                &expected,
                "{name} of {}",
                dir.display()
            );
        }
        let apps = snapshot.apps.as_ref().expect("apps.csv present");
        assert_eq!(apps.schema().as_ref(), &schema::apps());
    }
}

/// One record id in two exports with different content: strict reading names the later copy's
/// file and line and the earlier copy's; lenient reading keeps the earlier copy only.
#[test]
fn a_launch_record_id_with_two_contents_names_both_lines() {
    let (_temp, dir) = small_snapshot();
    // Record r3 again, a line further down, for another app.
    let other_app = SEARCH_AUDIT.replace(
        "3c1f6a5e-1b8a-4c11-9d55-0f6f3f0c0a01",
        "9d2e1c00-0000-4000-8000-000000000001",
    );
    assert_ne!(other_app, SEARCH_AUDIT, "the fixture changed");
    let (header, rows) = other_app.split_once("\r\n").expect("a header line");
    std::fs::write(
        dir.join("audit/taken-again.csv"),
        format!("{header}\r\n\r\n{rows}"),
    )
    .expect("write");

    let rejection = malformed(read(&dir));
    assert!(rejection.file.ends_with("taken-again.csv"), "{rejection}");
    assert_eq!(
        (rejection.location, rejection.field.as_str()),
        (Location::Line(3), "AuditData.Id")
    );
    assert!(
        rejection
            .problem
            .contains("launch record r3 also appears in")
            && rejection.problem.contains("search.csv at line 2"),
        "{}",
        rejection.problem
    );

    let snapshot = read_lenient(&dir);
    assert_eq!(snapshot.quality.rejected.len(), 1);
    assert_eq!(snapshot.quality.launch_rows, 2);
    assert_eq!(
        strings(&snapshot.launches, columns::APP_ID),
        vec![Some(PREMIUM_APP.into()); 2]
    );
}
