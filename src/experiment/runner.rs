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

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::output::csv::{record_line, write_network};
use crate::output::manifest::read_manifest;
use crate::output::manifest::{FileEntry, Manifest, ScenarioRef};
use crate::output::utc_now;
use crate::scenario::document::closest;
use crate::spec::ModelSpec;

use super::design::{Experiment, Kind, Points, design_csv};
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
    /// Also write Parquet copies of the run tables (`outcomes`, `series`, `group_series`) when
    /// the experiment is complete: by the experiment itself, or by `peacesim merge` for shards
    /// (a shard records the request in its manifest and writes none).
    pub parquet: bool,
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
    /// The directory already held this experiment, complete: nothing was run (nor written, but
    /// for Parquet copies it lacked when asked for them: see `parquet_added`).
    pub nothing_to_do: bool,
    /// Parquet copies written into an experiment found complete without them (`--parquet`
    /// given on a later run of the same command).
    pub parquet_added: Vec<String>,
}

struct RunResult {
    run: u64,
    tick_length_days: f64,
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

/// The key fields that open a run's rows in `outcomes.csv` and `series.csv`: run, point, the
/// point's labels, replicate and seed.
fn run_keys(exp: &Experiment, run: u64) -> Vec<String> {
    let (point, rep) = exp.point_of(run);
    let mut keys = vec![run.to_string(), point.to_string()];
    keys.extend(exp.labels[point].iter().cloned());
    keys.push(rep.to_string());
    keys.push(exp.seed_of(point, rep).to_string());
    keys
}

fn outcome_line(exp: &Experiment, index: &[usize], r: &RunResult) -> String {
    let mut line = record_line(&run_keys(exp, r.run));
    line.pop(); // newline
    for &i in index {
        push_number(&mut line, r.output.outcomes[i]);
    }
    line.push('\n');
    line
}

fn series_lines(exp: &Experiment, r: &RunResult, out: &mut String) {
    let dt = r.tick_length_days;
    let mut keys = record_line(&run_keys(exp, r.run));
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

/// What a resume says when what it would keep is not this experiment's, and what it did.
const RESUME_RULE: &str = "a resume keeps only rows that are this experiment's runs, in run order, each once, with its design's labels and seeds; nothing was changed (use --force to start over, or --out for another directory)";

/// What to do with one row of a table being resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    /// A row of a complete run: kept.
    Keep,
    /// A sound row of a run not yet complete (written before a kill): cut, with every row after it.
    Cut,
}

/// Reads a `.partial` table that an interrupted run left, checking each complete row with `row`
/// (its fields) and changing nothing. Returns how many bytes to keep: the header and every row
/// `row` keeps (0 if even the header was cut short). A row is complete only with its newline:
/// a write cut short (a full disk, a kill) leaves a last line whose fields may still parse, and
/// appending to it would glue the next row onto a cut value; that last line is dropped. A
/// complete row that `row` refuses stops the resume with the file, the line and the reason.
///
/// # Errors
/// [`Error::Output`] naming the file and line; [`Error::Read`] if it cannot be read.
fn scan_table(path: &Path, header: &[String], row: &mut dyn FnMut(&csv::ByteRecord) -> std::result::Result<Row, String>) -> Result<u64> {
    let read_err = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(read_err)?;
    let len = file.metadata().map_err(read_err)?.len();
    if len == 0 {
        return Ok(0);
    }
    let mut last = [0_u8; 1];
    file.seek(SeekFrom::Start(len - 1)).map_err(read_err)?;
    std::io::Read::read_exact(&mut file, &mut last).map_err(read_err)?;
    file.seek(SeekFrom::Start(0)).map_err(read_err)?;
    let ends_with_newline = last[0] == b'\n';
    let refuse = |line: u64, reason: &str| Error::Output {
        path: path.to_path_buf(),
        message: format!("line {line}: {reason}; {RESUME_RULE}"),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::new(file));
    let mut record = csv::ByteRecord::new();
    let mut keep = 0;
    let mut first = true;
    let mut cutting = false;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(read_err(std::io::Error::other(e)));
            }
        }
        let end = reader.position().byte();
        if end >= len && !ends_with_newline {
            break; // the last line, cut short
        }
        let line = record.position().map_or(0, csv::Position::line);
        if first {
            first = false;
            if record.iter().ne(header.iter().map(String::as_bytes)) {
                return Err(refuse(line, "the header does not match this experiment's columns"));
            }
            keep = end;
            continue;
        }
        match row(&record) {
            Ok(Row::Keep) if !cutting => keep = end,
            Ok(Row::Keep) => return Err(refuse(line, "a complete run's row after the rows of an unfinished one")),
            Ok(Row::Cut) => cutting = true,
            Err(reason) => return Err(refuse(line, &reason)),
        }
    }
    Ok(keep)
}

