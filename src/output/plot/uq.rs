//! Figures of the uncertainty commands: the Morris μ*–σ plot, Sobol' index bars with their
//! bootstrap intervals, and the robustness panels (probability of being best; mean and maximum
//! regret) of `peacesim sensitivity` and `peacesim robust`.
//!
//! Draws the numbers it is given (the commands' tables); it must not estimate anything.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{self, Axes, DrawResult, Figure, LegendItem, Swatch};
use super::options::{Ctx, Format, Look, create_out};
use super::style::{self, DARK_GREY, MID_GREY, Role, Theme};
use crate::error::Result;

/// One parameter on the μ*–σ plot.
#[derive(Debug, Clone)]
pub struct MorrisPoint {
    /// Parameter path.
    pub parameter: String,
    /// Mean absolute elementary effect.
    pub mu_star: f64,
    /// Standard deviation of the elementary effects.
    pub sigma: f64,
    /// Bootstrap interval of μ* (NaN ends without bootstrap).
    pub ci: (f64, f64),
}

/// One parameter's Sobol' indices: (estimate, interval low, interval high).
#[derive(Debug, Clone)]
pub struct SobolBar {
    /// Parameter path.
    pub parameter: String,
    /// First-order index.
    pub first: (f64, f64, f64),
    /// Total index.
    pub total: (f64, f64, f64),
}

/// One policy's robustness on one outcome.
#[derive(Debug, Clone)]
pub struct PolicyBar {
    /// Policy name.
    pub policy: String,
    /// Share of futures in which it is best.
    pub probability_best: f64,
    /// Mean regret over futures.
    pub mean_regret: f64,
    /// Largest regret over futures.
    pub max_regret: f64,
}

/// Where and how the figures of an uncertainty command are drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UqFigures {
    /// Formats (none: no figures).
    pub formats: Vec<Format>,
    /// Screen or paper style, and the paper's column width.
    pub look: Look,
}

impl UqFigures {
    /// Whether any figure is drawn.
    #[must_use]
    pub fn none(&self) -> bool {
        self.formats.is_empty()
    }
}

fn context(dir: &Path, figures: &UqFigures) -> Result<Ctx> {
    style::ensure_font()?;
    let ctx = Ctx {
        out: dir.to_path_buf(),
        formats: figures.formats.clone(),
        written: Vec::new(),
        look: figures.look,
    };
    create_out(&ctx)?;
    Ok(ctx)
}

/// An outcome in words with its unit, from the indicator catalogue: (`Civilians killed`,
/// `people`). An outcome the catalogue does not know (a calibration's series target) keeps its
/// name.
fn outcome_words(outcome: &str) -> (String, String) {
    let label = super::compare::outcome_paper_label(outcome);
    let unit = super::sweep::describe_outcome(outcome).1;
    (label, unit)
}

/// `label` with its first letter in lower case unless it starts an acronym (`M0`, `UNMISS`), to
/// stand inside a sentence.
fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(_), Some(b)) if b.is_uppercase() || b.is_ascii_digit() => label.to_string(),
        (Some(a), _) => a.to_lowercase().chain(label.chars().skip(1)).collect(),
        _ => String::new(),
    }
}

/// `label (unit)`, or the label alone without a unit.
fn with_unit(label: &str, unit: &str) -> String {
    super::series::with_unit(label, unit)
}

/// Draws `dir/morris-OUTCOME.{svg,png}`: μ* against σ per parameter, μ*'s interval as a
/// horizontal bar, and the line σ = μ* (above it, effects vary in size or sign across the
/// space: non-linearity or interactions).
///
/// # Errors
/// Creating the directory or drawing.
pub fn plot_morris(dir: &Path, figures: &UqFigures, outcome: &str, points: &[MorrisPoint], confidence: f64) -> Result<Vec<PathBuf>> {
    let mut ctx = context(dir, figures)?;
    let (label, unit) = outcome_words(outcome);
    let axes = if figures.look.is_paper() {
        let unit = with_unit("", &unit);
        Axes::new(
            format!("μ*, mean |effect| on {}{unit}", lower_first(&label)),
            format!("σ, sd of the effects{unit}"),
        )
    } else {
        Axes::new("μ* (mean |elementary effect|)", "σ (sd of elementary effects)")
    };
    let fig = MorrisFigure {
        title: format!("Morris screening: {label}"),
        axes,
        subtitle: vec![format!(
            "Mean absolute elementary effect μ* (overall influence, with its {:.0} % bootstrap interval) against their standard deviation σ (non-linearity or interactions); effects per unit of each parameter's range; dashed: σ = μ*.",
            confidence * 100.0
        )],
        points,
    };
    draw::render(&mut ctx, &draw::stem(&["morris", outcome]), &fig)?;
    Ok(ctx.written)
}

