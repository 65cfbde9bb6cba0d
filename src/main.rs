//! The `peacesim` binary: parses the command line, calls the library, maps errors to exit codes.
//!
//! Everything it prints goes through `say!` (standard output: an error, never a panic, when the
//! reader has gone or the device is full) and `note!` (standard error, best effort).

/// Writes a line to standard output, like `println!`, but returns the error (see [`emit`]).
macro_rules! say {
    ($($arg:tt)*) => { crate::emit(&format!($($arg)*), true) };
}

/// Writes to standard output without adding a newline, like `print!` (see [`emit`]).
macro_rules! say_raw {
    ($($arg:tt)*) => { crate::emit(&format!($($arg)*), false) };
}

/// Writes a line to standard error, like `eprintln!`; a closed or full standard error is ignored
/// rather than a panic (there is nowhere left to say it).
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;

use indicatif::{ProgressBar, ProgressStyle};
use peacesim::classic::EpsteinScenario;
use peacesim::error::{Error, Result};
use peacesim::experiment::design::{Experiment, check_replicates};
use peacesim::experiment::pool::{Progress, cap_threads, with_threads};
use peacesim::experiment::runner::{ExecOptions, ExecReport, execute, parse_shard};
use peacesim::experiment::single::{self, RunOptions};
use peacesim::experiment::whatif::{analysis, render, request};
use peacesim::experiment::{build, compare, merge, plan, uq};
use peacesim::library::ScenarioInput;
use peacesim::output::plot::uq::UqFigures;
use peacesim::output::{Format, Look, PlotOptions, default_run_dir, plot_dir};
use peacesim::scenario::{Override, RawCutoffs, Rules, Scenario};
use peacesim::spec::ModelSpec;
use peacesim::validation;

use cli::{Cli, Command, CompareArgs, FigureArgs, PlotArgs, RunArgs, ServeArgs, SweepArgs, UqArgs, WhatIfArgs};

/// The name standard output goes by in messages.
const STDOUT: &str = "standard output";

/// Writes `text` (and a newline if `line`) to standard output and flushes it.
///
/// # Errors
/// [`Error::Write`] naming standard output: a full device (`> /dev/full`) is an I/O error
/// (exit 2); a closed pipe (`| head -1`) ends the command quietly with exit 0 (see `main`).
fn emit(text: &str, line: bool) -> Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| if line { out.write_all(b"\n") } else { Ok(()) })
        .and_then(|()| out.flush())
        .map_err(|source| Error::Write {
            path: PathBuf::from(STDOUT),
            source,
        })
}

/// Whether the work in progress polls the stop flag (runs, experiments, the dashboard); see
/// the signal handler in `main`.
static POLLING: AtomicBool = AtomicBool::new(false);

/// Marks the work that polls the stop flag, while it lives.
struct Polling;

impl Polling {
    fn start() -> Self {
        POLLING.store(true, Ordering::SeqCst);
        Self
    }
}

impl Drop for Polling {
    fn drop(&mut self) {
        POLLING.store(false, Ordering::SeqCst);
    }
}

