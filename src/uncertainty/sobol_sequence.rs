//! Sobol' low-discrepancy sequence with Joe & Kuo direction numbers, optionally randomised.
//!
//! Points are computed directly from their index (Gray-code order, as in Antonov & Saleev 1979),
//! so any slice of the sequence can be produced without the ones before it: a resumed or sharded
//! design gets the same points. Must not be used beyond [`SOBOL_MAX_DIMENSION`] dimensions or
//! 2³² points; both are errors.

use super::random::seeded_rng;
use super::{UqResult, invalid};
use rand::Rng;

/// Highest dimension supported (the first 64 rows of Joe & Kuo's `new-joe-kuo-6.21201`).
/// A Saltelli design needs twice the number of parameters, so up to 32 parameters.
pub const SOBOL_MAX_DIMENSION: usize = 64;

/// Bits per coordinate: points are multiples of 2⁻³².
const BITS: usize = 32;

/// Joe & Kuo (2008) primitive polynomials and initial direction numbers for dimensions 2 to 64:
/// `(a, [m_1, …, m_s])`, where `s` is the polynomial degree and `a` encodes its inner
/// coefficients. Dimension 1 is the van der Corput sequence (all `m = 1`).
const JOE_KUO: [(u32, &[u32]); SOBOL_MAX_DIMENSION - 1] = [
    (0, &[1]),
    (1, &[1, 3]),
    (1, &[1, 3, 1]),
    (2, &[1, 1, 1]),
    (1, &[1, 1, 3, 3]),
    (4, &[1, 3, 5, 13]),
    (2, &[1, 1, 5, 5, 17]),
    (4, &[1, 1, 5, 5, 5]),
    (7, &[1, 1, 7, 11, 19]),
    (11, &[1, 1, 5, 1, 1]),
    (13, &[1, 1, 1, 3, 11]),
    (14, &[1, 3, 5, 5, 31]),
    (1, &[1, 3, 3, 9, 7, 49]),
    (13, &[1, 1, 1, 15, 21, 21]),
    (16, &[1, 3, 1, 13, 27, 49]),
    (19, &[1, 1, 1, 15, 7, 5]),
    (22, &[1, 3, 1, 15, 13, 25]),
    (25, &[1, 1, 5, 5, 19, 61]),
    (1, &[1, 3, 7, 11, 23, 15, 103]),
    (4, &[1, 3, 7, 13, 13, 15, 69]),
    (7, &[1, 1, 3, 13, 7, 35, 63]),
    (8, &[1, 3, 5, 9, 1, 25, 53]),
    (14, &[1, 3, 1, 13, 9, 35, 107]),
    (19, &[1, 3, 1, 5, 27, 61, 31]),
    (21, &[1, 1, 5, 11, 19, 41, 61]),
    (28, &[1, 3, 5, 3, 3, 13, 69]),
    (31, &[1, 1, 7, 13, 1, 19, 1]),
    (32, &[1, 3, 7, 5, 13, 19, 59]),
    (37, &[1, 1, 3, 9, 25, 29, 41]),
    (41, &[1, 3, 5, 13, 23, 1, 55]),
    (42, &[1, 3, 7, 3, 13, 59, 17]),
    (50, &[1, 3, 1, 3, 5, 53, 69]),
    (55, &[1, 1, 5, 5, 23, 33, 13]),
    (56, &[1, 1, 7, 7, 1, 61, 123]),
    (59, &[1, 1, 7, 9, 13, 61, 49]),
    (62, &[1, 3, 3, 5, 3, 55, 33]),
    (14, &[1, 3, 1, 15, 31, 13, 49, 245]),
    (21, &[1, 3, 5, 15, 31, 59, 63, 97]),
    (22, &[1, 3, 1, 11, 11, 11, 77, 249]),
    (38, &[1, 3, 1, 11, 27, 43, 71, 9]),
    (47, &[1, 1, 7, 15, 21, 11, 81, 45]),
    (49, &[1, 3, 7, 3, 25, 31, 65, 79]),
    (50, &[1, 3, 1, 1, 19, 11, 3, 205]),
    (52, &[1, 1, 5, 9, 19, 21, 29, 157]),
    (56, &[1, 3, 7, 11, 1, 33, 89, 185]),
    (67, &[1, 3, 3, 3, 15, 9, 79, 71]),
    (70, &[1, 3, 7, 11, 15, 39, 119, 27]),
    (84, &[1, 1, 3, 1, 11, 31, 97, 225]),
    (97, &[1, 1, 1, 3, 23, 43, 57, 177]),
    (103, &[1, 3, 7, 7, 17, 17, 37, 71]),
    (115, &[1, 3, 1, 5, 27, 63, 123, 213]),
    (122, &[1, 1, 3, 5, 11, 43, 53, 133]),
    (8, &[1, 3, 5, 5, 29, 17, 47, 173, 479]),
    (13, &[1, 3, 3, 11, 3, 1, 109, 9, 69]),
    (16, &[1, 1, 1, 5, 17, 39, 23, 5, 343]),
    (22, &[1, 3, 1, 5, 25, 15, 31, 103, 499]),
    (25, &[1, 1, 1, 11, 11, 17, 63, 105, 183]),
    (44, &[1, 1, 5, 11, 9, 29, 97, 231, 363]),
    (47, &[1, 1, 5, 15, 19, 45, 41, 7, 383]),
    (52, &[1, 3, 7, 7, 31, 19, 83, 137, 221]),
    (55, &[1, 1, 1, 3, 23, 15, 111, 223, 83]),
    (59, &[1, 1, 5, 13, 31, 15, 55, 25, 161]),
    (62, &[1, 1, 3, 13, 25, 47, 39, 87, 257]),
];

