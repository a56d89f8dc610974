//! Command-line types (clap). Doc comments here are the `--help` text; nothing below
//! `commands/` sees these types' parsing details.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// seatwise: find the Microsoft 365 / Power Platform licenses you pay for and do not use,
/// and the people who use premium apps without a license.
#[derive(Debug, Parser)]
#[command(name = "seatwise", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a snapshot, apply the finding rules and write the audit folder (with the finance
    /// report, report.html).
    #[command(
        after_help = "Example:\n  seatwise audit data/sample\n  seatwise audit exports/2026-11 --as-of 2026-11-01 --window-days 60 --out reports/nov --fail-on missing-premium\n  seatwise audit exports/2026-11 --no-report\n  seatwise audit exports/2026-11 --history            # also record the month in reports/history/"
    )]
    Audit(AuditArgs),
    /// Write the finance report (report.html) of an audit folder, from its tables alone.
    #[command(
        after_help = "The page is self-contained (inline CSS and SVG charts, no script, nothing fetched) and prints\nto A4 or Letter. It is written aside and renamed into place.\n\nExample:\n  seatwise report reports/2026-11-01\n  seatwise report reports/2026-11-01 --by costCenter --out finance/2026-11"
    )]
    Report(ReportArgs),
    /// Make a plan: reclaim wasted licenses, or assign licenses by any strategy.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Approve a plan as it is now; any later edit voids the approval.
    #[command(
        after_help = "Example:\n  seatwise approve plans/2026-11/plan.json --by \"Dana Smith\" --note \"checked with HR\""
    )]
    Approve(ApproveArgs),
    /// Apply an approved plan through Microsoft Graph (a dry run unless --execute).
    #[command(after_help = APPLY_AFTER_HELP)]
    Apply(ApplyArgs),
    /// Undo what `apply` changed, from its journal (a dry run unless --execute).
    #[command(after_help = ROLLBACK_AFTER_HELP)]
    Rollback(RollbackArgs),
    /// Write a realistic, deterministic synthetic tenant snapshot.
    #[command(
        after_help = "Example:\n  seatwise generate --users 300 --seed 7 --as-of 2026-11-01 --out data/sample"
    )]
    Generate(GenerateArgs),
    /// Pull a snapshot from a live tenant.
    #[command(
        after_help = "Example:\n  SEATWISE_CLIENT_SECRET=... seatwise ingest graph --tenant contoso.onmicrosoft.com --client-id 6f1c2d3e-0000-4000-8000-123456789abc --out snapshots/2026-11"
    )]
    Ingest(IngestArgs),
    /// Keep each month's audit in a history root and say what changed between months.
    #[command(subcommand)]
    History(HistoryCommand),
    /// The unattended monthly run for a scheduler: pull or read a snapshot, audit it, record
    /// the month in history, optionally plan a reclaim (never applied), notify a webhook, and
    /// exit by thresholds.
    #[command(after_help = MONTHLY_AFTER_HELP)]
    Monthly(MonthlyArgs),
}

const MONTHLY_AFTER_HELP: &str = "\
Every key of the configuration can be overridden by SEATWISE_<KEY> (SEATWISE_NOTIFY_<KEY> for the
[notify] table), e.g. SEATWISE_TENANT, SEATWISE_SOURCE, SEATWISE_OUTPUT_ROOT, SEATWISE_THRESHOLDS
(comma-separated). Unknown keys are errors. See the README section \"Scheduled monthly runs\".

Exit codes: 0 success; 1 a threshold was crossed; 2 bad configuration or input; 3 Microsoft
Graph still failing after retries; 4 an internal error. The webhook is notified on every run,
success or failure; a failing receiver never changes the exit code.

Example:
  seatwise monthly --config /etc/seatwise/seatwise.toml --check
  seatwise monthly --config /etc/seatwise/seatwise.toml --json
  seatwise monthly --config seatwise.toml --as-of 2026-11-30";

