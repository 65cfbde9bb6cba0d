//! Phases 3-4: what armed groups, the mission and crowds do this tick, and the hazards that follow.
//!
//! Groups choose targets by value against deterrence (D3, D4, D6, D9), fight their enemies
//! where both are present unless troops interpose (D5), attack protection sites and the
//! mission; a robust mission conducts offensives; low trust turns into protests and riots (D8).
//! Each act is drawn as a count of events (Poisson) from a stream keyed by (tick, group,
//! locality, kind), and becomes per-person hazards that the people pass realises. After the
//! pass, [`Conflict::attribute`] splits the realised victims among the events that could have caused them,
//! so every death in the outputs belongs to a recorded event.

use rand::Rng;

use super::aggregates::{Layout, field};
use crate::model::World;
use crate::model::mission::Mission;
use crate::rng::{Phase, Streams, poisson, uniform};
use crate::scenario::{Mandate, Scenario};

use super::context::Context;
use super::planning;
use crate::mechanisms::{battles, legitimacy, targeting};

/// ACLED-like event types used in `events.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Predatory attack on civilians (loot).
    Attack,
    /// Attack on civilians of a hostile identity group.
    IdentityAttack,
    /// Attack on visible development projects and the people around them (spoilers, D9).
    SpoilerAttack,
    /// Attack on a protection-of-civilians site.
    SiteAttack,
    /// Armed clash between two groups.
    Battle,
    /// Offensive operation by the mission against a group.
    Offensive,
    /// Attack by a group on mission units.
    AttackOnMission,
    /// Peaceful protest against the mission.
    Protest,
    /// Riot against the mission, met with force.
    Riot,
    /// Abduction of children for recruitment.
    ChildAbduction,
}

impl EventType {
    /// ACLED event type.
    #[must_use]
    pub fn acled_type(self) -> &'static str {
        match self {
            Self::Attack | Self::IdentityAttack | Self::SpoilerAttack | Self::SiteAttack | Self::ChildAbduction => {
                "violence_against_civilians"
            }
            Self::Battle | Self::Offensive | Self::AttackOnMission => "battles",
            Self::Protest => "protests",
            Self::Riot => "riots",
        }
    }

    /// Sub-event type.
    #[must_use]
    pub fn sub_event(self) -> &'static str {
        match self {
            Self::Attack => "attack",
            Self::IdentityAttack => "identity_attack",
            Self::SpoilerAttack => "attack_on_project",
            Self::SiteAttack => "attack_on_protection_site",
            Self::Battle => "armed_clash",
            Self::Offensive => "mission_offensive",
            Self::AttackOnMission => "attack_on_peacekeepers",
            Self::Protest => "peaceful_protest",
            Self::Riot => "violent_demonstration",
            Self::ChildAbduction => "abduction_child_recruitment",
        }
    }

    /// Kind of target, for `events.csv`.
    #[must_use]
    pub fn target_kind(self) -> &'static str {
        match self {
            Self::Attack | Self::IdentityAttack | Self::SpoilerAttack | Self::ChildAbduction => "civilians",
            Self::SiteAttack => "protection_site",
            Self::Battle | Self::Offensive => "armed_group",
            Self::AttackOnMission | Self::Protest | Self::Riot => "mission",
        }
    }
}

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// Armed group by index.
    Group(u32),
    /// The mission.
    Mission,
    /// Protesters or rioters.
    Crowd,
}

/// One violent event (or protest) of a tick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViolentEvent {
    /// Locality index.
    pub locality: u32,
    /// Type.
    pub kind: EventType,
    /// Perpetrator.
    pub perpetrator: Actor,
    /// The other side (battles, offensives), if any.
    pub opponent: Option<Actor>,
    /// Expected civilian deaths (weight for attributing realised deaths).
    pub expected_civilian_deaths: f64,
    /// Expected fighter deaths of the perpetrator's and the opponent's side.
    pub expected_fighter_deaths: [f64; 2],
    /// Civilians killed, in people.
    pub fatalities: f64,
    /// Fighters killed, in people.
    pub fighter_fatalities: f64,
    /// Peacekeepers killed.
    pub peacekeeper_fatalities: f64,
    /// Civilians injured, in people.
    pub injuries: f64,
    /// Sexual-violence victims (sub-event), in people.
    pub sexual_violence: f64,
    /// Children abducted, in people.
    pub abductions: f64,
}

impl ViolentEvent {
    fn new(locality: usize, kind: EventType, perpetrator: Actor) -> Self {
        #[expect(clippy::cast_possible_truncation, reason = "locality counts are capped")]
        let locality = locality as u32;
        Self {
            locality,
            kind,
            perpetrator,
            opponent: None,
            expected_civilian_deaths: 0.0,
            expected_fighter_deaths: [0.0; 2],
            fatalities: 0.0,
            fighter_fatalities: 0.0,
            peacekeeper_fatalities: 0.0,
            injuries: 0.0,
            sexual_violence: 0.0,
            abductions: 0.0,
        }
    }
}

