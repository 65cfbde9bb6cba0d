//! Raw scenario → validated [`Scenario`]: ranges, units, names, cross-references, graph shape.
//!
//! Every rule records a [`FieldErrors`] entry with the field path and continues, so one run of
//! `peacesim validate` lists every problem in a file. Nothing here simulates.

use std::collections::BTreeMap;

use super::params::check_range;
use super::raw::{
    Allocation, GroupKind, LinkRule, LocalityKind, RawArmedGroup, RawEvent, RawIndicators, RawLocality, RawMission, RawNetwork,
    RawPopulation, RawRun, RawScenario, RawWeights,
};
use super::{
    ArmedGroupSpec, EventKind, FieldErrors, IndicatorSettings, Link, LocalitySpec, MAX_AGENTS, MAX_TABLE_ROWS, MAX_TICKS, MissionSpec,
    PillarWeights, Policy, PopulationSettings, RunSettings, SCHEMA_VERSION, Scenario, ScheduledEvent, SiteSpec, Source, slug,
};
use crate::pillar::Pillar;

/// Tolerance on shares and weights that must sum to 1.
const SUM_TOLERANCE: f64 = 1e-6;

/// Largest population of one locality, in people.
const MAX_LOCALITY_POPULATION: i64 = 100_000_000;

struct Names {
    index: BTreeMap<String, u32>,
}

impl Names {
    fn build(errors: &mut FieldErrors, list_path: &str, names: &[&str]) -> Self {
        let mut index = BTreeMap::new();
        let mut slugs: BTreeMap<String, usize> = BTreeMap::new();
        for (i, name) in names.iter().enumerate() {
            let path = format!("{list_path}[{i}].name");
            if name.trim().is_empty() {
                errors.push(path, "must not be empty");
                continue;
            }
            if name.len() > 80 || name.chars().any(char::is_control) {
                errors.push(path, "must be at most 80 characters with no control characters");
                continue;
            }
            #[expect(clippy::cast_possible_truncation, reason = "table sizes are capped at MAX_TABLE_ROWS")]
            if index.insert((*name).to_string(), i as u32).is_some() {
                errors.push(path, format!("duplicate name `{name}`"));
            } else if let Some(&other) = slugs.get(&slug(name)) {
                errors.push(
                    path,
                    format!("`{name}` and `{}` give the same column name `{}`", names[other], slug(name)),
                );
            } else {
                slugs.insert(slug(name), i);
            }
        }
        Self { index }
    }

    fn resolve(&self, errors: &mut FieldErrors, path: String, name: &str, what: &str) -> Option<u32> {
        if let Some(&i) = self.index.get(name) {
            return Some(i);
        }
        let known: Vec<&str> = self.index.keys().map(String::as_str).collect();
        let hint = super::document::closest(name, &known)
            .map(|b| format!(" (did you mean `{b}`?)"))
            .unwrap_or_default();
        errors.push(path, format!("unknown {what} `{name}`{hint}"));
        None
    }
}

fn share(errors: &mut FieldErrors, path: impl Into<String>, v: f64) -> f64 {
    check_range(errors, path.into(), v, 0.0, 1.0);
    v
}

fn range(errors: &mut FieldErrors, path: impl Into<String>, v: f64, lo: f64, hi: f64) -> f64 {
    check_range(errors, path.into(), v, lo, hi);
    v
}

fn count(errors: &mut FieldErrors, path: impl Into<String>, v: i64, lo: i64, hi: i64) -> i64 {
    if v < lo || v > hi {
        let path = path.into();
        if v < 0 && lo >= 0 {
            errors.push(path, format!("must not be negative, got {v}"));
        } else {
            errors.push(path, format!("must be in [{lo}, {hi}], got {v}"));
        }
    }
    v.clamp(lo, hi)
}

fn weights_sum(errors: &mut FieldErrors, path: &str, names: &[&str], values: &[f64]) {
    for (n, v) in names.iter().zip(values) {
        share(errors, format!("{path}.{n}"), *v);
    }
    let sum: f64 = values.iter().sum();
    if values.iter().all(|v| v.is_finite()) && (sum - 1.0).abs() > SUM_TOLERANCE {
        errors.push(path.to_string(), format!("must sum to 1, got {sum}"));
    }
}

fn pillar_weights(errors: &mut FieldErrors, path: &str, w: &RawWeights) -> PillarWeights {
    let values = Pillar::ALL.map(|p| w[p]);
    weights_sum(errors, path, &Pillar::names(), &values);
    *w
}

