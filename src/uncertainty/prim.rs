//! Scenario discovery with PRIM: boxes of input space where a labelled condition (say, "policy
//! A is best") is concentrated.
//!
//! Patient Rule Induction Method (Friedman & Fisher 1999), as used for scenario discovery by
//! Bryant & Lempert (2010): start from the box holding every point; at each step, consider
//! removing the `α` share of the box's points with the lowest or the highest value of one input,
//! and keep the removal that leaves the densest box; stop when the box would hold less than the
//! minimum mass or is pure. Each box reports coverage (share of all positive points inside),
//! density (share of the box's points that are positive) and mass (share of all points inside).
//! Must not paste (grow boxes back) — see `docs/UNCERTAINTY-METHODS.md`.

use serde::{Deserialize, Serialize};

use super::{UqResult, ensure_rows, invalid};

/// Settings of PRIM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimConfig {
    /// Share of the box's points removed per peel, in (0, 0.5) (0.05 is usual).
    pub peel_alpha: f64,
    /// Smallest share of all points a box may hold, in (0, 1].
    pub min_mass: f64,
    /// The chosen box is the densest whose coverage is at least this, in [0, 1].
    pub min_coverage: f64,
}

impl Default for PrimConfig {
    fn default() -> Self {
        Self {
            peel_alpha: 0.05,
            min_mass: 0.05,
            min_coverage: 0.5,
        }
    }
}

/// One box of the peeling trajectory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimBox {
    /// `(low, high)` of each input: the smallest and largest values the box admits (the data's
    /// range for unrestricted inputs).
    pub limits: Vec<(f64, f64)>,
    /// Inputs whose limits are narrower than the data's range.
    pub restricted: Vec<usize>,
    /// Points inside.
    pub points: usize,
    /// Share of all points inside.
    pub mass: f64,
    /// Share of all positive points inside.
    pub coverage: f64,
    /// Share of the points inside that are positive.
    pub density: f64,
}

/// The peeling trajectory and the chosen box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimResult {
    /// Boxes from the whole data set (first) to the last peel.
    pub trajectory: Vec<PrimBox>,
    /// Index in `trajectory` of the densest box with coverage ≥ `min_coverage` (ties: the
    /// larger coverage).
    pub chosen: usize,
}

impl PrimResult {
    /// The chosen box.
    #[must_use]
    pub fn chosen_box(&self) -> &PrimBox {
        &self.trajectory[self.chosen]
    }
}

/// PRIM on `inputs[point][input]` with `labels[point]` (true = the case of interest).
///
/// # Errors
/// On empty or ragged inputs, non-finite values, mismatched labels, no positive label, or
/// settings out of range.
pub fn prim(inputs: &[Vec<f64>], labels: &[bool], config: &PrimConfig) -> UqResult<PrimResult> {
    let Some(first) = inputs.first() else {
        return Err(invalid!("PRIM: no point"));
    };
    let d = first.len();
    if d == 0 {
        return Err(invalid!("PRIM: points have no input"));
    }
    ensure_rows("inputs", inputs, d)?;
    if labels.len() != inputs.len() {
        return Err(invalid!("PRIM: {} labels for {} points", labels.len(), inputs.len()));
    }
    let settings_ok = config.peel_alpha > 0.0 && config.peel_alpha < 0.5 && config.min_mass > 0.0 && config.min_mass <= 1.0;
    if !settings_ok || !(0.0..=1.0).contains(&config.min_coverage) {
        return Err(invalid!(
            "PRIM: needs 0 < peel_alpha < 0.5, 0 < min_mass <= 1, 0 <= min_coverage <= 1, got {config:?}"
        ));
    }
    let total_positive = labels.iter().filter(|l| **l).count();
    if total_positive == 0 {
        return Err(invalid!("PRIM: no point is labelled positive"));
    }
    let n = inputs.len();
    let data_range: Vec<(f64, f64)> = (0..d)
        .map(|a| {
            inputs
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p[a]), hi.max(p[a])))
        })
        .collect();
    let describe = |inside: &[usize], limits: &[(f64, f64)]| {
        let positive = inside.iter().filter(|&&i| labels[i]).count();
        PrimBox {
            limits: limits.to_vec(),
            restricted: (0..d).filter(|&a| limits[a] != data_range[a]).collect(),
            points: inside.len(),
            mass: inside.len() as f64 / n as f64,
            coverage: positive as f64 / total_positive as f64,
            density: positive as f64 / inside.len() as f64,
        }
    };
    let mut inside: Vec<usize> = (0..n).collect();
    let mut limits = data_range.clone();
    let mut trajectory = vec![describe(&inside, &limits)];
    let min_points = (config.min_mass * n as f64).ceil() as usize;
    while trajectory[trajectory.len() - 1].density < 1.0 {
        let mut best: Option<(f64, usize, usize, bool, f64)> = None; // (density, kept, input, upper, bound)
        #[allow(
            clippy::needless_range_loop,
            reason = "a is a column index into every row, not an index of one slice"
        )]
        for a in 0..d {
            let mut values: Vec<f64> = inside.iter().map(|&i| inputs[i][a]).collect();
            values.sort_by(f64::total_cmp);
            let m = ((config.peel_alpha * values.len() as f64).floor() as usize).max(1);
            for upper in [false, true] {
                let Some(bound) = peel_bound(&values, m, upper) else {
                    continue;
                };
                let kept: Vec<usize> = inside
                    .iter()
                    .copied()
                    .filter(|&i| if upper { inputs[i][a] <= bound } else { inputs[i][a] >= bound })
                    .collect();
                if kept.len() < min_points || kept.len() == inside.len() {
                    continue;
                }
                let density = kept.iter().filter(|&&i| labels[i]).count() as f64 / kept.len() as f64;
                let better = match best {
                    None => true,
                    Some((bd, bk, ..)) => density > bd || (density == bd && kept.len() > bk),
                };
                if better {
                    best = Some((density, kept.len(), a, upper, bound));
                }
            }
        }
        let Some((_, _, a, upper, bound)) = best else {
            break;
        };
        inside.retain(|&i| if upper { inputs[i][a] <= bound } else { inputs[i][a] >= bound });
        if upper {
            limits[a].1 = bound;
        } else {
            limits[a].0 = bound;
        }
        trajectory.push(describe(&inside, &limits));
    }
    let chosen = (0..trajectory.len())
        .filter(|&t| trajectory[t].coverage >= config.min_coverage)
        .max_by(|&x, &y| {
            trajectory[x]
                .density
                .total_cmp(&trajectory[y].density)
                .then(trajectory[x].coverage.total_cmp(&trajectory[y].coverage))
                .then(y.cmp(&x))
        })
        .unwrap_or(0);
    Ok(PrimResult { trajectory, chosen })
}

