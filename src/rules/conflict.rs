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

use crate::engine::accum::Layout;
use crate::model::World;
use crate::rng::{Phase, Streams, poisson, uniform};
use crate::scenario::{Mandate, Scenario};

use super::person::Context;
use super::{battles, legitimacy, planning, targeting};

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
    /// Effective armed presence per locality (own plus neighbours' share), troop equivalents.
    pub effective_presence: Vec<f64>,
    /// Effective troops only (for interposition), per locality.
    pub effective_troops: Vec<f64>,
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
    proximity: Vec<f64>,
    net: Vec<f64>,
    shares: Vec<f64>,
    order: Vec<(u32, u32)>,
    sorted: Vec<ViolentEvent>,
    weights: Vec<f64>,
}

impl Conflict {
    /// Allocates scratch for a scenario.
    #[must_use]
    pub fn new(scenario: &Scenario) -> Self {
        let n = scenario.localities.len();
        Self {
            deterrence: vec![0.0; n],
            site_deterrence: vec![0.0; n],
            effective_presence: vec![0.0; n],
            effective_troops: vec![0.0; n],
            identity_attacks: vec![0.0; n],
            identity_hazard: vec![0.0; n * scenario.identity_groups.len()],
            proximity: vec![0.0; n],
            net: vec![0.0; 2 * n],
            shares: vec![0.0; 2 * n],
            events: Vec::with_capacity(1024),
            order: Vec::with_capacity(1024),
            sorted: Vec::with_capacity(1024),
            weights: Vec::with_capacity(64),
            ..Self::default()
        }
    }

    /// Computes mission deterrence per locality from the current deployment.
    pub fn compute_deterrence(&mut self, scenario: &Scenario, world: &World, tick: u32) {
        let p = &scenario.rules.targeting;
        let n = world.localities.len;
        self.deterrence.iter_mut().for_each(|d| *d = 0.0);
        self.site_deterrence.iter_mut().for_each(|d| *d = 0.0);
        self.effective_presence.iter_mut().for_each(|d| *d = 0.0);
        self.effective_troops.iter_mut().for_each(|d| *d = 0.0);
        let Some(m) = &world.mission else { return };
        let radius = scenario.rules.mission.coverage_radius_km;
        for l in 0..n {
            let own = targeting::armed_presence(m.troops_at[l], m.police_at[l], p.police_deterrence_weight);
            let mut eff = own;
            let mut troops = m.troops_at[l];
            for (k, d) in world.graph.links_of(l) {
                if d <= radius {
                    eff +=
                        p.neighbour_presence_share * targeting::armed_presence(m.troops_at[k], m.police_at[k], p.police_deterrence_weight);
                    troops += p.neighbour_presence_share * m.troops_at[k];
                }
            }
            self.effective_presence[l] = eff;
            self.effective_troops[l] = if m.mandate == Mandate::Observer { 0.0 } else { troops };
        }
        let factor = targeting::mandate_factor(p, m.mandate);
        let posture = planning::effective_posture(m, &scenario.rules.legitimacy, tick, scenario.run.tick_length_days);
        for l in 0..n {
            self.deterrence[l] = targeting::deterrence(self.effective_presence[l], p.troops_deterrence_scale, factor, posture, m.tempo);
            if world.localities.has_site(l) {
                let guard = world.localities.site_guard_posture[l].min(posture.max(scenario.rules.legitimacy.limited_posture_share));
                self.site_deterrence[l] =
                    targeting::deterrence(self.effective_presence[l], p.troops_deterrence_scale, factor, guard, m.tempo);
            }
        }
    }

