//! The canonical data model: the frames a snapshot is read into, which every later stage
//! (analysis, plans, reports) consumes.
//!
//! | frame | one row per | columns |
//! | --- | --- | --- |
//! | `users` | directory user | id, UPN, lower-case UPN, department and the other chargeback attributes (company, office, usage location, cost center, division), account state, sign-in times |
//! | `holdings` | (user, SKU) in `assignedLicenses` | user id, SKU id, disabled plan GUIDs |
//! | `assignment_states` | `licenseAssignmentStates` entry | user id, SKU id, source, state, error |
//! | `subscribed_skus` | purchased SKU | SKU id, part number, prepaid units, consumed units |
//! | `groups`, `group_members`, `group_licenses` | group / membership / group license | |
//! | `apps` | inventory app | app id, name, environment, premium |
//! | `launches` | (launch identity, app, UTC day) of `LaunchPowerApp` records | identity number, app id, day, count, first and last time |
//! | `launch_identities` | distinct (lower-case UPN, object id) pair launch records carry | lower-case UPN, object id |
//!
//! Subscriptions and their terms are few and not frames: [`subscriptions::Renewals`].
//!
//! GUIDs are lower case everywhere; times are UTC milliseconds (`Datetime(ms)`).

pub mod columns;
pub mod guid;
pub mod schema;
pub mod subscriptions;

use crate::catalogue::PriceBook;
use crate::ingest::error::Rejection;
use crate::support::digest::FileDigest;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `snapshot.json`: who collected the snapshot, and when.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SnapshotMetadata {
    pub tenant_id: Option<String>,
    pub collected_at: Option<i64>,
    pub source: Option<String>,
    /// False when the collector could not read `signInActivity` (no Entra ID P1 or no
    /// AuditLog.Read.All): activity is then unknown, not absent.
    pub sign_in_activity_collected: bool,
    /// The audit query window `ingest graph` ran (start, end; epoch milliseconds): the
    /// launches' coverage when present (SPEC §3).
    pub audit_query: Option<(i64, i64)>,
}

/// A tenant snapshot read into frames.
pub struct Snapshot {
    pub dir: PathBuf,
    pub metadata: SnapshotMetadata,
    pub users: DataFrame,
    pub holdings: DataFrame,
    pub assignment_states: DataFrame,
    pub subscribed_skus: DataFrame,
    pub groups: DataFrame,
    pub group_members: DataFrame,
    pub group_licenses: DataFrame,
    /// `None` when the snapshot has no `apps.csv`.
    pub apps: Option<DataFrame>,
    pub launches: DataFrame,
    /// Who launched: row `n` names the identity whose `launch_identity` is `n` in `launches`.
    pub launch_identities: DataFrame,
    /// The snapshot's own `prices.csv`, if any.
    pub prices: Option<PriceBook>,
    /// `subscriptions.json` and `terms.csv`: when savings can be banked.
    pub renewals: subscriptions::Renewals,
    pub quality: IngestQuality,
    /// The size and SHA-256 of the files read whole (audit exports, users files,
    /// `groups.json`), taken as they were read: the bulk of what history records of the
    /// snapshot's files.
    pub file_digests: BTreeMap<PathBuf, FileDigest>,
}

impl Snapshot {
    /// Empties every frame, keeping what describes the snapshot (folder, metadata, quality,
    /// renewals, prices): for a caller done with the rows, as `audit` is once its typed tables
    /// are built. A large tenant's frames hold gigabytes the report and the write never read.
    pub fn release_rows(&mut self) {
        for frame in [
            &mut self.users,
            &mut self.holdings,
            &mut self.assignment_states,
            &mut self.subscribed_skus,
            &mut self.groups,
            &mut self.group_members,
            &mut self.group_licenses,
            &mut self.launches,
            &mut self.launch_identities,
        ] {
            *frame = DataFrame::empty();
        }
        self.apps = None;
    }

    /// The launch rows with who launched written out (the identity's lower-case user principal
    /// name and object id in place of its number): for readers that want the names, not for
    /// the rules, which match identities to users once each.
    pub fn launches_with_identities(&self) -> PolarsResult<DataFrame> {
        name_launch_identities(&self.launches, &self.launch_identities)
    }
}

/// `launches` (in the layout of [`schema::launches`]) with each row's identity written out
/// from `identities` ([`schema::launch_identities`]) in place of its number.
pub fn name_launch_identities(
    launches: &DataFrame,
    identities: &DataFrame,
) -> PolarsResult<DataFrame> {
    let rows = launches.column(columns::LAUNCH_IDENTITY)?.idx()?;
    let who = identities.take(rows)?;
    let mut frame = launches.drop(columns::LAUNCH_IDENTITY)?;
    frame.hstack_mut(who.columns())?;
    Ok(frame)
}

/// What ingestion noticed about the data: counts for the data-quality section.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IngestQuality {
    /// Rows skipped under `--lenient`, with where and why.
    pub rejected: Vec<Rejection>,
    /// Users listed more than once with identical data (overlapping exports), kept once.
    pub repeated_users: usize,
    pub users_without_sign_in_activity: usize,
    pub users_activity_from_attempts: usize,
    /// Users holding at least one license.
    pub licensed_users: usize,
    /// Licensed users whose record lacks `licenseAssignmentStates` (older exports): their
    /// assignment sources are unknown.
    pub licensed_users_without_assignment_states: usize,
    pub audit_files: usize,
    pub audit_rows: usize,
    pub launch_rows: usize,
    /// Launch records exported more than once (same record id and content), counted once.
    pub duplicate_launch_records: usize,
    /// The app inventory lists no app (a header and no rows, or every row rejected): it is
    /// treated as missing, not as "nothing is premium".
    pub app_inventory_empty: bool,
    /// Earliest and latest time of any audit record (epoch milliseconds).
    #[serde(skip)]
    pub audit_records_span: Option<(i64, i64)>,
    /// Rows of operations other than `LaunchPowerApp`, by operation.
    pub other_operations: BTreeMap<String, usize>,
    /// Group members that are not users (nested groups, devices): they get no license.
    pub group_members_not_users: usize,
}
