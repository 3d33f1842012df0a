//! The issue summary: Jira wants one line of at most 255 characters.

use crate::richtext::is_bidi_control;

/// Jira's limit for an issue summary, in characters.
const SUMMARY_MAX_CHARS: usize = 255;

/// Shown when nothing printable is left of the input.
const EMPTY_SUMMARY: &str = "(no title)";

/// Makes untrusted text a valid Jira issue summary.
///
/// The result is one line: newlines, tabs, other whitespace and control characters become
/// spaces, runs of spaces collapse to one, bidi override and isolate characters are removed, and
/// the ends are trimmed. It has at most 255 characters (not bytes); longer text is cut on a
/// character boundary and ends with `…`. It is never empty: `(no title)` stands in for input
/// with nothing printable.
///
/// ```
/// use jira_client::sanitize_summary;
///
/// assert_eq!(sanitize_summary("  Impossible\r\ntravel\tactivity "), "Impossible travel activity");
/// assert_eq!(sanitize_summary("\u{202E}\n"), "(no title)");
/// assert_eq!(sanitize_summary(&"x".repeat(300)).chars().count(), 255);
/// ```
pub fn sanitize_summary(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len().min(4 * SUMMARY_MAX_CHARS));
    let mut chars = 0;
    let mut pending_space = false;
    for c in raw.chars() {
        if is_bidi_control(c) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            pending_space = chars > 0;
            continue;
        }
        if pending_space {
            out.push(' ');
            chars += 1;
            pending_space = false;
        }
        out.push(c);
        chars += 1;
        // One character past the limit is enough to know the text must be cut.
        if chars > SUMMARY_MAX_CHARS {
            break;
        }
    }
    if chars > SUMMARY_MAX_CHARS {
        out = out.chars().take(SUMMARY_MAX_CHARS - 1).collect();
        out.truncate(out.trim_end().len());
        out.push('…');
    }
    if out.is_empty() { EMPTY_SUMMARY.to_owned() } else { out }
}
