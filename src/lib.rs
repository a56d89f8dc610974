//! seatwise: finds the Microsoft 365 / Power Platform licenses a tenant pays for and does not
//! use, and the people who use premium features without a license.
//!
//! The pipeline is visible in the module tree: `ingest` reads a snapshot folder into Polars
//! frames, `analyze` applies the finding rules, `output` writes the audit folder, `report` turns
//! the audit's typed tables and findings into the one model every report renders. `catalogue`
//! holds the bundled SKU catalogue and price book, `generate` writes synthetic tenants, and
//! `act` turns findings and requests into reviewable, approvable plans, and `history` keeps
//! each month's audit and says what changed between months. `contract` holds
//! the types of the files one stage writes and another reads (`findings.json`, `plan.json`).

pub mod act;
pub mod analyze;
pub mod catalogue;
pub mod contract;
pub mod generate;
pub mod graph;
pub mod history;
pub mod ingest;
pub mod model;
pub mod money;
pub mod monthly;
pub mod output;
pub mod report;
pub mod support;
