//! `peacesim sensitivity`, `robust` and `calibrate`: the shipped examples run and say what they
//! should, the outputs do not depend on threads or shards, bad plans are refused with file,
//! line and field, and a twin calibration recovers its true values.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util;

fn example(name: &str) -> PathBuf {
    util::root().join("docs/examples").join(name)
}

fn run_ok(args: &[&str]) -> Output {
    let out = util::peacesim(args, &util::root());
    assert!(
        out.status.success(),
        "peacesim {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs a UQ command on a shipped example into a fresh temporary directory (2 threads, quiet)
/// and returns its output directory.
fn run_example(command: &str, name: &str, tag: &str) -> PathBuf {
    let out = util::temp_dir(tag).join("out");
    run_ok(&[
        command,
        example(name).to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "2",
        "--quiet",
    ]);
    out
}

/// Redoes a UQ command's analysis (its runs are complete: nothing is run again) with figures in
/// the paper style, and returns the text of `figures/STEM.svg`.
fn paper_figure(command: &str, name: &str, out: &Path, stem: &str) -> String {
    run_ok(&[
        command,
        example(name).to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--style",
        "paper",
        "--quiet",
    ]);
    read(&out.join("figures").join(format!("{stem}.svg")))
}

/// Checks a paper-style figure: `words` present, `raw` names and titles absent.
fn check_paper_figure(svg: &str, words: &[&str], raw: &[&str]) {
    assert!(svg.contains("width=\"85mm\""), "printed one column wide");
    for w in words {
        assert!(svg.contains(w), "`{w}` missing from a paper figure: {svg}");
    }
    for r in raw {
        assert!(!svg.contains(r), "`{r}` in a paper figure: {svg}");
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Rows of a CSV file as maps from column name to text.
fn rows(p: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(p).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    reader
        .records()
        .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect())
        .collect()
}

fn num(row: &std::collections::BTreeMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = `{}` is not a number", row[column]))
}

#[test]
fn sensitivity_example_writes_indices_noise_report_and_figures() {
    let out = run_example("sensitivity", "sensitivity-tiny.toml", "uq-sensitivity");
    let indices = read(&out.join("indices.csv"));
    assert_eq!(
        indices.lines().next().unwrap(),
        "outcome,parameter,method,index,estimate,ci_low,ci_high"
    );
    let table = rows(&out.join("indices.csv"));
    // 3 outcomes x 4 parameters x (μ*, μ, σ, S1, ST).
    assert_eq!(table.len(), 3 * 4 * 5);
    for r in table.iter().filter(|r| r["index"] == "mu_star" || r["index"] == "total") {
        let (e, lo, hi) = (num(r, "estimate"), num(r, "ci_low"), num(r, "ci_high"));
        assert!(lo <= hi, "{r:?}");
        assert!(
            r["index"] != "mu_star" || (lo <= e && e <= hi && e >= 0.0),
            "μ* inside its interval: {r:?}"
        );
    }
    // The people set to flight per civilian killed decide how many flee: that count must
    // dominate peak displacement (total index).
    let displaced_total: Vec<_> = table
        .iter()
        .filter(|r| r["outcome"] == "peak_displaced" && r["index"] == "total")
        .collect();
    let top = displaced_total
        .iter()
        .max_by(|a, b| num(a, "estimate").total_cmp(&num(b, "estimate")))
        .unwrap();
    assert_eq!(
        top["parameter"], "rules.displacement.flight_per_civilian_killed",
        "{displaced_total:?}"
    );
    let noise = rows(&out.join("noise.csv"));
    assert_eq!(noise.len(), 3 * 2, "one row per outcome and method");
    assert!(noise.iter().all(|r| r["replicates"] == "2" && num(r, "noise_share") >= 0.0));
    let report = read(&out.join("report.md"));
    assert!(
        report.contains("## peak_displaced") && report.contains("Ranked by total Sobol' index"),
        "{report}"
    );
    for stem in [
        "morris-peak_displaced",
        "sobol-peak_displaced",
        "morris-recruits",
        "sobol-civilian_fatalities",
    ] {
        for ext in ["svg", "png"] {
            let f = out.join("figures").join(format!("{stem}.{ext}"));
            assert!(
                f.metadata().map(|m| m.len() > 1000).unwrap_or(false),
                "{} missing or empty",
                f.display()
            );
        }
    }
    // The runs are an ordinary sweep directory that `peacesim verify` accepts.
    run_ok(&["verify", out.join("runs").to_str().unwrap()]);
    // Paper style: no title, parameters and outcomes in words with units, no field paths.
    let morris = paper_figure("sensitivity", "sensitivity-tiny.toml", &out, "morris-peak_displaced");
    check_paper_figure(
        &morris,
        &["Flight per civilian killed (displacement)", "peak displaced (people)"],
        &["rules.displacement", "peak_displaced", "Morris screening"],
    );
    let sobol = read(&out.join("figures/sobol-peak_displaced.svg"));
    check_paper_figure(
        &sobol,
        &["Flight per civilian killed", "share of variance"],
        &["rules.displacement", "Sobol' indices"],
    );
}

#[test]
fn robust_example_compares_policies_on_common_seeds() {
    let out = run_example("robust", "robust-tiny.toml", "uq-robust");
    let table = rows(&out.join("robustness.csv"));
    assert_eq!(table.len(), 3 * 2, "3 outcomes x 2 policies");
    for outcome in ["civilian_fatalities", "peak_displaced", "mean_m0"] {
        let policies: Vec<_> = table.iter().filter(|r| r["outcome"] == outcome).collect();
        let total: f64 = policies.iter().map(|r| num(r, "probability_best")).sum();
        assert!((total - 1.0).abs() < 1e-9, "{outcome}: probabilities of being best sum to {total}");
        for r in &policies {
            assert!(
                num(r, "mean_regret") >= 0.0 && num(r, "max_regret") >= num(r, "mean_regret"),
                "{r:?}"
            );
        }
        // A policy best in every future has no regret at all.
        for r in policies.iter().filter(|r| num(r, "probability_best") == 1.0) {
            assert_eq!(num(r, "max_regret"), 0.0, "{r:?}");
        }
    }
    assert_eq!(rows(&out.join("flips.csv")).len(), 3, "one pair per outcome");
    assert!(read(&out.join("drivers.csv")).starts_with("outcome,flip,futures_flipped,parameter,"));
    // Common random numbers: both policies of a future share its seeds; futures differ.
    let runs = rows(&out.join("runs/outcomes.csv"));
    let seeds = |future: &str, policy: &str| -> Vec<String> {
        runs.iter()
            .filter(|r| r["future"] == future && r["policy"] == policy)
            .map(|r| r["seed"].clone())
            .collect()
    };
    assert_eq!(seeds("0", "protection"), seeds("0", "development"));
    assert_eq!(seeds("0", "protection").len(), 3);
    assert_ne!(seeds("0", "protection"), seeds("1", "protection"));
    for ext in ["svg", "png"] {
        assert!(out.join(format!("figures/robust-mean_m0-best.{ext}")).is_file());
        assert!(out.join(format!("figures/robust-mean_m0-regret.{ext}")).is_file());
    }
    let regret = paper_figure("robust", "robust-tiny.toml", &out, "robust-civilian_fatalities-regret");
    check_paper_figure(
        &regret,
        &["Regret in civilian fatalities (people)"],
        &["civilian_fatalities", "Regret of each policy"],
    );
    let best = read(&out.join("figures/robust-civilian_fatalities-best.svg"));
    check_paper_figure(&best, &["Best for civilian fatalities"], &["civilian_fatalities", "Which policy"]);
}

#[test]
fn twin_calibration_recovers_the_true_values() {
    let dir = util::temp_dir("uq-calibrate");
    let out = dir.join("out");
    run_ok(&[
        "calibrate",
        example("calibrate-twin.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "2",
        "--quiet",
    ]);
    let params = rows(&out.join("parameters.csv"));
    assert_eq!(params.len(), 2);
    for p in &params {
        let (lo, hi, truth) = (num(p, "ci90_low"), num(p, "ci90_high"), num(p, "true_value"));
        assert!(lo <= truth && truth <= hi, "true value outside the 90 % interval: {p:?}");
        assert_eq!(p["true_in_ci90"], "true");
        // Recovered means learned: the interval is well inside the prior (log scale for the
        // log-uniform attack rate), not the prior handed back.
        let (a, b) = (num(p, "prior_low"), num(p, "prior_high"));
        let share = if p["parameter"].ends_with("attack_rate_per_100_fighters_day") {
            (hi / lo).ln() / (b / a).ln()
        } else {
            (hi - lo) / (b - a)
        };
        assert!(share < 0.75, "the 90 % interval covers {share:.2} of the prior: {p:?}");
    }
    let posterior = rows(&out.join("posterior.csv"));
    assert_eq!(posterior.len(), 20, "10 % of 200 draws");
    assert!(posterior.iter().all(|r| r["weight"] == "1"));
    let targets = rows(&out.join("targets.csv"));
    assert_eq!(targets.len(), 3);
    let fit = rows(&out.join("fit.csv"));
    for f in &fit {
        // The accepted draws' outcomes spread less than the prior's.
        let observed = num(f, "observed");
        let prior_spread = num(f, "prior_q95") - num(f, "prior_q05");
        let post_spread = num(f, "posterior_q95") - num(f, "posterior_q05");
        assert!(post_spread <= prior_spread, "{f:?}");
        assert!(
            num(f, "prior_q05") <= observed && observed <= num(f, "prior_q95"),
            "a twin's targets are within what the prior gives: {f:?}"
        );
    }
    assert!(read(&out.join("report.md")).contains("2 of 2 true values lie within their 90 % credible interval"));
    assert!(out.join("figures/posterior.svg").is_file() && out.join("figures/posterior.png").is_file());
    let posterior_figure = paper_figure("calibrate", "calibrate-twin.toml", &out, "posterior");
    check_paper_figure(
        &posterior_figure,
        &["Flight per civilian killed", "Position in the prior range"],
        &["rules.displacement", "Calibrated parameters"],
    );

    // The posterior feeds a robustness plan's futures.
    let plan = util::write(
        &dir,
        "robust-posterior.toml",
        &format!(
            r#"schema_version = 1
scenario = "{}"
ticks = 10
futures = 4
posterior = "{}"
[[outcome]]
name = "peak_displaced"
better = "lower"
[[policy]]
name = "as-is"
[[policy]]
name = "no-troops"
set = {{ "mission.troops" = 0 }}
[[parameter]]
path = "rules.displacement.flight_per_civilian_killed"
min = 100
max = 500
[[parameter]]
path = "armed_groups[1].attack_rate_per_100_fighters_day"
min = 0.02
max = 0.2
scale = "log"
"#,
            util::scenario_path("tiny-conflict.toml").display(),
            out.join("posterior.csv").display()
        ),
    );
    let robust_out = dir.join("robust");
    run_ok(&[
        "robust",
        plan.to_str().unwrap(),
        "--out",
        robust_out.to_str().unwrap(),
        "--quiet",
        "--format",
        "none",
    ]);
    let accepted: Vec<String> = posterior
        .iter()
        .map(|r| r["rules.displacement.flight_per_civilian_killed"].clone())
        .collect();
    for r in rows(&robust_out.join("runs/outcomes.csv")) {
        assert!(
            accepted.contains(&r["rules.displacement.flight_per_civilian_killed"]),
            "a future not from the posterior: {r:?}"
        );
    }
}

/// Small enough to run three times: 2 parameters, Morris (3 trajectories) and Sobol' (N = 4).
const SMALL_PLAN: &str = r#"schema_version = 1
scenario = "SCENARIO"
seed = 5
ticks = 15
replicates = 2
bootstrap = 50
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

/// Every file under `dir` (figures' PNG left out: their bytes come from the font rasteriser)
/// with its bytes, by path relative to `dir`; manifests without their invocation fields.
/// Series targets (issue 19 item 2: "observed series ... e.g. monthly conflict fatalities"): the
/// twin's targets are monthly sums and end-of-month values of the national series, computed from
/// `runs/series.csv` exactly as stated, and the true values are recovered.
#[test]
fn series_targets_are_summaries_of_the_series_and_a_twin_recovers_its_values() {
    let out = run_example("calibrate", "calibrate-series.toml", "uq-calibrate-series");
    let targets = rows(&out.join("targets.csv"));
    let names: Vec<&str> = targets.iter().map(|t| t["outcome"].as_str()).collect();
    assert_eq!(
        names,
        [
            "peak_displaced",
            "civilian_fatalities_rebel[1-30].sum",
            "civilian_fatalities_rebel[31-60].sum",
            "displaced[30-30].last",
            "displaced[60-60].last"
        ]
    );
    // The twin point is the last of the 201 design points; its two replicates' series give the
    // observations by hand.
    let series = rows(&out.join("runs/series.csv"));
    let twin: Vec<_> = series.iter().filter(|r| r["point"] == "200").collect();
    assert_eq!(twin.len(), 2 * 61, "ticks 0-60 of two replicates");
    let window = |column: &str, from: u32, to: u32, last: bool| -> f64 {
        let per_replicate: Vec<f64> = ["0", "1"]
            .iter()
            .map(|rep| {
                let kept: Vec<f64> = twin
                    .iter()
                    .filter(|r| r["replicate"] == *rep)
                    .filter(|r| (from..=to).contains(&r["tick"].parse::<u32>().unwrap()))
                    .map(|r| num(r, column))
                    .collect();
                if last { *kept.last().unwrap() } else { kept.iter().sum() }
            })
            .collect();
        per_replicate.iter().sum::<f64>() / 2.0
    };
    let expected = [
        window("civilian_fatalities_rebel", 1, 30, false),
        window("civilian_fatalities_rebel", 31, 60, false),
        window("displaced", 30, 30, true),
        window("displaced", 60, 60, true),
    ];
    for (t, e) in targets[1..].iter().zip(expected) {
        assert!((num(t, "observed") - e).abs() < 1e-9, "{t:?} against {e} from series.csv");
    }
    assert!(expected[2] > 0.0 && expected[3] > expected[2], "the displaced grow: {expected:?}");
    let params = rows(&out.join("parameters.csv"));
    for p in &params {
        assert_eq!(p["true_in_ci90"], "true", "{p:?}");
    }
    let flee = params
        .iter()
        .find(|p| p["parameter"] == "rules.displacement.flight_per_civilian_killed")
        .unwrap();
    let share = (num(flee, "ci90_high") - num(flee, "ci90_low")) / (num(flee, "prior_high") - num(flee, "prior_low"));
    assert!(share < 0.75, "the flight per killing is learned from the series: {flee:?}");
    let fit = rows(&out.join("fit.csv"));
    assert_eq!(fit.len(), 5, "every target, series included, has its fit row");
}

/// History matching in waves (issue 19: "history matching with an implausibility cut-off"):
/// later waves sample around the non-implausible points of the one before, so a larger share of
/// their runs is non-implausible than of the prior draws, and the twin's true value stays inside.
/// One parameter: the refocusing steps each coordinate by the kept points' spread, so it covers
/// a ridge poorly, and with the rebels' attack rate as a second parameter (displacement grows
/// with the product of killings and flight per killing) the waves kept 21, 20 and 21 of 40.
#[test]
fn history_matching_waves_refocus_on_the_non_implausible_region() {
    let dir = util::temp_dir("uq-hm-waves");
    let plan = util::write(
        &dir,
        "hm.toml",
        &format!(
            r#"schema_version = 1
scenario = "{}"
seed = 8
ticks = 60
replicates = 3
draws = 40
method = "history_matching"
cutoff = 1.5
discrepancy = 0.02
waves = 3
outcomes = ["peak_displaced", "civilian_fatalities"]
[[parameter]]
path = "rules.displacement.flight_per_civilian_killed"
min = 100
max = 500
[twin]
values = {{ "rules.displacement.flight_per_civilian_killed" = 300 }}
"#,
            util::scenario_path("tiny-conflict.toml").display()
        ),
    );
    let out = dir.join("out");
    run_ok(&[
        "calibrate",
        plan.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "2",
        "--quiet",
    ]);
    for wave in ["wave-2", "wave-3"] {
        assert!(
            out.join("waves").join(wave).join("manifest.json").exists(),
            "{wave} ran as a sweep of its own"
        );
    }
    let report = read(&out.join("report.md"));
    // "non-implausible: wave 1: K1 of 40, wave 2: K2 of 40, wave 3: K3 of 40"
    let kept: Vec<usize> = report
        .split("wave ")
        .skip(1)
        .filter_map(|w| w.split(": ").nth(1)?.split(" of").next()?.parse().ok())
        .collect();
    assert_eq!(kept.len(), 3, "{report}");
    assert!(
        kept[2] > kept[0],
        "refocused waves keep a larger share than the prior draws: {kept:?}"
    );
    let posterior = rows(&out.join("posterior.csv"));
    assert_eq!(posterior.len(), kept[2], "the last wave's non-implausible points are the result");
    // OUT's manifest names each wave's sweep, so `verify` checks them, and a rerun with --force
    // recognises the directory as peacesim's.
    let manifest = read(&out.join("manifest.json"));
    assert!(manifest.contains("waves/wave-2") && manifest.contains("waves/wave-3"), "{manifest}");
    run_ok(&["verify", out.to_str().unwrap()]);
    run_ok(&[
        "calibrate",
        plan.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--force",
        "--threads",
        "2",
        "--quiet",
    ]);
    for p in &rows(&out.join("parameters.csv")) {
        assert_eq!(p["true_in_ci90"], "true", "{p:?}");
    }
}

fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            let name = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                if name != "runs/shards" {
                    stack.push(p);
                }
            } else if !name.ends_with(".png") && !name.ends_with("manifest.json") {
                out.push((name, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn uq_outputs_are_identical_at_any_thread_and_shard_count() {
    let dir = util::temp_dir("uq-determinism");
    let plan = util::write(
        &dir,
        "small.toml",
        &SMALL_PLAN.replace("SCENARIO", &util::scenario_path("tiny-conflict.toml").display().to_string()),
    );
    let plan = plan.to_str().unwrap();
    let one = dir.join("one");
    run_ok(&["sensitivity", plan, "--out", one.to_str().unwrap(), "--threads", "1", "--quiet"]);
    let two = dir.join("two");
    run_ok(&["sensitivity", plan, "--out", two.to_str().unwrap(), "--threads", "2", "--quiet"]);
    let sharded = dir.join("sharded");
    for shard in ["1/3", "0/3", "2/3"] {
        run_ok(&["sensitivity", plan, "--out", sharded.to_str().unwrap(), "--shard", shard, "--quiet"]);
    }
    assert!(!sharded.join("indices.csv").exists(), "a shard alone is not analysed");
    run_ok(&["merge", sharded.join("runs").to_str().unwrap()]);
    run_ok(&["sensitivity", plan, "--out", sharded.to_str().unwrap(), "--threads", "2", "--quiet"]);
    let reference = contents(&one);
    assert!(reference.iter().any(|(n, _)| n == "indices.csv"));
    assert!(reference.iter().any(|(n, _)| n == "runs/outcomes.csv"));
    assert!(reference.iter().any(|(n, _)| n.ends_with(".svg")));
    for other in [&two, &sharded] {
        let theirs = contents(other);
        let names = |c: &[(String, Vec<u8>)]| c.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&reference), names(&theirs), "{}", other.display());
        for ((name, a), (_, b)) in reference.iter().zip(&theirs) {
            assert!(a == b, "{name} differs in {}", other.display());
        }
    }
    // Run again: the complete runs are not redone, and the analysis comes out the same.
    let again = run_ok(&["sensitivity", plan, "--out", one.to_str().unwrap(), "--threads", "2"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing to do"));
    assert_eq!(contents(&one), reference);
}

fn refused(dir: &Path, command: &str, name: &str, text: &str) -> String {
    let plan = util::write(
        dir,
        name,
        &text.replace("SCENARIO", &util::scenario_path("tiny-conflict.toml").display().to_string()),
    );
    let out = util::peacesim(
        &[command, plan.to_str().unwrap(), "--out", dir.join("never").to_str().unwrap()],
        &util::root(),
    );
    assert_eq!(out.status.code(), Some(1), "{command} {name} should be refused as invalid input");
    assert!(!dir.join("never").exists(), "nothing is run or written for an invalid plan");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(stderr.contains(name), "names the file: {stderr}");
    stderr
}

#[test]
fn bad_uq_plans_are_refused_naming_file_line_and_field() {
    let dir = util::temp_dir("uq-bad-plans");
    let e = refused(
        &dir,
        "sensitivity",
        "unknown-key.toml",
        &SMALL_PLAN.replace("[morris]\n", "[morris]\nlevel = 4\n"),
    );
    assert!(e.contains("line 16") && e.contains("level"), "{e}");
    let e = refused(
        &dir,
        "sensitivity",
        "bad-values.toml",
        &SMALL_PLAN
            .replace("trajectories = 3", "trajectories = 1")
            .replace("\"recruits\"", "\"recruit\"")
            .replace("min = 0\nmax = 2000", "min = 10\nmax = 5"),
    );
    for needle in [
        "line 16: morris.trajectories: must be in [2, 10000], got 1",
        "outcomes[1]: unknown outcome `recruit` (did you mean `recruits`?)",
        "parameter[1]: needs finite min < max, got [10, 5]",
    ] {
        assert!(e.contains(needle), "missing `{needle}` in:\n{e}");
    }
    let e = refused(
        &dir,
        "sensitivity",
        "unbounded.toml",
        &SMALL_PLAN.replace("rules.displacement.flee_threshold", "rules.targeting.site_weight"),
    );
    assert!(e.contains("line 8: parameter[0]: give `min` and `max`"), "{e}");
    let e = refused(
        &dir,
        "robust",
        "one-policy.toml",
        "schema_version = 1\nscenario = \"SCENARIO\"\nfutures = 1\n[[outcome]]\nname = \"deaths\"\nbetter = \"worse\"\n",
    );
    assert!(e.contains("better") && e.contains("line 6"), "{e}");
    let e = refused(
        &dir,
        "robust",
        "one-policy-2.toml",
        "schema_version = 1\nscenario = \"SCENARIO\"\nfutures = 1\n[[outcome]]\nname = \"deaths\"\nbetter = \"lower\"\n[[policy]]\nname = \"a b\"\n[[parameter]]\npath = \"rules.health.r0\"\nmax = 3\n",
    );
    for needle in [
        "line 3: futures: must be in [2, 100000], got 1",
        "policy: compare at least two",
        "policy[0].name",
    ] {
        assert!(e.contains(needle), "missing `{needle}` in:\n{e}");
    }
    let e = refused(
        &dir,
        "calibrate",
        "twin.toml",
        "schema_version = 1\nscenario = \"SCENARIO\"\ndraws = 20\noutcomes = [\"recruits\"]\n[[parameter]]\npath = \"rules.health.r0\"\nmin = 1\nmax = 3\n[twin]\nvalues = { \"rules.health.r0\" = 5 }\n",
    );
    assert!(e.contains("twin.values: `rules.health.r0` = 5 is outside its range [1, 3]"), "{e}");
    let e = refused(
        &dir,
        "calibrate",
        "no-targets.toml",
        "schema_version = 1\nscenario = \"SCENARIO\"\ndraws = 20\noutcomes = [\"recruits\"]\n[[parameter]]\npath = \"rules.health.r0\"\nmin = 1\nmax = 3\n",
    );
    assert!(e.contains("targets: give `targets`"), "{e}");
    let e = refused(
        &dir,
        "calibrate",
        "bad-series.toml",
        "schema_version = 1\nscenario = \"SCENARIO\"\nticks = 60\ndraws = 20\noutcomes = [\"recruits\"]\n[[series]]\ncolumn = \"displace\"\nfrom_tick = 1\nto_tick = 30\nstatistic = \"last\"\n[[series]]\ncolumn = \"displaced\"\nfrom_tick = 50\nto_tick = 90\nstatistic = \"sum\"\n[[parameter]]\npath = \"rules.health.r0\"\nmin = 1\nmax = 3\n[twin]\nvalues = { \"rules.health.r0\" = 2 }\n",
    );
    for needle in [
        "series[0].column: `displace` is not a column of the national series (did you mean `displaced`?)",
        "series[1].to_tick: must be in [from_tick = 50, 60] (the run's ticks), got 90",
    ] {
        assert!(e.contains(needle), "missing `{needle}` in:\n{e}");
    }
    let e = refused(
        &dir,
        "calibrate",
        "bad-statistic.toml",
        "schema_version = 1\nscenario = \"SCENARIO\"\ndraws = 20\noutcomes = [\"recruits\"]\n[[series]]\ncolumn = \"displaced\"\nfrom_tick = 1\nto_tick = 30\nstatistic = \"median\"\n[[parameter]]\npath = \"rules.health.r0\"\nmin = 1\nmax = 3\n[twin]\nvalues = { \"rules.health.r0\" = 2 }\n",
    );
    assert!(e.contains("line 9") && e.contains("median"), "{e}");
}

#[test]
fn a_killed_uq_command_resumes_to_the_same_bytes() {
    let dir = util::temp_dir("uq-resume");
    // Longer runs and more replicates than the determinism test, so that a kill lands mid-way.
    let text = SMALL_PLAN
        .replace("SCENARIO", &util::scenario_path("tiny-conflict.toml").display().to_string())
        .replace("ticks = 15", "ticks = 40")
        .replace("replicates = 2", "replicates = 4");
    let plan = util::write(&dir, "resume.toml", &text);
    let plan = plan.to_str().unwrap();
    let reference = dir.join("reference");
    run_ok(&[
        "sensitivity",
        plan,
        "--out",
        reference.to_str().unwrap(),
        "--threads",
        "2",
        "--quiet",
    ]);
    let killed = dir.join("killed");
    let mut child = std::process::Command::new(util::bin())
        .args(["sensitivity", plan, "--out", killed.to_str().unwrap(), "--threads", "1", "--quiet"])
        .current_dir(util::root())
        .spawn()
        .unwrap();
    let partial = killed.join("runs/outcomes.csv.partial");
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the command finished before it could be killed"
        );
        let rows = std::fs::read_to_string(&partial).map(|t| t.lines().count()).unwrap_or(0);
        if rows > 10 {
            child.kill().unwrap(); // SIGKILL: nothing is cleaned up.
            child.wait().unwrap();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(!killed.join("indices.csv").exists(), "no analysis from a killed run");
    // Nor anything that looks complete: OUT's own manifest says incomplete until the end.
    let manifest = read(&killed.join("manifest.json"));
    assert!(manifest.contains("\"complete\": false"), "{manifest}");
    let verified = util::peacesim(&["verify", killed.to_str().unwrap()], &dir);
    assert_eq!(verified.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&verified.stderr).contains("manifest.json says the directory is incomplete"));
    let again = run_ok(&["sensitivity", plan, "--out", killed.to_str().unwrap(), "--threads", "2"]);
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("resumed:"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(
        contents(&killed) == contents(&reference),
        "the resumed result differs from an uninterrupted one"
    );
}

#[test]
fn abc_smc_runs_its_generations_as_resumable_sweeps_and_narrows_the_fit() {
    let dir = util::temp_dir("uq-smc");
    let plan = util::write(
        &dir,
        "smc.toml",
        &format!(
            r#"schema_version = 1
scenario = "{}"
seed = 7
ticks = 60
replicates = 2
draws = 100
method = "smc"
outcomes = ["peak_displaced", "final_displaced"]
[smc]
population = 20
generations = 2
[[parameter]]
path = "rules.displacement.flight_per_civilian_killed"
min = 100
max = 500
[twin]
values = {{ "rules.displacement.flight_per_civilian_killed" = 300 }}
"#,
            util::scenario_path("tiny-conflict.toml").display()
        ),
    );
    let out = dir.join("out");
    let args = [
        "calibrate",
        plan.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "2",
        "--quiet",
    ];
    run_ok(&args);
    let posterior = rows(&out.join("posterior.csv"));
    assert_eq!(posterior.len(), 20, "one row per particle");
    let total: f64 = posterior.iter().map(|r| num(r, "weight")).sum();
    assert!((total - 1.0).abs() < 1e-9, "normalised importance weights, sum {total}");
    // The twin's verdict is written either way (with noisy summaries ABC-SMC can miss the true
    // value: docs/EXPERIMENTS.md); the population's outcomes must be closer to the target.
    let p = &rows(&out.join("parameters.csv"))[0];
    assert!(p["true_in_ci90"] == "true" || p["true_in_ci90"] == "false", "{p:?}");
    for f in rows(&out.join("fit.csv")) {
        let spread = |a: &str, b: &str| num(&f, b) - num(&f, a);
        assert!(spread("posterior_q05", "posterior_q95") < spread("prior_q05", "prior_q95"), "{f:?}");
    }
    // The later generations ran as sweeps of their own, each complete.
    let generations: Vec<_> = std::fs::read_dir(out.join("smc")).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(generations.len() >= 2, "{generations:?}");
    for g in &generations {
        run_ok(&["verify", g.to_str().unwrap()]);
    }
    let report = read(&out.join("report.md"));
    assert!(
        report.contains("ABC-SMC: a weighted population of 20 particles after 2 generations"),
        "{report}"
    );
    // Run again: every batch is complete, and the analysis is the same.
    let before = read(&out.join("posterior.csv"));
    run_ok(&args);
    assert_eq!(read(&out.join("posterior.csv")), before);
}
