// Tests of analyses.hpp and analysis.hpp over stores built by hand (no parser involved), with
// every expected value worked out in the comments.
#include <doctest/doctest.h>

#include <array>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "flowlens/analyses.hpp"
#include "flowlens/analysis.hpp"
#include "flowlens/fields.hpp"
#include "flowlens/filter.hpp"
#include "flowlens/ingest_report.hpp"
#include "flowlens/ip_address.hpp"
#include "flowlens/json_writer.hpp"
#include "flowlens/store.hpp"
#include "flowlens/text.hpp"

using namespace flowlens;

namespace {

// Appends one record: space-separated values for `fields`, "-" = null. Values go in through the
// store's own API (intern, append_id/append_number/append_null) the way the parser does it.
void add(Store& s, std::span<const std::string_view> fields, std::string_view line) {
    size_t i = 0;
    while (!line.empty()) {
        size_t sp = line.find(' ');
        std::string_view tok = line.substr(0, sp);
        line = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
        if (tok.empty()) continue;
        if (i >= fields.size()) FAIL("more values than fields: " << tok);
        Column& c = s.column(fields[i++]);
        if (tok == "-") {
            c.append_null();
            continue;
        }
        switch (c.kind) {
            case FieldKind::Address: {
                auto ip = parse_ip(tok);
                if (!ip) FAIL("not an address: " << tok);
                c.append_id(s.addresses().intern(*ip));
                break;
            }
            case FieldKind::Enum:
            case FieldKind::Text: c.append_id(c.dict.intern(tok)); break;
            default: {
                auto v = parse_u64(tok);
                if (!v) FAIL("not a number: " << tok);
                c.append_number(*v);
            }
        }
    }
    if (i != fields.size()) FAIL("fewer values than fields");
    s.commit_row();
}

void add(Store& s, std::string_view line) { add(s, default_format(), line); }

// The seven documented AWS example records (FLOWLOGS.md), rows 0..6:
//  0 SSH accepted            172.31.16.139 -> 172.31.16.21  :22   20 pkts 4249 B  ACCEPT
//  1 RDP rejected            172.31.9.69   -> 172.31.9.12   :3389 20 pkts 4249 B  REJECT
//  2 NODATA  eni-1235…       (no addresses, counters or action)
//  3 SKIPDATA eni-1111…
//  4 ping in accepted        203.0.113.12  -> 172.31.16.139 icmp  4 pkts 336 B   ACCEPT
//  5 ping reply rejected     172.31.16.139 -> 203.0.113.12  icmp  4 pkts 336 B   REJECT
//  6 IPv6 SSH accepted       2001:…:f105   -> 2001:…:4071   :22   54 pkts 8855 B  ACCEPT
Store aws_examples() {
    Store s;
    add(s, "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK");
    add(s, "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK");
    add(s, "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA");
    add(s, "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA");
    add(s, "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK");
    add(s, "2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK");
    add(s, "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK");
    s.pad_columns();
    return s;
}

RowSet all_rows(const Store& s) { return RowSet(s.rows(), true); }

RowSet only(const Store& s, std::initializer_list<size_t> rows) {
    RowSet r(s.rows());
    for (size_t i : rows) r.set(i);
    return r;
}

TopResult top(const Store& s, const RowSet& rows, std::string_view key, Metric m, size_t n) {
    auto r = top_n(s, rows, key, m, n);
    if (auto* err = std::get_if<std::string>(&r)) FAIL("top_n(" << key << ") failed: " << *err);
    return std::get<TopResult>(r);
}

std::string error_of(const Store& s, std::string_view key) {
    auto r = top_n(s, all_rows(s), key, Metric::Bytes, 10);
    auto* err = std::get_if<std::string>(&r);
    return err ? *err : std::string("(no error)");
}

using Keys = std::vector<std::string>;

// A strict RFC 8259 syntax check: enough to know the document parses, without a JSON library.
struct JsonSyntax {
    std::string_view s;
    size_t i = 0;
    void ws() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
    }
    bool lit(std::string_view w) {
        if (s.substr(i, w.size()) != w) return false;
        i += w.size();
        return true;
    }
    bool string() {
        if (i >= s.size() || s[i] != '"') return false;
        for (++i; i < s.size(); ++i) {
            auto c = static_cast<unsigned char>(s[i]);
            if (c == '"') return ++i, true;
            if (c < 0x20) return false;
            if (c == '\\') {
                if (++i >= s.size()) return false;
                if (s[i] == 'u') {
                    for (int k = 0; k < 4; ++k)
                        if (++i >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
                } else if (std::string_view("\"\\/bfnrt").find(s[i]) == std::string_view::npos) {
                    return false;
                }
            }
        }
        return false;
    }
    bool number() {
        size_t start = i;
        if (i < s.size() && s[i] == '-') ++i;
        if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
        if (s[i] == '0') ++i;
        else while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        if (i < s.size() && s[i] == '.') {
            ++i;
            if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
            while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        }
        return i > start;
    }
    bool value() {
        ws();
        if (i >= s.size()) return false;
        bool ok = false;
        if (s[i] == '{') {
            ++i;
            ws();
            if (i < s.size() && s[i] == '}') ok = (++i, true);
            else
                for (;;) {
                    ws();
                    if (!string()) return false;
                    ws();
                    if (!lit(":") || !value()) return false;
                    ws();
                    if (lit("}")) { ok = true; break; }
                    if (!lit(",")) return false;
                }
        } else if (s[i] == '[') {
            ++i;
            ws();
            if (i < s.size() && s[i] == ']') ok = (++i, true);
            else
                for (;;) {
                    if (!value()) return false;
                    ws();
                    if (lit("]")) { ok = true; break; }
                    if (!lit(",")) return false;
                }
        } else if (s[i] == '"') {
            ok = string();
        } else if (s[i] == 't' || s[i] == 'f' || s[i] == 'n') {
            ok = lit("true") || lit("false") || lit("null");
        } else {
            ok = number();
        }
        ws();
        return ok;
    }
    static bool valid(std::string_view text) {
        JsonSyntax p{text};
        return p.value() && p.i == text.size();
    }
};

bool contains(const std::string& hay, std::string_view needle) { return hay.find(needle) != std::string::npos; }

// 1234567 -> "1,234,567", as the explanations write counts.
std::string with_commas(uint64_t v) {
    std::string digits = std::to_string(v), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

}  // namespace

// ---- small helpers ---------------------------------------------------------------------------

TEST_CASE("analyses.metric_names") {
    CHECK(to_string(Metric::Bytes) == "bytes");
    CHECK(to_string(Metric::Packets) == "packets");
    CHECK(to_string(Metric::Records) == "records");
    CHECK(parse_metric("PACKETS") == Metric::Packets);
    CHECK(parse_metric(" records ") == Metric::Records);
    CHECK_FALSE(parse_metric("flows"));
}

TEST_CASE("analyses.iso_time") {
    CHECK(iso_time(0) == "1970-01-01T00:00:00Z");
    CHECK(iso_time(1418530010) == "2014-12-14T04:06:50Z");  // the AWS example's start
    CHECK(iso_time(951782400) == "2000-02-29T00:00:00Z");   // leap day of a century leap year
    CHECK(iso_time(4102444799) == "2099-12-31T23:59:59Z");
    CHECK(iso_time(-1) == "1969-12-31T23:59:59Z");
    // Every digit padded (year 1, single-digit month to second), and the years written apart.
    CHECK(iso_time(-62135596800) == "0001-01-01T00:00:00Z");
    CHECK(iso_time(-62104136156) == "0001-12-31T03:04:04Z");
    CHECK(iso_time(253402300799) == "9999-12-31T23:59:59Z");
    CHECK(iso_time(253402300800) == "10000-01-01T00:00:00Z");
    CHECK(iso_time(-62135596801) == "0000-12-31T23:59:59Z");
    CHECK(iso_time(-62167219201) == "-001-12-31T23:59:59Z");
}

// ---- totals ----------------------------------------------------------------------------------

TEST_CASE("analyses.totals_aws_examples") {
    Store s = aws_examples();
    Totals t = compute_totals(s, all_rows(s));
    CHECK(t.records == 7);
    CHECK(t.ok_records == 5);   // rows 0,1,4,5,6
    CHECK(t.nodata_records == 1);
    CHECK(t.skipdata_records == 1);
    CHECK(t.bytes == 18025);    // 4249 + 4249 + 336 + 336 + 8855
    CHECK(t.packets == 102);    // 20 + 20 + 4 + 4 + 54
    CHECK(t.accepted_records == 3);
    CHECK(t.accepted_bytes == 13440);  // 4249 + 336 + 8855
    CHECK(t.rejected_records == 2);
    CHECK(t.rejected_bytes == 4585);   // 4249 + 336
    // Sources: 172.31.16.139 (rows 0 and 5), 172.31.9.69, 203.0.113.12, 2001:…:f105.
    CHECK(t.distinct_sources == 4);
    // Destinations: 172.31.16.21, 172.31.9.12, 172.31.16.139, 203.0.113.12, 2001:…:4071.
    CHECK(t.distinct_destinations == 5);
    CHECK(t.distinct_interfaces == 2);
    CHECK(t.first_start == 1418530010u);
    CHECK(t.last_end == 1477913820u);
}

TEST_CASE("analyses.totals_selection") {
    Store s = aws_examples();
    SUBCASE("rows 0, 4, 5") {
        Totals t = compute_totals(s, only(s, {0, 4, 5}));
        CHECK(t.records == 3);
        CHECK(t.bytes == 4921);  // 4249 + 336 + 336
        CHECK(t.packets == 28);
        CHECK(t.accepted_records == 2);
        CHECK(t.rejected_records == 1);
        CHECK(t.distinct_sources == 2);       // 172.31.16.139, 203.0.113.12
        CHECK(t.distinct_destinations == 3);  // 172.31.16.21, 172.31.16.139, 203.0.113.12
        CHECK(t.distinct_interfaces == 1);
        CHECK(t.first_start == 1418530010u);
        CHECK(t.last_end == 1432917142u);
    }
    SUBCASE("only the NODATA row") {
        Totals t = compute_totals(s, only(s, {2}));
        CHECK(t.records == 1);
        CHECK(t.ok_records == 0);
        CHECK(t.nodata_records == 1);
        CHECK(t.bytes == 0);
        CHECK(t.distinct_sources == 0);  // null is not a source
        CHECK(t.distinct_interfaces == 1);
    }
    SUBCASE("nothing selected") {
        Totals t = compute_totals(s, RowSet(s.rows()));
        CHECK(t.records == 0);
        CHECK_FALSE(t.first_start);
        CHECK_FALSE(t.last_end);
    }
}

TEST_CASE("analyses.totals_missing_columns") {
    SUBCASE("no action, no log-status, no packets, no times") {
        static constexpr std::string_view f[] = {"srcaddr", "dstaddr", "bytes"};
        Store s;
        add(s, f, "10.0.0.1 10.0.0.2 100");
        add(s, f, "10.0.0.1 10.0.0.3 -");
        s.pad_columns();
        Totals t = compute_totals(s, all_rows(s));
        CHECK(t.records == 2);
        CHECK(t.ok_records == 0);  // neither a log-status nor an action says so
        CHECK(t.bytes == 100);     // the null counter adds nothing
        CHECK(t.packets == 0);
        CHECK(t.accepted_records + t.rejected_records == 0);
        CHECK(t.distinct_sources == 1);
        CHECK(t.distinct_destinations == 2);
        CHECK(t.distinct_interfaces == 0);
        CHECK_FALSE(t.first_start);
        CHECK_FALSE(t.last_end);
    }
    SUBCASE("action without log-status counts as OK") {
        static constexpr std::string_view f[] = {"srcaddr", "action", "start"};
        Store s;
        add(s, f, "10.0.0.1 ACCEPT 100");
        add(s, f, "10.0.0.1 REJECT 50");
        add(s, f, "- - -");
        s.pad_columns();
        Totals t = compute_totals(s, all_rows(s));
        CHECK(t.ok_records == 2);
        CHECK(t.accepted_records == 1);
        CHECK(t.rejected_records == 1);
        CHECK(t.first_start == 50u);
        CHECK_FALSE(t.last_end);
    }
    SUBCASE("an empty store") {
        Store s;
        Totals t = compute_totals(s, all_rows(s));
        CHECK(t.records == 0);
        CHECK(t.distinct_sources == 0);
    }
}

TEST_CASE("analyses.wide_counters") {
    // 5,000,000,000 and 4,294,967,295 (= kWideCounter exactly) are escapes at any width.
    static constexpr std::string_view f[] = {"srcaddr", "packets", "bytes", "start", "action"};
    Store s;
    add(s, f, "10.0.0.1 5000000000 5000000000 1000 ACCEPT");
    add(s, f, "10.0.0.2 1 4294967295 1000 ACCEPT");
    add(s, f, "10.0.0.2 1 7 1001 REJECT");
    s.pad_columns();
    RowSet all = all_rows(s);
    Totals t = compute_totals(s, all);
    CHECK(t.bytes == 9294967302ull);  // 5000000000 + 4294967295 + 7
    CHECK(t.packets == 5000000002ull);
    CHECK(t.accepted_bytes == 9294967295ull);

    TopResult r = top(s, all, "srcaddr", Metric::Bytes, 1);
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].key == Keys{"10.0.0.1"});  // 5,000,000,000 > 4,294,967,302
    CHECK(r.rows[0].bytes == 5000000000ull);
    CHECK(r.other.bytes == 4294967302ull);

    // A counter as a key: its printed values are the 64-bit numbers.
    TopResult b = top(s, all, "bytes", Metric::Records, 10);
    CHECK(b.distinct == 3);
    REQUIRE(b.rows.size() == 3);
    // All tied at one record: key text order "4294967295" < "5000000000" < "7".
    CHECK(b.rows[0].key == Keys{"4294967295"});
    CHECK(b.rows[1].key == Keys{"5000000000"});
    CHECK(b.rows[2].key == Keys{"7"});

    TimeSeries ts = time_series(s, all, 0);
    CHECK(ts.bucket_seconds == 1);  // 1000..1001: two 1-second buckets
    REQUIRE(ts.points.size() == 2);
    CHECK(ts.points[0].accept_bytes == 9294967295ull);
    CHECK(ts.points[0].accept_packets == 5000000001ull);
    CHECK(ts.points[1].reject_bytes == 7);
}

