//! Golden outputs: the SHA-256 hash of every output file of a few short runs of shipped
//! scenarios, pinned in `tests/golden/NAME.sha256`, so that `cargo test` catches any changed
//! output bit. Restructurings and optimisations must leave them as they are
//! (`scripts/byte-identity.sh` compares two binaries on more and longer runs).
//!
//! `manifest.json` is hashed without the fields that record the wall clock and the invocation
//! (`started_at`, `finished_at`, `command`, `threads`) and each listed file's `bytes` and
//! `sha256` (the files are hashed themselves), as `scripts/byte-identity.sh` does.
//! A change of the model changes the hashes on purpose: regenerate them with
//! `PEACESIM_BLESS=1 cargo test --release golden`, say in CHANGELOG.md which outputs change
//! and why, and regenerate the documents' examples with `scripts/update-docs.py`.

use std::fmt::Write as _;
use std::path::Path;

use peacesim::scenario::sha256_hex;

use crate::util;

/// Fields of `manifest.json` that differ between two invocations of the same run (or between
/// two builds of the same model: the commit).
const INVOCATION_FIELDS: [&str; 5] = ["started_at", "finished_at", "command", "threads", "peacesim_commit"];

/// `sha256sum`-style lines for every file directly in `dir`, in name order; the manifest
/// without its invocation fields (figures in subdirectories are not hashed).
fn hashes(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut out = String::new();
    for name in names {
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        if name == "manifest.json" {
            let mut m: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let fields = m.as_object_mut().expect("a manifest is an object");
            for k in INVOCATION_FIELDS {
                fields.remove(k);
            }
            // Each file's size and SHA-256 (for `peacesim verify`) repeat what the files'
            // own hashes below say; left out so that the pinned hashes stay comparable.
            if let Some(files) = fields.get_mut("files").and_then(serde_json::Value::as_array_mut) {
                for f in files.iter_mut().filter_map(serde_json::Value::as_object_mut) {
                    f.remove("bytes");
                    f.remove("sha256");
                }
            }
            let stripped = serde_json::to_string(&m).unwrap();
            writeln!(out, "{}  {name} (stripped)", sha256_hex(stripped.as_bytes())).unwrap();
        } else {
            writeln!(out, "{}  {name}", sha256_hex(&bytes)).unwrap();
        }
    }
    out
}

/// The lines of `expected` and `actual` that differ, for the failure message.
fn differences(expected: &str, actual: &str) -> String {
    let mut out = String::new();
    for line in expected.lines().filter(|l| !actual.lines().any(|a| a == *l)) {
        writeln!(out, "  - {line}").unwrap();
    }
    for line in actual.lines().filter(|l| !expected.lines().any(|e| e == *l)) {
        writeln!(out, "  + {line}").unwrap();
    }
    out
}

/// Runs `peacesim ARGS --out DIR --threads 2 --quiet` from the repository root (so that the
/// manifest names the scenario as `scenarios/NAME.toml` on every machine) and compares the hashes
/// of its outputs with `tests/golden/NAME.sha256`, or writes that file when blessing.
fn golden(name: &str, args: &[&str]) {
    let dir = util::temp_dir(&format!("golden-{name}"));
    let out = dir.join("out");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--out", out.to_str().unwrap(), "--threads", "2", "--quiet"]);
    let run = util::peacesim(&all, &util::root());
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let actual = hashes(&out);
    std::fs::remove_dir_all(&dir).unwrap();
    let file = util::root().join("tests/golden").join(format!("{name}.sha256"));
    if std::env::var_os("PEACESIM_BLESS").is_some() {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        expected == actual,
        "the outputs of `peacesim {}` differ from {}:\n{}\
         Outputs must stay byte-identical unless the model changes on purpose. If this change is \
         intended, bless the new hashes with `PEACESIM_BLESS=1 cargo test --release golden` and add \
         a line to CHANGELOG.md saying which outputs change and why; then regenerate the examples in \
         the documents with scripts/update-docs.py (tests/docs.rs checks them).",
        args.join(" "),
        file.display(),
        differences(&expected, &actual)
    );
}

#[test]
fn golden_baseline_60_ticks() {
    golden("baseline-60", &["run", "scenarios/baseline.toml", "--ticks", "60"]);
}

#[test]
fn golden_tiny_conflict() {
    golden("tiny-conflict", &["run", "scenarios/tiny-conflict.toml"]);
}

#[test]
fn golden_unmil_ebola_100_ticks() {
    golden("unmil-ebola-100", &["run", "scenarios/unmil-ebola.toml", "--ticks", "100"]);
}

#[test]
fn golden_epstein_rebellion_100_ticks() {
    golden(
        "epstein-rebellion-100",
        &["run", "scenarios/epstein-rebellion.toml", "--ticks", "100"],
    );
}

/// An experiment: the runner's tables (design, outcomes, series, summary, comparison) and the
/// what-if report (`whatif.csv`, `whatif.md`); the figure is not hashed.
#[test]
fn golden_whatif_tiny_conflict() {
    golden(
        "whatif-tiny-conflict",
        &[
            "whatif",
            "scenarios/tiny-conflict.toml",
            "--set",
            "mission.troops=0",
            "--replicates",
            "3",
            "--ticks",
            "30",
            "--format",
            "svg",
        ],
    );
}
