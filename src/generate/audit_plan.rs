//! Who launches which kind of app, and how often: the plan behind the synthetic audit log.
//!
//! Millions of audit rows cannot be held in memory, so the generator first decides, per user
//! (memory proportional to users), how many background events the user produces, over which days
//! and how likely each launch is to hit a premium app; then it streams the rows day by day. The
//! plan also pins a few events that must exist for the audit's findings to be exercised, instead
//! of hoping chance produces them: premium launches by active users without a premium license,
//! by premium holders (so the rest of them are the unused ones), by a disabled account and by
//! deleted users; launches of a deleted app; premium launches exactly at the window's first
//! second and one second before it; and a handful after the as-of date, which the audit must
//! ignore. Background launches never fall after a user's last sign-in activity.

use std::collections::HashSet;

use super::apps::Inventory;
use super::directory::{Clock, working_second};
use super::names::{FIRST_NAMES, LAST_NAMES};
use super::rng::{Guid, Rng, quota};
use super::skus::Sku;
use super::tenant::{Tenant, User};
use super::time::{DAY, weekday};

/// Days of audit history before (and including) the as-of date.
pub const HISTORY_DAYS: i64 = 180;
/// Days after the as-of date that still carry a few (ignored) events.
pub const DAYS_AFTER_AS_OF: i64 = 3;
/// Largest number of background events one user produces.
const MAX_EVENTS_PER_USER: f64 = 400.0;

/// Someone who appears in the audit log: a directory user or a deleted one.
#[derive(Debug, Clone)]
pub struct Actor {
    /// User principal name as the directory stores it.
    pub upn: String,
    /// Lowercase UPN, the form the audit log mostly uses.
    pub upn_lower: String,
    /// Entra object id (`UserKey`).
    pub object_id: Guid,
    /// Usual client IP address.
    pub ip: [u8; 4],
    /// Whether the user is a guest (`enduser.role`).
    pub guest: bool,
    /// Earliest instant of any background event.
    pub earliest: i64,
    /// Latest instant of any background event.
    pub latest: i64,
    /// Background events not yet placed on a day.
    pub remaining: u32,
    /// Probability that a background launch is of a premium app.
    pub premium_affinity: f64,
}

/// Which app a pinned launch opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinnedApp {
    /// A premium app from the inventory.
    Premium,
    /// The deleted app at this index of `Inventory::deleted` (absent from `apps.csv`).
    Deleted(usize),
}

/// A `LaunchPowerApp` event that must exist.
#[derive(Debug, Clone, Copy)]
pub struct PinnedLaunch {
    /// When.
    pub at: i64,
    /// Index into [`AuditPlan::actors`].
    pub actor: usize,
    /// What kind of app.
    pub app: PinnedApp,
}

/// Everything the audit stream needs to know in advance.
#[derive(Debug, Clone)]
pub struct AuditPlan {
    /// Directory users (same indices as `Tenant::users`) followed by deleted users.
    pub actors: Vec<Actor>,
    /// Pinned launches, latest first.
    pub pinned: Vec<PinnedLaunch>,
    /// First day (since the epoch) of background history.
    pub first_day: i64,
    /// Relative activity of each history day (index 0 is `first_day`).
    pub day_weights: Vec<f64>,
    /// Running sums of `day_weights` (`cumulative[i]` is the sum of weights `0..=i`).
    pub cumulative_weights: Vec<f64>,
    /// Total rows the stream will write.
    pub total_rows: usize,
}

impl AuditPlan {
    /// Sum of day weights over days `from..=to` (days since the epoch, clamped to history).
    pub fn weight_between(&self, from: i64, to: i64) -> f64 {
        let last = self.cumulative_weights.len() as i64 - 1;
        let to_index = (to - self.first_day).min(last);
        let from_index = (from - self.first_day).max(0);
        if to_index < from_index || to_index < 0 {
            return 0.0;
        }
        let upper = self.cumulative_weights[to_index as usize];
        let lower = if from_index == 0 {
            0.0
        } else {
            self.cumulative_weights[from_index as usize - 1]
        };
        upper - lower
    }

    /// The weight of one history day.
    pub fn day_weight(&self, day: i64) -> f64 {
        usize::try_from(day - self.first_day)
            .ok()
            .and_then(|index| self.day_weights.get(index))
            .copied()
            .unwrap_or(0.0)
    }
}

