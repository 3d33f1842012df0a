//! Which addresses are worth a lookup: the special-purpose address blocks that AbuseIPDB can
//! tell nothing about.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// IPv4 blocks that are not public unicast addresses (IANA special-purpose registry, RFC 6890
/// and successors), as (first address, prefix length).
const V4_NOT_PUBLIC: [(u32, u8); 15] = [
    (0x0000_0000, 8),  // 0.0.0.0/8 "this network", with the unspecified address
    (0x0a00_0000, 8),  // 10.0.0.0/8 private
    (0x6440_0000, 10), // 100.64.0.0/10 carrier-grade NAT
    (0x7f00_0000, 8),  // 127.0.0.0/8 loopback
    (0xa9fe_0000, 16), // 169.254.0.0/16 link-local
    (0xac10_0000, 12), // 172.16.0.0/12 private
    (0xc000_0000, 24), // 192.0.0.0/24 IETF protocol assignments
    (0xc000_0200, 24), // 192.0.2.0/24 documentation (TEST-NET-1)
    (0xc058_6300, 24), // 192.88.99.0/24 deprecated 6to4 relay anycast
    (0xc0a8_0000, 16), // 192.168.0.0/16 private
    (0xc612_0000, 15), // 198.18.0.0/15 benchmarking
    (0xc633_6400, 24), // 198.51.100.0/24 documentation (TEST-NET-2)
    (0xcb00_7100, 24), // 203.0.113.0/24 documentation (TEST-NET-3)
    (0xe000_0000, 4),  // 224.0.0.0/4 multicast
    (0xf000_0000, 4),  // 240.0.0.0/4 reserved, with the broadcast address
];

/// IPv6 blocks inside the global unicast range 2000::/3 that are not public addresses. Outside
/// 2000::/3 everything is special (loopback, unique-local, link-local, multicast, discard,
/// SRv6, unassigned) except the forms that embed an IPv4 address, handled first.
const V6_NOT_PUBLIC: [(u128, u8); 3] = [
    (0x2001_0000 << 96, 23), // 2001::/23 IETF protocol assignments (Teredo excepted)
    (0x2001_0db8 << 96, 32), // 2001:db8::/32 documentation
    (0x3fff_0000 << 96, 20), // 3fff::/20 documentation (RFC 9637)
];

/// Whether looking `ip` up on AbuseIPDB can tell anything: `true` for a public unicast address,
/// `false` for the special-purpose ones (private, loopback, link-local, carrier-grade NAT,
/// documentation, benchmarking, multicast, broadcast, unspecified, reserved, IPv6 unique-local
/// and link-local). Each lookup costs one of the day's checks, so skip these.
///
/// IPv6 forms that carry an IPv4 address are judged by that address: IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4
/// (`2002:AABB:CCDD::`), since the traffic comes from that IPv4 host. A Teredo address
/// (`2001::/32`) is treated as public: the IPv4 address in it is the relay server's, not the
/// host's, so it says nothing about whether the host is private.
///
/// ```
/// use abuseipdb_client::is_worth_lookup;
/// assert!(is_worth_lookup("118.25.6.39".parse().unwrap()));
/// assert!(!is_worth_lookup("10.1.2.3".parse().unwrap()));
/// assert!(!is_worth_lookup("::ffff:192.168.0.1".parse().unwrap()));
/// assert!(!is_worth_lookup("fe80::1".parse().unwrap()));
/// ```
pub fn is_worth_lookup(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_is_public(v4),
        IpAddr::V6(v6) => v6_is_public(v6),
    }
}

fn v4_is_public(ip: Ipv4Addr) -> bool {
    let bits = u32::from(ip);
    !V4_NOT_PUBLIC.iter().any(|&(net, len)| bits >> (32 - len) == net >> (32 - len))
}

fn v6_is_public(ip: Ipv6Addr) -> bool {
    let bits = u128::from(ip);
    let within = |net: u128, len: u8| bits >> (128 - u32::from(len)) == net >> (128 - u32::from(len));
    // ::a.b.c.d (IPv4-compatible, which also covers :: and ::1 as 0.0.0.0 and 0.0.0.1) and
    // ::ffff:a.b.c.d (IPv4-mapped).
    if let Some(v4) = ip.to_ipv4() {
        return v4_is_public(v4);
    }
    // 64:ff9b::/96, the well-known NAT64 prefix: the host is the embedded IPv4 address. The
    // local-use prefix 64:ff9b:1::/48 is outside 2000::/3 and so not public below.
    if within(0x0064_ff9b << 96, 96) {
        return v4_is_public(Ipv4Addr::from(bits as u32));
    }
    // 2002::/16, 6to4: bits 16 to 48 are the host's IPv4 address.
    if within(0x2002 << 112, 16) {
        return v4_is_public(Ipv4Addr::from((bits >> 80) as u32));
    }
    // 2001::/32, Teredo: see the function's documentation.
    if within(0x2001_0000 << 96, 32) {
        return true;
    }
    within(0x2000 << 112, 3) && !V6_NOT_PUBLIC.iter().any(|&(net, len)| within(net, len))
}
