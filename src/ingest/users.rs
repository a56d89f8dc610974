//! Users, their license holdings and assignment states, from Graph `/users` exports.
//!
//! One user record becomes one row of `users`, one row of `holdings` per `assignedLicenses`
//! entry and one row of `assignment_states` per `licenseAssignmentStates` entry. Files are
//! parsed in parallel; a user id listed twice with identical data (overlapping exports) is
//! kept once, with conflicting data it is an error.

use super::error::{
    IngestError, Location, Rejection, RejectionLog, Strictness, guid_field, rejection,
};
use super::json_records::split_records;
use crate::case_insensitive_record;
use crate::model::columns;
use crate::support::digest::FileDigest;
use crate::support::timestamp::parse_optional_timestamp;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

case_insensitive_record! {
    #[derive(Debug)]
    struct UserRecord {
        id: Option<String> = "id",
        user_principal_name: Option<String> = "userPrincipalName",
        display_name: Option<String> = "displayName",
        account_enabled: Option<bool> = "accountEnabled",
        user_type: Option<String> = "userType",
        department: Option<String> = "department",
        job_title: Option<String> = "jobTitle",
        usage_location: Option<String> = "usageLocation",
        company_name: Option<String> = "companyName",
        office_location: Option<String> = "officeLocation",
        employee_org_data: Option<EmployeeOrgDataRecord> = "employeeOrgData",
        created_date_time: Option<String> = "createdDateTime",
        assigned_licenses: Option<Vec<AssignedLicenseRecord>> = "assignedLicenses",
        license_assignment_states: Option<Vec<AssignmentStateRecord>> = "licenseAssignmentStates",
        sign_in_activity: Option<SignInActivityRecord> = "signInActivity",
    }
}

case_insensitive_record! {
    #[derive(Debug)]
    pub struct AssignedLicenseRecord {
        pub sku_id: Option<String> = "skuId",
        pub disabled_plans: Option<Vec<String>> = "disabledPlans",
    }
}

case_insensitive_record! {
    #[derive(Debug)]
    struct AssignmentStateRecord {
        sku_id: Option<String> = "skuId",
        assigned_by_group: Option<String> = "assignedByGroup",
        state: Option<String> = "state",
        error: Option<String> = "error",
    }
}

case_insensitive_record! {
    /// `employeeOrgData`: where the user sits for chargeback (SPEC §6).
    #[derive(Debug)]
    struct EmployeeOrgDataRecord {
        cost_center: Option<String> = "costCenter",
        division: Option<String> = "division",
    }
}

case_insensitive_record! {
    #[derive(Debug)]
    struct SignInActivityRecord {
        last_sign_in: Option<String> = "lastSignInDateTime",
        last_non_interactive_sign_in: Option<String> = "lastNonInteractiveSignInDateTime",
        last_successful_sign_in: Option<String> = "lastSuccessfulSignInDateTime",
    }
}

/// One `licenseAssignmentStates` entry, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AssignmentState {
    sku_id: String,
    assigned_by: String,
    state: String,
    error: String,
}

/// A user record after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    id: String,
    user_principal_name: String,
    display_name: Option<String>,
    account_enabled: Option<bool>,
    user_type: Option<String>,
    department: Option<String>,
    job_title: Option<String>,
    usage_location: Option<String>,
    company_name: Option<String>,
    office_location: Option<String>,
    cost_center: Option<String>,
    division: Option<String>,
    created_at: Option<i64>,
    last_sign_in: Option<i64>,
    last_non_interactive_sign_in: Option<i64>,
    last_successful_sign_in: Option<i64>,
    sign_in_activity_present: bool,
    /// False when the record lacks `licenseAssignmentStates` (older exports): how its
    /// licenses are assigned is then unknown.
    assignment_states_present: bool,
    activity_counts_failed_attempts: bool,
    holdings: Vec<Holding>,
    states: Vec<AssignmentState>,
}

/// One `assignedLicenses` entry: the SKU and the service plans disabled on it for this user
/// (plan GUIDs, lower case, sorted).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Holding {
    sku_id: String,
    disabled_plans: Vec<String>,
}

struct SourcedUser {
    user: User,
    /// Shared by the file's users: a tenant has a million users and a few thousand pages.
    file: Arc<Path>,
    location: Location,
}

