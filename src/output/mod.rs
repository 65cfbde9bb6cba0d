//! What gets written and drawn: run directories, CSV tables, manifests, a run's outcomes, the
//! headline outcomes' words, and figures.
//!
//! A run writes into a temporary sibling directory (`.<name>.partial`) and renames it into
//! place only when every file is complete and flushed, with `manifest.json` (`"complete": true`)
//! written last. An interrupted or failed run therefore never leaves a directory that looks
//! complete; readers check the manifest before trusting a directory.

pub mod csv;
pub mod headline;
pub mod manifest;
pub mod outcomes;
pub mod plot;

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub use manifest::{Manifest, read_manifest, require_complete};
pub use plot::{Format, PlotOptions, plot_dir};

/// A directory being written: files go into a temporary sibling until [`StagedDir::commit`].
#[derive(Debug)]
pub struct StagedDir {
    final_path: PathBuf,
    temp_path: PathBuf,
    force: bool,
    committed: bool,
}

impl StagedDir {
    /// Prepares to write `final_path`.
    ///
    /// # Errors
    /// [`Error::Output`] if `final_path` exists and `force` is false, or is a file;
    /// [`Error::Write`] if the temporary directory cannot be created (unwritable location).
    pub fn create(final_path: &Path, force: bool) -> Result<Self> {
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
        }
        let parent = final_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|source| Error::Write {
            path: parent.to_path_buf(),
            source,
        })?;
        let name = final_path
            .file_name()
            .map_or_else(|| "run".into(), |n| n.to_string_lossy().into_owned());
        let temp_path = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if temp_path.exists() {
            fs::remove_dir_all(&temp_path).map_err(|source| Error::Write {
                path: temp_path.clone(),
                source,
            })?;
        }
        fs::create_dir(&temp_path).map_err(|source| Error::Write {
            path: temp_path.clone(),
            source,
        })?;
        Ok(Self {
            final_path: final_path.to_path_buf(),
            temp_path,
            force,
            committed: false,
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
                std::process::id()
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
    fn staged_directories_appear_only_on_commit_and_refuse_overwrites() {
        let root = std::env::temp_dir().join(format!("peacesim-staged-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let target = root.join("run");
        let staged = StagedDir::create(&target, false).unwrap();
        fs::write(staged.path().join("a.csv"), "x\n").unwrap();
        assert!(!target.exists());
        staged.commit().unwrap();
        assert!(target.join("a.csv").exists());
        assert!(matches!(StagedDir::create(&target, false), Err(Error::Output { .. })));
        {
            let dropped = StagedDir::create(&target, true).unwrap();
            fs::write(dropped.path().join("b.csv"), "y\n").unwrap();
        }
        assert!(target.join("a.csv").exists(), "an abandoned rewrite leaves the old run intact");
        fs::remove_dir_all(&root).unwrap();
    }
}
