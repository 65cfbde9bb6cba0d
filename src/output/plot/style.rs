//! The look shared by every figure: the registered font, text sizes, line widths, the Okabe–Ito
//! categorical palette, the viridis colour map and number formats for ticks and labels.
//!
//! Sizes are in SVG units; PNGs multiply everything by the theme's scale. Text sizes are chosen
//! so that a single-panel figure (480 units wide) printed at a journal's single-column width
//! (8.5 cm) and a multi-panel figure (1,000 units) at double-column width (17.8 cm) both show
//! text at about 8 pt (17 units × 85 mm / 480). Arms differ by colour and by dash pattern and
//! marker ([`arm_pattern`]), so that they stay apart in greyscale. This module must not read
//! data or decide what a figure shows.

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};

/// Registers DejaVu Sans as the `sans-serif` family once per process (without it, every chart
/// with text fails, in SVG too).
pub(crate) fn ensure_font() -> Result<()> {
    static FONT: OnceLock<bool> = OnceLock::new();
    let ok = *FONT.get_or_init(|| plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular()).is_ok());
    if ok {
        Ok(())
    } else {
        Err(Error::Usage(
            "the built-in font (DejaVu Sans) could not be loaded for drawing text".into(),
        ))
    }
}

/// Font family used everywhere.
pub(crate) const FAMILY: &str = "sans-serif";

/// Roles of text, each with one size across all figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Figure title.
    Title,
    /// Line under the title: what the lines and bands mean, n.
    Subtitle,
    /// Panel titles in small multiples.
    Panel,
    /// Axis descriptions.
    Axis,
    /// Tick labels.
    Tick,
    /// Legend entries.
    Legend,
    /// Annotations inside plots (cell values, locality names).
    Note,
}

/// Sizes and scale of one rendering (scale 1 for SVG, more for PNG).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Theme {
    /// Multiplier from SVG units to pixels.
    pub scale: f64,
    /// Paper style: no title block (the paper's caption says it).
    pub paper: bool,
}

impl Theme {
    /// Font size of a role, in SVG units before scaling.
    pub fn size_of(role: Role) -> f64 {
        match role {
            Role::Title => 21.0,
            Role::Subtitle | Role::Panel | Role::Axis => 17.5,
            Role::Tick | Role::Legend => 17.0,
            Role::Note => 15.0,
        }
    }

    /// `v` SVG units in pixels.
    pub fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }

    /// `v` SVG units in pixels, unsigned.
    pub fn upx(&self, v: f64) -> u32 {
        (v * self.scale).round().max(0.0) as u32
    }

    /// Text style of a role in black, anchored at its top left.
    pub fn text(&self, role: Role) -> TextStyle<'static> {
        self.text_coloured(role, BLACK)
    }

    /// Text style of a role in a colour, anchored at its top left.
    pub fn text_coloured(&self, role: Role, colour: RGBColor) -> TextStyle<'static> {
        let mut style = TextStyle::from((FAMILY, Self::size_of(role) * self.scale).into_font()).pos(Pos::new(HPos::Left, VPos::Top));
        style.color = colour.to_backend_color();
        style
    }

    /// Line width for data lines.
    pub fn line_width(&self) -> u32 {
        self.upx(2.0).max(1)
    }

    /// Line width for thin strokes (axes, outlines, links).
    pub fn thin(&self) -> u32 {
        self.upx(1.0).max(1)
    }
}

/// Okabe–Ito colours by name.
pub(crate) mod okabe_ito {
    use plotters::style::RGBColor;

    /// Orange `#E69F00`.
    pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    /// Sky blue `#56B4E9`.
    pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
    /// Bluish green `#009E73`.
    pub const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    /// Yellow `#F0E442`.
    pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
    /// Blue `#0072B2`.
    pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Vermilion `#D55E00`.
    pub const VERMILION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// Reddish purple `#CC79A7`.
    pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
    /// Grey `#999999`.
    pub const GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);
}

/// Colours for lines and categories, darker ones first (yellow, hard to see on white, last).
pub(crate) const CATEGORY: [RGBColor; 8] = [
    okabe_ito::BLUE,
    okabe_ito::VERMILION,
    okabe_ito::GREEN,
    okabe_ito::PURPLE,
    okabe_ito::ORANGE,
    okabe_ito::SKY_BLUE,
    okabe_ito::GREY,
    okabe_ito::YELLOW,
];

/// The `i`-th category colour (cycling after eight).
pub(crate) fn category(i: usize) -> RGBColor {
    CATEGORY[i % CATEGORY.len()]
}

/// A marker shape: with the dash pattern, what tells arms apart in greyscale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// A circle.
    Circle,
    /// A square.
    Square,
    /// A triangle pointing up.
    Triangle,
    /// A diagonal cross.
    Cross,
}

