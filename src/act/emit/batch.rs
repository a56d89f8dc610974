//! Graph JSON `$batch` bodies: at most 20 requests each, ids unique within a batch (the
//! action ids), relative URLs, `headers` wherever there is a body, and `dependsOn` where order
//! matters (an action and what it depends on always share a batch). Manual actions have no
//! Graph request and are left out.

use crate::act::{Action, Mechanism, Plan};
use crate::graph::endpoint::encode_segment;
use serde_json::{Value, json};

/// Graph's limit on requests per batch.
pub const MAX_REQUESTS: usize = 20;

/// Graph's global endpoint, named in `@odata.id` references of `$batch` files.
const GLOBAL_GRAPH: &str = "https://graph.microsoft.com";

/// The request an action makes, without batch bookkeeping; `None` for manual actions.
pub fn request(action: &Action) -> Option<Value> {
    request_for(action, GLOBAL_GRAPH)
}

/// The request an action makes against the Graph endpoint `graph` (e.g. a national cloud's),
/// with a URL relative to the version (`/users/{id}/assignLicense`).
pub fn request_for(action: &Action, graph: &str) -> Option<Value> {
    let user = encode_segment(action.user_id.as_deref().unwrap_or(""));
    let group = encode_segment(action.group_id.as_deref().unwrap_or(""));
    let graph = graph.trim_end_matches('/');
    let json_headers = json!({"Content-Type": "application/json"});
    let request = match action.mechanism {
        Mechanism::RemoveDirect => json!({
            "method": "POST",
            "url": format!("/users/{user}/assignLicense"),
            "headers": json_headers,
            "body": {"addLicenses": [], "removeLicenses": [action.sku_id]},
        }),
        Mechanism::AssignDirect => json!({
            "method": "POST",
            "url": format!("/users/{user}/assignLicense"),
            "headers": json_headers,
            "body": {"addLicenses": [{"skuId": action.sku_id, "disabledPlans": action.disabled_plans}], "removeLicenses": []},
        }),
        Mechanism::RemoveFromGroup => json!({
            "method": "DELETE",
            "url": format!("/groups/{group}/members/{user}/$ref"),
        }),
        Mechanism::AddToGroup => json!({
            "method": "POST",
            "url": format!("/groups/{group}/members/$ref"),
            "headers": json_headers,
            "body": {"@odata.id": format!("{graph}/v1.0/directoryObjects/{user}")},
        }),
        Mechanism::AssignToGroup => json!({
            "method": "POST",
            "url": format!("/groups/{group}/assignLicense"),
            "headers": json_headers,
            "body": {"addLicenses": [{"skuId": action.sku_id, "disabledPlans": []}], "removeLicenses": []},
        }),
        Mechanism::RemoveGroupLicense => json!({
            "method": "POST",
            "url": format!("/groups/{group}/assignLicense"),
            "headers": json_headers,
            "body": {"addLicenses": [], "removeLicenses": [action.sku_id]},
        }),
        Mechanism::Manual => return None,
    };
    Some(request)
}

/// Splits the plan's Graph requests into `$batch` bodies.
pub fn batches(plan: &Plan) -> Vec<Value> {
    // Units: an action together with the actions it depends on, kept in one batch.
    let automatic: Vec<&Action> = plan
        .actions
        .iter()
        .filter(|action| action.mechanism != Mechanism::Manual)
        .collect();
    let mut units: Vec<Vec<&Action>> = Vec::new();
    for action in &automatic {
        let home = units.iter().position(|unit| {
            unit.iter().any(|member| {
                action.depends_on.contains(&member.id) || member.depends_on.contains(&action.id)
            })
        });
        match home {
            Some(index) => units[index].push(action),
            None => units.push(vec![action]),
        }
    }
    let mut bodies = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    for unit in units {
        if current.len() + unit.len() > MAX_REQUESTS && !current.is_empty() {
            bodies.push(json!({"requests": std::mem::take(&mut current)}));
        }
        for action in unit {
            let Some(mut request) = request(action) else {
                continue;
            };
            if let Value::Object(fields) = &mut request {
                fields.insert("id".into(), json!(action.id));
                if !action.depends_on.is_empty() {
                    fields.insert("dependsOn".into(), json!(action.depends_on));
                }
            }
            current.push(request);
        }
    }
    if !current.is_empty() {
        bodies.push(json!({"requests": current}));
    }
    bodies
}
