//! Helpers that several stages use and none owns: timestamps and civil dates, line counting,
//! the spreadsheet guard, the HTML escaper, folders written aside and moved into place. They
//! live here, one copy each, so that no stage imports another stage for a helper.

pub mod folder;
pub mod html;
pub mod lines;
pub mod spreadsheet;
pub mod timestamp;
