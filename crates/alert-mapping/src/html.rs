//! HTML to plain text, for alert descriptions.
//!
//! Defender for Cloud Apps descriptions are small HTML fragments (`<p>`, `<br>`, `<a>`), sometimes
//! with entities and `__siteIcon__`-style placeholders that the portal replaces with an icon. A
//! ticket wants their text: tags removed, entities decoded, placeholders removed, whitespace
//! collapsed, line structure kept where the HTML had blocks or line breaks. This is a small
//! tolerant scanner, not a browser: broken markup degrades to text instead of failing, and its
//! output is plain text that the rich-text renderers escape, so nothing here has to be "safe".

/// Converts an HTML fragment (or plain text) to clean plain text.
///
/// - Tags are removed; block elements (`p`, `div`, `li`, `tr`, headings...) and `<br>` end a line.
/// - `script`, `style` and comments are dropped with their content.
/// - Named (the common ones) and numeric entities are decoded; unknown ones are kept as written.
/// - An absolute `http`/`https` link keeps its address after its text: `text (https://...)`.
/// - Placeholders such as `__siteIcon__` are removed.
/// - Control and bidirectional-override characters are removed, runs of spaces collapse to one,
///   lines are trimmed, and at most one empty line separates paragraphs.
///
/// Input without any tag is treated as plain text: its own line breaks are kept.
#[must_use]
pub fn html_to_text(input: &str) -> String {
    if looks_like_html(input) {
        clean_text(&strip_tags(input))
    } else if input.contains('&') {
        clean_text(&decode_entities_in(input))
    } else {
        // No entity to decode: cleaned as it is, without a copy first.
        clean_text(input)
    }
}

/// Whether the input contains something that looks like a tag, a comment or a doctype.
fn looks_like_html(input: &str) -> bool {
    let bytes = input.as_bytes();
    bytes.windows(2).any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// Tags whose content is never text for a reader.
const SKIPPED_CONTENT: &[&str] = &["script", "style", "head", "title", "template", "noscript"];

/// Tags that start or end a line of text.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "ul",
];

/// Whether a tag name is one of `names` (lowercase), in any case.
fn is_one_of(name: &str, names: &[&str]) -> bool {
    names.iter().any(|known| known.eq_ignore_ascii_case(name))
}

/// One parsed tag.
struct Tag<'a> {
    /// The name as written; compared without regard to case.
    name: &'a str,
    closing: bool,
    attrs: &'a str,
}

