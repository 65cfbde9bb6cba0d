//! `peacesim calibrate PLAN`: uncertain parameters fitted to observed targets.
//!
//! Targets are outcome magnitudes (columns of outcomes.csv) and series summaries (`[[series]]`:
//! a column of the national series summed, averaged, maximised or read at its end over a window
//! of ticks, e.g. monthly conflict fatalities or the displaced at a date, named
//! `COLUMN[FROM-TO].STATISTIC`), each with an observation standard deviation, read from a CSV
//! file (`outcome,observed,sd`), or made by the model itself in a twin
//! experiment (`[twin]`: the parameters' true values; the twin point's replicate mean becomes the
//! observation, written to `targets.csv`). The plan's `draws` are independent draws from the
//! prior (uniform or log-uniform over the ranges); they and the twin point run as one sweep.
//! Then:
//! - `method = "rejection"`: ABC rejection (Pritchard et al. 1999): the `accept` share of draws
//!   whose replicate-mean outcomes are closest to the targets (distance on summaries
//!   standardised by their spread over the draws) form the posterior, equally weighted;
//! - `method = "history_matching"`: history matching (Craig et al. 1997; Vernon et al. 2010):
//!   draws whose implausibility
//!   `|z − mean| / sqrt(sd² + (discrepancy·z)² + replicate variance)` stays at or below `cutoff`
//!   for every target are kept, equally weighted; with `waves` > 1, each later wave runs `draws`
//!   points sampled around the previous wave's kept points (iterative refocusing, by direct
//!   simulation rather than emulators) as a sweep in `OUT/waves/wave-W`, and the last wave's
//!   kept points are the result;
//! - `method = "smc"`: ABC-SMC (Toni et al. 2009; Beaumont et al. 2009): the draws are its first
//!   generation; each later generation proposes perturbed particles in batches of `population`,
//!   each batch a sweep of its own in `OUT/smc/generation-G-part-P` (resumable; it depends on the
//!   previous generation, so only the first sweep shards), until `generations` populations; the
//!   posterior is the last population with its importance weights.
//!
//! Writes `posterior.csv` (`draw, weight, distance`, then one column per parameter path: the
//! accepted sets, usable as `posterior` by `peacesim robust`), `parameters.csv` (prior range,
//! posterior mean, median and 90 % credible interval, and in a twin experiment the true value
//! and whether the interval holds it), `fit.csv` (each target against the prior's and the
//! posterior's simulated outcomes), `report.md` and a figure of the intervals.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldErrors, Result};
use crate::output::plot::uq::{PosteriorRow, UqFigures, plot_posterior};
use crate::rng::derive_seed;
use crate::uncertainty::random::{index_below, seeded_rng, standard_normal};
use crate::uncertainty::{
    AbcRejectionConfig, AbcSmc, AbcSmcConfig, AbcSmcStatus, HistoryMatchingTarget, ParameterSummary, SummaryScale, abc_rejection,
    implausibility, summarise_posterior, weighted_quantile,
};

use super::super::design::Experiment;
use crate::scenario::document::closest;

use super::{
    Base, RawBase, RawParameter, RunTable, TableText, check_base, check_size, default_replicates, default_seed, fail_on, number, read_plan,
    read_responses, runs_dir, short, tidy, write_whole,
};

/// The plan file as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalibratePlan {
    /// Format version; this build reads 1.
    pub schema_version: i64,
    /// Base scenario file, relative to the plan file.
    pub scenario: String,
    /// Master seed (default 1).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Ticks per run (default: the scenario's).
    #[serde(default)]
    pub ticks: Option<i64>,
    /// Replicates per draw (default 1), averaged before comparing with the targets.
    #[serde(default = "default_replicates")]
    pub replicates: i64,
    /// Outcomes fitted (each needs a target).
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// Draws from the prior (10 to 1,000,000).
    pub draws: i64,
    /// `rejection` (ABC) or `history_matching`.
    #[serde(default = "default_method")]
    pub method: Method,
    /// ABC rejection: share of draws accepted (default 0.1).
    #[serde(default = "default_accept")]
    pub accept: f64,
    /// History matching: implausibility cut-off (default 3).
    #[serde(default = "default_cutoff")]
    pub cutoff: f64,
    /// History matching: model discrepancy, as a standard deviation relative to each target
    /// (default 0.1).
    #[serde(default = "default_discrepancy")]
    pub discrepancy: f64,
    /// History matching: waves of refocusing (default 1). Each later wave runs `draws` new
    /// points around the previous wave's non-implausible ones.
    #[serde(default = "default_waves")]
    pub waves: i64,
    /// ABC-SMC settings (`method = "smc"`).
    #[serde(default)]
    pub smc: Option<RawSmc>,
    /// Series summaries fitted besides the outcomes (each needs a target, named
    /// `COLUMN[FROM-TO].STATISTIC`).
    #[serde(default)]
    pub series: Vec<RawSeriesSummary>,
    /// Targets file (`outcome,observed,sd`), relative to the plan; or `[twin]`.
    #[serde(default)]
    pub targets: Option<String>,
    /// A twin experiment: targets made by the model at known values.
    #[serde(default)]
    pub twin: Option<RawTwin>,
    /// Uncertain parameters and their prior ranges.
    #[serde(default)]
    pub parameter: Vec<RawParameter>,
}

/// `[[series]]`: a summary of one column of the national series over a window of ticks.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSeriesSummary {
    /// A column of `series.csv` after `tick, day` (see `peacesim indicators`).
    pub column: String,
    /// First tick of the window (0 is the starting state).
    pub from_tick: i64,
    /// Last tick of the window, included.
    pub to_tick: i64,
    /// `sum` (flows such as fatalities), `mean`, `max` or `last` (stocks such as the displaced).
    pub statistic: Statistic,
}

/// How a series summary reduces its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// Sum over the window's ticks.
    Sum,
    /// Mean over the window's ticks.
    Mean,
    /// Largest value in the window.
    Max,
    /// Value at the window's last tick.
    Last,
}

/// A validated series summary.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSummary {
    /// Column of the national series.
    pub column: String,
    /// First tick, included.
    pub from: u32,
    /// Last tick, included.
    pub to: u32,
    /// Reduction.
    pub statistic: Statistic,
}

