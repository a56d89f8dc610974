//! Synthetic directory users: who they are and when they last signed in.
//!
//! A license audit is only as good as the awkward cases it has seen, so this stage does not
//! draw users independently: it hands out sign-in profiles by quota, with a minimum count for
//! each awkward case, so that even a 300-user tenant contains disabled accounts (some signed in
//! recently), users who never signed in (with `signInActivity` null or all-null), failed
//! interactive sign-ins, older exports without `lastSuccessfulSignInDateTime`, sign-ins on either
//! side of the 90-day window edge, recently and long inactive users, guests, and users with a
//! null or empty department.
//!
//! [`assign_org_data`] then gives members the chargeback attributes finance groups costs by
//! (`companyName`, `officeLocation`, `employeeOrgData`), from a stream of its own so the users
//! drawn above stay the same; some are null, as in real directories.

use std::collections::HashMap;

use super::names::{
    DEPARTMENTS, EUROPEAN_LOCATIONS, FIRST_NAMES, GUEST_DOMAINS, LAST_NAMES, OFFICES, ORG_DATA,
    SALES_DEPARTMENT, SHARED_SERVICES, USAGE_LOCATIONS,
};
use super::rng::{Rng, quota};
use super::tenant::{Department, OrgData, SignInActivity, SignInEvent, TenantIdentity, User};
use super::time::{DAY, HOUR, days_from_civil};

/// Days in the default activity window (SPEC §1): the window is `as_of - 89 ..= as_of`.
pub const WINDOW_DAYS: i64 = 90;

/// `lastSuccessfulSignInDateTime` is only recorded since 2023-12-01 and was not backfilled.
fn successful_sign_in_recording_start() -> i64 {
    days_from_civil(2023, 12, 1) * DAY
}

/// The moments every stage measures time against.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// The as-of date, in days since the epoch.
    pub as_of_day: i64,
    /// When the snapshot was collected: the as-of date at 06:00 UTC. No sign-in is later.
    pub collected_at: i64,
}

impl Clock {
    /// The clock of an as-of day.
    pub fn new(as_of_day: i64) -> Self {
        Self {
            as_of_day,
            collected_at: as_of_day * DAY + 6 * HOUR,
        }
    }

    /// First instant of the activity window (00:00 UTC, 89 days before the as-of date).
    pub fn window_start(&self) -> i64 {
        (self.as_of_day - (WINDOW_DAYS - 1)) * DAY
    }

    /// A plausible instant `days_ago` days before the as-of date, never after collection.
    pub fn instant_days_ago(&self, days_ago: i64, rng: &mut Rng) -> i64 {
        let day_start = (self.as_of_day - days_ago) * DAY;
        if days_ago <= 0 {
            day_start + rng.between(0, 6 * HOUR - 1)
        } else {
            day_start + working_second(rng)
        }
    }
}

/// A second of the day, weighted towards (UTC) working hours.
pub fn working_second(rng: &mut Rng) -> i64 {
    const HOUR_WEIGHTS: [f64; 24] = [
        0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 1.2, 2.5, 4.0, 5.0, 5.2, 5.0, 4.2, 4.8, 5.0, 4.8, 4.2, 3.4,
        2.4, 1.6, 1.2, 0.9, 0.6, 0.4,
    ];
    let hour = rng.weighted_index(&HOUR_WEIGHTS) as i64;
    hour * HOUR + rng.between(0, HOUR - 1)
}

/// The sign-in story of one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    /// Signed in within the window.
    Active,
    /// Last activity 91 to 200 days ago.
    RecentlyInactive,
    /// Last activity 201 to 1000 days ago.
    LongInactive,
    /// Last activity in the first minutes of the window's first day (`as_of - 89`).
    WindowEdgeInside,
    /// Last activity in the last minutes of the day before the window (`as_of - 90`).
    WindowEdgeOutside,
    /// Never signed in, `signInActivity: null`.
    NeverSignedInNull,
    /// Never signed in, every timestamp null.
    NeverSignedInEmpty,
    /// Recent failed interactive attempt; last success older or none.
    FailedInteractive,
    /// An older export: no `lastSuccessfulSignInDateTime` property.
    LegacyExport,
    /// Disabled account that signed in within the last ten days.
    DisabledRecent,
    /// Disabled account with older activity.
    DisabledOld,
}

