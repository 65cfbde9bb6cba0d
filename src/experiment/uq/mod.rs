//! The uncertainty commands on the sweep machinery: `peacesim sensitivity`, `robust` and
//! `calibrate` (issue 19).
//!
//! Each command reads a plan (TOML, unknown keys rejected, every problem named with its file,
//! line and field path), turns it into design points with the numerical core in
//! [`crate::uncertainty`], and runs them as an ordinary sweep (kind `sweep`) in `OUT/runs/`
//! through [`super::runner`]: streamed, resumable after a kill, shardable with `--shard I/N` and
//! `peacesim merge OUT/runs`, byte-identical at any thread or shard count. The analysis reads
//! `OUT/runs/outcomes.csv` back and writes its tables and figures into `OUT/`, so it is as
//! deterministic as the runs themselves and can be redone from a merged directory.
//!
//! Files: this one holds what the three plans share (the parameters and their ranges, the base
//! fields, the experiment built from design points, the outcomes read back, the tables
//! written); [`sensitivity`], [`robust`] and [`calibrate`] hold each command's plan and analysis.

pub mod calibrate;
pub mod output;
pub mod robust;
pub mod sensitivity;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldErrors, Result};
use crate::output::csv::record_line;
use crate::scenario::document::{self, closest};
use crate::scenario::{Override, RawCutoffs, Rules, sha256_hex};
use crate::spec::ModelSpec;
use crate::uncertainty::{ParameterRange, ParameterSpace};

use super::design::{Experiment, Kind, MAX_REPLICATES};
use super::model::outcome_names;
use super::plan::{MAX_POINTS, MAX_RUNS, PLAN_SCHEMA_VERSION, build_point_scenarios, overrides_of};

/// `[[parameter]]`: one uncertain scenario field and its range.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParameter {
    /// Scenario field path, e.g. `rules.targeting.concentration` or `mission.troops`.
    pub path: String,
    /// Lowest value (default: the lower end of the documented range in `peacesim params`).
    #[serde(default)]
    pub min: Option<f64>,
    /// Highest value (default: the upper end of the documented range, when finite).
    #[serde(default)]
    pub max: Option<f64>,
    /// Round values to integers (default false).
    #[serde(default)]
    pub integer: bool,
    /// `linear` (uniform, the default) or `log` (log-uniform; needs `0 < min`).
    #[serde(default)]
    pub scale: RawScale,
}

/// How values spread over a parameter's range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawScale {
    /// Uniform between `min` and `max`.
    #[default]
    Linear,
    /// Uniform in the logarithm.
    Log,
}

/// A validated uncertain parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Scenario field path.
    pub path: String,
    /// Lowest value.
    pub low: f64,
    /// Highest value.
    pub high: f64,
    /// Rounded to integers in the scenario.
    pub integer: bool,
    /// Log-uniform.
    pub log: bool,
}

/// The fields every uncertainty plan has, validated.
#[derive(Debug, Clone)]
pub struct Base {
    /// Plan file.
    pub file: PathBuf,
    /// SHA-256 of the plan file's bytes.
    pub sha256: String,
    /// Base scenario file.
    pub scenario_file: PathBuf,
    /// Its text (each design point's scenario is this with the point's values set).
    pub scenario_text: String,
    /// Master seed: designs, bootstraps and run seeds derive from it.
    pub seed: u64,
    /// Ticks per run, if the plan overrides the scenario's.
    pub ticks: Option<u32>,
    /// Replicates per design point.
    pub replicates: u32,
    /// Outcomes analysed, in order.
    pub outcomes: Vec<String>,
    /// Uncertain parameters, in order.
    pub parameters: Vec<Parameter>,
    /// The national series' columns of the scenario (`series.csv` after `tick, day`), which
    /// series summaries may name.
    pub series_columns: Vec<String>,
}

/// The raw fields of [`Base`], borrowed from a command's plan.
pub struct RawBase<'a> {
    /// `schema_version`.
    pub schema_version: i64,
    /// `scenario`.
    pub scenario: &'a str,
    /// `seed`.
    pub seed: u64,
    /// `ticks`.
    pub ticks: Option<i64>,
    /// `replicates`.
    pub replicates: i64,
    /// Outcome names with the field path each was given at.
    pub outcomes: Vec<(String, String)>,
    /// `[[parameter]]`.
    pub parameters: &'a [RawParameter],
}

/// The default seed of a plan.
#[must_use]
pub fn default_seed() -> u64 {
    1
}

/// The default replicate count of a plan.
#[must_use]
pub fn default_replicates() -> i64 {
    1
}

