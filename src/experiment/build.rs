//! The experiments the commands ask for, built from their inputs: a replicate ensemble of one
//! scenario, a sweep from a validated plan, a paired comparison of arms.
//!
//! Each builder only assembles an [`Experiment`] (its design points, labels, seeds and the
//! identity that guards resumption); running it is [`super::runner::execute`].

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::library::ScenarioInput;
use crate::scenario::{Override, Scenario};
use crate::spec::ModelSpec;

use super::design::{Experiment, Kind, Points, check_replicates};
use super::model::outcome_names;
use super::plan::Plan;

/// A replicate ensemble of one scenario: `replicates` runs with seeds hashed from `seed`.
#[must_use]
pub fn ensemble(scenario: &Scenario, replicates: u32, seed: u64) -> Experiment {
    ensemble_of(&ModelSpec::Peacesim(Box::new(scenario.clone())), replicates, seed)
}

/// A replicate ensemble of a scenario of either model.
#[must_use]
pub fn ensemble_of(spec: &ModelSpec, replicates: u32, seed: u64) -> Experiment {
    let source = spec.source();
    Experiment {
        kind: Kind::Ensemble,
        scenarios: Points::Held(vec![spec.clone()]),
        label_columns: Vec::new(),
        labels: vec![Vec::new()],
        replicates,
        seed,
        common_seeds: true,
        points_per_seed_group: 1,
        outcomes: outcome_names(spec).iter().map(|s| (*s).to_string()).collect(),
        series: true,
        summary: true,
        identity: serde_json::json!({
            "kind": "ensemble",
            "model": spec.model_name(),
            "scenario_sha256": source.sha256,
            "overrides": source.overrides,
            "ticks": spec.ticks(),
            "replicates": replicates,
            "seed": seed,
        }),
        whatif: None,
    }
}

/// A design value as a CSV cell: a string without its quotes, anything else as TOML writes it.
fn render_value(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The design's factors as CSV columns, one value per cell: a factor whose values are tables
/// (the policy weights) is spread over one column per key, `PATH.KEY` (the union of the points'
/// keys, in key order; a point without the key leaves its cell empty), so a reader gets
/// `mission.policy.weights.protection` as a number instead of a TOML string to parse.
#[must_use]
pub fn tidy_design(factors: &[String], points: &[Vec<toml::Value>]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut columns = Vec::new();
    let mut labels: Vec<Vec<String>> = vec![Vec::new(); points.len()];
    for (f, path) in factors.iter().enumerate() {
        let mut keys: Vec<&String> = points
            .iter()
            .filter_map(|p| p.get(f).and_then(toml::Value::as_table))
            .flat_map(|t| t.keys())
            .collect();
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            columns.push(path.clone());
            for (p, point) in points.iter().enumerate() {
                labels[p].push(point.get(f).map(render_value).unwrap_or_default());
            }
            continue;
        }
        columns.extend(keys.iter().map(|k| format!("{path}.{k}")));
        for (p, point) in points.iter().enumerate() {
            let table = point.get(f).and_then(toml::Value::as_table);
            labels[p].extend(
                keys.iter()
                    .map(|k| table.and_then(|t| t.get(*k)).map(render_value).unwrap_or_default()),
            );
        }
    }
    (columns, labels)
}

/// A sweep from a validated plan.
#[must_use]
pub fn sweep(plan: &Plan) -> Experiment {
    let (label_columns, labels) = tidy_design(&plan.factors, &plan.points);
    // The design's values themselves, not only the plan's text: a CSV design edited between a
    // kill and a rerun is a different experiment and must not be resumed into.
    let points_sha256 = crate::scenario::sha256_hex(serde_json::json!([label_columns, labels]).to_string().as_bytes());
    Experiment {
        kind: Kind::Sweep,
        scenarios: plan.scenarios.clone(),
        label_columns,
        labels,
        replicates: plan.replicates,
        seed: plan.seed,
        common_seeds: plan.common_seeds,
        points_per_seed_group: 1,
        outcomes: plan.outcomes.clone(),
        series: plan.series,
        summary: false,
        identity: serde_json::json!({
            "kind": "sweep",
            "plan_sha256": plan.sha256,
            "scenario_sha256": Some(plan.scenarios.first().source().sha256.clone()),
            "points": plan.points.len(),
            "points_sha256": points_sha256,
            "replicates": plan.replicates,
            "seed": plan.seed,
        }),
        whatif: None,
    }
}

/// Parses a `PATH=VALUE` override (`--set`, an arm's changes), refusing a value followed by
/// more TOML (`--set $'mission.troops=1\nmission.police=2'`), which would otherwise be dropped
/// without a word.
///
/// # Errors
/// [`Error::Usage`] as [`Override::parse`], or naming what follows the value.
pub fn parse_override(text: &str) -> Result<Override> {
    let o = Override::parse(text)?;
    let value = text
        .find(o.path.as_str())
        .map(|at| &text[at + o.path.len()..])
        .and_then(|rest| rest.trim_start().strip_prefix('='))
        .unwrap_or_default();
    let extra = super::plan::toml_after_value(value);
    if extra.is_empty() {
        Ok(o)
    } else {
        Err(Error::Usage(format!(
            "override `{}`: the value must be one TOML value, but more TOML follows it (`{}`); give each field its own --set",
            text.escape_debug(),
            extra.join("`, `")
        )))
    }
}