/// Recent days are busier; weekends are quiet.
fn day_weights(first_day: i64, as_of_day: i64) -> Vec<f64> {
    (first_day..=as_of_day)
        .map(|day| {
            let age = (as_of_day - day) as f64;
            let recency = 0.35 + (-age / 75.0).exp();
            let weekend = if weekday(day) >= 5 { 0.25 } else { 1.0 };
            recency * weekend
        })
        .collect()
}

/// A heavy-tailed number of background events: many users have none, a few have hundreds.
fn background_events(zero_probability: f64, rng: &mut Rng) -> f64 {
    if rng.chance(zero_probability) {
        return 0.0;
    }
    let events = rng.pareto(7.8, 1.2);
    if events > MAX_EVENTS_PER_USER {
        // Spread the extreme tail instead of piling it up at the cap.
        MAX_EVENTS_PER_USER * (0.6 + 0.4 * rng.unit())
    } else {
        events
    }
}

fn client_ip(rng: &mut Rng) -> [u8; 4] {
    const PREFIXES: [[u8; 2]; 5] = [[20, 190], [40, 77], [52, 113], [86, 14], [104, 28]];
    let prefix = rng.pick(&PREFIXES);
    [
        prefix[0],
        prefix[1],
        rng.between(0, 255) as u8,
        rng.between(1, 254) as u8,
    ]
}

struct Planner<'a> {
    tenant: &'a Tenant,
    clock: &'a Clock,
    rng: &'a mut Rng,
    plan: AuditPlan,
}

/// Plans the audit log of `tenant`.
pub fn plan_audit(
    tenant: &Tenant,
    inventory: &Inventory,
    clock: &Clock,
    rng: &mut Rng,
) -> AuditPlan {
    let first_day = clock.as_of_day - (HISTORY_DAYS - 1);
    let weights = day_weights(first_day, clock.as_of_day);
    let cumulative_weights = weights
        .iter()
        .scan(0.0, |sum, weight| {
            *sum += weight;
            Some(*sum)
        })
        .collect();
    let mut planner = Planner {
        tenant,
        clock,
        rng,
        plan: AuditPlan {
            actors: Vec::with_capacity(tenant.users.len() + tenant.users.len() / 50 + 4),
            pinned: Vec::new(),
            first_day,
            day_weights: weights,
            cumulative_weights,
            total_rows: 0,
        },
    };
    planner.add_directory_actors();
    planner.plan_premium_holders();
    planner.plan_missing_premium();
    planner.plan_window_edges();
    planner.plan_deleted_app_launches(inventory);
    planner.plan_after_as_of();
    planner.add_deleted_users();
    let mut plan = planner.plan;
    plan.pinned
        .sort_by(|left, right| right.at.cmp(&left.at).then(left.actor.cmp(&right.actor)));
    let background: u64 = plan
        .actors
        .iter()
        .map(|actor| u64::from(actor.remaining))
        .sum();
    plan.total_rows = background as usize + plan.pinned.len();
    plan
}

