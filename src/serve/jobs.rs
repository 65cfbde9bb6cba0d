//! The dashboard's runs: a queue shared by every client, a bounded number of runs at a time,
//! each run owned by the browser session that asked for it.
//!
//! A session has at most one job queued or running: a new request from it replaces that job
//! (taking its place in the queue, or the front of the queue if it was running) and never touches
//! another session's. Runs are cancelled by their own session only, or when the server stops.
//! When a run ends, the next in the queue starts and old run folders are cleaned up
//! ([`super::housekeeping`]).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use serde_json::{Value, json};

use super::housekeeping::{Keep, clean, create_run_folder};
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
    /// Waiting for a free slot.
    Queued,
    /// Running.
    Running,
    /// Finished; the result is ready.
    Done,
    /// Stopped by its session (by the user or by the session's newer run) or by the server.
    Cancelled,
    /// Failed with this message.
    Failed(String),
}

/// What happened to a request to cancel a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancel {
    /// The run was stopped (or had already ended).
    Done,
    /// No run has that id.
    NoSuchRun,
    /// The run belongs to another session and was left alone.
    NotYours,
}

/// How the server shares the machine among runs and how much it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Runs at the same time (at least 1); the rest wait in the queue.
    pub concurrent: usize,
    /// Worker threads of each run (0 = the cores shared out among the concurrent runs).
    pub threads: usize,
    /// Old runs removed by age and total size.
    pub keep: Keep,
}

impl Limits {
    /// Half the cores at once (at least one run), the cores shared out among them; 24 h, 2 GB.
    #[must_use]
    pub fn for_this_machine(threads: usize) -> Self {
        Self {
            concurrent: (cores() / 2).max(1),
            threads,
            keep: Keep::default(),
        }
    }

