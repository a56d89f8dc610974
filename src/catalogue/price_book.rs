//! Price books: monthly list prices per SKU part number, in one currency.
//!
//! The bundled book holds public USD list prices; a snapshot's `prices.csv` overrides it SKU
//! by SKU. A row may carry `EffectiveFrom`: the price in force on the as-of date is the row
//! with the latest `EffectiveFrom` on or before it, so one file can hold a price history.
//!
//! A row may also carry `MinSeats` (SPEC §2): volume tiers. Among the rows in force, the tier
//! whose `MinSeats` the tenant's purchased seats of that SKU reach applies, the highest one
//! reached winning; a row without `MinSeats` is the base tier (reached by any tenant). A later
//! `EffectiveFrom` restates a price list whole: its rows win over older ones, whatever their
//! tiers. `Purchasable` (default true) says whether the SKU can still be bought, and `Source`
//! where the price comes from; both are carried, never guessed.

use crate::ingest::error::{IngestError, RejectionLog, rejection};
use crate::ingest::table::CsvTable;
use crate::model::columns;
use crate::money::Money;
use crate::support::timestamp::parse_timestamp;
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// One row of a price book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceEntry {
    pub part_number: String,
    pub monthly_price: Money,
    pub currency: String,
    pub effective_from: Option<NaiveDate>,
    /// The fewest purchased seats for this tier to apply; 0 for the base tier.
    pub min_seats: i64,
    /// Whether the SKU can still be bought (`Purchasable`, default true).
    pub purchasable: bool,
    /// Where the price comes from (`Source`), as written.
    pub source: Option<String>,
}

/// A price book: entries in one currency.
#[derive(Debug, Clone, Default)]
pub struct PriceBook {
    pub entries: Vec<PriceEntry>,
}

/// Where the effective prices came from, for the audit to state.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PriceBookOrigin {
    pub currency: String,
    pub bundled_entries: usize,
    pub snapshot_entries: usize,
    /// True when the snapshot's book is in another currency than the bundled one, so the
    /// bundled prices were not used at all.
    pub bundled_replaced: bool,
}

impl PriceBook {
    /// Parses a price book in the `SkuPartNumber, MonthlyPrice, Currency[, EffectiveFrom]
    /// [, MinSeats][, Purchasable][, Source]` layout.
    pub fn parse(table: &CsvTable, log: &mut RejectionLog) -> Result<PriceBook, IngestError> {
        let path = table.path();
        let mut entries = Vec::new();
        let mut currency: Option<String> = None;
        // SPEC §2: a row is keyed by (part number, EffectiveFrom, MinSeats); one key with two
        // prices is ambiguous, never "last value wins".
        let mut seen: BTreeMap<(String, Option<NaiveDate>, String), (Money, String)> =
            BTreeMap::new();
        for row in table.rows() {
            let part_number = row.get("SkuPartNumber").trim();
            if part_number.is_empty() {
                log.reject(rejection(
                    path,
                    row.location(),
                    "SkuPartNumber",
                    "empty part number",
                ))?;
                continue;
            }
            let monthly_price = match Money::parse(row.get("MonthlyPrice")) {
                Ok(price) if price > crate::money::MAX_MONTHLY_PRICE => {
                    log.reject(rejection(
                        path,
                        row.location(),
                        "MonthlyPrice",
                        format!(
                            "{} a month is beyond any license price (at most {})",
                            price.grouped(),
                            crate::money::MAX_MONTHLY_PRICE.grouped()
                        ),
                    ))?;
                    continue;
                }
                Ok(price) => price,
                Err(problem) => {
                    log.reject(rejection(path, row.location(), "MonthlyPrice", problem))?;
                    continue;
                }
            };
            let row_currency = row.get("Currency").trim().to_ascii_uppercase();
            if row_currency.len() != 3
                || !row_currency.bytes().all(|byte| byte.is_ascii_alphabetic())
            {
                log.reject(rejection(
                    path,
                    row.location(),
                    "Currency",
                    format!(
                        "expected a three-letter currency code, found {:?}",
                        row.get("Currency")
                    ),
                ))?;
                continue;
            }
            match &currency {
                Some(book_currency) if *book_currency != row_currency => {
                    log.reject(rejection(
                        path,
                        row.location(),
                        "Currency",
                        format!("a price book holds one currency: {book_currency} above, {row_currency} here"),
                    ))?;
                    continue;
                }
                Some(_) => {}
                None => currency = Some(row_currency.clone()),
            }
            let effective_text = row.get("EffectiveFrom").trim();
            let effective_from = if effective_text.is_empty() {
                None
            } else {
                match parse_timestamp(effective_text) {
                    Ok(millis) => chrono::DateTime::from_timestamp_millis(millis)
                        .map(|moment| moment.date_naive()),
                    Err(problem) => {
                        log.reject(rejection(path, row.location(), "EffectiveFrom", problem))?;
                        continue;
                    }
                }
            };
            let min_seats = match parse_min_seats(row.get("MinSeats")) {
                Ok(seats) => seats,
                Err(problem) => {
                    log.reject(rejection(path, row.location(), "MinSeats", problem))?;
                    continue;
                }
            };
            let purchasable = match parse_purchasable(row.get("Purchasable")) {
                Ok(purchasable) => purchasable,
                Err(problem) => {
                    log.reject(rejection(path, row.location(), "Purchasable", problem))?;
                    continue;
                }
            };
            let source = Some(row.get("Source").trim())
                .filter(|text| !text.is_empty())
                .map(str::to_string);
            let key = (
                part_number.to_ascii_lowercase(),
                effective_from,
                min_seats.to_string(),
            );
            match seen.get(&key) {
                Some((price, _)) if *price == monthly_price => continue,
                Some((price, place)) => {
                    log.reject(rejection(
                        path,
                        row.location(),
                        "MonthlyPrice",
                        format!(
                            "{part_number} is priced {} here and {} at {place} for the same EffectiveFrom and MinSeats",
                            monthly_price.grouped(),
                            price.grouped()
                        ),
                    ))?;
                    continue;
                }
                None => {
                    seen.insert(key, (monthly_price, row.location().to_string()));
                }
            }
            entries.push(PriceEntry {
                part_number: part_number.to_string(),
                monthly_price,
                currency: row_currency,
                effective_from,
                min_seats,
                purchasable,
                source,
            });
        }
        Ok(PriceBook { entries })
    }

