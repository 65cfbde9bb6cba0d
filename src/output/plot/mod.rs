//! Figures from finished output directories: time series, the human-security panel, strategy
//! comparisons, sweep heatmaps and simplex views, and maps, as SVG (for papers, text kept as text)
//! and PNG (for slides, at 2.5× or 2× the SVG's size).
//!
//! [`plot_dir`] reads only the files of a directory whose `manifest.json` says it is complete,
//! and writes only into its `figures/` subdirectory. This module must not run simulations, change
//! data files or print: every problem (a missing column, an unknown indicator, a malformed value)
//! comes back as a [`crate::Error`].
//!
//! Submodules: `data` (reading the CSV files), `style` (fonts, sizes, colours, number formats),
//! `draw` (shared drawing pieces: headers, legends, line panels, colour bars), and one module per
//! figure family (`series`, `compare`, `sweep`, `map`, `whatif`).

mod compare;
mod data;
mod draw;
mod map;
mod series;
mod style;
mod sweep;
mod whatif;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::output::require_complete;

pub use whatif::{WhatIfText, plot_whatif};

/// An output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// Scalable vector graphics, with text as text (for papers).
    Svg,
    /// Portable network graphics at 2.5× (single-column figures) or 2× the SVG's size (for slides).
    Png,
}

impl Format {
    /// File extension, without the dot.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Self::Svg => "svg",
            Self::Png => "png",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "svg" => Ok(Self::Svg),
            "png" => Ok(Self::Png),
            other => Err(Error::Usage(format!("unknown figure format `{other}`: use `svg` or `png`"))),
        }
    }
}

/// What to draw. [`PlotOptions::default`] gives the headline figures in both formats.
#[derive(Debug, Clone)]
pub struct PlotOptions {
    /// National indicators to draw over time (columns of `timeseries.csv`, plus the derived
    /// `civilian_fatalities` (all perpetrators and crossfire, per tick) and `<indicator>_cumulative`
    /// (running total)). Empty means [`PlotOptions::HEADLINE_INDICATORS`]; of the headline list,
    /// indicators a directory lacks are skipped, while any other name must exist.
    pub indicators: Vec<String>,
    /// Formats to write. Empty means SVG and PNG.
    pub formats: Vec<Format>,
    /// Locality indicator that colours the map (a column of `localities.csv`); default `af_m0`.
    pub map_indicator: Option<String>,
    /// Tick of the map; default the last tick with locality rows.
    pub map_tick: Option<u32>,
    /// Ticks of the small-multiples map strip; empty means four evenly spaced ticks.
    pub map_ticks: Vec<u32>,
    /// Outcome shown by sweep heatmaps and simplex views (a column of `outcomes.csv`); default
    /// `civilian_fatalities`, or the first outcome present.
    pub outcome: Option<String>,
    /// Outcomes in the comparison's difference chart; empty means every outcome except the
    /// mission's inputs (spending and troops), skipping those with no defined relative change.
    pub comparison_outcomes: Vec<String>,
    /// Pillar whose weight splits a simplex sweep into panels (`protection`, `health`, `economic`
    /// or `empowerment`); default `empowerment`.
    pub simplex_facet: Option<String>,
}

impl PlotOptions {
    /// The default time-series indicators.
    pub const HEADLINE_INDICATORS: &'static [&'static str] = &[
        "civilian_fatalities_cumulative",
        "af_m0",
        "displaced",
        "epidemic_infectious",
        "trust_in_mission",
    ];
    /// The default map indicator.
    pub const DEFAULT_MAP_INDICATOR: &'static str = "af_m0";
    /// The default sweep outcome.
    pub const DEFAULT_OUTCOME: &'static str = "civilian_fatalities";

    fn indicators(&self) -> Vec<String> {
        if self.indicators.is_empty() {
            Self::HEADLINE_INDICATORS.iter().map(|s| (*s).to_string()).collect()
        } else {
            self.indicators.clone()
        }
    }

    fn formats(&self) -> Vec<Format> {
        let mut f = if self.formats.is_empty() {
            vec![Format::Svg, Format::Png]
        } else {
            self.formats.clone()
        };
        f.sort_unstable();
        f.dedup();
        f
    }
}

impl Default for PlotOptions {
    fn default() -> Self {
        Self {
            indicators: Self::HEADLINE_INDICATORS.iter().map(|s| (*s).to_string()).collect(),
            formats: vec![Format::Svg, Format::Png],
            map_indicator: None,
            map_tick: None,
            map_ticks: Vec::new(),
            outcome: None,
            comparison_outcomes: Vec::new(),
            simplex_facet: None,
        }
    }
}

/// Where figures go and in which formats.
pub(crate) struct Ctx {
    /// `dir/figures`.
    pub out: PathBuf,
    /// Formats to write.
    pub formats: Vec<Format>,
    /// Files written so far.
    pub written: Vec<PathBuf>,
}

