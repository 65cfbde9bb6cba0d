//! Pattern-oriented validation: named, seeded checks with explicit tolerances.
//!
//! Each check states the pattern, its source, the setting, the measured result over N seeds,
//! the tolerance and whether it passes. Two families: reproduction of Epstein's (2002)
//! civil-violence model (punctuated equilibrium, legitimacy and cop effects, sudden versus
//! gradual legitimacy loss, Model II extinction and peacekeeping), and the stylised facts of
//! peacekeeping research for the main model (docs/SOURCES.md).
//! `peacesim check` runs them at a chosen scale and writes the `docs/VALIDATION.md` table.
//! A tolerance that is ever changed must say why in the check's `tolerance` text.

use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;

use crate::classic::{EpsteinModel, EpsteinScenario, outbursts};
use crate::engine::{Collect, Simulation};
use crate::error::Result;
use crate::phases::conflict::{Actor, EventType};
use crate::scenario::{Override, Scenario, document};

mod consistency;
mod crisis;
mod livelihoods;
mod perception;
mod security;

/// How much to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// Seeds per arm.
    pub seeds: u64,
    /// Ticks of Epstein Model I runs.
    pub epstein_ticks: u32,
    /// Name.
    pub name: &'static str,
}

impl Scale {
    /// Fast enough for the test suite.
    pub const SMALL: Self = Self {
        seeds: 8,
        epstein_ticks: 600,
        name: "small",
    };
    /// The scale of `docs/VALIDATION.md`.
    pub const FULL: Self = Self {
        seeds: 20,
        epstein_ticks: 2000,
        name: "full",
    };
}

/// How a check's pattern comes about in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Basis {
    /// The pattern emerges from mechanisms that were not set to produce it.
    #[default]
    Emergent,
    /// A parameter was set from the same source the pattern comes from: the check shows the
    /// model carries the assumption through, and is not counted as reproduced.
    Assumption,
}

/// Outcome of one check.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckResult {
    /// Short identifier.
    pub id: &'static str,
    /// The pattern checked.
    pub pattern: &'static str,
    /// Source of the pattern.
    pub source: &'static str,
    /// Setting (scenario and arms).
    pub setting: String,
    /// Measured result.
    pub result: String,
    /// Tolerance (what counts as reproducing the pattern).
    pub tolerance: &'static str,
    /// Whether the pattern is reproduced.
    pub passed: bool,
    /// The mechanism the check tests.
    pub mechanism: &'static str,
    /// The overrides that switch that mechanism off (the knock-out), as `PATH=VALUE`.
    pub knockout: &'static [&'static str],
    /// Whether the pattern is emergent or built in by assumption.
    pub basis: Basis,
    /// The stylised facts of docs/SOURCES.md (1-34) the check tests.
    pub facts: &'static [u8],
    /// A pattern the model is known not to reproduce, explained in docs/VALIDATION.md.
    pub documented_miss: bool,
}

/// Where the checks' runs come from: a scale, and the overrides of a knock-out (empty for the
/// checks themselves), applied after every arm's own overrides so that they win.
pub struct Runner {
    /// Seeds and ticks.
    pub scale: Scale,
    knockout: Vec<String>,
}

impl Runner {
    pub(crate) fn with(&self, overrides: &[String]) -> Vec<String> {
        overrides.iter().chain(&self.knockout).cloned().collect()
    }

    pub(crate) fn main(&self, name: &str, overrides: &[String]) -> Result<Scenario> {
        load_main(name, &self.with(overrides))
    }

    pub(crate) fn epstein_runs(&self, overrides: &[String], seeds: u64, ticks: u32) -> Result<Vec<Vec<crate::classic::EpsteinCounts>>> {
        epstein_runs(&self.with(overrides), seeds, ticks)
    }

    pub(crate) fn extinction_ticks(&self, overrides: &[String], seeds: u64, ticks: u32) -> Result<Vec<Option<usize>>> {
        extinction_ticks(&self.with(overrides), seeds, ticks)
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn load_main(name: &str, overrides: &[String]) -> Result<Scenario> {
    let path = root().join("scenarios").join(name);
    let o: Vec<Override> = overrides.iter().map(|s| Override::parse(s)).collect::<Result<_>>()?;
    Scenario::from_path_with_overrides(&path, &o)
}

pub(crate) fn load_epstein(overrides: &[String]) -> Result<EpsteinScenario> {
    let path = root().join("scenarios/epstein-rebellion.toml");
    let text = document::read_text(&path)?;
    let o: Vec<Override> = overrides.iter().map(|s| Override::parse(s)).collect::<Result<_>>()?;
    EpsteinScenario::from_toml_str_with_overrides(&text, &path, &o)
}

pub(crate) fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_string()).collect()
}

/// Runs a main-model scenario for every seed (in parallel) and maps each run to a value.
pub(crate) fn per_seed<T: Send>(s: &Scenario, seeds: u64, f: impl Fn(&Collect) -> T + Sync) -> Vec<T> {
    (0..seeds)
        .into_par_iter()
        .map(|seed| {
            let mut sim = Simulation::with_seed(s, 1000 + seed);
            let mut c = Collect {
                keep_localities: true,
                ..Collect::default()
            };
            sim.run(&mut c, &|| false).expect("collecting cannot fail");
            f(&c)
        })
        .collect()
}

pub(crate) fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

pub(crate) fn osv(c: &Collect) -> f64 {
    c.national
        .iter()
        .map(|r| r.civilian_fatalities_rebel + r.civilian_fatalities_militia + r.civilian_fatalities_state)
        .sum()
}

fn epstein_runs(overrides: &[String], seeds: u64, ticks: u32) -> Result<Vec<Vec<crate::classic::EpsteinCounts>>> {
    let mut s = load_epstein(overrides)?;
    s.ticks = ticks;
    Ok((0..seeds)
        .into_par_iter()
        .map(|seed| {
            let mut m = EpsteinModel::with_seed(&s, 1000 + seed);
            let mut v = vec![m.counts()];
            for _ in 0..ticks {
                m.step();
                v.push(m.counts());
            }
            v
        })
        .collect())
}

