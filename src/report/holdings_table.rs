//! The audit's holdings table (`holdings.parquet`, see [`super::tables`]): every license a
//! user holds, sorted by user and SKU, with the sources granting it (`direct` first, then the
//! group ids in order; null when the export does not say).
//!
//! A large tenant has millions of holdings and assignment states. Joining and sorting them as
//! frames on two string keys encodes every key row by row, several times, and takes seconds
//! and gigabytes; here both sides are sorted once as tuples of borrowed strings and walked side
//! by side, and the output's ids are gathered from the holdings, sharing their bytes.

use crate::model::columns;
use polars::prelude::*;
use rayon::prelude::*;

/// The table from `holdings` ([`crate::model::schema::holdings`]) and `assignment_states`
/// ([`crate::model::schema::assignment_states`]).
pub fn build(holdings: &DataFrame, assignment_states: &DataFrame) -> PolarsResult<DataFrame> {
    let held_users = holdings.column(columns::USER_ID)?.str()?;
    let held_skus = holdings.column(columns::SKU_ID)?.str()?;
    let sources = SourcesByPair::of(assignment_states)?;

    // (user, SKU, row): the row keeps the order of equal pairs fixed.
    let mut held: Vec<(Option<&str>, Option<&str>, IdxSize)> =
        Vec::with_capacity(holdings.height());
    for (row, (user, sku)) in held_users.iter().zip(held_skus.iter()).enumerate() {
        let row = IdxSize::try_from(row)
            .map_err(|_| polars_err!(ComputeError: "too many holdings to index"))?;
        held.push((user, sku, row));
    }
    held.par_sort_unstable();

    let mut assigned_by =
        ListStringChunkedBuilder::new(columns::ASSIGNED_BY.into(), held.len(), held.len());
    let mut cursor = 0;
    for &(user, sku, _) in &held {
        match sources.of_pair(user, sku, &mut cursor) {
            Some(found) => assigned_by.append_trusted_len_iter(found.iter().map(|entry| entry.3)),
            None => assigned_by.append_null(),
        }
    }
    let order = IdxCa::from_vec(
        PlSmallStr::EMPTY,
        held.iter().map(|&(_, _, row)| row).collect(),
    );
    DataFrame::new_infer_height(vec![
        holdings.column(columns::USER_ID)?.take(&order)?,
        holdings.column(columns::SKU_ID)?.take(&order)?,
        assigned_by.finish().into_column(),
    ])
}

/// (user, SKU, `direct` last, source): the order of the table's sources within a pair.
type SourceEntry<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<bool>,
    Option<&'a str>,
);

/// Each (user, SKU) pair's distinct sources, sorted by pair, then `direct` first, then by id.
struct SourcesByPair<'a> {
    entries: Vec<SourceEntry<'a>>,
}

impl<'a> SourcesByPair<'a> {
    fn of(states: &'a DataFrame) -> PolarsResult<SourcesByPair<'a>> {
        let users = states.column(columns::USER_ID)?.str()?;
        let skus = states.column(columns::SKU_ID)?.str()?;
        let sources = states.column(columns::ASSIGNED_BY)?.str()?;
        let mut entries: Vec<SourceEntry<'a>> = users
            .iter()
            .zip(skus.iter())
            .zip(sources.iter())
            .map(|((user, sku), source)| {
                (
                    user,
                    sku,
                    source.map(|source| source != columns::DIRECT),
                    source,
                )
            })
            .collect();
        entries.par_sort_unstable();
        entries.dedup();
        Ok(SourcesByPair { entries })
    }

    /// The sources of the pair (`user`, `sku`), or `None` when no state names it. Pairs are
    /// asked for in ascending order: `cursor` is where the previous answer ended.
    fn of_pair(
        &self,
        user: Option<&str>,
        sku: Option<&str>,
        cursor: &mut usize,
    ) -> Option<&[SourceEntry<'a>]> {
        let pair = (user, sku);
        let key = |entry: &SourceEntry<'a>| (entry.0, entry.1);
        while self
            .entries
            .get(*cursor)
            .is_some_and(|entry| key(entry) < pair)
        {
            *cursor += 1;
        }
        let start = *cursor;
        let length = self.entries[start..]
            .iter()
            .take_while(|entry| key(entry) == pair)
            .count();
        (length > 0).then(|| &self.entries[start..start + length])
    }
}

#[cfg(test)]
mod tests {
    use super::build;
    use crate::model::columns;
    use polars::prelude::*;

