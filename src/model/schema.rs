//! The schema of every snapshot frame: the contract between ingestion and every later stage.
//! Ingestion builds frames of exactly these schemas (a test holds it to that), so analysis,
//! plans and reports can rely on names and types without looking at the files.

use super::columns::*;
use polars::prelude::*;

fn schema(fields: &[(&str, DataType)]) -> Schema {
    fields
        .iter()
        .map(|(name, dtype)| Field::new((*name).into(), dtype.clone()))
        .collect()
}

fn timestamp() -> DataType {
    DataType::Datetime(TimeUnit::Milliseconds, None)
}

/// One row per directory user.
pub fn users() -> Schema {
    schema(&[
        (USER_ID, DataType::String),
        (USER_PRINCIPAL_NAME, DataType::String),
        (USER_KEY, DataType::String),
        (USER_DISPLAY_NAME, DataType::String),
        (ACCOUNT_ENABLED, DataType::Boolean),
        (USER_TYPE, DataType::String),
        (DEPARTMENT, DataType::String),
        (JOB_TITLE, DataType::String),
        (USAGE_LOCATION, DataType::String),
        (COMPANY_NAME, DataType::String),
        (OFFICE_LOCATION, DataType::String),
        (COST_CENTER, DataType::String),
        (DIVISION, DataType::String),
        (CREATED_AT, timestamp()),
        (LAST_SIGN_IN, timestamp()),
        (LAST_NON_INTERACTIVE_SIGN_IN, timestamp()),
        (LAST_SUCCESSFUL_SIGN_IN, timestamp()),
        (LAST_ACTIVITY, timestamp()),
        (ACTIVITY_COUNTS_FAILED_ATTEMPTS, DataType::Boolean),
        (HAS_SIGN_IN_TIMESTAMP, DataType::Boolean),
    ])
}

/// One row per (user, SKU) in `assignedLicenses`, with the plans disabled on it.
pub fn holdings() -> Schema {
    schema(&[
        (USER_ID, DataType::String),
        (SKU_ID, DataType::String),
        (DISABLED_PLANS, DataType::List(Box::new(DataType::String))),
    ])
}

/// One row per `licenseAssignmentStates` entry; `assigned_by` is `direct` or a group id.
pub fn assignment_states() -> Schema {
    schema(&[
        (USER_ID, DataType::String),
        (SKU_ID, DataType::String),
        (ASSIGNED_BY, DataType::String),
        (ASSIGNMENT_STATE, DataType::String),
        (ASSIGNMENT_ERROR, DataType::String),
    ])
}

/// One row per purchased SKU.
pub fn subscribed_skus() -> Schema {
    schema(&[
        (SKU_ID, DataType::String),
        (SKU_PART_NUMBER, DataType::String),
        (PREPAID_ENABLED, DataType::Int64),
        (PREPAID_SUSPENDED, DataType::Int64),
        (PREPAID_WARNING, DataType::Int64),
        (PREPAID_LOCKED_OUT, DataType::Int64),
        (CONSUMED_UNITS, DataType::Int64),
        (CAPABILITY_STATUS, DataType::String),
        (APPLIES_TO, DataType::String),
    ])
}

/// One row per group; `group_types` is `;`-joined.
pub fn groups() -> Schema {
    schema(&[
        (GROUP_ID, DataType::String),
        (GROUP_DISPLAY_NAME, DataType::String),
        (GROUP_IS_DYNAMIC, DataType::Boolean),
        (GROUP_MEMBERSHIP_RULE, DataType::String),
        (GROUP_TYPES, DataType::String),
    ])
}

/// One row per (group, direct user member).
pub fn group_members() -> Schema {
    schema(&[(GROUP_ID, DataType::String), (USER_ID, DataType::String)])
}

/// One row per (group, SKU the group assigns).
pub fn group_licenses() -> Schema {
    schema(&[(GROUP_ID, DataType::String), (SKU_ID, DataType::String)])
}

/// One row per inventory app.
pub fn apps() -> Schema {
    schema(&[
        (APP_ID, DataType::String),
        (APP_DISPLAY_NAME, DataType::String),
        (ENVIRONMENT, DataType::String),
        (APP_IS_PREMIUM, DataType::Boolean),
    ])
}

/// One row per (launch identity, app, UTC day) of `LaunchPowerApp` audit records, each record
/// id counted once: who (a row of [`launch_identities`]), the app, the day, how many records,
/// and the first and last time among them.
///
/// Who launched is a number rather than the records' names: millions of rows then carry four
/// bytes each, and matching records to directory users is done once per identity.
pub fn launches() -> Schema {
    schema(&[
        (LAUNCH_IDENTITY, IDX_DTYPE),
        (APP_ID, DataType::String),
        (LAUNCH_DAY, DataType::Date),
        (LAUNCHES, DataType::UInt32),
        (FIRST_LAUNCHED_AT, timestamp()),
        (LAST_LAUNCHED_AT, timestamp()),
    ])
}

/// Who launched, one row per distinct pair the launch records carry, row `n` being
/// [`LAUNCH_IDENTITY`] `n` of [`launches`]: the user principal name in lower case (empty when
/// the records carry only an object id) and the object id when they carry one as a GUID.
pub fn launch_identities() -> Schema {
    schema(&[
        (USER_KEY, DataType::String),
        (USER_OBJECT_ID, DataType::String),
    ])
}