/// The mission's policy: weights are the mandate's split of the discretionary budget, used by
/// `top_down` and `blend`; under `bottom_up` communities set the split, so weights written for
/// a bottom-up policy would be a silent no-op and are refused. One case is allowed: a file's
/// weights stay, dormant, when an override (`--set`, a sweep's design point) switches its
/// allocation to `bottom_up`, so that "what if bottom-up?" can be asked of any scenario; weights
/// set by an override on a bottom-up policy are refused like the rest. `blend_share` is used by
/// `blend` only.
fn policy(e: &mut FieldErrors, p: &super::raw::RawPolicy, overrides: &[String]) -> Policy {
    // Whether an override sets `path` or a field inside it.
    let overridden = |path: &str| {
        overrides.iter().any(|o| {
            o.split_once('=')
                .is_some_and(|(k, _)| k.trim() == path || k.trim().starts_with(&format!("{path}.")))
        })
    };
    let switched = overridden("mission.policy.allocation")
        && !overrides
            .iter()
            .any(|o| o.split_once('=').is_some_and(|(k, _)| k.trim() == "mission.policy"));
    let dormant = p.allocation == Allocation::BottomUp && switched && !overridden("mission.policy.weights");
    let uses_weights = p.allocation != Allocation::BottomUp;
    let weights = match (&p.weights, uses_weights) {
        // Dormant: kept for a later switch back, unused while bottom-up.
        (Some(w), false) if dormant => Some(pillar_weights(e, "mission.policy.weights", w)),
        (Some(w), true) => Some(pillar_weights(e, "mission.policy.weights", w)),
        (None, true) => {
            e.push(
                "mission.policy.weights",
                format!(
                    "required under allocation = \"{}\": give protection, health, economic and empowerment weights summing to 1",
                    p.allocation.as_str()
                ),
            );
            None
        }
        (Some(_), false) => {
            e.push(
                "mission.policy.weights",
                "not used under allocation = \"bottom_up\" (communities set the pillar split from their voiced needs): remove them, or use allocation = \"blend\" to mix the two",
            );
            None
        }
        (None, false) => None,
    };
    let blend_share = match (p.blend_share, p.allocation) {
        (Some(b), Allocation::Blend) => share(e, "mission.policy.blend_share".to_string(), b),
        (None, Allocation::Blend) => 0.5,
        (Some(_), _) if switched && !overridden("mission.policy.blend_share") => 0.0,
        (Some(_), other) => {
            e.push(
                "mission.policy.blend_share",
                format!("used only under allocation = \"blend\", not \"{}\": remove it", other.as_str()),
            );
            0.0
        }
        (None, _) => 0.0,
    };
    Policy {
        weights,
        allocation: p.allocation,
        blend_share,
    }
}

/// Follows the policy through mandate-change events in time order: weights set while the
/// allocation is `bottom_up` would do nothing, and a switch to `top_down` or `blend` needs
/// weights in force.
fn check_policy_changes(e: &mut FieldErrors, start: Policy, raw: &[RawEvent]) {
    let mut order: Vec<(i64, usize)> = raw.iter().enumerate().map(|(i, ev)| (ev.tick(), i)).collect();
    order.sort_unstable();
    let mut allocation = start.allocation;
    let mut has_weights = start.weights.is_some();
    for (_, i) in order {
        if let RawEvent::MandateChange {
            weights, allocation: new, ..
        } = &raw[i]
        {
            allocation = new.unwrap_or(allocation);
            has_weights |= weights.is_some();
            if weights.is_some() && allocation == Allocation::BottomUp {
                e.push(
                    format!("events[{i}].weights"),
                    "not used while allocation = \"bottom_up\" (communities set the pillar split): remove them, or change the allocation to \"top_down\" or \"blend\" in the same event",
                );
            } else if !has_weights && allocation != Allocation::BottomUp {
                e.push(
                    format!("events[{i}].weights"),
                    format!(
                        "required when the allocation becomes \"{}\": no weights are in force yet",
                        allocation.as_str()
                    ),
                );
            }
        }
    }
}

/// Validates a raw scenario, one section of the file after another (each section's rules in
/// its own function, in file order, so the problems come out in the order of the file); later
/// sections look names up in the tables validated before them.
pub(super) fn validate(raw: RawScenario, source: Source) -> Result<Scenario, FieldErrors> {
    let mut e = FieldErrors::default();
    check_header(&mut e, &raw);
    let run = run_settings(&mut e, &raw.run);
    let ticks = i64::from(run.ticks);
    let population = population_settings(&mut e, &raw.population);
    if !check_table_sizes(&mut e, &raw) {
        return Err(e);
    }
    let identity_names: Vec<&str> = raw.identity_groups.iter().map(|g| g.name.as_str()).collect();
    let identities = Names::build(&mut e, "identity_groups", &identity_names);
    let n_identities = raw.identity_groups.len();
    let places = localities(&mut e, &raw.localities, &identities, n_identities, &population);
    let links = network(&mut e, &raw.network, &places);
    if !check_group_counts(&mut e, &raw) {
        return Err(e);
    }
    let group_names: Vec<&str> = raw.armed_groups.iter().map(|g| g.name.as_str()).collect();
    let groups_idx = Names::build(&mut e, "armed_groups", &group_names);
    let names = Lookups {
        identities: &identities,
        n_identities,
        localities: &places.index,
        groups: &groups_idx,
    };
    let armed_groups: Vec<ArmedGroupSpec> = raw
        .armed_groups
        .iter()
        .enumerate()
        .map(|(i, g)| armed_group(&mut e, i, g, &raw.armed_groups, &names, &places.specs, &population, ticks))
        .collect();
    let mission = raw
        .mission
        .as_ref()
        .map(|m| mission(&mut e, m, ticks, raw.localities.len(), &places.index, &source.overrides));
    let events = events(&mut e, &raw.events, ticks, &names, &places.specs, &armed_groups, mission.is_some());
    if let Some(m) = &mission {
        check_policy_changes(&mut e, m.policy, &raw.events);
    }
    let indicators = indicator_settings(&mut e, &raw.indicators);
    raw.rules.check_ranges(&mut e);

    if !e.is_empty() {
        return Err(e);
    }
    Ok(Scenario {
        source,
        name: raw.name,
        description: raw.description,
        narrative: raw.narrative,
        run,
        population,
        identity_groups: raw.identity_groups.into_iter().map(|g| g.name).collect(),
        localities: places.specs,
        links,
        armed_groups,
        mission,
        events,
        indicators,
        rules: raw.rules,
    })
}

