//! What-if analysis: a scenario as it is against the same scenario with changes (`--set`
//! overrides, or an alternative scenario file), run as a paired ensemble with common random
//! numbers, and reported in plain language.
//!
//! A what-if is a comparison of two arms, `as-is` and `what-if` (see [`super::comparison`]), run
//! by [`super::runner::execute`]; after the runs and before the manifest, [`write_report`]
//! writes `whatif.csv` (the statistics of each headline outcome), `whatif.md` (the same as
//! sentences for people) and `figures/whatif.svg` and `.png`. Every number depends only on the
//! runs' outcomes and the master seed (the bootstrap is seeded from it), so the same command
//! gives byte-identical files. This module never prints: the binary prints what
//! [`render_text`] returns.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Result};
use crate::output::Format;
use crate::output::csv::record_line;
use crate::output::manifest::FileEntry;
use crate::scenario::{Override, document};
use crate::spec::ModelSpec;
use crate::stats::summarize;

use super::compare::{BOOTSTRAP_RESAMPLES, Paired, paired, read_outcomes, stream_of};
use super::runner::{Experiment, Kind};
use super::{Arm, comparison};

/// Name of the reference arm.
pub const AS_IS: &str = "as-is";
/// Name of the arm with the changes.
pub const WHAT_IF: &str = "what-if";

/// A headline outcome: a column of `outcomes.csv` and how people read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headline {
    /// Column of `outcomes.csv`.
    pub outcome: &'static str,
    /// Label in sentences and tables.
    pub label: &'static str,
    /// Short label for figures.
    pub short: &'static str,
    /// Unit (empty for a plain count).
    pub unit: &'static str,
}

const fn h(outcome: &'static str, label: &'static str, short: &'static str, unit: &'static str) -> Headline {
    Headline {
        outcome,
        label,
        short,
        unit,
    }
}

/// Headline outcomes of the main model, in report order. An outcome that is zero in every
/// replicate of both arms is left out of the report.
pub const HEADLINE: [Headline; 16] = [
    h("civilian_fatalities", "Civilian fatalities", "Civilians killed", "people"),
    h("civilian_fatalities_rebel", "Civilians killed by rebels", "… by rebels", "people"),
    h(
        "civilian_fatalities_militia",
        "Civilians killed by militias",
        "… by militias",
        "people",
    ),
    h(
        "civilian_fatalities_state",
        "Civilians killed by state forces",
        "… by state forces",
        "people",
    ),
    h(
        "civilian_fatalities_mission",
        "Civilians killed by the mission",
        "… by the mission",
        "people",
    ),
    h(
        "civilian_fatalities_crossfire",
        "Civilians killed in crossfire",
        "… in crossfire",
        "people",
    ),
    h("peak_displaced", "Peak displaced", "Peak displaced", "people"),
    h("peak_in_sites", "Peak protection-site population", "Peak in sites", "people"),
    h("epidemic_deaths", "Epidemic deaths", "Epidemic deaths", "people"),
    h("deaths", "Deaths from all causes", "Deaths, all causes", "people"),
    h("mean_m0", "Mean human insecurity M0", "Mean M0", "index 0-1"),
    h("final_trust_in_mission", "Final trust in the mission", "Trust in mission", "share"),
    h("final_host_consent", "Final host consent", "Host consent", "share"),
    h("recruits", "Fighters recruited", "Recruits", "people"),
    h("peak_fighters", "Peak fighters", "Peak fighters", "people"),
    h("protests_and_riots", "Protests and riots", "Protests and riots", "events"),
];

/// Headline outcomes of Epstein's model.
pub const EPSTEIN_HEADLINE: [Headline; 6] = [
    h("mean_active", "Mean active rebels", "Mean active", "agents"),
    h("peak_active", "Peak active rebels", "Peak active", "agents"),
    h("outbursts", "Outbursts", "Outbursts", ""),
    h("mean_jailed", "Mean jailed", "Mean jailed", "agents"),
    h("arrests", "Arrests", "Arrests", ""),
    h("kills", "Kills", "Kills", "agents"),
];

