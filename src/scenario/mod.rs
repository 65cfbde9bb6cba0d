//! What a scenario says: loading, validation and the validated, read-only [`Scenario`].
//!
//! Parsing is two-stage, as in ripgrep's low/high arguments: `raw` mirrors the TOML with
//! unknown keys rejected, then `validate` checks every range, unit and cross-reference and
//! reports all problems at once, each with file, line, field path and rule. The engine only ever
//! sees a validated `Scenario` and never re-checks it.

pub mod document;
pub mod params;
pub mod raw;
mod validate;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
pub use crate::error::{FieldError, FieldErrors};
use crate::pillar::PerPillar;
pub use params::{ArrestRule, ParamInfo, Rules};
pub use raw::{Allocation, GroupKind, LinkRule, LocalityKind, Mandate, RawCutoffs};

/// Scenario schema version this build reads.
pub const SCHEMA_VERSION: i64 = 1;

/// Largest number of agents a run may hold (a clear limit instead of an out-of-memory crash).
pub const MAX_AGENTS: u64 = 50_000_000;

/// Longest run, in ticks.
pub const MAX_TICKS: i64 = 36_500;

/// Number of identity groups, armed groups or localities above which a scenario is refused.
pub const MAX_TABLE_ROWS: usize = 10_000;

/// Age bands, in the order used by every per-person column and output.
pub const AGE_BANDS: [&str; 4] = ["child", "youth", "adult", "elder"];

/// The seven human-security dimensions (UNDP 1994), in the order used by every output.
pub const DIMENSIONS: [&str; 7] = ["personal", "community", "political", "economic", "food", "health", "environmental"];

/// Where a scenario came from, for manifests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// File path as given, or a label such as `<inline>`.
    pub file: String,
    /// SHA-256 of the file's bytes, in hex.
    pub sha256: String,
    /// Overrides applied on top of the file, as `path=value`.
    pub overrides: Vec<String>,
}

/// A validated scenario: every value is in range and every reference resolved to an index.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Where it came from.
    pub source: Source,
    /// Title.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Longer narrative.
    pub narrative: String,
    /// Run settings.
    pub run: RunSettings,
    /// Population-wide settings.
    pub population: PopulationSettings,
    /// Identity-group names, by index.
    pub identity_groups: Vec<String>,
    /// Localities, by index.
    pub localities: Vec<LocalitySpec>,
    /// Undirected links between localities (a < b), sorted.
    pub links: Vec<Link>,
    /// Armed groups, by index.
    pub armed_groups: Vec<ArmedGroupSpec>,
    /// The mission, if any.
    pub mission: Option<MissionSpec>,
    /// Scheduled events, sorted by tick then file order.
    pub events: Vec<ScheduledEvent>,
    /// Indicator settings.
    pub indicators: IndicatorSettings,
    /// Mechanism parameters.
    pub rules: Rules,
}

/// Validated `[run]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunSettings {
    /// Ticks to simulate.
    pub ticks: u32,
    /// Days per tick.
    pub tick_length_days: f64,
    /// Run seed.
    pub seed: u64,
    /// Per-locality rows every this many ticks.
    pub locality_output_every_ticks: u32,
}

/// Validated `[population]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PopulationSettings {
    /// People per agent.
    pub people_per_agent: f64,
    /// Age-band shares in [`AGE_BANDS`] order.
    pub age_band_shares: [f64; 4],
    /// Share of women and girls.
    pub female_share: f64,
    /// Median livelihood, in subsistence lines.
    pub livelihood_median: f64,
    /// Log-normal spread of livelihoods.
    pub livelihood_sigma: f64,
    /// Share of people without safe drinking water in towns, 0 to 1.
    pub unsafe_water_urban: f64,
    /// Share of people without safe drinking water in rural districts, 0 to 1.
    pub unsafe_water_rural: f64,
}

/// A validated protection site.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteSpec {
    /// Capacity, in people.
    pub capacity: f64,
    /// Guard posture, 0 to 1.
    pub guard_posture: f64,
    /// Services level, 0 to 1.
    pub services: f64,
}

