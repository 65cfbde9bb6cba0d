//! Births (end of phase 9): each home locality's women of childbearing age give birth at the
//! rate that makes the starting crude birth rate the scenario's
//! (`rules.health.birth_rate_per_10k_day`, see `context::measure_demography`).
//!
//! A locality's births are a Poisson count in agents, drawn from its own stream, so the
//! expected births do not depend on how many people an agent stands for nor on the other
//! localities. Each birth picks a living mother of childbearing age at random among the
//! locality's people and fills the locality's next reserved row: the newborn shares the
//! mother's identity group, location, displacement status, food security, perceived insecurity
//! and grievance; sex, livelihood, risk aversion and voice are drawn as at initialisation.

use crate::model::World;
use crate::model::people::{NEVER, age, health};
use crate::rng::{Phase, Streams, normal, poisson, uniform};
use crate::scenario::Scenario;

use super::aggregates::{Layout, field};

/// Tries per birth to find a mother among a locality's rows before the birth is given up (a
/// locality whose women have died or left has almost none).
const MOTHER_TRIES: u32 = 64;

/// Adds the tick's births; `births_per_woman_day` is `Context::births_per_woman_day`.
pub fn births(
    scenario: &Scenario,
    world: &mut World,
    totals: &[f64],
    layout: &Layout,
    streams: &Streams,
    births_per_woman_day: f64,
    tick: u32,
) {
    let dt = scenario.run.tick_length_days;
    let pop = &scenario.population;
    let people = &mut world.people;
    people.born_last_tick = 0;
    if births_per_woman_day <= 0.0 {
        return;
    }
    for l in 0..layout.localities {
        let women = totals[layout.base(l) + field::WOMEN_BY_HOME];
        if women <= 0.0 {
            continue;
        }
        let mut rng = streams.at(Phase::Births, l as u64, tick);
        let count = poisson(&mut rng, women * births_per_woman_day * dt);
        let start = people.home_offsets[l];
        let reserve_end = people.home_offsets[l + 1];
        for _ in 0..count {
            let row = people.next_unborn[l];
            if row >= reserve_end {
                people.births_unplaced += 1;
                continue;
            }
            if row == start {
                break;
            }
            // A living woman of childbearing age, by rejection among the born rows.
            let span = f64::from(row - start);
            let mut mother = None;
            for _ in 0..MOTHER_TRIES {
                #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "an index within the born rows")]
                let id = start + ((uniform(&mut rng) * span) as u32).min(row - start - 1);
                let (b, j) = people.locate(id);
                let blk = &people.blocks[b];
                if health::is_alive(blk.health[j]) && blk.female[j] == 1 && (blk.age_band[j] == age::YOUTH || blk.age_band[j] == age::ADULT)
                {
                    mother = Some((b, j));
                    break;
                }
            }
            let Some((mb, mj)) = mother else {
                continue;
            };
            let u_sex = uniform(&mut rng);
            let z = normal(&mut rng);
            let u_risk = uniform(&mut rng);
            let m = &people.blocks[mb];
            let inherited = (
                m.identity[mj],
                m.location[mj],
                m.displacement[mj],
                m.food_security[mj],
                m.insecurity[mj],
                m.grievance[mj],
            );
            let spec = &scenario.localities[l];
            let (b, j) = people.locate(row);
            let child = &mut people.blocks[b];
            let (identity, location, displaced, food, insecurity, grievance) = inherited;
            child.identity[j] = identity;
            child.location[j] = location;
            child.displacement[j] = displaced;
            child.food_security[j] = food;
            child.insecurity[j] = insecurity;
            child.grievance[j] = grievance;
            child.age_band[j] = age::CHILD;
            child.female[j] = u8::from(u_sex < pop.female_share);
            #[expect(clippy::cast_possible_truncation, reason = "f32 precision is enough for state variables")]
            {
                child.livelihood[j] = (spec.livelihood_median * (pop.livelihood_sigma * z).exp()) as f32;
                child.risk_aversion[j] = u_risk as f32;
                child.voice[j] = super::person::personal_voice(super::person::personal_traits(row as usize), spec.political_voice) as f32;
            }
            child.income[j] = 0.0;
            child.health[j] = health::SUSCEPTIBLE;
            child.condition[j] = 0;
            child.victimised_tick[j] = NEVER;
            child.detained_until[j] = NEVER;
            child.membership[j] = 0;
            people.next_unborn[l] = row + 1;
            people.born_last_tick += 1;
        }
    }
}
