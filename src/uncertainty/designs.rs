//! Experimental designs in the unit hypercube: Latin hypercubes, Morris trajectories and
//! Saltelli cross-sampling for Sobol' indices.
//!
//! Every design is a list of unit-cube points in a documented order that the estimators expect
//! back with their responses. Map points to parameter values with
//! [`super::ParameterSpace::design_to_parameters`]. Must not run a model.

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::random::{index_below, permutation, seeded_rng, uniform};
use super::sobol_sequence::{SOBOL_MAX_DIMENSION, SobolScrambling, SobolSequence};
use super::{UqError, UqResult, invalid};

/// Latin hypercube of `n` points in `[0, 1)^dimension` (McKay et al. 1979): each coordinate has
/// exactly one point in each interval `[j/n, (j+1)/n)`, placed uniformly inside it.
///
/// # Errors
/// When `n` or `dimension` is zero.
pub fn latin_hypercube(n: usize, dimension: usize, seed: u64) -> UqResult<Vec<Vec<f64>>> {
    let unit_box = vec![(0.0, 1.0); dimension];
    latin_hypercube_in_box(n, &unit_box, seed)
}

/// Latin hypercube of `n` points inside the box `bounds[d] = (low, high)` of the unit cube.
///
/// # Errors
/// When `n` or the dimension is zero, or a bound is not `0 ≤ low ≤ high ≤ 1`.
pub fn latin_hypercube_in_box(n: usize, bounds: &[(f64, f64)], seed: u64) -> UqResult<Vec<Vec<f64>>> {
    if n == 0 || bounds.is_empty() {
        return Err(invalid!(
            "latin hypercube needs n > 0 and dimension > 0, got n = {n}, dimension = {}",
            bounds.len()
        ));
    }
    if let Some(d) = bounds.iter().position(|&(lo, hi)| !(0.0 <= lo && lo <= hi && hi <= 1.0)) {
        return Err(invalid!("box bound {d} = {:?} is not 0 <= low <= high <= 1", bounds[d]));
    }
    let mut rng = seeded_rng(seed, 0x4c_4853); // "LHS"
    let mut points = vec![vec![0.0; bounds.len()]; n];
    for (d, &(low, high)) in bounds.iter().enumerate() {
        let strata = permutation(&mut rng, n);
        for (point, stratum) in points.iter_mut().zip(strata) {
            let within = (stratum as f64 + uniform(&mut rng)) / n as f64;
            point[d] = low + within * (high - low);
        }
    }
    Ok(points)
}

/// Settings of a Morris design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisDesignConfig {
    /// Number of inputs `k`.
    pub dimension: usize,
    /// Grid levels `p` (even, at least 2; 4 or 6 are usual).
    pub levels: usize,
    /// Trajectories kept `r` (at least 2; 10 to 50 are usual).
    pub trajectories: usize,
    /// Candidates `M > r` for Campolongo et al.'s (2007) improved selection; `None` keeps the
    /// first `r` random trajectories.
    pub candidates: Option<usize>,
    /// Seed of the design.
    pub seed: u64,
}

/// Morris trajectories: `r` blocks of `k + 1` unit-cube points, consecutive points of a block
/// differing in exactly one input by `±Δ`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisDesign {
    dimension: usize,
    levels: usize,
    delta: f64,
    points: Vec<Vec<f64>>,
}

impl MorrisDesign {
    /// Draws the design.
    ///
    /// # Errors
    /// When `dimension` is zero, `levels` is odd or below 2, `trajectories` is below 2, or
    /// `candidates` is not above `trajectories` (or above 10 000, to keep selection fast).
    pub fn new(config: &MorrisDesignConfig) -> UqResult<Self> {
        let &MorrisDesignConfig {
            dimension,
            levels,
            trajectories,
            candidates,
            seed,
        } = config;
        if dimension == 0 {
            return Err(invalid!("Morris design: dimension must be positive"));
        }
        if levels < 2 || levels % 2 == 1 {
            return Err(invalid!("Morris design: levels must be even and at least 2, got {levels}"));
        }
        if trajectories < 2 {
            return Err(invalid!("Morris design: at least 2 trajectories are needed, got {trajectories}"));
        }
        if let Some(m) = candidates
            && (m <= trajectories || m > 10_000)
        {
            return Err(invalid!(
                "Morris design: candidates must be in {}..=10000, got {m}",
                trajectories + 1
            ));
        }
        let delta = levels as f64 / (2.0 * (levels as f64 - 1.0));
        let mut rng = seeded_rng(seed, 0x4d4f_5252_4953); // "MORRIS"
        let drawn = candidates.unwrap_or(trajectories);
        let mut pool: Vec<Vec<Vec<f64>>> = (0..drawn).map(|_| random_trajectory(&mut rng, dimension, levels, delta)).collect();
        if candidates.is_some() {
            let kept = select_spread_trajectories(&pool, trajectories);
            pool = kept.into_iter().map(|i| std::mem::take(&mut pool[i])).collect();
        }
        Ok(Self {
            dimension,
            levels,
            delta,
            points: pool.into_iter().flatten().collect(),
        })
    }