/// The headline outcomes of a model (`peacesim` or `epstein`).
#[must_use]
pub fn headline_for(model: &str) -> &'static [Headline] {
    if model == "epstein" { &EPSTEIN_HEADLINE } else { &HEADLINE }
}

/// The series the figure draws over time for a model: (indicator, title, unit).
#[must_use]
pub fn figure_series(model: &str) -> (&'static str, &'static str, &'static str) {
    if model == "epstein" {
        ("active", "Active rebels", "agents")
    } else {
        ("civilian_fatalities_cumulative", "Civilian fatalities, cumulative", "people")
    }
}

/// The time series that shows a headline outcome (indicator, title, unit), if one does.
#[must_use]
pub fn outcome_series(outcome: &str) -> Option<(&'static str, &'static str, &'static str)> {
    Some(match outcome {
        "civilian_fatalities" => ("civilian_fatalities_cumulative", "Civilian fatalities, cumulative", "people"),
        "epidemic_deaths" => ("epidemic_deaths_cumulative", "Epidemic deaths, cumulative", "people"),
        "deaths" => ("deaths_cumulative", "Deaths from all causes, cumulative", "people"),
        "peak_displaced" => ("displaced", "Displaced people", "people"),
        "peak_in_sites" => ("in_sites", "People in protection sites", "people"),
        "mean_m0" => ("af_m0", "Human insecurity M0", "index 0-1"),
        "final_trust_in_mission" => ("trust_in_mission", "Trust in the mission", "share"),
        "final_host_consent" => ("host_consent", "Host consent", "share"),
        "peak_fighters" => ("fighters", "Fighters", "people"),
        "protests_and_riots" => ("protests_cumulative", "Protests against the mission, cumulative", "events"),
        _ => return None,
    })
}

/// One change of a what-if.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// The what-if arm runs another scenario.
    Scenario {
        /// The file (or `scenarios/NAME.toml (built in)`).
        file: String,
        /// Its title.
        title: String,
    },
    /// A field set with `--set`.
    Set {
        /// The field path.
        path: String,
        /// The new value, as TOML.
        value: String,
        /// The value as is, as TOML, or None when the scenario leaves the field at its default
        /// (or the change applies to another scenario).
        was: Option<String>,
        /// Whether the as-is value is known (false on top of an alternative scenario).
        compared: bool,
    },
}

impl Edit {
    /// Short form for figures: `mission.troops = 0`, `scenario replaced by FILE`.
    #[must_use]
    pub fn short(&self) -> String {
        match self {
            Self::Scenario { file, .. } => format!("scenario replaced by {file}"),
            Self::Set { path, value, .. } => format!("{path} = {value}"),
        }
    }

    /// Plain text: `mission.troops = 0 (as is: 900)`.
    #[must_use]
    pub fn text(&self) -> String {
        match self {
            Self::Scenario { file, title } => format!("scenario replaced by {file} ({title})"),
            Self::Set { was, compared: true, .. } => {
                format!("{} (as is: {})", self.short(), was.as_deref().unwrap_or("not set, the default"))
            }
            Self::Set { .. } => self.short(),
        }
    }

    /// Markdown: `` `mission.troops = 0` (as is: `900`) ``.
    #[must_use]
    pub fn markdown(&self) -> String {
        match self {
            Self::Scenario { file, title } => format!("the scenario is replaced by `{file}` ({title})"),
            Self::Set {
                was: Some(w),
                compared: true,
                ..
            } => format!("`{}` (as is: `{w}`)", self.short()),
            Self::Set {
                was: None, compared: true, ..
            } => format!("`{}` (as is: not set, the default)", self.short()),
            Self::Set { .. } => format!("`{}`", self.short()),
        }
    }
}