// ---- top-N -----------------------------------------------------------------------------------

TEST_CASE("analyses.top_srcaddr") {
    Store s = aws_examples();
    RowSet all = all_rows(s);
    // Per source: 2001:…:f105 8855 B / 54 p / 1 r; 172.31.16.139 4249+336 = 4585 B / 24 p / 2 r;
    // 172.31.9.69 4249 / 20 / 1; 203.0.113.12 336 / 4 / 1; null (rows 2, 3) 0 / 0 / 2.
    SUBCASE("by bytes, n = 2: the rest in other") {
        TopResult r = top(s, all, "srcaddr", Metric::Bytes, 2);
        CHECK(r.key == "srcaddr");
        CHECK(r.fields == Keys{"srcaddr"});
        CHECK(r.metric == Metric::Bytes);
        CHECK(r.distinct == 5);
        REQUIRE(r.rows.size() == 2);
        CHECK(r.rows[0].key == Keys{"2001:db8:1234:a100:8d6e:3477:df66:f105"});
        CHECK(r.rows[0].bytes == 8855);
        CHECK(r.rows[0].packets == 54);
        CHECK(r.rows[0].records == 1);
        CHECK(r.rows[1].key == Keys{"172.31.16.139"});
        CHECK(r.rows[1].bytes == 4585);
        CHECK(r.rows[1].packets == 24);
        CHECK(r.rows[1].records == 2);
        CHECK(r.other.key.empty());
        CHECK(r.other.bytes == 4585);   // 18025 - 8855 - 4585
        CHECK(r.other.packets == 24);   // 102 - 54 - 24
        CHECK(r.other.records == 4);    // 7 - 1 - 2
    }
    SUBCASE("by records, n = 2: a tie at the top broken by key text") {
        TopResult r = top(s, all, "srcaddr", Metric::Records, 2);
        REQUIRE(r.rows.size() == 2);
        CHECK(r.rows[0].key == Keys{"-"});  // "-" (0x2D) sorts before "1"
        CHECK(r.rows[0].records == 2);
        CHECK(r.rows[1].key == Keys{"172.31.16.139"});
        CHECK(r.other.records == 3);
    }
    SUBCASE("by records, n = 3: three keys tied at the cut, the lowest text stays") {
        TopResult r = top(s, all, "srcaddr", Metric::Records, 3);
        REQUIRE(r.rows.size() == 3);
        // Tied at 1: "172.31.9.69" < "2001:…" < "203.0.113.12".
        CHECK(r.rows[2].key == Keys{"172.31.9.69"});
        CHECK(r.other.records == 2);
        CHECK(r.other.bytes == 9191);  // 8855 + 336
        CHECK(r.other.packets == 58);  // 54 + 4
    }
    SUBCASE("n larger than the keys: everything, other is zero") {
        TopResult r = top(s, all, "srcaddr", Metric::Bytes, 100);
        CHECK(r.rows.size() == 5);
        CHECK(r.rows.back().key == Keys{"-"});
        CHECK(r.other.bytes == 0);
        CHECK(r.other.records == 0);
    }
    SUBCASE("n = 0: everything in other") {
        TopResult r = top(s, all, "srcaddr", Metric::Bytes, 0);
        CHECK(r.rows.empty());
        CHECK(r.distinct == 5);
        CHECK(r.other.bytes == 18025);
        CHECK(r.other.records == 7);
    }
    SUBCASE("selection: rows 0, 4, 5 only") {
        TopResult r = top(s, only(s, {0, 4, 5}), "srcaddr", Metric::Bytes, 10);
        CHECK(r.distinct == 2);
        REQUIRE(r.rows.size() == 2);
        CHECK(r.rows[0].key == Keys{"172.31.16.139"});
        CHECK(r.rows[0].bytes == 4585);  // rows 0 and 5
        CHECK(r.rows[1].key == Keys{"203.0.113.12"});
        CHECK(r.rows[1].bytes == 336);
    }
}

TEST_CASE("analyses.top_numbers_and_text") {
    Store s = aws_examples();
    RowSet all = all_rows(s);
    SUBCASE("dstport by bytes") {
        // 22: 4249 + 8855 = 13104; 3389: 4249; 0: 336 + 336 = 672; null: 0.
        TopResult r = top(s, all, "dstport", Metric::Bytes, 10);
        REQUIRE(r.rows.size() == 4);
        CHECK(r.rows[0].key == Keys{"22"});
        CHECK(r.rows[0].bytes == 13104);
        CHECK(r.rows[1].key == Keys{"3389"});
        CHECK(r.rows[2].key == Keys{"0"});  // port 0 is a value, not null
        CHECK(r.rows[2].bytes == 672);
        CHECK(r.rows[3].key == Keys{"-"});
        CHECK(r.rows[3].records == 2);
    }
    SUBCASE("protocol by records: numbers as text") {
        // 6: rows 0, 1, 6; 1: rows 4, 5; null: rows 2, 3. Tie at 2: "-" < "1".
        TopResult r = top(s, all, "protocol", Metric::Records, 10);
        REQUIRE(r.rows.size() == 3);
        CHECK(r.rows[0].key == Keys{"6"});
        CHECK(r.rows[0].records == 3);
        CHECK(r.rows[1].key == Keys{"-"});
        CHECK(r.rows[2].key == Keys{"1"});
    }
    SUBCASE("interface-id (text) by records") {
        TopResult r = top(s, all, "interface-id", Metric::Records, 10);
        REQUIRE(r.rows.size() == 2);
        CHECK(r.rows[0].key == Keys{"eni-1235b8ca123456789"});
        CHECK(r.rows[0].records == 6);
        CHECK(r.rows[1].key == Keys{"eni-11111111aaaaaaaaa"});
    }
    SUBCASE("action (enumeration) by bytes") {
        TopResult r = top(s, all, "action", Metric::Bytes, 10);
        REQUIRE(r.rows.size() == 3);
        CHECK(r.rows[0].key == Keys{"ACCEPT"});
        CHECK(r.rows[0].bytes == 13440);
        CHECK(r.rows[1].key == Keys{"REJECT"});
        CHECK(r.rows[2].key == Keys{"-"});
    }
    SUBCASE("start (time) as a key") {
        TopResult r = top(s, all, "start", Metric::Records, 1);
        REQUIRE(r.rows.size() == 1);
        // 1418530010 (rows 0, 1) and 1431280876 (rows 2, 3) tie at 2: text order.
        CHECK(r.rows[0].key == Keys{"1418530010"});
        CHECK(r.distinct == 5);
    }
}

TEST_CASE("analyses.top_pair") {
    Store s = aws_examples();
    SUBCASE("srcaddr,dstport by bytes; names case-insensitive and normalised") {
        TopResult r = top(s, all_rows(s), " SrcAddr , DSTPORT ", Metric::Bytes, 3);
        CHECK(r.key == "srcaddr,dstport");
        CHECK(r.fields == Keys{"srcaddr", "dstport"});
        // (2001:…:f105, 22) 8855; (172.31.16.139, 22) 4249 and (172.31.9.69, 3389) 4249 tie:
        // "172.31.1…" < "172.31.9…"; then (172.31.16.139, 0) 336 and (203.0.113.12, 0) 336, and
        // (-, -) 0: six keys.
        CHECK(r.distinct == 6);
        REQUIRE(r.rows.size() == 3);
        CHECK(r.rows[0].key == Keys{"2001:db8:1234:a100:8d6e:3477:df66:f105", "22"});
        CHECK(r.rows[1].key == Keys{"172.31.16.139", "22"});
        CHECK(r.rows[2].key == Keys{"172.31.9.69", "3389"});
        CHECK(r.other.bytes == 672);
        CHECK(r.other.records == 4);
    }
    SUBCASE("protocol,action by records: small domains (direct array)") {
        TopResult r = top(s, all_rows(s), "protocol,action", Metric::Records, 10);
        // (6, ACCEPT) 2; (6, REJECT) 1; (1, ACCEPT) 1; (1, REJECT) 1; (-, -) 2.
        REQUIRE(r.rows.size() == 5);
        CHECK(r.rows[0].key == Keys{"-", "-"});
        CHECK(r.rows[1].key == Keys{"6", "ACCEPT"});
        CHECK(r.rows[2].key == Keys{"1", "ACCEPT"});
        CHECK(r.rows[3].key == Keys{"1", "REJECT"});
        CHECK(r.rows[4].key == Keys{"6", "REJECT"});
    }
}

TEST_CASE("analyses.top_conversation") {
    Store s = aws_examples();
    SUBCASE("the AWS examples") {
        TopResult r = top(s, all_rows(s), "conversation", Metric::Bytes, 10);
        CHECK(r.key == "conversation");
        CHECK(r.fields == Keys{"addr", "addr"});
        CHECK(r.distinct == 5);
        REQUIRE(r.rows.size() == 5);
        CHECK(r.rows[0].key == Keys{"2001:db8:1234:a100:8d6e:3477:df66:f105", "2001:db8:1234:a102:3304:8879:34cf:4071"});
        // Numeric order puts .21 before .139 (text order would not); the two 4249-byte
        // conversations tie and "172.31.16.21" < "172.31.9.12" as text.
        CHECK(r.rows[1].key == Keys{"172.31.16.21", "172.31.16.139"});
        CHECK(r.rows[2].key == Keys{"172.31.9.12", "172.31.9.69"});
        // Rows 4 and 5 are the two directions of one conversation: 336 + 336 B, 4 + 4 packets.
        CHECK(r.rows[3].key == Keys{"172.31.16.139", "203.0.113.12"});
        CHECK(r.rows[3].bytes == 672);
        CHECK(r.rows[3].packets == 8);
        CHECK(r.rows[3].records == 2);
        CHECK(r.rows[4].key == Keys{"-", "-"});
        CHECK(r.rows[4].records == 2);
    }
    SUBCASE("IPv4 before IPv6, null last") {
        static constexpr std::string_view f[] = {"srcaddr", "dstaddr", "bytes"};
        Store m;
        add(m, f, "::1 10.0.0.1 5");      // v4 lower than any v6 whatever the bytes
        add(m, f, "10.0.0.1 ::1 5");
        add(m, f, "- 192.0.2.1 3");       // one side null
        add(m, f, "192.0.2.1 - 1");
        add(m, f, "10.0.0.10 10.0.0.9 1");
        m.pad_columns();
        TopResult r = top(m, all_rows(m), "conversation", Metric::Bytes, 10);
        REQUIRE(r.rows.size() == 3);
        CHECK(r.rows[0].key == Keys{"10.0.0.1", "::1"});
        CHECK(r.rows[0].bytes == 10);
        CHECK(r.rows[0].records == 2);
        CHECK(r.rows[1].key == Keys{"192.0.2.1", "-"});
        CHECK(r.rows[1].bytes == 4);
        CHECK(r.rows[2].key == Keys{"10.0.0.9", "10.0.0.10"});
    }
}

