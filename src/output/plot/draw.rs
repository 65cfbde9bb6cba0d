//! Drawing pieces shared by every figure: rendering one figure to SVG and PNG, the title block,
//! legends laid out outside the data, line panels with confidence ribbons, stacked areas and
//! colour bars.
//!
//! Works on any plotters backend; sizes come from the [`Theme`] so SVG and PNG match. It must not
//! read files or choose what to show.

use std::error::Error as StdError;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::options::{Ctx, Format, Look, PAPER_DPI, SCREEN_DPI, SCREEN_PNG_WIDTH};
use super::style::{self, ColourScale, DARK_GREY, GRID, Marker, Role, Theme};
use crate::error::{Error, Result};

/// Result of drawing: any backend error, boxed.
pub(crate) type DrawResult<T = ()> = std::result::Result<T, Box<dyn StdError>>;

/// A figure that can be drawn on any backend.
pub(crate) trait Figure {
    /// Size in SVG units (the PNG is scaled up), screen style.
    fn size(&self) -> (u32, u32);

    /// Size in SVG units in the paper style, laid out `width` units wide (480 for one journal
    /// column, 1,000 for two): by default the screen size's height, scaled by at most a quarter
    /// toward the new width's proportions.
    fn paper_size(&self, width: u32) -> (u32, u32) {
        let (w, h) = self.size();
        let ratio = (f64::from(width) / f64::from(w.max(1))).clamp(0.8, 1.25);
        (width, (f64::from(h) * ratio).round() as u32)
    }

    /// Draws the whole figure on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static;
}

/// Size in SVG units, PNG width in pixels and the PNG's DPI of `fig` in `look`.
fn layout<F: Figure>(fig: &F, look: Look) -> ((u32, u32), u32, u32) {
    if look.is_paper() {
        (fig.paper_size(look.width.layout_units()), look.width.pixels(), PAPER_DPI)
    } else {
        (fig.size(), SCREEN_PNG_WIDTH, SCREEN_DPI)
    }
}

/// Writes `fig` as `ctx.out/<stem>.<ext>` in every requested format: the SVG at its layout
/// size (in the paper style with its printed size in millimetres), the PNG scaled to the look's
/// pixel width with its DPI written in a `pHYs` chunk.
pub(crate) fn render<F: Figure>(ctx: &mut Ctx, stem: &str, fig: &F) -> Result<()> {
    let ((w, h), png_width, dpi) = layout(fig, ctx.look);
    let paper = ctx.look.is_paper();
    for format in ctx.formats.clone() {
        let path = ctx.out.join(format!("{stem}.{}", format.extension()));
        let outcome = match format {
            Format::Svg => {
                let mut text = String::new();
                let drawn = {
                    let root = SVGBackend::with_string(&mut text, (w, h)).into_drawing_area();
                    draw_on(&root, fig, &Theme { scale: 1.0, paper })
                };
                drawn.and_then(|()| {
                    if paper {
                        text = printed_size(&text, w, h, ctx.look.width.millimetres());
                    }
                    std::fs::write(&path, text).map_err(Into::into)
                })
            }
            Format::Png => {
                let scale = f64::from(png_width) / f64::from(w.max(1));
                let size = (png_width, (f64::from(h) * scale).round() as u32);
                let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
                let drawn = {
                    let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
                    draw_on(&root, fig, &Theme { scale, paper })
                };
                drawn.and_then(|()| write_png(&path, size, &pixels, dpi))
            }
        };
        if let Err(e) = outcome {
            let _ = std::fs::remove_file(&path);
            return Err(Error::Output {
                path,
                message: format!("could not draw the figure: {e}"),
            });
        }
        ctx.written.push(path);
    }
    Ok(())
}

/// The SVG's `width` and `height` in millimetres (the view box keeps the layout units), so a
/// paper-style SVG prints at the column's width.
fn printed_size(svg: &str, w: u32, h: u32, millimetres: f64) -> String {
    let height = millimetres * f64::from(h) / f64::from(w.max(1));
    svg.replacen(
        &format!("width=\"{w}\" height=\"{h}\""),
        &format!("width=\"{millimetres}mm\" height=\"{height:.1}mm\""),
        1,
    )
}

/// Pixels per metre of `dpi` dots per inch (the unit of a PNG's `pHYs` chunk).
pub(crate) fn pixels_per_metre(dpi: u32) -> u32 {
    (f64::from(dpi) / 0.0254).round() as u32
}

