//! Ensembles, sweeps, comparisons, shards, merges and resumption.

use std::path::{Path, PathBuf};
use std::process::Command;

use peacesim::experiment::pool::NoProgress;
use peacesim::experiment::runner::{ExecOptions, execute};
use peacesim::experiment::{build, merge, plan::Plan};
use peacesim::rng::derive_seed;
use peacesim::stats::quantile_sorted;

use crate::util;

fn plan_path(name: &str) -> PathBuf {
    util::root().join("tests/data/plans").join(name)
}

fn opts(out: &Path, shard: Option<(u32, u32)>) -> ExecOptions<'static> {
    ExecOptions {
        out: out.to_path_buf(),
        force: false,
        threads: 2,
        shard,
        command: "test".into(),
        progress: &NoProgress,
        stop: &|| false,
        parquet: false,
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn ensemble_seeds_are_distinct_hashes_and_summary_matches_the_series() {
    let dir = util::temp_dir("ensemble");
    let s = util::load("tiny-conflict.toml", &["run.ticks=30"]);
    let exp = build::ensemble(&s, 5, 77);
    let report = execute(&exp, &opts(&dir.join("e"), None)).unwrap();
    let outcomes = read(&report.dir.join("outcomes.csv"));
    let seeds: Vec<u64> = outcomes
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        seeds,
        (0..5).map(|r| derive_seed(77, 0, r)).collect::<Vec<_>>(),
        "seeds are derived as documented"
    );
    let mut sorted = seeds.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), 5);
    assert!(seeds.windows(2).all(|w| w[1] != w[0] + 1), "not consecutive integers");

    // Recompute summary statistics from series.csv for a few indicators and ticks.
    let series = read(&report.dir.join("series.csv"));
    let header: Vec<&str> = series.lines().next().unwrap().split(',').collect();
    let summary = read(&report.dir.join("summary.csv"));
    for indicator in ["af_m0", "displaced", "civilian_fatalities_rebel"] {
        let col = header.iter().position(|h| *h == indicator).unwrap();
        for tick in [0usize, 10, 30] {
            let mut v: Vec<f64> = series
                .lines()
                .skip(1)
                .map(|l| l.split(',').collect::<Vec<_>>())
                .filter(|f| f[4] == tick.to_string())
                .map(|f| f[col].parse().unwrap())
                .collect();
            assert_eq!(v.len(), 5);
            let n = v.len() as f64;
            let mean = v.iter().sum::<f64>() / n;
            let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            v.sort_by(f64::total_cmp);
            let row: Vec<f64> = summary
                .lines()
                .find(|l| l.starts_with(&format!("0,{tick},{indicator},")))
                .unwrap()
                .split(',')
                .skip(3)
                .map(|x| x.parse().unwrap())
                .collect();
            let [n_s, mean_s, sd_s, q025, q975, lo, hi] = row[..] else {
                panic!("summary row shape")
            };
            assert_eq!(n_s, 5.0);
            assert!((mean_s - mean).abs() < 1e-9 * (1.0 + mean.abs()), "{indicator} {tick}");
            assert!((sd_s - sd).abs() < 1e-9 * (1.0 + sd));
            assert!((q025 - quantile_sorted(&v, 0.025)).abs() < 1e-9 * (1.0 + q025.abs()));
            assert!((q975 - quantile_sorted(&v, 0.975)).abs() < 1e-9 * (1.0 + q975.abs()));
            // A percentile bootstrap interval of the mean: within the replicates' range (so a
            // count's never goes below 0), around the mean, a point only when all are equal.
            assert!(
                v[0] <= lo && lo <= mean_s + 1e-9 && mean_s <= hi + 1e-9 && hi <= v[4],
                "{indicator} {tick}: {lo} {hi} {v:?}"
            );
            assert_eq!(lo == hi, v[0] == v[4], "{indicator} {tick}");
        }
    }
    let manifest = read(&report.dir.join("manifest.json"));
    assert!(manifest.contains("\"complete\": true") && manifest.contains("\"kind\": \"ensemble\""));
    std::fs::remove_dir_all(dir).unwrap();
}

/// A CSV file's header and rows.
fn table(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = reader.headers().unwrap().iter().map(str::to_string).collect();
    (header, reader.records().map(Result::unwrap).collect())
}

