//! The dashboard's runs: one at a time in a background thread, cancellable, with progress.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::experiment::pool::{Progress, with_threads};
use crate::experiment::runner::{ExecOptions, execute};
use crate::experiment::single::{RunOptions, run_to_dir};
use crate::experiment::whatif::analysis::analyse;
use crate::experiment::whatif::render::{render_text, table};
use crate::experiment::whatif::request::{AS_IS, Prepared, Request, WHAT_IF, dir_name, prepare};
use crate::output::plot::{PlotOptions, plot_dir};

/// Where a run is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    /// Running.
    Running,
    /// Finished; the result is ready.
    Done,
    /// Stopped by the user or by a newer run.
    Cancelled,
    /// Failed with this message.
    Failed(String),
}

struct Job {
    state: JobState,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    dir: PathBuf,
    result: Option<Value>,
    /// Files the page may download: name (relative to `dir`) -> path.
    files: BTreeMap<String, PathBuf>,
}

/// The runs of this server.
pub struct Jobs {
    out: PathBuf,
    threads: usize,
    next: AtomicU64,
    jobs: Arc<Mutex<BTreeMap<u64, Job>>>,
}

struct Counter {
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
}

impl Progress for Counter {
    fn start(&self, total: u64, done: u64) {
        // Two extra runs draw the maps of both arms.
        self.total.store(total + 2, Ordering::SeqCst);
        self.done.store(done, Ordering::SeqCst);
    }
    fn advance(&self, runs: u64) {
        self.done.fetch_add(runs, Ordering::SeqCst);
    }
}

impl Jobs {
    /// Runs write under `out`, on `threads` workers (0 = all cores).
    #[must_use]
    pub fn new(out: PathBuf, threads: usize) -> Self {
        Self {
            out,
            threads,
            next: AtomicU64::new(1),
            jobs: Arc::new(Mutex::new(BTreeMap::new())),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Job>> {
        // A panic in a run thread is caught there; the map itself stays consistent.
        self.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Validates and starts a run, cancelling any that is running; returns its id.
    ///
    /// # Errors
    /// The what-if's validation errors (bad values, no changes).
    pub fn start(&self, request: Request) -> Result<u64> {
        let prepared = prepare(&request)?;
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        let dir = self.out.join(format!("run-{id}-{}", dir_name(&prepared.experiment)));
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicU64::new(0));
        let total = Arc::new(AtomicU64::new(2 * u64::from(request.replicates) + 2));
        {
            let mut jobs = self.lock();
            for job in jobs.values_mut().filter(|j| j.state == JobState::Running) {
                job.stop.store(true, Ordering::SeqCst);
            }
            jobs.insert(
                id,
                Job {
                    state: JobState::Running,
                    stop: Arc::clone(&stop),
                    done: Arc::clone(&done),
                    total: Arc::clone(&total),
                    dir: dir.clone(),
                    result: None,
                    files: BTreeMap::new(),
                },
            );
        }
        let jobs = Arc::clone(&self.jobs);
        let threads = self.threads;
        std::thread::spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                run_job(&prepared, &dir, threads, &stop, &Counter { done, total })
            }))
            .unwrap_or_else(|_| Err(Error::Usage("the run failed unexpectedly".into())));
            let mut jobs = jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(job) = jobs.get_mut(&id) {
                match outcome {
                    Ok((result, files)) => {
                        job.state = JobState::Done;
                        job.result = Some(result);
                        job.files = files;
                    }
                    Err(Error::Interrupted(_)) => job.state = JobState::Cancelled,
                    Err(e) => job.state = JobState::Failed(e.to_string()),
                }
            }
        });
        Ok(id)
    }

    /// Asks a run to stop; false if there is no such run.
    pub fn cancel(&self, id: u64) -> bool {
        self.lock().get(&id).is_some_and(|j| {
            j.stop.store(true, Ordering::SeqCst);
            true
        })
    }

    /// Stops every run (the server is shutting down).
    pub fn cancel_all(&self) {
        for job in self.lock().values() {
            job.stop.store(true, Ordering::SeqCst);
        }
    }

    /// State, progress and, when done, the result of a run.
    #[must_use]
    pub fn status(&self, id: u64) -> Option<Value> {
        let jobs = self.lock();
        let job = jobs.get(&id)?;
        let (state, message) = match &job.state {
            JobState::Running => ("running", None),
            JobState::Done => ("done", None),
            JobState::Cancelled => ("cancelled", None),
            JobState::Failed(m) => ("failed", Some(m.clone())),
        };
        Some(json!({
            "id": id,
            "state": state,
            "error": message,
            "done": job.done.load(Ordering::SeqCst),
            "total": job.total.load(Ordering::SeqCst),
            "dir": job.dir.display().to_string(),
            "result": job.result,
        }))
    }

    /// A file a finished run wrote, if `name` is one of those it lists (never any other path).
    #[must_use]
    pub fn file(&self, id: u64, name: &str) -> Option<(Vec<u8>, &'static str)> {
        let path = self.lock().get(&id)?.files.get(name)?.clone();
        let bytes = std::fs::read(&path).ok()?;
        let content_type = match path.extension().and_then(|e| e.to_str()) {
            Some("svg") => "image/svg+xml",
            Some("png") => "image/png",
            Some("csv") => "text/csv; charset=utf-8",
            Some("md") => "text/markdown; charset=utf-8",
            Some("json") => "application/json",
            _ => "application/octet-stream",
        };
        Some((bytes, content_type))
    }
}

