//! Phase 2 and D11: the mission's personnel, what it observes, and how it allocates effort.
//!
//! Personnel ramp up from deployment, are cut by drawdowns and fatalities, and ramp down over
//! the drawdown period once the host state orders withdrawal (protection authority is limited
//! after `poc_rampdown_days`). Every planning interval the mission observes localities where it
//! is present, or where early-warning networks report (probability = coverage), and keeps stale
//! estimates elsewhere: empowerment therefore improves its information. It then allocates:
//!
//! - `top_down`: fixed pillar weights; units go greedily where its own threat estimate times the
//!   marginal (diminishing) deterrence is highest; each pillar's budget follows its estimate of
//!   that pillar's need;
//! - `bottom_up`: units and budget follow the needs residents expressed (their deprived
//!   dimensions, voice-weighted) where the mission engages;
//! - `blend`: `blend_share` of the way from top-down to bottom-up.
//!
//! Programme effects saturate: effect = 1 - exp(-spend per person / scale). The protection share
//! of the mission's effort buys operational tempo for deployed personnel (patrols, response);
//! non-protection spending is capped by what the civilian staff can implement.

use super::aggregates::{Layout, field};
use super::days_to_ticks;
use crate::mechanisms::deprivation::dim;
use crate::mechanisms::means;
use crate::model::World;
use crate::model::locality::{Graph, Localities};
use crate::model::mission::{Mission, Personnel};
use crate::pillar::{PerPillar, Pillar};
use crate::rng::{Phase, Streams, uniform};
use crate::scenario::Scenario;
use crate::scenario::params::Costs;
use crate::scenario::params::Legitimacy;

use crate::mechanisms::legitimacy::withdrawal_share;

/// Prior threat (victims per 1,000 per 30 days) the mission assumes everywhere, so that units
/// spread by population when nothing has been observed yet.
pub const THREAT_PRIOR: f64 = 0.1;

/// Posture after any limit on protection authority during withdrawal.
#[must_use]
pub fn effective_posture(m: &Mission, p: &Legitimacy, tick: u32, dt: f64) -> f64 {
    match m.withdrawal_ordered_tick {
        Some(t0) if f64::from(tick.saturating_sub(t0)) * dt >= m.spec.poc_rampdown_days => m.posture.min(p.limited_posture_share),
        _ => m.posture,
    }
}

/// Moves programme effects toward what current spending buys (effects take time to build up).
pub fn build_up_programmes(m: &mut Mission, ramp_days: f64, dt: f64) {
    let alpha = if ramp_days <= 0.0 { 1.0 } else { 1.0 - (-dt / ramp_days).exp() };
    for (effect, target) in [
        (&mut m.health_effect, &m.health_target),
        (&mut m.economic_effect, &m.economic_target),
        (&mut m.transfer, &m.transfer_target),
        (&mut m.empowerment_effect, &m.empowerment_target),
    ] {
        for (e, t) in effect.iter_mut().zip(target) {
            *e += (t - *e) * alpha;
        }
    }
}

/// Phase 2: the mission's personnel for this tick, its planning round when one is due, and the
/// build-up of its programmes. Nothing happens without a mission.
pub fn step(world: &mut World, scenario: &Scenario, totals: &[f64], layout: &Layout, streams: &Streams, tick: u32) {
    let Some(m) = world.mission.as_mut() else { return };
    let dt = scenario.run.tick_length_days;
    update_personnel(m, &scenario.rules.costs, tick, dt);
    if due(m, tick, dt) {
        plan(m, scenario, &world.localities, &world.graph, totals, layout, streams, tick);
    }
    if m.started(tick) {
        allocate_budget(m, scenario, totals, layout);
    }
    build_up_programmes(m, scenario.rules.mission.programme_ramp_days, dt);
}

