//! Uncertainty quantification core: designs, sensitivity estimators, calibration and robustness.
//!
//! This module is the numerical core under `peacesim sensitivity`, `peacesim calibrate` and
//! `peacesim robust` (issue 19). It knows nothing about scenarios, the engine or files: every
//! function takes plain numbers (points in a parameter space, model responses) and returns plain
//! numbers. It must not import the rest of the crate, print, read or write files, or create a
//! generator other than an explicitly seeded [`rand_chacha::ChaCha8Rng`]. The same inputs and
//! seed give the same output bits (on the same platform: `ln`, `exp`, `sin` come from the
//! platform's math library).
//!
//! # Workflow
//! 1. Describe the uncertain parameters as a [`ParameterSpace`] (uniform or log-uniform ranges).
//! 2. Draw a design in the unit hypercube ([`MorrisDesign`], [`SaltelliDesign`],
//!    [`latin_hypercube`], [`SobolSequence`]) and map it to parameter values with
//!    [`ParameterSpace::to_parameters`].
//! 3. Run the model (one or several replicates per design point) outside this module.
//! 4. Estimate: [`morris_indices`], [`sobol_indices`], [`abc_rejection`], [`AbcSmc`] (a
//!    step-wise state machine), [`HistoryMatching`] (waves), [`robustness`] and [`prim`].
//!
//! # Designs
//! - **Sobol' sequence** ([`SobolSequence`]): base-2 digital sequence, Gray-code order,
//!   direction numbers of Joe & Kuo (2008, `new-joe-kuo-6.21201`) for up to
//!   [`SOBOL_MAX_DIMENSION`] dimensions; randomised by a linear matrix scramble (Matoušek 1998)
//!   and a digital shift, which keep the net property and make each point uniform on the cube.
//! - **Morris trajectories** ([`MorrisDesign`]; Morris 1991): on a grid of `p` levels
//!   `{0, 1/(p−1), …, 1}`, step `Δ = p / (2(p−1))`; a base point with coordinates in
//!   `{0, …, 1 − Δ}`, then each factor in random order moves once by `±Δ`, giving `k + 1` points
//!   per trajectory. Optional improved selection (Campolongo et al. 2007): from `M` candidates keep
//!   the `r` trajectories with the largest spread, `d(m,l) = Σ_i Σ_j ‖X_i^(m) − X_j^(l)‖`,
//!   chosen by greedy removal of the candidate whose squared distances to the others sum least
//!   (the heuristic of Ruano et al. 2012), because the exact search is combinatorial.
//! - **Saltelli cross-sampling** ([`SaltelliDesign`]; Saltelli 2002, 2010): two independent
//!   `N × k` matrices `A` and `B` (the first and last `k` columns of one `2k`-dimensional Sobol',
//!   Latin hypercube or random sample) and `k` matrices `A_B^(i)`, equal to `A` except column `i`
//!   which comes from `B`: `N (k + 2)` runs.
//! - **Latin hypercube** ([`latin_hypercube`]; McKay, Beckman & Conover 1979): each of the `n`
//!   equal strata of every coordinate holds exactly one point, placed uniformly inside it; the
//!   strata are matched across coordinates by independent random permutations.
//! - **Scaling** ([`ParameterSpace`]): uniform `x = a + u (b − a)`; log-uniform
//!   `x = a · (b / a)^u` (for `0 < a < b`).
//!
//! # Sensitivity estimators
//! Responses are given per design point as one or more replicates; replicates are averaged
//! before estimation and their spread is reported ([`NoiseSummary`]):
//! `noise_share = s²_within / s²_total` (pooled within-point variance of single runs over the
//! variance of all single runs) and `noise_share_of_means = (s²_within / R̄) / Var(ȳ)` (the noise
//! left in the averaged responses, `R̄` the harmonic mean replicate count). An index is only
//! meaningful when the noise share of the means is small: noise acts like one more input.
//! - **Morris** ([`morris_indices`]; Morris 1991, Campolongo et al. 2007): elementary effect of
//!   factor `i` on a trajectory `EE_i = (y(x') − y(x)) / (x'_i − x_i)` in unit-cube units;
//!   `μ_i = mean(EE_i)`, `μ*_i = mean(|EE_i|)`, `σ_i = sd(EE_i)` (with `r − 1`); bootstrap
//!   interval of `μ*` over trajectories.
//! - **Sobol' first order** ([`sobol_indices`]; Saltelli et al. 2010, table 2 (b)):
//!   `S_i = (1/N) Σ_j f(B)_j (f(A_B^(i))_j − f(A)_j) / V`.
//! - **Sobol' total** (Jansen 1999; Saltelli et al. 2010, table 2 (f)):
//!   `ST_i = (1/(2N)) Σ_j (f(A)_j − f(A_B^(i))_j)² / V`, with `V` the variance (divisor `2N`) of
//!   the `2N` values `f(A) ∪ f(B)`.
//! - **Bootstrap** (Efron & Tibshirani 1993; Archer, Saltelli & Sobol' 1997): `B` resamples of
//!   the `N` base rows (or the `r` trajectories) with replacement, indices drawn from a seeded
//!   ChaCha8 stream; percentile interval `[q_{(1−c)/2}, q_{(1+c)/2}]` of the resampled estimates
//!   (linear interpolation between order statistics).
//!
//! # Calibration
//! - **ABC rejection** ([`abc_rejection`]; Pritchard et al. 1999, Beaumont et al. 2002):
//!   distance `ρ = sqrt(Σ_j ((s_j − s_j^obs) / scale_j)²)` on summaries standardised by their
//!   spread over the simulations (`scale_j` = 1.4826 · MAD, or the standard deviation when the
//!   MAD is zero); the accepted set is the `⌈q·n⌉` smallest distances (tolerance = the accepted
//!   quantile `q`), ties broken by index.
//! - **ABC-SMC** ([`AbcSmc`]; Toni et al. 2009, Beaumont et al. 2009): populations of `N`
//!   particles with decreasing tolerances `ε_t` (adaptive: `ε_{t+1}` is the `α`-quantile of the
//!   accepted distances of generation `t`; Del Moral et al. 2012). Generation 0 samples the prior.
//!   Later generations pick an ancestor `θ_j` with probability `w_j`, perturb it with
//!   `K(·|θ_j) = N(θ_j, 2Σ)`, `Σ` the weighted covariance of the previous population
//!   (Beaumont et al. 2009), and accept when `ρ ≤ ε_t`. Weights
//!   `w_i ∝ π(θ_i) / Σ_j w_j^(t−1) K(θ_i | θ_j)`. Particles live in the unit cube (where every
//!   prior of a [`ParameterSpace`] is uniform), so log-uniform ranges are perturbed on the log
//!   scale. Proposal `i` of generation `t` uses its own ChaCha8 stream, and acceptance follows
//!   proposal order, so results do not depend on batch sizes or on the order results arrive.
//! - **History matching** ([`HistoryMatching`]; Craig et al. 1997, Vernon et al. 2010,
//!   Andrianakis et al. 2015): implausibility
//!   `I = |z − E[f(x)]| / sqrt(Var_obs + Var_discrepancy + Var_ensemble)` per target (`E[f]` and
//!   `Var_ensemble` the mean and variance of the replicates at `x`); a point is ruled out when the
//!   maximum (or second-largest) `I` exceeds the cut-off (3, Pukelsheim's 1994 three-sigma rule).
//!   Without an emulator, each wave draws a Latin hypercube in the bounding box of the last wave's
//!   non-implausible points, widened by one point spacing and a margin.
//! - **Posterior summaries** ([`summarise_posterior`]): weighted mean, weighted quantiles (the
//!   inverse of the weighted empirical distribution function), 90 % equal-tailed credible
//!   intervals, effective sample size `(Σw)² / Σw²` (Kish 1965).
//!
//! # Robustness
//! - [`robustness`]: for `outcome[future][policy]` and a [`Direction`], regret
//!   `R_fp = |best_f − outcome_fp|` (Savage 1951), probability of being best (ties share the
//!   credit), mean and maximum regret, pairwise win shares and the ranking flip frequency: the
//!   share of futures in which a pair is ordered against its order by mean outcome.
//! - [`prim`] (Friedman & Fisher 1999; Bryant & Lempert 2010): peeling trajectory of boxes, each
//!   step removing the `α` = 5 % quantile slice (one side of one input) that most raises the
//!   density of the remaining box, until the box holds less than the minimum mass; the box
//!   returned is the densest one whose coverage is at least the minimum coverage.
//!
//! # Checkpoints
//! [`AbcSmc`] and [`HistoryMatching`] derive serde; write them with [`to_checkpoint_json`] and
//! read them with [`from_checkpoint_json`], which keep every float's bits (plain `serde_json`
//! text may read a float back one ulp off, and the resumed run would then drift).
//!
//! `docs/UNCERTAINTY-METHODS.md` gives the full references and the test tolerances.