/// How the `i`-th arm's line is drawn besides its colour: dash pattern (lengths of dash and gap
/// in SVG units, alternating; empty for solid) and marker. Four patterns, then they repeat with
/// the colours still different.
pub(crate) fn arm_pattern(i: usize) -> (&'static [f64], Marker) {
    const PATTERNS: [(&[f64], Marker); 4] = [
        (&[], Marker::Circle),
        (&[9.0, 4.0], Marker::Square),
        (&[2.0, 3.0], Marker::Triangle),
        (&[9.0, 3.0, 2.0, 3.0], Marker::Cross),
    ];
    PATTERNS[i % PATTERNS.len()]
}

/// Dark grey for axes and secondary text.
pub(crate) const DARK_GREY: RGBColor = RGBColor(0x44, 0x44, 0x44);
/// Light grey for grid lines.
pub(crate) const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
/// Mid grey for reference lines and links.
pub(crate) const MID_GREY: RGBColor = RGBColor(0x88, 0x88, 0x88);

/// viridis at ten evenly spaced stops (R `viridis(10)`).
const VIRIDIS: [(u8, u8, u8); 10] = [
    (0x44, 0x01, 0x54),
    (0x48, 0x28, 0x78),
    (0x3E, 0x4A, 0x89),
    (0x31, 0x68, 0x8E),
    (0x26, 0x82, 0x8E),
    (0x1F, 0x9E, 0x89),
    (0x35, 0xB7, 0x79),
    (0x6D, 0xCD, 0x59),
    (0xB4, 0xDE, 0x2C),
    (0xFD, 0xE7, 0x25),
];

/// viridis at `t` in [0, 1] (clamped; NaN gives the low end).
pub(crate) fn viridis(t: f64) -> RGBColor {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + f * (f64::from(q) - f64::from(p))).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Black or white, whichever reads better on `c`.
pub(crate) fn text_on(c: RGBColor) -> RGBColor {
    let luminance = 0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2);
    if luminance > 140.0 { BLACK } else { WHITE }
}

/// A linear colour scale from `lo` to `hi`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ColourScale {
    /// Value at the low end.
    pub lo: f64,
    /// Value at the high end.
    pub hi: f64,
}

impl ColourScale {
    /// A scale covering `values` (finite ones); a single value gets a small range around it.
    pub fn covering(values: impl IntoIterator<Item = f64>) -> Self {
        let (lo, hi) = finite_range(values).unwrap_or((0.0, 1.0));
        let (lo, hi) = widen(lo, hi);
        Self { lo, hi }
    }

    /// The position of `v` in [0, 1].
    pub fn position(&self, v: f64) -> f64 {
        ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
    }

    /// The colour of `v`.
    pub fn colour(&self, v: f64) -> RGBColor {
        viridis(self.position(v))
    }
}

/// Smallest and largest finite values, if any.
pub(crate) fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// A non-empty range: equal ends are spread apart.
pub(crate) fn widen(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        (lo, hi)
    } else if lo == 0.0 {
        (0.0, 1.0)
    } else {
        let d = lo.abs() * 0.1;
        (lo - d, hi + d)
    }
}

/// The largest magnitude an axis end may have.
const AXIS_LIMIT: f64 = 1e300;

/// An axis range the chart library can draw: ends clamped to ±1e300 (values near ±1e308 make
/// the span overflow to infinity, and the library's tick search then never ends), NaN taken as
/// 0, and a non-empty span. Ordinary ranges pass unchanged.
pub(crate) fn drawable((lo, hi): (f64, f64)) -> (f64, f64) {
    let clamp = |v: f64| if v.is_nan() { 0.0 } else { v.clamp(-AXIS_LIMIT, AXIS_LIMIT) };
    widen(clamp(lo), clamp(hi))
}

/// [`widen`] for a pair.
pub(crate) fn widen_pair((lo, hi): (f64, f64)) -> (f64, f64) {
    widen(lo, hi)
}

/// About `count` round tick values (steps of 1, 2 or 5 × 10^k) within [lo, hi].
pub(crate) fn nice_ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if !lo.is_finite() || !hi.is_finite() || hi <= lo {
        return vec![lo];
    }
    let step = nice_step((hi - lo) / count.max(1) as f64);
    let decimals = decimals_for(step) + 1;
    let first = (lo / step).ceil();
    let last = (hi / step).floor();
    let mut out = Vec::new();
    let mut k = first;
    while k <= last + 1e-9 && out.len() < 100 {
        let v = k * step;
        // Rounded so that 3 × 0.2 is 0.6, not 0.6000000000000001.
        let v: f64 = format!("{v:.decimals$}").parse().unwrap_or(v);
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        k += 1.0;
    }
    out
}

/// A round step (1, 2 or 5 × 10^k) near `raw`.
pub(crate) fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f < 1.5 {
        1.0
    } else if f < 3.0 {
        2.0
    } else if f < 7.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Decimals needed to tell apart ticks `step` apart.
pub(crate) fn decimals_for(step: f64) -> usize {
    if !step.is_finite() || step <= 0.0 {
        return 2;
    }
    let d = -step.log10().floor();
    if d <= 0.0 { 0 } else { (d as usize).min(6) }
}

