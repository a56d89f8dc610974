//! When a saving can be banked (SPEC §8). Under Microsoft's new-commerce rules a subscription's
//! seats can only drop at its renewal, or within 7 days of its purchase or renewal; a saving
//! found today is therefore money from the renewal on, not from today. Each saving gets
//! `reducible_on`: the date its seats can drop (today inside the 7-day window, the next monthly
//! renewal for monthly terms, else the renewal date), or `unknown` when no date is known, never
//! a guess. Savings from licenses taken back from users are also `reassignable_now`: the seat
//! can go to the next hire at once instead of a purchase.
//!
//! A `right-size` saving (a cheaper license instead of per-user Premium) is banked when its
//! per-user seat can drop, so it is timed the same way, one seat on the Premium SKU's
//! subscriptions; the user keeps a license, so it is not `reassignable_now`. Findings that are
//! neither, and savings of nothing (free or unpriced licenses), have no timing.
//!
//! The seats to cut of a SKU (its idle seats first, then its reclaimed licenses in findings
//! order, then its right-sized ones, so a license change never pushes a saving of the headline
//! to a later date) go to the SKU's subscriptions that can drop earliest, each taking at most
//! its own seats; trials and subscriptions that no longer bill take none. The result also
//! gives the renewal calendar: per subscription, its date, the seats to cut and the saving.
//!
//! This is a pure decision over the findings and the snapshot's renewals; nothing is read here.

use super::finding::{Finding, FindingKind};
use crate::model::subscriptions::{Renewals, Subscription, Term, TermKey, TermRow};
use crate::money::Money;
use chrono::{Months, NaiveDate};
use std::collections::BTreeMap;

/// How many days after a purchase or renewal seats can still be cut.
pub const CANCELLATION_DAYS: i64 = 7;

/// The date a saving's seats can drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReducibleOn {
    Date(NaiveDate),
    Unknown,
}

impl ReducibleOn {
    pub fn date(self) -> Option<NaiveDate> {
        match self {
            ReducibleOn::Date(date) => Some(date),
            ReducibleOn::Unknown => None,
        }
    }
}

impl std::fmt::Display for ReducibleOn {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReducibleOn::Date(date) => write!(formatter, "{date}"),
            ReducibleOn::Unknown => formatter.write_str("unknown"),
        }
    }
}

impl serde::Serialize for ReducibleOn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ReducibleOn {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text == "unknown" {
            return Ok(ReducibleOn::Unknown);
        }
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(ReducibleOn::Date)
            .map_err(|_| {
                serde::de::Error::custom(format!(
                    "reducible_on {text:?} is neither YYYY-MM-DD nor \"unknown\""
                ))
            })
    }
}

/// When one saving can be banked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavingTiming {
    /// For a saving spread over several subscriptions, the latest of their dates: when the
    /// whole saving is banked.
    pub reducible_on: ReducibleOn,
    pub reassignable_now: bool,
}

/// One subscription's line of the renewal calendar.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RenewalCut {
    /// The directory subscription id.
    pub subscription_id: String,
    pub commerce_subscription_id: Option<String>,
    pub sku_id: String,
    pub sku_part_number: String,
    /// From `terms.csv`; Graph does not give it.
    pub term: Option<Term>,
    pub reducible_on: ReducibleOn,
    pub total_licenses: i64,
    pub seats_to_cut: i64,
    pub monthly_saving: Money,
    pub yearly_saving: Money,
}

/// The renewal calendar: per subscription with seats to cut, soonest first. Written into
/// `findings.json` and read back by reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RenewalCalendar {
    /// Whether the snapshot had its subscriptions; without them every date is unknown.
    pub subscriptions_known: bool,
    pub subscriptions: Vec<RenewalCut>,
}

/// The timing of every finding (parallel to the findings; `None` for findings that are not
/// savings) and the renewal calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timing {
    pub findings: Vec<Option<SavingTiming>>,
    pub calendar: RenewalCalendar,
}

