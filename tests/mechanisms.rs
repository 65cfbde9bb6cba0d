//! Each mechanism moves outcomes in the direction the evidence says, on the tiny scenario.
//!
//! Every check compares two arms over the same seeds (common random numbers) and states its
//! tolerance. These are direction checks at a small scale; the stylised-fact checks with larger
//! ensembles live in `peacesim check` (docs/VALIDATION.md).

use peacesim::engine::Collect;
use peacesim::phases::conflict::{Actor, EventType};

use crate::util::{self, cumulative};

const SEEDS: [u64; 4] = [1, 2, 3, 4];

fn mean(arm: &[&str], outcome: impl Fn(&Collect) -> f64) -> f64 {
    let s = util::load("tiny-conflict.toml", arm);
    util::mean_over_seeds(&s, &SEEDS, outcome)
}

fn one_sided_violence(c: &Collect) -> f64 {
    cumulative(c, |r| {
        r.civilian_fatalities_rebel + r.civilian_fatalities_state + r.civilian_fatalities_militia
    })
}

/// A mission that spends everything it has after personnel on protection operations (enough
/// budget for the largest force these tests deploy) and nothing on programmes.
const PROTECTION_BUDGET: &str = "mission.budget_usd_per_day=1000000";
const PROTECTION_ONLY: &str = "mission.policy.weights={protection=1,health=0,economic=0,empowerment=0}";

/// Flight from killings off, where a check isolates where the armed groups strike: with it, the
/// raids empty the villages they strike, so the targets themselves move between the arms.
const NO_FLIGHT_FROM_KILLINGS: &str = "rules.displacement.flight_per_civilian_killed=0.0";

const NO_MISSION: [&str; 4] = [
    "mission.troops=0",
    "mission.police=0",
    "mission.observers=0",
    "mission.budget_usd_per_day=0",
];

#[test]
fn d3_d11_a_robust_mission_means_fewer_civilian_killings_than_none() {
    let none = mean(&NO_MISSION, one_sided_violence);
    let robust = mean(
        &[
            "mission.troops=3000",
            "mission.police=300",
            "mission.mandate=\"robust\"",
            "mission.posture_share=0.9",
            PROTECTION_BUDGET,
        ],
        one_sided_violence,
    );
    assert!(none > 10.0, "the scenario must be violent without a mission: {none}");
    assert!(robust < 0.7 * none, "robust {robust} vs none {none} (tolerance: at least -30 %)");
}

#[test]
fn d11_observers_alone_do_not_deter() {
    let none = mean(&NO_MISSION, one_sided_violence);
    let observers = mean(
        &[
            "mission.troops=3000",
            "mission.police=0",
            "mission.mandate=\"observer\"",
            PROTECTION_BUDGET,
            PROTECTION_ONLY,
        ],
        one_sided_violence,
    );
    assert!(
        observers > 0.8 * none,
        "observers {observers} vs none {none} (tolerance: within -20 %)"
    );
}

#[test]
fn d4_state_forces_are_deterred_less_than_rebels() {
    let kills = |c: &Collect| {
        (
            cumulative(c, |r| r.civilian_fatalities_rebel),
            cumulative(c, |r| r.civilian_fatalities_state),
        )
    };
    let s_none = util::load("tiny-conflict.toml", &NO_MISSION);
    let s_mission = util::load(
        "tiny-conflict.toml",
        &["mission.troops=3000", "mission.police=300", PROTECTION_BUDGET, PROTECTION_ONLY],
    );
    let (mut rebel_none, mut state_none, mut rebel_m, mut state_m) = (0.0, 0.0, 0.0, 0.0);
    for &seed in &SEEDS {
        let (r, s) = kills(&util::run(&s_none, seed, 2));
        rebel_none += r;
        state_none += s;
        let (r, s) = kills(&util::run(&s_mission, seed, 2));
        rebel_m += r;
        state_m += s;
    }
    let rebel_cut = 1.0 - rebel_m / rebel_none;
    let state_cut = 1.0 - state_m / state_none;
    assert!(
        rebel_none > 5.0 && state_none > 5.0,
        "both groups must kill without a mission: {rebel_none} {state_none}"
    );
    assert!(
        rebel_cut > state_cut + 0.15,
        "rebel reduction {rebel_cut:.2} vs state {state_cut:.2} (tolerance: 15 points)"
    );
}

