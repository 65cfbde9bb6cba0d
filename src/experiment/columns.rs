//! Every column of every CSV file peacesim writes, with its unit and meaning: what
//! `peacesim indicators` prints and what the tests check every written header against, so the
//! list cannot go stale.
//!
//! The names come from the constants the writers use (indicators, outcomes, the comparison's and
//! the what-if's headers); only the key columns and the small fixed tables are spelled out here,
//! and those are checked against real output by `tests/experiments.rs`. Columns whose names depend
//! on the scenario or the design are patterns: `fighters_<group>` (a group's slug) and `<label>`
//! (the design's label columns, as listed in `design.csv`). It must not write files.

use crate::output::csv::{GROUP_INDICATORS, GROUPS_HEADER};
use crate::output::outcomes::Outcomes;
use crate::phases::indicators::{Indicators, LocalityIndicators};
use crate::scenario::DIMENSIONS;

use super::compare::COMPARISON_HEADER;
use super::whatif::render::CSV_HEADER as WHATIF_HEADER;

/// One documented column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// File name, e.g. `timeseries.csv`.
    pub file: &'static str,
    /// Column name, or a pattern with `<group>` or `<label>`.
    pub name: String,
    /// Unit (empty for names and labels).
    pub unit: String,
    /// Meaning.
    pub meaning: String,
}

/// A column of the design's label columns (sweep factors, or `arm` and `spec`), listed in `design.csv`.
pub const LABEL: &str = "<label>";

const LABEL_MEANING: &str = "The design point's label columns, as in design.csv: a sweep's factors (a field path; a table-valued factor such as the policy weights has one column per key, PATH.KEY), or a comparison's and what-if's `arm` (name) and `spec` (what the arm changes).";

fn column(file: &'static str, name: impl Into<String>, unit: &str, meaning: &str) -> Column {
    Column {
        file,
        name: name.into(),
        unit: unit.to_string(),
        meaning: meaning.trim().to_string(),
    }
}

/// Unit of an outcome from its meaning's last parenthesis (`… (people).`), else empty.
fn unit_of(meaning: &str) -> String {
    let m = meaning.trim().trim_end_matches('.');
    match (m.rfind('('), m.ends_with(')')) {
        (Some(open), true) => m[open + 1..m.len() - 1].to_string(),
        _ => String::new(),
    }
}

/// Meanings of the Epstein model's outcomes (in `outcomes.csv` of an Epstein run or experiment).
const EPSTEIN_OUTCOME_MEANINGS: [(&str, &str, &str); 13] = [
    ("mean_active", "agents", "Mean number of active rebels over the run."),
    ("peak_active", "agents", "Highest number of active rebels at once."),
    (
        "outbursts",
        "events",
        "Outbursts: runs of ticks with more active rebels than the threshold.",
    ),
    (
        "mean_wait_between_outbursts",
        "ticks",
        "Mean number of ticks between the starts of outbursts.",
    ),
    (
        "mean_activation_per_outburst",
        "agents",
        "Mean number of rebels active in an outburst.",
    ),
    ("mean_jailed", "agents", "Mean number of jailed agents over the run."),
    ("arrests", "agents", "Arrests over the run."),
    ("final_active", "agents", "Active rebels at the last tick."),
    ("final_jailed", "agents", "Jailed agents at the last tick."),
    ("kills", "agents", "Killings over the run (model II)."),
    ("final_blue", "agents", "Agents of the blue group at the last tick (model II)."),
    ("final_green", "agents", "Agents of the green group at the last tick (model II)."),
    (
        "extinction_tick",
        "tick",
        "Tick at which a group died out (model II; -1 if none did).",
    ),
];

/// Meanings of the Epstein model's per-tick counts (`timeseries.csv` of an Epstein run).
const EPSTEIN_COUNT_MEANINGS: [(&str, &str, &str); 9] = [
    ("quiescent", "agents", "Epstein model: quiescent citizens."),
    ("active", "agents", "Epstein model: active rebels."),
    ("jailed", "agents", "Epstein model: jailed citizens."),
    ("cops", "agents", "Epstein model: cops."),
    ("legitimacy", "share", "Epstein model: the regime's legitimacy this tick."),
    ("blue", "agents", "Epstein model II: agents of the blue group."),
    ("green", "agents", "Epstein model II: agents of the green group."),
    ("kills", "agents", "Epstein model II: killings this tick."),
    ("arrests", "agents", "Epstein model: arrests this tick."),
];

