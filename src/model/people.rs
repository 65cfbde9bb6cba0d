//! The people table: one row per agent (a person, or `people_per_agent` people), as columns.
//!
//! Rows are stored in fixed-size blocks ("blocked structure of arrays"): each [`PeopleBlock`]
//! owns one column per state variable for a contiguous range of person ids. Blocks let the
//! engine give each worker thread a whole block to update with no locks and no unsafe code, keep
//! every column of a block within the caches together, and avoid the page-offset aliasing of a
//! dozen huge columns. Person ids are dense `u32`s, sorted by home locality at initialisation;
//! a person's row never moves. Dead people keep their row (a tombstone) so that ids and random
//! streams stay aligned. Each home locality's range ends with rows reserved for births
//! (`health::UNBORN`), filled in order as people are born, so births need no reallocation and
//! newborns keep the sorting by home. This module holds data only: behaviour lives in `mechanisms` and `phases`.

/// Epidemic compartment or death (`health` column).
pub mod health {
    /// Susceptible.
    pub const SUSCEPTIBLE: u8 = 0;
    /// Exposed (infected, not yet infectious).
    pub const EXPOSED: u8 = 1;
    /// Infectious.
    pub const INFECTIOUS: u8 = 2;
    /// Recovered (immune).
    pub const RECOVERED: u8 = 3;
    /// Dead (from any cause; see the death counters for the cause).
    pub const DEAD: u8 = 4;
    /// A row reserved for a person not yet born (see [`super::People::next_unborn`]).
    pub const UNBORN: u8 = 5;

    /// Whether a person in compartment `h` is alive (neither dead nor unborn).
    #[inline]
    #[must_use]
    pub const fn is_alive(h: u8) -> bool {
        h < DEAD
    }
}

/// Bit flags of the `condition` column.
pub mod condition {
    /// Chronically ill.
    pub const CHRONIC: u8 = 1;
    /// Injured (by violence), until recovery.
    pub const INJURED: u8 = 2;
}

/// Displacement status (`displacement` column).
pub mod displacement {
    /// At home (not displaced).
    pub const HOME: u8 = 0;
    /// Displaced, living in a host community.
    pub const DISPLACED: u8 = 1;
    /// Displaced, living in a protection-of-civilians site.
    pub const IN_SITE: u8 = 2;
}

/// Age bands (`age_band` column), in [`crate::scenario::AGE_BANDS`] order.
pub mod age {
    /// 0-14.
    pub const CHILD: u8 = 0;
    /// 15-24.
    pub const YOUTH: u8 = 1;
    /// 25-59.
    pub const ADULT: u8 = 2;
    /// 60+.
    pub const ELDER: u8 = 3;
}

/// Sentinel for "never" in tick columns.
pub const NEVER: u32 = u32::MAX;

/// The state of a contiguous range of people, one column per variable.
///
/// Row `j` of every column describes person `first_id + j`.
#[derive(Debug, Clone, Default)]
pub struct PeopleBlock {
    /// Id of the first person in the block.
    pub first_id: u32,
    /// Home locality index.
    pub home: Vec<u32>,
    /// Current locality index.
    pub location: Vec<u32>,
    /// Identity-group index.
    pub identity: Vec<u8>,
    /// Age band, see [`age`].
    pub age_band: Vec<u8>,
    /// 1 for women and girls, 0 otherwise.
    pub female: Vec<u8>,
    /// Earning capacity under normal conditions, in subsistence lines.
    pub livelihood: Vec<f32>,
    /// Current income, in subsistence lines.
    pub income: Vec<f32>,
    /// Food security, 0 (none) to 1 (secure).
    pub food_security: Vec<f32>,
    /// Epidemic compartment or death, see [`health`].
    pub health: Vec<u8>,
    /// Condition flags, see [`condition`].
    pub condition: Vec<u8>,
    /// Tick of the last victimisation (injury or assault), or [`NEVER`].
    pub victimised_tick: Vec<u32>,
    /// Tick at which the current or last detention ends, or [`NEVER`] if never detained.
    pub detained_until: Vec<u32>,
    /// Displacement status, see [`displacement`].
    pub displacement: Vec<u8>,
    /// Grievance, 0 to 1 (smoothed deprivation times illegitimacy of the state, D1).
    pub grievance: Vec<f32>,
    /// Risk aversion, 0 to 1 (fixed trait, Epstein's R).
    pub risk_aversion: Vec<f32>,
    /// Political voice, 0 to 1.
    pub voice: Vec<f32>,
    /// Perceived insecurity, 0 to 1.
    pub insecurity: Vec<f32>,
    /// Armed-group membership: 0 for none, `g + 1` for group `g`.
    pub membership: Vec<u8>,
}