    /// Number of inputs `k`.
    #[must_use]
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// Grid levels `p`.
    #[must_use]
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// Step `Δ = p / (2(p − 1))`.
    #[must_use]
    pub fn delta(&self) -> f64 {
        self.delta
    }

    /// Number of trajectories `r`.
    #[must_use]
    pub fn trajectories(&self) -> usize {
        self.points.len() / (self.dimension + 1)
    }

    /// All `r (k + 1)` points, trajectory after trajectory: the order of the responses.
    #[must_use]
    pub fn points(&self) -> &[Vec<f64>] {
        &self.points
    }

    /// Points of trajectory `t`.
    #[must_use]
    pub fn trajectory(&self, t: usize) -> &[Vec<f64>] {
        let len = self.dimension + 1;
        &self.points[t * len..(t + 1) * len]
    }
}

/// One trajectory (Morris 1991): base point on the lower part of the grid, then each input in a
/// random order moves once by `+Δ` or `−Δ` (a `−Δ` input starts at base + Δ).
fn random_trajectory(rng: &mut ChaCha8Rng, dimension: usize, levels: usize, delta: f64) -> Vec<Vec<f64>> {
    let step = 1.0 / (levels as f64 - 1.0);
    let base_levels = levels / 2; // base coordinates in {0, …, 1 − Δ}
    let mut current: Vec<f64> = Vec::with_capacity(dimension);
    let mut upward: Vec<bool> = Vec::with_capacity(dimension);
    for _ in 0..dimension {
        let base = index_below(rng, base_levels) as f64 * step;
        let up = index_below(rng, 2) == 0;
        current.push(if up { base } else { base + delta });
        upward.push(up);
    }
    let order = permutation(rng, dimension);
    let mut trajectory = Vec::with_capacity(dimension + 1);
    trajectory.push(current.clone());
    for input in order {
        current[input] += if upward[input] { delta } else { -delta };
        // Sums of multiples of 1/(p−1) can drift by an ulp; snap back onto the grid.
        current[input] = ((current[input] / step).round() * step).clamp(0.0, 1.0);
        trajectory.push(current.clone());
    }
    trajectory
}

/// Indices (ascending) of `keep` trajectories with a large spread: greedily drops the candidate
/// whose squared distances to the remaining ones sum least (Ruano et al. 2012), approximating
/// Campolongo et al.'s (2007) maximisation of `sqrt(Σ d(m,l)²)`.
fn select_spread_trajectories(pool: &[Vec<Vec<f64>>], keep: usize) -> Vec<usize> {
    let m = pool.len();
    let mut squared = vec![0.0; m * m];
    for a in 0..m {
        for b in (a + 1)..m {
            let d = trajectory_distance(&pool[a], &pool[b]);
            squared[a * m + b] = d * d;
            squared[b * m + a] = d * d;
        }
    }
    let mut alive = vec![true; m];
    let mut contribution: Vec<f64> = (0..m).map(|a| squared[a * m..(a + 1) * m].iter().sum()).collect();
    for _ in 0..(m - keep) {
        let worst = (0..m)
            .filter(|&a| alive[a])
            .min_by(|&a, &b| contribution[a].total_cmp(&contribution[b]).then(a.cmp(&b)))
            .unwrap_or(0);
        alive[worst] = false;
        for a in 0..m {
            contribution[a] -= squared[a * m + worst];
        }
    }
    (0..m).filter(|&a| alive[a]).collect()
}

/// Campolongo et al.'s (2007) distance between two trajectories: the sum over all pairs of
/// their points of the Euclidean distance.
fn trajectory_distance(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    a.iter()
        .flat_map(|p| {
            b.iter()
                .map(move |q| p.iter().zip(q).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt())
        })
        .sum()
}

