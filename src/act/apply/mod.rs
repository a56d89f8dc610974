//! Applying a plan through Microsoft Graph, safely: `seatwise apply` and `seatwise rollback`.
//!
//! A plan is applied only as approved (its exact bytes, by enough distinct approvers) and only
//! where it still holds: each action re-reads the user or group first ([`live`]) and is
//! skipped with a reason when reality has changed ([`decide`]). Every step is written ahead to
//! a journal on disk ([`journal`]) so a crash or kill resumes with `--resume` without applying
//! anything twice; the journal also yields the audit trail ([`trail`]) and the rollback plan
//! ([`rollback`]) that undoes exactly what was changed. Without `--execute` nothing is written
//! to the tenant or the journal: the run reports what it would do.
//!
//! Actions run in dependency order (a level at a time); within a level, actions of different
//! users run side by side and one user's actions run in plan order. A failure of Graph itself
//! (throttling or outages beyond the retries, a refused token, no connection) stops the run:
//! the journal keeps what happened and `--resume` continues. A refusal of one change (HTTP
//! 4xx) is recorded as that action's failure and the run goes on.

pub mod decide;
#[cfg(test)]
mod fixtures;
pub mod journal;
pub mod live;
pub mod rollback;
pub mod trail;

use crate::act::approval::{ApprovalError, read_plan, valid_approvers};
use crate::act::emit::{self, EmitError};
use crate::act::plan::file_sha256;
use crate::act::{Action, Mechanism, Plan};
use crate::graph::{GraphClient, GraphError};
use chrono::NaiveDate;
use decide::{Decision, Lookup, Observation};
use journal::{ActionResult, Journal, JournalError, Record, Request, Restore, Standing};
use live::{LiveReader, encode};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Apply,
    Rollback,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Apply => "apply",
            Mode::Rollback => "rollback",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ApplySettings {
    /// The plan as made and approved (`plan.json`); a rollback names the same file.
    pub plan_path: PathBuf,
    pub mode: Mode,
    /// Change the tenant (otherwise only report what would happen).
    pub execute: bool,
    /// Continue the journal of an earlier run.
    pub resume: bool,
    /// Grace periods are counted against this date.
    pub today: NaiveDate,
    /// Users whose actions run at once.
    pub concurrency: usize,
}

/// The files of a plan's folder.
#[derive(Debug, Clone)]
pub struct PlanFiles {
    pub plan: PathBuf,
    pub journal: PathBuf,
    pub trail: PathBuf,
    pub rollback_plan: PathBuf,
    pub rollback_journal: PathBuf,
}

impl PlanFiles {
    pub fn of(plan: &Path) -> PlanFiles {
        let dir = match plan.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        PlanFiles {
            plan: plan.to_path_buf(),
            journal: dir.join("journal.jsonl"),
            trail: dir.join("audit-trail.csv"),
            rollback_plan: dir.join("rollback").join("plan.json"),
            rollback_journal: dir.join("rollback").join("journal.jsonl"),
        }
    }
}

/// How one action went (or would go, in a dry run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Settled(ActionResult),
    /// Dry run: the request would be sent.
    WouldApply,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Settled(result) => result.as_str(),
            Step::WouldApply => "would-apply",
        }
    }
}

/// One action's report.
#[derive(Debug, Clone)]
pub struct ActionReport {
    pub action_id: String,
    pub mechanism: Mechanism,
    /// The user's principal name, or the group's name.
    pub target: String,
    pub sku_part_number: String,
    pub step: Step,
    pub detail: String,
    pub monthly_amount: f64,
}

