//! Command-line interface: argument types (clap derive). Belongs to the binary only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Shown after the top-level help: examples, and what each exit code means (the codes are
/// `Error::exit_code` and `main`'s handling of clap, `--help` and closed pipes).
const AFTER_HELP: &str = "\
Examples:
  peacesim scenarios                               list the built-in scenarios
  peacesim run baseline                            one year of the baseline
  peacesim run baseline --replicates 20 --plot     an ensemble of 20 runs, with figures
  peacesim whatif baseline --set mission.troops=0  the mission without troops, paired
  peacesim compare baseline --arm as-is= --arm 'bottom-up=mission.policy.allocation=\"bottom_up\"'
  peacesim sweep plan.toml --shard 0/4             one shard of four; then `peacesim merge`
  peacesim sensitivity docs/examples/sensitivity-tiny.toml   Morris and Sobol' indices
  peacesim robust docs/examples/robust-tiny.toml   policies across sampled futures
  peacesim calibrate docs/examples/calibrate-twin.toml   fit parameters; a twin experiment
  peacesim export tiny-conflict > mine.toml        a built-in scenario's file, to edit
  peacesim completions bash > ~/.local/share/bash-completion/completions/peacesim

Exit codes:
  0    success; also a complete experiment run again (nothing to do), and output to a reader
       that has gone (`peacesim params | head -1`)
  1    invalid input: a scenario, plan, --set value or command line (every problem is listed);
       `peacesim check`: a pattern did not reproduce (documented misses only with --strict), or
       with --knockouts one still passes with its mechanism switched off (the report is still
       written and names them)
  2    output or I/O problem: an input that cannot be read, an output that cannot be written or
       is in use, `verify` or `merge` finding a directory that does not match its manifest
  130  interrupted by Ctrl-C or SIGTERM (partial output removed, or kept for the same command to
       resume), or the dashboard stopped
  Any other code (101: a panic) is a bug; please report it with the command line.";

