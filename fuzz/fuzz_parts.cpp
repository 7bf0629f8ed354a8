// libFuzzer target, differential: a plain text file loaded in two parts, each in its own data
// set as the page's parse workers load a large file (FilePart, cut at a fuzzer-chosen byte,
// the second part primed with the file's first line), then exported, imported and merged, must
// read exactly as the whole file loaded at once: every record and its file, the file report,
// bad lines by reason and their examples. A merge may be refused (a part whose layout changed:
// the page then loads the file in one piece). Neither may hold a value no row uses. A mismatch
// aborts. Only texts the page would cut are tried (not gzip or JSON, a line end in them).
//   The input's first two bytes pick the cut (a fraction of the text) and the chunk size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "flowlens/loader.hpp"
#include "../tests/unit/data_set_text.hpp"
#include "../tests/unit/parser_sink.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

// Whether the page would cut this file (web/load-plan.js describeFiles): not gzip, not JSON
// (its first byte past a BOM and white space is not '{' or '['), and it has a line end.
bool page_would_split(std::string_view t) {
    if (t.size() >= 2 && t[0] == '\x1f' && t[1] == '\x8b') return false;
    size_t i = t.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) ++i;
    if (i < t.size() && (t[i] == '{' || t[i] == '[')) return false;
    return t.find('\n') != std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace flowlens;
    if (size < 2) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
    const uint64_t cut = text.size() * data[0] / 255;
    const size_t chunk = 1 + data[1] % 32;
    if (!page_would_split(text)) return 0;
    DataSet whole;
    load_text(whole, "f.log", text);
    whole.store.pad_columns();
    require(test::values_no_row_uses(whole.store).empty());

    DataSet first, second, merged;
    test::load_part(first, "f.log", text, {}, 0, cut, chunk);
    test::load_part(second, "f.log", text, {}, cut, UINT64_MAX, chunk);
    require(test::transfer(merged, first).empty());
    if (!test::transfer(merged, second).empty()) return 0;  // refused: loaded whole instead
    merged.store.pad_columns();
    require(test::rows_text(merged) == test::rows_text(whole));
    require(test::values_no_row_uses(merged.store).empty());
    return 0;
}
