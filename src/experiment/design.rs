//! What an experiment is: its kind, its design points (one scenario each), replicates, seeds
//! and the columns of its tables, and `design.csv`, which records the design beside the outputs.
//!
//! The data every part of an experiment shares (the runner that executes it, the merge that
//! joins its shards, the comparison and what-if reports that read it back); it must not run
//! anything or write any file but through the text it returns.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::output::csv::record_line;
use crate::rng::derive_seed;
use crate::scenario::Override;
use crate::spec::ModelSpec;

use super::model;
use super::whatif::setup::Setup;

/// The most replicates one command may ask for (per design point, arm or what-if pair).
pub const MAX_REPLICATES: u32 = 100_000;

/// Checks a `--replicates` count against `[least, MAX_REPLICATES]`; `why` (may be empty) is
/// said after the range, e.g. why a what-if needs two.
///
/// # Errors
/// [`Error::Usage`] outside the range.
pub fn check_replicates(n: u32, least: u32, why: &str) -> Result<()> {
    if (least..=MAX_REPLICATES).contains(&n) {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--replicates must be in [{least}, {MAX_REPLICATES}]{why}, got {n}"
        )))
    }
}

/// What kind of experiment a directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Replicates of one scenario.
    Ensemble,
    /// A design over scenario fields.
    Sweep,
    /// Arms compared with common random numbers.
    Comparison,
    /// A scenario as is against the same scenario with changes: a comparison of two arms plus
    /// `whatif.csv`, `whatif.md` and a figure (see [`super::whatif`]).
    WhatIf,
}

impl Kind {
    /// Name used in manifests.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ensemble => "ensemble",
            Self::Sweep => "sweep",
            Self::Comparison => "comparison",
            Self::WhatIf => "whatif",
        }
    }

    /// Parses a manifest kind.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ensemble" => Some(Self::Ensemble),
            "sweep" => Some(Self::Sweep),
            "comparison" => Some(Self::Comparison),
            "whatif" => Some(Self::WhatIf),
            _ => None,
        }
    }
}

/// Builds one design point's scenario: the base scenario's text with the point's overrides, and
/// the run length `ticks` if given.
///
/// # Errors
/// The scenario's problems ([`Error::Invalid`] and the like).
pub fn build_point(text: &str, file: &Path, overrides: &[Override], ticks: Option<u32>) -> Result<ModelSpec> {
    let mut s = ModelSpec::from_text(text, file, overrides)?;
    if ticks.is_some() {
        s.apply_run_overrides(None, ticks);
    }
    Ok(s)
}

/// The scenarios of an experiment's design points.
#[derive(Debug, Clone)]
pub enum Points {
    /// Each point's scenario, held (ensembles, comparisons, what-ifs: a few points).
    Held(Vec<ModelSpec>),
    /// Built when a run needs it, from the base scenario's text and the point's overrides
    /// (sweeps and the uncertainty plans: a scenario takes about 11 KB, and a plan may have a
    /// million points). Every point was built and validated once before the first run.
    Built(BuiltPoints),
}

/// Design points whose scenarios are built on demand (see [`Points::Built`]).
#[derive(Debug, Clone)]
pub struct BuiltPoints {
    /// Point 0's scenario: the columns, the network and the manifest come from it.
    pub first: Box<ModelSpec>,
    /// The base scenario's text.
    pub text: Arc<str>,
    /// The base scenario's file (for messages and the manifest).
    pub file: PathBuf,
    /// Each point's overrides.
    pub overrides: Vec<Vec<Override>>,
    /// Run length, if the plan sets it.
    pub ticks: Option<u32>,
}

impl Points {
    /// Number of design points.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Held(v) => v.len(),
            Self::Built(b) => b.overrides.len(),
        }
    }

    /// Whether there are no design points.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Point 0's scenario.
    ///
    /// # Panics
    /// If there are no points (an experiment always has one; [`super::runner`] checks).
    #[must_use]
    pub fn first(&self) -> &ModelSpec {
        match self {
            Self::Held(v) => &v[0],
            Self::Built(b) => &b.first,
        }
    }

    /// Every point's scenario in order, each built when the iterator reaches it.
    ///
    /// # Panics
    /// If a point's scenario cannot be built: it was built from the same text and overrides
    /// when the plan was validated, so it cannot fail unless that validation was skipped.
    pub fn iter(&self) -> impl Iterator<Item = Cow<'_, ModelSpec>> {
        (0..self.len()).map(|p| self.get(p).expect("every design point was validated when the plan was loaded"))
    }

    /// Point `p`'s scenario: held, or built now (the same scenario it was when validated).
    ///
    /// # Errors
    /// The scenario's problems, were the base scenario to have changed meanwhile (it is read
    /// from the text held, so it cannot).
    pub fn get(&self, p: usize) -> Result<Cow<'_, ModelSpec>> {
        match self {
            Self::Held(v) => Ok(Cow::Borrowed(&v[p])),
            Self::Built(b) if p == 0 => Ok(Cow::Borrowed(&b.first)),
            Self::Built(b) => build_point(&b.text, &b.file, &b.overrides[p], b.ticks).map(Cow::Owned),
        }
    }
}