/// The name lists that later sections resolve names against.
struct Lookups<'a> {
    identities: &'a Names,
    n_identities: usize,
    localities: &'a Names,
    groups: &'a Names,
}

/// The file's own fields: schema version, model and name.
fn check_header(e: &mut FieldErrors, raw: &RawScenario) {
    if raw.schema_version != SCHEMA_VERSION {
        e.push(
            "schema_version",
            format!("this build reads schema_version {SCHEMA_VERSION}, got {}", raw.schema_version),
        );
    }
    if raw.model != "peacesim" {
        e.push("model", format!("unknown model `{}`; expected `peacesim` or `epstein`", raw.model));
    }
    if raw.name.trim().is_empty() {
        e.push("name", "must not be empty");
    }
}

/// `[run]`.
fn run_settings(e: &mut FieldErrors, r: &RawRun) -> RunSettings {
    if let Err(message) = crate::rng::check_seed(r.seed) {
        e.push("run.seed", message);
    }
    let ticks = count(e, "run.ticks", r.ticks, 1, MAX_TICKS);
    #[expect(clippy::cast_sign_loss, clippy::cast_possible_truncation, reason = "clamped to [1, MAX_TICKS]")]
    let ticks_u = ticks as u32;
    RunSettings {
        ticks: ticks_u,
        tick_length_days: range(e, "run.tick_length_days", r.tick_length_days, 0.25, 30.0),
        seed: r.seed,
        #[expect(clippy::cast_sign_loss, clippy::cast_possible_truncation, reason = "clamped to [1, ticks]")]
        locality_output_every_ticks: count(e, "run.locality_output_every_ticks", r.locality_output_every_ticks, 1, ticks.max(1)) as u32,
    }
}

/// `[population]`.
fn population_settings(e: &mut FieldErrors, p: &RawPopulation) -> PopulationSettings {
    let ages = [
        p.age_band_shares.child,
        p.age_band_shares.youth,
        p.age_band_shares.adult,
        p.age_band_shares.elder,
    ];
    weights_sum(e, "population.age_band_shares", &super::AGE_BANDS, &ages);
    PopulationSettings {
        people_per_agent: range(e, "population.people_per_agent", p.people_per_agent, 1.0, 1_000_000.0),
        age_band_shares: ages,
        female_share: share(e, "population.female_share", p.female_share),
        livelihood_median: range(e, "population.livelihood_median", p.livelihood_median, 0.01, 100.0),
        livelihood_sigma: range(e, "population.livelihood_sigma", p.livelihood_sigma, 0.0, 5.0),
        unsafe_water_urban: share(e, "population.unsafe_water_share.urban", p.unsafe_water_share.urban),
        unsafe_water_rural: share(e, "population.unsafe_water_share.rural", p.unsafe_water_share.rural),
    }
}

/// `[[identity_groups]]` is not empty, and no table is too long to index; false means stop here
/// (every later rule would index the tables).
fn check_table_sizes(e: &mut FieldErrors, raw: &RawScenario) -> bool {
    if raw.identity_groups.is_empty() {
        e.push("identity_groups", "at least one identity group is required");
    }
    for (name, len) in [
        ("identity_groups", raw.identity_groups.len()),
        ("localities", raw.localities.len()),
        ("armed_groups", raw.armed_groups.len()),
        ("events", raw.events.len()),
    ] {
        if len > MAX_TABLE_ROWS {
            e.push(name, format!("at most {MAX_TABLE_ROWS} entries are supported, got {len}"));
            return false;
        }
    }
    true
}

/// The validated `[[localities]]`, their names, and the links their `neighbours` ask for.
struct Places {
    specs: Vec<LocalitySpec>,
    index: Names,
    explicit_links: Vec<(u32, u32)>,
}