/// Reads a plan file and deserialises it (unknown keys and wrong types named with their line).
///
/// # Errors
/// [`Error::Read`] or [`Error::Parse`].
pub fn read_plan<T: serde::de::DeserializeOwned>(path: &Path) -> Result<(T, String)> {
    let text = crate::spec::read_text(path)?;
    let table = document::parse_table(&text, path)?;
    let raw = document::deserialize(table, &text, path)?;
    Ok((raw, text))
}

/// The documented range of a scenario field, if `peacesim params` lists it.
fn documented_range(path: &str) -> Option<(f64, f64)> {
    Rules::catalogue()
        .into_iter()
        .chain(RawCutoffs::catalogue())
        .find(|p| p.path == path)
        .map(|p| (p.min, p.max))
}

/// Checks the fields every plan shares, pushing each problem at its field path, and returns the
/// validated base once the scenario (as is) has been built and the outcomes checked against it.
/// `e` must be empty for a base to come back.
///
/// # Errors
/// Reading the scenario, or an invalid scenario: [`Error::Invalid`] naming the plan's `scenario`.
pub fn check_base(path: &Path, text: &str, raw: &RawBase<'_>, e: &mut FieldErrors) -> Result<Option<Base>> {
    if raw.schema_version != PLAN_SCHEMA_VERSION {
        e.push(
            "schema_version",
            format!(
                "this build reads plan schema_version {PLAN_SCHEMA_VERSION}, got {}",
                raw.schema_version
            ),
        );
    }
    if !(1..=i64::from(MAX_REPLICATES)).contains(&raw.replicates) {
        e.push("replicates", format!("must be in [1, {MAX_REPLICATES}], got {}", raw.replicates));
    }
    if let Some(t) = raw.ticks
        && !(1..=36_500).contains(&t)
    {
        e.push("ticks", format!("must be in [1, 36500], got {t}"));
    }
    let parameters = check_parameters(raw.parameters, e);
    let dir = path.parent().unwrap_or(Path::new("."));
    let scenario_file = dir.join(raw.scenario);
    let scenario_text = match crate::spec::read_text(&scenario_file) {
        Ok(t) => Some(t),
        Err(err) => {
            let reason = match err {
                Error::Read { source, .. } => source.to_string(),
                other => other.to_string(),
            };
            e.push("scenario", format!("cannot read {}: {reason}", scenario_file.display()));
            None
        }
    };
    let Some(scenario_text) = scenario_text else {
        return Ok(None);
    };
    // The scenario as is: its own problems are reported now, not once per design point.
    let spec = ModelSpec::from_text(&scenario_text, &scenario_file, &[]).map_err(|err| {
        let mut errors = FieldErrors::default();
        errors.push("scenario", err.to_string().replace('\n', "\n    "));
        errors.locate(|p| document::line_of_path(text, p));
        Error::Invalid {
            path: path.to_path_buf(),
            errors,
        }
    })?;
    let known = outcome_names(&spec);
    if raw.outcomes.is_empty() {
        e.push("outcomes", "name at least one outcome (see `peacesim indicators` and outcomes.csv)");
    }
    for (field, name) in &raw.outcomes {
        if !known.contains(&name.as_str()) {
            let hint = closest(name, known).map(|b| format!(" (did you mean `{b}`?)")).unwrap_or_default();
            e.push(field.clone(), format!("unknown outcome `{name}`{hint}"));
        }
    }
    if !e.is_empty() {
        return Ok(None);
    }
    Ok(Some(Base {
        file: path.to_path_buf(),
        sha256: sha256_hex(text.as_bytes()),
        scenario_file,
        scenario_text,
        seed: raw.seed,
        ticks: raw.ticks.map(|t| u32::try_from(t).expect("validated ticks")),
        replicates: u32::try_from(raw.replicates).expect("validated replicates"),
        outcomes: raw.outcomes.iter().map(|(_, n)| n.clone()).collect(),
        parameters,
        series_columns: super::model::series_header(&spec),
    }))
}

