//! The audit's typed tables (SPEC §4): what reports and monthly history are built from, so
//! nothing after the audit reads the snapshot again.
//!
//! Every audit folder holds five Parquet files (Snappy-compressed), each tagged with its
//! schema name in the file's key-value metadata (`seatwise.table`). Times are UTC
//! milliseconds without a zone, dates UTC calendar days, money Int64 micro-units of the currency
//! in `skus.parquet` (12.375 USD is `12375000`), GUIDs lower case. A null is unknown or unset,
//! never zero.
//!
//! `users.parquet` (`seatwise.users/1`), one row per directory user, sorted by `user_id`:
//!
//! | column | type | meaning |
//! | --- | --- | --- |
//! | `user_id` | String | Entra object id |
//! | `user_principal_name` | String | as the directory spells it |
//! | `user_display_name` | String? | |
//! | `department` | String? | chargeback attributes (SPEC §6), null when unset or empty |
//! | `company_name` | String? | `companyName` |
//! | `office_location` | String? | `officeLocation` |
//! | `usage_location` | String? | `usageLocation` |
//! | `cost_center` | String? | `employeeOrgData.costCenter` |
//! | `division` | String? | `employeeOrgData.division` |
//! | `account_enabled` | Boolean? | `accountEnabled` |
//! | `user_type` | String? | `Member` or `Guest` |
//! | `last_activity` | Datetime(ms)? | latest successful interactive or non-interactive sign-in (SPEC §1); null: none seen |
//! | `activity_known` | Boolean | false when the snapshot carries no sign-in activity: `last_activity` then says nothing |
//!
//! `holdings.parquet` (`seatwise.holdings/1`), one row per license a user holds
//! (`assignedLicenses`), sorted by user and SKU: the licenses held, and how:
//!
//! | column | type | meaning |
//! | --- | --- | --- |
//! | `user_id` | String | |
//! | `sku_id` | String | |
//! | `assigned_by` | List(String)? | `direct` and/or the ids of the groups granting it, `direct` first; null when the export does not say (no `licenseAssignmentStates`) |
//!
//! `skus.parquet` (`seatwise.skus/1`), one row per SKU the tenant buys or a user holds,
//! sorted by part number:
//!
//! | column | type | meaning |
//! | --- | --- | --- |
//! | `sku_id` | String | |
//! | `sku_part_number` | String | the GUID when neither Graph nor the catalogue names it |
//! | `sku_display_name` | String? | from the SKU catalogue; null when it does not list the SKU |
//! | `premium` | Boolean | grants premium Power Apps use |
//! | `prepaid_enabled` | Int64 | `prepaidUnits.enabled` |
//! | `prepaid_warning` | Int64 | `prepaidUnits.warning` (grace period) |
//! | `purchased_seats` | Int64 | seats paid for: enabled + warning, 0 when not paid |
//! | `consumed_units` | Int64 | `consumedUnits`: seats assigned |
//! | `monthly_price` | Int64? | price per seat and month in micro-units; null when unpriced |
//! | `currency` | String | the price book's currency |
//! | `capability_status` | String? | `Enabled`, `Warning`, `Suspended`, …; null when held but not bought |
//! | `is_paid` | Boolean | false for `Suspended`, `Deleted` and `LockedOut` subscriptions |
//!
//! `launches_daily.parquet` (`seatwise.launches_daily/1`), one row per (UTC day, user, app)
//! with at least one `LaunchPowerApp` record, every record of the exports (also after the
//! as-of date; readers pick their window):
//!
//! | column | type | meaning |
//! | --- | --- | --- |
//! | `date` | Date | UTC day of the launches |
//! | `user_id` | String? | the directory user (SPEC §2 matching); null for users not in the directory |
//! | `unknown_user` | String? | for those, the object id the records carry, else their lower-case user principal name |
//! | `app_id` | String | |
//! | `app_is_premium` | Boolean | the app is premium per the inventory |
//! | `app_in_inventory` | Boolean | the inventory lists the app |
//! | `launches` | Int64 | records that day |
//!
//! `findings.parquet` (`seatwise.findings/1`), the findings of `findings.json`, in its order,
//! with exact amounts (`findings.json` rounds them to cents):
//!
//! | column | type | meaning |
//! | --- | --- | --- |
//! | `kind` | String | `inactive-holder`, `idle-seats`, … (SPEC §3) |
//! | `user_id` | String? | null for SKU-level findings (`idle-seats`) |
//! | `user_principal_name` | String? | |
//! | `department` | String? | `Unassigned` when empty |
//! | `sku_part_number` | String | |
//! | `sku_id` | String | |
//! | `reason` | String? | |
//! | `assigned_by` | List(String) | `direct` and/or group ids, `unknown` when the export does not say; empty for SKU-level findings and `missing-premium` |
//! | `last_activity` | Datetime(ms)? | |
//! | `last_premium_use` | Datetime(ms)? | |
//! | `premium_apps_used` | Int64? | premium apps opened in the window |
//! | `seats` | Int64? | idle seats, for `idle-seats` |
//! | `monthly_amount` | Int64 | micro-units, never negative: a saving or a cost, as the kind says |
//! | `note` | String? | |