    pub fn currency(&self) -> Option<&str> {
        self.entries.first().map(|entry| entry.currency.as_str())
    }

    /// Combines the bundled book with a snapshot's: the snapshot's rows replace every bundled
    /// row of the same part number; a snapshot book in another currency replaces the whole
    /// bundled book.
    pub fn overridden_by(self, snapshot: Option<PriceBook>) -> (PriceBook, PriceBookOrigin) {
        let bundled_currency = self.currency().unwrap_or("USD").to_string();
        let bundled_entries = self.entries.len();
        let Some(snapshot) = snapshot.filter(|book| !book.entries.is_empty()) else {
            let origin = PriceBookOrigin {
                currency: bundled_currency,
                bundled_entries,
                snapshot_entries: 0,
                bundled_replaced: false,
            };
            return (self, origin);
        };
        let snapshot_currency = snapshot.currency().unwrap_or("USD").to_string();
        let snapshot_entries = snapshot.entries.len();
        if snapshot_currency != bundled_currency {
            let origin = PriceBookOrigin {
                currency: snapshot_currency,
                bundled_entries,
                snapshot_entries,
                bundled_replaced: true,
            };
            return (snapshot, origin);
        }
        let overridden: std::collections::BTreeSet<String> = snapshot
            .entries
            .iter()
            .map(|entry| entry.part_number.to_ascii_lowercase())
            .collect();
        let mut entries: Vec<PriceEntry> = self
            .entries
            .into_iter()
            .filter(|entry| !overridden.contains(&entry.part_number.to_ascii_lowercase()))
            .collect();
        entries.extend(snapshot.entries);
        let origin = PriceBookOrigin {
            currency: bundled_currency,
            bundled_entries,
            snapshot_entries,
            bundled_replaced: false,
        };
        (PriceBook { entries }, origin)
    }

    /// The base-tier price of each part number in force on `as_of` (part numbers compared
    /// ignoring case): the price a tenant buying no seats would pay.
    pub fn effective_on(&self, as_of: NaiveDate) -> BTreeMap<String, Money> {
        self.effective_for_seats(as_of, &BTreeMap::new())
    }

    /// The price of each part number in force on `as_of` at the tier the tenant's purchased
    /// seats reach (`seats`: lower-case part number to purchased seats; a part number missing
    /// from it has none). Of the rows in force, the latest `EffectiveFrom` wins, then the
    /// highest `MinSeats` reached.
    pub fn effective_for_seats(
        &self,
        as_of: NaiveDate,
        seats: &BTreeMap<String, i64>,
    ) -> BTreeMap<String, Money> {
        self.rows_in_force(as_of, seats)
            .into_iter()
            .map(|(key, entry)| (key, entry.monthly_price))
            .collect()
    }

