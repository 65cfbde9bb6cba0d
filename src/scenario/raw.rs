//! The scenario file as written: serde structs that mirror the TOML one to one.
//!
//! Unknown keys are rejected; missing optional keys take the documented defaults. Nothing here
//! checks ranges or cross-references: `validate.rs` does that and turns these structs into a
//! [`Scenario`](super::Scenario). Counts are signed here so that a negative number gets a clear
//! validation message rather than a type error.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::FieldErrors;
use super::params::{ParamInfo, Rules, check_range};

/// A whole scenario file.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Format version of the file; this build reads version 1.
    pub schema_version: i64,
    /// Which model the file describes: `peacesim` (default) or `epstein`.
    #[serde(default = "default_model")]
    pub model: String,
    /// Short title of the scenario.
    pub name: String,
    /// One-line description, listed by `peacesim scenarios`.
    #[serde(default)]
    pub description: String,
    /// Longer narrative: what real situation it is stylised from and what is assumed.
    #[serde(default)]
    pub narrative: String,
    /// Run settings.
    pub run: RawRun,
    /// Population-wide settings.
    #[serde(default)]
    pub population: RawPopulation,
    /// Identity groups (ethnic, religious, political communities).
    #[serde(default)]
    pub identity_groups: Vec<RawIdentityGroup>,
    /// Localities (settlements or districts) on a graph.
    #[serde(default)]
    pub localities: Vec<RawLocality>,
    /// How localities are linked.
    #[serde(default)]
    pub network: RawNetwork,
    /// Armed groups, including host-state forces.
    #[serde(default)]
    pub armed_groups: Vec<RawArmedGroup>,
    /// The peace operation; absent means no mission.
    #[serde(default)]
    pub mission: Option<RawMission>,
    /// Scheduled events.
    #[serde(default)]
    pub events: Vec<RawEvent>,
    /// Indicator settings (deprivation cutoffs, Alkire-Foster k and weights).
    #[serde(default)]
    pub indicators: RawIndicators,
    /// Mechanism parameters.
    #[serde(default)]
    pub rules: Rules,
}

fn default_model() -> String {
    "peacesim".to_string()
}

/// `[run]`: length, tick size, seed and output thinning.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    /// Number of ticks to simulate (required; 1 to 36,500).
    pub ticks: i64,
    /// Length of one tick, in days (default 1; 0.25 to 30). Rates in the file are per day.
    #[serde(default = "one")]
    pub tick_length_days: f64,
    /// Run seed (default 1; 0 to 2^53 - 1, so that it is exact in a double).
    #[serde(default = "one_u64")]
    pub seed: u64,
    /// Write per-locality rows every this many ticks (default 1 = every tick).
    #[serde(default = "one_i64")]
    pub locality_output_every_ticks: i64,
}

fn one() -> f64 {
    1.0
}
fn one_u64() -> u64 {
    1
}
fn one_i64() -> i64 {
    1
}

/// `[population]`: demography shared by all localities unless a locality overrides it.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RawPopulation {
    /// People represented by one agent (default 1; 1 to 1,000,000). Outputs are always in people.
    pub people_per_agent: f64,
    /// Age-band shares: child (0-14), youth (15-24), adult (25-59), elder (60+); must sum to 1.
    pub age_band_shares: RawAgeShares,
    /// Share of women and girls (default 0.5; 0 to 1).
    pub female_share: f64,
    /// Median livelihood, in subsistence lines (default 1.3; 0 to 100).
    pub livelihood_median: f64,
    /// Log-normal spread of livelihoods (default 0.6; 0 to 5).
    pub livelihood_sigma: f64,
    /// Share of people without safe drinking water (the global MPI's indicator: no improved
    /// source within a 30-minute round trip), in towns and in rural districts, each 0 to 1
    /// (default 0). A locality may set its own.
    pub unsafe_water_share: RawUrbanRural,
}

