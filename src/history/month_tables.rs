//! A recorded month's tables, read into the lookups the comparison needs: its findings by
//! key, who is in the directory and active, who holds what, and each SKU's seats and price.
//! Users and SKUs are keyed by their ids as 128-bit [`Guid`]s, so pairing hundreds of
//! thousands of them across months hashes integers, not text. Reading goes through
//! [`crate::report::tables::read_table`], so a damaged or foreign file is refused by name,
//! as is an id that is not a GUID.

use super::{HistoryError, Month, MonthManifest};
use crate::analyze::inputs::{IS_PAID, PURCHASED_SEATS};
use crate::analyze::rules::{KIND, MONTHLY_AMOUNT, REASON, SEATS};
use crate::analyze::{FindingKind, FindingReason};
use crate::model::columns;
use crate::model::guid::Guid;
use crate::money::Money;
use crate::report::tables::{ACTIVITY_KNOWN, Table, read_columns, read_table};
use foldhash::{HashMap, HashMapExt, HashSet};
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// What pairs findings across months: kind, user (none for SKU-level findings), SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FindingKey {
    pub kind: FindingKind,
    pub user_id: Option<Guid>,
    pub sku_id: Guid,
}

/// One finding of a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRow {
    pub key: FindingKey,
    pub user_principal_name: Option<String>,
    pub sku_part_number: String,
    pub reason: Option<FindingReason>,
    pub seats: Option<i64>,
    pub monthly_amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserState {
    pub user_principal_name: String,
    /// Last activity on or after the month's window's first day (SPEC §1).
    pub active: bool,
}

/// Who holds what: every (user, SKU) pair of a month, sorted and each once, with where each
/// user's run of pairs starts, so a month's 600,000 holdings take two allocations, not one per
/// user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holdings {
    pairs: Vec<(Guid, Guid)>,
    runs: HashMap<Guid, (usize, usize)>,
}

impl Holdings {
    pub fn from_pairs(mut pairs: Vec<(Guid, Guid)>) -> Holdings {
        pairs.sort_unstable();
        pairs.dedup();
        let mut runs = HashMap::with_capacity(pairs.len() / 2);
        let mut start = 0;
        for (index, (user, _)) in pairs.iter().enumerate() {
            if pairs.get(index + 1).is_none_or(|(next, _)| next != user) {
                runs.insert(*user, (start, index + 1));
                start = index + 1;
            }
        }
        Holdings { pairs, runs }
    }

    /// The SKUs `user` holds, sorted.
    pub fn skus_of(&self, user: Guid) -> impl Iterator<Item = Guid> + '_ {
        let (start, end) = self.runs.get(&user).copied().unwrap_or((0, 0));
        self.pairs[start..end].iter().map(|(_, sku)| *sku)
    }

    pub fn holds(&self, user: Guid, sku: Guid) -> bool {
        self.runs.get(&user).is_some_and(|(start, end)| {
            self.pairs[*start..*end].binary_search(&(user, sku)).is_ok()
        })
    }

    /// Every user holding something, each once, in id order.
    pub fn users(&self) -> impl Iterator<Item = Guid> + '_ {
        self.pairs
            .iter()
            .enumerate()
            .filter(|(index, (user, _))| {
                index
                    .checked_sub(1)
                    .is_none_or(|previous| self.pairs[previous].0 != *user)
            })
            .map(|(_, (user, _))| *user)
    }

    /// Every (user, SKU) pair, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (Guid, Guid)> + '_ {
        self.pairs.iter().copied()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuState {
    pub sku_part_number: String,
    pub premium: bool,
    pub purchased_seats: i64,
    pub monthly_price: Option<Money>,
    pub is_paid: bool,
}

impl SkuState {
    /// Paid and priced: holding it costs money.
    pub fn is_paid_license(&self) -> bool {
        self.is_paid && self.monthly_price.is_some_and(|price| price > Money::ZERO)
    }

    /// What the tenant pays for the SKU a month: purchased seats × price, when paid.
    pub fn monthly_cost(&self) -> Money {
        match self.monthly_price {
            Some(price) if self.is_paid => price.times(self.purchased_seats),
            _ => Money::ZERO,
        }
    }
}