impl SeriesSummary {
    /// The name targets give it: `COLUMN[FROM-TO].STATISTIC`.
    #[must_use]
    pub fn name(&self) -> String {
        let stat = match self.statistic {
            Statistic::Sum => "sum",
            Statistic::Mean => "mean",
            Statistic::Max => "max",
            Statistic::Last => "last",
        };
        format!("{}[{}-{}].{stat}", self.column, self.from, self.to)
    }
}

/// `[twin]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTwin {
    /// The true value of every parameter: `"path" = value`.
    pub values: toml::Table,
}

/// `[smc]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSmc {
    /// Particles per population `N` (2 to `draws`).
    pub population: i64,
    /// Generations including the first, from the prior draws (1 to 20; default 3).
    #[serde(default = "default_generations")]
    pub generations: i64,
    /// Each new tolerance is this quantile of the last population's distances (default 0.5).
    #[serde(default = "default_quantile")]
    pub quantile: f64,
    /// Proposals a later generation may simulate at most (default 50 × population).
    #[serde(default)]
    pub budget: Option<i64>,
}

fn default_generations() -> i64 {
    3
}

fn default_quantile() -> f64 {
    0.5
}

/// Calibration methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// ABC rejection.
    Rejection,
    /// History matching, in one or more waves.
    HistoryMatching,
    /// ABC-SMC: the prior draws are its first generation; later generations run as sweeps of
    /// their own in `OUT/smc/`.
    Smc,
}

fn default_method() -> Method {
    Method::Rejection
}

fn default_accept() -> f64 {
    0.1
}

fn default_cutoff() -> f64 {
    3.0
}

fn default_waves() -> i64 {
    1
}

fn default_discrepancy() -> f64 {
    0.1
}

/// One target: an outcome's observed value and its observation standard deviation.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Outcome name.
    pub outcome: String,
    /// Observed value.
    pub observed: f64,
    /// Observation standard deviation.
    pub sd: f64,
}

/// A validated calibration plan with its prior draws.
#[derive(Debug, Clone)]
pub struct CalibratePlan {
    /// Shared fields.
    pub base: Base,
    /// Method.
    pub method: Method,
    /// ABC accepted share.
    pub accept: f64,
    /// History-matching cut-off.
    pub cutoff: f64,
    /// History-matching discrepancy share.
    pub discrepancy: f64,
    /// History-matching waves.
    pub waves: u32,
    /// Targets read from a file (None in a twin experiment: made from the twin point's runs).
    pub targets: Option<Vec<Target>>,
    /// True values in a twin experiment, in parameter order.
    pub truth: Option<Vec<f64>>,
    /// Prior draws (parameter values).
    pub draws: Vec<Vec<f64>>,
    /// ABC-SMC settings, with `method = "smc"`.
    pub smc: Option<AbcSmcConfig>,
    /// Series summaries fitted after the outcomes.
    pub series: Vec<SeriesSummary>,
}

