//! D2: opportunity cost and rapacity in recruitment; desertion.
//!
//! A mobilised person joins a recruiting group present with a daily rate that rises as legal
//! income falls below the subsistence line (opportunity cost: Miguel et al. 2004; Dube & Vargas
//! 2013), as the group's pay and lootable rents rise (rapacity), and with local support for armed
//! groups (which mission-caused harm raises: Lyall et al. 2013). Fighters desert more when legal
//! income is available (Blattman & Annan 2016) and pay is low.

use crate::scenario::params::Recruitment;

use super::BOUND_MARGIN;

/// Group pay per fighter relative to the reference (0 = unpaid; capped at 5).
#[must_use]
pub fn pay_factor(resources_usd: f64, fighters: f64, reference_usd: f64) -> f64 {
    if fighters <= 0.0 {
        return 0.0;
    }
    (resources_usd / (fighters * reference_usd)).clamp(0.0, 5.0)
}

/// Fighters a group can keep: its base strength (start plus reinforcements), or as many as its
/// resources pay upkeep for `capacity_reserve_days`, whichever is more. Groups grow with loot
/// and backing, not without bound.
#[must_use]
pub fn capacity(p: &Recruitment, base_fighters: f64, resources_usd: f64) -> f64 {
    let paid = if p.upkeep_usd_per_fighter_day > 0.0 {
        resources_usd / (p.upkeep_usd_per_fighter_day * p.capacity_reserve_days)
    } else {
        f64::INFINITY
    };
    base_fighters.max(paid)
}

/// Share of would-be recruits a group takes on, 0 to 1: 1 - fighters / capacity (logistic
/// growth toward what it can keep).
#[must_use]
pub fn acceptance(fighters: f64, capacity: f64) -> f64 {
    if capacity <= 0.0 {
        0.0
    } else {
        (1.0 - fighters / capacity).clamp(0.0, 1.0)
    }
}

/// Chance per tick that an eligible adult enlists in host-state forces that are short of their
/// strength: the gap is filled over `state_enlistment_days`, spread over the eligible.
#[must_use]
pub fn enlistment_probability(p: &Recruitment, gap: f64, eligible: f64, dt: f64) -> f64 {
    if gap <= 0.0 || eligible <= 0.0 {
        return 0.0;
    }
    (gap / p.state_enlistment_days * dt / eligible).min(1.0)
}

/// Daily rate multiplier from legal income: exp(-e (income - 1)), capped at 20.
#[must_use]
pub fn opportunity_multiplier(income: f64, elasticity: f64) -> f64 {
    (-elasticity * (income - 1.0)).exp().min(20.0)
}

/// Probability that a mobilised person joins during a tick, given the total recruiting pull
/// (sum over groups of their presence weight here).
#[must_use]
#[expect(clippy::too_many_arguments, reason = "each argument is one documented driver of joining")]
pub fn join_probability(p: &Recruitment, pull: f64, income: f64, female: bool, support: f64, pay: f64, lootable: f64, dt: f64) -> f64 {
    if pull <= 0.0 {
        return 0.0;
    }
    let rapacity = 1.0 + p.rapacity_elasticity * (pay + lootable);
    let rate = p.join_rate_per_day
        * pull
        * opportunity_multiplier(income, p.opportunity_cost_elasticity)
        * rapacity
        * (1.0 + p.support_join_multiplier * support)
        * if female { p.female_join_multiplier } else { 1.0 };
    (1.0 - (-rate * dt).exp()).min(join_probability_cap(p, dt))
}

/// The most [`join_probability`] can be in a tick (the per-day cap times the tick length).
#[must_use]
pub fn join_probability_cap(p: &Recruitment, dt: f64) -> f64 {
    p.max_join_probability_per_day * dt
}

/// Probability that a fighter deserts during a tick.
#[must_use]
pub fn desertion_probability(p: &Recruitment, legal_income: f64, pay: f64, dt: f64) -> f64 {
    let rate = p.desertion_rate_per_day * (p.desertion_income_elasticity * (legal_income - 1.0)).exp().min(20.0) / (1.0 + pay);
    1.0 - (-rate * dt).exp()
}

