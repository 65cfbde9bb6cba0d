//! Scenarios in plain language: the one-line listing of the built-in scenarios
//! (`peacesim scenarios`) and the full description of one scenario (`peacesim describe`).
//!
//! Reads validated scenarios of either model and returns text; it never prints and never runs a
//! simulation. The text depends only on the scenario, so it is the same on every machine.

use std::fmt::Write as _;

use crate::classic::EpsteinScenario;
use crate::library::BuiltinScenario;
use crate::scenario::{Allocation, EventKind, LocalityKind, Mandate, PillarWeights, Rules, Scenario};
use crate::spec::ModelSpec;

/// Width of the terminal the listing is laid out for, in characters.
pub const LISTING_WIDTH: usize = 100;

/// Width of the label column of a description.
const LABEL: usize = 18;

/// One line per built-in scenario: name, model, people, ticks × tick length, description, in
/// aligned columns no wider than `width` characters (descriptions cut with `…`). A scenario
/// that does not validate is listed with its first problem instead of a description.
#[must_use]
pub fn listing(scenarios: &[BuiltinScenario], width: usize) -> String {
    let mut rows: Vec<[String; 5]> = vec![["name", "model", "people", "length", "description"].map(String::from)];
    for b in scenarios {
        let row = match b.load(&[]) {
            Ok(ModelSpec::Peacesim(s)) => [
                b.name.to_string(),
                "peacesim".into(),
                thousands(s.total_population()),
                format!("{} × {} d", thousands(u64::from(s.run.ticks)), short(s.run.tick_length_days)),
                one_line(&s.description),
            ],
            Ok(ModelSpec::Epstein(e)) => [
                b.name.to_string(),
                "epstein".into(),
                "-".into(),
                format!("{} ticks", thousands(u64::from(e.ticks))),
                one_line(&e.raw.description),
            ],
            Err(err) => [
                b.name.to_string(),
                "?".into(),
                "-".into(),
                "-".into(),
                format!("does not validate: {}", one_line(&err.to_string())),
            ],
        };
        rows.push(row);
    }
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let mut line = format!(
            "{:<w0$}  {:<w1$}  {:>w2$}  {:<w3$}  ",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
        let room = width.saturating_sub(line.chars().count()).max(10);
        line.push_str(&truncate(&r[4], room));
        writeln!(out, "{}", line.trim_end()).expect("String");
    }
    out
}

/// A scenario of either model in plain language; `label` names where it came from.
#[must_use]
pub fn describe(spec: &ModelSpec, label: &str) -> String {
    match spec {
        ModelSpec::Peacesim(s) => describe_peacesim(s, label),
        ModelSpec::Epstein(e) => describe_epstein(e, label),
    }
}

fn header(out: &mut String, title: &str, label: &str, model: &str, description: &str, narrative: &str) {
    writeln!(out, "{title}").expect("String");
    writeln!(out, "{label}, model {model}").expect("String");
    if !description.trim().is_empty() {
        writeln!(out, "\n{}", one_line(description)).expect("String");
    }
    if !narrative.trim().is_empty() {
        writeln!(out, "\n{}", narrative.trim()).expect("String");
    }
}

/// Writes `label  value`, wrapping the value at [`LISTING_WIDTH`] under itself.
fn field(out: &mut String, label: &str, value: &str) {
    let indent = 2 + LABEL;
    let lines = wrap(value, LISTING_WIDTH.saturating_sub(indent).max(30));
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            writeln!(out, "  {label:<LABEL$}{line}").expect("String");
        } else {
            writeln!(out, "{:indent$}{line}", "").expect("String");
        }
    }
    if lines.is_empty() {
        writeln!(out, "  {label}").expect("String");
    }
}

fn section(out: &mut String, title: &str) {
    writeln!(out, "\n{title}").expect("String");
}

fn describe_peacesim(s: &Scenario, label: &str) -> String {
    let mut out = String::new();
    header(&mut out, &s.name, label, "peacesim", &s.description, &s.narrative);
    run_and_population(&mut out, s);
    armed_groups(&mut out, s);
    mission(&mut out, s);
    scheduled_events(&mut out, s);
    changed_parameters_section(&mut out, s);
    out
}