/// A value for towns and one for rural districts.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RawUrbanRural {
    /// In `urban` localities.
    pub urban: f64,
    /// In `rural` localities.
    pub rural: f64,
}

impl Default for RawPopulation {
    fn default() -> Self {
        Self {
            people_per_agent: 1.0,
            age_band_shares: RawAgeShares::default(),
            female_share: 0.5,
            livelihood_median: 1.3,
            livelihood_sigma: 0.6,
            unsafe_water_share: RawUrbanRural::default(),
        }
    }
}

/// Age-band shares of the population.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RawAgeShares {
    /// Children, 0-14 (default 0.42).
    pub child: f64,
    /// Youth, 15-24 (default 0.2).
    pub youth: f64,
    /// Adults, 25-59 (default 0.33).
    pub adult: f64,
    /// Elders, 60+ (default 0.05).
    pub elder: f64,
}

impl Default for RawAgeShares {
    fn default() -> Self {
        // NOTE: a young population typical of the countries peace operations deploy to
        // (UN DESA World Population Prospects, sub-Saharan Africa: about 42 % under 15).
        Self {
            child: 0.42,
            youth: 0.2,
            adult: 0.33,
            elder: 0.05,
        }
    }
}

/// `[[identity_groups]]`: one identity group.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIdentityGroup {
    /// Unique name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
}

/// Kind of locality; sets default services and whether people farm.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LocalityKind {
    /// A town or city: better services and markets, livelihoods less exposed to drought.
    Urban,
    /// A rural district: farming livelihoods exposed to drought.
    #[default]
    Rural,
}

/// `[[localities]]`: one settlement or district.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLocality {
    /// Unique name.
    pub name: String,
    /// East coordinate, in km.
    pub x_km: f64,
    /// North coordinate, in km.
    pub y_km: f64,
    /// `urban` or `rural` (default rural).
    #[serde(default)]
    pub kind: LocalityKind,
    /// Resident population, in people (0 to 100,000,000).
    pub population: i64,
    /// Identity-group shares of the residents; must sum to 1. May be omitted with one identity group.
    #[serde(default)]
    pub composition: BTreeMap<String, f64>,
    /// Median livelihood here, in subsistence lines (default: `population.livelihood_median`).
    #[serde(default)]
    pub livelihood_median: Option<f64>,
    /// Health-service access, 0 to 1 (default 0.7 urban, 0.35 rural).
    #[serde(default)]
    pub health_access_share: Option<f64>,
    /// Market functioning, 0 to 1 (default 0.9 urban, 0.7 rural).
    #[serde(default)]
    pub market_share: Option<f64>,
    /// Share of the residents without safe drinking water, 0 to 1 (default:
    /// `population.unsafe_water_share` for the locality's kind).
    #[serde(default)]
    pub unsafe_water_share: Option<f64>,
    /// Lootable resources (mines, cattle, checkpoints), 0 to 1 (default 0.2).
    #[serde(default = "default_loot")]
    pub lootable_resources_share: f64,
    /// Social cohesion, 0 to 1 (default 0.6).
    #[serde(default = "default_cohesion")]
    pub cohesion_share: f64,
    /// Inter-group tension, 0 to 1 (default 0.2).
    #[serde(default = "default_tension")]
    pub tension_share: f64,
    /// Early-warning network coverage, 0 to 1 (default 0.1).
    #[serde(default = "default_early_warning")]
    pub early_warning_share: f64,
    /// Trust in the mission, 0 to 1 (default 0.5).
    #[serde(default = "half")]
    pub trust_in_mission_share: f64,
    /// Trust in the state, 0 to 1 (default 0.5).
    #[serde(default = "half")]
    pub trust_in_state_share: f64,
    /// Mean political voice of residents, 0 to 1 (default 0.5).
    #[serde(default = "half")]
    pub political_voice_share: f64,
    /// Share of the residents already displaced when the run starts (protracted displacement),
    /// 0 to 0.9 (default 0). They are placed by the flight rule at tick 0.
    #[serde(default)]
    pub displaced_at_start_share: f64,
    /// Explicit links to other localities, by name.
    #[serde(default)]
    pub neighbours: Vec<String>,
    /// A protection-of-civilians site at this locality.
    #[serde(default)]
    pub protection_site: Option<RawProtectionSite>,
}

