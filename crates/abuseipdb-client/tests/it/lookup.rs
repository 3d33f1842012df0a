use std::net::IpAddr;

use abuseipdb_client::is_worth_lookup;

#[track_caller]
fn check(ip: &str, expected: bool) {
    let parsed: IpAddr = ip.parse().unwrap();
    assert_eq!(is_worth_lookup(parsed), expected, "{ip}");
}

#[test]
fn ipv4_address_classes() {
    // Public unicast.
    check("118.25.6.39", true);
    check("8.8.8.8", true);
    check("1.1.1.1", true);
    check("100.63.255.255", true); // just below CGNAT
    check("100.128.0.0", true); // just above CGNAT
    check("172.15.255.255", true);
    check("172.32.0.0", true);
    check("192.0.1.255", true);
    check("192.31.196.1", true); // AS112, globally reachable
    check("198.17.255.255", true);
    check("198.20.0.0", true);
    check("223.255.255.255", true);
    // Unspecified and "this network".
    check("0.0.0.0", false);
    check("0.1.2.3", false);
    // Private.
    check("10.0.0.1", false);
    check("172.16.0.1", false);
    check("172.31.255.255", false);
    check("192.168.1.1", false);
    // Carrier-grade NAT.
    check("100.64.0.1", false);
    check("100.127.255.254", false);
    // Loopback and link-local.
    check("127.0.0.1", false);
    check("127.255.255.254", false);
    check("169.254.169.254", false);
    // IETF protocol assignments, deprecated 6to4 relay.
    check("192.0.0.8", false);
    check("192.88.99.1", false);
    // Documentation.
    check("192.0.2.1", false);
    check("198.51.100.7", false);
    check("203.0.113.9", false);
    // Benchmarking.
    check("198.18.0.1", false);
    check("198.19.255.255", false);
    // Multicast, reserved, broadcast.
    check("224.0.0.1", false);
    check("239.255.255.250", false);
    check("240.0.0.1", false);
    check("255.255.255.255", false);
}

#[test]
fn ipv6_address_classes() {
    // Public unicast.
    check("2a00:1450:4001:80b::200e", true);
    check("2606:4700:4700::1111", true);
    check("2620:4f:8000::1", true);
    // Unspecified and loopback.
    check("::", false);
    check("::1", false);
    // Unique-local, link-local, deprecated site-local, multicast.
    check("fc00::1", false);
    check("fd12:3456:789a::1", false);
    check("fe80::1", false);
    check("febf::1", false);
    check("fec0::1", false);
    check("ff02::1", false);
    check("ff0e::1", false);
    // Documentation, benchmarking, ORCHID, discard-only, SRv6, unassigned space.
    check("2001:db8::1", false);
    check("3fff::1", false);
    check("2001:2::1", false);
    check("2001:10::1", false);
    check("100::1", false);
    check("5f00::1", false);
    check("4000::1", false);
    check("::ffff:0:0:1", false); // IPv4-translated (SIIT), not a host address
}

#[test]
fn ipv6_forms_embedding_ipv4_are_judged_by_it() {
    // IPv4-mapped.
    check("::ffff:8.8.8.8", true);
    check("::ffff:10.0.0.1", false);
    check("::ffff:127.0.0.1", false);
    check("::ffff:100.64.1.1", false);
    check("::ffff:192.0.2.1", false);
    check("::ffff:169.254.1.1", false);
    // IPv4-compatible (deprecated).
    check("::8.8.8.8", true);
    check("::192.168.1.1", false);
    // NAT64 well-known prefix; the local-use prefix is never public.
    check("64:ff9b::808:808", true);
    check("64:ff9b::a00:1", false);
    check("64:ff9b:1::808:808", false);
    // 6to4.
    check("2002:808:808::1", true);
    check("2002:c0a8:101::1", false);
    check("2002:7f00:1::1", false);
    // Teredo is treated as public whatever its embedded server address.
    check("2001:0:4136:e378:8000:63bf:3fff:fdd2", true);
    check("2001:0:a00:1::1", true);
}
