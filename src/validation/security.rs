//! Security, presence and protection sites (issue 18 item 3): stylised facts 2, 4, 6, 7, 8, 13,
//! 15 and 33 of docs/SOURCES.md.
//!
//! Each check compares arms of one small scenario with the same seeds (common random numbers) and
//! names the mechanism it tests and a knock-out that switches it off. Two are built in by
//! assumption (facts 2 and 15: the parameter that makes the pattern was set from the same
//! source) and are listed apart in the report.

use rayon::prelude::*;

use super::{Basis, Check, CheckResult, NO_MISSION, PROTECTION_ONLY, Runner, mean, osv, per_seed, rebels_only, strings};
use crate::engine::{Collect, Simulation};
use crate::error::Result;
use crate::phases::conflict::{Actor, EventType};

/// The checks of this group, in report order.
pub(crate) const CHECKS: &[Check] = &[
    Check {
        run: battles_troops_not_police,
        facts: &[2],
        mechanism: "interposition: armed troops per head lower the battle rate by up to `rules.battles.interposition_max_share` (0.7, set from Hultman et al. 2014); police and observers do not interpose",
        knockout: &["rules.battles.interposition_max_share=0.0"],
        basis: Basis::Assumption,
    },
    Check {
        run: local_episodes_shorter,
        facts: &[4],
        mechanism: "deterrence where units are deployed lowers a group's attack rate there, so violent weeks run together less",
        knockout: &["armed_groups[1].deterrence_sensitivity_share=0.0"],
        basis: Basis::Emergent,
    },
    Check {
        run: hard_cases,
        facts: &[6],
        mechanism: "the mission sends its units where it observes threat (armed presence nearby at the start, then victimisation at every planning round)",
        knockout: &[
            "mission.planning_interval_days=365",
            "rules.mission.armed_presence_threat_weight=0.0",
        ],
        basis: Basis::Emergent,
    },
    Check {
        run: peace_lasts_longer,
        facts: &[7],
        mechanism: "a ceasefire's breakdown hazard is cut by the mission's deterrence where the group's fighters are, times the group's sensitivity to it (issue 24 item 5); no parameter sets the size of the cut",
        knockout: &["armed_groups[1].deterrence_sensitivity_share=0.0"],
        basis: Basis::Emergent,
    },
    Check {
        run: budget_beats_presence,
        facts: &[8],
        mechanism: "operations money buys operational tempo (patrols, response); troops without it deter only from their bases (`rules.targeting.static_presence_share`, 0.3, an assumption)",
        knockout: &["rules.targeting.static_presence_share=1.0"],
        basis: Basis::Emergent,
    },
    Check {
        run: robust_without_legitimacy,
        facts: &[10],
        mechanism: "trust lost where armed groups kill civilians while the mission is present and expected to protect (`rules.legitimacy.unmet_expectation_trust_loss`, direction from the MONUSCO 2022 protests, magnitude an assumption), and protests once trust is below `protest_trust_threshold`",
        knockout: &["rules.legitimacy.unmet_expectation_trust_loss=0.0"],
        basis: Basis::Assumption,
    },
    Check {
        run: site_influx_step,
        facts: &[13],
        mechanism: "killings set people to flight at once (`rules.displacement.flight_per_civilian_killed` per civilian killed), and the displaced at the base apply to the site at a rate that rises with their perceived insecurity, which follows local violence within days (`rules.community.insecurity_smoothing_days`, 14; `site_seek_rate_per_day` was chosen with UNMISS's fast influx in mind: the speed is in part an assumption)",
        knockout: &[
            "rules.displacement.flight_per_civilian_killed=0.0",
            "rules.community.insecurity_smoothing_days=365",
        ],
        basis: Basis::Emergent,
    },
    Check {
        run: sites_are_targets,
        facts: &[15],
        mechanism: "a site's value as a target grows with the residents a group is hostile to (`rules.targeting.site_weight`, set from the Malakal Board of Inquiry 2016)",
        knockout: &["rules.targeting.site_weight=0.0"],
        basis: Basis::Assumption,
    },
    Check {
        run: epstein_cop_withdrawal,
        facts: &[33],
        mechanism: "a citizen's estimated arrest risk from the cops and actives in sight (k = 2.3, NetLogo's floor rule) keeps the aggrieved quiet",
        knockout: &["citizens.arrest_constant=0.0"],
        basis: Basis::Emergent,
    },
];

