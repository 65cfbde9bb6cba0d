//! What gets written and drawn: run directories, CSV tables, manifests, a run's outcomes, the
//! headline outcomes' words, and figures.
//!
//! A run writes into a temporary sibling directory (`.<name>.partial`) and renames it into
//! place only when every file is complete and flushed, with `manifest.json` (`"complete": true`)
//! written last. An interrupted or failed run therefore never leaves a directory that looks
//! complete; readers check the manifest before trusting a directory. Staging directories left
//! by killed runs (of this machine and PID namespace, whose process is gone; see [`writer`]) are
//! removed by the next run into the same parent.

pub mod columnar;
pub mod csv;
pub mod headline;
pub mod manifest;
pub mod outcomes;
pub mod plot;
pub mod writer;

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub use manifest::{Manifest, read_manifest, require_complete};
pub use plot::{Format, Look, PlotOptions, Style, Width, plot_dir};
pub use writer::host_name;

/// A directory being written: files go into a temporary sibling until [`StagedDir::commit`].
#[derive(Debug)]
pub struct StagedDir {
    final_path: PathBuf,
    temp_path: PathBuf,
    force: bool,
    committed: bool,
    /// The claim on `final_path`, held until the directory is in place (or abandoned): a run
    /// with `--force` must not replace a directory another process is writing.
    _lock: OutputLock,
}

/// Removes the staging directories (`.NAME.partial-HOST-PID-KEY-TOKEN`, see
/// [`writer::writer_id`]) that killed runs left in `parent`: only those whose writer is known to
/// be gone (of this machine and PID namespace, process not running; see [`writer::gone`]). A
/// staging directory of a running writer, of another host or container (even one of the same
/// host name and process id), or of an older version that recorded no machine key, is left
/// alone. Best effort: returns the directories removed.
pub fn remove_stale_staging(parent: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = fs::read_dir(parent) else {
        return removed;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(at) = name.rfind(".lock.new-").filter(|_| name.starts_with('.'))
            && let Some(("", pid, key, token)) = writer::split_writer_id(&name[at + ".lock.new-".len()..])
            && e.file_type().is_ok_and(|t| t.is_file())
            && writer::gone(pid, key, token)
        {
            // A lock's text staged by a writer killed before it linked it (see `create_whole`).
            let _ = fs::remove_file(e.path());
            continue;
        }
        let Some(at) = name.rfind(".partial-").filter(|_| name.starts_with('.')) else {
            continue;
        };
        let Some((_host, pid, key, token)) = writer::split_writer_id(&name[at + ".partial-".len()..]) else {
            continue;
        };
        if e.file_type().is_ok_and(|t| t.is_dir()) && writer::gone(pid, key, token) && fs::remove_dir_all(e.path()).is_ok() {
            removed.push(e.path());
        }
    }
    removed
}

/// An exclusive claim on an output directory, held while one process writes it: a lock file
/// beside the directory (`.NAME.lock`), created atomically (`create_new`, which shared file
/// systems honour), naming the host, the process and the start time for people, and the
/// writer id ([`writer::writer_id`]) that tells whether the holder is gone. Removed when
/// dropped (only while it is still this process's).
#[derive(Debug)]
pub struct OutputLock {
    path: PathBuf,
    id_line: String,
}

/// The `writer PID-KEY-TOKEN` line of a lock file's text, parsed.
fn lock_writer(text: &str) -> Option<(u32, String, String)> {
    let id = text.lines().find_map(|l| l.strip_prefix("writer "))?.trim();
    let (_, pid, key, token) = writer::split_writer_id(id)?;
    Some((pid, key.to_string(), token.to_string()))
}

impl OutputLock {
    /// Claims `dir` for this process.
    ///
    /// # Errors
    /// [`Error::Output`] naming the holder when another process holds the claim;
    /// [`Error::Write`] if the lock file cannot be created.
    pub fn acquire(dir: &Path) -> Result<Self> {
        let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|source| Error::Write {
            path: parent.to_path_buf(),
            source,
        })?;
        let name = dir.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let path = parent.join(format!(".{name}.lock"));
        let id_line = format!("writer {}", writer::writer_id());
        let me = format!(
            "host {}, process {}, since {}\n{id_line}\n",
            host_name(),
            std::process::id(),
            utc_now()
        );
        for attempt in 0..2 {
            match create_whole(&path, &me) {
                Ok(()) => return Ok(Self { path, id_line }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = fs::read_to_string(&path).unwrap_or_default();
                    // A lock whose writer is known to be gone (this machine and PID namespace,
                    // process not running) is stale; a holder of the same host name elsewhere,
                    // or one that recorded no writer id, is not ours to judge.
                    let stale = lock_writer(&holder).is_some_and(|(pid, key, token)| writer::gone(pid, &key, &token));
                    if stale && attempt == 0 && take_aside_if_unchanged(&path, &holder) {
                        continue;
                    }
                    return Err(Error::Output {
                        path: dir.to_path_buf(),
                        message: held_message(&path, &holder),
                    });
                }
                Err(source) => return Err(Error::Write { path, source }),
            }
        }
        Err(Error::Output {
            path: dir.to_path_buf(),
            message: format!("could not claim it: remove {} if no peacesim is writing it", path.display()),
        })
    }
}

