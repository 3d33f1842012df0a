//! The issue summary: Jira wants one line of at most 255 characters, counted as Java counts them.

use crate::richtext::{is_bidi_control, utf16_len};

/// Jira's limit for an issue summary, in UTF-16 code units: Jira is written in Java, whose
/// `String.length()` counts a character outside the Basic Multilingual Plane (an emoji, many CJK
/// extension characters) as two.
pub const SUMMARY_MAX_LEN: usize = 255;

/// Shown when nothing printable is left of the input.
const EMPTY_SUMMARY: &str = "(no title)";

/// The mark of a cut summary. One UTF-16 code unit.
const ELLIPSIS: char = '…';

/// Makes untrusted text a valid Jira issue summary.
///
/// The text is kept as it is written, markup included (a summary is plain text: nothing in it is
/// interpreted), apart from what Jira refuses or what would mislead a reader: newlines, tabs,
/// other whitespace and control characters become spaces, runs of spaces collapse to one, bidi
/// override and isolate characters are removed, and the ends are trimmed.
///
/// The result has at most [`SUMMARY_MAX_LEN`] (255) UTF-16 code units, the length Jira checks:
/// an emoji counts twice. Longer text is cut on a character boundary (a surrogate pair is never
/// split) and ends with `…`, which fits within the limit. It is never empty: `(no title)` stands
/// in for input with nothing printable.
///
/// ```
/// use jira_client::sanitize_summary;
///
/// assert_eq!(sanitize_summary("  Impossible\r\ntravel\tactivity "), "Impossible travel activity");
/// assert_eq!(sanitize_summary("\u{202E}\n"), "(no title)");
/// assert_eq!(sanitize_summary("<b>{html}</b> [~admin]"), "<b>{html}</b> [~admin]");
/// let cut = sanitize_summary(&"🚨".repeat(129));
/// assert_eq!(cut.encode_utf16().count(), 255);
/// assert!(cut.ends_with("🚨…"));
/// ```
pub fn sanitize_summary(raw: &str) -> String {
    // Enough room for the limit in the widest case (four bytes per two units) without growing.
    let mut out = String::with_capacity(raw.len().min(2 * SUMMARY_MAX_LEN + 4));
    let mut units = 0;
    // The byte length of `out` at the last point where the text, with an ellipsis after it,
    // still fits: where a cut is made if one is needed.
    let mut cut_at = 0;
    let mut pending_space = false;
    let mut too_long = false;
    for c in raw.chars() {
        if is_bidi_control(c) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            pending_space = units > 0;
            continue;
        }
        let space = usize::from(pending_space);
        if units + space + c.len_utf16() > SUMMARY_MAX_LEN {
            too_long = true;
            break;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
        units += space + c.len_utf16();
        if units < SUMMARY_MAX_LEN {
            cut_at = out.len();
        }
    }
    if too_long {
        out.truncate(cut_at);
        out.truncate(out.trim_end().len());
        out.push(ELLIPSIS);
    }
    if out.is_empty() { EMPTY_SUMMARY.to_owned() } else { out }
}

/// The length of `text` as Jira counts it: UTF-16 code units.
///
/// ```
/// assert_eq!(jira_client::jira_len("abc"), 3);
/// assert_eq!(jira_client::jira_len("東"), 1);
/// assert_eq!(jira_client::jira_len("🚨"), 2);
/// ```
pub fn jira_len(text: &str) -> usize {
    utf16_len(text)
}
