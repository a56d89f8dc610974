//! Timestamps in every form Microsoft's exports use, normalised to UTC milliseconds.
//!
//! Graph writes ISO 8601 (`2026-09-14T08:12:33Z`, sometimes with up to seven fractional
//! digits or an offset); audit `CreationTime` has no offset (UTC); Purview CSV `CreationDate`
//! carries a trailing space, and `Export-Csv` output uses `9/14/2026 6:54:24 AM`. A hand-written
//! parser keeps the two-million-row audit path free of allocation and format guessing.

use chrono::NaiveDate;

const MILLIS_PER_DAY: i64 = 86_400_000;

/// `0001-01-01T00:00:00Z`, .NET's `DateTime.MinValue`: Graph's way of saying "never".
pub const NEVER_PLACEHOLDER_MILLIS: i64 = -62_135_596_800_000;

/// Parses a timestamp into milliseconds since the Unix epoch, UTC.
///
/// Accepted: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fffffff]][Z|±HH:MM|±HHMM]` (a space may
/// replace `T`), `M/D/YYYY h:mm[:ss] [AM|PM]`, and `/Date(ms)/` (with an optional `±HHMM`
/// suffix, which only says where the writer was: the milliseconds are UTC), as Windows
/// PowerShell 5.1's `ConvertTo-Json` writes dates. Surrounding whitespace is ignored.
pub fn parse_timestamp(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty timestamp".to_string());
    }
    let parsed = if let Some(inner) = trimmed.strip_prefix("/Date(") {
        parse_dotnet_json_date(inner)
    } else if trimmed.as_bytes().get(4) == Some(&b'-') {
        parse_iso(trimmed.as_bytes())
    } else {
        parse_us_style(trimmed.as_bytes())
    };
    parsed.ok_or_else(|| format!("not a timestamp: {trimmed:?}"))
}

/// 2000-01-01T00:00:00Z: no Microsoft 365 record is older, so an earlier date is damage (a
/// wrong culture, a truncated year), not history.
pub const EARLIEST_PLAUSIBLE_MILLIS: i64 = 946_684_800_000;

/// Parses a timestamp an export recorded, refusing implausible dates: before 2000, other than
/// Graph's "never" placeholder (returned as [`NEVER_PLACEHOLDER_MILLIS`]).
pub fn parse_recorded_timestamp(text: &str) -> Result<i64, String> {
    let millis = parse_timestamp(text)?;
    if millis < EARLIEST_PLAUSIBLE_MILLIS && millis != NEVER_PLACEHOLDER_MILLIS {
        return Err(format!(
            "implausible date {:?}: before 2000 (only 0001-01-01T00:00:00Z, meaning never, may be)",
            text.trim()
        ));
    }
    Ok(millis)
}

/// Parses a timestamp property of an export, where Graph's placeholders stand for "no value"
/// (SPEC §3): an empty string is null, and `0001-01-01T00:00:00Z` is "never". Other dates
/// before 2000 are errors.
pub fn parse_optional_timestamp(text: &str) -> Result<Option<i64>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let millis = parse_recorded_timestamp(text)?;
    Ok((millis != NEVER_PLACEHOLDER_MILLIS).then_some(millis))
}

/// The part of `/Date(1663842405000)/` after `/Date(`.
fn parse_dotnet_json_date(inner: &str) -> Option<i64> {
    let digits = inner.strip_suffix(")/")?;
    let end = digits
        .char_indices()
        .skip(1)
        .find(|(_, character)| matches!(character, '+' | '-'))
        .map_or(digits.len(), |(index, _)| index);
    let (millis, offset) = digits.split_at(end);
    let valid_offset = offset.is_empty()
        || (offset.len() == 5 && offset[1..].bytes().all(|byte| byte.is_ascii_digit()));
    if !valid_offset {
        return None;
    }
    millis.parse::<i64>().ok()
}

/// Days since 1970-01-01 for a calendar date, or `None` when the date does not exist.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> Option<i64> {
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    Some((date - epoch).num_days())
}

/// Midnight UTC of a date, in epoch milliseconds.
pub fn date_start_millis(date: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    (date - epoch).num_days() * MILLIS_PER_DAY
}

