//! Paired comparisons of arms (policies, mandates, alternative scenarios) run with common random
//! numbers: each arm's mean with a 95 % t interval, and the paired difference against the first
//! arm with a seeded bootstrap 95 % interval, absolute and relative.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Result};
use crate::output::csv::record_line;
use crate::stats::{bootstrap_paired, summarize};

use super::design::read_design;

/// Bootstrap resamples for paired differences.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;

/// Key columns of `outcomes.csv` for a comparison: run, point, arm, spec, replicate, seed.
const KEY_COLUMNS: usize = 6;

/// One row of `comparison.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// Outcome name.
    pub outcome: String,
    /// Arm name.
    pub arm: String,
    /// Replicates.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// 95 % CI of the mean, low.
    pub ci_low: f64,
    /// 95 % CI of the mean, high.
    pub ci_high: f64,
    /// Mean paired difference against the first arm (0 for the first arm).
    pub diff: f64,
    /// Bootstrap 95 % CI of the difference, low.
    pub diff_low: f64,
    /// Bootstrap 95 % CI of the difference, high.
    pub diff_high: f64,
    /// Relative difference against the first arm's mean.
    pub rel: f64,
    /// Bootstrap 95 % CI of the relative difference, low.
    pub rel_low: f64,
    /// Bootstrap 95 % CI of the relative difference, high.
    pub rel_high: f64,
    /// Whether the difference's interval includes zero (within noise).
    pub within_noise: bool,
}

/// Reads `dir/outcomes.csv` of a comparison, writes `dir/comparison.csv` and returns its rows.
///
/// # Errors
/// Read or write errors.
pub fn write_comparison(dir: &Path, seed: u64) -> Result<Vec<ComparisonRow>> {
    let rows = analyse(dir, seed)?;
    let mut text = record_line(&[
        "outcome",
        "arm",
        "n",
        "mean",
        "ci95_low",
        "ci95_high",
        "diff",
        "diff_ci95_low",
        "diff_ci95_high",
        "relative_diff",
        "relative_ci95_low",
        "relative_ci95_high",
        "within_noise",
    ]);
    for r in &rows {
        let num = |x: f64| format!("{x}");
        // No relative change from a reference mean of 0: an empty field, not `NaN`.
        let relative = |x: f64| if x.is_finite() { format!("{x}") } else { String::new() };
        text.push_str(&record_line(&[
            r.outcome.clone(),
            r.arm.clone(),
            r.n.to_string(),
            num(r.mean),
            num(r.ci_low),
            num(r.ci_high),
            num(r.diff),
            num(r.diff_low),
            num(r.diff_high),
            relative(r.rel),
            relative(r.rel_low),
            relative(r.rel_high),
            r.within_noise.to_string(),
        ]));
    }
    let path = dir.join("comparison.csv");
    std::fs::write(&path, text).map_err(|source| Error::Write { path, source })?;
    Ok(rows)
}

/// The outcomes of a comparison directory, by arm: `values[arm][outcome][replicate]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmValues {
    /// Arm names, in design order (the first is the reference).
    pub arms: Vec<String>,
    /// Outcome names, in `outcomes.csv` order.
    pub outcomes: Vec<String>,
    /// Values per arm, outcome and replicate (replicates in run order, so paired across arms).
    pub values: Vec<Vec<Vec<f64>>>,
}

/// Reads `dir/outcomes.csv` and `dir/design.csv` of a comparison.
///
/// # Errors
/// Read errors or a malformed file.
pub fn read_outcomes(dir: &Path) -> Result<ArmValues> {
    let path = dir.join("outcomes.csv");
    let bad = |m: String| Error::Output {
        path: path.clone(),
        message: m,
    };
    let (_, labels) = read_design(&dir.join("design.csv"))?;
    let arms: Vec<String> = labels.iter().map(|l| l.first().cloned().unwrap_or_default()).collect();
    let mut reader = csv::Reader::from_path(&path).map_err(|e| bad(e.to_string()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let outcomes: Vec<String> = header.get(KEY_COLUMNS..).unwrap_or_default().to_vec();
    let mut values: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); outcomes.len()]; arms.len()];
    for rec in reader.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let point: usize = rec[1].parse().map_err(|_| bad("bad point".into()))?;
        let arm = values
            .get_mut(point)
            .ok_or_else(|| bad(format!("point {point} is not in design.csv")))?;
        for (k, v) in rec.iter().skip(KEY_COLUMNS).enumerate() {
            arm[k].push(v.parse().map_err(|_| bad(format!("not a number: `{v}`")))?);
        }
    }
    Ok(ArmValues { arms, outcomes, values })
}

/// A paired difference `arm - base` over replicate pairs, absolute and relative to the base mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// Mean paired difference (= mean of the arm - mean of the base).
    pub diff: f64,
    /// Bootstrap 95 % CI of the difference, low.
    pub diff_low: f64,
    /// Bootstrap 95 % CI of the difference, high.
    pub diff_high: f64,
    /// Relative difference: mean of the arm / mean of the base - 1 (NaN when the base mean is 0).
    pub rel: f64,
    /// Bootstrap 95 % CI of the relative difference, low (NaN when a resample's base mean is 0).
    pub rel_low: f64,
    /// Bootstrap 95 % CI of the relative difference, high.
    pub rel_high: f64,
}

impl Paired {
    /// Whether the difference's interval includes zero.
    #[must_use]
    pub fn within_noise(&self) -> bool {
        self.diff_low <= 0.0 && self.diff_high >= 0.0
    }
}