TEST_CASE("analyses.top_many_keys_hash_path") {
    // A two-address key over 403 address ids: 403² = 162,409 slots is above both the direct
    // array's floor (2^17) and twice the selection, so this goes through the hash map.
    // 400 sources × 2 destinations, each (s, d) with bytes = source index + 1, plus one row with
    // both addresses null (packed key 0: the map's side slot).
    static constexpr std::string_view f[] = {"srcaddr", "dstaddr", "bytes"};
    Store s;
    for (uint32_t i = 0; i < 400; ++i)
        for (uint32_t d = 0; d < 2; ++d)
            add(s, f, to_string(IpAddress::from_v4(0x0A000000u + i)) + " 192.0.2." + std::to_string(d + 1) + " " +
                          std::to_string(i + 1));
    add(s, f, "- - 1000");
    s.pad_columns();
    TopResult r = top(s, all_rows(s), "srcaddr,dstaddr", Metric::Bytes, 4);
    CHECK(r.distinct == 801);
    REQUIRE(r.rows.size() == 4);
    // The largest: the null pair (1000 B); 10.0.1.143 (index 399, 400 B) to .1 and .2; then
    // index 398 (399 B) to .1.
    CHECK(r.rows[0].key == Keys{"-", "-"});
    CHECK(r.rows[1].key == Keys{"10.0.1.143", "192.0.2.1"});
    CHECK(r.rows[2].key == Keys{"10.0.1.143", "192.0.2.2"});
    CHECK(r.rows[3].key == Keys{"10.0.1.142", "192.0.2.1"});
    // Sum of all: 2 × (1 + … + 400) + 1000 = 161400; other = 161400 - 1000 - 400 - 400 - 399.
    CHECK(r.other.bytes == 159201);
    CHECK(r.other.records == 797);  // 801 - 4
    TopResult c = top(s, all_rows(s), "conversation", Metric::Records, 2);
    CHECK(c.distinct == 801);
    // A selection of 3 rows: the hash map again, tiny.
    TopResult sel = top(s, only(s, {0, 1, 800}), "conversation", Metric::Bytes, 10);
    REQUIRE(sel.rows.size() == 3);
    CHECK(sel.rows[0].key == Keys{"-", "-"});
    CHECK(sel.rows[1].key == Keys{"10.0.0.0", "192.0.2.1"});  // tie at 1 B: text order
    CHECK(sel.rows[2].key == Keys{"10.0.0.0", "192.0.2.2"});
}

TEST_CASE("analyses.top_errors") {
    Store s = aws_examples();
    SUBCASE("unknown field lists the fields present") {
        std::string e = error_of(s, "foo");
        CHECK(contains(e, "unknown field 'foo'"));
        CHECK(contains(e, "srcaddr"));
        CHECK(contains(e, "log-status"));
        CHECK(contains(e, "conversation"));
    }
    SUBCASE("a known field the logs lack") {
        std::string e = error_of(s, "vpc-id");
        CHECK(contains(e, "'vpc-id' is not in the loaded logs"));
    }
    SUBCASE("malformed keys") {
        CHECK(contains(error_of(s, ""), "malformed"));
        CHECK(contains(error_of(s, "srcaddr,"), "malformed"));
        CHECK(contains(error_of(s, "srcaddr,dstaddr,dstport"), "one or two"));
        CHECK(contains(error_of(s, "conversation,dstport"), "cannot be combined"));
        CHECK(contains(error_of(s, "srcaddr,nope"), "unknown field 'nope'"));
    }
    SUBCASE("conversation without dstaddr") {
        static constexpr std::string_view f[] = {"srcaddr", "bytes"};
        Store m;
        add(m, f, "10.0.0.1 1");
        m.pad_columns();
        std::string e = error_of(m, "conversation");
        CHECK(contains(e, "'dstaddr' is not in the loaded logs"));
        CHECK_FALSE(contains(e, "conversation\n"));
    }
}

TEST_CASE("analyses.default_top_keys") {
    SUBCASE("default format") {
        Store s = aws_examples();
        CHECK(default_top_keys(s) == Keys{"srcaddr", "dstaddr", "conversation", "srcport", "dstport", "protocol",
                                          "interface-id", "account-id"});
    }
    SUBCASE("later dimensions only when some row has a value") {
        static constexpr std::string_view f[] = {"srcaddr", "dstport", "vpc-id", "flow-direction", "traffic-path"};
        Store s;
        add(s, f, "10.0.0.1 443 - ingress -");
        add(s, f, "10.0.0.1 443 - egress -");
        s.pad_columns();
        // vpc-id and traffic-path are all null; no dstaddr means no conversation.
        CHECK(default_top_keys(s) == Keys{"srcaddr", "dstport", "flow-direction"});
    }
}

// ---- time series -----------------------------------------------------------------------------

TEST_CASE("analyses.time_series_auto") {
    SUBCASE("the AWS examples span 687 days: 1 day gives 688 buckets, 7 days gives 99") {
        Store s = aws_examples();
        TimeSeries ts = time_series(s, all_rows(s), 0);
        // 1418530010 / 86400 = 16418, 1477913708 / 86400 = 17105: 688 buckets > 500.
        // 1418530010 / 604800 = 2345, 1477913708 / 604800 = 2443: 99 buckets.
        CHECK(ts.bucket_seconds == 604800);
        REQUIRE(ts.points.size() == 99);
        CHECK(ts.points[0].start == 1418256000);  // 2345 × 604800
        CHECK(ts.points[1].start == 1418256000 + 604800);
        CHECK(ts.points[0].accept_records == 1);  // rows 0 and 1
        CHECK(ts.points[0].accept_bytes == 4249);
        CHECK(ts.points[0].accept_packets == 20);
        CHECK(ts.points[0].reject_records == 1);
        CHECK(ts.points[0].reject_bytes == 4249);
        // Rows 2, 3 (NODATA, SKIPDATA): 1431280876 / 604800 = 2366, index 21.
        CHECK(ts.points[21].other_records == 2);
        // Rows 4, 5: 2369, index 24.
        CHECK(ts.points[24].accept_bytes == 336);
        CHECK(ts.points[24].reject_bytes == 336);
        CHECK(ts.points[24].reject_packets == 4);
        // Row 6: 2443, index 98.
        CHECK(ts.points[98].accept_bytes == 8855);
        // Empty buckets are there, and zero.
        const TimePoint& e = ts.points[1];
        CHECK(e.accept_records + e.reject_records + e.other_records == 0);
        uint64_t records = 0;
        for (const TimePoint& p : ts.points) records += p.accept_records + p.reject_records + p.other_records;
        CHECK(records == 7);
    }
    static constexpr std::string_view f[] = {"start", "action", "bytes"};
    SUBCASE("a range of 500 s: 1 s makes 501 buckets, so 5 s") {
        Store s;
        add(s, f, "1000 ACCEPT 1");
        add(s, f, "1500 REJECT 2");
        s.pad_columns();
        TimeSeries ts = time_series(s, all_rows(s), 0);
        CHECK(ts.bucket_seconds == 5);
        REQUIRE(ts.points.size() == 101);  // 1500/5 - 1000/5 + 1
        CHECK(ts.points.front().start == 1000);
        CHECK(ts.points.back().start == 1500);
        CHECK(ts.points.back().reject_bytes == 2);
    }
    SUBCASE("a range of 499 s: exactly 500 one-second buckets") {
        Store s;
        add(s, f, "1000 ACCEPT 1");
        add(s, f, "1499 ACCEPT 1");
        s.pad_columns();
        TimeSeries ts = time_series(s, all_rows(s), 0);
        CHECK(ts.bucket_seconds == 1);
        CHECK(ts.points.size() == 500);
    }
    SUBCASE("one record: one bucket") {
        Store s;
        add(s, f, "1000 ACCEPT 1");
        s.pad_columns();
        TimeSeries ts = time_series(s, all_rows(s), 0);
        CHECK(ts.points.size() == 1);
    }
    SUBCASE("records without start are left out; none at all gives no points") {
        Store s;
        add(s, f, "- ACCEPT 1");
        s.pad_columns();
        CHECK(time_series(s, all_rows(s), 0).points.empty());
        CHECK(time_series(s, all_rows(s), 60).bucket_seconds == 60);
        Store none;
        CHECK(time_series(none, all_rows(none), 0).points.empty());
    }
    SUBCASE("more than ten years: whole weeks") {
        Store s;
        add(s, f, "0 ACCEPT 1");
        add(s, f, "400000000 ACCEPT 1");  // ~12.7 years: 662 weeks > 500
        s.pad_columns();
        TimeSeries ts = time_series(s, all_rows(s), 0);
        CHECK(ts.bucket_seconds == 2 * 604800);
        CHECK(ts.points.size() <= 500);
        CHECK(ts.points.front().accept_records == 1);  // start 0 is a time, not a null
    }
}

TEST_CASE("analyses.time_series_explicit") {
    static constexpr std::string_view f[] = {"start", "action", "bytes", "packets"};
    Store s;
    add(s, f, "1000000030 ACCEPT 10 1");
    add(s, f, "1000000059 REJECT 20 2");
    add(s, f, "1000000200 - - -");
    add(s, f, "1000000201 ACCEPT 5 1");
    s.pad_columns();
    SUBCASE("60 s, aligned on the epoch, empty buckets included") {
        TimeSeries ts = time_series(s, all_rows(s), 60);
        CHECK(ts.bucket_seconds == 60);
        // 1000000030 / 60 = 16666667 and 1000000059 / 60 = 16666667: bucket 0 starts at
        // 16666667 × 60 = 1000000020. 1000000200 / 60 = 16666670: bucket 3. Buckets 1, 2 empty.
        REQUIRE(ts.points.size() == 4);
        CHECK(ts.points[0].start == 1000000020);
        CHECK(ts.points[0].accept_records == 1);
        CHECK(ts.points[0].accept_bytes == 10);
        CHECK(ts.points[0].reject_records == 1);
        CHECK(ts.points[0].reject_bytes == 20);
        CHECK(ts.points[0].reject_packets == 2);
        for (size_t i : {size_t{1}, size_t{2}}) {
            CHECK(ts.points[i].start == 1000000020 + 60 * static_cast<int64_t>(i));
            CHECK(ts.points[i].accept_records + ts.points[i].reject_records + ts.points[i].other_records == 0);
        }
        CHECK(ts.points[3].start == 1000000200);
        CHECK(ts.points[3].other_records == 1);  // no action
        CHECK(ts.points[3].accept_bytes == 5);
    }
    SUBCASE("selection") {
        TimeSeries ts = time_series(s, only(s, {2, 3}), 60);
        REQUIRE(ts.points.size() == 1);  // both in 1000000200 / 60 = 16666670
        CHECK(ts.points[0].other_records == 1);
        CHECK(ts.points[0].accept_packets == 1);
    }
    SUBCASE("a bucket that would make too many points is widened") {
        Store w;
        add(w, f, "1000000000 ACCEPT 1 1");
        add(w, f, "1000604800 ACCEPT 1 1");  // one week at 1 s = 604,801 buckets > 100,000
        w.pad_columns();
        TimeSeries ts = time_series(w, all_rows(w), 1);
        // k = 604800 / 99999 + 1 = 7: 1000604800/7 - 1000000000/7 + 1 = 142943542 - 142857142 + 1.
        CHECK(ts.bucket_seconds == 7);
        CHECK(ts.points.size() == 86401);
    }
}

