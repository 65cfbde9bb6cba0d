//! The people pass: the person-level part of phases 4-8 and 10 of the tick (`docs/ODD.md` §3)
//! for one block of people.
//!
//! Every person reads only the read-only [`Context`] built at the start of the people pass and
//! their own row, writes only their own row, and adds their aggregates into their block's
//! accumulator (counts by outcome through the block's integer tally). The sub-steps run in a
//! fixed order, numbered by the phase they belong to: realised violence (4), health and
//! mortality (6), mobilisation, arrest, recruitment and desertion (3 and 5), movement (5),
//! economy and food (7), perceptions and voice (8), then deprivation, the Alkire-Foster score
//! and grievance (10). Fusing them into one pass reads each person's columns once per tick.
//!
//! Each person draws exactly [`DRAWS_PER_PERSON`] uniforms per tick, slot by purpose:
//! 0 violence, 1 epidemic, 2 baseline mortality, 3 injury recovery and ageing, 4 movement decision,
//! 5 destination or detention term, 6 arrest / recruitment / desertion / abduction,
//! 7 sexual-violence sub-event.

use std::cell::RefCell;

use rand::Rng;

use crate::mechanisms::deprivation::{self, DeprivationInputs};
use crate::mechanisms::economy::{self, IncomeInputs};
use crate::mechanisms::{community, displacement as flight, mobilisation, recruitment};
use crate::model::people::{NEVER, PeopleBlock, age, condition, displacement, health};
use crate::rng::{DRAWS_PER_PERSON, PERSON_CHUNK, Phase, Streams, unit};

use super::aggregates::{self, FIXED_SUBGROUPS, TALLY_COUNTS, field};
use super::context::{Context, baseline_death_index};

/// Whether the pass advances the state or only measures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Tick 0: compute indicators and settle derived state (food, insecurity, grievance) without transitions.
    Assess,
    /// A full tick.
    Step,
}

thread_local! {
    /// The tally of the block this thread is updating: people by deprivation flags per locality
    /// and subgroup, and the integer counts of [`TALLY_COUNTS`] (see [`aggregates::add_tally`]).
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
        aggregates::add_tally(&ctx.layout, tally, &ctx.derived.score_class, acc);
    });
}

/// Who may mobilise at all: civilians who are free and of fighting age (youth and adults).
/// Non-short-circuit operators: who is mobilised differs from person to person in no pattern a
/// branch predictor could learn, and every operand is cheap.
#[inline]
fn may_mobilise(member: u8, detained: bool, age_band: u8) -> bool {
    (member == 0) & !detained & ((age_band == age::YOUTH) | (age_band == age::ADULT))
}

/// Tick 0: puts the stationary share of the mobilised into detention.
///
/// Without it tick 0 has no detainees and the `detained` series (and political deprivation,
/// which counts recent detention) fills from nothing over the first month (a start-up transient). `detained_share[l]` is the share of the people mobilised in locality
/// `l` who are detained in the stationary state (see `Simulation::measure_initial_state`). Each
/// is detained for a remaining term drawn from the stationary distribution of a renewal process
/// whose terms are uniform on 1 to `detention_max_ticks`: a person found in detention is in a
/// term chosen in proportion to its length, at a uniform point of it, so the remaining term `r`
/// has probability proportional to the chance that a term lasts at least `r` ticks,
/// `max - r + 1`. Draws come from the `Init` phase streams of the person's RNG chunk (tick 2;
/// the population uses tick 0 and the initial fighters tick 1), so the result does not depend on
/// the block layout or the thread count.
///
/// # Panics
/// If the block does not start on an RNG-chunk boundary (a bug in the block layout).
pub fn seed_stationary_detention(block: &mut PeopleBlock, ctx: &Context, streams: &Streams, detained_share: &[f64]) {
    let longest = ctx.detention_max_ticks.max(1);
    let r = &ctx.rules;
    for_each_row_with_init_draws(block, streams, 2, |block, j, [u_detain, u_term]| {
        if !health::is_alive(block.health[j]) {
            return;
        }
        let loc = block.location[j] as usize;
        let mobilised = may_mobilise(block.membership[j], false, block.age_band[j])
            & mobilisation::is_mobilised(
                f64::from(block.grievance[j]),
                f64::from(block.risk_aversion[j]),
                ctx.derived.arrest_probability[loc],
                r.mobilisation.threshold,
            );
        if mobilised && u_detain < detained_share[loc] {
            block.detained_until[j] = remaining_term(longest, u_term);
        }
    });
}

