//! What runs to do: a single run into a directory, and (later) replicates, sweeps, comparisons.
//!
//! This layer turns scenarios and options into runs of the engine and output directories. It
//! owns thread pools (built per call, never the global one) and the interruption check.

pub mod single;

use crate::error::{Error, Result};

/// Runs `f` on a rayon pool of `threads` workers (0 = all cores).
///
/// # Errors
/// [`Error::Usage`] if the pool cannot be built.
pub fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> Result<T> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {threads} worker threads: {e}")))?;
    Ok(pool.install(f))
}

/// Number of worker threads a pool of `threads` (0 = all cores) has.
#[must_use]
pub fn effective_threads(threads: usize) -> usize {
    if threads == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        threads
    }
}
