//! Replicates per design point: their means, and how much of the response's spread is noise.
//!
//! A stochastic model gives a different response for each replicate seed at the same design
//! point. The sensitivity estimators work on the per-point means; the noise summary tells the
//! reader how much of the variance those means still carry from the seeds rather than from the
//! inputs. Must not drop or reorder design points.

use serde::{Deserialize, Serialize};

use super::{UqResult, invalid};

/// How much of the spread of the responses is replicate noise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoiseSummary {
    /// Fewest replicates at a design point.
    pub min_replicates: usize,
    /// Most replicates at a design point.
    pub max_replicates: usize,
    /// Pooled within-point variance of single runs `Σ_p (n_p − 1) s²_p / Σ_p (n_p − 1)`; `None`
    /// when no point has two replicates.
    pub within_point_variance: Option<f64>,
    /// Variance of all single runs (divisor `n − 1`).
    pub total_variance: f64,
    /// `within_point_variance / total_variance`: the share of a single run's variance that is
    /// noise. `None` without replicates or when the total variance is zero.
    pub noise_share: Option<f64>,
    /// Share of the variance of the per-point means that is noise:
    /// `(within_point_variance / R̄) / Var(means)`, `R̄` the harmonic mean of replicate counts
    /// (can exceed 1 by chance when the inputs have no effect).
    pub noise_share_of_means: Option<f64>,
}

/// Per-point means and the noise summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicateMeans {
    /// Mean response of each design point, in design order.
    pub means: Vec<f64>,
    /// Spread attributable to replicates.
    pub noise: NoiseSummary,
}

/// Wraps single responses as one replicate each, for callers without replicates.
#[must_use]
pub fn one_replicate_each(values: &[f64]) -> Vec<Vec<f64>> {
    values.iter().map(|&v| vec![v]).collect()
}

/// Averages the replicates of each design point (`responses[point][replicate]`).
///
/// # Errors
/// When there are no points, a point has no replicate, or a response is not finite.
pub fn average_replicates(responses: &[Vec<f64>]) -> UqResult<ReplicateMeans> {
    if responses.is_empty() {
        return Err(invalid!("responses: no design point"));
    }
    let mut means = Vec::with_capacity(responses.len());
    let mut pooled_sum = 0.0;
    let mut pooled_dof = 0usize;
    let mut inverse_counts = 0.0;
    let (mut min_replicates, mut max_replicates) = (usize::MAX, 0);
    for (p, reps) in responses.iter().enumerate() {
        if reps.is_empty() {
            return Err(invalid!("responses[{p}] has no replicate"));
        }
        if let Some(r) = reps.iter().position(|v| !v.is_finite()) {
            return Err(invalid!("responses[{p}][{r}] is {}, must be finite", reps[r]));
        }
        let mean = reps.iter().sum::<f64>() / reps.len() as f64;
        pooled_sum += reps.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>();
        pooled_dof += reps.len() - 1;
        inverse_counts += 1.0 / reps.len() as f64;
        min_replicates = min_replicates.min(reps.len());
        max_replicates = max_replicates.max(reps.len());
        means.push(mean);
    }
    let all: Vec<f64> = responses.iter().flatten().copied().collect();
    let total_variance = sample_variance(&all);
    let within_point_variance = (pooled_dof > 0).then(|| pooled_sum / pooled_dof as f64);
    let noise_share = within_point_variance.filter(|_| total_variance > 0.0).map(|w| w / total_variance);
    let harmonic_replicates = responses.len() as f64 / inverse_counts;
    let variance_of_means = sample_variance(&means);
    let noise_share_of_means = within_point_variance
        .filter(|_| variance_of_means > 0.0)
        .map(|w| w / harmonic_replicates / variance_of_means);
    Ok(ReplicateMeans {
        means,
        noise: NoiseSummary {
            min_replicates,
            max_replicates,
            within_point_variance,
            total_variance,
            noise_share,
            noise_share_of_means,
        },
    })
}

/// Sample variance with divisor `n − 1` (0 for fewer than two values).
pub(crate) fn sample_variance(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (values.len() - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_and_noise_share_by_hand() {
        // Points with means 0 and 10, each with replicates ±1 around the mean.
        let responses = vec![vec![-1.0, 1.0], vec![9.0, 11.0]];
        let out = average_replicates(&responses).unwrap();
        assert_eq!(out.means, vec![0.0, 10.0]);
        let noise = &out.noise;
        assert_eq!(noise.within_point_variance, Some(2.0)); // (2 + 2) / (1 + 1)
        // all values -1, 1, 9, 11: mean 5, squares 36 + 16 + 16 + 36 = 104, / 3
        assert!((noise.total_variance - 104.0 / 3.0).abs() < 1e-12);
        assert!((noise.noise_share.unwrap() - 2.0 / (104.0 / 3.0)).abs() < 1e-12);
        // means 0 and 10: variance 50; noise in a mean of 2 runs: 2 / 2 = 1
        assert!((noise.noise_share_of_means.unwrap() - 1.0 / 50.0).abs() < 1e-12);
    }

    #[test]
    fn single_replicates_have_no_noise_estimate_and_bad_input_is_an_error() {
        let out = average_replicates(&one_replicate_each(&[1.0, 2.0, 4.0])).unwrap();
        assert_eq!(out.means, vec![1.0, 2.0, 4.0]);
        assert_eq!(out.noise.noise_share, None);
        assert!(average_replicates(&[]).is_err());
        assert!(average_replicates(&[vec![]]).is_err());
        assert!(average_replicates(&[vec![f64::NAN]]).is_err());
    }
}
