//! `summary.csv`: per design point, tick and indicator, the replicates' mean, standard
//! deviation, 2.5 % and 97.5 % quantiles and the percentile bootstrap 95 % interval of the mean
//! (never outside the replicates' range, so within any bound of the indicator), with n.
//! Computed from `series.csv`, one design point at a time (rows are in run order); the ticks of
//! a point are summarised in parallel, each cell from its own bootstrap stream, so the file does
//! not depend on the thread count.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::output::csv::{GROUP_INDICATORS, record_line};
use crate::rng::Streams;
use crate::stats::{BOOTSTRAP_RESAMPLES, bootstrap_indices, bootstrap_mean_ci_at, bootstrap_mean_ci_with, summarize};

/// Columns of `series.csv` before the indicators, besides the design's label columns: run,
/// point, replicate, seed, tick, day.
pub const SERIES_KEY_COLUMNS: usize = 6;

/// Reads `dir/series.csv` and writes `dir/summary.csv` (through a `.partial` name), drawing the
/// bootstrap resamples from streams of the master `seed`. Returns rows written.
///
/// # Errors
/// Read or write errors, or a malformed series file.
pub fn write_summary(dir: &Path, label_columns: &[String], labels: &[Vec<String>], seed: u64) -> Result<u64> {
    let series_path = dir.join("series.csv");
    let mut reader = csv::Reader::from_path(&series_path).map_err(|e| Error::Output {
        path: series_path.clone(),
        message: e.to_string(),
    })?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Output {
            path: series_path.clone(),
            message: e.to_string(),
        })?
        .iter()
        .map(str::to_string)
        .collect();
    let key_columns = SERIES_KEY_COLUMNS + label_columns.len();
    let indicators = &header[key_columns..];
    let partial = dir.join("summary.csv.partial");
    let final_path = dir.join("summary.csv");
    let file = File::create(&partial).map_err(|source| Error::Write {
        path: partial.clone(),
        source,
    })?;
    let mut out = BufWriter::new(file);
    let mut head = vec!["point".to_string()];
    head.extend(label_columns.iter().cloned());
    head.extend(
        [
            "tick",
            "indicator",
            "n",
            "mean",
            "sd",
            "q025",
            "q975",
            "boot_ci95_low",
            "boot_ci95_high",
        ]
        .map(String::from),
    );
    out.write_all(record_line(&head).as_bytes()).map_err(|source| Error::Write {
        path: partial.clone(),
        source,
    })?;

    // rows[rep][tick][indicator] of the current point.
    let mut current: Option<usize> = None;
    let mut by_replicate: Vec<Vec<Vec<f64>>> = Vec::new();
    let mut last_run: Option<u64> = None;
    let mut rows_written = 0u64;
    let streams = Streams::new(seed);
    let mut flush_point = |point: usize, reps: &mut Vec<Vec<Vec<f64>>>, out: &mut BufWriter<File>| -> Result<()> {
        if reps.is_empty() {
            return Ok(());
        }
        let ticks = reps.iter().map(Vec::len).min().unwrap_or(0);
        let labels = {
            let mut f = vec![point.to_string()];
            f.extend(labels[point].iter().cloned());
            let mut t = record_line(&f);
            t.pop(); // newline
            t
        };
        let blocks: Vec<String> = (0..ticks)
            .into_par_iter()
            .map(|tick| {
                let mut scratch = Vec::new();
                let mut values = Vec::with_capacity(reps.len());
                let mut block = String::new();
                // One set of resamples per point and tick, shared by its indicators: the draws
                // are most of the cost.
                let tick_position = u32::try_from(tick).expect("ticks fit u32");
                let indices = bootstrap_indices(&streams, reps.len(), BOOTSTRAP_RESAMPLES, point as u64, tick_position);
                for (k, name) in indicators.iter().enumerate() {
                    values.clear();
                    values.extend(reps.iter().map(|r| r[tick][k]));
                    let s = summarize(&values, &mut scratch);
                    let (low, high) = bootstrap_mean_ci_with(&values, &indices);
                    writeln!(
                        block,
                        "{labels},{tick},{name},{},{},{},{},{},{low},{high}",
                        s.n, s.mean, s.sd, s.q025, s.q975
                    )
                    .expect("String");
                }
                block
            })
            .collect();
        for block in blocks {
            out.write_all(block.as_bytes()).map_err(|source| Error::Write {
                path: partial.clone(),
                source,
            })?;
            rows_written += indicators.len() as u64;
        }
        reps.clear();
        Ok(())
    };
    for rec in reader.records() {
        let rec = rec.map_err(|e| Error::Output {
            path: series_path.clone(),
            message: e.to_string(),
        })?;
        let parse = |i: usize| -> Result<f64> {
            rec[i].parse::<f64>().map_err(|_| Error::Output {
                path: series_path.clone(),
                message: format!("not a number: `{}`", &rec[i]),
            })
        };
        let run: u64 = rec[0].parse().map_err(|_| Error::Output {
            path: series_path.clone(),
            message: "bad run index".into(),
        })?;
        let point: usize = rec[1].parse().map_err(|_| Error::Output {
            path: series_path.clone(),
            message: "bad point index".into(),
        })?;
        if current != Some(point) {
            if let Some(p) = current {
                flush_point(p, &mut by_replicate, &mut out)?;
            }
            current = Some(point);
            last_run = None;
        }
        if last_run != Some(run) {
            by_replicate.push(Vec::new());
            last_run = Some(run);
        }
        let values: Vec<f64> = (key_columns..rec.len()).map(parse).collect::<Result<_>>()?;
        by_replicate.last_mut().expect("pushed above").push(values);
    }
    if let Some(p) = current {
        flush_point(p, &mut by_replicate, &mut out)?;
    }
    out.flush().map_err(|source| Error::Write {
        path: partial.clone(),
        source,
    })?;
    drop(out);
    std::fs::rename(&partial, &final_path).map_err(|source| Error::Write { path: final_path, source })?;
    Ok(rows_written)
}

