//! The dashboard's runs: a queue shared by every client, a bounded number of runs at a time,
//! each run owned by the browser session that asked for it.
//!
//! A session has at most one job queued or running: a new request from it replaces that job
//! (taking its place in the queue, or the front of the queue if it was running) and never touches
//! another session's. Runs are cancelled by their own session only, or when the server stops.
//! When a run ends, the next in the queue starts and old run folders are cleaned up
//! ([`super::housekeeping`]).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use serde_json::{Value, json};

use super::api::RunRequest;
use super::housekeeping::{Keep, clean, create_run_folder};
use super::live::Live;
use super::work::{Counter, Work};
use crate::error::{Error, Result};

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
    /// The job's own folder (with the dashboard's marker); the run is written inside it.
    folder: PathBuf,
    dir: PathBuf,
    /// The validated run, until the job starts.
    prepared: Option<Work>,
    result: Option<Value>,
    /// Files the page may download: name (relative to `dir`) -> path.
    files: BTreeMap<String, PathBuf>,
    /// Ticks run, over every run of the job, and ticks in all.
    ticks: Arc<AtomicU64>,
    ticks_total: u64,
    /// What the page draws while the run goes (and afterwards, to compare runs).
    live: Arc<Live>,
    /// What the session's history lists (kind, title, changes, command).
    summary: Value,
    /// When the run was asked for (seconds since 1970).
    created: u64,
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
    /// the scenarios): call this off the thread that accepts connections.
    ///
    /// # Errors
    /// The run's validation errors (bad values, no changes); [`Error::Write`] if the run's
    /// folder cannot be created.
    pub fn start(&self, session: &str, request: &RunRequest) -> Result<u64> {
        let prepared = Work::prepare(request)?;
        let summary = prepared.summary(request);
        let scenario = match request {
            RunRequest::WhatIf(r) => r.scenario.display().to_string(),
            RunRequest::AsIs(r) => r.scenario.clone(),
        };
        let id = self.shared.next.fetch_add(1, Ordering::SeqCst);
        let stamp = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        // Unique across restarts of the server (ids start again at 1) and across servers
        // sharing the folder (even on hosts of one name, both process 1: the token is random
        // per process).
        let folder = self
            .shared
            .out
            .join(format!("run-{stamp}-{}-{id}", crate::output::writer::process_token()));
        let folders = self.shared.folders.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        create_run_folder(&folder, id, &scenario)?;
        let dir = folder.join(prepared.dir_name());
        let job = Job {
            session: session.to_string(),
            state: JobState::Queued,
            stop: Arc::new(AtomicBool::new(false)),
            done: Arc::new(AtomicU64::new(0)),
            total: Arc::new(AtomicU64::new(prepared.runs())),
            folder,
            dir,
            ticks: Arc::new(AtomicU64::new(0)),
            ticks_total: prepared.runs() * prepared.ticks_per_run(),
            live: Arc::new(Live::default()),
            summary,
            created: stamp,
            prepared: Some(prepared),
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
                extra: prepared.map_runs(),
                ticks: Arc::clone(&job.ticks),
                per_run: prepared.ticks_per_run(),
                live: Arc::clone(&job.live),
                dir: job.dir.clone(),
            };
            board.running += 1;
            drop(board);
            let jobs = self.clone();
            std::thread::spawn(move || {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| prepared.run(&dir, threads, &stop, &counter)))
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
                job.live = Arc::new(Live::default());
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

    /// State, place in the queue, progress and, when done, the result of a run; with `live`
    /// (the map runs' ticks the page has per arm, and the version of the ensemble's means it
    /// has), what the page has not drawn yet.
    #[must_use]
    pub fn status(&self, id: u64) -> Option<Value> {
        self.status_with(id, None)
    }

    /// [`Self::status`] with what the page has not drawn yet (see [`Live::since`]).
    #[must_use]
    pub fn status_with(&self, id: u64, live: Option<(&[usize], u64)>) -> Option<Value> {
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
        let mut status = json!({
            "id": id,
            "state": state,
            "error": message,
            "position": position,
            "queued": board.queue.len(),
            "running": board.running,
            "slots": self.shared.limits.concurrent,
            "done": job.done.load(Ordering::SeqCst),
            "total": job.total.load(Ordering::SeqCst),
            "ticks": job.ticks.load(Ordering::SeqCst).min(job.ticks_total),
            "ticks_total": job.ticks_total,
            "dir": job.dir.display().to_string(),
            "summary": job.summary,
            "result": job.result,
        });
        // The live rows are gathered without holding the queue (other clients' requests).
        let view = Arc::clone(&job.live);
        drop(board);
        status["live"] = live.map_or(Value::Null, |(since, version)| view.since(since, version));
        Some(status)
    }

    /// The runs of `session`, newest first: id, state, when asked for, and what it was (for the
    /// page's history; results come from [`Self::status`]).
    #[must_use]
    pub fn history(&self, session: &str) -> Value {
        let board = self.shared.lock();
        let runs: Vec<Value> = board
            .jobs
            .iter()
            .rev()
            .filter(|(_, j)| j.session == session)
            .map(|(id, j)| {
                let state = match &j.state {
                    JobState::Queued => "queued",
                    JobState::Running => "running",
                    JobState::Done => "done",
                    JobState::Cancelled => "cancelled",
                    JobState::Failed(_) => "failed",
                };
                json!({ "id": id, "state": state, "created": j.created, "summary": j.summary,
                        "available": j.state != JobState::Done || !j.files.is_empty() })
            })
            .collect();
        json!({ "runs": runs })
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
