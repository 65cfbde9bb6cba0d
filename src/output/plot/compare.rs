//! The comparison's dot-and-interval chart: for each outcome (one row), each arm's paired
//! relative difference against the first arm with its 95 % bootstrap interval, from
//! `comparison.csv`; arms in the same colours as the overlaid series; a zero line; outcomes whose
//! interval includes zero drawn hollow with grey names.
//!
//! Draws what `comparison.csv` says; it must not recompute differences or intervals.

use std::collections::BTreeSet;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::Table;
use super::draw::{self, DrawResult, Figure, LegendItem, Swatch};
use super::options::{Ctx, PlotOptions, unknown_listed};
use super::style::{self, DARK_GREY, GRID, MID_GREY, Role, Theme};
use crate::error::{Error, Result};

/// Outcomes that are the mission's inputs rather than results; left out by default.
fn is_input(outcome: &str) -> bool {
    outcome.starts_with("spend_") || outcome == "final_troops_deployed"
}

/// Relative difference of one arm on one outcome.
#[derive(Debug, Clone, Copy)]
struct Diff {
    rel: f64,
    lo: f64,
    hi: f64,
    within_noise: bool,
}

/// An outcome's name for a paper: the headline label (`Civilians killed by militias`) or the
/// catalogue's meaning up to its first explanation.
pub(crate) fn outcome_paper_label(outcome: &str) -> String {
    crate::output::headline::HEADLINE
        .iter()
        .chain(crate::output::headline::headline_for("epstein"))
        .find(|h| h.outcome == outcome)
        .map_or_else(
            || super::series::paper_label(&super::sweep::describe_outcome(outcome).0),
            |h| h.label.to_string(),
        )
}

/// The rows of the chart.
pub(crate) struct Differences {
    base: String,
    /// Arms other than the base, with their colour index (position among all arms).
    arms: Vec<(String, usize)>,
    n: String,
    rows: Vec<(String, Vec<Option<Diff>>)>,
    skipped: Vec<String>,
}

impl Differences {
    /// Reads `comparison.csv` and picks the outcomes.
    pub fn load(dir: &Path, options: &PlotOptions) -> Result<Self> {
        let table = Table::read(&dir.join("comparison.csv"))?;
        let cols = [
            "outcome",
            "arm",
            "n",
            "relative_diff",
            "relative_boot_ci95_low",
            "relative_boot_ci95_high",
            "within_noise",
        ]
        .map(|c| table.col(c));
        let mut idx = [0usize; 7];
        for (i, c) in cols.into_iter().enumerate() {
            idx[i] = c?;
        }
        let [oc, ac, nc, rc, lc, hc, wc] = idx;
        let mut arms: Vec<String> = Vec::new();
        let mut outcomes: Vec<String> = Vec::new();
        let mut ns = BTreeSet::new();
        for row in 0..table.len() {
            let arm = table.text(row, ac);
            if !arms.iter().any(|a| a == arm) {
                arms.push(arm.to_string());
            }
            let o = table.text(row, oc);
            if !outcomes.iter().any(|x| x == o) {
                outcomes.push(o.to_string());
            }
            ns.insert(table.int(row, nc)?);
        }
        if arms.len() < 2 {
            return Err(Error::Output {
                path: table.path.clone(),
                message: "a comparison needs at least two arms".into(),
            });
        }
        let chosen: Vec<String> = if options.comparison_outcomes.is_empty() {
            outcomes.iter().filter(|o| !is_input(o)).cloned().collect()
        } else {
            let refs: Vec<&str> = outcomes.iter().map(String::as_str).collect();
            for o in &options.comparison_outcomes {
                if !outcomes.contains(o) {
                    return Err(unknown_listed("an outcome", o, &refs, &table.path, "outcome"));
                }
            }
            options.comparison_outcomes.clone()
        };
        let mut rows = Vec::new();
        let mut skipped = Vec::new();
        for o in chosen {
            let mut per_arm = vec![None; arms.len() - 1];
            for row in 0..table.len() {
                if table.text(row, oc) != o {
                    continue;
                }
                let Some(a) = arms.iter().position(|x| x == table.text(row, ac)) else {
                    continue;
                };
                if a == 0 {
                    continue;
                }
                let rel = table.num(row, rc)?;
                let d = Diff {
                    rel,
                    lo: super::whatif::unbounded_below(rel, table.num(row, lc)?),
                    hi: super::whatif::unbounded_above(rel, table.num(row, hc)?),
                    within_noise: table.text(row, wc).trim() == "true",
                };
                per_arm[a - 1] = d.rel.is_finite().then_some(d);
            }
            if per_arm.iter().any(Option::is_some) {
                rows.push((o, per_arm));
            } else {
                skipped.push(o);
            }
        }
        Ok(Self {
            base: arms[0].clone(),
            arms: arms.iter().enumerate().skip(1).map(|(i, a)| (a.clone(), i)).collect(),
            n: ns.iter().map(ToString::to_string).collect::<Vec<_>>().join(" to "),
            rows,
            skipped,
        })
    }
}

