//! The what-if figure, sized for a journal's single column (480 units wide, legible at 8.5 cm):
//! on top, the headline series over time in both arms (mean with a shaded 95 % confidence band:
//! cumulative civilian fatalities for the main model, active rebels for Epstein's); below, a
//! dot-and-interval chart of the relative change of each headline outcome with its paired
//! bootstrap 95 % interval, a zero line, and changes within noise drawn hollow in grey.
//!
//! Draws what `whatif.csv`, `summary.csv` and `series.csv` say; it must not recompute the
//! changes or their intervals.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::Table;
use super::draw::{self, Axes, DrawResult, Figure, LegendItem, Line, Swatch};
use super::options::{Ctx, Format, Look, create_out};
use super::series::{ReplicatedData, cut_bands};
use super::style::{self, DARK_GREY, GRID, MID_GREY, Role, Theme};
use crate::error::Result;
use crate::output::headline::{figure_series, headline_for, outcome_series};

/// What the what-if figure says besides the data (kept in the manifest to redraw it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WhatIfText {
    /// Figure title.
    pub title: String,
    /// The changes, in words.
    pub changes: Vec<String>,
    /// Model name (`peacesim` or `epstein`): which series and outcome labels to use.
    pub model: String,
    /// Replicate pairs.
    pub n: u32,
}

