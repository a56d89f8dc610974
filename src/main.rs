//! The `seatwise` binary: parse the command line, run the command, map the outcome to an exit
//! code (0 success, 1 a `--fail-on` kind was found, 2 bad usage or bad input, 3 a remote
//! service failed after retries). Everything else lives in the library and `commands/`.

mod cli;
mod commands;

use clap::Parser;
use commands::ExitStatus;
use std::io::Write;
use std::process::ExitCode;

const EXIT_FINDINGS: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;
const EXIT_REMOTE: u8 = 3;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let stdout = std::io::stdout();
    let mut stdout = stdout.lock();
    let result = match &cli.command {
        cli::Command::Audit(args) => commands::audit::run(args, &mut stdout),
        cli::Command::Generate(args) => commands::generate::run(args, &mut stdout),
        cli::Command::Plan(command) => commands::plan::run(command, &mut stdout),
        cli::Command::Approve(args) => commands::approve::run(args, &mut stdout),
        cli::Command::Apply(args) => commands::apply::run_apply(args, &mut stdout),
        cli::Command::Rollback(args) => commands::apply::run_rollback(args, &mut stdout),
        cli::Command::Ingest(args) => commands::ingest::run(args, &mut stdout),
    };
    let _ = stdout.flush();
    match result {
        Ok(ExitStatus::Success) => ExitCode::SUCCESS,
        Ok(ExitStatus::FindingsFound) => ExitCode::from(EXIT_FINDINGS),
        Ok(ExitStatus::RemoteRefused) => ExitCode::from(EXIT_REMOTE),
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "seatwise: error: {error:#}");
            ExitCode::from(if is_remote_failure(&error) {
                EXIT_REMOTE
            } else {
                EXIT_BAD_INPUT
            })
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// A remote service (Microsoft Graph) still failing after retries: exit code 3.
fn is_remote_failure(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<seatwise::graph::GraphError>()
            .is_some_and(seatwise::graph::GraphError::is_remote)
            || cause
                .downcast_ref::<seatwise::ingest::graph::PullError>()
                .is_some_and(seatwise::ingest::graph::PullError::is_remote)
            || cause
                .downcast_ref::<seatwise::act::apply::ApplyError>()
                .is_some_and(seatwise::act::apply::ApplyError::is_remote)
    })
}
