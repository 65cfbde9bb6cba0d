//! Maps of a run: localities at their coordinates (`network.csv`), links between them
//! (`links.csv`), circles sized by the people present and coloured by a locality indicator at a
//! tick (`localities.csv`), a colour scale, a size key, a scale bar and names where they fit;
//! and a strip of the same map at several ticks on one colour scale.
//!
//! Directories without `localities.csv` (ensembles, comparisons, sweeps) get no map. This module
//! must not invent positions: coordinates are drawn as written, one kilometre the same length on
//! both axes.

use std::collections::BTreeMap;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::Table;
use super::draw::{self, DrawResult, Figure};
use super::options::{Ctx, PlotOptions, unknown};
use super::series::with_unit;
use super::style::{self, ColourScale, DARK_GREY, MID_GREY, Role, Theme};
use crate::error::{Error, Result};
use crate::phases::indicators::LocalityIndicators;

/// Checks the requested map indicator (also for directories that have no map).
pub(crate) fn check_indicator(options: &PlotOptions) -> Result<String> {
    let name = options.map_indicator.as_deref().unwrap_or(PlotOptions::DEFAULT_MAP_INDICATOR);
    if LocalityIndicators::NAMES.contains(&name) {
        Ok(name.to_string())
    } else {
        Err(unknown(
            "locality indicator",
            name,
            LocalityIndicators::NAMES,
            "use a column of localities.csv (listed by `peacesim indicators`)",
        ))
    }
}

/// A link between two localities, as two (x, y) positions in km.
type Link = ((f64, f64), (f64, f64));

/// One locality at one tick.
#[derive(Debug, Clone)]
struct Place {
    name: String,
    x: f64,
    y: f64,
    population: f64,
    value: f64,
}

/// What the maps need.
pub(crate) struct MapData {
    indicator: String,
    unit: String,
    title: String,
    /// (tick, day, places) for the single map.
    single: (u32, f64, Vec<Place>),
    /// The strip's ticks.
    strip: Vec<(u32, f64, Vec<Place>)>,
    links: Vec<Link>,
}

impl MapData {
    /// Reads the network, links and locality rows; `None` when the directory has no locality
    /// rows or no network (nothing to map).
    pub fn load(dir: &Path, options: &PlotOptions) -> Result<Option<Self>> {
        let indicator = check_indicator(options)?;
        let (Some(network), Some(localities)) = (
            Table::read_if_exists(&dir.join("network.csv"))?,
            Table::read_if_exists(&dir.join("localities.csv"))?,
        ) else {
            return Ok(None);
        };
        let (nc, xc, yc) = (network.col("locality")?, network.col("x_km")?, network.col("y_km")?);
        let mut position = BTreeMap::new();
        for r in 0..network.len() {
            position.insert(network.text(r, nc).to_string(), (network.num(r, xc)?, network.num(r, yc)?));
        }
        let mut links = Vec::new();
        if let Some(l) = Table::read_if_exists(&dir.join("links.csv"))? {
            let (fc, tc) = (l.col("from")?, l.col("to")?);
            for r in 0..l.len() {
                let (Some(a), Some(b)) = (position.get(l.text(r, fc)), position.get(l.text(r, tc))) else {
                    return Err(Error::Output {
                        path: l.path.clone(),
                        message: format!("line {}: a link names a locality that is not in network.csv", r + 2),
                    });
                };
                links.push((*a, *b));
            }
        }
        let (tc, dc, lc, pc, vc) = (
            localities.col("tick")?,
            localities.col("day")?,
            localities.col("locality")?,
            localities.col("population")?,
            localities.col(&indicator)?,
        );
        let mut by_tick: BTreeMap<u32, (f64, Vec<Place>)> = BTreeMap::new();
        for r in 0..localities.len() {
            let name = localities.text(r, lc);
            let Some(&(x, y)) = position.get(name) else {
                return Err(Error::Output {
                    path: localities.path.clone(),
                    message: format!("line {}: locality `{name}` is not in network.csv", r + 2),
                });
            };
            let tick = u32::try_from(localities.int(r, tc)?).unwrap_or(u32::MAX);
            let entry = by_tick.entry(tick).or_insert_with(|| (0.0, Vec::new()));
            entry.0 = localities.num(r, dc)?;
            entry.1.push(Place {
                name: name.to_string(),
                x,
                y,
                population: localities.num(r, pc)?,
                value: localities.num(r, vc)?,
            });
        }
        let ticks: Vec<u32> = by_tick.keys().copied().collect();
        let Some(&last) = ticks.last() else { return Ok(None) };
        let check = |t: u32| -> Result<u32> {
            if by_tick.contains_key(&t) {
                Ok(t)
            } else {
                Err(Error::Usage(format!(
                    "map tick {t} has no rows in localities.csv; available ticks: {}",
                    describe_ticks(&ticks)
                )))
            }
        };
        let single_tick = check(options.map_tick.unwrap_or(last))?;
        let strip_ticks: Vec<u32> = if options.map_ticks.is_empty() {
            let k = 4.min(ticks.len());
            let mut v: Vec<u32> = (0..k)
                .map(|i| {
                    ticks[if k == 1 {
                        0
                    } else {
                        (i * (ticks.len() - 1) + (k - 1) / 2) / (k - 1)
                    }]
                })
                .collect();
            v.dedup();
            v
        } else {
            options.map_ticks.iter().map(|&t| check(t)).collect::<Result<_>>()?
        };
        let take = |t: u32| {
            let (day, places) = &by_tick[&t];
            (t, *day, places.clone())
        };
        let i = LocalityIndicators::NAMES.iter().position(|n| *n == indicator).unwrap_or(0);
        Ok(Some(Self {
            unit: LocalityIndicators::UNITS[i].to_string(),
            title: style::title_case(LocalityIndicators::MEANINGS[i]),
            single: take(single_tick),
            strip: strip_ticks.into_iter().map(take).collect(),
            indicator,
            links,
        }))
    }
}

