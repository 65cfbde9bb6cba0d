//! What a dashboard run does, once the queue gives it a slot: a what-if (both arms as paired
//! replicates) or the scenario as it is alone (an ensemble, as `peacesim run --replicates`
//! makes); then its figures, one run of each arm for the maps, and the result the page shows.
//!
//! Everything is validated by [`Work::prepare`] before a run is queued; this module must not
//! know about sessions or the queue.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde_json::{Value, json};

use super::api::{AsIsRequest, RunRequest};
use super::live::Live;
use crate::error::{Error, Result};
use crate::experiment::build::ensemble_of;
use crate::experiment::compare::mean_interval;
use crate::experiment::design::Experiment;
use crate::experiment::pool::NoProgress;
use crate::experiment::pool::{Progress, with_threads};
use crate::experiment::runner::{ExecOptions, execute};
use crate::experiment::single::{RunOptions, run_watched};
use crate::experiment::summary::OUTCOME_KEY_COLUMNS;
use crate::experiment::whatif::analysis::analyse;
use crate::experiment::whatif::render::{render_text, table};
use crate::experiment::whatif::request::{AS_IS, Prepared, WHAT_IF, dir_name, prepare, shell_word};
use crate::library::ScenarioInput;
use crate::output::Format;
use crate::output::headline::headline_for;
use crate::output::plot::{PlotOptions, plot_dir};
use crate::phases::indicators::TickRecord;
use crate::rng::Streams;
use crate::spec::ModelSpec;
use crate::stats::summarize;

/// A validated run, ready to go.
pub enum Work {
    /// The scenario as it is against the page's changes.
    WhatIf(Box<Prepared>),
    /// The scenario as it is, alone.
    AsIs(Box<AsIs>),
}

/// The scenario as it is, alone: an ensemble and the command line that makes the same one.
pub struct AsIs {
    /// The ensemble.
    pub experiment: Experiment,
    /// `peacesim run NAME --replicates N --seed S [--ticks T]`.
    pub command: String,
    /// The scenario's title.
    pub title: String,
}

/// Formats of the figures the page shows (SVG) and offers for download (PNG).
const FORMATS: [Format; 2] = [Format::Svg, Format::Png];

impl Work {
    /// Validates a request: both scenarios of a what-if, or the scenario as it is.
    ///
    /// # Errors
    /// The scenario loader's and the what-if's validation errors.
    pub fn prepare(request: &RunRequest) -> Result<Self> {
        match request {
            RunRequest::WhatIf(r) => Ok(Self::WhatIf(Box::new(prepare(r)?))),
            RunRequest::AsIs(r) => Ok(Self::AsIs(Box::new(prepare_as_is(r)?))),
        }
    }

    /// Runs in the experiment (all replicates), plus one run per arm for the maps.
    #[must_use]
    pub fn runs(&self) -> u64 {
        self.experiment().runs() + self.map_runs()
    }

    /// Name of the directory the run writes inside its job's folder.
    #[must_use]
    pub fn dir_name(&self) -> String {
        match self {
            Self::WhatIf(p) => dir_name(&p.experiment),
            Self::AsIs(a) => format!("ensemble-seed-{}-n{}", a.experiment.seed, a.experiment.replicates),
        }
    }

    fn experiment(&self) -> &Experiment {
        match self {
            Self::WhatIf(p) => &p.experiment,
            Self::AsIs(a) => &a.experiment,
        }
    }

    /// Ticks of one run (both arms of a what-if run as long).
    #[must_use]
    pub fn ticks_per_run(&self) -> u64 {
        let scenarios = &self.experiment().scenarios;
        if scenarios.is_empty() {
            0
        } else {
            u64::from(scenarios.first().ticks())
        }
    }

    /// What the history of a session lists: the kind of run, the scenario's title, replicates,
    /// seed, length, the changes (a what-if's) and the command that reproduces it.
    #[must_use]
    pub fn summary(&self, request: &RunRequest) -> Value {
        match (self, request) {
            (Self::WhatIf(p), RunRequest::WhatIf(r)) => json!({
                "mode": "what_if",
                "scenario": r.scenario.display().to_string(),
                "title": p.setup.title,
                "replicates": p.setup.replicates,
                "seed": p.seed,
                "ticks": p.setup.ticks,
                "changes": r.set,
                "command": p.setup.command,
            }),
            (Self::AsIs(a), RunRequest::AsIs(r)) => json!({
                "mode": "as_is",
                "scenario": r.scenario,
                "title": a.title,
                "replicates": a.experiment.replicates,
                "seed": a.experiment.seed,
                "ticks": self.ticks_per_run(),
                "changes": [],
                "command": a.command,
            }),
            _ => Value::Null,
        }
    }