/// The national series' columns after `tick, day, seed` (both models), as `timeseries.csv`
/// and `series.csv` write them.
fn series_columns(file: &'static str) -> Vec<Column> {
    let mut out: Vec<Column> = Indicators::NAMES
        .iter()
        .zip(Indicators::UNITS)
        .zip(Indicators::MEANINGS)
        .map(|((n, u), m)| column(file, *n, u, m))
        .collect();
    out.push(column(
        file,
        format!("{}<group>", GROUP_INDICATORS[0].1),
        "people",
        "Fighters of the armed group (its name's slug); also in the long groups.csv.",
    ));
    out.push(column(
        file,
        format!("{}<group>", GROUP_INDICATORS[1].1),
        "people per tick",
        "Civilians killed by the armed group this tick; also in the long groups.csv.",
    ));
    out.extend(EPSTEIN_COUNT_MEANINGS.iter().map(|(n, u, m)| column(file, *n, u, m)));
    out
}

/// The keys of an experiment's per-run rows: run, point, the label columns, replicate, seed.
fn run_keys(file: &'static str) -> Vec<Column> {
    vec![
        column(file, "run", "", "Run index: point × replicates + replicate."),
        column(
            file,
            "point",
            "",
            "Design point (row of design.csv, from 0; an arm of a comparison).",
        ),
        column(file, LABEL, "", LABEL_MEANING),
        column(file, "replicate", "", "Replicate at the point, from 0."),
        column(
            file,
            "seed",
            "",
            "The run's seed, hashed from (master seed, point, replicate); below 2^53.",
        ),
    ]
}

fn tick_keys(file: &'static str, seed: bool) -> Vec<Column> {
    let mut out = vec![
        column(file, "tick", "tick", "Tick, from 0 (the initial state)."),
        column(file, "day", "days", "Days since the start: tick × tick length."),
    ];
    if seed {
        out.push(column(file, "seed", "", "The run's seed."));
    }
    out
}

/// Statistics over replicates, as `summary.csv` and `point_summary.csv` write them.
fn statistics(file: &'static str) -> Vec<Column> {
    vec![
        column(file, "n", "", "Replicates."),
        column(file, "mean", "as the quantity", "Mean over the replicates."),
        column(file, "sd", "as the quantity", "Sample standard deviation (n - 1)."),
        column(
            file,
            "q025",
            "as the quantity",
            "2.5 % quantile of the replicates (linear interpolation, R type 7).",
        ),
        column(file, "q975", "as the quantity", "97.5 % quantile of the replicates."),
        column(
            file,
            "boot_ci95_low",
            "as the quantity",
            "Percentile bootstrap 95 % interval of the mean, low (2,000 resamples; within the replicates' range).",
        ),
        column(
            file,
            "boot_ci95_high",
            "as the quantity",
            "Percentile bootstrap 95 % interval of the mean, high.",
        ),
    ]
}

/// Meaning of a column of `comparison.csv`.
fn comparison_meaning(name: &str) -> (&'static str, &'static str) {
    match name {
        "outcome" => ("", "Outcome (a column of outcomes.csv)."),
        "arm" => ("", "Arm name; the first is the reference."),
        "n" => ("", "Replicates of the arm."),
        "mean" => ("as the outcome", "The arm's mean."),
        "boot_ci95_low" | "boot_ci95_high" => (
            "as the outcome",
            "Percentile bootstrap 95 % interval of the arm's mean (low, high).",
        ),
        "diff" => ("as the outcome", "Mean paired difference arm - reference (0 for the reference)."),
        "diff_boot_ci95_low" | "diff_boot_ci95_high" => ("as the outcome", "Paired bootstrap 95 % interval of the difference (low, high)."),
        "relative_diff" => (
            "ratio",
            "Relative change: arm mean / reference mean - 1 (empty: see relative_note).",
        ),
        "relative_boot_ci95_low" | "relative_boot_ci95_high" => (
            "ratio",
            "Paired bootstrap 95 % interval of the relative change (low, high; empty when unbounded: see relative_note).",
        ),
        "relative_note" => (
            "",
            "Why a relative field is empty: `reference mean 0`, or `reference mean 0 in X % of bootstrap resamples`.",
        ),
        "within_noise" => ("", "`true` when the difference's interval includes 0."),
        _ => ("", ""),
    }
}

