// Export, import and merge of data sets, and files loaded in parts: every result is compared
// with the independent path, one DataSet loading every file whole, through what queries see
// (the analyze document with and without filters, every record as `flowlens parse` prints it,
// the file of every row, file reports and bad-line examples).
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "flowlens/analysis.hpp"
#include "flowlens/data_transfer.hpp"
#include "flowlens/filter.hpp"
#include "flowlens/generator.hpp"
#include "flowlens/json_writer.hpp"
#include "flowlens/loader.hpp"
#include "flowlens/record_output.hpp"

#include "data_set_text.hpp"
#include "test_support.hpp"

using namespace flowlens;

namespace {

using flowlens::test::bytes;
using flowlens::test::read_file;

struct File {
    std::string name;
    std::string text;
    std::vector<std::string> fields;  // LoadOptions::fields
};

std::string analysis_json(const DataSet& d, std::string_view filter) {
    auto compiled = Filter::compile(filter, d.store);
    REQUIRE(std::holds_alternative<Filter>(compiled));
    RowSet rows = std::get<Filter>(compiled).evaluate(d.store);
    AnalysisOptions opts;
    opts.top_n = 20;
    auto result = analyze(d.store, rows, opts);
    REQUIRE(std::holds_alternative<Analysis>(result));
    std::string out;
    JsonWriter w(out);
    write_analysis_json(w, std::get<Analysis>(result), filter, d.report, d.store);
    return out;
}

// Everything a query, a listing or a report can see of a data set. The loops over every split
// point run thousands of these, also under the sanitizers, so they go less deep on most:
// Light = the analyze document without a filter only, Rows = no analyze document (every
// record with its file, the file reports, bad-line counts and examples).
enum class Depth { Rows, Light, Full };
std::string fingerprint(const DataSet& d, Depth depth = Depth::Full) {
    std::string out;
    if (depth != Depth::Rows)
        for (const char* filter : {"", "action = REJECT", "dstport in (22, 443, 3389) or protocol = 17",
                                   "not srcaddr = 10.0.0.0/8", "bytes > 1000"}) {
            out += analysis_json(d, filter) + "\n";
            if (depth == Depth::Light) break;
        }
    return out + flowlens::test::rows_text(d);
}

void load_whole(DataSet& d, const File& f) {
    LoadOptions o;
    o.fields = f.fields;
    load_text(d, f.name, f.text, o);
}

// Loads the part [offset, end) of `f` as the page does (test::load_part).
void load_part(DataSet& d, const File& f, uint64_t offset, uint64_t end, size_t chunk, bool to_eof = false) {
    flowlens::test::load_part(d, f.name, f.text, f.fields, offset, end, chunk, to_eof);
}

// export -> import -> append into `into`; the round trip every worker's result takes.
void transfer(DataSet& into, const DataSet& from) { REQUIRE(flowlens::test::transfer(into, from) == ""); }

std::vector<File> small_files() {
    std::vector<File> files;
    for (const char* n : {"documented-default.log", "documented-v5.log", "messy.log", "cloudwatch-export.log",
                          "cloudwatch-filter-log-events.json", "firehose.jsonl"})
        files.push_back({n, read_file(n), {}});
    // Layouts with extra and with fewer fields than the default, and header-less data with an
    // explicit field list.
    files.push_back({"extra.log",
                     "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
                     "action log-status vpc-id flow-direction\n"
                     "2 123456789010 eni-bbb 10.1.0.5 52.1.2.3 40000 443 6 12 9000 1700000000 1700000050 ACCEPT OK vpc-1 "
                     "egress\n"
                     "2 123456789010 eni-bbb 52.1.2.3 10.1.0.5 443 40000 6 10 99999999999 1700000000 1700000030 REJECT OK "
                     "vpc-1 ingress\n",
                     {}});
    files.push_back({"fewer.log",
                     "srcaddr dstaddr dstport action bytes\r\n10.0.0.5 10.0.0.9 22 REJECT 60\r\n"
                     "2001:db8::1 10.0.0.9 3389 REJECT 70\r\nnot-an-ip 10.0.0.9 22 REJECT 60\r\n10.0.0.5 10.0.0.9 22 "
                     "ACCEPT 5000000000",
                     {}});
    files.push_back({"headerless.log",
                     "10.0.0.1 10.0.0.2 443 ACCEPT\n10.0.0.3 10.0.0.2 80 REJECT\n",
                     {"srcaddr", "dstaddr", "dstport", "action"}});
    return files;
}

File generated(uint64_t records, uint64_t seed) {
    GeneratorOptions g;
    g.records = records;
    g.seed = seed;
    return {"generated.log", generate_to_string(g), {}};
}

bool is_text(const File& f) { return f.text.find_first_of("{[") != 0 && f.name.find("json") == std::string::npos; }

}  // namespace