const TINY: &str = "tiny-conflict.toml";

/// Civilian fatalities, battle deaths and the like summed over a run.
fn total(c: &Collect, f: impl Fn(&crate::phases::indicators::Indicators) -> f64) -> f64 {
    c.national.iter().map(f).sum()
}

fn reduction(with: f64, without: f64) -> f64 {
    if without > 0.0 { 1.0 - with / without } else { 0.0 }
}

fn battles_troops_not_police(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    // State forces hold a garrison in Centre-East, within the rebels' reach: the two fight.
    // Neither attacks civilians, so only battles remain.
    let mut base = strings(&[
        "armed_groups[0].presence=[\"West\", \"Centre-East\"]",
        "armed_groups[0].attack_rate_per_100_fighters_day=0.0",
        "armed_groups[1].attack_rate_per_100_fighters_day=0.0",
        "rules.battles.battle_rate_per_100_fighters_day=0.2",
        "population.people_per_agent=5",
    ]);
    base.extend(strings(&PROTECTION_ONLY));
    let arm = |extra: &[&str]| -> Result<f64> {
        let mut o = base.clone();
        o.extend(strings(extra));
        let s = ctx.main(TINY, &o)?;
        Ok(mean(&per_seed(&s, scale.seeds, |c| total(c, |r| r.battle_deaths))))
    };
    let none = arm(&NO_MISSION)?;
    let troops = arm(&["mission.troops=2400", "mission.police=0", "mission.observers=0"])?;
    let police = arm(&["mission.troops=0", "mission.police=300", "mission.observers=0"])?;
    let observers = arm(&[
        "mission.troops=2400",
        "mission.police=0",
        "mission.observers=0",
        "mission.mandate=\"observer\"",
    ])?;
    let passed = none > 0.0 && troops <= 0.5 * none && police >= 0.85 * none && observers >= 0.85 * none;
    Ok(CheckResult {
        id: "battles-troops-not-police",
        pattern: "Armed troops reduce battle deaths; police and observers do not",
        source: "Hultman, Kathman & Shannon 2014 (22 -> about 6 battle deaths a month from 0 to 10,000 troops, about -70 %); docs/SOURCES.md fact 2",
        setting: format!(
            "tiny-conflict with a state garrison in Centre-East facing the rebels, no attacks on civilians, battle rate 0.2 per 100 fighters a day, no mission vs 2,400 troops (traditional) vs 300 police vs 2,400 troops under an observer mandate, 120 days, {} seeds",
            scale.seeds
        ),
        result: format!(
            "battle deaths: none {none:.1}, troops {troops:.1} ({:+.0} %), police {police:.1} ({:+.0} %), observers {observers:.1} ({:+.0} %)",
            -100.0 * reduction(troops, none),
            -100.0 * reduction(police, none),
            -100.0 * reduction(observers, none)
        ),
        tolerance: "troops cut battle deaths by >= 50 % (Hultman et al.: about 70 % at 10,000 troops); police and observers by <= 15 %",
        passed,
        ..CheckResult::default()
    })
}

/// Lengths (in weeks) of the runs of consecutive weeks with at least one act of armed violence
/// (attacks on civilians or sites, battles) at locality `l`, and the onsets per quiet week.
fn episodes(c: &Collect, l: u32, weeks: usize) -> (Vec<f64>, f64, f64) {
    let mut violent = vec![false; weeks];
    for (t, e) in &c.events {
        let armed = matches!(e.perpetrator, Actor::Group(_))
            && matches!(
                e.kind,
                EventType::Attack | EventType::IdentityAttack | EventType::SpoilerAttack | EventType::SiteAttack | EventType::Battle
            );
        if armed && e.locality == l && *t >= 1 {
            let w = (*t as usize - 1) / 7;
            if w < weeks {
                violent[w] = true;
            }
        }
    }
    let mut lengths = Vec::new();
    let mut run = 0.0;
    for &v in &violent {
        if v {
            run += 1.0;
        } else if run > 0.0 {
            lengths.push(run);
            run = 0.0;
        }
    }
    if run > 0.0 {
        lengths.push(run);
    }
    let onsets = violent.windows(2).filter(|w| !w[0] && w[1]).count() as f64;
    let quiet = violent[..weeks.saturating_sub(1)].iter().filter(|v| !**v).count() as f64;
    (lengths, onsets, quiet)
}

