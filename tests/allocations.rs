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

/// Epstein's model: after a warm-up, ticks allocate nothing, for each preset and the defaults
/// (shared cells under `netlogo` included: the list of stacked agents keeps its capacity).
#[test]
fn epstein_ticks_after_a_warm_up_allocate_nothing() {
    use peacesim::classic::EpsteinModel;
    use peacesim::classic::scenario::EpsteinScenario;
    use peacesim::scenario::Override;
    for (name, sets) in [
        ("epstein-rebellion", vec![]),
        ("epstein-netlogo", vec![]),
        ("epstein-mesa", vec![]),
        ("epstein-netlogo", vec!["rules.preset=\"epstein-2002\""]),
        ("epstein-rebellion", vec!["rules.activation=\"synchronous\""]),
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.toml"));
        let text = std::fs::read_to_string(&path).expect("readable");
        let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).expect("an override")).collect();
        let scenario = EpsteinScenario::from_toml_str_with_overrides(&text, &path, &overrides).expect("validates");
        let mut model = EpsteinModel::new(&scenario);
        for _ in 0..200 {
            model.step();
        }
        let ticks = 300;
        let info = allocation_counter::measure(|| {
            for _ in 0..ticks {
                model.step();
            }
        });
        assert_eq!(info.count_total, 0, "{name} {sets:?}: {ticks} ticks allocated: {info:?}");
    }
}
