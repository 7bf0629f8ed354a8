// Addresses: every textual form in, RFC 5952 canonical form out.
#include <doctest/doctest.h>

#include <cstring>
#include <optional>
#include <random>
#include <string>

#include "flowlens/ip_address.hpp"

using namespace flowlens;

namespace {
std::string canon(std::string_view s) {
    auto a = parse_ip(s);
    return a ? to_string(*a) : std::string("<invalid>");
}
}  // namespace

TEST_CASE("ip_address.v4") {
    CHECK(canon("172.31.16.139") == "172.31.16.139");
    CHECK(canon("0.0.0.0") == "0.0.0.0");
    CHECK(canon("255.255.255.255") == "255.255.255.255");
    auto a = parse_ip("10.1.2.3");
    REQUIRE(a);
    CHECK(a->v4);
    CHECK(a->v4_value() == 0x0A010203u);
    SUBCASE("rejected forms") {
        for (const char* bad : {"256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3", "010.0.0.1", "1.2.3.4 ", "", "a.b.c.d",
                                "1.2.3.-4", "1234.1.1.1"})
            CHECK_MESSAGE(!parse_ip(bad), bad);
    }
}

// parse_ipv4 (the loader's fast path) accepts exactly what parse_ip accepts as IPv4, with the
// same value, over edge cases and every byte in every position of a short address.
TEST_CASE("ip_address.parse_ipv4_agrees_with_parse_ip") {
    auto agree = [](std::string_view s) {
        CAPTURE(s);
        uint32_t v = 0xDEADBEEF;
        const bool fast = parse_ipv4(s, v);
        const auto slow = parse_ip(s);
        CHECK(fast == (slow && slow->v4));
        if (fast) CHECK(v == slow->v4_value());
    };
    for (const char* s : {"0.0.0.0", "255.255.255.255", "1.2.3.4", "10.0.2.22", "172.31.16.139", "256.0.0.0",
                          "0.0.0.256", "255.255.255.256", "1.2.3.04", "01.2.3.4", "00.0.0.0", "0.00.0.0", "1.2.3.4.",
                          ".1.2.3.4", "1.2.3", "1.2.3.", "1.2.3.4.5", "1..3.4", "1234.1.1.1", "1.2.3.1234",
                          "199.99.9.249", "249.250.251.252", "300.1.1.1", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4/8",
                          "::ffff:1.2.3.4", "::1", "", ".", "1", "1.", "9.9.9.9", "99.99.99.99", "100.100.100.100"})
        agree(s);
    const std::string base = "12.0.255.9";
    for (size_t pos = 0; pos <= base.size(); ++pos)
        for (int b = 0; b < 256; ++b) {
            std::string replaced = base, inserted = base;
            if (pos < base.size()) replaced[pos] = static_cast<char>(b);
            inserted.insert(pos, 1, static_cast<char>(b));
            agree(replaced);
            agree(inserted);
        }
    uint32_t v = 0;
    CHECK(parse_ipv4("10.1.2.3", v));
    CHECK(v == 0x0A010203u);
}