use super::{daily_launches, holdings_table};
use crate::analyze::inputs::{IS_PAID, LAST_PREMIUM_USE, PREMIUM_APPS_USED, PURCHASED_SEATS};
use crate::analyze::phases::PhaseClock;
use crate::analyze::rules::{KIND, MONTHLY_AMOUNT, NOTE, REASON, SEATS};
use crate::analyze::{Analysis, Evidence, Finding};
use crate::model::{Snapshot, columns};
use polars::prelude::*;
use polars_io::SerReader;
use polars_io::prelude::{KeyValueMetadata, ParquetCompression, ParquetReader, ParquetWriter};
use std::path::{Path, PathBuf};

/// Whether the snapshot told when each user was last active.
pub const ACTIVITY_KNOWN: &str = "activity_known";
/// The price book's currency, beside each price.
pub const CURRENCY: &str = "currency";
/// The UTC day of a launch count.
pub const LAUNCH_DATE: &str = "date";
/// The key of a launching user who is not in the directory.
pub use crate::analyze::launch_owner::UNKNOWN_USER;
pub const APP_IN_INVENTORY: &str = "app_in_inventory";
/// Launch records in a day.
pub const LAUNCHES: &str = "launches";

/// The day a saving's seats can drop; null when unknown or not a saving.
pub const REDUCIBLE_ON: &str = "reducible_on";
/// Whether a saving's seat is free for the next hire at once; null when not a saving.
pub const REASSIGNABLE_NOW: &str = "reassignable_now";

/// The key-value metadata entry naming a table's schema.
pub const SCHEMA_KEY: &str = "seatwise.table";

/// One typed table: its file in the audit folder, its schema name and its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Users,
    Holdings,
    Skus,
    LaunchesDaily,
    Findings,
}

