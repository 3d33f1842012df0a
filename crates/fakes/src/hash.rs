//! Small stable hashes for deterministic fake data.
//!
//! `std`'s `DefaultHasher` is not promised to stay the same across Rust releases, and the fakes
//! must give the same reputation to the same IP and the same alerts to the same seed forever, so
//! that figures and fixtures stay comparable.

/// FNV-1a over `bytes`, finished with [`mix`] so that nearby inputs spread over all bits.
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

/// The splitmix64 finaliser: a bijection on `u64` with good avalanche.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Two values combined into one hash.
pub(crate) fn mix2(a: u64, b: u64) -> u64 {
    mix(a ^ mix(b))
}

/// Picks an element of a non-empty slice by hash.
pub(crate) fn pick<T: Copy>(h: u64, items: &[T], fallback: T) -> T {
    match u64::try_from(items.len()) {
        Ok(len) if len > 0 => {
            usize::try_from(h % len).ok().and_then(|i| items.get(i).copied()).unwrap_or(fallback)
        }
        _ => fallback,
    }
}

/// Standard base64 with padding, for building the expected `Authorization: Basic` value.
pub(crate) fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input:?}");
        }
    }

    #[test]
    fn hashes_are_stable() {
        // Pinned so that a change to the hash (and so to every fake reputation) is deliberate.
        assert_eq!(hash_bytes(b"8.8.8.8"), hash_bytes(b"8.8.8.8"));
        assert_ne!(hash_bytes(b"8.8.8.8"), hash_bytes(b"8.8.8.9"));
        assert_eq!(mix(0), 0xe220_a839_7b1d_cdaf);
    }
}