/// One month, read.
#[derive(Debug)]
pub struct MonthTables {
    pub month: Month,
    pub dir: PathBuf,
    pub manifest: MonthManifest,
    pub findings: Vec<FindingRow>,
    pub users: HashMap<Guid, UserState>,
    /// False when the snapshot carried no sign-in activity: `active` then says nothing.
    pub activity_known: bool,
    pub holdings: Holdings,
    pub skus: HashMap<Guid, SkuState>,
}

impl MonthTables {
    pub fn read(month: Month, dir: &Path) -> Result<MonthTables, HistoryError> {
        let manifest = MonthManifest::read(dir)?;
        let findings = read_findings(dir)?;
        let (users, activity_known) = read_users(dir, &manifest)?;
        let holdings = read_holdings(dir, None)?;
        let skus = read_skus(dir)?;
        Ok(MonthTables {
            month,
            dir: dir.to_path_buf(),
            manifest,
            findings,
            users,
            activity_known,
            holdings,
            skus,
        })
    }

    pub fn holds(&self, user_id: Guid, sku_id: Guid) -> bool {
        self.holdings.holds(user_id, sku_id)
    }

    /// The user holds a paid, priced license this month.
    pub fn holds_paid_license(&self, user_id: Guid) -> bool {
        self.holdings
            .skus_of(user_id)
            .any(|sku| self.skus.get(&sku).is_some_and(SkuState::is_paid_license))
    }

    pub fn is_active(&self, user_id: Guid) -> bool {
        self.users.get(&user_id).is_some_and(|user| user.active)
    }

    /// The user's principal name this month, if in the directory.
    pub fn principal_name(&self, user_id: Guid) -> Option<&str> {
        self.users
            .get(&user_id)
            .map(|user| user.user_principal_name.as_str())
    }
}

/// Typed access to the columns of one month's table; a column of another type is a damaged
/// file, named.
struct Columns<'a> {
    frame: &'a DataFrame,
    /// The table's file.
    path: PathBuf,
}

impl<'a> Columns<'a> {
    fn of(frame: &'a DataFrame, dir: &Path, table: Table) -> Columns<'a> {
        Columns {
            frame,
            path: dir.join(table.file_name()),
        }
    }

    fn damaged(&self, error: PolarsError) -> HistoryError {
        HistoryError::Damaged {
            path: self.path.clone(),
            problem: error.to_string(),
        }
    }

    fn strings(&self, name: &str) -> Result<&'a StringChunked, HistoryError> {
        let frame: &'a DataFrame = self.frame;
        frame
            .column(name)
            .and_then(Column::str)
            .map_err(|error| self.damaged(error))
    }

    fn integers(&self, name: &str) -> Result<&'a Int64Chunked, HistoryError> {
        let frame: &'a DataFrame = self.frame;
        frame
            .column(name)
            .and_then(Column::i64)
            .map_err(|error| self.damaged(error))
    }

    fn booleans(&self, name: &str) -> Result<&'a BooleanChunked, HistoryError> {
        let frame: &'a DataFrame = self.frame;
        frame
            .column(name)
            .and_then(Column::bool)
            .map_err(|error| self.damaged(error))
    }

    /// A column of GUIDs, parsed; a value that is not one is a damaged file, named by row.
    fn guids(&self, name: &str) -> Result<Vec<Option<Guid>>, HistoryError> {
        let texts = self.strings(name)?;
        let mut guids = Vec::with_capacity(texts.len());
        for (index, text) in texts.iter().enumerate() {
            guids.push(match text {
                None => None,
                Some(text) => Some(Guid::parse(text).ok_or_else(|| HistoryError::Damaged {
                    path: self.path.clone(),
                    problem: format!(
                        "row {}: {name}: not a GUID: {:?}",
                        index + 1,
                        text.chars().take(60).collect::<String>()
                    ),
                })?),
            });
        }
        Ok(guids)
    }

    /// A column of GUIDs that may not be null.
    fn required_guids(&self, name: &str) -> Result<Vec<Guid>, HistoryError> {
        self.guids(name)?
            .into_iter()
            .enumerate()
            .map(|(index, guid)| {
                guid.ok_or_else(|| HistoryError::Damaged {
                    path: self.path.clone(),
                    problem: format!("row {}: {name}: missing", index + 1),
                })
            })
            .collect()
    }

    /// A timestamp column as epoch milliseconds.
    fn millis(&self, name: &str) -> Result<Int64Chunked, HistoryError> {
        self.frame
            .column(name)
            .and_then(|column| column.cast(&DataType::Int64))
            .and_then(|column| column.i64().cloned())
            .map_err(|error| self.damaged(error))
    }
}

