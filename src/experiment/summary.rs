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
use crate::output::csv::record_line;
use crate::rng::Streams;
use crate::stats::{BOOTSTRAP_RESAMPLES, bootstrap_mean_ci_at, summarize};

/// Columns of `series.csv` before the indicators: run, point, replicate, seed, tick, day.
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
    let indicators = &header[SERIES_KEY_COLUMNS..];
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
                for (k, name) in indicators.iter().enumerate() {
                    values.clear();
                    values.extend(reps.iter().map(|r| r[tick][k]));
                    let s = summarize(&values, &mut scratch);
                    let stream = (point * indicators.len() + k) as u64;
                    let tick_position = u32::try_from(tick).expect("ticks fit u32");
                    let (low, high) = bootstrap_mean_ci_at(&streams, &values, BOOTSTRAP_RESAMPLES, stream, tick_position);
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
        let values: Vec<f64> = (SERIES_KEY_COLUMNS..rec.len()).map(parse).collect::<Result<_>>()?;
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
