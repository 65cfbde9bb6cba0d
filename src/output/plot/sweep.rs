//! Sweep views of one outcome: a heatmap over two factors (a scatter when numeric factors take
//! many values or do not form a grid, as in Latin hypercubes), an effect chart for a single factor, and, when the design
//! varies the policy weights, a ternary (simplex) view over three pillars faceted by the fourth.
//!
//! Means are over every run with the same factor values (replicates, and any factor not shown,
//! which the subtitle names). Reads `design.csv` and `outcomes.csv`; it must not rerun anything.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{Table, parse_error};
use super::draw::{self, Axes, DrawResult, Figure};
use super::options::{Ctx, PlotOptions, unknown, unknown_listed};
use super::style::{self, ColourScale, DARK_GREY, GRID, MID_GREY, Role, Theme};
use crate::error::Result;
use crate::output::outcomes::Outcomes;
use crate::pillar::Pillar;
use crate::rng::Streams;
use crate::stats::{BOOTSTRAP_RESAMPLES, Summary, bootstrap_mean_ci_at, summarize};

/// The design's policy weights: one column per pillar, `mission.policy.weights.PILLAR`.
const WEIGHTS: &str = "mission.policy.weights";

/// Pillar names, in the order of a weight vector.
const PILLARS: [&str; Pillar::COUNT] = Pillar::names();

// The simplex figure draws three pillars per triangle, one panel per value of the fourth.
const _: () = assert!(Pillar::COUNT == 4, "the simplex figure needs a layout for this many pillars");
/// Numeric factors with more distinct values than this, or not crossed in a full grid, are drawn
/// as a scatter rather than a heatmap.
const MAX_LEVELS: usize = 12;

/// One factor of the design.
#[derive(Debug, Clone)]
struct Factor {
    path: String,
    /// Value of each point, as written.
    values: Vec<String>,
    /// Distinct values in display order (numeric order when all are numbers).
    levels: Vec<String>,
}

impl Factor {
    fn new(path: String, values: Vec<String>) -> Self {
        let numeric = values.iter().all(|v| v.trim().parse::<f64>().is_ok());
        let mut levels: Vec<String> = Vec::new();
        for v in &values {
            if !levels.contains(v) {
                levels.push(v.clone());
            }
        }
        if numeric {
            levels.sort_by(|a, b| num(a).total_cmp(&num(b)));
        }
        Self { path, values, levels }
    }

    fn numeric(&self) -> bool {
        self.values.iter().all(|v| v.trim().parse::<f64>().is_ok())
    }

    fn level_of(&self, point: usize) -> usize {
        self.levels.iter().position(|l| *l == self.values[point]).unwrap_or(0)
    }
}

fn num(s: &str) -> f64 {
    s.trim().parse().unwrap_or(f64::NAN)
}

/// A design value as a label: TOML string quotes removed.
fn label(v: &str) -> String {
    v.trim().trim_matches('"').to_string()
}

/// A sweep's design and one outcome's values per point.
pub(crate) struct SweepData {
    outcome: String,
    title: String,
    unit: String,
    factors: Vec<Factor>,
    weights: Option<Vec<[f64; Pillar::COUNT]>>,
    facet: usize,
    /// The outcome's value in every run, by point.
    runs: Vec<Vec<f64>>,
    /// The sweep's master seed, which seeds the bootstrap of intervals.
    seed: u64,
    /// Position of the outcome among the outcome columns, and how many there are (what the
    /// bootstrap streams of `point_summary.csv` are keyed by).
    outcome_index: usize,
    outcome_count: usize,
    /// Labels in words (paper style).
    paper: bool,
}