/// Writes RGB `pixels` of `size` as a PNG with its resolution (`pHYs`) set to `dpi`.
fn write_png(path: &std::path::Path, (w, h): (u32, u32), pixels: &[u8], dpi: u32) -> DrawResult {
    let file = std::fs::File::create(path)?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let ppm = pixels_per_metre(dpi);
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: ppm,
        yppu: ppm,
        unit: png::Unit::Meter,
    }));
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()?;
    Ok(())
}

fn draw_on<DB: DrawingBackend, F: Figure>(root: &DrawingArea<DB, Shift>, fig: &F, t: &Theme) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    fig.draw(root, t)?;
    root.present()?;
    Ok(())
}

/// File-name-safe stem from a name (letters, digits, `-` and `_`).
pub(crate) fn stem(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| {
            p.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Width and height of `text` in pixels.
pub(crate) fn text_size<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, style: &TextStyle) -> DrawResult<(i32, i32)>
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.estimate_text_size(text, style)?;
    Ok((w as i32, h as i32))
}

/// Splits `text` into lines no wider than `width` pixels (a single long word stays whole).
pub(crate) fn wrap<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, style: &TextStyle, width: i32) -> DrawResult<Vec<String>>
where
    DB::ErrorType: 'static,
{
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && text_size(area, &candidate, style)?.0 > width {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// How many lines `text` takes wrapped as [`wrap`] wraps it, in `size`-unit text within `width`
/// layout units, measured with the registered font (no drawing area needed: for a figure's size
/// before it is drawn). Falls back to 0.56 em per character if the font cannot measure.
pub(crate) fn wrapped_lines(text: &str, size: f64, width: f64) -> usize {
    let font = (style::FAMILY, size).into_font();
    let measure = |s: &str| {
        font.box_size(s)
            .map_or(s.chars().count() as f64 * size * 0.56, |(w, _)| f64::from(w))
    };
    let (mut lines, mut line) = (0, String::new());
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && measure(&candidate) > width {
            lines += 1;
            line = word.to_string();
        } else {
            line = candidate;
        }
    }
    (lines + usize::from(!line.is_empty())).max(1)
}

/// Line height of a role, in pixels.
pub(crate) fn line_height(t: &Theme, role: Role) -> i32 {
    t.px(Theme::size_of(role) * 1.22)
}

/// Outer margin of figures, in SVG units.
pub(crate) const MARGIN: f64 = 10.0;

/// Draws the title (wrapped) and subtitle lines at the top of `area` and returns the area below.
pub(crate) fn header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Theme,
    title: &str,
    subtitle: &[String],
) -> DrawResult<DrawingArea<DB, Shift>>
where
    DB::ErrorType: 'static,
{
    if t.paper {
        // The paper's caption says what the title and subtitle would.
        return Ok(area.split_vertically(t.px(MARGIN * 0.6)).1);
    }
    let (w, _) = area.dim_in_pixel();
    let width = w as i32 - 2 * t.px(MARGIN);
    let x = t.px(MARGIN);
    let mut y = t.px(MARGIN * 0.8);
    let title_style = t.text(Role::Title);
    for line in wrap(area, title, &title_style, width)? {
        area.draw_text(&line, &title_style, (x, y))?;
        y += line_height(t, Role::Title);
    }
    let sub_style = t.text_coloured(Role::Subtitle, DARK_GREY);
    for s in subtitle {
        for line in wrap(area, s, &sub_style, width)? {
            area.draw_text(&line, &sub_style, (x, y))?;
            y += line_height(t, Role::Subtitle);
        }
    }
    y += t.px(6.0);
    Ok(area.split_vertically(y).1)
}

/// What a legend entry looks like.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A line over a shaded band, with the arm's dash pattern and marker if given.
    LineBand(RGBColor, Option<usize>),
    /// A filled square.
    Fill(RGBColor),
    /// A marker with a horizontal interval, filled or hollow; the arm's marker shape if given
    /// (a circle otherwise).
    Interval(RGBColor, bool, Option<usize>),
    /// A hollow diamond (a true value).
    Diamond(RGBColor),
}

/// One legend entry.
#[derive(Debug, Clone)]
pub(crate) struct LegendItem {
    /// Text.
    pub label: String,
    /// Symbol.
    pub swatch: Swatch,
}

