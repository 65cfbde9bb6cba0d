//! Epstein's (2002) civil-violence models on a torus lattice: Model I (generalised rebellion,
//! citizens and cops) and Model II (two groups, inter-group killing, cloning and ageing,
//! peacekeepers dropped in).
//!
//! Rules (Epstein 2002; NetLogo Rebellion where noted): grievance G = H(1 - L); estimated
//! arrest probability P = 1 - exp(-k f(C/A)) with C the cops and A the actives within vision
//! (A counts the agent itself, NetLogo); a citizen is active if G - R P > T; a cop arrests a
//! random active within vision, who is jailed for a drawn term; agents move to a random empty
//! cell within vision. Activation is random sequential: every tick, every agent in a fresh
//! random order moves and then acts on the current state. Jailed citizens leave the lattice
//! (their cell counts as empty, NetLogo) and come back to it when released (to a random empty
//! cell within vision if theirs was taken: NetLogo lets them share it).
//!
//! Counting is fast: cops, actives and occupied cells are kept as bit planes in 8 x 8 tiles, so
//! the number of cops or actives within vision is one masked popcount per tile it overlaps.
//! Generators come from `rng` (one sequential stream: the model is sequential).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::rng::{Phase, Streams, unit};

use super::scenario::{ActionOrder, Activation, EpsteinScenario, Fill, JailCountdown, JailTerm, Neighbourhood, Release, Rounding};
use crate::scenario::ArrestRule;

const NONE: u32 = u32::MAX;

/// Kind of agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
enum Kind {
    Citizen = 0,
    Cop = 1,
    Dead = 2,
}

/// `v` wrapped onto `0..n`, for `v` within one lattice length of it (offsets are at most the
/// vision, which is validated below half the lattice). The same value as `v.rem_euclid(n)`
/// without a division, which dominated the neighbourhood counts.
#[inline]
fn wrap(v: i64, n: i64) -> usize {
    debug_assert!(-n <= v && v < 2 * n, "offset beyond one lattice length");
    let v = if v < 0 {
        v + n
    } else if v >= n {
        v - n
    } else {
        v
    };
    #[expect(clippy::cast_sign_loss, clippy::cast_possible_truncation, reason = "0 <= v < n, a lattice size")]
    let v = v as usize;
    v
}

/// Hints the processor to bring the cache line holding `value` closer (a hint: never faults,
/// changes no state the program can observe).
#[inline]
#[allow(unsafe_code, reason = "the one unsafe call in the crate: a prefetch hint on a valid reference")]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `_mm_prefetch` only hints the cache; the pointer comes from a reference, so it is
    // valid, and a prefetch never reads into the program or faults. SSE is part of x86_64.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(std::ptr::from_ref(value).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// An agent's state (citizen or cop; `Dead` marks a free slot in Model II) in 16 bytes, four
/// to a cache line: activation visits agents in random order, so every visit is a cache and
/// usually a TLB miss, and the fewer pages the rows span the fewer page walks (the TLB entries of
/// this virtual machine cover 4 KB whatever the guest's page size). Kind, activity, group and
/// jail term share one word; Model II's ages are in columns of their own.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(16))]
struct Agent {
    x: u16,
    y: u16,
    hardship: f32,
    risk: f32,
    /// Bits 0-1 the kind, bit 2 active, bit 3 the group (Model II), bits 8-31 the jail term.
    status: u32,
}

const KIND_MASK: u32 = 0b11;
const ACTIVE_BIT: u32 = 1 << 2;
const GROUP_BIT: u32 = 1 << 3;
const JAIL_SHIFT: u32 = 8;
/// Jail terms fit the 24 bits above [`JAIL_SHIFT`] (the scenario allows at most 1 000 000).
const MAX_JAIL: u32 = (1 << (32 - JAIL_SHIFT)) - 1;

impl Agent {
    const EMPTY: Self = Self {
        x: 0,
        y: 0,
        hardship: 0.0,
        risk: 0.0,
        status: Kind::Dead as u32,
    };

    #[inline]
    fn kind(&self) -> Kind {
        match self.status & KIND_MASK {
            0 => Kind::Citizen,
            1 => Kind::Cop,
            _ => Kind::Dead,
        }
    }

    #[inline]
    fn set_kind(&mut self, kind: Kind) {
        self.status = (self.status & !KIND_MASK) | kind as u32;
    }

    #[inline]
    fn active(&self) -> bool {
        self.status & ACTIVE_BIT != 0
    }

    /// Without a branch (whether a citizen turns active has no pattern to predict).
    #[inline]
    fn set_active(&mut self, on: bool) {
        self.status = (self.status & !ACTIVE_BIT) | (u32::from(on) << ACTIVE_BIT.trailing_zeros());
    }

    /// A citizen, active and not jailed.
    #[inline]
    fn is_free_active(&self) -> bool {
        self.kind() == Kind::Citizen && self.active() && self.jail() == 0
    }

    #[inline]
    fn group(&self) -> u8 {
        u8::from(self.status & GROUP_BIT != 0)
    }

    #[inline]
    fn jail(&self) -> u32 {
        self.status >> JAIL_SHIFT
    }

    #[inline]
    fn set_jail(&mut self, term: u32) {
        debug_assert!(term <= MAX_JAIL, "jail terms fit 24 bits");
        self.status = (self.status & ((1 << JAIL_SHIFT) - 1)) | (term << JAIL_SHIFT);
    }

    #[inline]
    fn x(&self) -> usize {
        usize::from(self.x)
    }

    #[inline]
    fn y(&self) -> usize {
        usize::from(self.y)
    }

    /// Moves the agent's recorded cell (lattices are at most 20 000 cells a side).
    #[inline]
    fn set_cell(&mut self, x: usize, y: usize) {
        self.x = u16::try_from(x).expect("lattice sides fit u16");
        self.y = u16::try_from(y).expect("lattice sides fit u16");
    }
}

/// Model II: an agent's age and the age at which it dies (citizens; `u32::MAX` otherwise).
#[derive(Debug, Clone, Copy, Default)]
struct Lifespan {
    age: u32,
    death_age: u32,
}

/// Agents by state, counted as integers without branches (whether a citizen is active varies
/// from one to the next without pattern); converted once to the `f64` counts, exactly.
#[derive(Debug, Default)]
struct AgentTally {
    cops: u32,
    jailed: u32,
    active: u32,
    quiescent: u32,
    blue: u32,
    green: u32,
}

impl AgentTally {
    #[inline]
    fn add(&mut self, a: &Agent) {
        let citizen = a.kind() == Kind::Citizen;
        let free = citizen & (a.jail() == 0);
        self.cops += u32::from(a.kind() == Kind::Cop);
        self.jailed += u32::from(citizen & (a.jail() > 0));
        self.active += u32::from(free & a.active());
        self.quiescent += u32::from(free & !a.active());
        self.blue += u32::from(citizen & (a.group() == 0));
        self.green += u32::from(citizen & (a.group() != 0));
    }

    fn counts(&self, kills: f64, arrests: f64, legitimacy: f64, model2: bool) -> EpsteinCounts {
        let (blue, green) = if model2 { (self.blue, self.green) } else { (0, 0) };
        EpsteinCounts {
            kills,
            arrests,
            legitimacy,
            cops: f64::from(self.cops),
            jailed: f64::from(self.jailed),
            active: f64::from(self.active),
            quiescent: f64::from(self.quiescent),
            blue: f64::from(blue),
            green: f64::from(green),
        }
    }
}

/// Epstein's estimated arrest probability 1 - exp(-k r) for the (rounded) cop-to-active ratio r.
#[inline]
fn arrest_probability(arrest_constant: f64, ratio: f64) -> f64 {
    1.0 - (-arrest_constant * ratio).exp()
}

/// `c / a` rounded to a whole number with halves to the even neighbour (Python 3's `round` on the
/// quotient: the quotient of integers below 2^20 is a half exactly when 2c/a is an odd integer,
/// and otherwise lies at least 1/(2a) from one, so the integer rule is exact). `a` > 0.
#[inline]
fn round_half_even(c: u32, a: u32) -> u32 {
    let (q, rem) = (c / a, c % a);
    match (2 * rem).cmp(&a) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    }
}

/// Counts of one tick (one row of `timeseries.csv` for an Epstein run).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EpsteinCounts {
    /// Citizens neither active nor jailed.
    pub quiescent: f64,
    /// Active citizens.
    pub active: f64,
    /// Jailed citizens.
    pub jailed: f64,
    /// Cops.
    pub cops: f64,
    /// Legitimacy this tick.
    pub legitimacy: f64,
    /// Model II: blue citizens alive.
    pub blue: f64,
    /// Model II: green citizens alive.
    pub green: f64,
    /// Model II: killings this tick.
    pub kills: f64,
    /// Arrests this tick.
    pub arrests: f64,
}

impl EpsteinCounts {
    /// Column names.
    pub const NAMES: [&'static str; 9] = [
        "quiescent",
        "active",
        "jailed",
        "cops",
        "legitimacy",
        "blue",
        "green",
        "kills",
        "arrests",
    ];

    /// Values in column order.
    #[must_use]
    pub fn values(&self) -> [f64; 9] {
        [
            self.quiescent,
            self.active,
            self.jailed,
            self.cops,
            self.legitimacy,
            self.blue,
            self.green,
            self.kills,
            self.arrests,
        ]
    }
}

/// Rows of a neighbourhood: for each `dy`, the half-width of the run of cells.
#[derive(Debug, Clone)]
struct Shape {
    rows: Vec<(i64, i64)>,
    /// The largest row offset or half-width: a neighbourhood centred at least this far from
    /// every edge never wraps.
    reach: usize,
    /// Every (dx, dy) in the neighbourhood except (0, 0), for movement.
    cells: Vec<(i64, i64)>,
    /// The rows as masks over [`Bits`] tiles, for counting neighbourhoods that do not wrap.
    tiles: TileMasks,
}

