// Tests of the flow log generator. The output is checked by splitting lines on spaces right
// here, not through the parser: the generator is what the parser's tests will lean on.
#include "flowlens/generator.hpp"

#include <doctest/doctest.h>

#include <charconv>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using flowlens::GeneratorOptions;
using flowlens::generate;
using flowlens::generate_to_string;

namespace {

const std::vector<std::string> kDefaultFields{"version", "account-id", "interface-id", "srcaddr", "dstaddr",
                                              "srcport", "dstport",    "protocol",     "packets", "bytes",
                                              "start",   "end",        "action",       "log-status"};

const std::vector<std::string> kV5Fields{
    "version",     "srcaddr",     "dstaddr",      "srcport",      "dstport",          "protocol",
    "start",       "end",         "type",         "packets",      "bytes",            "account-id",
    "vpc-id",      "subnet-id",   "instance-id",  "interface-id", "region",           "az-id",
    "sublocation-type", "sublocation-id", "action", "tcp-flags", "pkt-srcaddr", "pkt-dstaddr",
    "pkt-src-aws-service", "pkt-dst-aws-service", "traffic-path", "flow-direction", "log-status"};

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        REQUIRE(nl != std::string_view::npos);  // every line, the last included, ends in \n
        lines.push_back(text.substr(0, nl));
        text.remove_prefix(nl + 1);
    }
    return lines;
}

std::vector<std::string_view> split_tokens(std::string_view line) {
    std::vector<std::string_view> out;
    size_t pos = 0;
    for (;;) {
        const size_t sp = line.find(' ', pos);
        out.push_back(line.substr(pos, sp == std::string_view::npos ? std::string_view::npos : sp - pos));
        if (sp == std::string_view::npos) break;
        pos = sp + 1;
    }
    return out;
}

uint64_t to_u64(std::string_view s) {
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    REQUIRE_MESSAGE((ec == std::errc() && p == s.data() + s.size()), "not a number: ", std::string(s));
    return v;
}

// The records as token rows; the table owns the text its tokens point into (a text with any
// record is too long for the small-string buffer, so moving the table keeps the views valid).
struct Table {
    std::string text;
    std::vector<std::string> fields;
    std::vector<std::vector<std::string_view>> rows;
    size_t col(std::string_view name) const {
        for (size_t i = 0; i < fields.size(); ++i)
            if (fields[i] == name) return i;
        FAIL("no column ", std::string(name));
        return 0;
    }
};

Table parse(std::string text, const std::vector<std::string>& fields, bool header = true) {
    Table t;
    t.text = std::move(text);
    t.fields = fields;
    auto lines = split_lines(t.text);
    size_t first = 0;
    if (header) {
        REQUIRE(!lines.empty());
        first = 1;
    }
    for (size_t i = first; i < lines.size(); ++i) {
        auto tokens = split_tokens(lines[i]);
        REQUIRE_MESSAGE(tokens.size() == fields.size(), "line ", i, ": ", std::string(lines[i]));
        t.rows.push_back(std::move(tokens));
    }
    return t;
}

GeneratorOptions with(uint64_t records, uint64_t seed = 1) {
    GeneratorOptions o;
    o.records = records;
    o.seed = seed;
    return o;
}

}  // namespace

TEST_CASE("generator.deterministic") {
    const std::string a = generate_to_string(with(5000, 7));
    const std::string b = generate_to_string(with(5000, 7));
    CHECK(a == b);
    const std::string c = generate_to_string(with(5000, 8));
    CHECK(a != c);
    // The header and the fixed topology do not depend on the seed; the traffic does.
    CHECK(a.substr(0, a.find('\n')) == c.substr(0, c.find('\n')));
}

TEST_CASE("generator.chunks_match_the_string") {
    GeneratorOptions o = with(40000, 3);
    o.fields = kV5Fields;
    std::string joined;
    size_t chunks = 0, largest = 0;
    generate(o, [&](std::string_view chunk) {
        ++chunks;
        largest = std::max(largest, chunk.size());
        joined.append(chunk);
    });
    CHECK(joined == generate_to_string(o));
    CHECK(chunks >= 3);  // ~9 MB of text: the header, then several 1 MiB chunks
    CHECK(largest <= (size_t{1} << 20));
}