impl LegendItem {
    /// An entry.
    pub fn new(label: impl Into<String>, swatch: Swatch) -> Self {
        Self {
            label: label.into(),
            swatch,
        }
    }
}

const SWATCH_W: f64 = 26.0;

fn draw_swatch<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, t: &Theme, swatch: Swatch, x: i32, cy: i32) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let w = t.px(SWATCH_W);
    let h = t.px(7.0);
    match swatch {
        Swatch::LineBand(c, arm) => {
            area.draw(&Rectangle::new([(x, cy - h), (x + w, cy + h)], c.mix(0.25).filled()))?;
            let (dash, marker) = arm.map_or((&[][..], None), |a| {
                let (d, m) = style::arm_pattern(a);
                (d, Some(m))
            });
            let segment = [(f64::from(x), f64::from(cy)), (f64::from(x + w), f64::from(cy))];
            for piece in dashes(&segment, &dash.iter().map(|d| d * t.scale).collect::<Vec<_>>()) {
                let piece: Vec<(i32, i32)> = piece.iter().map(|p| (p.0.round() as i32, p.1.round() as i32)).collect();
                area.draw(&PathElement::new(piece, c.stroke_width(t.line_width())))?;
            }
            if let Some(m) = marker {
                draw_marker(area, (x + w / 2, cy), m, t.px(MARKER_RADIUS), c, true, t)?;
            }
        }
        Swatch::Fill(c) => {
            area.draw(&Rectangle::new([(x + t.px(4.0), cy - h), (x + w - t.px(4.0), cy + h)], c.filled()))?;
        }
        Swatch::Diamond(c) => {
            let (cx, s) = (x + w / 2, t.px(6.0));
            area.draw(&PathElement::new(
                vec![(cx, cy - s), (cx + s, cy), (cx, cy + s), (cx - s, cy), (cx, cy - s)],
                c.stroke_width(t.line_width()),
            ))?;
        }
        Swatch::Interval(c, filled, arm) => {
            area.draw(&PathElement::new(vec![(x, cy), (x + w, cy)], c.stroke_width(t.line_width())))?;
            let marker = arm.map_or(Marker::Circle, |a| style::arm_pattern(a).1);
            draw_marker(area, (x + w / 2, cy), marker, t.px(5.0), c, filled, t)?;
        }
    }
    Ok(())
}

/// Radius of the markers on lines, SVG units.
pub(crate) const MARKER_RADIUS: f64 = 3.5;

/// Draws a marker centred on `at` (any coordinates), `r` pixels in radius, filled or hollow
/// (white inside, so a line under it does not show through).
pub(crate) fn draw_marker<DB: DrawingBackend, CT: CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    at: CT::From,
    marker: Marker,
    r: i32,
    colour: RGBColor,
    filled: bool,
    t: &Theme,
) -> DrawResult
where
    DB::ErrorType: 'static,
    CT::From: Clone,
{
    let outline = colour.stroke_width(t.line_width().div_ceil(2).max(1));
    let fills: Vec<ShapeStyle> = if filled {
        vec![colour.filled()]
    } else {
        vec![WHITE.filled(), outline]
    };
    for fill in fills {
        match marker {
            Marker::Circle => area.draw(&Circle::new(at.clone(), r, fill))?,
            Marker::Square => {
                let s = (f64::from(r) * 0.85).round() as i32;
                area.draw(&(EmptyElement::at(at.clone()) + Rectangle::new([(-s, -s), (s, s)], fill)))?;
            }
            Marker::Triangle => {
                // The library's triangle is always filled: a hollow one is a white triangle
                // inside a coloured one (inradius half the circumradius, so the border is as
                // wide as the stroke when the white one is two strokes smaller).
                let size = r + r / 3;
                // Hollow: the first pass (white fill) draws the coloured one, the second the white.
                let triangle = if filled || fill.color == WHITE.to_rgba() {
                    TriangleMarker::new(at.clone(), size, colour.filled())
                } else {
                    let inner = (size - 2 * i32::try_from(t.line_width().div_ceil(2).max(1)).unwrap_or(1)).max(1);
                    TriangleMarker::new(at.clone(), inner, WHITE.filled())
                };
                area.draw(&triangle)?;
            }
            Marker::Cross => {
                // A cross has no inside: always drawn as strokes.
                area.draw(&Cross::new(at.clone(), r, colour.stroke_width(t.line_width())))?;
            }
        }
    }
    Ok(())
}

