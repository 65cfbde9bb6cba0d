//! Random streams: the only place generators are created.
//!
//! Every random number comes from a ChaCha8 stream keyed by (run seed, phase) and selected by a
//! stream id (an RNG chunk of people, a locality, an event) and a position derived from the
//! tick. The numbers an agent gets therefore depend on the seed, the phase, the tick and its id
//! only: never on the thread count, the iteration order or how many numbers another phase drew.
//! Each person draws exactly [`DRAWS_PER_PERSON`] numbers per tick, whether or not it uses them,
//! so the same person gets the same numbers in two arms of a comparison (common random numbers).

use rand::{Rng, SeedableRng};
use rand_chacha::{ChaCha8Rng, ChaCha20Rng};

/// People per RNG chunk: one stream per chunk per tick. Part of the reproducibility contract:
/// never derive it from the thread count.
pub const PERSON_CHUNK: usize = 4096;

/// Random numbers each person draws per tick.
pub const DRAWS_PER_PERSON: usize = 8;

/// Phases that draw random numbers. Discriminants are stream keys: never renumber them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Phase {
    /// Building the initial population.
    Init = 0,
    /// Scheduled events (epidemic seeding, surges, splits).
    Events = 1,
    /// Mission observation.
    Planning = 2,
    /// Armed-group attacks, battles, operations and protests.
    Conflict = 3,
    /// The per-person update.
    People = 4,
    /// Attributing realised victims to events.
    Attribution = 5,
    /// Bootstrap resampling in experiment statistics.
    Bootstrap = 6,
    /// Births: how many in each home locality, their mothers and their traits.
    Births = 7,
}

const PHASES: usize = 8;

/// Keys for every phase of one run.
#[derive(Debug, Clone)]
pub struct Streams {
    keys: [[u8; 32]; PHASES],
}

impl Streams {
    /// Derives the phase keys from a run seed.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        let mut keys = [[0u8; 32]; PHASES];
        for (phase, key) in keys.iter_mut().enumerate() {
            let mut root = ChaCha20Rng::seed_from_u64(seed);
            root.set_stream(phase as u64);
            root.fill_bytes(key);
        }
        Self { keys }
    }

    /// Stream `stream` of `phase` at `tick`, positioned at its start.
    #[must_use]
    pub fn at(&self, phase: Phase, stream: u64, tick: u32) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.keys[phase as usize]);
        // NOTE: set the stream first, then the position (rand's chacha20 resets the position on
        // set_stream; rand_chacha keeps it). 2^32 words per (stream, tick).
        rng.set_stream(stream);
        rng.set_word_pos(u128::from(tick) << 32);
        rng
    }
}

/// The largest seed peacesim accepts or writes: 2^53 - 1. Every output that records a seed (CSV
/// columns, manifests, reports) is read by R, pandas and JavaScript as a double, which holds
/// integers exactly only up to 2^53; a larger seed would be read back as a different number and
/// could not reproduce its run.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// Checks a seed given by a user (a scenario's `run.seed`, a plan's `seed`, `--seed`).
///
/// # Errors
/// A message saying why seeds above [`MAX_SEED`] are refused.
pub fn check_seed(seed: u64) -> Result<u64, String> {
    if seed <= MAX_SEED {
        Ok(seed)
    } else {
        Err(format!(
            "must be at most 2^53 - 1 = {MAX_SEED} (so that R, pandas and JavaScript read it back exactly), got {seed}"
        ))
    }
}

/// Derives the seed of one run of an experiment from the master seed, the design point and the
/// replicate, by hashing (never consecutive integers). The hash is cut to its low 53 bits so the
/// seed is exact in a double (see [`MAX_SEED`]); 2^53 seeds leave collisions negligible.
#[must_use]
pub fn derive_seed(master: u64, design_point: u64, replicate: u64) -> u64 {
    let mut h = splitmix(master ^ 0x5045_4143_4553_494d); // "PEACESIM"
    h = splitmix(h ^ design_point.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    splitmix(h ^ replicate.wrapping_mul(0xc2b2_ae3d_27d4_eb4f)) & MAX_SEED
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Uniform in (0, 1) from a 32-bit draw.
#[inline]
#[must_use]
pub fn unit(x: u32) -> f64 {
    (f64::from(x) + 0.5) * (1.0 / 4_294_967_296.0)
}

/// Uniform in (0, 1) from a generator.
#[inline]
pub fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    unit(rng.next_u32())
}

/// Standard normal draw (Box-Muller, one of the pair).
pub fn normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1 = uniform(rng);
    let u2 = uniform(rng);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Poisson draw with mean `lambda` (inversion below 30, normal approximation above).
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u32 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0;
    }
    if lambda < 30.0 {
        let mut k = 0u32;
        let mut p = (-lambda).exp();
        let mut cdf = p;
        let u = uniform(rng);
        while u > cdf && k < 1000 {
            k += 1;
            p *= lambda / f64::from(k);
            cdf += p;
        }
        k
    } else {
        let x = lambda + lambda.sqrt() * normal(rng) + 0.5;
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "clamped to [0, u32::MAX]")]
        let k = x.clamp(0.0, f64::from(u32::MAX)) as u32;
        k
    }
}

