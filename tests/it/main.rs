//! The one integration test binary: every integration test module is listed here.

mod apply;
mod approvals;
mod catalogue;
mod chargeback;
mod cli;
mod coverage;
mod damaged_exports;
mod deploy;
mod end_to_end;
#[path = "../support/fake_graph/mod.rs"]
pub mod fake_graph;
mod fake_graph_smoke;
mod fake_graph_writes;
mod generate;
mod graph_ingest;
mod history;
mod hostile;
mod hostile_outputs;
mod ingest;
mod monthly;
mod plans;
mod ps1_escaping;
mod ps_tokens;
mod real_exports;
mod redaction;
mod redundant;
mod renewals;
mod report;
mod report_browser;
mod report_html;
mod report_trend;
mod reports_sample;
mod right_size;
mod sign_in;
mod snapshots;
mod util;
mod workbook;
