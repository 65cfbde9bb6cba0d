//! Police and crisis mortality (issue 18 item 3): the police half of stylised fact 1 of
//! docs/SOURCES.md (police deter one-sided violence steeply), and the share of a war's excess
//! deaths that are not violent (displacement, lost access to services and food insecurity kill;
//! [Checchi2018]).
//!
//! Each check compares arms of tiny-conflict with the same seeds (common random numbers), names
//! the mechanism it tests and a knock-out that switches it off, and says in its result where the
//! model falls short of the literature's size. Neither pattern is reproduced: both are
//! [`DOCUMENTED_MISSES`], reported and counted with the other emergent checks and explained in
//! docs/VALIDATION.md ("Police and crisis mortality").

use super::{Basis, Check, CheckResult, NO_MISSION, Runner, mean, osv, per_seed, rebels_only, strings};
use crate::engine::Collect;
use crate::error::Result;

/// The checks of this group that the model does not reproduce (issue 18 item 3), each explained
/// in docs/VALIDATION.md; each also fails under its knock-out.
pub(crate) const DOCUMENTED_MISSES: &[Check] = &[
    Check {
        run: police_osv_dose_response,
        facts: &[1],
        mechanism: "police count in the armed presence per head that deters one-sided violence and curbs the lethality of attacks under way, each officer as `rules.targeting.police_deterrence_weight` troops (8, an assumption)",
        knockout: &["rules.targeting.police_deterrence_weight=0.0"],
        basis: Basis::Emergent,
    },
    Check {
        run: crisis_excess_mortality,
        facts: &[],
        mechanism: "background mortality times relative risks for no access to health services and food insecurity (sizes assumptions), raised by flight, lost livelihoods and violence's damage to markets and health services",
        knockout: &[
            "rules.health.no_access_mortality_multiplier=1.0",
            "rules.health.food_insecure_mortality_multiplier=1.0",
        ],
        basis: Basis::Emergent,
    },
];

const TINY: &str = "tiny-conflict.toml";

fn reduction(with: f64, without: f64) -> f64 {
    if without > 0.0 { 1.0 - with / without } else { 0.0 }
}

/// Police levels of the dose-response: Hultman et al.'s 0, 50, 100, 200, 500 and 1,000 officers
/// put on the scale of `troops-osv-dose-response` (Hultman's 8,000 troops there are 4,800, a
/// factor 0.6), so that police and troops are compared on one scale. Not per head of the people
/// protected: Hultman et al.'s missions protect millions, so their 200 officers would be one or
/// two here, and tiny-conflict places any number up to one unit (140 officers) in one locality,
/// where two officers already saturate deterrence (a prototype with 2, 5, 10 and 140 officers
/// gave the same deaths): the scaling would test the unit rule, not the weight.
const POLICE_LEVELS: [u32; 6] = [0, 30, 60, 120, 300, 600];