/// Per-tick scratch and outcomes of the conflict phase (buffers reused across ticks).
#[derive(Debug, Clone, Default)]
pub struct Conflict {
    /// Events of the tick, sorted by locality then creation order after [`Conflict::resolve`].
    pub events: Vec<ViolentEvent>,
    /// Deterrence per locality, 0 to 1.
    pub deterrence: Vec<f64>,
    /// Deterrence around each protection site, 0 to 1.
    pub site_deterrence: Vec<f64>,
    /// Armed presence per 1,000 people in and around each locality, troop equivalents (police
    /// weighted): the locality's own deployment and people, plus a share of linked localities'
    /// within the coverage radius at the mission's operational tempo (patrol reach).
    pub presence_per_1000: Vec<f64>,
    /// Armed troops alone per 1,000 people in and around each locality (for interposition).
    pub troops_per_1000: Vec<f64>,
    /// Armed troops deployed in each locality (for offensives).
    pub troops_here: Vec<f64>,
    /// Whether mission troops or police are in each locality (or in a linked place 0 km away).
    pub present: Vec<bool>,
    /// Expected attacks by state-aligned forces deterred by the mission this tick.
    pub prevented_state_attacks: f64,
    /// Offensives against state-aligned groups this tick.
    pub offensives_on_state: f64,
    /// Peacekeepers killed this tick.
    pub peacekeeper_deaths: f64,
    /// Identity-based and site attacks per locality this tick.
    pub identity_attacks: Vec<f64>,
    /// Smoothed attack hazard on civilians of identity `i` outside sites in locality `l`, at `[l * identities + i]`.
    identity_hazard: Vec<f64>,
    /// The same smoothed over `fear_memory_days` for the fear people report, at `[l * identities + i]`:
    /// the expected toll, not the realised one, so that it does not jump when one agent (who may
    /// stand for a hundred people) is hit.
    fear_hazard: Vec<f64>,
    /// Updates of `fear_hazard` so far: until they span the memory, the smoothing is a running
    /// mean (no ramp up from zero at the start).
    fear_updates: u32,
    /// Mission positions (localities with troops or police) within each group's reach of each
    /// locality, at `[k * groups + g]`: a group's fighters share their attacks among them.
    positions_in_reach: Vec<f64>,
    proximity: Vec<f64>,
    net: Vec<f64>,
    mass: Vec<f64>,
    shares: Vec<f64>,
    order: Vec<(u32, u32)>,
    sorted: Vec<ViolentEvent>,
    weights: Vec<f64>,
}

/// The highest tick of the random streams drawn by [`Conflict::recall_feared_violence`], which
/// counts down from it: runs are limited to far fewer ticks.
const RECALL_STREAM_TICK: u32 = u32::MAX - 1;

impl Conflict {
    /// Allocates scratch for a scenario.
    #[must_use]
    pub fn new(scenario: &Scenario) -> Self {
        let n = scenario.localities.len();
        Self {
            deterrence: vec![0.0; n],
            site_deterrence: vec![0.0; n],
            presence_per_1000: vec![0.0; n],
            troops_per_1000: vec![0.0; n],
            troops_here: vec![0.0; n],
            present: vec![false; n],
            identity_attacks: vec![0.0; n],
            identity_hazard: vec![0.0; n * scenario.identity_groups.len()],
            fear_hazard: vec![0.0; n * scenario.identity_groups.len()],
            fear_updates: 0,
            positions_in_reach: vec![0.0; n * scenario.armed_groups.len()],
            proximity: vec![0.0; n],
            net: vec![0.0; 2 * n],
            mass: vec![0.0; 2 * n],
            shares: vec![0.0; 2 * n],
            events: Vec::with_capacity(1024),
            order: Vec::with_capacity(1024),
            sorted: Vec::with_capacity(1024),
            weights: Vec::with_capacity(64),
            ..Self::default()
        }
    }

    /// Computes mission deterrence per locality from the current deployment (before the
    /// context of the people pass, which reads it).
    ///
    /// Deterrence follows armed presence per 1,000 people, not per locality, so that it does
    /// not depend on how localities are cut: a locality split into two identical halves has
    /// the same troops per head in each half.
    pub fn prepare(&mut self, scenario: &Scenario, world: &World, totals: &[f64], layout: &Layout, tick: u32) {
        let p = &scenario.rules.targeting;
        let n = world.localities.len;
        self.deterrence.iter_mut().for_each(|d| *d = 0.0);
        self.site_deterrence.iter_mut().for_each(|d| *d = 0.0);
        self.presence_per_1000.iter_mut().for_each(|d| *d = 0.0);
        self.troops_per_1000.iter_mut().for_each(|d| *d = 0.0);
        self.troops_here.iter_mut().for_each(|d| *d = 0.0);
        self.present.iter_mut().for_each(|p| *p = false);
        let Some(m) = &world.mission else { return };
        let ppa = scenario.population.people_per_agent;
        let people = |l: usize| totals[layout.base(l) + field::ALIVE] * ppa;
        let radius = scenario.rules.mission.coverage_radius_km;
        let armed = m.mandate != Mandate::Observer;
        // Patrols reach linked localities only as far as operations are funded.
        let reach = p.neighbour_presence_share * m.tempo;
        for l in 0..n {
            let mut presence = targeting::armed_presence(m.troops_at[l], m.police_at[l], p.police_deterrence_weight);
            let mut troops = m.troops_at[l];
            let mut covered = people(l);
            let mut present = m.troops_at[l] + m.police_at[l] > 0.0;
            for (k, d) in world.graph.links_of(l) {
                if d <= radius {
                    // A linked place at distance 0 is the same place (a locality cut in two).
                    let w = if d <= 0.0 { 1.0 } else { reach };
                    present |= d <= 0.0 && m.troops_at[k] + m.police_at[k] > 0.0;
                    presence += w * targeting::armed_presence(m.troops_at[k], m.police_at[k], p.police_deterrence_weight);
                    troops += w * m.troops_at[k];
                    covered += w * people(k);
                }
            }
            self.presence_per_1000[l] = targeting::per_1000(presence, covered);
            self.troops_per_1000[l] = if armed { targeting::per_1000(troops, covered) } else { 0.0 };
            self.troops_here[l] = if armed { m.troops_at[l] } else { 0.0 };
            self.present[l] = present;
        }
        let factor = targeting::mandate_factor(p, m.mandate);
        let posture = planning::effective_posture(m, &scenario.rules.legitimacy, tick, scenario.run.tick_length_days);
        let activity = targeting::activity(p, m.tempo);
        for l in 0..n {
            self.deterrence[l] = targeting::deterrence(p, self.presence_per_1000[l], factor, posture, activity);
            if world.localities.has_site(l) {
                let guard = world.localities.site_guard_posture[l].min(posture.max(scenario.rules.legitimacy.limited_posture_share));
                self.site_deterrence[l] = targeting::deterrence(p, self.presence_per_1000[l], factor, guard, activity);
            }
        }
    }

