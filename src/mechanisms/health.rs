//! D10: an SEIR epidemic coupled to conflict and to health capacity; baseline mortality.
//!
//! Transmission per locality is beta = R0 / infectious period, amplified up to 1.9x for 1-10
//! weeks after violence (BMC Public Health 2024; the share of the amplification grows with
//! events per head) and by crowding in protection sites, and reduced by the health pillar's
//! channels: isolation of detected cases (-90 % onward transmission, Lindblade 2015), safe
//! burials (funeral share of transmission, Merler 2015), infection control in facilities
//! (facility share), behaviour change from community engagement, and people's own fear as
//! epidemic deaths mount (Fast et al. 2015).
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

/// Interventions produced by health and empowerment programme effects, and by people's own fear.
/// Isolation needs beds: `isolation_bed_share` is the share of the infectious cases the health
/// budget runs a bed for, of which the detected share is isolated.
///
/// `epidemic_deaths_recent` is the recent epidemic death rate people weigh (local and national),
/// in deaths per 10,000 per 30 days: communities change burial and caring practices on their own
/// as deaths mount, which is what turned Liberia's epidemic (Fast et al. 2015), and programmes
/// add to that.
#[must_use]
pub fn interventions(
    p: &Health,
    health_effect: f64,
    isolation_bed_share: f64,
    engagement_effect: f64,
    epidemic_deaths_recent: f64,
) -> Interventions {
    let programmes = p.behaviour_change_max_share * (1.0 - (1.0 - engagement_effect) * (1.0 - 0.5 * health_effect));
    let fear = fear_contact_reduction(p, epidemic_deaths_recent);
    Interventions {
        isolation: p.detection_share * isolation_bed_share.clamp(0.0, 1.0),
        safe_burials: health_effect,
        infection_control: health_effect,
        behaviour_change: 1.0 - (1.0 - programmes) * (1.0 - fear),
    }
}

/// Contact reduction people make on their own when epidemic deaths are recent and many.
#[must_use]
pub fn fear_contact_reduction(p: &Health, epidemic_deaths_recent: f64) -> f64 {
    p.fear_contact_reduction_max_share * (1.0 - (-epidemic_deaths_recent.max(0.0) / p.fear_deaths_scale_per_10k_30d).exp())
}

/// Share of the conflict amplification that applies given violent events per 100,000 people in
/// the lag window: one event in a large city barely disrupts its health care; many do.
#[must_use]
pub fn conflict_exposure(p: &Health, events_per_100k: f64) -> f64 {
    1.0 - (-events_per_100k.max(0.0) / p.conflict_events_scale_per_100k).exp()
}