/// The three frames built from users, plus what was noticed on the way.
pub struct UserFrames {
    /// The digest of each users file read, by path.
    pub digests: Vec<(PathBuf, FileDigest)>,
    pub users: DataFrame,
    pub holdings: DataFrame,
    pub assignment_states: DataFrame,
    pub repeated_users: usize,
    pub users_without_sign_in_activity: usize,
    pub users_activity_from_attempts: usize,
    /// Users holding a license whose record lacks `licenseAssignmentStates`.
    pub licensed_users_without_assignment_states: usize,
    pub licensed_users: usize,
    /// User records read, accepted or rejected.
    pub records: usize,
    pub rejected: Vec<Rejection>,
}

/// Reads every users file (pages, arrays or JSON Lines) into frames.
pub fn read_users(files: &[PathBuf], strictness: Strictness) -> Result<UserFrames, IngestError> {
    let per_file: Vec<Result<UsersFileRead, IngestError>> = files
        .par_iter()
        .map(|path| read_users_file(path, strictness))
        .collect();
    let mut log = RejectionLog::new(strictness);
    // Sized once: growing a vector of a million users copies it again and again.
    let mut users = Vec::with_capacity(
        per_file
            .iter()
            .map(|file| file.as_ref().map_or(0, |file| file.users.len()))
            .sum(),
    );
    let mut records = 0;
    let mut digests = Vec::with_capacity(files.len());
    for (result, path) in per_file.into_iter().zip(files) {
        let file = result?;
        digests.push((path.clone(), file.digest));
        records += file.records;
        users.extend(file.users);
        log.absorb(file.log);
    }
    let (users, repeated_users) = drop_repeated_users(users, &mut log)?;
    let users_without_sign_in_activity = users
        .iter()
        .filter(|user| !user.sign_in_activity_present)
        .count();
    let users_activity_from_attempts = users
        .iter()
        .filter(|user| user.activity_counts_failed_attempts)
        .count();
    let licensed_users = users
        .iter()
        .filter(|user| !user.holdings.is_empty())
        .count();
    let licensed_users_without_assignment_states = users
        .iter()
        .filter(|user| !user.holdings.is_empty() && !user.assignment_states_present)
        .count();
    let label = files.first().map_or(Path::new("users"), PathBuf::as_path);
    let (users_frame, holdings, assignment_states) =
        build_frames(users).map_err(|error| IngestError::frame(label, error))?;
    Ok(UserFrames {
        digests,
        users: users_frame,
        holdings,
        assignment_states,
        repeated_users,
        users_without_sign_in_activity,
        users_activity_from_attempts,
        licensed_users_without_assignment_states,
        licensed_users,
        records,
        rejected: log.into_rejections(),
    })
}

/// The users of one file, its rejections and how many records it held.
struct UsersFileRead {
    users: Vec<SourcedUser>,
    digest: FileDigest,
    log: RejectionLog,
    records: usize,
}

fn read_users_file(path: &Path, strictness: Strictness) -> Result<UsersFileRead, IngestError> {
    let (bytes, digest) = super::encoding::read_utf8_digested(path)?;
    let mut log = RejectionLog::new(strictness);
    let records = split_records(path, &bytes, &mut log)?;
    // Lines of a JSON Lines file that are not JSON at all are records too.
    let record_count = records.len() + log.len();
    let mut users = Vec::with_capacity(records.len());
    let file: Arc<Path> = Arc::from(path);
    for record in records {
        let parsed = serde_json::from_str::<UserRecord>(record.raw.get())
            .map_err(|error| field_error(path, &record.location, &error.to_string()))
            .and_then(|raw| validate_user(path, &record.location, raw));
        match parsed {
            Ok(user) => users.push(SourcedUser {
                user,
                file: Arc::clone(&file),
                location: record.location,
            }),
            Err(problem) => log.reject(problem)?,
        }
    }
    Ok(UsersFileRead {
        users,
        digest,
        log,
        records: record_count,
    })
}

