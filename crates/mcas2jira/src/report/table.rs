//! The `table` format: aligned text for a terminal.

use std::fmt::Write;

use super::aggregate::Report;
use super::sections::{Layout, MAX_LISTED_TICKETS, Section, preamble, sections};

/// The width notes are wrapped at.
const NOTE_WIDTH: usize = 96;

/// The widest a text cell is shown; longer ones are cut with an ellipsis.
const MAX_CELL_CHARS: usize = 60;

pub(super) fn render(report: &Report) -> String {
    let title = &report.title;
    let mut out = format!("{title}\n{}\n", "=".repeat(title.chars().count()));
    for line in preamble(report) {
        out.push_str(&line);
        out.push('\n');
    }
    let layout = Layout { ticket_cap: Some(MAX_LISTED_TICKETS), per_day_table: true };
    for section in sections(report, layout) {
        out.push('\n');
        out.push_str(&render_section(&section));
    }
    out
}

fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_CELL_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_CELL_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// `text` in lines of at most [`NOTE_WIDTH`] characters, each indented by two spaces.
fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > NOTE_WIDTH {
            out.push_str(&format!("  {line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("  {line}\n"));
    }
    out
}

fn render_section(section: &Section) -> String {
    let mut out = format!("{}\n", section.title);
    out.push_str(&wrap(&section.note));
    if section.rows.is_empty() {
        out.push_str(&format!("  ({})\n", section.empty));
        return out;
    }
    let rows: Vec<Vec<String>> =
        section.rows.iter().map(|row| row.iter().map(|c| cut(c)).collect()).collect();
    let widths: Vec<usize> = (0..section.headers.len())
        .map(|i| {
            rows.iter()
                .filter_map(|row| row.get(i))
                .chain(std::iter::once(&section.headers[i]))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        let mut text = String::from(" ");
        for (i, cell) in cells.iter().enumerate() {
            let width = widths.get(i).copied().unwrap_or(0);
            let numeric = section.numeric.get(i).copied().unwrap_or(false);
            let _ = if numeric { write!(text, " {cell:>width$}") } else { write!(text, " {cell:<width$}") };
        }
        text.trim_end().to_owned()
    };
    out.push_str(&line(&section.headers));
    out.push('\n');
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&line(&rule));
    out.push('\n');
    for (index, row) in rows.iter().enumerate() {
        if section.total_row && index + 1 == rows.len() {
            out.push_str(&line(&rule));
            out.push('\n');
        }
        out.push_str(&line(row));
        out.push('\n');
    }
    if let Some(more) = &section.more {
        out.push_str(&format!("  ({more})\n"));
    }
    out
}