/// New limit after removing about `m` of the sorted `values` from one end: the value of the
/// first point kept. With ties at the cut, every tied point is kept (or, if the whole slice is
/// one value, every point equal to the extreme is removed); `None` when nothing can be removed.
fn peel_bound(values: &[f64], m: usize, upper: bool) -> Option<f64> {
    let n = values.len();
    if m >= n {
        return None;
    }
    let (extreme, candidate) = if upper {
        (values[n - 1], values[n - 1 - m])
    } else {
        (values[0], values[m])
    };
    if candidate != extreme {
        return Some(candidate);
    }
    // All of the slice ties with the extreme: cut just past the tie instead.
    if upper {
        values.iter().rev().copied().find(|&v| v < extreme)
    } else {
        values.iter().copied().find(|&v| v > extreme)
    }
}

#[cfg(test)]
mod tests {
    use super::super::random::{seeded_rng, uniform};
    use super::*;

    #[test]
    fn finds_a_planted_box() {
        // 3000 uniform points in [0, 1]^4; positive exactly when 0.2 ≤ x₀ ≤ 0.6 and x₂ ≥ 0.7
        // (12 % of the points). PRIM must restrict x₀ and x₂ only, close to the planted limits.
        let mut rng = seeded_rng(17, 0);
        let inputs: Vec<Vec<f64>> = (0..3000).map(|_| (0..4).map(|_| uniform(&mut rng)).collect()).collect();
        let labels: Vec<bool> = inputs.iter().map(|x| (0.2..=0.6).contains(&x[0]) && x[2] >= 0.7).collect();
        let result = prim(&inputs, &labels, &PrimConfig::default()).unwrap();
        let chosen = result.chosen_box();
        assert_eq!(chosen.restricted, vec![0, 2], "{chosen:?}");
        assert!(
            (chosen.limits[0].0 - 0.2).abs() < 0.02 && (chosen.limits[0].1 - 0.6).abs() < 0.02,
            "{chosen:?}"
        );
        assert!((chosen.limits[2].0 - 0.7).abs() < 0.02, "{chosen:?}");
        assert!(chosen.density > 0.95 && chosen.coverage > 0.9, "{chosen:?}");
        let first = &result.trajectory[0];
        assert_eq!(first.mass, 1.0);
        assert_eq!(first.coverage, 1.0);
        assert!(result.trajectory.windows(2).all(|w| w[1].mass < w[0].mass));
    }

    #[test]
    fn a_noisy_box_still_concentrates_the_positives() {
        // The same box with 10 % of labels flipped at random: density inside ~0.9, outside ~0.1.
        let mut rng = seeded_rng(18, 0);
        let inputs: Vec<Vec<f64>> = (0..3000).map(|_| (0..3).map(|_| uniform(&mut rng)).collect()).collect();
        let labels: Vec<bool> = inputs
            .iter()
            .map(|x| (x[0] < 0.5 && x[1] > 0.5) != (uniform(&mut rng) < 0.1))
            .collect();
        let result = prim(&inputs, &labels, &PrimConfig::default()).unwrap();
        let chosen = result.chosen_box();
        assert!(chosen.density > 0.8 && chosen.coverage >= 0.5, "{chosen:?}");
        assert!(chosen.limits[0].1 < 0.6 && chosen.limits[1].0 > 0.4, "{chosen:?}");
    }

    #[test]
    fn ties_and_bad_input() {
        assert_eq!(peel_bound(&[1.0, 1.0, 1.0, 2.0, 3.0], 1, false), Some(2.0));
        assert_eq!(peel_bound(&[1.0, 2.0, 3.0, 3.0], 1, true), Some(2.0));
        assert_eq!(peel_bound(&[1.0, 1.0], 1, false), None);
        assert!(prim(&[], &[], &PrimConfig::default()).is_err());
        assert!(prim(&[vec![1.0]], &[false], &PrimConfig::default()).is_err());
        assert!(prim(&[vec![1.0]], &[true, false], &PrimConfig::default()).is_err());
        let bad = PrimConfig {
            peel_alpha: 0.7,
            ..PrimConfig::default()
        };
        assert!(prim(&[vec![1.0]], &[true], &bad).is_err());
    }
}
