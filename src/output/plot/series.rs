//! Time-series figures: one indicator over time (a single run's line, an ensemble's mean with a
//! 95 % confidence band, or the arms of a comparison overlaid), and the human-security panel
//! (the seven deprivation shares, Alkire–Foster H, A and M0, and the dimensions' contributions to
//! M0 as a stacked area).
//!
//! Reads `timeseries.csv` (runs) or `summary.csv`, `series.csv` and `design.csv` (ensembles and
//! comparisons). It must not recompute what the files already hold: stored means and intervals
//! are drawn as written; only derived indicators (`civilian_fatalities`, `*_cumulative`) are
//! summarised here, from the per-replicate series, with the same statistics.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::Table;
use super::draw::{self, Axes, DrawResult, Figure, Layer, LegendItem, Line, Swatch};
use super::options::{Ctx, unknown};
use super::style::{self, Theme, okabe_ito};
use crate::error::{Error, Result};
use crate::output::manifest::Manifest;
use crate::phases::indicators::Indicators;
use crate::rng::Streams;
use crate::stats::{BOOTSTRAP_RESAMPLES, bootstrap_indices, bootstrap_mean_ci_with, summarize};

/// Columns summed into the derived `civilian_fatalities` (the dashboard's live series sum the same).
pub(crate) const CIVILIAN_PARTS: [&str; 5] = [
    "civilian_fatalities_rebel",
    "civilian_fatalities_militia",
    "civilian_fatalities_state",
    "civilian_fatalities_mission",
    "civilian_fatalities_crossfire",
];

/// The seven dimensions: column suffix, panel title, colour in the stacked area.
const DIMENSIONS: [(&str, &str, RGBColor); 7] = [
    ("personal", "Personal security", okabe_ito::VERMILION),
    ("community", "Community security", okabe_ito::ORANGE),
    ("political", "Political security", okabe_ito::PURPLE),
    ("economic", "Economic security", okabe_ito::BLUE),
    ("food", "Food security", okabe_ito::YELLOW),
    ("health", "Health security", okabe_ito::GREEN),
    ("environmental", "Environmental security", okabe_ito::SKY_BLUE),
];

/// The Alkire–Foster panels: column, panel title.
const AF: [(&str, &str); 3] = [
    ("af_headcount_h", "Headcount ratio H"),
    ("af_intensity_a", "Intensity A"),
    ("af_m0", "Adjusted headcount M0"),
];

/// Columns the human-security panel needs.
fn panel_columns() -> Vec<String> {
    let mut v: Vec<String> = DIMENSIONS.iter().map(|d| format!("deprived_{}_share", d.0)).collect();
    v.extend(AF.iter().map(|a| a.0.to_string()));
    v.extend(DIMENSIONS.iter().map(|d| format!("contribution_{}", d.0)));
    v
}

/// Size of single-panel figures (SVG units): single-column width.
const SINGLE: (u32, u32) = (480, 400);
/// Size of single-panel figures with a legend of arms.
const SINGLE_LEGEND: (u32, u32) = (480, 440);
/// Size of the human-security panel: double-column width.
const PANEL: (u32, u32) = (1000, 860);

/// How an indicator is computed from the columns of a series.
#[derive(Debug, Clone, PartialEq)]
enum Recipe {
    /// A column as written.
    Column(String),
    /// The sum of columns.
    Sum(Vec<String>),
    /// The running total of another recipe.
    Cumulative(Box<Recipe>),
}

impl Recipe {
    /// Values for rows `0..n`, with `get(column, row)` reading a cell.
    fn eval(&self, n: usize, get: &dyn Fn(&str, usize) -> Result<f64>) -> Result<Vec<f64>> {
        match self {
            Self::Column(c) => (0..n).map(|k| get(c, k)).collect(),
            Self::Sum(cols) => {
                let mut out = vec![0.0; n];
                for c in cols {
                    for (k, o) in out.iter_mut().enumerate() {
                        *o += get(c, k)?;
                    }
                }
                Ok(out)
            }
            Self::Cumulative(r) => {
                let mut total = 0.0;
                Ok(r.eval(n, get)?
                    .into_iter()
                    .map(|v| {
                        if v.is_finite() {
                            total += v;
                        }
                        total
                    })
                    .collect())
            }
        }
    }
}

