//! Health, livelihoods and legitimacy (issue 18 item 3): checks of the stylised facts 17-29 of
//! docs/SOURCES.md whose patterns emerge from the epidemic, economy and recruitment mechanisms.
//!
//! Every check compares arms with the same seeds (common random numbers) on the small shipped
//! scenarios, names the mechanism it tests and the knock-out that switches it off, and states in
//! its tolerance where the model falls short of the literature's size. Facts of this group that
//! no check covers are listed, with the reason, in docs/VALIDATION.md ("Health, livelihoods and
//! legitimacy").

use super::{Basis, Check, CheckResult, NO_MISSION, Runner, mean, per_seed, strings};
use crate::engine::Collect;
use crate::error::Result;

/// Every check of this group, in report order.
pub(crate) const CHECKS: &[Check] = &[
    Check {
        run: ebola_doubling_time,
        facts: &[17],
        mechanism: "SEIR stages with exponential durations: at a given R0 the generation time (incubation 11.4 + infectious 3.9 days) paces the growth of the epidemic; no parameter sets the doubling time",
        knockout: &["rules.health.incubation_days=0.1"],
        basis: Basis::Emergent,
    },
    Check {
        run: early_response_collapses_transmission,
        facts: &[18],
        mechanism: "the health pillar's channels: beds that isolate detected cases (-90 % onward transmission each), safe burials, infection control and behaviour change, bought by the budget and limited by detection",
        knockout: &HEALTH_CHANNELS_OFF,
        basis: Basis::Emergent,
    },
    Check {
        run: epidemic_turns_by_behaviour,
        facts: &[19],
        mechanism: "people's own contact reduction as epidemic deaths mount (`rules.health.fear_*`), added to the model from Fast et al. 2015 and Funk et al. 2017 (only behaviour change fits Lofa's curve)",
        knockout: &["rules.health.fear_contact_reduction_max_share=0.0"],
        basis: Basis::Assumption,
    },
    Check {
        run: security_is_not_health,
        facts: &[20],
        mechanism: "epidemic transmission is cut by the health pillar's channels; troops reach it only through the violence they prevent (conflict amplification) and the displacement they avert",
        knockout: &HEALTH_CHANNELS_OFF,
        basis: Basis::Emergent,
    },
    Check {
        run: feasibility_beats_grievance,
        facts: &[23, 24],
        mechanism: "feasibility and rapacity: a group's revenue pays recruits (the rapacity term of joining) and raises the number of fighters it can keep (capacity = resources over a year's upkeep); grievance only widens the pool of the mobilised, which a group short of money cannot take on",
        knockout: &[
            "rules.recruitment.rapacity_elasticity=0.0",
            "rules.recruitment.upkeep_usd_per_fighter_day=0.0",
        ],
        basis: Basis::Emergent,
    },
    Check {
        run: employment_programmes_reduce_recruitment,
        facts: &[25],
        mechanism: "economic programmes raise legal income (transfers to people below the subsistence line, projects that lift markets), which lowers joining and deprivation-driven grievance and raises desertion",
        knockout: &["rules.mission.transfer_share=0.0", "rules.economy.programme_market_boost_share=0.0"],
        basis: Basis::Emergent,
    },
];

/// The health pillar's four transmission channels switched off: isolation, safe burials,
/// infection control and programme-driven behaviour change (people's own fear is left on).
/// The checks of this group that the model does not reproduce, each explained in
/// docs/VALIDATION.md; each also fails under its knock-out. `income-shock-violence` reproduced
/// until flight from violence became one rule counted per killing (issue 24): attacks now rise
/// by less than the check's 25 % (docs/VALIDATION.md, fact 22).
pub(crate) const DOCUMENTED_MISSES: &[Check] = &[Check {
    run: income_shock_violence,
    facts: &[22],
    mechanism: "opportunity cost of joining: legal income below the subsistence line raises the joining rate of the mobilised (sign from the theory these studies test, size assumed), which a group able to pay turns into fighters and so into attacks per 100 fighters",
    knockout: &["rules.recruitment.opportunity_cost_elasticity=0.0"],
    basis: Basis::Emergent,
}];

const HEALTH_CHANNELS_OFF: [&str; 4] = [
    "rules.health.isolation_reduction_share=0.0",
    "rules.health.funeral_transmission_share=0.0",
    "rules.health.facility_transmission_share=0.0",
    "rules.health.behaviour_change_max_share=0.0",
];

