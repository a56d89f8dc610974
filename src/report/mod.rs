//! Reports for finance (SPEC §6): the audit's typed tables and the one report model every
//! view renders.
//!
//! An audit writes its [`tables`] (Parquet) beside `findings.json`; the [`model`] is computed
//! from those and the findings with Polars, either in memory during the audit or from an audit
//! folder later ([`audit_folder`]). `summary.md`, the terminal table, the finance page
//! ([`html`]) and the [`workbook`], both written by [`write`], render the model; they add
//! nothing up themselves.

pub mod attribute;
pub mod audit_folder;
pub mod daily_launches;
pub mod figures;
pub mod history;
pub mod holdings_table;
pub mod html;
pub mod model;
pub mod redact;
pub mod tables;
pub mod workbook;
pub mod write;

pub use attribute::UserAttribute;
pub use figures::{Figure, Percent};
pub use model::{AuditContext, DataQuality, ReportModel, ReportOptions};
pub use tables::AuditTables;
pub use workbook::{WorkbookError, write_workbook};
pub use write::{REPORT_FILES, ReportWriteError, write_report};
