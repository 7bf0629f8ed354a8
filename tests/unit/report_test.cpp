// Tests of report.hpp: the envelope around the exact analyze document, masking that is
// consistent and leaves no address or account id of a realistic data set behind, and the
// template embedding.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "flowlens/analysis.hpp"
#include "flowlens/filter.hpp"
#include "flowlens/generator.hpp"
#include "flowlens/json_writer.hpp"
#include "flowlens/loader.hpp"
#include "flowlens/report.hpp"

using namespace flowlens;

namespace {

constexpr std::string_view kAt = "2026-11-23T08:00:00Z";

struct Documents {
    std::string analysis;  // write_analysis_json
    std::string plain;     // write_report_json, not masked
    std::string masked;    // write_report_json, masked
};

Documents documents(const DataSet& data, std::string_view filter, AnalysisOptions options = {}) {
    auto compiled = Filter::compile(filter, data.store);
    REQUIRE(std::holds_alternative<Filter>(compiled));
    RowSet rows = std::get<Filter>(compiled).evaluate(data.store);
    auto result = analyze(data.store, rows, options);
    REQUIRE(std::holds_alternative<Analysis>(result));
    const Analysis& a = std::get<Analysis>(result);
    Documents d;
    JsonWriter wa(d.analysis);
    write_analysis_json(wa, a, filter, data.report, data.store);
    JsonWriter wp(d.plain);
    write_report_json(wp, {kAt, "cli", false}, a, filter, data.report, data.store);
    JsonWriter wm(d.masked);
    write_report_json(wm, {kAt, "page", true}, a, filter, data.report, data.store);
    return d;
}

// The text between `from` and the next `to` after it ("" when absent).
std::string between(const std::string& s, std::string_view from, std::string_view to) {
    size_t a = s.find(from);
    if (a == std::string::npos) return "";
    a += from.size();
    size_t b = s.find(to, a);
    return b == std::string::npos ? "" : s.substr(a, b - a);
}

// Every JSON string value that follows `"name":"` in s.
std::vector<std::string> values_of(const std::string& s, std::string_view name) {
    std::vector<std::string> out;
    std::string key = "\"" + std::string(name) + "\":\"";
    for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + 1)) {
        size_t b = at + key.size();
        out.push_back(s.substr(b, s.find('"', b) - b));
    }
    return out;
}

const std::vector<std::string> kV5Fields{
    "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets",
    "bytes", "start", "end", "action", "log-status", "vpc-id", "subnet-id", "instance-id", "tcp-flags", "type",
    "pkt-srcaddr", "pkt-dstaddr", "region", "az-id", "pkt-src-aws-service", "pkt-dst-aws-service",
    "flow-direction", "traffic-path"};

// A realistic data set: the generator's story (two accounts, private and public v4 and v6
// addresses, NAT'd pkt-* addresses, a port scan and a host sweep) under an S3 object key, plus a
// file of bad lines that quote addresses and account ids.
DataSet realistic() {
    DataSet data;
    GeneratorOptions g;
    g.records = 20000;
    g.seed = 5;
    g.fields = kV5Fields;
    load_text(data,
              "AWSLogs/123456789012/vpcflowlogs/us-east-1/2023/11/14/"
              "123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d_20231114T2210Z_5f1e2d3c.log",
              generate_to_string(g));
    load_text(data, "444455556666_vpcflowlogs_eu-west-1_fl-9f8e7d6c_20231114T2210Z_0a0b0c0d.log",
              "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
              "action log-status\n"
              "2 444455556666 eni-1 10.77.0.1 not-an-ip 443 50000 6 10 5000 1700000000 1700000060 ACCEPT OK\n"
              "2 444455556666 eni-1 10.77.0.2 192.0.2.99 443 99999 6 10 5000 1700000000 1700000060 ACCEPT OK\n"
              "2 777788889999 eni-1 2001:db8:77::1 10.77.0.3:443 443\n"
              "junk 10.77.0.4.5 arn:aws:iam::777788889999:role/x\n");
    return data;
}

}  // namespace

