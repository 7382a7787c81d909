//! Which IP addresses the fetcher may connect to.
//!
//! The lists follow the IANA IPv4 and IPv6 special-purpose address registries: anything that is
//! not globally reachable (loopback, private, link-local, CGNAT, multicast, documentation,
//! benchmarking, reserved…) is blocked. IPv6 forms that embed an IPv4 address (IPv4-mapped,
//! IPv4-compatible, NAT64, 6to4, Teredo) are judged by the IPv4 address they carry, because that
//! is where the packets end up.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not reachable by the fetcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlockReason {
    /// `0.0.0.0/8` ("this network") or `::` (unspecified).
    Unspecified,
    /// `127.0.0.0/8` or `::1`.
    Loopback,
    /// RFC 1918: `10/8`, `172.16/12`, `192.168/16`.
    Private,
    /// `100.64.0.0/10`, carrier-grade NAT shared space.
    SharedCgnat,
    /// `169.254.0.0/16` (including cloud metadata at 169.254.169.254) or `fe80::/10`.
    LinkLocal,
    /// `224.0.0.0/4` or `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// `240.0.0.0/4`, IPv6 outside `2000::/3`, and other reserved blocks.
    Reserved,
    /// `192.0.0.0/24`, IETF protocol assignments (and `2001::/23` outside Teredo in IPv6).
    ProtocolAssignment,
    /// Documentation ranges: TEST-NET-1/2/3, `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// Benchmarking ranges: `198.18.0.0/15`, `2001:2::/48`.
    Benchmarking,
    /// The deprecated 6to4 relay anycast block `192.88.99.0/24`.
    Relay6to4,
    /// `fc00::/7` unique local addresses.
    UniqueLocal,
    /// `fec0::/10`, deprecated site-local addresses.
    SiteLocal,
    /// `100::/64`, discard-only.
    DiscardOnly,
    /// `64:ff9b:1::/48`, local-use NAT64.
    LocalNat64,
    /// An IPv6 address whose embedded IPv4 address is blocked; the inner reason is the IPv4's.
    EmbeddedIpv4 {
        /// How the IPv4 address is embedded.
        form: Ipv4Embedding,
        /// The embedded address.
        v4: Ipv4Addr,
        /// Why the embedded address is blocked.
        reason: V4Reason,
    },
}

/// The ways an IPv6 address can carry an IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ipv4Embedding {
    /// `::ffff:a.b.c.d`.
    Mapped,
    /// `::a.b.c.d` (deprecated).
    Compatible,
    /// `64:ff9b::a.b.c.d` (well-known NAT64 prefix).
    Nat64,
    /// `2002:AABB:CCDD::/48` (6to4).
    SixToFour,
    /// `2001:0::/32` (Teredo; server address or obfuscated client address).
    Teredo,
}

/// The reason an embedded IPv4 address is blocked (a plain IPv4 reason, boxed-free).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct V4Reason(BlockReasonV4);

/// IPv4-only reasons, so that [`BlockReason::EmbeddedIpv4`] cannot nest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockReasonV4 {
    Unspecified,
    Loopback,
    Private,
    SharedCgnat,
    LinkLocal,
    Multicast,
    Broadcast,
    Reserved,
    ProtocolAssignment,
    Documentation,
    Benchmarking,
    Relay6to4,
}

impl V4Reason {
    /// The same reason as a top-level [`BlockReason`].
    pub fn as_reason(self) -> BlockReason {
        match self.0 {
            BlockReasonV4::Unspecified => BlockReason::Unspecified,
            BlockReasonV4::Loopback => BlockReason::Loopback,
            BlockReasonV4::Private => BlockReason::Private,
            BlockReasonV4::SharedCgnat => BlockReason::SharedCgnat,
            BlockReasonV4::LinkLocal => BlockReason::LinkLocal,
            BlockReasonV4::Multicast => BlockReason::Multicast,
            BlockReasonV4::Broadcast => BlockReason::Broadcast,
            BlockReasonV4::Reserved => BlockReason::Reserved,
            BlockReasonV4::ProtocolAssignment => BlockReason::ProtocolAssignment,
            BlockReasonV4::Documentation => BlockReason::Documentation,
            BlockReasonV4::Benchmarking => BlockReason::Benchmarking,
            BlockReasonV4::Relay6to4 => BlockReason::Relay6to4,
        }
    }
}

