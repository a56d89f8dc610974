//! Unattended monthly runs (SPEC §7): `seatwise monthly --config seatwise.toml` pulls or reads
//! a snapshot, audits it, records the month in history, optionally plans a reclaim, notifies a
//! webhook and exits by thresholds, with no prompt, for a scheduler.
//!
//! `config` reads and validates the TOML file and its environment overrides, `threshold`
//! parses and checks the thresholds that decide the exit code, `run` is the typed result (the
//! `--json` line and what the notification carries), and `notify` builds the Slack and Teams
//! payloads and delivers them with retries. The pipeline itself is the audit, history and plan
//! code the other commands use; `seatwise monthly` (in the binary) strings it together.

pub mod config;
pub mod notify;
pub mod run;
pub mod threshold;

pub use config::{MonthlyConfig, NotifyConfig, NotifyFormat, SignIn, Source};
pub use run::{MonthlyResult, RunStatus};
pub use threshold::Threshold;
