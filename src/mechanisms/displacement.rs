//! D7: flight, protection sites and return, with hysteresis (Flee-like rules).
//!
//! People at home flee the killings where they live (a count per killing, set in the conflict
//! phase) or their own harm, when their personal danger exceeds a threshold that is lower for
//! the more risk-averse. Destinations are weighted by distance (exp(-d / scale)), safety and,
//! for protection sites, an attraction weight and the room left (Flee: camps attract; conflict
//! zones repel). Displaced people in host communities move on with Flee's daily move chances
//! (high in conflict zones, low elsewhere) and seek a site where there is one. Return needs both
//! sustained safety at home *and* home services comparable to where the person is now; site
//! services (health care, rations) therefore keep people in sites long after threats fall
//! (UNMISS 2014-2020), which is the hysteresis.

use crate::scenario::params::Displacement;

use super::BOUND_MARGIN;

/// Daily flight probability for a person at home whose everyday danger (the insecurity felt
/// with nothing happening, `rules.community.insecurity_baseline`) is `everyday_danger`.
#[must_use]
pub fn flee_probability(p: &Displacement, insecurity: f64, everyday_danger: f64, risk_aversion: f64, dt: f64) -> f64 {
    flee_probability_from_excess(p, flee_excess(p, insecurity, everyday_danger, risk_aversion), dt)
}

/// How far a person's insecurity exceeds their flight threshold (0 below it). The threshold is
/// lower for the more risk-averse and stays in [0.05, 0.95]; it never falls below the everyday
/// danger, because the danger people live with when nothing happens is not a reason to leave:
/// otherwise a low threshold would empty a peaceful country, and a scenario with no shocks
/// would not be stationary (docs/ODD.md §7.6).
#[must_use]
#[inline]
pub fn flee_excess(p: &Displacement, insecurity: f64, everyday_danger: f64, risk_aversion: f64) -> f64 {
    let floor = everyday_danger.clamp(0.05, 0.95);
    let threshold = (p.flee_threshold - 0.3 * (risk_aversion - 0.5)).clamp(floor, 0.95);
    (insecurity - threshold).max(0.0)
}

/// [`flee_probability`] from [`flee_excess`].
#[must_use]
#[inline]
pub fn flee_probability_from_excess(p: &Displacement, excess: f64, dt: f64) -> f64 {
    if excess == 0.0 {
        // The same value as below (1 - exp(-0) = 0) without the exponential: most people are
        // below their threshold.
        return 0.0;
    }
    1.0 - (-p.flee_rate_per_day * excess * dt).exp()
}

/// A number at least [`flee_probability`] for every insecurity in [0, 1] and risk aversion: the
/// probability at an excess of 1 (the threshold is at least 0.05, so the excess stays below
/// 0.95), plus [`BOUND_MARGIN`] for the rounding of the exponential. Every operation of the formula
/// is monotone in the excess; the people pass compares the uniform with this bound first and
/// computes the exponential only below it.
#[must_use]
pub fn flee_probability_bound(p: &Displacement, dt: f64) -> f64 {
    1.0 - (-p.flee_rate_per_day * 1.0 * dt).exp() + BOUND_MARGIN
}

/// Attraction of a destination. `absorbs_thousands` is how many people (in thousands) it can
/// take in: its residents for a host community, its capacity for a protection site. Weighting
/// by it (as gravity models of migration do) makes the choice independent of how localities
/// are cut: two halves of a town together attract what the whole town does.
#[must_use]
pub fn destination_weight(
    p: &Displacement,
    distance_km: f64,
    safety: f64,
    is_site: bool,
    site_room_share: f64,
    conflict_zone: bool,
    absorbs_thousands: f64,
) -> f64 {
    let distance = (-distance_km / p.distance_scale_km).exp();
    let kind = if is_site { p.site_attraction * site_room_share } else { 1.0 };
    let conflict = if conflict_zone { 0.25 } else { 1.0 };
    distance * safety * kind * conflict * absorbs_thousands.max(0.0)
}

/// Safety of a locality from recent civilian victims per 10,000 people over 30 days.
#[must_use]
pub fn safety(victims_per_10k_30d: f64, scale: f64) -> f64 {
    (-victims_per_10k_30d / scale).exp()
}

