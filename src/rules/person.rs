//! The per-person update: phases 4-7 of the tick for one person, and the person's indicators.
//!
//! Every person reads only the read-only [`Context`] built at the start of the people pass and
//! their own row, writes only their own row, and adds their aggregates into their block's
//! accumulator (counts by outcome through the block's integer tally). The sub-steps run in a fixed order: violence exposure (4), health and
//! mortality (6), mobilisation, arrest, recruitment and desertion (3/5), movement (5), economy
//! and food (7), perceptions, voice and grievance, then deprivation and the Alkire-Foster
//! score (10). Fusing them into one pass reads each person's columns once per tick.
//!
//! Each person draws exactly [`DRAWS_PER_PERSON`] uniforms per tick, slot by purpose:
//! 0 violence, 1 epidemic, 2 baseline mortality, 3 injury recovery, 4 movement decision,
//! 5 destination or detention term, 6 arrest / recruitment / desertion / abduction,
//! 7 sexual-violence sub-event.

use std::cell::RefCell;

use rand::Rng;

use crate::engine::accum::{self, FIXED_SUBGROUPS, Layout, TALLY_COUNTS, class, field};
use crate::model::people::{NEVER, PeopleBlock, age, condition, displacement, health};
use crate::pillar::PerPillar;
use crate::rng::{DRAWS_PER_PERSON, PERSON_CHUNK, Phase, Streams, unit};
use crate::scenario::params::Rules;
use crate::scenario::{ArrestRule, IndicatorSettings};

use super::deprivation::{self, Cutoffs, DeprivationInputs};
use super::economy::{self, IncomeInputs};
use super::{community, displacement as flight, health as epi, mobilisation, recruitment};

/// Whether the pass advances the state or only measures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Tick 0: compute indicators and settle derived state (food, insecurity, grievance) without transitions.
    Assess,
    /// A full tick.
    Step,
}

/// Per-locality values a person needs, computed once per tick.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LocalityContext {
    /// A violent event happened here within the conflict memory.
    pub conflict_zone: bool,
    /// The long-run victimisation rate here is below the return-safety threshold.
    pub home_safe: bool,
    /// Services for people at home here (health access plus markets).
    pub services: f64,
    /// Services for displaced people in host communities here.
    pub services_displaced: f64,
    /// Services for site residents here.
    pub services_site: f64,
    /// Civilian victims per 10,000 people over the last 30 days.
    pub victims_per_10k_30d: f64,
    /// Violence level for incomes, 0 to 1.
    pub violence_level: f64,
    /// Reassurance from visible, trusted mission presence, 0 to 1.
    pub reassurance: f64,
    /// Market functioning.
    pub market: f64,
    /// Food price index.
    pub price: f64,
    /// Environmental stress.
    pub env_stress: f64,
    /// Whether people at home here farm.
    pub rural: bool,
    /// Programme income support for the poor, subsistence lines.
    pub support: f64,
    /// Health access for people outside the site.
    pub health_access: f64,
    /// Health access for site residents.
    pub site_health_access: f64,
    /// Force of infection outside the site, per day.
    pub force_of_infection: f64,
    /// Force of infection inside the site, per day.
    pub force_of_infection_site: f64,
    /// Probability that a case dies.
    pub case_fatality: f64,
    /// Security forces present (mission troops and police, state-aligned fighters), in people.
    pub security: f64,
    /// People mobilised here in the last pass.
    pub mobilised: f64,
    /// Probability that a mobilised person is arrested this tick.
    pub arrest_chance: f64,
    /// Trust in the state.
    pub trust_in_state: f64,
    /// Whether there is a protection site.
    pub has_site: bool,
    /// Probability that an applicant is admitted to the site.
    pub site_admission: f64,
    /// Mission engagement effect, 0 to 1.
    pub engagement: f64,
    /// Baseline political voice of residents.
    pub voice_baseline: f64,
    /// Tension.
    pub tension: f64,
    /// Lootable resources.
    pub lootable: f64,
    /// Support for armed groups.
    pub armed_group_support: f64,
    /// Total recruiting pull of all groups here (0 = nobody recruits here).
    pub recruit_pull: f64,
    /// Total child-abduction probability per child this tick.
    pub abduction: f64,
}

/// Flight destinations per origin: cumulative weights over (locality, is-site) options.
#[derive(Debug, Clone, Default)]
pub struct Destinations {
    /// Offsets per origin (len = localities + 1).
    pub offsets: Vec<u32>,
    /// Destination locality.
    pub locality: Vec<u32>,
    /// Whether the option is the destination's protection site.
    pub site: Vec<bool>,
    /// Cumulative weight, normalised to 1 at the last option of each origin.
    pub cumulative: Vec<f64>,
}