/// Formats `v` with `decimals` decimals and thousands separators (`12,500`, `0.25`, `-3.5`).
pub(crate) fn format_number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let zero = s.chars().all(|c| c == '0' || c == '.');
    let mut out = String::new();
    if v < 0.0 && !zero {
        out.push('\u{2212}');
    }
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A formatter for axis ticks over [lo, hi] with about `count` ticks.
pub(crate) fn axis_formatter(lo: f64, hi: f64, count: usize) -> impl Fn(&f64) -> String {
    let decimals = decimals_for(nice_step((hi - lo).abs() / count.max(1) as f64));
    move |v: &f64| format_number(*v, decimals)
}

/// Decimals that show `digits` significant digits of `magnitude` (none for 0 or large values).
pub(crate) fn significant_decimals(magnitude: f64, digits: i64) -> usize {
    let a = magnitude.abs();
    if a == 0.0 || !a.is_finite() {
        0
    } else {
        (digits - 1 - a.log10().floor() as i64).clamp(0, 6) as usize
    }
}

/// A value in a label: three significant digits, thousands separators for large numbers.
pub(crate) fn format_value(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    format_number(v, significant_decimals(v, 3))
}

/// A short number: at most three decimals, trailing zeros dropped (`67`, `0.25`, `1`).
pub(crate) fn format_short(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.replace('-', "\u{2212}") }
}

/// Text for a column name in prose: underscores become spaces.
pub(crate) fn prose(name: &str) -> String {
    name.replace('_', " ")
}

/// A scenario field path in words, for labels and axes: its last part with spaces for
/// underscores, and what it belongs to in parentheses. `rules.displacement.flee_threshold` →
/// `flee threshold (displacement)`; `armed_groups[1].attack_rate_per_100_fighters_day` →
/// `attack rate per 100 fighters day (armed groups[1])`; `localities[name=Juba].population` →
/// `population (Juba)`; `mission.policy.weights.protection` → `protection weight`;
/// `mission.troops` → `troops (mission)`. The path itself stays in the tables.
pub(crate) fn field_label(path: &str) -> String {
    let path = path.trim();
    if let Some(pillar) = path.strip_prefix("mission.policy.weights.") {
        return format!("{} weight", prose(pillar));
    }
    let parts: Vec<&str> = path.split('.').collect();
    let Some((last, before)) = parts.split_last() else {
        return prose(path);
    };
    let owner = before.last().map(|o| match o.split_once("[name=") {
        Some((_, name)) => name.trim_end_matches(']').trim_matches('"').to_string(),
        None => prose(o),
    });
    match owner {
        Some(o) if !o.is_empty() => format!("{} ({o})", prose(last)),
        _ => prose(last),
    }
}

/// `text` with its first letter in upper case (labels standing alone in the paper style).
pub(crate) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The column's meaning as a title: without a final full stop.
pub(crate) fn title_case(meaning: &str) -> String {
    meaning.trim().trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_signed() {
        assert_eq!(format_number(12_500.0, 0), "12,500");
        assert_eq!(format_number(-0.25, 2), "\u{2212}0.25");
        assert_eq!(format_number(-0.0001, 2), "0.00");
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(format_number(1_234_567.891, 1), "1,234,567.9");
        assert_eq!(format_value(0.01234), "0.0123");
        assert_eq!(format_value(263.4), "263");
        assert_eq!(format_short(67.0), "67");
        assert_eq!(format_short(0.25), "0.25");
        assert_eq!(format_short(-0.0001), "0");
    }

    #[test]
    fn field_paths_read_as_words() {
        assert_eq!(field_label("rules.displacement.flee_threshold"), "flee threshold (displacement)");
        assert_eq!(
            field_label("armed_groups[1].attack_rate_per_100_fighters_day"),
            "attack rate per 100 fighters day (armed groups[1])"
        );
        assert_eq!(field_label("localities[name=Juba].population"), "population (Juba)");
        assert_eq!(field_label("mission.policy.weights.protection"), "protection weight");
        assert_eq!(field_label("mission.troops"), "troops (mission)");
        assert_eq!(field_label("troops"), "troops");
        assert_eq!(capitalised("troops (mission)"), "Troops (mission)");
    }

    #[test]
    fn extreme_ranges_become_drawable() {
        assert_eq!(drawable((0.0, 10.0)), (0.0, 10.0));
        assert_eq!(drawable((-1e308, 1e308)), (-1e300, 1e300));
        assert_eq!(drawable((f64::NEG_INFINITY, f64::NAN)), (-1e300, 0.0));
        assert!((drawable((1e308, 1e308)).1 - 1e300).abs() > 0.0);
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(3.0, 97.0, 4), vec![20.0, 40.0, 60.0, 80.0]);
        assert_eq!(decimals_for(0.05), 2);
        assert_eq!(decimals_for(500.0), 0);
    }

    #[test]
    fn viridis_ends_and_contrast() {
        assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(viridis(1.0), RGBColor(0xFD, 0xE7, 0x25));
        assert_eq!(text_on(viridis(0.0)), WHITE);
        assert_eq!(text_on(viridis(1.0)), BLACK);
    }
}
