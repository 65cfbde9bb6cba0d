//! TOML documents: parsing with line numbers, typed deserialisation with field paths, overrides.
//!
//! Shared by scenario files, sweep plans and classic-model scenarios. A problem is always
//! reported with the file, the line where known and the field path; unknown keys get a "did you
//! mean" suggestion when a known key is close. This module knows nothing about what the fields mean.

use std::path::Path;

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

use crate::error::{Error, FieldError, FieldErrors, Result};

/// Largest input file accepted, in bytes; a scenario is a few kilobytes.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// Reads a UTF-8 text file, refusing binary garbage and absurd sizes with a clear message.
///
/// # Errors
/// [`Error::Read`] if the file cannot be read; [`Error::Parse`] if it is empty, too large or not UTF-8.
pub fn read_text(path: &Path) -> Result<String> {
    // The limit is held while reading: `/dev/zero` or an endless pipe is refused at the limit
    // instead of read until memory runs out.
    let bytes = crate::input::read_limited(path, MAX_INPUT_BYTES)?;
    text_from_bytes(&bytes, path)
}

/// Checks raw bytes and turns them into text (see [`read_text`]).
///
/// # Errors
/// [`Error::Parse`] if the bytes are empty, too large, not UTF-8 or contain NUL bytes.
pub fn text_from_bytes(bytes: &[u8], path: &Path) -> Result<String> {
    let problem = |message: String| Error::Parse {
        path: path.to_path_buf(),
        errors: std::iter::once(FieldError {
            path: String::new(),
            line: None,
            message,
        })
        .collect(),
    };
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(problem(format!("file is {} bytes; the limit is {MAX_INPUT_BYTES}", bytes.len())));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        problem(format!(
            "line {line}: not a UTF-8 text file (binary data at byte {})",
            e.valid_up_to()
        ))
    })?;
    if text.contains('\0') {
        return Err(problem("not a text file (contains NUL bytes)".to_string()));
    }
    if text.trim().is_empty() {
        return Err(problem("file is empty".to_string()));
    }
    Ok(text.to_string())
}

/// Parses TOML text into a table, reporting syntax errors with their line.
///
/// # Errors
/// [`Error::Parse`] with the line and the parser's message.
pub fn parse_table(text: &str, path: &Path) -> Result<toml::Table> {
    if let Err(e) = DeTable::parse(text) {
        let line = e.span().map(|s| line_of_offset(text, s.start));
        let message = first_line(e.message());
        return Err(Error::Parse {
            path: path.to_path_buf(),
            errors: std::iter::once(FieldError {
                path: String::new(),
                line,
                message: format!("malformed TOML: {message}"),
            })
            .collect(),
        });
    }
    text.parse::<toml::Table>().map_err(|e| Error::Parse {
        path: path.to_path_buf(),
        errors: std::iter::once(FieldError {
            path: String::new(),
            line: e.span().map(|s| line_of_offset(text, s.start)),
            message: format!("malformed TOML: {}", first_line(e.message())),
        })
        .collect(),
    })
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or("").trim().to_string()
}

/// Deserialises a table into `T`, reporting the field path, line and (for unknown keys) a suggestion.
///
/// # Errors
/// [`Error::Parse`] naming the field path and the expected type or the unknown key.
pub fn deserialize<T: DeserializeOwned>(table: toml::Table, text: &str, path: &Path) -> Result<T> {
    serde_path_to_error::deserialize::<_, T>(table).map_err(|e| {
        let field_path = render_path(e.path());
        let message = explain(e.inner().message());
        let line = line_of_path(text, &field_path);
        Error::Parse {
            path: path.to_path_buf(),
            errors: std::iter::once(FieldError {
                path: field_path,
                line,
                message,
            })
            .collect(),
        }
    })
}

/// At most this many unknown keys are set aside by [`deserialize_past_unknown_keys`] before it
/// stops (each costs one more attempt).
const MAX_UNKNOWN_KEYS: usize = 100;

/// What [`deserialize_past_unknown_keys`] found.
#[derive(Debug)]
pub struct PastUnknownKeys<T> {
    /// The value, if everything but the unknown keys deserialised.
    pub value: Option<T>,
    /// Problems found while deserialising, lines located.
    problems: Vec<FieldError>,
    /// Unknown keys read under the known key they are a near miss of, to check the rest:
    /// (path read as, key as written, its line).
    read_as: Vec<(String, String, Option<usize>)>,
}

