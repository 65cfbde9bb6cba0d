//! History matching: rule out the parts of the parameter space where the model cannot
//! reproduce the observed targets, wave after wave.
//!
//! Implausibility of a parameter set `x` for a target `z` (Craig et al. 1997; Vernon, Goldstein
//! & Bower 2010; Andrianakis et al. 2015):
//! `I(x) = |z − E[f(x)]| / sqrt(Var_obs + Var_discrepancy + Var_ensemble(x))`, where `E[f(x)]`
//! and `Var_ensemble(x)` are the mean and variance (divisor `n − 1`) of the replicate runs at
//! `x`: a stochastic model's one realisation is what the world showed, so its run-to-run
//! variance belongs in the denominator. Points whose combined implausibility exceeds the
//! cut-off (3, after Pukelsheim's three-sigma rule) are ruled out. This version evaluates the
//! simulator itself (no emulator): each wave is a Latin hypercube in the bounding box of the
//! previous wave's non-implausible points, widened by one point spacing of the sampled box and a
//! margin. Must not run the model.

use serde::{Deserialize, Serialize};

use super::designs::latin_hypercube_in_box;
use super::space::ParameterSpace;
use super::{UqError, UqResult, ensure_finite, invalid};

/// One observed target and its uncertainties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryMatchingTarget {
    /// Name, carried to reports.
    pub name: String,
    /// Observed value `z`.
    pub observed: f64,
    /// Variance of the observation error.
    pub observation_variance: f64,
    /// Variance of the model discrepancy (what the model cannot represent even at its best).
    pub discrepancy_variance: f64,
}

/// How the per-target implausibilities of a point are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImplausibilityRule {
    /// The largest: a point is ruled out when any target rules it out.
    Maximum,
    /// The second largest (Vernon et al. 2010): tolerates one badly fitted target; with a single
    /// target, the maximum.
    SecondMaximum,
}

/// Settings of history matching.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryMatchingConfig {
    /// Implausibility cut-off (3 is usual).
    pub cutoff: f64,
    /// How targets are combined.
    pub rule: ImplausibilityRule,
    /// Share of the kept points' extent added to each side of the next wave's box, on top of
    /// one point spacing of the sampled box (clipped to the cube), so that a wave does not cut
    /// off non-implausible space its points happened to miss.
    pub margin: f64,
    /// Seed of the wave designs.
    pub seed: u64,
}

impl Default for HistoryMatchingConfig {
    fn default() -> Self {
        Self {
            cutoff: 3.0,
            rule: ImplausibilityRule::Maximum,
            margin: 0.1,
            seed: 0,
        }
    }
}

/// A box in the unit cube.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitBox {
    /// Lower corner.
    pub low: Vec<f64>,
    /// Upper corner.
    pub high: Vec<f64>,
}

impl UnitBox {
    /// The whole cube in `dimension` dimensions.
    #[must_use]
    pub fn unit(dimension: usize) -> Self {
        Self {
            low: vec![0.0; dimension],
            high: vec![1.0; dimension],
        }
    }

    /// Volume (share of the unit cube).
    #[must_use]
    pub fn volume(&self) -> f64 {
        self.low.iter().zip(&self.high).map(|(l, h)| h - l).product()
    }
}

/// Implausibility of one target at one point from its replicate runs.
///
/// # Errors
/// When there is no replicate, a value is not finite, a variance is negative, or the three
/// variances sum to zero (a single replicate with no stated uncertainty).
pub fn implausibility(target: &HistoryMatchingTarget, replicates: &[f64]) -> UqResult<f64> {
    if replicates.is_empty() {
        return Err(invalid!("implausibility of {}: no replicate", target.name));
    }
    ensure_finite(&format!("replicates of {}", target.name), replicates)?;
    ensure_finite(
        "target",
        &[target.observed, target.observation_variance, target.discrepancy_variance],
    )?;
    if target.observation_variance < 0.0 || target.discrepancy_variance < 0.0 {
        return Err(invalid!("target {}: variances must be non-negative", target.name));
    }
    let n = replicates.len() as f64;
    let mean = replicates.iter().sum::<f64>() / n;
    let ensemble_variance = if replicates.len() > 1 {
        replicates.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let denominator = target.observation_variance + target.discrepancy_variance + ensemble_variance;
    if denominator <= 0.0 {
        return Err(UqError::Degenerate(format!(
            "target {}: observation, discrepancy and ensemble variances are all zero",
            target.name
        )));
    }
    Ok((target.observed - mean).abs() / denominator.sqrt())
}

/// What one wave found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaveAssessment {
    /// Wave number (1-based).
    pub wave: usize,
    /// Box the wave's design was drawn in.
    pub sampled_box: UnitBox,
    /// Parameter values of the points assessed.
    pub points: Vec<Vec<f64>>,
    /// `per_target[point][target]` implausibility.
    pub per_target: Vec<Vec<f64>>,
    /// Combined implausibility of each point.
    pub implausibility: Vec<f64>,
    /// Whether each point is non-implausible (combined implausibility ≤ cut-off).
    pub non_implausible: Vec<bool>,
    /// Share of the wave's points that are non-implausible.
    pub non_implausible_fraction: f64,
    /// Estimated non-implausible share of the whole space: `volume(box) × fraction` (assumes
    /// the box holds all of it).
    pub non_implausible_volume: f64,
    /// Box for the next wave; `None` when every point was ruled out.
    pub next_box: Option<UnitBox>,
}

