//! Per-tick aggregates of the people pass, as flat `f64` vectors with a fixed layout.
//!
//! Each block of people adds into its own accumulator while it is updated; the engine then adds
//! the block accumulators together in block order. Because block boundaries depend only on the
//! scenario (never on the thread count) and every block is summed in row order, the totals are
//! bit-identical whatever the number of threads. Counts are exact integers stored as `f64`;
//! counts of yes/no outcomes and of deprivation-flag combinations are first kept as integers in
//! a block's tally and added once at the end of the block ([`add_tally`]), which gives the same
//! bits.

/// Scalar fields kept per locality (indices into a locality's stride).
pub mod field {
    /// Living people present.
    pub const ALIVE: usize = 0;
    /// Living civilians (not fighters) present.
    pub const CIVILIANS: usize = 1;
    /// Displaced people living in host communities here.
    pub const DISPLACED: usize = 2;
    /// People living in the protection site here.
    pub const IN_SITE: usize = 3;
    /// Displaced people (host community or site) whose home is elsewhere.
    pub const NEWCOMERS: usize = 4;
    /// Exposed.
    pub const EXPOSED: usize = 5;
    /// Infectious.
    pub const INFECTIOUS: usize = 6;
    /// New infections this tick.
    pub const NEW_INFECTIONS: usize = 7;
    /// Epidemic deaths this tick.
    pub const EPIDEMIC_DEATHS: usize = 8;
    /// Other non-violent deaths this tick.
    pub const BASELINE_DEATHS: usize = 9;
    /// Civilians killed by violence this tick.
    pub const VIOLENT_DEATHS: usize = 10;
    /// Fighters killed this tick.
    pub const FIGHTER_DEATHS: usize = 11;
    /// Mobilised people (Epstein-active).
    pub const MOBILISED: usize = 12;
    /// Detained people.
    pub const DETAINED: usize = 13;
    /// Arrests this tick.
    pub const ARRESTS: usize = 14;
    /// People identified as insecure (c >= k).
    pub const IDENTIFIED: usize = 15;
    /// Sum of deprivation scores of the identified.
    pub const SUM_SCORE_IDENTIFIED: usize = 16;
    /// People with 1/5 <= c < k (vulnerable).
    pub const VULNERABLE: usize = 17;
    /// People with c >= 1/2 (severe).
    pub const SEVERE: usize = 18;
    /// People whose perceived insecurity is at or above the indicator threshold.
    pub const FEEL_INSECURE: usize = 19;
    /// Sum of perceived insecurity.
    pub const INSECURITY_SUM: usize = 20;
    /// Sum of income, subsistence lines.
    pub const INCOME_SUM: usize = 21;
    /// People who fled this tick (counted where they arrived).
    pub const NEWLY_DISPLACED: usize = 22;
    /// People who returned home this tick.
    pub const RETURNS: usize = 23;
    /// People admitted to the site here this tick.
    pub const SITE_ENTRIES: usize = 24;
    /// People who applied to enter the site here this tick.
    pub const SITE_APPLICANTS: usize = 25;
    /// Civilians injured this tick.
    pub const INJURED: usize = 26;
    /// Sum of political voice.
    pub const VOICE_SUM: usize = 27;
    /// Sum of grievance.
    pub const GRIEVANCE_SUM: usize = 28;
    /// Children (not fighters) present, for abduction rates.
    pub const CHILDREN: usize = 29;
    /// Child abductions this tick.
    pub const CHILD_ABDUCTIONS: usize = 30;
    /// Recovered (immune) people.
    pub const RECOVERED: usize = 31;
    /// Sum of background mortality relative risks of the living children, youth, adults and
    /// elders (four fields, in age-band order; measured at tick 0 only, to normalise the
    /// background death rate and set the ageing rates).
    pub const MORTALITY_RISK: usize = 32;
    /// Living people per age band (four fields, in age-band order; tick 0 only).
    pub const AGE_BAND_PEOPLE: usize = 36;
    /// Living women of childbearing age (15-59) whose *home* is this locality: births follow
    /// them and fill their home's reserved rows.
    pub const WOMEN_BY_HOME: usize = 40;
    /// Number of scalar fields.
    pub const COUNT: usize = 41;
}