/// Shuffles `items` in place (Fisher-Yates: for `i` from the last index down to 1, swap item
/// `i` with a uniform index `k <= i`). Draws one uniform per swap, in that order, so a shuffle
/// is fixed by the generator's position.
pub fn shuffle<T, R: Rng + ?Sized>(items: &mut [T], rng: &mut R) {
    for i in (1..items.len()).rev() {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "an index below i + 1"
        )]
        let k = ((uniform(rng) * (i + 1) as f64) as usize).min(i);
        items.swap(i, k);
    }
}

/// Index drawn from non-negative weights (last index if rounding leaves `u` past the end).
#[must_use]
pub fn pick_weighted(weights: &[f64], u: f64) -> usize {
    let total: f64 = weights.iter().sum();
    let mut target = u * total;
    for (i, &w) in weights.iter().enumerate() {
        if target < w {
            return i;
        }
        target -= w;
    }
    weights.len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chacha8_values_are_stable() {
        // Value-stability pin: a dependency bump that changes the stream must be noticed.
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        assert_eq!(rng.next_u64(), 0xae90_bfb5_395d_5ba1);
        let s = Streams::new(7);
        let mut a = s.at(Phase::People, 3, 11);
        let first = [a.next_u32(), a.next_u32(), a.next_u32()];
        let mut b = s.at(Phase::People, 3, 11);
        assert_eq!(first, [b.next_u32(), b.next_u32(), b.next_u32()]);
        assert_eq!(first, [3_187_929_225, 3_639_067_151, 1_447_429_762]);
    }

    #[test]
    fn streams_differ_by_phase_stream_and_tick() {
        let s = Streams::new(1);
        let x = s.at(Phase::People, 0, 1).next_u32();
        assert_ne!(x, s.at(Phase::Conflict, 0, 1).next_u32());
        assert_ne!(x, s.at(Phase::People, 1, 1).next_u32());
        assert_ne!(x, s.at(Phase::People, 0, 2).next_u32());
        assert_ne!(x, Streams::new(2).at(Phase::People, 0, 1).next_u32());
    }

    #[test]
    fn derived_seeds_are_distinct_and_not_consecutive() {
        let mut seeds: Vec<u64> = (0..1000).map(|r| derive_seed(42, 0, r)).collect();
        assert_ne!(seeds[1], seeds[0] + 1);
        seeds.extend((0..1000).map(|r| derive_seed(42, 1, r)));
        assert!(seeds.iter().all(|&s| s <= MAX_SEED), "every derived seed is exact in a double");
        assert!(seeds.iter().any(|&s| s > MAX_SEED / 2), "the 53 bits are used");
        let n = seeds.len();
        seeds.sort_unstable();
        seeds.dedup();
        assert_eq!(seeds.len(), n);
    }

    #[test]
    fn seeds_above_two_to_the_53_are_refused() {
        assert_eq!(check_seed(MAX_SEED), Ok(MAX_SEED));
        assert!(check_seed(MAX_SEED + 1).unwrap_err().contains("2^53"));
        #[expect(clippy::cast_precision_loss, reason = "the point: MAX_SEED survives the trip through a double")]
        let through_a_double = MAX_SEED as f64;
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "an exact integer")]
        let back = through_a_double as u64;
        assert_eq!(back, MAX_SEED);
    }

    #[test]
    fn poisson_mean_is_close() {
        let s = Streams::new(3);
        let mut rng = s.at(Phase::Conflict, 0, 0);
        for lambda in [0.3, 4.0, 80.0] {
            let n = 20_000;
            let total: f64 = (0..n).map(|_| f64::from(poisson(&mut rng, lambda))).sum();
            let mean = total / f64::from(n);
            assert!(
                (mean - lambda).abs() < 4.0 * (lambda / f64::from(n)).sqrt() + 0.01,
                "{lambda}: {mean}"
            );
        }
    }

    #[test]
    fn shuffle_is_a_seeded_permutation() {
        let s = Streams::new(5);
        let mut a: Vec<u32> = (0..100).collect();
        shuffle(&mut a, &mut s.at(Phase::Init, 9, 1));
        let mut b: Vec<u32> = (0..100).collect();
        shuffle(&mut b, &mut s.at(Phase::Init, 9, 1));
        assert_eq!(a, b);
        assert_ne!(a, (0..100).collect::<Vec<u32>>());
        a.sort_unstable();
        assert_eq!(a, (0..100).collect::<Vec<u32>>());
        let mut one = [7];
        shuffle(&mut one, &mut s.at(Phase::Init, 9, 1));
        assert_eq!(one, [7]);
    }

    #[test]
    fn weighted_pick_respects_weights() {
        assert_eq!(pick_weighted(&[0.0, 1.0, 0.0], 0.5), 1);
        assert_eq!(pick_weighted(&[1.0, 1.0], 0.25), 0);
        assert_eq!(pick_weighted(&[1.0, 1.0], 0.75), 1);
    }
}