/// Formats epoch milliseconds as ISO 8601 UTC with second precision.
pub fn format_millis(millis: i64) -> String {
    use chrono::{Datelike, Timelike};
    match chrono::DateTime::from_timestamp_millis(millis) {
        Some(moment) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            moment.year(),
            moment.month(),
            moment.day(),
            moment.hour(),
            moment.minute(),
            moment.second()
        ),
        None => millis.to_string(),
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, min: usize, max: usize) -> Option<(u32, usize)> {
        let mut value: u32 = 0;
        let mut count = 0;
        while count < max {
            match self.bytes.get(self.position) {
                Some(byte) if byte.is_ascii_digit() => {
                    value = value * 10 + u32::from(byte - b'0');
                    self.position += 1;
                    count += 1;
                }
                _ => break,
            }
        }
        (count >= min).then_some((value, count))
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.bytes.get(self.position) == Some(&byte)).then(|| self.position += 1)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn at_end(&self) -> bool {
        self.position == self.bytes.len()
    }
}

fn time_of_day_millis(hour: u32, minute: u32, second: u32, millis: u32) -> Option<i64> {
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(
        ((i64::from(hour) * 60 + i64::from(minute)) * 60 + i64::from(second)) * 1000
            + i64::from(millis),
    )
}

fn parse_iso(bytes: &[u8]) -> Option<i64> {
    let mut cursor = Cursor { bytes, position: 0 };
    let (year, _) = cursor.digits(4, 4)?;
    cursor.expect(b'-')?;
    let (month, _) = cursor.digits(2, 2)?;
    cursor.expect(b'-')?;
    let (day, _) = cursor.digits(2, 2)?;
    let days = days_from_civil(i32::try_from(year).ok()?, month, day)?;
    if cursor.at_end() {
        return Some(days * MILLIS_PER_DAY);
    }
    match cursor.peek()? {
        b'T' | b't' | b' ' => cursor.position += 1,
        _ => return None,
    }
    let (hour, _) = cursor.digits(2, 2)?;
    cursor.expect(b':')?;
    let (minute, _) = cursor.digits(2, 2)?;
    let mut second = 0;
    let mut millis = 0;
    if cursor.peek() == Some(b':') {
        cursor.position += 1;
        second = cursor.digits(2, 2)?.0;
        if matches!(cursor.peek(), Some(b'.') | Some(b',')) {
            cursor.position += 1;
            let (fraction, count) = cursor.digits(1, 9)?;
            millis = scale_fraction_to_millis(fraction, count);
        }
    }
    let offset_minutes: i64 = match cursor.peek() {
        None => 0,
        Some(b'Z') | Some(b'z') => {
            cursor.position += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            cursor.position += 1;
            let (offset_hours, _) = cursor.digits(2, 2)?;
            if cursor.peek() == Some(b':') {
                cursor.position += 1;
            }
            let (offset_minutes, _) = cursor.digits(2, 2)?;
            if offset_hours > 23 || offset_minutes > 59 {
                return None;
            }
            let total = i64::from(offset_hours * 60 + offset_minutes);
            if sign == b'+' { total } else { -total }
        }
        Some(_) => return None,
    };
    if !cursor.at_end() {
        return None;
    }
    Some(
        days * MILLIS_PER_DAY + time_of_day_millis(hour, minute, second, millis)?
            - offset_minutes * 60_000,
    )
}

fn scale_fraction_to_millis(fraction: u32, digit_count: usize) -> u32 {
    match digit_count {
        1 => fraction * 100,
        2 => fraction * 10,
        3 => fraction,
        more => fraction / 10u32.pow(u32::try_from(more - 3).unwrap_or(0)),
    }
}

