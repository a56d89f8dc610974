//! License assignment for a synthetic tenant: groups, direct assignments, errors, seat counts.
//!
//! Entra group-based licensing is where real tenants get messy, and where the audit's
//! `duplicate-assignment` and `assignment-error` findings come from. This stage gives every
//! licensed member one base suite (directly, through a group, or both), then layers the add-ons:
//! Power Apps Premium through a licensing group, directly, both at once and through two groups;
//! per-app passes, trials and free SKUs; a dynamic Sales group whose Dynamics 365 seats ran out
//! (`CountViolation`); an Office 365 E1 group that clashes with Microsoft 365 E3
//! (`MutuallyExclusiveViolation`); and a Power BI group with members who lack a base license
//! (`DependencyViolation`). Seat counts are then derived from the assignments themselves, so
//! `consumedUnits` always equals the number of holders.

use super::directory::Clock;
use super::names::{EMPTY_DEPARTMENT, SALES_DEPARTMENT};
use super::rng::{Rng, quota};
use super::skus::{Sku, prepaid_units};
use super::tenant::{
    Assignment, AssignmentError, AssignmentSource, Department, Group, GroupKind, Subscription, User,
};
use super::time::{DAY, HOUR};

/// The licensing groups of a synthetic tenant; the discriminant is the index in `groups.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupRole {
    M365E3,
    M365E5,
    M365F3,
    O365E1,
    PowerAppsPremium,
    PowerPlatformChampions,
    PowerBiPro,
    SalesDynamics,
    LegalPowerBi,
}

const GROUP_ROLES: [GroupRole; 9] = [
    GroupRole::M365E3,
    GroupRole::M365E5,
    GroupRole::M365F3,
    GroupRole::O365E1,
    GroupRole::PowerAppsPremium,
    GroupRole::PowerPlatformChampions,
    GroupRole::PowerBiPro,
    GroupRole::SalesDynamics,
    GroupRole::LegalPowerBi,
];

impl GroupRole {
    fn index(self) -> usize {
        self as usize
    }

    fn source(self) -> AssignmentSource {
        AssignmentSource::Group(self.index())
    }

    fn group(self, rng: &mut Rng) -> Group {
        let (display_name, description, kind, sku) = match self {
            GroupRole::M365E3 => (
                "LIC-M365-E3",
                "Assigns Microsoft 365 E3 to knowledge workers",
                GroupKind::Security,
                Sku::SpeE3,
            ),
            GroupRole::M365E5 => (
                "LIC-M365-E5",
                "Assigns Microsoft 365 E5 (security and compliance roles)",
                GroupKind::Security,
                Sku::SpeE5,
            ),
            GroupRole::M365F3 => (
                "LIC-M365-F3-Frontline",
                "Frontline workers: Microsoft 365 F3",
                GroupKind::Security,
                Sku::SpeF1,
            ),
            GroupRole::O365E1 => (
                "LIC-O365-E1",
                "Office 365 E1 for light users",
                GroupKind::Security,
                Sku::StandardPack,
            ),
            GroupRole::PowerAppsPremium => (
                "LIC-PowerApps-Premium",
                "Power Apps Premium for makers and heavy app users",
                GroupKind::Security,
                Sku::PowerAppsPerUser,
            ),
            GroupRole::PowerPlatformChampions => (
                "Power Platform Champions",
                "Community of Power Platform champions (licensed for Power Apps Premium)",
                GroupKind::Unified,
                Sku::PowerAppsPerUser,
            ),
            GroupRole::PowerBiPro => (
                "LIC-PowerBI-Pro",
                "Power BI Pro for report authors",
                GroupKind::Security,
                Sku::PowerBiPro,
            ),
            GroupRole::SalesDynamics => (
                "DYN-Sales-D365",
                "Everyone in Sales gets Dynamics 365 Sales Enterprise",
                GroupKind::Dynamic {
                    rule: format!("(user.department -eq \"{SALES_DEPARTMENT}\")"),
                },
                Sku::D365Sales,
            ),
            GroupRole::LegalPowerBi => (
                "DYN-Legal-PowerBI",
                "Power BI Pro for the Legal department",
                GroupKind::Dynamic {
                    rule: format!("(user.department -eq \"{EMPTY_DEPARTMENT}\")"),
                },
                Sku::PowerBiPro,
            ),
        };
        Group {
            id: rng.guid(),
            display_name,
            description,
            kind,
            sku,
        }
    }
}