/// `[[localities]]`, and the total number of agents they make.
fn localities(
    e: &mut FieldErrors,
    raw: &[RawLocality],
    identities: &Names,
    n_identities: usize,
    population: &PopulationSettings,
) -> Places {
    if raw.is_empty() {
        e.push("localities", "at least one locality is required");
    }
    let ppa = if population.people_per_agent.is_finite() && population.people_per_agent >= 1.0 {
        population.people_per_agent
    } else {
        1.0
    };
    let locality_names: Vec<&str> = raw.iter().map(|l| l.name.as_str()).collect();
    let index = Names::build(e, "localities", &locality_names);
    let mut specs = Vec::with_capacity(raw.len());
    let mut total_agents: u64 = 0;
    let mut explicit_links: Vec<(u32, u32)> = Vec::new();
    for (i, l) in raw.iter().enumerate() {
        let at = |f: &str| format!("localities[{i}].{f}");
        let x_km = range(e, at("x_km"), l.x_km, -100_000.0, 100_000.0);
        let y_km = range(e, at("y_km"), l.y_km, -100_000.0, 100_000.0);
        let pop = count(e, at("population"), l.population, 0, MAX_LOCALITY_POPULATION);
        #[expect(clippy::cast_sign_loss, reason = "clamped non-negative")]
        let pop_u = pop as u64;
        #[expect(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "populations are far below 2^52"
        )]
        let agents = (pop_u as f64 / ppa).round() as u64;
        total_agents += agents;
        let composition = composition(e, &at("composition"), l, identities, n_identities);
        let urban = l.kind == LocalityKind::Urban;
        let site = l.protection_site.as_ref().map(|s| {
            #[expect(clippy::cast_precision_loss, reason = "capacities are far below 2^52")]
            let capacity = count(e, at("protection_site.capacity"), s.capacity, 0, MAX_LOCALITY_POPULATION) as f64;
            SiteSpec {
                capacity,
                guard_posture: share(e, at("protection_site.guard_posture_share"), s.guard_posture_share),
                services: share(e, at("protection_site.services_share"), s.services_share),
            }
        });
        for (j, n) in l.neighbours.iter().enumerate() {
            if let Some(k) = index.resolve(e, format!("{}[{j}]", at("neighbours")), n, "locality") {
                #[expect(clippy::cast_possible_truncation, reason = "capped at MAX_TABLE_ROWS")]
                let me = i as u32;
                if k == me {
                    e.push(format!("{}[{j}]", at("neighbours")), "a locality cannot be its own neighbour");
                } else {
                    explicit_links.push((me.min(k), me.max(k)));
                }
            }
        }
        specs.push(LocalitySpec {
            name: l.name.clone(),
            x_km,
            y_km,
            kind: l.kind,
            population: pop_u,
            agents: u32::try_from(agents.min(MAX_AGENTS)).expect("MAX_AGENTS fits u32"),
            composition,
            livelihood_median: range(
                e,
                at("livelihood_median"),
                l.livelihood_median.unwrap_or(population.livelihood_median),
                0.01,
                100.0,
            ),
            health_access: share(
                e,
                at("health_access_share"),
                l.health_access_share.unwrap_or(if urban { 0.7 } else { 0.35 }),
            ),
            market: share(e, at("market_share"), l.market_share.unwrap_or(if urban { 0.9 } else { 0.7 })),
            unsafe_water: share(
                e,
                at("unsafe_water_share"),
                l.unsafe_water_share.unwrap_or(if urban {
                    population.unsafe_water_urban
                } else {
                    population.unsafe_water_rural
                }),
            ),
            lootable: share(e, at("lootable_resources_share"), l.lootable_resources_share),
            cohesion: share(e, at("cohesion_share"), l.cohesion_share),
            tension: share(e, at("tension_share"), l.tension_share),
            early_warning: share(e, at("early_warning_share"), l.early_warning_share),
            trust_in_mission: share(e, at("trust_in_mission_share"), l.trust_in_mission_share),
            trust_in_state: share(e, at("trust_in_state_share"), l.trust_in_state_share),
            political_voice: share(e, at("political_voice_share"), l.political_voice_share),
            displaced_at_start: range(e, at("displaced_at_start_share"), l.displaced_at_start_share, 0.0, 0.9),
            site,
        });
    }
    if !raw.is_empty() && total_agents == 0 {
        e.push(
            "localities",
            "the scenario has zero people: give at least one locality a population of at least people_per_agent",
        );
    }
    if total_agents > MAX_AGENTS {
        e.push(
            "localities",
            format!("{total_agents} agents exceed the limit of {MAX_AGENTS}; raise population.people_per_agent to represent several people per agent"),
        );
    }
    Places {
        specs,
        index,
        explicit_links,
    }
}

/// A locality's shares of each identity group (all of one group when there is only one).
fn composition(e: &mut FieldErrors, path: &str, l: &RawLocality, identities: &Names, n_identities: usize) -> Vec<f64> {
    let mut composition = vec![0.0; n_identities];
    if l.composition.is_empty() {
        if n_identities == 1 {
            composition[0] = 1.0;
        } else if n_identities > 1 {
            e.push(
                path,
                format!("required when there is more than one identity group ({n_identities} declared)"),
            );
        }
    } else {
        for (name, &s) in &l.composition {
            if let Some(k) = identities.resolve(e, format!("{path}.{name}"), name, "identity group") {
                composition[k as usize] = share(e, format!("{path}.{name}"), s);
            }
        }
        let sum: f64 = l.composition.values().sum();
        if sum.is_finite() && (sum - 1.0).abs() > SUM_TOLERANCE {
            e.push(path, format!("shares must sum to 1, got {sum}"));
        }
    }
    composition
}

/// `[network]`: the locality graph.
fn network(e: &mut FieldErrors, net: &RawNetwork, places: &Places) -> Vec<Link> {
    let k_nearest = count(e, "network.k_nearest", net.k_nearest, 1, 50);
    let max_link_km = range(e, "network.max_link_km", net.max_link_km, 0.0, 1.0e6);
    let links = build_links(&places.specs, &places.explicit_links, net.rule, k_nearest, max_link_km);
    if net.require_connected && places.specs.len() > 1 && !is_connected(places.specs.len(), &links) {
        e.push(
            "network",
            "the locality graph is not connected (some localities cannot be reached); add neighbours, raise k_nearest or max_link_km, or set require_connected = false",
        );
    }
    links
}

/// Armed and identity groups fit the one-byte ids the model stores them in; false means stop.
fn check_group_counts(e: &mut FieldErrors, raw: &RawScenario) -> bool {
    if raw.armed_groups.len() > 254 {
        e.push(
            "armed_groups",
            format!("at most 254 armed groups are supported, got {}", raw.armed_groups.len()),
        );
        return false;
    }
    if raw.identity_groups.len() > 255 {
        e.push(
            "identity_groups",
            format!("at most 255 identity groups are supported, got {}", raw.identity_groups.len()),
        );
        return false;
    }
    true
}

