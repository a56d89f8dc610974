//! The tenant's commerce subscriptions (`subscriptions.json`, Graph
//! `GET /v1.0/directory/subscriptions`) and the terms an admin adds for them (`terms.csv`):
//! what decides when a saving can be banked (SPEC §8). Graph gives each subscription's next
//! lifecycle date but no term or billing frequency; `terms.csv` fills those in.

use chrono::NaiveDate;

/// A subscription's state, as Graph names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionStatus {
    Enabled,
    Warning,
    Suspended,
    Deleted,
    LockedOut,
    /// A state this version does not know; such a subscription is not planned against.
    Other(String),
}

impl SubscriptionStatus {
    pub fn parse(text: &str) -> SubscriptionStatus {
        match text.trim().to_ascii_lowercase().as_str() {
            "enabled" => SubscriptionStatus::Enabled,
            "warning" => SubscriptionStatus::Warning,
            "suspended" => SubscriptionStatus::Suspended,
            "deleted" => SubscriptionStatus::Deleted,
            "lockedout" => SubscriptionStatus::LockedOut,
            _ => SubscriptionStatus::Other(text.trim().to_string()),
        }
    }

    /// Whether the subscription still bills: seats can be cut from it.
    pub fn bills(&self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Enabled | SubscriptionStatus::Warning
        )
    }
}

/// One commerce subscription of a SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The directory subscription id (Graph `id`).
    pub id: String,
    /// The commerce subscription id, as the Microsoft 365 admin center and invoices show it.
    pub commerce_subscription_id: Option<String>,
    pub sku_id: String,
    pub sku_part_number: Option<String>,
    pub total_licenses: i64,
    pub is_trial: bool,
    pub status: SubscriptionStatus,
    pub created: Option<NaiveDate>,
    /// When the subscription moves to its next state if not renewed: its renewal date.
    pub next_lifecycle: Option<NaiveDate>,
}

/// A subscription term (ISO 8601 durations, as Partner Center writes them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    /// `P1M`
    Monthly,
    /// `P1Y`
    Yearly,
    /// `P3Y`
    ThreeYears,
}

impl Term {
    pub fn parse(text: &str) -> Option<Term> {
        match text.trim().to_ascii_uppercase().as_str() {
            "P1M" => Some(Term::Monthly),
            "P1Y" => Some(Term::Yearly),
            "P3Y" => Some(Term::ThreeYears),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Term::Monthly => "P1M",
            Term::Yearly => "P1Y",
            Term::ThreeYears => "P3Y",
        }
    }
}

impl serde::Serialize for Term {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Term {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Term::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("term {text:?} is not P1M, P1Y or P3Y"))
        })
    }
}

/// What a `terms.csv` row applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermKey {
    /// A subscription, by its commerce or directory id (lower case).
    Subscription(String),
    /// Every subscription of a SKU, by part number (as written).
    SkuPartNumber(String),
}

/// One row of `terms.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermRow {
    pub key: TermKey,
    pub term: Option<Term>,
    /// As written (`Monthly`, `Annual`, ...): shown, not interpreted.
    pub billing: Option<String>,
    pub renewal_date: Option<NaiveDate>,
}

/// What a snapshot says about renewals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renewals {
    /// `None` when the snapshot has no `subscriptions.json` (or the pull was not allowed to
    /// read them): renewal timing is then unknown.
    pub subscriptions: Option<Vec<Subscription>>,
    pub terms: Vec<TermRow>,
}
