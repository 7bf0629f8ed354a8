// The record parser against AWS's documented examples (FLOWLOGS.md) and against bad input.
#include <doctest/doctest.h>

#include <sstream>

#include "flowlens/generator.hpp"
#include "flowlens/input_decoder.hpp"
#include "flowlens/ip_address.hpp"
#include "parser_sink.hpp"
#include "flowlens/record_parser.hpp"
#include "flowlens/text.hpp"

using namespace flowlens;

namespace {

struct Fixture {
    Store store;
    IngestReport report;
    Fixture() { report.files.push_back({}); store.add_file("test.log"); store.begin_file(0); }

    RecordParser parser(std::vector<std::string> fields = {}) { return RecordParser(store, report, 0, std::move(fields)); }

    void feed(RecordParser& p, std::string_view text) {
        std::istringstream in{std::string(text)};
        std::string line;
        uint64_t n = 0;
        while (std::getline(in, line)) p.line(line, ++n);
        p.flush();
        store.pad_columns();
    }
    // The printed value of `field` in `row`, "-" for null, "<absent>" when no such column.
    std::string value(size_t row, std::string_view field) const {
        const Column* c = store.find(field);
        if (!c) return "<absent>";
        if (c->is_null(row)) return "-";
        switch (c->kind) {
            case FieldKind::Address: return to_string(store.addresses().address(c->code(row)));
            case FieldKind::Enum:
            case FieldKind::Text: return std::string(c->dict.value(c->code(row)));
            default: return std::to_string(c->number(row));
        }
    }
};

constexpr std::string_view kDocumentedDefault =
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n"
    "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK\n"
    "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA\n"
    "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA\n"
    "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK\n"
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK\n"
    "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK\n";

constexpr std::string_view kV5Format =
    "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id "
    "instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr "
    "pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status";

constexpr std::string_view kV5Records =
    "5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 "
    "subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 "
    "52.95.128.179 10.0.0.71 S3 - - ingress OK\n"
    "5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 "
    "subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 "
    "10.0.0.71 52.95.128.179 - S3 8 egress OK\n";

void check_documented_default(const Fixture& f) {
    REQUIRE(f.store.rows() == 7);
    CHECK(f.report.bad_lines() == 0);
    // SSH accepted.
    CHECK(f.value(0, "version") == "2");
    CHECK(f.value(0, "account-id") == "123456789010");
    CHECK(f.value(0, "interface-id") == "eni-1235b8ca123456789");
    CHECK(f.value(0, "srcaddr") == "172.31.16.139");
    CHECK(f.value(0, "dstaddr") == "172.31.16.21");
    CHECK(f.value(0, "srcport") == "20641");
    CHECK(f.value(0, "dstport") == "22");
    CHECK(f.value(0, "protocol") == "6");
    CHECK(f.value(0, "packets") == "20");
    CHECK(f.value(0, "bytes") == "4249");
    CHECK(f.value(0, "start") == "1418530010");
    CHECK(f.value(0, "end") == "1418530070");
    CHECK(f.value(0, "action") == "ACCEPT");
    CHECK(f.value(0, "log-status") == "OK");
    // RDP rejected.
    CHECK(f.value(1, "srcaddr") == "172.31.9.69");
    CHECK(f.value(1, "dstport") == "3389");
    CHECK(f.value(1, "action") == "REJECT");
    // NODATA: every traffic field absent (null, not zero), times kept.
    for (auto field : {"srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "action"})
        CHECK_MESSAGE(f.value(2, field) == "-", field);
    CHECK(f.value(2, "start") == "1431280876");
    CHECK(f.value(2, "end") == "1431280934");
    CHECK(f.value(2, "log-status") == "NODATA");
    // SKIPDATA on another interface.
    CHECK(f.value(3, "interface-id") == "eni-11111111aaaaaaaaa");
    CHECK(f.value(3, "log-status") == "SKIPDATA");
    CHECK(f.value(3, "bytes") == "-");
    // Ping allowed in, its reply rejected (network ACL symptom).
    CHECK(f.value(4, "srcaddr") == "203.0.113.12");
    CHECK(f.value(4, "protocol") == "1");
    CHECK(f.value(4, "srcport") == "0");
    CHECK(f.value(4, "bytes") == "336");
    CHECK(f.value(4, "action") == "ACCEPT");
    CHECK(f.value(5, "srcaddr") == "172.31.16.139");
    CHECK(f.value(5, "start") == "1432917094");
    CHECK(f.value(5, "action") == "REJECT");
    // IPv6 SSH accepted.
    CHECK(f.value(6, "srcaddr") == "2001:db8:1234:a100:8d6e:3477:df66:f105");
    CHECK(f.value(6, "dstaddr") == "2001:db8:1234:a102:3304:8879:34cf:4071");
    CHECK(f.value(6, "packets") == "54");
    CHECK(f.value(6, "bytes") == "8855");
    CHECK(f.value(6, "end") == "1477913820");
}

void check_documented_v5(const Fixture& f) {
    REQUIRE(f.store.rows() == 2);
    CHECK(f.report.bad_lines() == 0);
    CHECK(f.value(0, "version") == "5");
    CHECK(f.value(0, "srcaddr") == "52.95.128.179");
    CHECK(f.value(0, "dstaddr") == "10.0.0.71");
    CHECK(f.value(0, "srcport") == "80");
    CHECK(f.value(0, "dstport") == "34210");
    CHECK(f.value(0, "type") == "IPv4");
    CHECK(f.value(0, "packets") == "14");
    CHECK(f.value(0, "bytes") == "15044");
    CHECK(f.value(0, "account-id") == "123456789012");
    CHECK(f.value(0, "vpc-id") == "vpc-abcdefab012345678");
    CHECK(f.value(0, "subnet-id") == "subnet-aaaaaaaa012345678");
    CHECK(f.value(0, "instance-id") == "i-0c50d5961bcb2d47b");
    CHECK(f.value(0, "region") == "ap-southeast-2");
    CHECK(f.value(0, "az-id") == "apse2-az3");
    CHECK(f.value(0, "sublocation-type") == "-");
    CHECK(f.value(0, "sublocation-id") == "-");
    CHECK(f.value(0, "tcp-flags") == "19");
    CHECK(f.value(0, "pkt-srcaddr") == "52.95.128.179");
    CHECK(f.value(0, "pkt-src-aws-service") == "S3");
    CHECK(f.value(0, "pkt-dst-aws-service") == "-");
    CHECK(f.value(0, "traffic-path") == "-");  // ingress: no traffic path
    CHECK(f.value(0, "flow-direction") == "ingress");
    CHECK(f.value(1, "tcp-flags") == "3");
    CHECK(f.value(1, "pkt-dst-aws-service") == "S3");
    CHECK(f.value(1, "traffic-path") == "8");
    CHECK(f.value(1, "flow-direction") == "egress");
    CHECK(f.value(1, "log-status") == "OK");
}

}  // namespace

TEST_CASE("record_parser.documented_default_examples") {
    SUBCASE("inferred: no header, no field list") {
        Fixture f;
        auto p = f.parser();
        f.feed(p, kDocumentedDefault);
        check_documented_default(f);
        CHECK(p.headers() == 0);
    }
    SUBCASE("with an S3 header line") {
        Fixture f;
        auto p = f.parser();
        f.feed(p, std::string("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
                              "start end action log-status\n") + std::string(kDocumentedDefault));
        check_documented_default(f);
        CHECK(p.headers() == 1);
    }
}

TEST_CASE("record_parser.documented_v5_examples") {
    SUBCASE("with a header") {
        Fixture f;
        auto p = f.parser();
        f.feed(p, std::string(kV5Format) + "\n" + std::string(kV5Records));
        check_documented_v5(f);
    }
    SUBCASE("with an explicit field list in AWS's ${…} format-string form") {
        std::string format;
        for (char c : kV5Format) format += c;
        std::vector<std::string> fields;
        std::string aws_style;
        std::istringstream in(format);
        std::string w;
        while (in >> w) aws_style += "${" + w + "} ";
        REQUIRE_FALSE(parse_field_list(aws_style, fields));
        REQUIRE(fields.size() == 29);
        Fixture f;
        auto p = f.parser(fields);
        f.feed(p, kV5Records);
        check_documented_v5(f);
    }
    SUBCASE("inferred from the values alone") {
        Fixture f;
        auto p = f.parser();
        f.feed(p, kV5Records);
        check_documented_v5(f);
    }
}

TEST_CASE("record_parser.tolerant_spacing") {
    Fixture f;
    auto p = f.parser();
    f.feed(p,
           "\xEF\xBB\xBF"  // a BOM is the decoder's job; the parser treats it as a bad token
           "\n"
           "   \n"
           "# a comment line\n"
           "2  123456789010\teni-1   10.0.0.1 10.0.0.2 1 2 6 3 4 1418530010 1418530070 ACCEPT OK   #comment tail\r\n"
           "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 3 4 1418530010000 1418530070000 accept ok\n");
    // Line 1 holds only the BOM: one bad line, everything else parses.
    CHECK(f.report.bad_lines() == 1);
    REQUIRE(f.store.rows() == 2);
    CHECK(f.value(0, "interface-id") == "eni-1");
    CHECK(f.value(0, "bytes") == "4");
    CHECK(f.value(0, "log-status") == "OK");
    // Milliseconds become seconds; lower-case enumerations are stored canonically.
    CHECK(f.value(1, "start") == "1418530010");
    CHECK(f.value(1, "end") == "1418530070");
    CHECK(f.value(1, "action") == "ACCEPT");
    CHECK(f.value(1, "log-status") == "OK");
}

TEST_CASE("record_parser.bad_lines_are_counted_and_skipped") {
    Fixture f;
    auto p = f.parser();
    const std::string good = "2 123456789010 eni-a 10.0.0.1 10.0.0.2 443 49152 6 10 1000 1418530010 1418530070 ACCEPT OK\n";
    std::string input = good;
    input += "2 123456789010 eni-a 10.0.0.1 10.0.0.2 443 49152 6 10 1000 1418530010 1418530070 ACCEPT\n";          // 2 field count
    input += "2 123456789010 eni-a 10.0.0.1 10.0.0.2 443 70000 6 10 1000 1418530010 1418530070 ACCEPT OK\n";       // 3 port range
    input += "2 123456789010 eni-a 10.0.0.1 10.0.0.999 443 22 6 10 1000 1418530010 1418530070 ACCEPT OK\n";        // 4 address
    input += "2 123456789010 eni-a 10.0.0.1 10.0.0.2 443 22 6 10 99999999999999999999999 1418530010 1418530070 ACCEPT OK\n";  // 5 overflow
    input += "2 123456789010 eni-a 10.0.0.1 10.0.0.2 443 22 six 10 1000 1418530010 1418530070 ACCEPT OK\n";        // 6 number
    input += "2 123456789010 eni-a 10.0.0.1 10.0.0.2 443 22 6 10 1000 1418530010 1418530070 MAYBE OK\n";           // 7 enum
    input += "2 123456789010 eni-a 10.0.0.1 10.0.0.2 443 22 300 10 1000 1418530010 1418530070 ACCEPT OK\n";        // 8 range
    input += std::string("2 1234\x01\x02\x03 junk\n");                                                           // 9 binary
    input += "2 123456789010 eni-a 10.0.0.1 10.0.0.2 443 22 6 10 1000 14185300x0 1418530070 ACCEPT OK\n";          // 10 time
    input += good;                                                                                              // 11
    f.feed(p, input);
    CHECK(f.store.rows() == 2);
    CHECK(f.report.bad_lines() == 9);
    CHECK(f.report.count(BadLineReason::FieldCount) == 1);
    CHECK(f.report.count(BadLineReason::PortRange) == 1);
    CHECK(f.report.count(BadLineReason::BadAddress) == 1);
    CHECK(f.report.count(BadLineReason::CounterOverflow) == 1);
    CHECK(f.report.count(BadLineReason::BadNumber) == 1);
    CHECK(f.report.count(BadLineReason::BadEnum) == 1);
    CHECK(f.report.count(BadLineReason::ValueRange) == 1);
    CHECK(f.report.count(BadLineReason::Binary) == 1);
    CHECK(f.report.count(BadLineReason::BadTime) == 1);
    // Examples say where and why.
    const auto& ex = f.report.examples();
    REQUIRE(ex.size() == 9);
    CHECK(ex[0].line == 2);
    CHECK(ex[0].detail.find("13 fields, the format has 14") != std::string::npos);
    CHECK(ex[1].line == 3);
    CHECK(ex[1].detail == "dstport: '70000' is above 65535");
    CHECK(ex[2].detail == "dstaddr: '10.0.0.999' is not an IPv4 or IPv6 address");
    CHECK(ex[3].detail.find("does not fit in 64 bits") != std::string::npos);
    CHECK(ex[7].line == 9);
    CHECK(ex[7].text.find('\x01') == std::string::npos);  // control bytes never reach a message
    // The good lines around them are intact and no partial row was left behind.
    CHECK(f.value(1, "bytes") == "1000");
    for (const auto& c : f.store.columns()) CHECK(c->size() == 2);
}

TEST_CASE("record_parser.counters_are_64_bit") {
    Fixture f;
    auto p = f.parser();
    f.feed(p, "2 1 eni-a 10.0.0.1 10.0.0.2 1 2 6 4294967295 18446744073709551615 1 2 ACCEPT OK\n"
              "2 1 eni-a 10.0.0.1 10.0.0.2 1 2 6 4294967294 4294967296 1 2 ACCEPT OK\n");
    REQUIRE(f.store.rows() == 2);
    CHECK(f.value(0, "packets") == "4294967295");
    CHECK(f.value(0, "bytes") == "18446744073709551615");
    CHECK(f.value(1, "packets") == "4294967294");
    CHECK(f.value(1, "bytes") == "4294967296");
}

TEST_CASE("record_parser.layouts") {
    SUBCASE("a header in mid-file switches the layout (concatenated files)") {
        Fixture f;
        auto p = f.parser();
        f.feed(p, "srcaddr dstaddr bytes\n10.0.0.1 10.0.0.2 100\n"
                  "dstport action custom-thing\n443 REJECT hello\n");
        REQUIRE(f.store.rows() == 2);
        CHECK(f.value(0, "bytes") == "100");
        CHECK(f.value(0, "dstport") == "-");
        CHECK(f.value(1, "srcaddr") == "-");
        CHECK(f.value(1, "dstport") == "443");
        CHECK(f.value(1, "action") == "REJECT");
        // A field FlowLens does not know is kept as text, not an error.
        CHECK(f.value(1, "custom-thing") == "hello");
        CHECK(f.store.find("custom-thing")->kind == FieldKind::Text);
        CHECK(p.headers() == 2);
    }
    SUBCASE("rows before a header that cannot be used keep their values") {
        // The rows were staged under the old layout, not yet written (they go in batches) when
        // the header dropped it: they were written with no values at all (found by fuzz_lines).
        // A field named twice, or more fields than any layout has.
        std::string too_many = "version";
        for (size_t i = 0; i < RecordParser::kMaxFields; ++i) too_many += " srcaddr";
        for (const std::string& header : {std::string("version srcaddr version"), too_many}) {
            CAPTURE(header.substr(0, 40));
            Fixture f;
            auto p = f.parser();
            f.feed(p, "version srcaddr\n2 10.0.0.1\n3 10.0.0.2\n" + header + "\n4 10.0.0.3\n");
            REQUIRE(f.store.rows() == 2);
            CHECK(f.value(0, "version") == "2");
            CHECK(f.value(0, "srcaddr") == "10.0.0.1");
            CHECK(f.value(1, "srcaddr") == "10.0.0.2");
            CHECK(p.file_error().find("header line 4") != std::string::npos);
            CHECK(f.report.count(BadLineReason::UnknownFormat) == 1);  // the line after it
        }
    }
    SUBCASE("a layout that cannot be inferred says what to pass") {
        Fixture f;
        auto p = f.parser();
        f.feed(p, "10.0.0.1 10.0.0.2 100\n10.0.0.3 10.0.0.4 200\n");
        CHECK(f.store.rows() == 0);
        CHECK(f.report.count(BadLineReason::UnknownFormat) == 2);
        CHECK(p.file_error().find("--fields") != std::string::npos);
        CHECK(p.file_error().find("line 1") != std::string::npos);
    }
    SUBCASE("an explicit field list for header-less data") {
        Fixture f;
        auto p = f.parser({"srcaddr", "dstaddr", "bytes"});
        f.feed(p, "10.0.0.1 10.0.0.2 100\n2001:DB8::0001 ::ffff:10.1.1.1 200\n");
        REQUIRE(f.store.rows() == 2);
        CHECK(f.value(1, "srcaddr") == "2001:db8::1");
        CHECK(f.value(1, "dstaddr") == "::ffff:10.1.1.1");
    }
    SUBCASE("field lists") {
        std::vector<std::string> out;
        CHECK_FALSE(parse_field_list("version, srcaddr ,dstaddr", out));
        CHECK(out == std::vector<std::string>{"version", "srcaddr", "dstaddr"});
        CHECK(*parse_field_list("srcaddr srcaddr", out) == "field list: 'srcaddr' is named twice");
        CHECK(*parse_field_list("  ", out) == "field list is empty");
        CHECK(parse_field_list("src<addr", out).has_value());
    }
    SUBCASE("header detection") {
        CHECK(looks_like_header("version account-id interface-id"));
        CHECK(looks_like_header("${version} ${srcaddr}"));
        CHECK_FALSE(looks_like_header("2 123456789010 eni-1"));
        CHECK_FALSE(looks_like_header("ACCEPT OK"));
        CHECK_FALSE(looks_like_header(""));
    }
}

TEST_CASE("record_parser.enum_value_limit") {
    Fixture f;
    auto p = f.parser({"type"});
    std::string input;
    for (int i = 0; i < 300; ++i) input += "t" + std::to_string(i) + "\n";
    f.feed(p, input);
    CHECK(f.store.rows() == 255);
    CHECK(f.report.count(BadLineReason::BadEnum) == 45);
}

// The tokenizer reads eight bytes at a time: a control byte or DEL anywhere in a line (inside a
// long token, at a word's edge, in the tail) makes it binary; bytes from 0x80 up are token
// bytes; space, tab and CR separate, whatever their position in the 8-byte word.
TEST_CASE("record_parser.tokenizer_positions") {
    const std::string good =
        "2 123456789010 eni-0123456789abcdef0 10.0.0.1 10.0.0.2 443 49152 6 10 1000 1418530010 1418530070 ACCEPT OK";
    for (char bad : {'\x01', '\x00', '\x0b', '\x0c', '\x1f', '\x7f', '\n'}) {
        Fixture f;
        auto p = f.parser();
        p.line(good, 1);
        uint64_t n = 1;
        for (size_t pos = 0; pos <= good.size(); ++pos) {
            std::string line = good;
            line.insert(pos, 1, bad);
            p.line(line, ++n);
        }
        p.flush();
        CAPTURE(static_cast<int>(bad));
        CHECK(f.report.count(BadLineReason::Binary) == good.size() + 1);
        CHECK(f.store.rows() == 1);
    }
    {
        // Every separator after every byte: a token split in two (field count) or a doubled
        // separator (still a good record).
        Fixture f;
        auto p = f.parser();
        uint64_t n = 0, good_rows = 0, split = 0;
        for (char sep : {' ', '\t', '\r'})
            for (size_t pos = 0; pos <= good.size(); ++pos) {
                std::string line = good;
                line.insert(pos, 1, sep);
                const bool splits = pos > 0 && pos < good.size() && good[pos - 1] != ' ' && good[pos] != ' ';
                p.line(line, ++n);
                (splits ? split : good_rows) += 1;
            }
        p.flush();
        CHECK(f.report.count(BadLineReason::FieldCount) == split);
        CHECK(f.store.rows() == good_rows);
        CHECK(f.report.count(BadLineReason::Binary) == 0);
    }
    {
        // UTF-8 inside a long text token is data, and a '#' inside a token is not a comment.
        Fixture f;
        auto p = f.parser();
        p.line("2 123456789010 eni-\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9#x 10.0.0.1 10.0.0.2 443 49152 6 10 1000 1418530010 "
               "1418530070 ACCEPT OK",
               1);
        p.line("2 123456789010 eni-a 10.0.0.1 10.0.0.2 443 49152 6 10 1000 1418530010 1418530070 ACCEPT OK #\x01 tail", 2);
        p.flush();
        f.store.pad_columns();
        REQUIRE(f.store.rows() == 2);
        CHECK(f.value(0, "interface-id") == "eni-\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9#x");
        CHECK(f.value(1, "interface-id") == "eni-a");
        CHECK(f.report.bad_lines() == 0);
    }
}

// The per-column cache of the last text or enum value: repeated, alternating and case-varied
// values get the codes a dictionary look-up gives, within a file and across files that share
// the store (a new parser per file, the same dictionaries).
TEST_CASE("record_parser.value_cache_across_rows_and_files") {
    Fixture f;
    const std::string head = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
                             "start end action log-status\n";
    auto row = [](std::string_view eni, std::string_view action, std::string_view addr) {
        return "2 123456789010 " + std::string(eni) + " " + std::string(addr) + " 10.0.0.2 443 49152 6 10 1000 " +
               "1418530010 1418530070 " + std::string(action) + " OK\n";
    };
    {
        auto p = f.parser();
        f.feed(p, head + row("eni-a", "ACCEPT", "10.0.0.1") + row("eni-a", "accept", "10.0.0.1") +
                      row("eni-b", "REJECT", "10.0.0.3") + row("eni-a", "Reject", "::ffff:10.0.0.1") +
                      row("eni-a", "ACCEPT", "10.0.0.1"));
    }
    f.report.files.push_back({});
    f.store.begin_file(f.store.add_file("second.log"));
    {
        RecordParser p(f.store, f.report, 1, {});
        f.feed(p, head + row("eni-b", "reject", "10.0.0.3") + row("eni-c", "ACCEPT", "10.0.0.1") +
                      row("eni-a", "accept", "10.0.0.3"));
    }
    REQUIRE(f.store.rows() == 8);
    const char* eni[] = {"eni-a", "eni-a", "eni-b", "eni-a", "eni-a", "eni-b", "eni-c", "eni-a"};
    const char* action[] = {"ACCEPT", "ACCEPT", "REJECT", "REJECT", "ACCEPT", "REJECT", "ACCEPT", "ACCEPT"};
    const char* addr[] = {"10.0.0.1", "10.0.0.1", "10.0.0.3", "::ffff:10.0.0.1", "10.0.0.1", "10.0.0.3", "10.0.0.1", "10.0.0.3"};
    for (size_t r = 0; r < 8; ++r) {
        CAPTURE(r);
        CHECK(f.value(r, "interface-id") == eni[r]);
        CHECK(f.value(r, "action") == action[r]);
        CHECK(f.value(r, "srcaddr") == addr[r]);
    }
    const Column* iface = f.store.find("interface-id");
    CHECK(iface->dict.size() == 4);  // null + 3 values: each interned once
    CHECK(iface->code(0) == iface->code(7));
    CHECK(f.store.find("action")->dict.size() == 3);
    CHECK(f.store.addresses().size() == 5);  // null, 10.0.0.1, 10.0.0.2, 10.0.0.3, ::ffff:10.0.0.1
}

// The fast path compares a text or enum field with the value cached from the line before, 8
// bytes at a time, before it finds the token's end: a token that only starts like the cached
// one, or is cut short of it, or differs in any one byte, is not it. Tokens of every length
// around the words' and the cache's limits (7-9, 15-17, 31-33 bytes), each followed by every
// variant; read line by line and from the chunk (the lane), the rows must hold exactly the
// tokens.
TEST_CASE("record_parser.value_cache_compares_whole_tokens") {
    std::vector<std::string> tokens;
    for (size_t len : {1u, 2u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 32u, 33u}) {
        std::string base;
        for (size_t i = 0; i < len; ++i) base += static_cast<char>('a' + i % 26);
        tokens.push_back(base);
        tokens.push_back(base);  // a hit
        tokens.push_back(base + "x");  // longer: the cached one is its prefix
        if (len > 1) tokens.push_back(base.substr(0, len - 1));  // shorter
        tokens.push_back(base);
        for (size_t pos = 0; pos < len; ++pos) {
            std::string other = base;
            other[pos] = 'Z';
            tokens.push_back(other);
            tokens.push_back(base);
        }
    }
    std::string text = "interface-id action bytes\n";
    const char* actions[] = {"ACCEPT", "accept", "ACCEPT", "REJECT", "Reject", "reject", "ACCEPT"};
    for (size_t i = 0; i < tokens.size(); ++i)
        text += tokens[i] + (i % 3 == 0 ? "\t" : " ") + actions[i % 7] + (i % 5 == 0 ? " " : "  ") + "123\n";
    for (bool lane : {false, true}) {
        CAPTURE(lane);
        Fixture f;
        RecordParser p = f.parser();
        if (lane) {
            test::decode_into(p, f.report, text, text.size(), true);
            f.store.pad_columns();
        } else {
            f.feed(p, text);
        }
        CHECK(f.report.bad_lines() == 0);
        REQUIRE(f.store.rows() == tokens.size());
        for (size_t r = 0; r < tokens.size(); ++r) {
            CAPTURE(r);
            CHECK(f.value(r, "interface-id") == tokens[r]);
            CHECK(f.value(r, "action") == (r % 7 >= 3 && r % 7 <= 5 ? "REJECT" : "ACCEPT"));
            CHECK(f.value(r, "bytes") == "123");
        }
    }
}

// Numbers are read eight digits at a time when the line has room: every length from 1 to 20
// digits, at the end of the line (no room past the token) and inside it, with a bad byte at
// each position, gives what parse_u64 gives.
TEST_CASE("record_parser.numbers_of_every_length") {
    for (bool last : {true, false}) {
        Fixture f;
        auto p = last ? f.parser({"version", "bytes"}) : f.parser({"bytes", "version"});
        auto line = [&](const std::string& number) { return last ? "2 " + number : number + " 2"; };
        std::vector<std::string> expect;  // the value of each good row
        uint64_t n = 0, bad = 0;
        std::string digits = "98765432109876543210";
        for (size_t len = 1; len <= 20; ++len) {
            for (const std::string& number : {digits.substr(20 - len), std::string(len, '9'), std::string(len, '0'),
                                              "1" + std::string(len - 1, '0')}) {
                CAPTURE(number);
                p.line(line(number), ++n);
                if (auto v = parse_u64(number)) expect.push_back(std::to_string(*v));
                else ++bad;
                for (size_t pos = 0; pos < len; ++pos)
                    for (char junk : {'/', ':', 'a', '-', '\x80', '.', '\xff'}) {
                        std::string broken = number;
                        broken[pos] = junk;
                        p.line(line(broken), ++n);
                        if (broken == "-") expect.push_back("-");  // null, not bad
                        else ++bad;
                    }
            }
        }
        p.flush();
        f.store.pad_columns();
        CAPTURE(last);
        CHECK(f.report.bad_lines() == bad);
        REQUIRE(f.store.rows() == expect.size());
        for (size_t r = 0; r < expect.size(); ++r) CHECK(f.value(r, "bytes") == expect[r]);
    }
}

// Addresses read as they come, their token's end found on the way (fast_field): every dotted
// quad below, and each with a byte replaced, inserted or taken out at every position, then each
// separator and a control byte, with a long rest of the line after it and at the line's end.
// Expected from parse_ip on the token: the address, null for "-", else a bad line.
TEST_CASE("record_parser.addresses_inside_a_line") {
    std::vector<std::string> tokens;
    for (const std::string a : {"10.0.0.1", "255.255.255.255", "0.0.0.0", "172.31.16.139", "1.2.3.4"}) {
        tokens.push_back(a);
        for (size_t pos = 0; pos <= a.size(); ++pos) {
            for (char c : {'.', '0', '9', '5', 'a', ':', '/', '-', '\x80'}) {
                if (pos < a.size()) tokens.push_back(std::string(a).replace(pos, 1, 1, c));
                tokens.push_back(std::string(a).insert(pos, 1, c));
            }
            if (pos < a.size()) tokens.push_back(std::string(a).erase(pos, 1));
        }
    }
    tokens.push_back("-");
    for (bool last : {false, true}) {
        Fixture f;
        auto p = last ? f.parser({"packets", "srcaddr"}) : f.parser({"srcaddr", "packets", "interface-id"});
        std::vector<std::string> expect;
        uint64_t n = 0, bad = 0, binary = 0;
        for (const std::string& token : tokens)
            for (char sep : {' ', '\t', '\r', '\x01'}) {
                CAPTURE(token);
                CAPTURE(static_cast<int>(sep));
                // At the line's end, the separator is a trailing blank (no field after it).
                p.line(last ? "12 " + token + sep : token + sep + "12345678 eni-0123456789abcdef0", ++n);
                if (sep == '\x01') ++binary;
                else if (token == "-") expect.push_back("-");
                else if (const auto a = parse_ip(token)) expect.push_back(to_string(*a));
                else ++bad;
            }
        p.flush();
        f.store.pad_columns();
        CAPTURE(last);
        CHECK(f.report.count(BadLineReason::Binary) == binary);
        CHECK(f.report.bad_lines() == bad + binary);
        REQUIRE(f.store.rows() == expect.size());
        for (size_t r = 0; r < expect.size(); ++r) CHECK(f.value(r, "srcaddr") == expect[r]);
    }
}

// The parser knows the last dotted quads it read by their text (RecordParser::recent_text_):
// addresses of every length from 7 to 15 bytes, each a prefix or an extension of others (the
// 8-byte word boundary falls inside, at and after them), as srcaddr and dstaddr in every order,
// with junk that starts like a known one, a bad line in between, and lines short enough that
// the rest of the line is under 16 bytes. Read line by line, and from chunks (the decoder's
// lane); every value against parse_ip.
TEST_CASE("record_parser.recent_addresses_read_by_their_text") {
    const std::vector<std::string> addresses = {
        "1.2.3.4",      "1.2.3.45",      "1.2.3.40",      "10.2.3.45",      "10.20.3.45",
        "10.20.30.45",  "100.20.30.45",  "100.200.30.45", "100.200.250.45", "100.200.250.245",
        "10.20.30.46",  "100.200.31.45", "100.200.250.246",  // as long as one above, other past byte 8
        "1.2.3.4x",     "1.2.3.4.5",     "100.200.250.2455", "1.2.3.456",   "1.2.3.4\x80",
    };
    std::string text;
    std::vector<std::pair<std::string, std::string>> expect;
    size_t bad = 0;
    const auto add = [&](const std::string& a, const std::string& b, const std::string& rest) {
        text += a + " " + b + rest + "\n";
        const auto x = parse_ip(a), y = parse_ip(b);
        if (x && y) expect.emplace_back(to_string(*x), to_string(*y));
        else ++bad;
    };
    for (size_t i = 0; i < addresses.size(); ++i)
        for (size_t j = 0; j < addresses.size(); ++j) {
            add(addresses[i], addresses[j], " 12 eni-0123456789abcdef0");
            add(addresses[j], addresses[i], " 7 -");  // swapped, and little after them
            add(addresses[(i + j) % addresses.size()], addresses[i], "\t12\t\teni-0123456789abcdef0 ");
        }
    // A bad line's new address is taken back, and its id given to the next new one: the address
    // read again must be itself, not what now has its id.
    for (int k = 0; k < 20; ++k) {
        const std::string fresh = "9.9.9." + std::to_string(k), other = "8.8.8." + std::to_string(k);
        add(fresh, "1.2.3.4x", " 12 eni-0123456789abcdef0");
        add(other, other, " 12 eni-0123456789abcdef0");
        add(fresh, other, " 12 eni-0123456789abcdef0");
    }
    for (size_t chunk : {size_t{0}, size_t{64}, size_t{4096}}) {
        CAPTURE(chunk);
        Fixture f;
        auto p = f.parser({"srcaddr", "dstaddr", "packets", "interface-id"});
        if (chunk == 0) f.feed(p, text);
        else test::decode_into(p, f.report, text, chunk, true);
        f.store.pad_columns();
        CHECK(f.report.bad_lines() == bad);
        REQUIRE(f.store.rows() == expect.size());
        for (size_t r = 0; r < expect.size(); ++r) {
            CAPTURE(r);
            CHECK(f.value(r, "srcaddr") == expect[r].first);
            CHECK(f.value(r, "dstaddr") == expect[r].second);
        }
        CHECK(test::values_no_row_uses(f.store).empty());
    }
}

// Numbers with a long rest of the line after them (where the parser reads 8 or 16 bytes at
// once): every length up to 17, a junk byte at every position, each ending before every
// separator and a control byte, in a Counter, a Time (from 2^31 on milliseconds, divided by
// 1000; beyond 2106 bad), a Port (at most 65535) and a Small (at most 255) column. Expected
// values come from parse_u64 and the column's rule.
TEST_CASE("record_parser.numbers_inside_a_line") {
    struct Case {
        const char* field;
        std::optional<uint64_t> (*value)(uint64_t);  // what the column keeps of a number, if any
    };
    const Case cases[] = {
        {"bytes", [](uint64_t v) -> std::optional<uint64_t> { return v; }},
        {"start",
         [](uint64_t v) -> std::optional<uint64_t> {
             const uint64_t t = v >= (uint64_t{1} << 31) ? v / 1000 : v;
             return t <= 0xFFFFFFFEu ? std::optional<uint64_t>(t) : std::nullopt;
         }},
        {"srcport", [](uint64_t v) { return v <= 65535 ? std::optional<uint64_t>(v) : std::nullopt; }},
        {"protocol", [](uint64_t v) { return v <= 255 ? std::optional<uint64_t>(v) : std::nullopt; }},
    };
    for (const Case& c : cases) {
        Fixture f;
        auto p = f.parser({c.field, "packets", "interface-id"});
        std::vector<std::string> expect;
        uint64_t n = 0, bad = 0, binary = 0;
        const std::string digits = "98765432109876543";
        for (size_t len = 1; len <= digits.size(); ++len) {
            std::vector<std::string> numbers = {digits.substr(digits.size() - len), std::string(len, '0'),
                                                "1" + std::string(len - 1, '0'), std::string(len, '9')};
            if (len == 10)  // times around 2^31 and 2^32: seconds up to 2^31 - 1, then milliseconds
                for (const char* t : {"2147483647", "2147483648", "4294967295", "4294967296", "3000000000"})
                    numbers.push_back(t);
            for (size_t pos = 0; pos < len; ++pos)
                for (char junk : {'/', ':', 'a', '-', '\x80', '.', '#'}) {
                    std::string broken = digits.substr(digits.size() - len);
                    broken[pos] = junk;
                    numbers.push_back(broken);
                }
            for (const std::string& number : numbers)
                for (char sep : {' ', '\t', '\r', '\x01'}) {
                    CAPTURE(number);
                    CAPTURE(static_cast<int>(sep));
                    p.line(number + sep + "12345678 eni-0123456789abcdef0", ++n);
                    const auto v = parse_u64(number);
                    if (number[0] == '#') continue;  // a comment line, control byte and all
                    if (sep == '\x01') ++binary;
                    else if (number == "-") expect.push_back("-");
                    else if (const auto kept = v ? c.value(*v) : std::nullopt) expect.push_back(std::to_string(*kept));
                    else ++bad;
                }
        }
        p.flush();
        f.store.pad_columns();
        CAPTURE(c.field);
        CHECK(f.report.count(BadLineReason::Binary) == binary);
        CHECK(f.report.bad_lines() == bad + binary);
        REQUIRE(f.store.rows() == expect.size());
        for (size_t r = 0; r < expect.size(); ++r) {
            CHECK(f.value(r, c.field) == expect[r]);
            CHECK(f.value(r, "packets") == "12345678");
        }
    }
}

namespace {

// Random numbers for the tests below (an LCG: the same sequence on every platform).
struct Lcg {
    uint64_t x;
    uint64_t operator()(uint64_t n) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        return (x >> 33) % n;
    }
};

// `count` generated default-format lines (no header), a third of them broken: a field replaced
// by a boundary value or junk, a byte replaced, dropped or doubled, or the line cut short.
std::vector<std::string> broken_default_lines(uint64_t count, Lcg& next) {
    GeneratorOptions g;
    g.records = count;
    g.seed = 7;
    g.header = false;
    std::vector<std::string> lines;
    {
        std::istringstream in(generate_to_string(g));
        for (std::string l; std::getline(in, l);) lines.push_back(l);
    }
    REQUIRE(lines.size() == count);
    const std::vector<std::string> values = {"256", "255", "65535", "65536", "4294967295", "4294967296", "99999999",
                                             "999999999", "18446744073709551615", "18446744073709551616", "-", "1e3",
                                             "0x10", "#", "10.0.0.1", "::1", "ACCEPT", "reject", "NODATA", "eni-1",
                                             "1700000000000", "", "x\x01y"};
    const std::string bytes = std::string("x- \t\x01#9.:") + "\xff";
    for (std::string& l : lines) {
        switch (next(8)) {
            case 0: {  // a field replaced
                std::vector<std::string> f;
                std::istringstream in(l);
                for (std::string t; in >> t;) f.push_back(t);
                f[next(f.size())] = values[next(values.size())];
                l.clear();
                for (size_t i = 0; i < f.size(); ++i) l += (i ? " " : "") + f[i];
                break;
            }
            case 1: l[next(l.size())] = bytes[next(bytes.size())]; break;
            case 2: l.erase(next(l.size()), 1); break;
            case 3: {
                const size_t at = next(l.size());
                l.insert(at, 1, l[at]);
                break;
            }
            case 4: l.resize(1 + next(l.size() - 1)); break;  // not to nothing: a blank line is no record either way
            default: break;  // kept as it is
        }
    }
    return lines;
}

}  // namespace

// The default format's kinds take a parse specialised for them (stage_kinds); any other layout
// the general loop. The same lines, good and broken, must come out the same either way: parsed
// once as the default format, and once with a 15th field appended (tcp-flags, always 5), which
// the loop reads. Broken lines: a field replaced by a boundary value or junk, a byte replaced,
// dropped or doubled, the line cut short.
TEST_CASE("record_parser.default_kinds_parse_as_the_general_loop") {
    Lcg next{12345};
    const std::vector<std::string> lines = broken_default_lines(4000, next);
    std::vector<std::string> names(default_format().begin(), default_format().end());
    Fixture special, general;
    {
        auto p = special.parser(names);
        for (size_t i = 0; i < lines.size(); ++i) p.line(lines[i], i + 1);
        p.flush();
        special.store.pad_columns();
    }
    {
        std::vector<std::string> more = names;
        more.push_back("tcp-flags");
        auto p = general.parser(more);
        for (size_t i = 0; i < lines.size(); ++i) p.line(lines[i] + " 5", i + 1);
        p.flush();
        general.store.pad_columns();
    }
    REQUIRE(special.store.rows() == general.store.rows());
    CHECK(special.store.rows() > 2000);
    CHECK(special.report.bad_lines() > 1000);
    for (size_t r = 0; r < static_cast<size_t>(BadLineReason::Count_); ++r) {
        CAPTURE(to_string(static_cast<BadLineReason>(r)));
        CHECK(special.report.count(static_cast<BadLineReason>(r)) == general.report.count(static_cast<BadLineReason>(r)));
    }
    for (size_t row = 0; row < special.store.rows(); ++row)
        for (const std::string& name : names) {
            CAPTURE(row);
            CAPTURE(name);
            CHECK(special.value(row, name) == general.value(row, name));
        }
}

using test::ParserSink;
using test::values_no_row_uses;

// take_lines reads record lines straight from the decoder's chunk, finding each line's end as it
// goes; line() gets the lines the decoder cut. Both must give the same store and report for any
// text cut into any chunks: broken lines (as above), CRLF and blanks before the newline, blank
// and comment lines, a comment after the last field, leading blanks, CloudWatch export
// timestamps (also before a line one field short, which the timestamp would fill), lines over
// the length limit (a long field, or blanks), a line's last field missing before a blank,
// headers that switch between the default format (the specialised parse) and a layout that
// starts and ends with a text field (the loop; lines starting with a letter; an empty last
// token would be text), and a last line without a newline.
// A control byte where a text field starts makes an empty token, which the value cache must not
// keep: the lane's attempt at the line leaves its cache to line()'s attempt at the same line,
// and an empty cached token was compared from 8 bytes before the line (found by fuzz_lines
// under UBSan; the sanitizer build of the tests stops there). Every chunk size, both paths.
TEST_CASE("record_parser.a_control_byte_where_a_text_field_starts") {
    const std::string text = std::string("interface-id \n") + std::string(8, '\0') + "id\r\n\xef" + "\n" +
                             "eni-1\n\x01 eni-2\neni-1\n";
    for (bool lane : {false, true})
        for (size_t chunk = 1; chunk <= text.size(); ++chunk) {
            CAPTURE(lane);
            CAPTURE(chunk);
            Fixture f;
            auto p = f.parser();
            test::decode_into(p, f.report, text, chunk, lane);
            f.store.pad_columns();
            CHECK(f.report.count(BadLineReason::Binary) == 2);
            REQUIRE(f.store.rows() == 3);
            CHECK(f.value(0, "interface-id") == "\xef");
            CHECK(f.value(1, "interface-id") == "eni-1");
            CHECK(f.value(2, "interface-id") == "eni-1");
            CHECK(test::values_no_row_uses(f.store).empty());
        }
}

TEST_CASE("record_parser.lines_taken_from_the_chunk_read_as_line_by_line") {
    Lcg next{777};
    const std::vector<std::string> lines = broken_default_lines(3000, next);
    const std::string default_header = join_words(std::vector<std::string>(default_format().begin(), default_format().end()));
    // The text-led layout: the default fields from interface-id on, tcp-flags, then version and
    // account-id (text last).
    const std::vector<size_t> order = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, SIZE_MAX, 0, 1};
    std::string custom_header;
    for (size_t i : order) custom_header += std::string(i == SIZE_MAX ? "tcp-flags" : default_format()[i]) + " ";
    std::string text = "\xEF\xBB\xBF" + default_header + "\n";
    const std::string stamp = "2023-11-14T22:15:00.000Z ";
    const std::vector<std::string> endings = {"\n", "\n", "\n", "\n", "\r\n", " \r\n", "\t\n", "\r \n", " # note\n"};
    for (size_t i = 0; i < lines.size(); ++i) {
        const bool custom = i >= 1000 && i < 2000;
        if (i == 1000) text += custom_header + "\r\n";
        if (i == 2000) text += "  " + default_header + "\n";
        std::string l = lines[i];
        if (custom) {  // the same tokens in the custom order, when there are 14 of them
            std::vector<std::string> f;
            std::istringstream in(l);
            for (std::string t; in >> t;) f.push_back(t);
            if (f.size() + 1 == order.size()) {
                l.clear();
                for (size_t k : order) l += (l.empty() ? "" : " ") + (k == SIZE_MAX ? std::to_string(next(300)) : f[k]);
            }
        }
        switch (next(32)) {
            case 0: text += "\n"; break;                            // a blank line before it
            case 1: text += " \t \n"; break;                        // blanks only
            case 2: text += "# a comment\n"; break;                 // a comment line
            case 3: l = stamp + l; break;                           // a CloudWatch export's timestamp
            case 4: l = stamp + l.substr(0, l.rfind(' ')); break;   // … before a line one field short
            case 5: l = "  " + l; break;                            // leading blanks
            case 6: l += std::string(InputDecoder::kMaxLineBytes, ' '); break;       // too long: blanks
            case 7: l.insert(l.find(' ') + 1, InputDecoder::kMaxLineBytes, 'x'); break;  // a long field
            case 8: l = l.substr(0, l.rfind(' ') + 1); break;       // the last field missing, a blank kept
            default: break;
        }
        text += l + endings[next(endings.size())];
    }
    // A layout of text fields alone, which a timestamp before a line one field short would fill.
    // Enough good lines come first for the decoder to be asking the lane again (it backs off
    // while the lane declines lines).
    text += "interface-id account-id\n" + stamp + "eni-a 1\n";
    for (int i = 0; i < 70; ++i) text += "eni-a " + std::to_string(i) + "\n";
    text += stamp + "eni-b\n" + "eni-c 2\n";
    text += stamp + "interface-id account-id\n" + "eni-e 4\n";  // a header behind a timestamp
    text += "interface-id account-id\n" "eni-d 3\n";  // a header that also reads as a record
    text += default_header + "\n" + lines.front();  // no newline at the end

