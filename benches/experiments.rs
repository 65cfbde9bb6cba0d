//! Whole runs of the shipped baseline scenario (200,000 people, 365 daily ticks): without
//! output (the engine only), writing the default outputs to a temporary directory (the output
//! overhead is the difference), and a 4-replicate ensemble through the experiment runner
//! (replicates per minute = 4 x 60 / seconds). Each timed run includes initialisation.
//!
//! Run with `cargo bench --bench experiments`; see BENCHMARKS.md.

use std::path::{Path, PathBuf};

use divan::Bencher;
use divan::counter::ItemsCount;
use peacesim::Scenario;
use peacesim::engine::{Discard, Simulation};
use peacesim::experiment::build::ensemble;
use peacesim::experiment::pool::NoProgress;
use peacesim::experiment::runner::{ExecOptions, execute};
use peacesim::experiment::single::{RunOptions, run_to_dir};

fn main() {
    divan::main();
}

fn baseline() -> Scenario {
    Scenario::from_path(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.toml"))).expect("baseline validates")
}

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("peacesim-bench-{}-{name}", std::process::id()))
}

fn person_ticks(s: &Scenario) -> u64 {
    s.total_agents() * u64::from(s.run.ticks)
}

const NEVER_STOP: fn() -> bool = || false;

/// The baseline run, all threads, no output (observer discards every tick).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn run_baseline_no_output(bencher: Bencher) {
    let s = baseline();
    bencher.counter(ItemsCount::new(person_ticks(&s))).bench_local(|| {
        let mut sim = Simulation::new(&s);
        sim.run(&mut Discard, &NEVER_STOP).expect("runs");
    });
}

/// The baseline run, all threads, writing the default outputs (`peacesim run`).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn run_baseline_with_output(bencher: Bencher) {
    let s = baseline();
    let out = scratch("run");
    let options = RunOptions {
        out: out.clone(),
        force: true,
        threads: 0,
        locality_every: None,
        command: "bench".into(),
        parquet: false,
    };
    bencher.counter(ItemsCount::new(person_ticks(&s))).bench_local(|| {
        run_to_dir(&s, &options, &NEVER_STOP).expect("runs");
    });
    std::fs::remove_dir_all(&out).ok();
}

/// A 4-replicate ensemble of the baseline through the experiment runner, all threads, written
/// to a temporary directory (`peacesim run baseline --replicates 4`).
#[divan::bench(sample_count = 2, sample_size = 1)]
fn ensemble_4_replicates(bencher: Bencher) {
    let s = baseline();
    let exp = ensemble(&s, 4, s.run.seed);
    let out = scratch("ensemble");
    bencher.counter(ItemsCount::new(4 * person_ticks(&s))).bench_local(|| {
        let opts = ExecOptions {
            out: out.clone(),
            force: true,
            threads: 0,
            shard: None,
            command: "bench".into(),
            progress: &NoProgress,
            stop: &NEVER_STOP,
            parquet: false,
        };
        execute(&exp, &opts).expect("runs");
    });
    std::fs::remove_dir_all(&out).ok();
}
