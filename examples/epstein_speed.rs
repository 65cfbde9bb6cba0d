//! Runs an Epstein scenario for a number of ticks without writing outputs and prints the
//! agent-updates performed, as one JSON line: the peacesim side of the whole-process CPU-time
//! comparison with Mesa (`scripts/mesa-epstein.sh compare-speed`, BENCHMARKS.md). An
//! agent-update is a cop's turn or a free citizen's turn (one that moves and decides); a jailed
//! citizen's turn is not one, on either side.
//!
//!     cargo build --release --example epstein_speed
//!     target/release/examples/epstein_speed scenarios/epstein-mesa.toml --ticks 2000 [--set PATH=VALUE ...]

use std::path::Path;

use peacesim::classic::EpsteinModel;
use peacesim::classic::scenario::EpsteinScenario;
use peacesim::scenario::Override;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((path, rest)) = args.split_first() else {
        panic!("usage: epstein_speed SCENARIO --ticks N [--set PATH=VALUE ...]");
    };
    let mut ticks = None;
    let mut overrides = Vec::new();
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--ticks" => ticks = Some(value.parse::<u32>().expect("--ticks N")),
            "--set" => overrides.push(Override::parse(value).unwrap_or_else(|e| panic!("{e}"))),
            _ => panic!("unknown option {flag}"),
        }
    }
    let text = std::fs::read_to_string(path).expect("the scenario is readable");
    let scenario = EpsteinScenario::from_toml_str_with_overrides(&text, Path::new(path), &overrides).unwrap_or_else(|e| panic!("{e}"));
    let mut model = EpsteinModel::new(&scenario);
    let ticks = ticks.unwrap_or(scenario.ticks);
    for _ in 0..ticks {
        model.step();
    }
    let c = model.counts();
    #[expect(clippy::print_stdout, reason = "the example's output")]
    {
        println!(
            "{{\"ticks\": {ticks}, \"updates\": {}, \"active\": {}, \"jailed\": {}}}",
            model.updates(),
            c.active,
            c.jailed
        );
    }
}