/// Finds how to compute `name` from the `available` columns.
fn resolve(name: &str, available: &[String]) -> Result<Recipe> {
    if let Some(r) = resolve_plain(name, available) {
        return Ok(r);
    }
    if let Some(r) = name.strip_suffix("_cumulative").and_then(|base| resolve_plain(base, available)) {
        return Ok(Recipe::Cumulative(Box::new(r)));
    }
    let mut candidates: Vec<String> = available.to_vec();
    candidates.push("civilian_fatalities".into());
    candidates.extend(candidates.clone().iter().map(|c| format!("{c}_cumulative")));
    let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
    Err(unknown(
        "indicator",
        name,
        &refs,
        "use a column of timeseries.csv (listed by `peacesim indicators`), `civilian_fatalities` or `<indicator>_cumulative`",
    ))
}

/// The indicators to draw. Names the user chose must all exist; from the default list, those
/// present are drawn, and when none is (a classic model's run), every column is.
fn select(indicators: &[String], is_default: bool, available: &[String]) -> Result<Vec<(String, Recipe)>> {
    if is_default {
        let found: Vec<(String, Recipe)> = indicators
            .iter()
            .filter_map(|n| resolve(n, available).ok().map(|r| (n.clone(), r)))
            .collect();
        if !found.is_empty() {
            return Ok(found);
        }
        return Ok(available.iter().map(|n| (n.clone(), Recipe::Column(n.clone()))).collect());
    }
    indicators.iter().map(|n| resolve(n, available).map(|r| (n.clone(), r))).collect()
}

/// Whether the series hold every column of the human-security panel.
fn has_panel(available: &[String]) -> bool {
    panel_columns().iter().all(|c| available.contains(c))
}

fn resolve_plain(name: &str, available: &[String]) -> Option<Recipe> {
    if available.iter().any(|a| a == name) {
        Some(Recipe::Column(name.to_string()))
    } else if name == "civilian_fatalities" && CIVILIAN_PARTS.iter().all(|p| available.iter().any(|a| a == p)) {
        Some(Recipe::Sum(CIVILIAN_PARTS.iter().map(|s| (*s).to_string()).collect()))
    } else {
        None
    }
}

/// Title and unit of an indicator (from [`Indicators::MEANINGS`] and [`Indicators::UNITS`]).
pub(crate) fn describe(name: &str) -> (String, String) {
    if let Some(base) = name.strip_suffix("_cumulative") {
        let (title, unit) = describe(base);
        return (format!("{}, cumulative", title.replace(" this tick", "")), unit);
    }
    if name == "civilian_fatalities" {
        return ("Civilians killed this tick, all perpetrators and crossfire".into(), "people".into());
    }
    if let Some(i) = Indicators::NAMES.iter().position(|n| *n == name) {
        return (style::title_case(Indicators::MEANINGS[i]), Indicators::UNITS[i].to_string());
    }
    if let Some(g) = name.strip_prefix("civilian_fatalities_by_") {
        return (format!("Civilians killed by {} this tick", style::prose(g)), "people".into());
    }
    if let Some(g) = name.strip_prefix("fighters_") {
        return (format!("Fighters of {}", style::prose(g)), "people".into());
    }
    let prose = style::prose(name);
    let mut chars = prose.chars();
    let title = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    (title, String::new())
}

/// The axes of an indicator's time series: in the screen style the column name, in the paper
/// style its label from the catalogue ([`paper_label`]).
pub(crate) fn axes_for(ctx: &Ctx, name: &str, title: &str, unit: &str) -> Axes {
    if ctx.look.is_paper() {
        Axes {
            x_desc: PAPER_TIME_AXIS.into(),
            ..Axes::days(&paper_label(title), unit)
        }
    } else {
        Axes::days(name, unit)
    }
}

/// The time axis in the paper style.
pub(crate) const PAPER_TIME_AXIS: &str = "Time (days)";

