//! `peacesim verify DIR`: checks an output directory against its manifest, and the checks
//! `merge` makes before it trusts a shard.
//!
//! A directory is sound when its manifest is complete; every file the manifest lists exists,
//! has the rows it says (and, where recorded, the size and SHA-256); an experiment's
//! `outcomes.csv` holds each of its runs exactly once, in run order (a shard `I/N` the runs with
//! `run % N == I`), and `series.csv` `ticks + 1` rows of each; and its shards (if any) are all
//! present, of one sharding and one experiment. This module reads and reports; it never
//! repairs or deletes anything.

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::output::manifest::{Manifest, read_manifest};

use super::design::Kind;

/// One thing wrong with a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file or directory concerned.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Directories checked (the directory and its shards).
    pub dirs: usize,
    /// Files checked.
    pub files: usize,
    /// Everything wrong; empty when the directory is sound.
    pub problems: Vec<Problem>,
}

/// At most this many problems are listed per file (then a count of the rest).
const MAX_LISTED: usize = 10;

/// Collects the problems of one file, listing the first [`MAX_LISTED`].
struct Problems<'a> {
    path: &'a Path,
    listed: Vec<Problem>,
    more: usize,
}

impl<'a> Problems<'a> {
    fn new(path: &'a Path) -> Self {
        Self {
            path,
            listed: Vec::new(),
            more: 0,
        }
    }

    fn push(&mut self, message: impl Into<String>) {
        if self.listed.len() < MAX_LISTED {
            self.listed.push(Problem {
                path: self.path.to_path_buf(),
                message: message.into(),
            });
        } else {
            self.more += 1;
        }
    }

    fn into_vec(mut self) -> Vec<Problem> {
        if self.more > 0 {
            self.listed.push(Problem {
                path: self.path.to_path_buf(),
                message: format!("… and {} more problems", self.more),
            });
        }
        self.listed
    }
}

/// Checks `dir` (an output directory, an experiment with shards, or one shard).
#[must_use]
pub fn verify(dir: &Path) -> Report {
    let mut report = Report::default();
    let shards_dir = dir.join("shards");
    let has_manifest = dir.join("manifest.json").exists();
    if has_manifest || !shards_dir.is_dir() {
        let shard = shard_of_name(dir);
        report.dirs += 1;
        verify_one(dir, shard, &mut report);
    }
    if shards_dir.is_dir() {
        verify_shards(dir, &mut report);
    }
    report
}

/// Checks one complete shard `(i, n)`: its manifest, files and runs.
#[must_use]
pub fn verify_shard(dir: &Path, shard: (u32, u32)) -> Vec<Problem> {
    let mut report = Report::default();
    verify_one(dir, Some(shard), &mut report);
    report.problems
}

/// `shard-I-of-N` → `(I, N)`.
fn shard_of_name(dir: &Path) -> Option<(u32, u32)> {
    let name = dir.file_name()?.to_str()?;
    let (i, n) = name.strip_prefix("shard-")?.split_once("-of-")?;
    Some((i.parse().ok()?, n.parse().ok()?))
}

/// The shard directories under `dir/shards`, as `(index, count, path)`, sorted.
///
/// # Errors
/// The reason when the folder cannot be listed.
pub fn list_shards(dir: &Path) -> std::result::Result<Vec<(u32, u32, PathBuf)>, std::io::Error> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir.join("shards"))? {
        let e = e?;
        if let Some((i, n)) = shard_of_name(&e.path()) {
            found.push((i, n, e.path()));
        }
    }
    found.sort_by_key(|f| (f.1, f.0));
    Ok(found)
}