#[derive(Debug, Args)]
pub struct MonthlyArgs {
    /// The configuration file (TOML; see the README section \"Scheduled monthly runs\").
    #[arg(long, value_name = "FILE", default_value = "seatwise.toml")]
    pub config: PathBuf,
    /// Validate the configuration, the files it names and the sign-in (a token is acquired
    /// when the source is graph) without pulling or writing anything.
    #[arg(long)]
    pub check: bool,
    /// Print one machine-readable JSON line (schema seatwise.monthly/1) on stdout.
    #[arg(long)]
    pub json: bool,
    /// The as-of date (YYYY-MM-DD). Default: the snapshot's collectedAt date, else today (UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// No progress lines on stderr (errors and warnings still go there).
    #[arg(long)]
    pub quiet: bool,
    /// Do nothing (exit 0, no notification) unless today (UTC) is the last day of the month:
    /// for schedulers that cannot say "last day" (cron: `0 3 28-31 * *`).
    #[arg(long, conflicts_with = "check")]
    pub last_day_only: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The snapshot folder (subscribedSkus.json, users…, optional groups.json, apps.csv,
    /// audit/*.csv, prices.csv, snapshot.json).
    pub snapshot: PathBuf,
    /// The as-of date (YYYY-MM-DD). Default: the snapshot's collectedAt date, else today (UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Length of the activity window in days, ending on the as-of date.
    #[arg(long, value_name = "DAYS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub window_days: u32,
    /// Where to write the audit folder. Default: reports/<as-of>/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Exit with status 1 when any finding of these kinds is found (assignment-error,
    /// duplicate-assignment, idle-seats, inactive-holder, missing-premium, redundant-license,
    /// unused-premium).
    #[arg(long, value_name = "KIND", num_args = 1.., value_delimiter = ',')]
    pub fail_on: Vec<String>,
    /// Skip malformed rows and count them in the data-quality section instead of stopping
    /// (at most 5 % of the users or subscribed SKUs; beyond that the export is refused).
    #[arg(long)]
    pub lenient: bool,
    /// Assert that the audit exports hold every LaunchPowerApp record of the window. Without
    /// it, exports with no launch at all, or not covering the window, make premium use
    /// unknown and no unused-premium is raised.
    #[arg(long)]
    pub audit_complete: bool,
    /// Report how long each stage took, on stderr.
    #[arg(long)]
    pub verbose: bool,
    /// Do not write the finance report (report.html) into the audit folder.
    #[arg(long)]
    pub no_report: bool,
    /// Also record the audit as the month of its as-of date in this history root (default
    /// reports/history). The snapshot must name its tenant (snapshot.json tenantId). Give the
    /// folder as --history=DIR, or put --history after the snapshot.
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = "reports/history")]
    pub history: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Record an audit folder (findings.json and its Parquet tables) as the month of its
    /// as-of date; recording a month again replaces it whole.
    #[command(
        after_help = "Example:\n  seatwise history record reports/2026-11-01\n  seatwise history record reports/2026-11-01 --root /srv/seatwise/history"
    )]
    Record(HistoryRecordArgs),
    /// List the recorded months: as-of date, tenant, counts, monthly cost.
    #[command(
        after_help = "Example:\n  seatwise history list\n  seatwise history list --root /srv/seatwise/history --json"
    )]
    List(HistoryListArgs),
    /// What changed between two months: new, resolved and persisting findings, returned
    /// licenses, seats bought and cut, cost and savings, cohorts of license holders.
    #[command(
        after_help = "Without --from and --to, the last two recorded months are compared.\n\nExample:\n  seatwise history diff\n  seatwise history diff --from 2026-09 --to 2026-11 --json > changes.json"
    )]
    Diff(HistoryDiffArgs),
    /// The last 12 recorded months up to a month: monthly cost, savings available, cost to
    /// comply, seats and findings, as the report's Trend section and sheet show them.
    #[command(
        after_help = "Without --to, the months up to the latest one.\n\nExample:\n  seatwise history trend\n  seatwise history trend --to 2026-11 --json > trend.json"
    )]
    Trend(HistoryTrendArgs),
    /// Remove all but the latest months.
    #[command(after_help = "Example:\n  seatwise history prune --keep-months 24")]
    Prune(HistoryPruneArgs),
}

#[derive(Debug, Args)]
pub struct HistoryRootArgs {
    /// The history root.
    #[arg(long, value_name = "DIR", default_value = "reports/history")]
    pub root: PathBuf,
}

