//! `subscriptions.json`: the tenant's commerce subscriptions (Graph
//! `GET /v1.0/directory/subscriptions`), which say when each SKU's seats renew. Optional: the
//! app may lack Organization.Read.All, and then Graph answers 403; the pull goes on without
//! them, says so, and the audit reports when savings can be banked as unknown.

use super::PullContext;
use super::error::PullError;
use super::progress::Collection;
use super::small::pull_small_collection;

const SUBSCRIPTIONS: &str = "/v1.0/directory/subscriptions";
pub const FILE_NAME: &str = "subscriptions.json";

/// What the subscriptions pull got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionsOutcome {
    /// `None` when Graph refused them (403).
    pub subscriptions: Option<u64>,
}

/// Pulls the subscriptions unless a previous run saved them.
pub async fn pull_subscriptions(context: &PullContext) -> Result<SubscriptionsOutcome, PullError> {
    let collection = Collection::Subscriptions;
    match pull_small_collection(context, collection, SUBSCRIPTIONS, FILE_NAME).await {
        Ok(count) => Ok(SubscriptionsOutcome {
            subscriptions: Some(count),
        }),
        Err(PullError::Graph { source, .. }) if source.status() == Some(403) => {
            context.progress.note(
                Some(collection),
                "Graph refused directory/subscriptions (HTTP 403: the app lacks Organization.Read.All); pulling on without them, so the audit will report when savings can be banked as unknown",
            );
            context.progress.finished(collection, 0);
            Ok(SubscriptionsOutcome {
                subscriptions: None,
            })
        }
        Err(error) => Err(error),
    }
}