fn verify_shards(dir: &Path, report: &mut Report) {
    let root = dir.join("shards");
    let found = match list_shards(dir) {
        Ok(f) => f,
        Err(e) => {
            report.problems.push(Problem {
                path: root,
                message: format!("cannot be listed: {e}"),
            });
            return;
        }
    };
    let Some(&(_, n, _)) = found.first() else {
        report.problems.push(Problem {
            path: root,
            message: "holds no shard-I-of-N directories".into(),
        });
        return;
    };
    if found.iter().any(|f| f.1 != n) {
        report.problems.push(Problem {
            path: root.clone(),
            message: "holds shards of different shard counts; merge one sharding at a time".into(),
        });
    }
    let missing: Vec<u32> = (0..n).filter(|i| !found.iter().any(|f| f.0 == *i && f.1 == n)).collect();
    if !missing.is_empty() {
        report.problems.push(Problem {
            path: root.clone(),
            message: format!("shards {missing:?} of {n} are missing"),
        });
    }
    let top = read_manifest(dir).ok();
    let mut identity: Option<serde_json::Value> = top.as_ref().map(|m| m.details["identity"].clone());
    for (i, count, path) in &found {
        report.dirs += 1;
        verify_one(path, Some((*i, *count)), report);
        if let Ok(m) = read_manifest(path) {
            let id = m.details["identity"].clone();
            match &identity {
                Some(first) if *first != id => report.problems.push(Problem {
                    path: path.clone(),
                    message: "belongs to a different experiment than the others".into(),
                }),
                Some(_) => {}
                None => identity = Some(id),
            }
        }
    }
}

/// Counts a CSV file's data rows (header excluded), hashing its bytes on the way.
pub(crate) fn count_rows(path: &Path) -> std::io::Result<(u64, u64, String)> {
    use sha2::Digest as _;
    struct Hashing<R> {
        inner: R,
        hasher: sha2::Sha256,
        bytes: u64,
    }
    impl<R: Read> Read for Hashing<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.hasher.update(&buf[..n]);
            self.bytes += n as u64;
            Ok(n)
        }
    }
    let mut reading = Hashing {
        inner: BufReader::new(File::open(path)?),
        hasher: sha2::Sha256::new(),
        bytes: 0,
    };
    let mut rows = 0;
    {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(&mut reading);
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).map_err(std::io::Error::other)? {
            rows += 1;
        }
    }
    let mut rest = Vec::new();
    reading.read_to_end(&mut rest)?;
    let digest = reading.hasher.finalize();
    Ok((rows, reading.bytes, digest.iter().map(|b| format!("{b:02x}")).collect()))
}

