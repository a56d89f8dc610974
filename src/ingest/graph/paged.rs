//! Pulls one paged Graph collection into page files, checkpointing after every page.
//!
//! Pages are saved exactly as Graph sent them (`page-00001.json`, …), then the state file
//! records the page count and the page's `@odata.nextLink`. A resumed pull starts from that
//! link, so each page is fetched once no matter where the previous run stopped.

use super::checkpoint::{
    PagedState, page_file_name, read_json, remove_pages_after, write_atomically, write_json,
};
use super::error::PullError;
use super::progress::{Collection, PullProgress};
use crate::graph::GraphClient;
use std::path::{Path, PathBuf};

/// One paged collection to pull.
pub struct PagedPull<'a> {
    pub collection: Collection,
    /// Where the page files go.
    pub pages_dir: PathBuf,
    /// The collection's state file.
    pub state_path: PathBuf,
    /// The first request, a path below the Graph base.
    pub first_link: String,
    /// Extra request headers (e.g. `ConsistencyLevel: eventual`).
    pub headers: &'a [(&'a str, &'a str)],
}

/// The saved state of `state_path`, if any.
pub fn saved_state(pull: &PagedPull<'_>) -> Result<Option<PagedState>, PullError> {
    read_json(&pull.state_path)
}

/// Pulls the remaining pages of `pull`; returns the final state (complete).
pub async fn pull_pages(
    client: &GraphClient,
    staging: &Path,
    pull: &PagedPull<'_>,
    progress: &dyn PullProgress,
) -> Result<PagedState, PullError> {
    let mut state = match saved_state(pull)? {
        Some(state) if state.first_link != pull.first_link => {
            return Err(PullError::Checkpoint {
                path: pull.state_path.clone(),
                problem: format!(
                    "it continues the request {:?}, not {:?}",
                    state.first_link, pull.first_link
                ),
            });
        }
        Some(state) => state,
        None => PagedState {
            first_link: pull.first_link.clone(),
            ..PagedState::default()
        },
    };
    if state.items > 0 {
        progress.advanced(pull.collection, state.items);
    }
    if state.complete {
        return Ok(state);
    }
    remove_pages_after(&pull.pages_dir, state.pages)?;
    loop {
        let link = match (&state.next_link, state.pages) {
            (Some(link), _) => link.clone(),
            (None, 0) => state.first_link.clone(),
            (None, _) => {
                return Err(PullError::Checkpoint {
                    path: pull.state_path.clone(),
                    problem: "pages are saved but neither a next link nor completion is"
                        .to_string(),
                });
            }
        };
        let page = client
            .get_page(&link, pull.headers)
            .await
            .map_err(PullError::graph(pull.collection))?;
        let number = state.pages + 1;
        write_atomically(
            staging,
            &pull.pages_dir.join(page_file_name(number)),
            &page.body,
        )?;
        state.pages = number;
        state.items += page.values.len() as u64;
        state.complete = page.next_link.is_none();
        state.next_link = page.next_link;
        write_json(staging, &pull.state_path, &state)?;
        progress.advanced(pull.collection, page.values.len() as u64);
        if state.complete {
            return Ok(state);
        }
    }
}

/// Reads the items of saved page `number` in `dir`.
pub fn read_page_items(
    dir: &Path,
    number: u32,
) -> Result<Vec<Box<serde_json::value::RawValue>>, PullError> {
    #[derive(serde::Deserialize)]
    struct PageItems {
        #[serde(default)]
        value: Vec<Box<serde_json::value::RawValue>>,
    }
    let path = dir.join(page_file_name(number));
    let bytes =
        std::fs::read(&path).map_err(|error| PullError::io(&path, "read the saved page", error))?;
    let page: PageItems =
        serde_json::from_slice(&bytes).map_err(|error| PullError::Checkpoint {
            path: path.clone(),
            problem: error.to_string(),
        })?;
    Ok(page.value)
}