pub(crate) const NO_MISSION: [&str; 4] = [
    "mission.troops=0",
    "mission.police=0",
    "mission.observers=0",
    "mission.budget_usd_per_day=0",
];

/// One validation check: the function that runs it, the mechanism it tests, the knock-out that
/// switches that mechanism off, and whether the pattern is built in by assumption.
pub(crate) struct Check {
    pub(crate) run: fn(&Runner) -> Result<CheckResult>,
    /// The stylised facts of docs/SOURCES.md (numbers 1-34) whose pattern the check tests.
    pub(crate) facts: &'static [u8],
    pub(crate) mechanism: &'static str,
    pub(crate) knockout: &'static [&'static str],
    pub(crate) basis: Basis,
}

/// Every check. A check whose pattern still holds under its knock-out does not test its
/// mechanism (issue 18): `peacesim check --knockouts` runs them all that way.
const CHECKS: &[Check] = &[
    Check {
        run: epstein_punctuated,
        facts: &[31],
        mechanism: "NetLogo's floor arrest rule: a citizen's estimated arrest risk jumps to its full value once cops in sight match actives (a threshold, Epstein's fact 31)",
        knockout: &["rules.arrest_rule=\"identity\""],
        basis: Basis::Emergent,
    },
    Check {
        run: epstein_legitimacy_and_cops,
        facts: &[],
        mechanism: "activation when grievance H (1 - L) minus net risk exceeds the threshold",
        knockout: &["citizens.threshold=1.0"],
        basis: Basis::Emergent,
    },
    Check {
        run: epstein_sudden_versus_gradual,
        facts: &[32],
        mechanism: "jailing removes actives as a gradual fall in legitimacy brings them out one by one",
        knockout: &["rules.max_jail_term=0"],
        basis: Basis::Emergent,
    },
    Check {
        run: epstein_model2_extinction,
        facts: &[34],
        mechanism: "inter-group killing when grievance minus net risk exceeds the threshold (Model II)",
        knockout: &["citizens.threshold=1.0"],
        basis: Basis::Emergent,
    },
    Check {
        run: epstein_model2_peacekeepers,
        facts: &[34],
        mechanism: "cops (peacekeepers) arrest the killers they see",
        knockout: &["cops.vision=0.0"],
        basis: Basis::Emergent,
    },
    Check {
        run: troops_dose_response,
        facts: &[1],
        mechanism: "armed presence per head deters one-sided violence, and a robust mission's offensives",
        knockout: &[
            "armed_groups[1].deterrence_sensitivity_share=0.0",
            "rules.battles.offensive_rate_per_1000_troops_day=0.0",
        ],
        basis: Basis::Emergent,
    },
    Check {
        run: observers_do_not_deter,
        facts: &[1],
        mechanism: "an observer mandate's deterrence factor, set to 0 from Hultman et al. 2013 (`rules.targeting.mandate_factor_observer`)",
        knockout: &["rules.targeting.mandate_factor_observer=0.7"],
        basis: Basis::Assumption,
    },
    Check {
        run: state_forces_deterred_less,
        facts: &[3],
        mechanism: "deterrence sensitivities by kind of group, set from the same literature (rebels 0.95, state forces 0.3)",
        knockout: &["armed_groups[0].deterrence_sensitivity_share=0.95"],
        basis: Basis::Assumption,
    },
    Check {
        run: violence_displaced_to_neighbours,
        facts: &[5],
        mechanism: "armed groups choose targets by value per head net of the mission's deterrence where they would strike",
        knockout: &["armed_groups[1].deterrence_sensitivity_share=0.0"],
        basis: Basis::Emergent,
    },
    Check {
        run: site_hysteresis,
        facts: &[14],
        mechanism: "people return only when home has been safe for months (victimisation remembered over `return_safe_days`, 90) and its services are comparable to where they are (sites' services retain residents)",
        knockout: &[
            "rules.displacement.return_services_tolerance=2.0",
            "rules.displacement.return_safe_days=1",
        ],
        basis: Basis::Emergent,
    },
    Check {
        run: conflict_amplifies_epidemics,
        facts: &[21],
        mechanism: "transmission multiplied by `rules.health.conflict_multiplier` (1.9, from the same study) in a lag window after violence",
        knockout: &["rules.health.conflict_multiplier=1.0"],
        basis: Basis::Assumption,
    },
    Check {
        run: legitimacy_asymmetry,
        facts: &[27],
        mechanism: "trust lost per mission-caused death (`mission_harm_trust_loss`) against trust gained per armed-group death, set to 0 (`armed_group_harm_trust_gain`), both from Lyall, Blair & Imai 2013",
        knockout: &["rules.legitimacy.mission_harm_trust_loss=0.0"],
        basis: Basis::Assumption,
    },
];

/// Every group of checks, in report order. A new group lives in its own file under
/// `src/validation/` and adds its `CHECKS` here.
const GROUPS: &[&[Check]] = &[
    CHECKS,
    security::CHECKS,
    livelihoods::CHECKS,
    perception::CHECKS,
    consistency::CHECKS,
];

/// Emergent checks whose pattern the model does not reproduce, each explained in
/// docs/VALIDATION.md: run and reported with the others and counted among the emergent patterns
/// (issue 18: "N of M reproduced ... every miss explained"), marked as documented misses. The
/// tests ask them to keep failing: one that starts passing belongs in its group's `CHECKS`.
const DOCUMENTED_MISSES: &[&[Check]] = &[livelihoods::DOCUMENTED_MISSES, crisis::DOCUMENTED_MISSES];

fn run_checks(scale: Scale, knocked_out: bool) -> Result<Vec<CheckResult>> {
    GROUPS
        .iter()
        .flat_map(|g| g.iter().map(|c| (c, false)))
        .chain(DOCUMENTED_MISSES.iter().flat_map(|g| g.iter().map(|c| (c, true))))
        .map(|(c, documented_miss)| {
            let ctx = Runner {
                scale,
                knockout: if knocked_out { strings(c.knockout) } else { Vec::new() },
            };
            let mut r = (c.run)(&ctx)?;
            r.mechanism = c.mechanism;
            r.knockout = c.knockout;
            r.basis = c.basis;
            r.facts = c.facts;
            r.documented_miss = documented_miss;
            Ok(r)
        })
        .collect()
}

