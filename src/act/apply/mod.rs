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
//! This module orchestrates a run: refusals, the plan lock, dependency levels, units run side
//! by side, the end-of-run files. One action's steps live in [`execute`]. Actions run in
//! dependency order (a level at a time); within a level, actions of different users run side
//! by side, one user's actions (and additions to one group) in plan order. A failure of Graph
//! itself (throttling or outages beyond the retries, a refused token, no connection) stops
//! the run: the journal keeps what happened and `--resume` continues. A refusal of one change
//! (HTTP 4xx) is recorded as that action's failure and the run goes on.

pub mod decide;
mod execute;
#[cfg(test)]
mod fixtures;
pub mod journal;
pub mod live;
pub mod rollback;
pub mod trail;

use crate::act::approval::{ApprovalError, approvers_of, read_plan_and_sha};
use crate::act::emit::{self, EmitError, PlanFolder};
use crate::act::{Action, Mechanism, Plan};
use crate::contract::manifest;
use crate::graph::{GraphClient, GraphError};
use crate::money::Money;
use chrono::NaiveDate;
use execute::{Context, Stop, run_action};
use journal::{ActionResult, Journal, JournalError, Record, Standing};
use live::LiveReader;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
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
    /// Where the action stands in the plan being run (reports arrive in any order).
    pub position: usize,
    pub action_id: String,
    pub mechanism: Mechanism,
    /// The user's principal name, or the group's name.
    pub target: String,
    pub sku_part_number: String,
    pub step: Step,
    pub detail: String,
    pub monthly_amount: Money,
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
    pub monthly_removed: Money,
    /// Monthly amount of assignments applied in this run.
    pub monthly_added: Money,
    pub currency: String,
    /// Files written (journal, audit trail, rollback plan).
    pub files: Vec<PathBuf>,
    /// True when the tenant refused `signInActivity` (activity could not be re-checked).
    pub sign_in_unavailable: bool,
}

impl ApplySummary {
    /// Actions of this run that `--resume` takes up again (failed or deferred).
    pub fn open(&self) -> usize {
        [ActionResult::Failed, ActionResult::Deferred]
            .iter()
            .filter_map(|result| self.counts.get(result.as_str()))
            .sum()
    }
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
    #[error(
        "{}: another seatwise run is applying or rolling back this plan right now",
        plan.display()
    )]
    Busy { plan: PathBuf },
    #[error("{}: action id {action} appears more than once", plan.display())]
    DuplicateAction { plan: PathBuf, action: String },
    #[error("interrupted; the actions in flight finished{}", after_stop(journal.as_deref()))]
    Interrupted {
        /// The journal of an executing run; `None` for a dry run, which writes none.
        journal: Option<PathBuf>,
    },
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("an action task stopped unexpectedly: {problem}")]
    Task { problem: String },
    #[error(transparent)]
    Emit(#[from] EmitError),
    #[error("{}: cannot read or write: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{source}\nthe run stopped{}", after_stop(journal.as_deref()))]
    Graph {
        #[source]
        source: Box<GraphError>,
        /// The journal of an executing run; `None` for a dry run, which writes none.
        journal: Option<PathBuf>,
    },
}