/// Turns a serde message such as "in `signInActivity`: in `lastSignInDateTime`: invalid type…"
/// into a rejection whose field is `signInActivity.lastSignInDateTime`.
fn field_error(path: &Path, location: &Location, message: &str) -> Rejection {
    let (field, problem) = super::record::split_field_path(message);
    rejection(
        path,
        location.clone(),
        if field.is_empty() {
            "(record)".to_string()
        } else {
            field
        },
        problem,
    )
}

fn timestamp_field(
    path: &Path,
    location: &Location,
    field: &str,
    value: Option<&Option<String>>,
) -> Result<Option<i64>, Rejection> {
    match value {
        Some(Some(text)) => parse_optional_timestamp(text)
            .map_err(|problem| rejection(path, location.clone(), field, problem)),
        _ => Ok(None),
    }
}

fn validate_user(path: &Path, location: &Location, raw: UserRecord) -> Result<User, Rejection> {
    let required = |value: Option<Option<String>>, field: &str| match value.flatten() {
        Some(text) if !text.trim().is_empty() => Ok(text.trim().to_string()),
        _ => Err(rejection(
            path,
            location.clone(),
            field,
            "required property is missing or empty",
        )),
    };
    let id = guid_field(path, location, "id", &required(raw.id, "id")?)?;
    let user_principal_name = required(raw.user_principal_name, "userPrincipalName")?;
    let created_at = timestamp_field(
        path,
        location,
        "createdDateTime",
        raw.created_date_time.as_ref(),
    )?;

    let sign_in = raw.sign_in_activity.flatten();
    let sign_in_activity_present = sign_in.is_some();
    let (
        last_sign_in,
        last_non_interactive_sign_in,
        last_successful_sign_in,
        success_property_absent,
    ) = match &sign_in {
        Some(activity) => (
            timestamp_field(
                path,
                location,
                "signInActivity.lastSignInDateTime",
                activity.last_sign_in.as_ref(),
            )?,
            timestamp_field(
                path,
                location,
                "signInActivity.lastNonInteractiveSignInDateTime",
                activity.last_non_interactive_sign_in.as_ref(),
            )?,
            timestamp_field(
                path,
                location,
                "signInActivity.lastSuccessfulSignInDateTime",
                activity.last_successful_sign_in.as_ref(),
            )?,
            activity.last_successful_sign_in.is_none(),
        ),
        None => (None, None, None, false),
    };
    let activity_counts_failed_attempts = success_property_absent && last_sign_in.is_some();

    let mut holdings = Vec::new();
    for (index, license) in raw
        .assigned_licenses
        .flatten()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        match license.sku_id.flatten() {
            Some(sku_id) if !sku_id.trim().is_empty() => {
                let mut disabled_plans = Vec::new();
                for (plan_index, plan) in license
                    .disabled_plans
                    .flatten()
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate()
                {
                    disabled_plans.push(guid_field(
                        path,
                        location,
                        &format!("assignedLicenses[{index}].disabledPlans[{plan_index}]"),
                        &plan,
                    )?);
                }
                disabled_plans.sort();
                disabled_plans.dedup();
                holdings.push(Holding {
                    sku_id: guid_field(
                        path,
                        location,
                        &format!("assignedLicenses[{index}].skuId"),
                        &sku_id,
                    )?,
                    disabled_plans,
                });
            }
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
    // Graph lists a license once; should an export list it twice, a plan disabled on one
    // entry but enabled on the other is enabled (Entra grants the union of enabled plans).
    holdings.sort_by(|left, right| left.sku_id.cmp(&right.sku_id));
    holdings.dedup_by(|later, kept| {
        let same = later.sku_id == kept.sku_id;
        if same {
            kept.disabled_plans
                .retain(|plan| later.disabled_plans.contains(plan));
        }
        same
    });

    let assignment_states_present = matches!(raw.license_assignment_states, Some(Some(_)));
    let mut states = Vec::new();
    for (index, state) in raw
        .license_assignment_states
        .flatten()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let Some(sku_id) = state
            .sku_id
            .flatten()
            .filter(|sku_id| !sku_id.trim().is_empty())
        else {
            return Err(rejection(
                path,
                location.clone(),
                format!("licenseAssignmentStates[{index}].skuId"),
                "required property is missing or empty",
            ));
        };
        let assigned_by = match state.assigned_by_group.flatten() {
            Some(group) if !group.trim().is_empty() => guid_field(
                path,
                location,
                &format!("licenseAssignmentStates[{index}].assignedByGroup"),
                &group,
            )?,
            _ => columns::DIRECT.to_string(),
        };
        let error = match state.error.flatten() {
            Some(error) if !error.trim().is_empty() => error.trim().to_string(),
            _ => "None".to_string(),
        };
        states.push(AssignmentState {
            sku_id: guid_field(
                path,
                location,
                &format!("licenseAssignmentStates[{index}].skuId"),
                &sku_id,
            )?,
            assigned_by,
            state: state.state.flatten().unwrap_or_default().trim().to_string(),
            error,
        });
    }

    let text = |value: Option<Option<String>>| value.flatten().map(|text| text.trim().to_string());
    // Chargeback attributes: empty is the same as unset, never a group of its own.
    let attribute = |value: Option<Option<String>>| text(value).filter(|text| !text.is_empty());
    let org_data = raw.employee_org_data.flatten();
    Ok(User {
        id,
        user_principal_name,
        display_name: text(raw.display_name),
        account_enabled: raw.account_enabled.flatten(),
        user_type: text(raw.user_type),
        department: text(raw.department).filter(|department| !department.is_empty()),
        job_title: text(raw.job_title),
        usage_location: text(raw.usage_location),
        company_name: attribute(raw.company_name),
        office_location: attribute(raw.office_location),
        cost_center: attribute(org_data.as_ref().and_then(|org| org.cost_center.clone())),
        division: attribute(org_data.and_then(|org| org.division)),
        created_at,
        last_sign_in,
        last_non_interactive_sign_in,
        last_successful_sign_in,
        sign_in_activity_present,
        assignment_states_present,
        activity_counts_failed_attempts,
        holdings,
        states,
    })
}