/// Ticks for a message: all of them when few, else the first, second and last.
fn describe_ticks(ticks: &[u32]) -> String {
    if ticks.len() <= 8 {
        ticks.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    } else {
        format!("{}, {}, ..., {}", ticks[0], ticks[1], ticks[ticks.len() - 1])
    }
}

/// Draws the map and the strip.
pub(crate) fn plot_maps(ctx: &mut Ctx, m: &MapData) -> Result<()> {
    let label = if ctx.look.is_paper() {
        with_unit(&super::series::paper_label(&m.title), &m.unit)
    } else {
        with_unit(&m.indicator, &m.unit)
    };
    let max_pop = m
        .strip
        .iter()
        .chain(std::iter::once(&m.single))
        .flat_map(|p| p.2.iter().map(|x| x.population))
        .fold(0.0, f64::max);
    let single = MapFigure {
        title: format!("{} by locality, day {}", m.title, style::format_short(m.single.1)),
        subtitle: vec![format!(
            "Colour: {label} at tick {}; circle area: people present; lines: links",
            m.single.0
        )],
        panels: vec![m.single.clone()],
        links: &m.links,
        scale: ColourScale::covering(m.single.2.iter().map(|p| p.value)),
        label: label.clone(),
        max_pop,
        names: true,
    };
    draw::render(ctx, &draw::stem(&["map", &m.indicator]), &single)?;
    let strip = MapFigure {
        title: format!("{} by locality over time", m.title),
        subtitle: vec![format!(
            "Colour: {label} on one scale for all panels; circle area: people present; lines: links"
        )],
        panels: m.strip.clone(),
        links: &m.links,
        scale: ColourScale::covering(m.strip.iter().flat_map(|p| p.2.iter().map(|x| x.value))),
        label,
        max_pop,
        names: false,
    };
    draw::render(ctx, &draw::stem(&["map-strip", &m.indicator]), &strip)
}

struct MapFigure<'a> {
    title: String,
    subtitle: Vec<String>,
    panels: Vec<(u32, f64, Vec<Place>)>,
    links: &'a [Link],
    scale: ColourScale,
    label: String,
    max_pop: f64,
    names: bool,
}

const KEY_COLUMN: f64 = 160.0;

impl MapFigure<'_> {
    fn max_radius(&self) -> f64 {
        if self.panels.len() > 1 { 13.0 } else { 20.0 }
    }
}

impl MapFigure<'_> {
    /// Size at `width` units with a title block `header` units high: the height from the map's
    /// aspect ratio (one kilometre is as long north as east).
    fn size_at(&self, width: f64, header: f64) -> (u32, u32) {
        let all = || self.panels.iter().flat_map(|p| p.2.iter());
        let (x0, x1) = style::widen_pair(style::finite_range(all().map(|p| p.x)).unwrap_or((0.0, 1.0)));
        let (y0, y1) = style::widen_pair(style::finite_range(all().map(|p| p.y)).unwrap_or((0.0, 1.0)));
        let aspect = ((y1 - y0) / (x1 - x0)).clamp(0.2, 3.0);
        let n = self.panels.len().max(1) as f64;
        let pad = 2.0 * (self.max_radius() + 6.0);
        let panel_w = (width - KEY_COLUMN) / n - pad;
        let caption = if n > 1.0 { 30.0 } else { 0.0 };
        let scale_bar = 32.0;
        let height = header + caption + panel_w * aspect + pad + scale_bar;
        let min = if n > 1.0 { 240.0 } else { 340.0 } + header;
        (width as u32, height.clamp(min, 1400.0).round() as u32)
    }
}