    struct Result {
        Fixture f;
        uint64_t records = 0, headers = 0;
    };
    const auto load = [&](Result& r, bool lane, size_t max_chunk) {
        RecordParser p = r.f.parser();
        ParserSink sink(p, r.f.report, lane);
        InputDecoder decoder(sink);
        Lcg cut{static_cast<uint64_t>(max_chunk)};
        for (size_t at = 0; at < text.size();) {
            const size_t n = std::min(text.size() - at, 1 + static_cast<size_t>(cut(max_chunk)));
            decoder.feed(std::span(reinterpret_cast<const uint8_t*>(text.data()) + at, n));
            at += n;
        }
        decoder.finish();
        p.flush();
        r.f.store.pad_columns();
        r.records = p.records();
        r.headers = p.headers();
    };
    Result reference;
    load(reference, false, text.size());
    CHECK(reference.headers == 7);
    CHECK(reference.records > 1500);
    CHECK(reference.f.report.bad_lines() > 1000);
    CHECK(reference.f.report.count(BadLineReason::TooLong) > 50);
    CHECK(values_no_row_uses(reference.f.store) == "");
    for (const size_t max_chunk : {text.size(), size_t{1} << 16, size_t{4096}, size_t{300}, size_t{9}}) {
        CAPTURE(max_chunk);
        Result taken;
        load(taken, true, max_chunk);
        CHECK(taken.records == reference.records);
        CHECK(taken.headers == reference.headers);
        for (size_t r = 0; r < static_cast<size_t>(BadLineReason::Count_); ++r) {
            CAPTURE(to_string(static_cast<BadLineReason>(r)));
            CHECK(taken.f.report.count(static_cast<BadLineReason>(r)) == reference.f.report.count(static_cast<BadLineReason>(r)));
        }
        REQUIRE(taken.f.report.examples().size() == reference.f.report.examples().size());
        for (size_t i = 0; i < taken.f.report.examples().size(); ++i) {
            CHECK(taken.f.report.examples()[i].line == reference.f.report.examples()[i].line);
            CHECK(taken.f.report.examples()[i].detail == reference.f.report.examples()[i].detail);
        }
        REQUIRE(taken.f.store.rows() == reference.f.store.rows());
        CHECK(values_no_row_uses(taken.f.store) == "");
        REQUIRE(taken.f.store.columns().size() == reference.f.store.columns().size());
        for (const auto& column : reference.f.store.columns())
            for (size_t row = 0; row < reference.f.store.rows(); ++row) {
                CAPTURE(row);
                CAPTURE(column->name);
                REQUIRE(taken.f.value(row, column->name) == reference.f.value(row, column->name));
            }
    }
}

