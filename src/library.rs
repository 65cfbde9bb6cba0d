//! The built-in scenario library, and how a SCENARIO argument is found.
//!
//! `build.rs` embeds every `scenarios/*.toml` file into the binary at compile time, sorted by file
//! name, so that `peacesim run baseline` works from any directory after `cargo install`. A
//! SCENARIO argument is resolved as an existing file first, then as a built-in name (with or
//! without `.toml`). A built-in scenario is named `scenarios/NAME.toml (built in)` in messages
//! and manifests.
//!
//! This module only finds scenario text: parsing and validation stay in `scenario/` and
//! `classic/` (through [`ModelSpec::from_text`]). It never prints.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::scenario::{Override, document};
use crate::spec::ModelSpec;

/// A scenario file shipped inside the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinScenario {
    /// File stem, e.g. `baseline` for `scenarios/baseline.toml`.
    pub name: &'static str,
    /// The file's text, as shipped.
    pub text: &'static str,
}

impl BuiltinScenario {
    /// How the scenario is named in messages and manifests: `scenarios/NAME.toml (built in)`.
    #[must_use]
    pub fn label(&self) -> PathBuf {
        PathBuf::from(format!("scenarios/{}.toml (built in)", self.name))
    }

    /// Parses and validates the scenario (either model) with overrides.
    ///
    /// # Errors
    /// As [`ModelSpec::from_text`], naming the scenario by its [`label`](Self::label).
    pub fn load(&self, overrides: &[Override]) -> Result<ModelSpec> {
        ModelSpec::from_text(self.text, &self.label(), overrides)
    }
}

static BUILTIN: &[BuiltinScenario] = include!(concat!(env!("OUT_DIR"), "/builtin_scenarios.rs"));

/// Every built-in scenario, sorted by name.
#[must_use]
pub fn builtin() -> &'static [BuiltinScenario] {
    BUILTIN
}

/// The built-in scenario called `name` (`baseline` or `baseline.toml`), if there is one.
#[must_use]
pub fn find(name: &str) -> Option<&'static BuiltinScenario> {
    let name = name.strip_suffix(".toml").unwrap_or(name);
    BUILTIN.iter().find(|b| b.name == name)
}

/// The built-in scenario called `name`, or an error listing them all (with a "did you mean").
///
/// # Errors
/// [`Error::Usage`] (exit code 1) if there is none of that name.
pub fn require(name: &str) -> Result<&'static BuiltinScenario> {
    find(name).ok_or_else(|| {
        let bare = name.strip_suffix(".toml").unwrap_or(name);
        let names: Vec<&str> = BUILTIN.iter().map(|b| b.name).collect();
        let hint = document::closest(bare, &names)
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        Error::Usage(format!(
            "no built-in scenario `{bare}`{hint}; built-in scenarios: {} (see `peacesim scenarios`)",
            names.join(", ")
        ))
    })
}

/// Names of the built-in scenarios, comma-separated (for messages).
#[must_use]
pub fn names() -> String {
    BUILTIN.iter().map(|b| b.name).collect::<Vec<_>>().join(", ")
}

/// A scenario named on the command line, found and read: a file or a built-in scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioInput {
    /// The argument as given (for reproducing a command line).
    pub given: String,
    /// The name used in messages and manifests: the path as given, or `scenarios/NAME.toml (built in)`.
    pub label: PathBuf,
    /// The text.
    pub text: Cow<'static, str>,
    /// Whether it is a built-in scenario.
    pub builtin: bool,
}