impl Destinations {
    /// Picks an option for origin `l` with uniform `u`; returns the option and a fresh uniform.
    #[must_use]
    pub fn pick(&self, l: usize, u: f64) -> Option<(usize, bool, f64)> {
        let (a, b) = (self.offsets[l] as usize, self.offsets[l + 1] as usize);
        if a == b {
            return None;
        }
        let cum = &self.cumulative[a..b];
        let i = cum.partition_point(|&c| c <= u).min(cum.len() - 1);
        let lo = if i == 0 { 0.0 } else { cum[i - 1] };
        let width = cum[i] - lo;
        let residual = if width > 0.0 {
            ((u - lo) / width).clamp(0.0, 1.0 - f64::EPSILON)
        } else {
            0.5
        };
        Some((self.locality[a + i] as usize, self.site[a + i], residual))
    }
}

/// Everything the people pass reads, rebuilt each tick.
#[derive(Debug, Clone)]
pub struct Context {
    /// The tick being computed.
    pub tick: u32,
    /// Days per tick.
    pub dt: f64,
    /// People per agent.
    pub people_per_agent: f64,
    /// Mechanism parameters.
    pub rules: Rules,
    /// Indicator settings.
    pub indicators: IndicatorSettings,
    /// Per-person deprivation cutoffs.
    pub cutoffs: Cutoffs,
    /// Personal victimisation window, ticks.
    pub personal_window: u32,
    /// Political detention window, ticks.
    pub political_window: u32,
    /// Accumulator layout.
    pub layout: Layout,
    /// Per-locality values.
    pub localities: Vec<LocalityContext>,
    /// Violence hazard rows for civilians outside sites, at `[(l * identities + i) * row]`:
    /// total, then kill hazard per slot, then injury hazard per slot.
    pub hazard: Vec<f64>,
    /// The same for site residents.
    pub hazard_site: Vec<f64>,
    /// Death hazard of fighters, at `[l * groups + g]`.
    pub fighter_hazard: Vec<f64>,
    /// Recruiting pull of each group, at `[l * groups + g]`.
    pub recruit_pull: Vec<f64>,
    /// Child-abduction probability per child per tick, at `[l * groups + g]`.
    pub abduction: Vec<f64>,
    /// Group `g` recruits from identity `i`, at `[g * identities + i]`.
    pub recruits_from: Vec<bool>,
    /// Pay factor of each group.
    pub pay: Vec<f64>,
    /// Identity `i` was attacked in locality `l` within the community window, at `[l * identities + i]`.
    pub identity_attacked: Vec<bool>,
    /// Ratio of the recent violence aimed at identity `i` in locality `l` to the locality's mean,
    /// at `[l * identities + i]` (1 where violence is not targeted).
    pub identity_threat: Vec<f64>,
    /// Flight destinations.
    pub destinations: Destinations,
    /// Probability of leaving the exposed stage per tick.
    pub exit_exposed: f64,
    /// Probability of leaving the infectious stage per tick.
    pub exit_infectious: f64,
    /// Probability of recovering from an injury per tick.
    pub injury_recovery: f64,
    /// Smoothing factor of food security per tick.
    pub food_alpha: f64,
    /// Smoothing factor of perceived insecurity per tick.
    pub insecurity_alpha: f64,
    /// Smoothing factor of grievance per tick.
    pub grievance_alpha: f64,
    /// Detention term in ticks, at most.
    pub detention_max_ticks: u32,
    /// Per-locality and per-row probabilities derived from the fields above by [`derive()`].
    pub derived: Derived,
}

/// Probabilities that are the same for every person of a locality (or of a hazard row, or of a
/// run), computed once per pass by [`derive()`] with the very functions and operands the
/// per-person update would use, so that the values are bit-identical and the people pass calls
/// no exponential for them. Buffers are reused from tick to tick.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    /// Chance of being hit by violence this tick, civilians at home, per hazard row `l * identities + i`.
    pub violence_home: Vec<f64>,
    /// The same for displaced people in host communities.
    pub violence_displaced: Vec<f64>,
    /// The same for site residents.
    pub violence_site: Vec<f64>,
    /// Chance that a fighter dies this tick, at `[l * groups + g]`.
    pub fighter_death: Vec<f64>,
    /// Chance that a susceptible person is infected this tick, outside the site, per locality.
    pub infection: Vec<f64>,
    /// The same inside the site.
    pub infection_site: Vec<f64>,
    /// Perceived arrest probability of a mobilising person, per locality.
    pub arrest_probability: Vec<f64>,
    /// Perceived violence for identity `i` in locality `l`, at `[l * identities + i]`.
    pub violence_exposure: Vec<f64>,
    /// Baseline death probability at `[age band][has access][food insecure][chronic]`, flattened.
    pub baseline_death: [f64; 32],
    /// Chance that a displaced person moves on, away from (0) and in (1) a conflict zone.
    pub move_on: [f64; 2],
    /// The cap on the chance that a mobilised person joins a group this tick.
    pub join_cap: f64,
    /// At least the chance that a person at home flees this tick, whatever their insecurity.
    pub flee_bound: f64,
    /// At least the chance that a fighter of group `g` deserts this tick, whatever their income.
    pub desertion_bound: Vec<f64>,
    /// Chance of returning home this tick, where return is allowed.
    pub return_home: f64,
    /// Share of the gap to the target voice closed this tick.
    pub voice_relaxation: f64,
    /// Deprivation score of every combination of the seven deprivation flags.
    pub score: Vec<f64>,
    /// How the score of every combination of the seven deprivation flags classifies a person.
    pub score_class: Vec<u8>,
    /// The score of every combination of flags if it identifies a person as insecure, else 0.
    pub identified_score: Vec<f64>,
    /// Expressed needs per pillar of every combination of the seven deprivation flags.
    pub needs: Vec<PerPillar<f64>>,
    /// Share of earnings kept at the local violence level, per locality.
    pub violence_income: Vec<f64>,
    /// Food cost at local prices, per locality.
    pub food_cost: Vec<f64>,
    /// Share of the harvest kept by rural people at home, per locality (1 for everyone else).
    pub harvest_kept: Vec<f64>,
}

