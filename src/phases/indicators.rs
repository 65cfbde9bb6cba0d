//! Phase 10: the human-security indicators of a tick, for the nation, each locality and subgroups.
//!
//! Record types are declared with the `record!` macro, which keeps each column's name, unit and
//! meaning next to its field so that the CSV header, the ODD and the values cannot drift apart.
//! Every count is reported in people (agents times `people_per_agent`). Flows (deaths, events,
//! arrivals) are per tick; stocks (displaced, fighters, trust) are at the end of the tick.

use super::aggregates::{FIXED_SUBGROUPS, Layout, SUBGROUP_STRIDE, field};
use crate::model::World;
use crate::pillar::Pillar;
use crate::scenario::{GroupKind, Scenario};

use super::conflict::{Conflict, EventType};
use crate::mechanisms::deprivation::{self, AfSummary};

macro_rules! record {
    (
        $(#[doc = $sdoc:literal])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $field:ident [$unit:literal],
            )*
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            $(
                $(#[doc = $doc])*
                pub $field: f64,
            )*
        }

        impl $name {
            /// Column names, in output order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($field)),*];
            /// Unit of each column.
            pub const UNITS: &'static [&'static str] = &[$($unit),*];
            /// Meaning of each column.
            pub const MEANINGS: &'static [&'static str] = &[$(concat!($($doc),*)),*];

            /// Appends the values in output order.
            pub fn push_values(&self, out: &mut Vec<f64>) {
                $( out.push(self.$field); )*
            }

            /// Value of a column by name.
            #[must_use]
            pub fn get(&self, name: &str) -> Option<f64> {
                match name {
                    $( stringify!($field) => Some(self.$field), )*
                    _ => None,
                }
            }
        }
    };
}

