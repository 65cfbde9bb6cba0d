//! Reading the CSV files of an output directory into small tables with named columns and
//! checked numbers, so that figure code never indexes blindly or panics on a bad file.
//!
//! Only reads; it must not know what a figure shows. Every problem names the file, and for
//! values the line and column.

use std::path::{Path, PathBuf};

use csv::StringRecord;

use crate::error::{Error, FieldError, Result};

/// A CSV file held in memory: header and rows.
#[derive(Debug)]
pub(crate) struct Table {
    /// Where it came from.
    pub path: PathBuf,
    /// Column names.
    pub header: Vec<String>,
    /// Data rows.
    pub rows: Vec<StringRecord>,
}

impl Table {
    /// Reads a whole file.
    pub fn read(path: &Path) -> Result<Self> {
        Self::read_filtered(path, |_, _| true)
    }

    /// Reads a file if it exists.
    pub fn read_if_exists(path: &Path) -> Result<Option<Self>> {
        if path.exists() { Self::read(path).map(Some) } else { Ok(None) }
    }

    /// Reads a file, keeping the rows for which `keep(header, row)` is true.
    pub fn read_filtered(path: &Path, keep: impl Fn(&[String], &StringRecord) -> bool) -> Result<Self> {
        let mut reader = csv::Reader::from_path(path).map_err(|e| csv_error(path, e))?;
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| csv_error(path, e))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(|e| csv_error(path, e))?;
            if keep(&header, &rec) {
                rows.push(rec);
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            header,
            rows,
        })
    }

    /// Index of a column, if present.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Index of a column that must be present.
    pub fn col(&self, name: &str) -> Result<usize> {
        self.find(name).ok_or_else(|| Error::Output {
            path: self.path.clone(),
            message: format!("no column `{name}`: not a file written by this version of peacesim?"),
        })
    }

    /// Text of a cell (empty when the row is short).
    pub fn text(&self, row: usize, col: usize) -> &str {
        self.rows[row].get(col).unwrap_or("")
    }

    /// Number in a cell; an empty cell is NaN; anything else that does not parse is an error.
    pub fn num(&self, row: usize, col: usize) -> Result<f64> {
        let s = self.text(row, col).trim();
        if s.is_empty() {
            return Ok(f64::NAN);
        }
        s.parse::<f64>().map_err(|_| {
            let line = self.rows[row].position().map(|p| p.line() as usize);
            parse_error(
                &self.path,
                self.header.get(col).map_or("", String::as_str),
                line,
                format!("expected a number, got `{s}`"),
            )
        })
    }

    /// Whole number in a cell (ticks, points, replicates).
    pub fn int(&self, row: usize, col: usize) -> Result<u64> {
        let s = self.text(row, col).trim();
        s.parse::<u64>().map_err(|_| {
            let line = self.rows[row].position().map(|p| p.line() as usize);
            parse_error(
                &self.path,
                self.header.get(col).map_or("", String::as_str),
                line,
                format!("expected a whole number, got `{s}`"),
            )
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
}

/// A parse error at a column and line of a file.
pub(crate) fn parse_error(path: &Path, column: &str, line: Option<usize>, message: String) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        errors: std::iter::once(FieldError {
            path: column.to_string(),
            line,
            message,
        })
        .collect(),
    }
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line() as usize);
    match e.into_kind() {
        csv::ErrorKind::Io(source) => Error::Read {
            path: path.to_path_buf(),
            source,
        },
        other => parse_error(path, "", line, format!("not a valid CSV file: {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_numbers_name_file_line_and_column() {
        let dir = std::env::temp_dir().join(format!("peacesim-plot-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.csv");
        std::fs::write(&p, "tick,x\n0,1.5\n1,abc\n").unwrap();
        let t = Table::read(&p).unwrap();
        assert_eq!(t.num(0, 1).unwrap(), 1.5);
        let e = t.num(1, 1).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("x: expected a number, got `abc`"), "{e}");
        assert!(t.col("y").unwrap_err().to_string().contains("no column `y`"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
