//! The what-if report as text: `whatif.csv`, `whatif.md` and the plain text the binary prints,
//! with numbers and percentages formatted for people.
//!
//! Turns an [`Analysis`] and a [`Setup`] into strings; it must not compute statistics, read or
//! write files.

use std::fmt::Write as _;

use crate::experiment::compare::{BOOTSTRAP_RESAMPLES, difference_words, relative_words};
pub use crate::experiment::compare::{human, percent};
use crate::output::csv::record_line;

use super::analysis::{Analysis, Verdict};
use super::setup::Setup;

/// Header of `whatif.csv`. Every interval is a percentile bootstrap 95 % interval (`boot` in
/// the name), as in `comparison.csv`.
pub const CSV_HEADER: [&str; 18] = [
    "outcome",
    "label",
    "unit",
    "n",
    "as_is_mean",
    "as_is_boot_ci95_low",
    "as_is_boot_ci95_high",
    "what_if_mean",
    "what_if_boot_ci95_low",
    "what_if_boot_ci95_high",
    "diff",
    "diff_boot_ci95_low",
    "diff_boot_ci95_high",
    "relative_change",
    "relative_boot_ci95_low",
    "relative_boot_ci95_high",
    "relative_note",
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
        // An undefined or unbounded relative change: an empty field (its reason in
        // `relative_note`), never `NaN` or `inf`.
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
            p.relative_note().unwrap_or_default(),
            c.verdict.as_str().to_string(),
        ]));
    }
    text
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
        // Without a relative interval, the difference says how large the change is.
        let change = if p.relative_note().is_none() {
            format!("({})", relative_words(p))
        } else {
            format!("({}; {})", relative_words(p), difference_words(p))
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
         use the same seeds); \"within noise\" marks a change whose interval for the difference includes zero; \"n/a\" a \
         relative change without a number, with the reason.",
        human(BOOTSTRAP_RESAMPLES as f64)
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
