//! Phase 1: scheduled events (shocks, political decisions, group surges and splits, mandate changes).
//!
//! Events are applied at the start of their tick, in file order among events of the same tick.
//! Events that pick people (epidemic seeding, surges, splits) draw from streams keyed by the
//! event's position in the schedule, so adding an event never changes another's draws.

use crate::model::World;
use crate::model::mission::DrawdownPlan;
use crate::model::people::{age, health};
use crate::rng::{Phase, Streams, uniform};
use crate::scenario::{EventKind, Scenario};

use super::aggregates::Layout;

/// Applies every event scheduled for `tick`.
pub fn apply_scheduled(scenario: &Scenario, world: &mut World, streams: &Streams, tick: u32) {
    let ppa = scenario.population.people_per_agent;
    for (index, event) in scenario.events.iter().enumerate() {
        if event.tick != tick {
            continue;
        }
        let mut rng = streams.at(Phase::Events, index as u64, tick);
        match &event.kind {
            EventKind::EpidemicSeed { locality, cases } => {
                let wanted = agents_for(*cases, ppa, &mut rng);
                pick_people(world, *locality as usize, wanted, &mut rng, |p, b, j| {
                    if p.blocks[b].health[j] == health::SUSCEPTIBLE {
                        p.blocks[b].health[j] = health::EXPOSED;
                        true
                    } else {
                        false
                    }
                });
            }
            EventKind::Drought { localities, severity } => {
                for &l in localities {
                    let e = &mut world.localities.env_stress[l as usize];
                    *e = e.max(*severity);
                }
            }
            EventKind::PriceShock { localities, multiplier } => {
                for &l in localities {
                    world.localities.price[l as usize] *= multiplier;
                }
            }
            EventKind::ConsentWithdrawal { consent } => {
                if let Some(m) = world.mission.as_mut() {
                    m.consent = *consent;
                }
            }
            EventKind::Coup {
                state_trust_drop,
                consent_drop,
                state_predation_increase,
            } => {
                for t in &mut world.localities.trust_in_state {
                    *t *= 1.0 - state_trust_drop;
                }
                for t in &mut world.localities.trust_in_state_baseline {
                    *t *= 1.0 - state_trust_drop;
                }
                if let Some(m) = world.mission.as_mut() {
                    m.consent = (m.consent - consent_drop).max(0.0);
                }
                for (g, spec) in scenario.armed_groups.iter().enumerate() {
                    if spec.state_aligned {
                        world.groups.predation[g] = (world.groups.predation[g] + state_predation_increase).min(1.0);
                    }
                }
            }
            EventKind::BudgetCut { budget_share } => {
                if let Some(m) = world.mission.as_mut() {
                    m.budget_usd_per_day *= budget_share;
                    m.replan = true;
                }
            }
            EventKind::Drawdown {
                personnel_share,
                over_days,
            } => {
                if let Some(m) = world.mission.as_mut() {
                    let from = m.authorised;
                    m.drawdown = Some(DrawdownPlan {
                        start_tick: tick,
                        from,
                        to: from.map(|x| x * personnel_share),
                        over_days: *over_days,
                    });
                    m.replan = true;
                }
            }
            EventKind::ArmedGroupSurge { group, fighters, locality } => {
                let g = *group as usize;
                let spec = &scenario.armed_groups[g];
                let wanted = agents_for(*fighters, ppa, &mut rng);
                #[expect(clippy::cast_possible_truncation, reason = "groups are capped at 254")]
                let member = (g + 1) as u8;
                pick_people(world, *locality as usize, wanted, &mut rng, |p, b, j| {
                    let blk = &mut p.blocks[b];
                    let eligible = health::is_alive(blk.health[j])
                        && blk.membership[j] == 0
                        && (blk.age_band[j] == age::YOUTH || blk.age_band[j] == age::ADULT)
                        && spec.recruits_from[usize::from(blk.identity[j])];
                    if eligible {
                        blk.membership[j] = member;
                    }
                    eligible
                });
                world.groups.active[g] = true;
                world.groups.base_fighters[g] += *fighters;
            }
            EventKind::ArmedGroupSplit { group, new_group, share } => {
                #[expect(clippy::cast_possible_truncation, reason = "groups are capped at 254")]
                let (from, to) = ((*group + 1) as u8, (*new_group + 1) as u8);
                for block in &mut world.people.blocks {
                    for j in 0..block.len() {
                        if block.membership[j] == from && health::is_alive(block.health[j]) && uniform(&mut rng) < *share {
                            block.membership[j] = to;
                        }
                    }
                }
                world.groups.active[*new_group as usize] = true;
                let base_moved = world.groups.base_fighters[*group as usize] * share;
                world.groups.base_fighters[*group as usize] -= base_moved;
                world.groups.base_fighters[*new_group as usize] += base_moved;
                let moved = world.groups.resources_usd[*group as usize] * share;
                world.groups.resources_usd[*group as usize] -= moved;
                world.groups.resources_usd[*new_group as usize] += moved;
            }
            EventKind::Ceasefire { groups } => {
                for &g in groups {
                    world.groups.active[g as usize] = false;
                    if !world.groups.ceasefire[g as usize] {
                        world.groups.ceasefire_since[g as usize] = tick;
                    }
                    world.groups.ceasefire[g as usize] = true;
                }
            }
            EventKind::SiteCapacity { locality, capacity } => {
                // Destinations, admission and guards read the capacity afresh every tick.
                world.localities.site_capacity[*locality as usize] = *capacity;
            }
            EventKind::MandateChange {
                weights,
                allocation,
                blend_share,
                mandate,
                posture,
            } => {
                if let Some(m) = world.mission.as_mut() {
                    if let Some(w) = weights {
                        m.policy.weights = Some(*w);
                    }
                    if let Some(a) = allocation {
                        m.policy.allocation = *a;
                    }
                    if let Some(b) = blend_share {
                        m.policy.blend_share = *b;
                    }
                    if let Some(md) = mandate {
                        m.mandate = *md;
                    }
                    if let Some(p) = posture {
                        m.posture = *p;
                    }
                    m.replan = true;
                }
            }
        }
    }
}