const HEALTH_ONLY: &str = "mission.policy.weights={protection=0,health=1,economic=0,empowerment=0}";
const PROTECTION_ONLY: &str = "mission.policy.weights={protection=1,health=0,economic=0,empowerment=0}";

/// Sum of a national indicator over ticks `from..to` (tick 0 is the initial state).
fn sum(c: &Collect, from: usize, to: usize, f: impl Fn(&crate::phases::indicators::Indicators) -> f64) -> f64 {
    c.national[from.min(c.national.len())..to.min(c.national.len())].iter().map(f).sum()
}

/// Mean over seeds of each tick's epidemic incidence.
fn mean_incidence(runs: &[Vec<f64>]) -> Vec<f64> {
    let n = runs.iter().map(Vec::len).min().unwrap_or(0);
    (0..n).map(|t| mean(&runs.iter().map(|r| r[t]).collect::<Vec<_>>())).collect()
}

fn incidence(c: &Collect) -> Vec<f64> {
    c.national.iter().map(|r| r.epidemic_incidence).collect()
}

/// Ratio of means, with 1 added to both so that empty arms compare as equal, not as 0/0.
fn ratio(a: f64, b: f64) -> f64 {
    (a + 1.0) / (b + 1.0)
}

fn ebola_doubling_time(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    // Growth before behaviour changes: in 12,000 people a few deaths already make people afraid
    // (docs/VALIDATION.md), so the fear response is off in both the check and its knock-out.
    let mut s = ctx.main(
        "tiny-epidemic.toml",
        &strings(&["rules.health.fear_contact_reduction_max_share=0.0"]),
    )?;
    s.run.ticks = 110;
    let runs = per_seed(&s, scale.seeds, incidence);
    let daily = mean_incidence(&runs);
    // Weekly incidence on every day (the 7 days to that day).
    let weekly: Vec<f64> = (0..daily.len()).map(|t| daily[t.saturating_sub(6)..=t].iter().sum()).collect();
    // Time for weekly incidence to grow from 20 to 320 cases, four doublings.
    let first = |level: f64| weekly.iter().position(|&w| w >= level);
    let (from, to) = (first(20.0), first(320.0));
    let doubling = match (from, to) {
        (Some(a), Some(b)) if b > a => (b - a) as f64 / 4.0,
        _ => f64::INFINITY,
    };
    let liberia = 23.6;
    let passed = doubling >= liberia / 2.0 && doubling <= liberia * 2.0;
    Ok(CheckResult {
        id: "ebola-doubling-time",
        pattern: "An Ebola-like epidemic with West Africa's R0 and serial interval doubles in about three weeks",
        source: "WHO Ebola Response Team 2014 (doubling time 23.6 days in Liberia; R0 1.83, serial interval 15.3 days); docs/SOURCES.md fact 17",
        setting: format!(
            "tiny-epidemic (12,000 people, 20 cases seeded on day 10, no health response), people's fear response off so that growth lasts long enough to measure, mean daily incidence of {} seeds over 110 days",
            scale.seeds
        ),
        result: if doubling.is_finite() {
            format!(
                "weekly incidence grows from 20 to 320 cases between days {} and {}: doubling time {doubling:.1} days ({:.2} x Liberia's 23.6)",
                from.unwrap_or(0),
                to.unwrap_or(0),
                doubling / liberia
            )
        } else {
            format!("weekly incidence never grows from 20 to 320 cases within 110 days (reached 20 on day {from:?}, 320 on day {to:?})")
        },
        tolerance: "doubling time within a factor 2 of Liberia's 23.6 days (11.8-47.2). R0 and the serial interval come from the same study, which derived R0 from the growth rate: the check tests the disease model's dynamics (exponential stages, depletion), not an independent fact. The model grows faster than Liberia did: exponential stages spread generation times, and some cases infect within days",
        passed,
        ..CheckResult::default()
    })
}