/// A validated locality.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalitySpec {
    /// Name.
    pub name: String,
    /// East coordinate, km.
    pub x_km: f64,
    /// North coordinate, km.
    pub y_km: f64,
    /// Kind.
    pub kind: LocalityKind,
    /// Residents, in people.
    pub population: u64,
    /// Agents representing the residents.
    pub agents: u32,
    /// Identity shares, by identity index; sums to 1.
    pub composition: Vec<f64>,
    /// Median livelihood, subsistence lines.
    pub livelihood_median: f64,
    /// Health access, 0 to 1.
    pub health_access: f64,
    /// Market functioning, 0 to 1.
    pub market: f64,
    /// Share of the residents without safe drinking water, 0 to 1.
    pub unsafe_water: f64,
    /// Lootable resources, 0 to 1.
    pub lootable: f64,
    /// Cohesion, 0 to 1.
    pub cohesion: f64,
    /// Tension, 0 to 1.
    pub tension: f64,
    /// Early-warning coverage, 0 to 1.
    pub early_warning: f64,
    /// Trust in the mission, 0 to 1.
    pub trust_in_mission: f64,
    /// Trust in the state, 0 to 1.
    pub trust_in_state: f64,
    /// Mean political voice, 0 to 1.
    pub political_voice: f64,
    /// Share of the residents displaced at the start, 0 to 0.9.
    pub displaced_at_start: f64,
    /// Protection site, if any.
    pub site: Option<SiteSpec>,
}

/// An undirected link.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// Lower locality index.
    pub a: u32,
    /// Higher locality index.
    pub b: u32,
    /// Euclidean distance, km.
    pub distance_km: f64,
}

/// A validated armed group.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmedGroupSpec {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: GroupKind,
    /// Fighters at the start, in people.
    pub fighters: f64,
    /// Locality indices of initial presence.
    pub presence: Vec<u32>,
    /// Recruits from identity `i` if `recruits_from[i]`.
    pub recruits_from: Vec<bool>,
    /// Targets identity `i` if `hostile_to[i]`.
    pub hostile_to: Vec<bool>,
    /// Indices of groups it fights.
    pub enemies: Vec<u32>,
    /// Aligned with the host state.
    pub state_aligned: bool,
    /// Predation propensity.
    pub predation: f64,
    /// Discipline.
    pub discipline: f64,
    /// Deterrence sensitivity.
    pub deterrence_sensitivity: f64,
    /// Reach, km.
    pub reach_km: f64,
    /// Attacks per 100 fighters per day.
    pub attack_rate_per_100_fighters_day: f64,
    /// Civilians killed per attack.
    pub kills_per_attack: f64,
    /// Propensity to attack the mission.
    pub attacks_mission: f64,
    /// Propensity to attack protection sites.
    pub attacks_sites: f64,
    /// Propensity to attack visible projects.
    pub spoiler: f64,
    /// Child abductions per 1,000 fighters per day.
    pub child_recruitment_per_1000_fighters_day: f64,
    /// Resources, US$.
    pub resources_usd: f64,
    /// First active tick.
    pub active_from_tick: u32,
}

/// Pillar weights; they sum to 1.
pub type PillarWeights = PerPillar<f64>;

/// The mission's policy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Pillar weights, summing to 1: the mandate's split of the discretionary budget (`None`
    /// under `bottom_up`, where communities set it).
    pub weights: Option<PillarWeights>,
    /// Allocation rule.
    pub allocation: Allocation,
    /// Blend share toward bottom-up (used by `blend`; 0 for top-down, 1 for bottom-up).
    pub blend_share: f64,
}

impl Policy {
    /// Share of the way from top-down to bottom-up allocation that this policy takes.
    #[must_use]
    pub fn bottom_up_share(&self) -> f64 {
        match self.allocation {
            Allocation::TopDown => 0.0,
            Allocation::BottomUp => 1.0,
            Allocation::Blend => self.blend_share,
        }
    }
}