fn default_loot() -> f64 {
    0.2
}
fn default_cohesion() -> f64 {
    0.6
}
fn default_tension() -> f64 {
    0.2
}
fn default_early_warning() -> f64 {
    0.1
}
fn half() -> f64 {
    0.5
}

/// `protection_site = { ... }`: a site inside or beside a mission base.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawProtectionSite {
    /// Largest number of residents, in people.
    pub capacity: i64,
    /// Readiness of the guard force, 0 to 1 (default 0.7): sites are protected by posture, not headcount alone.
    #[serde(default = "default_posture")]
    pub guard_posture_share: f64,
    /// Level of services (health care, food rations, water) in the site, 0 to 1 (default 0.8).
    #[serde(default = "default_site_services")]
    pub services_share: f64,
}

fn default_posture() -> f64 {
    0.7
}
fn default_site_services() -> f64 {
    0.8
}

/// How localities are linked into a graph.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkRule {
    /// Only the `neighbours` listed in each locality.
    Explicit,
    /// Each locality linked to its `k_nearest` nearest, plus the explicit ones.
    #[default]
    Nearest,
    /// Every pair closer than `max_link_km`, plus the explicit ones.
    Threshold,
}

/// `[network]`: the locality graph.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RawNetwork {
    /// `explicit`, `nearest` (default) or `threshold`.
    pub rule: LinkRule,
    /// Nearest neighbours per locality for the `nearest` rule (default 3; 1 to 50).
    pub k_nearest: i64,
    /// Longest link for the `threshold` rule, in km (default 150).
    pub max_link_km: f64,
    /// Whether the graph must be connected (default true).
    pub require_connected: bool,
}

impl Default for RawNetwork {
    fn default() -> Self {
        Self {
            rule: LinkRule::Nearest,
            k_nearest: 3,
            max_link_km: 150.0,
            require_connected: true,
        }
    }
}

/// Kind of armed group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// A rebel group fighting the state.
    Rebel,
    /// A militia (identity-based or political).
    Militia,
    /// Host-state forces.
    State,
}

impl GroupKind {
    /// Lower-case name used in outputs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rebel => "rebel",
            Self::Militia => "militia",
            Self::State => "state",
        }
    }
}

