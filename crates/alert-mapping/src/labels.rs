//! Jira labels: the `mcas-<alert id>` label every ticket carries, and checks for configured ones.

use mcas_client::AlertId;

/// Jira's limit on the length of a label, in characters.
pub const MAX_LABEL_CHARS: usize = 255;

/// The label that marks the ticket of an alert: `mcas-<alert id>`.
///
/// This label is how the tool, and anyone with JQL, finds the ticket of an alert, so whatever
/// searches for it must build it with this function. Real ids are 24 hexadecimal digits; should an
/// id ever hold characters a label cannot (white space, control characters) they are replaced by
/// `_`, and an overlong id is cut to fit Jira's limit.
///
/// ```
/// use alert_mapping::alert_label;
/// use mcas_client::AlertId;
///
/// assert_eq!(alert_label(&AlertId::new("5f06d71dba4289d0602ba5ac")), "mcas-5f06d71dba4289d0602ba5ac");
/// ```
#[must_use]
pub fn alert_label(id: &AlertId) -> String {
    let mut label = String::from("mcas-");
    label.extend(
        id.as_str()
            .chars()
            .map(|c| if c.is_whitespace() || c.is_control() { '_' } else { c })
            .take(MAX_LABEL_CHARS - label.len()),
    );
    label
}

/// Checks that `label` is a valid Jira label; the error says why it is not.
pub(crate) fn check_label(label: &str) -> Result<(), &'static str> {
    if label.is_empty() {
        Err("a label cannot be empty")
    } else if label.chars().any(char::is_whitespace) {
        Err("a label cannot contain white space")
    } else if label.chars().any(char::is_control) {
        Err("a label cannot contain control characters")
    } else if label.chars().count() > MAX_LABEL_CHARS {
        Err("a label cannot be longer than 255 characters")
    } else {
        Ok(())
    }
}