// ---- rejects and scanners --------------------------------------------------------------------

namespace {

// One TCP record of 1 packet, 40 bytes, ending 5 s after it starts.
std::string flow(std::string_view src, std::string_view dst, unsigned dport, uint64_t start, std::string_view action) {
    return "2 123456789010 eni-0a " + std::string(src) + " " + std::string(dst) + " 40000 " + std::to_string(dport) +
           " 6 1 40 " + std::to_string(start) + " " + std::to_string(start + 5) + " " + std::string(action) + " OK";
}

// rows  0..19  A = 198.51.100.7 rejected on ports 1..20 of 10.0.0.5, starts 1700000000 + 60·port
// row  20      A accepted on port 443 of 10.0.0.5
// rows 21..39  B = 198.51.100.8 rejected on ports 1..19 of 10.0.0.5 (one port short of 20)
// rows 40..59  C = 10.0.0.99 (private) rejected on port 22 of 10.0.1.1 … 10.0.1.20, at 1700086400
// row  60      NODATA
Store scan_store() {
    Store s;
    for (unsigned p = 1; p <= 20; ++p) add(s, flow("198.51.100.7", "10.0.0.5", p, 1700000000 + 60 * p, "REJECT"));
    add(s, flow("198.51.100.7", "10.0.0.5", 443, 1700002000, "ACCEPT"));
    for (unsigned p = 1; p <= 19; ++p) add(s, flow("198.51.100.8", "10.0.0.5", p, 1700000000, "REJECT"));
    for (unsigned h = 1; h <= 20; ++h) add(s, flow("10.0.0.99", "10.0.1." + std::to_string(h), 22, 1700086400, "REJECT"));
    add(s, "2 123456789010 eni-0a - - - - - - - 1700000000 1700000060 - NODATA");
    s.pad_columns();
    return s;
}

std::vector<std::string> sources(const RejectReport& r) {
    std::vector<std::string> v;
    for (const Scanner& s : r.scanners) v.push_back(s.source);
    return v;
}

}  // namespace

TEST_CASE("analyses.reject_tops") {
    Store s = scan_store();
    RejectReport r = reject_analysis(s, all_rows(s), 3);
    CHECK(r.records == 59);    // 20 + 19 + 20
    CHECK(r.bytes == 2360);    // 59 × 40
    // dstport: 22 → 20 (C); 1..19 → 2 each (A and B); 20 → 1. Tied at 2: "1" < "10" < "11" …
    CHECK(r.by_dstport.key == "dstport");
    CHECK(r.by_dstport.metric == Metric::Records);
    CHECK(r.by_dstport.distinct == 21);
    REQUIRE(r.by_dstport.rows.size() == 3);
    CHECK(r.by_dstport.rows[0].key == Keys{"22"});
    CHECK(r.by_dstport.rows[0].records == 20);
    CHECK(r.by_dstport.rows[1].key == Keys{"1"});
    CHECK(r.by_dstport.rows[2].key == Keys{"10"});
    CHECK(r.by_dstport.other.records == 35);  // 59 - 20 - 2 - 2
    // Sources: A 20 and C 20 tie ("10.0.0.99" < "198.51.100.7"), B 19.
    REQUIRE(r.by_source.rows.size() == 3);
    CHECK(r.by_source.rows[0].key == Keys{"10.0.0.99"});
    CHECK(r.by_source.rows[1].key == Keys{"198.51.100.7"});
    CHECK(r.by_source.rows[2].key == Keys{"198.51.100.8"});
    CHECK(r.by_source.other.records == 0);
    // Destinations: 10.0.0.5 ← 20 + 19 = 39; 20 hosts of C with 1 each.
    CHECK(r.by_destination.distinct == 21);
    CHECK(r.by_destination.rows[0].key == Keys{"10.0.0.5"});
    CHECK(r.by_destination.rows[0].records == 39);
    REQUIRE(r.by_interface.rows.size() == 1);
    CHECK(r.by_interface.rows[0].key == Keys{"eni-0a"});
    CHECK(r.by_interface.rows[0].records == 59);
}

TEST_CASE("analyses.scanners") {
    Store s = scan_store();
    SUBCASE("default thresholds (20, 20): A at the port threshold, C at the host threshold, B below") {
        RejectReport r = reject_analysis(s, all_rows(s), 10);
        CHECK(r.thresholds.min_ports == 20);
        // A and C both reach 20 and both have 20 rejected records: address order, C first.
        REQUIRE(sources(r) == Keys{"10.0.0.99", "198.51.100.7"});
        const Scanner& c = r.scanners[0];
        CHECK(c.kind == "host sweep");
        CHECK(c.rejected_records == 20);
        CHECK(c.accepted_records == 0);
        CHECK(c.distinct_hosts == 20);
        CHECK(c.distinct_ports == 1);
        CHECK(c.sample_ports == std::vector<uint16_t>{22});
        CHECK(c.first_seen == 1700086400u);
        CHECK(c.last_seen == 1700086405u);
        CHECK(c.explanation ==
              "10.0.0.99 was rejected by 20 different destination addresses on 1 port (22) at 2023-11-15 22:13 UTC: "
              "this looks like a host sweep. 20 records were rejected. The source is a private address: the scan "
              "comes from inside the network, so that host deserves a look. None of its flows were accepted.");
        const Scanner& a = r.scanners[1];
        CHECK(a.kind == "port scan");
        CHECK(a.rejected_records == 20);
        CHECK(a.accepted_records == 1);  // row 20 got through
        CHECK(a.distinct_ports == 20);
        CHECK(a.distinct_hosts == 1);
        CHECK(a.sample_ports == std::vector<uint16_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});  // the 10 lowest of 20
        CHECK(a.first_seen == 1700000060u);  // port 1: 2023-11-14T22:14:20Z
        CHECK(a.last_seen == 1700001205u);   // port 20 ends at 1700001200 + 5: 22:33:25
        CHECK(a.explanation ==
              "198.51.100.7 was rejected on 20 different destination ports of 1 host between 2023-11-14 22:14 and "
              "22:33 UTC: this looks like a port scan. 20 records were rejected. 1 flow from it was accepted "
              "(destination port 443): check what answered.");
    }
    SUBCASE("ports threshold 19, hosts criterion off: A and B are port scans, C is not") {
        RejectReport r = reject_analysis(s, all_rows(s), 10, {19, 0});
        CHECK(sources(r) == Keys{"198.51.100.7", "198.51.100.8"});
        CHECK(r.scanners[1].distinct_ports == 19);
        CHECK(r.scanners[1].kind == "port scan");
    }
    SUBCASE("both thresholds 1: every source is both") {
        RejectReport r = reject_analysis(s, all_rows(s), 10, {1, 1});
        CHECK(sources(r) == Keys{"10.0.0.99", "198.51.100.7", "198.51.100.8"});
        for (const Scanner& x : r.scanners) CHECK(x.kind == "port scan and host sweep");
        CHECK(contains(r.scanners[1].explanation, "on 20 different destination ports across 1 host between"));
        CHECK(contains(r.scanners[1].explanation, "port scan and a host sweep."));
    }
    SUBCASE("both thresholds 0: detection off") {
        CHECK(reject_analysis(s, all_rows(s), 10, {0, 0}).scanners.empty());
    }
    SUBCASE("selection: without A's port-20 record A falls to 19 ports, below 20") {
        RowSet rows = all_rows(s);
        rows.reset(19);
        RejectReport r = reject_analysis(s, rows, 10);
        CHECK(r.records == 58);
        CHECK(sources(r) == Keys{"10.0.0.99"});
    }
    SUBCASE("selection: the accepted record outside the selection does not count") {
        RowSet rows = all_rows(s);
        rows.reset(20);
        RejectReport r = reject_analysis(s, rows, 10);
        REQUIRE(r.scanners.size() == 2);
        CHECK(r.scanners[1].accepted_records == 0);
        CHECK(contains(r.scanners[1].explanation, "None of its flows were accepted."));
    }
    SUBCASE("nothing rejected") {
        RejectReport r = reject_analysis(s, only(s, {20, 60}), 10);
        CHECK(r.records == 0);
        CHECK(r.by_dstport.rows.empty());
        CHECK(r.by_dstport.distinct == 0);
        CHECK(r.scanners.empty());
    }
}

TEST_CASE("analyses.scanner_explanation_numbers") {
    // 1,500 ports on 3 hosts, over two days: thousands separators, plural hosts, a date on both
    // ends. 1,500 records, starts 1700000000 + 100·i.
    Store s;
    for (unsigned i = 0; i < 1500; ++i)
        add(s, flow("203.0.113.7", "10.0.0." + std::to_string(i % 3 + 1), 1000 + i, 1700000000 + 100 * i, "REJECT"));
    s.pad_columns();
    RejectReport r = reject_analysis(s, all_rows(s), 5);
    REQUIRE(r.scanners.size() == 1);
    const Scanner& x = r.scanners[0];
    CHECK(x.distinct_ports == 1500);
    CHECK(x.distinct_hosts == 3);
    CHECK(x.sample_ports.size() == 10);
    CHECK(x.sample_ports.front() == 1000);
    // last end = 1700000000 + 149900 + 5 = 1700149905 = 2023-11-16T15:51:45Z.
    CHECK(x.explanation ==
          "203.0.113.7 was rejected on 1,500 different destination ports of 3 hosts between 2023-11-14 22:13 and "
          "2023-11-16 15:51 UTC: this looks like a port scan. 1,500 records were rejected. None of its flows were "
          "accepted.");
}

TEST_CASE("analyses.scanner_or_blocked_replies") {
    // A web server 10.0.0.5 answering from port 443 to 25 clients' ephemeral ports, every reply
    // rejected (a network ACL without an outbound rule for 1024-65535): by the numbers it hits
    // 25 ports of 25 hosts, but these are replies, and the explanation must say so. Every record
    // starts at 1700000000 (22:13:20) and ends at 1700000060 (22:14:20).
    Store s;
    for (unsigned i = 0; i < 25; ++i) {
        std::string client = "203.0.113." + std::to_string(i + 1);
        add(s, "2 123456789010 eni-0a " + client + " 10.0.0.5 " + std::to_string(40000 + i) +
                   " 443 6 5 500 1700000000 1700000060 ACCEPT OK");
        unsigned sport = i < 20 ? 443 : 80;  // SUBCASE "mixed" looks at the 5 from port 80
        add(s, "2 123456789010 eni-0a 10.0.0.5 " + client + " " + std::to_string(sport) + " " +
                   std::to_string(40000 + i) + " 6 5 500 1700000000 1700000060 REJECT OK");
    }
    s.pad_columns();
    SUBCASE("all from port 443") {
        RowSet rows = all_rows(s);
        for (size_t r = 41; r < 50; r += 2) rows.reset(r);  // drop the 5 replies from port 80
        RejectReport r = reject_analysis(s, rows, 10);
        REQUIRE(r.scanners.size() == 1);
        const Scanner& x = r.scanners[0];
        CHECK(x.source == "10.0.0.5");
        CHECK(x.kind == "port scan and host sweep");  // the thresholds' verdict stays visible
        CHECK(x.distinct_ports == 20);
        CHECK(x.distinct_hosts == 20);
        CHECK(x.explanation ==
              "10.0.0.5 was rejected on 20 different destination ports of 20 hosts between 2023-11-14 22:13 and 22:14 "
              "UTC, but 20 of its 20 rejected records go from port 443 to ports 1024 and above: they look like replies blocked by a "
              "network ACL (stateless: replies need an outbound rule for ports 1024-65535) rather than a scan.");
    }
    SUBCASE("mixed source ports") {
        RejectReport r = reject_analysis(s, all_rows(s), 10);
        REQUIRE(r.scanners.size() == 1);
        CHECK(contains(r.scanners[0].explanation, "25 of its 25 rejected records go from ports below 1024 (such as 443)"));
    }
    SUBCASE("a real scanner from a high port is not mistaken for replies") {
        Store q = scan_store();
        RejectReport r = reject_analysis(q, all_rows(q), 10);
        for (const Scanner& x : r.scanners) CHECK_FALSE(contains(x.explanation, "replies"));
    }
}