fn early_response_collapses_transmission(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let ticks = 110;
    let arm = |o: &[String]| -> Result<Vec<f64>> {
        let mut s = ctx.main("tiny-epidemic.toml", o)?;
        s.run.ticks = ticks;
        Ok(mean_incidence(&per_seed(&s, scale.seeds, incidence)))
    };
    let none = arm(&[])?;
    let early = arm(&strings(&[HEALTH_ONLY]))?;
    let late = arm(&strings(&[
        "events=[{tick=10, kind=\"epidemic_seed\", locality=\"Market town\", cases=20}, {tick=60, kind=\"mandate_change\", weights={protection=0, health=1, economic=0, empowerment=0}}]",
    ]))?;
    let total = |x: &[f64]| x.iter().sum::<f64>();
    let window = |x: &[f64], a: usize, b: usize| x[a.min(x.len())..b.min(x.len())].iter().sum::<f64>();
    let early_cut = 1.0 - total(&early) / total(&none).max(1e-9);
    let late_cut = 1.0 - total(&late) / total(&none).max(1e-9);
    // Cases in the six weeks after the late response starts, against the same weeks without it.
    let after = ratio(window(&late, 61, 103), window(&none, 61, 103));
    // Reproduction number as the ratio of cases one generation (15 days) apart, before the
    // response (days 30-60) and once it works (days 75-105).
    let r = |x: &[f64], a: usize| window(x, a + 15, a + 30) / window(x, a, a + 15).max(1e-9);
    let (r_before, r_after) = (r(&late, 30), r(&late, 75));
    let passed = early_cut >= 0.75 && after <= 0.5 && early_cut > late_cut;
    Ok(CheckResult {
        id: "early-response-collapses-transmission",
        pattern: "Isolation and an early response collapse transmission; the earlier the response, the more cases it averts",
        source: "Lindblade et al. 2015 (R 1.7 -> 0.1, -94 %, after rapid response in 9 remote Liberian outbreaks; ETU admission -90 % secondary infections); docs/SOURCES.md fact 18",
        setting: format!(
            "tiny-epidemic (12,000 people, 20 cases on day 10, people's fear response on): the mission spends all it can on health from day 0 (early), from day 60 (late, by a mandate change) or never; {ticks} days, {} seeds",
            scale.seeds
        ),
        result: format!(
            "cases: none {:.0}, early {:.0} ({:+.0} %), late {:.0} ({:+.0} %); cases in the six weeks after the late response {:.2} x those without it; reproduction number in the late arm {r_before:.2} before, {r_after:.2} after ({:+.0} %)",
            total(&none),
            total(&early),
            -100.0 * early_cut,
            total(&late),
            -100.0 * late_cut,
            after,
            100.0 * (r_after / r_before.max(1e-9) - 1.0)
        ),
        tolerance: "early response cuts cases by >= 75 %; six weeks after a late response, cases <= 0.5 x those without it; early averts more than late. The fall of R is reported against Lindblade's -94 %: the model's is smaller (detection 70 %, beds limited by the budget)",
        passed,
        ..CheckResult::default()
    })
}

fn epidemic_turns_by_behaviour(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let mut s = ctx.main("tiny-epidemic.toml", &[])?;
    s.run.ticks = 180;
    let people = s.localities.iter().map(|l| l.population as f64).sum::<f64>();
    let runs = per_seed(&s, scale.seeds, incidence);
    let daily = mean_incidence(&runs);
    let weekly: Vec<f64> = (0..daily.len()).map(|t| daily[t.saturating_sub(6)..=t].iter().sum()).collect();
    let peak = (0..weekly.len()).fold(0, |best, t| if weekly[t] > weekly[best] { t } else { best });
    let infected_at_peak = daily[..=peak].iter().sum::<f64>() / people;
    let infected = daily.iter().sum::<f64>() / people;
    let herd = 1.0 - 1.0 / s.rules.health.r0;
    let passed = infected_at_peak <= 0.1 * herd && infected <= 0.25 * herd;
    Ok(CheckResult {
        id: "epidemic-turns-by-behaviour",
        pattern: "With no health response the epidemic turns long before herd immunity, because people change their behaviour",
        source: "Fast et al. 2015; Funk et al. 2017; Liberia's curve turned in Aug-Sep 2014 before most beds arrived (docs/SOURCES.md fact 19)",
        setting: format!(
            "tiny-epidemic (12,000 people, 20 cases on day 10), a security-only mission, 180 days, {} seeds",
            scale.seeds
        ),
        result: format!(
            "weekly incidence peaks on day {peak} with {:.1} % of people infected; {:.1} % infected by day 180 (herd-immunity threshold 1 - 1/R0 = {:.0} %)",
            100.0 * infected_at_peak,
            100.0 * infected,
            100.0 * herd
        ),
        tolerance: "share infected at the peak <= a tenth of the herd-immunity threshold, and by the end <= a quarter of it. Built in: the fear response was added because behaviour change is what fits these epidemics; where infection happens (hospitals 38.3 %, households, funerals 8.6 %, Merler et al. 2015) is set as parameters and not measured",
        passed,
        ..CheckResult::default()
    })
}