/// Updates authorised and deployed personnel for this tick: the ramp-up, drawdowns, the
/// withdrawal, fatalities, and what the budget can pay for.
pub fn update_personnel(m: &mut Mission, costs: &Costs, tick: u32, dt: f64) {
    if let Some(plan) = m.drawdown {
        let f = if plan.over_days <= 0.0 {
            1.0
        } else {
            (f64::from(tick.saturating_sub(plan.start_tick)) * dt / plan.over_days).min(1.0)
        };
        m.authorised = plan.from.zip_with(plan.to, |from, to| from + (to - from) * f);
    }
    let ramp = if !m.started(tick) {
        0.0
    } else if m.spec.ramp_up_days <= 0.0 {
        1.0
    } else {
        let days = f64::from(tick - m.spec.start_tick.max(1)) * dt;
        m.spec.initial_deployed_share + (1.0 - m.spec.initial_deployed_share) * (days / m.spec.ramp_up_days).min(1.0)
    };
    let withdraw = m.withdrawal_ordered_tick.map_or(1.0, |t0| {
        withdrawal_share(f64::from(tick.saturating_sub(t0)) * dt, m.spec.drawdown_days)
    });
    m.deployed = m.authorised.map(|authorised| authorised * ramp * withdraw);
    m.deployed.troops = (m.deployed.troops - m.peacekeepers_lost).max(0.0);
    // Personnel are paid first; a budget below their cost pays for fewer of them.
    let budget = m.budget_usd_per_day * withdraw;
    let cost = personnel_cost_of(costs, m.deployed);
    let affordable = means::affordable_share(budget, cost);
    if affordable < 1.0 {
        m.deployed = m.deployed.map(|n| n * affordable);
    }
    m.personnel_usd_per_day = cost * affordable;
    m.discretionary_usd_per_day = if m.started(tick) {
        (budget - m.personnel_usd_per_day).max(0.0)
    } else {
        0.0
    };
}

fn personnel_cost_of(costs: &Costs, p: Personnel) -> f64 {
    means::personnel_cost(costs, p.troops, p.police, p.observers, p.civilians)
}

/// Whether the mission plans this tick.
#[must_use]
pub fn due(m: &Mission, tick: u32, dt: f64) -> bool {
    if !m.started(tick) {
        return false;
    }
    if m.replan {
        return true;
    }
    let interval_ticks = (f64::from(m.spec.planning_interval_days) / dt).round().max(1.0);
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "a small positive tick count")]
    let interval = interval_ticks as u32;
    (tick - m.spec.start_tick.max(1)).is_multiple_of(interval)
}