impl Shape {
    /// The neighbourhood of radius `vision` on a lattice `width` cells wide.
    fn new(vision: f64, kind: Neighbourhood, width: usize) -> Self {
        #[expect(clippy::cast_possible_truncation, reason = "vision is validated below half the lattice")]
        let r = vision.floor() as i64;
        let mut rows = Vec::new();
        let mut cells = Vec::new();
        for dy in -r..=r {
            let hw = match kind {
                Neighbourhood::Moore => r,
                Neighbourhood::VonNeumann => r - dy.abs(),
                Neighbourhood::Euclidean => {
                    #[expect(clippy::cast_precision_loss, reason = "small integers")]
                    let rest = vision * vision - (dy * dy) as f64;
                    #[expect(clippy::cast_possible_truncation, reason = "small values")]
                    let w = (rest.max(0.0) + 1e-9).sqrt().floor() as i64;
                    w
                }
            };
            if hw < 0 {
                continue;
            }
            rows.push((dy, hw));
            for dx in -hw..=hw {
                if (dx, dy) != (0, 0) {
                    cells.push((dx, dy));
                }
            }
        }
        let reach = rows
            .iter()
            .map(|&(dy, hw)| dy.unsigned_abs().max(hw.unsigned_abs()))
            .max()
            .unwrap_or(0);
        #[expect(clippy::cast_possible_truncation, reason = "vision is validated below half the lattice")]
        let reach = reach as usize;
        let tiles = TileMasks::new(&rows, width.div_ceil(8));
        Self { rows, reach, cells, tiles }
    }
}

/// Bit planes over the lattice in tiles of 8 x 8 cells, one `u64` per tile (bit `8 (y % 8) +
/// x % 8`), tiles row by row. A neighbourhood of vision 7 then spans at most 3 x 3 tiles, a few
/// cache lines, where rows of bits spanned 15 lines per plane; counting it is one masked
/// popcount per tile ([`TileMasks`]). Cells past the lattice's edge in its last tiles stay 0.
#[derive(Debug, Clone)]
struct Bits {
    words: Vec<u64>,
    tiles_x: usize,
}

impl Bits {
    fn new(w: usize, h: usize) -> Self {
        let tiles_x = w.div_ceil(8);
        Self {
            words: vec![0; tiles_x * h.div_ceil(8)],
            tiles_x,
        }
    }

    /// The word and bit of cell (x, y).
    #[inline]
    fn at(&self, x: usize, y: usize) -> (usize, usize) {
        ((y / 8) * self.tiles_x + x / 8, (y % 8) * 8 + x % 8)
    }

    #[inline]
    fn get(&self, x: usize, y: usize) -> bool {
        let (word, bit) = self.at(x, y);
        self.words[word] >> bit & 1 == 1
    }

    /// Without a branch: whether a citizen turns active varies from one to the next without
    /// pattern, and a mispredicted branch costs more than the arithmetic.
    #[inline]
    fn set(&mut self, x: usize, y: usize, on: bool) {
        let (word, bit) = self.at(x, y);
        let w = &mut self.words[word];
        *w = (*w & !(1 << bit)) | (u64::from(on) << bit);
    }

    /// The 8 cells of row `y` in tile column `t` (bit i = column 8 t + i), with `invert` the
    /// complement.
    #[inline]
    fn row_byte(&self, y: usize, t: usize, invert: bool) -> u64 {
        let (word, _) = self.at(8 * t, y);
        let byte = self.words[word] >> ((y % 8) * 8) & 0xFF;
        if invert { !byte & 0xFF } else { byte }
    }

    /// Mask of the columns `a..b` within tile column `t` (as bits 0..8).
    #[inline]
    fn column_mask(t: usize, a: usize, b: usize) -> u64 {
        let lo = a.max(8 * t) - 8 * t;
        let hi = b.min(8 * t + 8) - 8 * t;
        (0xFF >> (8 - (hi - lo))) << lo
    }

    /// Set bits in row `y`, columns `a..b` (no wrap; a < b <= width).
    fn count(&self, y: usize, a: usize, b: usize) -> u32 {
        (a / 8..=(b - 1) / 8)
            .map(|t| (self.row_byte(y, t, false) & Self::column_mask(t, a, b)).count_ones())
            .sum()
    }

    /// Column of the `k`-th (0-based) set bit in row `y`, columns `a..b`, left to right;
    /// `invert` counts zeros.
    fn select(&self, y: usize, a: usize, b: usize, mut k: u32, invert: bool) -> Option<usize> {
        for t in a / 8..=(b - 1) / 8 {
            let mut byte = self.row_byte(y, t, invert) & Self::column_mask(t, a, b);
            let c = byte.count_ones();
            if k < c {
                for _ in 0..k {
                    byte &= byte - 1;
                }
                return Some(8 * t + byte.trailing_zeros() as usize);
            }
            k -= c;
        }
        None
    }
}

/// A bit plane over the torus with a halo: the lattice's cells at (x + r, y + r) of a [`Bits`]
/// plane `r` cells wider on every side, whose border holds copies of the cells within `r` of
/// the opposite edge. Every neighbourhood of reach at most `r` is then one block of the padded
/// plane, counted tile by tile and read without wrapping, wherever the cell is (on a 100 x 100
/// lattice with vision 7 a quarter of the cells are within 7 of an edge). A cell near an edge is
/// written up to four times (itself and its copies); reads and counts never wrap.
#[derive(Debug, Clone)]
struct Plane {
    bits: Bits,
    r: usize,
    w: usize,
    h: usize,
    /// Columns (rows) `r..w - r` (`r..h - r`) have no copies: `w - 2r` (`h - 2r`).
    inner_w: usize,
    inner_h: usize,
}

impl Plane {
    fn new(w: usize, h: usize, r: usize) -> Self {
        Self {
            bits: Bits::new(w + 2 * r, h + 2 * r),
            r,
            w,
            h,
            inner_w: w - 2 * r,
            inner_h: h - 2 * r,
        }
    }

    #[inline]
    fn get(&self, x: usize, y: usize) -> bool {
        self.bits.get(x + self.r, y + self.r)
    }

    #[inline(always)]
    fn set(&mut self, x: usize, y: usize, on: bool) {
        self.bits.set(x + self.r, y + self.r, on);
        if self.near_edge(x, y) {
            self.set_copies(x, y, on);
        }
    }

    /// Within `r` of an edge (x < r or x >= w - r, or the same for y), so copied in the halo: one
    /// unsigned comparison per axis.
    #[inline(always)]
    fn near_edge(&self, x: usize, y: usize) -> bool {
        (x.wrapping_sub(self.r) >= self.inner_w) | (y.wrapping_sub(self.r) >= self.inner_h)
    }

    #[inline(never)]
    fn set_copies(&mut self, x: usize, y: usize, on: bool) {
        let (copies, n) = self.copies(x, y);
        for &(cx, cy) in &copies[..n] {
            self.bits.set(cx, cy, on);
        }
    }

    /// The halo's copies of a cell within `r` of an edge, in padded coordinates (at most one
    /// column and one row of copies: `r` is below half the lattice, so no cell is within `r` of
    /// two opposite edges).
    fn copies(&self, x: usize, y: usize) -> ([(usize, usize); 3], usize) {
        let (r, px, py) = (self.r, x + self.r, y + self.r);
        let gx = if x < r {
            Some(px + self.w)
        } else if x + r >= self.w {
            Some(px - self.w)
        } else {
            None
        };
        let gy = if y < r {
            Some(py + self.h)
        } else if y + r >= self.h {
            Some(py - self.h)
        } else {
            None
        };
        let mut out = [(0, 0); 3];
        let mut n = 0;
        if let Some(gx) = gx {
            out[n] = (gx, py);
            n += 1;
        }
        if let Some(gy) = gy {
            out[n] = (px, gy);
            n += 1;
            if let Some(gx) = gx {
                out[n] = (gx, gy);
                n += 1;
            }
        }
        (out, n)
    }

    /// Set bits in lattice row `y`, columns `a..b` (no wrap).
    fn row_count(&self, y: usize, a: usize, b: usize) -> u32 {
        self.bits.count(y + self.r, a + self.r, b + self.r)
    }

    /// Column of the `k`-th set (or, with `invert`, unset) cell in lattice row `y`, columns `a..b`.
    fn row_select(&self, y: usize, a: usize, b: usize, k: u32, invert: bool) -> Option<usize> {
        self.bits.select(y + self.r, a + self.r, b + self.r, k, invert).map(|c| c - self.r)
    }
}

/// A neighbourhood shape as masks over the tiles of [`Bits`], for a cell at each of the 64
/// positions within its tile: (word offset from the cell's tile, mask) pairs covering exactly
/// the neighbourhood's cells (the centre included). Valid for neighbourhoods that do not wrap.
#[derive(Debug, Clone)]
struct TileMasks {
    entries: Vec<(isize, u64)>,
    /// `entries[ranges[8 (y % 8) + x % 8]]` for the cell (x, y).
    ranges: Vec<std::ops::Range<usize>>,
}

impl TileMasks {
    fn new(rows: &[(i64, i64)], tiles_x: usize) -> Self {
        let mut entries = Vec::new();
        let mut ranges = Vec::with_capacity(64);
        let tiles_x = i64::try_from(tiles_x).expect("tile counts fit i64");
        for oy in 0..8i64 {
            for ox in 0..8i64 {
                let mut by_tile = std::collections::BTreeMap::<(i64, i64), u64>::new();
                for &(dy, hw) in rows {
                    for dx in -hw..=hw {
                        let (cx, cy) = (ox + dx, oy + dy);
                        *by_tile.entry((cy.div_euclid(8), cx.div_euclid(8))).or_default() |= 1 << (cy.rem_euclid(8) * 8 + cx.rem_euclid(8));
                    }
                }
                let first = entries.len();
                for ((ty, tx), mask) in by_tile {
                    entries.push((isize::try_from(ty * tiles_x + tx).expect("offsets fit isize"), mask));
                }
                ranges.push(first..entries.len());
            }
        }
        Self { entries, ranges }
    }

    /// The (offset, mask) pairs for a cell at (x, y) and the word index of its tile.
    #[inline]
    fn for_cell(&self, bits: &Bits, x: usize, y: usize) -> (&[(isize, u64)], usize) {
        let (tile, position) = bits.at(x, y);
        (&self.entries[self.ranges[position].clone()], tile)
    }
}