/// Subgroups for disaggregated indicators, in output order after the identity groups.
pub const FIXED_SUBGROUPS: [(&str, &str); 9] = [
    ("sex", "female"),
    ("sex", "male"),
    ("age_band", "child"),
    ("age_band", "youth"),
    ("age_band", "adult"),
    ("age_band", "elder"),
    ("displacement", "home"),
    ("displacement", "displaced"),
    ("displacement", "in_site"),
];

/// Fields per subgroup: n, q, sum of scores of the identified, then deprived counts per dimension.
pub const SUBGROUP_STRIDE: usize = 3 + 7;

/// Positions of every aggregate in an accumulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Localities.
    pub localities: usize,
    /// Identity groups.
    pub identities: usize,
    /// Armed groups.
    pub groups: usize,
    /// Perpetrator slots: groups, then the mission, then crossfire.
    pub slots: usize,
    /// Fields per locality.
    pub stride: usize,
    /// Civilians outside sites present, per identity.
    pub off_civilians_by_identity: usize,
    /// Site residents, per identity.
    pub off_site_by_identity: usize,
    /// Fighters present, per group.
    pub off_fighters: usize,
    /// Civilians killed, per perpetrator slot.
    pub off_killed: usize,
    /// Civilians injured, per perpetrator slot.
    pub off_injured: usize,
    /// Sexual-violence victims, per perpetrator slot.
    pub off_sexual_violence: usize,
    /// Fighters killed, per group.
    pub off_fighter_deaths: usize,
    /// Recruits, per group.
    pub off_recruits: usize,
    /// Desertions, per group.
    pub off_desertions: usize,
    /// Child abductions, per group.
    pub off_abductions: usize,
    /// Deprived counts per dimension.
    pub off_deprived: usize,
    /// Censored (identified and deprived) counts per dimension.
    pub off_censored: usize,
    /// Voice-weighted expressed needs per pillar.
    pub off_needs: usize,
    /// Start of the subgroup section.
    pub off_subgroups: usize,
    /// Number of subgroups (identities, then [`FIXED_SUBGROUPS`]).
    pub subgroups: usize,
    /// Total length.
    pub len: usize,
}

impl Layout {
    /// Builds the layout for a scenario's table sizes.
    #[must_use]
    pub fn new(localities: usize, identities: usize, groups: usize) -> Self {
        let slots = groups + 2;
        let mut o = field::COUNT;
        let mut take = |n: usize| {
            let at = o;
            o += n;
            at
        };
        let off_civilians_by_identity = take(identities);
        let off_site_by_identity = take(identities);
        let off_fighters = take(groups);
        let off_killed = take(slots);
        let off_injured = take(slots);
        let off_sexual_violence = take(slots);
        let off_fighter_deaths = take(groups);
        let off_recruits = take(groups);
        let off_desertions = take(groups);
        let off_abductions = take(groups);
        let off_deprived = take(7);
        let off_censored = take(7);
        let off_needs = take(crate::pillar::Pillar::COUNT);
        let stride = o;
        let subgroups = identities + FIXED_SUBGROUPS.len();
        let off_subgroups = localities * stride;
        Self {
            localities,
            identities,
            groups,
            slots,
            stride,
            off_civilians_by_identity,
            off_site_by_identity,
            off_fighters,
            off_killed,
            off_injured,
            off_sexual_violence,
            off_fighter_deaths,
            off_recruits,
            off_desertions,
            off_abductions,
            off_deprived,
            off_censored,
            off_needs,
            off_subgroups,
            subgroups,
            len: off_subgroups + subgroups * SUBGROUP_STRIDE,
        }
    }

    /// Start of locality `l`'s fields.
    #[inline]
    #[must_use]
    pub fn base(&self, l: usize) -> usize {
        l * self.stride
    }

    /// Start of subgroup `s`'s fields.
    #[inline]
    #[must_use]
    pub fn subgroup(&self, s: usize) -> usize {
        self.off_subgroups + s * SUBGROUP_STRIDE
    }