fn local_episodes_shorter(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let weeks = 52;
    // Mean episode length, episodes, the weekly chance that an episode goes on, and onsets per
    // quiet week, over all seeds.
    let measure = |guarded: bool| -> Result<(f64, f64, f64, f64)> {
        let mut o = rebels_only();
        o.extend(strings(&[
            "rules.displacement.flee_rate_per_day=0.0",
            "rules.displacement.flight_per_civilian_killed=0.0",
            "population.people_per_agent=5",
        ]));
        if guarded {
            o.extend(strings(&[
                "mission.troops=150",
                "mission.police=0",
                "mission.observers=0",
                "mission.deploy_to=[\"East\"]",
            ]));
        } else {
            o.extend(strings(&NO_MISSION));
        }
        let mut s = ctx.main(TINY, &o)?;
        s.run.ticks = 7 * 52;
        let runs = per_seed(&s, scale.seeds, |c| episodes(c, 4, weeks));
        let lengths: Vec<f64> = runs.iter().flat_map(|r| r.0.iter().copied()).collect();
        let violent: f64 = lengths.iter().sum();
        let n = lengths.len() as f64;
        let onsets: f64 = runs.iter().map(|r| r.1).sum();
        let quiet: f64 = runs.iter().map(|r| r.2).sum();
        Ok((
            mean(&lengths),
            n,
            if violent > 0.0 { (violent - n) / violent } else { 0.0 },
            if quiet > 0.0 { onsets / quiet } else { 0.0 },
        ))
    };
    let (len0, n0, go0, on0) = measure(false)?;
    let (len1, n1, go1, on1) = measure(true)?;
    Ok(CheckResult {
        id: "local-episodes-shorter",
        pattern: "Local presence shortens local conflict episodes, even a modest one",
        source: "Ruggeri, Dorussen & Gizelis 2017 (shorter local episodes \"even with comparatively modest deployment\"; effect on onset unclear); docs/SOURCES.md fact 4",
        setting: format!(
            "tiny-conflict, rebels the only perpetrator, one company (150 troops, traditional mandate, posture 0.6) deployed only in East vs no mission; flight switched off in both arms (with flight East empties and its violence falls in both); episode = a run of consecutive weeks with armed violence in East; 52 weeks, {} seeds",
            scale.seeds
        ),
        result: format!(
            "without the mission {n0:.0} episodes of {len0:.2} weeks on average, weekly chance an episode goes on {go0:.2}; with it {n1:.0} episodes of {len1:.2} weeks, {go1:.2}; onsets per quiet week {on0:.2} -> {on1:.2}. Unlike Ruggeri et al., who find no clear effect on onset, the model cuts onsets as much as duration: deterrence lowers the attack rate whatever the phase"
        ),
        tolerance: "weekly chance that an episode goes on <= 0.7 x without the mission, over >= 10 episodes in each arm (the source gives a direction, not a size; the threshold was set after a first measurement of about 0.5 x, to leave room for sampling noise)",
        passed: n0 >= 10.0 && n1 >= 10.0 && go1 <= 0.7 * go0,
        ..CheckResult::default()
    })
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum::<f64>().sqrt();
    let sy: f64 = y.iter().map(|b| (b - my).powi(2)).sum::<f64>().sqrt();
    if sx > 0.0 && sy > 0.0 { sxy / (sx * sy) } else { 0.0 }
}