impl PeopleBlock {
    /// Creates a block of `len` people starting at `first_id`, every column zeroed.
    #[must_use]
    pub fn zeroed(first_id: u32, len: usize) -> Self {
        Self {
            first_id,
            home: vec![0; len],
            location: vec![0; len],
            identity: vec![0; len],
            age_band: vec![0; len],
            female: vec![0; len],
            livelihood: vec![0.0; len],
            income: vec![0.0; len],
            food_security: vec![0.0; len],
            health: vec![0; len],
            condition: vec![0; len],
            victimised_tick: vec![NEVER; len],
            detained_until: vec![NEVER; len],
            displacement: vec![0; len],
            grievance: vec![0.0; len],
            risk_aversion: vec![0.0; len],
            voice: vec![0.0; len],
            insecurity: vec![0.0; len],
            membership: vec![0; len],
        }
    }

    /// Number of people in the block.
    #[must_use]
    pub fn len(&self) -> usize {
        self.home.len()
    }

    /// Whether the block is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.home.is_empty()
    }

    /// Checks that every column has the same length.
    ///
    /// # Panics
    /// If a column's length differs (a bug).
    pub fn check(&self) {
        let n = self.len();
        let lens = [
            self.location.len(),
            self.identity.len(),
            self.age_band.len(),
            self.female.len(),
            self.livelihood.len(),
            self.income.len(),
            self.food_security.len(),
            self.health.len(),
            self.condition.len(),
            self.victimised_tick.len(),
            self.detained_until.len(),
            self.displacement.len(),
            self.grievance.len(),
            self.risk_aversion.len(),
            self.voice.len(),
            self.insecurity.len(),
            self.membership.len(),
        ];
        assert!(lens.iter().all(|&l| l == n), "people block columns differ in length");
    }

    /// Bytes of state held per person (sum of column element sizes).
    #[must_use]
    pub const fn bytes_per_person() -> usize {
        // home, location; identity, age, sex; livelihood, income, food; health, condition;
        // victimised, detained; displacement; grievance, risk, voice, insecurity; membership.
        8 + 3 + 12 + 2 + 8 + 1 + 16 + 1
    }
}

/// All people, in blocks of `block_len` rows (the last block may be shorter).
#[derive(Debug, Clone, Default)]
pub struct People {
    /// The blocks, in id order.
    pub blocks: Vec<PeopleBlock>,
    /// Rows per block (a multiple of the RNG chunk size).
    pub block_len: usize,
    /// Total rows.
    pub len: usize,
    /// First person id of each home locality (len = localities + 1): people are sorted by home.
    /// A locality's range holds its living and dead people, then its unborn rows.
    pub home_offsets: Vec<u32>,
    /// First unborn row of each home locality (`home_offsets[l + 1]` when its reserve is used up).
    pub next_unborn: Vec<u32>,
    /// Agents born in the last tick.
    pub born_last_tick: u32,
    /// Agents whose birth found no reserved row (0 unless a run outgrows its reserve).
    pub births_unplaced: u64,
}

impl People {
    /// Block index and row within the block of a person id.
    #[must_use]
    pub fn locate(&self, id: u32) -> (usize, usize) {
        let id = id as usize;
        (id / self.block_len, id % self.block_len)
    }
}
