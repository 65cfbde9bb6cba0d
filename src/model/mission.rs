//! The peace operation: mandate, personnel, consent, deployment of units and programme spending.
//!
//! Mission-wide values are scalars; deployments, spending, programme effects and the mission's
//! own (possibly stale) estimates of each locality are columns indexed by locality. The mission
//! only knows what it observed: estimates change where it is present or where early-warning
//! networks report. Data only: planning and effects live in `phases::planning`.

use crate::pillar::PerPillar;
use crate::scenario::{Mandate, MissionSpec, Policy, Scenario};

/// Numbers of mission personnel by category.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Personnel {
    /// Troops (formed military units).
    pub troops: f64,
    /// Police (individual officers and formed units).
    pub police: f64,
    /// Unarmed military observers.
    pub observers: f64,
    /// Civilian staff.
    pub civilians: f64,
}

impl Personnel {
    /// Applies `f` to every category, pairing it with the same category of `other`.
    #[must_use]
    pub fn zip_with(self, other: Self, f: impl Fn(f64, f64) -> f64) -> Self {
        Self {
            troops: f(self.troops, other.troops),
            police: f(self.police, other.police),
            observers: f(self.observers, other.observers),
            civilians: f(self.civilians, other.civilians),
        }
    }

    /// Applies `f` to every category.
    #[must_use]
    pub fn map(self, f: impl Fn(f64) -> f64) -> Self {
        self.zip_with(self, |a, _| f(a))
    }
}

/// A scheduled reduction of authorised personnel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawdownPlan {
    /// Tick the reduction starts.
    pub start_tick: u32,
    /// Authorised personnel when it started.
    pub from: Personnel,
    /// Authorised personnel when it ends.
    pub to: Personnel,
    /// Duration, days.
    pub over_days: f64,
}

/// The mission's state.
#[derive(Debug, Clone)]
pub struct Mission {
    /// The scenario's mission specification (constants).
    pub spec: MissionSpec,
    /// Current policy (changed by mandate-change events).
    pub policy: Policy,
    /// Current mandate strength.
    pub mandate: Mandate,
    /// Current posture, 0 to 1 (before any limit during withdrawal).
    pub posture: f64,
    /// Current budget, US$ per day.
    pub budget_usd_per_day: f64,
    /// Authorised personnel.
    pub authorised: Personnel,
    /// Active drawdown, if any.
    pub drawdown: Option<DrawdownPlan>,
    /// Peacekeepers killed so far (not replaced).
    pub peacekeepers_lost: f64,
    /// Host-state consent, 0 to 1.
    pub consent: f64,
    /// Tick at which the host state ordered withdrawal, if it has.
    pub withdrawal_ordered_tick: Option<u32>,
    /// Personnel deployed now.
    pub deployed: Personnel,
    /// Operational tempo, 0 to 1: the share of deployed troops and police whose operations
    /// (patrols, flights, fuel) the protection budget pays for.
    pub tempo: f64,
    /// Cost of the deployed personnel, US$ per day (paid before anything else).
    pub personnel_usd_per_day: f64,
    /// Budget left after personnel, US$ per day, that the policy splits over the pillars.
    pub discretionary_usd_per_day: f64,
    /// Troops deployed in each locality.
    pub troops_at: Vec<f64>,
    /// Police deployed in each locality.
    pub police_at: Vec<f64>,
    /// Observers deployed in each locality.
    pub observers_at: Vec<f64>,
    /// Spend per locality and pillar, US$ per day.
    pub spend_at: Vec<PerPillar<f64>>,
    /// Health services coverage per locality, 0 to 1.
    pub health_effect: Vec<f64>,
    /// Isolation and treatment beds the health spending runs per locality (as last planned).
    pub isolation_beds: Vec<f64>,
    /// Economic project effect (market recovery) per locality, 0 to 1.
    pub economic_effect: Vec<f64>,
    /// Transfer each person below the subsistence line receives per locality, subsistence lines per day.
    pub transfer: Vec<f64>,
    /// Transfer the current spending buys once running, per locality.
    pub transfer_target: Vec<f64>,
    /// Empowerment (engagement) effect per locality, 0 to 1.
    pub empowerment_effect: Vec<f64>,
    /// Health effect the current spending buys once built up, per locality.
    pub health_target: Vec<f64>,
    /// Economic effect the current spending buys once built up, per locality.
    pub economic_target: Vec<f64>,
    /// Empowerment effect the current spending buys once built up, per locality.
    pub empowerment_target: Vec<f64>,
    /// Visible project spend per person per day above the QIP threshold, per locality (D9).
    pub visible_projects: Vec<f64>,
    /// Estimated civilian victims per 1,000 people over 30 days, per locality (as last observed).
    pub est_threat: Vec<f64>,
    /// Armed fighters observed within reach of each locality, proximity-weighted (as last observed).
    pub est_armed: Vec<f64>,
    /// Infectious people per locality (as last observed).
    pub est_infectious: Vec<f64>,
    /// Estimated share deprived per dimension, at `[l * 7 + d]` (as last observed).
    pub est_deprived: Vec<f64>,
    /// Needs residents expressed, voice-weighted people per pillar and locality (as last heard).
    pub est_votes: Vec<PerPillar<f64>>,
    /// Tick each locality was last observed, or `u32::MAX`.
    pub last_observed: Vec<u32>,
    /// Whether to plan at the next tick regardless of the interval.
    pub replan: bool,
    /// Spend in the current tick per pillar, US$.
    pub spend_tick: PerPillar<f64>,
    /// Working space of a planning round, sized once, so that planning allocates nothing.
    pub plan_scratch: PlanScratch,
}

