//! `--parquet`: Parquet copies of the big tables hold every value of their CSV tables with the
//! documented types, are the same bytes whatever the thread or shard count, are listed in the
//! manifest and checked by `peacesim verify`.

use std::fs::File;
use std::path::Path;

use parquet::basic::{LogicalType, Type as Physical};
use parquet::file::reader::{FileReader as _, SerializedFileReader};
use parquet::record::Field;

use peacesim::experiment::pool::NoProgress;
use peacesim::experiment::runner::{ExecOptions, execute};
use peacesim::experiment::{build, merge, plan::Plan};

use crate::util;

fn opts(out: &Path, threads: usize, shard: Option<(u32, u32)>, parquet: bool) -> ExecOptions<'static> {
    ExecOptions {
        out: out.to_path_buf(),
        force: false,
        threads,
        shard,
        command: "test".into(),
        progress: &NoProgress,
        stop: &|| false,
        parquet,
    }
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Checks that `NAME.parquet` holds exactly the values of `NAME.csv` in `dir`, column by column
/// with the documented types; returns the number of rows.
fn same_as_csv(dir: &Path, name: &str) -> usize {
    let pq = dir.join(format!("{name}.parquet"));
    let reader = SerializedFileReader::new(File::open(&pq).unwrap_or_else(|e| panic!("{}: {e}", pq.display()))).unwrap();
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let mut csv = csv::Reader::from_path(dir.join(format!("{name}.csv"))).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(schema.num_columns(), header.len(), "{name}");
    for (i, h) in header.iter().enumerate() {
        let c = schema.column(i);
        assert_eq!(c.name(), h);
        let expected = match h.as_str() {
            "run" | "point" | "replicate" | "seed" | "tick" => Physical::INT64,
            "arm"
            | "locality"
            | "group"
            | "indicator"
            | "dimension"
            | "subgroup"
            | "event_type"
            | "sub_event_type"
            | "perpetrator_kind"
            | "perpetrator"
            | "opponent"
            | "target_kind"
            | "mission.policy.allocation" => {
                assert_eq!(c.logical_type_ref(), Some(&LogicalType::String), "{name}: {h}");
                Physical::BYTE_ARRAY
            }
            _ => Physical::DOUBLE,
        };
        assert_eq!(c.physical_type(), expected, "{name}: {h}");
    }
    let records: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let rows: Vec<_> = reader.get_row_iter(None).unwrap().map(Result::unwrap).collect();
    assert_eq!(rows.len(), records.len(), "{name}: rows");
    for (r, (row, record)) in rows.iter().zip(&records).enumerate() {
        for ((h, field), text) in row.get_column_iter().zip(record.iter()) {
            let same = match field {
                Field::Long(x) => text.parse::<i64>() == Ok(*x),
                Field::Double(x) => text.parse::<f64>().is_ok_and(|y| y.to_bits() == x.to_bits()),
                Field::Str(s) => s == text,
                _ => false,
            };
            assert!(same, "{name} row {r} column {h}: Parquet {field:?}, CSV `{text}`");
        }
    }
    rows.len()
}

#[test]
fn a_sweeps_parquet_tables_hold_its_csv_values_and_do_not_depend_on_threads_or_shards() {
    let dir = util::temp_dir("parquet-sweep");
    let plan = Plan::load(&util::root().join("tests/data/plans/tiny-factorial.toml")).unwrap();
    let exp = build::sweep(&plan);
    let plain = execute(&exp, &opts(&dir.join("csv-only"), 2, None, false)).unwrap().dir;
    let one = execute(&exp, &opts(&dir.join("t1"), 1, None, true)).unwrap().dir;
    let two = execute(&exp, &opts(&dir.join("t2"), 2, None, true)).unwrap().dir;
    let sharded = dir.join("shards");
    for i in 0..3 {
        execute(&exp, &opts(&sharded, 2, Some((i, 3)), true)).unwrap();
    }
    assert!(
        !sharded.join("shards/shard-0-of-3/outcomes.parquet").exists(),
        "shards write no Parquet: the merge does"
    );
    merge::merge(&sharded, "test").unwrap();
    for name in ["outcomes", "series", "group_series"] {
        let csv = format!("{name}.csv");
        assert!(
            bytes(&plain.join(&csv)) == bytes(&one.join(&csv)),
            "{csv} is the same with --parquet"
        );
        assert!(!plain.join(format!("{name}.parquet")).exists(), "no copies without --parquet");
        let pq = format!("{name}.parquet");
        let reference = bytes(&one.join(&pq));
        assert!(reference == bytes(&two.join(&pq)), "{pq}: 1 vs 2 threads");
        assert!(reference == bytes(&sharded.join(&pq)), "{pq}: one process vs 3 shards merged");
        let rows = same_as_csv(&one, name);
        let m = peacesim::output::read_manifest(&one).unwrap();
        let entry = m
            .files
            .iter()
            .find(|f| f.name == pq)
            .unwrap_or_else(|| panic!("{pq} not in the manifest"));
        assert_eq!(entry.rows, rows as u64);
        assert!(entry.sha256.is_some() && entry.bytes == Some(reference.len() as u64));
    }
    // A complete experiment run again with --parquet gets the copies it lacks, no run redone.
    let csv_before = bytes(&plain.join("series.csv"));
    let again = execute(&exp, &opts(&plain, 2, None, true)).unwrap();
    assert!(again.nothing_to_do);
    assert_eq!(again.parquet_added, ["outcomes.parquet", "series.parquet", "group_series.parquet"]);
    assert!(bytes(&plain.join("series.parquet")) == bytes(&one.join("series.parquet")));
    assert!(bytes(&plain.join("series.csv")) == csv_before, "no CSV changes");
    let third = execute(&exp, &opts(&plain, 2, None, true)).unwrap();
    assert!(third.nothing_to_do && third.parquet_added.is_empty(), "nothing more to add");
    for d in [&one, &sharded, &plain] {
        let report = peacesim::experiment::verify::verify(d);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
    }
    // A damaged copy is named by verify.
    let series = one.join("series.parquet");
    let mut damaged = bytes(&series);
    damaged.truncate(damaged.len() - 10);
    std::fs::write(&series, damaged).unwrap();
    let problems: Vec<String> = peacesim::experiment::verify::verify(&one)
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("series.parquet") && p.contains("not a readable Parquet file")),
        "{problems:?}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_runs_tables_get_parquet_copies_from_the_command_line() {
    let dir = util::temp_dir("parquet-run");
    let tiny = util::scenario_path("tiny-conflict.toml");
    let out = util::peacesim(
        &["run", tiny.to_str().unwrap(), "--ticks", "10", "--parquet", "--out", "r", "-q"],
        &dir,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = dir.join("r");
    for name in ["timeseries", "localities", "subgroups", "events", "groups"] {
        same_as_csv(&run, name);
    }
    let verify = util::peacesim(&["verify", "r"], &dir);
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    // An output path that cannot be a directory is an I/O problem (2), with or without it.
    std::fs::write(dir.join("file"), "x").unwrap();
    let bad = util::peacesim(
        &["run", tiny.to_str().unwrap(), "--ticks", "2", "--parquet", "--out", "file/r", "-q"],
        &dir,
    );
    assert_eq!(bad.status.code(), Some(2), "{}", String::from_utf8_lossy(&bad.stderr));
    std::fs::remove_dir_all(dir).unwrap();
}