/// Length, seed, people, localities, protection sites and identity groups.
fn run_and_population(out: &mut String, s: &Scenario) {
    let dt = s.run.tick_length_days;
    section(out, "Run and population");
    field(
        out,
        "length",
        &format!(
            "{} ticks of {} ({} days)",
            thousands(u64::from(s.run.ticks)),
            days(dt),
            short(f64::from(s.run.ticks) * dt)
        ),
    );
    field(out, "seed", &s.run.seed.to_string());
    field(
        out,
        "people",
        &format!(
            "{} as {} agents ({})",
            thousands(s.total_population()),
            thousands(s.total_agents()),
            if s.population.people_per_agent == 1.0 {
                "one agent per person".to_string()
            } else {
                format!("{} people per agent", short(s.population.people_per_agent))
            }
        ),
    );
    let urban = s.localities.iter().filter(|l| l.kind == LocalityKind::Urban).count();
    let sites: Vec<String> = s
        .localities
        .iter()
        .enumerate()
        .filter_map(|(index, l)| {
            l.site.map(|site| {
                let opens = s.events.iter().find_map(|e| match e.kind {
                    EventKind::SiteCapacity { locality, capacity } if locality as usize == index && capacity > 0.0 => Some(e.tick),
                    _ => None,
                });
                let room = match (site.capacity > 0.0, opens) {
                    (true, _) => format!("capacity {}", thousands_f(site.capacity)),
                    (false, Some(tick)) => format!("closed until day {}", short(f64::from(tick) * s.run.tick_length_days)),
                    (false, None) => "closed: capacity 0 and no event opens it".to_string(),
                };
                format!(
                    "{} ({room}, guard posture {:.2}, services {:.2})",
                    l.name, site.guard_posture, site.services
                )
            })
        })
        .collect();
    field(
        out,
        "localities",
        &format!(
            "{} ({urban} urban, {} rural), {} links",
            s.localities.len(),
            s.localities.len() - urban,
            s.links.len()
        ),
    );
    field(
        out,
        "protection sites",
        &if sites.is_empty() {
            "none".to_string()
        } else {
            format!("{}: {}", sites.len(), sites.join("; "))
        },
    );
    let total = s.total_population().max(1) as f64;
    let groups: Vec<String> = s
        .identity_groups
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let people: f64 = s
                .localities
                .iter()
                .map(|l| l.population as f64 * l.composition.get(i).copied().unwrap_or(0.0))
                .sum();
            format!("{name} {:.0} %", 100.0 * people / total)
        })
        .collect();
    field(out, "identity groups", &format!("{} (share of residents)", groups.join(", ")));
}

/// Each armed group in a paragraph: strength, behaviour, whom it recruits, fights and targets.
fn armed_groups(out: &mut String, s: &Scenario) {
    let dt = s.run.tick_length_days;
    let loc = |i: u32| s.localities[i as usize].name.as_str();
    section(out, "Armed groups");
    if s.armed_groups.is_empty() {
        field(out, "none", "");
    }
    for g in &s.armed_groups {
        let names = |flags: &[bool]| -> String {
            let v: Vec<&str> = flags
                .iter()
                .zip(&s.identity_groups)
                .filter(|(f, _)| **f)
                .map(|(_, n)| n.as_str())
                .collect();
            if v.is_empty() {
                "nobody".into()
            } else if v.len() == s.identity_groups.len() && v.len() > 1 {
                "everyone".into()
            } else {
                v.join(", ")
            }
        };
        let enemies: Vec<&str> = g.enemies.iter().map(|&e| s.armed_groups[e as usize].name.as_str()).collect();
        let mut text = format!(
            "{} fighters in {}; predation {:.2}, discipline {:.2}, deterrence sensitivity {:.2}; \
             {} attacks per 100 fighters per day, {} killed per attack, reach {} km; \
             attacks the mission {:.2}, protection sites {:.2}, projects {:.2}; recruits from {}; hostile to {}; fights {}",
            thousands_f(g.fighters),
            g.presence.iter().map(|&l| loc(l)).collect::<Vec<_>>().join(", "),
            g.predation,
            g.discipline,
            g.deterrence_sensitivity,
            short(g.attack_rate_per_100_fighters_day),
            short(g.kills_per_attack),
            short(g.reach_km),
            g.attacks_mission,
            g.attacks_sites,
            g.spoiler,
            names(&g.recruits_from),
            names(&g.hostile_to),
            if enemies.is_empty() {
                "nobody".to_string()
            } else {
                enemies.join(", ")
            },
        );
        if g.child_recruitment_per_1000_fighters_day > 0.0 {
            write!(
                text,
                "; abducts {} children per 1,000 fighters per day",
                short(g.child_recruitment_per_1000_fighters_day)
            )
            .expect("String");
        }
        if g.state_aligned && g.kind != crate::scenario::GroupKind::State {
            text.push_str("; aligned with the state");
        }
        if g.active_from_tick > 0 {
            write!(text, "; active from day {}", short(f64::from(g.active_from_tick) * dt)).expect("String");
        }
        writeln!(out, "  {} ({})", g.name, g.kind.as_str()).expect("String");
        for line in wrap(&text, LISTING_WIDTH - 4) {
            writeln!(out, "    {line}").expect("String");
        }
    }
}

