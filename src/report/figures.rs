//! Figures that may be unknown, and shares: the two value types a report shows besides money.
//!
//! A figure the snapshot cannot prove (active seats when sign-in activity was not collected) is
//! [`Figure::Unknown`] and reads `unknown`, never 0: a finance reader would take a 0 at its word.

use std::fmt;

/// A figure, or the fact that the snapshot cannot tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure<T> {
    Known(T),
    Unknown,
}

impl<T> Figure<T> {
    /// `Known(value)` when `known`, else `Unknown`.
    pub fn when(known: bool, value: T) -> Figure<T> {
        if known {
            Figure::Known(value)
        } else {
            Figure::Unknown
        }
    }

    pub fn known(self) -> Option<T> {
        match self {
            Figure::Known(value) => Some(value),
            Figure::Unknown => None,
        }
    }
}

/// The text every renderer shows for an unknown figure.
pub const UNKNOWN: &str = "unknown";

impl<T: fmt::Display> fmt::Display for Figure<T> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Figure::Known(value) => value.fmt(formatter),
            Figure::Unknown => formatter.write_str(UNKNOWN),
        }
    }
}

/// A share in tenths of a percent (`875` is 87.5 %), rounded half away from zero; it may
/// exceed 100 % (more seats assigned than bought).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Percent(pub i64);

impl Percent {
    /// `part / whole`, or `None` when `whole` is not positive.
    pub fn of(part: i64, whole: i64) -> Option<Percent> {
        if whole <= 0 {
            return None;
        }
        let scaled = i128::from(part) * 1000;
        let whole = i128::from(whole);
        let rounded = if scaled >= 0 {
            (scaled + whole / 2) / whole
        } else {
            (scaled - whole / 2) / whole
        };
        i64::try_from(rounded).ok().map(Percent)
    }

    /// The share as a fraction (`0.875`), for spreadsheets that format it themselves.
    pub fn fraction(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

impl fmt::Display for Percent {
    /// `87.5%`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let tenths = self.0.abs();
        write!(formatter, "{sign}{}.{}%", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_reads_unknown_never_zero() {
        assert_eq!(Figure::<i64>::Unknown.to_string(), "unknown");
        assert_eq!(Figure::Known(0).to_string(), "0");
        assert_eq!(Figure::when(false, 12).known(), None);
    }

    #[test]
    fn percent_rounds_half_away_from_zero() {
        assert_eq!(Percent::of(7, 8), Some(Percent(875)));
        assert_eq!(
            Percent::of(1, 3).map(|share| share.to_string()),
            Some("33.3%".into())
        );
        assert_eq!(
            Percent::of(2, 3).map(|share| share.to_string()),
            Some("66.7%".into())
        );
        assert_eq!(
            Percent::of(12, 10).map(|share| share.to_string()),
            Some("120.0%".into())
        );
        assert_eq!(Percent::of(1, 0), None);
    }
}
