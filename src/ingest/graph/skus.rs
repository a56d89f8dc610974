//! `subscribedSkus.json`: the purchased SKUs, one small response written as Graph sent it.

use super::PullContext;
use super::error::PullError;
use super::progress::Collection;
use super::small::pull_small_collection;

const SUBSCRIBED_SKUS: &str = "/v1.0/subscribedSkus";
pub const FILE_NAME: &str = "subscribedSkus.json";

/// Pulls the SKUs unless a previous run already saved them; returns how many there are.
pub async fn pull_subscribed_skus(context: &PullContext) -> Result<u64, PullError> {
    pull_small_collection(
        context,
        Collection::SubscribedSkus,
        SUBSCRIBED_SKUS,
        FILE_NAME,
    )
    .await
}