/// One of `[[armed_groups]]` (`i`, among `all`).
#[expect(clippy::too_many_arguments, reason = "a group is checked against every table validated before it")]
fn armed_group(
    e: &mut FieldErrors,
    i: usize,
    g: &RawArmedGroup,
    all: &[RawArmedGroup],
    names: &Lookups<'_>,
    localities: &[LocalitySpec],
    population: &PopulationSettings,
    ticks: i64,
) -> ArmedGroupSpec {
    let at = |f: &str| format!("armed_groups[{i}].{f}");
    #[expect(clippy::cast_precision_loss, reason = "fighter counts are far below 2^52")]
    let fighters = count(e, at("fighters"), g.fighters, 0, 10_000_000) as f64;
    if g.presence.is_empty() {
        e.push(at("presence"), "must name at least one locality");
    }
    let presence: Vec<u32> = g
        .presence
        .iter()
        .enumerate()
        .filter_map(|(j, n)| names.localities.resolve(e, format!("{}[{j}]", at("presence")), n, "locality"))
        .collect();
    let mut mask = |list: &[String], field: &str, default: bool| -> Vec<bool> {
        let mut m = vec![list.is_empty() && default; names.n_identities];
        for (j, n) in list.iter().enumerate() {
            if let Some(k) = names.identities.resolve(e, format!("{}[{j}]", at(field)), n, "identity group") {
                m[k as usize] = true;
            }
        }
        m
    };
    let recruits_from = match &g.recruits_from {
        Some(list) => mask(list, "recruits_from", false),
        None => vec![true; names.n_identities],
    };
    let hostile_to = mask(&g.hostile_to, "hostile_to", false);
    let enemies = enemies(e, i, g, all, names.groups);
    // Fighters come from the population: they must fit into the eligible people where the group starts.
    let eligible: f64 = presence
        .iter()
        .map(|&l| {
            #[expect(clippy::cast_precision_loss, reason = "populations are far below 2^52")]
            let pop = localities[l as usize].population as f64;
            pop * (population.age_band_shares[1] + population.age_band_shares[2])
        })
        .sum();
    if !presence.is_empty() && fighters > 0.8 * eligible {
        e.push(
            at("fighters"),
            format!("{fighters} fighters cannot be drawn from the {eligible:.0} youth and adults living in its presence localities (at most 80 %)"),
        );
    }
    let default_sensitivity = match g.kind {
        GroupKind::Rebel => 0.95,
        GroupKind::Militia => 0.9,
        GroupKind::State => 0.3,
    };
    ArmedGroupSpec {
        name: g.name.clone(),
        kind: g.kind,
        fighters,
        presence,
        recruits_from,
        hostile_to,
        enemies,
        state_aligned: g.state_aligned.unwrap_or(g.kind == GroupKind::State),
        predation: share(e, at("predation_share"), g.predation_share),
        discipline: share(e, at("discipline_share"), g.discipline_share),
        deterrence_sensitivity: share(
            e,
            at("deterrence_sensitivity_share"),
            g.deterrence_sensitivity_share.unwrap_or(default_sensitivity),
        ),
        reach_km: range(e, at("reach_km"), g.reach_km, 0.0, 10_000.0),
        attack_rate_per_100_fighters_day: range(
            e,
            at("attack_rate_per_100_fighters_day"),
            g.attack_rate_per_100_fighters_day,
            0.0,
            100.0,
        ),
        kills_per_attack: range(e, at("kills_per_attack"), g.kills_per_attack, 0.0, 10_000.0),
        attacks_mission: share(e, at("attacks_mission_share"), g.attacks_mission_share),
        attacks_sites: share(e, at("attacks_sites_share"), g.attacks_sites_share),
        spoiler: share(e, at("spoiler_share"), g.spoiler_share),
        child_recruitment_per_1000_fighters_day: range(
            e,
            at("child_recruitment_per_1000_fighters_day"),
            g.child_recruitment_per_1000_fighters_day,
            0.0,
            1000.0,
        ),
        resources_usd: range(e, at("resources_usd"), g.resources_usd, 0.0, 1.0e12),
        #[expect(clippy::cast_sign_loss, clippy::cast_possible_truncation, reason = "clamped to [0, ticks]")]
        active_from_tick: count(e, at("active_from_tick"), g.active_from_tick, 0, ticks) as u32,
    }
}

/// The groups that armed group `i` fights: those listed, or by default every group on the other
/// side of the state's.
fn enemies(e: &mut FieldErrors, i: usize, g: &RawArmedGroup, all: &[RawArmedGroup], groups: &Names) -> Vec<u32> {
    let at = |f: &str| format!("armed_groups[{i}].{f}");
    match &g.enemies {
        Some(list) => list
            .iter()
            .enumerate()
            .filter_map(|(j, n)| {
                let k = groups.resolve(e, format!("{}[{j}]", at("enemies")), n, "armed group")?;
                if k as usize == i {
                    e.push(format!("{}[{j}]", at("enemies")), "a group cannot be its own enemy");
                    None
                } else {
                    Some(k)
                }
            })
            .collect(),
        None => all
            .iter()
            .enumerate()
            .filter(|&(j, other)| j != i && ((g.kind == GroupKind::State) != (other.kind == GroupKind::State)))
            .map(|(j, _)| {
                #[expect(clippy::cast_possible_truncation, reason = "capped at MAX_TABLE_ROWS")]
                let j = j as u32;
                j
            })
            .collect(),
    }
}

