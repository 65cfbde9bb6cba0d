//! Reading input files (scenarios, plans, design tables, manifests) with a size limit enforced
//! while reading: `/dev/zero`, a named pipe or a runaway file is refused after `limit` bytes,
//! never read until memory runs out.
//!
//! Foundations: knows nothing about what the bytes mean.

use std::io::Read as _;
use std::path::Path;

use crate::error::{Error, FieldError, Result};

/// Reads at most `limit` bytes of `path`.
///
/// # Errors
/// [`Error::Read`] if the file cannot be opened or read (a directory, a missing file);
/// [`Error::Parse`] naming the limit if it holds more than `limit` bytes.
pub fn read_limited(path: &Path, limit: usize) -> Result<Vec<u8>> {
    let read_err = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1).read_to_end(&mut bytes).map_err(read_err)?;
    if bytes.len() > limit {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            errors: std::iter::once(FieldError {
                path: String::new(),
                line: None,
                message: format!("file is larger than the limit of {limit} bytes (stopped reading there)"),
            })
            .collect(),
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_file_is_refused_at_the_limit() {
        let err = read_limited(Path::new("/dev/zero"), 1000).unwrap_err().to_string();
        assert!(
            err.contains("/dev/zero") && err.contains("larger than the limit of 1000 bytes"),
            "{err}"
        );
        assert!(read_limited(Path::new("/dev/null"), 10).unwrap().is_empty());
    }
}