impl Planner<'_> {
    fn history_start(&self) -> i64 {
        self.plan.first_day * DAY
    }

    fn as_of_end(&self) -> i64 {
        (self.clock.as_of_day + 1) * DAY - 1
    }

    /// Background events for an actor active between `earliest` and `latest`, scaled by the
    /// share of history activity that span covers.
    fn scaled_events(&mut self, events: f64, earliest: i64, latest: i64) -> u32 {
        if events <= 0.0 || latest < earliest {
            return 0;
        }
        let full = self
            .plan
            .weight_between(self.plan.first_day, self.clock.as_of_day);
        let covered = self
            .plan
            .weight_between(earliest.div_euclid(DAY), latest.div_euclid(DAY));
        if full <= 0.0 {
            return 0;
        }
        (events * covered / full + self.rng.unit()).floor() as u32
    }

    fn add_directory_actors(&mut self) {
        let history_start = self.history_start();
        for user in &self.tenant.users {
            let zero_probability = if user.guest {
                0.8
            } else if user.enabled {
                0.45
            } else {
                0.5
            };
            let events = background_events(zero_probability, self.rng);
            let earliest = user.created.max(history_start);
            let latest = user
                .last_activity
                .map_or(i64::MIN, |at| at.min(self.as_of_end()));
            let remaining = self.scaled_events(events, earliest, latest);
            let ip = client_ip(self.rng);
            self.plan.actors.push(Actor {
                upn: user.upn.clone(),
                upn_lower: user.upn.to_lowercase(),
                object_id: user.id,
                ip,
                guest: user.guest,
                earliest,
                latest,
                remaining,
                premium_affinity: 0.0,
            });
        }
    }

    fn is_active(&self, user: &User) -> bool {
        user.last_activity
            .is_some_and(|at| at >= self.clock.window_start())
    }

    fn has_premium_rights(user: &User) -> bool {
        Sku::ALL
            .iter()
            .any(|&sku| sku.grants_some_premium_rights() && user.holds(sku))
    }

    /// A launch time inside the window, after creation and no later than the user's activity.
    fn pin_in_window(&mut self, actor: usize, app: PinnedApp) {
        let Some(user) = self.tenant.users.get(actor) else {
            return;
        };
        let Some(latest) = user.last_activity else {
            return;
        };
        let earliest = self.clock.window_start().max(user.created);
        if latest < earliest {
            return;
        }
        let at = self.rng.between(earliest, latest);
        self.plan.pinned.push(PinnedLaunch { at, actor, app });
    }

    /// Indices of users matching a predicate, shuffled.
    fn shuffled(&mut self, keep: impl Fn(&Self, &User) -> bool) -> Vec<usize> {
        let mut indices: Vec<usize> = (0..self.tenant.users.len())
            .filter(|&index| keep(self, &self.tenant.users[index]))
            .collect();
        self.rng.shuffle(&mut indices);
        indices
    }

    /// Power Apps Premium holders: a quarter of the active ones never open a premium app, the
    /// others do (pinned), inactive and disabled holders did so before going quiet.
    fn plan_premium_holders(&mut self) {
        let active_holders = self.shuffled(|planner, user| {
            user.enabled && planner.is_active(user) && user.holds(Sku::PowerAppsPerUser)
        });
        let unused = quota(active_holders.len(), 0.25, 2);
        for (rank, &index) in active_holders.iter().enumerate() {
            if rank >= unused {
                self.plan.actors[index].premium_affinity = 0.5;
                self.pin_in_window(index, PinnedApp::Premium);
            }
        }
        for index in 0..self.tenant.users.len() {
            let user = &self.tenant.users[index];
            let planned_above =
                user.holds(Sku::PowerAppsPerUser) && user.enabled && self.is_active(user);
            let uses_premium = if planned_above {
                false
            } else if user.holds(Sku::PowerAppsPerUser) || user.holds(Sku::PowerAppsPerApp) {
                true
            } else {
                user.holds(Sku::PowerAppsViral) && self.rng.chance(0.5)
            };
            if uses_premium {
                self.plan.actors[index].premium_affinity = 0.3;
            }
        }
    }

    /// Active members without any premium rights who open premium apps anyway, and one
    /// disabled account that did so recently.
    fn plan_missing_premium(&mut self) {
        let window_start = self.clock.window_start();
        let member_count = self.tenant.users.iter().filter(|user| !user.guest).count();
        let candidates = self.shuffled(|planner, user| {
            !user.guest
                && user.enabled
                && planner.is_active(user)
                && !Self::has_premium_rights(user)
        });
        for index in candidates.into_iter().take(quota(member_count, 0.03, 3)) {
            self.plan.actors[index].premium_affinity = 0.35;
            self.pin_in_window(index, PinnedApp::Premium);
        }
        let disabled = self.shuffled(|_, user| {
            !user.enabled
                && user.last_activity.is_some_and(|at| at >= window_start)
                && !Self::has_premium_rights(user)
        });
        if let Some(&index) = disabled.first() {
            self.plan.actors[index].premium_affinity = 0.35;
            self.pin_in_window(index, PinnedApp::Premium);
        }
    }

    /// One premium launch at the window's first second and one a second earlier, by users with
    /// no premium rights and no other premium use.
    fn plan_window_edges(&mut self) {
        let window_start = self.clock.window_start();
        let candidates = self.shuffled(|_, user| {
            !user.guest
                && user.enabled
                && user.created < window_start - DAY
                && user.last_activity.is_some_and(|at| at > window_start + DAY)
                && !Self::has_premium_rights(user)
        });
        let untouched: Vec<usize> = candidates
            .into_iter()
            .filter(|&index| self.plan.actors[index].premium_affinity == 0.0)
            .take(2)
            .collect();
        for (offset, &index) in [0, -1].iter().zip(&untouched) {
            self.plan.pinned.push(PinnedLaunch {
                at: window_start + offset,
                actor: index,
                app: PinnedApp::Premium,
            });
        }
    }

    /// Two launches of the most recently deleted app inside the window, before its deletion.
    fn plan_deleted_app_launches(&mut self, inventory: &Inventory) {
        let window_start = self.clock.window_start();
        let Some((deleted_index, deleted)) = inventory
            .deleted
            .iter()
            .enumerate()
            .max_by_key(|(index, app)| (app.deleted_day, std::cmp::Reverse(*index)))
        else {
            return;
        };
        let deleted_at = deleted.deleted_day * DAY;
        let candidates = self.shuffled(|planner, user| {
            planner.is_active(user)
                && user.created < window_start
                && user.last_activity.is_some_and(|at| at > window_start + DAY)
        });
        for index in candidates.into_iter().take(2) {
            let latest = self.tenant.users[index]
                .last_activity
                .map_or(deleted_at - 1, |at| at.min(deleted_at - 1));
            if latest < window_start {
                continue;
            }
            let at = self.rng.between(window_start, latest);
            self.plan.pinned.push(PinnedLaunch {
                at,
                actor: index,
                app: PinnedApp::Deleted(deleted_index),
            });
        }
    }

    /// A handful of premium launches after the as-of date: one by an unused premium holder and
    /// one by a user without premium rights, so that counting them would change findings.
    fn plan_after_as_of(&mut self) {
        let count = quota(self.tenant.users.len(), 0.001, 3);
        let unused_holder = self.shuffled(|planner, user| {
            user.enabled && planner.is_active(user) && user.holds(Sku::PowerAppsPerUser)
        });
        let unused_holder = unused_holder
            .into_iter()
            .find(|&index| self.plan.actors[index].premium_affinity == 0.0);
        let without_rights = self.shuffled(|planner, user| {
            user.enabled && planner.is_active(user) && !Self::has_premium_rights(user)
        });
        let without_rights = without_rights
            .into_iter()
            .find(|&index| self.plan.actors[index].premium_affinity == 0.0);
        let others = self.shuffled(|planner, user| user.enabled && planner.is_active(user));
        let chosen: Vec<usize> = unused_holder
            .into_iter()
            .chain(without_rights)
            .chain(others)
            .take(count)
            .collect();
        for index in chosen {
            let day = self.clock.as_of_day + self.rng.between(1, DAYS_AFTER_AS_OF);
            let at = day * DAY + working_second(self.rng);
            self.plan.pinned.push(PinnedLaunch {
                at,
                actor: index,
                app: PinnedApp::Premium,
            });
        }
    }

    /// Users deleted from the directory who still appear in the audit log; the first two left
    /// inside the window after opening premium apps.
    fn add_deleted_users(&mut self) {
        let count = quota(self.tenant.users.len(), 0.01, 3);
        let mut taken: HashSet<String> = self
            .plan
            .actors
            .iter()
            .map(|actor| actor.upn_lower.clone())
            .collect();
        let domain = self.tenant.identity.domain.clone();
        let history_start = self.history_start();
        for rank in 0..count {
            let first = self.rng.pick(FIRST_NAMES).to_lowercase();
            let last = self.rng.pick(LAST_NAMES).to_lowercase().replace(' ', "");
            let base = format!("{first}.{last}");
            let mut prefix = base.clone();
            let mut suffix = 2;
            while taken.contains(&format!("{prefix}@{domain}")) {
                prefix = format!("{base}{suffix}");
                suffix += 1;
            }
            let upn = format!("{prefix}@{domain}");
            taken.insert(upn.clone());
            let days_ago = match rank {
                0 => 20,
                1 => 45,
                2 => 150,
                _ => self.rng.between(5, 175),
            };
            let left_at = self.clock.instant_days_ago(days_ago, self.rng);
            let events = background_events(0.3, self.rng);
            let remaining = self.scaled_events(events, history_start, left_at);
            let premium_affinity = if rank < 2 || self.rng.chance(0.5) {
                0.3
            } else {
                0.0
            };
            let actor = self.plan.actors.len();
            let ip = client_ip(self.rng);
            self.plan.actors.push(Actor {
                upn_lower: upn.clone(),
                upn,
                object_id: self.rng.guid(),
                ip,
                guest: false,
                earliest: history_start,
                latest: left_at,
                remaining,
                premium_affinity,
            });
            if rank < 2 {
                let at = self.rng.between(self.clock.window_start(), left_at);
                self.plan.pinned.push(PinnedLaunch {
                    at,
                    actor,
                    app: PinnedApp::Premium,
                });
            }
        }
    }
}