/// Cuts a polyline (pixel coordinates) into dashes of the pattern `dash` (alternating dash
/// and gap lengths in pixels; empty: the whole line, one piece).
pub(crate) fn dashes(points: &[(f64, f64)], dash: &[f64]) -> Vec<Vec<(f64, f64)>> {
    if dash.is_empty() || dash.iter().any(|d| *d <= 0.0) || points.len() < 2 {
        return vec![points.to_vec()];
    }
    let mut out = Vec::new();
    let mut current: Vec<(f64, f64)> = vec![points[0]];
    let (mut k, mut left) = (0usize, dash[0]);
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let length = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let mut done = 0.0;
        while length - done > left {
            done += left;
            let f = done / length;
            let p = (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f);
            if k % 2 == 0 {
                current.push(p);
                out.push(std::mem::take(&mut current));
            } else {
                current = vec![p];
            }
            k = (k + 1) % dash.len();
            left = dash[k];
        }
        left -= length - done;
        if k % 2 == 0 {
            current.push(b);
        }
    }
    if k % 2 == 0 && current.len() > 1 {
        out.push(current);
    }
    out
}

/// Lays out (and, if `draw`, draws) legend entries in rows from `(x0, y0)` within `width` pixels;
/// returns the height used.
pub(crate) fn legend_rows<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Theme,
    items: &[LegendItem],
    (x0, y0): (i32, i32),
    width: i32,
    draw: bool,
) -> DrawResult<i32>
where
    DB::ErrorType: 'static,
{
    if items.is_empty() {
        return Ok(0);
    }
    let style = t.text(Role::Legend);
    let row_h = line_height(t, Role::Legend) + t.px(4.0);
    let gap = t.px(18.0);
    let (mut x, mut y) = (x0, y0);
    for item in items {
        let (tw, th) = text_size(area, &item.label, &style)?;
        let w = t.px(SWATCH_W + 6.0) + tw;
        if x > x0 && x + w > x0 + width {
            x = x0;
            y += row_h;
        }
        if draw {
            let cy = y + row_h / 2;
            draw_swatch(area, t, item.swatch, x, cy)?;
            area.draw_text(&item.label, &style, (x + t.px(SWATCH_W + 6.0), cy - th / 2))?;
        }
        x += w + gap;
    }
    Ok(y + row_h - y0)
}

/// Draws legend entries one under another from `(x0, y0)`; returns the height used.
pub(crate) fn legend_column<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Theme,
    items: &[LegendItem],
    (x0, y0): (i32, i32),
) -> DrawResult<i32>
where
    DB::ErrorType: 'static,
{
    let style = t.text(Role::Legend);
    let row_h = line_height(t, Role::Legend) + t.px(4.0);
    for (i, item) in items.iter().enumerate() {
        let y = y0 + i as i32 * row_h;
        let cy = y + row_h / 2;
        let (_, th) = text_size(area, &item.label, &style)?;
        draw_swatch(area, t, item.swatch, x0, cy)?;
        area.draw_text(&item.label, &style, (x0 + t.px(SWATCH_W + 6.0), cy - th / 2))?;
    }
    Ok(items.len() as i32 * row_h)
}

/// Width of the widest legend entry, swatch included.
pub(crate) fn legend_width<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, t: &Theme, items: &[LegendItem]) -> DrawResult<i32>
where
    DB::ErrorType: 'static,
{
    let style = t.text(Role::Legend);
    let mut w = 0;
    for item in items {
        w = w.max(text_size(area, &item.label, &style)?.0);
    }
    Ok(w + t.px(SWATCH_W + 6.0))
}

/// One line of a line panel, with an optional band (x, low, high).
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// Colour.
    pub colour: RGBColor,
    /// The arm whose dash pattern and markers the line takes (None: solid, no markers).
    pub arm: Option<usize>,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
    /// (x, low, high) of the band; empty for none.
    pub band: Vec<(f64, f64, f64)>,
}

