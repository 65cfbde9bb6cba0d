//! D1: deprivation → grievance → mobilisation, deterred by local risk (Epstein 2002).
//!
//! Hardship is the person's Alkire-Foster deprivation score (not Epstein's U(0, 1) draw), so
//! human insecurity itself drives mobilisation. Grievance G = H (1 - L) with L the local trust in
//! the state. A person mobilises (protests, or becomes available to recruiters) when
//! G - R P > T, where P = 1 - exp(-k f(C/A)) is the perceived arrest risk from the security
//! forces C present per mobilised person A (A counts the person itself, as in NetLogo). The
//! floor rule f = floor gives punctuated bursts; the identity rule (as printed) does not.

use crate::scenario::ArrestRule;

/// Grievance a person would hold now: deprivation score times illegitimacy of the state.
#[must_use]
pub fn grievance_target(deprivation_score: f64, trust_in_state: f64) -> f64 {
    (deprivation_score * (1.0 - trust_in_state)).clamp(0.0, 1.0)
}

/// Perceived arrest probability P = 1 - exp(-k f(C/A)).
///
/// `security` and `mobilised` are in people; `mobilised` must already include the person.
#[must_use]
pub fn arrest_probability(security: f64, mobilised: f64, constant: f64, rule: ArrestRule) -> f64 {
    let ratio = if mobilised > 0.0 { security / mobilised } else { 0.0 };
    1.0 - (-constant * rule.apply(ratio)).exp()
}

/// Epstein's agent rule A: mobilised if grievance minus net risk exceeds the threshold.
#[must_use]
pub fn is_mobilised(grievance: f64, risk_aversion: f64, arrest_probability: f64, threshold: f64) -> bool {
    grievance - risk_aversion * arrest_probability > threshold
}

/// Daily probability that a mobilised person is arrested by host-state forces present.
///
/// Each security member makes `arrests_per_security_per_day` arrests when there are people to
/// arrest; arrests are shared evenly among the mobilised.
#[must_use]
pub fn arrest_chance(state_security: f64, mobilised: f64, arrests_per_security_per_day: f64, dt: f64) -> f64 {
    if mobilised <= 0.0 {
        return 0.0;
    }
    (state_security * arrests_per_security_per_day * dt / mobilised).clamp(0.0, 1.0)
}

/// Exponential smoothing factor for a time constant in days.
#[must_use]
pub fn smoothing(dt: f64, time_constant_days: f64) -> f64 {
    1.0 - (-dt / time_constant_days).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grievance_rises_with_deprivation_and_falls_with_legitimacy() {
        assert!(grievance_target(0.6, 0.2) > grievance_target(0.3, 0.2));
        assert!(grievance_target(0.6, 0.8) < grievance_target(0.6, 0.2));
        assert_eq!(grievance_target(0.0, 0.0), 0.0);
    }

    #[test]
    fn floor_rule_removes_risk_once_mobilised_outnumber_security() {
        let p_few = arrest_probability(100.0, 50.0, 2.3, ArrestRule::Floor);
        let p_many = arrest_probability(100.0, 150.0, 2.3, ArrestRule::Floor);
        assert!((p_few - (1.0 - (-4.6f64).exp())).abs() < 1e-12);
        assert_eq!(p_many, 0.0);
        // The printed rule stays positive: no tipping point.
        assert!(arrest_probability(100.0, 150.0, 2.3, ArrestRule::Identity) > 0.7);
    }

    #[test]
    fn risk_deters_mobilisation() {
        assert!(is_mobilised(0.4, 0.5, 0.0, 0.1));
        assert!(!is_mobilised(0.4, 0.5, 0.9, 0.1));
        assert!(!is_mobilised(0.05, 0.0, 0.0, 0.1));
    }

    #[test]
    fn arrests_are_shared_among_the_mobilised() {
        assert_eq!(arrest_chance(0.0, 10.0, 0.01, 1.0), 0.0);
        assert!((arrest_chance(100.0, 10.0, 0.01, 1.0) - 0.1).abs() < 1e-12);
        assert_eq!(arrest_chance(100.0, 0.0, 0.01, 1.0), 0.0);
    }
}
