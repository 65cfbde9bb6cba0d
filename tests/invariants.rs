//! Invariants of every output: finite numbers, shares in [0, 1], counts never negative, people
//! conserved (alive plus cumulative deaths equals the initial population plus births before the tick).

use peacesim::engine::Collect;
use peacesim::phases::indicators::{Indicators, LocalityIndicators};
use proptest::prelude::*;

use crate::util;

fn is_share(name: &str) -> bool {
    name.ends_with("_share")
        || name.starts_with("af_")
        || name.starts_with("contribution_")
        || name.starts_with("trust_")
        || matches!(
            name,
            "host_consent"
                | "tension"
                | "early_warning_coverage"
                | "early_warning"
                | "health_access"
                | "market"
                | "cohesion"
                | "deterrence"
                | "mission_tempo"
                | "perceived_insecurity"
                | "armed_group_support"
        )
}

/// Checks every invariant on a run; returns a description of the first violation.
fn check(c: &Collect) -> Result<(), String> {
    let initial = c.national[0].population;
    let (mut dead, mut born) = (0.0, 0.0);
    for (t, r) in c.national.iter().enumerate() {
        let mut values = Vec::new();
        r.push_values(&mut values);
        for (name, v) in Indicators::NAMES.iter().zip(&values) {
            if !v.is_finite() {
                return Err(format!("tick {t}: {name} = {v}"));
            }
            // Excess mortality is negative when fewer die than the background rate.
            if *v < 0.0 && *name != "excess_mortality_per_10k_day" {
                return Err(format!("tick {t}: {name} is negative ({v})"));
            }
            if is_share(name) && *v > 1.0 + 1e-9 {
                return Err(format!("tick {t}: {name} = {v} is not a share"));
            }
        }
        dead += r.deaths;
        if (r.population + dead - initial - born).abs() > 1e-6 {
            return Err(format!(
                "tick {t}: people not conserved: {} alive + {dead} dead != {initial} + {born} born",
                r.population
            ));
        }
        if r.births_unplaced != 0.0 {
            return Err(format!("tick {t}: {} births found no reserved row", r.births_unplaced));
        }
        // Newborns are counted in the population from the tick after their birth.
        born += r.births;
        let parts = r.displaced_host + r.in_sites;
        if (parts - r.displaced).abs() > 1e-6 || r.displaced > r.population + 1e-6 {
            return Err(format!("tick {t}: displacement does not add up"));
        }
        for g in &c.groups[t].fighters {
            if *g < 0.0 || !g.is_finite() {
                return Err(format!("tick {t}: fighters {g}"));
            }
        }
    }
    for (t, locs) in c.localities.iter().enumerate() {
        let total: f64 = locs.iter().map(|l| l.population).sum();
        if (total - c.national[t].population).abs() > 1e-6 {
            return Err(format!("tick {t}: locality populations do not add up to the national total"));
        }
        for l in locs {
            let mut values = Vec::new();
            l.push_values(&mut values);
            for (name, v) in LocalityIndicators::NAMES.iter().zip(&values) {
                if !v.is_finite() || *v < 0.0 || (is_share(name) && *v > 1.0 + 1e-9) {
                    return Err(format!("tick {t}: locality {name} = {v}"));
                }
            }
        }
    }
    for (t, e) in &c.events {
        for v in [
            e.fatalities,
            e.injuries,
            e.fighter_fatalities,
            e.peacekeeper_fatalities,
            e.sexual_violence,
            e.abductions,
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(format!("tick {t}: event {e:?}"));
            }
        }
    }
    Ok(())
}

#[test]
fn invariants_hold_on_the_shipped_scenarios() {
    let tiny = util::load("tiny-conflict.toml", &[]);
    check(&util::run(&tiny, 3, 2)).unwrap();
    let base = util::load("baseline.toml", &["run.ticks=60"]);
    check(&util::run(&base, 3, 2)).unwrap();
}

#[test]
fn every_death_in_the_outputs_belongs_to_an_event() {
    let tiny = util::load("tiny-conflict.toml", &[]);
    let c = util::run(&tiny, 4, 2);
    for (t, r) in c.national.iter().enumerate() {
        let violent = util::civilian_fatalities(r);
        let in_events: f64 = c.events.iter().filter(|(tt, _)| *tt as usize == t).map(|(_, e)| e.fatalities).sum();
        assert!(
            (violent - in_events).abs() < 1e-6,
            "tick {t}: {violent} civilian deaths, {in_events} in events"
        );
        let fighters: f64 = c
            .events
            .iter()
            .filter(|(tt, _)| *tt as usize == t)
            .map(|(_, e)| e.fighter_fatalities)
            .sum();
        assert!((r.fighter_deaths - fighters).abs() < 1e-6, "tick {t}: fighter deaths");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn invariants_hold_for_random_valid_scenarios(
        seed in 0u64..10_000,
        troops in 0u32..4000,
        police in 0u32..400,
        protection in 0.0f64..1.0,
        health in 0.0f64..1.0,
        attack_rate in 0.0f64..0.3,
        people_per_agent in 1u32..4,
        mandate in prop::sample::select(vec!["observer", "traditional", "robust"]),
        allocation in prop::sample::select(vec!["top_down", "bottom_up", "blend"]),
        budget in 0u32..500_000,
    ) {
        let rest = (1.0 - protection) * (1.0 - health);
        let health_w = (1.0 - protection) * health;
        let mut overrides = vec![
            format!("mission.troops={troops}"),
            format!("mission.police={police}"),
            format!("mission.budget_usd_per_day={budget}"),
            format!("mission.mandate=\"{mandate}\""),
            format!("mission.policy.allocation=\"{allocation}\""),
            format!("armed_groups[1].attack_rate_per_100_fighters_day={attack_rate}"),
            format!("population.people_per_agent={people_per_agent}"),
            "run.ticks=50".to_string(),
        ];
        // Under bottom-up, communities set the split: weights there are refused.
        if allocation != "bottom_up" {
            overrides.push(format!(
                "mission.policy.weights={{protection={protection}, health={health_w}, economic={}, empowerment={}}}",
                rest / 2.0,
                rest / 2.0
            ));
        }
        let refs: Vec<&str> = overrides.iter().map(String::as_str).collect();
        let s = util::load("tiny-conflict.toml", &refs);
        let c = util::run(&s, seed, 2);
        prop_assert!(check(&c).is_ok(), "{:?}", check(&c));
    }
}