/// A validated mission.
#[derive(Debug, Clone, PartialEq)]
pub struct MissionSpec {
    /// Name.
    pub name: String,
    /// Authorised troops.
    pub troops: f64,
    /// Authorised police.
    pub police: f64,
    /// Unarmed observers.
    pub observers: f64,
    /// Civilian staff.
    pub civilians: f64,
    /// Whole budget (personnel, operations and programmes), US$ per day.
    pub budget_usd_per_day: f64,
    /// Start tick.
    pub start_tick: u32,
    /// Ramp-up, days.
    pub ramp_up_days: f64,
    /// Initial deployed share.
    pub initial_deployed_share: f64,
    /// Mandate.
    pub mandate: Mandate,
    /// Posture.
    pub posture: f64,
    /// Initial host consent.
    pub host_consent: f64,
    /// Consent threshold.
    pub consent_threshold: f64,
    /// Drawdown days.
    pub drawdown_days: f64,
    /// Days to limited protection authority after a withdrawal order.
    pub poc_rampdown_days: f64,
    /// Planning interval, days.
    pub planning_interval_days: u32,
    /// Troops per unit.
    pub troops_per_unit: f64,
    /// Police per unit.
    pub police_per_unit: f64,
    /// Offensives also target state-aligned groups.
    pub offensive_targets_state: bool,
    /// Whether units may be deployed in each locality.
    pub deployable: Vec<bool>,
    /// Policy.
    pub policy: Policy,
}

/// What a scheduled event does.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// Infects `cases` people in a locality.
    EpidemicSeed {
        /// Locality index.
        locality: u32,
        /// People infected.
        cases: f64,
    },
    /// Environmental stress.
    Drought {
        /// Locality indices hit.
        localities: Vec<u32>,
        /// Stress reached.
        severity: f64,
    },
    /// Food price shock.
    PriceShock {
        /// Locality indices hit.
        localities: Vec<u32>,
        /// Price multiplier.
        multiplier: f64,
    },
    /// Consent set to a level.
    ConsentWithdrawal {
        /// Consent after the event.
        consent: f64,
    },
    /// A coup.
    Coup {
        /// Share of trust in the state lost.
        state_trust_drop: f64,
        /// Consent lost.
        consent_drop: f64,
        /// Predation added to state forces.
        state_predation_increase: f64,
    },
    /// Budget cut.
    BudgetCut {
        /// Remaining share.
        budget_share: f64,
    },
    /// Personnel drawdown.
    Drawdown {
        /// Remaining share.
        personnel_share: f64,
        /// Days.
        over_days: f64,
    },
    /// Armed-group surge.
    ArmedGroupSurge {
        /// Group index.
        group: u32,
        /// Fighters added, in people.
        fighters: f64,
        /// Locality index.
        locality: u32,
    },
    /// Armed-group split.
    ArmedGroupSplit {
        /// Group index that splits.
        group: u32,
        /// Group index joined.
        new_group: u32,
        /// Share of fighters that leave.
        share: f64,
    },
    /// Groups stop attacking, fighting and recruiting.
    Ceasefire {
        /// Group indices.
        groups: Vec<u32>,
    },
    /// A protection site's capacity changes (opens, grows, shrinks, closes).
    SiteCapacity {
        /// Locality index (it declares a protection site).
        locality: u32,
        /// Capacity from then on, in people.
        capacity: f64,
    },
    /// Mandate change.
    MandateChange {
        /// New weights.
        weights: Option<PillarWeights>,
        /// New allocation rule.
        allocation: Option<Allocation>,
        /// New blend share.
        blend_share: Option<f64>,
        /// New mandate.
        mandate: Option<Mandate>,
        /// New posture.
        posture: Option<f64>,
    },
}

impl EventKind {
    /// Snake-case name used in files and outputs.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::EpidemicSeed { .. } => "epidemic_seed",
            Self::Drought { .. } => "drought",
            Self::PriceShock { .. } => "price_shock",
            Self::ConsentWithdrawal { .. } => "consent_withdrawal",
            Self::Coup { .. } => "coup",
            Self::BudgetCut { .. } => "budget_cut",
            Self::Drawdown { .. } => "drawdown",
            Self::ArmedGroupSurge { .. } => "armed_group_surge",
            Self::ArmedGroupSplit { .. } => "armed_group_split",
            Self::Ceasefire { .. } => "ceasefire",
            Self::SiteCapacity { .. } => "site_capacity",
            Self::MandateChange { .. } => "mandate_change",
        }
    }
}

