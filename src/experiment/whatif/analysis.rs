//! The numbers of a what-if: each headline outcome's mean in both arms with its 95 % interval,
//! the paired difference and relative change with their bootstrap intervals, and a verdict.
//!
//! Reads only `outcomes.csv` and `design.csv` of a directory whose runs are complete; it must
//! not format text or write files.

use std::path::Path;

use crate::error::{Error, Result};
use crate::experiment::compare::{Paired, mean_interval, paired, read_outcomes, stream_of};
use crate::output::headline::{Headline, headline_for};
use crate::rng::Streams;
use crate::stats::summarize;

/// What the change did to an outcome, judged by the difference's 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The whole interval is below zero.
    Lower,
    /// The whole interval is above zero.
    Higher,
    /// The interval includes zero.
    WithinNoise,
}

impl Verdict {
    /// Judges a paired difference.
    #[must_use]
    pub fn of(p: &Paired) -> Self {
        if p.diff_high < 0.0 {
            Self::Lower
        } else if p.diff_low > 0.0 {
            Self::Higher
        } else {
            Self::WithinNoise
        }
    }

    /// As written in `whatif.csv`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lower => "lower",
            Self::Higher => "higher",
            Self::WithinNoise => "within noise",
        }
    }
}

/// The statistics of one outcome in both arms.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Replicate pairs.
    pub n: usize,
    /// As-is mean and its bootstrap 95 % interval (low, high).
    pub as_is: (f64, f64, f64),
    /// What-if mean and its bootstrap 95 % interval (low, high).
    pub what_if: (f64, f64, f64),
    /// Paired difference (what if - as is), relative change (what-if mean / as-is mean - 1),
    /// and their paired bootstrap 95 % intervals.
    pub paired: Paired,
    /// Lower, higher or within noise.
    pub verdict: Verdict,
}

impl Change {
    /// Computes the statistics of replicate pairs (`as_is[i]` and `what_if[i]` share a seed) of
    /// outcome `k`, with the bootstrap streams `comparison.csv` uses for that outcome.
    #[must_use]
    pub fn of(as_is: &[f64], what_if: &[f64], seed: u64, k: usize) -> Self {
        let mut scratch = Vec::new();
        let a = summarize(as_is, &mut scratch);
        let w = summarize(what_if, &mut scratch);
        let p = paired(as_is, what_if, seed, stream_of(k, 1));
        let streams = Streams::new(seed);
        let (a_low, a_high) = mean_interval(&streams, as_is, k, 0);
        let (w_low, w_high) = mean_interval(&streams, what_if, k, 1);
        Self {
            n: a.n.min(w.n),
            as_is: (a.mean, a_low, a_high),
            what_if: (w.mean, w_low, w_high),
            paired: p,
            verdict: Verdict::of(&p),
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The outcome.
    pub headline: Headline,
    /// Its statistics.
    pub change: Change,
}

/// The report's numbers: the headline outcomes of a finished what-if directory, and the
/// headline outcomes left out because they are zero in every replicate of both arms.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Outcomes shown, in headline order.
    pub rows: Vec<Row>,
    /// Outcomes left out (zero everywhere).
    pub zero: Vec<Headline>,
}

/// Reads `dir/outcomes.csv` and computes the headline statistics. The bootstrap stream of each
/// outcome is the one `comparison.csv` uses, so both files agree.
///
/// # Errors
/// Read errors, a malformed file, or a directory that is not a two-arm comparison.
pub fn analyse(dir: &Path, seed: u64, model: &str) -> Result<Analysis> {
    let data = read_outcomes(dir)?;
    if data.arms.len() != 2 {
        return Err(Error::Output {
            path: dir.join("design.csv"),
            message: format!("a what-if has two arms, found {}", data.arms.len()),
        });
    }
    let mut rows = Vec::new();
    let mut zero = Vec::new();
    for h in headline_for(model) {
        let Some(k) = data.outcomes.iter().position(|o| o == h.outcome) else {
            continue;
        };
        let (a, w) = (&data.values[0][k], &data.values[1][k]);
        if a.iter().chain(w).all(|v| *v == 0.0) {
            zero.push(*h);
            continue;
        }
        rows.push(Row {
            headline: *h,
            change: Change::of(a, w, seed, k),
        });
    }
    Ok(Analysis { rows, zero })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proportional_change_has_that_relative_change_and_a_tight_interval() {
        let as_is = [100.0, 200.0, 300.0, 400.0, 500.0];
        let what_if: Vec<f64> = as_is.iter().map(|x| x * 0.7).collect();
        let c = Change::of(&as_is, &what_if, 42, 0);
        assert_eq!(c.n, 5);
        assert!((c.as_is.0 - 300.0).abs() < 1e-9 && (c.what_if.0 - 210.0).abs() < 1e-9);
        assert!((c.paired.diff + 90.0).abs() < 1e-9);
        assert!((c.paired.rel + 0.3).abs() < 1e-12, "{:?}", c.paired);
        // Every resample of pairs has what-if = 0.7 × as-is, so the relative interval is a point.
        assert!((c.paired.rel_low + 0.3).abs() < 1e-12 && (c.paired.rel_high + 0.3).abs() < 1e-12);
        // The difference's interval spans the resampled means of -0.3 × as-is.
        assert!(c.paired.diff_low < -90.0 && c.paired.diff_high > -90.0 && c.paired.diff_high < 0.0);
        assert_eq!(c.verdict, Verdict::Lower);
        assert_eq!(
            Change::of(&as_is, &what_if, 42, 0),
            c,
            "seeded: the same numbers give the same intervals"
        );
    }
    #[test]
    fn the_relative_change_is_of_the_means_not_the_mean_of_ratios() {
        // Ratios 2 and 2/3 average 4/3, but the means are equal: no change.
        let c = Change::of(&[1.0, 3.0], &[2.0, 2.0], 1, 0);
        assert!(c.paired.rel.abs() < 1e-12, "{:?}", c.paired);
        assert_eq!(c.verdict, Verdict::WithinNoise);
        // A constant shift: the difference's interval is that shift exactly.
        let c = Change::of(&[10.0, 20.0, 30.0], &[12.0, 22.0, 32.0], 1, 0);
        assert!((c.paired.diff_low - 2.0).abs() < 1e-12 && (c.paired.diff_high - 2.0).abs() < 1e-12);
        assert!((c.paired.rel - 0.1).abs() < 1e-12);
        // Relative bounds come from resampled means: (22 + 22 + 32)/(20 + 20 + 30) - 1 etc.
        assert!(c.paired.rel_low >= 2.0 / 30.0 - 1e-12 && c.paired.rel_high <= 2.0 / 10.0 + 1e-12);
        assert_eq!(c.verdict, Verdict::Higher);
    }
    #[test]
    fn identical_arms_are_within_noise_with_zero_differences() {
        let v = [5.0, 7.0, 9.0];
        let c = Change::of(&v, &v, 3, 0);
        assert_eq!(
            (c.paired.diff, c.paired.diff_low, c.paired.diff_high, c.paired.rel),
            (0.0, 0.0, 0.0, 0.0)
        );
        assert_eq!(c.verdict, Verdict::WithinNoise);
    }
}
