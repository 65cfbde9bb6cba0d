//! CSV writers: `timeseries.csv`, `groups.csv`, `localities.csv`, `subgroups.csv` and `events.csv` of a run,
//! `network.csv` and `links.csv`, and [`record_line`], the one way the experiments write a row of
//! their own tables.
//!
//! Rows are streamed as the run goes (nothing is held in memory) through one reusable format
//! buffer, and every writer is flushed explicitly at the end (csv's `Drop` swallows flush
//! errors). Floating-point values are written in Rust's shortest round-trip form, which is the
//! same on every platform.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::engine::Observer;
use crate::error::{Error, Result};
use crate::phases::conflict::{Actor, ViolentEvent};
use crate::phases::indicators::{Indicators, LocalityIndicators, TickRecord, subgroup_names};
use crate::scenario::{DIMENSIONS, LocalityKind, Scenario};

use super::manifest::FileEntry;

type Writer = csv::Writer<BufWriter<File>>;

fn open(dir: &Path, name: &str) -> Result<(Writer, PathBuf)> {
    let path = dir.join(name);
    let file = File::create(&path).map_err(|source| Error::Write {
        path: path.clone(),
        source,
    })?;
    Ok((csv::WriterBuilder::new().from_writer(BufWriter::with_capacity(1 << 16, file)), path))
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let source = match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    };
    Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// One CSV record as text, newline included, quoted where needed exactly as the csv crate's
/// writer quotes it (so a table written line by line is byte-identical to one written by a
/// `csv::Writer`).
#[must_use]
pub fn record_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(fields.iter().map(AsRef::as_ref))
        .expect("writing to memory cannot fail");
    String::from_utf8(w.into_inner().expect("flushing to memory cannot fail")).expect("CSV of UTF-8 fields is UTF-8")
}

/// The per-armed-group indicators: the wide `timeseries.csv` and `series.csv` have a column
/// `PREFIX<group slug>` for each (so their names change between scenarios); the long
/// `groups.csv` and `group_series.csv` have a row per group and indicator instead, with these
/// names in their `indicator` column.
pub const GROUP_INDICATORS: [(&str, &str); 2] = [("fighters", "fighters_"), ("civilian_fatalities", "civilian_fatalities_by_")];

/// Header of the long per-group table of a run, `groups.csv`.
pub const GROUPS_HEADER: [&str; 6] = ["tick", "day", "seed", "group", "indicator", "value"];

/// Column names of `timeseries.csv` for a scenario.
#[must_use]
pub fn timeseries_header(scenario: &Scenario) -> Vec<String> {
    let mut h = vec!["tick".to_string(), "day".to_string(), "seed".to_string()];
    h.extend(Indicators::NAMES.iter().map(|s| (*s).to_string()));
    for (_, prefix) in GROUP_INDICATORS {
        for g in scenario.group_slugs() {
            h.push(format!("{prefix}{g}"));
        }
    }
    h
}

/// Values of one `timeseries.csv` row (without tick, day and seed).
pub fn timeseries_values(record: &TickRecord, out: &mut Vec<f64>) {
    out.clear();
    record.national.push_values(out);
    out.extend_from_slice(&record.groups.fighters);
    out.extend_from_slice(&record.groups.civilian_fatalities);
}

/// Writes the CSV tables of one run, tick by tick.
#[derive(Debug)]
pub struct RunWriter {
    timeseries: (Writer, PathBuf),
    localities: (Writer, PathBuf),
    subgroups: (Writer, PathBuf),
    events: (Writer, PathBuf),
    groups: (Writer, PathBuf),
    rows: [u64; 5],
    locality_every: u32,
    seed: u64,
    dt: f64,
    values: Vec<f64>,
    text: String,
    locality_names: Vec<String>,
    subgroup_names: Vec<(&'static str, String)>,
    group_names: Vec<String>,
    group_kinds: Vec<&'static str>,
}

impl RunWriter {
    /// Creates the five files in `dir` and writes their headers.
    ///
    /// # Errors
    /// [`Error::Write`] if a file cannot be created or written.
    pub fn create(dir: &Path, scenario: &Scenario, locality_every: u32) -> Result<Self> {
        let mut w = Self {
            timeseries: open(dir, "timeseries.csv")?,
            localities: open(dir, "localities.csv")?,
            subgroups: open(dir, "subgroups.csv")?,
            events: open(dir, "events.csv")?,
            groups: open(dir, "groups.csv")?,
            rows: [0; 5],
            locality_every: locality_every.max(1),
            seed: scenario.run.seed,
            dt: scenario.run.tick_length_days,
            values: Vec::with_capacity(256),
            text: String::with_capacity(64),
            locality_names: scenario.localities.iter().map(|l| l.name.clone()).collect(),
            subgroup_names: subgroup_names(scenario),
            group_names: scenario.armed_groups.iter().map(|g| g.name.clone()).collect(),
            group_kinds: scenario.armed_groups.iter().map(|g| g.kind.as_str()).collect(),
        };
        let header = timeseries_header(scenario);
        w.timeseries.0.write_record(&header).map_err(|e| csv_error(&w.timeseries.1, e))?;
        w.groups.0.write_record(GROUPS_HEADER).map_err(|e| csv_error(&w.groups.1, e))?;
        let mut lh = vec!["tick", "day", "seed", "locality"];
        lh.extend(LocalityIndicators::NAMES);
        w.localities.0.write_record(&lh).map_err(|e| csv_error(&w.localities.1, e))?;
        let mut sh = vec![
            "tick",
            "day",
            "seed",
            "dimension",
            "subgroup",
            "population",
            "af_headcount_h",
            "af_intensity_a",
            "af_m0",
        ];
        let dims: Vec<String> = DIMENSIONS.iter().map(|d| format!("deprived_{d}_share")).collect();
        sh.extend(dims.iter().map(String::as_str));
        w.subgroups.0.write_record(&sh).map_err(|e| csv_error(&w.subgroups.1, e))?;
        w.events
            .0
            .write_record([
                "tick",
                "day",
                "seed",
                "locality",
                "event_type",
                "sub_event_type",
                "perpetrator_kind",
                "perpetrator",
                "opponent",
                "target_kind",
                "fatalities",
                "fighter_fatalities",
                "peacekeeper_fatalities",
                "injuries",
                "sexual_violence",
                "abductions",
            ])
            .map_err(|e| csv_error(&w.events.1, e))?;
        Ok(w)
    }