/// Told about every action as it ends.
pub trait ApplyObserver: Send + Sync {
    fn reported(&self, report: &ActionReport);
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct ApplySummary {
    pub plan_sha256: String,
    pub approvers: Vec<String>,
    pub required_approvals: u32,
    pub actions: usize,
    /// Results of this run (or would-apply in a dry run), by name.
    pub counts: BTreeMap<&'static str, usize>,
    /// Actions settled by earlier runs and not touched again.
    pub settled_earlier: usize,
    /// Monthly amount of removals applied in this run (for a rollback: restored).
    pub monthly_removed: f64,
    /// Monthly amount of assignments applied in this run.
    pub monthly_added: f64,
    pub currency: String,
    /// Files written (journal, audit trail, rollback plan).
    pub files: Vec<PathBuf>,
    /// Failed or deferred actions: `--resume` takes them up again.
    pub open: usize,
    /// True when the tenant refused `signInActivity` (activity could not be re-checked).
    pub sign_in_unavailable: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Plan(#[from] ApprovalError),
    #[error(
        "{}: the plan needs {need} distinct approval(s) of its current content and has {have}{}\nhint: `seatwise approve {} --by NAME` (an edit to the plan voids earlier approvals)",
        path.display(),
        if approvers.is_empty() { String::new() } else { format!(" ({})", approvers.join(", ")) },
        path.display()
    )]
    NotApproved {
        path: PathBuf,
        have: usize,
        need: u32,
        approvers: Vec<String>,
    },
    #[error(
        "{}: this plan has been run before\nhint: add --resume to continue it (finished actions are not repeated)",
        journal.display()
    )]
    AlreadyRun { journal: PathBuf },
    #[error(
        "{}: the plan has been rolled back; it cannot be applied again\nhint: make a new plan from a fresh audit",
        journal.display()
    )]
    RolledBack { journal: PathBuf },
    #[error(
        "{}: nothing to roll back: the plan has not been applied (no journal)",
        journal.display()
    )]
    NothingToRollBack { journal: PathBuf },
    #[error(
        "{}: the journal belongs to another version of {} (its plan_sha256 differs)\nhint: a plan must not change once applied; make a new plan instead",
        journal.display(),
        plan.display()
    )]
    JournalMismatch { journal: PathBuf, plan: PathBuf },
    #[error("{}: action {action} depends on {missing}, which is not in the plan or forms a cycle", plan.display())]
    BrokenDependencies {
        plan: PathBuf,
        action: String,
        missing: String,
    },
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("an action task stopped unexpectedly: {problem}")]
    Task { problem: String },
    #[error(transparent)]
    Emit(#[from] EmitError),
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{source}\nthe run stopped; {} records what happened\nhint: rerun the same command with --resume to continue",
        journal.display()
    )]
    Graph {
        #[source]
        source: Box<GraphError>,
        journal: PathBuf,
    },
}

impl ApplyError {
    /// True when Graph (not the input) failed: exit code 3.
    pub fn is_remote(&self) -> bool {
        match self {
            ApplyError::Graph { source, .. } => source.is_remote(),
            _ => false,
        }
    }
}

fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Checks the journal was written for this exact plan.
fn check_journal(
    records: &[Record],
    sha: &str,
    journal: &Path,
    plan: &Path,
) -> Result<(), ApplyError> {
    let foreign = records
        .iter()
        .any(|record| matches!(record, Record::Start { plan_sha256, .. } if plan_sha256 != sha));
    if foreign {
        return Err(ApplyError::JournalMismatch {
            journal: journal.to_path_buf(),
            plan: plan.to_path_buf(),
        });
    }
    Ok(())
}

