//! What the page may ask: the scenarios it can show with their levers, and a run request turned
//! into a what-if or a run of the scenario as it is alone.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::experiment::whatif::request::Request;
use crate::library;
use crate::output::{Format, Look};
use crate::rng::check_seed;
use crate::scenario::{Allocation, EventKind, MAX_TICKS, Scenario};
use crate::spec::ModelSpec;

/// One adjustable setting of a scenario on the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lever {
    /// Scenario field path, as for `--set`.
    pub path: String,
    /// Label on the page.
    pub label: String,
    /// Value as is.
    pub value: f64,
    /// Smallest value offered.
    pub min: f64,
    /// Largest value offered.
    pub max: f64,
    /// Step of the control.
    pub step: f64,
    /// Where the page shows it: `mission` (size, budget, posture), `site` (a protection site's
    /// guard posture, labelled with its locality's name) or `scenario` (what the story turns on).
    pub group: &'static str,
}

/// A mandate change the scenario schedules: the policy fields it sets, which override the
/// page's from that day on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyChange {
    /// Tick at whose start it happens.
    pub tick: u32,
    /// Day it happens.
    pub day: f64,
    /// Fields it sets: `weights`, `allocation`, `blend_share`, `mandate`, `posture`.
    pub sets: Vec<&'static str>,
}

/// A built-in scenario as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioInfo {
    /// Built-in name (file stem).
    pub name: String,
    /// Title.
    pub title: String,
    /// One-line description.
    pub description: String,
    /// Narrative.
    pub narrative: String,
    /// People.
    pub people: u64,
    /// Days simulated.
    pub days: f64,
    /// Ticks simulated as is.
    pub ticks: u32,
    /// Days per tick.
    pub tick_length_days: f64,
    /// Most ticks the dashboard runs ([`ticks_limit`]).
    pub ticks_max: u32,
    /// Master seed.
    pub seed: u64,
    /// Policy weights as is, by pillar name.
    pub weights: std::collections::BTreeMap<String, f64>,
    /// Allocation rule as is.
    pub allocation: String,
    /// Share of the way from top-down to bottom-up under `blend` as is (the scenario's, or the
    /// loader's default of 0.5 when the page switches to `blend`).
    pub blend_share: f64,
    /// Mandate as is.
    pub mandate: String,
    /// Whether an observer mandate deters at all (`rules.targeting.mandate_factor_observer` > 0):
    /// if not, the mission's posture does nothing under it (no deterrence, no offensives).
    pub observer_mandate_deters: bool,
    /// Mandate changes the scenario schedules, in time order.
    pub policy_changes: Vec<PolicyChange>,
    /// Other settings the page offers: mission size and posture, and scenario-specific ones.
    pub levers: Vec<Lever>,
}

/// Replicates (pairs, for a what-if) the page may ask for.
pub const REPLICATES: std::ops::RangeInclusive<u32> = 2..=50;

/// Most ticks the dashboard runs a scenario for: twice its own length (nothing it schedules
/// happens later), within what a scenario file may ask for. A server shared by a class bounds
/// a run's cost, as it bounds the replicates; `peacesim whatif --ticks` has no such bound.
#[must_use]
pub fn ticks_limit(scenario_ticks: u32) -> u32 {
    let most = u32::try_from(MAX_TICKS).unwrap_or(u32::MAX);
    scenario_ticks.saturating_mul(2).clamp(1, most)
}

fn lever(group: &'static str, path: &str, label: &str, value: f64, (min, max, step): (f64, f64, f64)) -> Lever {
    Lever {
        path: path.to_string(),
        label: label.to_string(),
        value,
        min,
        max,
        step,
        group,
    }
}

/// A share from 0 to 1 in steps of 0.05.
const SHARE: (f64, f64, f64) = (0.0, 1.0, 0.05);

