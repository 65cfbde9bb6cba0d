//! What exists: the simulation state, as one table of columns per kind of agent.
//!
//! People (the referent object), localities on a graph, armed groups and the mission. Plain
//! data with accessors and invariants only; the formulas that change it live in `mechanisms`,
//! the procedures that apply them in `phases`, and the order in which they run in `engine`.

pub mod armed_group;
pub mod locality;
pub mod mission;
pub mod people;

pub use armed_group::ArmedGroups;
pub use locality::{Graph, Localities};
pub use mission::Mission;
pub use people::{People, PeopleBlock};

/// The whole simulation state at the end of a tick.
#[derive(Debug, Clone)]
pub struct World {
    /// Ticks completed (0 = initial state).
    pub tick: u32,
    /// People.
    pub people: People,
    /// Localities.
    pub localities: Localities,
    /// Locality graph.
    pub graph: Graph,
    /// Armed groups.
    pub groups: ArmedGroups,
    /// The mission, if any.
    pub mission: Option<Mission>,
}