/// What to do after a run stopped early: resume from the journal, or (a dry run, which
/// writes no journal) simply run again.
fn after_stop(journal: Option<&Path>) -> String {
    match journal {
        Some(journal) => format!(
            "; {} records what happened\nhint: rerun the same command with --resume to continue (nothing is applied twice)",
            journal.display()
        ),
        None => "; this was a dry run: nothing was changed and no journal was written\nhint: run the same command again".to_string(),
    }
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

pub(crate) fn now() -> String {
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
    let mut seen = HashSet::new();
    for action in &plan.actions {
        if !seen.insert(action.id.as_str()) {
            return Err(ApplyError::DuplicateAction {
                plan: plan_path.to_path_buf(),
                action: action.id.clone(),
            });
        }
    }
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

/// True when the journal shows a change attempted (not only a run started).
fn has_changes(records: &[Record]) -> bool {
    records
        .iter()
        .any(|record| matches!(record, Record::Intent { .. } | Record::Outcome { .. }))
}

/// Holds an exclusive lock on the plan file while a run changes the tenant, so two runs of
/// one plan never race; the operating system releases it when the process ends, however it
/// ends.
fn lock_plan(path: &Path) -> Result<File, ApplyError> {
    let io = |source| ApplyError::Write {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(ApplyError::Busy {
            plan: path.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(error)) => Err(io(error)),
    }
}

/// Runs a plan (or its rollback). Setting `interrupt` stops the run before its next action;
/// the actions in flight finish and are recorded.
pub async fn run(
    client: Arc<GraphClient>,
    settings: &ApplySettings,
    observer: Arc<dyn ApplyObserver>,
    interrupt: Arc<AtomicBool>,
) -> Result<ApplySummary, ApplyError> {
    let files = PlanFiles::of(&settings.plan_path);
    let (plan, sha) = read_plan_and_sha(&files.plan)?;
    // What was approved is what runs: the script and batches beside the plan included.
    let manifest_sha = manifest::verify(&files.plan).map_err(ApprovalError::from)?;
    let approvers = approvers_of(&files.plan, &plan, &sha, &manifest_sha)?;
    let need = plan.required_approvals.max(1);
    if settings.execute && approvers.len() < need as usize {
        return Err(ApplyError::NotApproved {
            path: files.plan.clone(),
            have: approvers.len(),
            need,
            approvers,
        });
    }
    let _lock = if settings.execute {
        Some(lock_plan(&files.plan)?)
    } else {
        None
    };
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
            if settings.execute && has_changes(&rollback_records) {
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
            if !has_changes(&apply_records) {
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
            if settings.execute {
                emit::write_all(&undo, &files.rollback_plan, PlanFolder::Rollback, None)?;
                rollback_written = true;
            }
            (
                undo,
                files.rollback_journal.clone(),
                journal::standings(&rollback_records),
            )
        }
    };
    let levels = levels(&target, &files.plan)?;

    // A run with nothing to do leaves no journal (and so does not count as having run).
    let journal = if settings.execute && !target.actions.is_empty() {
        let journal = Journal::open(&journal_path)?;
        journal.append(&Record::Start {
            at: now(),
            mode: settings.mode.as_str().to_string(),
            plan: files.plan.display().to_string(),
            plan_sha256: sha.clone(),
            approvers: approvers.clone(),
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
        stop: interrupt.clone(),
        actions: target
            .actions
            .iter()
            .map(|action| (action.id.clone(), action.clone()))
            .collect(),
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
        let mut units: BTreeMap<String, Vec<(usize, Action)>> = BTreeMap::new();
        for position in level {
            let action = &target.actions[position];
            if steps.contains_key(&action.id) {
                continue;
            }
            let key = unit_key(action);
            units
                .entry(key)
                .or_default()
                .push((position, action.clone()));
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
                for (position, action) in actions {
                    if context.stop.load(Ordering::Relaxed) {
                        break;
                    }
                    match run_action(&context, &action, &before, prior.get(&action.id)).await {
                        Ok(mut report) => {
                            report.position = position;
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
        if failure.is_some() || interrupt.load(Ordering::Relaxed) {
            break;
        }
    }
    let interrupted = failure.is_none() && interrupt.load(Ordering::Relaxed);
    summary.sign_in_unavailable = context.reader.sign_in_refused();

    let written_journal = context
        .journal
        .as_ref()
        .map(|journal| journal.path().to_path_buf());
    if let Some(journal) = &context.journal {
        journal.append(&Record::Finish {
            at: now(),
            summary: match &failure {
                Some(error) => format!("stopped: {}", first_line(&error.to_string())),
                None if interrupted => format!("interrupted: {}", summary_text(&summary)),
                None => summary_text(&summary),
            },
        })?;
        summary.files.push(journal.path().to_path_buf());
        // Both journals as they are now, read once for the audit trail and the rollback plan.
        let apply_records = journal::read(&files.journal)?;
        let rollback_records = journal::read(&files.rollback_journal)?;
        let undo = rollback_of(&plan, &sha, &files, &apply_records);
        let mut logs = vec![trail::RunLog {
            plan: &plan,
            records: &apply_records,
        }];
        if !rollback_records.is_empty() {
            logs.push(trail::RunLog {
                plan: &undo,
                records: &rollback_records,
            });
        }
        write_trail(&files.trail, &logs)?;
        summary.files.push(files.trail.clone());
        if settings.mode == Mode::Apply {
            emit::write_all(&undo, &files.rollback_plan, PlanFolder::Rollback, None)?;
            summary.files.push(files.rollback_plan.clone());
        }
    }
    match failure {
        Some(Stop::Graph(source)) => Err(ApplyError::Graph {
            source: Box::new(source),
            journal: written_journal,
        }),
        Some(Stop::Journal(error)) => Err(ApplyError::Journal(error)),
        Some(Stop::Task(problem)) => Err(ApplyError::Task { problem }),
        None if interrupted => Err(ApplyError::Interrupted {
            journal: written_journal,
        }),
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

/// Rewrites `audit-trail.csv` (written aside, then renamed into place).
fn write_trail(path: &Path, logs: &[trail::RunLog<'_>]) -> Result<(), ApplyError> {
    let staging = path.with_extension("csv.partial");
    std::fs::write(&staging, trail::render(logs))
        .and_then(|()| std::fs::rename(&staging, path))
        .map_err(|source| ApplyError::Write {
            path: path.to_path_buf(),
            source,
        })
}

fn count(summary: &mut ApplySummary, report: &ActionReport) {
    *summary.counts.entry(report.step.as_str()).or_default() += 1;
    match report.step {
        Step::Settled(ActionResult::Applied) | Step::WouldApply => {
            if report.mechanism.removes() {
                summary.monthly_removed = summary.monthly_removed + report.monthly_amount;
            } else {
                summary.monthly_added = summary.monthly_added + report.monthly_amount;
            }
        }
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
    fn unknown_circular_and_duplicate_actions_are_refused() {
        let unknown = plan(vec![action("a", &["nowhere"])]);
        let error = levels(&unknown, Path::new("plan.json")).expect_err("unknown");
        assert!(error.to_string().contains("nowhere"), "{error}");
        let circular = plan(vec![action("a", &["b"]), action("b", &["a"])]);
        let error = levels(&circular, Path::new("plan.json")).expect_err("cycle");
        assert!(error.to_string().contains("cycle"), "{error}");
        let twice = plan(vec![action("a", &[]), action("a", &[])]);
        let error = levels(&twice, Path::new("plan.json")).expect_err("duplicate");
        assert!(error.to_string().contains("more than once"), "{error}");
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