/// Creates the lock file `path` holding `text`, whole or not at all: the text is written and
/// flushed under a name of this process's, then hard-linked to `path` (atomic, and failing with
/// `AlreadyExists` when `path` exists, on local and network file systems alike). A lock
/// created empty and written after (as older versions did) stays empty when its process is
/// killed in between, and then claims the directory with no holder to judge. Where hard links
/// are not supported, the lock is created with `create_new` and written after.
fn create_whole(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let staged = path.with_file_name(format!(
        "{}.new-{}",
        path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        writer::writer_id()
    ));
    let written = fs::File::create(&staged).and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()));
    let linked = written.map(|()| fs::hard_link(&staged, path));
    let _ = fs::remove_file(&staged);
    match linked? {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists && !path.exists() => {
            // No hard links here: create, write, and remove it again if it cannot be whole.
            let mut f = fs::OpenOptions::new().write(true).create_new(true).open(path)?;
            let whole = f.write_all(text.as_bytes()).and_then(|()| f.sync_all());
            if whole.is_err() {
                let _ = fs::remove_file(path);
            }
            whole
        }
        other => other,
    }
}

/// Why `dir` cannot be claimed while `lock` holds `holder`, and what to do.
///
/// A lock without a writer line (written by a version before writer ids, or left empty by a
/// process killed between creating and writing it) is never taken over automatically: whether
/// its writer is gone cannot be told safely. Its host name and process id may belong to another
/// machine or container sharing the file system, and neither a dead process of that id here nor
/// a lock older than this machine's start rules that out. The message says which file to delete
/// and when, with what can be seen from here.
fn held_message(lock: &Path, holder: &str) -> String {
    let who = holder.lines().next().unwrap_or("").trim();
    if lock_writer(holder).is_some() {
        return format!(
            "is being written by another peacesim ({who}); wait for it to finish, or remove {} if that process is gone",
            lock.display()
        );
    }
    if who.is_empty() {
        return format!(
            "is claimed by an empty lock file {} (left by an older peacesim killed while taking it, or one taking it at this moment); \
             it is not removed automatically: if no peacesim is writing this directory, delete {} and run again",
            lock.display(),
            lock.display()
        );
    }
    // What can be seen from here, to help decide; never enough to decide alone.
    let mut seen = String::new();
    let old_holder = who
        .strip_prefix("host ")
        .and_then(|rest| rest.split_once(", process "))
        .and_then(|(host, rest)| Some((host, rest.split(',').next()?.trim().parse::<u32>().ok()?)));
    if let Some((host, pid)) = old_holder
        && host == host_name()
    {
        let running = Path::new(&format!("/proc/{pid}")).exists();
        seen = format!(
            "; on this host process {pid} is {}",
            if running { "running" } else { "not running" }
        );
        let written = fs::metadata(lock)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs());
        if let (Some(written), Some(boot)) = (written, writer::boot_time())
            && written < boot
        {
            seen.push_str(&format!(
                ", and the lock was written before this machine last started ({})",
                format_utc(boot)
            ));
        }
    }
    format!(
        "is claimed by {} ({who}), a lock of an older peacesim that records no writer id, so whether its writer is gone \
         cannot be told safely (a machine or container sharing this file system may have the same host name and process id){seen}; \
         it is not removed automatically: if no peacesim is writing this directory, delete {} and run again",
        lock.display(),
        lock.display()
    )
}