/// How far ahead in the activation order an agent's row is prefetched. Measured on the
/// 1000 x 1000 lattice (ticks 11-60): 4, 8, 16 and 32 within noise of each other; 8 was
/// about 3 % faster than 16 and 12 when cells were prefetched too.
const PREFETCH_ROW_AHEAD: usize = 8;

/// Words kept drawn ahead in [`Draws`].
const DRAWS_AHEAD: usize = 64;

/// The model's one generator, read through a window of words drawn ahead so that movement can
/// look at several draws at once and then consume exactly those its one-at-a-time rejection
/// loop would have used: the stream, and so every result, is the generator's own.
#[derive(Debug, Clone)]
struct Draws {
    rng: ChaCha8Rng,
    words: [u32; DRAWS_AHEAD],
    /// `words[next..DRAWS_AHEAD]` are drawn and not yet used.
    next: usize,
}

impl Draws {
    fn new(rng: ChaCha8Rng) -> Self {
        Self {
            rng,
            words: [0; DRAWS_AHEAD],
            next: DRAWS_AHEAD,
        }
    }

    /// Moves the unused words to the front and draws the rest.
    #[cold]
    fn refill(&mut self) {
        let unused = DRAWS_AHEAD - self.next;
        self.words.copy_within(self.next.., 0);
        // One copy out of the generator's buffer instead of a call per word; its bytes are
        // the words `next_u32` would return, in order, little-endian (checked by a test).
        let mut bytes = [0u8; 4 * DRAWS_AHEAD];
        let fresh = &mut bytes[..4 * (DRAWS_AHEAD - unused)];
        self.rng.fill_bytes(fresh);
        for (word, chunk) in self.words[unused..].iter_mut().zip(fresh.chunks_exact(4)) {
            *word = u32::from_le_bytes(chunk.try_into().expect("four bytes"));
        }
        self.next = 0;
    }

    /// The next `N` words, not consumed.
    #[inline]
    fn peek<const N: usize>(&mut self) -> [u32; N] {
        if DRAWS_AHEAD - self.next < N {
            self.refill();
        }
        std::array::from_fn(|j| self.words[self.next + j])
    }

    /// Consumes `n` words (at most those last peeked).
    #[inline]
    fn skip(&mut self, n: usize) {
        debug_assert!(self.next + n <= DRAWS_AHEAD, "only peeked words are skipped");
        self.next += n;
    }

    /// The next word.
    #[inline]
    fn word(&mut self) -> u32 {
        if self.next == DRAWS_AHEAD {
            self.refill();
        }
        let word = self.words[self.next];
        self.next += 1;
        word
    }

    /// Uniform in (0, 1), as `rng::uniform` draws it.
    #[inline]
    fn uniform(&mut self) -> f64 {
        unit(self.word())
    }
}

/// Uniform integer in `0..n` from a uniform `u` in (0, 1).
#[inline]
fn index_below(u: f64, n: usize) -> usize {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index below n"
    )]
    let i = ((u * n as f64) as usize).min(n - 1);
    i
}

/// Below this, [`word_below`] works in integers.
const EXACT_IN_INTEGERS: usize = 1 << 20;

/// `index_below(unit(word), n)`, in integers where that is exactly the same: `unit(word)` is
/// (2 word + 1) / 2^33 exactly, and for n up to 2^20 its product with n, below 2^53, is exact
/// in `f64`, so the truncation is floor((2 word + 1) n / 2^33), which is below n. Integer
/// multiplication and a shift instead of two conversions, a float multiplication and a
/// comparison: movement draws several such indices per update.
#[inline]
fn word_below(word: u32, n: usize) -> usize {
    if n <= EXACT_IN_INTEGERS {
        let scaled = (2 * u64::from(word) + 1) * n as u64;
        usize::try_from(scaled >> 33).expect("below n")
    } else {
        index_below(unit(word), n)
    }
}

/// One Epstein model run.
#[derive(Debug, Clone)]
pub struct EpsteinModel {
    scenario: EpsteinScenario,
    w: usize,
    h: usize,
    cops_bits: Plane,
    active_bits: Plane,
    occupied: Plane,
    /// The agent on each cell, by cell `y * w + x`, with one spare slot at the end that takes
    /// the writes nobody will read. Only arrests (Model I) look an agent up, and only an active
    /// one, so outside Model II the entry is kept only for cells whose occupant is active:
    /// writing it on every move was a store to a random line of a 4 MB map on every update,
    /// and the store that missed the cache held up the ones behind it. Model II's killing
    /// looks up any citizen, so there every occupied cell's entry is kept.
    cell_agent: Vec<u32>,
    /// Whether `cell_agent` is kept for every occupied cell (Model II) rather than only for
    /// active citizens' cells.
    cell_agent_everywhere: bool,
    /// One row per agent: activation visits agents in random order, so each visit costs one
    /// cache line instead of one per column.
    agents: Vec<Agent>,
    /// `arrest_probability(k, q)` for each whole ratio q = C/A a citizen can see (C is at most
    /// the cells within its vision and A at least 1): the floor and round rules give whole
    /// ratios, so [`Self::decide`] looks the probability up instead of calling `exp`.
    arrest_probability: Vec<f64>,
    /// Model II: each agent's age and the age at which it dies, by agent id.
    lifespans: Vec<Lifespan>,
    free: Vec<u32>,
    order: Vec<u32>,
    /// Agents on the lattice that share their cell with another (`release = own_cell` or
    /// `cop_moves_on_zero_term`, NetLogo): the bit planes hold one agent per cell, the first to
    /// arrive, and these are counted, selected and moved from this list. Empty in every other
    /// configuration, and short when not (agents share a cell only until one of them moves).
    stacked: Vec<u32>,
    /// Whether cells can be shared (see `stacked`).
    sharing: bool,
    snapshot: Plane,
    citizen_shape: Shape,
    cop_shape: Shape,
    clone_shape: Shape,
    draws: Draws,
    tick: u32,
    legitimacy: f64,
    counts: EpsteinCounts,
    updates: u64,
}

impl EpsteinModel {
    /// Builds the initial lattice with the scenario's seed.
    #[must_use]
    pub fn new(scenario: &EpsteinScenario) -> Self {
        Self::with_seed(scenario, scenario.seed)
    }

    /// Builds the initial lattice with an explicit seed.
    #[must_use]
    pub fn with_seed(scenario: &EpsteinScenario, seed: u64) -> Self {
        let (w, h) = (scenario.width, scenario.height);
        let r = &scenario.raw;
        let streams = Streams::new(seed);
        // The halo covers the widest neighbourhood: citizens', cops' and Model II's cloning.
        let halo = [r.citizens.vision, r.cops.vision]
            .into_iter()
            .map(|v| Shape::new(v, r.rules.neighbourhood, 8).reach)
            .fold(1, usize::max);
        let padded = w + 2 * halo;
        let mut m = Self {
            scenario: scenario.clone(),
            w,
            h,
            cops_bits: Plane::new(w, h, halo),
            active_bits: Plane::new(w, h, halo),
            occupied: Plane::new(w, h, halo),
            cell_agent: vec![NONE; w * h + 1],
            cell_agent_everywhere: r.model2.enabled,
            agents: Vec::new(),
            arrest_probability: Vec::new(),
            lifespans: Vec::new(),
            free: Vec::new(),
            order: Vec::new(),
            stacked: Vec::new(),
            sharing: r.rules.release == Release::OwnCell || (r.rules.cop_moves_to_arrest && r.rules.cop_moves_on_zero_term),
            snapshot: Plane::new(w, h, halo),
            citizen_shape: Shape::new(r.citizens.vision, r.rules.neighbourhood, padded),
            cop_shape: Shape::new(r.cops.vision, r.rules.neighbourhood, padded),
            clone_shape: Shape::new(1.5, Neighbourhood::Moore, padded),
            draws: Draws::new(streams.at(Phase::Init, 0, 0)),
            tick: 0,
            legitimacy: r.citizens.legitimacy,
            counts: EpsteinCounts::default(),
            updates: 0,
        };
        let cells = w * h;
        match r.rules.fill {
            Fill::Exact => m.fill_exact(),
            Fill::Independent => {
                // Mesa: every cell in turn draws a citizen, a cop or nothing.
                let (citizen, cop) = (r.citizens.density, r.citizens.density + r.cops.density);
                for c in 0..cells {
                    let u = m.draws.uniform();
                    if u < citizen {
                        m.spawn_citizen(c % w, c / w);
                    } else if u < cop {
                        m.spawn(Kind::Cop, c % w, c / w, 0.0, 0.0, 0);
                    }
                }
            }
        }
        if m.sharing {
            // At most every agent stacked: the list never grows during a run (no allocation
            // per tick).
            m.stacked.reserve(m.agents.len());
        }
        let most_cops = m.citizen_shape.cells.len() + 1;
        m.arrest_probability = (0..=most_cops)
            .map(|q| arrest_probability(r.citizens.arrest_constant, f64::from(u32::try_from(q).expect("small"))))
            .collect();
        m.draws = Draws::new(streams.at(Phase::People, 0, 0));
        m.recount(0.0, 0.0);
        m
    }