fn verify_one(dir: &Path, shard: Option<(u32, u32)>, report: &mut Report) {
    let problem = |message: String| Problem {
        path: dir.to_path_buf(),
        message,
    };
    let manifest = match read_manifest(dir) {
        Ok(m) => m,
        Err(e) => {
            let message = if dir.join("manifest.json").exists() {
                format!("manifest.json cannot be read: {e}")
            } else {
                "no manifest.json: not a complete peacesim output (an interrupted run, or the wrong path)".into()
            };
            report.problems.push(problem(message));
            return;
        }
    };
    if !manifest.complete {
        report
            .problems
            .push(problem("manifest.json says the directory is incomplete".into()));
        return;
    }
    let recorded_shard = manifest.details.get("shard").and_then(|s| s.as_str()).map(str::to_string);
    if let Some((i, n)) = shard
        && recorded_shard.as_deref() != Some(&format!("{i}/{n}"))
    {
        report.problems.push(problem(format!(
            "is named shard {i}/{n} but its manifest records shard {}",
            recorded_shard.as_deref().unwrap_or("none")
        )));
    }
    for f in &manifest.files {
        report.files += 1;
        let path = dir.join(&f.name);
        if !path.is_file() {
            report.problems.push(Problem {
                path,
                message: "is listed in manifest.json but missing".into(),
            });
            continue;
        }
        let csv = f.name.ends_with(".csv");
        let parquet = f.name.ends_with(".parquet");
        if !csv && f.sha256.is_none() && f.bytes.is_none() {
            continue;
        }
        let counted = if csv {
            count_rows(&path)
        } else {
            crate::output::manifest::file_digest(&path).map(|(bytes, sha)| (0, bytes, sha))
        };
        // A Parquet copy's rows are in its footer.
        if parquet && counted.is_ok() {
            match crate::output::columnar::parquet_rows(&path) {
                Ok(rows) if rows != f.rows => report.problems.push(Problem {
                    path: path.clone(),
                    message: format!("holds {rows} rows; manifest.json says {}", f.rows),
                }),
                Ok(_) => {}
                Err(e) => report.problems.push(Problem {
                    path: path.clone(),
                    message: e,
                }),
            }
        }
        match counted {
            Err(e) => report.problems.push(Problem {
                path,
                message: format!("cannot be read: {e}"),
            }),
            Ok((rows, bytes, sha)) => {
                if csv && rows != f.rows {
                    report.problems.push(Problem {
                        path: path.clone(),
                        message: format!("holds {rows} rows; manifest.json says {}", f.rows),
                    });
                }
                if let Some(b) = f.bytes
                    && b != bytes
                {
                    report.problems.push(Problem {
                        path: path.clone(),
                        message: format!("is {bytes} bytes; manifest.json says {b}"),
                    });
                }
                if let Some(s) = &f.sha256
                    && *s != sha
                {
                    report.problems.push(Problem {
                        path,
                        message: "its SHA-256 differs from the one in manifest.json (the file was changed)".into(),
                    });
                }
            }
        }
    }
    // An uncertainty command's output names the experiment directories it ran (`runs`, and
    // calibrate's `smc/generation-G-part-P`): each is checked as a directory of its own.
    let experiments = manifest.details.get("experiments").and_then(serde_json::Value::as_array);
    for name in experiments.into_iter().flatten().filter_map(serde_json::Value::as_str) {
        let sub = dir.join(name);
        if name.split('/').any(|part| part == ".." || part.is_empty()) {
            report
                .problems
                .push(problem(format!("manifest.json names `{name}`, which is not a directory inside it")));
            continue;
        }
        let inner = verify(&sub);
        report.dirs += inner.dirs;
        report.files += inner.files;
        report.problems.extend(inner.problems);
    }
    if Kind::parse(&manifest.kind).is_some() {
        verify_runs(
            dir,
            &manifest,
            shard.or_else(|| recorded_shard.as_deref().and_then(parse_pair)),
            report,
        );
    }
}

fn parse_pair(s: &str) -> Option<(u32, u32)> {
    let (i, n) = s.split_once('/')?;
    Some((i.parse().ok()?, n.parse().ok()?))
}

/// Checks that `outcomes.csv` holds each run of the directory once, in order, and `series.csv`
/// `ticks + 1` rows of each.
fn verify_runs(dir: &Path, manifest: &Manifest, shard: Option<(u32, u32)>, report: &mut Report) {
    let Some(runs) = manifest.details.get("runs").and_then(serde_json::Value::as_u64) else {
        report.problems.push(Problem {
            path: dir.join("manifest.json"),
            message: "does not record the experiment's number of runs".into(),
        });
        return;
    };
    let mine = |r: u64| shard.is_none_or(|(i, n)| n > 0 && r % u64::from(n) == u64::from(i));
    let listed = |name: &str| manifest.files.iter().any(|f| f.name == name);
    if listed("outcomes.csv") {
        report
            .problems
            .extend(check_run_column(&dir.join("outcomes.csv"), runs, &mine, 1, shard));
    }
    if listed("series.csv") {
        let per_run = u64::from(manifest.ticks) + 1;
        report
            .problems
            .extend(check_run_column(&dir.join("series.csv"), runs, &mine, per_run, shard));
    }
}

