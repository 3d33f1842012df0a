//! Tests of jira-client (being written).