TEST_CASE("data_transfer.round_trip_is_exact") {
    DataSet whole;
    for (const auto& f : small_files()) load_whole(whole, f);
    load_whole(whole, generated(3000, 5));
    const auto exported = export_data(whole);
    auto imported = import_data(exported);
    REQUIRE(std::holds_alternative<DataSet>(imported));
    const DataSet& back = std::get<DataSet>(imported);
    CHECK(fingerprint(back) == fingerprint(whole));
    CHECK(export_data(back) == exported);
    // An empty data set too.
    auto empty = import_data(export_data(DataSet{}));
    REQUIRE(std::holds_alternative<DataSet>(empty));
    CHECK(std::get<DataSet>(empty).store.rows() == 0);
}

TEST_CASE("data_transfer.every_grouping_of_files_matches_one_load") {
    const auto files = small_files();
    DataSet whole;
    for (const auto& f : files) load_whole(whole, f);
    const std::string expected = fingerprint(whole), light = fingerprint(whole, Depth::Light);
    REQUIRE(whole.report.bad_lines() > 0);
    REQUIRE(whole.report.files.size() == files.size());

    // Every split of the list into consecutive groups: bit i of `cuts` ends a group after file i.
    const size_t n = files.size();
    for (uint32_t cuts = 0; cuts < (1u << (n - 1)); ++cuts) {
        CAPTURE(cuts);
        DataSet merged, group;
        for (size_t i = 0; i < n; ++i) {
            load_whole(group, files[i]);
            if (i == n - 1 || ((cuts >> i) & 1u)) {
                transfer(merged, group);
                group = DataSet{};
            }
        }
        // Every split on what the listing and reports show, a few also on every filter.
        const bool full = cuts == 0 || cuts == (1u << (n - 1)) - 1 || cuts == 0x55;
        REQUIRE(fingerprint(merged, full ? Depth::Full : Depth::Light) == (full ? expected : light));
    }
}

TEST_CASE("data_transfer.groups_with_a_generated_sample") {
    auto files = small_files();
    files.insert(files.begin() + 3, generated(20000, 11));
    DataSet whole;
    for (const auto& f : files) load_whole(whole, f);
    const std::string expected = fingerprint(whole);
    for (const std::vector<size_t>& ends : {std::vector<size_t>{3, 4, files.size()}, {1, files.size()},
                                            {4, 7, files.size()}}) {
        DataSet merged;
        size_t begin = 0;
        for (size_t end : ends) {
            DataSet group;
            for (size_t i = begin; i < end; ++i) load_whole(group, files[i]);
            transfer(merged, group);
            begin = end;
        }
        CHECK(fingerprint(merged) == expected);
    }
    // Appending without the byte round trip gives the same.
    DataSet a, b;
    for (size_t i = 0; i < 5; ++i) load_whole(a, files[i]);
    for (size_t i = 5; i < files.size(); ++i) load_whole(b, files[i]);
    REQUIRE(append_data(a, std::move(b)) == "");
    CHECK(fingerprint(a) == expected);
}

TEST_CASE("data_transfer.two_parts_at_every_offset") {
    auto files = small_files();
    File no_newline = files[0];
    no_newline.name = "no-final-newline.log";
    while (!no_newline.text.empty() && no_newline.text.back() == '\n') no_newline.text.pop_back();
    files.push_back(no_newline);
    File crlf = files[0];
    crlf.name = "crlf.log";
    crlf.text.clear();
    for (char c : files[0].text) {
        if (c == '\n') crlf.text += '\r';
        crlf.text += c;
    }
    files.push_back(crlf);
    File blank_first = {"blank-lines.log", "\n\n" + files[2].text + "\n  \n", {}};
    blank_first.fields = {"version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport",
                          "protocol", "packets", "bytes", "start", "end", "action", "log-status"};
    files.push_back(blank_first);

    const size_t data_files = 4;  // files[0..3]: the text files of tests/data
    for (size_t i = 0; i < files.size(); ++i) {
        const File& f = files[i];
        if (!is_text(f)) continue;
        CAPTURE(f.name);
        DataSet whole;
        load_whole(whole, f);
        const std::string expected = fingerprint(whole, Depth::Light), rows = fingerprint(whole, Depth::Rows);
        REQUIRE(whole.report.files[0].bytes == f.text.size());
        for (size_t k = 0; k <= f.text.size(); ++k) {
            // Every offset of the tests/data files; of the variants, every fifth and every
            // offset next to a line end (where CRLF and empty lines matter).
            const bool near_eol = f.text.find_first_of("\r\n", k > 2 ? k - 2 : 0) <= k + 1;
            if (i >= data_files && k % 5 != 0 && !near_eol) continue;
            CAPTURE(k);
            const size_t chunk = 1 + k % 7;  // chunk boundaries move with the split
            DataSet a, b, merged;
            load_part(a, f, 0, k, chunk, k % 3 == 0);
            load_part(b, f, k, UINT64_MAX, chunk);
            transfer(merged, a);
            transfer(merged, b);
            if (k % 8 == 0 || near_eol) REQUIRE(fingerprint(merged, Depth::Light) == expected);
            else REQUIRE(fingerprint(merged, Depth::Rows) == rows);
            if (k % 4 != 0) continue;
            // Both parts in one data set are folded when it is appended to another.
            DataSet both, merged2;
            load_part(both, f, 0, k, 4096);
            load_part(both, f, k, f.text.size(), 3);
            REQUIRE(append_data(merged2, std::move(both)) == "");
            REQUIRE(fingerprint(merged2, Depth::Rows) == rows);
        }
    }
}