/// peacesim: simulate peace operations and human security.
#[derive(Debug, Parser)]
#[command(
    name = "peacesim",
    version = peacesim::output::manifest::VERSION,
    about,
    long_about = None,
    propagate_version = true,
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write timeseries, localities, subgroups, events and a manifest.
    Run(RunArgs),
    /// Run a sweep plan (factorial, policy simplex, Latin hypercube or CSV design); resumable.
    Sweep(SweepArgs),
    /// Compare arms (policies, mandates, scenario files) with common random numbers.
    Compare(CompareArgs),
    /// Run a scenario as is and with changes (paired, common random numbers) and say what changed.
    Whatif(WhatIfArgs),
    /// Global sensitivity of outcomes to uncertain parameters (Morris, Sobol'); resumable, shardable.
    Sensitivity(UqArgs),
    /// Compare policies across sampled futures: probability best, regret, ranking flips and their drivers.
    Robust(UqArgs),
    /// Fit uncertain parameters to observed targets (ABC rejection, history matching, ABC-SMC); posterior.csv.
    Calibrate(UqArgs),
    /// A what-if dashboard in the browser (local web server; prints its address).
    Serve(ServeArgs),
    /// List the scenarios built into peacesim: name, model, people, length and description.
    Scenarios,
    /// Write a built-in scenario's TOML file, as shipped, to stdout or a file (to start your own).
    Export {
        /// Built-in scenario name (see `peacesim scenarios`), with or without `.toml`.
        name: String,
        /// Write to this file instead of standard output (prints its path).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace FILE if it exists.
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Describe a scenario in plain language: population, armed groups, mission, scheduled events.
    Describe {
        /// Scenario file or built-in scenario name (see `peacesim scenarios`).
        scenario: PathBuf,
    },
    /// Draw figures (SVG and PNG) from any output directory into DIR/figures/.
    Plot(PlotArgs),
    /// Merge the shards of an ensemble or sweep directory into one.
    Merge {
        /// Experiment directory holding shards/shard-I-of-N.
        dir: PathBuf,
    },
    /// Check an output directory against its manifest (files, sizes, SHA-256, rows, runs
    /// exactly once, shards); exit 0 if sound, 2 listing every problem otherwise.
    Verify {
        /// Output directory (a run, an experiment, with or without shards, or one shard).
        dir: PathBuf,
    },
    /// Run the validation checks (Epstein reproduction and stylised facts) and report them.
    Check {
        /// `small` (8 seeds, fast) or `full` (20 seeds, the scale of docs/VALIDATION.md).
        #[arg(long, default_value = "small")]
        scale: String,
        /// Seeds per arm (overrides the scale's).
        #[arg(long)]
        seeds: Option<u64>,
        /// Write the Markdown report here (e.g. docs/VALIDATION-results.md) instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads (default: all cores).
        #[arg(long, default_value_t = 0, hide_default_value = true)]
        threads: usize,
        /// Run every check with the mechanism it tests switched off; exit 0 only if every check
        /// then fails (exit 1 names those that still pass).
        #[arg(long)]
        knockouts: bool,
        /// Exit 1 on documented misses too (patterns the model is known not to reproduce,
        /// explained in docs/VALIDATION.md); without it they are reported and named but only
        /// another failing pattern exits 1.
        #[arg(long)]
        strict: bool,
    },
    /// Check scenario files (either model) and report every problem of each; exit 1 if any is
    /// invalid, 2 if none is but some could not be read.
    Validate {
        /// Scenario files or built-in scenario names (see `peacesim scenarios`).
        #[arg(required = true, value_name = "SCENARIO")]
        files: Vec<PathBuf>,
    },
    /// Print a shell completion script (e.g. `peacesim completions bash > ~/.local/share/bash-completion/completions/peacesim`).
    Completions {
        /// Shell: bash, elvish, fish, powershell or zsh.
        shell: clap_complete::Shell,
    },
    /// Write the manual pages, generated from this command line: `peacesim.1` and one
    /// `peacesim-COMMAND.1` per command into DIR (e.g. `peacesim man ~/.local/share/man/man1`),
    /// or print `peacesim.1` without DIR (`peacesim man | man -l -`).
    Man {
        /// Directory to write the pages into (created if missing).
        dir: Option<PathBuf>,
    },
    /// Print the JSON Schema of an input file (`scenario`, `epstein` or `plan`) for editors
    /// that check TOML against a schema (e.g. `peacesim schema scenario > scenario.schema.json`).
    Schema {
        /// Which file: scenario, epstein or plan.
        #[arg(value_parser = ["scenario", "epstein", "plan"])]
        file: String,
    },
    /// List every mechanism parameter with its default, range, unit and source.
    Params {
        /// Print as Markdown table rows (for docs/ODD.md).
        #[arg(long)]
        markdown: bool,
    },
    /// List every column of every CSV file peacesim writes, with its unit and meaning (a Parquet
    /// copy written with --parquet, NAME.parquet, has the same columns as NAME.csv).
    Indicators {
        /// Print as Markdown table rows (for docs/ODD.md).
        #[arg(long)]
        markdown: bool,
    },
}

/// Options shared by commands that run simulations.
#[derive(Debug, Clone, Args)]
pub struct RunCommon {
    /// Worker threads (default: all cores). Outputs do not depend on it.
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// Override a scenario field before validation, e.g. --set mission.troops=4000 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Replace an existing output directory.
    #[arg(long)]
    pub force: bool,
    /// Output directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print nothing but the output directory.
    #[arg(long, short)]
    pub quiet: bool,
    /// Draw the default figures into the output directory's figures/ when done.
    #[arg(long)]
    pub plot: bool,
    /// Also write each large table as Parquet (NAME.parquet beside NAME.csv; typed columns, for
    /// pandas, R arrow, polars, DuckDB). The CSV files are the same with or without it.
    #[arg(long)]
    pub parquet: bool,
    /// How figures look.
    #[command(flatten)]
    pub figures: FigureArgs,
}

