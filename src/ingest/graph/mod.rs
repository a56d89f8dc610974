//! `seatwise ingest graph`: pulls a snapshot (SPEC §2) from Microsoft Graph.
//!
//! Four collections are pulled side by side, each a module: [`skus`] (`subscribedSkus.json`),
//! [`users`] (`users/page-NNNNN.json`, raw pages), [`groups`] (`groups.json`, licensed groups
//! with members inlined) and [`audit`] (`audit/graph-NNNNN.csv`, Power Apps launches). The
//! [`crate::graph::GraphClient`] bounds how many requests are in flight across all of them.
//! Everything is written into a partial folder with checkpoints ([`checkpoint`]), so a killed
//! pull resumes with `--resume`, and the folder becomes `--out` only when complete, with
//! `snapshot.json` saying who, when, and whether sign-in activity could be read.

pub mod audit;
pub mod checkpoint;
pub mod error;
pub mod groups;
pub mod paged;
pub mod progress;
pub mod skus;
pub mod small;
pub mod subscriptions;
pub mod users;

pub use audit::{AuditPollPolicy, AuditWindow};
pub use error::PullError;
pub use progress::{Collection, PullProgress, SilentProgress};

use crate::graph::{ClientStats, GraphClient};
use checkpoint::{Manifest, PartialFolder, write_json};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Days of audit records pulled when `--since` is not given: the default audit window (90
/// days ending on the as-of date) with a day to spare.
pub const DEFAULT_AUDIT_DAYS: u64 = 90;
/// `snapshot.json`'s `source`.
pub const SOURCE: &str = "seatwise ingest graph";

/// What to pull and where.
#[derive(Debug, Clone)]
pub struct PullSettings {
    /// The snapshot folder to create; it must not exist.
    pub out: PathBuf,
    /// Written into `snapshot.json` (`tenantId`).
    pub tenant_id: Option<String>,
    /// The first day of the audit query; default [`DEFAULT_AUDIT_DAYS`] before the start.
    pub since: Option<NaiveDate>,
    /// Continue an interrupted pull of the same `out`.
    pub resume: bool,
    /// A Power Apps inventory to copy in as `apps.csv` (no Graph API lists apps).
    pub apps: Option<PathBuf>,
    /// Groups whose members are pulled at the same time.
    pub concurrency: usize,
    pub audit_poll: AuditPollPolicy,
}

/// What a pull produced.
#[derive(Debug, Clone)]
pub struct PullSummary {
    pub out: PathBuf,
    pub resumed: bool,
    pub subscribed_skus: u64,
    pub subscriptions: subscriptions::SubscriptionsOutcome,
    pub users: users::UsersOutcome,
    pub groups: groups::GroupsOutcome,
    pub audit: audit::AuditOutcome,
    pub audit_files: usize,
    pub audit_window: AuditWindow,
    pub client: ClientStats,
}

/// What every collection's pull shares.
pub struct PullContext {
    pub client: Arc<GraphClient>,
    pub folder: PartialFolder,
    pub progress: Arc<dyn PullProgress>,
    pub concurrency: usize,
}

/// Pulls a snapshot into `settings.out`.
pub async fn pull(
    client: Arc<GraphClient>,
    settings: &PullSettings,
    progress: Arc<dyn PullProgress>,
) -> Result<PullSummary, PullError> {
    let folder = PartialFolder::for_output(&settings.out)?;
    if settings.out.exists() {
        return Err(PullError::OutputExists {
            path: settings.out.clone(),
        });
    }
    let graph = client
        .graph_url()
        .as_str()
        .trim_end_matches('/')
        .to_string();
    let (manifest, resumed) = prepare(&folder, &graph, settings, &progress)?;
    let started_at = parse_moment(&folder, &manifest.started_at)?;
    let since = NaiveDate::parse_from_str(&manifest.since, "%Y-%m-%d").map_err(|error| {
        PullError::Checkpoint {
            path: folder.manifest_path(),
            problem: format!("since {:?}: {error}", manifest.since),
        }
    })?;
    let window = AuditWindow {
        start: since.and_time(chrono::NaiveTime::MIN).and_utc(),
        end: started_at,
    };

    let context = Arc::new(PullContext {
        client,
        folder: folder.clone(),
        progress,
        concurrency: settings.concurrency.max(1),
    });
    let (subscribed_skus, subscriptions, users, groups, audit) = tokio::try_join!(
        skus::pull_subscribed_skus(&context),
        subscriptions::pull_subscriptions(&context),
        users::pull_users(&context),
        groups::pull_groups(Arc::clone(&context)),
        audit::pull_audit(&context, window, &settings.audit_poll),
    )?;

    let audit_files = audit::write_audit_files(&context, audit.pages)?;
    if let Some(apps) = &settings.apps {
        let target = folder.root.join("apps.csv");
        std::fs::copy(apps, &target).map_err(|error| PullError::io(apps, "copy", error))?;
    }
    let metadata = serde_json::json!({
        "tenantId": manifest.tenant_id,
        "collectedAt": manifest.started_at,
        "source": SOURCE,
        "signInActivityCollected": users.sign_in_activity_collected,
        "subscriptionsCollected": subscriptions.subscriptions.is_some(),
        "graph": manifest.graph,
        "auditQuery": {
            "operationFilters": ["LaunchPowerApp"],
            "filterStartDateTime": window.start.to_rfc3339_opts(SecondsFormat::Secs, true),
            "filterEndDateTime": window.end.to_rfc3339_opts(SecondsFormat::Secs, true),
            "records": audit.records,
        },
    });
    write_json(
        &folder.staging,
        &folder.root.join("snapshot.json"),
        &metadata,
    )?;
    complete(&folder)?;
    Ok(PullSummary {
        out: settings.out.clone(),
        resumed,
        subscribed_skus,
        subscriptions,
        users,
        groups,
        audit,
        audit_files,
        audit_window: window,
        client: context.client.stats(),
    })
}

/// Creates the partial folder, or checks that the one found may be resumed with `settings`.
fn prepare(
    folder: &PartialFolder,
    graph: &str,
    settings: &PullSettings,
    progress: &Arc<dyn PullProgress>,
) -> Result<(Manifest, bool), PullError> {
    if folder.root.exists() {
        if !settings.resume {
            return Err(PullError::PartialExists {
                path: folder.root.clone(),
            });
        }
        if let Some(saved) = folder.read_manifest()? {
            check_resumable(folder, &saved, graph, settings)?;
            progress.note(
                None,
                &format!(
                    "resuming the pull started at {} from {}",
                    saved.started_at,
                    folder.root.display()
                ),
            );
            return Ok((saved, true));
        }
    } else if settings.resume {
        progress.note(
            None,
            "--resume: no interrupted pull found; starting a new one",
        );
    }
    let now = Utc::now();
    let since = settings
        .since
        .unwrap_or_else(|| now.date_naive() - chrono::Days::new(DEFAULT_AUDIT_DAYS));
    let manifest = Manifest::new(
        graph,
        settings.tenant_id.clone(),
        since.format("%Y-%m-%d").to_string(),
        now.to_rfc3339_opts(SecondsFormat::Secs, true),
    );
    folder.create(&manifest)?;
    Ok((manifest, false))
}

fn check_resumable(
    folder: &PartialFolder,
    saved: &Manifest,
    graph: &str,
    settings: &PullSettings,
) -> Result<(), PullError> {
    let mismatch = |setting: &'static str, saved: &str, given: &str| PullError::ResumeMismatch {
        path: folder.root.clone(),
        setting,
        saved: saved.to_string(),
        given: given.to_string(),
    };
    if saved.graph != graph {
        return Err(mismatch("--graph", &saved.graph, graph));
    }
    if let Some(tenant) = &settings.tenant_id
        && saved.tenant_id.as_deref() != Some(tenant.as_str())
    {
        return Err(mismatch(
            "--tenant",
            saved.tenant_id.as_deref().unwrap_or("(none)"),
            tenant,
        ));
    }
    if let Some(since) = settings.since {
        let given = since.format("%Y-%m-%d").to_string();
        if saved.since != given {
            return Err(mismatch("--since", &saved.since, &given));
        }
    }
    Ok(())
}

fn parse_moment(folder: &PartialFolder, text: &str) -> Result<DateTime<Utc>, PullError> {
    DateTime::parse_from_rfc3339(text)
        .map(|moment| moment.with_timezone(&Utc))
        .map_err(|error| PullError::Checkpoint {
            path: folder.manifest_path(),
            problem: format!("startedAt {text:?}: {error}"),
        })
}

/// Moves the finished snapshot to `--out`, then drops its checkpoints. (A pull killed between
/// the two leaves a hidden `.pull/` folder in a complete snapshot; the audit ignores it.)
fn complete(folder: &PartialFolder) -> Result<(), PullError> {
    if folder.out.exists() {
        return Err(PullError::OutputExists {
            path: folder.out.clone(),
        });
    }
    std::fs::rename(&folder.root, &folder.out).map_err(|error| {
        PullError::io(
            Path::new(&folder.out),
            "move the finished snapshot to",
            error,
        )
    })?;
    let staging = folder.out.join(checkpoint::STAGING);
    std::fs::remove_dir_all(&staging)
        .map_err(|error| PullError::io(&staging, "remove the checkpoints", error))
}