/// Effective transmission rate per day in a locality (`conflict_exposure` from [`conflict_exposure`]).
#[must_use]
pub fn effective_beta(p: &Health, conflict_exposure: f64, i: &Interventions) -> f64 {
    let beta = p.r0 / p.infectious_days;
    let conflict = 1.0 + (p.conflict_multiplier - 1.0) * conflict_exposure.clamp(0.0, 1.0);
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

/// Relative risk of a background (non-violent, non-epidemic) death: the product of the age,
/// access, food and chronic-illness multipliers.
#[must_use]
pub fn relative_mortality_risk(p: &Health, age_band: u8, has_access: bool, food_insecure: bool, chronic: bool) -> f64 {
    let mut m = match age_band {
        0 => p.child_mortality_multiplier,
        1 => p.youth_mortality_multiplier,
        2 => p.adult_mortality_multiplier,
        _ => p.elder_mortality_multiplier,
    };
    if !has_access {
        m *= p.no_access_mortality_multiplier;
    }
    if food_insecure {
        m *= p.food_insecure_mortality_multiplier;
    }
    if chronic {
        m *= p.chronic_mortality_multiplier;
    }
    m
}

/// Background death probability per tick of a person with `relative_risk`: the crude rate
/// `baseline_mortality_per_10k_day` applies to the starting population as a whole, so each
/// person's hazard is the rate x relative risk / the starting population's mean relative risk
/// (`mean_risk`). Deprivation that raises risks later raises mortality above the baseline
/// (excess mortality).
#[must_use]
pub fn baseline_death_probability(p: &Health, relative_risk: f64, mean_risk: f64, dt: f64) -> f64 {
    let m = p.baseline_mortality_per_10k_day / 10_000.0 * relative_risk / mean_risk.max(f64::MIN_POSITIVE);
    1.0 - (-m * dt).exp()
}

/// Daily rates at which children, youth and adults move up an age band such that the starting
/// age structure is the stable one (Lotka; Preston2001 in docs/SOURCES.md): with births `birth_rate` per person per day,
/// band sizes `people` and band death rates `death_rates` (per person per day), every band then
/// grows at the population's own rate r = births - deaths, so the shares do not drift. Band k's
/// outflow is its inflow minus its deaths minus its own growth; a negative value (more children
/// than the birth rate can sustain) is set to 0. Residence in a band is exponential, an
/// assumption of a model with four bands instead of single years of age.
#[must_use]
pub fn stable_ageing_rates(birth_rate: f64, people: [f64; 4], death_rates: [f64; 4]) -> [f64; 3] {
    let total: f64 = people.iter().sum();
    if total <= 0.0 {
        return [0.0; 3];
    }
    let deaths: f64 = people.iter().zip(&death_rates).map(|(n, m)| n * m).sum();
    let growth = birth_rate - deaths / total;
    let mut inflow = birth_rate * total;
    let mut rates = [0.0; 3];
    for k in 0..3 {
        if people[k] <= 0.0 {
            break;
        }
        rates[k] = (inflow / people[k] - death_rates[k] - growth).max(0.0);
        inflow = rates[k] * people[k];
    }
    rates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_ageing_keeps_the_age_structure() {
        // A South-Sudan-like structure, births 0.95 and deaths ~0.31 per 10,000 per day.
        let people = [430.0, 200.0, 320.0, 50.0];
        let deaths = [0.35e-4, 0.09e-4, 0.2e-4, 1.45e-4];
        let birth = 0.95e-4;
        let a = stable_ageing_rates(birth, people, deaths);
        let total: f64 = people.iter().sum();
        let growth = birth - people.iter().zip(&deaths).map(|(n, m)| n * m).sum::<f64>() / total;
        let inflow = [birth * total, a[0] * people[0], a[1] * people[1], a[2] * people[2]];
        for k in 0..4 {
            let out = if k < 3 { a[k] * people[k] } else { 0.0 };
            let change = inflow[k] - out - deaths[k] * people[k];
            assert!(
                (change - growth * people[k]).abs() < 1e-9,
                "band {k}: {change} vs {}",
                growth * people[k]
            );
        }
        // Ageing at 1 / band width (15, 10 and 35 years), the naive rates, is not stable: the
        // elders' band grows faster than the population by more than half a point a year.
        let naive = [1.0 / (15.0 * 365.25), 1.0 / (10.0 * 365.25), 1.0 / (35.0 * 365.25)];
        let elder_change = (naive[2] * people[2] - deaths[3] * people[3]) / people[3] - growth;
        assert!(elder_change * 365.25 * people[3] / total > 0.005, "{elder_change}");
        // Per year: children leave at ~4-6 %, youth ~9-10 %, adults ~1-3 % (1 / band width
        // would give 6.7, 10 and 2.9 % in a population that does not grow).
        let per_year = a.map(|x| x * 365.25);
        assert!((0.03..0.07).contains(&per_year[0]), "{per_year:?}");
        assert!((0.05..0.12).contains(&per_year[1]), "{per_year:?}");
        assert!((0.003..0.03).contains(&per_year[2]), "{per_year:?}");
    }

    #[test]
    fn without_interventions_r0_is_the_scenario_value() {
        let p = Health::default();
        let beta = effective_beta(&p, 0.0, &Interventions::default());
        assert!((beta * p.infectious_days - p.r0).abs() < 1e-12);
    }

    #[test]
    fn amplification_grows_with_events_per_head() {
        let p = Health::default();
        assert_eq!(conflict_exposure(&p, 0.0), 0.0);
        let one_in_a_city = conflict_exposure(&p, 1.0 / 1_300_000.0 * 100_000.0);
        let one_in_a_zone = conflict_exposure(&p, 1.0 / 150_000.0 * 100_000.0);
        assert!(one_in_a_city < 0.2 && one_in_a_zone > 0.7, "{one_in_a_city} {one_in_a_zone}");
    }

    #[test]
    fn fear_of_dying_reduces_contacts_up_to_its_ceiling() {
        let p = Health::default();
        assert_eq!(fear_contact_reduction(&p, 0.0), 0.0);
        let some = fear_contact_reduction(&p, p.fear_deaths_scale_per_10k_30d);
        assert!((some - p.fear_contact_reduction_max_share * (1.0 - (-1.0_f64).exp())).abs() < 1e-12);
        assert!(fear_contact_reduction(&p, 1e6) <= p.fear_contact_reduction_max_share);
        let calm = effective_beta(&p, 0.0, &interventions(&p, 0.0, 0.0, 0.0, 0.0));
        let afraid = effective_beta(&p, 0.0, &interventions(&p, 0.0, 0.0, 0.0, 5.0));
        assert!(afraid < calm * 0.5, "{afraid} vs {calm}");
    }

    #[test]
    fn conflict_amplifies_and_isolation_collapses_transmission() {
        let p = Health::default();
        let none = Interventions::default();
        assert!((effective_beta(&p, 1.0, &none) / effective_beta(&p, 0.0, &none) - 1.9).abs() < 1e-12);
        let full = interventions(&p, 1.0, 1.0, 1.0, 0.0);
        let r = effective_beta(&p, 0.0, &full) * p.infectious_days;
        assert!(r < 0.5, "R under full health and engagement programmes: {r}");
    }

    #[test]
    fn treatment_halves_fatality() {
        let p = Health::default();
        assert!((case_fatality(&p, 1.0) - 0.5 * p.case_fatality_share).abs() < 1e-12);
    }

    #[test]
    fn a_person_of_average_risk_dies_at_the_crude_rate_and_risks_multiply() {
        let p = Health::default();
        let rr = |a, access, food, chronic| relative_mortality_risk(&p, a, access, food, chronic);
        let d = baseline_death_probability(&p, rr(2, true, false, false), p.adult_mortality_multiplier, 1.0);
        assert!((d * 10_000.0 - 0.44).abs() < 1e-3);
        let mean = p.adult_mortality_multiplier;
        assert!(baseline_death_probability(&p, rr(3, false, true, true), mean, 1.0) > 10.0 * d);
    }
}