/// Runs a what-if, draws its figures and one run of each arm for the maps, and builds the result.
fn run_job(
    prepared: &Prepared,
    dir: &Path,
    threads: usize,
    stop: &AtomicBool,
    progress: &Counter,
) -> Result<(Value, BTreeMap<String, PathBuf>)> {
    let stop_fn = || stop.load(Ordering::SeqCst);
    let report = execute(
        &prepared.experiment,
        &ExecOptions {
            out: dir.to_path_buf(),
            force: true,
            threads,
            shard: None,
            command: prepared.setup.command.clone(),
            progress,
            stop: &stop_fn,
        },
    )?;
    let analysis = analyse(&report.dir, prepared.seed, prepared.setup.model)?;
    // Series figures for the headline outcomes this scenario has (the analysis leaves out those
    // that are zero in both arms, such as civilian killings in an epidemic-only case), then M0
    // and trust, which every scenario has.
    let shown = |outcome: &str| analysis.rows.iter().any(|r| r.headline.outcome == outcome);
    let indicators = [
        ("civilian_fatalities", "civilian_fatalities_cumulative"),
        ("epidemic_deaths", "epidemic_deaths_cumulative"),
        ("peak_displaced", "displaced"),
    ]
    .into_iter()
    .filter(|(outcome, _)| shown(outcome))
    .map(|(_, series)| series.to_string())
    .chain(["af_m0".to_string(), "trust_in_mission".to_string()])
    .collect();
    let plot = PlotOptions {
        formats: prepared.setup.formats.clone(),
        indicators,
        ..PlotOptions::default()
    };
    with_threads(threads, || plot_dir(&report.dir, &plot))??;

    // One run of each arm, with the first replicate's seed, for its map and human-security panel.
    for (arm, spec) in [AS_IS, WHAT_IF].iter().zip(&prepared.experiment.scenarios) {
        if stop_fn() {
            return Err(Error::Interrupted("cancelled".into()));
        }
        if let Some(s) = spec.as_peacesim() {
            let mut s = s.clone();
            s.run.seed = prepared.experiment.seed_of(0, 0);
            let arm_dir = report.dir.join(format!("run-{arm}"));
            run_to_dir(
                &s,
                &RunOptions {
                    out: arm_dir.clone(),
                    force: true,
                    threads,
                    locality_every: None,
                    command: prepared.setup.command.clone(),
                },
                &stop_fn,
            )?;
            let arm_plot = PlotOptions {
                formats: prepared.setup.formats.clone(),
                indicators: vec!["af_m0".into()],
                ..PlotOptions::default()
            };
            with_threads(threads, || plot_dir(&arm_dir, &arm_plot))??;
        }
        progress.advance(1);
    }

    let files = listed_files(&report.dir)?;
    let rows: Vec<Value> = analysis
        .rows
        .iter()
        .map(|r| {
            let c = &r.change;
            json!({
                "outcome": r.headline.outcome,
                "label": r.headline.label,
                "unit": r.headline.unit,
                "as_is": finite(c.as_is.0),
                "as_is_low": finite(c.as_is.1),
                "as_is_high": finite(c.as_is.2),
                "what_if": finite(c.what_if.0),
                "what_if_low": finite(c.what_if.1),
                "what_if_high": finite(c.what_if.2),
                "difference": finite(c.paired.diff),
                "difference_low": finite(c.paired.diff_low),
                "difference_high": finite(c.paired.diff_high),
                "relative_change": finite(c.paired.rel),
                "relative_low": finite(c.paired.rel_low),
                "relative_high": finite(c.paired.rel_high),
                "verdict": c.verdict.as_str(),
            })
        })
        .collect();
    let result = json!({
        "title": prepared.setup.title,
        "replicates": prepared.setup.replicates,
        "seed": prepared.seed,
        "report": render_text(&analysis, &prepared.setup),
        "rows": rows,
        "lines": table(&analysis),
        "command": prepared.setup.command,
        "files": files.keys().collect::<Vec<_>>(),
    });
    Ok((result, files))
}

fn finite(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// Every file under `dir` (CSV, Markdown, SVG, PNG, the manifest), by its path relative to `dir`
/// with `/` separators: the only names the page may download.
fn listed_files(dir: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| Error::Read {
            path: d.clone(),
            source: e,
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("csv" | "md" | "svg" | "png" | "json")
            ) && let Ok(rel) = path.strip_prefix(dir)
            {
                let name = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(name, path);
            }
        }
    }
    Ok(out)
}
