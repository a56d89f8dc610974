//! What an approval covers is what runs: the manifest of a plan folder's files, folders written
//! whole, normalised approver names, and SSH-signed approvals checked against the allowed
//! signers fixed when planning, interoperating with OpenSSH's `ssh-keygen -Y`.

use super::plans::{ok, read_json, run_in, write_tenant};
use super::util::stderr;
use seatwise::act::approval::{Approval, approval_message, valid_approvers};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tenant with a manual assignment plan in `plan/`, planned with `extra` arguments.
fn assignment_plan(extra: &[&str]) -> tempfile::TempDir {
    let temp = tempfile::tempdir().expect("temp dir");
    write_tenant(temp.path());
    let mut args = vec![
        "plan",
        "assign",
        "--snapshot",
        "snapshot",
        "--user",
        "bob@contoso.com",
        "--sku",
        "POWERAPPS_PER_USER",
        "--approvals",
        "2",
        "--out",
        "plan/plan.json",
        "--on",
        "2026-11-02",
    ];
    args.extend_from_slice(extra);
    ok(run_in(temp.path(), &args));
    temp
}

fn approvers(dir: &Path) -> Vec<String> {
    valid_approvers(&dir.join("plan/plan.json")).expect("approvers")
}

fn approve(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["approve", "plan/plan.json"];
    all.extend_from_slice(args);
    run_in(dir, &all)
}

#[test]
fn an_edited_script_or_an_added_batch_voids_the_approvals() {
    let temp = assignment_plan(&[]);
    let dir = temp.path();
    let manifest = read_json(&dir.join("plan/manifest.json"));
    let files = manifest["files"].as_object().expect("files");
    for name in ["plan.json", "plan.csv", "plan.ps1", "notices.csv"] {
        assert!(files.contains_key(name), "{name} not in the manifest");
    }
    ok(approve(dir, &["--by", "Dana"]));
    ok(approve(dir, &["--by", "Lee"]));
    assert_eq!(approvers(dir).len(), 2);

    let script = dir.join("plan/plan.ps1");
    let original = std::fs::read_to_string(&script).expect("read");
    std::fs::write(&script, format!("{original}\nStart-Process calc\n")).expect("write");
    let refused = approve(dir, &["--by", "Kim"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("plan.ps1: changed since the plan was made"),
        "{}",
        stderr(&refused)
    );
    // The dry run stops before any request (the Graph address leads nowhere).
    let dry_run = Command::new(env!("CARGO_BIN_EXE_seatwise"))
        .args(["apply", "plan/plan.json", "--on", "2026-11-02"])
        .args(["--graph", "http://127.0.0.1:9"])
        .env("SEATWISE_ACCESS_TOKEN", "not-used")
        .current_dir(dir)
        .output()
        .expect("run seatwise");
    assert_eq!(dry_run.status.code(), Some(2));
    assert!(
        stderr(&dry_run).contains("plan.ps1: changed since the plan was made"),
        "{}",
        stderr(&dry_run)
    );
    std::fs::write(&script, original).expect("restore");
    assert_eq!(approvers(dir).len(), 2, "restored bytes count again");

    let batch = dir.join("plan/batch");
    std::fs::create_dir_all(&batch).expect("mkdir");
    std::fs::write(batch.join("batch-999.json"), "{\"requests\":[]}").expect("write");
    let added = approve(dir, &["--by", "Kim"]);
    assert_eq!(added.status.code(), Some(2));
    assert!(
        stderr(&added).contains("batch-999.json: not part of the plan as it was made"),
        "{}",
        stderr(&added)
    );
}

#[test]
fn plan_folders_are_whole_and_never_swallow_other_files() {
    let temp = assignment_plan(&[]);
    let dir = temp.path();
    ok(approve(dir, &["--by", "Dana"]));
    // Planning again replaces the plan whole and keeps the approvals file (void for the new
    // content, as its hashes differ).
    let again = [
        "plan",
        "assign",
        "--snapshot",
        "snapshot",
        "--user",
        "cy@contoso.com",
        "--sku",
        "POWERAPPS_PER_USER",
        "--out",
        "plan/plan.json",
        "--on",
        "2026-11-02",
    ];
    ok(run_in(dir, &again));
    assert!(dir.join("plan/approvals.json").is_file());
    assert!(approvers(dir).is_empty());
    let leftovers: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A folder holding anything else is not a plan folder.
    std::fs::write(dir.join("plan/notes.txt"), "mine").expect("write");
    let refused = run_in(dir, &again);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("holds files a plan does not write (notes.txt)"),
        "{}",
        stderr(&refused)
    );
    assert!(dir.join("plan/notes.txt").is_file());
}