/// Tick 0: displaces the scenario's starting caseload (protracted displacement).
///
/// A civilian whose home locality `l` has `displaced_share[l] > 0` is already displaced with
/// that probability, at a destination the flight rule picks for `l` (the same weights a person
/// fleeing `l` on tick 1 would use). Picking a protection site puts the person in it with
/// probability `site_admission[k]`, the share of the caseload bound for site `k` it has room
/// for; the others are displaced beside it. With no destination within reach the person is
/// displaced within the home locality. Draws come from the `Init` phase streams of the person's RNG chunk (tick 3), so the
/// result does not depend on the block layout or the thread count.
///
/// # Panics
/// If the block does not start on an RNG-chunk boundary (a bug in the block layout).
pub fn seed_protracted_displacement(
    block: &mut PeopleBlock,
    ctx: &Context,
    streams: &Streams,
    displaced_share: &[f64],
    site_admission: &[f64],
) {
    for_each_row_with_init_draws(block, streams, 3, |block, j, [u_displaced, u_where, u_site]| {
        let home = block.home[j] as usize;
        if !health::is_alive(block.health[j]) || block.membership[j] != 0 || u_displaced >= displaced_share[home] {
            return;
        }
        // With nowhere within reach, the displaced are displaced within their own locality
        // (a district: most of eastern Congo's displaced stay in their territory).
        let (dest, site) = ctx.destinations.pick(home, u_where).map_or((home, false), |(d, s, _)| (d, s));
        block.location[j] = u32::try_from(dest).expect("locality indices fit u32");
        block.displacement[j] = if site && u_site < site_admission[dest] {
            displacement::IN_SITE
        } else {
            displacement::DISPLACED
        };
    });
}

/// Calls `row(block, j, draws)` for every row `j` of `block` with `D` uniforms drawn for it from
/// the `Init` phase stream `init_tick` of the row's RNG chunk. Every row gets its `D` draws
/// whatever `row` does with them, so each row's draws sit at a fixed place in its chunk's stream
/// and the result does not depend on the block layout or the thread count. The start-up passes
/// use one `init_tick` each: 0 the population, 1 the initial fighters, 2 the detainees, 3 the
/// displaced.
///
/// # Panics
/// If the block does not start on an RNG-chunk boundary (a bug in the block layout).
fn for_each_row_with_init_draws<const D: usize>(
    block: &mut PeopleBlock,
    streams: &Streams,
    init_tick: u32,
    mut row: impl FnMut(&mut PeopleBlock, usize, [f64; D]),
) {
    let first = block.first_id as usize;
    assert_eq!(first % PERSON_CHUNK, 0, "blocks must start on RNG-chunk boundaries");
    let n = block.len();
    let mut start = 0;
    while start < n {
        let chunk = (first + start) / PERSON_CHUNK;
        let end = n.min(start + PERSON_CHUNK);
        let mut rng = streams.at(Phase::Init, chunk as u64, init_tick);
        for j in start..end {
            // `from_fn` fills the array in index order, so the draws keep their order.
            let draws: [f64; D] = std::array::from_fn(|_| unit(rng.next_u32()));
            row(block, j, draws);
        }
        start = end;
    }
}

/// The remaining term, in ticks from tick 0, of a detention found in progress (see
/// [`seed_stationary_detention`]): `r` in 1 to `longest`, with probability proportional to
/// `longest - r + 1`.
fn remaining_term(longest: u32, u: f64) -> u32 {
    let longest_f = f64::from(longest);
    let total = longest_f * (longest_f + 1.0) / 2.0;
    let target = u * total;
    let mut cumulative = 0.0;
    for r in 1..=longest {
        cumulative += longest_f - f64::from(r) + 1.0;
        if target < cumulative {
            return r;
        }
    }
    longest
}

