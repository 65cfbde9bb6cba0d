//! Sobol' variance-based indices from a Saltelli design, with bootstrap intervals.
//!
//! First order (Saltelli et al. 2010, table 2 (b)):
//! `S_i = (1/N) Σ_j f(B)_j (f(A_B^(i))_j − f(A)_j) / V`;
//! total (Jansen 1999; Saltelli et al. 2010, table 2 (f)):
//! `ST_i = (1/(2N)) Σ_j (f(A)_j − f(A_B^(i))_j)² / V`;
//! `V` the variance (divisor `2N`) of the `2N` values of `f(A)` and `f(B)`. Intervals are
//! bootstrap percentiles over the `N` base rows. Must not reorder the design: responses come
//! in [`SaltelliDesign::points`] order.

use serde::{Deserialize, Serialize};

use super::designs::SaltelliDesign;
use super::random::{index_below, seeded_rng};
use super::replicates::{NoiseSummary, average_replicates};
use super::stats::percentile_interval;
use super::{UqError, UqResult, invalid};

/// Settings of the Sobol' estimator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolOptions {
    /// Bootstrap resamples of the base rows (0: no interval).
    pub bootstrap_resamples: usize,
    /// Confidence level of the intervals, in (0, 1).
    pub confidence_level: f64,
    /// Seed of the bootstrap.
    pub seed: u64,
}

impl Default for SobolOptions {
    fn default() -> Self {
        Self {
            bootstrap_resamples: 1000,
            confidence_level: 0.95,
            seed: 0,
        }
    }
}

/// A point estimate with its bootstrap percentile interval (NaN ends without bootstrap).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IndexEstimate {
    /// Estimate from all base rows.
    pub estimate: f64,
    /// Lower end of the interval.
    pub ci_low: f64,
    /// Upper end of the interval.
    pub ci_high: f64,
}

/// Sobol' indices of one input.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SobolIndex {
    /// First-order index `S_i`: share of the variance explained by input `i` alone.
    pub first_order: IndexEstimate,
    /// Total index `ST_i`: share involving input `i`, interactions included.
    pub total: IndexEstimate,
}

/// Sobol' indices for every input and the spread of the responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolResult {
    /// One entry per input.
    pub indices: Vec<SobolIndex>,
    /// `V`: variance of the (replicate-averaged) responses at `A` and `B`.
    pub variance: f64,
    /// Base rows used.
    pub base_samples: usize,
    /// Replicate noise of the responses.
    pub noise: NoiseSummary,
}

/// Indices estimated on one set of base rows.
struct Estimates {
    first: Vec<f64>,
    total: Vec<f64>,
    variance: f64,
}

/// Estimates on the base rows `rows` (repeats allowed) of the block-ordered responses `y`.
fn estimate(y: &[f64], k: usize, rows: impl Iterator<Item = usize> + Clone) -> Option<Estimates> {
    let block = k + 2;
    let n = rows.clone().count() as f64;
    let sum: f64 = rows.clone().map(|j| y[j * block] + y[j * block + k + 1]).sum();
    let mean = sum / (2.0 * n);
    // Two-pass variance for accuracy when the mean is large against the spread.
    let variance = rows
        .clone()
        .flat_map(|j| [y[j * block], y[j * block + k + 1]])
        .map(|v| (v - mean) * (v - mean))
        .sum::<f64>()
        / (2.0 * n);
    if variance <= 0.0 || !variance.is_finite() {
        return None;
    }
    let mut first = vec![0.0; k];
    let mut total = vec![0.0; k];
    for j in rows {
        let f_a = y[j * block];
        let f_b = y[j * block + k + 1];
        for i in 0..k {
            let f_ab = y[j * block + 1 + i];
            first[i] += f_b * (f_ab - f_a);
            total[i] += (f_a - f_ab) * (f_a - f_ab);
        }
    }
    for i in 0..k {
        first[i] /= n * variance;
        total[i] /= 2.0 * n * variance;
    }
    Some(Estimates { first, total, variance })
}