    /// Draws this tick's acts and fills the hazard tables of `ctx`: armed groups' attacks on
    /// civilians and sites, battles between groups, the mission's offensives, attacks on it and
    /// the crowds against it; then the site residents' share of the surrounding threat, the
    /// identity threat people perceive, and the events in locality order.
    pub fn resolve(&mut self, scenario: &Scenario, world: &World, totals: &[f64], streams: &Streams, tick: u32, ctx: &mut Context) {
        self.resolve_drawing_from(scenario, world, totals, streams, tick, tick, ctx);
    }

    /// Before the clock starts, the memory behind the fear people report holds the violence of
    /// the starting state: the acts of `fear_memory_days` are drawn as they would be at tick 1
    /// (from streams of ticks no run reaches) and only `fear_hazard` keeps them. Otherwise fear
    /// would start at its calm level and rise over the first weeks (a start-up transient).
    pub fn recall_feared_violence(&mut self, scenario: &Scenario, world: &World, totals: &[f64], streams: &Streams, ctx: &mut Context) {
        let dt = scenario.run.tick_length_days;
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "at most 3650 days")]
        let ticks = (scenario.rules.community.fear_memory_days / dt).ceil().max(1.0) as u32;
        // The recall runs on a copy: deterrence, identity threat and this tick's scratch stay as
        // they were, and the context's counts of identity attacks are put back.
        let mut recall = self.clone();
        let identity_threat = ctx.identity_threat.clone();
        let identity_attack_count = ctx.identity_attack_count.clone();
        let layout = ctx.layout.clone();
        recall.prepare(scenario, world, totals, &layout, 1);
        for k in 0..ticks {
            recall.resolve_drawing_from(scenario, world, totals, streams, 1, RECALL_STREAM_TICK - k, ctx);
        }
        self.fear_hazard = recall.fear_hazard;
        self.fear_updates = recall.fear_updates;
        ctx.identity_threat = identity_threat;
        ctx.identity_attack_count = identity_attack_count;
        ctx.hazard.iter_mut().for_each(|x| *x = 0.0);
        ctx.hazard_site.iter_mut().for_each(|x| *x = 0.0);
        ctx.attack_flight.iter_mut().for_each(|x| *x = 0.0);
        ctx.fighter_hazard.iter_mut().for_each(|x| *x = 0.0);
    }

    #[expect(clippy::too_many_arguments, reason = "resolve's arguments and the tick to draw from")]
    fn resolve_drawing_from(
        &mut self,
        scenario: &Scenario,
        world: &World,
        totals: &[f64],
        streams: &Streams,
        tick: u32,
        stream_tick: u32,
        ctx: &mut Context,
    ) {
        self.events.clear();
        self.prevented_state_attacks = 0.0;
        self.offensives_on_state = 0.0;
        self.peacekeeper_deaths = 0.0;
        self.identity_attacks.iter_mut().for_each(|x| *x = 0.0);
        ctx.hazard.iter_mut().for_each(|x| *x = 0.0);
        ctx.hazard_site.iter_mut().for_each(|x| *x = 0.0);
        ctx.attack_flight.iter_mut().for_each(|x| *x = 0.0);
        ctx.fighter_hazard.iter_mut().for_each(|x| *x = 0.0);
        let layout = ctx.layout.clone();
        let acts = Acts {
            scenario,
            world,
            streams,
            tick,
            stream_tick,
            read: Presence {
                totals,
                layout: &layout,
                people_per_agent: scenario.population.people_per_agent,
                site_shield_share: scenario.rules.displacement.site_shield_share,
                guard_posture: &world.localities.site_guard_posture,
            },
            hazards: Hazards {
                identities: layout.identities,
                row: ctx.row_len(),
                slots: layout.slots,
                injuries_per_fatality: scenario.rules.targeting.injuries_per_fatality,
                flight_per_death: scenario.rules.displacement.flight_per_civilian_killed,
            },
        };
        for g in 0..scenario.armed_groups.len() {
            if world.groups.active[g] {
                self.attacks_by_group(&acts, g, ctx);
            }
        }
        self.battles(&acts, ctx);
        if let Some(m) = &world.mission {
            self.mission_acts(&acts, m, ctx);
        }
        shield_site_residents(&acts, ctx);
        self.learn_identity_threat(scenario, totals, ctx);
        self.sort_events();
    }

    /// Attacks of group `g` on civilians and protection sites (D3, D4, D6, D9): options valued
    /// against deterrence, capacity shared among them, events drawn per option.
    fn attacks_by_group(&mut self, acts: &Acts<'_>, g: usize, ctx: &mut Context) {
        let Acts {
            scenario,
            world,
            read,
            hazards,
            streams,
            tick: _,
            stream_tick,
        } = acts;
        let spec = &scenario.armed_groups[g];
        let r = &scenario.rules;
        let n = world.localities.len;
        let ids = read.layout.identities;
        let ppa = read.people_per_agent;
        let total_fighters: f64 = (0..n).map(|l| read.fighters(l, g)).sum();
        if total_fighters <= 0.0 {
            return;
        }
        self.proximity.iter_mut().for_each(|x| *x = 0.0);
        for l in 0..n {
            if read.fighters(l, g) >= r.targeting.min_presence_fighters.max(ppa * 0.5) {
                self.proximity[l] = 1.0;
                for (k, d) in world.graph.nearby_of(l) {
                    if d <= spec.reach_km && spec.reach_km > 0.0 {
                        let w = (-d / spec.reach_km).exp();
                        if w > self.proximity[k] {
                            self.proximity[k] = w;
                        }
                    }
                }
            }
        }
        let engagement = |l: usize| world.mission.as_ref().map_or(0.0, |m| m.empowerment_effect[l]);
        let visible = |l: usize| world.mission.as_ref().map_or(0.0, |m| m.visible_projects[l]);
        let value_at = |l: usize| {
            targeting::target_value(
                &r.targeting,
                read.civilians(l),
                world.groups.predation[g],
                world.localities.lootable[l],
                world.localities.market[l],
                read.hostile_exposed(l, &spec.hostile_to),
                world.localities.tension[l],
                spec.spoiler,
                visible(l),
            )
        };
        let sensitivity = |l: usize| {
            targeting::sensitivity(
                spec.deterrence_sensitivity,
                spec.state_aligned,
                r.targeting.state_leverage_share,
                engagement(l),
            )
        };
        // Values of each option: general (index l) and site (index n + l).
        for l in 0..n {
            self.net[l] = 0.0;
            self.net[n + l] = 0.0;
            self.mass[l] = 0.0;
            self.mass[n + l] = 0.0;
            if self.proximity[l] <= 0.0 {
                continue;
            }
            let v = value_at(l);
            let s = sensitivity(l);
            self.net[l] = targeting::net_attractiveness(v.total(), s, self.deterrence[l], self.proximity[l]);
            self.mass[l] = read.civilians(l) / 1000.0;
            if world.localities.has_site(l) && spec.attacks_sites > 0.0 {
                let hostile_site = read.hostile_in_site(l, &spec.hostile_to);
                let sv = targeting::site_value(&r.targeting, hostile_site, spec.attacks_sites);
                self.net[n + l] = targeting::net_attractiveness(sv, s, self.site_deterrence[l], self.proximity[l]);
                self.mass[n + l] = hostile_site / 1000.0;
            }
        }
        targeting::allocate(&self.net, &self.mass, r.targeting.concentration, &mut self.shares);
        let dt = scenario.run.tick_length_days;
        let capacity = total_fighters / 100.0 * spec.attack_rate_per_100_fighters_day * dt;
        let lethality_base = spec.kills_per_attack * (1.5 - spec.discipline);
        for option in 0..2 * n {
            let share = self.shares[option];
            if share <= 0.0 {
                continue;
            }
            let l = option % n;
            let is_site = option >= n;
            let s = sensitivity(l);
            let d = if is_site { self.site_deterrence[l] } else { self.deterrence[l] };
            let lambda = capacity * share * (1.0 - s * d);
            if spec.state_aligned {
                self.prevented_state_attacks += capacity * share * s * d;
            }
            let stream = ((g * n + l) * 8 + usize::from(is_site)) as u64;
            let mut rng = streams.at(Phase::Conflict, stream, *stream_tick);
            let count = poisson(&mut rng, lambda);
            if count == 0 {
                continue;
            }
            // Response to attacks under way is constrained like deterrence: weak against
            // host-state forces the mission needs consent to confront (D4).
            let lethality = lethality_base * (1.0 - r.targeting.response_lethality_reduction_share * s * d);
            #[expect(clippy::cast_possible_truncation, reason = "group counts are capped")]
            let actor = Actor::Group(g as u32);
            if is_site {
                let hostile_site = read.hostile_in_site(l, &spec.hostile_to);
                for _ in 0..count {
                    let mut e = ViolentEvent::new(l, EventType::SiteAttack, actor);
                    e.expected_civilian_deaths = lethality;
                    self.events.push(e);
                    hazards.add(&mut ctx.hazard_site, l, g, lethality, Some(&spec.hostile_to), hostile_site);
                    self.identity_attacks[l] += 1.0;
                }
                count_identity_attacks(&spec.hostile_to, l, ids, f64::from(count), &mut ctx.identity_attack_count);
                continue;
            }
            let civ = read.civilians(l);
            let hostile = read.hostile_exposed(l, &spec.hostile_to);
            let v = value_at(l);
            let total_value = v.total();
            for _ in 0..count {
                let u = uniform(&mut rng) * total_value;
                let kind = if u < v.identity {
                    EventType::IdentityAttack
                } else if u < v.identity + v.spoiler {
                    EventType::SpoilerAttack
                } else {
                    EventType::Attack
                };
                let mut e = ViolentEvent::new(l, kind, actor);
                e.expected_civilian_deaths = lethality;
                self.events.push(e);
                if kind == EventType::IdentityAttack {
                    hazards.add_with_flight(ctx, l, g, lethality, Some(&spec.hostile_to), hostile);
                    self.identity_attacks[l] += 1.0;
                    count_identity_attacks(&spec.hostile_to, l, ids, 1.0, &mut ctx.identity_attack_count);
                } else {
                    hazards.add_with_flight(ctx, l, g, lethality, None, civ);
                }
            }
        }
    }

    /// Battles (D5): each group attacks enemy positions within its reach; troops interposed at
    /// the position lower the rate. Attackers' losses fall on their fighters near the position.
    fn battles(&mut self, acts: &Acts<'_>, ctx: &mut Context) {
        let Acts {
            scenario,
            world,
            read,
            hazards,
            streams,
            tick: _,
            stream_tick,
        } = acts;
        let r = &scenario.rules;
        let n = world.localities.len;
        let groups = read.layout.groups;
        let dt = scenario.run.tick_length_days;
        let crossfire_slot = read.layout.crossfire_slot();
        for (g, spec) in scenario.armed_groups.iter().enumerate() {
            if !world.groups.active[g] {
                continue;
            }
            for h in 0..groups {
                #[expect(clippy::cast_possible_truncation, reason = "group counts are capped")]
                let (gu, hu) = (g as u32, h as u32);
                let enemies = spec.enemies.contains(&hu) || scenario.armed_groups[h].enemies.contains(&gu);
                if h == g || !enemies || !world.groups.active[h] {
                    continue;
                }
                let reach = spec.reach_km;
                let weight = |d: f64| {
                    if d <= 0.0 {
                        1.0
                    } else if reach > 0.0 && d <= reach {
                        (-d / reach).exp()
                    } else {
                        0.0
                    }
                };
                for l in 0..n {
                    let defenders = read.fighters(l, h);
                    if defenders < r.targeting.min_presence_fighters {
                        continue;
                    }
                    let attackers: f64 = std::iter::once((l, 0.0))
                        .chain(world.graph.nearby_of(l))
                        .map(|(k, d)| read.fighters(k, g) * weight(d))
                        .sum();
                    if attackers < r.targeting.min_presence_fighters {
                        continue;
                    }
                    let interposition = battles::interposition(&r.battles, self.troops_per_1000[l]);
                    let lambda = battles::battle_rate(&r.battles, attackers, defenders, interposition, dt);
                    let stream = ((g * groups + h) * n + l) as u64 * 8 + 2;
                    let mut rng = streams.at(Phase::Conflict, stream, *stream_tick);
                    let count = poisson(&mut rng, lambda);
                    if count == 0 {
                        continue;
                    }
                    let (s_attacker, s_defender) = battles::death_shares(attackers, defenders);
                    let civ = read.civilians(l);
                    for _ in 0..count {
                        let mut e = ViolentEvent::new(l, EventType::Battle, Actor::Group(gu));
                        e.opponent = Some(Actor::Group(hu));
                        e.expected_fighter_deaths = [
                            r.battles.fighter_deaths_per_battle * s_attacker,
                            r.battles.fighter_deaths_per_battle * s_defender,
                        ];
                        e.expected_civilian_deaths = r.battles.crossfire_deaths_per_battle;
                        self.events.push(e);
                        ctx.fighter_hazard[l * groups + h] += e.expected_fighter_deaths[1] / defenders;
                        for (k, d) in std::iter::once((l, 0.0)).chain(world.graph.nearby_of(l)) {
                            let w = weight(d);
                            if w > 0.0 && read.fighters(k, g) > 0.0 {
                                ctx.fighter_hazard[k * groups + g] += e.expected_fighter_deaths[0] * w / attackers;
                            }
                        }
                        hazards.add_with_flight(ctx, l, crossfire_slot, r.battles.crossfire_deaths_per_battle, None, civ);
                    }
                }
            }
        }
    }

    /// Where the mission is present: its offensives (robust mandates only), attacks on it, and
    /// protests and riots against it.
    fn mission_acts(&mut self, acts: &Acts<'_>, m: &Mission, ctx: &mut Context) {
        let r = &acts.scenario.rules;
        let posture = planning::effective_posture(m, &r.legitimacy, acts.tick, acts.scenario.run.tick_length_days);
        self.count_positions_in_reach(acts, m);
        for l in 0..acts.world.localities.len {
            let present = m.troops_at[l] + m.police_at[l] > 0.0;
            if !present {
                continue;
            }
            if m.mandate == Mandate::Robust && m.troops_at[l] > 0.0 {
                self.offensive(acts, m, l, posture, ctx);
            }
            self.attacks_on_mission(acts, l);
            self.protests(acts, l, ctx);
        }
    }

    /// Offensive operations at `l` against the largest hostile group there.
    fn offensive(&mut self, acts: &Acts<'_>, m: &Mission, l: usize, posture: f64, ctx: &mut Context) {
        let Acts {
            scenario,
            world,
            read,
            hazards,
            streams,
            tick: _,
            stream_tick,
        } = acts;
        let r = &scenario.rules;
        let n = world.localities.len;
        let groups = read.layout.groups;
        let target = (0..groups)
            .filter(|&g| world.groups.active[g] && (!scenario.armed_groups[g].state_aligned || m.spec.offensive_targets_state))
            .filter(|&g| read.fighters(l, g) >= r.targeting.min_presence_fighters)
            .max_by(|&a, &b| read.fighters(l, a).total_cmp(&read.fighters(l, b)).then(b.cmp(&a)));
        let Some(g) = target else { return };
        let dt = scenario.run.tick_length_days;
        let lambda = battles::offensive_rate(&r.battles, self.troops_here[l], posture, true, dt) * m.tempo;
        let mut rng = streams.at(Phase::Conflict, (n * groups * groups + l) as u64 * 8 + 3, *stream_tick);
        let count = poisson(&mut rng, lambda);
        let civ = read.civilians(l);
        for _ in 0..count {
            let mut e = ViolentEvent::new(l, EventType::Offensive, Actor::Mission);
            #[expect(clippy::cast_possible_truncation, reason = "group counts are capped")]
            let opp = Actor::Group(g as u32);
            e.opponent = Some(opp);
            e.expected_fighter_deaths = [0.0, r.battles.offensive_fighter_deaths];
            e.expected_civilian_deaths = r.battles.offensive_collateral_deaths;
            e.peacekeeper_fatalities = f64::from(poisson(&mut rng, 0.5 * r.battles.peacekeeper_deaths_per_attack));
            self.peacekeeper_deaths += e.peacekeeper_fatalities;
            self.events.push(e);
            ctx.fighter_hazard[l * groups + g] += r.battles.offensive_fighter_deaths / read.fighters(l, g);
            hazards.add(
                &mut ctx.hazard,
                l,
                read.layout.mission_slot(),
                r.battles.offensive_collateral_deaths,
                None,
                civ,
            );
            if scenario.armed_groups[g].state_aligned {
                self.offensives_on_state += 1.0;
            }
        }
    }

    /// Counts, for each locality and each group that attacks the mission, the mission positions
    /// within the group's reach. A fighter's attacks on the mission are shared among those
    /// positions, so that a group's attacks do not multiply with the number of places the
    /// mission holds near it, nor with how finely localities are cut.
    fn count_positions_in_reach(&mut self, acts: &Acts<'_>, m: &Mission) {
        let world = acts.world;
        let groups = acts.read.layout.groups;
        let present = |j: usize| m.troops_at[j] + m.police_at[j] > 0.0;
        for (g, spec) in acts.scenario.armed_groups.iter().enumerate() {
            if spec.attacks_mission <= 0.0 {
                continue;
            }
            for k in 0..world.localities.len {
                self.positions_in_reach[k * groups + g] = std::iter::once((k, 0.0))
                    .chain(world.graph.nearby_of(k))
                    .filter(|&(j, d)| d <= spec.reach_km && present(j))
                    .map(|_| 1.0)
                    .sum();
            }
        }
    }

    /// Attacks on the mission's units at `l` by groups within reach, each fighter's share
    /// divided among the positions within its group's reach.
    fn attacks_on_mission(&mut self, acts: &Acts<'_>, l: usize) {
        let Acts {
            scenario,
            world,
            read,
            streams,
            tick: _,
            stream_tick,
            ..
        } = acts;
        let r = &scenario.rules;
        let n = world.localities.len;
        let groups = read.layout.groups;
        let dt = scenario.run.tick_length_days;
        for (g, spec) in scenario.armed_groups.iter().enumerate() {
            if !world.groups.active[g] || spec.attacks_mission <= 0.0 {
                continue;
            }
            // `max(1.0)`: `l` holds a position within reach of `k` whenever `k` is within reach
            // of `l`; the guard only matters if the nearby lists were not symmetric.
            let near: f64 = std::iter::once((l, 0.0))
                .chain(world.graph.nearby_of(l))
                .filter(|&(_, d)| d <= spec.reach_km)
                .map(|(k, _)| read.fighters(k, g) / self.positions_in_reach[k * groups + g].max(1.0))
                .sum();
            let lambda = battles::attack_on_mission_rate(&r.battles, near, spec.attacks_mission, dt);
            let mut rng = streams.at(
                Phase::Conflict,
                ((n * groups * groups + n + l) * groups + g) as u64 * 8 + 4,
                *stream_tick,
            );
            let count = poisson(&mut rng, lambda);
            for _ in 0..count {
                #[expect(clippy::cast_possible_truncation, reason = "group counts are capped")]
                let mut e = ViolentEvent::new(l, EventType::AttackOnMission, Actor::Group(g as u32));
                e.opponent = Some(Actor::Mission);
                e.peacekeeper_fatalities = f64::from(poisson(&mut rng, r.battles.peacekeeper_deaths_per_attack));
                self.peacekeeper_deaths += e.peacekeeper_fatalities;
                self.events.push(e);
            }
        }
    }

    /// Protests and riots against the mission at `l` where trust has collapsed (D8 ii).
    fn protests(&mut self, acts: &Acts<'_>, l: usize, ctx: &mut Context) {
        let Acts {
            scenario,
            world,
            read,
            hazards,
            streams,
            tick: _,
            stream_tick,
        } = acts;
        let r = &scenario.rules;
        let n = world.localities.len;
        let groups = read.layout.groups;
        let base = read.layout.base(l);
        let alive = read.totals[base + field::ALIVE];
        let mobilised_share = if alive > 0.0 {
            read.totals[base + field::MOBILISED] / alive
        } else {
            0.0
        };
        let lambda = legitimacy::protest_rate(
            &r.legitimacy,
            world.localities.trust_in_mission[l],
            mobilised_share,
            scenario.run.tick_length_days,
        );
        let mut rng = streams.at(Phase::Conflict, (n * groups * groups * 2 + n * 2 + l) as u64 * 8 + 5, *stream_tick);
        let count = poisson(&mut rng, lambda);
        let civ = read.civilians(l);
        for _ in 0..count {
            if uniform(&mut rng) < r.legitimacy.riot_share {
                let mut e = ViolentEvent::new(l, EventType::Riot, Actor::Crowd);
                e.opponent = Some(Actor::Mission);
                e.expected_civilian_deaths = r.legitimacy.riot_mission_fatalities;
                e.peacekeeper_fatalities = f64::from(poisson(&mut rng, r.legitimacy.riot_peacekeeper_fatalities));
                self.peacekeeper_deaths += e.peacekeeper_fatalities;
                self.events.push(e);
                hazards.add(
                    &mut ctx.hazard,
                    l,
                    read.layout.mission_slot(),
                    r.legitimacy.riot_mission_fatalities,
                    None,
                    civ,
                );
            } else {
                let mut e = ViolentEvent::new(l, EventType::Protest, Actor::Crowd);
                e.opponent = Some(Actor::Mission);
                self.events.push(e);
            }
        }
    }

    /// DETERMINISM: events sorted by (locality, creation order) without allocating.
    fn sort_events(&mut self) {
        self.order.clear();
        #[expect(clippy::cast_possible_truncation, reason = "events per tick are far below u32::MAX")]
        self.order
            .extend(self.events.iter().enumerate().map(|(i, e)| (e.locality, i as u32)));
        self.order.sort_unstable();
        self.sorted.clear();
        self.sorted.extend(self.order.iter().map(|&(_, i)| self.events[i as usize]));
        std::mem::swap(&mut self.events, &mut self.sorted);
    }

    /// Updates how much of each locality's violence people of each identity group perceive as aimed
    /// at them: the ratio of their smoothed attack hazard to the locality's civilian mean, capped.
    /// Violence that targets one group (Nuer civilians in Juba in December 2013) frightens that
    /// group into flight and into the sites, not everyone alike.
    fn learn_identity_threat(&mut self, scenario: &Scenario, totals: &[f64], ctx: &mut Context) {
        let lay = &ctx.layout;
        let p = &scenario.rules.community;
        let alpha = 1.0 - (-scenario.run.tick_length_days / p.identity_threat_days).exp();
        let ids = lay.identities;
        let row = ctx.row_len();
        let dt = scenario.run.tick_length_days;
        // A bias-corrected exponential mean: a running mean until the updates span the memory.
        self.fear_updates = self.fear_updates.saturating_add(1);
        let fear_alpha = (1.0 - (-dt / p.fear_memory_days).exp()).max(1.0 / f64::from(self.fear_updates));
        let per_30_days = 30.0 / dt * ctx.people_per_agent;
        for l in 0..self.identity_hazard.len() / ids.max(1) {
            let base = lay.base(l);
            let mut weighted = 0.0;
            let mut feared = 0.0;
            let mut civilians = 0.0;
            for i in 0..ids {
                let now = ctx.hazard[(l * ids + i) * row];
                let h = &mut self.identity_hazard[l * ids + i];
                *h += (now - *h) * alpha;
                let f = &mut self.fear_hazard[l * ids + i];
                *f += (now - *f) * fear_alpha;
                let c = totals[base + lay.off_civilians_by_identity + i];
                weighted += c * *h;
                feared += c * *f;
                civilians += c;
            }
            ctx.expected_victims[l] = feared * per_30_days;
            let mean = if civilians > 0.0 { weighted / civilians } else { 0.0 };
            let mean_feared = if civilians > 0.0 { feared / civilians } else { 0.0 };
            for i in 0..ids {
                ctx.identity_threat[l * ids + i] = if mean > 1e-15 {
                    (self.identity_hazard[l * ids + i] / mean).min(p.identity_threat_max_ratio)
                } else {
                    1.0
                };
                ctx.fear_threat[l * ids + i] = if mean_feared > 1e-15 {
                    (self.fear_hazard[l * ids + i] / mean_feared).min(p.identity_threat_max_ratio)
                } else {
                    1.0
                };
            }
        }
    }

    /// After the people pass: credits every realised victim to an event ([`Conflict::attribute`])
    /// and records child abductions as events.
    pub fn record_victims(&mut self, totals: &[f64], layout: &Layout, streams: &Streams, tick: u32, people_per_agent: f64) {
        self.attribute(totals, layout, streams, tick, people_per_agent);
        self.record_abductions(totals, layout, people_per_agent);
    }

    /// Splits the realised victims of the people pass among the events that could have caused
    /// them, in proportion to each event's expected toll (a seeded multinomial draw).
    fn attribute(&mut self, totals: &[f64], layout: &Layout, streams: &Streams, tick: u32, people_per_agent: f64) {
        let mut start = 0;
        while start < self.events.len() {
            let l = self.events[start].locality as usize;
            let mut end = start;
            while end < self.events.len() && self.events[end].locality as usize == l {
                end += 1;
            }
            let mut rng = streams.at(Phase::Attribution, l as u64, tick);
            let base = layout.base(l);
            for slot in 0..layout.slots {
                let matches = |e: &ViolentEvent| civilian_slot(e, layout) == Some(slot);
                for (kind, off) in [(0, layout.off_killed), (1, layout.off_injured), (2, layout.off_sexual_violence)] {
                    let realised = totals[base + off + slot];
                    if realised <= 0.0 {
                        continue;
                    }
                    self.split(
                        start,
                        end,
                        realised,
                        &mut rng,
                        |e| if matches(e) { e.expected_civilian_deaths.max(1e-9) } else { 0.0 },
                        |e, k| {
                            let people = k * people_per_agent;
                            match kind {
                                0 => e.fatalities += people,
                                1 => e.injuries += people,
                                _ => e.sexual_violence += people,
                            }
                        },
                    );
                }
            }
            for g in 0..layout.groups {
                let realised = totals[base + layout.off_fighter_deaths + g];
                if realised > 0.0 {
                    #[expect(clippy::cast_possible_truncation, reason = "group counts are capped")]
                    let actor = Actor::Group(g as u32);
                    self.split(
                        start,
                        end,
                        realised,
                        &mut rng,
                        |e| {
                            if e.perpetrator == actor {
                                e.expected_fighter_deaths[0]
                            } else if e.opponent == Some(actor) {
                                e.expected_fighter_deaths[1]
                            } else {
                                0.0
                            }
                        },
                        |e, k| e.fighter_fatalities += k * people_per_agent,
                    );
                }
            }
            start = end;
        }
    }

    fn split<R: Rng>(
        &mut self,
        start: usize,
        end: usize,
        realised: f64,
        rng: &mut R,
        weight: impl Fn(&ViolentEvent) -> f64,
        mut credit: impl FnMut(&mut ViolentEvent, f64),
    ) {
        self.weights.clear();
        self.weights.extend(self.events[start..end].iter().map(&weight));
        let total: f64 = self.weights.iter().sum();
        if total <= 0.0 {
            return;
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "realised counts are small non-negative integers"
        )]
        let count = realised.round() as u64;
        for _ in 0..count {
            let i = crate::rng::pick_weighted(&self.weights, uniform(rng));
            credit(&mut self.events[start + i], 1.0);
        }
    }

    /// Records abductions as one event per (locality, group) with any.
    fn record_abductions(&mut self, totals: &[f64], layout: &Layout, people_per_agent: f64) {
        for l in 0..layout.localities {
            for g in 0..layout.groups {
                let k = totals[layout.base(l) + layout.off_abductions + g];
                if k > 0.0 {
                    #[expect(clippy::cast_possible_truncation, reason = "group counts are capped")]
                    let mut e = ViolentEvent::new(l, EventType::ChildAbduction, Actor::Group(g as u32));
                    e.abductions = k * people_per_agent;
                    self.events.push(e);
                }
            }
        }
    }
}

