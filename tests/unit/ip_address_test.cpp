// Addresses: every textual form in, RFC 5952 canonical form out.
#include <doctest/doctest.h>

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