#[test]
fn d5_interposed_troops_reduce_battles() {
    let contested = [
        "armed_groups[0].presence=[\"West\", \"Centre-West\", \"Centre\"]",
        "armed_groups[1].presence=[\"East\", \"Centre-East\", \"Centre\"]",
        "armed_groups[0].reach_km=100",
        "armed_groups[1].reach_km=100",
        PROTECTION_BUDGET,
        PROTECTION_ONLY,
    ];
    let battles = |c: &Collect| cumulative(c, |r| r.battles);
    let mut none = contested.to_vec();
    none.extend(["mission.troops=0", "mission.police=0"]);
    let mut troops = contested.to_vec();
    troops.extend(["mission.troops=4000", "mission.police=0"]);
    let b_none = mean(&none, battles);
    let b_troops = mean(&troops, battles);
    assert!(b_none > 5.0, "groups must fight without interposition: {b_none}");
    assert!(
        b_troops < 0.8 * b_none,
        "battles with troops {b_troops} vs none {b_none} (tolerance: at least -20 %)"
    );
}

/// D6: the groups deterred from a guarded locality strike its unguarded neighbour instead. Both
/// arms run without flight from killings: with it, the raids empty the neighbour's villages
/// in both arms, and the count of attacks there measures who is left as much as where the groups
/// turn (4 seeds: 12.5 → 0.25 attacks in the guarded East, 5 → 12.5 in its neighbour; with
/// flight 6.5 → 5.75 in the neighbour).
#[test]
fn d6_local_presence_displaces_violence_to_unprotected_neighbours() {
    let attacks_in = |name: &'static str| {
        move |c: &Collect| {
            c.events
                .iter()
                .filter(|(_, e)| e.perpetrator == Actor::Group(1) && matches!(e.kind, EventType::Attack | EventType::IdentityAttack))
                .filter(|(_, e)| e.locality == if name == "East" { 4 } else { 3 })
                .count() as f64
        }
    };
    let guard_east = [
        "mission.troops=2000",
        "mission.police=200",
        "mission.mandate=\"robust\"",
        "mission.deploy_to=[\"East\"]",
        PROTECTION_BUDGET,
        PROTECTION_ONLY,
        NO_FLIGHT_FROM_KILLINGS,
    ];
    let no_mission = [NO_MISSION.as_slice(), &[NO_FLIGHT_FROM_KILLINGS]].concat();
    let east_none = mean(&no_mission, attacks_in("East"));
    let east_guarded = mean(&guard_east, attacks_in("East"));
    let neighbour_none = mean(&no_mission, attacks_in("Centre-East"));
    let neighbour_guarded = mean(&guard_east, attacks_in("Centre-East"));
    assert!(east_guarded < 0.5 * east_none, "guarded locality: {east_guarded} vs {east_none}");
    assert!(
        neighbour_guarded > 1.2 * neighbour_none,
        "unprotected neighbour: {neighbour_guarded} vs {neighbour_none} (tolerance: at least +20 %)"
    );
}