/// Polled between ticks and batches; true stops the work with `Interrupted`.
type Stop<'a> = &'a (dyn Fn() -> bool + Sync);

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // `--help` and `--version` succeed; a malformed command line is invalid input,
            // exit 1 as the README says (clap's own default is 2, which here means I/O).
            let _ = err.print();
            return if err.use_stderr() { ExitCode::from(1) } else { ExitCode::SUCCESS };
        }
    };
    let mut cli = cli;
    if let Some(threads) = threads_of(&mut cli.command) {
        let (capped, message) = cap_threads(*threads);
        if let Some(m) = message {
            note!("note: {m}");
        }
        *threads = capped;
    }
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        // NOTE: SIGINT and SIGTERM set a flag the run polls between ticks; the partial output
        // is then removed. Outside such work (loading and validating, plotting, printing), or
        // at a second signal, the process ends at once with 130: nothing there is half-written
        // that looks complete. SIGKILL cannot be caught: the partial directory stays hidden and
        // has no manifest, so it never looks complete.
        let _ = ctrlc::set_handler(move || {
            if !POLLING.load(Ordering::SeqCst) || stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    }
    let should_stop = move || stop.load(Ordering::SeqCst);
    match dispatch(cli, &should_stop) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output went away (`peacesim params | head -1`): as a Unix tool
        // killed by SIGPIPE, stop quietly; but with success, since nothing went wrong here.
        Err(Error::Write { path, source }) if path == Path::new(STDOUT) && source.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(err) => {
            note!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}

/// The `--threads` option of a command that has one.
fn threads_of(command: &mut Command) -> Option<&mut usize> {
    match command {
        Command::Run(a) => Some(&mut a.common.threads),
        Command::Compare(a) => Some(&mut a.common.threads),
        Command::Sweep(a) => Some(&mut a.threads),
        Command::Whatif(a) => Some(&mut a.threads),
        Command::Sensitivity(a) | Command::Robust(a) | Command::Calibrate(a) => Some(&mut a.threads),
        Command::Serve(a) => Some(&mut a.threads),
        Command::Check { threads, .. } => Some(threads),
        _ => None,
    }
}

fn dispatch(cli: Cli, stop: Stop<'_>) -> Result<()> {
    match cli.command {
        Command::Run(args) => run(&args, stop),
        Command::Sweep(args) => sweep(&args, stop),
        Command::Compare(args) => compare(&args, stop),
        Command::Whatif(args) => whatif(&args, stop),
        Command::Sensitivity(args) => sensitivity(&args, stop),
        Command::Robust(args) => robust(&args, stop),
        Command::Calibrate(args) => calibrate(&args, stop),
        Command::Serve(args) => serve(&args, stop),
        Command::Scenarios => {
            say_raw!(
                "{}",
                peacesim::describe::listing(peacesim::library::builtin(), peacesim::describe::LISTING_WIDTH)
            )?;
            Ok(())
        }
        Command::Export { name, out, force } => export(&name, out, force),
        Command::Describe { scenario } => describe(&scenario),
        Command::Plot(args) => plot(args),
        Command::Merge { dir } => {
            let merged = merge::merge(&dir, &command_line())?;
            say!("{}", merged.display())?;
            Ok(())
        }
        Command::Verify { dir } => verify(&dir),
        Command::Check {
            scale,
            seeds,
            out,
            threads,
            knockouts,
            strict,
        } => check(&scale, seeds, out, threads, knockouts, strict),
        Command::Validate { files } => validate(&files),
        Command::Completions { shell } => completions(shell),
        Command::Man { dir } => man(dir.as_deref()),
        Command::Schema { file } => schema(&file),
        Command::Params { markdown } => params(markdown),
        Command::Indicators { markdown } => indicators(markdown),
    }
}

fn command_line() -> String {
    std::env::args()
        .map(|a| if a.contains(' ') { format!("'{a}'") } else { a })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A progress bar with ETA on stderr, drawn only when stderr is a terminal.
struct Bar {
    bar: Option<ProgressBar>,
    /// What is counted: `runs`, `ticks`.
    unit: &'static str,
}

impl Bar {
    fn new(quiet: bool, unit: &'static str) -> Self {
        use std::io::IsTerminal;
        Self {
            bar: (!quiet && std::io::stderr().is_terminal()).then(ProgressBar::hidden),
            unit,
        }
    }
}

impl Progress for Bar {
    fn start(&self, total: u64, done: u64) {
        if let Some(b) = &self.bar {
            b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            b.set_length(total);
            b.set_position(done);
            b.set_style(
                ProgressStyle::with_template(&format!(
                    "{{spinner}} {{pos}}/{{len}} {} [{{elapsed_precise}}] {{wide_bar}} ETA {{eta}}",
                    self.unit
                ))
                .expect("a valid template"),
            );
            b.reset_eta();
        }
    }
    fn advance(&self, runs: u64) {
        if let Some(b) = &self.bar {
            b.inc(runs);
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// How an experiment command executes: the options that `run --replicates`, `sweep`,
/// `compare` and `whatif` share, gathered once per command.
struct Execution<'a> {
    out: PathBuf,
    force: bool,
    threads: usize,
    shard: Option<(u32, u32)>,
    quiet: bool,
    parquet: bool,
    stop: Stop<'a>,
}

impl Execution<'_> {
    /// Runs (or resumes) the experiment with a progress bar, and says when it resumed or found
    /// it complete already (nothing to do: success).
    fn execute(&self, exp: &Experiment) -> Result<ExecReport> {
        let bar = Bar::new(self.quiet, "runs");
        let _polling = Polling::start();
        let report = execute(
            exp,
            &ExecOptions {
                out: self.out.clone(),
                force: self.force,
                threads: self.threads,
                shard: self.shard,
                command: command_line(),
                progress: &bar,
                stop: self.stop,
                parquet: self.parquet,
            },
        )?;
        if report.nothing_to_do {
            if !self.quiet && !report.parquet_added.is_empty() {
                note!(
                    "{} already holds this experiment, complete: added {} (no run was redone)",
                    report.dir.display(),
                    report.parquet_added.join(", ")
                );
            } else if !self.quiet {
                note!(
                    "nothing to do: {} already holds this experiment, complete (--force runs it again)",
                    report.dir.display()
                );
            }
        } else if report.skipped > 0 && !self.quiet {
            note!("resumed: {} of {} runs were already complete", report.skipped, report.runs);
        }
        Ok(report)
    }
}

/// Draws the default figures of a finished output directory if asked to, then prints the
/// directory (the one line a script reads from stdout).
fn finish_dir(dir: &Path, plot: bool, quiet: bool, look: Look) -> Result<()> {
    if plot {
        let options = PlotOptions {
            look,
            ..PlotOptions::default()
        };
        let written = plot_dir(dir, &options)?;
        if !quiet {
            note!("drew {} figure files in {}", written.len(), dir.join("figures").display());
        }
    }
    say!("{}", dir.display())?;
    Ok(())
}

fn check_ticks(ticks: Option<u32>) -> Result<()> {
    match ticks {
        Some(t) if !(1..=36_500).contains(&t) => Err(Error::Usage(format!("--ticks must be in [1, 36500], got {t}"))),
        _ => Ok(()),
    }
}

fn parse_overrides(set: &[String]) -> Result<Vec<Override>> {
    set.iter().map(|s| build::parse_override(s)).collect()
}

/// The figures' look from `--style` and `--width`.
fn parse_look(args: &FigureArgs) -> Result<Look> {
    Ok(Look {
        style: args.style.parse()?,
        width: args.width.parse()?,
    })
}

fn parse_formats(formats: &[String]) -> Result<Vec<Format>> {
    formats.iter().map(|f| f.parse()).collect()
}

/// `peacesim run`: one run of a scenario of either model, or with `--replicates` an ensemble.
fn run(args: &RunArgs, stop: Stop<'_>) -> Result<()> {
    check_ticks(args.ticks)?;
    let look = parse_look(&args.common.figures)?;
    let overrides = parse_overrides(&args.common.set)?;
    let input = ScenarioInput::resolve(&args.scenario)?;
    let mut spec = input.load(&overrides)?;
    spec.apply_run_overrides(args.seed, args.ticks);
    if let Some(n) = args.replicates {
        return run_ensemble(args, &input, &spec, n, stop);
    }
    let dir = match spec {
        ModelSpec::Peacesim(s) => run_peacesim(args, &input, &s, stop)?,
        ModelSpec::Epstein(e) => run_epstein(args, &input, &e, stop)?,
    };
    finish_dir(&dir, args.common.plot, args.common.quiet, look)
}

fn run_peacesim(args: &RunArgs, input: &ScenarioInput, scenario: &Scenario, stop: Stop<'_>) -> Result<PathBuf> {
    let options = RunOptions {
        out: args
            .common
            .out
            .clone()
            .unwrap_or_else(|| default_run_dir(&input.naming_path(), scenario.run.seed)),
        force: args.common.force,
        threads: args.common.threads,
        locality_every: args.locality_every,
        command: command_line(),
        parquet: args.common.parquet,
    };
    if !args.common.quiet {
        note!(
            "running {} ({} people as {} agents, {} ticks, seed {})",
            input.label.display(),
            scenario.total_population(),
            scenario.total_agents(),
            scenario.run.ticks,
            scenario.run.seed
        );
    }
    let _polling = Polling::start();
    let summary = single::run_with_summary(scenario, &options, stop, &Bar::new(args.common.quiet, "ticks"))?;
    if !args.common.quiet {
        note!("{}", run_summary(&summary, scenario));
    }
    Ok(summary.dir)
}

/// The paragraph on stderr at the end of a run: what ran, the headline numbers, where it went.
fn run_summary(s: &single::RunSummary, scenario: &Scenario) -> String {
    use peacesim::experiment::whatif::render::human;
    let o = &s.outcomes;
    format!(
        "done: {} ticks ({} days) of {}; {} people at the start, {} at the end; {} civilians killed \
         ({} deaths from all causes), peak displaced {}; written to {}",
        s.ticks,
        human(f64::from(s.ticks) * scenario.run.tick_length_days),
        scenario.name,
        human(s.people.0),
        human(s.people.1),
        human(o.civilian_fatalities),
        human(o.deaths),
        human(o.peak_displaced),
        s.dir.display()
    )
}

fn run_epstein(args: &RunArgs, input: &ScenarioInput, e: &EpsteinScenario, stop: Stop<'_>) -> Result<PathBuf> {
    let options = RunOptions {
        out: args
            .common
            .out
            .clone()
            .unwrap_or_else(|| default_run_dir(&input.naming_path(), e.seed)),
        force: args.common.force,
        // Epstein's model uses no worker pool (`classic::epstein` is sequential).
        threads: 1,
        locality_every: None,
        command: command_line(),
        parquet: args.common.parquet,
    };
    if !args.common.quiet {
        note!(
            "running {} ({}x{} lattice, {} ticks, seed {})",
            input.label.display(),
            e.width,
            e.height,
            e.ticks,
            e.seed
        );
    }
    let _polling = Polling::start();
    single::run_epstein_to_dir(e, &options, stop)
}

/// `peacesim run --replicates N`: an ensemble, or one shard of it.
fn run_ensemble(args: &RunArgs, input: &ScenarioInput, spec: &ModelSpec, n: u32, stop: Stop<'_>) -> Result<()> {
    check_replicates(n, 1, "")?;
    let look = parse_look(&args.common.figures)?;
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let exp = build::ensemble_of(spec, n, spec.seed());
    let execution = Execution {
        out: args
            .common
            .out
            .clone()
            .unwrap_or_else(|| build::default_dir(&input.naming_path(), &format!("ensemble-seed-{}-n{n}", spec.seed()))),
        force: args.common.force,
        threads: args.common.threads,
        shard,
        quiet: args.common.quiet,
        parquet: args.common.parquet,
        stop,
    };
    if !args.common.quiet {
        note!(
            "running {n} replicates of {} ({} ticks, master seed {})",
            input.label.display(),
            spec.ticks(),
            spec.seed()
        );
    }
    let report = execution.execute(&exp)?;
    finish_dir(&report.dir, args.common.plot && shard.is_none(), args.common.quiet, look)
}

/// `peacesim sweep`: a plan's design, or one shard of it.
fn sweep(args: &SweepArgs, stop: Stop<'_>) -> Result<()> {
    let look = parse_look(&args.figures)?;
    let plan = plan::Plan::load(&args.plan)?;
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let exp = build::sweep(&plan);
    let execution = Execution {
        out: args.out.clone().unwrap_or_else(|| build::default_dir(&args.plan, "sweep")),
        force: args.force,
        threads: args.threads,
        shard,
        quiet: args.quiet,
        parquet: args.parquet,
        stop,
    };
    if !args.quiet {
        note!(
            "sweep {}: {} design points x {} replicates = {} runs{}",
            args.plan.display(),
            plan.points.len(),
            plan.replicates,
            plan.runs(),
            shard.map(|(i, n)| format!(" (shard {i}/{n})")).unwrap_or_default()
        );
    }
    let report = execution.execute(&exp)?;
    finish_dir(&report.dir, args.plot && shard.is_none(), args.quiet, look)
}

/// `peacesim compare`: arms with common random numbers, and the headline table.
fn compare(args: &CompareArgs, stop: Stop<'_>) -> Result<()> {
    check_ticks(args.ticks)?;
    let look = parse_look(&args.common.figures)?;
    let common = parse_overrides(&args.common.set)?;
    let naming = ScenarioInput::resolve(&args.scenario)?.naming_path();
    let mut arms = Vec::new();
    for a in &args.arms {
        let mut arm = build::parse_arm(a, &args.scenario, &common)?;
        arm.scenario.apply_run_overrides(None, args.ticks);
        arms.push(arm);
    }
    let seed = args.seed.unwrap_or(arms[0].scenario.seed());
    let exp = build::comparison(&arms, args.replicates, seed)?;
    let execution = Execution {
        out: args
            .common
            .out
            .clone()
            .unwrap_or_else(|| build::default_dir(&naming, &format!("compare-seed-{seed}"))),
        force: args.common.force,
        threads: args.common.threads,
        shard: None,
        quiet: args.common.quiet,
        parquet: args.common.parquet,
        stop,
    };
    let report = execution.execute(&exp)?;
    let rows = compare::analyse(&report.dir, seed)?;
    if !args.common.quiet {
        say!("{}", compare::render_table(&rows, &compare::HEADLINE))?;
    }
    finish_dir(&report.dir, args.common.plot, args.common.quiet, look)
}

/// `peacesim whatif`: validates both arms, the changes and the output location, runs the paired
/// ensemble, and prints the report.
fn whatif(args: &WhatIfArgs, stop: Stop<'_>) -> Result<()> {
    check_ticks(args.ticks)?;
    let prepared = request::prepare(&request::Request {
        scenario: args.scenario.clone(),
        alt: args.alt.clone(),
        set: args.set.clone(),
        ticks: args.ticks,
        replicates: args.replicates,
        seed: args.seed,
        formats: parse_formats(&args.format)?,
        look: parse_look(&args.figures)?,
    })?;
    let (exp, setup, seed) = (prepared.experiment, prepared.setup, prepared.seed);
    let execution = Execution {
        out: args.out.clone().unwrap_or(prepared.default_dir),
        force: args.force,
        threads: args.threads,
        shard: None,
        quiet: args.quiet,
        parquet: args.parquet,
        stop,
    };
    if !args.quiet {
        note!(
            "running {} replicate pairs of {} as is and what if ({} ticks, master seed {seed})",
            args.replicates,
            setup.scenario,
            setup.ticks
        );
    }
    let report = execution.execute(&exp)?;
    if !args.quiet {
        let analysis = analysis::analyse(&report.dir, seed, setup.model)?;
        say!("{}", render::render_text(&analysis, &setup))?;
    }
    say!("{}", report.dir.display())?;
    Ok(())
}

/// Figures of an uncertainty command: formats (`none` for none), style and width.
fn uq_figures(args: &UqArgs) -> Result<UqFigures> {
    Ok(UqFigures {
        formats: uq_formats(&args.format)?,
        look: parse_look(&args.figures)?,
    })
}

/// Figure formats of an uncertainty command: `none` for none.
fn uq_formats(formats: &[String]) -> Result<Vec<Format>> {
    if formats.iter().any(|f| f == "none") {
        return Ok(Vec::new());
    }
    parse_formats(formats)
}

/// Runs (or resumes, or one shard of) an uncertainty command's sweep in OUT/runs. Returns
/// whether the analysis can follow (false for a shard: the runs are not all here).
fn run_uq_sweep(args: &UqArgs, command: &str, out: &Path, exp: &Experiment, stop: Stop<'_>) -> Result<bool> {
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let execution = Execution {
        out: uq::runs_dir(out),
        force: args.force,
        threads: args.threads,
        shard,
        quiet: args.quiet,
        parquet: args.parquet,
        stop,
    };
    if !args.quiet {
        note!(
            "{command} {}: {} design points x {} replicates = {} runs{}",
            args.plan.display(),
            exp.scenarios.len(),
            exp.replicates,
            exp.runs(),
            shard.map(|(i, n)| format!(" (shard {i}/{n})")).unwrap_or_default()
        );
    }
    let report = execution.execute(exp)?;
    if shard.is_some() {
        if !args.quiet {
            note!(
                "shard done; when every shard is: `peacesim merge {}`, then `peacesim {command} {} --out {}` for the analysis",
                uq::runs_dir(out).display(),
                args.plan.display(),
                out.display()
            );
        }
        say!("{}", report.dir.display())?;
        return Ok(false);
    }
    Ok(true)
}

/// Claims an uncertainty command's output directory before any run (see
/// [`uq::output`]): a directory peacesim did not write is refused, and the manifest of `OUT/`
/// says "incomplete" until [`uq::output::UqOutput::finish`].
fn claim_uq_output(args: &UqArgs, command: &str, out: &Path, exp: &Experiment) -> Result<Option<uq::output::UqOutput>> {
    uq::output::UqOutput::claim(&uq::output::Claim {
        command,
        out,
        experiment: exp,
        force: args.force,
        shard: args.shard.is_some(),
        command_line: &command_line(),
        threads: args.threads,
    })
}

/// `peacesim sensitivity`: Morris and Sobol' indices of a plan's outcomes.
fn sensitivity(args: &UqArgs, stop: Stop<'_>) -> Result<()> {
    let figures = uq_figures(args)?;
    let plan = uq::sensitivity::SensitivityPlan::load(&args.plan)?;
    let exp = plan.experiment()?;
    let out = args.out.clone().unwrap_or_else(|| uq::sensitivity::default_out(&args.plan));
    let claimed = claim_uq_output(args, "sensitivity", &out, &exp)?;
    if !run_uq_sweep(args, "sensitivity", &out, &exp, stop)? {
        return Ok(());
    }
    let analysis = plan.analyse(&out, &figures)?;
    if let Some(claimed) = claimed {
        claimed.finish(&analysis.files)?;
    }
    if !args.quiet {
        for (o, r) in analysis.outcomes.iter().enumerate() {
            let top: Vec<String> = analysis.ranking(o).iter().take(3).map(|(p, v)| format!("{p} ({v:.3})")).collect();
            note!("{}: most influential {}", r.outcome, top.join(", "));
            for p in &r.problems {
                note!("  note: {p}");
            }
        }
    }
    say!("{}", out.display())
}

/// `peacesim robust`: policies across sampled futures.
fn robust(args: &UqArgs, stop: Stop<'_>) -> Result<()> {
    let figures = uq_figures(args)?;
    let plan = uq::robust::RobustPlan::load(&args.plan)?;
    let exp = plan.experiment()?;
    let out = args.out.clone().unwrap_or_else(|| uq::robust::default_out(&args.plan));
    let claimed = claim_uq_output(args, "robust", &out, &exp)?;
    if !run_uq_sweep(args, "robust", &out, &exp, stop)? {
        return Ok(());
    }
    let analysis = plan.analyse(&out, &figures)?;
    if let Some(claimed) = claimed {
        claimed.finish(&analysis.files)?;
    }
    if !args.quiet {
        for r in &analysis.outcomes {
            let best: Vec<String> = plan
                .policies
                .iter()
                .zip(&r.result.policies)
                .map(|(p, x)| format!("{p} {:.0} %", x.probability_best * 100.0))
                .collect();
            note!("{}: probability best: {}", r.outcome, best.join(", "));
            if let Some(d) = &r.drivers {
                note!("  {d}");
            }
        }
    }
    say!("{}", out.display())
}

/// `peacesim calibrate`: parameters fitted to targets.
fn calibrate(args: &UqArgs, stop: Stop<'_>) -> Result<()> {
    let figures = uq_figures(args)?;
    let plan = uq::calibrate::CalibratePlan::load(&args.plan)?;
    let exp = plan.experiment()?;
    let out = args.out.clone().unwrap_or_else(|| uq::calibrate::default_out(&args.plan));
    let claimed = claim_uq_output(args, "calibrate", &out, &exp)?;
    if !run_uq_sweep(args, "calibrate", &out, &exp, stop)? {
        return Ok(());
    }
    // ABC-SMC's later generations: each proposal batch a resumable sweep of its own.
    let mut run_batch = |exp: &Experiment, dir: &Path| -> Result<()> {
        let execution = Execution {
            out: dir.to_path_buf(),
            force: args.force,
            threads: args.threads,
            shard: None,
            quiet: args.quiet,
            parquet: args.parquet,
            stop,
        };
        execution.execute(exp).map(|_| ())
    };
    let analysis = plan.analyse(&out, &figures, &mut run_batch)?;
    if let Some(claimed) = claimed {
        claimed.finish(&analysis.files)?;
    }
    if !args.quiet {
        note!("{}", analysis.method);
        for ((p, s), recovered) in plan.base.parameters.iter().zip(&analysis.summaries).zip(&analysis.recovered) {
            let verdict = match recovered {
                Some(true) => "; true value inside",
                Some(false) => "; true value OUTSIDE",
                None => "",
            };
            note!(
                "  {}: median {:.4}, 90 % interval [{:.4}, {:.4}]{verdict}",
                p.path,
                s.median,
                s.ci90_low,
                s.ci90_high
            );
        }
    }
    say!("{}", out.display())
}

/// `peacesim serve`: the dashboard, until stopped (exit 130).
fn serve(args: &ServeArgs, stop: Stop<'_>) -> Result<()> {
    let address = if args.bind.contains(':') {
        format!("[{}]:{}", args.bind, args.port)
    } else {
        format!("{}:{}", args.bind, args.port)
    };
    let _polling = Polling::start();
    peacesim::serve::serve(
        &peacesim::serve::ServeOptions {
            address,
            out: args.out.clone(),
            threads: args.threads,
            max_runs: args.max_runs,
            keep_hours: args.keep_hours,
            keep_mb: args.keep_mb,
        },
        stop,
        &|url| {
            // NOTE: a closed standard output must not stop the dashboard.
            let _ = say!("peacesim dashboard: {url}");
            note!("(Ctrl-C stops the server)");
        },
    )?;
    // It returns only when stopped (Ctrl-C, SIGTERM): interrupted, as the README says.
    Err(Error::Interrupted("the dashboard was stopped".into()))
}

/// `peacesim export`: a built-in scenario's file as shipped, to stdout or `--out FILE`.
fn export(name: &str, out: Option<PathBuf>, force: bool) -> Result<()> {
    let scenario = peacesim::library::require(name)?;
    let Some(path) = out else {
        return say_raw!("{}", scenario.text);
    };
    if path.exists() && !force {
        return Err(Error::Output {
            path,
            message: "already exists; use --force to replace it".into(),
        });
    }
    std::fs::write(&path, scenario.text).map_err(|source| Error::Write {
        path: path.clone(),
        source,
    })?;
    say!("{}", path.display())
}

/// `peacesim describe`: a scenario in plain language.
fn describe(scenario: &Path) -> Result<()> {
    let input = ScenarioInput::resolve(scenario)?;
    let spec = input.load(&[])?;
    say_raw!("{}", peacesim::describe::describe(&spec, &input.label.display().to_string()))?;
    Ok(())
}

/// `peacesim plot`: figures of any output directory, one path a line.
fn plot(args: PlotArgs) -> Result<()> {
    let options = PlotOptions {
        formats: parse_formats(&args.format)?,
        indicators: args.indicators,
        map_indicator: args.map_indicator,
        map_tick: args.map_tick,
        map_ticks: args.map_ticks,
        outcome: args.outcome,
        look: parse_look(&args.figures)?,
        ..PlotOptions::default()
    };
    for path in plot_dir(&args.dir, &options)? {
        say!("{}", path.display())?;
    }
    Ok(())
}

/// `peacesim verify`: an output directory against its manifest; every problem on stderr.
fn verify(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Err(Error::Read {
            path: dir.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory"),
        });
    }
    let report = peacesim::experiment::verify::verify(dir);
    if report.problems.is_empty() {
        say!(
            "{}: ok ({} {}, {} files checked against their manifests)",
            dir.display(),
            report.dirs,
            if report.dirs == 1 { "directory" } else { "directories" },
            report.files
        )
    } else {
        for p in &report.problems {
            note!("{p}");
        }
        Err(Error::Output {
            path: dir.to_path_buf(),
            message: format!(
                "{} {} found (listed above); the directory does not match its manifest",
                report.problems.len(),
                if report.problems.len() == 1 { "problem" } else { "problems" }
            ),
        })
    }
}

/// `peacesim check`: the validation patterns, as a Markdown report; with `--knockouts`, every
/// check under its knock-out (each should then fail).
fn check(scale: &str, seeds: Option<u64>, out: Option<PathBuf>, threads: usize, knockouts: bool, strict: bool) -> Result<()> {
    let mut scale = match scale {
        "small" => validation::Scale::SMALL,
        "full" => validation::Scale::FULL,
        other => return Err(Error::Usage(format!("--scale must be `small` or `full`, got `{other}`"))),
    };
    if let Some(n) = seeds {
        scale.seeds = n.max(1);
    }
    let canonical = match seeds {
        Some(n) => format!("peacesim check --scale {} --seeds {n}", scale.name),
        None => format!("peacesim check --scale {}", scale.name),
    };
    if knockouts {
        let results = with_threads(threads, || validation::run_knockouts(scale))??;
        let report = validation::render_knockouts(&results, scale, &format!("{canonical} --knockouts"));
        match out {
            Some(path) => std::fs::write(&path, &report).map_err(|source| Error::Write { path, source })?,
            None => say!("{report}")?,
        }
        let still: Vec<&str> = results.iter().filter(|r| r.passed).map(|r| r.id).collect();
        note!(
            "{} of {} checks fail under their knock-outs",
            results.len() - still.len(),
            results.len()
        );
        return if still.is_empty() {
            Ok(())
        } else {
            Err(Error::CheckFailed(format!(
                "checks that still pass with their mechanism switched off: {}",
                still.join(", ")
            )))
        };
    }
    let results = with_threads(threads, || validation::run_all(scale))??;
    let report = validation::render(&results, scale, &canonical);
    match out {
        Some(path) => std::fs::write(&path, &report).map_err(|source| Error::Write { path, source })?,
        None => say!("{report}")?,
    }
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| {
            if r.documented_miss {
                format!("{} (a documented miss)", r.id)
            } else {
                r.id.to_string()
            }
        })
        .collect();
    let emergent: Vec<&validation::CheckResult> = results.iter().filter(|r| r.basis == validation::Basis::Emergent).collect();
    note!(
        "{} of {} emergent patterns reproduced ({} more built in by assumption)",
        emergent.iter().filter(|r| r.passed).count(),
        emergent.len(),
        results.len() - emergent.len()
    );
    // Documented misses are known and explained (docs/VALIDATION.md): they are named, and they
    // fail the command only with --strict, so that the exit code still tells a regression.
    let regressions = results.iter().any(|r| !r.passed && !r.documented_miss);
    if failed.is_empty() {
        Ok(())
    } else if regressions || strict {
        Err(Error::CheckFailed(format!("patterns not reproduced: {}", failed.join(", "))))
    } else {
        note!("not reproduced, as documented: {}", failed.join(", "));
        Ok(())
    }
}

/// `peacesim validate`: each file (or built-in scenario name) of either model, with one `ok`
/// line on stdout or every problem on stderr; an error if any is invalid (exit 1) or, if none
/// is, unreadable (exit 2).
fn validate(files: &[PathBuf]) -> Result<()> {
    let (mut invalid, mut unreadable) = (0, 0);
    for f in files {
        match ScenarioInput::resolve(f).and_then(|input| Ok((input.load(&[])?, input.label))) {
            Ok((ModelSpec::Peacesim(s), label)) => say!(
                "{}: ok ({}, {} localities, {} people, {} ticks)",
                label.display(),
                s.name,
                s.localities.len(),
                s.total_population(),
                s.run.ticks
            )?,
            Ok((ModelSpec::Epstein(e), label)) => say!(
                "{}: ok ({}, model epstein, {}x{} lattice, {} ticks)",
                label.display(),
                e.name(),
                e.width,
                e.height,
                e.ticks
            )?,
            Err(e) => {
                if e.exit_code() == 1 {
                    invalid += 1;
                } else {
                    unreadable += 1;
                }
                note!("{e}");
            }
        }
    }
    let summary = |n: usize, what: &str| format!("{n} of {} scenario files {what}", files.len());
    if invalid > 0 {
        let mut message = summary(invalid, if invalid == 1 { "is invalid" } else { "are invalid" });
        if unreadable > 0 {
            message.push_str(&format!(", {unreadable} could not be read"));
        }
        Err(Error::Usage(message))
    } else if unreadable > 0 {
        Err(Error::Output {
            path: PathBuf::from("validate"),
            message: summary(unreadable, "could not be read"),
        })
    } else {
        Ok(())
    }
}

/// `peacesim completions SHELL`: the shell's completion script for every command and option.
fn completions(shell: clap_complete::Shell) -> Result<()> {
    use clap::CommandFactory as _;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "peacesim", &mut script);
    say_raw!("{}", String::from_utf8_lossy(&script))
}