/// Whether a displaced person may consider going home.
#[must_use]
pub fn return_allowed(p: &Displacement, home_safe: bool, home_services: f64, here_services: f64) -> bool {
    home_safe && home_services + p.return_services_tolerance >= here_services
}

/// Daily chance that a displaced person outside a site moves on from where they are.
#[must_use]
pub fn move_on_probability(p: &Displacement, conflict_zone: bool, dt: f64) -> f64 {
    let daily = if conflict_zone {
        p.move_chance_conflict
    } else {
        p.move_chance_town
    };
    1.0 - (1.0 - daily).powf(dt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insecurity_drives_flight_and_risk_aversion_lowers_the_threshold() {
        let p = Displacement::default();
        assert_eq!(flee_probability(&p, 0.1, 0.2, 0.5, 1.0), 0.0);
        assert!(flee_probability(&p, 0.9, 0.2, 0.5, 1.0) > 0.1);
        assert!(flee_probability(&p, 0.5, 0.2, 0.9, 1.0) > flee_probability(&p, 0.5, 0.2, 0.1, 1.0));
    }

    #[test]
    fn sites_attract_and_distance_repels() {
        let p = Displacement::default();
        assert!(destination_weight(&p, 10.0, 1.0, true, 1.0, false, 5.0) > destination_weight(&p, 10.0, 1.0, false, 0.0, false, 5.0));
        assert!(destination_weight(&p, 10.0, 1.0, false, 0.0, false, 5.0) > destination_weight(&p, 200.0, 1.0, false, 0.0, false, 5.0));
        assert_eq!(destination_weight(&p, 10.0, 1.0, true, 0.0, false, 5.0), 0.0);
        let whole = destination_weight(&p, 10.0, 1.0, false, 0.0, false, 8.0);
        let half = destination_weight(&p, 10.0, 1.0, false, 0.0, false, 4.0);
        assert!((2.0 * half - whole).abs() < 1e-12, "two halves attract what the whole does");
    }

    /// However low the threshold is set, nobody flees the everyday danger; above it, the
    /// threshold still orders people by risk aversion. Before the floor, a threshold of 0.25 sent
    /// 27,282 of the baseline's people away in 60 days with nothing happening (no attacks, no
    /// events, seed 1), against 1,175 at 0.4.
    #[test]
    fn nobody_flees_the_everyday_danger() {
        let everyday = 0.2;
        for threshold in [0.0, 0.1, 0.2, 0.3, 0.4] {
            let p = Displacement {
                flee_threshold: threshold,
                ..Displacement::default()
            };
            for risk_aversion in [0.0, 0.5, 1.0] {
                assert_eq!(
                    flee_probability(&p, everyday, everyday, risk_aversion, 1.0),
                    0.0,
                    "threshold {threshold}"
                );
            }
            assert!(
                flee_probability(&p, 0.6, everyday, 1.0, 1.0) > 0.0,
                "the harmed still flee at {threshold}"
            );
        }
        let p = Displacement {
            flee_threshold: 0.4,
            ..Displacement::default()
        };
        assert!(flee_probability(&p, 0.5, everyday, 1.0, 1.0) > flee_probability(&p, 0.5, everyday, 0.0, 1.0));
    }

    #[test]
    fn return_needs_safety_and_services() {
        let p = Displacement::default();
        assert!(!return_allowed(&p, false, 1.0, 0.5));
        assert!(return_allowed(&p, true, 1.0, 1.0));
        assert!(
            !return_allowed(&p, true, 0.6, 1.5),
            "better services where people are keep them there"
        );
    }

    proptest::proptest! {
        #[test]
        fn flight_never_exceeds_its_bound(
            rate in 0.0..1000.0f64,
            threshold in 0.0..1.0f64,
            insecurity in 0.0..=1.0f64,
            everyday_danger in 0.0..=1.0f64,
            risk_aversion in 0.0..=1.0f64,
            dt in 0.01..30.0f64,
        ) {
            let p = Displacement { flee_rate_per_day: rate, flee_threshold: threshold, ..Displacement::default() };
            let exact = flee_probability(&p, insecurity, everyday_danger, risk_aversion, dt);
            let bound = flee_probability_bound(&p, dt);
            proptest::prop_assert!(exact <= bound, "{exact} > {bound}");
        }
    }
}
