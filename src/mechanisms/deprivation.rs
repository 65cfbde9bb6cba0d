//! Person-level deprivation in the seven UNDP dimensions and the Alkire-Foster index.
//!
//! Each person is deprived or not in each dimension by the documented cutoffs (docs/SOURCES.md, HS-indicator-mapping;
//! our mapping, cutoffs configurable in `[indicators.cutoffs]`). The weighted deprivation score
//! c = sum_j w_j g_j identifies a person as insecure when c >= k (default 1/3, the global MPI
//! convention). Over a population, H = q / n, A = mean c among the identified, M0 = H x A, and
//! each dimension's contribution is w_j x censored headcount_j / M0 (Alkire & Foster 2011).

use crate::pillar::{PerPillar, Pillar};

/// Dimension indices, in [`crate::scenario::DIMENSIONS`] order.
pub mod dim {
    /// Personal security.
    pub const PERSONAL: usize = 0;
    /// Community security.
    pub const COMMUNITY: usize = 1;
    /// Political security.
    pub const POLITICAL: usize = 2;
    /// Economic security.
    pub const ECONOMIC: usize = 3;
    /// Food security.
    pub const FOOD: usize = 4;
    /// Health security.
    pub const HEALTH: usize = 5;
    /// Environmental security.
    pub const ENVIRONMENTAL: usize = 6;
}

/// What a person's deprivation depends on.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DeprivationInputs {
    /// Victimised within the personal window.
    pub victimised_recently: bool,
    /// Perceived insecurity.
    pub insecurity: f64,
    /// An identity-based attack hit the person's identity group here within the community window.
    pub identity_attacked_recently: bool,
    /// Local inter-group tension.
    pub tension: f64,
    /// Political voice.
    pub voice: f64,
    /// Detained now or within the political window.
    pub detained_recently: bool,
    /// Income, subsistence lines.
    pub income: f64,
    /// Food security.
    pub food_security: f64,
    /// Health access where the person is.
    pub health_access: f64,
    /// Infected (exposed or infectious) or injured.
    pub ill_or_injured: bool,
    /// Environmental stress where the person is.
    pub env_stress: f64,
    /// Without safe drinking water where the person is (a structural deprivation).
    pub lacks_safe_water: bool,
    /// Sheltered from environmental shocks and served with water (in a protection site).
    pub sheltered: bool,
}

/// Cutoffs in the form the per-person rule uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cutoffs {
    /// Personal: perceived insecurity at or above.
    pub insecurity: f64,
    /// Community: tension at or above.
    pub tension: f64,
    /// Political: voice below.
    pub voice: f64,
    /// Economic: income below.
    pub income: f64,
    /// Food: food security below.
    pub food: f64,
    /// Health: access below.
    pub health_access: f64,
    /// Environmental: stress at or above.
    pub env_stress: f64,
}

/// Deprivation bits: bit `d` set if deprived in dimension `d`.
#[must_use]
pub fn flags(x: &DeprivationInputs, c: &Cutoffs) -> u8 {
    let mut f = 0u8;
    let mut set = |d: usize, deprived: bool| f |= u8::from(deprived) << d;
    // `|` rather than `||`: both sides are cheap, and a short circuit would be a branch that
    // differs from person to person.
    set(dim::PERSONAL, x.victimised_recently | (x.insecurity >= c.insecurity));
    set(dim::COMMUNITY, x.identity_attacked_recently | (x.tension >= c.tension));
    set(dim::POLITICAL, x.detained_recently | (x.voice < c.voice));
    set(dim::ECONOMIC, x.income < c.income);
    set(dim::FOOD, x.food_security < c.food);
    set(dim::HEALTH, x.ill_or_injured | (x.health_access < c.health_access));
    // Environmental security (UNDP 1994): exposure to a drought or flood, or no safe water.
    set(
        dim::ENVIRONMENTAL,
        !x.sheltered & (x.lacks_safe_water | (x.env_stress >= c.env_stress)),
    );
    f
}