TEST_CASE("analyses.rejected_replies") {
    // Rejected TCP/UDP records from a port below 1024 to one of 1024 and up, by source and port.
    Store s;
    const std::string head = "2 123456789010 eni-0a ";
    const std::string tail = " 1700000000 1700000060 ";
    auto rec = [&](std::string_view src, std::string_view sport, std::string_view dport, std::string_view proto,
                   unsigned bytes, std::string_view action) {
        add(s, head + std::string(src) + " 10.0.0.9 " + std::string(sport) + " " + std::string(dport) + " " +
                   std::string(proto) + " 1 " + std::to_string(bytes) + tail + std::string(action) + " OK");
    };
    rec("10.0.0.5", "443", "40000", "6", 100, "REJECT");   // a reply
    rec("10.0.0.6", "53", "50000", "17", 200, "REJECT");   // a reply (UDP)
    rec("10.0.0.5", "443", "40001", "6", 300, "REJECT");   // a reply
    rec("10.0.0.7", "1023", "1024", "6", 50, "REJECT");    // a reply: both bounds
    rec("10.0.0.8", "0", "40000", "6", 7, "REJECT");       // a reply: port 0 is below 1024
    rec("10.0.0.5", "0", "0", "1", 1000, "REJECT");        // ICMP
    rec("10.0.0.5", "1024", "40000", "6", 1000, "REJECT"); // from an ephemeral port
    rec("10.0.0.5", "443", "1023", "6", 1000, "REJECT");   // to a well-known port
    rec("10.0.0.5", "443", "40000", "6", 1000, "ACCEPT");  // accepted
    rec("10.0.0.5", "-", "40000", "6", 1000, "REJECT");    // no source port
    rec("10.0.0.5", "443", "40000", "50", 1000, "REJECT"); // ESP, not TCP or UDP
    s.pad_columns();
    RejectReport r = reject_analysis(s, all_rows(s), 10);
    CHECK(r.records == 10);
    CHECK(r.reply_records == 5);
    CHECK(r.reply_bytes == 657);  // 100 + 200 + 300 + 50 + 7
    const TopResult& t = r.replies_by_source;
    CHECK(t.key == "srcaddr,srcport");
    CHECK(t.metric == Metric::Records);
    CHECK(t.distinct == 4);
    REQUIRE(t.rows.size() == 4);
    CHECK(t.rows[0].key == Keys{"10.0.0.5", "443"});  // 2 records
    CHECK(t.rows[0].records == 2);
    CHECK(t.rows[0].bytes == 400);
    CHECK(t.rows[1].key == Keys{"10.0.0.6", "53"});   // ties at 1, in key text order
    CHECK(t.rows[2].key == Keys{"10.0.0.7", "1023"});
    CHECK(t.rows[3].key == Keys{"10.0.0.8", "0"});
    CHECK(t.other.records == 0);

    SUBCASE("only within the selection") {
        RejectReport q = reject_analysis(s, only(s, {0, 1, 5}), 1);
        CHECK(q.reply_records == 2);
        REQUIRE(q.replies_by_source.rows.size() == 1);  // n = 1
        CHECK(q.replies_by_source.rows[0].key == Keys{"10.0.0.5", "443"});
        CHECK(q.replies_by_source.other.records == 1);
    }
    SUBCASE("a log without ports has none") {
        static constexpr std::string_view f[] = {"srcaddr", "protocol", "action"};
        Store n;
        add(n, f, "10.0.0.1 6 REJECT");
        n.pad_columns();
        RejectReport q = reject_analysis(n, all_rows(n), 10);
        CHECK(q.records == 1);
        CHECK(q.reply_records == 0);
        CHECK(q.replies_by_source.rows.empty());
    }
}

TEST_CASE("analyses.nodata_by_interface") {
    // The documented examples: one NODATA record, on eni-1235b8ca123456789.
    Store s = aws_examples();
    auto res = analyze(s, all_rows(s), {});
    REQUIRE(std::holds_alternative<Analysis>(res));
    const Analysis& a = std::get<Analysis>(res);
    CHECK(a.totals.nodata_records == 1);
    CHECK(a.nodata_by_interface.key == "interface-id");
    CHECK(a.nodata_by_interface.metric == Metric::Records);
    REQUIRE(a.nodata_by_interface.rows.size() == 1);
    CHECK(a.nodata_by_interface.rows[0].key == Keys{"eni-1235b8ca123456789"});
    CHECK(a.nodata_by_interface.rows[0].records == 1);
    // Without the NODATA row (2), none.
    auto without = analyze(s, only(s, {0, 1, 3, 4, 5, 6}), {});
    REQUIRE(std::holds_alternative<Analysis>(without));
    CHECK(std::get<Analysis>(without).nodata_by_interface.rows.empty());
    CHECK(std::get<Analysis>(without).nodata_by_interface.distinct == 0);
}

TEST_CASE("analyses.rejects_missing_columns") {
    // A custom format without ports, destinations or interfaces: tops read them as null.
    static constexpr std::string_view f[] = {"srcaddr", "action", "bytes"};
    Store s;
    add(s, f, "10.0.0.1 REJECT 10");
    add(s, f, "10.0.0.1 REJECT 20");
    add(s, f, "10.0.0.2 ACCEPT 30");
    s.pad_columns();
    RejectReport r = reject_analysis(s, all_rows(s), 10, {1, 1});
    CHECK(r.records == 2);
    CHECK(r.bytes == 30);
    REQUIRE(r.by_dstport.rows.size() == 1);
    CHECK(r.by_dstport.rows[0].key == Keys{"-"});
    CHECK(r.by_dstport.rows[0].records == 2);
    CHECK(r.by_interface.fields == Keys{"interface-id"});
    CHECK(r.by_source.rows[0].key == Keys{"10.0.0.1"});
    CHECK(r.scanners.empty());  // no ports or destinations to count

    SUBCASE("no action at all: nothing is rejected") {
        static constexpr std::string_view g[] = {"srcaddr", "bytes"};
        Store n;
        add(n, g, "10.0.0.1 5");
        n.pad_columns();
        RejectReport q = reject_analysis(n, all_rows(n), 10);
        CHECK(q.records == 0);
        CHECK(q.scanners.empty());
    }
}

// ---- analyze() and the JSON document ---------------------------------------------------------

TEST_CASE("analyses.analyze") {
    Store s = aws_examples();
    SUBCASE("defaults") {
        auto r = analyze(s, all_rows(s), {});
        REQUIRE(std::holds_alternative<Analysis>(r));
        const Analysis& a = std::get<Analysis>(r);
        CHECK(a.loaded_records == 7);
        CHECK(a.totals.bytes == 18025);
        REQUIRE(a.top.size() == 8);
        CHECK(a.top[2].key == "conversation");
        CHECK(a.top[0].rows.size() == 5);
        CHECK(a.timeseries.bucket_seconds == 604800);
        CHECK(a.rejects.records == 2);
        // Rejected: row 1 (3389) and row 5 (0), one record each: key text order, "0" first.
        CHECK(a.rejects.by_dstport.rows[0].key == Keys{"0"});
    }
    SUBCASE("keys asked, duplicates dropped, n and metric applied") {
        AnalysisOptions o;
        o.top_keys = {"srcaddr", "SRCADDR", "dstport"};
        o.top_n = 1;
        o.metric = Metric::Packets;
        auto r = analyze(s, all_rows(s), o);
        REQUIRE(std::holds_alternative<Analysis>(r));
        const Analysis& a = std::get<Analysis>(r);
        REQUIRE(a.top.size() == 2);
        CHECK(a.top[0].metric == Metric::Packets);
        REQUIRE(a.top[0].rows.size() == 1);
        CHECK(a.top[0].rows[0].key == Keys{"2001:db8:1234:a100:8d6e:3477:df66:f105"});  // 54 packets
        CHECK(a.top[1].key == "dstport");
    }
    SUBCASE("a bad key is an error") {
        AnalysisOptions o;
        o.top_keys = {"srcaddr", "nope"};
        auto r = analyze(s, all_rows(s), o);
        REQUIRE(std::holds_alternative<std::string>(r));
        CHECK(contains(std::get<std::string>(r), "unknown field 'nope'"));
    }
    SUBCASE("a row set of the wrong size is an error, not a crash") {
        auto r = analyze(s, RowSet(3, true), {});
        CHECK(std::holds_alternative<std::string>(r));
    }
}

TEST_CASE("analyses.json_document") {
    Store s = aws_examples();
    IngestReport report;
    uint32_t file = s.add_file("flows/a.log");
    FileReport fr;
    fr.name = "flows/a.log";
    fr.bytes = 1234;
    fr.records = 7;
    fr.headers = 0;
    fr.input_format = "text";
    fr.format = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
    report.files.push_back(fr);
    FileReport broken;
    broken.name = "b.log.gz";
    broken.gzip = true;
    broken.error = "corrupt gzip data";
    report.files.push_back(broken);
    report.add_bad_line(file, 9, BadLineReason::PortRange, "dstport: 70000 is above 65535",
                        "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 70000 6 1 1 1 1 ACCEPT OK");

    auto r = analyze(s, all_rows(s), {});
    REQUIRE(std::holds_alternative<Analysis>(r));
    std::string out;
    JsonWriter w(out);
    write_analysis_json(w, std::get<Analysis>(r), "dstport < 1024 and action = \"ACCEPT\"", report, s);
    INFO(out);
    CHECK(JsonSyntax::valid(out));
    CHECK(out.front() == '{');
    CHECK(out.back() == '}');
    // Order and presence of the sections.
    size_t last = 0;
    for (std::string_view section : {"\"flowlens\":{\"version\":\"", "\"filter\":", "\"totals\":{", "\"top\":{",
                                     "\"timeseries\":{", "\"rejects\":{", "\"errors\":{"}) {
        size_t at = out.find(section);
        CHECK_MESSAGE(at != std::string::npos, section);
        CHECK_MESSAGE(at >= last, section);
        last = at;
    }
    CHECK(contains(out, "\"format_version\":1"));
    // The filter text, escaped for embedding in HTML.
    CHECK(contains(out, "\"filter\":\"dstport \\u003c 1024 and action = \\\"ACCEPT\\\"\""));
    // Totals: numbers as numbers, times twice.
    CHECK(contains(out, "\"totals\":{\"loaded_records\":7,\"records\":7,\"ok_records\":5,\"nodata_records\":1,"
                        "\"skipdata_records\":1,\"bytes\":18025,\"packets\":102,\"accepted_records\":3,"
                        "\"accepted_bytes\":13440,\"rejected_records\":2,\"rejected_bytes\":4585,"
                        "\"distinct_sources\":4,\"distinct_destinations\":5,\"distinct_interfaces\":2,"
                        "\"first_start\":1418530010,\"first_start_iso\":\"2014-12-14T04:06:50Z\","
                        "\"last_end\":1477913820,\"last_end_iso\":\"2016-10-31T11:37:00Z\",\"bad_lines\":1}"));
    // A top list, whole.
    CHECK(contains(out, "\"dstport\":{\"key\":\"dstport\",\"fields\":[\"dstport\"],\"metric\":\"bytes\",\"distinct\":4,"
                        "\"rows\":[{\"key\":[\"22\"],\"bytes\":13104,\"packets\":74,\"records\":2},"
                        "{\"key\":[\"3389\"],\"bytes\":4249,\"packets\":20,\"records\":1},"
                        "{\"key\":[\"0\"],\"bytes\":672,\"packets\":8,\"records\":2},"
                        "{\"key\":[\"-\"],\"bytes\":0,\"packets\":0,\"records\":2}],"
                        "\"other\":{\"bytes\":0,\"packets\":0,\"records\":0}}"));
    CHECK(contains(out, "\"conversation\":{\"key\":\"conversation\",\"fields\":[\"addr\",\"addr\"]"));
    // Time series.
    CHECK(contains(out, "\"timeseries\":{\"bucket_seconds\":604800,\"points\":[{\"start\":1418256000,"
                        "\"start_iso\":\"2014-12-11T00:00:00Z\",\"accept_records\":1,\"accept_bytes\":4249,"
                        "\"accept_packets\":20,\"reject_records\":1,\"reject_bytes\":4249,\"reject_packets\":20,"
                        "\"other_records\":0}"));
    // Rejects.
    CHECK(contains(out, "\"rejects\":{\"records\":2,\"bytes\":4585,\"by_dstport\":{\"key\":\"dstport\""));
    CHECK(contains(out, "\"scan_thresholds\":{\"min_ports\":20,\"min_hosts\":20},\"scanners\":[]"));
    // Errors.
    CHECK(contains(out, "\"errors\":{\"bad_lines\":1,\"by_reason\":{\"port_range\":1},\"examples\":[{\"file\":"
                        "\"flows/a.log\",\"line\":9,\"reason\":\"port_range\",\"reason_text\":\"port above 65535\","
                        "\"detail\":\"dstport: 70000 is above 65535\",\"text\":\"2 123456789010"));
    CHECK(contains(out, "{\"name\":\"flows/a.log\",\"bytes\":1234,\"records\":7,\"bad_lines\":1,\"headers\":0,"
                        "\"gzip\":false,\"input_format\":\"text\",\"format\":\"version account-id"));
    CHECK(contains(out, "\"error\":null}"));
    CHECK(contains(out, "{\"name\":\"b.log.gz\",\"bytes\":0,\"records\":0,\"bad_lines\":0,\"headers\":0,\"gzip\":true,"
                        "\"input_format\":\"\",\"format\":\"\",\"error\":\"corrupt gzip data\"}"));
}