impl CalibratePlan {
    /// Loads and validates a plan, its targets, and draws from the prior.
    ///
    /// # Errors
    /// [`Error::Read`], [`Error::Parse`] or [`Error::Invalid`] naming the file, line and field.
    pub fn load(path: &Path) -> Result<Self> {
        let (raw, text): (RawCalibratePlan, String) = read_plan(path)?;
        let mut e = FieldErrors::default();
        let outcomes = raw
            .outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| (format!("outcomes[{i}]"), o.clone()))
            .collect();
        let base = check_base(
            path,
            &text,
            &RawBase {
                schema_version: raw.schema_version,
                scenario: &raw.scenario,
                seed: raw.seed,
                ticks: raw.ticks,
                replicates: raw.replicates,
                outcomes,
                parameters: &raw.parameter,
            },
            &mut e,
        )?;
        if !(10..=1_000_000).contains(&raw.draws) {
            e.push("draws", format!("must be in [10, 1000000], got {}", raw.draws));
        }
        if !(raw.accept > 0.0 && raw.accept <= 1.0) {
            e.push("accept", format!("must be in (0, 1], got {}", raw.accept));
        }
        if !(raw.cutoff.is_finite() && raw.cutoff > 0.0) {
            e.push("cutoff", format!("must be positive, got {}", raw.cutoff));
        }
        if !(1..=10).contains(&raw.waves) {
            e.push("waves", format!("must be in [1, 10], got {}", raw.waves));
        } else if raw.waves > 1 && raw.method != Method::HistoryMatching {
            e.push("waves", "later waves are only run with `method = \"history_matching\"`");
        }
        if !(raw.discrepancy.is_finite() && raw.discrepancy >= 0.0) {
            e.push("discrepancy", format!("must be zero or positive, got {}", raw.discrepancy));
        }
        match (&raw.smc, raw.method) {
            (None, Method::Smc) => e.push("smc", "`method = \"smc\"` needs an [smc] table (population, generations)"),
            (Some(_), m) if m != Method::Smc => e.push("smc", "[smc] is only read with `method = \"smc\"`"),
            (Some(smc), _) => {
                if !(2..=raw.draws.max(2)).contains(&smc.population) {
                    e.push(
                        "smc.population",
                        format!("must be in [2, draws = {}], got {}", raw.draws, smc.population),
                    );
                }
                if !(1..=20).contains(&smc.generations) {
                    e.push("smc.generations", format!("must be in [1, 20], got {}", smc.generations));
                }
                if !(smc.quantile > 0.0 && smc.quantile < 1.0) {
                    e.push("smc.quantile", format!("must be in (0, 1), got {}", smc.quantile));
                }
                if let Some(b) = smc.budget
                    && !(smc.population..=10_000_000).contains(&b)
                {
                    e.push("smc.budget", format!("must be in [population, 10000000], got {b}"));
                }
            }
            (None, _) => {}
        }
        let draws_n = u64::try_from(raw.draws.clamp(0, 1_000_000)).unwrap_or(0);
        check_size(
            draws_n + 1,
            u32::try_from(raw.replicates.clamp(1, 100_000)).unwrap_or(1),
            "draws",
            &mut e,
        );
        let series = check_series(&raw.series, base.as_ref(), raw.ticks, &mut e);
        let mut summary_names: Vec<String> = raw.outcomes.clone();
        summary_names.extend(series.iter().map(SeriesSummary::name));
        let dir = path.parent().unwrap_or(Path::new("."));
        let targets = match (&raw.targets, &raw.twin) {
            (Some(_), Some(_)) => {
                e.push("targets", "give either `targets` (a file) or `[twin]`, not both");
                None
            }
            (None, None) => {
                e.push(
                    "targets",
                    "give `targets` (a CSV file: outcome,observed,sd) or a `[twin]` experiment",
                );
                None
            }
            (Some(file), None) => read_targets(&dir.join(file), &summary_names, &mut e),
            (None, Some(_)) => None,
        };
        let truth = raw.twin.as_ref().map(|twin| {
            for key in twin.values.keys() {
                if !raw.parameter.iter().any(|p| &p.path == key) {
                    e.push("twin.values", format!("`{key}` is not one of the plan's parameters"));
                }
            }
            raw.parameter
                .iter()
                .map(|p| match twin.values.get(&p.path) {
                    Some(v) => v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).unwrap_or_else(|| {
                        e.push("twin.values", format!("`{}` must be a number, got {v}", p.path));
                        f64::NAN
                    }),
                    None => {
                        e.push("twin.values", format!("give the true value of `{}`", p.path));
                        f64::NAN
                    }
                })
                .collect::<Vec<f64>>()
        });
        if let (Some(b), Some(t)) = (&base, &truth) {
            for (p, v) in b.parameters.iter().zip(t) {
                if v.is_finite() && (*v < p.low || *v > p.high) {
                    e.push(
                        "twin.values",
                        format!("`{}` = {v} is outside its range [{}, {}]", p.path, p.low, p.high),
                    );
                }
            }
        }
        fail_on(path, &text, e)?;
        let base = base.expect("no problems, so a base");
        let n = usize::try_from(raw.draws).expect("validated");
        let smc = raw.smc.as_ref().map(|r| {
            let population = usize::try_from(r.population).expect("validated");
            AbcSmcConfig {
                population_size: population,
                initial_draws: n,
                tolerance_quantile: r.quantile,
                max_generations: usize::try_from(r.generations).expect("validated"),
                target_tolerance: None,
                min_acceptance_rate: 0.0,
                max_proposals_per_generation: r.budget.map_or(50 * population as u64, |b| u64::try_from(b).expect("validated")),
                scale: SummaryScale::MedianAbsoluteDeviation,
                seed: derive_seed(base.seed, u64::MAX - 22, 0),
            }
        });
        let draws = match &smc {
            // The first generation's proposals are prior draws that do not depend on the
            // targets: they are drawn now and run with the twin point as one sweep.
            Some(config) => first_generation(&base, config, summary_names.len()),
            None => base
                .space()
                .sample_prior(n, derive_seed(base.seed, u64::MAX - 21, 0))
                .expect("validated draws")
                .into_iter()
                .map(|d| round_integers(&base, d))
                .collect(),
        };
        Ok(Self {
            method: raw.method,
            accept: raw.accept,
            cutoff: raw.cutoff,
            discrepancy: raw.discrepancy,
            waves: u32::try_from(raw.waves).expect("validated"),
            targets,
            truth,
            draws,
            smc,
            base,
            series,
        })
    }

    /// Names of the summaries compared with the targets: the outcomes, then the series
    /// summaries.
    #[must_use]
    pub fn summary_names(&self) -> Vec<String> {
        let mut names = self.base.outcomes.clone();
        names.extend(self.series.iter().map(SeriesSummary::name));
        names
    }

    /// Every summary of a finished sweep in `dir`, `[summary][point][replicate]`: the outcomes
    /// from `outcomes.csv`, the series summaries from `series.csv`.
    fn read_summaries(&self, dir: &Path, points: usize) -> Result<Vec<Vec<Vec<f64>>>> {
        let mut r = read_responses(dir, &self.base.outcomes, points, self.base.replicates)?;
        if !self.series.is_empty() {
            r.extend(read_series_summaries(dir, &self.series, points, self.base.replicates)?);
        }
        Ok(r)
    }

    /// The base's experiment for `points`, writing the national series when summaries need it.
    fn sweep(&self, points: &[Vec<toml::Value>], identity: serde_json::Value) -> Result<Experiment> {
        let mut exp = self.base.experiment(self.base.paths(), points, identity)?;
        exp.series = !self.series.is_empty();
        Ok(exp)
    }

    /// The sweep: every prior draw, then the twin point (if any).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the plan and the first bad points.
    pub fn experiment(&self) -> Result<Experiment> {
        let mut points: Vec<Vec<toml::Value>> = self
            .draws
            .iter()
            .map(|d| self.base.toml_values(&round_integers(&self.base, d.clone())))
            .collect();
        if let Some(t) = &self.truth {
            points.push(self.base.toml_values(t));
        }
        self.sweep(
            &points,
            serde_json::json!({"command": "calibrate", "draws": self.draws.len(), "twin": self.truth.is_some()}),
        )
    }

    /// Reads the finished runs, fits, and writes the tables, report and figure into `out`.
    /// ABC-SMC's later generations are run with `run` (an experiment and its directory), each
    /// proposal batch a sweep in `out/smc/` that resumes like any other.
    ///
    /// # Errors
    /// Reading the runs, a fit the data do not allow (e.g. an outcome that never varies), a
    /// run, or writing the files.
    pub fn analyse(&self, out: &Path, figures: &UqFigures, run: &mut dyn FnMut(&Experiment, &Path) -> Result<()>) -> Result<Analysis> {
        let n = self.draws.len();
        let points = n + usize::from(self.truth.is_some());
        let responses = self.read_summaries(&runs_dir(out), points)?;
        let mut files = Vec::new();
        let targets: Vec<Target> = match &self.targets {
            Some(t) => t.clone(),
            None => {
                // The twin point is the last; its replicate mean is the observation, and the
                // spread of its replicates' mean the observation error.
                let mut made = TableText::new(&["outcome", "observed", "sd"]);
                let t: Vec<Target> = self
                    .summary_names()
                    .iter()
                    .enumerate()
                    .map(|(o, name)| {
                        let reps = &responses[o][n];
                        let (mean, sd) = mean_sd(reps);
                        Target {
                            outcome: name.clone(),
                            observed: mean,
                            sd: sd / (reps.len() as f64).sqrt(),
                        }
                    })
                    .collect();
                for x in &t {
                    made.row(&[x.outcome.clone(), number(x.observed), number(x.sd)]);
                }
                files.push(write_whole(out, "targets.csv", made.text())?);
                t
            }
        };
        // Per draw: each outcome's replicate mean (the summaries compared with the targets).
        let simulated: Vec<Vec<f64>> = (0..n)
            .map(|d| (0..targets.len()).map(|o| mean_sd(&responses[o][d]).0).collect())
            .collect();
        let observed: Vec<f64> = targets.iter().map(|t| t.observed).collect();
        let problem = |message: String| Error::Output {
            path: runs_dir(out).join("outcomes.csv"),
            message,
        };
        let all: Vec<usize> = (0..n).collect();
        let accepted: Accepted = match self.method {
            Method::Rejection => {
                let r = abc_rejection(
                    &self.draws,
                    &simulated,
                    &observed,
                    &AbcRejectionConfig {
                        accepted_fraction: self.accept,
                        scale: SummaryScale::MedianAbsoluteDeviation,
                    },
                )
                .map_err(|err| problem(format!("ABC rejection: {err}")))?;
                self.accepted_draws(&r.accepted, &r.distances, &simulated)
            }
            Method::HistoryMatching => {
                let hm: Vec<HistoryMatchingTarget> = targets
                    .iter()
                    .map(|t| HistoryMatchingTarget {
                        name: t.outcome.clone(),
                        observed: t.observed,
                        observation_variance: t.sd * t.sd,
                        discrepancy_variance: (self.discrepancy * t.observed).powi(2),
                    })
                    .collect();
                // Each draw's largest implausibility over the targets: ruled out if any target does.
                let worst: Vec<f64> = (0..n)
                    .map(|d| {
                        hm.iter().enumerate().try_fold(0.0_f64, |max, (o, target)| {
                            implausibility(target, &responses[o][d])
                                .map(|i| max.max(i))
                                .map_err(|err| problem(format!("history matching: {err}")))
                        })
                    })
                    .collect::<Result<_>>()?;
                let kept: Vec<usize> = (0..n).filter(|&d| worst[d] <= self.cutoff).collect();
                if kept.is_empty() {
                    return Err(problem(format!(
                        "history matching: every draw is implausible (cut-off {}); the targets lie outside what the prior ranges give, or the discrepancy is too small",
                        self.cutoff
                    )));
                }
                if self.waves > 1 {
                    self.refocus(out, &hm, &kept, &worst, &simulated, run)?
                } else {
                    self.accepted_draws(&kept, &worst, &simulated)
                }
            }
            Method::Smc => self.run_smc(out, &observed, &simulated, run)?,
        };
        let summaries = summarise_posterior(&accepted.sets, &accepted.weights).map_err(|err| problem(format!("posterior: {err}")))?;

        let paths = self.base.paths();
        let mut header: Vec<&str> = vec!["draw", "weight", "distance"];
        header.extend(paths.iter().map(String::as_str));
        let mut posterior = TableText::new(&header);
        for (i, set) in accepted.sets.iter().enumerate() {
            let mut row = vec![
                accepted.labels[i].clone(),
                number(accepted.weights[i]),
                number(accepted.distances[i]),
            ];
            row.extend(set.iter().map(|v| number(*v)));
            posterior.row(&row);
        }
        files.push(write_whole(out, "posterior.csv", posterior.text())?);

        let mut parameters = TableText::new(&[
            "parameter",
            "prior_low",
            "prior_high",
            "posterior_mean",
            "posterior_median",
            "ci90_low",
            "ci90_high",
            "true_value",
            "true_in_ci90",
        ]);
        let mut recovered = Vec::new();
        for (i, (p, s)) in self.base.parameters.iter().zip(&summaries).enumerate() {
            let truth = self.truth.as_ref().map(|t| t[i]);
            let covered = truth.map(|v| s.covers(v));
            recovered.push(covered);
            parameters.row(&[
                p.path.clone(),
                number(p.low),
                number(p.high),
                number(s.mean),
                number(s.median),
                number(s.ci90_low),
                number(s.ci90_high),
                truth.map(number).unwrap_or_default(),
                covered.map(|c| c.to_string()).unwrap_or_default(),
            ]);
        }
        files.push(write_whole(out, "parameters.csv", parameters.text())?);

        let mut fit = TableText::new(&[
            "outcome",
            "observed",
            "sd",
            "prior_median",
            "prior_q05",
            "prior_q95",
            "posterior_median",
            "posterior_q05",
            "posterior_q95",
        ]);
        let mut fits = Vec::new();
        let equal = vec![1.0; n];
        for (o, t) in targets.iter().enumerate() {
            let prior = quantiles(&simulated, &all, &equal, o);
            let post = quantiles(
                &accepted.simulated,
                &(0..accepted.sets.len()).collect::<Vec<_>>(),
                &accepted.weights,
                o,
            );
            fit.row(&[
                t.outcome.clone(),
                number(t.observed),
                number(t.sd),
                number(prior.1),
                number(prior.0),
                number(prior.2),
                number(post.1),
                number(post.0),
                number(post.2),
            ]);
            fits.push((t.clone(), prior, post));
        }
        files.push(write_whole(out, "fit.csv", fit.text())?);
        let analysis = Analysis {
            summaries,
            recovered,
            accepted: accepted.sets.len(),
            method: accepted.method,
            fits,
            files: Vec::new(),
        };
        files.push(write_whole(out, "report.md", &self.report(&analysis))?);
        if !figures.none() {
            let rows: Vec<PosteriorRow> = self
                .base
                .parameters
                .iter()
                .zip(&analysis.summaries)
                .enumerate()
                .map(|(i, (p, s))| {
                    let scale = |v: f64| {
                        if p.log {
                            (v / p.low).ln() / (p.high / p.low).ln()
                        } else {
                            (v - p.low) / (p.high - p.low)
                        }
                    };
                    PosteriorRow {
                        parameter: p.path.clone(),
                        median: scale(s.median),
                        ci90: (scale(s.ci90_low), scale(s.ci90_high)),
                        truth: self.truth.as_ref().map(|t| scale(t[i])),
                    }
                })
                .collect();
            files.extend(plot_posterior(&out.join("figures"), figures, &rows, analysis.accepted, n)?);
        }
        Ok(Analysis { files, ..analysis })
    }

    fn report(&self, a: &Analysis) -> String {
        let b = &self.base;
        let method = &a.method;
        let mut s = format!(
            "# Calibration: {}\n\nScenario `{}`; {} prior draws, {} replicate(s) each, master seed {}; {}.\n",
            tidy(&b.file).display(),
            tidy(&b.scenario_file).display(),
            self.draws.len(),
            b.replicates,
            b.seed,
            method
        );
        if self.truth.is_some() {
            s.push_str("Twin experiment: the targets are the model's own outcomes at the true values below (`targets.csv`).\n");
        }
        s.push_str("\n## Parameters\n\n| parameter | prior | posterior median | 90 % credible interval |");
        if self.truth.is_some() {
            s.push_str(" true value | recovered |\n|---|---|---:|---|---:|---|\n");
        } else {
            s.push_str("\n|---|---|---:|---|\n");
        }
        for (i, (p, x)) in b.parameters.iter().zip(&a.summaries).enumerate() {
            s.push_str(&format!(
                "| `{}` | [{}, {}] | {} | [{}, {}] |",
                p.path,
                short(p.low),
                short(p.high),
                short(x.median),
                short(x.ci90_low),
                short(x.ci90_high)
            ));
            if let (Some(t), Some(c)) = (&self.truth, a.recovered[i]) {
                s.push_str(&format!(
                    " {} | {} |",
                    short(t[i]),
                    if c { "yes: in the interval" } else { "NO: outside" }
                ));
            }
            s.push('\n');
        }
        if self.truth.is_some() {
            let hits = a.recovered.iter().filter(|c| **c == Some(true)).count();
            s.push_str(&format!(
                "\n{hits} of {} true values lie within their 90 % credible interval.\n",
                a.recovered.len()
            ));
        }
        s.push_str("\n## Fit\n\n| outcome | observed | prior median [5 %, 95 %] | posterior median [5 %, 95 %] |\n|---|---:|---|---|\n");
        for (t, prior, post) in &a.fits {
            s.push_str(&format!(
                "| {} | {} | {} [{}, {}] | {} [{}, {}] |\n",
                t.outcome,
                short(t.observed),
                short(prior.1),
                short(prior.0),
                short(prior.2),
                short(post.1),
                short(post.0),
                short(post.2)
            ));
        }
        s.push_str("\nAccepted parameter sets: `posterior.csv` (usable as `posterior` in a `peacesim robust` plan); summaries: `parameters.csv`; fit: `fit.csv`.\n");
        s
    }
}