/// The deprivation flags grievance reads: `flags` (from [`flags`] of `x`) without an
/// environmental deprivation that is only the structural lack of safe water. Grievance reads
/// what the conflict and the authorities can change; the evidence ties mobilisation to income
/// shocks and violence, not to levels of service access (an assumption, docs/ODD.md §7.2).
#[must_use]
pub fn grievance_flags(flags: u8, x: &DeprivationInputs, c: &Cutoffs) -> u8 {
    let water_only = !x.sheltered & x.lacks_safe_water & (x.env_stress < c.env_stress);
    flags & !(u8::from(water_only) << dim::ENVIRONMENTAL)
}

/// Weighted deprivation score c.
#[must_use]
pub fn score(flags: u8, weights: &[f64; 7]) -> f64 {
    let mut c = 0.0;
    for (d, w) in weights.iter().enumerate() {
        if flags & (1 << d) != 0 {
            c += w;
        }
    }
    c
}

/// Shares of a person's expressed needs per pillar (protection, health, economic, empowerment):
/// each deprived dimension counts equally and maps to the pillar that addresses it.
#[must_use]
pub fn expressed_needs(flags: u8) -> PerPillar<f64> {
    // personal → protection; community → protection and empowerment; political → empowerment;
    // economic, food, environmental → economic; health → health.
    const fn shares(protection: f64, health: f64, economic: f64, empowerment: f64) -> PerPillar<f64> {
        PerPillar {
            protection,
            health,
            economic,
            empowerment,
        }
    }
    const MAP: [PerPillar<f64>; 7] = [
        shares(1.0, 0.0, 0.0, 0.0),
        shares(0.5, 0.0, 0.0, 0.5),
        shares(0.0, 0.0, 0.0, 1.0),
        shares(0.0, 0.0, 1.0, 0.0),
        shares(0.0, 0.0, 1.0, 0.0),
        shares(0.0, 1.0, 0.0, 0.0),
        shares(0.0, 0.0, 1.0, 0.0),
    ];
    let n = flags.count_ones();
    let mut out = PerPillar::splat(0.0);
    if n == 0 {
        return out;
    }
    let share = 1.0 / f64::from(n);
    for (d, row) in MAP.iter().enumerate() {
        if flags & (1 << d) != 0 {
            for p in Pillar::ALL {
                out[p] += share * row[p];
            }
        }
    }
    out
}

/// Alkire-Foster summary of a population.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AfSummary {
    /// Headcount ratio H.
    pub h: f64,
    /// Intensity A.
    pub a: f64,
    /// Adjusted headcount ratio M0 = H x A.
    pub m0: f64,
    /// Contribution of each dimension to M0 (sums to 1 when M0 > 0).
    pub contribution: [f64; 7],
    /// Share deprived in each dimension (uncensored).
    pub deprived: [f64; 7],
    /// Share identified and deprived in each dimension (censored headcount).
    pub censored: [f64; 7],
}