impl SweepData {
    /// Reads `design.csv` and `outcomes.csv` and checks the outcome and pillar names.
    pub fn load(dir: &Path, options: &PlotOptions, seed: u64) -> Result<Self> {
        let facet_name = options.simplex_facet.as_deref().unwrap_or("empowerment");
        let Some(facet) = PILLARS.iter().position(|p| *p == facet_name) else {
            return Err(unknown(
                "pillar",
                facet_name,
                &PILLARS,
                "use protection, health, economic or empowerment",
            ));
        };
        let design = Table::read(&dir.join("design.csv"))?;
        let point_col = design.col("point")?;
        let mut factors = Vec::new();
        // The weights are a simplex only with a column for every pillar; otherwise each weight
        // column is a factor like any other.
        let weight_columns: Vec<Option<usize>> = Pillar::ALL
            .iter()
            .map(|p| design.header.iter().position(|h| *h == format!("{WEIGHTS}.{}", p.name())))
            .collect();
        let weight_columns: Option<Vec<usize>> = weight_columns.into_iter().collect();
        let weights = match &weight_columns {
            Some(cols) => {
                let mut w = Vec::with_capacity(design.len());
                for r in 0..design.len() {
                    let mut point = [0.0; Pillar::COUNT];
                    for (slot, &c) in point.iter_mut().zip(cols) {
                        *slot = design.num(r, c)?;
                        if !slot.is_finite() {
                            return Err(parse_error(
                                &design.path,
                                &design.header[c],
                                design.rows[r].position().map(|p| p.line() as usize),
                                "expected a policy weight (a number)".to_string(),
                            ));
                        }
                    }
                    w.push(point);
                }
                Some(w)
            }
            None => None,
        };
        for (c, path) in design.header.iter().enumerate() {
            if c == point_col || weight_columns.as_ref().is_some_and(|cols| cols.contains(&c)) {
                continue;
            }
            let values: Vec<String> = (0..design.len()).map(|r| design.text(r, c).to_string()).collect();
            factors.push(Factor::new(path.clone(), values));
        }
        for r in 0..design.len() {
            if design.int(r, point_col)? as usize != r {
                return Err(parse_error(&design.path, "point", Some(r + 2), format!("expected point {r}")));
            }
        }

        let outcomes = Table::read(&dir.join("outcomes.csv"))?;
        let seed_col = outcomes.col("seed")?;
        let names: Vec<&str> = outcomes.header[seed_col + 1..].iter().map(String::as_str).collect();
        let outcome = match &options.outcome {
            Some(o) if names.contains(&o.as_str()) => o.clone(),
            Some(o) => return Err(unknown_listed("an outcome column", o, &names, &outcomes.path, "--outcome")),
            None if names.contains(&PlotOptions::DEFAULT_OUTCOME) => PlotOptions::DEFAULT_OUTCOME.to_string(),
            None => match names.first() {
                Some(n) => (*n).to_string(),
                None => {
                    return Err(crate::Error::Output {
                        path: outcomes.path.clone(),
                        message: "no outcome columns".into(),
                    });
                }
            },
        };
        let oc = outcomes.col(&outcome)?;
        let outcome_index = oc - seed_col - 1;
        let outcome_count = names.len();
        let pc = outcomes.col("point")?;
        let mut runs = vec![Vec::new(); design.len()];
        for r in 0..outcomes.len() {
            let p = outcomes.int(r, pc)? as usize;
            let Some(slot) = runs.get_mut(p) else {
                return Err(parse_error(
                    &outcomes.path,
                    "point",
                    Some(r + 2),
                    format!("point {p} is not in design.csv"),
                ));
            };
            slot.push(outcomes.num(r, oc)?);
        }
        let (title, unit) = describe_outcome(&outcome);
        Ok(Self {
            outcome,
            title,
            unit,
            factors,
            weights,
            facet,
            runs,
            seed,
            outcome_index,
            outcome_count,
            paper: options.look.is_paper(),
        })
    }

    /// Summary of every run at `points`, with the percentile bootstrap 95 % interval of the mean
    /// in `ci_low`/`ci_high`: the convention of every reported interval, which keeps a count's
    /// interval above 0 and a share's within [0, 1]. For a single point it is the interval
    /// `point_summary.csv` gives (the same stream: point × outcomes + outcome, at the last
    /// position); a value shared by several points resamples all their runs, from stream
    /// `level` beyond those of the points.
    fn summary_with_interval(&self, points: &[usize], level: usize) -> Summary {
        let mut summary = self.summary(points.iter().copied());
        let values: Vec<f64> = points
            .iter()
            .flat_map(|&p| self.runs[p].iter().copied())
            .filter(|v| v.is_finite())
            .collect();
        let stream = match points {
            [p] => p * self.outcome_count + self.outcome_index,
            _ => (self.runs.len() + level) * self.outcome_count + self.outcome_index,
        };
        let (low, high) = bootstrap_mean_ci_at(&Streams::new(self.seed), &values, BOOTSTRAP_RESAMPLES, stream as u64, u32::MAX);
        summary.ci_low = low;
        summary.ci_high = high;
        summary
    }