/// The mission: personnel, budget, mandate, consent, deployment and policy.
fn mission(out: &mut String, s: &Scenario) {
    let dt = s.run.tick_length_days;
    section(out, "Mission");
    match &s.mission {
        None => field(out, "none", ""),
        Some(m) => {
            field(out, "name", &m.name);
            field(
                out,
                "personnel",
                &format!(
                    "{} troops, {} police, {} observers, {} civilians",
                    thousands_f(m.troops),
                    thousands_f(m.police),
                    thousands_f(m.observers),
                    thousands_f(m.civilians)
                ),
            );
            field(out, "budget", &format!("US$ {} per day", thousands_f(m.budget_usd_per_day)));
            let costs = &s.rules.costs;
            let personnel = crate::mechanisms::means::personnel_cost(costs, m.troops, m.police, m.observers, m.civilians);
            let operations = crate::mechanisms::means::full_operations(costs, m.troops + m.police);
            let left = m.budget_usd_per_day - personnel;
            field(
                out,
                "costs",
                &if left >= 0.0 {
                    format!(
                        "personnel US$ {} per day at full strength, leaving US$ {} for operations and programmes (full operational tempo needs US$ {})",
                        thousands_f(personnel),
                        thousands_f(left),
                        thousands_f(operations)
                    )
                } else {
                    format!(
                        "personnel US$ {} per day at full strength: the budget pays for {:.0} % of them and nothing else",
                        thousands_f(personnel),
                        100.0 * m.budget_usd_per_day / personnel
                    )
                },
            );
            field(
                out,
                "mandate",
                &format!(
                    "{}, posture {:.2}{}",
                    m.mandate.as_str(),
                    m.posture,
                    if m.offensive_targets_state && m.mandate == Mandate::Robust {
                        ", offensives also against state-aligned groups"
                    } else {
                        ""
                    }
                ),
            );
            field(
                out,
                "consent",
                &format!(
                    "host consent {:.2}; withdrawal ordered below {:.2}, then protection limited after {} days and personnel withdrawn over {} days",
                    m.host_consent,
                    m.consent_threshold,
                    short(m.poc_rampdown_days),
                    short(m.drawdown_days)
                ),
            );
            field(
                out,
                "deployment",
                &format!(
                    "from day {}, {:.0} % deployed at the start, full after {} days; units of {} troops or {} police; plans every {} days",
                    short(f64::from(m.start_tick) * dt),
                    100.0 * m.initial_deployed_share,
                    short(m.ramp_up_days),
                    short(m.troops_per_unit),
                    short(m.police_per_unit),
                    m.planning_interval_days
                ),
            );
            field(
                out,
                "policy weights",
                &m.policy
                    .weights
                    .as_ref()
                    .map_or_else(|| "set by communities (bottom-up)".to_string(), weights),
            );
            field(out, "allocation", &allocation(m.policy.allocation, m.policy.blend_share));
            let deploy: Vec<&str> = m
                .deployable
                .iter()
                .zip(&s.localities)
                .filter(|(d, _)| **d)
                .map(|(_, l)| l.name.as_str())
                .collect();
            field(
                out,
                "deploy to",
                &if deploy.len() == s.localities.len() {
                    "all localities".to_string()
                } else {
                    format!("{} ({} of {} localities)", deploy.join(", "), deploy.len(), s.localities.len())
                },
            );
        }
    }
}

