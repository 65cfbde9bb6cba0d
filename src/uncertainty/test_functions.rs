//! Benchmark functions with known sensitivity indices, for tests and for checking a plan's
//! sample size before spending simulations on it.
//!
//! Every function takes a point of the unit hypercube. Must not be used as a model of anything.

use std::f64::consts::PI;

/// The Ishigami & Homma (1990) function `sin x₁ + a sin² x₂ + b x₃⁴ sin x₁` with
/// `x_i ~ U(−π, π)`, evaluated at `x_i = −π + 2π u_i` for a unit point `u` (3 coordinates;
/// extra coordinates are ignored, missing ones read as 0.5).
#[must_use]
pub fn ishigami(unit_point: &[f64], a: f64, b: f64) -> f64 {
    let x = |i: usize| -PI + 2.0 * PI * unit_point.get(i).copied().unwrap_or(0.5);
    let (x1, x2, x3) = (x(0), x(1), x(2));
    x1.sin() + a * x2.sin().powi(2) + b * x3.powi(4) * x1.sin()
}

/// Analytic first-order and total Sobol' indices of [`ishigami`] (Sobol' & Levitan 1999):
/// `V₁ = ½(1 + bπ⁴/5)²`, `V₂ = a²/8`, `V₁₃ = b²π⁸ (1/18 − 1/50)`,
/// `V = a²/8 + bπ⁴/5 + b²π⁸/18 + ½`. For a = 7, b = 0.1: S = (0.314, 0.442, 0),
/// ST = (0.558, 0.442, 0.244).
#[must_use]
pub fn ishigami_indices(a: f64, b: f64) -> ([f64; 3], [f64; 3]) {
    let pi4 = PI.powi(4);
    let v1 = 0.5 * (1.0 + b * pi4 / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let v = a * a / 8.0 + b * pi4 / 5.0 + b * b * PI.powi(8) / 18.0 + 0.5;
    ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
}

/// The Sobol' G function `Π_i (|4 x_i − 2| + a_i) / (1 + a_i)` on the unit cube (Saltelli &
/// Sobol' 1995): input `i` matters less as `a_i` grows. Uses the first `a.len()` coordinates.
#[must_use]
pub fn g_function(unit_point: &[f64], a: &[f64]) -> f64 {
    a.iter()
        .zip(unit_point)
        .map(|(ai, x)| ((4.0 * x - 2.0).abs() + ai) / (1.0 + ai))
        .product()
}

/// Analytic first-order and total indices of [`g_function`]: `V_i = 1 / (3 (1 + a_i)²)`,
/// `V = Π(1 + V_i) − 1`, `S_i = V_i / V`, `ST_i = V_i Π_{j≠i}(1 + V_j) / V`.
#[must_use]
pub fn g_function_indices(a: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let partial: Vec<f64> = a.iter().map(|ai| 1.0 / (3.0 * (1.0 + ai) * (1.0 + ai))).collect();
    let product: f64 = partial.iter().map(|v| 1.0 + v).product();
    let total_variance = product - 1.0;
    let first = partial.iter().map(|v| v / total_variance).collect();
    let total = partial.iter().map(|v| v * product / (1.0 + v) / total_variance).collect();
    (first, total)
}

/// A screening test function of six or more inputs where only the first three act:
/// `2 x₀ + 3 x₁² + 4 x₂ (x₀ + x₁)` (input 2 interacts with 0 and 1); inputs 3 and up are inert,
/// so their Morris `μ*` is exactly 0.
#[must_use]
pub fn morris_screening_function(unit_point: &[f64]) -> f64 {
    let x = |i: usize| unit_point.get(i).copied().unwrap_or(0.0);
    2.0 * x(0) + 3.0 * x(1) * x(1) + 4.0 * x(2) * (x(0) + x(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_function_indices_are_consistent() {
        let (first, total) = g_function_indices(&[0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0]);
        // The same closed form evaluated separately (Python, 5 decimals): a transcription check.
        let expected_first = [0.71619, 0.17905, 0.02368, 0.00716, 0.00007];
        let expected_total = [0.78714, 0.2422, 0.03432, 0.01046, 0.0001];
        for i in 0..5 {
            assert!((first[i] - expected_first[i]).abs() < 6e-6, "{first:?}");
            assert!((total[i] - expected_total[i]).abs() < 6e-6, "{total:?}");
        }
        assert!(first.iter().sum::<f64>() < 1.0 && total.iter().sum::<f64>() > 1.0);
        for (s, t) in first.iter().zip(&total) {
            assert!(t >= s);
        }
        // Mean of the G function is 1 at any a.
        assert!((g_function(&[0.25, 0.75], &[0.0, 0.0]) - 1.0).abs() < 1e-12);
    }
}
