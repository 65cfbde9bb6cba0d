//! `peacesim robust PLAN`: policies compared across sampled futures.
//!
//! A future is one set of values of the uncertain parameters: a Latin hypercube over their
//! ranges, or a weighted resample of a calibration's `posterior.csv`. Every policy (a set of
//! scenario changes) runs in every future, `replicates` times, on that future's seeds (common
//! random numbers across policies within a future; other futures, other seeds). Design point
//! `future × policies + policy`. Per outcome (with the direction in which it improves), the
//! analysis writes to `robustness.csv` each policy's probability of being best, its mean and
//! maximum regret (Savage 1951); to `flips.csv` how often each pair of policies is ordered
//! against their order by mean outcome; and to `drivers.csv` the PRIM box (Friedman & Fisher
//! 1999) of the futures in which the best policy on average is not the best: which parameter
//! ranges drive the flips. Figures: the probability of being best and the regrets.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldErrors, Result};
use crate::output::plot::uq::{PolicyBar, UqFigures, plot_robustness};
use crate::rng::derive_seed;
use crate::scenario::Override;
use crate::uncertainty::{Direction, PrimConfig, RobustnessResult, best_policy_mask, latin_hypercube, prim, robustness};

use super::super::design::Experiment;
use super::{
    Base, RawBase, RawParameter, TableText, check_base, check_size, default_replicates, default_seed, fail_on, number, percent, read_plan,
    read_responses, runs_dir, short, tidy, write_whole,
};

/// The plan file as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRobustPlan {
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
    /// Replicates per policy and future (default 1), averaged.
    #[serde(default = "default_replicates")]
    pub replicates: i64,
    /// Number of sampled futures (2 to 100,000).
    pub futures: i64,
    /// A calibration's `posterior.csv`, relative to the plan: futures are drawn from it
    /// (by weight) instead of from the parameters' ranges.
    #[serde(default)]
    pub posterior: Option<String>,
    /// Outcomes and the direction in which each improves.
    #[serde(default)]
    pub outcome: Vec<RawOutcome>,
    /// Uncertain parameters (their ranges; with `posterior`, the columns taken from it).
    #[serde(default)]
    pub parameter: Vec<RawParameter>,
    /// Policies compared.
    #[serde(default)]
    pub policy: Vec<RawPolicy>,
}

/// `[[outcome]]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutcome {
    /// Column of outcomes.csv.
    pub name: String,
    /// `lower` (lower is better: deaths, displacement) or `higher`.
    pub better: Better,
}

/// Which way an outcome improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Lower is better.
    Lower,
    /// Higher is better.
    Higher,
}

/// `[[policy]]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// Name (letters, digits, `-`, `_`).
    pub name: String,
    /// Scenario changes: field path = value, e.g. `"mission.policy.allocation" = "bottom_up"`
    /// (empty: the scenario as is).
    #[serde(default)]
    pub set: toml::Table,
}

/// A validated robustness plan with its futures drawn.
#[derive(Debug, Clone)]
pub struct RobustPlan {
    /// Shared fields.
    pub base: Base,
    /// Direction of each outcome.
    pub better: Vec<Better>,
    /// Policy names.
    pub policies: Vec<String>,
    /// Each policy's changes.
    pub changes: Vec<Vec<Override>>,
    /// Parameter values of each future.
    pub futures: Vec<Vec<f64>>,
    /// Where the futures come from, for the report.
    pub source: String,
}