/// Runs every check at a scale.
///
/// # Errors
/// Scenario errors (the shipped scenarios are expected to load).
pub fn run_all(scale: Scale) -> Result<Vec<CheckResult>> {
    run_checks(scale, false)
}

/// Runs every check under its knock-out: each `passed` then says whether the pattern still holds
/// with its mechanism switched off (it should not).
///
/// # Errors
/// Scenario errors, and a knock-out override that does not apply (a bug in [`CHECKS`]).
pub fn run_knockouts(scale: Scale) -> Result<Vec<CheckResult>> {
    run_checks(scale, true)
}

fn epstein_punctuated(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let floor = ctx.epstein_runs(&[], scale.seeds, scale.epstein_ticks)?;
    let identity = ctx.epstein_runs(&strings(&["rules.arrest_rule=\"identity\""]), scale.seeds, scale.epstein_ticks)?;
    let stats = |runs: &[Vec<crate::classic::EpsteinCounts>]| -> (f64, f64, f64, f64) {
        let o: Vec<_> = runs
            .iter()
            .map(|r| outbursts(&r.iter().map(|c| c.active).collect::<Vec<_>>(), 50.0))
            .collect();
        let quiet: Vec<f64> = runs
            .iter()
            .map(|r| r.iter().filter(|c| c.active <= 50.0).count() as f64 / r.len() as f64)
            .collect();
        let per_1000 = mean(&o.iter().map(|x| x.count).collect::<Vec<_>>()) * 1000.0 / f64::from(scale.epstein_ticks);
        (
            per_1000,
            mean(&o.iter().map(|x| x.mean_wait).collect::<Vec<_>>()),
            mean(&o.iter().map(|x| x.mean_activation).collect::<Vec<_>>()),
            mean(&quiet),
        )
    };
    let (f_n, f_wait, f_act, f_quiet) = stats(&floor);
    let id_peak = identity.iter().flat_map(|r| r.iter().map(|c| c.active)).fold(0.0, f64::max);
    let passed = f_n >= 10.0 && f_quiet >= 0.3 && id_peak <= 50.0;
    Ok(CheckResult {
        id: "epstein-punctuated",
        pattern: "Punctuated equilibrium: recurring outbursts separated by quiet periods with the floor rule; none with the printed (identity) rule",
        source: "Epstein 2002 Figs 3-5; NetLogo Rebellion Info tab; ndouglas/SugarScape replication (101-122 outbursts per 3,000 ticks, mean activation 779-830, at most 34 actives with the printed rule)",
        setting: format!(
            "scenarios/epstein-rebellion.toml (NetLogo defaults: L 0.82, cops 4 %, citizens 70 %, vision 7, max jail 30), {} ticks, {} seeds",
            scale.epstein_ticks, scale.seeds
        ),
        result: format!(
            "floor: {f_n:.1} outbursts per 1,000 ticks, mean wait {f_wait:.1} ticks, mean activation per outburst {f_act:.0}, {:.0} % of ticks quiet; identity: at most {id_peak:.0} actives",
            100.0 * f_quiet
        ),
        tolerance: "floor: >= 10 outbursts (actives > 50) per 1,000 ticks and >= 30 % quiet ticks; identity: never more than 50 actives",
        passed,
        ..CheckResult::default()
    })
}

fn epstein_legitimacy_and_cops(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let mean_active = |o: &[&str]| -> Result<f64> {
        let runs = ctx.epstein_runs(&strings(o), scale.seeds, scale.epstein_ticks / 2)?;
        Ok(mean(
            &runs
                .iter()
                .map(|r| mean(&r.iter().map(|c| c.active + c.jailed).collect::<Vec<_>>()))
                .collect::<Vec<_>>(),
        ))
    };
    let l = [
        mean_active(&["citizens.legitimacy=0.9"])?,
        mean_active(&["citizens.legitimacy=0.82"])?,
        mean_active(&["citizens.legitimacy=0.7"])?,
    ];
    let c = [
        mean_active(&["cops.density=0.02"])?,
        mean_active(&["cops.density=0.04"])?,
        mean_active(&["cops.density=0.074"])?,
    ];
    let passed = l[0] < l[1] && l[1] < l[2] && c[0] > c[1] && c[1] > c[2];
    Ok(CheckResult {
        id: "epstein-legitimacy-cops",
        pattern: "Lower legitimacy means more rebellion; more cops mean less",
        source: "Epstein 2002 (Runs 1-5, Fig 11); docs/SOURCES.md facts 31-34",
        setting: format!(
            "NetLogo defaults with L in {{0.9, 0.82, 0.7}} and cop density in {{0.02, 0.04, 0.074}}, {} ticks, {} seeds",
            scale.epstein_ticks / 2,
            scale.seeds
        ),
        result: format!(
            "mean active + jailed: L 0.9 {:.0}, 0.82 {:.0}, 0.7 {:.0}; cops 0.02 {:.0}, 0.04 {:.0}, 0.074 {:.0}",
            l[0], l[1], l[2], c[0], c[1], c[2]
        ),
        tolerance: "strictly monotone in both",
        passed,
        ..CheckResult::default()
    })
}

fn epstein_sudden_versus_gradual(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    // NetLogo's cop density (4 %): at Epstein's 7.4 % the system tips unpredictably between
    // almost no actives and a large outburst in both arms (see docs/VALIDATION.md).
    let base = ["citizens.legitimacy=0.9", "cops.density=0.04", "rules.max_jail_term=1000000"];
    let mut gradual = strings(&base);
    gradual.push("legitimacy_changes=[{tick=10, value=0.2, over_ticks=70}]".into());
    let mut sudden = strings(&base);
    sudden.push("legitimacy_changes=[{tick=77, value=0.7, over_ticks=0}]".into());
    let peak = |o: &[String]| -> Result<f64> {
        let runs = ctx.epstein_runs(o, scale.seeds, 250)?;
        Ok(mean(
            &runs
                .iter()
                .map(|r| r.iter().map(|c| c.active).fold(0.0, f64::max))
                .collect::<Vec<_>>(),
        ))
    };
    let (g, s) = (peak(&gradual)?, peak(&sudden)?);
    Ok(CheckResult {
        id: "epstein-sudden-vs-gradual",
        pattern: "A sudden drop in legitimacy produces more unrest than a gradual drop of larger total size",
        source: "Epstein 2002 Figs 9-10 (\"salami tactics\"); docs/SOURCES.md fact 32",
        setting: format!(
            "L 0.9, cops 0.04 (NetLogo), jail effectively infinite (Epstein Runs 3 & 4), floor rule: gradual 0.9 -> 0.2 over ticks 10-80 vs sudden 0.9 -> 0.7 at tick 77, 250 ticks, {} seeds",
            scale.seeds
        ),
        result: format!("mean peak actives: sudden {s:.0}, gradual {g:.0}"),
        tolerance: "sudden peak > 1.2 x gradual peak",
        passed: s > 1.2 * g,
        ..CheckResult::default()
    })
}