/// `[[armed_groups]]`: one armed group.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawArmedGroup {
    /// Unique name.
    pub name: String,
    /// `rebel`, `militia` or `state`.
    pub kind: GroupKind,
    /// Fighters at the start, in people (0 to 10,000,000).
    pub fighters: i64,
    /// Localities where its fighters are at the start, by name (at least one).
    pub presence: Vec<String>,
    /// Identity groups it recruits from (omitted: all; `[]`: none, e.g. foreign forces).
    #[serde(default)]
    pub recruits_from: Option<Vec<String>>,
    /// Identity groups it targets in identity-based attacks (default: none).
    #[serde(default)]
    pub hostile_to: Vec<String>,
    /// Armed groups it fights, by name (default: state forces fight every non-state group and vice versa).
    #[serde(default)]
    pub enemies: Option<Vec<String>>,
    /// Whether it is aligned with the host state (default: true for `state`, false otherwise).
    #[serde(default)]
    pub state_aligned: Option<bool>,
    /// Propensity to prey on civilians for loot, 0 to 1 (default 0.3).
    #[serde(default = "default_predation")]
    pub predation_share: f64,
    /// Discipline, 0 to 1 (default 0.5): lowers lethality of attacks and raises cohesion.
    #[serde(default = "half")]
    pub discipline_share: f64,
    /// How strongly peacekeeper presence deters it, 0 to 1 (default 0.95 rebel, 0.9 militia, 0.3 state).
    #[serde(default)]
    pub deterrence_sensitivity_share: Option<f64>,
    /// Farthest target from a locality where it is present, in km (default 80).
    #[serde(default = "default_reach")]
    pub reach_km: f64,
    /// Attacks on civilians per 100 fighters per day at full intent (default 0.01).
    #[serde(default = "default_attack_rate")]
    pub attack_rate_per_100_fighters_day: f64,
    /// Expected civilians killed per attack before response and discipline (default 2.0).
    #[serde(default = "default_kills")]
    pub kills_per_attack: f64,
    /// Propensity to attack mission units, 0 to 1 (default 0).
    #[serde(default)]
    pub attacks_mission_share: f64,
    /// Propensity to attack protection sites holding people it is hostile to, 0 to 1 (default 0.5).
    #[serde(default = "half")]
    pub attacks_sites_share: f64,
    /// Propensity to attack visible development projects (spoiler behaviour, D9), 0 to 1 (default 0).
    #[serde(default)]
    pub spoiler_share: f64,
    /// Daily rate at which it abducts children present where it is, per 1,000 fighters (default 0).
    #[serde(default)]
    pub child_recruitment_per_1000_fighters_day: f64,
    /// Resources at the start, in US$ (default 100,000).
    #[serde(default = "default_resources")]
    pub resources_usd: f64,
    /// First tick at which it acts (default 0; later for a group that appears or splits off).
    #[serde(default)]
    pub active_from_tick: i64,
}

fn default_predation() -> f64 {
    0.3
}
fn default_reach() -> f64 {
    80.0
}
fn default_attack_rate() -> f64 {
    0.01
}
fn default_kills() -> f64 {
    2.0
}
fn default_resources() -> f64 {
    100_000.0
}

/// Mandate strength of the mission.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mandate {
    /// Unarmed observation: reports, does not deter.
    Observer,
    /// Traditional peacekeeping: self-defence, partial deterrence.
    #[default]
    Traditional,
    /// Robust mandate with authority to use force to protect civilians (and offensive operations).
    Robust,
}

impl Mandate {
    /// Lower-case name used in outputs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Observer => "observer",
            Self::Traditional => "traditional",
            Self::Robust => "robust",
        }
    }
}

/// How the mission allocates effort across localities and pillars.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Allocation {
    /// Fixed pillar weights; units go where the mission's own threat estimate is highest.
    #[default]
    TopDown,
    /// Pillar effort per locality follows the needs residents express through engagement.
    BottomUp,
    /// A mix of the two, `blend_share` of the way toward bottom-up.
    Blend,
}

impl Allocation {
    /// Lower-case name used in outputs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TopDown => "top_down",
            Self::BottomUp => "bottom_up",
            Self::Blend => "blend",
        }
    }
}

/// Policy weights over the pillars (one key per [`crate::pillar::Pillar`]); must sum to 1.
pub type RawWeights = crate::pillar::PerPillar<f64>;

/// `[mission.policy]`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// Pillar weights: how the mandate splits the discretionary budget. Required under
    /// `top_down` and `blend`; refused under `bottom_up`, where communities' voiced needs set
    /// the split.
    #[serde(default)]
    pub weights: Option<RawWeights>,
    /// `top_down` (default), `bottom_up` or `blend`.
    #[serde(default)]
    pub allocation: Allocation,
    /// For `blend` only: share of the way from top-down to bottom-up, 0 to 1 (default 0.5).
    #[serde(default)]
    pub blend_share: Option<f64>,
}

