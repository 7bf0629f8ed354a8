// Tests of mask.hpp: pseudonyms are consistent and numbered in order of first request, and
// free text loses every address, network and account id but nothing else.
#include <doctest/doctest.h>

#include <string>

#include "flowlens/ip_address.hpp"
#include "flowlens/mask.hpp"

using namespace flowlens;

namespace {

IpAddress ip(const char* s) {
    auto a = parse_ip(s);
    REQUIRE(a);
    return *a;
}

}  // namespace

TEST_CASE("mask.addresses_are_consistent_and_numbered_per_kind") {
    Masker m;
    CHECK(m.address(ip("10.0.0.1")) == "internal-0001");
    CHECK(m.address(ip("203.0.113.7")) == "external-0001");
    CHECK(m.address(ip("172.31.16.139")) == "internal-0002");
    CHECK(m.address(ip("2001:db8::1")) == "external-0002");
    CHECK(m.address(ip("fd5e:4a71:9c20::10")) == "internal-0003");
    // Same address, any spelling: same pseudonym.
    CHECK(m.address(ip("10.0.0.1")) == "internal-0001");
    CHECK(m.address(ip("2001:DB8:0::0:1")) == "external-0002");
    // IPv4-mapped IPv6 is a different address (FlowLens never merges the families).
    CHECK(m.address(ip("::ffff:10.0.0.1")) != "internal-0001");
    CHECK(m.addresses_masked() == 6);
}

TEST_CASE("mask.numbers_widen_past_their_padding") {
    Masker m;
    std::string last;
    for (uint32_t i = 0; i < 10000; ++i) last = m.address(IpAddress::from_v4(0x0A000000u + i));  // 10.0.0.0 + i
    CHECK(last == "internal-10000");
    for (int i = 0; i < 100; ++i) last = m.account(std::to_string(100000000000 + i));
    CHECK(last == "account-100");
    CHECK(m.account("100000000000") == "account-01");
}

TEST_CASE("mask.networks") {
    Masker m;
    CHECK(m.network(*parse_network("10.0.0.0/8")) == "internal-network-1");
    CHECK(m.network(*parse_network("10.1.2.3/8")) == "internal-network-1");  // host bits ignored
    CHECK(m.network(*parse_network("10.0.0.0/16")) == "internal-network-2");
    CHECK(m.network(*parse_network("2001:db8::/32")) == "external-network-1");
    CHECK(m.network(*parse_network("198.51.100.0/24")) == "external-network-2");
    // A full-length network is its address.
    CHECK(m.network(*parse_network("10.0.0.9/32")) == "internal-0001/32");
    CHECK(m.address(ip("10.0.0.9")) == "internal-0001");
}

TEST_CASE("mask.accounts") {
    Masker m;
    CHECK(m.account("123456789012") == "account-01");
    CHECK(m.account("444455556666") == "account-02");
    CHECK(m.account("123456789012") == "account-01");
    CHECK(m.account("-") == "-");
    CHECK(m.account("acme") == "account-03");  // a custom account column: by value, whatever its shape
}

TEST_CASE("mask.text_replaces_addresses_networks_and_account_ids") {
    Masker m;
    CHECK(m.text("addr = 172.31.16.139 and srcaddr in 10.0.0.0/8 and account-id = 123456789012") ==
          "addr = internal-0001 and srcaddr in internal-network-1 and account-id = account-01");
    CHECK(m.text("srcaddr in 2001:db8::/32 or dstaddr = 2001:DB8::1") ==
          "srcaddr in external-network-1 or dstaddr = external-0001");
    CHECK(m.text("(addr in (172.31.16.139, \"203.0.113.7\"))") == "(addr in (internal-0001, \"external-0002\"))");
    // Glued to ports, brackets, punctuation, words; a sentence's full stop; junk after it.
    CHECK(m.text("10.0.0.5:443 [2001:db8::1]:443 x203.0.113.7, 172.31.16.139.") ==
          "internal-0002:443 [external-0001]:443 xexternal-0002, internal-0001.");
    CHECK(m.text("10.0.0.5.7 and 1.10.0.0.5") == "internal-0002.7 and external-0003.5");
    CHECK(m.text("::ffff:10.0.0.5 fe80::1%eth0") == "external-0004 internal-0003%eth0");
    // S3 object keys and folders, ARNs.
    CHECK(m.text("AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/"
                 "123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz") ==
          "AWSLogs/account-01/vpcflowlogs/us-east-1/2018/06/20/"
          "account-01_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz");
    CHECK(m.text("arn:aws:ecs:us-east-1:444455556666:cluster/prod") == "arn:aws:ecs:us-east-1:account-02:cluster/prod");
}

TEST_CASE("mask.text_keeps_what_is_not_an_address_or_account") {
    Masker m;
    for (const char* s : {"eni-0a1b2c3d", "i-0123456789abcdef0", "vpc-0123456789ab", "subnet-0a1b2c3d4e5f60718",
                          "1234567890123", "12345678901", "x123456789012", "123456789012x", "12:34:56",
                          "2014-12-14T04:06:50Z", "dstport: '99999' is above 65535", "dstaddr: 'not-an-ip'",
                          "1,500 records between 2023-11-14 22:13 and 15:51 UTC", "bytes > 1.5M", "0.1.0",
                          "00:1a:2b:3c:4d:5e", "10.0.0.256", "010.0.0.1", "internal-0001", "account-01", ""}) {
        CAPTURE(s);
        CHECK(m.text(s) == s);
    }
    CHECK(m.addresses_masked() == 0);
    CHECK(m.accounts_masked() == 0);
}