record! {
    /// National indicators of one tick (one row of `timeseries.csv`).
    pub struct Indicators {
        /// Living people.
        population ["people"],
        /// Deaths this tick, all causes.
        deaths ["people"],
        /// Crude mortality rate (emergency above 1 or above twice the baseline).
        crude_mortality_per_10k_day ["deaths/10,000/day"],
        /// Excess mortality: the crude rate minus the scenario's background rate (`rules.health.baseline_mortality_per_10k_day`), the humanitarian convention.
        excess_mortality_per_10k_day ["deaths/10,000/day"],
        /// Births this tick (the newborns are counted in `population` from the next tick).
        births ["people"],
        /// Crude birth rate.
        crude_birth_rate_per_10k_day ["births/10,000/day"],
        /// Armed groups whose ceasefire holds.
        groups_at_ceasefire ["groups"],
        /// Ceasefires that broke down this tick (the group fights again).
        ceasefire_breakdowns ["groups"],
        /// Births so far that found no reserved row (cumulative; 0 unless a run outgrows its reserve, which holds twice the starting population: about 25 years at the highest birth rates).
        births_unplaced ["people"],
        /// Share deprived in personal security.
        deprived_personal_share ["share"],
        /// Share deprived in community security.
        deprived_community_share ["share"],
        /// Share deprived in political security.
        deprived_political_share ["share"],
        /// Share deprived in economic security.
        deprived_economic_share ["share"],
        /// Share deprived in food security (food-insecure share).
        deprived_food_share ["share"],
        /// Share deprived in health security.
        deprived_health_share ["share"],
        /// Share deprived in environmental security.
        deprived_environmental_share ["share"],
        /// Alkire-Foster headcount ratio H: share with deprivation score at least k.
        af_headcount_h ["share"],
        /// Alkire-Foster intensity A: mean score among the identified.
        af_intensity_a ["share"],
        /// Alkire-Foster adjusted headcount M0 = H x A (the headline human-insecurity index).
        af_m0 ["index 0-1"],
        /// Contribution of personal security to M0.
        contribution_personal ["share of M0"],
        /// Contribution of community security to M0.
        contribution_community ["share of M0"],
        /// Contribution of political security to M0.
        contribution_political ["share of M0"],
        /// Contribution of economic security to M0.
        contribution_economic ["share of M0"],
        /// Contribution of food security to M0.
        contribution_food ["share of M0"],
        /// Contribution of health security to M0.
        contribution_health ["share of M0"],
        /// Contribution of environmental security to M0.
        contribution_environmental ["share of M0"],
        /// Share vulnerable: score at least 1/5 but below k.
        vulnerable_share ["share"],
        /// Share severely insecure: score at least 1/2.
        severe_share ["share"],
        /// Civilians killed by rebel groups this tick (one-sided violence).
        civilian_fatalities_rebel ["people"],
        /// Civilians killed by militias this tick.
        civilian_fatalities_militia ["people"],
        /// Civilians killed by host-state forces this tick.
        civilian_fatalities_state ["people"],
        /// Civilians killed by the mission this tick (offensives, riot response).
        civilian_fatalities_mission ["people"],
        /// Civilians killed in crossfire during battles this tick.
        civilian_fatalities_crossfire ["people"],
        /// Civilians injured by violence this tick.
        civilian_injuries ["people"],
        /// Battle-related deaths this tick (fighters plus civilians in crossfire, UCDP).
        battle_deaths ["people"],
        /// Fighters killed this tick.
        fighter_deaths ["people"],
        /// Attacks on civilians this tick (all violence-against-civilians sub-events except abductions).
        attacks_on_civilians ["events"],
        /// Attacks on protection sites this tick.
        site_attacks ["events"],
        /// Battles between armed groups this tick.
        battles ["events"],
        /// Mission offensive operations this tick.
        offensives ["events"],
        /// Attacks on mission units this tick.
        attacks_on_mission ["events"],
        /// Protests against the mission this tick.
        protests ["events"],
        /// Riots against the mission this tick.
        riots ["events"],
        /// Peacekeepers killed this tick.
        peacekeeper_fatalities ["people"],
        /// Victims of sexual violence this tick (sub-event of attacks).
        sexual_violence_victims ["people"],
        /// Children abducted for recruitment this tick.
        child_abductions ["people"],
        /// Displaced people (host communities and sites).
        displaced ["people"],
        /// Displaced people living in host communities.
        displaced_host ["people"],
        /// People living in protection sites.
        in_sites ["people"],
        /// People newly displaced this tick.
        newly_displaced ["people"],
        /// People who returned home this tick.
        returns ["people"],
        /// New epidemic infections this tick (incidence).
        epidemic_incidence ["people"],
        /// Exposed people.
        epidemic_exposed ["people"],
        /// Infectious people (prevalence).
        epidemic_infectious ["people"],
        /// Recovered, immune people.
        epidemic_recovered ["people"],
        /// Epidemic deaths this tick.
        epidemic_deaths ["people"],
        /// Mean income.
        mean_income ["subsistence lines"],
        /// Fighters in all armed groups.
        fighters ["people"],
        /// People who joined armed groups this tick.
        recruits ["people"],
        /// Fighters who left armed groups this tick.
        desertions ["people"],
        /// Share of people mobilised (Epstein-active).
        mobilised_share ["share"],
        /// People in detention.
        detained ["people"],
        /// Arrests this tick.
        arrests ["people"],
        /// Mean trust in the mission (population-weighted).
        trust_in_mission ["share"],
        /// Mean trust in the state (population-weighted).
        trust_in_state ["share"],
        /// Mean local support for non-state armed groups.
        armed_group_support ["share"],
        /// Host-state consent to the mission.
        host_consent ["share"],
        /// Mean perceived insecurity.
        perceived_insecurity ["index 0-1"],
        /// Share who feel insecure (perceived insecurity at or above the indicator threshold).
        feel_insecure_share ["share"],
        /// Mean inter-group tension (population-weighted).
        tension ["index 0-1"],
        /// Mean early-warning coverage (population-weighted).
        early_warning_coverage ["share"],
        /// Troops deployed.
        troops_deployed ["people"],
        /// Police deployed.
        police_deployed ["people"],
        /// Military observers deployed.
        observers_deployed ["people"],
        /// Civilian staff deployed.
        civilians_deployed ["people"],
        /// Cost of the deployed personnel this tick (paid before operations and programmes).
        spend_personnel_usd ["US$"],
        /// Protection spending this tick: operations (patrols, flights, fuel) of the deployed troops and police.
        spend_protection_usd ["US$"],
        /// Health spending this tick.
        spend_health_usd ["US$"],
        /// Economic spending this tick.
        spend_economic_usd ["US$"],
        /// Empowerment spending this tick.
        spend_empowerment_usd ["US$"],
        /// Share of people within reach of a deployed unit.
        coverage_share ["share"],
        /// Operational tempo: the share of deployed troops and police whose operations the protection budget pays for.
        mission_tempo ["share"],
    }
}