/// Removes a stale lock file, but only if it still holds `judged` (the text found stale): two
/// processes taking over the same stale lock at once must not remove the lock the first of them
/// has just made. The lock is renamed aside first (atomic), read again, and put back when it
/// turns out to be a new holder's.
fn take_aside_if_unchanged(path: &Path, judged: &str) -> bool {
    let aside = path.with_file_name(format!(
        "{}.stale-{}",
        path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        writer::process_token()
    ));
    if fs::rename(path, &aside).is_err() {
        return false;
    }
    let found = fs::read_to_string(&aside).unwrap_or_default();
    if found == judged {
        let _ = fs::remove_file(&aside);
        true
    } else {
        // A new holder's lock: put it back (a hard link fails rather than replace a lock made
        // meanwhile), then drop the aside name.
        let _ = fs::hard_link(&aside, path);
        let _ = fs::remove_file(&aside);
        false
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // NOTE: best effort; a lock left behind by a killed process is detected as stale. Only
        // our own lock is removed.
        if fs::read_to_string(&self.path).is_ok_and(|t| t.lines().any(|l| l == self.id_line)) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Whether `dir` may be replaced with `--force`: it is empty, or peacesim wrote it (its
/// `manifest.json` names a peacesim version, or it holds only an experiment's `shards/`).
/// Anything else (the current directory, a project, someone's data) is never deleted.
///
/// # Errors
/// [`Error::Output`] naming the directory and the rule when it is not ours;
/// [`Error::Write`] if it cannot be listed.
pub fn ensure_replaceable(dir: &Path) -> Result<()> {
    let mut entries = fs::read_dir(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    if entries.next().is_none() {
        return Ok(());
    }
    let ours = fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|m| m.get("peacesim_version").is_some_and(serde_json::Value::is_string));
    let only_shards = fs::read_dir(dir)
        .map(|mut e| e.all(|e| e.is_ok_and(|e| e.file_name() == "shards")))
        .unwrap_or(false);
    if ours || only_shards {
        Ok(())
    } else {
        Err(Error::Output {
            path: dir.to_path_buf(),
            message:
                "is not a peacesim output (no manifest.json written by peacesim), so --force will not replace it; choose another --out"
                    .into(),
        })
    }
}

/// Refuses an output location that is a symbolic link to nothing (a dangling `--out`): found
/// before the run starts rather than when the finished output cannot be moved there.
///
/// # Errors
/// [`Error::Output`] naming the link and its missing target.
pub fn check_out_path(path: &Path) -> Result<()> {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link && fs::metadata(path).is_err() {
        let target = fs::read_link(path).map_or_else(|_| "?".into(), |t| t.display().to_string());
        return Err(Error::Output {
            path: path.to_path_buf(),
            message: format!("is a symbolic link to {target}, which does not exist; create it, remove the link, or choose another --out"),
        });
    }
    Ok(())
}

impl StagedDir {
    /// Prepares to write `final_path`.
    ///
    /// # Errors
    /// [`Error::Output`] if `final_path` exists and `force` is false, or is a file, or is a
    /// dangling symbolic link;
    /// [`Error::Write`] if the temporary directory cannot be created (unwritable location).
    pub fn create(final_path: &Path, force: bool) -> Result<Self> {
        check_out_path(final_path)?;
        // One writer at a time: an experiment (or another run) writing `final_path` now is
        // never replaced under it.
        let lock = OutputLock::acquire(final_path)?;
        if final_path.exists() {
            if !final_path.is_dir() {
                return Err(Error::Output {
                    path: final_path.to_path_buf(),
                    message: "exists and is not a directory".into(),
                });
            }
            if !force {
                return Err(Error::Output {
                    path: final_path.to_path_buf(),
                    message: "output directory already exists; use --force to replace it, or --out to choose another".into(),
                });
            }
            ensure_replaceable(final_path)?;
        }
        let parent = final_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|source| Error::Write {
            path: parent.to_path_buf(),
            source,
        })?;
        // Staging directories of killed runs into this parent are cleaned up here.
        remove_stale_staging(parent);
        let name = final_path
            .file_name()
            .map_or_else(|| "run".into(), |n| n.to_string_lossy().into_owned());
        // Unique across hosts and PID namespaces sharing the file system (containers may all be
        // process 1 on hosts of one name): the writer id holds a random token of this process;
        // a second staging directory of the same name in this process gets a count after the
        // host. Never one that exists: `create_dir` fails rather than reuse it.
        let host = host_name();
        let mut k = 0_u32;
        let temp_path = loop {
            let who = if k == 0 { host.clone() } else { format!("{host}.{k}") };
            let candidate = parent.join(format!(".{name}.partial-{who}-{}", writer::writer_id()));
            match fs::create_dir(&candidate) {
                Ok(()) => break candidate,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && k < 1000 => k += 1,
                Err(source) => {
                    return Err(Error::Write { path: candidate, source });
                }
            }
        };
        Ok(Self {
            final_path: final_path.to_path_buf(),
            temp_path,
            force,
            committed: false,
            _lock: lock,
        })
    }

    /// Where files are being written now.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.temp_path
    }

    /// The directory's final location.
    #[must_use]
    pub fn final_path(&self) -> &Path {
        &self.final_path
    }

    /// Moves the finished directory into place (replacing an old one when forced).
    ///
    /// # Errors
    /// [`Error::Write`] if the rename fails.
    pub fn commit(mut self) -> Result<PathBuf> {
        if self.final_path.exists() && self.force {
            let old = self.final_path.with_file_name(format!(
                ".{}.old-{}",
                self.final_path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                writer::writer_id()
            ));
            fs::rename(&self.final_path, &old).map_err(|source| Error::Write {
                path: self.final_path.clone(),
                source,
            })?;
            fs::rename(&self.temp_path, &self.final_path).map_err(|source| Error::Write {
                path: self.final_path.clone(),
                source,
            })?;
            fs::remove_dir_all(&old).map_err(|source| Error::Write { path: old, source })?;
        } else {
            fs::rename(&self.temp_path, &self.final_path).map_err(|source| Error::Write {
                path: self.final_path.clone(),
                source,
            })?;
        }
        self.committed = true;
        Ok(self.final_path.clone())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            // NOTE: best effort; a partial directory is hidden and named `.partial` anyway.
            let _ = fs::remove_dir_all(&self.temp_path);
        }
    }
}

