#include "flowlens/ip_address.hpp"

#include <charconv>
#include <cstring>

#include "flowlens/text.hpp"

namespace flowlens {
namespace {

bool parse_v6_into(std::string_view s, uint8_t* out) noexcept {
    uint16_t groups[8] = {};
    int n = 0;           // groups written
    int gap = -1;        // index where `::` stands
    size_t i = 0;
    const size_t len = s.size();
    if (len < 2) return false;
    if (s[0] == ':') {
        if (s[1] != ':') return false;
        gap = 0;
        i = 2;
        if (i == len) {
            std::memset(out, 0, 16);
            return true;
        }
    }
    // One pass: each group's hex digits, then what ends it. (Looking for the next ':' and a '.'
    // in each group first cost two searches a group: most of the parse.)
    while (i < len) {
        if (n >= 8) return false;
        const size_t start = i;
        unsigned v = 0;
        for (int h; i < len && (h = hex_digit_value(s[i])) >= 0; ++i) v = (v << 4) | static_cast<unsigned>(h);
        if (i < len && s[i] == '.') {
            // An embedded IPv4 tail: the rest of the text, from this group's start.
            if (n > 6) return false;
            uint32_t v4 = 0;
            if (!parse_ipv4(s.substr(start), v4)) return false;
            groups[n++] = static_cast<uint16_t>(v4 >> 16);
            groups[n++] = static_cast<uint16_t>(v4 & 0xFFFF);
            break;
        }
        const size_t digits = i - start;
        if (digits == 0 || digits > 4) return false;
        groups[n++] = static_cast<uint16_t>(v);
        if (i == len) break;
        if (s[i] != ':') return false;
        ++i;
        if (i < len && s[i] == ':') {
            if (gap >= 0) return false;  // a second `::`
            gap = n;
            ++i;
            if (i == len) break;
        } else if (i == len) {
            return false;  // trailing single ':'
        }
    }
    if (gap < 0 && n != 8) return false;
    if (gap >= 0 && n > 7) return false;  // `::` must stand for at least one group
    uint16_t full[8] = {};
    if (gap < 0) {
        std::memcpy(full, groups, sizeof full);
    } else {
        int tail = n - gap;
        for (int k = 0; k < gap; ++k) full[k] = groups[k];
        for (int k = 0; k < tail; ++k) full[8 - tail + k] = groups[gap + k];
    }
    for (int k = 0; k < 8; ++k) {
        out[2 * k] = static_cast<uint8_t>(full[k] >> 8);
        out[2 * k + 1] = static_cast<uint8_t>(full[k] & 0xFF);
    }
    return true;
}

}  // namespace

IpAddress IpAddress::from_v4(uint32_t v) noexcept {
    IpAddress a;
    a.v4 = true;
    a.bytes[12] = static_cast<uint8_t>(v >> 24);
    a.bytes[13] = static_cast<uint8_t>(v >> 16);
    a.bytes[14] = static_cast<uint8_t>(v >> 8);
    a.bytes[15] = static_cast<uint8_t>(v);
    return a;
}

std::optional<IpAddress> parse_ipv6(std::string_view text) noexcept {
    // A text without a ':' is no IPv6 (and a valid IPv4 never has one).
    if (text.find(':') == std::string_view::npos) return std::nullopt;
    IpAddress a;
    if (!parse_v6_into(text, a.bytes.data())) return std::nullopt;
    return a;
}

std::optional<IpAddress> parse_ip(std::string_view text) noexcept {
    uint32_t v4 = 0;
    if (parse_ipv4(text, v4)) return IpAddress::from_v4(v4);
    return parse_ipv6(text);
}

namespace {

// Writes the last four bytes of `a` as a dotted quad at `out` (15 bytes at most); returns the
// length. Not snprintf: printf's engine is large, and the records' CSV writes two addresses a row.
size_t dotted_quad(char* out, const IpAddress& a) noexcept {
    char* p = out;
    for (size_t k = 12; k < 16; ++k) {
        if (k > 12) *p++ = '.';
        p = std::to_chars(p, p + 3, a.bytes[k]).ptr;
    }
    return static_cast<size_t>(p - out);
}

}  // namespace

std::string to_string(const IpAddress& a) {
    char buf[64];
    if (a.v4) return std::string(buf, dotted_quad(buf, a));
    uint16_t g[8];
    for (size_t k = 0; k < 8; ++k) g[k] = static_cast<uint16_t>((a.bytes[2 * k] << 8) | a.bytes[2 * k + 1]);
    // RFC 5952 4.2: compress the longest run (>= 2) of zero groups, the first on a tie.
    int best = -1, best_len = 0;
    for (int k = 0; k < 8;) {
        if (g[k] != 0) { ++k; continue; }
        int j = k;
        while (j < 8 && g[j] == 0) ++j;
        if (j - k > best_len) { best = k; best_len = j - k; }
        k = j;
    }
    if (best_len < 2) best = -1;
    // RFC 5952 5: IPv4-mapped (::ffff:0:0/96) keeps a dotted tail.
    bool mapped = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xFFFF;
    std::string out;
    int last = mapped ? 6 : 8;
    for (int k = 0; k < last;) {
        if (k == best) {
            out += "::";
            k += best_len;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        out.append(buf, std::to_chars(buf, buf + sizeof buf, g[k], 16).ptr);
        ++k;
    }
    if (mapped) {
        if (out.back() != ':') out += ':';
        out.append(buf, dotted_quad(buf, a));
    }
    return out;
}

bool IpNetwork::contains(const IpAddress& a) const noexcept {
    if (a.v4 != base.v4) return false;
    unsigned offset = a.v4 ? 96u : 0u;
    unsigned bits = offset + prefix;
    unsigned full = bits / 8, rest = bits % 8;
    for (unsigned k = offset / 8; k < full; ++k)
        if (a.bytes[k] != base.bytes[k]) return false;
    if (rest) {
        auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
        if ((a.bytes[full] & mask) != (base.bytes[full] & mask)) return false;
    }
    return true;
}

std::optional<IpNetwork> parse_network(std::string_view text) noexcept {
    size_t slash = text.find('/');
    auto addr = parse_ip(text.substr(0, slash));
    if (!addr) return std::nullopt;
    unsigned max = addr->v4 ? 32u : 128u;
    unsigned prefix = max;
    if (slash != std::string_view::npos) {
        std::string_view p = text.substr(slash + 1);
        if (p.empty() || p.size() > 3) return std::nullopt;
        prefix = 0;
        for (char c : p) {
            if (c < '0' || c > '9') return std::nullopt;
            prefix = prefix * 10 + static_cast<unsigned>(c - '0');
        }
        if (prefix > max) return std::nullopt;
    }
    return IpNetwork{*addr, static_cast<uint8_t>(prefix)};
}

bool is_private(const IpAddress& a) noexcept {
    static const IpNetwork nets[] = {
        *parse_network("10.0.0.0/8"),  *parse_network("172.16.0.0/12"), *parse_network("192.168.0.0/16"),
        *parse_network("127.0.0.0/8"), *parse_network("169.254.0.0/16"), *parse_network("100.64.0.0/10"),
        *parse_network("fc00::/7"),    *parse_network("fe80::/10"),     *parse_network("::1/128"),
    };
    for (const auto& n : nets)
        if (n.contains(a)) return true;
    return false;
}

size_t IpAddressHash::operator()(const IpAddress& a) const noexcept {
    uint64_t lo, hi;
    std::memcpy(&hi, a.bytes.data(), 8);
    std::memcpy(&lo, a.bytes.data() + 8, 8);
    uint64_t h = (lo ^ (hi * 0x9E3779B97F4A7C15ull) ^ (a.v4 ? 0x51ED27ull : 0)) * 0xBF58476D1CE4E5B9ull;
    return static_cast<size_t>(h ^ (h >> 31));
}

}  // namespace flowlens