/// The tenant's licensing groups, in `groups.json` order.
pub fn build_groups(rng: &mut Rng) -> Vec<Group> {
    GROUP_ROLES.iter().map(|role| role.group(rng)).collect()
}

/// Assigns licenses to `users` (adding to their `assignments`) using the groups of
/// [`build_groups`].
pub fn assign_licenses(users: &mut [User], clock: &Clock, rng: &mut Rng) {
    let mut assigner = Assigner { users, clock, rng };
    let unlicensed = assigner.choose_unlicensed();
    assigner.assign_base_suites(&unlicensed);
    assigner.assign_sales_dynamics();
    assigner.assign_mutually_exclusive_errors();
    assigner.assign_power_bi();
    assigner.assign_power_apps_premium();
    assigner.assign_direct_add_ons(&unlicensed);
}

/// Per-SKU subscriptions: consumed units counted from the assignments, prepaid units from the
/// purchase policy.
pub fn build_subscriptions(users: &[User], rng: &mut Rng) -> Vec<Subscription> {
    let mut consumed = [0usize; Sku::ALL.len()];
    for user in users {
        for sku in user.held_skus() {
            consumed[sku.index()] += 1;
        }
    }
    Sku::ALL
        .iter()
        .map(|&sku| {
            let subscription_count = if sku == Sku::SpeE3 { 2 } else { 1 };
            Subscription {
                sku,
                prepaid: prepaid_units(sku.facts().purchase, consumed[sku.index()]),
                consumed: consumed[sku.index()],
                subscription_ids: (0..subscription_count).map(|_| rng.guid()).collect(),
            }
        })
        .collect()
}

struct Assigner<'a> {
    users: &'a mut [User],
    clock: &'a Clock,
    rng: &'a mut Rng,
}

/// Base suites by department: `(sku, weight)`.
fn base_suite_weights(department: Department) -> &'static [(Sku, f64)] {
    match department {
        Department::Named("Sales") => &[
            (Sku::SpeE3, 60.0),
            (Sku::SpeE5, 10.0),
            (Sku::BusinessPremium, 12.0),
            (Sku::EnterprisePack, 10.0),
            (Sku::StandardPack, 8.0),
        ],
        Department::Named("Operations") => &[
            (Sku::SpeF1, 45.0),
            (Sku::SpeE3, 35.0),
            (Sku::StandardPack, 12.0),
            (Sku::EnterprisePack, 8.0),
        ],
        Department::Named("Customer Service") => &[
            (Sku::SpeF1, 50.0),
            (Sku::SpeE3, 30.0),
            (Sku::StandardPack, 20.0),
        ],
        Department::Named("Engineering") => &[
            (Sku::SpeE5, 35.0),
            (Sku::SpeE3, 60.0),
            (Sku::EnterprisePack, 5.0),
        ],
        Department::Named("Finance") => &[
            (Sku::SpeE5, 30.0),
            (Sku::SpeE3, 65.0),
            (Sku::EnterprisePack, 5.0),
        ],
        Department::Named("Marketing") => &[
            (Sku::SpeE3, 60.0),
            (Sku::BusinessPremium, 25.0),
            (Sku::StandardPack, 15.0),
        ],
        Department::Named("IT") => &[(Sku::SpeE5, 60.0), (Sku::SpeE3, 40.0)],
        Department::Named("Human Resources") => &[(Sku::SpeE3, 80.0), (Sku::SpeE5, 20.0)],
        _ => &[
            (Sku::SpeE3, 50.0),
            (Sku::StandardPack, 30.0),
            (Sku::SpeF1, 20.0),
        ],
    }
}