fn strip_tags(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    // The href of the `<a>` being read, with the output length where its text starts.
    let mut link: Option<(String, usize)> = None;
    let mut rest = input;
    // Searched byte by byte: ASCII bytes never occur inside a multi-byte character.
    while let Some(pos) = rest.bytes().position(|b| b == b'<' || b == b'&') {
        push_text(&mut out, &rest[..pos]);
        rest = &rest[pos..];
        if rest.starts_with('&') {
            let (decoded, used) = decode_entity(rest);
            push_text(&mut out, &decoded);
            rest = &rest[used..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some((tag, used)) = parse_tag(rest) else {
            // A lone `<` (as in "a < b") is text.
            out.push('<');
            rest = &rest[1..];
            continue;
        };
        rest = &rest[used..];
        if !tag.closing && is_one_of(tag.name, SKIPPED_CONTENT) {
            rest = skip_element(rest, tag.name);
            continue;
        }
        if tag.name.eq_ignore_ascii_case("br") {
            out.push('\n');
        } else if is_one_of(tag.name, BLOCKS) {
            // A block boundary ends the line once; only `<br>` makes empty lines.
            if !out.trim_end_matches(' ').ends_with('\n') {
                out.push('\n');
            }
        } else if tag.name.eq_ignore_ascii_case("td") || tag.name.eq_ignore_ascii_case("th") {
            out.push(' ');
        } else if tag.name.eq_ignore_ascii_case("a") {
            if tag.closing {
                if let Some((href, start)) = link.take() {
                    let text = out.get(start..).unwrap_or_default().trim();
                    if !text.is_empty() && text != href {
                        out.push_str(" (");
                        out.push_str(&href);
                        out.push(')');
                    }
                }
            } else {
                link = attribute(tag.attrs, "href")
                    .map(|href| decode_entities_in(href.trim()))
                    .filter(|href| is_absolute_web_link(href))
                    .map(|href| (href, out.len()));
            }
        }
    }
    push_text(&mut out, rest);
    out
}

/// Appends source text, where any run of white space (line breaks included, as in a browser) is
/// one space, and none follows a space or a line break already written. Keeping at most one
/// trailing space also keeps the block-boundary check in [`strip_tags`] constant-time.
fn push_text(out: &mut String, text: &str) {
    // Copied a word at a time rather than a character at a time.
    let mut rest = text;
    while let Some((space, len)) = find_space(rest) {
        out.push_str(&rest[..space]);
        if !(out.is_empty() || out.ends_with([' ', '\n'])) {
            out.push(' ');
        }
        rest = &rest[space + len..];
    }
    out.push_str(rest);
}

/// Whether the byte is ASCII white space as `char::is_whitespace` has it (tab to carriage
/// return, and space).
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// The first white-space character of `text` (as `char::is_whitespace` has it): its position and
/// length. Searched byte by byte up to the first non-ASCII byte, character by character after.
fn find_space(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let ascii = bytes.iter().position(|&b| is_ascii_space(b) || !b.is_ascii()).unwrap_or(bytes.len());
    if ascii == bytes.len() || bytes[ascii].is_ascii() {
        return (ascii < bytes.len()).then_some((ascii, 1));
    }
    text[ascii..].char_indices().find(|(_, c)| c.is_whitespace()).map(|(i, c)| (ascii + i, c.len_utf8()))
}

/// Parses `<name attrs>` or `</name>` at the start of `s`; `None` if this is not a tag.
fn parse_tag(s: &str) -> Option<(Tag<'_>, usize)> {
    let body = s.strip_prefix('<')?;
    let (closing, body, offset) = match body.strip_prefix('/') {
        Some(b) => (true, b, 2),
        None => (false, body, 1),
    };
    let first = body.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '!' || first == '?') {
        return None;
    }
    let name_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '!' || c == '?' || c == '-'))
        .unwrap_or(body.len());
    let name = &body[..name_len];
    // Find the closing `>`, skipping quoted attribute values that may contain one.
    let mut quote: Option<char> = None;
    for (i, c) in body.char_indices().skip(name_len) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => {
                let attrs = &body[name_len..i];
                return Some((Tag { name, closing, attrs }, offset + i + 1));
            }
            (None, _) => {}
        }
    }
    // An unterminated tag swallows the rest, as a browser would.
    Some((Tag { name, closing, attrs: &body[name_len..] }, s.len()))
}

/// Skips past the end tag of a `script`-like element (or to the end of the input).
fn skip_element<'a>(rest: &'a str, name: &str) -> &'a str {
    // Compared in place: lowercasing the rest of a large input for every such element would make
    // a description full of them quadratic.
    for (pos, _) in rest.match_indices("</") {
        let after = &rest[pos + 2..];
        if after.get(..name.len()).is_some_and(|tag| tag.eq_ignore_ascii_case(name)) {
            return after.find('>').map_or("", |gt| &after[gt + 1..]);
        }
    }
    ""
}

/// The value of attribute `name` in a tag's attribute text.
fn attribute<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return None;
        }
        let key_len = rest.find(|c: char| c.is_whitespace() || c == '=' || c == '/').unwrap_or(rest.len());
        let key = &rest[..key_len];
        rest = rest[key_len..].trim_start();
        let value = if let Some(after_eq) = rest.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            let (value, used) = match after_eq.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &after_eq[1..];
                    let end = inner.find(q).unwrap_or(inner.len());
                    (&inner[..end], (end + 2).min(after_eq.len()))
                }
                _ => {
                    let end = after_eq.find(char::is_whitespace).unwrap_or(after_eq.len());
                    (&after_eq[..end], end)
                }
            };
            rest = &after_eq[used..];
            Some(value)
        } else {
            None
        };
        if key.eq_ignore_ascii_case(name) {
            return value;
        }
        if key.is_empty() && value.is_none() {
            // Nothing consumed: stray character; skip it so the loop always advances.
            let mut chars = rest.chars();
            chars.next();
            rest = chars.as_str();
        }
    }
}

