//! `peacesim sensitivity PLAN`: global sensitivity of outcomes to uncertain parameters.
//!
//! The plan names the parameters (ranges), the outcomes, and a Morris screening design
//! (`[morris]`), a Saltelli design for Sobol' indices (`[sobol]`), or both. Their unit-cube
//! points (Morris first, then Saltelli) become one sweep with `replicates` runs per point. The
//! analysis averages each point's replicates, reports how much of the spread is replicate noise
//! ([`crate::uncertainty::NoiseSummary`]), and writes `indices.csv` (`outcome, parameter,
//! method, index, estimate, ci_low, ci_high`), `noise.csv`, `report.md` and, per outcome, a
//! μ*–σ figure and a bar chart of Sobol' indices with their bootstrap intervals.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{FieldErrors, Result};
use crate::output::plot::uq::{MorrisPoint, SobolBar, UqFigures, plot_morris, plot_sobol};
use crate::rng::derive_seed;
use crate::uncertainty::{
    BaseSampling, MorrisDesign, MorrisDesignConfig, MorrisOptions, NoiseSummary, SaltelliDesign, SaltelliDesignConfig, SobolOptions,
    SobolScrambling, morris_indices, sobol_indices,
};

use super::super::design::Experiment;
use super::{
    Base, RawBase, RawParameter, TableText, check_base, check_size, default_replicates, default_seed, fail_on, number, read_plan,
    read_responses, runs_dir, short, tidy, write_whole,
};

/// The plan file as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSensitivityPlan {
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
    /// Replicates per design point (default 1; two or more measure the noise).
    #[serde(default = "default_replicates")]
    pub replicates: i64,
    /// Outcomes to analyse (columns of outcomes.csv).
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// Bootstrap resamples for the intervals (default 1000; 0 for none).
    #[serde(default = "default_bootstrap")]
    pub bootstrap: i64,
    /// Confidence level of the intervals (default 0.95).
    #[serde(default = "default_confidence")]
    pub confidence: f64,
    /// Uncertain parameters.
    #[serde(default)]
    pub parameter: Vec<RawParameter>,
    /// Morris screening.
    #[serde(default)]
    pub morris: Option<RawMorris>,
    /// Sobol' indices.
    #[serde(default)]
    pub sobol: Option<RawSobol>,
}

/// `[morris]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMorris {
    /// Trajectories `r` (2 to 10,000).
    pub trajectories: i64,
    /// Grid levels `p` (even, 2 to 100; default 4).
    #[serde(default = "default_levels")]
    pub levels: i64,
    /// Candidate trajectories from which the `r` most spread are kept (Campolongo et al. 2007);
    /// default: none, the first `r` drawn are kept.
    #[serde(default)]
    pub candidates: Option<i64>,
}

/// `[sobol]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSobol {
    /// Base samples `N` (2 to 1,000,000; a power of two suits the Sobol' sequence): `N (k + 2)` points.
    pub base_samples: i64,
}

fn default_bootstrap() -> i64 {
    1000
}

fn default_confidence() -> f64 {
    0.95
}

fn default_levels() -> i64 {
    4
}

/// Seed of a design or bootstrap stream: far from the run seeds' design-point numbers.
fn stream_seed(master: u64, purpose: u64) -> u64 {
    derive_seed(master, u64::MAX - purpose, 0)
}

/// A validated sensitivity plan with its designs drawn.
#[derive(Debug, Clone)]
pub struct SensitivityPlan {
    /// Shared fields.
    pub base: Base,
    /// Morris trajectories, if asked for.
    pub morris: Option<MorrisDesign>,
    /// Saltelli design, if asked for.
    pub sobol: Option<SaltelliDesign>,
    /// Bootstrap resamples.
    pub bootstrap: usize,
    /// Confidence level.
    pub confidence: f64,
}