/// `[mission]`: the peace operation.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMission {
    /// Mission name (default "Mission").
    #[serde(default = "default_mission_name")]
    pub name: String,
    /// Authorised armed troops (0 to 1,000,000).
    #[serde(default)]
    pub troops: i64,
    /// Authorised police (0 to 1,000,000).
    #[serde(default)]
    pub police: i64,
    /// Unarmed military observers: they report but do not deter (0 to 100,000).
    #[serde(default)]
    pub observers: i64,
    /// Civilian staff who implement health, economic and empowerment programmes (0 to 100,000).
    #[serde(default)]
    pub civilians: i64,
    /// The mission's whole budget in US$ per day (0 to 1e9), as in an approved UN budget: it pays
    /// the deployed personnel first (`[rules.costs]`), and the policy splits the rest over
    /// operations (the protection pillar) and programmes.
    #[serde(default)]
    pub budget_usd_per_day: f64,
    /// Tick at which the mission starts deploying (default 0).
    #[serde(default)]
    pub start_tick: i64,
    /// Days from the start to full deployment (default 180; 0 to 3650).
    #[serde(default = "default_ramp")]
    pub ramp_up_days: f64,
    /// Share of authorised personnel deployed at the start (default 0.3).
    #[serde(default = "default_initial_deployed")]
    pub initial_deployed_share: f64,
    /// `observer`, `traditional` (default) or `robust`.
    #[serde(default)]
    pub mandate: Mandate,
    /// Readiness and willingness to use force, 0 to 1 (default 0.6).
    #[serde(default = "default_mission_posture")]
    pub posture_share: f64,
    /// Host-state consent at the start, 0 to 1 (default 0.8).
    #[serde(default = "default_consent")]
    pub host_consent_share: f64,
    /// Consent below which the host state orders withdrawal, 0 to 1 (default 0.3).
    #[serde(default = "default_consent_threshold")]
    pub consent_threshold_share: f64,
    /// Days over which personnel are withdrawn once withdrawal is ordered (default 180; MINUSMA about 6 months).
    #[serde(default = "default_drawdown")]
    pub drawdown_days: f64,
    /// Days after a withdrawal order until protection authority is limited (default 90; MINUSMA 3 months).
    #[serde(default = "default_poc_rampdown")]
    pub poc_rampdown_days: f64,
    /// Days between planning rounds (default 7; 1 to 365).
    #[serde(default = "default_planning")]
    pub planning_interval_days: i64,
    /// Troops per deployable unit (default 150, a company).
    #[serde(default = "default_troops_per_unit")]
    pub troops_per_unit: i64,
    /// Police per deployable unit (default 140, a formed police unit).
    #[serde(default = "default_police_per_unit")]
    pub police_per_unit: i64,
    /// Whether a robust mission's offensive operations also target state-aligned groups (default false).
    #[serde(default)]
    pub offensive_targets_state: bool,
    /// Localities where units may be deployed, by name (default: all; e.g. the mission's bases).
    #[serde(default)]
    pub deploy_to: Vec<String>,
    /// Policy weights and allocation rule.
    pub policy: RawPolicy,
}

fn default_mission_name() -> String {
    "Mission".to_string()
}
fn default_ramp() -> f64 {
    180.0
}
fn default_initial_deployed() -> f64 {
    0.3
}
fn default_mission_posture() -> f64 {
    0.6
}
fn default_consent() -> f64 {
    0.8
}
fn default_consent_threshold() -> f64 {
    0.3
}
fn default_drawdown() -> f64 {
    180.0
}
fn default_poc_rampdown() -> f64 {
    90.0
}
fn default_planning() -> i64 {
    7
}
fn default_troops_per_unit() -> i64 {
    150
}
fn default_police_per_unit() -> i64 {
    140
}

