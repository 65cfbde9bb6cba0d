//! What the page draws while a run goes: the series of one run of each arm (the runs drawn on
//! the maps, first replicate's seed) tick by tick, each locality's M0 on every tick (the animated
//! map), and the mean of the ensemble's runs finished so far with its 95 % interval (Student's t,
//! as `stats::summarize`), from the
//! rows the runner has appended to `series.csv.partial` after each batch.
//!
//! The page asks for what it has not seen yet (`since`), so a poll carries a few rows, not the
//! whole run. Nothing here touches the model or what is written: it only reads.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use serde_json::{Value, json};

use crate::output::plot::CIVILIAN_PARTS;
use crate::phases::indicators::{Indicators, LocalityIndicators, TickRecord};
use crate::scenario::Scenario;

/// The national indicators drawn live, in order (those a scenario's result leaves out are still
/// drawn while it runs: the page hides a series that stays 0 in every arm).
pub const SERIES: [&str; 5] = [
    "civilian_fatalities_cumulative",
    "epidemic_deaths_cumulative",
    "displaced",
    "af_m0",
    "trust_in_mission",
];

/// The columns a series is summed from, and whether it is cumulated over the ticks.
fn recipe(series: &str) -> (Vec<&'static str>, bool) {
    match series {
        "civilian_fatalities_cumulative" => (CIVILIAN_PARTS.to_vec(), true),
        "epidemic_deaths_cumulative" => (vec!["epidemic_deaths"], true),
        "displaced" => (vec!["displaced"], false),
        "af_m0" => (vec!["af_m0"], false),
        _ => (vec!["trust_in_mission"], false),
    }
}

/// The SERIES values of one tick of one run, from its columns (`get`), carrying the running
/// totals of the cumulated ones in `totals` (reset at tick 0).
fn derive(tick: usize, get: impl Fn(&str) -> f64, totals: &mut [f64; SERIES.len()]) -> Vec<f64> {
    if tick == 0 {
        *totals = [0.0; SERIES.len()];
    }
    SERIES
        .iter()
        .zip(totals.iter_mut())
        .map(|(series, total)| {
            let (columns, cumulated) = recipe(series);
            let v: f64 = columns.iter().map(|c| get(c)).sum();
            if cumulated {
                if v.is_finite() {
                    *total += v;
                }
                *total
            } else {
                v
            }
        })
        .collect()
}

/// The locality indicator on the map.
pub const MAP_INDICATOR: &str = "af_m0";

/// Sums of one arm's finished runs at one tick.
#[derive(Clone, Default)]
struct Sums {
    n: u32,
    sum: Vec<f64>,
    squares: Vec<f64>,
}

/// Where `series.csv` has the design point, the tick, and the columns the series need (by name).
type Columns = (usize, usize, Vec<(String, usize)>);

#[derive(Default)]
struct Data {
    arms: Vec<String>,
    ticks: u32,
    tick_days: f64,
    localities: Vec<Value>,
    links: Vec<(u32, u32)>,
    /// arm -> tick -> SERIES values, of the arm's map run.
    pair: Vec<Vec<Vec<f64>>>,
    /// arm -> tick -> each locality's MAP_INDICATOR (single precision: a long run of a large
    /// scenario holds a few hundred thousand).
    map: Vec<Vec<Vec<f32>>>,
    /// arm -> tick -> sums over finished runs.
    ensemble: Vec<Vec<Sums>>,
    /// Runs of each arm in the sums.
    runs: Vec<u32>,
    /// Changes each time the sums do.
    version: u64,
    /// Bytes of `series.csv.partial` read so far, and its columns (point, tick, SERIES).
    offset: u64,
    columns: Option<Columns>,
    /// Running totals of the run being read, and of each arm's map run.
    totals: [f64; SERIES.len()],
    pair_totals: Vec<[f64; SERIES.len()]>,
}

/// A run's live view (shared by the run's thread, which writes, and the server, which reads).
#[derive(Default)]
pub struct Live {
    data: Mutex<Data>,
}