    /// The outcome with its unit: its column name on screen, words in a paper.
    fn colour_label(&self) -> String {
        if self.paper {
            super::series::with_unit(&super::compare::outcome_paper_label(&self.outcome), &self.unit)
        } else {
            super::series::with_unit(&self.outcome, &self.unit)
        }
    }

    /// Summary of every run at the points selected.
    fn summary(&self, points: impl Iterator<Item = usize>) -> Summary {
        let values: Vec<f64> = points
            .flat_map(|p| self.runs[p].iter().copied())
            .filter(|v| v.is_finite())
            .collect();
        summarize(&values, &mut Vec::new())
    }

    /// A factor's name on an axis or in a title: in the paper style its field path in words
    /// (`Troops (mission)`, `Protection weight`), on screen the path as `design.csv` names it.
    fn factor_name(&self, f: &Factor) -> String {
        if self.paper {
            style::capitalised(&style::field_label(&f.path))
        } else {
            f.path.clone()
        }
    }

    /// Names of the design columns not shown in a view, for the subtitle.
    fn averaged_over(&self, shown: &[&str]) -> Option<String> {
        let mut rest: Vec<&str> = self
            .factors
            .iter()
            .map(|f| f.path.as_str())
            .filter(|p| !shown.contains(p))
            .collect();
        if self.weights.is_some() && !shown.contains(&WEIGHTS) {
            rest.push(WEIGHTS);
        }
        (!rest.is_empty()).then(|| format!("averaged over {}", rest.join(", ")))
    }
}

/// Title and unit of an outcome, from [`Outcomes::MEANINGS`] (`Meaning (unit).`).
pub(crate) fn describe_outcome(name: &str) -> (String, String) {
    let Some(i) = Outcomes::NAMES.iter().position(|n| *n == name) else {
        return (style::prose(name), String::new());
    };
    let m = style::title_case(Outcomes::MEANINGS[i]);
    if m.ends_with(')')
        && let Some(open) = m.rfind(" (")
    {
        return (m[..open].to_string(), m[open + 2..m.len() - 1].to_string());
    }
    (m, String::new())
}