/// The posterior sample of a method: parameter sets, weights, distances, what each is called in
/// `posterior.csv` and its simulated summaries.
struct Accepted {
    sets: Vec<Vec<f64>>,
    weights: Vec<f64>,
    distances: Vec<f64>,
    labels: Vec<String>,
    simulated: Vec<Vec<f64>>,
    method: String,
}

impl CalibratePlan {
    /// The draws `kept` (equally weighted), in draw order.
    fn accepted_draws(&self, kept: &[usize], distances: &[f64], simulated: &[Vec<f64>]) -> Accepted {
        let mut kept = kept.to_vec();
        kept.sort_unstable();
        let method = match self.method {
            Method::HistoryMatching => format!(
                "history matching: the {} draws with implausibility at most {} (discrepancy {} of each target)",
                kept.len(),
                self.cutoff,
                self.discrepancy
            ),
            _ => format!(
                "ABC rejection: the {} draws (share {}) closest to the targets",
                kept.len(),
                self.accept
            ),
        };
        Accepted {
            sets: kept.iter().map(|&d| self.draws[d].clone()).collect(),
            weights: vec![1.0; kept.len()],
            distances: kept.iter().map(|&d| distances[d]).collect(),
            labels: kept.iter().map(ToString::to_string).collect(),
            simulated: kept.iter().map(|&d| simulated[d].clone()).collect(),
            method,
        }
    }

