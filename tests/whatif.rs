//! The built-in scenario library (`scenarios`, `describe`, built-in names) and `whatif`, as a
//! user runs them.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use crate::util::{self, peacesim};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The `description` line of a shipped scenario file.
fn description_of(file: &str) -> String {
    let text = read(&util::scenario_path(file));
    let table: toml::Table = text.parse().unwrap();
    table["description"].as_str().unwrap().to_string()
}

#[test]
fn scenarios_lists_the_shipped_scenarios_with_their_descriptions() {
    let dir = util::temp_dir("whatif-list");
    let out = peacesim(&["scenarios"], &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("name") && lines[0].contains("description"), "{text}");
    for (name, file) in [("baseline", "baseline.toml"), ("tiny-conflict", "tiny-conflict.toml")] {
        let line = lines
            .iter()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{name} is listed: {text}"));
        let description = description_of(file);
        let start: String = description.chars().take(30).collect();
        assert!(line.contains(&start), "{name}: `{start}` in `{line}`");
        assert!(line.contains("peacesim"), "{line}");
    }
    assert!(
        text.contains("10,000") && text.contains("120 × 1 d"),
        "tiny-conflict's people and length: {text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("epstein-rebellion") && l.contains("epstein")),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 100), "fits a 100-column terminal: {text}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn describe_reads_a_scenario_by_name_or_path() {
    let dir = util::temp_dir("whatif-describe");
    let by_name = peacesim(&["describe", "tiny-conflict"], &dir);
    assert!(by_name.status.success(), "{}", stderr(&by_name));
    let path = util::scenario_path("tiny-conflict.toml");
    let by_path = peacesim(&["describe", path.to_str().unwrap()], &dir);
    assert!(by_path.status.success(), "{}", stderr(&by_path));
    let (a, b) = (stdout(&by_name), stdout(&by_path));
    for text in [&a, &b] {
        assert!(text.starts_with("Tiny conflict\n"), "{text}");
        assert!(text.contains("A tiny stylised country used by the test suite"), "narrative: {text}");
        assert!(
            text.contains("day 60  epidemic seeded in Centre: 10 people infected"),
            "events: {text}"
        );
        assert!(text.contains("900 troops, 100 police, 20 observers, 60 civilians"), "{text}");
        assert!(
            text.contains("protection 0.55 / health 0.15 / economic 0.15 / empowerment 0.15"),
            "{text}"
        );
        assert!(
            text.contains("Highland Rebels (rebel)") && text.contains("250 fighters in East"),
            "{text}"
        );
    }
    assert!(
        a.lines().nth(1).unwrap().starts_with("scenarios/tiny-conflict.toml (built in)"),
        "{a}"
    );
    let without_source = |t: &str| t.lines().skip(2).collect::<Vec<_>>().join("\n");
    assert_eq!(without_source(&a), without_source(&b), "the same scenario either way");

    let baseline = stdout(&peacesim(&["describe", "baseline.toml"], &dir));
    assert!(
        baseline.contains("drought in Dori, Ilemi, Garba, … (9 localities), severity 0.70"),
        "{baseline}"
    );
    assert!(baseline.contains("rules.health.r0 = 1.3 (default 1.83)"), "{baseline}");
    let epstein = stdout(&peacesim(&["describe", "epstein-rebellion"], &dir));
    assert!(
        epstein.contains("40 × 40 torus") && epstein.contains("rules.arrest_rule = floor"),
        "{epstein}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unknown_scenario_name_fails_and_lists_the_built_in_ones() {
    let dir = util::temp_dir("whatif-unknown");
    let out = peacesim(&["describe", "tiny-conflit"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("no built-in scenario `tiny-conflit`"), "{err}");
    assert!(err.contains("did you mean `tiny-conflict`?"), "{err}");
    assert!(
        err.contains("baseline") && err.contains("tiny-conflict") && err.contains("epstein-rebellion"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn run_takes_a_built_in_name_from_any_directory() {
    let dir = util::temp_dir("whatif-run-builtin");
    let out = peacesim(&["run", "tiny-conflict", "--ticks", "3", "--quiet"], &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "outputs/tiny-conflict/seed-7");
    let manifest: serde_json::Value = serde_json::from_str(&read(&dir.join("outputs/tiny-conflict/seed-7/manifest.json"))).unwrap();
    assert_eq!(manifest["scenario"]["file"], "scenarios/tiny-conflict.toml (built in)");
    let bad = peacesim(&["run", "tiny-conflict", "--set", "mission.troops=-5", "--quiet"], &dir);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("scenarios/tiny-conflict.toml (built in)") && stderr(&bad).contains("mission.troops"),
        "{}",
        stderr(&bad)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

fn whatif(dir: &Path, out: &str, extra: &[&str]) -> Output {
    let scenario = util::scenario_path("tiny-conflict.toml");
    let mut args = vec![
        "whatif",
        scenario.to_str().unwrap(),
        "--ticks",
        "60",
        "--replicates",
        "3",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    peacesim(&args, dir)
}

#[test]
fn whatif_writes_a_table_a_report_and_a_figure_and_repeats_byte_for_byte() {
    let dir = util::temp_dir("whatif-run");
    let first = whatif(&dir, "a", &["--set", "mission.troops=0", "--threads", "1"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let text = stdout(&first);
    assert_eq!(text.lines().last(), Some("a"), "the directory comes last: {text}");
    let a = dir.join("a");
    let arrows: Vec<&str> = text.lines().filter(|l| l.contains(" -> ")).collect();
    assert!(arrows.len() >= 5, "one line per headline outcome: {text}");
    let line = arrows.iter().find(|l| l.starts_with("Civilian fatalities (people):")).unwrap();
    assert!(line.contains("95 % CI") && line.contains(" %"), "{line}");
    assert!(text.contains("change: mission.troops = 0 (as is: 900)"), "{text}");
    assert!(text.contains("Reproduce with: peacesim whatif"), "{text}");

    let md = read(&a.join("whatif.md"));
    assert!(md.starts_with("# What if: Tiny conflict"), "{md}");
    assert!(
        md.contains("`mission.troops = 0` (as is: `900`)") && md.contains("master seed 7"),
        "{md}"
    );
    for l in &arrows {
        assert!(md.contains(l), "the report holds the table line `{l}`");
    }
    assert!(md.contains("--set mission.troops=0 --ticks 60 --replicates 3 --seed 7"), "{md}");
    assert!(
        !md.contains("--out") && !md.contains("--threads"),
        "the command reproduces results, not locations: {md}"
    );

    let csv = read(&a.join("whatif.csv"));
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    for col in [
        "outcome",
        "as_is_mean",
        "what_if_boot_ci95_high",
        "diff_boot_ci95_low",
        "relative_change",
        "relative_boot_ci95_high",
        "n",
        "verdict",
    ] {
        assert!(header.contains(&col), "{col} in {header:?}");
    }
    assert_eq!(csv.lines().count() - 1, arrows.len(), "a row per line of the table");
    for f in [
        "figures/whatif.svg",
        "figures/whatif.png",
        "comparison.csv",
        "summary.csv",
        "outcomes.csv",
    ] {
        assert!(a.join(f).exists(), "{f}");
    }
    let svg = read(&a.join("figures/whatif.svg"));
    assert!(
        svg.contains("What if: Tiny conflict") && svg.contains("relative change (%)"),
        "figure text"
    );
    let manifest_text = read(&a.join("manifest.json"));
    let manifest: serde_json::Value = serde_json::from_str(&manifest_text).unwrap();
    assert_eq!(manifest["kind"], "whatif");
    assert_eq!(manifest["complete"], true);
    assert!(manifest["files"].as_array().unwrap().iter().any(|f| f["name"] == "whatif.md"));
    assert!(
        manifest_text
            .trim_end()
            .trim_end_matches('}')
            .trim_end()
            .ends_with("\"complete\": true")
    );

    // The same command (other output directory, other thread count): the same bytes.
    let second = whatif(&dir, "b", &["--set", "mission.troops=0", "--threads", "2", "--quiet"]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(stdout(&second).trim(), "b", "--quiet prints only the directory");
    let b = dir.join("b");
    assert_eq!(read(&b.join("whatif.csv")), csv);
    assert_eq!(read(&b.join("whatif.md")), md);

    // A finished what-if has nothing to do (exit 0, the directory printed), and is redrawn by
    // `plot`.
    let again = whatif(&dir, "a", &["--set", "mission.troops=0", "--quiet"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(stdout(&again).trim(), "a");
    assert_eq!(read(&a.join("whatif.md")), md, "left as it was");
    let plot = peacesim(&["plot", "a", "--format", "svg"], &dir);
    assert!(plot.status.success(), "{}", stderr(&plot));
    assert!(stdout(&plot).contains("whatif.svg") && stdout(&plot).contains("compare-differences.svg"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_scenario_against_itself_is_within_noise_everywhere() {
    let dir = util::temp_dir("whatif-same");
    let scenario = util::scenario_path("tiny-conflict.toml");
    let out = whatif(&dir, "same", &["--alt", scenario.to_str().unwrap(), "--format", "svg"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("both arms are the same"), "{text}");
    let arrows: Vec<&str> = text.lines().filter(|l| l.contains(" -> ")).collect();
    assert!(!arrows.is_empty() && arrows.iter().all(|l| l.ends_with(": within noise")), "{text}");
    let csv = read(&dir.join("same/whatif.csv"));
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header = rows.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for row in rows.records() {
        let row = row.unwrap();
        assert_eq!(&row[col("verdict")], "within noise");
        assert_eq!(row[col("as_is_mean")], row[col("what_if_mean")]);
        for c in ["diff", "diff_boot_ci95_low", "diff_boot_ci95_high"] {
            assert_eq!(row[col(c)].parse::<f64>().unwrap(), 0.0, "{c}: {row:?}");
        }
    }
    assert!(dir.join("same/figures/whatif.svg").exists() && !dir.join("same/figures/whatif.png").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_changes_fail_at_once_naming_the_field() {
    let dir = util::temp_dir("whatif-bad");
    let start = Instant::now();
    let out = whatif(&dir, "bad", &["--set", "mission.trops=0"]);
    assert!(start.elapsed() < Duration::from_secs(1), "before any tick: {:?}", start.elapsed());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("mission.trops") && err.contains("did you mean `troops`"), "{err}");
    assert!(!dir.join("bad").exists(), "nothing is written");

    let out = whatif(&dir, "bad", &["--set", "run.ticks=30"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--ticks"), "{}", stderr(&out));
    let out = whatif(&dir, "bad", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nothing to compare"), "{}", stderr(&out));
    let out = whatif(&dir, "bad", &["--alt", "no-such-scenario"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("built-in scenarios:"), "{}", stderr(&out));
    let out = whatif(&dir, "bad", &["--alt", "epstein-rebellion"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("same model"), "{}", stderr(&out));
    assert!(!dir.join("bad").exists(), "nothing is written");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn export_writes_each_built_in_scenario_as_shipped_and_it_validates() {
    let dir = util::temp_dir("export");
    for b in peacesim::library::builtin() {
        // To standard output: the shipped file, byte for byte.
        let out = peacesim(&["export", b.name], &dir);
        assert!(out.status.success(), "{}: {}", b.name, stderr(&out));
        let shipped = read(&util::scenario_path(&format!("{}.toml", b.name)));
        assert_eq!(stdout(&out), shipped, "{}", b.name);
        // To a file (with `.toml` on the name too), which then validates.
        let file = dir.join(format!("{}.toml", b.name));
        let name_toml = format!("{}.toml", b.name);
        let out = peacesim(&["export", &name_toml, "--out", file.to_str().unwrap()], &dir);
        assert!(out.status.success(), "{}: {}", b.name, stderr(&out));
        assert_eq!(stdout(&out).trim(), file.to_str().unwrap());
        assert_eq!(read(&file), shipped, "{}", b.name);
        let check = peacesim(&["validate", file.to_str().unwrap()], &dir);
        assert!(check.status.success(), "{}: {}", b.name, stderr(&check));
    }
    // An existing file is kept without --force, replaced with it.
    let file = dir.join("tiny-conflict.toml");
    std::fs::write(&file, "mine").unwrap();
    let out = peacesim(&["export", "tiny-conflict", "--out", file.to_str().unwrap()], &dir);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("already exists; use --force"), "{}", stderr(&out));
    assert_eq!(read(&file), "mine");
    let out = peacesim(&["export", "tiny-conflict", "--out", file.to_str().unwrap(), "--force"], &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read(&file), read(&util::scenario_path("tiny-conflict.toml")));
    // Only built-in names: an unknown one is invalid input with a suggestion.
    let out = peacesim(&["export", "tiny-conflit"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("did you mean `tiny-conflict`?"), "{}", stderr(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}
