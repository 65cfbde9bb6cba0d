//! Summary statistics over replicates: mean, standard deviation, quantiles, and the seeded
//! percentile bootstrap intervals that every report uses (of a mean, and of paired differences
//! and relative changes); Student's t interval of the mean (kept in [`Summary`] for callers that
//! ask for it; every reported interval is a bootstrap one).
//!
//! A foundation: the experiments that compute these numbers and the figures that draw them both
//! import it, so it must not know about files, runs or the model; it imports only [`crate::rng`].

use crate::rng::{Phase, Streams, uniform};

/// Summary of a sample.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    /// Sample size.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n - 1 denominator; 0 when n < 2).
    pub sd: f64,
    /// 2.5 % quantile (linear interpolation, R type 7 / numpy default).
    pub q025: f64,
    /// 97.5 % quantile.
    pub q975: f64,
    /// Lower end of the 95 % confidence interval of the mean (t distribution).
    pub ci_low: f64,
    /// Upper end of the 95 % confidence interval of the mean.
    pub ci_high: f64,
}

/// Quantile `p` of sorted values (R type 7).
#[must_use]
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    #[expect(clippy::cast_precision_loss, reason = "sample sizes are small")]
    let h = (sorted.len() - 1) as f64 * p;
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "h is within the index range")]
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - h.floor()) * (sorted[hi] - sorted[lo])
}

/// Two-sided 97.5 % quantile of Student's t with `df` degrees of freedom.
#[must_use]
pub fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101,
        2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df - 1],
        _ => {
            // Cornish-Fisher expansion around the normal quantile; error below 1e-3 for df > 30.
            #[expect(clippy::cast_precision_loss, reason = "degrees of freedom are small")]
            let v = df as f64;
            let z: f64 = 1.959_964;
            z + (z.powi(3) + z) / (4.0 * v) + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * v * v)
        }
    }
}

/// Summarises values (any order; NaNs are not expected).
#[must_use]
pub fn summarize(values: &[f64], scratch: &mut Vec<f64>) -> Summary {
    let n = values.len();
    if n == 0 {
        return Summary::default();
    }
    #[expect(clippy::cast_precision_loss, reason = "sample sizes are small")]
    let nf = n as f64;
    let mean = values.iter().sum::<f64>() / nf;
    let sd = if n > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (nf - 1.0)).sqrt()
    } else {
        0.0
    };
    scratch.clear();
    scratch.extend_from_slice(values);
    scratch.sort_by(f64::total_cmp);
    let half = if n > 1 { t975(n - 1) * sd / nf.sqrt() } else { 0.0 };
    Summary {
        n,
        mean,
        sd,
        q025: quantile_sorted(scratch, 0.025),
        q975: quantile_sorted(scratch, 0.975),
        ci_low: mean - half,
        ci_high: mean + half,
    }
}

/// Resamples behind every bootstrap interval peacesim reports.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;

/// Quantile `p` of sorted values that may hold infinities (an unbounded resample statistic):
/// linear interpolation as [`quantile_sorted`], except that a neighbour at infinity makes the
/// quantile that infinity instead of `NaN`.
fn quantile_sorted_extended(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    #[expect(clippy::cast_precision_loss, reason = "sample sizes are small")]
    let h = (sorted.len() - 1) as f64 * p;
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "h is within the index range")]
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let (a, b, f) = (sorted[lo], sorted[hi], h - h.floor());
    if f == 0.0 || a == b || a == f64::NEG_INFINITY {
        a
    } else if b == f64::INFINITY {
        b
    } else {
        a + f * (b - a)
    }
}

/// Percentile bootstrap 95 % interval of the mean of `values`, with `resamples` draws from the
/// stream `(seed, stream)` at position 0 (so the interval itself is reproducible).
#[must_use]
pub fn bootstrap_mean_ci(values: &[f64], resamples: usize, seed: u64, stream: u64) -> (f64, f64) {
    bootstrap_mean_ci_at(&Streams::new(seed), values, resamples, stream, 0)
}

/// Percentile bootstrap 95 % interval of the mean of `values` from the stream `stream` of
/// `streams` at `position` (callers with many intervals key the generators once).
///
/// The convention for every interval of a mean that peacesim reports: each resample's mean lies
/// between the smallest and the largest value, so the interval respects any bounds the values
/// have (a count's is never below 0, a share's stays in [0, 1]), which the t interval does not.
/// `NaN` bounds for no values; a point for one value or identical values.
#[must_use]
pub fn bootstrap_mean_ci_at(streams: &Streams, values: &[f64], resamples: usize, stream: u64, position: u32) -> (f64, f64) {
    let n = values.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    if values.iter().all(|v| *v == values[0]) {
        return (values[0], values[0]);
    }
    bootstrap_mean_ci_with(values, &bootstrap_indices(streams, n, resamples, stream, position))
}

