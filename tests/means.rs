//! The mission's means (D11, docs/COSTS.md): personnel are paid first, protection money buys
//! operations that matter, and a programme's effect is bounded by the money spent on it.
//!
//! Every comparison runs the arms over the same seeds (common random numbers) on the tiny
//! scenario with the mission at full strength from its first day, so that the budget left after
//! personnel is known exactly.

use peacesim::engine::Collect;
use peacesim::mechanisms::means;
use peacesim::scenario::Scenario;

use crate::util::{self, cumulative};

const SEEDS: [u64; 4] = [1, 2, 3, 4];

/// A robust force at full strength from the first day, with civilians to implement programmes.
const FORCE: [&str; 7] = [
    "mission.troops=3000",
    "mission.police=300",
    "mission.observers=0",
    "mission.civilians=400",
    "mission.ramp_up_days=0",
    "mission.mandate=\"robust\"",
    "mission.posture_share=0.9",
];

const PROTECTION_ONLY: &str = "mission.policy.weights={protection=1,health=0,economic=0,empowerment=0}";
const ECONOMIC_ONLY: &str = "mission.policy.weights={protection=0,health=0,economic=1,empowerment=0}";
const HEALTH_ONLY: &str = "mission.policy.weights={protection=0,health=1,economic=0,empowerment=0}";

/// The force's personnel cost per day at the scenario's unit costs.
fn personnel_cost(s: &Scenario) -> f64 {
    let m = s.mission.as_ref().expect("a mission");
    means::personnel_cost(&s.rules.costs, m.troops, m.police, m.observers, m.civilians)
}

/// The tiny scenario with the force, `extra` overrides, and a budget of the personnel cost plus
/// `discretionary` US$ per day. With no discretionary money the budget is 98 % of the personnel
/// cost (98 % of the force deployed), so that the pay of peacekeepers killed later does not
/// free money for the pillars.
fn scenario(extra: &[&str], discretionary: f64) -> Scenario {
    let mut overrides: Vec<&str> = FORCE.to_vec();
    overrides.extend_from_slice(extra);
    let cost = personnel_cost(&util::load("tiny-conflict.toml", &overrides));
    let budget = if discretionary > 0.0 { cost + discretionary } else { 0.98 * cost };
    let budget = format!("mission.budget_usd_per_day={budget}");
    overrides.push(&budget);
    util::load("tiny-conflict.toml", &overrides)
}

/// Asserts that two runs are the same, naming the first tick and the fields that differ.
fn assert_same_run(a: &Collect, b: &Collect, what: &str) {
    assert_eq!(a.national.len(), b.national.len(), "{what}: run lengths");
    for (tick, (x, y)) in a.national.iter().zip(&b.national).enumerate() {
        if x != y {
            let (x, y) = (format!("{x:?}"), format!("{y:?}"));
            let differ: Vec<String> = x
                .split(", ")
                .zip(y.split(", "))
                .filter(|(f, g)| f != g)
                .map(|(f, g)| format!("{f} vs {g}"))
                .collect();
            panic!("{what}: tick {tick} differs: {}", differ.join("; "));
        }
    }
}

fn runs(s: &Scenario) -> Vec<Collect> {
    SEEDS.iter().map(|&seed| util::run(s, seed, 2)).collect()
}

fn mean(runs: &[Collect], outcome: impl Fn(&Collect) -> f64) -> f64 {
    runs.iter().map(outcome).sum::<f64>() / runs.len() as f64
}

fn one_sided_violence(c: &Collect) -> f64 {
    cumulative(c, |r| {
        r.civilian_fatalities_rebel + r.civilian_fatalities_state + r.civilian_fatalities_militia
    })
}

fn mean_food_insecure(c: &Collect) -> f64 {
    cumulative(c, |r| r.deprived_food_share) / c.national.len() as f64
}

#[test]
fn protection_money_buys_operations_that_cut_one_sided_violence() {
    let uniformed = 3300.0;
    let full_operations = means::full_operations(&scenario(&[], 0.0).rules.costs, uniformed);
    let no_money = runs(&scenario(&[PROTECTION_ONLY], 0.0));
    let money = runs(&scenario(&[PROTECTION_ONLY], full_operations));
    // What the money bought: operational tempo 0 without it and 1 with it.
    let last_tempo = |c: &Collect| c.national.last().unwrap().mission_tempo;
    assert!(no_money.iter().all(|c| last_tempo(c) == 0.0));
    assert!(money.iter().all(|c| (last_tempo(c) - 1.0).abs() < 1e-9));
    let spent: f64 = mean(&money, |c| cumulative(c, |r| r.spend_protection_usd));
    assert!(spent > 0.0 && mean(&no_money, |c| cumulative(c, |r| r.spend_protection_usd)) == 0.0);
    let (without, with) = (mean(&no_money, one_sided_violence), mean(&money, one_sided_violence));
    assert!(without > 10.0, "the scenario must be violent: {without}");
    assert!(
        with < 0.8 * without,
        "operations money must cut one-sided violence by at least 20 %: {with} with vs {without} without"
    );
}

