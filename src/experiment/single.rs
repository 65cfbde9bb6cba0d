//! One run of one scenario with one seed, written to a run directory.

use std::path::PathBuf;

use crate::engine::{Observer, Simulation};
use crate::error::Result;
use crate::output::csv::RunWriter;
use crate::output::manifest::{FileEntry, Manifest, ScenarioRef};
use crate::output::outcomes::{OutcomeObserver, Outcomes};
use crate::output::{StagedDir, utc_now};
use crate::phases::conflict::ViolentEvent;
use crate::phases::indicators::TickRecord;
use crate::scenario::Scenario;
use crate::spec::ModelSpec;

use super::model;
use super::pool::{NoProgress, Progress, effective_threads, with_threads};

/// How to run and where to write.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Final run directory.
    pub out: PathBuf,
    /// Replace an existing directory.
    pub force: bool,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Write per-locality rows every this many ticks (None = the scenario's setting).
    pub locality_every: Option<u32>,
    /// Command line, for the manifest.
    pub command: String,
    /// Also write a Parquet copy of each table ([`RUN_PARQUET_TABLES`]) when the run is done.
    pub parquet: bool,
}

/// The tables of a run that `--parquet` copies (`network.csv` and `links.csv`, a few rows each,
/// are not).
pub const RUN_PARQUET_TABLES: [&str; 5] = ["timeseries.csv", "localities.csv", "subgroups.csv", "events.csv", "groups.csv"];

/// Writes the Parquet copies of `tables` that are among `files` in `dir`, and adds their entries.
fn add_parquet(dir: &std::path::Path, tables: &[&str], files: &mut Vec<FileEntry>) -> Result<()> {
    for t in tables {
        if files.iter().any(|f| f.name == *t) {
            let (path, rows) = crate::output::columnar::write_parquet(dir, t)?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            files.push(FileEntry::new(name, rows));
        }
    }
    Ok(())
}

/// What a run did, for the summary a front end prints.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// The run directory written.
    pub dir: PathBuf,
    /// Ticks run.
    pub ticks: u32,
    /// People alive at tick 0 and at the end.
    pub people: (f64, f64),
    /// The run's outcomes (as in an ensemble's `outcomes.csv`).
    pub outcomes: Outcomes,
}

/// Runs a scenario (its seed and ticks as given) and writes the run directory.
///
/// The directory appears only when complete; `stop` is polled between ticks and an
/// interruption leaves nothing behind.
///
/// # Errors
/// Output errors, or [`crate::Error::Interrupted`].
pub fn run_to_dir(scenario: &Scenario, options: &RunOptions, stop: &(dyn Fn() -> bool + Sync)) -> Result<PathBuf> {
    run_with_summary(scenario, options, stop, &NoProgress).map(|s| s.dir)
}

/// Writes the run's files and keeps its outcomes and population, telling `progress` of each tick.
struct Watched<'a> {
    writer: RunWriter,
    outcomes: OutcomeObserver,
    people: (f64, f64),
    progress: &'a dyn Progress,
    watch: &'a (dyn Fn(&TickRecord) + Sync),
}

impl Observer for Watched<'_> {
    fn observe(&mut self, scenario: &Scenario, record: &TickRecord, events: &[ViolentEvent]) -> Result<()> {
        self.writer.observe(scenario, record, events)?;
        self.outcomes.observe(scenario, record, events)?;
        (self.watch)(record);
        if record.tick == 0 {
            self.people.0 = record.national.population;
        } else {
            self.progress.advance(1);
        }
        self.people.1 = record.national.population;
        Ok(())
    }
}

/// As [`run_to_dir`], telling `progress` of each tick (`start` with the ticks, `advance` by one
/// a tick, `finish` at the end, also when the run fails), and returns what the run did.
///
/// # Errors
/// Output errors, or [`crate::Error::Interrupted`].
pub fn run_with_summary(
    scenario: &Scenario,
    options: &RunOptions,
    stop: &(dyn Fn() -> bool + Sync),
    progress: &dyn Progress,
) -> Result<RunSummary> {
    run_watched(scenario, options, stop, progress, &|_| {})
}

