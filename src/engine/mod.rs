//! In what order things happen and on which threads: the tick.
//!
//! Each tick runs the ten phases of `docs/ODD.md` §3 in a fixed order, each a procedure of
//! [`crate::phases`]; the engine names no mechanism:
//!
//! - 1: scheduled events, and ceasefires that break down;
//! - 2: the mission's personnel, (every planning interval) planning, and programmes;
//! - 3-4: armed-group, mission and crowd acts drawn at locality level, turned into per-person
//!   hazards;
//! - 4-8 and 10, person level: the people pass (realised violence, health and mortality,
//!   mobilisation and recruitment, movement, economy and food, perceptions, each person's
//!   deprivation), in parallel over blocks of people, then the attribution of realised victims
//!   to events;
//! - 7-9: locality, group and national updates in locality order, then births;
//! - 10: indicators, handed to the observer.
//!
//! Determinism: people decide from a read-only context and write only their own row; each
//! block adds into its own accumulator; accumulators are summed in block order; every random
//! number comes from `rng`, keyed by seed, phase, tick and a stream id that never depends on
//! the thread count. There are no locks, atomics or channels here, and no allocation in the
//! per-tick people pass. The caller chooses the thread pool (`ThreadPool::install`).

pub mod init;
pub mod observer;

use rayon::prelude::*;

use crate::error::Result;
use crate::model::World;
use crate::phases::aggregates::{self, Layout};
use crate::phases::conflict::{Conflict, ViolentEvent};
use crate::phases::context::{self, Context};
use crate::phases::indicators::{self, TickRecord};
use crate::phases::person::{self, Mode};
use crate::phases::{demography, events, planning, update};
use crate::rng::Streams;
use crate::scenario::Scenario;

pub use observer::{Collect, Discard, Observer};

/// At most this many assessment passes settle the starting state.
const SETTLING_PASSES: usize = 60;
/// The starting state is settled when the mobilised count changes by at most this share of
/// the population from one assessment pass to the next.
const SETTLED_SHARE: f64 = 1e-4;

/// Columns of the totals vector summed per parallel task when reducing block accumulators.
const REDUCE_CHUNK: usize = 1024;

/// One run of a scenario with one seed.
#[derive(Debug)]
pub struct Simulation {
    scenario: Scenario,
    world: World,
    streams: Streams,
    layout: Layout,
    ctx: Context,
    conflict: Conflict,
    block_acc: Vec<Vec<f64>>,
    totals: Vec<f64>,
    record: TickRecord,
}

impl Simulation {
    /// Builds the initial world and measures it (tick 0). Uses the scenario's seed.
    #[must_use]
    pub fn new(scenario: &Scenario) -> Self {
        Self::with_seed(scenario, scenario.run.seed)
    }

    /// Builds the initial world with an explicit run seed.
    #[must_use]
    pub fn with_seed(scenario: &Scenario, seed: u64) -> Self {
        let mut scenario = scenario.clone();
        scenario.run.seed = seed;
        let streams = Streams::new(seed);
        let layout = Layout::new(
            scenario.localities.len(),
            scenario.identity_groups.len(),
            scenario.armed_groups.len(),
        );
        let world = init::build_world(&scenario, &layout, &streams);
        let ctx = context::new_context(&scenario, layout.clone());
        let conflict = Conflict::new(&scenario);
        let block_acc = vec![vec![0.0; layout.len]; world.people.blocks.len()];
        let record = TickRecord::new(&scenario, &layout);
        let mut sim = Self {
            totals: vec![0.0; layout.len],
            scenario,
            world,
            streams,
            layout,
            ctx,
            conflict,
            block_acc,
            record,
        };
        sim.measure_initial_state();
        sim
    }