impl<T> PastUnknownKeys<T> {
    /// The problems found while deserialising, then `later` ones (validation of the value); a
    /// problem at a key read under its near miss says so.
    #[must_use]
    pub fn problems(&self, later: &FieldErrors) -> FieldErrors {
        self.problems
            .iter()
            .chain(later.iter())
            .map(|e| {
                let mut e = e.clone();
                let under = |p: &str| e.path == p || e.path.starts_with(&format!("{p}.")) || e.path.starts_with(&format!("{p}["));
                if let Some((p, written, line)) = self.read_as.iter().find(|(p, _, _)| under(p)) {
                    e.message.push_str(&format!(" (the value given as `{written}`)"));
                    if e.path == *p {
                        e.line = *line;
                    }
                }
                e
            })
            .collect()
    }
}

/// Deserialises a table into `T` like [`deserialize`], but an unknown key does not hide the
/// rest of the file: it is reported and set aside, and deserialisation is tried again, so that
/// the caller can validate the rest and report every problem at once. A near miss of a known
/// key that the table lacks (`populaton` for `population`) is read as that key, so that a typo
/// does not turn into a missing required key and its value is still checked.
pub fn deserialize_past_unknown_keys<T: DeserializeOwned>(mut table: toml::Table, text: &str) -> PastUnknownKeys<T> {
    let mut found = PastUnknownKeys {
        value: None,
        problems: Vec::new(),
        read_as: Vec::new(),
    };
    loop {
        match serde_path_to_error::deserialize::<_, T>(table.clone()) {
            Ok(value) => {
                found.value = Some(value);
                return found;
            }
            Err(e) => {
                let field_path = render_path(e.path());
                let message = e.inner().message();
                let line = line_of_path(text, &field_path);
                found.problems.push(FieldError {
                    line,
                    message: explain(message),
                    path: field_path.clone(),
                });
                let Some((unknown, expected)) = unknown_field(message) else {
                    return found;
                };
                if found.problems.len() >= MAX_UNKNOWN_KEYS {
                    return found;
                }
                let Some(parent) = parent_table_mut(&mut table, &field_path) else {
                    return found;
                };
                let Some(value) = parent.remove(unknown) else { return found };
                let refs: Vec<&str> = expected.iter().map(String::as_str).collect();
                if let Some(best) = closest(unknown, &refs).filter(|b| !parent.contains_key(*b)) {
                    parent.insert(best.to_string(), value);
                    let read_as = match field_path.strip_suffix(unknown) {
                        Some(prefix) => format!("{prefix}{best}"),
                        None => best.to_string(),
                    };
                    found.read_as.push((read_as, unknown.to_string(), line));
                }
            }
        }
    }
}

/// The unknown key and the known ones of serde's "unknown field `x`, expected one of `a`, `b`".
fn unknown_field(message: &str) -> Option<(&str, Vec<String>)> {
    let rest = first_line_str(message).strip_prefix("unknown field `")?;
    let (unknown, tail) = rest.split_once('`')?;
    Some((unknown, tail.split('`').skip(1).step_by(2).map(str::to_string).collect()))
}

fn first_line_str(message: &str) -> &str {
    message.lines().next().unwrap_or("").trim()
}

/// The table holding the key at a field path (`localities[1]` for `localities[1].populaton`).
fn parent_table_mut<'a>(table: &'a mut toml::Table, path: &str) -> Option<&'a mut toml::Table> {
    let segments = parse_path(path)?;
    let (Segment::Key(_), parents) = segments.split_last()? else {
        return None;
    };
    let Some((first, rest)) = parents.split_first() else {
        return Some(table);
    };
    let Segment::Key(first) = first else { return None };
    let mut node = table.get_mut(first.as_str())?;
    for seg in rest {
        node = match seg {
            Segment::Key(k) => node.as_table_mut()?.get_mut(k.as_str())?,
            Segment::Index(i) => node.as_array_mut()?.get_mut(*i)?,
            Segment::Named(n) => node
                .as_array_mut()?
                .iter_mut()
                .find(|v| v.get("name").and_then(|x| x.as_str()) == Some(n.as_str()))?,
        };
    }
    node.as_table_mut()
}

fn render_path(path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    if text == "." { String::new() } else { text }
}

