//! Epstein's Model I (generalised rebellion) from `scenarios/epstein-rebellion.toml` (NetLogo
//! defaults: citizens 70 %, cops 4 %, vision 7, sequential activation) on a 40x40, 100x100 and
//! 1000x1000 torus, one thread (the model is sequential). Each sample is one tick after ten
//! warm-up ticks; throughput is in agent-updates per second (items = the updates of one tick,
//! counted over the warm-up). Setup is outside the timed part.
//!
//! A tick's cost and its number of updates change with the state (outbursts bring more actives
//! and arrests, and jailed citizens are not updated), so single ticks are noisy and their items
//! approximate. `model_1_run` therefore times the same 50 ticks (11 to 60) from the same
//! warmed-up state in every sample, with items = the exact updates of those ticks: the
//! headline agent-updates per second.
//!
//! `model_1_run_100` does the same on the 100 x 100 lattice (ticks 201 to 1200, past the first
//! outbursts) for `epstein-rebellion` (the default switches) and `epstein-mesa` (the `mesa-3`
//! preset at Mesa's app sliders): the figure compared with Mesa per agent-update
//! (`scripts/mesa-epstein.sh compare-speed`, which measures whole-process CPU time of both).
//!
//! Run with `cargo bench --bench epstein`; see BENCHMARKS.md.

use std::path::Path;

use divan::Bencher;
use divan::counter::ItemsCount;
use peacesim::classic::epstein::EpsteinModel;
use peacesim::classic::scenario::EpsteinScenario;
use peacesim::scenario::Override;

fn main() {
    divan::main();
}

fn scenario(side: usize) -> EpsteinScenario {
    scenario_named("epstein-rebellion", side)
}

fn scenario_named(name: &str, side: usize) -> EpsteinScenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.toml"));
    let path = path.as_path();
    let text = std::fs::read_to_string(path).expect("the Epstein scenario is readable");
    let overrides = [
        Override::parse(&format!("lattice.width={side}")).expect("an override"),
        Override::parse(&format!("lattice.height={side}")).expect("an override"),
    ];
    EpsteinScenario::from_toml_str_with_overrides(&text, path, &overrides).expect("validates")
}

/// One tick of Model I, one thread, on a `side` x `side` torus.
#[divan::bench(args = [40, 100, 1000], sample_count = 20, sample_size = 1)]
fn model_1_tick(bencher: Bencher, side: usize) {
    let s = scenario(side);
    let mut model = EpsteinModel::new(&s);
    let warm_up = 10;
    for _ in 0..warm_up {
        model.step();
    }
    let per_tick = model.updates() / warm_up;
    bencher.counter(ItemsCount::new(per_tick)).bench_local(|| model.step());
}

/// Ticks timed per sample by [`model_1_run`].
const RUN_TICKS: u64 = 50;

/// Ticks 11 to 60 of the 1000 x 1000 lattice, from a clone of the same warmed-up model in every
/// sample (the clone is made outside the timed part); items = the updates of those ticks,
/// counted in a dry run of the same (deterministic) ticks.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn model_1_run(bencher: Bencher) {
    let s = scenario(1000);
    let mut warmed = EpsteinModel::new(&s);
    for _ in 0..10 {
        warmed.step();
    }
    let mut dry = warmed.clone();
    for _ in 0..RUN_TICKS {
        dry.step();
    }
    let updates = dry.updates() - warmed.updates();
    bencher
        .counter(ItemsCount::new(updates))
        .with_inputs(|| warmed.clone())
        .bench_local_values(|mut model| {
            for _ in 0..RUN_TICKS {
                model.step();
            }
            model
        });
}

/// Ticks timed per sample by [`model_1_run_100`].
const RUN_100_TICKS: u64 = 1000;

/// Ticks 201 to 1200 of the 100 x 100 lattice, from a clone of the same warmed-up model in every
/// sample; items = the updates of those ticks (a dry run of the same deterministic ticks).
#[divan::bench(args = ["epstein-rebellion", "epstein-mesa"], sample_count = 10, sample_size = 1)]
fn model_1_run_100(bencher: Bencher, name: &str) {
    let s = scenario_named(name, 100);
    let mut warmed = EpsteinModel::new(&s);
    for _ in 0..200 {
        warmed.step();
    }
    let mut dry = warmed.clone();
    for _ in 0..RUN_100_TICKS {
        dry.step();
    }
    let updates = dry.updates() - warmed.updates();
    bencher
        .counter(ItemsCount::new(updates))
        .with_inputs(|| warmed.clone())
        .bench_local_values(|mut model| {
            for _ in 0..RUN_100_TICKS {
                model.step();
            }
            model
        });
}