    /// Perpetrator slot of the mission.
    #[must_use]
    pub fn mission_slot(&self) -> usize {
        self.groups
    }

    /// Perpetrator slot of crossfire in battles.
    #[must_use]
    pub fn crossfire_slot(&self) -> usize {
        self.groups + 1
    }

    /// Sums a locality field over all localities.
    #[must_use]
    pub fn total(&self, acc: &[f64], field: usize) -> f64 {
        (0..self.localities).map(|l| acc[self.base(l) + field]).sum()
    }
}

/// Cells per tally row: one per combination of the seven deprivation flags.
pub const TALLY_ROW: usize = 128;

/// Locality fields counted in a block's tally as integers (see [`Layout::count_tally`]), in
/// their order there. These are yes/no outcomes that vary from person to person without
/// pattern: adding `u32::from(condition)` has no branch to mispredict.
pub const TALLY_COUNTS: [usize; 4] = [field::CHILDREN, field::MOBILISED, field::FEEL_INSECURE, field::WOMEN_BY_HOME];

/// How a deprivation score classifies a person (bits), the same for every person with the same
/// flags because the score is a function of the flags.
pub mod class {
    /// Identified as insecure (score at least k).
    pub const IDENTIFIED: u8 = 1;
    /// Vulnerable (score at least 1/5, not identified).
    pub const VULNERABLE: u8 = 2;
    /// Severely insecure (score at least 1/2).
    pub const SEVERE: u8 = 4;
}

impl Layout {
    /// Length of a block's tally: a [`TALLY_ROW`] of people per deprivation-flag combination for
    /// every locality and then every subgroup, and the [`TALLY_COUNTS`] of every locality.
    #[must_use]
    pub fn tally_len(&self) -> usize {
        (self.localities + self.subgroups) * TALLY_ROW + self.localities * TALLY_COUNTS.len()
    }

    /// Start of locality `l`'s row of people by deprivation flags.
    #[inline]
    #[must_use]
    pub fn locality_tally(&self, l: usize) -> usize {
        l * TALLY_ROW
    }

    /// Start of subgroup `s`'s row of people by deprivation flags.
    #[inline]
    #[must_use]
    pub fn subgroup_tally(&self, s: usize) -> usize {
        (self.localities + s) * TALLY_ROW
    }

    /// Start of locality `l`'s integer counts, in [`TALLY_COUNTS`] order.
    #[inline]
    #[must_use]
    pub fn count_tally(&self, l: usize) -> usize {
        (self.localities + self.subgroups) * TALLY_ROW + l * TALLY_COUNTS.len()
    }
}

/// Adds a block's tally into its accumulator: for every locality the identified, vulnerable
/// and severe people, the deprived and censored counts per dimension and the [`TALLY_COUNTS`];
/// for every subgroup its people, its identified people and its deprived counts per dimension.
/// These fields are counts, exact integers in `f64` (far below 2^53), so adding a block's count
/// at once gives the same value to the bit as adding 1.0 per person. Sums of scores are not
/// counts and are added per person, in row order.
///
/// `classes` holds the [`class`] bits of each of the [`TALLY_ROW`] flag combinations.
pub fn add_tally(layout: &Layout, tally: &[u32], classes: &[u8], acc: &mut [f64]) {
    #[expect(clippy::cast_precision_loss, reason = "counts of people in one block, far below 2^53")]
    let exact = |n: u64| n as f64;
    let rows = layout.localities + layout.subgroups;
    for (row, cells) in tally[..rows * TALLY_ROW].chunks_exact(TALLY_ROW).enumerate() {
        let mut people = 0u64;
        let mut by_class = [0u64; 3];
        let mut deprived = [0u64; 7];
        let mut censored = [0u64; 7];
        for (flags, &count) in cells.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let count = u64::from(count);
            let c = classes[flags];
            people += count;
            for (bit, n) in by_class.iter_mut().enumerate() {
                if c & (1 << bit) != 0 {
                    *n += count;
                }
            }
            let mut rest = flags;
            while rest != 0 {
                let d = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                deprived[d] += count;
                if c & class::IDENTIFIED != 0 {
                    censored[d] += count;
                }
            }
        }
        if people == 0 {
            continue;
        }
        let [identified, vulnerable, severe] = by_class;
        if row < layout.localities {
            let base = layout.base(row);
            acc[base + field::IDENTIFIED] += exact(identified);
            acc[base + field::VULNERABLE] += exact(vulnerable);
            acc[base + field::SEVERE] += exact(severe);
            for d in 0..7 {
                acc[base + layout.off_deprived + d] += exact(deprived[d]);
                acc[base + layout.off_censored + d] += exact(censored[d]);
            }
        } else {
            let a = layout.subgroup(row - layout.localities);
            acc[a] += exact(people);
            acc[a + 1] += exact(identified);
            for d in 0..7 {
                acc[a + 3 + d] += exact(deprived[d]);
            }
        }
    }
    for (l, counts) in tally[rows * TALLY_ROW..].chunks_exact(TALLY_COUNTS.len()).enumerate() {
        let base = layout.base(l);
        for (&f, &n) in TALLY_COUNTS.iter().zip(counts) {
            acc[base + f] += exact(u64::from(n));
        }
    }
}