/// Sobol' first-order and total indices from the responses of `design` (`responses[run][replicate]`,
/// runs in [`SaltelliDesign::points`] order; replicates are averaged). A prefix of whole blocks
/// (`m (k + 2)` runs, `m ≥ 2`) is accepted, so a partial run can be checked for convergence.
///
/// # Errors
/// When the responses are not a whole number (at least 2) of blocks of `k + 2`, or more than
/// the design, a response is not finite, the options are out of range, or `V` is zero.
pub fn sobol_indices(design: &SaltelliDesign, responses: &[Vec<f64>], options: &SobolOptions) -> UqResult<SobolResult> {
    let k = design.dimension();
    let block = k + 2;
    if !responses.len().is_multiple_of(block) || responses.len() < 2 * block || responses.len() > design.run_count() {
        return Err(invalid!(
            "Sobol': {} responses is not a whole number of blocks of {block} runs between 2 and {} blocks",
            responses.len(),
            design.base_samples()
        ));
    }
    if !(options.confidence_level > 0.0 && options.confidence_level < 1.0) {
        return Err(invalid!("Sobol': confidence level {} must be in (0, 1)", options.confidence_level));
    }
    let averaged = average_replicates(responses)?;
    let y = &averaged.means;
    let n = y.len() / block;
    let full = estimate(y, k, 0..n).ok_or_else(|| UqError::Degenerate("Sobol': the responses at A and B have zero variance".into()))?;
    let mut boot_first = vec![Vec::with_capacity(options.bootstrap_resamples); k];
    let mut boot_total = vec![Vec::with_capacity(options.bootstrap_resamples); k];
    let mut rng = seeded_rng(options.seed, 0x534f_424f_4c42); // "SOBOLB"
    let mut resample = vec![0usize; n];
    for _ in 0..options.bootstrap_resamples {
        for slot in &mut resample {
            *slot = index_below(&mut rng, n);
        }
        // A resample can, rarely, have zero variance (e.g. one row drawn N times): it then
        // contributes no estimate rather than an infinite one.
        if let Some(e) = estimate(y, k, resample.iter().copied()) {
            for i in 0..k {
                boot_first[i].push(e.first[i]);
                boot_total[i].push(e.total[i]);
            }
        }
    }
    let interval = |estimates: Vec<f64>, point: f64| {
        let (ci_low, ci_high) = percentile_interval(estimates, options.confidence_level);
        IndexEstimate {
            estimate: point,
            ci_low,
            ci_high,
        }
    };
    let indices = boot_first
        .into_iter()
        .zip(boot_total)
        .enumerate()
        .map(|(i, (first, total))| SobolIndex {
            first_order: interval(first, full.first[i]),
            total: interval(total, full.total[i]),
        })
        .collect();
    Ok(SobolResult {
        indices,
        variance: full.variance,
        base_samples: n,
        noise: averaged.noise,
    })
}

#[cfg(test)]
mod tests {
    use super::super::designs::{BaseSampling, SaltelliDesignConfig};
    use super::super::replicates::one_replicate_each;
    use super::super::sobol_sequence::SobolScrambling;
    use super::super::test_functions::{g_function, g_function_indices, ishigami, ishigami_indices};
    use super::*;

    fn run(dimension: usize, base_samples: usize, sampling: BaseSampling, seed: u64, f: impl Fn(&[f64]) -> f64) -> SobolResult {
        let design = SaltelliDesign::new(&SaltelliDesignConfig {
            dimension,
            base_samples,
            sampling,
            seed,
        })
        .unwrap();
        let y: Vec<f64> = design.points().iter().map(|x| f(x)).collect();
        let options = SobolOptions {
            bootstrap_resamples: 500,
            confidence_level: 0.95,
            seed,
        };
        sobol_indices(&design, &one_replicate_each(&y), &options).unwrap()
    }

    /// Largest absolute error over inputs of S1 and of ST.
    fn max_errors(result: &SobolResult, first: &[f64], total: &[f64]) -> (f64, f64) {
        let e1 = result
            .indices
            .iter()
            .zip(first)
            .map(|(i, a)| (i.first_order.estimate - a).abs())
            .fold(0.0, f64::max);
        let et = result
            .indices
            .iter()
            .zip(total)
            .map(|(i, a)| (i.total.estimate - a).abs())
            .fold(0.0, f64::max);
        (e1, et)
    }

    #[test]
    fn ishigami_indices_match_analytic_values() {
        let (first, total) = ishigami_indices(7.0, 0.1);
        // The published rounded values (issue 19) agree with the closed form.
        for (a, b) in first.iter().zip([0.314, 0.442, 0.0]) {
            assert!((a - b).abs() < 5e-4, "{first:?}");
        }
        for (a, b) in total.iter().zip([0.558, 0.442, 0.244]) {
            assert!((a - b).abs() < 5e-4, "{total:?}");
        }
        let result = run(3, 8192, BaseSampling::Sobol(SobolScrambling::LinearMatrixAndShift), 2024, |x| {
            ishigami(x, 7.0, 0.1)
        });
        let (e1, et) = max_errors(&result, &first, &total);
        assert!(e1 < 0.02 && et < 0.02, "S1 error {e1}, ST error {et}: {:?}", result.indices);
        for (index, (f, t)) in result.indices.iter().zip(first.iter().zip(&total)) {
            // The 95 % bootstrap intervals contain the truth (they treat the Sobol' rows as
            // independent draws, so they are wider than the actual quasi-Monte Carlo error).
            assert!(index.first_order.ci_low <= *f && *f <= index.first_order.ci_high, "{index:?}");
            assert!(index.total.ci_low <= *t && *t <= index.total.ci_high, "{index:?}");
        }
    }