/// History matching in waves: [`HistoryMatching::design_wave`] → run the model →
/// [`HistoryMatching::assess_wave`] → next wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryMatching {
    space: ParameterSpace,
    targets: Vec<HistoryMatchingTarget>,
    config: HistoryMatchingConfig,
    current_box: UnitBox,
    waves: Vec<WaveAssessment>,
}

impl HistoryMatching {
    /// Starts with the whole space.
    ///
    /// # Errors
    /// When there is no target, a target's values are not finite or its variances negative, the
    /// cut-off is not positive or the margin is negative.
    pub fn new(space: ParameterSpace, targets: Vec<HistoryMatchingTarget>, config: HistoryMatchingConfig) -> UqResult<Self> {
        if targets.is_empty() {
            return Err(invalid!("history matching needs at least one target"));
        }
        for t in &targets {
            ensure_finite(
                &format!("target {}", t.name),
                &[t.observed, t.observation_variance, t.discrepancy_variance],
            )?;
            if t.observation_variance < 0.0 || t.discrepancy_variance < 0.0 {
                return Err(invalid!("target {}: variances must be non-negative", t.name));
            }
        }
        if !(config.cutoff.is_finite() && config.cutoff > 0.0 && config.margin.is_finite() && config.margin >= 0.0) {
            return Err(invalid!(
                "history matching: cutoff must be positive and margin non-negative, got {} and {}",
                config.cutoff,
                config.margin
            ));
        }
        let current_box = UnitBox::unit(space.dimension());
        Ok(Self {
            space,
            targets,
            config,
            current_box,
            waves: Vec::new(),
        })
    }

    /// Waves assessed so far.
    #[must_use]
    pub fn waves(&self) -> &[WaveAssessment] {
        &self.waves
    }

    /// Box (unit cube coordinates) the next wave is drawn in.
    #[must_use]
    pub fn current_box(&self) -> &UnitBox {
        &self.current_box
    }