// A line cut by a chunk's end is not read until it is whole: no prefix of a value lands in a
// dictionary. The text is fed in two chunks, cut at every byte in turn; the free enum `type`, the
// text `interface-id` and the address table must hold just the values the rows hold.
TEST_CASE("record_parser.cut_lines_leave_no_values_behind") {
    const std::string text =
        "version type interface-id srcaddr dstaddr action log-status\n"
        "5 IPv4 eni-aaaa 10.0.0.1 10.0.0.2 ACCEPT OK\n"
        "5 IPv6 eni-bbbbbbbb 2001:db8::1 2001:db8::2 REJECT OK\r\n"
        "5 IPv4 eni-aaaa 10.0.0.3 10.0.0.1 ACCEPT OK\n";
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
    for (size_t cut = 0; cut <= text.size(); ++cut) {
        CAPTURE(cut);
        Fixture f;
        RecordParser p = f.parser();
        ParserSink sink(p, f.report, true);
        InputDecoder decoder(sink);
        decoder.feed(std::span(bytes, cut));
        decoder.feed(std::span(bytes + cut, text.size() - cut));
        decoder.finish();
        p.flush();
        f.store.pad_columns();
        REQUIRE(f.store.rows() == 3);
        CHECK(f.report.bad_lines() == 0);
        CHECK(f.store.find("type")->dict.size() == 3);  // null, IPv4, IPv6
        CHECK(f.store.find("interface-id")->dict.size() == 3);
        CHECK(f.store.addresses().size() == 6);  // none, 10.0.0.1-3, two IPv6
        CHECK(f.value(1, "interface-id") == "eni-bbbbbbbb");
    }
    // Nor is anything of a line over the length limit read, a huge token above all.
    Fixture f;
    RecordParser p = f.parser();
    const std::string huge = text + "5 IPv4 eni-" + std::string(InputDecoder::kMaxLineBytes, 'x') + " 10.0.0.9 10.0.0.2 ACCEPT OK\n";
    test::decode_into(p, f.report, huge, huge.size(), true);
    CHECK(f.store.rows() == 3);
    CHECK(f.report.count(BadLineReason::TooLong) == 1);
    CHECK(f.store.find("interface-id")->dict.size() == 3);
    CHECK(f.store.addresses().size() == 6);
}