/// Dependency levels: an action runs after every action it depends on.
fn levels(plan: &Plan, plan_path: &Path) -> Result<Vec<Vec<usize>>, ApplyError> {
    let index: HashMap<&str, usize> = plan
        .actions
        .iter()
        .enumerate()
        .map(|(position, action)| (action.id.as_str(), position))
        .collect();
    let mut level: Vec<Option<usize>> = vec![None; plan.actions.len()];
    for _ in 0..=plan.actions.len() {
        let mut changed = false;
        for (position, action) in plan.actions.iter().enumerate() {
            if level[position].is_some() {
                continue;
            }
            let mut deepest = 0;
            let mut ready = true;
            for dependency in &action.depends_on {
                match index.get(dependency.as_str()).map(|&other| level[other]) {
                    Some(Some(other)) => deepest = deepest.max(other + 1),
                    Some(None) => ready = false,
                    None => {
                        return Err(ApplyError::BrokenDependencies {
                            plan: plan_path.to_path_buf(),
                            action: action.id.clone(),
                            missing: dependency.clone(),
                        });
                    }
                }
            }
            if ready {
                level[position] = Some(deepest);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut levels: Vec<Vec<usize>> = Vec::new();
    for (position, action) in plan.actions.iter().enumerate() {
        let Some(depth) = level[position] else {
            return Err(ApplyError::BrokenDependencies {
                plan: plan_path.to_path_buf(),
                action: action.id.clone(),
                missing: action.depends_on.join(", "),
            });
        };
        if levels.len() <= depth {
            levels.resize(depth + 1, Vec::new());
        }
        levels[depth].push(position);
    }
    Ok(levels)
}

/// Actions with the same key run one after another, in plan order: a user's own changes, and
/// the additions to one group and its license changes (members added to a group compete for
/// its seats in the order they are added, which a rollback must reproduce). Leaving a group
/// takes no seat, so removals run side by side.
fn unit_key(action: &Action) -> String {
    let group = || {
        action
            .group_id
            .as_ref()
            .map(|id| format!("group:{}", id.to_ascii_lowercase()))
    };
    let user = || {
        action
            .user_id
            .as_ref()
            .map(|id| format!("user:{}", id.to_ascii_lowercase()))
    };
    let key = match action.mechanism {
        Mechanism::AddToGroup | Mechanism::AssignToGroup | Mechanism::RemoveGroupLicense => {
            group().or_else(user)
        }
        Mechanism::RemoveFromGroup
        | Mechanism::RemoveDirect
        | Mechanism::AssignDirect
        | Mechanism::Manual => user().or_else(group),
    };
    key.unwrap_or_else(|| action.id.clone())
}

/// Everything the action tasks share.
struct Context {
    reader: LiveReader,
    client: Arc<GraphClient>,
    journal: Option<Journal>,
    today: NaiveDate,
    observer: Arc<dyn ApplyObserver>,
    stop: AtomicBool,
}

/// Runs a plan (or its rollback).
pub async fn run(
    client: Arc<GraphClient>,
    settings: &ApplySettings,
    observer: Arc<dyn ApplyObserver>,
) -> Result<ApplySummary, ApplyError> {
    let files = PlanFiles::of(&settings.plan_path);
    let plan = read_plan(&files.plan)?;
    let sha = file_sha256(&files.plan).map_err(|source| ApplyError::Write {
        path: files.plan.clone(),
        source,
    })?;
    let approvers = valid_approvers(&files.plan)?;
    let need = plan.required_approvals.max(1);
    if settings.execute && approvers.len() < need as usize {
        return Err(ApplyError::NotApproved {
            path: files.plan.clone(),
            have: approvers.len(),
            need,
            approvers,
        });
    }
    let apply_records = journal::read(&files.journal)?;
    check_journal(&apply_records, &sha, &files.journal, &files.plan)?;
    let rollback_records = journal::read(&files.rollback_journal)?;
    check_journal(
        &rollback_records,
        &sha,
        &files.rollback_journal,
        &files.plan,
    )?;

    let mut rollback_written = false;
    let (target, journal_path, prior) = match settings.mode {
        Mode::Apply => {
            if settings.execute && !rollback_records.is_empty() {
                return Err(ApplyError::RolledBack {
                    journal: files.rollback_journal.clone(),
                });
            }
            if settings.execute && !settings.resume && !apply_records.is_empty() {
                return Err(ApplyError::AlreadyRun {
                    journal: files.journal.clone(),
                });
            }
            (
                plan.clone(),
                files.journal.clone(),
                journal::standings(&apply_records),
            )
        }
        Mode::Rollback => {
            if apply_records.is_empty() {
                return Err(ApplyError::NothingToRollBack {
                    journal: files.journal.clone(),
                });
            }
            if settings.execute && !settings.resume && !rollback_records.is_empty() {
                return Err(ApplyError::AlreadyRun {
                    journal: files.rollback_journal.clone(),
                });
            }
            let undo = rollback_of(&plan, &sha, &files, &apply_records);
            emit::write_all(&undo, &files.rollback_plan)?;
            rollback_written = true;
            (
                undo,
                files.rollback_journal.clone(),
                journal::standings(&rollback_records),
            )
        }
    };
    let levels = levels(&target, &files.plan)?;

    let journal = if settings.execute {
        let journal = Journal::open(&journal_path)?;
        journal.append(&Record::Start {
            at: now(),
            mode: settings.mode.as_str().to_string(),
            plan: files.plan.display().to_string(),
            plan_sha256: sha.clone(),
            approvers: approvers.clone(),
            execute: true,
        })?;
        Some(journal)
    } else {
        None
    };
    let context = Arc::new(Context {
        reader: LiveReader::new(client.clone()),
        client,
        journal,
        today: settings.today,
        observer,
        stop: AtomicBool::new(false),
    });

    let mut summary = ApplySummary {
        plan_sha256: sha.clone(),
        approvers: approvers.clone(),
        required_approvals: need,
        actions: target.actions.len(),
        currency: target.currency.clone(),
        ..ApplySummary::default()
    };
    if rollback_written {
        summary.files.push(files.rollback_plan.clone());
    }
    let mut steps: HashMap<String, Step> = HashMap::new();
    for (id, standing) in &prior {
        if let Standing::Ended { result, .. } = standing
            && result.is_final()
        {
            steps.insert(id.clone(), Step::Settled(*result));
        }
    }
    summary.settled_earlier = target
        .actions
        .iter()
        .filter(|action| steps.contains_key(&action.id))
        .count();
    let prior = Arc::new(prior);
    let semaphore = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let mut failure: Option<Stop> = None;
    for level in levels {
        // One unit per user (or group): its actions run in plan order.
        let mut units: BTreeMap<String, Vec<Action>> = BTreeMap::new();
        for position in level {
            let action = &target.actions[position];
            if steps.contains_key(&action.id) {
                continue;
            }
            let key = unit_key(action);
            units.entry(key).or_default().push(action.clone());
        }
        let before = Arc::new(steps.clone());
        let mut running = JoinSet::new();
        for (_, actions) in units {
            let context = context.clone();
            let before = before.clone();
            let prior = prior.clone();
            let semaphore = semaphore.clone();
            running.spawn(async move {
                let _permit = semaphore.acquire_owned().await;
                let mut reports = Vec::new();
                for action in actions {
                    if context.stop.load(Ordering::Relaxed) {
                        break;
                    }
                    match run_action(&context, &action, &before, prior.get(&action.id)).await {
                        Ok(report) => {
                            context.observer.reported(&report);
                            reports.push(report);
                        }
                        Err(error) => {
                            context.stop.store(true, Ordering::Relaxed);
                            return (reports, Some(error));
                        }
                    }
                }
                (reports, None)
            });
        }
        while let Some(joined) = running.join_next().await {
            let (reports, error) = match joined {
                Ok(outcome) => outcome,
                Err(join_error) => (Vec::new(), Some(Stop::Task(join_error.to_string()))),
            };
            for report in reports {
                count(&mut summary, &report);
                steps.insert(report.action_id.clone(), report.step);
            }
            if failure.is_none() {
                failure = error;
            }
        }
        if failure.is_some() {
            break;
        }
    }
    summary.sign_in_unavailable = context.reader.sign_in_refused();

    if let Some(journal) = &context.journal {
        journal.append(&Record::Finish {
            at: now(),
            summary: match &failure {
                Some(error) => format!("stopped: {}", first_line(&error.to_string())),
                None => summary_text(&summary),
            },
        })?;
        summary.files.push(journal.path().to_path_buf());
        write_trail(&plan, &sha, &files)?;
        summary.files.push(files.trail.clone());
        if settings.mode == Mode::Apply {
            let records = journal::read(&files.journal)?;
            let undo = rollback_of(&plan, &sha, &files, &records);
            emit::write_all(&undo, &files.rollback_plan)?;
            summary.files.push(files.rollback_plan.clone());
        }
    }
    match failure {
        Some(Stop::Graph(source)) => Err(ApplyError::Graph {
            source: Box::new(source),
            journal: journal_path,
        }),
        Some(Stop::Journal(error)) => Err(ApplyError::Journal(error)),
        Some(Stop::Task(problem)) => Err(ApplyError::Task { problem }),
        None => Ok(summary),
    }
}

/// The rollback plan, dated by the apply journal's last record so it is the same every time.
fn rollback_of(plan: &Plan, sha: &str, files: &PlanFiles, records: &[Record]) -> Plan {
    let last = records
        .last()
        .map(|record| match record {
            Record::Start { at, .. }
            | Record::Intent { at, .. }
            | Record::Outcome { at, .. }
            | Record::Finish { at, .. } => at.get(..10).unwrap_or(at).to_string(),
        })
        .unwrap_or_else(|| plan.planned_on.clone());
    rollback::rollback_plan(
        plan,
        sha,
        &files.plan.display().to_string(),
        &journal::standings(records),
        &last,
    )
}

/// Rewrites `audit-trail.csv` from both journals.
fn write_trail(plan: &Plan, sha: &str, files: &PlanFiles) -> Result<(), ApplyError> {
    let apply_records = journal::read(&files.journal)?;
    let rollback_records = journal::read(&files.rollback_journal)?;
    let undo = rollback_of(plan, sha, files, &apply_records);
    let mut logs = vec![trail::RunLog {
        plan,
        records: &apply_records,
    }];
    if !rollback_records.is_empty() {
        logs.push(trail::RunLog {
            plan: &undo,
            records: &rollback_records,
        });
    }
    let bytes = trail::render(&logs);
    let staging = files.trail.with_extension("csv.partial");
    std::fs::write(&staging, bytes)
        .and_then(|()| std::fs::rename(&staging, &files.trail))
        .map_err(|source| ApplyError::Write {
            path: files.trail.clone(),
            source,
        })
}

fn count(summary: &mut ApplySummary, report: &ActionReport) {
    *summary.counts.entry(report.step.as_str()).or_default() += 1;
    match report.step {
        Step::Settled(ActionResult::Applied) | Step::WouldApply => {
            if report.mechanism.removes() {
                summary.monthly_removed += report.monthly_amount;
            } else {
                summary.monthly_added += report.monthly_amount;
            }
        }
        Step::Settled(ActionResult::Failed | ActionResult::Deferred) => summary.open += 1,
        Step::Settled(_) => {}
    }
}

fn summary_text(summary: &ApplySummary) -> String {
    summary
        .counts
        .iter()
        .map(|(name, count)| format!("{count} {name}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

fn report(action: &Action, step: Step, detail: impl Into<String>) -> ActionReport {
    ActionReport {
        action_id: action.id.clone(),
        mechanism: action.mechanism,
        target: action
            .user_principal_name
            .clone()
            .or_else(|| action.user_id.clone())
            .or_else(|| action.group_display_name.clone())
            .or_else(|| action.group_id.clone())
            .unwrap_or_default(),
        sku_part_number: action.sku_part_number.clone(),
        step,
        detail: detail.into(),
        monthly_amount: action.monthly_amount,
    }
}

/// Records an outcome (when executing) and makes the report.
fn settle(
    context: &Context,
    action: &Action,
    result: ActionResult,
    detail: String,
    receipt: (Option<u16>, Option<String>),
) -> Result<ActionReport, Stop> {
    if let Some(journal) = &context.journal {
        journal.append(&Record::Outcome {
            at: now(),
            action: action.id.clone(),
            result,
            detail: detail.clone(),
            http_status: receipt.0,
            request_id: receipt.1,
        })?;
    }
    Ok(report(action, Step::Settled(result), detail))
}

/// Why a run stops before its end: Graph failing as a whole, or a journal that cannot be
/// written (nothing may be sent that is not recorded first).
#[derive(Debug)]
enum Stop {
    Graph(GraphError),
    Journal(JournalError),
    Task(String),
}

impl From<GraphError> for Stop {
    fn from(error: GraphError) -> Stop {
        Stop::Graph(error)
    }
}

impl From<JournalError> for Stop {
    fn from(error: JournalError) -> Stop {
        Stop::Journal(error)
    }
}

impl std::fmt::Display for Stop {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Graph(error) => write!(formatter, "{error}"),
            Stop::Journal(error) => write!(formatter, "{error}"),
            Stop::Task(problem) => write!(formatter, "an action task stopped: {problem}"),
        }
    }
}

/// Reads what the action needs to decide.
async fn observe(context: &Context, action: &Action) -> Result<Observation, GraphError> {
    let mut observation = Observation::default();
    if let Some(user_id) = &action.user_id
        && action.mechanism != Mechanism::AssignToGroup
        && action.mechanism != Mechanism::RemoveGroupLicense
    {
        observation.user = match context.reader.user(user_id).await? {
            Some(user) => Lookup::Found(user),
            None => Lookup::Missing,
        };
    }
    let Some(group_id) = &action.group_id else {
        return Ok(observation);
    };
    let group_id = group_id.to_ascii_lowercase();
    match action.mechanism {
        Mechanism::AddToGroup | Mechanism::RemoveFromGroup => {
            let Some(user) = observation.user.found() else {
                return Ok(observation);
            };
            let groups = context.reader.direct_groups(&user.id).await?;
            match groups.into_iter().find(|group| group.id == group_id) {
                Some(group) => {
                    observation.member = Some(true);
                    observation.group = Lookup::Found(group);
                }
                None => {
                    observation.member = Some(false);
                    observation.group = match context.reader.group(&group_id).await? {
                        Some(group) => Lookup::Found(group),
                        None => Lookup::Missing,
                    };
                }
            }
        }
        Mechanism::AssignToGroup | Mechanism::RemoveGroupLicense => {
            observation.group = match context.reader.group(&group_id).await? {
                Some(group) => Lookup::Found(group),
                None => Lookup::Missing,
            };
        }
        Mechanism::RemoveDirect | Mechanism::AssignDirect | Mechanism::Manual => {}
    }
    Ok(observation)
}

/// The Graph request of an action, as the journal records it.
fn request_of(action: &Action) -> Option<Request> {
    let request = emit::batch::request(action)?;
    let method = request.get("method")?.as_str()?.to_string();
    let url = request.get("url")?.as_str()?;
    let target = match action.mechanism {
        Mechanism::RemoveFromGroup => format!(
            "/v1.0/groups/{}/members/{}/$ref",
            encode(action.group_id.as_deref().unwrap_or("")),
            encode(action.user_id.as_deref().unwrap_or(""))
        ),
        _ => format!("/v1.0{url}"),
    };
    Some(Request {
        method,
        target,
        body: request.get("body").cloned(),
    })
}

/// What a rollback will need, read from the state just before the change.
fn restore_of(action: &Action, observation: &Observation) -> Restore {
    let Some(user) = observation.user.found() else {
        return Restore::default();
    };
    match action.mechanism {
        Mechanism::RemoveDirect => Restore {
            disabled_plans: user
                .direct(&action.sku_id)
                .map(|assignment| assignment.disabled_plans.clone()),
            held_through_group: None,
        },
        Mechanism::RemoveFromGroup => {
            let group = action
                .group_id
                .as_deref()
                .unwrap_or("")
                .to_ascii_lowercase();
            let mut held: Vec<String> = user
                .assignments
                .iter()
                .filter(|assignment| {
                    assignment.is_active()
                        && assignment.assigned_by_group.as_deref() == Some(group.as_str())
                })
                .map(|assignment| assignment.sku_id.clone())
                .collect();
            held.sort();
            held.dedup();
            Restore {
                disabled_plans: None,
                held_through_group: Some(held),
            }
        }
        _ => Restore::default(),
    }
}

/// Decides and (when executing) performs one action.
async fn run_action(
    context: &Context,
    action: &Action,
    before: &HashMap<String, Step>,
    prior: Option<&Standing>,
) -> Result<ActionReport, Stop> {
    if let Some(Decision::Settle { result, detail }) = decide::not_yet(action, context.today) {
        return settle(context, action, result, detail, (None, None));
    }
    let mut after_dry_run = Vec::new();
    for dependency in &action.depends_on {
        match before.get(dependency) {
            Some(Step::Settled(result)) if result.reached() => {}
            Some(Step::WouldApply) => after_dry_run.push(dependency.as_str()),
            other => {
                let state = other.map_or("not run", |step| step.as_str());
                return settle(
                    context,
                    action,
                    ActionResult::Deferred,
                    format!("waits for {dependency} ({state})"),
                    (None, None),
                );
            }
        }
    }
    if !after_dry_run.is_empty() {
        return Ok(report(
            action,
            Step::WouldApply,
            format!("after {}", after_dry_run.join(", ")),
        ));
    }
    let observation = observe(context, action).await?;
    if matches!(prior, Some(Standing::InDoubt { .. })) && decide::reached(action, &observation) {
        return settle(
            context,
            action,
            ActionResult::Applied,
            "confirmed on resume: the change had reached Graph before the interruption".into(),
            (None, None),
        );
    }
    if let Decision::Settle { result, detail } = decide::decide(action, &observation) {
        return settle(context, action, result, detail, (None, None));
    }
    let Some(request) = request_of(action) else {
        return settle(
            context,
            action,
            ActionResult::Manual,
            "no Graph request for this action".into(),
            (None, None),
        );
    };
    let Some(journal) = &context.journal else {
        return Ok(report(action, Step::WouldApply, describe_request(&request)));
    };
    let restore = restore_of(action, &observation);
    journal.append(&Record::Intent {
        at: now(),
        action: action.id.clone(),
        request: request.clone(),
        restore,
    })?;
    let method =
        reqwest::Method::from_bytes(request.method.as_bytes()).unwrap_or(reqwest::Method::POST);
    match context
        .client
        .write(method, &request.target, request.body.as_ref())
        .await
    {
        Ok(receipt) => settle(
            context,
            action,
            ActionResult::Applied,
            describe_request(&request),
            (Some(receipt.status), receipt.request_id),
        ),
        Err(GraphError::Status(failure))
            if (400..500).contains(&failure.status)
                && failure.status != 401
                && failure.status != 429 =>
        {
            // Refused: unless an earlier attempt already made the change, the action failed.
            let now_state = observe(context, action).await?;
            if decide::reached(action, &now_state) {
                return settle(
                    context,
                    action,
                    ActionResult::Applied,
                    format!(
                        "in place after Graph answered HTTP {}: an earlier attempt had made the change",
                        failure.status
                    ),
                    (Some(failure.status), failure.request_id.clone()),
                );
            }
            let detail = format!(
                "Graph refused: HTTP {}{}{}",
                failure.status,
                failure
                    .code
                    .as_deref()
                    .map(|code| format!(" {code}"))
                    .unwrap_or_default(),
                failure
                    .message
                    .as_deref()
                    .map(|message| format!(": {message}"))
                    .unwrap_or_default()
            );
            settle(
                context,
                action,
                ActionResult::Failed,
                detail,
                (Some(failure.status), failure.request_id.clone()),
            )
        }
        Err(error) => Err(Stop::Graph(error)),
    }
}

fn describe_request(request: &Request) -> String {
    format!("{} {}", request.method, request.target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fixtures::plan;

    fn action(id: &str, depends_on: &[&str]) -> Action {
        let mut action = fixtures::action(id, Mechanism::RemoveDirect, depends_on);
        action.user_id = Some(format!("user-{id}"));
        action
    }

    #[test]
    fn dependencies_run_in_levels() {
        let plan = plan(vec![
            action("c", &["b"]),
            action("b", &["a"]),
            action("a", &[]),
            action("d", &[]),
        ]);
        let levels = levels(&plan, Path::new("plan.json")).expect("levels");
        assert_eq!(levels, vec![vec![2, 3], vec![1], vec![0]]);
    }

    #[test]
    fn unknown_and_circular_dependencies_are_refused() {
        let unknown = plan(vec![action("a", &["nowhere"])]);
        let error = levels(&unknown, Path::new("plan.json")).expect_err("unknown");
        assert!(error.to_string().contains("nowhere"), "{error}");
        let circular = plan(vec![action("a", &["b"]), action("b", &["a"])]);
        let error = levels(&circular, Path::new("plan.json")).expect_err("cycle");
        assert!(error.to_string().contains("cycle"), "{error}");
    }

    #[test]
    fn additions_to_a_group_share_a_unit_and_other_changes_stay_with_their_user() {
        let mut join = action("a", &[]);
        join.mechanism = Mechanism::AddToGroup;
        join.group_id = Some("G1".into());
        assert_eq!(unit_key(&join), "group:g1");
        let mut leave = join.clone();
        leave.mechanism = Mechanism::RemoveFromGroup;
        assert_eq!(unit_key(&leave), "user:user-a");
        assert_eq!(unit_key(&action("b", &[])), "user:user-b");
    }
}