/// Streams a table whose first column is the run number and checks that the runs `r < runs`
/// with `mine(r)` appear in order, each on exactly `per_run` consecutive rows.
fn check_run_column(path: &Path, runs: u64, mine: &dyn Fn(u64) -> bool, per_run: u64, shard: Option<(u32, u32)>) -> Vec<Problem> {
    let mut p = Problems::new(path);
    let mut reader = match csv::ReaderBuilder::new().flexible(true).from_path(path) {
        Ok(r) => r,
        Err(e) => {
            p.push(format!("cannot be read: {e}"));
            return p.into_vec();
        }
    };
    let whose = || shard.map_or_else(String::new, |(i, n)| format!(" (shard {i}/{n})"));
    let mut expected = (0..runs).filter(|&r| mine(r)).peekable();
    let mut current: Option<(u64, u64)> = None; // (run, rows seen)
    let mut seen_last: Option<u64> = None;
    let close = |current: Option<(u64, u64)>, p: &mut Problems<'_>| {
        if let Some((run, rows)) = current
            && rows != per_run
        {
            if per_run == 1 {
                p.push(format!("run {run} appears {rows} times"));
            } else {
                p.push(format!("run {run} has {rows} rows, expected {per_run}"));
            }
        }
    };
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                p.push(format!("unreadable row: {e}"));
                break;
            }
        }
        line += 1;
        let Some(run) = record.get(0).and_then(|s| s.parse::<u64>().ok()) else {
            p.push(format!("line {line}: `{}` is not a run number", record.get(0).unwrap_or("")));
            continue;
        };
        if let Some((r, rows)) = current.as_mut()
            && *r == run
        {
            *rows += 1;
            continue;
        }
        close(current.take(), &mut p);
        if run >= runs || !mine(run) {
            p.push(format!(
                "line {line}: run {run} does not belong here (the experiment has runs 0 to {}{})",
                runs.saturating_sub(1),
                shard.map_or_else(String::new, |(i, n)| format!(", this shard those with run % {n} == {i}"))
            ));
            continue;
        }
        if seen_last.is_some_and(|last| run <= last) {
            p.push(format!("line {line}: run {run} appears more than once{}", whose()));
            continue;
        }
        while let Some(&next) = expected.peek() {
            if next >= run {
                break;
            }
            p.push(format!("run {next} is missing{}", whose()));
            expected.next();
        }
        expected.next();
        seen_last = Some(run);
        current = Some((run, 1));
    }
    close(current, &mut p);
    for next in expected {
        p.push(format!("run {next} is missing{}", whose()));
    }
    p.into_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::sha256_hex;

    fn check(text: &str, runs: u64, shard: Option<(u32, u32)>, per_run: u64) -> Vec<String> {
        let dir = std::env::temp_dir().join(format!("peacesim-verify-{}-{}", std::process::id(), sha256_hex(text.as_bytes())));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("outcomes.csv");
        std::fs::write(&path, text).unwrap();
        let mine = |r: u64| shard.is_none_or(|(i, n)| r % u64::from(n) == u64::from(i));
        let found = check_run_column(&path, runs, &mine, per_run, shard)
            .into_iter()
            .map(|p| p.message)
            .collect();
        std::fs::remove_dir_all(&dir).unwrap();
        found
    }

    #[test]
    fn runs_missing_duplicated_or_foreign_are_named() {
        assert!(check("run,x\n0,1\n1,1\n2,1\n", 3, None, 1).is_empty());
        assert_eq!(check("run,x\n0,1\n2,1\n", 3, None, 1), ["run 1 is missing"]);
        assert_eq!(
            check("run,x\n0,1\n1,1\n1,1\n1,1\n2,1\n", 3, None, 2),
            [
                "run 0 has 1 rows, expected 2",
                "run 1 has 3 rows, expected 2",
                "run 2 has 1 rows, expected 2"
            ]
        );
        assert_eq!(check("run,x\n0,1\n0,1\n1,1\n", 2, None, 1), ["run 0 appears 2 times"]);
        assert_eq!(
            check("run,x\n0,1\n2,1\n0,1\n", 4, Some((0, 2)), 1),
            ["line 4: run 0 appears more than once (shard 0/2)"]
        );
        assert_eq!(check("run,x\n1,1\n", 4, Some((1, 2)), 1), ["run 3 is missing (shard 1/2)"]);
        assert_eq!(
            check("run,x\n0,1\n1,1\n", 2, Some((0, 2)), 1),
            ["line 3: run 1 does not belong here (the experiment has runs 0 to 1, this shard those with run % 2 == 0)"]
        );
    }
}