// A bad line leaves none of its values behind, whichever field fails it and whichever way it is
// read (the fast lane from the chunk, stage_fast, the full path): 300 lines whose free enum
// `type`, text `interface-id` and addresses are all new, each failed by its last field, a field
// too many, a control byte or a bad action. Kept, they would have filled `type`'s 255 codes, and
// the good lines after them would be refused ("one value too many").
TEST_CASE("record_parser.bad_lines_leave_no_values_behind") {
    std::string text = "version type interface-id srcaddr dstaddr action log-status\n";
    for (int i = 0; i < 300; ++i) {
        const std::string n = std::to_string(i);
        const std::string values = "5 junk" + n + " eni-" + n + " 10.1." + std::to_string(i / 256) + "." +
                                   std::to_string(i % 256) + " 2001:db8::" + n;
        switch (i % 4) {
            case 0: text += values + " ACCEPT BAD\n"; break;      // the last field
            case 1: text += values + " ACCEPT OK extra\n"; break;  // a field too many
            case 2: text += values + " ACCEPT OK\x01\n"; break;   // a control byte
            default: text += values + " MAYBE OK\n"; break;       // a bad action
        }
    }
    // The parser's caches (the last value of each field, the last addresses) must forget the
    // codes taken back: a good line repeating a bad one's values gets them anew. Were the old
    // ones kept, its row would read the next line's values, which get those codes next.
    text += "5 IPv4 eni-good 10.0.0.1 10.0.0.2 ACCEPT BAD\n";
    text += "5 IPv4 eni-good 10.0.0.1 10.0.0.2 ACCEPT OK\n";
    text += "5 EFA eni-next 10.0.0.7 10.0.0.8 REJECT OK\n";
    const auto check = [](Fixture& f) {
        CHECK(f.report.bad_lines() == 301);
        REQUIRE(f.store.rows() == 2);
        CHECK(f.value(0, "type") == "IPv4");
        CHECK(f.value(0, "interface-id") == "eni-good");
        CHECK(f.value(0, "srcaddr") == "10.0.0.1");
        CHECK(f.value(0, "dstaddr") == "10.0.0.2");
        CHECK(f.value(0, "action") == "ACCEPT");
        CHECK(f.value(1, "type") == "EFA");
        CHECK(f.value(1, "srcaddr") == "10.0.0.7");
        CHECK(f.store.find("type")->dict.size() == 3);  // null, IPv4, EFA
        CHECK(f.store.find("interface-id")->dict.size() == 3);
        CHECK(f.store.addresses().size() == 5);
        CHECK(values_no_row_uses(f.store) == "");
    };
    SUBCASE("line by line") {
        Fixture f;
        RecordParser p = f.parser();
        f.feed(p, text);
        check(f);
    }
    for (const size_t chunk : {size_t{7}, size_t{100}, text.size()}) {
        CAPTURE(chunk);
        Fixture f;
        RecordParser p = f.parser();
        test::decode_into(p, f.report, text, chunk, true);
        f.store.pad_columns();
        check(f);
    }
}
