//! Paired comparisons of arms (policies, mandates, alternative scenarios) run with common random
//! numbers: each arm's mean, and the paired difference against the first arm, absolute and
//! relative, each with a seeded percentile bootstrap 95 % interval (the one convention of every
//! report: see [`crate::stats::bootstrap_mean_ci_at`]); and the words and number formats that
//! the comparison and the what-if print, so that both say the same thing the same way.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Result};
use crate::output::csv::record_line;
use crate::rng::Streams;
pub use crate::stats::BOOTSTRAP_RESAMPLES;
use crate::stats::{bootstrap_mean_ci_at, bootstrap_paired, summarize};

use super::design::read_design;

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
    /// Bootstrap 95 % CI of the mean, low.
    pub ci_low: f64,
    /// Bootstrap 95 % CI of the mean, high.
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
    /// Why a relative field is empty (empty when all three are numbers).
    pub rel_note: String,
    /// Share of the bootstrap resamples whose reference mean is 0.
    pub base_zero_share: f64,
    /// Whether the difference's interval includes zero (within noise).
    pub within_noise: bool,
}

/// Header of `comparison.csv`. Every interval is a percentile bootstrap 95 % interval (`boot`
/// in the name): of the arm's mean, and of the paired difference and relative change against
/// the first arm.
pub const COMPARISON_HEADER: [&str; 14] = [
    "outcome",
    "arm",
    "n",
    "mean",
    "boot_ci95_low",
    "boot_ci95_high",
    "diff",
    "diff_boot_ci95_low",
    "diff_boot_ci95_high",
    "relative_diff",
    "relative_boot_ci95_low",
    "relative_boot_ci95_high",
    "relative_note",
    "within_noise",
];