impl SensitivityPlan {
    /// Loads and validates a plan and draws its designs (the points' scenarios are built by
    /// [`Self::experiment`]).
    ///
    /// # Errors
    /// [`Error::Read`], [`Error::Parse`] or [`Error::Invalid`] naming the file, line and field.
    pub fn load(path: &Path) -> Result<Self> {
        let (raw, text): (RawSensitivityPlan, String) = read_plan(path)?;
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
        if raw.morris.is_none() && raw.sobol.is_none() {
            e.push("morris", "ask for [morris] screening, [sobol] indices, or both");
        }
        if !(0..=100_000).contains(&raw.bootstrap) {
            e.push("bootstrap", format!("must be in [0, 100000], got {}", raw.bootstrap));
        }
        if !(raw.confidence > 0.0 && raw.confidence < 1.0) {
            e.push("confidence", format!("must be in (0, 1), got {}", raw.confidence));
        }
        let k = raw.parameter.len().max(1);
        let mut points = 0u64;
        if let Some(m) = &raw.morris {
            if !(2..=10_000).contains(&m.trajectories) {
                e.push("morris.trajectories", format!("must be in [2, 10000], got {}", m.trajectories));
            }
            if !(2..=100).contains(&m.levels) || m.levels % 2 == 1 {
                e.push("morris.levels", format!("must be even and in [2, 100], got {}", m.levels));
            }
            if let Some(c) = m.candidates
                && !(m.trajectories + 1..=10_000).contains(&c)
            {
                e.push(
                    "morris.candidates",
                    format!("must be more than the trajectories and at most 10000, got {c}"),
                );
            }
            points += u64::try_from(m.trajectories.max(0)).unwrap_or(0) * (k as u64 + 1);
        }
        if let Some(s) = &raw.sobol {
            if !(2..=1_000_000).contains(&s.base_samples) {
                e.push("sobol.base_samples", format!("must be in [2, 1000000], got {}", s.base_samples));
            }
            if k > 32 {
                e.push("parameter", format!("Sobol' indices take at most 32 parameters, got {k}"));
            }
            points += u64::try_from(s.base_samples.max(0)).unwrap_or(0) * (k as u64 + 2);
        }
        check_size(
            points,
            u32::try_from(raw.replicates.clamp(1, 100_000)).unwrap_or(1),
            "parameter",
            &mut e,
        );
        fail_on(path, &text, e)?;
        let base = base.expect("no problems, so a base");
        let dimension = base.parameters.len();
        let morris = raw.morris.as_ref().map(|m| {
            MorrisDesign::new(&MorrisDesignConfig {
                dimension,
                levels: usize::try_from(m.levels).expect("validated"),
                trajectories: usize::try_from(m.trajectories).expect("validated"),
                candidates: m.candidates.map(|c| usize::try_from(c).expect("validated")),
                seed: stream_seed(base.seed, 1),
            })
            .expect("validated Morris settings")
        });
        let sobol = raw.sobol.as_ref().map(|s| {
            SaltelliDesign::new(&SaltelliDesignConfig {
                dimension,
                base_samples: usize::try_from(s.base_samples).expect("validated"),
                sampling: BaseSampling::Sobol(SobolScrambling::LinearMatrixAndShift),
                seed: stream_seed(base.seed, 2),
            })
            .expect("validated Saltelli settings")
        });
        Ok(Self {
            base,
            morris,
            sobol,
            bootstrap: usize::try_from(raw.bootstrap).expect("validated"),
            confidence: raw.confidence,
        })
    }

    /// Morris points, if any.
    fn morris_points(&self) -> usize {
        self.morris.as_ref().map_or(0, |m| m.points().len())
    }

    /// Every design point in the unit cube: Morris first, then Saltelli.
    #[must_use]
    pub fn unit_points(&self) -> Vec<Vec<f64>> {
        let mut points: Vec<Vec<f64>> = self.morris.as_ref().map(|m| m.points().to_vec()).unwrap_or_default();
        if let Some(s) = &self.sobol {
            points.extend(s.points());
        }
        points
    }

    /// The sweep that runs every design point's replicates (each point's scenario built and
    /// validated now).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the plan and the first bad points.
    pub fn experiment(&self) -> Result<Experiment> {
        let values = self.base.values(&self.unit_points());
        let points: Vec<Vec<toml::Value>> = values.iter().map(|v| self.base.toml_values(v)).collect();
        self.base.experiment(
            self.base.paths(),
            &points,
            serde_json::json!({"command": "sensitivity", "morris_points": self.morris_points()}),
        )
    }

