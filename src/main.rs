//! The `seatwise` binary: parse the command line, run the command, map the outcome to an exit
//! code (0 success, 1 a `--fail-on` kind was found or a threshold was crossed, 2 bad usage or bad input, 3 a remote
//! service failed after retries, 4 an internal error: a bug). Everything else lives in the
//! library and `commands/`.

mod cli;
mod commands;

use clap::Parser;
use commands::ExitStatus;
use seatwise::support::visible::{TerminalWriter, for_terminal};
use std::io::Write;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EXIT_FINDINGS: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;
const EXIT_REMOTE: u8 = 3;
const EXIT_INTERNAL: u8 = 4;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // Whatever the data holds, the terminal gets no control sequence from it.
    let mut stdout = TerminalWriter::new(std::io::stdout().lock());
    let result = match &cli.command {
        cli::Command::Audit(args) => commands::audit::run(args, &mut stdout),
        cli::Command::Report(args) => commands::report::run(args, &mut stdout),
        cli::Command::Generate(args) => commands::generate::run(args, &mut stdout),
        cli::Command::Plan(command) => commands::plan::run(command, &mut stdout),
        cli::Command::Approve(args) => commands::approve::run(args, &mut stdout),
        cli::Command::Apply(args) => commands::apply::run_apply(args, &mut stdout),
        cli::Command::Rollback(args) => commands::apply::run_rollback(args, &mut stdout),
        cli::Command::Ingest(args) => commands::ingest::run(args, &mut stdout),
        cli::Command::History(command) => commands::history::run(command, &mut stdout),
        cli::Command::Monthly(args) => commands::monthly::run(args, &mut stdout),
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
            if failure_code(&error) == EXIT_INTERNAL {
                let _ = writeln!(
                    std::io::stderr(),
                    "seatwise: internal error: {}\nthis is a bug in seatwise, not a problem with your data: please report it with this message",
                    for_terminal(&describe(&error))
                );
                return ExitCode::from(EXIT_INTERNAL);
            }
            let _ = writeln!(
                std::io::stderr(),
                "seatwise: error: {}",
                for_terminal(&describe(&error))
            );
            ExitCode::from(failure_code(&error))
        }
    }
}

/// The exit code of a failed command: 4 a bug, 3 a remote service failing after retries, 2
/// bad usage or bad input. `monthly` reports it in its `--json` line and notification too.
pub(crate) fn failure_code(error: &anyhow::Error) -> u8 {
    if is_internal_failure(error) {
        EXIT_INTERNAL
    } else if is_remote_failure(error) {
        EXIT_REMOTE
    } else {
        EXIT_BAD_INPUT
    }
}

/// The error and its causes, each said once: a message that already quotes its cause (as
/// "cannot read: No such file" does) is not followed by the cause again.
pub(crate) fn describe(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let message = cause.to_string();
        if text.contains(&message) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&message);
    }
    text
}

/// A failure of seatwise itself (the query engine, a broken invariant), not of the input:
/// exit code 4. A damaged audit table is the input's failure, even when the engine reports it.
fn is_internal_failure(error: &anyhow::Error) -> bool {
    let damaged_table = error.chain().any(|cause| {
        cause
            .downcast_ref::<seatwise::report::tables::TablesError>()
            .is_some()
            || cause
                .downcast_ref::<seatwise::report::audit_folder::AuditFolderError>()
                .is_some_and(|error| {
                    matches!(
                        error,
                        seatwise::report::audit_folder::AuditFolderError::Tables(_)
                    )
                })
    });
    !damaged_table
        && error.chain().any(|cause| {
            cause
                .downcast_ref::<seatwise::analyze::AnalyzeError>()
                .is_some()
                || cause.downcast_ref::<polars::error::PolarsError>().is_some()
                || cause
                    .downcast_ref::<seatwise::ingest::error::IngestError>()
                    .is_some_and(seatwise::ingest::error::IngestError::is_internal)
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_already_quoted_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        let error = anyhow::Error::new(seatwise::ingest::error::IngestError::io(
            std::path::Path::new("snapshot/users.json"),
            io,
        ))
        .context("reading the snapshot");
        assert_eq!(
            describe(&error),
            "reading the snapshot: snapshot/users.json: cannot read: No such file or directory"
        );
    }

    #[test]
    fn engine_failures_are_internal_and_bad_input_is_not() {
        let engine = anyhow::Error::new(seatwise::analyze::AnalyzeError::Engine(
            polars::error::PolarsError::NoData("collect returned too few frames".into()),
        ));
        assert!(is_internal_failure(&engine));
        let bad_input = anyhow::Error::new(seatwise::ingest::error::IngestError::MissingFile {
            path: "snapshot/subscribedSkus.json".into(),
            what: "the purchased SKUs".into(),
        });
        assert!(!is_internal_failure(&bad_input));
    }
}