/// The levers of a scenario: mission size, budget and posture; every protection site's guard
/// posture (labelled with its locality's name); and what its story turns on (a consent
/// withdrawal's level, an epidemic's R0).
#[must_use]
pub fn levers(s: &Scenario) -> Vec<Lever> {
    let mut out = Vec::new();
    if let Some(m) = &s.mission {
        let top = |x: f64, floor: f64| (x * 3.0).max(floor).round();
        out.push(lever(
            "mission",
            "mission.troops",
            "Troops",
            m.troops,
            (0.0, top(m.troops, 1000.0), 50.0),
        ));
        out.push(lever(
            "mission",
            "mission.police",
            "Police",
            m.police,
            (0.0, top(m.police, 500.0), 10.0),
        ));
        out.push(lever(
            "mission",
            "mission.budget_usd_per_day",
            "Budget (US$ per day)",
            m.budget_usd_per_day,
            (0.0, top(m.budget_usd_per_day, 10_000.0), 1000.0),
        ));
        out.push(lever(
            "mission",
            "mission.posture_share",
            "Posture (readiness to use force)",
            m.posture,
            SHARE,
        ));
    }
    for l in &s.localities {
        if let Some(site) = &l.site {
            out.push(lever(
                "site",
                &format!("localities[name={}].protection_site.guard_posture_share", l.name),
                &l.name,
                site.guard_posture,
                SHARE,
            ));
        }
    }
    for (i, e) in s.events.iter().enumerate() {
        if let EventKind::ConsentWithdrawal { consent } = e.kind {
            out.push(lever(
                "scenario",
                &format!("events[{i}].consent_share"),
                &format!("Host consent after its withdrawal on day {}", e.tick),
                consent,
                SHARE,
            ));
            break;
        }
    }
    if s.events.iter().any(|e| matches!(e.kind, EventKind::EpidemicSeed { .. })) {
        out.push(lever(
            "scenario",
            "rules.health.r0",
            "Epidemic R0",
            s.rules.health.r0,
            (0.0, 5.0, 0.05),
        ));
    }
    out
}

/// The mandate changes a scenario schedules, with the policy fields each sets.
fn policy_changes(s: &Scenario) -> Vec<PolicyChange> {
    let mut out: Vec<PolicyChange> = s
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::MandateChange {
                weights,
                allocation,
                blend_share,
                mandate,
                posture,
            } => {
                let sets = [
                    ("weights", weights.is_some()),
                    ("allocation", allocation.is_some()),
                    ("blend_share", blend_share.is_some()),
                    ("mandate", mandate.is_some()),
                    ("posture", posture.is_some()),
                ]
                .into_iter()
                .filter_map(|(name, set)| set.then_some(name))
                .collect();
                Some(PolicyChange {
                    tick: e.tick,
                    // Events happen at the start of their tick: after tick - 1 ticks.
                    day: f64::from(e.tick.saturating_sub(1)) * s.run.tick_length_days,
                    sets,
                })
            }
            _ => None,
        })
        .collect();
    out.sort_by_key(|c| c.tick);
    out
}

/// The built-in scenarios of the main model (Epstein's classic model has no mission policy).
#[must_use]
pub fn scenario_infos() -> Vec<ScenarioInfo> {
    library::builtin()
        .iter()
        .filter_map(|b| {
            let spec = ModelSpec::from_text(b.text, &b.label(), &[]).ok()?;
            let s = spec.as_peacesim()?;
            let m = s.mission.as_ref()?;
            Some(ScenarioInfo {
                name: b.name.to_string(),
                title: s.name.clone(),
                description: s.description.clone(),
                narrative: s.narrative.trim().to_string(),
                people: s.total_population(),
                days: f64::from(s.run.ticks) * s.run.tick_length_days,
                ticks: s.run.ticks,
                tick_length_days: s.run.tick_length_days,
                ticks_max: ticks_limit(s.run.ticks),
                seed: s.run.seed,
                weights: m
                    .policy
                    .weights
                    .map(|w| w.iter().map(|(p, &w)| (p.name().to_string(), w)).collect())
                    .unwrap_or_default(),
                allocation: m.policy.allocation.as_str().to_string(),
                blend_share: if m.policy.allocation == Allocation::Blend {
                    m.policy.blend_share
                } else {
                    DEFAULT_BLEND_SHARE
                },
                mandate: m.mandate.as_str().to_string(),
                observer_mandate_deters: s.rules.targeting.mandate_factor_observer > 0.0,
                policy_changes: policy_changes(s),
                levers: levers(s),
            })
        })
        .collect()
}

/// The blend share the scenario loader takes when `allocation = "blend"` gives none.
const DEFAULT_BLEND_SHARE: f64 = 0.5;

/// [`scenario_infos`], built once (it parses every built-in scenario).
pub fn cached_scenario_infos() -> &'static [ScenarioInfo] {
    static INFOS: std::sync::OnceLock<Vec<ScenarioInfo>> = std::sync::OnceLock::new();
    INFOS.get_or_init(scenario_infos)
}

