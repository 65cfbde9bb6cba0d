//! Builds the read-only per-tick context of the people pass from the world and last tick's aggregates.
//!
//! Everything a person needs about their locality is computed here once per locality per tick:
//! services, safety, force of infection, security presence for the arrest rule, recruiting pull,
//! flight destinations and site admission. Buffers are reused across ticks.

use crate::mechanisms::deprivation::{self, Cutoffs};
use crate::mechanisms::health as epi;
use crate::mechanisms::mobilisation::{self, arrest_chance, smoothing};
use crate::mechanisms::{community, displacement as flight, economy, recruitment};
use crate::model::World;
use crate::model::people::age;
use crate::pillar::PerPillar;
use crate::scenario::params::Rules;
use crate::scenario::{IndicatorSettings, Scenario};

use super::aggregates::{Layout, class, field};
use super::days_to_ticks;

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
        attack_flight: vec![0.0; n * ids],
        fighter_hazard: vec![0.0; n * groups],
        recruit_pull: vec![0.0; n * groups],
        abduction: vec![0.0; n * groups],
        enlist: vec![0.0; n * groups],
        recruits_from,
        pay: vec![0.0; groups],
        identity_attacked: vec![false; n * ids],
        identity_attack_count: vec![0.0; n * ids],
        group_people: vec![0.0; n * ids],
        recent_victims: vec![0.0; n],
        expected_victims: vec![0.0; n],
        fear_threat: vec![1.0; n * ids],
        residents: vec![0.0; n],
        identity_threat: vec![1.0; n * ids],
        destinations: Destinations {
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
        mean_mortality_risk: 1.0,
        births_per_woman_day: 0.0,
        ageing: [0.0; 4],
        detention_max_ticks: ticks(f64::from(r.mobilisation.detention_max_days)),
        derived: Derived::default(),
        layout,
    }
}

