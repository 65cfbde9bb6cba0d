//! Approximate Bayesian computation: rejection, and a step-wise ABC-SMC sampler.
//!
//! Rejection (Pritchard et al. 1999; Beaumont, Zhang & Balding 2002) keeps the prior draws
//! whose standardised summaries fall closest to the observed ones. ABC-SMC (Toni et al. 2009;
//! Beaumont, Cornuet, Marin & Robert 2009) moves a weighted population through decreasing
//! tolerances. [`AbcSmc`] is a state machine: it proposes parameter sets, the caller runs the
//! model wherever it likes (threads, a cluster, over days) and feeds the summaries back; the
//! state serialises with serde so the caller can stop and resume. Must not run a model itself.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::random::{derived_key, keyed_rng, standard_normal, uniform};
use super::space::ParameterSpace;
use super::stats::{
    ParameterSummary, cholesky, effective_sample_size, mahalanobis_squared, summarise_posterior, weighted_mean_and_covariance,
    weighted_quantile,
};
use super::{UqError, UqResult, ensure_finite, ensure_rows, invalid};

/// Consistency factor that makes the MAD estimate the standard deviation of a normal.
const MAD_TO_SD: f64 = 1.4826;

/// How summary statistics are standardised before distances are taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SummaryScale {
    /// `1.4826 × MAD` over the simulations (robust to outlying runs); the standard deviation
    /// where the MAD is zero.
    MedianAbsoluteDeviation,
    /// Standard deviation over the simulations.
    StandardDeviation,
    /// Scales given by the caller, one positive value per summary.
    Given(Vec<f64>),
}

/// Standardising scale of each summary over `simulated[run][summary]`.
fn summary_scales(simulated: &[Vec<f64>], width: usize, scale: &SummaryScale) -> UqResult<Vec<f64>> {
    if let SummaryScale::Given(given) = scale {
        if given.len() != width || given.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(invalid!(
                "given summary scales must be {width} positive finite values, got {given:?}"
            ));
        }
        return Ok(given.clone());
    }
    (0..width)
        .map(|j| {
            let mut column: Vec<f64> = simulated.iter().map(|s| s[j]).collect();
            let n = column.len() as f64;
            let mean = column.iter().sum::<f64>() / n;
            let sd = (column.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
            let value = match scale {
                SummaryScale::MedianAbsoluteDeviation => {
                    let median = median_in_place(&mut column);
                    let mut deviations: Vec<f64> = column.iter().map(|v| (v - median).abs()).collect();
                    let mad = MAD_TO_SD * median_in_place(&mut deviations);
                    if mad > 0.0 { mad } else { sd }
                }
                _ => sd,
            };
            if value > 0.0 && value.is_finite() {
                Ok(value)
            } else {
                Err(UqError::Degenerate(format!(
                    "summary {j} does not vary across the simulations: drop it or give its scale"
                )))
            }
        })
        .collect()
}