    fn measure_initial_state(&mut self) {
        // The first pass needs a context built from some totals; an assessment pass with
        // empty totals settles derived state. Who is mobilised feeds back on itself through
        // the perceived chance of arrest (Epstein's rule A: more rebels, less risk each), so
        // the assessment is repeated until the mobilised count settles at the fixed point the
        // dynamics would otherwise reach in the first weeks (a start-up transient).
        self.prepare_context(0);
        self.people_pass(Mode::Assess);
        update::count_fighters(&self.scenario, &mut self.world, &self.totals, &self.layout);
        // The displaced of a protracted crisis are where the flight rule would have taken them
        // before the mission's deterrence and the fear below are measured with them there.
        if self.seed_protracted_displacement() {
            self.prepare_context(0);
            self.people_pass(Mode::Assess);
        }
        self.position_mission_for_the_start();
        // Its deterrence, as tick 1 will compute it, is part of the starting state too (people
        // are reassured by the mission they see from the first day).
        self.conflict.prepare(&self.scenario, &self.world, &self.totals, &self.layout, 1);
        self.prepare_context(0);
        self.conflict
            .recall_feared_violence(&self.scenario, &self.world, &self.totals, &self.streams, &mut self.ctx);
        self.remember_violence_for_return();
        self.settle_mobilisation();
        // Then the detained: the stationary share of the mobilised go into detention, and who
        // mobilises settles again with them out of the street (fewer active, each more at risk).
        self.prepare_context(0);
        self.seed_stationary_detention();
        self.settle_mobilisation();
        context::measure_demography(&mut self.ctx, &self.totals);
        indicators::compute(
            &self.scenario,
            &self.world,
            &self.totals,
            &self.layout,
            &self.conflict,
            0,
            &mut self.record,
        );
    }

    /// A mission that the scenario starts on the first day is in place when the clock starts:
    /// its personnel and units are positioned as its first plan (tick 1) will position them, so
    /// that the state people settle into at tick 0 includes its security presence. Otherwise
    /// the mobilised share fell by up to a fifth on day 3 of every mission scenario, when the
    /// units arriving on day 1 raised the perceived chance of arrest (a start-up transient).
    /// The plan is made on a copy of the mission, from the draws tick 1 will use, and only the
    /// positions, the deployed personnel and the tempo of operations the first budget funds are
    /// kept: tick 1 plans again from its own state.
    fn position_mission_for_the_start(&mut self) {
        let Some(mission) = self.world.mission.as_ref() else { return };
        if !mission.started(1) {
            return;
        }
        let mut first_plan = mission.clone();
        let dt = self.scenario.run.tick_length_days;
        planning::update_personnel(&mut first_plan, &self.scenario.rules.costs, 1, dt);
        planning::plan(
            &mut first_plan,
            &self.scenario,
            &self.world.localities,
            &self.world.graph,
            &self.totals,
            &self.layout,
            &self.streams,
            1,
        );
        planning::allocate_budget(&mut first_plan, &self.scenario, &self.totals, &self.layout);
        let m = self.world.mission.as_mut().expect("checked above");
        m.deployed = first_plan.deployed;
        m.tempo = first_plan.tempo;
        m.troops_at.clone_from(&first_plan.troops_at);
        m.police_at.clone_from(&first_plan.police_at);
        m.observers_at.clone_from(&first_plan.observers_at);
    }

    /// Repeats the assessment until the mobilised count changes by at most [`SETTLED_SHARE`] of
    /// the living between passes (at most [`SETTLING_PASSES`] passes).
    fn settle_mobilisation(&mut self) {
        let mobilised = |totals: &[f64], layout: &Layout| layout.total(totals, aggregates::field::MOBILISED);
        let mut before = f64::NAN;
        for _ in 0..SETTLING_PASSES {
            self.prepare_context(0);
            self.people_pass(Mode::Assess);
            let now = mobilised(&self.totals, &self.layout);
            let alive = self.layout.total(&self.totals, aggregates::field::ALIVE);
            if (now - before).abs() <= SETTLED_SHARE * alive {
                break;
            }
            before = now;
        }
    }

