//! Builds the read-only per-tick context of the people pass from the world and last tick's aggregates.
//!
//! Everything a person needs about their locality is computed here once per locality per tick:
//! services, safety, force of infection, security presence for the arrest rule, recruiting pull,
//! flight destinations and site admission. Buffers are reused across ticks.

use crate::engine::accum::{Layout, field};
use crate::model::World;
use crate::model::people::NEVER;
use crate::scenario::Scenario;

use super::conflict::Conflict;
use super::health as epi;
use super::mobilisation::{arrest_chance, smoothing};
use super::person::{Context, LocalityContext, cutoffs};
use super::planning::days_to_ticks;
use super::{displacement as flight, recruitment};

/// Allocates a context for a scenario (buffers sized once; reused every tick).
#[must_use]
pub fn new_context(scenario: &Scenario, layout: Layout) -> Context {
    let n = scenario.localities.len();
    let ids = scenario.identity_groups.len();
    let groups = scenario.armed_groups.len();
    let dt = scenario.run.tick_length_days;
    let r = &scenario.rules;
    let row = 1 + 2 * layout.slots;
    let ticks = |days: f64| u32::try_from(days_to_ticks(days, dt)).unwrap_or(u32::MAX);
    let w = &scenario.indicators.cutoffs;
    let mut recruits_from = vec![false; groups * ids];
    for (g, spec) in scenario.armed_groups.iter().enumerate() {
        for i in 0..ids {
            recruits_from[g * ids + i] = spec.recruits_from[i];
        }
    }
    let max_options = n * (2 * (crate::model::locality::MAX_NEARBY + 1));
    #[expect(clippy::cast_precision_loss, reason = "window lengths are small integers")]
    let window = |days: i64| ticks(days as f64);
    Context {
        tick: 0,
        dt,
        people_per_agent: scenario.population.people_per_agent,
        rules: scenario.rules.clone(),
        indicators: scenario.indicators,
        cutoffs: cutoffs(&scenario.indicators),
        personal_window: window(w.personal_victimisation_window_days),
        political_window: window(w.political_detention_window_days),
        localities: vec![LocalityContext::default(); n],
        hazard: vec![0.0; n * ids * row],
        hazard_site: vec![0.0; n * ids * row],
        fighter_hazard: vec![0.0; n * groups],
        recruit_pull: vec![0.0; n * groups],
        abduction: vec![0.0; n * groups],
        recruits_from,
        pay: vec![0.0; groups],
        identity_attacked: vec![false; n * ids],
        identity_threat: vec![1.0; n * ids],
        destinations: super::person::Destinations {
            offsets: Vec::with_capacity(n + 1),
            locality: Vec::with_capacity(max_options),
            site: Vec::with_capacity(max_options),
            cumulative: Vec::with_capacity(max_options),
        },
        exit_exposed: epi::stage_exit_probability(r.health.incubation_days, dt),
        exit_infectious: epi::stage_exit_probability(r.health.infectious_days, dt),
        injury_recovery: epi::stage_exit_probability(r.health.injury_recovery_days, dt),
        food_alpha: smoothing(dt, r.economy.food_smoothing_days),
        insecurity_alpha: smoothing(dt, r.community.insecurity_smoothing_days),
        grievance_alpha: smoothing(dt, r.mobilisation.grievance_memory_days),
        detention_max_ticks: ticks(f64::from(r.mobilisation.detention_max_days)),
        derived: super::person::Derived::default(),
        layout,
    }
}

