//! Snapshot tests of the sample's views: summary.md, the terminal table and the report
//! model's tables. A change to any of them shows up as a reviewable diff
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test` to accept); paths and the
//! version are filtered out so the snapshots do not depend on the machine.

use super::util::{seatwise, stderr, stdout};
use seatwise::report::{ReportModel, ReportOptions};
use std::path::Path;

struct Audited {
    _temp: tempfile::TempDir,
    out: std::path::PathBuf,
    stdout: String,
}

fn audited_sample() -> Audited {
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
    Audited {
        stdout: stdout(&output),
        _temp: temp,
        out,
    }
}

/// Replaces the machine's paths and seatwise's version.
fn settings(audited: &Audited) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    settings.add_filter(&regex_escape(&sample.display().to_string()), "[SAMPLE]");
    settings.add_filter(&regex_escape(&audited.out.display().to_string()), "[AUDIT]");
    settings.add_filter(r"seatwise \d+\.\d+\.\d+", "seatwise [VERSION]");
    settings
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

#[test]
fn the_sample_views_are_as_reviewed() {
    let audited = audited_sample();
    let summary = std::fs::read_to_string(audited.out.join("summary.md")).expect("summary.md");
    let model =
        ReportModel::from_audit_folder(&audited.out, &ReportOptions::default()).expect("model");
    settings(&audited).bind(|| {
        insta::assert_snapshot!("sample_summary_md", summary);
        insta::assert_snapshot!("sample_terminal", audited.stdout);
        insta::assert_debug_snapshot!("sample_model_headline", model.headline);
        insta::assert_debug_snapshot!("sample_model_by_kind", model.by_kind);
        insta::assert_debug_snapshot!("sample_model_skus", model.skus);
        insta::assert_debug_snapshot!("sample_model_by_department", model.by_attribute);
        insta::assert_debug_snapshot!("sample_model_savings_by_sku", model.savings_by_sku);
        insta::assert_debug_snapshot!("sample_model_top_savings", model.top_savings);
        insta::assert_debug_snapshot!("sample_model_premium_use", model.premium_use);
    });
}