fn is_absolute_web_link(href: &str) -> bool {
    let lower = href.get(..8).unwrap_or(href).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")) && !href.contains(char::is_whitespace)
}

/// Decodes every entity in text that holds no tags.
fn decode_entities_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let (decoded, used) = decode_entity(&rest[pos..]);
        out.push_str(&decoded);
        rest = &rest[pos + used..];
    }
    out.push_str(rest);
    out
}

/// Decodes the entity at the start of `s` (which starts with `&`); returns the text and the bytes used.
/// Something that is not a known entity decodes to a literal `&`.
fn decode_entity(s: &str) -> (std::borrow::Cow<'static, str>, usize) {
    use std::borrow::Cow;
    let literal = (Cow::Borrowed("&"), 1);
    // Entities are short; a `;` further away means this `&` is plain text.
    let Some(semi) = s.char_indices().take(34).find(|&(_, c)| c == ';').map(|(i, _)| i) else {
        return literal;
    };
    let name = &s[1..semi];
    let decoded = if let Some(num) = name.strip_prefix('#') {
        let value = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse::<u32>().ok(),
        };
        match value {
            // A number that is no character (a surrogate, too large, NUL) reads as the replacement character.
            Some(v) => Cow::Owned(char::from_u32(v).filter(|&c| c != '\0').unwrap_or('\u{FFFD}').to_string()),
            None => return literal,
        }
    } else {
        match named_entity(name) {
            Some(text) => Cow::Borrowed(text),
            None => return literal,
        }
    };
    (decoded, semi + 1)
}

fn named_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" | "AMP" => "&",
        "lt" | "LT" => "<",
        "gt" | "GT" => ">",
        "quot" | "QUOT" => "\"",
        "apos" => "'",
        "nbsp" | "ensp" | "emsp" | "thinsp" => " ",
        "shy" | "zwnj" | "zwj" | "lrm" | "rlm" => "",
        "copy" => "©",
        "reg" => "®",
        "trade" => "™",
        "hellip" => "…",
        "mdash" => "—",
        "ndash" => "–",
        "lsquo" => "‘",
        "rsquo" => "’",
        "sbquo" => "‚",
        "ldquo" => "“",
        "rdquo" => "”",
        "bdquo" => "„",
        "laquo" => "«",
        "raquo" => "»",
        "bull" => "•",
        "middot" => "·",
        "deg" => "°",
        "euro" => "€",
        "pound" => "£",
        "yen" => "¥",
        "cent" => "¢",
        "sect" => "§",
        "para" => "¶",
        "times" => "×",
        "divide" => "÷",
        "plusmn" => "±",
        "larr" => "←",
        "rarr" => "→",
        "uarr" => "↑",
        "darr" => "↓",
        "harr" => "↔",
        _ => return None,
    })
}

/// Whether `c` must never reach a ticket: C0/C1 controls other than line breaks and tabs, and the
/// bidirectional embedding, override and isolate characters that can make text read backwards.
pub(crate) fn is_unwanted_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{FEFF}')
}

/// Whether a whitespace-separated word is a portal placeholder such as `__siteIcon__`.
fn is_placeholder(word: &str) -> bool {
    word.len() > 4
        && word.starts_with("__")
        && word.ends_with("__")
        && word[2..word.len() - 2].bytes().all(|b| b.is_ascii_alphanumeric())
        && word.as_bytes()[2].is_ascii_alphabetic()
}

/// Removes unwanted characters and placeholders, collapses spaces, trims lines, and keeps at most
/// one empty line between paragraphs.
pub(crate) fn clean_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut blank_lines = 0usize;
    for line in raw.split('\n') {
        // The line is written straight after its separator, and taken back if nothing of it
        // is left.
        let line_start = out.len();
        if !out.is_empty() {
            out.push('\n');
            if blank_lines > 0 {
                out.push('\n');
            }
        }
        let text_start = out.len();
        for word in Words(line) {
            if is_placeholder(word) {
                continue;
            }
            let before = out.len();
            if before > text_start {
                out.push(' ');
            }
            let word_start = out.len();
            // Printable ASCII, nearly every word, has nothing to remove.
            if word.bytes().all(|b| (b' '..=b'~').contains(&b)) {
                out.push_str(word);
            } else {
                out.extend(word.chars().filter(|&c| !is_unwanted_char(c)));
            }
            if out.len() == word_start {
                // The word was made only of unwanted characters: drop its separator too.
                out.truncate(before);
            }
        }
        if out.len() == text_start {
            out.truncate(line_start);
            blank_lines += 1;
        } else {
            blank_lines = 0;
        }
    }
    out
}

