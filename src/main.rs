//! The `peacesim` binary: parses the command line, calls the library, maps errors to exit codes.
#![expect(clippy::print_stdout, clippy::print_stderr, reason = "the binary is where printing belongs")]

mod cli;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;

use indicatif::{ProgressBar, ProgressStyle};
use peacesim::error::{Error, Result};
use peacesim::experiment::pool::{Progress, with_threads};
use peacesim::experiment::runner::parse_shard;
use peacesim::experiment::runner::{ExecOptions, execute};
use peacesim::experiment::single::{self, RunOptions};
use peacesim::experiment::whatif::{analysis, render, request};
use peacesim::experiment::{build, compare, merge, plan};
use peacesim::library::ScenarioInput;
use peacesim::output::default_run_dir;
use peacesim::scenario::{Override, Rules, Scenario};
use peacesim::spec::ModelSpec;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        // NOTE: SIGINT and SIGTERM set a flag the run polls between ticks; the partial output
        // is then removed. SIGKILL cannot be caught: the partial directory stays hidden and
        // has no manifest, so it never looks complete.
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let should_stop = move || stop.load(Ordering::SeqCst);
    match dispatch(cli, &should_stop) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
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
}

impl Bar {
    fn new(quiet: bool) -> Self {
        use std::io::IsTerminal;
        Self {
            bar: (!quiet && std::io::stderr().is_terminal()).then(ProgressBar::hidden),
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
                ProgressStyle::with_template("{spinner} {pos}/{len} runs [{elapsed_precise}] {wide_bar} ETA {eta}")
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

/// Draws the default figures of a finished output directory and says where they are.
fn plot_after(dir: &std::path::Path, quiet: bool) -> Result<()> {
    let written = peacesim::output::plot_dir(dir, &peacesim::output::PlotOptions::default())?;
    if !quiet {
        eprintln!("drew {} figure files in {}", written.len(), dir.join("figures").display());
    }
    Ok(())
}

fn check_ticks(ticks: Option<u32>) -> Result<()> {
    match ticks {
        Some(t) if !(1..=36_500).contains(&t) => Err(Error::Usage(format!("--ticks must be in [1, 36500], got {t}"))),
        _ => Ok(()),
    }
}

fn parse_overrides(set: &[String]) -> Result<Vec<Override>> {
    set.iter().map(|s| Override::parse(s)).collect()
}

fn dispatch(cli: Cli, stop: &(dyn Fn() -> bool + Sync)) -> Result<()> {
    match cli.command {
        Command::Run(args) => {
            check_ticks(args.ticks)?;
            let overrides = parse_overrides(&args.common.set)?;
            let input = ScenarioInput::resolve(&args.scenario)?;
            let mut spec = input.load(&overrides)?;
            spec.apply_run_overrides(args.seed, args.ticks);
            let naming = input.naming_path();
            if let Some(n) = args.replicates {
                if !(1..=100_000).contains(&n) {
                    return Err(Error::Usage(format!("--replicates must be in [1, 100000], got {n}")));
                }
                let shard = args.shard.as_deref().map(parse_shard).transpose()?;
                let exp = build::ensemble_of(&spec, n, spec.seed());
                let out = args
                    .common
                    .out
                    .clone()
                    .unwrap_or_else(|| build::default_dir(&naming, &format!("ensemble-seed-{}-n{n}", spec.seed())));
                if !args.common.quiet {
                    eprintln!(
                        "running {n} replicates of {} ({} ticks, master seed {})",
                        input.label.display(),
                        spec.ticks(),
                        spec.seed()
                    );
                }
                let bar = Bar::new(args.common.quiet);
                let report = execute(
                    &exp,
                    &ExecOptions {
                        out,
                        force: args.common.force,
                        threads: args.common.threads,
                        shard,
                        command: command_line(),
                        progress: &bar,
                        stop,
                    },
                )?;
                if report.skipped > 0 && !args.common.quiet {
                    eprintln!("resumed: {} of {} runs were already complete", report.skipped, report.runs);
                }
                if args.common.plot && shard.is_none() {
                    plot_after(&report.dir, args.common.quiet)?;
                }
                println!("{}", report.dir.display());
                return Ok(());
            }
            let scenario = match spec {
                ModelSpec::Peacesim(s) => *s,
                ModelSpec::Epstein(e) => {
                    let out = args.common.out.clone().unwrap_or_else(|| default_run_dir(&naming, e.seed));
                    let options = RunOptions {
                        out,
                        force: args.common.force,
                        threads: 1,
                        locality_every: None,
                        command: command_line(),
                    };
                    if !args.common.quiet {
                        eprintln!(
                            "running {} ({}x{} lattice, {} ticks, seed {})",
                            input.label.display(),
                            e.width,
                            e.height,
                            e.ticks,
                            e.seed
                        );
                    }
                    let dir = single::run_epstein_to_dir(&e, &options, stop)?;
                    if args.common.plot {
                        plot_after(&dir, args.common.quiet)?;
                    }
                    println!("{}", dir.display());
                    return Ok(());
                }
            };
            let out = args
                .common
                .out
                .clone()
                .unwrap_or_else(|| default_run_dir(&naming, scenario.run.seed));
            let options = RunOptions {
                out,
                force: args.common.force,
                threads: args.common.threads,
                locality_every: args.locality_every,
                command: command_line(),
            };
            if !args.common.quiet {
                eprintln!(
                    "running {} ({} people as {} agents, {} ticks, seed {})",
                    input.label.display(),
                    scenario.total_population(),
                    scenario.total_agents(),
                    scenario.run.ticks,
                    scenario.run.seed
                );
            }
            let dir = single::run_to_dir(&scenario, &options, stop)?;
            if args.common.plot {
                plot_after(&dir, args.common.quiet)?;
            }
            println!("{}", dir.display());
            Ok(())
        }
        Command::Sweep(args) => {
            let plan = plan::Plan::load(&args.plan)?;
            let shard = args.shard.as_deref().map(parse_shard).transpose()?;
            let exp = build::sweep(&plan);
            let out = args.out.clone().unwrap_or_else(|| build::default_dir(&args.plan, "sweep"));
            if !args.quiet {
                eprintln!(
                    "sweep {}: {} design points x {} replicates = {} runs{}",
                    args.plan.display(),
                    plan.points.len(),
                    plan.replicates,
                    plan.runs(),
                    shard.map(|(i, n)| format!(" (shard {i}/{n})")).unwrap_or_default()
                );
            }
            let bar = Bar::new(args.quiet);
            let report = execute(
                &exp,
                &ExecOptions {
                    out,
                    force: args.force,
                    threads: args.threads,
                    shard,
                    command: command_line(),
                    progress: &bar,
                    stop,
                },
            )?;
            if report.skipped > 0 && !args.quiet {
                eprintln!("resumed: {} of {} runs were already complete", report.skipped, report.runs);
            }
            if args.plot && shard.is_none() {
                plot_after(&report.dir, args.quiet)?;
            }
            println!("{}", report.dir.display());
            Ok(())
        }
        Command::Compare(args) => {
            check_ticks(args.ticks)?;
            let common = parse_overrides(&args.common.set)?;
            let naming = ScenarioInput::resolve(&args.scenario)?.naming_path();
            let mut arms = Vec::new();
            for a in &args.arms {
                let mut arm = build::parse_arm(a, &args.scenario, &common)?;
                arm.scenario.apply_run_overrides(None, args.ticks);
                arms.push(arm);
            }
            if !(1..=100_000).contains(&args.replicates) {
                return Err(Error::Usage(format!(
                    "--replicates must be in [1, 100000], got {}",
                    args.replicates
                )));
            }
            let seed = args.seed.unwrap_or(arms[0].scenario.seed());
            let exp = build::comparison(&arms, args.replicates, seed)?;
            let out = args
                .common
                .out
                .clone()
                .unwrap_or_else(|| build::default_dir(&naming, &format!("compare-seed-{seed}")));
            let bar = Bar::new(args.common.quiet);
            let report = execute(
                &exp,
                &ExecOptions {
                    out,
                    force: args.common.force,
                    threads: args.common.threads,
                    shard: None,
                    command: command_line(),
                    progress: &bar,
                    stop,
                },
            )?;
            let rows = compare::analyse(&report.dir, seed)?;
            if !args.common.quiet {
                println!("{}", compare::render_table(&rows, &compare::HEADLINE));
            }
            if args.common.plot {
                plot_after(&report.dir, args.common.quiet)?;
            }
            println!("{}", report.dir.display());
            Ok(())
        }
        Command::Whatif(args) => whatif(&args, stop),
        Command::Serve(args) => {
            let address = if args.bind.contains(':') {
                format!("[{}]:{}", args.bind, args.port)
            } else {
                format!("{}:{}", args.bind, args.port)
            };
            peacesim::serve::serve(
                &peacesim::serve::ServeOptions {
                    address,
                    out: args.out.clone(),
                    threads: args.threads,
                },
                stop,
                &|url| {
                    println!("peacesim dashboard: {url}");
                    eprintln!("(Ctrl-C stops the server)");
                },
            )
        }
        Command::Scenarios => {
            print!(
                "{}",
                peacesim::describe::listing(peacesim::library::builtin(), peacesim::describe::LISTING_WIDTH)
            );
            Ok(())
        }
        Command::Describe { scenario } => {
            let input = ScenarioInput::resolve(&scenario)?;
            let spec = input.load(&[])?;
            print!("{}", peacesim::describe::describe(&spec, &input.label.display().to_string()));
            Ok(())
        }
        Command::Plot(args) => {
            let formats = args
                .format
                .iter()
                .map(|f| f.parse())
                .collect::<Result<Vec<peacesim::output::Format>>>()?;
            let options = peacesim::output::PlotOptions {
                indicators: args.indicators,
                formats,
                map_indicator: args.map_indicator,
                map_tick: args.map_tick,
                map_ticks: args.map_ticks,
                outcome: args.outcome,
                ..peacesim::output::PlotOptions::default()
            };
            for path in peacesim::output::plot_dir(&args.dir, &options)? {
                println!("{}", path.display());
            }
            Ok(())
        }
        Command::Merge { dir } => {
            let merged = merge::merge(&dir, &command_line())?;
            println!("{}", merged.display());
            Ok(())
        }
        Command::Check {
            scale,
            seeds,
            out,
            threads,
        } => {
            let mut scale = match scale.as_str() {
                "small" => peacesim::validation::Scale::SMALL,
                "full" => peacesim::validation::Scale::FULL,
                other => return Err(Error::Usage(format!("--scale must be `small` or `full`, got `{other}`"))),
            };
            if let Some(n) = seeds {
                scale.seeds = n.max(1);
            }
            let results = with_threads(threads, || peacesim::validation::run_all(scale))??;
            let canonical = match seeds {
                Some(n) => format!("peacesim check --scale {} --seeds {n}", scale.name),
                None => format!("peacesim check --scale {}", scale.name),
            };
            let report = peacesim::validation::render(&results, scale, &canonical);
            match out {
                Some(path) => std::fs::write(&path, &report).map_err(|source| Error::Write {
                    path: path.clone(),
                    source,
                })?,
                None => println!("{report}"),
            }
            let failed = results.iter().filter(|r| !r.passed).count();
            eprintln!("{} of {} patterns reproduced", results.len() - failed, results.len());
            Ok(())
        }
        Command::Validate { files } => {
            let mut failed = 0;
            for f in &files {
                match Scenario::from_path(f) {
                    Ok(s) => println!(
                        "{}: ok ({}, {} localities, {} people)",
                        f.display(),
                        s.name,
                        s.localities.len(),
                        s.total_population()
                    ),
                    Err(e) => {
                        failed += 1;
                        eprintln!("{e}");
                    }
                }
            }
            if failed > 0 {
                Err(Error::Usage(format!("{failed} of {} scenario files are invalid", files.len())))
            } else {
                Ok(())
            }
        }
        Command::Params { markdown } => {
            for p in Rules::catalogue() {
                if markdown {
                    println!(
                        "| `{}` | {} | {} | [{}, {}] | {} | {} |",
                        p.path, p.default, p.unit, p.min, p.max, p.meaning, p.source
                    );
                } else {
                    println!(
                        "{} = {} [{}] range [{}, {}]\n    {}\n    source: {}",
                        p.path, p.default, p.unit, p.min, p.max, p.meaning, p.source
                    );
                }
            }
            for p in peacesim::scenario::RawCutoffs::catalogue() {
                if markdown {
                    println!(
                        "| `{}` | {} | {} | [{}, {}] | {} | {} |",
                        p.path, p.default, p.unit, p.min, p.max, p.meaning, p.source
                    );
                } else {
                    println!(
                        "{} = {} [{}] range [{}, {}]\n    {}\n    source: {}",
                        p.path, p.default, p.unit, p.min, p.max, p.meaning, p.source
                    );
                }
            }
            Ok(())
        }
        Command::Indicators { markdown } => {
            use peacesim::rules::indicators::{Indicators, LocalityIndicators};
            for (file, names, units, meanings) in [
                ("timeseries.csv", Indicators::NAMES, Indicators::UNITS, Indicators::MEANINGS),
                (
                    "localities.csv",
                    LocalityIndicators::NAMES,
                    LocalityIndicators::UNITS,
                    LocalityIndicators::MEANINGS,
                ),
            ] {
                for ((n, u), m) in names.iter().zip(units).zip(meanings) {
                    if markdown {
                        println!("| {file} | `{n}` | {u} | {} |", m.trim());
                    } else {
                        println!("{file}: {n} [{u}] {}", m.trim());
                    }
                }
            }
            Ok(())
        }
    }
}

/// Quotes a word for a POSIX shell when it holds anything but plain path and value characters.
/// `peacesim whatif`: validates both arms, the changes and the output location, runs the paired
/// ensemble, and prints the report.
fn whatif(args: &cli::WhatIfArgs, stop: &(dyn Fn() -> bool + Sync)) -> Result<()> {
    check_ticks(args.ticks)?;
    let formats = args
        .format
        .iter()
        .map(|f| f.parse())
        .collect::<Result<Vec<peacesim::output::Format>>>()?;
    let prepared = request::prepare(&request::Request {
        scenario: args.scenario.clone(),
        alt: args.alt.clone(),
        set: args.set.clone(),
        ticks: args.ticks,
        replicates: args.replicates,
        seed: args.seed,
        formats,
    })?;
    let (exp, setup, seed) = (prepared.experiment, prepared.setup, prepared.seed);
    let out = args.out.clone().unwrap_or(prepared.default_dir);
    if !args.quiet {
        eprintln!(
            "running {} replicate pairs of {} as is and what if ({} ticks, master seed {seed})",
            args.replicates, setup.scenario, setup.ticks
        );
    }
    let bar = Bar::new(args.quiet);
    let report = execute(
        &exp,
        &ExecOptions {
            out,
            force: args.force,
            threads: args.threads,
            shard: None,
            command: command_line(),
            progress: &bar,
            stop,
        },
    )?;
    if report.skipped > 0 && !args.quiet {
        eprintln!("resumed: {} of {} runs were already complete", report.skipped, report.runs);
    }
    if !args.quiet {
        let analysis = analysis::analyse(&report.dir, seed, setup.model)?;
        println!("{}", render::render_text(&analysis, &setup));
    }
    println!("{}", report.dir.display());
    Ok(())
}
