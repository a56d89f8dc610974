//! Reads a snapshot folder (SPEC §2) into the frames of [`crate::model`].
//!
//! Each file kind has its own module; this one finds the files, runs the readers (users and
//! audit exports in parallel, the large ones), and gathers what they noticed into
//! [`IngestQuality`].

pub mod apps;
pub mod audit;
mod audit_data_scan;
pub mod csv_records;
pub mod encoding;
pub mod error;
pub mod graph;
pub mod groups;
pub mod json_records;
pub mod launch_days;
#[cfg(test)]
mod properties;
pub mod record;
pub mod skus;
pub mod subscriptions;
pub mod table;
pub mod terms;
pub mod users;

use crate::case_insensitive_record;
use crate::catalogue::PriceBook;
use crate::catalogue::price_book::REQUIRED_PRICE_COLUMNS;
use crate::model::subscriptions::Renewals;
use crate::model::{IngestQuality, Snapshot, SnapshotMetadata};
use crate::support::timestamp;
use error::{IngestError, Location, RejectionLog, Strictness, rejection};
use std::path::{Path, PathBuf};

/// How to read a snapshot.
#[derive(Debug, Clone, Copy, Default)]
pub struct IngestOptions {
    pub strictness: Strictness,
}

/// The files of a snapshot folder.
#[derive(Debug, Clone)]
pub struct SnapshotFiles {
    pub subscribed_skus: PathBuf,
    pub users: Vec<PathBuf>,
    pub groups: Option<PathBuf>,
    pub apps: Option<PathBuf>,
    pub prices: Option<PathBuf>,
    pub metadata: Option<PathBuf>,
    pub subscriptions: Option<PathBuf>,
    pub terms: Option<PathBuf>,
    pub audit: Vec<PathBuf>,
}

/// Finds the files of the snapshot in `dir`, or says why it is not one.
pub fn locate_files(dir: &Path) -> Result<SnapshotFiles, IngestError> {
    if dir.exists() && !dir.is_dir() {
        return Err(IngestError::NotAFile {
            path: dir.to_path_buf(),
            problem: "a file, not a snapshot folder\nhint: give the folder that holds subscribedSkus.json and the users".to_string(),
        });
    }
    if !dir.is_dir() {
        return Err(IngestError::NotASnapshot {
            dir: dir.to_path_buf(),
            missing: "the folder itself".to_string(),
        });
    }
    let existing = |name: &str| Some(dir.join(name)).filter(|path| path.exists());
    let users = {
        let mut sources = Vec::new();
        if let Some(path) = existing("users.json") {
            sources.push(vec![path]);
        }
        if let Some(path) = existing("users.jsonl") {
            sources.push(vec![path]);
        }
        let pages = collection_files(&dir.join("users"), &["json", "jsonl"])?;
        let (json, lines): (Vec<PathBuf>, Vec<PathBuf>) = pages
            .into_iter()
            .partition(|path| has_extension(path, "json"));
        if let (Some(first), Some(second)) = (json.first(), lines.first()) {
            return Err(IngestError::TwoSources {
                first: first.clone(),
                second: second.clone(),
                what: "the users (Graph pages and JSON Lines mixed in users/)".to_string(),
            });
        }
        for pages in [json, lines] {
            if !pages.is_empty() {
                sources.push(pages);
            }
        }
        match sources.as_slice() {
            [] => Vec::new(),
            [only] => only.clone(),
            [first, second, ..] => {
                return Err(IngestError::TwoSources {
                    first: first[0].clone(),
                    second: second[0].clone(),
                    what: "the users (users.json, users.jsonl and users/ are alternatives)"
                        .to_string(),
                });
            }
        }
    };
    for path in &users {
        regular_file(path)?;
    }
    let subscribed_skus = existing("subscribedSkus.json");
    let apps = match (existing("apps.csv"), existing("apps.json")) {
        (Some(csv), Some(json)) => {
            return Err(IngestError::TwoSources {
                first: csv,
                second: json,
                what: "the Power Apps inventory".to_string(),
            });
        }
        (csv, json) => csv.or(json),
    };
    match (subscribed_skus, users.is_empty()) {
        (None, true) => Err(IngestError::NotASnapshot {
            dir: dir.to_path_buf(),
            missing: "subscribedSkus.json and users.json".to_string(),
        }),
        (None, false) => Err(IngestError::MissingFile {
            path: dir.join("subscribedSkus.json"),
            what: "the purchased SKUs (Graph GET /v1.0/subscribedSkus)".to_string(),
        }),
        (Some(_), true) => Err(IngestError::MissingFile {
            path: dir.join("users.json"),
            what: "the users (users.json, users.jsonl or users/*.json; Graph GET /v1.0/users)"
                .to_string(),
        }),
        (Some(subscribed_skus), false) => Ok(SnapshotFiles {
            subscribed_skus,
            users,
            groups: existing("groups.json"),
            apps,
            prices: existing("prices.csv"),
            metadata: existing("snapshot.json"),
            subscriptions: existing("subscriptions.json"),
            terms: existing("terms.csv"),
            audit: collection_files(&dir.join("audit"), &["csv"])?,
        }),
    }
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension()
        .is_some_and(|found| found.eq_ignore_ascii_case(extension))
}

