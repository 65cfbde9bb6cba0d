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
use crate::scenario::{ArrestRule, Override, Source, problems_error, schema_label, sha256_hex};

/// Neighbourhood of vision radius v.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JailTerm {
    /// `random max-jail-term`: an integer from 0 to J - 1 (NetLogo; a term of 0 frees at once
    /// under `jail_countdown = "end_of_tick"`).
    #[default]
    Netlogo,
    /// An integer from 0 to J inclusive (Mesa's `randint(0, J)`).
    Inclusive,
}

/// Order in which agents act within a tick.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
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

/// How a citizen's turn orders its move and its action (Rule M against Rules A and C).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionOrder {
    /// Move to a random empty cell within vision, then decide (citizen) or arrest (cop) from the
    /// new cell (NetLogo Rebellion's `go`).
    #[default]
    MoveThenAct,
    /// Decide or arrest from the current cell, then move (Mesa's `Citizen.step` and `Cop.step`).
    ActThenMove,
}

/// How the `round` arrest rule rounds a ratio C/A that lies exactly halfway between two whole
/// numbers (C/A = 0.5, 1.5, 2.5, ...). No effect with the `floor` and `identity` rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Halves round up: 0.5 gives 1, 2.5 gives 3.
    #[default]
    HalfUp,
    /// Halves round to the even neighbour, as Python 3's `round` does: 0.5 gives 0, 1.5 and 2.5
    /// give 2 (Mesa's example calls Python's `round`).
    HalfEven,
}

/// When jail terms count down.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JailCountdown {
    /// Every jailed citizen's term falls by one at the end of each tick, after all agents have
    /// acted, and a citizen whose term reaches 0 is free (and back on the lattice) from then on
    /// (NetLogo). A term of 0 frees at once: the citizen is never counted as jailed.
    #[default]
    EndOfTick,
    /// At the citizen's own turn in the activation order (Mesa): an arrested citizen with term t
    /// spends its next t turns counting down (t, t − 1, ..., 1, each turn doing nothing else) and
    /// acts again at the turn after; it counts as jailed (Mesa's ARRESTED state) from the arrest
    /// until that turn, so a term of 0 still counts as jailed until the citizen's next turn.
    OwnTurn,
}

/// How the lattice is filled at the start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fill {
    /// Exactly round(density × cells) cops, then as many citizens, on distinct random cells
    /// (NetLogo's `create-cops round (...)` with `one-of patches with [not any? turtles-here]`).
    #[default]
    Exact,
    /// Each cell independently: a citizen with probability `citizens.density`, else a cop with
    /// probability `cops.density`, else empty, so the numbers vary with the seed (Mesa's
    /// `random.choices` per cell).
    Independent,
}

/// A named set of rule switches (`rules.preset`). Switches written beside the preset override
/// the preset's value for that switch; switches not written take the preset's value. The
/// preset sets rule switches only, never model parameters (densities, vision, legitimacy, jail
/// length, movement, lattice size), which keep their own defaults unless written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Preset {
    /// No preset: every switch not written takes its default (the defaults are NetLogo's except
    /// `cop_moves_on_zero_term` and `release`, see there).
    #[default]
    #[serde(rename = "none")]
    None,
    /// NetLogo Rebellion (Wilensky 2004) as shipped with NetLogo 6.
    #[serde(rename = "netlogo")]
    Netlogo,
    /// Mesa 3.3.1's `epstein_civil_violence` example (`mesa.examples.advanced`).
    #[serde(rename = "mesa-3")]
    Mesa3,
    /// Epstein (2002) as printed: P = 1 − exp(−k C/A) with the ratio unrounded and A counting the
    /// citizen itself once; the paper leaves the other switches open, and they are NetLogo's.
    #[serde(rename = "epstein-2002")]
    Epstein2002,
}