/// Draws the difference chart.
pub(crate) fn plot_differences(ctx: &mut Ctx, d: &Differences) -> Result<()> {
    if d.rows.is_empty() {
        return Ok(());
    }
    let mut subtitle = vec![
        format!(
            "Paired difference against `{}`, relative to its mean, with a 95 % bootstrap CI (n = {} replicate pairs per arm, common random numbers).",
            d.base, d.n
        ),
        "Hollow markers and grey names: the CI of the difference includes zero (within noise).".to_string(),
    ];
    if !d.skipped.is_empty() {
        subtitle.push(format!(
            "Not shown (mean 0 in `{}`, relative change undefined): {}.",
            d.base,
            d.skipped.join(", ")
        ));
    }
    let fig = DiffFigure {
        title: "Change in outcomes by arm".into(),
        subtitle,
        d,
        paper: ctx.look.is_paper(),
    };
    draw::render(ctx, "compare-differences", &fig)
}

const WIDTH: u32 = 760;
const AXIS_MIN: f64 = -100.0;
const AXIS_MAX: f64 = 300.0;

struct DiffFigure<'a> {
    title: String,
    subtitle: Vec<String>,
    d: &'a Differences,
    /// Outcomes and the axis in words (paper style) rather than column names.
    paper: bool,
}

impl DiffFigure<'_> {
    fn row_height(&self) -> f64 {
        (12.0 + 10.0 * self.d.arms.len() as f64).max(28.0)
    }

    /// A row's height in layout units in the paper style: room for the arms' markers and for
    /// its name's `lines` (set smaller than on screen, so most names fit on one line of a
    /// column and the chart stays within a page).
    fn paper_row(&self, lines: usize) -> f64 {
        (12.0 + 10.0 * self.d.arms.len() as f64).max(lines as f64 * PAPER_NAME_SIZE * 1.22 + 6.0)
    }
}

/// Size of the outcomes' names in the paper style, layout units (the tick labels' is 17).
const PAPER_NAME_SIZE: f64 = 15.0;
/// Share of the width the outcomes' names may take in the paper style.
const PAPER_NAME_SHARE: f64 = 0.45;

