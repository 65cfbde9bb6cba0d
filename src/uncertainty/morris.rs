//! Morris elementary-effects screening: μ, μ*, σ per input, with a bootstrap interval for μ*.
//!
//! Formulas (Morris 1991; Campolongo, Cariboni & Saltelli 2007): on each trajectory the input
//! `i` that moved between two consecutive points has the elementary effect
//! `EE_i = (y(x') − y(x)) / (x'_i − x_i)` (unit-cube units, so inputs with different ranges are
//! comparable); `μ_i = mean EE_i`, `μ*_i = mean |EE_i|`, `σ_i = sd EE_i` (divisor `r − 1`).
//! Must not reorder the design: responses come in [`MorrisDesign::points`] order.

use serde::{Deserialize, Serialize};

use super::designs::MorrisDesign;
use super::random::{index_below, seeded_rng};
use super::replicates::{NoiseSummary, average_replicates};
use super::stats::percentile_interval;
use super::{UqResult, invalid};

/// Settings of the Morris estimator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisOptions {
    /// Bootstrap resamples of the trajectories for the μ* interval (0: no interval).
    pub bootstrap_resamples: usize,
    /// Confidence level of the interval, in (0, 1).
    pub confidence_level: f64,
    /// Seed of the bootstrap.
    pub seed: u64,
}

impl Default for MorrisOptions {
    fn default() -> Self {
        Self {
            bootstrap_resamples: 1000,
            confidence_level: 0.95,
            seed: 0,
        }
    }
}

/// Screening measures of one input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisIndex {
    /// Mean elementary effect `μ` (effects of opposite sign cancel).
    pub mu: f64,
    /// Mean absolute elementary effect `μ*`: overall importance.
    pub mu_star: f64,
    /// Standard deviation of the elementary effects `σ`: non-linearity or interactions.
    pub sigma: f64,
    /// Lower end of the bootstrap percentile interval of `μ*` (NaN without bootstrap).
    pub mu_star_ci_low: f64,
    /// Upper end of the bootstrap percentile interval of `μ*` (NaN without bootstrap).
    pub mu_star_ci_high: f64,
}

/// Morris measures for every input, in input order, and the replicate noise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisResult {
    /// One entry per input.
    pub indices: Vec<MorrisIndex>,
    /// Replicate noise of the responses.
    pub noise: NoiseSummary,
}

/// Morris measures from the responses of `design` (`responses[point][replicate]`, points in
/// [`MorrisDesign::points`] order; replicates are averaged).
///
/// # Errors
/// When the number of responses differs from the number of points, a response is not finite,
/// the options are out of range, or the design's points were altered (two consecutive points of
/// a trajectory must differ in exactly one input).
pub fn morris_indices(design: &MorrisDesign, responses: &[Vec<f64>], options: &MorrisOptions) -> UqResult<MorrisResult> {
    if responses.len() != design.points().len() {
        return Err(invalid!(
            "Morris: {} responses for {} design points",
            responses.len(),
            design.points().len()
        ));
    }
    if !(options.confidence_level > 0.0 && options.confidence_level < 1.0) {
        return Err(invalid!("Morris: confidence level {} must be in (0, 1)", options.confidence_level));
    }
    let averaged = average_replicates(responses)?;
    let k = design.dimension();
    let r = design.trajectories();
    // effects[t * k + i]: elementary effect of input i on trajectory t.
    let mut effects = vec![0.0; r * k];
    for t in 0..r {
        let points = design.trajectory(t);
        let y = &averaged.means[t * (k + 1)..(t + 1) * (k + 1)];
        let mut moved_already = vec![false; k];
        for step in 0..k {
            let (before, after) = (&points[step], &points[step + 1]);
            let mut moved = (0..k).filter(|&d| before[d] != after[d]);
            let (Some(input), None) = (moved.next(), moved.next()) else {
                return Err(invalid!("Morris: trajectory {t} step {step} does not move exactly one input"));
            };
            if std::mem::replace(&mut moved_already[input], true) {
                return Err(invalid!("Morris: trajectory {t} moves input {input} twice"));
            }
            effects[t * k + input] = (y[step + 1] - y[step]) / (after[input] - before[input]);
        }
    }
    let measures = |trajectories: &[usize], input: usize| -> (f64, f64, f64) {
        let n = trajectories.len() as f64;
        let values = trajectories.iter().map(|&t| effects[t * k + input]);
        let mu = values.clone().sum::<f64>() / n;
        let mu_star = values.clone().map(f64::abs).sum::<f64>() / n;
        let sigma = (values.map(|e| (e - mu) * (e - mu)).sum::<f64>() / (n - 1.0)).sqrt();
        (mu, mu_star, sigma)
    };
    let all: Vec<usize> = (0..r).collect();
    let mut bootstrap_mu_star = vec![Vec::with_capacity(options.bootstrap_resamples); k];
    let mut rng = seeded_rng(options.seed, 0x4d_4f52_5249_5342); // "MORRISB"
    let mut resample = vec![0usize; r];
    for _ in 0..options.bootstrap_resamples {
        for slot in &mut resample {
            *slot = index_below(&mut rng, r);
        }
        for (input, estimates) in bootstrap_mu_star.iter_mut().enumerate() {
            estimates.push(measures(&resample, input).1);
        }
    }
    let indices = bootstrap_mu_star
        .into_iter()
        .enumerate()
        .map(|(input, estimates)| {
            let (mu, mu_star, sigma) = measures(&all, input);
            let (mu_star_ci_low, mu_star_ci_high) = percentile_interval(estimates, options.confidence_level);
            MorrisIndex {
                mu,
                mu_star,
                sigma,
                mu_star_ci_low,
                mu_star_ci_high,
            }
        })
        .collect();
    Ok(MorrisResult {
        indices,
        noise: averaged.noise,
    })
}

