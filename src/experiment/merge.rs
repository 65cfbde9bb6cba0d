//! `peacesim merge DIR`: combines the shards of an experiment into one directory whose CSV files
//! are byte-identical to the same experiment run in one process.
//!
//! Every shard must be present and complete, agree with its manifest (each of its runs exactly
//! once, every file with its rows; see [`super::verify`]) and belong to the same experiment;
//! otherwise nothing is written. Shard `I/N`
//! holds the runs with `run % N == I` in run order, so the merge reads run `r` from shard
//! `r % N`, in order, streaming.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Lines, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::output::manifest::{FileEntry, Manifest, require_complete};
use crate::output::utc_now;

use super::design::{Kind, read_design};
use super::verify;
use super::{compare, summary};

fn out_err(path: &Path, message: impl Into<String>) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Shard directories of an experiment directory, indexed by shard number, each checked against
/// its manifest (complete, every file with its rows, each of its runs exactly once).
fn shards(dir: &Path) -> Result<Vec<PathBuf>> {
    let root = dir.join("shards");
    let found = verify::list_shards(dir).map_err(|_| {
        out_err(
            dir,
            "has no shards/ directory: nothing to merge (run `peacesim sweep ... --shard I/N` first)",
        )
    })?;
    if found.is_empty() {
        return Err(out_err(&root, "holds no shard-I-of-N directories"));
    }
    let n = found[0].1;
    if found.iter().any(|f| f.1 != n) {
        return Err(out_err(
            &root,
            "holds shards of different shard counts; merge one sharding at a time",
        ));
    }
    let present: Vec<u32> = found.iter().map(|f| f.0).collect();
    let missing: Vec<u32> = (0..n).filter(|i| !present.contains(i)).collect();
    if !missing.is_empty() {
        return Err(out_err(
            &root,
            format!("shards {missing:?} of {n} are missing; run them (rerunning resumes) before merging"),
        ));
    }
    let mut problems = Vec::new();
    for (i, n, d) in &found {
        if !d.join("manifest.json").exists() {
            problems.push(format!(
                "{}: no manifest.json: the shard has not finished; rerun it (rerunning resumes)",
                d.display()
            ));
            continue;
        }
        problems.extend(verify::verify_shard(d, (*i, *n)).iter().map(ToString::to_string));
    }
    if !problems.is_empty() {
        return Err(out_err(
            &root,
            format!(
                "cannot be merged; nothing was written:\n  {}\nrerun the shards concerned with --force, then merge again",
                problems.join("\n  ")
            ),
        ));
    }
    Ok(found.into_iter().map(|f| f.2).collect())
}

/// Files a merge writes into the experiment directory, removed again if the merge fails, so
/// that a failed merge leaves nothing that was not there before but the shards.
struct Written {
    paths: Vec<PathBuf>,
    done: bool,
}

impl Written {
    fn add(&mut self, path: PathBuf) -> PathBuf {
        self.paths.push(path.clone());
        path
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        if !self.done {
            for p in &self.paths {
                // NOTE: best effort; these are files this merge created.
                let _ = fs::remove_file(p);
            }
        }
    }
}

struct Shard {
    lines: Lines<BufReader<File>>,
    pending: Option<String>,
    path: PathBuf,
}