    fn number(text: &mut String, x: f64) -> &[u8] {
        text.clear();
        write!(text, "{x}").expect("writing to a String cannot fail");
        text.as_bytes()
    }

    fn actor_name(&self, a: Actor) -> (&'static str, &str) {
        match a {
            Actor::Group(g) => (self.group_kinds[g as usize], self.group_names[g as usize].as_str()),
            Actor::Mission => ("mission", "mission"),
            Actor::Crowd => ("crowd", "crowd"),
        }
    }

    /// Flushes every file and returns what was written.
    ///
    /// # Errors
    /// [`Error::Write`] if a flush fails (for example, a full disk).
    pub fn finish(mut self) -> Result<Vec<FileEntry>> {
        let names = ["timeseries.csv", "localities.csv", "subgroups.csv", "events.csv", "groups.csv"];
        for (w, p) in [
            &mut self.timeseries,
            &mut self.localities,
            &mut self.subgroups,
            &mut self.events,
            &mut self.groups,
        ] {
            w.flush().map_err(|source| Error::Write { path: p.clone(), source })?;
            let file = w.get_ref().get_ref();
            file.sync_all().map_err(|source| Error::Write { path: p.clone(), source })?;
        }
        Ok(names.iter().zip(self.rows).map(|(n, rows)| FileEntry::new(*n, rows)).collect())
    }
}

impl Observer for RunWriter {
    fn observe(&mut self, _scenario: &Scenario, record: &TickRecord, events: &[ViolentEvent]) -> Result<()> {
        let tick = record.tick;
        let day = f64::from(tick) * self.dt;
        timeseries_values(record, &mut self.values);
        {
            let (w, p) = &mut self.timeseries;
            let e = |e| csv_error(p, e);
            w.write_field(tick.to_string()).map_err(e)?;
            w.write_field(Self::number(&mut self.text, day)).map_err(|e| csv_error(p, e))?;
            w.write_field(self.seed.to_string()).map_err(|e| csv_error(p, e))?;
            for &v in &self.values {
                w.write_field(Self::number(&mut self.text, v)).map_err(|e| csv_error(p, e))?;
            }
            w.write_record(None::<&[u8]>).map_err(|e| csv_error(p, e))?;
            self.rows[0] += 1;
        }
        {
            let (w, p) = &mut self.groups;
            for (indicator, values) in [
                (GROUP_INDICATORS[0].0, &record.groups.fighters),
                (GROUP_INDICATORS[1].0, &record.groups.civilian_fatalities),
            ] {
                for (name, &v) in self.group_names.iter().zip(values) {
                    w.write_field(tick.to_string()).map_err(|e| csv_error(p, e))?;
                    w.write_field(Self::number(&mut self.text, day)).map_err(|e| csv_error(p, e))?;
                    w.write_field(self.seed.to_string()).map_err(|e| csv_error(p, e))?;
                    w.write_field(name).map_err(|e| csv_error(p, e))?;
                    w.write_field(indicator).map_err(|e| csv_error(p, e))?;
                    w.write_field(Self::number(&mut self.text, v)).map_err(|e| csv_error(p, e))?;
                    w.write_record(None::<&[u8]>).map_err(|e| csv_error(p, e))?;
                    self.rows[4] += 1;
                }
            }
        }
        if tick.is_multiple_of(self.locality_every) {
            let (w, p) = &mut self.localities;
            for (l, rec) in record.localities.iter().enumerate() {
                w.write_field(tick.to_string()).map_err(|e| csv_error(p, e))?;
                w.write_field(Self::number(&mut self.text, day)).map_err(|e| csv_error(p, e))?;
                w.write_field(self.seed.to_string()).map_err(|e| csv_error(p, e))?;
                w.write_field(&self.locality_names[l]).map_err(|e| csv_error(p, e))?;
                self.values.clear();
                rec.push_values(&mut self.values);
                for &v in &self.values {
                    w.write_field(Self::number(&mut self.text, v)).map_err(|e| csv_error(p, e))?;
                }
                w.write_record(None::<&[u8]>).map_err(|e| csv_error(p, e))?;
                self.rows[1] += 1;
            }
            let (w, p) = &mut self.subgroups;
            for s in &record.subgroups {
                let (dimension, name) = &self.subgroup_names[s.index];
                w.write_field(tick.to_string()).map_err(|e| csv_error(p, e))?;
                w.write_field(Self::number(&mut self.text, day)).map_err(|e| csv_error(p, e))?;
                w.write_field(self.seed.to_string()).map_err(|e| csv_error(p, e))?;
                w.write_field(dimension).map_err(|e| csv_error(p, e))?;
                w.write_field(name).map_err(|e| csv_error(p, e))?;
                for v in [s.population, s.af.h, s.af.a, s.af.m0].into_iter().chain(s.af.deprived) {
                    w.write_field(Self::number(&mut self.text, v)).map_err(|e| csv_error(p, e))?;
                }
                w.write_record(None::<&[u8]>).map_err(|e| csv_error(p, e))?;
                self.rows[2] += 1;
            }
        }
        for ev in events {
            let (pk, pn) = self.actor_name(ev.perpetrator);
            let opponent = ev.opponent.map_or("", |o| self.actor_name(o).1).to_string();
            let (pk, pn) = (pk.to_string(), pn.to_string());
            let (w, p) = &mut self.events;
            w.write_field(tick.to_string()).map_err(|e| csv_error(p, e))?;
            w.write_field(Self::number(&mut self.text, day)).map_err(|e| csv_error(p, e))?;
            w.write_field(self.seed.to_string()).map_err(|e| csv_error(p, e))?;
            w.write_field(&self.locality_names[ev.locality as usize])
                .map_err(|e| csv_error(p, e))?;
            w.write_field(ev.kind.acled_type()).map_err(|e| csv_error(p, e))?;
            w.write_field(ev.kind.sub_event()).map_err(|e| csv_error(p, e))?;
            w.write_field(&pk).map_err(|e| csv_error(p, e))?;
            w.write_field(&pn).map_err(|e| csv_error(p, e))?;
            w.write_field(&opponent).map_err(|e| csv_error(p, e))?;
            w.write_field(ev.kind.target_kind()).map_err(|e| csv_error(p, e))?;
            for v in [
                ev.fatalities,
                ev.fighter_fatalities,
                ev.peacekeeper_fatalities,
                ev.injuries,
                ev.sexual_violence,
                ev.abductions,
            ] {
                w.write_field(Self::number(&mut self.text, v)).map_err(|e| csv_error(p, e))?;
            }
            w.write_record(None::<&[u8]>).map_err(|e| csv_error(p, e))?;
            self.rows[3] += 1;
        }
        Ok(())
    }
}

/// Writes `network.csv` (locality, coordinates, kind, population, site capacity) and `links.csv`
/// (the locality graph), so figures and readers of an output directory need no scenario file.
///
/// # Errors
/// [`Error::Write`] if a file cannot be written.
pub fn write_network(dir: &Path, scenario: &Scenario) -> Result<Vec<FileEntry>> {
    let path = dir.join("network.csv");
    let mut text = record_line(&["locality", "x_km", "y_km", "kind", "population", "site_capacity"]);
    for l in &scenario.localities {
        let kind = match l.kind {
            LocalityKind::Urban => "urban",
            LocalityKind::Rural => "rural",
        };
        text.push_str(&record_line(&[
            l.name.clone(),
            l.x_km.to_string(),
            l.y_km.to_string(),
            kind.to_string(),
            l.population.to_string(),
            l.site.map_or(0.0, |s| s.capacity).to_string(),
        ]));
    }
    std::fs::write(&path, text).map_err(|source| Error::Write {
        path: path.clone(),
        source,
    })?;
    let links = dir.join("links.csv");
    let mut text = record_line(&["from", "to", "distance_km"]);
    for l in &scenario.links {
        text.push_str(&record_line(&[
            scenario.localities[l.a as usize].name.clone(),
            scenario.localities[l.b as usize].name.clone(),
            l.distance_km.to_string(),
        ]));
    }
    std::fs::write(&links, text).map_err(|source| Error::Write { path: links, source })?;
    Ok(vec![
        FileEntry::new("network.csv", scenario.localities.len() as u64),
        FileEntry::new("links.csv", scenario.links.len() as u64),
    ])
}