fn median_in_place(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

/// Euclidean distance between standardised summaries.
fn distance(simulated: &[f64], observed: &[f64], scales: &[f64]) -> f64 {
    simulated
        .iter()
        .zip(observed)
        .zip(scales)
        .map(|((s, o), c)| ((s - o) / c).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// Settings of ABC rejection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbcRejectionConfig {
    /// Share of the draws accepted, in (0, 1]: the tolerance is this quantile of the distances.
    pub accepted_fraction: f64,
    /// Standardisation of the summaries.
    pub scale: SummaryScale,
}

/// Outcome of ABC rejection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbcRejectionResult {
    /// Indices of the accepted draws, closest first (ties by index).
    pub accepted: Vec<usize>,
    /// Parameters of the accepted draws, in the order of `accepted` (equal weights).
    pub accepted_parameters: Vec<Vec<f64>>,
    /// Largest accepted distance.
    pub tolerance: f64,
    /// Distance of every draw, in input order.
    pub distances: Vec<f64>,
    /// Scale used for each summary.
    pub scales: Vec<f64>,
    /// Posterior summary of each parameter (equal weights).
    pub posterior: Vec<ParameterSummary>,
}

/// ABC rejection: `parameters[i]` (drawn from the prior by the caller, e.g. with
/// [`ParameterSpace::sample_prior`]) produced the summaries `simulated[i]`; keeps the
/// `⌈accepted_fraction · n⌉` draws closest to `observed`.
///
/// # Errors
/// On empty or ragged input, non-finite values, a fraction outside (0, 1], or a summary that
/// does not vary.
pub fn abc_rejection(
    parameters: &[Vec<f64>],
    simulated: &[Vec<f64>],
    observed: &[f64],
    config: &AbcRejectionConfig,
) -> UqResult<AbcRejectionResult> {
    if parameters.is_empty() || parameters.len() != simulated.len() {
        return Err(invalid!(
            "ABC rejection: {} parameter sets for {} simulations",
            parameters.len(),
            simulated.len()
        ));
    }
    if observed.is_empty() {
        return Err(invalid!("ABC rejection: no observed summary"));
    }
    if !(config.accepted_fraction > 0.0 && config.accepted_fraction <= 1.0) {
        return Err(invalid!(
            "ABC rejection: accepted_fraction {} must be in (0, 1]",
            config.accepted_fraction
        ));
    }
    ensure_finite("observed", observed)?;
    ensure_rows("parameters", parameters, parameters[0].len())?;
    ensure_rows("simulated", simulated, observed.len())?;
    let scales = summary_scales(simulated, observed.len(), &config.scale)?;
    let distances: Vec<f64> = simulated.iter().map(|s| distance(s, observed, &scales)).collect();
    let keep = ((config.accepted_fraction * parameters.len() as f64).ceil() as usize).clamp(1, parameters.len());
    let mut order: Vec<usize> = (0..parameters.len()).collect();
    order.sort_by(|&a, &b| distances[a].total_cmp(&distances[b]).then(a.cmp(&b)));
    order.truncate(keep);
    let accepted_parameters: Vec<Vec<f64>> = order.iter().map(|&i| parameters[i].clone()).collect();
    let posterior = summarise_posterior(&accepted_parameters, &vec![1.0; keep])?;
    Ok(AbcRejectionResult {
        tolerance: distances[order[keep - 1]],
        accepted: order,
        accepted_parameters,
        distances,
        scales,
        posterior,
    })
}

/// Settings of ABC-SMC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbcSmcConfig {
    /// Particles per population `N` (at least 2; a few hundred is usual).
    pub population_size: usize,
    /// Prior draws simulated in generation 0 (at least `N`); the `N` closest are kept.
    pub initial_draws: usize,
    /// `α` in (0, 1): each new tolerance is the `α`-quantile of the last population's distances.
    pub tolerance_quantile: f64,
    /// Generations including generation 0 (at least 1).
    pub max_generations: usize,
    /// Stop once a population's tolerance is at or below this.
    pub target_tolerance: Option<f64>,
    /// Stop after a generation whose acceptance rate is below this (0 never stops).
    pub min_acceptance_rate: f64,
    /// Proposals simulated at most per generation after the first; when spent without `N`
    /// acceptances the run stops with the last complete population.
    pub max_proposals_per_generation: u64,
    /// Standardisation of the summaries (fixed from generation 0's simulations).
    pub scale: SummaryScale,
    /// Seed: with the same seed, config and summaries, the same proposals and populations.
    pub seed: u64,
}

/// Names one proposal: its generation and its index within the generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ProposalId {
    /// Generation (0 = prior).
    pub generation: usize,
    /// Index within the generation (0, 1, 2…; the acceptance order).
    pub index: u64,
}

/// A parameter set to simulate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// Identifier to give back with the summaries.
    pub id: ProposalId,
    /// Parameter values (in the space's units).
    pub parameters: Vec<f64>,
}

/// A weighted population of accepted particles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Population {
    /// Generation that produced it.
    pub generation: usize,
    /// Tolerance it was accepted at (for generation 0: the largest kept distance).
    pub tolerance: f64,
    /// Parameter values of each particle.
    pub particles: Vec<Vec<f64>>,
    /// The same particles in unit-cube coordinates (where proposals are perturbed).
    pub unit_particles: Vec<Vec<f64>>,
    /// Normalised importance weights (sum 1).
    pub weights: Vec<f64>,
    /// Distance of each particle.
    pub distances: Vec<f64>,
}

/// What one generation cost and gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationSummary {
    /// Generation number.
    pub generation: usize,
    /// Tolerance of the generation.
    pub tolerance: f64,
    /// Simulations consumed (in proposal order) to fill the population.
    pub simulations: u64,
    /// `N / simulations`.
    pub acceptance_rate: f64,
    /// Kish effective sample size of the weights.
    pub effective_sample_size: f64,
}

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// `max_generations` populations were completed.
    MaxGenerations,
    /// A population reached `target_tolerance`.
    TargetToleranceReached,
    /// A generation's acceptance rate fell below `min_acceptance_rate`.
    AcceptanceRateTooLow,
    /// A generation spent `max_proposals_per_generation` without filling its population; the
    /// previous population is the result.
    ProposalBudgetExhausted,
}

/// Where a run stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AbcSmcStatus {
    /// A generation is being filled.
    Running {
        /// Current generation.
        generation: usize,
        /// Its tolerance (`None` in generation 0, which keeps the closest prior draws).
        tolerance: Option<f64>,
        /// Particles accepted so far.
        accepted: usize,
        /// Results received for this generation, consumed or waiting for earlier ones.
        evaluated: u64,
        /// Proposals handed out and not yet answered.
        outstanding: usize,
    },
    /// Done; [`AbcSmc::population`] holds the result.
    Finished(StopReason),
}

