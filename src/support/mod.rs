//! Helpers that several stages use and none owns: timestamps and civil dates, line counting,
//! the spreadsheet guard, input files' digests, the Markdown and HTML escapers, folders and
//! files written aside and moved into place, the characters no reader should get as themselves,
//! byte searches a word at a time. They live here, one copy each, so that no stage imports
//! another stage for a helper.

pub mod digest;
pub mod folder;
pub mod html;
pub mod lines;
pub mod markdown;
pub mod spreadsheet;
pub mod timestamp;
pub mod visible;
pub mod word_scan;