/// Columns of `outcomes.csv` before the outcomes, besides the design's label columns: run,
/// point, replicate, seed.
pub const OUTCOME_KEY_COLUMNS: usize = 4;

/// Reads `dir/outcomes.csv` and writes `dir/point_summary.csv`: per design point (with its label
/// columns) and outcome, over the point's replicates, `n, mean, sd, q025, q975` and the
/// percentile bootstrap 95 % interval of the mean (streams of the master `seed`). Returns rows
/// written.
///
/// # Errors
/// Read or write errors, or a malformed outcomes file.
pub fn write_point_summary(dir: &Path, label_columns: &[String], labels: &[Vec<String>], seed: u64) -> Result<u64> {
    let path = dir.join("outcomes.csv");
    let bad = |message: String| Error::Output {
        path: path.clone(),
        message,
    };
    let mut reader = csv::Reader::from_path(&path).map_err(|e| bad(e.to_string()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let key_columns = OUTCOME_KEY_COLUMNS + label_columns.len();
    let outcomes = header.get(key_columns..).unwrap_or_default();
    // values[point][outcome][replicate]
    let mut values: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); outcomes.len()]; labels.len()];
    for rec in reader.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let point: usize = rec[1].parse().map_err(|_| bad(format!("bad point index `{}`", &rec[1])))?;
        let slot = values
            .get_mut(point)
            .ok_or_else(|| bad(format!("point {point} is not in design.csv")))?;
        for (k, v) in rec.iter().skip(key_columns).enumerate() {
            slot[k].push(v.parse().map_err(|_| bad(format!("not a number: `{v}`")))?);
        }
    }
    let mut head = vec!["point".to_string()];
    head.extend(label_columns.iter().cloned());
    head.extend(["outcome", "n", "mean", "sd", "q025", "q975", "boot_ci95_low", "boot_ci95_high"].map(String::from));
    let mut text = record_line(&head);
    let streams = Streams::new(seed);
    let mut scratch = Vec::new();
    let mut rows = 0u64;
    for (point, per_outcome) in values.iter().enumerate() {
        let mut keys = vec![point.to_string()];
        keys.extend(labels[point].iter().cloned());
        let mut keys = record_line(&keys);
        keys.pop(); // newline
        for (k, (name, v)) in outcomes.iter().zip(per_outcome).enumerate() {
            let s = summarize(v, &mut scratch);
            // A stream per point and outcome, at a position no tick of summary.csv uses.
            let (low, high) = bootstrap_mean_ci_at(&streams, v, BOOTSTRAP_RESAMPLES, (point * outcomes.len() + k) as u64, u32::MAX);
            writeln!(text, "{keys},{name},{},{},{},{},{},{low},{high}", s.n, s.mean, s.sd, s.q025, s.q975).expect("String");
            rows += 1;
        }
    }
    let out = dir.join("point_summary.csv");
    std::fs::write(&out, text).map_err(|source| Error::Write { path: out, source })?;
    Ok(rows)
}

/// Reads `dir/series.csv` and writes `dir/group_series.csv`, the per-armed-group columns of the
/// series as a long table: the keys of `series.csv` (run, point, label columns, replicate, seed,
/// tick, day), then `group` (the group's name, as in `events.csv`), `indicator` (see
/// [`GROUP_INDICATORS`]) and `value`, so that the columns do not change between scenarios.
/// `groups` are the armed groups' `(slug, name)`. Returns rows written.
///
/// # Errors
/// Read or write errors, or a series file without a group's column.
pub fn write_group_series(dir: &Path, label_columns: &[String], groups: &[(String, String)]) -> Result<u64> {
    let series_path = dir.join("series.csv");
    let bad = |message: String| Error::Output {
        path: series_path.clone(),
        message,
    };
    let mut reader = csv::Reader::from_path(&series_path).map_err(|e| bad(e.to_string()))?;
    let header = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let key_columns = SERIES_KEY_COLUMNS + label_columns.len();
    // (column, group name, indicator) in output order: by indicator, then group.
    let mut columns = Vec::new();
    for (indicator, prefix) in GROUP_INDICATORS {
        for (slug, name) in groups {
            let column = format!("{prefix}{slug}");
            let c = header
                .iter()
                .position(|h| h == column)
                .ok_or_else(|| bad(format!("no column `{column}`")))?;
            columns.push((c, name.as_str(), indicator));
        }
    }
    let mut head: Vec<String> = header.iter().take(key_columns).map(str::to_string).collect();
    head.extend(["group", "indicator", "value"].map(String::from));
    let path = dir.join("group_series.csv");
    let file = File::create(&path).map_err(|source| Error::Write {
        path: path.clone(),
        source,
    })?;
    let mut out = BufWriter::new(file);
    let werr = |source| Error::Write {
        path: path.clone(),
        source,
    };
    out.write_all(record_line(&head).as_bytes()).map_err(werr)?;
    let mut rows = 0u64;
    for rec in reader.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let mut keys: Vec<&str> = Vec::with_capacity(key_columns + 3);
        for &(c, name, indicator) in &columns {
            keys.clear();
            keys.extend(rec.iter().take(key_columns));
            keys.extend([name, indicator, &rec[c]]);
            out.write_all(record_line(&keys).as_bytes()).map_err(werr)?;
            rows += 1;
        }
    }
    out.flush().map_err(werr)?;
    Ok(rows)
}