fn police_osv_dose_response(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let mut kills = Vec::new();
    for &p in &POLICE_LEVELS {
        let mut o = rebels_only();
        // As in troops-osv-dose-response: protection mandates dominate Hultman et al.'s sample.
        o.extend([
            "mission.troops=0".to_string(),
            format!("mission.police={p}"),
            "mission.observers=0".into(),
            "mission.mandate=\"robust\"".into(),
            "mission.posture_share=0.8".into(),
        ]);
        let s = ctx.main(TINY, &o)?;
        kills.push(mean(&per_seed(&s, scale.seeds, osv)));
    }
    let none = kills[0];
    let (cut_200, cut_500) = (reduction(kills[3], none), reduction(kills[4], none));
    // Concavity as decreasing marginal returns: deaths averted per officer up to the "200"
    // level against those from there to the "1,000" level.
    let early_rate = (kills[0] - kills[3]) / f64::from(POLICE_LEVELS[3]);
    let late_rate = (kills[3] - kills[5]) / f64::from(POLICE_LEVELS[5] - POLICE_LEVELS[3]);
    let passed = cut_200 >= 0.7 && cut_500 >= 0.85 && early_rate >= 3.0 * late_rate.max(0.0);
    Ok(CheckResult {
        id: "police-osv-dose-response",
        pattern: "More police mean far fewer civilian killings, steeply: most of the gain from the first few hundred officers",
        source: "Hultman, Kathman & Shannon 2013 (0 police about 96 one-sided-violence deaths a month, 200 about 14 (-85 %), 500 about 0; African conflicts 1991-2008); docs/SOURCES.md fact 1 and [Hultman2013]",
        setting: format!(
            "tiny-conflict (10,000 people), rebels the only perpetrator, no troops or observers, robust mandate and posture 0.8 with a protection budget (as troops-osv-dose-response), police {POLICE_LEVELS:?} (Hultman's 0-1,000 on that check's scale, 0.6: 200 -> 120, 500 -> 300), 120 days, {} seeds",
            scale.seeds
        ),
        result: format!(
            "one-sided violence deaths: {}; cut by 120 police (Hultman's 200) {:.0} %, by 300 (Hultman's 500) {:.0} %; deaths averted per 100 officers: {:.2} below 120, {:.2} from 120 to 600{}",
            kills.iter().map(|k| format!("{k:.1}")).collect::<Vec<_>>().join(", "),
            100.0 * cut_200,
            100.0 * cut_500,
            100.0 * early_rate,
            100.0 * late_rate,
            if passed {
                ""
            } else {
                ". Not reproduced: police act by the number of 140-officer units (localities covered), not by officers per head; a unit or part of one saturates deterrence where it is, and the violence moves next door"
            }
        ),
        tolerance: "cut >= 70 % by 120 police (Hultman et al.: -85 % at 200) and >= 85 % by 300 (about -100 % at 500), floors below the source's size for the sampling noise of 8 seeds; concave: deaths averted per officer below 120 at least 3x those above",
        passed,
        ..CheckResult::default()
    })
}

/// Deaths over a run split by cause: (all, violent: civilians killed and fighters, non-violent:
/// background and epidemic).
fn deaths_by_cause(c: &Collect) -> (f64, f64, f64) {
    let all: f64 = c.national.iter().map(|r| r.deaths).sum();
    let violent: f64 = c
        .national
        .iter()
        .map(|r| {
            r.civilian_fatalities_rebel
                + r.civilian_fatalities_militia
                + r.civilian_fatalities_state
                + r.civilian_fatalities_mission
                + r.civilian_fatalities_crossfire
                + r.fighter_deaths
        })
        .sum();
    (all, violent, all - violent)
}

/// The highest crude mortality rate over 30 consecutive days (deaths per 10,000 per day).
fn worst_month_mortality(c: &Collect) -> f64 {
    let cmr: Vec<f64> = c.national.iter().skip(1).map(|r| r.crude_mortality_per_10k_day).collect();
    cmr.windows(30).map(mean).fold(0.0, f64::max)
}

/// South Sudan's violent deaths, about 37 per 10,000 people a year in 2013-18 ([Checchi2018]:
/// about 190,000 in 4.4 years among 11.5 million, docs/TARGETS.md), are about 0.15 of
/// tiny-conflict's with its shipped attack rates and no mission (252 per 10,000 in a year, 8
/// seeds, measured while this check was written). The war arm scales both groups' attack rates
/// by this factor so that the non-violent excess is compared with the source's at the source's
/// violent intensity: the share of a war's excess deaths that are not violent depends on how
/// violent it is.
const SOUTH_SUDAN_INTENSITY: f64 = 0.15;

