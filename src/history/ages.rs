//! How old each finding of a month is: the consecutive recorded months, ending with that
//! month, that hold the finding (paired by kind, user and SKU). Ages are carried forward when
//! a month is recorded (one more than the month before gave the same finding, else one) and
//! kept in the month's `ages.parquet`, row by row beside its findings, so comparing two months
//! does not read the findings of the months before them.
//!
//! Each file names its lineage: every month recorded before it, with the SHA-256 of that
//! month's `findings.json`. A file whose lineage is not the history's as it stands (a month
//! before it recorded again, removed, restored from a backup, or pruned; a run killed while it
//! carried ages forward) is stale and not used: the ages are then carried forward again, when
//! read, from the nearest earlier month whose file is current (or from the first month),
//! reading the findings' keys of the months in between. Recording a month writes its file and
//! those of the months after it; pruning rewrites them all; so a reader only falls back after
//! an interrupted run or a history written by an earlier seatwise.
//!
//! `ages.parquet` (`seatwise.history-ages/1`) holds one column, `age_months` (UInt32), one
//! row per row of the month's `findings.parquet`, in its order; the lineage is in the file's
//! key-value metadata under `seatwise.ages.lineage`, a JSON array of `[month, sha256]` pairs,
//! oldest first.

use super::month_tables::{FindingKey, read_finding_keys};
use super::{HistoryError, Month};
use crate::report::tables::{SCHEMA_KEY, read_named_from};
use foldhash::{HashMap, HashMapExt};
use polars::prelude::*;
use polars_io::mmap::MmapBytesReader;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "ages.parquet";
pub const SCHEMA_NAME: &str = "seatwise.history-ages/1";
pub const AGE_MONTHS: &str = "age_months";
pub const LINEAGE_KEY: &str = "seatwise.ages.lineage";

fn schema() -> Schema {
    Schema::from_iter([Field::new(AGE_MONTHS.into(), DataType::UInt32)])
}

/// The months recorded before a month, each with the SHA-256 of its `findings.json`, oldest
/// first: what a month's ages were carried forward through.
pub type Lineage = Vec<(Month, String)>;