impl Table {
    pub const ALL: [Table; 5] = [
        Table::Users,
        Table::Holdings,
        Table::Skus,
        Table::LaunchesDaily,
        Table::Findings,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            Table::Users => "users.parquet",
            Table::Holdings => "holdings.parquet",
            Table::Skus => "skus.parquet",
            Table::LaunchesDaily => "launches_daily.parquet",
            Table::Findings => "findings.parquet",
        }
    }

    /// The schema's name and version, written into the file.
    pub fn schema_name(self) -> &'static str {
        match self {
            Table::Users => "seatwise.users/1",
            Table::Holdings => "seatwise.holdings/1",
            Table::Skus => "seatwise.skus/1",
            Table::LaunchesDaily => "seatwise.launches_daily/1",
            Table::Findings => "seatwise.findings/1",
        }
    }

    pub fn schema(self) -> Schema {
        let timestamp = DataType::Datetime(TimeUnit::Milliseconds, None);
        let fields: Vec<(&str, DataType)> = match self {
            Table::Users => vec![
                (columns::USER_ID, DataType::String),
                (columns::USER_PRINCIPAL_NAME, DataType::String),
                (columns::USER_DISPLAY_NAME, DataType::String),
                (columns::DEPARTMENT, DataType::String),
                (columns::COMPANY_NAME, DataType::String),
                (columns::OFFICE_LOCATION, DataType::String),
                (columns::USAGE_LOCATION, DataType::String),
                (columns::COST_CENTER, DataType::String),
                (columns::DIVISION, DataType::String),
                (columns::ACCOUNT_ENABLED, DataType::Boolean),
                (columns::USER_TYPE, DataType::String),
                (columns::LAST_ACTIVITY, timestamp),
                (ACTIVITY_KNOWN, DataType::Boolean),
            ],
            Table::Holdings => vec![
                (columns::USER_ID, DataType::String),
                (columns::SKU_ID, DataType::String),
                (
                    columns::ASSIGNED_BY,
                    DataType::List(Box::new(DataType::String)),
                ),
            ],
            Table::Skus => vec![
                (columns::SKU_ID, DataType::String),
                (columns::SKU_PART_NUMBER, DataType::String),
                (columns::SKU_DISPLAY_NAME, DataType::String),
                (columns::PREMIUM, DataType::Boolean),
                (columns::PREPAID_ENABLED, DataType::Int64),
                (columns::PREPAID_WARNING, DataType::Int64),
                (PURCHASED_SEATS, DataType::Int64),
                (columns::CONSUMED_UNITS, DataType::Int64),
                (columns::MONTHLY_PRICE, DataType::Int64),
                (CURRENCY, DataType::String),
                (columns::CAPABILITY_STATUS, DataType::String),
                (IS_PAID, DataType::Boolean),
            ],
            Table::LaunchesDaily => vec![
                (LAUNCH_DATE, DataType::Date),
                (columns::USER_ID, DataType::String),
                (UNKNOWN_USER, DataType::String),
                (columns::APP_ID, DataType::String),
                (columns::APP_IS_PREMIUM, DataType::Boolean),
                (APP_IN_INVENTORY, DataType::Boolean),
                (LAUNCHES, DataType::Int64),
            ],
            Table::Findings => vec![
                (KIND, DataType::String),
                (columns::USER_ID, DataType::String),
                (columns::USER_PRINCIPAL_NAME, DataType::String),
                (columns::DEPARTMENT, DataType::String),
                (columns::SKU_PART_NUMBER, DataType::String),
                (columns::SKU_ID, DataType::String),
                (REASON, DataType::String),
                (
                    columns::ASSIGNED_BY,
                    DataType::List(Box::new(DataType::String)),
                ),
                (columns::LAST_ACTIVITY, timestamp.clone()),
                (LAST_PREMIUM_USE, timestamp),
                (PREMIUM_APPS_USED, DataType::Int64),
                (SEATS, DataType::Int64),
                (MONTHLY_AMOUNT, DataType::Int64),
                (NOTE, DataType::String),
                (REDUCIBLE_ON, DataType::Date),
                (REASSIGNABLE_NOW, DataType::Boolean),
            ],
        };
        fields
            .into_iter()
            .map(|(name, dtype)| Field::new(name.into(), dtype))
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TablesError {
    #[error("{}: cannot read the table: {source}\nhint: run `seatwise audit` again to rewrite the audit folder", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a readable Parquet table: {source}\nhint: run `seatwise audit` again to rewrite the audit folder", path.display())]
    Engine {
        path: PathBuf,
        #[source]
        source: PolarsError,
    },
    #[error(
        "{}: holds {found}, not {expected}\nhint: this audit folder was written by another version of seatwise; run `seatwise audit` again",
        path.display()
    )]
    Schema {
        path: PathBuf,
        expected: String,
        found: String,
    },
}

/// The tables of one audit.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditTables {
    pub users: DataFrame,
    pub holdings: DataFrame,
    pub skus: DataFrame,
    pub launches_daily: DataFrame,
    pub findings: DataFrame,
}

impl AuditTables {
    /// Builds the tables from a snapshot and its analysis (the priced SKU dimension, and
    /// whether sign-in activity was knowable).
    pub fn build(snapshot: &Snapshot, analysis: &Analysis) -> PolarsResult<AuditTables> {
        let clock = &mut PhaseClock::start();
        let launches_daily = launches_daily(snapshot, analysis)?;
        Self::build_with(snapshot, analysis, launches_daily, clock)
    }

