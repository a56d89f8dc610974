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

/// Runs `seatwise report` with the redaction key in the environment (or none).
fn report(args: &[&str], key: Option<&str>) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_seatwise"));
    command
        .arg("report")
        .args(args)
        .env_remove("SEATWISE_REDACT_KEY");
    if let Some(key) = key {
        command.env("SEATWISE_REDACT_KEY", key);
    }
    command.output().expect("run seatwise")
}

/// The five XML and HTML entities a value may be written with, undone.
fn unescaped(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
        .to_lowercase()
}

/// Every part of the workbook, unzipped, as text.
fn workbook_parts(path: &Path) -> Vec<(String, String)> {
    use std::io::Read;
    let file = std::fs::File::open(path).expect("open the workbook");
    let mut archive = ::zip::ZipArchive::new(file).expect("a zip archive");
    (0..archive.len())
        .map(|index| {
            let mut entry = archive.by_index(index).expect("entry");
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("utf-8 XML");
            (entry.name().expect("a part name").to_string(), text)
        })
        .collect()
}

fn leaks<'a>(text: &str, people: &'a BTreeSet<String>) -> Vec<&'a String> {
    let text = unescaped(text);
    people
        .iter()
        .filter(|identifier| text.contains(identifier.as_str()))
        .take(5)
        .collect()
}

#[test]
fn a_redacted_report_names_nobody_in_its_page_or_workbook() {
    let temp = audited_sample();
    let audit = temp.path().join("audit");
    let people = identifiers_of_people();

    // The unredacted report does name people: the search below can see them.
    let page = std::fs::read_to_string(audit.join("report.html")).expect("report.html");
    assert!(
        !leaks(&page, &people).is_empty(),
        "the check must see names"
    );
    let parts = workbook_parts(&audit.join("report.xlsx"));
    assert!(
        parts.iter().any(|(_, xml)| !leaks(xml, &people).is_empty()),
        "the check must see names in the workbook"
    );

    let out = temp.path().join("redacted");
    let output = report(
        &[
            audit.to_str().expect("utf-8"),
            "--redact",
            "--out",
            out.to_str().expect("utf-8"),
        ],
        Some(KEY),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("the redacted folder")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["report.html", "report.xlsx"]);

    let page = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert_eq!(
        leaks(&page, &people),
        Vec::<&String>::new(),
        "in report.html"
    );
    assert!(page.contains("@redacted.invalid"), "pseudonyms are shown");
    let parts = workbook_parts(&out.join("report.xlsx"));
    assert!(parts.len() > 6, "{} parts", parts.len());
    for (name, xml) in &parts {
        assert_eq!(leaks(xml, &people), Vec::<&String>::new(), "in {name}");
    }
    // Neither the key nor a mapping is written.
    assert!(!page.contains(KEY));
    assert!(parts.iter().all(|(_, xml)| !xml.contains(KEY)));

    // The same key gives the same pseudonyms: a second run writes the same page.
    let output = report(
        &[
            audit.to_str().expect("utf-8"),
            "--redact",
            "--out",
            out.to_str().expect("utf-8"),
        ],
        Some(KEY),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let again = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert_eq!(again, page);
}

#[test]
fn redaction_is_refused_without_a_key_or_a_folder_of_its_own() {
    let temp = audited_sample();
    let audit = temp.path().join("audit");
    let audit_arg = audit.to_str().expect("utf-8");
    let out = temp.path().join("redacted");
    let out_arg = out.to_str().expect("utf-8");

    // No key anywhere.
    let output = report(&[audit_arg, "--redact", "--out", out_arg], None);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("SEATWISE_REDACT_KEY"),
        "{}",
        stderr(&output)
    );
    assert!(!out.exists(), "nothing is written without a key");

    // A key too short, from a file.
    let key_file = temp.path().join("key");
    std::fs::write(&key_file, "short\n").expect("write");
    let output = report(
        &[
            audit_arg,
            "--redact",
            "--redact-key-file",
            key_file.to_str().expect("utf-8"),
            "--out",
            out_arg,
        ],
        None,
    );
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("key") && message.contains("16"),
        "{message}"
    );

    // A missing key file names its path.
    let output = report(
        &[
            audit_arg,
            "--redact",
            "--redact-key-file",
            "/nonexistent/seatwise.key",
            "--out",
            out_arg,
        ],
        None,
    );
    assert!(!output.status.success());
    assert!(stderr(&output).contains("/nonexistent/seatwise.key"));

    // No --out: the redacted report would land beside the real one.
    let output = report(&[audit_arg, "--redact"], Some(KEY));
    assert!(!output.status.success());
    assert!(stderr(&output).contains("--out"), "{}", stderr(&output));

    // --out naming the audit folder itself.
    let output = report(&[audit_arg, "--redact", "--out", audit_arg], Some(KEY));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is the audit folder"),
        "{}",
        stderr(&output)
    );

    // --out holding other files: they are not deleted.
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(out.join("notes.txt"), "keep me").expect("write");
    let output = report(&[audit_arg, "--redact", "--out", out_arg], Some(KEY));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("notes.txt"), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).expect("kept"),
        "keep me"
    );
    assert!(!out.join("report.html").exists());
}
