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

/// How `row`, a finding of `earlier` that `later` lacks, went away; `now_kind` is a kind new
/// on the same user and SKU in `later`.
pub fn resolution(
    row: &FindingRow,
    earlier: &MonthTables,
    later: &MonthTables,
    now_kind: Option<FindingKind>,
) -> Resolution {
    let sku = row.key.sku_id;
    let changed_kind = || {
        if now_kind.is_some() {
            Resolution::KindChanged
        } else {
            Resolution::Other
        }
    };
    let Some(user) = row.key.user_id else {
        // SKU-level: idle seats.
        let before = earlier.skus.get(&sku);
        return match later.skus.get(&sku) {
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
    if !later.users.contains_key(&user) {
        return Resolution::UserDeleted;
    }
    match row.key.kind {
        FindingKind::MissingPremium => {
            let covered = later
                .holdings
                .skus_of(user)
                .any(|sku| later.skus.get(&sku).is_some_and(|state| state.premium));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::findings::FindingsSummary;
    use crate::history::Month;
    use crate::history::manifest::{MonthManifest, SCHEMA};
    use crate::history::month_tables::{FindingKey, Holdings, SkuState, UserState};
    use crate::model::guid::Guid;
    use crate::money::Money;
    use chrono::NaiveDate;
    use std::path::PathBuf;

    const USER: Guid = Guid::from_bits(1);
    const PREMIUM: Guid = Guid::from_bits(2);
    const E5: Guid = Guid::from_bits(3);

    fn sku(premium: bool, seats: i64, paid: bool) -> SkuState {
        SkuState {
            sku_part_number: if premium {
                "POWERAPPS_PER_USER"
            } else {
                "SPE_E5"
            }
            .into(),
            premium,
            purchased_seats: seats,
            monthly_price: Some(Money(20_000_000)),
            is_paid: paid,
        }
    }

    fn month(active: bool, held: &[Guid], skus: Vec<(Guid, SkuState)>) -> MonthTables {
        let date = NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
        MonthTables {
            month: Month::of(date),
            dir: PathBuf::from("history/month=2026-11"),
            manifest: MonthManifest {
                schema: SCHEMA.into(),
                month: Month::of(date),
                tenant_id: "t".into(),
                as_of: date,
                window_days: 90,
                window_first_day: date,
                currency: "USD".into(),
                audit_generator: String::new(),
                recorded_by: String::new(),
                audit_path: String::new(),
                findings_sha256: String::new(),
                snapshot_path: String::new(),
                collected_at: None,
                inputs: Vec::new(),
                summary: FindingsSummary {
                    users: 1,
                    licensed_users: 1,
                    findings: Default::default(),
                    monthly_amounts: Default::default(),
                    monthly_cost: Money::ZERO,
                    monthly_savings: Money::ZERO,
                    monthly_cost_to_comply: Money::ZERO,
                    monthly_savings_reassignable_now: Money::ZERO,
                },
                warnings: Vec::new(),
            },
            findings: Vec::new(),
            users: [(
                USER,
                UserState {
                    user_principal_name: "ada@contoso.com".into(),
                    active,
                },
            )]
            .into_iter()
            .collect(),
            activity_known: true,
            holdings: Holdings::from_pairs(held.iter().map(|sku| (USER, *sku)).collect()),
            skus: skus.into_iter().collect(),
        }
    }

    fn finding(kind: FindingKind, user: Option<Guid>, sku: Guid) -> FindingRow {
        FindingRow {
            key: FindingKey {
                kind,
                user_id: user,
                sku_id: sku,
            },
            user_principal_name: user.map(|_| "ada@contoso.com".to_string()),
            sku_part_number: "SKU".into(),
            reason: None,
            seats: None,
            monthly_amount: Money::ZERO,
        }
    }

    #[test]
    fn the_first_matching_resolution_is_given() {
        let skus = || vec![(PREMIUM, sku(true, 10, true)), (E5, sku(false, 10, true))];
        let before = month(false, &[E5], skus());
        let user = Some(USER);

        let idle = finding(FindingKind::IdleSeats, None, E5);
        let fewer = month(true, &[], vec![(E5, sku(false, 8, true))]);
        assert_eq!(
            resolution(&idle, &before, &fewer, None),
            Resolution::SeatsCut
        );
        let same = month(true, &[], vec![(E5, sku(false, 10, true))]);
        assert_eq!(
            resolution(&idle, &before, &same, None),
            Resolution::SeatsAssigned
        );
        let suspended = month(true, &[], vec![(E5, sku(false, 10, false))]);
        assert_eq!(
            resolution(&idle, &before, &suspended, None),
            Resolution::SkuGone
        );

        let missing = finding(FindingKind::MissingPremium, user, PREMIUM);
        let covered = month(true, &[E5, PREMIUM], skus());
        assert_eq!(
            resolution(&missing, &before, &covered, None),
            Resolution::LicenseAssigned
        );
        let uncovered = month(true, &[E5], skus());
        assert_eq!(
            resolution(&missing, &before, &uncovered, None),
            Resolution::Other
        );

        let unused = finding(FindingKind::UnusedPremium, user, PREMIUM);
        assert_eq!(
            resolution(&unused, &before, &covered, None),
            Resolution::PremiumUsed
        );
        let quiet = month(false, &[PREMIUM], skus());
        assert_eq!(
            resolution(&unused, &before, &quiet, Some(FindingKind::InactiveHolder)),
            Resolution::KindChanged
        );

        let inactive = finding(FindingKind::InactiveHolder, user, E5);
        assert_eq!(
            resolution(&inactive, &before, &covered, None),
            Resolution::UserActiveAgain
        );
        assert_eq!(
            resolution(&inactive, &before, &quiet, None),
            Resolution::LicenseRemoved
        );
        let still_quiet = month(false, &[E5], skus());
        assert_eq!(
            resolution(&inactive, &before, &still_quiet, None),
            Resolution::Other
        );

        let mut gone = month(true, &[], skus());
        gone.users.clear();
        assert_eq!(
            resolution(&inactive, &before, &gone, None),
            Resolution::UserDeleted
        );
    }
}