/// The read-only inputs of one tick's acts.
struct Acts<'a> {
    scenario: &'a Scenario,
    world: &'a World,
    read: Presence<'a>,
    hazards: Hazards,
    streams: &'a Streams,
    tick: u32,
    /// Tick whose random streams the acts draw from: `tick`, except when the start recalls the
    /// violence of the months before it ([`Conflict::recall_feared_violence`]).
    stream_tick: u32,
}

/// What the acts read of the last people pass: who is where, in people.
struct Presence<'a> {
    totals: &'a [f64],
    layout: &'a Layout,
    people_per_agent: f64,
    site_shield_share: f64,
    guard_posture: &'a [f64],
}

impl Presence<'_> {
    /// Fighters of group `g` at `l`.
    fn fighters(&self, l: usize, g: usize) -> f64 {
        self.totals[self.layout.base(l) + self.layout.off_fighters + g] * self.people_per_agent
    }

    /// Share of the threat around a protection site that its guard force keeps out.
    fn shield(&self, l: usize) -> f64 {
        self.site_shield_share * self.guard_posture[l]
    }

    /// People of identity `i` exposed to attacks on `l`: civilians outside the site, plus site
    /// residents weighted by the share of the threat that gets through the guard force.
    fn exposed(&self, l: usize, i: usize) -> f64 {
        let base = self.layout.base(l);
        (self.totals[base + self.layout.off_civilians_by_identity + i]
            + self.totals[base + self.layout.off_site_by_identity + i] * (1.0 - self.shield(l)))
            * self.people_per_agent
    }

    /// Everyone exposed to attacks on `l`.
    fn civilians(&self, l: usize) -> f64 {
        (0..self.layout.identities).map(|i| self.exposed(l, i)).sum::<f64>()
    }

    /// People exposed to attacks on `l` of the identities a group is hostile to.
    fn hostile_exposed(&self, l: usize, hostile_to: &[bool]) -> f64 {
        (0..self.layout.identities)
            .filter(|&i| hostile_to[i])
            .map(|i| self.exposed(l, i))
            .sum()
    }

    /// Site residents at `l` of the identities a group is hostile to.
    fn hostile_in_site(&self, l: usize, hostile_to: &[bool]) -> f64 {
        (0..self.layout.identities)
            .filter(|&i| hostile_to[i])
            .map(|i| self.totals[self.layout.base(l) + self.layout.off_site_by_identity + i])
            .sum::<f64>()
            * self.people_per_agent
    }
}

