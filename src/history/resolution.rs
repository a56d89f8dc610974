//! How a finding of the earlier month went away, read from the later month's users,
//! holdings and SKU tables: the user is gone, the license was removed, the holder is active
//! again, the seats were cut, and so on. Kept apart from the pairing so the order of the
//! checks (first match wins) reads in one place.

use super::month_tables::{FindingRow, MonthTables};
use crate::analyze::FindingKind;
use serde::Serialize;

/// How a finding of the earlier month went away, as the later month's tables show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// The user is no longer in the directory.
    UserDeleted,
    /// The user no longer holds the SKU.
    LicenseRemoved,
    /// The (inactive) holder is active in the later month's window.
    UserActiveAgain,
    /// An unused premium license: the holder used premium apps.
    PremiumUsed,
    /// Unlicensed premium use: the user now holds a premium SKU.
    LicenseAssigned,
    /// Idle seats: fewer seats are bought.
    SeatsCut,
    /// Idle seats: the seats were assigned.
    SeatsAssigned,
    /// Idle seats: the SKU is no longer bought or no longer paid.
    SkuGone,
    /// The same user and SKU carry a finding of another kind now.
    KindChanged,
    /// The rule no longer applies for another reason (price, evidence, state of the assignment).
    Other,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::UserDeleted => "user-deleted",
            Resolution::LicenseRemoved => "license-removed",
            Resolution::UserActiveAgain => "user-active-again",
            Resolution::PremiumUsed => "premium-used",
            Resolution::LicenseAssigned => "license-assigned",
            Resolution::SeatsCut => "seats-cut",
            Resolution::SeatsAssigned => "seats-assigned",
            Resolution::SkuGone => "sku-gone",
            Resolution::KindChanged => "kind-changed",
            Resolution::Other => "other",
        }
    }
}

pub fn resolution(
    row: &FindingRow,
    earlier: &MonthTables,
    later: &MonthTables,
    now_kind: Option<FindingKind>,
) -> Resolution {
    let sku = row.key.sku_id.as_str();
    let changed_kind = || {
        if now_kind.is_some() {
            Resolution::KindChanged
        } else {
            Resolution::Other
        }
    };
    let Some(user) = row.key.user_id.as_deref() else {
        // SKU-level: idle seats.
        let before = earlier.skus.get(sku);
        return match later.skus.get(sku) {
            Some(now) if now.is_paid_license() => {
                if before.is_some_and(|before| now.purchased_seats < before.purchased_seats) {
                    Resolution::SeatsCut
                } else {
                    Resolution::SeatsAssigned
                }
            }
            _ => Resolution::SkuGone,
        };
    };
    if !later.users.contains_key(user) {
        return Resolution::UserDeleted;
    }
    match row.key.kind {
        FindingKind::MissingPremium => {
            let covered = later.holdings.get(user).is_some_and(|held| {
                held.iter()
                    .any(|sku| later.skus.get(sku).is_some_and(|state| state.premium))
            });
            if covered {
                Resolution::LicenseAssigned
            } else {
                changed_kind()
            }
        }
        _ if !later.holds(user, sku) => Resolution::LicenseRemoved,
        FindingKind::InactiveHolder if later.is_active(user) => Resolution::UserActiveAgain,
        FindingKind::UnusedPremium if now_kind.is_none() && later.is_active(user) => {
            Resolution::PremiumUsed
        }
        _ => changed_kind(),
    }
}