/// The scheduled events, one a line, by day.
fn scheduled_events(out: &mut String, s: &Scenario) {
    let dt = s.run.tick_length_days;
    section(out, "Scheduled events");
    if s.events.is_empty() {
        field(out, "none", "");
    }
    let mut events: Vec<&crate::scenario::ScheduledEvent> = s.events.iter().collect();
    events.sort_by_key(|e| e.tick);
    let day_width = events.iter().map(|e| short(f64::from(e.tick) * dt).len()).max().unwrap_or(1);
    for e in events {
        let text = event_text(s, &e.kind);
        let lead = format!("  day {:<day_width$}  ", short(f64::from(e.tick) * dt));
        let indent = lead.chars().count();
        for (i, line) in wrap(&text, LISTING_WIDTH.saturating_sub(indent).max(30)).iter().enumerate() {
            if i == 0 {
                writeln!(out, "{lead}{line}").expect("String");
            } else {
                writeln!(out, "{:indent$}{line}", "").expect("String");
            }
        }
    }
}

/// The mechanism parameters the scenario sets away from their defaults.
fn changed_parameters_section(out: &mut String, s: &Scenario) {
    section(out, "Mechanism parameters set by the scenario (differing from the defaults)");
    let changed = changed_parameters(s);
    if changed.is_empty() {
        field(out, "none", "every [rules.*] parameter is at its default (`peacesim params`)");
    }
    for line in changed {
        writeln!(out, "  {line}").expect("String");
    }
}

/// Every `[rules.*]` and `[indicators]` value that differs from its default, as
/// `path = value unit (default D)`, in alphabetical order of path.
fn changed_parameters(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    let catalogue = Rules::catalogue();
    let unit_of = |path: &str| {
        catalogue
            .iter()
            .chain(crate::scenario::RawCutoffs::catalogue().iter())
            .find(|p| p.path == path)
            .map(|p| p.unit)
            .filter(|u| *u != "1")
            .map(|u| format!(" {u}"))
            .unwrap_or_default()
    };
    let mut diff = |prefix: &str, actual: Option<toml::Value>, default: Option<toml::Value>| {
        let (Some(actual), Some(default)) = (actual, default) else { return };
        let mut a = Vec::new();
        let mut d = Vec::new();
        flatten(prefix, &actual, &mut a);
        flatten(prefix, &default, &mut d);
        for ((path, value), (_, def)) in a.iter().zip(&d) {
            if value != def {
                out.push(format!("{path} = {}{} (default {})", render(value), unit_of(path), render(def)));
            }
        }
    };
    diff(
        "rules",
        toml::Value::try_from(&s.rules).ok(),
        toml::Value::try_from(Rules::default()).ok(),
    );
    diff(
        "indicators.cutoffs",
        toml::Value::try_from(s.indicators.cutoffs).ok(),
        toml::Value::try_from(crate::scenario::RawCutoffs::default()).ok(),
    );
    let k_default = 1.0 / 3.0;
    if (s.indicators.k - k_default).abs() > 1e-12 {
        out.push(format!("indicators.k_share = {} (default 1/3)", short(s.indicators.k)));
    }
    if s.indicators.weights.iter().any(|w| (w - 1.0 / 7.0).abs() > 1e-12) {
        let w: Vec<String> = crate::scenario::DIMENSIONS
            .iter()
            .zip(s.indicators.weights)
            .map(|(d, w)| format!("{d} {}", short(w)))
            .collect();
        out.push(format!("indicators.weights = {} (default 1/7 each)", w.join(" / ")));
    }
    out
}

/// Leaves of a TOML value as (`prefix.key.key`, value), in key order.
fn flatten(prefix: &str, value: &toml::Value, out: &mut Vec<(String, toml::Value)>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                flatten(&format!("{prefix}.{k}"), v, out);
            }
        }
        other => out.push((prefix.to_string(), other.clone())),
    }
}

fn render(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Float(f) => short(*f),
        other => other.to_string(),
    }
}

