//! Executes an experiment (ensemble, sweep, comparison or what-if): many runs, in parallel,
//! resumable, shardable, with rows streamed to disk.
//!
//! Runs are numbered `run = point × replicates + replicate`. A shard `I/N` does the runs with
//! `run % N == I`. Runs execute in parallel in batches and are written in run order after each
//! batch, so an output file is always a prefix of the complete file: after a kill, rerunning the
//! same command truncates any half-written row, skips the runs already written and finishes the
//! rest; the result is byte-identical to an uninterrupted run. Files are written under
//! `.partial` names and renamed when complete; `manifest.json` says `"complete": false` until
//! the very end. Memory does not grow with the number of runs (one batch at a time).

use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::output::csv::{record_line, write_network};
use crate::output::manifest::read_manifest;
use crate::output::manifest::{FileEntry, Manifest, ScenarioRef};
use crate::output::utc_now;
use crate::scenario::document::closest;
use crate::spec::ModelSpec;

use super::design::{Experiment, Kind, design_csv};
use super::model::{self, RunOutput};
use super::pool::{Progress, effective_threads, with_threads};
use super::whatif::report;
use super::{compare, summary};

/// How and where to execute.
pub struct ExecOptions<'a> {
    /// Experiment directory.
    pub out: PathBuf,
    /// Start over even if the directory holds a (different or complete) experiment.
    pub force: bool,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Shard `(index, count)`, if any.
    pub shard: Option<(u32, u32)>,
    /// Command line, for the manifest.
    pub command: String,
    /// Progress reporting.
    pub progress: &'a dyn Progress,
    /// Polled between batches and ticks; true stops with `Interrupted`.
    pub stop: &'a (dyn Fn() -> bool + Sync),
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecReport {
    /// Directory written (the experiment directory, or the shard's).
    pub dir: PathBuf,
    /// Runs of this shard in total.
    pub runs: u64,
    /// Runs found already complete and skipped.
    pub skipped: u64,
    /// The directory already held this experiment, complete: nothing was run or written.
    pub nothing_to_do: bool,
}

struct RunResult {
    run: u64,
    output: RunOutput,
}

fn write_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

fn push_number(line: &mut String, x: f64) {
    line.push(',');
    write!(line, "{x}").expect("writing to a String cannot fail");
}

fn outcome_line(exp: &Experiment, index: &[usize], r: &RunResult) -> String {
    let (point, rep) = exp.point_of(r.run);
    let mut fields = vec![r.run.to_string(), point.to_string()];
    fields.extend(exp.labels[point].iter().cloned());
    fields.push(rep.to_string());
    fields.push(exp.seed_of(point, rep).to_string());
    let mut line = record_line(&fields);
    line.pop(); // newline
    for &i in index {
        push_number(&mut line, r.output.outcomes[i]);
    }
    line.push('\n');
    line
}

fn series_lines(exp: &Experiment, r: &RunResult, out: &mut String) {
    let (point, rep) = exp.point_of(r.run);
    let seed = exp.seed_of(point, rep);
    let dt = exp.scenarios[point].tick_length_days();
    let mut keys = vec![r.run.to_string(), point.to_string()];
    keys.extend(exp.labels[point].iter().cloned());
    keys.extend([rep.to_string(), seed.to_string()]);
    let mut keys = record_line(&keys);
    keys.pop(); // newline
    for (tick, values) in r.output.series.as_ref().expect("series kept").iter().enumerate() {
        write!(out, "{keys},{tick}").expect("String");
        #[expect(clippy::cast_precision_loss, reason = "tick counts are small")]
        push_number(out, tick as f64 * dt);
        for &v in values {
            push_number(out, v);
        }
        out.push('\n');
    }
}