record! {
    /// Indicators of one locality at one tick (one row of `localities.csv`).
    pub struct LocalityIndicators {
        /// Living people present.
        population ["people"],
        /// Displaced people from elsewhere present (host community or site).
        newcomers ["people"],
        /// Displaced people living in host communities here.
        displaced_host ["people"],
        /// People living in the protection site here.
        in_site ["people"],
        /// Share deprived in personal security.
        deprived_personal_share ["share"],
        /// Share deprived in community security.
        deprived_community_share ["share"],
        /// Share deprived in political security.
        deprived_political_share ["share"],
        /// Share deprived in economic security.
        deprived_economic_share ["share"],
        /// Share deprived in food security.
        deprived_food_share ["share"],
        /// Share deprived in health security.
        deprived_health_share ["share"],
        /// Share deprived in environmental security.
        deprived_environmental_share ["share"],
        /// Alkire-Foster headcount ratio H.
        af_headcount_h ["share"],
        /// Alkire-Foster M0.
        af_m0 ["index 0-1"],
        /// Civilians killed here this tick (all perpetrators, crossfire included).
        civilian_fatalities ["people"],
        /// Civilians injured here this tick.
        civilian_injuries ["people"],
        /// Fighters killed here this tick.
        fighter_deaths ["people"],
        /// Violent events here this tick.
        violent_events ["events"],
        /// Trust in the mission.
        trust_in_mission ["share"],
        /// Trust in the state.
        trust_in_state ["share"],
        /// Support for non-state armed groups.
        armed_group_support ["share"],
        /// Health access (with mission programmes).
        health_access ["share"],
        /// Market functioning.
        market ["share"],
        /// Inter-group tension.
        tension ["index 0-1"],
        /// Social cohesion.
        cohesion ["index 0-1"],
        /// Early-warning coverage.
        early_warning ["share"],
        /// Troops deployed here.
        troops ["people"],
        /// Police deployed here.
        police ["people"],
        /// Mission deterrence here.
        deterrence ["index 0-1"],
        /// Infectious people here.
        epidemic_infectious ["people"],
        /// Mean perceived insecurity of the people here.
        perceived_insecurity ["index 0-1"],
        /// Share who feel insecure.
        feel_insecure_share ["share"],
        /// Share mobilised.
        mobilised_share ["share"],
        /// Fighters present here (all groups).
        fighters_present ["people"],
        /// Protection spending here this tick.
        spend_protection_usd ["US$"],
        /// Health spending here this tick.
        spend_health_usd ["US$"],
        /// Economic spending here this tick.
        spend_economic_usd ["US$"],
        /// Empowerment spending here this tick.
        spend_empowerment_usd ["US$"],
    }
}

