// libFuzzer target, differential: the parser's fast lane (RecordParser::take_lines, records read
// straight from the decoder's chunk) must read any text exactly as line() does line by line.
// The input's first byte picks the chunk size; the rest is fed once in such chunks with the lane
// and once whole without it, and the two stores and reports must agree (rows, every value, bad
// lines by reason, headers); neither store may hold a dictionary value or an address that no
// row uses (what a bad line interned is taken back). A mismatch aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "flowlens/input_decoder.hpp"
#include "flowlens/ip_address.hpp"
#include "flowlens/record_parser.hpp"
#include "../tests/unit/parser_sink.hpp"

namespace {

using namespace flowlens;

struct Loaded {
    Store store;
    IngestReport report;
    uint64_t headers = 0;
};


void load(Loaded& out, std::span<const uint8_t> text, bool lane, size_t chunk) {
    out.report.files.push_back({});
    out.store.add_file("fuzz");
    out.store.begin_file(0);
    RecordParser parser(out.store, out.report, 0, {});
    test::decode_into(parser, out.report, std::string_view(reinterpret_cast<const char*>(text.data()), text.size()), chunk,
                      lane);
    out.store.pad_columns();
    out.headers = parser.headers();
}

std::string value(const Store& store, const Column& c, size_t row) {
    if (c.is_null(row)) return "-";
    switch (c.kind) {
        case FieldKind::Address: return to_string(store.addresses().address(c.code(row)));
        case FieldKind::Enum:
        case FieldKind::Text: return std::string(c.dict.value(c.code(row)));
        default: return std::to_string(c.number(row));
    }
}

void require(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const size_t chunk = 1 + data[0] % 64;
    const std::span<const uint8_t> text(data + 1, size - 1);
    Loaded lane, lines;
    load(lane, text, true, chunk);
    load(lines, text, false, text.size() + 1);
    require(lane.store.rows() == lines.store.rows());
    require(lane.headers == lines.headers);
    for (size_t r = 0; r < static_cast<size_t>(BadLineReason::Count_); ++r)
        require(lane.report.count(static_cast<BadLineReason>(r)) == lines.report.count(static_cast<BadLineReason>(r)));
    require(test::values_no_row_uses(lane.store).empty());
    require(test::values_no_row_uses(lines.store).empty());
    require(lane.store.columns().size() == lines.store.columns().size());
    for (const auto& column : lines.store.columns()) {
        const Column* other = lane.store.find(column->name);
        require(other != nullptr);
        for (size_t row = 0; row < lines.store.rows(); ++row)
            require(value(lines.store, *column, row) == value(lane.store, *other, row));
    }
    return 0;
}
