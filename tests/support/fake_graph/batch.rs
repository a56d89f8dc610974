//! JSON batching (`POST /$batch`): reading and checking the envelope, and the execution order.
//!
//! Exists so a client that batches its license writes meets Graph's batch rules: at most 20
//! requests, unique ids (case-insensitive), `dependsOn` naming requests of the same batch without
//! cycles, requests run so that each runs after what it depends on. Running the requests (each
//! through the same dispatch as a top-level request, 424 when a dependency failed) is in
//! `writes.rs`.

use std::collections::HashMap;

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde_json::Value;

use super::errors::GraphError;

/// Graph's limit on requests in one batch.
pub const MAX_REQUESTS: usize = 20;

/// One request of a batch, as sent.
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub id: String,
    pub method: Method,
    /// Relative to the version, e.g. `/users/x/assignLicense` or `users?$select=id`.
    pub url: String,
    pub headers: HeaderMap,
    pub body: Option<Value>,
    pub depends_on: Vec<String>,
}

impl BatchItem {
    /// `url` split into the path under `/{version}` and the raw query.
    pub fn path_and_query(&self, version: &str) -> (String, Option<String>) {
        let (path, query) = match self.url.split_once('?') {
            Some((path, query)) => (path, Some(query.to_string())),
            None => (self.url.as_str(), None),
        };
        (
            format!("/{version}/{}", path.trim_start_matches('/')),
            query,
        )
    }

    /// Whether the request names a `Content-Type` (Graph requires one with a body).
    pub fn has_content_type(&self) -> bool {
        self.headers.contains_key(axum::http::header::CONTENT_TYPE)
    }
}

fn invalid(message: impl Into<String>) -> GraphError {
    GraphError::new(axum::http::StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// Reads `{"requests":[{id, method, url, headers?, body?, dependsOn?}]}`; a broken envelope,
/// more than [`MAX_REQUESTS`] requests or a repeated id refuse the whole batch (400).
pub fn parse(body: &[u8]) -> Result<Vec<BatchItem>, GraphError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|_| invalid("Invalid batch payload format."))?;
    let requests = value
        .get("requests")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("Invalid batch payload format: 'requests' array is missing."))?;
    if requests.len() > MAX_REQUESTS {
        return Err(invalid(format!(
            "Number of requests inside batch exceeds the limit of {MAX_REQUESTS}."
        )));
    }
    let mut items: Vec<BatchItem> = Vec::with_capacity(requests.len());
    for (number, request) in requests.iter().enumerate() {
        let text = |name: &str| {
            request
                .get(name)
                .and_then(Value::as_str)
                .filter(|text| !text.is_empty())
                .ok_or_else(|| {
                    invalid(format!(
                        "Request #{} of the batch has no '{name}'.",
                        number + 1
                    ))
                })
        };
        let id = text("id")?.to_string();
        if items.iter().any(|item| item.id.eq_ignore_ascii_case(&id)) {
            return Err(invalid(format!(
                "Batch request ids must be unique; '{id}' is repeated."
            )));
        }
        let method = match text("method")?.to_ascii_uppercase().as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PATCH" => Method::PATCH,
            "PUT" => Method::PUT,
            "DELETE" => Method::DELETE,
            other => {
                return Err(invalid(format!(
                    "Request '{id}' has an unsupported method '{other}'."
                )));
            }
        };
        let url = text("url")?.to_string();
        if url.contains("://") {
            return Err(invalid(format!(
                "Request '{id}' must use a URL relative to the batch's version, not '{url}'."
            )));
        }
        let mut headers = HeaderMap::new();
        match request.get("headers") {
            None | Some(Value::Null) => {}
            Some(Value::Object(pairs)) => {
                for (name, value) in pairs {
                    let header = value
                        .as_str()
                        .and_then(|value| HeaderValue::from_str(value).ok())
                        .zip(HeaderName::from_bytes(name.as_bytes()).ok());
                    let Some((value, name)) = header else {
                        return Err(invalid(format!(
                            "Request '{id}' has an invalid header '{name}'."
                        )));
                    };
                    headers.append(name, value);
                }
            }
            Some(_) => {
                return Err(invalid(format!(
                    "Request '{id}': 'headers' must be an object."
                )));
            }
        }
        let depends_on = match request.get("dependsOn") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(ids)) => ids
                .iter()
                .map(|id| id.as_str().map(str::to_string))
                .collect::<Option<Vec<String>>>()
                .ok_or_else(|| invalid(format!("Request '{id}': 'dependsOn' must list ids.")))?,
            Some(_) => {
                return Err(invalid(format!(
                    "Request '{id}': 'dependsOn' must be an array."
                )));
            }
        };
        let body = request.get("body").filter(|body| !body.is_null()).cloned();
        items.push(BatchItem {
            id,
            method,
            url,
            headers,
            body,
            depends_on,
        });
    }
    Ok(items)
}

/// Indexes of `items` in the order to run them: request order, except that a request runs only
/// after every request it depends on. A dependency on an unknown id, or a cycle, refuses the
/// whole batch.
pub fn execution_order(items: &[BatchItem]) -> Result<Vec<usize>, GraphError> {
    let position: HashMap<String, usize> = items
        .iter()
        .enumerate()
        .map(|(index, item)| (item.id.to_ascii_lowercase(), index))
        .collect();
    let mut dependencies: Vec<Vec<usize>> = Vec::with_capacity(items.len());
    for item in items {
        let mut indexes = Vec::with_capacity(item.depends_on.len());
        for dependency in &item.depends_on {
            let index = position
                .get(&dependency.to_ascii_lowercase())
                .copied()
                .ok_or_else(|| {
                    invalid(format!(
                        "Request '{}' depends on '{dependency}', which is not in the batch.",
                        item.id
                    ))
                })?;
            indexes.push(index);
        }
        dependencies.push(indexes);
    }
    let mut done = vec![false; items.len()];
    let mut order = Vec::with_capacity(items.len());
    while order.len() < items.len() {
        let next = (0..items.len()).find(|&index| {
            !done[index]
                && dependencies[index]
                    .iter()
                    .all(|&dependency| done[dependency])
        });
        let Some(index) = next else {
            return Err(invalid(
                "The dependsOn references of the batch form a cycle.",
            ));
        };
        done[index] = true;
        order.push(index);
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_run_first_and_cycles_are_refused() {
        let body = br#"{"requests":[
            {"id":"a","method":"GET","url":"/users","dependsOn":["B"]},
            {"id":"b","method":"GET","url":"/users"}]}"#;
        let items = parse(body).unwrap_or_default();
        assert_eq!(execution_order(&items).ok(), Some(vec![1, 0]));
        let cycle = br#"{"requests":[
            {"id":"a","method":"GET","url":"/users","dependsOn":["b"]},
            {"id":"b","method":"GET","url":"/users","dependsOn":["a"]}]}"#;
        let items = parse(cycle).unwrap_or_default();
        assert!(execution_order(&items).is_err());
    }
}