/// Keeps one copy of users listed twice with identical data; conflicting copies are rejected.
/// Users stay in file order; only their indices are sorted (a `User` is large to move).
fn drop_repeated_users(
    users: Vec<SourcedUser>,
    log: &mut RejectionLog,
) -> Result<(Vec<User>, usize), IngestError> {
    let mut order: Vec<usize> = (0..users.len()).collect();
    order.sort_by(|left, right| users[*left].user.id.cmp(&users[*right].user.id));
    let mut keep = vec![true; users.len()];
    let mut repeated = 0;
    let mut first_of_run = None::<usize>;
    for index in order {
        let candidate = &users[index];
        match first_of_run {
            Some(first) if users[first].user.id == candidate.user.id => {
                keep[index] = false;
                let previous = &users[first];
                if previous.user == candidate.user {
                    repeated += 1;
                } else {
                    log.reject(rejection(
                        &candidate.file,
                        candidate.location.clone(),
                        "id",
                        format!(
                            "user id {} also appears in {} at {} with different data",
                            candidate.user.id,
                            previous.file.display(),
                            previous.location
                        ),
                    ))?;
                }
            }
            _ => first_of_run = Some(index),
        }
    }
    reject_shared_names(&users, &mut keep, log)?;
    let kept = users
        .into_iter()
        .zip(keep)
        .filter_map(|(sourced, keep)| keep.then_some(sourced.user))
        .collect();
    Ok((kept, repeated))
}

/// Two users with one user principal name (compared ignoring case) and different ids are
/// ambiguous: a launch or a plan naming that UPN could mean either. The later record is
/// rejected, naming the earlier one.
fn reject_shared_names(
    users: &[SourcedUser],
    keep: &mut [bool],
    log: &mut RejectionLog,
) -> Result<(), IngestError> {
    let mut order: Vec<(String, usize)> = users
        .iter()
        .enumerate()
        .filter(|(index, _)| keep[*index])
        .map(|(index, sourced)| (sourced.user.user_principal_name.to_lowercase(), index))
        .collect();
    order.sort();
    let mut run_start = 0;
    for position in 1..order.len() {
        if order[position].0 != order[run_start].0 {
            run_start = position;
            continue;
        }
        let (first, index) = (order[run_start].1, order[position].1);
        let (previous, candidate) = (&users[first], &users[index]);
        keep[index] = false;
        log.reject(rejection(
            &candidate.file,
            candidate.location.clone(),
            "userPrincipalName",
            format!(
                "{} is also the name of user {} in {} at {}, whose id is different ({} here)",
                candidate.user.user_principal_name,
                previous.user.id,
                previous.file.display(),
                previous.location,
                candidate.user.id
            ),
        ))?;
    }
    Ok(())
}