impl Shard {
    fn open(path: PathBuf) -> Result<(Self, String)> {
        let file = File::open(&path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        let mut lines = BufReader::new(file).lines();
        let header = lines
            .next()
            .transpose()
            .map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?
            .unwrap_or_default();
        Ok((
            Self {
                lines,
                pending: None,
                path,
            },
            header,
        ))
    }

    fn peek(&mut self) -> Result<Option<&str>> {
        if self.pending.is_none() {
            self.pending = self.lines.next().transpose().map_err(|source| Error::Read {
                path: self.path.clone(),
                source,
            })?;
        }
        Ok(self.pending.as_deref())
    }

    fn take(&mut self) -> Option<String> {
        self.pending.take()
    }
}

fn run_of(line: &str) -> Option<u64> {
    line.split(',').next()?.parse().ok()
}

/// Merges `name` (outcomes.csv or series.csv) of every shard into `dir/name`, in run order.
fn merge_file(dir: &Path, shard_dirs: &[PathBuf], name: &str, runs: u64) -> Result<u64> {
    let mut readers = Vec::new();
    let mut header: Option<String> = None;
    for d in shard_dirs {
        let (r, h) = Shard::open(d.join(name))?;
        if header.as_ref().is_some_and(|x| *x != h) {
            return Err(out_err(&d.join(name), "header differs from the other shards"));
        }
        header = Some(h);
        readers.push(r);
    }
    let partial = dir.join(format!("{name}.partial"));
    let file = File::create(&partial).map_err(|source| Error::Write {
        path: partial.clone(),
        source,
    })?;
    let mut out = BufWriter::new(file);
    let werr = |source| Error::Write {
        path: partial.clone(),
        source,
    };
    writeln!(out, "{}", header.unwrap_or_default()).map_err(werr)?;
    let n = readers.len() as u64;
    let mut rows = 0;
    for run in 0..runs {
        let shard = &mut readers[usize::try_from(run % n).expect("shard index")];
        let mut any = false;
        while let Some(line) = shard.peek()? {
            if run_of(line) != Some(run) {
                break;
            }
            let line = shard.take().expect("peeked");
            writeln!(out, "{line}").map_err(werr)?;
            rows += 1;
            any = true;
        }
        if !any {
            return Err(out_err(&shard.path, format!("run {run} is missing")));
        }
    }
    for r in &mut readers {
        if r.peek()?.is_some() {
            return Err(out_err(&r.path, "has rows beyond the experiment's runs"));
        }
    }
    out.flush().map_err(werr)?;
    drop(out);
    let final_path = dir.join(name);
    fs::rename(&partial, &final_path).map_err(|source| Error::Write { path: final_path, source })?;
    Ok(rows)
}

/// Merges the shards of `dir`.
///
/// Every shard is first checked against its manifest ([`verify::verify_shard`]): a shard with a
/// run missing, duplicated or foreign, or a file whose rows differ from its manifest, is named
/// and nothing is written. If writing fails part-way, the files written are removed again.
///
/// # Errors
/// Missing, incomplete or inconsistent shards, shards of different experiments, I/O errors.
pub fn merge(dir: &Path, command: &str) -> Result<PathBuf> {
    // One writer at a time, as for the runs themselves.
    let _lock = crate::output::OutputLock::acquire(dir)?;
    let shard_dirs = shards(dir)?;
    let manifests: Vec<Manifest> = shard_dirs.iter().map(|d| require_complete(d)).collect::<Result<_>>()?;
    let identity = &manifests[0].details["identity"];
    for (d, m) in shard_dirs.iter().zip(&manifests) {
        if &m.details["identity"] != identity {
            return Err(out_err(d, "belongs to a different experiment than shard 0"));
        }
    }
    let design = fs::read(shard_dirs[0].join("design.csv")).map_err(|source| Error::Read {
        path: shard_dirs[0].join("design.csv"),
        source,
    })?;
    for d in &shard_dirs[1..] {
        if fs::read(d.join("design.csv")).ok().as_deref() != Some(design.as_slice()) {
            return Err(out_err(d, "design.csv differs from shard 0"));
        }
    }
    let details = &manifests[0].details;
    let runs = details["runs"]
        .as_u64()
        .ok_or_else(|| out_err(&shard_dirs[0], "manifest lacks the number of runs"))?;
    let series = details["series"].as_bool().unwrap_or(false);
    let summary = details["summary"].as_bool().unwrap_or(false);
    let kind = Kind::parse(&manifests[0].kind).ok_or_else(|| out_err(&shard_dirs[0], "manifest has an unknown kind"))?;
    // Everything is checked; from here on the directory is written. An earlier merge's
    // manifest goes first, so that a merge stopped half-way never looks complete.
    let old_manifest = dir.join("manifest.json");
    if old_manifest.exists() {
        fs::remove_file(&old_manifest).map_err(|source| Error::Write {
            path: old_manifest.clone(),
            source,
        })?;
    }
    let mut written = Written {
        paths: Vec::new(),
        done: false,
    };
    let design_path = written.add(dir.join("design.csv"));
    fs::write(&design_path, &design).map_err(|source| Error::Write {
        path: design_path.clone(),
        source,
    })?;
    let (label_columns, labels) = read_design(&design_path)?;
    let mut files = vec![FileEntry::new("design.csv", labels.len() as u64)];
    for entry in manifests[0]
        .files
        .iter()
        .filter(|f| f.name == "network.csv" || f.name == "links.csv")
    {
        let from = shard_dirs[0].join(&entry.name);
        let to = written.add(dir.join(&entry.name));
        fs::copy(&from, &to).map_err(|source| Error::Write { path: to.clone(), source })?;
        files.push(FileEntry::new(entry.name.clone(), entry.rows));
    }
    written.add(dir.join("outcomes.csv.partial"));
    written.add(dir.join("outcomes.csv"));
    let rows = merge_file(dir, &shard_dirs, "outcomes.csv", runs)?;
    files.push(FileEntry::new("outcomes.csv", rows));
    if series {
        written.add(dir.join("series.csv.partial"));
        written.add(dir.join("series.csv"));
        let rows = merge_file(dir, &shard_dirs, "series.csv", runs)?;
        files.push(FileEntry::new("series.csv", rows));
    }
    if manifests[0].files.iter().any(|f| f.name == "group_series.csv") {
        written.add(dir.join("group_series.csv.partial"));
        written.add(dir.join("group_series.csv"));
        let rows = merge_file(dir, &shard_dirs, "group_series.csv", runs)?;
        files.push(FileEntry::new("group_series.csv", rows));
    }
    // Parquet copies, if the shards were asked for them, made from the merged tables (the
    // shards write none): the same bytes as a one-process run's.
    if details.get("parquet").and_then(serde_json::Value::as_bool) == Some(true) {
        let tables: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
        for t in super::runner::PARQUET_TABLES.iter().filter(|t| tables.iter().any(|w| w == *t)) {
            let name = crate::output::columnar::parquet_name(t);
            written.add(dir.join(format!("{name}.partial")));
            written.add(dir.join(name));
        }
        files.extend(super::runner::parquet_copies(dir, &tables)?);
    }
    if summary {
        written.add(dir.join("summary.csv"));
        let rows = summary::write_summary(dir, &label_columns, &labels, manifests[0].seed)?;
        files.push(FileEntry::new("summary.csv", rows));
    }
    if kind == Kind::Sweep {
        written.add(dir.join("point_summary.csv"));
        let rows = summary::write_point_summary(dir, &label_columns, &labels, manifests[0].seed)?;
        files.push(FileEntry::new("point_summary.csv", rows));
    }
    if kind == Kind::Comparison {
        written.add(dir.join("comparison.csv"));
        let rows = compare::write_comparison(dir, manifests[0].seed)?.len() as u64;
        files.push(FileEntry::new("comparison.csv", rows));
    }
    let mut m = manifests[0].clone();
    m.command = command.to_string();
    m.started_at = manifests.iter().map(|x| x.started_at.clone()).min().unwrap_or_default();
    m.finished_at = utc_now();
    m.files = files;
    if let Some(obj) = m.details.as_object_mut() {
        obj.insert("shard".into(), serde_json::Value::Null);
        obj.insert("merged_from_shards".into(), serde_json::json!(shard_dirs.len()));
    }
    m.complete = true;
    written.add(old_manifest);
    m.write(dir)?;
    written.done = true;
    Ok(dir.to_path_buf())
}
