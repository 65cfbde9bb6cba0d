//! Builds the initial world from a validated scenario.
//!
//! People are created block by block in parallel; every person's attributes come from the
//! RNG chunk that contains them, so the population is the same whatever the thread count.
//! Identity groups are assigned in proportion to each locality's composition; age, sex,
//! livelihood (log-normal), risk aversion (uniform, Epstein's R), voice and chronic illness are
//! drawn. Initial fighters are drawn from eligible youth and adults (men first) in the groups'
//! presence localities.

use rand::Rng;
use rayon::prelude::*;

use crate::model::people::{NEVER, condition, displacement, health};
use crate::model::{ArmedGroups, Graph, Localities, Mission, People, PeopleBlock, World};
use crate::scenario::Scenario;

use crate::phases::aggregates::Layout;
use crate::rng::{PERSON_CHUNK, Phase, Streams, normal, shuffle, uniform};

/// Rows per block of people: at least four RNG chunks, and enough people that the block's
/// accumulator costs at most 16 bytes per person. Depends on the scenario only.
#[must_use]
pub fn block_len(layout: &Layout) -> usize {
    let bytes = layout.len * 8;
    let rows = (bytes / 16).max(4 * PERSON_CHUNK);
    rows.div_ceil(PERSON_CHUNK) * PERSON_CHUNK
}

/// Creates the initial world.
#[must_use]
pub fn build_world(scenario: &Scenario, layout: &Layout, streams: &Streams) -> World {
    let n_loc = scenario.localities.len();
    let mut home_offsets = Vec::with_capacity(n_loc + 1);
    let mut next_unborn = Vec::with_capacity(n_loc);
    home_offsets.push(0u32);
    for l in &scenario.localities {
        let last = *home_offsets.last().expect("starts with 0");
        next_unborn.push(last + l.agents);
        home_offsets.push(last + l.agents + birth_reserve(l.agents, scenario));
    }
    let total = *home_offsets.last().expect("has an entry") as usize;
    let block = block_len(layout);
    let n_blocks = total.div_ceil(block);
    let blocks: Vec<PeopleBlock> = (0..n_blocks)
        .into_par_iter()
        .map(|b| {
            let first = b * block;
            let len = block.min(total - first);
            #[expect(clippy::cast_possible_truncation, reason = "agents are capped below u32::MAX")]
            let mut blk = PeopleBlock::zeroed(first as u32, len);
            fill_block(&mut blk, scenario, &home_offsets, &next_unborn, streams);
            blk
        })
        .collect();
    let mut people = People {
        blocks,
        block_len: block,
        len: total,
        home_offsets,
        next_unborn,
        born_last_tick: 0,
        births_unplaced: 0,
    };
    assign_fighters(&mut people, scenario, streams);
    World {
        tick: 0,
        people,
        localities: Localities::build(scenario),
        graph: Graph::build(scenario),
        groups: ArmedGroups::build(scenario),
        mission: Mission::build(scenario),
    }
}

/// Rows reserved for the births of a locality of `agents` people over the run: the expected
/// births if the population grew at the scenario's birth rate with no deaths, times a quarter
/// more for local differences in the number of women, plus five standard deviations and eight
/// rows. The reserve never exceeds twice the starting rows (a population may triple); births
/// beyond it are counted as unplaced (`World::births_unplaced`), never silently dropped.
#[must_use]
pub fn birth_reserve(agents: u32, scenario: &Scenario) -> u32 {
    let rate = scenario.rules.health.birth_rate_per_10k_day / 10_000.0;
    if rate <= 0.0 || agents == 0 {
        return 0;
    }
    let days = f64::from(scenario.run.ticks) * scenario.run.tick_length_days;
    let expected = f64::from(agents) * ((1.25 * rate * days).exp() - 1.0);
    let reserve = (expected + 5.0 * expected.sqrt() + 8.0).ceil().min(2.0 * f64::from(agents));
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "at most twice a u32 agent count, validated far below u32::MAX"
    )]
    let rows = reserve as u32;
    rows
}