/// D7: flight from violence is one rule, counted per killing, so the same killings move the same
/// number of people however the country is cut into localities. With every flight rule at its
/// default, about `rules.displacement.flight_per_civilian_killed` people flee per civilian killed
/// (plus the few victims who flee their own harm) in the tiny scenario with localities of 20 and
/// of 80 times its people (the same killings four times rarer per head in the larger). In its own
/// villages (1,500-3,000 people) fewer flee per killing, not more: a village cannot send more
/// people than live there, and those already gone cannot flee again.
///
/// Before this rule, the sense of danger also read the killings per head of the locality and
/// added its own flight on top: 747 people per killing at 20 times, 438 at 80 times (4 seeds),
/// so flight depended on how large the localities were. The knock-out (0 per death) leaves only
/// the victims' own flight, a small fraction of the count.
#[test]
fn d7_flight_per_killing_does_not_depend_on_how_large_the_localities_are() {
    const PER_DEATH: f64 = 250.0;
    let flight_per_killing = |scale: u32, per_death: f64| {
        let mut o = vec![
            "run.ticks=120".to_string(),
            format!("population.people_per_agent={}", (scale / 4).max(1)),
            format!("rules.displacement.flight_per_civilian_killed={per_death}"),
        ];
        for (i, people) in [3000, 1800, 2200, 1500, 1500].iter().enumerate() {
            o.push(format!("localities[{i}].population={}", people * scale));
        }
        let refs: Vec<&str> = o.iter().map(String::as_str).collect();
        let s = util::load("tiny-conflict.toml", &refs);
        let (mut fled, mut killed) = (0.0, 0.0);
        for seed in SEEDS {
            let c = util::run(&s, seed, 2);
            fled += cumulative(&c, |r| r.newly_displaced);
            // The killings the attacks and battles were expected to make (the realised ones are
            // a few dozen agents at the larger scales, too few to measure a ratio by).
            killed += c
                .events
                .iter()
                .filter(|(_, e)| {
                    matches!(
                        e.kind,
                        EventType::Attack | EventType::IdentityAttack | EventType::SpoilerAttack | EventType::Battle
                    )
                })
                .map(|(_, e)| e.expected_civilian_deaths)
                .sum::<f64>();
        }
        assert!(killed > 20.0, "the test needs killings: {killed} at {scale} x");
        fled / killed
    };
    let district = flight_per_killing(20, PER_DEATH);
    let larger = flight_per_killing(80, PER_DEATH);
    let village = flight_per_killing(1, PER_DEATH);
    for ratio in [district, larger] {
        assert!(
            (0.8 * PER_DEATH..=1.1 * PER_DEATH).contains(&ratio),
            "people who flee per civilian killed: {ratio:.0} (parameter {PER_DEATH}; {district:.0} at 20 x, {larger:.0} at 80 x)"
        );
    }
    assert!(
        (district / larger - 1.0).abs() < 0.1,
        "the same per killing in localities four times larger: {district:.0} vs {larger:.0}"
    );
    assert!(
        village <= 1.05 * district,
        "villages send no more people per killing than districts: {village:.0} vs {district:.0}"
    );
    let none = flight_per_killing(20, 0.0);
    assert!(
        none < 0.1 * PER_DEATH,
        "knock-out: without the per-killing count only victims flee, {none:.1} per killing"
    );
}

/// A `site_capacity` event opens a site declared with no room (UNMISS's Wau site opened in
/// June 2016, two and a half years into the war) or closes one to newcomers. Before it opens the
/// site admits nobody however violent the place; once it opens, people arrive; once closed, no
/// one more is admitted while those inside stay. The site has room for 20,000, so that it is
/// still filling when it closes (at the shipped 1,500 it is full by day 30 and a closure would
/// change nothing).
#[test]
fn d7_a_site_admits_people_only_while_it_is_open() {
    let violent = [
        "run.ticks=150",
        "localities[2].protection_site.capacity=20000",
        "armed_groups[0].attack_rate_per_100_fighters_day=0.15",
        "armed_groups[1].attack_rate_per_100_fighters_day=0.15",
    ];
    let run = |arm: &[&str]| {
        let o: Vec<&str> = violent.iter().chain(arm).copied().collect();
        let s = util::load("tiny-conflict.toml", &o);
        let runs: Vec<Collect> = (1..=4).map(|seed| util::run(&s, seed, 2)).collect();
        move |t: usize| runs.iter().map(|c| c.national[t].in_sites).sum::<f64>() / 4.0
    };
    // Without the tiny scenario's epidemic, which the arms' event lists replace.
    let always = run(&["events=[]"]);
    let opens = run(&["events=[{tick=60, kind=\"site_capacity\", locality=\"Centre\", capacity=20000}]"]);
    let closes = run(&["events=[{tick=60, kind=\"site_capacity\", locality=\"Centre\", capacity=0}]"]);
    // Declared closed from the start (this override comes after the arms' 20,000), opened on day 60.
    let late = run(&[
        "localities[2].protection_site.capacity=0",
        "events=[{tick=60, kind=\"site_capacity\", locality=\"Centre\", capacity=20000}]",
    ]);
    assert!(always(59) > 1000.0, "the open site fills in the first 60 days: {}", always(59));
    assert!(
        opens(150) == always(150),
        "opening an open site at its own capacity changes nothing"
    );
    let before: f64 = (0..60).map(&late).fold(0.0, f64::max);
    assert!(before == 0.0, "nobody in a site that has not opened: {before}");
    assert!(late(150) > 1000.0, "once open it fills: {}", late(150));
    assert!(closes(59) == always(59), "the same runs until it closes");
    let (gain_open, gain_closed) = (always(150) - always(59), closes(150) - closes(59));
    assert!(
        gain_closed < 0.25 * gain_open,
        "closed on day 60: {gain_closed:.0} more residents by day 150 (births), against {gain_open:.0} if open"
    );
    assert!(
        closes(150) > 0.9 * closes(59),
        "its residents stay: {} of {}",
        closes(150),
        closes(59)
    );
}

