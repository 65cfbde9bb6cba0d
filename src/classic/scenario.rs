//! Scenario files for Epstein's civil-violence models (`model = "epstein"`).
//!
//! Every parameter of Epstein (2002) Model I and Model II is a field with a documented default
//! (NetLogo Rebellion's where they differ from the paper), and every implementation choice on
//! which NetLogo, Mesa and the paper differ is a named switch, so that a configuration can be
//! reproduced exactly in another implementation. Parsed and validated like main scenarios.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldErrors, Result};
use crate::scenario::document;
use crate::scenario::params::check_range;
use crate::scenario::{ArrestRule, Override, Source, sha256_hex};

/// Neighbourhood of vision radius v.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Neighbourhood {
    /// Cells whose centres are within Euclidean distance v (NetLogo `in-radius`; v = 1.7 gives the 8 Moore neighbours).
    #[default]
    Euclidean,
    /// Cells within Manhattan distance v (Mesa's diamond).
    VonNeumann,
    /// Cells within Chebyshev distance v (a square).
    Moore,
}

/// How jail terms are drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JailTerm {
    /// `random max-jail-term`: an integer from 0 to J - 1 (NetLogo; a term of 0 frees at once).
    #[default]
    Netlogo,
    /// An integer from 0 to J inclusive (Mesa's `randint(0, J)`).
    Inclusive,
}

/// Order in which agents act within a tick.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// Random sequential (asynchronous) activation, as in the paper and NetLogo: every tick, all
    /// agents in a fresh random order, each moving then acting on the current state.
    #[default]
    Sequential,
    /// A labelled variant: all agents move (random order), then all citizens decide from the
    /// same snapshot of actives, then cops arrest (random order). Not the original schedule.
    Synchronous,
}

/// `[run]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpsteinRun {
    /// Ticks (1 to 1,000,000).
    pub ticks: i64,
    /// Seed (default 1).
    #[serde(default = "one")]
    pub seed: u64,
}

fn one() -> u64 {
    1
}

/// `[lattice]`: a torus.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lattice {
    /// Width in cells (default 40).
    #[serde(default = "forty")]
    pub width: i64,
    /// Height in cells (default 40).
    #[serde(default = "forty")]
    pub height: i64,
}

impl Default for Lattice {
    fn default() -> Self {
        Self { width: 40, height: 40 }
    }
}

fn forty() -> i64 {
    40
}

/// `[citizens]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Citizens {
    /// Share of cells holding a citizen at the start (default 0.7).
    pub density: f64,
    /// Legitimacy L of the regime (default 0.82, NetLogo; Epstein Run 2).
    pub legitimacy: f64,
    /// Threshold T (default 0.1).
    pub threshold: f64,
    /// Vision v in cells (default 7).
    pub vision: f64,
    /// Arrest constant k (default 2.3).
    pub arrest_constant: f64,
}

impl Default for Citizens {
    fn default() -> Self {
        Self {
            density: 0.7,
            legitimacy: 0.82,
            threshold: 0.1,
            vision: 7.0,
            arrest_constant: 2.3,
        }
    }
}

/// `[cops]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cops {
    /// Share of cells holding a cop at the start (default 0.04).
    pub density: f64,
    /// Cop vision in cells (default 7).
    pub vision: f64,
}

impl Default for Cops {
    fn default() -> Self {
        Self {
            density: 0.04,
            vision: 7.0,
        }
    }
}

/// `[rules]`: the rule variants on which implementations differ.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// f in P = 1 - exp(-k f(C/A)): `floor` (NetLogo, default), `round` (Mesa), `identity` (the paper as printed).
    pub arrest_rule: ArrestRule,
    /// Neighbourhood shape (default `euclidean`, NetLogo).
    pub neighbourhood: Neighbourhood,
    /// Largest jail term J in ticks (default 30, NetLogo; 0 = no jail).
    pub max_jail_term: i64,
    /// How jail terms are drawn (default `netlogo`).
    pub jail_term: JailTerm,
    /// Whether citizens move (cops always move; default true).
    pub movement: bool,
    /// Activation order (default `sequential`).
    pub activation: Activation,
    /// A counts the agent itself once more when it is already active (NetLogo's `1 + count ... with [active?]`; default true).
    pub active_counts_self: bool,
    /// A cop moves onto the cell of the citizen it arrests (NetLogo; default true).
    pub cop_moves_to_arrest: bool,
    /// Actives above which the society is in an outburst, for outburst statistics (default 50).
    pub outburst_threshold: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            arrest_rule: ArrestRule::Floor,
            neighbourhood: Neighbourhood::Euclidean,
            max_jail_term: 30,
            jail_term: JailTerm::Netlogo,
            movement: true,
            activation: Activation::Sequential,
            active_counts_self: true,
            cop_moves_to_arrest: true,
            outburst_threshold: 50,
        }
    }
}