/// Draws the sweep's views of the outcome.
pub(crate) fn plot_sweep(ctx: &mut Ctx, s: &SweepData) -> Result<()> {
    let fs = &s.factors;
    if fs.len() >= 2 {
        let (fx, fy) = (&fs[0], &fs[1]);
        let mut subtitle = vec![];
        let note = s.averaged_over(&[&fx.path, &fy.path]);
        let (x_name, y_name) = (s.factor_name(fx), s.factor_name(fy));
        let filled = (0..fx.levels.len())
            .flat_map(|i| (0..fy.levels.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| (0..s.runs.len()).any(|p| fx.level_of(p) == i && fy.level_of(p) == j))
            .count();
        let grid = filled == fx.levels.len() * fy.levels.len();
        let small = fx.levels.len() <= MAX_LEVELS && fy.levels.len() <= MAX_LEVELS;
        let numeric = fx.numeric() && fy.numeric();
        if small && (grid || !numeric) {
            let mut cells = Vec::new();
            for (i, _) in fx.levels.iter().enumerate() {
                for (j, _) in fy.levels.iter().enumerate() {
                    let sum = s.summary((0..s.runs.len()).filter(|&p| fx.level_of(p) == i && fy.level_of(p) == j));
                    cells.push((i, j, sum));
                }
            }
            let n = runs_text(cells.iter().map(|c| c.2.n).filter(|n| *n > 0));
            subtitle.push(format!(
                "Mean of {n} per cell{}; colour scale: viridis",
                note.map(|x| format!(", {x}")).unwrap_or_default()
            ));
            let fig = Heatmap {
                title: format!("{}: mean by {x_name} and {y_name}", s.title),
                subtitle,
                x: fx,
                y: fy,
                x_name,
                y_name,
                cells,
                label: s.colour_label(),
            };
            draw::render(ctx, &draw::stem(&["sweep-heatmap", &s.outcome]), &fig)?;
        } else {
            subtitle.push(format!(
                "One point per design point: mean of its replicates{}",
                note.map(|x| format!(", {x}")).unwrap_or_default()
            ));
            let points = (0..s.runs.len())
                .map(|p| (num(&fx.values[p]), num(&fy.values[p]), s.summary(std::iter::once(p)).mean))
                .collect();
            let fig = Scatter {
                title: format!("{}: by {x_name} and {y_name}", s.title),
                subtitle,
                x: x_name,
                y: y_name,
                points,
                label: s.colour_label(),
            };
            draw::render(ctx, &draw::stem(&["sweep-scatter", &s.outcome]), &fig)?;
        }
    } else if let Some(f) = fs.first() {
        let levels = effect_levels(s, f);
        let note = s.averaged_over(&[&f.path]);
        let name = s.factor_name(f);
        let fig = Effect {
            title: format!("{}: mean by {name}", s.title),
            subtitle: vec![format!(
                "Dots: mean of {} per value; bars: percentile bootstrap 95 % CI of the mean ({} resamples, as in point_summary.csv){}",
                runs_text(levels.iter().map(|l| l.1.n)),
                format_thousands(BOOTSTRAP_RESAMPLES),
                note.map(|x| format!("; {x}")).unwrap_or_default()
            )],
            x_desc: name,
            y_desc: s.colour_label(),
            levels,
        };
        draw::render(ctx, &draw::stem(&["sweep-effect", &s.outcome]), &fig)?;
    }
    if let Some(w) = &s.weights {
        // Means per distinct weight vector.
        let mut groups: Vec<([f64; Pillar::COUNT], Vec<usize>)> = Vec::new();
        for (p, wp) in w.iter().enumerate() {
            match groups.iter_mut().find(|g| g.0.iter().zip(wp).all(|(a, b)| (a - b).abs() < 1e-9)) {
                Some(g) => g.1.push(p),
                None => groups.push((*wp, vec![p])),
            }
        }
        let points: Vec<([f64; Pillar::COUNT], Summary)> = groups.into_iter().map(|(wp, ps)| (wp, s.summary(ps.into_iter()))).collect();
        let n = runs_text(points.iter().map(|p| p.1.n));
        let corners: Vec<usize> = (0..Pillar::COUNT).filter(|&i| i != s.facet).collect();
        let note = s.averaged_over(&[WEIGHTS]);
        let fig = Ternary {
            title: format!("{}: mean by policy weights", s.title),
            subtitle: vec![
                format!(
                    "Each triangle splits the weight not given to {} among {}, {} and {} (a corner takes all of it); one panel per {} weight.",
                    PILLARS[s.facet], PILLARS[corners[0]], PILLARS[corners[1]], PILLARS[corners[2]], PILLARS[s.facet]
                ),
                format!(
                    "Colour: mean of {n} per point{}; scale viridis",
                    note.map(|x| format!(", {x}")).unwrap_or_default()
                ),
            ],
            facet: s.facet,
            corners: [corners[0], corners[1], corners[2]],
            points,
            label: s.colour_label(),
        };
        draw::render(ctx, &draw::stem(&["sweep-simplex", &s.outcome]), &fig)?;
    }
    Ok(())
}

/// Each value of the factor `f` with the summary of its runs and their bootstrap interval.
fn effect_levels(s: &SweepData, f: &Factor) -> Vec<(String, Summary)> {
    f.levels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let points: Vec<usize> = (0..s.runs.len()).filter(|&p| f.level_of(p) == i).collect();
            (label(l), s.summary_with_interval(&points, i))
        })
        .collect()
}

/// `2,000`.
fn format_thousands(n: usize) -> String {
    style::format_number(n as f64, 0)
}

/// `n = 2 runs`, `n = 1 run` or `n = 1 to 3 runs`.
fn runs_text(ns: impl Iterator<Item = usize>) -> String {
    let ns: Vec<usize> = ns.collect();
    let (lo, hi) = (ns.iter().min().copied().unwrap_or(0), ns.iter().max().copied().unwrap_or(0));
    match (lo, hi) {
        (1, 1) => "n = 1 run".into(),
        (a, b) if a == b => format!("n = {a} runs"),
        (a, b) => format!("n = {a} to {b} runs"),
    }
}

/// Width of the colour-bar column, SVG units.
const BAR_COLUMN: f64 = 150.0;

struct Heatmap<'a> {
    title: String,
    subtitle: Vec<String>,
    x: &'a Factor,
    y: &'a Factor,
    /// The factors' names on the axes.
    x_name: String,
    y_name: String,
    cells: Vec<(usize, usize, Summary)>,
    label: String,
}