/// Per locality: armed presence (troops and police, police weighted 8 as in deterrence) per
/// 1,000 residents averaged over the run, and civilian fatalities per 1,000 residents.
fn presence_and_violence(c: &Collect) -> (Vec<f64>, Vec<f64>) {
    let n = c.localities.first().map_or(0, Vec::len);
    let ticks = c.localities.len().saturating_sub(1).max(1) as f64;
    let mut presence = vec![0.0; n];
    let mut deaths = vec![0.0; n];
    let mut people = vec![0.0; n];
    for tick in c.localities.iter().skip(1) {
        for (l, r) in tick.iter().enumerate() {
            presence[l] += r.troops + 8.0 * r.police;
            deaths[l] += r.civilian_fatalities;
            people[l] += r.population;
        }
    }
    let per_1000 = |v: &[f64], scale: f64| -> Vec<f64> {
        v.iter()
            .zip(&people)
            .map(|(x, p)| if *p > 0.0 { x / (p / ticks) * 1000.0 / scale } else { 0.0 })
            .collect()
    };
    (per_1000(&presence, ticks), per_1000(&deaths, 1.0))
}

fn hard_cases(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let mut mission = rebels_only();
    mission.extend(strings(&["mission.troops=150", "mission.police=0", "mission.observers=0"]));
    let mut none = rebels_only();
    none.extend(strings(&NO_MISSION));
    let with = per_seed(&ctx.main(TINY, &mission)?, scale.seeds, presence_and_violence);
    let without = per_seed(&ctx.main(TINY, &none)?, scale.seeds, presence_and_violence);
    let correlation = mean(&with.iter().map(|(p, d)| pearson(p, d)).collect::<Vec<_>>());
    // Deaths per 1,000 where the mission is, weighted by its presence, with and without it.
    let (mut here_with, mut here_without) = (0.0, 0.0);
    for ((p, d1), (_, d0)) in with.iter().zip(&without) {
        let w: f64 = p.iter().sum();
        if w > 0.0 {
            here_with += p.iter().zip(d1).map(|(a, b)| a * b).sum::<f64>() / w;
            here_without += p.iter().zip(d0).map(|(a, b)| a * b).sum::<f64>() / w;
        }
    }
    let (here_with, here_without) = (here_with / with.len().max(1) as f64, here_without / with.len().max(1) as f64);
    let cut = reduction(here_with, here_without);
    Ok(CheckResult {
        id: "hard-cases",
        pattern: "Peacekeepers go to hard cases: where they are, violence is higher across places, yet lower than it would be without them",
        source: "Ruggeri, Gizelis & Dorussen (sub-national deployment); Fortna 2004; docs/SOURCES.md fact 6 (compare counterfactual runs, not cross-sections)",
        setting: format!(
            "tiny-conflict, rebels the only perpetrator, a small mission (150 troops, one unit) deployed by its top-down plan vs no mission, 120 days; cross-section over the five localities of each run, {} seeds",
            scale.seeds
        ),
        result: format!(
            "mean correlation across localities of presence per 1,000 and civilian deaths per 1,000: {correlation:+.2}; deaths per 1,000 where the mission is (weighted by its presence): {here_with:.2} with it, {here_without:.2} without it in the same runs ({:+.0} %)",
            -100.0 * cut
        ),
        tolerance: "cross-sectional correlation >= +0.3 and deaths where the mission is >= 20 % lower than without it (the sources give directions, not sizes)",
        passed: correlation >= 0.3 && here_without > 0.0 && cut >= 0.2,
        ..CheckResult::default()
    })
}

/// Ticks at which the rebels' (group 1) and the state forces' (group 0) ceasefires broke down,
/// if they did within the run.
fn breakdown_ticks(s: &crate::scenario::Scenario, seed: u64) -> [Option<u32>; 2] {
    let mut sim = Simulation::with_seed(s, 1000 + seed);
    let mut broken = [None; 2];
    let mut held = [false; 2];
    for _ in 0..s.run.ticks {
        sim.step();
        for (i, g) in [1, 0].into_iter().enumerate() {
            let at_peace = sim.world().groups.ceasefire[g];
            if held[i] && !at_peace && broken[i].is_none() {
                broken[i] = Some(sim.tick());
            }
            held[i] |= at_peace;
        }
    }
    broken
}

