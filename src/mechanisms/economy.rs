//! Economy and food: income from livelihoods, markets, safety, displacement and programmes.
//!
//! Income (in subsistence lines at the current prices, that is real income) is a person's
//! livelihood scaled by local market functioning, cut by displacement, local violence, illness,
//! injury, detention and, for rural people at home, the farm income a drought destroys, plus
//! targeted programme support for those below the line, all deflated by the local price level,
//! plus rations in protection sites (in kind, so not deflated). Food security follows the food
//! a person can buy or grow (real income over the food share of the line, less harvest losses
//! from environmental stress for rural people) with a lag. Droughts and price shocks therefore
//! lower the income that the opportunity cost of joining an armed group is measured against
//! (D2; Miguel, Satyanath & Sergenti 2004).

use crate::scenario::params::Economy;

/// What shapes one person's income this tick.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IncomeInputs {
    /// Livelihood, subsistence lines.
    pub livelihood: f64,
    /// Market functioning where the person is.
    pub market: f64,
    /// Displaced (in a host community or a site).
    pub displaced: bool,
    /// Living in a protection site.
    pub in_site: bool,
    /// Local violence level, 0 to 1.
    pub violence: f64,
    /// Infectious.
    pub infectious: bool,
    /// Injured.
    pub injured: bool,
    /// Chronically ill.
    pub chronic: bool,
    /// Detained.
    pub detained: bool,
    /// Programme support available to the poor here, subsistence lines.
    pub support: f64,
    /// Share of a rural person's livelihood lost to drought while at home (0 elsewhere).
    pub drought_loss: f64,
    /// Local food price above normal (price level minus 1; 0 at normal prices).
    pub price_rise: f64,
}

/// Income this tick, in subsistence lines.
#[must_use]
pub fn income(p: &Economy, x: &IncomeInputs) -> f64 {
    income_with(p, x, violence_income_factor(p, x.violence))
}

/// The share of earnings kept at a local violence level (0 to 1): a constant of the locality
/// and tick, computed once per people pass by the engine.
#[must_use]
pub fn violence_income_factor(p: &Economy, violence: f64) -> f64 {
    1.0 - p.insecurity_income_loss_share * violence.clamp(0.0, 1.0)
}

/// [`income`] with the violence factor precomputed by [`violence_income_factor`] (`x.violence`
/// is not read). The same operations in the same order, so the same value to the bit.
#[must_use]
#[inline]
pub fn income_with(p: &Economy, x: &IncomeInputs, violence_factor: f64) -> f64 {
    if x.detained {
        return 0.0;
    }
    // Each loss is a factor of 1 when it does not apply (x * 1 = x exactly): a multiplication
    // costs less than a branch that differs from person to person.
    let kept = |applies: bool, loss_share: f64| if applies { 1.0 - loss_share } else { 1.0 };
    let mut earned = x.livelihood * x.market;
    earned *= kept(x.displaced, p.displacement_income_loss_share);
    earned *= violence_factor;
    earned *= kept(x.infectious, p.illness_income_loss_share);
    earned *= kept(x.injured, p.injury_income_loss_share);
    earned *= kept(x.chronic, p.chronic_income_loss_share);
    earned *= kept(!x.displaced, x.drought_loss);
    // Programme support is targeted at people below the line, and tops them up toward it.
    // Whether a person is below the line varies from person to person without pattern: a
    // select, not a branch.
    let support = std::hint::select_unpredictable(earned < 1.0, x.support.min(1.0 - earned), 0.0);
    let rations = if x.in_site { p.site_ration_income } else { 0.0 };
    (earned + support) / (1.0 + x.price_rise) + rations
}

