//! Phases 7-9 at locality and national level, applied after the people pass in locality order.
//!
//! Records the tick's violence in each locality's history, then updates markets, health
//! services, shocks, tension, cohesion, early warning, trust in the mission and the state,
//! support for armed groups, armed-group strength and resources, host consent, and the
//! withdrawal that follows when consent falls below the threshold.

use super::aggregates::{Layout, field};
use crate::model::World;
use crate::pillar::PerPillar;
use crate::scenario::Scenario;

use super::conflict::{Actor, Conflict, EventType, update_resources};
use crate::mechanisms::community;
use crate::mechanisms::legitimacy::{self, Harm};

/// Fighters of every group, in people, from the people pass's totals.
pub fn count_fighters(scenario: &Scenario, world: &mut World, totals: &[f64], layout: &Layout) {
    let ppa = scenario.population.people_per_agent;
    for (g, fighters) in world.groups.fighters.iter_mut().enumerate() {
        *fighters = layout.total(totals, layout.off_fighters + g) * ppa;
    }
}

/// Applies the locality, group and national updates for `tick`.
#[expect(clippy::too_many_lines, reason = "one pass over localities, then groups, then the nation")]
pub fn apply(scenario: &Scenario, world: &mut World, totals: &[f64], layout: &Layout, conflict: &Conflict, tick: u32) {
    let n = world.localities.len;
    let ppa = scenario.population.people_per_agent;
    let dt = scenario.run.tick_length_days;
    let r = &scenario.rules;
    let ids = layout.identities;

    // History: events and victims of this tick.
    world.localities.clear_ring_slot(tick);
    let ring_len = world.localities.ring_len;
    let slot = tick as usize % ring_len;
    #[expect(clippy::cast_precision_loss, reason = "window lengths are small integers")]
    let window = scenario.indicators.cutoffs.community_attack_window_days as f64;
    let keep = (-dt / window).exp();
    world.localities.identity_attacks_recent.iter_mut().for_each(|x| *x *= keep);
    for e in &conflict.events {
        if matches!(e.kind, EventType::Protest | EventType::ChildAbduction) {
            continue;
        }
        let l = e.locality as usize;
        world.localities.events_ring[l * ring_len + slot] += 1.0;
        if let (EventType::IdentityAttack | EventType::SiteAttack, Actor::Group(g)) = (e.kind, e.perpetrator) {
            let hostile = &scenario.armed_groups[g as usize].hostile_to;
            for (i, _) in hostile.iter().enumerate().filter(|(_, h)| **h) {
                world.localities.identity_attacks_recent[l * ids + i] += 1.0;
            }
        }
    }
    let long_run = 1.0 - (-dt / f64::from(r.displacement.return_safe_days)).exp();
    let fear_memory = 1.0 - (-dt / r.health.fear_memory_days).exp();
    for l in 0..n {
        let base = layout.base(l);
        let victims: f64 = (0..layout.slots)
            .map(|s| totals[base + layout.off_killed + s] + totals[base + layout.off_injured + s])
            .sum();
        #[expect(clippy::cast_possible_truncation, reason = "victim counts per tick fit f32 exactly up to 2^24")]
        let v = (victims * ppa) as f32;
        world.localities.victims_ring[l * ring_len + slot] = v;
        let alive = totals[base + field::ALIVE] * ppa;
        let rate = if alive > 0.0 {
            victims * ppa / alive * 10_000.0 * 30.0 / dt
        } else {
            0.0
        };
        let x = &mut world.localities.victims_long_run[l];
        *x += (rate - *x) * long_run;
        let epidemic_rate = if alive > 0.0 {
            totals[base + field::EPIDEMIC_DEATHS] * ppa / alive * 10_000.0 * 30.0 / dt
        } else {
            0.0
        };
        let y = &mut world.localities.epidemic_deaths_recent[l];
        *y += (epidemic_rate - *y) * fear_memory;
    }

    let mission = world.mission.as_ref();
    let mut engagement_weighted = 0.0;
    let mut people_total = 0.0;
    for l in 0..n {
        let base = layout.base(l);
        let alive = totals[base + field::ALIVE] * ppa;
        people_total += alive;
        let per_1000 = |agents: f64| if alive > 0.0 { agents * ppa / alive * 1000.0 } else { 0.0 };
        let mut harm = Harm {
            mission: per_1000(totals[base + layout.off_killed + layout.mission_slot()]),
            ..Harm::default()
        };
        for (g, spec) in scenario.armed_groups.iter().enumerate() {
            let k = per_1000(totals[base + layout.off_killed + g]);
            if spec.state_aligned {
                harm.state += k;
            } else {
                harm.non_state += k;
            }
        }
        let engagement = mission.map_or(0.0, |m| m.empowerment_effect[l]);
        let health_effect = mission.map_or(0.0, |m| m.health_effect[l]);
        let economic_effect = mission.map_or(0.0, |m| m.economic_effect[l]);
        let present = conflict.present[l];
        engagement_weighted += engagement * alive;
        let loc = &mut world.localities;
        let per_10k = |count: f64| if alive > 0.0 { count / alive * 10_000.0 } else { 0.0 };
        let events_per_10k = per_10k(f64::from(loc.events_ring[l * ring_len + slot]));

        // Economy: markets and health services damaged by violence, recovering; shocks fade.
        let recover = 1.0 - (-dt / r.economy.market_recovery_days).exp();
        let market_target = (loc.market_baseline[l] * (1.0 + r.economy.programme_market_boost_share * economic_effect)).min(1.0);
        loc.market[l] = (loc.market[l] + (market_target - loc.market[l]) * recover)
            * (1.0 - r.economy.violence_market_damage_share).powf(events_per_10k);
        loc.health_access[l] = (loc.health_access[l] + (loc.health_access_baseline[l] - loc.health_access[l]) * recover)
            * (1.0 - r.economy.violence_market_damage_share).powf(events_per_10k);
        let fade = (-dt / r.economy.shock_recovery_days).exp();
        loc.env_stress[l] *= fade;
        loc.price[l] = 1.0 + (loc.price[l] - 1.0) * fade;

        // Community and politics.
        let newcomers = if alive > 0.0 {
            totals[base + field::NEWCOMERS] * ppa / alive
        } else {
            0.0
        };
        loc.tension[l] = community::next_tension(
            &r.community,
            loc.tension[l],
            loc.tension_baseline[l],
            per_10k(conflict.identity_attacks[l]),
            newcomers,
            engagement,
            dt,
        );
        loc.cohesion[l] = community::next_cohesion(
            &r.community,
            loc.cohesion[l],
            loc.cohesion_baseline[l],
            loc.tension[l],
            engagement,
            dt,
        );
        loc.early_warning[l] = community::next_early_warning(&r.community, loc.early_warning[l], engagement, loc.cohesion[l], dt);

        // Legitimacy (D8).
        let services = (health_effect + economic_effect + engagement) / 3.0;
        let protection = if present { conflict.deterrence[l] } else { 0.0 };
        if mission.is_some() {
            loc.trust_in_mission[l] = legitimacy::next_trust_in_mission(
                &r.legitimacy,
                loc.trust_in_mission[l],
                loc.trust_in_mission_baseline[l],
                protection,
                present,
                services,
                &harm,
                dt,
            );
        }
        loc.trust_in_state[l] = legitimacy::next_trust_in_state(
            &r.legitimacy,
            loc.trust_in_state[l],
            loc.trust_in_state_baseline[l],
            present,
            &harm,
            dt,
        );
        loc.armed_group_support[l] = legitimacy::next_support(&r.legitimacy, loc.armed_group_support[l], &harm, dt);
    }

    // Armed groups: strength from the pass, activation, resources.
    count_fighters(scenario, world, totals, layout);
    for g in 0..world.groups.len {
        if !world.groups.active[g] && !world.groups.ceasefire[g] && tick + 1 >= scenario.armed_groups[g].active_from_tick {
            world.groups.active[g] = true;
        }
    }
    update_resources(scenario, world, &conflict.events);

    // The nation: consent and withdrawal (D8 iv).
    if let Some(m) = world.mission.as_mut() {
        m.peacekeepers_lost += conflict.peacekeeper_deaths;
        let engagement = if people_total > 0.0 {
            engagement_weighted / people_total
        } else {
            0.0
        };
        if m.started(tick) {
            m.consent = legitimacy::next_consent(
                &r.legitimacy,
                m.consent,
                conflict.prevented_state_attacks,
                conflict.offensives_on_state,
                engagement,
                dt,
            );
        }
        if m.withdrawal_ordered_tick.is_none() && m.consent < m.spec.consent_threshold {
            m.withdrawal_ordered_tick = Some(tick);
            m.replan = true;
        }
        m.spend_tick = if m.started(tick) {
            PerPillar::from_fn(|p| (0..n).map(|l| m.spend_at[l][p]).sum::<f64>() * dt)
        } else {
            PerPillar::splat(0.0)
        };
    }
}