/// ABC-SMC as a state machine: [`AbcSmc::propose`] → simulate → [`AbcSmc::feed`] → … until
/// [`AbcSmcStatus::Finished`]. Proposal `i` of generation `t` is a function of the seed, `t`,
/// `i` and the previous population only, and acceptance follows proposal order, so the result
/// does not depend on batch sizes or on the order results arrive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbcSmc {
    config: AbcSmcConfig,
    space: ParameterSpace,
    observed: Vec<f64>,
    scales: Option<Vec<f64>>,
    generation: usize,
    tolerance: Option<f64>,
    population: Option<Population>,
    /// Cholesky factor of the perturbation covariance `2Σ` (unit cube, row-major).
    kernel_factor: Option<Vec<f64>>,
    /// Proposals handed out this generation and not answered: index → unit point.
    outstanding: BTreeMap<u64, Vec<f64>>,
    /// Answered proposals waiting for earlier indices: index → (unit point, summaries).
    waiting: BTreeMap<u64, (Vec<f64>, Vec<f64>)>,
    next_index: u64,
    /// Proposals consumed in order this generation.
    consumed: u64,
    /// Accepted this generation: (unit point, distance); in generation 0 every draw.
    accepted: Vec<(Vec<f64>, f64)>,
    /// Generation 0 keeps summaries until all draws are in, to fix the scales.
    initial_summaries: Vec<Vec<f64>>,
    history: Vec<GenerationSummary>,
    stopped: Option<StopReason>,
}

/// Attempts at drawing a proposal inside the unit cube before giving up.
const MAX_PERTURBATION_ATTEMPTS: usize = 10_000;

impl AbcSmc {
    /// A new run over the prior `space` (uniform or log-uniform ranges) towards `observed`.
    ///
    /// # Errors
    /// When a setting is out of range or `observed` is empty or not finite.
    pub fn new(space: ParameterSpace, observed: Vec<f64>, config: AbcSmcConfig) -> UqResult<Self> {
        if observed.is_empty() {
            return Err(invalid!("ABC-SMC: no observed summary"));
        }
        ensure_finite("observed", &observed)?;
        if config.population_size < 2 || config.initial_draws < config.population_size {
            return Err(invalid!(
                "ABC-SMC: needs population_size >= 2 and initial_draws >= population_size, got {} and {}",
                config.population_size,
                config.initial_draws
            ));
        }
        if !(config.tolerance_quantile > 0.0 && config.tolerance_quantile < 1.0) {
            return Err(invalid!(
                "ABC-SMC: tolerance_quantile {} must be in (0, 1)",
                config.tolerance_quantile
            ));
        }
        if config.max_generations == 0 {
            return Err(invalid!("ABC-SMC: max_generations must be at least 1"));
        }
        if !(0.0..=1.0).contains(&config.min_acceptance_rate) {
            return Err(invalid!(
                "ABC-SMC: min_acceptance_rate {} must be in [0, 1]",
                config.min_acceptance_rate
            ));
        }
        if config.max_proposals_per_generation < config.population_size as u64 {
            return Err(invalid!("ABC-SMC: max_proposals_per_generation must be at least population_size"));
        }
        if let Some(t) = config.target_tolerance
            && !(t.is_finite() && t >= 0.0)
        {
            return Err(invalid!("ABC-SMC: target_tolerance {t} must be finite and non-negative"));
        }
        Ok(Self {
            config,
            space,
            observed,
            scales: None,
            generation: 0,
            tolerance: None,
            population: None,
            kernel_factor: None,
            outstanding: BTreeMap::new(),
            waiting: BTreeMap::new(),
            next_index: 0,
            consumed: 0,
            accepted: Vec::new(),
            initial_summaries: Vec::new(),
            history: Vec::new(),
            stopped: None,
        })
    }

    /// Where the run stands.
    #[must_use]
    pub fn status(&self) -> AbcSmcStatus {
        match self.stopped {
            Some(reason) => AbcSmcStatus::Finished(reason),
            None => AbcSmcStatus::Running {
                generation: self.generation,
                tolerance: self.tolerance,
                accepted: self.accepted.len().min(self.config.population_size),
                evaluated: self.consumed + self.waiting.len() as u64,
                outstanding: self.outstanding.len(),
            },
        }
    }

    /// The latest complete population (the posterior sample once finished).
    #[must_use]
    pub fn population(&self) -> Option<&Population> {
        self.population.as_ref()
    }

    /// One entry per completed generation.
    #[must_use]
    pub fn history(&self) -> &[GenerationSummary] {
        &self.history
    }

    /// Summary scales fixed after generation 0.
    #[must_use]
    pub fn scales(&self) -> Option<&[f64]> {
        self.scales.as_deref()
    }

    /// Weighted posterior summary of each parameter from the latest population.
    ///
    /// # Errors
    /// Before generation 0 is complete.
    pub fn posterior_summary(&self) -> UqResult<Vec<ParameterSummary>> {
        let population = self
            .population
            .as_ref()
            .ok_or_else(|| UqError::OutOfOrder("ABC-SMC: no population is complete yet".into()))?;
        summarise_posterior(&population.particles, &population.weights)
    }

