//! Same scenario and seed: byte-identical CSV files with 1, 2 and 4 threads. A different seed
//! changes the outputs.

use std::path::Path;

use peacesim::experiment::single::{RunOptions, run_to_dir};

use crate::util;

fn run_dir(dir: &Path, name: &str, threads: usize, seed: u64) -> std::path::PathBuf {
    let mut s = util::load("tiny-conflict.toml", &["run.ticks=80"]);
    s.run.seed = seed;
    let options = RunOptions {
        out: dir.join(name),
        force: false,
        threads,
        locality_every: None,
        command: "test".into(),
        parquet: false,
    };
    run_to_dir(&s, &options, &|| false).unwrap()
}

const FILES: [&str; 4] = ["timeseries.csv", "localities.csv", "subgroups.csv", "events.csv"];

#[test]
fn same_seed_same_bytes_across_thread_counts() {
    let dir = util::temp_dir("determinism");
    let one = run_dir(&dir, "t1", 1, 11);
    for threads in [2, 4] {
        let other = run_dir(&dir, &format!("t{threads}"), threads, 11);
        for f in FILES {
            let a = std::fs::read(one.join(f)).unwrap();
            let b = std::fs::read(other.join(f)).unwrap();
            assert!(a == b, "{f} differs between 1 and {threads} threads");
        }
    }
    let events = std::fs::read_to_string(one.join("events.csv")).unwrap();
    assert!(events.lines().count() > 10, "the test scenario must produce events to compare");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_different_seed_changes_the_outputs() {
    let dir = util::temp_dir("seeds");
    let a = run_dir(&dir, "a", 2, 11);
    let b = run_dir(&dir, "b", 2, 12);
    for f in ["timeseries.csv", "events.csv"] {
        assert_ne!(std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap(), "{f}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn larger_population_is_thread_count_independent_in_memory() {
    // More than one block of people, so the parallel reduction is exercised.
    let s = util::load("baseline.toml", &["run.ticks=20"]);
    let a = util::run(&s, 5, 1);
    let b = util::run(&s, 5, 3);
    assert_eq!(a.national, b.national);
    assert_eq!(a.events, b.events);
}

#[test]
fn a_starting_caseload_of_displaced_people_is_thread_count_independent() {
    // MINUSCA starts with 594,000 displaced placed at tick 0 (`displaced_at_start_share`), a
    // share of them admitted to sites by their room: the draws and the admission must not
    // depend on the block layout or the thread count.
    let s = util::load("minusca-stabilization.toml", &["run.ticks=5"]);
    let a = util::run(&s, 7, 1);
    let b = util::run(&s, 7, 3);
    assert!(a.national[0].displaced > 500_000.0, "{}", a.national[0].displaced);
    assert_eq!(a.national, b.national);
    assert_eq!(a.events, b.events);
}
