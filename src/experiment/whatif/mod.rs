//! What-if analysis: a scenario as it is against the same scenario with changes (`--set`
//! overrides, or an alternative scenario file), run as a paired ensemble with common random
//! numbers, and reported in plain language.
//!
//! A what-if is a comparison of two arms, `as-is` and `what-if`, run by
//! [`super::runner::execute`]. Its parts, in the order a what-if goes through them:
//! - [`request`]: the what-if as asked for, validated and turned into a two-arm experiment;
//! - [`setup`]: what the report says besides the numbers (the changes, the command line);
//! - [`analysis`]: the headline outcomes' statistics, read from `outcomes.csv`;
//! - [`render`]: `whatif.csv`, `whatif.md` and the terminal text;
//! - [`report`]: writes those files and the figure, after the runs and before the manifest.
//!
//! Every number depends only on the runs' outcomes and the master seed (the bootstrap is seeded
//! from it), so the same command gives byte-identical files. Nothing here prints: the binary
//! prints what [`render::render_text`] returns.

pub mod analysis;
pub mod render;
pub mod report;
pub mod request;
pub mod setup;