TEST_CASE("generator.record_count") {
    for (uint64_t n : {0ULL, 1ULL, 2ULL, 7ULL, 99ULL, 1000ULL, 10000ULL, 25001ULL}) {
        CAPTURE(n);
        GeneratorOptions o = with(n);
        CHECK(split_lines(generate_to_string(o)).size() == n + 1);
        o.header = false;
        CHECK(split_lines(generate_to_string(o)).size() == n);
    }
}

TEST_CASE("generator.header") {
    SUBCASE("default fields") {
        const std::string text = generate_to_string(with(10));
        CHECK(text.substr(0, text.find('\n')) ==
              "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
              "action log-status");
    }
    SUBCASE("absent") {
        GeneratorOptions o = with(10);
        o.header = false;
        const std::string text = generate_to_string(o);
        CHECK(text.substr(0, 2) == "2 ");
    }
    SUBCASE("names as AWS spells them, unknown ones as given") {
        GeneratorOptions o = with(50);
        o.fields = {"SrcAddr", "ecs-cluster-name", "my-field", "dstport"};
        std::string text = generate_to_string(o);
        CHECK(text.substr(0, text.find('\n')) == "srcaddr ecs-cluster-name my-field dstport");
        const Table t = parse(std::move(text), {"srcaddr", "ecs-cluster-name", "my-field", "dstport"});
        for (const auto& r : t.rows) {
            CHECK(r[1] == "-");  // fields the generator has no model for are absent
            CHECK(r[2] == "-");
        }
    }
}

TEST_CASE("generator.token_count") {
    SUBCASE("default") { parse(generate_to_string(with(3000)), kDefaultFields); }
    SUBCASE("v5") {
        GeneratorOptions o = with(3000);
        o.fields = kV5Fields;
        parse(generate_to_string(o), kV5Fields);
    }
    SUBCASE("a reordered subset") {
        GeneratorOptions o = with(3000);
        o.fields = {"action", "dstport", "srcaddr", "bytes", "tcp-flags"};
        parse(generate_to_string(o), o.fields);
    }
}

TEST_CASE("generator.v5_fields") {
    GeneratorOptions o = with(20000, 11);
    o.fields = kV5Fields;
    const Table t = parse(generate_to_string(o), kV5Fields);
    const size_t version = t.col("version"), type = t.col("type"), proto = t.col("protocol"),
                 flags = t.col("tcp-flags"), dir = t.col("flow-direction"), path = t.col("traffic-path"),
                 src = t.col("srcaddr"), dst = t.col("dstaddr"), psrc = t.col("pkt-srcaddr"),
                 pdst = t.col("pkt-dstaddr"), ssvc = t.col("pkt-src-aws-service"),
                 dsvc = t.col("pkt-dst-aws-service"), status = t.col("log-status"), inst = t.col("instance-id"),
                 vpc = t.col("vpc-id"), region = t.col("region");
    size_t nat_rewritten = 0, ipv6 = 0;
    std::set<std::string_view> services, paths, vpcs;
    for (const auto& r : t.rows) {
        CHECK(r[version] == "5");
        CHECK(r[region] == "us-east-1");
        CHECK(r[t.col("sublocation-type")] == "-");
        vpcs.insert(r[vpc]);
        if (r[status] != "OK") continue;
        const bool v6 = r[src].find(':') != std::string_view::npos;
        CHECK(r[type] == (v6 ? "IPv6" : "IPv4"));
        CHECK((r[dst].find(':') != std::string_view::npos) == v6);
        ipv6 += v6;
        if (r[proto] != "6") CHECK(r[flags] == "0");
        CHECK((r[dir] == "ingress" || r[dir] == "egress"));
        if (r[dir] == "ingress") CHECK(r[path] == "-");  // traffic-path is an egress-only field
        else {
            CHECK(r[path] != "-");
            paths.insert(r[path]);
        }
        if (r[src] != r[psrc] || r[dst] != r[pdst]) {
            ++nat_rewritten;
            CHECK(r[inst] == "-");  // only the NAT gateway's interface rewrites, and it has no instance
        }
        if (r[ssvc] != "-") services.insert(r[ssvc]);
        if (r[dsvc] != "-") services.insert(r[dsvc]);
    }
    CHECK(vpcs.size() == 1);
    CHECK(nat_rewritten > 0);
    CHECK(ipv6 > 0);
    CHECK(services == std::set<std::string_view>{"DYNAMODB", "EC2", "S3"});
    CHECK(paths.count("1") == 1);  // inside the VPC
    CHECK(paths.count("3") == 1);  // the office over the VPN gateway
    CHECK(paths.count("7") == 1);  // the S3/DynamoDB gateway endpoint
    CHECK(paths.count("8") == 1);  // the internet gateway
}

