//! A what-if as asked for (by `peacesim whatif` or the dashboard), validated and turned into a
//! two-arm experiment with its report's setup and the command line that reproduces it.
//!
//! Everything here happens before any run: it loads and checks scenarios and builds the
//! experiment, and must not run it or write files.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::experiment::build::{Arm, comparison, default_dir};
use crate::experiment::design::{Experiment, Kind, check_replicates};
use crate::library::ScenarioInput;
use crate::output::plot::{Format, Look};
use crate::scenario::{Override, sha256_hex};
use crate::spec::ModelSpec;

use super::setup::{Setup, describe_changes};

/// Name of the reference arm.
pub const AS_IS: &str = "as-is";

/// Name of the arm with the changes.
pub const WHAT_IF: &str = "what-if";

/// Replicate pairs a what-if needs at least: with one pair, a change cannot be told from noise.
const LEAST_PAIRS: u32 = 2;

/// A what-if as asked for: the same inputs as `peacesim whatif` (the dashboard builds one too).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The scenario: a file or a built-in name.
    pub scenario: PathBuf,
    /// An alternative scenario for the what-if arm, if any.
    pub alt: Option<PathBuf>,
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
    /// Figure style and width.
    pub look: Look,
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
    pub default_dir: PathBuf,
}

/// Validates a what-if (both scenarios, the changes, the replicates) and builds its experiment
/// and report setup, including the canonical command line that reproduces it.
///
/// # Errors
/// As the scenario loaders; [`Error::Usage`] for no changes, `run.*` changes, a replicate count
/// outside [2, 100000], or arms whose outputs could not be paired (other models, lengths or
/// armed groups).
pub fn prepare(req: &Request) -> Result<Prepared> {
    check_replicates(
        req.replicates,
        LEAST_PAIRS,
        " (a what-if needs at least two pairs to tell a change from noise)",
    )?;
    let overrides = req
        .set
        .iter()
        .map(|s| crate::experiment::build::parse_override(s))
        .collect::<Result<Vec<_>>>()?;
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
    let mut spec: Vec<String> = alt.iter().map(|a| a.label.display().to_string()).collect();
    spec.extend(overrides.iter().map(Override::render));
    let setup = Setup {
        scenario: base.label.display().to_string(),
        title: as_is.name().to_string(),
        changes,
        notes,
        command: reproducing_command(req, &base, alt.as_ref(), seed),
        formats: req.formats.clone(),
        look: req.look,
        model: as_is.model_name(),
        replicates: req.replicates,
        seed,
        ticks: as_is.ticks(),
        tick_length_days: as_is.tick_length_days(),
    };
    let exp = experiment(as_is, what_if, spec.join(";"), setup.clone())?;
    let default_dir = default_dir(&base.naming_path(), &dir_name(&exp));
    Ok(Prepared {
        experiment: exp,
        setup,
        seed,
        default_dir,
    })
}

/// The canonical `peacesim whatif` command line of a request, quoted for a POSIX shell, with
/// the master seed spelled out, so that it reproduces the result even after the scenario's own
/// seed changes.
fn reproducing_command(req: &Request, base: &ScenarioInput, alt: Option<&ScenarioInput>, seed: u64) -> String {
    let mut command = vec!["peacesim".to_string(), "whatif".into(), base.given.clone()];
    if let Some(a) = alt {
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
    command.iter().map(|w| shell_word(w)).collect::<Vec<_>>().join(" ")
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

/// The experiment of a what-if: arms `as-is` and `what-if` with common random numbers (the
/// replicate count is checked by [`prepare`]).
///
/// # Errors
/// [`Error::Usage`] if the arms are of different models, lengths, tick lengths or armed groups
/// (their outputs could not be paired).
fn experiment(as_is: ModelSpec, what_if: ModelSpec, spec: String, setup: Setup) -> Result<Experiment> {
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
    let hash = sha256_hex(exp.identity.to_string().as_bytes());
    format!("whatif-seed-{}-{}", exp.seed, &hash[..8])
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_settings_cannot_be_changed_in_one_arm() {
        let e = check_overrides(&[Override::parse("run.ticks=60").unwrap()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--ticks"), "{e}");
        assert!(check_overrides(&[Override::parse("mission.troops=0").unwrap()]).is_ok());
    }
}
