//! What the page may ask: the scenarios it can show, and a run request turned into a what-if.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::experiment::whatif::request::Request;
use crate::library;
use crate::output::Format;
use crate::rng::check_seed;
use crate::scenario::{EventKind, Scenario};
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
    /// Master seed.
    pub seed: u64,
    /// Policy weights as is, by pillar name.
    pub weights: std::collections::BTreeMap<String, f64>,
    /// Allocation rule as is.
    pub allocation: String,
    /// Mandate as is.
    pub mandate: String,
    /// Other settings the page offers: mission size and posture, and scenario-specific ones.
    pub levers: Vec<Lever>,
}

/// Replicate pairs the page may ask for.
pub const REPLICATES: std::ops::RangeInclusive<u32> = 2..=50;

fn lever(path: &str, label: &str, value: f64, min: f64, max: f64, step: f64) -> Lever {
    Lever {
        path: path.to_string(),
        label: label.to_string(),
        value,
        min,
        max,
        step,
    }
}

/// The levers of a scenario: mission size, budget and posture, and what its story turns on
/// (the first protection site's guard posture, a consent withdrawal's level, an epidemic's R0).
#[must_use]
pub fn levers(s: &Scenario) -> Vec<Lever> {
    let mut out = Vec::new();
    if let Some(m) = &s.mission {
        let top = |x: f64, floor: f64| (x * 3.0).max(floor).round();
        out.push(lever("mission.troops", "Troops", m.troops, 0.0, top(m.troops, 1000.0), 50.0));
        out.push(lever("mission.police", "Police", m.police, 0.0, top(m.police, 500.0), 10.0));
        out.push(lever(
            "mission.budget_usd_per_day",
            "Budget (US$ per day)",
            m.budget_usd_per_day,
            0.0,
            top(m.budget_usd_per_day, 10_000.0),
            1000.0,
        ));
        out.push(lever(
            "mission.posture_share",
            "Posture (readiness to use force)",
            m.posture,
            0.0,
            1.0,
            0.05,
        ));
    }
    if let Some(l) = s.localities.iter().find(|l| l.site.is_some())
        && let Some(site) = &l.site
    {
        out.push(lever(
            &format!("localities[name={}].protection_site.guard_posture_share", l.name),
            &format!("Guard posture of the {} site", l.name),
            site.guard_posture,
            0.0,
            1.0,
            0.05,
        ));
    }
    for (i, e) in s.events.iter().enumerate() {
        if let EventKind::ConsentWithdrawal { consent } = e.kind {
            out.push(lever(
                &format!("events[{i}].consent_share"),
                &format!("Host consent after its withdrawal on day {}", e.tick),
                consent,
                0.0,
                1.0,
                0.05,
            ));
            break;
        }
    }
    if s.events.iter().any(|e| matches!(e.kind, EventKind::EpidemicSeed { .. })) {
        out.push(lever("rules.health.r0", "Epidemic R0", s.rules.health.r0, 0.0, 5.0, 0.05));
    }
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
                seed: s.run.seed,
                weights: m
                    .policy
                    .weights
                    .map(|w| w.iter().map(|(p, &w)| (p.name().to_string(), w)).collect())
                    .unwrap_or_default(),
                allocation: m.policy.allocation.as_str().to_string(),
                mandate: m.mandate.as_str().to_string(),
                levers: levers(s),
            })
        })
        .collect()
}

/// [`scenario_infos`], built once (it parses every built-in scenario).
pub fn cached_scenario_infos() -> &'static [ScenarioInfo] {
    static INFOS: std::sync::OnceLock<Vec<ScenarioInfo>> = std::sync::OnceLock::new();
    INFOS.get_or_init(scenario_infos)
}

/// A run request from the page: `{"scenario": NAME, "replicates": N, "seed": S, "set": {PATH: VALUE}}`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RunBody {
    scenario: String,
    replicates: u32,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    set: serde_json::Map<String, serde_json::Value>,
}

/// Fields the page may change besides the levers: the policy.
const POLICY_FIELDS: [&str; 4] = [
    "mission.policy.weights",
    "mission.policy.allocation",
    "mission.policy.blend_share",
    "mission.mandate",
];

/// Turns a run request into a what-if request, refusing anything the page does not offer.
/// Values are written as TOML and validated by the scenario loader, like `--set`.
///
/// # Errors
/// [`Error::Usage`] with a message for the page: malformed JSON, an unknown scenario, a field
/// the dashboard does not change, a value of the wrong shape, replicates out of range.
pub fn parse_run(body: &str) -> Result<Request> {
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
            "nothing to compare: change the policy, the mission or a scenario lever first".into(),
        ));
    }
    Ok(Request {
        scenario: std::path::PathBuf::from(&run.scenario),
        alt: None,
        set,
        ticks: None,
        replicates: run.replicates,
        seed: run
            .seed
            .map(check_seed)
            .transpose()
            .map_err(|m| Error::Usage(format!("seed {m}")))?,
        formats: vec![Format::Svg, Format::Png],
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
        let r = parse_run(
            r#"{"scenario":"tiny-epidemic","replicates":4,"seed":3,
                "set":{"mission.policy.weights":{"protection":0.5,"health":0.5,"economic":0,"empowerment":0},
                       "mission.policy.allocation":"bottom_up","mission.troops":400}}"#,
        )
        .unwrap();
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
    }
}