struct MorrisFigure<'a> {
    title: String,
    axes: Axes,
    subtitle: Vec<String>,
    points: &'a [MorrisPoint],
}

impl MorrisFigure<'_> {
    /// The legend: each parameter (in words in the paper style), with its colour and marker.
    fn legend(&self, paper: bool) -> Vec<LegendItem> {
        let look = if paper {
            Look::paper(super::Width::Single)
        } else {
            Look::default()
        };
        self.points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                LegendItem::new(
                    parameter_row(&p.parameter, look),
                    Swatch::Interval(style::category(i), true, Some(i)),
                )
            })
            .collect()
    }
}

impl Figure for MorrisFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (640, 520 + legend_height(&self.legend(false), 640))
    }

    fn paper_size(&self, width: u32) -> (u32, u32) {
        // A plot a little wider than tall in one column, flatter across two; the legend above.
        let ratio = if width > 700 { 0.55 } else { 0.8 };
        (
            width,
            (f64::from(width) * ratio).round() as u32 + legend_height(&self.legend(true), width),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let rest = draw::header(root, t, &self.title, &self.subtitle)?;
        // Parameters are told apart by colour and marker, named in the legend: names next to
        // the points overlap when parameters have similar effects.
        let (w, _) = rest.dim_in_pixel();
        let x0 = t.px(draw::MARGIN);
        let lh = draw::legend_rows(&rest, t, &self.legend(t.paper), (x0, 0), w as i32 - 2 * x0, true)?;
        let rest = rest.split_vertically(lh + t.px(6.0)).1;
        let xs = self.points.iter().flat_map(|p| [p.mu_star, p.ci.0, p.ci.1]);
        let ys = self.points.iter().map(|p| p.sigma);
        let x = draw::fit_range(xs);
        let y = draw::fit_range(ys);
        let mut chart = draw::chart(&rest, t, &self.axes, x, y)?;
        let top = x.1.min(y.1);
        chart.draw_series(DashedLineSeries::new(
            [(0.0, 0.0), (top, top)],
            t.px(4.0) as u32,
            t.px(3.0) as u32,
            MID_GREY.stroke_width(t.thin()),
        ))?;
        for (i, p) in self.points.iter().enumerate() {
            let colour = style::category(i);
            if p.ci.0.is_finite() && p.ci.1.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    [(p.ci.0, p.sigma), (p.ci.1, p.sigma)],
                    colour.stroke_width(t.line_width()),
                )))?;
            }
            let marker = style::arm_pattern(i).1;
            draw::draw_marker(chart.plotting_area(), (p.mu_star, p.sigma), marker, t.px(5.0), colour, true, t)?;
        }
        Ok(())
    }
}

/// About how tall a legend of `items` is at `width` layout units (for the figure's size, before
/// any text is measured: 0.56 em per character, as the subtitles are estimated).
fn legend_height(items: &[LegendItem], width: u32) -> u32 {
    let size = Theme::size_of(Role::Legend);
    let usable = f64::from(width) - 2.0 * draw::MARGIN;
    let (mut x, mut rows) = (0.0, 1);
    for item in items {
        let w = 32.0 + item.label.chars().count() as f64 * size * 0.56;
        if x > 0.0 && x + w > usable {
            x = 0.0;
            rows += 1;
        }
        x += w + 18.0;
    }
    (f64::from(rows) * (size * 1.25 + 4.0) + 8.0).ceil() as u32
}

