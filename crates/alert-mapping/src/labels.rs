//! The label every ticket carries: `mcas-<alert id>` or `graph-<alert id>`.

use jira_client::Label;
use mcas_client::AlertId;

use crate::facts::AlertSource;

/// The label that marks the ticket of an alert: `mcas-<alert id>`.
///
/// This label is how the tool, and anyone with JQL, finds the ticket of an alert, so whatever
/// searches for it must build it with this function. Real ids are 24 hexadecimal digits; should an
/// id ever hold characters a label cannot (white space, control characters) they are replaced by
/// `_`, and an overlong id is cut to fit Jira's limit (see [`Label::replacing_invalid`]).
///
/// ```
/// use alert_mapping::alert_label;
/// use mcas_client::AlertId;
///
/// assert_eq!(alert_label(&AlertId::new("5f06d71dba4289d0602ba5ac")), "mcas-5f06d71dba4289d0602ba5ac");
/// ```
#[must_use]
pub fn alert_label(id: &AlertId) -> Label {
    source_label(AlertSource::Mcas, id.as_str())
}

/// The label that marks the ticket of a Microsoft Graph security alert: `graph-<alert id>`.
///
/// Graph's alert ids are not the ids of the Defender for Cloud Apps API, so the two labels of
/// one underlying alert differ; see [`alert_label`] for how an id becomes a label.
///
/// ```
/// use alert_mapping::graph_alert_label;
/// use graph_security_client::AlertId;
///
/// assert_eq!(
///     graph_alert_label(&AlertId::new("da638681154220931147_-1306548972")),
///     "graph-da638681154220931147_-1306548972",
/// );
/// ```
#[must_use]
pub fn graph_alert_label(id: &graph_security_client::AlertId) -> Label {
    source_label(AlertSource::Graph, id.as_str())
}

/// The label of the alert `id` read from `source`: `<source>-<id>`, with characters a label
/// cannot hold replaced by `_` and cut to Jira's limit.
///
/// ```
/// use alert_mapping::{AlertSource, source_label};
///
/// assert_eq!(source_label(AlertSource::Graph, "a b"), "graph-a_b");
/// ```
#[must_use]
pub fn source_label(source: AlertSource, id: &str) -> Label {
    // `replacing_invalid` fails only on empty text, and this text starts with the prefix: no
    // alert id, however hostile, can reach the `expect`.
    Label::replacing_invalid(&format!("{}-{id}", source.name()))
        .expect("a label with a prefix is never empty")
}