    /// Runs beyond the experiment's: one per arm, for its map.
    #[must_use]
    pub fn map_runs(&self) -> u64 {
        match self {
            Self::WhatIf(_) => 2,
            Self::AsIs(_) => 1,
        }
    }

    /// Runs it into `dir` and builds the page's result; returns it with the files the page may
    /// download.
    ///
    /// # Errors
    /// Run, read and write errors; [`Error::Interrupted`] when `stop` was set.
    pub fn run(&self, dir: &Path, threads: usize, stop: &AtomicBool, progress: &Counter) -> Result<(Value, BTreeMap<String, PathBuf>)> {
        match self {
            Self::WhatIf(p) => run_what_if(p, dir, threads, stop, progress),
            Self::AsIs(a) => run_as_is(a, dir, threads, stop, progress),
        }
    }
}

/// Progress of a job as the page sees it: runs done of runs in all (one per arm for its map,
/// run first, then the experiment's), ticks run of ticks in all, and the live view.
pub struct Counter {
    /// Runs done.
    pub done: Arc<AtomicU64>,
    /// Runs in all.
    pub total: Arc<AtomicU64>,
    /// Runs before the experiment's: the maps' runs.
    pub extra: u64,
    /// Ticks run, over every run (a run's ticks count as they go).
    pub ticks: Arc<AtomicU64>,
    /// Ticks of one run.
    pub per_run: u64,
    /// What the page draws while the run goes.
    pub live: Arc<Live>,
    /// The run's directory (where the runner appends `series.csv.partial`).
    pub dir: PathBuf,
}

impl Counter {
    /// One more tick run.
    pub fn tick(&self) {
        self.ticks.fetch_add(1, Ordering::Relaxed);
    }
}

impl Progress for Counter {
    fn start(&self, total: u64, done: u64) {
        self.total.store(total + self.extra, Ordering::SeqCst);
        self.done.store(done + self.extra, Ordering::SeqCst);
    }
    fn advance(&self, runs: u64) {
        let done = self.done.fetch_add(runs, Ordering::SeqCst) + runs;
        self.ticks.store(done * self.per_run, Ordering::SeqCst);
        self.live.absorb(&self.dir.join("series.csv.partial"));
    }
}

/// Validates the scenario as it is, with the run length and seed asked for, as `peacesim run
/// NAME --replicates N` would.
fn prepare_as_is(r: &AsIsRequest) -> Result<AsIs> {
    let input = ScenarioInput::resolve(Path::new(&r.scenario))?;
    let mut spec = input.load(&[])?;
    spec.apply_run_overrides(r.seed, r.ticks);
    let mut command = vec![
        "peacesim".to_string(),
        "run".into(),
        input.given.clone(),
        "--replicates".into(),
        r.replicates.to_string(),
        "--seed".into(),
        spec.seed().to_string(),
    ];
    if let Some(t) = r.ticks {
        command.extend(["--ticks".to_string(), t.to_string()]);
    }
    Ok(AsIs {
        title: spec.name().to_string(),
        experiment: ensemble_of(&spec, r.replicates, spec.seed()),
        command: command.iter().map(|w| shell_word(w)).collect::<Vec<_>>().join(" "),
    })
}