/// The (kind, user, SKU) keys of a month's findings, in their order, read alone: only those
/// three columns are decoded.
pub fn read_finding_keys(dir: &Path) -> Result<Vec<FindingKey>, HistoryError> {
    let frame = read_columns(
        dir,
        Table::Findings,
        &[KIND, columns::USER_ID, columns::SKU_ID],
    )?;
    finding_keys(dir, &frame)
}

/// The keys of the findings table `frame`, which was read from (or is being written to) `dir`.
pub fn finding_keys(dir: &Path, frame: &DataFrame) -> Result<Vec<FindingKey>, HistoryError> {
    let columns_of = Columns::of(frame, dir, Table::Findings);
    let kinds = columns_of.strings(KIND)?;
    let users = columns_of.guids(columns::USER_ID)?;
    let sku_ids = columns_of.required_guids(columns::SKU_ID)?;
    kinds
        .iter()
        .zip(users)
        .zip(sku_ids)
        .enumerate()
        .map(|(index, ((kind, user_id), sku_id))| {
            Ok(FindingKey {
                kind: parse_kind(dir, index, kind.unwrap_or_default())?,
                user_id,
                sku_id,
            })
        })
        .collect()
}

fn parse_kind(dir: &Path, index: usize, text: &str) -> Result<FindingKind, HistoryError> {
    FindingKind::parse(text).ok_or_else(|| HistoryError::Damaged {
        path: dir.join(Table::Findings.file_name()),
        problem: format!("row {}: kind: unknown finding kind {text:?}", index + 1),
    })
}

/// The SKUs a month's users hold, read alone; only of `users` when given.
pub fn read_holding_pairs(
    dir: &Path,
    users: Option<&HashSet<Guid>>,
) -> Result<Holdings, HistoryError> {
    read_holdings(dir, users)
}

fn read_findings(dir: &Path) -> Result<Vec<FindingRow>, HistoryError> {
    let table = Table::Findings;
    let frame = read_table(dir, table)?;
    let keys = finding_keys(dir, &frame)?;
    let columns_of = Columns::of(&frame, dir, table);
    let names = columns_of.strings(columns::USER_PRINCIPAL_NAME)?;
    let part_numbers = columns_of.strings(columns::SKU_PART_NUMBER)?;
    let reasons = columns_of.strings(REASON)?;
    let seats = columns_of.integers(SEATS)?;
    let amounts = columns_of.integers(MONTHLY_AMOUNT)?;
    let mut rows = Vec::with_capacity(frame.height());
    let columns = keys
        .into_iter()
        .zip(names.iter())
        .zip(part_numbers.iter())
        .zip(reasons.iter())
        .zip(seats.iter())
        .zip(amounts.iter());
    for (((((key, name), part_number), reason), seats), amount) in columns {
        rows.push(FindingRow {
            key,
            user_principal_name: name.map(str::to_string),
            sku_part_number: part_number.unwrap_or_default().to_string(),
            reason: reason.map(FindingReason::parse),
            seats,
            monthly_amount: Money(amount.unwrap_or_default()),
        });
    }
    Ok(rows)
}

