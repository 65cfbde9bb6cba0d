//! The `peacesim` binary: parses the command line, calls the library, maps errors to exit codes.
#![expect(clippy::print_stdout, clippy::print_stderr, reason = "the binary is where printing belongs")]

mod cli;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;

use peacesim::error::{Error, Result};
use peacesim::experiment::single::{self, RunOptions};
use peacesim::output::default_run_dir;
use peacesim::scenario::{Override, Rules, Scenario};

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

fn parse_overrides(set: &[String]) -> Result<Vec<Override>> {
    set.iter().map(|s| Override::parse(s)).collect()
}

fn dispatch(cli: Cli, stop: &(dyn Fn() -> bool + Sync)) -> Result<()> {
    match cli.command {
        Command::Run(args) => {
            if let Some(t) = args.ticks
                && !(1..=36_500).contains(&t)
            {
                return Err(Error::Usage(format!("--ticks must be in [1, 36500], got {t}")));
            }
            let overrides = parse_overrides(&args.common.set)?;
            let mut scenario = Scenario::from_path_with_overrides(&args.scenario, &overrides)?;
            single::apply_run_overrides(&mut scenario, args.seed, args.ticks);
            let out = args
                .common
                .out
                .clone()
                .unwrap_or_else(|| default_run_dir(&args.scenario, scenario.run.seed));
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
                    args.scenario.display(),
                    scenario.total_population(),
                    scenario.total_agents(),
                    scenario.run.ticks,
                    scenario.run.seed
                );
            }
            let dir = single::run_to_dir(&scenario, &options, stop)?;
            println!("{}", dir.display());
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