/// The series drawn on top: that of the headline outcome that changes most (largest relative
/// change outside the noise, then any), so an epidemic what-if shows epidemic deaths and a
/// protection what-if civilian fatalities; civilian fatalities when nothing changes.
fn headline_series(table: &Table, model: &str) -> Result<(&'static str, &'static str, &'static str)> {
    if model == "epstein" {
        return Ok(figure_series(model));
    }
    let (oc, rc, vc) = (table.col("outcome")?, table.col("relative_change")?, table.col("verdict")?);
    let mut best: Option<(bool, f64, (&'static str, &'static str, &'static str))> = None;
    for row in 0..table.len() {
        let Some(series) = outcome_series(table.text(row, oc)) else {
            continue;
        };
        let rel = table.num(row, rc)?;
        if !rel.is_finite() || rel == 0.0 {
            continue;
        }
        let key = (table.text(row, vc) != "within noise", rel.abs());
        if best.is_none_or(|(clear, size, _)| key > (clear, size)) {
            best = Some((key.0, key.1, series));
        }
    }
    Ok(best.map_or_else(|| figure_series(model), |(_, _, s)| s))
}

/// One dot of the chart.
#[derive(Debug, Clone)]
struct Dot {
    label: String,
    rel: f64,
    lo: f64,
    hi: f64,
    noise: bool,
}

/// Draws `dir/figures/whatif.<ext>` from the files of a what-if directory whose runs are
/// complete (the manifest need not be written yet); returns the files written.
///
/// # Errors
/// [`crate::Error::Output`] or [`crate::Error::Parse`] for missing or malformed files;
/// [`crate::Error::Write`] if a figure cannot be written.
/// `seed` is the what-if's master seed (the bootstrap of derived series' bands).
pub fn plot_whatif(dir: &Path, formats: &[Format], look: Look, seed: u64, text: &WhatIfText) -> Result<Vec<PathBuf>> {
    style::ensure_font()?;
    let table = Table::read(&dir.join("whatif.csv"))?;
    let (indicator, series_title, unit) = headline_series(&table, &text.model)?;
    let data = ReplicatedData::load(dir, &[indicator.to_string()], false, "comparison", seed)?;
    let mut lines = data.lines(indicator, None);
    let cut = cut_bands(&mut lines, unit);

    let (oc, rc, lc, hc, vc) = (
        table.col("outcome")?,
        table.col("relative_change")?,
        table.col("relative_boot_ci95_low")?,
        table.col("relative_boot_ci95_high")?,
        table.col("verdict")?,
    );
    let headline = headline_for(&text.model);
    let mut dots = Vec::new();
    let mut undefined = Vec::new();
    for row in 0..table.len() {
        let outcome = table.text(row, oc);
        let label = headline
            .iter()
            .find(|h| h.outcome == outcome)
            .map_or_else(|| style::prose(outcome), |h| h.short.to_string());
        let (rel, lo, hi) = (table.num(row, rc)?, table.num(row, lc)?, table.num(row, hc)?);
        // A relative change with an empty bound is unbounded on that side (`relative_note`):
        // drawn to the plot's edge with an arrow.
        let (lo, hi) = (unbounded_below(rel, lo), unbounded_above(rel, hi));
        if rel.is_finite() {
            dots.push(Dot {
                label,
                rel,
                lo,
                hi,
                noise: table.text(row, vc) == "within noise",
            });
        } else {
            undefined.push(label);
        }
    }
    let mut subtitle = vec![
        format!("What if: {}.", text.changes.join("; ")),
        format!(
            "Mean of n = {} replicate pairs (common random numbers); bands and bars: 95 % CI{}.",
            text.n,
            if cut { ", bands cut at 0" } else { "" }
        ),
    ];
    if !undefined.is_empty() {
        subtitle.push(format!(
            "Not shown (no relative change: zero as is in every replicate): {}.",
            undefined.join("; ")
        ));
    }
    let fig = WhatIfFigure {
        title: text.title.clone(),
        subtitle,
        series_title: series_title.to_string(),
        unit: unit.to_string(),
        lines,
        dots,
    };
    let mut ctx = Ctx {
        out: dir.join("figures"),
        formats: if formats.is_empty() {
            vec![Format::Svg, Format::Png]
        } else {
            formats.to_vec()
        },
        written: Vec::new(),
        look,
    };
    ctx.formats.sort_unstable();
    ctx.formats.dedup();
    create_out(&ctx)?;
    draw::render(&mut ctx, "whatif", &fig)?;
    Ok(ctx.written)
}

const WIDTH: u32 = 480;
const SERIES_HEIGHT: f64 = 250.0;
const ROW: f64 = 25.0;
const AXIS_MIN: f64 = -100.0;
const AXIS_MAX: f64 = 300.0;
/// The axis shows at least -5 % to +5 %, so that tiny changes do not look large.
const MIN_HALF_WIDTH: f64 = 5.0;

struct WhatIfFigure {
    title: String,
    subtitle: Vec<String>,
    series_title: String,
    unit: String,
    lines: Vec<Line>,
    dots: Vec<Dot>,
}

/// Estimated lines of `text` at `role` within the figure's width (0.56 em per character, as the
/// comparison chart estimates).
fn estimated_lines(text: &str, role: Role) -> f64 {
    let per_line = (f64::from(WIDTH) - 2.0 * draw::MARGIN) / (Theme::size_of(role) * 0.56);
    (text.chars().count() as f64 / per_line).ceil().max(1.0)
}

impl WhatIfFigure {
    /// Height below the title block: legend, series, the chart of changes.
    fn body_height(&self) -> f64 {
        let lh = |role: Role| Theme::size_of(role) * 1.22;
        let legend = lh(Role::Legend) + 4.0 + 4.0;
        let dots_caption = lh(Role::Panel) + 16.0;
        let dots = self.dots.len().max(1) as f64 * ROW + lh(Role::Tick) + lh(Role::Axis) + 24.0;
        legend + SERIES_HEIGHT + dots_caption + dots + draw::MARGIN
    }

    fn legend(&self) -> Vec<LegendItem> {
        vec![
            LegendItem::new("as is", Swatch::LineBand(style::category(0), Some(0))),
            LegendItem::new("what if", Swatch::LineBand(style::category(1), Some(1))),
        ]
    }
}

impl Figure for WhatIfFigure {
    fn size(&self) -> (u32, u32) {
        let lh = |role: Role| Theme::size_of(role) * 1.22;
        let header = draw::MARGIN * 0.8
            + estimated_lines(&self.title, Role::Title) * lh(Role::Title)
            + self
                .subtitle
                .iter()
                .map(|s| (estimated_lines(s, Role::Subtitle) + 0.3) * lh(Role::Subtitle))
                .sum::<f64>()
            + 6.0;
        (WIDTH, (header + self.body_height()).ceil() as u32)
    }

    fn paper_size(&self, width: u32) -> (u32, u32) {
        (width, (draw::MARGIN * 0.6 + self.body_height()).ceil() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let rest = draw::header(root, t, &self.title, &self.subtitle)?;
        let (w, _) = rest.dim_in_pixel();
        let x0 = t.px(draw::MARGIN);
        let lh = draw::legend_rows(&rest, t, &self.legend(), (x0, 0), w as i32 - 2 * x0, true)?;
        let rest = rest.split_vertically(lh + t.px(4.0)).1;
        let (series_area, rest) = rest.split_vertically(t.px(SERIES_HEIGHT));
        let axes = Axes {
            caption: Some(self.series_title.clone()),
            ticks: (6, 5),
            ..Axes::new("day", self.unit.as_str())
        };
        let axes = if self.unit == "agents" {
            Axes {
                x_desc: "tick".into(),
                ..axes
            }
        } else {
            axes
        };
        draw::line_panel(&series_area, t, &axes, &self.lines)?;
        draw_dots(&rest, root, t, &self.dots)
    }
}

/// The dot-and-interval chart in `area` (labels drawn on `root` coordinates).
fn draw_dots<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, root: &DrawingArea<DB, Shift>, t: &Theme, dots: &[Dot]) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let caption_style = t.text(Role::Panel).pos(Pos::new(HPos::Center, VPos::Top));
    let (w, _) = area.dim_in_pixel();
    area.draw_text("Relative change, what if against as is", &caption_style, (w as i32 / 2, t.px(12.0)))?;
    let plot = area.split_vertically(draw::line_height(t, Role::Panel) + t.px(16.0)).1;
    if dots.is_empty() {
        return Ok(());
    }
    // The axis covers every estimate and the intervals of changes beyond noise; a wide interval
    // of a change within noise would squash the rest, so it is cut with an arrow instead.
    let values: Vec<f64> = dots
        .iter()
        .flat_map(|d| if d.noise { vec![d.rel] } else { vec![d.rel, d.lo, d.hi] })
        .map(|v| v * 100.0)
        .chain([0.0])
        .collect();
    let (lo, hi) = style::finite_range(values).unwrap_or((-10.0, 10.0));
    let (lo, hi) = (
        lo.clamp(AXIS_MIN, 0.0).min(-MIN_HALF_WIDTH),
        hi.clamp(0.0, AXIS_MAX).max(MIN_HALF_WIDTH),
    );
    let pad = (hi - lo) * 0.06;
    let (lo, hi) = (lo - pad, hi + pad);
    let name_style = t.text(Role::Tick);
    let mut widest = 0;
    for d in dots {
        widest = widest.max(draw::text_size(root, &d.label, &name_style)?.0);
    }
    let n = dots.len() as f64;
    let (lo, hi) = style::drawable((lo, hi));
    let x_fmt = style::axis_formatter(lo, hi, 5);
    let x_fmt_signed = |v: &f64| if *v > 0.0 { format!("+{}", x_fmt(v)) } else { x_fmt(v) };
    let mut chart = ChartBuilder::on(&plot)
        .margin_right(t.px(draw::MARGIN + 10.0))
        .margin_top(t.px(2.0))
        .x_label_area_size(draw::line_height(t, Role::Tick) + draw::line_height(t, Role::Axis) + t.px(12.0))
        .y_label_area_size(widest + t.px(draw::MARGIN + 12.0))
        .build_cartesian_2d(lo..hi, 0.0..n)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(5)
        .x_label_formatter(&x_fmt_signed)
        .label_style(t.text_coloured(Role::Tick, DARK_GREY))
        .axis_desc_style(t.text(Role::Axis))
        .x_desc("relative change (%)")
        .bold_line_style(GRID.stroke_width(t.thin()))
        .light_line_style(WHITE.mix(0.0))
        .axis_style(DARK_GREY.stroke_width(t.thin()))
        .set_all_tick_mark_size(t.px(4.0))
        .draw()?;
    for i in (0..dots.len()).step_by(2) {
        let y = n - i as f64;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(lo, y - 1.0), (hi, y)],
            RGBColor(0xF3, 0xF3, 0xF3).filled(),
        )))?;
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, 0.0), (0.0, n)],
        DARK_GREY.stroke_width(t.thin()),
    )))?;
    let colour = style::category(1);
    let r = t.px(5.0);
    for (i, d) in dots.iter().enumerate() {
        let y = n - i as f64 - 0.5;
        let (px, py) = chart.backend_coord(&(lo, y));
        let label_style = t
            .text_coloured(Role::Tick, if d.noise { MID_GREY } else { BLACK })
            .pos(Pos::new(HPos::Right, VPos::Center));
        root.draw_text(&d.label, &label_style, (px - t.px(8.0), py))?;
        let c = if d.noise { MID_GREY } else { colour };
        let clip = |v: f64| v.clamp(lo, hi);
        let (a, b) = (d.lo * 100.0, d.hi * 100.0);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(clip(a), y), (clip(b), y)],
            c.stroke_width(t.line_width()),
        )))?;
        for (v, dir) in [(a, -1), (b, 1)] {
            if v < lo || v > hi {
                let (ex, ey) = chart.backend_coord(&(clip(v), y));
                let s = t.px(6.0);
                // The tip at the plot's edge, so that the arrow stays clear of the labels.
                let tri = vec![(ex, ey), (ex - dir * s * 4 / 3, ey - s), (ex - dir * s * 4 / 3, ey + s)];
                root.draw(&Polygon::new(tri, c.filled()))?;
            }
        }
        let centre = chart.backend_coord(&(clip(d.rel * 100.0), y));
        draw::draw_marker(root, centre, style::arm_pattern(1).1, r, c, !d.noise, t)?;
    }
    Ok(())
}

/// The low bound of a relative interval read from a CSV: an empty field beside a relative change
/// is a bound at minus infinity (see `relative_note`).
pub(crate) fn unbounded_below(rel: f64, low: f64) -> f64 {
    if rel.is_finite() && low.is_nan() { f64::NEG_INFINITY } else { low }
}

/// The high bound of a relative interval read from a CSV: an empty field beside a relative
/// change is a bound at plus infinity.
pub(crate) fn unbounded_above(rel: f64, high: f64) -> f64 {
    if rel.is_finite() && high.is_nan() { f64::INFINITY } else { high }
}
