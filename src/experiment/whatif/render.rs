//! The what-if report as text: `whatif.csv`, `whatif.md` and the plain text the binary prints,
//! with numbers and percentages formatted for people.
//!
//! Turns an [`Analysis`] and a [`Setup`] into strings; it must not compute statistics, read or
//! write files.

use std::fmt::Write as _;

use crate::experiment::compare::{self, BOOTSTRAP_RESAMPLES};
use crate::output::csv::record_line;

use super::analysis::{Analysis, Verdict};
use super::setup::Setup;

/// Header of `whatif.csv`.
pub const CSV_HEADER: [&str; 17] = [
    "outcome",
    "label",
    "unit",
    "n",
    "as_is_mean",
    "as_is_ci95_low",
    "as_is_ci95_high",
    "what_if_mean",
    "what_if_ci95_low",
    "what_if_ci95_high",
    "diff",
    "diff_ci95_low",
    "diff_ci95_high",
    "relative_change",
    "relative_ci95_low",
    "relative_ci95_high",
    "verdict",
];

/// The text of `whatif.csv`: one row per headline outcome shown.
#[must_use]
pub fn csv_text(a: &Analysis) -> String {
    let mut text = record_line(&CSV_HEADER);
    for r in &a.rows {
        let c = &r.change;
        let p = &c.paired;
        let num = |x: f64| format!("{x}");
        // No relative change from an as-is mean of 0: an empty field, not `NaN`.
        let relative = |x: f64| if x.is_finite() { format!("{x}") } else { String::new() };
        text.push_str(&record_line(&[
            r.headline.outcome.to_string(),
            r.headline.label.to_string(),
            r.headline.unit.to_string(),
            c.n.to_string(),
            num(c.as_is.0),
            num(c.as_is.1),
            num(c.as_is.2),
            num(c.what_if.0),
            num(c.what_if.1),
            num(c.what_if.2),
            num(p.diff),
            num(p.diff_low),
            num(p.diff_high),
            relative(p.rel),
            relative(p.rel_low),
            relative(p.rel_high),
            c.verdict.as_str().to_string(),
        ]));
    }
    text
}

