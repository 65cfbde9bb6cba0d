//! `manifest.json`: what produced a directory, and whether it is complete.
//!
//! The manifest is written last, after every other file is flushed and closed; its final field
//! is `"complete": true`. Commands that read output directories (plot, merge, compare) refuse a
//! directory without a complete manifest.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldError, Result};
use crate::scenario::Source;

/// The scenario a directory came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioRef {
    /// File as given.
    pub file: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Overrides applied, as `path=value`.
    pub overrides: Vec<String>,
}

impl ScenarioRef {
    /// The manifest's description of where a scenario came from.
    #[must_use]
    pub fn of(source: &Source) -> Self {
        Self {
            file: source.file.clone(),
            sha256: source.sha256.clone(),
            overrides: source.overrides.clone(),
        }
    }
}

/// One file of a directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// File name.
    pub name: String,
    /// Data rows (header excluded).
    pub rows: u64,
    /// Size in bytes, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// SHA-256 of the bytes (lower-case hex), when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl FileEntry {
    /// A file with `rows` data rows (size and hash not recorded).
    #[must_use]
    pub fn new(name: impl Into<String>, rows: u64) -> Self {
        Self {
            name: name.into(),
            rows,
            bytes: None,
            sha256: None,
        }
    }
}

/// The commit the binary was built from (see `build.rs`).
pub const COMMIT: &str = env!("PEACESIM_COMMIT");

/// What `--version` prints: the package version and the commit.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("PEACESIM_COMMIT"), ")");

/// A directory's manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// peacesim version that wrote it.
    pub peacesim_version: String,
    /// Commit of the model that wrote it (`-modified` if the tree differed from it; `unknown`
    /// outside a git checkout; empty in manifests written before it was recorded).
    #[serde(default)]
    pub peacesim_commit: String,
    /// `run`, `ensemble`, `sweep`, `comparison`, `whatif` or `check`.
    pub kind: String,
    /// Scenario, if one.
    pub scenario: Option<ScenarioRef>,
    /// Run seed (single runs) or master seed (experiments).
    pub seed: u64,
    /// Ticks per run.
    pub ticks: u32,
    /// Worker threads used (for information: outputs do not depend on it).
    pub threads: usize,
    /// Command line.
    pub command: String,
    /// Start time, RFC 3339 UTC.
    pub started_at: String,
    /// End time, RFC 3339 UTC.
    pub finished_at: String,
    /// Files written.
    pub files: Vec<FileEntry>,
    /// Kind-specific details (seeds of replicates, design, arms...).
    #[serde(default)]
    pub details: serde_json::Value,
    /// Whether the directory is complete. Always written last.
    pub complete: bool,
}

/// Size and SHA-256 (lower-case hex) of a file, read in blocks.
///
/// # Errors
/// The I/O error if it cannot be read.
pub fn file_digest(path: &Path) -> std::io::Result<(u64, String)> {
    use sha2::Digest as _;
    use std::io::Read as _;
    let mut file = fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0_u8; 1 << 16];
    let mut bytes = 0_u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((bytes, hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()))
}

impl Manifest {
    /// Writes the manifest into `dir` (after every other file). A complete manifest records
    /// each listed file's size and SHA-256, for `peacesim verify` (an entry that already carries
    /// them, measured by the writer just before, keeps them). The text goes to
    /// `manifest.json.partial`, is flushed to disk, and is renamed over `manifest.json`: a kill
    /// or a full disk while it is written leaves the previous manifest, never a cut one (which
    /// would make an interrupted experiment impossible to resume).
    ///
    /// # Errors
    /// [`Error::Write`] if the file cannot be written; [`Error::Read`] if a listed file cannot
    /// be read to hash it.
    pub fn write(&self, dir: &Path) -> Result<()> {
        use std::io::Write as _;
        let path = dir.join("manifest.json");
        let mut manifest = self.clone();
        if manifest.complete {
            for f in &mut manifest.files {
                let file = dir.join(&f.name);
                if file.is_file() && (f.bytes.is_none() || f.sha256.is_none()) {
                    let (bytes, sha) = file_digest(&file).map_err(|source| Error::Read { path: file, source })?;
                    f.bytes = Some(bytes);
                    f.sha256 = Some(sha);
                }
            }
        }
        let mut text = serde_json::to_string_pretty(&manifest).expect("a manifest always serialises");
        text.push('\n');
        let staged = dir.join("manifest.json.partial");
        let written = fs::File::create(&staged)
            .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
            .and_then(|()| fs::rename(&staged, &path));
        written.map_err(|source| {
            // NOTE: best effort; a leftover `manifest.json.partial` is replaced next time.
            let _ = fs::remove_file(&staged);
            Error::Write { path, source }
        })
    }
}

/// Reads a directory's manifest.
///
/// # Errors
/// [`Error::Read`] or [`Error::Parse`].
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join("manifest.json");
    let text = fs::read_to_string(&path).map_err(|source| Error::Read {
        path: path.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Parse {
        path,
        errors: std::iter::once(FieldError {
            path: String::new(),
            line: Some(e.line()),
            message: e.to_string(),
        })
        .collect(),
    })
}

/// Reads a directory's manifest and checks that the directory is complete.
///
/// # Errors
/// [`Error::Output`] naming the directory if the manifest is missing or incomplete.
pub fn require_complete(dir: &Path) -> Result<Manifest> {
    if !dir.join("manifest.json").exists() {
        return Err(Error::Output {
            path: PathBuf::from(dir),
            message: "no manifest.json: this is not a complete peacesim output directory (an interrupted run, or the wrong path)".into(),
        });
    }
    let m = read_manifest(dir)?;
    if !m.complete {
        return Err(Error::Output {
            path: PathBuf::from(dir),
            message: "manifest.json says the directory is incomplete".into(),
        });
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(complete: bool) -> Manifest {
        Manifest {
            peacesim_version: "0.1.0".into(),
            peacesim_commit: String::new(),
            kind: "sweep".into(),
            scenario: None,
            seed: 1,
            ticks: 2,
            threads: 1,
            command: "peacesim sweep plan.toml".into(),
            started_at: String::new(),
            finished_at: String::new(),
            files: Vec::new(),
            details: serde_json::Value::Null,
            complete,
        }
    }

    #[test]
    fn a_manifest_that_cannot_be_written_whole_leaves_the_previous_one() {
        let dir = std::env::temp_dir().join(format!("peacesim-manifest-atomic-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        manifest(false).write(&dir).unwrap();
        let before = fs::read_to_string(dir.join("manifest.json")).unwrap();
        assert!(!dir.join("manifest.json.partial").exists(), "renamed into place");
        // The new text cannot be written (here: its staging name is taken by a directory; a
        // full disk fails the same way): the previous manifest stays whole and readable.
        fs::create_dir(dir.join("manifest.json.partial")).unwrap();
        assert!(manifest(true).write(&dir).is_err());
        assert_eq!(fs::read_to_string(dir.join("manifest.json")).unwrap(), before);
        assert!(!read_manifest(&dir).unwrap().complete);
        fs::remove_dir_all(&dir).unwrap();
    }
}