/// A column's label for a paper's axis from its meaning in the catalogue (`peacesim
/// indicators`): the meaning up to its first explanation (a colon, semicolon, ` = ` or a
/// parenthesis), without the final full stop.
#[must_use]
pub fn paper_label(meaning: &str) -> String {
    let m = style::title_case(meaning);
    let cut = [": ", "; ", " = ", " ("]
        .iter()
        .filter_map(|sep| m.find(sep))
        .min()
        .unwrap_or(m.len());
    m[..cut].trim().to_string()
}

/// Axis description: the column name and its unit.
pub(crate) fn with_unit(name: &str, unit: &str) -> String {
    if unit.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({unit})")
    }
}

/// A single run's national series.
pub(crate) struct RunData {
    table: Table,
    day: usize,
    requested: Vec<(String, Recipe)>,
    panel: bool,
}

impl RunData {
    /// Reads `timeseries.csv` and checks the requested indicators (`is_default`: the caller did
    /// not choose them).
    pub fn load(dir: &Path, indicators: &[String], is_default: bool) -> Result<Self> {
        let table = Table::read(&dir.join("timeseries.csv"))?;
        let day = table.col("day")?;
        let available: Vec<String> = table
            .header
            .iter()
            .filter(|h| !matches!(h.as_str(), "tick" | "day" | "seed"))
            .cloned()
            .collect();
        let requested = select(indicators, is_default, &available)?;
        Ok(Self {
            table,
            day,
            requested,
            panel: has_panel(&available),
        })
    }

    fn series(&self, recipe: &Recipe) -> Result<Vec<(f64, f64)>> {
        let get = |c: &str, row: usize| -> Result<f64> { self.table.num(row, self.table.col(c)?) };
        let values = recipe.eval(self.table.len(), &get)?;
        (0..self.table.len())
            .zip(values)
            .map(|(row, v)| Ok((self.table.num(row, self.day)?, v)))
            .collect()
    }

    fn column(&self, name: &str) -> Result<Vec<(f64, f64)>> {
        self.series(&Recipe::Column(name.to_string()))
    }
}

/// Draws a run's time series and human-security panel.
pub(crate) fn plot_run(ctx: &mut Ctx, run: &RunData, manifest: &Manifest) -> Result<()> {
    let scenario = manifest
        .scenario
        .as_ref()
        .and_then(|s| Path::new(&s.file).file_name().map(|f| f.to_string_lossy().into_owned()));
    let subtitle = vec![match scenario {
        Some(s) => format!("One run of {s}, seed {}", manifest.seed),
        None => format!("One run, seed {}", manifest.seed),
    }];
    for (name, recipe) in &run.requested {
        let (title, unit) = describe(name);
        let axes = axes_for(ctx, name, &title, &unit);
        let fig = LineFigure {
            title,
            subtitle: subtitle.clone(),
            axes,
            lines: vec![Line {
                colour: okabe_ito::BLUE,
                arm: None,
                points: run.series(recipe)?,
                band: Vec::new(),
            }],
            legend: Vec::new(),
            size: SINGLE,
        };
        draw::render(ctx, &draw::stem(&["timeseries", name]), &fig)?;
    }
    if !run.panel {
        return Ok(());
    }
    let mut panels = Vec::new();
    for (col, title, unit) in panel_specs() {
        let line = Line {
            colour: okabe_ito::BLUE,
            arm: None,
            points: run.column(&col)?,
            band: Vec::new(),
        };
        panels.push((small_axes(title, &unit), vec![line]));
    }
    let mut layers = Vec::new();
    for (d, title, colour) in DIMENSIONS {
        layers.push(Layer {
            label: title.trim_end_matches(" security").to_lowercase(),
            colour,
            points: run.column(&format!("contribution_{d}"))?,
        });
    }
    let fig = PanelFigure {
        title: "Human security: deprivation by dimension and the Alkire–Foster index".into(),
        subtitle,
        panels,
        stack: Some(layers),
        legend: Vec::new(),
    };
    draw::render(ctx, "human-security", &fig)
}

