//! How old each finding of a month is: the consecutive recorded months, ending with that
//! month, that hold the finding (paired by kind, user and SKU). Ages are carried forward when
//! a month is recorded (one more than the month before gave the same finding, else one) and
//! kept in the month's `ages.parquet`, row by row beside its findings, so comparing two months
//! never reads the months before them. Recording a month again, or a month before others,
//! carries the ages of the later months forward again. A month recorded without the file
//! has its ages carried forward from the nearest earlier month that has one, reading the
//! findings' keys of the months in between. Pruning keeps the ages: a finding first seen in a
//! month since pruned stays as old as it was.
//!
//! `ages.parquet` (`seatwise.history-ages/1`) holds one column, `age_months` (UInt32), one
//! row per row of the month's `findings.parquet`, in its order.

use super::month_tables::{FindingKey, read_finding_keys};
use super::{HistoryError, Month};
use crate::report::tables::{read_named, write_named};
use foldhash::{HashMap, HashMapExt};
use polars::prelude::*;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "ages.parquet";
pub const SCHEMA_NAME: &str = "seatwise.history-ages/1";
pub const AGE_MONTHS: &str = "age_months";

fn schema() -> Schema {
    Schema::from_iter([Field::new(AGE_MONTHS.into(), DataType::UInt32)])
}

/// The ages of a month whose findings have `keys`, given the keys and ages of the recorded
/// month before it (none for the first month).
pub fn carry_forward(previous: Option<(&[FindingKey], &[u32])>, keys: &[FindingKey]) -> Vec<u32> {
    let Some((previous_keys, previous_ages)) = previous else {
        return vec![1; keys.len()];
    };
    let mut before: HashMap<FindingKey, u32> = HashMap::with_capacity(previous_keys.len());
    for (key, age) in previous_keys.iter().zip(previous_ages) {
        before.insert(*key, *age);
    }
    keys.iter()
        .map(|key| before.get(key).map_or(1, |age| age.saturating_add(1)))
        .collect()
}

/// The ages of month `index` of `history` (oldest first), whose findings have `keys`.
pub fn month_ages(
    history: &[(Month, PathBuf)],
    index: usize,
    keys: &[FindingKey],
) -> Result<Vec<u32>, HistoryError> {
    let dir = &history[index].1;
    if let Some(ages) = read(dir, keys.len())? {
        return Ok(ages);
    }
    let Some(previous_index) = index.checked_sub(1) else {
        return Ok(carry_forward(None, keys));
    };
    let previous_keys = read_finding_keys(&history[previous_index].1)?;
    let previous_ages = month_ages(history, previous_index, &previous_keys)?;
    Ok(carry_forward(Some((&previous_keys, &previous_ages)), keys))
}

/// The ages kept in the month folder `dir`, whose findings table has `findings` rows; `None`
/// when the month was recorded without them.
pub fn read(dir: &Path, findings: usize) -> Result<Option<Vec<u32>>, HistoryError> {
    let path = dir.join(FILE_NAME);
    if !path.exists() {
        return Ok(None);
    }
    let frame = read_named(&path, SCHEMA_NAME, schema(), None)?;
    let damaged = |problem: String| HistoryError::Damaged {
        path: path.clone(),
        problem,
    };
    if frame.height() != findings {
        return Err(damaged(format!(
            "{} rows, but the month's findings table has {findings}",
            frame.height()
        )));
    }
    let column = frame
        .column(AGE_MONTHS)
        .and_then(Column::u32)
        .map_err(|error| damaged(error.to_string()))?;
    column
        .iter()
        .enumerate()
        .map(|(index, age)| {
            age.filter(|age| *age > 0)
                .ok_or_else(|| damaged(format!("row {}: {AGE_MONTHS}: missing or 0", index + 1)))
        })
        .collect::<Result<Vec<u32>, HistoryError>>()
        .map(Some)
}

/// Writes `ages` as an ages file to `writer`.
pub fn write(ages: &[u32], writer: impl std::io::Write) -> PolarsResult<()> {
    let frame = DataFrame::new(ages.len(), vec![Column::new(AGE_MONTHS.into(), ages)])?;
    write_named(SCHEMA_NAME, &frame, writer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::FindingKind;
    use crate::model::guid::Guid;

    fn key(kind: FindingKind, user: u128, sku: u128) -> FindingKey {
        FindingKey {
            kind,
            user_id: Some(Guid::from_bits(user)),
            sku_id: Guid::from_bits(sku),
        }
    }

    #[test]
    fn a_finding_held_the_month_before_is_a_month_older() {
        let inactive = key(FindingKind::InactiveHolder, 1, 10);
        let unused = key(FindingKind::UnusedPremium, 2, 20);
        let idle = FindingKey {
            kind: FindingKind::IdleSeats,
            user_id: None,
            sku_id: Guid::from_bits(10),
        };
        assert_eq!(carry_forward(None, &[inactive, idle]), vec![1, 1]);

        let before = [inactive, idle, unused];
        let ages = [3, 1, 7];
        // The same user and SKU under another kind is another finding.
        let changed = key(FindingKind::InactiveHolder, 2, 20);
        assert_eq!(
            carry_forward(Some((&before, &ages)), &[changed, idle, inactive]),
            vec![1, 2, 4]
        );
    }

    #[test]
    fn ages_read_back_and_a_file_of_another_length_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut bytes = Vec::new();
        write(&[1, 4, 2], &mut bytes).expect("written");
        std::fs::write(dir.path().join(FILE_NAME), bytes).expect("saved");
        assert_eq!(read(dir.path(), 3).expect("read"), Some(vec![1, 4, 2]));
        let error = read(dir.path(), 2).expect_err("refused").to_string();
        assert!(
            error.contains("ages.parquet") && error.contains("3 rows"),
            "{error}"
        );
        assert_eq!(read(&dir.path().join("absent"), 3).expect("read"), None);
    }
}
