//! A calendar month of history (`YYYY-MM`) and its partition folder `month=YYYY-MM`: the
//! month of an audit's as-of date, which names where the audit is kept and orders the months.

use chrono::{Datelike, NaiveDate};
use std::fmt;

/// The prefix of a month's folder in the history root (Hive-style partitioning, so DuckDB
/// and Polars read `month` as a column).
pub const FOLDER_PREFIX: &str = "month=";

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

impl Month {
    /// The month of `date`.
    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Parses `YYYY-MM`.
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.trim().split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let month: u32 = month.parse().ok()?;
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    /// The month a folder named `month=YYYY-MM` holds.
    pub fn from_folder_name(name: &str) -> Option<Month> {
        Month::parse(name.strip_prefix(FOLDER_PREFIX)?)
    }

    /// `month=YYYY-MM`.
    pub fn folder_name(self) -> String {
        format!("{FOLDER_PREFIX}{self}")
    }
}

impl fmt::Display for Month {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:04}-{:02}", self.year, self.month)
    }
}

impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(deserializer)?;
        Month::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("not a month: {text:?} (write YYYY-MM)"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_print_and_name_their_folder() {
        let month = Month::parse("2026-09").expect("month");
        assert_eq!(month.to_string(), "2026-09");
        assert_eq!(month.folder_name(), "month=2026-09");
        assert_eq!(Month::from_folder_name("month=2026-09"), Some(month));
        assert_eq!(Month::parse("2026-13"), None);
        assert_eq!(Month::parse("2026-9"), None);
        assert_eq!(Month::from_folder_name(".month=2026-09.partial-12"), None);
        assert!(Month::parse("2026-10").expect("month") > month);
    }
}
