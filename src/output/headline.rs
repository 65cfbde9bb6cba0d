//! The headline outcomes: which outcomes a what-if report leads with, how people read them
//! (label, short label, unit), and which time series shows each.
//!
//! One list that both the report's text (`experiment::whatif`) and its figure
//! (`output::plot`) read, so that they name the same outcomes the same way. Only names and
//! words: it must not compute, read or write anything.

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