    /// [`AuditTables::build`] for a caller done with the rows once the tables are built, as
    /// `audit` is: each input is let go as soon as the tables that read it are built (the
    /// launch rows after the daily launch table, then the snapshot's frames, see
    /// [`Snapshot::release_rows`]), so a large tenant's rows and tables are not all in memory
    /// at once. Each table is timed as a phase of `clock` (`audit --verbose` prints them).
    pub fn build_releasing(
        snapshot: &mut Snapshot,
        analysis: &mut Analysis,
        clock: &mut PhaseClock,
    ) -> PolarsResult<AuditTables> {
        // No table reads the groups.
        for frame in [
            &mut snapshot.groups,
            &mut snapshot.group_members,
            &mut snapshot.group_licenses,
        ] {
            *frame = DataFrame::empty();
        }
        // The daily launch table reads the attributed launch rows alone: the snapshot's rows
        // (whose columns the attributed rows share) and the columns it does not read go first.
        snapshot.launches = DataFrame::empty();
        analysis.launches = analysis.launches.select(daily_launches::COLUMNS_READ)?;
        let launches_daily = launches_daily(snapshot, analysis)?;
        clock.lap("launches_daily table");
        analysis.launches = DataFrame::empty();
        analysis.launch_owners = DataFrame::empty();
        snapshot.launch_identities = DataFrame::empty();
        let tables = Self::build_with(snapshot, analysis, launches_daily, clock)?;
        snapshot.release_rows();
        Ok(tables)
    }

    fn build_with(
        snapshot: &Snapshot,
        analysis: &Analysis,
        launches_daily: DataFrame,
        clock: &mut PhaseClock,
    ) -> PolarsResult<AuditTables> {
        let users = users(snapshot, &analysis.evidence).collect()?;
        clock.lap("users table");
        let holdings = holdings_table::build(&snapshot.holdings, &snapshot.assignment_states)?;
        clock.lap("holdings table");
        let skus = skus(&analysis.skus, &analysis.currency).collect()?;
        clock.lap("skus table");
        let findings = findings(&analysis.findings)?;
        clock.lap("findings table");
        Ok(AuditTables {
            users,
            holdings,
            skus,
            launches_daily,
            findings,
        })
    }

    pub fn get(&self, table: Table) -> &DataFrame {
        match table {
            Table::Users => &self.users,
            Table::Holdings => &self.holdings,
            Table::Skus => &self.skus,
            Table::LaunchesDaily => &self.launches_daily,
            Table::Findings => &self.findings,
        }
    }

    /// Reads the tables of the audit folder `dir`, checking each file's schema.
    pub fn read(dir: &Path) -> Result<AuditTables, TablesError> {
        Ok(AuditTables {
            users: read_table(dir, Table::Users)?,
            holdings: read_table(dir, Table::Holdings)?,
            skus: read_table(dir, Table::Skus)?,
            launches_daily: read_table(dir, Table::LaunchesDaily)?,
            findings: read_table(dir, Table::Findings)?,
        })
    }
}

/// Writes `frame` as `table` in Parquet, tagged with the table's schema name.
pub fn write_table(
    table: Table,
    frame: &DataFrame,
    writer: impl std::io::Write,
) -> PolarsResult<()> {
    write_named(table.schema_name(), frame, writer)
}

/// Writes `frame` in Parquet (Snappy), tagged with `schema_name` under [`SCHEMA_KEY`]: the
/// audit's tables and the other seatwise tables beside them.
pub fn write_named(
    schema_name: &str,
    frame: &DataFrame,
    writer: impl std::io::Write,
) -> PolarsResult<()> {
    let mut frame = frame.clone();
    ParquetWriter::new(writer)
        .with_compression(ParquetCompression::Snappy)
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![(
            SCHEMA_KEY.to_string(),
            schema_name.to_string(),
        )])))
        .finish(&mut frame)?;
    Ok(())
}

/// Reads one table of the audit folder `dir`; its schema name and columns must match.
pub fn read_table(dir: &Path, table: Table) -> Result<DataFrame, TablesError> {
    read_table_columns(dir, table, None)
}

