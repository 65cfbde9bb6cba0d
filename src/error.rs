//! The crate's error type: everything a user can cause, with the file, field and rule named.
//!
//! Scenario problems are collected as [`FieldErrors`] so that validation reports all of them at
//! once. Broken internal invariants are bugs and panic instead; they never appear here.

use std::fmt;
use std::path::PathBuf;

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem in an input file: where it is and which rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Field path, e.g. `mission.policy.weights.health` or `localities[3].population`.
    pub path: String,
    /// 1-based line in the file, where known.
    pub line: Option<usize>,
    /// The rule broken, e.g. `must be in [0, 1], got 1.7`.
    pub message: String,
}

/// All problems found in one input, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// Records a problem at `path`.
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            path: path.into(),
            line: None,
            message: message.into(),
        });
    }

    /// Whether no problem was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of problems.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The problems, in order.
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// Fills in line numbers with `locate`, which maps a field path to a line.
    pub fn locate(&mut self, locate: impl Fn(&str) -> Option<usize>) {
        for e in &mut self.0 {
            if e.line.is_none() {
                e.line = locate(&e.path);
            }
        }
    }

    /// Formats every problem on its own line, each prefixed with `file`.
    #[must_use]
    pub fn render(&self, file: &str) -> String {
        let mut out = String::new();
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(file);
            out.push_str(": ");
            if let Some(line) = e.line {
                out.push_str(&format!("line {line}: "));
            }
            out.push_str(&e.path);
            out.push_str(": ");
            out.push_str(&e.message);
        }
        out
    }
}

impl FromIterator<FieldError> for FieldErrors {
    fn from_iter<I: IntoIterator<Item = FieldError>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// Everything that can go wrong for a caller of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file could not be read.
    #[error("{}: could not read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An input file is not valid TOML, CSV or JSON, or a value has the wrong type.
    #[error("{}: {}", path.display(), errors.render_bare())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The problem(s), with field path and line where known.
        errors: FieldErrors,
    },
    /// An input parsed but breaks validation rules; every problem is listed.
    #[error("{}", errors.render(&path.display().to_string()))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Every problem found.
        errors: FieldErrors,
    },
    /// An output could not be written.
    #[error("{}: could not write: {source}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An output location is unusable (exists without `--force`, is a file, is incomplete...).
    #[error("{}: {message}", path.display())]
    Output {
        /// The file or directory.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// A command-line value is invalid.
    #[error("{0}")]
    Usage(String),
    /// `peacesim check`: a validation pattern did not reproduce (the report is still written).
    #[error("{0}")]
    CheckFailed(String),
    /// The run was interrupted (SIGINT or SIGTERM); nothing was left looking complete.
    #[error("interrupted: {0}")]
    Interrupted(String),
}

impl FieldErrors {
    /// Formats the problems without a file prefix (the caller adds it once).
    #[must_use]
    pub fn render_bare(&self) -> String {
        let lines: Vec<String> = self
            .0
            .iter()
            .map(|e| {
                let mut s = String::new();
                if let Some(line) = e.line {
                    s.push_str(&format!("line {line}: "));
                }
                if !e.path.is_empty() {
                    s.push_str(&e.path);
                    s.push_str(": ");
                }
                s.push_str(&e.message);
                s
            })
            .collect();
        lines.join("\n")
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_bare())
    }
}

impl Error {
    /// Exit code for the binary: 1 for bad input, 2 for I/O and output problems, 130 when interrupted.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            // A pattern that does not reproduce exits 1, as issue 18 asks, so that scripts and CI
            // can rely on `peacesim check`.
            Self::Parse { .. } | Self::Invalid { .. } | Self::Usage(_) | Self::CheckFailed(_) => 1,
            Self::Read { .. } | Self::Write { .. } | Self::Output { .. } => 2,
            Self::Interrupted(_) => 130,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_tell_invalid_input_io_failed_checks_and_interruptions_apart() {
        assert_eq!(Error::Usage("x".into()).exit_code(), 1);
        assert_eq!(
            Error::Output {
                path: "o".into(),
                message: "m".into()
            }
            .exit_code(),
            2
        );
        assert_eq!(Error::CheckFailed("a pattern".into()).exit_code(), 1);
        assert_eq!(Error::Interrupted("sigint".into()).exit_code(), 130);
    }
}
