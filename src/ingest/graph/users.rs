//! `users/page-NNNNN.json`: the directory's users, pages written exactly as Graph sent them.
//!
//! `signInActivity` is selected when Graph allows it. Without Entra ID P1 (or without
//! AuditLog.Read.All) Graph refuses the whole request with 403; the users are then pulled
//! without it and `snapshot.json` says so, and the audit reports activity as unknown instead of
//! calling everyone inactive. The choice is part of the first link saved in the checkpoint, so
//! a resumed pull keeps it.

use super::PullContext;
use super::error::PullError;
use super::paged::{PagedPull, pull_pages, saved_state};
use super::progress::Collection;

/// The properties SPEC §2 reads and the chargeback attributes of SPEC §6, without
/// `signInActivity`.
const USER_PROPERTIES: &str = "id,userPrincipalName,displayName,accountEnabled,userType,department,jobTitle,usageLocation,companyName,officeLocation,employeeOrgData,createdDateTime,assignedLicenses,licenseAssignmentStates";
const SIGN_IN_ACTIVITY: &str = "signInActivity";

/// What the users pull produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsersOutcome {
    pub users: u64,
    pub pages: u32,
    pub sign_in_activity_collected: bool,
}

/// The first request: every property, `$top=999` (Graph caps it at 120 with signInActivity).
pub fn users_link(with_sign_in_activity: bool) -> String {
    let sign_in = if with_sign_in_activity {
        format!(",{SIGN_IN_ACTIVITY}")
    } else {
        String::new()
    };
    format!("/v1.0/users?$select={USER_PROPERTIES}{sign_in}&$top=999")
}

pub async fn pull_users(context: &PullContext) -> Result<UsersOutcome, PullError> {
    let collection = Collection::Users;
    context.progress.started(collection);
    let mut pull = PagedPull {
        collection,
        pages_dir: context.folder.root.join("users"),
        state_path: context.folder.staged("users.state.json"),
        first_link: users_link(true),
        headers: &[],
    };
    if let Some(saved) = saved_state(&pull)? {
        pull.first_link = saved.first_link;
    }
    let result = pull_pages(
        &context.client,
        &context.folder.staging,
        &pull,
        context.progress.as_ref(),
    )
    .await;
    let state = match result {
        Err(PullError::Graph { source, .. })
            if source.status() == Some(403)
                && pull.first_link == users_link(true)
                && saved_state(&pull)?.is_none() =>
        {
            context.progress.note(
                Some(collection),
                "Graph refused signInActivity (HTTP 403: the tenant lacks Entra ID P1, or the app lacks AuditLog.Read.All); pulling users without it, so the audit will report sign-in activity as unknown",
            );
            pull.first_link = users_link(false);
            pull_pages(
                &context.client,
                &context.folder.staging,
                &pull,
                context.progress.as_ref(),
            )
            .await?
        }
        other => other?,
    };
    context.progress.finished(collection, state.items);
    Ok(UsersOutcome {
        users: state.items,
        pages: state.pages,
        sign_in_activity_collected: state.first_link.contains(SIGN_IN_ACTIVITY),
    })
}