fn peace_lasts_longer(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    // Five years of peace compressed 24-fold: the breakdown hazard (0.25 a year at the start,
    // decaying over 1,095 days) becomes 6 a year decaying over 46 days, run for 76 days. The
    // compression changes when ceasefires fail, not how much deterrence cuts the hazard.
    let base = strings(&[
        "events=[{tick=1, kind=\"ceasefire\"}]",
        "rules.battles.ceasefire_breakdown_per_year=6.0",
        "rules.battles.ceasefire_hazard_decay_days=46",
        "population.people_per_agent=5",
    ]);
    let seeds = 3 * scale.seeds;
    let ticks = 76;
    let arm = |extra: &[&str]| -> Result<Vec<[Option<u32>; 2]>> {
        let mut o = base.clone();
        o.extend(strings(extra));
        let mut s = ctx.main(TINY, &o)?;
        s.run.ticks = ticks;
        Ok((0..seeds).into_par_iter().map(|seed| breakdown_ticks(&s, seed)).collect())
    };
    let none = arm(&NO_MISSION)?;
    let with = arm(&PROTECTION_ONLY)?;
    let share = |v: &[[Option<u32>; 2]], g: usize| v.iter().filter(|x| x[g].is_some()).count() as f64 / v.len().max(1) as f64;
    let days = |v: &[[Option<u32>; 2]], g: usize| mean(&v.iter().map(|x| f64::from(x[g].unwrap_or(ticks))).collect::<Vec<_>>());
    let (r0, r1) = (share(&none, 0), share(&with, 0));
    let (s0, s1) = (share(&none, 1), share(&with, 1));
    let cut = reduction(r1, r0);
    Ok(CheckResult {
        id: "peace-lasts-longer",
        pattern: "Peace lasts longer with peacekeepers: the risk that a ceasefire breaks down is far lower",
        source: "Fortna 2004 (risk of renewed war -50 to -75 %); Gilligan & Sergenti 2008 (-85 % with matching); docs/SOURCES.md fact 7",
        setting: format!(
            "tiny-conflict, both groups under a ceasefire from day 1 that breaks down with a hazard falling as peace lasts (five years compressed 24-fold: 6 a year decaying over 46 days, 76 days); no mission vs the shipped traditional mission (900 troops, 100 police, posture 0.6) with a protection budget; {seeds} seeds"
        ),
        result: format!(
            "rebel ceasefires broken: {:.0} % without the mission, {:.0} % with it ({:+.0} %; mean days at peace {:.0} -> {:.0}); state forces (deterred less, fact 3): {:.0} % -> {:.0} %",
            100.0 * r0,
            100.0 * r1,
            -100.0 * cut,
            days(&none, 0),
            days(&with, 0),
            100.0 * s0,
            100.0 * s1
        ),
        tolerance: "risk that the rebels' ceasefire breaks down cut by >= 40 % (Fortna: 50-75 %; the floor sits below that range for the sampling noise of 24 ceasefires at the small scale), with >= 20 % breaking down without a mission",
        passed: r0 >= 0.2 && cut >= 0.4,
        ..CheckResult::default()
    })
}

