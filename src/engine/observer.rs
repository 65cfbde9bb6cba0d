//! The observer seam: the only way data leaves a run.
//!
//! The engine calls [`Observer::observe`] once for the initial state (tick 0) and once after every
//! tick. Writers (CSV files), in-memory collectors (tests, ensembles) and progress bars implement
//! it; the engine never learns about files.

use crate::error::Result;
use crate::phases::conflict::ViolentEvent;
use crate::phases::indicators::TickRecord;
use crate::scenario::Scenario;

/// Receives the indicators and events of each tick.
pub trait Observer {
    /// Called with the indicators (and the tick's events) of tick 0 and then of every tick.
    ///
    /// # Errors
    /// Any error stops the run and is returned by [`crate::engine::Simulation::run`].
    fn observe(&mut self, scenario: &Scenario, record: &TickRecord, events: &[ViolentEvent]) -> Result<()>;
}

/// Keeps every tick's national indicators in memory (tests and small ensembles).
#[derive(Debug, Default, Clone)]
pub struct Collect {
    /// National indicators per tick.
    pub national: Vec<crate::phases::indicators::Indicators>,
    /// Per-group indicators per tick.
    pub groups: Vec<crate::phases::indicators::GroupIndicators>,
    /// Per-locality indicators per tick, if `keep_localities`.
    pub localities: Vec<Vec<crate::phases::indicators::LocalityIndicators>>,
    /// Events of every tick, with their tick.
    pub events: Vec<(u32, ViolentEvent)>,
    /// Whether to keep per-locality records.
    pub keep_localities: bool,
}

impl Observer for Collect {
    fn observe(&mut self, _scenario: &Scenario, record: &TickRecord, events: &[ViolentEvent]) -> Result<()> {
        self.national.push(record.national.clone());
        self.groups.push(record.groups.clone());
        if self.keep_localities {
            self.localities.push(record.localities.clone());
        }
        self.events.extend(events.iter().map(|e| (record.tick, *e)));
        Ok(())
    }
}

/// An observer that ignores everything (benchmarks).
#[derive(Debug, Default, Clone, Copy)]
pub struct Discard;

impl Observer for Discard {
    fn observe(&mut self, _scenario: &Scenario, _record: &TickRecord, _events: &[ViolentEvent]) -> Result<()> {
        Ok(())
    }
}