#[test]
fn money_beyond_full_tempo_buys_no_more_protection() {
    let full_operations = means::full_operations(&scenario(&[], 0.0).rules.costs, 3300.0);
    let full = scenario(&[PROTECTION_ONLY], full_operations);
    let double = scenario(&[PROTECTION_ONLY], 2.0 * full_operations);
    for &seed in &SEEDS[..2] {
        let (mut a, mut b) = (util::run(&full, seed, 2), util::run(&double, seed, 2));
        // The money spent is the same to the cent (scaling the envelope down to what the force
        // can use rounds in the last bit); everything else must be identical.
        for r in a.national.iter_mut().chain(b.national.iter_mut()) {
            r.spend_protection_usd = (r.spend_protection_usd * 100.0).round() / 100.0;
        }
        assert_same_run(&a, &b, &format!("seed {seed}: unused protection money"));
    }
}

#[test]
fn troops_are_paid_first_and_a_budget_below_their_cost_deploys_fewer() {
    // The same budget with 3,000 more troops leaves less for health, by exactly their cost.
    let budget = "mission.budget_usd_per_day=600000";
    let small = util::load(
        "tiny-conflict.toml",
        &[&FORCE[..], &[HEALTH_ONLY, budget, "mission.troops=1000"]].concat(),
    );
    let large = util::load(
        "tiny-conflict.toml",
        &[&FORCE[..], &[HEALTH_ONLY, budget, "mission.troops=4000"]].concat(),
    );
    let (a, b) = (util::run(&small, 1, 2), util::run(&large, 1, 2));
    let tick = 10;
    let troop_cost = 3000.0 * small.rules.costs.troop_usd_per_day * small.run.tick_length_days;
    let (ra, rb) = (&a.national[tick], &b.national[tick]);
    assert!((ra.spend_personnel_usd + troop_cost - rb.spend_personnel_usd).abs() < 1e-6);
    let health_a = ra.spend_health_usd + ra.spend_protection_usd + ra.spend_economic_usd + ra.spend_empowerment_usd;
    let health_b = rb.spend_health_usd + rb.spend_protection_usd + rb.spend_economic_usd + rb.spend_empowerment_usd;
    assert!(health_b < health_a, "more troops left {health_b} for programmes vs {health_a}");
    // Half the personnel cost pays for half the personnel.
    let half = scenario(&[HEALTH_ONLY], 0.0);
    let cost = personnel_cost(&half);
    let half = util::load(
        "tiny-conflict.toml",
        &[&FORCE[..], &[HEALTH_ONLY, &format!("mission.budget_usd_per_day={}", cost / 2.0)]].concat(),
    );
    let c = util::run(&half, 1, 2);
    let r = &c.national[tick];
    assert!((r.troops_deployed - 1500.0).abs() < 1e-6, "{}", r.troops_deployed);
    assert_eq!(r.spend_health_usd, 0.0, "nothing is left for programmes");
}

#[test]
fn without_money_the_pillar_weights_change_nothing() {
    // No budget beyond personnel: an economic-only and a health-only policy buy nothing, so
    // the runs are the same bit for bit (the weights are not a free dial).
    let economic = scenario(&[ECONOMIC_ONLY], 0.0);
    let health = scenario(&[HEALTH_ONLY], 0.0);
    for &seed in &SEEDS[..2] {
        let (a, b) = (util::run(&economic, seed, 2), util::run(&health, seed, 2));
        assert_same_run(&a, &b, &format!("seed {seed}: economic-only vs health-only without money"));
    }
}

#[test]
fn a_programmes_effect_grows_with_its_money_and_is_bounded_by_it() {
    // Economic-only spending of 0, D and 4 D per day beyond personnel. The food-insecure share
    // falls with money, but four times the money buys less than four times the effect
    // (coverage 1 - exp(-spend / (people x unit cost)) and transfers shared among the poor).
    let people = f64::from(u32::try_from(util::load("tiny-conflict.toml", &[]).total_population()).unwrap());
    let d = 0.02 * people; // US$0.02 per person per day, about a QIP/CVR budget (docs/COSTS.md §4)
    let zero = runs(&scenario(&[ECONOMIC_ONLY], 0.0));
    let some = runs(&scenario(&[ECONOMIC_ONLY], d));
    let more = runs(&scenario(&[ECONOMIC_ONLY], 4.0 * d));
    let (f0, f1, f4) = (
        mean(&zero, mean_food_insecure),
        mean(&some, mean_food_insecure),
        mean(&more, mean_food_insecure),
    );
    assert!(f0 > 0.02, "the scenario must have food insecurity to reduce: {f0}");
    let (e1, e4) = (f0 - f1, f0 - f4);
    assert!(e1 > 0.0, "money must buy some effect: {f0} -> {f1}");
    assert!(e4 > e1, "more money must buy more: {e1} at D vs {e4} at 4 D");
    assert!(e4 < 4.0 * e1, "diminishing returns: {e4} at 4 D vs 4 x {e1}");
    // Bounded: programmes spend at most what the budget leaves after personnel.
    let s = scenario(&[ECONOMIC_ONLY], 4.0 * d);
    let budget = s.mission.as_ref().unwrap().budget_usd_per_day * s.run.tick_length_days;
    for c in &more {
        let mission_ticks = c.national.iter().filter(|r| r.spend_personnel_usd > 0.0).count() as f64;
        let personnel = cumulative(c, |r| r.spend_personnel_usd);
        let programmes = cumulative(c, |r| r.spend_economic_usd + r.spend_health_usd + r.spend_empowerment_usd);
        assert!(
            programmes > 0.0 && programmes <= mission_ticks * budget - personnel + 1e-6,
            "{programmes} of {}",
            mission_ticks * budget - personnel
        );
    }
}