fn budget_beats_presence(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let mut base = rebels_only();
    base.extend(strings(&[
        "mission.police=0",
        "mission.observers=0",
        "mission.civilians=0",
        "population.people_per_agent=2",
    ]));
    let arm = |extra: &[&str]| -> Result<f64> {
        let mut o = base.clone();
        o.extend(strings(extra));
        Ok(mean(&per_seed(&ctx.main(TINY, &o)?, scale.seeds, osv)))
    };
    let none = arm(&NO_MISSION)?;
    // 600 troops at US$85 a day: a budget that pays them and nothing else.
    let presence = arm(&["mission.troops=600", "mission.budget_usd_per_day=51000"])?;
    let strong = arm(&["mission.troops=600", "mission.mandate=\"robust\""])?;
    let (p, s) = (reduction(presence, none), reduction(strong, none));
    Ok(CheckResult {
        id: "budget-beats-presence",
        pattern: "A strongly mandated, funded mission cuts violence by far more than presence alone",
        source: "Hegre, Hultman & Nygard 2019 (strong mandates and large budgets: major armed conflict down by up to two thirds; weak mandates with small budgets about no effect); docs/SOURCES.md fact 8",
        setting: format!(
            "tiny-conflict, rebels the only perpetrator, 600 troops: no mission vs presence alone (traditional mandate, a budget for personnel only) vs a robust mandate with an operations budget, 120 days, {} seeds",
            scale.seeds
        ),
        result: format!(
            "one-sided violence deaths: none {none:.1}; presence alone {presence:.1} ({:+.0} %); robust and funded {strong:.1} ({:+.0} %). Presence alone still cuts violence, where Hegre et al. find about no effect (the model falls short there); part of the gap is the mandate factors (robust 1.0, traditional 0.7), set from Hegre et al. as an assumption",
            -100.0 * p,
            -100.0 * s
        ),
        tolerance: "robust and funded cuts >= 50 % (Hegre et al.: up to two thirds); presence alone achieves <= half of that cut",
        passed: s >= 0.5 && p <= 0.5 * s,
        ..CheckResult::default()
    })
}

fn robust_without_legitimacy(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    // A group the force cannot deter well (sensitivity 0.3, like host-state forces; eastern
    // Congo's ADF is the case) keeps killing where a large robust force is deployed.
    let mut base = strings(&[
        "armed_groups[0].attack_rate_per_100_fighters_day=0.0",
        "armed_groups[1].attack_rate_per_100_fighters_day=0.15",
        "armed_groups[1].deterrence_sensitivity_share=0.3",
        "population.people_per_agent=5",
        "mission.troops=2500",
        "mission.posture_share=0.9",
        // No flight: protest needs the people to stay. With flight on, the raids empty East, a
        // village of 1,500 (docs/VALIDATION.md, changes to checks).
        "rules.displacement.flee_rate_per_day=0.0",
        "rules.displacement.flight_per_civilian_killed=0.0",
    ]);
    base.extend(strings(&PROTECTION_ONLY));
    let arm = |extra: &[&str]| -> Result<(f64, f64, f64)> {
        let mut o = base.clone();
        o.extend(strings(extra));
        let mut s = ctx.main(TINY, &o)?;
        s.run.ticks = 180;
        let v = per_seed(&s, scale.seeds, |c| {
            (
                c.localities.last().map_or(0.0, |l| l[4].trust_in_mission),
                total(c, |r| r.protests + r.riots),
                total(c, |r| r.civilian_fatalities_rebel),
            )
        });
        Ok((
            mean(&v.iter().map(|x| x.0).collect::<Vec<_>>()),
            mean(&v.iter().map(|x| x.1).collect::<Vec<_>>()),
            mean(&v.iter().map(|x| x.2).collect::<Vec<_>>()),
        ))
    };
    let (trust, protests, killed) = arm(&["mission.mandate=\"robust\""])?;
    let (t_trust, t_protests, t_killed) = arm(&[])?;
    Ok(CheckResult {
        id: "robust-without-legitimacy",
        pattern: "A large robust force does not guarantee legitimacy: where armed groups keep killing, trust collapses into protest",
        source: "Res. 2098 (2013: the Force Intervention Brigade); DW 2022 (July 2022 protests against MONUSCO: 36 dead incl. 4 peacekeepers); docs/SOURCES.md fact 10",
        setting: format!(
            "tiny-conflict, rebels hard to deter (sensitivity 0.3) attacking at 0.15 per 100 fighters a day, 2,500 troops with posture 0.9 and a protection budget, no flight, robust vs traditional mandate, 180 days, {} seeds",
            scale.seeds
        ),
        result: format!(
            "robust: trust in the mission in East at the end {trust:.2}, {protests:.1} protests and riots, {killed:.1} civilians killed by the rebels; traditional: {t_trust:.2}, {t_protests:.1}, {t_killed:.1}"
        ),
        tolerance: "under the robust mandate, trust in East below the protest threshold (0.35) and >= 3 protests or riots per run",
        passed: trust < 0.35 && protests >= 3.0,
        ..CheckResult::default()
    })
}