/// `[mission]`.
fn mission(e: &mut FieldErrors, m: &RawMission, ticks: i64, n_localities: usize, localities: &Names, overrides: &[String]) -> MissionSpec {
    let at = |f: &str| format!("mission.{f}");
    #[expect(clippy::cast_precision_loss, reason = "personnel counts are far below 2^52")]
    let people = |e: &mut FieldErrors, f: &str, v: i64, hi: i64| count(e, at(f), v, 0, hi) as f64;
    let troops = people(e, "troops", m.troops, 1_000_000);
    let police = people(e, "police", m.police, 1_000_000);
    let observers = people(e, "observers", m.observers, 100_000);
    let civilians = people(e, "civilians", m.civilians, 100_000);
    let consent_threshold = share(e, at("consent_threshold_share"), m.consent_threshold_share);
    MissionSpec {
        name: m.name.clone(),
        troops,
        police,
        observers,
        civilians,
        budget_usd_per_day: range(e, at("budget_usd_per_day"), m.budget_usd_per_day, 0.0, 1.0e9),
        #[expect(clippy::cast_sign_loss, clippy::cast_possible_truncation, reason = "clamped to [0, ticks]")]
        start_tick: count(e, at("start_tick"), m.start_tick, 0, ticks) as u32,
        ramp_up_days: range(e, at("ramp_up_days"), m.ramp_up_days, 0.0, 3650.0),
        initial_deployed_share: share(e, at("initial_deployed_share"), m.initial_deployed_share),
        mandate: m.mandate,
        posture: share(e, at("posture_share"), m.posture_share),
        host_consent: share(e, at("host_consent_share"), m.host_consent_share),
        consent_threshold,
        drawdown_days: range(e, at("drawdown_days"), m.drawdown_days, 0.0, 3650.0),
        poc_rampdown_days: range(e, at("poc_rampdown_days"), m.poc_rampdown_days, 0.0, 3650.0),
        #[expect(clippy::cast_sign_loss, clippy::cast_possible_truncation, reason = "clamped to [1, 365]")]
        planning_interval_days: count(e, at("planning_interval_days"), m.planning_interval_days, 1, 365) as u32,
        #[expect(clippy::cast_precision_loss, reason = "small integers")]
        troops_per_unit: count(e, at("troops_per_unit"), m.troops_per_unit, 1, 100_000) as f64,
        #[expect(clippy::cast_precision_loss, reason = "small integers")]
        police_per_unit: count(e, at("police_per_unit"), m.police_per_unit, 1, 100_000) as f64,
        offensive_targets_state: m.offensive_targets_state,
        deployable: if m.deploy_to.is_empty() {
            vec![true; n_localities]
        } else {
            let mut d = vec![false; n_localities];
            for (j, name) in m.deploy_to.iter().enumerate() {
                if let Some(k) = localities.resolve(e, format!("mission.deploy_to[{j}]"), name, "locality") {
                    d[k as usize] = true;
                }
            }
            d
        },
        policy: policy(e, &m.policy, overrides),
    }
}

/// `[[events]]`, sorted by tick (file order within a tick).
fn events(
    e: &mut FieldErrors,
    raw: &[RawEvent],
    ticks: i64,
    names: &Lookups<'_>,
    localities: &[LocalitySpec],
    armed_groups: &[ArmedGroupSpec],
    has_mission: bool,
) -> Vec<ScheduledEvent> {
    let mut events = Vec::with_capacity(raw.len());
    for (i, ev) in raw.iter().enumerate() {
        let at = |f: &str| format!("events[{i}].{f}");
        let tick = ev.tick();
        if tick < 1 || tick > ticks {
            e.push(
                at("tick"),
                if tick < 1 {
                    format!("events happen at the start of a tick from 1 to run.ticks ({ticks}); got {tick}, before the start")
                } else {
                    format!("events happen at the start of a tick from 1 to run.ticks ({ticks}); got {tick}, after the end")
                },
            );
        }
        let place = EventPlace {
            at: &at,
            names,
            localities,
            armed_groups,
            has_mission,
        };
        if let Some(kind) = event_kind(e, ev, &place) {
            #[expect(clippy::cast_sign_loss, clippy::cast_possible_truncation, reason = "clamped to [1, ticks]")]
            events.push(ScheduledEvent {
                tick: tick.clamp(1, ticks) as u32,
                kind,
            });
        }
    }
    // DETERMINISM: stable sort keeps file order among events of the same tick.
    events.sort_by_key(|ev| ev.tick);
    events
}

/// What an event is checked against: its field paths and the tables validated before it.
struct EventPlace<'a> {
    at: &'a dyn Fn(&str) -> String,
    names: &'a Lookups<'a>,
    localities: &'a [LocalitySpec],
    armed_groups: &'a [ArmedGroupSpec],
    has_mission: bool,
}