/// The words of a line: the non-empty runs between white space (as `char::is_whitespace` has
/// it).
struct Words<'a>(&'a str);

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        while !self.0.is_empty() {
            match find_space(self.0) {
                Some((0, len)) => self.0 = &self.0[len..],
                Some((at, len)) => {
                    let word = &self.0[..at];
                    self.0 = &self.0[at + len..];
                    return Some(word);
                }
                None => return Some(std::mem::take(&mut self.0)),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{clean_text, find_space, html_to_text};

    proptest! {
        /// The byte-level searches find what the character-level ones would.
        #[test]
        fn white_space_is_found_as_char_is_whitespace_has_it(
            text in "[a-z_ \t\n\u{0b}\u{0c}\r\u{85}\u{a0}\u{2003}\u{2028}\u{3000}\u{7}é]{0,40}"
        ) {
            let expected = text.char_indices().find(|(_, c)| c.is_whitespace()).map(|(i, c)| (i, c.len_utf8()));
            prop_assert_eq!(find_space(&text), expected);
            let by_chars: Vec<&str> = text.split(char::is_whitespace).collect();
            let cleaned = clean_text(&text);
            // Every word of the cleaned text is one of the words split at `char::is_whitespace`,
            // less unwanted characters.
            for word in cleaned.split([' ', '\n']) {
                let found = by_chars.iter().any(|w| w.replace('\u{7}', "") == word);
                prop_assert!(found, "{:?} in {:?}", word, text);
            }
        }
    }

    #[track_caller]
    fn check(html: &str, expected: &str) {
        assert_eq!(html_to_text(html), expected, "input: {html:?}");
    }

    #[test]
    fn converts() {
        check("", "");
        check("plain text", "plain text");
        check("line one\nline two", "line one\nline two");
        check("<p>a</p><p>b</p>", "a\nb");
        check("a<br>b<br/>c<BR />d", "a\nb\nc\nd");
        check("a<br><br>b", "a\n\nb");
        check("<p>x\n  y</p>", "x y");
        check("<div><p>a</p>\n  <p>b</p></div>", "a\nb");
        check("Tom &amp; Jerry &lt;3 &#65;&#x42; &nbsp;x", "Tom & Jerry <3 AB x");
        check("a &unknown; b & c", "a &unknown; b & c");
        check("&#0; &#xD800; &#99999999; &#xZZ;", "\u{FFFD} \u{FFFD} \u{FFFD} &#xZZ;");
        check("File 'x' __siteIcon__ was matched", "File 'x' was matched");
        check("keep __init__.py and __x", "keep __init__.py and __x");
        check("<script>alert(1)</script>ok<style>p{}</style>", "ok");
        check("<SCRIPT>x</p></ScRiPt >after<script>never closed", "after");
        check("<!-- hidden -->shown<!-- unterminated", "shown");
        check("a < b and c > d", "a < b and c > d");
        check("<a href=\"#/subnet\">IP range page</a>", "IP range page");
        check("<a href='https://e.com/x'>docs</a>", "docs (https://e.com/x)");
        check("<a href=\"https://e.com\">https://e.com</a>", "https://e.com");
        check("<a href=\"javascript:alert(1)\">x</a>", "x");
        check("<img src=\"x>y\" alt='>'>after", "after");
        check("<table><tr><td>a</td><td>b</td></tr></table>", "a b");
        check("<ul><li>one</li><li>two</li></ul>", "one\ntwo");
        check("bidi \u{202E}evil\u{202C} ctrl\u{0007}x", "bidi evil ctrlx");
        check("&lt;script&gt;", "<script>");
        check("<div", "");
        check("x<a href=", "x");
    }
}
