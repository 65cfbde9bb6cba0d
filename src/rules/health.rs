//! D10: an SEIR epidemic coupled to conflict and to health capacity; baseline mortality.
//!
//! Transmission per locality is beta = R0 / infectious period, amplified 1.9x for 1-10 weeks
//! after violence (BMC Public Health 2024) and by crowding in protection sites, and reduced by
//! the health pillar's channels: isolation of detected cases (-90 % onward transmission,
//! Lindblade 2015), safe burials (funeral share of transmission, Merler 2015), infection control
//! in facilities (facility share) and behaviour change from community engagement (Fast et al.).
//! Treatment halves the case-fatality risk (Lindblade 2015). Stages are exponential, so the mean
//! generation time is incubation + infectious period (about the 15.3-day serial interval).

use crate::scenario::params::Health;

/// Transmission-reducing effects of health and engagement programmes in a locality, 0 to 1 each.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Interventions {
    /// Share of infectious cases isolated.
    pub isolation: f64,
    /// Share of burials made safe.
    pub safe_burials: f64,
    /// Share of facility transmission prevented by infection control.
    pub infection_control: f64,
    /// Reduction of contacts by behaviour change.
    pub behaviour_change: f64,
}

/// Interventions produced by health and empowerment programme effects.
#[must_use]
pub fn interventions(p: &Health, health_effect: f64, engagement_effect: f64) -> Interventions {
    Interventions {
        isolation: p.detection_share * health_effect,
        safe_burials: health_effect,
        infection_control: health_effect,
        behaviour_change: p.behaviour_change_max_share * (1.0 - (1.0 - engagement_effect) * (1.0 - 0.5 * health_effect)),
    }
}

/// Effective transmission rate per day in a locality.
#[must_use]
pub fn effective_beta(p: &Health, conflict_amplified: bool, i: &Interventions) -> f64 {
    let beta = p.r0 / p.infectious_days;
    let conflict = if conflict_amplified { p.conflict_multiplier } else { 1.0 };
    beta * conflict
        * (1.0 - i.behaviour_change)
        * (1.0 - p.funeral_transmission_share * i.safe_burials)
        * (1.0 - p.facility_transmission_share * i.infection_control)
        * (1.0 - p.isolation_reduction_share * i.isolation)
}

/// Force of infection per susceptible per day.
#[must_use]
pub fn force_of_infection(beta: f64, prevalence_here: f64, prevalence_neighbours: f64, mixing: f64) -> f64 {
    beta * ((1.0 - mixing) * prevalence_here + mixing * prevalence_neighbours)
}

/// Transmission multiplier inside a protection site filled to `occupancy` (0 to 1+).
#[must_use]
pub fn crowding(p: &Health, occupancy: f64) -> f64 {
    1.0 + (p.site_crowding_multiplier - 1.0) * occupancy.clamp(0.0, 1.0)
}

/// Probability of leaving a stage with this mean duration during a tick.
#[must_use]
pub fn stage_exit_probability(mean_days: f64, dt: f64) -> f64 {
    1.0 - (-dt / mean_days).exp()
}

/// Probability that a case dies, given the share treated.
#[must_use]
pub fn case_fatality(p: &Health, treated_share: f64) -> f64 {
    p.case_fatality_share * (1.0 - p.treatment_fatality_reduction_share * treated_share)
}

/// Baseline (non-violent, non-epidemic) death probability per tick.
#[must_use]
pub fn baseline_death_probability(p: &Health, age_band: u8, has_access: bool, food_insecure: bool, chronic: bool, dt: f64) -> f64 {
    let age = match age_band {
        0 => p.child_mortality_multiplier,
        1 => p.youth_mortality_multiplier,
        2 => p.adult_mortality_multiplier,
        _ => p.elder_mortality_multiplier,
    };
    let mut m = p.baseline_mortality_per_10k_day / 10_000.0 * age;
    if !has_access {
        m *= p.no_access_mortality_multiplier;
    }
    if food_insecure {
        m *= p.food_insecure_mortality_multiplier;
    }
    if chronic {
        m *= p.chronic_mortality_multiplier;
    }
    1.0 - (-m * dt).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_interventions_r0_is_the_scenario_value() {
        let p = Health::default();
        let beta = effective_beta(&p, false, &Interventions::default());
        assert!((beta * p.infectious_days - p.r0).abs() < 1e-12);
    }

    #[test]
    fn conflict_amplifies_and_isolation_collapses_transmission() {
        let p = Health::default();
        let none = Interventions::default();
        assert!((effective_beta(&p, true, &none) / effective_beta(&p, false, &none) - 1.9).abs() < 1e-12);
        let full = interventions(&p, 1.0, 1.0);
        let r = effective_beta(&p, false, &full) * p.infectious_days;
        assert!(r < 0.5, "R under full health and engagement programmes: {r}");
    }

    #[test]
    fn treatment_halves_fatality() {
        let p = Health::default();
        assert!((case_fatality(&p, 1.0) - 0.5 * p.case_fatality_share).abs() < 1e-12);
    }

    #[test]
    fn baseline_mortality_matches_sphere_for_an_average_adult() {
        let p = Health::default();
        let d = baseline_death_probability(&p, 2, true, false, false, 1.0) / p.adult_mortality_multiplier;
        assert!((d * 10_000.0 - 0.44).abs() < 1e-3);
        assert!(baseline_death_probability(&p, 3, false, true, true, 1.0) > 10.0 * d);
    }
}
