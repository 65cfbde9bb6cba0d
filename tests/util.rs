use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex, OnceLock};

use peacesim::engine::{Collect, Simulation};
use peacesim::phases::indicators::Indicators;
use peacesim::scenario::{Override, Scenario};

/// Seeds of the mission ensembles (tests/missions.rs and tests/targets.rs share the runs).
pub const MISSION_SEEDS: [u64; 6] = [1, 2, 3, 4, 5, 6];

/// The ensemble of a shipped scenario as it is (no overrides) over [`MISSION_SEEDS`], run once
/// per test binary and shared by every test that asks for it: the mission patterns and the
/// targets read the same runs, so the suite pays for each ensemble once.
pub fn mission_ensemble(name: &str) -> Arc<Vec<Collect>> {
    /// One slot per scenario name, filled by the first test that asks.
    type Slot = Arc<OnceLock<Arc<Vec<Collect>>>>;
    static CACHE: OnceLock<Mutex<BTreeMap<String, Slot>>> = OnceLock::new();
    let cell = {
        let mut map = CACHE
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(map.entry(name.to_string()).or_default())
    };
    // Outside the map's lock: other scenarios' ensembles run meanwhile; a second test asking for
    // this one waits here for the first.
    Arc::clone(cell.get_or_init(|| {
        let s = load(name, &[]);
        Arc::new(MISSION_SEEDS.iter().map(|&seed| run(&s, seed, 2)).collect())
    }))
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn scenario_path(name: &str) -> PathBuf {
    root().join("scenarios").join(name)
}

/// Loads a shipped scenario with `PATH=VALUE` overrides. `run.ticks=N` is applied after
/// validation, like `peacesim run --ticks`, so a shorter run simply skips later events.
pub fn load(name: &str, overrides: &[&str]) -> Scenario {
    let ticks: Option<u32> = overrides
        .iter()
        .find_map(|s| s.strip_prefix("run.ticks="))
        .map(|t| t.parse().unwrap());
    let o: Vec<Override> = overrides
        .iter()
        .filter(|s| !s.starts_with("run.ticks="))
        .map(|s| Override::parse(s).unwrap())
        .collect();
    let mut s = Scenario::from_path_with_overrides(&scenario_path(name), &o).unwrap_or_else(|e| panic!("{e}"));
    peacesim::spec::apply_run_overrides(&mut s, None, ticks);
    s
}

/// Runs a scenario to its end with a seed, on `threads` threads, keeping locality records.
pub fn run(scenario: &Scenario, seed: u64, threads: usize) -> Collect {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let mut sim = Simulation::with_seed(scenario, seed);
        let mut c = Collect {
            keep_localities: true,
            ..Collect::default()
        };
        sim.run(&mut c, &|| false).unwrap();
        c
    })
}

/// Mean over seeds of a scalar outcome of a run.
pub fn mean_over_seeds(scenario: &Scenario, seeds: &[u64], outcome: impl Fn(&Collect) -> f64) -> f64 {
    let total: f64 = seeds.iter().map(|&s| outcome(&run(scenario, s, 2))).sum();
    total / seeds.len() as f64
}

/// Sum over ticks of a national indicator.
pub fn cumulative(c: &Collect, f: impl Fn(&Indicators) -> f64) -> f64 {
    c.national.iter().map(f).sum()
}

/// Civilians killed in a tick by every perpetrator, crossfire included (the `civilian_fatalities`
/// outcome's sum).
pub fn civilian_fatalities(i: &Indicators) -> f64 {
    i.civilian_fatalities_rebel
        + i.civilian_fatalities_militia
        + i.civilian_fatalities_state
        + i.civilian_fatalities_mission
        + i.civilian_fatalities_crossfire
}

/// A fresh temporary directory for a test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("peacesim-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Path of the built binary.
pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_peacesim"))
}

/// Runs the built binary with `args` in `cwd` and waits for it.
pub fn peacesim(args: &[&str], cwd: &Path) -> Output {
    Command::new(bin()).args(args).current_dir(cwd).output().unwrap()
}

/// Writes `text` to a file in `dir` and returns its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}