    /// Exactly round(density × cells) cops, then citizens, on random distinct cells (NetLogo:
    /// `one-of patches with [not any? turtles-here]` for each).
    fn fill_exact(&mut self) {
        let (w, cells) = (self.w, self.w * self.h);
        let mut perm: Vec<u32> = (0..u32::try_from(cells).expect("cells fit u32")).collect();
        for i in (1..cells).rev() {
            let k = self.below(i + 1);
            perm.swap(i, k);
        }
        let r = &self.scenario.raw;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "densities times cell counts"
        )]
        let (n_cops, n_cit) = (
            (r.cops.density * cells as f64).round() as usize,
            (r.citizens.density * cells as f64).round() as usize,
        );
        let mut next = 0;
        for _ in 0..n_cops.min(cells) {
            let c = perm[next] as usize;
            next += 1;
            self.spawn(Kind::Cop, c % w, c / w, 0.0, 0.0, 0);
        }
        for _ in 0..n_cit.min(cells - next) {
            let c = perm[next] as usize;
            next += 1;
            self.spawn_citizen(c % w, c / w);
        }
    }

    /// A citizen on (x, y) with hardship, risk aversion (and in Model II group and age) drawn.
    fn spawn_citizen(&mut self, x: usize, y: usize) {
        let model2 = self.scenario.raw.model2.enabled;
        let blue_share = self.scenario.raw.model2.blue_share;
        let hardship = self.draws.uniform();
        let risk = self.draws.uniform();
        let group = u8::from(model2 && self.draws.uniform() >= blue_share);
        let id = self.spawn(Kind::Citizen, x, y, hardship, risk, group);
        if model2 {
            self.lifespans[id].age = self.below(self.death_age_max() + 1) as u32 / 2;
        }
    }

    fn death_age_max(&self) -> usize {
        usize::try_from(self.scenario.raw.model2.max_age).expect("validated")
    }

    /// Uniform integer in `0..n`.
    #[inline]
    fn below(&mut self, n: usize) -> usize {
        word_below(self.draws.word(), n)
    }

    fn spawn(&mut self, kind: Kind, x: usize, y: usize, hardship: f64, risk: f64, group: u8) -> usize {
        let death_age = if self.scenario.raw.model2.enabled && kind == Kind::Citizen {
            let m = self.death_age_max();
            u32::try_from(self.below(m + 1)).expect("ages fit u32")
        } else {
            u32::MAX
        };
        let id = if let Some(id) = self.free.pop() {
            id as usize
        } else {
            self.agents.push(Agent::EMPTY);
            self.lifespans.push(Lifespan::default());
            self.agents.len() - 1
        };
        #[expect(clippy::cast_possible_truncation, reason = "hardship and risk are kept as f32")]
        let agent = Agent {
            x: 0,
            y: 0,
            hardship: hardship as f32,
            risk: risk as f32,
            status: kind as u32 | (u32::from(group != 0) * GROUP_BIT),
        };
        self.agents[id] = agent;
        self.agents[id].set_cell(x, y);
        self.lifespans[id] = Lifespan { age: 0, death_age };
        self.place(id);
        id
    }

    fn place(&mut self, id: usize) {
        let (x, y) = (self.agents[id].x(), self.agents[id].y());
        if self.sharing && self.occupied.get(x, y) {
            // NetLogo's shared cell: the planes keep the agent already there.
            self.stacked.push(u32::try_from(id).expect("agent ids fit u32"));
            return;
        }
        // Without branches (whether the agent is active varies without pattern); the cell was
        // empty, and an empty cell has neither bit set, so writing a 0 changes nothing.
        let is_cop = self.agents[id].kind() == Kind::Cop;
        let active = !is_cop & self.agents[id].active();
        self.set_cell(x, y, [true, is_cop, active]);
        self.record_agent(id, x, y, active);
    }

    /// Notes `id` as the agent on (x, y) where `cell_agent` keeps that cell (see there): a
    /// write to the spare slot otherwise, so that no branch depends on `active`.
    #[inline]
    fn record_agent(&mut self, id: usize, x: usize, y: usize, active: bool) {
        let keep = self.cell_agent_everywhere | active;
        let cell = if keep { y * self.w + x } else { self.w * self.h };
        self.cell_agent[cell] = u32::try_from(id).expect("agent ids fit u32");
    }

    /// Takes an agent off the lattice. Only agents on it are ever lifted (movers, the arrested,
    /// the killed, removed cops: never a jailed citizen), and no two agents share a cell, so the
    /// cell is the agent's. Its `cell_agent` entry is left as it is: an entry counts only where
    /// `occupied` (and, outside Model II, the active bit) is set, and not clearing it saves a
    /// memory miss on every move.
    fn lift(&mut self, id: usize) {
        let (x, y) = (self.agents[id].x(), self.agents[id].y());
        debug_assert!(self.occupied.get(x, y), "only an agent on the lattice is lifted");
        if !self.stacked.is_empty() && self.unstack(id) {
            return;
        }
        debug_assert!(
            self.cell_agent[y * self.w + x] as usize == id || !(self.cell_agent_everywhere || self.active_bits.get(x, y)),
            "cell_agent holds every agent it keeps"
        );
        self.set_cell(x, y, [false; 3]);
        if !self.stacked.is_empty() {
            self.promote(x, y);
        }
    }

    /// Writes cell (x, y) of the occupied, cop and active planes at once: the cell, and for a
    /// cell near an edge its halo copies, whose positions are worked out once for the three.
    #[inline(always)]
    fn set_cell(&mut self, x: usize, y: usize, [occupied, cop, active]: [bool; 3]) {
        let (px, py) = (x + self.occupied.r, y + self.occupied.r);
        self.occupied.bits.set(px, py, occupied);
        self.cops_bits.bits.set(px, py, cop);
        self.active_bits.bits.set(px, py, active);
        if self.occupied.near_edge(x, y) {
            self.set_cell_copies(x, y, [occupied, cop, active]);
        }
    }

    #[inline(never)]
    fn set_cell_copies(&mut self, x: usize, y: usize, values: [bool; 3]) {
        let (copies, n) = self.occupied.copies(x, y);
        for &(cx, cy) in &copies[..n] {
            for (plane, on) in [&mut self.occupied, &mut self.cops_bits, &mut self.active_bits]
                .into_iter()
                .zip(values)
            {
                plane.bits.set(cx, cy, on);
            }
        }
    }

    /// Takes `id` off the shared cell (x, y) if it is stacked there (true), or, if it holds the
    /// cell in the planes, hands the cell to an agent stacked on it (false: the caller then
    /// clears the planes, and the heir is placed back by `promote`).
    #[cold]
    fn unstack(&mut self, id: usize) -> bool {
        if let Some(i) = self.stacked.iter().position(|&s| s as usize == id) {
            self.stacked.swap_remove(i);
            return true;
        }
        false
    }

    /// After the agent that held (x, y) in the planes left: the first agent stacked on the cell,
    /// if any, takes it over.
    #[cold]
    fn promote(&mut self, x: usize, y: usize) {
        if let Some(i) = self
            .stacked
            .iter()
            .position(|&s| (self.agents[s as usize].x(), self.agents[s as usize].y()) == (x, y))
        {
            let heir = self.stacked.remove(i) as usize;
            self.place(heir);
        }
    }

    /// Whether `id` is one of the agents stacked on a shared cell.
    #[inline]
    fn is_stacked(&self, id: usize) -> bool {
        !self.stacked.is_empty() && self.stacked.iter().any(|&s| s as usize == id)
    }

    /// Stacked agents within `shape` of (x, y) for which `pick` holds, counted.
    #[cold]
    fn count_stacked(&self, shape: &Shape, x: usize, y: usize, pick: impl Fn(&Agent) -> bool) -> u32 {
        let n = self
            .stacked
            .iter()
            .filter(|&&s| {
                let a = &self.agents[s as usize];
                pick(a) && self.within(shape, x, y, a.x(), a.y())
            })
            .count();
        u32::try_from(n).expect("fits")
    }

    /// Whether cell (tx, ty) lies in `shape` around (x, y), on the torus.
    fn within(&self, shape: &Shape, x: usize, y: usize, tx: usize, ty: usize) -> bool {
        let offset = |t: usize, c: usize, n: usize| {
            let d = (t + n - c) % n;
            if 2 * d > n { d as i64 - n as i64 } else { d as i64 }
        };
        let (dx, dy) = (offset(tx, x, self.w), offset(ty, y, self.h));
        shape.rows.iter().any(|&(ry, hw)| ry == dy && dx.abs() <= hw)
    }

    /// Counts set bits of `plane` in the neighbourhood of (x, y): one masked popcount per tile
    /// of the padded plane that the neighbourhood overlaps.
    fn count(&self, plane: &Plane, shape: &Shape, x: usize, y: usize) -> u32 {
        let (masks, base) = shape.tiles.for_cell(&plane.bits, x + plane.r, y + plane.r);
        let mut n = 0;
        for &(offset, mask) in masks {
            n += (plane.bits.words[base.wrapping_add_signed(offset)] & mask).count_ones();
        }
        n
    }

    /// Set bits of `first` and of `second` in the neighbourhood of (x, y), in one pass.
    fn count_pair(&self, first: &Plane, second: &Plane, shape: &Shape, x: usize, y: usize) -> (u32, u32) {
        let (masks, base) = shape.tiles.for_cell(&first.bits, x + first.r, y + first.r);
        let (mut n, mut m) = (0, 0);
        for &(offset, mask) in masks {
            let word = base.wrapping_add_signed(offset);
            n += (first.bits.words[word] & mask).count_ones();
            m += (second.bits.words[word] & mask).count_ones();
        }
        (n, m)
    }

    /// The cell of the `k`-th set (or, with `invert`, unset) bit in the neighbourhood of (x, y),
    /// row by row (`dy` ascending) and left to right within a row: in the padded plane a row
    /// never wraps, and its cells come in the order of their offsets, as they did when the
    /// lattice's rows were split at the seam.
    fn select(&self, plane: &Plane, shape: &Shape, x: usize, y: usize, mut k: u32, invert: bool) -> Option<(usize, usize)> {
        let (px, py) = (x + plane.r, y + plane.r);
        for &(dy, hw) in &shape.rows {
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "offsets within the halo")]
            let (row, a, b) = ((py as i64 + dy) as usize, (px as i64 - hw) as usize, (px as i64 + hw + 1) as usize);
            let set = plane.bits.count(row, a, b);
            let c = if invert { (b - a) as u32 - set } else { set };
            if k < c {
                return plane.bits.select(row, a, b, k, invert).map(|col| {
                    (
                        wrap(col as i64 - plane.r as i64, self.w as i64),
                        wrap(row as i64 - plane.r as i64, self.h as i64),
                    )
                });
            }
            k -= c;
        }
        None
    }

    /// Moves an agent to a random empty cell within its vision, if any.
    fn move_agent(&mut self, id: usize) {
        let is_cop = self.agents[id].kind() == Kind::Cop;
        let n = if is_cop {
            self.cop_shape.cells.len()
        } else {
            self.citizen_shape.cells.len()
        };
        if n == 0 {
            return;
        }
        let (x, y) = (self.agents[id].x() as i64, self.agents[id].y() as i64);
        let (w, h) = (self.w as i64, self.h as i64);
        let halo = self.occupied.r as i64;
        // Rejection sampling over the neighbourhood is exact (uniform over empty cells) and fast
        // at the usual densities; fall back to counting when it keeps failing. Candidates are
        // tested four at a time from draws looked at ahead, and only the draws up to the first
        // empty candidate are consumed: the same draws and cell as testing one at a time,
        // without a mispredicted branch on every occupied candidate.
        const TRIES: usize = 24;
        const AT_ONCE: usize = 4;
        let mut target = None;
        let cells = if is_cop { &self.cop_shape.cells } else { &self.citizen_shape.cells };
        // A candidate's cell in the padded plane (never wraps), and on the lattice.
        #[expect(clippy::cast_sign_loss, clippy::cast_possible_truncation, reason = "inside the padded plane")]
        let padded = |word: u32| {
            let (dx, dy) = cells[word_below(word, n)];
            ((x + halo + dx) as usize, (y + halo + dy) as usize)
        };
        for _ in 0..TRIES / AT_ONCE {
            let words = self.draws.peek::<AT_ONCE>();
            let mut empty = 0u32;
            for (j, &word) in words.iter().enumerate() {
                let (px, py) = padded(word);
                empty |= u32::from(!self.occupied.bits.get(px, py)) << j;
            }
            if empty != 0 {
                let first = empty.trailing_zeros() as usize;
                self.draws.skip(first + 1);
                let (dx, dy) = cells[word_below(words[first], n)];
                target = Some((wrap(x + dx, w), wrap(y + dy, h)));
                break;
            }
            self.draws.skip(AT_ONCE);
        }
        if target.is_none() {
            let shape = if is_cop { &self.cop_shape } else { &self.citizen_shape };
            let empty = self.count_empty(shape, x as usize, y as usize);
            if empty > 0 {
                let k = u32::try_from(self.below(empty as usize)).expect("fits");
                let shape = if is_cop { &self.cop_shape } else { &self.citizen_shape };
                target = self.select(&self.occupied, shape, x as usize, y as usize, k, true);
            }
        }
        if let Some((tx, ty)) = target {
            self.lift(id);
            self.agents[id].set_cell(tx, ty);
            self.place(id);
        }
    }

    fn count_empty(&self, shape: &Shape, x: usize, y: usize) -> u32 {
        let total: u32 = shape.rows.iter().map(|&(_, hw)| (2 * hw + 1) as u32).sum();
        total - self.count(&self.occupied, shape, x, y)
    }

    /// Epstein's rule A (and, in Model II, killing). The estimated arrest probability under the
    /// floor and round rules comes from [`Self::arrest_probability`]: the rounded ratio C/A is
    /// an integer, the same whether rounded from the `f64` quotient or computed in integers (a
    /// non-integer quotient of integers below 2^20 lies at least 1/A from an integer, far more
    /// than the quotient's rounding error; halves are exact), so the table holds exactly the
    /// values the formula would give.
    fn decide(&mut self, id: usize, from_snapshot: bool) {
        let r = &self.scenario.raw;
        let grievance = f64::from(self.agents[id].hardship) * (1.0 - self.legitimacy);
        let (x, y) = (self.agents[id].x(), self.agents[id].y());
        let active = if grievance <= r.citizens.threshold {
            false
        } else {
            let active_bits = if from_snapshot { &self.snapshot } else { &self.active_bits };
            let (mut cops, mut actives) = self.count_pair(&self.cops_bits, active_bits, &self.citizen_shape, x, y);
            if !self.stacked.is_empty() {
                cops += self.count_stacked(&self.citizen_shape, x, y, |a| a.kind() == Kind::Cop);
                actives += self.count_stacked(&self.citizen_shape, x, y, Agent::is_free_active);
            }
            let p = if cops == 0 {
                0.0
            } else {
                let mut a = actives + 1;
                if !r.rules.active_counts_self && self.agents[id].active() {
                    a -= 1;
                }
                self.estimated_arrest_probability(cops, a)
            };
            grievance - f64::from(self.agents[id].risk) * p > r.citizens.threshold
        };
        let killing = r.model2.enabled;
        self.agents[id].set_active(active);
        if !self.is_stacked(id) {
            self.active_bits.set(x, y, active);
            self.record_agent(id, x, y, active);
        }
        // The configuration first: whether this citizen is active has no pattern to predict.
        if killing && active {
            self.kill_other_group(id);
        }
    }

    /// P = 1 - exp(-k f(C/A)) for `cops` cops and `a` actives (A as counted), f the arrest rule.
    #[inline]
    fn estimated_arrest_probability(&self, cops: u32, a: u32) -> f64 {
        let r = &self.scenario.raw;
        let whole = match r.rules.arrest_rule {
            ArrestRule::Floor => cops / a,
            ArrestRule::Round => match r.rules.rounding {
                Rounding::HalfUp => (2 * cops + a) / (2 * a),
                Rounding::HalfEven => round_half_even(cops, a),
            },
            ArrestRule::Identity => return arrest_probability(r.citizens.arrest_constant, f64::from(cops) / f64::from(a)),
        };
        // A whole ratio above the cells in vision only where cells are shared (NetLogo); past
        // the table the formula is computed.
        match self.arrest_probability.get(whole as usize) {
            Some(&p) => p,
            None => arrest_probability(r.citizens.arrest_constant, f64::from(whole)),
        }
    }

    /// Model II: an active agent kills a random agent of the other group within vision.
    fn kill_other_group(&mut self, id: usize) {
        let (x, y) = (self.agents[id].x() as i64, self.agents[id].y() as i64);
        let (w, h) = (self.w as i64, self.h as i64);
        let mine = self.agents[id].group();
        let mut seen = 0u32;
        let mut victim = None;
        // Reservoir sampling over the neighbourhood (Model II lattices are small).
        for k in 0..self.citizen_shape.cells.len() {
            let (dx, dy) = self.citizen_shape.cells[k];
            let (tx, ty) = (wrap(x + dx, w), wrap(y + dy, h));
            let other = self.cell_agent[ty * self.w + tx];
            if self.occupied.get(tx, ty)
                && self.agents[other as usize].kind() == Kind::Citizen
                && self.agents[other as usize].group() != mine
            {
                seen += 1;
                if self.below(seen as usize) == 0 {
                    victim = Some(other as usize);
                }
            }
        }
        if let Some(v) = victim {
            self.lift(v);
            self.agents[v].set_kind(Kind::Dead);
            self.free.push(u32::try_from(v).expect("fits"));
            self.counts.kills += 1.0;
        }
    }

    /// Epstein's rule C: arrest a random active citizen within vision.
    fn enforce(&mut self, cop: usize) {
        let (x, y) = (self.agents[cop].x(), self.agents[cop].y());
        let on_planes = self.count(&self.active_bits, &self.cop_shape, x, y);
        let n = if self.stacked.is_empty() {
            on_planes
        } else {
            on_planes + self.count_stacked(&self.cop_shape, x, y, Agent::is_free_active)
        };
        if n == 0 {
            return;
        }
        let k = u32::try_from(self.below(n as usize)).expect("fits");
        let suspect = if k < on_planes {
            let Some((sx, sy)) = self.select(&self.active_bits, &self.cop_shape, x, y, k, false) else {
                return;
            };
            let suspect = self.cell_agent[sy * self.w + sx] as usize;
            debug_assert!(
                self.agents[suspect].kind() == Kind::Citizen
                    && self.agents[suspect].active()
                    && (self.agents[suspect].x(), self.agents[suspect].y()) == (sx, sy),
                "cell_agent names the active citizen on every active cell"
            );
            suspect
        } else {
            self.stacked_suspect(x, y, k - on_planes)
        };
        let (sx, sy) = (self.agents[suspect].x(), self.agents[suspect].y());
        let r = &self.scenario.raw.rules;
        let j = usize::try_from(r.max_jail_term).expect("validated");
        let term = match r.jail_term {
            JailTerm::Netlogo => {
                if j == 0 {
                    0
                } else {
                    self.below(j)
                }
            }
            JailTerm::Inclusive => self.below(j + 1),
        };
        let r = &self.scenario.raw.rules;
        // Under `own_turn` the jail field holds the turns left to count down plus one, so that
        // a term of 0 still marks the citizen as arrested until its next turn (Mesa's ARRESTED).
        let held = term + usize::from(r.jail_countdown == JailCountdown::OwnTurn);
        let (off_lattice, cop_moves) = (
            !r.jailed_on_lattice,
            r.cop_moves_to_arrest && (held > 0 || r.cop_moves_on_zero_term),
        );
        self.agents[suspect].set_active(false);
        if !self.is_stacked(suspect) {
            self.active_bits.set(sx, sy, false);
        }
        self.counts.arrests += 1.0;
        if held > 0 {
            self.agents[suspect].set_jail(u32::try_from(held).expect("terms fit u32"));
            if off_lattice {
                self.lift(suspect);
            }
        }
        if cop_moves {
            self.lift(cop);
            self.agents[cop].set_cell(sx, sy);
            self.place(cop);
        }
    }

    /// The `k`-th (0-based) free active citizen stacked within cop vision of (x, y).
    #[cold]
    fn stacked_suspect(&self, x: usize, y: usize, k: u32) -> usize {
        self.stacked
            .iter()
            .map(|&s| s as usize)
            .filter(|&s| self.agents[s].is_free_active() && self.within(&self.cop_shape, x, y, self.agents[s].x(), self.agents[s].y()))
            .nth(k as usize)
            .expect("k is below the count")
    }

    /// A jailed citizen's own turn under `jail_countdown = own_turn` (Mesa): with more turns
    /// to count down it counts one and does nothing else (false); at the last it is released
    /// and acts in this same turn (true), unless a full lattice leaves nowhere to put it.
    fn serve_turn(&mut self, id: usize, jail: u32) -> bool {
        if jail > 1 {
            self.agents[id].set_jail(jail - 1);
            return false;
        }
        self.agents[id].set_jail(0);
        if !self.scenario.raw.rules.jailed_on_lattice {
            self.release(id);
        }
        self.agents[id].jail() == 0
    }

    fn release(&mut self, id: usize) {
        let (x, y) = (self.agents[id].x(), self.agents[id].y());
        if !self.occupied.get(x, y) || self.scenario.raw.rules.release == Release::OwnCell {
            self.place(id);
            return;
        }
        let shape = &self.citizen_shape;
        let empty = self.count_empty(shape, x, y);
        let target = if empty > 0 {
            let k = u32::try_from(self.below(empty as usize)).expect("fits");
            self.select(&self.occupied, &self.citizen_shape, x, y, k, true)
        } else {
            let cells = self.w * self.h;
            (0..cells)
                .map(|c| (c % self.w, c / self.w))
                .find(|&(cx, cy)| !self.occupied.get(cx, cy))
        };
        if let Some((tx, ty)) = target {
            self.agents[id].set_cell(tx, ty);
            self.place(id);
        } else {
            // The lattice is full: stay in jail one more tick.
            self.agents[id].set_jail(1);
        }
    }

    fn scheduled(&self, changes: &[super::scenario::Change], base: f64, tick: u32) -> f64 {
        let mut value = base;
        for c in changes {
            let t0 = u32::try_from(c.tick).expect("validated");
            if tick < t0 {
                continue;
            }
            #[expect(clippy::cast_precision_loss, reason = "small tick counts")]
            let f = if c.over_ticks <= 0 {
                1.0
            } else {
                (f64::from(tick - t0) / c.over_ticks as f64).min(1.0)
            };
            let start = value;
            value = start + (c.value - start) * f;
        }
        value
    }

    fn adjust_cops(&mut self, target: usize) {
        let current: Vec<usize> = (0..self.agents.len()).filter(|&i| self.agents[i].kind() == Kind::Cop).collect();
        if current.len() > target {
            let mut list = current;
            for i in (1..list.len()).rev() {
                let k = self.below(i + 1);
                list.swap(i, k);
            }
            for &c in &list[..list.len() - target] {
                self.lift(c);
                self.agents[c].set_kind(Kind::Dead);
                self.free.push(u32::try_from(c).expect("fits"));
            }
        } else {
            for _ in current.len()..target {
                let empty: u32 = (0..self.h).map(|y| self.w as u32 - self.occupied.row_count(y, 0, self.w)).sum();
                if empty == 0 {
                    break;
                }
                let mut k = u32::try_from(self.below(empty as usize)).expect("fits");
                let mut found = None;
                for y in 0..self.h {
                    let e = self.w as u32 - self.occupied.row_count(y, 0, self.w);
                    if k < e {
                        found = self.occupied.row_select(y, 0, self.w, k, true).map(|x| (x, y));
                        break;
                    }
                    k -= e;
                }
                if let Some((x, y)) = found {
                    self.spawn(Kind::Cop, x, y, 0.0, 0.0, 0);
                }
            }
        }
    }

    /// Fisher-Yates shuffle of `order` (swap `i` with a uniform `k <= i`, `i` descending), with
    /// the draws of a batch of swaps taken first (in the same order) so that the batch's random
    /// reads of `order` can overlap instead of waiting on each other.
    fn shuffle_order(&mut self) {
        const BATCH: usize = 16;
        let mut ks = [0usize; BATCH];
        let mut i = self.order.len();
        while i > 1 {
            let lo = i.saturating_sub(BATCH).max(1);
            for (slot, ii) in (lo..i).rev().enumerate() {
                ks[slot] = self.below(ii + 1);
            }
            let mut touched = 0u32;
            for &k in &ks[..i - lo] {
                touched ^= self.order[k];
            }
            std::hint::black_box(touched);
            for (slot, ii) in (lo..i).rev().enumerate() {
                self.order.swap(ii, ks[slot]);
            }
            i = lo;
        }
    }

    /// Asks for the row of the agent a few places ahead in the activation order: the random
    /// order makes each agent's row a memory miss, and prefetching lets those misses overlap
    /// with the current agent's work instead of following it. No effect on results.
    #[inline]
    fn touch_ahead(&self, order: &[u32], i: usize) {
        if let Some(&a) = order.get(i + PREFETCH_ROW_AHEAD) {
            prefetch(&self.agents[a as usize]);
        }
    }

    /// Advances one tick.
    pub fn step(&mut self) {
        self.tick += 1;
        let tick = self.tick;
        // The switches and the few values used below, copied (no allocation per tick).
        let rules = self.scenario.raw.rules;
        let m2 = &self.scenario.raw.model2;
        let (model2, peacekeepers_tick, peacekeepers_density) = (m2.enabled, m2.peacekeepers_tick, m2.peacekeepers_density);
        let r = &self.scenario.raw;
        self.legitimacy = self.scheduled(&r.legitimacy_changes, r.citizens.legitimacy, tick);
        let cells = self.w * self.h;
        if !self.scenario.raw.cop_changes.is_empty() {
            let r = &self.scenario.raw;
            let density = self.scheduled(&r.cop_changes, r.cops.density, tick);
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "density times cells"
            )]
            self.adjust_cops((density * cells as f64).round() as usize);
        }
        if model2 && i64::from(tick) == peacekeepers_tick && peacekeepers_density > 0.0 {
            let now = self.agents.iter().filter(|a| a.kind() == Kind::Cop).count();
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "density times cells"
            )]
            let add = (peacekeepers_density * cells as f64).round() as usize;
            self.adjust_cops(now + add);
        }
        self.counts.kills = 0.0;
        self.counts.arrests = 0.0;
        self.order.clear();
        debug_assert_eq!(
            self.free.len(),
            self.agents.iter().filter(|a| a.kind() == Kind::Dead).count(),
            "the dead slots are exactly the free list"
        );
        if self.free.is_empty() {
            // Every slot holds a living agent (Model I without cop removals): the same list
            // without reading the 24 MB of rows of a 1000 x 1000 lattice.
            self.order.extend(0..u32::try_from(self.agents.len()).expect("fits"));
        } else {
            for (i, a) in self.agents.iter().enumerate() {
                if a.kind() != Kind::Dead {
                    self.order.push(u32::try_from(i).expect("fits"));
                }
            }
        }
        self.shuffle_order();
        let order = std::mem::take(&mut self.order);
        let act_first = rules.action_order == ActionOrder::ActThenMove;
        let own_turn = rules.jail_countdown == JailCountdown::OwnTurn;
        let cops_move = rules.movement || !rules.movement_includes_cops;
        match rules.activation {
            Activation::Sequential => {
                for (i, &id) in order.iter().enumerate() {
                    self.touch_ahead(&order, i);
                    let id = id as usize;
                    match self.agents[id].kind() {
                        Kind::Cop => {
                            if act_first {
                                self.enforce(id);
                                if cops_move {
                                    self.move_agent(id);
                                }
                            } else {
                                if cops_move {
                                    self.move_agent(id);
                                }
                                self.enforce(id);
                            }
                            self.updates += 1;
                        }
                        Kind::Citizen => {
                            let jail = self.agents[id].jail();
                            if jail > 0 && !(own_turn && self.serve_turn(id, jail)) {
                                continue;
                            }
                            if act_first {
                                self.decide(id, false);
                                if rules.movement {
                                    self.move_agent(id);
                                }
                            } else {
                                if rules.movement {
                                    self.move_agent(id);
                                }
                                self.decide(id, false);
                            }
                            self.updates += 1;
                        }
                        Kind::Dead => {}
                    }
                }
            }
            Activation::Synchronous => {
                for &id in &order {
                    let id = id as usize;
                    if (self.agents[id].kind() == Kind::Cop && cops_move)
                        || (self.agents[id].kind() == Kind::Citizen && self.agents[id].jail() == 0 && rules.movement)
                    {
                        self.move_agent(id);
                    }
                }
                self.snapshot.bits.words.copy_from_slice(&self.active_bits.bits.words);
                for &id in &order {
                    let id = id as usize;
                    if self.agents[id].kind() == Kind::Citizen && self.agents[id].jail() == 0 {
                        self.decide(id, true);
                        self.updates += 1;
                    }
                }
                for &id in &order {
                    let id = id as usize;
                    if self.agents[id].kind() == Kind::Cop {
                        self.enforce(id);
                        self.updates += 1;
                    }
                }
            }
        }
        self.order = order;
        // Jail terms run down at the end of the tick (NetLogo; under `own_turn` they ran down in
        // the citizens' turns); released citizens return. In Model I nothing changes an agent
        // after its own release, so the same pass counts the agents (one read of the rows
        // instead of two).
        let (kills, arrests) = (self.counts.kills, self.counts.arrests);
        let off_lattice = !rules.jailed_on_lattice;
        let mut tally = AgentTally::default();
        for id in 0..self.agents.len() {
            if !own_turn && self.agents[id].kind() == Kind::Citizen && self.agents[id].jail() > 0 {
                let term = self.agents[id].jail() - 1;
                self.agents[id].set_jail(term);
                if self.agents[id].jail() == 0 && off_lattice {
                    self.release(id);
                }
            }
            tally.add(&self.agents[id]);
        }
        if model2 {
            self.age_and_clone();
            self.recount(kills, arrests);
        } else {
            self.counts = tally.counts(kills, arrests, self.legitimacy, false);
        }
    }

    /// Model II: ageing, death and cloning onto empty neighbouring cells.
    fn age_and_clone(&mut self) {
        let p = self.scenario.raw.model2.clone_probability;
        let n = self.agents.len();
        for id in 0..n {
            if self.agents[id].kind() != Kind::Citizen {
                continue;
            }
            self.lifespans[id].age += 1;
            if self.lifespans[id].age > self.lifespans[id].death_age {
                if self.agents[id].jail() == 0 {
                    self.lift(id);
                }
                self.agents[id].set_kind(Kind::Dead);
                self.free.push(u32::try_from(id).expect("fits"));
                continue;
            }
            if self.agents[id].jail() == 0 && self.draws.uniform() < p {
                let (x, y) = (self.agents[id].x(), self.agents[id].y());
                let empty = self.count_empty(&self.clone_shape, x, y);
                if empty > 0 {
                    let k = u32::try_from(self.below(empty as usize)).expect("fits");
                    if let Some((tx, ty)) = self.select(&self.occupied, &self.clone_shape, x, y, k, true) {
                        let risk = self.draws.uniform();
                        let (hardship, group) = (f64::from(self.agents[id].hardship), self.agents[id].group());
                        self.spawn(Kind::Citizen, tx, ty, hardship, risk, group);
                    }
                }
            }
        }
    }

    fn recount(&mut self, kills: f64, arrests: f64) {
        let mut tally = AgentTally::default();
        for a in &self.agents {
            tally.add(a);
        }
        self.counts = tally.counts(kills, arrests, self.legitimacy, self.scenario.raw.model2.enabled);
    }

    /// Counts of the last completed tick (tick 0 after construction).
    #[must_use]
    pub fn counts(&self) -> EpsteinCounts {
        self.counts
    }

    /// Ticks completed.
    #[must_use]
    pub fn tick(&self) -> u32 {
        self.tick
    }

    /// Agent updates performed so far (an agent acting once in a tick).
    #[must_use]
    pub fn updates(&self) -> u64 {
        self.updates
    }

    /// The scenario.
    #[must_use]
    pub fn scenario(&self) -> &EpsteinScenario {
        &self.scenario
    }
}

