//! Licensing groups and their direct members, from `groups.json`.
//!
//! Group-based licensing grants a group's SKUs to its first-level user members; members that
//! are not users (nested groups, devices) get nothing and are only counted. A dynamic group
//! (`DynamicMembership`) cannot be edited by membership, which later stages need to know.

use super::error::{IngestError, Location, Rejection, RejectionLog, guid_field, rejection};
use super::json_records::split_records;
use super::users::AssignedLicenseRecord;
use crate::case_insensitive_record;
use crate::model::columns;
use crate::support::digest::FileDigest;
use polars::prelude::*;
use std::path::{Path, PathBuf};

case_insensitive_record! {
    #[derive(Debug)]
    struct GroupRecord {
        id: Option<String> = "id",
        display_name: Option<String> = "displayName",
        group_types: Option<Vec<String>> = "groupTypes",
        membership_rule: Option<String> = "membershipRule",
        assigned_licenses: Option<Vec<AssignedLicenseRecord>> = "assignedLicenses",
        members: Option<Vec<MemberRecord>> = "members",
    }
}

case_insensitive_record! {
    #[derive(Debug)]
    struct MemberRecord {
        odata_type: Option<String> = "@odata.type",
        id: Option<String> = "id",
    }
}

struct Group {
    id: String,
    display_name: Option<String>,
    group_types: Vec<String>,
    membership_rule: Option<String>,
    licenses: Vec<String>,
    user_members: Vec<String>,
    other_members: usize,
}

/// The group frames and what was noticed.
pub struct GroupFrames {
    /// The digest of `groups.json`, when there is one.
    pub digest: Option<(PathBuf, FileDigest)>,
    pub groups: DataFrame,
    pub group_members: DataFrame,
    pub group_licenses: DataFrame,
    pub members_not_users: usize,
}

/// Reads `groups.json`; `None` gives empty frames (the file is optional).
pub fn read_groups(
    path: Option<&Path>,
    log: &mut RejectionLog,
) -> Result<GroupFrames, IngestError> {
    let mut groups = Vec::new();
    let mut digest = None;
    if let Some(path) = path {
        let (bytes, file_digest) = super::encoding::read_utf8_digested(path)?;
        digest = Some((path.to_path_buf(), file_digest));
        let records = split_records(path, &bytes, log)?;
        for record in records {
            let parsed = serde_json::from_str::<GroupRecord>(record.raw.get())
                .map_err(|error| {
                    let (field, problem) = super::record::split_field_path(&error.to_string());
                    rejection(path, record.location.clone(), field, problem)
                })
                .and_then(|raw| validate(path, &record.location, raw));
            match parsed {
                Ok(group) => groups.push(group),
                Err(problem) => log.reject(problem)?,
            }
        }
    }
    let label = path.unwrap_or(Path::new("groups.json"));
    frames(&groups, digest).map_err(|error| IngestError::frame(label, error))
}

fn validate(path: &Path, location: &Location, raw: GroupRecord) -> Result<Group, Rejection> {
    let id = raw
        .id
        .flatten()
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| {
            rejection(
                path,
                location.clone(),
                "id",
                "required property is missing or empty",
            )
        })?;
    let mut licenses = Vec::new();
    for (index, license) in raw
        .assigned_licenses
        .flatten()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        match license.sku_id.flatten() {
            Some(sku_id) if !sku_id.trim().is_empty() => licenses.push(guid_field(
                path,
                location,
                &format!("assignedLicenses[{index}].skuId"),
                &sku_id,
            )?),
            _ => {
                return Err(rejection(
                    path,
                    location.clone(),
                    format!("assignedLicenses[{index}].skuId"),
                    "required property is missing or empty",
                ));
            }
        }
    }
    let mut user_members = Vec::new();
    let mut other_members = 0;
    for (index, member) in raw
        .members
        .flatten()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let is_user = match member.odata_type.flatten() {
            Some(kind) => kind.eq_ignore_ascii_case("#microsoft.graph.user"),
            None => true,
        };
        let Some(member_id) = member.id.flatten().filter(|id| !id.trim().is_empty()) else {
            return Err(rejection(
                path,
                location.clone(),
                format!("members[{index}].id"),
                "required property is missing or empty",
            ));
        };
        if is_user {
            user_members.push(guid_field(
                path,
                location,
                &format!("members[{index}].id"),
                &member_id,
            )?);
        } else {
            other_members += 1;
        }
    }
    Ok(Group {
        id: guid_field(path, location, "id", &id)?,
        display_name: raw.display_name.flatten(),
        group_types: raw.group_types.flatten().unwrap_or_default(),
        membership_rule: raw.membership_rule.flatten(),
        licenses,
        user_members,
        other_members,
    })
}

fn frames(groups: &[Group], digest: Option<(PathBuf, FileDigest)>) -> PolarsResult<GroupFrames> {
    let is_dynamic = |group: &Group| {
        group
            .group_types
            .iter()
            .any(|kind| kind.eq_ignore_ascii_case("DynamicMembership"))
    };
    let groups_frame = DataFrame::new_infer_height(vec![
        Column::new(
            columns::GROUP_ID.into(),
            groups
                .iter()
                .map(|group| group.id.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            columns::GROUP_DISPLAY_NAME.into(),
            groups
                .iter()
                .map(|group| group.display_name.as_deref())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            columns::GROUP_IS_DYNAMIC.into(),
            groups.iter().map(is_dynamic).collect::<Vec<_>>(),
        ),
        Column::new(
            columns::GROUP_MEMBERSHIP_RULE.into(),
            groups
                .iter()
                .map(|group| group.membership_rule.as_deref())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            columns::GROUP_TYPES.into(),
            groups
                .iter()
                .map(|group| group.group_types.join(";"))
                .collect::<Vec<_>>(),
        ),
    ])?;
    let pairs = |pick: fn(&Group) -> &Vec<String>, right: &str| -> PolarsResult<DataFrame> {
        let rows: Vec<(&str, &str)> = groups
            .iter()
            .flat_map(|group| {
                pick(group)
                    .iter()
                    .map(move |value| (group.id.as_str(), value.as_str()))
            })
            .collect();
        DataFrame::new_infer_height(vec![
            Column::new(
                columns::GROUP_ID.into(),
                rows.iter().map(|row| row.0).collect::<Vec<_>>(),
            ),
            Column::new(
                right.into(),
                rows.iter().map(|row| row.1).collect::<Vec<_>>(),
            ),
        ])
    };
    Ok(GroupFrames {
        digest,
        groups: groups_frame,
        group_members: pairs(|group| &group.user_members, columns::USER_ID)?,
        group_licenses: pairs(|group| &group.licenses, columns::SKU_ID)?,
        members_not_users: groups.iter().map(|group| group.other_members).sum(),
    })
}
