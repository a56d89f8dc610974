//! Writes the directory half of a snapshot in Microsoft Graph's own JSON shapes.
//!
//! Ingestion reads real Graph exports, so the generator writes exactly what Graph returns:
//! `subscribedSkus` as one response page, users as `GET /v1.0/users` pages of 120 (Graph's page
//! size when `signInActivity` is selected) linked by `@odata.nextLink`, groups with their members
//! inlined, camelCase property names in Graph's order, and `snapshot.json` with the collection
//! metadata. Serialisation goes through `serde` structs (never maps), so property order and bytes
//! are deterministic.

use std::path::Path;

use serde::Serialize;

use super::GenerateError;
use super::output::{TextFile, create_dir, write_pretty_json};
use super::rng::Guid;
use super::tenant::{AssignmentSource, GroupKind, SignInActivity, SignInEvent, Tenant, User};
use super::time;

/// Users per page: Graph's maximum page size when `signInActivity` is selected.
pub const USERS_PER_PAGE: usize = 120;

const USER_SELECT: &str = "id,userPrincipalName,displayName,accountEnabled,userType,department,\
jobTitle,usageLocation,companyName,officeLocation,employeeOrgData,createdDateTime,\
assignedLicenses,licenseAssignmentStates,signInActivity";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SnapshotJson<'a> {
    tenant_id: Guid,
    collected_at: String,
    source: &'a str,
}

/// Writes `snapshot.json`.
pub fn write_snapshot(dir: &Path, tenant: &Tenant, collected_at: i64) -> Result<(), GenerateError> {
    let snapshot = SnapshotJson {
        tenant_id: tenant.identity.id,
        collected_at: time::graph(collected_at),
        source: "seatwise generate",
    };
    write_pretty_json(&dir.join("snapshot.json"), &snapshot)
}

