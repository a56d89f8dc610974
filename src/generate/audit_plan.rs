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
//!
//! It also plans the identity cases that only object-id matching gets right: users renamed since
//! their launches (their records carry the old user principal name and the current object id;
//! one of them a premium holder whose every premium launch in the window is under the old name),
//! a deleted user whose name a current user now holds (their launches carry the deleted user's
//! own object id), a launch keyed by a Passport-style id instead of a GUID (matched by name), and
//! a launch of the app that is premium only through its code component.

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
    /// The user principal name before a rename, carried by the records up to a moment.
    pub former_upn: Option<FormerUpn>,
    /// A Passport-style user key (PUID) that some of the actor's records carry instead of the
    /// object id.
    pub puid: Option<u64>,
}

impl Actor {
    /// The user principal name `(as stored, lowercase)` that a record made `at` carries.
    pub fn upn_at(&self, at: i64) -> (&str, &str) {
        match &self.former_upn {
            Some(former) if at <= former.until => (&former.upn, &former.upn_lower),
            _ => (&self.upn, &self.upn_lower),
        }
    }
}

/// A user principal name a user had before being renamed.
#[derive(Debug, Clone)]
pub struct FormerUpn {
    /// The old user principal name.
    pub upn: String,
    /// Its lowercase form.
    pub upn_lower: String,
    /// Records made at or before this instant carry the old name.
    pub until: i64,
}

/// Which app a pinned launch opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinnedApp {
    /// A premium app from the inventory, premium through a connector or the gateway.
    Premium,
    /// The deleted app at this index of `Inventory::deleted` (absent from `apps.csv`).
    Deleted(usize),
    /// The live app at this index of `Inventory::apps`.
    Live(usize),
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
    /// The record carries the actor's PUID as `UserKey` and no `enduser.id`.
    pub puid_key: bool,
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