impl fmt::Display for Ipv4Embedding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ipv4Embedding::Mapped => "IPv4-mapped IPv6",
            Ipv4Embedding::Compatible => "IPv4-compatible IPv6",
            Ipv4Embedding::Nat64 => "NAT64",
            Ipv4Embedding::SixToFour => "6to4",
            Ipv4Embedding::Teredo => "Teredo",
        })
    }
}

impl fmt::Display for BlockReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            BlockReason::Unspecified => "unspecified address",
            BlockReason::Loopback => "loopback address",
            BlockReason::Private => "private network address",
            BlockReason::SharedCgnat => "carrier-grade NAT shared address",
            BlockReason::LinkLocal => "link-local address",
            BlockReason::Multicast => "multicast address",
            BlockReason::Broadcast => "broadcast address",
            BlockReason::Reserved => "reserved address",
            BlockReason::ProtocolAssignment => "IETF protocol assignment address",
            BlockReason::Documentation => "documentation address",
            BlockReason::Benchmarking => "benchmarking address",
            BlockReason::Relay6to4 => "6to4 relay anycast address",
            BlockReason::UniqueLocal => "unique local IPv6 address",
            BlockReason::SiteLocal => "site-local IPv6 address",
            BlockReason::DiscardOnly => "discard-only IPv6 address",
            BlockReason::LocalNat64 => "local-use NAT64 address",
            BlockReason::EmbeddedIpv4 { form, v4, reason } => {
                return write!(f, "{form} address embedding {v4}, a {}", reason.as_reason());
            }
        };
        f.write_str(s)
    }
}

/// Classifies an address: `None` if the fetcher may connect to it, otherwise why not.
pub fn classify(ip: IpAddr) -> Option<BlockReason> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4).map(|r| V4Reason(r).as_reason()),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<BlockReasonV4> {
    use BlockReasonV4::*;
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => Unspecified,
        (10, _, _) => Private,
        (100, 64..=127, _) => SharedCgnat,
        (127, _, _) => Loopback,
        (169, 254, _) => LinkLocal,
        (172, 16..=31, _) => Private,
        (192, 0, 0) => ProtocolAssignment,
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => Documentation,
        (192, 88, 99) => Relay6to4,
        (192, 168, _) => Private,
        (198, 18..=19, _) => Benchmarking,
        (224..=239, _, _) => Multicast,
        _ if ip == Ipv4Addr::BROADCAST => Broadcast,
        (240..=255, _, _) => Reserved,
        _ => return None,
    })
}

fn embedded(form: Ipv4Embedding, v4: Ipv4Addr) -> Option<BlockReason> {
    classify_v4(v4).map(|r| BlockReason::EmbeddedIpv4 {
        form,
        v4,
        reason: V4Reason(r),
    })
}

fn v4_from(hi: u16, lo: u16) -> Ipv4Addr {
    Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo))
}