/// Observes, then allocates units and budget, then computes programme effects.
#[expect(
    clippy::too_many_lines,
    reason = "observation, unit allocation and budget allocation read as one procedure"
)]
#[expect(clippy::too_many_arguments, reason = "the mission reads the parts of the world it plans from")]
pub fn plan(
    m: &mut Mission,
    scenario: &Scenario,
    localities: &Localities,
    graph: &Graph,
    totals: &[f64],
    layout: &Layout,
    streams: &Streams,
    tick: u32,
) {
    let n = localities.len;
    let ppa = scenario.population.people_per_agent;
    let r = &scenario.rules;
    let first = m.last_observed.iter().all(|&t| t == u32::MAX);
    let pop = |l: usize| totals[layout.base(l) + field::ALIVE] * ppa;

    // Observation: presence, programmes, or early-warning reports.
    for l in 0..n {
        let present =
            m.troops_at[l] + m.police_at[l] + m.observers_at[l] > 0.0 || Pillar::PROGRAMMES.iter().any(|&p| m.spend_at[l][p] > 0.0);
        let mut rng = streams.at(Phase::Planning, l as u64, tick);
        let reported = uniform(&mut rng) < localities.early_warning[l];
        if !(first || present || reported) {
            continue;
        }
        m.last_observed[l] = tick;
        let mut armed = 0.0;
        for (g, spec) in scenario.armed_groups.iter().enumerate() {
            let fighters = |k: usize| totals[layout.base(k) + layout.off_fighters + g] * ppa;
            armed += fighters(l);
            for (k, d) in graph.nearby_of(l) {
                if spec.reach_km > 0.0 && d <= spec.reach_km {
                    armed += fighters(k) * (-d / spec.reach_km).exp();
                }
            }
        }
        m.est_armed[l] = armed;
        let alive = pop(l);
        let victims = localities.ring_sum(
            &localities.victims_ring,
            l,
            tick.saturating_sub(1),
            0,
            days_to_ticks(30.0, scenario.run.tick_length_days),
        );
        m.est_threat[l] = if alive > 0.0 { victims / alive * 1000.0 } else { 0.0 };
        let alive_agents = totals[layout.base(l) + field::ALIVE];
        for d in 0..7 {
            m.est_deprived[l * 7 + d] = if alive_agents > 0.0 {
                totals[layout.base(l) + layout.off_deprived + d] / alive_agents
            } else {
                0.0
            };
        }
        m.est_votes[l] = PerPillar::from_fn(|p| totals[layout.base(l) + layout.off_needs + p.index()] * ppa);
        m.est_infectious[l] = totals[layout.base(l) + field::INFECTIOUS] * ppa;
    }
    m.replan = false;

    let b = m.policy.bottom_up_share();
    let site_pop = |l: usize| totals[layout.base(l) + field::IN_SITE] * ppa;
    // The round's working vectors live in the mission (taken out for the round), so that
    // planning allocates nothing.
    let mut scratch = std::mem::take(&mut m.plan_scratch);
    // Top-down: observed victimisation plus the threat from observed armed presence nearby.
    let td = &mut scratch.top_down;
    fill(td, n, |l| {
        pop(l) / 1000.0 * (m.est_threat[l] + THREAT_PRIOR) + r.mission.armed_presence_threat_weight * m.est_armed[l]
    });
    // Bottom-up: the protection needs residents voiced.
    let bu = &mut scratch.bottom_up;
    fill(bu, n, |l| m.est_votes[l].protection / 1000.0);
    normalise(td, n, &pop);
    normalise(bu, n, &pop);
    let score = &mut scratch.score;
    fill(score, n, |l| if m.spec.deployable[l] { (1.0 - b) * td[l] + b * bu[l] } else { 0.0 });

    // Units: greedy by score times marginal deterrence (diminishing returns in presence per
    // head: a locality of twice the people needs twice the troops for the same deterrence).
    let per_1000 = r.targeting.troops_deterrence_per_1000;
    let scale = |l: usize| (pop(l) / 1000.0).max(1e-3) * per_1000;
    let w_police = r.targeting.police_deterrence_weight;
    m.troops_at.iter_mut().for_each(|x| *x = 0.0);
    m.police_at.iter_mut().for_each(|x| *x = 0.0);
    m.observers_at.iter_mut().for_each(|x| *x = 0.0);
    // Sites are guarded first, by a force proportional to their residents (Malakal: ~25 per 1,000).
    let mut troops_left = m.deployed.troops;
    for l in 0..n {
        if m.spec.deployable[l] && site_pop(l) > 0.0 {
            let guard = (site_pop(l) / 1000.0 * r.mission.site_guard_troops_per_1000).min(troops_left);
            m.troops_at[l] += guard;
            troops_left -= guard;
        }
    }
    let presence = &mut scratch.presence;
    presence.clear();
    presence.extend_from_slice(&m.police_at);
    assign_units(
        score,
        troops_left,
        m.spec.troops_per_unit,
        1.0,
        &scale,
        &mut m.troops_at,
        presence,
        w_police,
    );
    presence.clear();
    presence.extend_from_slice(&m.troops_at);
    assign_units(
        score,
        m.deployed.police,
        m.spec.police_per_unit,
        w_police,
        &scale,
        &mut m.police_at,
        presence,
        1.0,
    );
    let uncovered: f64 = (0..n).filter(|&l| m.troops_at[l] + m.police_at[l] <= 0.0).map(|l| score[l]).sum();
    for (l, s) in score.iter().enumerate() {
        if m.troops_at[l] + m.police_at[l] <= 0.0 && uncovered > 0.0 {
            m.observers_at[l] = m.deployed.observers * s / uncovered;
        }
    }

    m.plan_scratch = scratch;
}