#[test]
fn d7_people_flee_violence_and_site_services_keep_them_after_it_ends() {
    let arm = |services: f64| {
        vec![
            "run.ticks=450".to_string(),
            "events[0]={tick=90, kind=\"ceasefire\"}".to_string(),
            "armed_groups[0].attack_rate_per_100_fighters_day=0.15".to_string(),
            "armed_groups[1].attack_rate_per_100_fighters_day=0.15".to_string(),
            format!("localities[2].protection_site.services_share={services}"),
            "rules.displacement.return_safe_days=30".to_string(),
        ]
    };
    let run = |services: f64| {
        let o = arm(services);
        let refs: Vec<&str> = o.iter().map(String::as_str).collect();
        let s = util::load("tiny-conflict.toml", &refs);
        // Eight seeds, not four: with poor services whether people go home is nearly all or
        // nothing per seed (445 to 1,491 of 1,500 stay), so four seeds are too few for the 70 %
        // bound (docs/VALIDATION.md, changes to checks).
        let runs: Vec<Collect> = (1..=8).map(|seed| util::run(&s, seed, 2)).collect();
        let at = |t: usize, f: &dyn Fn(&peacesim::phases::indicators::Indicators) -> f64| {
            runs.iter().map(|c| f(&c.national[t])).sum::<f64>() / runs.len() as f64
        };
        (
            at(90, &|r| r.in_sites),
            at(450, &|r| r.in_sites),
            at(90, &|r| r.displaced_host),
            at(450, &|r| r.displaced_host),
        )
    };
    let (site_peak, site_end, host_peak, host_end) = run(0.95);
    assert!(
        site_peak + host_peak > 1000.0,
        "violence must displace people: {site_peak} + {host_peak}"
    );
    // Hysteresis: sites keep most residents long after the violence ends; host communities empty faster.
    assert!(
        site_end > 0.6 * site_peak,
        "site residents: {site_end} of {site_peak} remain (tolerance: 60 %)"
    );
    assert!(
        host_end / host_peak.max(1.0) < site_end / site_peak.max(1.0),
        "host-community displaced return faster than site residents"
    );
    let (_, low_site_end, _, _) = run(0.1);
    assert!(low_site_end < 0.7 * site_end, "poor site services: {low_site_end} vs {site_end}");
}

#[test]
fn d8_consent_below_the_threshold_shrinks_the_mission_over_the_drawdown_period() {
    let s = util::load(
        "tiny-conflict.toml",
        &[
            "events[0]={tick=40, kind=\"consent_withdrawal\", consent_share=0.1}",
            "mission.drawdown_days=60",
            "mission.poc_rampdown_days=30",
        ],
    );
    let c = util::run(&s, 1, 2);
    let troops = |t: usize| c.national[t].troops_deployed;
    assert!(troops(39) > 800.0);
    let mid = troops(70) / troops(39);
    assert!(
        (0.4..0.6).contains(&mid),
        "halfway through the drawdown: {mid:.2} of the force remains"
    );
    assert!(troops(101) < 1.0, "withdrawn after the drawdown period: {}", troops(101));
    assert!(c.national[41].host_consent < 0.3);
}