    fn holdings(rows: &[(&str, &str)]) -> DataFrame {
        df!(
            columns::USER_ID => rows.iter().map(|row| row.0).collect::<Vec<_>>(),
            columns::SKU_ID => rows.iter().map(|row| row.1).collect::<Vec<_>>(),
        )
        .expect("holdings frame")
    }

    fn states(rows: &[(&str, &str, Option<&str>)]) -> DataFrame {
        df!(
            columns::USER_ID => rows.iter().map(|row| row.0).collect::<Vec<_>>(),
            columns::SKU_ID => rows.iter().map(|row| row.1).collect::<Vec<_>>(),
            columns::ASSIGNED_BY => rows.iter().map(|row| row.2).collect::<Vec<_>>(),
        )
        .expect("states frame")
    }

    /// A row: user, SKU, and the sources (`None` for a null list).
    type Row = (String, String, Option<Vec<Option<String>>>);

    fn rows(table: &DataFrame) -> PolarsResult<Vec<Row>> {
        let users = table.column(columns::USER_ID)?.str()?;
        let skus = table.column(columns::SKU_ID)?.str()?;
        let sources = table.column(columns::ASSIGNED_BY)?.list()?;
        let text = |value: Option<&str>| value.expect("ids are never null").to_string();
        (0..table.height())
            .map(|row| {
                let list = match sources.get_as_series(row) {
                    Some(series) => Some(
                        series
                            .str()?
                            .iter()
                            .map(|value| value.map(str::to_string))
                            .collect(),
                    ),
                    None => None,
                };
                Ok((text(users.get(row)), text(skus.get(row)), list))
            })
            .collect()
    }

    fn owned(sources: &[&str]) -> Option<Vec<Option<String>>> {
        Some(
            sources
                .iter()
                .map(|source| Some(source.to_string()))
                .collect(),
        )
    }

    #[test]
    fn holdings_sorted_with_distinct_sources_direct_first_then_groups_in_order() -> PolarsResult<()>
    {
        let table = build(
            &holdings(&[("u2", "s1"), ("u1", "s2"), ("u1", "s1")]),
            &states(&[
                ("u1", "s1", Some("g-b")),
                ("u1", "s1", Some("direct")),
                ("u1", "s1", Some("g-a")),
                ("u1", "s1", Some("g-b")),
                ("u2", "s1", Some("direct")),
                // A state for a license no longer held names no row.
                ("u0", "s9", Some("direct")),
            ]),
        )?;
        assert_eq!(
            rows(&table)?,
            vec![
                ("u1".into(), "s1".into(), owned(&["direct", "g-a", "g-b"])),
                ("u1".into(), "s2".into(), None),
                ("u2".into(), "s1".into(), owned(&["direct"])),
            ]
        );
        assert_eq!(
            table.column(columns::ASSIGNED_BY)?.dtype(),
            &DataType::List(Box::new(DataType::String))
        );
        Ok(())
    }

    #[test]
    fn a_state_without_a_source_is_kept_as_a_null_source_first() -> PolarsResult<()> {
        let table = build(
            &holdings(&[("u1", "s1")]),
            &states(&[("u1", "s1", Some("g-a")), ("u1", "s1", None)]),
        )?;
        assert_eq!(
            rows(&table)?,
            vec![(
                "u1".into(),
                "s1".into(),
                Some(vec![None, Some("g-a".to_string())])
            )]
        );
        Ok(())
    }

    #[test]
    fn no_holdings_is_an_empty_table_of_the_same_columns() -> PolarsResult<()> {
        let table = build(&holdings(&[]), &states(&[("u1", "s1", Some("direct"))]))?;
        assert_eq!(table.height(), 0);
        assert_eq!(
            table
                .get_column_names()
                .iter()
                .map(|name| name.as_str())
                .collect::<Vec<_>>(),
            [columns::USER_ID, columns::SKU_ID, columns::ASSIGNED_BY]
        );
        Ok(())
    }
}