/// Alkire-Foster indicators of one subgroup at one tick (one row of `subgroups.csv`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubgroupIndicators {
    /// Dimension of disaggregation: `identity`, `sex`, `age_band` or `displacement`.
    pub dimension: &'static str,
    /// Subgroup index within the scenario's subgroups.
    pub index: usize,
    /// Living people.
    pub population: f64,
    /// Alkire-Foster summary.
    pub af: AfSummary,
}

/// Per-armed-group indicators of one tick (extra columns of `timeseries.csv`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupIndicators {
    /// Fighters, per group.
    pub fighters: Vec<f64>,
    /// Civilians killed this tick, per group.
    pub civilian_fatalities: Vec<f64>,
}

/// Everything recorded for one tick.
#[derive(Debug, Clone, Default)]
pub struct TickRecord {
    /// Tick.
    pub tick: u32,
    /// National indicators.
    pub national: Indicators,
    /// Per-group columns.
    pub groups: GroupIndicators,
    /// Per-locality indicators, by locality index.
    pub localities: Vec<LocalityIndicators>,
    /// Per-subgroup indicators.
    pub subgroups: Vec<SubgroupIndicators>,
}

impl TickRecord {
    /// Allocates a record for a scenario (reused every tick).
    #[must_use]
    pub fn new(scenario: &Scenario, layout: &Layout) -> Self {
        let g = scenario.armed_groups.len();
        Self {
            tick: 0,
            national: Indicators::default(),
            groups: GroupIndicators {
                fighters: vec![0.0; g],
                civilian_fatalities: vec![0.0; g],
            },
            localities: vec![LocalityIndicators::default(); scenario.localities.len()],
            subgroups: vec![SubgroupIndicators::default(); layout.subgroups],
        }
    }
}