/// Draws `dir/sobol-OUTCOME.{svg,png}`: per parameter, bars of the first-order and total
/// indices with their bootstrap intervals as whiskers.
///
/// # Errors
/// Creating the directory or drawing.
pub fn plot_sobol(dir: &Path, figures: &UqFigures, outcome: &str, bars: &[SobolBar], confidence: f64) -> Result<Vec<PathBuf>> {
    let mut ctx = context(dir, figures)?;
    let (label, _) = outcome_words(outcome);
    let rows: Vec<BarRow> = bars
        .iter()
        .map(|b| BarRow {
            label: parameter_row(&b.parameter, figures.look),
            values: vec![b.first, b.total],
        })
        .collect();
    let fig = BarFigure {
        title: format!("Sobol' indices: {label}"),
        subtitle: vec![format!(
            "Share of the variance of {} due to each parameter alone (first order) and with its interactions (total), with {:.0} % bootstrap intervals. Estimates below 0 or above 1 are sampling error.",
            lower_first(&label),
            confidence * 100.0
        )],
        series: vec!["first order S1".into(), "total ST".into()],
        x_desc: if figures.look.is_paper() {
            "Sobol' index (share of variance)".into()
        } else {
            "index (share of variance)".into()
        },
        rows,
        x_floor: Some((0.0, 1.0)),
    };
    draw::render(&mut ctx, &draw::stem(&["sobol", outcome]), &fig)?;
    Ok(ctx.written)
}

/// Draws `dir/robust-OUTCOME.{svg,png}`: the share of futures in which each policy is best, and
/// its mean and maximum regret.
///
/// # Errors
/// Creating the directory or drawing.
pub fn plot_robustness(
    dir: &Path,
    figures: &UqFigures,
    outcome: &str,
    unit: &str,
    policies: &[PolicyBar],
    futures: usize,
) -> Result<Vec<PathBuf>> {
    let mut ctx = context(dir, figures)?;
    let paper = figures.look.is_paper();
    let (label, _) = outcome_words(outcome);
    let best = BarFigure {
        title: format!("Which policy is best for {}, across {futures} sampled futures", lower_first(&label)),
        subtitle: vec!["Share of futures in which each policy gives the best outcome (ties share the credit).".into()],
        series: vec![if paper {
            format!("Best for {}", lower_first(&label))
        } else {
            "probability best".into()
        }],
        x_desc: if paper {
            format!("Share of {futures} futures in which it is best")
        } else {
            "share of futures".into()
        },
        rows: policies
            .iter()
            .map(|p| BarRow {
                label: p.policy.clone(),
                values: vec![(p.probability_best, f64::NAN, f64::NAN)],
            })
            .collect(),
        x_floor: Some((0.0, 1.0)),
    };
    draw::render(&mut ctx, &draw::stem(&["robust", outcome, "best"]), &best)?;
    let regret = BarFigure {
        title: format!("Regret of each policy: {label}"),
        subtitle: vec![format!(
            "Regret: how much worse than the best policy of the same future ({unit}); mean over {futures} futures, and the worst case."
        )],
        series: vec!["mean regret".into(), "max regret".into()],
        x_desc: if paper {
            with_unit(&format!("Regret in {}", lower_first(&label)), unit)
        } else {
            format!("regret ({unit})")
        },
        rows: policies
            .iter()
            .map(|p| BarRow {
                label: p.policy.clone(),
                values: vec![(p.mean_regret, f64::NAN, f64::NAN), (p.max_regret, f64::NAN, f64::NAN)],
            })
            .collect(),
        x_floor: None,
    };
    draw::render(&mut ctx, &draw::stem(&["robust", outcome, "regret"]), &regret)?;
    Ok(ctx.written)
}

/// A parameter's label: in the paper style its field path in words ([`style::field_label`],
/// `Flee threshold (displacement)`), on screen the path as the command's tables name it.
fn parameter_row(path: &str, look: Look) -> String {
    if look.is_paper() {
        style::capitalised(&style::field_label(path))
    } else {
        path.to_string()
    }
}

/// Height of a line of a row's name, layout units.
const NAME_LINE: f64 = 21.0;