/// The indices of `resamples` bootstrap resamples of `n` values (resample after resample), drawn
/// from the stream `stream` of `streams` at `position`. Many quantities measured on the same
/// replicates (every indicator at one tick) can share them: each interval is still a percentile
/// bootstrap interval, and the draws are made once.
#[must_use]
pub fn bootstrap_indices(streams: &Streams, n: usize, resamples: usize, stream: u64, position: u32) -> Vec<u32> {
    let mut rng = streams.at(Phase::Bootstrap, stream, position);
    #[expect(clippy::cast_precision_loss, reason = "sample sizes are small")]
    let nf = n as f64;
    (0..resamples * n)
        .map(|_| {
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "an index below n")]
            let i = ((uniform(&mut rng) * nf) as usize).min(n.saturating_sub(1));
            u32::try_from(i).expect("replicate counts fit u32")
        })
        .collect()
}

/// Percentile bootstrap 95 % interval of the mean of `values` over the resamples `indices`
/// (from [`bootstrap_indices`] for `values.len()` values), as [`bootstrap_mean_ci_at`].
#[must_use]
pub fn bootstrap_mean_ci_with(values: &[f64], indices: &[u32]) -> (f64, f64) {
    let n = values.len();
    if n == 0 || values.iter().any(|v| v.is_nan()) {
        return (f64::NAN, f64::NAN);
    }
    if values.iter().all(|v| *v == values[0]) {
        return (values[0], values[0]);
    }
    #[expect(clippy::cast_precision_loss, reason = "sample sizes are small")]
    let nf = n as f64;
    let mut means: Vec<f64> = indices
        .chunks_exact(n)
        .map(|resample| resample.iter().map(|&i| values[i as usize]).sum::<f64>() / nf)
        .collect();
    means.sort_by(f64::total_cmp);
    // Rounding can carry a mean of equal-looking sums a last bit outside the values' range.
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    (
        quantile_sorted(&means, 0.025).clamp(min, max),
        quantile_sorted(&means, 0.975).clamp(min, max),
    )
}

/// Paired bootstrap 95 % percentile intervals of a difference `arm - base` over replicate pairs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedIntervals {
    /// Interval of the mean difference, low.
    pub diff_low: f64,
    /// Interval of the mean difference, high.
    pub diff_high: f64,
    /// Interval of the relative change (mean of the arm / mean of the base - 1), low: infinite
    /// when more than 2.5 % of the resamples have a base mean of 0 and an arm mean below it.
    pub rel_low: f64,
    /// Interval of the relative change, high: infinite when more than 2.5 % of the resamples
    /// have a base mean of 0 and an arm mean above it.
    pub rel_high: f64,
    /// Share of the resamples whose base mean is 0 (the relative change of each is unbounded,
    /// or 0 when the arm's mean is 0 too).
    pub base_zero_share: f64,
}