fn site_influx_step(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let onset = 30usize;
    let ticks = 150usize;
    let o = strings(&[
        "armed_groups[0].attack_rate_per_100_fighters_day=0.0",
        "armed_groups[1].active_from_tick=30",
        "armed_groups[1].attack_rate_per_100_fighters_day=0.3",
        "localities[2].protection_site.capacity=20000",
        "population.people_per_agent=5",
    ]);
    let mut s = ctx.main(TINY, &o)?;
    s.run.ticks = u32::try_from(ticks).unwrap_or(u32::MAX);
    let runs = per_seed(&s, scale.seeds, |c| c.national.iter().map(|r| r.in_sites).collect::<Vec<_>>());
    let series: Vec<f64> = (0..=ticks)
        .map(|t| mean(&runs.iter().map(|r| r.get(t).copied().unwrap_or(0.0)).collect::<Vec<_>>()))
        .collect();
    let before = series[..onset].iter().copied().fold(0.0, f64::max);
    let plateau = mean(&series[120..=ticks]);
    let half = series
        .iter()
        .position(|&x| plateau > 0.0 && x >= 0.5 * plateau)
        .map(|t| t.saturating_sub(onset));
    let at30 = series[onset + 30];
    let stable = series[ticks] >= 0.9 * series[120];
    let passed = plateau > 0.0 && before <= 0.02 * plateau && half.is_some_and(|d| d <= 45) && stable;
    Ok(CheckResult {
        id: "site-influx-step",
        pattern: "Influx to protection sites is fast and step-like, and follows local escalation: flat before it, a jump within weeks, then a plateau",
        source: "UNMISS PoC data (66,898 in 9 bases a month after the December 2013 onset; Malakal flat at 22,000, then > 47,000 within three months of a local escalation); docs/SOURCES.md fact 13",
        setting: format!(
            "tiny-conflict, rebels quiet until day {onset} then attacking at 0.3 per 100 fighters a day, no state attacks, a site of 20,000 places (never full, so the plateau is not the capacity), {ticks} days, {} seeds",
            scale.seeds
        ),
        result: format!(
            "site population: before the onset at most {before:.0}; 30 days after it {at30:.0}; half the plateau reached {} after the onset; plateau (days 120-150) {plateau:.0}; day 120 {:.0}, day {ticks} {:.0}. Slower than UNMISS, where about two thirds of the May 2014 level was reached within a month",
            half.map_or("never".to_string(), |d| format!("{d} days")),
            series[120],
            series[ticks]
        ),
        tolerance: "before the onset <= 2 % of the plateau; half the plateau within 45 days of the onset; the level on the last day >= 90 % of day 120's",
        passed,
        ..CheckResult::default()
    })
}