/// What a what-if compares and how to reproduce it: everything the report says besides the numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    /// The scenario as named (a file, or `scenarios/NAME.toml (built in)`).
    pub scenario: String,
    /// The scenario's title.
    pub title: String,
    /// The changes (the alternative scenario, then one per override).
    pub changes: Vec<Edit>,
    /// Remarks shown above the table (e.g. that the arms are identical).
    pub notes: Vec<String>,
    /// A command line that reproduces the result.
    pub command: String,
    /// Figure formats.
    pub formats: Vec<Format>,
    /// Model name (`peacesim` or `epstein`).
    pub model: &'static str,
    /// Replicate pairs.
    pub replicates: u32,
    /// Master seed.
    pub seed: u64,
    /// Ticks per run.
    pub ticks: u32,
    /// Days per tick.
    pub tick_length_days: f64,
}

/// Refuses `--set` paths that cannot differ between the arms of a what-if (`run.*`).
///
/// # Errors
/// [`Error::Usage`] naming the field and what to use instead.
pub fn check_overrides(overrides: &[Override]) -> Result<()> {
    for o in overrides {
        let p = o.path.as_str();
        let why = match p {
            "run.ticks" => "both arms run the same length: use --ticks N to shorten or lengthen both",
            "run.seed" => "the replicate seeds come from the master seed and are the same in both arms: use --seed S",
            _ if p == "run" || p.starts_with("run.") || p.starts_with("run[") => "run settings must be the same in both arms",
            _ => continue,
        };
        return Err(Error::Usage(format!("--set {}: {why}", o.render())));
    }
    Ok(())
}

/// The changes: the alternative scenario `alt` (file and title), if any, then each override
/// with its value as is, read from the scenario text `base` (only without an alternative).
#[must_use]
pub fn describe_changes(base: &str, alt: Option<(String, String)>, overrides: &[Override]) -> Vec<Edit> {
    let table = document::parse_table(base, Path::new("")).ok();
    let compared = alt.is_none();
    let mut out = Vec::new();
    if let Some((file, title)) = alt {
        out.push(Edit::Scenario { file, title });
    }
    for o in overrides {
        let was = if compared {
            table.as_ref().and_then(|t| document::get_path(t, &o.path)).map(ToString::to_string)
        } else {
            None
        };
        out.push(Edit::Set {
            path: o.path.clone(),
            value: o.value.to_string(),
            was,
            compared,
        });
    }
    out
}

/// Whether two validated scenarios are the same apart from where they came from.
#[must_use]
pub fn identical(a: &ModelSpec, b: &ModelSpec) -> bool {
    match (a, b) {
        (ModelSpec::Peacesim(x), ModelSpec::Peacesim(y)) => {
            let mut x = x.clone();
            x.source = y.source.clone();
            format!("{x:?}") == format!("{y:?}")
        }
        (ModelSpec::Epstein(x), ModelSpec::Epstein(y)) => {
            let mut x = x.clone();
            x.source = y.source.clone();
            format!("{x:?}") == format!("{y:?}")
        }
        _ => false,
    }
}