    /// History matching's later waves (iterative refocusing): wave w + 1 runs `draws` points
    /// drawn around wave w's non-implausible points — one of them at random, moved by a normal
    /// step with the kept points' spread in each coordinate of the unit cube, inside the prior's
    /// box — as a sweep in `out/waves/wave-W` on seeds of its own, and keeps those whose
    /// implausibility stays within the cut-off. The last wave's kept points are the result.
    fn refocus(
        &self,
        out: &Path,
        hm: &[HistoryMatchingTarget],
        kept: &[usize],
        worst: &[f64],
        simulated: &[Vec<f64>],
        run: &mut dyn FnMut(&Experiment, &Path) -> Result<()>,
    ) -> Result<Accepted> {
        let space = self.base.space();
        let n = self.draws.len();
        let problem = |message: String| Error::Output {
            path: out.join("waves"),
            message: format!("history matching: {message}"),
        };
        let mut sets: Vec<Vec<f64>> = kept.iter().map(|&d| self.draws[d].clone()).collect();
        let mut distances: Vec<f64> = kept.iter().map(|&d| worst[d]).collect();
        let mut summaries: Vec<Vec<f64>> = kept.iter().map(|&d| simulated[d].clone()).collect();
        let mut wave_kept = vec![(1_u32, kept.len())];
        for wave in 2..=self.waves {
            let unit: Vec<Vec<f64>> = sets
                .iter()
                .map(|p| space.to_unit(p))
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| problem(e.to_string()))?;
            let d = space.dimension();
            // The kept points' spread per coordinate; a floor keeps a single kept point (or a
            // point mass) from freezing the search.
            let spread: Vec<f64> = (0..d)
                .map(|k| {
                    let m = unit.iter().map(|u| u[k]).sum::<f64>() / unit.len() as f64;
                    let v = unit.iter().map(|u| (u[k] - m).powi(2)).sum::<f64>() / unit.len() as f64;
                    v.sqrt().max(0.01)
                })
                .collect();
            let mut rng = seeded_rng(derive_seed(self.base.seed, u64::MAX - 2000 - u64::from(wave), 0), 0);
            let mut proposals: Vec<Vec<f64>> = Vec::with_capacity(n);
            let mut attempts = 0_u64;
            while proposals.len() < n {
                attempts += 1;
                if attempts > 10_000 * n as u64 {
                    return Err(problem(format!("wave {wave}: could not draw points inside the prior's box")));
                }
                let from = &unit[index_below(&mut rng, unit.len())];
                let moved: Vec<f64> = from.iter().zip(&spread).map(|(x, s)| x + s * standard_normal(&mut rng)).collect();
                if moved.iter().all(|x| (0.0..=1.0).contains(x)) {
                    let p = space.to_parameters(&moved).map_err(|e| problem(e.to_string()))?;
                    proposals.push(round_integers(&self.base, p));
                }
            }
            let points: Vec<Vec<toml::Value>> = proposals.iter().map(|p| self.base.toml_values(p)).collect();
            let mut exp = self.sweep(&points, serde_json::json!({"command": "calibrate", "history_matching_wave": wave}))?;
            exp.seed = derive_seed(self.base.seed, u64::MAX - 3000 - u64::from(wave), 0);
            exp.identity["seed"] = serde_json::json!(exp.seed);
            let dir = out.join("waves").join(format!("wave-{wave}"));
            run(&exp, &dir)?;
            let r = self.read_summaries(&dir, n)?;
            let mut next = (Vec::new(), Vec::new(), Vec::new());
            for (i, p) in proposals.into_iter().enumerate() {
                let w = hm.iter().enumerate().try_fold(0.0_f64, |max, (o, target)| {
                    implausibility(target, &r[o][i])
                        .map(|x| max.max(x))
                        .map_err(|err| problem(err.to_string()))
                })?;
                if w <= self.cutoff {
                    next.0.push(p);
                    next.1.push(w);
                    next.2.push((0..hm.len()).map(|o| mean_sd(&r[o][i]).0).collect());
                }
            }
            wave_kept.push((wave, next.0.len()));
            if next.0.is_empty() {
                return Err(problem(format!(
                    "wave {wave}: every point is implausible (cut-off {}); the non-implausible region of wave {} is too small to sample around",
                    self.cutoff,
                    wave - 1
                )));
            }
            (sets, distances, summaries) = next;
        }
        let waves: Vec<String> = wave_kept.iter().map(|(w, k)| format!("wave {w}: {k} of {n}")).collect();
        Ok(Accepted {
            labels: (0..sets.len()).map(|i| format!("wave-{}-{i}", self.waves)).collect(),
            weights: vec![1.0; sets.len()],
            method: format!(
                "history matching, {} waves of {n} points (implausibility at most {}, discrepancy {} of each target); non-implausible: {}",
                self.waves,
                self.cutoff,
                self.discrepancy,
                waves.join(", ")
            ),
            sets,
            distances,
            simulated: summaries,
        })
    }

    /// ABC-SMC from the first generation's runs (`simulated`, the draws') to the last
    /// population; each later proposal batch runs as a sweep in `out/smc/generation-G-part-P`
    /// on seeds of its own.
    fn run_smc(
        &self,
        out: &Path,
        observed: &[f64],
        simulated: &[Vec<f64>],
        run: &mut dyn FnMut(&Experiment, &Path) -> Result<()>,
    ) -> Result<Accepted> {
        let config = self.smc.clone().expect("method smc has its settings");
        let problem = |message: String| Error::Output {
            path: out.join("smc"),
            message: format!("ABC-SMC: {message}"),
        };
        let mut smc = AbcSmc::new(self.base.space(), observed.to_vec(), config.clone()).map_err(|e| problem(e.to_string()))?;
        let first = smc.propose(self.draws.len()).map_err(|e| problem(e.to_string()))?;
        // Every simulated parameter set and its summaries, to give the posterior's fit.
        let mut seen: Vec<(Vec<f64>, Vec<f64>)> = first
            .iter()
            .zip(simulated)
            .map(|(p, s)| (p.parameters.clone(), s.clone()))
            .collect();
        let fed: Vec<_> = first.iter().zip(simulated).map(|(p, s)| (p.id, s.clone())).collect();
        smc.feed(&fed).map_err(|e| problem(e.to_string()))?;
        let mut part = 0u64;
        while let AbcSmcStatus::Running { generation, .. } = smc.status() {
            let proposals = smc.propose(config.population_size).map_err(|e| problem(e.to_string()))?;
            if proposals.is_empty() {
                return Err(problem(format!("generation {generation} has no proposal left but is not complete")));
            }
            let points: Vec<Vec<toml::Value>> = proposals
                .iter()
                .map(|p| self.base.toml_values(&round_integers(&self.base, p.parameters.clone())))
                .collect();
            let mut exp = self.sweep(
                &points,
                serde_json::json!({"command": "calibrate", "smc_generation": generation, "part": part}),
            )?;
            // Seeds of its own: the batch's points are numbered from 0 like the first sweep's.
            exp.seed = derive_seed(self.base.seed, u64::MAX - 1000 - part, 0);
            exp.identity["seed"] = serde_json::json!(exp.seed);
            let dir = out.join("smc").join(format!("generation-{generation}-part-{part}"));
            run(&exp, &dir)?;
            let r = self.read_summaries(&dir, proposals.len())?;
            let results: Vec<_> = proposals
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id, (0..observed.len()).map(|o| mean_sd(&r[o][i]).0).collect::<Vec<f64>>()))
                .collect();
            seen.extend(proposals.iter().zip(&results).map(|(p, (_, s))| (p.parameters.clone(), s.clone())));
            smc.feed(&results).map_err(|e| problem(e.to_string()))?;
            part += 1;
        }
        let population = smc.population().ok_or_else(|| problem("no population".into()))?;
        let simulated_of = |set: &Vec<f64>| {
            seen.iter()
                .find(|(p, _)| p == set)
                .map(|(_, s)| s.clone())
                .expect("every particle was simulated")
        };
        let last = smc.history().last().expect("a finished run has a generation");
        let stop = match smc.status() {
            AbcSmcStatus::Finished(reason) => format!("{reason:?}"),
            AbcSmcStatus::Running { .. } => unreachable!("the loop ends when finished"),
        };
        Ok(Accepted {
            sets: population.particles.clone(),
            weights: population.weights.clone(),
            distances: population.distances.clone(),
            labels: (0..population.particles.len()).map(|i| format!("particle-{i}")).collect(),
            simulated: population.particles.iter().map(simulated_of).collect(),
            method: format!(
                "ABC-SMC: a weighted population of {} particles after {} generations (last tolerance {}, effective sample size {}; stopped: {stop}; {} simulations in all)",
                population.particles.len(),
                smc.history().len(),
                short(last.tolerance),
                short(last.effective_sample_size),
                smc.history().iter().map(|h| h.simulations).sum::<u64>()
            ),
        })
    }
}