impl Preset {
    /// The name as written in a scenario file.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Netlogo => "netlogo",
            Self::Mesa3 => "mesa-3",
            Self::Epstein2002 => "epstein-2002",
        }
    }

    /// The switches this preset sets (with `outburst_threshold` and `max_jail_term`, which are not
    /// rules but live in the same table, at their defaults).
    #[must_use]
    pub fn rules(self) -> Rules {
        let default = Rules::default();
        match self {
            Self::None => default,
            Self::Netlogo => Rules {
                preset: self,
                cop_moves_on_zero_term: true,
                release: Release::OwnCell,
                ..default
            },
            Self::Mesa3 => Rules {
                preset: self,
                arrest_rule: ArrestRule::Round,
                rounding: Rounding::HalfEven,
                neighbourhood: Neighbourhood::VonNeumann,
                jail_term: JailTerm::Inclusive,
                active_counts_self: false,
                cop_moves_to_arrest: false,
                action_order: ActionOrder::ActThenMove,
                jail_countdown: JailCountdown::OwnTurn,
                jailed_on_lattice: true,
                fill: Fill::Independent,
                movement_includes_cops: true,
                ..default
            },
            Self::Epstein2002 => Rules {
                preset: self,
                arrest_rule: ArrestRule::Identity,
                active_counts_self: false,
                cop_moves_on_zero_term: true,
                release: Release::OwnCell,
                ..default
            },
        }
    }
}

/// Where a citizen goes when its jail term ends (with `jailed_on_lattice = false`; a citizen that
/// stays on the lattice while jailed never leaves its cell).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Release {
    /// Back to its cell if that is empty, else to a random empty cell within vision (anywhere if
    /// there is none; a full lattice keeps it jailed one more tick): one agent per cell always.
    #[default]
    NearbyEmpty,
    /// Back to its cell whoever is there: it shares the cell until one of them moves away
    /// (NetLogo, where a jailed agent never leaves its patch and the patch counts as empty).
    OwnCell,
}

/// `[rules]`: the rule variants on which implementations differ. `preset` names a whole set
/// (see [`Preset`]); a switch written beside it overrides the preset's value.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(from = "RulesInput")]
pub struct Rules {
    /// A named set of switches: `none` (default), `netlogo`, `mesa-3` or `epstein-2002`.
    pub preset: Preset,
    /// f in P = 1 - exp(-k f(C/A)): `floor` (NetLogo, default), `round` (Mesa, with `rounding`), `identity` (the paper as printed).
    pub arrest_rule: ArrestRule,
    /// How `round` rounds halves: `half_up` (default) or `half_even` (Python's `round`, Mesa); no effect with other rules.
    pub rounding: Rounding,
    /// Neighbourhood shape (default `euclidean`, NetLogo).
    pub neighbourhood: Neighbourhood,
    /// Largest jail term J in ticks (0 to 1,000,000; default 30, NetLogo; 0 = no jail). A model parameter, not set by presets.
    pub max_jail_term: i64,
    /// How jail terms are drawn (default `netlogo`).
    pub jail_term: JailTerm,
    /// Whether citizens move (default true). A model parameter, not set by presets.
    pub movement: bool,
    /// Whether `movement = false` also keeps cops still (Mesa: one switch for all agents; default false: cops always move, NetLogo).
    pub movement_includes_cops: bool,
    /// Activation order (default `sequential`).
    pub activation: Activation,
    /// Within a turn, move first or act first (default `move_then_act`, NetLogo; Mesa `act_then_move`). Sequential activation only.
    pub action_order: ActionOrder,
    /// When jail terms count down (default `end_of_tick`, NetLogo; Mesa `own_turn`). Sequential activation only.
    pub jail_countdown: JailCountdown,
    /// Whether jailed citizens stay on their cell, blocking it (Mesa), rather than leaving the lattice until released (default false, NetLogo). Model I only.
    pub jailed_on_lattice: bool,
    /// Where a released citizen goes (default `nearby_empty`; NetLogo `own_cell`).
    pub release: Release,
    /// How the lattice is filled at the start (default `exact`, NetLogo; Mesa `independent`).
    pub fill: Fill,
    /// A counts the agent itself once more when it is already active (NetLogo's `1 + count ... with [active?]`; default true).
    pub active_counts_self: bool,
    /// A cop moves onto the cell of the citizen it arrests (NetLogo; default true).
    pub cop_moves_to_arrest: bool,
    /// With `cop_moves_to_arrest`, the cop moves even when the drawn term is 0, onto the cell of a citizen who stays free, and the two share the cell until one moves (NetLogo's `move-to suspect` is unconditional; default false: only for terms above 0).
    pub cop_moves_on_zero_term: bool,
    /// Actives above which the society is in an outburst, for outburst statistics (0 to 2^32 − 1; default 50). A statistic, not set by presets.
    pub outburst_threshold: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            preset: Preset::None,
            arrest_rule: ArrestRule::Floor,
            rounding: Rounding::HalfUp,
            neighbourhood: Neighbourhood::Euclidean,
            max_jail_term: 30,
            jail_term: JailTerm::Netlogo,
            movement: true,
            movement_includes_cops: false,
            activation: Activation::Sequential,
            action_order: ActionOrder::MoveThenAct,
            jail_countdown: JailCountdown::EndOfTick,
            jailed_on_lattice: false,
            release: Release::NearbyEmpty,
            fill: Fill::Exact,
            active_counts_self: true,
            cop_moves_to_arrest: true,
            cop_moves_on_zero_term: false,
            outburst_threshold: 50,
        }
    }
}

