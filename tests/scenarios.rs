use peacesim::engine::Simulation;
use peacesim::scenario::Scenario;

use crate::util;

#[test]
fn every_shipped_scenario_validates_and_runs_a_few_ticks() {
    let mut count = 0;
    for entry in std::fs::read_dir(util::root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("model = \"epstein\"") {
            continue;
        }
        let mut s = Scenario::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
        s.run.ticks = 5;
        let mut sim = Simulation::new(&s);
        for _ in 0..5 {
            sim.step();
        }
        count += 1;
    }
    assert!(count >= 2);
}

#[test]
fn the_baseline_matches_its_description() {
    let s = util::load("baseline.toml", &[]);
    let pop = s.total_population();
    assert!((150_000..=250_000).contains(&pop), "about 200,000 people: {pop}");
    assert!(s.localities.len() >= 24, "a few dozen localities");
    assert!(s.armed_groups.iter().any(|g| g.kind == peacesim::scenario::GroupKind::State));
    assert!(s.armed_groups.len() >= 2);
    assert!(s.mission.is_some());
    assert!(!s.events.is_empty());
}

#[test]
fn the_odd_lists_every_parameter_with_its_default_and_every_indicator() {
    let odd = std::fs::read_to_string(util::root().join("docs/ODD.md")).unwrap();
    let mut missing = Vec::new();
    for p in peacesim::scenario::Rules::catalogue()
        .into_iter()
        .chain(peacesim::scenario::RawCutoffs::catalogue())
    {
        let row = format!("| `{}` | {} | {} |", p.path, p.default, p.unit);
        if !odd.contains(&row) {
            missing.push(p.path);
        }
    }
    for c in peacesim::experiment::columns::catalogue() {
        if !odd.contains(&format!("| {} | `{}` |", c.file, c.name)) {
            missing.push(format!("{}: {}", c.file, c.name));
        }
    }
    assert!(
        missing.is_empty(),
        "docs/ODD.md is out of date (run scripts/update-odd.sh to regenerate its tables): {missing:?}"
    );
}