TEST_CASE("data_transfer.random_parts_of_a_generated_file") {
    File f = generated(20000, 3);
    File crlf = f;
    crlf.name = "generated-crlf.log";
    crlf.text.clear();
    for (char c : f.text) {
        if (c == '\n') crlf.text += '\r';
        crlf.text += c;
    }
    // A bad line in the middle, so that bad-line examples need their line numbers moved.
    const size_t mid = f.text.find('\n', f.text.size() / 2) + 1;
    f.text.insert(mid, "2 123456789010 eni-x 10.0.0.1 not-an-ip 1 2 6 1 1 1700000000 1700000060 ACCEPT OK\n");
    std::mt19937_64 rng(42);
    for (const File* file : {&f, &crlf}) {
        const std::string& t = file->text;
        DataSet whole;
        load_whole(whole, *file);
        const std::string expected = fingerprint(whole), light = fingerprint(whole, Depth::Light);
        const size_t header_end = t.find('\n');
        for (int round = 0; round < 4; ++round) {
            CAPTURE(round);
            const size_t parts = 3 + static_cast<size_t>(rng() % 3);
            std::vector<uint64_t> cuts;
            for (size_t i = 1; i < parts; ++i) {
                const size_t at = static_cast<size_t>(rng() % t.size());
                const size_t nl = t.find('\n', at);
                switch (rng() % 6) {
                    case 0: cuts.push_back(nl); break;                           // at '\n'
                    case 1: cuts.push_back(nl + 1); break;                       // just after
                    case 2: cuts.push_back(nl > 0 ? nl - 1 : 0); break;          // in a CRLF
                    case 3: cuts.push_back(rng() % (header_end + 1)); break;     // in the header
                    case 4: cuts.push_back(cuts.empty() ? at : cuts.back()); break;  // an empty part
                    default: cuts.push_back(at); break;
                }
            }
            cuts.push_back(0);
            cuts.push_back(t.size());
            std::sort(cuts.begin(), cuts.end());
            DataSet merged;
            for (size_t i = 0; i + 1 < cuts.size(); ++i) {
                DataSet part;
                load_part(part, *file, cuts[i], cuts[i + 1], 65536 + i * 1000);
                transfer(merged, part);
            }
            REQUIRE(merged.report.files.size() == 1);
            CHECK(merged.report.files[0].bytes == t.size());
            if (round == 0) REQUIRE(fingerprint(merged) == expected);
            else REQUIRE(fingerprint(merged, Depth::Light) == light);
        }
    }
}

TEST_CASE("data_transfer.part_done_and_bytes") {
    const std::string text = "srcaddr dstaddr\n10.0.0.1 10.0.0.2\n10.0.0.3 10.0.0.4\n";
    // [16, 20) holds the start of line 2 (bytes 16..33) only: done once that line has ended.
    File f{"f.log", text, {}};
    DataSet d;
    LoadOptions o;
    o.part = FilePart{16, 20, "srcaddr dstaddr"};
    FileLoader loader(d, "f.log", o);
    loader.feed(bytes(std::string_view(text).substr(15, 10)));
    CHECK_FALSE(loader.done());
    loader.feed(bytes(std::string_view(text).substr(25, 8)));
    CHECK_FALSE(loader.done());
    loader.feed(bytes(std::string_view(text).substr(33, 1)));
    CHECK(loader.done());
    loader.feed(bytes(std::string_view(text).substr(34)));  // ignored
    loader.finish();
    CHECK(d.store.rows() == 1);
    CHECK(d.report.files[0].bytes == 4);
    CHECK(d.report.files[0].headers == 0);
    CHECK(d.report.files[0].format == "srcaddr dstaddr");
    // A part in which no line starts is done at the first line end past it, and empty.
    DataSet e;
    load_part(e, f, 18, 30, 5);
    CHECK(e.store.rows() == 0);
    CHECK(e.report.files[0].bytes == 12);
    // A part of a JSON file is refused, not misread.
    DataSet j;
    File json{"x.json", read_file("cloudwatch-filter-log-events.json"), {}};
    load_part(j, json, 40, UINT64_MAX, 100);
    CHECK(j.store.rows() == 0);
    CHECK(j.report.files[0].error.find("JSON") != std::string::npos);
}

