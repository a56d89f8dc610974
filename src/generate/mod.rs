//! Synthetic tenant generator: writes a realistic snapshot folder (SPEC §2) from a seed.
//!
//! Demos, tests and benchmarks need tenants that look like real Microsoft 365 exports, including
//! the awkward cases a license audit exists for, without anyone's real data. [`generate`] builds
//! an in-memory directory (users, licensing groups, subscriptions) and an app inventory, then
//! writes `snapshot.json`, `subscribedSkus.json`, `subscriptions.json`, `terms.csv`,
//! `users/page-*.json`, `groups.json`, `apps.csv` and a streamed `audit/*.csv` log into a hidden staging directory that is renamed into place
//! only once complete. Output is a pure function of `(users, seed, as_of)`: one deterministic
//! PRNG stream per stage, no hash-map iteration, no clock.
//!
//! Stages: `directory` (people and sign-ins), `licensing` (assignments, groups, seats), `apps`
//! (inventory), `audit_plan` and `audit` (the audit log, with `audit_record` for `AuditData`),
//! `graph_json` and `audit_csv` (file formats), `output` (staging and path-aware errors).
//!
//! Determinism holds for one platform: a few draws go through `f64::powf`/`exp`, whose last bit
//! may differ between math libraries.

mod apps;
mod audit;
mod audit_csv;
mod audit_plan;
mod audit_record;
mod directory;
mod graph_json;
mod licensing;
mod names;
mod output;
mod renewals;
mod rng;
mod skus;
mod tenant;
mod time;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use directory::Clock;
use output::Staging;
use rng::Rng;
use tenant::{Tenant, TenantIdentity};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateConfig {
    /// Number of directory users (members and guests).
    pub users: usize,
    /// Seed: the same seed, user count and as-of date give byte-identical output.
    pub seed: u64,
    /// The as-of date: the snapshot is collected at 06:00 UTC that day.
    pub as_of: NaiveDate,
}

/// What was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateSummary {
    /// Directory users written.
    pub users: usize,
    /// Groups in `groups.json`.
    pub groups: usize,
    /// Data rows across all audit files.
    pub audit_rows: usize,
    /// Audit files written.
    pub audit_files: usize,
    /// Apps in `apps.csv`.
    pub apps: usize,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// A tenant needs at least one user.
    #[error("the number of users must be at least 1")]
    NoUsers,
    /// The output exists and is not an empty directory.
    #[error("output {path} already exists and is not an empty directory")]
    OutputNotEmpty {
        /// The requested output.
        path: PathBuf,
    },
    /// The output path has no final component to name the snapshot folder by.
    #[error("output {path} does not name a folder")]
    InvalidOutput {
        /// The requested output.
        path: PathBuf,
    },
    /// Reading or writing a file or directory failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Serialising JSON failed.
    #[error("cannot write JSON to {path}: {source}")]
    Json {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// Writing CSV failed.
    #[error("cannot write CSV to {path}: {source}")]
    Csv {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: csv::Error,
    },
}

/// Writes a synthetic tenant snapshot into `out`, which must not exist or be an empty
/// directory. The folder appears complete or not at all.
pub fn generate(config: &GenerateConfig, out: &Path) -> Result<GenerateSummary, GenerateError> {
    if config.users == 0 {
        return Err(GenerateError::NoUsers);
    }
    let staging = Staging::begin(out)?;
    let summary = write_snapshot(config, staging.path())?;
    staging.commit()?;
    Ok(summary)
}

fn tenant_identity(rng: &mut Rng) -> TenantIdentity {
    let (name, label) = *rng.pick(names::TENANTS);
    TenantIdentity {
        id: rng.guid(),
        name,
        domain: format!("{label}.com"),
        initial_domain: format!("{label}.onmicrosoft.com"),
    }
}

fn build_tenant(config: &GenerateConfig, clock: &Clock) -> Tenant {
    let identity = tenant_identity(&mut Rng::stream(config.seed, "identity"));
    let mut users = directory::build_users(
        &identity,
        config.users,
        clock,
        &mut Rng::stream(config.seed, "users"),
    );
    directory::assign_org_data(
        &mut users,
        &identity,
        &mut Rng::stream(config.seed, "org-data"),
    );
    let groups = licensing::build_groups(&mut Rng::stream(config.seed, "groups"));
    licensing::assign_licenses(&mut users, clock, &mut Rng::stream(config.seed, "licenses"));
    let subscriptions =
        licensing::build_subscriptions(&users, &mut Rng::stream(config.seed, "subscriptions"));
    Tenant {
        identity,
        users,
        groups,
        subscriptions,
    }
}

fn write_snapshot(config: &GenerateConfig, dir: &Path) -> Result<GenerateSummary, GenerateError> {
    let clock = Clock::new(time::epoch_day(config.as_of));
    let tenant = build_tenant(config, &clock);
    let inventory = apps::build_inventory(
        tenant.identity.id,
        config.users,
        clock.as_of_day,
        &mut Rng::stream(config.seed, "apps"),
    );

    graph_json::write_snapshot(dir, &tenant, clock.collected_at)?;
    graph_json::write_subscribed_skus(dir, &tenant)?;
    graph_json::write_user_pages(dir, &tenant)?;
    graph_json::write_groups(dir, &tenant)?;
    renewals::write_renewals(
        dir,
        &tenant,
        config.as_of,
        &mut Rng::stream(config.seed, "renewals"),
    )?;
    apps::write_apps_csv(&dir.join("apps.csv"), &inventory)?;

    let plan = audit_plan::plan_audit(
        &tenant,
        &inventory,
        &clock,
        &mut Rng::stream(config.seed, "audit-plan"),
    );
    let totals = audit::write_audit(
        dir,
        &tenant,
        &inventory,
        plan,
        &clock,
        &mut Rng::stream(config.seed, "audit"),
    )?;
    Ok(GenerateSummary {
        users: tenant.users.len(),
        groups: tenant.groups.len(),
        audit_rows: totals.rows,
        audit_files: totals.files,
        apps: inventory.apps.len(),
    })
}
