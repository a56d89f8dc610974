//! The tenant's Power Apps license mix (SPEC §8): what covering its premium users costs today,
//! and what the cheapest mix of per user, pay-as-you-go and per app licenses would cost.
//!
//! The `right-size` rule ([`super::rules::right_size`]) prices every premium user; this is
//! its tenant-level table, written to `findings.json` (an optional field, so the schema only
//! grows) and rendered by the reports as computed: no renderer adds anything up.

use crate::money::Money;
use serde::{Deserialize, Serialize};

/// The option names, as `findings.json` writes them (also the `right-size` reasons).
pub const PER_USER: &str = "per-user";
pub const PAY_AS_YOU_GO: &str = "pay-as-you-go";
pub const PER_APP: &str = "per-app";

/// A way to cover one user's premium Power Apps use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CoverOption {
    /// Power Apps Premium per user (`POWERAPPS_PER_USER`), at the tenant's tier.
    PerUser,
    /// Pay-as-you-go: a price per active user per app per month, billed to Azure.
    PayAsYouGo,
    /// Per app passes: one per user per app.
    PerApp,
}

impl CoverOption {
    /// Every option, in the order ties are broken: the current license first.
    pub const ALL: [CoverOption; 3] = [
        CoverOption::PerUser,
        CoverOption::PayAsYouGo,
        CoverOption::PerApp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CoverOption::PerUser => PER_USER,
            CoverOption::PayAsYouGo => PAY_AS_YOU_GO,
            CoverOption::PerApp => PER_APP,
        }
    }

    /// A short name for people.
    pub fn label(self) -> &'static str {
        match self {
            CoverOption::PerUser => "Power Apps Premium per user",
            CoverOption::PayAsYouGo => "pay-as-you-go",
            CoverOption::PerApp => "per app",
        }
    }

    /// What the option's price is per.
    pub fn unit(self) -> &'static str {
        match self {
            CoverOption::PerUser => "per user a month",
            CoverOption::PayAsYouGo => "per active user per app a month",
            CoverOption::PerApp => "per user per app a month",
        }
    }

    /// Why the option is missing from a mix.
    pub fn not_considered_because(self) -> &'static str {
        match self {
            CoverOption::PerUser => "the price book has no Power Apps Premium price",
            CoverOption::PayAsYouGo => "the price book has no POWERAPPS_PAYG row",
            CoverOption::PerApp => "the price book has no per app plan that is purchasable",
        }
    }
}

/// The price of one option, as the price book gives it on the as-of date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionPrice {
    pub option: CoverOption,
    /// The price book's part number (`POWERAPPS_PER_USER`, `POWERAPPS_PAYG`, ...).
    pub part_number: String,
    /// Per user a month (per user, per app a month for pay-as-you-go and per app).
    pub monthly_price: Money,
    /// The volume tier that applies (`MinSeats`; 0 for the base tier).
    pub min_seats: i64,
    /// Where the price book says the price comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The users for whom one option is the cheapest, and what it costs for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MixOption {
    pub option: CoverOption,
    pub users: usize,
    pub monthly_cost: Money,
}

/// The tenant-level table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseMix {
    /// The calendar months wholly inside the window (`YYYY-MM`) the use is counted over.
    pub months: Vec<String>,
    /// The options considered, with their prices: per user always; pay-as-you-go when the
    /// price book has a `POWERAPPS_PAYG` row; per app when the book says it is purchasable.
    pub prices: Vec<OptionPrice>,
    /// Purchased `POWERAPPS_PER_USER` seats, which chose the per-user tier.
    pub per_user_seats: i64,
    /// Users priced: holders of per-user Premium not in a reclaim kind, and `missing-premium`
    /// users, each with premium use in those months.
    pub users: usize,
    /// Of those, holding per-user Premium.
    pub holders: usize,
    /// Of those, holding no premium license (`missing-premium`).
    pub unlicensed: usize,
    /// What the holders' per-user licenses cost today.
    pub cost_today: Money,
    /// Every priced user on per-user Premium: today's cost plus the cost to comply.
    pub cost_all_per_user: Money,
    /// Every priced user on the cheapest option for them: the sum of their monthly costs, each
    /// an average over the months rounded half up to a micro-unit.
    pub cost_cheapest_mix: Money,
    /// The cheapest mix by option, in [`CoverOption::ALL`] order, options considered only.
    pub by_option: Vec<MixOption>,
    /// Users whose two cheapest options differ by at most 10 % of the dearer of the two: a
    /// little more or less use would change the answer.
    pub near_break_even: usize,
    /// Holders and unlicensed users left out because none of their premium use falls in those
    /// months.
    pub without_use_in_months: usize,
}

impl LicenseMix {
    /// The table as `findings.json` writes it: amounts rounded to cents (SPEC §3).
    pub fn rounded_to_cents(&self) -> LicenseMix {
        LicenseMix {
            cost_today: self.cost_today.rounded_to_cents(),
            cost_all_per_user: self.cost_all_per_user.rounded_to_cents(),
            cost_cheapest_mix: self.cost_cheapest_mix.rounded_to_cents(),
            by_option: self
                .by_option
                .iter()
                .map(|row| MixOption {
                    monthly_cost: row.monthly_cost.rounded_to_cents(),
                    ..row.clone()
                })
                .collect(),
            ..self.clone()
        }
    }
}