/// The first of `base@domain` (unless `numbered`), `base2@domain`, `base3@domain`… that is not
/// taken yet (lowercase comparison); the result is added to `taken`.
fn unused_upn(base: &str, domain: &str, numbered: bool, taken: &mut HashSet<String>) -> String {
    let mut suffix = if numbered { 2 } else { 1 };
    loop {
        let upn = if suffix == 1 {
            format!("{base}@{domain}")
        } else {
            format!("{base}{suffix}@{domain}")
        };
        if taken.insert(upn.to_lowercase()) {
            return upn;
        }
        suffix += 1;
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
    planner.plan_pcf_only_use(inventory);
    planner.plan_puid_keyed_launches();
    planner.plan_after_as_of();
    planner.add_deleted_users();
    planner.add_reused_upn_owner();
    planner.plan_renamed_users();
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
                former_upn: None,
                puid: None,
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
        self.plan.pinned.push(PinnedLaunch {
            at,
            actor,
            app,
            puid_key: false,
        });
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
                puid_key: false,
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
                puid_key: false,
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
                puid_key: false,
            });
        }
    }

    /// Every user principal name (lowercase) the audit log already uses, current or former.
    fn taken_upns(&self) -> HashSet<String> {
        let mut taken: HashSet<String> = self
            .tenant
            .users
            .iter()
            .map(|user| user.upn.to_lowercase())
            .collect();
        for actor in &self.plan.actors {
            taken.insert(actor.upn_lower.clone());
            if let Some(former) = &actor.former_upn {
                taken.insert(former.upn_lower.clone());
            }
        }
        taken
    }

    /// Per actor, whether a launch of theirs is pinned (at or after `from`).
    fn pinned_actors(&self, from: i64) -> Vec<bool> {
        let mut pinned = vec![false; self.plan.actors.len()];
        for launch in self.plan.pinned.iter().filter(|launch| launch.at >= from) {
            if let Some(flag) = pinned.get_mut(launch.actor) {
                *flag = true;
            }
        }
        pinned
    }

    /// Indices (shuffled) of directory users matching `keep` that no other case has claimed: no
    /// premium affinity, no pinned launch, no rename and no PUID.
    fn untouched(&mut self, keep: impl Fn(&Self, &User) -> bool) -> Vec<usize> {
        let pinned = self.pinned_actors(i64::MIN);
        let candidates = self.shuffled(keep);
        candidates
            .into_iter()
            .filter(|&index| {
                let actor = &self.plan.actors[index];
                actor.premium_affinity == 0.0
                    && actor.former_upn.is_none()
                    && actor.puid.is_none()
                    && !pinned[index]
            })
            .collect()
    }

    /// Members who could open an app in the window: enabled, active and signed in after the
    /// window's first day, created before it.
    fn steady_member(&self, user: &User) -> bool {
        let window_start = self.clock.window_start();
        !user.guest
            && user.enabled
            && user.created < window_start
            && user.last_activity.is_some_and(|at| at > window_start + DAY)
    }

    /// One active member without premium rights whose only premium use is the app that is
    /// premium only through its code component (`UsesPcfExternalServiceUsage`).
    fn plan_pcf_only_use(&mut self, inventory: &Inventory) {
        let Some(app) = inventory.pcf_only_app() else {
            return;
        };
        let candidates = self.untouched(|planner, user| {
            planner.steady_member(user) && !Self::has_premium_rights(user)
        });
        if let Some(&index) = candidates.first() {
            self.pin_in_window(index, PinnedApp::Live(app));
        }
    }

    /// Members whose launch records carry a PUID instead of the object id (older records do):
    /// each opens a premium app once in the window, by a record that only their user principal
    /// name ties to them. They hold no premium rights, so the launch makes them missing-premium.
    fn plan_puid_keyed_launches(&mut self) {
        let member_count = self.tenant.users.iter().filter(|user| !user.guest).count();
        let candidates = self.untouched(|planner, user| {
            planner.steady_member(user) && !Self::has_premium_rights(user)
        });
        for index in candidates.into_iter().take(quota(member_count, 0.005, 1)) {
            let puid = 0x1003_0000_0000_0000 | self.rng.below(1 << 48);
            self.plan.actors[index].puid = Some(puid);
            let before = self.plan.pinned.len();
            self.pin_in_window(index, PinnedApp::Premium);
            if let Some(pinned) = self.plan.pinned.get_mut(before) {
                pinned.puid_key = true;
            }
        }
    }

    /// A deleted user whose user principal name a current premium holder now has: the deleted
    /// user opened premium apps in the window under that name and their own object id, so the
    /// launches are an unknown user's, never the new holder's (who uses no premium app). The
    /// holder was renamed to the freed name after the deleted user left.
    fn add_reused_upn_owner(&mut self) {
        let untouched = self.untouched(|planner, user| {
            planner.steady_member(user) && user.holds(Sku::PowerAppsPerUser)
        });
        let ends_in_digit = |index: &usize| {
            self.tenant.users[*index]
                .upn
                .split('@')
                .next()
                .is_some_and(|local| local.ends_with(|c: char| c.is_ascii_digit()))
        };
        let Some(holder) = untouched
            .iter()
            .copied()
            .find(|index| !ends_in_digit(index))
            .or_else(|| untouched.first().copied())
        else {
            return;
        };
        let window_start = self.clock.window_start();
        let left_at = self
            .clock
            .instant_days_ago(self.rng.between(25, 60), self.rng);
        if left_at <= window_start {
            return;
        }
        let history_start = self.history_start();
        let events = background_events(0.3, self.rng);
        let remaining = self.scaled_events(events, history_start, left_at);
        let ip = client_ip(self.rng);
        let object_id = self.rng.guid();
        let user = &self.tenant.users[holder];
        let (upn, upn_lower) = (user.upn.clone(), user.upn.to_lowercase());
        let (local, domain) = upn_lower.split_once('@').unwrap_or((&upn_lower, ""));
        let mut taken = self.taken_upns();
        // The name a namesake gets while the first holder is still there.
        let former = unused_upn(local, domain, true, &mut taken);
        let renamed_at = left_at + self.rng.between(DAY, 14 * DAY);
        self.plan.actors[holder].former_upn = Some(FormerUpn {
            upn_lower: former.to_lowercase(),
            upn: former,
            until: renamed_at,
        });
        let actor = self.plan.actors.len();
        self.plan.actors.push(Actor {
            upn,
            upn_lower,
            object_id,
            ip,
            guest: false,
            earliest: history_start,
            latest: left_at,
            remaining,
            premium_affinity: 0.3,
            former_upn: None,
            puid: None,
        });
        let at = self.rng.between(window_start, left_at);
        self.plan.pinned.push(PinnedLaunch {
            at,
            actor,
            app: PinnedApp::Premium,
            puid_key: false,
        });
    }

    /// Members renamed since their launches (a changed surname): records made before the rename
    /// carry the old user principal name with the current object id. The first is a premium
    /// holder renamed after every launch, so all of their premium use in the window is under the
    /// old name; the others were renamed at some point of the history.
    fn plan_renamed_users(&mut self) {
        let member_count = self.tenant.users.iter().filter(|user| !user.guest).count();
        let count = quota(member_count, 0.01, 2);
        let pinned = self.pinned_actors(i64::MIN);
        let pinned_in_window = self.pinned_actors(self.clock.window_start());
        let premium_users = self.shuffled(|planner, user| {
            user.enabled && planner.is_active(user) && user.holds(Sku::PowerAppsPerUser)
        });
        let premium_user = premium_users.into_iter().find(|&index| {
            let actor = &self.plan.actors[index];
            actor.premium_affinity > 0.0
                && actor.former_upn.is_none()
                && actor.puid.is_none()
                && pinned_in_window[index]
        });
        let others = self.shuffled(|planner, user| planner.steady_member(user));
        let others: Vec<usize> = others
            .into_iter()
            .filter(|&index| {
                let actor = &self.plan.actors[index];
                actor.former_upn.is_none() && actor.puid.is_none() && !pinned[index]
            })
            .collect();
        let chosen: Vec<(usize, bool)> = premium_user
            .map(|index| (index, true))
            .into_iter()
            .chain(others.into_iter().map(|index| (index, false)))
            .take(count)
            .collect();
        let mut taken = self.taken_upns();
        for (index, after_every_launch) in chosen {
            let actor = &self.plan.actors[index];
            let (earliest, latest) = (actor.earliest, actor.latest);
            let (local, domain) = actor
                .upn_lower
                .split_once('@')
                .map(|(local, domain)| (local.to_string(), domain.to_string()))
                .unwrap_or_default();
            let first = local.split('.').next().unwrap_or(&local).to_string();
            let last = self.rng.pick(LAST_NAMES).to_lowercase().replace(' ', "");
            let former = unused_upn(&format!("{first}.{last}"), &domain, false, &mut taken);
            let until = if after_every_launch {
                latest
            } else {
                self.rng.between(earliest, latest)
            };
            self.plan.actors[index].former_upn = Some(FormerUpn {
                upn_lower: former.to_lowercase(),
                upn: former,
                until,
            });
        }
    }

    /// Users deleted from the directory who still appear in the audit log; the first two left
    /// inside the window after opening premium apps.
    fn add_deleted_users(&mut self) {
        let count = quota(self.tenant.users.len(), 0.01, 3);
        let mut taken = self.taken_upns();
        let domain = self.tenant.identity.domain.clone();
        let history_start = self.history_start();
        for rank in 0..count {
            let first = self.rng.pick(FIRST_NAMES).to_lowercase();
            let last = self.rng.pick(LAST_NAMES).to_lowercase().replace(' ', "");
            let upn = unused_upn(&format!("{first}.{last}"), &domain, false, &mut taken);
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
                former_upn: None,
                puid: None,
            });
            if rank < 2 {
                let at = self.rng.between(self.clock.window_start(), left_at);
                self.plan.pinned.push(PinnedLaunch {
                    at,
                    actor,
                    app: PinnedApp::Premium,
                    puid_key: false,
                });
            }
        }
    }
}
