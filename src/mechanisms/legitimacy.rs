//! D8: trust in the mission and the state, support for armed groups, host consent, protest.
//!
//! Trust in the mission rises slowly where it protects and delivers services, and falls sharply
//! with harm it causes (Lyall et al. 2013) or fails to prevent where it is present and expected
//! to protect (MONUSCO 2022). Harm by armed groups does not build trust in the mission (gain
//! defaults to zero). Mission-caused harm also raises local support for armed groups for a few
//! weeks (Condra & Shapiro 2012). Host consent falls when the mission deters or attacks
//! state-aligned forces and rises with political engagement; below the threshold the host state
//! orders withdrawal and personnel and protection authority ramp down over months (MINUSMA,
//! Res. 2690). Where trust falls below a threshold where the mission is present, mobilised
//! residents protest; some protests become riots.

use crate::scenario::params::Legitimacy;

/// Civilian deaths in a locality during a tick, per 1,000 residents present, by perpetrator type.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Harm {
    /// Killed by the mission (offensives, riot response).
    pub mission: f64,
    /// Killed by host-state forces.
    pub state: f64,
    /// Killed by rebels and militias.
    pub non_state: f64,
}

fn relax(value: f64, baseline: f64, days: f64, dt: f64) -> f64 {
    (baseline - value) * (1.0 - (-dt / days).exp())
}

/// Trust in the mission after one tick.
///
/// `protection` is the deterrence the mission provides here (0 when absent); `expected` says
/// whether people here expect it to protect them (it is visibly present); `services` is the mean
/// programme effect here, 0 to 1.
#[must_use]
#[expect(clippy::too_many_arguments, reason = "each argument is one documented driver of trust")]
pub fn next_trust_in_mission(
    p: &Legitimacy,
    trust: f64,
    baseline: f64,
    protection: f64,
    expected: bool,
    services: f64,
    harm: &Harm,
    dt: f64,
) -> f64 {
    let armed_group_harm = harm.state + harm.non_state;
    // Protection builds trust where it is calm: a death among few residents stops it, one in a
    // city barely slows it.
    let calm = (-(armed_group_harm + harm.mission) / p.calm_harm_scale_per_1000).exp();
    let mut t = trust;
    t += p.protection_trust_gain_per_day * protection * calm * (1.0 - trust) * dt;
    t += p.service_trust_gain_per_day * services * (1.0 - trust) * dt;
    t -= (p.mission_harm_trust_loss * harm.mission).min(1.0) * trust;
    if expected {
        t -= (p.unmet_expectation_trust_loss * armed_group_harm).min(1.0) * trust;
    }
    t += (p.armed_group_harm_trust_gain * armed_group_harm).min(1.0) * (1.0 - trust);
    t += relax(trust, baseline, p.trust_relax_days, dt);
    t.clamp(0.0, 1.0)
}

/// Trust in the state after one tick.
#[must_use]
pub fn next_trust_in_state(p: &Legitimacy, trust: f64, baseline: f64, mission_present: bool, harm: &Harm, dt: f64) -> f64 {
    let mut t = trust;
    t -= (p.state_harm_trust_loss * harm.state).min(1.0) * trust;
    t -= (p.state_failure_trust_loss * harm.non_state).min(1.0) * trust;
    if mission_present {
        t += p.presence_state_trust_gain_per_day * (1.0 - trust) * dt;
    }
    t += relax(trust, baseline, p.trust_relax_days, dt);
    t.clamp(0.0, 1.0)
}

/// Local support for armed groups after one tick.
#[must_use]
pub fn next_support(p: &Legitimacy, support: f64, harm: &Harm, dt: f64) -> f64 {
    let gain = (p.support_gain_per_mission_harm * harm.mission).min(1.0) * (1.0 - support);
    (support + gain + relax(support, 0.0, p.support_relax_days, dt)).clamp(0.0, 1.0)
}

/// Host consent after one tick.
#[must_use]
pub fn next_consent(p: &Legitimacy, consent: f64, prevented_state_attacks: f64, offensives_on_state: f64, engagement: f64, dt: f64) -> f64 {
    (consent
        - p.consent_loss_per_prevented_state_attack * prevented_state_attacks
        - p.consent_loss_per_offensive_on_state * offensives_on_state
        + p.consent_gain_engagement_per_day * engagement * (1.0 - consent) * dt)
        .clamp(0.0, 1.0)
}

/// Expected protests against the mission per tick in a locality where it is present.
#[must_use]
pub fn protest_rate(p: &Legitimacy, trust: f64, mobilised_share: f64, dt: f64) -> f64 {
    let gap = (p.protest_trust_threshold - trust).max(0.0);
    p.protest_rate_per_day * gap * mobilised_share * dt
}

/// Share of personnel remaining during a withdrawal, `days` after it was ordered.
#[must_use]
pub fn withdrawal_share(days_since_order: f64, drawdown_days: f64) -> f64 {
    if drawdown_days <= 0.0 {
        0.0
    } else {
        (1.0 - days_since_order / drawdown_days).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mission_harm_costs_far_more_trust_than_armed_group_harm_gains() {
        let p = Legitimacy::default();
        let harm_by_mission = Harm {
            mission: 1.0,
            ..Harm::default()
        };
        let harm_by_others = Harm {
            non_state: 1.0,
            ..Harm::default()
        };
        let after_mission = next_trust_in_mission(&p, 0.5, 0.5, 0.0, false, 0.0, &harm_by_mission, 1.0);
        let after_others = next_trust_in_mission(&p, 0.5, 0.5, 0.0, false, 0.0, &harm_by_others, 1.0);
        assert!(
            0.5 - after_mission > 10.0 * (after_others - 0.5).abs(),
            "{after_mission} {after_others}"
        );
    }

    #[test]
    fn failing_to_protect_where_present_costs_trust() {
        let p = Legitimacy::default();
        let harm = Harm {
            non_state: 1.0,
            ..Harm::default()
        };
        assert!(
            next_trust_in_mission(&p, 0.5, 0.5, 0.0, true, 0.0, &harm, 1.0)
                < next_trust_in_mission(&p, 0.5, 0.5, 0.0, false, 0.0, &harm, 1.0)
        );
    }

    #[test]
    fn protection_and_services_build_trust_slowly() {
        let p = Legitimacy::default();
        let t = next_trust_in_mission(&p, 0.5, 0.5, 1.0, true, 1.0, &Harm::default(), 1.0);
        assert!(t > 0.5 && t < 0.51);
    }

    #[test]
    fn consent_falls_with_action_against_state_forces() {
        let p = Legitimacy::default();
        assert!(next_consent(&p, 0.8, 10.0, 1.0, 0.0, 1.0) < 0.8);
        assert!(next_consent(&p, 0.5, 0.0, 0.0, 1.0, 1.0) > 0.5);
    }

    #[test]
    fn protests_need_low_trust_and_mobilisation() {
        let p = Legitimacy::default();
        assert_eq!(protest_rate(&p, 0.6, 0.5, 1.0), 0.0);
        assert_eq!(protest_rate(&p, 0.1, 0.0, 1.0), 0.0);
        assert!(protest_rate(&p, 0.1, 0.3, 1.0) > 0.0);
    }

    #[test]
    fn withdrawal_ramps_down_over_the_drawdown_period() {
        assert_eq!(withdrawal_share(0.0, 180.0), 1.0);
        assert!((withdrawal_share(90.0, 180.0) - 0.5).abs() < 1e-12);
        assert_eq!(withdrawal_share(200.0, 180.0), 0.0);
    }
}
