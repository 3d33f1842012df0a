//! Finding IP addresses and e-mail addresses in free text.
//!
//! Alert descriptions mention addresses that the entities sometimes leave out ("failed sign-in
//! from 1.2.3.6 in Netherlands"). The scanners here are strict on purpose: an IPv4 address needs
//! four decimal octets of at most 255 without leading zeros and must not be part of a longer
//! dotted number (`1.2.3.4.5` is a version, `999.1.1.1` is nothing); an IPv6 address must parse
//! as one. A false IP costs an AbuseIPDB lookup from a small daily quota, so doubtful text is
//! not an address.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether the byte could continue a word, so that an address next to it is not standalone.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether the run `start..end` of `bytes` stands alone (no word character on either side).
fn standalone(bytes: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).and_then(|i| bytes.get(i)).copied();
    let after = bytes.get(end).copied();
    !before.is_some_and(is_word_byte) && !after.is_some_and(is_word_byte)
}

/// Maximal runs of bytes satisfying `f`, as byte ranges.
fn runs(bytes: &[u8], f: impl Fn(u8) -> bool) -> impl Iterator<Item = (usize, usize)> {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !f(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() && f(bytes[i]) {
            i += 1;
        }
        Some((start, i))
    })
}

/// Parses a strict dotted-quad IPv4 address: four octets, each `0` or 1–3 digits without a
/// leading zero, at most 255.
pub(crate) fn parse_strict_ipv4(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if part.len() > 1 && part.starts_with('0') {
            return None;
        }
        *octet = part.parse().ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(Ipv4Addr::from(octets))
}

/// Parses an IP address given on its own (an entity id), tolerating surrounding white space and
/// brackets around IPv6. IPv4-mapped IPv6 addresses come back as IPv4.
pub(crate) fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let s = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')).unwrap_or(s);
    if let Some(v4) = parse_strict_ipv4(s) {
        return Some(IpAddr::V4(v4));
    }
    s.parse::<Ipv6Addr>().ok().map(|v6| IpAddr::V6(v6).to_canonical())
}

/// Every IP address in `text`, in order of first appearance, without duplicates. IPv4-mapped
/// IPv6 addresses are returned as IPv4 so that both spellings count once.
pub(crate) fn find_ips(text: &str) -> Vec<IpAddr> {
    let bytes = text.as_bytes();
    // (position, address): both kinds are collected, then put back in order of appearance.
    let mut found: Vec<(usize, IpAddr)> = Vec::new();
    // IPv6 first, remembering where they were, so that the IPv4 tail of `2001:db8::1.2.3.4` is
    // not read again as a separate IPv4 address.
    let mut v6_spans: Vec<(usize, usize)> = Vec::new();
    // An IPv6 address has at least two colons; most text has none, and needs no IPv6 pass.
    let two_colons = bytes.iter().filter(|&&b| b == b':').nth(1).is_some();
    for (start, end) in runs(bytes, |b| b.is_ascii_hexdigit() || b == b':' || b == b'.') {
        if !two_colons {
            break;
        }
        if bytes[start..end].iter().filter(|&&b| b == b':').count() < 2 || !standalone(bytes, start, end) {
            continue;
        }
        let run = text[start..end].trim_end_matches('.');
        // "fe80::1:" at the end of a clause: the colon is punctuation, unless it is part of "::".
        let without_colon = run.strip_suffix(':').filter(|r| !r.ends_with(':')).unwrap_or(run);
        if let Some(v6) = [run, without_colon].iter().find_map(|c| c.parse::<Ipv6Addr>().ok()) {
            found.push((start, IpAddr::V6(v6).to_canonical()));
            v6_spans.push((start, end));
        }
    }
    for (start, end) in runs(bytes, |b| b.is_ascii_digit() || b == b'.') {
        // An address has three dots; most runs are plain numbers.
        if bytes[start..end].iter().filter(|&&b| b == b'.').count() < 3 {
            continue;
        }
        // The spans are in order and disjoint: only the last one starting at or before this run
        // can contain it.
        let inside_v6 =
            v6_spans[..v6_spans.partition_point(|&(s, _)| s <= start)].last().is_some_and(|&(_, e)| end <= e);
        if !standalone(bytes, start, end) || inside_v6 {
            continue;
        }
        if let Some(v4) = parse_strict_ipv4(text[start..end].trim_matches('.')) {
            found.push((start, IpAddr::V4(v4)));
        }
    }
    if !v6_spans.is_empty() {
        found.sort_by_key(|&(pos, _)| pos);
    }
    let mut out: Vec<IpAddr> = Vec::with_capacity(found.len());
    if found.len() <= 16 {
        // A few addresses, as in nearly every text: compared one by one.
        for (_, ip) in found {
            if !out.contains(&ip) {
                out.push(ip);
            }
        }
    } else {
        let mut seen = HashSet::with_capacity(found.len());
        out.extend(found.into_iter().map(|(_, ip)| ip).filter(|ip| seen.insert(*ip)));
    }
    out
}

