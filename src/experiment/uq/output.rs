//! The output directory `OUT/` of an uncertainty command: claimed before any run, refused when
//! peacesim did not write it, and described by a `manifest.json` of its own.
//!
//! `OUT/` holds the runs (`OUT/runs/`, an ordinary sweep with its own manifest; calibrate's
//! ABC-SMC batches in `OUT/smc/generation-G-part-P/` and history-matching waves in
//! `OUT/waves/wave-W/`) and the analysis (tables, `report.md`,
//! `figures/`). Its manifest (kind `sensitivity`, `robust` or `calibrate`) is written with
//! `"complete": false` before the first run and with `"complete": true` only when the analysis
//! is written, listing each analysis file with its rows, size and SHA-256 and naming the
//! experiment directories in `details.experiments`, which `peacesim verify OUT` checks too. So a
//! killed command never leaves an `OUT/` that looks complete, and `--force` and a rerun can tell
//! that `OUT/` is peacesim's.
//!
//! A directory that peacesim did not write (a project, the current directory, someone's data)
//! is never written into, with or without `--force`, exactly as `run --force` never replaces
//! one: the same rule, [`crate::output::ensure_replaceable`]. Outputs of versions that wrote no
//! top-level manifest are recognised by what they hold (`runs/` written by peacesim and only
//! the files the command writes).

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::output::manifest::{COMMIT, FileEntry, Manifest, ScenarioRef, read_manifest};
use crate::output::{OutputLock, check_out_path, utc_now};

use crate::experiment::design::Experiment;
use crate::experiment::pool::effective_threads;

/// The files each command writes directly in `OUT/` (besides `manifest.json`, `runs/`, `smc/`, `waves/`,
/// `figures/` and `report.md`), to recognise outputs of versions without a top-level manifest.
fn tables_of(command: &str) -> &'static [&'static str] {
    match command {
        "sensitivity" => &["indices.csv", "noise.csv"],
        "robust" => &["robustness.csv", "flips.csv", "drivers.csv"],
        "calibrate" => &["targets.csv", "posterior.csv", "parameters.csv", "fit.csv"],
        _ => &[],
    }
}

/// An uncertainty command's claim on its output directory, from before the first run until
/// the analysis is written.
#[derive(Debug)]
pub struct UqOutput {
    dir: PathBuf,
    manifest: Manifest,
    /// One writer of `OUT/` at a time (a shard takes none: shards run at once by design, each
    /// in a directory of its own under `OUT/runs/shards/`, and write nothing else in `OUT/`).
    _lock: Option<OutputLock>,
}

/// What a command needs to claim `OUT/`.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    /// `sensitivity`, `robust` or `calibrate`.
    pub command: &'a str,
    /// The output directory.
    pub out: &'a Path,
    /// The runs of the plan (their identity is the output's).
    pub experiment: &'a Experiment,
    /// `--force`: start over in a directory of this command's that holds another plan's output.
    pub force: bool,
    /// `--shard`: only check the directory; no lock and no top-level manifest.
    pub shard: bool,
    /// The command line, for the manifest.
    pub command_line: &'a str,
    /// `--threads`, for the manifest.
    pub threads: usize,
}