fn model2_settings(extra: &[&str]) -> Vec<String> {
    let mut v = strings(&[
        "citizens.legitimacy=0.8",
        "citizens.vision=1.7",
        "cops.vision=1.7",
        "cops.density=0.0",
        "rules.max_jail_term=15",
        "model2.enabled=true",
    ]);
    v.extend(extra.iter().map(|s| (*s).to_string()));
    v
}

fn extinction_ticks(overrides: &[String], seeds: u64, ticks: u32) -> Result<Vec<Option<usize>>> {
    let runs = epstein_runs(overrides, seeds, ticks)?;
    Ok(runs
        .iter()
        .map(|r| r.iter().position(|c| c.blue == 0.0 || c.green == 0.0))
        .collect())
}

fn epstein_model2_extinction(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let ticks = 1500;
    let runs = ctx.epstein_runs(&model2_settings(&[]), scale.seeds, ticks)?;
    let ext: Vec<Option<usize>> = runs
        .iter()
        .map(|r| r.iter().position(|c| c.blue == 0.0 || c.green == 0.0))
        .collect();
    let all = ext.iter().all(Option::is_some);
    let blue_wins = runs
        .iter()
        .filter(|r| r.last().is_some_and(|c| c.green == 0.0 && c.blue > 0.0))
        .count();
    let times: Vec<f64> = ext.iter().flatten().map(|&t| t as f64).collect();
    Ok(CheckResult {
        id: "epstein-model2-genocide",
        pattern: "Inter-group violence with no third party ends in the extinction of one group; the victor is random",
        source: "Epstein 2002 Fig 13 (\"over a large number of runs (n = 30), genocide is always observed. The victor is random\")",
        setting: format!(
            "Model II, L 0.8, no cops, vision 1.7, 40 x 40, {ticks} ticks, {} seeds",
            scale.seeds
        ),
        result: format!(
            "extinction in {} of {} runs, mean at tick {:.0}; blue won {blue_wins}",
            ext.iter().filter(|e| e.is_some()).count(),
            ext.len(),
            mean(&times)
        ),
        tolerance: "extinction in every run; with 4 or more seeds each group wins at least once",
        passed: all && (scale.seeds < 4 || (blue_wins > 0 && blue_wins < runs.len())),
        ..CheckResult::default()
    })
}

fn epstein_model2_peacekeepers(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let ticks = 1500u32;
    let time = |o: &[&str]| -> Result<f64> {
        let e = ctx.extinction_ticks(&model2_settings(o), scale.seeds, ticks)?;
        Ok(mean(
            &e.iter().map(|t| t.map_or(f64::from(ticks), |x| x as f64)).collect::<Vec<_>>(),
        ))
    };
    let none = time(&[])?;
    let dropped = time(&["model2.peacekeepers_density=0.04", "model2.peacekeepers_tick=50"])?;
    let small = time(&["cops.density=0.02"])?;
    let large = time(&["cops.density=0.06"])?;
    let passed = dropped > 1.2 * none && large > small && small > none;
    Ok(CheckResult {
        id: "epstein-model2-peacekeepers",
        pattern: "Peacekeepers delay genocide; the larger the initial force, the more time it buys (safe havens form but do not end the antagonism)",
        source: "Epstein 2002 Figs 14-17; docs/SOURCES.md fact 34",
        setting: format!(
            "Model II as above; peacekeepers (density 0.04) dropped at tick 50; cops from the start at 0.02 and 0.06; {ticks} ticks (runs without extinction count as {ticks}), {} seeds",
            scale.seeds
        ),
        result: format!(
            "mean tick of extinction: none {none:.0}, dropped at 50 {dropped:.0}; from the start 0.02 {small:.0}, 0.06 {large:.0}"
        ),
        tolerance: "dropped > 1.2 x none; 0.06 > 0.02 > none. Persistent safe havens (both groups surviving indefinitely) are not required: see VALIDATION.md",
        passed,
        ..CheckResult::default()
    })
}

/// A mission that spends everything it has after personnel on protection operations: enough
/// budget for the largest force the checks deploy, at full tempo, and no programmes.
pub(crate) const PROTECTION_ONLY: [&str; 2] = [
    "mission.budget_usd_per_day=1000000",
    "mission.policy.weights={protection=1,health=0,economic=0,empowerment=0}",
];

pub(crate) fn rebels_only() -> Vec<String> {
    let mut o = strings(&["armed_groups[0].attack_rate_per_100_fighters_day=0.0"]);
    o.extend(strings(&PROTECTION_ONLY));
    o
}

