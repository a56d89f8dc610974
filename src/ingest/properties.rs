//! Property tests of the readers that face raw exports: the CSV splitter, the timestamp parser
//! and the audit record decoder. Whatever the bytes, they answer (a value or a rejection) and
//! never panic; valid input round-trips exactly; and damage outside quoted fields is either
//! caught or harmless, never a silently shifted or merged row.

use super::csv_records::tests::split_bytes as split;
use super::error::Strictness;
use crate::support::timestamp::{format_millis, parse_timestamp};
use proptest::prelude::*;

/// One field as it will be written: bare (no quote, comma or line break) or quoted.
#[derive(Debug, Clone)]
enum Field {
    Bare(String),
    Quoted(String),
}

impl Field {
    fn value(&self) -> &str {
        match self {
            Field::Bare(text) | Field::Quoted(text) => text,
        }
    }
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        "[a-zA-Z0-9 ._@:-]{0,8}".prop_map(Field::Bare),
        "[a-z\",\r\n {}:]{0,10}".prop_map(Field::Quoted),
    ]
}

/// A header width and rows of exactly that many fields.
fn table() -> impl Strategy<Value = Vec<Vec<Field>>> {
    (1usize..5)
        .prop_flat_map(|width| prop::collection::vec(prop::collection::vec(field(), width), 1..6))
}

/// Serialises `rows`; also returns the byte offsets outside quoted fields where a quote or a
/// delimiter may be added, and the offsets of the delimiters that may be removed.
fn write(rows: &[Vec<Field>], line_end: &str) -> (String, Vec<usize>, Vec<usize>) {
    let mut text = String::new();
    let mut outside = Vec::new();
    let mut delimiters = Vec::new();
    for row in rows {
        for (index, field) in row.iter().enumerate() {
            if index > 0 {
                delimiters.push(text.len());
                text.push(',');
            }
            match field {
                Field::Bare(value) => {
                    for offset in 0..=value.len() {
                        outside.push(text.len() + offset);
                    }
                    text.push_str(value);
                }
                Field::Quoted(value) => {
                    text.push('"');
                    text.push_str(&value.replace('"', "\"\""));
                    text.push('"');
                }
            }
        }
        text.push_str(line_end);
    }
    (text, outside, delimiters)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_splitter_answers_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512), block in 1usize..64) {
        let _ = split(&bytes, block);
    }

    #[test]
    fn valid_exports_round_trip_exactly(rows in table(), crlf in any::<bool>(), block in 1usize..64) {
        let (text, _, _) = write(&rows, if crlf { "\r\n" } else { "\n" });
        let expected: Vec<Vec<String>> = rows
            .iter()
            .map(|row| row.iter().map(|field| field.value().to_string()).collect())
            .collect();
        let (found, damaged) = split(text.as_bytes(), block);
        prop_assert!(!damaged);
        prop_assert_eq!(found, expected);
    }

    #[test]
    fn damage_outside_quoted_fields_is_caught_or_harmless(
        rows in table(),
        choice in any::<prop::sample::Index>(),
        kind in 0u8..3,
    ) {
        let width = rows[0].len();
        let (text, outside, delimiters) = write(&rows, "\r\n");
        let mut damaged_text = text.clone();
        match kind {
            0 | 1 if !outside.is_empty() => {
                let at = outside[choice.index(outside.len())];
                damaged_text.insert(at, if kind == 0 { '"' } else { ',' });
            }
            2 if !delimiters.is_empty() => {
                damaged_text.remove(delimiters[choice.index(delimiters.len())]);
            }
            _ => return Ok(()),
        }
        let (found, damaged) = split(damaged_text.as_bytes(), 4096);
        // What a reader accepts: no damaged record, every record as wide as the header.
        let accepted = !damaged && found.iter().all(|record| record.len() == width);
        if accepted {
            prop_assert_eq!(found.len(), rows.len(), "records were merged or split unnoticed");
        }
    }

    #[test]
    fn the_timestamp_parser_answers_any_text(text in "\\PC{0,40}") {
        let _ = parse_timestamp(&text);
    }

    #[test]
    fn iso_timestamps_round_trip(seconds in 946_684_800i64..4_102_444_800) {
        let text = format_millis(seconds * 1000);
        prop_assert_eq!(parse_timestamp(&text), Ok(seconds * 1000));
    }

    #[test]
    fn the_audit_decoder_answers_any_record(audit_data in "[{}\\[\\]\":,a-zA-Z0-9 .-]{0,80}", operation in "(LaunchPowerApp|UserLoggedIn|)") {
        let folder = tempfile::tempdir().map_err(|error| TestCaseError::fail(error.to_string()))?;
        let path = folder.path().join("audit.csv");
        let text = format!(
            "CreationDate,UserIds,Operations,AuditData\r\n2026-10-01T00:00:00Z,a@x,{operation},\"{}\"\r\n",
            audit_data.replace('"', "\"\"")
        );
        std::fs::write(&path, text).map_err(|error| TestCaseError::fail(error.to_string()))?;
        let _ = super::audit::read_audit_file(&path, Strictness::Lenient);
        let _ = super::audit::read_audit_file(&path, Strictness::Strict);
    }
}
