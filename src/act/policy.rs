//! The reclaim policy (TOML): what a plan may remove, from whom, how much at once, and when.
//!
//! ```toml
//! window_days = 90                # act only on audits whose window is at least this long
//! grace_days = 14                 # warn people first; actions apply from planned date + grace
//! required_approvals = 2          # distinct approvers `apply` requires
//! require_signatures = "allowed_signers"  # optional: approvals signed by these SSH keys
//!                                         # (relative to this file; see the README)
//! kinds = ["inactive-holder", "unused-premium", "redundant-license"]
//! reasons = ["disabled", "never-signed-in", "inactive", "no-premium-use", "covered-by-held-license"]
//!
//! [[exclusions]]
//! user = "breakglass1@contoso.com"   # or group = "Executives" (id or display name)
//! reason = "Break-glass account"
//! expires = "2027-06-30"             # optional; an expired exclusion no longer protects
//!
//! [caps]
//! count = 50                      # at most this many removals per SKU in one plan
//! percent = 10                    # and at most this share of the SKU's assigned seats
//! [caps.sku.POWERAPPS_PER_USER]
//! count = 20
//! ```

use crate::analyze::{FindingKind, FindingReason};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("{}: cannot read the policy: {source}", path.display())]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}\nhint: see the policy example in the README", path.display())]
    Invalid {
        path: std::path::PathBuf,
        message: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    window_days: Option<u32>,
    #[serde(default)]
    grace_days: u32,
    #[serde(default = "one")]
    required_approvals: u32,
    require_signatures: Option<std::path::PathBuf>,
    kinds: Option<Vec<String>>,
    reasons: Option<Vec<String>>,
    #[serde(default)]
    exclusions: Vec<ExclusionFile>,
    #[serde(default)]
    caps: CapsFile,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExclusionFile {
    user: Option<String>,
    group: Option<String>,
    reason: String,
    expires: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CapsFile {
    count: Option<u32>,
    percent: Option<f64>,
    #[serde(default)]
    sku: BTreeMap<String, CapFile>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CapFile {
    count: Option<u32>,
    percent: Option<f64>,
}

/// Who an exclusion protects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Excluded {
    User(String),
    Group(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Exclusion {
    pub who: Excluded,
    pub reason: String,
    pub expires: Option<NaiveDate>,
}

impl Exclusion {
    /// Whether the exclusion still protects on `date` (it protects through its expiry day).
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.expires.is_none_or(|expires| date <= expires)
    }
}

/// A per-SKU cap on removals in one plan.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cap {
    pub count: Option<u32>,
    pub percent: Option<f64>,
}

impl Cap {
    /// How many seats of a SKU with `assigned` seats one plan may remove.
    pub fn limit(&self, assigned: i64) -> Option<u64> {
        let by_count = self.count.map(u64::from);
        let by_percent = self
            .percent
            .map(|percent| ((assigned.max(0) as f64) * percent / 100.0).floor() as u64);
        match (by_count, by_percent) {
            (Some(count), Some(percent)) => Some(count.min(percent)),
            (count, percent) => count.or(percent),
        }
    }
}

/// A validated policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub window_days: Option<u32>,
    pub grace_days: u32,
    pub required_approvals: u32,
    /// The allowed-signers file approvals must be signed by (resolved against the policy
    /// file's folder); `None`: unsigned approvals count.
    pub require_signatures: Option<std::path::PathBuf>,
    pub kinds: Vec<FindingKind>,
    pub reasons: Option<Vec<FindingReason>>,
    pub exclusions: Vec<Exclusion>,
    pub default_cap: Cap,
    /// Part number (lower case) -> cap.
    pub sku_caps: BTreeMap<String, Cap>,
}

/// The kinds whose licenses a reclaim plan removes (`redundant-license`: the covered
/// license, never the covering one).
pub const RECLAIM_KINDS: [FindingKind; 3] = [
    FindingKind::InactiveHolder,
    FindingKind::UnusedPremium,
    FindingKind::RedundantLicense,
];

/// The reasons of those kinds, which a policy may narrow a plan to.
pub const RECLAIM_REASONS: [FindingReason; 5] = [
    FindingReason::Disabled,
    FindingReason::NeverSignedIn,
    FindingReason::Inactive,
    FindingReason::NoPremiumUse,
    FindingReason::CoveredByHeldLicense,
];

fn names<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            window_days: None,
            grace_days: 0,
            required_approvals: 1,
            require_signatures: None,
            kinds: RECLAIM_KINDS.to_vec(),
            reasons: None,
            exclusions: Vec::new(),
            default_cap: Cap::default(),
            sku_caps: BTreeMap::new(),
        }
    }
}