/// Meaning of a column of `whatif.csv`.
fn whatif_meaning(name: &str) -> (&'static str, &'static str) {
    match name {
        "outcome" => ("", "Headline outcome (a column of outcomes.csv)."),
        "label" => ("", "The outcome in words."),
        "unit" => ("", "The outcome's unit."),
        "n" => ("", "Replicate pairs."),
        "as_is_mean" => ("as the outcome", "Mean of the scenario as is."),
        "as_is_boot_ci95_low" | "as_is_boot_ci95_high" => ("as the outcome", "Percentile bootstrap 95 % interval of the as-is mean."),
        "what_if_mean" => ("as the outcome", "Mean of the scenario with the changes."),
        "what_if_boot_ci95_low" | "what_if_boot_ci95_high" => ("as the outcome", "Percentile bootstrap 95 % interval of the what-if mean."),
        "diff" => ("as the outcome", "Mean paired difference what if - as is."),
        "diff_boot_ci95_low" | "diff_boot_ci95_high" => ("as the outcome", "Paired bootstrap 95 % interval of the difference."),
        "relative_change" => ("ratio", "What-if mean / as-is mean - 1 (empty: see relative_note)."),
        "relative_boot_ci95_low" | "relative_boot_ci95_high" => (
            "ratio",
            "Paired bootstrap 95 % interval of the relative change (empty when unbounded).",
        ),
        "relative_note" => ("", "Why a relative field is empty."),
        "verdict" => ("", "`lower`, `higher` or `within noise` (the difference's interval includes 0)."),
        _ => ("", ""),
    }
}

/// Every column of every CSV file, by file in the order `peacesim indicators` prints them.
#[must_use]
pub fn catalogue() -> Vec<Column> {
    let mut out = Vec::new();
    // A run.
    out.extend(tick_keys("timeseries.csv", true));
    out.extend(series_columns("timeseries.csv"));
    out.extend(tick_keys("groups.csv", true));
    for name in &GROUPS_HEADER[3..] {
        let meaning = match *name {
            "group" => "Armed group (its name, as in events.csv).",
            "indicator" => "`fighters` (people) or `civilian_fatalities` (civilians killed by the group this tick).",
            _ => "The indicator's value for the group at the tick.",
        };
        out.push(column("groups.csv", *name, if *name == "value" { "people" } else { "" }, meaning));
    }
    out.extend(tick_keys("localities.csv", true));
    out.push(column("localities.csv", "locality", "", "Locality name (as in network.csv)."));
    out.extend(
        LocalityIndicators::NAMES
            .iter()
            .zip(LocalityIndicators::UNITS)
            .zip(LocalityIndicators::MEANINGS)
            .map(|((n, u), m)| column("localities.csv", *n, u, m)),
    );
    out.extend(tick_keys("subgroups.csv", true));
    for (name, unit, meaning) in [
        (
            "dimension",
            "",
            "What the subgroups split by: identity group, sex, age band or displacement status.",
        ),
        ("subgroup", "", "The subgroup."),
        ("population", "people", "People in the subgroup."),
        (
            "af_headcount_h",
            "share",
            "Alkire-Foster headcount H: share of the subgroup multidimensionally insecure.",
        ),
        (
            "af_intensity_a",
            "share",
            "Alkire-Foster intensity A: mean deprivation share of the insecure.",
        ),
        ("af_m0", "index 0-1", "Alkire-Foster adjusted headcount M0 = H × A."),
    ] {
        out.push(column("subgroups.csv", name, unit, meaning));
    }
    for d in DIMENSIONS {
        out.push(column(
            "subgroups.csv",
            format!("deprived_{d}_share"),
            "share",
            &format!("Share of the subgroup deprived in the {d} dimension."),
        ));
    }
    out.extend(tick_keys("events.csv", true));
    for (name, unit, meaning) in [
        ("locality", "", "Where the event happened."),
        (
            "event_type",
            "",
            "ACLED event type (Battles, Violence against civilians, Protests, Riots, …).",
        ),
        ("sub_event_type", "", "ACLED sub-event type."),
        ("perpetrator_kind", "", "Kind of actor: rebel, militia, state, mission or crowd."),
        ("perpetrator", "", "The actor (an armed group's name, `mission` or `crowd`)."),
        ("opponent", "", "The other side of a battle (empty otherwise)."),
        ("target_kind", "", "What was targeted: civilians, an armed group, the mission, …"),
        ("fatalities", "people", "Deaths in the event, all kinds."),
        ("fighter_fatalities", "people", "Fighters killed."),
        ("peacekeeper_fatalities", "people", "Peacekeepers killed."),
        ("injuries", "people", "People injured."),
        ("sexual_violence", "people", "Victims of sexual violence."),
        ("abductions", "people", "People abducted."),
    ] {
        out.push(column("events.csv", name, unit, meaning));
    }
    for (name, unit, meaning) in [
        ("locality", "", "Locality name."),
        ("x_km", "km", "East-west coordinate."),
        ("y_km", "km", "North-south coordinate."),
        ("kind", "", "`urban` or `rural`."),
        ("population", "people", "Initial population."),
        ("site_capacity", "people", "Capacity of its protection site (0: none)."),
    ] {
        out.push(column("network.csv", name, unit, meaning));
    }
    for (name, unit, meaning) in [
        ("from", "", "One end of the link (a locality)."),
        ("to", "", "The other end."),
        ("distance_km", "km", "Travel distance along the link."),
    ] {
        out.push(column("links.csv", name, unit, meaning));
    }
    // Experiments (and an Epstein run's outcomes.csv, keyed by its seed).
    out.push(column("design.csv", "point", "", "Design point, from 0."));
    out.push(column("design.csv", LABEL, "", LABEL_MEANING));
    out.extend(run_keys("outcomes.csv"));
    for (name, meaning) in Outcomes::NAMES.iter().zip(Outcomes::MEANINGS) {
        let unit = if name.ends_with("_share") {
            "share".to_string()
        } else {
            unit_of(meaning)
        };
        out.push(column("outcomes.csv", *name, &unit, meaning));
    }
    out.extend(EPSTEIN_OUTCOME_MEANINGS.iter().map(|(n, u, m)| column("outcomes.csv", *n, u, m)));
    out.extend(run_keys("series.csv"));
    out.extend(tick_keys("series.csv", false));
    out.extend(series_columns("series.csv"));
    out.extend(run_keys("group_series.csv"));
    out.extend(tick_keys("group_series.csv", false));
    out.push(column("group_series.csv", "group", "", "Armed group (its name)."));
    out.push(column("group_series.csv", "indicator", "", "`fighters` or `civilian_fatalities`."));
    out.push(column(
        "group_series.csv",
        "value",
        "people",
        "The indicator's value for the group at the tick.",
    ));
    out.push(column("summary.csv", "point", "", "Design point."));
    out.push(column("summary.csv", LABEL, "", LABEL_MEANING));
    out.push(column("summary.csv", "tick", "tick", "Tick."));
    out.push(column("summary.csv", "indicator", "", "A column of series.csv after `day`."));
    out.extend(statistics("summary.csv"));
    out.push(column("point_summary.csv", "point", "", "Design point."));
    out.push(column("point_summary.csv", LABEL, "", LABEL_MEANING));
    out.push(column("point_summary.csv", "outcome", "", "A column of outcomes.csv."));
    out.extend(statistics("point_summary.csv"));
    for name in COMPARISON_HEADER {
        let (unit, meaning) = comparison_meaning(name);
        out.push(column("comparison.csv", name, unit, meaning));
    }
    for name in WHATIF_HEADER {
        let (unit, meaning) = whatif_meaning(name);
        out.push(column("whatif.csv", name, unit, meaning));
    }
    out
}

