//! Random numbers for the uncertainty module: seeded ChaCha8 streams and the few variates needed.
//!
//! The conversions from 64-bit words to floats, indices and normals are written here rather than
//! taken from `rand`'s distributions so that a design or a bootstrap stays the same across `rand`
//! versions: only ChaCha8's word stream (fixed by its specification) matters. Must not create a
//! generator from entropy or the clock.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// ChaCha8 generator for `seed`, on its own `stream`, so that two uses of one seed (say, a
/// design and its bootstrap) never share numbers.
#[must_use]
pub fn seeded_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// A 32-byte ChaCha8 key derived from `seed` and `label`: one key per generation of a sampler,
/// from which each proposal takes its own stream.
pub(crate) fn derived_key(seed: u64, label: u64) -> [u8; 32] {
    let mut root = seeded_rng(seed, label);
    let mut key = [0u8; 32];
    root.fill_bytes(&mut key);
    key
}

/// Generator on stream `stream` of `key`.
pub(crate) fn keyed_rng(key: [u8; 32], stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(stream);
    rng
}

/// 2⁻⁵³: the spacing of the floats produced by [`uniform`].
const UNIT_53: f64 = 1.0 / 9_007_199_254_740_992.0;

/// Uniform on `[0, 1)` with 53 random bits.
pub(crate) fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * UNIT_53
}

/// Uniform on the open interval `(0, 1)`: never 0, so its logarithm is finite.
pub(crate) fn uniform_open(rng: &mut ChaCha8Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * UNIT_53
}

/// Uniform index in `0..n` without modulo bias (Lemire 2019, multiply and reject). `n` must be
/// positive; callers check it.
pub(crate) fn index_below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    debug_assert!(n > 0, "index_below needs a positive bound");
    let n = n as u64;
    // Products whose low word falls below `threshold` would over-represent some indices.
    let threshold = n.wrapping_neg() % n;
    loop {
        let product = u128::from(rng.next_u64()) * u128::from(n);
        if (product as u64) >= threshold {
            return (product >> 64) as usize;
        }
    }
}

/// Standard normal variate by the Box–Muller transform (one of the pair is used, so each call
/// consumes exactly two words and the stream position stays predictable).
pub(crate) fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let radius = (-2.0 * uniform_open(rng).ln()).sqrt();
    let angle = std::f64::consts::TAU * uniform(rng);
    radius * angle.cos()
}

/// Uniformly random permutation of `0..n` (Fisher–Yates).
pub(crate) fn permutation(rng: &mut ChaCha8Rng, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = index_below(rng, i + 1);
        order.swap(i, j);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_stays_in_unit_interval_and_normal_has_unit_variance() {
        let mut rng = seeded_rng(7, 0);
        let n = 200_000;
        let mut sum = 0.0;
        let mut sum_sq = 0.0;
        for _ in 0..n {
            let u = uniform(&mut rng);
            assert!((0.0..1.0).contains(&u));
            let z = standard_normal(&mut rng);
            sum += z;
            sum_sq += z * z;
        }
        let mean = sum / f64::from(n);
        let variance = sum_sq / f64::from(n) - mean * mean;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((variance - 1.0).abs() < 0.01, "variance {variance}");
    }

    #[test]
    fn index_below_covers_every_index_evenly() {
        let mut rng = seeded_rng(1, 2);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            counts[index_below(&mut rng, 7)] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn streams_of_one_seed_differ() {
        let a = uniform(&mut seeded_rng(3, 0));
        let b = uniform(&mut seeded_rng(3, 1));
        assert_ne!(a.to_bits(), b.to_bits());
    }
}