    /// Up to `max` new proposals of the current generation (fewer when its budget is spent;
    /// none once finished).
    ///
    /// # Errors
    /// When the perturbation kernel keeps leaving the prior support (a population squeezed
    /// against a bound with a huge spread), which is reported rather than looped on.
    pub fn propose(&mut self, max: usize) -> UqResult<Vec<Proposal>> {
        if self.stopped.is_some() {
            return Ok(Vec::new());
        }
        let budget = if self.generation == 0 {
            self.config.initial_draws as u64
        } else {
            self.config.max_proposals_per_generation
        };
        let count = (budget - self.next_index).min(max as u64);
        let key = derived_key(self.config.seed, self.generation as u64);
        let mut proposals = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let index = self.next_index;
            let unit = self.draw_unit_point(key, index)?;
            proposals.push(Proposal {
                id: ProposalId {
                    generation: self.generation,
                    index,
                },
                parameters: self.space.to_parameters(&unit)?,
            });
            self.outstanding.insert(index, unit);
            self.next_index += 1;
        }
        Ok(proposals)
    }

    /// Proposals handed out in the current generation and not yet answered (for a caller that
    /// lost some runs and must simulate them again).
    ///
    /// # Errors
    /// Only if a stored point no longer maps to parameters (a corrupted state).
    pub fn outstanding(&self) -> UqResult<Vec<Proposal>> {
        self.outstanding
            .iter()
            .map(|(&index, unit)| {
                Ok(Proposal {
                    id: ProposalId {
                        generation: self.generation,
                        index,
                    },
                    parameters: self.space.to_parameters(unit)?,
                })
            })
            .collect()
    }

    /// Feeds simulated summaries. Results of earlier generations, and any result once the run
    /// has finished, are ignored (the generation was filled without them). The whole batch is checked before any is used.
    ///
    /// # Errors
    /// When a result names a proposal of the current generation that was not handed out or was
    /// already answered, a future generation, or has summaries of the wrong length or not
    /// finite; nothing is consumed then.
    pub fn feed(&mut self, results: &[(ProposalId, Vec<f64>)]) -> UqResult<AbcSmcStatus> {
        if self.stopped.is_some() {
            // Late results of the last generation: it was complete without them.
            return Ok(self.status());
        }
        let mut seen = std::collections::BTreeSet::new();
        for (id, summaries) in results {
            if id.generation > self.generation {
                return Err(UqError::OutOfOrder(format!(
                    "ABC-SMC: result for generation {} while in {}",
                    id.generation, self.generation
                )));
            }
            if id.generation == self.generation && (!self.outstanding.contains_key(&id.index) || !seen.insert(id.index)) {
                return Err(UqError::OutOfOrder(format!(
                    "ABC-SMC: proposal {} of generation {} was not handed out or is already answered",
                    id.index, id.generation
                )));
            }
            if summaries.len() != self.observed.len() {
                return Err(invalid!(
                    "ABC-SMC: proposal {:?} has {} summaries, expected {}",
                    id,
                    summaries.len(),
                    self.observed.len()
                ));
            }
            ensure_finite(&format!("summaries of proposal {}/{}", id.generation, id.index), summaries)?;
        }
        for (id, summaries) in results {
            if id.generation == self.generation
                && let Some(unit) = self.outstanding.remove(&id.index)
            {
                self.waiting.insert(id.index, (unit, summaries.clone()));
            }
        }
        self.consume_in_order()?;
        Ok(self.status())
    }

    /// Unit-cube point of proposal `index`: from the prior in generation 0, else a perturbed
    /// ancestor, redrawing ancestor and perturbation until inside the cube (so the proposal
    /// density is the kernel mixture restricted to the prior support, up to one constant).
    fn draw_unit_point(&self, key: [u8; 32], index: u64) -> UqResult<Vec<f64>> {
        let mut rng = keyed_rng(key, index);
        let d = self.space.dimension();
        let (Some(population), Some(factor)) = (&self.population, &self.kernel_factor) else {
            return Ok((0..d).map(|_| uniform(&mut rng)).collect());
        };
        for _ in 0..MAX_PERTURBATION_ATTEMPTS {
            let ancestor = pick_weighted(&population.weights, uniform(&mut rng));
            let z: Vec<f64> = (0..d).map(|_| standard_normal(&mut rng)).collect();
            let centre = &population.unit_particles[ancestor];
            let point: Vec<f64> = (0..d)
                .map(|a| centre[a] + (0..=a).map(|b| factor[a * d + b] * z[b]).sum::<f64>())
                .collect();
            if point.iter().all(|u| (0.0..=1.0).contains(u)) {
                return Ok(point);
            }
        }
        Err(UqError::Degenerate(format!(
            "ABC-SMC: {MAX_PERTURBATION_ATTEMPTS} perturbations in a row left the prior support in generation {}",
            self.generation
        )))
    }

    /// Consumes answered proposals in index order, completing generations as they fill.
    fn consume_in_order(&mut self) -> UqResult<()> {
        while self.stopped.is_none() {
            let Some((unit, summaries)) = self.waiting.remove(&self.consumed) else {
                break;
            };
            self.consumed += 1;
            if self.generation == 0 {
                self.accepted.push((unit, 0.0));
                self.initial_summaries.push(summaries);
                if self.consumed == self.config.initial_draws as u64 {
                    self.complete_initial_generation()?;
                }
                continue;
            }
            let scales = self.scales.as_deref().unwrap_or_default();
            let rho = distance(&summaries, &self.observed, scales);
            if rho <= self.tolerance.unwrap_or(f64::INFINITY) {
                self.accepted.push((unit, rho));
                if self.accepted.len() == self.config.population_size {
                    self.complete_generation()?;
                    continue;
                }
            }
            if self.consumed == self.config.max_proposals_per_generation {
                self.stopped = Some(StopReason::ProposalBudgetExhausted);
            }
        }
        Ok(())
    }

    /// Fixes the scales from all prior draws and keeps the `N` closest.
    fn complete_initial_generation(&mut self) -> UqResult<()> {
        let scales = summary_scales(&self.initial_summaries, self.observed.len(), &self.config.scale)?;
        let mut draws: Vec<(usize, f64)> = self
            .initial_summaries
            .iter()
            .map(|s| distance(s, &self.observed, &scales))
            .enumerate()
            .collect();
        draws.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        draws.truncate(self.config.population_size);
        let all = std::mem::take(&mut self.accepted);
        self.accepted = draws.iter().map(|&(i, rho)| (all[i].0.clone(), rho)).collect();
        self.scales = Some(scales);
        self.initial_summaries.clear();
        self.complete_generation()
    }

    /// Weighs the accepted particles, records the population and prepares the next generation
    /// (or stops).
    fn complete_generation(&mut self) -> UqResult<()> {
        let accepted = std::mem::take(&mut self.accepted);
        let (unit_particles, distances): (Vec<Vec<f64>>, Vec<f64>) = accepted.into_iter().unzip();
        let weights = match (&self.population, &self.kernel_factor) {
            (Some(previous), Some(factor)) => importance_weights(&unit_particles, previous, factor, self.space.dimension())?,
            _ => vec![1.0 / unit_particles.len() as f64; unit_particles.len()],
        };
        let tolerance = self.tolerance.unwrap_or_else(|| distances.iter().copied().fold(0.0, f64::max));
        let simulations = self.consumed;
        let summary = GenerationSummary {
            generation: self.generation,
            tolerance,
            simulations,
            acceptance_rate: unit_particles.len() as f64 / simulations as f64,
            effective_sample_size: effective_sample_size(&weights)?,
        };
        let particles = unit_particles
            .iter()
            .map(|u| self.space.to_parameters(u))
            .collect::<UqResult<Vec<_>>>()?;
        let next_tolerance = weighted_quantile(&distances, &weights, self.config.tolerance_quantile)?;
        let population = Population {
            generation: self.generation,
            tolerance,
            particles,
            unit_particles,
            weights,
            distances,
        };
        let reached_target = self.config.target_tolerance.is_some_and(|t| tolerance <= t);
        let too_slow = self.generation > 0 && summary.acceptance_rate < self.config.min_acceptance_rate;
        self.history.push(summary);
        self.outstanding.clear();
        self.waiting.clear();
        self.next_index = 0;
        self.consumed = 0;
        self.stopped = if self.generation + 1 >= self.config.max_generations {
            Some(StopReason::MaxGenerations)
        } else if reached_target {
            Some(StopReason::TargetToleranceReached)
        } else if too_slow {
            Some(StopReason::AcceptanceRateTooLow)
        } else {
            None
        };
        if self.stopped.is_none() {
            self.kernel_factor = Some(perturbation_factor(&population, self.space.dimension())?);
            self.generation += 1;
            self.tolerance = Some(next_tolerance);
        }
        self.population = Some(population);
        Ok(())
    }
}