#[test]
fn policy_weights_are_one_numeric_column_per_pillar_and_sweeps_summarise_each_point() {
    let dir = util::temp_dir("tidy-sweep");
    let plan = Plan::load(&plan_path("tiny-simplex.toml")).unwrap();
    let report = execute(&build::sweep(&plan), &opts(&dir.join("s"), None)).unwrap();
    let pillars = ["economic", "empowerment", "health", "protection"];
    for file in ["design.csv", "outcomes.csv", "point_summary.csv"] {
        let (header, rows) = table(&report.dir.join(file));
        assert!(!header.iter().any(|h| h == "mission.policy.weights"), "{file}: {header:?}");
        for row in &rows {
            let weights: Vec<f64> = pillars
                .iter()
                .map(|p| {
                    let c = header.iter().position(|h| *h == format!("mission.policy.weights.{p}")).unwrap();
                    row[c]
                        .parse::<f64>()
                        .unwrap_or_else(|_| panic!("{file}: `{}` is not a number", &row[c]))
                })
                .collect();
            assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{file}: {weights:?}");
        }
    }
    // One row per point and outcome, with the mean of the point's replicates.
    let (oh, outcomes) = table(&report.dir.join("outcomes.csv"));
    let (sh, summary) = table(&report.dir.join("point_summary.csv"));
    let points = plan.points.len();
    assert_eq!(summary.len(), points * plan.outcomes.len());
    let col = |h: &[String], name: &str| h.iter().position(|x| x == name).unwrap();
    for row in &summary {
        let (point, outcome) = (&row[col(&sh, "point")], &row[col(&sh, "outcome")]);
        let values: Vec<f64> = outcomes
            .iter()
            .filter(|r| r[1] == *point)
            .map(|r| r[col(&oh, outcome)].parse().unwrap())
            .collect();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let stored: f64 = row[col(&sh, "mean")].parse().unwrap();
        assert!((stored - mean).abs() <= 1e-9 * (1.0 + mean.abs()), "{point} {outcome}");
        let (low, high): (f64, f64) = (
            row[col(&sh, "boot_ci95_low")].parse().unwrap(),
            row[col(&sh, "boot_ci95_high")].parse().unwrap(),
        );
        assert!(low <= stored && stored <= high);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn compare_series_name_their_arm_and_per_group_series_are_long_tables() {
    let dir = util::temp_dir("tidy-compare");
    let tiny = util::scenario_path("tiny-conflict.toml");
    let out_dir = dir.join("cmp");
    let out = util::peacesim(
        &[
            "compare",
            tiny.to_str().unwrap(),
            "--arm",
            "as-is=",
            "--arm",
            "no-troops=mission.troops=0",
            "--replicates",
            "2",
            "--ticks",
            "4",
            "--quiet",
            "--out",
            out_dir.to_str().unwrap(),
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (header, series) = table(&out_dir.join("series.csv"));
    let arm = header.iter().position(|h| h == "arm").expect("series.csv has an arm column");
    let point = header.iter().position(|h| h == "point").unwrap();
    for row in &series {
        assert_eq!(&row[arm], if &row[point] == "0" { "as-is" } else { "no-troops" });
    }
    // The long table: fixed columns whatever the groups, a row per series row, group and indicator.
    let (gh, groups) = table(&out_dir.join("group_series.csv"));
    assert_eq!(
        gh,
        [
            "run",
            "point",
            "arm",
            "spec",
            "replicate",
            "seed",
            "tick",
            "day",
            "group",
            "indicator",
            "value"
        ]
    );
    let names = ["State Forces", "Highland Rebels"];
    assert_eq!(groups.len(), series.len() * names.len() * 2);
    let fighters = header.iter().position(|h| h == "fighters_highland_rebels").unwrap();
    let tick = header.iter().position(|h| h == "tick").unwrap();
    for row in &series {
        let long = groups
            .iter()
            .find(|g| g[0] == row[0] && g[6] == row[tick] && &g[8] == "Highland Rebels" && &g[9] == "fighters")
            .unwrap();
        assert_eq!(long[10], row[fighters]);
    }
    // A single run has the same long table beside its wide timeseries.csv.
    let run_dir = dir.join("run");
    let out = util::peacesim(
        &[
            "run",
            tiny.to_str().unwrap(),
            "--ticks",
            "4",
            "--quiet",
            "--out",
            run_dir.to_str().unwrap(),
        ],
        &dir,
    );
    assert!(out.status.success());
    let (gh, groups) = table(&run_dir.join("groups.csv"));
    assert_eq!(gh, ["tick", "day", "seed", "group", "indicator", "value"]);
    assert_eq!(groups.len(), 5 * names.len() * 2);
    assert!(groups.iter().all(|g| names.contains(&&g[3])));
    std::fs::remove_dir_all(dir).unwrap();
}

/// Every CSV file under `dir` (not in `figures/`).
fn csv_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            csv_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "csv") {
            out.push(path);
        }
    }
}

#[test]
fn peacesim_indicators_documents_every_column_of_every_file_written() {
    let dir = util::temp_dir("indicators-complete");
    let tiny = util::scenario_path("tiny-conflict.toml");
    let tiny = tiny.to_str().unwrap();
    let epstein = util::scenario_path("epstein-rebellion.toml");
    let plan = plan_path("tiny-factorial.toml");
    let commands: [(&str, Vec<&str>); 6] = [
        ("run", vec!["run", tiny, "--ticks", "3"]),
        ("epstein", vec!["run", epstein.to_str().unwrap(), "--ticks", "3"]),
        ("ensemble", vec!["run", tiny, "--ticks", "3", "--replicates", "2"]),
        (
            "compare",
            vec![
                "compare",
                tiny,
                "--arm",
                "a=",
                "--arm",
                "b=mission.troops=0",
                "--replicates",
                "2",
                "--ticks",
                "3",
            ],
        ),
        ("sweep", vec!["sweep", plan.to_str().unwrap()]),
        (
            "whatif",
            vec![
                "whatif",
                tiny,
                "--set",
                "mission.troops=0",
                "--replicates",
                "2",
                "--ticks",
                "3",
                "--format",
                "svg",
            ],
        ),
    ];
    let out = util::peacesim(&["indicators"], &dir);
    assert!(out.status.success());
    let listed: Vec<peacesim::experiment::columns::Column> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let (file, rest) = line.split_once(": ").unwrap_or_else(|| panic!("`{line}`"));
            let (name, rest) = rest.split_once(" [").unwrap();
            let (unit, meaning) = rest.split_once("] ").unwrap();
            peacesim::experiment::columns::Column {
                file: Box::leak(file.to_string().into_boxed_str()),
                name: name.into(),
                unit: unit.into(),
                meaning: meaning.into(),
            }
        })
        .collect();
    let mut files_seen = std::collections::BTreeSet::new();
    for (name, args) in commands {
        let target = dir.join(name);
        let mut all = args.clone();
        all.extend(["--quiet", "--out", target.to_str().unwrap()]);
        let out = util::peacesim(&all, &dir);
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let labels: Vec<String> = if target.join("design.csv").exists() {
            table(&target.join("design.csv")).0.into_iter().skip(1).collect()
        } else {
            Vec::new()
        };
        let mut files = Vec::new();
        csv_files(&target, &mut files);
        for file in files {
            let file_name = file.file_name().unwrap().to_str().unwrap().to_string();
            let (header, _) = table(&file);
            for column in header {
                assert!(
                    peacesim::experiment::columns::is_documented(&listed, &file_name, &column, &labels),
                    "{name}: {file_name} column `{column}` is not listed by `peacesim indicators`"
                );
            }
            files_seen.insert(file_name);
        }
    }
    for file in [
        "timeseries.csv",
        "groups.csv",
        "localities.csv",
        "subgroups.csv",
        "events.csv",
        "network.csv",
        "links.csv",
        "outcomes.csv",
        "series.csv",
        "group_series.csv",
        "summary.csv",
        "point_summary.csv",
        "design.csv",
        "comparison.csv",
        "whatif.csv",
    ] {
        assert!(files_seen.contains(file), "the commands wrote no {file}: {files_seen:?}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// Outcomes that are shares (in [0, 1]); every other outcome is a count, a peak or a sum of
/// money (never below 0).
fn is_share(outcome: &str) -> bool {
    outcome.ends_with("_share")
        || [
            "mean_m0",
            "final_m0",
            "mean_h",
            "final_trust_in_mission",
            "final_trust_in_state",
            "final_host_consent",
        ]
        .contains(&outcome)
}

#[test]
fn intervals_of_counts_and_shares_respect_their_bounds_and_are_never_nan() {
    let dir = util::temp_dir("bounded-intervals");
    let tiny = util::scenario_path("tiny-conflict.toml");
    let out_dir = dir.join("cmp");
    let out = util::peacesim(
        &[
            "compare",
            tiny.to_str().unwrap(),
            "--arm",
            "as-is=",
            "--arm",
            "no-troops=mission.troops=0",
            "--replicates",
            "8",
            "--ticks",
            "60",
            "--quiet",
            "--out",
            out_dir.to_str().unwrap(),
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = read(&out_dir.join("comparison.csv"));
    assert!(
        !text.split([',', '\n']).any(|f| ["NaN", "inf", "-inf"].contains(&f)),
        "no NaN or infinity in comparison.csv"
    );
    // The values themselves, to show that the t interval would have broken a bound here.
    let outcomes = read(&out_dir.join("outcomes.csv"));
    let mut reader = csv::Reader::from_reader(outcomes.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut t_would_break = 0;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let h = reader.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    for row in reader.records().map(Result::unwrap) {
        let outcome = &row[col("outcome")];
        let (low, high): (f64, f64) = (
            row[col("boot_ci95_low")].parse().unwrap(),
            row[col("boot_ci95_high")].parse().unwrap(),
        );
        assert!(low >= 0.0, "{outcome} {}: interval below 0: {low}", &row[col("arm")]);
        if is_share(outcome) {
            assert!(high <= 1.0, "{outcome}: share interval above 1: {high}");
        }
        let c = header.iter().position(|x| x == outcome).unwrap();
        let values: Vec<f64> = rows
            .iter()
            .filter(|r| r[2] == row[col("arm")])
            .map(|r| r[c].parse().unwrap())
            .collect();
        let s = peacesim::stats::summarize(&values, &mut Vec::new());
        if s.ci_low < 0.0 || (is_share(outcome) && s.ci_high > 1.0) {
            t_would_break += 1;
        }
    }
    assert!(t_would_break > 0, "the test needs an outcome whose t interval leaves its bounds");
    // The ensemble-style summary of the series keeps its bounds too.
    let summary = read(&out_dir.join("summary.csv"));
    let mut reader = csv::Reader::from_reader(summary.as_bytes());
    let h = reader.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    for row in reader.records().map(Result::unwrap) {
        let low: f64 = row[col("boot_ci95_low")].parse().unwrap();
        let indicator = &row[col("indicator")];
        // Every national indicator but the excess mortality (a difference from a baseline) is >= 0.
        if !indicator.starts_with("excess_") {
            assert!(low >= 0.0, "summary.csv {indicator} tick {}: {low}", &row[col("tick")]);
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// Every `seed` value in a JSON document (any depth).
fn json_seeds(v: &serde_json::Value, out: &mut Vec<u64>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                if k == "seed" {
                    out.push(x.as_u64().unwrap_or_else(|| panic!("seed `{x}` is not an unsigned integer")));
                }
                json_seeds(x, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_seeds(x, out)),
        _ => {}
    }
}

#[test]
fn every_seed_an_ensemble_writes_is_exact_in_a_double() {
    let dir = util::temp_dir("seeds53");
    let s = util::load("tiny-conflict.toml", &["run.ticks=3"]);
    // A master seed at the limit and enough replicates that unmasked 64-bit hashes would exceed
    // 2^53 with probability 1 - 2^-240.
    let exp = build::ensemble(&s, 24, peacesim::rng::MAX_SEED);
    let report = execute(&exp, &opts(&dir.join("e"), None)).unwrap();
    let mut seeds = Vec::new();
    for entry in std::fs::read_dir(&report.dir).unwrap() {
        let path = entry.unwrap().path();
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => {
                let mut reader = csv::Reader::from_path(&path).unwrap();
                let Some(col) = reader.headers().unwrap().iter().position(|h| h == "seed") else {
                    continue;
                };
                for rec in reader.records() {
                    seeds.push(rec.unwrap()[col].parse::<u64>().unwrap());
                }
            }
            Some("json") => json_seeds(&serde_json::from_str(&read(&path)).unwrap(), &mut seeds),
            _ => {}
        }
    }
    assert!(seeds.len() > 24 * 4, "outcomes.csv and series.csv rows were read: {}", seeds.len());
    for seed in seeds {
        #[expect(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "the round trip is the test"
        )]
        let round_trip = seed as f64 as u64;
        assert!(
            seed <= peacesim::rng::MAX_SEED && round_trip == seed,
            "seed {seed} is not exact in a double"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

const COMPARED: [&str; 4] = ["design.csv", "outcomes.csv", "series.csv", "summary.csv"];

#[test]
fn sharded_and_merged_sweeps_equal_the_unsharded_sweep_byte_for_byte() {
    let dir = util::temp_dir("shards");
    let plan = Plan::load(&plan_path("tiny-factorial.toml")).unwrap();
    let exp = build::sweep(&plan);
    let whole = execute(&exp, &opts(&dir.join("whole"), None)).unwrap().dir;
    assert_eq!(read(&whole.join("outcomes.csv")).lines().count(), 1 + 8, "4 points x 2 replicates");
    for n in [1u32, 2, 3] {
        let out = dir.join(format!("n{n}"));
        for i in 0..n {
            execute(&exp, &opts(&out, Some((i, n)))).unwrap();
        }
        merge::merge(&out, "test").unwrap();
        for f in ["design.csv", "outcomes.csv", "series.csv"] {
            assert!(read(&whole.join(f)) == read(&out.join(f)), "{f} differs after merging {n} shards");
        }
    }
    // Merging refuses incomplete shard sets.
    let partial = dir.join("partial");
    execute(&exp, &opts(&partial, Some((0, 2)))).unwrap();
    let err = merge::merge(&partial, "test").unwrap_err().to_string();
    assert!(err.contains("shards [1] of 2 are missing"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn sharded_ensembles_merge_to_the_same_summary() {
    let dir = util::temp_dir("ensemble-shards");
    let s = util::load("tiny-conflict.toml", &["run.ticks=15"]);
    let exp = build::ensemble(&s, 4, 5);
    let whole = execute(&exp, &opts(&dir.join("whole"), None)).unwrap().dir;
    let out = dir.join("sharded");
    for i in 0..3 {
        execute(&exp, &opts(&out, Some((i, 3)))).unwrap();
    }
    merge::merge(&out, "test").unwrap();
    for f in COMPARED {
        assert!(read(&whole.join(f)) == read(&out.join(f)), "{f}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn designs_have_the_right_points() {
    let simplex = Plan::load(&plan_path("tiny-simplex.toml")).unwrap();
    assert_eq!(simplex.points.len(), 35, "C(4 + 3, 3) weight combinations at resolution 4");
    assert!(simplex.scenarios.iter().all(|s| {
        (s.as_peacesim()
            .unwrap()
            .mission
            .as_ref()
            .unwrap()
            .policy
            .weights
            .expect("top-down weights")
            .sum()
            - 1.0)
            .abs()
            < 1e-9
    }));
    let lhs = Plan::load(&plan_path("tiny-lhs.toml")).unwrap();
    assert_eq!(lhs.points.len(), 6);
    let troops: Vec<f64> = lhs
        .scenarios
        .iter()
        .map(|s| s.as_peacesim().unwrap().mission.as_ref().unwrap().troops)
        .collect();
    let mut strata: Vec<usize> = troops.iter().map(|t| (t / 500.0) as usize).collect();
    strata.sort_unstable();
    assert_eq!(strata, vec![0, 1, 2, 3, 4, 5], "one point per stratum: {troops:?}");
    let csv = Plan::load(&plan_path("tiny-csv.toml")).unwrap();
    assert_eq!(csv.points.len(), 3);
    assert_eq!(
        csv.scenarios
            .get(2)
            .unwrap()
            .as_peacesim()
            .unwrap()
            .mission
            .as_ref()
            .unwrap()
            .mandate,
        peacesim::scenario::Mandate::Observer
    );
}

#[test]
fn a_plan_naming_a_missing_field_fails_before_any_run() {
    let dir = util::temp_dir("bad-plan");
    let text = read(&plan_path("tiny-factorial.toml"))
        .replace("mission.troops", "mission.troopz")
        .replace("../../../scenarios", &util::root().join("scenarios").display().to_string());
    let p = util::write(&dir, "bad.toml", &text);
    let err = Plan::load(&p).unwrap_err().to_string();
    assert!(
        err.contains("design point 0") && err.contains("unknown key `troopz`") && err.contains("did you mean `troops`"),
        "{err}"
    );
    let text = read(&plan_path("tiny-factorial.toml")).replace("\"mean_m0\"", "\"mean_mo\"");
    let p = util::write(&plan_path("").parent().unwrap().join("plans"), "bad-outcome.toml", &text);
    let err = Plan::load(&p).unwrap_err().to_string();
    std::fs::remove_file(&p).unwrap();
    assert!(
        err.contains("outcomes[1]: unknown outcome `mean_mo` (did you mean `mean_m0`?)"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn comparisons_pair_replicates_with_common_seeds() {
    let dir = util::temp_dir("compare");
    let base = util::scenario_path("tiny-conflict.toml");
    let mut arms = vec![
        build::parse_arm("a=", &base, &[]).unwrap(),
        build::parse_arm("same=", &base, &[]).unwrap(),
        build::parse_arm("robust=mission.mandate=\"robust\";mission.troops=3000", &base, &[]).unwrap(),
    ];
    for a in &mut arms {
        a.scenario.apply_run_overrides(None, Some(40));
    }
    let exp = build::comparison(&arms, 4, 3).unwrap();
    let report = execute(&exp, &opts(&dir.join("c"), None)).unwrap();
    let outcomes = read(&report.dir.join("outcomes.csv"));
    let seeds_of = |arm: &str| -> Vec<String> {
        outcomes
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|f| f[2] == arm)
            .map(|f| f[5].to_string())
            .collect()
    };
    assert_eq!(seeds_of("a"), seeds_of("robust"), "common random numbers");
    let rows = peacesim::experiment::compare::analyse(&report.dir, 3).unwrap();
    let same = rows.iter().find(|r| r.arm == "same" && r.outcome == "civilian_fatalities").unwrap();
    assert_eq!(same.diff, 0.0, "identical arms give identical runs");
    assert!(same.within_noise);
    let comparison = read(&report.dir.join("comparison.csv"));
    assert!(comparison.lines().count() > 3 * 20);
    assert!(read(&report.dir.join("manifest.json")).contains("comparison.csv"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_killed_sweep_resumes_with_every_run_exactly_once() {
    let dir = util::temp_dir("kill");
    let text = read(&plan_path("tiny-factorial.toml"))
        .replace("replicates = 2", "replicates = 6")
        .replace("ticks = 25", "ticks = 120")
        .replace("../../../scenarios", &util::root().join("scenarios").display().to_string());
    let plan = util::write(&dir, "plan.toml", &text);
    let reference = dir.join("reference");
    let status = Command::new(util::bin())
        .args([
            "sweep",
            plan.to_str().unwrap(),
            "--quiet",
            "--threads",
            "2",
            "--out",
            reference.to_str().unwrap(),
        ])
        .output()
        .unwrap()
        .status;
    assert!(status.success());

    let out = dir.join("killed");
    let mut child = Command::new(util::bin())
        .args([
            "sweep",
            plan.to_str().unwrap(),
            "--quiet",
            "--threads",
            "2",
            "--out",
            out.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let partial = out.join("outcomes.csv.partial");
    let start = std::time::Instant::now();
    loop {
        let rows = std::fs::read_to_string(&partial).map(|t| t.lines().count()).unwrap_or(0);
        if rows >= 5 || start.elapsed().as_secs() > 60 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(!out.join("outcomes.csv").exists(), "a killed sweep must not look complete");
    assert!(read(&out.join("manifest.json")).contains("\"complete\": false"));
    // A half-written row, as a kill during a write would leave.
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(&partial)
        .unwrap()
        .write_all(b"999,3,0,top_do")
        .unwrap();

    let status = Command::new(util::bin())
        .args([
            "sweep",
            plan.to_str().unwrap(),
            "--quiet",
            "--threads",
            "1",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    for f in ["outcomes.csv", "series.csv", "design.csv"] {
        assert!(
            read(&reference.join(f)) == read(&out.join(f)),
            "{f} differs from the uninterrupted sweep"
        );
    }
    let runs: Vec<u64> = read(&out.join("outcomes.csv"))
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(runs, (0..24).collect::<Vec<_>>(), "every run exactly once");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_edited_design_file_is_a_different_experiment() {
    let dir = util::temp_dir("edited-design");
    let scenario = util::scenario_path("tiny-conflict.toml");
    let plan = util::write(
        &dir,
        "plan.toml",
        &format!(
            "schema_version = 1\nscenario = {:?}\nreplicates = 1\nticks = 3\n\n[design]\nkind = \"csv\"\nfile = \"design.csv\"\n",
            scenario.to_str().unwrap()
        ),
    );
    util::write(&dir, "design.csv", "mission.troops\n100\n200\n");
    let out = dir.join("sweep");
    let args = ["sweep", plan.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"];
    assert!(util::peacesim(&args, &dir).status.success());
    // Same number of points, other values: not the experiment in the directory.
    util::write(&dir, "design.csv", "mission.troops\n100\n300\n");
    let r = util::peacesim(&args, &dir);
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("holds a different experiment"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
