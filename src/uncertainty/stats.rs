//! Weighted statistics, posterior summaries and the small linear algebra the samplers need.
//!
//! Everything here is a pure function of its arguments. Must not allocate anything that grows
//! beyond the input size, and must not panic on bad weights: it returns an error instead.

use serde::{Deserialize, Serialize};

use super::{UqError, UqResult, ensure_finite, invalid};

/// Checks that values and weights pair up, are finite, weights non-negative with a positive sum;
/// returns the sum of the weights.
fn check_weighted(values: &[f64], weights: &[f64]) -> UqResult<f64> {
    if values.is_empty() {
        return Err(invalid!("no values"));
    }
    if values.len() != weights.len() {
        return Err(invalid!("{} values but {} weights", values.len(), weights.len()));
    }
    ensure_finite("values", values)?;
    ensure_finite("weights", weights)?;
    if let Some(i) = weights.iter().position(|&w| w < 0.0) {
        return Err(invalid!("weights[{i}] = {} is negative", weights[i]));
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return Err(UqError::Degenerate("weights sum to zero".into()));
    }
    Ok(total)
}

/// Weighted mean `Σ w x / Σ w`, clamped to the range of the positively weighted values (rounding
/// can otherwise put it an ulp outside, e.g. for a single value).
///
/// # Errors
/// On empty or mismatched input, non-finite values, negative weights or a zero weight sum.
pub fn weighted_mean(values: &[f64], weights: &[f64]) -> UqResult<f64> {
    let total = check_weighted(values, weights)?;
    let mean = values.iter().zip(weights).map(|(x, w)| x * w).sum::<f64>() / total;
    let (low, high) = values
        .iter()
        .zip(weights)
        .filter(|(_, w)| **w > 0.0)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (x, _)| (lo.min(*x), hi.max(*x)));
    Ok(mean.clamp(low, high))
}

/// Weighted variance `Σ w (x − x̄)² / Σ w` (the variance of the weighted empirical distribution).
///
/// # Errors
/// As [`weighted_mean`].
pub fn weighted_variance(values: &[f64], weights: &[f64]) -> UqResult<f64> {
    let total = check_weighted(values, weights)?;
    let mean = values.iter().zip(weights).map(|(x, w)| x * w).sum::<f64>() / total;
    Ok(values.iter().zip(weights).map(|(x, w)| w * (x - mean) * (x - mean)).sum::<f64>() / total)
}

/// Weighted quantile: the smallest value whose cumulative normalised weight reaches `q` (the
/// inverse of the weighted empirical distribution function; with equal weights, the type-1
/// sample quantile). Zero-weight values are never returned.
///
/// # Errors
/// As [`weighted_mean`], or `q` outside `[0, 1]`.
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> UqResult<f64> {
    let total = check_weighted(values, weights)?;
    if !(0.0..=1.0).contains(&q) {
        return Err(invalid!("quantile level {q} is outside [0, 1]"));
    }
    let mut order: Vec<usize> = (0..values.len()).filter(|&i| weights[i] > 0.0).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let target = q * total;
    let mut cumulative = 0.0;
    for &i in &order {
        cumulative += weights[i];
        // The relative slack absorbs rounding in the running sum for q = 1.
        if cumulative >= target * (1.0 - 1e-12) {
            return Ok(values[i]);
        }
    }
    Ok(values[order[order.len() - 1]])
}

/// Equal-tailed credible interval at `level` (e.g. 0.9): the weighted quantiles
/// `(1 − level)/2` and `(1 + level)/2`.
///
/// # Errors
/// As [`weighted_quantile`], or `level` outside `(0, 1)`.
pub fn credible_interval(values: &[f64], weights: &[f64], level: f64) -> UqResult<(f64, f64)> {
    if !(level > 0.0 && level < 1.0) {
        return Err(invalid!("credible level {level} must be in (0, 1)"));
    }
    Ok((
        weighted_quantile(values, weights, (1.0 - level) / 2.0)?,
        weighted_quantile(values, weights, (1.0 + level) / 2.0)?,
    ))
}

