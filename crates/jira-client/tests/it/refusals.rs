//! Reading refused creates: Jira's own texts, as Cloud and Data Center answer them, read by
//! field and kind.

use jira_client::{Error, ErrorDetails, RefusalKind};

/// One field error, classified.
#[track_caller]
fn check(field: &str, message: &str, kind: RefusalKind) {
    let mut details = ErrorDetails::default();
    details.errors.insert(field.to_owned(), message.to_owned());
    let refusals = details.refusals();
    assert_eq!(refusals.len(), 1);
    assert_eq!(refusals[0].field.as_deref(), Some(field));
    assert_eq!(refusals[0].kind, kind, "{field}: {message}");
    assert_eq!(refusals[0].message, message);
}

/// One general message, classified, with the field it names.
#[track_caller]
fn check_general(message: &str, field: Option<&str>, kind: RefusalKind) {
    let mut details = ErrorDetails::default();
    details.error_messages.push(message.to_owned());
    let refusals = details.refusals();
    assert_eq!(refusals[0].field.as_deref(), field, "{message}");
    assert_eq!(refusals[0].kind, kind, "{message}");
}

// Jira's own texts, as Cloud and Data Center answer them.
#[test]
fn the_project() {
    check("project", "valid project is required", RefusalKind::InvalidProject);
    check("project", "Specify a valid project ID or key", RefusalKind::InvalidProject);
    check("project", "project is required", RefusalKind::InvalidProject);
    check(
        "project",
        "You do not have permission to create issues in this project.",
        RefusalKind::NoPermission,
    );
    check_general(
        "The value 'FACILITIES' does not exist for the field 'project'.",
        Some("project"),
        RefusalKind::InvalidProject,
    );
    check_general(
        "You do not have permission to create issues in this project.",
        None,
        RefusalKind::NoPermission,
    );
}

#[test]
fn the_issue_type() {
    check("issuetype", "valid issue type is required", RefusalKind::InvalidIssueType);
    check("issuetype", "The issue type selected is invalid.", RefusalKind::InvalidIssueType);
    check("issuetype", "Specify a valid issue type", RefusalKind::InvalidIssueType);
    check("issuetype", "Specify an issue type", RefusalKind::InvalidIssueType);
}

#[test]
fn components() {
    check(
        "components",
        "Component name 'SOC' is not valid",
        RefusalKind::InvalidComponent { name: Some("SOC".into()) },
    );
    check(
        "components",
        "Component name '' is not valid",
        RefusalKind::InvalidComponent { name: Some(String::new()) },
    );
    check(
        "components",
        "You do not have permission to create new components. Contact your project admin or Jira admin for assistance.",
        RefusalKind::InvalidComponent { name: None },
    );
    check("components", "Component/s is required.", RefusalKind::Required);
    check_general("Please provide Component", None, RefusalKind::Required);
}

#[test]
fn priorities() {
    check("priority", "The priority selected is invalid.", RefusalKind::InvalidPriority);
    check("priority", "This priority is not available for this project.", RefusalKind::InvalidPriority);
    check("priority", "Specify a valid 'id' or 'name' for Priority", RefusalKind::InvalidPriority);
    check("priority", "Priority is required.", RefusalKind::Required);
    check(
        "priority",
        "Field 'priority' cannot be set. It is not on the appropriate screen, or unknown.",
        RefusalKind::NotOnScreen,
    );
}

#[test]
fn fields_not_on_the_screen() {
    check(
        "customfield_10109",
        "Field 'customfield_10109' cannot be set. It is not on the appropriate screen, or unknown.",
        RefusalKind::NotOnScreen,
    );
    check_general(
        "Field 'customfield_10038' cannot be set. It is not on the appropriate screen, or unknown.",
        Some("customfield_10038"),
        RefusalKind::NotOnScreen,
    );
}

#[test]
fn required_fields() {
    check("customfield_10200", "Team is required.", RefusalKind::Required);
    check("summary", "You must specify a summary of the issue.", RefusalKind::Required);
    check("reporter", "Reporter is required.", RefusalKind::Required);
}

#[test]
fn values() {
    check("summary", "Summary must be less than 255 characters.", RefusalKind::TooLong);
    check(
        "description",
        "The entered text is too long. It exceeds the allowed limit of 32,767 characters.",
        RefusalKind::TooLong,
    );
    check(
        "customfield_10107",
        "The entered text is too long. It exceeds the allowed limit of 255 characters.",
        RefusalKind::TooLong,
    );
    check("labels", "The label 'a b' contains spaces which is invalid.", RefusalKind::InvalidValue);
    check("customfield_10109", "Not a valid URL", RefusalKind::InvalidValue);
    check("summary", "Field 'summary' cannot contain line breaks.", RefusalKind::InvalidValue);
}

#[test]
fn unknown_general_messages_are_not_guessed_at() {
    check_general("Something went wrong on our side.", None, RefusalKind::Unrecognised);
    check_general(
        "We can't create this issue for you right now, it could be due to unsupported content you've entered into one or more of the issue fields.",
        None,
        RefusalKind::Unrecognised,
    );
}

#[test]
fn errors_carry_their_refusals() {
    let mut details = ErrorDetails::default();
    details.errors.insert("components".into(), "Component name 'SOC' is not valid".into());
    let error = Error::Status {
        status: jira_client::StatusCode::BAD_REQUEST,
        details: Box::new(details),
        snippet: String::new(),
    };
    assert_eq!(error.refusals().unwrap()[0].field.as_deref(), Some("components"));

    let server = Error::Status {
        status: jira_client::StatusCode::INTERNAL_SERVER_ERROR,
        details: Box::default(),
        snippet: "boom".into(),
    };
    assert_eq!(server.refusals(), None);
    let html = Error::Status {
        status: jira_client::StatusCode::BAD_REQUEST,
        details: Box::default(),
        snippet: "<html>".into(),
    };
    assert_eq!(html.refusals(), None);

    let forbidden = Error::Forbidden { details: Box::default() };
    assert_eq!(forbidden.refusals().unwrap()[0].kind, RefusalKind::NoPermission);
}

#[test]
fn display_names_the_field_once() {
    let mut details = ErrorDetails::default();
    details.errors.insert("components".into(), "Component name 'SOC' is not valid".into());
    details
        .error_messages
        .push("Field 'customfield_1' cannot be set. It is not on the appropriate screen, or unknown.".into());
    let shown: Vec<String> = details.refusals().iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "components: Component name 'SOC' is not valid",
            "Field 'customfield_1' cannot be set. It is not on the appropriate screen, or unknown.",
        ]
    );
}