/// Axes of a panel.
#[derive(Debug, Clone)]
pub(crate) struct Axes {
    /// Panel title drawn above the plot (small multiples), if any.
    pub caption: Option<String>,
    /// x-axis description, with unit.
    pub x_desc: String,
    /// y-axis description, with unit.
    pub y_desc: String,
    /// Shorter y-axis description used when `y_desc` is taller than the plot (e.g. the unit).
    pub y_short: Option<String>,
    /// Fixed y range, or None to fit the data (from 0 when the data are not negative).
    pub y_range: Option<(f64, f64)>,
    /// About how many tick labels on each axis.
    pub ticks: (usize, usize),
}

impl Axes {
    /// Axes with a day x axis and `name (unit)` on the y axis (just the unit when that is too long).
    pub fn days(name: &str, unit: &str) -> Self {
        Self {
            caption: None,
            x_desc: "day".into(),
            y_desc: if unit.is_empty() {
                name.to_string()
            } else {
                format!("{name} ({unit})")
            },
            y_short: (!unit.is_empty()).then(|| unit.to_string()),
            y_range: None,
            ticks: (6, 6),
        }
    }

    /// Axes with the given descriptions.
    pub fn new(x_desc: impl Into<String>, y_desc: impl Into<String>) -> Self {
        Self {
            caption: None,
            x_desc: x_desc.into(),
            y_desc: y_desc.into(),
            y_short: None,
            y_range: None,
            ticks: (6, 6),
        }
    }
}

/// The y range fitting `values`: from 0 when none is negative, 5 % headroom.
pub(crate) fn fit_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = style::finite_range(values).unwrap_or((0.0, 1.0));
    let lo = if lo >= 0.0 { 0.0 } else { lo };
    let (lo, hi) = style::widen(lo, hi);
    let pad = (hi - lo) * 0.05;
    (if lo == 0.0 { 0.0 } else { lo - pad }, hi + pad)
}

/// A cartesian chart with a light grid and labelled axes, filling `area`.
pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Builds a chart over `x` × `y` in `area` and draws its grid, ticks and axis descriptions.
pub(crate) fn chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    t: &Theme,
    axes: &Axes,
    x: (f64, f64),
    y: (f64, f64),
) -> DrawResult<Chart<'a, DB>>
where
    DB::ErrorType: 'static,
{
    let (x, y) = (style::drawable(x), style::drawable(y));
    let tick_style = t.text_coloured(Role::Tick, DARK_GREY);
    let y_fmt = style::axis_formatter(y.0, y.1, axes.ticks.1);
    let x_fmt = style::axis_formatter(x.0, x.1, axes.ticks.0);
    let mut widest = 0;
    for v in style::nice_ticks(y.0, y.1, axes.ticks.1) {
        widest = widest.max(text_size(area, &y_fmt(&v), &tick_style)?.0);
    }
    let desc_h = line_height(t, Role::Axis);
    let y_desc_h = if axes.y_desc.is_empty() { 0 } else { desc_h };
    let y_area = widest + y_desc_h + t.px(14.0);
    let x_area = line_height(t, Role::Tick) + desc_h + t.px(6.0);
    let caption_h = if axes.caption.is_some() {
        line_height(t, Role::Panel) + t.px(8.0)
    } else {
        0
    };
    let plot_h = area.dim_in_pixel().1 as i32 - x_area - caption_h - t.px(6.0);
    let axis_style = t.text(Role::Axis);
    let y_desc = match &axes.y_short {
        Some(short) if text_size(area, &axes.y_desc, &axis_style)?.0 > plot_h => short.as_str(),
        _ => axes.y_desc.as_str(),
    };
    let mut builder = ChartBuilder::on(area);
    builder
        .margin_top(t.px(6.0))
        .margin_right(t.px(MARGIN + 10.0))
        .margin_left(t.px(4.0))
        .x_label_area_size(x_area)
        .y_label_area_size(y_area);
    if let Some(c) = &axes.caption {
        builder.caption(c, t.text(Role::Panel).pos(Pos::new(HPos::Center, VPos::Top)));
    }
    let mut chart = builder.build_cartesian_2d(x.0..x.1, y.0..y.1)?;
    chart
        .configure_mesh()
        .x_labels(axes.ticks.0)
        .y_labels(axes.ticks.1)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(tick_style.clone())
        .axis_desc_style(axis_style.clone())
        .x_desc(axes.x_desc.as_str())
        .y_desc(y_desc)
        .bold_line_style(GRID.stroke_width(t.thin()))
        .light_line_style(WHITE.mix(0.0))
        .axis_style(DARK_GREY.stroke_width(t.thin()))
        .set_all_tick_mark_size(t.px(4.0))
        .draw()?;
    Ok(chart)
}