/// Kish's effective sample size `(Σ w)² / Σ w²`.
///
/// # Errors
/// On non-finite or negative weights, or a zero sum.
pub fn effective_sample_size(weights: &[f64]) -> UqResult<f64> {
    let total = check_weighted(weights, weights)?;
    Ok(total * total / weights.iter().map(|w| w * w).sum::<f64>())
}

/// Summary of one parameter's weighted posterior sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterSummary {
    /// Weighted mean.
    pub mean: f64,
    /// Weighted standard deviation.
    pub sd: f64,
    /// Weighted median.
    pub median: f64,
    /// Lower end of the 90 % equal-tailed credible interval (weighted 5 % quantile).
    pub ci90_low: f64,
    /// Upper end of the 90 % equal-tailed credible interval (weighted 95 % quantile).
    pub ci90_high: f64,
}

impl ParameterSummary {
    /// Whether `value` lies in the 90 % credible interval (ends included).
    #[must_use]
    pub fn covers(&self, value: f64) -> bool {
        self.ci90_low <= value && value <= self.ci90_high
    }
}

/// Per-parameter summaries of a weighted sample `particles[i][parameter]`.
///
/// # Errors
/// On empty or ragged particles, or bad weights (see [`weighted_mean`]).
pub fn summarise_posterior(particles: &[Vec<f64>], weights: &[f64]) -> UqResult<Vec<ParameterSummary>> {
    let Some(first) = particles.first() else {
        return Err(invalid!("posterior: no particle"));
    };
    super::ensure_rows("particles", particles, first.len())?;
    (0..first.len())
        .map(|d| {
            let column: Vec<f64> = particles.iter().map(|p| p[d]).collect();
            let (ci90_low, ci90_high) = credible_interval(&column, weights, 0.9)?;
            Ok(ParameterSummary {
                mean: weighted_mean(&column, weights)?,
                sd: weighted_variance(&column, weights)?.sqrt(),
                median: weighted_quantile(&column, weights, 0.5)?,
                ci90_low,
                ci90_high,
            })
        })
        .collect()
}

/// Sample quantile with linear interpolation between order statistics (Hyndman & Fan type 7),
/// of values already sorted ascending. Used for bootstrap percentile intervals.
pub(crate) fn sorted_quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let position = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let low = position.floor() as usize;
            let high = (low + 1).min(n - 1);
            let fraction = position - low as f64;
            sorted[low] + fraction * (sorted[high] - sorted[low])
        }
    }
}

/// Percentile interval at `level` of bootstrap estimates (non-finite ones dropped; NaN ends when
/// none is left).
pub(crate) fn percentile_interval(mut estimates: Vec<f64>, level: f64) -> (f64, f64) {
    estimates.retain(|v| v.is_finite());
    estimates.sort_by(f64::total_cmp);
    (
        sorted_quantile(&estimates, (1.0 - level) / 2.0),
        sorted_quantile(&estimates, (1.0 + level) / 2.0),
    )
}

/// Weighted mean vector and covariance matrix (divisor `Σ w`, row-major `d × d`) of points.
pub(crate) fn weighted_mean_and_covariance(points: &[Vec<f64>], weights: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let d = points.first().map_or(0, Vec::len);
    let total: f64 = weights.iter().sum();
    let mut mean = vec![0.0; d];
    for (p, w) in points.iter().zip(weights) {
        for (m, x) in mean.iter_mut().zip(p) {
            *m += w * x / total;
        }
    }
    let mut covariance = vec![0.0; d * d];
    for (p, w) in points.iter().zip(weights) {
        for a in 0..d {
            for b in 0..d {
                covariance[a * d + b] += w * (p[a] - mean[a]) * (p[b] - mean[b]) / total;
            }
        }
    }
    (mean, covariance)
}