/// Validates the `[[parameter]]` tables: ranges given or documented, finite, ordered, positive
/// for log scales, no field twice.
fn check_parameters(raw: &[RawParameter], e: &mut FieldErrors) -> Vec<Parameter> {
    if raw.is_empty() {
        e.push("parameter", "name at least one [[parameter]] (a scenario field path and its range)");
    }
    let mut out = Vec::new();
    for (i, p) in raw.iter().enumerate() {
        let at = format!("parameter[{i}]");
        if raw[..i].iter().any(|q| q.path == p.path) {
            e.push(
                format!("{at}.path"),
                format!("`{}` is named twice; a plan may vary each field once", p.path),
            );
        }
        if p.path == "run.seed" || p.path == "run.ticks" {
            e.push(
                format!("{at}.path"),
                format!(
                    "`{}` cannot be an uncertain parameter: seeds derive from the plan's `seed`, and every run has the plan's length",
                    p.path
                ),
            );
        }
        let documented = documented_range(&p.path);
        let low = p.min.or(documented.map(|d| d.0));
        let high = p.max.or(documented.map(|d| d.1).filter(|v| v.is_finite()));
        let (Some(low), Some(high)) = (low, high) else {
            let why = match documented {
                Some((lo, hi)) => format!("its documented range [{lo}, {hi}] is unbounded"),
                None => "`peacesim params` does not document a range for it".to_string(),
            };
            e.push(at, format!("give `min` and `max` for `{}`: {why}", p.path));
            continue;
        };
        if !(low.is_finite() && high.is_finite() && low < high) {
            e.push(at, format!("needs finite min < max, got [{low}, {high}]"));
            continue;
        }
        if p.scale == RawScale::Log && low <= 0.0 {
            e.push(format!("{at}.scale"), format!("a log scale needs min > 0, got {low}"));
            continue;
        }
        if let Some((lo, hi)) = documented
            && (low < lo || high > hi)
        {
            e.push(
                at.clone(),
                format!("range [{low}, {high}] leaves the valid range [{lo}, {hi}] of `{}`", p.path),
            );
            continue;
        }
        out.push(Parameter {
            path: p.path.clone(),
            low,
            high,
            integer: p.integer,
            log: p.scale == RawScale::Log,
        });
    }
    out
}

/// Refuses a design too large to validate point by point or to run.
pub fn check_size(points: u64, replicates: u32, field: &str, e: &mut FieldErrors) {
    let runs = points.saturating_mul(u64::from(replicates));
    if points > MAX_POINTS {
        e.push(field, format!("{points} design points exceed the limit of {MAX_POINTS}"));
    } else if runs > MAX_RUNS {
        e.push(
            field,
            format!("{points} points x {replicates} replicates = {runs} runs exceed the limit of {MAX_RUNS}"),
        );
    }
}

/// Turns the problems found into [`Error::Invalid`] with their lines, or nothing.
///
/// # Errors
/// [`Error::Invalid`] when `e` holds a problem.
pub fn fail_on(path: &Path, text: &str, mut e: FieldErrors) -> Result<()> {
    if e.is_empty() {
        return Ok(());
    }
    e.locate(|p| document::line_of_path(text, p));
    Err(Error::Invalid {
        path: path.to_path_buf(),
        errors: e,
    })
}

impl Base {
    /// The parameters as a space of the numerical core (unit cube ↔ values).
    #[must_use]
    pub fn space(&self) -> ParameterSpace {
        let ranges = self
            .parameters
            .iter()
            .map(|p| {
                if p.log {
                    ParameterRange::log_uniform(&p.path, p.low, p.high)
                } else {
                    ParameterRange::uniform(&p.path, p.low, p.high)
                }
            })
            .collect();
        ParameterSpace::new(ranges).expect("ranges validated")
    }