/// A run request from the page: `{"scenario": NAME, "replicates": N, "seed": S, "ticks": T,
/// "mode": "what_if" | "as_is", "set": {PATH: VALUE}}`. `ticks`, `seed` and `mode` are optional
/// (the scenario's length and seed; a what-if).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RunBody {
    scenario: String,
    replicates: u32,
    #[serde(default)]
    seed: Option<u64>,
    /// Read as any JSON value so that a bad one is refused with a message naming the field.
    #[serde(default)]
    ticks: Option<serde_json::Value>,
    #[serde(default)]
    mode: Option<serde_json::Value>,
    #[serde(default)]
    set: serde_json::Map<String, serde_json::Value>,
}

/// What the page asked to run.
#[derive(Debug, Clone, PartialEq)]
pub enum RunRequest {
    /// The scenario as it is against the page's changes, as paired replicates.
    WhatIf(Request),
    /// The scenario as it is, alone: an ensemble as `peacesim run --replicates` makes.
    AsIs(AsIsRequest),
}

/// The scenario as it is, run alone.
#[derive(Debug, Clone, PartialEq)]
pub struct AsIsRequest {
    /// Built-in scenario name.
    pub scenario: String,
    /// Ticks (default: the scenario's).
    pub ticks: Option<u32>,
    /// Replicates.
    pub replicates: u32,
    /// Master seed (default: the scenario's).
    pub seed: Option<u64>,
}

/// Fields the page may change besides the levers: the policy.
const POLICY_FIELDS: [&str; 4] = [
    "mission.policy.weights",
    "mission.policy.allocation",
    "mission.policy.blend_share",
    "mission.mandate",
];

/// Turns a run request into a what-if or an as-is run, refusing anything the page does not
/// offer. Values are written as TOML and validated by the scenario loader, like `--set`.
///
/// # Errors
/// [`Error::Usage`] with a message for the page naming the field: malformed JSON, an unknown
/// scenario, a field the dashboard does not change, a value of the wrong shape, replicates or
/// ticks out of range, an unknown mode, changes sent with the scenario as it is.
pub fn parse_run(body: &str) -> Result<RunRequest> {
    let run: RunBody = serde_json::from_str(body).map_err(|e| Error::Usage(format!("malformed request: {e}")))?;
    let Some(info) = cached_scenario_infos().iter().find(|i| i.name == run.scenario) else {
        return Err(Error::Usage(format!("unknown scenario `{}`", run.scenario)));
    };
    if !REPLICATES.contains(&run.replicates) {
        return Err(Error::Usage(format!(
            "replicates must be in [{}, {}] on the dashboard, got {}",
            REPLICATES.start(),
            REPLICATES.end(),
            run.replicates
        )));
    }
    let ticks = run.ticks.as_ref().map(|t| checked_ticks(t, info)).transpose()?;
    let seed = run
        .seed
        .map(check_seed)
        .transpose()
        .map_err(|m| Error::Usage(format!("seed {m}")))?;
    let as_is = match run.mode.as_ref() {
        None => false,
        Some(serde_json::Value::String(m)) if m == "what_if" => false,
        Some(serde_json::Value::String(m)) if m == "as_is" => true,
        Some(other) => {
            return Err(Error::Usage(format!(
                "mode must be \"what_if\" (the scenario as it is against your changes) or \"as_is\" (the scenario alone), got {other}"
            )));
        }
    };
    if as_is {
        if let Some(path) = run.set.keys().next() {
            return Err(Error::Usage(format!(
                "set: the scenario as it is (mode \"as_is\") takes no changes, got `{path}`; run a what-if to try them"
            )));
        }
        return Ok(RunRequest::AsIs(AsIsRequest {
            scenario: run.scenario,
            ticks,
            replicates: run.replicates,
            seed,
        }));
    }
    let mut set = Vec::new();
    for (path, value) in &run.set {
        let allowed = POLICY_FIELDS.contains(&path.as_str()) || info.levers.iter().any(|l| &l.path == path);
        if !allowed {
            return Err(Error::Usage(format!("`{path}` cannot be changed from the dashboard")));
        }
        set.push(format!("{path}={}", toml_value(path, value)?));
    }
    if set.is_empty() {
        return Err(Error::Usage(
            "nothing to compare: change the policy, the mission or a scenario lever first, or run the scenario as it is alone (mode \"as_is\")".into(),
        ));
    }
    Ok(RunRequest::WhatIf(Request {
        scenario: std::path::PathBuf::from(&run.scenario),
        alt: None,
        set,
        ticks,
        replicates: run.replicates,
        seed,
        formats: vec![Format::Svg, Format::Png],
        look: Look::default(),
    }))
}