fn event_text(s: &Scenario, kind: &EventKind) -> String {
    let loc = |i: u32| s.localities[i as usize].name.as_str();
    let group = |i: u32| s.armed_groups[i as usize].name.as_str();
    let places = |list: &[u32]| -> String {
        if list.len() == s.localities.len() && list.len() > 1 {
            "every locality".into()
        } else if list.len() > 3 {
            format!(
                "{}, … ({} localities)",
                list[..3].iter().map(|&l| loc(l)).collect::<Vec<_>>().join(", "),
                list.len()
            )
        } else {
            list.iter().map(|&l| loc(l)).collect::<Vec<_>>().join(", ")
        }
    };
    match kind {
        EventKind::EpidemicSeed { locality, cases } => {
            format!("epidemic seeded in {}: {} people infected", loc(*locality), thousands_f(*cases))
        }
        EventKind::Drought { localities, severity } => format!("drought in {}, severity {severity:.2}", places(localities)),
        EventKind::PriceShock { localities, multiplier } => {
            format!("food price shock in {}: prices × {}", places(localities), short(*multiplier))
        }
        EventKind::ConsentWithdrawal { consent } => format!("consent withdrawal: host consent falls to {consent:.2}"),
        EventKind::Coup {
            state_trust_drop,
            consent_drop,
            state_predation_increase,
        } => format!(
            "coup: trust in the state falls by {:.0} %, host consent by {consent_drop:.2}, state forces' predation rises by {state_predation_increase:.2}",
            100.0 * state_trust_drop
        ),
        EventKind::BudgetCut { budget_share } => {
            format!("budget cut: the budget falls to {:.0} % of its level", 100.0 * budget_share)
        }
        EventKind::Drawdown {
            personnel_share,
            over_days,
        } => format!(
            "drawdown: authorised personnel fall to {:.0} % of the current level over {} days",
            100.0 * personnel_share,
            short(*over_days)
        ),
        EventKind::ArmedGroupSurge {
            group: g,
            fighters,
            locality,
        } => format!(
            "armed-group surge: {} gains {} fighters in {}",
            group(*g),
            thousands_f(*fighters),
            loc(*locality)
        ),
        EventKind::ArmedGroupSplit {
            group: g,
            new_group,
            share,
        } => format!(
            "armed-group split: {:.0} % of {}'s fighters leave to join {}",
            100.0 * share,
            group(*g),
            group(*new_group)
        ),
        EventKind::Ceasefire { groups } => {
            let who = if groups.len() == s.armed_groups.len() && groups.len() > 1 {
                "every armed group".to_string()
            } else {
                groups.iter().map(|&g| group(g)).collect::<Vec<_>>().join(", ")
            };
            format!("ceasefire: {who} stop attacking, fighting and recruiting")
        }
        EventKind::SiteCapacity { locality, capacity } => {
            if *capacity > 0.0 {
                format!(
                    "protection site at {}: room for {} people from now on",
                    loc(*locality),
                    thousands_f(*capacity)
                )
            } else {
                format!("protection site at {} closes to newcomers", loc(*locality))
            }
        }
        EventKind::MandateChange {
            weights: w,
            allocation: a,
            blend_share,
            mandate,
            posture,
        } => {
            let mut parts = Vec::new();
            if let Some(w) = w {
                parts.push(format!("weights {}", weights(w)));
            }
            if let Some(a) = a {
                parts.push(format!("allocation {}", allocation(*a, blend_share.unwrap_or(0.5))));
            } else if let Some(b) = blend_share {
                parts.push(format!("blend share {b:.2}"));
            }
            if let Some(m) = mandate {
                parts.push(format!("mandate {}", m.as_str()));
            }
            if let Some(p) = posture {
                parts.push(format!("posture {p:.2}"));
            }
            format!("mandate change: {}", parts.join("; "))
        }
    }
}

fn weights(w: &PillarWeights) -> String {
    w.iter().map(|(p, w)| format!("{p} {w:.2}")).collect::<Vec<_>>().join(" / ")
}

fn allocation(a: Allocation, blend: f64) -> String {
    match a {
        Allocation::TopDown => "top-down (the mission's own priorities)".into(),
        Allocation::BottomUp => "bottom-up (communities' expressed needs)".into(),
        Allocation::Blend => format!("blend, {blend:.2} of the way from top-down to bottom-up"),
    }
}

fn describe_epstein(e: &EpsteinScenario, label: &str) -> String {
    let r = &e.raw;
    let mut out = String::new();
    header(
        &mut out,
        e.name(),
        label,
        "epstein (Epstein 2002 civil violence)",
        &r.description,
        &r.narrative,
    );
    run_and_lattice(&mut out, e);
    epstein_rules(&mut out, e);
    epstein_changes(&mut out, e);
    out
}

