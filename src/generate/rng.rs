//! Deterministic pseudo-random numbers for the synthetic tenant generator.
//!
//! The generator must write byte-identical snapshots for the same `(users, seed, as_of)`, on
//! every platform and every run, without depending on the `rand` crate. This module provides a
//! small xoshiro256** generator seeded through SplitMix64, independent named streams derived from
//! one seed (so adding draws to one stage never shifts another stage's output), and the sampling
//! helpers the generator needs: uniform ranges, probabilities, weighted choice, shuffles,
//! heavy-tailed counts, binomial splits and Zipf-like popularity tables.

pub use crate::model::guid::Guid;

/// SplitMix64 step: used to expand a 64-bit seed into xoshiro state.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over a stream name, so that each generator stage gets its own sequence.
fn stream_hash(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// A xoshiro256** pseudo-random generator.
#[derive(Debug, Clone)]
pub struct Rng {
    state: [u64; 4],
}

impl Rng {
    /// A generator for one named stream of one seed.
    pub fn stream(seed: u64, name: &str) -> Self {
        let mut mix = seed ^ stream_hash(name).rotate_left(17);
        let state = [
            splitmix64(&mut mix),
            splitmix64(&mut mix),
            splitmix64(&mut mix),
            splitmix64(&mut mix),
        ];
        Self { state }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.state[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let shifted = self.state[1] << 17;
        self.state[2] ^= self.state[0];
        self.state[3] ^= self.state[1];
        self.state[1] ^= self.state[2];
        self.state[0] ^= self.state[3];
        self.state[2] ^= shifted;
        self.state[3] = self.state[3].rotate_left(45);
        result
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        // 53 random mantissa bits; the conversion is exact.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform integer in `[0, bound)`; 0 when `bound` is 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// A uniform index into a collection of `len` items; 0 when `len` is 0.
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// A uniform integer in `[low, high]` (inclusive); `low` when `high < low`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let span = high.abs_diff(low).saturating_add(1);
        low.wrapping_add(self.below(span) as i64)
    }

    /// True with probability `probability`.
    pub fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    /// One item of a non-empty slice, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        debug_assert!(!items.is_empty(), "pick from an empty slice");
        &items[self.index(items.len())]
    }

    /// An index chosen with probability proportional to its weight; 0 when all weights are 0.
    pub fn weighted_index(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return 0;
        }
        let mut target = self.unit() * total;
        for (index, weight) in weights.iter().enumerate() {
            if target < *weight {
                return index;
            }
            target -= weight;
        }
        weights.len().saturating_sub(1)
    }

    /// The item of `(item, weight)` pairs chosen with probability proportional to its weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, f64)]) -> &'a T {
        debug_assert!(!items.is_empty(), "weighted choice from an empty slice");
        let total: f64 = items.iter().map(|(_, weight)| weight).sum();
        let mut target = self.unit() * total;
        for (item, weight) in items {
            if target < *weight {
                return item;
            }
            target -= weight;
        }
        &items[items.len() - 1].0
    }

    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for upper in (1..items.len()).rev() {
            let other = self.index(upper + 1);
            items.swap(upper, other);
        }
    }

    /// A Pareto-distributed value `>= scale`: heavy-tailed, smaller `shape` means a fatter tail.
    pub fn pareto(&mut self, scale: f64, shape: f64) -> f64 {
        let uniform = 1.0 - self.unit(); // (0, 1]
        scale / uniform.powf(1.0 / shape)
    }

    /// A binomial draw: how many of `trials` independent events with `probability` happen.
    ///
    /// Inversion of the cumulative distribution: cost grows with the result, which is what the
    /// generator needs (many draws with a small expected value).
    pub fn binomial(&mut self, trials: u32, probability: f64) -> u32 {
        if trials == 0 || probability <= 0.0 {
            return 0;
        }
        if probability >= 1.0 {
            return trials;
        }
        let failure = 1.0 - probability;
        let mut mass = failure.powi(trials.min(i32::MAX as u32) as i32);
        if mass < 1e-200 {
            // The inversion would underflow: count the trials one by one instead.
            return (0..trials)
                .map(|_| u32::from(self.chance(probability)))
                .sum();
        }
        let ratio = probability / failure;
        let mut cumulative = mass;
        let target = self.unit();
        let mut successes = 0;
        while target >= cumulative && successes < trials {
            mass *= ratio * f64::from(trials - successes) / f64::from(successes + 1);
            cumulative += mass;
            successes += 1;
        }
        successes
    }

    /// A random (version 4) GUID.
    pub fn guid(&mut self) -> Guid {
        let raw = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        version4(raw)
    }
}

