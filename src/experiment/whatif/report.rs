//! Writes a what-if's report into its directory: `whatif.csv`, `whatif.md` and the figure,
//! after the runs and before the manifest (the runner calls it).
//!
//! The only part of a what-if that writes files; what it writes comes from [`super::analysis`]
//! and [`super::render`], and the figure from [`crate::output::plot`].

use std::path::Path;

use crate::error::{Error, Result};
use crate::output::manifest::FileEntry;
use crate::output::plot::{WhatIfText, plot_whatif};

use super::analysis::analyse;
use super::render::{csv_text, render_markdown};
use super::setup::{Edit, Setup};

/// Writes `whatif.csv`, `whatif.md` and the figure into a what-if directory whose runs are
/// complete (called by the runner before the manifest); returns the files written.
///
/// # Errors
/// Read, write or drawing errors.
pub fn write_report(dir: &Path, setup: &Setup) -> Result<Vec<FileEntry>> {
    let a = analyse(dir, setup.seed, setup.model)?;
    let write = |name: &str, text: String| -> Result<()> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| Error::Write { path, source })
    };
    write("whatif.csv", csv_text(&a))?;
    write("whatif.md", render_markdown(&a, setup))?;
    let mut files = vec![
        FileEntry::new("whatif.csv", a.rows.len() as u64),
        FileEntry::new("whatif.md", a.rows.len() as u64),
    ];
    for path in plot_whatif(dir, &setup.formats, setup.look, setup.seed, &figure_text(setup))? {
        let name = path
            .strip_prefix(dir)
            .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
        files.push(FileEntry::new(name, 0));
    }
    Ok(files)
}

/// What the figure says about the what-if: title and the changes.
#[must_use]
pub fn figure_text(setup: &Setup) -> WhatIfText {
    WhatIfText {
        title: format!("What if: {}", setup.title),
        changes: setup.changes.iter().map(Edit::short).collect(),
        model: setup.model.to_string(),
        n: setup.replicates,
    }
}
