//! One module per subcommand, each with the same shape: `run(args, out) -> Result<ExitStatus>`.

pub mod apply;
pub mod approve;
pub mod audit;
pub mod connection;
pub mod generate;
pub mod history;
pub mod ingest;
pub mod monthly;
pub mod plan;
pub mod report;
pub mod sign_in;

use anyhow::{Context, bail};
use chrono::NaiveDate;

/// How a command ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    /// A `--fail-on` kind was found, or a `monthly` threshold was crossed.
    FindingsFound,
    /// The command finished but Graph refused some of its changes.
    RemoteRefused,
}

/// Why a command failed; decides the exit code.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("{0}")]
    Invalid(String),
}

/// Parses a `YYYY-MM-DD` date given on the command line.
pub fn parse_date(text: &str, flag: &str) -> anyhow::Result<NaiveDate> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .with_context(|| format!("{flag} {text:?} is not a date: write YYYY-MM-DD"));
    match date {
        Ok(date) => Ok(date),
        Err(error) => bail!(UsageError::Invalid(format!("{error:#}"))),
    }
}

/// Today's date in UTC.
pub fn today_utc() -> NaiveDate {
    chrono::Utc::now().date_naive()
}