/// Draws the figures of a complete output directory into `dir/figures/` and returns the files
/// written, in order.
///
/// The directory's kind comes from its manifest:
/// - `run`: time series, the human-security panel, a map and a map strip (a classic model's run,
///   without human-security columns, gets a time series of each column);
/// - `ensemble`: time series (mean and 95 % CI band) and the human-security panel;
/// - `comparison`: the arms' series overlaid, the human-security panel per arm, and a
///   dot-and-interval chart of the paired relative differences;
/// - `whatif`: as a comparison, plus the what-if figure (`whatif.svg`, `whatif.png`);
/// - `sweep`: a heatmap (two factors), an effect chart (one factor) and, for policy-weight
///   designs, a simplex view of the chosen outcome.
///
/// # Errors
/// [`Error::Output`] if the manifest is missing or incomplete, the kind cannot be plotted, or a
/// file lacks a needed column; [`Error::Usage`] for an unknown indicator, outcome or pillar name
/// (with a suggestion when one is close); [`Error::Read`], [`Error::Parse`] and [`Error::Write`]
/// for unreadable inputs and unwritable figures.
pub fn plot_dir(dir: &Path, options: &PlotOptions) -> Result<Vec<PathBuf>> {
    let manifest = require_complete(dir)?;
    style::ensure_font()?;
    let out = dir.join("figures");
    let mut ctx = Ctx {
        out,
        formats: options.formats(),
        written: Vec::new(),
    };
    let indicators = options.indicators();
    let is_default = options.indicators.is_empty()
        || options
            .indicators
            .iter()
            .map(String::as_str)
            .eq(PlotOptions::HEADLINE_INDICATORS.iter().copied());
    match manifest.kind.as_str() {
        "run" => {
            let run = series::RunData::load(dir, &indicators, is_default)?;
            let maps = map::MapData::load(dir, options)?;
            create_out(&ctx)?;
            series::plot_run(&mut ctx, &run, &manifest)?;
            if let Some(maps) = maps {
                map::plot_maps(&mut ctx, &maps)?;
            }
        }
        "ensemble" | "comparison" | "whatif" => {
            map::check_indicator(options)?;
            let kind = if manifest.kind == "ensemble" { "ensemble" } else { "comparison" };
            let data = series::ReplicatedData::load(dir, &indicators, is_default, kind)?;
            let diffs = if kind == "comparison" {
                Some(compare::Differences::load(dir, options)?)
            } else {
                None
            };
            create_out(&ctx)?;
            series::plot_replicated(&mut ctx, &data)?;
            if let Some(d) = diffs {
                compare::plot_differences(&mut ctx, &d)?;
            }
            if manifest.kind == "whatif" {
                let text: WhatIfText = manifest
                    .details
                    .get("whatif")
                    .cloned()
                    .and_then(|v| serde_json::from_value(v).ok())
                    .ok_or_else(|| Error::Output {
                        path: dir.join("manifest.json"),
                        message: "a what-if manifest without its `whatif` details: not written by this version of peacesim?".into(),
                    })?;
                ctx.written.extend(plot_whatif(dir, &ctx.formats, &text)?);
            }
        }
        "sweep" => {
            map::check_indicator(options)?;
            let sweep = sweep::SweepData::load(dir, options)?;
            create_out(&ctx)?;
            sweep::plot_sweep(&mut ctx, &sweep)?;
        }
        other => {
            return Err(Error::Output {
                path: dir.to_path_buf(),
                message: format!(
                    "cannot draw figures for a `{other}` directory: figures are drawn for run, ensemble, comparison, what-if and sweep directories"
                ),
            });
        }
    }
    Ok(ctx.written)
}

fn create_out(ctx: &Ctx) -> Result<()> {
    fs::create_dir_all(&ctx.out).map_err(|source| Error::Write {
        path: ctx.out.clone(),
        source,
    })
}

/// An unknown-name error, with a suggestion when a candidate is close.
pub(crate) fn unknown(what: &str, name: &str, candidates: &[&str], hint: &str) -> Error {
    let suggestion = crate::scenario::document::closest(name, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default();
    Error::Usage(format!("unknown {what} `{name}`{suggestion}; {hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_default_to_both() {
        assert_eq!("SVG".parse::<Format>().unwrap(), Format::Svg);
        assert!("pdf".parse::<Format>().unwrap_err().to_string().contains("`pdf`"));
        let o = PlotOptions {
            formats: Vec::new(),
            indicators: Vec::new(),
            ..PlotOptions::default()
        };
        assert_eq!(o.formats(), vec![Format::Svg, Format::Png]);
        assert_eq!(o.indicators().len(), PlotOptions::HEADLINE_INDICATORS.len());
    }

    #[test]
    fn unknown_names_get_suggestions() {
        let e = unknown("indicator", "af_mo", &["af_m0", "displaced"], "see `peacesim indicators`").to_string();
        assert!(e.contains("unknown indicator `af_mo` (did you mean `af_m0`?)"), "{e}");
    }
}
