//! The worker pool an experiment runs on, and how it reports progress.
//!
//! Pools are built per call, never the global one, so that a library caller's threads setting
//! holds; progress goes through the [`Progress`] trait (the binary draws a bar, the dashboard
//! counts, tests ignore it). Nothing here knows what is run.

use crate::error::{Error, Result};

/// Receives progress of an experiment (the binary draws a bar; tests ignore it).
pub trait Progress: Sync {
    /// Called once with the runs of this shard and those already done.
    fn start(&self, _total: u64, _done: u64) {}
    /// Called after each batch with the runs it completed.
    fn advance(&self, _runs: u64) {}
    /// Called when every run is done.
    fn finish(&self) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}

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

/// Caps a requested worker count at four per available core: more only adds threads that wait
/// (outputs do not depend on the count), and `--threads 100000` would spawn threads until the
/// system refuses. Returns the count to use and, when capped, what to tell the user.
#[must_use]
pub fn cap_threads(requested: usize) -> (usize, Option<String>) {
    let cores = effective_threads(0);
    let cap = cores.saturating_mul(4).max(1);
    if requested > cap {
        (
            cap,
            Some(format!(
                "--threads {requested} is more than 4 per available core ({cores} cores); using {cap} (outputs do not depend on it)"
            )),
        )
    } else {
        (requested, None)
    }
}