/// `peacesim man [DIR]`: the manual pages (roff, by clap_mangen from the clap definitions, so
/// they cannot drift from `--help`).
fn man(dir: Option<&std::path::Path>) -> Result<()> {
    use clap::CommandFactory as _;
    let render = |command: clap::Command| -> Vec<u8> {
        let mut page = Vec::new();
        clap_mangen::Man::new(command)
            .render(&mut page)
            .expect("rendering into memory cannot fail");
        page
    };
    let top = Cli::command().name("peacesim");
    let Some(dir) = dir else {
        return say_raw!("{}", String::from_utf8_lossy(&render(top)));
    };
    let write = |name: String, page: Vec<u8>| -> Result<()> {
        let path = dir.join(name);
        std::fs::write(&path, page).map_err(|source| peacesim::Error::Write { path, source })
    };
    std::fs::create_dir_all(dir).map_err(|source| peacesim::Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    for sub in top.get_subcommands().filter(|s| s.get_name() != "help") {
        // clap names are `&'static str` (without its `string` feature); a handful of page names
        // leaked once by a process that ends right after is cheaper than another feature.
        let name: &'static str = Box::leak(format!("peacesim-{}", sub.get_name()).into_boxed_str());
        write(format!("{name}.1"), render(sub.clone().name(name)))?;
    }
    write("peacesim.1".into(), render(top))?;
    say!("{}", dir.display())
}

/// `peacesim schema FILE`: the JSON Schema of a scenario, an Epstein scenario or a plan.
fn schema(file: &str) -> Result<()> {
    use peacesim::experiment::schema::{InputFile, json_schema};
    let kind = InputFile::parse(file).ok_or_else(|| peacesim::Error::Usage(format!("no schema for `{file}`")))?;
    let text = serde_json::to_string_pretty(&json_schema(kind)).expect("a JSON value always serialises");
    say!("{text}")
}

/// `peacesim params`: every mechanism parameter and cutoff, as text or Markdown table rows.
fn params(markdown: bool) -> Result<()> {
    for p in Rules::catalogue().into_iter().chain(RawCutoffs::catalogue()) {
        if markdown {
            say!(
                "| `{}` | {} | {} | [{}, {}] | {} | {} |",
                p.path,
                p.default,
                p.unit,
                p.min,
                p.max,
                p.meaning,
                p.source
            )?;
        } else {
            say!(
                "{} = {} [{}] range [{}, {}]\n    {}\n    source: {}",
                p.path,
                p.default,
                p.unit,
                p.min,
                p.max,
                p.meaning,
                p.source
            )?;
        }
    }
    Ok(())
}

/// `peacesim indicators`: every column of every CSV file, with its unit and meaning.
fn indicators(markdown: bool) -> Result<()> {
    for c in peacesim::experiment::columns::catalogue() {
        let (file, n, u, m) = (c.file, c.name, c.unit, c.meaning);
        if markdown {
            say!("| {file} | `{n}` | {u} | {m} |")?;
        } else {
            say!("{file}: {n} [{u}] {m}")?;
        }
    }
    Ok(())
}