TEST_CASE("report.unmasked_is_the_envelope_around_the_exact_analyze_document") {
    DataSet data = realistic();
    for (std::string_view filter : {"", "action = REJECT and addr in 10.0.0.0/8"}) {
        CAPTURE(filter);
        Documents d = documents(data, filter);
        std::string expected = std::string(R"({"report":{"generated_at":"2026-11-23T08:00:00Z",)") +
                               R"("generated_by":"cli","flowlens_version":")" + FLOWLENS_VERSION +
                               R"(","masked":false},"analysis":)" + d.analysis + "}";
        CHECK(d.plain == expected);
        CHECK(d.masked.find(R"("generated_by":"page","flowlens_version":")") != std::string::npos);
        CHECK(d.masked.find(R"("masked":true},"analysis":{"flowlens":)") != std::string::npos);
    }
}

TEST_CASE("report.masked_leaves_no_address_or_account_id_of_a_realistic_data_set") {
    DataSet data = realistic();
    AnalysisOptions options;
    options.top_n = 100000;  // every key in every list: all of the store's addresses appear
    options.top_keys = {"srcaddr", "dstaddr", "conversation", "pkt-srcaddr", "pkt-dstaddr", "srcaddr,dstport",
                        "account-id", "interface-id"};
    options.scan = {5, 5};
    Documents d = documents(data, "addr in 10.0.0.0/8 or srcaddr = 203.0.113.77 or account-id = 123456789012 "
                                  "or dstaddr in 2001:db8::/32 or file = 444455556666_*",
                            options);

    const AddressTable& table = data.store.addresses();
    REQUIRE(table.size() > 200);
    size_t present_plain = 0;
    for (uint32_t id = 1; id < table.size(); ++id) {
        std::string a = to_string(table.address(id));
        CAPTURE(a);
        if (d.plain.find(a) != std::string::npos) ++present_plain;
        CHECK(d.masked.find(a) == std::string::npos);
    }
    CHECK(present_plain == table.size() - 1);  // the check above is not vacuous
    // Addresses that only the filter or the bad lines hold, and every account id.
    for (const char* s : {"203.0.113.77", "10.77.0.3", "10.77.0.4", "192.0.2.99", "2001:db8:77::1", "10.0.0.0",
                          "2001:db8::", "123456789012", "444455556666", "777788889999"}) {
        CAPTURE(s);
        CHECK(d.plain.find(s) != std::string::npos);
        CHECK(d.masked.find(s) == std::string::npos);
    }
    CHECK(d.masked.find("\"internal-0001\"") != std::string::npos);
    CHECK(d.masked.find("\"external-0001\"") != std::string::npos);
    CHECK(d.masked.find("\"account-01\"") != std::string::npos);
    // Resource ids and names stay: they identify resources, not people or networks.
    CHECK(d.masked.find("AWSLogs/account-01/vpcflowlogs/us-east-1/2023/11/14/account-01_vpcflowlogs_us-east-1_") !=
          std::string::npos);
    CHECK(d.masked.find("eni-") != std::string::npos);
    // The numbers are untouched.
    for (std::string_view section : {"\"totals\":", "\"timeseries\":"})
        CHECK(between(d.masked, section, "},\"") == between(d.plain, section, "},\""));
    // Deterministic.
    CHECK(documents(data, "", options).masked == documents(data, "", options).masked);
}