/// The lineage of month `index` of `hashes` (every month with the SHA-256 of its
/// `findings.json`, oldest first).
pub fn lineage(hashes: &[(Month, String)], index: usize) -> Lineage {
    hashes[..index].to_vec()
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

/// The ages of month `index` of a history (its folders, and its months with the SHA-256 of
/// their `findings.json`, oldest first), whose findings have `keys`: from its file when
/// current, else carried forward from the nearest earlier month whose file is.
pub fn month_ages(
    folders: &[(Month, PathBuf)],
    manifests: &[(Month, String)],
    index: usize,
    keys: &[FindingKey],
) -> Result<Vec<u32>, HistoryError> {
    if let Some(ages) = read(&folders[index].1, keys.len(), &lineage(manifests, index))? {
        return Ok(ages);
    }
    if index == 0 {
        return Ok(carry_forward(None, keys));
    }
    // The nearest earlier month with current ages (its footer checked first, so only that
    // month's keys are read), from which the months after it are carried forward.
    let mut base = None;
    for earlier in (0..index).rev() {
        let earlier_lineage = lineage(manifests, earlier);
        if !is_current(&folders[earlier].1, &earlier_lineage)? {
            continue;
        }
        let earlier_keys = read_finding_keys(&folders[earlier].1)?;
        if let Some(earlier_ages) = read(&folders[earlier].1, earlier_keys.len(), &earlier_lineage)?
        {
            base = Some((earlier_keys, earlier_ages, earlier + 1));
            break;
        }
    }
    let (mut previous_keys, mut previous_ages, from) = match base {
        Some(base) => base,
        None => {
            let first_keys = read_finding_keys(&folders[0].1)?;
            let first_ages = carry_forward(None, &first_keys);
            (first_keys, first_ages, 1)
        }
    };
    for (_, dir) in &folders[from..index] {
        let month_keys = read_finding_keys(dir)?;
        previous_ages = carry_forward(Some((&previous_keys, &previous_ages)), &month_keys);
        previous_keys = month_keys;
    }
    Ok(carry_forward(Some((&previous_keys, &previous_ages)), keys))
}

/// Whether the month folder `dir` has an ages file of `lineage` (its footer alone is read).
fn is_current(dir: &Path, lineage: &Lineage) -> Result<bool, HistoryError> {
    let path = dir.join(FILE_NAME);
    match std::fs::File::open(&path) {
        Ok(file) => has_lineage(&path, file, lineage),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(HistoryError::io(&path)(error)),
    }
}

/// Whether the ages file `source` (read from `path`) is of `lineage`.
fn has_lineage<R: MmapBytesReader>(
    path: &Path,
    source: R,
    lineage: &Lineage,
) -> Result<bool, HistoryError> {
    let mut reader = ParquetReader::new(source);
    let metadata = reader
        .get_metadata()
        .map_err(|error| HistoryError::Damaged {
            path: path.to_path_buf(),
            problem: error.to_string(),
        })?;
    let entries = metadata.key_value_metadata().clone().unwrap_or_default();
    let value_of = |key: &str| {
        entries
            .iter()
            .find(|entry| entry.key == key)
            .and_then(|entry| entry.value.clone())
    };
    if value_of(SCHEMA_KEY).as_deref() != Some(SCHEMA_NAME) {
        return Err(HistoryError::Damaged {
            path: path.to_path_buf(),
            problem: format!("not a {SCHEMA_NAME} file"),
        });
    }
    let recorded: Option<Lineage> = value_of(LINEAGE_KEY).and_then(|text| {
        serde_json::from_str::<Vec<(String, String)>>(&text)
            .ok()?
            .into_iter()
            .map(|(month, sha)| Some((Month::parse(&month)?, sha)))
            .collect()
    });
    Ok(recorded.as_ref() == Some(lineage))
}

/// The ages kept in the month folder `dir`, whose findings table has `findings` rows, when its
/// file is of `lineage`; `None` when there is none or it is stale. The file is read once, so
/// the lineage checked is that of the rows returned, even while another run replaces it.
pub fn read(
    dir: &Path,
    findings: usize,
    lineage: &Lineage,
) -> Result<Option<Vec<u32>>, HistoryError> {
    let path = dir.join(FILE_NAME);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(HistoryError::io(&path)(error)),
    };
    if !has_lineage(&path, std::io::Cursor::new(bytes.as_slice()), lineage)? {
        return Ok(None);
    }
    let frame = read_named_from(
        &path,
        std::io::Cursor::new(bytes.as_slice()),
        SCHEMA_NAME,
        schema(),
        None,
    )?;
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

/// Writes `ages`, carried forward through `lineage`, as an ages file to `writer`.
pub fn write(ages: &[u32], lineage: &Lineage, writer: impl std::io::Write) -> PolarsResult<()> {
    let frame = DataFrame::new(ages.len(), vec![Column::new(AGE_MONTHS.into(), ages)])?;
    let pairs: Vec<(String, &str)> = lineage
        .iter()
        .map(|(month, sha)| (month.to_string(), sha.as_str()))
        .collect();
    let lineage_text = serde_json::to_string(&pairs)
        .map_err(|error| PolarsError::ComputeError(error.to_string().into()))?;
    let mut frame = frame;
    ParquetWriter::new(writer)
        .with_compression(ParquetCompression::Snappy)
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![
            (SCHEMA_KEY.to_string(), SCHEMA_NAME.to_string()),
            (LINEAGE_KEY.to_string(), lineage_text),
        ])))
        .finish(&mut frame)?;
    Ok(())
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

    fn month(text: &str) -> Month {
        Month::parse(text).expect("month")
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
    fn ages_are_read_back_only_with_their_lineage_and_damage_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let lineage = vec![(month("2026-09"), "sha256:a".to_string())];
        let save = |ages: &[u32], lineage: &Lineage| {
            let mut bytes = Vec::new();
            write(ages, lineage, &mut bytes).expect("written");
            std::fs::write(dir.path().join(FILE_NAME), bytes).expect("saved");
        };
        save(&[1, 4, 2], &lineage);
        assert_eq!(
            read(dir.path(), 3, &lineage).expect("read"),
            Some(vec![1, 4, 2])
        );
        // Another lineage: stale, not used.
        let other = vec![(month("2026-09"), "sha256:b".to_string())];
        assert_eq!(read(dir.path(), 3, &other).expect("read"), None);
        assert_eq!(read(dir.path(), 3, &Vec::new()).expect("read"), None);
        // A lineage that cannot be read is no lineage: stale, carried forward again.
        let mut unreadable = Vec::new();
        ParquetWriter::new(&mut unreadable)
            .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![
                (SCHEMA_KEY.to_string(), SCHEMA_NAME.to_string()),
                (LINEAGE_KEY.to_string(), "[[\"2026-13\", 1]".to_string()),
            ])))
            .finish(
                &mut DataFrame::new(3, vec![Column::new(AGE_MONTHS.into(), [1_u32, 4, 2])])
                    .expect("frame"),
            )
            .expect("written");
        std::fs::write(dir.path().join(FILE_NAME), unreadable).expect("saved");
        assert_eq!(read(dir.path(), 3, &lineage).expect("read"), None);
        assert_eq!(read(dir.path(), 3, &Vec::new()).expect("read"), None);
        save(&[1, 4, 2], &lineage);
        // A file of another length, or with an age of 0, is damaged.
        let error = read(dir.path(), 2, &lineage)
            .expect_err("refused")
            .to_string();
        assert!(
            error.contains(FILE_NAME) && error.contains("3 rows"),
            "{error}"
        );
        save(&[1, 0], &lineage);
        let error = read(dir.path(), 2, &lineage)
            .expect_err("refused")
            .to_string();
        assert!(error.contains("row 2: age_months: missing or 0"), "{error}");
        // Another table in its place is refused by name.
        let mut bytes = Vec::new();
        crate::report::tables::write_named(
            "seatwise.findings/1",
            &DataFrame::new(1, vec![Column::new(AGE_MONTHS.into(), [1_u32])]).expect("frame"),
            &mut bytes,
        )
        .expect("written");
        std::fs::write(dir.path().join(FILE_NAME), bytes).expect("saved");
        let error = read(dir.path(), 1, &lineage)
            .expect_err("refused")
            .to_string();
        assert!(
            error.contains("not a seatwise.history-ages/1 file"),
            "{error}"
        );
        // No file: nothing to read.
        assert_eq!(
            read(&dir.path().join("absent"), 3, &lineage).expect("read"),
            None
        );
    }
}
