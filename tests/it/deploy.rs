//! The ready schedules under `deploy/` stay valid: the YAML parses and says what the README
//! says (schedule, federated sign-in, `seatwise monthly`), the configurations in them pass the
//! same validation `seatwise monthly` applies, the cron line has its fields, and the systemd
//! units pass `systemd-analyze verify` where it is installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use seatwise::monthly::MonthlyConfig;
use serde_norway::Value;

fn deploy(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(deploy(path)).unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// Parses a configuration with no environment overrides.
fn config(path: &Path, text: &str) -> MonthlyConfig {
    let lookup = |_: &str| None;
    MonthlyConfig::parse(path, text, &lookup).unwrap_or_else(|error| panic!("{error}"))
}

fn words(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_example_configuration_is_valid() {
    let config = config(
        &deploy("seatwise.example.toml"),
        &read("seatwise.example.toml"),
    );
    assert_eq!(config.thresholds.len(), 2);
    assert!(config.notify.is_some());
}

#[test]
fn the_github_workflow_signs_in_with_oidc_on_a_schedule() {
    let workflow: Value =
        serde_norway::from_str(&read("github/seatwise-monthly.yml")).expect("workflow YAML");
    let cron = workflow["on"]["schedule"][0]["cron"]
        .as_str()
        .expect("cron");
    assert_eq!(cron.split_whitespace().count(), 5, "{cron}");
    assert_eq!(workflow["permissions"]["id-token"].as_str(), Some("write"));
    let job = &workflow["jobs"]["audit"];
    assert_eq!(job["env"]["SEATWISE_AUTH"].as_str(), Some("github-oidc"));
    let runs: Vec<&str> = job["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .filter_map(|step| step["run"].as_str())
        .collect();
    assert!(
        runs.iter()
            .any(|run| run.contains("seatwise monthly") && run.contains("--check"))
    );
    assert!(runs.iter().any(|run| run.contains("--last-day-only")));
    assert!(runs.iter().any(|run| run.contains("--as-of")));
}

#[test]
fn the_kubernetes_cronjob_uses_workload_identity() {
    let text = read("kubernetes/cronjob.yaml");
    let documents: Vec<Value> = serde_norway::Deserializer::from_str(&text)
        .map(|document| serde::Deserialize::deserialize(document).expect("YAML document"))
        .collect();
    let kind = |name: &str| {
        documents
            .iter()
            .find(|document| document["kind"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let account = kind("ServiceAccount");
    assert!(
        account["metadata"]["annotations"]["azure.workload.identity/client-id"]
            .as_str()
            .is_some()
    );
    let job = kind("CronJob");
    let schedule = job["spec"]["schedule"].as_str().expect("schedule");
    assert_eq!(schedule.split_whitespace().count(), 5, "{schedule}");
    let template = &job["spec"]["jobTemplate"]["spec"]["template"];
    assert_eq!(
        template["metadata"]["labels"]["azure.workload.identity/use"].as_str(),
        Some("true")
    );
    assert_eq!(
        template["spec"]["serviceAccountName"],
        account["metadata"]["name"]
    );
    let args = words(&template["spec"]["containers"][0]["args"]);
    assert_eq!(args[0], "monthly");
    assert!(args.contains(&"--last-day-only".to_string()), "{args:?}");
    let toml = kind("ConfigMap")["data"]["seatwise.toml"]
        .as_str()
        .expect("seatwise.toml");
    let config = config(Path::new("/etc/seatwise/seatwise.toml"), toml);
    assert_eq!(
        config.sign_in.auth,
        Some(seatwise::monthly::SignIn::Federated)
    );
}

#[test]
fn the_cron_line_has_its_fields() {
    let text = read("cron/seatwise-monthly.cron");
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#') && !line.contains('='))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let fields: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(&fields[..5], ["0", "3", "28-31", "*", "*"]);
    let command = fields[6..].join(" ");
    assert!(command.contains("seatwise monthly --config"), "{command}");
    assert!(command.contains("--last-day-only"), "{command}");
}

#[test]
fn the_systemd_units_are_hardened_and_verify() {
    let service = read("systemd/seatwise-monthly.service");
    for directive in [
        "ProtectSystem=strict",
        "LoadCredential=",
        "NoNewPrivileges=yes",
        "DynamicUser=yes",
        "CapabilityBoundingSet=\n",
    ] {
        assert!(service.contains(directive), "{directive} missing");
    }
    let timer = read("systemd/seatwise-monthly.timer");
    assert!(timer.contains("OnCalendar=*-*~01 03:00:00 UTC"));

    let available = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !available {
        eprintln!("systemd-analyze is not installed: verification skipped");
        return;
    }
    let temp = tempfile::tempdir().expect("temp dir");
    let binary = env!("CARGO_BIN_EXE_seatwise");
    std::fs::write(
        temp.path().join("seatwise-monthly.service"),
        service.replace("/usr/local/bin/seatwise", binary),
    )
    .expect("write service");
    std::fs::write(temp.path().join("seatwise-monthly.timer"), &timer).expect("write timer");
    let output = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(temp.path().join("seatwise-monthly.service"))
        .arg(temp.path().join("seatwise-monthly.timer"))
        .output()
        .expect("systemd-analyze verify");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        !stderr.contains("Unknown") && !stderr.contains("ignoring"),
        "{stderr}"
    );
}