impl Policy {
    pub fn read(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Policy::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Policy, PolicyError> {
        let invalid = |message: String| PolicyError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let file: PolicyFile = toml::from_str(text).map_err(|error| invalid(error.to_string()))?;
        let kinds = match file.kinds {
            None => RECLAIM_KINDS.to_vec(),
            Some(names_given) => {
                let mut kinds = Vec::new();
                for name in names_given {
                    match FindingKind::parse(&name).filter(|kind| RECLAIM_KINDS.contains(kind)) {
                        Some(kind) => kinds.push(kind),
                        None => {
                            return Err(invalid(format!(
                                "kinds: {name:?} cannot be reclaimed; reclaim kinds are {}",
                                names(&RECLAIM_KINDS)
                            )));
                        }
                    }
                }
                kinds
            }
        };
        let reasons = match file.reasons {
            None => None,
            Some(names_given) => {
                let mut reasons = Vec::new();
                for name in names_given {
                    match FindingReason::parse_rule_reason(&name)
                        .filter(|reason| RECLAIM_REASONS.contains(reason))
                    {
                        Some(reason) => reasons.push(reason),
                        None => {
                            return Err(invalid(format!(
                                "reasons: unknown reason {name:?}; reasons are {}",
                                names(&RECLAIM_REASONS)
                            )));
                        }
                    }
                }
                Some(reasons)
            }
        };
        if file.required_approvals == 0 {
            return Err(invalid("required_approvals must be at least 1".into()));
        }
        let mut exclusions = Vec::new();
        for (index, exclusion) in file.exclusions.into_iter().enumerate() {
            let place = format!("exclusions[{index}]");
            let who = match (exclusion.user, exclusion.group) {
                (Some(user), None) => Excluded::User(user.trim().to_lowercase()),
                (None, Some(group)) => Excluded::Group(group.trim().to_string()),
                _ => {
                    return Err(invalid(format!(
                        "{place}: give exactly one of user or group"
                    )));
                }
            };
            if exclusion.reason.trim().is_empty() {
                return Err(invalid(format!("{place}: reason is empty: say why")));
            }
            let expires = match exclusion.expires {
                Some(text) => Some(NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(
                    |_| invalid(format!("{place}: expires {text:?} is not YYYY-MM-DD")),
                )?),
                None => None,
            };
            exclusions.push(Exclusion {
                who,
                reason: exclusion.reason.trim().to_string(),
                expires,
            });
        }
        let cap =
            |place: &str, count: Option<u32>, percent: Option<f64>| -> Result<Cap, PolicyError> {
                if let Some(percent) = percent
                    && !(0.0..=100.0).contains(&percent)
                {
                    return Err(invalid(format!(
                        "{place}: percent {percent} is not between 0 and 100"
                    )));
                }
                Ok(Cap { count, percent })
            };
        let default_cap = cap("caps", file.caps.count, file.caps.percent)?;
        let mut sku_caps = BTreeMap::new();
        for (part, sku_cap) in file.caps.sku {
            let parsed = cap(&format!("caps.sku.{part}"), sku_cap.count, sku_cap.percent)?;
            sku_caps.insert(part.to_ascii_lowercase(), parsed);
        }
        Ok(Policy {
            window_days: file.window_days,
            grace_days: file.grace_days,
            required_approvals: file.required_approvals,
            require_signatures: file.require_signatures.map(|signers| {
                path.parent()
                    .map(|folder| folder.join(&signers))
                    .unwrap_or(signers)
            }),
            kinds,
            reasons,
            exclusions,
            default_cap,
            sku_caps,
        })
    }

    pub fn cap_for(&self, part_number: &str) -> Cap {
        self.sku_caps
            .get(&part_number.to_ascii_lowercase())
            .copied()
            .unwrap_or(self.default_cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Policy, PolicyError> {
        Policy::parse(Path::new("policy.toml"), text)
    }

    #[test]
    fn the_documented_example_parses() {
        let policy = parse(
            r#"
window_days = 90
grace_days = 14
required_approvals = 2
kinds = ["inactive-holder", "unused-premium"]
[[exclusions]]
user = "BreakGlass1@contoso.com"
reason = "Break-glass account"
expires = "2027-06-30"
[[exclusions]]
group = "Executives"
reason = "Board decision"
[caps]
count = 50
percent = 10
[caps.sku.POWERAPPS_PER_USER]
count = 20
"#,
        )
        .expect("valid policy");
        assert_eq!(policy.required_approvals, 2);
        assert_eq!(
            policy.exclusions[0].who,
            Excluded::User("breakglass1@contoso.com".into())
        );
        assert_eq!(policy.cap_for("powerapps_per_user").limit(1000), Some(20));
        assert_eq!(policy.cap_for("SPE_E5").limit(300), Some(30));
    }

    #[test]
    fn an_expired_exclusion_no_longer_protects() {
        let exclusion = Exclusion {
            who: Excluded::User("a".into()),
            reason: "r".into(),
            expires: NaiveDate::from_ymd_opt(2026, 6, 30),
        };
        assert!(exclusion.in_force(NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default()));
        assert!(!exclusion.in_force(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default()));
    }

    #[test]
    fn mistakes_are_named() {
        for (text, expected) in [
            ("kinds = [\"idle-seats\"]", "cannot be reclaimed"),
            ("reasons = [\"bored\"]", "unknown reason"),
            ("[[exclusions]]\nuser = \"a\"\nreason = \"\"", "say why"),
            (
                "[[exclusions]]\nuser = \"a\"\ngroup = \"b\"\nreason = \"x\"",
                "exactly one",
            ),
            (
                "[[exclusions]]\nuser = \"a\"\nreason = \"x\"\nexpires = \"soon\"",
                "YYYY-MM-DD",
            ),
            ("[caps]\npercent = 150", "between 0 and 100"),
            ("grace = 3", "unknown field"),
            ("required_approvals = 0", "at least 1"),
        ] {
            let message = parse(text).expect_err(text).to_string();
            assert!(message.contains(expected), "{text}: {message}");
        }
    }
}