/// Column, panel title and unit of each small panel of the human-security figure.
fn panel_specs() -> Vec<(String, String, String)> {
    let unit = |c: &str| describe(c).1;
    let mut v: Vec<(String, String, String)> = DIMENSIONS
        .iter()
        .map(|(d, title, _)| {
            let c = format!("deprived_{d}_share");
            let u = format!("deprived {}", unit(&c));
            (c, (*title).to_string(), u)
        })
        .collect();
    v.extend(AF.iter().map(|(c, title)| ((*c).to_string(), (*title).to_string(), unit(c))));
    v
}

fn small_axes(title: String, y_desc: &str) -> Axes {
    Axes {
        caption: Some(title),
        ticks: (4, 5),
        ..Axes::new("day", y_desc)
    }
}

/// One design point of an ensemble or comparison.
#[derive(Debug, Clone)]
struct Group {
    name: String,
    n: usize,
}

/// Mean and 95 % CI of an indicator at one tick.
#[derive(Debug, Clone, Copy)]
struct Stat {
    day: f64,
    mean: f64,
    lo: f64,
    hi: f64,
}

/// An ensemble's or comparison's summarised series.
pub(crate) struct ReplicatedData {
    comparison: bool,
    panel: bool,
    groups: Vec<Group>,
    stats: BTreeMap<(usize, String), Vec<Stat>>,
    requested: Vec<String>,
}

const SERIES_KEYS: [&str; 6] = ["run", "point", "replicate", "seed", "tick", "day"];

impl ReplicatedData {
    /// Reads `design.csv`, `summary.csv` and (for days and derived indicators) `series.csv`.
    /// `seed` is the experiment's master seed: derived indicators' intervals use the bootstrap
    /// resamples `summary.csv` used at the same point and tick.
    pub fn load(dir: &Path, indicators: &[String], is_default: bool, kind: &str, seed: u64) -> Result<Self> {
        let comparison = kind == "comparison";
        let design = Table::read(&dir.join("design.csv"))?;
        let point_col = design.col("point")?;
        let arm_col = if comparison { Some(design.col("arm")?) } else { None };
        let mut point_index = BTreeMap::new();
        let mut groups = Vec::new();
        for row in 0..design.len() {
            let p = design.int(row, point_col)?;
            let name = match arm_col {
                Some(c) => design.text(row, c).to_string(),
                None if design.len() == 1 => "ensemble".into(),
                None => format!("point {p}"),
            };
            point_index.insert(p, groups.len());
            groups.push(Group { name, n: 0 });
        }
        let summary_path = dir.join("summary.csv");
        if !summary_path.exists() {
            return Err(Error::Output {
                path: dir.to_path_buf(),
                message: "no summary.csv: time series of an ensemble or comparison are drawn from its summary".into(),
            });
        }
        // Pass 1: which indicators the summary holds.
        let seen = RefCell::new(BTreeSet::new());
        Table::read_filtered(&summary_path, |header, row| {
            if let Some(i) = header.iter().position(|h| h == "indicator")
                && let Some(v) = row.get(i)
                && !seen.borrow().contains(v)
            {
                seen.borrow_mut().insert(v.to_string());
            }
            false
        })?;
        let available: Vec<String> = seen.into_inner().into_iter().collect();
        let requested = select(indicators, is_default, &available)?;
        let panel = has_panel(&available);
        let mut stored: BTreeSet<String> = if panel {
            panel_columns().into_iter().collect()
        } else {
            BTreeSet::new()
        };
        let mut derived = Vec::new();
        for (n, r) in &requested {
            match r {
                Recipe::Column(c) => {
                    stored.insert(c.clone());
                }
                _ => derived.push((n.clone(), r.clone())),
            }
        }
        // Days of ticks, and per-replicate series for derived indicators.
        let series_path = dir.join("series.csv");
        let series = if series_path.exists() {
            let all = !derived.is_empty();
            Some(Table::read_filtered(&series_path, |header, row| {
                all || header.iter().position(|h| h == "replicate").and_then(|i| row.get(i)) == Some("0")
            })?)
        } else if derived.is_empty() {
            None
        } else {
            return Err(Error::Output {
                path: dir.to_path_buf(),
                message: format!(
                    "no series.csv: `{}` is computed from the per-replicate series",
                    derived.iter().map(|d| d.0.as_str()).collect::<Vec<_>>().join("`, `")
                ),
            });
        };
        let mut day_of_tick = BTreeMap::new();
        if let Some(s) = &series {
            let (tc, dc) = (s.col("tick")?, s.col("day")?);
            for row in 0..s.len() {
                day_of_tick.insert(s.int(row, tc)?, s.num(row, dc)?);
            }
        }

        // Stored statistics.
        let summary = Table::read_filtered(&summary_path, |header, row| {
            header
                .iter()
                .position(|h| h == "indicator")
                .and_then(|i| row.get(i))
                .is_some_and(|v| stored.contains(v))
        })?;
        let (pc, tc, ic) = (summary.col("point")?, summary.col("tick")?, summary.col("indicator")?);
        let (nc, mc, lc, hc) = (
            summary.col("n")?,
            summary.col("mean")?,
            summary.col("boot_ci95_low")?,
            summary.col("boot_ci95_high")?,
        );
        let mut stats: BTreeMap<(usize, String), Vec<(u64, Stat)>> = BTreeMap::new();
        for row in 0..summary.len() {
            let point = summary.int(row, pc)?;
            let Some(&g) = point_index.get(&point) else {
                return Err(Error::Output {
                    path: summary_path.clone(),
                    message: format!("point {point} is not in design.csv"),
                });
            };
            let tick = summary.int(row, tc)?;
            let n = summary.int(row, nc)? as usize;
            groups[g].n = groups[g].n.max(n);
            let stat = Stat {
                day: day_of_tick.get(&tick).copied().unwrap_or(tick as f64),
                mean: summary.num(row, mc)?,
                lo: summary.num(row, lc)?,
                hi: summary.num(row, hc)?,
            };
            stats.entry((g, summary.text(row, ic).to_string())).or_default().push((tick, stat));
        }
        let mut stats: BTreeMap<(usize, String), Vec<Stat>> = stats
            .into_iter()
            .map(|(k, mut v)| {
                v.sort_by_key(|(t, _)| *t);
                (k, v.into_iter().map(|(_, s)| s).collect())
            })
            .collect();

        if let Some(s) = &series
            && !derived.is_empty()
        {
            derive(s, &point_index, &derived, &mut stats, seed)?;
        }
        Ok(Self {
            comparison,
            panel,
            groups,
            stats,
            requested: requested.into_iter().map(|(n, _)| n).collect(),
        })
    }