/// The frames of `users`, built a chunk at a time in parallel. The users are dropped before
/// the chunks are joined into one: a large tenant's records then never sit in memory beside
/// both the chunks and the joined frames.
fn build_frames(users: Vec<User>) -> PolarsResult<(DataFrame, DataFrame, DataFrame)> {
    const CHUNK: usize = 16_384;
    let chunks: Vec<PolarsResult<[DataFrame; 3]>> = users
        .par_chunks(CHUNK)
        .map(|chunk| {
            Ok([
                users_frame(chunk)?,
                holdings_frame(chunk)?,
                states_frame(chunk)?,
            ])
        })
        .collect();
    drop(users);
    let mut stacked: Option<[DataFrame; 3]> = None;
    for chunk in chunks {
        let chunk = chunk?;
        stacked = Some(match stacked {
            None => chunk,
            Some([mut users, mut holdings, mut states]) => {
                let [more_users, more_holdings, more_states] = chunk;
                users.vstack_mut_owned(more_users)?;
                holdings.vstack_mut_owned(more_holdings)?;
                states.vstack_mut_owned(more_states)?;
                [users, holdings, states]
            }
        });
    }
    let [mut users_frame, mut holdings, mut states] = match stacked {
        Some(frames) => frames,
        None => [users_frame(&[])?, holdings_frame(&[])?, states_frame(&[])?],
    };
    users_frame.rechunk_mut();
    holdings.rechunk_mut();
    states.rechunk_mut();
    Ok((users_frame, holdings, states))
}

fn datetime_column(name: &str, values: Vec<Option<i64>>) -> PolarsResult<Column> {
    Column::new(name.into(), values).cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
}

fn users_frame(users: &[User]) -> PolarsResult<DataFrame> {
    let strings = |name: &str, pick: &dyn Fn(&User) -> Option<&str>| {
        Column::new(
            name.into(),
            users.iter().map(pick).collect::<Vec<Option<&str>>>(),
        )
    };
    let last_activity = |user: &User| {
        let interactive = if user.activity_counts_failed_attempts {
            user.last_sign_in
        } else {
            user.last_successful_sign_in
        };
        interactive.max(user.last_non_interactive_sign_in)
    };
    DataFrame::new_infer_height(vec![
        strings(columns::USER_ID, &|user| Some(&user.id)),
        strings(columns::USER_PRINCIPAL_NAME, &|user| {
            Some(&user.user_principal_name)
        }),
        Column::new(
            columns::USER_KEY.into(),
            users
                .iter()
                .map(|user| user.user_principal_name.to_lowercase())
                .collect::<Vec<_>>(),
        ),
        strings(columns::USER_DISPLAY_NAME, &|user| {
            user.display_name.as_deref()
        }),
        Column::new(
            columns::ACCOUNT_ENABLED.into(),
            users
                .iter()
                .map(|user| user.account_enabled)
                .collect::<Vec<_>>(),
        ),
        strings(columns::USER_TYPE, &|user| user.user_type.as_deref()),
        strings(columns::DEPARTMENT, &|user| user.department.as_deref()),
        strings(columns::JOB_TITLE, &|user| user.job_title.as_deref()),
        strings(columns::USAGE_LOCATION, &|user| {
            user.usage_location.as_deref()
        }),
        strings(columns::COMPANY_NAME, &|user| user.company_name.as_deref()),
        strings(columns::OFFICE_LOCATION, &|user| {
            user.office_location.as_deref()
        }),
        strings(columns::COST_CENTER, &|user| user.cost_center.as_deref()),
        strings(columns::DIVISION, &|user| user.division.as_deref()),
        datetime_column(
            columns::CREATED_AT,
            users.iter().map(|user| user.created_at).collect(),
        )?,
        datetime_column(
            columns::LAST_SIGN_IN,
            users.iter().map(|user| user.last_sign_in).collect(),
        )?,
        datetime_column(
            columns::LAST_NON_INTERACTIVE_SIGN_IN,
            users
                .iter()
                .map(|user| user.last_non_interactive_sign_in)
                .collect(),
        )?,
        datetime_column(
            columns::LAST_SUCCESSFUL_SIGN_IN,
            users
                .iter()
                .map(|user| user.last_successful_sign_in)
                .collect(),
        )?,
        datetime_column(
            columns::LAST_ACTIVITY,
            users.iter().map(last_activity).collect(),
        )?,
        Column::new(
            columns::ACTIVITY_COUNTS_FAILED_ATTEMPTS.into(),
            users
                .iter()
                .map(|user| user.activity_counts_failed_attempts)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            columns::HAS_SIGN_IN_TIMESTAMP.into(),
            users
                .iter()
                .map(|user| {
                    user.last_sign_in.is_some()
                        || user.last_non_interactive_sign_in.is_some()
                        || user.last_successful_sign_in.is_some()
                })
                .collect::<Vec<_>>(),
        ),
    ])
}

