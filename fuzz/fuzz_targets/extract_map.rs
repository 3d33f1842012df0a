//! Extraction and mapping: any alert that decodes is extracted, mapped for both Jira deployments
//! and rendered, without a panic; the summary is one line of at most 255 characters.
#![no_main]

use std::collections::HashMap;
use std::sync::LazyLock;

use alert_mapping::{Mapped, Mapper, MappingConfig, TenantContext, extract};
use jira_client::Deployment;
use jira_client::richtext::DESCRIPTION_MAX_LEN;
use libfuzzer_sys::fuzz_target;
use mcas_client::Alert;
use serde_json::Value;

static MAPPERS: LazyLock<Vec<Mapper>> = LazyLock::new(|| {
    [Deployment::Cloud, Deployment::Server]
        .into_iter()
        .map(|deployment| Mapper::new(MappingConfig::new(deployment).labels(["mcas"])).unwrap())
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let Ok(alert) = Alert::from_json(&value) else { return };
    let tenant = TenantContext::new("fuzz");
    let facts = extract(&alert, &tenant);
    let _ = facts.lookup_ips();
    for mapper in MAPPERS.iter() {
        if let Ok(Mapped::Ticket(draft)) = mapper.map(&facts, &HashMap::new()) {
            assert!(draft.summary.chars().count() <= 255, "{:?}", draft.summary);
            assert!(!draft.summary.contains(['\n', '\r']), "{:?}", draft.summary);
            assert!(draft.labels.iter().all(|l| !l.as_str().is_empty() && !l.as_str().contains(char::is_whitespace)));
            let wiki = draft.description.to_wiki_limited(DESCRIPTION_MAX_LEN);
            assert!(wiki.encode_utf16().count() <= DESCRIPTION_MAX_LEN);
            let adf = draft.description.to_adf_limited(DESCRIPTION_MAX_LEN);
            assert!(adf.to_string().encode_utf16().count() <= DESCRIPTION_MAX_LEN);
        }
    }
});