/// The first generation of ABC-SMC: prior draws that depend only on the settings' seed (the
/// targets are not needed to propose them).
fn first_generation(base: &Base, config: &AbcSmcConfig, summaries: usize) -> Vec<Vec<f64>> {
    let placeholder = vec![0.0; summaries];
    let mut smc = AbcSmc::new(base.space(), placeholder, config.clone()).expect("validated ABC-SMC settings");
    smc.propose(config.initial_draws)
        .expect("prior draws")
        .into_iter()
        .map(|p| p.parameters)
        .collect()
}

/// Integer parameters rounded (prior draws are continuous).
fn round_integers(base: &Base, mut values: Vec<f64>) -> Vec<f64> {
    for (v, p) in values.iter_mut().zip(&base.parameters) {
        if p.integer {
            *v = v.round().clamp(p.low.ceil(), p.high.floor());
        }
    }
    values
}

fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = if values.len() > 1 {
        values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// 5 %, 50 % and 95 % quantiles of summary `o` over the draws `rows`.
fn quantiles(simulated: &[Vec<f64>], rows: &[usize], weights: &[f64], o: usize) -> Quantiles {
    let values: Vec<f64> = rows.iter().map(|&d| simulated[d][o]).collect();
    let w: Vec<f64> = rows.iter().map(|&d| weights[d]).collect();
    let q = |p: f64| weighted_quantile(&values, &w, p).unwrap_or(f64::NAN);
    (q(0.05), q(0.5), q(0.95))
}

/// Reads `outcome,observed,sd` (sd optional) and checks that it gives exactly the plan's outcomes.
fn read_targets(path: &Path, outcomes: &[String], e: &mut FieldErrors) -> Option<Vec<Target>> {
    let mut reader = match csv::ReaderBuilder::new().trim(csv::Trim::All).from_path(path) {
        Ok(r) => r,
        Err(err) => {
            e.push("targets", format!("cannot read {}: {err}", path.display()));
            return None;
        }
    };
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(err) => {
            e.push("targets", format!("{}: {err}", path.display()));
            return None;
        }
    };
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(oc), Some(vc)) = (col("outcome"), col("observed")) else {
        e.push(
            "targets",
            format!(
                "{}: needs the columns `outcome` and `observed` (and optionally `sd`)",
                path.display()
            ),
        );
        return None;
    };
    let sc = col("sd");
    let mut targets: Vec<Target> = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let row = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(err) => {
                e.push("targets", format!("{}: row {row}: {err}", path.display()));
                continue;
            }
        };
        let number = |c: usize| rec.get(c).and_then(|v| v.parse::<f64>().ok()).filter(|v| v.is_finite());
        let outcome = rec.get(oc).unwrap_or_default().to_string();
        let Some(observed) = number(vc) else {
            e.push(
                "targets",
                format!("{}: row {row}: `observed` must be a finite number", path.display()),
            );
            continue;
        };
        let sd = match sc {
            Some(c) if !rec.get(c).unwrap_or_default().is_empty() => match number(c) {
                Some(v) if v >= 0.0 => v,
                _ => {
                    e.push("targets", format!("{}: row {row}: `sd` must be a number >= 0", path.display()));
                    continue;
                }
            },
            _ => 0.0,
        };
        if !outcomes.contains(&outcome) {
            e.push(
                "targets",
                format!("{}: row {row}: `{outcome}` is not one of the plan's outcomes", path.display()),
            );
            continue;
        }
        if targets.iter().any(|t| t.outcome == outcome) {
            e.push("targets", format!("{}: row {row}: `{outcome}` is given twice", path.display()));
            continue;
        }
        targets.push(Target { outcome, observed, sd });
    }
    for o in outcomes {
        if !targets.iter().any(|t| &t.outcome == o) {
            e.push("targets", format!("{}: no target for the outcome `{o}`", path.display()));
        }
    }
    // In the plan's outcome order: summaries are compared position by position.
    let ordered: Vec<Target> = outcomes
        .iter()
        .filter_map(|o| targets.iter().find(|t| &t.outcome == o).cloned())
        .collect();
    Some(ordered)
}

