//! The one integration test binary: every integration test module is listed here.

mod catalogue;
mod cli;
mod end_to_end;
mod generate;
mod ingest;
mod plans;
mod util;