#[derive(Debug, Args)]
pub struct HistoryRecordArgs {
    /// The audit folder written by `seatwise audit`.
    pub audit: PathBuf,
    #[command(flatten)]
    pub root: HistoryRootArgs,
}

#[derive(Debug, Args)]
pub struct HistoryListArgs {
    #[command(flatten)]
    pub root: HistoryRootArgs,
    /// Write the months as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct HistoryTrendArgs {
    #[command(flatten)]
    pub root: HistoryRootArgs,
    /// The last month of the trend (YYYY-MM). Default: the latest month.
    #[arg(long, value_name = "YYYY-MM")]
    pub to: Option<String>,
    /// Write the trend as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct HistoryDiffArgs {
    #[command(flatten)]
    pub root: HistoryRootArgs,
    /// The earlier month (YYYY-MM). Default: the month recorded before --to.
    #[arg(long, value_name = "YYYY-MM")]
    pub from: Option<String>,
    /// The later month (YYYY-MM). Default: the latest month.
    #[arg(long, value_name = "YYYY-MM")]
    pub to: Option<String>,
    /// Write the comparison as JSON (schema seatwise.history-diff/1).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct HistoryPruneArgs {
    #[command(flatten)]
    pub root: HistoryRootArgs,
    /// How many of the latest months to keep.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_months: u32,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The audit folder written by `seatwise audit` (findings.json and the Parquet tables).
    pub audit: PathBuf,
    /// The folder to write report.html and report.xlsx into (created if missing). Default: the
    /// audit folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The user attribute of the chargeback: department, companyName, officeLocation,
    /// usageLocation, costCenter or division.
    #[arg(long, value_name = "ATTRIBUTE", default_value = "department")]
    pub by: String,
    /// Replace user ids, principal names and display names with stable pseudonyms (keyed
    /// HMAC-SHA-256). Needs --out: the redacted report gets a folder of its own, holding only the
    /// report files. The key comes from SEATWISE_REDACT_KEY or --redact-key-file.
    #[arg(long, requires = "out")]
    pub redact: bool,
    /// The file holding the redaction key (at least 16 bytes; surrounding whitespace ignored).
    #[arg(long, value_name = "FILE", requires = "redact")]
    pub redact_key_file: Option<PathBuf>,
    /// A history root (`seatwise audit --history`, `seatwise history record`): the report
    /// gains the trend of the last 12 recorded months up to the audit's month and what changed
    /// since the month recorded before it.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of directory users.
    #[arg(long, value_name = "N")]
    pub users: usize,
    /// Seed of the random generator: the same seed gives the same tenant.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The as-of date the tenant is generated around (YYYY-MM-DD). Default: today (UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// The folder to create.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Removals of wasted licenses from an audit's findings, under a policy.
    #[command(
        after_help = "Example:\n  seatwise plan reclaim reports/2026-11-01 --policy policy.toml --out plans/2026-11/plan.json"
    )]
    Reclaim(ReclaimArgs),
    /// Assignments: manual (--user), bulk (--from), group-based (--group), by request
    /// (--requests) or on demand (--on-demand AUDIT_DIR).
    #[command(
        after_help = "Examples:\n  seatwise plan assign --snapshot snap --user ada@contoso.com --sku POWERAPPS_PER_USER --out plans/ada/plan.json\n  seatwise plan assign --snapshot snap --from userEmail.csv --sku POWERAPPS_PER_USER --out plans/bulk/plan.json\n  seatwise plan assign --snapshot snap --group \"Power Apps Makers\" --sku POWERAPPS_PER_USER --move-direct-holders --out plans/group/plan.json\n  seatwise plan assign --snapshot snap --requests requests.csv --out plans/requests/plan.json\n  seatwise plan assign --on-demand reports/2026-11-01 --out plans/on-demand/plan.json"
    )]
    Assign(AssignArgs),
}