fn sites_are_targets(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    // The rebels reach the site (80 km from their base) and are hostile to its Lowland residents.
    let base = strings(&[
        "armed_groups[0].attack_rate_per_100_fighters_day=0.0",
        "armed_groups[1].attack_rate_per_100_fighters_day=0.3",
        "armed_groups[1].reach_km=100",
        "localities[2].protection_site.capacity=20000",
        "population.people_per_agent=5",
    ]);
    let site = |c: &Collect| -> (f64, f64) {
        let attacks: Vec<_> = c.events.iter().filter(|(_, e)| e.kind == EventType::SiteAttack).collect();
        (attacks.len() as f64, attacks.iter().fold(0.0, |a, (_, e)| a + e.fatalities))
    };
    let arm = |posture: &str| -> Result<(f64, f64)> {
        let mut o = base.clone();
        o.push(format!("localities[2].protection_site.guard_posture_share={posture}"));
        let mut s = ctx.main(TINY, &o)?;
        s.run.ticks = 150;
        let v = per_seed(&s, scale.seeds, site);
        Ok((
            mean(&v.iter().map(|x| x.0).collect::<Vec<_>>()),
            mean(&v.iter().map(|x| x.1).collect::<Vec<_>>()),
        ))
    };
    let (ready_attacks, ready_deaths) = arm("0.9")?;
    let (lax_attacks, lax_deaths) = arm("0.1")?;
    Ok(CheckResult {
        id: "sites-are-targets",
        pattern: "Protection sites are targets: a group hostile to their residents attacks them and kills residents",
        source: "Malakal Board of Inquiry 2016 (about 30 killed, 123 injured); MSF 2016 (25-65 dead); docs/SOURCES.md fact 15",
        setting: format!(
            "tiny-conflict, rebels (hostile to Lowland) attacking at 0.3 per 100 fighters a day with a reach of 100 km, so the site in Centre is within it; guard posture 0.9 vs 0.1; 150 days, {} seeds",
            scale.seeds
        ),
        result: format!(
            "attacks on the site: {ready_attacks:.1} killing {ready_deaths:.1} residents at guard posture 0.9; {lax_attacks:.1} killing {lax_deaths:.1} at 0.1. Not reproduced: that readiness protects a site (the fact's second part) — a better-guarded site shields its residents from attacks on the town, which leaves the site itself the group's best target"
        ),
        tolerance: "at guard posture 0.9, >= 1 attack on the site per run and residents killed",
        passed: ready_attacks >= 1.0 && ready_deaths > 0.0,
        ..CheckResult::default()
    })
}

fn epstein_cop_withdrawal(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    // NetLogo's defaults (L 0.82, vision 7, max jail 30) with Epstein's cop density of 7.4 %,
    // withdrawn linearly to 2 % over ticks 100-1,100.
    let (start, span) = (100usize, 1000usize);
    let o = strings(&["cops.density=0.074", "cop_changes=[{tick=100, value=0.02, over_ticks=1000}]"]);
    let runs = ctx.epstein_runs(&o, scale.seeds, u32::try_from(start + span).unwrap_or(u32::MAX))?;
    let quarter = span / 4;
    let window = |r: &[crate::classic::EpsteinCounts], q: usize| {
        let (a, b) = (start + q * quarter, start + (q + 1) * quarter);
        mean(&r[a..b].iter().map(|c| c.active + c.jailed).collect::<Vec<_>>())
    };
    let first: Vec<Option<usize>> = runs.iter().map(|r| r.iter().position(|c| c.active > 50.0)).collect();
    let early = first.iter().filter(|f| f.is_some_and(|t| t < start + quarter)).count();
    let tipped = first.iter().filter(|f| f.is_some()).count();
    let cops_at: Vec<f64> = runs
        .iter()
        .zip(&first)
        .filter_map(|(r, f)| f.map(|t| r[t].cops / r[0].cops))
        .collect();
    let q1 = mean(&runs.iter().map(|r| window(r, 0)).collect::<Vec<_>>());
    let q4 = mean(&runs.iter().map(|r| window(r, 3)).collect::<Vec<_>>());
    let passed = early == 0 && tipped == runs.len() && q4 >= 5.0 * q1.max(1.0);
    Ok(CheckResult {
        id: "epstein-cop-withdrawal",
        pattern: "A gradual withdrawal of cops leaves the society quiet for a long stretch, then tips it into recurring rebellion",
        source: "Epstein 2002 Fig. 11 (cop reductions \"tip\" society into rebellion); docs/SOURCES.md fact 33",
        setting: format!(
            "NetLogo defaults (L 0.82, vision 7, max jail 30, floor rule) with cops at 7.4 % withdrawn linearly to 2 % over ticks 100-1,100, {} seeds",
            scale.seeds
        ),
        result: format!(
            "first outburst (> 50 actives) before a quarter of the withdrawal in {early} of {} runs, at all in {tipped}; cops left at the first outburst: {:.0} % of the start; mean active + jailed: first quarter {q1:.0}, last quarter {q4:.0}",
            runs.len(),
            100.0 * mean(&cops_at)
        ),
        tolerance: "no outburst in the first quarter of the withdrawal; every run tips; active + jailed in the last quarter >= 5 x the first",
        passed,
        ..CheckResult::default()
    })
}