/// How many lines `label` takes when wrapped to two fifths of `width` layout units.
fn name_lines(label: &str, width: u32) -> usize {
    draw::wrapped_lines(label, Theme::size_of(Role::Tick), 0.4 * f64::from(width))
}

/// Rows' names as lines: in the paper style wrapped to two fifths of the width (a column is
/// narrow), otherwise on one line.
fn row_names<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Theme,
    labels: impl Iterator<Item = &'a str>,
) -> DrawResult<Vec<Vec<String>>>
where
    DB::ErrorType: 'static,
{
    let (w, _) = root.dim_in_pixel();
    let max = (f64::from(w) * 0.4) as i32;
    let style = t.text(Role::Tick);
    labels
        .map(|l| {
            if t.paper {
                draw::wrap(root, l, &style, max)
            } else {
                Ok(vec![l.to_string()])
            }
        })
        .collect()
}

/// Draws a row's name, right-aligned before `(x, y)` (the plot's left edge at the row's centre).
fn draw_name<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, t: &Theme, lines: &[String], (x, y): (i32, i32)) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let style = t.text(Role::Tick).pos(Pos::new(HPos::Right, VPos::Center));
    let lh = draw::line_height(t, Role::Tick);
    let top = y - lh * (lines.len() as i32 - 1) / 2;
    for (k, line) in lines.iter().enumerate() {
        root.draw_text(line, &style, (x - t.px(8.0), top + k as i32 * lh))?;
    }
    Ok(())
}

/// One row of a bar chart: a label and one (value, interval low, interval high) per series.
struct BarRow {
    label: String,
    values: Vec<(f64, f64, f64)>,
}

/// Horizontal grouped bars with optional interval whiskers.
struct BarFigure {
    title: String,
    subtitle: Vec<String>,
    series: Vec<String>,
    x_desc: String,
    rows: Vec<BarRow>,
    /// Range the axis always covers (e.g. 0 to 1 for shares).
    x_floor: Option<(f64, f64)>,
}

impl Figure for BarFigure {
    fn size(&self) -> (u32, u32) {
        let per_row = 10.0 + 12.0 * self.series.len() as f64;
        (720, (150.0 + per_row * self.rows.len() as f64).ceil() as u32)
    }