impl RobustPlan {
    /// Loads and validates a plan and draws its futures.
    ///
    /// # Errors
    /// [`Error::Read`], [`Error::Parse`] or [`Error::Invalid`] naming the file, line and field.
    pub fn load(path: &Path) -> Result<Self> {
        let (raw, text): (RawRobustPlan, String) = read_plan(path)?;
        let mut e = FieldErrors::default();
        let outcomes = raw
            .outcome
            .iter()
            .enumerate()
            .map(|(i, o)| (format!("outcome[{i}].name"), o.name.clone()))
            .collect();
        if raw.outcome.is_empty() {
            e.push(
                "outcome",
                "name at least one [[outcome]] (name, and better = \"lower\" or \"higher\")",
            );
        }
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
        if !(2..=100_000).contains(&raw.futures) {
            e.push("futures", format!("must be in [2, 100000], got {}", raw.futures));
        }
        if raw.policy.len() < 2 {
            e.push("policy", "compare at least two [[policy]] tables");
        }
        let mut changes = Vec::new();
        for (i, p) in raw.policy.iter().enumerate() {
            let name_ok = !p.name.is_empty() && p.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !name_ok {
                e.push(
                    format!("policy[{i}].name"),
                    format!("`{}`: use letters, digits, `-` and `_` only", p.name),
                );
            }
            if raw.policy[..i].iter().any(|q| q.name == p.name) {
                e.push(format!("policy[{i}].name"), format!("`{}` is used twice", p.name));
            }
            let mut set = Vec::new();
            for (key, value) in &p.set {
                if key == "run.seed" || key == "run.ticks" {
                    e.push(
                        format!("policy[{i}].set"),
                        format!("`{key}` cannot differ between policies: they share each future's seeds and length"),
                    );
                }
                if raw.parameter.iter().any(|q| &q.path == key) {
                    e.push(
                        format!("policy[{i}].set"),
                        format!("`{key}` is an uncertain parameter; a policy cannot also set it"),
                    );
                }
                set.push(Override {
                    path: key.clone(),
                    value: value.clone(),
                });
            }
            changes.push(set);
        }
        let futures_n = u64::try_from(raw.futures.clamp(0, 100_000)).unwrap_or(0);
        check_size(
            futures_n * raw.policy.len() as u64,
            u32::try_from(raw.replicates.clamp(1, 100_000)).unwrap_or(1),
            "futures",
            &mut e,
        );
        fail_on(path, &text, e)?;
        let base = base.expect("no problems, so a base");
        let n = usize::try_from(raw.futures).expect("validated");
        let (futures, source) = match &raw.posterior {
            Some(file) => {
                let posterior = path.parent().unwrap_or(Path::new(".")).join(file);
                let futures = draw_from_posterior(path, &text, &posterior, &base, n)?;
                (futures, format!("{n} draws (by weight) from {}", posterior.display()))
            }
            None => {
                let unit = latin_hypercube(n, base.parameters.len(), derive_seed(base.seed, u64::MAX - 11, 0)).expect("validated sizes");
                (
                    base.values(&unit),
                    format!("a Latin hypercube of {n} points over the parameters' ranges"),
                )
            }
        };
        Ok(Self {
            better: raw.outcome.iter().map(|o| o.better).collect(),
            policies: raw.policy.iter().map(|p| p.name.clone()).collect(),
            changes,
            futures,
            source,
            base,
        })
    }

    /// The sweep: every policy in every future (point `future × policies + policy`), a future's
    /// policies on the same seeds.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the plan and the first bad points.
    pub fn experiment(&self) -> Result<Experiment> {
        let mut columns = vec!["future".to_string(), "policy".to_string()];
        columns.extend(self.base.paths());
        let mut labels = Vec::new();
        let mut overrides = Vec::new();
        for (f, values) in self.futures.iter().enumerate() {
            let params = super::super::plan::overrides_of(&self.base.paths(), &self.base.toml_values(values));
            for (p, name) in self.policies.iter().enumerate() {
                let mut row = vec![f.to_string(), name.clone()];
                row.extend(self.base.toml_values(values).iter().map(toml::Value::to_string));
                labels.push(row);
                let mut o = params.clone();
                o.extend(self.changes[p].iter().cloned());
                overrides.push(o);
            }
        }
        self.base.labelled_experiment(
            columns,
            labels,
            &overrides,
            serde_json::json!({"command": "robust", "futures": self.futures.len(), "policies": self.policies}),
            self.policies.len(),
        )
    }