fn classify_v6(ip: Ipv6Addr) -> Option<BlockReason> {
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some(BlockReason::Unspecified);
    }
    if ip.is_loopback() {
        return Some(BlockReason::Loopback);
    }
    // ::ffff:a.b.c.d
    if s[..5] == [0; 5] && s[5] == 0xffff {
        return embedded(Ipv4Embedding::Mapped, v4_from(s[6], s[7]));
    }
    // ::a.b.c.d — deprecated; never a legitimate destination, so blocked whatever it embeds.
    if s[..6] == [0; 6] {
        let v4 = v4_from(s[6], s[7]);
        return embedded(Ipv4Embedding::Compatible, v4).or(Some(BlockReason::Reserved));
    }
    // 64:ff9b::/96, well-known NAT64: the gateway connects to the embedded address.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return embedded(Ipv4Embedding::Nat64, v4_from(s[6], s[7]));
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1 {
        return Some(BlockReason::LocalNat64);
    }
    if s[..4] == [0x100, 0, 0, 0] {
        return Some(BlockReason::DiscardOnly);
    }
    // 2001:0::/32 Teredo: server IPv4 in bits 32..64, client IPv4 (inverted) in the last 32.
    if s[0] == 0x2001 && s[1] == 0 {
        return embedded(Ipv4Embedding::Teredo, v4_from(s[2], s[3]))
            .or_else(|| embedded(Ipv4Embedding::Teredo, v4_from(!s[6], !s[7])));
    }
    if s[0] == 0x2001 && s[1] == 2 && s[2] == 0 {
        return Some(BlockReason::Benchmarking);
    }
    // 2001::/23: the rest of the IETF protocol assignments (ORCHID, AMT, AS112…).
    if s[0] == 0x2001 && s[1] < 0x200 {
        return Some(BlockReason::ProtocolAssignment);
    }
    if s[0] == 0x2001 && s[1] == 0xdb8 {
        return Some(BlockReason::Documentation);
    }
    // 3fff::/20 (RFC 9637).
    if s[0] == 0x3fff && s[1] < 0x1000 {
        return Some(BlockReason::Documentation);
    }
    // 2002::/16 6to4: the IPv4 address is in bits 16..48.
    if s[0] == 0x2002 {
        return embedded(Ipv4Embedding::SixToFour, v4_from(s[1], s[2]));
    }
    if s[0] & 0xfe00 == 0xfc00 {
        return Some(BlockReason::UniqueLocal);
    }
    if s[0] & 0xffc0 == 0xfe80 {
        return Some(BlockReason::LinkLocal);
    }
    if s[0] & 0xffc0 == 0xfec0 {
        return Some(BlockReason::SiteLocal);
    }
    if s[0] & 0xff00 == 0xff00 {
        return Some(BlockReason::Multicast);
    }
    // Only 2000::/3 is allocated global unicast; everything else (5f00::/16 SRv6 included)
    // is reserved or not globally reachable.
    if s[0] & 0xe000 != 0x2000 {
        return Some(BlockReason::Reserved);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> Option<BlockReason> {
        classify(s.parse::<Ipv4Addr>().unwrap().into())
    }
    fn v6(s: &str) -> Option<BlockReason> {
        classify(s.parse::<Ipv6Addr>().unwrap().into())
    }
    fn v6_embeds(s: &str, form: Ipv4Embedding, reason: BlockReason) {
        match v6(s) {
            Some(BlockReason::EmbeddedIpv4 {
                form: f, reason: r, ..
            }) => {
                assert_eq!((f, r.as_reason()), (form, reason), "{s}")
            }
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn ipv4_special_purpose_ranges_are_blocked() {
        use BlockReason::*;
        let cases = [
            ("0.0.0.0", Unspecified),
            ("0.255.255.255", Unspecified),
            ("10.0.0.1", Private),
            ("10.255.255.255", Private),
            ("100.64.0.0", SharedCgnat),
            ("100.127.255.255", SharedCgnat),
            ("127.0.0.1", Loopback),
            ("127.255.255.254", Loopback),
            ("169.254.0.1", LinkLocal),
            ("169.254.169.254", LinkLocal),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("192.0.0.8", ProtocolAssignment),
            ("192.0.2.1", Documentation),
            ("192.88.99.1", Relay6to4),
            ("192.168.0.1", Private),
            ("192.168.255.255", Private),
            ("198.18.0.1", Benchmarking),
            ("198.19.255.255", Benchmarking),
            ("198.51.100.7", Documentation),
            ("203.0.113.9", Documentation),
            ("224.0.0.1", Multicast),
            ("239.255.255.250", Multicast),
            ("240.0.0.1", Reserved),
            ("254.1.2.3", Reserved),
            ("255.255.255.255", Broadcast),
        ];
        for (ip, reason) in cases {
            assert_eq!(v4(ip), Some(reason), "{ip}");
        }
    }

    #[test]
    fn ipv4_public_addresses_and_range_edges_are_allowed() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.1",
            "192.0.3.1",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "203.0.112.1",
            "223.255.255.255",
        ] {
            assert_eq!(v4(ip), None, "{ip}");
        }
    }

    #[test]
    fn ipv6_special_purpose_ranges_are_blocked() {
        use BlockReason::*;
        let cases = [
            ("::", Unspecified),
            ("::1", Loopback),
            ("64:ff9b:1::1", LocalNat64),
            ("100::1", DiscardOnly),
            ("2001:2::1", Benchmarking),
            ("2001:10::1", ProtocolAssignment),
            ("2001:1::1", ProtocolAssignment),
            ("2001:db8::1", Documentation),
            ("3fff::1", Documentation),
            ("3fff:fff::1", Documentation),
            ("fc00::1", UniqueLocal),
            ("fd12:3456::1", UniqueLocal),
            ("fe80::1", LinkLocal),
            ("febf::1", LinkLocal),
            ("fec0::1", SiteLocal),
            ("ff02::1", Multicast),
            ("ff0e::1", Multicast),
            ("5f00::1", Reserved),
            ("4000::1", Reserved),
            ("1234::1", Reserved),
        ];
        for (ip, reason) in cases {
            assert_eq!(v6(ip), Some(reason), "{ip}");
        }
    }

    #[test]
    fn ipv6_embedding_a_blocked_ipv4_is_blocked() {
        use BlockReason::*;
        use Ipv4Embedding::*;
        v6_embeds("::ffff:127.0.0.1", Mapped, Loopback);
        v6_embeds("::ffff:169.254.169.254", Mapped, LinkLocal);
        v6_embeds("::ffff:10.1.2.3", Mapped, Private);
        v6_embeds("::ffff:0.0.0.0", Mapped, Unspecified);
        v6_embeds("::127.0.0.1", Compatible, Loopback);
        v6_embeds("::192.168.1.1", Compatible, Private);
        v6_embeds("64:ff9b::127.0.0.1", Nat64, Loopback);
        v6_embeds("64:ff9b::a9fe:a9fe", Nat64, LinkLocal);
        v6_embeds("2002:7f00:1::1", SixToFour, Loopback);
        v6_embeds("2002:c0a8:101::", SixToFour, Private);
        // Teredo server 10.0.0.1
        v6_embeds("2001:0:a00:1::1", Teredo, Private);
        // Teredo client 127.0.0.1, stored inverted: 80ff:fffe
        v6_embeds("2001:0:808:808:0:0:80ff:fffe", Teredo, Loopback);
        // An IPv4-compatible address is deprecated: blocked even when it embeds a public v4.
        assert_eq!(v6("::8.8.8.8"), Some(Reserved));
        v6_embeds("::2", Compatible, Unspecified);
    }

    #[test]
    fn ipv6_embedding_a_public_ipv4_and_global_unicast_are_allowed() {
        for ip in [
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "2001:0:808:808:0:0:f7f7:f7f7",
            "2001:4860:4860::8888",
            "2606:4700:4700::1111",
            "2a00:1450:4001::1",
            "2001:200::1",
            "3ffe::1",
            "3fff:1000::1",
        ] {
            assert_eq!(v6(ip), None, "{ip}");
        }
    }

    #[test]
    fn reasons_read_well() {
        assert_eq!(v4("127.0.0.1").unwrap().to_string(), "loopback address");
        assert_eq!(
            v6("::ffff:127.0.0.1").unwrap().to_string(),
            "IPv4-mapped IPv6 address embedding 127.0.0.1, a loopback address"
        );
    }
}