/// `[[events]]`: a scheduled event, tagged by `kind`.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawEvent {
    /// Infects `cases` people in a locality.
    EpidemicSeed {
        /// Tick at which it happens (1 to ticks).
        tick: i64,
        /// Locality, by name.
        locality: String,
        /// Number of people infected (exposed), in people.
        cases: i64,
    },
    /// Raises environmental stress (drought or flood) in some or all localities.
    Drought {
        /// Tick at which it happens.
        tick: i64,
        /// Localities hit, by name (empty = all).
        #[serde(default)]
        localities: Vec<String>,
        /// Environmental stress reached, 0 to 1.
        severity_share: f64,
    },
    /// Multiplies food prices in some or all localities; prices then return to normal.
    PriceShock {
        /// Tick at which it happens.
        tick: i64,
        /// Localities hit, by name (empty = all).
        #[serde(default)]
        localities: Vec<String>,
        /// Price multiplier, 1 to 20.
        price_multiplier: f64,
    },
    /// The host state withdraws consent: consent is set to this level.
    ConsentWithdrawal {
        /// Tick at which it happens.
        tick: i64,
        /// Consent after the event, 0 to 1.
        consent_share: f64,
    },
    /// A coup: trust in the state falls, consent falls, state forces prey more on civilians.
    Coup {
        /// Tick at which it happens.
        tick: i64,
        /// Fall in trust in the state everywhere, 0 to 1 (share of current trust).
        state_trust_drop_share: f64,
        /// Fall in host consent, 0 to 1 (absolute).
        consent_drop_share: f64,
        /// Rise of state forces' predation propensity, 0 to 1 (absolute, capped at 1).
        state_predation_increase_share: f64,
    },
    /// The mission budget is multiplied by `budget_share`.
    BudgetCut {
        /// Tick at which it happens.
        tick: i64,
        /// Remaining share of the budget, 0 to 1.
        budget_share: f64,
    },
    /// Authorised personnel are reduced to `personnel_share` of the current level over `over_days`.
    Drawdown {
        /// Tick at which it starts.
        tick: i64,
        /// Remaining share of authorised personnel, 0 to 1.
        personnel_share: f64,
        /// Days over which the reduction happens (0 = at once).
        over_days: f64,
    },
    /// An armed group gains fighters recruited from a locality.
    ArmedGroupSurge {
        /// Tick at which it happens.
        tick: i64,
        /// Armed group, by name.
        group: String,
        /// Fighters added, in people.
        fighters: i64,
        /// Locality where they are recruited (default: the group's first presence locality).
        #[serde(default)]
        locality: Option<String>,
    },
    /// A share of one group's fighters leave to form another group (declared with `active_from_tick`).
    ArmedGroupSplit {
        /// Tick at which it happens.
        tick: i64,
        /// Group that splits, by name.
        group: String,
        /// Group the fighters join, by name.
        new_group: String,
        /// Share of fighters that leave, 0 to 1.
        share: f64,
    },
    /// Armed groups stop attacking, fighting and recruiting (their fighters stay).
    Ceasefire {
        /// Tick at which it starts.
        tick: i64,
        /// Groups that stop, by name (empty = all).
        #[serde(default)]
        groups: Vec<String>,
    },
    /// A protection site opens, grows, shrinks or closes: its capacity becomes `capacity`. The
    /// locality must declare a `protection_site` (its guard posture and services); one that opens
    /// later is declared with `capacity = 0`. Residents above a smaller capacity stay; nobody is
    /// admitted until there is room again.
    SiteCapacity {
        /// Tick at which it happens.
        tick: i64,
        /// Locality of the site, by name.
        locality: String,
        /// Largest number of residents from then on, in people (0 closes the site to newcomers).
        capacity: i64,
    },
    /// The mandate changes: any of the given fields replace the current ones.
    MandateChange {
        /// Tick at which it happens.
        tick: i64,
        /// New pillar weights.
        #[serde(default)]
        weights: Option<RawWeights>,
        /// New allocation rule.
        #[serde(default)]
        allocation: Option<Allocation>,
        /// New blend share.
        #[serde(default)]
        blend_share: Option<f64>,
        /// New mandate strength.
        #[serde(default)]
        mandate: Option<Mandate>,
        /// New posture.
        #[serde(default)]
        posture_share: Option<f64>,
    },
}