/// How figures look: `--style` and `--width`.
#[derive(Debug, Clone, Args)]
pub struct FigureArgs {
    /// Figure style: `screen` (title and caption in the image; PNG 2000 px wide) or `paper` (no
    /// title, axis labels in words, lines told apart by dashes and markers too; PNG at 300 dpi).
    #[arg(long = "style", default_value = "screen", value_name = "STYLE")]
    pub style: String,
    /// Width of paper-style figures: `single` (one journal column, 85 mm) or `double` (two
    /// columns, 178 mm).
    #[arg(long = "width", default_value = "single", value_name = "WIDTH")]
    pub width: String,
}

/// `peacesim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file or built-in scenario name (see `peacesim scenarios`).
    pub scenario: PathBuf,
    /// Run seed (default: the scenario's).
    #[arg(long, value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Ticks to run (default: the scenario's; events after the end do not happen).
    #[arg(long)]
    pub ticks: Option<u32>,
    /// Write per-locality and subgroup rows every N ticks (default: the scenario's, usually 1).
    #[arg(long, value_name = "N")]
    pub locality_every: Option<u32>,
    /// Run N replicates (an ensemble: per-replicate series, summary.csv, outcomes.csv).
    #[arg(long, value_name = "N")]
    pub replicates: Option<u32>,
    /// With --replicates: run only shard I of N (then `peacesim merge`).
    #[arg(long, value_name = "I/N", requires = "replicates")]
    pub shard: Option<String>,
    /// Shared options.
    #[command(flatten)]
    pub common: RunCommon,
}

/// `peacesim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Plan file.
    pub plan: PathBuf,
    /// Run only shard I of N (0-based), into OUT/shards/shard-I-of-N; then `peacesim merge OUT`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Worker threads (default: all cores). Outputs do not depend on it.
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// Start over even if the directory holds a partial or complete sweep.
    #[arg(long)]
    pub force: bool,
    /// Output directory (default: outputs/<plan-stem>/sweep).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Draw the default figures into the output directory's figures/ when done.
    #[arg(long)]
    pub plot: bool,
    /// Also write each large table as Parquet (NAME.parquet beside NAME.csv; typed columns, for
    /// pandas, R arrow, polars, DuckDB). The CSV files are the same with or without it.
    #[arg(long)]
    pub parquet: bool,
    /// How figures look.
    #[command(flatten)]
    pub figures: FigureArgs,
}

/// `peacesim sensitivity`, `robust` and `calibrate`: a plan run as a sweep in OUT/runs, then
/// analysed into OUT.
#[derive(Debug, Args)]
pub struct UqArgs {
    /// Plan file.
    pub plan: PathBuf,
    /// Run only shard I of N (0-based) of the runs, into OUT/runs/shards/shard-I-of-N; then
    /// `peacesim merge OUT/runs` and the same command without --shard for the analysis.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Worker threads (default: all cores). Outputs do not depend on it.
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// Start the runs over even if OUT/runs holds a partial or complete experiment.
    #[arg(long)]
    pub force: bool,
    /// Output directory (default: outputs/<plan-stem>/<command>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Figure formats, comma-separated: svg, png (`none` for no figures).
    #[arg(long, value_delimiter = ',', default_value = "svg,png")]
    pub format: Vec<String>,
    /// Also write the runs' large tables (in OUT/runs) as Parquet (NAME.parquet beside NAME.csv;
    /// typed columns, for pandas, R arrow, polars, DuckDB). The CSV files are the same with or
    /// without it.
    #[arg(long)]
    pub parquet: bool,
    /// How figures look.
    #[command(flatten)]
    pub figures: FigureArgs,
    /// No progress bar or messages; print only the output directory.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `peacesim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Base scenario file or built-in scenario name (see `peacesim scenarios`).
    pub scenario: PathBuf,
    /// An arm: NAME=SPEC, where SPEC is empty (the scenario as is), a .toml file, or
    /// PATH=VALUE;PATH=VALUE overrides. The first arm is the reference. Repeat for each arm.
    #[arg(long = "arm", value_name = "NAME=SPEC", required = true)]
    pub arms: Vec<String>,
    /// Replicates per arm (same seeds in every arm).
    #[arg(long, default_value_t = 20)]
    pub replicates: u32,
    /// Master seed (default: the scenario's).
    #[arg(long, value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Ticks per run (default: the scenario's).
    #[arg(long)]
    pub ticks: Option<u32>,
    /// Shared options (--set applies to every arm).
    #[command(flatten)]
    pub common: RunCommon,
}

