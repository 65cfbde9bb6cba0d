//! Interrupted and failing runs: a full disk, SIGINT and SIGTERM, unreadable files, and a parser
//! that never panics on arbitrary bytes. Nothing is lost, nothing half-written looks complete.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use peacesim::spec::ModelSpec;
use proptest::prelude::*;

use crate::util;

/// Runs `peacesim ARGS` inside a private mount namespace whose `mount_point` is a tmpfs of
/// `size_kb` kilobytes: a disk that fills up, without touching the machine's disks. Needs
/// `unshare` (util-linux) and user namespaces, or root.
fn peacesim_on_a_small_disk(mount_point: &Path, size_kb: u32, args: &[&str]) -> std::process::Output {
    let quoted: Vec<String> = std::iter::once(util::bin().display().to_string())
        .chain(args.iter().map(|a| (*a).to_string()))
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let script = format!(
        "mount -t tmpfs -o size={size_kb}k tmpfs '{}' || exit 97; {}",
        mount_point.display(),
        quoted.join(" ")
    );
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c", &script])
        .output()
        .expect("unshare (util-linux) runs");
    assert_ne!(
        out.status.code(),
        Some(97),
        "could not mount a small tmpfs in a private namespace: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn a_full_disk_is_a_clear_error_and_leaves_nothing_that_looks_complete() {
    let dir = util::temp_dir("full-disk");
    let disk = dir.join("disk");
    std::fs::create_dir_all(&disk).unwrap();
    let scenario = util::scenario_path("tiny-conflict.toml");
    let out_dir = disk.join("run");
    let out = peacesim_on_a_small_disk(
        &disk,
        256,
        &["run", scenario.to_str().unwrap(), "--quiet", "--out", out_dir.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2), "exit code 2 for an I/O problem");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("No space left on device") && err.contains(".csv"),
        "names the file and the cause: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // The tmpfs vanished with the namespace; on the real directory nothing was written.
    assert!(!out_dir.exists());

    // An ensemble on a full disk: the same, and the directory does not look complete.
    let out = peacesim_on_a_small_disk(
        &disk,
        256,
        &[
            "run",
            scenario.to_str().unwrap(),
            "--replicates",
            "3",
            "--quiet",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("No space left on device"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// Starts `peacesim ARGS`, waits until `ready` holds (or 60 s), then sends `signal`.
fn interrupt(args: &[&str], signal: &str, ready: impl Fn() -> bool) -> std::process::Output {
    let child = Command::new(util::bin())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !ready() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(10));
    }
    // The shell's built-in kill: no dependency on procps.
    let status = Command::new("sh")
        .args(["-c", &format!("kill -{signal} {}", child.id())])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait_with_output().unwrap()
}

#[test]
fn sigint_sigterm_and_sigkill_leave_no_run_output_that_looks_complete() {
    let dir = util::temp_dir("signals-run");
    let scenario = util::scenario_path("baseline.toml");
    for signal in ["INT", "TERM"] {
        let out_dir = dir.join(format!("run-{signal}"));
        let parent = dir.clone();
        let out = interrupt(
            &["run", scenario.to_str().unwrap(), "--quiet", "--out", out_dir.to_str().unwrap()],
            signal,
            // A staged directory exists once the run has started writing.
            || {
                std::fs::read_dir(&parent)
                    .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().contains(".partial")))
                    .unwrap_or(false)
            },
        );
        assert_eq!(
            out.status.code(),
            Some(130),
            "SIG{signal}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out_dir.exists(), "SIG{signal}: the run's directory must not exist");
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(&format!("run-{signal}")))
            .collect();
        assert!(leftovers.is_empty(), "SIG{signal}: the staged output is removed: {leftovers:?}");
    }
    // SIGKILL cannot be handled: the run dies mid-write and leaves its hidden staged directory,
    // which never holds a complete manifest and is never mistaken for output.
    let out_dir = dir.join("run-KILL");
    let parent = dir.clone();
    let out = interrupt(
        &["run", scenario.to_str().unwrap(), "--quiet", "--out", out_dir.to_str().unwrap()],
        "KILL",
        || {
            std::fs::read_dir(&parent)
                .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().contains("run-KILL.partial")))
                .unwrap_or(false)
        },
    );
    assert_eq!(out.status.code(), None, "killed by a signal");
    assert!(!out_dir.exists(), "SIGKILL: no directory under the requested name");
    for staged in std::fs::read_dir(&dir).unwrap().flatten() {
        let manifest = staged.path().join("manifest.json");
        if let Ok(text) = std::fs::read_to_string(manifest) {
            assert!(!text.contains("\"complete\": true"), "a staged directory never says complete");
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn sigterm_stops_a_sweep_which_then_resumes_to_the_same_bytes() {
    let dir = util::temp_dir("signals-sweep");
    let text = std::fs::read_to_string(util::root().join("tests/data/plans/tiny-factorial.toml"))
        .unwrap()
        .replace("replicates = 2", "replicates = 4")
        .replace("ticks = 25", "ticks = 100")
        .replace("../../../scenarios", &util::root().join("scenarios").display().to_string());
    let plan = util::write(&dir, "plan.toml", &text);
    let reference = dir.join("reference");
    let ok = Command::new(util::bin())
        .args(["sweep", plan.to_str().unwrap(), "--quiet", "--out", reference.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(ok.success());

    let out_dir = dir.join("stopped");
    let partial = out_dir.join("outcomes.csv.partial");
    let out = interrupt(
        &["sweep", plan.to_str().unwrap(), "--quiet", "--out", out_dir.to_str().unwrap()],
        "TERM",
        || std::fs::read_to_string(&partial).map(|t| t.lines().count() >= 3).unwrap_or(false),
    );
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!out_dir.join("outcomes.csv").exists(), "a stopped sweep must not look complete");
    let manifest = std::fs::read_to_string(out_dir.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"complete\": false"), "{manifest}");
    // Plotting refuses it.
    let plot = Command::new(util::bin())
        .args(["plot", out_dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert_ne!(plot.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&plot.stderr).contains("incomplete"));

    let ok = Command::new(util::bin())
        .args(["sweep", plan.to_str().unwrap(), "--quiet", "--out", out_dir.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(ok.success());
    for f in ["outcomes.csv", "design.csv"] {
        assert_eq!(
            std::fs::read(reference.join(f)).unwrap(),
            std::fs::read(out_dir.join(f)).unwrap(),
            "{f} after resuming"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unreadable_scenario_file_is_named_with_the_cause() {
    let dir = util::temp_dir("unreadable");
    let file = util::write(
        &dir,
        "secret.toml",
        &std::fs::read_to_string(util::scenario_path("tiny-conflict.toml")).unwrap(),
    );
    // A directory where a file is expected is unreadable as a file, for root too.
    let as_dir = dir.join("folder.toml");
    std::fs::create_dir_all(&as_dir).unwrap();
    let out = Command::new(util::bin())
        .args(["run", as_dir.to_str().unwrap(), "--quiet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("folder.toml") && err.contains("could not read"), "{err}");
    // Invalid UTF-8 is named as such.
    std::fs::write(&file, b"schema_version = 1\nname = \"\xff\xfe\"\n").unwrap();
    let out = Command::new(util::bin())
        .args(["validate", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("secret.toml") && !err.contains("panicked"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

fn tiny_conflict_text() -> String {
    std::fs::read_to_string(util::scenario_path("tiny-conflict.toml")).unwrap()
}

/// Parses and validates; the result does not matter, only that it returns.
fn parse(text: &str) {
    let _ = ModelSpec::from_text(text, Path::new("fuzz.toml"), &[]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// Arbitrary bytes, read as the CLI reads a file (lossy UTF-8 here; the CLI rejects invalid
    /// UTF-8 before parsing).
    #[test]
    fn the_parser_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        parse(&String::from_utf8_lossy(&bytes));
    }

    /// A valid scenario with a few bytes replaced, deleted or inserted: reaches deep into
    /// validation (ranges, references, events) rather than stopping at the TOML syntax.
    #[test]
    fn the_parser_never_panics_on_a_mutated_valid_scenario(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<u8>()), 1..8)
    ) {
        let mut bytes = tiny_conflict_text().into_bytes();
        for (at, kind, byte) in edits {
            let i = at.index(bytes.len().max(1));
            match kind {
                0 if !bytes.is_empty() => bytes[i] = byte,
                1 if !bytes.is_empty() => { bytes.remove(i); }
                _ => bytes.insert(i.min(bytes.len()), byte),
            }
        }
        parse(&String::from_utf8_lossy(&bytes));
    }

    /// A sweep plan with a few bytes changed: loading it (and the base scenario it names) fails
    /// cleanly or succeeds, never panics.
    #[test]
    fn the_plan_loader_never_panics_on_a_mutated_plan(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)
    ) {
        let text = std::fs::read_to_string(util::root().join("tests/data/plans/tiny-factorial.toml"))
            .unwrap()
            .replace("../../../scenarios", &util::root().join("scenarios").display().to_string());
        let mut bytes = text.into_bytes();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let dir = std::env::temp_dir().join(format!("peacesim-plan-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("plan.toml");
        std::fs::write(&path, &bytes).unwrap();
        let _ = peacesim::experiment::plan::Plan::load(&path);
    }

    /// A CSV design with a few bytes changed (quotes, commas, newlines, binary): loading the plan
    /// fails cleanly or succeeds, never panics.
    #[test]
    fn the_plan_loader_never_panics_on_a_mutated_design_csv(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, prop::sample::select(vec![b'"', b',', b'\n', b'\r', b'=', b'[', b'{', b' ', b'0', b'x', 0u8, 0xff])), 1..6)
    ) {
        let mut bytes = std::fs::read(util::root().join("tests/data/plans/tiny-design.csv")).unwrap();
        for (at, kind, byte) in edits {
            let i = at.index(bytes.len().max(1));
            match kind {
                0 if !bytes.is_empty() => bytes[i] = byte,
                1 if !bytes.is_empty() => { bytes.remove(i); }
                _ => bytes.insert(i.min(bytes.len()), byte),
            }
        }
        let plan = std::fs::read_to_string(util::root().join("tests/data/plans/tiny-csv.toml"))
            .unwrap()
            .replace("../../../scenarios", &util::root().join("scenarios").display().to_string());
        let dir = std::env::temp_dir().join(format!("peacesim-design-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("tiny-design.csv"), &bytes).unwrap();
        std::fs::write(dir.join("plan.toml"), plan).unwrap();
        let _ = peacesim::experiment::plan::Plan::load(&dir.join("plan.toml"));
    }

    /// Values of any type or size written into scenario fields.
    #[test]
    fn the_parser_never_panics_on_odd_values(
        field in prop::sample::select(vec!["ticks = ", "population = ", "fighters = ", "troops = ", "capacity = ", "x_km = ", "tick = ", "cases = "]),
        value in prop::sample::select(vec!["-1", "0", "1e308", "-1e308", "nan", "inf", "-inf", "9223372036854775807", "-9223372036854775808", "\"x\"", "[]", "{}", "true", "1979-05-27"])
    ) {
        let text = tiny_conflict_text();
        let edited = match text.find(field) {
            Some(at) => {
                let end = text[at..].find('\n').map_or(text.len(), |e| at + e);
                format!("{}{}{}{}", &text[..at], field, value, &text[end..])
            }
            None => text,
        };
        parse(&edited);
    }
}

/// A small sharded sweep (`tiny-factorial`: 4 points × 2 replicates, series kept) run by the
/// binary into `dir/NAME/shards/shard-I-of-2`; returns the experiment directory.
fn sharded_sweep(dir: &Path, name: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(util::root().join("tests/data/plans/tiny-factorial.toml"))
        .unwrap()
        .replace("../../../scenarios", &util::root().join("scenarios").display().to_string());
    let plan = util::write(dir, "plan.toml", &text);
    let out = dir.join(name);
    for shard in ["0/2", "1/2"] {
        let run = util::peacesim(
            &[
                "sweep",
                plan.to_str().unwrap(),
                "--quiet",
                "--shard",
                shard,
                "--out",
                out.to_str().unwrap(),
            ],
            dir,
        );
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    }
    out
}

/// Names of the entries of `dir` other than `shards`.
fn merged_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "shards")
        .collect();
    names.sort();
    names
}

#[test]
fn merge_refuses_shards_with_missing_or_duplicated_runs_and_writes_nothing() {
    let dir = util::temp_dir("merge-checks");
    let out = sharded_sweep(&dir, "sweep");
    let shard1 = out.join("shards/shard-1-of-2/outcomes.csv");
    let good = std::fs::read_to_string(&shard1).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    // Shard 1 holds runs 1, 3, 5, 7 (one outcome row each).
    assert_eq!(lines.len(), 5, "{good}");

    // A run written twice (two writers, a resume gone wrong): refused, naming shard and run.
    let duplicated = format!("{}\n{}\n{}\n", lines[..3].join("\n"), lines[2], lines[3..].join("\n"));
    std::fs::write(&shard1, &duplicated).unwrap();
    let merge = util::peacesim(&["merge", out.to_str().unwrap()], &dir);
    let err = String::from_utf8_lossy(&merge.stderr);
    assert_eq!(merge.status.code(), Some(2), "{err}");
    assert!(
        err.contains("shard-1-of-2/outcomes.csv") && err.contains("run 3 appears 2 times"),
        "names the shard, the file and the run: {err}"
    );
    assert!(err.contains("rows; manifest.json says 4"), "and the row count: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(merged_files(&out).is_empty(), "nothing written: {:?}", merged_files(&out));

    // A run missing.
    let missing = format!("{}\n{}\n", lines[..2].join("\n"), lines[3..].join("\n"));
    std::fs::write(&shard1, &missing).unwrap();
    let merge = util::peacesim(&["merge", out.to_str().unwrap()], &dir);
    let err = String::from_utf8_lossy(&merge.stderr);
    assert_eq!(merge.status.code(), Some(2), "{err}");
    assert!(
        err.contains("shard-1-of-2/outcomes.csv") && err.contains("run 3 is missing"),
        "{err}"
    );
    assert!(merged_files(&out).is_empty(), "nothing written: {:?}", merged_files(&out));

    // Repaired, the merge succeeds and the result is complete.
    std::fs::write(&shard1, &good).unwrap();
    let merge = util::peacesim(&["merge", out.to_str().unwrap()], &dir);
    assert!(merge.status.success(), "{}", String::from_utf8_lossy(&merge.stderr));
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"complete\": true"), "{manifest}");

    // A shard whose series lost a run's rows: refused too (the checks come before any writing,
    // so the earlier merge is left as it was).
    let series = out.join("shards/shard-0-of-2/series.csv");
    let text = std::fs::read_to_string(&series).unwrap();
    let cut: Vec<&str> = text.lines().filter(|l| !l.starts_with("2,")).collect();
    std::fs::write(&series, format!("{}\n", cut.join("\n"))).unwrap();
    let merge = util::peacesim(&["merge", out.to_str().unwrap()], &dir);
    let err = String::from_utf8_lossy(&merge.stderr);
    assert_eq!(merge.status.code(), Some(2), "{err}");
    assert!(err.contains("shard-0-of-2/series.csv") && err.contains("run 2 is missing"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// Writes a plan (with `SCENARIOS` replaced by the shipped scenarios' folder) and an optional
/// design file into `dir`, and loads the plan; returns the error text.
fn plan_error(dir: &Path, plan: &str, design: Option<&str>) -> String {
    if let Some(d) = design {
        util::write(dir, "design.csv", d);
    }
    let text = plan.replace("SCENARIOS", &util::root().join("scenarios").display().to_string());
    let path = util::write(dir, "plan.toml", &text);
    match peacesim::experiment::plan::Plan::load(&path) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_design_naming_a_field_twice_or_the_run_seed_is_refused() {
    let dir = util::temp_dir("design-columns");
    let csv_plan = "schema_version = 1\nscenario = \"SCENARIOS/tiny-conflict.toml\"\nreplicates = 1\nticks = 5\n\n[design]\nkind = \"csv\"\nfile = \"design.csv\"\n";
    // The same column twice: which value would a run get? Refused with file, column and rule.
    let err = plan_error(
        &dir,
        csv_plan,
        Some("mission.troops,mission.police,mission.troops\n0,10,4000\n2000,10,0\n"),
    );
    assert!(
        err.contains("design.csv: column 3 `mission.troops` is named twice (also column 1)")
            && err.contains("plan.toml: line 8: design.file"),
        "{err}"
    );
    // `run.seed` as a column or a factor: each run's seed comes from the master seed, so it is
    // refused with the way to get what was meant.
    let err = plan_error(&dir, csv_plan, Some("run.seed,mission.troops\n1,0\n2,0\n"));
    assert!(
        err.contains("column 1 `run.seed` cannot be a design factor") && err.contains("raise `replicates`"),
        "{err}"
    );
    let factorial = "schema_version = 1\nscenario = \"SCENARIOS/tiny-conflict.toml\"\nreplicates = 1\nticks = 5\n\n[design]\nkind = \"factorial\"\n\n[[design.factor]]\npath = \"mission.troops\"\nvalues = [0, 10]\n\n[[design.factor]]\npath = \"run.seed\"\nvalues = [1, 2]\n\n[[design.factor]]\npath = \"mission.troops\"\nvalues = [5]\n";
    let err = plan_error(&dir, factorial, None);
    assert!(err.contains("design.factor[1].path: `run.seed` cannot be a design factor"), "{err}");
    assert!(
        err.contains("design.factor[2].path: `mission.troops` is named twice (also design.factor[0].path)"),
        "{err}"
    );
    // `run.ticks` while the plan's `ticks` sets every run's length.
    let err = plan_error(&dir, &factorial.replace("run.seed", "run.ticks"), None);
    assert!(
        err.contains("`run.ticks` cannot be a design factor here: the plan's `ticks`"),
        "{err}"
    );
    // A comparison arm cannot have its own seed either.
    let tiny = util::scenario_path("tiny-conflict.toml");
    let out = util::peacesim(
        &[
            "compare",
            tiny.to_str().unwrap(),
            "--arm",
            "a=",
            "--arm",
            "b=run.seed=7",
            "--replicates",
            "2",
            "--quiet",
        ],
        &dir,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("`run.seed` cannot differ between arms"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_closed_pipe_ends_quietly_and_a_full_device_is_an_io_error() {
    let dir = util::temp_dir("pipes");
    for args in [&["params"][..], &["indicators"], &["scenarios"], &["describe", "baseline"]] {
        // A reader that has gone (`peacesim params | head -1`): the read end is closed before
        // the command starts, so every write fails with a broken pipe. Quiet, exit 0.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(util::bin())
            .args(args)
            .current_dir(&dir)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?} into a closed pipe: {err}");
        assert!(err.is_empty(), "{args:?}: nothing said: {err}");

        // A full device: exit 2 naming standard output and the cause, no panic.
        let out = Command::new(util::bin())
            .args(args)
            .current_dir(&dir)
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} into /dev/full: {err}");
        assert!(
            err.contains("standard output: could not write: No space left on device") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
    // A run whose directory line cannot be printed: the run is written, the exit code says the
    // line was lost; standard error on a full device is no panic either.
    let tiny = util::scenario_path("tiny-conflict.toml");
    let out_dir = dir.join("run");
    let out = Command::new(util::bin())
        .args(["run", tiny.to_str().unwrap(), "--ticks", "5", "--out", out_dir.to_str().unwrap()])
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .stderr(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out_dir.join("manifest.json").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

/// Runs `peacesim ARGS` in `cwd`, failing the test (after killing it) if it takes longer than
/// `seconds`: for inputs that used to hang.
fn peacesim_within(args: &[&str], cwd: &Path, seconds: u64) -> std::process::Output {
    let mut child = Command::new(util::bin())
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(seconds) {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("`peacesim {}` did not finish within {seconds} s", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn endless_input_files_are_refused_at_the_size_limit() {
    let dir = util::temp_dir("endless");
    // `/dev/zero` reports a size of 0 and never ends: the limit holds while reading.
    for args in [
        &["validate", "/dev/zero"][..],
        &["run", "/dev/zero", "--quiet"],
        &["describe", "/dev/zero"],
        &["sweep", "/dev/zero", "--quiet"],
    ] {
        let out = peacesim_within(args, &dir, 60);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("/dev/zero: file is larger than the limit of 16777216 bytes"),
            "{args:?}: {err}"
        );
    }
    // A CSV design that never ends.
    let plan = util::write(
        &dir,
        "plan.toml",
        &format!(
            "schema_version = 1\nscenario = \"{}\"\nreplicates = 1\n\n[design]\nkind = \"csv\"\nfile = \"/dev/zero\"\n",
            util::scenario_path("tiny-conflict.toml").display()
        ),
    );
    let out = peacesim_within(&["sweep", plan.to_str().unwrap(), "--quiet"], &dir, 60);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("design.file: /dev/zero: file is larger than the limit"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_plan_of_a_billion_points_is_refused_before_building_them() {
    let dir = util::temp_dir("billion");
    let mut plan = format!(
        "schema_version = 1\nscenario = \"{}\"\nreplicates = 1\n\n[design]\nkind = \"factorial\"\n",
        util::scenario_path("tiny-conflict.toml").display()
    );
    // Nine factors of ten values: 10^9 points (24 GB of points alone).
    for i in 0..9 {
        plan.push_str(&format!(
            "\n[[design.factor]]\npath = \"rules.factor_{i}\"\nvalues = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n"
        ));
    }
    let path = util::write(&dir, "plan.toml", &plan);
    let out = peacesim_within(&["sweep", path.to_str().unwrap(), "--quiet"], &dir, 30);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("design: 1000000000 design points exceed the limit of 1000000"),
        "{err}"
    );
    // Under the point limit but over the run limit: the runs are named.
    let few = plan.replace("replicates = 1", "replicates = 100000");
    let few: String = few
        .split("\n[[design.factor]]")
        .take(5)
        .collect::<Vec<_>>()
        .join("\n[[design.factor]]");
    let path = util::write(&dir, "plan.toml", &few);
    let out = peacesim_within(&["sweep", path.to_str().unwrap(), "--quiet"], &dir, 30);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("10000 points x 100000 replicates = 1000000000 runs exceed the limit of 10000000"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn absurd_threads_dangling_out_links_and_smuggled_toml_are_caught_before_work() {
    let dir = util::temp_dir("before-work");
    let tiny = util::scenario_path("tiny-conflict.toml");
    // --threads 100000: capped, with a note, and the run succeeds.
    let out_dir = dir.join("threads");
    let out = peacesim_within(
        &[
            "run",
            tiny.to_str().unwrap(),
            "--ticks",
            "3",
            "--threads",
            "100000",
            "--out",
            out_dir.to_str().unwrap(),
        ],
        &dir,
        60,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("--threads 100000 is more than 4 per available core"), "{err}");
    let cores = std::thread::available_parallelism().unwrap().get();
    let manifest = std::fs::read_to_string(out_dir.join("manifest.json")).unwrap();
    assert!(manifest.contains(&format!("\"threads\": {}", 4 * cores)), "{manifest}");

    // A dangling symbolic link as --out: refused before the run, for runs and experiments.
    let link = dir.join("link");
    std::os::unix::fs::symlink(dir.join("nowhere"), &link).unwrap();
    for args in [
        &["run", tiny.to_str().unwrap(), "--out", link.to_str().unwrap()][..],
        &["run", tiny.to_str().unwrap(), "--replicates", "2", "--out", link.to_str().unwrap()],
    ] {
        let start = Instant::now();
        let out = peacesim_within(args, &dir, 60);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("is a symbolic link to") && err.contains("which does not exist"),
            "{err}"
        );
        assert!(start.elapsed() < Duration::from_secs(5), "refused before the run");
    }
    assert!(
        std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(),
        "the link is left alone"
    );

    // A --set value followed by more TOML: refused, not silently cut.
    for args in [
        &["run", tiny.to_str().unwrap(), "--set", "mission.troops=1\nmission.police=2"][..],
        &["whatif", tiny.to_str().unwrap(), "--set", "mission.troops=1\nmission.police=2"],
        &[
            "compare",
            tiny.to_str().unwrap(),
            "--arm",
            "a=",
            "--arm",
            "b=mission.troops=1\nmission.police=2",
        ],
    ] {
        let out = peacesim_within(args, &dir, 60);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("the value must be one TOML value, but more TOML follows it (`mission`)"),
            "{args:?}: {err}"
        );
    }
    // One value with a comment, or a table value, is fine.
    let out = peacesim_within(
        &[
            "run",
            tiny.to_str().unwrap(),
            "--ticks",
            "2",
            "--set",
            "mission.troops=10 # ten",
            "--out",
            dir.join("ok").to_str().unwrap(),
        ],
        &dir,
        60,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The same in a CSV design's cell.
    util::write(&dir, "design.csv", "mission.troops\n\"1\nmission.police = 2\"\n");
    let plan = util::write(
        &dir,
        "plan.toml",
        &format!(
            "schema_version = 1\nscenario = \"{}\"\nreplicates = 1\n\n[design]\nkind = \"csv\"\nfile = \"design.csv\"\n",
            tiny.display()
        ),
    );
    let out = peacesim_within(&["sweep", plan.to_str().unwrap(), "--quiet"], &dir, 60);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("row 2, column 1: the value must be one TOML value"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// `peacesim verify DIR`: exit code and standard error.
fn verify(dir: &Path) -> (Option<i32>, String) {
    let out = util::peacesim(&["verify", dir.to_str().unwrap()], dir.parent().unwrap());
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn verify_checks_a_directory_against_its_manifest() {
    let dir = util::temp_dir("verify");
    let tiny = util::scenario_path("tiny-conflict.toml");
    let run = dir.join("run");
    let ok = util::peacesim(
        &[
            "run",
            tiny.to_str().unwrap(),
            "--ticks",
            "10",
            "--quiet",
            "--out",
            run.to_str().unwrap(),
        ],
        &dir,
    );
    assert!(ok.status.success());
    let out = util::peacesim(&["verify", run.to_str().unwrap()], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("run: ok (1 directory, 7 files"));
    // The manifest records each file's size and SHA-256.
    let manifest = std::fs::read_to_string(run.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"sha256\": ") && manifest.contains("\"bytes\": "), "{manifest}");

    // A byte changed in place (same size, same rows): the hash says so.
    let series = run.join("timeseries.csv");
    let mut bytes = std::fs::read(&series).unwrap();
    let at = bytes.len() - 3;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(&series, &bytes).unwrap();
    let (code, err) = verify(&run);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("timeseries.csv: its SHA-256 differs from the one in manifest.json"),
        "{err}"
    );
    assert!(err.contains("1 problem found"), "{err}");
    // A file cut short and another gone.
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&series, &bytes).unwrap();
    std::fs::remove_file(run.join("events.csv")).unwrap();
    let (code, err) = verify(&run);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("timeseries.csv: holds ") && err.contains("rows; manifest.json says 11"),
        "{err}"
    );
    assert!(err.contains("bytes; manifest.json says"), "{err}");
    assert!(err.contains("events.csv: is listed in manifest.json but missing"), "{err}");

    // An ensemble with a run written twice, and one with a run missing.
    let ens = dir.join("ens");
    let ok = util::peacesim(
        &[
            "run",
            tiny.to_str().unwrap(),
            "--ticks",
            "5",
            "--replicates",
            "3",
            "--quiet",
            "--out",
            ens.to_str().unwrap(),
        ],
        &dir,
    );
    assert!(ok.status.success());
    assert_eq!(verify(&ens).0, Some(0));
    let outcomes = ens.join("outcomes.csv");
    let text = std::fs::read_to_string(&outcomes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&outcomes, format!("{}\n{}\n", text.trim_end(), lines[2])).unwrap();
    let (code, err) = verify(&ens);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("line 5: run 1 appears more than once"), "{err}");
    std::fs::write(&outcomes, format!("{}\n{}\n", lines[0], lines[1..3].join("\n"))).unwrap();
    let (code, err) = verify(&ens);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("outcomes.csv: run 2 is missing"), "{err}");

    // Shards: one missing is named; an Epstein ensemble's shards merge (their directories have
    // no network.csv) and verify.
    let epstein = util::scenario_path("epstein-rebellion.toml");
    let sharded = dir.join("sharded");
    for shard in ["0/3", "2/3"] {
        let ok = util::peacesim(
            &[
                "run",
                epstein.to_str().unwrap(),
                "--ticks",
                "5",
                "--replicates",
                "4",
                "--shard",
                shard,
                "--quiet",
                "--out",
                sharded.to_str().unwrap(),
            ],
            &dir,
        );
        assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    }
    let (code, err) = verify(&sharded);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("shards: shards [1] of 3 are missing"), "{err}");
    let ok = util::peacesim(
        &[
            "run",
            epstein.to_str().unwrap(),
            "--ticks",
            "5",
            "--replicates",
            "4",
            "--shard",
            "1/3",
            "--quiet",
            "--out",
            sharded.to_str().unwrap(),
        ],
        &dir,
    );
    assert!(ok.status.success());
    let merge = util::peacesim(&["merge", sharded.to_str().unwrap()], &dir);
    assert!(merge.status.success(), "{}", String::from_utf8_lossy(&merge.stderr));
    let (code, err) = verify(&sharded);
    assert_eq!(code, Some(0), "{err}");

    // Not an output at all.
    let (code, err) = verify(&dir);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no manifest.json"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn staging_directories_of_killed_runs_are_removed_by_the_next_run() {
    let dir = util::temp_dir("stale-staging");
    let scenario = util::scenario_path("baseline.toml");
    let killed = dir.join("killed");
    let parent = dir.clone();
    let out = interrupt(
        &["run", scenario.to_str().unwrap(), "--quiet", "--out", killed.to_str().unwrap()],
        "KILL",
        || {
            std::fs::read_dir(&parent)
                .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().starts_with(".killed.partial-")))
                .unwrap_or(false)
        },
    );
    assert_eq!(out.status.code(), None, "killed by a signal");
    let staged = |prefix: &str| -> Vec<String> {
        std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(prefix))
            .collect()
    };
    assert_eq!(staged(".killed.partial-").len(), 1, "SIGKILL leaves its staging directory");
    // Staging directories of a writer on another host, of a host of the same name in another
    // container or machine (another machine key) whose process id does not run here, of an
    // older version (no machine key), and of a process that still runs (this test), are not
    // ours to remove.
    let host = peacesim::output::host_name();
    let key = peacesim::output::writer::machine_key();
    let other_key = if key == "0123456789ab" { "ba9876543210" } else { "0123456789ab" };
    let foreign = dir.join(".other.partial-some-other-host-1-5");
    let same_name = dir.join(format!(".twin.partial-{host}-4000000000-{other_key}-0123456789abcdef"));
    let older = dir.join(format!(".older.partial-{host}-4000000000-5"));
    let alive = dir.join(format!(".alive.partial-{host}-{}", peacesim::output::writer::writer_id()));
    for d in [&foreign, &same_name, &older, &alive] {
        std::fs::create_dir_all(d).unwrap();
        std::fs::write(d.join("timeseries.csv"), "tick\n").unwrap();
    }

    let tiny = util::scenario_path("tiny-conflict.toml");
    let next = util::peacesim(
        &[
            "run",
            tiny.to_str().unwrap(),
            "--ticks",
            "3",
            "--quiet",
            "--out",
            dir.join("next").to_str().unwrap(),
        ],
        &dir,
    );
    assert!(next.status.success(), "{}", String::from_utf8_lossy(&next.stderr));
    assert!(
        staged(".killed.partial-").is_empty(),
        "the killed run's staging directory is removed"
    );
    for d in [&foreign, &same_name, &older, &alive] {
        assert!(d.exists(), "{} is not ours to remove", d.display());
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_stopped_dashboard_exits_130_as_documented() {
    use std::io::BufRead as _;
    let dir = util::temp_dir("serve-stop");
    for signal in ["INT", "TERM"] {
        let mut child = Command::new(util::bin())
            .args(["serve", "--port", "0", "--threads", "1", "--out", dir.to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(line.starts_with("peacesim dashboard: "), "{line}");
        let status = Command::new("sh")
            .args(["-c", &format!("kill -{signal} {}", child.id())])
            .status()
            .unwrap();
        assert!(status.success());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(130),
            "SIG{signal}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn values_near_the_largest_float_are_plotted_not_hung_on() {
    let dir = util::temp_dir("huge-values");
    let tiny = util::scenario_path("tiny-conflict.toml");
    let run = dir.join("run");
    let ok = util::peacesim(
        &[
            "run",
            tiny.to_str().unwrap(),
            "--ticks",
            "10",
            "--quiet",
            "--out",
            run.to_str().unwrap(),
        ],
        &dir,
    );
    assert!(ok.status.success());
    // A series alternating between -1e308 and 1e308: its span overflows to infinity.
    let path = run.join("timeseries.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let col = header.split(',').position(|h| h == "crude_mortality_per_10k_day").unwrap();
    let mut edited = format!("{header}\n");
    for (i, line) in lines.enumerate() {
        let mut f: Vec<String> = line.split(',').map(str::to_string).collect();
        f[col] = if i % 2 == 0 { "-1e308".into() } else { "1e308".into() };
        edited.push_str(&f.join(","));
        edited.push('\n');
    }
    std::fs::write(&path, edited).unwrap();
    let out = peacesim_within(
        &[
            "plot",
            run.to_str().unwrap(),
            "--format",
            "svg",
            "--indicator",
            "crude_mortality_per_10k_day",
        ],
        &dir,
        60,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("crude_mortality_per_10k_day.svg"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn sigterm_while_a_large_plan_is_validated_stops_at_once() {
    let dir = util::temp_dir("signal-validation");
    let values: Vec<String> = (0..150).map(|i| i.to_string()).collect();
    let values = values.join(", ");
    // 22,500 points, each a scenario built and validated before the first run (seconds).
    let plan = util::write(
        &dir,
        "plan.toml",
        &format!(
            "schema_version = 1\nscenario = \"{}\"\nreplicates = 1\nticks = 2\n\n[design]\nkind = \"factorial\"\n\n[[design.factor]]\npath = \"mission.troops\"\nvalues = [{values}]\n\n[[design.factor]]\npath = \"mission.police\"\nvalues = [{values}]\n",
            util::scenario_path("tiny-conflict.toml").display()
        ),
    );
    let out_dir = dir.join("sweep");
    let start = Instant::now();
    let child = Command::new(util::bin())
        .args(["sweep", plan.to_str().unwrap(), "--quiet", "--out", out_dir.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let status = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .unwrap();
    assert!(status.success());
    let signalled = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        signalled.elapsed() < Duration::from_millis(1500),
        "stopped {:?} after the signal ({:?} after the start): the validation must not run on",
        signalled.elapsed(),
        start.elapsed()
    );
    assert!(!out_dir.exists(), "nothing written");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn sigterm_while_blocked_on_a_full_pipe_stops_at_once() {
    let dir = util::temp_dir("signal-pipe");
    // The scenario schema (over 100 KB) fills the pipe (64 KB), which nobody reads: the write
    // blocks, outside any run, until the signal.
    let mut child = Command::new(util::bin())
        .args(["schema", "scenario"])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "the output did not fill the pipe");
    let status = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .unwrap();
    assert!(status.success());
    let signalled = Instant::now();
    let mut code = None;
    while signalled.elapsed() < Duration::from_secs(5) {
        if let Some(s) = child.try_wait().unwrap() {
            code = Some(s.code());
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    if code.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert_eq!(code, Some(Some(130)), "still blocked 5 s after SIGTERM, or another exit");
    assert!(signalled.elapsed() < Duration::from_millis(1500), "{:?}", signalled.elapsed());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn relative_changes_from_a_zero_mean_are_empty_fields_not_nan() {
    let dir = util::temp_dir("relative-zero");
    let tiny = util::scenario_path("tiny-conflict.toml");
    let out_dir = dir.join("whatif");
    // Without troops, the mission causes no harm: outcomes whose as-is mean is 0.
    let out = util::peacesim(
        &[
            "whatif",
            tiny.to_str().unwrap(),
            "--set",
            "mission.troops=0",
            "--replicates",
            "3",
            "--ticks",
            "30",
            "--quiet",
            "--out",
            out_dir.to_str().unwrap(),
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut empty_seen = false;
    for (file, mean_column, rel_columns) in [
        (
            "comparison.csv",
            "mean",
            ["relative_diff", "relative_boot_ci95_low", "relative_boot_ci95_high"],
        ),
        (
            "whatif.csv",
            "as_is_mean",
            ["relative_change", "relative_boot_ci95_low", "relative_boot_ci95_high"],
        ),
    ] {
        let text = std::fs::read_to_string(out_dir.join(file)).unwrap();
        assert!(
            !text.split([',', '\n']).any(|f| ["NaN", "inf", "-inf"].contains(&f)),
            "{file}: {text}"
        );
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().unwrap().clone();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{file}: {name}"));
        let arm = header.iter().position(|h| h == "arm");
        let mut reference_mean = 0.0;
        for row in reader.records().map(Result::unwrap) {
            // comparison.csv: the reference mean is the first arm's row of the outcome.
            if arm.is_some_and(|a| row[a] == *"as-is" || row[a] == *"as_is") || file == "whatif.csv" {
                reference_mean = row[col(mean_column)].parse::<f64>().unwrap();
                if file == "comparison.csv" {
                    continue;
                }
            }
            if reference_mean == 0.0 {
                for c in rel_columns {
                    assert_eq!(&row[col(c)], "", "{file}: {c} of a change from 0");
                    empty_seen = true;
                }
                assert_eq!(&row[col("relative_note")], "reference mean 0", "{file}: the reason is given");
            } else {
                assert!(row[col(rel_columns[0])].parse::<f64>().is_ok(), "{file}: {row:?}");
            }
        }
    }
    assert!(empty_seen, "the test needs an outcome whose reference mean is 0");
    std::fs::remove_dir_all(dir).unwrap();
}

/// The `tiny-factorial` sweep (4 points × 2 replicates, 25 ticks, series kept) run to the end
/// into `dir/reference`; returns the plan and the directory.
fn reference_sweep(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let text = std::fs::read_to_string(util::root().join("tests/data/plans/tiny-factorial.toml"))
        .unwrap()
        .replace("../../../scenarios", &util::root().join("scenarios").display().to_string());
    let plan = util::write(dir, "plan.toml", &text);
    let reference = dir.join("reference");
    let run = util::peacesim(
        &["sweep", plan.to_str().unwrap(), "--quiet", "--out", reference.to_str().unwrap()],
        dir,
    );
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    (plan, reference)
}

/// Lines of a text, each with its newline.
fn lines_of(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .split_inclusive('\n')
        .map(str::to_string)
        .collect()
}

/// A copy of the finished `reference` sweep in `dir/NAME` as a SIGKILL after `runs` complete runs
/// leaves it: `manifest.json` incomplete and listing nothing, `outcomes.csv.partial` with the
/// first `runs` rows, `series.csv.partial` with their rows and the first rows of the next run,
/// the last one cut short; `edit` then changes the two tables' lines.
fn killed_copy(
    reference: &Path,
    dir: &Path,
    name: &str,
    runs: usize,
    edit: impl Fn(&mut Vec<String>, &mut Vec<String>),
) -> std::path::PathBuf {
    let out = dir.join(name);
    std::fs::create_dir_all(&out).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(reference.join("manifest.json")).unwrap()).unwrap();
    manifest["complete"] = false.into();
    manifest["finished_at"] = "".into();
    manifest["files"] = serde_json::json!([]);
    std::fs::write(out.join("manifest.json"), serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    std::fs::copy(reference.join("design.csv"), out.join("design.csv")).unwrap();
    let mut outcomes = lines_of(&reference.join("outcomes.csv"));
    outcomes.truncate(1 + runs);
    let mut series = lines_of(&reference.join("series.csv"));
    series.truncate(1 + runs * 26 + 5);
    let cut = series.pop().unwrap();
    series.push(cut[..cut.len() / 2].to_string());
    edit(&mut outcomes, &mut series);
    std::fs::write(out.join("outcomes.csv.partial"), outcomes.concat()).unwrap();
    std::fs::write(out.join("series.csv.partial"), series.concat()).unwrap();
    out
}

#[test]
fn a_row_cut_short_by_a_full_disk_is_run_again_not_glued_to_the_next() {
    // A full disk (or a kill) stopped the write of run 3's outcome row after a digit of its last
    // value: every field still parses. The same command again must redo run 3, not keep the cut
    // value and glue run 4's row onto it.
    let dir = util::temp_dir("cut-row");
    let (plan, reference) = reference_sweep(&dir);
    let out = killed_copy(&reference, &dir, "cut", 4, |outcomes, _| {
        let last = outcomes.pop().unwrap();
        let cut = last.trim_end_matches('\n');
        let keep = cut.len() - 1;
        assert!(cut[..keep].ends_with(|c: char| c.is_ascii_digit()), "{cut}");
        outcomes.push(cut[..keep].to_string());
    });
    let run = util::peacesim(&["sweep", plan.to_str().unwrap(), "--out", out.to_str().unwrap()], &dir);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    for table in ["outcomes.csv", "series.csv"] {
        assert!(
            std::fs::read(out.join(table)).unwrap() == std::fs::read(reference.join(table)).unwrap(),
            "{table} differs from an uninterrupted run's"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// The bytes of every file of `dir`, to show that a refused resume changed nothing.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn a_resume_checks_every_row_it_keeps_and_refuses_rows_that_are_not_this_experiments() {
    let dir = util::temp_dir("resume-checks");
    let (plan, reference) = reference_sweep(&dir);
    let resume = |out: &Path| {
        let r = util::peacesim(&["sweep", plan.to_str().unwrap(), "--out", out.to_str().unwrap()], &dir);
        (r.status.code(), String::from_utf8_lossy(&r.stderr).into_owned())
    };
    // Sound: resumed after the 3 complete runs, to the same bytes.
    let out = killed_copy(&reference, &dir, "sound", 3, |_, _| {});
    let (code, err) = resume(&out);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("resumed: 3 of 8 runs"), "{err}");
    for f in ["outcomes.csv", "series.csv", "group_series.csv", "point_summary.csv"] {
        assert_eq!(
            std::fs::read(reference.join(f)).unwrap(),
            std::fs::read(out.join(f)).unwrap(),
            "{f}"
        );
    }

    // Each way what is kept can fail to be this experiment's runs in order: refused, naming the
    // file, the line and the rule, exit 2, nothing changed.
    type Edit = Box<dyn Fn(&mut Vec<String>, &mut Vec<String>)>;
    let cases: Vec<(&str, Edit, &str, &str)> = vec![
        (
            "another-design",
            // Run 1 labelled with another design's value (the rows of an edited design).
            Box::new(|o, _| o[2] = o[2].replacen(",0,", ",750,", 1)),
            "outcomes.csv.partial: line 3: run 1 is recorded as",
            "a row of another design",
        ),
        (
            "outcome-twice",
            Box::new(|o, _| o.insert(3, o[2].clone())),
            "outcomes.csv.partial: line 4: run 1 again where run 2 belongs",
            "each once",
        ),
        (
            "outcome-garbage",
            // A complete row that is not a row: never silently cut with the good rows after it.
            Box::new(|o, _| o.insert(2, "#!x\n".to_string())),
            "outcomes.csv.partial: line 3: 1 fields where this experiment's rows have",
            "in run order",
        ),
        (
            "series-twice",
            // Run 1's series written twice: every row of it again after its end.
            Box::new(|_, s| {
                let again: Vec<String> = s[27..53].to_vec();
                s.splice(53..53, again);
            }),
            "series.csv.partial: line 54: run 1 again where run 2 belongs",
            "each once",
        ),
        (
            "series-short",
            Box::new(|_, s| {
                s.remove(40);
            }),
            "series.csv.partial: line 41: run 1: tick `14` where tick 13 belongs",
            "in run order",
        ),
        (
            "series-ends-early",
            Box::new(|_, s| s.truncate(1 + 26 + 3)),
            "holds the series of 1 complete runs (run 1 has 3 of its 26 rows), but outcomes.csv says 3 runs are complete",
            "in run order",
        ),
    ];
    for (name, edit, message, rule) in cases {
        let out = killed_copy(&reference, &dir, name, 3, edit);
        let before = snapshot(&out);
        let (code, err) = resume(&out);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(err.contains(message) && err.contains(rule), "{name}: {err}");
        assert!(err.contains("nothing was changed"), "{name}: {err}");
        assert_eq!(snapshot(&out), before, "{name}: a refused resume changes nothing");
    }

    // The series table gone while runs are complete: refused, not restarted without them.
    let out = killed_copy(&reference, &dir, "series-gone", 3, |_, _| {});
    std::fs::remove_file(out.join("series.csv.partial")).unwrap();
    let (code, err) = resume(&out);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("series.csv.partial: is missing, but outcomes.csv.partial holds 3 complete runs"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_sweep_stopped_while_finishing_resumes_from_its_checked_tables_without_running_again() {
    let dir = util::temp_dir("resume-finishing");
    let (plan, reference) = reference_sweep(&dir);
    // As a kill after the tables were renamed and before the manifest said complete leaves it:
    // the tables, and an incomplete manifest recording their sizes and SHA-256.
    let stopped = |name: &str| {
        let out = dir.join(name);
        std::fs::create_dir_all(&out).unwrap();
        let mut manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(reference.join("manifest.json")).unwrap()).unwrap();
        manifest["complete"] = false.into();
        manifest["finished_at"] = "".into();
        let tables: Vec<serde_json::Value> = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["name"] == "outcomes.csv" || f["name"] == "series.csv")
            .cloned()
            .collect();
        assert_eq!(tables.len(), 2);
        manifest["files"] = tables.into();
        std::fs::write(out.join("manifest.json"), serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
        for f in ["design.csv", "outcomes.csv", "series.csv"] {
            std::fs::copy(reference.join(f), out.join(f)).unwrap();
        }
        out
    };
    let sweep = |out: &Path| util::peacesim(&["sweep", plan.to_str().unwrap(), "--out", out.to_str().unwrap()], &dir);
    let out = stopped("finishing");
    let r = sweep(&out);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "{err}");
    assert!(
        err.contains("resumed: 8 of 8 runs were already complete"),
        "no run is done again: {err}"
    );
    for f in ["outcomes.csv", "series.csv", "group_series.csv", "point_summary.csv"] {
        assert_eq!(
            std::fs::read(reference.join(f)).unwrap(),
            std::fs::read(out.join(f)).unwrap(),
            "{f}"
        );
    }
    let (code, err) = verify(&out);
    assert_eq!(code, Some(0), "{err}");

    // A finished table changed since its manifest recorded it: refused, and kept as it is.
    let out = stopped("changed");
    let outcomes = out.join("outcomes.csv");
    let text = std::fs::read_to_string(&outcomes).unwrap().replacen(",0,", ",1,", 1);
    std::fs::write(&outcomes, &text).unwrap();
    let before = snapshot(&out);
    let r = sweep(&out);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(
        err.contains("outcomes.csv: is not the file manifest.json recorded when the run finished it"),
        "{err}"
    );
    assert_eq!(snapshot(&out), before, "nothing changed");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_single_run_does_not_replace_a_directory_another_process_is_writing() {
    let dir = util::temp_dir("single-lock");
    let out = dir.join("ens");
    let run = |ticks: &str| {
        util::peacesim(
            &[
                "run",
                "tiny-conflict",
                "--ticks",
                ticks,
                "--quiet",
                "--force",
                "--out",
                out.to_str().unwrap(),
            ],
            &dir,
        )
    };
    assert!(run("2").status.success());
    let before = snapshot(&out);
    // Another process (this test: alive, on this machine) holds the directory, as an ensemble
    // writing it would: `run --force` refuses rather than replace it under the writer.
    let lock = dir.join(".ens.lock");
    std::fs::write(
        &lock,
        format!(
            "host {}, process {}, since now\nwriter {}\n",
            peacesim::output::host_name(),
            std::process::id(),
            peacesim::output::writer::writer_id()
        ),
    )
    .unwrap();
    let r = run("3");
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(err.contains("is being written by another peacesim"), "{err}");
    assert_eq!(snapshot(&out), before, "the directory is left as it was");
    assert!(lock.exists(), "another's lock is not removed");
    std::fs::remove_file(&lock).unwrap();
    assert!(run("3").status.success());
    assert!(!lock.exists(), "the run's own claim ends with it");
    std::fs::remove_dir_all(dir).unwrap();
}

/// A small sensitivity plan (25 design points of 5 ticks, one replicate): seconds to run.
const SMALL_UQ_PLAN: &str = r#"schema_version = 1
scenario = "SCENARIO"
seed = 5
ticks = 5
replicates = 1
bootstrap = 20
outcomes = ["peak_displaced", "recruits"]
[[parameter]]
path = "rules.displacement.flee_threshold"
[[parameter]]
path = "mission.troops"
min = 0
max = 2000
integer = true
[morris]
trajectories = 3
[sobol]
base_samples = 4
"#;

/// The names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn uq_commands_never_write_into_a_foreign_directory_and_their_output_is_verified() {
    let dir = util::temp_dir("uq-foreign");
    let plan = util::write(
        &dir,
        "plan.toml",
        &SMALL_UQ_PLAN.replace("SCENARIO", &util::scenario_path("tiny-conflict.toml").display().to_string()),
    );
    let plan = plan.to_str().unwrap();
    let examples = util::root().join("docs/examples");
    let robust = examples.join("robust-tiny.toml");
    let calibrate = examples.join("calibrate-twin.toml");
    // A user's directory: every command refuses it, with --force or without, as a shard too,
    // and leaves it exactly as it was.
    let foreign = dir.join("project");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let f = foreign.to_str().unwrap();
    for (command, plan) in [
        ("sensitivity", plan),
        ("robust", robust.to_str().unwrap()),
        ("calibrate", calibrate.to_str().unwrap()),
    ] {
        for extra in [&["--force"][..], &[], &["--shard", "0/2"]] {
            let mut args = vec![command, plan, "--out", f, "--format", "none", "--quiet"];
            args.extend_from_slice(extra);
            let r = util::peacesim(&args, &dir);
            let stderr = String::from_utf8_lossy(&r.stderr);
            assert_eq!(r.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(
                stderr.contains(&format!("{f}: is not a peacesim output")) && stderr.contains("`notes.txt`"),
                "{args:?}: {stderr}"
            );
            assert_eq!(names_in(&foreign), ["notes.txt"], "{args:?}");
            assert_eq!(std::fs::read_to_string(foreign.join("notes.txt")).unwrap(), "mine");
        }
    }
    assert!(!dir.join(".project.lock").exists(), "no lock left behind");
    // Its own output: a manifest of OUT/ lists the analysis with sizes and hashes and names the
    // runs, `verify` checks both, and --force starts it over.
    let out = dir.join("sens");
    let o = out.to_str().unwrap();
    let sensitivity = |extra: &[&str]| {
        let mut args = vec!["sensitivity", plan, "--out", o, "--format", "svg", "--quiet"];
        args.extend_from_slice(extra);
        let r = util::peacesim(&args, &dir);
        assert!(r.status.success(), "{args:?}: {}", String::from_utf8_lossy(&r.stderr));
    };
    sensitivity(&[]);
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["kind"], "sensitivity");
    assert_eq!(manifest["complete"], true);
    assert_eq!(manifest["details"]["experiments"], serde_json::json!(["runs"]));
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for name in ["indices.csv", "noise.csv", "report.md"] {
        assert!(listed.contains(&name), "{listed:?}");
    }
    assert!(
        listed.iter().any(|n| n.starts_with("figures/") && n.ends_with(".svg")),
        "{listed:?}"
    );
    assert!(
        manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["sha256"].is_string() && f["bytes"].is_u64())
    );
    let r = util::peacesim(&["verify", o], &dir);
    let said = String::from_utf8_lossy(&r.stdout);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(said.contains("ok (2 directories"), "{said}");
    let indices = std::fs::read(out.join("indices.csv")).unwrap();
    sensitivity(&["--force"]);
    assert_eq!(std::fs::read(out.join("indices.csv")).unwrap(), indices, "the same bytes again");
    assert_eq!(verify(&out).0, Some(0));
    // Changed after the fact, in the analysis or in the runs: verify names the file.
    let mut changed = indices.clone();
    changed.extend_from_slice(b"x");
    std::fs::write(out.join("indices.csv"), &changed).unwrap();
    let (code, said) = verify(&out);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("indices.csv: its SHA-256 differs"), "{said}");
    std::fs::write(out.join("indices.csv"), &indices).unwrap();
    let outcomes = out.join("runs/outcomes.csv");
    let text = std::fs::read_to_string(&outcomes).unwrap();
    std::fs::write(&outcomes, text.replacen(",0,", ",9,", 1)).unwrap();
    let (code, said) = verify(&out);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("runs/outcomes.csv"), "{said}");
    std::fs::write(&outcomes, text).unwrap();
    // Another command's output is not written into either.
    let r = util::peacesim(&["robust", robust.to_str().unwrap(), "--out", o, "--force", "--quiet"], &dir);
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("holds a peacesim `sensitivity` output, not a `robust` one"),
        "{stderr}"
    );
    // An output of a version without the top-level manifest is recognised by what it holds.
    std::fs::remove_file(out.join("manifest.json")).unwrap();
    sensitivity(&[]);
    assert_eq!(verify(&out).0, Some(0));
    std::fs::remove_dir_all(&dir).unwrap();
}