impl Figure for Heatmap<'_> {
    fn size(&self) -> (u32, u32) {
        (640, 520)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let rest = draw::header(root, t, &self.title, &self.subtitle)?;
        let (w, _) = rest.dim_in_pixel();
        let (plot, bar) = rest.split_horizontally(w as i32 - t.px(BAR_COLUMN));
        let scale = ColourScale::covering(self.cells.iter().filter(|c| c.2.n > 0).map(|c| c.2.mean));
        let (pw, ph) = plot.dim_in_pixel();
        let (pw, ph) = (pw as i32, ph as i32);
        let tick = t.text_coloured(Role::Tick, DARK_GREY);
        let mut widest = 0;
        for l in &self.y.levels {
            widest = widest.max(draw::text_size(&plot, &label(l), &tick)?.0);
        }
        let axis_h = draw::line_height(t, Role::Axis);
        let left = t.px(draw::MARGIN) + axis_h + t.px(8.0) + widest + t.px(8.0);
        let bottom = draw::line_height(t, Role::Tick) + axis_h + t.px(16.0);
        let (x0, x1, y0, y1) = (left, pw - t.px(8.0), t.px(6.0), ph - bottom);
        let (nx, ny) = (self.x.levels.len().max(1) as i32, self.y.levels.len().max(1) as i32);
        let cw = (x1 - x0) as f64 / f64::from(nx);
        let ch = (y1 - y0) as f64 / f64::from(ny);
        let gap = t.px(1.0);
        let note = t.text(Role::Note);
        // One number of decimals for every cell: three significant digits of the largest.
        let largest = self.cells.iter().filter(|c| c.2.n > 0).map(|c| c.2.mean.abs()).fold(0.0, f64::max);
        let decimals = style::significant_decimals(largest, 3);
        for (i, j, sum) in &self.cells {
            let cx0 = x0 + (*i as f64 * cw).round() as i32;
            let cx1 = x0 + ((*i + 1) as f64 * cw).round() as i32;
            let cy1 = y1 - (*j as f64 * ch).round() as i32;
            let cy0 = y1 - ((*j + 1) as f64 * ch).round() as i32;
            let (fill, text) = if sum.n > 0 {
                (scale.colour(sum.mean), style::format_number(sum.mean, decimals))
            } else {
                (GRID, "no runs".to_string())
            };
            plot.draw(&Rectangle::new([(cx0 + gap, cy0 + gap), (cx1 - gap, cy1 - gap)], fill.filled()))?;
            let mut st = note.clone();
            st.color = style::text_on(fill).to_backend_color();
            let st = st.pos(Pos::new(HPos::Center, VPos::Center));
            let (tw, th) = draw::text_size(&plot, &text, &st)?;
            if tw < cx1 - cx0 - t.px(6.0) && th < cy1 - cy0 - t.px(4.0) {
                plot.draw_text(&text, &st, ((cx0 + cx1) / 2, (cy0 + cy1) / 2))?;
            }
        }
        let xl = tick.pos(Pos::new(HPos::Center, VPos::Top));
        for (i, l) in self.x.levels.iter().enumerate() {
            let cx = x0 + ((i as f64 + 0.5) * cw).round() as i32;
            plot.draw_text(&label(l), &xl, (cx, y1 + t.px(6.0)))?;
        }
        let yl = t.text_coloured(Role::Tick, DARK_GREY).pos(Pos::new(HPos::Right, VPos::Center));
        for (j, l) in self.y.levels.iter().enumerate() {
            let cy = y1 - ((j as f64 + 0.5) * ch).round() as i32;
            plot.draw_text(&label(l), &yl, (x0 - t.px(8.0), cy))?;
        }
        let axis = t.text(Role::Axis).pos(Pos::new(HPos::Center, VPos::Bottom));
        plot.draw_text(&self.x_name, &axis, ((x0 + x1) / 2, ph - t.px(4.0)))?;
        let axis_y = t
            .text(Role::Axis)
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Top));
        plot.draw_text(&self.y_name, &axis_y, (t.px(draw::MARGIN), (y0 + y1) / 2))?;
        draw::colour_bar(&bar, t, &scale, &self.label)
    }
}