#[derive(Debug, Args)]
pub struct ReclaimArgs {
    /// The audit folder written by `seatwise audit` (holding findings.json).
    pub audit: PathBuf,
    /// The reclaim policy (TOML; see the README).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Where to write plan.json; the CSV, PowerShell, $batch and notices files land beside it.
    #[arg(long, value_name = "PLAN")]
    pub out: PathBuf,
    /// The snapshot the audit read. Default: the path recorded in findings.json.
    #[arg(long, value_name = "DIR")]
    pub snapshot: Option<PathBuf>,
    /// The planning date (YYYY-MM-DD): exclusions expire and grace periods count from it.
    /// Default: today (UTC).
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
}

#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The snapshot to plan against. Default with --on-demand: the audit's snapshot.
    #[arg(long, value_name = "DIR")]
    pub snapshot: Option<PathBuf>,
    /// Manual: one user (principal name or object id).
    #[arg(long, value_name = "USER", requires = "sku", conflicts_with_all = ["from", "group", "requests", "on_demand"])]
    pub user: Option<String>,
    /// Bulk: a CSV with a UserEmail column.
    #[arg(long, value_name = "CSV", requires = "sku", conflicts_with_all = ["group", "requests", "on_demand"])]
    pub from: Option<PathBuf>,
    /// Group-based: the licensing group (id or display name).
    #[arg(long, value_name = "GROUP", requires = "sku", conflicts_with_all = ["requests", "on_demand"])]
    pub group: Option<String>,
    /// With --group: also move the SKU's direct holders into the group.
    #[arg(long, requires = "group")]
    pub move_direct_holders: bool,
    /// By request: a CSV with Requester, Sku, Justification, Manager columns.
    #[arg(long, value_name = "CSV", conflicts_with = "on_demand")]
    pub requests: Option<PathBuf>,
    /// On demand: cover the audit's missing-premium users (who would auto-claim a license).
    #[arg(long, value_name = "AUDIT_DIR")]
    pub on_demand: Option<PathBuf>,
    /// The SKU (part number or GUID) for --user, --from and --group.
    #[arg(long, value_name = "SKU")]
    pub sku: Option<String>,
    /// Distinct approvers the plan needs before it can be applied.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub approvals: u32,
    /// Count only approvals signed (`seatwise approve --sign-with`) by a key of this
    /// allowed-signers file (the format of `ssh-keygen -Y verify`). It is copied into the
    /// plan's folder and its hash recorded in plan.json.
    #[arg(long, value_name = "ALLOWED_SIGNERS")]
    pub require_signatures: Option<PathBuf>,
    /// Where to write plan.json; the other forms land beside it.
    #[arg(long, value_name = "PLAN")]
    pub out: PathBuf,
    /// The planning date (YYYY-MM-DD). Default: today (UTC).
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
    /// Skip malformed CSV rows and list them instead of stopping.
    #[arg(long)]
    pub lenient: bool,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The plan.json to approve.
    pub plan: PathBuf,
    /// Who approves.
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// Why, or what was checked.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Sign the approval with this OpenSSH private key (unencrypted; namespace
    /// seatwise-plan, verifiable with `ssh-keygen -Y verify`). Required when the plan requires
    /// signatures.
    #[arg(long, value_name = "KEY")]
    pub sign_with: Option<PathBuf>,
}

const APPLY_AFTER_HELP: &str = "\
Beside the plan, --execute writes journal.jsonl (the write-ahead journal), audit-trail.csv and
rollback/plan.json (the undo of what was changed, with its CSV, PowerShell and $batch forms).

Exit codes: 0 every action settled (applied, already done, stale, manual, or deferred to a
later date); 2 bad usage, an unapproved or edited plan, another run of the same plan, or
Ctrl-C (the actions in flight finish first); 3 Graph refused a change or kept failing (rerun
with --resume: nothing is applied twice).

Example:
  export SEATWISE_CLIENT_SECRET=...
  seatwise apply plans/2026-11/plan.json --tenant contoso.onmicrosoft.com \\
      --client-id 6f1c2d3e-0000-4000-8000-123456789abc            # dry run: what would change
  seatwise apply plans/2026-11/plan.json --tenant contoso.onmicrosoft.com \\
      --client-id 6f1c2d3e-0000-4000-8000-123456789abc --execute";