/// Checks that `record` opens with `keys` (run, point, labels, replicate, seed: see
/// [`run_keys`]) and has `fields` fields; says what differs.
fn check_keys(record: &csv::ByteRecord, keys: &[String], fields: usize) -> std::result::Result<(), String> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    if record.len() != fields {
        return Err(format!("{} fields where this experiment's rows have {fields}", record.len()));
    }
    let expected = &keys[0];
    let found = record.get(0).map(text).unwrap_or_default();
    if found != *expected {
        return Err(match (found.parse::<u64>(), expected.parse::<u64>()) {
            (Ok(f), Ok(e)) if f < e => format!("run {f} again where run {e} belongs (a run repeated)"),
            (Ok(f), Ok(e)) => format!("run {f} where run {e} belongs (run {e} is missing)"),
            _ => format!("`{found}` is not a run number"),
        });
    }
    if record.iter().take(keys.len()).ne(keys.iter().map(String::as_bytes)) {
        let found: Vec<String> = record.iter().take(keys.len()).map(text).collect();
        return Err(format!(
            "run {expected} is recorded as `{}` where this experiment's design says `{}` (run, point, labels, replicate, seed): a row of another design",
            found.join(","),
            keys.join(",")
        ));
    }
    Ok(())
}

/// What a resume found in an experiment directory, checked before anything is changed.
#[derive(Debug, Default)]
struct Resume {
    /// Bytes of `outcomes.csv.partial` to keep (0: start it afresh).
    outcomes: u64,
    /// Bytes of `series.csv.partial` to keep.
    series: u64,
    /// Runs complete (a prefix of the shard's runs).
    done: usize,
    /// Tables finished before a kill (`outcomes.csv`, `series.csv`), checked against the
    /// manifest: renamed back to `.partial` so that the finish is done again.
    restore: Vec<(PathBuf, PathBuf)>,
}