/// Reads `dir/outcomes.csv` of a comparison, writes `dir/comparison.csv` and returns its rows.
///
/// # Errors
/// Read or write errors.
pub fn write_comparison(dir: &Path, seed: u64) -> Result<Vec<ComparisonRow>> {
    let rows = analyse(dir, seed)?;
    let mut text = record_line(&COMPARISON_HEADER);
    for r in &rows {
        let num = |x: f64| format!("{x}");
        // An undefined or unbounded relative change: an empty field (its reason in
        // `relative_note`), never `NaN` or `inf`.
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
            r.rel_note.clone(),
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
    /// Bootstrap 95 % CI of the relative difference, low (-inf when unbounded below).
    pub rel_low: f64,
    /// Bootstrap 95 % CI of the relative difference, high (+inf when unbounded above).
    pub rel_high: f64,
    /// Share of the bootstrap resamples whose base mean is 0.
    pub base_zero_share: f64,
}

impl Paired {
    /// Whether the difference's interval includes zero.
    #[must_use]
    pub fn within_noise(&self) -> bool {
        self.diff_low <= 0.0 && self.diff_high >= 0.0
    }

    /// No difference (the reference arm against itself).
    #[must_use]
    pub fn none() -> Self {
        Self {
            diff: 0.0,
            diff_low: 0.0,
            diff_high: 0.0,
            rel: 0.0,
            rel_low: 0.0,
            rel_high: 0.0,
            base_zero_share: 0.0,
        }
    }

    /// Why the relative change or its interval is not a number, in the words both the CSV files
    /// and the printed tables use; `None` when all three are numbers.
    #[must_use]
    pub fn relative_note(&self) -> Option<String> {
        if !self.rel.is_finite() {
            Some("reference mean 0".into())
        } else if !(self.rel_low.is_finite() && self.rel_high.is_finite()) {
            Some(format!(
                "reference mean 0 in {} of bootstrap resamples",
                percent_unsigned(self.base_zero_share)
            ))
        } else {
            None
        }
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
    let b = bootstrap_paired(base, arm, BOOTSTRAP_RESAMPLES, seed, stream);
    let rel = if base_mean != 0.0 { diff / base_mean } else { f64::NAN };
    Paired {
        diff,
        diff_low: b.diff_low,
        diff_high: b.diff_high,
        rel,
        rel_low: if rel.is_finite() { b.rel_low } else { f64::NAN },
        rel_high: if rel.is_finite() { b.rel_high } else { f64::NAN },
        base_zero_share: b.base_zero_share,
    }
}

/// The bootstrap stream of outcome `k` (column order) and arm `a`, shared by every report of a
/// comparison so that they agree: the paired difference draws at position 0, the arm's mean at
/// [`MEAN_POSITION`].
#[must_use]
pub fn stream_of(k: usize, a: usize) -> u64 {
    (k * 1000 + a) as u64
}

/// Stream position of the bootstrap of an arm's mean (apart from its paired difference's).
pub const MEAN_POSITION: u32 = 1;

/// The bootstrap 95 % interval of the mean of arm `a`'s values of outcome `k`.
#[must_use]
pub fn mean_interval(streams: &Streams, values: &[f64], k: usize, a: usize) -> (f64, f64) {
    bootstrap_mean_ci_at(streams, values, BOOTSTRAP_RESAMPLES, stream_of(k, a), MEAN_POSITION)
}

/// Computes the comparison from `dir/outcomes.csv` and `dir/design.csv`.
///
/// # Errors
/// Read errors or a malformed file.
pub fn analyse(dir: &Path, seed: u64) -> Result<Vec<ComparisonRow>> {
    let ArmValues { arms, outcomes, values } = read_outcomes(dir)?;
    let mut rows = Vec::new();
    let mut scratch = Vec::new();
    let streams = Streams::new(seed);
    for (k, name) in outcomes.iter().enumerate() {
        let base = &values[0][k];
        for (a, arm) in arms.iter().enumerate() {
            let v = &values[a][k];
            let s = summarize(v, &mut scratch);
            let p = if a == 0 {
                Paired::none()
            } else {
                paired(base, v, seed, stream_of(k, a))
            };
            let (ci_low, ci_high) = mean_interval(&streams, v, k, a);
            rows.push(ComparisonRow {
                outcome: name.clone(),
                arm: arm.clone(),
                n: s.n,
                mean: s.mean,
                ci_low,
                ci_high,
                diff: p.diff,
                diff_low: p.diff_low,
                diff_high: p.diff_high,
                rel: p.rel,
                rel_low: p.rel_low,
                rel_high: p.rel_high,
                rel_note: p.relative_note().unwrap_or_default(),
                base_zero_share: p.base_zero_share,
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

/// Formats a number for people: thousands separators from 100 up, otherwise three significant
/// digits with trailing zeros dropped (`1,240`, `12.3`, `0.0193`, `0`); `n/a` for no number.
#[must_use]
pub fn human(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let a = x.abs();
    if a >= 99.95 {
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
        return if v < 0 { format!("-{out}") } else { out };
    }
    if a == 0.0 {
        return "0".into();
    }
    #[expect(clippy::cast_possible_truncation, reason = "a small exponent")]
    let decimals = (2 - a.log10().floor() as i32).clamp(0, 9) as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// A share as a percentage without sign, with as many decimals as it takes not to round a
/// non-zero share to 0 (`30 %`, `0.4 %`, `0.03 %`).
fn percent_unsigned(x: f64) -> String {
    let a = (100.0 * x).abs();
    let decimals = if a >= 0.95 {
        0
    } else if a >= 0.095 {
        1
    } else {
        2
    };
    format!("{a:.decimals$} %")
}

/// A relative change as a signed percentage: whole percent from 1 % up, one or two decimals
/// below, so that a change of +0.3 % never reads `+0 %` (`-30 %`, `+0.3 %`, `0 %`); `n/a` for
/// no number.
#[must_use]
pub fn percent(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let s = percent_unsigned(x);
    if s.trim_end_matches(" %").chars().all(|c| c == '0' || c == '.') {
        return "0 %".into();
    }
    format!("{}{s}", if x < 0.0 { "-" } else { "+" })
}

/// A difference with its sign (`+12`, `-0.5`, `0`).
#[must_use]
pub fn signed(x: f64) -> String {
    let s = human(x);
    if x > 0.0 && s != "0" { format!("+{s}") } else { s }
}

/// The paired difference in words: `difference +5, 95 % CI +1 to +9`.
#[must_use]
pub fn difference_words(p: &Paired) -> String {
    format!(
        "difference {}, 95 % CI {} to {}",
        signed(p.diff),
        signed(p.diff_low),
        signed(p.diff_high)
    )
}

/// The relative change in words, the same in every printed report: `-30 %, 95 % CI -36 % to
/// -24 %`; an undefined part is `n/a` with its reason (`relative change n/a (reference mean 0)`,
/// `+14 %, 95 % CI n/a (reference mean 0 in 3.1 % of bootstrap resamples)`).
#[must_use]
pub fn relative_words(p: &Paired) -> String {
    match p.relative_note() {
        None => format!("{}, 95 % CI {} to {}", percent(p.rel), percent(p.rel_low), percent(p.rel_high)),
        Some(why) if !p.rel.is_finite() => format!("relative change n/a ({why})"),
        Some(why) => format!("{}, 95 % CI n/a ({why})", percent(p.rel)),
    }
}

impl ComparisonRow {
    /// The row's paired difference against the reference arm.
    #[must_use]
    pub fn paired(&self) -> Paired {
        Paired {
            diff: self.diff,
            diff_low: self.diff_low,
            diff_high: self.diff_high,
            rel: self.rel,
            rel_low: self.rel_low,
            rel_high: self.rel_high,
            base_zero_share: self.base_zero_share,
        }
    }
}

/// A readable table of the headline outcomes: each arm's mean [bootstrap 95 % CI] and its
/// paired change against the first arm, absolute and relative.
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
        "{} replicates per arm, common random numbers; means with a bootstrap 95 % CI; change vs `{}` with a paired bootstrap 95 % CI ({} resamples)",
        n,
        arms.first().unwrap_or(&""),
        human(BOOTSTRAP_RESAMPLES as f64)
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
                let p = r.paired();
                write!(line, "   {}; {}", difference_words(&p), relative_words(&p)).expect("String");
                if r.within_noise {
                    line.push_str(": within noise");
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
    fn numbers_and_percentages_read_well() {
        assert_eq!(human(1240.4), "1,240");
        assert_eq!(human(-1_234_567.0), "-1,234,567");
        assert_eq!(human(12.34), "12.3");
        assert_eq!(human(12.0), "12");
        assert_eq!(human(0.1234), "0.123");
        assert_eq!(human(0.019_34), "0.0193");
        assert_eq!(human(0.0), "0");
        assert_eq!(human(-3.25), "-3.25");
        assert_eq!(percent(-0.3), "-30 %");
        assert_eq!(percent(0.061), "+6 %");
        assert_eq!(percent(0.003), "+0.3 %", "never +0 % for a change that is not 0");
        assert_eq!(percent(-0.0004), "-0.04 %");
        assert_eq!(percent(0.0097), "+1 %");
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(percent(f64::NAN), "n/a");
    }

    #[test]
    fn undefined_relative_changes_say_n_a_and_why_in_one_wording() {
        let from_zero = paired(&[0.0, 0.0, 0.0], &[1.0, 0.0, 2.0], 1, 0);
        assert_eq!(from_zero.relative_note().as_deref(), Some("reference mean 0"));
        assert_eq!(relative_words(&from_zero), "relative change n/a (reference mean 0)");
        assert!(difference_words(&from_zero).starts_with("difference +1, 95 % CI 0 to +"));
        let sometimes_zero = paired(&[0.0, 0.0, 0.0, 0.0, 0.0, 4.0], &[1.0, 1.0, 1.0, 1.0, 1.0, 5.0], 1, 0);
        let words = relative_words(&sometimes_zero);
        assert!(words.starts_with("+150 %, 95 % CI n/a (reference mean 0 in "), "{words}");
        assert!(words.ends_with(" of bootstrap resamples)"), "{words}");
        let defined = paired(&[10.0, 12.0, 8.0], &[5.0, 6.0, 4.0], 1, 0);
        assert_eq!(defined.relative_note(), None);
        assert_eq!(relative_words(&defined), "-50 %, 95 % CI -50 % to -50 %");
    }
}
