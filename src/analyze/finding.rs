//! The typed finding: one row of `findings.json` / `findings.csv` (SPEC §3), with its kind
//! and its reason as enums written as the stable kebab-case (or Graph) strings.

use super::license_mix;
use super::rules::{
    assignment_error, duplicate_assignment, inactive_holder, missing_premium, redundant_license,
    unused_premium,
};
use super::timing::SavingTiming;
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
    RedundantLicense,
    RightSize,
    UnusedPremium,
}

impl FindingKind {
    /// Every kind, in the (alphabetical) order findings are sorted by.
    pub const ALL: [FindingKind; 8] = [
        FindingKind::AssignmentError,
        FindingKind::DuplicateAssignment,
        FindingKind::IdleSeats,
        FindingKind::InactiveHolder,
        FindingKind::MissingPremium,
        FindingKind::RedundantLicense,
        FindingKind::RightSize,
        FindingKind::UnusedPremium,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::AssignmentError => "assignment-error",
            FindingKind::DuplicateAssignment => "duplicate-assignment",
            FindingKind::IdleSeats => "idle-seats",
            FindingKind::InactiveHolder => "inactive-holder",
            FindingKind::MissingPremium => "missing-premium",
            FindingKind::RedundantLicense => "redundant-license",
            FindingKind::RightSize => "right-size",
            FindingKind::UnusedPremium => "unused-premium",
        }
    }

    pub fn parse(text: &str) -> Option<FindingKind> {
        FindingKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }

    /// Whether the amount is money the tenant could save by removing seats or licenses, the
    /// `monthly_savings` of SPEC §4 (else it is a cost, a change of license, or nothing).
    pub fn is_saving(self) -> bool {
        matches!(
            self,
            FindingKind::InactiveHolder
                | FindingKind::UnusedPremium
                | FindingKind::IdleSeats
                | FindingKind::RedundantLicense
        )
    }

    /// The reclaim kinds: the saving comes from taking a license back from a user, so the seat
    /// is free at once, for the next hire instead of a purchase (`reassignable_now`, SPEC §8);
    /// and a (user, SKU) pair in one is in no license-change kind (`right-size`).
    pub fn is_reclaim(self) -> bool {
        matches!(
            self,
            FindingKind::InactiveHolder
                | FindingKind::UnusedPremium
                | FindingKind::RedundantLicense
        )
    }

    /// Whether the amount is what changing a license, not removing it, would save
    /// (`right-size`): a saving kept apart from `monthly_savings`.
    pub fn is_license_change(self) -> bool {
        matches!(self, FindingKind::RightSize)
    }
}

impl serde::Serialize for FindingKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for FindingKind {
    /// An unknown kind is an error that lists the known ones.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(deserializer)?;
        FindingKind::parse(&text).ok_or_else(|| {
            let known: Vec<&str> = FindingKind::ALL.iter().map(|kind| kind.as_str()).collect();
            serde::de::Error::custom(format!(
                "unknown finding kind {text:?}; the kinds are {}",
                known.join(", ")
            ))
        })
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Why a finding was raised: the rule's reason (SPEC §3), or for `assignment-error` the
/// error codes Entra recorded on the assignment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingReason {
    /// `inactive-holder`: the account is disabled.
    Disabled,
    /// `inactive-holder`: no sign-in timestamp at all.
    NeverSignedIn,
    /// `inactive-holder`: not active in the window.
    Inactive,
    /// `unused-premium`: no premium app launched in the window.
    NoPremiumUse,
    /// `missing-premium`: premium apps launched without a premium license.
    UnlicensedPremiumUse,
    /// `redundant-license`: another license the user holds already grants every service of
    /// this one.
    CoveredByHeldLicense,
    /// `right-size`: pay-as-you-go is the cheapest way to cover the use.
    PayAsYouGo,
    /// `right-size`: per app passes are the cheapest way to cover the use.
    PerApp,
    /// `duplicate-assignment`: granted directly and by a group.
    DirectAndGroup,
    /// `duplicate-assignment`: granted by several groups.
    MultipleGroups,
    /// `assignment-error`: the distinct error codes, written joined by `;`.
    AssignmentErrors(Vec<AssignmentErrorCode>),
}