/// `peacesim serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port (0: any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind. The default serves this machine only; binding another address (e.g.
    /// 0.0.0.0 for a classroom network) exposes the dashboard to others on that network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Directory under which each run's files are written.
    #[arg(long, default_value = "outputs/dashboard")]
    pub out: PathBuf,
    /// Worker threads for runs (default: all cores).
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// Runs going at once; the others wait in line (default: one per two cores, at least one;
    /// or PEACESIM_SERVE_RUNS).
    #[arg(long)]
    pub max_runs: Option<usize>,
    /// Remove run folders older than this many hours (default 24, or PEACESIM_SERVE_KEEP_HOURS).
    #[arg(long)]
    pub keep_hours: Option<f64>,
    /// Remove the oldest run folders while all of them take more than this many megabytes
    /// (default 2048, or PEACESIM_SERVE_KEEP_MB).
    #[arg(long)]
    pub keep_mb: Option<f64>,
}

/// `peacesim whatif`.
#[derive(Debug, Args)]
pub struct WhatIfArgs {
    /// Scenario file or built-in scenario name (see `peacesim scenarios`).
    pub scenario: PathBuf,
    /// A change in the what-if arm: PATH=VALUE, e.g. --set mission.troops=0 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// An alternative scenario (file or built-in name) for the what-if arm; --set applies on top.
    #[arg(long, value_name = "FILE")]
    pub alt: Option<PathBuf>,
    /// Replicate pairs (the same seeds in both arms).
    #[arg(long, default_value_t = 10)]
    pub replicates: u32,
    /// Master seed (default: the scenario's).
    #[arg(long, value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Ticks per run, in both arms (default: the scenario's).
    #[arg(long)]
    pub ticks: Option<u32>,
    /// Worker threads (default: all cores). Outputs do not depend on it.
    #[arg(long, default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// Output directory (default: outputs/<scenario>/whatif-seed-<seed>-<hash of the changes>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing output directory.
    #[arg(long)]
    pub force: bool,
    /// Figure formats, comma-separated: svg, png.
    #[arg(long, value_delimiter = ',', default_value = "svg,png")]
    pub format: Vec<String>,
    /// Also write each large table as Parquet (NAME.parquet beside NAME.csv; typed columns, for
    /// pandas, R arrow, polars, DuckDB). The CSV files are the same with or without it.
    #[arg(long)]
    pub parquet: bool,
    /// How figures look.
    #[command(flatten)]
    pub figures: FigureArgs,
    /// Print nothing but the output directory.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `peacesim plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// Output directory of a run, ensemble, sweep or comparison.
    pub dir: PathBuf,
    /// Indicators for time-series figures (timeseries.csv columns, `civilian_fatalities`, or `<name>_cumulative`); repeatable.
    #[arg(long = "indicator", value_name = "NAME")]
    pub indicators: Vec<String>,
    /// Formats, comma-separated: svg, png.
    #[arg(long, value_delimiter = ',', default_value = "svg,png")]
    pub format: Vec<String>,
    /// Locality indicator for maps (default af_m0).
    #[arg(long)]
    pub map_indicator: Option<String>,
    /// Tick of the map (default: the last).
    #[arg(long)]
    pub map_tick: Option<u32>,
    /// Ticks of the small-multiples map strip, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub map_ticks: Vec<u32>,
    /// Outcome for sweep figures (default civilian_fatalities).
    #[arg(long)]
    pub outcome: Option<String>,
    /// How figures look.
    #[command(flatten)]
    pub figures: FigureArgs,
}

/// Parses `--seed`: an unsigned integer that is exact in a double (see [`peacesim::rng::MAX_SEED`]).
fn parse_seed(text: &str) -> Result<u64, String> {
    let seed: u64 = text.parse().map_err(|e| format!("{e}"))?;
    peacesim::rng::check_seed(seed)
}