/// A validated scheduled event.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledEvent {
    /// Tick at whose start it happens (1 to ticks).
    pub tick: u32,
    /// What it does.
    pub kind: EventKind,
}

/// Validated `[indicators]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndicatorSettings {
    /// Alkire-Foster cutoff k.
    pub k: f64,
    /// Dimension weights in [`DIMENSIONS`] order; sum to 1.
    pub weights: [f64; 7],
    /// Deprivation cutoffs.
    pub cutoffs: RawCutoffs,
}

/// A `PATH=VALUE` override applied to a scenario before validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Field path, e.g. `mission.troops` or `localities[name=Juba].population`.
    pub path: String,
    /// New value.
    pub value: toml::Value,
}

impl Override {
    /// Parses `PATH=VALUE`, reading VALUE as TOML (or as a bare string).
    ///
    /// # Errors
    /// [`Error::Usage`] if there is no `=` or the path is empty.
    pub fn parse(text: &str) -> Result<Self> {
        // The first `=` outside brackets separates path and value: selectors such as
        // `localities[name=Capital]` contain `=` themselves.
        let mut depth = 0_i32;
        let split = text.char_indices().find_map(|(i, c)| {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                '=' if depth == 0 => return Some(i),
                _ => {}
            }
            None
        });
        let (path, value) = split
            .map(|i| (&text[..i], &text[i + 1..]))
            .ok_or_else(|| Error::Usage(format!("override `{text}` must look like PATH=VALUE, e.g. mission.troops=4000")))?;
        let path = path.trim();
        if path.is_empty() {
            return Err(Error::Usage(format!("override `{text}` has an empty field path")));
        }
        Ok(Self {
            path: path.to_string(),
            value: document::parse_value(value.trim()),
        })
    }

    /// Renders as `path=value`.
    #[must_use]
    pub fn render(&self) -> String {
        format!("{}={}", self.path, self.value)
    }
}

/// Lower-case identifier made from a name, for column names (`Rebels of the North` → `rebels_of_the_north`).
#[must_use]
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_underscore = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            last_underscore = false;
        } else if !last_underscore {
            out.push('_');
            last_underscore = true;
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() { "x".to_string() } else { out }
}

