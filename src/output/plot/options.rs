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
    /// Portable network graphics: 2,000 pixels wide (screen style) or a journal column at 300 dpi
    /// (paper style), the DPI written in the file.
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

/// How a figure is dressed: for the screen (a title and a caption in the image) or for a paper
/// (no title or caption, which the paper's own caption replaces; sized for a journal column; the
/// DPI written into the PNG).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// Title and caption drawn in the image; PNG 2,000 pixels wide for slides.
    #[default]
    Screen,
    /// No title or caption; axis labels in words; one or two journal columns wide at 300 dpi.
    Paper,
}

impl FromStr for Style {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "screen" => Ok(Self::Screen),
            "paper" => Ok(Self::Paper),
            other => Err(Error::Usage(format!("unknown figure style `{other}`: use `screen` or `paper`"))),
        }
    }
}

/// The printed width of a paper-style figure: one or two columns of a journal page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Width {
    /// One column, 85 mm: within one column of A&A (88 mm) [AA-figures] and Elsevier's journals
    /// (90 mm) [Elsevier-artwork]; assumption: other journals' columns are as wide or wider.
    #[default]
    Single,
    /// Two columns, 178 mm: within the full page width of A&A (180 mm) and Elsevier (190 mm);
    /// same assumption.
    Double,
}

impl Width {
    /// Printed width in millimetres.
    #[must_use]
    pub fn millimetres(self) -> f64 {
        match self {
            Self::Single => 85.0,
            Self::Double => 178.0,
        }
    }

    /// Width the figure is laid out at, in SVG units: text sizes (17 units for ticks) then print
    /// at about 8.5 pt in both widths.
    #[must_use]
    pub fn layout_units(self) -> u32 {
        match self {
            Self::Single => 480,
            Self::Double => 1000,
        }
    }

    /// Width of the PNG in pixels at [`PAPER_DPI`].
    #[must_use]
    pub fn pixels(self) -> u32 {
        (self.millimetres() / 25.4 * f64::from(PAPER_DPI)).round() as u32
    }
}

impl FromStr for Width {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "single" | "1" => Ok(Self::Single),
            "double" | "2" => Ok(Self::Double),
            other => Err(Error::Usage(format!(
                "unknown figure width `{other}`: use `single` (one journal column, 85 mm) or `double` (two columns, 178 mm)"
            ))),
        }
    }
}

/// How figures look: the style and, for the paper style, the column width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Look {
    /// Screen or paper.
    pub style: Style,
    /// Printed width of paper-style figures (ignored by the screen style).
    pub width: Width,
}

impl Look {
    /// The paper style at `width`.
    #[must_use]
    pub fn paper(width: Width) -> Self {
        Self {
            style: Style::Paper,
            width,
        }
    }

    /// Whether figures are dressed for a paper.
    #[must_use]
    pub fn is_paper(self) -> bool {
        self.style == Style::Paper
    }
}

/// Resolution of paper-style PNGs, dots per inch: the least journals accept for images
/// [Elsevier-artwork] (they ask 500 to 1,000 dpi of bitmapped line art, which is why a paper
/// should use the SVG, a vector, where the journal takes one).
pub const PAPER_DPI: u32 = 300;

/// Resolution written into screen-style PNGs (2,000 pixels wide): a nominal 144 dpi, so that an
/// office program places them at a sensible size (assumption).
pub const SCREEN_DPI: u32 = 144;

/// Width of screen-style PNGs, pixels.
pub const SCREEN_PNG_WIDTH: u32 = 2000;

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
    /// Screen or paper style, and the paper's column width.
    pub look: Look,
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
            look: Look::default(),
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
    /// Screen or paper style, and the paper's column width.
    pub look: Look,
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

/// An unknown name where the valid ones are few enough to list: names the file they come from,
/// the option, the rule and every valid name (with a suggestion when one is close).
pub(crate) fn unknown_listed(what: &str, name: &str, candidates: &[&str], file: &std::path::Path, option: &str) -> Error {
    let suggestion = closest(name, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default();
    Error::Usage(format!(
        "{}: {option} `{name}` is not {what} of this directory{suggestion}; {option} takes one of: {}",
        file.display(),
        candidates.join(", ")
    ))
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
