//! Streams the synthetic unified audit log, newest day first, into the export files.
//!
//! The plan ([`super::audit_plan`]) fixes how many background events each user has; this stage
//! spreads them over the days of history (a binomial split per user and day, so every user's
//! events land exactly once and never after the user's last activity), adds the pinned launches,
//! and writes each day's events in time order (latest first, as exports list them). Per event it
//! picks the operation (about 15% are not launches), the app by Zipf-like popularity and the
//! user's premium affinity, the record shape (newer days lean towards RecordType 256) and the
//! letter case of the user principal name, which differs between the directory, `AuditData` and
//! the row's user column. Memory holds one day of pending events, never the whole log.

use std::path::Path;

use super::GenerateError;
use super::apps::{App, Inventory};
use super::audit_csv::{AuditRow, AuditSink, AuditTotals};
use super::audit_plan::{Actor, AuditPlan, DAYS_AFTER_AS_OF, HISTORY_DAYS, PinnedApp};
use super::audit_record::{
    AppRef, Operation, PowerAppsShape, RecordBuilder, RecordHeader, RecordUser,
};
use super::directory::{Clock, working_second};
use super::names::{SHAREPOINT_FILES, USER_AGENTS};
use super::rng::Rng;
use super::tenant::Tenant;
use super::time::DAY;

/// Share of background events that are not app launches.
const OTHER_OPERATION_SHARE: f64 = 0.15;
/// Share of background launches that open a deleted app (when one existed that day).
const DELETED_APP_SHARE: f64 = 0.03;

/// One event waiting to be written.
#[derive(Debug, Clone, Copy)]
struct Pending {
    at: i64,
    actor: usize,
    pinned: Option<PinnedApp>,
    /// The record carries the actor's PUID instead of the object id.
    puid_key: bool,
}

/// Letter case in which a UPN is written.
#[derive(Debug, Clone, Copy)]
enum Case {
    Lower,
    AsStored,
    Upper,
}

/// Writes the UPN `(as stored, lowercase)` in `case`.
fn push_upn(out: &mut String, (upn, upn_lower): (&str, &str), case: Case) {
    out.clear();
    match case {
        Case::Lower => out.push_str(upn_lower),
        Case::AsStored => out.push_str(upn),
        Case::Upper => out.extend(upn.chars().flat_map(char::to_uppercase)),
    }
}

fn random_case(rng: &mut Rng, lower: f64, as_stored: f64) -> Case {
    let roll = rng.unit();
    if roll < lower {
        Case::Lower
    } else if roll < lower + as_stored {
        Case::AsStored
    } else {
        Case::Upper
    }
}

/// The instant of an event on `day`, within the actor's active span.
fn event_time(rng: &mut Rng, day: i64, earliest: i64, latest: i64) -> i64 {
    let day_start = day * DAY;
    let low = day_start.max(earliest);
    let high = (day_start + DAY - 1).min(latest);
    let at = day_start + working_second(rng);
    if at < low || at > high {
        rng.between(low, high)
    } else {
        at
    }
}

/// Writes `audit/*.csv` for `plan`.
pub fn write_audit(
    dir: &Path,
    tenant: &Tenant,
    inventory: &Inventory,
    plan: AuditPlan,
    clock: &Clock,
    rng: &mut Rng,
) -> Result<AuditTotals, GenerateError> {
    let sharepoint_host = format!(
        "{}.sharepoint.com",
        tenant
            .identity
            .initial_domain
            .trim_end_matches(".onmicrosoft.com")
    );
    let mut writer = EventWriter {
        picker: AppPicker { inventory },
        sink: AuditSink::new(dir.join("audit"), plan.total_rows),
        builder: RecordBuilder::new(tenant.identity.id, sharepoint_host),
        data_upn: String::new(),
        row_upn: String::new(),
        as_of_day: clock.as_of_day,
    };
    let mut plan = plan;
    let launching: Vec<usize> = (0..plan.actors.len())
        .filter(|&index| plan.actors[index].remaining > 0)
        .collect();
    let mut pending: Vec<Pending> = Vec::new();
    let mut next_pinned = 0;
    let last_day = clock.as_of_day + DAYS_AFTER_AS_OF;
    for day in (plan.first_day..=last_day).rev() {
        pending.clear();
        if day <= clock.as_of_day {
            place_background_events(&mut plan, &launching, day, rng, &mut pending);
        }
        while let Some(pinned) = plan.pinned.get(next_pinned) {
            if pinned.at < day * DAY {
                break;
            }
            pending.push(Pending {
                at: pinned.at,
                actor: pinned.actor,
                pinned: Some(pinned.app),
                puid_key: pinned.puid_key,
            });
            next_pinned += 1;
        }
        pending.sort_by(|left, right| right.at.cmp(&left.at).then(left.actor.cmp(&right.actor)));
        for event in &pending {
            if let Some(actor) = plan.actors.get(event.actor) {
                writer.write_event(rng, event, actor, day)?;
            }
        }
    }
    writer.sink.finish()
}