/// Index whose cumulative weight first exceeds `u · Σw`.
fn pick_weighted(weights: &[f64], u: f64) -> usize {
    let target = u * weights.iter().sum::<f64>();
    let mut cumulative = 0.0;
    for (i, w) in weights.iter().enumerate() {
        cumulative += w;
        if cumulative > target {
            return i;
        }
    }
    weights.len() - 1
}

/// Cholesky factor of `2Σ`, `Σ` the weighted covariance of the population (Beaumont et al.
/// 2009). A population collapsed in some direction gets a tiny ridge (1e-10 of the unit range,
/// squared) so that it can still move; a factor that fails even then is an error.
fn perturbation_factor(population: &Population, d: usize) -> UqResult<Vec<f64>> {
    let (_, covariance) = weighted_mean_and_covariance(&population.unit_particles, &population.weights);
    let mut doubled: Vec<f64> = covariance.iter().map(|c| 2.0 * c).collect();
    if let Some(factor) = cholesky(&doubled, d) {
        return Ok(factor);
    }
    for a in 0..d {
        doubled[a * d + a] += 1e-10;
    }
    cholesky(&doubled, d).ok_or_else(|| UqError::Degenerate("ABC-SMC: the population's covariance is singular".into()))
}

/// `w_i ∝ π(θ_i) / Σ_j w_j K(θ_i | θ_j)` with a flat prior on the unit cube, computed with a
/// log-sum-exp so that distant particles do not underflow to a zero denominator.
fn importance_weights(particles: &[Vec<f64>], previous: &Population, factor: &[f64], d: usize) -> UqResult<Vec<f64>> {
    let log_weights: Vec<f64> = particles
        .iter()
        .map(|p| {
            let terms: Vec<f64> = previous
                .unit_particles
                .iter()
                .zip(&previous.weights)
                .filter(|(_, w)| **w > 0.0)
                .map(|(q, w)| {
                    let diff: Vec<f64> = p.iter().zip(q).map(|(a, b)| a - b).collect();
                    w.ln() - 0.5 * mahalanobis_squared(factor, d, &diff)
                })
                .collect();
            let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            -(max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln())
        })
        .collect();
    let max = log_weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return Err(UqError::Degenerate("ABC-SMC: importance weights are not finite".into()));
    }
    let raw: Vec<f64> = log_weights.iter().map(|l| (l - max).exp()).collect();
    let total: f64 = raw.iter().sum();
    Ok(raw.iter().map(|w| w / total).collect())
}