    /// Reads the finished runs in `out/runs`, estimates the indices and writes `indices.csv`,
    /// `noise.csv`, `report.md` and the figures into `out`.
    ///
    /// # Errors
    /// Reading the runs, writing the files or drawing the figures.
    pub fn analyse(&self, out: &Path, figures: &UqFigures) -> Result<Analysis> {
        let total = self.unit_points().len();
        let responses = read_responses(&runs_dir(out), &self.base.outcomes, total, self.base.replicates)?;
        let m = self.morris_points();
        let names = self.base.paths();
        let mut indices = TableText::new(&["outcome", "parameter", "method", "index", "estimate", "ci_low", "ci_high"]);
        let mut noise = TableText::new(&[
            "outcome",
            "method",
            "design_points",
            "replicates",
            "variance_of_runs",
            "noise_share",
            "noise_share_of_means",
        ]);
        let mut results = Vec::new();
        for (o, outcome) in self.base.outcomes.iter().enumerate() {
            let mut result = OutcomeResult {
                outcome: outcome.clone(),
                morris: None,
                sobol: None,
                problems: Vec::new(),
            };
            if let Some(design) = &self.morris {
                let options = MorrisOptions {
                    bootstrap_resamples: self.bootstrap,
                    confidence_level: self.confidence,
                    seed: stream_seed(self.base.seed, 3),
                };
                match morris_indices(design, &responses[o][..m], &options) {
                    Ok(r) => {
                        for (name, x) in names.iter().zip(&r.indices) {
                            indices.row(&[
                                outcome,
                                name,
                                "morris",
                                "mu_star",
                                &number(x.mu_star),
                                &number(x.mu_star_ci_low),
                                &number(x.mu_star_ci_high),
                            ]);
                            indices.row(&[outcome, name, "morris", "mu", &number(x.mu), "", ""]);
                            indices.row(&[outcome, name, "morris", "sigma", &number(x.sigma), "", ""]);
                        }
                        noise.row(&noise_row(outcome, "morris", m, &r.noise));
                        result.morris = Some(
                            r.indices
                                .iter()
                                .map(|x| (x.mu_star, x.sigma, x.mu_star_ci_low, x.mu_star_ci_high))
                                .collect(),
                        );
                        result.problems.extend(noise_warning("Morris", &r.noise));
                    }
                    Err(err) => result.problems.push(format!("no Morris measures: {err}")),
                }
            }
            if let Some(design) = &self.sobol {
                let options = SobolOptions {
                    bootstrap_resamples: self.bootstrap,
                    confidence_level: self.confidence,
                    seed: stream_seed(self.base.seed, 4),
                };
                match sobol_indices(design, &responses[o][m..], &options) {
                    Ok(r) => {
                        for (name, x) in names.iter().zip(&r.indices) {
                            for (index, e) in [("first_order", x.first_order), ("total", x.total)] {
                                indices.row(&[
                                    outcome,
                                    name,
                                    "sobol",
                                    index,
                                    &number(e.estimate),
                                    &number(e.ci_low),
                                    &number(e.ci_high),
                                ]);
                            }
                        }
                        noise.row(&noise_row(outcome, "sobol", total - m, &r.noise));
                        result.sobol = Some(r.indices.iter().map(|x| (x.first_order, x.total)).collect());
                        result.problems.extend(noise_warning("Sobol'", &r.noise));
                    }
                    // An outcome that does not vary over the design (no one dies in any run)
                    // has no variance to share out; said in the report, not an error.
                    Err(err) => result.problems.push(format!("no Sobol' indices: {err}")),
                }
            }
            results.push(result);
        }
        let mut files = vec![
            write_whole(out, "indices.csv", indices.text())?,
            write_whole(out, "noise.csv", noise.text())?,
        ];
        let analysis = Analysis {
            parameters: names,
            outcomes: results,
            confidence: self.confidence,
            replicates: self.base.replicates,
            files: Vec::new(),
        };
        files.push(write_whole(out, "report.md", &analysis.report(self))?);
        files.extend(analysis.figures(out, figures)?);
        Ok(Analysis { files, ..analysis })
    }
}

fn noise_row(outcome: &str, method: &str, points: usize, n: &NoiseSummary) -> Vec<String> {
    let reps = if n.min_replicates == n.max_replicates {
        n.min_replicates.to_string()
    } else {
        format!("{}-{}", n.min_replicates, n.max_replicates)
    };
    vec![
        outcome.to_string(),
        method.to_string(),
        points.to_string(),
        reps,
        number(n.total_variance),
        number(n.noise_share.unwrap_or(f64::NAN)),
        number(n.noise_share_of_means.unwrap_or(f64::NAN)),
    ]
}

/// Noise left in the averaged responses above this share makes indices biased towards zero.
const NOISE_WARNING_SHARE: f64 = 0.2;

fn noise_warning(method: &str, n: &NoiseSummary) -> Option<String> {
    match n.noise_share_of_means {
        None if n.max_replicates < 2 => Some(format!(
            "{method}: one replicate per point, so replicate noise is not measured and counts as a parameter's effect; use `replicates = 2` or more"
        )),
        Some(s) if s > NOISE_WARNING_SHARE => Some(format!(
            "{method}: {:.0} % of the variance of the averaged responses is replicate noise (more than {:.0} %): noise counts as an effect of every parameter (totals too large, first-order estimates scattered); raise `replicates`",
            s * 100.0,
            NOISE_WARNING_SHARE * 100.0
        )),
        _ => None,
    }
}

/// What the analysis of one outcome found.
#[derive(Debug, Clone)]
pub struct OutcomeResult {
    /// Outcome name.
    pub outcome: String,
    /// Per parameter: μ*, σ, and the interval of μ*.
    pub morris: Option<Vec<(f64, f64, f64, f64)>>,
    /// Per parameter: first-order and total index.
    pub sobol: Option<Vec<(crate::uncertainty::IndexEstimate, crate::uncertainty::IndexEstimate)>>,
    /// What could not be estimated, or should be read with care.
    pub problems: Vec<String>,
}