/// Five significant digits: enough for a chart, a third of the bytes.
fn short(x: f64) -> Value {
    if !x.is_finite() {
        return Value::Null;
    }
    format!("{x:.4e}").parse::<f64>().map_or(Value::Null, |v| json!(v))
}

/// Each arm's rows from `from(arm)` on, with where they start.
fn rows<T: Copy + Into<f64>>(table: &[Vec<Vec<T>>], from: impl Fn(usize) -> usize) -> Vec<Value> {
    table
        .iter()
        .enumerate()
        .map(|(arm, ticks)| {
            let start = from(arm).min(ticks.len());
            json!({ "from": start,
                    "rows": ticks[start..].iter().map(|r| r.iter().map(|&x| short(x.into())).collect::<Vec<_>>()).collect::<Vec<_>>() })
        })
        .collect()
}

impl Live {
    fn lock(&self) -> MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sets what the view is of: the arms' names and the scenario's places (for the map).
    pub fn describe(&self, arms: &[&str], scenario: Option<&Scenario>, ticks: u32, tick_days: f64) {
        let mut d = self.lock();
        d.arms = arms.iter().map(|a| (*a).to_string()).collect();
        d.ticks = ticks;
        d.tick_days = tick_days;
        d.pair = vec![Vec::new(); arms.len()];
        d.map = vec![Vec::new(); arms.len()];
        d.ensemble = vec![Vec::new(); arms.len()];
        d.runs = vec![0; arms.len()];
        d.pair_totals = vec![[0.0; SERIES.len()]; arms.len()];
        if let Some(s) = scenario {
            d.localities = s
                .localities
                .iter()
                .map(|l| json!({ "name": l.name, "x": l.x_km, "y": l.y_km, "population": l.population, "site": l.site.is_some() }))
                .collect();
            d.links = s.links.iter().map(|l| (l.a, l.b)).collect();
        }
    }

    /// One tick of an arm's map run.
    pub fn record(&self, arm: usize, record: &TickRecord) {
        #[expect(clippy::cast_possible_truncation, reason = "a map colour needs no more")]
        let places: Vec<f32> = record
            .localities
            .iter()
            .map(|l| l.get(MAP_INDICATOR).unwrap_or(f64::NAN) as f32)
            .collect();
        let mut d = self.lock();
        let Some(mut totals) = d.pair_totals.get(arm).copied() else {
            return;
        };
        let row = derive(record.tick as usize, |c| record.national.get(c).unwrap_or(f64::NAN), &mut totals);
        d.pair_totals[arm] = totals;
        if let Some(p) = d.pair.get_mut(arm) {
            p.push(row);
        }
        if let Some(m) = d.map.get_mut(arm) {
            m.push(places);
        }
    }