/// Default run directory: `outputs/<scenario-stem>/seed-<seed>`.
#[must_use]
pub fn default_run_dir(scenario_path: &Path, seed: u64) -> PathBuf {
    let stem = scenario_path
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from("outputs").join(stem).join(format!("seed-{seed}"))
}

/// Current UTC time as RFC 3339 (`2026-11-28T20:19:00Z`), without a time-zone library.
#[must_use]
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs)
}

/// Formats seconds since the Unix epoch as RFC 3339 UTC.
#[must_use]
pub fn format_utc(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    #[expect(clippy::cast_possible_wrap, reason = "dates far below i64::MAX days")]
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formatting_matches_known_dates() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn a_stale_lock_is_removed_only_while_it_holds_what_was_judged_stale() {
        let root = std::env::temp_dir().join(format!("peacesim-lock-aside-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let lock = root.join(".ens.lock");
        // Another process replaced the stale lock with its own between our read and our removal.
        fs::write(&lock, "host h, process 2, since now\nwriter new\n").unwrap();
        assert!(!take_aside_if_unchanged(&lock, "host h, process 1, since then\n"));
        assert_eq!(fs::read_to_string(&lock).unwrap(), "host h, process 2, since now\nwriter new\n");
        assert_eq!(fs::read_dir(&root).unwrap().count(), 1, "nothing left aside");
        assert!(take_aside_if_unchanged(&lock, "host h, process 2, since now\nwriter new\n"));
        assert!(!lock.exists());
        // A held lock is removed on drop only while it is still this process's.
        let dir = root.join("ens");
        let held = OutputLock::acquire(&dir).unwrap();
        assert!(OutputLock::acquire(&dir).is_err(), "one writer at a time, even in one process");
        fs::write(&lock, "host h, process 3, since now\nwriter other\n").unwrap();
        drop(held);
        assert!(lock.exists(), "another holder's lock is not removed");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_lock_without_a_writer_line_is_never_taken_over_and_the_message_says_which_file_to_delete() {
        let root = std::env::temp_dir().join(format!("peacesim-old-lock-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let dir = root.join("ens");
        let lock = root.join(".ens.lock");
        let refused = |text: &str, written: Option<std::time::SystemTime>| {
            fs::write(&lock, text).unwrap();
            if let Some(at) = written {
                fs::File::options().write(true).open(&lock).unwrap().set_modified(at).unwrap();
            }
            let Err(Error::Output { message, .. }) = OutputLock::acquire(&dir) else {
                panic!("a lock holding {text:?} was taken over");
            };
            assert_eq!(fs::read_to_string(&lock).unwrap(), text, "the lock is left as it was");
            assert!(message.contains(&format!("delete {} and run again", lock.display())), "{message}");
            message
        };
        // Of an older version, on this host, its process gone, written before this machine
        // started: all that can be seen says "left over", but a machine or container of the same
        // host name sharing the file system could still be writing: refused, saying why.
        let host = host_name();
        let text = format!("host {host}, process 4000000000, since 2020-01-01T00:00:00Z\n");
        let long_ago = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_577_836_800);
        let message = refused(&text, Some(long_ago));
        assert!(message.contains("older peacesim that records no writer id"), "{message}");
        assert!(message.contains("process 4000000000 is not running"), "{message}");
        if writer::boot_time().is_some() {
            assert!(message.contains("before this machine last started"), "{message}");
        }
        // Its process running here (this test's): refused, and the message says it runs.
        let message = refused(&format!("host {host}, process {}, since now\n", std::process::id()), None);
        assert!(message.contains(&format!("process {} is running", std::process::id())), "{message}");
        // Another host's: nothing can be seen from here.
        let message = refused("host elsewhere, process 1, since now\n", None);
        assert!(!message.contains("on this host"), "{message}");
        // Empty (a process killed between creating and writing it): refused, said as such.
        let message = refused("", None);
        assert!(message.contains("empty lock file"), "{message}");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_lock_is_created_whole_and_text_staged_by_a_killed_writer_is_cleaned_up() {
        let root = std::env::temp_dir().join(format!("peacesim-whole-lock-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let held = OutputLock::acquire(&root.join("ens")).unwrap();
        let text = fs::read_to_string(root.join(".ens.lock")).unwrap();
        assert!(text.ends_with(&format!("writer {}\n", writer::writer_id())), "{text}");
        assert_eq!(fs::read_dir(&root).unwrap().count(), 1, "only the lock: its staged text is gone");
        drop(held);
        // Text staged by a writer of this machine killed before linking it is removed by the next
        // run into the parent; a live writer's (this process's) is left.
        let key = writer::machine_key();
        let dead = root.join(format!(".ens.lock.new-4000000000-{key}-0123456789abcdef"));
        let live = root.join(format!(".ens.lock.new-{}", writer::writer_id()));
        fs::write(&dead, "x").unwrap();
        fs::write(&live, "x").unwrap();
        remove_stale_staging(&root);
        assert_eq!(dead.exists(), key == "unknown");
        assert!(live.exists());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_staging_directory_that_exists_is_neither_reused_nor_removed() {
        let root = std::env::temp_dir().join(format!("peacesim-staged-twice-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let target = root.join("run");
        // What this process would name its staging directory is taken (a leftover, or one of
        // another writer that drew the same name): another name is used, the other left alone.
        let taken = root.join(format!(".run.partial-{}-{}", host_name(), writer::writer_id()));
        fs::create_dir_all(&taken).unwrap();
        fs::write(taken.join("a.csv"), "x\n").unwrap();
        let staged = StagedDir::create(&target, false).unwrap();
        assert_ne!(staged.path(), taken);
        let name = staged.path().file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.ends_with(&writer::writer_id()), "{name}");
        assert!(taken.join("a.csv").exists(), "the existing one is not reused or removed");
        // One writer at a time, even in one process.
        assert!(StagedDir::create(&target, true).is_err());
        drop(staged);
        assert!(StagedDir::create(&target, false).is_ok(), "the claim ends with the staging");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn staged_directories_appear_only_on_commit_and_refuse_overwrites() {
        let root = std::env::temp_dir().join(format!("peacesim-staged-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let target = root.join("run");
        let staged = StagedDir::create(&target, false).unwrap();
        fs::write(staged.path().join("a.csv"), "x\n").unwrap();
        fs::write(staged.path().join("manifest.json"), r#"{"peacesim_version": "0.1.0"}"#).unwrap();
        assert!(!target.exists());
        staged.commit().unwrap();
        assert!(target.join("a.csv").exists());
        assert!(matches!(StagedDir::create(&target, false), Err(Error::Output { .. })));
        {
            let dropped = StagedDir::create(&target, true).unwrap();
            fs::write(dropped.path().join("b.csv"), "y\n").unwrap();
        }
        assert!(target.join("a.csv").exists(), "an abandoned rewrite leaves the old run intact");
        let foreign = root.join("foreign");
        fs::create_dir_all(&foreign).unwrap();
        fs::write(foreign.join("data.csv"), "mine\n").unwrap();
        assert!(matches!(StagedDir::create(&foreign, true), Err(Error::Output { .. })));
        assert!(foreign.join("data.csv").exists());
        fs::remove_dir_all(&root).unwrap();
    }
}