/// Reads only `columns` of one table of the audit folder `dir` (in the table's order), when a
/// reader needs a few columns of a large table; the schema name and those columns' types must
/// match as in [`read_table`].
pub fn read_columns(dir: &Path, table: Table, columns: &[&str]) -> Result<DataFrame, TablesError> {
    read_table_columns(dir, table, Some(columns))
}

fn read_table_columns(
    dir: &Path,
    table: Table,
    columns: Option<&[&str]>,
) -> Result<DataFrame, TablesError> {
    read_named(
        &dir.join(table.file_name()),
        table.schema_name(),
        table.schema(),
        columns,
    )
}

/// Reads the Parquet file `path`, which must be tagged `schema_name` and hold `full` (or, with
/// `columns`, those of its columns) with the same types.
pub fn read_named(
    path: &Path,
    schema_name: &str,
    full: Schema,
    columns: Option<&[&str]>,
) -> Result<DataFrame, TablesError> {
    let file = std::fs::File::open(path).map_err(|source| TablesError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_named_from(path, file, schema_name, full, columns)
}

/// As [`read_named`], from `source`, the Parquet bytes of the file `path` (already open or
/// read).
pub fn read_named_from<R: polars_io::mmap::MmapBytesReader>(
    path: &Path,
    source: R,
    schema_name: &str,
    full: Schema,
    columns: Option<&[&str]>,
) -> Result<DataFrame, TablesError> {
    let path = path.to_path_buf();
    let engine = |source| TablesError::Engine {
        path: path.clone(),
        source,
    };
    let mut reader = ParquetReader::new(source);
    let found_name = reader
        .get_metadata()
        .map_err(engine)?
        .key_value_metadata()
        .as_ref()
        .and_then(|entries| {
            entries
                .iter()
                .find(|entry| entry.key == SCHEMA_KEY)
                .and_then(|entry| entry.value.clone())
        });
    if found_name.as_deref() != Some(schema_name) {
        return Err(TablesError::Schema {
            path,
            expected: schema_name.to_string(),
            found: found_name.unwrap_or_else(|| "no seatwise schema name".to_string()),
        });
    }
    let expected: Schema = match columns {
        None => full,
        Some(columns) => full
            .iter_fields()
            .filter(|field| columns.contains(&field.name().as_str()))
            .collect(),
    };
    if let Some(columns) = columns {
        reader = reader.with_columns(Some(
            expected.iter_names().map(|name| name.to_string()).collect(),
        ));
        if expected.len() != columns.len() {
            return Err(TablesError::Schema {
                path,
                expected: format!("{schema_name} with columns {columns:?}"),
                found: format!("a request for columns the schema lacks: {columns:?}"),
            });
        }
    }
    let frame = reader.finish().map_err(engine)?;
    if frame.schema().as_ref() != &expected {
        return Err(TablesError::Schema {
            path,
            expected: format!("{schema_name} with columns {expected:?}"),
            found: format!("columns {:?}", frame.schema()),
        });
    }
    Ok(frame)
}

fn users(snapshot: &Snapshot, evidence: &Evidence) -> LazyFrame {
    snapshot
        .users
        .clone()
        .lazy()
        .select([
            col(columns::USER_ID),
            col(columns::USER_PRINCIPAL_NAME),
            col(columns::USER_DISPLAY_NAME),
            col(columns::DEPARTMENT),
            col(columns::COMPANY_NAME),
            col(columns::OFFICE_LOCATION),
            col(columns::USAGE_LOCATION),
            col(columns::COST_CENTER),
            col(columns::DIVISION),
            col(columns::ACCOUNT_ENABLED),
            col(columns::USER_TYPE),
            col(columns::LAST_ACTIVITY),
            lit(evidence.activity_known()).alias(ACTIVITY_KNOWN),
        ])
        .sort([columns::USER_ID], SortMultipleOptions::default())
}

fn skus(priced: &DataFrame, currency: &str) -> LazyFrame {
    priced
        .clone()
        .lazy()
        .select([
            col(columns::SKU_ID),
            col(columns::SKU_PART_NUMBER),
            col(columns::SKU_DISPLAY_NAME),
            col(columns::PREMIUM),
            col(columns::PREPAID_ENABLED),
            col(columns::PREPAID_WARNING),
            col(PURCHASED_SEATS),
            col(columns::CONSUMED_UNITS),
            col(columns::MONTHLY_PRICE),
            lit(currency.to_string()).alias(CURRENCY),
            col(columns::CAPABILITY_STATUS),
            col(IS_PAID),
        ])
        .sort(
            [columns::SKU_PART_NUMBER, columns::SKU_ID],
            SortMultipleOptions::default(),
        )
}

/// Daily counts of the analysis' attributed launches (see [`daily_launches`]).
fn launches_daily(snapshot: &Snapshot, analysis: &Analysis) -> PolarsResult<DataFrame> {
    let inventory = match &snapshot.apps {
        Some(apps) => Some(apps.column(columns::APP_ID)?.str()?.clone()),
        None => None,
    };
    daily_launches::build(
        &analysis.launches,
        &analysis.launch_owners,
        inventory.as_ref(),
    )
}

/// The findings as a table, in their order, with exact amounts.
pub fn findings(findings: &[Finding]) -> PolarsResult<DataFrame> {
    let strings = |name: &str, pick: &dyn Fn(&Finding) -> Option<String>| {
        Column::new(
            name.into(),
            findings.iter().map(pick).collect::<Vec<Option<String>>>(),
        )
    };
    let integers = |name: &str, pick: &dyn Fn(&Finding) -> Option<i64>| {
        Column::new(
            name.into(),
            findings.iter().map(pick).collect::<Vec<Option<i64>>>(),
        )
    };
    let times = |name: &str, pick: &dyn Fn(&Finding) -> Option<i64>| {
        integers(name, pick).cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
    };
    let sources: ListChunked = findings
        .iter()
        .map(|finding| {
            Some(Series::new(
                PlSmallStr::EMPTY,
                finding
                    .assigned_by
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<&str>>(),
            ))
        })
        .collect();
    let mut sources = sources.into_series();
    sources.rename(columns::ASSIGNED_BY.into());
    let sources = sources.cast(&DataType::List(Box::new(DataType::String)))?;
    DataFrame::new(
        findings.len(),
        vec![
            strings(KIND, &|finding| Some(finding.kind.as_str().to_string())),
            strings(columns::USER_ID, &|finding| finding.user_id.clone()),
            strings(columns::USER_PRINCIPAL_NAME, &|finding| {
                finding.user_principal_name.clone()
            }),
            strings(columns::DEPARTMENT, &|finding| finding.department.clone()),
            strings(columns::SKU_PART_NUMBER, &|finding| {
                Some(finding.sku_part_number.clone())
            }),
            strings(columns::SKU_ID, &|finding| Some(finding.sku_id.clone())),
            strings(REASON, &|finding| {
                finding.reason.as_ref().map(ToString::to_string)
            }),
            sources.into_column(),
            times(columns::LAST_ACTIVITY, &|finding| finding.last_activity)?,
            times(LAST_PREMIUM_USE, &|finding| finding.last_premium_use)?,
            integers(PREMIUM_APPS_USED, &|finding| {
                finding.premium_apps_used.map(i64::from)
            }),
            integers(SEATS, &|finding| finding.seats),
            integers(MONTHLY_AMOUNT, &|finding| Some(finding.monthly_amount.0)),
            strings(NOTE, &|finding| finding.note.clone()),
            Column::new(
                REDUCIBLE_ON.into(),
                findings
                    .iter()
                    .map(|finding| {
                        finding
                            .timing
                            .and_then(|timing| timing.reducible_on.date())
                            .map(days_since_epoch)
                    })
                    .collect::<Vec<Option<i32>>>(),
            )
            .cast(&DataType::Date)?,
            Column::new(
                REASSIGNABLE_NOW.into(),
                findings
                    .iter()
                    .map(|finding| finding.timing.map(|timing| timing.reassignable_now))
                    .collect::<Vec<Option<bool>>>(),
            ),
        ],
    )
}

/// A date as Polars stores it: days since 1970-01-01.
fn days_since_epoch(date: chrono::NaiveDate) -> i32 {
    // 719,163 days lie between 0001-01-01 (day 1 of the common era) and 1970-01-01.
    chrono::Datelike::num_days_from_ce(&date) - 719_163
}
