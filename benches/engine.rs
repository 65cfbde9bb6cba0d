//! Engine benchmarks on the shipped baseline scenario: initialisation and one tick at 10^4,
//! 10^5 and 10^6 people, with 1 thread and with all threads. Setup happens outside the timed
//! part. Throughput is reported in person-ticks per second (items = people); divan's allocation
//! profiler reports the allocations per tick in the one-thread benches (the people pass
//! allocates nothing).
//!
//! Run with `cargo bench --bench engine`; the 10^7-person figures are opt-in
//! (`cargo bench --bench engine -- --ignored`, about 30 s here). See BENCHMARKS.md
//! for the method and results.

use std::path::Path;
use std::sync::OnceLock;

use divan::counter::ItemsCount;
use divan::{AllocProfiler, Bencher};
use peacesim::Scenario;
use peacesim::engine::Simulation;

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    divan::main();
}

/// The baseline scaled to about `people` people (populations, fighters, sites and the mission
/// scale together; scheduled events do not). `scripts/scale-baseline.py` writes the same
/// scenario as a file.
fn scaled_baseline(people: u64) -> Scenario {
    let mut s =
        Scenario::from_path(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.toml"))).expect("baseline validates");
    #[expect(clippy::cast_precision_loss, reason = "benchmark sizes are far below 2^52")]
    let f = people as f64 / s.total_population() as f64;
    for l in &mut s.localities {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "positive populations"
        )]
        let p = (l.population as f64 * f).round() as u64;
        l.population = p;
        l.agents = u32::try_from(p).expect("benchmark populations fit u32");
        if let Some(site) = &mut l.site {
            site.capacity *= f;
        }
    }
    for g in &mut s.armed_groups {
        g.fighters *= f;
    }
    if let Some(m) = &mut s.mission {
        m.troops *= f;
        m.police *= f;
        m.observers *= f;
        m.civilians *= f;
        m.budget_usd_per_day *= f;
    }
    s
}

/// A pool of `threads` workers (1 or 0 = all cores), built once per process. The one-thread
/// pool runs on the bench's own thread, so that divan's allocation profiler (which counts per
/// thread) sees the tick's allocations; rayon lets a thread join only one such pool, hence the
/// single shared instance.
fn pool(threads: usize) -> &'static rayon::ThreadPool {
    static ONE: OnceLock<rayon::ThreadPool> = OnceLock::new();
    static ALL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    let build = |n: usize| {
        let builder = rayon::ThreadPoolBuilder::new().num_threads(n);
        let builder = if n == 1 { builder.use_current_thread() } else { builder };
        builder.build().expect("a thread pool")
    };
    match threads {
        1 => ONE.get_or_init(|| build(1)),
        0 => ALL.get_or_init(|| build(0)),
        n => panic!("benches use 1 or all threads, not {n}"),
    }
}

const SIZES: [u64; 3] = [10_000, 100_000, 1_000_000];

fn init_at(bencher: Bencher, people: u64) {
    let s = scaled_baseline(people);
    let pool = pool(0);
    bencher
        .counter(ItemsCount::new(s.total_agents()))
        .bench_local(|| pool.install(|| Simulation::new(&s)));
}

/// Building the initial world (people, fighters, first measurement), all threads.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn init(bencher: Bencher, people: u64) {
    init_at(bencher, people);
}

/// Building the initial world of 10^7 people (opt-in: `-- --ignored`).
#[divan::bench(ignore, sample_count = 3, sample_size = 1)]
fn init_10m(bencher: Bencher) {
    init_at(bencher, 10_000_000);
}

fn step(bencher: Bencher, people: u64, threads: usize) {
    let s = scaled_baseline(people);
    let pool = pool(threads);
    let mut sim = pool.install(|| {
        let mut sim = Simulation::new(&s);
        // Warm up past the first planning round so that every phase is active.
        for _ in 0..10 {
            sim.step();
        }
        sim
    });
    bencher
        .counter(ItemsCount::new(s.total_agents()))
        .bench_local(|| pool.install(|| sim.step()));
}

/// One tick of the main model, one thread.
#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn tick_1_thread(bencher: Bencher, people: u64) {
    step(bencher, people, 1);
}

/// One tick of the main model, all threads.
#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn tick_all_threads(bencher: Bencher, people: u64) {
    step(bencher, people, 0);
}

/// One tick of 10^7 people, 1 thread and all threads (opt-in: `-- --ignored`).
#[divan::bench(ignore, args = [1, 0], sample_count = 5, sample_size = 1)]
fn tick_10m(bencher: Bencher, threads: usize) {
    step(bencher, 10_000_000, threads);
}
