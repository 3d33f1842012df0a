//! Config parsing: any text is a checked config or an error naming what is wrong, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use mcas2jira::config::Config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // `*_command` keys run shell commands and `*_file` keys read files (`/dev/zero` would never
    // end): inputs with either are left out. Keys are read from the parsed TOML, not the text,
    // since a quoted key may spell them with escapes.
    if let Ok(value) = toml::from_str::<toml::Table>(text)
        && has_side_effect_key(&toml::Value::Table(value))
    {
        return;
    }
    let env = |_: &str| Some("fuzz-secret".into());
    match Config::parse(text, Path::new("/nonexistent/mcas2jira.toml"), &env) {
        Ok((config, _warnings)) => assert!(!config.tenants.is_empty()),
        Err(error) => assert!(!error.to_string().is_empty()),
    }
});

fn has_side_effect_key(value: &toml::Value) -> bool {
    match value {
        toml::Value::Table(table) => table
            .iter()
            .any(|(key, value)| key.ends_with("_command") || key.ends_with("_file") || has_side_effect_key(value)),
        toml::Value::Array(items) => items.iter().any(has_side_effect_key),
        _ => false,
    }
}
