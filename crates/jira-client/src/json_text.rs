//! Writing compact JSON text straight into a `String`, for the request bodies that are built on
//! every ticket (ADF documents, create bodies).
//!
//! Building a `serde_json::Value` tree first cost an allocation per node and per key, a walk to
//! measure it, another to serialise it and one more to drop it. The writers here produce the
//! same bytes `serde_json` writes for the equivalent `Value` (its escapes, no spaces), and
//! [`parse`] turns the text back into a `Value` where a caller wants one.

use std::fmt::Write as _;

use serde::Deserialize as _;
use serde_json::Value;

use crate::richtext::{SCAN_BLOCK, any_byte};

/// Writes `text` as a JSON string, escaped exactly as `serde_json` escapes: `\"`, `\\`, the
/// short forms `\b \f \n \r \t`, other control characters as `\u00XX` (lower-case hex), and
/// everything else as it is.
pub(crate) fn write_str(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let bytes = text.as_bytes();
    // The start of the text not written yet.
    let mut start = 0;
    // Most text has nothing to escape: it is checked a block at a time, without a branch per
    // byte, and only a block with something to escape is looked at byte by byte.
    for (n, block) in bytes.chunks(SCAN_BLOCK).enumerate() {
        if any_byte(block, needs_escape) {
            for (i, &byte) in block.iter().enumerate() {
                if needs_escape(byte) {
                    escape(out, text, &mut start, n * SCAN_BLOCK + i);
                }
            }
        }
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// Whether JSON needs `byte` escaped in a string: a control character, a quote or a backslash.
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// Writes the text from `start` to `at`, then the escape of the byte at `at`.
fn escape(out: &mut String, text: &str, start: &mut usize, at: usize) {
    let byte = text.as_bytes()[at];
    // Only ASCII bytes are escaped, so `at` is always a character boundary.
    out.push_str(&text[*start..at]);
    out.push('\\');
    match byte {
        b'"' | b'\\' => out.push(char::from(byte)),
        0x08 => out.push('b'),
        0x0C => out.push('f'),
        b'\n' => out.push('n'),
        b'\r' => out.push('r'),
        b'\t' => out.push('t'),
        _ => {
            out.push_str("u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xF)]));
        }
    }
    *start = at + 1;
}

/// Writes `value` as compact JSON, as `serde_json` serialises it (`Value`'s `Display` is that
/// serialiser, writing straight into the string).
pub(crate) fn write_value(out: &mut String, value: &Value) {
    // Writing to a `String` cannot fail.
    let _ = write!(out, "{value}");
}

/// A JSON object being written into a string: each [`Object::key`] writes the comma before every
/// member but the first, the key and the colon, and the caller writes the value.
pub(crate) struct Object<'a> {
    out: &'a mut String,
    any: bool,
}

impl<'a> Object<'a> {
    /// Writes the opening brace.
    pub(crate) fn start(out: &'a mut String) -> Self {
        out.push('{');
        Self { out, any: false }
    }

    /// Starts the member `key`; its value is to be written into the returned string.
    pub(crate) fn key(&mut self, key: &str) -> &mut String {
        if self.any {
            self.out.push(',');
        }
        self.any = true;
        write_str(self.out, key);
        self.out.push(':');
        self.out
    }

    /// Writes the closing brace.
    pub(crate) fn end(self) {
        self.out.push('}');
    }
}

/// Writes `{"key": "value"}`, the shape of a project, issue type or priority reference, a
/// transition id and a label operation.
pub(crate) fn write_single(out: &mut String, key: &str, value: &str) {
    let mut object = Object::start(out);
    write_str(object.key(key), value);
    object.end();
}

/// Writes `items` as a JSON array, each with `write`.
pub(crate) fn write_array<I: IntoIterator>(
    out: &mut String,
    items: I,
    mut write: impl FnMut(&mut String, I::Item),
) {
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(out, item);
    }
    out.push(']');
}

/// Parses JSON text that one of the writers here produced.
///
/// Without serde_json's recursion limit: a document nested more than 128 levels deep (about 30
/// nested lists) is still a document, as it was when it was built as a `Value`; the writer
/// recursed as deep to write it.
///
/// # Panics
/// When `text` is not JSON, which would be a bug in the writers.
pub(crate) fn parse(text: &str) -> Value {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    deserializer.disable_recursion_limit();
    Value::deserialize(&mut deserializer).expect("the JSON writers write valid JSON")
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check_str(text: &str) {
        let mut out = String::from("prefix ");
        write_str(&mut out, text);
        assert_eq!(out, format!("prefix {}", Value::String(text.to_owned())));
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        check_str("");
        check_str("plain");
        check_str("quote \" backslash \\ slash / del \u{7f}");
        check_str("\"\\\"");
        for byte in 0..0x20u8 {
            check_str(&format!("{}x{}", char::from(byte), char::from(byte)));
        }
        check_str("é ü € 𝄞 🙂 \u{2028}\u{202e} 中文 \u{80}\u{9f}");
        check_str("ends with an escape\n");
    }

    #[test]
    fn values_objects_and_arrays() {
        let value = json!({ "b": [1, -2, 2.5, 1e300, null, true], "a": { "k\"": "v\u{1}" }, "c": "" });
        let mut out = String::new();
        let mut object = Object::start(&mut out);
        write_value(object.key("value"), &value);
        write_array(object.key("list\n"), ["x", "y\""], write_str);
        write_array(object.key("empty"), [""; 0], write_str);
        object.end();
        let expected = json!({ "value": value, "list\n": ["x", "y\""], "empty": [] });
        assert_eq!(parse(&out), expected);
        assert_eq!(out, format!(r#"{{"value":{value},"list\n":["x","y\""],"empty":[]}}"#));
    }

    #[test]
    fn deep_text_parses() {
        let depth = 300;
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let mut value = parse(&text);
        for _ in 0..depth - 1 {
            value = value.as_array_mut().unwrap().pop().unwrap();
        }
        assert_eq!(value, json!([]));
    }
}