    /// `n` parameter sets for the next wave: a Latin hypercube in the current box, seeded by the
    /// seed and the wave number.
    ///
    /// # Errors
    /// When `n` is zero or the last wave ruled out every point.
    pub fn design_wave(&self, n: usize) -> UqResult<Vec<Vec<f64>>> {
        if self.waves.last().is_some_and(|w| w.next_box.is_none()) {
            return Err(UqError::Degenerate(
                "history matching: the last wave ruled out every point; the targets cannot be matched at this cut-off \
                 (check the variances)"
                    .into(),
            ));
        }
        let bounds: Vec<(f64, f64)> = self
            .current_box
            .low
            .iter()
            .copied()
            .zip(self.current_box.high.iter().copied())
            .collect();
        let unit = latin_hypercube_in_box(
            n,
            &bounds,
            self.config.seed ^ (self.waves.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        )?;
        self.space.design_to_parameters(&unit)
    }

    /// Assesses a wave: `points[i]` (parameter values, normally from [`Self::design_wave`]) gave
    /// `responses[i][target][replicate]`.
    ///
    /// # Errors
    /// On mismatched lengths, points outside the space, or any error of [`implausibility`].
    pub fn assess_wave(&mut self, points: &[Vec<f64>], responses: &[Vec<Vec<f64>>]) -> UqResult<&WaveAssessment> {
        if points.is_empty() || points.len() != responses.len() {
            return Err(invalid!(
                "history matching: {} points for {} responses",
                points.len(),
                responses.len()
            ));
        }
        let units = points.iter().map(|p| self.space.to_unit(p)).collect::<UqResult<Vec<_>>>()?;
        let mut per_target = Vec::with_capacity(points.len());
        for (i, per_point) in responses.iter().enumerate() {
            if per_point.len() != self.targets.len() {
                return Err(invalid!(
                    "responses[{i}] has {} targets, expected {}",
                    per_point.len(),
                    self.targets.len()
                ));
            }
            per_target.push(
                self.targets
                    .iter()
                    .zip(per_point)
                    .map(|(t, reps)| implausibility(t, reps))
                    .collect::<UqResult<Vec<f64>>>()?,
            );
        }
        let combined: Vec<f64> = per_target.iter().map(|values| combine(values, self.config.rule)).collect();
        let non_implausible: Vec<bool> = combined.iter().map(|&i| i <= self.config.cutoff).collect();
        let kept: Vec<&Vec<f64>> = units
            .iter()
            .zip(&non_implausible)
            .filter(|(_, keep)| **keep)
            .map(|(u, _)| u)
            .collect();
        let fraction = kept.len() as f64 / points.len() as f64;
        let next_box = (!kept.is_empty()).then(|| {
            let d = self.space.dimension();
            let mut low = vec![1.0; d];
            let mut high = vec![0.0; d];
            for u in &kept {
                for a in 0..d {
                    low[a] = f64::min(low[a], u[a]);
                    high[a] = f64::max(high[a], u[a]);
                }
            }
            // The kept points are a sample of the non-implausible region, which can reach about
            // one point spacing beyond the outermost of them: widen by that spacing,
            // `width × n^(−1/d)` of the sampled box, plus the margin share of the kept width.
            let spacing = (points.len() as f64).powf(-1.0 / d as f64);
            for a in 0..d {
                let sampled_width = self.current_box.high[a] - self.current_box.low[a];
                let widen = self.config.margin * (high[a] - low[a]) + spacing * sampled_width;
                low[a] = (low[a] - widen).max(0.0);
                high[a] = (high[a] + widen).min(1.0);
            }
            UnitBox { low, high }
        });
        let assessment = WaveAssessment {
            wave: self.waves.len() + 1,
            sampled_box: self.current_box.clone(),
            points: points.to_vec(),
            per_target,
            implausibility: combined,
            non_implausible,
            non_implausible_fraction: fraction,
            non_implausible_volume: self.current_box.volume() * fraction,
            next_box: next_box.clone(),
        };
        if let Some(b) = next_box {
            self.current_box = b;
        }
        self.waves.push(assessment);
        Ok(&self.waves[self.waves.len() - 1])
    }
}

/// Largest or second-largest of the per-target values.
fn combine(values: &[f64], rule: ImplausibilityRule) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    match rule {
        ImplausibilityRule::SecondMaximum if sorted.len() > 1 => sorted[1],
        _ => sorted[0],
    }
}

#[cfg(test)]
mod tests {
    use super::super::random::{seeded_rng, standard_normal};
    use super::super::space::ParameterRange;
    use super::*;

    /// A stochastic model with two outputs: `θ₀ + 0.5 θ₁ + N(0, 0.1²)` and `θ₁ + N(0, 0.1²)`.
    fn model(theta: &[f64], replicates: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = seeded_rng(seed, 7);
        let mut out = vec![Vec::new(), Vec::new()];
        for _ in 0..replicates {
            out[0].push(theta[0] + 0.5 * theta[1] + 0.1 * standard_normal(&mut rng));
            out[1].push(theta[1] + 0.1 * standard_normal(&mut rng));
        }
        out
    }

    #[test]
    fn implausibility_by_hand() {
        let target = HistoryMatchingTarget {
            name: "z".into(),
            observed: 10.0,
            observation_variance: 1.0,
            discrepancy_variance: 1.0,
        };
        // mean 7, ensemble variance (1 + 1) / 1 = 2: |10 − 7| / sqrt(1 + 1 + 2) = 1.5
        assert!((implausibility(&target, &[6.0, 8.0]).unwrap() - 1.5).abs() < 1e-12);
        assert!(implausibility(&target, &[]).is_err());
        let exact = HistoryMatchingTarget {
            observation_variance: 0.0,
            discrepancy_variance: 0.0,
            ..target
        };
        assert!(matches!(implausibility(&exact, &[1.0]), Err(UqError::Degenerate(_))));
    }