impl ScenarioInput {
    /// Finds a SCENARIO argument: an existing file first; otherwise a built-in scenario of that
    /// name (with or without `.toml`).
    ///
    /// # Errors
    /// When neither exists: [`Error::Read`] (exit code 2) for an argument with a directory part
    /// (`no/such/file.toml`), [`Error::Usage`] (exit code 1) for a bare name (`basline`), with a
    /// suggestion when a built-in name is close; both list the built-in scenarios. Unreadable or
    /// non-text files give [`Error::Read`] or [`Error::Parse`].
    pub fn resolve(arg: &Path) -> Result<Self> {
        let given = arg.display().to_string();
        if arg.is_file() {
            return Ok(Self {
                given,
                label: arg.to_path_buf(),
                text: Cow::Owned(crate::spec::read_text(arg)?),
                builtin: false,
            });
        }
        if let Some(b) = find(&given) {
            return Ok(Self {
                given,
                label: b.label(),
                text: Cow::Borrowed(b.text),
                builtin: true,
            });
        }
        if arg.exists() {
            // A directory or something else that is not a file: let the reader say what.
            crate::spec::read_text(arg)?;
        }
        let bare = given.strip_suffix(".toml").unwrap_or(&given);
        let names: Vec<&str> = BUILTIN.iter().map(|b| b.name).collect();
        let hint = document::closest(bare, &names)
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        if arg.components().count() > 1 {
            Err(Error::Read {
                path: arg.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("no such file{hint}; built-in scenarios: {}", names.join(", ")),
                ),
            })
        } else {
            Err(Error::Usage(format!(
                "no scenario file `{given}` and no built-in scenario `{bare}`{hint}; built-in scenarios: {} (see `peacesim scenarios`)",
                names.join(", ")
            )))
        }
    }

    /// Parses and validates the scenario (either model) with overrides.
    ///
    /// # Errors
    /// As [`ModelSpec::from_text`], naming the scenario by its label.
    pub fn load(&self, overrides: &[Override]) -> Result<ModelSpec> {
        ModelSpec::from_text(&self.text, &self.label, overrides)
    }

    /// The path that names default output directories (`outputs/<stem>/...`): the file, or
    /// `scenarios/NAME.toml` for a built-in scenario.
    #[must_use]
    pub fn naming_path(&self) -> PathBuf {
        if self.builtin {
            let name = self.given.strip_suffix(".toml").unwrap_or(&self.given);
            PathBuf::from(format!("scenarios/{name}.toml"))
        } else {
            self.label.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_file_is_built_in_sorted_by_name() {
        let names: Vec<&str> = builtin().iter().map(|b| b.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        for b in builtin() {
            let text = std::fs::read_to_string(dir.join(format!("{}.toml", b.name))).unwrap();
            assert_eq!(text, b.text, "{} is the file as shipped", b.name);
        }
        assert!(find("baseline").is_some() && find("baseline.toml").is_some());
        assert!(find("nonesuch").is_none());
    }

    #[test]
    fn arguments_resolve_to_files_first_then_built_in_names() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tiny-conflict.toml");
        let f = ScenarioInput::resolve(&file).unwrap();
        assert!(!f.builtin);
        assert_eq!(f.label, file);
        let b = ScenarioInput::resolve(Path::new("tiny-conflict")).unwrap();
        assert!(b.builtin);
        assert_eq!(b.label, PathBuf::from("scenarios/tiny-conflict.toml (built in)"));
        assert_eq!(b.naming_path(), PathBuf::from("scenarios/tiny-conflict.toml"));
        assert_eq!(b.text, f.text);
        let e = ScenarioInput::resolve(Path::new("tiny-conflit")).unwrap_err();
        assert!(matches!(e, Error::Usage(_)), "{e}");
        assert!(e.to_string().contains("did you mean `tiny-conflict`?"), "{e}");
        let e = ScenarioInput::resolve(Path::new("no/such/file.toml")).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("no/such/file.toml: could not read: no such file"), "{e}");
        assert!(e.to_string().contains("baseline"), "{e}");
    }

    #[test]
    fn errors_in_a_built_in_scenario_name_it() {
        let b = find("tiny-conflict").unwrap();
        let e = b.load(&[Override::parse("mission.troops=-1").unwrap()]).unwrap_err().to_string();
        assert!(e.contains("scenarios/tiny-conflict.toml (built in)"), "{e}");
    }
}