/// Runs a what-if, draws its figures and one run of each arm for the maps, and builds the result.
fn run_what_if(
    prepared: &Prepared,
    dir: &Path,
    threads: usize,
    stop: &AtomicBool,
    progress: &Counter,
) -> Result<(Value, BTreeMap<String, PathBuf>)> {
    let scenarios = &prepared.experiment.scenarios;
    let spec = (!scenarios.is_empty()).then(|| scenarios.first());
    progress.live.describe(
        &[AS_IS, WHAT_IF],
        spec.and_then(|s| s.as_peacesim()),
        spec.map_or(0, ModelSpec::ticks),
        spec.map_or(1.0, ModelSpec::tick_length_days),
    );
    // The maps' runs first, one per arm, drawn on the page tick by tick while they go; then the
    // paired ensemble, whose means the page draws as its batches end.
    let mut maps = Vec::new();
    for (k, arm) in [AS_IS, WHAT_IF].iter().enumerate().take(scenarios.len()) {
        let spec = scenarios.get(k)?;
        maps.push(map_run(
            &spec,
            &prepared.experiment,
            dir,
            arm,
            k,
            threads,
            &prepared.setup.command,
            stop,
            progress,
        )?);
    }
    let stop_fn = || {
        progress.tick();
        stop.load(Ordering::SeqCst)
    };
    let report = execute(
        &prepared.experiment,
        &ExecOptions {
            out: dir.to_path_buf(),
            force: true,
            threads,
            shard: None,
            command: prepared.setup.command.clone(),
            progress,
            stop: &stop_fn,
            parquet: false,
        },
    )?;
    let analysis = analyse(&report.dir, prepared.seed, prepared.setup.model)?;
    // Series figures for the headline outcomes this scenario has (the analysis leaves out those
    // that are zero in both arms, such as civilian killings in an epidemic-only case), then M0
    // and trust, which every scenario has.
    let shown = |outcome: &str| analysis.rows.iter().any(|r| r.headline.outcome == outcome);
    plot_series(&report.dir, threads, |outcome| shown(outcome))?;
    for map in maps.into_iter().flatten() {
        place_map(&map, &report.dir, threads)?;
    }

    let files = listed_files(&report.dir)?;
    let rows: Vec<Value> = analysis
        .rows
        .iter()
        .map(|r| {
            let c = &r.change;
            json!({
                "outcome": r.headline.outcome,
                "label": r.headline.label,
                "unit": r.headline.unit,
                "as_is": finite(c.as_is.0),
                "as_is_low": finite(c.as_is.1),
                "as_is_high": finite(c.as_is.2),
                "what_if": finite(c.what_if.0),
                "what_if_low": finite(c.what_if.1),
                "what_if_high": finite(c.what_if.2),
                "difference": finite(c.paired.diff),
                "difference_low": finite(c.paired.diff_low),
                "difference_high": finite(c.paired.diff_high),
                "relative_change": finite(c.paired.rel),
                "relative_low": finite(c.paired.rel_low),
                "relative_high": finite(c.paired.rel_high),
                "verdict": c.verdict.as_str(),
            })
        })
        .collect();
    let result = json!({
        "mode": "what_if",
        "title": prepared.setup.title,
        "replicates": prepared.setup.replicates,
        "seed": prepared.seed,
        "ticks": prepared.setup.ticks,
        "report": render_text(&analysis, &prepared.setup),
        "rows": rows,
        "lines": table(&analysis),
        "command": prepared.setup.command,
        "files": files.keys().collect::<Vec<_>>(),
    });
    Ok((result, files))
}

/// Runs the scenario as it is (an ensemble), draws its figures and one run for the map, and
/// builds the result: each headline outcome's mean over the replicates of `outcomes.csv` with
/// its bootstrap 95 % interval, drawn from the streams a what-if uses for its as-is arm, so that
/// the numbers are those of the as-is column of a what-if with the same seed, replicates and
/// length.
fn run_as_is(a: &AsIs, dir: &Path, threads: usize, stop: &AtomicBool, progress: &Counter) -> Result<(Value, BTreeMap<String, PathBuf>)> {
    let first = (!a.experiment.scenarios.is_empty()).then(|| a.experiment.scenarios.first());
    progress.live.describe(
        &[AS_IS],
        first.and_then(|s| s.as_peacesim()),
        first.map_or(0, ModelSpec::ticks),
        first.map_or(1.0, ModelSpec::tick_length_days),
    );
    let map = match first {
        Some(spec) => map_run(spec, &a.experiment, dir, AS_IS, 0, threads, &a.command, stop, progress)?,
        None => None,
    };
    let stop_fn = || {
        progress.tick();
        stop.load(Ordering::SeqCst)
    };
    let report = execute(
        &a.experiment,
        &ExecOptions {
            out: dir.to_path_buf(),
            force: true,
            threads,
            shard: None,
            command: a.command.clone(),
            progress,
            stop: &stop_fn,
            parquet: false,
        },
    )?;
    if a.experiment.scenarios.is_empty() {
        return Err(Error::Usage("an ensemble without its scenario".into()));
    }
    let spec = a.experiment.scenarios.first();
    let (outcomes, values) = read_ensemble_outcomes(&report.dir.join("outcomes.csv"), a.experiment.label_columns.len())?;
    let streams = Streams::new(a.experiment.seed);
    let mut scratch = Vec::new();
    // Headline outcomes in report order; those zero in every replicate are left out, as the
    // what-if leaves out those zero in both arms.
    let rows: Vec<Value> = headline_for(spec.model_name())
        .iter()
        .filter_map(|h| {
            let k = outcomes.iter().position(|o| o == h.outcome)?;
            let values = &values[k];
            if values.iter().all(|v| *v == 0.0) {
                return None;
            }
            let (low, high) = mean_interval(&streams, values, k, 0);
            Some(json!({
                "outcome": h.outcome,
                "label": h.label,
                "unit": h.unit,
                "as_is": finite(summarize(values, &mut scratch).mean),
                "as_is_low": finite(low),
                "as_is_high": finite(high),
            }))
        })
        .collect();
    let shown = |outcome: &str| rows.iter().any(|r| r["outcome"] == outcome);
    plot_series(&report.dir, threads, |outcome| shown(outcome))?;
    if let Some(map) = map {
        place_map(&map, &report.dir, threads)?;
    }

    let files = listed_files(&report.dir)?;
    let result = json!({
        "mode": "as_is",
        "title": a.title,
        "replicates": a.experiment.replicates,
        "seed": a.experiment.seed,
        "ticks": spec.ticks(),
        "rows": rows,
        "command": a.command,
        "files": files.keys().collect::<Vec<_>>(),
    });
    Ok((result, files))
}