/// Fills the per-locality context for `tick` from the world and the last pass's totals.
#[expect(clippy::too_many_lines, reason = "one block per mechanism's per-locality inputs")]
pub fn prepare(ctx: &mut Context, scenario: &Scenario, world: &World, totals: &[f64], conflict: &Conflict, tick: u32) {
    ctx.tick = tick;
    let lay = ctx.layout.clone();
    let n = world.localities.len;
    let ids = lay.identities;
    let groups = lay.groups;
    let ppa = scenario.population.people_per_agent;
    let dt = scenario.run.tick_length_days;
    let r = &scenario.rules;
    let loc = &world.localities;
    let mission = world.mission.as_ref();
    let last = tick.saturating_sub(1);
    let month = days_to_ticks(30.0, dt);
    let conflict_memory = days_to_ticks(f64::from(r.displacement.conflict_memory_days), dt);
    let lag_min = days_to_ticks(f64::from(r.health.conflict_lag_min_days), dt).min(loc.ring_len - 1);
    let lag_max = days_to_ticks(f64::from(r.health.conflict_lag_max_days), dt).min(loc.ring_len - 1);
    let community_window = days_to_ticks(
        #[expect(clippy::cast_precision_loss, reason = "window lengths are small integers")]
        {
            scenario.indicators.cutoffs.community_attack_window_days as f64
        },
        dt,
    );

    // Group pay.
    for g in 0..groups {
        ctx.pay[g] = recruitment::pay_factor(
            world.groups.resources_usd[g],
            world.groups.fighters[g],
            r.recruitment.pay_reference_usd_per_fighter,
        );
    }

    // National epidemic death rate, population-weighted, for the fear that changes behaviour.
    let mut national_epidemic_deaths = 0.0;
    let mut people = 0.0;
    for l in 0..n {
        let alive = totals[lay.base(l) + field::ALIVE];
        national_epidemic_deaths += alive * loc.epidemic_deaths_recent[l];
        people += alive;
    }
    if people > 0.0 {
        national_epidemic_deaths /= people;
    }

    for l in 0..n {
        let base = lay.base(l);
        let alive = totals[base + field::ALIVE] * ppa;
        let since_violence = if loc.last_violence_tick[l] == NEVER {
            usize::MAX
        } else {
            (tick - loc.last_violence_tick[l]) as usize
        };
        // People read violence at its current intensity: the last week scaled to 30 days, or the
        // last 30 days, whichever is higher (a sudden massacre is felt at once).
        let victims_month = loc.ring_sum(&loc.victims_ring, l, last, 0, month - 1);
        let week = days_to_ticks(7.0, dt);
        let victims_week = loc.ring_sum(&loc.victims_ring, l, last, 0, week - 1);
        #[expect(clippy::cast_precision_loss, reason = "tick counts are small")]
        let victims = victims_month.max(victims_week * month as f64 / week as f64);
        let victims_per_10k = if alive > 0.0 { victims / alive * 10_000.0 } else { 0.0 };
        let engagement = mission.map_or(0.0, |m| m.empowerment_effect[l]);
        let health_effect = mission.map_or(0.0, |m| m.health_effect[l]);
        let economic_effect = mission.map_or(0.0, |m| m.economic_effect[l]);
        let health_access = loc.health_access[l] + r.mission.health_access_boost_share * health_effect * (1.0 - loc.health_access[l]);
        let market = loc.market[l];
        let trust_m = loc.trust_in_mission[l];

        // Health (D10).
        let infectious = totals[base + field::INFECTIOUS];
        let prevalence = if alive > 0.0 { infectious * ppa / alive } else { 0.0 };
        let mut neighbour_prevalence = 0.0;
        let mut links = 0.0;
        for (k, _) in world.graph.links_of(l) {
            let a = totals[lay.base(k) + field::ALIVE];
            if a > 0.0 {
                neighbour_prevalence += totals[lay.base(k) + field::INFECTIOUS] / a;
                links += 1.0;
            }
        }
        if links > 0.0 {
            neighbour_prevalence /= links;
        }
        let recent_events = loc.ring_sum(&loc.events_ring, l, last, lag_min.saturating_sub(1), lag_max.saturating_sub(1));
        let amplified = if alive > 0.0 {
            epi::conflict_exposure(&r.health, recent_events / alive * 100_000.0)
        } else {
            0.0
        };
        let feared_deaths = (1.0 - r.health.fear_national_weight_share) * loc.epidemic_deaths_recent[l]
            + r.health.fear_national_weight_share * national_epidemic_deaths;
        let interventions = epi::interventions(&r.health, health_effect, engagement, feared_deaths);
        let beta = epi::effective_beta(&r.health, amplified, &interventions);
        let foi = epi::force_of_infection(beta, prevalence, neighbour_prevalence, r.health.neighbour_mixing_share);
        let in_site = totals[base + field::IN_SITE] * ppa;
        let occupancy = if loc.site_capacity[l] > 0.0 {
            in_site / loc.site_capacity[l]
        } else {
            0.0
        };

        // Security presence for the arrest rule (D1): mission troops and police, state-aligned fighters.
        let mut state_security = 0.0;
        for (g, spec) in scenario.armed_groups.iter().enumerate() {
            if spec.state_aligned {
                state_security += totals[base + lay.off_fighters + g] * ppa;
            }
        }
        // Unarmed observers do not arrest anyone: under an observer mandate the mission adds no security.
        let mission_security = mission.map_or(0.0, |m| {
            if m.mandate == crate::scenario::Mandate::Observer {
                0.0
            } else {
                m.troops_at[l] + m.police_at[l]
            }
        });
        let security = r.mobilisation.security_weight * (state_security + mission_security);
        let mobilised = totals[base + field::MOBILISED] * ppa;

        // Sites (D7).
        // Applicants this tick are at most the displaced people already here times the largest
        // daily seeking chance, so admission by room over that bound cannot overfill the site.
        let pool = totals[base + field::DISPLACED] * ppa * (r.displacement.site_seek_rate_per_day * dt).min(1.0);
        let room = (loc.site_capacity[l] - in_site).max(0.0);
        let site_admission = if !loc.has_site(l) || room <= 0.0 {
            0.0
        } else if pool > room {
            room / pool
        } else {
            1.0
        };

        let support = r.economy.programme_income_support * economic_effect;
        let services = health_access + market;
        let site_services = loc.site_services[l];
        ctx.localities[l] = super::person::LocalityContext {
            conflict_zone: since_violence < conflict_memory,
            home_safe: loc.victims_long_run[l] < r.displacement.return_safe_victims_per_10k_30d,
            services,
            services_displaced: health_access + market * (1.0 - r.economy.displacement_income_loss_share),
            services_site: health_access.max(site_services) + site_services,
            victims_per_10k_30d: victims_per_10k,
            violence_level: 1.0 - (-victims_per_10k / r.community.insecurity_violence_scale).exp(),
            reassurance: conflict.deterrence[l] * trust_m,
            market,
            price: loc.price[l],
            env_stress: loc.env_stress[l],
            rural: loc.rural[l],
            support,
            health_access,
            site_health_access: health_access.max(site_services),
            force_of_infection: foi,
            force_of_infection_site: foi * epi::crowding(&r.health, occupancy),
            case_fatality: epi::case_fatality(&r.health, interventions.isolation),
            security,
            mobilised,
            arrest_chance: arrest_chance(state_security, mobilised, r.mobilisation.arrests_per_security_per_day, dt),
            trust_in_state: loc.trust_in_state[l],
            has_site: loc.has_site(l),
            site_admission,
            engagement,
            voice_baseline: loc.voice_baseline[l],
            tension: loc.tension[l],
            lootable: loc.lootable[l],
            armed_group_support: loc.armed_group_support[l],
            recruit_pull: 0.0,
            abduction: 0.0,
        };

        // Identity attacks within the community window.
        for i in 0..ids {
            let t = loc.last_identity_attack_tick[l * ids + i];
            ctx.identity_attacked[l * ids + i] = t != NEVER && ((tick - t) as usize) < community_window;
        }
    }

    // Recruiting pull and child abduction (D2): groups recruit where they are present and, more
    // weakly, within reach of where they are present.
    let min_presence = r.targeting.min_presence_fighters;
    for g in 0..groups {
        let spec = &scenario.armed_groups[g];
        let active = world.groups.active[g];
        for l in 0..n {
            ctx.recruit_pull[l * groups + g] = 0.0;
            ctx.abduction[l * groups + g] = 0.0;
        }
        if !active {
            continue;
        }
        for l in 0..n {
            let here = totals[lay.base(l) + lay.off_fighters + g] * ppa;
            if here < min_presence.max(ppa * 0.5) {
                continue;
            }
            ctx.recruit_pull[l * groups + g] = 1.0;
            for (k, d) in world.graph.nearby_of(l) {
                if d <= spec.reach_km && ctx.recruit_pull[k * groups + g] < 0.3 {
                    ctx.recruit_pull[k * groups + g] = 0.3;
                }
            }
            let children = totals[lay.base(l) + field::CHILDREN] * ppa;
            if spec.child_recruitment_per_1000_fighters_day > 0.0 && children > 0.0 {
                let expected = spec.child_recruitment_per_1000_fighters_day * here / 1000.0 * dt;
                ctx.abduction[l * groups + g] = (1.0 - (-expected / children).exp()).min(1.0);
            }
        }
    }
    for l in 0..n {
        let mut pull = 0.0;
        let mut abduction = 0.0;
        for g in 0..groups {
            pull += ctx.recruit_pull[l * groups + g];
            abduction += ctx.abduction[l * groups + g];
        }
        ctx.localities[l].recruit_pull = pull;
        ctx.localities[l].abduction = abduction.min(1.0);
    }

    // Flight destinations (D7): nearby localities and protection sites, weighted by distance,
    // safety and room.
    let d = &mut ctx.destinations;
    d.offsets.clear();
    d.locality.clear();
    d.site.clear();
    d.cumulative.clear();
    d.offsets.push(0);
    for l in 0..n {
        let start = d.locality.len();
        let mut total = 0.0;
        let mut push = |dest: usize, site: bool, w: f64, d: &mut super::person::Destinations| {
            if w > 0.0 {
                total += w;
                #[expect(clippy::cast_possible_truncation, reason = "locality counts are capped")]
                d.locality.push(dest as u32);
                d.site.push(site);
                d.cumulative.push(total);
            }
        };
        let room_share = |k: usize| {
            if loc.site_capacity[k] <= 0.0 {
                0.0
            } else {
                ((loc.site_capacity[k] - totals[lay.base(k) + field::IN_SITE] * ppa) / loc.site_capacity[k]).clamp(0.0, 1.0)
            }
        };
        let safety = |k: usize| flight::safety(ctx.localities[k].victims_per_10k_30d, r.community.insecurity_violence_scale);
        if loc.has_site(l) {
            let site_safety = 1.0 - 0.5 * (1.0 - conflict.site_deterrence[l]) * (1.0 - safety(l));
            push(
                l,
                true,
                flight::destination_weight(&r.displacement, 0.0, site_safety, true, room_share(l), false),
                d,
            );
        }
        for (k, dist) in world.graph.nearby_of(l) {
            if dist > r.displacement.max_flee_km {
                continue;
            }
            let zone = ctx.localities[k].conflict_zone;
            push(
                k,
                false,
                flight::destination_weight(&r.displacement, dist, safety(k), false, 0.0, zone),
                d,
            );
            if loc.has_site(k) {
                let site_safety = 1.0 - 0.5 * (1.0 - conflict.site_deterrence[k]) * (1.0 - safety(k));
                push(
                    k,
                    true,
                    flight::destination_weight(&r.displacement, dist, site_safety, true, room_share(k), zone),
                    d,
                );
            }
        }
        if total > 0.0 {
            for c in &mut d.cumulative[start..] {
                *c /= total;
            }
        }
        #[expect(clippy::cast_possible_truncation, reason = "bounded by localities x options")]
        d.offsets.push(d.locality.len() as u32);
    }
}
