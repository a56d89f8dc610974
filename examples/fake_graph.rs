//! The fake Microsoft Graph as a standalone server, for benchmarks of `seatwise ingest graph`.
//!
//! Exists so a benchmark can run the real client against a large generated tenant with a
//! realistic per-page latency, outside the test harness:
//!
//! ```text
//! cargo run --release --example fake_graph -- --snapshot DIR [--port 0] [--latency-ms 50] [--page-size 120]
//! ```
//!
//! Prints `listening on http://127.0.0.1:PORT` as its only stdout line, then serves until
//! killed. Credentials are the test defaults (`test-client` / `test-secret-value-7f3a`, tenant
//! from the snapshot's `snapshot.json`), repeated on stderr.

#[path = "../tests/support/fake_graph/mod.rs"]
mod fake_graph;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use fake_graph::{FakeGraph, FakeGraphConfig};

/// Serve a snapshot folder as Microsoft Graph on loopback.
#[derive(Debug, Parser)]
#[command(name = "fake_graph")]
struct Args {
    /// Snapshot folder to serve (SPEC §2 layout, e.g. from `seatwise generate`).
    #[arg(long)]
    snapshot: PathBuf,
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Delay added before every Graph response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Cap on `$top` for users, groups and members (Graph: 999; 120 with signInActivity).
    #[arg(long, default_value_t = 999)]
    page_size: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if !args.snapshot.is_dir() {
        eprintln!("fake_graph: {} is not a folder", args.snapshot.display());
        return ExitCode::from(2);
    }
    let config = FakeGraphConfig {
        snapshot: args.snapshot,
        latency: Duration::from_millis(args.latency_ms),
        max_page_size: args.page_size.clamp(1, 999),
        ..FakeGraphConfig::default()
    };
    let client_id = config.client_id.clone();
    let secret = config.client_secret.clone();
    let graph = FakeGraph::start_on(config, args.port);
    eprintln!(
        "fake_graph: tenant {} client {client_id} secret {secret}",
        graph.tenant_id()
    );
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "listening on {}", graph.base_url())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    loop {
        std::thread::park();
    }
}