    #[test]
    fn g_function_indices_match_analytic_values() {
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];
        let (first, total) = g_function_indices(&a);
        let result = run(8, 8192, BaseSampling::Sobol(SobolScrambling::LinearMatrixAndShift), 7, |x| {
            g_function(x, &a)
        });
        let (e1, et) = max_errors(&result, &first, &total);
        assert!(e1 < 0.02 && et < 0.02, "S1 error {e1}, ST error {et}: {:?}", result.indices);
    }

    #[test]
    fn latin_hypercube_and_random_bases_also_converge() {
        let (first, total) = ishigami_indices(7.0, 0.1);
        for sampling in [BaseSampling::LatinHypercube, BaseSampling::Random] {
            let result = run(3, 16384, sampling, 5, |x| ishigami(x, 7.0, 0.1));
            let (e1, et) = max_errors(&result, &first, &total);
            assert!(e1 < 0.05 && et < 0.05, "{sampling:?}: S1 error {e1}, ST error {et}");
        }
    }

    #[test]
    fn replicate_noise_is_averaged_and_reported() {
        // Ishigami plus N(0, 2²) run noise, 4 replicates per point. The Ishigami variance is
        // V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2 ≈ 13.84, so a single run's noise share is 4/(V + 4),
        // the averaged responses keep 1/(V + 1) of noise, and every index shrinks by V/(V + 1).
        use super::super::random::{seeded_rng, standard_normal};
        let pi = std::f64::consts::PI;
        let v = 49.0 / 8.0 + 0.1 * pi.powi(4) / 5.0 + 0.01 * pi.powi(8) / 18.0 + 0.5;
        let design = SaltelliDesign::new(&SaltelliDesignConfig {
            dimension: 3,
            base_samples: 4096,
            sampling: BaseSampling::Sobol(SobolScrambling::LinearMatrixAndShift),
            seed: 11,
        })
        .unwrap();
        let mut rng = seeded_rng(12, 0);
        let responses: Vec<Vec<f64>> = design
            .points()
            .iter()
            .map(|x| (0..4).map(|_| ishigami(x, 7.0, 0.1) + 2.0 * standard_normal(&mut rng)).collect())
            .collect();
        let options = SobolOptions {
            bootstrap_resamples: 0,
            ..SobolOptions::default()
        };
        let result = sobol_indices(&design, &responses, &options).unwrap();
        let noise = &result.noise;
        assert_eq!((noise.min_replicates, noise.max_replicates), (4, 4));
        assert!((noise.noise_share.unwrap() - 4.0 / (v + 4.0)).abs() < 0.01, "{noise:?}");
        assert!((noise.noise_share_of_means.unwrap() - 1.0 / (v + 1.0)).abs() < 0.01, "{noise:?}");
        let (first, _) = ishigami_indices(7.0, 0.1);
        let shrunk = first[1] * v / (v + 1.0);
        assert!(
            (result.indices[1].first_order.estimate - shrunk).abs() < 0.02,
            "{:?} vs {shrunk}",
            result.indices[1]
        );
        assert!(result.indices[0].first_order.ci_low.is_nan(), "no bootstrap, no interval");
    }

    #[test]
    fn wrong_lengths_and_constant_responses_are_errors() {
        let design = SaltelliDesign::new(&SaltelliDesignConfig {
            dimension: 2,
            base_samples: 4,
            sampling: BaseSampling::Random,
            seed: 0,
        })
        .unwrap();
        let options = SobolOptions::default();
        assert!(sobol_indices(&design, &one_replicate_each(&[1.0; 7]), &options).is_err());
        assert!(sobol_indices(&design, &one_replicate_each(&[1.0; 4]), &options).is_err());
        assert!(matches!(
            sobol_indices(&design, &one_replicate_each(&[1.0; 16]), &options),
            Err(UqError::Degenerate(_))
        ));
    }
}