    /// The row in force for `part_number` on `as_of` at the tier `seats` reach (see
    /// [`PriceBook::effective_for_seats`]); `None` when the book does not price it then.
    pub fn entry_for_seats(
        &self,
        part_number: &str,
        as_of: NaiveDate,
        seats: i64,
    ) -> Option<&PriceEntry> {
        let key = part_number.to_ascii_lowercase();
        let seats = BTreeMap::from([(key.clone(), seats)]);
        self.rows_in_force(as_of, &seats).remove(&key)
    }

    fn rows_in_force(
        &self,
        as_of: NaiveDate,
        seats: &BTreeMap<String, i64>,
    ) -> BTreeMap<String, &PriceEntry> {
        let mut chosen: BTreeMap<String, &PriceEntry> = BTreeMap::new();
        for entry in &self.entries {
            if entry.effective_from.is_some_and(|from| from > as_of) {
                continue;
            }
            let key = entry.part_number.to_ascii_lowercase();
            // Any tenant reaches the base tier, even one that buys no seat of the SKU.
            let purchased = seats.get(&key).copied().unwrap_or(0).max(1);
            if entry.min_seats > purchased {
                continue;
            }
            let replace = match chosen.get(&key) {
                None => true,
                Some(known) => {
                    (entry.effective_from, entry.min_seats)
                        >= (known.effective_from, known.min_seats)
                }
            };
            if replace {
                chosen.insert(key, entry);
            }
        }
        chosen
    }

    /// The first day the book prices `part_number`, when every row for it starts after
    /// `as_of`: such a SKU is unpriced on `as_of` because the book starts later, not because
    /// it is free.
    pub fn starts_after(&self, part_number: &str, as_of: NaiveDate) -> Option<NaiveDate> {
        let mut first: Option<NaiveDate> = None;
        for entry in &self.entries {
            if !entry.part_number.eq_ignore_ascii_case(part_number) {
                continue;
            }
            match entry.effective_from {
                Some(from) if from > as_of => {
                    first = Some(first.map_or(from, |known| known.min(from)));
                }
                _ => return None,
            }
        }
        first
    }

    /// The prices in force on `as_of` at the tiers `seats` reach, as a frame: `sku_key` (lower-case part number) and
    /// `monthly_price` in micro-units.
    pub fn frame_on(
        &self,
        as_of: NaiveDate,
        seats: &BTreeMap<String, i64>,
    ) -> PolarsResult<DataFrame> {
        let prices = self.effective_for_seats(as_of, seats);
        DataFrame::new_infer_height(vec![
            Column::new(
                columns::SKU_KEY.into(),
                prices.keys().map(String::as_str).collect::<Vec<_>>(),
            ),
            Column::new(
                columns::MONTHLY_PRICE.into(),
                prices.values().map(|price| price.0).collect::<Vec<i64>>(),
            ),
        ])
    }

    /// The bundled price book.
    pub fn bundled() -> Result<PriceBook, IngestError> {
        let path = Path::new("data/prices.csv");
        let table = CsvTable::open_text(path, super::BUNDLED_PRICES_CSV, REQUIRED_PRICE_COLUMNS)?;
        PriceBook::parse(&table, &mut RejectionLog::default())
    }
}

/// Columns every price book must have.
pub const REQUIRED_PRICE_COLUMNS: &[&str] = &["SkuPartNumber", "MonthlyPrice", "Currency"];

/// `MinSeats`: empty (the base tier) or a whole number of seats.
fn parse_min_seats(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(0);
    }
    match trimmed.parse::<i64>() {
        Ok(seats) if (0..=crate::money::MAX_SEATS).contains(&seats) => Ok(seats),
        _ => Err(format!(
            "expected a whole number of seats from 0 to {}, found {trimmed:?}",
            crate::money::MAX_SEATS
        )),
    }
}

/// `Purchasable`: empty (true), `true` or `false`, in any case.
fn parse_purchasable(text: &str) -> Result<bool, String> {
    match text.trim() {
        "" => Ok(true),
        value if value.eq_ignore_ascii_case("true") => Ok(true),
        value if value.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(format!("expected true or false, found {other:?}")),
    }
}