#[test]
fn approvers_are_counted_once_by_their_normalised_name() {
    let temp = assignment_plan(&[]);
    let dir = temp.path();
    for name in [
        "Dana Scully",
        " dana scully ",
        "ＤＡＮＡ ＳＣＵＬＬＹ",
        "DANA\u{a0}SCULLY",
    ] {
        ok(approve(dir, &["--by", name]));
    }
    assert_eq!(approvers(dir), vec!["Dana Scully".to_string()]);
    for empty in ["", "   ", "\u{3000}"] {
        let refused = approve(dir, &["--by", empty]);
        assert_eq!(refused.status.code(), Some(2), "{empty:?}");
        assert!(stderr(&refused).contains("approver name is empty"));
    }
}

/// An ed25519 key pair made by OpenSSH: (private key path, public key line).
fn ssh_key(dir: &Path, name: &str) -> Option<(PathBuf, String)> {
    let path = dir.join(name);
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .output()
        .ok()?;
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let public = std::fs::read_to_string(path.with_extension("pub")).expect("public key");
    Some((path, public.trim().to_string()))
}

/// Whether the tests can use OpenSSH here; without it they say so and skip, unless
/// `SEATWISE_REQUIRE_SSH_KEYGEN=1`.
fn ssh_keygen_available() -> bool {
    let found = Command::new("ssh-keygen").arg("-?").output().is_ok();
    if !found {
        assert!(
            std::env::var("SEATWISE_REQUIRE_SSH_KEYGEN").as_deref() != Ok("1"),
            "ssh-keygen is required (apt-get install openssh-client)"
        );
        eprintln!("skipped: ssh-keygen not found (apt-get install openssh-client)");
    }
    found
}

fn read_approvals(dir: &Path) -> Vec<Approval> {
    serde_json::from_slice(&std::fs::read(dir.join("plan/approvals.json")).expect("read"))
        .expect("approvals.json")
}

fn write_approvals(dir: &Path, approvals: &[Approval]) {
    std::fs::write(
        dir.join("plan/approvals.json"),
        serde_json::to_string_pretty(approvals).expect("json"),
    )
    .expect("write");
}