const ROLLBACK_AFTER_HELP: &str = "\
The rollback plan is derived from the apply journal: only what was changed is undone, newest
first (a removed license comes back with the service plans it had disabled). It is written to
rollback/plan.json beside the plan, its journal to rollback/journal.jsonl, its outcomes to the
same audit-trail.csv. It needs the original plan's approvals, unchanged.

Example:
  seatwise rollback plans/2026-11/plan.json --tenant contoso.onmicrosoft.com \\
      --client-id 6f1c2d3e-0000-4000-8000-123456789abc --execute";

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The approved plan.json.
    pub plan: PathBuf,
    #[command(flatten)]
    pub connection: GraphConnectionArgs,
    /// Change the tenant. Without it, every action is checked against the tenant and the
    /// run reports what it would do, writing nothing.
    #[arg(long)]
    pub execute: bool,
    /// Continue an interrupted or incomplete run from its journal (failed and deferred
    /// actions are tried again; finished ones are not repeated).
    #[arg(long)]
    pub resume: bool,
    /// The date grace periods are counted against (YYYY-MM-DD). Default: today (UTC). A
    /// later date previews a dry run; --execute never runs ahead of today.
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
    /// Users whose actions run at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=32))]
    pub concurrency: u32,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The plan.json that was applied.
    pub plan: PathBuf,
    #[command(flatten)]
    pub connection: GraphConnectionArgs,
    /// Change the tenant (otherwise report what the rollback would do).
    #[arg(long)]
    pub execute: bool,
    /// Continue an interrupted rollback from its journal.
    #[arg(long)]
    pub resume: bool,
    /// Users whose actions run at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=32))]
    pub concurrency: u32,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(subcommand)]
    pub source: IngestSource,
}

#[derive(Debug, Subcommand)]
pub enum IngestSource {
    /// Pull a snapshot from Microsoft Graph: subscribedSkus.json, users/, groups.json, audit/
    /// and snapshot.json, in the layout `seatwise audit` reads.
    ///
    /// Sign-in is app-only, by a client secret, a certificate, a managed identity or a
    /// federated token (--auth). Secrets never go on the command line: the client secret comes
    /// from the environment variable SEATWISE_CLIENT_SECRET or from --client-secret-file; a
    /// ready bearer token can be given in SEATWISE_ACCESS_TOKEN instead (then --tenant and
    /// --client-id are not needed).
    #[command(after_help = INGEST_GRAPH_AFTER_HELP)]
    Graph(IngestGraphArgs),
}

const INGEST_GRAPH_AFTER_HELP: &str = "\
Sign-in (--auth; the same for apply and rollback):
  secret            SEATWISE_CLIENT_SECRET or --client-secret-file, with --tenant and --client-id
  certificate       --certificate-file (and --private-key-file), with --tenant and --client-id
  managed-identity  IDENTITY_ENDPOINT + IDENTITY_HEADER (App Service, Functions, Automation),
                    else the VM's instance metadata service; --client-id for a user-assigned one
  federated         --federated-token-file or AZURE_FEDERATED_TOKEN_FILE (Kubernetes), with
                    --tenant and --client-id (or AZURE_TENANT_ID and AZURE_CLIENT_ID)
  github-oidc       ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN (a job with
                    `permissions: id-token: write`), with --tenant and --client-id

Tuning (environment variables):
  SEATWISE_GRAPH_TIMEOUT_MS    timeout of one request attempt (default 60000)
  SEATWISE_GRAPH_MAX_ATTEMPTS  attempts per request, the first included (default 6)
  SEATWISE_GRAPH_BACKOFF_MS    first retry wait without Retry-After; it doubles (default 1000)
  SEATWISE_AUDIT_POLL_MS       first wait for the audit log query; it grows 1.5x (default 5000)
  SEATWISE_AUDIT_TIMEOUT_S     how long to wait for the audit log query (default 7200)

Exit codes: 0 a complete snapshot; 2 bad usage; 3 Graph still failing after retries
(rerun the same command with --resume to continue where it stopped).

Example:
  export SEATWISE_CLIENT_SECRET=...        # or: --client-secret-file /run/secrets/seatwise
  seatwise ingest graph --tenant contoso.onmicrosoft.com \\
      --client-id 6f1c2d3e-0000-4000-8000-123456789abc --out snapshots/2026-11 --apps apps.csv
  seatwise audit snapshots/2026-11";

