//! How agents behave: one module per mechanism, as small pure functions with their own tests,
//! plus the per-tick procedures that apply them (`context`, `conflict`, `person`, `update`,
//! `planning`, `events`, `indicators`). Mechanism numbers (D1-D12) refer to the model brief and
//! `docs/ODD.md`. Nothing here knows about threads, files or the order of phases: see `engine`.

pub mod battles;
pub mod community;
pub mod conflict;
pub mod context;
pub mod deprivation;
pub mod displacement;
pub mod economy;
pub mod events;
pub mod health;
pub mod indicators;
pub mod legitimacy;
pub mod mobilisation;
pub mod person;
pub mod planning;
pub mod recruitment;
pub mod targeting;
pub mod update;
