//! Exact money: amounts are integer micro-units of the price book's currency.
//!
//! Prices such as 12.375 must add up exactly over two hundred thousand findings; floating
//! point would drift. Amounts stay in micro-units through the analysis and are rounded to
//! cents (half away from zero) only when written out, as SPEC §3 asks.

use std::fmt;

/// Micro-units per whole currency unit.
pub const MICROS_PER_UNIT: i64 = 1_000_000;

/// The highest monthly price a price book may hold (100,000 a month). With
/// [`MAX_SEATS`], a SKU's seats times its price stays far inside `i64`, so per-SKU amounts can
/// be computed in the query engine; sums over SKUs and findings are checked on top.
pub const MAX_MONTHLY_PRICE: Money = Money(100_000 * MICROS_PER_UNIT);

/// The most seats one SKU may count (ten million): more is damage, not a tenant.
pub const MAX_SEATS: i64 = 10_000_000;

/// An amount of money in micro-units of the price book's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    /// Parses a non-negative decimal such as `20`, `20.00` or `12.375` (at most 6 decimals).
    pub fn parse(text: &str) -> Result<Money, String> {
        let trimmed = text.trim();
        let (whole, fraction) = match trimmed.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (trimmed, ""),
        };
        let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || fraction.len() > 6
        {
            return Err(format!(
                "not a non-negative decimal amount: {trimmed:?} (write e.g. 20.00)"
            ));
        }
        let whole_units: i64 = if whole.is_empty() {
            0
        } else {
            whole
                .parse()
                .map_err(|_| format!("amount too large: {trimmed:?}"))?
        };
        let mut fraction_micros: i64 = 0;
        for (position, digit) in fraction.bytes().enumerate() {
            let scale = 10i64.pow(5 - u32::try_from(position).unwrap_or(5));
            fraction_micros += i64::from(digit - b'0') * scale;
        }
        whole_units
            .checked_mul(MICROS_PER_UNIT)
            .and_then(|micros| micros.checked_add(fraction_micros))
            .map(Money)
            .ok_or_else(|| format!("amount too large: {trimmed:?}"))
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// `self × count`, or `None` on overflow.
    pub fn checked_times(self, count: i64) -> Option<Money> {
        self.0.checked_mul(count).map(Money)
    }

    /// The amount rounded to whole cents, half away from zero.
    pub fn cents(self) -> i64 {
        let per_cent = MICROS_PER_UNIT / 100;
        let half = per_cent / 2;
        if self.0 >= 0 {
            (self.0 + half) / per_cent
        } else {
            (self.0 - half) / per_cent
        }
    }

    /// Rounded to cents with thousands separators, e.g. `12,345.50`, for people to read.
    pub fn grouped(self) -> String {
        let plain = self.to_string();
        let (sign, digits) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain.as_str()),
        };
        let (whole, cents) = digits.split_once('.').unwrap_or((digits, "00"));
        let mut grouped = String::new();
        for (index, digit) in whole.chars().enumerate() {
            if index > 0 && (whole.len() - index) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        format!("{sign}{grouped}.{cents}")
    }

    /// The amount rounded to cents, as a JSON number.
    pub fn to_json_number(self) -> serde_json::Number {
        serde_json::Number::from_f64(self.cents() as f64 / 100.0).unwrap_or_else(|| 0.into())
    }
}

impl fmt::Display for Money {
    /// Rounded to cents with two decimals, e.g. `1234.50`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = self.cents();
        let sign = if cents < 0 { "-" } else { "" };
        write!(
            formatter,
            "{sign}{}.{:02}",
            cents.abs() / 100,
            cents.abs() % 100
        )
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |total, amount| total + amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimals_exactly() {
        assert_eq!(Money::parse("20"), Ok(Money(20_000_000)));
        assert_eq!(Money::parse("20.00"), Ok(Money(20_000_000)));
        assert_eq!(Money::parse("12.375"), Ok(Money(12_375_000)));
        assert_eq!(Money::parse(".5"), Ok(Money(500_000)));
        assert_eq!(Money::parse(" 0.000001 "), Ok(Money(1)));
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        for text in ["", "abc", "-5", "1,000", "1.2.3", "0.0000001", "$20", "."] {
            assert!(Money::parse(text).is_err(), "{text} accepted");
        }
    }

    #[test]
    fn rounds_to_cents_only_at_the_edge() {
        let three = Money::parse("0.335").map(|amount| amount.0 * 3);
        assert_eq!(
            three.map(|micros| Money(micros).to_string()),
            Ok("1.01".into())
        );
        assert_eq!(Money(12_345_000).to_string(), "12.35");
        assert_eq!(Money(12_344_999).to_string(), "12.34");
        assert_eq!(Money(1_234_567_890_000).grouped(), "1,234,567.89");
        assert_eq!(Money(999_000_000).grouped(), "999.00");
    }
}