TEST_CASE("analyses.json_scanners_and_empty") {
    SUBCASE("scanners") {
        Store s = scan_store();
        auto r = analyze(s, all_rows(s), {});
        REQUIRE(std::holds_alternative<Analysis>(r));
        std::string out;
        JsonWriter w(out);
        write_analysis_json(w, std::get<Analysis>(r), "", IngestReport{}, s);
        CHECK(JsonSyntax::valid(out));
        CHECK(contains(out, "\"scanners\":[{\"source\":\"10.0.0.99\",\"kind\":\"host sweep\",\"rejected_records\":20,"
                            "\"accepted_records\":0,\"distinct_ports\":1,\"distinct_hosts\":20,\"sample_ports\":[22],"
                            "\"first_seen\":1700086400,\"first_seen_iso\":\"2023-11-15T22:13:20Z\","
                            "\"last_seen\":1700086405,\"last_seen_iso\":\"2023-11-15T22:13:25Z\",\"explanation\":\""));
        CHECK(contains(out, "\"sample_ports\":[1,2,3,4,5,6,7,8,9,10]"));
    }
    SUBCASE("no data at all") {
        Store s;
        auto r = analyze(s, RowSet(0), {});
        REQUIRE(std::holds_alternative<Analysis>(r));
        std::string out;
        JsonWriter w(out);
        write_analysis_json(w, std::get<Analysis>(r), "", IngestReport{}, s);
        CHECK(JsonSyntax::valid(out));
        CHECK(contains(out, "\"first_start\":null,\"first_start_iso\":null"));
        CHECK(contains(out, "\"top\":{}"));
        CHECK(contains(out, "\"points\":[]"));
        CHECK(contains(out, "\"errors\":{\"bad_lines\":0,\"by_reason\":{},\"examples\":[],\"files\":[]}"));
    }
}

TEST_CASE("analyses.sections_can_be_left_out") {
    // Without the time series and the reject report: the same totals and top lists, and a
    // document without those two keys. The scan store has rejects and scanners to leave out.
    Store s = scan_store();
    AnalysisOptions some;
    some.timeseries = some.rejects = false;
    auto full = analyze(s, all_rows(s), {});
    auto part = analyze(s, all_rows(s), some);
    REQUIRE(std::holds_alternative<Analysis>(full));
    REQUIRE(std::holds_alternative<Analysis>(part));
    const Analysis& a = std::get<Analysis>(full);
    const Analysis& b = std::get<Analysis>(part);
    CHECK(b.totals.records == a.totals.records);
    CHECK(b.totals.rejected_records == a.totals.rejected_records);
    REQUIRE(b.top.size() == a.top.size());
    for (size_t i = 0; i < a.top.size(); ++i) CHECK(b.top[i].rows.size() == a.top[i].rows.size());
    CHECK(b.rejects.scanners.empty());
    CHECK_FALSE(a.rejects.scanners.empty());
    const auto json = [&](const Analysis& x) {
        std::string out;
        JsonWriter w(out);
        write_analysis_json(w, x, "", IngestReport{}, s);
        return out;
    };
    const std::string with = json(a), without = json(b);
    CHECK(contains(with, "\"timeseries\":"));
    CHECK(contains(with, "\"rejects\":"));
    CHECK_FALSE(contains(without, "\"timeseries\":"));
    CHECK_FALSE(contains(without, "\"rejects\":"));
    // Up to "timeseries", the two documents are the same text.
    CHECK(without.substr(0, without.find("\"errors\":")) == with.substr(0, with.find("\"timeseries\":")));
}

TEST_CASE("analyses.before_rejects_gets_the_finished_rest_first") {
    // The hook sees the analysis without its reject report, once, before the report is made:
    // its document is the whole document without "rejects", text for text. Over every row, the
    // rejected rows only (the report's lists then come from the main lists), and no row; never
    // called when the report is off.
    Store s = scan_store();
    auto compiled = Filter::compile("action = REJECT", s);
    REQUIRE(std::holds_alternative<Filter>(compiled));
    const RowSet rejected = std::get<Filter>(compiled).evaluate(s);
    REQUIRE(rejected.count() > 0);
    REQUIRE(rejected.count() < s.rows());
    const auto json = [&](const Analysis& x) {
        std::string out;
        JsonWriter w(out);
        write_analysis_json(w, x, "", IngestReport{}, s);
        return out;
    };
    const std::array<RowSet, 3> selections = {all_rows(s), rejected, RowSet(s.rows())};
    const std::array<uint64_t, 3> rejected_records = {rejected.count(), rejected.count(), 0};
    for (size_t i = 0; i < selections.size(); ++i) {
        CAPTURE(i);
        std::vector<std::string> early;
        AnalysisOptions o;
        o.before_rejects = [&](const Analysis& a) {
            CHECK_FALSE(a.with_rejects);
            early.push_back(json(a));
        };
        auto result = analyze(s, selections[i], o);
        REQUIRE(std::holds_alternative<Analysis>(result));
        const Analysis& whole = std::get<Analysis>(result);
        CHECK(whole.rejects.records == rejected_records[i]);
        const std::string text = json(whole);
        REQUIRE(early.size() == 1);
        const size_t rejects = text.find("\"rejects\":"), errors = text.find("\"errors\":");
        REQUIRE(rejects != std::string::npos);
        REQUIRE(errors > rejects);
        CHECK(early[0] == text.substr(0, rejects) + text.substr(errors));
    }
    AnalysisOptions off;
    off.rejects = false;
    int calls = 0;
    off.before_rejects = [&](const Analysis&) { ++calls; };
    REQUIRE(std::holds_alternative<Analysis>(analyze(s, all_rows(s), off)));
    CHECK(calls == 0);
}

TEST_CASE("analyses.rejects_of_an_all_rejected_selection_come_ranked_by_records") {
    // When every selected row is rejected, the reject report's lists are ranked from the main
    // lists' counts (by records, whatever the main metric). An address table above 2^17 makes
    // the address lists counted in hash maps, the ports in arrays: both kinds are ranked twice.
    Store s;
    const auto line = [](std::string_view src, std::string_view dst, unsigned port, uint64_t bytes, std::string_view action) {
        return "2 123456789010 eni-0a " + std::string(src) + " " + std::string(dst) + " 40000 " + std::to_string(port) +
               " 6 1 " + std::to_string(bytes) + " 1700000000 1700000060 " + std::string(action) + " OK";
    };
    // Addresses no selected row uses (as a large load's would be): interned directly.
    for (uint32_t i = 0; i < 140000; ++i) s.addresses().intern_v4(0x0A000000u + i);
    add(s, line("10.200.0.1", "10.200.0.2", 443, 40, "ACCEPT"));
    // A: 300 small rejects on :22; B: 200 big ones on :3389; C: 50 small on :23.
    for (int i = 0; i < 300; ++i) add(s, line("198.51.100.1", "10.0.0.5", 22, 40, "REJECT"));
    for (int i = 0; i < 200; ++i) add(s, line("198.51.100.2", "10.0.0.6", 3389, 100000, "REJECT"));
    for (int i = 0; i < 50; ++i) add(s, line("198.51.100.3", "10.0.0.5", 23, 40, "REJECT"));
    s.pad_columns();
    REQUIRE(s.addresses().size() > (size_t{1} << 17));
    RowSet rejected(s.rows());
    for (size_t r = 1; r < s.rows(); ++r) rejected.set(r);

    auto result = analyze(s, rejected, {});  // main lists by bytes
    REQUIRE(std::holds_alternative<Analysis>(result));
    const Analysis& a = std::get<Analysis>(result);
    const RejectReport& rep = a.rejects;
    CHECK(rep.records == 550);
    REQUIRE(rep.by_source.rows.size() == 3);
    CHECK(rep.by_source.metric == Metric::Records);
    CHECK(rep.by_source.rows[0].key == Keys{"198.51.100.1"});
    CHECK(rep.by_source.rows[0].records == 300);
    CHECK(rep.by_source.rows[1].key == Keys{"198.51.100.2"});
    CHECK(rep.by_source.rows[1].bytes == 20000000);
    CHECK(rep.by_source.rows[2].key == Keys{"198.51.100.3"});
    REQUIRE(rep.by_destination.rows.size() == 2);
    CHECK(rep.by_destination.rows[0].key == Keys{"10.0.0.5"});
    CHECK(rep.by_destination.rows[0].records == 350);
    REQUIRE(rep.by_dstport.rows.size() == 3);
    CHECK(rep.by_dstport.rows[0].key == Keys{"22"});
    CHECK(rep.by_dstport.rows[1].key == Keys{"3389"});
    CHECK(rep.by_dstport.rows[2].key == Keys{"23"});
    // The main list, asked first or not, still ranks by bytes: B first.
    const TopResult* main_src = nullptr;
    for (const TopResult& t : a.top)
        if (t.key == "srcaddr") main_src = &t;
    REQUIRE(main_src != nullptr);
    CHECK(main_src->metric == Metric::Bytes);
    CHECK(main_src->rows.at(0).key == Keys{"198.51.100.2"});
    CHECK(main_src->rows.at(1).key == Keys{"198.51.100.1"});

    // The same lists as the report counts them itself, in a selection with one accepted row
    // (which it leaves out), and as top_n ranks them alone.
    RowSet mixed = rejected;
    mixed.set(0);
    auto other = analyze(s, mixed, {});
    REQUIRE(std::holds_alternative<Analysis>(other));
    const RejectReport& rep2 = std::get<Analysis>(other).rejects;
    const auto same = [](const TopResult& x, const TopResult& y) {
        CHECK(x.key == y.key);
        CHECK(x.metric == y.metric);
        CHECK(x.distinct == y.distinct);
        REQUIRE(x.rows.size() == y.rows.size());
        for (size_t i = 0; i < x.rows.size(); ++i) {
            CHECK(x.rows[i].key == y.rows[i].key);
            CHECK(x.rows[i].bytes == y.rows[i].bytes);
            CHECK(x.rows[i].packets == y.rows[i].packets);
            CHECK(x.rows[i].records == y.rows[i].records);
        }
        CHECK(x.other.records == y.other.records);
    };
    same(rep.by_source, rep2.by_source);
    same(rep.by_destination, rep2.by_destination);
    same(rep.by_dstport, rep2.by_dstport);
    same(rep.by_interface, rep2.by_interface);
    same(rep.by_source, top(s, rejected, "srcaddr", Metric::Records, 10));
    same(rep.by_dstport, top(s, rejected, "dstport", Metric::Records, 10));
}