/// Turns serde's message into one that states the rule, adding "did you mean" for near misses.
fn explain(message: &str) -> String {
    let message = first_line(message);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (unknown, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let expected: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
        let mut out = format!("unknown key `{unknown}`");
        if let Some(best) = closest(unknown, &expected) {
            out.push_str(&format!(" (did you mean `{best}`?)"));
        }
        if !expected.is_empty() {
            out.push_str(&format!("; known keys: {}", expected.join(", ")));
        }
        return out;
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (unknown, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let expected: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
        let mut out = format!("unknown value `{unknown}`");
        if let Some(best) = closest(unknown, &expected) {
            out.push_str(&format!(" (did you mean `{best}`?)"));
        }
        if !expected.is_empty() {
            out.push_str(&format!("; expected one of: {}", expected.join(", ")));
        }
        return out;
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        return format!("required key `{key}` is missing");
    }
    if message.starts_with("invalid type") {
        return format!("wrong type: {}", message.trim_start_matches("invalid type: "));
    }
    message
}

/// Returns the candidate closest to `word` if it is a plausible typo.
#[must_use]
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let mut best: Option<(&str, usize)> = None;
    for &c in candidates {
        let d = edit_distance(word, c);
        if best.is_none_or(|(_, bd)| d < bd) {
            best = Some((c, d));
        }
    }
    best.filter(|&(c, d)| d <= 2.max(c.len().min(word.len()) / 3)).map(|(c, _)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// 1-based line of a byte offset.
#[must_use]
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
    /// `[name=X]`: the element of an array of tables whose `name` is X.
    Named(String),
}

fn parse_path(path: &str) -> Option<Vec<Segment>> {
    let mut segments = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let (inside, tail) = after.split_once(']')?;
            if let Some(name) = inside.strip_prefix("name=") {
                segments.push(Segment::Named(name.trim_matches('"').to_string()));
            } else {
                segments.push(Segment::Index(inside.parse().ok()?));
            }
            rest = tail.strip_prefix('.').unwrap_or(tail);
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            if end == 0 {
                return None;
            }
            segments.push(Segment::Key(rest[..end].to_string()));
            rest = &rest[end..];
            rest = rest.strip_prefix('.').unwrap_or(rest);
        }
    }
    Some(segments)
}

/// Finds the line of a field path in TOML text; falls back to the nearest enclosing item that exists.
#[must_use]
pub fn line_of_path(text: &str, path: &str) -> Option<usize> {
    let root = DeTable::parse(text).ok()?;
    let segments = parse_path(path)?;
    let mut best: Option<usize> = None;
    let mut current: Option<&DeValue<'_>> = None;
    let mut table: Option<&DeTable<'_>> = Some(root.get_ref());
    for seg in &segments {
        let next = match (seg, table, current) {
            (Segment::Key(k), Some(t), _) => t.iter().find(|(key, _)| key.get_ref().as_ref() == k.as_str()).map(|(key, v)| {
                best = Some(line_of_offset(text, key.span().start));
                v
            }),
            (Segment::Index(i), _, Some(DeValue::Array(a))) => a.get(*i),
            (Segment::Named(n), _, Some(DeValue::Array(a))) => a
                .iter()
                .find(|v| v.get_ref().get("name").and_then(|x| x.get_ref().as_str()) == Some(n.as_str())),
            _ => None,
        };
        let Some(next) = next else { break };
        if !matches!(seg, Segment::Key(_)) {
            best = Some(line_of_offset(text, next.span().start));
        }
        current = Some(next.get_ref());
        table = next.get_ref().as_table();
    }
    best
}

/// Sets the value at a field path in a table, creating missing tables on the way.
///
/// Paths look like `mission.troops`, `localities[2].population` or
/// `armed_groups[name=Rebels].fighters`. A key that the schema does not know is caught later,
/// when the table is deserialised.
///
/// # Errors
/// A message if the path is malformed or an array element does not exist.
pub fn set_path(table: &mut toml::Table, path: &str, value: toml::Value) -> std::result::Result<(), String> {
    let segments = parse_path(path).ok_or_else(|| format!("malformed field path `{path}`"))?;
    let Some((Segment::Key(first), rest)) = segments.split_first() else {
        return Err(format!("field path `{path}` must start with a key"));
    };
    if rest.is_empty() {
        table.insert(first.clone(), value);
        return Ok(());
    }
    let mut node: &mut toml::Value = table.entry(first.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let (last, middle) = rest.split_last().expect("rest is not empty");
    for (i, seg) in middle.iter().enumerate() {
        let here = render_segments(&segments[..=i]);
        let shown = render_segments(&segments[..=i + 1]);
        node = step_mut(node, seg, &here, &shown)?;
    }
    let parent = render_segments(&segments[..segments.len() - 1]);
    match last {
        Segment::Key(k) => {
            let t = node.as_table_mut().ok_or_else(|| format!("`{parent}` is not a table"))?;
            t.insert(k.clone(), value);
        }
        Segment::Index(_) | Segment::Named(_) => {
            *step_mut(node, last, &parent, path)? = value;
        }
    }
    Ok(())
}

fn step_mut<'a>(node: &'a mut toml::Value, seg: &Segment, here: &str, shown: &str) -> std::result::Result<&'a mut toml::Value, String> {
    match seg {
        Segment::Key(k) => {
            let t = node.as_table_mut().ok_or_else(|| format!("`{here}` is not a table"))?;
            Ok(t.entry(k.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new())))
        }
        Segment::Index(idx) => {
            let a = node.as_array_mut().ok_or_else(|| format!("`{here}` is not a list"))?;
            let len = a.len();
            a.get_mut(*idx)
                .ok_or_else(|| format!("`{shown}` does not exist (the list has {len} entries)"))
        }
        Segment::Named(n) => {
            let a = node.as_array_mut().ok_or_else(|| format!("`{here}` is not a list"))?;
            let names: Vec<String> = a
                .iter()
                .filter_map(|v| v.get("name").and_then(|x| x.as_str()).map(str::to_string))
                .collect();
            a.iter_mut()
                .find(|v| v.get("name").and_then(|x| x.as_str()) == Some(n.as_str()))
                .ok_or_else(|| {
                    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                    let hint = closest(n, &refs).map(|b| format!(" (did you mean `{b}`?)")).unwrap_or_default();
                    format!("no entry named `{n}` in `{here}`{hint}")
                })
        }
    }
}

