//! MCAS alert decoding: any answer body becomes a page (each alert decoded on its own, a bad one
//! reported as malformed) or a typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcas_client::{Alert, AlertsPage};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    if let Ok(page) = AlertsPage::from_slice(data) {
        // Every element of `data` is accounted for: decoded or described as malformed.
        let listed = serde_json::from_slice::<Value>(data)
            .ok()
            .and_then(|v| v.get("data").and_then(Value::as_array).map(Vec::len));
        assert_eq!(Some(page.alerts.len() + page.malformed.len()), listed);
        for malformed in &page.malformed {
            assert!(!malformed.reason.is_empty());
        }
    }
    // A single alert, as `GET /api/v1/alerts/<id>/` answers it.
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        let _ = Alert::from_json(&value);
    }
});
