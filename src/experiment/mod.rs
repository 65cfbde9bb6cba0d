//! What runs to do: single runs, replicate ensembles, sweeps over designs, paired comparisons,
//! what-ifs, and the merging of shards run on many machines.
//!
//! This layer turns scenarios, plans and arms into runs of the engine and output directories.
//! It owns thread pools (built per call, never the global one) and polls the caller's stop
//! flag. It reports progress through [`pool::Progress`] and never prints.
//!
//! Its files, from the bottom up (each imports only those before it):
//! - [`pool`]: worker pools and progress;
//! - [`model`]: one seeded run of a scenario of either model, and what it produces;
//! - [`whatif::setup`]: what a what-if's report says besides the numbers;
//! - [`design`]: what an experiment is (kind, design points, seeds, columns; `design.csv`);
//! - [`compare`], [`summary`]: statistics computed from the tables of a finished directory;
//! - [`whatif`]'s `analysis`, `render` and `report`: the what-if's report;
//! - [`single`]: one run into a run directory;
//! - [`runner`]: many runs in ordered parallel batches, resumable and shardable;
//! - [`verify`]: a directory checked against its manifest (files, rows, runs, shards);
//! - [`merge`]: the shards of an experiment joined into one directory, after [`verify`];
//! - [`plan`]: sweep plans and their designs;
//! - [`build`]: the experiments the commands ask for (ensemble, sweep, comparison);
//! - [`whatif::request`]: a what-if as asked for, turned into a two-arm experiment.
//! - [`uq`]: `peacesim sensitivity`, `robust` and `calibrate`: plans turned into sweeps, and
//!   their analyses.

pub mod build;
pub mod columns;
pub mod compare;
pub mod design;
pub mod merge;
pub mod model;
pub mod plan;
pub mod pool;
pub mod runner;
pub mod schema;
pub mod single;
pub mod summary;
pub mod uq;
pub mod verify;
pub mod whatif;