#[test]
fn d8_mission_harm_costs_more_trust_than_armed_group_harm_gains() {
    // Trust where the mission operates against the rebels (East), at the end of the run.
    let trust_east = |c: &Collect| c.localities.last().unwrap()[4].trust_in_mission;
    let trust_by_place = |c: &Collect| {
        let last = c.localities.last().unwrap();
        last.iter().map(|l| l.trust_in_mission).sum::<f64>() / last.len() as f64
    };
    let robust = [
        "mission.troops=2500",
        "mission.mandate=\"robust\"",
        "mission.posture_share=0.9",
        PROTECTION_BUDGET,
        PROTECTION_ONLY,
    ];
    let mut harmful = robust.to_vec();
    harmful.push("rules.battles.offensive_collateral_deaths=3.0");
    let mut clean = robust.to_vec();
    clean.push("rules.battles.offensive_collateral_deaths=0.0");
    let t_harm = mean(&harmful, trust_east);
    let t_clean = mean(&clean, trust_east);
    assert!(
        t_clean - t_harm > 0.1,
        "mission-caused harm: trust {t_harm:.3} vs {t_clean:.3} where it happened (tolerance: 0.1)"
    );
    // More armed-group harm does not raise trust in the mission where it happens. Measured as
    // the mean of the localities' trust (each locality once), not the national mean over people:
    // rebel attacks drive people from the places where trust falls to the calm centre, where it
    // is high, so the national mean rose by 0.02 through who lives where (seeds 1-4), while
    // trust fell in every attacked locality.
    let more_rebel_harm = mean(&["armed_groups[1].attack_rate_per_100_fighters_day=0.2"], trust_by_place);
    let base = mean(&[], trust_by_place);
    assert!(
        more_rebel_harm <= base + 0.01,
        "armed-group harm: {more_rebel_harm:.3} vs {base:.3}"
    );
}

#[test]
fn d10_an_epidemic_raises_health_deprivation_and_deaths() {
    let after_seed = |c: &Collect| c.national[70..].iter().map(|r| r.deprived_health_share).sum::<f64>() / (c.national.len() - 70) as f64;
    // Fear (people's own behaviour change) is switched off to isolate the epidemic's burden: in
    // 10,000 people a few deaths are already a high rate and fear ends the outbreak early. The
    // mission funds no health work here (it would contain the outbreak: see the next tests).
    let with = mean(
        &[
            "rules.health.r0=2.5",
            "rules.health.fear_contact_reduction_max_share=0",
            PROTECTION_ONLY,
        ],
        after_seed,
    );
    let without = mean(
        &[
            "rules.health.r0=0.0",
            "rules.health.fear_contact_reduction_max_share=0",
            PROTECTION_ONLY,
        ],
        after_seed,
    );
    assert!(
        with > without + 0.01,
        "health deprivation with an epidemic {with:.3} vs without {without:.3}"
    );
    let deaths = |c: &Collect| cumulative(c, |r| r.epidemic_deaths);
    assert!(mean(&["rules.health.r0=2.5"], deaths) > mean(&["rules.health.r0=0.0"], deaths));
}

#[test]
fn d10_fear_of_dying_changes_behaviour_and_cuts_epidemic_deaths() {
    let deaths = |c: &Collect| cumulative(c, |r| r.epidemic_deaths);
    let fearless = mean(&["rules.health.r0=2.5", "rules.health.fear_contact_reduction_max_share=0"], deaths);
    let afraid = mean(
        &["rules.health.r0=2.5", "rules.health.fear_contact_reduction_max_share=0.6"],
        deaths,
    );
    assert!(
        afraid < 0.7 * fearless,
        "epidemic deaths with fear {afraid:.0} vs without {fearless:.0}"
    );
}

#[test]
fn d10_health_programmes_cut_epidemic_deaths() {
    let deaths = |c: &Collect| cumulative(c, |r| r.epidemic_deaths);
    let security_only = mean(
        &[
            "rules.health.r0=2.5",
            "mission.policy.weights={protection=1.0, health=0.0, economic=0.0, empowerment=0.0}",
        ],
        deaths,
    );
    let health_heavy = mean(
        &[
            "rules.health.r0=2.5",
            "mission.policy.weights={protection=0.2, health=0.6, economic=0.0, empowerment=0.2}",
        ],
        deaths,
    );
    assert!(
        health_heavy < 0.8 * security_only,
        "health-weighted {health_heavy} vs security-only {security_only}"
    );
}

