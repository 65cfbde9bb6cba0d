//! Integration tests, in one binary (ripgrep's layout). Run with `cargo test --release`.

/// Helpers: loading scenarios with overrides, running them, temporary directories.
mod util;

/// The binary: exit codes, messages, output directories.
mod cli;
/// `--parquet`: Parquet copies of the big tables, value for value, independent of threads and shards.
mod columnar;
/// `peacesim serve`: input validation, path handling, and the page driven in headless Chromium.
mod dashboard;
/// Background mortality at the scenario's sourced rate; excess mortality against it.
mod demography;
/// Same scenario and seed give identical bytes whatever the thread count; seeds matter.
mod determinism;
/// The example outputs in README.md and docs/TUTORIAL.md were made by the current model.
mod docs;
/// Ensembles, sweeps, comparisons, shards, merges and resumption.
mod experiments;
/// Hashes of the outputs of short runs of shipped scenarios, pinned (bless on purpose only).
mod golden;
/// Per-capita outcomes do not depend on people per agent nor on how localities are cut.
mod invariance;
/// No NaN, shares in [0, 1], people conserved, counts never negative.
mod invariants;
/// The mission's means: personnel are paid first, protection money buys operations, programme
/// effects grow with their money and are bounded by it.
mod means;
/// Each mechanism moves outcomes in the direction the evidence says, on small scenarios.
mod mechanisms;
/// Each mission scenario shows the pattern it is built around, in a small ensemble.
mod missions;
/// Figures: every figure type from small runs; SVG well-formed with title and labels; PNG decodes and is not blank.
mod plots;
/// The project's files agree with Cargo.toml: licence files, CITATION.cff's version.
mod project;
/// A full disk, SIGINT and SIGTERM, unreadable files; the parser never panics on arbitrary bytes.
mod reliability;
/// Invalid inputs give clear messages with file, line, field path and rule, and never panic.
mod scenario_errors;
/// Shipped scenarios validate and run.
mod scenarios;
/// Every mission scenario and the baseline against the real magnitudes in docs/TARGETS.md.
mod targets;
/// `sensitivity`, `robust` and `calibrate`: examples, determinism, bad plans, twin recovery.
mod uncertainty;
/// The built-in scenario library and `peacesim whatif`, as a user runs them.
mod whatif;
