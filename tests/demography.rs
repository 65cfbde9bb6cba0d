//! Background mortality at the scenario's sourced rate, and excess mortality against it (issue 24).

use peacesim::engine::Collect;

use crate::util::{self, civilian_fatalities};

const SEEDS: [u64; 4] = [1, 2, 3, 4];

/// Background deaths per 10,000 people per day over a run: all deaths less epidemic, violent
/// civilian and fighter deaths.
fn background_rate(c: &Collect, dt: f64) -> f64 {
    let (mut deaths, mut person_days) = (0.0, 0.0);
    for r in &c.national[1..] {
        deaths += r.deaths - r.epidemic_deaths - civilian_fatalities(r) - r.fighter_deaths;
        person_days += r.population * dt;
    }
    deaths / person_days * 10_000.0
}

#[test]
fn the_starting_population_dies_at_the_scenarios_background_rate() {
    // The baseline's first 60 days (before its drought, epidemic and surge), 200,000 people, one
    // agent each: about 1,400 background deaths over four seeds, so the rate is known to about
    // 3 %. Before the rate was normalised, stacked multipliers gave about twice the source's.
    let s = util::load("baseline.toml", &["run.ticks=60"]);
    let target = s.rules.health.baseline_mortality_per_10k_day;
    let rate: f64 = SEEDS
        .iter()
        .map(|&seed| background_rate(&util::run(&s, seed, 2), s.run.tick_length_days))
        .sum::<f64>()
        / SEEDS.len() as f64;
    assert!(
        (rate / target - 1.0).abs() < 0.10,
        "background deaths {rate:.3} per 10,000 per day against the scenario's {target} (tolerance 10 %)"
    );
}

#[test]
fn excess_mortality_is_the_crude_rate_above_the_background_and_an_epidemic_raises_it() {
    let s = util::load("tiny-epidemic.toml", &[]);
    let c = util::run(&s, 1, 2);
    let base = s.rules.health.baseline_mortality_per_10k_day;
    for r in &c.national {
        assert!((r.excess_mortality_per_10k_day - (r.crude_mortality_per_10k_day - base)).abs() < 1e-12);
    }
    let peak_excess = c.national.iter().map(|r| r.excess_mortality_per_10k_day).fold(f64::MIN, f64::max);
    assert!(
        peak_excess > 1.0,
        "an epidemic must push mortality above the background: peak excess {peak_excess}"
    );
}