/// Fills the per-locality context for `tick` from the world and the last pass's totals.
#[expect(clippy::too_many_lines, reason = "one block per mechanism's per-locality inputs")]
#[expect(clippy::needless_range_loop, reason = "the locality index reads a dozen per-locality tables")]
///
/// `deterrence` and `site_deterrence` are the conflict phase's deterrence per locality and
/// around each protection site, 0 to 1 (`Conflict::prepare`).
pub fn prepare(
    ctx: &mut Context,
    scenario: &Scenario,
    world: &World,
    totals: &[f64],
    deterrence: &[f64],
    site_deterrence: &[f64],
    tick: u32,
) {
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
    let conflict_memory = days_to_ticks(f64::from(r.displacement.conflict_memory_days), dt).min(loc.ring_len - 1);
    let lag_min = days_to_ticks(f64::from(r.health.conflict_lag_min_days), dt).min(loc.ring_len - 1);
    let lag_max = days_to_ticks(f64::from(r.health.conflict_lag_max_days), dt).min(loc.ring_len - 1);

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
        // Violent events within the conflict memory, per 10,000 residents: a conflict zone.
        let recent_events = loc.ring_sum(&loc.events_ring, l, last, 0, conflict_memory - 1);
        let conflict_zone =
            alive > 0.0 && recent_events / alive * 10_000.0 >= r.displacement.conflict_zone_events_per_10k && recent_events > 0.0;
        // People read violence at its current intensity: the last week scaled to 30 days, or the
        // last 30 days, whichever is higher (a sudden massacre is felt at once).
        let victims_month = loc.ring_sum(&loc.victims_ring, l, last, 0, month - 1);
        let week = days_to_ticks(7.0, dt);
        let victims_week = loc.ring_sum(&loc.victims_ring, l, last, 0, week - 1);
        #[expect(clippy::cast_precision_loss, reason = "tick counts are small")]
        let victims = victims_month.max(victims_week * month as f64 / week as f64);
        let victims_per_10k = if alive > 0.0 { victims / alive * 10_000.0 } else { 0.0 };
        ctx.recent_victims[l] = victims;
        ctx.residents[l] = alive;
        let engagement = mission.map_or(0.0, |m| m.empowerment_effect[l]);
        let health_effect = mission.map_or(0.0, |m| m.health_effect[l]);
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
        // Isolation: the beds the health budget runs, for the cases there are now.
        let infectious_people = infectious * ppa;
        let beds = mission.map_or(0.0, |m| m.isolation_beds[l]);
        let bed_share = if infectious_people > 0.0 {
            (beds / infectious_people).min(1.0)
        } else {
            0.0
        };
        let interventions = epi::interventions(&r.health, health_effect, bed_share, engagement, feared_deaths);
        let beta = epi::effective_beta(&r.health, amplified, &interventions);
        let foi = epi::force_of_infection(beta, prevalence, neighbour_prevalence, r.health.neighbour_mixing_share);
        let in_site = totals[base + field::IN_SITE] * ppa;
        let occupancy = if loc.site_capacity[l] > 0.0 {
            in_site / loc.site_capacity[l]
        } else if in_site > 0.0 {
            // Closed to newcomers with residents left: as crowded as a full site.
            1.0
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

        let support = mission.map_or(0.0, |m| m.transfer[l]);
        let services = health_access + market;
        let site_services = loc.site_services[l];
        ctx.localities[l] = LocalityContext {
            conflict_zone,
            home_safe: loc.victims_long_run[l] < r.displacement.return_safe_victims_per_10k_30d,
            services,
            services_displaced: health_access + market * (1.0 - r.economy.displacement_income_loss_share),
            services_site: health_access.max(site_services) + site_services,
            victims_per_10k_30d: victims_per_10k,
            perceived_victims_per_10k_30d: 0.0,
            feared_victims_per_10k_30d: 0.0,
            violence_level: 1.0 - (-victims_per_10k / r.community.insecurity_violence_scale).exp(),
            reassurance: deterrence[l] * trust_m,
            market,
            price: loc.price[l],
            env_stress: loc.env_stress[l],
            unsafe_water: loc.unsafe_water[l],
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
            arrests_possible: state_security * r.mobilisation.arrests_per_security_per_day * dt,
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
            enlist: 0.0,
        };

        // Identity attacks within the community window, and the people they are counted against
        // (this tick's attacks are added by the conflict phase; `derive` decides).
        for i in 0..ids {
            let k = l * ids + i;
            ctx.identity_attack_count[k] = loc.identity_attacks_recent[k];
            ctx.group_people[k] = (totals[base + lay.off_civilians_by_identity + i] + totals[base + lay.off_site_by_identity + i]) * ppa;
        }
    }

    perceived_violence(ctx, world, &r.community);

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
        let room = recruitment::acceptance(
            world.groups.fighters[g],
            recruitment::capacity(&r.recruitment, world.groups.base_fighters[g], world.groups.resources_usd[g]),
        );
        for l in 0..n {
            let here = totals[lay.base(l) + lay.off_fighters + g] * ppa;
            // Presence is judged over the place: a linked locality 0 km away is the same place.
            let same_place: f64 = world
                .graph
                .nearby_of(l)
                .filter(|&(_, d)| d <= 0.0)
                .map(|(k, _)| totals[lay.base(k) + lay.off_fighters + g] * ppa)
                .sum();
            if here + same_place < min_presence.max(ppa * 0.5) {
                continue;
            }
            ctx.recruit_pull[l * groups + g] = 1.0;
            for (k, d) in world.graph.nearby_of(l) {
                if d <= 0.0 {
                    ctx.recruit_pull[k * groups + g] = 1.0;
                } else if d <= spec.reach_km && ctx.recruit_pull[k * groups + g] < 0.3 {
                    ctx.recruit_pull[k * groups + g] = 0.3;
                }
            }
            let children = totals[lay.base(l) + field::CHILDREN] * ppa;
            if spec.child_recruitment_per_1000_fighters_day > 0.0 && children > 0.0 {
                // Abductees must be fed, armed and guarded like any recruit: a group abducts only
                // as far as its capacity has room (D2), or it would grow without bound.
                let expected = spec.child_recruitment_per_1000_fighters_day * here / 1000.0 * dt * room;
                ctx.abduction[l * groups + g] = (1.0 - (-expected / children).exp()).min(1.0);
            }
        }
    }
    // Capacity (D2): a group takes on recruits only as far as it can keep them; host-state
    // forces do not recruit the mobilised at all, but enlist adults to make up their losses.
    let adult_share = scenario.population.age_band_shares[1] + scenario.population.age_band_shares[2];
    for g in 0..groups {
        let spec = &scenario.armed_groups[g];
        let fighters = world.groups.fighters[g];
        let capacity = recruitment::capacity(&r.recruitment, world.groups.base_fighters[g], world.groups.resources_usd[g]);
        if spec.state_aligned {
            let mut eligible = 0.0;
            for l in 0..n {
                if ctx.recruit_pull[l * groups + g] >= 1.0 {
                    eligible += (0..ids)
                        .filter(|&i| ctx.recruits_from[g * ids + i])
                        .map(|i| totals[lay.base(l) + lay.off_civilians_by_identity + i] * ppa)
                        .sum::<f64>()
                        * adult_share;
                }
            }
            let p = if world.groups.active[g] {
                recruitment::enlistment_probability(&r.recruitment, world.groups.base_fighters[g] - fighters, eligible, dt)
            } else {
                0.0
            };
            for l in 0..n {
                let present = ctx.recruit_pull[l * groups + g] >= 1.0;
                ctx.enlist[l * groups + g] = if present { p } else { 0.0 };
                ctx.recruit_pull[l * groups + g] = 0.0;
            }
        } else {
            let take = recruitment::acceptance(fighters, capacity);
            for l in 0..n {
                ctx.recruit_pull[l * groups + g] *= take;
                ctx.enlist[l * groups + g] = 0.0;
            }
        }
    }
    for l in 0..n {
        let mut pull = 0.0;
        let mut abduction = 0.0;
        let mut enlist = 0.0;
        for g in 0..groups {
            pull += ctx.recruit_pull[l * groups + g];
            abduction += ctx.abduction[l * groups + g];
            enlist += ctx.enlist[l * groups + g];
        }
        ctx.localities[l].recruit_pull = pull;
        ctx.localities[l].abduction = abduction.min(1.0);
        ctx.localities[l].enlist = enlist.min(1.0);
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
        let mut push = |dest: usize, site: bool, w: f64, d: &mut Destinations| {
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
        let residents = |k: usize| totals[lay.base(k) + field::ALIVE] * ppa / 1000.0;
        let capacity = |k: usize| loc.site_capacity[k] / 1000.0;
        let safety = |k: usize| flight::safety(ctx.localities[k].victims_per_10k_30d, r.community.insecurity_violence_scale);
        if loc.has_site(l) {
            let site_safety = 1.0 - 0.5 * (1.0 - site_deterrence[l]) * (1.0 - safety(l));
            push(
                l,
                true,
                flight::destination_weight(&r.displacement, 0.0, site_safety, true, room_share(l), false, capacity(l)),
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
                flight::destination_weight(&r.displacement, dist, safety(k), false, 0.0, zone, residents(k)),
                d,
            );
            if loc.has_site(k) {
                let site_safety = 1.0 - 0.5 * (1.0 - site_deterrence[k]) * (1.0 - safety(k));
                push(
                    k,
                    true,
                    flight::destination_weight(&r.displacement, dist, site_safety, true, room_share(k), zone, capacity(k)),
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

/// Per-locality values a person needs, computed once per tick.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LocalityContext {
    /// A violent event happened here within the conflict memory.
    pub conflict_zone: bool,
    /// The long-run victimisation rate here is below the return-safety threshold.
    pub home_safe: bool,
    /// Services for people at home here (health access plus markets).
    pub services: f64,
    /// Services for displaced people in host communities here.
    pub services_displaced: f64,
    /// Services for site residents here.
    pub services_site: f64,
    /// Civilian victims per 10,000 people over the last 30 days.
    pub victims_per_10k_30d: f64,
    /// Civilian victims per 10,000 over 30 days as people here perceive them: here, in nearby
    /// localities by word of mouth, and nationally in the news (`perceived_violence`).
    pub perceived_victims_per_10k_30d: f64,
    /// The same from the expected toll smoothed over months (`Context::expected_victims`): the
    /// violence behind the fear people report.
    pub feared_victims_per_10k_30d: f64,
    /// Violence level for incomes, 0 to 1.
    pub violence_level: f64,
    /// Reassurance from visible, trusted mission presence, 0 to 1.
    pub reassurance: f64,
    /// Market functioning.
    pub market: f64,
    /// Food price index.
    pub price: f64,
    /// Environmental stress.
    pub env_stress: f64,
    /// Share of the people here without safe drinking water.
    pub unsafe_water: f64,
    /// Whether people at home here farm.
    pub rural: bool,
    /// Programme income support for the poor, subsistence lines.
    pub support: f64,
    /// Health access for people outside the site.
    pub health_access: f64,
    /// Health access for site residents.
    pub site_health_access: f64,
    /// Force of infection outside the site, per day.
    pub force_of_infection: f64,
    /// Force of infection inside the site, per day.
    pub force_of_infection_site: f64,
    /// Probability that a case dies.
    pub case_fatality: f64,
    /// Security forces present (mission troops and police, state-aligned fighters), in people.
    pub security: f64,
    /// People mobilised here in the last pass.
    pub mobilised: f64,
    /// Probability that a mobilised person is arrested this tick.
    pub arrest_chance: f64,
    /// Arrests host-state forces here can make this tick if enough people are mobilised, in people.
    pub arrests_possible: f64,
    /// Trust in the state.
    pub trust_in_state: f64,
    /// Whether there is a protection site.
    pub has_site: bool,
    /// Probability that an applicant is admitted to the site.
    pub site_admission: f64,
    /// Mission engagement effect, 0 to 1.
    pub engagement: f64,
    /// Baseline political voice of residents.
    pub voice_baseline: f64,
    /// Tension.
    pub tension: f64,
    /// Lootable resources.
    pub lootable: f64,
    /// Support for armed groups.
    pub armed_group_support: f64,
    /// Total recruiting pull of all groups here (0 = nobody recruits here).
    pub recruit_pull: f64,
    /// Total child-abduction probability per child this tick.
    pub abduction: f64,
    /// Total chance per tick that an eligible adult enlists in host-state forces here.
    pub enlist: f64,
}

/// Flight destinations per origin: cumulative weights over (locality, is-site) options.
#[derive(Debug, Clone, Default)]
pub struct Destinations {
    /// Offsets per origin (len = localities + 1).
    pub offsets: Vec<u32>,
    /// Destination locality.
    pub locality: Vec<u32>,
    /// Whether the option is the destination's protection site.
    pub site: Vec<bool>,
    /// Cumulative weight, normalised to 1 at the last option of each origin.
    pub cumulative: Vec<f64>,
}

impl Destinations {
    /// Picks an option for origin `l` with uniform `u`; returns the option and a fresh uniform.
    #[must_use]
    pub fn pick(&self, l: usize, u: f64) -> Option<(usize, bool, f64)> {
        let (a, b) = (self.offsets[l] as usize, self.offsets[l + 1] as usize);
        if a == b {
            return None;
        }
        let cum = &self.cumulative[a..b];
        let i = cum.partition_point(|&c| c <= u).min(cum.len() - 1);
        let lo = if i == 0 { 0.0 } else { cum[i - 1] };
        let width = cum[i] - lo;
        let residual = if width > 0.0 {
            ((u - lo) / width).clamp(0.0, 1.0 - f64::EPSILON)
        } else {
            0.5
        };
        Some((self.locality[a + i] as usize, self.site[a + i], residual))
    }
}

/// Everything the people pass reads, rebuilt each tick.
#[derive(Debug, Clone)]
pub struct Context {
    /// The tick being computed.
    pub tick: u32,
    /// Days per tick.
    pub dt: f64,
    /// People per agent.
    pub people_per_agent: f64,
    /// Mechanism parameters.
    pub rules: Rules,
    /// Indicator settings.
    pub indicators: IndicatorSettings,
    /// Per-person deprivation cutoffs.
    pub cutoffs: Cutoffs,
    /// Personal victimisation window, ticks.
    pub personal_window: u32,
    /// Political detention window, ticks.
    pub political_window: u32,
    /// Accumulator layout.
    pub layout: Layout,
    /// Per-locality values.
    pub localities: Vec<LocalityContext>,
    /// Violence hazard rows for civilians outside sites, at `[(l * identities + i) * row]`:
    /// total, then kill hazard per slot, then injury hazard per slot.
    pub hazard: Vec<f64>,
    /// The same for site residents.
    pub hazard_site: Vec<f64>,
    /// People expected to flee this tick per civilian of identity `i` outside sites in locality
    /// `l`, from the killings there (`rules.displacement.flight_per_civilian_killed`), at
    /// `[l * identities + i]`.
    pub attack_flight: Vec<f64>,
    /// Death hazard of fighters, at `[l * groups + g]`.
    pub fighter_hazard: Vec<f64>,
    /// Recruiting pull of each group, at `[l * groups + g]`.
    pub recruit_pull: Vec<f64>,
    /// Child-abduction probability per child per tick, at `[l * groups + g]`.
    pub abduction: Vec<f64>,
    /// Chance per tick that an eligible adult enlists in state-aligned group `g`, at `[l * groups + g]`.
    pub enlist: Vec<f64>,
    /// Group `g` recruits from identity `i`, at `[g * identities + i]`.
    pub recruits_from: Vec<bool>,
    /// Pay factor of each group.
    pub pay: Vec<f64>,
    /// Identity `i` was attacked in locality `l` within the community window, at `[l * identities + i]`.
    pub identity_attacked: Vec<bool>,
    /// Identity-based attacks on identity `i` in locality `l` within the community window,
    /// including this tick's, at `[l * identities + i]`.
    pub identity_attack_count: Vec<f64>,
    /// Civilians of identity `i` in locality `l` (outside and inside a site), in people.
    pub group_people: Vec<f64>,
    /// Civilian victims over the last 30 days (or the last week's pace), per locality, in people.
    pub recent_victims: Vec<f64>,
    /// Expected civilian victims per 30 days, smoothed over `fear_memory_days`, per locality, in
    /// people (written by the conflict phase; the violence people's fear follows).
    pub expected_victims: Vec<f64>,
    /// The same ratio as `identity_threat` from the violence behind fear (`expected_victims`).
    pub fear_threat: Vec<f64>,
    /// Living people per locality, in people.
    pub residents: Vec<f64>,
    /// Ratio of the recent violence aimed at identity `i` in locality `l` to the locality's mean,
    /// at `[l * identities + i]` (1 where violence is not targeted).
    pub identity_threat: Vec<f64>,
    /// Flight destinations.
    pub destinations: Destinations,
    /// Probability of leaving the exposed stage per tick.
    pub exit_exposed: f64,
    /// Probability of leaving the infectious stage per tick.
    pub exit_infectious: f64,
    /// Probability of recovering from an injury per tick.
    pub injury_recovery: f64,
    /// Smoothing factor of food security per tick.
    pub food_alpha: f64,
    /// Smoothing factor of perceived insecurity per tick.
    pub insecurity_alpha: f64,
    /// Smoothing factor of grievance per tick.
    pub grievance_alpha: f64,
    /// Detention term in ticks, at most.
    pub detention_max_ticks: u32,
    /// Mean background mortality relative risk of the starting population (1 until measured
    /// at tick 0): dividing by it makes the starting population's crude background death rate
    /// `rules.health.baseline_mortality_per_10k_day`.
    pub mean_mortality_risk: f64,
    /// Births per living woman of childbearing age per day (0 until measured at tick 0): the
    /// scenario's crude birth rate at the start, divided by the starting share of such women.
    pub births_per_woman_day: f64,
    /// Chance per tick of moving up from each age band, elders last (0): the stable rates of
    /// [`epi::stable_ageing_rates`], measured at tick 0.
    pub ageing: [f64; 4],
    /// Per-locality and per-row probabilities derived from the fields above by [`derive()`].
    pub derived: Derived,
}

/// Probabilities that are the same for every person of a locality (or of a hazard row, or of a
/// run), computed once per pass by [`derive()`] with the very functions and operands the
/// per-person update would use, so that the values are bit-identical and the people pass calls
/// no exponential for them. Buffers are reused from tick to tick.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    /// Chance of being hit by violence this tick, civilians at home, per hazard row `l * identities + i`.
    pub violence_home: Vec<f64>,
    /// The same for displaced people in host communities.
    pub violence_displaced: Vec<f64>,
    /// The same for site residents.
    pub violence_site: Vec<f64>,
    /// Chance that a fighter dies this tick, at `[l * groups + g]`.
    pub fighter_death: Vec<f64>,
    /// Chance that a susceptible person is infected this tick, outside the site, per locality.
    pub infection: Vec<f64>,
    /// The same inside the site.
    pub infection_site: Vec<f64>,
    /// Perceived arrest probability of a mobilising person, per locality.
    pub arrest_probability: Vec<f64>,
    /// Perceived violence for identity `i` in locality `l`, at `[l * identities + i]`.
    pub violence_exposure: Vec<f64>,
    /// Chance that a person of identity `i` at home in locality `l` flees this tick because of
    /// the killings there, at `[l * identities + i]`.
    pub attack_flight: Vec<f64>,
    /// The same as it shapes reported fear ([`community::fear_exposure`]).
    pub fear_exposure: Vec<f64>,
    /// Baseline death probability at `[age band][has access][food insecure][chronic]`, flattened.
    pub baseline_death: [f64; 32],
    /// Background mortality relative risk at the same index.
    pub mortality_risk: [f64; 32],
    /// Chance that a displaced person moves on, away from (0) and in (1) a conflict zone.
    pub move_on: [f64; 2],
    /// The cap on the chance that a mobilised person joins a group this tick.
    pub join_cap: f64,
    /// At least the chance that a person at home flees this tick, whatever their insecurity.
    pub flee_bound: f64,
    /// At least the chance that a fighter of group `g` deserts this tick, whatever their income.
    pub desertion_bound: Vec<f64>,
    /// Chance of returning home this tick, where return is allowed.
    pub return_home: f64,
    /// Share of the gap to the target voice closed this tick.
    pub voice_relaxation: f64,
    /// Deprivation score of every combination of the seven deprivation flags.
    pub score: Vec<f64>,
    /// How the score of every combination of the seven deprivation flags classifies a person.
    pub score_class: Vec<u8>,
    /// The score of every combination of flags if it identifies a person as insecure, else 0.
    pub identified_score: Vec<f64>,
    /// Expressed needs per pillar of every combination of the seven deprivation flags.
    pub needs: Vec<PerPillar<f64>>,
    /// Share of earnings kept at the local violence level, per locality.
    pub violence_income: Vec<f64>,
    /// Real income needed for full food security, per locality.
    pub food_cost: Vec<f64>,
    /// Share of a rural livelihood lost to drought at home, per locality.
    pub drought_income_loss: Vec<f64>,
    /// Share of the harvest kept by rural people at home, per locality (1 for everyone else).
    pub harvest_kept: Vec<f64>,
}

pub(super) fn baseline_death_index(age_band: u8, has_access: bool, food_insecure: bool, chronic: bool) -> usize {
    usize::from(age_band.min(age::ELDER)) * 8 + usize::from(has_access) * 4 + usize::from(food_insecure) * 2 + usize::from(chronic)
}

/// Sets the demographic scales from the totals of the tick-0 assessment pass (summed in
/// locality order, so the same bits whatever the thread count):
/// [`Context::mean_mortality_risk`], the starting population's mean background mortality
/// relative risk; [`Context::births_per_woman_day`], which makes the starting crude birth rate
/// `rules.health.birth_rate_per_10k_day`; and [`Context::ageing`], the rates that keep the
/// starting age structure stable under those births and deaths.
pub fn measure_demography(ctx: &mut Context, totals: &[f64]) {
    let (mut alive, mut women) = (0.0, 0.0);
    let mut band_people = [0.0; 4];
    let mut band_risk = [0.0; 4];
    for l in 0..ctx.localities.len() {
        let base = ctx.layout.base(l);
        alive += totals[base + field::ALIVE];
        women += totals[base + field::WOMEN_BY_HOME];
        for k in 0..4 {
            band_people[k] += totals[base + field::AGE_BAND_PEOPLE + k];
            band_risk[k] += totals[base + field::MORTALITY_RISK + k];
        }
    }
    let risk: f64 = band_risk.iter().sum();
    ctx.mean_mortality_risk = if alive > 0.0 && risk > 0.0 { risk / alive } else { 1.0 };
    let birth_rate = ctx.rules.health.birth_rate_per_10k_day / 10_000.0;
    ctx.births_per_woman_day = if women > 0.0 { birth_rate * alive / women } else { 0.0 };
    let base_death = ctx.rules.health.baseline_mortality_per_10k_day / 10_000.0 / ctx.mean_mortality_risk;
    let death_rates: [f64; 4] = std::array::from_fn(|k| {
        if band_people[k] > 0.0 {
            base_death * band_risk[k] / band_people[k]
        } else {
            0.0
        }
    });
    let rates = epi::stable_ageing_rates(birth_rate, band_people, death_rates);
    let dt = ctx.dt;
    ctx.ageing = [
        1.0 - (-rates[0] * dt).exp(),
        1.0 - (-rates[1] * dt).exp(),
        1.0 - (-rates[2] * dt).exp(),
        0.0,
    ];
}

/// Fills [`Context::derived`] from the rest of the context; called before every people pass,
/// after the hazards are final.
pub fn derive(ctx: &mut Context) {
    let r = &ctx.rules;
    let dt = ctx.dt;
    let row = ctx.row_len();
    let rows = ctx.hazard.len() / row;
    let ids = ctx.layout.identities;
    let d = &mut ctx.derived;
    let mult = r.displacement.displaced_vulnerability_multiplier;
    d.violence_home.clear();
    d.violence_displaced.clear();
    d.violence_site.clear();
    for k in 0..rows {
        let total = ctx.hazard[k * row];
        d.violence_home.push(1.0 - (-total * 1.0).exp());
        d.violence_displaced.push(1.0 - (-total * mult).exp());
        let total = ctx.hazard_site[k * row];
        d.violence_site.push(1.0 - (-total * 1.0).exp());
    }
    d.fighter_death.clear();
    d.fighter_death.extend(ctx.fighter_hazard.iter().map(|&h| 1.0 - (-h).exp()));
    d.attack_flight.clear();
    d.attack_flight.extend(ctx.attack_flight.iter().map(|&x| 1.0 - (-x).exp()));
    d.infection.clear();
    d.infection_site.clear();
    d.arrest_probability.clear();
    d.violence_exposure.clear();
    d.fear_exposure.clear();
    d.violence_income.clear();
    d.food_cost.clear();
    d.drought_income_loss.clear();
    d.harvest_kept.clear();
    for (l, lc) in ctx.localities.iter().enumerate() {
        d.violence_income
            .push(economy::violence_income_factor(&r.economy, lc.violence_level));
        d.food_cost.push(economy::food_cost(&r.economy));
        d.drought_income_loss
            .push(economy::drought_income_loss(&r.economy, lc.env_stress, lc.rural));
        d.harvest_kept.push(economy::harvest_kept(&r.economy, lc.env_stress, lc.rural));
        d.infection.push(1.0 - (-lc.force_of_infection * dt).exp());
        d.infection_site.push(1.0 - (-lc.force_of_infection_site * dt).exp());
        d.arrest_probability.push(mobilisation::arrest_probability(
            lc.security,
            lc.mobilised + ctx.people_per_agent,
            r.mobilisation.arrest_constant,
            r.arrest_rule,
        ));
        for i in 0..ids {
            let threat = ctx.identity_threat[l * ids + i];
            d.violence_exposure.push(community::violence_exposure(
                &r.community,
                lc.perceived_victims_per_10k_30d * threat,
            ));
            d.fear_exposure.push(community::fear_exposure(
                &r.community,
                lc.feared_victims_per_10k_30d * ctx.fear_threat[l * ids + i],
            ));
        }
    }
    for age_band in age::CHILD..=age::ELDER {
        for has_access in [false, true] {
            for food_insecure in [false, true] {
                for chronic in [false, true] {
                    let i = baseline_death_index(age_band, has_access, food_insecure, chronic);
                    d.mortality_risk[i] = epi::relative_mortality_risk(&r.health, age_band, has_access, food_insecure, chronic);
                    d.baseline_death[i] = epi::baseline_death_probability(&r.health, d.mortality_risk[i], ctx.mean_mortality_risk, dt);
                }
            }
        }
    }
    d.move_on = [
        flight::move_on_probability(&r.displacement, false, dt),
        flight::move_on_probability(&r.displacement, true, dt),
    ];
    d.join_cap = recruitment::join_probability_cap(&r.recruitment, dt);
    d.flee_bound = flight::flee_probability_bound(&r.displacement, dt);
    d.desertion_bound.clear();
    d.desertion_bound.extend(
        ctx.pay
            .iter()
            .map(|&pay| recruitment::desertion_probability_bound(&r.recruitment, pay, dt)),
    );
    d.return_home = 1.0 - (1.0 - r.displacement.return_rate_per_day).powf(dt);
    d.voice_relaxation = community::voice_relaxation(&r.community, dt);
    d.score.clear();
    d.score
        .extend((0..128u8).map(|flags| deprivation::score(flags, &ctx.indicators.weights)));
    let k = ctx.indicators.k;
    d.identified_score.clear();
    d.score_class.clear();
    for &score in &d.score {
        let identified = score >= k - 1e-9;
        let mut bits = 0;
        if identified {
            bits |= class::IDENTIFIED;
        } else if score >= 0.2 - 1e-9 {
            bits |= class::VULNERABLE;
        }
        if score >= 0.5 - 1e-9 {
            bits |= class::SEVERE;
        }
        d.score_class.push(bits);
        d.identified_score.push(if identified { score } else { 0.0 });
    }
    d.needs.clear();
    d.needs.extend((0..128u8).map(deprivation::expressed_needs));
    // Community deprivation by identity attacks per head of the group here (per head, so that
    // it does not depend on how localities are cut).
    let cutoff = ctx.indicators.cutoffs.community_attacks_per_10k;
    for ((attacked, &count), &people) in ctx
        .identity_attacked
        .iter_mut()
        .zip(&ctx.identity_attack_count)
        .zip(&ctx.group_people)
    {
        *attacked = count > 0.0 && people > 0.0 && count / people * 10_000.0 >= cutoff;
    }
}

impl Context {
    /// Length of one hazard row.
    #[must_use]
    pub fn row_len(&self) -> usize {
        1 + 2 * self.layout.slots
    }
}

/// Deprivation cutoffs in the per-person form.
#[must_use]
pub fn cutoffs(ind: &IndicatorSettings) -> Cutoffs {
    let c = &ind.cutoffs;
    Cutoffs {
        insecurity: c.personal_insecurity_share,
        tension: c.community_tension_share,
        voice: c.political_voice_share,
        income: c.economic_income_line,
        food: c.food_security_share,
        health_access: c.health_access_share,
        env_stress: c.environmental_stress_share,
    }
}

/// The violence people perceive, per locality: victims per 10,000 over 30 days where they are
/// (counting a place 0 km away as the same place), plus `rumour_share` of the rate in nearby
/// localities weighted by exp(-distance / `rumour_distance_km`) and by their people, plus
/// `news_national_share` of the national rate. People fear what happens around them fully and
/// hear of violence elsewhere by word of mouth and news, so fear depends on more than one's own
/// village (UNDP 2022); pooling people with victims over the same places keeps each rate
/// independent of how localities are cut.
fn perceived_violence(ctx: &mut Context, world: &World, p: &crate::scenario::params::Community) {
    let national_people: f64 = ctx.residents.iter().sum();
    let national = |victims: &[f64]| {
        if national_people > 0.0 {
            victims.iter().sum::<f64>() / national_people * 10_000.0
        } else {
            0.0
        }
    };
    let (perceived_national, feared_national) = (national(&ctx.recent_victims), national(&ctx.expected_victims));
    for l in 0..ctx.localities.len() {
        ctx.localities[l].perceived_victims_per_10k_30d = heard_rate(world, p, &ctx.recent_victims, &ctx.residents, perceived_national, l);
        ctx.localities[l].feared_victims_per_10k_30d = heard_rate(world, p, &ctx.expected_victims, &ctx.residents, feared_national, l);
    }
}

/// Victims per 10,000 over 30 days as the people of locality `l` hear of them (see
/// [`perceived_violence`]), from victims and residents per locality and the national rate.
fn heard_rate(world: &World, p: &crate::scenario::params::Community, victims: &[f64], residents: &[f64], national: f64, l: usize) -> f64 {
    let rate = |victims: f64, people: f64| if people > 0.0 { victims / people * 10_000.0 } else { 0.0 };
    let (mut here_victims, mut here_people) = (victims[l], residents[l]);
    let (mut near_victims, mut near_people) = (0.0, 0.0);
    for (k, d) in world.graph.nearby_of(l) {
        if d <= 0.0 {
            here_victims += victims[k];
            here_people += residents[k];
        } else {
            let w = (-d / p.rumour_distance_km).exp();
            near_victims += w * victims[k];
            near_people += w * residents[k];
        }
    }
    rate(here_victims, here_people) + p.rumour_share * rate(near_victims, near_people) + p.news_national_share * national
}
