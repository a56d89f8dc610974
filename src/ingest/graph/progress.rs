//! How a pull reports its progress: through a reporter the command passes in.
//!
//! The library never prints. The command decides whether progress becomes bars (a terminal),
//! plain lines (a log file) or nothing (`--quiet`).

/// The collections a pull fetches, each with its own progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Collection {
    SubscribedSkus,
    Subscriptions,
    Users,
    Groups,
    GroupMembers,
    AuditRecords,
}

impl Collection {
    pub const ALL: [Collection; 6] = [
        Collection::SubscribedSkus,
        Collection::Subscriptions,
        Collection::Users,
        Collection::Groups,
        Collection::GroupMembers,
        Collection::AuditRecords,
    ];

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Collection::SubscribedSkus => "subscribedSkus",
            Collection::Subscriptions => "subscriptions",
            Collection::Users => "users",
            Collection::Groups => "licensed groups",
            Collection::GroupMembers => "group members",
            Collection::AuditRecords => "audit records",
        }
    }

    /// The application permission the collection needs, for messages.
    pub fn permission(self) -> &'static str {
        match self {
            Collection::SubscribedSkus => "LicenseAssignment.Read.All or Organization.Read.All",
            Collection::Subscriptions => "Organization.Read.All",
            Collection::Users => {
                "User.Read.All, and AuditLog.Read.All with Entra ID P1 for signInActivity"
            }
            Collection::Groups => "Group.Read.All",
            Collection::GroupMembers => "GroupMember.Read.All or Group.Read.All",
            Collection::AuditRecords => "AuditLogsQuery.Read.All",
        }
    }
}

/// Receives progress events; implementations must be cheap, they are called per page.
pub trait PullProgress: Send + Sync {
    /// The collection's pull began.
    fn started(&self, collection: Collection);
    /// `items` more items are on disk (on resume, first the items saved before).
    fn advanced(&self, collection: Collection, items: u64);
    /// The collection is complete with `items` items in all.
    fn finished(&self, collection: Collection, items: u64);
    /// Something worth a line: a fallback, a retry, the audit query's state.
    fn note(&self, collection: Option<Collection>, message: &str);
}

/// Reports nothing.
pub struct SilentProgress;

impl PullProgress for SilentProgress {
    fn started(&self, _collection: Collection) {}
    fn advanced(&self, _collection: Collection, _items: u64) {}
    fn finished(&self, _collection: Collection, _items: u64) {}
    fn note(&self, _collection: Option<Collection>, _message: &str) {}
}
