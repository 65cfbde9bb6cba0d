//! Figures from finished output directories: time series, the human-security panel, strategy
//! comparisons, sweep heatmaps and simplex views, and maps, as SVG (text kept as text) and PNG,
//! in one of two styles ([`Style`]): for the screen (title and caption in the image, PNG 2,000
//! pixels wide) or for a paper (no title, labels in words, one or two journal columns at 300 dpi).
//!
//! [`plot_dir`] reads only the files of a directory whose `manifest.json` says it is complete,
//! and writes only into its `figures/` subdirectory. This module must not run simulations, change
//! data files or print: every problem (a missing column, an unknown indicator, a malformed value)
//! comes back as a [`crate::Error`].
//!
//! Submodules: `options` (formats, plot options, where figures go), `data` (reading the CSV
//! files), `style` (fonts, sizes, colours, number formats), `draw` (shared drawing pieces:
//! headers, legends, line panels, colour bars), and one module per figure family (`series`,
//! `compare`, `sweep`, `map`, `whatif`). This file only chooses the figures of a directory.

mod compare;
mod data;
mod draw;
mod map;
mod options;
mod series;
pub(crate) use series::CIVILIAN_PARTS;
pub use series::paper_label;
mod style;
mod sweep;
pub mod uq;
mod whatif;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::output::manifest::require_complete;

use options::{Ctx, create_out};

pub use options::{Format, Look, PAPER_DPI, PlotOptions, SCREEN_DPI, SCREEN_PNG_WIDTH, Style, Width};
pub use whatif::{WhatIfText, plot_whatif};

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
        look: options.look,
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
            let data = series::ReplicatedData::load(dir, &indicators, is_default, kind, manifest.seed)?;
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
                ctx.written.extend(plot_whatif(dir, &ctx.formats, ctx.look, manifest.seed, &text)?);
            }
        }
        "sweep" => {
            map::check_indicator(options)?;
            let sweep = sweep::SweepData::load(dir, options, manifest.seed)?;
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
