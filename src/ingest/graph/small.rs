//! Small collections that Graph answers in one response (`subscribedSkus`,
//! `directory/subscriptions`): fetched whole and written as Graph sent them, or merged into one
//! `{"value": [...]}` document should Graph ever page them. A file saved by an interrupted run
//! is kept, so a resumed pull does not fetch it again.

use super::PullContext;
use super::checkpoint::write_atomically;
use super::error::PullError;
use super::progress::Collection;

/// Pulls `link` into `file_name` of the snapshot unless a previous run saved it; returns how
/// many items there are.
pub async fn pull_small_collection(
    context: &PullContext,
    collection: Collection,
    link: &str,
    file_name: &str,
) -> Result<u64, PullError> {
    context.progress.started(collection);
    let path = context.folder.root.join(file_name);
    if path.is_file() {
        let count = count_saved(&path)?;
        context.progress.advanced(collection, count);
        context.progress.finished(collection, count);
        return Ok(count);
    }
    let first = context
        .client
        .get_page(link, &[])
        .await
        .map_err(PullError::graph(collection))?;
    let mut count = first.values.len() as u64;
    let body = match first.next_link {
        // The usual case: one response, kept byte for byte.
        None => first.body,
        Some(mut link) => {
            let mut values = first.values;
            loop {
                let page = context
                    .client
                    .get_page(&link, &[])
                    .await
                    .map_err(PullError::graph(collection))?;
                values.extend(page.values);
                match page.next_link {
                    Some(next) => link = next,
                    None => break,
                }
            }
            count = values.len() as u64;
            serde_json::to_vec(&serde_json::json!({ "value": values })).map_err(|error| {
                PullError::Malformed {
                    collection,
                    problem: error.to_string(),
                }
            })?
        }
    };
    write_atomically(&context.folder.staging, &path, &body)?;
    context.progress.advanced(collection, count);
    context.progress.finished(collection, count);
    Ok(count)
}

fn count_saved(path: &std::path::Path) -> Result<u64, PullError> {
    #[derive(serde::Deserialize)]
    struct Saved {
        #[serde(default)]
        value: Vec<serde::de::IgnoredAny>,
    }
    let bytes = std::fs::read(path).map_err(|error| PullError::io(path, "read", error))?;
    let saved: Saved = serde_json::from_slice(&bytes).map_err(|error| PullError::Checkpoint {
        path: path.to_path_buf(),
        problem: error.to_string(),
    })?;
    Ok(saved.value.len() as u64)
}
