//! Thresholds that decide an unattended run's exit code: `inactive-holder>50` (more than 50
//! findings of a kind), `findings>=200`, `savings>1000` (monthly savings above an amount),
//! `cost-to-comply>0`, `cost>25000`. A crossed threshold makes the run exit with 1 (SPEC §4),
//! so a scheduler can alert on it; a malformed one is refused by name before anything runs.

use crate::analyze::FindingKind;
use crate::analyze::summary::Summary;
use crate::money::Money;
use serde::Serialize;
use std::fmt;

/// What a threshold measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// The number of findings of one kind.
    Kind(FindingKind),
    /// The number of findings of every kind.
    Findings,
    /// `monthly_savings`.
    Savings,
    /// `monthly_cost_to_comply`.
    CostToComply,
    /// `monthly_cost`.
    Cost,
}

/// `>` or `>=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Above,
    AtLeast,
}

/// The limit: a count for finding metrics, money for amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Count(u64),
    Amount(Money),
}

/// One threshold, as written in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threshold {
    pub metric: Metric,
    pub comparison: Comparison,
    pub limit: Limit,
    /// The text it was parsed from, to name it in messages.
    pub text: String,
}

/// A threshold that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "threshold {text:?}: {problem}\nhint: write METRIC>LIMIT or METRIC>=LIMIT, where METRIC is a finding kind ({kinds}), findings, savings, cost-to-comply or cost; e.g. inactive-holder>50, savings>1000"
)]
pub struct ThresholdError {
    pub text: String,
    pub problem: String,
    kinds: String,
}

/// A crossed threshold and the value that crossed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crossed {
    pub threshold: String,
    /// The measured value, as text (`57`, `1234.50`).
    pub value: String,
}

impl Threshold {
    pub fn parse(text: &str) -> Result<Threshold, ThresholdError> {
        let error = |problem: &str| ThresholdError {
            text: text.to_string(),
            problem: problem.to_string(),
            kinds: FindingKind::ALL.map(FindingKind::as_str).join(", "),
        };
        let trimmed = text.trim();
        let (name, comparison, limit) = if let Some((name, limit)) = trimmed.split_once(">=") {
            (name, Comparison::AtLeast, limit)
        } else if let Some((name, limit)) = trimmed.split_once('>') {
            (name, Comparison::Above, limit)
        } else {
            return Err(error("no comparison: use > or >="));
        };
        let name = name.trim().to_ascii_lowercase();
        let limit = limit.trim();
        let metric = match name.as_str() {
            "findings" => Metric::Findings,
            "savings" => Metric::Savings,
            "cost-to-comply" => Metric::CostToComply,
            "cost" => Metric::Cost,
            other => match FindingKind::parse(other) {
                Some(kind) => Metric::Kind(kind),
                None => {
                    return Err(error(&format!(
                        "{other:?} is not something a threshold can measure"
                    )));
                }
            },
        };
        let limit = match metric {
            Metric::Kind(_) | Metric::Findings => match limit.parse::<u64>() {
                Ok(count) => Limit::Count(count),
                Err(_) => {
                    return Err(error(&format!(
                        "{limit:?} is not a whole number of findings"
                    )));
                }
            },
            Metric::Savings | Metric::CostToComply | Metric::Cost => match Money::parse(limit) {
                Ok(amount) => Limit::Amount(amount),
                Err(problem) => return Err(error(&problem)),
            },
        };
        Ok(Threshold {
            metric,
            comparison,
            limit,
            text: trimmed.to_string(),
        })
    }

    /// The value this threshold measures in `summary`, and whether it crosses it.
    pub fn check(&self, summary: &Summary) -> Option<Crossed> {
        let count = |count: usize| u64::try_from(count).unwrap_or(u64::MAX);
        let (crossed, value) = match (self.metric, self.limit) {
            (Metric::Kind(kind), Limit::Count(limit)) => {
                let found = count(summary.by_kind.get(&kind).map_or(0, |total| total.count));
                (self.compare(found, limit), found.to_string())
            }
            (Metric::Findings, Limit::Count(limit)) => {
                let found = count(summary.by_kind.values().map(|total| total.count).sum());
                (self.compare(found, limit), found.to_string())
            }
            (Metric::Savings, Limit::Amount(limit)) => (
                self.compare(summary.monthly_savings, limit),
                summary.monthly_savings.to_string(),
            ),
            (Metric::CostToComply, Limit::Amount(limit)) => (
                self.compare(summary.monthly_cost_to_comply, limit),
                summary.monthly_cost_to_comply.to_string(),
            ),
            (Metric::Cost, Limit::Amount(limit)) => (
                self.compare(summary.monthly_cost, limit),
                summary.monthly_cost.to_string(),
            ),
            _ => (false, String::new()),
        };
        crossed.then(|| Crossed {
            threshold: self.text.clone(),
            value,
        })
    }

    fn compare<T: PartialOrd>(&self, value: T, limit: T) -> bool {
        match self.comparison {
            Comparison::Above => value > limit,
            Comparison::AtLeast => value >= limit,
        }
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

/// Every threshold of `thresholds` that `summary` crosses.
pub fn crossed(thresholds: &[Threshold], summary: &Summary) -> Vec<Crossed> {
    thresholds
        .iter()
        .filter_map(|threshold| threshold.check(summary))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::summary::KindTotal;

    fn summary() -> Summary {
        let mut by_kind = std::collections::BTreeMap::new();
        by_kind.insert(
            FindingKind::InactiveHolder,
            KindTotal {
                count: 51,
                monthly_amount: Money::parse("100").unwrap_or_default(),
            },
        );
        Summary {
            users: 60,
            licensed_users: 55,
            by_kind,
            monthly_cost: Money::parse("5000").unwrap_or_default(),
            monthly_savings: Money::parse("1000").unwrap_or_default(),
            monthly_cost_to_comply: Money::ZERO,
            monthly_savings_reassignable_now: Money::ZERO,
        }
    }

    #[test]
    fn parses_counts_and_amounts() {
        let threshold = Threshold::parse(" inactive-holder > 50 ");
        assert_eq!(
            threshold
                .as_ref()
                .map(|threshold| (threshold.metric, threshold.limit)),
            Ok((Metric::Kind(FindingKind::InactiveHolder), Limit::Count(50)))
        );
        let savings = Threshold::parse("savings>=1000.50");
        assert_eq!(
            savings.map(|threshold| (threshold.comparison, threshold.limit)),
            Ok((
                Comparison::AtLeast,
                Limit::Amount(Money::parse("1000.50").unwrap_or_default())
            ))
        );
    }

    #[test]
    fn mistakes_are_named() {
        for text in [
            "inactive-holders>5",
            "savings<3",
            "findings>many",
            "savings>-1",
        ] {
            let error = Threshold::parse(text).err().map(|error| error.to_string());
            assert!(
                error
                    .as_deref()
                    .is_some_and(|message| message.contains(text)),
                "{text}: {error:?}"
            );
        }
    }

    #[test]
    fn crossing_is_strict_or_not() {
        let summary = summary();
        let check = |text: &str| {
            Threshold::parse(text)
                .ok()
                .and_then(|threshold| threshold.check(&summary))
                .map(|crossed| crossed.value)
        };
        assert_eq!(check("inactive-holder>50"), Some("51".to_string()));
        assert_eq!(check("inactive-holder>51"), None);
        assert_eq!(check("savings>1000"), None);
        assert_eq!(check("savings>=1000"), Some("1000.00".to_string()));
        assert_eq!(check("findings>=51"), Some("51".to_string()));
        assert_eq!(check("missing-premium>0"), None);
    }
}
