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
