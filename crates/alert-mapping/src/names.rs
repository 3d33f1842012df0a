//! Collecting names and addresses without duplicates, and cleaning text into one line.

use std::borrow::Cow;
use std::collections::HashSet;
use std::net::IpAddr;

use abuseipdb_client::is_worth_lookup;

use crate::facts::{CountryCode, FoundIp};
use crate::html::clean_text;

/// The longest summary sentence taken from a description, in characters; a longer first sentence
/// gives way to the title.
const MAX_SENTENCE_CHARS: usize = 300;

/// What an extraction collects from an alert, each list without duplicates.
#[derive(Default)]
pub(crate) struct Found {
    pub(crate) users: Names,
    pub(crate) ips: Ips,
    pub(crate) services: Names,
    pub(crate) countries: Names,
    pub(crate) devices: Names,
    pub(crate) files: Names,
}

/// A list of names without duplicates (compared case-insensitively) or empty entries.
///
/// An alert names a handful of users or apps, so a new name is compared with the ones before it;
/// only a long list (a hostile alert with thousands of entities) gets a set of lowercased names.
#[derive(Default)]
pub(crate) struct Names {
    pub(crate) items: Vec<String>,
    /// The lowercased items, once there are more than [`Names::LINEAR`].
    seen: Option<HashSet<String>>,
}

impl Names {
    /// Up to this many names are compared one by one.
    const LINEAR: usize = 16;

    /// Adds a name; whether it was new.
    pub(crate) fn add(&mut self, name: Option<&str>) -> bool {
        let Some(name) = name.map(one_line_cow).filter(|n| !n.is_empty()) else { return false };
        let new = match &mut self.seen {
            Some(seen) => seen.insert(name.to_lowercase()),
            None => !self.items.iter().any(|item| same_name(item, &name)),
        };
        if new {
            self.items.push(name.into_owned());
            if self.seen.is_none() && self.items.len() > Self::LINEAR {
                self.seen = Some(self.items.iter().map(|item| item.to_lowercase()).collect());
            }
        }
        new
    }
}

/// The IP addresses found so far, without duplicates; like [`Names`], compared one by one while
/// there are few.
#[derive(Default)]
pub(crate) struct Ips {
    pub(crate) items: Vec<FoundIp>,
    seen: Option<HashSet<IpAddr>>,
}

impl Ips {
    /// Adds an address; whether it was new.
    pub(crate) fn add(&mut self, ip: IpAddr, from_entity: bool) -> bool {
        self.add_in(ip, from_entity, None)
    }

    /// Adds an address placed in `country`; whether it was new. An address seen before without
    /// a country takes this one.
    pub(crate) fn add_in(&mut self, ip: IpAddr, from_entity: bool, country: Option<CountryCode>) -> bool {
        let new = match &mut self.seen {
            Some(seen) => seen.insert(ip),
            None => !self.items.iter().any(|found| found.ip == ip),
        };
        if !new {
            if let Some(country) = country
                && let Some(found) =
                    self.items.iter_mut().find(|found| found.ip == ip && found.country.is_none())
            {
                found.country = Some(country);
            }
            return false;
        }
        self.items.push(FoundIp { ip, public: is_worth_lookup(ip), from_entity, country });
        if self.seen.is_none() && self.items.len() > Names::LINEAR {
            self.seen = Some(self.items.iter().map(|found| found.ip).collect());
        }
        true
    }
}

/// Whether two names are the same but for case: their `to_lowercase` forms are equal, as in
/// the set of a long list. ASCII, nearly every name, is compared without lowercasing copies.
fn same_name(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.to_lowercase() == b.to_lowercase()
}

/// Text as one clean line: unwanted characters removed, white space collapsed.
pub(crate) fn one_line(text: &str) -> String {
    one_line_cow(text).into_owned()
}

/// [`one_line`], borrowing text that is clean already (most names and ids are): cleaning them
/// would only copy them.
pub(crate) fn one_line_cow(text: &str) -> Cow<'_, str> {
    if is_clean_line(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(clean_text(text).replace('\n', " "))
}

/// Whether [`clean_text`] would leave `text` as it is and it is one line: printable ASCII
/// words separated by single spaces, and no `__` that could belong to a placeholder.
pub(crate) fn is_clean_line(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    // One pass: printable ASCII, and no space or underscore twice in a row.
    let mut previous = 0u8;
    for &byte in bytes {
        if !(b' '..=b'~').contains(&byte) || (byte == previous && matches!(byte, b' ' | b'_')) {
            return false;
        }
        previous = byte;
    }
    true
}

/// The first sentence of the text: up to the first `.`, `!` or `?` followed by white space, on
/// the first line. `None` when there is no text or the sentence is too long to summarise.
pub(crate) fn first_sentence(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut end = line.len();
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|&(_, next)| next.is_whitespace()) {
            end = i + c.len_utf8();
            break;
        }
    }
    let sentence = line[..end].trim();
    (!sentence.is_empty() && sentence.chars().count() <= MAX_SENTENCE_CHARS).then(|| sentence.to_owned())
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::{Ips, Names, clean_text, one_line};

    #[test]
    fn names_drop_duplicates_before_and_after_the_switch_to_a_set() {
        let mut names = Names::default();
        // Past the linear limit, so that the set takes over half-way.
        let many: Vec<String> = (0..40).map(|i| format!("User{i}@Example.com")).collect();
        for name in &many {
            assert!(names.add(Some(name)));
        }
        for name in &many {
            assert!(!names.add(Some(&name.to_uppercase())), "{name}");
            assert!(!names.add(Some(&name.to_lowercase())), "{name}");
        }
        assert!(!names.add(Some(" user3@example.com ")), "cleaned before comparing");
        assert!(!names.add(Some("")) && !names.add(None));
        assert_eq!(names.items, many);

        // Non-ASCII compares as `to_lowercase` does, on either side of the switch.
        for mut names in [Names::default(), Names { items: Vec::new(), seen: Some(Default::default()) }] {
            assert!(names.add(Some("Éloïse")));
            assert!(!names.add(Some("ÉLOÏSE")));
            assert!(names.add(Some("Eloise")));
            assert_eq!(names.items, ["Éloïse", "Eloise"]);
        }
    }

    #[test]
    fn ips_drop_duplicates_before_and_after_the_switch_to_a_set() {
        let mut ips = Ips::default();
        let many: Vec<IpAddr> = (0..40u8).map(|i| IpAddr::from([45, 33, 32, i])).collect();
        for ip in &many {
            assert!(ips.add(*ip, true));
        }
        for ip in &many {
            assert!(!ips.add(*ip, false));
        }
        assert_eq!(ips.items.iter().map(|found| found.ip).collect::<Vec<_>>(), many);
        assert!(ips.items.iter().all(|found| found.from_entity && found.public));
    }

    #[test]
    fn one_line_takes_clean_text_as_it_is_and_cleans_the_rest() {
        for text in [
            "",
            "alice@example.com",
            "Impossible travel activity",
            " leading",
            "trailing ",
            "two  spaces",
            "tab\there",
            "line\nbreak",
            "del\u{7f}x",
            "File __siteIcon__ matched",
            "__init__.py",
            "été",
            "bidi \u{202E}x",
        ] {
            assert_eq!(one_line(text), clean_text(text).replace('\n', " "), "{text:?}");
        }
    }
}