/// The experiment of a what-if: arms `as-is` and `what-if` with common random numbers.
///
/// # Errors
/// [`Error::Usage`] if the arms are of different models, lengths, tick lengths or armed groups
/// (their outputs could not be paired), or fewer than two replicates are asked for.
pub fn experiment(as_is: ModelSpec, what_if: ModelSpec, spec: String, setup: Setup) -> Result<Experiment> {
    if setup.replicates < 2 {
        return Err(Error::Usage(format!(
            "--replicates must be at least 2 to tell a change from noise, got {}",
            setup.replicates
        )));
    }
    if as_is.model_name() != what_if.model_name() {
        return Err(Error::Usage(format!(
            "the what-if scenario is a `{}` scenario and the as-is one a `{}` scenario: both arms must be of the same model",
            what_if.model_name(),
            as_is.model_name()
        )));
    }
    if as_is.ticks() != what_if.ticks() || as_is.tick_length_days() != what_if.tick_length_days() {
        return Err(Error::Usage(format!(
            "the as-is scenario runs {} ticks of {} days and the what-if one {} ticks of {} days: both arms must run the same ticks (use --ticks N to set both)",
            as_is.ticks(),
            as_is.tick_length_days(),
            what_if.ticks(),
            what_if.tick_length_days()
        )));
    }
    if as_is.group_slugs() != what_if.group_slugs() {
        return Err(Error::Usage(format!(
            "the arms have different armed groups ({} against {}): both arms must have the same armed groups, in the same order",
            as_is.group_slugs().join(", "),
            what_if.group_slugs().join(", ")
        )));
    }
    let arms = [
        Arm {
            name: AS_IS.into(),
            spec: "as is".into(),
            scenario: as_is,
        },
        Arm {
            name: WHAT_IF.into(),
            spec,
            scenario: what_if,
        },
    ];
    let mut exp = comparison(&arms, setup.replicates, setup.seed)?;
    exp.kind = Kind::WhatIf;
    if let Some(identity) = exp.identity.as_object_mut() {
        identity.insert("kind".into(), "whatif".into());
    }
    exp.whatif = Some(setup);
    Ok(exp)
}

/// Short name of the directory of a what-if under `outputs/<scenario>/`: `whatif-seed-S-HASH`,
/// where HASH (8 hex digits) is taken from the experiment's identity, so that different what-ifs
/// of one scenario do not collide and the same command finds its own directory again.
#[must_use]
pub fn dir_name(exp: &Experiment) -> String {
    let hash = crate::scenario::sha256_hex(exp.identity.to_string().as_bytes());
    format!("whatif-seed-{}-{}", exp.seed, &hash[..8])
}

/// What the change did to an outcome, judged by the difference's 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The whole interval is below zero.
    Lower,
    /// The whole interval is above zero.
    Higher,
    /// The interval includes zero.
    WithinNoise,
}

impl Verdict {
    /// Judges a paired difference.
    #[must_use]
    pub fn of(p: &Paired) -> Self {
        if p.diff_high < 0.0 {
            Self::Lower
        } else if p.diff_low > 0.0 {
            Self::Higher
        } else {
            Self::WithinNoise
        }
    }

    /// As written in `whatif.csv`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lower => "lower",
            Self::Higher => "higher",
            Self::WithinNoise => "within noise",
        }
    }
}

/// The statistics of one outcome in both arms.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Replicate pairs.
    pub n: usize,
    /// As-is mean and its 95 % t interval (low, high).
    pub as_is: (f64, f64, f64),
    /// What-if mean and its 95 % t interval (low, high).
    pub what_if: (f64, f64, f64),
    /// Paired difference (what if - as is), relative change (what-if mean / as-is mean - 1),
    /// and their paired bootstrap 95 % intervals.
    pub paired: Paired,
    /// Lower, higher or within noise.
    pub verdict: Verdict,
}