    pub(crate) fn lines(&self, indicator: &str, single_colour: Option<RGBColor>) -> Vec<Line> {
        self.groups
            .iter()
            .enumerate()
            .map(|(g, _)| {
                let stats = self.stats.get(&(g, indicator.to_string())).map_or(&[][..], Vec::as_slice);
                Line {
                    colour: single_colour.unwrap_or_else(|| style::category(g)),
                    arm: single_colour.is_none().then_some(g),
                    points: stats.iter().map(|s| (s.day, s.mean)).collect(),
                    band: stats.iter().map(|s| (s.day, s.lo, s.hi)).collect(),
                }
            })
            .collect()
    }

    fn n_text(&self) -> String {
        let ns: BTreeSet<usize> = self.groups.iter().map(|g| g.n).collect();
        ns.iter().map(ToString::to_string).collect::<Vec<_>>().join(" to ")
    }
}

/// Each replicate's (tick, day, value) rows.
type Replicates = Vec<Vec<(u64, f64, f64)>>;

/// Summarises derived indicators from per-replicate series, per point and tick.
fn derive(
    series: &Table,
    point_index: &BTreeMap<u64, usize>,
    derived: &[(String, Recipe)],
    stats: &mut BTreeMap<(usize, String), Vec<Stat>>,
    seed: u64,
) -> Result<()> {
    let streams = Streams::new(seed);
    for k in SERIES_KEYS {
        series.col(k)?;
    }
    let (pc, rc, tc, dc) = (
        series.col("point")?,
        series.col("replicate")?,
        series.col("tick")?,
        series.col("day")?,
    );
    let mut runs: BTreeMap<(u64, u64), Vec<(u64, usize)>> = BTreeMap::new();
    for row in 0..series.len() {
        runs.entry((series.int(row, pc)?, series.int(row, rc)?))
            .or_default()
            .push((series.int(row, tc)?, row));
    }
    let col_index: BTreeMap<&str, usize> = series.header.iter().enumerate().map(|(i, h)| (h.as_str(), i)).collect();
    for (name, recipe) in derived {
        // point -> per replicate values by tick
        let mut by_point: BTreeMap<u64, Replicates> = BTreeMap::new();
        for ((point, _), rows) in &mut runs {
            rows.sort_unstable();
            let get = |c: &str, k: usize| -> Result<f64> {
                let col = *col_index.get(c).ok_or_else(|| Error::Output {
                    path: series.path.clone(),
                    message: format!("no column `{c}`"),
                })?;
                series.num(rows[k].1, col)
            };
            let values = recipe.eval(rows.len(), &get)?;
            let mut v = Vec::with_capacity(rows.len());
            for (&(tick, row), value) in rows.iter().zip(values) {
                v.push((tick, series.num(row, dc)?, value));
            }
            by_point.entry(*point).or_default().push(v);
        }
        let mut scratch = Vec::new();
        for (point, reps) in by_point {
            let Some(&g) = point_index.get(&point) else { continue };
            let ticks = reps.iter().map(Vec::len).min().unwrap_or(0);
            let mut out = Vec::with_capacity(ticks);
            for k in 0..ticks {
                let values: Vec<f64> = reps.iter().map(|r| r[k].2).collect();
                let s = summarize(&values, &mut scratch);
                // The resamples of summary.csv at this point and tick (stream = point,
                // position = the tick's row), so that derived and stored bands agree.
                let position = u32::try_from(k).expect("ticks fit u32");
                let indices = bootstrap_indices(&streams, values.len(), BOOTSTRAP_RESAMPLES, point, position);
                let (lo, hi) = bootstrap_mean_ci_with(&values, &indices);
                out.push(Stat {
                    day: reps[0][k].1,
                    mean: s.mean,
                    lo,
                    hi,
                });
            }
            stats.insert((g, name.clone()), out);
        }
    }
    Ok(())
}