    /// Parameter values of unit-cube points, integers rounded (clamped into the range).
    #[must_use]
    pub fn values(&self, unit_points: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let space = self.space();
        unit_points
            .iter()
            .map(|u| {
                let v = space.to_parameters(u).expect("points in the unit cube");
                v.into_iter()
                    .zip(&self.parameters)
                    .map(|(x, p)| {
                        if p.integer {
                            x.round().clamp(p.low.ceil(), p.high.floor())
                        } else {
                            x
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// The TOML values of the parameters at `values`.
    #[must_use]
    pub fn toml_values(&self, values: &[f64]) -> Vec<toml::Value> {
        values
            .iter()
            .zip(&self.parameters)
            .map(|(&x, p)| {
                if p.integer {
                    #[expect(clippy::cast_possible_truncation, reason = "rounded values of validated finite ranges")]
                    toml::Value::Integer(x as i64)
                } else {
                    toml::Value::Float(x)
                }
            })
            .collect()
    }

    /// Parameter paths, in order.
    #[must_use]
    pub fn paths(&self) -> Vec<String> {
        self.parameters.iter().map(|p| p.path.clone()).collect()
    }

    /// Builds every design point's scenario (all checked before any run) and the sweep that
    /// runs them, each point setting `points[p]` at the `factors` paths. `identity` says what
    /// else defines the experiment (a directory holding another is never resumed into).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the plan and the first bad points.
    pub fn experiment(&self, factors: Vec<String>, points: &[Vec<toml::Value>], identity: serde_json::Value) -> Result<Experiment> {
        let overrides: Vec<Vec<Override>> = points.iter().map(|values| overrides_of(&factors, values)).collect();
        let labels: Vec<Vec<String>> = points.iter().map(|p| p.iter().map(render_value).collect()).collect();
        self.labelled_experiment(factors, labels, &overrides, identity, 1)
    }

    /// As [`Self::experiment`], with label columns of its own and each point's overrides;
    /// consecutive groups of `points_per_seed_group` points share their replicate seeds.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the plan and the first bad points.
    pub fn labelled_experiment(
        &self,
        factors: Vec<String>,
        labels: Vec<Vec<String>>,
        overrides: &[Vec<Override>],
        identity: serde_json::Value,
        points_per_seed_group: usize,
    ) -> Result<Experiment> {
        let scenarios = build_point_scenarios(&self.file, &self.scenario_text, &self.scenario_file, overrides, self.ticks)?;
        let points_sha256 = sha256_hex(serde_json::json!([factors, labels]).to_string().as_bytes());
        Ok(Experiment {
            kind: Kind::Sweep,
            scenarios,
            label_columns: factors,
            labels,
            replicates: self.replicates,
            seed: self.seed,
            common_seeds: false,
            points_per_seed_group,
            outcomes: self.outcomes.clone(),
            series: false,
            summary: false,
            identity: serde_json::json!({
                "kind": "sweep",
                "uq": identity,
                "plan_sha256": self.sha256,
                "scenario_sha256": sha256_hex(self.scenario_text.as_bytes()),
                "points": overrides.len(),
                "points_sha256": points_sha256,
                "replicates": self.replicates,
                "seed": self.seed,
                "points_per_seed_group": points_per_seed_group,
            }),
            whatif: None,
        })
    }
}

/// A design value as written in `design.csv` and `outcomes.csv`.
fn render_value(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The directory the runs of an uncertainty command go to, inside its output directory.
#[must_use]
pub fn runs_dir(out: &Path) -> PathBuf {
    out.join("runs")
}

/// A table of a finished sweep (`outcomes.csv`, `series.csv`) opened to be read row by row, with
/// its header, so that a missing column or a bad value is named with the file.
pub(crate) struct RunTable {
    path: PathBuf,
    header: csv::StringRecord,
    /// The rows, after the header.
    pub(crate) reader: csv::Reader<fs::File>,
}

impl RunTable {
    /// Opens `path` and reads its header.
    ///
    /// # Errors
    /// [`Error::Output`] naming the file.
    pub(crate) fn open(path: PathBuf) -> Result<Self> {
        let bad = |message: String| Error::Output {
            path: path.clone(),
            message,
        };
        let mut reader = csv::Reader::from_path(&path).map_err(|e| bad(e.to_string()))?;
        let header = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
        Ok(Self { path, header, reader })
    }

    /// An error about this file.
    pub(crate) fn bad(&self, message: String) -> Error {
        (self.errors())(message)
    }

    /// Makes errors about this file without borrowing the table (which is read meanwhile).
    pub(crate) fn errors(&self) -> impl Fn(String) -> Error + use<> {
        let path = self.path.clone();
        move |message| Error::Output {
            path: path.clone(),
            message,
        }
    }

    /// The position of the column `name`.
    ///
    /// # Errors
    /// [`Error::Output`] when the file has no such column.
    pub(crate) fn column(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| self.bad(format!("has no column `{name}`")))
    }

    /// The number in column `c` of a record (data row `row`, counted from 0).
    ///
    /// # Errors
    /// `bad`'s error when the field is not a number.
    pub(crate) fn number(record: &csv::StringRecord, c: usize, row: usize, bad: &dyn Fn(String) -> Error) -> Result<f64> {
        record[c]
            .parse::<f64>()
            .map_err(|_| bad(format!("row {}: `{}` is not a number", row + 2, &record[c])))
    }
}

/// Outcomes of a finished sweep, `[outcome][point][replicate]`, from `dir/outcomes.csv`.
///
/// # Errors
/// [`Error::Output`] naming the file when it cannot be read, lacks a column, or does not hold
/// exactly `replicates` runs of each of `points` points.
pub fn read_responses(dir: &Path, outcomes: &[String], points: usize, replicates: u32) -> Result<Vec<Vec<Vec<f64>>>> {
    let mut table = RunTable::open(dir.join("outcomes.csv"))?;
    let point_col = table.column("point")?;
    let replicate_col = table.column("replicate")?;
    let outcome_cols: Vec<usize> = outcomes.iter().map(|o| table.column(o)).collect::<Result<_>>()?;
    let bad = table.errors();
    let reps = replicates as usize;
    let mut out = vec![vec![vec![f64::NAN; reps]; points]; outcomes.len()];
    let mut seen = vec![vec![false; reps]; points];
    for (row, record) in table.reader.records().enumerate() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let number = |c: usize| RunTable::number(&record, c, row, &bad);
        let (p, r) = (number(point_col)?, number(replicate_col)?);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked against the design below"
        )]
        let (p, r) = (p as usize, r as usize);
        if p >= points || r >= reps || seen[p][r] {
            return Err(bad(format!(
                "row {}: run of point {p}, replicate {r} is not one of this design's runs, or repeated",
                row + 2
            )));
        }
        seen[p][r] = true;
        for (o, &c) in outcome_cols.iter().enumerate() {
            out[o][p][r] = number(c)?;
        }
    }
    if let Some(p) = seen.iter().position(|s| s.iter().any(|x| !x)) {
        return Err(bad(format!("point {p} is missing runs; is the experiment complete?")));
    }
    Ok(out)
}

/// A number as written in the tables: shortest round-trip text, empty for NaN (no value).
#[must_use]
pub fn number(x: f64) -> String {
    if x.is_nan() { String::new() } else { format!("{x}") }
}

/// A table being built: the header and rows, written in one piece.
#[derive(Debug, Clone)]
pub struct TableText {
    text: String,
    rows: u64,
}

impl TableText {
    /// A table with this header.
    #[must_use]
    pub fn new(header: &[&str]) -> Self {
        Self {
            text: record_line(header),
            rows: 0,
        }
    }

    /// Appends a row.
    pub fn row<S: AsRef<str>>(&mut self, fields: &[S]) {
        self.text.push_str(&record_line(fields));
        self.rows += 1;
    }

    /// Rows so far.
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The CSV text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Writes `text` to `dir/name` whole: to a temporary name first, then renamed, so a kill never
/// leaves half a table under the final name.
///
/// # Errors
/// [`Error::Write`] naming the file.
pub fn write_whole(dir: &Path, name: &str, text: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    let partial = dir.join(format!("{name}.partial"));
    let err = |p: &Path| {
        let p = p.to_path_buf();
        move |source| Error::Write { path: p, source }
    };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(err(parent))?;
    }
    fs::write(&partial, text).map_err(err(&partial))?;
    fs::rename(&partial, &path).map_err(err(&path))?;
    Ok(path)
}

/// `path` with `a/../` and `./` removed, for reports (`docs/examples/../../scenarios/x.toml`
/// reads `scenarios/x.toml`); lexical only, so a symbolic link is not followed.
#[must_use]
pub fn tidy(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// A share as a percentage with no more digits than it deserves, for reports.
#[must_use]
pub fn percent(share: f64) -> String {
    if share.is_finite() {
        format!("{:.0} %", share * 100.0)
    } else {
        "n/a".into()
    }
}

/// A number for reports: three significant digits.
#[must_use]
pub fn short(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let digits = (2 - x.abs().log10().floor() as i32).max(0);
    let mut s = String::new();
    write!(s, "{x:.*}", usize::try_from(digits).unwrap_or(0)).expect("String");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_nan_is_empty() {
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(f64::NAN), "");
        assert_eq!(short(0.012345), "0.0123");
        assert_eq!(short(1234.4), "1234");
        assert_eq!(percent(0.256), "26 %");
    }

    #[test]
    fn tidy_paths_drop_parent_steps_they_can() {
        assert_eq!(
            tidy(Path::new("docs/examples/../../scenarios/a.toml")),
            PathBuf::from("scenarios/a.toml")
        );
        assert_eq!(tidy(Path::new("../x/./a.toml")), PathBuf::from("../x/a.toml"));
    }

    #[test]
    fn documented_ranges_fill_in_missing_ends_and_unbounded_ones_are_refused() {
        let mut e = FieldErrors::default();
        let ok = check_parameters(
            &[RawParameter {
                path: "rules.mobilisation.threshold".into(),
                min: None,
                max: None,
                integer: false,
                scale: RawScale::Linear,
            }],
            &mut e,
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!((ok[0].low, ok[0].high), (0.0, 1.0));
        let none = check_parameters(
            &[RawParameter {
                path: "rules.targeting.site_weight".into(),
                min: None,
                max: None,
                integer: false,
                scale: RawScale::Linear,
            }],
            &mut e,
        );
        assert!(none.is_empty());
        assert!(
            e.iter().any(|x| x.path == "parameter[0]" && x.message.contains("unbounded")),
            "{e:?}"
        );
    }
}