    fn paper_size(&self, width: u32) -> (u32, u32) {
        // No title block: the legend, the rows (as tall as their names wrapped to two fifths of
        // the width need) and the axis.
        let per_row = 10.0 + 12.0 * self.series.len() as f64;
        let rows: f64 = self
            .rows
            .iter()
            .map(|r| per_row.max(name_lines(&r.label, width) as f64 * NAME_LINE + 6.0))
            .sum();
        (width, (40.0 + rows + 75.0).ceil() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let rest = draw::header(root, t, &self.title, &self.subtitle)?;
        let (w, _) = rest.dim_in_pixel();
        let x0 = t.px(draw::MARGIN);
        let items: Vec<LegendItem> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| LegendItem::new(s.clone(), Swatch::Fill(style::category(i))))
            .collect();
        let lh = draw::legend_rows(&rest, t, &items, (x0, 0), w as i32 - 2 * x0, true)?;
        let plot = rest.split_vertically(lh + t.px(6.0)).1;
        let values = self.rows.iter().flat_map(|r| r.values.iter().flat_map(|v| [v.0, v.1, v.2]));
        let floor = self.x_floor.map(|(a, b)| [a, b]).unwrap_or([0.0, 0.0]);
        let (lo, hi) = draw::fit_range(values.chain(floor));
        let name_style = t.text(Role::Tick);
        let names = row_names(root, t, self.rows.iter().map(|r| r.label.as_str()))?;
        let mut widest = 0;
        for l in names.iter().flatten() {
            widest = widest.max(draw::text_size(root, l, &name_style)?.0);
        }
        // Rows as tall as their names (paper style: wrapped names on more lines).
        let per_row = 10.0 + 12.0 * self.series.len() as f64;
        let heights: Vec<f64> = names
            .iter()
            .map(|l| {
                if t.paper {
                    (l.len() as f64 * NAME_LINE + 6.0).max(per_row) / per_row
                } else {
                    1.0
                }
            })
            .collect();
        let n: f64 = heights.iter().sum();
        let x_fmt = style::axis_formatter(lo, hi, 6);
        let mut chart = ChartBuilder::on(&plot)
            .margin_right(t.px(draw::MARGIN + 8.0))
            .margin_top(t.px(2.0))
            .x_label_area_size(draw::line_height(t, Role::Tick) + draw::line_height(t, Role::Axis) + t.px(12.0))
            .y_label_area_size(widest + t.px(draw::MARGIN + 12.0))
            .build_cartesian_2d(lo..hi, 0.0..n)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&x_fmt)
            .label_style(t.text_coloured(Role::Tick, DARK_GREY))
            .axis_desc_style(t.text(Role::Axis))
            .x_desc(self.x_desc.as_str())
            .bold_line_style(style::GRID.stroke_width(t.thin()))
            .light_line_style(WHITE.mix(0.0))
            .axis_style(DARK_GREY.stroke_width(t.thin()))
            .set_all_tick_mark_size(t.px(4.0))
            .draw()?;
        let k = self.series.len() as f64;
        let band = 0.8 / k;
        let mut row_top = n;
        for (i, r) in self.rows.iter().enumerate() {
            // First row at the top; the bars in the middle of their row.
            let centre = row_top - heights[i] / 2.0;
            row_top -= heights[i];
            let top = centre + 0.4;
            draw_name(root, t, &names[i], chart.backend_coord(&(lo, centre)))?;
            for (s, &(v, a, b)) in r.values.iter().enumerate() {
                if !v.is_finite() {
                    continue;
                }
                let y1 = top - band * s as f64;
                let y0 = y1 - band * 0.85;
                let base = 0.0_f64.clamp(lo, hi);
                chart.draw_series(std::iter::once(Rectangle::new([(base, y0), (v, y1)], style::category(s).filled())))?;
                if a.is_finite() && b.is_finite() {
                    let ym = (y0 + y1) / 2.0;
                    chart.draw_series(std::iter::once(PathElement::new([(a, ym), (b, ym)], BLACK.stroke_width(t.thin()))))?;
                    for end in [a, b] {
                        chart.draw_series(std::iter::once(PathElement::new(
                            [(end, y0 + band * 0.2), (end, y1 - band * 0.2)],
                            BLACK.stroke_width(t.thin()),
                        )))?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// One parameter's posterior on the interval figure, in units of its prior range (0 = low end,
/// 1 = high end; log-scaled for log-uniform priors).
#[derive(Debug, Clone)]
pub struct PosteriorRow {
    /// Parameter path.
    pub parameter: String,
    /// Posterior median.
    pub median: f64,
    /// 90 % credible interval.
    pub ci90: (f64, f64),
    /// True value in a twin experiment.
    pub truth: Option<f64>,
}

/// Draws `dir/posterior.{svg,png}`: each parameter's posterior median and 90 % credible
/// interval within its prior range, and the true value of a twin experiment.
///
/// # Errors
/// Creating the directory or drawing.
pub fn plot_posterior(dir: &Path, figures: &UqFigures, rows: &[PosteriorRow], accepted: usize, draws: usize) -> Result<Vec<PathBuf>> {
    let mut ctx = context(dir, figures)?;
    let paper = figures.look.is_paper();
    let twin = rows.iter().any(|r| r.truth.is_some());
    let fig = PosteriorFigure {
        title: "Calibrated parameters".into(),
        subtitle: vec![format!(
            "Posterior median (dot) and 90 % credible interval (bar) of each parameter, from {accepted} accepted of {draws} prior draws, placed in its prior range (0 = low end, 1 = high end){}.",
            if twin {
                "; diamond: the true value of the twin experiment"
            } else {
                ""
            }
        )],
        labels: rows.iter().map(|r| parameter_row(&r.parameter, figures.look)).collect(),
        twin,
        x_desc: if paper {
            "Position in the prior range".into()
        } else {
            "position in the prior range".into()
        },
        rows,
    };
    draw::render(&mut ctx, "posterior", &fig)?;
    Ok(ctx.written)
}

struct PosteriorFigure<'a> {
    title: String,
    subtitle: Vec<String>,
    rows: &'a [PosteriorRow],
    /// Each row's parameter in words.
    labels: Vec<String>,
    x_desc: String,
    /// Whether a true value is drawn (a twin experiment).
    twin: bool,
}

impl PosteriorFigure<'_> {
    /// The paper style's legend: the median and interval, and the true value of a twin.
    fn legend(&self) -> Vec<LegendItem> {
        let mut items = vec![LegendItem::new(
            "Median, 90 % credible interval",
            Swatch::Interval(style::category(0), true, None),
        )];
        if self.twin {
            items.push(LegendItem::new("True value", Swatch::Diamond(style::category(1))));
        }
        items
    }
}

impl Figure for PosteriorFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (720, (150.0 + 28.0 * self.rows.len() as f64).ceil() as u32)
    }

    fn paper_size(&self, width: u32) -> (u32, u32) {
        // Rows two lines tall when any name wraps in the column.
        let lines = self.labels.iter().map(|l| name_lines(l, width)).max().unwrap_or(1);
        let per_row = (lines as f64 * NAME_LINE + 6.0).max(28.0);
        // The legend (what the dot, bar and diamond are) stands above the rows.
        let legend = f64::from(legend_height(&self.legend(), width));
        (width, (20.0 + legend + per_row * self.rows.len() as f64 + 75.0).ceil() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let mut plot = draw::header(root, t, &self.title, &self.subtitle)?;
        if t.paper {
            // Without the subtitle, a legend says what the marks are.
            let items = self.legend();
            let (w, _) = plot.dim_in_pixel();
            let x0 = t.px(draw::MARGIN);
            let lh = draw::legend_rows(&plot, t, &items, (x0, 0), w as i32 - 2 * x0, true)?;
            plot = plot.split_vertically(lh + t.px(6.0)).1;
        }
        let name_style = t.text(Role::Tick);
        let names = row_names(root, t, self.labels.iter().map(String::as_str))?;
        let mut widest = 0;
        for l in names.iter().flatten() {
            widest = widest.max(draw::text_size(root, l, &name_style)?.0);
        }
        let n = self.rows.len() as f64;
        let x_fmt = style::axis_formatter(0.0, 1.0, 6);
        let mut chart = ChartBuilder::on(&plot)
            .margin_right(t.px(draw::MARGIN + 8.0))
            .margin_top(t.px(2.0))
            .x_label_area_size(draw::line_height(t, Role::Tick) + draw::line_height(t, Role::Axis) + t.px(12.0))
            .y_label_area_size(widest + t.px(draw::MARGIN + 12.0))
            .build_cartesian_2d(-0.02..1.02, 0.0..n)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&x_fmt)
            .label_style(t.text_coloured(Role::Tick, DARK_GREY))
            .axis_desc_style(t.text(Role::Axis))
            .x_desc(self.x_desc.as_str())
            .bold_line_style(style::GRID.stroke_width(t.thin()))
            .light_line_style(WHITE.mix(0.0))
            .axis_style(DARK_GREY.stroke_width(t.thin()))
            .set_all_tick_mark_size(t.px(4.0))
            .draw()?;
        let colour = style::category(0);
        let truth_colour = style::category(1);
        for (i, r) in self.rows.iter().enumerate() {
            let y = n - i as f64 - 0.5;
            draw_name(root, t, &names[i], chart.backend_coord(&(-0.02, y)))?;
            let clip = |v: f64| v.clamp(-0.02, 1.02);
            chart.draw_series(std::iter::once(PathElement::new(
                [(clip(r.ci90.0), y), (clip(r.ci90.1), y)],
                colour.stroke_width(t.line_width() * 2),
            )))?;
            chart.draw_series(std::iter::once(Circle::new((clip(r.median), y), t.px(4.5), colour.filled())))?;
            if let Some(v) = r.truth {
                let (cx, cy) = chart.backend_coord(&(clip(v), y));
                let s = t.px(6.0);
                root.draw(&PathElement::new(
                    vec![(cx, cy - s), (cx + s, cy), (cx, cy + s), (cx - s, cy), (cx, cy - s)],
                    truth_colour.stroke_width(t.line_width()),
                ))?;
            }
        }
        Ok(())
    }
}
