//! The `seatwise` binary: exit codes, the audit folder, stdout, and errors on stderr.

use crate::util::*;

#[test]
fn audit_writes_the_folder_and_prints_the_summary() {
    let (temp, dir) = small_snapshot();
    let out = temp.path().join("audit");
    let output = seatwise(&[
        "audit",
        dir.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    for file in ["findings.json", "findings.csv", "summary.md"] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let findings: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("findings.json")).expect("read"))
            .expect("json");
    assert_eq!(findings["schema"], "seatwise.findings/1");
    assert_eq!(findings["as_of"], "2026-11-01");
    assert_eq!(findings["as_of_source"], "snapshot");
    // Bob: never signed in (E5) and premium use without a premium license; E5 and Premium
    // have idle seats; Ada uses her premium license.
    let kinds: Vec<(&str, &str)> = findings["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|finding| {
            (
                finding["kind"].as_str().unwrap_or_default(),
                finding["user_principal_name"]
                    .as_str()
                    .unwrap_or(finding["sku_part_number"].as_str().unwrap_or_default()),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("idle-seats", "POWERAPPS_PER_USER"),
            ("idle-seats", "SPE_E5"),
            ("inactive-holder", "bob@contoso.com"),
            ("missing-premium", "bob@contoso.com"),
        ]
    );
    assert_eq!(findings["findings"][2]["reason"], "never-signed-in");
    assert_eq!(findings["findings"][2]["department"], "Unassigned");
    assert_eq!(findings["summary"]["users"], 2);
    assert_eq!(findings["summary"]["licensed_users"], 2);
    let text = stdout(&output);
    assert!(text.contains("inactive-holder"), "{text}");
    assert!(text.contains("as of 2026-11-01"), "{text}");
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn fail_on_a_found_kind_exits_1_and_an_absent_kind_exits_0() {
    let (temp, dir) = small_snapshot();
    let out = temp.path().join("audit");
    let args = |kind: &'static str| {
        vec![
            "audit".to_string(),
            dir.display().to_string(),
            "--out".to_string(),
            out.display().to_string(),
            "--fail-on".to_string(),
            kind.to_string(),
        ]
    };
    let run = |kind| {
        let args = args(kind);
        seatwise(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    assert_eq!(run("missing-premium").status.code(), Some(1));
    assert_eq!(run("duplicate-assignment").status.code(), Some(0));
    let bad = run("wasted");
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("not a finding kind"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn bad_input_exits_2_naming_file_place_and_field() {
    let (temp, dir) = small_snapshot();
    std::fs::write(
        dir.join("prices.csv"),
        "SkuPartNumber,MonthlyPrice,Currency\nSPE_E5,lots,USD\n",
    )
    .expect("write");
    let out = temp.path().join("audit");
    let output = seatwise(&[
        "audit",
        dir.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("prices.csv: line 2: field `MonthlyPrice`"),
        "{message}"
    );
    assert!(
        !out.exists(),
        "a failed audit must not leave an audit folder"
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn control_characters_from_the_data_never_reach_the_terminal() {
    let (temp, dir) = small_snapshot();
    // A header name with a screen-clearing and a title-setting escape sequence.
    let apps = APPS_CSV.replacen("AppName", "App\u{1b}[2JName\u{1b}]0;owned\u{7}", 1);
    std::fs::write(dir.join("apps.csv"), apps).expect("write apps.csv");
    let output = seatwise(&[
        "audit",
        dir.to_str().expect("utf-8 path"),
        "--out",
        temp.path().join("audit").to_str().expect("utf-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains("the header has: AppU+001B[2JNameU+001B]0;ownedU+0007, DisplayName"),
        "{text}"
    );
    assert!(
        !output
            .stderr
            .iter()
            .any(|&byte| byte == 0x1b || byte == 0x07),
        "{text}"
    );
}

#[test]
fn lenient_audits_count_what_they_skip() {
    let (temp, dir) = small_snapshot();
    std::fs::write(
        dir.join("prices.csv"),
        "SkuPartNumber,MonthlyPrice,Currency\nSPE_E5,lots,USD\n",
    )
    .expect("write");
    let out = temp.path().join("audit");
    let output = seatwise(&[
        "audit",
        dir.to_str().expect("utf-8"),
        "--lenient",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let findings: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("findings.json")).expect("read"))
            .expect("json");
    assert_eq!(
        findings["data_quality"]["ingest"]["rejected"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let summary = std::fs::read_to_string(out.join("summary.md")).expect("read");
    assert!(summary.contains("1 malformed rows skipped"), "{summary}");
}

#[test]
fn a_snapshot_price_book_overrides_the_bundled_one() {
    let (temp, dir) = small_snapshot();
    std::fs::write(
        dir.join("prices.csv"),
        "SkuPartNumber,MonthlyPrice,Currency\nSPE_E5,50.005,USD\n",
    )
    .expect("write");
    let out = temp.path().join("audit");
    let output = seatwise(&[
        "audit",
        dir.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let findings: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("findings.json")).expect("read"))
            .expect("json");
    let bob = findings["findings"]
        .as_array()
        .expect("array")
        .iter()
        .find(|finding| finding["kind"] == "inactive-holder")
        .expect("Bob's finding");
    assert_eq!(bob["monthly_amount"].as_f64(), Some(50.01));
    // Eight idle E5 seats at 50.005 = 400.04 exactly, rounded once.
    let idle = findings["findings"]
        .as_array()
        .expect("array")
        .iter()
        .find(|finding| finding["kind"] == "idle-seats" && finding["sku_part_number"] == "SPE_E5")
        .expect("idle E5 seats");
    assert_eq!(idle["monthly_amount"].as_f64(), Some(400.04));
}

#[test]
fn an_existing_folder_that_is_not_an_audit_is_not_replaced() {
    let (temp, dir) = small_snapshot();
    let out = temp.path().join("precious");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(out.join("notes.txt"), "keep me").expect("write");
    let output = seatwise(&[
        "audit",
        dir.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).expect("kept"),
        "keep me"
    );
}

#[test]
fn an_audit_folder_holding_a_plan_or_a_journal_is_not_replaced() {
    let (temp, dir) = small_snapshot();
    let out = temp.path().join("audit");
    let audit = || {
        seatwise(&[
            "audit",
            dir.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ])
    };
    assert!(audit().status.success());
    // An earlier audit of the audit's own files is replaced.
    assert!(audit().status.success());
    for extra in ["plan.json", "approvals.json", "journal.jsonl"] {
        std::fs::write(out.join(extra), "{}").expect("write");
        let output = audit();
        assert_eq!(output.status.code(), Some(2), "{extra}");
        assert!(
            stderr(&output).contains(&format!(
                "holds files an audit does not write ({extra}); refusing to replace it"
            )),
            "{}",
            stderr(&output)
        );
        assert!(out.join(extra).is_file(), "{extra} was deleted");
        std::fs::remove_file(out.join(extra)).expect("remove");
    }
}

#[test]
fn a_bad_as_of_date_is_a_usage_error() {
    let (_temp, dir) = small_snapshot();
    let output = seatwise(&[
        "audit",
        dir.to_str().expect("utf-8"),
        "--as-of",
        "next tuesday",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("YYYY-MM-DD"),
        "{}",
        stderr(&output)
    );
}