fn security_is_not_health(ctx: &Runner) -> Result<CheckResult> {
    let scale = ctx.scale;
    let common = [
        "events=[{tick=10, kind=\"epidemic_seed\", locality=\"Centre\", cases=20}]",
        "mission.ramp_up_days=0",
        "mission.initial_deployed_share=1.0",
    ];
    let deaths = |extra: &[&str]| -> Result<(f64, f64, f64)> {
        let mut o = strings(&common);
        o.extend(strings(extra));
        let mut s = ctx.main("tiny-conflict.toml", &o)?;
        s.run.ticks = 120;
        let v = per_seed(&s, scale.seeds, |c| {
            let n = c.national.len();
            (
                sum(c, 0, n, |r| r.epidemic_deaths),
                sum(c, 30, n, |r| r.spend_health_usd) / (n - 30).max(1) as f64,
                sum(c, 30, n, |r| r.spend_protection_usd + r.spend_personnel_usd) / (n - 30).max(1) as f64,
            )
        });
        Ok((
            mean(&v.iter().map(|x| x.0).collect::<Vec<_>>()),
            mean(&v.iter().map(|x| x.1).collect::<Vec<_>>()),
            mean(&v.iter().map(|x| x.2).collect::<Vec<_>>()),
        ))
    };
    // 900 more troops cost 900 x (85 + 80) = US$148,500 a day: the doubled arm and the health
    // arm get that much more budget.
    let base = deaths(&[PROTECTION_ONLY])?;
    let troops = deaths(&[PROTECTION_ONLY, "mission.troops=1800", "mission.budget_usd_per_day=348500"])?;
    let health = deaths(&[
        "mission.policy.weights={protection=0.5,health=0.5,economic=0,empowerment=0}",
        "mission.budget_usd_per_day=348500",
    ])?;
    let troops_change = troops.0 / base.0.max(1e-9) - 1.0;
    let health_change = health.0 / base.0.max(1e-9) - 1.0;
    let passed = troops_change.abs() < 0.15 && health_change <= -0.5;
    Ok(CheckResult {
        id: "security-is-not-health",
        pattern: "More troops under a security mandate do not curb an epidemic; health spending does",
        source: "UNMIL 2014: Res. 2177 called Ebola a threat to peace and security, the health response (UNMEER) was separate; Gilder 2024; docs/SOURCES.md fact 20",
        setting: format!(
            "tiny-conflict with an Ebola-like epidemic seeded in Centre on day 10, the mission deployed at once: 900 troops protection-only, 1,800 troops protection-only (budget +US$148,500 a day), or 900 troops with the same larger budget split protection/health; 120 days, {} seeds",
            scale.seeds
        ),
        result: format!(
            "epidemic deaths: 900 troops {:.1}; 1,800 troops {:.1} ({:+.0} %; protection and personnel US${:.0} vs {:.0} a day); health arm {:.1} ({:+.0} %; health US${:.0} a day)",
            base.0,
            troops.0,
            100.0 * troops_change,
            base.2,
            troops.2,
            health.0,
            100.0 * health_change,
            health.1
        ),
        tolerance: "doubling the troops changes epidemic deaths by less than 15 %; the health arm cuts them by >= 50 % (direction and size of the contrast; the sources give no effect size). A first deployment does curb the epidemic here, by preventing the violence that amplifies transmission (fact 21): see docs/VALIDATION.md",
        passed,
        ..CheckResult::default()
    })
}

/// Rebels the only perpetrator and no mission: the setting of the livelihood checks.
fn rebels_alone(resources_usd: u32) -> Vec<String> {
    let mut o = strings(&NO_MISSION);
    o.extend(strings(&[
        "mission.observers=0",
        "armed_groups[0].attack_rate_per_100_fighters_day=0.0",
        "events=[]",
    ]));
    o.push(format!("armed_groups[1].resources_usd={resources_usd}"));
    o
}

/// Per seed: recruits over the run, rebel attacks on civilians from day 91, mean income days
/// 10-90, fighters of the rebel group at the end, mean deprivation M0 from day 10.
fn livelihood_outcomes(c: &Collect) -> [f64; 5] {
    let n = c.national.len();
    [
        sum(c, 0, n, |r| r.recruits),
        sum(c, 91, n, |r| r.attacks_on_civilians),
        sum(c, 10, 91, |r| r.mean_income) / 81.0,
        c.groups.last().map_or(0.0, |g| g.fighters.get(1).copied().unwrap_or(0.0)),
        sum(c, 10, n, |r| r.af_m0) / n.saturating_sub(10).max(1) as f64,
    ]
}

