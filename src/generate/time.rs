//! Instants and the text forms Microsoft writes them in, for the generator.
//!
//! The generator works in whole seconds since the Unix epoch (UTC) and writes millions of
//! timestamps, in four shapes: Graph's `2026-09-14T08:12:33Z`, audit `CreationTime`
//! `2026-09-14T06:54:24`, Purview's `2026-09-14T06:54:24.0000000Z ` (trailing space included) and
//! `Export-Csv`'s `9/14/2026 6:54:24 AM`. Hand-written civil-date arithmetic keeps that fast,
//! allocation-free and independent of the machine's clock and time zone.

use std::fmt::Write as _;

use chrono::{NaiveDate, NaiveTime};

/// Seconds in one day.
pub const DAY: i64 = 86_400;
/// Seconds in one hour.
pub const HOUR: i64 = 3_600;

/// Days since 1970-01-01 of a calendar date.
pub fn epoch_day(date: NaiveDate) -> i64 {
    date.and_time(NaiveTime::MIN)
        .and_utc()
        .timestamp()
        .div_euclid(DAY)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let shifted_year = if month <= 2 { year - 1 } else { year };
    let era = shifted_year.div_euclid(400);
    let year_of_era = shifted_year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The calendar date `(year, month, day)` of a day number since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Day of the week of a day number: 0 is Monday, 6 is Sunday.
pub fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

/// Broken-down UTC fields of an instant.
struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
}

fn fields(instant: i64) -> Fields {
    let (year, month, day) = civil_from_days(instant.div_euclid(DAY));
    let second_of_day = instant.rem_euclid(DAY);
    Fields {
        year,
        month,
        day,
        hour: second_of_day / HOUR,
        minute: second_of_day % HOUR / 60,
        second: second_of_day % 60,
    }
}

fn push_date_time(out: &mut String, instant: i64) {
    let f = fields(instant);
    // Writing to a String never fails.
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        f.year, f.month, f.day, f.hour, f.minute, f.second
    );
}

/// Graph's form: `2026-09-14T08:12:33Z`.
pub fn push_graph(out: &mut String, instant: i64) {
    push_date_time(out, instant);
    out.push('Z');
}

/// Graph's form as a new string.
pub fn graph(instant: i64) -> String {
    let mut text = String::with_capacity(20);
    push_graph(&mut text, instant);
    text
}

/// Audit `CreationTime`: `2026-09-14T06:54:24` (UTC, no offset).
pub fn push_audit(out: &mut String, instant: i64) {
    push_date_time(out, instant);
}

/// Purview export `CreationDate`: `2026-09-14T06:54:24.0000000Z ` (with the trailing space).
pub fn push_purview(out: &mut String, instant: i64) {
    push_date_time(out, instant);
    out.push_str(".0000000Z ");
}

/// `Export-Csv` `CreationDate` in en-US form: `9/14/2026 6:54:24 AM`.
pub fn push_us(out: &mut String, instant: i64) {
    let f = fields(instant);
    let (hour12, meridiem) = match f.hour {
        0 => (12, "AM"),
        1..=11 => (f.hour, "AM"),
        12 => (12, "PM"),
        _ => (f.hour - 12, "PM"),
    };
    let _ = write!(
        out,
        "{}/{}/{} {}:{:02}:{:02} {}",
        f.month, f.day, f.year, hour12, f.minute, f.second, meridiem
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_formats() {
        let day = days_from_civil(2026, 9, 14);
        assert_eq!(civil_from_days(day), (2026, 9, 14));
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        let instant = day * DAY + 6 * HOUR + 54 * 60 + 24;
        let mut text = String::new();
        push_purview(&mut text, instant);
        assert_eq!(text, "2026-09-14T06:54:24.0000000Z ");
        text.clear();
        push_us(&mut text, instant);
        assert_eq!(text, "9/14/2026 6:54:24 AM");
        text.clear();
        push_us(&mut text, day * DAY + 12 * HOUR + 5);
        assert_eq!(text, "9/14/2026 12:00:05 PM");
        assert_eq!(graph(instant), "2026-09-14T06:54:24Z");
        // 2026-09-14 is a Monday.
        assert_eq!(weekday(day), 0);
        let date = NaiveDate::from_ymd_opt(2026, 9, 14).map(epoch_day);
        assert_eq!(date, Some(day));
    }
}