/// The licensing group that carries a base suite, if any.
fn base_suite_group(sku: Sku) -> Option<GroupRole> {
    match sku {
        Sku::SpeE3 => Some(GroupRole::M365E3),
        Sku::SpeE5 => Some(GroupRole::M365E5),
        Sku::SpeF1 => Some(GroupRole::M365F3),
        Sku::StandardPack => Some(GroupRole::O365E1),
        _ => None,
    }
}

const BASE_SUITES: [Sku; 6] = [
    Sku::SpeE3,
    Sku::SpeE5,
    Sku::EnterprisePack,
    Sku::StandardPack,
    Sku::SpeF1,
    Sku::BusinessPremium,
];

impl Assigner<'_> {
    fn window_start(&self) -> i64 {
        self.clock.window_start()
    }

    fn is_sales(user: &User) -> bool {
        user.department == Department::Named(SALES_DEPARTMENT)
    }

    fn is_active(&self, user: &User) -> bool {
        user.last_activity
            .is_some_and(|at| at >= self.window_start())
    }

    fn has_base_suite(user: &User) -> bool {
        BASE_SUITES.iter().any(|&sku| user.holds(sku))
    }

    /// Indices of users matching a predicate, in user order.
    fn indices(&self, keep: impl Fn(&User) -> bool) -> Vec<usize> {
        (0..self.users.len())
            .filter(|&index| keep(&self.users[index]))
            .collect()
    }

    /// `count` random users among `candidates`.
    fn choose(&mut self, mut candidates: Vec<usize>, count: usize) -> Vec<usize> {
        self.rng.shuffle(&mut candidates);
        candidates.truncate(count);
        candidates
    }

    /// `lastUpdatedDateTime` of an assignment: after the user was created, before collection.
    fn updated_at(&mut self, user: usize) -> i64 {
        let created = self.users[user].created;
        let latest = self.clock.collected_at - HOUR;
        let earliest = created.min(latest - DAY);
        self.rng.between(earliest + HOUR, latest)
    }

    fn add(&mut self, user: usize, sku: Sku, source: AssignmentSource) {
        self.add_with_error(user, sku, source, None);
    }

    fn add_with_error(
        &mut self,
        user: usize,
        sku: Sku,
        source: AssignmentSource,
        error: Option<AssignmentError>,
    ) {
        let updated = self.updated_at(user);
        self.users[user].assignments.push(Assignment {
            sku,
            source,
            error,
            updated,
        });
    }

    /// Members who get no base suite: shared mailboxes and service accounts (enabled), and
    /// about half of the long-disabled accounts. Nobody in Sales (their dynamic group licenses
    /// them anyway), and never a disabled account that signed in recently.
    fn choose_unlicensed(&mut self) -> Vec<bool> {
        let mut unlicensed = vec![false; self.users.len()];
        let recent_cutoff = self.clock.collected_at - 11 * DAY;
        let enabled_candidates =
            self.indices(|user| !user.guest && user.enabled && !Self::is_sales(user));
        let member_count = self.users.iter().filter(|user| !user.guest).count();
        let enabled_count = quota(member_count, 0.03, 2).min(enabled_candidates.len() / 4);
        for index in self.choose(enabled_candidates, enabled_count) {
            unlicensed[index] = true;
        }
        let disabled_old = self.indices(|user| {
            !user.guest
                && !user.enabled
                && !Self::is_sales(user)
                && user.last_activity.is_none_or(|at| at < recent_cutoff)
        });
        let disabled_count = disabled_old.len() / 2;
        for index in self.choose(disabled_old, disabled_count) {
            unlicensed[index] = true;
        }
        for (flag, user) in unlicensed.iter_mut().zip(self.users.iter()) {
            if user.guest {
                *flag = true;
            }
        }
        unlicensed
    }

    fn assign_base_suites(&mut self, unlicensed: &[bool]) {
        for (index, &skip) in unlicensed.iter().enumerate() {
            if skip {
                continue;
            }
            let sku = *self
                .rng
                .weighted(base_suite_weights(self.users[index].department));
            match base_suite_group(sku) {
                Some(role) => {
                    let roll = self.rng.unit();
                    if roll < 0.70 {
                        self.add(index, sku, role.source());
                    } else if roll < 0.95 {
                        self.add(index, sku, AssignmentSource::Direct);
                    } else {
                        // Left over from a migration to group-based licensing.
                        self.add(index, sku, AssignmentSource::Direct);
                        self.add(index, sku, role.source());
                    }
                }
                None => self.add(index, sku, AssignmentSource::Direct),
            }
        }
    }

    /// Everyone whose department is Sales is in the dynamic group; the most recently created
    /// members found no seat left.
    fn assign_sales_dynamics(&mut self) {
        let mut sales = self.indices(Self::is_sales);
        sales.sort_by_key(|&index| (self.users[index].created, index));
        let failed = if sales.len() >= 3 {
            quota(sales.len(), 0.08, 1)
        } else {
            0
        };
        let granted = sales.len() - failed;
        let source = GroupRole::SalesDynamics.source();
        for (rank, index) in sales.into_iter().enumerate() {
            let error = (rank >= granted).then_some(AssignmentError::Count);
            self.add_with_error(index, Sku::D365Sales, source, error);
        }
    }

    /// A few Microsoft 365 E3 holders were also put in the Office 365 E1 group.
    fn assign_mutually_exclusive_errors(&mut self) {
        let member_count = self.users.iter().filter(|user| !user.guest).count();
        let candidates = self.indices(|user| user.holds(Sku::SpeE3));
        let count = quota(member_count, 0.005, 2);
        for index in self.choose(candidates, count) {
            self.add_with_error(
                index,
                Sku::StandardPack,
                GroupRole::O365E1.source(),
                Some(AssignmentError::MutuallyExclusive),
            );
        }
    }

    /// Power BI Pro for report authors, and a few unlicensed members added by mistake.
    fn assign_power_bi(&mut self) {
        let source = GroupRole::PowerBiPro.source();
        let licensed = self.indices(|user| !user.guest && Self::has_base_suite(user));
        let count = quota(licensed.len(), 0.10, 1);
        for index in self.choose(licensed, count) {
            self.add(index, Sku::PowerBiPro, source);
        }
        let bare = self.indices(|user| !user.guest && !Self::has_base_suite(user));
        let count = quota(bare.len(), 0.5, 2);
        for index in self.choose(bare, count) {
            self.add_with_error(
                index,
                Sku::PowerBiPro,
                source,
                Some(AssignmentError::Dependency),
            );
        }
    }

    /// Power Apps Premium: mostly active makers, plus some inactive and disabled holders; from a
    /// group, directly, both, or two groups.
    fn assign_power_apps_premium(&mut self) {
        let member_count = self.users.iter().filter(|user| !user.guest).count();
        let target = quota(member_count, 0.06, 8);
        let window_start = self.window_start();
        let licensed = |user: &User| !user.guest && Self::has_base_suite(user);
        let inactive = self.indices(|user| {
            licensed(user) && user.enabled && user.last_activity.is_none_or(|at| at < window_start)
        });
        let disabled = self.indices(|user| licensed(user) && !user.enabled);
        let mut holders = self.choose(inactive, quota(target, 0.08, 2));
        holders.extend(self.choose(disabled, quota(target, 0.04, 1)));
        let active = self.indices(|user| licensed(user) && user.enabled && self.is_active(user));
        let makers = self.weighted_makers(active, target.saturating_sub(holders.len()));
        holders.extend(makers);
        self.rng.shuffle(&mut holders);

        let group = GroupRole::PowerAppsPremium.source();
        let champions = GroupRole::PowerPlatformChampions.source();
        for (rank, &index) in holders.iter().enumerate() {
            let sources: &[AssignmentSource] = match rank {
                0 | 1 => &[AssignmentSource::Direct, group],
                2 | 3 => &[group, champions],
                4 => &[champions],
                5 => &[AssignmentSource::Direct],
                _ => {
                    let roll = self.rng.unit();
                    if roll < 0.55 {
                        &[group]
                    } else if roll < 0.80 {
                        &[AssignmentSource::Direct]
                    } else if roll < 0.90 {
                        &[group, AssignmentSource::Direct]
                    } else if roll < 0.95 {
                        &[group, champions]
                    } else {
                        &[champions]
                    }
                }
            };
            for &source in sources {
                self.add(index, Sku::PowerAppsPerUser, source);
            }
        }
    }

    /// Up to `count` users, favouring departments that build apps (weighted sampling without
    /// replacement).
    fn weighted_makers(&mut self, candidates: Vec<usize>, count: usize) -> Vec<usize> {
        let mut keyed: Vec<(f64, usize)> = candidates
            .into_iter()
            .map(|index| {
                let weight = match self.users[index].department {
                    Department::Named("IT" | "Operations" | "Finance") => 3.0,
                    Department::Named("Sales") => 0.5,
                    _ => 1.0,
                };
                (self.rng.unit().powf(1.0 / weight), index)
            })
            .collect();
        keyed.sort_by(|left, right| right.0.total_cmp(&left.0).then(left.1.cmp(&right.1)));
        keyed
            .into_iter()
            .take(count)
            .map(|(_, index)| index)
            .collect()
    }

    /// Per-app passes, Power Automate Premium, trials and free SKUs, all assigned directly.
    fn assign_direct_add_ons(&mut self, unlicensed: &[bool]) {
        let member_count = self.users.iter().filter(|user| !user.guest).count();
        let window_start = self.window_start();
        let direct = AssignmentSource::Direct;

        let per_app_candidates = self.indices(|user| {
            !user.guest
                && user.enabled
                && Self::has_base_suite(user)
                && user.last_activity.is_some_and(|at| at >= window_start)
                && !user.holds(Sku::PowerAppsPerUser)
        });
        for index in self.choose(per_app_candidates, quota(member_count, 0.01, 2)) {
            self.add(index, Sku::PowerAppsPerApp, direct);
        }

        let automate_candidates = self.indices(|user| !user.guest && Self::has_base_suite(user));
        for index in self.choose(automate_candidates, quota(member_count, 0.02, 2)) {
            self.add(index, Sku::PowerAutomatePremium, direct);
        }

        let trial_candidates = self.indices(|user| {
            !user.guest
                && user.enabled
                && Self::has_base_suite(user)
                && !user.holds(Sku::PowerAppsPerUser)
                && !user.holds(Sku::PowerAppsPerApp)
        });
        for index in self.choose(trial_candidates, quota(member_count, 0.03, 2)) {
            self.add(index, Sku::PowerAppsViral, direct);
        }

        let free_members = self.indices(|user| !user.guest && Self::has_base_suite(user));
        for index in self.choose(free_members, quota(member_count, 0.05, 2)) {
            self.add(index, Sku::FlowFree, direct);
        }
        let guests: Vec<usize> = self
            .indices(|user| user.guest)
            .into_iter()
            .filter(|&index| unlicensed[index])
            .collect();
        let guest_count = quota(guests.len(), 0.3, 1);
        for index in self.choose(guests, guest_count) {
            self.add(index, Sku::FlowFree, direct);
        }
    }
}