/// The run length asked for: a whole number of ticks from 1 to the dashboard's limit for the
/// scenario ([`ticks_limit`]).
fn checked_ticks(value: &serde_json::Value, info: &ScenarioInfo) -> Result<u32> {
    let most = info.ticks_max;
    value
        .as_u64()
        .and_then(|t| u32::try_from(t).ok())
        .filter(|t| (1..=most).contains(t))
        .ok_or_else(|| {
            Error::Usage(format!(
                "ticks must be a whole number from 1 to {most} for {} on the dashboard (it runs {} ticks of {} days as is), got {value}",
                info.name, info.ticks, info.tick_length_days
            ))
        })
}
/// A JSON value as TOML text: numbers, strings and flat tables of numbers (the weights).
fn toml_value(path: &str, v: &serde_json::Value) -> Result<String> {
    let bad = || Error::Usage(format!("{path}: expected a number, a word or a table of numbers"));
    match v {
        serde_json::Value::Number(n) => {
            let x = n.as_f64().ok_or_else(bad)?;
            Ok(if n.is_i64() || n.is_u64() {
                n.to_string()
            } else {
                format!("{x:?}")
            })
        }
        serde_json::Value::String(s) => Ok(toml::Value::String(s.clone()).to_string()),
        serde_json::Value::Object(map) => {
            let mut parts = Vec::new();
            for (k, x) in map {
                if !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(bad());
                }
                let x = x.as_f64().ok_or_else(bad)?;
                parts.push(format!("{k} = {x:?}"));
            }
            Ok(format!("{{ {} }}", parts.join(", ")))
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mission_scenarios_are_listed_with_levers_and_epstein_is_not() {
        let infos = scenario_infos();
        let names: Vec<&str> = infos.iter().map(|i| i.name.as_str()).collect();
        assert!(names.contains(&"unmil-ebola") && names.contains(&"tiny-conflict"), "{names:?}");
        assert!(!names.contains(&"epstein-rebellion"));
        let ebola = infos.iter().find(|i| i.name == "unmil-ebola").unwrap();
        assert!((ebola.weights.values().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(ebola.levers.iter().any(|l| l.path == "rules.health.r0"));
        let mali = infos.iter().find(|i| i.name == "minusma-withdrawal").unwrap();
        assert!(mali.levers.iter().any(|l| l.path.ends_with(".consent_share")));
    }

    #[test]
    fn a_run_request_becomes_set_overrides() {
        let RunRequest::WhatIf(r) = parse_run(
            r#"{"scenario":"tiny-epidemic","replicates":4,"seed":3,"ticks":30,
                "set":{"mission.policy.weights":{"protection":0.5,"health":0.5,"economic":0,"empowerment":0},
                       "mission.policy.allocation":"bottom_up","mission.troops":400}}"#,
        )
        .unwrap() else {
            panic!("a what-if")
        };
        assert_eq!(r.ticks, Some(30));
        assert_eq!(r.replicates, 4);
        assert_eq!(r.seed, Some(3));
        assert!(
            r.set.contains(&"mission.policy.allocation=\"bottom_up\"".to_string()),
            "{:?}",
            r.set
        );
        assert!(r.set.contains(&"mission.troops=400".to_string()), "{:?}", r.set);
        assert!(r.set.iter().any(|s| s.starts_with("mission.policy.weights={ ")), "{:?}", r.set);
    }

    #[test]
    fn bad_requests_are_refused_with_a_reason() {
        let err = |body: &str| parse_run(body).unwrap_err().to_string();
        assert!(err("{").contains("malformed request"));
        assert!(err(r#"{"scenario":"nowhere","replicates":4}"#).contains("unknown scenario"));
        assert!(err(r#"{"scenario":"tiny-epidemic","replicates":500}"#).contains("replicates must be in"));
        assert!(err(r#"{"scenario":"tiny-epidemic","replicates":4,"set":{"run.ticks":5}}"#).contains("cannot be changed"));
        assert!(err(r#"{"scenario":"tiny-epidemic","replicates":4,"set":{"mission.troops":[1]}}"#).contains("expected a number"));
        assert!(err(r#"{"scenario":"tiny-epidemic","replicates":4,"oops":1}"#).contains("unknown field"));
        assert!(err(r#"{"scenario":"tiny-epidemic","replicates":4,"ticks":0}"#).starts_with("ticks must be"));
        assert!(err(r#"{"scenario":"tiny-epidemic","replicates":4,"mode":"both"}"#).starts_with("mode must be"));
    }
}