/// How the two base matrices `A` and `B` of a Saltelli design are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BaseSampling {
    /// A `2k`-dimensional Sobol' sequence (first `k` columns `A`, last `k` columns `B`): the
    /// best convergence; use a power of two for `N`.
    Sobol(SobolScrambling),
    /// A `2k`-dimensional Latin hypercube.
    LatinHypercube,
    /// Independent uniform draws.
    Random,
}

/// Settings of a Saltelli design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaltelliDesignConfig {
    /// Number of inputs `k` (at most 32 with Sobol' sampling).
    pub dimension: usize,
    /// Base samples `N` (rows of `A` and of `B`; at least 2).
    pub base_samples: usize,
    /// How `A` and `B` are drawn.
    pub sampling: BaseSampling,
    /// Seed of the randomisation.
    pub seed: u64,
}

/// Saltelli cross-sampling: matrices `A`, `B` and `A_B^(i)` (A with column `i` from B).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaltelliDesign {
    dimension: usize,
    a: Vec<Vec<f64>>,
    b: Vec<Vec<f64>>,
}

impl SaltelliDesign {
    /// Draws `A` and `B`.
    ///
    /// # Errors
    /// When `dimension` is zero (or above 32 with Sobol' sampling) or `base_samples` below 2.
    pub fn new(config: &SaltelliDesignConfig) -> UqResult<Self> {
        let &SaltelliDesignConfig {
            dimension,
            base_samples,
            sampling,
            seed,
        } = config;
        if dimension == 0 || base_samples < 2 {
            return Err(invalid!(
                "Saltelli design needs dimension > 0 and base_samples >= 2, got {dimension} and {base_samples}"
            ));
        }
        let width = 2 * dimension;
        let joint: Vec<Vec<f64>> = match sampling {
            BaseSampling::Sobol(scrambling) => {
                if width > SOBOL_MAX_DIMENSION {
                    return Err(invalid!(
                        "Saltelli design with Sobol' sampling supports at most {} inputs, got {dimension}; use LatinHypercube or Random",
                        SOBOL_MAX_DIMENSION / 2
                    ));
                }
                SobolSequence::new(width, scrambling, seed)?.points(0, base_samples)?
            }
            BaseSampling::LatinHypercube => latin_hypercube(base_samples, width, seed)?,
            BaseSampling::Random => {
                let mut rng = seeded_rng(seed, 0x5241_4e44_4f4d); // "RANDOM"
                (0..base_samples).map(|_| (0..width).map(|_| uniform(&mut rng)).collect()).collect()
            }
        };
        let (a, b) = joint.into_iter().map(|mut row| (row.drain(..dimension).collect(), row)).unzip();
        Ok(Self { dimension, a, b })
    }

    /// Number of inputs `k`.
    #[must_use]
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// Base samples `N`.
    #[must_use]
    pub fn base_samples(&self) -> usize {
        self.a.len()
    }

    /// Model runs needed: `N (k + 2)`.
    #[must_use]
    pub fn run_count(&self) -> usize {
        self.a.len() * (self.dimension + 2)
    }

    /// Matrix `A` (rows are points).
    #[must_use]
    pub fn a(&self) -> &[Vec<f64>] {
        &self.a
    }

    /// Matrix `B`.
    #[must_use]
    pub fn b(&self) -> &[Vec<f64>] {
        &self.b
    }

    /// Row `j` of `A_B^(i)`.
    fn ab_row(&self, i: usize, j: usize) -> Vec<f64> {
        let mut row = self.a[j].clone();
        row[i] = self.b[j][i];
        row
    }

    /// Point number `index` of [`Self::points`].
    ///
    /// # Errors
    /// When `index` is not below [`Self::run_count`].
    pub fn point(&self, index: usize) -> UqResult<Vec<f64>> {
        if index >= self.run_count() {
            return Err(UqError::InvalidArgument(format!(
                "Saltelli point {index} is beyond the {} runs",
                self.run_count()
            )));
        }
        let block = self.dimension + 2;
        let (j, c) = (index / block, index % block);
        Ok(match c {
            0 => self.a[j].clone(),
            c if c <= self.dimension => self.ab_row(c - 1, j),
            _ => self.b[j].clone(),
        })
    }

