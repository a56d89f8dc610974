//! `seatwise monthly`: the unattended run, against a loopback webhook receiver.
//!
//! Each test writes a configuration into a temporary folder, runs the real binary and checks
//! its exit code, its `--json` line, what it wrote (audit folder, history) and what the
//! receiver got: one Slack or Teams payload per run, success or failure, retried when the
//! receiver fails, never changing the exit code. The last tests pull from the fake Graph.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::graph_ingest::{serve, tenant, text};

/// A webhook receiver on loopback: records every body, answers with a set status.
struct Receiver {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Clone)]
struct ReceiverState {
    bodies: Arc<Mutex<Vec<Value>>>,
    status: Arc<AtomicU16>,
}

async fn receive(
    axum::extract::State(state): axum::extract::State<ReceiverState>,
    body: axum::body::Bytes,
) -> axum::http::StatusCode {
    let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    state.bodies.lock().expect("receiver lock").push(value);
    axum::http::StatusCode::from_u16(state.status.load(Ordering::SeqCst))
        .unwrap_or(axum::http::StatusCode::OK)
}

impl Receiver {
    fn start(status: u16) -> Receiver {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("bind");
        listener.set_nonblocking(true).expect("non-blocking");
        let address = listener.local_addr().expect("address");
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let state = ReceiverState {
            bodies: Arc::clone(&bodies),
            status: Arc::new(AtomicU16::new(status)),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = axum::Router::new()
            .fallback(axum::routing::post(receive))
            .with_state(state);
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                tokio::select! {
                    _ = std::future::IntoFuture::into_future(axum::serve(listener, app)) => {}
                    _ = stopped => {}
                }
            });
        });
        Receiver {
            url: format!("http://{address}/hooks/T000/B000/secret-path-token"),
            bodies,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().expect("receiver lock").clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A temporary folder with a generated snapshot (`served`), a webhook URL file and a config.
struct Setup {
    temp: tempfile::TempDir,
    snapshot: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let (temp, snapshot) = tenant(60, 11);
        Setup { temp, snapshot }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.temp.path().join(name)
    }

    /// Writes the webhook URL file and a configuration with `extra` lines; returns its path.
    fn config(&self, receiver: Option<&Receiver>, format: &str, extra: &str) -> PathBuf {
        let mut text = format!(
            "source = {:?}\noutput_root = \"out\"\nwindow_days = 90\n{extra}\n",
            self.snapshot.display().to_string()
        );
        if let Some(receiver) = receiver {
            std::fs::write(self.path("webhook"), format!("{}\n", receiver.url)).expect("url file");
            text.push_str(&format!(
                "[notify]\nformat = \"{format}\"\nurl_file = \"webhook\"\nattempts = 3\nbackoff_ms = 10\ntimeout_ms = 5000\n"
            ));
        }
        let path = self.path("seatwise.toml");
        std::fs::write(&path, text).expect("config");
        path
    }
}

fn monthly(config: &Path, extra: &[&str], environment: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_seatwise"));
    command
        .arg("monthly")
        .arg("--config")
        .arg(config)
        .args(extra);
    for (name, _) in seatwise::monthly::config::VARIABLES {
        command.env_remove(name);
    }
    command
        .env_remove("SEATWISE_CLIENT_SECRET")
        .env_remove("SEATWISE_ACCESS_TOKEN");
    for (name, value) in environment {
        command.env(name, value);
    }
    command.output().expect("run seatwise monthly")
}

fn json_line(output: &Output) -> Value {
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "one line expected: {stdout}\nstderr: {}",
        text(&output.stderr)
    );
    serde_json::from_str(lines[0]).unwrap_or_else(|error| panic!("{error}: {stdout}"))
}

fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    )
}

