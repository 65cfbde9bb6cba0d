//! What every figure family shares: the formats, the options of a plot, where figures go
//! ([`Ctx`]), and the unknown-name error with its suggestion.
//!
//! The bottom of `plot/`: the figure modules and `plot_dir` import it; it must not draw or read
//! data files.

use std::fmt;
use std::fs;
use std::path::PathBuf;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::scenario::document::closest;

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

    pub(super) fn indicators(&self) -> Vec<String> {
        if self.indicators.is_empty() {
            Self::HEADLINE_INDICATORS.iter().map(|s| (*s).to_string()).collect()
        } else {
            self.indicators.clone()
        }
    }

    pub(super) fn formats(&self) -> Vec<Format> {
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

/// Creates `dir/figures` before a figure family writes into it.
pub(crate) fn create_out(ctx: &Ctx) -> Result<()> {
    fs::create_dir_all(&ctx.out).map_err(|source| Error::Write {
        path: ctx.out.clone(),
        source,
    })
}

/// An unknown-name error, with a suggestion when a candidate is close.
pub(crate) fn unknown(what: &str, name: &str, candidates: &[&str], hint: &str) -> Error {
    let suggestion = closest(name, candidates)
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