impl Change {
    /// Computes the statistics of replicate pairs (`as_is[i]` and `what_if[i]` share a seed);
    /// the bootstrap draws from the stream `(seed, stream)`.
    #[must_use]
    pub fn of(as_is: &[f64], what_if: &[f64], seed: u64, stream: u64) -> Self {
        let mut scratch = Vec::new();
        let a = summarize(as_is, &mut scratch);
        let w = summarize(what_if, &mut scratch);
        let p = paired(as_is, what_if, seed, stream);
        Self {
            n: a.n.min(w.n),
            as_is: (a.mean, a.ci_low, a.ci_high),
            what_if: (w.mean, w.ci_low, w.ci_high),
            paired: p,
            verdict: Verdict::of(&p),
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The outcome.
    pub headline: Headline,
    /// Its statistics.
    pub change: Change,
}

/// The report's numbers: the headline outcomes of a finished what-if directory, and the
/// headline outcomes left out because they are zero in every replicate of both arms.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Outcomes shown, in headline order.
    pub rows: Vec<Row>,
    /// Outcomes left out (zero everywhere).
    pub zero: Vec<Headline>,
}

/// Reads `dir/outcomes.csv` and computes the headline statistics. The bootstrap stream of each
/// outcome is the one `comparison.csv` uses, so both files agree.
///
/// # Errors
/// Read errors, a malformed file, or a directory that is not a two-arm comparison.
pub fn analyse(dir: &Path, seed: u64, model: &str) -> Result<Analysis> {
    let data = read_outcomes(dir)?;
    if data.arms.len() != 2 {
        return Err(Error::Output {
            path: dir.join("design.csv"),
            message: format!("a what-if has two arms, found {}", data.arms.len()),
        });
    }
    let mut rows = Vec::new();
    let mut zero = Vec::new();
    for h in headline_for(model) {
        let Some(k) = data.outcomes.iter().position(|o| o == h.outcome) else {
            continue;
        };
        let (a, w) = (&data.values[0][k], &data.values[1][k]);
        if a.iter().chain(w).all(|v| *v == 0.0) {
            zero.push(*h);
            continue;
        }
        rows.push(Row {
            headline: *h,
            change: Change::of(a, w, seed, stream_of(k, 1)),
        });
    }
    Ok(Analysis { rows, zero })
}

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
            num(p.rel),
            num(p.rel_low),
            num(p.rel_high),
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
        return super::compare::human(x);
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
        super::compare::human(BOOTSTRAP_RESAMPLES as f64)
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

/// Writes `whatif.csv`, `whatif.md` and the figure into a what-if directory whose runs are
/// complete (called by the runner before the manifest); returns the files written.
///
/// # Errors
/// Read, write or drawing errors.
pub fn write_report(dir: &Path, setup: &Setup) -> Result<Vec<FileEntry>> {
    let a = analyse(dir, setup.seed, setup.model)?;
    let write = |name: &str, text: String| -> Result<()> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| Error::Write { path, source })
    };
    write("whatif.csv", csv_text(&a))?;
    write("whatif.md", render_markdown(&a, setup))?;
    let mut files = vec![
        FileEntry {
            name: "whatif.csv".into(),
            rows: a.rows.len() as u64,
        },
        FileEntry {
            name: "whatif.md".into(),
            rows: a.rows.len() as u64,
        },
    ];
    for path in crate::output::plot::plot_whatif(dir, &setup.formats, &figure_text(setup))? {
        let name = path
            .strip_prefix(dir)
            .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
        files.push(FileEntry { name, rows: 0 });
    }
    Ok(files)
}