/// Opens a `.partial` file for appending after truncating it to its last complete row whose run
/// is in `keep` (None = keep every complete row); writes the header if the file is new. Returns
/// the runs found (in file order).
fn open_partial(path: &Path, header: &str, expected_fields: usize, keep_runs: Option<&[u64]>) -> Result<(File, Vec<u64>)> {
    let exists = path.exists();
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(write_err(path))?;
    if !exists || file.metadata().map_err(write_err(path))?.len() == 0 {
        file.write_all(header.as_bytes()).map_err(write_err(path))?;
        return Ok((file, Vec::new()));
    }
    let actual = file.metadata().map_err(write_err(path))?.len();
    let reader = BufReader::new(File::open(path).map_err(write_err(path))?);
    let mut good_len: u64 = 0;
    let mut runs = Vec::new();
    let mut first = true;
    for line in reader.split(b'\n') {
        let line = line.map_err(write_err(path))?;
        let len = line.len() as u64 + 1;
        // A row is complete only with its newline: a write cut short (a full disk, a kill) can
        // leave a last line whose fields still parse, and appending to it would glue the next
        // row onto a cut value.
        if good_len + len > actual {
            break;
        }
        if first {
            if line != header.trim_end().as_bytes() {
                return Err(Error::Output {
                    path: path.to_path_buf(),
                    message: "the partial file's header does not match this experiment; use --force to start over".into(),
                });
            }
            first = false;
            good_len += len;
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let fields = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .next();
        let Some(Ok(rec)) = fields else { break };
        if rec.len() != expected_fields {
            break;
        }
        let Ok(run) = rec[0].parse::<u64>() else { break };
        if let Some(keep) = keep_runs
            && keep.binary_search(&run).is_err()
        {
            break;
        }
        runs.push(run);
        good_len += len;
    }
    // Drop a trailing half-written row (or rows of unfinished runs).
    if good_len < actual {
        file.set_len(good_len).map_err(write_err(path))?;
    }
    file.seek(SeekFrom::End(0)).map_err(write_err(path))?;
    if good_len == 0 {
        // Even the header was cut short.
        file.write_all(header.as_bytes()).map_err(write_err(path))?;
    }
    Ok((file, runs))
}

fn manifest(exp: &Experiment, opts: &ExecOptions<'_>, started_at: &str, files: Vec<FileEntry>, complete: bool) -> Manifest {
    let first = &exp.scenarios[0];
    Manifest {
        peacesim_version: env!("CARGO_PKG_VERSION").to_string(),
        peacesim_commit: crate::output::manifest::COMMIT.to_string(),
        kind: exp.kind.as_str().to_string(),
        scenario: Some(ScenarioRef::of(first.source())),
        seed: exp.seed,
        ticks: first.ticks(),
        threads: effective_threads(opts.threads),
        command: opts.command.clone(),
        started_at: started_at.to_string(),
        finished_at: if complete { utc_now() } else { String::new() },
        files,
        details: serde_json::json!({
            "identity": exp.identity,
            "points": exp.scenarios.len(),
            "replicates": exp.replicates,
            "runs": exp.runs(),
            "common_seeds": exp.common_seeds,
            "seed_rule": "seed = splitmix-hash(master seed, design point (0 if common_seeds), replicate), low 53 bits; see rng::derive_seed",
            "shard": opts.shard.map(|(i, n)| format!("{i}/{n}")),
            "outcomes": exp.outcomes,
            "series": exp.series,
            "summary": exp.summary,
            "model": first.model_name(),
            "whatif": exp.whatif.as_ref().map(report::figure_text),
        }),
        complete,
    }
}

/// Runs (or resumes) an experiment or one shard of it. A directory that already holds this
/// experiment, complete, is left as it is (`nothing_to_do`); `force` runs it again.
///
/// # Errors
/// Output problems, an existing directory holding a different experiment (without `force`), or
/// `Interrupted` (what was written stays valid for a rerun to resume).
pub fn execute(exp: &Experiment, opts: &ExecOptions<'_>) -> Result<ExecReport> {
    let index = outcome_columns(exp)?;
    if let Some((i, n)) = opts.shard
        && (n == 0 || i >= n)
    {
        return Err(Error::Usage(format!("--shard I/N needs 0 <= I < N, got {i}/{n}")));
    }
    let dir = match opts.shard {
        Some((i, n)) => opts.out.join("shards").join(format!("shard-{i}-of-{n}")),
        None => opts.out.clone(),
    };
    crate::output::check_out_path(&opts.out)?;
    // One writer at a time: a second process (here or on another host sharing the file system)
    // would mix its rows with ours.
    let _lock = crate::output::OutputLock::acquire(&dir)?;
    let mine: Vec<u64> = (0..exp.runs())
        .filter(|r| opts.shard.is_none_or(|(i, n)| r % u64::from(n) == u64::from(i)))
        .collect();
    if prepare_dir(&dir, exp, opts.force)? == DirState::Complete {
        return Ok(ExecReport {
            dir,
            runs: mine.len() as u64,
            skipped: mine.len() as u64,
            nothing_to_do: true,
        });
    }
    let started_at = utc_now();
    manifest(exp, opts, &started_at, Vec::new(), false).write(&dir)?;
    let design_path = dir.join("design.csv");
    fs::write(&design_path, design_csv(exp)).map_err(write_err(&design_path))?;

    let mut tables = Tables::open(exp, &dir, &mine)?;
    let skipped = tables.done;
    opts.progress.start(mine.len() as u64, skipped);
    run_pending(exp, opts, &index, &mine, &mut tables)?;
    opts.progress.finish();
    drop(tables);
    let files = finish(exp, opts, &dir, mine.len() as u64)?;
    manifest(exp, opts, &started_at, files, true).write(&dir)?;
    Ok(ExecReport {
        dir,
        runs: mine.len() as u64,
        skipped,
        nothing_to_do: false,
    })
}

/// Checks that the design points can share one set of columns, and returns, for each outcome
/// the experiment writes, its position among the model's outcomes.
fn outcome_columns(exp: &Experiment) -> Result<Vec<usize>> {
    if exp.scenarios.is_empty() {
        return Err(Error::Usage("the experiment has no design points".into()));
    }
    let slugs = exp.scenarios[0].group_slugs();
    let model = exp.scenarios[0].model_name();
    if exp.scenarios.iter().any(|s| s.group_slugs() != slugs || s.model_name() != model) {
        return Err(Error::Usage(
            "every design point must be of the same model and have the same armed groups (the columns depend on them)".into(),
        ));
    }
    let names = model::outcome_names(&exp.scenarios[0]);
    exp.outcomes
        .iter()
        .map(|o| {
            names.iter().position(|n| n == o).ok_or_else(|| {
                let hint = closest(o, names).map(|b| format!(" (did you mean `{b}`?)")).unwrap_or_default();
                Error::Usage(format!(
                    "unknown outcome `{o}` for the {model} model{hint}; known: {}",
                    names.join(", ")
                ))
            })
        })
        .collect()
}

/// The `.partial` tables a shard appends to: `outcomes.csv` and, if kept, `series.csv`.
struct Tables {
    outcomes: (File, PathBuf),
    series: Option<(File, PathBuf)>,
    /// Runs already complete (their outcome rows are written).
    done: u64,
}

impl Tables {
    /// Opens (or resumes) the tables of `dir`, checking that what is there is a prefix of `mine`.
    fn open(exp: &Experiment, dir: &Path, mine: &[u64]) -> Result<Self> {
        let outcomes_partial = dir.join("outcomes.csv.partial");
        let (outcomes_file, done) = open_partial(
            &outcomes_partial,
            &record_line(&exp.outcomes_header()),
            exp.outcomes_header().len(),
            None,
        )?;
        if done.as_slice() != &mine[..done.len().min(mine.len())] || done.len() > mine.len() {
            return Err(Error::Output {
                path: outcomes_partial,
                message: "the partial output does not match this experiment's runs; use --force to start over".into(),
            });
        }
        let series = if exp.series {
            let series_partial = dir.join("series.csv.partial");
            let (f, _) = open_partial(
                &series_partial,
                &record_line(&exp.series_header()),
                exp.series_header().len(),
                Some(&done),
            )?;
            Some((f, series_partial))
        } else {
            None
        };
        Ok(Self {
            outcomes: (outcomes_file, outcomes_partial),
            series,
            done: done.len() as u64,
        })
    }
}

/// Runs the runs of `mine` not yet done, in parallel batches, appending each batch's rows in run
/// order: series rows first, then the outcome rows that mark the runs complete.
fn run_pending(exp: &Experiment, opts: &ExecOptions<'_>, index: &[usize], mine: &[u64], tables: &mut Tables) -> Result<()> {
    let done = usize::try_from(tables.done).expect("runs done fit usize");
    let pending = &mine[done..];
    let batch = (effective_threads(opts.threads) * 2).max(2);
    with_threads(opts.threads, || -> Result<()> {
        let mut text = String::new();
        for chunk in pending.chunks(batch) {
            if (opts.stop)() {
                return Err(Error::Interrupted(format!(
                    "{} of {} runs done; rerun the same command to resume",
                    done,
                    mine.len()
                )));
            }
            let results: Vec<Result<RunResult>> = chunk
                .par_iter()
                .map(|&run| {
                    let (point, rep) = exp.point_of(run);
                    let output = model::run(&exp.scenarios[point], exp.seed_of(point, rep), exp.series, opts.stop)?;
                    Ok(RunResult { run, output })
                })
                .collect();
            let results: Vec<RunResult> = results.into_iter().collect::<Result<_>>()?;
            if let Some((f, path)) = tables.series.as_mut() {
                text.clear();
                for r in &results {
                    series_lines(exp, r, &mut text);
                }
                f.write_all(text.as_bytes()).map_err(write_err(path))?;
                f.sync_data().map_err(write_err(path))?;
            }
            text.clear();
            for r in &results {
                text.push_str(&outcome_line(exp, index, r));
            }
            let (f, path) = &mut tables.outcomes;
            f.write_all(text.as_bytes()).map_err(write_err(path))?;
            f.sync_data().map_err(write_err(path))?;
            opts.progress.advance(results.len() as u64);
        }
        Ok(())
    })?
}

/// After the runs: renames the tables into place and writes what is computed from them (the
/// summary, the comparison, a what-if's report; not in a shard). Returns the files, in manifest
/// order.
fn finish(exp: &Experiment, opts: &ExecOptions<'_>, dir: &Path, runs: u64) -> Result<Vec<FileEntry>> {
    let mut files = vec![FileEntry::new("design.csv", exp.scenarios.len() as u64)];
    if let ModelSpec::Peacesim(s) = &exp.scenarios[0] {
        files.extend(write_network(dir, s)?);
    }
    finalize(&dir.join("outcomes.csv.partial"), &dir.join("outcomes.csv"))?;
    files.push(FileEntry::new("outcomes.csv", runs));
    if exp.series {
        finalize(&dir.join("series.csv.partial"), &dir.join("series.csv"))?;
        let ticks = u64::from(exp.scenarios[0].ticks()) + 1;
        files.push(FileEntry::new("series.csv", runs * ticks));
        if let ModelSpec::Peacesim(s) = &exp.scenarios[0]
            && !s.armed_groups.is_empty()
        {
            let groups: Vec<(String, String)> = s
                .group_slugs()
                .into_iter()
                .zip(s.armed_groups.iter().map(|g| g.name.clone()))
                .collect();
            let rows = summary::write_group_series(dir, &exp.label_columns, &groups)?;
            files.push(FileEntry::new("group_series.csv", rows));
        }
    }
    if opts.shard.is_some() {
        return Ok(files);
    }
    if exp.summary {
        let rows = summary::write_summary(dir, &exp.label_columns, &exp.labels, exp.seed)?;
        files.push(FileEntry::new("summary.csv", rows));
    }
    if exp.kind == Kind::Sweep {
        let rows = summary::write_point_summary(dir, &exp.label_columns, &exp.labels, exp.seed)?;
        files.push(FileEntry::new("point_summary.csv", rows));
    }
    if matches!(exp.kind, Kind::Comparison | Kind::WhatIf) {
        let rows = compare::write_comparison(dir, exp.seed)?.len() as u64;
        files.push(FileEntry::new("comparison.csv", rows));
    }
    if let Some(setup) = &exp.whatif {
        files.extend(report::write_report(dir, setup)?);
    }
    Ok(files)
}

/// Parses `I/N` (shard I of N, 0-based).
///
/// # Errors
/// [`Error::Usage`] unless `0 <= I < N`.
pub fn parse_shard(text: &str) -> Result<(u32, u32)> {
    let bad = || Error::Usage(format!("--shard must look like I/N with 0 <= I < N (e.g. 0/4), got `{text}`"));
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u32, u32) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || i >= n { Err(bad()) } else { Ok((i, n)) }
}

