//! D5 and mission operations: battles between groups, interposition, offensives, attacks on the mission.
//!
//! Hostile groups present in the same locality fight at a rate proportional to the smaller
//! side; armed troops interposed between them lower the rate by up to `interposition_max_share`
//! with diminishing returns (Hultman et al. 2014: about -70 % at 10,000 troops); police and
//! observers do not interpose. A robust mission conducts offensive operations against hostile
//! groups where it is deployed, killing fighters and, sometimes, civilians (mission-caused harm
//! that feeds D8). Groups that attack the mission do so where units are within reach.

use crate::scenario::params::Battles;

/// Reduction of battles by interposed troops, 0 to `interposition_max_share`, from armed
/// troops per 1,000 people in and around the locality.
#[must_use]
pub fn interposition(p: &Battles, troops_per_1000: f64) -> f64 {
    if troops_per_1000 <= 0.0 {
        return 0.0;
    }
    p.interposition_max_share * (1.0 - (-troops_per_1000 / p.interposition_troops_per_1000).exp())
}

/// Expected battles per tick between two groups with these fighters in one locality.
#[must_use]
pub fn battle_rate(p: &Battles, fighters_a: f64, fighters_b: f64, interposition: f64, dt: f64) -> f64 {
    p.battle_rate_per_100_fighters_day * fighters_a.min(fighters_b) / 100.0 * (1.0 - interposition) * dt
}

/// Shares of a battle's fighter deaths borne by each side (the weaker side loses more).
#[must_use]
pub fn death_shares(fighters_a: f64, fighters_b: f64) -> (f64, f64) {
    let total = fighters_a + fighters_b;
    if total <= 0.0 {
        return (0.5, 0.5);
    }
    (fighters_b / total, fighters_a / total)
}

/// Expected offensive operations per tick by a robust mission in a locality.
#[must_use]
pub fn offensive_rate(p: &Battles, effective_troops: f64, posture: f64, robust: bool, dt: f64) -> f64 {
    if !robust {
        return 0.0;
    }
    p.offensive_rate_per_1000_troops_day * effective_troops / 1000.0 * posture * dt
}

/// Expected attacks on mission units per tick by a group with `fighters` within reach.
#[must_use]
pub fn attack_on_mission_rate(p: &Battles, fighters: f64, propensity: f64, dt: f64) -> f64 {
    p.attack_on_mission_rate_per_100_fighters_day * fighters / 100.0 * propensity * dt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interposition_reduces_battles_with_diminishing_returns() {
        let p = Battles::default();
        assert_eq!(interposition(&p, 0.0), 0.0);
        let big = interposition(&p, 10_000.0);
        assert!(big > 0.69 && big <= 0.7, "{big}");
        assert!(battle_rate(&p, 500.0, 300.0, big, 1.0) < 0.35 * battle_rate(&p, 500.0, 300.0, 0.0, 1.0));
    }

    #[test]
    fn the_weaker_side_loses_more() {
        let (a, b) = death_shares(900.0, 100.0);
        assert!(b > a);
        assert!((a + b - 1.0).abs() < 1e-12);
    }

    #[test]
    fn only_robust_missions_conduct_offensives() {
        let p = Battles::default();
        assert_eq!(offensive_rate(&p, 3000.0, 1.0, false, 1.0), 0.0);
        assert!(offensive_rate(&p, 3000.0, 1.0, true, 1.0) > 0.0);
    }
}