/// `[rules]` as written: every key optional, so that a key written beside `preset` can be told
/// from one the preset sets.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RulesInput {
    preset: Option<Preset>,
    arrest_rule: Option<ArrestRule>,
    rounding: Option<Rounding>,
    neighbourhood: Option<Neighbourhood>,
    max_jail_term: Option<i64>,
    jail_term: Option<JailTerm>,
    movement: Option<bool>,
    movement_includes_cops: Option<bool>,
    activation: Option<Activation>,
    action_order: Option<ActionOrder>,
    jail_countdown: Option<JailCountdown>,
    jailed_on_lattice: Option<bool>,
    release: Option<Release>,
    fill: Option<Fill>,
    active_counts_self: Option<bool>,
    cop_moves_to_arrest: Option<bool>,
    cop_moves_on_zero_term: Option<bool>,
    outburst_threshold: Option<i64>,
}

impl From<RulesInput> for Rules {
    /// Each switch: as written if written, else the preset's value (the default without a preset).
    fn from(i: RulesInput) -> Self {
        let base = i.preset.unwrap_or_default().rules();
        Self {
            preset: base.preset,
            arrest_rule: i.arrest_rule.unwrap_or(base.arrest_rule),
            rounding: i.rounding.unwrap_or(base.rounding),
            neighbourhood: i.neighbourhood.unwrap_or(base.neighbourhood),
            max_jail_term: i.max_jail_term.unwrap_or(base.max_jail_term),
            jail_term: i.jail_term.unwrap_or(base.jail_term),
            movement: i.movement.unwrap_or(base.movement),
            movement_includes_cops: i.movement_includes_cops.unwrap_or(base.movement_includes_cops),
            activation: i.activation.unwrap_or(base.activation),
            action_order: i.action_order.unwrap_or(base.action_order),
            jail_countdown: i.jail_countdown.unwrap_or(base.jail_countdown),
            jailed_on_lattice: i.jailed_on_lattice.unwrap_or(base.jailed_on_lattice),
            release: i.release.unwrap_or(base.release),
            fill: i.fill.unwrap_or(base.fill),
            active_counts_self: i.active_counts_self.unwrap_or(base.active_counts_self),
            cop_moves_to_arrest: i.cop_moves_to_arrest.unwrap_or(base.cop_moves_to_arrest),
            cop_moves_on_zero_term: i.cop_moves_on_zero_term.unwrap_or(base.cop_moves_on_zero_term),
            outburst_threshold: i.outburst_threshold.unwrap_or(base.outburst_threshold),
        }
    }
}