fn troops_dose_response(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let levels = [0u32, 150, 300, 600, 1200, 2400, 4800];
    let mut kills = Vec::new();
    for &t in &levels {
        let mut o = rebels_only();
        // Hultman et al.'s sample is dominated by Chapter VII missions with protection mandates.
        o.extend([
            format!("mission.troops={t}"),
            "mission.police=0".into(),
            "mission.observers=0".into(),
            "mission.mandate=\"robust\"".into(),
            "mission.posture_share=0.8".into(),
        ]);
        let s = ctx.main("tiny-conflict.toml", &o)?;
        kills.push(mean(&per_seed(&s, scale.seeds, osv)));
    }
    let total_cut = 1.0 - kills[6] / kills[0].max(1e-9);
    // The share of the total reduction reached by 1,200 troops; meaningless when there is none
    // (under the knock-out), so said as such rather than divided by zero.
    let quarter_share = if kills[0] - kills[6] > 1e-9 {
        format!("{:.0} %", 100.0 * (kills[0] - kills[4]) / (kills[0] - kills[6]))
    } else {
        "none (no total reduction)".to_string()
    };
    // Concavity as decreasing marginal returns: deaths averted per troop in the first quarter of
    // the range (0 -> 1,200) against the last three quarters (1,200 -> 4,800).
    let early_rate = (kills[0] - kills[4]) / 1200.0;
    let late_rate = (kills[4] - kills[6]) / 3600.0;
    let passed = total_cut >= 0.7 && early_rate >= 3.0 * late_rate.max(0.0);
    Ok(CheckResult {
        id: "troops-osv-dose-response",
        pattern: "More armed troops mean far fewer civilian killings; steep and concave (most of the gain from the first troops)",
        source: "Hultman, Kathman & Shannon 2013 (about 106 -> under 2 deaths per month from 0 to 8,000 troops); docs/SOURCES.md fact 1",
        setting: format!(
            "tiny-conflict (10,000 people), rebels the only perpetrator, robust mandate (Chapter VII protection mandates dominate Hultman et al.'s sample), posture 0.8, troops {levels:?}, 120 days, {} seeds",
            scale.seeds
        ),
        result: format!(
            "one-sided violence deaths: {}; total reduction {:.0} %, {quarter_share} of it by 1,200 troops; deaths averted per 100 troops: {:.2} below 1,200, {:.2} above",
            kills.iter().map(|k| format!("{k:.1}")).collect::<Vec<_>>().join(", "),
            100.0 * total_cut,
            100.0 * early_rate,
            100.0 * late_rate
        ),
        tolerance: "reduction 0 -> 4,800 troops >= 70 % (Hultman et al.: about 98 %); concave: deaths averted per troop below 1,200 at least 3x those above",
        passed,
        ..CheckResult::default()
    })
}

fn observers_do_not_deter(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let mut none = rebels_only();
    none.extend(strings(&NO_MISSION));
    let mut observers = rebels_only();
    observers.extend(strings(&[
        "mission.troops=2400",
        "mission.police=0",
        "mission.mandate=\"observer\"",
    ]));
    let mut armed = rebels_only();
    armed.extend(strings(&["mission.troops=2400", "mission.police=0"]));
    let k = |o: &[String]| -> Result<f64> { Ok(mean(&per_seed(&ctx.main("tiny-conflict.toml", o)?, scale.seeds, osv))) };
    let (n, ob, a) = (k(&none)?, k(&observers)?, k(&armed)?);
    Ok(CheckResult {
        id: "observers-do-not-deter",
        pattern: "Unarmed observers do not reduce one-sided violence; armed troops do",
        source: "Hultman, Kathman & Shannon 2013 (observers associated with more civilian deaths); docs/SOURCES.md fact 1",
        setting: format!(
            "tiny-conflict, rebels only, no mission vs 2,400 observers (observer mandate) vs 2,400 armed troops, 120 days, {} seeds",
            scale.seeds
        ),
        result: format!("one-sided violence deaths: none {n:.1}, observers {ob:.1}, armed {a:.1}"),
        tolerance: "observers >= 0.85 x none; armed <= 0.5 x none",
        passed: ob >= 0.85 * n && a <= 0.5 * n,
        ..CheckResult::default()
    })
}

fn state_forces_deterred_less(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let cut = |perpetrator: &str| -> Result<f64> {
        let only: Vec<String> = if perpetrator == "rebel" {
            rebels_only()
        } else {
            let mut o = strings(&["armed_groups[1].attack_rate_per_100_fighters_day=0.0"]);
            o.extend(strings(&PROTECTION_ONLY));
            o
        };
        let mut none = only.clone();
        none.extend(strings(&NO_MISSION));
        let mut with = only;
        with.extend(strings(&["mission.troops=2400", "mission.police=200"]));
        let a = mean(&per_seed(&ctx.main("tiny-conflict.toml", &none)?, scale.seeds, osv));
        let b = mean(&per_seed(&ctx.main("tiny-conflict.toml", &with)?, scale.seeds, osv));
        Ok(1.0 - b / a.max(1e-9))
    };
    let (rebel, state) = (cut("rebel")?, cut("state")?);
    Ok(CheckResult {
        id: "state-forces-deterred-less",
        pattern: "Peacekeepers deter rebels far better than host-state forces",
        source: "Fjelde, Hultman & Nilsson 2019; Carnegie & Mikulaschek 2020; docs/SOURCES.md fact 3 (effect sizes not verified)",
        setting: format!(
            "tiny-conflict, one perpetrator at a time, no mission vs 2,400 troops and 200 police, 120 days, {} seeds",
            scale.seeds
        ),
        result: format!(
            "reduction of one-sided violence: rebels {:.0} %, state forces {:.0} %",
            100.0 * rebel,
            100.0 * state
        ),
        tolerance: "rebel reduction exceeds state reduction by at least 30 percentage points",
        passed: rebel - state >= 0.3,
        ..CheckResult::default()
    })
}

