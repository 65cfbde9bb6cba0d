//! Classic models that run through the same CLI, experiment runner, outputs and plots as the
//! main model: Epstein's (2002) civil-violence Models I and II, from which the main model's
//! mobilisation rule (D1) comes, and which `docs/VALIDATION.md` reproduces.

pub mod epstein;
pub mod scenario;

pub use epstein::{EpsteinCounts, EpsteinModel, Outbursts, outbursts};
pub use scenario::EpsteinScenario;
