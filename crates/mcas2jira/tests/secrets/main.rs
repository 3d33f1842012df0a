//! No secret anywhere it does not belong, and no credential where it should not go: the binary
//! run with trace logging through its error paths, `Debug` of every client and config type,
//! plain http only to loopback, credentials never carried across a redirect to another host,
//! the warning for a readable config with an inline secret, rustls only, and hostile alert text
//! inert in both Jira renderings.

#[path = "../support/mod.rs"]
mod support;

mod debug;
mod hostile;
mod leaks;
mod transport;

/// Standard base64 (RFC 4648, padded), for the `Authorization: Basic` value a leak would show.
pub fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let bytes = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(bytes[0]) << 16) | (u32::from(bytes[1]) << 8) | u32::from(bytes[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn base64_matches_rfc_4648() {
    for (input, expected) in
        [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")]
    {
        assert_eq!(base64(input.as_bytes()), expected);
    }
}