/// Per-locality working vectors of a planning round (values are meaningless between rounds).
#[derive(Debug, Clone, Default)]
pub struct PlanScratch {
    /// Top-down protection scores.
    pub top_down: Vec<f64>,
    /// Bottom-up protection scores.
    pub bottom_up: Vec<f64>,
    /// Blended scores that units follow.
    pub score: Vec<f64>,
    /// A copy of the other force's presence while one force is assigned.
    pub presence: Vec<f64>,
}

impl PlanScratch {
    /// Vectors with room for `n` localities.
    #[must_use]
    pub fn with_localities(n: usize) -> Self {
        Self {
            top_down: Vec::with_capacity(n),
            bottom_up: Vec::with_capacity(n),
            score: Vec::with_capacity(n),
            presence: Vec::with_capacity(n),
        }
    }
}

impl Mission {
    /// Builds the mission from a scenario, if it has one.
    #[must_use]
    pub fn build(scenario: &Scenario) -> Option<Self> {
        let spec = scenario.mission.clone()?;
        let n = scenario.localities.len();
        Some(Self {
            policy: spec.policy,
            mandate: spec.mandate,
            posture: spec.posture,
            budget_usd_per_day: spec.budget_usd_per_day,
            authorised: Personnel {
                troops: spec.troops,
                police: spec.police,
                observers: spec.observers,
                civilians: spec.civilians,
            },
            drawdown: None,
            peacekeepers_lost: 0.0,
            consent: spec.host_consent,
            withdrawal_ordered_tick: None,
            deployed: Personnel::default(),
            tempo: 0.0,
            personnel_usd_per_day: 0.0,
            discretionary_usd_per_day: 0.0,
            troops_at: vec![0.0; n],
            police_at: vec![0.0; n],
            observers_at: vec![0.0; n],
            spend_at: vec![PerPillar::default(); n],
            health_effect: vec![0.0; n],
            isolation_beds: vec![0.0; n],
            economic_effect: vec![0.0; n],
            transfer: vec![0.0; n],
            transfer_target: vec![0.0; n],
            empowerment_effect: vec![0.0; n],
            health_target: vec![0.0; n],
            economic_target: vec![0.0; n],
            empowerment_target: vec![0.0; n],
            visible_projects: vec![0.0; n],
            est_threat: vec![0.0; n],
            est_armed: vec![0.0; n],
            est_infectious: vec![0.0; n],
            est_deprived: vec![0.0; n * 7],
            est_votes: vec![PerPillar::default(); n],
            last_observed: vec![u32::MAX; n],
            replan: true,
            spend_tick: PerPillar::default(),
            plan_scratch: PlanScratch::with_localities(n),
            spec,
        })
    }

    /// Whether the mission has started deploying by `tick`.
    #[must_use]
    pub fn started(&self, tick: u32) -> bool {
        tick >= self.spec.start_tick.max(1)
    }
}