#[cfg(test)]
mod tests {
    use super::super::designs::MorrisDesignConfig;
    use super::super::replicates::one_replicate_each;
    use super::super::test_functions::morris_screening_function;
    use super::*;

    fn design(dimension: usize, candidates: Option<usize>) -> MorrisDesign {
        MorrisDesign::new(&MorrisDesignConfig {
            dimension,
            levels: 4,
            trajectories: 20,
            candidates,
            seed: 42,
        })
        .unwrap()
    }

    #[test]
    fn linear_function_has_exact_effects() {
        // y = 3 x0 − 2 x1 + 0 x2: every elementary effect equals the coefficient.
        let design = design(3, None);
        let y: Vec<f64> = design.points().iter().map(|x| 3.0 * x[0] - 2.0 * x[1]).collect();
        let result = morris_indices(&design, &one_replicate_each(&y), &MorrisOptions::default()).unwrap();
        let expected = [3.0, -2.0, 0.0];
        for (index, e) in result.indices.iter().zip(expected) {
            assert!(
                (index.mu - e).abs() < 1e-9 && (index.mu_star - e.abs()).abs() < 1e-9 && index.sigma < 1e-9,
                "{index:?}"
            );
        }
    }

    #[test]
    fn inactive_inputs_have_zero_mu_star() {
        // Inputs 0–2 act (2 interacting), inputs 3–5 are inactive: μ* must be exactly 0 for
        // them, and each active input's μ* far above.
        let design = design(6, Some(60));
        let y: Vec<f64> = design.points().iter().map(|x| morris_screening_function(x)).collect();
        let result = morris_indices(&design, &one_replicate_each(&y), &MorrisOptions::default()).unwrap();
        for (i, index) in result.indices.iter().enumerate() {
            if i >= 3 {
                assert!(index.mu_star.abs() < 1e-12 && index.sigma.abs() < 1e-12, "input {i}: {index:?}");
            } else {
                assert!(index.mu_star > 0.5, "input {i}: {index:?}");
                assert!(index.mu_star_ci_low <= index.mu_star && index.mu_star <= index.mu_star_ci_high);
            }
        }
        assert!(result.indices[2].sigma > 0.5, "the interacting input has a large sigma");
    }

    #[test]
    fn wrong_lengths_and_altered_designs_are_errors() {
        let design = design(2, None);
        assert!(morris_indices(&design, &one_replicate_each(&[1.0]), &MorrisOptions::default()).is_err());
        // The first step of this trajectory moves both inputs.
        let json = r#"{"dimension":2,"levels":4,"delta":0.6666666666666666,
            "points":[[0.0,0.0],[0.6666666666666666,0.6666666666666666],[0.6666666666666666,0.0]]}"#;
        let tampered: MorrisDesign = serde_json::from_str(json).unwrap();
        let y = vec![vec![0.0]; 3];
        assert!(morris_indices(&tampered, &y, &MorrisOptions::default()).is_err());
        // This one moves input 0 twice and never input 1.
        let json = r#"{"dimension":2,"levels":4,"delta":0.6666666666666666,
            "points":[[0.0,0.0],[0.6666666666666666,0.0],[0.0,0.0]]}"#;
        let tampered: MorrisDesign = serde_json::from_str(json).unwrap();
        assert!(morris_indices(&tampered, &y, &MorrisOptions::default()).is_err());
    }
}