#[test]
fn d2_poverty_raises_recruitment() {
    // At the default join rate the groups of this tiny scenario take one or two recruits in 120
    // days whatever people earn, so there is nothing to compare; at 25 times the rate the
    // comparison has counts. (It used to pass at the default rate only through the seeds in
    // which a class of people sitting exactly at the activation threshold mobilised at once;
    // the personal hardship factor removed that knife edge, docs/ODD.md §7.2.)
    let recruits = |c: &Collect| cumulative(c, |r| r.recruits);
    let rate = "rules.recruitment.join_rate_per_day=0.005";
    let poor = mean(&["population.livelihood_median=0.5", rate], recruits);
    let better_off = mean(&["population.livelihood_median=2.5", rate], recruits);
    assert!(poor > 1.3 * better_off, "recruits when poor {poor} vs better off {better_off}");
}

#[test]
fn d1_illegitimacy_raises_mobilisation() {
    let mobilised = |c: &Collect| c.national.iter().map(|r| r.mobilised_share).sum::<f64>() / c.national.len() as f64;
    let set = |v: f64| {
        (0..5)
            .map(|i| format!("localities[{i}].trust_in_state_share={v}"))
            .collect::<Vec<_>>()
    };
    let low = set(0.1);
    let high = set(0.9);
    let low_refs: Vec<&str> = low.iter().map(String::as_str).collect();
    let high_refs: Vec<&str> = high.iter().map(String::as_str).collect();
    let m_low = mean(&low_refs, mobilised);
    let m_high = mean(&high_refs, mobilised);
    assert!(
        m_low > m_high + 0.02,
        "mobilised with an illegitimate state {m_low:.3} vs legitimate {m_high:.3}"
    );
}

/// Days from the ceasefire to its first breakdown, if it breaks within the run. The run stops at
/// the breakdown: nothing after it is read, and most of the test's runs end early.
fn peace_days(scenario: &peacesim::scenario::Scenario, seed: u64, ceasefire_tick: u32) -> Option<usize> {
    use peacesim::engine::{Observer, Simulation};
    use peacesim::phases::indicators::TickRecord;
    use std::sync::atomic::{AtomicU32, Ordering};
    /// No breakdown yet.
    const NONE: u32 = u32::MAX;
    struct FirstBreakdown<'a> {
        after: u32,
        at: &'a AtomicU32,
    }
    impl Observer for FirstBreakdown<'_> {
        fn observe(
            &mut self,
            _: &peacesim::scenario::Scenario,
            record: &TickRecord,
            _: &[peacesim::phases::conflict::ViolentEvent],
        ) -> peacesim::error::Result<()> {
            if record.tick > self.after && record.national.ceasefire_breakdowns > 0.0 && self.at.load(Ordering::Relaxed) == NONE {
                self.at.store(record.tick, Ordering::Relaxed);
            }
            Ok(())
        }
    }
    let at = AtomicU32::new(NONE);
    let broken = || at.load(Ordering::Relaxed) != NONE;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    pool.install(|| {
        let mut sim = Simulation::with_seed(scenario, seed);
        let mut observer = FirstBreakdown {
            after: ceasefire_tick,
            at: &at,
        };
        // Stopped at the breakdown: the run then ends with `Interrupted`, as asked.
        let outcome = sim.run(&mut observer, &broken);
        assert!(outcome.is_ok() || broken(), "{outcome:?}");
    });
    let tick = at.load(Ordering::Relaxed);
    (tick != NONE).then(|| (tick - ceasefire_tick) as usize)
}