/// Share of a rural livelihood lost to a drought of environmental stress `env_stress` (0 for
/// people who do not farm).
#[must_use]
pub fn drought_income_loss(p: &Economy, env_stress: f64, rural: bool) -> f64 {
    if rural {
        p.drought_income_loss_share * env_stress.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Food security a person converges to, 0 to 1, from real income (prices are already in it).
#[must_use]
pub fn food_target(p: &Economy, real_income: f64, env_stress: f64, rural: bool) -> f64 {
    food_target_with(real_income, harvest_kept(p, env_stress, rural), food_cost(p))
}

/// Share of the harvest kept under environmental stress (1 for people who do not farm).
#[must_use]
pub fn harvest_kept(p: &Economy, env_stress: f64, rural: bool) -> f64 {
    let harvest_loss = if rural { p.drought_food_loss_share * env_stress } else { 0.0 };
    1.0 - harvest_loss
}

/// Real income needed for full food security, subsistence lines.
#[must_use]
pub fn food_cost(p: &Economy) -> f64 {
    p.food_cost_share
}

/// [`food_target`] from [`harvest_kept`] and [`food_cost`] precomputed per locality (the same
/// value to the bit).
#[must_use]
#[inline]
pub fn food_target_with(income: f64, kept: f64, cost: f64) -> f64 {
    (income * kept / cost).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> IncomeInputs {
        IncomeInputs {
            livelihood: 1.5,
            market: 1.0,
            ..IncomeInputs::default()
        }
    }

    #[test]
    fn displacement_and_violence_cut_income() {
        let p = Economy::default();
        let calm = income(&p, &base());
        assert!(income(&p, &IncomeInputs { displaced: true, ..base() }) < calm);
        assert!(income(&p, &IncomeInputs { violence: 1.0, ..base() }) < calm);
        assert_eq!(income(&p, &IncomeInputs { detained: true, ..base() }), 0.0);
    }

    #[test]
    fn support_targets_the_poor_and_sites_feed_residents() {
        let p = Economy::default();
        let poor = IncomeInputs {
            livelihood: 0.3,
            market: 1.0,
            support: 0.5,
            ..IncomeInputs::default()
        };
        assert!((income(&p, &poor) - 0.8).abs() < 1e-12);
        let rich = IncomeInputs {
            livelihood: 3.0,
            market: 1.0,
            support: 0.5,
            ..IncomeInputs::default()
        };
        assert!((income(&p, &rich) - 3.0).abs() < 1e-12);
        let site = IncomeInputs {
            livelihood: 0.0,
            in_site: true,
            ..IncomeInputs::default()
        };
        assert!(income(&p, &site) >= p.site_ration_income);
    }

    #[test]
    fn drought_and_prices_cut_food_security() {
        let p = Economy::default();
        let income_at = |price_rise: f64| {
            income(
                &p,
                &IncomeInputs {
                    livelihood: 0.7,
                    market: 1.0,
                    price_rise,
                    ..IncomeInputs::default()
                },
            )
        };
        let normal = food_target(&p, income_at(0.0), 0.0, true);
        assert!(food_target(&p, income_at(1.0), 0.0, true) < normal);
        assert!(food_target(&p, income_at(0.0), 0.8, true) < normal);
        assert_eq!(food_target(&p, income_at(0.0), 0.8, false), normal);
    }

    #[test]
    fn droughts_and_price_shocks_cut_real_income_but_not_rations() {
        let p = Economy::default();
        let calm = income(&p, &base());
        let loss = drought_income_loss(&p, 0.8, true);
        assert!(loss > 0.0 && drought_income_loss(&p, 0.8, false) == 0.0);
        let drought = income(
            &p,
            &IncomeInputs {
                drought_loss: loss,
                ..base()
            },
        );
        assert!((drought - calm * (1.0 - loss)).abs() < 1e-12);
        // Displaced people do not farm at home: the drought does not touch their income.
        let away = IncomeInputs { displaced: true, ..base() };
        assert_eq!(
            income(
                &p,
                &IncomeInputs {
                    drought_loss: loss,
                    ..away
                }
            ),
            income(&p, &away)
        );
        assert!((income(&p, &IncomeInputs { price_rise: 1.0, ..base() }) - calm / 2.0).abs() < 1e-12);
        let site = IncomeInputs {
            livelihood: 0.0,
            in_site: true,
            displaced: true,
            price_rise: 1.0,
            ..IncomeInputs::default()
        };
        assert!((income(&p, &site) - p.site_ration_income).abs() < 1e-12);
    }
}