/// The shape of the per-person hazard tables: one row per (locality, identity), holding the
/// total, then the kill hazard per perpetrator slot, then the injury hazard per slot.
struct Hazards {
    identities: usize,
    row: usize,
    slots: usize,
    injuries_per_fatality: f64,
    flight_per_death: f64,
}

impl Hazards {
    /// Adds the hazard of `deaths` expected among `denominator` people at `l` from perpetrator
    /// `slot`, for everyone there or only for the identities marked in `hostile`.
    fn add(&self, table: &mut [f64], l: usize, slot: usize, deaths: f64, hostile: Option<&[bool]>, denominator: f64) {
        if deaths <= 0.0 || denominator <= 0.0 {
            return;
        }
        let h = deaths / denominator;
        for i in self.threatened(hostile) {
            let at = (l * self.identities + i) * self.row;
            table[at + 1 + slot] += h;
            table[at + 1 + self.slots + slot] += h * self.injuries_per_fatality;
        }
    }

    /// [`Hazards::add`] into `ctx.hazard`, and the flight those killings set off into
    /// `ctx.attack_flight`: the deaths times the people who flee per death, as a share of the same
    /// people. A count per death, not a share of the locality: the same attack moves the same
    /// number of people however the place is cut. For attacks on civilians outside sites and
    /// battles' crossfire.
    fn add_with_flight(&self, ctx: &mut Context, l: usize, slot: usize, deaths: f64, hostile: Option<&[bool]>, denominator: f64) {
        self.add(&mut ctx.hazard, l, slot, deaths, hostile, denominator);
        if deaths <= 0.0 || denominator <= 0.0 || self.flight_per_death <= 0.0 {
            return;
        }
        let share = deaths * self.flight_per_death / denominator;
        for i in self.threatened(hostile) {
            ctx.attack_flight[l * self.identities + i] += share;
        }
    }