/// One arm of a comparison.
#[derive(Debug, Clone)]
pub struct Arm {
    /// Name.
    pub name: String,
    /// What it is: `as is`, a file, or overrides.
    pub spec: String,
    /// Its scenario.
    pub scenario: ModelSpec,
}

/// Parses `NAME=SPEC`: an empty spec is the base scenario as is; a spec ending in `.toml` is an
/// alternative scenario file; otherwise `;`-separated `PATH=VALUE` overrides on the base.
/// Scenario files are found as every SCENARIO argument is: a file first, then a built-in
/// scenario of that name ([`crate::library::ScenarioInput::resolve`]).
///
/// # Errors
/// [`Error::Usage`] for a malformed arm; scenario errors for invalid arms.
pub fn parse_arm(text: &str, base: &Path, common: &[Override]) -> Result<Arm> {
    let (name, spec) = text.split_once('=').ok_or_else(|| {
        Error::Usage(format!(
            "--arm must look like NAME=SPEC (SPEC: empty, a .toml file, or PATH=VALUE;PATH=VALUE), got `{text}`"
        ))
    })?;
    let name = name.trim().to_string();
    if name.is_empty() || name.contains(',') {
        return Err(Error::Usage(format!("arm name `{name}` must be non-empty and contain no comma")));
    }
    let spec = spec.trim();
    let scenario = if spec.is_empty() {
        ScenarioInput::resolve(base)?.load(common)?
    } else if Path::new(spec).extension().is_some_and(|e| e == "toml") && !spec.contains('=') {
        ScenarioInput::resolve(Path::new(spec))?.load(common)?
    } else {
        let mut overrides = common.to_vec();
        for part in spec.split(';').filter(|p| !p.trim().is_empty()) {
            let o = parse_override(part.trim())?;
            if o.path == "run.seed" {
                return Err(Error::Usage(format!(
                    "arm `{name}`: `run.seed` cannot differ between arms: arms share their replicates' seeds (common random numbers), derived from --seed"
                )));
            }
            overrides.push(o);
        }
        ScenarioInput::resolve(base)?.load(&overrides)?
    };
    Ok(Arm {
        name,
        spec: if spec.is_empty() { "as is".into() } else { spec.to_string() },
        scenario,
    })
}

/// A paired comparison of arms with common random numbers.
///
/// # Errors
/// [`Error::Usage`] with fewer than two arms, duplicate names, or a replicate count outside
/// [1, [`MAX_REPLICATES`](super::design::MAX_REPLICATES)].
pub fn comparison(arms: &[Arm], replicates: u32, seed: u64) -> Result<Experiment> {
    if arms.len() < 2 {
        return Err(Error::Usage(
            "a comparison needs at least two --arm options (the first is the reference)".into(),
        ));
    }
    for (i, a) in arms.iter().enumerate() {
        if arms[..i].iter().any(|b| b.name == a.name) {
            return Err(Error::Usage(format!("arm name `{}` is used twice", a.name)));
        }
    }
    check_replicates(replicates, 1, "")?;
    Ok(Experiment {
        kind: Kind::Comparison,
        scenarios: Points::Held(arms.iter().map(|a| a.scenario.clone()).collect()),
        label_columns: vec!["arm".into(), "spec".into()],
        labels: arms.iter().map(|a| vec![a.name.clone(), a.spec.clone()]).collect(),
        replicates,
        seed,
        common_seeds: true,
        points_per_seed_group: 1,
        outcomes: outcome_names(&arms[0].scenario).iter().map(|s| (*s).to_string()).collect(),
        series: true,
        summary: true,
        identity: serde_json::json!({
            "kind": "comparison",
            "arms": arms.iter().map(|a| serde_json::json!({"name": a.name, "spec": a.spec, "scenario_sha256": a.scenario.source().sha256, "ticks": a.scenario.ticks()})).collect::<Vec<_>>(),
            "replicates": replicates,
            "seed": seed,
        }),
        whatif: None,
    })
}

/// Default directory of an experiment on a scenario or plan file.
#[must_use]
pub fn default_dir(file: &Path, name: &str) -> PathBuf {
    let stem = file
        .file_stem()
        .map_or_else(|| "experiment".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from("outputs").join(stem).join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_valued_factors_become_one_column_per_key() {
        let weights = |p: f64, h: f64| {
            let mut t = toml::Table::new();
            t.insert("protection".into(), toml::Value::Float(p));
            t.insert("health".into(), toml::Value::Float(h));
            toml::Value::Table(t)
        };
        let points = vec![
            vec![weights(1.0, 0.0), toml::Value::Integer(900)],
            vec![weights(0.5, 0.5), toml::Value::Integer(0)],
        ];
        let (columns, labels) = tidy_design(&["mission.policy.weights".into(), "mission.troops".into()], &points);
        assert_eq!(
            columns,
            [
                "mission.policy.weights.health",
                "mission.policy.weights.protection",
                "mission.troops"
            ]
        );
        assert_eq!(labels, [["0.0", "1.0", "900"], ["0.5", "0.5", "0"]]);
    }
}