/// How seatwise signs in to Microsoft Graph (`--auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SignInMethod {
    /// An app registration's client secret (SEATWISE_CLIENT_SECRET or --client-secret-file).
    Secret,
    /// An app registration's certificate (--certificate-file, --private-key-file).
    Certificate,
    /// The Azure resource's managed identity (App Service, Functions, Automation, VMs).
    ManagedIdentity,
    /// A federated token from a file (Kubernetes workload identity).
    Federated,
    /// GitHub Actions' OIDC token, exchanged as a federated credential.
    GithubOidc,
}

/// How to reach a tenant through Microsoft Graph (shared by `ingest graph`, `apply` and
/// `rollback`). Secrets never go on the command line.
#[derive(Debug, Args)]
pub struct GraphConnectionArgs {
    /// How to sign in. Default: the method whose input is given (--client-secret-file,
    /// --certificate-file or --federated-token-file; else SEATWISE_ACCESS_TOKEN, else
    /// SEATWISE_CLIENT_SECRET). See the README section "Signing in".
    #[arg(long, value_enum, value_name = "METHOD")]
    pub auth: Option<SignInMethod>,
    /// The tenant: its id (GUID) or a verified domain such as contoso.onmicrosoft.com
    /// (default with --auth federated: AZURE_TENANT_ID).
    #[arg(long, value_name = "TENANT_ID")]
    pub tenant: Option<String>,
    /// The application (client) id of the app registration (default with --auth federated:
    /// AZURE_CLIENT_ID). With --auth managed-identity: a user-assigned identity's client id
    /// (without it, the system-assigned identity).
    #[arg(long, value_name = "APP_ID")]
    pub client_id: Option<String>,
    /// A file holding the client secret (instead of SEATWISE_CLIENT_SECRET).
    #[arg(long, value_name = "PATH")]
    pub client_secret_file: Option<PathBuf>,
    /// A PEM file with the app registration's certificate, and its private key unless
    /// --private-key-file is given.
    #[arg(long, value_name = "PATH")]
    pub certificate_file: Option<PathBuf>,
    /// A PEM file with the certificate's RSA private key (unencrypted PKCS#8 or PKCS#1).
    #[arg(long, value_name = "PATH", requires = "certificate_file")]
    pub private_key_file: Option<PathBuf>,
    /// A file holding a federated token, read again at every renewal (default with --auth
    /// federated: AZURE_FEDERATED_TOKEN_FILE).
    #[arg(long, value_name = "PATH")]
    pub federated_token_file: Option<PathBuf>,
    /// The Microsoft identity platform (national clouds: https://login.microsoftonline.us,
    /// https://login.chinacloudapi.cn).
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://login.microsoftonline.com"
    )]
    pub authority: String,
    /// The Microsoft Graph endpoint (national clouds: https://graph.microsoft.us,
    /// https://dod-graph.microsoft.us, https://microsoftgraph.chinacloudapi.cn).
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://graph.microsoft.com"
    )]
    pub graph: String,
}

#[derive(Debug, Args)]
pub struct IngestGraphArgs {
    #[command(flatten)]
    pub connection: GraphConnectionArgs,
    /// The snapshot folder to create. It must not exist; the pull writes into
    /// .<name>.partial beside it and renames that folder only when complete.
    #[arg(long, value_name = "SNAPSHOT")]
    pub out: PathBuf,
    /// First day (UTC, YYYY-MM-DD) of the Power Apps launches pulled from the audit log.
    /// Default: 90 days before today.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Requests in flight at once (group member pages in parallel, collections side by side).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// Continue an interrupted pull into the same --out from where it stopped.
    #[arg(long)]
    pub resume: bool,
    /// No progress on stderr (stdout still gets the one-line summary).
    #[arg(long)]
    pub quiet: bool,
    /// A Power Apps inventory CSV (Get-AdminPowerApp export; no Graph API lists apps) to copy
    /// into the snapshot as apps.csv.
    #[arg(long, value_name = "FILE")]
    pub apps: Option<PathBuf>,
}
