//! D3, D4, D6, D9: armed groups choose targets by expected gain against deterrence.
//!
//! Deterrence is local and saturating: D = f_mandate x (0.5 + 0.5 posture) x activity x
//! (1 - exp(-rho / rho0)), where rho is the armed presence per 1,000 people in and around a
//! locality (troops, police weighted, a share of linked localities' troops and people at the
//! mission's operational tempo) and rho0 the deterrence scale per 1,000 (Hultman et al. 2013:
//! steep and concave); activity = static share + (1 - static share) x tempo, so troops whose
//! operations are not funded deter only from their bases. Observers and observer mandates do
//! not deter. Host-state forces are
//! deterred far less (low sensitivity, D4) unless engagement gives the mission leverage. A group
//! spreads its attack effort over reachable targets in proportion to (value x (1 - sD))^beta, and
//! attacks at a rate scaled by (1 - sD): deterrence both lowers violence and displaces it to
//! unprotected places (D6). Visible projects add value for spoilers (D9).

use crate::scenario::Mandate;
use crate::scenario::params::Targeting;

/// Deterrence factor of a mandate.
#[must_use]
pub fn mandate_factor(p: &Targeting, mandate: Mandate) -> f64 {
    match mandate {
        Mandate::Observer => p.mandate_factor_observer,
        Mandate::Traditional => p.mandate_factor_traditional,
        Mandate::Robust => p.mandate_factor_robust,
    }
}

/// Effective armed presence of one locality's own deployment, in troop equivalents.
#[must_use]
pub fn armed_presence(troops: f64, police: f64, police_weight: f64) -> f64 {
    troops + police_weight * police
}

/// Presence per 1,000 people (0 where nobody lives).
#[must_use]
pub fn per_1000(presence: f64, people: f64) -> f64 {
    if people > 0.0 { presence / people * 1000.0 } else { 0.0 }
}

/// How active deployed troops are, 0 to 1: from their bases alone (the static share) up to
/// full patrols at full operational tempo.
#[must_use]
pub fn activity(p: &Targeting, tempo: f64) -> f64 {
    p.static_presence_share + (1.0 - p.static_presence_share) * tempo.clamp(0.0, 1.0)
}

/// Deterrence in a locality, 0 to 1, from armed presence per 1,000 people in and around it.
#[must_use]
pub fn deterrence(p: &Targeting, presence_per_1000: f64, mandate_factor: f64, posture: f64, activity: f64) -> f64 {
    if presence_per_1000 <= 0.0 {
        return 0.0;
    }
    (mandate_factor * (0.5 + 0.5 * posture) * activity * (1.0 - (-presence_per_1000 / p.troops_deterrence_per_1000).exp())).clamp(0.0, 1.0)
}

/// How strongly a group is deterred in a locality: its base sensitivity, plus leverage over
/// state-aligned forces that engagement (the empowerment pillar, Tier I) buys.
#[must_use]
pub fn sensitivity(base: f64, state_aligned: bool, leverage_share: f64, engagement: f64) -> f64 {
    if state_aligned {
        (base + leverage_share * engagement).min(1.0)
    } else {
        base
    }
}

/// Value of a locality as a target for civilian attacks, split into its loot, identity and
/// spoiler parts (per 1,000 people present).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TargetValue {
    /// Loot from predation.
    pub loot: f64,
    /// Value of hurting a hostile identity group.
    pub identity: f64,
    /// Value of destroying visible projects.
    pub spoiler: f64,
}

impl TargetValue {
    /// Total value.
    #[must_use]
    pub fn total(&self) -> f64 {
        self.loot + self.identity + self.spoiler
    }
}

/// Computes a locality's value to a group.
#[must_use]
#[expect(clippy::too_many_arguments, reason = "each argument is one documented driver of target value")]
pub fn target_value(
    p: &Targeting,
    civilians: f64,
    predation: f64,
    lootable: f64,
    market: f64,
    hostile_civilians: f64,
    tension: f64,
    spoiler: f64,
    visible_projects: f64,
) -> TargetValue {
    let k = civilians / 1000.0;
    TargetValue {
        loot: p.loot_weight * predation * k * 0.5 * (lootable + market),
        identity: p.identity_weight * (hostile_civilians / 1000.0) * (1.0 + tension),
        spoiler: p.spoiler_weight * spoiler * k * visible_projects,
    }
}

/// Value of a protection site to a group hostile to some of its residents.
#[must_use]
pub fn site_value(p: &Targeting, hostile_residents: f64, attacks_sites: f64) -> f64 {
    p.site_weight * attacks_sites * hostile_residents / 1000.0
}