/// Draws lines with their bands into `area`.
pub(crate) fn line_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, t: &Theme, axes: &Axes, lines: &[Line]) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let below;
    let horizontal;
    let (area, axes) = if t.paper && axes.caption.is_none() {
        // A paper's axis label in words is too long to stand along the y axis: it goes above
        // the plot, read across, wrapped if need be.
        let style = t.text(Role::Axis);
        let (w, _) = area.dim_in_pixel();
        let mut y = t.px(2.0);
        for line in wrap(area, &axes.y_desc, &style, w as i32 - 2 * t.px(MARGIN))? {
            area.draw_text(&line, &style, (t.px(4.0), y))?;
            y += line_height(t, Role::Axis);
        }
        below = area.split_vertically(y + t.px(2.0)).1;
        horizontal = Axes {
            y_desc: String::new(),
            y_short: None,
            ..axes.clone()
        };
        (&below, &horizontal)
    } else {
        (area, axes)
    };
    let xs = style::finite_range(lines.iter().flat_map(|l| l.points.iter().map(|p| p.0))).unwrap_or((0.0, 1.0));
    let x = style::widen(xs.0, xs.1);
    let y = axes.y_range.unwrap_or_else(|| {
        fit_range(
            lines
                .iter()
                .flat_map(|l| l.points.iter().map(|p| p.1).chain(l.band.iter().flat_map(|b| [b.1, b.2]))),
        )
    });
    let mut chart = chart(area, t, axes, x, y)?;
    for l in lines {
        if !l.band.is_empty() {
            chart.draw_series(std::iter::once(ribbon(&l.band, l.colour)))?;
        }
    }
    for l in lines {
        draw_line(&mut chart, t, l, (x, y))?;
    }
    Ok(())
}

/// Markers on a line: about this many, evenly spaced over its points.
const MARKERS_PER_LINE: usize = 7;

/// Draws a line in its arm's dash pattern, with its markers (offset by arm, so that arms with
/// the same values do not hide each other's markers).
fn draw_line<DB: DrawingBackend>(chart: &mut Chart<'_, DB>, t: &Theme, l: &Line, (x, y): ((f64, f64), (f64, f64))) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let points: Vec<(f64, f64)> = l.points.iter().copied().filter(|p| p.1.is_finite()).collect();
    let Some(arm) = l.arm else {
        chart.draw_series(std::iter::once(PathElement::new(points, l.colour.stroke_width(t.line_width()))))?;
        return Ok(());
    };
    let (dash, marker) = style::arm_pattern(arm);
    // Dashes are cut in pixels so that their length does not depend on the data's range.
    let (pw, ph) = chart.plotting_area().dim_in_pixel();
    let (x, y) = (style::drawable(x), style::drawable(y));
    let sx = f64::from(pw) / (x.1 - x.0);
    let sy = f64::from(ph) / (y.1 - y.0);
    let to_px: Vec<(f64, f64)> = points.iter().map(|p| ((p.0 - x.0) * sx, (p.1 - y.0) * sy)).collect();
    let dash_px: Vec<f64> = dash.iter().map(|d| d * t.scale).collect();
    for piece in dashes(&to_px, &dash_px) {
        let back: Vec<(f64, f64)> = piece.iter().map(|p| (p.0 / sx + x.0, p.1 / sy + y.0)).collect();
        chart.draw_series(std::iter::once(PathElement::new(back, l.colour.stroke_width(t.line_width()))))?;
    }
    if points.len() >= 2 {
        let step = (points.len() / MARKERS_PER_LINE).max(1);
        let offset = (step * (arm % 4)) / 4;
        for p in points.iter().skip(offset).step_by(step) {
            draw_marker(chart.plotting_area(), *p, marker, t.px(MARKER_RADIUS), l.colour, true, t)?;
        }
    }
    Ok(())
}

/// A band as a polygon: the upper edge forward, the lower edge backward.
pub(crate) fn ribbon(band: &[(f64, f64, f64)], colour: RGBColor) -> Polygon<(f64, f64)> {
    let finite: Vec<_> = band.iter().filter(|b| b.1.is_finite() && b.2.is_finite()).collect();
    let mut poly: Vec<(f64, f64)> = finite.iter().map(|b| (b.0, b.2)).collect();
    poly.extend(finite.iter().rev().map(|b| (b.0, b.1)));
    Polygon::new(poly, colour.mix(0.22).filled())
}