/// Splits the discretionary budget (what is left after personnel) over the pillars and
/// localities, every tick, from the mission's last estimates: top-down, pillar p receives its
/// weight's share, spread by the mission's estimate of that pillar's need; bottom-up, the
/// budget follows residents' voiced needs; a blend mixes the two. Protection money buys
/// operations up to full tempo for the deployed troops and police; programme money is capped
/// by what the civilian staff can implement and buys coverage per person (`means`).
pub fn allocate_budget(m: &mut Mission, scenario: &Scenario, totals: &[f64], layout: &Layout) {
    let n = m.spend_at.len();
    let ppa = scenario.population.people_per_agent;
    let r = &scenario.rules;
    let pop = |l: usize| totals[layout.base(l) + field::ALIVE] * ppa;
    let budget = m.discretionary_usd_per_day;
    let b = m.policy.bottom_up_share();
    let needs = |l: usize, p: Pillar| -> f64 {
        let e = |d: usize| m.est_deprived[l * 7 + d];
        match p {
            Pillar::Protection => m.troops_at[l] + m.police_at[l],
            Pillar::Health => pop(l) * e(dim::HEALTH),
            Pillar::Economic => pop(l) * (e(dim::ECONOMIC) + e(dim::FOOD) + e(dim::ENVIRONMENTAL)) / 3.0,
            Pillar::Empowerment => pop(l) * ((e(dim::POLITICAL) + e(dim::COMMUNITY)) / 2.0 + 0.05),
        }
    };
    let mut need_totals = PerPillar::splat(0.0);
    for l in 0..n {
        for p in Pillar::ALL {
            need_totals[p] += needs(l, p);
        }
    }
    let total_pop: f64 = (0..n).map(pop).sum();
    let total_votes: f64 = m.est_votes.iter().flat_map(PerPillar::values).sum();
    for l in 0..n {
        for (p, &need_total) in need_totals.iter() {
            let top_down = m.policy.weights.map_or(0.0, |w| w[p])
                * budget
                * if need_total > 0.0 {
                    needs(l, p) / need_total
                } else if total_pop > 0.0 {
                    pop(l) / total_pop
                } else {
                    0.0
                };
            let bottom_up = if total_votes > 0.0 {
                budget * m.est_votes[l][p] / total_votes
            } else {
                top_down
            };
            m.spend_at[l][p] = (1.0 - b) * top_down + b * bottom_up;
        }
    }
    // Protection: operations for the deployed troops and police, up to full tempo; money
    // beyond what they can use is not spent.
    let uniformed = m.deployed.troops + m.deployed.police;
    let envelope: f64 = m.spend_at.iter().map(|s| s.protection).sum();
    let full = means::full_operations(&r.costs, uniformed);
    let operations = envelope.min(full);
    m.tempo = means::tempo(&r.costs, operations, uniformed);
    let used = if envelope > 0.0 { operations / envelope } else { 0.0 };
    for s in &mut m.spend_at {
        s.protection *= used;
    }
    // Programmes: capped by what the civilian staff can implement.
    let programmes: f64 = (0..n)
        .map(|l| Pillar::PROGRAMMES.iter().map(|&p| m.spend_at[l][p]).sum::<f64>())
        .sum();
    let capacity = m.deployed.civilians * r.mission.implementation_usd_per_civilian_day;
    if programmes > capacity {
        let f = if programmes > 0.0 { capacity / programmes } else { 0.0 };
        for spend in &mut m.spend_at {
            for p in Pillar::PROGRAMMES {
                spend[p] *= f;
            }
        }
    }
    for l in 0..n {
        let people = pop(l);
        let spend = m.spend_at[l];
        // Health: isolation beds for the cases the mission knows of first, then services.
        let (beds, services) = means::isolation_beds(&r.costs, spend.health, m.est_infectious[l]);
        m.isolation_beds[l] = beds;
        m.health_target[l] = means::coverage(services, people, r.mission.health_scale_usd_per_person_day);
        // Economic: transfers to the poor, and projects that restore markets.
        let transfers = r.mission.transfer_share * spend.economic;
        let projects = spend.economic - transfers;
        let poor = people * m.est_deprived[l * 7 + dim::ECONOMIC];
        m.transfer_target[l] = means::transfer_per_poor_person(&r.costs, transfers, poor);
        m.economic_target[l] = means::coverage(projects, people, r.mission.economic_scale_usd_per_person_day);
        m.empowerment_target[l] = means::coverage(spend.empowerment, people, r.mission.empowerment_scale_usd_per_person_day);
        m.visible_projects[l] = if people > 0.0 {
            (projects / people - r.mission.qip_visibility_threshold_usd_per_person_day).max(0.0)
        } else {
            0.0
        };
    }
}