/// How the sequence is randomised. Randomisation makes each point uniform on the cube (so
/// estimators are unbiased and can be replicated with another seed) and keeps the net property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SobolScrambling {
    /// The deterministic sequence (its first point is the origin).
    None,
    /// A random digital shift: every coordinate XORed with one random 32-bit word per dimension.
    DigitalShift,
    /// A random linear matrix scramble (Matoušek 1998) followed by a digital shift, as in SciPy.
    LinearMatrixAndShift,
}

/// A Sobol' sequence in a fixed dimension, with its (possibly scrambled) direction numbers.
#[derive(Debug, Clone)]
pub struct SobolSequence {
    /// `directions[d][k]`: the k-th direction number of dimension d, left-aligned in 32 bits.
    directions: Vec<[u32; BITS]>,
    /// Per-dimension XOR applied to every point (zero when not shifted).
    shifts: Vec<u32>,
}

impl SobolSequence {
    /// The sequence in `dimension` dimensions, randomised as asked with `seed` (ignored for
    /// [`SobolScrambling::None`]).
    ///
    /// # Errors
    /// When `dimension` is zero or above [`SOBOL_MAX_DIMENSION`].
    pub fn new(dimension: usize, scrambling: SobolScrambling, seed: u64) -> UqResult<Self> {
        if dimension == 0 || dimension > SOBOL_MAX_DIMENSION {
            return Err(invalid!("Sobol' dimension must be in 1..={SOBOL_MAX_DIMENSION}, got {dimension}"));
        }
        let mut directions: Vec<[u32; BITS]> = (0..dimension).map(direction_numbers).collect();
        let mut shifts = vec![0u32; dimension];
        let mut rng = seeded_rng(seed, 0x53_4f42_4f4c); // "SOBOL"
        if scrambling == SobolScrambling::LinearMatrixAndShift {
            for dir in &mut directions {
                let rows = random_lower_triangular(&mut rng);
                for v in dir.iter_mut() {
                    *v = apply_lower_triangular(&rows, *v);
                }
            }
        }
        if scrambling != SobolScrambling::None {
            for s in &mut shifts {
                *s = rng.next_u32();
            }
        }
        Ok(Self { directions, shifts })
    }

    /// Number of coordinates per point.
    #[must_use]
    pub fn dimension(&self) -> usize {
        self.directions.len()
    }

