//! The in-memory model of a synthetic tenant, before it is written out.
//!
//! The directory, licensing and audit stages each add to or read this model, and the writers turn
//! it into Graph-shaped JSON. Keeping one explicit model (users, their license assignment states,
//! groups, subscriptions) is what lets the generator guarantee the snapshot's invariants by
//! construction: consumed units are counted from the same assignments the user pages print, and
//! group members are derived from the same states that name the group.

use super::rng::Guid;
use super::skus::Sku;

/// Identity of the tenant.
#[derive(Debug, Clone)]
pub struct TenantIdentity {
    /// The tenant (directory) id.
    pub id: Guid,
    /// Display name, e.g. `Contoso`.
    pub name: &'static str,
    /// The verified domain members sign in with, e.g. `contoso.com`.
    pub domain: String,
    /// The initial `onmicrosoft.com` domain guests are written under.
    pub initial_domain: String,
}

/// A user's `department` as Graph returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Department {
    /// `null`.
    Unset,
    /// `""`.
    Empty,
    /// A department name.
    Named(&'static str),
}

impl Department {
    /// The JSON value: `None` for null.
    pub fn as_json(self) -> Option<&'static str> {
        match self {
            Department::Unset => None,
            Department::Empty => Some(""),
            Department::Named(name) => Some(name),
        }
    }
}

/// A user's `employeeOrgData`: the cost center and division finance charges back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgData {
    /// `costCenter`.
    pub cost_center: Option<&'static str>,
    /// `division`.
    pub division: Option<&'static str>,
}

/// One sign-in timestamp with the request that produced it.
#[derive(Debug, Clone, Copy)]
pub struct SignInEvent {
    /// Seconds since the epoch, UTC.
    pub at: i64,
    /// The request id Graph reports next to the timestamp.
    pub request_id: Guid,
}

/// A user's `signInActivity`.
#[derive(Debug, Clone, Default)]
pub struct SignInActivity {
    /// `signInActivity` is `null` altogether.
    pub object_is_null: bool,
    /// The object lacks `lastSuccessfulSignInDateTime` and its request id (older exports).
    pub omits_successful: bool,
    /// Last interactive attempt, successful or not.
    pub last_sign_in: Option<SignInEvent>,
    /// Last non-interactive attempt.
    pub last_non_interactive: Option<SignInEvent>,
    /// Last successful sign-in (null before Microsoft started recording it).
    pub last_successful: Option<SignInEvent>,
}

/// Where an assignment comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentSource {
    /// Assigned to the user directly (`assignedByGroup: null`).
    Direct,
    /// Inherited from the group at this index of [`Tenant::groups`].
    Group(usize),
}

/// Why an assignment failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentError {
    /// `CountViolation`: the SKU ran out of seats.
    Count,
    /// `MutuallyExclusiveViolation`: a conflicting plan is already assigned.
    MutuallyExclusive,
    /// `DependencyViolation`: a plan the SKU depends on is missing.
    Dependency,
}

impl AssignmentError {
    /// Graph's `error` value.
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentError::Count => "CountViolation",
            AssignmentError::MutuallyExclusive => "MutuallyExclusiveViolation",
            AssignmentError::Dependency => "DependencyViolation",
        }
    }
}

/// One `licenseAssignmentStates` entry.
#[derive(Debug, Clone, Copy)]
pub struct Assignment {
    /// The SKU.
    pub sku: Sku,
    /// Direct or through a group.
    pub source: AssignmentSource,
    /// `None` when the assignment is active.
    pub error: Option<AssignmentError>,
    /// `lastUpdatedDateTime`.
    pub updated: i64,
}

/// A directory user.
#[derive(Debug, Clone)]
pub struct User {
    /// Object id.
    pub id: Guid,
    /// `userPrincipalName` (letter case as stored in the directory).
    pub upn: String,
    /// `displayName`.
    pub display_name: String,
    /// `accountEnabled`.
    pub enabled: bool,
    /// `userType` is `Guest`.
    pub guest: bool,
    /// `department`.
    pub department: Department,
    /// `jobTitle`.
    pub job_title: Option<&'static str>,
    /// `usageLocation`.
    pub usage_location: Option<&'static str>,
    /// `companyName`.
    pub company_name: Option<String>,
    /// `officeLocation`.
    pub office_location: Option<&'static str>,
    /// `employeeOrgData`; `None` for `null`.
    pub org_data: Option<OrgData>,
    /// `createdDateTime`.
    pub created: i64,
    /// `signInActivity`.
    pub sign_in: SignInActivity,
    /// The user's true last activity (successful sign-in of any kind), used to keep audit events
    /// consistent with the directory; `None` when the user never signed in.
    pub last_activity: Option<i64>,
    /// `licenseAssignmentStates`, in the order Graph lists them.
    pub assignments: Vec<Assignment>,
}

impl User {
    /// Whether the user holds the SKU: an assignment of it without error.
    pub fn holds(&self, sku: Sku) -> bool {
        self.assignments
            .iter()
            .any(|assignment| assignment.sku == sku && assignment.error.is_none())
    }

    /// The SKUs in `assignedLicenses`: each held SKU once, in order of first appearance.
    pub fn held_skus(&self) -> Vec<Sku> {
        let mut held: Vec<Sku> = Vec::new();
        for assignment in &self.assignments {
            if assignment.error.is_none() && !held.contains(&assignment.sku) {
                held.push(assignment.sku);
            }
        }
        held
    }
}

/// How a group's membership is managed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupKind {
    /// A static security group.
    Security,
    /// A Microsoft 365 (`Unified`) group that is also security-enabled.
    Unified,
    /// A dynamic security group with this membership rule.
    Dynamic {
        /// `membershipRule`.
        rule: String,
    },
}

/// A licensing group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Object id.
    pub id: Guid,
    /// `displayName`.
    pub display_name: &'static str,
    /// `description`.
    pub description: &'static str,
    /// Membership management.
    pub kind: GroupKind,
    /// The SKU the group assigns (`assignedLicenses`).
    pub sku: Sku,
}

/// One `subscribedSkus` entry's purchase facts.
#[derive(Debug, Clone)]
pub struct Subscription {
    /// The SKU.
    pub sku: Sku,
    /// `prepaidUnits.enabled`.
    pub prepaid: usize,
    /// `consumedUnits`: users holding the SKU.
    pub consumed: usize,
    /// `subscriptionIds`.
    pub subscription_ids: Vec<Guid>,
}

/// A complete synthetic tenant directory.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// Tenant identity.
    pub identity: TenantIdentity,
    /// Users, in the order they are paged out.
    pub users: Vec<User>,
    /// Licensing groups.
    pub groups: Vec<Group>,
    /// Subscriptions, one per SKU, in [`Sku::ALL`] order.
    pub subscriptions: Vec<Subscription>,
}

impl Tenant {
    /// Members of each group (indices into `users`): exactly the users with an assignment state
    /// naming the group, in user order.
    pub fn group_members(&self) -> Vec<Vec<usize>> {
        let mut members = vec![Vec::new(); self.groups.len()];
        for (user_index, user) in self.users.iter().enumerate() {
            for assignment in &user.assignments {
                if let AssignmentSource::Group(group) = assignment.source
                    && let Some(list) = members.get_mut(group)
                    && list.last() != Some(&user_index)
                {
                    list.push(user_index);
                }
            }
        }
        members
    }
}