/// Validates `[[series]]`: a known column, a window inside the run, no summary twice.
fn check_series(raw: &[RawSeriesSummary], base: Option<&Base>, ticks: Option<i64>, e: &mut FieldErrors) -> Vec<SeriesSummary> {
    let mut out: Vec<SeriesSummary> = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let field = |name: &str| format!("series[{i}].{name}");
        let mut ok = true;
        if let Some(b) = base
            && !b.series_columns.contains(&r.column)
        {
            let known: Vec<&str> = b.series_columns.iter().map(String::as_str).collect();
            let hint = closest(&r.column, &known)
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            e.push(
                field("column"),
                format!("`{}` is not a column of the national series{hint}", r.column),
            );
            ok = false;
        }
        let last = ticks.unwrap_or(36_500);
        if !(0..=last).contains(&r.from_tick) {
            e.push(
                field("from_tick"),
                format!("must be in [0, {last}] (the run's ticks), got {}", r.from_tick),
            );
            ok = false;
        }
        if !(r.from_tick..=last).contains(&r.to_tick) {
            e.push(
                field("to_tick"),
                format!(
                    "must be in [from_tick = {}, {last}] (the run's ticks), got {}",
                    r.from_tick, r.to_tick
                ),
            );
            ok = false;
        }
        if ok {
            let s = SeriesSummary {
                column: r.column.clone(),
                from: u32::try_from(r.from_tick).expect("validated"),
                to: u32::try_from(r.to_tick).expect("validated"),
                statistic: r.statistic,
            };
            if out.contains(&s) {
                e.push(field("column"), format!("`{}` is given twice", s.name()));
            } else {
                out.push(s);
            }
        }
    }
    out
}

