//! Armed groups (rebels, militias and host-state forces) as a table of columns.
//!
//! Fighters are people: a group's strength is the number of living people whose `membership`
//! column names it, counted in every people pass. This table holds the group-level state the
//! people table does not: resources, current predation propensity and whether the group acts yet.
//! Data only: behaviour lives in `mechanisms` and `phases`.

use crate::scenario::Scenario;

/// The armed-groups table (structure of arrays), one row per scenario armed group.
#[derive(Debug, Clone, Default)]
pub struct ArmedGroups {
    /// Number of groups.
    pub len: usize,
    /// Whether the group acts this tick (`active_from_tick` reached).
    pub active: Vec<bool>,
    /// Current predation propensity, 0 to 1 (a coup can raise it for state forces).
    pub predation: Vec<f64>,
    /// Resources, US$.
    pub resources_usd: Vec<f64>,
    /// Fighters, in people, as counted in the last people pass.
    pub fighters: Vec<f64>,
    /// Whether a ceasefire holds (the group stays inactive).
    pub ceasefire: Vec<bool>,
    /// Tick at which the group's current or last ceasefire began.
    pub ceasefire_since: Vec<u32>,
    /// Ceasefires that broke down this tick.
    pub breakdowns_last_tick: u32,
    /// Base strength, in people: the starting fighters plus reinforcements (surges, splits).
    pub base_fighters: Vec<f64>,
}

impl ArmedGroups {
    /// Builds the table from a scenario (fighters are filled in by the first people pass).
    #[must_use]
    pub fn build(scenario: &Scenario) -> Self {
        let g = &scenario.armed_groups;
        Self {
            len: g.len(),
            active: g.iter().map(|a| a.active_from_tick == 0).collect(),
            predation: g.iter().map(|a| a.predation).collect(),
            resources_usd: g.iter().map(|a| a.resources_usd).collect(),
            fighters: g.iter().map(|a| a.fighters).collect(),
            ceasefire: vec![false; g.len()],
            ceasefire_since: vec![0; g.len()],
            breakdowns_last_tick: 0,
            base_fighters: g.iter().map(|a| a.fighters).collect(),
        }
    }
}
