//! Summary statistics over replicates: mean, standard deviation, quantiles, confidence intervals
//! of the mean (Student's t) and seeded bootstrap intervals of paired differences.
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

/// Percentile bootstrap 95 % interval of the mean of `values`, with `resamples` draws from a
/// stream keyed by `seed` and `stream` (so the interval itself is reproducible).
#[must_use]
pub fn bootstrap_mean_ci(values: &[f64], resamples: usize, seed: u64, stream: u64) -> (f64, f64) {
    let n = values.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let streams = Streams::new(seed);
    let mut rng = streams.at(Phase::Bootstrap, stream, 0);
    let mut means = Vec::with_capacity(resamples);
    #[expect(clippy::cast_precision_loss, reason = "sample sizes are small")]
    let nf = n as f64;
    for _ in 0..resamples {
        let mut s = 0.0;
        for _ in 0..n {
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "an index below n")]
            let i = ((uniform(&mut rng) * nf) as usize).min(n - 1);
            s += values[i];
        }
        means.push(s / nf);
    }
    means.sort_by(f64::total_cmp);
    (quantile_sorted(&means, 0.025), quantile_sorted(&means, 0.975))
}

/// Paired bootstrap: 95 % percentile intervals of the mean difference `arm - base` and of the
/// relative difference `(mean arm - mean base) / mean base`, resampling replicate pairs.
/// Returns `(diff_low, diff_high, rel_low, rel_high)`; relative bounds are NaN when the base
/// mean of a resample is 0.
#[must_use]
pub fn bootstrap_paired(base: &[f64], arm: &[f64], resamples: usize, seed: u64, stream: u64) -> (f64, f64, f64, f64) {
    let n = base.len().min(arm.len());
    if n == 0 {
        return (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    }
    let streams = Streams::new(seed);
    let mut rng = streams.at(Phase::Bootstrap, stream, 0);
    #[expect(clippy::cast_precision_loss, reason = "sample sizes are small")]
    let nf = n as f64;
    let mut diffs = Vec::with_capacity(resamples);
    let mut rels = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let (mut sb, mut sa) = (0.0, 0.0);
        for _ in 0..n {
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "an index below n")]
            let i = ((uniform(&mut rng) * nf) as usize).min(n - 1);
            sb += base[i];
            sa += arm[i];
        }
        diffs.push((sa - sb) / nf);
        if sb != 0.0 {
            rels.push((sa - sb) / sb);
        }
    }
    diffs.sort_by(f64::total_cmp);
    rels.sort_by(f64::total_cmp);
    let (rl, rh) = if rels.len() == resamples {
        (quantile_sorted(&rels, 0.025), quantile_sorted(&rels, 0.975))
    } else {
        (f64::NAN, f64::NAN)
    };
    (quantile_sorted(&diffs, 0.025), quantile_sorted(&diffs, 0.975), rl, rh)
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
    fn bootstrap_is_reproducible_and_covers_the_mean() {
        let v: Vec<f64> = (0..30).map(f64::from).collect();
        let a = bootstrap_mean_ci(&v, 2000, 9, 0);
        assert_eq!(a, bootstrap_mean_ci(&v, 2000, 9, 0));
        assert!(a.0 < 14.5 && a.1 > 14.5 && a.0 > 10.0 && a.1 < 19.0, "{a:?}");
    }
}