    /// Reads the rows the runner appended to `series.csv.partial` since the last call and adds
    /// them to the ensemble's sums (called after each batch, once its rows are on disk).
    pub fn absorb(&self, partial: &Path) {
        let mut d = self.lock();
        let Ok(mut file) = std::fs::File::open(partial) else { return };
        if file.seek(SeekFrom::Start(d.offset)).is_err() {
            return;
        }
        let mut bytes = Vec::new();
        if file.read_to_end(&mut bytes).is_err() {
            return;
        }
        // Only whole lines: a batch's rows end with a newline.
        let Some(end) = bytes.iter().rposition(|&b| b == b'\n') else {
            return;
        };
        let bytes = &bytes[..=end];
        d.offset += bytes.len() as u64;
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
        let arms = d.arms.len();
        let mut columns = d.columns.take();
        for record in reader.records().map_while(std::result::Result::ok) {
            let Some((point, tick, cols)) = columns.as_ref() else {
                let find = |name: &str| record.iter().position(|h| h == name);
                if let (Some(p), Some(t)) = (find("point"), find("tick")) {
                    let named = record
                        .iter()
                        .enumerate()
                        .filter(|(_, h)| SERIES.iter().any(|s| recipe(s).0.contains(h)))
                        .map(|(i, h)| (h.to_string(), i))
                        .collect();
                    columns = Some((p, t, named));
                }
                continue;
            };
            let (point, tick) = (*point, *tick);
            let (Some(Ok(arm)), Some(Ok(tick))) = (
                record.get(point).map(str::parse::<usize>),
                record.get(tick).map(str::parse::<usize>),
            ) else {
                continue;
            };
            if arm >= arms {
                continue;
            }
            let get = |name: &str| {
                cols.iter()
                    .find(|(n, _)| n == name)
                    .and_then(|(_, i)| record.get(*i))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN)
            };
            let mut totals = d.totals;
            let values = derive(tick, get, &mut totals);
            d.totals = totals;
            let sums = &mut d.ensemble[arm];
            if sums.len() <= tick {
                sums.resize(tick + 1, Sums::default());
            }
            let s = &mut sums[tick];
            if s.sum.is_empty() {
                s.sum = vec![0.0; SERIES.len()];
                s.squares = vec![0.0; SERIES.len()];
            }
            s.n += 1;
            for (k, v) in values.iter().enumerate() {
                s.sum[k] += v;
                s.squares[k] += v * v;
            }
            if tick == 0 {
                d.runs[arm] += 1;
            }
        }
        d.columns = columns;
        d.version += 1;
    }

    /// What the page has not seen: the map runs' ticks from `since[arm]` on, and the ensemble's
    /// means (with the half-width of their 95 % interval) unless the page has `version` already.
    /// With every `since` 0 the view's description (arms, places, links) comes too.
    #[must_use]
    pub fn since(&self, since: &[usize], version: u64) -> Value {
        let d = self.lock();
        let from = |arm: usize| since.get(arm).copied().unwrap_or(0);
        let mut out = json!({
            "series": SERIES,
            "version": d.version,
            "pair": rows(&d.pair, from),
            "map": rows(&d.map, from),
            "runs": d.runs,
        });
        if (0..d.arms.len()).all(|a| from(a) == 0) {
            out["arms"] = json!(d.arms);
            out["ticks"] = json!(d.ticks);
            out["tick_days"] = json!(d.tick_days);
            out["localities"] = json!(d.localities);
            out["links"] = json!(d.links);
            out["map_indicator"] = json!(MAP_INDICATOR);
            out["units"] = json!(
                SERIES
                    .iter()
                    .map(|c| {
                        let base = recipe(c).0[0];
                        Indicators::NAMES
                            .iter()
                            .position(|n| *n == base)
                            .map_or("", |i| Indicators::UNITS[i])
                    })
                    .collect::<Vec<_>>()
            );
            out["map_unit"] = json!(
                LocalityIndicators::NAMES
                    .iter()
                    .position(|n| *n == MAP_INDICATOR)
                    .map_or("", |i| LocalityIndicators::UNITS[i])
            );
        }
        if d.version != version {
            let ensemble: Vec<Value> = d
                .ensemble
                .iter()
                .map(|ticks| {
                    let mean: Vec<Vec<Value>> = ticks
                        .iter()
                        .map(|s| {
                            let n = f64::from(s.n);
                            s.sum.iter().map(|&x| short(x / n)).collect()
                        })
                        .collect();
                    let half: Vec<Vec<Value>> = ticks
                        .iter()
                        .map(|s| {
                            let n = f64::from(s.n);
                            s.sum
                                .iter()
                                .zip(&s.squares)
                                .map(|(&x, &q)| {
                                    if s.n < 2 {
                                        return Value::Null;
                                    }
                                    let m = x / n;
                                    let var = ((q - n * m * m) / (n - 1.0)).max(0.0);
                                    short(crate::stats::t975(usize::try_from(s.n - 1).unwrap_or(1)) * (var / n).sqrt())
                                })
                                .collect()
                        })
                        .collect();
                    json!({ "mean": mean, "half": half })
                })
                .collect();
            out["ensemble"] = json!(ensemble);
        }
        out
    }
}