#[test]
fn d11_fact7_ceasefires_can_break_and_peacekeepers_make_peace_last_longer() {
    // A ceasefire of every group on day 30, then four years. Each group's breakdown hazard is
    // cut by the mission's deterrence where its fighters are, as much as the group is
    // sensitive to deterrence: with common random numbers a ceasefire lasts at least as long
    // with the mission as without it in every seed, and longer in some. With a sensitivity of
    // 0 (the knock-out) the mission changes nothing. Without the hazard (rate 0) no ceasefire
    // ever breaks, as before issue 24.
    let base = [
        "run.ticks=1490",
        "events=[{tick=30, kind=\"ceasefire\"}]",
        PROTECTION_BUDGET,
        PROTECTION_ONLY,
    ];
    let durations_over = |seeds: u64, extra: &[&str]| -> Vec<usize> {
        let s = util::load("tiny-conflict.toml", &[&base[..], extra].concat());
        (1..=seeds).map(|seed| peace_days(&s, seed, 30).unwrap_or(usize::MAX)).collect()
    };
    let durations = |extra: &[&str]| durations_over(12, extra);
    let with_mission = durations(&["mission.troops=3000"]);
    let without = durations(&NO_MISSION);
    let broken = without.iter().filter(|&&d| d != usize::MAX).count();
    assert!(
        (3..=11).contains(&broken),
        "without a mission about half of the ceasefires break within four years: {broken} of 12"
    );
    assert!(
        with_mission.iter().zip(&without).all(|(m, w)| m >= w),
        "peace lasts at least as long with the mission in every seed: {with_mission:?} vs {without:?}"
    );
    assert!(
        with_mission.iter().zip(&without).any(|(m, w)| m > w),
        "and longer in some: {with_mission:?} vs {without:?}"
    );
    let insensitive = [
        "armed_groups[0].deterrence_sensitivity_share=0",
        "armed_groups[1].deterrence_sensitivity_share=0",
        "mission.troops=3000",
    ];
    assert_eq!(durations(&insensitive), without, "knock-out: groups that ignore deterrence");
    // The knock-out of the hazard itself, on the first four seeds (each such run goes the full
    // four years).
    let never = durations_over(4, &["rules.battles.ceasefire_breakdown_per_year=0"]);
    assert!(
        never.iter().all(|&d| d == usize::MAX),
        "with no hazard no ceasefire breaks: {never:?}"
    );
}

#[test]
fn d2_a_drought_cuts_rural_income_and_raises_recruitment() {
    // A severe drought everywhere on day 10 of the tiny scenario (three of its five localities
    // are rural). Farm income falls for rural people at home, and the opportunity cost of
    // joining an armed group with it (D2; Miguel, Satyanath & Sergenti 2004). Knock-out: with
    // no farm income lost to drought, income falls by less than 5 % (food still does).
    let drought = "events=[{tick=10, kind=\"drought\", severity_share=0.9}]";
    let income = |c: &Collect| c.national[20..].iter().map(|r| r.mean_income).sum::<f64>() / (c.national.len() - 20) as f64;
    let recruits = |c: &Collect| cumulative(c, |r| r.recruits);
    // Without the mission, whose economic programmes would top the poor back up.
    fn arm<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        [&NO_MISSION[..], extra].concat()
    }
    let calm_income = mean(&arm(&["events=[]"]), income);
    let dry_income = mean(&arm(&[drought]), income);
    let calm_recruits = mean(&arm(&["events=[]"]), recruits);
    let dry_recruits = mean(&arm(&[drought]), recruits);
    // About 8 % lower over days 20-120 (the stress recovers over `shock_recovery_days`, and
    // only rural people at home farm).
    assert!(
        dry_income < 0.95 * calm_income,
        "income with the drought {dry_income} vs without {calm_income}"
    );
    assert!(
        dry_recruits > 1.05 * calm_recruits,
        "recruits with the drought {dry_recruits} vs without {calm_recruits}"
    );
    let knocked = mean(&arm(&[drought, "rules.economy.drought_income_loss_share=0"]), income);
    // (Income still falls a little through hunger and flight, about 3 % here; the farm-income
    // channel must account for at least 3 points of the fall.)
    assert!(
        knocked > 0.95 * calm_income,
        "knock-out: income {knocked} vs {calm_income} without the drought"
    );
    assert!(
        knocked - dry_income > 0.03 * calm_income,
        "farm income lost: {knocked} vs {dry_income}"
    );
}

/// Mean perceived insecurity in locality `l` over days 30-119.
fn insecurity_at(l: usize) -> impl Fn(&Collect) -> f64 {
    move |c: &Collect| c.localities[30..120].iter().map(|t| t[l].perceived_insecurity).sum::<f64>() / 90.0
}

