//! Removing old dashboard runs: by age, then by total size, oldest first; never a folder of a
//! queued or running job, and never anything the dashboard did not write.
//!
//! Each run lives in its own folder directly under the dashboard's output directory, named
//! `run-…`, holding a marker file ([`MARKER`]) written when the run was accepted, with the time
//! it was created. A folder without a readable marker (a user's own files, another program's
//! output, a symbolic link) is never touched, whatever its name, age or size.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::error::{Error, Result};

/// The marker file that makes a folder a dashboard run folder.
pub const MARKER: &str = "dashboard-run.json";

/// The key in [`MARKER`] that no other peacesim file has.
const MARKER_KEY: &str = "peacesim_dashboard_run";

/// How much of its old runs the dashboard keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    /// Run folders created longer ago than this are removed.
    pub max_age: Duration,
    /// Beyond this many bytes in all run folders, the oldest are removed until the rest fit.
    pub max_bytes: u64,
}

impl Default for Keep {
    /// 24 hours and 2 GB (a what-if writes 3 to 25 MB: a class of twenty doing ten each fits).
    fn default() -> Self {
        Self {
            max_age: Duration::from_secs(24 * 3600),
            max_bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

/// Writes the marker of a new run folder (created here; it must not exist yet).
///
/// # Errors
/// [`Error::Write`] if the folder exists already or cannot be created or written.
pub fn create_run_folder(folder: &Path, id: u64, scenario: &str) -> Result<()> {
    let write_err = |source| Error::Write {
        path: folder.to_path_buf(),
        source,
    };
    if let Some(parent) = folder.parent() {
        fs::create_dir_all(parent).map_err(write_err)?;
    }
    fs::create_dir(folder).map_err(write_err)?;
    let created = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let marker = json!({
        MARKER_KEY: id,
        "created_unix": created,
        "scenario": scenario,
        "note": "written by peacesim serve; this folder is removed when it is old or the runs take too much space",
    });
    let path = folder.join(MARKER);
    fs::write(&path, format!("{marker:#}\n")).map_err(|source| Error::Write { path, source })
}

/// A dashboard run folder found under the output directory.
#[derive(Debug)]
struct RunFolder {
    path: PathBuf,
    created: SystemTime,
    bytes: u64,
    locked: bool,
}

/// When the folder's marker says it was created, if the folder is a dashboard run folder: a real
/// directory (not a link) named `run-…` whose marker parses and carries the dashboard's key.
fn created_if_ours(path: &Path) -> Option<SystemTime> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.is_dir() || !path.file_name()?.to_str()?.starts_with("run-") {
        return None;
    }
    let marker = path.join(MARKER);
    if !fs::symlink_metadata(&marker).ok()?.is_file() {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(&fs::read_to_string(marker).ok()?).ok()?;
    value.get(MARKER_KEY)?.as_u64()?;
    let secs = value.get("created_unix")?.as_u64()?;
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

/// Bytes of the files under `dir` (links counted as themselves, never followed), and whether an
/// output lock (`.NAME.lock`, held while a process writes an experiment) is there.
fn usage(dir: &Path) -> (u64, bool) {
    let mut bytes = 0;
    let mut locked = false;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let Ok(meta) = fs::symlink_metadata(entry.path()) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                bytes += meta.len();
                let name = entry.file_name();
                let name = name.to_string_lossy();
                locked |= name.starts_with('.') && name.ends_with(".lock");
            }
        }
    }
    (bytes, locked)
}

/// Removes dashboard run folders under `out` created more than `keep.max_age` before `now`, then,
/// while all run folders together hold more than `keep.max_bytes`, the oldest others. Folders in
/// `active` (queued or running jobs of this server) are never removed, nor are folders where a
/// process holds an output lock unless they are past the age limit; anything that is not a
/// dashboard run folder is neither removed nor counted. Returns the folders removed.
#[must_use]
pub fn clean(out: &Path, keep: &Keep, active: &BTreeSet<PathBuf>, now: SystemTime) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(out) else {
        return Vec::new();
    };
    let mut folders: Vec<RunFolder> = entries
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            let created = created_if_ours(&path)?;
            let (bytes, locked) = usage(&path);
            Some(RunFolder {
                path,
                created,
                bytes,
                locked,
            })
        })
        .collect();
    folders.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.path.cmp(&b.path)));
    let mut total: u64 = folders.iter().map(|f| f.bytes).sum();
    let mut removed = Vec::new();
    let mut remove = |f: &RunFolder, total: &mut u64| {
        if fs::remove_dir_all(&f.path).is_ok() || !f.path.exists() {
            *total = total.saturating_sub(f.bytes);
            removed.push(f.path.clone());
        }
    };
    let mut kept = Vec::new();
    for f in folders {
        let old = now.duration_since(f.created).unwrap_or_default() > keep.max_age;
        if active.contains(&f.path) {
            continue;
        }
        if old {
            remove(&f, &mut total);
        } else if !f.locked {
            kept.push(f);
        }
    }
    for f in &kept {
        if total <= keep.max_bytes {
            break;
        }
        remove(f, &mut total);
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(out: &Path, name: &str, age_hours: u64, bytes: usize) -> PathBuf {
        let path = out.join(name);
        create_run_folder(&path, 1, "tiny-conflict").unwrap();
        let created = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() - age_hours * 3600;
        let marker = path.join(MARKER);
        let text = fs::read_to_string(&marker).unwrap();
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value["created_unix"] = json!(created);
        fs::write(&marker, value.to_string()).unwrap();
        fs::create_dir_all(path.join("w")).unwrap();
        fs::write(path.join("w/outcomes.csv"), vec![b'x'; bytes]).unwrap();
        path
    }

    #[test]
    fn old_and_oversized_runs_go_oldest_first_and_nothing_else() {
        let out = std::env::temp_dir().join(format!("peacesim-housekeeping-{}", std::process::id()));
        let _ = fs::remove_dir_all(&out);
        fs::create_dir_all(&out).unwrap();
        let ancient = folder(&out, "run-a", 30, 10);
        let old_active = folder(&out, "run-b", 40, 10);
        let older = folder(&out, "run-c", 5, 1000);
        let newer = folder(&out, "run-d", 1, 1000);
        let newest = folder(&out, "run-e", 0, 1000);
        // Not ours: no marker, a marker without the key, a link to a run folder, another name.
        fs::create_dir_all(out.join("run-mine")).unwrap();
        fs::write(out.join("run-mine/data.csv"), vec![b'y'; 5000]).unwrap();
        fs::create_dir_all(out.join("run-fake")).unwrap();
        fs::write(out.join("run-fake").join(MARKER), r#"{"created_unix": 0}"#).unwrap();
        let other = folder(&out, "notes", 100, 10);
        std::os::unix::fs::symlink(&ancient, out.join("run-link")).unwrap();
        let keep = Keep {
            max_age: Duration::from_secs(24 * 3600),
            max_bytes: 3000,
        };
        let active = BTreeSet::from([old_active.clone()]);
        let removed = clean(&out, &keep, &active, SystemTime::now());
        assert_eq!(removed, vec![ancient.clone(), older.clone()]);
        for gone in [&ancient, &older] {
            assert!(!gone.exists());
        }
        for kept in [&old_active, &newer, &newest, &other] {
            assert!(kept.exists(), "{}", kept.display());
        }
        assert!(out.join("run-mine/data.csv").exists() && out.join("run-fake").exists());
        assert!(
            fs::symlink_metadata(out.join("run-link")).is_ok(),
            "a link is not followed nor removed"
        );
        fs::remove_dir_all(&out).unwrap();
    }
}
