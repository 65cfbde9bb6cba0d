//! Scalar outcomes of one run (one row of `outcomes.csv`), accumulated tick by tick.
//!
//! Each outcome is declared once below with its meaning; the same list gives the CSV header,
//! the values and the documentation. Outcomes are computed as the run goes, from the national
//! indicators, so nothing per tick needs to be kept.
//!
//! An observer of a run, like [`super::csv::RunWriter`]: the experiments fill it and the figures
//! read its names and meanings. It must not write files or know about experiments.

use crate::engine::Observer;
use crate::error::Result;
use crate::phases::conflict::ViolentEvent;
use crate::phases::indicators::{Indicators, TickRecord};
use crate::scenario::Scenario;

macro_rules! outcomes {
    ($( $(#[doc = $doc:literal])* $field:ident, )*) => {
        /// Scalar outcomes of a run.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct Outcomes {
            $( $(#[doc = $doc])* pub $field: f64, )*
        }

        impl Outcomes {
            /// Names, in output order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($field)),*];
            /// Meanings, in output order.
            pub const MEANINGS: &'static [&'static str] = &[$(concat!($($doc),*)),*];

            /// Values, in output order.
            #[must_use]
            pub fn values(&self) -> Vec<f64> {
                vec![$(self.$field),*]
            }

            /// Value by name.
            #[must_use]
            pub fn get(&self, name: &str) -> Option<f64> {
                match name {
                    $( stringify!($field) => Some(self.$field), )*
                    _ => None,
                }
            }
        }
    };
}

outcomes! {
    /// Civilians killed by all perpetrators, crossfire included (people).
    civilian_fatalities,
    /// Civilians killed by rebel groups (people).
    civilian_fatalities_rebel,
    /// Civilians killed by militias (people).
    civilian_fatalities_militia,
    /// Civilians killed by host-state forces (people).
    civilian_fatalities_state,
    /// Civilians killed by the mission (people).
    civilian_fatalities_mission,
    /// Battle-related deaths, fighters and crossfire (people).
    battle_deaths,
    /// Peacekeepers killed.
    peacekeeper_fatalities,
    /// Attacks on civilians (events).
    attacks_on_civilians,
    /// Protests and riots against the mission (events).
    protests_and_riots,
    /// Deaths from all causes (people).
    deaths,
    /// Epidemic deaths (people).
    epidemic_deaths,
    /// Epidemic infections (people).
    epidemic_infections,
    /// Highest number infectious at once (people).
    epidemic_peak_infectious,
    /// Mean Alkire-Foster M0 over the run (ticks 1 to the end).
    mean_m0,
    /// M0 at the last tick.
    final_m0,
    /// Mean Alkire-Foster headcount H over the run.
    mean_h,
    /// Mean share food-insecure over the run.
    mean_food_insecure_share,
    /// Mean share who feel insecure over the run.
    mean_feel_insecure_share,
    /// Highest number displaced at once (people).
    peak_displaced,
    /// Displaced at the last tick (people).
    final_displaced,
    /// Highest number in protection sites at once (people).
    peak_in_sites,
    /// In protection sites at the last tick (people).
    final_in_sites,
    /// Fighters at the last tick (people).
    final_fighters,
    /// People recruited or abducted into armed groups (people).
    recruits,
    /// Trust in the mission at the last tick.
    final_trust_in_mission,
    /// Trust in the state at the last tick.
    final_trust_in_state,
    /// Host consent at the last tick.
    final_host_consent,
    /// Troops deployed at the last tick.
    final_troops_deployed,
    /// Protection spending over the run (US$).
    spend_protection_usd,
    /// Health spending over the run (US$).
    spend_health_usd,
    /// Economic spending over the run (US$).
    spend_economic_usd,
    /// Empowerment spending over the run (US$).
    spend_empowerment_usd,
    /// Civilians killed in crossfire during battles (people).
    civilian_fatalities_crossfire,
    /// Highest number of fighters at once, all groups (people).
    peak_fighters,
}

/// Accumulates outcomes (and optionally the national series) while a run goes.
#[derive(Debug, Default)]
pub struct OutcomeObserver {
    /// The outcomes so far.
    pub outcomes: Outcomes,
    /// National values per tick (timeseries columns without tick/day/seed), if kept.
    pub series: Option<Vec<Vec<f64>>>,
    ticks: f64,
}

impl OutcomeObserver {
    /// Creates an observer; `keep_series` keeps every tick's national values.
    #[must_use]
    pub fn new(keep_series: bool) -> Self {
        Self {
            series: keep_series.then(Vec::new),
            ..Self::default()
        }
    }

    fn add(&mut self, r: &Indicators, tick: u32) {
        let o = &mut self.outcomes;
        if tick > 0 {
            self.ticks += 1.0;
            let k = self.ticks;
            let avg = |old: f64, new: f64| old + (new - old) / k;
            o.civilian_fatalities += r.civilian_fatalities_rebel
                + r.civilian_fatalities_militia
                + r.civilian_fatalities_state
                + r.civilian_fatalities_mission
                + r.civilian_fatalities_crossfire;
            o.civilian_fatalities_rebel += r.civilian_fatalities_rebel;
            o.civilian_fatalities_militia += r.civilian_fatalities_militia;
            o.civilian_fatalities_state += r.civilian_fatalities_state;
            o.civilian_fatalities_mission += r.civilian_fatalities_mission;
            o.civilian_fatalities_crossfire += r.civilian_fatalities_crossfire;
            o.battle_deaths += r.battle_deaths;
            o.peacekeeper_fatalities += r.peacekeeper_fatalities;
            o.attacks_on_civilians += r.attacks_on_civilians;
            o.protests_and_riots += r.protests + r.riots;
            o.deaths += r.deaths;
            o.epidemic_deaths += r.epidemic_deaths;
            o.epidemic_infections += r.epidemic_incidence;
            o.mean_m0 = avg(o.mean_m0, r.af_m0);
            o.mean_h = avg(o.mean_h, r.af_headcount_h);
            o.mean_food_insecure_share = avg(o.mean_food_insecure_share, r.deprived_food_share);
            o.mean_feel_insecure_share = avg(o.mean_feel_insecure_share, r.feel_insecure_share);
            o.recruits += r.recruits;
            o.spend_protection_usd += r.spend_protection_usd;
            o.spend_health_usd += r.spend_health_usd;
            o.spend_economic_usd += r.spend_economic_usd;
            o.spend_empowerment_usd += r.spend_empowerment_usd;
        }
        o.epidemic_peak_infectious = o.epidemic_peak_infectious.max(r.epidemic_infectious);
        o.peak_displaced = o.peak_displaced.max(r.displaced);
        o.peak_in_sites = o.peak_in_sites.max(r.in_sites);
        o.peak_fighters = o.peak_fighters.max(r.fighters);
        o.final_m0 = r.af_m0;
        o.final_displaced = r.displaced;
        o.final_in_sites = r.in_sites;
        o.final_fighters = r.fighters;
        o.final_trust_in_mission = r.trust_in_mission;
        o.final_trust_in_state = r.trust_in_state;
        o.final_host_consent = r.host_consent;
        o.final_troops_deployed = r.troops_deployed;
    }
}

impl Observer for OutcomeObserver {
    fn observe(&mut self, _scenario: &Scenario, record: &TickRecord, _events: &[ViolentEvent]) -> Result<()> {
        self.add(&record.national, record.tick);
        if let Some(series) = &mut self.series {
            let mut v = Vec::with_capacity(Indicators::NAMES.len() + 2 * record.groups.fighters.len());
            super::csv::timeseries_values(record, &mut v);
            series.push(v);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_line_up() {
        assert_eq!(Outcomes::NAMES.len(), Outcomes::default().values().len());
        assert_eq!(Outcomes::NAMES.len(), Outcomes::MEANINGS.len());
    }

    #[test]
    fn totals_skip_tick_zero_and_means_average_ticks() {
        let mut o = OutcomeObserver::new(false);
        let r0 = Indicators {
            af_m0: 0.9,
            civilian_fatalities_rebel: 100.0,
            ..Indicators::default()
        };
        o.add(&r0, 0);
        o.add(
            &Indicators {
                af_m0: 0.2,
                civilian_fatalities_rebel: 3.0,
                displaced: 10.0,
                ..Indicators::default()
            },
            1,
        );
        o.add(
            &Indicators {
                af_m0: 0.4,
                civilian_fatalities_state: 2.0,
                displaced: 4.0,
                ..Indicators::default()
            },
            2,
        );
        assert_eq!(o.outcomes.civilian_fatalities, 5.0);
        assert_eq!(
            o.outcomes.civilian_fatalities,
            o.outcomes.civilian_fatalities_rebel
                + o.outcomes.civilian_fatalities_militia
                + o.outcomes.civilian_fatalities_state
                + o.outcomes.civilian_fatalities_mission
                + o.outcomes.civilian_fatalities_crossfire
        );
        assert!((o.outcomes.mean_m0 - 0.3).abs() < 1e-12);
        assert_eq!(o.outcomes.peak_displaced, 10.0);
        assert_eq!(o.outcomes.final_displaced, 4.0);
    }
}