/// Reads the value at a field path, if present.
#[must_use]
pub fn get_path<'a>(table: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let segments = parse_path(path)?;
    let (first, rest) = segments.split_first()?;
    let Segment::Key(k) = first else { return None };
    let mut node = table.get(k)?;
    for seg in rest {
        node = match seg {
            Segment::Key(k) => node.as_table()?.get(k)?,
            Segment::Index(i) => node.as_array()?.get(*i)?,
            Segment::Named(n) => node
                .as_array()?
                .iter()
                .find(|v| v.get("name").and_then(|x| x.as_str()) == Some(n.as_str()))?,
        };
    }
    Some(node)
}

fn render_segments(segments: &[Segment]) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
            Segment::Named(n) => out.push_str(&format!("[name={n}]")),
        }
    }
    out
}

/// Parses a command-line value as TOML (number, boolean, string, array, inline table), or as a bare string.
#[must_use]
pub fn parse_value(text: &str) -> toml::Value {
    let doc = format!("v = {text}");
    match doc.parse::<toml::Table>() {
        Ok(mut t) => t.remove("v").unwrap_or_else(|| toml::Value::String(text.to_string())),
        Err(_) => toml::Value::String(text.to_string()),
    }
}

/// Applies `PATH=VALUE` overrides to a table, collecting every problem.
///
/// # Errors
/// The list of overrides that could not be applied, each with its path and reason.
pub fn apply_overrides(table: &mut toml::Table, overrides: &[(String, toml::Value)]) -> std::result::Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    for (path, value) in overrides {
        if let Err(message) = set_path(table, path, value.clone()) {
            errors.push(path.clone(), message);
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn an_endless_scenario_file_is_refused_at_the_limit_while_reading() {
        // Before, the library read all of /dev/zero before checking the size.
        let e = read_text(Path::new("/dev/zero")).expect_err("refused");
        assert!(format!("{e:?}").contains("limit"), "{e:?}");
    }

    #[test]
    fn suggestions_catch_typos_only() {
        assert_eq!(closest("populaton", &["population", "name"]), Some("population"));
        assert_eq!(closest("zebra", &["population", "name"]), None);
    }

    #[test]
    fn paths_resolve_to_lines() {
        let text = "a = 1\n[mission]\ntroops = 5\n[[localities]]\nname = \"A\"\n[[localities]]\nname = \"B\"\npopulation = 3\n";
        assert_eq!(line_of_path(text, "mission.troops"), Some(3));
        assert_eq!(line_of_path(text, "localities[1].population"), Some(8));
        assert_eq!(line_of_path(text, "localities[1].missing"), Some(6));
    }

    #[test]
    fn overrides_set_nested_and_named_values() {
        let mut t: toml::Table = "[mission]\ntroops = 5\n[[localities]]\nname = \"A\"\npopulation = 1\n"
            .parse()
            .unwrap();
        set_path(&mut t, "mission.troops", toml::Value::Integer(9)).unwrap();
        set_path(&mut t, "localities[name=A].population", toml::Value::Integer(7)).unwrap();
        set_path(&mut t, "mission.policy.weights.health", toml::Value::Float(0.5)).unwrap();
        assert_eq!(get_path(&t, "mission.troops"), Some(&toml::Value::Integer(9)));
        assert_eq!(get_path(&t, "localities[0].population"), Some(&toml::Value::Integer(7)));
        assert_eq!(get_path(&t, "mission.policy.weights.health"), Some(&toml::Value::Float(0.5)));
        let err = set_path(&mut t, "localities[name=Z].population", toml::Value::Integer(1)).unwrap_err();
        assert!(err.contains("no entry named `Z`"), "{err}");
    }

    #[test]
    fn values_parse_as_toml_or_strings() {
        assert_eq!(parse_value("3"), toml::Value::Integer(3));
        assert_eq!(parse_value("0.5"), toml::Value::Float(0.5));
        assert_eq!(parse_value("bottom_up"), toml::Value::String("bottom_up".into()));
    }
}