mod abc;
mod checkpoint;
mod designs;
mod history_matching;
mod morris;
mod prim;
pub(crate) mod random;
mod replicates;
mod robustness;
mod sobol_indices;
mod sobol_sequence;
mod space;
mod stats;
pub mod test_functions;

pub use abc::{
    AbcRejectionConfig, AbcRejectionResult, AbcSmc, AbcSmcConfig, AbcSmcStatus, GenerationSummary, Population, Proposal, ProposalId,
    StopReason, SummaryScale, abc_rejection,
};
pub use checkpoint::{from_checkpoint_json, to_checkpoint_json};
pub use designs::{
    BaseSampling, MorrisDesign, MorrisDesignConfig, SaltelliDesign, SaltelliDesignConfig, latin_hypercube, latin_hypercube_in_box,
};
pub use history_matching::{
    HistoryMatching, HistoryMatchingConfig, HistoryMatchingTarget, ImplausibilityRule, UnitBox, WaveAssessment, implausibility,
};
pub use morris::{MorrisIndex, MorrisOptions, MorrisResult, morris_indices};
pub use prim::{PrimBox, PrimConfig, PrimResult, prim};
pub use random::seeded_rng;
pub use replicates::{NoiseSummary, ReplicateMeans, average_replicates, one_replicate_each};
pub use robustness::{Direction, PolicyRobustness, RobustnessResult, best_policy_mask, robustness, worst_policy_mask};
pub use sobol_indices::{IndexEstimate, SobolIndex, SobolOptions, SobolResult, sobol_indices};
pub use sobol_sequence::{SOBOL_MAX_DIMENSION, SobolScrambling, SobolSequence};
pub use space::{ParameterRange, ParameterSpace, RangeScale};
pub use stats::{
    ParameterSummary, credible_interval, effective_sample_size, summarise_posterior, weighted_mean, weighted_quantile, weighted_variance,
};

