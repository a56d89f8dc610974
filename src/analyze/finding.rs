//! The typed finding: one row of `findings.json` / `findings.csv` (SPEC §3).

use crate::money::Money;
use std::fmt;

/// The stable kinds of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    AssignmentError,
    DuplicateAssignment,
    IdleSeats,
    InactiveHolder,
    MissingPremium,
    UnusedPremium,
}

impl FindingKind {
    /// Every kind, in the (alphabetical) order findings are sorted by.
    pub const ALL: [FindingKind; 6] = [
        FindingKind::AssignmentError,
        FindingKind::DuplicateAssignment,
        FindingKind::IdleSeats,
        FindingKind::InactiveHolder,
        FindingKind::MissingPremium,
        FindingKind::UnusedPremium,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::AssignmentError => "assignment-error",
            FindingKind::DuplicateAssignment => "duplicate-assignment",
            FindingKind::IdleSeats => "idle-seats",
            FindingKind::InactiveHolder => "inactive-holder",
            FindingKind::MissingPremium => "missing-premium",
            FindingKind::UnusedPremium => "unused-premium",
        }
    }

    pub fn parse(text: &str) -> Option<FindingKind> {
        FindingKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }

    /// Whether the amount is money the tenant could save (else it is a cost, or nothing).
    pub fn is_saving(self) -> bool {
        matches!(
            self,
            FindingKind::InactiveHolder | FindingKind::UnusedPremium | FindingKind::IdleSeats
        )
    }
}

impl serde::Serialize for FindingKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for FindingKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        FindingKind::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown finding kind {text:?}")))
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// One finding. User fields are `None` for SKU-level findings (`idle-seats`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub user_id: Option<String>,
    pub user_principal_name: Option<String>,
    pub department: Option<String>,
    pub sku_part_number: String,
    pub sku_id: String,
    pub reason: Option<String>,
    /// `direct` and/or group ids, `direct` first.
    pub assigned_by: Vec<String>,
    /// Epoch milliseconds, UTC.
    pub last_activity: Option<i64>,
    pub last_premium_use: Option<i64>,
    pub premium_apps_used: Option<u32>,
    /// Idle seat count, for `idle-seats`.
    pub seats: Option<i64>,
    pub monthly_amount: Money,
    /// Anything a reader must know to trust the finding.
    pub note: Option<String>,
}

impl Finding {
    /// The order of `findings.json`: kind, then user principal name (ignoring case), then SKU.
    pub fn sort_key(&self) -> (FindingKind, String, String, String, String) {
        let name = self.user_principal_name.clone().unwrap_or_default();
        (
            self.kind,
            name.to_lowercase(),
            name,
            self.sku_part_number.clone(),
            self.user_id.clone().unwrap_or_default(),
        )
    }
}