    /// Threads each run gets: as asked, or the cores shared out among the concurrent runs.
    fn threads_per_run(&self) -> usize {
        if self.threads == 0 {
            (cores() / self.concurrent.max(1)).max(1)
        } else {
            self.threads
        }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// Runs that may wait in the queue (a class of twenty needs twenty; a script sending requests
/// without a session id must not fill the disk with run folders).
pub const MAX_QUEUED: usize = 256;

struct Job {
    session: String,
    state: JobState,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    /// The job's own folder (with the dashboard's marker); the what-if is written inside it.
    folder: PathBuf,
    dir: PathBuf,
    /// The validated what-if, until the job starts.
    prepared: Option<Box<Prepared>>,
    result: Option<Value>,
    /// Files the page may download: name (relative to `dir`) -> path.
    files: BTreeMap<String, PathBuf>,
}

#[derive(Default)]
struct Board {
    jobs: BTreeMap<u64, Job>,
    /// Queued jobs, first to start first.
    queue: VecDeque<u64>,
    running: usize,
}

struct Shared {
    out: PathBuf,
    limits: Limits,
    next: AtomicU64,
    board: Mutex<Board>,
    /// Held while a run folder is created and its job registered, and while old folders are
    /// removed: a folder is never seen by the cleanup before its job counts as active.
    folders: Mutex<()>,
}

/// The runs of this server (cheap to clone: every clone is the same queue).
#[derive(Clone)]
pub struct Jobs {
    shared: Arc<Shared>,
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

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Board> {
        // A panic in a run thread is caught there; the board itself stays consistent.
        self.board.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Jobs {
    /// Runs write under `out`, within `limits`.
    #[must_use]
    pub fn new(out: PathBuf, limits: Limits) -> Self {
        Self {
            shared: Arc::new(Shared {
                out,
                limits: Limits {
                    concurrent: limits.concurrent.max(1),
                    ..limits
                },
                next: AtomicU64::new(1),
                board: Mutex::new(Board::default()),
                folders: Mutex::new(()),
            }),
        }
    }

    /// The limits this server runs with.
    #[must_use]
    pub fn limits(&self) -> Limits {
        self.shared.limits
    }

    /// Whether the queue is full ([`MAX_QUEUED`] runs waiting): new runs are then refused.
    #[must_use]
    pub fn queue_full(&self) -> bool {
        self.shared.lock().queue.len() >= MAX_QUEUED
    }

    /// Validates a run for `session` and queues it, replacing that session's queued or running
    /// run (and no other); returns its id. Validation is the slow part of a request (it builds
    /// both scenarios): call this off the thread that accepts connections.
    ///
    /// # Errors
    /// The what-if's validation errors (bad values, no changes); [`Error::Write`] if the run's
    /// folder cannot be created.
    pub fn start(&self, session: &str, request: &Request) -> Result<u64> {
        let prepared = prepare(request)?;
        let id = self.shared.next.fetch_add(1, Ordering::SeqCst);
        let stamp = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        // Unique across restarts of the server (ids start again at 1) and across servers
        // sharing the folder.
        let folder = self.shared.out.join(format!("run-{stamp}-{}-{id}", std::process::id()));
        let folders = self.shared.folders.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        create_run_folder(&folder, id, &request.scenario.display().to_string())?;
        let dir = folder.join(dir_name(&prepared.experiment));
        let job = Job {
            session: session.to_string(),
            state: JobState::Queued,
            stop: Arc::new(AtomicBool::new(false)),
            done: Arc::new(AtomicU64::new(0)),
            total: Arc::new(AtomicU64::new(2 * u64::from(request.replicates) + 2)),
            folder,
            dir,
            prepared: Some(Box::new(prepared)),
            result: None,
            files: BTreeMap::new(),
        };
        {
            let mut board = self.shared.lock();
            let mut place = None;
            let mine: Vec<u64> = board
                .jobs
                .iter()
                .filter(|(_, j)| j.session == session && matches!(j.state, JobState::Queued | JobState::Running))
                .map(|(&k, _)| k)
                .collect();
            for old in mine {
                let Board { jobs, queue, .. } = &mut *board;
                let Some(j) = jobs.get_mut(&old) else { continue };
                j.stop.store(true, Ordering::SeqCst);
                if j.state == JobState::Queued {
                    j.state = JobState::Cancelled;
                    j.prepared = None;
                    if let Some(at) = queue.iter().position(|&q| q == old) {
                        queue.remove(at);
                        place = Some(place.map_or(at, |p: usize| p.min(at)));
                    }
                } else {
                    // It had a slot: the new run is next.
                    place = Some(0);
                }
            }
            board.jobs.insert(id, job);
            match place {
                Some(at) => {
                    let at = at.min(board.queue.len());
                    board.queue.insert(at, id);
                }
                None => board.queue.push_back(id),
            }
        }
        drop(folders);
        self.dispatch();
        Ok(id)
    }

    /// Starts queued jobs while there are free slots.
    fn dispatch(&self) {
        let threads = self.shared.limits.threads_per_run();
        loop {
            let mut board = self.shared.lock();
            if board.running >= self.shared.limits.concurrent {
                return;
            }
            let Some(id) = board.queue.pop_front() else { return };
            let Some(job) = board.jobs.get_mut(&id) else { continue };
            let Some(prepared) = job.prepared.take() else {
                // Never queued without its what-if; should it happen, it must not wait forever.
                job.state = JobState::Failed("the run was lost before it started".into());
                continue;
            };
            job.state = JobState::Running;
            let (stop, dir) = (Arc::clone(&job.stop), job.dir.clone());
            let counter = Counter {
                done: Arc::clone(&job.done),
                total: Arc::clone(&job.total),
            };
            board.running += 1;
            drop(board);
            let jobs = self.clone();
            std::thread::spawn(move || {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_job(&prepared, &dir, threads, &stop, &counter)))
                    .unwrap_or_else(|_| Err(Error::Usage("the run failed unexpectedly".into())));
                jobs.finished(id, outcome);
            });
        }
    }

    fn finished(&self, id: u64, outcome: Result<(Value, BTreeMap<String, PathBuf>)>) {
        {
            let mut board = self.shared.lock();
            board.running = board.running.saturating_sub(1);
            if let Some(job) = board.jobs.get_mut(&id) {
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
        }
        self.dispatch();
        self.housekeeping();
    }

    /// Removes old run folders (never one of a queued or running job); returns those removed.
    pub fn housekeeping(&self) -> Vec<PathBuf> {
        let _folders = self.shared.folders.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let active: BTreeSet<PathBuf> = self
            .shared
            .lock()
            .jobs
            .values()
            .filter(|j| matches!(j.state, JobState::Queued | JobState::Running))
            .map(|j| j.folder.clone())
            .collect();
        let removed = clean(&self.shared.out, &self.shared.limits.keep, &active, SystemTime::now());
        if !removed.is_empty() {
            let mut board = self.shared.lock();
            for job in board.jobs.values_mut().filter(|j| removed.contains(&j.folder)) {
                job.files.clear();
            }
        }
        removed
    }

    /// Asks a run to stop if it belongs to `session`.
    #[must_use]
    pub fn cancel(&self, id: u64, session: &str) -> Cancel {
        let mut board = self.shared.lock();
        let Board { jobs, queue, .. } = &mut *board;
        let Some(job) = jobs.get_mut(&id) else {
            return Cancel::NoSuchRun;
        };
        if job.session != session {
            return Cancel::NotYours;
        }
        job.stop.store(true, Ordering::SeqCst);
        if job.state == JobState::Queued {
            job.state = JobState::Cancelled;
            job.prepared = None;
            queue.retain(|&q| q != id);
        }
        Cancel::Done
    }

    /// Stops every run and empties the queue (the server is shutting down).
    pub fn cancel_all(&self) {
        let mut board = self.shared.lock();
        let Board { jobs, queue, .. } = &mut *board;
        queue.clear();
        for job in jobs.values_mut() {
            job.stop.store(true, Ordering::SeqCst);
            if job.state == JobState::Queued {
                job.state = JobState::Cancelled;
                job.prepared = None;
            }
        }
    }

    /// State, place in the queue, progress and, when done, the result of a run.
    #[must_use]
    pub fn status(&self, id: u64) -> Option<Value> {
        let board = self.shared.lock();
        let job = board.jobs.get(&id)?;
        let (state, message) = match &job.state {
            JobState::Queued => ("queued", None),
            JobState::Running => ("running", None),
            JobState::Done => ("done", None),
            JobState::Cancelled => ("cancelled", None),
            JobState::Failed(m) => ("failed", Some(m.clone())),
        };
        let position = board.queue.iter().position(|&q| q == id).map(|p| p + 1);
        Some(json!({
            "id": id,
            "state": state,
            "error": message,
            "position": position,
            "queued": board.queue.len(),
            "running": board.running,
            "slots": self.shared.limits.concurrent,
            "done": job.done.load(Ordering::SeqCst),
            "total": job.total.load(Ordering::SeqCst),
            "dir": job.dir.display().to_string(),
            "result": job.result,
        }))
    }

    /// A file a finished run wrote, if `name` is one of those it lists (never any other path).
    #[must_use]
    pub fn file(&self, id: u64, name: &str) -> Option<(Vec<u8>, &'static str)> {
        let path = self.shared.lock().jobs.get(&id)?.files.get(name)?.clone();
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