fn finalize(partial: &Path, done: &Path) -> Result<()> {
    fs::rename(partial, done).map_err(write_err(done))
}

/// What [`prepare_dir`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DirState {
    /// Ready to run into: new, emptied by `force`, or holding this experiment in part.
    Ready,
    /// Holds this experiment, complete: there is nothing to do.
    Complete,
}

/// Makes `dir` ready: creates it, or checks that what it holds is this experiment (to resume,
/// or nothing to do when it is complete), or clears it when forced.
fn prepare_dir(dir: &Path, exp: &Experiment, force: bool) -> Result<DirState> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(Error::Output {
                path: dir.to_path_buf(),
                message: "exists and is not a directory".into(),
            });
        }
        let manifest = dir.join("manifest.json");
        if force {
            crate::output::ensure_replaceable(dir)?;
            for name in [
                "outcomes.csv",
                "outcomes.csv.partial",
                "series.csv",
                "series.csv.partial",
                "summary.csv",
                "point_summary.csv",
                "group_series.csv",
                "design.csv",
                "comparison.csv",
                "whatif.csv",
                "whatif.md",
                "figures/whatif.svg",
                "figures/whatif.png",
                "network.csv",
                "links.csv",
                "manifest.json",
            ] {
                let p = dir.join(name);
                if p.exists() {
                    fs::remove_file(&p).map_err(write_err(&p))?;
                }
            }
            let shards = dir.join("shards");
            if shards.exists() {
                fs::remove_dir_all(&shards).map_err(write_err(&shards))?;
            }
        } else if manifest.exists() {
            let m = read_manifest(dir)?;
            if m.details.get("identity") != Some(&exp.identity) {
                return Err(Error::Output {
                    path: dir.to_path_buf(),
                    message: "holds a different experiment (plan, scenario or design changed); use --force to replace it, or --out".into(),
                });
            }
            if m.complete {
                // The same experiment, finished: rerunning the command (a resubmitted cluster
                // job, a script run twice) succeeds without touching it, as long as the files
                // its manifest lists are there with the bytes it recorded (the checks of
                // `peacesim verify`): a damaged file is never taken for done.
                if let Some(missing) = m.files.iter().find(|f| !dir.join(&f.name).is_file()) {
                    return Err(Error::Output {
                        path: dir.to_path_buf(),
                        message: format!(
                            "holds this experiment, complete, but `{}` listed in its manifest is missing; use --force to run it again",
                            missing.name
                        ),
                    });
                }
                let report = super::verify::verify(dir);
                if let Some(first) = report.problems.first() {
                    return Err(Error::Output {
                        path: dir.to_path_buf(),
                        message: format!(
                            "holds this experiment, marked complete, but does not match its manifest ({} {}; first: {first}); `peacesim verify {}` lists them; use --force to run it again",
                            report.problems.len(),
                            if report.problems.len() == 1 { "problem" } else { "problems" },
                            dir.display()
                        ),
                    });
                }
                return Ok(DirState::Complete);
            }
        } else if fs::read_dir(dir).map_err(write_err(dir))?.next().is_some() && !dir.join("shards").exists() {
            return Err(Error::Output {
                path: dir.to_path_buf(),
                message: "exists, is not empty and is not a peacesim experiment; use --out to choose another".into(),
            });
        }
    }
    fs::create_dir_all(dir).map_err(write_err(dir))?;
    Ok(DirState::Ready)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reopened(name: &str, content: &[u8]) -> (String, Vec<u64>) {
        let dir = std::env::temp_dir().join(format!("peacesim-open-partial-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("outcomes.csv.partial");
        std::fs::write(&path, content).unwrap();
        let (mut file, runs) = open_partial(&path, "run,x,y\n", 3, None).unwrap();
        file.write_all(b"9,9.5,9.5\n").unwrap();
        drop(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        (text, runs)
    }

    #[test]
    fn a_row_cut_short_is_dropped_even_when_its_fields_still_parse() {
        // The last row lost the end of its last value and its newline: "2,0.5,0.1234" became
        // "2,0.5,0.12", which still has three fields.
        let (text, runs) = reopened("cut", b"run,x,y\n1,0.5,0.25\n2,0.5,0.12");
        assert_eq!(runs, vec![1]);
        assert_eq!(text, "run,x,y\n1,0.5,0.25\n9,9.5,9.5\n");
    }

    #[test]
    fn complete_rows_are_kept_and_a_cut_header_is_rewritten() {
        let (text, runs) = reopened("whole", b"run,x,y\n1,0.5,0.25\n2,0.5,0.125\n");
        assert_eq!(runs, vec![1, 2]);
        assert_eq!(text, "run,x,y\n1,0.5,0.25\n2,0.5,0.125\n9,9.5,9.5\n");
        let (text, runs) = reopened("header", b"run,x");
        assert!(runs.is_empty());
        assert_eq!(text, "run,x,y\n9,9.5,9.5\n");
    }
}