impl Figure for MapFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let n = self.panels.len();
        let width: f64 = if n > 1 { 1000.0 } else { 640.0 };
        self.size_at(width, if n > 1 { 80.0 } else { 85.0 })
    }

    fn paper_size(&self, width: u32) -> (u32, u32) {
        self.size_at(f64::from(width), draw::MARGIN)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let rest = draw::header(root, t, &self.title, &self.subtitle)?;
        let (w, h) = rest.dim_in_pixel();
        let (maps, key) = rest.split_horizontally(w as i32 - t.px(KEY_COLUMN));
        let cells = maps.split_evenly((1, self.panels.len().max(1)));
        let all: Vec<&Place> = self.panels.iter().flat_map(|p| p.2.iter()).collect();
        let xr = style::widen_pair(style::finite_range(all.iter().map(|p| p.x)).unwrap_or((0.0, 1.0)));
        let yr = style::widen_pair(style::finite_range(all.iter().map(|p| p.y)).unwrap_or((0.0, 1.0)));
        for ((tick, day, places), cell) in self.panels.iter().zip(&cells) {
            let caption_h = if self.panels.len() > 1 {
                let cap = t.text(Role::Panel).pos(Pos::new(HPos::Center, VPos::Top));
                let (cw, _) = cell.dim_in_pixel();
                // Narrow panels (four in a journal column) have room for the day only.
                let caption = if f64::from(cw) < t.scale * 180.0 {
                    format!("day {}", style::format_short(*day))
                } else {
                    format!("day {} (tick {tick})", style::format_short(*day))
                };
                cell.draw_text(&caption, &cap, (cw as i32 / 2, t.px(2.0)))?;
                draw::line_height(t, Role::Panel) + t.px(6.0)
            } else {
                0
            };
            let area = cell.split_vertically(caption_h).1;
            self.panel(&area, t, places, xr, yr, std::ptr::eq(cell, &cells[0]))?;
        }
        // Key: colour bar on top, circle sizes below.
        let (key_top, key_bottom) = key.split_vertically((f64::from(h) * 0.58) as i32);
        draw::colour_bar(&key_top, t, &self.scale, &self.label)?;
        self.size_key(&key_bottom, t)
    }
}