fn violence_displaced_to_neighbours(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let attacks_at = |l: u32| {
        move |c: &Collect| {
            c.events
                .iter()
                .filter(|(_, e)| e.perpetrator == Actor::Group(1) && matches!(e.kind, EventType::Attack | EventType::IdentityAttack))
                .filter(|(_, e)| e.locality == l)
                .count() as f64
        }
    };
    let measure = |flight: bool| -> Result<(f64, f64, f64, f64)> {
        let mut none = rebels_only();
        none.extend(strings(&NO_MISSION));
        let mut guarded = rebels_only();
        guarded.extend(strings(&[
            "mission.troops=2000",
            "mission.police=200",
            "mission.posture_share=0.9",
            "mission.deploy_to=[\"East\"]",
        ]));
        if !flight {
            // Isolate targeting: with flight on, residents leave the newly targeted neighbour.
            none.push("rules.displacement.flee_rate_per_day=0.0".into());
            guarded.push("rules.displacement.flee_rate_per_day=0.0".into());
            none.push("rules.displacement.flight_per_civilian_killed=0.0".into());
            guarded.push("rules.displacement.flight_per_civilian_killed=0.0".into());
        }
        let (s_none, s_guard) = (ctx.main("tiny-conflict.toml", &none)?, ctx.main("tiny-conflict.toml", &guarded)?);
        Ok((
            mean(&per_seed(&s_none, scale.seeds, attacks_at(4))),
            mean(&per_seed(&s_guard, scale.seeds, attacks_at(4))),
            mean(&per_seed(&s_none, scale.seeds, attacks_at(3))),
            mean(&per_seed(&s_guard, scale.seeds, attacks_at(3))),
        ))
    };
    let (east0, east1, nb0, nb1) = measure(false)?;
    let (fe0, fe1, fn0, fn1) = measure(true)?;
    Ok(CheckResult {
        id: "violence-displaced",
        pattern: "Local presence reduces violence where peacekeepers are and displaces it to unprotected neighbours",
        source: "Peitz & Reisch 2019; Beardsley & Gleditsch 2015; docs/SOURCES.md fact 5",
        setting: format!(
            "tiny-conflict, rebels based in East; a traditional mission (posture 0.9, no offensives) deployed only in East vs no mission; flight switched off in both arms to isolate targeting; 120 days, {} seeds",
            scale.seeds
        ),
        result: format!(
            "rebel attacks in East {east0:.1} -> {east1:.1}; in the unprotected neighbour Centre-East {nb0:.1} -> {nb1:.1}. With flight on: East {fe0:.1} -> {fe1:.1}, Centre-East {fn0:.1} -> {fn1:.1} (residents leave the newly targeted neighbour)"
        ),
        tolerance: "without flight: East falls by >= 30 % and Centre-East rises by >= 20 % (the sources give directions, not effect sizes)",
        passed: east1 <= 0.7 * east0 && nb1 >= 1.2 * nb0,
        ..CheckResult::default()
    })
}

fn site_hysteresis(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let o = strings(&[
        "events[0]={tick=60, kind=\"ceasefire\"}",
        "armed_groups[0].attack_rate_per_100_fighters_day=0.15",
        "armed_groups[1].attack_rate_per_100_fighters_day=0.15",
        "localities[2].protection_site.services_share=0.95",
        "localities[2].protection_site.capacity=3000",
    ]);
    let mut s = ctx.main("tiny-conflict.toml", &o)?;
    s.run.ticks = 420;
    let series = per_seed(&s, scale.seeds, |c| {
        (
            c.national.iter().map(|r| r.in_sites).collect::<Vec<_>>(),
            c.national.iter().map(|r| r.displaced_host).collect::<Vec<_>>(),
        )
    });
    type Paths = (Vec<f64>, Vec<f64>);
    let avg = |f: &dyn Fn(&Paths) -> f64| mean(&series.iter().map(f).collect::<Vec<_>>());
    let peak = avg(&|(s, _)| s.iter().copied().fold(0.0, f64::max));
    let at30 = avg(&|(s, _)| s[30]);
    let at_ceasefire = avg(&|(s, _)| s[60]);
    let end = avg(&|(s, _)| s[420]);
    let host_peak = avg(&|(_, h)| h.iter().copied().fold(0.0, f64::max));
    let host_end = avg(&|(_, h)| h[420]);
    let passed = at_ceasefire >= 0.5 * peak && end >= 0.6 * peak && host_end / host_peak.max(1.0) < end / peak.max(1.0);
    Ok(CheckResult {
        id: "site-hysteresis",
        pattern: "Protection-site influx is fast and step-like; outflow lags security by a long time (services retain residents)",
        source: "UNMISS PoC site data 2014-2020 (docs/SOURCES.md facts 13-14): tens of thousands within weeks; >180,000 residents in 2020 with no external threat since 2017",
        setting: format!(
            "tiny-conflict with intense violence for 60 days then a ceasefire, a site with good services, 420 days, {} seeds",
            scale.seeds
        ),
        result: format!(
            "site population: day 30 {at30:.0}, day 60 (ceasefire) {at_ceasefire:.0}, peak {peak:.0}, 360 days after the ceasefire {end:.0}; host-community displaced: peak {host_peak:.0}, end {host_end:.0}"
        ),
        tolerance: "half the peak reached while the violence lasts (by the day-60 ceasefire); end >= 60 % of peak; host-community displaced fall relatively faster than site residents",
        passed,
        ..CheckResult::default()
    })
}

fn conflict_amplifies_epidemics(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    // Rebels active from day 20 to day 35 only (violence burst); an epidemic seeded on day 5 everywhere affected.
    let base = strings(&[
        "armed_groups[0].attack_rate_per_100_fighters_day=0.0",
        "armed_groups[1].active_from_tick=20",
        "events=[{tick=5, kind=\"epidemic_seed\", locality=\"East\", cases=20}, {tick=35, kind=\"ceasefire\", groups=[\"Highland Rebels\"]}]",
        "rules.health.r0=1.3",
        "mission.troops=0",
        "mission.police=0",
        "mission.budget_usd_per_day=0",
        "population.people_per_agent=1",
        "rules.displacement.flee_rate_per_day=0.0",
        "rules.displacement.flight_per_civilian_killed=0.0",
    ]);
    let mut quiet = base.clone();
    quiet.push("armed_groups[1].attack_rate_per_100_fighters_day=0.0".into());
    let mut violent = base;
    violent.push("armed_groups[1].attack_rate_per_100_fighters_day=0.3".into());
    let incidence = |o: &[String]| -> Result<Vec<f64>> {
        let runs = per_seed(&ctx.main("tiny-conflict.toml", o)?, scale.seeds * 2, |c| {
            c.national.iter().map(|r| r.epidemic_incidence).collect::<Vec<_>>()
        });
        let n = runs[0].len();
        Ok((0..n).map(|t| mean(&runs.iter().map(|r| r[t]).collect::<Vec<_>>())).collect())
    };
    let (q, v) = (incidence(&quiet)?, incidence(&violent)?);
    let sum = |x: &[f64], a: usize, b: usize| x[a..b.min(x.len())].iter().sum::<f64>();
    let early = (sum(&v, 20, 27) + 1.0) / (sum(&q, 20, 27) + 1.0);
    let late = (sum(&v, 30, 100) + 1.0) / (sum(&q, 30, 100) + 1.0);
    Ok(CheckResult {
        id: "conflict-amplifies-epidemic",
        pattern: "Conflict amplifies epidemic transmission with a lag of 1-10 weeks",
        source: "BMC Public Health 2024 (1.88x DRC, 1.98x Guinea, from 1 to 10 weeks after events); Wells et al. 2019; docs/SOURCES.md fact 21",
        setting: format!(
            "tiny-conflict, an Ebola-like epidemic (R0 1.3) seeded in East on day 5, rebels attacking only from day 20 to 35 vs never, no flight, no mission, {} seeds",
            scale.seeds * 2
        ),
        result: format!(
            "incidence ratio violent/quiet: days 20-26 (before the lag) {early:.2}; days 30-99 (inside the lag window) {late:.2}"
        ),
        tolerance: "days 20-26 ratio <= 1.25 (no immediate effect); days 30-99 ratio >= 1.3",
        passed: early <= 1.25 && late >= 1.3,
        ..CheckResult::default()
    })
}

