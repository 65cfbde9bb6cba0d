//! The hot path allocates nothing: once a simulation has warmed up (its buffers sized, the first
//! planning rounds done), ticks of the shipped scenarios make no heap allocation at all.
//!
//! A separate test binary, because `allocation-counter` replaces the global allocator.

use std::path::Path;

use peacesim::Scenario;
use peacesim::engine::Simulation;

#[test]
fn ticks_after_a_warm_up_allocate_nothing() {
    // One thread, run on this thread, so that the counter sees every allocation (rayon allows
    // one such pool per thread).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .use_current_thread()
        .build()
        .expect("a thread pool");
    // Scenarios with violence, sites, an epidemic, planning rounds, scheduled events and a
    // drawdown between them.
    for name in [
        "baseline",
        "tiny-conflict",
        "unmil-ebola",
        "unmiss-poc-sites",
        "monusco-backlash",
        "minusma-withdrawal",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.toml"));
        let scenario = Scenario::from_path(&path).expect("a shipped scenario validates");
        pool.install(|| {
            let mut sim = Simulation::new(&scenario);
            for _ in 0..10 {
                sim.step();
            }
            let ticks = 120;
            let info = allocation_counter::measure(|| {
                for _ in 0..ticks {
                    sim.step();
                }
            });
            assert_eq!(info.count_total, 0, "{name}: {ticks} ticks allocated: {info:?}");
        });
    }
}
