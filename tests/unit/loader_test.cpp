// Loading whole files into one data set: containers, chunking, several files, broken files.
#include <doctest/doctest.h>

#include "test_support.hpp"

#include <zlib.h>

#include <fstream>
#include <sstream>

#include "flowlens/data_transfer.hpp"
#include "flowlens/generator.hpp"
#include "flowlens/loader.hpp"

using namespace flowlens;

namespace {

using flowlens::test::read_file;

using flowlens::test::gzip;

std::span<const uint8_t> bytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Every value of a row as text, in column order: a compact fingerprint to compare loads.
std::string row_text(const Store& s, size_t row) {
    std::string out;
    for (const auto& c : s.columns()) {
        out += c->name + "=";
        if (c->is_null(row)) out += "-";
        else if (c->kind == FieldKind::Address) out += to_string(s.addresses().address(c->code(row)));
        else if (c->kind == FieldKind::Text || c->kind == FieldKind::Enum) out += c->dict.value(c->code(row));
        else out += std::to_string(c->number(row));
        out += " ";
    }
    return out;
}

}  // namespace

TEST_CASE("loader.containers_give_the_same_records") {
    DataSet reference;
    load_text(reference, "documented-default.log", read_file("documented-default.log"));
    REQUIRE(reference.store.rows() == 7);

    for (const char* name : {"cloudwatch-filter-log-events.json", "firehose.jsonl", "cloudwatch-export.log"}) {
        DataSet d;
        load_text(d, name, read_file(name));
        CAPTURE(name);
        REQUIRE(d.store.rows() == 2);
        CHECK(d.report.bad_lines() == 0);
        CHECK(d.report.files[0].error.empty());
        for (size_t r = 0; r < 2; ++r) CHECK(row_text(d.store, r) == row_text(reference.store, r));
    }
    DataSet json;
    load_text(json, "events", read_file("cloudwatch-filter-log-events.json"));
    CHECK(json.report.files[0].input_format == "cloudwatch-json");
    CHECK(reference.report.files[0].input_format == "text");
    CHECK(reference.report.files[0].headers == 1);
    CHECK(reference.report.files[0].format ==
          "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
          "log-status");
}

TEST_CASE("loader.chunk_size_does_not_matter") {
    const std::string text = read_file("documented-default.log");
    const std::string gz = gzip(text);
    DataSet whole;
    load_text(whole, "whole", text);
    for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64}, size_t{4096}}) {
        for (const std::string* input : {&text, &gz}) {
            DataSet d;
            FileLoader loader(d, "chunked", {});
            for (size_t i = 0; i < input->size(); i += chunk)
                loader.feed(bytes(std::string_view(*input).substr(i, chunk)));
            loader.finish();
            CAPTURE(chunk);
            REQUIRE(d.store.rows() == whole.store.rows());
            for (size_t r = 0; r < whole.store.rows(); ++r) CHECK(row_text(d.store, r) == row_text(whole.store, r));
            CHECK(d.report.files[0].gzip == (input == &gz));
        }
    }
}

TEST_CASE("loader.several_files_one_data_set") {
    DataSet d;
    load_text(d, "a.log", read_file("documented-default.log"));
    load_bytes(d, "b.log.gz", bytes(gzip(read_file("documented-v5.log"))));
    load_text(d, "c.log", read_file("messy.log"));
    REQUIRE(d.report.files.size() == 3);
    CHECK(d.store.rows() == 7 + 2 + 2);
    CHECK(d.store.file_of(0) == 0);
    CHECK(d.store.file_of(6) == 0);
    CHECK(d.store.file_of(7) == 1);
    CHECK(d.store.file_of(9) == 2);
    CHECK(d.report.files[1].gzip);
    CHECK(d.report.files[1].records == 2);
    CHECK(d.report.files[2].bad_lines == 3);
    CHECK(d.report.bad_lines() == 3);
    // v5-only columns are null in the v2 file's rows, and v2 files' rows exist in every column.
    const Column* flow = d.store.find("flow-direction");
    REQUIRE(flow);
    CHECK(flow->is_null(0));
    CHECK(flow->dict.value(flow->code(7)) == "ingress");
    for (const auto& c : d.store.columns()) CHECK(c->size() == d.store.rows());
    // Examples point at the file and line they came from.
    REQUIRE(!d.report.examples().empty());
    CHECK(d.report.examples()[0].file == 2);
    CHECK(d.report.examples()[0].line == 3);
}

