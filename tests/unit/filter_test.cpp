// Tests of the filter expression language (core/include/flowlens/filter.hpp).
//
// Each test builds a small store by hand from flow-log-like lines and checks which rows match,
// as the sorted row numbers joined by spaces ("" when none), worked out by hand from the table.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "flowlens/filter.hpp"
#include "flowlens/text.hpp"

using namespace flowlens;

namespace {

std::vector<std::string_view> split(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ') ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

void append(Store& store, Column& col, std::string_view v) {
    if (v == "-") {
        col.append_null();
        return;
    }
    switch (col.kind) {
        case FieldKind::Address: {
            auto ip = parse_ip(v);
            REQUIRE_MESSAGE(ip, "bad test address ", std::string(v));
            col.append_id(store.addresses().intern(*ip));
            return;
        }
        case FieldKind::Enum:
        case FieldKind::Text: col.append_id(col.dict.intern(v)); return;
        default: {
            auto n = parse_u64(v);
            REQUIRE_MESSAGE(n, "bad test number ", std::string(v));
            col.append_number(*n);
            return;
        }
    }
}

void add_rows(Store& store, std::string_view format, const std::vector<std::string_view>& lines) {
    const auto names = split(format);
    for (std::string_view line : lines) {
        const auto values = split(line);
        REQUIRE(values.size() == names.size());
        for (size_t k = 0; k < names.size(); ++k) append(store, store.column(names[k]), values[k]);
        store.commit_row();
    }
    store.pad_columns();
}

Store make_store(std::string_view format, const std::vector<std::string_view>& lines) {
    Store store;
    add_rows(store, format, lines);
    return store;
}

constexpr std::string_view kDefaultFormat =
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
    "log-status";

// Rows 0-6 are AWS's documented examples; 7-13 add 10/8 traffic, UDP, a wide byte counter
// (row 9: 5 G > 2^32) and 2024 times (row 7 starts at 2024-05-01T10:00:00Z = 1714557600).
//   row  srcport dstport proto packets bytes      start       action  status
//   0    20641   22      6     20      4249       1418530010  ACCEPT  OK        172.31.16.139 -> 172.31.16.21
//   1    49761   3389    6     20      4249       1418530010  REJECT  OK        172.31.9.69 -> 172.31.9.12
//   2    -       -       -     -       -          1431280876  -       NODATA
//   3    -       -       -     -       -          1431280876  -       SKIPDATA  (eni-11111111aaaaaaaaa)
//   4    0       0       1     4       336        1432917027  ACCEPT  OK        203.0.113.12 -> 172.31.16.139
//   5    0       0       1     4       336        1432917094  REJECT  OK        172.31.16.139 -> 203.0.113.12
//   6    34892   22      6     54      8855       1477913708  ACCEPT  OK        2001:db8:1234:a100:… -> …a102:…
//   7    51000   443     6     1000    5000000    1714557600  REJECT  OK        10.0.0.5 -> 10.1.2.3
//   8    53000   53      17    2       150        1714557500  ACCEPT  OK        10.0.0.6 -> 8.8.8.8
//   9    443     51000   6     3000000 5000000000 1714561200  ACCEPT  OK        192.168.1.1 -> 10.0.0.5
//   10   40000   22      6     3       180        1714557700  REJECT  OK        10.2.3.4 -> 10.0.0.5
//   11   40001   3389    17    1       100        1714557800  ACCEPT  OK        10.9.9.9 -> 10.0.0.5
//   12   5353    53      17    1       80         1418530100  ACCEPT  OK        172.31.16.139 -> 172.31.0.2
//   13   44321   80      6     900     2000000    1418530200  ACCEPT  OK        172.31.16.21 -> 52.95.128.179
// Rows 7-11 are on eni-0a1b2c3d in account 999999999999; the others on eni-1235b8ca123456789
// (row 3: eni-11111111aaaaaaaaa) in account 123456789010.
const std::vector<std::string_view> kDefaultLines = {
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
    "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
    "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
    "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
    "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK",
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK",
    "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 "
    "2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK",
    "2 999999999999 eni-0a1b2c3d 10.0.0.5 10.1.2.3 51000 443 6 1000 5000000 1714557600 1714557660 REJECT OK",
    "2 999999999999 eni-0a1b2c3d 10.0.0.6 8.8.8.8 53000 53 17 2 150 1714557500 1714557560 ACCEPT OK",
    "2 999999999999 eni-0a1b2c3d 192.168.1.1 10.0.0.5 443 51000 6 3000000 5000000000 1714561200 1714561260 ACCEPT OK",
    "2 999999999999 eni-0a1b2c3d 10.2.3.4 10.0.0.5 40000 22 6 3 180 1714557700 1714557760 REJECT OK",
    "2 999999999999 eni-0a1b2c3d 10.9.9.9 10.0.0.5 40001 3389 17 1 100 1714557800 1714557860 ACCEPT OK",
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.0.2 5353 53 17 1 80 1418530100 1418530160 ACCEPT OK",
    "2 123456789010 eni-1235b8ca123456789 172.31.16.21 52.95.128.179 44321 80 6 900 2000000 1418530200 1418530260 ACCEPT OK",
};

const Store& default_store() {
    static const Store store = make_store(kDefaultFormat, kDefaultLines);
    return store;
}

// The version 5 example records from AWS's documentation plus an IPv6 egress record.
constexpr std::string_view kV5Format =
    "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id "
    "instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr "
    "pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status";
const std::vector<std::string_view> kV5Lines = {
    "5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 "
    "subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 "
    "52.95.128.179 10.0.0.71 S3 - - ingress OK",
    "5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 "
    "subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 "
    "10.0.0.71 52.95.128.179 - S3 8 egress OK",
    "5 2600:1f18::1 2600:1f18::2 443 50000 6 1616729400 1616729460 IPv6 5 500 123456789012 vpc-abcdefab012345678 "
    "subnet-bbbbbbbb012345678 - eni-22222222222222222 ap-southeast-2 apse2-az1 - - ACCEPT 2 2600:1f18::1 "
    "2600:1f18::2 - - 1 egress OK",
};

const Store& v5_store() {
    static const Store store = make_store(kV5Format, kV5Lines);
    return store;
}

// The matching rows as "0 4 5", or "compile error: …" when the expression does not compile.
std::string match(const Store& store, std::string_view expr) {
    auto compiled = Filter::compile(expr, store);
    if (const auto* err = std::get_if<FilterError>(&compiled))
        return "compile error at " + std::to_string(err->position) + ": " + err->message;
    const RowSet rows = std::get<Filter>(compiled).evaluate(store);
    CHECK(rows.size() == store.rows());
    std::string out;
    rows.for_each([&](size_t r) { out += (out.empty() ? "" : " ") + std::to_string(r); });
    return out;
}

std::string match(std::string_view expr) { return match(default_store(), expr); }

// The error of an expression that must not compile ({npos, "compiled"} when it does).
FilterError error_of(const Store& store, std::string_view expr) {
    auto compiled = Filter::compile(expr, store);
    if (const auto* err = std::get_if<FilterError>(&compiled)) return *err;
    return {std::string_view::npos, "compiled"};
}

FilterError error_of(std::string_view expr) { return error_of(default_store(), expr); }

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

TEST_CASE("filter.issue_examples") {
    CHECK(match("action = REJECT and dstport in (22, 3389) and srcaddr in 10.0.0.0/8") == "10");
    CHECK(match("addr = 172.31.16.139 and not protocol = udp") == "0 4 5");
    CHECK(match("port = 443 or bytes > 1000000") == "7 9 13");
    CHECK(match("start >= 2024-05-01T10:00:00Z and interface-id = eni-0a1b2c3d") == "7 9 10 11");
}

TEST_CASE("filter.empty_matches_all") {
    for (std::string_view text : {"", "   ", " \t\n "}) {
        auto compiled = Filter::compile(text, default_store());
        REQUIRE(std::holds_alternative<Filter>(compiled));
        const Filter& f = std::get<Filter>(compiled);
        CHECK(f.matches_all());
        CHECK(f.text() == text);
        CHECK(f.evaluate(default_store()).count() == 14);
    }
    auto compiled = Filter::compile("dstport = 22", default_store());
    REQUIRE(std::holds_alternative<Filter>(compiled));
    CHECK_FALSE(std::get<Filter>(compiled).matches_all());
    CHECK(std::get<Filter>(compiled).text() == "dstport = 22");
}

TEST_CASE("filter.comparison_operators") {
    SUBCASE("equality") {
        CHECK(match("dstport = 22") == "0 6 10");
        CHECK(match("dstport == 22") == "0 6 10");
        CHECK(match("dstport=22") == "0 6 10");
    }
    SUBCASE("inequality includes nulls") {
        CHECK(match("dstport != 22") == "1 2 3 4 5 7 8 9 11 12 13");
        CHECK(match("dstport <> 22") == "1 2 3 4 5 7 8 9 11 12 13");
        CHECK(match("dstport!=22") == "1 2 3 4 5 7 8 9 11 12 13");
    }
    SUBCASE("ordering excludes nulls") {
        CHECK(match("dstport < 53") == "0 4 5 6 10");
        CHECK(match("dstport <= 53") == "0 4 5 6 8 10 12");
        CHECK(match("dstport > 3389") == "9");
        CHECK(match("dstport >= 3389") == "1 9 11");
        CHECK(match("dstport>=3389") == "1 9 11");
    }
    SUBCASE("bounds") {
        // Null rows store 0: `< 1` and `<= 0` must still leave them out.
        CHECK(match("dstport < 1") == "4 5");
        CHECK(match("dstport <= 0") == "4 5");
        CHECK(match("dstport >= 0") == "0 1 4 5 6 7 8 9 10 11 12 13");
        CHECK(match("dstport < 0") == "");
        CHECK(match("dstport > 65535") == "");
        CHECK(match("dstport <= 65535") == "0 1 4 5 6 7 8 9 10 11 12 13");
        CHECK(match("dstport = 0") == "4 5");
    }
}

TEST_CASE("filter.in_lists") {
    CHECK(match("dstport in (22, 3389)") == "0 1 6 10 11");
    CHECK(match("dstport in(22,3389)") == "0 1 6 10 11");
    CHECK(match("dstport not in (22, 3389)") == "2 3 4 5 7 8 9 12 13");
    CHECK(match("dstport in 22") == "0 6 10");
    CHECK(match("dstport in (22)") == "0 6 10");
    CHECK(match("dstport in (null, 22)") == "0 2 3 6 10");
    CHECK(match("dstport not in (null, 22)") == "1 4 5 7 8 9 11 12 13");
    CHECK(match("dstport in (1, 2, 3, 4, 5, 22, 53, 80, 443)") == "0 6 7 8 10 12 13");
    CHECK(match("bytes in (336, 150)") == "4 5 8");
    CHECK(match("start in (1714557600, 1714557700)") == "7 10");
    CHECK(match("protocol in (tcp, 17)") == "0 1 6 7 8 9 10 11 12 13");
}

TEST_CASE("filter.port_ranges") {
    CHECK(match("dstport in (20-25, 3000-4000)") == "0 1 6 10 11");
    CHECK(match("dstport = 1024-65535") == "1 9 11");
    CHECK(match("dstport != 1024-65535") == "0 2 3 4 5 6 7 8 10 12 13");
    CHECK(match("dstport = 22-22") == "0 6 10");
    CHECK(match("port = 1024-65535") == "0 1 6 7 8 9 10 11 12 13");
    CHECK(match("port in (0-1023)") == "0 4 5 6 7 8 9 10 12 13");
}

TEST_CASE("filter.nulls") {
    SUBCASE("numbers") {
        CHECK(match("dstport = null") == "2 3");
        CHECK(match("dstport = NULL") == "2 3");
        CHECK(match("dstport = -") == "2 3");
        CHECK(match("dstport != null") == "0 1 4 5 6 7 8 9 10 11 12 13");
        CHECK(match("bytes = null") == "2 3");
        CHECK(match("protocol != -") == "0 1 4 5 6 7 8 9 10 11 12 13");
    }
    SUBCASE("addresses") {
        CHECK(match("srcaddr = null") == "2 3");
        CHECK(match("addr = null") == "2 3");
        CHECK(match("addr != null") == "0 1 4 5 6 7 8 9 10 11 12 13");
        CHECK(match("srcaddr in (null, 10.0.0.0/8)") == "2 3 7 8 10 11");
    }
    SUBCASE("enumerations and text") {
        CHECK(match("action = null") == "2 3");
        CHECK(match("action != -") == "0 1 4 5 6 7 8 9 10 11 12 13");
        CHECK(match("action in (null, reject)") == "1 2 3 5 7 10");
        CHECK(match("interface-id = null") == "");
        CHECK(match("interface-id != null") == "0 1 2 3 4 5 6 7 8 9 10 11 12 13");
        CHECK(match("interface-id in (null, eni-11111111aaaaaaaaa)") == "3");
    }
    SUBCASE("a quoted null is a literal word") {
        CHECK(match("interface-id = \"null\"") == "");
        CHECK(match("interface-id = \"-\"") == "");
    }
    SUBCASE("a known field the data lacks is null everywhere") {
        CHECK(match("vpc-id = null") == "0 1 2 3 4 5 6 7 8 9 10 11 12 13");
        CHECK(match("vpc-id = vpc-1") == "");
        CHECK(match("vpc-id != vpc-1") == "0 1 2 3 4 5 6 7 8 9 10 11 12 13");
        CHECK(match("tcp-flags > 0") == "");
        CHECK(match("tcp-flags != 2") == "0 1 2 3 4 5 6 7 8 9 10 11 12 13");
        CHECK(match("pkt-srcaddr in 10.0.0.0/8") == "");
        CHECK(match("type = IPv4") == "");
        CHECK(match("flow-direction != egress") == "0 1 2 3 4 5 6 7 8 9 10 11 12 13");
    }
}

TEST_CASE("filter.cidr_v4") {
    CHECK(match("srcaddr in 10.0.0.0/8") == "7 8 10 11");
    CHECK(match("srcaddr = 10.0.0.0/8") == "7 8 10 11");
    CHECK(match("srcaddr in 172.31.0.0/16") == "0 1 5 12 13");
    CHECK(match("dstaddr in 10.0.0.0/24") == "9 10 11");
    CHECK_MESSAGE(match("srcaddr = 10.1.2.3/8") == "7 8 10 11", "host bits under the mask are ignored");
    CHECK(match("srcaddr in 0.0.0.0/0") == "0 1 4 5 7 8 9 10 11 12 13");
    CHECK(match("srcaddr = 10.0.0.5/32") == "7");
    CHECK(match("srcaddr = 10.0.0.5") == "7");
    CHECK(match("srcaddr in (10.0.0.5, 192.168.0.0/16)") == "7 9");
    CHECK(match("srcaddr != 10.0.0.0/8") == "0 1 2 3 4 5 6 9 12 13");
    CHECK(match("srcaddr not in (10.0.0.0/8, 172.16.0.0/12)") == "2 3 4 6 9");
    CHECK(match("srcaddr = 1.2.3.4") == "");
    CHECK(match("srcaddr != 1.2.3.4") == "0 1 2 3 4 5 6 7 8 9 10 11 12 13");
    CHECK(match("dstaddr = 8.8.8.8") == "8");
}

TEST_CASE("filter.cidr_v6") {
    CHECK(match("srcaddr in 2001:db8::/32") == "6");
    CHECK(match("dstaddr in 2001:db8:1234:a100::/56") == "6");
    CHECK(match("dstaddr in 2001:db8:1234:a100::/64") == "");
    CHECK(match("srcaddr in 2001:db8:1234:a100::/64") == "6");
    CHECK(match("addr = 2001:DB8:1234:A102:3304:8879:34CF:4071") == "6");
    CHECK(match("addr = 2001:db8:1234:a102:3304:8879:34cf:4071/128") == "6");
    CHECK(match("dstaddr = 2001:0db8:1234:a102:3304:8879:34cf:4071") == "6");
    CHECK_MESSAGE(match("srcaddr in ::/0") == "6", "an IPv6 network holds no IPv4 address");
    CHECK_MESSAGE(match("addr in ::ffff:10.0.0.5/128") == "", "IPv4-mapped IPv6 is not merged with IPv4");
    CHECK(match("srcaddr in (2001:db8::/32, 10.0.0.0/8)") == "6 7 8 10 11");
    CHECK(match("srcaddr not in 2001:db8::/32") == "0 1 2 3 4 5 7 8 9 10 11 12 13");
    CHECK(match(v5_store(), "addr in 2600:1f18::/32") == "2");
    CHECK(match(v5_store(), "pkt-dstaddr = 2600:1f18::2") == "2");
}

TEST_CASE("filter.addr_either_side") {
    CHECK(match("addr = 172.31.16.139") == "0 4 5 12");
    CHECK_MESSAGE(match("addr != 172.31.16.139") == "1 2 3 6 7 8 9 10 11 13", "neither side is the address");
    CHECK(match("addr in 10.0.0.0/8") == "7 8 9 10 11");
    CHECK(match("addr = 10.0.0.5") == "7 9 10 11");
    CHECK(match("addr in (8.8.8.8, 203.0.113.0/24)") == "4 5 8");
    CHECK(match("addr not in (10.0.0.0/8, 172.16.0.0/12)") == "2 3 6");
}

TEST_CASE("filter.port_either_side") {
    CHECK(match("port = 443") == "7 9");
    CHECK_MESSAGE(match("port != 22") == "1 2 3 4 5 7 8 9 11 12 13", "neither side is 22");
    CHECK(match("port > 50000") == "7 8 9");
    CHECK(match("port = null") == "2 3");
    CHECK(match("port in (53, 80)") == "8 12 13");
    CHECK(match("port = 0") == "4 5");
}

TEST_CASE("filter.protocol_names") {
    SUBCASE("names and numbers") {
        CHECK(match("protocol = tcp") == "0 1 6 7 9 10 13");
        CHECK(match("protocol = TCP") == "0 1 6 7 9 10 13");
        CHECK(match("protocol = 6") == "0 1 6 7 9 10 13");
        CHECK(match("protocol = udp") == "8 11 12");
        CHECK(match("protocol = 17") == "8 11 12");
        CHECK(match("protocol = icmp") == "4 5");
        CHECK(match("protocol = ICMP") == "4 5");
        CHECK(match("protocol in (udp, icmp)") == "4 5 8 11 12");
        CHECK(match("protocol != tcp") == "2 3 4 5 8 11 12");
        CHECK(match("not protocol = udp") == "0 1 2 3 4 5 6 7 9 10 13");
    }
    SUBCASE("names absent from the data are valid") {
        for (std::string_view name : {"icmpv6", "ICMPv6", "esp", "gre", "ah", "sctp", "ipv6-icmp", "igmp"}) {
            CHECK_MESSAGE(match("protocol = " + std::string(name)) == "", name);
        }
        CHECK(match("protocol = 255") == "");
    }
    SUBCASE("helpers") {
        CHECK(protocol_number("tcp") == uint8_t{6});
        CHECK(protocol_number("UDP") == uint8_t{17});
        CHECK(protocol_number("icmp") == uint8_t{1});
        CHECK(protocol_number("IcmpV6") == uint8_t{58});
        CHECK(protocol_number("esp") == uint8_t{50});
        CHECK(protocol_number("gre") == uint8_t{47});
        CHECK(protocol_number("ah") == uint8_t{51});
        CHECK(protocol_number("sctp") == uint8_t{132});
        CHECK_FALSE(protocol_number("foo"));
        CHECK_FALSE(protocol_number(""));
        CHECK_FALSE(protocol_number("6"));
        CHECK(protocol_name(6) == "TCP");
        CHECK(protocol_name(17) == "UDP");
        CHECK(protocol_name(1) == "ICMP");
        CHECK(protocol_name(58) == "ICMPv6");
        CHECK(protocol_name(132) == "SCTP");
        CHECK(protocol_name(200) == "");
    }
}

TEST_CASE("filter.enumerations") {
    SUBCASE("case-insensitive") {
        CHECK(match("action = reject") == "1 5 7 10");
        CHECK(match("action = REJECT") == "1 5 7 10");
        CHECK(match("action = Reject") == "1 5 7 10");
        CHECK(match("action = \"reject\"") == "1 5 7 10");
        CHECK(match("action = accept") == "0 4 6 8 9 11 12 13");
        CHECK(match("log-status = nodata") == "2");
        CHECK(match("log-status in (NODATA, skipdata)") == "2 3");
    }
    SUBCASE("negation and lists") {
        CHECK(match("action != accept") == "1 2 3 5 7 10");
        CHECK(match("action in (accept, reject)") == "0 1 4 5 6 7 8 9 10 11 12 13");
        CHECK(match("action not in (accept)") == "1 2 3 5 7 10");
        CHECK(match("log-status != ok") == "2 3");
    }
    SUBCASE("valid words absent from the data match nothing") {
        CHECK(match(v5_store(), "action = REJECT") == "");
        CHECK(match(v5_store(), "type = efa") == "");
        CHECK(match(v5_store(), "sublocation-type = outpost") == "");
        CHECK(match(v5_store(), "log-status = nodata") == "");
    }
    SUBCASE("v5 enumerations") {
        CHECK(match(v5_store(), "flow-direction = INGRESS") == "0");
        CHECK(match(v5_store(), "flow-direction = egress") == "1 2");
        CHECK(match(v5_store(), "type = ipv6") == "2");
        CHECK(match(v5_store(), "type = IPV4") == "0 1");
        CHECK(match(v5_store(), "sublocation-type = null") == "0 1 2");
    }
}

TEST_CASE("filter.text_fields") {
    CHECK(match("interface-id = eni-0a1b2c3d") == "7 8 9 10 11");
    CHECK_MESSAGE(match("interface-id = ENI-0A1B2C3D") == "", "text compares exactly");
    CHECK_MESSAGE(match("interface-id = eni-ffffffff") == "", "a value not in the data is valid");
    CHECK(match("interface-id != eni-0a1b2c3d") == "0 1 2 3 4 5 6 12 13");
    CHECK(match("interface-id in (eni-11111111aaaaaaaaa, eni-0a1b2c3d)") == "3 7 8 9 10 11");
    CHECK(match("interface-id in (eni-11111111aaaaaaaaa, eni-nothere)") == "3");
    CHECK(match("interface-id not in (eni-1235b8ca123456789, eni-0a1b2c3d)") == "3");
    CHECK(match("account-id = 999999999999") == "7 8 9 10 11");
    CHECK(match("account-id = \"123456789010\"") == "0 1 2 3 4 5 6 12 13");
    CHECK(match("interface-id = 'eni-11111111aaaaaaaaa'") == "3");
    CHECK_MESSAGE(match("interface-id = \"and\"") == "", "a quoted keyword is a value");
    CHECK(match(v5_store(), "pkt-src-aws-service = S3") == "0");
    CHECK(match(v5_store(), "pkt-dst-aws-service = S3") == "1");
    CHECK(match(v5_store(), "pkt-src-aws-service = null") == "1 2");
    CHECK(match(v5_store(), "instance-id = null") == "2");
    CHECK(match(v5_store(), "subnet-id = subnet-aaaaaaaa012345678") == "0 1");
    CHECK(match(v5_store(), "region = ap-southeast-2 and az-id != apse2-az3") == "2");
}

TEST_CASE("filter.custom_columns") {
    Store store = make_store("srcaddr my-tag", {"10.0.0.1 blue", "10.0.0.2 red", "10.0.0.3 -", "10.0.0.4 Blue"});
    CHECK(match(store, "my-tag = blue") == "0");
    CHECK(match(store, "My-Tag = blue") == "0");
    CHECK(match(store, "my_tag = red") == "1");
    CHECK(match(store, "my-tag = null") == "2");
    CHECK(match(store, "my-tag != blue") == "1 2 3");
    CHECK(match(store, "my-tag in (blue, Blue)") == "0 3");
    const FilterError e = error_of(store, "my-tag < blue");
    CHECK(e.position == 7);
    CHECK(e.message == "operator '<' at position 7 does not apply to my-tag (text): use =, !=, in or not in");
    CHECK_MESSAGE(contains(error_of(store, "colour = red").message, "my-tag"), "custom columns are listed");
}

TEST_CASE("filter.counters") {
    SUBCASE("plain and suffixed") {
        CHECK(match("bytes > 1000000") == "7 9 13");
        CHECK(match("bytes > 1M") == "7 9 13");
        CHECK(match("bytes > 1m") == "7 9 13");
        CHECK(match("bytes > 1000k") == "7 9 13");
        CHECK(match("bytes > 1000K") == "7 9 13");
        CHECK(match("bytes >= 2M") == "7 9 13");
        CHECK(match("bytes > 2M") == "7 9");
        CHECK(match("bytes > 1G") == "9");
        CHECK(match("bytes > 4.9G") == "9");
        CHECK(match("bytes = 4.249k") == "0 1");
        CHECK(match("bytes = 4.2490k") == "0 1");
        CHECK(match("bytes > 1T") == "");
        CHECK(match("packets >= 1k") == "7 9");
        CHECK(match("packets = 3M") == "9");
        CHECK(match("packets = 0.9k") == "13");
        CHECK(match("bytes != 336") == "0 1 2 3 6 7 8 9 10 11 12 13");
        CHECK(match("bytes < 1") == "");
        CHECK(match("bytes <= 0") == "");
    }
    SUBCASE("values beyond 32 bits") {
        CHECK(match("bytes = 5G") == "9");
        CHECK(match("bytes = 5000000000") == "9");
        CHECK(match("bytes >= 5G") == "9");
        CHECK(match("bytes < 5G") == "0 1 4 5 6 7 8 10 11 12 13");
        CHECK(match("bytes > 4294967295") == "9");
        CHECK(match("bytes >= 4294967295") == "9");
        CHECK_MESSAGE(match("bytes = 4294967295") == "", "the wide-counter marker is not the value");
        CHECK(match("bytes < 4294967295") == "0 1 4 5 6 7 8 10 11 12 13");
        CHECK(match("bytes in (150, 5G)") == "8 9");
        CHECK(match("bytes != 5G") == "0 1 2 3 4 5 6 7 8 10 11 12 13");
        CHECK(match("bytes = 18446744073709551615") == "");
    }
}

TEST_CASE("filter.times") {
    SUBCASE("forms of the same instant") {
        for (std::string_view t :
             {"2024-05-01T10:00:00Z", "2024-05-01t10:00:00z", "1714557600", "1714557600000", "1714557600999",
              "\"2024-05-01 10:00:00\"", "2024-05-01 10:00:00", "2024-05-01T10:00:00", "2024-05-01T10:00",
              "2024-05-01T12:00:00+02:00", "2024-05-01T05:00:00-05:00", "2024-05-01T12:00:00+0200",
              "2024-05-01T12:00:00+02", "2024-05-01T10:00:00.000Z", "2024-05-01T10:00:00.123456Z"}) {
            CHECK_MESSAGE(match("start = " + std::string(t)) == "7", t);
            CHECK_MESSAGE(match("start >= " + std::string(t)) == "7 9 10 11", t);
        }
    }
    SUBCASE("ranges") {
        CHECK(match("start > 2024-05-01T10:00:00Z") == "9 10 11");
        CHECK(match("start >= 2024-05-01") == "7 8 9 10 11");
        CHECK(match("start >= 2024-05-01 and dstport = 22") == "10");
        CHECK(match("start < 2015-01-01") == "0 1 12 13");
        CHECK(match("end <= 1418530070") == "0 1");
        CHECK(match("start != 2024-05-01T10:00:00Z") == "0 1 2 3 4 5 6 8 9 10 11 12 13");
        CHECK(match("start >= 2024-05-01T10:00:00Z and start < 2024-05-01T11:00:00Z") == "7 10 11");
    }
    SUBCASE("before 1970 and after 2106") {
        CHECK(match("start >= 1970-01-01") == "0 1 2 3 4 5 6 7 8 9 10 11 12 13");
        CHECK(match("start > 1969-12-31") == "0 1 2 3 4 5 6 7 8 9 10 11 12 13");
        CHECK(match("start < 1969-12-31") == "");
        CHECK(match("start = 1900-01-01") == "");
        CHECK(match("start != 1900-01-01") == "0 1 2 3 4 5 6 7 8 9 10 11 12 13");
        CHECK(match("start > 2200-01-01") == "");
        CHECK(match("start < 2200-01-01") == "0 1 2 3 4 5 6 7 8 9 10 11 12 13");
    }
}

TEST_CASE("filter.parse_time_value") {
    CHECK(parse_time_value("1714557600") == int64_t{1714557600});
    CHECK(parse_time_value("1714557600123") == int64_t{1714557600});
    CHECK(parse_time_value("0") == int64_t{0});
    CHECK(parse_time_value("2147483648") == int64_t{2147483648});
    CHECK_MESSAGE(parse_time_value("2147483649") == int64_t{2147483}, "above 2^31 means milliseconds");
    CHECK(parse_time_value("2024-05-01T10:00:00Z") == int64_t{1714557600});
    CHECK(parse_time_value("2024-05-01") == int64_t{1714521600});
    CHECK(parse_time_value("2024-05-01 10:00:00") == int64_t{1714557600});
    CHECK(parse_time_value("2024-05-01T10:00") == int64_t{1714557600});
    CHECK(parse_time_value("2024-05-01T10:00:00+0200") == int64_t{1714550400});
    CHECK(parse_time_value("2024-05-01T10:00:00+02") == int64_t{1714550400});
    CHECK(parse_time_value("2024-05-01T10:00:00-01:30") == int64_t{1714563000});
    CHECK(parse_time_value("1970-01-01T00:00:00Z") == int64_t{0});
    CHECK(parse_time_value("1969-12-31T23:59:59Z") == int64_t{-1});
    CHECK(parse_time_value("2000-03-01") == int64_t{951868800});
    CHECK(parse_time_value("2024-02-29") == int64_t{1709164800});
    CHECK(parse_time_value("2000-02-29"));
    for (std::string_view bad :
         {"", "yesterday", "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-05-00", "2024-05-32",
          "2024-5-1", "2024-05-01T25:00:00Z", "2024-05-01T10:60:00Z", "2024-05-01T10:00:00ZZ",
          "2024-05-01T10:00:00+2", "2024-05-01T10", "2024-05-01X10:00", "2024-05-01T10:00:00.Z", "-5",
          "1714557600.5", "99999999999999999999999"}) {
        CHECK_MESSAGE(!parse_time_value(bad), std::string(bad));
    }
}

TEST_CASE("filter.small_fields") {
    CHECK(match(v5_store(), "tcp-flags = 19") == "0");
    CHECK(match(v5_store(), "tcp-flags in (3, 19)") == "0 1");
    CHECK(match(v5_store(), "tcp-flags > 2") == "0 1");
    CHECK(match(v5_store(), "traffic-path = null") == "0");
    CHECK(match(v5_store(), "traffic-path = 8") == "1");
    CHECK(match(v5_store(), "traffic-path != 8") == "0 2");
    CHECK(match(v5_store(), "traffic-path < 8") == "2");
    CHECK(match(v5_store(), "version = 5") == "0 1 2");
    CHECK(match(v5_store(), "version > 5") == "");
    CHECK(match(v5_store(), "packets in (7, 14)") == "0 1");
}

TEST_CASE("filter.precedence") {
    SUBCASE("and binds tighter than or") {
        CHECK(match("dstport = 22 or dstport = 3389 and action = ACCEPT") == "0 6 10 11");
        CHECK(match("(dstport = 22 or dstport = 3389) and action = ACCEPT") == "0 6 11");
        CHECK(match("protocol = icmp or protocol = udp and dstport = 53 or dstport = 443") == "4 5 7 8 12");
        CHECK(match("dstport = 443 or protocol = udp and dstport = 53 or protocol = icmp") == "4 5 7 8 12");
    }
    SUBCASE("not binds tighter than and") {
        CHECK(match("not action = ACCEPT and protocol = tcp") == "1 7 10");
        CHECK(match("not (action = ACCEPT and protocol = tcp)") == "1 2 3 4 5 7 8 10 11 12");
        CHECK(match("not not action = reject") == "1 5 7 10");
        CHECK(match("not (not (action = reject))") == "1 5 7 10");
        CHECK_MESSAGE(match("not dstport < 100") == "1 2 3 7 9 11",
                      "`not` of an ordering includes the null rows; the ordering does not");
    }
    SUBCASE("symbols") {
        CHECK(match("!(action = ACCEPT) && protocol = tcp || dstport = 53") == "1 7 8 10 12");
        CHECK(match("!action = ACCEPT&&protocol = tcp||dstport = 53") == "1 7 8 10 12");
        CHECK(match("(((dstport = 22)))") == "0 6 10");
    }
}

TEST_CASE("filter.case_insensitive_names") {
    CHECK(match("DSTPORT = 22 AND Action = Accept OR NOT Protocol In (TCP)") == "0 2 3 4 5 6 8 11 12");
    CHECK(match("Interface-ID = eni-0a1b2c3d") == "7 8 9 10 11");
    CHECK(match("dstport NOT IN (22)") == "1 2 3 4 5 7 8 9 11 12 13");
    CHECK(match("ADDR = 10.0.0.5 Or PORT = 53") == "7 8 9 10 11 12");
    CHECK(match("Log-Status = NoData") == "2");
    CHECK(match("dstport = Null") == "2 3");
    SUBCASE("other spellings of field names") {
        CHECK(match("interface_id = eni-0a1b2c3d") == "7 8 9 10 11");
        CHECK(match("${dstport} = 22") == "0 6 10");
        CHECK(match("\"dstport\" = 22") == "0 6 10");
    }
}

TEST_CASE("filter.file") {
    Store store;
    const std::string a = "AWSLogs/123/vpcflowlogs/us-east-1/2024/05/01/123_vpcflowlogs_us-east-1_fl-1_20240501T1000Z_abc.log.gz";
    const std::string b = "AWSLogs/123/vpcflowlogs/us-east-1/2024/05/01/123_vpcflowlogs_us-east-1_fl-1_20240501T1005Z_def.log.gz";
    const uint32_t fa = store.add_file(a);
    const uint32_t fb = store.add_file(b);
    const uint32_t fc = store.add_file("cloudwatch.json");
    // Rows 0-1 from a, 2-4 from b, 5 from cloudwatch.json, 6 from a again.
    store.begin_file(fa);
    add_rows(store, "dstport", {"22", "23"});
    store.begin_file(fb);
    add_rows(store, "dstport", {"24", "25", "26"});
    store.begin_file(fc);
    add_rows(store, "dstport", {"27"});
    store.begin_file(fa);
    add_rows(store, "dstport", {"28"});
    REQUIRE(store.rows() == 7);

    CHECK(match(store, "file = cloudwatch.json") == "5");
    CHECK_MESSAGE(match(store, "file = 123_vpcflowlogs_us-east-1_fl-1_20240501T1000Z_abc.log.gz") == "0 1 6",
                  "the base name is enough");
    CHECK_MESSAGE(match(store, "file = " + a) == "0 1 6", "the whole name works too");
    CHECK(match(store, "file = *T1005Z*") == "2 3 4");
    CHECK(match(store, "file = \"*.log.gz\"") == "0 1 2 3 4 6");
    CHECK(match(store, "file = */2024/05/01/*") == "0 1 2 3 4 6");
    CHECK(match(store, "file = cloudwatch.jso?") == "5");
    CHECK(match(store, "file = CLOUDWATCH.JSON") == "");
    CHECK(match(store, "file != cloudwatch.json") == "0 1 2 3 4 6");
    CHECK(match(store, "file in (cloudwatch.json, *_def.log.gz)") == "2 3 4 5");
    CHECK(match(store, "file not in (cloudwatch.json, *_def.log.gz)") == "0 1 6");
    CHECK(match(store, "file = nothing.log") == "");
    CHECK(match(store, "file = *") == "0 1 2 3 4 5 6");
    CHECK(match(store, "file = null") == "");
    CHECK(match(store, "File = cloudwatch.json and dstport = 27") == "5");
    CHECK(error_of(store, "file < x").message ==
          "operator '<' at position 5 does not apply to file (the file name): use =, !=, in or not in");

    Store no_files = make_store("dstport", {"1", "2"});
    CHECK(match(no_files, "file = null") == "0 1");
    CHECK(match(no_files, "file = x.log") == "");
    CHECK(match(no_files, "file != x.log") == "0 1");
}

TEST_CASE("filter.syntax_errors") {
    struct Case {
        std::string_view text;
        size_t position;
        std::string_view message;
    };
    const Case cases[] = {
        {"tcp-flags >=", 12, "expected a value after '>=' at position 12, found end of input"},
        {"dstport >= ", 11, "expected a value after '>=' at position 11, found end of input"},
        {"dstport", 7,
         "expected a comparison operator (=, !=, <, <=, >, >=, in, not in) after 'dstport' at position 7, found "
         "end of input"},
        {"dstport 22", 8,
         "expected a comparison operator (=, !=, <, <=, >, >=, in, not in) after 'dstport' at position 8, found "
         "'22'"},
        {"= 22", 0, "expected a field name at position 0, found '='"},
        {"dstport = 22 and", 16, "expected a field name after 'and' at position 16, found end of input"},
        {"dstport = 22 or", 15, "expected a field name after 'or' at position 15, found end of input"},
        {"dstport = 22 && ", 16, "expected a field name after '&&' at position 16, found end of input"},
        {"dstport = 22 and or srcport = 1", 17, "expected a field name after 'and' at position 17, found 'or'"},
        {"(dstport = 22", 13, "expected ')' at position 13 to close the '(' at position 0, found end of input"},
        {"dstport = 22)", 12, "unmatched ')' at position 12"},
        {"dstport = 22 srcport = 1", 13, "expected 'and', 'or' or end of input at position 13, found 'srcport'"},
        {"dstport in (22 3389)", 15, "expected ',' or ')' at position 15, found '3389'"},
        {"dstport in (22,)", 15, "expected a value after ',' at position 15, found ')'"},
        {"dstport in ()", 12, "expected a value after '(' at position 12, found ')'"},
        {"dstport in", 10, "expected a value after 'in' at position 10, found end of input"},
        {"dstport not in", 14, "expected a value after 'not in' at position 14, found end of input"},
        {"dstport not (22)", 12, "expected 'in' after 'not' at position 12, found '('"},
        {"action = \"REJECT", 9,
         "unterminated string starting at position 9: expected a closing \" before the end of input"},
        {"action = 'REJECT", 9,
         "unterminated string starting at position 9: expected a closing ' before the end of input"},
        {"dstport = 22 & srcport = 1", 13, "unexpected '&' at position 13: use 'and' or '&&'"},
        {"dstport = 22 | srcport = 1", 13, "unexpected '|' at position 13: use 'or' or '||'"},
        {"()", 1, "expected a field name after '(' at position 1, found ')'"},
        {"not", 3, "expected a field name after 'not' at position 3, found end of input"},
        {"!", 1, "expected a field name after '!' at position 1, found end of input"},
        {"dstport = and", 10, "expected a value after '=' at position 10, found 'and'"},
        {"dstport = (22)", 10, "expected a value after '=' at position 10, found '('"},
        {"dstport = 22 and (srcport = 1 or)", 32, "expected a field name after 'or' at position 32, found ')'"},
        {"and", 0, "expected a field name at position 0, found 'and'"},
        {"dstport == == 22", 11, "expected a value after '==' at position 11, found '=='"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        const FilterError e = error_of(c.text);
        CHECK(e.position == c.position);
        CHECK(e.message == c.message);
    }
}

TEST_CASE("filter.error_position_is_a_byte_offset") {
    // "é" is two bytes: the unknown field starts at byte 24, character 23.
    const FilterError e = error_of("interface-id = \"é\" and zz = 1");
    CHECK(e.position == 24);
    CHECK(contains(e.message, "unknown field 'zz' at position 24"));
}

TEST_CASE("filter.nesting_limit") {
    const std::string ok = std::string(100, '(') + "dstport = 22" + std::string(100, ')');
    CHECK(match(ok) == "0 6 10");
    const std::string deep = std::string(101, '(') + "dstport = 22" + std::string(101, ')');
    const FilterError e = error_of(deep);
    CHECK(e.position == 101);
    CHECK(contains(e.message, "nested too deeply at position 101"));
    std::string nots;
    for (int k = 0; k < 500; ++k) nots += "not ";
    CHECK(contains(error_of(nots + "dstport = 22").message, "nested too deeply"));
    std::string bangs(100000, '(');
    CHECK(contains(error_of(bangs).message, "nested too deeply"));
}

TEST_CASE("filter.long_chains") {
    // n-ary and/or nodes: a long flat chain needs no deep recursion.
    std::string any_of, all_of;
    for (int k = 0; k < 20000; ++k) {
        any_of += (k ? " or dstport = " : "dstport = ") + std::to_string(k);
        all_of += (k ? " and dstport != " : "dstport != ") + std::to_string(1000 + k);
    }
    CHECK(match(any_of) == "0 1 4 5 6 7 8 10 11 12 13");
    CHECK(match("dstport = 51000 or " + any_of) == "0 1 4 5 6 7 8 9 10 11 12 13");
    CHECK_MESSAGE(match(all_of) == "0 2 3 4 5 6 7 8 9 10 12 13", "3389 is among 1000..20999");
}

TEST_CASE("filter.unknown_field") {
    const FilterError e = error_of("dsport = 22");
    CHECK(e.position == 0);
    CHECK(contains(e.message, "unknown field 'dsport' at position 0 (did you mean 'dstport'?); valid fields: "
                              "addr, port, file, version, account-id, interface-id, srcaddr, dstaddr, srcport, "
                              "dstport, protocol, packets, bytes, start, end, action, log-status, vpc-id,"));
    CHECK_MESSAGE(contains(e.message, "ecs-task-id"), "known fields the data lacks are listed too");
    CHECK(contains(e.message, "encryption-status"));

    const FilterError far = error_of("action = ACCEPT and colour = red");
    CHECK(far.position == 20);
    CHECK(contains(far.message, "unknown field 'colour' at position 20; valid fields: addr, port, file,"));

    CHECK(error_of("in = 3").message.find("expected a field name at position 0, found 'in'") == 0);
    const FilterError huge = error_of(std::string(200000, 'x') + " = 1");
    CHECK(huge.position == 0);
    CHECK_MESSAGE(huge.message.size() < 2000, "the unknown name is shown cut short");
    CHECK(error_of("srcadr in 10.0.0.0/8").message.find("(did you mean 'srcaddr'?)") != std::string::npos);
}

TEST_CASE("filter.value_errors") {
    struct Case {
        std::string_view text;
        size_t position;
        std::string_view message;
    };
    const Case cases[] = {
        {"dstport = abc", 10,
         "invalid value 'abc' for dstport at position 10: expected a port number 0..65535 or a range such as "
         "1024-65535"},
        {"dstport > 70000", 10,
         "value 70000 for dstport at position 10 is out of range: expected a port number 0..65535 or a range "
         "such as 1024-65535"},
        {"port = 99999999999999999999999", 7,
         "value 99999999999999999999999 for port at position 7 is out of range: expected a port number 0..65535 "
         "or a range such as 1024-65535"},
        {"dstport = -1", 10,
         "invalid value '-1' for dstport at position 10: expected a port number 0..65535 or a range such as "
         "1024-65535"},
        {"dstport > 1024-2000", 10,
         "invalid value '1024-2000' for dstport at position 10: expected a single port: a range takes =, !=, in "
         "or not in"},
        {"dstport = 2000-1024", 10,
         "invalid value '2000-1024' for dstport at position 10: expected a range whose first port is not above "
         "its last"},
        {"dstport = 1k", 10,
         "invalid value '1k' for dstport at position 10: expected a port number 0..65535 or a range such as "
         "1024-65535"},
        {"srcaddr = 999.1.1.1", 10,
         "invalid value '999.1.1.1' for srcaddr at position 10: expected an IPv4 or IPv6 address or a CIDR "
         "network (10.0.0.0/8, 2001:db8::/32)"},
        {"srcaddr = 10.0.0.0/33", 10,
         "invalid value '10.0.0.0/33' for srcaddr at position 10: expected an IPv4 or IPv6 address or a CIDR "
         "network (10.0.0.0/8, 2001:db8::/32)"},
        {"addr in (10.0.0.0/8, fe80::1%eth0)", 21,
         "invalid value 'fe80::1%eth0' for addr at position 21: expected an IPv4 or IPv6 address or a CIDR "
         "network (10.0.0.0/8, 2001:db8::/32)"},
        {"action < REJECT", 7,
         "operator '<' at position 7 does not apply to action (an enumeration): use =, !=, in or not in"},
        {"srcaddr >= 10.0.0.1", 8,
         "operator '>=' at position 8 does not apply to srcaddr (an address): use =, !=, in or not in"},
        {"interface-id > eni-1", 13,
         "operator '>' at position 13 does not apply to interface-id (text): use =, !=, in or not in"},
        {"action = maybe", 9, "invalid value 'maybe' for action at position 9: expected one of ACCEPT, REJECT"},
        {"action in (ACCEPT, nope)", 19,
         "invalid value 'nope' for action at position 19: expected one of ACCEPT, REJECT"},
        {"log-status = fine", 13,
         "invalid value 'fine' for log-status at position 13: expected one of OK, NODATA, SKIPDATA"},
        {"type = ipv5", 7, "invalid value 'ipv5' for type at position 7: expected one of IPv4, IPv6, EFA"},
        {"flow-direction = ingres", 17,
         "invalid value 'ingres' for flow-direction at position 17: expected one of ingress, egress"},
        {"protocol = foo", 11,
         "invalid value 'foo' for protocol at position 11: expected a protocol number 0..255 or a name (tcp, "
         "udp, icmp, icmpv6, esp, gre, ah, sctp)"},
        {"protocol = 256", 11,
         "value 256 for protocol at position 11 is out of range: expected a protocol number 0..255 or a name "
         "(tcp, udp, icmp, icmpv6, esp, gre, ah, sctp)"},
        {"version = 300", 10, "value 300 for version at position 10 is out of range: expected a number 0..255"},
        {"tcp-flags = 70000", 12,
         "value 70000 for tcp-flags at position 12 is out of range: expected a number 0..65535"},
        {"tcp-flags = syn", 12, "invalid value 'syn' for tcp-flags at position 12: expected a number 0..65535"},
        {"bytes = 1.0005k", 8,
         "invalid value '1.0005k' for bytes at position 8: expected a whole number, optionally with a k, M, G or "
         "T suffix (1.5M = 1500000)"},
        {"bytes = 1.5", 8,
         "invalid value '1.5' for bytes at position 8: expected a whole number, optionally with a k, M, G or T "
         "suffix (1.5M = 1500000)"},
        {"bytes > 10X", 8,
         "invalid value '10X' for bytes at position 8: expected a whole number, optionally with a k, M, G or T "
         "suffix (1.5M = 1500000)"},
        {"bytes > 20000000T", 8,
         "value 20000000T for bytes at position 8 is out of range: expected at most 18446744073709551615"},
        {"bytes > 18446744073709551616", 8,
         "value 18446744073709551616 for bytes at position 8 is out of range: expected at most "
         "18446744073709551615"},
        {"start >= yesterday", 9,
         "invalid value 'yesterday' for start at position 9: expected a time: Unix seconds or milliseconds, or "
         "ISO-8601 such as 2024-05-01T10:00:00Z"},
        {"start = 2024-02-30", 8,
         "invalid value '2024-02-30' for start at position 8: expected a time: Unix seconds or milliseconds, or "
         "ISO-8601 such as 2024-05-01T10:00:00Z"},
        {"start = 2024-05-01 25:00:00", 8,
         "invalid value '2024-05-01 25:00:00' for start at position 8: expected a time: Unix seconds or "
         "milliseconds, or ISO-8601 such as 2024-05-01T10:00:00Z"},
        {"dstport < null", 10, "null at position 10 cannot be ordered: use = null or != null"},
        {"start >= -", 9, "null at position 9 cannot be ordered: use = null or != null"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        const FilterError e = error_of(c.text);
        CHECK(e.position == c.position);
        CHECK(e.message == c.message);
    }
}

TEST_CASE("filter.enum_word_in_data_is_accepted") {
    // A word outside AWS's documented set that does occur in the data is accepted (AWS may add
    // words; the data is the proof).
    Store store = make_store("action log-status", {"ACCEPT OK", "MAYBE OK"});
    CHECK(match(store, "action = maybe") == "1");
    CHECK(match(store, "action = perhaps").find("compile error at 9:") == 0);
}

TEST_CASE("filter.evaluate_on_another_store") {
    // Compiled against one store, evaluated on another with the same columns but different
    // dictionary codes and address ids: values are resolved at evaluation time.
    auto compiled = Filter::compile("interface-id = eni-0a1b2c3d and srcaddr in 10.0.0.0/8 and action = reject",
                                    default_store());
    REQUIRE(std::holds_alternative<Filter>(compiled));
    const Filter filter = std::move(std::get<Filter>(compiled));
    Store other = make_store(kDefaultFormat, {kDefaultLines[10], kDefaultLines[0], kDefaultLines[7], kDefaultLines[8]});
    std::string rows;
    filter.evaluate(other).for_each([&](size_t r) { rows += std::to_string(r) + " "; });
    CHECK(rows == "0 2 ");
    CHECK(filter.evaluate(default_store()).count() == 2);
    CHECK(filter.evaluate(Store{}).size() == 0);
}

TEST_CASE("filter.move") {
    auto compiled = Filter::compile("dstport = 22", default_store());
    REQUIRE(std::holds_alternative<Filter>(compiled));
    Filter a = std::move(std::get<Filter>(compiled));
    Filter b = std::move(a);
    CHECK(b.text() == "dstport = 22");
    CHECK(b.evaluate(default_store()).count() == 3);
    auto other = Filter::compile("", default_store());
    REQUIRE(std::holds_alternative<Filter>(other));
    b = std::move(std::get<Filter>(other));
    CHECK(b.matches_all());
}

TEST_CASE("filter.word_boundaries") {
    // Bare words run up to a blank or one of ( ) , = ! < > " ' & |.
    CHECK(match("srcaddr=10.0.0.0/8&&dstport=443") == "7");
    CHECK(match("(dstport=22)or(dstport=443)") == "0 6 7 10");
    CHECK(match("dstport in(22,443)and action=reject") == "7 10");
    CHECK(match("  dstport   =   22  ") == "0 6 10");
    CHECK(match("dstport = 22\nor\tdstport = 443") == "0 6 7 10");
}

TEST_CASE("filter.many_rows") {
    // Enough rows for full 64-row words, a tail, and nulls deep in the null mask.
    Store store;
    for (uint32_t r = 0; r < 1000; ++r) {
        Column& port = store.column("dstport");
        Column& bytes = store.column("bytes");
        Column& addr = store.column("srcaddr");
        Column& action = store.column("action");
        if (r % 7 == 0) {
            port.append_null();
            bytes.append_null();
            addr.append_null();
            action.append_null();
        } else {
            port.append_number(r % 100);
            bytes.append_number(r % 3 == 0 ? uint64_t{1} << 33 : r);
            addr.append_id(store.addresses().intern(IpAddress::from_v4(0x0A000000u + r)));
            action.append_id(action.dict.intern(r % 2 ? "ACCEPT" : "REJECT"));
        }
        store.commit_row();
    }
    store.pad_columns();

    auto count = [&](std::string_view expr) {
        auto compiled = Filter::compile(expr, store);
        REQUIRE_MESSAGE(std::holds_alternative<Filter>(compiled), std::string(expr));
        return std::get<Filter>(compiled).evaluate(store).count();
    };
    auto expect = [&](auto pred) {
        size_t n = 0;
        for (uint32_t r = 0; r < 1000; ++r) n += pred(r) ? size_t{1} : size_t{0};
        return n;
    };
    const auto null = [](uint32_t r) { return r % 7 == 0; };
    CHECK(count("dstport = null") == expect(null));
    CHECK(count("dstport < 10") == expect([&](uint32_t r) { return !null(r) && r % 100 < 10; }));
    CHECK(count("dstport != 5") == expect([&](uint32_t r) { return null(r) || r % 100 != 5; }));
    CHECK(count("dstport in (null, 1, 2)") ==
          expect([&](uint32_t r) { return null(r) || r % 100 == 1 || r % 100 == 2; }));
    CHECK(count("bytes > 4G") == expect([&](uint32_t r) { return !null(r) && r % 3 == 0; }));
    CHECK(count("bytes < 500") == expect([&](uint32_t r) { return !null(r) && r % 3 != 0 && r < 500; }));
    CHECK(count("bytes <= 0") == 0);
    CHECK(count("srcaddr in 10.0.1.0/24") == expect([&](uint32_t r) { return !null(r) && r >= 256 && r < 512; }));
    CHECK(count("srcaddr in (10.0.1.0/24, null)") ==
          expect([&](uint32_t r) { return null(r) || (r >= 256 && r < 512); }));
    CHECK(count("srcaddr = 10.0.3.231") == 1);
    CHECK(count("action = accept") == expect([&](uint32_t r) { return !null(r) && r % 2 == 1; }));
    CHECK(count("action != accept") == expect([&](uint32_t r) { return null(r) || r % 2 == 0; }));
    CHECK(count("not (action = accept or dstport = null)") ==
          expect([&](uint32_t r) { return !null(r) && r % 2 == 0; }));
}

TEST_CASE("filter.one_byte_codes_match_row_by_row") {
    // `field = word` over one-byte codes is matched eight rows at a time: every row's bit must
    // be what a row-by-row compare gives, for codes with the high bit set or not, next to equal
    // or near codes (0x7F, 0x80, 0xFF against 0x00 and 0x01), in full words and in a tail.
    for (size_t rows : {size_t{1}, size_t{63}, size_t{64}, size_t{1000}, size_t{1037}}) {
        CAPTURE(rows);
        Store store;
        Column& tag = store.column("tag");
        std::vector<std::string> names;
        for (int i = 0; i < 255; ++i) names.push_back("v" + std::to_string(i));
        uint64_t x = 88172645463325252ull;
        for (size_t r = 0; r < rows; ++r) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Runs of one code, codes around the byte's edges, and random ones.
            const size_t pick = r % 5 == 0 ? 128 : r % 5 == 1 ? 127 : r % 5 == 2 ? (r / 8) % 3 : x % 256;
            if (pick == 255)
                tag.append_null();
            else
                tag.append_id(tag.dict.intern(names[pick]));
            store.commit_row();
        }
        store.pad_columns();
        REQUIRE(tag.width() == 1);
        for (uint32_t code = 1; code < tag.dict.size(); code += (code < 3 || code > 120 ? 1 : 17)) {
            const std::string expr = "tag = " + std::string(tag.dict.value(code));
            CAPTURE(expr);
            auto compiled = Filter::compile(expr, store);
            REQUIRE(std::holds_alternative<Filter>(compiled));
            const RowSet got = std::get<Filter>(compiled).evaluate(store);
            size_t wrong = 0;
            for (size_t r = 0; r < rows; ++r) wrong += got.test(r) != (tag.code(r) == code);
            CHECK(wrong == 0);
            CHECK(got.count() <= rows);
        }
    }
}

TEST_CASE("filter.wide_codes_ids_escapes_and_end") {
    // Codes and address ids past one and two bytes, counters that escape, `end` stored as a
    // difference from `start`: each column's typed loop and escape fix-up must agree with the
    // values, checked against a count worked out from the same rules.
    Store store;
    const uint32_t n = 70'000;
    const auto eni_of = [](uint32_t r) { return "eni-" + std::to_string(r % 69'000); };
    const auto eni_null = [](uint32_t r) { return r % 50 == 49; };
    const auto src_null = [](uint32_t r) { return r % 97 == 0; };
    const auto packets_of = [](uint32_t r) { return r % 100 == 0 ? (uint64_t{1} << 33) + r : uint64_t{r % 200}; };
    const auto start_of = [](uint32_t r) { return 1'700'000'000 + r / 7; };
    const auto end_null = [](uint32_t r) { return r % 1000 == 2; };
    const auto end_of = [&](uint32_t r) { return r % 1000 == 1 ? start_of(r) - 5 : start_of(r) + r % 40; };
    for (uint32_t r = 0; r < n; ++r) {
        Column& eni = store.column("interface-id");
        eni_null(r) ? eni.append_null() : eni.append_id(eni.dict.intern(eni_of(r)));
        Column& src = store.column("srcaddr");
        src_null(r) ? src.append_null() : src.append_id(store.addresses().intern(IpAddress::from_v4(0x0A000000u + r)));
        store.column("packets").append_number(packets_of(r));
        store.column("start").append_number(start_of(r));
        end_null(r) ? store.column("end").append_null() : store.column("end").append_number(end_of(r));
        store.commit_row();
    }
    store.pad_columns();
    REQUIRE(store.find("interface-id")->width() == 4);
    REQUIRE(store.find("srcaddr")->width() == 4);
    REQUIRE(store.find("end")->base() == store.find("start"));
    REQUIRE_FALSE(store.find("packets")->escapes().empty());
    REQUIRE_FALSE(store.find("end")->escapes().empty());

    auto count = [&](std::string_view expr) {
        auto compiled = Filter::compile(expr, store);
        REQUIRE_MESSAGE(std::holds_alternative<Filter>(compiled), std::string(expr));
        return std::get<Filter>(compiled).evaluate(store).count();
    };
    auto expect = [&](auto pred) {
        size_t k = 0;
        for (uint32_t r = 0; r < n; ++r) k += pred(r) ? size_t{1} : size_t{0};
        return k;
    };
    CHECK(count("interface-id = eni-300") == expect([&](uint32_t r) { return !eni_null(r) && r % 69'000 == 300; }));
    CHECK(count("interface-id = eni-68998") == 1);  // a code above 65535
    CHECK(count("interface-id in (eni-1, eni-65536)") ==
          expect([&](uint32_t r) { return !eni_null(r) && (r % 69'000 == 1 || r % 69'000 == 65'536); }));
    CHECK(count("interface-id = null") == expect(eni_null));
    CHECK(count("srcaddr = 10.1.17.111") == 1);  // row 69999, id above 65535
    CHECK(count("srcaddr in 10.0.255.0/24") ==
          expect([&](uint32_t r) { return !src_null(r) && r >= 0xFF00 && r < 0x10000; }));
    CHECK(count("packets > 4G") == expect([&](uint32_t r) { return packets_of(r) > 4'000'000'000ull; }));
    CHECK(count("packets = 150") == expect([&](uint32_t r) { return packets_of(r) == 150; }));
    CHECK(count("packets in (8589934592, 8589934692, 7)") ==
          expect([&](uint32_t r) { return packets_of(r) == 8589934592ull || packets_of(r) == 8589934692ull || packets_of(r) == 7; }));
    for (std::string_view t : {"1700000000", "1700001234", "1700009999"}) {
        const uint64_t v = std::stoull(std::string(t));
        CAPTURE(t);
        CHECK(count("end < " + std::string(t)) == expect([&](uint32_t r) { return !end_null(r) && end_of(r) < v; }));
        CHECK(count("end = " + std::string(t)) == expect([&](uint32_t r) { return !end_null(r) && end_of(r) == v; }));
        CHECK(count("end != " + std::string(t)) == expect([&](uint32_t r) { return end_null(r) || end_of(r) != v; }));
    }
    CHECK(count("end = null") == expect(end_null));
    CHECK(count("end in (null, 1700000005)") ==
          expect([&](uint32_t r) { return end_null(r) || end_of(r) == 1'700'000'005; }));
}

TEST_CASE("filter.addr_and_port_match_row_by_row_on_either_side") {
    // `addr` and `port` test both columns in one pass when their widths agree and nulls need no
    // mask (match_either_side), and side by side otherwise. Every row's bit must be what the rule
    // gives row by row ("either side matches"; `!=` and `not in`: neither side), for both paths:
    // ids that fit two bytes on both sides, then a source column four bytes wide.
    for (const bool wide_sources : {false, true}) {
        CAPTURE(wide_sources);
        const uint32_t n = 1037;  // full 64-row words and a tail
        const auto src_null = [](uint32_t r) { return r % 11 == 3; };
        const auto dst_null = [](uint32_t r) { return r % 13 == 5; };
        const auto src_of = [](uint32_t r) { return 0x0A000000u + (r * 7) % 600; };  // 10.0.0.0 - 10.0.2.87
        const auto dst_of = [](uint32_t r) { return 0x0A000100u + (r * 5) % 400; };  // 10.0.1.0 - 10.0.2.143
        const auto sport_of = [](uint32_t r) { return r % 17 == 0 ? 0u : 1000u + (r * 31) % 60000; };
        const auto dport_of = [](uint32_t r) { return r % 4 == 0 ? 22u : r % 4 == 1 ? 443u : r % 200; };
        Store store;
        // Ids above 255 on both sides: two bytes each. With wide_sources, the destinations come
        // first, then 70,000 more addresses: the sources' new ids pass 65535, four bytes.
        for (uint32_t i = 0; i < 300; ++i) store.addresses().intern(IpAddress::from_v4(0xC0A80000u + i));
        if (wide_sources) {
            for (uint32_t r = 0; r < n; ++r) store.addresses().intern(IpAddress::from_v4(dst_of(r)));
            for (uint32_t i = 0; i < 70'000; ++i) store.addresses().intern(IpAddress::from_v4(0xC0000000u + i));
        }
        // One side of a row: its address and port, or nulls.
        auto side = [&](std::string_view addr, std::string_view port, bool null, uint32_t a, uint32_t p) {
            if (null) {
                store.column(addr).append_null();
                store.column(port).append_null();
                return;
            }
            store.column(addr).append_id(store.addresses().intern(IpAddress::from_v4(a)));
            store.column(port).append_number(p);
        };
        for (uint32_t r = 0; r < n; ++r) {
            side("srcaddr", "srcport", src_null(r), src_of(r), sport_of(r));
            side("dstaddr", "dstport", dst_null(r), dst_of(r), dport_of(r));
            store.commit_row();
        }
        if (wide_sources) store.column("srcaddr").append_id(store.addresses().intern(IpAddress::from_v4(0xC0000000u + 69'999)));
        else store.column("srcaddr").append_null();
        store.column("dstaddr").append_null();
        store.column("srcport").append_null();
        store.column("dstport").append_null();
        store.commit_row();  // row n: a wide id (or null) at the source, null elsewhere
        store.pad_columns();
        REQUIRE(store.find("srcaddr")->width() == (wide_sources ? 4u : 2u));
        REQUIRE(store.find("dstaddr")->width() == 2u);

        // side(r, is_src) → nullopt for null, else the value; each check: either side holds.
        auto check = [&](std::string_view expr, auto side_matches, bool negated, bool null_matches) {
            CAPTURE(expr);
            auto compiled = Filter::compile(expr, store);
            REQUIRE(std::holds_alternative<Filter>(compiled));
            const RowSet got = std::get<Filter>(compiled).evaluate(store);
            size_t wrong = 0;
            for (uint32_t r = 0; r <= n; ++r) {
                bool either = false;
                for (const bool is_src : {true, false}) {
                    // Row n: only its source address is set, and only with wide_sources.
                    const bool row_n_set = is_src && wide_sources && expr.starts_with("addr");
                    const bool null = r == n ? !row_n_set : is_src ? src_null(r) : dst_null(r);
                    either = either || (null ? null_matches : side_matches(r, is_src));
                }
                wrong += got.test(r) != (either != negated);
            }
            CHECK(wrong == 0);
        };
        const auto addr = [&](uint32_t r, bool is_src) {
            return r == n ? 0xC0000000u + 69'999 : is_src ? src_of(r) : dst_of(r);
        };
        const auto port = [&](uint32_t r, bool is_src) { return is_src ? sport_of(r) : dport_of(r); };
        check("addr in 10.0.2.0/24", [&](uint32_t r, bool s) { return (addr(r, s) >> 8) == 0x0A0002u; }, false, false);
        check("addr in (10.0.0.0/26, 10.0.1.128/25)", [&](uint32_t r, bool s) {
            const uint32_t a = addr(r, s);
            return (a >> 6) == (0x0A000000u >> 6) || (a >> 7) == (0x0A000180u >> 7);
        }, false, false);
        check("addr in (null, 10.0.2.0/24)", [&](uint32_t r, bool s) { return (addr(r, s) >> 8) == 0x0A0002u; }, false, true);
        check("addr not in 10.0.1.0/24", [&](uint32_t r, bool s) { return (addr(r, s) >> 8) == 0x0A0001u; }, true, false);
        check("addr = 10.0.1.10", [&](uint32_t r, bool s) { return addr(r, s) == 0x0A00010Au; }, false, false);
        check("addr in 192.0.0.0/8", [&](uint32_t r, bool s) { return (addr(r, s) >> 24) == 192u; }, false, false);
        check("port = 443", [&](uint32_t r, bool s) { return port(r, s) == 443; }, false, false);
        check("port != 22", [&](uint32_t r, bool s) { return port(r, s) == 22; }, true, false);
        check("port in (22, 443, 150)", [&](uint32_t r, bool s) {
            const uint32_t p = port(r, s);
            return p == 22 || p == 443 || p == 150;
        }, false, false);
        check("port in (100-199, 50000-65535)", [&](uint32_t r, bool s) {
            const uint32_t p = port(r, s);
            return (p >= 100 && p <= 199) || p >= 50000;
        }, false, false);
        check("port > 30000", [&](uint32_t r, bool s) { return port(r, s) > 30000; }, false, false);
        check("port = 0", [&](uint32_t r, bool s) { return port(r, s) == 0; }, false, false);
        check("port in (null, 22)", [&](uint32_t r, bool s) { return port(r, s) == 22; }, false, true);
    }
}

TEST_CASE("filter.codes_beyond_the_columns_width_match_nothing") {
    // A value interned for a line that was then rejected has a code (or address id) that no
    // row holds, possibly beyond what the column's width can hold: it must not be truncated
    // into a code that some row does hold (such as 0, null).
    Store store;
    Column& eni = store.column("interface-id");
    Column& src = store.column("srcaddr");
    for (uint32_t r = 0; r < 300; ++r) {
        if (r % 2) {
            eni.append_null();
            src.append_null();
        } else {
            eni.append_id(eni.dict.intern("eni-" + std::to_string(r / 2)));  // codes 1..150
            src.append_id(store.addresses().intern(IpAddress::from_v4(0x0A000000u + r / 2)));
        }
        store.commit_row();
    }
    for (uint32_t v = 0; v < 200; ++v) eni.dict.intern("unused-" + std::to_string(v));  // codes up to 350
    for (uint32_t v = 0; v < 70'000; ++v) store.addresses().intern(IpAddress::from_v4(0xC0000000u + v));
    REQUIRE(eni.width() == 1);
    REQUIRE(src.width() == 1);
    REQUIRE(eni.dict.find("unused-199") == 350u);  // 350 & 0xFF = 94: a code rows do hold
    auto count = [&](std::string_view expr) {
        auto compiled = Filter::compile(expr, store);
        REQUIRE_MESSAGE(std::holds_alternative<Filter>(compiled), std::string(expr));
        return std::get<Filter>(compiled).evaluate(store).count();
    };
    CHECK(count("interface-id = unused-199") == 0);
    CHECK(count("interface-id = unused-105") == 0);  // code 256: would read as 0, null
    CHECK(count("interface-id = eni-93") == 1);
    CHECK(count("srcaddr = 192.1.0.255") == 0);  // id 256 + 150: beyond one byte
    CHECK(count("srcaddr = 192.0.0.105") == 0);  // id 256
    CHECK(count("srcaddr = 10.0.0.93") == 1);
}

TEST_CASE("filter.condition_cache_gives_the_uncached_rows_and_reuses_conditions") {
    // A drill-down as the page's chips make it: conditions added one at a time, one dropped,
    // the order changed, a parenthesised `and`, an `or` and a `not` (whole conditions of their
    // own). Every result equals the uncached evaluation; the hit counts are worked out from the
    // sequence (a top-level `and` is looked up operand by operand).
    const Store& store = default_store();
    ConditionCache cache(3);
    const auto rows_of = [&](std::string_view expr, ConditionCache* c) {
        auto compiled = Filter::compile(expr, store);
        REQUIRE(std::holds_alternative<Filter>(compiled));
        const Filter& f = std::get<Filter>(compiled);
        return c ? f.evaluate(store, *c) : f.evaluate(store);
    };
    struct Step {
        std::string_view expr;
        uint64_t hits;  // the cache's hits after this step
        size_t size;    // and its row sets
    };
    const Step steps[] = {
        {"action = REJECT", 0, 1},
        {"action = REJECT and dstport in (22, 3389)", 1, 2},
        {"action = REJECT and dstport in (22, 3389) and srcaddr in 10.0.0.0/8", 3, 3},
        {"dstport in (22, 3389) and action = REJECT", 5, 3},
        {"(action = REJECT and srcaddr in 10.0.0.0/8)", 7, 3},
        {"action = REJECT or protocol = udp", 7, 3},  // one condition: evicts the dstport one
        {"not action = REJECT", 7, 3},                 // one condition: evicts action = REJECT
        {"action = REJECT", 7, 3},                     // so a miss (evicts the srcaddr one)
        {"  action   =   REJECT  ", 8, 3},  // the compiled form, not the text, is the key
        {"action = reject", 8, 3},          // words as typed: a miss, never a wrong hit
        {"", 8, 3},                          // every row: nothing to cache
    };
    for (const Step& s : steps) {
        CAPTURE(s.expr);
        const RowSet cached = rows_of(s.expr, &cache);
        const RowSet plain = rows_of(s.expr, nullptr);
        CHECK(cached.words() == plain.words());
        CHECK(cached.size() == store.rows());
        CHECK(cache.hits() == s.hits);
        CHECK(cache.size() == s.size);
    }
    // Cleared, nothing is found any more.
    cache.clear();
    CHECK(cache.size() == 0);
    (void)rows_of("action = REJECT", &cache);
    CHECK(cache.hits() == 8);
    // A capacity of 0 caches nothing.
    ConditionCache none(0);
    CHECK(rows_of("action = REJECT and protocol = udp", &none).words() ==
          rows_of("action = REJECT and protocol = udp", nullptr).words());
    CHECK(none.size() == 0);
}