    /// Reads the finished runs, computes the robustness measures and writes the tables, the
    /// report and the figures into `out`.
    ///
    /// # Errors
    /// Reading the runs, writing the files or drawing the figures.
    pub fn analyse(&self, out: &Path, figures: &UqFigures) -> Result<Analysis> {
        let np = self.policies.len();
        let nf = self.futures.len();
        let responses = read_responses(&runs_dir(out), &self.base.outcomes, nf * np, self.base.replicates)?;
        let mut table = TableText::new(&[
            "outcome",
            "better",
            "policy",
            "mean_outcome",
            "probability_best",
            "probability_worst",
            "mean_regret",
            "max_regret",
            "rank_by_mean",
        ]);
        let mut flips = TableText::new(&[
            "outcome",
            "policy_a",
            "policy_b",
            "a_better_share",
            "b_better_share",
            "flip_frequency",
        ]);
        let mut drivers = TableText::new(&[
            "outcome",
            "flip",
            "futures_flipped",
            "parameter",
            "box_low",
            "box_high",
            "range_low",
            "range_high",
            "box_futures",
            "coverage",
            "density",
        ]);
        let space = self.base.space();
        let unit_futures: Vec<Vec<f64>> = self
            .futures
            .iter()
            .map(|v| space.to_unit(v).expect("values in their ranges"))
            .collect();
        let mut results = Vec::new();
        let mut files = Vec::new();
        for (o, outcome) in self.base.outcomes.iter().enumerate() {
            let direction = match self.better[o] {
                Better::Lower => Direction::LowerIsBetter,
                Better::Higher => Direction::HigherIsBetter,
            };
            let matrix: Vec<Vec<f64>> = (0..nf)
                .map(|f| {
                    (0..np)
                        .map(|p| {
                            let reps = &responses[o][f * np + p];
                            reps.iter().sum::<f64>() / reps.len() as f64
                        })
                        .collect()
                })
                .collect();
            let r = robustness(&matrix, direction).map_err(|err| Error::Output {
                path: runs_dir(out).join("outcomes.csv"),
                message: format!("robustness of {outcome}: {err}"),
            })?;
            let better = match self.better[o] {
                Better::Lower => "lower",
                Better::Higher => "higher",
            };
            for (p, x) in r.policies.iter().enumerate() {
                let rank = r.reference_order.iter().position(|&q| q == p).expect("every policy ranked") + 1;
                table.row(&[
                    outcome.clone(),
                    better.to_string(),
                    self.policies[p].clone(),
                    number(x.mean_outcome),
                    number(x.probability_best),
                    number(x.probability_worst),
                    number(x.mean_regret),
                    number(x.max_regret),
                    rank.to_string(),
                ]);
            }
            for a in 0..np {
                for b in a + 1..np {
                    flips.row(&[
                        outcome.clone(),
                        self.policies[a].clone(),
                        self.policies[b].clone(),
                        number(r.win_share[a][b]),
                        number(r.win_share[b][a]),
                        number(r.flip_frequency[a][b]),
                    ]);
                }
            }
            // The flip of interest: futures in which the policy best on average is not best.
            let leader = r.reference_order[0];
            let leader_best = best_policy_mask(&matrix, direction, leader).expect("checked by robustness");
            let flipped: Vec<bool> = leader_best.iter().map(|b| !b).collect();
            let count = flipped.iter().filter(|x| **x).count();
            let flip = format!("{} not best", self.policies[leader]);
            let mut box_note = None;
            if count < MIN_FLIPS_FOR_PRIM || count == nf {
                if count > 0 && count < nf {
                    box_note = Some(format!(
                        "Too few flips to say what drives them (PRIM needs at least {MIN_FLIPS_FOR_PRIM} flipped futures; sample more futures)"
                    ));
                }
                drivers.row(&[
                    outcome.clone(),
                    flip.clone(),
                    count.to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
            } else {
                match prim(&unit_futures, &flipped, &PrimConfig::default()) {
                    Ok(found) => {
                        let chosen = found.chosen_box();
                        let params = &self.base.parameters;
                        // (share of its range the box keeps, description) of each restricted input.
                        let mut restricted: Vec<(f64, String)> = Vec::new();
                        for &d in &chosen.restricted {
                            let low = space.to_parameters(&unit_with(d, chosen.limits[d].0, params.len())).expect("unit")[d];
                            let high = space.to_parameters(&unit_with(d, chosen.limits[d].1, params.len())).expect("unit")[d];
                            drivers.row(&[
                                outcome.clone(),
                                flip.clone(),
                                count.to_string(),
                                params[d].path.clone(),
                                number(low),
                                number(high),
                                number(params[d].low),
                                number(params[d].high),
                                chosen.points.to_string(),
                                number(chosen.coverage),
                                number(chosen.density),
                            ]);
                            let kept = chosen.limits[d].1 - chosen.limits[d].0;
                            restricted.push((kept, format!("`{}` in [{}, {}]", params[d].path, short(low), short(high))));
                        }
                        // Inputs the box barely trims say little; the report names those it
                        // narrows to at most MAX_DRIVER_SHARE of their range, narrowest first.
                        restricted.retain(|(kept, _)| *kept <= MAX_DRIVER_SHARE);
                        restricted.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
                        let named: Vec<String> = restricted.into_iter().map(|(_, text)| text).collect();
                        box_note = Some(if named.is_empty() {
                            "PRIM found no parameter range that holds the flips (they are spread over the space)".to_string()
                        } else {
                            format!(
                                "Flips concentrate where {} ({} futures; {} of all flips, {} of those futures flipped; every limit in drivers.csv)",
                                named.join(" and "),
                                chosen.points,
                                percent(chosen.coverage),
                                percent(chosen.density)
                            )
                        });
                    }
                    Err(err) => box_note = Some(format!("No PRIM box: {err}")),
                }
            }
            results.push(OutcomeRobustness {
                outcome: outcome.clone(),
                result: r,
                leader,
                flipped: count,
                drivers: box_note,
            });
        }
        files.push(write_whole(out, "robustness.csv", table.text())?);
        files.push(write_whole(out, "flips.csv", flips.text())?);
        files.push(write_whole(out, "drivers.csv", drivers.text())?);
        let analysis = Analysis {
            outcomes: results,
            files: Vec::new(),
        };
        files.push(write_whole(out, "report.md", &self.report(&analysis))?);
        if !figures.none() {
            let dir = out.join("figures");
            for r in &analysis.outcomes {
                let bars: Vec<PolicyBar> = self
                    .policies
                    .iter()
                    .zip(&r.result.policies)
                    .map(|(name, x)| PolicyBar {
                        policy: name.clone(),
                        probability_best: x.probability_best,
                        mean_regret: x.mean_regret,
                        max_regret: x.max_regret,
                    })
                    .collect();
                files.extend(plot_robustness(&dir, figures, &r.outcome, &unit_of(&r.outcome), &bars, nf)?);
            }
        }
        Ok(Analysis { files, ..analysis })
    }

    fn report(&self, a: &Analysis) -> String {
        let b = &self.base;
        let mut s = format!(
            "# Robustness: {}\n\nScenario `{}`; {} policies ({}) in {} futures ({}); {} replicate(s) per policy and future, on the future's seeds (common random numbers); master seed {}.\n",
            tidy(&b.file).display(),
            tidy(&b.scenario_file).display(),
            self.policies.len(),
            self.policies.join(", "),
            self.futures.len(),
            self.source,
            b.replicates,
            b.seed
        );
        for r in &a.outcomes {
            s.push_str(&format!(
                "\n## {}\n\n| policy | mean | P(best) | mean regret | max regret |\n|---|---:|---:|---:|---:|\n",
                r.outcome
            ));
            for (p, x) in r.result.policies.iter().enumerate() {
                s.push_str(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    self.policies[p],
                    short(x.mean_outcome),
                    percent(x.probability_best),
                    short(x.mean_regret),
                    short(x.max_regret)
                ));
            }
            s.push_str(&format!(
                "\n`{}` is best on average; it is not the best in {} of {} futures.",
                self.policies[r.leader],
                r.flipped,
                self.futures.len()
            ));
            if let Some(d) = &r.drivers {
                s.push_str(&format!(" {d}."));
            }
            s.push('\n');
        }
        s.push_str("\nTables: `robustness.csv`, `flips.csv` (pairwise), `drivers.csv` (PRIM boxes).\n");
        s
    }
}

/// The unit of an outcome, from its meaning (`… (people)` gives `people`); `outcome units`
/// when it says none.
fn unit_of(outcome: &str) -> String {
    use crate::output::outcomes::Outcomes;
    Outcomes::NAMES
        .iter()
        .position(|n| *n == outcome)
        .and_then(|i| {
            let meaning = Outcomes::MEANINGS[i].trim().trim_end_matches('.');
            let open = meaning.rfind('(')?;
            let inside = &meaning[open + 1..meaning.len().saturating_sub(1)];
            // A unit is one word (`people`, `US$`); `(ticks 1 to the end)` is a remark.
            (meaning.ends_with(')') && !inside.contains(' ')).then(|| inside.to_string())
        })
        .unwrap_or_else(|| "outcome units".to_string())
}

/// Fewest flipped futures PRIM is asked to describe: a box around one or two points says nothing.
const MIN_FLIPS_FOR_PRIM: usize = 5;

/// A restricted input is named in the report when the box keeps at most this share of its range.
const MAX_DRIVER_SHARE: f64 = 0.75;

/// A unit-cube point with coordinate `d` at `u` (others 0), to map one coordinate to its value.
fn unit_with(d: usize, u: f64, k: usize) -> Vec<f64> {
    let mut x = vec![0.0; k];
    x[d] = u.clamp(0.0, 1.0);
    x
}

/// Draws `n` futures from a calibration's `posterior.csv` (columns: `weight` and the
/// parameters' paths), by systematic resampling on the weights with a seeded offset.
fn draw_from_posterior(plan: &Path, text: &str, posterior: &Path, base: &Base, n: usize) -> Result<Vec<Vec<f64>>> {
    let problem = |message: String| {
        let mut e = FieldErrors::default();
        e.push("posterior", message);
        fail_on(plan, text, e).expect_err("a problem was pushed")
    };
    let mut reader = csv::Reader::from_path(posterior).map_err(|err| problem(format!("cannot read {}: {err}", posterior.display())))?;
    let header = reader
        .headers()
        .map_err(|err| problem(format!("{}: {err}", posterior.display())))?
        .clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| problem(format!("{} has no column `{name}`", posterior.display())))
    };
    let weight_col = col("weight")?;
    let cols: Vec<usize> = base.parameters.iter().map(|p| col(&p.path)).collect::<Result<_>>()?;
    let mut rows = Vec::new();
    let mut weights = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|err| problem(format!("{}: row {}: {err}", posterior.display(), i + 2)))?;
        let num = |c: usize| {
            rec[c].parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                problem(format!(
                    "{}: row {}: `{}` is not a finite number",
                    posterior.display(),
                    i + 2,
                    &rec[c]
                ))
            })
        };
        let w = num(weight_col)?;
        let values: Vec<f64> = cols.iter().map(|&c| num(c)).collect::<Result<_>>()?;
        for (p, v) in base.parameters.iter().zip(&values) {
            if *v < p.low || *v > p.high {
                return Err(problem(format!(
                    "{}: row {}: {} = {v} is outside the plan's range [{}, {}]",
                    posterior.display(),
                    i + 2,
                    p.path,
                    p.low,
                    p.high
                )));
            }
        }
        weights.push(w.max(0.0));
        rows.push(values);
    }
    let total: f64 = weights.iter().sum();
    if rows.is_empty() || total <= 0.0 {
        return Err(problem(format!("{} has no row with a positive weight", posterior.display())));
    }
    let offset = crate::uncertainty::latin_hypercube(1, 1, derive_seed(base.seed, u64::MAX - 12, 0)).expect("one point")[0][0];
    let mut out = Vec::with_capacity(n);
    let mut cumulative = 0.0;
    let mut row = 0;
    for i in 0..n {
        let target = (i as f64 + offset) / n as f64 * total;
        while row + 1 < rows.len() && cumulative + weights[row] < target {
            cumulative += weights[row];
            row += 1;
        }
        out.push(rows[row].clone());
    }
    Ok(out)
}

/// What the analysis found for one outcome.
#[derive(Debug, Clone)]
pub struct OutcomeRobustness {
    /// Outcome name.
    pub outcome: String,
    /// The measures.
    pub result: RobustnessResult,
    /// The policy best on average.
    pub leader: usize,
    /// Futures in which it is not best.
    pub flipped: usize,
    /// What drives the flips, in words.
    pub drivers: Option<String>,
}

/// The analysis of a robustness plan.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// One entry per outcome.
    pub outcomes: Vec<OutcomeRobustness>,
    /// Files written.
    pub files: Vec<PathBuf>,
}

/// The default output directory of a plan.
#[must_use]
pub fn default_out(plan: &Path) -> PathBuf {
    super::super::build::default_dir(plan, "robust")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_come_from_the_outcome_meanings() {
        assert_eq!(unit_of("civilian_fatalities"), "people");
        assert_eq!(unit_of("mean_m0"), "outcome units");
        assert_eq!(unit_of("no_such_outcome"), "outcome units");
    }
}