    #[test]
    fn waves_rule_out_a_known_region_and_keep_the_truth() {
        // Truth θ = (2, 4) gives z₀ = 2 + 0.5 · 4 = 4 and z₁ = 4 (observation sd 0.1). Points with
        // θ₁ > 6 miss z₁ by more than 2, points with θ₀ > 5 miss z₀ by more than 1: at least
        // 7 standard deviations, so that region of [0, 10]² must be ruled out in every wave.
        let space = ParameterSpace::new(vec![
            ParameterRange::uniform("a", 0.0, 10.0),
            ParameterRange::uniform("b", 0.0, 10.0),
        ])
        .unwrap();
        let target = |name: &str, z| HistoryMatchingTarget {
            name: name.into(),
            observed: z,
            observation_variance: 0.01,
            discrepancy_variance: 0.0,
        };
        let mut hm = HistoryMatching::new(space, vec![target("z0", 4.0), target("z1", 4.0)], HistoryMatchingConfig::default()).unwrap();
        for wave in 0..3 {
            let points = hm.design_wave(400).unwrap();
            let responses: Vec<Vec<Vec<f64>>> = points
                .iter()
                .enumerate()
                .map(|(i, p)| model(p, 5, (wave * 1000 + i) as u64))
                .collect();
            let assessment = hm.assess_wave(&points, &responses).unwrap().clone();
            for (p, keep) in assessment.points.iter().zip(&assessment.non_implausible) {
                let distance_z1 = (p[1] - 4.0).abs();
                let distance_z0 = (p[0] + 0.5 * p[1] - 4.0).abs();
                if distance_z1 > 1.0 || distance_z0 > 1.0 {
                    assert!(!keep, "wave {wave}: {p:?} is far from the targets but kept");
                }
                if p[1] > 6.0 || p[0] > 5.0 {
                    assert!(!keep, "wave {wave}: {p:?} lies in the ruled-out region");
                }
            }
            assert!(assessment.non_implausible.iter().any(|k| *k), "wave {wave} kept nothing");
            // The truth (0.2, 0.4 in unit coordinates) stays inside every wave's next box.
            let next = assessment.next_box.as_ref().unwrap();
            assert!(
                next.low[0] <= 0.2 && 0.2 <= next.high[0] && next.low[1] <= 0.4 && 0.4 <= next.high[1],
                "wave {wave}: {next:?}"
            );
        }
        let last = hm.current_box();
        assert!(last.high[1] < 0.6 && last.high[0] < 0.5, "{last:?}");
        // The non-implausible set is about the parallelogram |θ₁ − 4| ≤ h, |θ₀ + θ₁/2 − 4| ≤ h
        // with h = 3 sqrt(0.01 + 0.01): area (2h)² = 0.72 of 100, a share of 0.0072.
        let volume = hm.waves()[2].non_implausible_volume;
        assert!((0.0036..0.0144).contains(&volume), "{volume}");
        assert!(hm.waves()[2].non_implausible_fraction > hm.waves()[0].non_implausible_fraction);
        // A checkpoint restores the same state, so the next wave's design is the same.
        let restored: HistoryMatching = super::super::from_checkpoint_json(&super::super::to_checkpoint_json(&hm).unwrap()).unwrap();
        assert_eq!(restored, hm);
        assert_eq!(restored.design_wave(50).unwrap(), hm.design_wave(50).unwrap());
    }

    #[test]
    fn a_wave_that_rules_out_everything_ends_the_matching() {
        let space = ParameterSpace::new(vec![ParameterRange::uniform("a", 0.0, 1.0)]).unwrap();
        let target = HistoryMatchingTarget {
            name: "z".into(),
            observed: 100.0,
            observation_variance: 0.01,
            discrepancy_variance: 0.0,
        };
        let mut hm = HistoryMatching::new(space, vec![target], HistoryMatchingConfig::default()).unwrap();
        let points = hm.design_wave(10).unwrap();
        let responses: Vec<Vec<Vec<f64>>> = points.iter().map(|p| vec![vec![p[0]]]).collect();
        assert!(hm.assess_wave(&points, &responses).unwrap().next_box.is_none());
        assert!(hm.design_wave(10).is_err());
        assert!(hm.assess_wave(&points, &responses[..3]).is_err());
    }

    #[test]
    fn second_maximum_tolerates_one_bad_target() {
        assert_eq!(combine(&[1.0, 5.0, 2.0], ImplausibilityRule::Maximum), 5.0);
        assert_eq!(combine(&[1.0, 5.0, 2.0], ImplausibilityRule::SecondMaximum), 2.0);
        assert_eq!(combine(&[4.0], ImplausibilityRule::SecondMaximum), 4.0);
    }
}