TEST_CASE("generator.values_in_range") {
    GeneratorOptions o = with(20000, 5);
    const Table t = parse(generate_to_string(o), kDefaultFields);
    const int64_t first = o.start_time, last = o.start_time + o.duration_seconds;
    std::set<std::string_view> accounts;
    for (const auto& r : t.rows) {
        CHECK(r[0] == "2");
        CHECK(r[1].size() == 12);
        accounts.insert(r[1]);
        CHECK(r[2].substr(0, 4) == "eni-");
        const auto start = static_cast<int64_t>(to_u64(r[10])), end = static_cast<int64_t>(to_u64(r[11]));
        CHECK(first <= start);
        CHECK(start <= end);
        CHECK(end < last);
        CHECK(end - start < static_cast<int64_t>(o.window_seconds));  // one aggregation window
        if (r[13] != "OK") continue;
        CHECK(to_u64(r[5]) <= 65535);
        CHECK(to_u64(r[6]) <= 65535);
        const uint64_t proto = to_u64(r[7]);
        CHECK((proto == 1 || proto == 6 || proto == 17 || proto == 58));
        if (proto == 1 || proto == 58) CHECK((r[5] == "0" && r[6] == "0"));
        const uint64_t packets = to_u64(r[8]), bytes = to_u64(r[9]);
        CHECK(packets >= 1);
        CHECK(bytes >= 40 * packets);
        CHECK(bytes <= 1500 * packets);
        CHECK((r[12] == "ACCEPT" || r[12] == "REJECT"));
    }
    CHECK(accounts.size() == 2);  // the main account and, rarely, the partner's
}

TEST_CASE("generator.nodata_and_skipdata") {
    const Table t = parse(generate_to_string(with(20000)), kDefaultFields);
    size_t nodata = 0, skipdata = 0;
    for (const auto& r : t.rows) {
        if (r[13] == "OK") continue;
        CHECK((r[13] == "NODATA" || r[13] == "SKIPDATA"));
        (r[13] == "NODATA" ? nodata : skipdata)++;
        for (size_t i = 3; i <= 9; ++i) CHECK(r[i] == "-");
        CHECK(r[12] == "-");
        CHECK(r[10] != "-");
        CHECK(r[11] != "-");
    }
    CHECK(nodata == 200);  // exact shares: 1% and 0.2%
    CHECK(skipdata == 40);
}

TEST_CASE("generator.scanner_and_sweep") {
    SUBCASE("present") {
        const Table t = parse(generate_to_string(with(10000)), kDefaultFields);
        std::map<std::string_view, std::set<std::string_view>> ports_by_source, hosts_on_22;
        for (const auto& r : t.rows) {
            if (r[12] != "REJECT") continue;
            ports_by_source[r[3]].insert(r[6]);
            if (r[6] == "22" && r[7] == "6") hosts_on_22[r[3]].insert(r[4]);
        }
        size_t scanners = 0;
        for (const auto& [source, ports] : ports_by_source)
            if (ports.size() >= 100) {
                ++scanners;
                CHECK(source == "203.0.113.77");
            }
        CHECK(scanners == 1);
        CHECK(hosts_on_22["10.0.2.47"].size() >= 30);  // the sweep reaches (almost) every host
    }
    SUBCASE("absent when not asked for") {
        GeneratorOptions o = with(10000);
        o.scanner = false;
        const Table t = parse(generate_to_string(o), kDefaultFields);
        for (const auto& r : t.rows) {
            CHECK(r[3] != "203.0.113.77");
            if (r[3] == "10.0.2.47") CHECK(r[6] != "22");  // ci-runner-01 still fetches packages
        }
    }
}