    /// Point number `index` (0-based) in `[0, 1)^d`.
    ///
    /// # Errors
    /// When `index` is 2³² or more (the direction numbers have 32 bits).
    pub fn point(&self, index: u64) -> UqResult<Vec<f64>> {
        if index >= 1u64 << BITS {
            return Err(invalid!("Sobol' index {index} is beyond 2^32 points"));
        }
        let gray = index ^ (index >> 1);
        Ok(self
            .directions
            .iter()
            .zip(&self.shifts)
            .map(|(dir, shift)| {
                let mut x = *shift;
                for (k, v) in dir.iter().enumerate() {
                    if gray >> k & 1 == 1 {
                        x ^= v;
                    }
                }
                f64::from(x) / 4_294_967_296.0
            })
            .collect())
    }

    /// Points `start .. start + count`.
    ///
    /// # Errors
    /// As [`Self::point`].
    pub fn points(&self, start: u64, count: usize) -> UqResult<Vec<Vec<f64>>> {
        (0..count as u64).map(|i| self.point(start + i)).collect()
    }
}

/// The 32 direction numbers of dimension `d` (0-based) by the Joe–Kuo recurrence
/// `v_k = v_{k−s} ⊕ (v_{k−s} ≫ s) ⊕ ⨁_{j=1}^{s−1} a_j v_{k−j}`.
fn direction_numbers(d: usize) -> [u32; BITS] {
    let mut v = [0u32; BITS];
    if d == 0 {
        for (k, vk) in v.iter_mut().enumerate() {
            *vk = 1u32 << (BITS - 1 - k);
        }
        return v;
    }
    let (a, m) = JOE_KUO[d - 1];
    let s = m.len();
    for k in 0..BITS {
        v[k] = if k < s {
            m[k] << (BITS - 1 - k)
        } else {
            let mut value = v[k - s] ^ (v[k - s] >> s);
            for j in 1..s {
                if (a >> (s - 1 - j)) & 1 == 1 {
                    value ^= v[k - j];
                }
            }
            value
        };
    }
    v
}

/// Rows of a random lower-triangular binary matrix with unit diagonal, most significant digit
/// first: row `b` is a mask over the input digits `0..=b`.
fn random_lower_triangular(rng: &mut rand_chacha::ChaCha8Rng) -> [u32; BITS] {
    let mut rows = [0u32; BITS];
    for (b, row) in rows.iter_mut().enumerate() {
        let diagonal = 1u32 << (BITS - 1 - b);
        let above = if b == 0 { 0 } else { u32::MAX << (BITS - b) };
        *row = (rng.next_u32() & above) | diagonal;
    }
    rows
}