/// Lower Cholesky factor `L` (row-major) of a symmetric positive-definite `d × d` matrix;
/// `None` when it is not positive definite.
pub(crate) fn cholesky(matrix: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut sum = matrix[i * d + j];
            for k in 0..j {
                sum -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                if sum <= 0.0 || !sum.is_finite() {
                    return None;
                }
                l[i * d + i] = sum.sqrt();
            } else {
                l[i * d + j] = sum / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// `‖L⁻¹ v‖²`: the squared Mahalanobis norm of `v` for the matrix whose Cholesky factor is `L`.
pub(crate) fn mahalanobis_squared(l: &[f64], d: usize, v: &[f64]) -> f64 {
    let mut y = vec![0.0; d];
    for i in 0..d {
        let mut sum = v[i];
        for k in 0..i {
            sum -= l[i * d + k] * y[k];
        }
        y[i] = sum / l[i * d + i];
    }
    y.iter().map(|x| x * x).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_statistics_by_hand() {
        let values = [1.0, 2.0, 3.0, 4.0];
        let weights = [1.0, 1.0, 1.0, 5.0];
        assert!((weighted_mean(&values, &weights).unwrap() - 26.0 / 8.0).abs() < 1e-12);
        // cumulative weights 1/8, 2/8, 3/8, 1
        assert_eq!(weighted_quantile(&values, &weights, 0.1).unwrap(), 1.0);
        assert_eq!(weighted_quantile(&values, &weights, 0.25).unwrap(), 2.0);
        assert_eq!(weighted_quantile(&values, &weights, 0.4).unwrap(), 4.0);
        assert_eq!(weighted_quantile(&values, &weights, 1.0).unwrap(), 4.0);
        assert_eq!(weighted_quantile(&values, &weights, 0.0).unwrap(), 1.0);
        assert!((effective_sample_size(&weights).unwrap() - 64.0 / 28.0).abs() < 1e-12);
        let var = weighted_variance(&values, &weights).unwrap();
        let mean = 3.25;
        let expected =
            ((1.0 - mean) * (1.0 - mean) + (2.0 - mean) * (2.0 - mean) + (3.0 - mean) * (3.0 - mean) + 5.0 * (4.0 - mean) * (4.0 - mean))
                / 8.0;
        assert!((var - expected).abs() < 1e-12);
    }

    #[test]
    fn credible_interval_of_equal_weights_brackets_the_middle() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        let weights = vec![1.0; 100];
        assert_eq!(credible_interval(&values, &weights, 0.9).unwrap(), (5.0, 95.0));
        let summary = summarise_posterior(&values.iter().map(|&v| vec![v]).collect::<Vec<_>>(), &weights).unwrap();
        assert_eq!(summary[0].median, 50.0);
        assert!(summary[0].covers(50.0) && !summary[0].covers(99.0));
    }

    #[test]
    fn bad_weights_are_errors() {
        assert!(weighted_mean(&[1.0], &[]).is_err());
        assert!(weighted_mean(&[1.0], &[-1.0]).is_err());
        assert!(weighted_mean(&[1.0], &[0.0]).is_err());
        assert!(weighted_mean(&[f64::INFINITY], &[1.0]).is_err());
        assert!(weighted_quantile(&[1.0], &[1.0], 1.5).is_err());
        assert!(credible_interval(&[1.0], &[1.0], 1.0).is_err());
        assert!(summarise_posterior(&[], &[]).is_err());
    }

    #[test]
    fn cholesky_and_mahalanobis_by_hand() {
        let matrix = [4.0, 2.0, 2.0, 3.0];
        let l = cholesky(&matrix, 2).unwrap();
        assert_eq!(l, vec![2.0, 0.0, 1.0, 2.0_f64.sqrt()]);
        // inverse of [[4,2],[2,3]] is [[3,-2],[-2,4]]/8; v = (1, 1): (3 - 4 + 4)/8
        assert!((mahalanobis_squared(&l, 2, &[1.0, 1.0]) - 3.0 / 8.0).abs() < 1e-12);
        assert!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2).is_none());
    }

    #[test]
    fn percentile_interval_interpolates() {
        let (low, high) = percentile_interval((0..=100).map(f64::from).collect(), 0.9);
        assert!((low - 5.0).abs() < 1e-12 && (high - 95.0).abs() < 1e-12);
    }
}
