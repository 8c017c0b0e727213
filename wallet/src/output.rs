//! All output: text for people, or exactly one JSON object per command for scripts (`--json`).
//!
//! Results go to stdout and only through this module (`lib.rs` denies `clippy::print_stdout`).
//! Stdout is written with `writeln!` rather than `println!`, which would panic when the reader
//! goes away (`heitje history | head`). Prompts, progress and warnings go to stderr, so stdout
//! stays one JSON object in `--json` mode.

use std::fmt::Write as _;
use std::io::Write as _;

use serde::Serialize;

/// Where a command's results go.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    json: bool,
}

impl Output {
    /// Text output, or JSON if `json`.
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// Whether results are JSON.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Prints a result: `value` as one JSON line in JSON mode, else the text `text()` builds.
    pub fn result<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) -> Result<(), serde_json::Error> {
        if self.json {
            let line = serde_json::to_string(value)?;
            write_stdout(&line);
        } else {
            write_stdout(text().trim_end_matches('\n'));
        }
        Ok(())
    }

    /// Prints a JSON value in JSON mode and nothing in text mode.
    pub fn json_only<T: Serialize>(&self, value: &T) -> Result<(), serde_json::Error> {
        if self.json {
            write_stdout(&serde_json::to_string(value)?);
        }
        Ok(())
    }

    /// A progress or context line on stderr.
    pub fn note(&self, text: &str) {
        eprintln!("{text}");
    }

    /// A warning on stderr.
    pub fn warn(&self, text: &str) {
        eprintln!("warning: {text}");
    }
}

fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe means nobody reads any more; there is no one to tell.
    let _ = writeln!(stdout, "{text}");
    let _ = stdout.flush();
}

/// A text table with left-aligned columns.
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(headers: &[&str]) -> Self {
        Self { headers: headers.iter().map(|h| (*h).to_owned()).collect(), rows: Vec::new() }
    }

    /// Adds a row; missing cells are blank, extra cells are dropped.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text (by `comfy-table`, without borders): one line per row, columns
    /// left-aligned and separated by two spaces, no trailing spaces.
    pub fn render(&self) -> String {
        let columns = self.headers.len();
        let mut table = comfy_table::Table::new();
        table.load_preset(comfy_table::presets::NOTHING).set_header(self.headers.clone());
        for row in &self.rows {
            table.add_row(row.iter().take(columns).cloned().collect::<Vec<_>>());
        }
        for (index, column) in table.column_iter_mut().enumerate() {
            column.set_padding((0, if index + 1 == columns { 0 } else { 2 }));
        }
        let mut text = String::new();
        for line in table.lines() {
            text.push_str(line.trim_end());
            text.push('\n');
        }
        text
    }
}

/// Lines of `label  value` with the labels aligned.
pub fn fields(pairs: &[(&str, String)]) -> String {
    let width = pairs.iter().map(|(label, _)| label.chars().count()).max().unwrap_or(0);
    let mut text = String::new();
    for (label, value) in pairs {
        let pad = width.saturating_sub(label.chars().count());
        let _ = writeln!(text, "{label}{:pad$}  {value}", "");
    }
    text
}

/// Role names joined by commas, or `none`.
pub(crate) fn roles(roles: &[contracts::Role]) -> String {
    if roles.is_empty() {
        "none".to_owned()
    } else {
        roles.iter().map(|role| role.name()).collect::<Vec<_>>().join(", ")
    }
}

/// `yes` or `no`.
pub(crate) fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns() {
        let mut table = Table::new(&["ID", "AMOUNT", "NOTE"]);
        table.row(vec!["1".into(), "4.50".into(), "coffee".into()]);
        table.row(vec!["12".into(), "150.00".into()]);
        assert_eq!(table.render(), "ID  AMOUNT  NOTE\n1   4.50    coffee\n12  150.00\n");
    }

    #[test]
    fn tables_drop_extra_cells_and_keep_empty_ones() {
        let mut table = Table::new(&["A", "B"]);
        table.row(vec!["x".into(), String::new(), "dropped".into()]);
        table.row(vec![String::new(), "y".into()]);
        assert_eq!(table.render(), "A  B\nx\n   y\n");
        assert_eq!(Table::new(&["ONLY"]).render(), "ONLY\n");
    }

    #[test]
    fn fields_align_labels() {
        assert_eq!(fields(&[("a", "1".into()), ("long", "2".into())]), "a     1\nlong  2\n");
    }
}