    /// The identities an act threatens: all, or those marked in `hostile`.
    fn threatened<'a>(&self, hostile: Option<&'a [bool]>) -> impl Iterator<Item = usize> + 'a {
        (0..self.identities).filter(move |&i| hostile.is_none_or(|m| m[i]))
    }
}

/// Site residents are shielded from the surrounding attacks by the guard force and exposed to
/// attacks on the site; then every hazard row gets its total.
fn shield_site_residents(acts: &Acts<'_>, ctx: &mut Context) {
    let row = acts.hazards.row;
    let ids = acts.hazards.identities;
    for l in 0..acts.world.localities.len {
        if !acts.world.localities.has_site(l) {
            continue;
        }
        let through = 1.0 - acts.read.shield(l);
        for i in 0..ids {
            let at = (l * ids + i) * row;
            for s in 1..row {
                ctx.hazard_site[at + s] += ctx.hazard[at + s] * through;
            }
        }
    }
    for table in [&mut ctx.hazard, &mut ctx.hazard_site] {
        for chunk in table.chunks_exact_mut(row) {
            chunk[0] = chunk[1..].iter().sum();
        }
    }
}

/// The civilian perpetrator slot an event's deaths are counted in.
fn civilian_slot(e: &ViolentEvent, layout: &Layout) -> Option<usize> {
    match (e.kind, e.perpetrator) {
        (EventType::Battle, _) => Some(layout.crossfire_slot()),
        (EventType::Offensive | EventType::Riot, _) => Some(layout.mission_slot()),
        (EventType::Attack | EventType::IdentityAttack | EventType::SpoilerAttack | EventType::SiteAttack, Actor::Group(g)) => {
            Some(g as usize)
        }
        _ => None,
    }
}