fn read_users(
    dir: &Path,
    manifest: &MonthManifest,
) -> Result<(HashMap<Guid, UserState>, bool), HistoryError> {
    let table = Table::Users;
    let frame = read_columns(
        dir,
        table,
        &[
            columns::USER_ID,
            columns::USER_PRINCIPAL_NAME,
            columns::LAST_ACTIVITY,
            ACTIVITY_KNOWN,
        ],
    )?;
    let columns_of = Columns::of(&frame, dir, table);
    let ids = columns_of.guids(columns::USER_ID)?;
    let names = columns_of.strings(columns::USER_PRINCIPAL_NAME)?;
    let last_activity = columns_of.millis(columns::LAST_ACTIVITY)?;
    let known = columns_of.booleans(ACTIVITY_KNOWN)?;
    let first_day = manifest
        .window_first_day
        .and_hms_opt(0, 0, 0)
        .map(|moment| moment.and_utc().timestamp_millis())
        .unwrap_or(i64::MIN);
    let mut users = HashMap::with_capacity(frame.height());
    let mut activity_known = true;
    for (((id, name), last), known) in ids
        .into_iter()
        .zip(names.iter())
        .zip(last_activity.iter())
        .zip(known.iter())
    {
        if known == Some(false) {
            activity_known = false;
        }
        let Some(id) = id else { continue };
        users.insert(
            id,
            UserState {
                user_principal_name: name.unwrap_or_default().to_string(),
                active: last.is_some_and(|moment| moment >= first_day),
            },
        );
    }
    Ok((users, activity_known))
}

fn read_holdings(dir: &Path, only: Option<&HashSet<Guid>>) -> Result<Holdings, HistoryError> {
    let table = Table::Holdings;
    let frame = read_columns(dir, table, &[columns::USER_ID, columns::SKU_ID])?;
    let columns_of = Columns::of(&frame, dir, table);
    let users = columns_of.required_guids(columns::USER_ID)?;
    let skus = columns_of.required_guids(columns::SKU_ID)?;
    let pairs = users
        .into_iter()
        .zip(skus)
        .filter(|(user, _)| only.is_none_or(|only| only.contains(user)))
        .collect();
    Ok(Holdings::from_pairs(pairs))
}

fn read_skus(dir: &Path) -> Result<HashMap<Guid, SkuState>, HistoryError> {
    let table = Table::Skus;
    let frame = read_table(dir, table)?;
    let columns_of = Columns::of(&frame, dir, table);
    let ids = columns_of.required_guids(columns::SKU_ID)?;
    let part_numbers = columns_of.strings(columns::SKU_PART_NUMBER)?;
    let premium = columns_of.booleans(columns::PREMIUM)?;
    let purchased = columns_of.integers(PURCHASED_SEATS)?;
    let prices = columns_of.integers(columns::MONTHLY_PRICE)?;
    let paid = columns_of.booleans(IS_PAID)?;
    let mut skus = HashMap::with_capacity(frame.height());
    for (index, id) in ids.into_iter().enumerate() {
        skus.insert(
            id,
            SkuState {
                sku_part_number: part_numbers
                    .get(index)
                    .map_or_else(|| id.to_string(), str::to_string),
                premium: premium.get(index).unwrap_or(false),
                purchased_seats: purchased.get(index).unwrap_or(0),
                monthly_price: prices.get(index).map(Money),
                is_paid: paid.get(index).unwrap_or(false),
            },
        );
    }
    Ok(skus)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guid(bits: u128) -> Guid {
        Guid::from_bits(bits)
    }

    #[test]
    fn holdings_are_kept_sorted_once_and_found_by_user() {
        let (ann, bob, cy) = (guid(1), guid(2), guid(3));
        let (e3, e5, premium) = (guid(10), guid(11), guid(12));
        let holdings = Holdings::from_pairs(vec![
            (bob, premium),
            (ann, e5),
            (bob, e3),
            (ann, e5),
            (ann, e3),
        ]);
        assert_eq!(holdings.users().collect::<Vec<_>>(), [ann, bob]);
        assert_eq!(holdings.skus_of(ann).collect::<Vec<_>>(), [e3, e5]);
        assert_eq!(holdings.skus_of(bob).collect::<Vec<_>>(), [e3, premium]);
        assert_eq!(holdings.skus_of(cy).count(), 0);
        assert!(holdings.holds(bob, premium));
        assert!(!holdings.holds(ann, premium));
        assert!(!holdings.holds(cy, e3));
        assert_eq!(holdings.pairs().count(), 4);
    }
}