/// Draws how many of each actor's remaining background events happen on `day`.
fn place_background_events(
    plan: &mut AuditPlan,
    launching: &[usize],
    day: i64,
    rng: &mut Rng,
    pending: &mut Vec<Pending>,
) {
    let day_weight = plan.day_weight(day);
    for &index in launching {
        let actor = &plan.actors[index];
        let first_day = actor.earliest.div_euclid(DAY);
        let last_day = actor.latest.div_euclid(DAY);
        if actor.remaining == 0 || day > last_day || day < first_day {
            continue;
        }
        let (earliest, latest, remaining) = (actor.earliest, actor.latest, actor.remaining);
        let probability = if day == first_day {
            1.0
        } else {
            day_weight / plan.weight_between(first_day, day)
        };
        let count = rng.binomial(remaining, probability);
        plan.actors[index].remaining = remaining - count;
        for _ in 0..count {
            pending.push(Pending {
                at: event_time(rng, day, earliest, latest),
                actor: index,
                pinned: None,
                puid_key: false,
            });
        }
    }
}

/// Chooses apps from the inventory.
#[derive(Clone, Copy)]
struct AppPicker<'a> {
    inventory: &'a Inventory,
}

impl<'a> AppPicker<'a> {
    fn app_ref(self, app: &'a App) -> AppRef<'a> {
        AppRef {
            id: app.id,
            display_name: &app.display_name,
            environment: self
                .inventory
                .environments
                .get(app.environment)
                .map_or("", String::as_str),
        }
    }

    fn premium(self, rng: &mut Rng) -> Option<&'a App> {
        let rank = self.inventory.premium_popularity.sample(rng);
        let index = *self.inventory.premium_by_popularity.get(rank)?;
        self.inventory.apps.get(index)
    }

    /// A premium app by popularity among those premium through a connector or the gateway
    /// (not only through a code component): a pinned case exercises one rule, not two.
    fn premium_by_connector(self, rng: &mut Rng) -> Option<&'a App> {
        for _ in 0..16 {
            let app = self.premium(rng)?;
            if !app.is_premium_only_through_pcf() {
                return Some(app);
            }
        }
        self.inventory
            .premium_by_popularity
            .iter()
            .filter_map(|&index| self.inventory.apps.get(index))
            .find(|app| !app.is_premium_only_through_pcf())
    }

    fn standard(self, rng: &mut Rng) -> Option<&'a App> {
        let rank = self.inventory.standard_popularity.sample(rng);
        let index = *self.inventory.standard_by_popularity.get(rank)?;
        self.inventory.apps.get(index)
    }

    /// Any deleted app.
    fn deleted(self, rng: &mut Rng) -> Option<&'a App> {
        let deleted = &self.inventory.deleted;
        deleted
            .get(rng.index(deleted.len()))
            .map(|deleted| &deleted.app)
    }

    /// An app deleted after `day` (so it still existed that day), if the draw finds one.
    fn deleted_alive_on(self, rng: &mut Rng, day: i64) -> Option<&'a App> {
        let deleted = &self.inventory.deleted;
        let candidate = deleted.get(rng.index(deleted.len()))?;
        (candidate.deleted_day > day).then_some(&candidate.app)
    }

    /// The app a background launch opens.
    fn for_launch(self, rng: &mut Rng, actor: &Actor, day: i64) -> Option<&'a App> {
        if rng.chance(DELETED_APP_SHARE)
            && let Some(app) = self.deleted_alive_on(rng, day)
        {
            return Some(app);
        }
        if rng.chance(actor.premium_affinity) {
            self.premium(rng).or_else(|| self.standard(rng))
        } else {
            self.standard(rng).or_else(|| self.premium(rng))
        }
    }
}

/// RecordType 256 records became more common over time.
fn shape_on(rng: &mut Rng, as_of_day: i64, day: i64) -> PowerAppsShape {
    let age = (as_of_day - day).clamp(0, HISTORY_DAYS) as f64;
    let newer_share = 0.3 + 0.4 * (1.0 - age / HISTORY_DAYS as f64);
    if rng.chance(newer_share) {
        PowerAppsShape::PowerPlatform
    } else {
        PowerAppsShape::Legacy
    }
}