/// Checks that `path` is a regular file, following symbolic links: a dangling or looping link,
/// a folder, a pipe or a device in a collection is an error, never skipped.
fn regular_file(path: &Path) -> Result<(), IngestError> {
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_file() => Ok(()),
        Ok(_) => Err(IngestError::NotAFile {
            path: path.to_path_buf(),
            problem: "not a regular file (a folder, a pipe or a device)".to_string(),
        }),
        Err(error) => {
            let is_link = std::fs::symlink_metadata(path)
                .is_ok_and(|metadata| metadata.file_type().is_symlink());
            if is_link {
                Err(IngestError::NotAFile {
                    path: path.to_path_buf(),
                    problem: format!("a symbolic link that leads nowhere or loops ({error})"),
                })
            } else {
                Err(IngestError::io(path, error))
            }
        }
    }
}

/// The files of a collection folder, sorted by name; none when the folder does not exist.
/// Every entry must be a regular file (links to one are followed) with one of `extensions`:
/// anything else is an error naming it, so no export is skipped unseen.
fn collection_files(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>, IngestError> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    if !dir.is_dir() {
        return Err(IngestError::NotAFile {
            path: dir.to_path_buf(),
            problem: "expected a folder of exports".to_string(),
        });
    }
    let entries = std::fs::read_dir(dir).map_err(|error| IngestError::io(dir, error))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|error| IngestError::io(dir, error))?.path();
        regular_file(&path)?;
        if !extensions
            .iter()
            .any(|extension| has_extension(&path, extension))
        {
            return Err(IngestError::NotAFile {
                path,
                problem: format!(
                    "not an export this folder holds (expected *.{}); move it out of the snapshot",
                    extensions.join(" or *.")
                ),
            });
        }
        files.push(path);
    }
    files.sort();
    Ok(files)
}

