//! The per-tick procedures that apply the mechanisms to the world, one module per phase of the
//! model brief's tick, and the aggregates they fill:
//!
//! - [`events`] (1): scheduled events;
//! - [`planning`] (2, D11): the mission's personnel, observation and allocation;
//! - [`conflict`] (3-4): armed-group, mission and crowd acts as events and per-person hazards,
//!   and the attribution of realised victims to events;
//! - [`context`] (5-10, read side): the read-only per-tick context of the people pass;
//! - [`person`] (5-10, write side): the fused per-person update of one block of people;
//! - [`update`] (7-9): locality, group and national state after the people pass;
//! - [`demography`] (9): births into each home locality's reserved rows;
//! - [`indicators`] (10): the tick's indicators;
//! - [`aggregates`]: the layout of what the people pass adds up per locality and subgroup.
//!
//! A phase reads the world and the scenario and writes only what it owns. The order in which
//! phases run, the thread pool and the summing of block aggregates are the engine's. The one
//! piece of thread-aware state here is the people pass's scratch tally, kept per worker thread
//! (`person::update_block`) and emptied into the block's aggregates before the block ends.

pub mod aggregates;
pub mod conflict;
pub mod context;
pub mod demography;
pub mod events;
pub mod indicators;
pub mod person;
pub mod planning;
pub mod update;

/// Number of ticks covering `days` (at least one).
#[must_use]
pub fn days_to_ticks(days: f64, dt: f64) -> usize {
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "small positive values")]
    let t = (days / dt).ceil().max(1.0) as usize;
    t
}