/// `[model2]`: Epstein's Model II (two groups, inter-group killing, peacekeepers).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
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
        // An unknown key is reported with everything else: it does not hide range errors.
        let mut read = document::deserialize_past_unknown_keys::<RawEpstein>(table, text);
        let problems = read.problems(&FieldErrors::default());
        let label = schema_label(path, overrides, &problems);
        let Some(raw) = read.value.take() else {
            return Err(problems_error(label, problems));
        };
        let mut e = FieldErrors::default();
        validate(&raw, &mut e);
        if !e.is_empty() {
            e.locate(|p| document::line_of_path(text, p));
            return Err(Error::Invalid {
                path: label,
                errors: read.problems(&e),
            });
        }
        if !problems.is_empty() {
            return Err(problems_error(label, problems));
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
    if let Err(message) = crate::rng::check_seed(r.run.seed) {
        e.push("run.seed", message);
    }
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
    check_rule_combinations(r, e);
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

/// Switch combinations that define no model, refused with the fix (whether a switch was written
/// or came from the preset: a written switch overrides the preset, and can make such a pair).
fn check_rule_combinations(r: &RawEpstein, e: &mut FieldErrors) {
    let rules = &r.rules;
    let note = if rules.preset == Preset::None {
        String::new()
    } else {
        format!(" (switches not written take preset `{}`'s values)", rules.preset.name())
    };
    let sharing = rules.release == Release::OwnCell || (rules.cop_moves_to_arrest && rules.cop_moves_on_zero_term);
    if rules.jailed_on_lattice && rules.cop_moves_to_arrest {
        e.push(
            "rules.jailed_on_lattice",
            format!(
                "`jailed_on_lattice = true` cannot be combined with `cop_moves_to_arrest = true`: the jailed citizen keeps its cell, so the cop cannot move onto it; set `cop_moves_to_arrest = false` (as preset `mesa-3` does){note}"
            ),
        );
    }
    if rules.activation == Activation::Synchronous {
        let mut turn_rules = Vec::new();
        if rules.action_order != ActionOrder::MoveThenAct {
            turn_rules.push("`action_order = \"act_then_move\"`");
        }
        if rules.jail_countdown != JailCountdown::EndOfTick {
            turn_rules.push("`jail_countdown = \"own_turn\"`");
        }
        if sharing {
            turn_rules.push("shared cells (`release = \"own_cell\"` or `cop_moves_on_zero_term = true`)");
        }
        if !turn_rules.is_empty() {
            e.push(
                "rules.activation",
                format!(
                    "`activation = \"synchronous\"` has no individual turns, so it cannot be combined with {}; use `activation = \"sequential\"`{note}",
                    turn_rules.join(", ")
                ),
            );
        }
    }
    if r.model2.enabled {
        let mut model1_only = Vec::new();
        if rules.jailed_on_lattice {
            model1_only.push("`rules.jailed_on_lattice = true`");
        }
        if rules.jail_countdown != JailCountdown::EndOfTick {
            model1_only.push("`rules.jail_countdown = \"own_turn\"`");
        }
        if sharing {
            model1_only.push("shared cells (`rules.release = \"own_cell\"` or `rules.cop_moves_on_zero_term = true`)");
        }
        if !model1_only.is_empty() {
            e.push(
                "model2.enabled",
                format!(
                    "Model II is defined with jailed citizens off the lattice, terms counted down at the end of the tick and one agent per cell; it cannot be combined with {}{note}",
                    model1_only.join(", ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REBELLION: &str = include_str!("../../scenarios/epstein-rebellion.toml");

    /// The Rebellion scenario with its `[rules]` table replaced by `rules`.
    fn with_rules(rules: &str) -> String {
        let start = REBELLION.find("\n[rules]\n").expect("a [rules] table");
        format!("{}\n[rules]\n{rules}\n", &REBELLION[..start])
    }

    fn parse(text: &str) -> Result<EpsteinScenario> {
        EpsteinScenario::from_toml_str_with_overrides(text, Path::new("scenarios/x.toml"), &[])
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).expect("needle") + 1
    }

    #[test]
    fn presets_set_their_documented_switches() {
        let mesa = parse(&with_rules("preset = \"mesa-3\"")).unwrap().raw.rules;
        assert_eq!(mesa.preset, Preset::Mesa3);
        assert_eq!(
            (mesa.arrest_rule, mesa.rounding, mesa.neighbourhood, mesa.jail_term),
            (
                ArrestRule::Round,
                Rounding::HalfEven,
                Neighbourhood::VonNeumann,
                JailTerm::Inclusive
            )
        );
        assert_eq!(
            (mesa.action_order, mesa.jail_countdown, mesa.fill, mesa.release),
            (
                ActionOrder::ActThenMove,
                JailCountdown::OwnTurn,
                Fill::Independent,
                Release::NearbyEmpty
            )
        );
        assert!(mesa.jailed_on_lattice && mesa.movement_includes_cops);
        assert!(!mesa.active_counts_self && !mesa.cop_moves_to_arrest);
        // Parameters are not the preset's business.
        assert_eq!((mesa.max_jail_term, mesa.movement, mesa.outburst_threshold), (30, true, 50));

        let netlogo = parse(&with_rules("preset = \"netlogo\"")).unwrap().raw.rules;
        assert_eq!(
            (netlogo.arrest_rule, netlogo.neighbourhood),
            (ArrestRule::Floor, Neighbourhood::Euclidean)
        );
        assert_eq!(
            (netlogo.action_order, netlogo.jail_countdown),
            (ActionOrder::MoveThenAct, JailCountdown::EndOfTick)
        );
        assert!(netlogo.cop_moves_to_arrest && netlogo.cop_moves_on_zero_term && netlogo.active_counts_self);
        assert_eq!((netlogo.release, netlogo.fill), (Release::OwnCell, Fill::Exact));

        let paper = parse(&with_rules("preset = \"epstein-2002\"")).unwrap().raw.rules;
        assert_eq!((paper.arrest_rule, paper.active_counts_self), (ArrestRule::Identity, false));

        // No preset: today's defaults, which are the netlogo preset's except the two sharing rules.
        let none = parse(&with_rules("")).unwrap().raw.rules;
        assert_eq!(none.preset, Preset::None);
        assert!(!none.cop_moves_on_zero_term && none.release == Release::NearbyEmpty && none.fill == Fill::Exact);
    }

    #[test]
    fn a_written_switch_overrides_the_preset() {
        let r = parse(&with_rules("preset = \"mesa-3\"\nrounding = \"half_up\"\nfill = \"exact\""))
            .unwrap()
            .raw
            .rules;
        assert_eq!((r.rounding, r.fill), (Rounding::HalfUp, Fill::Exact));
        assert_eq!(r.action_order, ActionOrder::ActThenMove, "the rest stays the preset's");
        let o = [
            Override::parse("rules.preset=\"mesa-3\"").unwrap(),
            Override::parse("rules.jail_countdown=\"end_of_tick\"").unwrap(),
        ];
        let bare = with_rules("");
        let r = EpsteinScenario::from_toml_str_with_overrides(&bare, Path::new("x.toml"), &o)
            .unwrap()
            .raw
            .rules;
        assert_eq!(
            (r.preset, r.jail_countdown, r.rounding),
            (Preset::Mesa3, JailCountdown::EndOfTick, Rounding::HalfEven)
        );
    }

    #[test]
    fn an_unknown_preset_names_the_line_and_the_choices() {
        let text = with_rules("preset = \"mesa-2\"");
        let msg = parse(&text).unwrap_err().to_string();
        assert!(msg.contains("scenarios/x.toml"), "{msg}");
        assert!(msg.contains(&format!("line {}", line_of(&text, "mesa-2"))), "{msg}");
        assert!(msg.contains("rules.preset"), "{msg}");
        assert!(
            msg.contains("mesa-3") && msg.contains("netlogo") && msg.contains("epstein-2002"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_rule_keys_are_still_rejected() {
        let text = with_rules("preset = \"mesa-3\"\nround_mode = \"half_even\"");
        let msg = parse(&text).unwrap_err().to_string();
        assert!(msg.contains(&format!("line {}", line_of(&text, "round_mode"))), "{msg}");
        assert!(msg.contains("unknown key `round_mode`"), "{msg}");
    }

    #[test]
    fn switches_that_define_no_model_are_refused_with_the_fix() {
        // A written switch against the preset's value of another.
        let text = with_rules("preset = \"netlogo\"\njailed_on_lattice = true");
        let msg = parse(&text).unwrap_err().to_string();
        assert!(msg.contains("rules.jailed_on_lattice"), "{msg}");
        assert!(
            msg.contains(&format!("line {}", line_of(&text, "jailed_on_lattice")))
                || msg.contains(&format!("line {}", text.lines().position(|l| l == "[rules]").unwrap() + 1)),
            "{msg}"
        );
        assert!(
            msg.contains("cop_moves_to_arrest = false") && msg.contains("preset `netlogo`"),
            "{msg}"
        );

        let text = with_rules("preset = \"mesa-3\"\nactivation = \"synchronous\"");
        let msg = parse(&text).unwrap_err().to_string();
        assert!(
            msg.contains("rules.activation") && msg.contains("act_then_move") && msg.contains("own_turn"),
            "{msg}"
        );

        let o = [
            Override::parse("rules.preset=\"mesa-3\"").unwrap(),
            Override::parse("model2.enabled=true").unwrap(),
        ];
        let msg = EpsteinScenario::from_toml_str_with_overrides(&with_rules(""), Path::new("x.toml"), &o)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("model2.enabled") && msg.contains("jailed_on_lattice"), "{msg}");
    }
}