/// The parts of a record decided before its operation and app.
#[derive(Clone, Copy)]
struct Draft<'a> {
    at: i64,
    day: i64,
    shape: PowerAppsShape,
    user: RecordUser<'a>,
}

/// A Power Apps record for `app`, or a sign-in record when there is no app to refer to.
fn power_app_or_sign_in(
    builder: &mut RecordBuilder,
    picker: AppPicker<'_>,
    rng: &mut Rng,
    draft: Draft<'_>,
    operation: Operation,
    app: Option<&App>,
) -> RecordHeader {
    match app {
        Some(app) => {
            let app = picker.app_ref(app);
            builder.power_app(rng, draft.at, operation, draft.shape, draft.user, app)
        }
        None => builder.user_logged_in(rng, draft.at, draft.user),
    }
}

/// Writes events as audit rows.
struct EventWriter<'a> {
    picker: AppPicker<'a>,
    sink: AuditSink,
    builder: RecordBuilder,
    data_upn: String,
    row_upn: String,
    as_of_day: i64,
}

impl EventWriter<'_> {
    fn write_event(
        &mut self,
        rng: &mut Rng,
        event: &Pending,
        actor: &Actor,
        day: i64,
    ) -> Result<(), GenerateError> {
        // A renamed user's older records carry the name they had then.
        let upn = actor.upn_at(event.at);
        push_upn(&mut self.data_upn, upn, random_case(rng, 0.8, 0.15));
        if rng.chance(0.75) {
            self.row_upn.clone_from(&self.data_upn);
        } else {
            push_upn(&mut self.row_upn, upn, random_case(rng, 0.4, 0.4));
        }
        let mut ip = actor.ip;
        if rng.chance(0.2) {
            ip[3] = rng.between(1, 254) as u8;
        }
        let user_agent = *rng.pick(USER_AGENTS);
        let puid = if event.puid_key { actor.puid } else { None };
        let user = RecordUser {
            object_id: actor.object_id,
            puid,
            upn: &self.data_upn,
            ip,
            guest: actor.guest,
            user_agent,
        };
        let picker = self.picker;
        let builder = &mut self.builder;
        let draft = Draft {
            at: event.at,
            day,
            shape: shape_on(rng, self.as_of_day, day),
            user,
        };
        let header = match event.pinned {
            Some(pinned) => {
                let app = match pinned {
                    PinnedApp::Premium => picker.premium_by_connector(rng),
                    PinnedApp::Deleted(index) => picker
                        .inventory
                        .deleted
                        .get(index)
                        .map(|deleted| &deleted.app),
                    PinnedApp::Live(index) => picker.inventory.apps.get(index),
                };
                let launch = Operation::LaunchPowerApp;
                power_app_or_sign_in(builder, picker, rng, draft, launch, app)
            }
            None => background_record(builder, picker, rng, draft, actor),
        };
        let row = AuditRow {
            at: event.at,
            header,
            user_id: &self.row_upn,
            audit_data: &self.builder.audit_data,
        };
        self.sink.write(&row)
    }
}

/// A background event: mostly a launch, sometimes another operation.
fn background_record(
    builder: &mut RecordBuilder,
    picker: AppPicker<'_>,
    rng: &mut Rng,
    draft: Draft<'_>,
    actor: &Actor,
) -> RecordHeader {
    const OTHERS: [(Operation, f64); 6] = [
        (Operation::UserLoggedIn, 45.0),
        (Operation::FileAccessed, 30.0),
        (Operation::EditPowerApp, 8.0),
        (Operation::PublishPowerApp, 6.0),
        (Operation::CreatePowerApp, 6.0),
        (Operation::DeletePowerApp, 5.0),
    ];
    let operation = if rng.chance(OTHER_OPERATION_SHARE) {
        *rng.weighted(&OTHERS)
    } else {
        Operation::LaunchPowerApp
    };
    let app = match operation {
        Operation::LaunchPowerApp => picker.for_launch(rng, actor, draft.day),
        Operation::DeletePowerApp => picker.deleted(rng),
        Operation::CreatePowerApp | Operation::EditPowerApp | Operation::PublishPowerApp => {
            if rng.chance(0.5) {
                picker.premium(rng)
            } else {
                picker.standard(rng)
            }
        }
        Operation::FileAccessed => {
            let (site, file_name) = *rng.pick(SHAREPOINT_FILES);
            return builder.file_accessed(rng, draft.at, draft.user, site, file_name);
        }
        Operation::UserLoggedIn => return builder.user_logged_in(rng, draft.at, draft.user),
    };
    power_app_or_sign_in(builder, picker, rng, draft, operation, app)
}