fn livelihood_arm(ctx: &Runner, overrides: &[String], ticks: u32) -> Result<[f64; 5]> {
    let mut s = ctx.main("tiny-conflict.toml", overrides)?;
    s.run.ticks = ticks;
    let v = per_seed(&s, ctx.scale.seeds, livelihood_outcomes);
    Ok(std::array::from_fn(|i| mean(&v.iter().map(|x| x[i]).collect::<Vec<_>>())))
}

fn income_shock_violence(ctx: &Runner) -> Result<CheckResult> {
    let base = rebels_alone(2_000_000);
    let mut shock = base.clone();
    shock.push("events=[{tick=10, kind=\"drought\", severity_share=0.8}]".into());
    let calm = livelihood_arm(ctx, &base, 180)?;
    let dry = livelihood_arm(ctx, &shock, 180)?;
    let income_cut = 1.0 - dry[2] / calm[2].max(1e-9);
    let recruits = ratio(dry[0], calm[0]);
    let attacks = ratio(dry[1], calm[1]);
    // Miguel et al.: -5 points of growth -> conflict risk +50 %; the model's rise per 5 points
    // of income lost, for comparison.
    let per_5_points = if income_cut > 0.0 {
        format!("{:+.0} %", 100.0 * (attacks.powf(0.05 / income_cut) - 1.0))
    } else {
        "none (income did not fall)".to_string()
    };
    let passed = recruits >= 1.25 && attacks >= 1.25;
    Ok(CheckResult {
        id: "income-shock-violence",
        pattern: "A negative income shock (drought) raises recruitment and, in the months after, violence",
        source: "Miguel, Satyanath & Sergenti 2004 (-5 points of growth -> conflict risk +1/2 the next year; contested by Ciccone 2011); docs/SOURCES.md fact 22",
        setting: format!(
            "tiny-conflict, rebels the only perpetrator and able to pay recruits (US$2 M), no mission, no epidemic; a drought (stress 0.8 everywhere) on day 10 vs none; 180 days, {} seeds",
            ctx.scale.seeds
        ),
        result: format!(
            "mean income days 10-90 {:.2} -> {:.2} ({:+.0} %); recruits {:.1} -> {:.1} (x{recruits:.2}); rebel attacks on civilians days 91-180 {:.1} -> {:.1} (x{attacks:.2}), {per_5_points} per 5 % of income lost",
            calm[2],
            dry[2],
            -100.0 * income_cut,
            calm[0],
            dry[0],
            calm[1],
            dry[1]
        ),
        tolerance: "recruits and later attacks each rise by >= 25 %. Short of Miguel et al.'s size: per 5 % of income lost the model's violence rises by less than their +50 %. It needs a group able to pay recruits: at the scenario's US$100,000 the drought leaves attacks unchanged (docs/VALIDATION.md)",
        passed,
        ..CheckResult::default()
    })
}