/// Adds `src` into `dst` element by element.
pub fn add_into(dst: &mut [f64], src: &[f64]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d += *s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_sections_do_not_overlap() {
        let l = Layout::new(3, 2, 4);
        assert_eq!(l.slots, 6);
        assert!(l.off_civilians_by_identity >= field::COUNT);
        assert_eq!(l.off_needs + crate::pillar::Pillar::COUNT, l.stride);
        assert_eq!(l.len, 3 * l.stride + (2 + FIXED_SUBGROUPS.len()) * SUBGROUP_STRIDE);
        assert_eq!(l.mission_slot(), 4);
        assert_eq!(l.crossfire_slot(), 5);
    }

    /// The tally's expansion gives exactly the counts of adding 1.0 per person and field.
    #[test]
    fn tally_expands_to_the_per_person_counts() {
        let l = Layout::new(3, 2, 1);
        // Classes of an arbitrary score function of the flags.
        let classes: Vec<u8> = (0..TALLY_ROW)
            .map(|f| match f.count_ones() {
                0 | 1 => 0,
                2 => class::VULNERABLE,
                3 => class::IDENTIFIED,
                _ => class::IDENTIFIED | class::SEVERE,
            })
            .collect();
        let mut tally = vec![0u32; l.tally_len()];
        let mut direct = vec![0.0; l.len];
        let mut state = 12_345u64;
        for _ in 0..5_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let r = state >> 33;
            let loc = (r % 3) as usize;
            let flags = ((r >> 2) % 128) as usize;
            let subgroup = ((r >> 9) % l.subgroups as u64) as usize;
            let mobilised = (r >> 20) & 1 == 1;
            let c = classes[flags];
            tally[l.locality_tally(loc) + flags] += 1;
            tally[l.subgroup_tally(subgroup) + flags] += 1;
            tally[l.count_tally(loc) + 1] += u32::from(mobilised);
            let base = l.base(loc);
            let a = l.subgroup(subgroup);
            direct[a] += 1.0;
            if mobilised {
                direct[base + field::MOBILISED] += 1.0;
            }
            if c & class::IDENTIFIED != 0 {
                direct[base + field::IDENTIFIED] += 1.0;
                direct[a + 1] += 1.0;
            }
            if c & class::VULNERABLE != 0 {
                direct[base + field::VULNERABLE] += 1.0;
            }
            if c & class::SEVERE != 0 {
                direct[base + field::SEVERE] += 1.0;
            }
            for d in 0..7 {
                if flags & (1 << d) != 0 {
                    direct[base + l.off_deprived + d] += 1.0;
                    direct[a + 3 + d] += 1.0;
                    if c & class::IDENTIFIED != 0 {
                        direct[base + l.off_censored + d] += 1.0;
                    }
                }
            }
        }
        let mut expanded = vec![0.0; l.len];
        add_tally(&l, &tally, &classes, &mut expanded);
        assert_eq!(expanded, direct);
        assert_eq!(TALLY_COUNTS[1], field::MOBILISED);
    }
}