/// Special profiles in priority order, with their share of members and minimum count.
const SPECIAL_PROFILES: [(Profile, f64, usize); 10] = [
    (Profile::DisabledRecent, 0.015, 1),
    (Profile::DisabledOld, 0.035, 2),
    (Profile::NeverSignedInNull, 0.02, 2),
    (Profile::NeverSignedInEmpty, 0.02, 2),
    (Profile::FailedInteractive, 0.025, 2),
    (Profile::LegacyExport, 0.03, 2),
    (Profile::WindowEdgeInside, 0.002, 2),
    (Profile::WindowEdgeOutside, 0.002, 2),
    (Profile::RecentlyInactive, 0.08, 3),
    (Profile::LongInactive, 0.06, 3),
];

/// Member profiles, shuffled: the special cases by quota, everyone else active.
fn member_profiles(member_count: usize, rng: &mut Rng) -> Vec<Profile> {
    let mut budget = member_count / 2;
    let mut profiles = Vec::with_capacity(member_count);
    for (profile, share, minimum) in SPECIAL_PROFILES {
        let count = quota(member_count, share, minimum).min(budget);
        budget -= count;
        profiles.extend(std::iter::repeat_n(profile, count));
    }
    profiles.resize(member_count, Profile::Active);
    rng.shuffle(&mut profiles);
    profiles
}

/// Member departments, shuffled: some null, some empty, the rest by department size.
fn member_departments(member_count: usize, rng: &mut Rng) -> Vec<Department> {
    let floor = usize::from(member_count >= 20);
    let unset = quota(member_count, 0.03, floor);
    let empty = quota(member_count, 0.02, floor).min(member_count - unset);
    let weights: Vec<f64> = DEPARTMENTS.iter().map(|profile| profile.weight).collect();
    let mut departments = Vec::with_capacity(member_count);
    departments.extend(std::iter::repeat_n(Department::Unset, unset));
    departments.extend(std::iter::repeat_n(Department::Empty, empty));
    while departments.len() < member_count {
        let profile = &DEPARTMENTS[rng.weighted_index(&weights)];
        departments.push(Department::Named(profile.name));
    }
    // The dynamic Sales group must have members in any tenant of a useful size.
    let has_sales = departments.contains(&Department::Named(SALES_DEPARTMENT));
    if !has_sales
        && member_count >= 10
        && let Some(slot) = departments
            .iter_mut()
            .find(|department| matches!(department, Department::Named(_)))
    {
        *slot = Department::Named(SALES_DEPARTMENT);
    }
    rng.shuffle(&mut departments);
    departments
}

/// Hands out unique user principal name prefixes.
struct NameRegistry {
    /// How many people already got each `first.last` base (a base never ends in a digit, so
    /// `base` + number never collides with another base).
    bases: HashMap<String, usize>,
}

impl NameRegistry {
    fn new() -> Self {
        Self {
            bases: HashMap::new(),
        }
    }