/// Net attractiveness of a target after deterrence, weighted by proximity.
#[must_use]
pub fn net_attractiveness(value: f64, sensitivity: f64, deterrence: f64, proximity: f64) -> f64 {
    value * (1.0 - sensitivity * deterrence) * proximity
}

/// Spreads effort over targets: `shares[i] ∝ mass[i] x (net[i] / mass[i])^beta`, where `mass`
/// is the number of people (in thousands) a target's value comes from. Concentration acts on
/// the value per head, and effort grows with the people there, so cutting a target into two
/// identical halves leaves the effort on the whole unchanged. All zero if nothing is
/// attractive.
pub fn allocate(net: &[f64], mass: &[f64], beta: f64, shares: &mut [f64]) {
    let mut total = 0.0;
    for ((s, &v), &m) in shares.iter_mut().zip(net).zip(mass) {
        *s = if v > 0.0 && m > 0.0 { m * (v / m).powf(beta) } else { 0.0 };
        total += *s;
    }
    if total > 0.0 {
        for s in shares.iter_mut() {
            *s /= total;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterrence_is_steep_then_saturating() {
        let p = Targeting::default();
        let d = |per_1000| deterrence(&p, per_1000, 1.0, 1.0, 1.0);
        let first = d(2.0) - d(0.0);
        let second = d(4.0) - d(2.0);
        assert!(first > 3.0 * second, "concave: {first} {second}");
        assert!(d(20.0) > 0.99, "saturated at Quinlivan's 20 per 1,000");
    }

    #[test]
    fn unfunded_troops_deter_only_from_their_bases() {
        let p = Targeting::default();
        let full = deterrence(&p, 5.0, 1.0, 1.0, activity(&p, 1.0));
        let static_only = deterrence(&p, 5.0, 1.0, 1.0, activity(&p, 0.0));
        assert!((static_only / full - p.static_presence_share).abs() < 1e-12);
        assert_eq!(per_1000(10.0, 0.0), 0.0);
        assert!((per_1000(10.0, 2000.0) - 5.0).abs() < 1e-12);
    }

    #[test]
    fn observers_do_not_deter() {
        let p = Targeting::default();
        assert_eq!(deterrence(&p, 50.0, mandate_factor(&p, Mandate::Observer), 1.0, 1.0), 0.0);
        assert!(mandate_factor(&p, Mandate::Robust) > mandate_factor(&p, Mandate::Traditional));
    }

    #[test]
    fn state_forces_are_deterred_less_unless_engaged() {
        assert!(sensitivity(0.3, true, 0.5, 0.0) < sensitivity(0.95, false, 0.5, 0.0));
        assert!(sensitivity(0.3, true, 0.5, 1.0) > sensitivity(0.3, true, 0.5, 0.0));
    }

    #[test]
    fn deterrence_shifts_effort_to_unprotected_targets() {
        let values = [1.0, 1.0];
        let mut shares = [0.0; 2];
        let nets = [
            net_attractiveness(values[0], 0.95, 0.9, 1.0),
            net_attractiveness(values[1], 0.95, 0.0, 1.0),
        ];
        allocate(&nets, &[1.0, 1.0], 2.0, &mut shares);
        assert!(shares[1] > 0.95, "{shares:?}");
        let mut none = [1.0; 2];
        allocate(&[0.0, 0.0], &[1.0, 1.0], 2.0, &mut none);
        assert_eq!(none, [0.0, 0.0]);
    }

    #[test]
    fn splitting_a_target_into_identical_halves_leaves_its_share_unchanged() {
        let mut whole = [0.0; 2];
        allocate(&[3.0, 1.0], &[2.0, 1.0], 2.0, &mut whole);
        let mut split = [0.0; 3];
        allocate(&[1.5, 1.5, 1.0], &[1.0, 1.0, 1.0], 2.0, &mut split);
        assert!((split[0] + split[1] - whole[0]).abs() < 1e-12);
        assert!((split[2] - whole[1]).abs() < 1e-12);
    }

    #[test]
    fn visible_projects_attract_spoilers_only() {
        let p = Targeting::default();
        let base = target_value(&p, 1000.0, 0.3, 0.2, 0.8, 0.0, 0.0, 0.0, 0.5);
        let spoiler = target_value(&p, 1000.0, 0.3, 0.2, 0.8, 0.0, 0.0, 1.0, 0.5);
        assert_eq!(base.spoiler, 0.0);
        assert!(spoiler.spoiler > 0.0);
    }
}