/// As [`run_with_summary`], handing each tick's record (tick 0 included) to `watch` as the run
/// goes (the dashboard draws the run's series and map while it runs). What is written is the
/// same.
///
/// # Errors
/// Output errors, or [`crate::Error::Interrupted`].
pub fn run_watched(
    scenario: &Scenario,
    options: &RunOptions,
    stop: &(dyn Fn() -> bool + Sync),
    progress: &dyn Progress,
    watch: &(dyn Fn(&TickRecord) + Sync),
) -> Result<RunSummary> {
    let staged = StagedDir::create(&options.out, options.force)?;
    let started_at = utc_now();
    let every = options.locality_every.unwrap_or(scenario.run.locality_output_every_ticks);
    progress.start(u64::from(scenario.run.ticks), 0);
    let ran = with_threads(options.threads, || -> Result<_> {
        let mut watched = Watched {
            writer: RunWriter::create(staged.path(), scenario, every)?,
            outcomes: OutcomeObserver::new(false),
            people: (0.0, 0.0),
            progress,
            watch,
        };
        let mut sim = Simulation::new(scenario);
        sim.run(&mut watched, stop)?;
        let mut files = watched.writer.finish()?;
        files.extend(crate::output::csv::write_network(staged.path(), scenario)?);
        Ok((files, watched.outcomes.outcomes, watched.people))
    });
    progress.finish();
    let (mut files, outcomes, people) = ran??;
    if options.parquet {
        add_parquet(staged.path(), &RUN_PARQUET_TABLES, &mut files)?;
    }
    let manifest = Manifest {
        peacesim_version: env!("CARGO_PKG_VERSION").to_string(),
        peacesim_commit: crate::output::manifest::COMMIT.to_string(),
        kind: "run".into(),
        scenario: Some(ScenarioRef::of(&scenario.source)),
        seed: scenario.run.seed,
        ticks: scenario.run.ticks,
        threads: effective_threads(options.threads),
        command: options.command.clone(),
        started_at,
        finished_at: utc_now(),
        files,
        details: serde_json::json!({
            "people_per_agent": scenario.population.people_per_agent,
            "agents": scenario.total_agents(),
            "locality_output_every_ticks": every,
        }),
        complete: true,
    };
    manifest.write(staged.path())?;
    Ok(RunSummary {
        dir: staged.commit()?,
        ticks: scenario.run.ticks,
        people,
        outcomes,
    })
}

/// Runs an Epstein scenario (its seed and ticks as given) and writes `timeseries.csv` (tick,
/// day, seed, quiescent, active, jailed, cops, legitimacy, blue, green, kills, arrests),
/// `outcomes.csv` (one row of the run's outcomes) and `manifest.json` into the run directory.
///
/// # Errors
/// Output errors, or [`crate::Error::Interrupted`].
pub fn run_epstein_to_dir(
    scenario: &crate::classic::EpsteinScenario,
    options: &RunOptions,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<PathBuf> {
    use std::fmt::Write as _;
    let staged = StagedDir::create(&options.out, options.force)?;
    let started_at = utc_now();
    let spec = ModelSpec::Epstein(Box::new(scenario.clone()));
    let output = model::run(&spec, scenario.seed, true, stop)?;
    let mut text = String::from("tick,day,seed,");
    text.push_str(&crate::classic::EpsteinCounts::NAMES.join(","));
    text.push('\n');
    let series = output.series.as_ref().expect("series kept");
    for (t, row) in series.iter().enumerate() {
        write!(text, "{t},{t},{}", scenario.seed).expect("String");
        for v in row {
            write!(text, ",{v}").expect("String");
        }
        text.push('\n');
    }
    let ts = staged.path().join("timeseries.csv");
    std::fs::write(&ts, &text).map_err(|source| crate::Error::Write { path: ts, source })?;
    let mut out = String::from("seed,");
    out.push_str(&model::EPSTEIN_OUTCOMES.join(","));
    out.push('\n');
    write!(out, "{}", scenario.seed).expect("String");
    for v in &output.outcomes {
        write!(out, ",{v}").expect("String");
    }
    out.push('\n');
    let oc = staged.path().join("outcomes.csv");
    std::fs::write(&oc, &out).map_err(|source| crate::Error::Write { path: oc, source })?;
    let mut files = vec![
        FileEntry::new("timeseries.csv", series.len() as u64),
        FileEntry::new("outcomes.csv", 1),
    ];
    if options.parquet {
        add_parquet(staged.path(), &["timeseries.csv"], &mut files)?;
    }
    let manifest = Manifest {
        peacesim_version: env!("CARGO_PKG_VERSION").to_string(),
        peacesim_commit: crate::output::manifest::COMMIT.to_string(),
        kind: "run".into(),
        scenario: Some(ScenarioRef::of(&scenario.source)),
        seed: scenario.seed,
        ticks: scenario.ticks,
        threads: 1,
        command: options.command.clone(),
        started_at,
        finished_at: utc_now(),
        files,
        details: serde_json::json!({ "model": "epstein", "lattice": [scenario.width, scenario.height] }),
        complete: true,
    };
    manifest.write(staged.path())?;
    staged.commit()
}