impl FindingReason {
    /// The reasons the rules give, each with its text.
    pub const RULE_REASONS: [(FindingReason, &'static str); 10] = [
        (FindingReason::Disabled, inactive_holder::DISABLED),
        (
            FindingReason::NeverSignedIn,
            inactive_holder::NEVER_SIGNED_IN,
        ),
        (FindingReason::Inactive, inactive_holder::INACTIVE),
        (FindingReason::NoPremiumUse, unused_premium::NO_PREMIUM_USE),
        (
            FindingReason::UnlicensedPremiumUse,
            missing_premium::UNLICENSED_PREMIUM_USE,
        ),
        (FindingReason::PayAsYouGo, license_mix::PAY_AS_YOU_GO),
        (FindingReason::PerApp, license_mix::PER_APP),
        (
            FindingReason::CoveredByHeldLicense,
            redundant_license::COVERED_BY_HELD_LICENSE,
        ),
        (
            FindingReason::DirectAndGroup,
            duplicate_assignment::DIRECT_AND_GROUP,
        ),
        (
            FindingReason::MultipleGroups,
            duplicate_assignment::MULTIPLE_GROUPS,
        ),
    ];

    /// The reason a rule gave, from its text; anything else is the error codes of an
    /// `assignment-error` (Graph's own words, kept as written).
    pub fn parse(text: &str) -> FindingReason {
        FindingReason::parse_rule_reason(text).unwrap_or_else(|| {
            FindingReason::AssignmentErrors(
                text.split(assignment_error::ERROR_SEPARATOR)
                    .map(AssignmentErrorCode::parse)
                    .collect(),
            )
        })
    }

    /// One of the rules' reasons, from its text.
    pub fn parse_rule_reason(text: &str) -> Option<FindingReason> {
        FindingReason::RULE_REASONS
            .into_iter()
            .find(|(_, known)| *known == text)
            .map(|(reason, _)| reason)
    }

    /// The text of a rule's reason; `None` for assignment errors.
    pub fn rule_text(&self) -> Option<&'static str> {
        FindingReason::RULE_REASONS
            .iter()
            .find(|(reason, _)| reason == self)
            .map(|(_, text)| *text)
    }
}

impl fmt::Display for FindingReason {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FindingReason::AssignmentErrors(codes) => {
                for (index, code) in codes.iter().enumerate() {
                    if index > 0 {
                        formatter.write_str(assignment_error::ERROR_SEPARATOR)?;
                    }
                    formatter.write_str(code.as_str())?;
                }
                Ok(())
            }
            rule => formatter.write_str(rule.rule_text().unwrap_or_default()),
        }
    }
}

impl serde::Serialize for FindingReason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for FindingReason {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(deserializer)?;
        Ok(FindingReason::parse(&text))
    }
}

/// An error Entra recorded on a license assignment (`licenseAssignmentStates[].error`).
/// The tenant's text: the codes Graph documents, and any other kept as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AssignmentErrorCode {
    /// Not enough seats.
    CountViolation,
    /// The SKU conflicts with another the user holds.
    MutuallyExclusiveViolation,
    /// The SKU needs another the user does not hold.
    DependencyViolation,
    /// The user's usage location does not allow the SKU.
    ProhibitedInUsageLocationViolation,
    UniquenessViolation,
    /// Graph's own catch-all code, `Other`.
    Other,
    /// A code this version does not know, as the tenant wrote it.
    Unrecognized(String),
}

impl AssignmentErrorCode {
    pub fn parse(text: &str) -> AssignmentErrorCode {
        match text {
            "CountViolation" => AssignmentErrorCode::CountViolation,
            "MutuallyExclusiveViolation" => AssignmentErrorCode::MutuallyExclusiveViolation,
            "DependencyViolation" => AssignmentErrorCode::DependencyViolation,
            "ProhibitedInUsageLocationViolation" => {
                AssignmentErrorCode::ProhibitedInUsageLocationViolation
            }
            "UniquenessViolation" => AssignmentErrorCode::UniquenessViolation,
            "Other" => AssignmentErrorCode::Other,
            other => AssignmentErrorCode::Unrecognized(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            AssignmentErrorCode::CountViolation => "CountViolation",
            AssignmentErrorCode::MutuallyExclusiveViolation => "MutuallyExclusiveViolation",
            AssignmentErrorCode::DependencyViolation => "DependencyViolation",
            AssignmentErrorCode::ProhibitedInUsageLocationViolation => {
                "ProhibitedInUsageLocationViolation"
            }
            AssignmentErrorCode::UniquenessViolation => "UniquenessViolation",
            AssignmentErrorCode::Other => "Other",
            AssignmentErrorCode::Unrecognized(text) => text,
        }
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
    pub reason: Option<FindingReason>,
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
    /// When a saving can be banked (`None` for findings that are not savings).
    pub timing: Option<SavingTiming>,
    /// `redundant-license`: the held license that already grants this one's services.
    pub covered_by: Option<CoveringLicense>,
    /// `right-size`: the current license's monthly price.
    pub current_monthly_cost: Option<Money>,
    /// `right-size`: the part number of the cheapest option.
    pub cheapest_part_number: Option<String>,
    /// `right-size`: the cheapest option's monthly cost (averaged over the months).
    pub cheapest_monthly_cost: Option<Money>,
    /// `right-size`: how many calendar months wholly inside the window the use covers.
    pub whole_months: Option<u32>,
}

/// The license that makes a `redundant-license` finding's SKU redundant: plans remove the
/// finding's SKU and must keep this one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CoveringLicense {
    pub sku_part_number: String,
    pub sku_id: String,
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