/// `L x` over GF(2), digit `b` of the result being the parity of row `b` AND `x`.
fn apply_lower_triangular(rows: &[u32; BITS], x: u32) -> u32 {
    rows.iter()
        .enumerate()
        .fold(0u32, |acc, (b, row)| acc | (((row & x).count_ones() & 1) << (BITS - 1 - b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_points_match_the_published_sequence() {
        // Reference: SciPy 1.17 `qmc.Sobol(d=4, scramble=False).random(8)` (Joe & Kuo 6.21201).
        let expected = [
            [0.0, 0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5, 0.5],
            [0.75, 0.25, 0.25, 0.25],
            [0.25, 0.75, 0.75, 0.75],
            [0.375, 0.375, 0.625, 0.875],
            [0.875, 0.875, 0.125, 0.375],
            [0.625, 0.125, 0.875, 0.625],
            [0.125, 0.625, 0.375, 0.125],
        ];
        let seq = SobolSequence::new(4, SobolScrambling::None, 0).unwrap();
        for (i, row) in expected.iter().enumerate() {
            assert_eq!(seq.point(i as u64).unwrap(), row.to_vec(), "point {i}");
        }
    }

    #[test]
    fn all_64_dimensions_match_scipy_joe_kuo_checksums() {
        // Reference: SciPy 1.17 `qmc.Sobol(d=64, scramble=False, bits=30).random(3000)`; per
        // dimension, Σ_i (i + 1) · x_i · 2^30 over the first 3000 points. Order-sensitive, and it
        // exercises every tabulated direction number and the recurrence: a typo in a row fails it.
        let expected: [u64; SOBOL_MAX_DIMENSION] = [
            2_419_523_010_428_928,
            2_416_967_234_355_200,
            2_415_642_260_013_056,
            2_417_552_056_647_680,
            2_415_010_851_586_048,
            2_416_054_427_975_680,
            2_418_173_878_992_896,
            2_418_092_283_002_880,
            2_414_753_600_241_664,
            2_418_636_561_055_744,
            2_416_292_469_407_744,
            2_418_496_559_382_528,
            2_416_455_898_365_952,
            2_415_331_940_237_312,
            2_419_585_883_045_888,
            2_416_225_324_892_160,
            2_415_659_408_424_960,
            2_415_593_838_870_528,
            2_417_557_033_189_376,
            2_416_879_837_642_752,
            2_417_068_918_964_224,
            2_416_732_093_284_352,
            2_416_268_322_799_616,
            2_417_236_972_142_592,
            2_417_362_035_802_112,
            2_417_160_218_476_544,
            2_414_697_247_670_272,
            2_415_829_451_800_576,
            2_416_493_462_552_576,
            2_415_546_116_079_616,
            2_417_779_761_217_536,
            2_416_493_840_039_936,
            2_414_273_119_649_792,
            2_418_184_859_680_768,
            2_417_656_358_502_400,
            2_415_101_696_016_384,
            2_417_148_744_957_952,
            2_415_685_178_228_736,
            2_417_865_746_546_688,
            2_415_806_565_580_800,
            2_416_327_762_378_752,
            2_413_670_796_623_872,
            2_413_844_201_734_144,
            2_419_090_346_999_808,
            2_416_467_027_951_616,
            2_415_354_511_884_288,
            2_418_548_136_738_816,
            2_417_502_538_694_656,
            2_416_648_874_098_688,
            2_418_001_790_894_080,
            2_416_054_522_347_520,
            2_416_272_334_651_392,
            2_416_518_708_068_352,
            2_417_964_977_487_872,
            2_417_062_570_885_120,
            2_417_164_553_289_728,
            2_416_810_390_454_272,
            2_416_587_584_831_488,
            2_415_972_980_883_456,
            2_417_534_704_812_032,
            2_415_822_789_148_672,
            2_416_105_466_363_904,
            2_416_747_282_956_288,
            2_415_962_979_565_568,
        ];
        let seq = SobolSequence::new(SOBOL_MAX_DIMENSION, SobolScrambling::None, 0).unwrap();
        let mut sums = [0u64; SOBOL_MAX_DIMENSION];
        for i in 0..3000u64 {
            for (d, x) in seq.point(i).unwrap().iter().enumerate() {
                sums[d] += (i + 1) * (x * 1_073_741_824.0) as u64;
            }
        }
        assert_eq!(sums, expected);
    }

    #[test]
    fn every_dimension_stratifies_the_first_power_of_two_points() {
        // A (t, m, s)-net property every Sobol' sequence has, scrambled or not: the first 2^m
        // points put exactly one value in each interval [j/2^m, (j+1)/2^m) of every coordinate.
        for scrambling in [
            SobolScrambling::None,
            SobolScrambling::DigitalShift,
            SobolScrambling::LinearMatrixAndShift,
        ] {
            let seq = SobolSequence::new(SOBOL_MAX_DIMENSION, scrambling, 11).unwrap();
            let points = seq.points(0, 256).unwrap();
            for d in 0..SOBOL_MAX_DIMENSION {
                let mut cells: Vec<usize> = points.iter().map(|p| (p[d] * 256.0) as usize).collect();
                cells.sort_unstable();
                assert_eq!(cells, (0..256).collect::<Vec<_>>(), "dimension {d}, {scrambling:?}");
            }
        }
    }

    #[test]
    fn out_of_range_arguments_are_errors() {
        assert!(SobolSequence::new(0, SobolScrambling::None, 0).is_err());
        assert!(SobolSequence::new(SOBOL_MAX_DIMENSION + 1, SobolScrambling::None, 0).is_err());
        let seq = SobolSequence::new(2, SobolScrambling::None, 0).unwrap();
        assert!(seq.point(1u64 << 32).is_err());
    }
}
