//! Community and politics: tension, cohesion, early warning, political voice, perceived insecurity.
//!
//! Identity-based attacks and influxes of displaced people raise inter-group tension; dialogue
//! (the empowerment pillar) lowers it. Engagement builds early-warning networks, which let the
//! mission see what happens where it is not present, and raises political voice. Perceived
//! insecurity follows local violence over the last 30 days and one's own victimisation, and is
//! lowered by visible, trusted mission presence; it is reported separately from deprivation
//! (UNDP 2022).

use crate::scenario::params::Community;

/// Tension after one tick.
#[must_use]
pub fn next_tension(
    p: &Community,
    tension: f64,
    baseline: f64,
    identity_attacks_per_10k: f64,
    newcomer_share: f64,
    engagement: f64,
    dt: f64,
) -> f64 {
    let relax = (baseline - tension) * (1.0 - (-dt / p.relax_days).exp());
    (tension + p.tension_per_identity_attack_per_10k * identity_attacks_per_10k + p.influx_tension_per_day * newcomer_share * dt
        - p.dialogue_tension_reduction_per_day * engagement * dt
        + relax)
        .clamp(0.0, 1.0)
}

/// Cohesion after one tick: it moves toward the baseline lowered by tension and raised by engagement.
#[must_use]
pub fn next_cohesion(p: &Community, cohesion: f64, baseline: f64, tension: f64, engagement: f64, dt: f64) -> f64 {
    let target = (baseline * (1.0 - 0.5 * tension) + 0.3 * engagement * (1.0 - baseline)).clamp(0.0, 1.0);
    (cohesion + (target - cohesion) * (1.0 - (-dt / p.relax_days).exp())).clamp(0.0, 1.0)
}

/// Early-warning coverage after one tick.
#[must_use]
pub fn next_early_warning(p: &Community, coverage: f64, engagement: f64, cohesion: f64, dt: f64) -> f64 {
    let gain = p.early_warning_gain_per_day * engagement * cohesion * (1.0 - coverage) * dt;
    let decay = coverage * (1.0 - (-dt / p.early_warning_decay_days).exp());
    (coverage + gain - decay).clamp(0.0, 1.0)
}

/// Political voice after one tick.
#[must_use]
pub fn next_voice(p: &Community, voice: f64, baseline: f64, displaced: bool, engagement: f64, dt: f64) -> f64 {
    next_voice_with(p, voice, baseline, displaced, engagement, dt, voice_relaxation(p, dt))
}

/// Share of the gap to the target voice closed per tick (a constant of the run).
#[must_use]
pub fn voice_relaxation(p: &Community, dt: f64) -> f64 {
    1.0 - (-dt / p.voice_relax_days).exp()
}

/// [`next_voice`] with its per-tick relaxation precomputed by [`voice_relaxation`] (the people
/// pass computes it once per tick, not once per person).
#[must_use]
pub fn next_voice_with(p: &Community, voice: f64, baseline: f64, displaced: bool, engagement: f64, dt: f64, relaxation: f64) -> f64 {
    let target = if displaced {
        baseline * (1.0 - p.displacement_voice_loss_share)
    } else {
        baseline
    };
    let relax = (target - voice) * relaxation;
    (voice + relax + p.voice_gain_per_day * engagement * (1.0 - voice) * dt).clamp(0.0, 1.0)
}

/// Perceived insecurity a person converges to.
#[must_use]
pub fn insecurity_target(p: &Community, victims_per_10k_30d: f64, victimised_recently: bool, displaced: bool, reassurance: f64) -> f64 {
    insecurity_target_from(
        p,
        violence_exposure(p, victims_per_10k_30d),
        victimised_recently,
        displaced,
        reassurance,
    )
}

/// Perceived violence, 0 to 1, from civilian victims per 10,000 people over 30 days.
#[must_use]
pub fn violence_exposure(p: &Community, victims_per_10k_30d: f64) -> f64 {
    1.0 - (-victims_per_10k_30d / p.insecurity_violence_scale).exp()
}

/// Violence people hear of as it shapes their reported fear, 0 to 1: logarithmic in the rate
/// (Lichtenstein et al. 1978), 0 with no violence and 1 at `fear_saturation`. The sense of danger
/// ([`violence_exposure`], which sets how fast the displaced seek a site) needs rates a hundred
/// times higher: fear is widespread where few flee (Goma 2017).
#[must_use]
pub fn fear_exposure(p: &Community, victims_per_10k_30d: f64) -> f64 {
    ((victims_per_10k_30d / p.fear_violence_scale).ln_1p() / (p.fear_saturation / p.fear_violence_scale).ln_1p()).clamp(0.0, 1.0)
}

/// The fear a person reports (the survey measure behind the perceived-insecurity indicators and
/// the personal dimension of deprivation): the same form as [`insecurity_target_from`], from
/// [`fear_exposure`], shifted by the person's disposition (risk aversion, uniform 0-1).
#[must_use]
#[inline]
pub fn reported_fear(
    p: &Community,
    fear_exposure: f64,
    victimised_recently: bool,
    displaced: bool,
    reassurance: f64,
    risk_aversion: f64,
) -> f64 {
    (insecurity_target_from(p, fear_exposure, victimised_recently, displaced, reassurance)
        + p.fear_disposition_spread * (risk_aversion - 0.5))
        .clamp(0.0, 1.0)
}