fn feasibility_beats_grievance(ctx: &Runner) -> Result<CheckResult> {
    let poor = livelihood_arm(ctx, &rebels_alone(100_000), 180)?;
    let rich = livelihood_arm(ctx, &rebels_alone(1_000_000), 180)?;
    // Grievance proxies where the rebels recruit (Centre-East and East, mostly Highland):
    // political exclusion, inter-group tension, broken cohesion.
    let mut aggrieved = rebels_alone(100_000);
    for l in [3, 4] {
        aggrieved.extend([
            format!("localities[{l}].political_voice_share=0.05"),
            format!("localities[{l}].tension_share=0.9"),
            format!("localities[{l}].cohesion_share=0.1"),
        ]);
    }
    let grievance = livelihood_arm(ctx, &aggrieved, 180)?;
    let recruits_rent = ratio(rich[0], poor[0]);
    let attacks_rent = ratio(rich[1], poor[1]);
    let recruits_grievance = ratio(grievance[0], poor[0]);
    let attacks_grievance = ratio(grievance[1], poor[1]);
    let m0_rise = grievance[4] / poor[4].max(1e-9) - 1.0;
    let passed = recruits_rent >= 1.5
        && attacks_rent >= 1.1
        && recruits_rent - 1.0 >= 3.0 * (recruits_grievance - 1.0)
        && attacks_rent > attacks_grievance
        && m0_rise >= 0.25;
    Ok(CheckResult {
        id: "feasibility-beats-grievance",
        pattern: "Rents the armed group can capture raise recruitment and violence (rapacity); a comparable shock to grievance proxies barely moves them",
        source: "Dube & Vargas 2013 (oil price rises -> more violence in oil areas); Collier & Hoeffler 2004 (grievance proxies explain little of onset, the viability of rebellion much more); docs/SOURCES.md facts 23-24",
        setting: format!(
            "tiny-conflict, rebels the only perpetrator, no mission, no epidemic; rebels' resources US$100,000 (as shipped) vs US$1 M (a rent windfall) vs US$100,000 with political voice 0.05, tension 0.9 and cohesion 0.1 where they recruit (Centre-East, East); 180 days, {} seeds. The opportunity-cost half of fact 23 is `income-shock-violence`",
            ctx.scale.seeds
        ),
        result: format!(
            "recruits {:.1} -> rents {:.1} (x{recruits_rent:.2}), grievance {:.1} (x{recruits_grievance:.2}); rebel fighters at day 180 {:.0} -> {:.0}, {:.0}; rebel attacks on civilians days 91-180 {:.1} -> {:.1} (x{attacks_rent:.2}), {:.1} (x{attacks_grievance:.2}); the grievance shock raised deprivation M0 by {:.0} %",
            poor[0],
            rich[0],
            grievance[0],
            poor[3],
            rich[3],
            grievance[3],
            poor[1],
            rich[1],
            grievance[1],
            100.0 * m0_rise
        ),
        tolerance: "rents raise recruits by >= 50 % and later attacks by >= 10 %, and raise recruits at least 3 times as much and attacks more than the grievance shock does, a shock that raises deprivation (M0) by >= 25 % (the sources give directions). Rents enter as revenue the group holds: the model has no commodity prices, and the loot taken where lootable resources are is too small to matter (raising East's lootable share from 0 to 0.9 moves attacks by about 3 %)",
        passed,
        ..CheckResult::default()
    })
}

fn employment_programmes_reduce_recruitment(ctx: &Runner) -> Result<CheckResult> {
    // A civilian-only mission of 20 staff (US$5,000 a day) with US$1,000 a day for programmes,
    // US$0.10 per person per day: the scale of a community violence-reduction programme.
    let mut base = rebels_alone(2_000_000);
    base.extend(strings(&[
        "mission.civilians=20",
        "mission.budget_usd_per_day=6000",
        "mission.ramp_up_days=0",
        "mission.initial_deployed_share=1.0",
    ]));
    let mut none = base.clone();
    none.push(PROTECTION_ONLY.into());
    let mut jobs = base;
    jobs.push("mission.policy.weights={protection=0,health=0,economic=1,empowerment=0}".into());
    let a = livelihood_arm(ctx, &none, 180)?;
    let b = livelihood_arm(ctx, &jobs, 180)?;
    let recruits_cut = 1.0 - b[0] / a[0].max(1e-9);
    let fighters_cut = 1.0 - b[3] / a[3].max(1e-9);
    let passed = recruits_cut >= 0.2 && fighters_cut > 0.0 && fighters_cut < 1.0 / 3.0;
    Ok(CheckResult {
        id: "employment-programmes-recruitment",
        pattern: "Employment and transfer programmes reduce recruitment, at the margin",
        source: "Blattman & Annan 2016 (RCT, Liberian ex-fighters: more farm work, less interest in mercenary work 14 months on); docs/SOURCES.md fact 25",
        setting: format!(
            "tiny-conflict, rebels the only perpetrator and able to pay recruits (US$2 M), no troops; 20 civilian staff with US$1,000 a day (US$0.10 per person) for economic programmes (half transfers, half projects) vs the same staff without programmes; 180 days, {} seeds",
            ctx.scale.seeds
        ),
        result: format!(
            "mean income days 10-90 {:.2} -> {:.2}; recruits {:.1} -> {:.1} ({:+.0} %); rebel fighters at day 180 {:.0} -> {:.0} ({:+.0} %); rebel attacks days 91-180 {:.1} -> {:.1}",
            a[2],
            b[2],
            a[0],
            b[0],
            -100.0 * recruits_cut,
            a[3],
            b[3],
            -100.0 * fighters_cut,
            a[1],
            b[1]
        ),
        tolerance: "recruits fall by >= 20 %; the group's strength falls, but by less than a third (at the margin). Blattman & Annan's effect sizes are not in docs/SOURCES.md; their finding that training alone has little effect is not tested (the model has no training channel)",
        passed,
        ..CheckResult::default()
    })
}