TEST_CASE("loader.broken_files_are_reported_and_do_not_stop_the_rest") {
    const std::string text = read_file("documented-default.log");
    std::string gz = gzip(text);
    DataSet d;
    SUBCASE("truncated gzip") { load_bytes(d, "truncated.gz", bytes(std::string_view(gz).substr(0, gz.size() / 2))); }
    SUBCASE("corrupt gzip") {
        for (size_t i = 20; i < 60 && i < gz.size(); ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5A);
        load_bytes(d, "corrupt.gz", bytes(gz));
    }
    SUBCASE("not a flow log") { load_text(d, "notes.txt", "hello world\nthis is not a flow log\n"); }
    SUBCASE("binary junk") {
        std::string junk(200000, '\0');
        for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 2654435761u) >> 13);
        load_bytes(d, "junk.bin", bytes(junk));
    }
    load_text(d, "good.log", text);
    REQUIRE(d.report.files.size() == 2);
    CHECK_FALSE(d.report.files[0].error.empty());
    CHECK(d.report.files[1].error.empty());
    CHECK(d.report.files[1].records == 7);
    CHECK(d.store.rows() == d.report.files[0].records + 7);
}

TEST_CASE("loader.adaptive_storage_round_trip") {
    // 70,000 records whose interface ids and addresses outgrow one and then two bytes in the
    // middle of a file, with counters and times that escape, in two files whose layouts put
    // `end` after and before `start`. Every value must read back exactly as parsed.
    struct Want {
        std::string eni, src;
        uint64_t packets, bytes;
        std::optional<uint64_t> start, end;  // seconds
    };
    std::vector<Want> want;
    std::string a = "version interface-id srcaddr dstaddr packets bytes start end action log-status\n";
    std::string b = "end version interface-id srcaddr dstaddr packets bytes start action log-status\n";
    const uint32_t n = 70'000;
    for (uint32_t i = 0; i < n; ++i) {
        Want w;
        w.eni = i % 997 == 5 ? "-" : "eni-" + std::to_string(i);
        w.src = i % 1009 == 3 ? "-" : to_string(IpAddress::from_v4(0x0A000000u + i));
        w.packets = i % 211 == 0 ? (uint64_t{1} << 40) + i : i % 200;
        w.bytes = i == 12'345 ? ~uint64_t{0} : uint64_t{i} * 1500;
        uint64_t start = 1'700'000'000 + i / 10, end = start + i % 61;
        std::string start_text = std::to_string(start), end_text = std::to_string(end);
        w.start = start;
        w.end = end;
        switch (i % 5000) {
            case 1: end = start - 30; end_text = std::to_string(end); w.end = end; break;  // end < start
            case 2: start_text = "-"; w.start.reset(); break;                          // no start
            case 3: end_text = "-"; w.end.reset(); break;                              // no end
            case 4:  // milliseconds, as some exports write them
                start_text = std::to_string(start * 1000 + 123);
                end_text = std::to_string(end * 1000 + 999);
                break;
            default: break;
        }
        const std::string rest = " " + w.eni + " " + w.src + " 192.0.2.1 " + std::to_string(w.packets) + " " +
                                 std::to_string(w.bytes) + " ";
        if (i < n / 2)
            a += "2" + rest + start_text + " " + end_text + " ACCEPT OK\n";
        else
            b += end_text + " 2" + rest + start_text + " ACCEPT OK\n";
        want.push_back(std::move(w));
    }
    DataSet d;
    load_text(d, "a.log", a);
    load_text(d, "b.log", b);
    REQUIRE(d.report.bad_lines() == 0);
    const Store& s = d.store;
    REQUIRE(s.rows() == n);
    const Column& eni = *s.find("interface-id");
    const Column& src = *s.find("srcaddr");
    const Column& dst = *s.find("dstaddr");
    const Column& packets = *s.find("packets");
    const Column& bytes_col = *s.find("bytes");
    const Column& start = *s.find("start");
    const Column& end = *s.find("end");
    CHECK(eni.width() == 4);
    CHECK(src.width() == 4);
    CHECK(dst.width() == 1);
    CHECK(end.base() == &start);
    CHECK(end.width() == 1);
    // Escaped ends: end < start, and a null start (its end is kept whole); the second file's
    // layout names end first, yet its start was appended before it and nothing else escaped.
    CHECK(end.escapes().size() == 2 * (n / 5000));
    for (uint32_t i = 0; i < n; ++i) {
        const Want& w = want[i];
        CAPTURE(i);
        REQUIRE((w.eni == "-" ? eni.is_null(i) : eni.dict.value(eni.code(i)) == w.eni));
        REQUIRE((w.src == "-" ? src.is_null(i) : to_string(s.addresses().address(src.code(i))) == w.src));
        REQUIRE(packets.number(i) == w.packets);
        REQUIRE(bytes_col.number(i) == w.bytes);
        REQUIRE(start.is_null(i) == !w.start);
        REQUIRE(start.number(i) == w.start.value_or(0));
        REQUIRE(end.is_null(i) == !w.end);
        REQUIRE(end.number(i) == w.end.value_or(0));
    }
    // Shrinking afterwards changes no value.
    d.store.shrink_to_fit();
    for (uint32_t i = 0; i < n; i += 7) {
        REQUIRE(end.number(i) == want[i].end.value_or(0));
        REQUIRE(packets.number(i) == want[i].packets);
    }
}