/// An experiment: its design points (one scenario each), replicates, seeds and outputs.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// Kind.
    pub kind: Kind,
    /// Scenario of each design point.
    pub scenarios: Points,
    /// Names of the label columns that describe a point (factor paths, or `arm`).
    pub label_columns: Vec<String>,
    /// Label values of each point, rendered.
    pub labels: Vec<Vec<String>>,
    /// Replicates per point.
    pub replicates: u32,
    /// Master seed.
    pub seed: u64,
    /// Same replicate seeds at every point.
    pub common_seeds: bool,
    /// Without `common_seeds`: consecutive points that share their replicate seeds (1: every
    /// point has its own). `peacesim robust` runs every policy of a future on that future's
    /// seeds (common random numbers across policies), and other futures on other seeds.
    pub points_per_seed_group: usize,
    /// Outcomes written, in order.
    pub outcomes: Vec<String>,
    /// Write per-tick national series.
    pub series: bool,
    /// Write `summary.csv` (per point, tick and indicator statistics; needs series).
    pub summary: bool,
    /// What defines the experiment (plan and scenario hashes, design): a directory holding a
    /// different identity is never resumed into.
    pub identity: serde_json::Value,
    /// For a what-if: what the report says about the arms (written after the runs, before the manifest).
    pub whatif: Option<Setup>,
}

impl Experiment {
    /// Total runs.
    #[must_use]
    pub fn runs(&self) -> u64 {
        self.scenarios.len() as u64 * u64::from(self.replicates)
    }

    /// Seed of a run.
    #[must_use]
    pub fn seed_of(&self, point: usize, replicate: u32) -> u64 {
        let group = if self.common_seeds {
            0
        } else {
            (point / self.points_per_seed_group.max(1)) as u64
        };
        derive_seed(self.seed, group, u64::from(replicate))
    }

    /// Design point and replicate of a run (`run = point × replicates + replicate`).
    #[must_use]
    pub fn point_of(&self, run: u64) -> (usize, u32) {
        let reps = u64::from(self.replicates);
        (
            usize::try_from(run / reps).expect("point index fits usize"),
            u32::try_from(run % reps).expect("replicate fits u32"),
        )
    }

    /// Header of `outcomes.csv`.
    #[must_use]
    pub fn outcomes_header(&self) -> Vec<String> {
        let mut h = vec!["run".to_string(), "point".to_string()];
        h.extend(self.label_columns.iter().cloned());
        h.extend(["replicate".to_string(), "seed".to_string()]);
        h.extend(self.outcomes.iter().cloned());
        h
    }

    /// Header of `series.csv`: the keys of `outcomes.csv` (run, point, the point's label columns
    /// such as `arm`, replicate, seed), tick and day, then the national indicators.
    #[must_use]
    pub fn series_header(&self) -> Vec<String> {
        let mut h = vec!["run".to_string(), "point".to_string()];
        h.extend(self.label_columns.iter().cloned());
        h.extend(["replicate", "seed", "tick", "day"].map(String::from));
        h.extend(model::series_header(self.scenarios.first()));
        h
    }

    /// Header of `design.csv`.
    #[must_use]
    pub fn design_header(&self) -> Vec<String> {
        let mut h = vec!["point".to_string()];
        h.extend(self.label_columns.iter().cloned());
        h
    }
}

/// The `design.csv` text of an experiment.
#[must_use]
pub fn design_csv(exp: &Experiment) -> String {
    let mut out = record_line(&exp.design_header());
    for (p, labels) in exp.labels.iter().enumerate() {
        let mut row = vec![p.to_string()];
        row.extend(labels.iter().cloned());
        out.push_str(&record_line(&row));
    }
    out
}

/// Reads `design.csv`: label columns and each point's labels.
///
/// # Errors
/// [`Error::Output`] naming the file if it cannot be read or is malformed.
pub fn read_design(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let bad = |e: csv::Error| Error::Output {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut reader = csv::Reader::from_path(path).map_err(bad)?;
    let header: Vec<String> = reader.headers().map_err(bad)?.iter().skip(1).map(str::to_string).collect();
    let mut labels = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(bad)?;
        labels.push(rec.iter().skip(1).map(str::to_string).collect());
    }
    Ok((header, labels))
}