impl RawEvent {
    /// The tick the event is scheduled at.
    #[must_use]
    pub fn tick(&self) -> i64 {
        match self {
            Self::EpidemicSeed { tick, .. }
            | Self::Drought { tick, .. }
            | Self::PriceShock { tick, .. }
            | Self::ConsentWithdrawal { tick, .. }
            | Self::Coup { tick, .. }
            | Self::BudgetCut { tick, .. }
            | Self::Drawdown { tick, .. }
            | Self::ArmedGroupSurge { tick, .. }
            | Self::ArmedGroupSplit { tick, .. }
            | Self::Ceasefire { tick, .. }
            | Self::SiteCapacity { tick, .. }
            | Self::MandateChange { tick, .. } => *tick,
        }
    }
}

/// Weights of the seven dimensions in the Alkire-Foster index; must sum to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RawDimensionWeights {
    /// Personal security (default 1/7).
    pub personal: f64,
    /// Community security (default 1/7).
    pub community: f64,
    /// Political security (default 1/7).
    pub political: f64,
    /// Economic security (default 1/7).
    pub economic: f64,
    /// Food security (default 1/7).
    pub food: f64,
    /// Health security (default 1/7).
    pub health: f64,
    /// Environmental security (default 1/7).
    pub environmental: f64,
}

impl Default for RawDimensionWeights {
    fn default() -> Self {
        let w = 1.0 / 7.0;
        Self {
            personal: w,
            community: w,
            political: w,
            economic: w,
            food: w,
            health: w,
            environmental: w,
        }
    }
}

/// Deprivation cutoffs for the seven dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RawCutoffs {
    /// Personal: deprived if victimised within this many days.
    pub personal_victimisation_window_days: i64,
    /// Personal: deprived if perceived insecurity is at least this.
    pub personal_insecurity_share: f64,
    /// Community: the window over which identity-based attacks on a person's group in their locality count.
    pub community_attack_window_days: i64,
    /// Community: deprived if identity-based attacks on the person's group in their locality
    /// within the window reach this many per 10,000 members of the group there.
    pub community_attacks_per_10k: f64,
    /// Community: deprived if inter-group tension is at least this.
    pub community_tension_share: f64,
    /// Political: deprived if political voice is below this.
    pub political_voice_share: f64,
    /// Political: deprived if detained within this many days.
    pub political_detention_window_days: i64,
    /// Economic: deprived if income is below this many subsistence lines.
    pub economic_income_line: f64,
    /// Food: deprived if food security is below this (IPC phase 3 or worse).
    pub food_security_share: f64,
    /// Health: deprived if health access is below this (or if infected or injured).
    pub health_access_share: f64,
    /// Environmental: deprived if environmental stress is at least this without shelter.
    pub environmental_stress_share: f64,
    /// Perceived-insecurity indicator: share of people whose perceived insecurity is at least this.
    pub perceived_insecurity_share: f64,
}

impl Default for RawCutoffs {
    fn default() -> Self {
        Self {
            personal_victimisation_window_days: 30,
            personal_insecurity_share: 0.6,
            community_attack_window_days: 90,
            community_attacks_per_10k: 1.0,
            community_tension_share: 0.6,
            political_voice_share: 0.25,
            political_detention_window_days: 90,
            economic_income_line: 1.0,
            food_security_share: 0.5,
            health_access_share: 0.4,
            environmental_stress_share: 0.4,
            perceived_insecurity_share: 0.5,
        }
    }
}

/// `[indicators]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RawIndicators {
    /// Alkire-Foster cutoff k: identified as insecure if the weighted deprivation score is at least k (default 1/3).
    pub k_share: Option<f64>,
    /// Dimension weights.
    pub weights: RawDimensionWeights,
    /// Deprivation cutoffs.
    pub cutoffs: RawCutoffs,
}