/// Cuts bands at the bounds a quantity cannot cross (0 when no mean is negative, 1 for shares
/// and indices); returns whether anything was cut. The bootstrap intervals drawn now never cross
/// them; this guards files written by versions that wrote t intervals.
pub(crate) fn cut_bands(lines: &mut [Line], unit: &str) -> bool {
    let upper = matches!(unit, "share" | "index 0-1" | "share of M0");
    let nonnegative = lines.iter().flat_map(|l| &l.points).all(|p| p.1 >= 0.0 || p.1.is_nan());
    let mut cut = false;
    for l in lines {
        for b in &mut l.band {
            if nonnegative && b.1 < 0.0 {
                b.1 = 0.0;
                cut = true;
            }
            if upper && b.2 > 1.0 {
                b.2 = 1.0;
                cut = true;
            }
        }
    }
    cut
}

/// Draws an ensemble's or comparison's time series and human-security panel.
pub(crate) fn plot_replicated(ctx: &mut Ctx, data: &ReplicatedData) -> Result<()> {
    let n = data.n_text();
    let base = if data.comparison {
        format!("Lines: mean of n = {n} replicates per arm (common random numbers); bands: 95 % CI of the mean")
    } else {
        format!("Line: mean of n = {n} replicates; band: 95 % CI of the mean")
    };
    let cut_note = "cut at the bounds of the possible range";
    let arms: Vec<LegendItem> = if data.comparison {
        data.groups
            .iter()
            .enumerate()
            .map(|(g, group)| LegendItem::new(group.name.clone(), Swatch::LineBand(style::category(g), Some(g))))
            .collect()
    } else {
        Vec::new()
    };
    let single = (!data.comparison).then_some(okabe_ito::BLUE);
    for name in &data.requested {
        let (title, unit) = describe(name);
        let mut lines = data.lines(name, single);
        let subtitle = if cut_bands(&mut lines, &unit) {
            format!("{base}, {cut_note}")
        } else {
            base.clone()
        };
        let fig = LineFigure {
            axes: axes_for(ctx, name, &title, &unit),
            title,
            subtitle: vec![subtitle],
            lines,
            legend: arms.clone(),
            size: if data.comparison { SINGLE_LEGEND } else { SINGLE },
        };
        let prefix = if data.comparison { "compare" } else { "timeseries" };
        draw::render(ctx, &draw::stem(&[prefix, name]), &fig)?;
    }
    if !data.panel {
        return Ok(());
    }
    let mut any_cut = false;
    let panels = panel_specs()
        .into_iter()
        .map(|(col, title, unit)| {
            let mut lines = data.lines(&col, single);
            any_cut |= cut_bands(&mut lines, &describe(&col).1);
            (small_axes(title, &unit), lines)
        })
        .collect();
    let stack = (!data.comparison).then(|| {
        DIMENSIONS
            .iter()
            .map(|(d, title, colour)| Layer {
                label: title.trim_end_matches(" security").to_lowercase(),
                colour: *colour,
                points: data.lines(&format!("contribution_{d}"), single).remove(0).points,
            })
            .collect()
    });
    let title = if data.comparison {
        "Human security by arm: deprivation by dimension and the Alkire–Foster index"
    } else {
        "Human security: deprivation by dimension and the Alkire–Foster index"
    };
    let mut subtitle = base;
    if any_cut {
        subtitle = format!("{subtitle}, {cut_note}");
    }
    if !data.comparison {
        subtitle.push_str("; stacked area: mean contributions");
    }
    let fig = PanelFigure {
        title: title.into(),
        subtitle: vec![subtitle],
        panels,
        stack,
        legend: arms,
    };
    draw::render(ctx, "human-security", &fig)
}

