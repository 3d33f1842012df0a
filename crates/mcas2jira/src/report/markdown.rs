//! The `markdown` format: GitHub-flavoured Markdown tables, for a wiki page or a ticket.

use super::aggregate::Report;
use super::sections::{Section, preamble, sections};

pub(super) fn render(report: &Report) -> String {
    let mut out = format!("# {}\n\n", escape(&report.title()));
    for line in preamble(report) {
        out.push_str(&format!("- {}\n", escape(&line)));
    }
    for section in sections(report) {
        out.push('\n');
        out.push_str(&render_section(&section));
    }
    out
}

/// Text that Markdown shows as written: table pipes, emphasis, links and HTML made inert.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '~' | '!' | '(' | ')') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn render_section(section: &Section) -> String {
    let mut out = format!("## {}\n\n", section.title);
    if section.rows.is_empty() {
        out.push_str(&format!("_{}_\n", section.empty));
        return out;
    }
    let headers: Vec<String> = section.headers.iter().map(|h| escape(h)).collect();
    out.push_str(&format!("| {} |\n", headers.join(" | ")));
    let align: Vec<&str> = section.numeric.iter().map(|n| if *n { "---:" } else { "---" }).collect();
    out.push_str(&format!("| {} |\n", align.join(" | ")));
    for (index, row) in section.rows.iter().enumerate() {
        let total = section.total_row && index + 1 == section.rows.len();
        let cells: Vec<String> =
            row.iter().map(|c| if total { format!("**{}**", escape(c)) } else { escape(c) }).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_syntax_in_values_is_inert() {
        assert_eq!(escape("a|b *c* [x](http://e)"), r"a\|b \*c\* \[x\]\(http://e\)");
    }
}
