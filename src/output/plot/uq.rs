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

fn context(dir: &Path, formats: &[Format]) -> Result<Ctx> {
    style::ensure_font()?;
    let ctx = Ctx {
        out: dir.to_path_buf(),
        formats: formats.to_vec(),
        written: Vec::new(),
        look: Look::default(),
    };
    create_out(&ctx)?;
    Ok(ctx)
}

/// The last part of a field path, for labels inside a plot (`rules.health.r0` → `r0`).
fn short_name(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Draws `dir/morris-OUTCOME.{svg,png}`: μ* against σ per parameter, μ*'s interval as a
/// horizontal bar, and the line σ = μ* (above it, effects vary in size or sign across the
/// space: non-linearity or interactions).
///
/// # Errors
/// Creating the directory or drawing.
pub fn plot_morris(dir: &Path, formats: &[Format], outcome: &str, points: &[MorrisPoint], confidence: f64) -> Result<Vec<PathBuf>> {
    let mut ctx = context(dir, formats)?;
    let fig = MorrisFigure {
        title: format!("Morris screening of {outcome}"),
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
    subtitle: Vec<String>,
    points: &'a [MorrisPoint],
}

impl Figure for MorrisFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (640, 520)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let rest = draw::header(root, t, &self.title, &self.subtitle)?;
        let xs = self.points.iter().flat_map(|p| [p.mu_star, p.ci.0, p.ci.1]);
        let ys = self.points.iter().map(|p| p.sigma);
        let x = draw::fit_range(xs);
        let y = draw::fit_range(ys);
        let mut chart = draw::chart(
            &rest,
            t,
            &Axes::new("μ* (mean |elementary effect|)", "σ (sd of elementary effects)"),
            x,
            y,
        )?;
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
            chart.draw_series(std::iter::once(Circle::new((p.mu_star, p.sigma), t.px(4.0), colour.filled())))?;
            let label = t.text_coloured(Role::Note, DARK_GREY).pos(Pos::new(HPos::Left, VPos::Bottom));
            chart.draw_series(std::iter::once(
                EmptyElement::at((p.mu_star, p.sigma)) + Text::new(short_name(&p.parameter).to_string(), (t.px(5.0), -t.px(4.0)), label),
            ))?;
        }
        Ok(())
    }
}

/// Draws `dir/sobol-OUTCOME.{svg,png}`: per parameter, bars of the first-order and total
/// indices with their bootstrap intervals as whiskers.
///
/// # Errors
/// Creating the directory or drawing.
pub fn plot_sobol(dir: &Path, formats: &[Format], outcome: &str, bars: &[SobolBar], confidence: f64) -> Result<Vec<PathBuf>> {
    let mut ctx = context(dir, formats)?;
    let rows: Vec<BarRow> = bars
        .iter()
        .map(|b| BarRow {
            label: b.parameter.clone(),
            values: vec![b.first, b.total],
        })
        .collect();
    let fig = BarFigure {
        title: format!("Sobol' indices of {outcome}"),
        subtitle: vec![format!(
            "Share of the variance of {outcome} due to each parameter alone (first order) and with its interactions (total), with {:.0} % bootstrap intervals. Estimates below 0 or above 1 are sampling error.",
            confidence * 100.0
        )],
        series: vec!["first order S1".into(), "total ST".into()],
        x_desc: "index (share of variance)".into(),
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
    formats: &[Format],
    outcome: &str,
    unit: &str,
    policies: &[PolicyBar],
    futures: usize,
) -> Result<Vec<PathBuf>> {
    let mut ctx = context(dir, formats)?;
    let best = BarFigure {
        title: format!("Which policy is best for {outcome}, across {futures} sampled futures"),
        subtitle: vec!["Share of futures in which each policy gives the best outcome (ties share the credit).".into()],
        series: vec!["probability best".into()],
        x_desc: "share of futures".into(),
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
        title: format!("Regret of each policy on {outcome}"),
        subtitle: vec![format!(
            "Regret: how much worse than the best policy of the same future ({unit}); mean over {futures} futures, and the worst case."
        )],
        series: vec!["mean regret".into(), "max regret".into()],
        x_desc: format!("regret ({unit})"),
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
        let mut widest = 0;
        for r in &self.rows {
            widest = widest.max(draw::text_size(root, &r.label, &name_style)?.0);
        }
        let n = self.rows.len() as f64;
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
        for (i, r) in self.rows.iter().enumerate() {
            // First row at the top.
            let top = n - i as f64 - 0.1;
            let label_style = name_style.pos(Pos::new(HPos::Right, VPos::Center));
            let (px, py) = chart.backend_coord(&(lo, top - 0.4));
            root.draw_text(&r.label, &label_style, (px - t.px(8.0), py))?;
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
pub fn plot_posterior(dir: &Path, formats: &[Format], rows: &[PosteriorRow], accepted: usize, draws: usize) -> Result<Vec<PathBuf>> {
    let mut ctx = context(dir, formats)?;
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
        rows,
    };
    draw::render(&mut ctx, "posterior", &fig)?;
    Ok(ctx.written)
}

struct PosteriorFigure<'a> {
    title: String,
    subtitle: Vec<String>,
    rows: &'a [PosteriorRow],
}

impl Figure for PosteriorFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (720, (150.0 + 28.0 * self.rows.len() as f64).ceil() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let plot = draw::header(root, t, &self.title, &self.subtitle)?;
        let name_style = t.text(Role::Tick);
        let mut widest = 0;
        for r in self.rows {
            widest = widest.max(draw::text_size(root, &r.parameter, &name_style)?.0);
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
            .x_desc("position in the prior range")
            .bold_line_style(style::GRID.stroke_width(t.thin()))
            .light_line_style(WHITE.mix(0.0))
            .axis_style(DARK_GREY.stroke_width(t.thin()))
            .set_all_tick_mark_size(t.px(4.0))
            .draw()?;
        let colour = style::category(0);
        let truth_colour = style::category(1);
        for (i, r) in self.rows.iter().enumerate() {
            let y = n - i as f64 - 0.5;
            let (px, py) = chart.backend_coord(&(-0.02, y));
            root.draw_text(
                &r.parameter,
                &name_style.pos(Pos::new(HPos::Right, VPos::Center)),
                (px - t.px(8.0), py),
            )?;
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
