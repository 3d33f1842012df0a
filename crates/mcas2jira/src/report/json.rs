//! The `json` format: the [`Report`] itself, as one pretty-printed JSON document.
//!
//! Times are RFC 3339 in UTC, days `YYYY-MM-DD`, durations whole seconds (`*_secs`). Keys may be
//! added; existing ones are not renamed.

use super::aggregate::Report;

pub(super) fn render(report: &Report) -> String {
    // The report holds only strings, numbers, and serde-derived structs: it always serializes.
    let mut text = serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| format!("{{\"error\": {}}}", serde_json::Value::from(e.to_string())));
    text.push('\n');
    text
}