#[inline]
fn died(block: &mut PeopleBlock, j: usize, acc: &mut [f64], at: usize) {
    block.health[j] = health::DEAD;
    acc[at] += 1.0;
}

/// Whether person `j` was harmed within the personal victimisation window.
#[inline]
fn victimised_recently(b: &PeopleBlock, j: usize, ctx: &Context) -> bool {
    (b.victimised_tick[j] != NEVER) & (ctx.tick.saturating_sub(b.victimised_tick[j]) < ctx.personal_window)
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
    if !health::is_alive(b.health[j]) {
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
    let mut age_band = b.age_band[j];
    let female = b.female[j] == 1;
    let mut loc = b.location[j] as usize;
    let mut member = b.membership[j];
    let mut disp = b.displacement[j];
    let mut cond = b.condition[j];
    let mut epi_state = b.health[j];
    let mut detained = (b.detained_until[j] != NEVER) & (b.detained_until[j] > t);
    let step = mode == Mode::Step;
    let traits = personal_traits(b.first_id as usize + j);
    let access_factor = traits.access;

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
        // Slot 3 serves injury recovery from the bottom of its range and ageing from the top:
        // the two events are disjoint and neither needs a draw of its own.
        let u = unit(d[3]);
        if cond & condition::INJURED != 0 && u < ctx.injury_recovery {
            cond &= !condition::INJURED;
        }
        if u >= 1.0 - ctx.ageing[usize::from(age_band)] {
            age_band += 1;
            b.age_band[j] = age_band;
        }
    }

    // 3 and 5. Mobilisation (Epstein's rule A), arrest, recruitment, desertion, abduction.
    let lc = &ctx.localities[loc];
    let grievance = f64::from(b.grievance[j]);
    let risk_aversion = f64::from(b.risk_aversion[j]);
    // Non-short-circuit operators: who is mobilised differs from person to person in no
    // pattern a branch predictor could learn, and every operand is cheap.
    let adult = (age_band == age::YOUTH) | (age_band == age::ADULT);
    let mut mobilised = may_mobilise(member, detained, age_band)
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
        } else if lc.enlist > 0.0 && member == 0 && !detained && adult {
            // Enlistment in host-state forces short of their strength (their own rule).
            if u < lc.enlist {
                let mut target = u;
                for g in 0..groups {
                    let p = if ctx.recruits_from[g * ids + ident] {
                        ctx.enlist[loc * groups + g]
                    } else {
                        0.0
                    };
                    if target < p {
                        #[expect(clippy::cast_possible_truncation, reason = "groups are capped at 254")]
                        let m = (g + 1) as u8;
                        member = m;
                        mobilised = false;
                        acc[lay.base(loc) + lay.off_recruits + g] += 1.0;
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
                    // Flight from the killings here (a count per killing), or else (the
                    // complement of the same uniform) from the person's own danger, having been
                    // harmed lately: the chance is p + (1 - p) q. Not from the killings per head
                    // of the locality, which the per-killing count already answers: read per
                    // head, a village's massacre would move its village twice, and the same
                    // massacre in a district would move almost nobody (docs/ODD.md §7.6).
                    // Most people are below their threshold; for the others the bound spares the
                    // exponential when the uniform is too large for any excess.
                    let danger = community::personal_danger(&r.community, victimised_recently(b, j, ctx), lc.reassurance);
                    let excess = flight::flee_excess(&r.displacement, danger, r.community.insecurity_baseline, risk_aversion);
                    let p_attack = ctx.derived.attack_flight[loc * ids + ident];
                    let u = unit(d[4]);
                    if (u < p_attack
                        || (excess > 0.0
                            && u < p_attack + ctx.derived.flee_bound
                            && u < p_attack + (1.0 - p_attack) * flight::flee_probability_from_excess(&r.displacement, excess, dt)))
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
                        // Moving on goes to another refuge: going home is the return decision's
                        // alone (otherwise the daily move chance, 1 in a conflict zone, sent people
                        // home whenever home was among the nearby places, safe or not).
                        && (dest != home || site)
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
            drought_loss: ctx.derived.drought_income_loss[loc],
            price_rise: lc.price - 1.0,
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
    let victimised_recently = victimised_recently(b, j, ctx);
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
    // The fear a person would report in a survey: widespread where violence is heard of, long
    // before people flee (`insecurity` above is the sense of danger that sets how fast the
    // displaced seek a site).
    let fear = community::reported_fear(
        &r.community,
        ctx.derived.fear_exposure[loc * ids + ident],
        victimised_recently,
        disp != displacement::HOME,
        lc.reassurance,
        risk_aversion,
    );
    let voice = if step {
        community::next_voice_with(
            &r.community,
            f64::from(b.voice[j]),
            personal_voice(traits, ctx.localities[home].voice_baseline),
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
    let lacks_safe_water = traits.water_rank < lc.unsafe_water;
    let inputs = DeprivationInputs {
        victimised_recently,
        insecurity,
        identity_attacked_recently: ctx.identity_attacked[loc * ids + ident],
        tension: lc.tension * traits.tension,
        voice,
        detained_recently,
        income,
        food_security: food,
        health_access,
        ill_or_injured: (epi_state == health::EXPOSED) | (epi_state == health::INFECTIOUS) | (cond & condition::INJURED != 0),
        env_stress: lc.env_stress,
        lacks_safe_water,
        sheltered: in_site,
    };
    let flags = deprivation::flags(&inputs, &ctx.cutoffs);
    let grievance_flags = deprivation::grievance_flags(flags, &inputs, &ctx.cutoffs);
    let grievance_score = ctx.derived.score[usize::from(grievance_flags & 0x7f)];
    let grievance_now = mobilisation::grievance_target((grievance_score * traits.hardship).min(1.0), lc.trust_in_state);
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
    if !step {
        // Tick 0 measures the starting population's background mortality risk, which sets
        // the scale of everyone's background death hazard (`Context::mean_mortality_risk`).
        acc[base + field::AGE_BAND_PEOPLE + usize::from(age_band)] += 1.0;
        acc[base + field::MORTALITY_RISK + usize::from(age_band)] += ctx.derived.mortality_risk[baseline_death_index(
            age_band,
            health_access >= ctx.cutoffs.health_access,
            food < ctx.cutoffs.food,
            cond & condition::CHRONIC != 0,
        )];
    }
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
        fear >= ctx.indicators.cutoffs.perceived_insecurity_share,
    ];
    debug_assert_eq!(counted.len() + 1, TALLY_COUNTS.len());
    for (i, c) in counted.into_iter().enumerate() {
        tally[counts + i] += u32::from(c);
    }
    // Births follow the women of childbearing age of each home locality (`phases::demography`).
    tally[lay.count_tally(home) + counted.len()] += u32::from(female & adult);
    let cell = usize::from(flags & 0x7f);
    debug_assert!(flags < 0x80, "seven deprivation flags");
    tally[lay.locality_tally(loc) + cell] += 1;
    // Not counts: added per person, in row order (adding +0.0 for people not identified leaves
    // the sums unchanged to the bit).
    let identified_score = ctx.derived.identified_score[cell];
    acc[base + field::SUM_SCORE_IDENTIFIED] += identified_score;
    acc[base + field::INSECURITY_SUM] += fear;
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

/// A person's fixed traits that cost no memory: uniforms from hashes of the person's id (21 bits
/// each), computed when needed and never changing.
///
/// - `access`, in [0.5, 1.5): the factor on their locality's health access (distance to the
///   nearest facility). Without it, every resident of a locality would cross the deprivation
///   cutoff at once.
/// - `tension`, in [0.5, 1.5): how much of their locality's inter-group tension they feel.
///   Without it, community deprivation (tension at or above a cutoff) would switch a whole
///   locality at once, and a locality whose tension sits at the cutoff would flip all its
///   people on the smallest change.
/// - `voice_offset`, in [-0.3, 0.3): their offset on their locality's political voice, which
///   sets both their starting voice and the voice they return to. With a locality-wide target
///   instead, everyone's voice would converge within months and political deprivation (a voice
///   below a cutoff) would vanish from every scenario at the start: a transient, not a result.
/// - `hardship`, in [0.9, 1.1): how hard they feel the deprivation their score measures (a
///   second hash of the id, since the first one's bits are used). The deprivation score takes
///   few values (one of seven equally weighted dimensions gives 1/7), so without a personal part
///   grievance sat on a few mass points: in MONUSCO's Butembo the class with one deprivation had
///   grievance (1/7)(1 - 0.3) = 0.1, exactly the activation threshold, and a rise of trust in the
///   state of 0.0004 took 60 % of the mobilised off the street in one day. A narrow spread
///   spreads such a class over the threshold and leaves the classes away from it as they were
///   (a wide one, [0.5, 1.5), lowered every scenario's mobilised share by a tenth). The spread is
///   an assumption.
/// - `water_rank`, in [0, 1): the person lacks safe drinking water wherever the share of people
///   without it (`unsafe_water_share`) is above their rank, so a locality's residents lack it in
///   that share, and the same people lack it whatever the run (a second draw of the second
///   hash). Independent of income and health access: an assumption (in the MPI surveys the
///   lacks overlap more, docs/ODD.md §7.1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PersonalTraits {
    /// Factor on the locality's health access.
    pub access: f64,
    /// Factor on the locality's tension.
    pub tension: f64,
    /// Offset on the locality's political voice.
    pub voice_offset: f64,
    /// Factor on the person's deprivation score in their grievance.
    pub hardship: f64,
    /// Rank in [0, 1) for safe drinking water: without it where the locality's share of people
    /// without safe water is above the rank.
    pub water_rank: f64,
}

/// The [`PersonalTraits`] of person `id`.
#[inline]
#[must_use]
pub fn personal_traits(id: usize) -> PersonalTraits {
    let mut z = (id as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    const BITS: u32 = 21;
    const MASK: u64 = (1 << BITS) - 1;
    #[expect(clippy::cast_precision_loss, reason = "21-bit integers are exact in f64")]
    let fraction = |shift: u32| ((z >> shift) & MASK) as f64 / (1u64 << BITS) as f64;
    let mut w = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    w = (w ^ (w >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    w = (w ^ (w >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    w ^= w >> 31;
    #[expect(clippy::cast_precision_loss, reason = "21-bit integers are exact in f64")]
    let hardship = 0.9 + 0.2 * (w & MASK) as f64 / (1u64 << BITS) as f64;
    #[expect(clippy::cast_precision_loss, reason = "21-bit integers are exact in f64")]
    let water_rank = ((w >> BITS) & MASK) as f64 / (1u64 << BITS) as f64;
    PersonalTraits {
        access: 0.5 + fraction(0),
        tension: 0.5 + fraction(BITS),
        voice_offset: 0.6 * (fraction(2 * BITS) - 0.5),
        hardship,
        water_rank,
    }
}

/// A person's own voice baseline: their locality's plus their personal offset.
#[inline]
#[must_use]
pub fn personal_voice(traits: PersonalTraits, locality_voice: f64) -> f64 {
    (locality_voice + traits.voice_offset).clamp(0.0, 1.0)
}

/// Health access from a locality's access and a person's access factor ([`PersonalTraits`]).
#[inline]
#[must_use]
pub fn scaled_access(factor: f64, locality_access: f64) -> f64 {
    (locality_access * factor).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::remaining_term;

    #[test]
    fn a_detention_found_in_progress_has_the_stationary_residual_term() {
        // Terms uniform on 1..=4: a term found in progress has r with weights 4, 3, 2, 1.
        let draws = 100_000;
        let mut counts = [0u32; 5];
        for i in 0..draws {
            let u = (f64::from(i) + 0.5) / f64::from(draws);
            counts[remaining_term(4, u) as usize] += 1;
        }
        assert_eq!(counts[0], 0);
        for (r, expected) in [(1, 0.4), (2, 0.3), (3, 0.2), (4, 0.1)] {
            let share = f64::from(counts[r]) / f64::from(draws);
            assert!((share - expected).abs() < 1e-3, "r = {r}: {share} against {expected}");
        }
        assert_eq!(remaining_term(1, 0.99), 1);
    }
}
