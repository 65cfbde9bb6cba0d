//! Policy robustness across sampled futures: probability of being best, regret, and how often
//! pairs of policies swap places.
//!
//! Input: `outcome[future][policy]` for one outcome, each future run with common random numbers
//! across policies, and whether lower or higher is better. Regret of policy `p` in future `f`
//! (Savage 1951): `R_fp = |best_f − outcome_fp|`, the loss against the best policy in hindsight.
//! Must not choose a policy: it reports, the reader decides.

use serde::{Deserialize, Serialize};

use super::{UqResult, ensure_rows, invalid};

/// Which way an outcome improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// Smaller is better (deaths, displacement).
    LowerIsBetter,
    /// Larger is better (coverage, legitimacy).
    HigherIsBetter,
}

impl Direction {
    /// The outcome turned into a loss (lower always better).
    fn loss(self, outcome: f64) -> f64 {
        match self {
            Self::LowerIsBetter => outcome,
            Self::HigherIsBetter => -outcome,
        }
    }
}

/// Robustness measures of one policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRobustness {
    /// Share of futures in which the policy is best (a tie of `t` policies gives each `1/t`).
    pub probability_best: f64,
    /// Share of futures in which the policy is worst (ties shared likewise).
    pub probability_worst: f64,
    /// Mean outcome over futures.
    pub mean_outcome: f64,
    /// Mean regret over futures.
    pub mean_regret: f64,
    /// Largest regret over futures (the minimax-regret criterion ranks by this).
    pub max_regret: f64,
}

/// Robustness of every policy and of every pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RobustnessResult {
    /// One entry per policy, in input order.
    pub policies: Vec<PolicyRobustness>,
    /// `regret[future][policy]`.
    pub regret: Vec<Vec<f64>>,
    /// Policies ordered by mean outcome, best first (ties by index): the reference ranking.
    pub reference_order: Vec<usize>,
    /// `win_share[a][b]`: share of futures in which `a` is strictly better than `b`.
    pub win_share: Vec<Vec<f64>>,
    /// `flip_frequency[a][b]` (symmetric): share of futures in which `a` and `b` are strictly
    /// ordered against their order by mean outcome (with equal means: the smaller win share).
    pub flip_frequency: Vec<Vec<f64>>,
}

fn check(outcomes: &[Vec<f64>]) -> UqResult<usize> {
    let Some(first) = outcomes.first() else {
        return Err(invalid!("robustness: no future"));
    };
    if first.is_empty() {
        return Err(invalid!("robustness: no policy"));
    }
    ensure_rows("outcomes", outcomes, first.len())?;
    Ok(first.len())
}

/// Robustness measures of `outcomes[future][policy]`.
///
/// # Errors
/// On no future or policy, ragged rows, or non-finite outcomes.
pub fn robustness(outcomes: &[Vec<f64>], direction: Direction) -> UqResult<RobustnessResult> {
    let policies = check(outcomes)?;
    let futures = outcomes.len() as f64;
    let mut best_credit = vec![0.0; policies];
    let mut worst_credit = vec![0.0; policies];
    let mut regret = Vec::with_capacity(outcomes.len());
    let mut wins = vec![vec![0usize; policies]; policies];
    for row in outcomes {
        let loss: Vec<f64> = row.iter().map(|&o| direction.loss(o)).collect();
        let best = loss.iter().copied().fold(f64::INFINITY, f64::min);
        let worst = loss.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let best_count = loss.iter().filter(|&&l| l == best).count() as f64;
        let worst_count = loss.iter().filter(|&&l| l == worst).count() as f64;
        for (p, &l) in loss.iter().enumerate() {
            if l == best {
                best_credit[p] += 1.0 / best_count;
            }
            if l == worst {
                worst_credit[p] += 1.0 / worst_count;
            }
            for (q, &m) in loss.iter().enumerate() {
                if l < m {
                    wins[p][q] += 1;
                }
            }
        }
        regret.push(loss.iter().map(|l| l - best).collect::<Vec<f64>>());
    }
    let mean_loss: Vec<f64> = (0..policies)
        .map(|p| outcomes.iter().map(|r| direction.loss(r[p])).sum::<f64>() / futures)
        .collect();
    let mut reference_order: Vec<usize> = (0..policies).collect();
    reference_order.sort_by(|&a, &b| mean_loss[a].total_cmp(&mean_loss[b]).then(a.cmp(&b)));
    let win_share: Vec<Vec<f64>> = wins.iter().map(|row| row.iter().map(|&w| w as f64 / futures).collect()).collect();
    let flip_frequency: Vec<Vec<f64>> = (0..policies)
        .map(|a| {
            (0..policies)
                .map(|b| {
                    if a == b {
                        0.0
                    } else if mean_loss[a] < mean_loss[b] {
                        win_share[b][a]
                    } else if mean_loss[b] < mean_loss[a] {
                        win_share[a][b]
                    } else {
                        win_share[a][b].min(win_share[b][a])
                    }
                })
                .collect()
        })
        .collect();
    let policies = (0..policies)
        .map(|p| PolicyRobustness {
            probability_best: best_credit[p] / futures,
            probability_worst: worst_credit[p] / futures,
            mean_outcome: outcomes.iter().map(|r| r[p]).sum::<f64>() / futures,
            mean_regret: regret.iter().map(|r| r[p]).sum::<f64>() / futures,
            max_regret: regret.iter().map(|r| r[p]).fold(0.0, f64::max),
        })
        .collect();
    Ok(RobustnessResult {
        policies,
        regret,
        reference_order,
        win_share,
        flip_frequency,
    })
}