    /// Draws this tick's acts and fills the hazard tables of `ctx`.
    #[expect(
        clippy::too_many_lines,
        reason = "one pass over groups, pairs, mission and crowds; each part is labelled"
    )]
    pub fn resolve(&mut self, scenario: &Scenario, world: &World, totals: &[f64], streams: &Streams, tick: u32, ctx: &mut Context) {
        let lay: &Layout = &ctx.layout;
        let n = world.localities.len;
        let ids = lay.identities;
        let groups = lay.groups;
        let ppa = scenario.population.people_per_agent;
        let dt = scenario.run.tick_length_days;
        let row = ctx.row_len();
        let r = &scenario.rules;
        self.events.clear();
        self.prevented_state_attacks = 0.0;
        self.offensives_on_state = 0.0;
        self.peacekeeper_deaths = 0.0;
        self.identity_attacks.iter_mut().for_each(|x| *x = 0.0);
        ctx.hazard.iter_mut().for_each(|x| *x = 0.0);
        ctx.hazard_site.iter_mut().for_each(|x| *x = 0.0);
        ctx.fighter_hazard.iter_mut().for_each(|x| *x = 0.0);

        let fighters_at = |l: usize, g: usize| totals[lay.base(l) + lay.off_fighters + g] * ppa;
        // People exposed to attacks on a locality: civilians outside the site, plus site residents
        // weighted by the share of the threat that gets through the guard force.
        let shield = |l: usize| r.displacement.site_shield_share * world.localities.site_guard_posture[l];
        let exposed = |l: usize, i: usize| {
            (totals[lay.base(l) + lay.off_civilians_by_identity + i]
                + totals[lay.base(l) + lay.off_site_by_identity + i] * (1.0 - shield(l)))
                * ppa
        };
        let civilians_at = |l: usize| (0..ids).map(|i| exposed(l, i)).sum::<f64>();
        let mission_slot = lay.mission_slot();
        let crossfire_slot = lay.crossfire_slot();
        let ipf = r.targeting.injuries_per_fatality;

        // Adds a civilian hazard for everyone (outside sites) at l, or only for the listed identities.
        let add_hazard = |table: &mut [f64], l: usize, slot: usize, deaths: f64, hostile: Option<&[bool]>, denominator: f64| {
            if deaths <= 0.0 || denominator <= 0.0 {
                return;
            }
            let h = deaths / denominator;
            for i in 0..ids {
                if hostile.is_none_or(|m| m[i]) {
                    let at = (l * ids + i) * row;
                    table[at + 1 + slot] += h;
                    table[at + 1 + lay.slots + slot] += h * ipf;
                }
            }
        };

        // Groups: attacks on civilians and on sites (D3, D4, D6, D9).
        for (g, spec) in scenario.armed_groups.iter().enumerate() {
            if !world.groups.active[g] {
                continue;
            }
            let total_fighters: f64 = (0..n).map(|l| fighters_at(l, g)).sum();
            if total_fighters <= 0.0 {
                continue;
            }
            self.proximity.iter_mut().for_each(|x| *x = 0.0);
            for l in 0..n {
                if fighters_at(l, g) >= r.targeting.min_presence_fighters.max(ppa * 0.5) {
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
            // Values of each option: general (index l) and site (index n + l).
            for l in 0..n {
                self.net[l] = 0.0;
                self.net[n + l] = 0.0;
                if self.proximity[l] <= 0.0 {
                    continue;
                }
                let civ = civilians_at(l);
                let hostile: f64 = (0..ids).filter(|&i| spec.hostile_to[i]).map(|i| exposed(l, i)).sum();
                let v = targeting::target_value(
                    &r.targeting,
                    civ,
                    world.groups.predation[g],
                    world.localities.lootable[l],
                    world.localities.market[l],
                    hostile,
                    world.localities.tension[l],
                    spec.spoiler,
                    visible(l),
                );
                let s = targeting::sensitivity(
                    spec.deterrence_sensitivity,
                    spec.state_aligned,
                    r.targeting.state_leverage_share,
                    engagement(l),
                );
                self.net[l] = targeting::net_attractiveness(v.total(), s, self.deterrence[l], self.proximity[l]);
                if world.localities.has_site(l) && spec.attacks_sites > 0.0 {
                    let hostile_site: f64 = (0..ids)
                        .filter(|&i| spec.hostile_to[i])
                        .map(|i| totals[lay.base(l) + lay.off_site_by_identity + i])
                        .sum::<f64>()
                        * ppa;
                    let sv = targeting::site_value(&r.targeting, hostile_site, spec.attacks_sites);
                    self.net[n + l] = targeting::net_attractiveness(sv, s, self.site_deterrence[l], self.proximity[l]);
                }
            }
            targeting::allocate(&self.net, r.targeting.concentration, &mut self.shares);
            let capacity = total_fighters / 100.0 * spec.attack_rate_per_100_fighters_day * dt;
            let lethality_base = spec.kills_per_attack * (1.5 - spec.discipline);
            for option in 0..2 * n {
                let share = self.shares[option];
                if share <= 0.0 {
                    continue;
                }
                let l = option % n;
                let is_site = option >= n;
                let s = targeting::sensitivity(
                    spec.deterrence_sensitivity,
                    spec.state_aligned,
                    r.targeting.state_leverage_share,
                    engagement(l),
                );
                let d = if is_site { self.site_deterrence[l] } else { self.deterrence[l] };
                let lambda = capacity * share * (1.0 - s * d);
                if spec.state_aligned {
                    self.prevented_state_attacks += capacity * share * s * d;
                }
                let stream = ((g * n + l) * 8 + usize::from(is_site)) as u64;
                let mut rng = streams.at(Phase::Conflict, stream, tick);
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
                    let hostile_site: f64 = (0..ids)
                        .filter(|&i| spec.hostile_to[i])
                        .map(|i| totals[lay.base(l) + lay.off_site_by_identity + i])
                        .sum::<f64>()
                        * ppa;
                    for _ in 0..count {
                        let mut e = ViolentEvent::new(l, EventType::SiteAttack, actor);
                        e.expected_civilian_deaths = lethality;
                        self.events.push(e);
                        add_hazard(&mut ctx.hazard_site, l, g, lethality, Some(&spec.hostile_to), hostile_site);
                        self.identity_attacks[l] += 1.0;
                    }
                    mark_identity_attack(&spec.hostile_to, l, ids, &mut ctx.identity_attacked);
                    continue;
                }
                let civ = civilians_at(l);
                let hostile: f64 = (0..ids).filter(|&i| spec.hostile_to[i]).map(|i| exposed(l, i)).sum();
                let v = targeting::target_value(
                    &r.targeting,
                    civ,
                    world.groups.predation[g],
                    world.localities.lootable[l],
                    world.localities.market[l],
                    hostile,
                    world.localities.tension[l],
                    spec.spoiler,
                    visible(l),
                );
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
                        add_hazard(&mut ctx.hazard, l, g, lethality, Some(&spec.hostile_to), hostile);
                        self.identity_attacks[l] += 1.0;
                        mark_identity_attack(&spec.hostile_to, l, ids, &mut ctx.identity_attacked);
                    } else {
                        add_hazard(&mut ctx.hazard, l, g, lethality, None, civ);
                    }
                }
            }
        }

        // Battles (D5): each group attacks enemy positions within its reach; troops interposed at
        // the position lower the rate. Attackers' losses fall on their fighters near the position.
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
                    let defenders = fighters_at(l, h);
                    if defenders < r.targeting.min_presence_fighters {
                        continue;
                    }
                    let attackers: f64 = std::iter::once((l, 0.0))
                        .chain(world.graph.nearby_of(l))
                        .map(|(k, d)| fighters_at(k, g) * weight(d))
                        .sum();
                    if attackers < r.targeting.min_presence_fighters {
                        continue;
                    }
                    let interposition = battles::interposition(&r.battles, self.effective_troops[l]);
                    let lambda = battles::battle_rate(&r.battles, attackers, defenders, interposition, dt);
                    let stream = ((g * groups + h) * n + l) as u64 * 8 + 2;
                    let mut rng = streams.at(Phase::Conflict, stream, tick);
                    let count = poisson(&mut rng, lambda);
                    if count == 0 {
                        continue;
                    }
                    let (s_attacker, s_defender) = battles::death_shares(attackers, defenders);
                    let civ = civilians_at(l);
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
                            if w > 0.0 && fighters_at(k, g) > 0.0 {
                                ctx.fighter_hazard[k * groups + g] += e.expected_fighter_deaths[0] * w / attackers;
                            }
                        }
                        add_hazard(&mut ctx.hazard, l, crossfire_slot, r.battles.crossfire_deaths_per_battle, None, civ);
                    }
                }
            }
        }

        // The mission: offensives (robust only), attacks on it, protests and riots against it.
        if let Some(m) = &world.mission {
            let posture = planning::effective_posture(m, &r.legitimacy, tick, dt);
            let robust = m.mandate == Mandate::Robust;
            for l in 0..n {
                let present = m.troops_at[l] + m.police_at[l] > 0.0;
                if !present {
                    continue;
                }
                let civ = civilians_at(l);
                // Offensive operations against the largest hostile group here.
                if robust && m.troops_at[l] > 0.0 {
                    let target = (0..groups)
                        .filter(|&g| world.groups.active[g] && (!scenario.armed_groups[g].state_aligned || m.spec.offensive_targets_state))
                        .filter(|&g| fighters_at(l, g) >= r.targeting.min_presence_fighters)
                        .max_by(|&a, &b| fighters_at(l, a).total_cmp(&fighters_at(l, b)).then(b.cmp(&a)));
                    if let Some(g) = target {
                        let lambda = battles::offensive_rate(&r.battles, self.effective_troops[l], posture, robust, dt) * m.tempo;
                        let mut rng = streams.at(Phase::Conflict, (n * groups * groups + l) as u64 * 8 + 3, tick);
                        let count = poisson(&mut rng, lambda);
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
                            ctx.fighter_hazard[l * groups + g] += r.battles.offensive_fighter_deaths / fighters_at(l, g);
                            add_hazard(&mut ctx.hazard, l, mission_slot, r.battles.offensive_collateral_deaths, None, civ);
                            if scenario.armed_groups[g].state_aligned {
                                self.offensives_on_state += 1.0;
                            }
                        }
                    }
                }
                // Attacks on mission units by groups within reach.
                for (g, spec) in scenario.armed_groups.iter().enumerate() {
                    if !world.groups.active[g] || spec.attacks_mission <= 0.0 {
                        continue;
                    }
                    let near: f64 = std::iter::once((l, 0.0))
                        .chain(world.graph.nearby_of(l))
                        .filter(|&(_, d)| d <= spec.reach_km)
                        .map(|(k, _)| fighters_at(k, g))
                        .sum();
                    let lambda = battles::attack_on_mission_rate(&r.battles, near, spec.attacks_mission, dt);
                    let mut rng = streams.at(Phase::Conflict, ((n * groups * groups + n + l) * groups + g) as u64 * 8 + 4, tick);
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
                // Protests and riots where trust has collapsed (D8 ii).
                let alive = totals[lay.base(l) + crate::engine::accum::field::ALIVE];
                let mobilised_share = if alive > 0.0 {
                    totals[lay.base(l) + crate::engine::accum::field::MOBILISED] / alive
                } else {
                    0.0
                };
                let lambda = legitimacy::protest_rate(&r.legitimacy, world.localities.trust_in_mission[l], mobilised_share, dt);
                let mut rng = streams.at(Phase::Conflict, (n * groups * groups * 2 + n * 2 + l) as u64 * 8 + 5, tick);
                let count = poisson(&mut rng, lambda);
                for _ in 0..count {
                    if uniform(&mut rng) < r.legitimacy.riot_share {
                        let mut e = ViolentEvent::new(l, EventType::Riot, Actor::Crowd);
                        e.opponent = Some(Actor::Mission);
                        e.expected_civilian_deaths = r.legitimacy.riot_mission_fatalities;
                        e.peacekeeper_fatalities = f64::from(poisson(&mut rng, r.legitimacy.riot_peacekeeper_fatalities));
                        self.peacekeeper_deaths += e.peacekeeper_fatalities;
                        self.events.push(e);
                        add_hazard(&mut ctx.hazard, l, mission_slot, r.legitimacy.riot_mission_fatalities, None, civ);
                    } else {
                        let mut e = ViolentEvent::new(l, EventType::Protest, Actor::Crowd);
                        e.opponent = Some(Actor::Mission);
                        self.events.push(e);
                    }
                }
            }
        }

        // Site residents: shielded from the surrounding attacks by the guard force, exposed to site attacks.
        for l in 0..n {
            if !world.localities.has_site(l) {
                continue;
            }
            let through = 1.0 - shield(l);
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
        self.learn_identity_threat(scenario, totals, ctx);

        // DETERMINISM: events sorted by (locality, creation order) without allocating.
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
        for l in 0..self.identity_hazard.len() / ids.max(1) {
            let base = lay.base(l);
            let mut weighted = 0.0;
            let mut civilians = 0.0;
            for i in 0..ids {
                let h = &mut self.identity_hazard[l * ids + i];
                *h += (ctx.hazard[(l * ids + i) * row] - *h) * alpha;
                let c = totals[base + lay.off_civilians_by_identity + i];
                weighted += c * *h;
                civilians += c;
            }
            let mean = if civilians > 0.0 { weighted / civilians } else { 0.0 };
            for i in 0..ids {
                ctx.identity_threat[l * ids + i] = if mean > 1e-15 {
                    (self.identity_hazard[l * ids + i] / mean).min(p.identity_threat_max_ratio)
                } else {
                    1.0
                };
            }
        }
    }

    /// Splits the realised victims of the people pass among the events that could have caused
    /// them, in proportion to each event's expected toll (a seeded multinomial draw).
    pub fn attribute(&mut self, totals: &[f64], layout: &Layout, streams: &Streams, tick: u32, people_per_agent: f64) {
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
    pub fn record_abductions(&mut self, totals: &[f64], layout: &Layout, people_per_agent: f64) {
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

fn mark_identity_attack(hostile: &[bool], l: usize, ids: usize, attacked: &mut [bool]) {
    for i in 0..ids {
        if hostile[i] {
            attacked[l * ids + i] = true;
        }
    }
}

/// Updates group resources: loot from predation, upkeep of fighters. Returns nothing; called after the pass.
pub fn update_resources(scenario: &Scenario, world: &mut World, events: &[ViolentEvent], totals: &[f64], layout: &Layout) {
    let r = &scenario.rules.recruitment;
    let dt = scenario.run.tick_length_days;
    let ppa = scenario.population.people_per_agent;
    for e in events {
        if let (EventType::Attack | EventType::SpoilerAttack, Actor::Group(g)) = (e.kind, e.perpetrator) {
            let l = e.locality as usize;
            let civ: f64 = (0..layout.identities)
                .map(|i| totals[layout.base(l) + layout.off_civilians_by_identity + i])
                .sum::<f64>()
                * ppa;
            world.groups.resources_usd[g as usize] +=
                r.loot_usd_per_attack_per_1000 * civ / 1000.0 * 0.5 * (world.localities.lootable[l] + world.localities.market[l]);
        }
    }
    for g in 0..world.groups.len {
        world.groups.resources_usd[g] =
            (world.groups.resources_usd[g] - r.upkeep_usd_per_fighter_day * world.groups.fighters[g] * dt).max(0.0);
    }
}