fn legitimacy_asymmetry(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    // A few mission-caused deaths per run make the ratio noisy: at the small scale's 8 seeds it
    // missed its bound by 6 % after the protracted-displacement change (docs/VALIDATION.md,
    // changes to checks), so the check runs the full scale's seeds at every scale.
    let seeds = scale.seeds.max(Scale::FULL.seeds);
    let mut robust = strings(&["mission.troops=2500", "mission.mandate=\"robust\"", "mission.posture_share=0.9"]);
    robust.extend(strings(&PROTECTION_ONLY));
    let east = |c: &Collect| {
        let trust = c.localities.last().map_or(0.0, |l| l[4].trust_in_mission);
        let mission_deaths: f64 = c
            .events
            .iter()
            .filter(|(_, e)| e.locality == 4 && e.perpetrator == Actor::Mission)
            .map(|(_, e)| e.fatalities)
            .sum();
        let group_deaths: f64 = c
            .events
            .iter()
            .filter(|(_, e)| e.locality == 4 && matches!(e.perpetrator, Actor::Group(_)))
            .map(|(_, e)| e.fatalities)
            .sum();
        (trust, mission_deaths, group_deaths)
    };
    let run = |extra: &[&str]| -> Result<(f64, f64, f64)> {
        let mut o = robust.clone();
        o.extend(strings(extra));
        let v = per_seed(&ctx.main("tiny-conflict.toml", &o)?, seeds, east);
        Ok((
            mean(&v.iter().map(|x| x.0).collect::<Vec<_>>()),
            mean(&v.iter().map(|x| x.1).collect::<Vec<_>>()),
            mean(&v.iter().map(|x| x.2).collect::<Vec<_>>()),
        ))
    };
    let clean = run(&["rules.battles.offensive_collateral_deaths=0.0"])?;
    let harmful = run(&["rules.battles.offensive_collateral_deaths=3.0"])?;
    let more_rebel_harm = run(&[
        "rules.battles.offensive_collateral_deaths=0.0",
        "armed_groups[1].attack_rate_per_100_fighters_day=0.2",
    ])?;
    let loss_per_mission_death = (clean.0 - harmful.0) / (harmful.1 - clean.1).max(1e-9);
    let gain_per_group_death = (more_rebel_harm.0 - clean.0) / (more_rebel_harm.2 - clean.2).max(1e-9);
    Ok(CheckResult {
        id: "legitimacy-asymmetry",
        pattern: "Mission-caused civilian harm costs the mission far more trust than harm by armed groups gains it",
        source: "Lyall, Blair & Imai 2013 (ISAF harm cut ISAF support; Taliban harm did not raise it); docs/SOURCES.md fact 27",
        setting: format!(
            "tiny-conflict, robust mission (2,500 troops) with and without collateral deaths in offensives, and with 3x rebel attacks; trust in East (where offensives happen) at day 120; {} seeds",
            seeds
        ),
        result: format!(
            "trust change per mission-caused death {:+.4}; per extra armed-group death {:+.4} (deaths: mission {:.1}, extra armed-group {:.1})",
            -loss_per_mission_death,
            gain_per_group_death,
            harmful.1 - clean.1,
            more_rebel_harm.2 - clean.2
        ),
        tolerance: "loss per mission-caused death > 5 x any gain per armed-group death, and > 2 x the trust change per armed-group death either way (changed in issue 18: `> 0` alone passed on noise with the mechanism switched off)",
        passed: loss_per_mission_death > 5.0 * gain_per_group_death.max(0.0) && loss_per_mission_death > 2.0 * gain_per_group_death.abs(),
        ..CheckResult::default()
    })
}

/// Number of stylised facts in docs/SOURCES.md (section "Stylised facts").
pub const FACTS: u8 = 34;

/// Which of the stylised facts of docs/SOURCES.md the checks test, split by whether a passing
/// emergent check reproduces it or it is only carried through from an assumption.
#[must_use]
pub fn fact_coverage(results: &[CheckResult]) -> String {
    let list = |basis: Basis, passed: bool| -> Vec<u8> {
        let mut v: Vec<u8> = results
            .iter()
            .filter(|r| r.basis == basis && r.passed == passed)
            .flat_map(|r| r.facts.iter().copied())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let reproduced = list(Basis::Emergent, true);
    let failed: Vec<u8> = list(Basis::Emergent, false)
        .into_iter()
        .filter(|f| !reproduced.contains(f))
        .collect();
    let assumed: Vec<u8> = list(Basis::Assumption, true)
        .into_iter()
        .chain(list(Basis::Assumption, false))
        .filter(|f| !reproduced.contains(f) && !failed.contains(f))
        .collect();
    let mut assumed = assumed;
    assumed.sort_unstable();
    assumed.dedup();
    let names = |v: &[u8]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
        }
    };
    let tested = reproduced.len() + failed.len() + assumed.len();
    format!(
        "Stylised facts of [`docs/SOURCES.md`](SOURCES.md) tested: {tested} of {FACTS}. Reproduced by an emergent check: {} ({}); tested but not reproduced: {}; only carried through from an assumption: {}.",
        reproduced.len(),
        names(&reproduced),
        names(&failed),
        names(&assumed)
    )
}