/// Checks what an interrupted run of this experiment left in `dir` (whose incomplete manifest
/// is `manifest`): tables the finish had already renamed against the size and SHA-256 the
/// manifest recorded for them; every complete row of `outcomes.csv.partial` against the run the
/// experiment has at that position (run, point, labels, replicate and seed; no duplicates, no
/// gaps, no rows of another design); and `series.csv.partial` against the same, `ticks + 1` rows
/// of each complete run. Changes nothing.
///
/// # Errors
/// [`Error::Output`] naming the file and the rule when what is there is not a prefix of this
/// experiment.
fn check_resume(exp: &Experiment, dir: &Path, mine: &[u64], manifest: Option<&Manifest>) -> Result<Resume> {
    let mut resume = Resume::default();
    let mut source = |name: &str| -> Result<Option<PathBuf>> {
        let partial = dir.join(format!("{name}.partial"));
        let done = dir.join(name);
        let entry = manifest.and_then(|m| m.files.iter().find(|f| f.name == name && f.sha256.is_some()));
        let found = if partial.exists() {
            Some(partial.clone())
        } else if entry.is_some() && done.exists() {
            resume.restore.push((done.clone(), partial.clone()));
            Some(done.clone())
        } else {
            None
        };
        if let Some(entry) = entry {
            let Some(path) = &found else {
                return Err(Error::Output {
                    path: done,
                    message: format!(
                        "is listed in manifest.json as finished (the run was stopped while finishing) but neither it nor {name}.partial is there; use --force to start over"
                    ),
                });
            };
            let (bytes, sha) = crate::output::manifest::file_digest(path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            if Some(bytes) != entry.bytes || entry.sha256.as_deref() != Some(sha.as_str()) {
                return Err(Error::Output {
                    path: path.clone(),
                    message: format!(
                        "is not the file manifest.json recorded when the run finished it ({bytes} bytes; manifest.json says {} bytes and another SHA-256): it was changed; nothing was changed (use --force to start over)",
                        entry.bytes.unwrap_or(0)
                    ),
                });
            }
        }
        Ok(found)
    };
    let outcomes = source("outcomes.csv")?;
    let series = if exp.series { source("series.csv")? } else { None };
    if let Some(path) = &outcomes {
        let header = exp.outcomes_header();
        let fields = header.len();
        let values = exp.outcomes.len();
        let mut k = 0;
        resume.outcomes = scan_table(path, &header, &mut |record| {
            let Some(&run) = mine.get(k) else {
                return Err(format!("a row beyond this experiment's {} runs", mine.len()));
            };
            check_keys(record, &run_keys(exp, run), fields)?;
            if let Some(bad) = record
                .iter()
                .skip(fields - values)
                .find(|v| std::str::from_utf8(v).ok().and_then(|t| t.parse::<f64>().ok()).is_none())
            {
                return Err(format!("run {run}: `{}` is not a number", String::from_utf8_lossy(bad)));
            }
            k += 1;
            Ok(Row::Keep)
        })?;
        resume.done = k;
    }
    if exp.series {
        let done = resume.done;
        let Some(path) = &series else {
            if done > 0 {
                return Err(Error::Output {
                    path: dir.join("series.csv.partial"),
                    message: format!(
                        "is missing, but outcomes.csv.partial holds {done} complete runs whose series it should hold; nothing was changed (use --force to start over)"
                    ),
                });
            }
            return Ok(resume);
        };
        let header = exp.series_header();
        let fields = header.len();
        let per_run = u64::from(exp.scenarios.first().ticks()) + 1;
        let (mut j, mut tick) = (0_usize, 0_u64);
        resume.series = scan_table(path, &header, &mut |record| {
            let Some(&run) = mine.get(j) else {
                return Err(format!("a row beyond this experiment's {} runs", mine.len()));
            };
            let keys = run_keys(exp, run);
            if tick > 0
                && record.get(0) != Some(keys[0].as_bytes())
                && let Some(next) = mine.get(j + 1)
                && record.get(0) == Some(next.to_string().as_bytes())
            {
                return Err(format!("run {run} has {tick} rows where {per_run} belong (ticks + 1)"));
            }
            check_keys(record, &keys, fields)?;
            let found = record
                .get(keys.len())
                .map(|t| String::from_utf8_lossy(t).into_owned())
                .unwrap_or_default();
            if found != tick.to_string() {
                return Err(format!("run {run}: tick `{found}` where tick {tick} belongs"));
            }
            let verdict = if j < done { Row::Keep } else { Row::Cut };
            tick += 1;
            if tick == per_run {
                tick = 0;
                j += 1;
            }
            Ok(verdict)
        })?;
        if j < done {
            return Err(Error::Output {
                path: path.clone(),
                message: format!(
                    "holds the series of {j} complete runs (run {} has {tick} of its {per_run} rows), but outcomes.csv says {done} runs are complete; {RESUME_RULE}",
                    mine[j]
                ),
            });
        }
    }
    Ok(resume)
}

/// Opens a `.partial` table for appending, keeping its first `keep` bytes (the header and the
/// rows [`check_resume`] kept) and writing the header if nothing is kept.
fn open_partial(path: &Path, header: &str, keep: u64) -> Result<File> {
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(write_err(path))?;
    if file.metadata().map_err(write_err(path))?.len() != keep {
        file.set_len(keep).map_err(write_err(path))?;
    }
    file.seek(SeekFrom::End(0)).map_err(write_err(path))?;
    if keep == 0 {
        file.write_all(header.as_bytes()).map_err(write_err(path))?;
    }
    Ok(file)
}

fn manifest(exp: &Experiment, opts: &ExecOptions<'_>, started_at: &str, files: Vec<FileEntry>, complete: bool) -> Manifest {
    let first = exp.scenarios.first();
    let mut m = Manifest {
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
    };
    // Only when asked: a manifest without --parquet stays as it was before the option existed.
    if opts.parquet
        && let Some(details) = m.details.as_object_mut()
    {
        details.insert("parquet".into(), serde_json::Value::Bool(true));
    }
    m
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
    let resume = match prepare_dir(&dir, exp, opts.force)? {
        DirState::Complete => {
            let parquet_added = if opts.parquet && opts.shard.is_none() {
                add_parquet_copies(&dir)?
            } else {
                Vec::new()
            };
            return Ok(ExecReport {
                dir,
                runs: mine.len() as u64,
                skipped: mine.len() as u64,
                nothing_to_do: true,
                parquet_added,
            });
        }
        // Everything a resume keeps is checked before anything is changed.
        DirState::Ready(previous) => check_resume(exp, &dir, &mine, previous.as_deref())?,
    };
    for (done, partial) in &resume.restore {
        fs::rename(done, partial).map_err(write_err(partial))?;
    }
    let started_at = utc_now();
    manifest(exp, opts, &started_at, Vec::new(), false).write(&dir)?;
    let design_path = dir.join("design.csv");
    fs::write(&design_path, design_csv(exp)).map_err(write_err(&design_path))?;

    let mut tables = Tables::open(exp, &dir, &resume)?;
    let skipped = tables.done;
    opts.progress.start(mine.len() as u64, skipped);
    run_pending(exp, opts, &index, &mine, &mut tables)?;
    opts.progress.finish();
    drop(tables);
    let files = finish(exp, opts, &started_at, &dir, mine.len() as u64)?;
    manifest(exp, opts, &started_at, files, true).write(&dir)?;
    Ok(ExecReport {
        dir,
        runs: mine.len() as u64,
        skipped,
        nothing_to_do: false,
        parquet_added: Vec::new(),
    })
}

/// Checks that the design points can share one set of columns, and returns, for each outcome
/// the experiment writes, its position among the model's outcomes.
fn outcome_columns(exp: &Experiment) -> Result<Vec<usize>> {
    if exp.scenarios.is_empty() {
        return Err(Error::Usage("the experiment has no design points".into()));
    }
    let slugs = exp.scenarios.first().group_slugs();
    let model = exp.scenarios.first().model_name();
    // Points built on demand were checked for this when they were validated.
    if let Points::Held(held) = &exp.scenarios
        && held.iter().any(|s| s.group_slugs() != slugs || s.model_name() != model)
    {
        return Err(Error::Usage(
            "every design point must be of the same model and have the same armed groups (the columns depend on them)".into(),
        ));
    }
    let names = model::outcome_names(exp.scenarios.first());
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
    /// Opens (or resumes) the tables of `dir`, keeping what [`check_resume`] found sound.
    fn open(exp: &Experiment, dir: &Path, resume: &Resume) -> Result<Self> {
        let outcomes_partial = dir.join("outcomes.csv.partial");
        let outcomes_file = open_partial(&outcomes_partial, &record_line(&exp.outcomes_header()), resume.outcomes)?;
        let series = if exp.series {
            let series_partial = dir.join("series.csv.partial");
            let f = open_partial(&series_partial, &record_line(&exp.series_header()), resume.series)?;
            Some((f, series_partial))
        } else {
            None
        };
        Ok(Self {
            outcomes: (outcomes_file, outcomes_partial),
            series,
            done: resume.done as u64,
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
        // The scenarios of the points this batch runs (built on demand for large plans), kept
        // for the next batch while it runs the same points.
        let mut specs: BTreeMap<usize, Cow<'_, ModelSpec>> = BTreeMap::new();
        for chunk in pending.chunks(batch) {
            if (opts.stop)() {
                return Err(Error::Interrupted(format!(
                    "{} of {} runs done; rerun the same command to resume",
                    done,
                    mine.len()
                )));
            }
            let points: BTreeSet<usize> = chunk.iter().map(|&run| exp.point_of(run).0).collect();
            specs.retain(|p, _| points.contains(p));
            let missing: Vec<usize> = points.iter().copied().filter(|p| !specs.contains_key(p)).collect();
            let built: Vec<Result<(usize, Cow<'_, ModelSpec>)>> =
                missing.par_iter().map(|&p| exp.scenarios.get(p).map(|s| (p, s))).collect();
            for b in built {
                let (p, s) = b?;
                specs.insert(p, s);
            }
            let results: Vec<Result<RunResult>> = chunk
                .par_iter()
                .map(|&run| {
                    let (point, rep) = exp.point_of(run);
                    let scenario = &specs[&point];
                    let output = model::run(scenario, exp.seed_of(point, rep), exp.series, opts.stop)?;
                    Ok(RunResult {
                        run,
                        tick_length_days: scenario.tick_length_days(),
                        output,
                    })
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
fn finish(exp: &Experiment, opts: &ExecOptions<'_>, started_at: &str, dir: &Path, runs: u64) -> Result<Vec<FileEntry>> {
    let mut files = vec![FileEntry::new("design.csv", exp.scenarios.len() as u64)];
    if let ModelSpec::Peacesim(s) = exp.scenarios.first() {
        files.extend(write_network(dir, s)?);
    }
    // The tables' sizes and SHA-256 go into the (still incomplete) manifest before they are
    // renamed: a run stopped from here on resumes from them, checked, instead of running again.
    let mut tables = vec![table_entry(dir, "outcomes.csv", runs)?];
    if exp.series {
        tables.push(table_entry(
            dir,
            "series.csv",
            runs * (u64::from(exp.scenarios.first().ticks()) + 1),
        )?);
    }
    manifest(exp, opts, started_at, tables.clone(), false).write(dir)?;
    for t in &tables {
        finalize(&dir.join(format!("{}.partial", t.name)), &dir.join(&t.name))?;
    }
    files.extend(tables);
    if exp.series
        && let ModelSpec::Peacesim(s) = exp.scenarios.first()
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
    if opts.shard.is_some() {
        return Ok(files);
    }
    if opts.parquet {
        let tables: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
        files.extend(parquet_copies(dir, &tables)?);
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

/// The tables of an experiment that `--parquet` copies, in manifest order.
pub const PARQUET_TABLES: [&str; 3] = ["outcomes.csv", "series.csv", "group_series.csv"];

/// Writes the Parquet copies of those of [`PARQUET_TABLES`] among `written` (the experiment's
/// files so far) from the complete CSV tables in `dir`, and returns their manifest entries.
///
/// # Errors
/// Reading a table or writing its copy.
pub fn parquet_copies(dir: &Path, written: &[String]) -> Result<Vec<FileEntry>> {
    PARQUET_TABLES
        .iter()
        .filter(|t| written.iter().any(|w| w == *t))
        .map(|t| {
            let (path, rows) = crate::output::columnar::write_parquet(dir, t)?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            Ok(FileEntry::new(name, rows))
        })
        .collect()
}

/// Writes the Parquet copies a complete experiment directory lacks (it was run without
/// `--parquet`), from its tables as they are (already checked against the manifest), and adds
/// them to its manifest; returns their names. Nothing is run again and no CSV file changes.
fn add_parquet_copies(dir: &Path) -> Result<Vec<String>> {
    let mut m = read_manifest(dir)?;
    let names: Vec<String> = m.files.iter().map(|f| f.name.clone()).collect();
    let lacking: Vec<String> = PARQUET_TABLES
        .iter()
        .filter(|t| names.iter().any(|n| n == *t))
        .filter(|t| !names.contains(&crate::output::columnar::parquet_name(t)))
        .map(|t| (*t).to_string())
        .collect();
    if lacking.is_empty() {
        return Ok(Vec::new());
    }
    let added = parquet_copies(dir, &lacking)?;
    let added_names = added.iter().map(|f| f.name.clone()).collect();
    m.files.extend(added);
    if let Some(details) = m.details.as_object_mut() {
        details.insert("parquet".into(), serde_json::Value::Bool(true));
    }
    m.write(dir)?;
    Ok(added_names)
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

/// The manifest entry of a finished `.partial` table: its rows, size and SHA-256.
fn table_entry(dir: &Path, name: &str, rows: u64) -> Result<FileEntry> {
    let path = dir.join(format!("{name}.partial"));
    let (bytes, sha) = crate::output::manifest::file_digest(&path).map_err(|source| Error::Read { path, source })?;
    Ok(FileEntry {
        bytes: Some(bytes),
        sha256: Some(sha),
        ..FileEntry::new(name, rows)
    })
}

fn finalize(partial: &Path, done: &Path) -> Result<()> {
    fs::rename(partial, done).map_err(write_err(done))
}

/// What [`prepare_dir`] found.
#[derive(Debug, Clone, PartialEq)]
enum DirState {
    /// Ready to run into: new, emptied by `force`, or holding this experiment in part (then with
    /// its incomplete manifest).
    Ready(Option<Box<Manifest>>),
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
                "outcomes.parquet",
                "outcomes.parquet.partial",
                "series.parquet",
                "series.parquet.partial",
                "group_series.parquet",
                "group_series.parquet.partial",
                "design.csv",
                "comparison.csv",
                "whatif.csv",
                "whatif.md",
                "figures/whatif.svg",
                "figures/whatif.png",
                "network.csv",
                "links.csv",
                "manifest.json.partial",
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
            return Ok(DirState::Ready(Some(Box::new(m))));
        } else if fs::read_dir(dir).map_err(write_err(dir))?.next().is_some() && !dir.join("shards").exists() {
            return Err(Error::Output {
                path: dir.to_path_buf(),
                message: "exists, is not empty and is not a peacesim experiment; use --out to choose another".into(),
            });
        }
    }
    fs::create_dir_all(dir).map_err(write_err(dir))?;
    Ok(DirState::Ready(None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reopened(name: &str, content: &[u8]) -> (String, Vec<u64>) {
        let dir = std::env::temp_dir().join(format!("peacesim-open-partial-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("outcomes.csv.partial");
        std::fs::write(&path, content).unwrap();
        let header = ["run", "x", "y"].map(String::from);
        let mut runs = Vec::new();
        let keep = scan_table(&path, &header, &mut |r| {
            runs.push(std::str::from_utf8(&r[0]).unwrap().parse().unwrap());
            Ok(Row::Keep)
        })
        .unwrap();
        let mut file = open_partial(&path, "run,x,y\n", keep).unwrap();
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
