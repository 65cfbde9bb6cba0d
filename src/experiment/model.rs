//! How the experiment layer runs a scenario of either model ([`ModelSpec`]): one seeded run to
//! its end, and what such a run produces (outcome names, the per-tick series' columns).
//!
//! What a scenario says (parsing, its seed and ticks) is [`crate::spec`]; this module only runs
//! one scenario with one seed and never writes files.

use crate::classic::{EpsteinCounts, EpsteinModel, EpsteinScenario, outbursts};
use crate::engine::Simulation;
use crate::error::{Error, Result};
use crate::output::csv::timeseries_header;
use crate::output::outcomes::{OutcomeObserver, Outcomes};
use crate::spec::ModelSpec;

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

/// What a run produced: outcomes aligned with [`outcome_names`] and, if kept, the per-tick
/// series aligned with [`series_header`].
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutput {
    /// Outcome values.
    pub outcomes: Vec<f64>,
    /// Per-tick values, if kept.
    pub series: Option<Vec<Vec<f64>>>,
}

/// Outcome names of a scenario's model, in output order.
#[must_use]
pub fn outcome_names(spec: &ModelSpec) -> &'static [&'static str] {
    match spec {
        ModelSpec::Peacesim(_) => Outcomes::NAMES,
        ModelSpec::Epstein(_) => &EPSTEIN_OUTCOMES,
    }
}

/// Series columns after `tick, day` (and `seed` in single runs).
#[must_use]
pub fn series_header(spec: &ModelSpec) -> Vec<String> {
    match spec {
        ModelSpec::Peacesim(s) => timeseries_header(s)
            .into_iter()
            .filter(|c| c != "seed" && c != "tick" && c != "day")
            .collect(),
        ModelSpec::Epstein(_) => EpsteinCounts::NAMES.iter().map(|s| (*s).to_string()).collect(),
    }
}

/// Runs a scenario to the end with `seed`.
///
/// # Errors
/// `Interrupted` if `stop` says so.
pub fn run(spec: &ModelSpec, seed: u64, keep_series: bool, stop: &dyn Fn() -> bool) -> Result<RunOutput> {
    match spec {
        ModelSpec::Peacesim(s) => {
            let mut sim = Simulation::with_seed(s, seed);
            let mut obs = OutcomeObserver::new(keep_series);
            sim.run(&mut obs, stop)?;
            Ok(RunOutput {
                outcomes: obs.outcomes.values(),
                series: obs.series,
            })
        }
        ModelSpec::Epstein(s) => run_epstein(s, seed, keep_series, stop),
    }
}

fn run_epstein(s: &EpsteinScenario, seed: u64, keep_series: bool, stop: &dyn Fn() -> bool) -> Result<RunOutput> {
    let mut m = EpsteinModel::with_seed(s, seed);
    let mut rows = vec![m.counts()];
    for _ in 0..s.ticks {
        if stop() {
            return Err(Error::Interrupted(format!("stopped after tick {}", m.tick())));
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