/// One indicator over time, with a title block and, for several lines, a legend above the plot.
struct LineFigure {
    title: String,
    subtitle: Vec<String>,
    axes: Axes,
    lines: Vec<Line>,
    legend: Vec<LegendItem>,
    size: (u32, u32),
}

impl Figure for LineFigure {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn paper_size(&self, width: u32) -> (u32, u32) {
        // No title block; a legend row for arms; at two columns a wider, not much taller plot.
        let plot = if width > 600 { 420 } else { 330 };
        let legend = if self.legend.is_empty() {
            0
        } else {
            30 * self.legend.len().div_ceil(3) as u32
        };
        (width, plot + legend)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let rest = draw::header(root, t, &self.title, &self.subtitle)?;
        let (w, _) = rest.dim_in_pixel();
        let x0 = t.px(draw::MARGIN);
        let h = draw::legend_rows(&rest, t, &self.legend, (x0, 0), w as i32 - 2 * x0, true)?;
        let plot = if h > 0 { rest.split_vertically(h + t.px(4.0)).1 } else { rest };
        draw::line_panel(&plot, t, &self.axes, &self.lines)
    }
}

/// Small multiples on a 3 × 4 grid: ten line panels, then either a stacked area with its
/// legend or a legend of the lines, in the last two cells.
struct PanelFigure {
    title: String,
    subtitle: Vec<String>,
    panels: Vec<(Axes, Vec<Line>)>,
    stack: Option<Vec<Layer>>,
    legend: Vec<LegendItem>,
}

/// Below this width (SVG units) the panel figure puts two panels in a row instead of four.
const NARROW: u32 = 700;

impl Figure for PanelFigure {
    fn size(&self) -> (u32, u32) {
        PANEL
    }