TEST_CASE("loader.expected_bytes_reserves_room_and_changes_nothing_else") {
    // Generated records (past kEstimateBytes), fed in 1 MiB chunks with no figure, the right
    // one, ten times too much, a tenth, and an impossible one (past kMaxReservedBytes).
    const auto generate = [](std::vector<std::string> fields, uint64_t records) {
        GeneratorOptions gen;
        gen.records = records;
        gen.fields = std::move(fields);
        return generate_to_string(gen);
    };
    const auto load = [](const std::string& text, uint64_t expected) {
        auto d = std::make_unique<DataSet>();
        LoadOptions options;
        options.expected_bytes = expected;
        FileLoader loader(*d, "g.log", options);
        for (size_t off = 0; off < text.size(); off += 1u << 20)
            loader.feed(bytes(std::string_view(text).substr(off, 1u << 20)));
        loader.finish();
        return d;
    };
    SUBCASE("the data sets are the same byte for byte") {
        // The default format: counters that escape and widen, `end` from `start`, words and
        // addresses; the reservation must follow every widening.
        const std::string text = generate({}, 200'000);
        const std::vector<uint8_t> expect = export_data(*load(text, 0));
        for (uint64_t expected : {uint64_t{text.size()}, uint64_t{text.size() * 10}, uint64_t{text.size() / 10}, uint64_t{1} << 50}) {
            CAPTURE(expected);
            auto d = load(text, expected);
            CHECK(export_data(*d) == expect);
            d->store.shrink_to_fit();
            CHECK(export_data(*d) == expect);
        }
    }
    SUBCASE("only the room differs") {
        // Fixed-width fields only (no escapes or words): a column's memory is its rows and its
        // null mask; `held` counts the rows' arrays. 1.2 M rows: growing by doubling ends far
        // above that.
        const std::string text = generate({"srcport", "dstport", "protocol", "tcp-flags"}, 1'200'000);
        const auto held = [](const Store& s) {
            size_t n = 0;
            for (const auto& c : s.columns()) n += c->memory_bytes() - c->nulls.memory_bytes();
            return n;
        };
        const auto none = load(text, 0), right = load(text, text.size()), over = load(text, text.size() * 10),
                   absurd = load(text, uint64_t{1} << 50);
        size_t exact = 0;  // the rows and their padding (zeros up to 3 bytes past the last row)
        for (const auto& c : right->store.columns()) {
            const size_t w = c->width();
            exact += (right->store.rows() + (4 - w) / w) * w;
        }
        CHECK(held(none->store) >= exact * 3 / 2);       // doubling overshot…
        CHECK(held(right->store) <= exact * 5 / 4);      // …a reservation (an estimate) much less
        CHECK(held(over->store) >= exact * 5);           // room it was told to make
        CHECK(held(absurd->store) == held(none->store)); // too big to reserve: as without
        // Shrinking keeps a reservation's slack of up to a quarter (never written, it holds no
        // pages) and drops a larger one.
        const size_t right_before = held(right->store);
        right->store.shrink_to_fit();
        over->store.shrink_to_fit();
        none->store.shrink_to_fit();
        CHECK(held(right->store) == right_before);
        CHECK(held(over->store) == held(none->store));
        CHECK(held(over->store) == exact);
    }
}
