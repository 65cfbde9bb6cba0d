//! Sweep plans: which scenario, which design points, how many replicates, which outcomes.
//!
//! A plan is a TOML file parsed and validated like a scenario (unknown keys rejected, every
//! problem reported with its field path and line). Designs: full factorial over listed values,
//! a grid over the four policy weights on the simplex at resolution r (every combination in
//! steps of 1/r, crossed with any factors), a Latin hypercube over ranges, or points read from
//! a CSV file whose header names field paths (for SALib, EMA Workbench or OpenMOLE designs).
//! Every design point's scenario is built and validated before any run starts.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldError, FieldErrors, Result};
use crate::pillar::{PerPillar, Pillar};
use crate::rng::{Phase, Streams, shuffle, uniform};
use crate::scenario::document::{self, closest};
use crate::scenario::{Override, sha256_hex};
use crate::spec::ModelSpec;

use super::design::{BuiltPoints, Points, build_point};
use super::model::outcome_names;

/// Plan schema version this build reads.
pub const PLAN_SCHEMA_VERSION: i64 = 1;

/// Largest number of runs a plan may ask for.
pub const MAX_RUNS: u64 = 10_000_000;

/// The plan file as written.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPlan {
    /// Format version; this build reads 1.
    pub schema_version: i64,
    /// Base scenario file, relative to the plan file.
    pub scenario: String,
    /// Replicates per design point (1 to 100,000).
    pub replicates: i64,
    /// Master seed (default 1).
    #[serde(default = "one")]
    pub seed: u64,
    /// Ticks per run (default: the scenario's).
    #[serde(default)]
    pub ticks: Option<i64>,
    /// Outcomes to write (default: all).
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// Also write per-tick national series of every run (default false).
    #[serde(default)]
    pub series: bool,
    /// Use the same replicate seeds at every design point (common random numbers; default false).
    #[serde(default)]
    pub common_seeds: bool,
    /// The design.
    pub design: RawDesign,
}

fn one() -> u64 {
    1
}

/// `[design]`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDesign {
    /// `factorial`, `simplex`, `lhs` or `csv`.
    pub kind: DesignKind,
    /// Factors with listed values (`factorial`; crossed with the simplex for `simplex`).
    #[serde(default)]
    pub factor: Vec<RawFactor>,
    /// Simplex resolution r: weights in steps of 1/r (`simplex`; 1 to 100).
    #[serde(default)]
    pub resolution: Option<i64>,
    /// Number of points (`lhs`; 1 to 1,000,000).
    #[serde(default)]
    pub points: Option<i64>,
    /// Ranges (`lhs`).
    #[serde(default)]
    pub range: Vec<RawRange>,
    /// Design file, relative to the plan (`csv`).
    #[serde(default)]
    pub file: Option<String>,
}

/// Design kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DesignKind {
    /// Every combination of the listed factor values.
    Factorial,
    /// Every combination of the four pillar weights in steps of 1/resolution (crossed with factors).
    Simplex,
    /// Latin hypercube over ranges.
    Lhs,
    /// Points read from a CSV file.
    Csv,
}

/// `[[design.factor]]`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFactor {
    /// Scenario field path, e.g. `mission.troops`.
    pub path: String,
    /// Values.
    #[schemars(with = "Vec<serde_json::Value>")]
    pub values: Vec<toml::Value>,
}

/// `[[design.range]]`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRange {
    /// Scenario field path.
    pub path: String,
    /// Lowest value.
    pub min: f64,
    /// Highest value.
    pub max: f64,
    /// Round values to integers (default false).
    #[serde(default)]
    pub integer: bool,
}

/// A validated plan with every design point's scenario built.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Plan file.
    pub file: PathBuf,
    /// SHA-256 of the plan file.
    pub sha256: String,
    /// Base scenario file.
    pub scenario_file: PathBuf,
    /// Replicates per point.
    pub replicates: u32,
    /// Master seed.
    pub seed: u64,
    /// Ticks per run, if overridden.
    pub ticks: Option<u32>,
    /// Outcome names to write, in output order.
    pub outcomes: Vec<String>,
    /// Write series.
    pub series: bool,
    /// Common seeds across points.
    pub common_seeds: bool,
    /// Factor paths (column names of the design).
    pub factors: Vec<String>,
    /// Design points: the factor values of each.
    pub points: Vec<Vec<toml::Value>>,
    /// The scenario of each point (point 0 held, the others built when their runs start).
    pub scenarios: Points,
    /// Design kind.
    pub kind: DesignKind,
}