/// SHA-256 of bytes, as lower-case hex.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Scenario {
    /// Loads and validates a scenario file.
    ///
    /// # Errors
    /// [`Error::Read`], [`Error::Parse`] or [`Error::Invalid`], naming the file, line, field and rule.
    pub fn from_path(path: &Path) -> Result<Self> {
        Self::from_path_with_overrides(path, &[])
    }

    /// Loads a scenario file, applies overrides, and validates the result.
    ///
    /// # Errors
    /// As [`Scenario::from_path`]; an override that names a missing field is reported with its path.
    pub fn from_path_with_overrides(path: &Path, overrides: &[Override]) -> Result<Self> {
        let text = document::read_text(path)?;
        Self::from_toml_str_with_overrides(&text, path, overrides)
    }

    /// Parses and validates scenario text; `path` is used in messages only.
    ///
    /// # Errors
    /// [`Error::Parse`] or [`Error::Invalid`].
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Self> {
        Self::from_toml_str_with_overrides(text, path, &[])
    }

    /// Parses scenario text, applies overrides, and validates.
    ///
    /// # Errors
    /// [`Error::Parse`] or [`Error::Invalid`].
    pub fn from_toml_str_with_overrides(text: &str, path: &Path, overrides: &[Override]) -> Result<Self> {
        let mut table = document::parse_table(text, path)?;
        let pairs: Vec<(String, toml::Value)> = overrides.iter().map(|o| (o.path.clone(), o.value.clone())).collect();
        if let Err(mut errors) = document::apply_overrides(&mut table, &pairs) {
            errors.locate(|_| None);
            return Err(Error::Invalid {
                path: override_label(path),
                errors,
            });
        }
        if let Some(model) = table.get("model").and_then(toml::Value::as_str)
            && model != "peacesim"
        {
            let mut errors = FieldErrors::default();
            errors.push(
                "model",
                format!("this command runs the main model; `{model}` scenarios run with `peacesim run` too, but not here"),
            );
            errors.locate(|p| document::line_of_path(text, p));
            return Err(Error::Invalid {
                path: path.to_path_buf(),
                errors,
            });
        }
        // An unknown key is reported with everything else: it does not hide range errors.
        let mut read = document::deserialize_past_unknown_keys::<raw::RawScenario>(table, text);
        let problems = read.problems(&FieldErrors::default());
        let label = schema_label(path, overrides, &problems);
        let Some(raw) = read.value.take() else {
            return Err(problems_error(label, problems));
        };
        let source = Source {
            file: path.display().to_string(),
            sha256: sha256_hex(text.as_bytes()),
            overrides: overrides.iter().map(Override::render).collect(),
        };
        match validate::validate(raw, source) {
            Ok(scenario) if problems.is_empty() => Ok(scenario),
            Ok(_) => Err(problems_error(label, problems)),
            Err(mut errors) => {
                errors.locate(|p| document::line_of_path(text, p));
                Err(Error::Invalid {
                    path: label,
                    errors: read.problems(&errors),
                })
            }
        }
    }

    /// Total agents across localities.
    #[must_use]
    pub fn total_agents(&self) -> u64 {
        self.localities.iter().map(|l| u64::from(l.agents)).sum()
    }

    /// Total residents, in people.
    #[must_use]
    pub fn total_population(&self) -> u64 {
        self.localities.iter().map(|l| l.population).sum()
    }

    /// Column-safe names of the armed groups.
    #[must_use]
    pub fn group_slugs(&self) -> Vec<String> {
        self.armed_groups.iter().map(|g| slug(&g.name)).collect()
    }
}

fn override_label(path: &Path) -> PathBuf {
    PathBuf::from(format!("{} (overrides)", path.display()))
}

/// How a file is named in problems found while reading it into its schema: with overrides,
/// `FILE (after overrides)` (an unknown key may come from an override rather than the file).
pub(crate) fn schema_label(path: &Path, overrides: &[Override], problems: &FieldErrors) -> PathBuf {
    if overrides.is_empty() || problems.is_empty() {
        path.to_path_buf()
    } else {
        PathBuf::from(format!("{} (after overrides)", path.display()))
    }
}

/// One problem reading a file into its schema is a parse error, as always; several (unknown
/// keys set aside, then another) are listed each with the file, as validation errors are.
pub(crate) fn problems_error(path: PathBuf, errors: FieldErrors) -> Error {
    if errors.len() == 1 {
        Error::Parse { path, errors }
    } else {
        Error::Invalid { path, errors }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_split_at_the_first_equals_sign_outside_brackets() {
        let o = Override::parse("localities[name=Capital].population=50000").unwrap();
        assert_eq!(o.path, "localities[name=Capital].population");
        assert_eq!(o.value, toml::Value::Integer(50000));
        let w = Override::parse("mission.policy.weights={protection=1,health=0,economic=0,empowerment=0}").unwrap();
        assert_eq!(w.path, "mission.policy.weights");
        assert!(Override::parse("localities[name=Capital]").is_err());
    }

    #[test]
    fn slugs_are_column_safe() {
        assert_eq!(slug("Rebels of the North"), "rebels_of_the_north");
        assert_eq!(slug("SPLA-IO"), "spla_io");
        assert_eq!(slug("!!"), "x");
    }

    #[test]
    fn overrides_parse_path_and_value() {
        let o = Override::parse("mission.troops=4000").unwrap();
        assert_eq!(o.path, "mission.troops");
        assert_eq!(o.value, toml::Value::Integer(4000));
        assert!(Override::parse("nonsense").is_err());
    }
}