fn baseline_death_index(age_band: u8, has_access: bool, food_insecure: bool, chronic: bool) -> usize {
    usize::from(age_band.min(age::ELDER)) * 8 + usize::from(has_access) * 4 + usize::from(food_insecure) * 2 + usize::from(chronic)
}

/// Fills [`Context::derived`] from the rest of the context; called before every people pass,
/// after the hazards are final.
pub fn derive(ctx: &mut Context) {
    let r = &ctx.rules;
    let dt = ctx.dt;
    let row = ctx.row_len();
    let rows = ctx.hazard.len() / row;
    let ids = ctx.layout.identities;
    let d = &mut ctx.derived;
    let mult = r.displacement.displaced_vulnerability_multiplier;
    d.violence_home.clear();
    d.violence_displaced.clear();
    d.violence_site.clear();
    for k in 0..rows {
        let total = ctx.hazard[k * row];
        d.violence_home.push(1.0 - (-total * 1.0).exp());
        d.violence_displaced.push(1.0 - (-total * mult).exp());
        let total = ctx.hazard_site[k * row];
        d.violence_site.push(1.0 - (-total * 1.0).exp());
    }
    d.fighter_death.clear();
    d.fighter_death.extend(ctx.fighter_hazard.iter().map(|&h| 1.0 - (-h).exp()));
    d.infection.clear();
    d.infection_site.clear();
    d.arrest_probability.clear();
    d.violence_exposure.clear();
    d.violence_income.clear();
    d.food_cost.clear();
    d.harvest_kept.clear();
    for (l, lc) in ctx.localities.iter().enumerate() {
        d.violence_income
            .push(economy::violence_income_factor(&r.economy, lc.violence_level));
        d.food_cost.push(economy::food_cost(&r.economy, lc.price));
        d.harvest_kept.push(economy::harvest_kept(&r.economy, lc.env_stress, lc.rural));
        d.infection.push(1.0 - (-lc.force_of_infection * dt).exp());
        d.infection_site.push(1.0 - (-lc.force_of_infection_site * dt).exp());
        d.arrest_probability.push(mobilisation::arrest_probability(
            lc.security,
            lc.mobilised + ctx.people_per_agent,
            r.mobilisation.arrest_constant,
            r.arrest_rule,
        ));
        for i in 0..ids {
            d.violence_exposure.push(community::violence_exposure(
                &r.community,
                lc.victims_per_10k_30d * ctx.identity_threat[l * ids + i],
            ));
        }
    }
    for age_band in age::CHILD..=age::ELDER {
        for has_access in [false, true] {
            for food_insecure in [false, true] {
                for chronic in [false, true] {
                    d.baseline_death[baseline_death_index(age_band, has_access, food_insecure, chronic)] =
                        epi::baseline_death_probability(&r.health, age_band, has_access, food_insecure, chronic, dt);
                }
            }
        }
    }
    d.move_on = [
        flight::move_on_probability(&r.displacement, false, dt),
        flight::move_on_probability(&r.displacement, true, dt),
    ];
    d.join_cap = recruitment::join_probability_cap(&r.recruitment, dt);
    d.flee_bound = flight::flee_probability_bound(&r.displacement, dt);
    d.desertion_bound.clear();
    d.desertion_bound.extend(
        ctx.pay
            .iter()
            .map(|&pay| recruitment::desertion_probability_bound(&r.recruitment, pay, dt)),
    );
    d.return_home = 1.0 - (1.0 - r.displacement.return_rate_per_day).powf(dt);
    d.voice_relaxation = community::voice_relaxation(&r.community, dt);
    d.score.clear();
    d.score
        .extend((0..128u8).map(|flags| deprivation::score(flags, &ctx.indicators.weights)));
    let k = ctx.indicators.k;
    d.identified_score.clear();
    d.score_class.clear();
    for &score in &d.score {
        let identified = score >= k - 1e-9;
        let mut bits = 0;
        if identified {
            bits |= class::IDENTIFIED;
        } else if score >= 0.2 - 1e-9 {
            bits |= class::VULNERABLE;
        }
        if score >= 0.5 - 1e-9 {
            bits |= class::SEVERE;
        }
        d.score_class.push(bits);
        d.identified_score.push(if identified { score } else { 0.0 });
    }
    d.needs.clear();
    d.needs.extend((0..128u8).map(deprivation::expressed_needs));
}

