//! One run of one scenario with one seed, written to a run directory.

use std::path::PathBuf;

use crate::engine::Simulation;
use crate::error::Result;
use crate::output::csv::RunWriter;
use crate::output::manifest::{Manifest, ScenarioRef};
use crate::output::{StagedDir, utc_now};
use crate::scenario::Scenario;
use crate::spec::ModelSpec;

use super::model;
use super::pool::{effective_threads, with_threads};

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
}

/// Runs a scenario (its seed and ticks as given) and writes the run directory.
///
/// The directory appears only when complete; `stop` is polled between ticks and an
/// interruption leaves nothing behind.
///
/// # Errors
/// Output errors, or [`crate::Error::Interrupted`].
pub fn run_to_dir(scenario: &Scenario, options: &RunOptions, stop: &(dyn Fn() -> bool + Sync)) -> Result<PathBuf> {
    let staged = StagedDir::create(&options.out, options.force)?;
    let started_at = utc_now();
    let every = options.locality_every.unwrap_or(scenario.run.locality_output_every_ticks);
    let files = with_threads(options.threads, || -> Result<_> {
        let mut writer = RunWriter::create(staged.path(), scenario, every)?;
        let mut sim = Simulation::new(scenario);
        sim.run(&mut writer, stop)?;
        let mut files = writer.finish()?;
        files.extend(crate::output::csv::write_network(staged.path(), scenario)?);
        Ok(files)
    })??;
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
    staged.commit()
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
        files: vec![
            crate::output::manifest::FileEntry::new("timeseries.csv", series.len() as u64),
            crate::output::manifest::FileEntry::new("outcomes.csv", 1),
        ],
        details: serde_json::json!({ "model": "epstein", "lattice": [scenario.width, scenario.height] }),
        complete: true,
    };
    manifest.write(staged.path())?;
    staged.commit()
}