impl RawCutoffs {
    /// Documents every cutoff with its default and range, for `peacesim params` and the ODD.
    #[must_use]
    pub fn catalogue() -> Vec<ParamInfo> {
        let d = Self::default();
        let row = |name: &str, default: String, min: f64, max: f64, unit: &'static str, meaning: &str| ParamInfo {
            path: format!("indicators.cutoffs.{name}"),
            default,
            min,
            max,
            unit,
            source: "our mapping of UNDP 1994 dimensions to indicators (docs/SOURCES.md, HS-indicator-mapping); cutoffs assumption",
            meaning: meaning.to_string(),
        };
        vec![
            row(
                "personal_victimisation_window_days",
                d.personal_victimisation_window_days.to_string(),
                1.0,
                3650.0,
                "days",
                "Personal: deprived if victimised within this many days.",
            ),
            row(
                "personal_insecurity_share",
                d.personal_insecurity_share.to_string(),
                0.0,
                1.0,
                "1",
                "Personal: deprived if perceived insecurity is at least this.",
            ),
            row(
                "community_attack_window_days",
                d.community_attack_window_days.to_string(),
                1.0,
                3650.0,
                "days",
                "Community: window over which identity-based attacks on the person's group in their locality count.",
            ),
            row(
                "community_attacks_per_10k",
                d.community_attacks_per_10k.to_string(),
                0.0,
                10_000.0,
                "attacks/10,000 group members",
                "Community: deprived if identity-based attacks on the person's group in their locality within the window reach this many per 10,000 members there (per head, so that it does not depend on how localities are cut; 1 equals the old 'any attack' rule for a group of 10,000).",
            ),
            row(
                "community_tension_share",
                d.community_tension_share.to_string(),
                0.0,
                1.0,
                "1",
                "Community: deprived if inter-group tension is at least this.",
            ),
            row(
                "political_voice_share",
                d.political_voice_share.to_string(),
                0.0,
                1.0,
                "1",
                "Political: deprived if political voice is below this.",
            ),
            row(
                "political_detention_window_days",
                d.political_detention_window_days.to_string(),
                1.0,
                3650.0,
                "days",
                "Political: deprived if detained within this many days.",
            ),
            row(
                "economic_income_line",
                d.economic_income_line.to_string(),
                0.0,
                100.0,
                "subsistence lines",
                "Economic: deprived if income is below this.",
            ),
            row(
                "food_security_share",
                d.food_security_share.to_string(),
                0.0,
                1.0,
                "1",
                "Food: deprived if food security is below this (IPC phase 3+ analogue).",
            ),
            row(
                "health_access_share",
                d.health_access_share.to_string(),
                0.0,
                1.0,
                "1",
                "Health: deprived if health access is below this, or if infected or injured.",
            ),
            row(
                "environmental_stress_share",
                d.environmental_stress_share.to_string(),
                0.0,
                1.0,
                "1",
                "Environmental: deprived if environmental stress is at least this without shelter.",
            ),
            row(
                "perceived_insecurity_share",
                d.perceived_insecurity_share.to_string(),
                0.0,
                1.0,
                "1",
                "Perceived-insecurity indicator threshold.",
            ),
        ]
    }

    pub(crate) fn check_ranges(&self, errors: &mut FieldErrors) {
        #[allow(clippy::cast_precision_loss, reason = "window lengths are small integers")]
        let values = [
            self.personal_victimisation_window_days as f64,
            self.personal_insecurity_share,
            self.community_attack_window_days as f64,
            self.community_attacks_per_10k,
            self.community_tension_share,
            self.political_voice_share,
            self.political_detention_window_days as f64,
            self.economic_income_line,
            self.food_security_share,
            self.health_access_share,
            self.environmental_stress_share,
            self.perceived_insecurity_share,
        ];
        for (info, value) in Self::catalogue().into_iter().zip(values) {
            check_range(errors, info.path, value, info.min, info.max);
        }
    }
}