/// Outburst statistics of an active-count series (Epstein 2002, Figs 5 and 7).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Outbursts {
    /// Number of outbursts (upward crossings of the threshold).
    pub count: f64,
    /// Mean ticks between the starts of successive outbursts.
    pub mean_wait: f64,
    /// Mean total activation (sum of actives over the outburst's ticks) per outburst.
    pub mean_activation: f64,
    /// Highest number active.
    pub peak: f64,
}

/// Computes outburst statistics: an outburst is a maximal run of ticks with actives above `threshold`.
#[must_use]
pub fn outbursts(active: &[f64], threshold: f64) -> Outbursts {
    let mut starts = Vec::new();
    let mut totals = Vec::new();
    let mut inside = false;
    for (t, &a) in active.iter().enumerate() {
        if a > threshold {
            if !inside {
                starts.push(t);
                totals.push(0.0);
                inside = true;
            }
            *totals.last_mut().expect("pushed") += a;
        } else {
            inside = false;
        }
    }
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let n = starts.len() as f64;
    let waits: Vec<f64> = starts.windows(2).map(|w| (w[1] - w[0]) as f64).collect();
    Outbursts {
        count: n,
        mean_wait: if waits.is_empty() {
            0.0
        } else {
            waits.iter().sum::<f64>() / waits.len() as f64
        },
        mean_activation: if totals.is_empty() { 0.0 } else { totals.iter().sum::<f64>() / n },
        peak: active.iter().copied().fold(0.0, f64::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbourhood_shapes_have_the_documented_sizes() {
        assert_eq!(
            Shape::new(1.7, Neighbourhood::Euclidean, 40).cells.len(),
            8,
            "1.7 gives the 8 Moore neighbours"
        );
        assert_eq!(Shape::new(1.0, Neighbourhood::VonNeumann, 40).cells.len(), 4);
        assert_eq!(Shape::new(2.0, Neighbourhood::Moore, 40).cells.len(), 24);
        // NetLogo in-radius 7: 149 patches including the centre.
        assert_eq!(Shape::new(7.0, Neighbourhood::Euclidean, 40).cells.len() + 1, 149);
    }

    #[test]
    fn bit_counts_and_selection_agree() {
        let mut b = Bits::new(130, 2);
        for x in [0, 5, 63, 64, 100, 129] {
            b.set(x, 1, true);
        }
        assert_eq!(b.count(1, 0, 130), 6);
        assert_eq!(b.count(1, 5, 65), 3);
        assert_eq!(b.select(1, 5, 130, 2, false), Some(64));
        assert_eq!(b.select(1, 0, 3, 0, true), Some(1));
    }

    /// The tiled count of an interior neighbourhood equals the count row by row, for every
    /// shape and every position of the cell within its tile.
    #[test]
    fn tile_masks_count_what_the_rows_count() {
        use rand::SeedableRng;
        let (w, h) = (61, 45);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut bits = Bits::new(w, h);
        for y in 0..h {
            for x in 0..w {
                bits.set(x, y, rng.next_u32() % 3 == 0);
            }
        }
        for (vision, kind) in [
            (7.0, Neighbourhood::Euclidean),
            (1.5, Neighbourhood::Moore),
            (4.0, Neighbourhood::VonNeumann),
            (11.0, Neighbourhood::Euclidean),
        ] {
            let shape = Shape::new(vision, kind, w);
            for y in shape.reach..h - shape.reach {
                for x in shape.reach..w - shape.reach {
                    let (tiles, base) = shape.tiles.for_cell(&bits, x, y);
                    let tiled: u32 = tiles
                        .iter()
                        .map(|&(offset, mask)| (bits.words[base.wrapping_add_signed(offset)] & mask).count_ones())
                        .sum();
                    let by_rows: u32 = shape
                        .rows
                        .iter()
                        .map(|&(dy, hw)| bits.count(y.wrapping_add_signed(dy as isize), x - hw as usize, x + hw as usize + 1))
                        .sum();
                    assert_eq!(tiled, by_rows, "vision {vision} {kind:?} at ({x}, {y})");
                }
            }
        }
    }

    /// Looking ahead and skipping reads the generator's words in order, exactly as drawing
    /// them one at a time.
    #[test]
    fn draws_read_the_generator_in_order() {
        use rand::SeedableRng;
        let mut direct = ChaCha8Rng::seed_from_u64(3);
        let mut draws = Draws::new(ChaCha8Rng::seed_from_u64(3));
        for round in 0..500 {
            if round % 3 == 0 {
                let peeked = draws.peek::<4>();
                let used = round % 5;
                draws.skip(used);
                for &word in &peeked[..used] {
                    assert_eq!(word, direct.next_u32());
                }
            } else {
                assert_eq!(draws.uniform(), unit(direct.next_u32()));
            }
        }
    }

    /// The integer path gives exactly the float path's index, at the extreme words and sizes and
    /// on a spread of random ones.
    #[test]
    fn word_below_is_index_below_of_unit() {
        use rand::SeedableRng;
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let sizes = [
            1,
            2,
            3,
            7,
            149,
            225,
            1000,
            999_983,
            EXACT_IN_INTEGERS - 1,
            EXACT_IN_INTEGERS,
            EXACT_IN_INTEGERS + 1,
            1 << 30,
        ];
        for n in sizes {
            for word in [0, 1, u32::MAX / 2, u32::MAX / 2 + 1, u32::MAX - 1, u32::MAX] {
                assert_eq!(word_below(word, n), index_below(unit(word), n), "word {word}, n {n}");
            }
        }
        for _ in 0..200_000 {
            let word = rng.next_u32();
            let n = 1 + (rng.next_u32() as usize % EXACT_IN_INTEGERS);
            assert_eq!(word_below(word, n), index_below(unit(word), n), "word {word}, n {n}");
        }
    }

    /// An empty 15 x 15 torus (no agents drawn) with vision 1 (von Neumann: the four neighbours),
    /// citizens not moving, legitimacy 0, and `sets` (field=value overrides) on top.
    fn empty_lattice(sets: &[&str]) -> EpsteinModel {
        use crate::scenario::Override;
        let text = include_str!("../../scenarios/epstein-rebellion.toml");
        let base = [
            "lattice.width=15",
            "lattice.height=15",
            "citizens.density=0.0",
            "cops.density=0.0",
            "citizens.vision=1.0",
            "cops.vision=1.0",
            "citizens.legitimacy=0.0",
            "rules.neighbourhood=\"von_neumann\"",
            "rules.movement=false",
        ];
        let overrides: Vec<Override> = base.iter().chain(sets).map(|o| Override::parse(o).expect("an override")).collect();
        let s = EpsteinScenario::from_toml_str_with_overrides(text, std::path::Path::new("test.toml"), &overrides)
            .unwrap_or_else(|e| panic!("{e}"));
        EpsteinModel::new(&s)
    }

    /// A citizen with hardship 1 (grievance 1 at legitimacy 0) and the given risk aversion.
    fn put_citizen(m: &mut EpsteinModel, x: usize, y: usize, risk: f64, active: bool) -> usize {
        let id = m.spawn(Kind::Citizen, x, y, 1.0, risk, 0);
        if active {
            m.agents[id].set_active(true);
            m.active_bits.set(x, y, true);
            m.record_agent(id, x, y, true);
        }
        id
    }

    fn cell_of(m: &EpsteinModel, id: usize) -> (usize, usize) {
        (m.agents[id].x(), m.agents[id].y())
    }

    /// Every cell of every plane's halo holds the cell it copies, after ticks with moves,
    /// arrests and releases, on a lattice whose sides are not multiples of the 8-cell tiles.
    #[test]
    fn halo_copies_match_the_cells_they_copy() {
        let netlogo = ["rules.release=\"own_cell\"", "rules.cop_moves_on_zero_term=true"];
        let mesa = [
            "rules.cop_moves_to_arrest=false",
            "rules.jailed_on_lattice=true",
            "rules.jail_countdown=\"own_turn\"",
            "rules.action_order=\"act_then_move\"",
            "rules.fill=\"independent\"",
        ];
        for (preset, switches) in [("netlogo", &netlogo[..]), ("mesa", &mesa[..])] {
            let mut sets = vec![
                "lattice.width=31",
                "lattice.height=17",
                "citizens.density=0.7",
                "cops.density=0.04",
                "citizens.vision=7.0",
                "cops.vision=6.0",
                "citizens.legitimacy=0.7",
                "rules.movement=true",
            ];
            sets.extend(switches);
            let mut m = empty_lattice(&sets);
            for _ in 0..60 {
                m.step();
            }
            for plane in [&m.occupied, &m.cops_bits, &m.active_bits] {
                let r = plane.r;
                assert_eq!(r, 7);
                for py in 0..17 + 2 * r {
                    for px in 0..31 + 2 * r {
                        // The lattice cell (px - r, py - r) wrapped onto the torus.
                        let (x, y) = ((px + 31 - r) % 31, (py + 17 - r) % 17);
                        let copy = plane.bits.get(px, py);
                        assert_eq!(copy, plane.get(x, y), "{preset}: padded ({px}, {py}) copies ({x}, {y})");
                    }
                }
            }
        }
    }

    #[test]
    fn round_half_even_is_pythons_round_of_the_quotient() {
        // Python 3: round(c / a) for these pairs.
        for (c, a, python) in [
            (1, 2, 0),
            (3, 2, 2),
            (5, 2, 2),
            (7, 2, 4),
            (2, 4, 0),
            (6, 4, 2),
            (1, 3, 0),
            (2, 3, 1),
            (5, 4, 1),
            (7, 4, 2),
            (0, 5, 0),
            (9, 1, 9),
        ] {
            assert_eq!(round_half_even(c, a), python, "round({c}/{a})");
        }
    }

    /// One cop and A = 2 in view: C/A = 0.5, which half-up rounds to 1 (P = 0.9: a citizen with
    /// grievance 0.5 and risk aversion 1 stays quiet) and half-even to 0 (P = 0: it turns active).
    #[test]
    fn rounding_switch_decides_the_half() {
        for (rounding, active) in [("half_up", false), ("half_even", true)] {
            let mut m = empty_lattice(&[
                "rules.arrest_rule=\"round\"",
                &format!("rules.rounding=\"{rounding}\""),
                "rules.active_counts_self=false",
                "citizens.legitimacy=0.5",
            ]);
            let me = put_citizen(&mut m, 7, 7, 1.0, false);
            put_citizen(&mut m, 6, 7, 0.0, true);
            m.spawn(Kind::Cop, 8, 7, 0.0, 0.0, 0);
            m.decide(me, false);
            assert_eq!(m.agents[me].active(), active, "rounding {rounding}");
        }
    }

    /// A cop next to an active citizen that never moves: moving first takes the cop out of
    /// reach (every other neighbour is two steps from the citizen), acting first arrests.
    #[test]
    fn action_order_switch_decides_whether_a_cop_arrests_before_moving() {
        for (order, arrests) in [("move_then_act", 0.0), ("act_then_move", 1.0)] {
            let mut m = empty_lattice(&[&format!("rules.action_order=\"{order}\"")]);
            put_citizen(&mut m, 8, 7, 0.0, true);
            m.spawn(Kind::Cop, 7, 7, 0.0, 0.0, 0);
            m.step();
            assert_eq!(m.counts().arrests, arrests, "action order {order}");
        }
    }

    /// A citizen arrested with a term of 2: counted down at the end of ticks 1 and 2 it is free
    /// after tick 2; counted down at its own turns (Mesa) it spends turns 1 and 2 counting and
    /// is still ARRESTED at the end of tick 2, acting (and counted free) from tick 3.
    #[test]
    fn jail_countdown_switch_sets_when_the_term_runs_down() {
        for (countdown, jailed_after) in [("end_of_tick", [1.0, 0.0, 0.0]), ("own_turn", [1.0, 1.0, 0.0])] {
            let mut m = empty_lattice(&[&format!("rules.jail_countdown=\"{countdown}\"")]);
            let c = put_citizen(&mut m, 7, 7, 0.0, false);
            m.lift(c);
            // What `enforce` stores for a drawn term of 2.
            m.agents[c].set_jail(if countdown == "own_turn" { 3 } else { 2 });
            let mut seen = [0.0; 3];
            for jailed in &mut seen {
                m.step();
                *jailed = m.counts().jailed;
            }
            assert_eq!(seen, jailed_after, "countdown {countdown}");
            assert!(m.occupied.get(7, 7), "back on its cell");
        }
    }

    /// A term of 0 frees at once at the end of the tick, but under `own_turn` the citizen is
    /// arrested (counted jailed, off the lattice) until its next turn.
    #[test]
    fn a_zero_term_is_an_arrest_until_the_next_turn_under_own_turn() {
        for (countdown, jailed) in [("end_of_tick", 0.0), ("own_turn", 1.0)] {
            let mut m = empty_lattice(&[
                "rules.max_jail_term=0",
                "rules.cop_moves_to_arrest=false",
                &format!("rules.jail_countdown=\"{countdown}\""),
            ]);
            let c = put_citizen(&mut m, 8, 7, 0.0, true);
            let cop = m.spawn(Kind::Cop, 7, 7, 0.0, 0.0, 0);
            m.enforce(cop);
            m.recount(0.0, 0.0);
            assert_eq!(m.counts().jailed, jailed, "countdown {countdown}");
            assert_eq!(m.occupied.get(8, 7), jailed == 0.0, "countdown {countdown}");
            assert!(!m.agents[c].active());
        }
    }

    /// An arrested citizen leaves the lattice (its cell counts as empty) or keeps blocking it.
    #[test]
    fn jailed_on_lattice_switch_keeps_the_cell_blocked() {
        for (on_lattice, blocked) in [(false, false), (true, true)] {
            let mut m = empty_lattice(&[
                // Under own_turn every arrest holds the citizen at least until its next turn.
                "rules.jail_countdown=\"own_turn\"",
                "rules.cop_moves_to_arrest=false",
                &format!("rules.jailed_on_lattice={on_lattice}"),
            ]);
            let c = put_citizen(&mut m, 8, 7, 0.0, true);
            let cop = m.spawn(Kind::Cop, 7, 7, 0.0, 0.0, 0);
            m.enforce(cop);
            assert!(m.agents[c].jail() > 0);
            assert_eq!(m.occupied.get(8, 7), blocked, "jailed_on_lattice {on_lattice}");
            assert!(!m.active_bits.get(8, 7));
        }
    }

    /// Exact fill: round(density x cells) of each kind whatever the seed. Independent fill: each
    /// cell draws, so the numbers vary by seed around density x cells (sd about 18 citizens).
    #[test]
    fn fill_switch_sets_exact_or_independent_counts() {
        let count = |fill: &str, seed: u64| {
            let mut m = empty_lattice(&[
                "lattice.width=40",
                "lattice.height=40",
                "citizens.density=0.7",
                "cops.density=0.04",
                &format!("rules.fill=\"{fill}\""),
            ]);
            m = EpsteinModel::with_seed(m.scenario(), seed);
            let c = m.counts();
            (c.quiescent, c.cops)
        };
        let exact: Vec<_> = (1..=10).map(|s| count("exact", s)).collect();
        assert!(exact.iter().all(|&c| c == (1120.0, 64.0)), "{exact:?}");
        let independent: Vec<_> = (1..=10).map(|s| count("independent", s)).collect();
        assert!(independent.iter().any(|&c| c != independent[0]), "{independent:?}");
        assert!(
            independent
                .iter()
                .all(|&(c, k)| (c - 1120.0).abs() < 5.0 * 18.3 && (k - 64.0).abs() < 5.0 * 7.8),
            "{independent:?}"
        );
    }

    /// With `movement = false`, cops still move (NetLogo) unless `movement_includes_cops` (Mesa).
    #[test]
    fn movement_includes_cops_switch_stops_cops() {
        for (includes, moved) in [(false, true), (true, false)] {
            let mut m = empty_lattice(&[&format!("rules.movement_includes_cops={includes}")]);
            let cop = m.spawn(Kind::Cop, 7, 7, 0.0, 0.0, 0);
            m.step();
            assert_eq!(cell_of(&m, cop) != (7, 7), moved, "movement_includes_cops {includes}");
        }
    }

    /// A released citizen whose cell was taken goes to another empty cell, or (NetLogo) back
    /// onto its own and shares it; a shared cell counts both agents.
    #[test]
    fn release_switch_returns_to_the_own_cell_and_shares_it() {
        for (release, shares) in [("nearby_empty", false), ("own_cell", true)] {
            let mut m = empty_lattice(&[&format!("rules.release=\"{release}\"")]);
            let jailed = put_citizen(&mut m, 7, 7, 0.0, false);
            m.lift(jailed);
            m.agents[jailed].set_jail(1);
            let taker = put_citizen(&mut m, 7, 7, 0.0, true);
            m.step();
            assert_eq!(cell_of(&m, taker), (7, 7));
            assert_eq!(cell_of(&m, jailed) == (7, 7), shares, "release {release}");
            assert_eq!(m.counts().jailed, 0.0);
            // Seen from the empty cell (8, 7), a shared (7, 7) holds two actives once the
            // released citizen is active too.
            m.agents[jailed].set_active(true);
            let (_, on_planes) = m.count_pair(&m.cops_bits, &m.active_bits, &m.citizen_shape, 8, 7);
            let stacked = m.count_stacked(&m.citizen_shape, 8, 7, Agent::is_free_active);
            assert_eq!((on_planes, stacked), if shares { (1, 1) } else { (1, 0) }, "release {release}");
        }
    }

    /// NetLogo's cop moves onto its suspect's cell even when the drawn term is 0 (the citizen
    /// stays free there, and the two share the cell); otherwise only for a term above 0.
    #[test]
    fn cop_moves_on_zero_term_switch_shares_the_suspects_cell() {
        for (on_zero, moved) in [(false, false), (true, true)] {
            let mut m = empty_lattice(&["rules.max_jail_term=0", &format!("rules.cop_moves_on_zero_term={on_zero}")]);
            let c = put_citizen(&mut m, 8, 7, 0.0, true);
            let cop = m.spawn(Kind::Cop, 7, 7, 0.0, 0.0, 0);
            m.enforce(cop);
            assert_eq!(m.agents[c].jail(), 0);
            assert_eq!(cell_of(&m, cop) == (8, 7), moved, "cop_moves_on_zero_term {on_zero}");
            assert_eq!(m.occupied.get(7, 7), !moved);
            // The shared cell holds a cop for the citizens around it, whichever agent the
            // planes show.
            let (cops, _) = m.count_pair(&m.cops_bits, &m.active_bits, &m.citizen_shape, 8, 8);
            let cops = cops + m.count_stacked(&m.citizen_shape, 8, 8, |a| a.kind() == Kind::Cop);
            assert_eq!(cops, u32::from(moved), "cop_moves_on_zero_term {on_zero}");
            // When the citizen moves off, the cop is left holding the cell.
            if moved {
                m.lift(c);
                assert!(m.stacked.is_empty() && m.cops_bits.get(8, 7) && m.occupied.get(8, 7));
            }
        }
    }

    #[test]
    fn outbursts_are_runs_above_the_threshold() {
        let a = [0.0, 60.0, 70.0, 10.0, 0.0, 80.0, 0.0];
        let o = outbursts(&a, 50.0);
        assert_eq!(o.count, 2.0);
        assert_eq!(o.mean_wait, 4.0);
        assert_eq!(o.mean_activation, (130.0 + 80.0) / 2.0);
        assert_eq!(o.peak, 80.0);
    }
}