TEST_CASE("analyses.reject_memo_reuses_the_report_of_the_same_rejected_rows") {
    // scan_store(): rows 0..19 and 21..59 rejected, 20 accepted (A's port 443), 60 NODATA.
    Store s = scan_store();
    const IngestReport ingest;
    RejectMemo memo;
    // The whole document, made with the memo or without: they must be the same text.
    const auto document = [&](const RowSet& rows, RejectMemo* m, size_t n = 10, ScanThresholds t = {}) {
        AnalysisOptions o;
        o.top_n = n;
        o.scan = t;
        o.reject_memo = m;
        auto result = analyze(s, rows, o);
        REQUIRE(std::holds_alternative<Analysis>(result));
        std::string out;
        JsonWriter w(out);
        write_analysis_json(w, std::get<Analysis>(result), "", ingest, s);
        return std::make_pair(out, std::get<Analysis>(result).rejects);
    };
    const auto same_as_without = [&](const RowSet& rows, size_t n = 10, ScanThresholds t = {}) {
        auto with = document(rows, &memo, n, t);
        CHECK(with.first == document(rows, nullptr, n, t).first);
        return with.second;
    };
    RowSet rejected(s.rows());
    for (size_t r = 0; r < 60; ++r)
        if (r != 20) rejected.set(r);

    // Every row: made and kept. A (198.51.100.7) got through once.
    RejectReport all = same_as_without(all_rows(s));
    CHECK(memo.hits() == 0);
    CHECK(memo.size() == 1);
    REQUIRE(sources(all) == Keys{"10.0.0.99", "198.51.100.7"});
    CHECK(all.scanners[1].accepted_records == 1);

    // action = REJECT: the same 59 rejected rows, so the same report, but nothing got through.
    RejectReport rej = same_as_without(rejected);
    CHECK(memo.hits() == 1);
    CHECK(memo.size() == 1);
    REQUIRE(sources(rej) == Keys{"10.0.0.99", "198.51.100.7"});
    CHECK(rej.scanners[1].accepted_records == 0);
    CHECK(contains(rej.scanners[1].explanation, "None of its flows were accepted."));

    // Every row again: A's accepted record counts again (not the last selection's none).
    CHECK(same_as_without(all_rows(s)).scanners[1].accepted_records == 1);
    CHECK(memo.hits() == 2);

    // Without A's port-20 record: other rejected rows, a report of its own (A falls below 20
    // ports); then the same rejected rows with the accepted row: found again.
    RowSet fewer = all_rows(s);
    fewer.reset(19);
    CHECK(sources(same_as_without(fewer)) == Keys{"10.0.0.99"});
    CHECK(memo.hits() == 2);
    CHECK(memo.size() == 2);
    RowSet fewer_rejected = rejected;
    fewer_rejected.reset(19);
    same_as_without(fewer_rejected);
    CHECK(memo.hits() == 3);

    // Another list length or other thresholds: not the same report.
    same_as_without(all_rows(s), 3);
    CHECK(memo.hits() == 3);
    CHECK(sources(same_as_without(all_rows(s), 10, {19, 0})) == Keys{"198.51.100.7", "198.51.100.8"});
    CHECK(memo.hits() == 3);
    CHECK(memo.size() == RejectMemo::kEntries);

    // The oldest goes first: one more report, and the whole selection's (used at the third
    // query, the least recent now) must be made again.
    same_as_without(only(s, {0, 1, 2}));
    CHECK(memo.size() == RejectMemo::kEntries);
    same_as_without(all_rows(s));
    CHECK(memo.hits() == 3);

    memo.clear();
    CHECK(memo.size() == 0);
    CHECK(memo.hits() == 0);
    same_as_without(rejected);
    CHECK(memo.hits() == 0);
}

TEST_CASE("analyses.json_syntax_checker") {
    // The checker itself must reject what it should, or the checks above prove nothing.
    CHECK(JsonSyntax::valid("{\"a\":[1,-2.5,true,null,\"x\\u00e9\"]}"));
    CHECK_FALSE(JsonSyntax::valid("{\"a\":1,}"));
    CHECK_FALSE(JsonSyntax::valid("{\"a\" 1}"));
    CHECK_FALSE(JsonSyntax::valid("[1 2]"));
    CHECK_FALSE(JsonSyntax::valid("{\"a\":1}}"));
    CHECK_FALSE(JsonSyntax::valid("\"\\x\""));
}