#[cfg(test)]
mod tests {
    use super::super::random::seeded_rng;
    use super::super::space::ParameterRange;
    use super::*;

    /// Mean of `n` draws from N(mu, 1), from a stream fixed by `seed`.
    fn gaussian_sample_mean(mu: f64, n: usize, seed: u64) -> f64 {
        let mut rng = seeded_rng(seed, 99);
        (0..n).map(|_| mu + standard_normal(&mut rng)).sum::<f64>() / n as f64
    }

    /// Least-squares intercept and slope of `y = a + b t + N(0, 0.5²)` at t = 0..10.
    fn linear_model_fit(a: f64, b: f64, seed: u64) -> Vec<f64> {
        let mut rng = seeded_rng(seed, 98);
        let t: Vec<f64> = (0..=10).map(f64::from).collect();
        let y: Vec<f64> = t.iter().map(|t| a + b * t + 0.5 * standard_normal(&mut rng)).collect();
        let (tm, ym) = (5.0, y.iter().sum::<f64>() / 11.0);
        let slope = t.iter().zip(&y).map(|(t, y)| (t - tm) * (y - ym)).sum::<f64>() / t.iter().map(|t| (t - tm) * (t - tm)).sum::<f64>();
        vec![ym - slope * tm, slope]
    }

    /// Seed of the simulation of one proposal: a function of its id only, so results do not
    /// depend on the order runs are made.
    fn run_seed(id: ProposalId) -> u64 {
        (id.generation as u64) << 40 | id.index
    }

    fn drive(smc: &mut AbcSmc, batch: usize, reverse: bool, simulate: &dyn Fn(&[f64], u64) -> Vec<f64>) {
        for _ in 0..10_000 {
            if let AbcSmcStatus::Finished(_) = smc.status() {
                return;
            }
            let proposals = smc.propose(batch).unwrap();
            assert!(!proposals.is_empty(), "a running sampler always has proposals to give");
            let mut results: Vec<(ProposalId, Vec<f64>)> =
                proposals.iter().map(|p| (p.id, simulate(&p.parameters, run_seed(p.id)))).collect();
            if reverse {
                results.reverse();
            }
            smc.feed(&results).unwrap();
        }
        panic!("the sampler did not finish");
    }

    fn gaussian_config(seed: u64) -> AbcSmcConfig {
        AbcSmcConfig {
            population_size: 400,
            initial_draws: 800,
            tolerance_quantile: 0.5,
            max_generations: 6,
            target_tolerance: None,
            min_acceptance_rate: 0.0,
            max_proposals_per_generation: 200_000,
            scale: SummaryScale::MedianAbsoluteDeviation,
            seed,
        }
    }

    const N_OBS: usize = 50;
    const TRUE_MEAN: f64 = 2.5;

    #[test]
    fn rejection_recovers_a_gaussian_mean() {
        // Data: 50 draws from N(2.5, 1); summary: the sample mean. Flat prior on [−10, 10]:
        // the exact posterior is N(x̄, 1/50), sd 0.141.
        let observed = gaussian_sample_mean(TRUE_MEAN, N_OBS, 1);
        let space = ParameterSpace::new(vec![ParameterRange::uniform("mu", -10.0, 10.0)]).unwrap();
        let draws = space.sample_prior(40_000, 2).unwrap();
        let simulated: Vec<Vec<f64>> = draws
            .iter()
            .enumerate()
            .map(|(i, p)| vec![gaussian_sample_mean(p[0], N_OBS, 1000 + i as u64)])
            .collect();
        let config = AbcRejectionConfig {
            accepted_fraction: 0.01,
            scale: SummaryScale::MedianAbsoluteDeviation,
        };
        let result = abc_rejection(&draws, &simulated, &[observed], &config).unwrap();
        assert_eq!(result.accepted.len(), 400);
        let mu = &result.posterior[0];
        assert!(mu.covers(TRUE_MEAN), "{mu:?}");
        assert!((mu.mean - observed).abs() < 0.1, "{mu:?} vs x̄ = {observed}");
        let exact_sd = 1.0 / (N_OBS as f64).sqrt();
        assert!(mu.sd > 0.8 * exact_sd && mu.sd < 1.5 * exact_sd, "sd {} vs exact {exact_sd}", mu.sd);
    }