TEST_CASE("ip_address.v6_forms") {
    // The documented AWS example, already canonical.
    CHECK(canon("2001:db8:1234:a100:8d6e:3477:df66:f105") == "2001:db8:1234:a100:8d6e:3477:df66:f105");
    // Leading zeros and upper case are legal in IPv6 groups.
    CHECK(canon("2001:0DB8:0000:0000:0000:0000:0000:0001") == "2001:db8::1");
    CHECK(canon("::") == "::");
    CHECK(canon("::1") == "::1");
    CHECK(canon("1::") == "1::");
    CHECK(canon("fe80::1:2") == "fe80::1:2");
    // RFC 5952 4.2.2: a single zero group is not compressed.
    CHECK(canon("2001:db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1");
    // RFC 5952 4.2.3: the longest run wins; on a tie the first.
    CHECK(canon("2001:0:0:1:0:0:0:1") == "2001:0:0:1::1");
    CHECK(canon("2001:db8:0:0:1:0:0:1") == "2001:db8::1:0:0:1");
    // IPv4-mapped and embedded dotted tails.
    CHECK(canon("::ffff:10.0.0.1") == "::ffff:10.0.0.1");
    CHECK(canon("::FFFF:0a00:0001") == "::ffff:10.0.0.1");
    CHECK(canon("64:ff9b::192.0.2.33") == "64:ff9b::c000:221");
    auto mapped = parse_ip("::ffff:10.0.0.1");
    REQUIRE(mapped);
    CHECK_FALSE(mapped->v4);  // stays IPv6: a different family from 10.0.0.1
    CHECK(*mapped != *parse_ip("10.0.0.1"));
    SUBCASE("rejected forms") {
        for (const char* bad : {":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7", ":1::",
                                "1::2:", "fe80::1%eth0", "::ffff:1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:5"})
            CHECK_MESSAGE(!parse_ip(bad), bad);
    }
}

namespace {
// The IPv6 parser as it was before the one-pass rewrite (commit 0cdb99d), kept as the reference
// the new one must agree with on every text.
int reference_hex(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool reference_v4(std::string_view s, uint8_t* out) noexcept {
    int octet = 0;
    size_t i = 0;
    for (; octet < 4; ++octet) {
        if (i >= s.size()) return false;
        size_t start = i;
        unsigned v = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + static_cast<unsigned>(s[i] - '0');
            if (v > 255 || i - start >= 3) return false;
            ++i;
        }
        size_t len = i - start;
        if (len == 0) return false;
        if (len > 1 && s[start] == '0') return false;
        out[octet] = static_cast<uint8_t>(v);
        if (octet < 3) {
            if (i >= s.size() || s[i] != '.') return false;
            ++i;
        }
    }
    return i == s.size();
}

bool reference_v6(std::string_view s, uint8_t* out) noexcept {
    uint16_t groups[8] = {};
    int n = 0;           // groups written
    int gap = -1;        // index where `::` stands
    size_t i = 0;
    if (s.size() < 2) return false;
    if (s[0] == ':') {
        if (s[1] != ':') return false;
        gap = 0;
        i = 2;
        if (i == s.size()) {
            std::memset(out, 0, 16);
            return true;
        }
    }
    while (i < s.size()) {
        if (n >= 8) return false;
        // An embedded IPv4 tail: the rest contains a dot.
        size_t next_colon = s.find(':', i);
        std::string_view part = s.substr(i, next_colon == std::string_view::npos ? s.npos : next_colon - i);
        if (part.find('.') != std::string_view::npos) {
            if (next_colon != std::string_view::npos || n > 6) return false;
            uint8_t v4[4];
            if (!reference_v4(part, v4)) return false;
            groups[n++] = static_cast<uint16_t>((v4[0] << 8) | v4[1]);
            groups[n++] = static_cast<uint16_t>((v4[2] << 8) | v4[3]);
            i = s.size();
            break;
        }
        if (part.empty() || part.size() > 4) return false;
        unsigned v = 0;
        for (char c : part) {
            int h = reference_hex(c);
            if (h < 0) return false;
            v = (v << 4) | static_cast<unsigned>(h);
        }
        groups[n++] = static_cast<uint16_t>(v);
        i += part.size();
        if (i == s.size()) break;
        // s[i] == ':'
        ++i;
        if (i < s.size() && s[i] == ':') {
            if (gap >= 0) return false;  // a second `::`
            gap = n;
            ++i;
            if (i == s.size()) break;
        } else if (i == s.size()) {
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

// What parse_ip made of a text before the rewrite.
std::optional<IpAddress> reference_ip(std::string_view s) {
    uint32_t v4 = 0;
    if (parse_ipv4(s, v4)) return IpAddress::from_v4(v4);
    if (s.find(':') == std::string_view::npos) return std::nullopt;
    IpAddress a;
    if (!reference_v6(s, a.bytes.data())) return std::nullopt;
    return a;
}
}  // namespace

TEST_CASE("ip_address.v6_agrees_with_the_reference_parser") {
    // Random texts near the valid forms (groups of 0-5 hex digits, `::` anywhere, dotted tails,
    // stray bytes) and plain random texts: every answer, and every address, the same.
    std::mt19937_64 rng(5);
    auto pick = [&](std::string_view from) { return from[rng() % from.size()]; };
    size_t valid = 0, total = 0;
    auto agree = [&](const std::string& s) {
        CAPTURE(s);
        const auto got = parse_ip(s);
        const auto want = reference_ip(s);
        REQUIRE(got.has_value() == want.has_value());
        if (got) {
            CHECK(*got == *want);
            ++valid;
        }
        const auto v6 = parse_ipv6(s);
        CHECK(v6.has_value() == (want.has_value() && !want->v4));
        if (v6) CHECK(*v6 == *want);
        ++total;
    };
    for (int it = 0; it < 300000; ++it) {
        std::string s;
        if (it % 4 == 0) {
            const size_t len = rng() % 24;
            for (size_t i = 0; i < len; ++i) s += pick("0123456789abcdefABCDEF::..gx% ");
        } else {
            const int groups = 1 + static_cast<int>(rng() % 9);
            const int gap = static_cast<int>(rng() % 12) - 2;  // where `::` goes (out of range: none)
            for (int g = 0; g < groups; ++g) {
                if (g == gap) s += "::";
                else if (g > 0) s += ':';
                const size_t digits = rng() % 6;  // 0 and 5: invalid groups
                for (size_t d = 0; d < digits; ++d) s += pick("0123456789abcdefABCDEF");
            }
            if (gap == groups) s += "::";
            if (rng() % 4 == 0) {  // a dotted tail, sometimes damaged
                s += (s.empty() || s.back() == ':') ? "" : ":";
                s += std::to_string(rng() % 300) + "." + std::to_string(rng() % 300) + "." +
                     std::to_string(rng() % 300) + "." + std::to_string(rng() % 300);
            }
            if (rng() % 8 == 0 && !s.empty()) s[rng() % s.size()] = pick(":.0fgZ%-");
            if (rng() % 16 == 0) s.insert(rng() % (s.size() + 1), 1, pick(":.:1"));
        }
        agree(s);
    }
    for (const char* s : {"::", "::1", "1::", "::ffff:10.0.0.1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4",
                          "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4", "1::1.2.3.4:5", "1::01.2.3.4", "12345::", "::12345.1.2.3",
                          "1::g.1.2.3", "1::1x.2", "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:8::", ":1", "1:", ":::"})
        agree(s);
    MESSAGE(valid << " valid of " << total);
    CHECK(valid > total / 20);  // the generator reaches the valid forms, not only the errors
}

TEST_CASE("ip_address.networks") {
    auto net = parse_network("10.0.0.0/8");
    REQUIRE(net);
    CHECK(net->contains(*parse_ip("10.255.1.2")));
    CHECK_FALSE(net->contains(*parse_ip("11.0.0.1")));
    CHECK_FALSE(net->contains(*parse_ip("::ffff:10.0.0.1")));  // other family
    auto host_bits = parse_network("172.31.16.139/20");  // host bits are ignored
    REQUIRE(host_bits);
    CHECK(host_bits->contains(*parse_ip("172.31.16.1")));
    CHECK(host_bits->contains(*parse_ip("172.31.31.255")));
    CHECK_FALSE(host_bits->contains(*parse_ip("172.31.32.0")));
    auto v6 = parse_network("2001:db8:1234:a100::/56");
    REQUIRE(v6);
    CHECK(v6->contains(*parse_ip("2001:db8:1234:a1ff::1")));
    CHECK_FALSE(v6->contains(*parse_ip("2001:db8:1234:a200::1")));
    CHECK(parse_network("0.0.0.0/0")->contains(*parse_ip("8.8.8.8")));
    CHECK(parse_network("1.2.3.4")->prefix == 32);
    CHECK_FALSE(parse_network("10.0.0.0/33"));
    CHECK_FALSE(parse_network("::/129"));
    CHECK_FALSE(parse_network("10.0.0.0/"));
    CHECK_FALSE(parse_network("10.0.0.0/8x"));
}

TEST_CASE("ip_address.private_ranges") {
    CHECK(is_private(*parse_ip("10.0.0.71")));
    CHECK(is_private(*parse_ip("172.31.16.139")));
    CHECK(is_private(*parse_ip("192.168.1.1")));
    CHECK(is_private(*parse_ip("fd00::1")));
    CHECK_FALSE(is_private(*parse_ip("52.95.128.179")));
    CHECK_FALSE(is_private(*parse_ip("203.0.113.12")));
    CHECK_FALSE(is_private(*parse_ip("2001:db8::1")));
}