/// How many agents stand for `people` people at `ppa` people per agent.
///
/// When `people` is not a whole number of agents, the remainder becomes one more agent with
/// probability equal to the fraction left over, so the expected number of people picked is
/// `people` at every agent scale. Rounding up to one agent (as before) made a 10-case epidemic
/// seed 50 cases at 50 people per agent, and results changed with the scale. The draw is only
/// taken when there is a remainder, so whole multiples keep their streams unchanged.
fn agents_for<R: rand::Rng>(people: f64, ppa: f64, rng: &mut R) -> u64 {
    let exact = people / ppa;
    let whole = exact.floor();
    let remainder = exact - whole;
    let extra = if remainder > 1e-9 && uniform(rng) < remainder { 1.0 } else { 0.0 };
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "validated non-negative counts")]
    let n = (whole + extra) as u64;
    n
}

/// Picks up to `wanted` people whose home is `locality`, at random, keeping those `accept` takes.
fn pick_people<R: rand::Rng>(
    world: &mut World,
    locality: usize,
    wanted: u64,
    rng: &mut R,
    mut accept: impl FnMut(&mut crate::model::People, usize, usize) -> bool,
) {
    let (start, end) = (
        world.people.home_offsets[locality] as u64,
        world.people.home_offsets[locality + 1] as u64,
    );
    if end <= start {
        return;
    }
    let span = end - start;
    let mut taken = 0;
    let mut attempts = 0;
    while taken < wanted && attempts < 20 * wanted + 100 {
        attempts += 1;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "an index within a locality's range"
        )]
        let id = start + ((uniform(rng) * span as f64) as u64).min(span - 1);
        #[expect(clippy::cast_possible_truncation, reason = "person ids fit u32")]
        let (b, j) = world.people.locate(id as u32);
        if accept(&mut world.people, b, j) {
            taken += 1;
        }
    }
}

/// Ceasefires that break down this tick: each group under a ceasefire resumes fighting with a
/// hazard that falls as peace lasts (`rules.battles.ceasefire_breakdown_per_year`, decaying over
/// `ceasefire_hazard_decay_days`) and that mission deterrence where its fighters are cuts, as
/// much as the group is sensitive to deterrence (its `deterrence_sensitivity`, D3). The mission's
/// effect on peace duration is therefore not a parameter: it comes from the deterrence its
/// deployed, funded troops exert (`deterrence`, per locality, as of the last tick).
pub fn ceasefire_breakdowns(
    scenario: &Scenario,
    world: &mut World,
    totals: &[f64],
    layout: &Layout,
    deterrence: &[f64],
    streams: &Streams,
    tick: u32,
) {
    let battles = &scenario.rules.battles;
    let dt = scenario.run.tick_length_days;
    world.groups.breakdowns_last_tick = 0;
    if battles.ceasefire_breakdown_per_year <= 0.0 {
        return;
    }
    for g in 0..world.groups.len {
        if !world.groups.ceasefire[g] {
            continue;
        }
        let (mut fighters, mut deterred) = (0.0, 0.0);
        for l in 0..layout.localities {
            let f = totals[layout.base(l) + layout.off_fighters + g];
            fighters += f;
            deterred += f * deterrence[l];
        }
        let mean_deterrence = if fighters > 0.0 { deterred / fighters } else { 0.0 };
        let at_peace_days = f64::from(tick.saturating_sub(world.groups.ceasefire_since[g])) * dt;
        let hazard = battles.ceasefire_breakdown_per_year / 365.0
            * (-at_peace_days / battles.ceasefire_hazard_decay_days).exp()
            * (1.0 - scenario.armed_groups[g].deterrence_sensitivity * mean_deterrence).clamp(0.0, 1.0);
        let mut rng = streams.at(Phase::Events, CEASEFIRE_STREAMS + g as u64, tick);
        if uniform(&mut rng) < 1.0 - (-hazard * dt).exp() {
            world.groups.ceasefire[g] = false;
            world.groups.active[g] = true;
            world.groups.breakdowns_last_tick += 1;
        }
    }
}

/// First stream of the ceasefire draws, beyond any event's index.
const CEASEFIRE_STREAMS: u64 = 1 << 40;

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::agents_for;

    #[test]
    fn whole_multiples_take_no_draw_and_are_exact() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let before = rng.clone();
        assert_eq!(agents_for(600.0, 100.0, &mut rng), 6);
        assert_eq!(agents_for(20.0, 1.0, &mut rng), 20);
        assert_eq!(rng, before, "a whole multiple must not consume a draw");
    }

    #[test]
    fn a_seed_smaller_than_an_agent_seeds_its_expected_share_of_people() {
        // 10 cases at 50 people per agent: one agent (50 people) in a fifth of runs, so 10
        // people on average, not 50 in every run as rounding up to one agent gave.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let draws = 20_000;
        let people: u64 = (0..draws).map(|_| agents_for(10.0, 50.0, &mut rng) * 50).sum();
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        let mean = people as f64 / f64::from(draws);
        assert!((mean - 10.0).abs() < 0.4, "mean people seeded {mean}, expected 10");
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let fighters: u64 = (0..draws).map(|_| agents_for(1_250.0, 100.0, &mut rng) * 100).sum();
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        let mean = fighters as f64 / f64::from(draws);
        assert!((mean - 1_250.0).abs() < 5.0, "mean fighters {mean}, expected 1,250");
    }
}