/// The paired difference of `arm` against `base` (replicates paired by position), with a
/// percentile bootstrap over replicate pairs ([`BOOTSTRAP_RESAMPLES`] resamples drawn from the
/// stream `(seed, stream)`, so the intervals are reproducible).
#[must_use]
pub fn paired(base: &[f64], arm: &[f64], seed: u64, stream: u64) -> Paired {
    let mut scratch = Vec::new();
    let base_mean = summarize(base, &mut scratch).mean;
    let diff: f64 = arm.iter().zip(base).map(|(x, b)| x - b).sum::<f64>() / arm.len().max(1) as f64;
    let (diff_low, diff_high, rel_low, rel_high) = bootstrap_paired(base, arm, BOOTSTRAP_RESAMPLES, seed, stream);
    let rel = if base_mean != 0.0 { diff / base_mean } else { f64::NAN };
    Paired {
        diff,
        diff_low,
        diff_high,
        rel,
        rel_low,
        rel_high,
    }
}

/// The bootstrap stream of outcome `k` (column order) and arm `a`, shared by every report of a
/// comparison so that they agree.
#[must_use]
pub fn stream_of(k: usize, a: usize) -> u64 {
    (k * 1000 + a) as u64
}

/// Computes the comparison from `dir/outcomes.csv` and `dir/design.csv`.
///
/// # Errors
/// Read errors or a malformed file.
pub fn analyse(dir: &Path, seed: u64) -> Result<Vec<ComparisonRow>> {
    let ArmValues { arms, outcomes, values } = read_outcomes(dir)?;
    let mut rows = Vec::new();
    let mut scratch = Vec::new();
    for (k, name) in outcomes.iter().enumerate() {
        let base = &values[0][k];
        for (a, arm) in arms.iter().enumerate() {
            let v = &values[a][k];
            let s = summarize(v, &mut scratch);
            let p = if a == 0 {
                Paired {
                    diff: 0.0,
                    diff_low: 0.0,
                    diff_high: 0.0,
                    rel: 0.0,
                    rel_low: 0.0,
                    rel_high: 0.0,
                }
            } else {
                paired(base, v, seed, stream_of(k, a))
            };
            rows.push(ComparisonRow {
                outcome: name.clone(),
                arm: arm.clone(),
                n: s.n,
                mean: s.mean,
                ci_low: s.ci_low,
                ci_high: s.ci_high,
                diff: p.diff,
                diff_low: p.diff_low,
                diff_high: p.diff_high,
                rel: p.rel,
                rel_low: p.rel_low,
                rel_high: p.rel_high,
                within_noise: a == 0 || p.within_noise(),
            });
        }
    }
    Ok(rows)
}

/// Outcomes shown in the printed table (all are in `comparison.csv`).
pub const HEADLINE: [&str; 10] = [
    "civilian_fatalities",
    "battle_deaths",
    "mean_m0",
    "peak_displaced",
    "final_in_sites",
    "epidemic_deaths",
    "deaths",
    "recruits",
    "final_trust_in_mission",
    "final_host_consent",
];

/// Formats a number for people: thousands separators for large values, 3 significant decimals for shares.
#[must_use]
pub fn human(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    if x.abs() >= 100.0 {
        #[expect(clippy::cast_possible_truncation, reason = "display only")]
        let v = x.round() as i64;
        let digits = v.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0 { format!("-{out}") } else { out }
    } else if x.abs() >= 1.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// A readable table of the headline outcomes: each arm's mean [95 % CI] and its change against the first arm.
#[must_use]
pub fn render_table(rows: &[ComparisonRow], outcomes: &[&str]) -> String {
    let mut out = String::new();
    let arms: Vec<&str> = {
        let mut v: Vec<&str> = Vec::new();
        for r in rows {
            if !v.contains(&r.arm.as_str()) {
                v.push(&r.arm);
            }
        }
        v
    };
    let n = rows.first().map_or(0, |r| r.n);
    writeln!(
        out,
        "{} replicates per arm, common random numbers; change vs `{}` with a paired bootstrap 95 % CI",
        n,
        arms.first().unwrap_or(&"")
    )
    .expect("String");
    for name in outcomes {
        let these: Vec<&ComparisonRow> = rows.iter().filter(|r| r.outcome == *name).collect();
        if these.is_empty() {
            continue;
        }
        writeln!(out, "\n{name}").expect("String");
        for r in these {
            let mut line = format!(
                "  {:<16} {:>12}  [{} to {}]",
                r.arm,
                human(r.mean),
                human(r.ci_low),
                human(r.ci_high)
            );
            if r.arm != arms[0] {
                let pct = |x: f64| {
                    if x.is_finite() {
                        format!("{:+.0} %", 100.0 * x)
                    } else {
                        "n/a".into()
                    }
                };
                write!(
                    line,
                    "   change {} ({}; 95 % CI {} to {})",
                    human(r.diff),
                    pct(r.rel),
                    pct(r.rel_low),
                    pct(r.rel_high)
                )
                .expect("String");
                if r.within_noise {
                    line.push_str("  within noise");
                }
            }
            writeln!(out, "{line}").expect("String");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(human(1240.4), "1,240");
        assert_eq!(human(-1_234_567.0), "-1,234,567");
        assert_eq!(human(12.34), "12.3");
        assert_eq!(human(0.1234), "0.123");
    }
}