struct Scatter {
    title: String,
    subtitle: Vec<String>,
    x: String,
    y: String,
    points: Vec<(f64, f64, f64)>,
    label: String,
}

impl Figure for Scatter {
    fn size(&self) -> (u32, u32) {
        (640, 520)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let rest = draw::header(root, t, &self.title, &self.subtitle)?;
        let (w, _) = rest.dim_in_pixel();
        let (plot, bar) = rest.split_horizontally(w as i32 - t.px(BAR_COLUMN));
        let scale = ColourScale::covering(self.points.iter().map(|p| p.2));
        let pad = |(lo, hi): (f64, f64)| {
            let (lo, hi) = style::widen(lo, hi);
            let d = (hi - lo) * 0.06;
            (lo - d, hi + d)
        };
        let xr = pad(style::finite_range(self.points.iter().map(|p| p.0)).unwrap_or((0.0, 1.0)));
        let yr = pad(style::finite_range(self.points.iter().map(|p| p.1)).unwrap_or((0.0, 1.0)));
        let axes = Axes::new(self.x.clone(), self.y.clone());
        let mut chart = draw::chart(&plot, t, &axes, xr, yr)?;
        let r = t.px(7.0);
        chart.draw_series(
            self.points
                .iter()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .map(|p| Circle::new((p.0, p.1), r, scale.colour(p.2).filled())),
        )?;
        chart.draw_series(
            self.points
                .iter()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .map(|p| Circle::new((p.0, p.1), r, DARK_GREY.stroke_width(t.thin()))),
        )?;
        draw::colour_bar(&bar, t, &scale, &self.label)
    }
}

struct Effect {
    title: String,
    subtitle: Vec<String>,
    x_desc: String,
    y_desc: String,
    levels: Vec<(String, Summary)>,
}

impl Figure for Effect {
    fn size(&self) -> (u32, u32) {
        (480, 400)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let rest = draw::header(root, t, &self.title, &self.subtitle)?;
        let k = self.levels.len().max(1) as f64;
        let y = draw::fit_range(self.levels.iter().flat_map(|(_, s)| [s.mean, s.ci_low, s.ci_high]));
        let axes = Axes {
            y_range: Some(y),
            ticks: (0, 6),
            ..Axes::new(self.x_desc.clone(), self.y_desc.clone())
        };
        let mut chart = draw::chart(&rest, t, &axes, (-0.5, k - 0.5), y)?;
        let colour = style::category(0);
        let tick = t.text_coloured(Role::Tick, DARK_GREY).pos(Pos::new(HPos::Center, VPos::Top));
        for (i, (l, s)) in self.levels.iter().enumerate() {
            let x = i as f64;
            if s.n == 0 {
                continue;
            }
            if s.n > 1 {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, s.ci_low), (x, s.ci_high)],
                    colour.stroke_width(t.line_width()),
                )))?;
            }
            chart.draw_series(std::iter::once(Circle::new((x, s.mean), t.px(5.0), colour.filled())))?;
            let (px, py) = chart.backend_coord(&(x, y.0));
            root.draw_text(l, &tick, (px, py + t.px(6.0)))?;
        }
        Ok(())
    }
}

struct Ternary {
    title: String,
    subtitle: Vec<String>,
    facet: usize,
    corners: [usize; 3],
    points: Vec<([f64; Pillar::COUNT], Summary)>,
    label: String,
}

impl Ternary {
    fn facets(&self) -> Vec<f64> {
        let mut f: Vec<f64> = Vec::new();
        for (w, _) in &self.points {
            let v = w[self.facet];
            if !f.iter().any(|x| (x - v).abs() < 1e-9) {
                f.push(v);
            }
        }
        f.sort_by(f64::total_cmp);
        f
    }

    fn grid(&self) -> (usize, usize) {
        let n = self.facets().len().max(1);
        let cols = n.min(3);
        (n.div_ceil(cols), cols)
    }
}

const TERNARY_PANEL_H: f64 = 290.0;