TEST_CASE("data_transfer.a_part_whose_layout_changed_is_refused") {
    // Two header lines with different layouts: the second part begins after the second header,
    // where the first line's layout no longer holds.
    const std::string text =
        "srcaddr dstaddr\n10.0.0.1 10.0.0.2\ndstaddr srcaddr dstport\n10.0.0.5 10.0.0.6 22\n10.0.0.7 10.0.0.8 80\n";
    File f{"two-headers.log", text, {}};
    const uint64_t cut = text.find("10.0.0.5");
    DataSet a, b, merged;
    load_part(a, f, 0, cut, 100);
    load_part(b, f, cut, UINT64_MAX, 100);
    transfer(merged, a);
    const std::string before = fingerprint(merged);
    auto imported = import_data(export_data(b));
    REQUIRE(std::holds_alternative<DataSet>(imported));
    const std::string err = append_data(merged, std::move(std::get<DataSet>(imported)));
    CHECK(err.find("load this file in one piece") != std::string::npos);
    CHECK(fingerprint(merged) == before);  // unchanged
    // Cut before the second header, the parts agree and the merge is exact.
    const uint64_t early = text.find("dstaddr srcaddr");
    DataSet c, e, m2, whole;
    load_part(c, f, 0, early, 100);
    load_part(e, f, early, UINT64_MAX, 100);
    transfer(m2, c);
    transfer(m2, e);
    load_whole(whole, f);
    CHECK(fingerprint(m2) == fingerprint(whole));
}

// A part past the first tells a JSON file from its first line as the decoder tells the whole
// file: past one BOM and blanks. Bytes of a BOM that are no BOM, before a '{', are text, not
// JSON (fuzz_parts: the part said "a part of a CloudWatch JSON file", the whole file read as
// text). A real BOM before the '{' is JSON.
TEST_CASE("data_transfer.a_part_tells_json_as_the_whole_file_does") {
    File f{"junk-start.log", "\xBF\xBF{\n10.0.0.1 10.0.0.2 99\n10.0.0.3 10.0.0.4 98\n", {}};
    DataSet whole, a, b, merged;
    load_whole(whole, f);
    REQUIRE(whole.report.files[0].input_format == "text");
    const uint64_t cut = f.text.find("10.0.0.3");
    load_part(a, f, 0, cut, 5);
    load_part(b, f, cut, UINT64_MAX, 5);
    CHECK(b.report.files[0].error.find("JSON") == std::string::npos);
    transfer(merged, a);
    transfer(merged, b);
    CHECK(fingerprint(merged, Depth::Rows) == fingerprint(whole, Depth::Rows));

    File json{"bom.json", "\xEF\xBB\xBF \t{\n\"events\": []}\n", {}};
    DataSet part;
    load_part(part, json, json.text.find('"'), UINT64_MAX, 5);
    CHECK(part.report.files[0].error.find("a part of a CloudWatch JSON file") != std::string::npos);
}

TEST_CASE("data_transfer.damaged_exports_are_errors") {
    DataSet d;
    for (const auto& f : small_files()) load_whole(d, f);
    const auto good = export_data(d);
    // Every truncation.
    for (size_t n = 0; n < good.size(); ++n) {
        auto r = import_data(std::span<const uint8_t>(good.data(), n));
        REQUIRE(std::holds_alternative<std::string>(r));
    }
    // Trailing bytes, another version, another magic.
    auto longer = good;
    longer.push_back(0);
    CHECK(std::holds_alternative<std::string>(import_data(longer)));
    auto version = good;
    version[8] = 99;
    CHECK(std::get<std::string>(import_data(version)).find("format 99") != std::string::npos);
    auto magic = good;
    magic[0] = 'X';
    CHECK(std::holds_alternative<std::string>(import_data(magic)));
    // Random damage: an error, or a data set every query can run on (under ASan/UBSan in CI).
    std::mt19937_64 rng(7);
    size_t rejected = 0;
    for (int i = 0; i < 400; ++i) {
        auto bad = good;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
        auto r = import_data(bad);
        if (std::holds_alternative<std::string>(r)) {
            ++rejected;
            continue;
        }
        DataSet& ok = std::get<DataSet>(r);
        (void)fingerprint(ok, Depth::Light);
        DataSet into;
        load_text(into, "a.log", "srcaddr dstaddr bytes\n10.0.0.1 10.0.0.2 5\n");
        (void)append_data(into, std::move(ok));
        (void)fingerprint(into, Depth::Light);
    }
    CHECK(rejected > 0);
}