/// Refills `out` with `f(0..n)` (within its capacity: no allocation).
fn fill(out: &mut Vec<f64>, n: usize, f: impl Fn(usize) -> f64) {
    out.clear();
    out.extend((0..n).map(f));
}

/// Normalises scores to sum to 1; falls back to population shares when all are zero.
fn normalise(v: &mut [f64], n: usize, pop: &impl Fn(usize) -> f64) {
    let total: f64 = v.iter().sum();
    if total > 0.0 {
        v.iter_mut().for_each(|x| *x /= total);
        return;
    }
    let total_pop: f64 = (0..n).map(pop).sum();
    for (l, x) in v.iter_mut().enumerate() {
        *x = if total_pop > 0.0 { pop(l) / total_pop } else { 0.0 };
    }
}

/// Greedy assignment of `personnel` in units of `unit_size`: each unit goes where
/// `score x exp(-presence / scale(l))` is highest (ties to the lowest index).
#[expect(clippy::too_many_arguments, reason = "two presences (own and other kind) with their weights")]
fn assign_units(
    score: &[f64],
    personnel: f64,
    unit_size: f64,
    weight: f64,
    scale: &dyn Fn(usize) -> f64,
    out: &mut [f64],
    other: &[f64],
    other_weight: f64,
) {
    let mut left = personnel;
    while left > 1e-9 {
        let size = left.min(unit_size);
        let mut best = None;
        let mut best_value = 0.0;
        for l in 0..score.len() {
            let presence = weight * out[l] + other_weight * other[l];
            // The marginal deterrence of one more unit: presence per head enters the exponential,
            // so a unit is worth less where more people share it.
            let value = score[l] * (-presence / scale(l)).exp() / scale(l);
            if value > best_value {
                best_value = value;
                best = Some(l);
            }
        }
        let Some(l) = best else { break };
        out[l] += size;
        left -= size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_follow_score_with_diminishing_returns() {
        let score = [0.7, 0.3];
        let mut out = [0.0; 2];
        assign_units(&score, 1500.0, 50.0, 1.0, &|_| 150.0, &mut out, &[0.0, 0.0], 1.0);
        assert!((out[0] + out[1] - 1500.0).abs() < 1e-9);
        assert!(out[0] > out[1], "{out:?}");
        assert!(out[1] > 0.0, "the second locality gets units once the first saturates: {out:?}");
    }

    #[test]
    fn normalise_falls_back_to_population() {
        let mut v = [0.0, 0.0];
        normalise(&mut v, 2, &|l| if l == 0 { 1.0 } else { 3.0 });
        assert_eq!(v, [0.25, 0.75]);
    }
}