/// A number at least [`desertion_probability`] for every legal income, for a group's pay: the
/// probability at the capped income multiplier (20), plus [`BOUND_MARGIN`] for the rounding of
/// the exponential. Every operation of the formula is monotone in the multiplier, so a uniform
/// at or above the bound cannot fall below the exact probability; the people pass compares with
/// the bound first and computes the exponentials only for the few fighters below it.
#[must_use]
pub fn desertion_probability_bound(p: &Recruitment, pay: f64, dt: f64) -> f64 {
    let rate = p.desertion_rate_per_day * 20.0 / (1.0 + pay);
    1.0 - (-rate * dt).exp() + BOUND_MARGIN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_grows_with_resources_and_bounds_recruitment() {
        let p = Recruitment::default();
        assert_eq!(capacity(&p, 1000.0, 0.0), 1000.0);
        let rich = capacity(&p, 1000.0, 1.0e6);
        assert!((rich - 1.0e6 / (p.upkeep_usd_per_fighter_day * p.capacity_reserve_days)).abs() < 1e-6);
        assert_eq!(acceptance(1000.0, 1000.0), 0.0);
        assert!((acceptance(500.0, 1000.0) - 0.5).abs() < 1e-12);
        assert_eq!(acceptance(2000.0, 1000.0), 0.0);
        let e = enlistment_probability(&p, 365.0, 1000.0, 1.0);
        assert!((e - 365.0 / p.state_enlistment_days / 1000.0).abs() < 1e-12);
        assert_eq!(enlistment_probability(&p, -5.0, 1000.0, 1.0), 0.0);
    }

    #[test]
    fn poverty_and_pay_raise_joining() {
        let p = Recruitment::default();
        let poor = join_probability(&p, 1.0, 0.4, false, 0.0, 0.0, 0.0, 1.0);
        let better = join_probability(&p, 1.0, 2.0, false, 0.0, 0.0, 0.0, 1.0);
        let paid = join_probability(&p, 1.0, 2.0, false, 0.0, 2.0, 0.0, 1.0);
        assert!(poor > better, "{poor} {better}");
        assert!(paid > better);
        assert_eq!(join_probability(&p, 0.0, 0.4, false, 0.0, 0.0, 0.0, 1.0), 0.0);
    }

    #[test]
    fn support_from_mission_harm_raises_joining() {
        let p = Recruitment::default();
        assert!(join_probability(&p, 1.0, 1.0, false, 0.5, 0.0, 0.0, 1.0) > join_probability(&p, 1.0, 1.0, false, 0.0, 0.0, 0.0, 1.0));
    }

    #[test]
    fn legal_income_raises_desertion_and_pay_lowers_it() {
        let p = Recruitment::default();
        assert!(desertion_probability(&p, 2.0, 0.0, 1.0) > desertion_probability(&p, 0.5, 0.0, 1.0));
        assert!(desertion_probability(&p, 1.0, 2.0, 1.0) < desertion_probability(&p, 1.0, 0.0, 1.0));
    }

    #[test]
    fn join_probability_is_capped() {
        let p = Recruitment::default();
        assert!(join_probability(&p, 100.0, 0.0, false, 1.0, 5.0, 1.0, 1.0) <= p.max_join_probability_per_day + 1e-12);
    }

    proptest::proptest! {
        #[test]
        fn desertion_never_exceeds_its_bound(
            rate in 0.0..1.0f64,
            elasticity in 0.0..10.0f64,
            income in 0.0..50.0f64,
            pay in 0.0..5.0f64,
            dt in 0.01..30.0f64,
        ) {
            let p = Recruitment { desertion_rate_per_day: rate, desertion_income_elasticity: elasticity, ..Recruitment::default() };
            let exact = desertion_probability(&p, income, pay, dt);
            let bound = desertion_probability_bound(&p, pay, dt);
            proptest::prop_assert!(exact <= bound, "{exact} > {bound}");
            proptest::prop_assert!(bound <= 1.0 + BOUND_MARGIN);
        }
    }
}