impl MapFigure<'_> {
    fn radius(&self, t: &Theme, population: f64) -> i32 {
        let share = if self.max_pop > 0.0 {
            (population / self.max_pop).max(0.0)
        } else {
            0.0
        };
        t.px((self.max_radius() * share.sqrt()).max(2.5))
    }

    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        t: &Theme,
        places: &[Place],
        xr: (f64, f64),
        yr: (f64, f64),
        scale_bar: bool,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (f64::from(w), f64::from(h));
        let scale_bar_h = f64::from(draw::line_height(t, Role::Note)) + t.scale * 12.0;
        let pad = t.scale * (self.max_radius() + 6.0);
        let avail_w = (w - 2.0 * pad).max(10.0);
        let avail_h = (h - 2.0 * pad - scale_bar_h).max(10.0);
        let k = (avail_w / (xr.1 - xr.0)).min(avail_h / (yr.1 - yr.0));
        let ox = (w - k * (xr.1 - xr.0)) / 2.0;
        let oy = pad + (avail_h - k * (yr.1 - yr.0)) / 2.0;
        let map_bottom = oy + k * (yr.1 - yr.0) + pad;
        let at = |x: f64, y: f64| -> (i32, i32) { ((ox + (x - xr.0) * k).round() as i32, (oy + (yr.1 - y) * k).round() as i32) };
        for (a, b) in self.links {
            area.draw(&PathElement::new(
                vec![at(a.0, a.1), at(b.0, b.1)],
                MID_GREY.mix(0.7).stroke_width(t.thin()),
            ))?;
        }
        let mut order: Vec<&Place> = places.iter().collect();
        order.sort_by(|a, b| b.population.total_cmp(&a.population));
        let mut occupied: Vec<(i32, i32, i32, i32)> = Vec::new();
        for p in &order {
            let c = at(p.x, p.y);
            let r = self.radius(t, p.population);
            let fill = if p.value.is_finite() {
                self.scale.colour(p.value)
            } else {
                style::GRID
            };
            area.draw(&Circle::new(c, r, fill.filled()))?;
            area.draw(&Circle::new(c, r, DARK_GREY.stroke_width(t.thin())))?;
            occupied.push((c.0 - r, c.1 - r, c.0 + r, c.1 + r));
        }
        if self.names {
            let note = t.text_coloured(Role::Note, BLACK);
            let gap = t.px(3.0);
            for p in &order {
                let c = at(p.x, p.y);
                let r = self.radius(t, p.population);
                let (tw, th) = draw::text_size(area, &p.name, &note)?;
                let candidates = [
                    (c.0 + r + gap, c.1 - th / 2),
                    (c.0 - r - gap - tw, c.1 - th / 2),
                    (c.0 - tw / 2, c.1 - r - gap - th),
                    (c.0 - tw / 2, c.1 + r + gap),
                ];
                for (x, y) in candidates {
                    let rect = (x, y, x + tw, y + th);
                    let inside = x >= 0 && y >= 0 && x + tw <= w as i32 && y + th <= (h - scale_bar_h) as i32;
                    let free = occupied.iter().all(|o| !overlaps(*o, rect));
                    if inside && free {
                        area.draw_text(&p.name, &note, (x, y))?;
                        occupied.push(rect);
                        break;
                    }
                }
            }
        }
        if !scale_bar {
            return Ok(());
        }
        // Scale bar at the bottom left.
        let km = style::nice_step((xr.1 - xr.0) / 4.0);
        let len = (km * k).round() as i32;
        let x0 = t.px(draw::MARGIN);
        let y0 = (map_bottom + t.scale * 8.0).min(h - t.scale * 8.0) as i32;
        let bar = DARK_GREY.stroke_width(t.line_width());
        area.draw(&PathElement::new(vec![(x0, y0), (x0 + len, y0)], bar))?;
        for x in [x0, x0 + len] {
            area.draw(&PathElement::new(vec![(x, y0 - t.px(4.0)), (x, y0)], bar))?;
        }
        let st = t.text_coloured(Role::Note, DARK_GREY).pos(Pos::new(HPos::Left, VPos::Bottom));
        area.draw_text(
            &format!("{} km", style::format_value(km)),
            &st,
            (x0 + len + t.px(6.0), y0 + t.px(2.0)),
        )?;
        Ok(())
    }

    fn size_key<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        if self.max_pop.is_nan() || self.max_pop <= 0.0 {
            return Ok(());
        }
        let style = t.text(Role::Legend);
        let x0 = t.px(8.0);
        let mut y = t.px(8.0);
        area.draw_text("people present", &style, (x0, y))?;
        y += draw::line_height(t, Role::Legend) + t.px(6.0);
        let big = style::nice_step(self.max_pop * 0.6);
        let values = [big, big / 4.0];
        let rmax = self.radius(t, big);
        let cx = x0 + rmax;
        for v in values {
            let r = self.radius(t, v);
            let cy = y + r;
            area.draw(&Circle::new((cx, cy), r, style::GRID.filled()))?;
            area.draw(&Circle::new((cx, cy), r, DARK_GREY.stroke_width(t.thin())))?;
            let st = t.text_coloured(Role::Tick, DARK_GREY).pos(Pos::new(HPos::Left, VPos::Center));
            area.draw_text(&style::format_number(v, 0), &st, (cx + rmax + t.px(8.0), cy))?;
            y = cy + r + t.px(8.0);
        }
        Ok(())
    }
}

fn overlaps(a: (i32, i32, i32, i32), b: (i32, i32, i32, i32)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_map_indicators_are_refused_with_a_suggestion() {
        let o = PlotOptions {
            map_indicator: Some("af_mo".into()),
            ..PlotOptions::default()
        };
        let e = check_indicator(&o).unwrap_err().to_string();
        assert!(e.contains("unknown locality indicator `af_mo` (did you mean `af_m0`?)"), "{e}");
        assert_eq!(check_indicator(&PlotOptions::default()).unwrap(), "af_m0");
    }

    #[test]
    fn rectangles_overlap_only_when_they_share_area() {
        assert!(overlaps((0, 0, 10, 10), (5, 5, 15, 15)));
        assert!(!overlaps((0, 0, 10, 10), (10, 0, 20, 10)));
    }
}