impl Context {
    /// Length of one hazard row.
    #[must_use]
    pub fn row_len(&self) -> usize {
        1 + 2 * self.layout.slots
    }
}

thread_local! {
    /// The tally of the block this thread is updating: people by deprivation flags per locality
    /// and subgroup, and the integer counts of [`TALLY_COUNTS`] (see [`accum::add_tally`]).
    /// Scratch only: cleared at the start of every block and added into the block's
    /// accumulator at its end, so it carries nothing from one block to the next; one per worker
    /// thread rather than per block because a tally row per locality would cost more memory per
    /// person than the accumulator itself in scenarios with many localities.
    static TALLY: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// Updates (or, in [`Mode::Assess`], measures) every person of a block, adding aggregates into `acc`.
///
/// # Panics
/// If the block does not start on an RNG-chunk boundary (a bug in the block layout).
pub fn update_block(block: &mut PeopleBlock, ctx: &Context, streams: &Streams, acc: &mut [f64], mode: Mode) {
    let first = block.first_id as usize;
    assert_eq!(first % PERSON_CHUNK, 0, "blocks must start on RNG-chunk boundaries");
    TALLY.with_borrow_mut(|tally| {
        // Capacity is kept from block to block: no allocation after a thread's first block.
        tally.clear();
        tally.resize(ctx.layout.tally_len(), 0);
        let n = block.len();
        let mut start = 0;
        while start < n {
            let chunk = (first + start) / PERSON_CHUNK;
            let end = n.min(start + PERSON_CHUNK);
            let mut rng = streams.at(Phase::People, chunk as u64, ctx.tick);
            for j in start..end {
                let mut draws = [0u32; DRAWS_PER_PERSON];
                for d in &mut draws {
                    *d = rng.next_u32();
                }
                update_person(block, j, &draws, ctx, acc, tally, mode);
            }
            start = end;
        }
        accum::add_tally(&ctx.layout, tally, &ctx.derived.score_class, acc);
    });
}

#[inline]
fn died(block: &mut PeopleBlock, j: usize, acc: &mut [f64], at: usize) {
    block.health[j] = health::DEAD;
    acc[at] += 1.0;
}

#[expect(
    clippy::too_many_lines,
    reason = "the fused per-person update reads each column once; its sub-steps are labelled"
)]
fn update_person(
    b: &mut PeopleBlock,
    j: usize,
    d: &[u32; DRAWS_PER_PERSON],
    ctx: &Context,
    acc: &mut [f64],
    tally: &mut [u32],
    mode: Mode,
) {
    if b.health[j] == health::DEAD {
        return;
    }
    let r = &ctx.rules;
    let lay = &ctx.layout;
    let t = ctx.tick;
    let dt = ctx.dt;
    let ids = lay.identities;
    let groups = lay.groups;
    let home = b.home[j] as usize;
    let ident = b.identity[j] as usize;
    let age_band = b.age_band[j];
    let female = b.female[j] == 1;
    let mut loc = b.location[j] as usize;
    let mut member = b.membership[j];
    let mut disp = b.displacement[j];
    let mut cond = b.condition[j];
    let mut epi_state = b.health[j];
    let mut detained = (b.detained_until[j] != NEVER) & (b.detained_until[j] > t);
    let step = mode == Mode::Step;
    let access_factor = personal_access_factor(b.first_id as usize + j);

    if step {
        // 4. Violence exposure.
        let base = lay.base(loc);
        if member == 0 {
            let row = (loc * ids + ident) * ctx.row_len();
            let hazard_row = loc * ids + ident;
            let (table, chance) = match disp {
                displacement::IN_SITE => (&ctx.hazard_site, &ctx.derived.violence_site),
                displacement::DISPLACED => (&ctx.hazard, &ctx.derived.violence_displaced),
                _ => (&ctx.hazard, &ctx.derived.violence_home),
            };
            let total = table[row];
            if total > 0.0 {
                let p = chance[hazard_row];
                let u = unit(d[0]);
                if u < p {
                    let target = u / p * total;
                    let entries = &table[row + 1..row + ctx.row_len()];
                    let mut run = 0.0;
                    let mut hit = entries.len() - 1;
                    for (s, &h) in entries.iter().enumerate() {
                        run += h;
                        if target < run {
                            hit = s;
                            break;
                        }
                    }
                    if hit < lay.slots {
                        acc[base + lay.off_killed + hit] += 1.0;
                        died(b, j, acc, base + field::VIOLENT_DEATHS);
                        return;
                    }
                    let slot = hit - lay.slots;
                    cond |= condition::INJURED;
                    b.victimised_tick[j] = t;
                    acc[base + field::INJURED] += 1.0;
                    acc[base + lay.off_injured + slot] += 1.0;
                    if female && unit(d[7]) < r.targeting.sexual_violence_share {
                        acc[base + lay.off_sexual_violence + slot] += 1.0;
                    }
                }
            }
        } else {
            let g = usize::from(member - 1);
            let h = ctx.fighter_hazard[loc * groups + g];
            if h > 0.0 && unit(d[0]) < ctx.derived.fighter_death[loc * groups + g] {
                acc[base + lay.off_fighter_deaths + g] += 1.0;
                died(b, j, acc, base + field::FIGHTER_DEATHS);
                return;
            }
        }

        // 6. Epidemic transitions and baseline mortality.
        let lc = &ctx.localities[loc];
        match epi_state {
            health::SUSCEPTIBLE => {
                let (foi, p_infection) = if disp == displacement::IN_SITE {
                    (lc.force_of_infection_site, ctx.derived.infection_site[loc])
                } else {
                    (lc.force_of_infection, ctx.derived.infection[loc])
                };
                if foi > 0.0 && unit(d[1]) < p_infection {
                    epi_state = health::EXPOSED;
                    acc[base + field::NEW_INFECTIONS] += 1.0;
                }
            }
            health::EXPOSED if unit(d[1]) < ctx.exit_exposed => {
                epi_state = health::INFECTIOUS;
            }
            health::INFECTIOUS => {
                let u = unit(d[1]);
                if u < ctx.exit_infectious {
                    if u / ctx.exit_infectious < lc.case_fatality {
                        died(b, j, acc, base + field::EPIDEMIC_DEATHS);
                        return;
                    }
                    epi_state = health::RECOVERED;
                }
            }
            _ => {}
        }
        let access = scaled_access(
            access_factor,
            if disp == displacement::IN_SITE {
                lc.site_health_access
            } else {
                lc.health_access
            },
        );
        let food_insecure = f64::from(b.food_security[j]) < ctx.cutoffs.food;
        let p_die = ctx.derived.baseline_death[baseline_death_index(
            age_band,
            access >= ctx.cutoffs.health_access,
            food_insecure,
            cond & condition::CHRONIC != 0,
        )];
        if unit(d[2]) < p_die {
            b.health[j] = epi_state;
            died(b, j, acc, base + field::BASELINE_DEATHS);
            return;
        }
        if cond & condition::INJURED != 0 && unit(d[3]) < ctx.injury_recovery {
            cond &= !condition::INJURED;
        }
    }

    // 3 and 5. Mobilisation (Epstein's rule A), arrest, recruitment, desertion, abduction.
    let lc = &ctx.localities[loc];
    let grievance = f64::from(b.grievance[j]);
    let risk_aversion = f64::from(b.risk_aversion[j]);
    // Non-short-circuit operators: who is mobilised differs from person to person in no
    // pattern a branch predictor could learn, and every operand is cheap.
    let adult = (age_band == age::YOUTH) | (age_band == age::ADULT);
    let mut mobilised = (member == 0)
        & !detained
        & adult
        & mobilisation::is_mobilised(
            grievance,
            risk_aversion,
            ctx.derived.arrest_probability[loc],
            r.mobilisation.threshold,
        );
    if step {
        let u = unit(d[6]);
        // Joining is capped at `max_join_probability_per_day * dt`, so a mobilised person whose
        // uniform is at or above the arrest chance plus the cap is neither arrested nor
        // recruited: one rarely taken branch, and the exponentials of the join probability
        // only below it.
        if mobilised & (u < lc.arrest_chance + ctx.derived.join_cap) {
            let p_join = if lc.recruit_pull > 0.0 && u >= lc.arrest_chance {
                let mut pull = 0.0;
                let mut pay = 0.0;
                for g in 0..groups {
                    let w = ctx.recruit_pull[loc * groups + g];
                    if w > 0.0 && ctx.recruits_from[g * ids + ident] {
                        pull += w;
                        pay += w * ctx.pay[g];
                    }
                }
                if pull > 0.0 {
                    recruitment::join_probability(
                        &r.recruitment,
                        pull,
                        f64::from(b.income[j]),
                        female,
                        lc.armed_group_support,
                        pay / pull,
                        lc.lootable,
                        dt,
                    )
                } else {
                    0.0
                }
            } else {
                0.0
            };
            if u < lc.arrest_chance {
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a uniform times a small tick count"
                )]
                let term = 1 + (unit(d[5]) * f64::from(ctx.detention_max_ticks)) as u32;
                b.detained_until[j] = t + term.min(ctx.detention_max_ticks);
                detained = true;
                mobilised = false;
                acc[lay.base(loc) + field::ARRESTS] += 1.0;
            } else if u < lc.arrest_chance + p_join {
                let v = (u - lc.arrest_chance) / p_join;
                let mut weights_total = 0.0;
                for g in 0..groups {
                    if ctx.recruits_from[g * ids + ident] {
                        weights_total += ctx.recruit_pull[loc * groups + g];
                    }
                }
                let mut target = v * weights_total;
                let mut chosen = None;
                for g in 0..groups {
                    if !ctx.recruits_from[g * ids + ident] {
                        continue;
                    }
                    let w = ctx.recruit_pull[loc * groups + g];
                    if w > 0.0 {
                        chosen = Some(g);
                        if target < w {
                            break;
                        }
                        target -= w;
                    }
                }
                if let Some(g) = chosen {
                    #[expect(clippy::cast_possible_truncation, reason = "groups are capped at 254")]
                    let m = (g + 1) as u8;
                    member = m;
                    mobilised = false;
                    acc[lay.base(loc) + lay.off_recruits + g] += 1.0;
                }
            }
        } else if lc.abduction > 0.0 && member == 0 && !detained && age_band == age::CHILD {
            if u < lc.abduction {
                let mut target = u;
                for g in 0..groups {
                    let p = ctx.abduction[loc * groups + g];
                    if target < p {
                        #[expect(clippy::cast_possible_truncation, reason = "groups are capped at 254")]
                        let m = (g + 1) as u8;
                        member = m;
                        acc[lay.base(loc) + field::CHILD_ABDUCTIONS] += 1.0;
                        acc[lay.base(loc) + lay.off_abductions + g] += 1.0;
                        break;
                    }
                    target -= p;
                }
            }
        } else if member > 0 {
            let g = usize::from(member - 1);
            // The bound spares the two exponentials for the fighters who cannot desert.
            if u < ctx.derived.desertion_bound[g]
                && u < recruitment::desertion_probability(&r.recruitment, f64::from(b.livelihood[j]) * lc.market, ctx.pay[g], dt)
            {
                member = 0;
                acc[lay.base(loc) + lay.off_desertions + g] += 1.0;
            }
        }

        // 5. Movement: flight, moving on, seeking a site, return (fighters and detainees stay).
        if member == 0 && !detained {
            let insecurity = f64::from(b.insecurity[j]);
            match disp {
                displacement::HOME => {
                    // Most people are below their threshold; for the others the bound spares the
                    // exponential when the uniform is too large for any excess.
                    let excess = flight::flee_excess(&r.displacement, insecurity, risk_aversion);
                    let u = unit(d[4]);
                    if excess > 0.0
                        && u < ctx.derived.flee_bound
                        && u < flight::flee_probability_from_excess(&r.displacement, excess, dt)
                        && let Some((dest, site, _)) = ctx.destinations.pick(loc, unit(d[5]))
                    {
                        let (new_loc, new_disp) = arrive(dest, site, home);
                        if new_disp != displacement::HOME {
                            acc[lay.base(new_loc) + field::NEWLY_DISPLACED] += 1.0;
                        }
                        loc = new_loc;
                        disp = new_disp;
                    }
                }
                displacement::DISPLACED => {
                    let home_ctx = &ctx.localities[home];
                    let here = &ctx.localities[loc];
                    let p_return =
                        if flight::return_allowed(&r.displacement, home_ctx.home_safe, home_ctx.services, here.services_displaced) {
                            ctx.derived.return_home
                        } else {
                            0.0
                        };
                    // Applying to a site here comes before moving on: people who reached a
                    // base's gates in a conflict zone shelter there rather than walk on (Flee
                    // treats camps as end points); only those who do not apply move on.
                    let p_seek = if here.has_site && here.site_admission > 0.0 {
                        (r.displacement.site_seek_rate_per_day * insecurity * dt).min(1.0 - p_return)
                    } else {
                        0.0
                    };
                    let p_move = ctx.derived.move_on[usize::from(here.conflict_zone)] * (1.0 - p_return - p_seek);
                    let u = unit(d[4]);
                    if u < p_return {
                        loc = home;
                        disp = displacement::HOME;
                        acc[lay.base(home) + field::RETURNS] += 1.0;
                    } else if u < p_return + p_seek {
                        acc[lay.base(loc) + field::SITE_APPLICANTS] += 1.0;
                        if unit(d[5]) < here.site_admission {
                            disp = displacement::IN_SITE;
                            acc[lay.base(loc) + field::SITE_ENTRIES] += 1.0;
                        }
                    } else if u < p_return + p_seek + p_move
                        && let Some((dest, site, _)) = ctx.destinations.pick(loc, unit(d[5]))
                    {
                        let (new_loc, new_disp) = arrive(dest, site, home);
                        if new_disp == displacement::HOME {
                            acc[lay.base(home) + field::RETURNS] += 1.0;
                        }
                        loc = new_loc;
                        disp = new_disp;
                    }
                }
                _ => {
                    let home_ctx = &ctx.localities[home];
                    let here = &ctx.localities[loc];
                    if flight::return_allowed(&r.displacement, home_ctx.home_safe, home_ctx.services, here.services_site)
                        && unit(d[4]) < ctx.derived.return_home
                    {
                        loc = home;
                        disp = displacement::HOME;
                        acc[lay.base(home) + field::RETURNS] += 1.0;
                    }
                }
            }
        }
    }

    // 7. Economy and food, where the person now is.
    let lc = &ctx.localities[loc];
    let in_site = disp == displacement::IN_SITE;
    let income = economy::income_with(
        &r.economy,
        &IncomeInputs {
            livelihood: f64::from(b.livelihood[j]),
            market: lc.market,
            displaced: disp != displacement::HOME,
            in_site,
            violence: lc.violence_level,
            infectious: epi_state == health::INFECTIOUS,
            injured: cond & condition::INJURED != 0,
            chronic: cond & condition::CHRONIC != 0,
            detained,
            support: lc.support,
        },
        ctx.derived.violence_income[loc],
    );
    let kept = if disp == displacement::HOME {
        ctx.derived.harvest_kept[loc]
    } else {
        1.0
    };
    let food_target = economy::food_target_with(income, kept, ctx.derived.food_cost[loc]);
    let food = if step {
        let f = f64::from(b.food_security[j]);
        f + (food_target - f) * ctx.food_alpha
    } else {
        food_target
    };

    // 8. Perceptions and political voice.
    let victimised_recently = (b.victimised_tick[j] != NEVER) & (t.saturating_sub(b.victimised_tick[j]) < ctx.personal_window);
    let insecurity_target = community::insecurity_target_from(
        &r.community,
        ctx.derived.violence_exposure[loc * ids + ident],
        victimised_recently,
        disp != displacement::HOME,
        lc.reassurance,
    );
    let insecurity = if step {
        let x = f64::from(b.insecurity[j]);
        x + (insecurity_target - x) * ctx.insecurity_alpha
    } else {
        insecurity_target
    };
    let voice = if step {
        community::next_voice_with(
            &r.community,
            f64::from(b.voice[j]),
            ctx.localities[home].voice_baseline,
            disp != displacement::HOME,
            lc.engagement,
            dt,
            ctx.derived.voice_relaxation,
        )
    } else {
        f64::from(b.voice[j])
    };

    // 10. Deprivation, Alkire-Foster score and grievance (D1's hardship).
    let health_access = scaled_access(access_factor, if in_site { lc.site_health_access } else { lc.health_access });
    let detained_recently = (b.detained_until[j] != NEVER) & (t < b.detained_until[j].saturating_add(ctx.political_window));
    let flags = deprivation::flags(
        &DeprivationInputs {
            victimised_recently,
            insecurity,
            identity_attacked_recently: ctx.identity_attacked[loc * ids + ident],
            tension: lc.tension,
            voice,
            detained_recently,
            income,
            food_security: food,
            health_access,
            ill_or_injured: (epi_state == health::EXPOSED) | (epi_state == health::INFECTIOUS) | (cond & condition::INJURED != 0),
            env_stress: lc.env_stress,
            sheltered: in_site,
        },
        &ctx.cutoffs,
    );
    let score = ctx.derived.score[usize::from(flags & 0x7f)];
    let grievance_now = mobilisation::grievance_target(score, lc.trust_in_state);
    let grievance = if step {
        grievance + (grievance_now - grievance) * ctx.grievance_alpha
    } else {
        grievance_now
    };

    // Write the row back.
    b.location[j] = loc as u32;
    b.membership[j] = member;
    b.displacement[j] = disp;
    b.condition[j] = cond;
    b.health[j] = epi_state;
    b.income[j] = income as f32;
    b.food_security[j] = food as f32;
    b.insecurity[j] = insecurity as f32;
    b.voice[j] = voice as f32;
    b.grievance[j] = grievance as f32;

    // Aggregates, where the person now is. Yes/no outcomes that vary from person to person
    // without pattern go to the block's tally as integers (`u32::from(condition)`: no branch to
    // mispredict); so do the counts by deprivation flags, from which the tally's expansion
    // derives the identified, vulnerable, severe, deprived and censored counts (the score is a
    // function of the flags).
    let base = lay.base(loc);
    acc[base + field::ALIVE] += 1.0;
    let civilian = member == 0;
    if civilian {
        acc[base + field::CIVILIANS] += 1.0;
        if in_site {
            acc[base + lay.off_site_by_identity + ident] += 1.0;
        } else {
            acc[base + lay.off_civilians_by_identity + ident] += 1.0;
        }
    } else {
        acc[base + lay.off_fighters + usize::from(member - 1)] += 1.0;
    }
    match disp {
        displacement::DISPLACED => acc[base + field::DISPLACED] += 1.0,
        displacement::IN_SITE => acc[base + field::IN_SITE] += 1.0,
        _ => {}
    }
    if disp != displacement::HOME && loc != home {
        acc[base + field::NEWCOMERS] += 1.0;
    }
    match epi_state {
        health::EXPOSED => acc[base + field::EXPOSED] += 1.0,
        health::INFECTIOUS => acc[base + field::INFECTIOUS] += 1.0,
        health::RECOVERED => acc[base + field::RECOVERED] += 1.0,
        _ => {}
    }
    if detained {
        acc[base + field::DETAINED] += 1.0;
    }
    let counts = lay.count_tally(loc);
    let counted = [
        civilian & (age_band == age::CHILD),
        mobilised,
        insecurity >= ctx.indicators.cutoffs.perceived_insecurity_share,
    ];
    debug_assert_eq!(counted.len(), TALLY_COUNTS.len());
    for (i, c) in counted.into_iter().enumerate() {
        tally[counts + i] += u32::from(c);
    }
    let cell = usize::from(flags & 0x7f);
    debug_assert!(flags < 0x80, "seven deprivation flags");
    tally[lay.locality_tally(loc) + cell] += 1;
    // Not counts: added per person, in row order (adding +0.0 for people not identified leaves
    // the sums unchanged to the bit).
    let identified_score = ctx.derived.identified_score[cell];
    acc[base + field::SUM_SCORE_IDENTIFIED] += identified_score;
    acc[base + field::INSECURITY_SUM] += insecurity;
    acc[base + field::INCOME_SUM] += income;
    acc[base + field::VOICE_SUM] += voice;
    acc[base + field::GRIEVANCE_SUM] += grievance;
    let needs = &ctx.derived.needs[cell];
    for (p, n) in needs.iter() {
        acc[base + lay.off_needs + p.index()] += voice * n;
    }
    // Subgroups: identity, sex, age band, displacement status.
    let disp_group = match disp {
        displacement::DISPLACED => 7,
        displacement::IN_SITE => 8,
        _ => 6,
    };
    let subgroups = [ident, ids + usize::from(!female), ids + 2 + usize::from(age_band), ids + disp_group];
    debug_assert!(ids + disp_group < ids + FIXED_SUBGROUPS.len());
    for s in subgroups {
        tally[lay.subgroup_tally(s) + cell] += 1;
        acc[lay.subgroup(s) + 2] += identified_score;
    }
}