fn count_identity_attacks(hostile: &[bool], l: usize, ids: usize, attacks: f64, counts: &mut [f64]) {
    for i in 0..ids {
        if hostile[i] {
            counts[l * ids + i] += attacks;
        }
    }
}

/// Updates group resources: loot from predation, upkeep of fighters. Returns nothing; called after the pass.
pub fn update_resources(scenario: &Scenario, world: &mut World, events: &[ViolentEvent]) {
    let r = &scenario.rules.recruitment;
    let dt = scenario.run.tick_length_days;
    // One raid loots the village it strikes, whatever the size of the locality the village lies
    // in: loot scaled by the locality's whole population would make a group's income depend on
    // how localities are cut (and made groups in localities of 600,000 people rich in months).
    for e in events {
        if let (EventType::Attack | EventType::SpoilerAttack, Actor::Group(g)) = (e.kind, e.perpetrator) {
            let l = e.locality as usize;
            world.groups.resources_usd[g as usize] +=
                r.loot_usd_per_attack * 0.5 * (world.localities.lootable[l] + world.localities.market[l]);
        }
    }
    for g in 0..world.groups.len {
        world.groups.resources_usd[g] =
            (world.groups.resources_usd[g] - r.upkeep_usd_per_fighter_day * world.groups.fighters[g] * dt).max(0.0);
    }
}