/// `[model2]`: Epstein's Model II (two groups, inter-group killing, peacekeepers).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Model2 {
    /// Whether Model II is on (default false).
    pub enabled: bool,
    /// Share of citizens in the blue group (default 0.5).
    pub blue_share: f64,
    /// Per-tick probability that an agent clones onto an empty neighbouring cell (default 0.05).
    pub clone_probability: f64,
    /// Largest age; each agent's age at death is drawn uniformly from 0 to this (default 200).
    pub max_age: i64,
    /// Density of peacekeepers (cops) dropped on random empty cells at `peacekeepers_tick` (default 0).
    pub peacekeepers_density: f64,
    /// Tick at which peacekeepers arrive (default 50).
    pub peacekeepers_tick: i64,
}

impl Default for Model2 {
    fn default() -> Self {
        Self {
            enabled: false,
            blue_share: 0.5,
            clone_probability: 0.05,
            max_age: 200,
            peacekeepers_density: 0.0,
            peacekeepers_tick: 50,
        }
    }
}

/// `[[legitimacy_changes]]` or `[[cop_changes]]`: a value reached linearly from `tick` over `over_ticks`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// Tick at which the change starts.
    pub tick: i64,
    /// Value reached (legitimacy, or cop density).
    pub value: f64,
    /// Ticks over which it is reached (0 = at once).
    #[serde(default)]
    pub over_ticks: i64,
}

/// An Epstein scenario file as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEpstein {
    /// Format version (1).
    pub schema_version: i64,
    /// Must be `epstein`.
    pub model: String,
    /// Title.
    pub name: String,
    /// One-line description.
    #[serde(default)]
    pub description: String,
    /// Narrative.
    #[serde(default)]
    pub narrative: String,
    /// Run settings.
    pub run: EpsteinRun,
    /// Lattice.
    #[serde(default)]
    pub lattice: Lattice,
    /// Citizens.
    #[serde(default)]
    pub citizens: Citizens,
    /// Cops.
    #[serde(default)]
    pub cops: Cops,
    /// Rule variants.
    #[serde(default)]
    pub rules: Rules,
    /// Model II.
    #[serde(default)]
    pub model2: Model2,
    /// Legitimacy schedule.
    #[serde(default)]
    pub legitimacy_changes: Vec<Change>,
    /// Cop-density schedule.
    #[serde(default)]
    pub cop_changes: Vec<Change>,
}

/// A validated Epstein scenario.
#[derive(Debug, Clone)]
pub struct EpsteinScenario {
    /// Where it came from.
    pub source: Source,
    /// The validated values (ranges checked).
    pub raw: RawEpstein,
    /// Ticks.
    pub ticks: u32,
    /// Seed.
    pub seed: u64,
    /// Lattice width.
    pub width: usize,
    /// Lattice height.
    pub height: usize,
}