impl Plan {
    /// Number of runs.
    #[must_use]
    pub fn runs(&self) -> u64 {
        self.points.len() as u64 * u64::from(self.replicates)
    }

    /// Loads and validates a plan and every design point's scenario.
    ///
    /// # Errors
    /// [`Error::Read`], [`Error::Parse`] or [`Error::Invalid`] naming the file, line, field and rule.
    pub fn load(path: &Path) -> Result<Self> {
        let text = crate::spec::read_text(path)?;
        let table = document::parse_table(&text, path)?;
        let raw: RawPlan = document::deserialize(table, &text, path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut e = FieldErrors::default();
        if raw.schema_version != PLAN_SCHEMA_VERSION {
            e.push(
                "schema_version",
                format!(
                    "this build reads plan schema_version {PLAN_SCHEMA_VERSION}, got {}",
                    raw.schema_version
                ),
            );
        }
        if let Err(message) = crate::rng::check_seed(raw.seed) {
            e.push("seed", message);
        }
        if !(1..=100_000).contains(&raw.replicates) {
            e.push("replicates", format!("must be in [1, 100000], got {}", raw.replicates));
        }
        if let Some(t) = raw.ticks
            && !(1..=36_500).contains(&t)
        {
            e.push("ticks", format!("must be in [1, 36500], got {t}"));
        }
        let scenario_file = dir.join(&raw.scenario);
        let (factors, points) = build_design(&raw, dir, &mut e);
        check_design_paths(&raw, dir, &factors, &mut e);
        if !e.is_empty() {
            e.locate(|p| document::line_of_path(&text, p));
            return Err(Error::Invalid {
                path: path.to_path_buf(),
                errors: e,
            });
        }
        let scenario_text = crate::spec::read_text(&scenario_file).map_err(|err| match err {
            Error::Read { source, .. } => Error::Invalid {
                path: path.to_path_buf(),
                errors: std::iter::once(FieldError {
                    path: "scenario".into(),
                    line: document::line_of_path(&text, "scenario"),
                    message: format!("cannot read {}: {source}", scenario_file.display()),
                })
                .collect(),
            },
            other => other,
        })?;
        // Validation before work: every design point's scenario is built now.
        let ticks = raw.ticks.map(|t| u32::try_from(t).expect("validated ticks"));
        let overrides: Vec<Vec<Override>> = points.iter().map(|values| overrides_of(&factors, values)).collect();
        let scenarios = build_point_scenarios(path, &scenario_text, &scenario_file, &overrides, ticks)?;
        let known = outcome_names(scenarios.first());
        let mut outcome_errors = FieldErrors::default();
        for (i, o) in raw.outcomes.iter().enumerate() {
            if !known.contains(&o.as_str()) {
                let hint = closest(o, known).map(|b| format!(" (did you mean `{b}`?)")).unwrap_or_default();
                outcome_errors.push(format!("outcomes[{i}]"), format!("unknown outcome `{o}`{hint}"));
            }
        }
        if !outcome_errors.is_empty() {
            outcome_errors.locate(|p| document::line_of_path(&text, p));
            return Err(Error::Invalid {
                path: path.to_path_buf(),
                errors: outcome_errors,
            });
        }
        let outcomes: Vec<String> = if raw.outcomes.is_empty() {
            known.iter().map(|s| (*s).to_string()).collect()
        } else {
            raw.outcomes.clone()
        };
        Ok(Self {
            file: path.to_path_buf(),
            sha256: sha256_hex(text.as_bytes()),
            scenario_file,
            replicates: u32::try_from(raw.replicates).expect("validated replicates"),
            seed: raw.seed,
            ticks: raw.ticks.map(|t| u32::try_from(t).expect("validated ticks")),
            outcomes,
            series: raw.series,
            common_seeds: raw.common_seeds,
            factors,
            points,
            scenarios,
            kind: raw.design.kind,
        })
    }
}

/// The overrides that set `values` at the `factors` paths.
#[must_use]
pub fn overrides_of(factors: &[String], values: &[toml::Value]) -> Vec<Override> {
    factors
        .iter()
        .zip(values)
        .map(|(f, v)| Override {
            path: f.clone(),
            value: v.clone(),
        })
        .collect()
}

/// Builds and validates the scenario of every design point: the base scenario's text with the
/// point's overrides, and the run length `ticks` if given. Used by sweep plans and by the
/// uncertainty plans (`peacesim sensitivity`, `robust`, `calibrate`), so that every point is
/// checked before the first run. Only point 0's scenario is kept: the others are built again
/// when their runs start ([`Points::Built`]), so memory does not grow with the number of points.
/// Every point must have point 0's model and armed groups (the tables' columns depend on them).
///
/// # Errors
/// [`Error::Invalid`] naming `plan` and, for each of the first 20 bad points, the point, its
/// values and the scenario's problems.
pub fn build_point_scenarios(
    plan: &Path,
    scenario_text: &str,
    scenario_file: &Path,
    points: &[Vec<Override>],
    ticks: Option<u32>,
) -> Result<Points> {
    let mut first: Option<ModelSpec> = None;
    let mut point_errors = FieldErrors::default();
    for (p, overrides) in points.iter().enumerate() {
        let desc = || overrides.iter().map(Override::render).collect::<Vec<String>>().join(", ");
        match build_point(scenario_text, scenario_file, overrides, ticks) {
            Ok(s) => match &first {
                None => first = Some(s),
                Some(f) if f.model_name() != s.model_name() || f.group_slugs() != s.group_slugs() => point_errors.push(
                    format!("design point {p} ({})", desc()),
                    "has another model or other armed groups than design point 0; every design point must be of the same model and have the same armed groups (the columns depend on them)".to_string(),
                ),
                Some(_) => {}
            },
            Err(err) => {
                point_errors.push(
                    format!("design point {p} ({})", desc()),
                    err.to_string().replace('\n', "\n    "),
                );
            }
        }
        if point_errors.len() >= 20 {
            break;
        }
    }
    match first {
        Some(first) if point_errors.is_empty() => Ok(Points::Built(BuiltPoints {
            first: Box::new(first),
            text: Arc::from(scenario_text),
            file: scenario_file.to_path_buf(),
            overrides: points.to_vec(),
            ticks,
        })),
        None if point_errors.is_empty() => Err(Error::Usage("the experiment has no design points".into())),
        _ => Err(Error::Invalid {
            path: plan.to_path_buf(),
            errors: point_errors,
        }),
    }
}

/// Every combination of the pillar weights in steps of 1/r (C(r + 3, 3) points for four
/// pillars), in lexicographic order of the first pillars' weights.
#[must_use]
pub fn simplex_points(r: u32) -> Vec<PerPillar<f64>> {
    /// Appends every way to split `left` steps over `parts[at..]` (the last part takes the rest).
    fn split(left: u32, at: usize, parts: &mut [u32; Pillar::COUNT], out: &mut Vec<[u32; Pillar::COUNT]>) {
        if at + 1 == parts.len() {
            parts[at] = left;
            out.push(*parts);
            return;
        }
        for k in 0..=left {
            parts[at] = k;
            split(left - k, at + 1, parts, out);
        }
    }
    let mut steps = Vec::new();
    split(r, 0, &mut [0; Pillar::COUNT], &mut steps);
    let rf = f64::from(r);
    steps
        .into_iter()
        .map(|s| PerPillar::from_fn(|p| f64::from(s[p.index()]) / rf))
        .collect()
}

/// Latin hypercube: `n` points in `dims` dimensions in [0, 1), one per stratum per dimension.
#[must_use]
pub fn latin_hypercube(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let streams = Streams::new(seed);
    let mut points = vec![vec![0.0; dims]; n];
    #[expect(clippy::cast_precision_loss, reason = "point counts are capped")]
    let nf = n as f64;
    for d in 0..dims {
        let mut rng = streams.at(Phase::Bootstrap, 1_000_000 + d as u64, 0);
        let mut strata: Vec<usize> = (0..n).collect();
        shuffle(&mut strata, &mut rng);
        for (i, p) in points.iter_mut().enumerate() {
            #[expect(clippy::cast_precision_loss, reason = "point counts are capped")]
            let s = strata[i] as f64;
            p[d] = (s + uniform(&mut rng)) / nf;
        }
    }
    points
}

/// Where a design's `i`-th column comes from, for messages: the factor or range that names it,
/// or the CSV file's column.
fn column_origin(raw: &RawPlan, dir: &Path, i: usize) -> (String, String) {
    let d = &raw.design;
    match d.kind {
        DesignKind::Factorial => (format!("design.factor[{i}].path"), String::new()),
        DesignKind::Simplex if i == 0 => ("design.resolution".into(), String::new()),
        DesignKind::Simplex => (format!("design.factor[{}].path", i - 1), String::new()),
        DesignKind::Lhs => (format!("design.range[{i}].path"), String::new()),
        DesignKind::Csv => (
            "design.file".into(),
            format!("{}: column {} ", dir.join(d.file.as_deref().unwrap_or_default()).display(), i + 1),
        ),
    }
}

/// Refuses a design that names one field twice (the later value would silently win, and the
/// runs be labelled with the other), and fields a design cannot vary: `run.seed` (each run's seed
/// is derived from the plan's master seed, the point and the replicate) and `run.ticks` when the
/// plan's `ticks` overrides it or series (one row per tick) are kept.
fn check_design_paths(raw: &RawPlan, dir: &Path, factors: &[String], e: &mut FieldErrors) {
    for (i, f) in factors.iter().enumerate() {
        let (field, prefix) = column_origin(raw, dir, i);
        if let Some(first) = factors[..i].iter().position(|g| g == f) {
            let (first_field, first_prefix) = column_origin(raw, dir, first);
            let earlier = if first_prefix.is_empty() {
                first_field
            } else {
                format!("column {}", first + 1)
            };
            e.push(
                field.clone(),
                format!("{prefix}`{f}` is named twice (also {earlier}); a design may set each field once"),
            );
        }
        if f == "run.seed" {
            e.push(
                field.clone(),
                format!(
                    "{prefix}`run.seed` cannot be a design factor: each run's seed is derived from the plan's `seed`, the design point and the replicate (written to outcomes.csv); set `seed` for another master seed, or raise `replicates` for more seeds"
                ),
            );
        }
        if f == "run.ticks" && (raw.ticks.is_some() || raw.series) {
            let why = if raw.ticks.is_some() {
                "the plan's `ticks` sets every run's length"
            } else {
                "series (`series = true`) need one length for every run"
            };
            e.push(field, format!("{prefix}`run.ticks` cannot be a design factor here: {why}"));
        }
    }
}

fn cartesian(factors: &[RawFactor]) -> Vec<Vec<toml::Value>> {
    let mut points: Vec<Vec<toml::Value>> = vec![Vec::new()];
    for f in factors {
        let mut next = Vec::with_capacity(points.len() * f.values.len());
        for p in &points {
            for v in &f.values {
                let mut q = p.clone();
                q.push(v.clone());
                next.push(q);
            }
        }
        points = next;
    }
    points
}

/// The keys that follow the first value when `text` is read as a TOML value (`1\nc = 2` holds
/// `c`), which the value reader would silently drop; empty for one value or a bare word.
#[must_use]
pub fn toml_after_value(text: &str) -> Vec<String> {
    match format!("v = {}", text.trim()).parse::<toml::Table>() {
        Ok(t) if t.len() > 1 => t.keys().filter(|k| *k != "v").cloned().collect(),
        _ => Vec::new(),
    }
}

/// Number of design points a plan's factors and resolution give, before any is built (saturating).
fn planned_points(d: &RawDesign) -> u64 {
    let crossed = d.factor.iter().fold(1_u64, |n, f| n.saturating_mul(f.values.len() as u64));
    match d.kind {
        DesignKind::Factorial => crossed,
        DesignKind::Simplex => {
            let r = u64::try_from(d.resolution.unwrap_or(0).clamp(0, 100)).unwrap_or(0);
            ((r + 1) * (r + 2) * (r + 3) / 6).saturating_mul(crossed)
        }
        DesignKind::Lhs => u64::try_from(d.points.unwrap_or(0).max(0)).unwrap_or(0),
        // Counted while reading, and cut off there (see `build_design`).
        DesignKind::Csv => 0,
    }
}

/// The most design points a plan may have: every point's scenario is built and validated in
/// memory before the first run.
pub const MAX_POINTS: u64 = 1_000_000;

/// The run limit's message, said before anything proportional to the points is allocated.
fn too_many(points: u64, replicates: u64) -> Option<String> {
    let runs = points.saturating_mul(replicates);
    if points > MAX_POINTS {
        Some(format!(
            "{points} design points exceed the limit of {MAX_POINTS} (each point's scenario is built and checked before the first run); split the design into several plans"
        ))
    } else if runs > MAX_RUNS {
        Some(format!(
            "{points} points x {replicates} replicates = {runs} runs exceed the limit of {MAX_RUNS}"
        ))
    } else {
        None
    }
}

fn build_design(raw: &RawPlan, dir: &Path, e: &mut FieldErrors) -> (Vec<String>, Vec<Vec<toml::Value>>) {
    let d = &raw.design;
    for (i, f) in d.factor.iter().enumerate() {
        if f.values.is_empty() {
            e.push(format!("design.factor[{i}].values"), "must list at least one value");
        }
    }
    let replicates = u64::try_from(raw.replicates.max(1)).unwrap_or(1);
    if let Some(message) = too_many(planned_points(d), replicates) {
        e.push("design", message);
        return (Vec::new(), Vec::new());
    }
    let factor_paths: Vec<String> = d.factor.iter().map(|f| f.path.clone()).collect();
    match d.kind {
        DesignKind::Factorial => {
            if d.factor.is_empty() {
                e.push("design.factor", "a factorial design needs at least one [[design.factor]]");
            }
            (factor_paths, cartesian(&d.factor))
        }
        DesignKind::Simplex => {
            let r = d.resolution.unwrap_or(0);
            if !(1..=100).contains(&r) {
                e.push(
                    "design.resolution",
                    format!("a simplex design needs a resolution in [1, 100], got {r}"),
                );
                return (Vec::new(), Vec::new());
            }
            let mut paths = vec!["mission.policy.weights".to_string()];
            paths.extend(factor_paths);
            let mut points = Vec::new();
            for w in simplex_points(u32::try_from(r).expect("validated resolution")) {
                let mut t = toml::Table::new();
                for (pillar, &v) in w.iter() {
                    t.insert(pillar.name().to_string(), toml::Value::Float(v));
                }
                for rest in cartesian(&d.factor) {
                    let mut p = vec![toml::Value::Table(t.clone())];
                    p.extend(rest);
                    points.push(p);
                }
            }
            (paths, points)
        }
        DesignKind::Lhs => {
            let n = d.points.unwrap_or(0);
            if !(1..=1_000_000).contains(&n) {
                e.push("design.points", format!("a Latin hypercube needs points in [1, 1000000], got {n}"));
                return (Vec::new(), Vec::new());
            }
            if d.range.is_empty() {
                e.push("design.range", "a Latin hypercube needs at least one [[design.range]]");
            }
            for (i, r) in d.range.iter().enumerate() {
                if !(r.min.is_finite() && r.max.is_finite() && r.min <= r.max) {
                    e.push(
                        format!("design.range[{i}]"),
                        format!("needs finite min <= max, got [{}, {}]", r.min, r.max),
                    );
                }
            }
            let unit = latin_hypercube(usize::try_from(n).expect("validated points"), d.range.len(), raw.seed);
            let points = unit
                .into_iter()
                .map(|u| {
                    d.range
                        .iter()
                        .zip(u)
                        .map(|(r, x)| {
                            let v = r.min + (r.max - r.min) * x;
                            if r.integer {
                                #[expect(clippy::cast_possible_truncation, reason = "ranges of integer fields are small")]
                                let i = v.floor().min(r.max) as i64;
                                toml::Value::Integer(i)
                            } else {
                                toml::Value::Float(v)
                            }
                        })
                        .collect()
                })
                .collect();
            (d.range.iter().map(|r| r.path.clone()).collect(), points)
        }
        DesignKind::Csv => {
            let Some(file) = &d.file else {
                e.push("design.file", "a csv design needs `file`");
                return (Vec::new(), Vec::new());
            };
            let path = dir.join(file);
            // Read with the input size limit (a design of /dev/zero is refused, not read forever).
            let bytes = match crate::input::read_limited(&path, document::MAX_INPUT_BYTES) {
                Ok(b) => b,
                Err(Error::Read { source, .. }) => {
                    e.push("design.file", format!("cannot read {}: {source}", path.display()));
                    return (Vec::new(), Vec::new());
                }
                Err(err) => {
                    e.push("design.file", err.to_string());
                    return (Vec::new(), Vec::new());
                }
            };
            let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bytes.as_slice());
            let header: Vec<String> = match reader.headers() {
                Ok(h) => h.iter().map(str::to_string).collect(),
                Err(err) => {
                    e.push("design.file", format!("{}: {err}", path.display()));
                    return (Vec::new(), Vec::new());
                }
            };
            let mut points = Vec::new();
            for (i, rec) in reader.records().enumerate() {
                if let Some(message) = too_many(points.len() as u64 + 1, replicates) {
                    e.push("design.file", format!("{}: {message}", path.display()));
                    return (Vec::new(), Vec::new());
                }
                match rec {
                    Ok(r) if r.len() == header.len() => {
                        for (c, cell) in r.iter().enumerate() {
                            let extra = toml_after_value(cell);
                            if !extra.is_empty() {
                                e.push(
                                    "design.file",
                                    format!(
                                        "{}: row {}, column {}: the value must be one TOML value, but more TOML follows it (`{}`)",
                                        path.display(),
                                        i + 2,
                                        c + 1,
                                        extra.join("`, `")
                                    ),
                                );
                            }
                        }
                        points.push(r.iter().map(document::parse_value).collect());
                    }
                    Ok(r) => e.push(
                        "design.file",
                        format!(
                            "{}: row {} has {} values, the header has {}",
                            path.display(),
                            i + 2,
                            r.len(),
                            header.len()
                        ),
                    ),
                    Err(err) => e.push("design.file", format!("{}: row {}: {err}", path.display(), i + 2)),
                }
            }
            if points.is_empty() {
                e.push("design.file", format!("{} has no design points", path.display()));
            }
            (header, points)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplex_has_binomial_many_points_summing_to_one() {
        for r in [1u32, 2, 4, 10] {
            let p = simplex_points(r);
            let expected = (r + 1) * (r + 2) * (r + 3) / 6;
            assert_eq!(p.len() as u32, expected, "r = {r}");
            assert!(p.iter().all(|w| (w.sum() - 1.0).abs() < 1e-12));
        }
        assert_eq!(simplex_points(4).len(), 35);
    }

    #[test]
    fn latin_hypercube_has_one_point_per_stratum() {
        let n = 20;
        let pts = latin_hypercube(n, 3, 5);
        for d in 0..3 {
            let mut strata: Vec<usize> = pts.iter().map(|p| (p[d] * n as f64) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>());
        }
        assert_eq!(pts, latin_hypercube(n, 3, 5));
    }

    #[test]
    fn a_plan_keeps_one_scenario_and_builds_each_point_as_it_was_validated() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let plan = Plan::load(&root.join("tests/data/plans/tiny-factorial.toml")).unwrap();
        let Points::Built(built) = &plan.scenarios else {
            panic!("a plan's points are built on demand, not held");
        };
        assert_eq!(plan.scenarios.len(), 4);
        assert_eq!(built.overrides.len(), 4);
        let text = std::fs::read_to_string(root.join("scenarios/tiny-conflict.toml")).unwrap();
        for p in 0..4 {
            let overrides = overrides_of(&plan.factors, &plan.points[p]);
            let direct = build_point(&text, &plan.scenario_file, &overrides, plan.ticks).unwrap();
            let lazy = plan.scenarios.get(p).unwrap();
            assert_eq!(format!("{:?}", *lazy), format!("{direct:?}"), "point {p}");
            assert_eq!(lazy.ticks(), 25);
        }
    }

    #[test]
    fn points_of_other_armed_groups_are_refused_when_the_plan_is_validated() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let file = root.join("scenarios/tiny-conflict.toml");
        let text = std::fs::read_to_string(&file).unwrap();
        let none = Override::parse("armed_groups=[]").unwrap();
        let err = build_point_scenarios(Path::new("plan.toml"), &text, &file, &[vec![], vec![none]], None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("design point 1") && err.contains("same armed groups"), "{err}");
    }
}
