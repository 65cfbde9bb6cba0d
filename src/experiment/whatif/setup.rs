//! What a what-if compares, in words: the changes (an alternative scenario, `--set` fields with
//! their values as is) and everything else its report says besides the numbers.
//!
//! Plain data, built when a what-if is prepared and carried by its experiment to the report; it
//! must not run, read outputs or compute statistics.

use std::path::Path;

use crate::output::plot::{Format, Look};
use crate::scenario::{Override, document};

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
    /// Figure style and width.
    pub look: Look,
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

#[cfg(test)]
mod tests {
    use super::*;

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