/// Checks that `out` is empty, missing, or this command's output, without changing anything;
/// returns its manifest when it has one.
///
/// # Errors
/// [`Error::Output`] naming the directory and the rule when peacesim did not write it or it is
/// another command's; [`Error::Write`] if it cannot be listed.
fn check_ours(out: &Path, command: &str) -> Result<Option<Manifest>> {
    if !out.exists() {
        return Ok(None);
    }
    if !out.is_dir() {
        return Err(Error::Output {
            path: out.to_path_buf(),
            message: "exists and is not a directory".into(),
        });
    }
    let refuse = |what: String| Error::Output {
        path: out.to_path_buf(),
        message: format!("{what}, so `peacesim {command}` will not write into it (with or without --force); choose another --out"),
    };
    if out.join("manifest.json").exists() {
        // The rule of `run --force`: a manifest that names a peacesim version.
        crate::output::ensure_replaceable(out)?;
        let manifest = read_manifest(out)?;
        if manifest.kind != command {
            return Err(refuse(format!(
                "holds a peacesim `{}` output, not a `{command}` one",
                manifest.kind
            )));
        }
        return Ok(Some(manifest));
    }
    let list = |dir: &Path| -> Result<Vec<String>> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .map_err(|source| Error::Write {
                path: dir.to_path_buf(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        names.sort();
        Ok(names)
    };
    let names = list(out)?;
    if names.is_empty() {
        return Ok(None);
    }
    // No top-level manifest: a shard run or a killed run of this version, or an output of an
    // earlier version. Ours only if `runs/` is peacesim's and nothing else is foreign.
    let known = |name: &str| {
        let stem = name.strip_suffix(".partial").unwrap_or(name);
        ["runs", "smc", "waves", "figures", "report.md"].contains(&stem) || tables_of(command).contains(&stem)
    };
    let runs = out.join("runs");
    let runs_ours = runs.is_dir() && crate::output::ensure_replaceable(&runs).is_ok() && !list(&runs)?.is_empty();
    if let Some(foreign) = names.iter().find(|n| !known(n)) {
        return Err(refuse(format!(
            "is not a peacesim output (no manifest.json written by peacesim, and it holds `{foreign}`, which peacesim did not write)"
        )));
    }
    if !runs_ours {
        return Err(refuse(
            "is not a peacesim output (no manifest.json written by peacesim, and no runs/ written by peacesim)".into(),
        ));
    }
    Ok(None)
}

impl UqOutput {
    /// Claims `OUT/` before any run: refuses a directory peacesim did not write, another
    /// command's output, or (without `--force`) an output of another plan; then, unless this is
    /// a shard, takes the output lock and writes the manifest with `"complete": false`.
    ///
    /// # Errors
    /// [`Error::Output`] naming the directory and the rule; [`Error::Write`].
    pub fn claim(claim: &Claim<'_>) -> Result<Option<Self>> {
        let out = claim.out;
        check_out_path(out)?;
        if claim.shard {
            check_ours(out, claim.command)?;
            return Ok(None);
        }
        let lock = OutputLock::acquire(out)?;
        // Checked under the lock: another writer cannot change it meanwhile.
        let previous = check_ours(out, claim.command)?;
        let exp = claim.experiment;
        if let Some(previous) = &previous
            && previous.details.get("identity") != Some(&exp.identity)
            && !claim.force
        {
            return Err(Error::Output {
                path: out.to_path_buf(),
                message: "holds a different experiment (plan, scenario or design changed); use --force to replace it, or --out".into(),
            });
        }
        if let Some(previous) = previous.as_ref().filter(|_| claim.force) {
            // Starting over: only the files this command listed as its own go (the runs are
            // started over by the sweep, which applies the same rule to `runs/`).
            for f in &previous.files {
                let path = out.join(&f.name);
                if path.is_file() && !f.name.split(['/', '\\']).any(|part| part == "..") {
                    fs::remove_file(&path).map_err(|source| Error::Write { path, source })?;
                }
            }
        }
        fs::create_dir_all(out).map_err(|source| Error::Write {
            path: out.to_path_buf(),
            source,
        })?;
        let first = exp.scenarios.first();
        let manifest = Manifest {
            peacesim_version: env!("CARGO_PKG_VERSION").to_string(),
            peacesim_commit: COMMIT.to_string(),
            kind: claim.command.to_string(),
            scenario: Some(ScenarioRef::of(first.source())),
            seed: exp.seed,
            ticks: first.ticks(),
            threads: effective_threads(claim.threads),
            command: claim.command_line.to_string(),
            started_at: utc_now(),
            finished_at: String::new(),
            files: Vec::new(),
            details: serde_json::json!({
                "identity": exp.identity,
                "experiments": ["runs"],
            }),
            complete: false,
        };
        manifest.write(out)?;
        Ok(Some(Self {
            dir: out.to_path_buf(),
            manifest,
            _lock: Some(lock),
        }))
    }

    /// Marks `OUT/` complete: the manifest lists `files` (the analysis, paths under `OUT/`) with
    /// their rows, size and SHA-256, and every experiment directory the command ran.
    ///
    /// # Errors
    /// [`Error::Read`] if a file cannot be read; [`Error::Write`] if the manifest cannot.
    pub fn finish(mut self, files: &[PathBuf]) -> Result<()> {
        let mut entries = Vec::new();
        for path in files {
            let name = path
                .strip_prefix(&self.dir)
                .unwrap_or(path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let rows = if name.ends_with(".csv") {
                crate::experiment::verify::count_rows(path)
                    .map_err(|source| Error::Read {
                        path: path.clone(),
                        source,
                    })?
                    .0
            } else {
                0
            };
            entries.push(FileEntry::new(name, rows));
        }
        let mut experiments = vec!["runs".to_string()];
        // Calibrate's ABC-SMC batches and history-matching waves, each a sweep of its own.
        for (parent, prefix) in [("smc", "generation-"), ("waves", "wave-")] {
            if let Ok(list) = fs::read_dir(self.dir.join(parent)) {
                let mut found: Vec<String> = list
                    .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                    .filter(|n| n.starts_with(prefix) && self.dir.join(parent).join(n).join("manifest.json").is_file())
                    .map(|n| format!("{parent}/{n}"))
                    .collect();
                found.sort();
                experiments.extend(found);
            }
        }
        self.manifest.files = entries;
        self.manifest.details["experiments"] = serde_json::json!(experiments);
        self.manifest.finished_at = utc_now();
        self.manifest.complete = true;
        self.manifest.write(&self.dir)
    }
}