/// Computes the Alkire-Foster summary from counts.
///
/// `n` people; `q` identified; `sum_c` the sum of scores of the identified; per-dimension
/// deprived and censored counts.
#[must_use]
pub fn summarize(n: f64, q: f64, sum_c: f64, deprived: &[f64], censored: &[f64], weights: &[f64; 7]) -> AfSummary {
    let mut s = AfSummary::default();
    if n <= 0.0 {
        return s;
    }
    s.h = q / n;
    s.a = if q > 0.0 { sum_c / q } else { 0.0 };
    s.m0 = sum_c / n;
    for d in 0..7 {
        s.deprived[d] = deprived[d] / n;
        s.censored[d] = censored[d] / n;
        s.contribution[d] = if s.m0 > 0.0 { weights[d] * s.censored[d] / s.m0 } else { 0.0 };
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: [f64; 7] = [1.0 / 7.0; 7];

    fn cut() -> Cutoffs {
        Cutoffs {
            insecurity: 0.6,
            tension: 0.6,
            voice: 0.25,
            income: 1.0,
            food: 0.5,
            health_access: 0.4,
            env_stress: 0.4,
        }
    }

    #[test]
    fn each_dimension_has_its_own_rule() {
        let ok = DeprivationInputs {
            voice: 0.5,
            income: 2.0,
            food_security: 1.0,
            health_access: 1.0,
            ..DeprivationInputs::default()
        };
        assert_eq!(flags(&ok, &cut()), 0);
        assert_eq!(
            flags(
                &DeprivationInputs {
                    victimised_recently: true,
                    ..ok
                },
                &cut()
            ),
            1 << dim::PERSONAL
        );
        assert_eq!(flags(&DeprivationInputs { tension: 0.7, ..ok }, &cut()), 1 << dim::COMMUNITY);
        assert_eq!(flags(&DeprivationInputs { voice: 0.1, ..ok }, &cut()), 1 << dim::POLITICAL);
        assert_eq!(flags(&DeprivationInputs { income: 0.5, ..ok }, &cut()), 1 << dim::ECONOMIC);
        assert_eq!(flags(&DeprivationInputs { food_security: 0.2, ..ok }, &cut()), 1 << dim::FOOD);
        assert_eq!(
            flags(
                &DeprivationInputs {
                    ill_or_injured: true,
                    ..ok
                },
                &cut()
            ),
            1 << dim::HEALTH
        );
        assert_eq!(flags(&DeprivationInputs { env_stress: 0.9, ..ok }, &cut()), 1 << dim::ENVIRONMENTAL);
        assert_eq!(
            flags(
                &DeprivationInputs {
                    env_stress: 0.9,
                    sheltered: true,
                    ..ok
                },
                &cut()
            ),
            0
        );
        // No safe water is an environmental deprivation, except in a site, whose services
        // include water.
        let dry = DeprivationInputs {
            lacks_safe_water: true,
            ..ok
        };
        assert_eq!(flags(&dry, &cut()), 1 << dim::ENVIRONMENTAL);
        assert_eq!(flags(&DeprivationInputs { sheltered: true, ..dry }, &cut()), 0);
        // Grievance does not read the water lack alone, but does read a drought.
        let poor_and_dry = DeprivationInputs { income: 0.5, ..dry };
        let f = flags(&poor_and_dry, &cut());
        assert_eq!(grievance_flags(f, &poor_and_dry, &cut()), 1 << dim::ECONOMIC);
        let drought = DeprivationInputs {
            env_stress: 0.9,
            ..poor_and_dry
        };
        assert_eq!(grievance_flags(flags(&drought, &cut()), &drought, &cut()), f);
    }

    #[test]
    fn alkire_foster_matches_a_hand_computation() {
        // Four people with scores 0, 1/7, 3/7, 5/7 and k = 1/3: two identified.
        let scores = [0.0, 1.0 / 7.0, 3.0 / 7.0, 5.0 / 7.0];
        let q = 2.0;
        let sum_c = scores[2] + scores[3];
        let deprived = [3.0, 2.0, 1.0, 1.0, 1.0, 1.0, 0.0];
        let censored = [2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 0.0];
        let s = summarize(4.0, q, sum_c, &deprived, &censored, &W);
        assert!((s.h - 0.5).abs() < 1e-12);
        assert!((s.a - 4.0 / 7.0).abs() < 1e-12);
        assert!((s.m0 - 2.0 / 7.0).abs() < 1e-12);
        let total: f64 = s.contribution.iter().sum();
        assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn needs_are_split_over_deprived_dimensions() {
        let n = expressed_needs((1 << dim::PERSONAL) | (1 << dim::HEALTH));
        assert_eq!(
            n,
            PerPillar {
                protection: 0.5,
                health: 0.5,
                economic: 0.0,
                empowerment: 0.0
            }
        );
        assert_eq!(expressed_needs(0), PerPillar::splat(0.0));
        let all = expressed_needs(0x7f).sum();
        assert!((all - 1.0).abs() < 1e-12);
    }
}
