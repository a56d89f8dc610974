//! Redaction of the sample's audit: no user principal name, display name or user id of the
//! snapshot survives in the redacted tables or the model built from them, pseudonyms are
//! stable for one key, and every figure is unchanged.

use super::util::{seatwise, stderr};
use polars::prelude::*;
use seatwise::report::audit_folder::read_context;
use seatwise::report::redact::Redactor;
use seatwise::report::{AuditTables, ReportModel, ReportOptions};
use std::collections::BTreeSet;
use std::path::Path;

const KEY: &str = "a-test-key-of-32-bytes-for-hmac!";

fn audited_sample() -> tempfile::TempDir {
    let temp = tempfile::tempdir().expect("temp dir");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let out = temp.path().join("audit");
    let output = seatwise(&[
        "audit",
        sample.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    temp
}

/// Every identifier of a person in the sample snapshot, read from its users export
/// independently of seatwise's tables.
fn identifiers_of_people() -> BTreeSet<String> {
    let users = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample/users");
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(&users).expect("users/") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let page: serde_json::Value = serde_json::from_str(&text).expect("json page");
        for user in page["value"].as_array().expect("value") {
            for field in ["id", "userPrincipalName", "displayName"] {
                if let Some(value) = user[field].as_str().filter(|value| value.len() > 3) {
                    found.insert(value.to_lowercase());
                }
            }
        }
    }
    assert!(found.len() > 500, "{} identifiers", found.len());
    found
}

/// Every string value of every table, lower case.
fn strings_of(tables: &AuditTables) -> Vec<String> {
    let mut strings = Vec::new();
    for frame in [
        &tables.users,
        &tables.holdings,
        &tables.skus,
        &tables.launches_daily,
        &tables.findings,
    ] {
        for column in frame.columns() {
            let Ok(values) = column.str() else { continue };
            strings.extend(values.iter().flatten().map(str::to_lowercase));
        }
    }
    strings
}

#[test]
fn redacted_tables_name_nobody_and_add_up_the_same() {
    let temp = audited_sample();
    let dir = temp.path().join("audit");
    let tables = AuditTables::read(&dir).expect("tables");
    let redactor = Redactor::new(KEY.as_bytes(), "test").expect("key");
    let redacted = redactor.tables(&tables).expect("redact");

    let people = identifiers_of_people();
    let before = strings_of(&tables);
    assert!(
        before.iter().any(|value| people.contains(value)),
        "the check must see identifiers before redaction"
    );
    let leaked: Vec<String> = strings_of(&redacted)
        .into_iter()
        .filter(|value| people.contains(value))
        .take(5)
        .collect();
    assert!(leaked.is_empty(), "identifiers left: {leaked:?}");

    // Same key, same pseudonyms: a later month's report can be compared.
    let again = redactor.tables(&tables).expect("redact");
    assert!(again.users.equals_missing(&redacted.users));
    assert!(again.findings.equals_missing(&redacted.findings));

    // One person keeps one token across the tables: every redacted finding's user is a
    // redacted user.
    let user_ids: BTreeSet<&str> = redacted
        .users
        .column("user_id")
        .expect("user_id")
        .str()
        .expect("str")
        .iter()
        .flatten()
        .collect();
    let finding_users = redacted.findings.column("user_id").expect("user_id");
    for id in finding_users.str().expect("str").iter().flatten() {
        assert!(user_ids.contains(id), "{id}");
    }

    // The figures do not change.
    let (context, quality) = read_context(&dir).expect("context");
    let options = ReportOptions::default();
    let plain =
        ReportModel::build(context.clone(), &tables, quality.clone(), &options).expect("model");
    let model = ReportModel::build(context, &redacted, redactor.quality(&quality), &options)
        .expect("model");
    assert_eq!(model.headline, plain.headline);
    assert_eq!(model.by_kind, plain.by_kind);
    assert_eq!(model.skus, plain.skus);
    assert_eq!(model.by_attribute, plain.by_attribute);
    for saving in &model.top_savings {
        if let Some(upn) = &saving.user_principal_name {
            assert!(upn.ends_with("@redacted.invalid"), "{upn}");
        }
    }
    let count = |frame: &DataFrame| frame.height();
    assert_eq!(count(&redacted.findings), count(&tables.findings));
}