fn holdings_frame(users: &[User]) -> PolarsResult<DataFrame> {
    let pairs: Vec<(&str, &Holding)> = users
        .iter()
        .flat_map(|user| {
            user.holdings
                .iter()
                .map(move |holding| (user.id.as_str(), holding))
        })
        .collect();
    DataFrame::new_infer_height(vec![
        repeated_strings(columns::USER_ID, pairs.iter().map(|pair| pair.0))?,
        repeated_strings(
            columns::SKU_ID,
            pairs.iter().map(|pair| pair.1.sku_id.as_str()),
        )?,
        disabled_plans_column(pairs.iter().map(|pair| pair.1.disabled_plans.as_slice())),
    ])
}

/// A string column of values that repeat from row to row (a user's id on each of their
/// licenses, a SKU's or a group's id on millions): each distinct value's bytes are stored once
/// and the rows refer to them, instead of a copy per row.
fn repeated_strings<'a>(name: &str, values: impl Iterator<Item = &'a str>) -> PolarsResult<Column> {
    let mut numbers: HashMap<&str, IdxSize, foldhash::fast::RandomState> = HashMap::default();
    let mut distinct: Vec<&str> = Vec::new();
    let mut rows: Vec<IdxSize> = Vec::new();
    for value in values {
        let next = IdxSize::try_from(distinct.len())
            .map_err(|_| polars_err!(ComputeError: "too many distinct values in {name}"))?;
        rows.push(*numbers.entry(value).or_insert_with(|| {
            distinct.push(value);
            next
        }));
    }
    let distinct = Series::new(name.into(), distinct);
    Ok(distinct
        .take(&IdxCa::from_vec(PlSmallStr::EMPTY, rows))?
        .into_column())
}

/// The [`columns::DISABLED_PLANS`] column: one list of plan GUIDs per holding.
pub fn disabled_plans_column<'a>(plans: impl Iterator<Item = &'a [String]>) -> Column {
    let lists: Vec<Series> = plans
        .map(|plans| Series::new(PlSmallStr::EMPTY, plans))
        .collect();
    let mut column = Column::new(columns::DISABLED_PLANS.into(), lists);
    if column.is_empty() {
        column = Column::new_empty(
            columns::DISABLED_PLANS.into(),
            &DataType::List(Box::new(DataType::String)),
        );
    }
    column
}

fn states_frame(users: &[User]) -> PolarsResult<DataFrame> {
    let rows: Vec<(&str, &AssignmentState)> = users
        .iter()
        .flat_map(|user| {
            user.states
                .iter()
                .map(move |state| (user.id.as_str(), state))
        })
        .collect();
    let column = |name: &str, pick: &dyn for<'r> Fn(&(&'r str, &'r AssignmentState)) -> &'r str| {
        repeated_strings(name, rows.iter().map(pick))
    };
    DataFrame::new_infer_height(vec![
        column(columns::USER_ID, &|row| row.0)?,
        column(columns::SKU_ID, &|row| &row.1.sku_id)?,
        column(columns::ASSIGNED_BY, &|row| &row.1.assigned_by)?,
        column(columns::ASSIGNMENT_STATE, &|row| &row.1.state)?,
        column(columns::ASSIGNMENT_ERROR, &|row| &row.1.error)?,
    ])
}