    /// Fills the memory that return decisions read (the long-run victimisation rate at each
    /// locality, `return_safe_days`) with the violence of the starting state, as recalled for
    /// fear (`Conflict::recall_feared_violence`). Otherwise every home counted as safe on day 0
    /// and the displaced of a violent place went home during the weeks the memory took to fill.
    fn remember_violence_for_return(&mut self) {
        let ppa = self.scenario.population.people_per_agent;
        for (l, remembered) in self.world.localities.victims_long_run.iter_mut().enumerate() {
            let alive = self.totals[self.layout.base(l) + aggregates::field::ALIVE] * ppa;
            *remembered = if alive > 0.0 {
                self.ctx.expected_victims[l] / alive * 10_000.0
            } else {
                0.0
            };
        }
    }

    /// Displaces each locality's starting caseload (`displaced_at_start_share`) at tick 0 by
    /// the flight rule's destination weights; returns whether anyone was displaced.
    ///
    /// Each protection site admits the share of the caseload bound for it that it has room for:
    /// its capacity over the expected number of people the rule sends there, at most 1.
    fn seed_protracted_displacement(&mut self) -> bool {
        let shares: Vec<f64> = self.scenario.localities.iter().map(|l| l.displaced_at_start).collect();
        if shares.iter().all(|&s| s == 0.0) {
            return false;
        }
        let ppa = self.scenario.population.people_per_agent;
        let lay = &self.layout;
        let n = shares.len();
        let mut bound_for_site = vec![0.0; n];
        let d = &self.ctx.destinations;
        for (l, &share) in shares.iter().enumerate() {
            let civilians: f64 = (0..lay.identities)
                .map(|i| self.totals[lay.base(l) + lay.off_civilians_by_identity + i])
                .sum::<f64>()
                * ppa;
            let (a, b) = (d.offsets[l] as usize, d.offsets[l + 1] as usize);
            let mut below = 0.0;
            for o in a..b {
                let p = d.cumulative[o] - below;
                below = d.cumulative[o];
                if d.site[o] {
                    bound_for_site[d.locality[o] as usize] += share * civilians * p;
                }
            }
        }
        let admission: Vec<f64> = (0..n)
            .map(|k| {
                let capacity = self.world.localities.site_capacity[k];
                if bound_for_site[k] > 0.0 {
                    (capacity / bound_for_site[k]).min(1.0)
                } else {
                    0.0
                }
            })
            .collect();
        let ctx = &self.ctx;
        let streams = &self.streams;
        self.world
            .people
            .blocks
            .par_iter_mut()
            .for_each(|block| person::seed_protracted_displacement(block, ctx, streams, &shares, &admission));
        true
    }

    /// Puts the stationary share of each locality's mobilised into detention at tick 0.
    ///
    /// Host-state forces make at most `arrests_possible` arrests a tick; terms are uniform on 1
    /// to `detention_max_ticks`, of mean `T = (1 + max) / 2` ticks. In the stationary state as
    /// many are released as arrested each tick, so `D = arrests × T` are detained: `D =
    /// arrests_possible × T` while the mobilised outnumber what the forces can arrest, and at
    /// most the mobilised themselves (when every free mobilised person is arrested the tick they
    /// mobilise). The share `D / M` of the `M` people mobilised is detained, each for a remaining
    /// term drawn by [`person::seed_stationary_detention`].
    fn seed_stationary_detention(&mut self) {
        let mean_term = (1.0 + f64::from(self.ctx.detention_max_ticks.max(1))) / 2.0;
        let shares: Vec<f64> = self
            .ctx
            .localities
            .iter()
            .map(|lc| {
                if lc.mobilised <= 0.0 {
                    0.0
                } else {
                    (lc.arrests_possible * mean_term).min(lc.mobilised) / lc.mobilised
                }
            })
            .collect();
        if shares.iter().all(|&s| s == 0.0) {
            return;
        }
        context::derive(&mut self.ctx);
        let ctx = &self.ctx;
        let streams = &self.streams;
        self.world
            .people
            .blocks
            .par_iter_mut()
            .for_each(|block| person::seed_stationary_detention(block, ctx, streams, &shares));
    }

    /// The scenario being run (with the run's seed).
    #[must_use]
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The current state.
    #[must_use]
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Indicators of the last completed tick (tick 0 after construction).
    #[must_use]
    pub fn record(&self) -> &TickRecord {
        &self.record
    }

