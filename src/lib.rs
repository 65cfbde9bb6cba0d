//! peacesim: an agent-based simulator of peace operations and human security.
//!
//! Communities of individual people, armed groups (including host-state forces) and a peace
//! operation whose policy weights physical protection against health, economic and empowerment
//! work; the output is a time series of human-security indicators (the seven UNDP dimensions and
//! an Alkire-Foster index, violence, displacement, health, legitimacy, mission inputs).
//!
//! The crate is organised by question:
//! - [`input`]: reading input files with a size limit enforced while reading;
//! - [`scenario`]: what a scenario file says (parse, validate);
//! - [`spec`]: which model a scenario is for, and what it says (either model behind one type);
//! - [`library`]: the scenarios built into the binary, and how a SCENARIO argument is found;
//! - [`describe`]: scenarios in plain language (`peacesim scenarios`, `peacesim describe`);
//! - [`pillar`]: the mission's pillars of effort and per-pillar values;
//! - [`model`]: what exists (tables of columns);
//! - [`mechanisms`]: how agents behave (one module of pure formulas per mechanism);
//! - [`phases`]: the per-tick procedures that apply them, and the aggregates they fill;
//! - [`engine`]: in what order and on which threads (the tick);
//! - [`rng`]: the random streams (the only place generators are made);
//! - [`stats`]: summary statistics and bootstrap intervals over replicates;
//! - [`experiment`]: what runs to do (single runs; replicates, sweeps, comparisons and what-ifs);
//! - [`output`]: what gets written and drawn;
//! - [`classic`]: Epstein's civil-violence models, run through the same tools;
//! - [`validation`]: named, seeded checks of stylised facts (`peacesim check`);
//! - [`uncertainty`]: designs and estimators for sensitivity, calibration and robustness.
//!
//! Determinism: the same scenario and seed give byte-identical outputs whatever the thread
//! count. The library never prints.

pub mod classic;
pub mod describe;
pub mod engine;
pub mod error;
pub mod experiment;
pub mod input;
pub mod library;
pub mod mechanisms;
pub mod model;
pub mod output;
pub mod phases;
pub mod pillar;
pub mod rng;
pub mod scenario;
pub mod serve;
pub mod spec;
pub mod stats;
pub mod uncertainty;
pub mod validation;

pub use engine::{Observer, Simulation};
pub use error::{Error, Result};
pub use scenario::Scenario;
