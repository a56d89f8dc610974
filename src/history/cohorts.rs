//! Cohorts of license holders between two months: who stayed active, who came back, who
//! lapsed, and who lost a license. They are taken over the users who held a paid license
//! (paid and priced, SPEC §3) in either month; activity is SPEC §1's (last activity in the
//! month's window). Without sign-in activity in either month, only `reclaimed` is knowable.

use super::month_tables::MonthTables;
use crate::model::guid::Guid;
use foldhash::HashSet;
use serde::Serialize;

/// A user of a cohort.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CohortUser {
    pub user_id: Guid,
    pub user_principal_name: String,
}

/// A user who held a license before and no longer does.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ReclaimedUser {
    pub user_id: Guid,
    pub user_principal_name: String,
    /// The paid SKUs (part numbers) held before and not now.
    pub sku_part_numbers: Vec<String>,
    /// The user is no longer in the directory.
    pub user_deleted: bool,
}

/// How many users each cohort holds; a user may be in several (reactivated and reclaimed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CohortCounts {
    /// Users who held a paid license in either month.
    pub holders: usize,
    pub retained: usize,
    pub reactivated: usize,
    pub lapsed: usize,
    pub reclaimed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cohorts {
    /// Both months carry sign-in activity; otherwise retained, reactivated and lapsed are
    /// empty, as activity is unknown.
    pub activity_known: bool,
    /// The cohorts' sizes; `retained` (active in both months, the largest) is a count only.
    pub counts: CohortCounts,
    /// An inactive holder of a paid license before, active now.
    pub reactivated: Vec<CohortUser>,
    /// Active before, an inactive holder of a paid license now.
    pub lapsed: Vec<CohortUser>,
    /// Held a paid license before that they no longer hold.
    pub reclaimed: Vec<ReclaimedUser>,
}

impl Cohorts {
    pub fn build(from: &MonthTables, to: &MonthTables) -> Cohorts {
        // Every holder is visited once and the lists are sorted below: a hash set will do.
        // Each holder once, with whether they hold a paid license before and now.
        let candidates: HashSet<Guid> = from.holdings.users().chain(to.holdings.users()).collect();
        let holders: Vec<(Guid, bool, bool)> = candidates
            .into_iter()
            .map(|user| {
                (
                    user,
                    from.holds_paid_license(user),
                    to.holds_paid_license(user),
                )
            })
            .filter(|(_, paid_before, paid_now)| *paid_before || *paid_now)
            .collect();
        let activity_known = from.activity_known && to.activity_known;
        let name = |user: Guid| {
            to.principal_name(user)
                .or_else(|| from.principal_name(user))
                .unwrap_or_default()
                .to_string()
        };
        let member = |user: Guid| CohortUser {
            user_id: user,
            user_principal_name: name(user),
        };
        let mut retained = 0;
        let mut reactivated = Vec::new();
        let mut lapsed = Vec::new();
        let mut reclaimed = Vec::new();
        for &(user, paid_before, paid_now) in &holders {
            if activity_known {
                let (active_before, active_now) = (from.is_active(user), to.is_active(user));
                if active_before && active_now {
                    retained += 1;
                }
                if !active_before && paid_before && active_now {
                    reactivated.push(member(user));
                }
                if active_before && !active_now && paid_now {
                    lapsed.push(member(user));
                }
            }
            let lost: Vec<String> = from
                .holdings
                .skus_of(user)
                .filter_map(|sku| {
                    let state = from.skus.get(&sku)?;
                    (state.is_paid_license() && !to.holds(user, sku))
                        .then(|| state.sku_part_number.clone())
                })
                .collect();
            if !lost.is_empty() {
                reclaimed.push(ReclaimedUser {
                    user_id: user,
                    user_principal_name: name(user),
                    sku_part_numbers: lost,
                    user_deleted: !to.users.contains_key(&user),
                });
            }
        }
        let by_name = |left: &CohortUser, right: &CohortUser| {
            (&left.user_principal_name, &left.user_id)
                .cmp(&(&right.user_principal_name, &right.user_id))
        };
        reactivated.sort_by(by_name);
        lapsed.sort_by(by_name);
        reclaimed.sort_by(|left, right| {
            (&left.user_principal_name, &left.user_id)
                .cmp(&(&right.user_principal_name, &right.user_id))
        });
        Cohorts {
            activity_known,
            counts: CohortCounts {
                holders: holders.len(),
                retained,
                reactivated: reactivated.len(),
                lapsed: lapsed.len(),
                reclaimed: reclaimed.len(),
            },
            reactivated,
            lapsed,
            reclaimed,
        }
    }
}