/// Paired bootstrap: 95 % percentile intervals of the mean difference `arm - base` and of the
/// relative change of the means (the ratio of the resampled means minus 1), resampling
/// replicate pairs with the stream `(seed, stream)` at position 0.
///
/// A resample whose base mean is 0 has no finite relative change: it counts as +inf or -inf
/// (by the sign of the arm's mean) or 0 (both 0), so the interval is finite only when such
/// resamples fall in the 2.5 % tails; [`PairedIntervals::base_zero_share`] says how many there were.
#[must_use]
pub fn bootstrap_paired(base: &[f64], arm: &[f64], resamples: usize, seed: u64, stream: u64) -> PairedIntervals {
    let n = base.len().min(arm.len());
    if n == 0 {
        return PairedIntervals {
            diff_low: f64::NAN,
            diff_high: f64::NAN,
            rel_low: f64::NAN,
            rel_high: f64::NAN,
            base_zero_share: f64::NAN,
        };
    }
    let streams = Streams::new(seed);
    let mut rng = streams.at(Phase::Bootstrap, stream, 0);
    #[expect(clippy::cast_precision_loss, reason = "sample sizes are small")]
    let nf = n as f64;
    let mut diffs = Vec::with_capacity(resamples);
    let mut rels = Vec::with_capacity(resamples);
    let mut base_zero = 0usize;
    for _ in 0..resamples {
        let (mut sb, mut sa) = (0.0, 0.0);
        for _ in 0..n {
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "an index below n")]
            let i = ((uniform(&mut rng) * nf) as usize).min(n - 1);
            sb += base[i];
            sa += arm[i];
        }
        diffs.push((sa - sb) / nf);
        rels.push(if sb != 0.0 {
            (sa - sb) / sb
        } else {
            base_zero += 1;
            if sa == 0.0 { 0.0 } else { f64::INFINITY.copysign(sa) }
        });
    }
    diffs.sort_by(f64::total_cmp);
    rels.sort_by(f64::total_cmp);
    #[expect(clippy::cast_precision_loss, reason = "resample counts are small")]
    let base_zero_share = base_zero as f64 / resamples.max(1) as f64;
    PairedIntervals {
        diff_low: quantile_sorted(&diffs, 0.025),
        diff_high: quantile_sorted(&diffs, 0.975),
        rel_low: quantile_sorted_extended(&rels, 0.025),
        rel_high: quantile_sorted_extended(&rels, 0.975),
        base_zero_share,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        // numpy.quantile([1,2,3,4,10], [0.025, 0.975]) = [1.1, 9.4]
        assert!((quantile_sorted(&v, 0.025) - 1.1).abs() < 1e-12);
        assert!((quantile_sorted(&v, 0.975) - 9.4).abs() < 1e-12);
    }

    #[test]
    fn summary_matches_a_hand_computation() {
        let s = summarize(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], &mut Vec::new());
        assert_eq!(s.n, 8);
        assert!((s.mean - 5.0).abs() < 1e-12);
        assert!((s.sd - 2.138_089_935_299_395).abs() < 1e-12);
        let half = 2.365 * s.sd / 8f64.sqrt();
        assert!((s.ci_high - (5.0 + half)).abs() < 1e-12);
    }

    #[test]
    fn t_quantiles_approach_the_normal() {
        assert!((t975(10) - 2.228).abs() < 1e-9);
        assert!((t975(40) - 2.021).abs() < 2e-3);
        assert!((t975(1000) - 1.962).abs() < 1e-3);
    }

    #[test]
    fn bootstrap_intervals_of_counts_and_shares_stay_within_their_bounds() {
        // A skewed count: mostly 0, one large value. The t interval goes below 0.
        let counts = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 40.0];
        let s = summarize(&counts, &mut Vec::new());
        assert!(s.ci_low < 0.0, "the t interval of this sample is below 0: {}", s.ci_low);
        let (lo, hi) = bootstrap_mean_ci(&counts, BOOTSTRAP_RESAMPLES, 1, 0);
        assert!(lo >= 0.0 && hi <= 40.0 && lo < 4.0 && hi > 4.0, "{lo} {hi}");
        // A share near 1.
        let shares = [1.0, 1.0, 1.0, 1.0, 0.9, 1.0, 1.0, 1.0];
        assert!(summarize(&shares, &mut Vec::new()).ci_high > 1.0, "the t interval passes 1");
        let (lo, hi) = bootstrap_mean_ci(&shares, BOOTSTRAP_RESAMPLES, 1, 0);
        assert!((0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi) && lo < hi, "{lo} {hi}");
        assert_eq!(bootstrap_mean_ci(&[3.0, 3.0], BOOTSTRAP_RESAMPLES, 1, 0), (3.0, 3.0));
        assert!(bootstrap_mean_ci(&[], BOOTSTRAP_RESAMPLES, 1, 0).0.is_nan());
    }

    #[test]
    fn relative_intervals_are_never_nan() {
        // The reference is 0 in most replicates: some resamples have a reference mean of 0.
        let base = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 5.0];
        let arm = [1.0, 0.0, 2.0, 0.0, 1.0, 0.0, 3.0, 6.0];
        let p = bootstrap_paired(&base, &arm, BOOTSTRAP_RESAMPLES, 4, 0);
        assert!(p.base_zero_share > 0.25, "(7/8)^8 = 34 % of resamples: {}", p.base_zero_share);
        assert!(!p.rel_low.is_nan() && !p.rel_high.is_nan(), "{p:?}");
        assert_eq!(p.rel_high, f64::INFINITY, "unbounded above, not NaN");
        assert!(p.diff_low.is_finite() && p.diff_high.is_finite());
        // A reference that is never 0 gives finite bounds around the ratio of the means.
        let p = bootstrap_paired(&[10.0, 12.0, 8.0], &[5.0, 6.0, 4.0], BOOTSTRAP_RESAMPLES, 4, 0);
        assert_eq!(p.base_zero_share, 0.0);
        assert!((p.rel_low + 0.5).abs() < 1e-12 && (p.rel_high + 0.5).abs() < 1e-12, "{p:?}");
    }

    #[test]
    fn quantiles_next_to_an_infinity_are_that_infinity() {
        let v = [1.0, 2.0, f64::INFINITY, f64::INFINITY];
        assert_eq!(quantile_sorted_extended(&v, 0.975), f64::INFINITY);
        assert!((quantile_sorted_extended(&v, 0.1) - 1.3).abs() < 1e-12);
        let v = [f64::NEG_INFINITY, 0.0, 1.0];
        assert_eq!(quantile_sorted_extended(&v, 0.025), f64::NEG_INFINITY);
    }

    #[test]
    fn bootstrap_is_reproducible_and_covers_the_mean() {
        let v: Vec<f64> = (0..30).map(f64::from).collect();
        let a = bootstrap_mean_ci(&v, 2000, 9, 0);
        assert_eq!(a, bootstrap_mean_ci(&v, 2000, 9, 0));
        assert!(a.0 < 14.5 && a.1 > 14.5 && a.0 > 10.0 && a.1 < 19.0, "{a:?}");
    }
}
