//! Exact money: amounts are integer micro-units of the price book's currency.
//!
//! Prices such as 12.375 must add up exactly over two hundred thousand findings; floating
//! point would drift. Amounts stay in micro-units through the analysis and are rounded to
//! cents (half away from zero) only where people read them, as SPEC §3 asks.
//!
//! In the JSON files stages hand each other (`findings.json`, `plan.json`) an amount is a JSON
//! number with its exact decimal digits (`12.50`, `12.375`). It never passes through `f64`:
//! it is written as raw number text and read back from the number's raw text (serde_json's
//! `RawValue`), so `12345678901.23` stays `12345678901.23`.

use serde::de::Error as _;
use serde::ser::Error as _;
use serde_json::value::RawValue;
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

    /// The amount rounded to whole cents, half away from zero, still as money.
    pub fn rounded_to_cents(self) -> Money {
        Money(self.cents() * (MICROS_PER_UNIT / 100))
    }

    /// `count` times the amount (a price times seats or members).
    pub fn times(self, count: i64) -> Money {
        Money(self.0 * count)
    }

    /// The exact amount as decimal text with at least two decimals and no trailing zeros
    /// beyond them: `20.00`, `12.375`, `0.000001`, `-3.50`. This is the JSON number written.
    pub fn exact(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let micros = self.0.unsigned_abs();
        let per_unit = MICROS_PER_UNIT.unsigned_abs();
        let mut fraction = format!("{:06}", micros % per_unit);
        while fraction.len() > 2 && fraction.ends_with('0') {
            fraction.pop();
        }
        format!("{sign}{}.{fraction}", micros / per_unit)
    }

    /// Reads the text of a JSON number (`-12.5`, `20`, `0.000001`) exactly. More than six
    /// decimals, an exponent, or anything that is not a number is refused: nothing is rounded
    /// on the way in.
    pub fn from_json_number(text: &str) -> Result<Money, String> {
        let refuse = |why: &str| {
            Err(format!(
                "{why}: {text} (an amount is a JSON number with at most 6 decimals, e.g. 12.50)"
            ))
        };
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (digits, None),
        };
        if digits.starts_with(|first: char| first.is_ascii_digit()) && digits.contains(['e', 'E']) {
            return refuse("exponent notation is not exact decimal text");
        }
        let all_digits =
            |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
        if !all_digits(whole) || fraction.is_some_and(|fraction| !all_digits(fraction)) {
            return refuse("not an amount");
        }
        let fraction = fraction.unwrap_or("");
        if fraction.len() > 6 {
            return refuse("more than 6 decimals");
        }
        let Ok(amount) = Money::parse(&format!("{whole}.{fraction}")) else {
            return refuse("amount too large");
        };
        Ok(if negative { Money(-amount.0) } else { amount })
    }
}

impl serde::Serialize for Money {
    /// A JSON number with the exact decimal digits ([`Money::exact`]). Meant for serde_json:
    /// the number is handed over as raw JSON text, never as a binary float.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RawValue::from_string(self.exact())
            .map_err(S::Error::custom)?
            .serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    /// From the raw text of a JSON number ([`Money::from_json_number`]). Meant for serde_json
    /// reading text or bytes; a `serde_json::Value` has already turned numbers into floats.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Money::from_json_number(raw.get()).map_err(D::Error::custom)
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

    #[test]
    fn writes_exact_decimal_digits() {
        assert_eq!(Money(20_000_000).exact(), "20.00");
        assert_eq!(Money(12_375_000).exact(), "12.375");
        assert_eq!(Money(1).exact(), "0.000001");
        assert_eq!(Money(0).exact(), "0.00");
        assert_eq!(Money(-3_500_000).exact(), "-3.50");
        assert_eq!(Money(i64::MIN).exact(), "-9223372036854.775808");
    }

    #[test]
    fn reads_json_number_text_exactly() {
        assert_eq!(Money::from_json_number("20"), Ok(Money(20_000_000)));
        assert_eq!(Money::from_json_number("20.0"), Ok(Money(20_000_000)));
        assert_eq!(Money::from_json_number("-0.5"), Ok(Money(-500_000)));
        assert_eq!(
            Money::from_json_number("12345678901.23"),
            Ok(Money(12_345_678_901_230_000))
        );
        for (text, why) in [
            ("0.0000001", "more than 6 decimals"),
            ("1e3", "exponent"),
            ("1.5E-2", "exponent"),
            ("\"12.50\"", "not an amount"),
            ("null", "not an amount"),
            ("true", "not an amount"),
            ("99999999999999", "too large"),
        ] {
            let error = Money::from_json_number(text).expect_err(text);
            assert!(error.contains(why), "{text}: {error}");
        }
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Priced {
        monthly_amount: Money,
        amounts: Vec<Money>,
    }

    #[test]
    fn json_round_trips_never_through_a_float() {
        // 12345678901.23 has no exact binary float; 0.1 + 0.2 is not 0.3 in one.
        let tenth = Money::from_json_number("0.1").expect("0.1");
        let fifth = Money::from_json_number("0.2").expect("0.2");
        let priced = Priced {
            monthly_amount: Money(12_345_678_901_230_000),
            amounts: vec![tenth + fifth, Money(12_375_000), Money(1)],
        };
        let text = serde_json::to_string(&priced).expect("serialise");
        assert_eq!(
            text,
            r#"{"monthly_amount":12345678901.23,"amounts":[0.30,12.375,0.000001]}"#
        );
        assert_eq!(
            priced.amounts[0],
            Money::from_json_number("0.3").expect("0.3")
        );
        let from_text: Priced = serde_json::from_str(&text).expect("from text");
        assert_eq!(from_text, priced);
        let from_reader: Priced =
            serde_json::from_reader(std::io::Cursor::new(text.as_bytes())).expect("from reader");
        assert_eq!(from_reader, priced);
        let pretty = serde_json::to_string_pretty(&priced).expect("pretty");
        assert!(
            pretty.contains("\"monthly_amount\": 12345678901.23,"),
            "{pretty}"
        );
        assert_eq!(
            serde_json::from_str::<Priced>(&pretty).expect("pretty"),
            priced
        );
    }

    #[test]
    fn a_bad_amount_names_its_field() {
        let path = std::path::Path::new("plan.json");
        for (text, why) in [
            (
                r#"{"monthly_amount": "12.50", "amounts": []}"#,
                "not an amount",
            ),
            (
                r#"{"monthly_amount": 1.0000001, "amounts": []}"#,
                "more than 6 decimals",
            ),
            (r#"{"monthly_amount": 1, "amounts": [2, 3e2]}"#, "exponent"),
        ] {
            let error = crate::contract::from_slice::<Priced>(path, text.as_bytes())
                .expect_err(text)
                .to_string();
            let field = if text.contains("3e2") {
                "amounts[1]"
            } else {
                "monthly_amount"
            };
            assert!(
                error.starts_with(&format!("plan.json: {field}: ")) && error.contains(why),
                "{text}: {error}"
            );
        }
    }
}