/// What went wrong in an uncertainty computation. The message names the argument and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UqError {
    /// An argument breaks a rule (wrong length, out of range, not finite, empty...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A state machine was called out of order (results for an unknown proposal, a finished run...).
    #[error("out of order: {0}")]
    OutOfOrder(String),
    /// The data do not allow the computation (zero variance, all weights zero, singular covariance).
    #[error("degenerate data: {0}")]
    Degenerate(String),
}

/// Result alias of this module.
pub type UqResult<T> = Result<T, UqError>;

/// Shorthand for an [`UqError::InvalidArgument`] built with `format!`.
macro_rules! invalid {
    ($($arg:tt)*) => {
        $crate::uncertainty::UqError::InvalidArgument(format!($($arg)*))
    };
}
pub(crate) use invalid;

/// Checks that every value is finite, naming the first that is not.
pub(crate) fn ensure_finite(what: &str, values: &[f64]) -> UqResult<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(invalid!("{what}[{i}] is {}, must be finite", values[i])),
        None => Ok(()),
    }
}

/// Checks that every row has `width` finite values, naming the first that does not.
pub(crate) fn ensure_rows(what: &str, rows: &[Vec<f64>], width: usize) -> UqResult<()> {
    for (r, row) in rows.iter().enumerate() {
        if row.len() != width {
            return Err(invalid!("{what}[{r}] has {} values, expected {width}", row.len()));
        }
        if let Some(c) = row.iter().position(|v| !v.is_finite()) {
            return Err(invalid!("{what}[{r}][{c}] is {}, must be finite", row[c]));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