/// Where a fleeing person ends up after choosing an option. A person heading for a protection
/// site arrives displaced at the site's locality and applies to enter from the next tick on, so
/// that admissions are drawn from a known pool and sites do not overfill.
fn arrive(dest: usize, site: bool, home: usize) -> (usize, u8) {
    if dest == home && !site {
        (home, displacement::HOME)
    } else {
        (dest, displacement::DISPLACED)
    }
}

/// Health access of one person: the locality's access scaled by a fixed personal factor in
/// [0.5, 1.5) (distance to the nearest facility), derived from the person's id by hashing so
/// that it costs no memory and never changes. Without it, every resident of a locality would
/// cross the deprivation cutoff at once.
#[inline]
#[must_use]
pub fn personal_access(id: usize, locality_access: f64) -> f64 {
    scaled_access(personal_access_factor(id), locality_access)
}

/// The fixed personal factor of [`personal_access`], in [0.5, 1.5).
#[inline]
#[must_use]
pub fn personal_access_factor(id: usize) -> f64 {
    let mut z = (id as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    #[expect(clippy::cast_precision_loss, reason = "53 bits of a hash give a uniform fraction")]
    let u = (z >> 11) as f64 / (1u64 << 53) as f64;
    0.5 + u
}

/// Health access from a locality's access and a [`personal_access_factor`].
#[inline]
#[must_use]
pub fn scaled_access(factor: f64, locality_access: f64) -> f64 {
    (locality_access * factor).min(1.0)
}

/// Deprivation cutoffs in the per-person form.
#[must_use]
pub fn cutoffs(ind: &IndicatorSettings) -> Cutoffs {
    let c = &ind.cutoffs;
    Cutoffs {
        insecurity: c.personal_insecurity_share,
        tension: c.community_tension_share,
        voice: c.political_voice_share,
        income: c.economic_income_line,
        food: c.food_security_share,
        health_access: c.health_access_share,
        env_stress: c.environmental_stress_share,
    }
}

/// Whether the arrest rule gives the floor variant (for documentation in manifests).
#[must_use]
pub fn arrest_rule_name(rule: ArrestRule) -> &'static str {
    match rule {
        ArrestRule::Floor => "floor",
        ArrestRule::Round => "round",
        ArrestRule::Identity => "identity",
    }
}