/// Reads an ensemble's `outcomes.csv`: the outcome names and, per outcome, the replicates'
/// values in run order. (`compare::read_outcomes` reads a comparison's, whose key columns
/// include the arm.)
fn read_ensemble_outcomes(path: &Path, label_columns: usize) -> Result<(Vec<String>, Vec<Vec<f64>>)> {
    let bad = |message: String| Error::Output {
        path: path.to_path_buf(),
        message,
    };
    let keys = OUTCOME_KEY_COLUMNS + label_columns;
    let mut reader = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let outcomes: Vec<String> = reader
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .skip(keys)
        .map(str::to_string)
        .collect();
    let mut values = vec![Vec::new(); outcomes.len()];
    for record in reader.records() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        for (column, text) in values.iter_mut().zip(record.iter().skip(keys)) {
            column.push(text.parse().map_err(|_| bad(format!("not a number: `{text}`")))?);
        }
    }
    Ok((outcomes, values))
}

/// Draws the series figures of a finished experiment: the headline outcomes `shown` has, then
/// M0 and trust, which every scenario has.
fn plot_series(dir: &Path, threads: usize, shown: impl Fn(&str) -> bool) -> Result<()> {
    let indicators = [
        ("civilian_fatalities", "civilian_fatalities_cumulative"),
        ("epidemic_deaths", "epidemic_deaths_cumulative"),
        ("peak_displaced", "displaced"),
    ]
    .into_iter()
    .filter(|(outcome, _)| shown(outcome))
    .map(|(_, series)| series.to_string())
    .chain(["af_m0".to_string(), "trust_in_mission".to_string()])
    .collect();
    let plot = PlotOptions {
        formats: FORMATS.to_vec(),
        indicators,
        ..PlotOptions::default()
    };
    with_threads(threads, || plot_dir(dir, &plot))??;
    Ok(())
}

/// One run of an arm, with the first replicate's seed, for its map and human-security panel,
/// written beside `dir` (the experiment replaces what is in `dir`) and handed tick by tick to
/// the live view as arm `k`; returns where it went (nothing for a model without maps).
#[expect(clippy::too_many_arguments, reason = "one call per arm, all of it needed")]
fn map_run(
    spec: &ModelSpec,
    experiment: &Experiment,
    dir: &Path,
    arm: &str,
    k: usize,
    threads: usize,
    command: &str,
    stop: &AtomicBool,
    progress: &Counter,
) -> Result<Option<PathBuf>> {
    let stopped = || stop.load(Ordering::SeqCst);
    if stopped() {
        return Err(Error::Interrupted("cancelled".into()));
    }
    let Some(s) = spec.as_peacesim() else {
        progress.done.fetch_add(1, Ordering::SeqCst);
        return Ok(None);
    };
    let mut s = s.clone();
    s.run.seed = experiment.seed_of(0, 0);
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let arm_dir = dir.with_file_name(format!("{name}.run-{arm}"));
    let watch = |record: &TickRecord| {
        if record.tick > 0 {
            progress.tick();
        }
        progress.live.record(k, record);
    };
    run_watched(
        &s,
        &RunOptions {
            out: arm_dir.clone(),
            force: true,
            threads,
            locality_every: None,
            command: command.to_string(),
            parquet: false,
        },
        &stopped,
        &NoProgress,
        &watch,
    )?;
    progress.done.fetch_add(1, Ordering::SeqCst);
    Ok(Some(arm_dir))
}

/// Moves an arm's run into the experiment's directory (as `run-ARM`) and draws its figures.
fn place_map(from: &Path, dir: &Path, threads: usize) -> Result<()> {
    let name = from.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let arm = name.rsplit_once(".run-").map_or("arm", |(_, a)| a);
    let arm_dir = dir.join(format!("run-{arm}"));
    std::fs::rename(from, &arm_dir).map_err(|source| Error::Write {
        path: arm_dir.clone(),
        source,
    })?;
    let arm_plot = PlotOptions {
        formats: FORMATS.to_vec(),
        indicators: vec!["af_m0".into()],
        ..PlotOptions::default()
    };
    with_threads(threads, || plot_dir(&arm_dir, &arm_plot))??;
    Ok(())
}

fn finite(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// Every file under `dir` (CSV, Markdown, SVG, PNG, the manifest), by its path relative to `dir`
/// with `/` separators: the only names the page may download.
fn listed_files(dir: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| Error::Read {
            path: d.clone(),
            source: e,
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("csv" | "md" | "svg" | "png" | "json")
            ) && let Ok(rel) = path.strip_prefix(dir)
            {
                let name = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(name, path);
            }
        }
    }
    Ok(out)
}