    /// Events of the last completed tick.
    #[must_use]
    pub fn events(&self) -> &[ViolentEvent] {
        &self.conflict.events
    }

    /// Ticks completed.
    #[must_use]
    pub fn tick(&self) -> u32 {
        self.world.tick
    }

    /// Advances the world by one tick.
    pub fn step(&mut self) {
        let tick = self.world.tick + 1;
        // 1. Scheduled events.
        events::apply_scheduled(&self.scenario, &mut self.world, &self.streams, tick);
        events::ceasefire_breakdowns(
            &self.scenario,
            &mut self.world,
            &self.totals,
            &self.layout,
            &self.conflict.deterrence,
            &self.streams,
            tick,
        );
        // 2. The mission: personnel, planning, programmes.
        planning::step(&mut self.world, &self.scenario, &self.totals, &self.layout, &self.streams, tick);
        // 3-4. Acts of groups, the mission and crowds, and the hazards they put on people.
        self.conflict.prepare(&self.scenario, &self.world, &self.totals, &self.layout, tick);
        self.prepare_context(tick);
        self.conflict
            .resolve(&self.scenario, &self.world, &self.totals, &self.streams, tick, &mut self.ctx);
        // 5-7. People; then every realised victim is credited to an event.
        self.people_pass(Mode::Step);
        self.conflict.record_victims(
            &self.totals,
            &self.layout,
            &self.streams,
            tick,
            self.scenario.population.people_per_agent,
        );
        // 7-9. Localities, groups, the nation.
        update::apply(&self.scenario, &mut self.world, &self.totals, &self.layout, &self.conflict, tick);
        demography::births(
            &self.scenario,
            &mut self.world,
            &self.totals,
            &self.layout,
            &self.streams,
            self.ctx.births_per_woman_day,
            tick,
        );
        self.world.tick = tick;
        // 10. Indicators.
        indicators::compute(
            &self.scenario,
            &self.world,
            &self.totals,
            &self.layout,
            &self.conflict,
            tick,
            &mut self.record,
        );
    }

    fn prepare_context(&mut self, tick: u32) {
        context::prepare(
            &mut self.ctx,
            &self.scenario,
            &self.world,
            &self.totals,
            &self.conflict.deterrence,
            &self.conflict.site_deterrence,
            tick,
        );
    }

    fn people_pass(&mut self, mode: Mode) {
        context::derive(&mut self.ctx);
        let ctx = &self.ctx;
        let streams = &self.streams;
        self.world
            .people
            .blocks
            .par_iter_mut()
            .zip(self.block_acc.par_iter_mut())
            .for_each(|(block, acc)| {
                acc.fill(0.0);
                person::update_block(block, ctx, streams, acc, mode);
            });
        // DETERMINISM: each total is the sum over blocks in block order.
        let block_acc = &self.block_acc;
        self.totals.par_chunks_mut(REDUCE_CHUNK).enumerate().for_each(|(c, out)| {
            out.fill(0.0);
            let start = c * REDUCE_CHUNK;
            for acc in block_acc {
                aggregates::add_into(out, &acc[start..start + out.len()]);
            }
        });
    }

    /// Runs to the scenario's last tick, handing tick 0 and every tick to `observer`.
    ///
    /// `stop` is polled between ticks; when it returns true the run ends early with
    /// [`crate::Error::Interrupted`].
    ///
    /// # Errors
    /// The observer's error, or `Interrupted`.
    pub fn run(&mut self, observer: &mut impl Observer, stop: &dyn Fn() -> bool) -> Result<()> {
        if self.world.tick == 0 {
            observer.observe(&self.scenario, &self.record, &self.conflict.events)?;
        }
        while self.world.tick < self.scenario.run.ticks {
            if stop() {
                return Err(crate::error::Error::Interrupted(format!("stopped after tick {}", self.world.tick)));
            }
            self.step();
            observer.observe(&self.scenario, &self.record, &self.conflict.events)?;
        }
        Ok(())
    }
}