/// The danger that makes a person at home flee, apart from the killings around them (which set
/// people to flight by a count per killing, `attack_flight`): their perceived insecurity
/// without the locality's violence per head, that is the baseline, raised by having been harmed
/// lately and lowered by trusted protection. Personal, so it does not depend on how localities
/// are cut.
#[must_use]
#[inline]
pub fn personal_danger(p: &Community, victimised_recently: bool, reassurance: f64) -> f64 {
    insecurity_target_from(p, 0.0, victimised_recently, false, reassurance)
}

/// [`insecurity_target`] from a precomputed [`violence_exposure`] (the people pass computes it
/// once per locality and identity, not once per person).
#[must_use]
pub fn insecurity_target_from(p: &Community, violence: f64, victimised_recently: bool, displaced: bool, reassurance: f64) -> f64 {
    let mut t = p.insecurity_baseline + (1.0 - p.insecurity_baseline) * violence;
    if victimised_recently {
        t = t.max(p.insecurity_victimisation_weight + (1.0 - p.insecurity_victimisation_weight) * violence);
    }
    if displaced {
        t += 0.1 * (1.0 - t);
    }
    (t * (1.0 - p.insecurity_reassurance_share * reassurance)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_attacks_raise_tension_and_dialogue_lowers_it() {
        let p = Community::default();
        assert!(next_tension(&p, 0.2, 0.2, 3.0, 0.0, 0.0, 1.0) > 0.2);
        assert!(next_tension(&p, 0.5, 0.2, 0.0, 0.0, 1.0, 1.0) < next_tension(&p, 0.5, 0.2, 0.0, 0.0, 0.0, 1.0));
    }

    #[test]
    fn engagement_builds_early_warning_and_voice() {
        let p = Community::default();
        assert!(next_early_warning(&p, 0.1, 1.0, 0.6, 1.0) > next_early_warning(&p, 0.1, 0.0, 0.6, 1.0));
        assert!(next_voice(&p, 0.3, 0.5, false, 1.0, 1.0) > next_voice(&p, 0.3, 0.5, false, 0.0, 1.0));
        assert!(next_voice(&p, 0.5, 0.5, true, 0.0, 1.0) < 0.5);
    }

    /// Community-driven programmes change local institutions and voice little (Casey et al. 2012;
    /// King & Samii 2014; docs/SOURCES.md): a year of full engagement lifts a person's voice by a
    /// few hundredths, not by the 0.25 that the earlier gain of 0.002 a day gave.
    #[test]
    fn a_year_of_full_engagement_lifts_voice_a_little() {
        let p = Community::default();
        let mut voice = 0.3;
        for _ in 0..365 {
            voice = next_voice(&p, voice, 0.3, false, 1.0, 1.0);
        }
        let lift = voice - 0.3;
        assert!(lift > 0.01 && lift < 0.06, "lift after a year {lift:.3}");
    }

    /// Reported fear is logarithmic in the violence heard of: each tenfold rise adds the same
    /// amount, rare violence is already feared (Goma 2017), and fear is widespread at rates far
    /// below those at which people flee.
    #[test]
    fn fear_grows_with_the_order_of_magnitude_of_violence() {
        let p = Community::default();
        assert!(fear_exposure(&p, 0.0).abs() < 1e-15);
        assert!((fear_exposure(&p, p.fear_saturation) - 1.0).abs() < 1e-12);
        assert!((fear_exposure(&p, 1e6) - 1.0).abs() < 1e-12);
        let step = |x: f64| fear_exposure(&p, 10.0 * x) - fear_exposure(&p, x);
        assert!((step(1.0) - step(10.0)).abs() < 0.01, "{} {}", step(1.0), step(10.0));
        // At 0.3 victims per 10,000 in 30 days, fear is well above the sense of danger.
        assert!(fear_exposure(&p, 0.3) > 0.3 && violence_exposure(&p, 0.3) < 0.02);
        // The disposition shifts fear both ways around the same centre.
        let f = |u: f64| reported_fear(&p, 0.4, false, false, 0.0, u);
        assert!(f(1.0) > f(0.5) && f(0.5) > f(0.0));
        assert!(((f(1.0) + f(0.0)) / 2.0 - f(0.5)).abs() < 1e-12);
    }

    #[test]
    fn violence_and_victimisation_raise_perceived_insecurity_and_presence_reassures() {
        let p = Community::default();
        let calm = insecurity_target(&p, 0.0, false, false, 0.0);
        assert!((calm - p.insecurity_baseline).abs() < 1e-12);
        assert!(insecurity_target(&p, 80.0, false, false, 0.0) > 0.9);
        assert!(insecurity_target(&p, 0.0, true, false, 0.0) >= p.insecurity_victimisation_weight);
        assert!(insecurity_target(&p, 5.0, false, false, 1.0) < insecurity_target(&p, 5.0, false, false, 0.0));
    }
}