impl Figure for Ternary {
    fn size(&self) -> (u32, u32) {
        let (rows, _) = self.grid();
        (1000, (130.0 + rows as f64 * TERNARY_PANEL_H).round() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let rest = draw::header(root, t, &self.title, &self.subtitle)?;
        let (w, _) = rest.dim_in_pixel();
        let (panels, bar) = rest.split_horizontally(w as i32 - t.px(BAR_COLUMN));
        let scale = ColourScale::covering(self.points.iter().filter(|p| p.1.n > 0).map(|p| p.1.mean));
        let (rows, cols) = self.grid();
        let cells = panels.split_evenly((rows, cols));
        let facets = self.facets();
        let corner_names = self.corners.map(|c| PILLARS[c]);
        for (f, cell) in facets.iter().zip(&cells) {
            let (cw, chh) = cell.dim_in_pixel();
            let (cw, chh) = (f64::from(cw), f64::from(chh));
            let caption = format!("{} = {}", PILLARS[self.facet], style::format_short(*f));
            let cap = t.text(Role::Panel).pos(Pos::new(HPos::Center, VPos::Top));
            cell.draw_text(&caption, &cap, ((cw / 2.0) as i32, t.px(4.0)))?;
            let label_h = f64::from(draw::line_height(t, Role::Tick));
            let max_r = t.scale * 14.0;
            let top_space = f64::from(draw::line_height(t, Role::Panel)) + t.scale * 6.0 + label_h + max_r;
            let bottom_space = label_h + max_r + t.scale * 4.0;
            let tick = t.text_coloured(Role::Tick, DARK_GREY);
            let half_label = |name: &str| draw::text_size(cell, name, &tick).map(|(w, _)| f64::from(w) / 2.0);
            let side_space = half_label(corner_names[1])?.max(half_label(corner_names[2])?) + t.scale * 10.0;
            let side = ((cw - 2.0 * side_space).min((chh - top_space - bottom_space) / (3f64.sqrt() / 2.0))).max(10.0);
            let height = side * 3f64.sqrt() / 2.0;
            let cx = cw / 2.0;
            let top = (cx, top_space + ((chh - top_space - bottom_space) - height) / 2.0);
            let bl = (cx - side / 2.0, top.1 + height);
            let br = (cx + side / 2.0, top.1 + height);
            let at = |a: f64, b: f64, c: f64| -> (i32, i32) {
                let x = a * top.0 + b * bl.0 + c * br.0;
                let y = a * top.1 + b * bl.1 + c * br.1;
                (x.round() as i32, y.round() as i32)
            };
            // Grid lines at quarters of each corner's share.
            for q in [0.25, 0.5, 0.75] {
                let lines = [
                    (at(q, 1.0 - q, 0.0), at(q, 0.0, 1.0 - q)),
                    (at(1.0 - q, q, 0.0), at(0.0, q, 1.0 - q)),
                    (at(1.0 - q, 0.0, q), at(0.0, 1.0 - q, q)),
                ];
                for (a, b) in lines {
                    cell.draw(&PathElement::new(vec![a, b], GRID.stroke_width(t.thin())))?;
                }
            }
            cell.draw(&PathElement::new(
                vec![at(1.0, 0.0, 0.0), at(0.0, 1.0, 0.0), at(0.0, 0.0, 1.0), at(1.0, 0.0, 0.0)],
                MID_GREY.stroke_width(t.thin()),
            ))?;
            // The facet's points, normalised over the three corners.
            let mine: Vec<&([f64; Pillar::COUNT], Summary)> =
                self.points.iter().filter(|(w, _)| (w[self.facet] - f).abs() < 1e-9).collect();
            let steps = {
                let mut shares: Vec<f64> = Vec::new();
                for (w, _) in &mine {
                    let s: f64 = self.corners.iter().map(|&c| w[c]).sum();
                    if s > 1e-9 {
                        let v = w[self.corners[0]] / s;
                        if !shares.iter().any(|x| (x - v).abs() < 1e-6) {
                            shares.push(v);
                        }
                    }
                }
                shares.len().saturating_sub(1).max(1) as f64
            };
            let r = (side / steps * 0.36).min(t.scale * 14.0).max(t.scale * 3.0).round() as i32;
            // Corner names just outside the corner markers.
            let off = f64::from(r) + t.scale * 3.0;
            cell.draw_text(
                corner_names[0],
                &tick.pos(Pos::new(HPos::Center, VPos::Bottom)),
                (top.0 as i32, (top.1 - off) as i32),
            )?;
            cell.draw_text(
                corner_names[1],
                &tick.pos(Pos::new(HPos::Center, VPos::Top)),
                (bl.0 as i32, (bl.1 + off) as i32),
            )?;
            cell.draw_text(
                corner_names[2],
                &tick.pos(Pos::new(HPos::Center, VPos::Top)),
                (br.0 as i32, (br.1 + off) as i32),
            )?;
            if mine.len() == 1 && mine[0].0[self.facet] > 1.0 - 1e-9 {
                let note = t.text_coloured(Role::Note, DARK_GREY).pos(Pos::new(HPos::Center, VPos::Top));
                let c = at(1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0);
                cell.draw_text(&format!("all on {}", PILLARS[self.facet]), &note, (c.0, c.1 + r + t.px(4.0)))?;
            }
            for (w, sum) in mine {
                let s: f64 = self.corners.iter().map(|&c| w[c]).sum();
                let p = if s > 1e-9 {
                    at(w[self.corners[0]] / s, w[self.corners[1]] / s, w[self.corners[2]] / s)
                } else {
                    at(1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0)
                };
                let fill = if sum.n > 0 { scale.colour(sum.mean) } else { GRID };
                cell.draw(&Circle::new(p, r, fill.filled()))?;
                cell.draw(&Circle::new(p, r, DARK_GREY.stroke_width(t.thin())))?;
            }
        }
        draw::colour_bar(&bar, t, &scale, &self.label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-factor sweep of a count: three points, one of them alone at its value.
    fn count_sweep() -> (SweepData, Factor) {
        let f = Factor::new("mission.troops".into(), vec!["0".into(), "500".into(), "500".into()]);
        let data = SweepData {
            outcome: "civilian_fatalities".into(),
            title: "Civilian fatalities".into(),
            unit: "people".into(),
            factors: vec![f.clone()],
            weights: None,
            facet: 3,
            // Mostly zeros and one large count: the t interval of the mean crosses 0.
            runs: vec![vec![0.0, 0.0, 0.0, 40.0], vec![1.0, 2.0], vec![3.0, 0.0]],
            seed: 42,
            outcome_index: 2,
            outcome_count: 5,
            paper: false,
        };
        (data, f)
    }

    #[test]
    fn effect_intervals_are_point_summary_bootstrap_intervals_within_the_counts_bounds() {
        let (s, f) = count_sweep();
        let levels = effect_levels(&s, &f);
        assert_eq!(levels.len(), 2);
        // The value held by point 0 alone: exactly point_summary.csv's interval (its stream is
        // point × outcomes + outcome, at the last position: see `write_point_summary`).
        let expected = bootstrap_mean_ci_at(&Streams::new(42), &s.runs[0], BOOTSTRAP_RESAMPLES, 2, u32::MAX);
        let zero = &levels[0].1;
        assert_eq!((zero.ci_low, zero.ci_high), expected);
        assert!((zero.mean - 10.0).abs() < 1e-12);
        // A t interval would go below 0 (the bars were cut there before); this one cannot.
        let t = summarize(&s.runs[0], &mut Vec::new());
        assert!(t.ci_low < 0.0, "the example needs a t interval below 0: {t:?}");
        assert!(zero.ci_low >= 0.0 && zero.ci_high <= 40.0, "{zero:?}");
        // The value held by two points pools their four runs, within their range.
        let pooled = &levels[1].1;
        assert_eq!(pooled.n, 4);
        assert!(
            pooled.ci_low >= 0.0 && pooled.ci_high <= 3.0 && pooled.ci_low < pooled.ci_high,
            "{pooled:?}"
        );
        // Reproducible: the same inputs give the same interval.
        assert_eq!(effect_levels(&s, &f)[1].1, *pooled);
    }

    #[test]
    fn numeric_factors_sort_numerically() {
        let f = Factor::new(
            "mission.troops".into(),
            vec!["1500".into(), "200".into(), "1500".into(), "0".into()],
        );
        assert_eq!(f.levels, vec!["0", "200", "1500"]);
        let g = Factor::new("mission.mandate".into(), vec!["\"robust\"".into(), "\"observer\"".into()]);
        assert_eq!(g.levels, vec!["\"robust\"", "\"observer\""]);
        assert_eq!(label(&g.levels[0]), "robust");
    }

    #[test]
    fn outcome_descriptions_split_units() {
        assert_eq!(
            describe_outcome("peak_displaced"),
            ("Highest number displaced at once".into(), "people".into())
        );
        assert_eq!(describe_outcome("final_m0").1, "");
    }
}