/// Renders results as a Markdown report.
#[must_use]
pub fn render(results: &[CheckResult], scale: Scale, command: &str) -> String {
    let mut out = String::new();
    let emergent: Vec<&CheckResult> = results.iter().filter(|r| r.basis == Basis::Emergent).collect();
    let assumed: Vec<&CheckResult> = results.iter().filter(|r| r.basis == Basis::Assumption).collect();
    let passed = emergent.iter().filter(|r| r.passed).count();
    let misses: Vec<String> = emergent
        .iter()
        .filter(|r| r.documented_miss)
        .map(|r| format!("`{}`", r.id))
        .collect();
    let misses = if misses.is_empty() {
        String::new()
    } else {
        format!(
            " ({} not reproduced, explained in docs/VALIDATION.md: {})",
            misses.len(),
            misses.join(", ")
        )
    };
    writeln!(
        out,
        "Scale: `{}` ({} seeds per arm). Command: `{command}`.\n",
        scale.name, scale.seeds
    )
    .expect("String");
    writeln!(
        out,
        "{passed} of {} emergent patterns reproduced{misses}; {} more built in by assumption (listed apart, not counted).\n",
        emergent.len(),
        assumed.len()
    )
    .expect("String");
    writeln!(out, "{}\n", fact_coverage(results)).expect("String");
    let table = |out: &mut String, rows: &[&CheckResult]| {
        writeln!(out, "| check | pattern | mechanism tested | result | tolerance | pass |").expect("String");
        writeln!(out, "|---|---|---|---|---|---|").expect("String");
        for r in rows {
            writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} |",
                r.id,
                r.pattern,
                r.mechanism,
                r.result,
                r.tolerance,
                match (r.passed, r.documented_miss) {
                    (true, _) => "yes",
                    (false, false) => "**no**",
                    (false, true) => "**no** (documented miss)",
                }
            )
            .expect("String");
        }
    };
    table(&mut out, &emergent);
    if !assumed.is_empty() {
        writeln!(
            out,
            "\n**Built in by assumption.** In these a parameter was set from the source the pattern comes from, so the check shows the assumption is carried through, not that the model reproduces the pattern.\n"
        )
        .expect("String");
        table(&mut out, &assumed);
    }
    writeln!(out, "\n### Settings and sources\n").expect("String");
    for r in results {
        writeln!(out, "- `{}` — setting: {}. Source: {}.", r.id, r.setting, r.source).expect("String");
    }
    out
}

/// Renders the checks run under their knock-outs: each should fail.
#[must_use]
pub fn render_knockouts(results: &[CheckResult], scale: Scale, command: &str) -> String {
    let mut out = String::new();
    let failing = results.iter().filter(|r| !r.passed).count();
    writeln!(
        out,
        "Scale: `{}` ({} seeds per arm). Command: `{command}`.\n",
        scale.name, scale.seeds
    )
    .expect("String");
    writeln!(
        out,
        "{failing} of {} checks fail with their mechanism switched off (each should).\n",
        results.len()
    )
    .expect("String");
    writeln!(
        out,
        "| check | mechanism switched off | knock-out | result under the knock-out | still passes |"
    )
    .expect("String");
    writeln!(out, "|---|---|---|---|---|").expect("String");
    for r in results {
        let knockout: Vec<String> = r.knockout.iter().map(|k| format!("`{k}`")).collect();
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            r.id,
            r.mechanism,
            knockout.join(", "),
            r.result,
            if r.passed { "**yes: not a test of its mechanism**" } else { "no" }
        )
        .expect("String");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The validation checks at the small scale: every pattern is reproduced. A failure here
    /// means a change broke a validated pattern; fix the model or, if the change is intended,
    /// update docs/VALIDATION.md and say why in the check's tolerance.
    #[test]
    fn every_check_passes_at_the_small_scale() {
        let results = run_all(Scale::SMALL).unwrap();
        assert_eq!(
            results.len(),
            GROUPS.iter().chain(DOCUMENTED_MISSES).map(|g| g.len()).sum::<usize>()
        );
        let failed: Vec<String> = results
            .iter()
            .filter(|r| !r.passed && !r.documented_miss)
            .map(|r| format!("{}: {}", r.id, r.result))
            .collect();
        assert!(failed.is_empty(), "{failed:#?}");
        // A documented miss that starts passing (after a model change) moves to its group's
        // CHECKS, and docs/VALIDATION.md says why.
        let now_passing: Vec<String> = results
            .iter()
            .filter(|r| r.passed && r.documented_miss)
            .map(|r| format!("{}: {}", r.id, r.result))
            .collect();
        assert!(now_passing.is_empty(), "{now_passing:#?}");
    }

    /// Every check fails when the mechanism it names is switched off (issue 18): a check that
    /// still passed would not be testing its mechanism.
    #[test]
    fn every_check_fails_under_its_knockout_at_the_small_scale() {
        let results = run_knockouts(Scale::SMALL).unwrap();
        let still: Vec<String> = results
            .iter()
            .filter(|r| r.passed)
            .map(|r| format!("{}: {}", r.id, r.result))
            .collect();
        assert!(still.is_empty(), "{still:#?}");
    }

    #[test]
    fn the_report_lists_every_check() {
        let r = CheckResult {
            id: "x",
            pattern: "p",
            source: "s",
            setting: "set".into(),
            result: "res".into(),
            tolerance: "tol",
            passed: false,
            mechanism: "m",
            knockout: &["a=1"],
            basis: Basis::Emergent,
            facts: &[1],
            documented_miss: false,
        };
        let miss = CheckResult {
            id: "y",
            documented_miss: true,
            ..r.clone()
        };
        let text = render(&[r, miss], Scale::SMALL, "peacesim check");
        assert!(text.contains("0 of 2 emergent patterns reproduced"), "{text}");
        assert!(text.contains("| `x` | p | m | res | tol | **no** |"), "{text}");
        assert!(text.contains("| `y` | p | m | res | tol | **no** (documented miss) |"), "{text}");
        assert!(text.contains("1 not reproduced, explained in docs/VALIDATION.md: `y`"), "{text}");
    }
}