/// Reads the snapshot in `dir` into frames.
pub fn read_snapshot(dir: &Path, options: &IngestOptions) -> Result<Snapshot, IngestError> {
    let files = locate_files(dir)?;
    let strictness = options.strictness;
    let mut log = RejectionLog::new(strictness);

    let metadata = match &files.metadata {
        Some(path) => read_metadata(path)?,
        None => SnapshotMetadata {
            sign_in_activity_collected: true,
            ..SnapshotMetadata::default()
        },
    };
    let subscribed_skus = skus::read_subscribed_skus(&files.subscribed_skus, &mut log)?;
    // The three large inputs are independent: read side by side.
    let (users, (audit, groups)) = rayon::join(
        || users::read_users(&files.users, strictness),
        || {
            rayon::join(
                || audit::read_audit_files(&files.audit, strictness),
                || {
                    let mut groups_log = RejectionLog::new(strictness);
                    groups::read_groups(files.groups.as_deref(), &mut groups_log)
                        .map(|groups| (groups, groups_log))
                },
            )
        },
    );
    let users = users?;
    let users_source = match files.users.as_slice() {
        [single] => single.clone(),
        _ => dir.join("users"),
    };
    error::check_lenient_limit(&users_source, "user", users.records, &users.rejected)?;
    let audit = audit?;
    let (groups, groups_log) = groups?;
    log.absorb(groups_log);
    let apps = match &files.apps {
        Some(path) => apps::read_apps(path, &mut log)?,
        None => None,
    };
    let app_inventory_empty = files.apps.is_some() && apps.is_none();
    let prices = match &files.prices {
        Some(path) => {
            let table = table::CsvTable::read(path, REQUIRED_PRICE_COLUMNS, &mut log)?;
            Some(PriceBook::parse(&table, &mut log)?)
        }
        None => None,
    };
    let renewals = Renewals {
        subscriptions: match &files.subscriptions {
            Some(path) => Some(subscriptions::read_subscriptions(path, &mut log)?),
            None => None,
        },
        terms: match &files.terms {
            Some(path) => terms::read_terms(path, &mut log)?,
            None => Vec::new(),
        },
    };

    let file_digests = users
        .digests
        .into_iter()
        .chain(audit.digests)
        .chain(groups.digest)
        .collect();
    let mut rejected = users.rejected;
    rejected.extend(audit.log.into_rejections());
    rejected.extend(log.into_rejections());
    let quality = IngestQuality {
        rejected,
        repeated_users: users.repeated_users,
        users_without_sign_in_activity: users.users_without_sign_in_activity,
        users_activity_from_attempts: users.users_activity_from_attempts,
        licensed_users: users.licensed_users,
        licensed_users_without_assignment_states: users.licensed_users_without_assignment_states,
        audit_files: files.audit.len(),
        audit_rows: audit.rows,
        launch_rows: audit.launch_rows,
        duplicate_launch_records: audit.duplicate_launch_records,
        app_inventory_empty,
        audit_records_span: audit.first_record.zip(audit.last_record),
        other_operations: audit.other_operations,
        group_members_not_users: groups.members_not_users,
    };
    Ok(Snapshot {
        dir: dir.to_path_buf(),
        metadata,
        users: users.users,
        holdings: users.holdings,
        assignment_states: users.assignment_states,
        subscribed_skus,
        groups: groups.groups,
        group_members: groups.group_members,
        group_licenses: groups.group_licenses,
        apps,
        launches: audit.launches,
        launch_identities: audit.launch_identities,
        prices,
        renewals,
        quality,
        file_digests,
    })
}

case_insensitive_record! {
    struct MetadataRecord {
        tenant_id: Option<String> = "tenantId",
        collected_at: Option<String> = "collectedAt",
        source: Option<String> = "source",
        sign_in_activity_collected: Option<bool> = "signInActivityCollected",
        audit_query: Option<AuditQueryRecord> = "auditQuery",
    }
}

case_insensitive_record! {
    struct AuditQueryRecord {
        start: Option<String> = "filterStartDateTime",
        end: Option<String> = "filterEndDateTime",
    }
}

fn read_metadata(path: &Path) -> Result<SnapshotMetadata, IngestError> {
    let bytes = encoding::read_utf8(path)?;
    let record: MetadataRecord =
        serde_json::from_slice(json_records::strip_bom(&bytes)).map_err(|error| {
            let (field, problem) = record::split_field_path(&error.to_string());
            IngestError::Unreadable(rejection(
                path,
                Location::Line(error.line() as u64),
                if field.is_empty() {
                    "(document)".to_string()
                } else {
                    field
                },
                problem,
            ))
        })?;
    let collected_at = match record.collected_at.flatten() {
        Some(text) => Some(
            timestamp::parse_recorded_timestamp(&text).map_err(|problem| {
                IngestError::Unreadable(rejection(path, Location::File, "collectedAt", problem))
            })?,
        ),
        None => None,
    };
    let audit_query = match record.audit_query.flatten() {
        Some(query) => {
            let bound = |value: Option<Option<String>>, field: &str| match value.flatten() {
                Some(text) => timestamp::parse_timestamp(&text).map_err(|problem| {
                    IngestError::Unreadable(rejection(path, Location::File, field, problem))
                }),
                None => Err(IngestError::Unreadable(rejection(
                    path,
                    Location::File,
                    field,
                    "required property of auditQuery is missing",
                ))),
            };
            Some((
                bound(query.start, "auditQuery.filterStartDateTime")?,
                bound(query.end, "auditQuery.filterEndDateTime")?,
            ))
        }
        None => None,
    };
    Ok(SnapshotMetadata {
        tenant_id: record.tenant_id.flatten(),
        collected_at,
        audit_query,
        source: record.source.flatten(),
        sign_in_activity_collected: record.sign_in_activity_collected.flatten().unwrap_or(true),
    })
}