fn is_local_part_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-' | b'\'')
}

fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

/// Every e-mail address in `text`, in order, without duplicates (compared case-insensitively).
/// ASCII addresses only: `local@domain.tld`, with a top-level domain of at least two letters.
pub(crate) fn find_emails(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (at, _) in text.match_indices('@') {
        let mut start = at;
        while start > 0 && is_local_part_byte(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = at + 1;
        while end < bytes.len() && is_domain_byte(bytes[end]) {
            end += 1;
        }
        // Trim what cannot start a local part or end a domain (quotes, a sentence's full stop).
        while start < at && matches!(bytes[start], b'.' | b'\'' | b'-') {
            start += 1;
        }
        while end > at + 1 && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        if start == at || end <= at + 1 {
            continue;
        }
        let domain = &text[at + 1..end];
        let Some((_, tld)) = domain.rsplit_once('.') else { continue };
        let labels_ok = domain.split('.').all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if !labels_ok || tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
            continue;
        }
        let local = &text[start..at];
        if local.contains("..") || local.ends_with('.') {
            continue;
        }
        let email = &text[start..end];
        if seen.insert(email.to_ascii_lowercase()) {
            out.push(email.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_ips(text: &str, expected: &[&str]) {
        let got: Vec<String> = find_ips(text).iter().map(ToString::to_string).collect();
        assert_eq!(got, expected, "text: {text:?}");
    }

    #[test]
    fn ips_in_text() {
        check_ips("", &[]);
        check_ips("from 1.2.3.6 in Netherlands and 1.2.3.4 in Israel", &["1.2.3.6", "1.2.3.4"]);
        check_ips("ends with 8.8.8.8.", &["8.8.8.8"]);
        check_ips("999.1.1.1 and 1.2.3.256 and 01.2.3.4", &[]);
        check_ips("version 1.2.3.4.5 and v1.2.3.4 and 1.2.3", &[]);
        check_ips("dup 1.1.1.1, 1.1.1.1 and ::ffff:1.1.1.1", &["1.1.1.1"]);
        check_ips("(10.0.0.1) [10.0.0.2]:443 ip:10.0.0.3", &["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
        check_ips("http://203.0.113.9/path", &["203.0.113.9"]);
        check_ips(
            "v6 2001:db8::1 and fe80::1%eth0 and [2001:db8::2]:443",
            &["2001:db8::1", "fe80::1", "2001:db8::2"],
        );
        check_ips("2001:db8::1.2.3.4 is one address", &["2001:db8::102:304"]);
        check_ips("address fe80::1: then", &["fe80::1"]);
        check_ips("time 12:30:45 mac 00:1a:2b:3c:4d:5e", &[]);
        check_ips("word:abc::1 not standalone", &[]);
        check_ips("2001:DB8::A then 10.1.1.1", &["2001:db8::a", "10.1.1.1"]);
        check_ips("١.٢.٣.٤ arabic digits", &[]);
    }

    #[track_caller]
    fn check_emails(text: &str, expected: &[&str]) {
        assert_eq!(find_emails(text), expected, "text: {text:?}");
    }

    #[test]
    fn emails_in_text() {
        check_emails("", &[]);
        check_emails("The user John (john@example.onmicrosoft.com) did", &["john@example.onmicrosoft.com"]);
        check_emails("mail a.b+tag@sub.example.com.", &["a.b+tag@sub.example.com"]);
        check_emails("A@X.COM and a@x.com", &["A@X.COM"]);
        check_emails("@ alone, x@, @y.com, a@b, a@b.c, a@-b.com, a..b@c.com", &[]);
        check_emails("'quoted@example.org'", &["quoted@example.org"]);
    }

    #[test]
    fn parses_standalone_ips() {
        assert_eq!(parse_ip(" 1.2.3.4 "), Some("1.2.3.4".parse().unwrap()));
        assert_eq!(parse_ip("[::1]"), Some("::1".parse().unwrap()));
        assert_eq!(parse_ip("::ffff:8.8.4.4"), Some("8.8.4.4".parse().unwrap()));
        assert_eq!(parse_ip("999.1.1.1"), None);
        assert_eq!(parse_ip("host"), None);
    }
}
