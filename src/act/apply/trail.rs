//! `audit-trail.csv`: every outcome of every apply and rollback run of a plan, for finance
//! and auditors: who approved, when it happened, what Graph said (status and request id),
//! and the money involved. Rendered from the journals, so it is complete even after a crash.

use super::journal::Record;
use crate::act::Plan;
use crate::support::spreadsheet::spreadsheet_safe;
use std::collections::BTreeMap;

/// One journal with the plan its actions come from.
pub struct RunLog<'a> {
    pub plan: &'a Plan,
    pub records: &'a [Record],
}

pub fn render(logs: &[RunLog<'_>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "at",
        "run",
        "plan_sha256",
        "approved_by",
        "action_id",
        "mechanism",
        "user_principal_name",
        "user_id",
        "group",
        "group_id",
        "sku_part_number",
        "sku_id",
        "reason",
        "result",
        "detail",
        "http_status",
        "graph_request_id",
        "monthly_amount",
        "currency",
    ]);
    for log in logs {
        let actions: BTreeMap<&str, &crate::act::Action> = log
            .plan
            .actions
            .iter()
            .map(|action| (action.id.as_str(), action))
            .collect();
        let mut run = ("", "", String::new());
        for record in log.records {
            match record {
                Record::Start {
                    mode,
                    plan_sha256,
                    approvers,
                    ..
                } => run = (mode.as_str(), plan_sha256.as_str(), approvers.join("; ")),
                Record::Outcome {
                    at,
                    action,
                    result,
                    detail,
                    http_status,
                    request_id,
                } => {
                    let planned = actions.get(action.as_str());
                    let field = |pick: fn(&crate::act::Action) -> Option<&str>| {
                        spreadsheet_safe(planned.and_then(|action| pick(action)).unwrap_or(""))
                    };
                    let _ = writer.write_record([
                        at.clone(),
                        run.0.to_string(),
                        run.1.to_string(),
                        spreadsheet_safe(&run.2),
                        action.clone(),
                        field(|action| Some(action.mechanism.as_str())),
                        field(|action| action.user_principal_name.as_deref()),
                        field(|action| action.user_id.as_deref()),
                        field(|action| action.group_display_name.as_deref()),
                        field(|action| action.group_id.as_deref()),
                        field(|action| Some(action.sku_part_number.as_str())),
                        field(|action| Some(action.sku_id.as_str())),
                        field(|action| Some(action.reason.as_str())),
                        result.as_str().to_string(),
                        spreadsheet_safe(detail),
                        http_status
                            .map(|status| status.to_string())
                            .unwrap_or_default(),
                        request_id.clone().unwrap_or_default(),
                        planned
                            .map(|action| action.monthly_amount.to_string())
                            .unwrap_or_default(),
                        log.plan.currency.clone(),
                    ]);
                }
                Record::Intent { .. } | Record::Finish { .. } => {}
            }
        }
    }
    writer.into_inner().unwrap_or_default()
}
