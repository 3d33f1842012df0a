//! The `mcas-<alert id>` label every ticket carries.

use jira_client::Label;
use mcas_client::AlertId;

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
    // `replacing_invalid` fails only on empty text, and this text starts with the prefix: no
    // alert id, however hostile, can reach the `expect`.
    Label::replacing_invalid(&format!("mcas-{id}")).expect("a label with a prefix is never empty")
}
