//! Parquet copies of finished CSV tables (`--parquet`), for readers that want columns and types
//! (pandas, R arrow, polars, DuckDB).
//!
//! A Parquet file is always made from its CSV table after that table is complete, never from
//! the runs: the CSV stays the product, byte-identical with or without `--parquet`, and the
//! Parquet file holds exactly its values. Because a table is the same bytes whatever the thread
//! count, shard count or resume history, so is its Parquet copy: the column types follow from
//! the column names and values alone, rows go into row groups of a size fixed by the number of
//! columns, and the writer records no time (its `created_by` names the `parquet` crate's
//! version, fixed by `Cargo.lock`).
//!
//! Types: the key columns `run`, `point`, `replicate`, `seed` and `tick` are `INT64`; the
//! columns that name things (`arm`, `locality`, `group`, `indicator`, ... see [`TEXT_COLUMNS`])
//! and any other column with a value that is not a number are `BYTE_ARRAY` with the `UTF8`
//! (string) annotation; every other column is `DOUBLE`. Every column is `REQUIRED` (CSV tables
//! have no missing values; `NaN` stays `NaN`). Compression is Snappy.
//!
//! The file is written under `NAME.parquet.partial` beside the final name and renamed when it
//! is complete, like the tables themselves.

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ::parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use ::parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use ::parquet::file::properties::WriterProperties;
use ::parquet::file::reader::{FileReader as _, SerializedFileReader};
use ::parquet::file::writer::SerializedFileWriter;
use ::parquet::schema::types::Type;

use crate::error::{Error, Result};

/// Columns written as `INT64`: the keys that count or identify runs and ticks.
pub const INTEGER_COLUMNS: [&str; 5] = ["run", "point", "replicate", "seed", "tick"];

/// Columns written as strings whatever their values (names of arms, places, groups, kinds).
pub const TEXT_COLUMNS: [&str; 13] = [
    "arm",
    "locality",
    "group",
    "indicator",
    "dimension",
    "subgroup",
    "event_type",
    "sub_event_type",
    "perpetrator_kind",
    "perpetrator",
    "opponent",
    "target_kind",
    "kind",
];

/// Values held in memory per row group (rows × columns), so a wide table has shorter groups.
const GROUP_VALUES: usize = 1 << 21;

/// A column's type in the Parquet file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// `INT64`.
    Integer,
    /// `DOUBLE`.
    Real,
    /// `BYTE_ARRAY`, `UTF8`.
    Text,
}

/// The Parquet file name beside a CSV table: `series.csv` → `series.parquet`.
#[must_use]
pub fn parquet_name(csv_name: &str) -> String {
    format!("{}.parquet", csv_name.strip_suffix(".csv").unwrap_or(csv_name))
}

fn read_err(path: &Path, message: impl std::fmt::Display) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        message: format!("cannot be converted to Parquet: {message}"),
    }
}

fn write_err(path: &Path) -> impl Fn(::parquet::errors::ParquetError) -> Error + '_ {
    |e| Error::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

fn open_csv(path: &Path) -> Result<csv::Reader<File>> {
    let file = File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(csv::ReaderBuilder::new().from_reader(file))
}

/// The column types of a CSV table (read through once) and its number of data rows.
///
/// # Errors
/// [`Error::Read`] if it cannot be read; [`Error::Output`] if it is not a valid CSV table.
pub fn column_types(path: &Path) -> Result<(Vec<String>, Vec<ColumnType>, u64)> {
    let mut reader = open_csv(path)?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| read_err(path, e))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut types: Vec<ColumnType> = header
        .iter()
        .map(|h| {
            if INTEGER_COLUMNS.contains(&h.as_str()) {
                ColumnType::Integer
            } else if TEXT_COLUMNS.contains(&h.as_str()) {
                ColumnType::Text
            } else {
                ColumnType::Real
            }
        })
        .collect();
    let mut record = csv::StringRecord::new();
    let mut rows = 0_u64;
    while reader.read_record(&mut record).map_err(|e| read_err(path, e))? {
        rows += 1;
        for (t, field) in types.iter_mut().zip(record.iter()) {
            if *t == ColumnType::Real && field.parse::<f64>().is_err() {
                *t = ColumnType::Text;
            }
        }
    }
    Ok((header, types, rows))
}

