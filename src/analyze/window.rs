//! The as-of date and the activity window (SPEC §1).
//!
//! The window is the `days` calendar days ending on the as-of date, inclusive, in UTC. Premium
//! use counts inside it; sign-ins count from its first day on, with no upper bound (Graph only
//! keeps the latest sign-in, so a later one hides an earlier one: when in doubt, never reclaim).

use crate::support::timestamp::date_start_millis;
use chrono::{Days, NaiveDate};

/// How far a snapshot's collection date or an as-of date may run ahead of the clock: a day,
/// for time zones. Beyond it the date is wrong, and a window ending in the future would make
/// everybody look inactive.
pub const CLOCK_SLACK_DAYS: u64 = 1;

/// True when `date` is more than [`CLOCK_SLACK_DAYS`] after `today` (the clock, injected).
pub fn ahead_of_clock(date: NaiveDate, today: NaiveDate) -> bool {
    today
        .checked_add_days(Days::new(CLOCK_SLACK_DAYS))
        .is_some_and(|latest| date > latest)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditWindow {
    pub as_of: NaiveDate,
    pub days: u32,
}

impl AuditWindow {
    /// The window's first day.
    pub fn first_day(&self) -> NaiveDate {
        self.as_of
            .checked_sub_days(Days::new(u64::from(self.days.saturating_sub(1))))
            .unwrap_or(NaiveDate::MIN)
    }

    /// Midnight UTC starting the first day, in epoch milliseconds.
    pub fn start_millis(&self) -> i64 {
        date_start_millis(self.first_day())
    }

    /// Midnight UTC after the as-of date (exclusive end), in epoch milliseconds.
    pub fn end_millis(&self) -> i64 {
        date_start_millis(self.as_of) + 86_400_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ninety_days_ending_on_the_as_of_date() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
        let window = AuditWindow { as_of, days: 90 };
        assert_eq!(
            window.first_day(),
            NaiveDate::from_ymd_opt(2026, 8, 4).unwrap_or_default()
        );
        assert_eq!(window.end_millis() - window.start_millis(), 90 * 86_400_000);
    }

    #[test]
    fn a_date_may_run_one_day_ahead_of_the_clock() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        let day = |day| NaiveDate::from_ymd_opt(2026, 12, day).unwrap_or_default();
        assert!(!ahead_of_clock(today, today));
        assert!(!ahead_of_clock(day(1), today));
        assert!(ahead_of_clock(day(2), today));
    }

    #[test]
    fn a_one_day_window_is_the_as_of_date() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
        assert_eq!(AuditWindow { as_of, days: 1 }.first_day(), as_of);
    }
}