/// Names of the subgroups, as (dimension, name), in layout order.
#[must_use]
pub fn subgroup_names(scenario: &Scenario) -> Vec<(&'static str, String)> {
    let mut v: Vec<(&'static str, String)> = scenario.identity_groups.iter().map(|n| ("identity", n.clone())).collect();
    v.extend(FIXED_SUBGROUPS.iter().map(|&(d, n)| (d, n.to_string())));
    v
}

/// Computes the tick's indicators into `out`.
#[expect(clippy::too_many_lines, reason = "a flat list of indicator definitions reads best in one place")]
pub fn compute(scenario: &Scenario, world: &World, totals: &[f64], layout: &Layout, conflict: &Conflict, tick: u32, out: &mut TickRecord) {
    let ppa = scenario.population.people_per_agent;
    let dt = scenario.run.tick_length_days;
    let w = &scenario.indicators.weights;
    let n = layout.localities;
    let total = |f: usize| layout.total(totals, f);
    let people = |f: usize| total(f) * ppa;
    out.tick = tick;

    let alive = total(field::ALIVE);
    let mut deprived = [0.0; 7];
    let mut censored = [0.0; 7];
    for d in 0..7 {
        deprived[d] = total(layout.off_deprived + d);
        censored[d] = total(layout.off_censored + d);
    }
    let af = deprivation::summarize(
        alive,
        total(field::IDENTIFIED),
        total(field::SUM_SCORE_IDENTIFIED),
        &deprived,
        &censored,
        w,
    );
    let share = |x: f64| if alive > 0.0 { x / alive } else { 0.0 };
    let mut by_kind = [0.0; 3];
    for (g, spec) in scenario.armed_groups.iter().enumerate() {
        let k = people(layout.off_killed + g);
        out.groups.civilian_fatalities[g] = k;
        out.groups.fighters[g] = people(layout.off_fighters + g);
        by_kind[match spec.kind {
            GroupKind::Rebel => 0,
            GroupKind::Militia => 1,
            GroupKind::State => 2,
        }] += k;
    }
    let count = |kinds: &[EventType]| {
        #[expect(clippy::cast_precision_loss, reason = "event counts are small")]
        let c = conflict.events.iter().filter(|e| kinds.contains(&e.kind)).count() as f64;
        c
    };
    let deaths =
        people(field::VIOLENT_DEATHS) + people(field::FIGHTER_DEATHS) + people(field::EPIDEMIC_DEATHS) + people(field::BASELINE_DEATHS);
    let population = alive * ppa;
    let births = f64::from(world.people.born_last_tick) * ppa;
    let weighted = |col: &[f64]| -> f64 {
        if alive <= 0.0 {
            return 0.0;
        }
        (0..n).map(|l| col[l] * totals[layout.base(l) + field::ALIVE]).sum::<f64>() / alive
    };
    let mission = world.mission.as_ref();
    let crossfire = people(layout.off_killed + layout.crossfire_slot());
    let mut covered = 0.0;
    if let Some(m) = mission {
        for l in 0..n {
            let here = m.troops_at[l] + m.police_at[l] + m.observers_at[l] > 0.0;
            let near = world
                .graph
                .nearby_of(l)
                .any(|(k, d)| d <= scenario.rules.mission.coverage_radius_km && m.troops_at[k] + m.police_at[k] + m.observers_at[k] > 0.0);
            if here || near {
                covered += totals[layout.base(l) + field::ALIVE];
            }
        }
    }
    let crude_mortality = if population + deaths > 0.0 {
        deaths / (population + deaths) * 10_000.0 / dt
    } else {
        0.0
    };
    let nat = &mut out.national;
    *nat = Indicators {
        population,
        deaths,
        crude_mortality_per_10k_day: crude_mortality,
        excess_mortality_per_10k_day: crude_mortality - scenario.rules.health.baseline_mortality_per_10k_day,
        births,
        crude_birth_rate_per_10k_day: if population > 0.0 {
            births / population * 10_000.0 / dt
        } else {
            0.0
        },
        #[expect(clippy::cast_precision_loss, reason = "agent counts are far below 2^52")]
        births_unplaced: world.people.births_unplaced as f64 * ppa,
        #[expect(clippy::cast_precision_loss, reason = "a few groups")]
        groups_at_ceasefire: world.groups.ceasefire.iter().filter(|&&c| c).count() as f64,
        ceasefire_breakdowns: f64::from(world.groups.breakdowns_last_tick),
        deprived_personal_share: af.deprived[0],
        deprived_community_share: af.deprived[1],
        deprived_political_share: af.deprived[2],
        deprived_economic_share: af.deprived[3],
        deprived_food_share: af.deprived[4],
        deprived_health_share: af.deprived[5],
        deprived_environmental_share: af.deprived[6],
        af_headcount_h: af.h,
        af_intensity_a: af.a,
        af_m0: af.m0,
        contribution_personal: af.contribution[0],
        contribution_community: af.contribution[1],
        contribution_political: af.contribution[2],
        contribution_economic: af.contribution[3],
        contribution_food: af.contribution[4],
        contribution_health: af.contribution[5],
        contribution_environmental: af.contribution[6],
        vulnerable_share: share(total(field::VULNERABLE)),
        severe_share: share(total(field::SEVERE)),
        civilian_fatalities_rebel: by_kind[0],
        civilian_fatalities_militia: by_kind[1],
        civilian_fatalities_state: by_kind[2],
        civilian_fatalities_mission: people(layout.off_killed + layout.mission_slot()),
        civilian_fatalities_crossfire: crossfire,
        civilian_injuries: people(field::INJURED),
        battle_deaths: people(field::FIGHTER_DEATHS) + crossfire,
        fighter_deaths: people(field::FIGHTER_DEATHS),
        attacks_on_civilians: count(&[
            EventType::Attack,
            EventType::IdentityAttack,
            EventType::SpoilerAttack,
            EventType::SiteAttack,
        ]),
        site_attacks: count(&[EventType::SiteAttack]),
        battles: count(&[EventType::Battle]),
        offensives: count(&[EventType::Offensive]),
        attacks_on_mission: count(&[EventType::AttackOnMission]),
        protests: count(&[EventType::Protest]),
        riots: count(&[EventType::Riot]),
        peacekeeper_fatalities: conflict.peacekeeper_deaths,
        sexual_violence_victims: (0..layout.slots).map(|s| people(layout.off_sexual_violence + s)).sum(),
        child_abductions: people(field::CHILD_ABDUCTIONS),
        displaced: people(field::DISPLACED) + people(field::IN_SITE),
        displaced_host: people(field::DISPLACED),
        in_sites: people(field::IN_SITE),
        newly_displaced: people(field::NEWLY_DISPLACED),
        returns: people(field::RETURNS),
        epidemic_incidence: people(field::NEW_INFECTIONS),
        epidemic_exposed: people(field::EXPOSED),
        epidemic_infectious: people(field::INFECTIOUS),
        epidemic_recovered: people(field::RECOVERED),
        epidemic_deaths: people(field::EPIDEMIC_DEATHS),
        mean_income: share(total(field::INCOME_SUM)),
        fighters: (0..layout.groups).map(|g| people(layout.off_fighters + g)).sum(),
        recruits: (0..layout.groups).map(|g| people(layout.off_recruits + g)).sum::<f64>() + people(field::CHILD_ABDUCTIONS),
        desertions: (0..layout.groups).map(|g| people(layout.off_desertions + g)).sum(),
        mobilised_share: share(total(field::MOBILISED)),
        detained: people(field::DETAINED),
        arrests: people(field::ARRESTS),
        trust_in_mission: if mission.is_some() {
            weighted(&world.localities.trust_in_mission)
        } else {
            0.0
        },
        trust_in_state: weighted(&world.localities.trust_in_state),
        armed_group_support: weighted(&world.localities.armed_group_support),
        host_consent: mission.map_or(0.0, |m| m.consent),
        perceived_insecurity: share(total(field::INSECURITY_SUM)),
        feel_insecure_share: share(total(field::FEEL_INSECURE)),
        tension: weighted(&world.localities.tension),
        early_warning_coverage: weighted(&world.localities.early_warning),
        troops_deployed: mission.map_or(0.0, |m| m.deployed.troops),
        police_deployed: mission.map_or(0.0, |m| m.deployed.police),
        observers_deployed: mission.map_or(0.0, |m| m.deployed.observers),
        civilians_deployed: mission.map_or(0.0, |m| m.deployed.civilians),
        spend_personnel_usd: mission
            .filter(|m| m.started(tick))
            .map_or(0.0, |m| m.personnel_usd_per_day * scenario.run.tick_length_days),
        spend_protection_usd: mission.map_or(0.0, |m| m.spend_tick.protection),
        spend_health_usd: mission.map_or(0.0, |m| m.spend_tick.health),
        spend_economic_usd: mission.map_or(0.0, |m| m.spend_tick.economic),
        spend_empowerment_usd: mission.map_or(0.0, |m| m.spend_tick.empowerment),
        coverage_share: share(covered),
        mission_tempo: mission.map_or(0.0, |m| m.tempo),
    };

    // Localities.
    let ring = world.localities.ring_len;
    let slot = tick as usize % ring;
    for l in 0..n {
        let base = layout.base(l);
        let a = totals[base + field::ALIVE];
        let s = |x: f64| if a > 0.0 { x / a } else { 0.0 };
        let mut dep = [0.0; 7];
        let mut cen = [0.0; 7];
        for d in 0..7 {
            dep[d] = totals[base + layout.off_deprived + d];
            cen[d] = totals[base + layout.off_censored + d];
        }
        let laf = deprivation::summarize(
            a,
            totals[base + field::IDENTIFIED],
            totals[base + field::SUM_SCORE_IDENTIFIED],
            &dep,
            &cen,
            w,
        );
        let spend = |p: Pillar| mission.filter(|m| m.started(tick)).map_or(0.0, |m| m.spend_at[l][p] * dt);
        out.localities[l] = LocalityIndicators {
            population: a * ppa,
            newcomers: totals[base + field::NEWCOMERS] * ppa,
            displaced_host: totals[base + field::DISPLACED] * ppa,
            in_site: totals[base + field::IN_SITE] * ppa,
            deprived_personal_share: laf.deprived[0],
            deprived_community_share: laf.deprived[1],
            deprived_political_share: laf.deprived[2],
            deprived_economic_share: laf.deprived[3],
            deprived_food_share: laf.deprived[4],
            deprived_health_share: laf.deprived[5],
            deprived_environmental_share: laf.deprived[6],
            af_headcount_h: laf.h,
            af_m0: laf.m0,
            civilian_fatalities: (0..layout.slots).map(|sl| totals[base + layout.off_killed + sl]).sum::<f64>() * ppa,
            civilian_injuries: totals[base + field::INJURED] * ppa,
            fighter_deaths: totals[base + field::FIGHTER_DEATHS] * ppa,
            violent_events: f64::from(world.localities.events_ring[l * ring + slot]),
            trust_in_mission: if mission.is_some() {
                world.localities.trust_in_mission[l]
            } else {
                0.0
            },
            trust_in_state: world.localities.trust_in_state[l],
            armed_group_support: world.localities.armed_group_support[l],
            health_access: world.localities.health_access[l]
                + scenario.rules.mission.health_access_boost_share
                    * mission.map_or(0.0, |m| m.health_effect[l])
                    * (1.0 - world.localities.health_access[l]),
            market: world.localities.market[l],
            tension: world.localities.tension[l],
            cohesion: world.localities.cohesion[l],
            early_warning: world.localities.early_warning[l],
            troops: mission.map_or(0.0, |m| m.troops_at[l]),
            police: mission.map_or(0.0, |m| m.police_at[l]),
            deterrence: conflict.deterrence[l],
            epidemic_infectious: totals[base + field::INFECTIOUS] * ppa,
            perceived_insecurity: s(totals[base + field::INSECURITY_SUM]),
            feel_insecure_share: s(totals[base + field::FEEL_INSECURE]),
            mobilised_share: s(totals[base + field::MOBILISED]),
            fighters_present: (0..layout.groups).map(|g| totals[base + layout.off_fighters + g]).sum::<f64>() * ppa,
            spend_protection_usd: spend(Pillar::Protection),
            spend_health_usd: spend(Pillar::Health),
            spend_economic_usd: spend(Pillar::Economic),
            spend_empowerment_usd: spend(Pillar::Empowerment),
        };
    }

    // Subgroups.
    for s in 0..layout.subgroups {
        let at = layout.subgroup(s);
        let nn = totals[at];
        let dep: [f64; 7] = std::array::from_fn(|d| totals[at + 3 + d]);
        // Censored counts per subgroup are not kept; M0 and H do not need them.
        let saf = deprivation::summarize(nn, totals[at + 1], totals[at + 2], &dep, &[0.0; 7], w);
        out.subgroups[s] = SubgroupIndicators {
            dimension: if s < layout.identities {
                "identity"
            } else {
                FIXED_SUBGROUPS[s - layout.identities].0
            },
            index: s,
            population: nn * ppa,
            af: saf,
        };
    }
    debug_assert_eq!(SUBGROUP_STRIDE, 10);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_list_names_units_and_meanings_in_step() {
        assert_eq!(Indicators::NAMES.len(), Indicators::UNITS.len());
        assert_eq!(Indicators::NAMES.len(), Indicators::MEANINGS.len());
        assert!(Indicators::MEANINGS.iter().all(|m| !m.is_empty()));
        let mut v = Vec::new();
        Indicators::default().push_values(&mut v);
        assert_eq!(v.len(), Indicators::NAMES.len());
        assert_eq!(LocalityIndicators::NAMES.len(), LocalityIndicators::UNITS.len());
    }
}
