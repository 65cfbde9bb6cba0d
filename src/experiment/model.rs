//! The models the experiment layer can run: the main peacesim model and Epstein's classic
//! model, behind one interface (load with overrides, run with a seed, outcomes and series).
//!
//! A scenario file's `model` key chooses: `peacesim` (default) or `epstein`.

use std::path::Path;

use crate::classic::{EpsteinModel, EpsteinScenario, outbursts};
use crate::engine::Simulation;
use crate::error::Result;
use crate::output::csv::timeseries_header;
use crate::phases::indicators::Indicators;
use crate::scenario::{Override, Scenario, Source, document};

use super::outcomes::{OutcomeObserver, Outcomes};

/// A validated scenario of either model.
#[derive(Debug, Clone)]
pub enum ModelSpec {
    /// The main model.
    Peacesim(Box<Scenario>),
    /// Epstein's civil-violence model.
    Epstein(Box<EpsteinScenario>),
}

/// Outcomes of one Epstein run, in output order.
pub const EPSTEIN_OUTCOMES: [&str; 13] = [
    "mean_active",
    "peak_active",
    "outbursts",
    "mean_wait_between_outbursts",
    "mean_activation_per_outburst",
    "mean_jailed",
    "arrests",
    "final_active",
    "final_jailed",
    "kills",
    "final_blue",
    "final_green",
    "extinction_tick",
];

/// What a run produced: outcomes aligned with [`ModelSpec::outcome_names`] and, if kept, the
/// per-tick series aligned with [`ModelSpec::series_header`].
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutput {
    /// Outcome values.
    pub outcomes: Vec<f64>,
    /// Per-tick values, if kept.
    pub series: Option<Vec<Vec<f64>>>,
}

impl ModelSpec {
    /// Reads a scenario file of either model and applies overrides.
    ///
    /// # Errors
    /// As the model's loader.
    pub fn load(path: &Path, overrides: &[Override]) -> Result<Self> {
        let text = document::read_text(path)?;
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
            Self::Peacesim(s) => super::single::apply_run_overrides(s, seed, ticks),
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

    /// Outcome names, in output order.
    #[must_use]
    pub fn outcome_names(&self) -> &'static [&'static str] {
        match self {
            Self::Peacesim(_) => Outcomes::NAMES,
            Self::Epstein(_) => &EPSTEIN_OUTCOMES,
        }
    }

    /// Series columns after `tick, day` (and `seed` in single runs).
    #[must_use]
    pub fn series_header(&self) -> Vec<String> {
        match self {
            Self::Peacesim(s) => timeseries_header(s)
                .into_iter()
                .filter(|c| c != "seed" && c != "tick" && c != "day")
                .collect(),
            Self::Epstein(_) => crate::classic::EpsteinCounts::NAMES.iter().map(|s| (*s).to_string()).collect(),
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

    /// Runs to the end with `seed`.
    ///
    /// # Errors
    /// `Interrupted` if `stop` says so.
    pub fn run(&self, seed: u64, keep_series: bool, stop: &dyn Fn() -> bool) -> Result<RunOutput> {
        match self {
            Self::Peacesim(s) => {
                let mut sim = Simulation::with_seed(s, seed);
                let mut obs = OutcomeObserver::new(keep_series);
                sim.run(&mut obs, stop)?;
                Ok(RunOutput {
                    outcomes: obs.outcomes.values(),
                    series: obs.series,
                })
            }
            Self::Epstein(s) => run_epstein(s, seed, keep_series, stop),
        }
    }
}

fn run_epstein(s: &EpsteinScenario, seed: u64, keep_series: bool, stop: &dyn Fn() -> bool) -> Result<RunOutput> {
    let mut m = EpsteinModel::with_seed(s, seed);
    let mut rows = vec![m.counts()];
    for _ in 0..s.ticks {
        if stop() {
            return Err(crate::Error::Interrupted(format!("stopped after tick {}", m.tick())));
        }
        m.step();
        rows.push(m.counts());
    }
    let active: Vec<f64> = rows.iter().map(|c| c.active).collect();
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let threshold = s.raw.rules.outburst_threshold as f64;
    let o = outbursts(&active, threshold);
    let n = rows.len() as f64;
    let last = rows.last().expect("tick 0 is always there");
    let extinction = if s.raw.model2.enabled {
        rows.iter().position(|c| c.blue == 0.0 || c.green == 0.0).map_or(-1.0, |t| t as f64)
    } else {
        -1.0
    };
    let outcomes = vec![
        active.iter().sum::<f64>() / n,
        o.peak,
        o.count,
        o.mean_wait,
        o.mean_activation,
        rows.iter().map(|c| c.jailed).sum::<f64>() / n,
        rows.iter().map(|c| c.arrests).sum(),
        last.active,
        last.jailed,
        rows.iter().map(|c| c.kills).sum(),
        last.blue,
        last.green,
        extinction,
    ];
    let series = keep_series.then(|| rows.iter().map(|c| c.values().to_vec()).collect());
    Ok(RunOutput { outcomes, series })
}

/// Indicator units for a series column, where known.
#[must_use]
pub fn unit_of(column: &str) -> Option<&'static str> {
    Indicators::NAMES.iter().position(|n| *n == column).map(|i| Indicators::UNITS[i])
}
