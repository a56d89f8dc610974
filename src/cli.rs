//! Command-line types (clap). Doc comments here are the `--help` text; nothing below
//! `commands/` sees these types' parsing details.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// seatwise: find the Microsoft 365 / Power Platform licenses you pay for and do not use,
/// and the people who use premium apps without a license.
#[derive(Debug, Parser)]
#[command(name = "seatwise", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a snapshot, apply the finding rules and write the audit folder.
    #[command(
        after_help = "Example:\n  seatwise audit data/sample\n  seatwise audit exports/2026-11 --as-of 2026-11-01 --window-days 60 --out reports/nov --fail-on missing-premium"
    )]
    Audit(AuditArgs),
    /// Write a realistic, deterministic synthetic tenant snapshot.
    #[command(
        after_help = "Example:\n  seatwise generate --users 300 --seed 7 --as-of 2026-11-01 --out data/sample"
    )]
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The snapshot folder (subscribedSkus.json, users…, optional groups.json, apps.csv,
    /// audit/*.csv, prices.csv, snapshot.json).
    pub snapshot: PathBuf,
    /// The as-of date (YYYY-MM-DD). Default: the snapshot's collectedAt date, else today (UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Length of the activity window in days, ending on the as-of date.
    #[arg(long, value_name = "DAYS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub window_days: u32,
    /// Where to write the audit folder. Default: reports/<as-of>/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Exit with status 1 when any finding of these kinds is found (assignment-error,
    /// duplicate-assignment, idle-seats, inactive-holder, missing-premium, unused-premium).
    #[arg(long, value_name = "KIND", num_args = 1.., value_delimiter = ',')]
    pub fail_on: Vec<String>,
    /// Skip malformed rows and count them in the data-quality section instead of stopping.
    #[arg(long)]
    pub lenient: bool,
    /// Report how long each stage took, on stderr.
    #[arg(long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of directory users.
    #[arg(long, value_name = "N")]
    pub users: usize,
    /// Seed of the random generator: the same seed gives the same tenant.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The as-of date the tenant is generated around (YYYY-MM-DD). Default: today (UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// The folder to create.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}
