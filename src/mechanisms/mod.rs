//! How agents behave: one module per mechanism, each a set of small pure functions of its own
//! parameter section (`scenario::params`), with its own tests. Mechanism numbers (D1-D12) refer
//! to the model brief and `docs/ODD.md`:
//!
//! - [`mobilisation`] D1 (Epstein's grievance, risk and arrest), [`recruitment`] D2,
//!   [`targeting`] D3, D4, D6, D9, [`battles`] D5, [`displacement`] D7, [`legitimacy`] D8,
//!   [`health`] D10, [`means`] D11 (what the mission's personnel, operations and programmes
//!   cost and buy), [`economy`], [`community`], [`deprivation`] (the seven dimensions and the
//!   Alkire-Foster index).
//!
//! Nothing here keeps state, draws random numbers, knows about other localities, threads,
//! files or the order of the tick: the procedures that apply these formulas to the world are in
//! `phases`. A mechanism imports only its parameter section, the crate's foundations
//! (`pillar`) and this module's shared constants, never another mechanism or a phase.

pub mod battles;
pub mod community;
pub mod deprivation;
pub mod displacement;
pub mod economy;
pub mod health;
pub mod legitimacy;
pub mod means;
pub mod mobilisation;
pub mod recruitment;
pub mod targeting;

/// Slack added to probability bounds: far above the error of `exp` near zero (an ulp of 1 is
/// 2.2e-16) and far below the spacing of the uniforms compared with them (2.3e-10).
pub const BOUND_MARGIN: f64 = 1e-12;