#[derive(Serialize)]
struct Page<T> {
    #[serde(rename = "@odata.context")]
    context: String,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    next_link: Option<String>,
    value: Vec<T>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PrepaidUnitsJson {
    enabled: usize,
    locked_out: usize,
    suspended: usize,
    warning: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServicePlanJson {
    service_plan_id: &'static str,
    service_plan_name: &'static str,
    provisioning_status: &'static str,
    applies_to: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubscribedSkuJson<'a> {
    account_id: Guid,
    account_name: &'a str,
    applies_to: &'static str,
    capability_status: &'static str,
    consumed_units: usize,
    id: String,
    prepaid_units: PrepaidUnitsJson,
    service_plans: Vec<ServicePlanJson>,
    sku_id: &'static str,
    sku_part_number: &'static str,
    subscription_ids: &'a [Guid],
}

/// Writes `subscribedSkus.json`.
pub fn write_subscribed_skus(dir: &Path, tenant: &Tenant) -> Result<(), GenerateError> {
    let tenant_id = tenant.identity.id;
    let value = tenant
        .subscriptions
        .iter()
        .map(|subscription| {
            let facts = subscription.sku.facts();
            SubscribedSkuJson {
                account_id: tenant_id,
                account_name: tenant.identity.name,
                applies_to: "User",
                capability_status: "Enabled",
                consumed_units: subscription.consumed,
                id: format!("{tenant_id}_{}", facts.sku_id),
                prepaid_units: PrepaidUnitsJson {
                    enabled: subscription.prepaid,
                    locked_out: 0,
                    suspended: 0,
                    warning: 0,
                },
                service_plans: facts
                    .service_plans
                    .iter()
                    .map(|&(name, id)| ServicePlanJson {
                        service_plan_id: id,
                        service_plan_name: name,
                        provisioning_status: "Success",
                        applies_to: "User",
                    })
                    .collect(),
                sku_id: facts.sku_id,
                sku_part_number: facts.part_number,
                subscription_ids: &subscription.subscription_ids,
            }
        })
        .collect();
    let page = Page {
        context: "https://graph.microsoft.com/v1.0/$metadata#subscribedSkus".to_string(),
        next_link: None,
        value,
    };
    write_pretty_json(&dir.join("subscribedSkus.json"), &page)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AssignedLicenseJson {
    sku_id: &'static str,
    disabled_plans: [&'static str; 0],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AssignmentStateJson {
    sku_id: &'static str,
    assigned_by_group: Option<Guid>,
    state: &'static str,
    error: &'static str,
    disabled_plans: [&'static str; 0],
    last_updated_date_time: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignInActivityJson {
    last_sign_in_date_time: Option<String>,
    last_sign_in_request_id: Option<Guid>,
    last_non_interactive_sign_in_date_time: Option<String>,
    last_non_interactive_sign_in_request_id: Option<Guid>,
    /// Outer `None`: the property is absent (older exports); inner `None`: `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    last_successful_sign_in_date_time: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_successful_sign_in_request_id: Option<Option<Guid>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrgDataJson {
    cost_center: Option<&'static str>,
    division: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserJson<'a> {
    id: Guid,
    user_principal_name: &'a str,
    display_name: &'a str,
    account_enabled: bool,
    user_type: &'static str,
    department: Option<&'static str>,
    job_title: Option<&'static str>,
    usage_location: Option<&'static str>,
    company_name: Option<&'a str>,
    office_location: Option<&'static str>,
    employee_org_data: Option<OrgDataJson>,
    created_date_time: String,
    assigned_licenses: Vec<AssignedLicenseJson>,
    license_assignment_states: Vec<AssignmentStateJson>,
    sign_in_activity: Option<SignInActivityJson>,
}

fn sign_in_json(activity: &SignInActivity) -> Option<SignInActivityJson> {
    if activity.object_is_null {
        return None;
    }
    let at = |event: Option<SignInEvent>| event.map(|event| time::graph(event.at));
    let request = |event: Option<SignInEvent>| event.map(|event| event.request_id);
    let successful = (!activity.omits_successful).then_some(activity.last_successful);
    Some(SignInActivityJson {
        last_sign_in_date_time: at(activity.last_sign_in),
        last_sign_in_request_id: request(activity.last_sign_in),
        last_non_interactive_sign_in_date_time: at(activity.last_non_interactive),
        last_non_interactive_sign_in_request_id: request(activity.last_non_interactive),
        last_successful_sign_in_date_time: successful.map(at),
        last_successful_sign_in_request_id: successful.map(request),
    })
}

fn user_json<'a>(user: &'a User, tenant: &Tenant) -> UserJson<'a> {
    let assigned_licenses = user
        .held_skus()
        .into_iter()
        .map(|sku| AssignedLicenseJson {
            sku_id: sku.facts().sku_id,
            disabled_plans: [],
        })
        .collect();
    let license_assignment_states = user
        .assignments
        .iter()
        .map(|assignment| AssignmentStateJson {
            sku_id: assignment.sku.facts().sku_id,
            assigned_by_group: match assignment.source {
                AssignmentSource::Direct => None,
                AssignmentSource::Group(index) => tenant.groups.get(index).map(|group| group.id),
            },
            state: if assignment.error.is_some() {
                "Error"
            } else {
                "Active"
            },
            error: assignment.error.map_or("None", |error| error.as_str()),
            disabled_plans: [],
            last_updated_date_time: time::graph(assignment.updated),
        })
        .collect();
    UserJson {
        id: user.id,
        user_principal_name: &user.upn,
        display_name: &user.display_name,
        account_enabled: user.enabled,
        user_type: if user.guest { "Guest" } else { "Member" },
        department: user.department.as_json(),
        job_title: user.job_title,
        usage_location: user.usage_location,
        company_name: user.company_name.as_deref(),
        office_location: user.office_location,
        employee_org_data: user.org_data.map(|org| OrgDataJson {
            cost_center: org.cost_center,
            division: org.division,
        }),
        created_date_time: time::graph(user.created),
        assigned_licenses,
        license_assignment_states,
        sign_in_activity: sign_in_json(&user.sign_in),
    }
}

/// An opaque, deterministic `$skiptoken` for the page that starts with `first`.
fn skip_token(first: &User) -> String {
    let hex: String = first
        .id
        .to_string()
        .chars()
        .filter(|character| *character != '-')
        .flat_map(char::to_uppercase)
        .collect();
    format!("RFNwdAIAAQAAACM6{hex}")
}

/// Writes `users/page-0001.json`, `users/page-0002.json`, …; returns the number of pages.
pub fn write_user_pages(dir: &Path, tenant: &Tenant) -> Result<usize, GenerateError> {
    let users_dir = dir.join("users");
    create_dir(&users_dir)?;
    let context = format!("https://graph.microsoft.com/v1.0/$metadata#users({USER_SELECT})");
    let pages: Vec<&[User]> = tenant.users.chunks(USERS_PER_PAGE).collect();
    for (index, users) in pages.iter().enumerate() {
        let next_link = pages.get(index + 1).and_then(|next| next.first()).map(|first| {
            format!(
                "https://graph.microsoft.com/v1.0/users?$select={USER_SELECT}&$top={USERS_PER_PAGE}&$skiptoken={}",
                skip_token(first)
            )
        });
        let page = Page {
            context: context.clone(),
            next_link,
            value: users.iter().map(|user| user_json(user, tenant)).collect(),
        };
        let path = users_dir.join(format!("page-{:04}.json", index + 1));
        let mut file = TextFile::create(&path)?;
        file.write_json(&page)?;
        file.finish()?;
    }
    Ok(pages.len())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MemberJson<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    id: Guid,
    user_principal_name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupJson<'a> {
    id: Guid,
    display_name: &'static str,
    description: &'static str,
    group_types: &'static [&'static str],
    security_enabled: bool,
    mail_enabled: bool,
    membership_rule: Option<&'a str>,
    membership_rule_processing_state: Option<&'static str>,
    assigned_licenses: [AssignedLicenseJson; 1],
    members: Vec<MemberJson<'a>>,
}

/// Writes `groups.json`.
pub fn write_groups(dir: &Path, tenant: &Tenant) -> Result<(), GenerateError> {
    let members = tenant.group_members();
    let value: Vec<GroupJson<'_>> = tenant
        .groups
        .iter()
        .zip(&members)
        .map(|(group, member_indices)| {
            let (group_types, mail_enabled, rule): (&'static [&'static str], bool, Option<&str>) =
                match &group.kind {
                    GroupKind::Security => (&[], false, None),
                    GroupKind::Unified => (&["Unified"], true, None),
                    GroupKind::Dynamic { rule } => {
                        (&["DynamicMembership"], false, Some(rule.as_str()))
                    }
                };
            GroupJson {
                id: group.id,
                display_name: group.display_name,
                description: group.description,
                group_types,
                security_enabled: true,
                mail_enabled,
                membership_rule: rule,
                membership_rule_processing_state: rule.map(|_| "On"),
                assigned_licenses: [AssignedLicenseJson {
                    sku_id: group.sku.facts().sku_id,
                    disabled_plans: [],
                }],
                members: member_indices
                    .iter()
                    .filter_map(|&index| tenant.users.get(index))
                    .map(|user| MemberJson {
                        odata_type: "#microsoft.graph.user",
                        id: user.id,
                        user_principal_name: &user.upn,
                    })
                    .collect(),
            }
        })
        .collect();
    let page = Page {
        context: "https://graph.microsoft.com/v1.0/$metadata#groups".to_string(),
        next_link: None,
        value,
    };
    write_pretty_json(&dir.join("groups.json"), &page)
}