fn parse_us_style(bytes: &[u8]) -> Option<i64> {
    let mut cursor = Cursor { bytes, position: 0 };
    let (month, _) = cursor.digits(1, 2)?;
    cursor.expect(b'/')?;
    let (day, _) = cursor.digits(1, 2)?;
    cursor.expect(b'/')?;
    let (year, _) = cursor.digits(4, 4)?;
    let days = days_from_civil(i32::try_from(year).ok()?, month, day)?;
    if cursor.at_end() {
        return Some(days * MILLIS_PER_DAY);
    }
    cursor.expect(b' ')?;
    let (mut hour, _) = cursor.digits(1, 2)?;
    cursor.expect(b':')?;
    let (minute, _) = cursor.digits(2, 2)?;
    let mut second = 0;
    if cursor.peek() == Some(b':') {
        cursor.position += 1;
        second = cursor.digits(2, 2)?.0;
    }
    while cursor.peek() == Some(b' ') {
        cursor.position += 1;
    }
    if !cursor.at_end() {
        let rest = &bytes[cursor.position..];
        let is_pm = if rest.eq_ignore_ascii_case(b"PM") {
            true
        } else if rest.eq_ignore_ascii_case(b"AM") {
            false
        } else {
            return None;
        };
        if hour == 0 || hour > 12 {
            return None;
        }
        hour = match (is_pm, hour) {
            (false, 12) => 0,
            (false, hour) => hour,
            (true, 12) => 12,
            (true, hour) => hour + 12,
        };
    }
    Some(days * MILLIS_PER_DAY + time_of_day_millis(hour, minute, second, 0)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(text: &str) -> i64 {
        parse_timestamp(text).expect(text)
    }

    #[test]
    fn every_microsoft_form_lands_on_the_same_instant() {
        let expected = 1_789_368_864_000; // 2026-09-14T06:54:24Z
        assert_eq!(millis("2026-09-14T06:54:24Z"), expected);
        assert_eq!(millis("2026-09-14T06:54:24"), expected);
        assert_eq!(millis("2026-09-14T06:54:24.0000000Z "), expected);
        assert_eq!(millis("2026-09-14T08:54:24+02:00"), expected);
        assert_eq!(millis("2026-09-14T01:54:24-0500"), expected);
        assert_eq!(millis("9/14/2026 6:54:24 AM"), expected);
        assert_eq!(millis(" 9/14/2026 6:54:24 am "), expected);
        assert_eq!(millis("2026-09-14 06:54:24"), expected);
    }

    #[test]
    fn powershell_5_json_dates_are_utc_milliseconds() {
        assert_eq!(millis("/Date(1663842405000)/"), 1_663_842_405_000);
        assert_eq!(millis("/Date(1663842405000+0200)/"), 1_663_842_405_000);
        assert_eq!(millis("/Date(-62135596800000)/"), NEVER_PLACEHOLDER_MILLIS);
        for broken in [
            "/Date(abc)/",
            "/Date(1663842405000",
            "/Date(1663842405000+02)/",
        ] {
            assert!(parse_timestamp(broken).is_err(), "{broken} accepted");
        }
    }

    #[test]
    fn dates_before_2000_are_implausible_except_the_placeholder() {
        for text in ["1999-12-31T23:59:59Z", "1/1/1970 12:00:00 AM", "/Date(0)/"] {
            let problem = parse_recorded_timestamp(text).expect_err(text);
            assert!(problem.contains("before 2000"), "{problem}");
        }
        assert_eq!(
            parse_recorded_timestamp("2000-01-01T00:00:00Z"),
            Ok(EARLIEST_PLAUSIBLE_MILLIS)
        );
        assert_eq!(
            parse_recorded_timestamp("0001-01-01T00:00:00Z"),
            Ok(NEVER_PLACEHOLDER_MILLIS)
        );
    }

    #[test]
    fn graph_placeholders_mean_no_value() {
        assert_eq!(parse_optional_timestamp(""), Ok(None));
        assert_eq!(parse_optional_timestamp("  "), Ok(None));
        assert_eq!(parse_optional_timestamp("0001-01-01T00:00:00Z"), Ok(None));
        assert_eq!(
            parse_optional_timestamp("/Date(-62135596800000)/"),
            Ok(None)
        );
        assert_eq!(
            parse_optional_timestamp("2026-09-14T06:54:24Z"),
            Ok(Some(1_789_368_864_000))
        );
        assert!(parse_optional_timestamp("soon").is_err());
    }

    #[test]
    fn formats_back_to_iso() {
        assert_eq!(format_millis(1_789_368_864_999), "2026-09-14T06:54:24Z");
        assert_eq!(format_millis(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn fractions_keep_milliseconds() {
        assert_eq!(millis("1970-01-01T00:00:00.1234567Z"), 123);
        assert_eq!(millis("1970-01-01T00:00:00.5Z"), 500);
    }

    #[test]
    fn twelve_o_clock_in_us_style() {
        assert_eq!(millis("1/1/1970 12:00:00 AM"), 0);
        assert_eq!(millis("1/1/1970 12:00:00 PM"), 12 * 3_600_000);
        assert_eq!(millis("1/1/1970 1:00:00 PM"), 13 * 3_600_000);
    }

    #[test]
    fn nonsense_is_rejected() {
        for text in [
            "",
            "yesterday",
            "2026-02-30T00:00:00Z",
            "2026-09-14T25:00:00Z",
            "2026-09-14T06:54:24Zjunk",
            "13/1/2026 1:00:00 PM",
            "1/1/2026 13:00:00 PM",
        ] {
            assert!(parse_timestamp(text).is_err(), "{text} accepted");
        }
    }
}
