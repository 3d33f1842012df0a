//! Tests of the pure parts of jira-client: rich text (ADF and wiki markup), the summary
//! sanitiser, JQL quoting, and cutting documents to Jira's size limit.

mod adf;
mod adf_text;
mod jql;
mod limit;
mod props;
mod summary;
mod wiki;

use std::sync::LazyLock;

use serde_json::Value;

/// The ADF JSON schema shipped in the repository, compiled once for all tests. The fixture is a
/// link to contracts/jira/adf-schema-v1.json, so that the published package carries the schema.
static ADF_SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/adf-schema-v1.json");
    let text = std::fs::read_to_string(path).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap()
});

/// Panics with every schema violation when `adf` is not a valid ADF document.
#[track_caller]
fn assert_valid_adf(adf: &Value) {
    let errors: Vec<String> =
        ADF_SCHEMA.iter_errors(adf).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "invalid ADF {adf}:\n{}", errors.join("\n"));
}