impl EpsteinScenario {
    /// Parses and validates an Epstein scenario with overrides.
    ///
    /// # Errors
    /// [`Error::Parse`] or [`Error::Invalid`] naming the file, line, field and rule.
    pub fn from_toml_str_with_overrides(text: &str, path: &Path, overrides: &[Override]) -> Result<Self> {
        let mut table = document::parse_table(text, path)?;
        let pairs: Vec<(String, toml::Value)> = overrides.iter().map(|o| (o.path.clone(), o.value.clone())).collect();
        if let Err(mut errors) = document::apply_overrides(&mut table, &pairs) {
            errors.locate(|_| None);
            return Err(Error::Invalid {
                path: path.to_path_buf(),
                errors,
            });
        }
        let raw: RawEpstein = document::deserialize(table, text, path)?;
        let mut e = FieldErrors::default();
        validate(&raw, &mut e);
        if !e.is_empty() {
            e.locate(|p| document::line_of_path(text, p));
            return Err(Error::Invalid {
                path: path.to_path_buf(),
                errors: e,
            });
        }
        let source = Source {
            file: path.display().to_string(),
            sha256: sha256_hex(text.as_bytes()),
            overrides: overrides.iter().map(Override::render).collect(),
        };
        Ok(Self {
            source,
            ticks: u32::try_from(raw.run.ticks).expect("validated"),
            seed: raw.run.seed,
            width: usize::try_from(raw.lattice.width).expect("validated"),
            height: usize::try_from(raw.lattice.height).expect("validated"),
            raw,
        })
    }

    /// Title.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.raw.name
    }
}

fn int(e: &mut FieldErrors, path: &str, v: i64, lo: i64, hi: i64) {
    if v < lo || v > hi {
        e.push(path, format!("must be in [{lo}, {hi}], got {v}"));
    }
}

fn validate(r: &RawEpstein, e: &mut FieldErrors) {
    if r.schema_version != 1 {
        e.push(
            "schema_version",
            format!("this build reads schema_version 1, got {}", r.schema_version),
        );
    }
    if r.model != "epstein" {
        e.push("model", format!("expected `epstein`, got `{}`", r.model));
    }
    int(e, "run.ticks", r.run.ticks, 1, 1_000_000);
    int(e, "lattice.width", r.lattice.width, 3, 20_000);
    int(e, "lattice.height", r.lattice.height, 3, 20_000);
    let cells = r.lattice.width.max(0) * r.lattice.height.max(0);
    if cells > 100_000_000 {
        e.push("lattice", format!("{cells} cells exceed the limit of 100,000,000"));
    }
    let c = &r.citizens;
    check_range(e, "citizens.density".into(), c.density, 0.0, 1.0);
    check_range(e, "citizens.legitimacy".into(), c.legitimacy, 0.0, 1.0);
    check_range(e, "citizens.threshold".into(), c.threshold, 0.0, 1.0);
    check_range(e, "citizens.arrest_constant".into(), c.arrest_constant, 0.0, 100.0);
    let half = (r.lattice.width.min(r.lattice.height).max(1) - 1) as f64 / 2.0;
    check_range(e, "citizens.vision".into(), c.vision, 0.0, half);
    check_range(e, "cops.density".into(), r.cops.density, 0.0, 1.0);
    check_range(e, "cops.vision".into(), r.cops.vision, 0.0, half);
    if c.density.is_finite() && r.cops.density.is_finite() && c.density + r.cops.density > 1.0 {
        e.push(
            "cops.density",
            format!(
                "citizens ({}) and cops ({}) cannot fill more than every cell",
                c.density, r.cops.density
            ),
        );
    }
    int(e, "rules.max_jail_term", r.rules.max_jail_term, 0, 1_000_000);
    int(e, "rules.outburst_threshold", r.rules.outburst_threshold, 0, i64::from(u32::MAX));
    let m = &r.model2;
    check_range(e, "model2.blue_share".into(), m.blue_share, 0.0, 1.0);
    check_range(e, "model2.clone_probability".into(), m.clone_probability, 0.0, 1.0);
    int(e, "model2.max_age", m.max_age, 1, 1_000_000);
    check_range(e, "model2.peacekeepers_density".into(), m.peacekeepers_density, 0.0, 1.0);
    int(e, "model2.peacekeepers_tick", m.peacekeepers_tick, 0, r.run.ticks.max(0));
    for (name, list, hi) in [
        ("legitimacy_changes", &r.legitimacy_changes, 1.0),
        ("cop_changes", &r.cop_changes, 1.0),
    ] {
        for (i, ch) in list.iter().enumerate() {
            int(e, &format!("{name}[{i}].tick"), ch.tick, 0, r.run.ticks.max(0));
            int(e, &format!("{name}[{i}].over_ticks"), ch.over_ticks, 0, 1_000_000);
            check_range(e, format!("{name}[{i}].value"), ch.value, 0.0, hi);
        }
    }
}
