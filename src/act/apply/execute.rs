//! One action, start to end: read the tenant, decide, write the intent, send, record the
//! outcome. The order of these steps is what makes a run safe to kill and resume.
//!
//! An action left in doubt by an earlier run (intent, no outcome) is settled first by reading
//! the tenant: applied if the change is there, otherwise decided afresh. An action that goes
//! with others (`together_with`: a license granted both directly and through groups) is sent
//! only when its partners can follow, since half of the set frees no seat. A refusal of one
//! change (HTTP 4xx) is read back a few times before it is called a failure, because an
//! earlier attempt of the same request may have made the change and the directory may show it
//! a moment late.

use super::decide::{self, Decision, Lookup, Observation};
use super::journal::{ActionResult, Journal, JournalError, Record, Request, Restore, Standing};
use super::live::LiveReader;
use super::{ActionReport, Step, now};
use crate::act::emit::batch;
use crate::act::{Action, Mechanism};
use crate::graph::{GraphClient, GraphError};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// How often a refused write is read back before it counts as failed.
const READ_BACKS: u32 = 3;

/// Everything the action tasks share.
pub struct Context {
    pub reader: LiveReader,
    pub client: Arc<GraphClient>,
    pub journal: Option<Journal>,
    pub today: NaiveDate,
    pub observer: Arc<dyn super::ApplyObserver>,
    /// Set to stop before the next action (an interruption, or another unit's failure).
    pub stop: Arc<AtomicBool>,
    /// Every action of the plan by id (partners of `together_with` are looked up here).
    pub actions: HashMap<String, Action>,
}

/// Why a run stops before its end: Graph failing as a whole, or a journal that cannot be
/// written (nothing may be sent that is not recorded first).
#[derive(Debug)]
pub enum Stop {
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

/// The report of an action; its `position` is filled in by the unit that ran it.
pub fn report(action: &Action, step: Step, detail: impl Into<String>) -> ActionReport {
    ActionReport {
        position: 0,
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

/// What reading an action's state gave.
enum Read {
    State(Observation),
    /// Graph refused the read itself (HTTP 400: an id it cannot take): this action fails,
    /// the run goes on.
    Refused(GraphError),
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

async fn read(context: &Context, action: &Action) -> Result<Read, Stop> {
    match observe(context, action).await {
        Ok(observation) => Ok(Read::State(observation)),
        Err(error) if error.status() == Some(400) => Ok(Read::Refused(error)),
        Err(error) => Err(Stop::Graph(error)),
    }
}

fn refused_read(
    context: &Context,
    action: &Action,
    error: &GraphError,
) -> Result<ActionReport, Stop> {
    let request_id = match error {
        GraphError::Status(failure) => failure.request_id.clone(),
        _ => None,
    };
    settle(
        context,
        action,
        ActionResult::Failed,
        format!(
            "Graph refused to read the current state: {}",
            error.to_string().lines().next().unwrap_or("")
        ),
        (Some(400), request_id),
    )
}

/// The Graph request of an action, as the journal records it.
pub fn request_of(action: &Action, graph: &str) -> Option<Request> {
    let request = batch::request_for(action, graph)?;
    Some(Request {
        method: request.get("method")?.as_str()?.to_string(),
        target: format!("/v1.0{}", request.get("url")?.as_str()?),
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

/// When a partner of a `together_with` set cannot follow, what this action does instead.
async fn partners_block(context: &Context, action: &Action) -> Result<Option<Decision>, Stop> {
    for partner_id in &action.together_with {
        let Some(partner) = context.actions.get(partner_id) else {
            continue;
        };
        let observation = match read(context, partner).await? {
            Read::State(observation) => observation,
            Read::Refused(error) => {
                return Ok(Some(Decision::Settle {
                    result: ActionResult::Deferred,
                    detail: format!(
                        "goes with {partner_id}, whose state Graph would not read ({}); the seat is freed only when both are done",
                        error.to_string().lines().next().unwrap_or("")
                    ),
                }));
            }
        };
        if decide::reached(partner, &observation) {
            continue;
        }
        if let Some(Decision::Settle { result, detail }) = decide::not_yet(partner, context.today) {
            return Ok(Some(Decision::Settle {
                result,
                detail: format!("goes with {partner_id}: {detail}"),
            }));
        }
        match decide::decide(partner, &observation) {
            Decision::Proceed
            | Decision::Settle {
                result: ActionResult::AlreadyDone,
                ..
            } => {}
            Decision::Settle {
                result: ActionResult::Stale,
                detail,
            } => {
                return Ok(Some(Decision::Settle {
                    result: ActionResult::Stale,
                    detail: format!(
                        "goes with {partner_id}, which no longer holds ({detail}); alone it would not free the seat"
                    ),
                }));
            }
            Decision::Settle { detail, .. } => {
                return Ok(Some(Decision::Settle {
                    result: ActionResult::Deferred,
                    detail: format!(
                        "waits for {partner_id} ({detail}); the seat is freed only when both are done"
                    ),
                }));
            }
        }
    }
    Ok(None)
}

/// Decides and (when executing) performs one action.
pub async fn run_action(
    context: &Context,
    action: &Action,
    before: &HashMap<String, Step>,
    prior: Option<&Standing>,
) -> Result<ActionReport, Stop> {
    // An earlier run may have sent this request without hearing the answer: look first.
    let mut observation = None;
    if matches!(prior, Some(Standing::InDoubt { .. })) {
        let state = match read(context, action).await? {
            Read::State(state) => state,
            Read::Refused(error) => return refused_read(context, action, &error),
        };
        if decide::reached(action, &state) {
            return settle(
                context,
                action,
                ActionResult::Applied,
                "confirmed on resume: the change had reached Graph before the interruption".into(),
                (None, None),
            );
        }
        observation = Some(state);
    }
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
    let observation = match observation {
        Some(observation) => observation,
        None => match read(context, action).await? {
            Read::State(state) => state,
            Read::Refused(error) => return refused_read(context, action, &error),
        },
    };
    if let Decision::Settle { result, detail } = decide::decide(action, &observation) {
        return settle(context, action, result, detail, (None, None));
    }
    if let Some(Decision::Settle { result, detail }) = partners_block(context, action).await? {
        return settle(context, action, result, detail, (None, None));
    }
    let graph = context.client.graph_url().as_str().to_string();
    let Some(request) = request_of(action, &graph) else {
        return settle(
            context,
            action,
            ActionResult::Manual,
            "no Graph request for this action".into(),
            (None, None),
        );
    };
    let Some(journal) = &context.journal else {
        return Ok(report(action, Step::WouldApply, describe(&request)));
    };
    journal.append(&Record::Intent {
        at: now(),
        action: action.id.clone(),
        request: request.clone(),
        restore: restore_of(action, &observation),
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
            describe(&request),
            (Some(receipt.status), receipt.request_id),
        ),
        Err(GraphError::Status(failure))
            if (400..500).contains(&failure.status)
                && failure.status != 401
                && failure.status != 429 =>
        {
            // Refused: unless an earlier attempt already made the change, the action failed.
            for attempt in 0..READ_BACKS {
                if attempt > 0 {
                    tokio::time::sleep(context.client.retry_policy().backoff(attempt)).await;
                }
                if let Read::State(state) = read(context, action).await?
                    && decide::reached(action, &state)
                {
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

fn describe(request: &Request) -> String {
    format!("{} {}", request.method, request.target)
}
