// ip_address.hpp — IPv4 and IPv6 addresses: parse every textual form, print canonically.
//
// Contract: parse_ip() is noexcept and allocation-free; it accepts dotted-quad IPv4 (no leading
// zeros: "010.0.0.1" is ambiguous between octal and decimal, so it is rejected) and IPv6 in
// every RFC 4291 form: full, `::`-compressed, 1–4 hex digits per group (leading zeros allowed),
// upper or lower case, and with an embedded IPv4 tail (`::ffff:10.0.0.1`). A zone id (`%eth0`)
// is rejected. to_string() prints IPv4 dotted and IPv6 in RFC 5952 canonical form (lower case,
// longest run of two or more zero groups compressed, leftmost on a tie, IPv4-mapped shown with a
// dotted tail). An IPv4-mapped IPv6 address stays IPv6: it is a different textual family and
// FlowLens does not merge the two.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flowlens {

struct IpAddress {
    // IPv4 lives in bytes[12..15] with bytes[0..11] zero and v4 = true.
    std::array<uint8_t, 16> bytes{};
    bool v4 = false;

    friend bool operator==(const IpAddress&, const IpAddress&) = default;
    uint32_t v4_value() const noexcept {
        return (uint32_t{bytes[12]} << 24) | (uint32_t{bytes[13]} << 16) | (uint32_t{bytes[14]} << 8) |
               uint32_t{bytes[15]};
    }
    static IpAddress from_v4(uint32_t v) noexcept;
};

std::optional<IpAddress> parse_ip(std::string_view text) noexcept;
// The dotted quad at p (read no further than `end`), as a number (10.0.0.1 -> 0x0A000001): p
// moves past its last digit and the caller decides whether what follows ends the token; false
// (p and out unspecified) when p does not start one: four groups of one to three digits
// without a leading zero, each at most 255, joined by '.'. Lets the loader read an address
// without first finding its token's end.
[[gnu::always_inline]] inline bool scan_ipv4(const char*& p, const char* end, uint32_t& out) noexcept {
    uint32_t r = 0;
    for (int octet = 0; octet < 4; ++octet) {
        if (octet > 0) {
            if (p == end || *p != '.') return false;
            ++p;
        }
        // One to three digits, no leading zero, at most 255; a fourth digit is left for the
        // caller (it goes on the token: no address).
        if (p == end) return false;
        unsigned d = static_cast<unsigned>(static_cast<unsigned char>(*p)) - unsigned{'0'};
        if (d > 9) return false;
        unsigned v = d;
        ++p;
        if (p != end && (d = static_cast<unsigned>(static_cast<unsigned char>(*p)) - unsigned{'0'}) <= 9) {
            if (v == 0) return false;
            v = v * 10 + d;
            ++p;
            if (p != end && (d = static_cast<unsigned>(static_cast<unsigned char>(*p)) - unsigned{'0'}) <= 9) {
                v = v * 10 + d;
                ++p;
                if (v > 255) return false;
            }
        }
        r = (r << 8) | v;
    }
    out = r;
    return true;
}

// The IPv4 case of parse_ip() alone, as a number: the whole of `text` is one dotted quad.
// Accepts exactly the dotted quads parse_ip() accepts as IPv4.
// Inline: the loader calls it twice a record, and out of line the call was about a sixth of its
// instructions (callgrind).
[[gnu::always_inline]] inline bool parse_ipv4(std::string_view text, uint32_t& out) noexcept {
    const char* p = text.data();
    uint32_t v;
    if (!scan_ipv4(p, text.data() + text.size(), v) || p != text.data() + text.size()) return false;
    out = v;
    return true;
}

// The IPv6 case of parse_ip() alone: what the loader tries once parse_ipv4() has said no.
std::optional<IpAddress> parse_ipv6(std::string_view text) noexcept;
std::string to_string(const IpAddress& a);

// A network in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`) or a single address (full-length
// prefix). Host bits under the mask are allowed and ignored, as nfdump and Wireshark do.
struct IpNetwork {
    IpAddress base;
    uint8_t prefix = 0;  // 0..32 for IPv4, 0..128 for IPv6
    bool contains(const IpAddress& a) const noexcept;
};
std::optional<IpNetwork> parse_network(std::string_view text) noexcept;

// RFC 1918, RFC 4193 (fc00::/7), loopback, link-local and CGNAT (100.64.0.0/10): "internal".
bool is_private(const IpAddress& a) noexcept;

struct IpAddressHash {
    size_t operator()(const IpAddress& a) const noexcept;
};

}  // namespace flowlens