TEST_CASE("generator.network_acl_symptom") {
    // An inbound ACCEPT whose reply on the same interface is REJECTed.
    GeneratorOptions o = with(10000);
    o.fields = {"interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "action", "flow-direction"};
    const Table t = parse(generate_to_string(o), o.fields);
    std::set<std::string> accepted_in;
    auto key = [](std::string_view eni, std::string_view a, std::string_view b, std::string_view pa,
                  std::string_view pb, std::string_view proto) {
        return std::string(eni) + ' ' + std::string(a) + ' ' + std::string(b) + ' ' + std::string(pa) + ' ' +
               std::string(pb) + ' ' + std::string(proto);
    };
    for (const auto& r : t.rows)
        if (r[6] == "ACCEPT" && r[7] == "ingress") accepted_in.insert(key(r[0], r[1], r[2], r[3], r[4], r[5]));
    std::set<std::string_view> symptoms;
    for (const auto& r : t.rows)
        if (r[6] == "REJECT" && r[7] == "egress" && accepted_in.count(key(r[0], r[2], r[1], r[4], r[3], r[5])))
            symptoms.insert(r[2]);
    CHECK(symptoms == std::set<std::string_view>{"192.0.2.10", "198.51.100.40"});
}

TEST_CASE("generator.shares") {
    GeneratorOptions o = with(50000, 9);
    o.fields = {"srcaddr", "action", "log-status"};
    const Table t = parse(generate_to_string(o), o.fields);
    size_t rejects = 0, v6 = 0;
    for (const auto& r : t.rows) {
        rejects += r[1] == "REJECT";
        v6 += r[0].find(':') != std::string_view::npos;
    }
    CHECK(rejects > 50000 * 6 / 100);
    CHECK(rejects < 50000 * 10 / 100);
    CHECK(v6 > 50000 * 2 / 100);
    CHECK(v6 < 50000 * 4 / 100);

    o.reject_share = 0;
    o.scanner = false;
    o.ipv6_share = 0;
    const Table quiet = parse(generate_to_string(o), o.fields);
    for (const auto& r : quiet.rows) {
        CHECK(r[1] != "REJECT");
        CHECK(r[0].find(':') == std::string_view::npos);
    }
}

TEST_CASE("generator.time_order") {
    // Windows follow one another: per interface, no record starts a whole window before one
    // already written.
    GeneratorOptions o = with(20000, 4);
    const Table t = parse(generate_to_string(o), kDefaultFields);
    std::map<std::string_view, int64_t> latest;
    for (const auto& r : t.rows) {
        const auto start = static_cast<int64_t>(to_u64(r[10]));
        int64_t& l = latest[r[2]];
        CHECK(start > l - static_cast<int64_t>(o.window_seconds));
        l = std::max(l, start);
    }
    CHECK(latest.size() == 40);
}

TEST_CASE("generator.windows") {
    // Every record stays inside one aggregation window and inside the requested period, whatever
    // the period and window lengths (including a period shorter than a window, or not a multiple).
    struct Case {
        uint32_t duration, window;
        uint64_t records;
    };
    for (const Case c : {Case{3600, 600, 5000}, Case{1, 60, 300}, Case{3601, 60, 4000}, Case{59, 60, 20000},
                         Case{86400, 60, 1000}, Case{0, 0, 100}}) {
        CAPTURE(c.duration);
        CAPTURE(c.window);
        GeneratorOptions o = with(c.records, 2);
        o.duration_seconds = c.duration;
        o.window_seconds = c.window;
        o.start_time = 1600000000;
        const Table t = parse(generate_to_string(o), kDefaultFields);
        CHECK(t.rows.size() == c.records);
        const int64_t window = std::max<int64_t>(1, c.window);
        const int64_t last = o.start_time + std::max<int64_t>(1, c.duration);
        for (const auto& r : t.rows) {
            const auto start = static_cast<int64_t>(to_u64(r[10])), end = static_cast<int64_t>(to_u64(r[11]));
            CHECK(start >= o.start_time);
            CHECK(end < last);
            CHECK(start <= end);
            CHECK((start - o.start_time) / window == (end - o.start_time) / window);
        }
    }
}

TEST_CASE("generator.stable_bytes") {
    // Golden files and benchmarks depend on these exact bytes on every compiler and standard
    // library (GCC, Clang, Emscripten/libc++ agree). A deliberate change to the generator updates
    // these digests, and regenerates the golden files, in the same commit.
    auto fnv1a = [](std::string_view s) {
        uint64_t h = 0xcbf29ce484222325ULL;
        for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
        return h;
    };
    CHECK(fnv1a(generate_to_string(with(3000, 1))) == 0x63c968bc8a51e164ULL);
    GeneratorOptions o = with(3000, 2);
    o.fields = kV5Fields;
    CHECK(fnv1a(generate_to_string(o)) == 0xe06bfc91b8106fd1ULL);
}
