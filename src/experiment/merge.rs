//! `peacesim merge DIR`: combines the shards of an experiment into one directory whose CSV files
//! are byte-identical to the same experiment run in one process.
//!
//! Every shard must be present and complete and belong to the same experiment. Shard `I/N`
//! holds the runs with `run % N == I` in run order, so the merge reads run `r` from shard
//! `r % N`, in order, streaming.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Lines, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::output::manifest::{FileEntry, Manifest, require_complete};
use crate::output::utc_now;

use super::design::{Kind, read_design};
use super::{compare, summary};

fn out_err(path: &Path, message: impl Into<String>) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Shard directories of an experiment directory, indexed by shard number.
fn shards(dir: &Path) -> Result<Vec<PathBuf>> {
    let root = dir.join("shards");
    let entries = fs::read_dir(&root).map_err(|_| {
        out_err(
            dir,
            "has no shards/ directory: nothing to merge (run `peacesim sweep ... --shard I/N` first)",
        )
    })?;
    let mut found: Vec<(u32, u32, PathBuf)> = Vec::new();
    for e in entries {
        let e = e.map_err(|source| Error::Read {
            path: root.clone(),
            source,
        })?;
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("shard-") else { continue };
        let Some((i, n)) = rest.split_once("-of-") else { continue };
        let (Ok(i), Ok(n)) = (i.parse::<u32>(), n.parse::<u32>()) else {
            continue;
        };
        found.push((i, n, e.path()));
    }
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
    found.sort_by_key(|f| f.0);
    let present: Vec<u32> = found.iter().map(|f| f.0).collect();
    let missing: Vec<u32> = (0..n).filter(|i| !present.contains(i)).collect();
    if !missing.is_empty() {
        return Err(out_err(
            &root,
            format!("shards {missing:?} of {n} are missing; run them (rerunning resumes) before merging"),
        ));
    }
    Ok(found.into_iter().map(|f| f.2).collect())
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
/// # Errors
/// Missing or incomplete shards, shards of different experiments, I/O errors.
pub fn merge(dir: &Path, command: &str) -> Result<PathBuf> {
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
    let design_path = dir.join("design.csv");
    fs::write(&design_path, &design).map_err(|source| Error::Write {
        path: design_path.clone(),
        source,
    })?;
    let (label_columns, labels) = read_design(&design_path)?;
    let mut files = vec![FileEntry {
        name: "design.csv".into(),
        rows: labels.len() as u64,
    }];
    for name in ["network.csv", "links.csv"] {
        let from = shard_dirs[0].join(name);
        let to = dir.join(name);
        fs::copy(&from, &to).map_err(|source| Error::Write { path: to.clone(), source })?;
    }
    let rows = merge_file(dir, &shard_dirs, "outcomes.csv", runs)?;
    files.push(FileEntry {
        name: "outcomes.csv".into(),
        rows,
    });
    if series {
        let rows = merge_file(dir, &shard_dirs, "series.csv", runs)?;
        files.push(FileEntry {
            name: "series.csv".into(),
            rows,
        });
    }
    if summary {
        let rows = summary::write_summary(dir, &label_columns, &labels)?;
        files.push(FileEntry {
            name: "summary.csv".into(),
            rows,
        });
    }
    if kind == Kind::Comparison {
        let rows = compare::write_comparison(dir, manifests[0].seed)?.len() as u64;
        files.push(FileEntry {
            name: "comparison.csv".into(),
            rows,
        });
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
    m.write(dir)?;
    Ok(dir.to_path_buf())
}