fn fill_block(blk: &mut PeopleBlock, scenario: &Scenario, home_offsets: &[u32], next_unborn: &[u32], streams: &Streams) {
    let pop = &scenario.population;
    let first = blk.first_id as usize;
    let mut home = home_offsets.partition_point(|&o| o as usize <= first).saturating_sub(1);
    let ages = pop.age_band_shares;
    let chronic_share = scenario.rules.health.chronic_illness_share;
    let insecurity = scenario.rules.community.insecurity_baseline;
    let mut start = 0;
    while start < blk.len() {
        let chunk = (first + start) / PERSON_CHUNK;
        let end = blk.len().min(start + PERSON_CHUNK);
        let mut rng = streams.at(Phase::Init, chunk as u64, 0);
        for j in start..end {
            let id = first + j;
            while home_offsets[home + 1] as usize <= id {
                home += 1;
            }
            #[expect(clippy::cast_possible_truncation, reason = "locality counts are capped")]
            let home_u = home as u32;
            if id >= next_unborn[home] as usize {
                // A row reserved for a birth (filled by `phases::demography`); it draws nothing.
                blk.home[j] = home_u;
                blk.location[j] = home_u;
                blk.health[j] = health::UNBORN;
                blk.victimised_tick[j] = NEVER;
                blk.detained_until[j] = NEVER;
                continue;
            }
            let spec = &scenario.localities[home];
            let k = id - home_offsets[home] as usize;
            let n = spec.agents as usize;
            #[expect(clippy::cast_precision_loss, reason = "agent counts are far below 2^52")]
            let position = (k as f64 + 0.5) / n as f64;
            let mut cum = 0.0;
            let mut identity = spec.composition.len() - 1;
            for (i, s) in spec.composition.iter().enumerate() {
                cum += s;
                if position < cum {
                    identity = i;
                    break;
                }
            }
            // Fixed number of draws per person keeps everyone's attributes stable if one changes.
            let u_age = uniform(&mut rng);
            let u_sex = uniform(&mut rng);
            let z = normal(&mut rng);
            let u_risk = uniform(&mut rng);
            let _u_voice = uniform(&mut rng);
            let u_chronic = uniform(&mut rng);
            let _spare = rng.next_u32();
            let mut band = 3u8;
            let mut acc = 0.0;
            for (b, s) in ages.iter().enumerate() {
                acc += s;
                if u_age < acc {
                    #[expect(clippy::cast_possible_truncation, reason = "four bands")]
                    let bb = b as u8;
                    band = bb;
                    break;
                }
            }
            blk.home[j] = home_u;
            blk.location[j] = home_u;
            #[expect(clippy::cast_possible_truncation, reason = "identity groups are capped")]
            let ident = identity as u8;
            blk.identity[j] = ident;
            blk.age_band[j] = band;
            blk.female[j] = u8::from(u_sex < pop.female_share);
            #[expect(clippy::cast_possible_truncation, reason = "f32 precision is enough for state variables")]
            {
                blk.livelihood[j] = (spec.livelihood_median * (pop.livelihood_sigma * z).exp()) as f32;
                blk.risk_aversion[j] = u_risk as f32;
                blk.voice[j] =
                    crate::phases::person::personal_voice(crate::phases::person::personal_traits(id), spec.political_voice) as f32;
                blk.insecurity[j] = insecurity as f32;
            }
            blk.health[j] = health::SUSCEPTIBLE;
            blk.condition[j] = if u_chronic < chronic_share { condition::CHRONIC } else { 0 };
            blk.victimised_tick[j] = NEVER;
            blk.detained_until[j] = NEVER;
            blk.displacement[j] = displacement::HOME;
            blk.food_security[j] = 1.0;
            blk.membership[j] = 0;
        }
        start = end;
    }
    blk.check();
}

/// Draws each group's initial fighters from eligible people in its presence localities.
fn assign_fighters(people: &mut People, scenario: &Scenario, streams: &Streams) {
    let ppa = scenario.population.people_per_agent;
    let n_loc = scenario.localities.len();
    for (g, spec) in scenario.armed_groups.iter().enumerate() {
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "validated counts")]
        let wanted = (spec.fighters / ppa).round() as usize;
        if wanted == 0 || spec.presence.is_empty() {
            continue;
        }
        // Initial fighters come from the identity groups it recruits from; a group that recruits
        // from none (foreign forces, or one that only abducts) starts with fighters of any group.
        let drawn_from: Vec<bool> = if spec.recruits_from.iter().any(|&r| r) {
            spec.recruits_from.clone()
        } else {
            vec![true; spec.recruits_from.len()]
        };
        // Quotas per presence locality, proportional to eligible residents (largest remainder).
        let eligible: Vec<f64> = spec
            .presence
            .iter()
            .map(|&l| {
                let loc = &scenario.localities[l as usize];
                let recruitable: f64 = loc.composition.iter().zip(&drawn_from).filter(|(_, r)| **r).map(|(s, _)| s).sum();
                f64::from(loc.agents) * recruitable
            })
            .collect();
        let total: f64 = eligible.iter().sum();
        if total <= 0.0 {
            continue;
        }
        #[expect(clippy::cast_precision_loss, reason = "agent counts are far below 2^52")]
        let raw: Vec<f64> = eligible.iter().map(|e| e / total * wanted as f64).collect();
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "non-negative quotas")]
        let mut quota: Vec<usize> = raw.iter().map(|x| x.floor() as usize).collect();
        let mut short = wanted - quota.iter().sum::<usize>();
        let mut order: Vec<usize> = (0..raw.len()).collect();
        order.sort_by(|&a, &b| (raw[b] - raw[b].floor()).total_cmp(&(raw[a] - raw[a].floor())).then(a.cmp(&b)));
        for &i in &order {
            if short == 0 {
                break;
            }
            quota[i] += 1;
            short -= 1;
        }
        #[expect(clippy::cast_possible_truncation, reason = "groups are capped at 254")]
        let member = (g + 1) as u8;
        for (p, &l) in spec.presence.iter().enumerate() {
            let l = l as usize;
            let (start, end) = (people.home_offsets[l], people.home_offsets[l + 1]);
            let mut rng = streams.at(Phase::Init, (1 << 40) + (g * n_loc + l) as u64, 1);
            let mut candidates: Vec<u32> = (start..end).collect();
            // A random order, then men before women (stable).
            shuffle(&mut candidates, &mut rng);
            let is_eligible = |people: &People, id: u32| {
                let (b, j) = people.locate(id);
                let blk = &people.blocks[b];
                blk.membership[j] == 0
                    && (blk.age_band[j] == crate::model::people::age::YOUTH || blk.age_band[j] == crate::model::people::age::ADULT)
                    && drawn_from[usize::from(blk.identity[j])]
            };
            let mut left = quota[p];
            for pass_female in [0u8, 1u8] {
                for &id in &candidates {
                    if left == 0 {
                        break;
                    }
                    let (b, j) = people.locate(id);
                    if people.blocks[b].female[j] == pass_female && is_eligible(people, id) {
                        people.blocks[b].membership[j] = member;
                        left -= 1;
                    }
                }
            }
        }
    }
}
