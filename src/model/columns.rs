//! Column names shared by every stage. A name is written once, here.

// Users.
pub const USER_ID: &str = "user_id";
pub const USER_PRINCIPAL_NAME: &str = "user_principal_name";
/// The user principal name in lower case: the key audit records join on.
pub const USER_KEY: &str = "user_key";
pub const USER_DISPLAY_NAME: &str = "user_display_name";
pub const ACCOUNT_ENABLED: &str = "account_enabled";
pub const USER_TYPE: &str = "user_type";
pub const DEPARTMENT: &str = "department";
pub const JOB_TITLE: &str = "job_title";
pub const USAGE_LOCATION: &str = "usage_location";
/// `companyName`, a chargeback attribute (SPEC §6), like the three below.
pub const COMPANY_NAME: &str = "company_name";
pub const OFFICE_LOCATION: &str = "office_location";
/// `employeeOrgData.costCenter`.
pub const COST_CENTER: &str = "cost_center";
/// `employeeOrgData.division`.
pub const DIVISION: &str = "division";
pub const CREATED_AT: &str = "created_at";
pub const LAST_SIGN_IN: &str = "last_sign_in";
pub const LAST_NON_INTERACTIVE_SIGN_IN: &str = "last_non_interactive_sign_in";
pub const LAST_SUCCESSFUL_SIGN_IN: &str = "last_successful_sign_in";
/// Latest of the successful interactive and the non-interactive sign-in (SPEC §1).
pub const LAST_ACTIVITY: &str = "last_activity";
/// True when the export lacked `lastSuccessfulSignInDateTime`, so `lastSignInDateTime`
/// (which counts failed attempts too) stood in for it.
pub const ACTIVITY_COUNTS_FAILED_ATTEMPTS: &str = "activity_counts_failed_attempts";
/// True when any sign-in timestamp at all is recorded.
pub const HAS_SIGN_IN_TIMESTAMP: &str = "has_sign_in_timestamp";

// SKUs.
pub const SKU_ID: &str = "sku_id";
pub const SKU_PART_NUMBER: &str = "sku_part_number";
/// Part number in lower case: the key price books join on.
pub const SKU_KEY: &str = "sku_key";
pub const CATALOGUE_PART_NUMBER: &str = "catalogue_part_number";
pub const SKU_DISPLAY_NAME: &str = "sku_display_name";
pub const PREMIUM: &str = "premium";
pub const PREPAID_ENABLED: &str = "prepaid_enabled";
pub const PREPAID_SUSPENDED: &str = "prepaid_suspended";
pub const PREPAID_WARNING: &str = "prepaid_warning";
pub const PREPAID_LOCKED_OUT: &str = "prepaid_locked_out";
pub const CONSUMED_UNITS: &str = "consumed_units";
pub const CAPABILITY_STATUS: &str = "capability_status";
pub const APPLIES_TO: &str = "applies_to";
/// Monthly price in micro-units of the price book's currency.
pub const MONTHLY_PRICE: &str = "monthly_price";

// Assignments.
/// `direct`, or the id of the group the assignment comes from.
pub const ASSIGNED_BY: &str = "assigned_by";
pub const ASSIGNMENT_STATE: &str = "assignment_state";
pub const ASSIGNMENT_ERROR: &str = "assignment_error";
/// The service plans (GUIDs) disabled on a held license for that user
/// (`assignedLicenses[].disabledPlans`).
pub const DISABLED_PLANS: &str = "disabled_plans";

// Groups.
pub const GROUP_ID: &str = "group_id";
pub const GROUP_DISPLAY_NAME: &str = "group_display_name";
pub const GROUP_IS_DYNAMIC: &str = "group_is_dynamic";
pub const GROUP_MEMBERSHIP_RULE: &str = "group_membership_rule";
pub const GROUP_TYPES: &str = "group_types";

// Apps and launches.
pub const APP_ID: &str = "app_id";
pub const APP_DISPLAY_NAME: &str = "app_display_name";
pub const ENVIRONMENT: &str = "environment";
pub const APP_IS_PREMIUM: &str = "app_is_premium";
/// The UTC day of a row of launches.
pub const LAUNCH_DAY: &str = "launch_day";
/// How many launch records a row of launches stands for.
pub const LAUNCHES: &str = "launches";
/// The earliest and the latest time of a row's launches (both inside its day).
pub const FIRST_LAUNCHED_AT: &str = "first_launched_at";
pub const LAST_LAUNCHED_AT: &str = "last_launched_at";
/// Who launched, as a row number of the launch identities: one per distinct (lower-case user
/// principal name, object id) pair the records carry.
pub const LAUNCH_IDENTITY: &str = "launch_identity";
/// The Entra object id a launch record carries (`UserKey` or `enduser.id`), when a GUID.
pub const USER_OBJECT_ID: &str = "user_object_id";

/// The value of [`ASSIGNED_BY`] for a direct assignment.
pub const DIRECT: &str = "direct";
/// A finding's source when the export does not say how the license is assigned.
pub const UNKNOWN_SOURCE: &str = "unknown";