TEST_CASE("analyses.every_storage_width_agrees_with_the_values") {
    // Counters at one, two and four bytes with escapes, ids past one byte, `end` stored from
    // `start` with escapes, a sparse selection: totals, tops, the time series and the reject
    // report must equal sums worked out row by row from the values (Column::number and code).
    for (uint64_t big : {uint64_t{300}, uint64_t{70'000}, uint64_t{1} << 36}) {
        CAPTURE(big);
        static constexpr std::string_view f[] = {"srcaddr", "dstaddr", "dstport", "interface-id", "packets",
                                                 "bytes",   "start",   "end",     "action"};
        Store s;
        const uint32_t n = 20'000;
        for (uint32_t r = 0; r < n; ++r) {
            // Values from a fixed mix: a few "big" counters (escapes, or a wider column), end
            // before start now and then, nulls here and there.
            const uint64_t packets = r % 150 == 0 ? big + r : r % 50;
            const uint64_t bytes = r % 7 == 0 ? big * 3 + r : r % 200;
            const uint32_t start = 1'700'000'000 + r / 3;
            const std::string end = r % 500 == 1 ? std::to_string(start - 9) : r % 500 == 2 ? "-" : std::to_string(start + r % 70);
            const std::string line = "10.0." + std::to_string(r % 300 / 256) + "." + std::to_string(r % 300 % 256) + " 10.9.0." +
                                     std::to_string(r % 9) + " " + std::to_string(r % 40) + " eni-" + std::to_string(r % 400) +
                                     " " + std::to_string(packets) + " " + std::to_string(bytes) + " " +
                                     (r % 997 == 0 ? "-" : std::to_string(start)) + " " + end + " " +
                                     (r % 3 == 0 ? "REJECT" : "ACCEPT");
            add(s, f, line);
        }
        s.pad_columns();
        CHECK(s.find("interface-id")->width() == 2);
        CHECK(s.find("end")->base() == s.find("start"));
        RowSet sel(s.rows(), false);
        for (uint32_t r = 0; r < n; ++r)
            if (r % 5 != 1) sel.set(r);

        const Column& packets = *s.find("packets");
        const Column& bytes = *s.find("bytes");
        const Column& start = *s.find("start");
        const Column& end = *s.find("end");
        const Column& action = *s.find("action");
        const Column& src = *s.find("srcaddr");
        const Column& eni = *s.find("interface-id");
        // Counters at every width: bytes widens to 2 bytes (300), to 4 (70,000), and escapes
        // at 4 (2^36); packets stays at one byte with escapes.
        CHECK(bytes.width() == (big == 300 ? 2u : 4u));
        CHECK(packets.width() == 1);
        CHECK_FALSE(packets.escapes().empty());
        Totals want;
        std::set<uint32_t> enis;
        std::map<uint32_t, std::array<uint64_t, 3>> by_src;  // bytes, packets, records
        std::map<int64_t, TimePoint> by_minute;
        uint32_t first = ~0u, last = 0;
        sel.for_each([&](size_t r) {
            const bool rejected = action.dict.value(action.code(r)) == "REJECT";
            ++want.records;
            enis.insert(eni.code(r));
            want.bytes += bytes.number(r);
            want.packets += packets.number(r);
            (rejected ? want.rejected_bytes : want.accepted_bytes) += bytes.number(r);
            auto& e = by_src[src.code(r)];
            e[0] += bytes.number(r);
            e[1] += packets.number(r);
            ++e[2];
            if (!start.is_null(r)) {
                first = std::min(first, static_cast<uint32_t>(start.number(r)));
                TimePoint& p = by_minute[static_cast<int64_t>(start.number(r) / 60 * 60)];
                (rejected ? p.reject_bytes : p.accept_bytes) += bytes.number(r);
                (rejected ? p.reject_packets : p.accept_packets) += packets.number(r);
            }
            if (!end.is_null(r)) last = std::max(last, static_cast<uint32_t>(end.number(r)));
        });
        const Totals t = compute_totals(s, sel);
        CHECK(t.records == want.records);
        CHECK(t.bytes == want.bytes);
        CHECK(t.packets == want.packets);
        CHECK(t.accepted_bytes == want.accepted_bytes);
        CHECK(t.rejected_bytes == want.rejected_bytes);
        CHECK(t.first_start == first);
        CHECK(t.last_end == last);
        CHECK(t.distinct_sources == by_src.size());
        CHECK(t.distinct_interfaces == enis.size());

        const TopResult top_src = top(s, sel, "srcaddr", Metric::Packets, 1000);
        REQUIRE(top_src.rows.size() == by_src.size());
        for (const TopRow& row : top_src.rows) {
            const auto id = s.addresses().find(*parse_ip(row.key[0]));
            REQUIRE(id);
            CHECK(row.bytes == by_src[*id][0]);
            CHECK(row.packets == by_src[*id][1]);
            CHECK(row.records == by_src[*id][2]);
        }

        const TimeSeries ts = time_series(s, sel, 60);
        for (const TimePoint& p : ts.points) {
            const TimePoint& w = by_minute[p.start];
            CHECK(p.accept_bytes == w.accept_bytes);
            CHECK(p.reject_bytes == w.reject_bytes);
            CHECK(p.accept_packets == w.accept_packets);
            CHECK(p.reject_packets == w.reject_packets);
        }

        const RejectReport rep = reject_analysis(s, sel, 5);
        CHECK(rep.bytes == want.rejected_bytes);
    }
}

// ---- the fused engine against row-by-row sums ------------------------------------------------

namespace {

struct Sums {
    uint64_t bytes = 0, packets = 0, records = 0;
};

// Checks a top list computed with n >= distinct against sums worked out row by row: every key
// with its counters, ranked by the metric with ties in key text order.
void check_top(const TopResult& got, const std::map<Keys, Sums>& want, Metric m) {
    CHECK(got.distinct == want.size());
    REQUIRE(got.rows.size() == want.size());
    for (size_t i = 0; i < got.rows.size(); ++i) {
        const TopRow& row = got.rows[i];
        auto it = want.find(row.key);
        REQUIRE(it != want.end());
        CHECK(row.bytes == it->second.bytes);
        CHECK(row.packets == it->second.packets);
        CHECK(row.records == it->second.records);
        if (i > 0) {
            const TopRow& prev = got.rows[i - 1];
            auto metric = [m](const TopRow& r) { return m == Metric::Bytes ? r.bytes : m == Metric::Packets ? r.packets : r.records; };
            CHECK((metric(prev) > metric(row) || (metric(prev) == metric(row) && prev.key < row.key)));
        }
    }
    CHECK(got.other.records == 0);
}

std::string text_of(const Store& s, const Column& c, size_t r) {
    if (c.kind == FieldKind::Address) return c.code(r) ? to_string(s.addresses().address(c.code(r))) : "-";
    if (c.kind == FieldKind::Enum || c.kind == FieldKind::Text) return c.code(r) ? std::string(c.dict.value(c.code(r))) : "-";
    return c.is_null(r) ? "-" : std::to_string(c.number(r));
}

bool addr_less(const IpAddress& a, const IpAddress& b) { return a.v4 != b.v4 ? a.v4 : a.bytes < b.bytes; }

}  // namespace

TEST_CASE("analyses.analyze_matches_row_by_row_sums") {
    // Address tables small (conversations in a direct array), below 2^16 ids (the 32-bit pair
    // map) and above (the 64-bit one), with IPv6, null addresses, ports and protocols, escaped
    // counters, unordered starts, and selections of whole words, sparse rows and nothing.
    for (uint32_t hosts : {20u, 3000u, 200000u}) {
        CAPTURE(hosts);
        static constexpr std::string_view f[] = {"account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport",
                                                 "protocol",   "packets",      "bytes",   "start",   "end",     "action",
                                                 "log-status"};
        Store s;
        const uint32_t n = hosts > 10000 ? 100'000 : 30'000;
        uint64_t x = 12345;
        auto rnd = [&x] {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            return x;
        };
        auto host = [&](uint64_t h) -> std::string {
            if (h % 97 == 0) return "-";
            if (h % 5 == 0) return "2001:db8::" + std::to_string(h % hosts % 9000 + 1);
            return to_string(IpAddress::from_v4(0x0A000000u + static_cast<uint32_t>(h % hosts)));
        };
        for (uint32_t r = 0; r < n; ++r) {
            const uint64_t a = rnd(), b = r % 2 ? a : rnd();  // pairs of rows often share their hosts
            const bool nodata = r % 101 == 0;
            const uint64_t bytes = r % 333 == 0 ? (uint64_t{1} << 40) + r : rnd() % 100000;
            const uint64_t packets = r % 777 == 0 ? (uint64_t{1} << 33) + r : rnd() % 300;
            const uint32_t start = 1'700'000'000 + static_cast<uint32_t>(rnd() % 7200);
            std::string line = std::string(r % 10 == 0 ? "444455556666" : "123456789012") + " eni-" +
                               std::to_string(rnd() % 37) + " ";
            if (nodata) {
                line += "- - - - - - - " + std::to_string(start) + " " + std::to_string(start + 60) + " - NODATA";
            } else {
                line += host(a) + " " + host(b / 3) + " " + (r % 61 == 0 ? "-" : std::to_string(rnd() % 65536)) + " " +
                        std::to_string(rnd() % 3 == 0 ? 443 : rnd() % 2000) + " " + (rnd() % 4 == 0 ? "17" : "6") + " " +
                        std::to_string(packets) + " " + std::to_string(bytes) + " " +
                        (r % 499 == 0 ? "-" : std::to_string(start)) + " " + std::to_string(start + rnd() % 90) + " " +
                        (rnd() % 9 == 0 ? "REJECT" : "ACCEPT") + " OK";
            }
            add(s, f, line);
        }
        s.pad_columns();
        if (hosts > 10000) CHECK(s.addresses().size() > 65536);

        RowSet sparse(s.rows(), false);
        for (uint32_t r = 0; r < n; ++r)
            if (r % 7 == 3 || r / 640 % 2 == 0) sparse.set(r);
        for (const RowSet& sel : {all_rows(s), sparse, RowSet(s.rows(), false)}) {
            AnalysisOptions opts;
            opts.top_n = 200000;
            opts.bucket_seconds = 60;
            opts.top_keys = {"srcaddr", "dstaddr", "conversation", "srcport", "dstport", "protocol", "interface-id",
                             "account-id", "srcaddr,dstport", "bytes"};
            auto res = analyze(s, sel, opts);
            REQUIRE(std::holds_alternative<Analysis>(res));
            const Analysis& an = std::get<Analysis>(res);

            // Row by row.
            std::map<std::string, std::map<Keys, Sums>> want;
            std::map<int64_t, TimePoint> points;
            std::set<uint32_t> srcs, dsts;
            const Column& src = *s.find("srcaddr");
            const Column& dst = *s.find("dstaddr");
            const Column& act = *s.find("action");
            uint64_t rejected = 0;
            // Per source of rejected rows: records, destination ports and hosts; accepted rows.
            struct Scan {
                uint64_t rejected = 0, accepted = 0;
                std::set<uint16_t> ports;
                std::set<uint32_t> hosts;
                std::optional<uint32_t> first, last;  // over the rejected rows' start and end
                uint64_t replies = 0;  // rejected rows from a port below 1024 to one of 1024 and up
            };
            std::map<uint32_t, Scan> scans;
            sel.for_each([&](size_t r) {
                const uint64_t by = s.find("bytes")->number(r), pk = s.find("packets")->number(r);
                auto put = [&](const std::string& key, Keys k) {
                    Sums& e = want[key][k];
                    e.bytes += by;
                    e.packets += pk;
                    ++e.records;
                };
                for (std::string_view k : {"srcaddr", "dstaddr", "srcport", "dstport", "protocol", "interface-id",
                                           "account-id", "bytes"})
                    put(std::string(k), {text_of(s, *s.find(k), r)});
                put("srcaddr,dstport", {text_of(s, src, r), text_of(s, *s.find("dstport"), r)});
                uint32_t u = src.code(r), v = dst.code(r);
                bool swap = u == 0 ? v != 0 : (v != 0 && addr_less(s.addresses().address(v), s.addresses().address(u)));
                if (swap) std::swap(u, v);
                put("conversation", {u ? to_string(s.addresses().address(u)) : "-", v ? to_string(s.addresses().address(v)) : "-"});
                if (src.code(r)) srcs.insert(src.code(r));
                if (dst.code(r)) dsts.insert(dst.code(r));
                const std::string_view a = act.code(r) ? act.dict.value(act.code(r)) : "";
                rejected += a == "REJECT";
                if (src.code(r) && a == "REJECT") {
                    Scan& sc = scans[src.code(r)];
                    ++sc.rejected;
                    const Column& dport = *s.find("dstport");
                    if (!dport.is_null(r)) sc.ports.insert(static_cast<uint16_t>(dport.number(r)));
                    if (dst.code(r)) sc.hosts.insert(dst.code(r));
                    for (std::string_view t : {"start", "end"}) {
                        const Column& c = *s.find(t);
                        if (c.is_null(r)) continue;
                        const auto at = static_cast<uint32_t>(c.number(r));
                        sc.first = std::min(sc.first.value_or(at), at);
                        sc.last = std::max(sc.last.value_or(at), at);
                    }
                    const Column& sp = *s.find("srcport");
                    if (!dport.is_null(r) && !sp.is_null(r) && sp.number(r) < 1024 && dport.number(r) >= 1024)
                        ++sc.replies;
                }
                if (src.code(r) && a == "ACCEPT") ++scans[src.code(r)].accepted;
                const Column& sport = *s.find("srcport");
                const uint64_t proto = s.find("protocol")->number(r);
                if (a == "REJECT" && (proto == 6 || proto == 17) && !sport.is_null(r) && sport.number(r) < 1024 &&
                    s.find("dstport")->number(r) >= 1024)
                    put("replies", {text_of(s, src, r), text_of(s, sport, r)});
                const Column& status = *s.find("log-status");
                if (status.dict.value(status.code(r)) == "NODATA") put("nodata", {text_of(s, *s.find("interface-id"), r)});
                const Column& st = *s.find("start");
                if (!st.is_null(r)) {
                    TimePoint& p = points[static_cast<int64_t>(st.number(r) / 60 * 60)];
                    if (a == "ACCEPT") {
                        ++p.accept_records;
                        p.accept_bytes += by;
                        p.accept_packets += pk;
                    } else if (a == "REJECT") {
                        ++p.reject_records;
                        p.reject_bytes += by;
                        p.reject_packets += pk;
                    } else {
                        ++p.other_records;
                    }
                }
            });
            REQUIRE(an.top.size() == opts.top_keys.size());
            for (const TopResult& t : an.top) {
                CAPTURE(t.key);
                check_top(t, want[t.key], Metric::Bytes);
            }
            CHECK(an.totals.distinct_sources == srcs.size());
            CHECK(an.totals.distinct_destinations == dsts.size());
            CHECK(an.rejects.records == rejected);
            check_top(an.rejects.replies_by_source, want["replies"], Metric::Records);
            uint64_t replies = 0, reply_bytes = 0;
            for (const auto& [k, sums] : want["replies"]) {
                replies += sums.records;
                reply_bytes += sums.bytes;
            }
            CHECK(an.rejects.reply_records == replies);
            CHECK(an.rejects.reply_bytes == reply_bytes);
            if (sel.count() == s.rows()) CHECK(replies > 10);  // the data has some to count
            check_top(an.nodata_by_interface, want["nodata"], Metric::Records);
            size_t nonempty = 0;
            for (const TimePoint& p : an.timeseries.points) {
                const TimePoint& w = points[p.start];
                nonempty += p.accept_records + p.reject_records + p.other_records > 0;
                CHECK(p.accept_records == w.accept_records);
                CHECK(p.accept_bytes == w.accept_bytes);
                CHECK(p.accept_packets == w.accept_packets);
                CHECK(p.reject_records == w.reject_records);
                CHECK(p.reject_bytes == w.reject_bytes);
                CHECK(p.reject_packets == w.reject_packets);
                CHECK(p.other_records == w.other_records);
            }
            CHECK(nonempty == points.size());

            // analyze() agrees with each analysis run on its own (other code paths: no top list
            // to take distinct counts from, one key per pass).
            const Totals t = compute_totals(s, sel);
            CHECK(t.records == an.totals.records);
            CHECK(t.bytes == an.totals.bytes);
            CHECK(t.ok_records == an.totals.ok_records);
            CHECK(t.nodata_records == an.totals.nodata_records);
            CHECK(t.distinct_sources == an.totals.distinct_sources);
            CHECK(t.distinct_destinations == an.totals.distinct_destinations);
            CHECK(t.distinct_interfaces == an.totals.distinct_interfaces);
            CHECK(t.first_start == an.totals.first_start);
            CHECK(t.last_end == an.totals.last_end);
            const TopResult conv = top(s, sel, "conversation", Metric::Records, 5);
            CHECK(conv.distinct == an.top[2].distinct);
            const RejectReport rep = reject_analysis(s, sel, 10);
            CHECK(rep.records == an.rejects.records);
            // Scanners at low thresholds (most sources of rejected rows are flagged): every count
            // and sample against the row-by-row sets.
            for (const ScanThresholds th : {ScanThresholds{2, 3}, ScanThresholds{3, 0}, ScanThresholds{0, 2}}) {
                CAPTURE(th.min_ports);
                CAPTURE(th.min_hosts);
                const RejectReport low = reject_analysis(s, sel, 10, th);
                std::map<std::string, const Scanner*> got;
                for (const Scanner& sc : low.scanners) got[sc.source] = &sc;
                size_t flagged = 0;
                for (const auto& [id, w] : scans) {
                    if (!w.rejected) continue;
                    const bool ps = th.min_ports && w.ports.size() >= th.min_ports;
                    const bool hs = th.min_hosts && w.hosts.size() >= th.min_hosts;
                    const std::string name = to_string(s.addresses().address(id));
                    CAPTURE(name);
                    auto it = got.find(name);
                    REQUIRE((it != got.end()) == (ps || hs));
                    if (!(ps || hs)) continue;
                    ++flagged;
                    const Scanner& sc = *it->second;
                    CHECK(sc.rejected_records == w.rejected);
                    CHECK(sc.accepted_records == w.accepted);
                    CHECK(sc.distinct_ports == w.ports.size());
                    CHECK(sc.distinct_hosts == w.hosts.size());
                    std::vector<uint16_t> lowest(w.ports.begin(), w.ports.end());
                    if (lowest.size() > 10) lowest.resize(10);
                    CHECK(sc.sample_ports == lowest);
                    CHECK(sc.first_seen == w.first);
                    CHECK(sc.last_seen == w.last);
                    // Mostly replies: the explanation says so, with their count.
                    const bool mostly_replies = w.replies * 2 > w.rejected;
                    CHECK(contains(sc.explanation, ", but " + with_commas(w.replies) + " of its ") == mostly_replies);
                    CHECK(contains(sc.explanation, "they look like replies") == mostly_replies);
                }
                CHECK(flagged == low.scanners.size());
                if (sel.count() == s.rows()) CHECK(flagged > 10);  // the data has some to flag
            }
            // One-second buckets: over 4,096 of them (another accumulator layout); each minute's
            // sums must come out the same.
            const TimeSeries fine = time_series(s, sel, 1);
            CHECK(fine.bucket_seconds == 1);
            std::map<int64_t, TimePoint> minutes;
            for (const TimePoint& p : fine.points) {
                TimePoint& m = minutes[p.start / 60 * 60];
                m.accept_records += p.accept_records;
                m.accept_bytes += p.accept_bytes;
                m.reject_packets += p.reject_packets;
                m.other_records += p.other_records;
            }
            for (const auto& [at, w] : points) {
                CHECK(minutes[at].accept_records == w.accept_records);
                CHECK(minutes[at].accept_bytes == w.accept_bytes);
                CHECK(minutes[at].reject_packets == w.reject_packets);
                CHECK(minutes[at].other_records == w.other_records);
            }
            CHECK(rep.scanners.size() == an.rejects.scanners.size());
            CHECK(rep.by_source.distinct == an.rejects.by_source.distinct);
        }
    }
}