/// One event's kind, with its names resolved; None when a name it needs is unknown.
fn event_kind(e: &mut FieldErrors, ev: &RawEvent, p: &EventPlace<'_>) -> Option<EventKind> {
    let at = p.at;
    let localities_idx = p.names.localities;
    let groups_idx = p.names.groups;
    let needs_mission = |e: &mut FieldErrors, what: &str| {
        if !p.has_mission {
            e.push(at("kind"), format!("{what} needs a [mission]"));
        }
    };
    let loc_list = |e: &mut FieldErrors, list: &[String]| -> Vec<u32> {
        if list.is_empty() {
            #[expect(clippy::cast_possible_truncation, reason = "capped at MAX_TABLE_ROWS")]
            return (0..p.localities.len() as u32).collect();
        }
        list.iter()
            .enumerate()
            .filter_map(|(j, n)| localities_idx.resolve(e, format!("{}[{j}]", at("localities")), n, "locality"))
            .collect()
    };
    match ev {
        RawEvent::EpidemicSeed { locality, cases, .. } => epidemic_seed(e, p, locality, *cases),
        RawEvent::Drought {
            localities: list,
            severity_share,
            ..
        } => Some(EventKind::Drought {
            localities: loc_list(e, list),
            severity: share(e, at("severity_share"), *severity_share),
        }),
        RawEvent::PriceShock {
            localities: list,
            price_multiplier,
            ..
        } => Some(EventKind::PriceShock {
            localities: loc_list(e, list),
            multiplier: range(e, at("price_multiplier"), *price_multiplier, 1.0, 20.0),
        }),
        RawEvent::ConsentWithdrawal { consent_share, .. } => {
            needs_mission(e, "a consent withdrawal");
            Some(EventKind::ConsentWithdrawal {
                consent: share(e, at("consent_share"), *consent_share),
            })
        }
        RawEvent::Coup {
            state_trust_drop_share,
            consent_drop_share,
            state_predation_increase_share,
            ..
        } => Some(EventKind::Coup {
            state_trust_drop: share(e, at("state_trust_drop_share"), *state_trust_drop_share),
            consent_drop: share(e, at("consent_drop_share"), *consent_drop_share),
            state_predation_increase: share(e, at("state_predation_increase_share"), *state_predation_increase_share),
        }),
        RawEvent::BudgetCut { budget_share, .. } => {
            needs_mission(e, "a budget cut");
            Some(EventKind::BudgetCut {
                budget_share: share(e, at("budget_share"), *budget_share),
            })
        }
        RawEvent::Drawdown {
            personnel_share,
            over_days,
            ..
        } => {
            needs_mission(e, "a drawdown");
            Some(EventKind::Drawdown {
                personnel_share: share(e, at("personnel_share"), *personnel_share),
                over_days: range(e, at("over_days"), *over_days, 0.0, 3650.0),
            })
        }
        RawEvent::ArmedGroupSurge {
            group, fighters, locality, ..
        } => armed_group_surge(e, p, group, *fighters, locality.as_deref()),
        RawEvent::ArmedGroupSplit {
            group,
            new_group,
            share: s,
            ..
        } => {
            let g = groups_idx.resolve(e, at("group"), group, "armed group");
            let n = groups_idx.resolve(e, at("new_group"), new_group, "armed group");
            if g.is_some() && g == n {
                e.push(at("new_group"), "must differ from `group`");
            }
            g.zip(n).map(|(group, new_group)| EventKind::ArmedGroupSplit {
                group,
                new_group,
                share: share(e, at("share"), *s),
            })
        }
        RawEvent::Ceasefire { groups: list, .. } => Some(EventKind::Ceasefire {
            groups: ceasefire_groups(e, p, list),
        }),
        RawEvent::SiteCapacity { locality, capacity, .. } => site_capacity(e, p, locality, *capacity),
        RawEvent::MandateChange {
            weights,
            allocation,
            blend_share,
            mandate,
            posture_share,
            ..
        } => {
            needs_mission(e, "a mandate change");
            Some(EventKind::MandateChange {
                weights: weights.as_ref().map(|w| pillar_weights(e, &at("weights"), w)),
                allocation: *allocation,
                blend_share: blend_share.map(|b| share(e, at("blend_share"), b)),
                mandate: *mandate,
                posture: posture_share.map(|p| share(e, at("posture_share"), p)),
            })
        }
    }
}

/// An epidemic seed: its locality, and no more cases than people there.
fn epidemic_seed(e: &mut FieldErrors, p: &EventPlace<'_>, locality: &str, cases: i64) -> Option<EventKind> {
    let at = p.at;
    let loc = p.names.localities.resolve(e, at("locality"), locality, "locality");
    let cases_v = count(e, at("cases"), cases, 1, MAX_LOCALITY_POPULATION);
    if let Some(l) = loc {
        let pop = p.localities[l as usize].population;
        #[expect(clippy::cast_sign_loss, reason = "clamped positive")]
        if cases_v as u64 > pop {
            e.push(
                at("cases"),
                format!("cannot exceed the locality's population ({pop}), got {cases_v}"),
            );
        }
    }
    #[expect(clippy::cast_precision_loss, reason = "small integers")]
    loc.map(|l| EventKind::EpidemicSeed {
        locality: l,
        cases: cases_v as f64,
    })
}

/// A protection site's new capacity: the locality must declare a `protection_site`, whose guard
/// posture and services the site keeps.
fn site_capacity(e: &mut FieldErrors, p: &EventPlace<'_>, locality: &str, capacity: i64) -> Option<EventKind> {
    let at = p.at;
    let loc = p.names.localities.resolve(e, at("locality"), locality, "locality");
    #[expect(clippy::cast_precision_loss, reason = "capacities are far below 2^52")]
    let capacity = count(e, at("capacity"), capacity, 0, MAX_LOCALITY_POPULATION) as f64;
    let loc = loc.filter(|&l| {
        let declared = p.localities[l as usize].site.is_some();
        if !declared {
            e.push(
                at("locality"),
                format!(
                    "`{locality}` declares no protection_site: a site's capacity can change only where one is declared \
                     (with capacity = 0 for a site that opens later)"
                ),
            );
        }
        declared
    });
    loc.map(|locality| EventKind::SiteCapacity { locality, capacity })
}