fn crisis_excess_mortality(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let ticks = 365;
    // No mission (its health and economic spending would soften deprivation) and no epidemic
    // (its amplification by violence is conflict-amplifies-epidemic's mechanism): what is left
    // of the non-violent excess is deprivation's.
    let mut base = strings(&NO_MISSION);
    base.push("events=[]".into());
    let arm = |extra: &[String]| -> Result<Vec<[f64; 6]>> {
        let mut o = base.clone();
        o.extend_from_slice(extra);
        let mut s = ctx.main(TINY, &o)?;
        s.run.ticks = ticks;
        Ok(per_seed(&s, scale.seeds, |c| {
            let (all, violent, other) = deaths_by_cause(c);
            let displaced = mean(&c.national.iter().skip(1).map(|r| r.displaced).collect::<Vec<_>>());
            let cmr = mean(&c.national.iter().skip(1).map(|r| r.crude_mortality_per_10k_day).collect::<Vec<_>>());
            [all, violent, other, displaced, cmr, worst_month_mortality(c)]
        }))
    };
    let shipped = ctx.main(TINY, &base)?;
    let war = arm(&shipped
        .armed_groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            let rate = group.attack_rate_per_100_fighters_day * SOUTH_SUDAN_INTENSITY;
            format!("armed_groups[{g}].attack_rate_per_100_fighters_day={rate}")
        })
        .collect::<Vec<_>>())?;
    let peace = arm(&strings(&[
        "armed_groups[0].attack_rate_per_100_fighters_day=0.0",
        "armed_groups[1].attack_rate_per_100_fighters_day=0.0",
        "rules.battles.battle_rate_per_100_fighters_day=0.0",
    ]))?;
    let avg = |v: &[[f64; 6]], i: usize| mean(&v.iter().map(|x| x[i]).collect::<Vec<_>>());
    let excess_all = avg(&war, 0) - avg(&peace, 0);
    let excess_violent = avg(&war, 1) - avg(&peace, 1);
    let excess_other = avg(&war, 2) - avg(&peace, 2);
    let share_other = if excess_all > 0.0 { excess_other / excess_all } else { 0.0 };
    let passed = excess_all > 0.0 && share_other >= 0.4;
    Ok(CheckResult {
        id: "crisis-excess-mortality",
        pattern: "In a war with displacement a large part of the excess deaths are not violent: flight, lost services and food insecurity kill",
        source: "Checchi et al. 2018 ([Checchi2018]: 382,900 excess deaths in South Sudan 2013-18, about half violent); Coghlan et al. 2006 ([Coghlan2006]: most deaths in the DRC war from preventable illness, not violence); Geneva Declaration 2008 ([GBAV2008]: disease and malnutrition the main causes of civilian deaths in most major conflicts); emergency threshold 1 death per 10,000 a day ([Checchi2008CH])",
        setting: format!(
            "tiny-conflict without the mission and without the epidemic; war (both groups' attack rates scaled by {SOUTH_SUDAN_INTENSITY} to South Sudan's violent death rate, about 37 per 10,000 a year) vs the same armed groups neither attacking nor fighting; {ticks} days, {} seeds",
            scale.seeds
        ),
        result: format!(
            "excess deaths in the year among 10,000 people: {excess_all:.1}, violent {excess_violent:.1} (South Sudan about 37 per 10,000 a year), non-violent {excess_other:.1} ({:.0} % of the excess; South Sudan about 38, half); crude mortality {:.2} per 10,000 a day at war (worst 30 days {:.2}), {:.2} at peace (emergency threshold 1); mean displaced {:.0}{}",
            100.0 * share_other,
            avg(&war, 4),
            avg(&war, 5),
            avg(&peace, 4),
            avg(&war, 3),
            if passed {
                ""
            } else {
                ". Not reproduced: deprivation raises mortality, but well short of South Sudan's non-violent excess per head"
            }
        ),
        tolerance: "non-violent share of the excess deaths >= 40 % (Checchi et al.: about half, the lowest of the three sources; Coghlan et al. and the Geneva Declaration: most), the floor below half for the sampling noise of 8 seeds",
        passed,
        ..CheckResult::default()
    })
}