/// Issue 24 item 6 and fact 30: perceived insecurity follows violence people hear of nearby
/// (rumour, decaying with distance) and in the news, not only what happens where they are.
/// Rebels strike only in East (reach 30 km); Centre-East, 40 km away, has no violence of its own,
/// West is 160 km away; no mission (no reassurance) and no flight (no newcomers). Knock-outs:
/// without rumour the calm neighbour feels no more insecure than the far west; without news
/// the far west sits at the baseline.
#[test]
fn d8_fact30_people_feel_the_violence_they_hear_of_nearby() {
    let mut arm: Vec<&str> = vec![
        "armed_groups[0].attack_rate_per_100_fighters_day=0.0",
        "armed_groups[1].reach_km=30",
        "rules.displacement.flee_rate_per_day=0.0",
        "rules.displacement.flight_per_civilian_killed=0.0",
    ];
    arm.extend(NO_MISSION);
    let (west, centre_east, east) = (0, 3, 4);
    let measure = |extra: &[&str]| {
        let mut a = arm.clone();
        a.extend(extra);
        (
            mean(&a, insecurity_at(west)),
            mean(&a, insecurity_at(centre_east)),
            mean(&a, insecurity_at(east)),
        )
    };
    let (w, ce, e) = measure(&[]);
    let (w_no_rumour, ce_no_rumour, _) = measure(&["rules.community.rumour_share=0.0"]);
    let (w_no_news, _, _) = measure(&["rules.community.news_national_share=0.0", "rules.community.rumour_share=0.0"]);
    let baseline = util::load("tiny-conflict.toml", &[]).rules.community.insecurity_baseline;
    assert!(e > ce && ce > w, "insecurity falls with distance from the violence: {e} {ce} {w}");
    assert!(ce > w + 0.02, "the calm neighbour hears of the violence: {ce} vs {w}");
    assert!(
        (ce_no_rumour - w_no_rumour).abs() < 0.005,
        "knock-out: without rumour the neighbour is like the far west: {ce_no_rumour} vs {w_no_rumour}"
    );
    assert!(w > baseline + 0.005, "news reach the far west: {w} vs baseline {baseline}");
    assert!(
        (w_no_news - baseline).abs() < 0.005,
        "knock-out: without news or rumour the far west sits at the baseline: {w_no_news} vs {baseline}"
    );
}

/// Environmental security counts people without safe drinking water (UNDP 1994's "threat to
/// water"), in the share the scenario gives for each locality's kind, and that raises H at the
/// start. The lack is structural: it does not feed grievance, so without a mission (whose
/// economic programmes go where deprivation is, water included) the mobilised and the violence
/// are the same with and without it. Before the change nobody was deprived in environmental
/// security at the start of any scenario.
#[test]
fn environmental_deprivation_counts_people_without_safe_water_and_leaves_grievance_alone() {
    let mut arm = vec!["run.ticks=30"];
    arm.extend(NO_MISSION);
    let with = util::load("baseline.toml", &arm);
    arm.push("population.unsafe_water_share={urban=0,rural=0}");
    let without = util::load("baseline.toml", &arm);
    let people: f64 = with.localities.iter().map(|l| l.population as f64).sum();
    let expected: f64 = with.localities.iter().map(|l| l.population as f64 * l.unsafe_water).sum::<f64>() / people;
    assert!(expected > 0.3, "the baseline sets the shares: {expected}");
    let (a, b) = (util::run(&with, 7, 2), util::run(&without, 7, 2));
    let env = a.national[0].deprived_environmental_share;
    assert!(
        (env - expected).abs() < 0.01,
        "environmental deprivation at the start {env} against the scenario's population-weighted share {expected}"
    );
    assert!(
        b.national[0].deprived_environmental_share < 1e-9,
        "no water lack, no environmental deprivation at the start"
    );
    assert!(
        a.national[0].af_headcount_h > b.national[0].af_headcount_h + 0.05,
        "H with the water lack {} against without {}",
        a.national[0].af_headcount_h,
        b.national[0].af_headcount_h
    );
    for (t, (x, y)) in a.national.iter().zip(&b.national).enumerate() {
        assert!(
            x.mobilised_share.to_bits() == y.mobilised_share.to_bits()
                && x.civilian_fatalities_rebel.to_bits() == y.civilian_fatalities_rebel.to_bits(),
            "day {t}: mobilised {} against {}, rebel killings {} against {}: the water lack reached grievance",
            x.mobilised_share,
            y.mobilised_share,
            x.civilian_fatalities_rebel,
            y.civilian_fatalities_rebel
        );
    }
}