/// Formats a number for people: thousands separators from 100 up, otherwise three significant
/// digits with trailing zeros dropped (`1,240`, `12.3`, `0.0193`, `0`).
#[must_use]
pub fn human(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let a = x.abs();
    if a >= 99.95 {
        return compare::human(x);
    }
    if a == 0.0 {
        return "0".into();
    }
    #[expect(clippy::cast_possible_truncation, reason = "a small exponent")]
    let decimals = (2 - a.log10().floor() as i32).clamp(0, 9) as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// A relative change as a signed percentage: whole percent from 1 % up, one or two decimals
/// below (`-30 %`, `+0.4 %`, `0 %`).
#[must_use]
pub fn percent(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let p = 100.0 * x;
    let a = p.abs();
    let decimals = if a >= 0.95 {
        0
    } else if a >= 0.095 {
        1
    } else {
        2
    };
    let s = format!("{a:.decimals$}");
    if s.chars().all(|c| c == '0' || c == '.') {
        return "0 %".into();
    }
    format!("{}{s} %", if p < 0.0 { "-" } else { "+" })
}

/// A difference with its sign (`+12`, `-0.5`).
fn signed(x: f64) -> String {
    let s = human(x);
    if x > 0.0 && s != "0" { format!("+{s}") } else { s }
}

/// The table: one aligned line per outcome, e.g.
/// `Civilian fatalities (people):  1,240 -> 870  (-30 %, 95 % CI -36 % to -24 %)`.
#[must_use]
pub fn table(a: &Analysis) -> String {
    let labels: Vec<String> = a
        .rows
        .iter()
        .map(|r| {
            if r.headline.unit.is_empty() {
                format!("{}:", r.headline.label)
            } else {
                format!("{} ({}):", r.headline.label, r.headline.unit)
            }
        })
        .collect();
    let lw = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let before: Vec<String> = a.rows.iter().map(|r| human(r.change.as_is.0)).collect();
    let after: Vec<String> = a.rows.iter().map(|r| human(r.change.what_if.0)).collect();
    let bw = before.iter().map(String::len).max().unwrap_or(0);
    let aw = after.iter().map(String::len).max().unwrap_or(0);
    let mut out = String::new();
    for (((r, label), b), w) in a.rows.iter().zip(&labels).zip(&before).zip(&after) {
        let p = &r.change.paired;
        let change = if p.rel.is_finite() && p.rel_low.is_finite() && p.rel_high.is_finite() {
            format!("({}, 95 % CI {} to {})", percent(p.rel), percent(p.rel_low), percent(p.rel_high))
        } else {
            // No relative interval: the as-is mean (or that of some resample) is 0.
            format!(
                "({}; change {}, 95 % CI {} to {})",
                if p.rel.is_finite() { percent(p.rel) } else { "from 0".into() },
                signed(p.diff),
                signed(p.diff_low),
                signed(p.diff_high)
            )
        };
        let noise = if r.change.verdict == Verdict::WithinNoise {
            ": within noise"
        } else {
            ""
        };
        writeln!(out, "{label:<lw$} {b:>bw$} -> {w:<aw$}  {change}{noise}").expect("String");
    }
    out
}

/// One sentence on what the intervals mean.
#[must_use]
pub fn intervals_sentence(n: u32) -> String {
    format!(
        "Each line gives the mean over {n} replicates as is and with the changes, and the relative change with its 95 % \
         confidence interval from a paired bootstrap over replicate pairs ({} resamples seeded from the master seed; both arms \
         use the same seeds); \"within noise\" marks a change whose interval for the difference includes zero.",
        compare::human(BOOTSTRAP_RESAMPLES as f64)
    )
}

fn length(setup: &Setup) -> String {
    if setup.model == "epstein" {
        format!("{} ticks", setup.ticks)
    } else {
        let days = f64::from(setup.ticks) * setup.tick_length_days;
        if setup.tick_length_days == 1.0 {
            format!("{} days", setup.ticks)
        } else {
            format!("{} ticks of {} days ({days} days)", setup.ticks, setup.tick_length_days)
        }
    }
}

/// The report as Markdown (`whatif.md`).
#[must_use]
pub fn render_markdown(a: &Analysis, setup: &Setup) -> String {
    let mut out = String::new();
    writeln!(out, "# What if: {}\n", setup.title).expect("String");
    writeln!(out, "- Scenario: `{}`, {}", setup.scenario, length(setup)).expect("String");
    for c in &setup.changes {
        writeln!(out, "- What if: {}", c.markdown()).expect("String");
    }
    writeln!(
        out,
        "- Replicates: {} pairs with common random numbers, master seed {}",
        setup.replicates, setup.seed
    )
    .expect("String");
    for n in &setup.notes {
        writeln!(out, "- Note: {n}").expect("String");
    }
    writeln!(out, "\n```text\n{}```\n", table(a)).expect("String");
    if !a.zero.is_empty() {
        writeln!(
            out,
            "Not shown (zero in every replicate of both arms): {}.\n",
            a.zero.iter().map(|h| h.label).collect::<Vec<_>>().join(", ")
        )
        .expect("String");
    }
    writeln!(out, "{}\n", intervals_sentence(setup.replicates)).expect("String");
    writeln!(out, "Reproduce with:\n\n```sh\n{}\n```", setup.command).expect("String");
    out
}

/// The report as plain text, for the terminal.
#[must_use]
pub fn render_text(a: &Analysis, setup: &Setup) -> String {
    let mut out = String::new();
    writeln!(out, "What if: {}", setup.title).expect("String");
    writeln!(out, "  scenario: {}, {}", setup.scenario, length(setup)).expect("String");
    for c in &setup.changes {
        writeln!(out, "  change: {}", c.text()).expect("String");
    }
    writeln!(
        out,
        "  {} replicate pairs with common random numbers, master seed {}",
        setup.replicates, setup.seed
    )
    .expect("String");
    for n in &setup.notes {
        writeln!(out, "  note: {n}").expect("String");
    }
    writeln!(out, "\n{}", table(a)).expect("String");
    if !a.zero.is_empty() {
        writeln!(
            out,
            "Not shown (zero in every replicate of both arms): {}.\n",
            a.zero.iter().map(|h| h.label).collect::<Vec<_>>().join(", ")
        )
        .expect("String");
    }
    writeln!(out, "{}\n", intervals_sentence(setup.replicates)).expect("String");
    writeln!(out, "Reproduce with: {}", setup.command).expect("String");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::whatif::analysis::{Change, Row};
    use crate::output::headline::HEADLINE;

    #[test]
    fn numbers_and_percentages_read_well() {
        assert_eq!(human(1240.4), "1,240");
        assert_eq!(human(12.34), "12.3");
        assert_eq!(human(12.0), "12");
        assert_eq!(human(0.019_34), "0.0193");
        assert_eq!(human(0.0), "0");
        assert_eq!(human(-3.25), "-3.25");
        assert_eq!(percent(-0.3), "-30 %");
        assert_eq!(percent(0.061), "+6 %");
        assert_eq!(percent(0.004), "+0.4 %");
        assert_eq!(percent(0.0097), "+1 %");
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(percent(f64::NAN), "n/a");
    }
    #[test]
    fn the_table_has_one_arrow_line_per_outcome_and_marks_noise() {
        let a = Analysis {
            rows: vec![
                Row {
                    headline: HEADLINE[0],
                    change: Change::of(&[1200.0, 1280.0, 1240.0], &[860.0, 880.0, 870.0], 1, 0),
                },
                Row {
                    headline: HEADLINE[8],
                    change: Change::of(&[300.0, 320.0, 310.0], &[330.0, 280.0, 275.0], 1, 1),
                },
            ],
            zero: vec![HEADLINE[4]],
        };
        let t = table(&a);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0].starts_with("Civilian fatalities (people):") && lines[0].contains("1,240 -> 870"),
            "{t}"
        );
        assert!(lines[0].contains("(-30 %, 95 % CI") && !lines[0].ends_with("within noise"), "{t}");
        assert!(lines[1].contains("310 -> 295") && lines[1].ends_with(": within noise"), "{t}");
    }
}
