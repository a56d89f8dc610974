//! `groups.json`: the groups that carry licenses, with their direct members inlined.
//!
//! Graph lists licensed groups with an advanced query (`assignedLicenses/$count ne 0`, which
//! needs `ConsistencyLevel: eventual` and `$count=true`); groups without licenses are dropped
//! here as well, in case a proxy or an older service ignores the filter. Members are paged per
//! group (`$expand=members` stops at 20), several groups at a time, each group with its own
//! checkpoint. Only direct members matter: group-based licensing does not flow through nested
//! groups. `DynamicMembership` in `groupTypes` marks the dynamic groups, whose membership only
//! their rule can change; they are counted in the summary.

use super::PullContext;
use super::checkpoint::{PagedState, read_json, write_atomically};
use super::error::PullError;
use super::paged::{PagedPull, pull_pages, read_page_items};
use super::progress::Collection;
use serde_json::{Map, Value};
use std::sync::Arc;
use tokio::task::JoinSet;

const GROUP_PROPERTIES: &str =
    "id,displayName,groupTypes,membershipRule,assignedLicenses,securityEnabled,mailEnabled";
const CONSISTENCY_HEADERS: &[(&str, &str)] = &[("ConsistencyLevel", "eventual")];
const DYNAMIC_MEMBERSHIP: &str = "DynamicMembership";
pub const FILE_NAME: &str = "groups.json";

/// What the groups pull produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupsOutcome {
    pub groups: u64,
    pub dynamic_groups: u64,
    pub members: u64,
}

/// The licensed-groups request.
pub fn groups_link() -> String {
    format!(
        "/v1.0/groups?$filter=assignedLicenses/$count%20ne%200&$count=true&$select={GROUP_PROPERTIES}&$top=999"
    )
}

/// The direct-members request of group `id`.
pub fn members_link(id: &str) -> String {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("/v1.0/groups/{id}/members?$select=id,userPrincipalName&$top=999")
}

/// A licensed group from the list, in list order.
struct ListedGroup {
    object: Map<String, Value>,
    id: String,
    dynamic: bool,
}

pub async fn pull_groups(context: Arc<PullContext>) -> Result<GroupsOutcome, PullError> {
    let collection = Collection::Groups;
    context.progress.started(collection);
    let list = PagedPull {
        collection,
        pages_dir: context.folder.staged("groups"),
        state_path: context.folder.staged("groups.state.json"),
        first_link: groups_link(),
        headers: CONSISTENCY_HEADERS,
    };
    let state = pull_pages(
        &context.client,
        &context.folder.staging,
        &list,
        context.progress.as_ref(),
    )
    .await?;
    let mut groups = Vec::new();
    for number in 1..=state.pages {
        for raw in read_page_items(&list.pages_dir, number)? {
            if let Some(group) = parse_group(raw.get())? {
                groups.push(group);
            }
        }
    }
    context.progress.finished(collection, groups.len() as u64);

    let member_counts = pull_all_members(&context, &groups).await?;
    let members: u64 = member_counts.iter().sum();
    write_groups_file(
        &context,
        groups.iter().map(|group| &group.object),
        groups.len(),
    )?;
    Ok(GroupsOutcome {
        groups: groups.len() as u64,
        dynamic_groups: groups.iter().filter(|group| group.dynamic).count() as u64,
        members,
    })
}

/// A group of the list, or `None` when it carries no license.
fn parse_group(raw: &str) -> Result<Option<ListedGroup>, PullError> {
    let malformed = |problem: String| PullError::Malformed {
        collection: Collection::Groups,
        problem,
    };
    let object: Map<String, Value> =
        serde_json::from_str(raw).map_err(|error| malformed(error.to_string()))?;
    let property = |name: &str| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    };
    let id = match property("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => return Err(malformed("a group without an id".to_string())),
    };
    let licensed = matches!(property("assignedLicenses"), Some(Value::Array(licenses)) if !licenses.is_empty());
    if !licensed {
        return Ok(None);
    }
    let dynamic = matches!(property("groupTypes"), Some(Value::Array(types))
        if types.iter().any(|kind| kind.as_str().is_some_and(|kind| kind.eq_ignore_ascii_case(DYNAMIC_MEMBERSHIP))));
    Ok(Some(ListedGroup {
        object,
        id,
        dynamic,
    }))
}

/// Pulls every group's members, `concurrency` groups at a time; returns the member counts.
async fn pull_all_members(
    context: &Arc<PullContext>,
    groups: &[ListedGroup],
) -> Result<Vec<u64>, PullError> {
    let collection = Collection::GroupMembers;
    context.progress.started(collection);
    let mut counts = vec![0u64; groups.len()];
    let mut running = JoinSet::new();
    let mut queue = groups.iter().enumerate();
    loop {
        while running.len() < context.concurrency.max(1) {
            let Some((index, group)) = queue.next() else {
                break;
            };
            let context = Arc::clone(context);
            let first_link = members_link(&group.id);
            running.spawn(async move {
                let key = format!("members/{:05}", index + 1);
                let pull = PagedPull {
                    collection,
                    pages_dir: context.folder.staged(&key),
                    state_path: context.folder.staged(&format!("{key}.state.json")),
                    first_link,
                    headers: &[],
                };
                let state = pull_pages(
                    &context.client,
                    &context.folder.staging,
                    &pull,
                    context.progress.as_ref(),
                )
                .await?;
                Ok::<_, PullError>((index, state.items))
            });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (index, items) = joined.map_err(|error| PullError::Malformed {
            collection,
            problem: format!("a member pull stopped unexpectedly: {error}"),
        })??;
        counts[index] = items;
    }
    context.progress.finished(collection, counts.iter().sum());
    Ok(counts)
}

/// Writes `groups.json` from the listed groups and their saved member pages.
fn write_groups_file<'a>(
    context: &PullContext,
    groups: impl Iterator<Item = &'a Map<String, Value>>,
    count: usize,
) -> Result<(), PullError> {
    let mut value = Vec::with_capacity(count);
    for (index, group) in groups.enumerate() {
        let key = format!("members/{:05}", index + 1);
        let dir = context.folder.staged(&key);
        let state: Option<PagedState> =
            read_json(&context.folder.staged(&format!("{key}.state.json")))?;
        let pages = state.map_or(0, |state| state.pages);
        let mut members = Vec::new();
        for number in 1..=pages {
            for raw in read_page_items(&dir, number)? {
                let member: Value =
                    serde_json::from_str(raw.get()).map_err(|error| PullError::Malformed {
                        collection: Collection::GroupMembers,
                        problem: error.to_string(),
                    })?;
                members.push(member);
            }
        }
        let mut group = group.clone();
        group.insert("members".to_string(), Value::Array(members));
        value.push(Value::Object(group));
    }
    let document = serde_json::json!({ "value": value });
    let bytes = serde_json::to_vec_pretty(&document).map_err(|error| PullError::Malformed {
        collection: Collection::Groups,
        problem: error.to_string(),
    })?;
    write_atomically(
        &context.folder.staging,
        &context.folder.root.join(FILE_NAME),
        &bytes,
    )
}