/// One layer of a stacked area.
#[derive(Debug, Clone)]
pub(crate) struct Layer {
    /// Legend text.
    pub label: String,
    /// Colour.
    pub colour: RGBColor,
    /// (x, y) values (stacked on the layers before).
    pub points: Vec<(f64, f64)>,
}

/// Draws layers stacked from 0 into `area` (the layers must share x values).
pub(crate) fn stacked_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, t: &Theme, axes: &Axes, layers: &[Layer]) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = layers.iter().map(|l| l.points.len()).min().unwrap_or(0);
    let xs: Vec<f64> = layers
        .first()
        .map(|l| l.points.iter().take(n).map(|p| p.0).collect())
        .unwrap_or_default();
    let mut base = vec![0.0; n];
    let mut stacks = Vec::new();
    for l in layers {
        let top: Vec<f64> = base
            .iter()
            .zip(&l.points)
            .map(|(b, p)| b + if p.1.is_finite() { p.1.max(0.0) } else { 0.0 })
            .collect();
        stacks.push((base.clone(), top.clone()));
        base = top;
    }
    let xr = style::finite_range(xs.iter().copied()).unwrap_or((0.0, 1.0));
    let y = axes.y_range.unwrap_or_else(|| fit_range(base.iter().copied()));
    let mut chart = chart(area, t, axes, style::widen(xr.0, xr.1), y)?;
    for (l, (lo, hi)) in layers.iter().zip(&stacks) {
        let mut poly: Vec<(f64, f64)> = xs.iter().zip(hi).map(|(x, y)| (*x, *y)).collect();
        poly.extend(xs.iter().zip(lo).rev().map(|(x, y)| (*x, *y)));
        chart.draw_series(std::iter::once(Polygon::new(poly, l.colour.filled())))?;
    }
    Ok(())
}

/// Draws a vertical colour bar in `area` (a column at the figure's right): the label on top
/// (wrapped), the bar below, tick values to its right.
pub(crate) fn colour_bar<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, t: &Theme, scale: &ColourScale, label: &str) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let style = t.text(Role::Legend);
    let x0 = t.px(8.0);
    let mut y = t.px(4.0);
    for line in wrap(area, label, &style, w - x0 - t.px(4.0))? {
        area.draw_text(&line, &style, (x0, y))?;
        y += line_height(t, Role::Legend);
    }
    y += t.px(8.0);
    let bar_top = y;
    let bar_bottom = (h - t.px(20.0)).max(bar_top + t.px(40.0));
    let bar_w = t.px(18.0);
    let steps = 96;
    let span = (bar_bottom - bar_top) as f64;
    for i in 0..steps {
        let y0 = bar_bottom - (span * i as f64 / steps as f64).round() as i32;
        let y1 = bar_bottom - (span * (i + 1) as f64 / steps as f64).round() as i32;
        let v = (i as f64 + 0.5) / steps as f64;
        area.draw(&Rectangle::new([(x0, y1), (x0 + bar_w, y0)], style::viridis(v).filled()))?;
    }
    area.draw(&Rectangle::new(
        [(x0, bar_top), (x0 + bar_w, bar_bottom)],
        DARK_GREY.stroke_width(t.thin()),
    ))?;
    // About one tick per 1.8 lines of text, three to six.
    let room = (bar_bottom - bar_top) as f64 / (1.8 * f64::from(line_height(t, Role::Tick)));
    let ticks = style::nice_ticks(scale.lo, scale.hi, (room as usize).clamp(3, 6));
    let decimals = style::decimals_for(ticks.get(1).zip(ticks.first()).map_or(scale.hi - scale.lo, |(b, a)| b - a));
    let tick_style = t.text_coloured(Role::Tick, DARK_GREY).pos(Pos::new(HPos::Left, VPos::Center));
    for v in ticks {
        let yy = bar_bottom - (span * scale.position(v)).round() as i32;
        area.draw(&PathElement::new(
            vec![(x0 + bar_w, yy), (x0 + bar_w + t.px(4.0), yy)],
            DARK_GREY.stroke_width(t.thin()),
        ))?;
        area.draw_text(&style::format_number(v, decimals), &tick_style, (x0 + bar_w + t.px(7.0), yy))?;
    }
    Ok(())
}