    #[test]
    fn smc_recovers_a_gaussian_mean() {
        let observed = gaussian_sample_mean(TRUE_MEAN, N_OBS, 1);
        let space = ParameterSpace::new(vec![ParameterRange::uniform("mu", -10.0, 10.0)]).unwrap();
        let mut smc = AbcSmc::new(space, vec![observed], gaussian_config(3)).unwrap();
        drive(&mut smc, 250, false, &|p, seed| vec![gaussian_sample_mean(p[0], N_OBS, seed)]);
        assert_eq!(smc.status(), AbcSmcStatus::Finished(StopReason::MaxGenerations));
        let history = smc.history();
        assert_eq!(history.len(), 6);
        assert!(history.windows(2).all(|w| w[1].tolerance <= w[0].tolerance), "{history:?}");
        let mu = &smc.posterior_summary().unwrap()[0];
        assert!(mu.covers(TRUE_MEAN), "{mu:?}");
        assert!((mu.mean - observed).abs() < 0.1, "{mu:?} vs x̄ = {observed}");
        let exact_sd = 1.0 / (N_OBS as f64).sqrt();
        assert!(mu.sd > 0.8 * exact_sd && mu.sd < 1.5 * exact_sd, "sd {} vs exact {exact_sd}", mu.sd);
        let weights = &smc.population().unwrap().weights;
        assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    /// Calibration, not only recovery: over many twins whose true mean is drawn from the prior,
    /// the 90 % credible intervals must cover the truth about 90 % of the time (the property a
    /// Bayesian interval has when the truth comes from its prior). ABC's tolerance widens the
    /// posterior, so over-coverage is expected and allowed up to a point; under-coverage would
    /// mean overconfident intervals, which no single twin can reveal (issue 19). Measured: 104 of
    /// 120 covered (0.87) with a mean width equal to the exact posterior's; five generations
    /// instead of eight gave 0.98 at 1.6 times the width, and 60 % intervals passed off as 90 %
    /// give 0.58 (the test then fails).
    #[test]
    fn smc_intervals_cover_the_truth_at_their_nominal_rate_over_many_twins() {
        const TWINS: u64 = 120;
        let space = ParameterSpace::new(vec![ParameterRange::uniform("mu", -10.0, 10.0)]).unwrap();
        let truths = space.sample_prior(TWINS as usize, 77).unwrap();
        let exact_width = 2.0 * 1.644_854 / (N_OBS as f64).sqrt();
        let mut covered = 0;
        let mut widths = Vec::new();
        for (twin, truth) in truths.iter().enumerate() {
            let twin = twin as u64;
            let observed = gaussian_sample_mean(truth[0], N_OBS, 1_000_000 + twin);
            let config = AbcSmcConfig {
                population_size: 200,
                initial_draws: 400,
                max_generations: 8,
                ..gaussian_config(500 + twin)
            };
            let mut smc = AbcSmc::new(space.clone(), vec![observed], config).unwrap();
            // Each twin's simulations draw from their own streams.
            drive(&mut smc, 400, false, &|p, seed| {
                vec![gaussian_sample_mean(p[0], N_OBS, seed ^ ((twin + 1) << 52))]
            });
            let mu = &smc.posterior_summary().unwrap()[0];
            covered += usize::from(mu.covers(truth[0]));
            widths.push(mu.ci90_high - mu.ci90_low);
        }
        let coverage = covered as f64 / TWINS as f64;
        let mean_width = widths.iter().sum::<f64>() / widths.len() as f64;
        // 0.90 less three binomial standard errors (0.027 at 120 twins) is about 0.82; above
        // 0.99 the intervals would be uselessly wide, which the width bound also catches.
        assert!((0.82..=0.99).contains(&coverage), "coverage {coverage} over {TWINS} twins");
        assert!(
            mean_width > 0.8 * exact_width && mean_width < 1.3 * exact_width,
            "mean 90 % width {mean_width} against the exact posterior's {exact_width}"
        );
    }

    #[test]
    fn smc_recovers_linear_model_parameters_in_a_twin_experiment() {
        let (a, b) = (1.0, 0.5);
        let observed = linear_model_fit(a, b, 12_345);
        let space = ParameterSpace::new(vec![
            ParameterRange::uniform("a", -5.0, 5.0),
            ParameterRange::uniform("b", -2.0, 2.0),
        ])
        .unwrap();
        let config = AbcSmcConfig {
            population_size: 500,
            initial_draws: 2000,
            ..gaussian_config(8)
        };
        let mut smc = AbcSmc::new(space, observed, config).unwrap();
        drive(&mut smc, 1000, false, &|p, seed| linear_model_fit(p[0], p[1], seed));
        let summary = smc.posterior_summary().unwrap();
        assert!(summary[0].covers(a), "intercept {:?}", summary[0]);
        assert!(summary[1].covers(b), "slope {:?}", summary[1]);
        // The least-squares standard errors are about 0.28 (intercept) and 0.048 (slope): the
        // intervals must be of that order, not the prior's width.
        assert!(summary[0].ci90_high - summary[0].ci90_low < 2.0, "{:?}", summary[0]);
        assert!(summary[1].ci90_high - summary[1].ci90_low < 0.4, "{:?}", summary[1]);
    }

    #[test]
    fn smc_result_does_not_depend_on_batches_arrival_order_or_a_restart() {
        let observed = gaussian_sample_mean(TRUE_MEAN, N_OBS, 1);
        let space = ParameterSpace::new(vec![ParameterRange::log_uniform("mu", 0.1, 100.0)]).unwrap();
        let config = AbcSmcConfig {
            population_size: 100,
            initial_draws: 200,
            max_generations: 4,
            ..gaussian_config(5)
        };
        let simulate = |p: &[f64], seed| vec![gaussian_sample_mean(p[0], N_OBS, seed)];
        let mut whole = AbcSmc::new(space.clone(), vec![observed], config.clone()).unwrap();
        drive(&mut whole, 10_000, false, &simulate);
        let mut pieces = AbcSmc::new(space, vec![observed], config).unwrap();
        // Half a generation in small reversed batches, then a save and a restore.
        for _ in 0..5 {
            let proposals = pieces.propose(17).unwrap();
            let mut results: Vec<_> = proposals.iter().map(|p| (p.id, simulate(&p.parameters, run_seed(p.id)))).collect();
            results.reverse();
            pieces.feed(&results).unwrap();
        }
        let saved = super::super::to_checkpoint_json(&pieces).unwrap();
        let mut restored: AbcSmc = super::super::from_checkpoint_json(&saved).unwrap();
        assert_eq!(restored, pieces);
        drive(&mut restored, 37, true, &simulate);
        let (a, b) = (whole.population().unwrap(), restored.population().unwrap());
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a.weights), bits(&b.weights));
        assert_eq!(a.particles, b.particles);
        assert_eq!(whole.history(), restored.history());
    }

    #[test]
    fn feeding_unknown_or_bad_results_is_an_error_and_consumes_nothing() {
        let space = ParameterSpace::new(vec![ParameterRange::uniform("mu", 0.0, 1.0)]).unwrap();
        let mut smc = AbcSmc::new(space, vec![0.5], gaussian_config(1)).unwrap();
        let proposals = smc.propose(2).unwrap();
        let good = (proposals[0].id, vec![0.4]);
        assert!(
            smc.feed(&[good.clone(), (ProposalId { generation: 0, index: 99 }, vec![0.1])])
                .is_err()
        );
        assert!(smc.feed(&[good.clone(), (proposals[1].id, vec![f64::NAN])]).is_err());
        assert!(smc.feed(&[good.clone(), (proposals[1].id, vec![0.1, 0.2])]).is_err());
        assert!(smc.feed(&[good.clone(), good.clone()]).is_err());
        assert!(smc.feed(&[(ProposalId { generation: 1, index: 0 }, vec![0.1])]).is_err());
        assert!(matches!(
            smc.status(),
            AbcSmcStatus::Running {
                evaluated: 0,
                outstanding: 2,
                ..
            }
        ));
        smc.feed(&[good]).unwrap();
        assert_eq!(smc.outstanding().unwrap().len(), 1);
        assert!(smc.posterior_summary().is_err());
        let bad = AbcSmcConfig {
            tolerance_quantile: 1.0,
            ..gaussian_config(1)
        };
        assert!(
            AbcSmc::new(
                ParameterSpace::new(vec![ParameterRange::uniform("x", 0.0, 1.0)]).unwrap(),
                vec![0.5],
                bad
            )
            .is_err()
        );
    }

    #[test]
    fn rejection_rejects_bad_input() {
        let config = AbcRejectionConfig {
            accepted_fraction: 0.5,
            scale: SummaryScale::StandardDeviation,
        };
        assert!(abc_rejection(&[], &[], &[1.0], &config).is_err());
        assert!(abc_rejection(&[vec![1.0]], &[vec![1.0, 2.0]], &[1.0], &config).is_err());
        // A summary that never varies cannot be standardised.
        assert!(matches!(
            abc_rejection(&[vec![1.0], vec![2.0]], &[vec![3.0], vec![3.0]], &[1.0], &config),
            Err(UqError::Degenerate(_))
        ));
        let zero = AbcRejectionConfig {
            accepted_fraction: 0.0,
            ..config
        };
        assert!(abc_rejection(&[vec![1.0], vec![2.0]], &[vec![3.0], vec![4.0]], &[1.0], &zero).is_err());
    }
}