/// Stamps the version-4 and RFC 4122 variant bits onto 128 random bits.
fn version4(raw: u128) -> Guid {
    let version_cleared = raw & !(0xF_u128 << 76) & !(0x3_u128 << 62);
    Guid::from_bits(version_cleared | (0x4_u128 << 76) | (0x2_u128 << 62))
}

/// Cumulative weights of a Zipf-like popularity law over ranks `0..len`.
///
/// Rank `r` has weight `1 / (r + 1)^exponent`: a few items take most of the draws and the long
/// tail still gets some.
#[derive(Debug, Clone)]
pub struct ZipfTable {
    cumulative: Vec<f64>,
}

impl ZipfTable {
    /// A table over `len` ranks with the given exponent (about 1 for real app popularity).
    pub fn new(len: usize, exponent: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..len)
            .map(|rank| {
                total += 1.0 / ((rank + 1) as f64).powf(exponent);
                total
            })
            .collect();
        Self { cumulative }
    }

    /// A rank drawn by popularity; 0 for an empty table.
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let Some(total) = self.cumulative.last() else {
            return 0;
        };
        let target = rng.unit() * total;
        self.cumulative
            .partition_point(|cumulative| *cumulative <= target)
            .min(self.cumulative.len() - 1)
    }
}

/// How many items a quota of `fraction` of `population` means: at least `minimum`, at most
/// `population`.
pub fn quota(population: usize, fraction: f64, minimum: usize) -> usize {
    let scaled = (population as f64 * fraction).round() as usize;
    scaled.max(minimum).min(population)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_deterministic_and_independent() {
        let mut first = Rng::stream(7, "users");
        let mut again = Rng::stream(7, "users");
        let mut other = Rng::stream(7, "audit");
        let drawn: Vec<u64> = (0..4).map(|_| first.next_u64()).collect();
        assert_eq!(drawn, (0..4).map(|_| again.next_u64()).collect::<Vec<_>>());
        assert_ne!(drawn, (0..4).map(|_| other.next_u64()).collect::<Vec<_>>());
    }

    #[test]
    fn helpers_stay_in_range() {
        let mut rng = Rng::stream(1, "test");
        for _ in 0..1000 {
            assert!((3..=9).contains(&rng.between(3, 9)));
            assert!(rng.unit() < 1.0);
            assert!(rng.binomial(20, 0.3) <= 20);
            assert!(rng.pareto(2.0, 1.2) >= 2.0);
        }
        assert_eq!(rng.binomial(5, 1.0), 5);
        assert_eq!(rng.binomial(5, 0.0), 0);
        // Large trial counts with high probability take the underflow-safe path.
        assert!(rng.binomial(2000, 0.99) > 1900);
        let table = ZipfTable::new(10, 1.0);
        let mut hits = [0usize; 10];
        for _ in 0..5000 {
            hits[table.sample(&mut rng)] += 1;
        }
        assert!(hits[0] > hits[9] * 3, "{hits:?}");
        assert_eq!(quota(100, 0.05, 2), 5);
        assert_eq!(quota(10, 0.05, 2), 2);
        assert_eq!(quota(1, 0.05, 2), 1);
    }

    #[test]
    fn guids_are_version_4() {
        let guid = Rng::stream(3, "guid").guid().to_string();
        assert_eq!(guid.len(), 36);
        assert_eq!(&guid[14..15], "4");
        assert!(matches!(&guid[19..20], "8" | "9" | "a" | "b"));
    }
}