TEST_CASE("report.masking_is_consistent_and_numbered_in_document_order") {
    DataSet data;
    load_text(data, "AWSLogs/123456789012/flows.log",
              "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
              "action log-status\n"
              "2 123456789012 eni-1 198.51.100.7 10.0.0.1 50000 443 6 10 3000 1700000000 1700000060 ACCEPT OK\n"
              "2 123456789012 eni-1 10.0.0.1 198.51.100.7 443 50000 6 10 2000 1700000000 1700000060 ACCEPT OK\n"
              "2 444455556666 eni-2 10.0.0.2 203.0.113.9 40000 22 6 1 100 1700000000 1700000060 REJECT OK\n"
              "2 444455556666 eni-2 10.0.0.2 203.0.113.10 40000 23 6 1 50 1700000000 1700000060 REJECT OK\n");
    AnalysisOptions options;
    options.top_keys = {"srcaddr", "dstaddr", "conversation", "account-id", "bytes"};
    options.scan = {2, 2};
    Documents d = documents(data, "addr = 203.0.113.10 or srcaddr in 10.0.0.0/8 or addr = 198.51.100.7", options);
    const std::string& m = d.masked;
    // The filter comes first in the document, so its addresses are numbered first.
    CHECK(m.find(R"("filter":"addr = external-0001 or srcaddr in internal-network-1 or addr = external-0002")") !=
          std::string::npos);
    // srcaddr by bytes: 198.51.100.7 (3000), 10.0.0.1 (2000), 10.0.0.2 (150).
    CHECK(between(m, R"("top":{"srcaddr":)", R"(,"other")").find(
              R"("rows":[{"key":["external-0002"],"bytes":3000,)"
              R"("packets":10,"records":1},{"key":["internal-0001"],"bytes":2000,"packets":10,"records":1},)"
              R"({"key":["internal-0002"],"bytes":150,)") != std::string::npos);
    // dstaddr: 10.0.0.1, 198.51.100.7, then 203.0.113.9 (new: external-0003), 203.0.113.10.
    CHECK(between(m, R"("dstaddr":{)", R"(,"other")").find(
              R"({"key":["internal-0001"],"bytes":3000,"packets":10,"records":1},)"
              R"({"key":["external-0002"],"bytes":2000,"packets":10,"records":1},{"key":["external-0003"],"bytes":100,"packets":1,"records":1},)"
              R"({"key":["external-0001"],"bytes":50,)") != std::string::npos);
    // The conversation pairs the same pseudonyms (lower address first, as in the original).
    CHECK(m.find(R"({"key":["internal-0001","external-0002"],"bytes":5000,)") != std::string::npos);
    CHECK(m.find(R"({"key":["account-01"],"bytes":5000,)") != std::string::npos);
    CHECK(m.find(R"({"key":["account-02"],"bytes":150,)") != std::string::npos);
    // A byte count is a number, not an account id, even with 12 digits' worth of room.
    CHECK(m.find(R"({"key":["3000"],)") != std::string::npos);
    // The scanner, its explanation and the reject lists use the same pseudonym as the top lists.
    CHECK(values_of(m, "source") == std::vector<std::string>{"internal-0002"});
    auto explanations = values_of(m, "explanation");
    REQUIRE(explanations.size() == 1);
    CHECK(explanations[0].rfind("internal-0002 was rejected", 0) == 0);
    CHECK(explanations[0].find("private address") != std::string::npos);
    CHECK(between(m, R"("by_source":)", R"(,"other")").find(R"("key":["internal-0002"])") != std::string::npos);
    CHECK(values_of(m, "name") == std::vector<std::string>{"AWSLogs/account-01/flows.log"});
}

TEST_CASE("report.embed_replaces_the_one_marker") {
    std::string out = "untouched";
    const std::string tpl = R"(<html><script type="application/json" id="flowlens-report-data">)" +
                            std::string(kReportMarker) + "</script></html>";
    std::string json;
    JsonWriter w(json);
    w.begin_object().field("text", "</script><img src=x onerror=alert(1)>").end_object();
    REQUIRE_FALSE(embed_report_data(tpl, json, out));
    CHECK(out == R"(<html><script type="application/json" id="flowlens-report-data">)"
                 R"({"text":"\u003c/script\u003e\u003cimg src=x onerror=alert(1)\u003e"}</script></html>)");
    CHECK(out.find("</script><img") == std::string::npos);

    out = "untouched";
    auto none = embed_report_data("<html></html>", json, out);
    REQUIRE(none);
    CHECK(none->find("no __FLOWLENS_REPORT_DATA__ marker") != std::string::npos);
    auto two = embed_report_data(tpl + tpl, json, out);
    REQUIRE(two);
    CHECK(two->find("more than one") != std::string::npos);
    CHECK(out == "untouched");
}