/// The analysis of a sensitivity plan.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Parameter paths.
    pub parameters: Vec<String>,
    /// One entry per outcome.
    pub outcomes: Vec<OutcomeResult>,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Replicates per point.
    pub replicates: u32,
    /// Files written.
    pub files: Vec<PathBuf>,
}

impl Analysis {
    /// Parameters of an outcome ranked by total index (or μ* without Sobol'), largest first.
    #[must_use]
    pub fn ranking(&self, outcome: usize) -> Vec<(String, f64)> {
        let r = &self.outcomes[outcome];
        let scores: Vec<f64> = match (&r.sobol, &r.morris) {
            (Some(s), _) => s.iter().map(|(_, t)| t.estimate).collect(),
            (None, Some(m)) => m.iter().map(|x| x.0).collect(),
            (None, None) => return Vec::new(),
        };
        let mut ranked: Vec<(String, f64)> = self.parameters.iter().cloned().zip(scores).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked
    }

    fn report(&self, plan: &SensitivityPlan) -> String {
        let b = &plan.base;
        let mut s = format!(
            "# Sensitivity: {}\n\nScenario `{}`, {} ticks per run, {} replicate(s) per design point, master seed {}.\n",
            tidy(&b.file).display(),
            tidy(&b.scenario_file).display(),
            b.ticks.map_or_else(|| "the scenario's".to_string(), |t| t.to_string()),
            b.replicates,
            b.seed
        );
        if let Some(m) = &plan.morris {
            s.push_str(&format!(
                "Morris: {} trajectories on a {}-level grid ({} points).\n",
                m.trajectories(),
                m.levels(),
                m.points().len()
            ));
        }
        if let Some(d) = &plan.sobol {
            s.push_str(&format!(
                "Sobol': N = {} base samples ({} points); first-order (Saltelli 2010) and total (Jansen 1999) indices.\n",
                d.base_samples(),
                d.run_count()
            ));
        }
        s.push_str(&format!(
            "Intervals: {} bootstrap resamples, {:.0} % percentile intervals.\n\n| parameter | range |\n|---|---|\n",
            plan.bootstrap,
            self.confidence * 100.0
        ));
        for p in &b.parameters {
            s.push_str(&format!(
                "| `{}` | [{}, {}]{}{} |\n",
                p.path,
                p.low,
                p.high,
                if p.log { " log" } else { "" },
                if p.integer { " integer" } else { "" }
            ));
        }
        for (o, r) in self.outcomes.iter().enumerate() {
            s.push_str(&format!("\n## {}\n\n", r.outcome));
            let ranked = self.ranking(o);
            if !ranked.is_empty() {
                let what = if r.sobol.is_some() { "total Sobol' index" } else { "Morris μ*" };
                let list: Vec<String> = ranked.iter().map(|(p, v)| format!("`{p}` ({})", short(*v))).collect();
                s.push_str(&format!("Ranked by {what}: {}.\n", list.join(", ")));
            }
            for p in &r.problems {
                s.push_str(&format!("\n- {p}\n"));
            }
        }
        s.push_str("\nAll estimates and intervals: `indices.csv`; replicate noise per outcome: `noise.csv`.\n");
        s
    }

    fn figures(&self, out: &Path, figures: &UqFigures) -> Result<Vec<PathBuf>> {
        if figures.none() {
            return Ok(Vec::new());
        }
        let dir = out.join("figures");
        let mut written = Vec::new();
        for r in &self.outcomes {
            if let Some(m) = &r.morris {
                let points: Vec<MorrisPoint> = self
                    .parameters
                    .iter()
                    .zip(m)
                    .map(|(p, &(mu_star, sigma, lo, hi))| MorrisPoint {
                        parameter: p.clone(),
                        mu_star,
                        sigma,
                        ci: (lo, hi),
                    })
                    .collect();
                written.extend(plot_morris(&dir, figures, &r.outcome, &points, self.confidence)?);
            }
            if let Some(sb) = &r.sobol {
                let bars: Vec<SobolBar> = self
                    .parameters
                    .iter()
                    .zip(sb)
                    .map(|(p, &(first, total))| SobolBar {
                        parameter: p.clone(),
                        first: (first.estimate, first.ci_low, first.ci_high),
                        total: (total.estimate, total.ci_low, total.ci_high),
                    })
                    .collect();
                written.extend(plot_sobol(&dir, figures, &r.outcome, &bars, self.confidence)?);
            }
        }
        Ok(written)
    }
}

/// The default output directory of a plan.
#[must_use]
pub fn default_out(plan: &Path) -> PathBuf {
    super::super::build::default_dir(plan, "sensitivity")
}