/// The timing of `findings` under `renewals`, as of `as_of`.
pub fn time_savings(findings: &[Finding], renewals: &Renewals, as_of: NaiveDate) -> Timing {
    let subscriptions = renewals.subscriptions.as_deref().unwrap_or(&[]);
    // Part numbers by SKU id, from the findings: `terms.csv` may name a SKU by part number.
    let part_numbers: BTreeMap<&str, &str> = findings
        .iter()
        .map(|finding| (finding.sku_id.as_str(), finding.sku_part_number.as_str()))
        .collect();
    // The subscriptions seats can be cut from, by SKU, soonest first.
    let mut by_sku: BTreeMap<&str, Vec<Capacity<'_>>> = BTreeMap::new();
    for subscription in subscriptions {
        if subscription.is_trial || !subscription.status.bills() {
            continue;
        }
        let term_row = terms_of(subscription, &part_numbers, &renewals.terms);
        by_sku
            .entry(subscription.sku_id.as_str())
            .or_default()
            .push(Capacity {
                subscription,
                term: term_row.and_then(|row| row.term),
                reducible_on: reducible_on(subscription, term_row, as_of),
                left: subscription.total_licenses,
                cut: 0,
                monthly_saving: Money::ZERO,
            });
    }
    for capacities in by_sku.values_mut() {
        capacities.sort_by(|a, b| {
            (a.reducible_on, &a.subscription.id).cmp(&(b.reducible_on, &b.subscription.id))
        });
    }

    // Idle seats first: they are free already, and cutting them touches nobody. License
    // changes last: the headline's savings take the earliest renewals.
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&index| {
        let kind = findings[index].kind;
        (kind != FindingKind::IdleSeats, kind.is_license_change())
    });
    let mut timings = vec![None; findings.len()];
    for index in order {
        let finding = &findings[index];
        // Nothing to bank: a cost, or a saving of nothing (a free or unpriced license).
        let banked = finding.kind.is_saving() || finding.kind.is_license_change();
        if !banked || finding.monthly_amount <= Money::ZERO {
            continue;
        }
        let seats = if finding.kind == FindingKind::IdleSeats {
            finding.seats.unwrap_or(0).max(0)
        } else {
            1
        };
        let seat_price = match finding.seats {
            Some(count) if finding.kind == FindingKind::IdleSeats && count > 0 => {
                Money(finding.monthly_amount.0 / count)
            }
            _ => finding.monthly_amount,
        };
        let mut latest: Option<ReducibleOn> = None;
        let mut placed = 0;
        if let Some(capacities) = by_sku.get_mut(finding.sku_id.as_str()) {
            for capacity in capacities.iter_mut() {
                if placed == seats {
                    break;
                }
                let take = capacity.left.min(seats - placed);
                if take == 0 {
                    continue;
                }
                capacity.left -= take;
                capacity.cut += take;
                capacity.monthly_saving = capacity.monthly_saving + seat_price.times(take);
                placed += take;
                latest = Some(latest.map_or(capacity.reducible_on, |seen| {
                    seen.max(capacity.reducible_on)
                }));
            }
        }
        // Seats no subscription can take (no subscriptions, or fewer seats than found) have no
        // date.
        let reducible_on = if placed < seats {
            ReducibleOn::Unknown
        } else {
            latest.unwrap_or(ReducibleOn::Unknown)
        };
        timings[index] = Some(SavingTiming {
            reducible_on,
            reassignable_now: finding.kind.is_reclaim(),
        });
    }

    let mut calendar: Vec<RenewalCut> = by_sku
        .into_values()
        .flatten()
        .filter(|capacity| capacity.cut > 0)
        .map(|capacity| {
            let subscription = capacity.subscription;
            RenewalCut {
                subscription_id: subscription.id.clone(),
                commerce_subscription_id: subscription.commerce_subscription_id.clone(),
                sku_id: subscription.sku_id.clone(),
                sku_part_number: subscription
                    .sku_part_number
                    .clone()
                    .or_else(|| {
                        part_numbers
                            .get(subscription.sku_id.as_str())
                            .map(|part| part.to_string())
                    })
                    .unwrap_or_else(|| subscription.sku_id.clone()),
                term: capacity.term,
                reducible_on: capacity.reducible_on,
                total_licenses: subscription.total_licenses,
                seats_to_cut: capacity.cut,
                monthly_saving: capacity.monthly_saving,
                yearly_saving: capacity.monthly_saving.times(12),
            }
        })
        .collect();
    calendar.sort_by(|a, b| {
        (a.reducible_on, &a.sku_part_number, &a.subscription_id).cmp(&(
            b.reducible_on,
            &b.sku_part_number,
            &b.subscription_id,
        ))
    });
    Timing {
        findings: timings,
        calendar: RenewalCalendar {
            subscriptions_known: renewals.subscriptions.is_some(),
            subscriptions: calendar,
        },
    }
}