#[test]
fn a_run_from_a_folder_audits_records_and_posts_one_slack_message() {
    let setup = Setup::new();
    let receiver = Receiver::start(200);
    let config = setup.config(Some(&receiver), "slack", "");
    let output = monthly(&config, &["--json"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let result = json_line(&output);
    assert_eq!(result["schema"], "seatwise.monthly/1");
    assert_eq!(result["status"], "ok");
    assert_eq!(result["exit_code"], 0);
    assert_eq!(result["history"]["month"], "2026-11");
    assert_eq!(result["history"]["replaced"], false);
    assert_eq!(result["notification"], "sent");
    assert!(result["changes"].is_null());
    let audit = PathBuf::from(result["audit"].as_str().expect("audit path"));
    for name in ["findings.json", "summary.md", "report.html", "report.xlsx"] {
        assert!(
            audit.join(name).is_file(),
            "{name} missing in {}",
            audit.display()
        );
    }
    assert!(setup.path("out/history/month=2026-11").is_dir());

    let bodies = receiver.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    let body = &bodies[0];
    assert!(
        body["text"]
            .as_str()
            .is_some_and(|text| text.contains("ok")),
        "{body}"
    );
    let blocks = body["blocks"].as_array().expect("blocks");
    assert_eq!(blocks[0]["type"], "header");
    let savings = result["figures"]["monthly_savings"]
        .as_f64()
        .expect("savings");
    let grouped = seatwise::money::Money::parse(&format!("{savings:.2}"))
        .expect("money")
        .grouped();
    let payload = body.to_string();
    assert!(payload.contains(&grouped), "{grouped} not in {payload}");
    assert!(payload.contains("Monthly savings"), "{payload}");
    // The secret URL is never printed.
    assert!(!text(&output.stderr).contains("secret-path-token"));

    // The same month again: replaced, and said so.
    let again = monthly(&config, &["--json"], &[]);
    assert_eq!(again.status.code(), Some(0), "{}", describe(&again));
    assert_eq!(json_line(&again)["history"]["replaced"], true);
    let bodies = receiver.bodies();
    assert_eq!(bodies.len(), 2);
    assert!(
        bodies[1].to_string().contains("replaced an earlier run"),
        "{}",
        bodies[1]
    );
}

#[test]
fn a_teams_receiver_gets_an_adaptive_card() {
    let setup = Setup::new();
    let receiver = Receiver::start(202);
    let config = setup.config(Some(&receiver), "teams", "");
    // A month before, then the month: the second card carries the changes.
    let earlier = monthly(&config, &["--as-of", "2026-10-31"], &[]);
    assert_eq!(earlier.status.code(), Some(0), "{}", describe(&earlier));
    let output = monthly(&config, &[], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("history: recorded 2026-11"),
        "{}",
        describe(&output)
    );
    assert!(stdout.contains("since 2026-10:"), "{}", describe(&output));
    let bodies = receiver.bodies();
    assert_eq!(bodies.len(), 2);
    let body = &bodies[1];
    let card_text = body.to_string();
    assert!(card_text.contains("Since 2026-10"), "{card_text}");
    assert_eq!(body["type"], "message");
    let attachment = &body["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(attachment["content"]["type"], "AdaptiveCard");
    assert_eq!(attachment["content"]["version"], "1.4");
    let card = attachment["content"]["body"].as_array().expect("card body");
    assert_eq!(card[0]["type"], "TextBlock");
    assert!(
        card.iter().any(|element| element["type"] == "FactSet"),
        "{body}"
    );
}

#[test]
fn a_failed_run_still_notifies_and_exits_non_zero() {
    let setup = Setup::new();
    let receiver = Receiver::start(200);
    let config = setup.config(Some(&receiver), "slack", "");
    let output = monthly(
        &config,
        &["--json"],
        &[("SEATWISE_SOURCE", "/nonexistent/snapshot")],
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let result = json_line(&output);
    assert_eq!(result["status"], "failed");
    assert_eq!(result["exit_code"], 2);
    assert!(
        result["error"]
            .as_str()
            .is_some_and(|error| error.contains("/nonexistent/snapshot"))
    );
    let bodies = receiver.bodies();
    assert_eq!(bodies.len(), 1);
    let payload = bodies[0].to_string();
    assert!(payload.contains("failed"), "{payload}");
    assert!(payload.contains("/nonexistent/snapshot"), "{payload}");
}

#[test]
fn a_failing_receiver_is_retried_and_changes_nothing() {
    let setup = Setup::new();
    let receiver = Receiver::start(500);
    let config = setup.config(Some(&receiver), "slack", "");
    let output = monthly(&config, &["--json"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(receiver.bodies().len(), 3, "attempts = 3");
    let result = json_line(&output);
    assert_eq!(result["status"], "ok");
    assert_eq!(result["notification"], "failed");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("notification not sent"), "{stderr}");
    assert!(!stderr.contains("secret-path-token"), "{stderr}");

    // With a threshold crossed, the exit code stays 1.
    let config = setup.config(Some(&receiver), "slack", "thresholds = [\"findings>=0\"]");
    let output = monthly(&config, &[], &[]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert_eq!(receiver.bodies().len(), 6);
}

#[test]
fn a_crossed_threshold_exits_with_1() {
    let setup = Setup::new();
    let receiver = Receiver::start(200);
    let config = setup.config(
        Some(&receiver),
        "slack",
        "thresholds = [\"findings>=1\", \"missing-premium>100000\", \"savings>0\"]",
    );
    let output = monthly(&config, &["--json"], &[]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let result = json_line(&output);
    assert_eq!(result["status"], "thresholds-crossed");
    assert_eq!(result["exit_code"], 1);
    let crossed: Vec<&str> = result["crossed"]
        .as_array()
        .expect("crossed")
        .iter()
        .filter_map(|crossed| crossed["threshold"].as_str())
        .collect();
    assert_eq!(crossed, ["findings>=1", "savings>0"]);
    assert!(
        receiver.bodies()[0]
            .to_string()
            .contains("Thresholds crossed")
    );
}

#[test]
fn configuration_mistakes_are_named() {
    let setup = Setup::new();
    let config = setup.config(None, "slack", "keep_month = 12");
    let output = monthly(&config, &[], &[]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("keep_month"), "{stderr}");
    assert!(stderr.contains("seatwise.toml"), "{stderr}");
    assert!(stderr.contains("line 4"), "{stderr}");

    let config = setup.config(None, "slack", "thresholds = [\"inactive-holders>5\"]");
    let output = monthly(&config, &[], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("inactive-holders>5"));
}

#[test]
fn the_environment_overrides_the_file() {
    let setup = Setup::new();
    let config = setup.config(None, "slack", "");
    let elsewhere = setup.path("elsewhere");
    let output = monthly(
        &config,
        &["--json"],
        &[
            (
                "SEATWISE_OUTPUT_ROOT",
                elsewhere.to_str().expect("utf-8 path"),
            ),
            ("SEATWISE_THRESHOLDS", "findings>=0"),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert!(elsewhere.join("history/month=2026-11").is_dir());
    assert!(!setup.path("out").exists());
    assert_eq!(json_line(&output)["notification"], "off");
}

#[test]
fn check_validates_without_running() {
    let setup = Setup::new();
    let receiver = Receiver::start(200);
    let config = setup.config(Some(&receiver), "teams", "");
    let output = monthly(&config, &["--check", "--json"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let result = json_line(&output);
    assert_eq!(result["schema"], "seatwise.monthly-check/1");
    assert_eq!(result["ok"], true);
    assert!(receiver.bodies().is_empty(), "--check does not notify");
    assert!(
        !setup.path("out/history").exists(),
        "--check writes no history"
    );

    std::fs::write(setup.path("webhook"), "not a url").expect("url file");
    let output = monthly(&config, &["--check"], &[]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        text(&output.stdout).contains("notify: FAILED"),
        "{}",
        describe(&output)
    );
}

// ---------------------------------------------------------------------------------------------
// Source = graph, against the fake Graph
// ---------------------------------------------------------------------------------------------

fn graph_environment(base: &str, secret: &str) -> Vec<(String, String)> {
    [
        ("SEATWISE_SOURCE", "graph"),
        ("SEATWISE_CLIENT_ID", "test-client"),
        ("SEATWISE_AUTH", "secret"),
        ("SEATWISE_AUTHORITY", base),
        ("SEATWISE_GRAPH_URL", base),
        ("SEATWISE_CLIENT_SECRET", secret),
        ("SEATWISE_GRAPH_TIMEOUT_MS", "5000"),
        ("SEATWISE_GRAPH_MAX_ATTEMPTS", "3"),
        ("SEATWISE_GRAPH_BACKOFF_MS", "10"),
        ("SEATWISE_AUDIT_POLL_MS", "10"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value.to_string()))
    .collect()
}

fn run_against(config: &Path, extra: &[&str], environment: &[(String, String)]) -> Output {
    let pairs: Vec<(&str, &str)> = environment
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    monthly(config, extra, &pairs)
}

#[test]
fn a_graph_source_pulls_audits_and_notifies() {
    let setup = Setup::new();
    let fake = serve(&setup.snapshot, |_| {});
    let receiver = Receiver::start(200);
    let config = setup.config(Some(&receiver), "slack", "");
    let mut environment = graph_environment(&fake.base_url(), "test-secret-value-7f3a");
    environment.push(("SEATWISE_TENANT".to_string(), fake.tenant_id()));

    let check = run_against(&config, &["--check", "--json"], &environment);
    assert_eq!(check.status.code(), Some(0), "{}", describe(&check));
    assert!(
        text(&check.stdout).contains("token acquired"),
        "{}",
        describe(&check)
    );

    let output = run_against(&config, &["--json"], &environment);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let result = json_line(&output);
    assert_eq!(result["status"], "ok");
    let snapshot = PathBuf::from(result["snapshot"].as_str().expect("snapshot"));
    assert!(
        snapshot.starts_with(setup.path("out/snapshots")),
        "{}",
        snapshot.display()
    );
    assert!(snapshot.join("snapshot.json").is_file());
    assert_eq!(receiver.bodies().len(), 1);
    assert!(!text(&output.stderr).contains("test-secret-value-7f3a"));
}

#[test]
fn a_refused_credential_is_notified_and_fails() {
    let setup = Setup::new();
    let fake = serve(&setup.snapshot, |_| {});
    let receiver = Receiver::start(200);
    let config = setup.config(Some(&receiver), "teams", "");
    let mut environment = graph_environment(&fake.base_url(), "an-expired-secret-value");
    environment.push(("SEATWISE_TENANT".to_string(), fake.tenant_id()));
    let output = run_against(&config, &["--json"], &environment);
    // A refused sign-in is the remote service refusing: exit code 3.
    assert_eq!(output.status.code(), Some(3), "{}", describe(&output));
    let result = json_line(&output);
    assert_eq!(result["status"], "failed");
    let bodies = receiver.bodies();
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].to_string().contains("failed"), "{}", bodies[0]);
    assert!(!bodies[0].to_string().contains("an-expired-secret-value"));
}

#[test]
fn last_day_only_runs_on_the_last_day_alone() {
    let setup = Setup::new();
    let receiver = Receiver::start(200);
    let config = setup.config(Some(&receiver), "slack", "");
    let output = monthly(&config, &["--last-day-only", "--json"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let today = chrono::Utc::now().date_naive();
    if seatwise::monthly::run::is_last_day_of_month(today) {
        assert_eq!(receiver.bodies().len(), 1);
    } else {
        assert_eq!(json_line(&output)["status"], "skipped");
        assert!(text(&output.stderr).contains("not the last day of the month"));
        assert!(receiver.bodies().is_empty(), "no run, no notification");
        assert!(!setup.path("out").exists());
    }
}

#[test]
fn an_expired_certificate_is_notified_and_check_catches_it() {
    let setup = Setup::new();
    let fake = serve(&setup.snapshot, |_| {});
    let receiver = Receiver::start(200);
    let config = setup.config(Some(&receiver), "slack", "");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/auth");
    let certificate = fixtures.join("expired.crt");
    let key = fixtures.join("app.key");
    let mut environment = graph_environment(&fake.base_url(), "unused");
    environment.retain(|(name, _)| name != "SEATWISE_AUTH" && name != "SEATWISE_CLIENT_SECRET");
    environment.extend([
        ("SEATWISE_TENANT".to_string(), fake.tenant_id()),
        ("SEATWISE_AUTH".to_string(), "certificate".to_string()),
        (
            "SEATWISE_CERTIFICATE_FILE".to_string(),
            certificate.display().to_string(),
        ),
        (
            "SEATWISE_PRIVATE_KEY_FILE".to_string(),
            key.display().to_string(),
        ),
    ]);

    let check = run_against(&config, &["--check"], &environment);
    assert_eq!(check.status.code(), Some(2), "{}", describe(&check));
    assert!(
        text(&check.stdout).contains("source: FAILED"),
        "{}",
        describe(&check)
    );
    assert!(receiver.bodies().is_empty(), "--check does not notify");

    let output = run_against(&config, &["--json"], &environment);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let result = json_line(&output);
    assert_eq!(result["status"], "failed");
    assert!(
        result["error"]
            .as_str()
            .is_some_and(|error| error.contains("expired")),
        "{result}"
    );
    let bodies = receiver.bodies();
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].to_string().contains("expired"), "{}", bodies[0]);
}