impl Figure for DiffFigure<'_> {
    fn size(&self) -> (u32, u32) {
        // Header: title, subtitle lines (estimated at 0.56 em per character), legend row.
        let per_line = (f64::from(WIDTH) - 20.0) / (Theme::size_of(Role::Subtitle) * 0.56);
        let sub_lines: f64 = self
            .subtitle
            .iter()
            .map(|s| (s.chars().count() as f64 / per_line).ceil() + 0.3)
            .sum();
        let header = 40.0 + sub_lines * Theme::size_of(Role::Subtitle) * 1.22 + 40.0;
        let rows = self.d.rows.len() as f64 * self.row_height();
        (WIDTH, (header + rows + 75.0).ceil() as u32)
    }

    fn paper_size(&self, width: u32) -> (u32, u32) {
        // No title block: the legend (a row per three arms) and the rows, each as tall as its
        // name wrapped to the names' share of the width.
        let legend = 30.0 * (self.d.arms.len() + 1).div_ceil(3) as f64;
        let rows: f64 = self
            .d
            .rows
            .iter()
            .map(|(o, _)| {
                let name = outcome_paper_label(o);
                self.paper_row(draw::wrapped_lines(&name, PAPER_NAME_SIZE, PAPER_NAME_SHARE * f64::from(width)))
            })
            .sum();
        (width, (legend + rows + 75.0).ceil() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let d = self.d;
        let rest = draw::header(root, t, &self.title, &self.subtitle)?;
        let (w, _) = rest.dim_in_pixel();
        let x0 = t.px(draw::MARGIN);
        let mut items: Vec<LegendItem> = d
            .arms
            .iter()
            .map(|(a, c)| {
                // In a paper the reference arm is named here: the axis says only "relative change",
                // as a long arm name would not fit under a column-wide plot.
                let label = if self.paper { format!("{a} vs {}", d.base) } else { a.clone() };
                LegendItem::new(label, Swatch::Interval(style::category(*c), true, Some(*c)))
            })
            .collect();
        items.push(LegendItem::new("CI includes 0", Swatch::Interval(MID_GREY, false, None)));
        let lh = draw::legend_rows(&rest, t, &items, (x0, 0), w as i32 - 2 * x0, true)?;
        let plot = rest.split_vertically(lh + t.px(6.0)).1;

        let values: Vec<f64> = d
            .rows
            .iter()
            .flat_map(|(_, arms)| arms.iter().flatten().flat_map(|x| [x.rel, x.lo, x.hi]))
            .filter(|v| v.is_finite())
            .map(|v| v * 100.0)
            .chain([0.0])
            .collect();
        let (lo, hi) = style::finite_range(values).unwrap_or((-10.0, 10.0));
        let (lo, hi) = (lo.max(AXIS_MIN), hi.min(AXIS_MAX));
        let (lo, hi) = style::widen(lo, hi);
        let pad = (hi - lo) * 0.04;
        let (lo, hi) = (lo - pad, hi + pad);

        let mut name_style = t.text(Role::Tick);
        if self.paper {
            name_style.font = name_style.font.resize(PAPER_NAME_SIZE * t.scale);
        }
        // Row names: in a paper, words wrapped to at most 45 % of the width.
        let (root_w, _) = root.dim_in_pixel();
        let max_name = (f64::from(root_w) * PAPER_NAME_SHARE) as i32;
        let mut names = Vec::with_capacity(d.rows.len());
        let mut widest = 0;
        for (o, _) in &d.rows {
            let lines = if self.paper {
                draw::wrap(root, &outcome_paper_label(o), &name_style, max_name)?
            } else {
                vec![o.clone()]
            };
            for l in &lines {
                widest = widest.max(draw::text_size(root, l, &name_style)?.0);
            }
            names.push(lines);
        }
        // Row heights in rows of the screen style's height: in a paper, as tall as the name.
        let heights: Vec<f64> = names
            .iter()
            .map(|l| {
                if self.paper {
                    self.paper_row(l.len()) / self.paper_row(1)
                } else {
                    1.0
                }
            })
            .collect();
        let n_rows: f64 = heights.iter().sum();
        let tops: Vec<f64> = heights
            .iter()
            .scan(n_rows, |top, h| {
                let this = *top;
                *top -= h;
                Some(this)
            })
            .collect();
        let (lo, hi) = style::drawable((lo, hi));
        let x_fmt = style::axis_formatter(lo, hi, 6);
        let x_fmt_signed = |v: &f64| if *v > 0.0 { format!("+{}", x_fmt(v)) } else { x_fmt(v) };
        let mut chart = ChartBuilder::on(&plot)
            .margin_right(t.px(draw::MARGIN + 8.0))
            .margin_top(t.px(2.0))
            .x_label_area_size(draw::line_height(t, Role::Tick) + draw::line_height(t, Role::Axis) + t.px(12.0))
            .y_label_area_size(widest + t.px(draw::MARGIN + 12.0))
            .build_cartesian_2d(lo..hi, 0.0..n_rows)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&x_fmt_signed)
            .label_style(t.text_coloured(Role::Tick, DARK_GREY))
            .axis_desc_style(t.text(Role::Axis))
            .x_desc(if self.paper {
                "Relative change (%)".to_string()
            } else {
                format!("relative difference against {} (%)", d.base)
            })
            .bold_line_style(GRID.stroke_width(t.thin()))
            .light_line_style(WHITE.mix(0.0))
            .axis_style(DARK_GREY.stroke_width(t.thin()))
            .set_all_tick_mark_size(t.px(4.0))
            .draw()?;
        // Zebra rows for reading across.
        for i in (0..d.rows.len()).step_by(2) {
            let y = tops[i];
            chart.draw_series(std::iter::once(Rectangle::new(
                [(lo, y - heights[i]), (hi, y)],
                RGBColor(0xF3, 0xF3, 0xF3).filled(),
            )))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, n_rows)],
            DARK_GREY.stroke_width(t.thin()),
        )))?;
        let k = d.arms.len() as f64;
        let spacing = (0.7 / k).min(0.3);
        let r = t.px(5.0);
        for (i, (_, arms)) in d.rows.iter().enumerate() {
            let yc = tops[i] - heights[i] / 2.0;
            let all_noise = arms.iter().flatten().all(|x| x.within_noise);
            let label_colour = if all_noise { MID_GREY } else { BLACK };
            let (px, py) = chart.backend_coord(&(lo, yc));
            let mut style = name_style.pos(Pos::new(HPos::Right, VPos::Center));
            style.color = label_colour.to_backend_color();
            let lh = if self.paper {
                t.px(PAPER_NAME_SIZE * 1.22)
            } else {
                draw::line_height(t, Role::Tick)
            };
            let lines = &names[i];
            let top = py - lh * (lines.len() as i32 - 1) / 2;
            for (k, line) in lines.iter().enumerate() {
                root.draw_text(line, &style, (px - t.px(8.0), top + k as i32 * lh))?;
            }
            for (j, diff) in arms.iter().enumerate() {
                let Some(x) = diff else { continue };
                let y = yc + (k - 1.0) / 2.0 * spacing - j as f64 * spacing;
                let colour = style::category(d.arms[j].1);
                let line_colour = if x.within_noise { colour.mix(0.55) } else { colour.mix(1.0) };
                let clip = |v: f64| v.clamp(lo, hi);
                if !x.lo.is_nan() && !x.hi.is_nan() {
                    let (a, b) = (x.lo * 100.0, x.hi * 100.0);
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(clip(a), y), (clip(b), y)],
                        line_colour.stroke_width(t.line_width()),
                    )))?;
                    for (v, dir) in [(a, -1), (b, 1)] {
                        if v < lo || v > hi {
                            let (ex, ey) = chart.backend_coord(&(clip(v), y));
                            let s = t.px(6.0);
                            let tri = vec![(ex + dir * s, ey), (ex - dir * s / 3, ey - s), (ex - dir * s / 3, ey + s)];
                            root.draw(&Polygon::new(tri, line_colour.filled()))?;
                        }
                    }
                }
                let centre = chart.backend_coord(&(clip(x.rel * 100.0), y));
                let marker = style::arm_pattern(d.arms[j].1).1;
                draw::draw_marker(root, centre, marker, r, colour, !x.within_noise, t)?;
            }
        }
        Ok(())
    }
}