    /// A random person: `(first, last, unique lowercase mail prefix)`.
    fn person(&mut self, rng: &mut Rng) -> (&'static str, &'static str, String) {
        let first = *rng.pick(FIRST_NAMES);
        let last = *rng.pick(LAST_NAMES);
        let base: String = format!("{first}.{last}")
            .chars()
            .filter(|character| !character.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        let seen = self.bases.entry(base.clone()).or_insert(0);
        *seen += 1;
        let prefix = if *seen == 1 {
            base
        } else {
            format!("{base}{seen}")
        };
        (first, last, prefix)
    }
}

/// `john.o'brien2` as `John.O'brien2`: the capitalised form on-premises directories keep.
fn capitalised(prefix: &str) -> String {
    prefix
        .split('.')
        .map(|part| {
            let mut characters = part.chars();
            characters
                .next()
                .map(|first| first.to_uppercase().chain(characters).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Builds `user_count` users: members and a few guests, in shuffled order.
pub fn build_users(
    identity: &TenantIdentity,
    user_count: usize,
    clock: &Clock,
    rng: &mut Rng,
) -> Vec<User> {
    let guest_count = if user_count >= 20 {
        quota(user_count, 0.06, 2)
    } else {
        user_count / 10
    };
    let member_count = user_count - guest_count;
    let profiles = member_profiles(member_count, rng);
    let departments = member_departments(member_count, rng);
    let mut registry = NameRegistry::new();
    let mut users = Vec::with_capacity(user_count);
    for (profile, department) in profiles.into_iter().zip(departments) {
        users.push(member(
            identity,
            profile,
            department,
            clock,
            &mut registry,
            rng,
        ));
    }
    for _ in 0..guest_count {
        users.push(guest(identity, clock, &mut registry, rng));
    }
    rng.shuffle(&mut users);
    users
}

fn member(
    identity: &TenantIdentity,
    profile: Profile,
    department: Department,
    clock: &Clock,
    registry: &mut NameRegistry,
    rng: &mut Rng,
) -> User {
    let (first, last, prefix) = registry.person(rng);
    // Directories synced from on-premises AD often keep capitalised UPNs.
    let upn = if rng.chance(0.08) {
        format!("{}@{}", capitalised(&prefix), identity.domain)
    } else {
        format!("{prefix}@{}", identity.domain)
    };
    let job_title = if rng.chance(0.05) {
        None
    } else {
        let titles = match department {
            Department::Named(name) => DEPARTMENTS
                .iter()
                .find(|profile| profile.name == name)
                .map(|profile| profile.titles),
            Department::Unset | Department::Empty => None,
        }
        .unwrap_or(&["Contractor", "Consultant", "Shared Mailbox", "Intern"]);
        Some(*rng.pick(titles))
    };
    let (sign_in, last_activity, created) = member_sign_in(profile, clock, rng);
    User {
        id: rng.guid(),
        upn,
        display_name: format!("{first} {last}"),
        enabled: !matches!(profile, Profile::DisabledRecent | Profile::DisabledOld),
        guest: false,
        department,
        job_title,
        usage_location: Some(*rng.weighted(USAGE_LOCATIONS)),
        company_name: None,
        office_location: None,
        org_data: None,
        created,
        sign_in,
        last_activity,
        assignments: Vec::new(),
    }
}

fn guest(
    identity: &TenantIdentity,
    clock: &Clock,
    registry: &mut NameRegistry,
    rng: &mut Rng,
) -> User {
    let (first, last, prefix) = registry.person(rng);
    let external_domain = *rng.pick(GUEST_DOMAINS);
    let upn = format!(
        "{prefix}_{external_domain}#EXT#@{}",
        identity.initial_domain
    );
    let roll = rng.unit();
    let (sign_in, last_activity, created) = if roll < 0.35 {
        let days_ago = rng.between(0, 60);
        signed_in(clock, days_ago, false, rng)
    } else if roll < 0.75 {
        let days_ago = rng.between(91, 500);
        signed_in(clock, days_ago, false, rng)
    } else {
        never_signed_in(clock, false, rng)
    };
    User {
        id: rng.guid(),
        upn,
        display_name: format!("{first} {last}"),
        enabled: true,
        guest: true,
        department: Department::Unset,
        job_title: None,
        usage_location: if rng.chance(0.2) { Some("US") } else { None },
        company_name: None,
        office_location: None,
        org_data: None,
        created,
        sign_in,
        last_activity,
        assignments: Vec::new(),
    }
}

/// Gives members their company, office and `employeeOrgData`; guests keep none.
///
/// Most members work for the tenant's company, many in Europe for its European subsidiary;
/// a few have no company, no office (remote) or no `employeeOrgData` at all, and people without
/// a department are charged to shared services when they have a cost center.
pub fn assign_org_data(users: &mut [User], identity: &TenantIdentity, rng: &mut Rng) {
    for user in users.iter_mut().filter(|user| !user.guest) {
        let location = user.usage_location.unwrap_or("US");
        user.company_name = if rng.chance(0.06) {
            None
        } else if EUROPEAN_LOCATIONS.contains(&location) && rng.chance(0.7) {
            Some(format!("{} Europe", identity.name))
        } else {
            Some(identity.name.to_string())
        };
        user.office_location = if rng.chance(0.08) {
            None
        } else {
            OFFICES
                .iter()
                .find(|(code, _)| *code == location)
                .map(|(_, offices)| *rng.pick(offices))
        };
        let codes = match user.department {
            Department::Named(name) => ORG_DATA
                .iter()
                .find(|(department, _, _)| *department == name)
                .map(|(_, cost_center, division)| (*cost_center, *division)),
            Department::Unset | Department::Empty => Some(SHARED_SERVICES),
        };
        user.org_data = match codes {
            Some(_) if rng.chance(0.1) => None,
            Some((_, division)) if rng.chance(0.05) => Some(OrgData {
                cost_center: None,
                division: Some(division),
            }),
            Some((cost_center, division)) => Some(OrgData {
                cost_center: Some(cost_center),
                division: Some(division),
            }),
            None => None,
        };
    }
}

/// `(signInActivity, true last activity, createdDateTime)` of a member with a profile.
fn member_sign_in(
    profile: Profile,
    clock: &Clock,
    rng: &mut Rng,
) -> (SignInActivity, Option<i64>, i64) {
    match profile {
        Profile::Active => {
            let roll = rng.unit();
            let days_ago = if roll < 0.55 {
                rng.between(0, 2)
            } else if roll < 0.8 {
                rng.between(3, 14)
            } else {
                rng.between(15, WINDOW_DAYS - 2)
            };
            signed_in(clock, days_ago, false, rng)
        }
        Profile::RecentlyInactive => signed_in(clock, rng.between(91, 200), false, rng),
        Profile::LongInactive => signed_in(clock, rng.between(201, 1000), false, rng),
        Profile::DisabledRecent => signed_in(clock, rng.between(0, 10), false, rng),
        Profile::DisabledOld => signed_in(clock, rng.between(20, 400), false, rng),
        Profile::LegacyExport => {
            let days_ago = if rng.chance(0.7) {
                rng.between(0, 60)
            } else {
                rng.between(100, 400)
            };
            signed_in(clock, days_ago, true, rng)
        }
        Profile::WindowEdgeInside => {
            let at = clock.window_start() + rng.between(0, 120);
            interactive_only(clock, at, rng)
        }
        Profile::WindowEdgeOutside => {
            let at = clock.window_start() - 1 - rng.between(0, 120);
            interactive_only(clock, at, rng)
        }
        Profile::NeverSignedInNull => never_signed_in(clock, true, rng),
        Profile::NeverSignedInEmpty => never_signed_in(clock, false, rng),
        Profile::FailedInteractive => failed_interactive(clock, rng),
    }
}

/// A creation instant some time before `first_seen`.
fn created_before(first_seen: i64, rng: &mut Rng) -> i64 {
    first_seen - rng.between(1, 2400) * DAY - rng.between(0, DAY - 1)
}

/// A user whose last successful activity was `days_ago` days before the as-of date.
fn signed_in(
    clock: &Clock,
    days_ago: i64,
    omits_successful: bool,
    rng: &mut Rng,
) -> (SignInActivity, Option<i64>, i64) {
    let last = clock.instant_days_ago(days_ago, rng);
    let created = created_before(last, rng);
    let roll = rng.unit();
    let (interactive, non_interactive) = if roll < 0.6 {
        // Token refreshes keep the non-interactive sign-in more recent.
        let interactive = (last - rng.between(0, 10 * DAY)).max(created + HOUR);
        (interactive.min(last), Some(last))
    } else if roll < 0.9 {
        let non_interactive = (last - rng.between(0, 3 * DAY)).max(created + HOUR);
        (last, Some(non_interactive.min(last)))
    } else {
        (last, None)
    };
    let activity = SignInActivity {
        object_is_null: false,
        omits_successful,
        last_sign_in: Some(event(interactive, rng)),
        last_non_interactive: non_interactive.map(|at| event(at, rng)),
        last_successful: successful(last, rng),
    };
    (activity, Some(last), created)
}

/// A user whose last activity is exactly one interactive sign-in at `at`.
fn interactive_only(clock: &Clock, at: i64, rng: &mut Rng) -> (SignInActivity, Option<i64>, i64) {
    let created = created_before(at.min(clock.collected_at), rng);
    let older_non_interactive = at - rng.between(2 * DAY, 20 * DAY);
    let activity = SignInActivity {
        object_is_null: false,
        omits_successful: false,
        last_sign_in: Some(event(at, rng)),
        last_non_interactive: if rng.chance(0.5) && older_non_interactive > created {
            Some(event(older_non_interactive, rng))
        } else {
            None
        },
        last_successful: successful(at, rng),
    };
    (activity, Some(at), created)
}

/// A user who never signed in: mostly new hires, some old unused accounts.
fn never_signed_in(
    clock: &Clock,
    object_is_null: bool,
    rng: &mut Rng,
) -> (SignInActivity, Option<i64>, i64) {
    let days_ago = if rng.chance(0.7) {
        rng.between(1, 45)
    } else {
        rng.between(100, 900)
    };
    let created = clock.instant_days_ago(days_ago, rng);
    let activity = SignInActivity {
        object_is_null,
        ..SignInActivity::default()
    };
    (activity, None, created)
}

/// A recent failed interactive attempt on top of an older success, or of none at all.
fn failed_interactive(clock: &Clock, rng: &mut Rng) -> (SignInActivity, Option<i64>, i64) {
    let failed_at = clock.instant_days_ago(rng.between(0, 20), rng);
    if rng.chance(0.5) {
        let success_at = clock.instant_days_ago(rng.between(95, 300), rng);
        let created = created_before(success_at, rng);
        let non_interactive = success_at - rng.between(0, 5 * DAY);
        let activity = SignInActivity {
            object_is_null: false,
            omits_successful: false,
            last_sign_in: Some(event(failed_at, rng)),
            last_non_interactive: (non_interactive > created).then(|| event(non_interactive, rng)),
            last_successful: successful(success_at, rng),
        };
        (activity, Some(success_at), created)
    } else {
        let created = created_before(failed_at, rng).max(failed_at - 60 * DAY);
        let activity = SignInActivity {
            object_is_null: false,
            omits_successful: false,
            last_sign_in: Some(event(failed_at, rng)),
            last_non_interactive: None,
            last_successful: None,
        };
        (activity, None, created)
    }
}

fn event(at: i64, rng: &mut Rng) -> SignInEvent {
    SignInEvent {
        at,
        request_id: rng.guid(),
    }
}

/// The `lastSuccessfulSignInDateTime` Graph shows for a success at `at`: null when it predates
/// the property.
fn successful(at: i64, rng: &mut Rng) -> Option<SignInEvent> {
    let request_id = rng.guid();
    (at >= successful_sign_in_recording_start()).then_some(SignInEvent { at, request_id })
}