#[test]
fn signed_approvals_count_once_per_allowed_signer_and_interoperate_with_openssh() {
    if !ssh_keygen_available() {
        return;
    }
    let keys = tempfile::tempdir().expect("temp dir");
    let (dana_key, dana_public) = ssh_key(keys.path(), "dana").expect("dana's key");
    let (lee_key, lee_public) = ssh_key(keys.path(), "lee").expect("lee's key");
    let (eve_key, _) = ssh_key(keys.path(), "eve").expect("eve's key");
    let signers = keys.path().join("allowed_signers");
    std::fs::write(
        &signers,
        format!(
            "# plan approvers\ndana@contoso.com {dana_public}\nlee@contoso.com namespaces=\"seatwise-plan\" {lee_public}\n"
        ),
    )
    .expect("write");
    let temp = assignment_plan(&["--require-signatures", signers.to_str().expect("utf-8")]);
    let dir = temp.path();
    let plan = read_json(&dir.join("plan/plan.json"));
    assert!(
        plan["signatures"]["allowed_signers_sha256"]
            .as_str()
            .is_some_and(|sha| sha.starts_with("sha256:")),
        "{plan}"
    );
    assert!(dir.join("plan/allowed_signers").is_file());

    // Unsigned, or signed by a key that is not allowed, or as someone else: refused.
    let unsigned = approve(dir, &["--by", "dana@contoso.com"]);
    assert_eq!(unsigned.status.code(), Some(2));
    assert!(stderr(&unsigned).contains("requires approvals signed"));
    for (by, key) in [
        ("eve@contoso.com", &eve_key),
        ("lee@contoso.com", &dana_key),
    ] {
        let refused = approve(
            dir,
            &["--by", by, "--sign-with", key.to_str().expect("utf-8")],
        );
        assert_eq!(refused.status.code(), Some(2), "{by}");
        assert!(
            stderr(&refused).contains("is not a principal of the key"),
            "{}",
            stderr(&refused)
        );
    }

    ok(approve(
        dir,
        &[
            "--by",
            "Dana@Contoso.com",
            "--sign-with",
            dana_key.to_str().expect("utf-8"),
        ],
    ));
    assert_eq!(approvers(dir).len(), 1);

    // An edited approvals.json cannot fake a second approver: a copy of Dana's signed
    // approval under Lee's name, and an unsigned one, count for nothing.
    let mut approvals = read_approvals(dir);
    let dana = approvals[0].clone();
    approvals.push(Approval {
        by: "lee@contoso.com".into(),
        ..dana.clone()
    });
    approvals.push(Approval {
        by: "kim@contoso.com".into(),
        signature: None,
        ..dana.clone()
    });
    write_approvals(dir, &approvals);
    assert_eq!(approvers(dir).len(), 1);

    // OpenSSH verifies seatwise's signature of the approval message.
    let message = approval_message(
        &dana.plan_sha256,
        dana.manifest_sha256.as_deref().expect("manifest hash"),
    );
    let message_path = keys.path().join("message");
    std::fs::write(&message_path, &message).expect("write");
    let signature_path = keys.path().join("dana.sig");
    std::fs::write(&signature_path, dana.signature.as_deref().expect("signed")).expect("write");
    let verified = Command::new("ssh-keygen")
        .args([
            "-Y",
            "verify",
            "-n",
            "seatwise-plan",
            "-I",
            "dana@contoso.com",
            "-f",
        ])
        .arg(&signers)
        .arg("-s")
        .arg(&signature_path)
        .stdin(std::fs::File::open(&message_path).expect("open"))
        .output()
        .expect("run ssh-keygen");
    assert!(
        verified.status.success(),
        "{}{}",
        String::from_utf8_lossy(&verified.stdout),
        String::from_utf8_lossy(&verified.stderr)
    );

    // And seatwise counts a signature OpenSSH made for Lee.
    let signed = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", "seatwise-plan", "-f"])
        .arg(&lee_key)
        .arg(&message_path)
        .output()
        .expect("run ssh-keygen");
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    let lee_signature =
        std::fs::read_to_string(keys.path().join("message.sig")).expect("signature");
    let mut approvals = read_approvals(dir);
    approvals.push(Approval {
        by: "lee@contoso.com".into(),
        signature: Some(lee_signature),
        ..dana.clone()
    });
    write_approvals(dir, &approvals);
    assert_eq!(approvers(dir).len(), 2);

    // Editing the plan's copy of the allowed signers cannot lower the bar.
    let copy = dir.join("plan/allowed_signers");
    let text = std::fs::read_to_string(&copy).expect("read");
    std::fs::write(&copy, format!("{text}eve@contoso.com {dana_public}\n")).expect("write");
    assert!(valid_approvers(&dir.join("plan/plan.json")).is_err());
}

#[test]
fn a_bad_allowed_signers_file_is_named_with_its_line() {
    let keys = tempfile::tempdir().expect("temp dir");
    let signers = keys.path().join("allowed_signers");
    for (text, expected) in [
        (
            "dana@contoso.com ssh-ed25519 not-base64\n",
            "line 1: not a public key",
        ),
        ("# nobody\n", "no signer is allowed to sign seatwise plans"),
        (
            "\ndana@contoso.com cert-authority ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq\n",
            "line 2: option `cert-authority` is not supported",
        ),
    ] {
        std::fs::write(&signers, text).expect("write");
        let temp = tempfile::tempdir().expect("temp dir");
        write_tenant(temp.path());
        let output = run_in(
            temp.path(),
            &[
                "plan",
                "assign",
                "--snapshot",
                "snapshot",
                "--user",
                "bob@contoso.com",
                "--sku",
                "POWERAPPS_PER_USER",
                "--out",
                "plan/plan.json",
                "--require-signatures",
                signers.to_str().expect("utf-8"),
            ],
        );
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(
            stderr(&output).contains(expected),
            "{text}: {}",
            stderr(&output)
        );
        assert!(!temp.path().join("plan").exists(), "no plan folder appears");
    }
}