/// What the figure says about the what-if: title and the changes.
#[must_use]
pub fn figure_text(setup: &Setup) -> crate::output::plot::WhatIfText {
    crate::output::plot::WhatIfText {
        title: format!("What if: {}", setup.title),
        changes: setup.changes.iter().map(Edit::short).collect(),
        model: setup.model.to_string(),
        n: setup.replicates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proportional_change_has_that_relative_change_and_a_tight_interval() {
        let as_is = [100.0, 200.0, 300.0, 400.0, 500.0];
        let what_if: Vec<f64> = as_is.iter().map(|x| x * 0.7).collect();
        let c = Change::of(&as_is, &what_if, 42, 0);
        assert_eq!(c.n, 5);
        assert!((c.as_is.0 - 300.0).abs() < 1e-9 && (c.what_if.0 - 210.0).abs() < 1e-9);
        assert!((c.paired.diff + 90.0).abs() < 1e-9);
        assert!((c.paired.rel + 0.3).abs() < 1e-12, "{:?}", c.paired);
        // Every resample of pairs has what-if = 0.7 × as-is, so the relative interval is a point.
        assert!((c.paired.rel_low + 0.3).abs() < 1e-12 && (c.paired.rel_high + 0.3).abs() < 1e-12);
        // The difference's interval spans the resampled means of -0.3 × as-is.
        assert!(c.paired.diff_low < -90.0 && c.paired.diff_high > -90.0 && c.paired.diff_high < 0.0);
        assert_eq!(c.verdict, Verdict::Lower);
        assert_eq!(
            Change::of(&as_is, &what_if, 42, 0),
            c,
            "seeded: the same numbers give the same intervals"
        );
    }

    #[test]
    fn the_relative_change_is_of_the_means_not_the_mean_of_ratios() {
        // Ratios 2 and 2/3 average 4/3, but the means are equal: no change.
        let c = Change::of(&[1.0, 3.0], &[2.0, 2.0], 1, 0);
        assert!(c.paired.rel.abs() < 1e-12, "{:?}", c.paired);
        assert_eq!(c.verdict, Verdict::WithinNoise);
        // A constant shift: the difference's interval is that shift exactly.
        let c = Change::of(&[10.0, 20.0, 30.0], &[12.0, 22.0, 32.0], 1, 0);
        assert!((c.paired.diff_low - 2.0).abs() < 1e-12 && (c.paired.diff_high - 2.0).abs() < 1e-12);
        assert!((c.paired.rel - 0.1).abs() < 1e-12);
        // Relative bounds come from resampled means: (22 + 22 + 32)/(20 + 20 + 30) - 1 etc.
        assert!(c.paired.rel_low >= 2.0 / 30.0 - 1e-12 && c.paired.rel_high <= 2.0 / 10.0 + 1e-12);
        assert_eq!(c.verdict, Verdict::Higher);
    }

    #[test]
    fn identical_arms_are_within_noise_with_zero_differences() {
        let v = [5.0, 7.0, 9.0];
        let c = Change::of(&v, &v, 3, 0);
        assert_eq!(
            (c.paired.diff, c.paired.diff_low, c.paired.diff_high, c.paired.rel),
            (0.0, 0.0, 0.0, 0.0)
        );
        assert_eq!(c.verdict, Verdict::WithinNoise);
    }

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

    #[test]
    fn run_settings_cannot_be_changed_in_one_arm() {
        let e = check_overrides(&[Override::parse("run.ticks=60").unwrap()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--ticks"), "{e}");
        assert!(check_overrides(&[Override::parse("mission.troops=0").unwrap()]).is_ok());
    }

    #[test]
    fn changes_are_described_against_the_scenario() {
        let base = "[mission]\ntroops = 900\n";
        let o = [
            Override::parse("mission.troops=0").unwrap(),
            Override::parse("mission.police=5").unwrap(),
        ];
        let text: Vec<String> = describe_changes(base, None, &o).iter().map(Edit::text).collect();
        assert_eq!(
            text,
            vec![
                "mission.troops = 0 (as is: 900)".to_string(),
                "mission.police = 5 (as is: not set, the default)".to_string()
            ]
        );
        let md: Vec<String> = describe_changes(base, None, &o).iter().map(Edit::markdown).collect();
        assert_eq!(md[0], "`mission.troops = 0` (as is: `900`)");
        let alt = describe_changes(base, Some(("b.toml".into(), "B".into())), &o[..1]);
        assert_eq!(alt[0].text(), "scenario replaced by b.toml (B)");
        assert_eq!(alt[1].text(), "mission.troops = 0", "no as-is value on top of another scenario");
    }
}

/// A what-if as asked for: the same inputs as `peacesim whatif` (the dashboard builds one too).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The scenario: a file or a built-in name.
    pub scenario: std::path::PathBuf,
    /// An alternative scenario for the what-if arm, if any.
    pub alt: Option<std::path::PathBuf>,
    /// `PATH=VALUE` changes for the what-if arm.
    pub set: Vec<String>,
    /// Ticks for both arms (default: the scenario's).
    pub ticks: Option<u32>,
    /// Replicate pairs (2 to 100,000).
    pub replicates: u32,
    /// Master seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Figure formats.
    pub formats: Vec<Format>,
}

/// A what-if ready to run: everything validated, nothing run yet.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The two-arm experiment.
    pub experiment: Experiment,
    /// What the report says besides the numbers.
    pub setup: Setup,
    /// The master seed.
    pub seed: u64,
    /// Where `peacesim whatif` writes it by default.
    pub default_dir: std::path::PathBuf,
}

/// Validates a what-if (both scenarios, the changes, the replicates) and builds its experiment
/// and report setup, including the canonical command line that reproduces it.
///
/// # Errors
/// As the scenario loaders and [`experiment`]; [`Error::Usage`] for no changes, `run.*` changes
/// or a replicate count outside [2, 100000].
pub fn prepare(req: &Request) -> Result<Prepared> {
    use crate::library::ScenarioInput;
    if !(2..=100_000).contains(&req.replicates) {
        return Err(Error::Usage(format!(
            "--replicates must be in [2, 100000] (a what-if needs at least two pairs to tell a change from noise), got {}",
            req.replicates
        )));
    }
    let overrides = req.set.iter().map(|s| Override::parse(s)).collect::<Result<Vec<_>>>()?;
    check_overrides(&overrides)?;
    if overrides.is_empty() && req.alt.is_none() {
        return Err(Error::Usage(
            "nothing to compare: give the changes with --set PATH=VALUE (repeatable) or an alternative scenario with --alt FILE".into(),
        ));
    }
    let base = ScenarioInput::resolve(&req.scenario)?;
    let mut as_is = base.load(&[])?;
    as_is.apply_run_overrides(None, req.ticks);
    let alt = req.alt.as_deref().map(ScenarioInput::resolve).transpose()?;
    let mut what_if = match &alt {
        Some(a) => a.load(&overrides)?,
        None => base.load(&overrides)?,
    };
    what_if.apply_run_overrides(None, req.ticks);
    let seed = req.seed.unwrap_or(as_is.seed());

    let alt_name = alt.as_ref().map(|a| (a.label.display().to_string(), what_if.name().to_string()));
    let changes = describe_changes(&base.text, alt_name, &overrides);
    let mut notes = Vec::new();
    if identical(&as_is, &what_if) {
        notes.push("the changes leave the scenario as it was: both arms are the same, so every difference is zero".to_string());
    }
    let mut command = vec!["peacesim".to_string(), "whatif".into(), base.given.clone()];
    if let Some(a) = &alt {
        command.extend(["--alt".to_string(), a.given.clone()]);
    }
    for s in &req.set {
        command.extend(["--set".to_string(), s.clone()]);
    }
    if let Some(t) = req.ticks {
        command.extend(["--ticks".to_string(), t.to_string()]);
    }
    command.extend([
        "--replicates".to_string(),
        req.replicates.to_string(),
        "--seed".into(),
        seed.to_string(),
    ]);
    let mut spec: Vec<String> = alt.iter().map(|a| a.label.display().to_string()).collect();
    spec.extend(overrides.iter().map(Override::render));
    let setup = Setup {
        scenario: base.label.display().to_string(),
        title: as_is.name().to_string(),
        changes,
        notes,
        command: command.iter().map(|w| shell_word(w)).collect::<Vec<_>>().join(" "),
        formats: req.formats.clone(),
        model: as_is.model_name(),
        replicates: req.replicates,
        seed,
        ticks: as_is.ticks(),
        tick_length_days: as_is.tick_length_days(),
    };
    let exp = experiment(as_is, what_if, spec.join(";"), setup.clone())?;
    let default_dir = super::default_dir(&base.naming_path(), &dir_name(&exp));
    Ok(Prepared {
        experiment: exp,
        setup,
        seed,
        default_dir,
    })
}

/// Quotes a word for a POSIX shell when it needs quoting.
#[must_use]
pub fn shell_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=,:+@%".contains(c)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