    fn paper_size(&self, width: u32) -> (u32, u32) {
        if width < NARROW {
            // Five rows of two panels, then the stacked area (or the arms' legend) across.
            let last = if self.stack.is_some() {
                200
            } else {
                40 + 34 * self.legend.len() as u32
            };
            (width, 5 * 200 + last)
        } else {
            (width, PANEL.1 - 60)
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let rest = draw::header(root, t, &self.title, &self.subtitle)?;
        let rest = rest.margin(0, t.px(draw::MARGIN), 0, 0);
        let narrow = f64::from(rest.dim_in_pixel().0) < f64::from(NARROW) * t.scale;
        let mut cells = Vec::new();
        let wide = if narrow {
            // The panels' rows are 200 units high (see `paper_size`); the rest is the last row.
            let (panels, last) = rest.split_vertically(t.px(5.0 * 200.0) - t.px(draw::MARGIN * 0.6));
            for r in panels.split_evenly((5, 1)) {
                cells.extend(r.split_evenly((1, 2)));
            }
            last
        } else {
            let rows = rest.split_evenly((3, 1));
            for r in &rows[..2] {
                cells.extend(r.split_evenly((1, 4)));
            }
            let (w, _) = rows[2].dim_in_pixel();
            let (last_row_left, wide) = rows[2].split_horizontally(w as i32 / 2);
            cells.extend(last_row_left.split_evenly((1, 2)));
            wide
        };
        for ((axes, lines), cell) in self.panels.iter().zip(&cells) {
            draw::line_panel(cell, t, axes, lines)?;
        }
        if let Some(layers) = &self.stack {
            let items: Vec<LegendItem> = layers
                .iter()
                .map(|l| LegendItem::new(l.label.clone(), Swatch::Fill(l.colour)))
                .collect();
            let lw = draw::legend_width(&wide, t, &items)? + t.px(12.0);
            let (w, h) = wide.dim_in_pixel();
            let (chart_area, legend_area) = wide.split_horizontally(w as i32 - lw);
            let axes = Axes {
                caption: Some("Contributions to M0".into()),
                y_range: Some((0.0, 1.0)),
                ticks: (4, 5),
                ..Axes::new("day", describe("contribution_personal").1)
            };
            draw::stacked_panel(&chart_area, t, &axes, layers)?;
            // Legend from the top layer down, level with the plot.
            let rev: Vec<LegendItem> = items.into_iter().rev().collect();
            let lh = draw::line_height(t, super::style::Role::Legend) + t.px(4.0);
            let top = ((h as i32 - lh * rev.len() as i32) / 2).max(0) - t.px(10.0);
            draw::legend_column(&legend_area, t, &rev, (t.px(6.0), top.max(0)))?;
        } else if !self.legend.is_empty() {
            let x = t.px(30.0);
            wide.draw_text("arm", &t.text(super::style::Role::Panel), (x, t.px(30.0)))?;
            draw::legend_column(
                &wide,
                t,
                &self.legend,
                (x, t.px(30.0) + draw::line_height(t, super::style::Role::Panel) + t.px(4.0)),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_to_recipes() {
        let available: Vec<String> = Indicators::NAMES.iter().map(|s| (*s).to_string()).collect();
        assert_eq!(resolve("af_m0", &available).unwrap(), Recipe::Column("af_m0".into()));
        assert!(matches!(resolve("civilian_fatalities", &available).unwrap(), Recipe::Sum(v) if v.len() == 5));
        assert!(matches!(
            resolve("displaced_cumulative", &available).unwrap(),
            Recipe::Cumulative(_)
        ));
        let e = resolve("displace", &available).unwrap_err().to_string();
        assert!(e.contains("unknown indicator `displace` (did you mean `displaced`?)"), "{e}");
        let e = resolve("civilian_fatalities_cumulativ", &available).unwrap_err().to_string();
        assert!(e.contains("did you mean `civilian_fatalities_cumulative`?"), "{e}");
    }

    #[test]
    fn cumulative_sums_skip_missing_values() {
        let r = Recipe::Cumulative(Box::new(Recipe::Column("x".into())));
        let data = [1.0, f64::NAN, 2.0];
        assert_eq!(r.eval(3, &|_, k| Ok(data[k])).unwrap(), vec![1.0, 1.0, 3.0]);
    }

    #[test]
    fn descriptions_carry_units() {
        assert_eq!(describe("displaced").1, "people");
        assert!(describe("civilian_fatalities_cumulative").0.ends_with(", cumulative"));
        assert_eq!(
            describe("fighters_state_forces"),
            ("Fighters of state forces".into(), "people".into())
        );
    }
}
