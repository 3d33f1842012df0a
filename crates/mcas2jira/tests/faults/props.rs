//! Property tests of config parsing (the CI twin of the `config_parse` fuzz target): any text,
//! and any mangling of the example config, gives a config or an error, never a panic.

use std::path::Path;

use mcas2jira::config::{Config, EXAMPLE, EnvLookup};
use proptest::prelude::*;

/// Whether parsing `text` could run a command or read a file: such inputs are left out.
fn has_side_effects(text: &str) -> bool {
    fn walk(value: &toml::Value) -> bool {
        match value {
            toml::Value::Table(table) => {
                table.iter().any(|(k, v)| k.ends_with("_command") || k.ends_with("_file") || walk(v))
            }
            toml::Value::Array(items) => items.iter().any(walk),
            _ => false,
        }
    }
    toml::from_str::<toml::Table>(text).is_ok_and(|table| walk(&toml::Value::Table(table)))
}

fn parse(text: &str) {
    if has_side_effects(text) {
        return;
    }
    let env: EnvLookup<'_> = &|_: &str| Some("secret".into());
    match Config::parse(text, Path::new("/nonexistent/mcas2jira.toml"), env) {
        Ok((config, _)) => assert!(!config.tenants.is_empty()),
        Err(error) => assert!(!error.to_string().is_empty()),
    }
}

/// TOML-ish text: keys of the config, values of every type, brackets, quotes.
fn tomlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("[jira]\n".to_owned()),
        Just("[[tenants]]\n".to_owned()),
        Just("[[rules]]\n".to_owned()),
        Just("[fetch]\n".to_owned()),
        Just("url = \"https://x.atlassian.net\"\n".to_owned()),
        Just("url = \"http://10.0.0.1\"\n".to_owned()),
        Just("first_lookback = \"99999999999d\"\n".to_owned()),
        Just("match = { title = \"(\" }\n".to_owned()),
        Just("page_size = -1\n".to_owned()),
        "[a-z_]{1,12} = [0-9\"\\[\\]{}a-z.,-]{0,12}\n",
        "\\PC{0,20}",
    ];
    prop::collection::vec(token, 0..24).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_text_parses_or_fails_cleanly(text in "\\PC{0,200}") {
        parse(&text);
    }

    #[test]
    fn tomlish_text_parses_or_fails_cleanly(text in tomlish()) {
        parse(&text);
    }

    /// The example with lines dropped, repeated or cut short.
    #[test]
    fn mangled_example_parses_or_fails_cleanly(edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<prop::sample::Index>()), 1..6)) {
        let mut lines: Vec<String> = EXAMPLE.lines().map(str::to_owned).collect();
        for (line, edit, at) in edits {
            let i = line.index(lines.len());
            match edit {
                0 => { lines.remove(i); }
                1 => { let copy = lines[i].clone(); lines.insert(i, copy); }
                _ => {
                    let cut = at.index(lines[i].len() + 1);
                    let cut = (0..=cut).rev().find(|c| lines[i].is_char_boundary(*c)).unwrap_or(0);
                    lines[i].truncate(cut);
                }
            }
        }
        parse(&lines.join("\n"));
    }
}