/// A surge of an armed group: the group, and where (by default its first presence locality).
fn armed_group_surge(e: &mut FieldErrors, p: &EventPlace<'_>, group: &str, fighters: i64, locality: Option<&str>) -> Option<EventKind> {
    let at = p.at;
    let g = p.names.groups.resolve(e, at("group"), group, "armed group");
    #[expect(clippy::cast_precision_loss, reason = "small integers")]
    let f = count(e, at("fighters"), fighters, 0, 10_000_000) as f64;
    let loc = match locality {
        Some(n) => p.names.localities.resolve(e, at("locality"), n, "locality"),
        None => g
            .and_then(|g| p.armed_groups.get(g as usize))
            .and_then(|s| s.presence.first().copied()),
    };
    g.zip(loc).map(|(group, locality)| EventKind::ArmedGroupSurge {
        group,
        fighters: f,
        locality,
    })
}

/// The groups a ceasefire binds: those listed, or every group.
fn ceasefire_groups(e: &mut FieldErrors, p: &EventPlace<'_>, list: &[String]) -> Vec<u32> {
    let at = p.at;
    if list.is_empty() {
        #[expect(clippy::cast_possible_truncation, reason = "capped at MAX_TABLE_ROWS")]
        return (0..p.armed_groups.len() as u32).collect();
    }
    list.iter()
        .enumerate()
        .filter_map(|(j, n)| p.names.groups.resolve(e, format!("{}[{j}]", at("groups")), n, "armed group"))
        .collect()
}

/// `[indicators]`.
fn indicator_settings(e: &mut FieldErrors, ind: &RawIndicators) -> IndicatorSettings {
    let k = ind.k_share.unwrap_or(1.0 / 3.0);
    if !(k.is_finite() && k > 0.0 && k <= 1.0) {
        e.push("indicators.k_share", format!("must be in (0, 1], got {k}"));
    }
    let w = ind.weights;
    let weights = [w.personal, w.community, w.political, w.economic, w.food, w.health, w.environmental];
    weights_sum(e, "indicators.weights", &super::DIMENSIONS, &weights);
    ind.cutoffs.check_ranges(e);
    IndicatorSettings {
        k,
        weights,
        cutoffs: ind.cutoffs,
    }
}

fn distance(a: &LocalitySpec, b: &LocalitySpec) -> f64 {
    (a.x_km - b.x_km).hypot(a.y_km - b.y_km)
}

fn build_links(localities: &[LocalitySpec], explicit: &[(u32, u32)], rule: LinkRule, k_nearest: i64, max_link_km: f64) -> Vec<Link> {
    let n = localities.len();
    let mut pairs: Vec<(u32, u32)> = explicit.to_vec();
    match rule {
        LinkRule::Explicit => {}
        LinkRule::Nearest => {
            #[expect(clippy::cast_sign_loss, clippy::cast_possible_truncation, reason = "k is validated in [1, 50]")]
            let k = (k_nearest.max(1) as usize).min(n.saturating_sub(1));
            for i in 0..n {
                let mut others: Vec<(f64, usize)> = (0..n)
                    .filter(|&j| j != i)
                    .map(|j| (distance(&localities[i], &localities[j]), j))
                    .collect();
                // DETERMINISM: ties broken by index.
                others.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                for &(_, j) in others.iter().take(k) {
                    #[expect(clippy::cast_possible_truncation, reason = "capped at MAX_TABLE_ROWS")]
                    pairs.push((i.min(j) as u32, i.max(j) as u32));
                }
            }
        }
        LinkRule::Threshold => {
            for i in 0..n {
                for j in i + 1..n {
                    if distance(&localities[i], &localities[j]) <= max_link_km {
                        #[expect(clippy::cast_possible_truncation, reason = "capped at MAX_TABLE_ROWS")]
                        pairs.push((i as u32, j as u32));
                    }
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
        .into_iter()
        .map(|(a, b)| Link {
            a,
            b,
            distance_km: distance(&localities[a as usize], &localities[b as usize]),
        })
        .collect()
}

fn is_connected(n: usize, links: &[Link]) -> bool {
    let mut adjacency = vec![Vec::new(); n];
    for l in links {
        adjacency[l.a as usize].push(l.b as usize);
        adjacency[l.b as usize].push(l.a as usize);
    }
    let mut seen = vec![false; n];
    let mut stack = vec![0usize];
    seen[0] = true;
    while let Some(i) = stack.pop() {
        for &j in &adjacency[i] {
            if !seen[j] {
                seen[j] = true;
                stack.push(j);
            }
        }
    }
    seen.into_iter().all(|s| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disconnected_graphs_are_detected() {
        let links = vec![Link {
            a: 0,
            b: 1,
            distance_km: 1.0,
        }];
        assert!(!is_connected(3, &links));
        assert!(is_connected(2, &links));
    }

    #[test]
    fn raw_defaults_are_valid_numbers() {
        let d = super::super::raw::RawPopulation::default();
        let s = d.age_band_shares;
        assert!((s.child + s.youth + s.adult + s.elder - 1.0).abs() < 1e-12);
    }
}