/// Whether `name` matches a documented column `pattern`: equal, `<label>` naming one of
/// `labels`, or a `<group>` pattern with a non-empty group slug.
fn matches(pattern: &str, name: &str, labels: &[String]) -> bool {
    if pattern == LABEL {
        return labels.iter().any(|l| l == name);
    }
    match pattern.split_once("<group>") {
        Some((prefix, suffix)) => name.len() > prefix.len() + suffix.len() && name.starts_with(prefix) && name.ends_with(suffix),
        None => pattern == name,
    }
}

/// Whether column `name` of `file` is documented; `labels` are the design's label columns of
/// the directory (empty for a single run).
#[must_use]
pub fn is_documented(catalogue: &[Column], file: &str, name: &str, labels: &[String]) -> bool {
    catalogue.iter().any(|c| c.file == file && matches(&c.name, name, labels))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classic::EpsteinCounts;
    use crate::experiment::model::EPSTEIN_OUTCOMES;

    #[test]
    fn every_column_has_a_meaning_and_the_epstein_lists_match_the_code() {
        let c = catalogue();
        assert!(
            c.iter().all(|x| !x.meaning.is_empty()),
            "{:?}",
            c.iter().find(|x| x.meaning.is_empty())
        );
        let names: Vec<&str> = EPSTEIN_OUTCOME_MEANINGS.iter().map(|x| x.0).collect();
        assert_eq!(names, EPSTEIN_OUTCOMES);
        let names: Vec<&str> = EPSTEIN_COUNT_MEANINGS.iter().map(|x| x.0).collect();
        assert_eq!(names, EpsteinCounts::NAMES);
    }

    #[test]
    fn patterns_match_groups_and_labels_only() {
        let c = catalogue();
        let labels = vec!["arm".to_string()];
        assert!(is_documented(&c, "timeseries.csv", "fighters_m23", &[]));
        assert!(!is_documented(&c, "timeseries.csv", "fighters_", &[]));
        assert!(is_documented(&c, "outcomes.csv", "arm", &labels));
        assert!(!is_documented(&c, "outcomes.csv", "arm", &[]));
        assert!(!is_documented(&c, "events.csv", "no_such_column", &labels));
        assert_eq!(unit_of("Civilians killed (people)."), "people");
        assert_eq!(unit_of("M0 at the last tick."), "");
    }
}