/// A subscription while seats are placed on it.
struct Capacity<'a> {
    subscription: &'a Subscription,
    term: Option<Term>,
    reducible_on: ReducibleOn,
    left: i64,
    cut: i64,
    monthly_saving: Money,
}

/// The `terms.csv` row of `subscription`: by its directory or commerce id, else by its SKU's
/// part number (from the subscription, else from the findings about the SKU).
fn terms_of<'a>(
    subscription: &Subscription,
    part_numbers: &BTreeMap<&str, &str>,
    terms: &'a [TermRow],
) -> Option<&'a TermRow> {
    let by_id = terms.iter().find(|row| match &row.key {
        TermKey::Subscription(id) => {
            *id == subscription.id || subscription.commerce_subscription_id.as_ref() == Some(id)
        }
        TermKey::SkuPartNumber(_) => false,
    });
    by_id.or_else(|| {
        let part_number = subscription
            .sku_part_number
            .as_deref()
            .or_else(|| part_numbers.get(subscription.sku_id.as_str()).copied())?;
        terms.iter().find(|row| match &row.key {
            TermKey::SkuPartNumber(part) => part.eq_ignore_ascii_case(part_number),
            TermKey::Subscription(_) => false,
        })
    })
}

/// The first date on or after `as_of` when `subscription`'s seats can drop.
fn reducible_on(
    subscription: &Subscription,
    terms: Option<&TermRow>,
    as_of: NaiveDate,
) -> ReducibleOn {
    let within_window =
        |start: NaiveDate| start <= as_of && (as_of - start).num_days() <= CANCELLATION_DAYS;
    // Just bought: the 7-day window is open now.
    if subscription.created.is_some_and(within_window) {
        return ReducibleOn::Date(as_of);
    }
    let term = terms.and_then(|row| row.term);
    let renewal = terms
        .and_then(|row| row.renewal_date)
        .or(subscription.next_lifecycle);
    let months = term.map(|term| match term {
        Term::Monthly => 1,
        Term::Yearly => 12,
        Term::ThreeYears => 36,
    });
    let anchor = renewal.or(match term {
        // A monthly term renews on its creation day each month.
        Some(Term::Monthly) => subscription.created,
        _ => None,
    });
    match (anchor, months) {
        (Some(anchor), Some(months)) => match renewal_on_or_after(anchor, months, as_of) {
            Some(next) => {
                // Just renewed: the window after the last renewal is still open.
                let last = shifted(next, -i64::from(months));
                if last.is_some_and(within_window) {
                    ReducibleOn::Date(as_of)
                } else {
                    ReducibleOn::Date(next)
                }
            }
            None => ReducibleOn::Unknown,
        },
        (Some(renewal), None) if renewal >= as_of => ReducibleOn::Date(renewal),
        _ => ReducibleOn::Unknown,
    }
}

/// `date` moved by `months` (either way), the day clamped to the month's length.
fn shifted(date: NaiveDate, months: i64) -> Option<NaiveDate> {
    let magnitude = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months >= 0 {
        date.checked_add_months(magnitude)
    } else {
        date.checked_sub_months(magnitude)
    }
}

/// The first renewal on or after `as_of` of a term of `months` months renewing on `anchor`:
/// `anchor` moved by a whole number of terms, each counted from `anchor` so a renewal on the
/// 31st stays on the last day of shorter months without drifting.
fn renewal_on_or_after(anchor: NaiveDate, months: u32, as_of: NaiveDate) -> Option<NaiveDate> {
    use chrono::Datelike;
    let month_index = |date: NaiveDate| i64::from(date.year()) * 12 + i64::from(date.month0());
    let step = i64::from(months);
    // Terms between the anchor and today, rounded down; then at most two steps forward.
    let mut terms = (month_index(as_of) - month_index(anchor)).div_euclid(step) - 1;
    loop {
        let candidate = shifted(anchor, terms * step)?;
        if candidate >= as_of {
            return Some(candidate);
        }
        terms += 1;
    }
}

#[cfg(test)]
mod tests;