/// The Parquet schema of a table.
fn schema(path: &Path, header: &[String], types: &[ColumnType]) -> Result<Arc<Type>> {
    let fields = header
        .iter()
        .zip(types)
        .map(|(name, t)| {
            let builder = match t {
                ColumnType::Integer => Type::primitive_type_builder(name, Physical::INT64),
                ColumnType::Real => Type::primitive_type_builder(name, Physical::DOUBLE),
                ColumnType::Text => Type::primitive_type_builder(name, Physical::BYTE_ARRAY).with_logical_type(Some(LogicalType::String)),
            };
            builder.with_repetition(Repetition::REQUIRED).build().map(Arc::new)
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(write_err(path))?;
    Type::group_type_builder("schema")
        .with_fields(fields)
        .build()
        .map(Arc::new)
        .map_err(write_err(path))
}

/// One row group's values, column by column.
enum Column {
    Integer(Vec<i64>),
    Real(Vec<f64>),
    Text(Vec<ByteArray>),
}

impl Column {
    fn new(t: ColumnType) -> Self {
        match t {
            ColumnType::Integer => Self::Integer(Vec::new()),
            ColumnType::Real => Self::Real(Vec::new()),
            ColumnType::Text => Self::Text(Vec::new()),
        }
    }

    fn clear(&mut self) {
        match self {
            Self::Integer(v) => v.clear(),
            Self::Real(v) => v.clear(),
            Self::Text(v) => v.clear(),
        }
    }
}

/// Writes `dir/NAME.parquet` from the complete table `dir/NAME.csv` (through
/// `NAME.parquet.partial`, renamed when complete) and returns its path and rows.
///
/// # Errors
/// [`Error::Read`] or [`Error::Output`] if the CSV cannot be read or holds an integer key that is
/// not a 64-bit integer; [`Error::Write`] if the Parquet file cannot be written.
pub fn write_parquet(dir: &Path, csv_name: &str) -> Result<(PathBuf, u64)> {
    let csv_path = dir.join(csv_name);
    let (header, types, rows) = column_types(&csv_path)?;
    let path = dir.join(parquet_name(csv_name));
    let partial = dir.join(format!("{}.partial", parquet_name(csv_name)));
    let result = write_file(&csv_path, &partial, &header, &types);
    if let Err(e) = result {
        let _ = fs::remove_file(&partial);
        return Err(e);
    }
    fs::rename(&partial, &path).map_err(|source| Error::Write {
        path: path.clone(),
        source,
    })?;
    Ok((path, rows))
}

fn write_file(csv_path: &Path, partial: &Path, header: &[String], types: &[ColumnType]) -> Result<()> {
    let werr = write_err(partial);
    let file = File::create(partial).map_err(|source| Error::Write {
        path: partial.to_path_buf(),
        source,
    })?;
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
    let mut writer =
        SerializedFileWriter::new(BufWriter::with_capacity(1 << 16, file), schema(partial, header, types)?, props).map_err(&werr)?;
    let group_rows = (GROUP_VALUES / header.len().max(1)).max(1024);
    let mut columns: Vec<Column> = types.iter().map(|&t| Column::new(t)).collect();
    let mut reader = open_csv(csv_path)?;
    let mut record = csv::StringRecord::new();
    let mut in_group = 0;
    let mut row = 0_u64;
    loop {
        let more = reader.read_record(&mut record).map_err(|e| read_err(csv_path, e))?;
        if more {
            row += 1;
            for ((c, field), name) in columns.iter_mut().zip(record.iter()).zip(header) {
                match c {
                    Column::Integer(v) => v.push(
                        field
                            .parse()
                            .map_err(|_| read_err(csv_path, format!("row {row}: `{name}` is `{field}`, not a 64-bit integer")))?,
                    ),
                    Column::Real(v) => v.push(
                        field
                            .parse()
                            .map_err(|_| read_err(csv_path, format!("row {row}: `{name}` changed while it was read")))?,
                    ),
                    Column::Text(v) => v.push(ByteArray::from(field)),
                }
            }
            in_group += 1;
        }
        if in_group == group_rows || (!more && in_group > 0) {
            let mut group = writer.next_row_group().map_err(&werr)?;
            for c in &mut columns {
                let mut col = group.next_column().map_err(&werr)?.expect("one column writer per schema field");
                match c {
                    Column::Integer(v) => col.typed::<Int64Type>().write_batch(v, None, None),
                    Column::Real(v) => col.typed::<DoubleType>().write_batch(v, None, None),
                    Column::Text(v) => col.typed::<ByteArrayType>().write_batch(v, None, None),
                }
                .map_err(&werr)?;
                col.close().map_err(&werr)?;
                c.clear();
            }
            group.close().map_err(&werr)?;
            in_group = 0;
        }
        if !more {
            break;
        }
    }
    let file = writer.into_inner().map_err(&werr)?;
    let file = file.into_inner().map_err(|e| Error::Write {
        path: partial.to_path_buf(),
        source: e.into_error(),
    })?;
    file.sync_all().map_err(|source| Error::Write {
        path: partial.to_path_buf(),
        source,
    })
}

/// The number of rows a Parquet file says it holds (from its footer).
///
/// # Errors
/// The reason, if it cannot be opened or is not a Parquet file.
pub fn parquet_rows(path: &Path) -> std::result::Result<u64, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let reader = SerializedFileReader::new(file).map_err(|e| format!("not a readable Parquet file: {e}"))?;
    u64::try_from(reader.metadata().file_metadata().num_rows()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::parquet::record::Field;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("peacesim-unit-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    /// Every value of the Parquet file.
    fn read_back(path: &Path) -> Vec<Vec<Field>> {
        let reader = SerializedFileReader::new(File::open(path).expect("open")).expect("parquet");
        reader
            .get_row_iter(None)
            .expect("rows")
            .map(|row| row.expect("row").get_column_iter().map(|(_, f)| f.clone()).collect())
            .collect()
    }

    /// Whether a Parquet value is the CSV field's value (bit for bit for reals, NaN included).
    fn same(field: &Field, text: &str) -> bool {
        match field {
            Field::Long(x) => text.parse::<i64>() == Ok(*x),
            Field::Double(x) => text.parse::<f64>().is_ok_and(|y| y.to_bits() == x.to_bits()),
            Field::Str(s) => s == text,
            _ => false,
        }
    }

    #[test]
    fn a_table_reads_back_value_for_value_with_its_types() {
        let dir = temp_dir("parquet-roundtrip");
        let text = "run,point,arm,mission.mandate,replicate,seed,tick,day,deaths,share\n\
                    0,0,as is,robust,0,4503599627370495,0,0,5,0.25\n\
                    1,1,\"with, comma\",observer,0,17,3,1.5,NaN,1e-7\n";
        fs::write(dir.join("series.csv"), text).expect("write");
        let (path, rows) = write_parquet(&dir, "series.csv").expect("parquet");
        assert_eq!(path, dir.join("series.parquet"));
        assert_eq!(rows, 2);
        assert_eq!(parquet_rows(&path).expect("rows"), 2);
        assert!(!dir.join("series.parquet.partial").exists());
        let (_, types, _) = column_types(&dir.join("series.csv")).expect("types");
        use ColumnType::{Integer as I, Real as R, Text as T};
        assert_eq!(types, [I, I, T, T, I, I, I, R, R, R]);
        let mut csv = csv::Reader::from_path(dir.join("series.csv")).expect("csv");
        let expected: Vec<Vec<String>> = csv
            .records()
            .map(|r| r.expect("record").iter().map(str::to_string).collect())
            .collect();
        let back = read_back(&path);
        assert_eq!(back.len(), expected.len());
        for (got, want) in back.iter().zip(&expected) {
            assert_eq!(got.len(), want.len());
            assert!(got.iter().zip(want).all(|(g, w)| same(g, w)), "{got:?} vs {want:?}");
        }
        let again = fs::read(&path).expect("read");
        write_parquet(&dir, "series.csv").expect("again");
        assert_eq!(fs::read(&path).expect("read"), again, "the same table gives the same bytes");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn long_tables_are_split_into_row_groups_and_read_back_whole() {
        let dir = temp_dir("parquet-groups");
        let mut text = String::from("run,value\n");
        let n = GROUP_VALUES / 2 + 10;
        for i in 0..n {
            text.push_str(&format!("{i},{}\n", i as f64 / 3.0));
        }
        fs::write(dir.join("outcomes.csv"), text).expect("write");
        let (path, rows) = write_parquet(&dir, "outcomes.csv").expect("parquet");
        assert_eq!(rows, n as u64);
        let reader = SerializedFileReader::new(File::open(&path).expect("open")).expect("parquet");
        assert_eq!(reader.metadata().num_row_groups(), 2);
        let back = read_back(&path);
        assert_eq!(back.len(), n);
        assert!(same(&back[n - 1][0], &(n - 1).to_string()));
        assert!(same(&back[n - 1][1], &((n - 1) as f64 / 3.0).to_string()));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_key_that_is_not_an_integer_and_a_missing_table_are_errors() {
        let dir = temp_dir("parquet-bad");
        fs::write(dir.join("outcomes.csv"), "run,value\n0,1\nx,2\n").expect("write");
        let e = write_parquet(&dir, "outcomes.csv").expect_err("bad key");
        assert!(e.to_string().contains("row 2: `run` is `x`"), "{e}");
        assert!(!dir.join("outcomes.parquet").exists() && !dir.join("outcomes.parquet.partial").exists());
        let e = write_parquet(&dir, "series.csv").expect_err("missing");
        assert!(matches!(e, Error::Read { .. }), "{e}");
        let e = write_parquet(&dir.join("no-such-dir"), "outcomes.csv").expect_err("bad path");
        assert!(matches!(e, Error::Read { .. }), "{e}");
        assert!(parquet_rows(&dir.join("outcomes.csv")).is_err());
        fs::write(dir.join("outcomes.csv"), "run,value\n0,1\n").expect("write");
        fs::create_dir(dir.join("outcomes.parquet.partial")).expect("a directory where the file goes");
        let e = write_parquet(&dir, "outcomes.csv").expect_err("cannot create");
        assert!(matches!(e, Error::Write { .. }), "{e}");
        let _ = fs::remove_dir_all(&dir);
    }
}
