//! The `markdown` format: GitHub-flavoured Markdown tables, for a wiki page or a ticket.

use super::aggregate::Report;
use super::sections::{Layout, MAX_LISTED_TICKETS, Section, preamble, sections};

pub(super) fn render(report: &Report) -> String {
    let mut out = format!("# {}\n\n", escape(&report.title));
    for line in preamble(report) {
        out.push_str(&format!("- {}\n", escape(&line)));
    }
    let layout = Layout { ticket_cap: Some(MAX_LISTED_TICKETS), per_day_table: true };
    for section in sections(report, layout) {
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

/// A link, when its URL can be written in Markdown as it is (no spaces, no parentheses, only
/// http and https).
fn link(text: &str, url: Option<&str>) -> String {
    match url {
        Some(url)
            if (url.starts_with("https://") || url.starts_with("http://"))
                && !url.contains([' ', '(', ')', '<', '>', '[', ']']) =>
        {
            format!("[{}]({url})", escape(text))
        }
        _ => escape(text),
    }
}

fn render_section(section: &Section) -> String {
    let mut out = format!("## {}\n\n", section.title);
    if !section.note.is_empty() {
        out.push_str(&format!("_{}_\n\n", escape(&section.note)));
    }
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
        let url = section.links.get(index).and_then(Option::as_deref);
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| match (total, i) {
                (true, _) => format!("**{}**", escape(c)),
                (false, 0) => link(c, url),
                (false, _) => escape(c),
            })
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    if let Some(more) = &section.more {
        out.push_str(&format!("\n_{}_\n", escape(more)));
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

    #[test]
    fn only_plain_web_links_are_written_as_links() {
        assert_eq!(
            link("SEC-1", Some("https://x.example/browse/SEC-1")),
            "[SEC-1](https://x.example/browse/SEC-1)"
        );
        assert_eq!(link("SEC-1", Some("javascript:alert(1)")), "SEC-1");
        assert_eq!(link("SEC-1", Some("https://x.example/a)b")), "SEC-1");
        assert_eq!(link("SEC-1", None), "SEC-1");
    }
}
