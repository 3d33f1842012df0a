//! The judgement of refused creates, against Jira's own messages.

use jira_client::{ErrorDetails, StatusCode};

use super::*;

fn mapped() -> Vec<MappedField> {
    vec![
        MappedField {
            attribute: "alert_url".into(),
            configured: "customfield_10109".into(),
            id: "customfield_10109".into(),
            name: "Alert URL".into(),
        },
        MappedField {
            attribute: "affected_user".into(),
            configured: "Affected user".into(),
            id: "customfield_10107".into(),
            name: "Affected user".into(),
        },
    ]
}

fn keys(fields: &[MappedField]) -> Keys<'_> {
    Keys {
        project: "SEC",
        auth_key: "jira.auth.token_env".into(),
        user: ("jira.auth.user", "secops@example.com".into()),
        fields,
    }
}

/// An alert matched by `rules[1]`, which set the components and nothing else.
fn sent() -> Sent {
    Sent {
        rule: Some(1),
        rule_issue_type: false,
        rule_priority: false,
        issue_type: "Task".into(),
        priority: Some("High".into()),
        components: vec!["SOC".into()],
        severity: "high".into(),
        fields: vec!["customfield_10109".into(), "customfield_10107".into()],
    }
}

/// A `400` with these field errors and general messages.
fn refused(errors: &[(&str, &str)], messages: &[&str]) -> CreateError {
    let mut details = ErrorDetails::default();
    for (field, message) in errors {
        details.errors.insert((*field).to_owned(), (*message).to_owned());
    }
    details.error_messages = messages.iter().map(|m| (*m).to_owned()).collect();
    CreateError::from(&jira_client::Error::Status {
        status: StatusCode::BAD_REQUEST,
        details: Box::new(details),
        snippet: String::new(),
    })
}

/// The verdict must be the config's, naming `key` = `value`.
#[track_caller]
fn check_config(error: &CreateError, key: &str, value: &str) {
    let fields = mapped();
    match judge(error, &sent(), &keys(&fields)) {
        Verdict::Config(problem, _) => {
            assert_eq!((problem.key.as_str(), problem.value.as_str()), (key, value))
        }
        other => panic!("expected the config's, got {other:?}"),
    }
}

/// The verdict must be a reduction leaving out exactly these fields.
#[track_caller]
fn check_reduced(error: &CreateError, left_out: &[&str], only_essentials: bool) -> Reduction {
    let fields = mapped();
    match judge(error, &sent(), &keys(&fields)) {
        Verdict::Reduce(reduction) => {
            let fields: Vec<&str> = reduction.left_out.iter().map(|l| l.field.as_str()).collect();
            assert_eq!(fields, left_out);
            assert_eq!(reduction.only_essentials, only_essentials);
            reduction
        }
        other => panic!("expected a reduction, got {other:?}"),
    }
}

#[test]
fn the_configs_refusals_name_their_key() {
    check_config(
        &refused(&[("components", "Component name 'SOC' is not valid")], &[]),
        "rules[1].components",
        "SOC",
    );
    check_config(&refused(&[("project", "valid project is required")], &[]), "jira.project", "SEC");
    check_config(&refused(&[("issuetype", "valid issue type is required")], &[]), "jira.issue_type", "Task");
    check_config(
        &refused(&[("priority", "The priority selected is invalid.")], &[]),
        "jira.priorities.high",
        "High",
    );
    check_config(
        &refused(
            &[(
                "customfield_10109",
                "Field 'customfield_10109' cannot be set. It is not on the appropriate screen, or unknown.",
            )],
            &[],
        ),
        "jira.fields.alert_url",
        "customfield_10109",
    );
    check_config(
        &refused(&[("customfield_10200", "Team is required.")], &[]),
        "jira.fields",
        "customfield_10200",
    );
    check_config(
        &refused(&[], &["You do not have permission to create issues in this project."]),
        "jira.auth.user",
        "secops@example.com",
    );
    // A value refused alongside a config refusal: the config's first.
    check_config(
        &refused(
            &[
                ("summary", "Summary must be less than 255 characters."),
                ("components", "Component name 'SOC' is not valid"),
            ],
            &[],
        ),
        "rules[1].components",
        "SOC",
    );
}

#[test]
fn a_rules_own_priority_and_issue_type_are_named_by_the_rule() {
    let fields = mapped();
    let mut sent = sent();
    sent.rule_priority = true;
    sent.rule_issue_type = true;
    sent.issue_type = "Incident".into();
    for (error, key) in [
        (refused(&[("priority", "Specify a valid 'id' or 'name' for Priority")], &[]), "rules[1].priority"),
        (refused(&[("issuetype", "The issue type selected is invalid.")], &[]), "rules[1].issue_type"),
    ] {
        let Verdict::Config(problem, _) = judge(&error, &sent, &keys(&fields)) else { panic!("{error:?}") };
        assert_eq!(problem.key, key);
    }
}

#[test]
fn the_alerts_refusals_leave_out_the_refused_fields() {
    let reduction = check_reduced(
        &refused(&[("customfield_10107", "User 'mallory' does not exist.")], &[]),
        &["customfield_10107"],
        false,
    );
    assert_eq!(reduction.left_out[0].name, "Affected user");
    assert_eq!(reduction.left_out[0].reason, "User 'mallory' does not exist.");
    check_reduced(
        &refused(&[("summary", "Summary must be less than 255 characters.")], &[]),
        &["summary"],
        false,
    );
    check_reduced(
        &refused(
            &[(
                "description",
                "The entered text is too long. It exceeds the allowed limit of 32,767 characters.",
            )],
            &[],
        ),
        &["description"],
        false,
    );
}

#[test]
fn what_cannot_be_read_is_settled_by_the_essentials() {
    // A general message, and a body that is not Jira's document: every optional field goes.
    let all = ["customfield_10109", "customfield_10107", "priority", "components"];
    check_reduced(&refused(&[], &["We can't create this issue for you right now."]), &all, true);
    let html = CreateError::from(&jira_client::Error::Status {
        status: StatusCode::BAD_REQUEST,
        details: Box::default(),
        snippet: "<html>Bad Request</html>".into(),
    });
    check_reduced(&html, &all, true);
}

#[test]
fn transient_and_access_failures() {
    let fields = mapped();
    let server = CreateError::from(&jira_client::Error::Status {
        status: StatusCode::SERVICE_UNAVAILABLE,
        details: Box::default(),
        snippet: "busy".into(),
    });
    assert!(matches!(judge(&server, &sent(), &keys(&fields)), Verdict::Retry(_)));
    let limited = CreateError::from(&jira_client::Error::RateLimited { retry_after: None });
    assert!(matches!(judge(&limited, &sent(), &keys(&fields)), Verdict::Retry(_)));
    let unauthorized = CreateError::from(&jira_client::Error::Unauthorized { details: Box::default() });
    let Verdict::Config(problem, _) = judge(&unauthorized, &sent(), &keys(&fields)) else { panic!() };
    assert_eq!(problem.key, "jira.auth.token_env");
    // In bulk: a rejected element is read like a single create; a lost request is retried.
    let rejected = CreateError::from(BulkFailure::Rejected {
        status: Some(StatusCode::BAD_REQUEST),
        details: serde_json::from_str(r#"{"errors": {"components": "Component name 'SOC' is not valid"}}"#)
            .unwrap(),
    });
    check_config(&rejected, "rules[1].components", "SOC");
    assert!(matches!(
        judge(&CreateError::from(BulkFailure::Unaccounted), &sent(), &keys(&fields)),
        Verdict::Retry(_)
    ));
}