/// Length, seed, the lattice, citizens, cops and Model II.
fn run_and_lattice(out: &mut String, e: &EpsteinScenario) {
    let r = &e.raw;
    section(out, "Run and lattice");
    field(out, "length", &format!("{} ticks", thousands(u64::from(e.ticks))));
    field(out, "seed", &e.seed.to_string());
    let cells = e.width * e.height;
    field(
        out,
        "lattice",
        &format!("{} × {} torus ({} cells)", e.width, e.height, thousands(cells as u64)),
    );
    let c = &r.citizens;
    field(
        out,
        "citizens",
        &format!(
            "density {} (about {}), legitimacy {}, threshold {}, vision {}, arrest constant {}",
            short(c.density),
            thousands_f((c.density * cells as f64).round()),
            short(c.legitimacy),
            short(c.threshold),
            short(c.vision),
            short(c.arrest_constant)
        ),
    );
    field(
        out,
        "cops",
        &format!(
            "density {} (about {}), vision {}",
            short(r.cops.density),
            thousands_f((r.cops.density * cells as f64).round()),
            short(r.cops.vision)
        ),
    );
    let m = &r.model2;
    field(
        out,
        "model II",
        &if m.enabled {
            format!(
                "on: blue share {}, clone probability {}, maximum age {}, peacekeeper density {} from tick {}",
                short(m.blue_share),
                short(m.clone_probability),
                m.max_age,
                short(m.peacekeepers_density),
                m.peacekeepers_tick
            )
        } else {
            "off (Model I: citizens and cops)".into()
        },
    );
}

/// Every rule setting, with its default where it differs.
fn epstein_rules(out: &mut String, e: &EpsteinScenario) {
    let r = &e.raw;
    section(out, "Rule settings (where NetLogo, Mesa and the paper differ)");
    let mut actual = Vec::new();
    let mut default = Vec::new();
    if let (Ok(a), Ok(d)) = (
        toml::Value::try_from(r.rules),
        toml::Value::try_from(crate::classic::scenario::Rules::default()),
    ) {
        flatten("rules", &a, &mut actual);
        flatten("rules", &d, &mut default);
    }
    for ((path, value), (_, def)) in actual.iter().zip(&default) {
        let note = if value == def {
            " (default)".to_string()
        } else {
            format!(" (default {})", render(def))
        };
        writeln!(out, "  {path} = {}{note}", render(value)).expect("String");
    }
}

/// The scheduled changes of legitimacy and cop density, by tick.
fn epstein_changes(out: &mut String, e: &EpsteinScenario) {
    let r = &e.raw;
    section(out, "Scheduled changes");
    let mut changes: Vec<(i64, String)> = Vec::new();
    for (what, list) in [("legitimacy", &r.legitimacy_changes), ("cop density", &r.cop_changes)] {
        for ch in list {
            let how = if ch.over_ticks > 0 {
                format!("over {} ticks", ch.over_ticks)
            } else {
                "at once".into()
            };
            changes.push((ch.tick, format!("{what} moves to {} {how}", short(ch.value))));
        }
    }
    changes.sort_by_key(|c| c.0);
    if changes.is_empty() {
        field(out, "none", "");
    }
    let width = changes.iter().map(|c| c.0.to_string().len()).max().unwrap_or(1);
    for (tick, text) in changes {
        writeln!(out, "  tick {tick:<width$}  {text}").expect("String");
    }
}

/// Collapses whitespace (newlines included) to single spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cuts `text` to at most `room` characters, ending in `…` when cut.
fn truncate(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_string();
    }
    let cut: String = text.chars().take(room.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end_matches([' ', ',', ';', ':']))
}

/// Splits `text` into lines of at most `width` characters at spaces (a longer word stays whole).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `12,500`.
fn thousands(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count held as a float, with thousands separators when whole (`6,000`, `2.5`).
fn thousands_f(v: f64) -> String {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 1e15 {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a whole, non-negative number below 1e15"
        )]
        return thousands(v as u64);
    }
    format!("{v}")
}

/// The shortest text that reads back as `v` (`2`, `0.05`, `1.83`; `60,000` for large whole numbers).
fn short(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v >= 10_000.0 {
        return thousands_f(v);
    }
    format!("{v}")
}

/// `1 day`, `7 days`.
fn days(d: f64) -> String {
    if d == 1.0 { "1 day".into() } else { format!("{} days", short(d)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_helpers_cut_wrap_and_group() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(short(2.0), "2");
        assert_eq!(short(0.05), "0.05");
        assert_eq!(thousands_f(60_000.0), "60,000");
    }

    #[test]
    fn the_listing_fits_the_terminal() {
        let text = listing(crate::library::builtin(), LISTING_WIDTH);
        assert!(text.lines().all(|l| l.chars().count() <= LISTING_WIDTH), "{text}");
        assert!(text.lines().any(|l| l.starts_with("baseline ")), "{text}");
    }
}