/// Futures in which `policy` is best (ties included): labels for [`super::prim`].
///
/// # Errors
/// On bad outcomes (see [`robustness`]) or a policy index out of range.
pub fn best_policy_mask(outcomes: &[Vec<f64>], direction: Direction, policy: usize) -> UqResult<Vec<bool>> {
    extreme_mask(outcomes, direction, policy, true)
}

/// Futures in which `policy` is worst (ties included).
///
/// # Errors
/// As [`best_policy_mask`].
pub fn worst_policy_mask(outcomes: &[Vec<f64>], direction: Direction, policy: usize) -> UqResult<Vec<bool>> {
    extreme_mask(outcomes, direction, policy, false)
}

fn extreme_mask(outcomes: &[Vec<f64>], direction: Direction, policy: usize, best: bool) -> UqResult<Vec<bool>> {
    let policies = check(outcomes)?;
    if policy >= policies {
        return Err(invalid!("policy {policy} is out of range: there are {policies}"));
    }
    Ok(outcomes
        .iter()
        .map(|row| {
            let mine = direction.loss(row[policy]);
            row.iter().all(|&o| {
                if best {
                    mine <= direction.loss(o)
                } else {
                    mine >= direction.loss(o)
                }
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four futures, three policies, lower is better; every number below is worked by hand.
    fn matrix() -> Vec<Vec<f64>> {
        vec![vec![1.0, 2.0, 3.0], vec![2.0, 1.0, 3.0], vec![3.0, 2.0, 1.0], vec![1.0, 3.0, 2.0]]
    }

    #[test]
    fn hand_computed_small_matrix() {
        let r = robustness(&matrix(), Direction::LowerIsBetter).unwrap();
        let best: Vec<f64> = r.policies.iter().map(|p| p.probability_best).collect();
        assert_eq!(best, vec![0.5, 0.25, 0.25]);
        let worst: Vec<f64> = r.policies.iter().map(|p| p.probability_worst).collect();
        assert_eq!(worst, vec![0.25, 0.25, 0.5]);
        let mean_regret: Vec<f64> = r.policies.iter().map(|p| p.mean_regret).collect();
        assert_eq!(mean_regret, vec![0.75, 1.0, 1.25]);
        assert!(r.policies.iter().all(|p| p.max_regret == 2.0));
        assert_eq!(r.regret[2], vec![2.0, 1.0, 0.0]);
        assert_eq!(r.reference_order, vec![0, 1, 2]);
        assert_eq!(r.win_share[0][1], 0.5);
        assert_eq!(r.win_share[2][0], 0.25);
        assert_eq!(r.flip_frequency[0][1], 0.5);
        assert_eq!(r.flip_frequency[0][2], 0.25);
        assert_eq!(r.flip_frequency[2][0], 0.25);
        assert_eq!(r.flip_frequency[1][2], 0.5);
        assert_eq!(
            best_policy_mask(&matrix(), Direction::LowerIsBetter, 0).unwrap(),
            vec![true, false, false, true]
        );
        assert_eq!(
            worst_policy_mask(&matrix(), Direction::LowerIsBetter, 2).unwrap(),
            vec![true, true, false, false]
        );
    }

    #[test]
    fn higher_is_better_mirrors_and_ties_share_credit() {
        let negated: Vec<Vec<f64>> = matrix().iter().map(|r| r.iter().map(|x| -x).collect()).collect();
        let r = robustness(&negated, Direction::HigherIsBetter).unwrap();
        assert_eq!(r.policies[0].probability_best, 0.5);
        assert_eq!(r.policies[2].mean_regret, 1.25);
        let tied = robustness(&[vec![1.0, 1.0, 2.0]], Direction::LowerIsBetter).unwrap();
        assert_eq!(tied.policies[0].probability_best, 0.5);
        assert_eq!(tied.policies[1].probability_best, 0.5);
        assert_eq!(tied.flip_frequency[0][1], 0.0);
    }

    #[test]
    fn bad_matrices_are_errors() {
        assert!(robustness(&[], Direction::LowerIsBetter).is_err());
        assert!(robustness(&[vec![]], Direction::LowerIsBetter).is_err());
        assert!(robustness(&[vec![1.0, 2.0], vec![1.0]], Direction::LowerIsBetter).is_err());
        assert!(robustness(&[vec![f64::NAN]], Direction::LowerIsBetter).is_err());
        assert!(best_policy_mask(&matrix(), Direction::LowerIsBetter, 3).is_err());
    }
}
