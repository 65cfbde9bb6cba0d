//! Which model a scenario is for, and what it says: a validated scenario of either model (the
//! main model or Epstein's classic one) behind one type, [`ModelSpec`].
//!
//! A scenario file's `model` key chooses: `peacesim` (default) or `epstein`. This module parses
//! and answers questions about a scenario (name, source, seed, ticks, armed groups); it sits
//! below the library of built-in scenarios, which hands out `ModelSpec`s. It must not run a
//! scenario or know what a run writes: that is `experiment::model`.

use std::path::Path;

use crate::classic::EpsteinScenario;
use crate::error::Result;
use crate::scenario::{Override, Scenario, Source, document};

/// A validated scenario of either model.
#[derive(Debug, Clone)]
pub enum ModelSpec {
    /// The main model.
    Peacesim(Box<Scenario>),
    /// Epstein's civil-violence model.
    Epstein(Box<EpsteinScenario>),
}

/// Reads a scenario or plan file as text, reading at most [`document::MAX_INPUT_BYTES`]
/// (`/dev/zero` is refused at the limit, not read until memory runs out), refusing binary data.
///
/// # Errors
/// [`crate::Error::Read`] if it cannot be read; [`crate::Error::Parse`] if it is too large,
/// empty or not UTF-8 text.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = crate::input::read_limited(path, document::MAX_INPUT_BYTES)?;
    document::text_from_bytes(&bytes, path)
}

impl ModelSpec {
    /// Reads a scenario file of either model and applies overrides.
    ///
    /// # Errors
    /// As the model's loader.
    pub fn load(path: &Path, overrides: &[Override]) -> Result<Self> {
        let text = read_text(path)?;
        Self::from_text(&text, path, overrides)
    }

    /// Parses scenario text of either model.
    ///
    /// # Errors
    /// As the model's loader.
    pub fn from_text(text: &str, path: &Path, overrides: &[Override]) -> Result<Self> {
        let table = document::parse_table(text, path)?;
        let mut model = table.get("model").and_then(toml::Value::as_str).unwrap_or("peacesim").to_string();
        if let Some(o) = overrides.iter().find(|o| o.path == "model") {
            model = o.value.as_str().unwrap_or_default().to_string();
        }
        if model == "epstein" {
            Ok(Self::Epstein(Box::new(EpsteinScenario::from_toml_str_with_overrides(
                text, path, overrides,
            )?)))
        } else {
            Ok(Self::Peacesim(Box::new(Scenario::from_toml_str_with_overrides(
                text, path, overrides,
            )?)))
        }
    }

    /// The main-model scenario, if this is one.
    #[must_use]
    pub fn as_peacesim(&self) -> Option<&Scenario> {
        match self {
            Self::Peacesim(s) => Some(s),
            Self::Epstein(_) => None,
        }
    }

    /// Model name, as in scenario files.
    #[must_use]
    pub fn model_name(&self) -> &'static str {
        match self {
            Self::Peacesim(_) => "peacesim",
            Self::Epstein(_) => "epstein",
        }
    }

    /// Where the scenario came from.
    #[must_use]
    pub fn source(&self) -> &Source {
        match self {
            Self::Peacesim(s) => &s.source,
            Self::Epstein(s) => &s.source,
        }
    }

    /// Scenario title.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Peacesim(s) => &s.name,
            Self::Epstein(s) => s.name(),
        }
    }

    /// Ticks per run.
    #[must_use]
    pub fn ticks(&self) -> u32 {
        match self {
            Self::Peacesim(s) => s.run.ticks,
            Self::Epstein(s) => s.ticks,
        }
    }

    /// The scenario's seed.
    #[must_use]
    pub fn seed(&self) -> u64 {
        match self {
            Self::Peacesim(s) => s.run.seed,
            Self::Epstein(s) => s.seed,
        }
    }

    /// Days per tick (1 for Epstein's model, whose ticks are abstract).
    #[must_use]
    pub fn tick_length_days(&self) -> f64 {
        match self {
            Self::Peacesim(s) => s.run.tick_length_days,
            Self::Epstein(_) => 1.0,
        }
    }

    /// Sets the seed and the ticks (`--seed`, `--ticks`).
    pub fn apply_run_overrides(&mut self, seed: Option<u64>, ticks: Option<u32>) {
        match self {
            Self::Peacesim(s) => apply_run_overrides(s, seed, ticks),
            Self::Epstein(s) => {
                if let Some(x) = seed {
                    s.seed = x;
                }
                if let Some(t) = ticks {
                    s.ticks = t;
                }
            }
        }
    }

    /// Armed-group column names (empty for Epstein), for checking that design points agree.
    #[must_use]
    pub fn group_slugs(&self) -> Vec<String> {
        match self {
            Self::Peacesim(s) => s.group_slugs(),
            Self::Epstein(_) => Vec::new(),
        }
    }
}

/// Applies command-line seed and tick overrides to a loaded main-model scenario (after
/// validation, so a shorter run simply skips later events).
pub fn apply_run_overrides(scenario: &mut Scenario, seed: Option<u64>, ticks: Option<u32>) {
    if let Some(s) = seed {
        scenario.run.seed = s;
    }
    if let Some(t) = ticks {
        scenario.run.ticks = t;
        scenario.run.locality_output_every_ticks = scenario.run.locality_output_every_ticks.min(t.max(1));
    }
}