/// Series summaries of a finished sweep, `[summary][point][replicate]`, from `dir/series.csv`,
/// read row by row (the file holds every run's every tick).
fn read_series_summaries(dir: &Path, series: &[SeriesSummary], points: usize, replicates: u32) -> Result<Vec<Vec<Vec<f64>>>> {
    let mut table = RunTable::open(dir.join("series.csv"))?;
    let (point_col, replicate_col, tick_col) = (table.column("point")?, table.column("replicate")?, table.column("tick")?);
    let value_cols: Vec<usize> = series.iter().map(|s| table.column(&s.column)).collect::<Result<_>>()?;
    let bad = table.errors();
    let reps = replicates as usize;
    // Per summary, point and replicate: the running value and the ticks seen in the window.
    let mut value = vec![vec![vec![0.0_f64; reps]; points]; series.len()];
    let mut count = vec![vec![vec![0_u32; reps]; points]; series.len()];
    for (row, record) in table.reader.records().enumerate() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let number = |c: usize| RunTable::number(&record, c, row, &bad);
        let (p, r, t) = (number(point_col)?, number(replicate_col)?, number(tick_col)?);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked against the design below"
        )]
        let (p, r, t) = (p as usize, r as usize, t as u32);
        if p >= points || r >= reps {
            return Err(bad(format!(
                "row {}: run of point {p}, replicate {r} is not one of this design's runs",
                row + 2
            )));
        }
        for (k, s) in series.iter().enumerate() {
            if t < s.from || t > s.to {
                continue;
            }
            let x = number(value_cols[k])?;
            let (v, n) = (&mut value[k][p][r], &mut count[k][p][r]);
            *v = match s.statistic {
                Statistic::Sum | Statistic::Mean => *v + x,
                Statistic::Max if *n == 0 => x,
                Statistic::Max => v.max(x),
                Statistic::Last => x,
            };
            *n += 1;
        }
    }
    let ticks = |s: &SeriesSummary| s.to - s.from + 1;
    for (k, s) in series.iter().enumerate() {
        for (p, per_point) in count[k].iter().enumerate() {
            for (r, &n) in per_point.iter().enumerate() {
                if n != ticks(s) {
                    return Err(bad(format!(
                        "point {p}, replicate {r}: {n} of the {} ticks of `{}`; is the experiment complete, and do the runs last to tick {}?",
                        ticks(s),
                        s.name(),
                        s.to
                    )));
                }
                if s.statistic == Statistic::Mean {
                    value[k][p][r] /= f64::from(n);
                }
            }
        }
    }
    Ok(value)
}

/// The 5 %, 50 % and 95 % quantiles of a simulated outcome.
pub type Quantiles = (f64, f64, f64);

/// What the calibration found.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Per parameter: the posterior summary.
    pub summaries: Vec<ParameterSummary>,
    /// Per parameter, in a twin experiment: whether the true value is in the 90 % interval.
    pub recovered: Vec<Option<bool>>,
    /// Parameter sets in the posterior.
    pub accepted: usize,
    /// How they were chosen, in words.
    pub method: String,
    /// Per target: the target, and the (5 %, 50 %, 95 %) quantiles of the prior's and the
    /// posterior's simulated outcome.
    pub fits: Vec<(Target, Quantiles, Quantiles)>,
    /// Files written.
    pub files: Vec<PathBuf>,
}

/// The default output directory of a plan.
#[must_use]
pub fn default_out(plan: &Path) -> PathBuf {
    super::super::build::default_dir(plan, "calibrate")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(column: &str, from: u32, to: u32, statistic: Statistic) -> SeriesSummary {
        SeriesSummary {
            column: column.into(),
            from,
            to,
            statistic,
        }
    }

    #[test]
    fn series_summaries_reduce_their_window_of_each_run() {
        let dir = std::env::temp_dir().join(format!("peacesim-series-summaries-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Two points, one replicate, ticks 0-3; x = 10 × point + tick.
        let mut text = String::from("run,point,replicate,seed,tick,day,x\n");
        for p in 0..2 {
            for t in 0..4 {
                text.push_str(&format!("{p},{p},0,1,{t},{t},{}\n", 10 * p + t));
            }
        }
        std::fs::write(dir.join("series.csv"), text).unwrap();
        let series = [
            summary("x", 1, 3, Statistic::Sum),
            summary("x", 1, 3, Statistic::Mean),
            summary("x", 0, 2, Statistic::Max),
            summary("x", 0, 2, Statistic::Last),
        ];
        let v = read_series_summaries(&dir, &series, 2, 1).unwrap();
        assert_eq!(v[0], vec![vec![6.0], vec![36.0]]);
        assert_eq!(v[1], vec![vec![2.0], vec![12.0]]);
        assert_eq!(v[2], vec![vec![2.0], vec![12.0]]);
        assert_eq!(v[3], vec![vec![2.0], vec![12.0]]);
        assert_eq!(series[0].name(), "x[1-3].sum");
        // A window past the runs' end is an error naming the summary, not a silent short sum.
        let err = read_series_summaries(&dir, &[summary("x", 2, 5, Statistic::Sum)], 2, 1).unwrap_err();
        assert!(err.to_string().contains("2 of the 4 ticks of `x[2-5].sum`"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