    /// All runs, grouped by base row `j`: `A_j, A_B^(1)_j, …, A_B^(k)_j, B_j`. This is the order
    /// of the responses; a prefix of whole blocks is a smaller valid design.
    #[must_use]
    pub fn points(&self) -> Vec<Vec<f64>> {
        (0..self.a.len())
            .flat_map(|j| {
                std::iter::once(self.a[j].clone())
                    .chain((0..self.dimension).map(move |i| self.ab_row(i, j)))
                    .chain(std::iter::once(self.b[j].clone()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_hypercube_has_one_point_per_stratum() {
        let points = latin_hypercube(50, 4, 9).unwrap();
        for d in 0..4 {
            let mut cells: Vec<usize> = points.iter().map(|p| (p[d] * 50.0) as usize).collect();
            cells.sort_unstable();
            assert_eq!(cells, (0..50).collect::<Vec<_>>());
        }
        assert!(latin_hypercube(0, 2, 1).is_err());
        assert!(latin_hypercube_in_box(5, &[(0.5, 0.2)], 1).is_err());
    }

    #[test]
    fn morris_trajectories_move_one_input_by_delta_on_the_grid() {
        for candidates in [None, Some(40)] {
            let design = MorrisDesign::new(&MorrisDesignConfig {
                dimension: 5,
                levels: 4,
                trajectories: 10,
                candidates,
                seed: 3,
            })
            .unwrap();
            assert_eq!(design.points().len(), 10 * 6);
            assert!((design.delta() - 2.0 / 3.0).abs() < 1e-15);
            for t in 0..design.trajectories() {
                let traj = design.trajectory(t);
                let mut moved = Vec::new();
                for pair in traj.windows(2) {
                    let changed: Vec<usize> = (0..5).filter(|&d| pair[0][d] != pair[1][d]).collect();
                    assert_eq!(changed.len(), 1);
                    let d = changed[0];
                    assert!(((pair[1][d] - pair[0][d]).abs() - design.delta()).abs() < 1e-12);
                    moved.push(d);
                }
                moved.sort_unstable();
                assert_eq!(moved, vec![0, 1, 2, 3, 4], "each input moves exactly once");
                for p in traj {
                    for &x in p {
                        let level = x * 3.0;
                        assert!((level - level.round()).abs() < 1e-12 && (0.0..=1.0).contains(&x));
                    }
                }
            }
        }
    }

    #[test]
    fn improved_selection_spreads_trajectories_more_than_random_choice() {
        let config = |candidates| MorrisDesignConfig {
            dimension: 4,
            levels: 4,
            trajectories: 8,
            candidates,
            seed: 5,
        };
        let spread = |design: &MorrisDesign| {
            let mut total = 0.0;
            for a in 0..design.trajectories() {
                for b in (a + 1)..design.trajectories() {
                    total += trajectory_distance(design.trajectory(a), design.trajectory(b)).powi(2);
                }
            }
            total.sqrt()
        };
        let random = MorrisDesign::new(&config(None)).unwrap();
        let selected = MorrisDesign::new(&config(Some(100))).unwrap();
        assert!(spread(&selected) > spread(&random), "{} vs {}", spread(&selected), spread(&random));
    }

    #[test]
    fn saltelli_points_cross_a_and_b() {
        for sampling in [
            BaseSampling::Sobol(SobolScrambling::LinearMatrixAndShift),
            BaseSampling::LatinHypercube,
            BaseSampling::Random,
        ] {
            let design = SaltelliDesign::new(&SaltelliDesignConfig {
                dimension: 3,
                base_samples: 8,
                sampling,
                seed: 1,
            })
            .unwrap();
            let points = design.points();
            assert_eq!(points.len(), design.run_count());
            assert_eq!(points.len(), 8 * 5);
            for j in 0..8 {
                let block = &points[j * 5..(j + 1) * 5];
                assert_eq!(block[0], design.a()[j]);
                assert_eq!(block[4], design.b()[j]);
                for i in 0..3 {
                    let expected: Vec<f64> = (0..3).map(|d| if d == i { design.b()[j][d] } else { design.a()[j][d] }).collect();
                    assert_eq!(block[1 + i], expected);
                    assert_eq!(design.point(j * 5 + 1 + i).unwrap(), block[1 + i]);
                }
            }
        }
        let too_wide = SaltelliDesignConfig {
            dimension: 33,
            base_samples: 8,
            sampling: BaseSampling::Sobol(SobolScrambling::None),
            seed: 0,
        };
        assert!(SaltelliDesign::new(&too_wide).is_err());
    }
}
