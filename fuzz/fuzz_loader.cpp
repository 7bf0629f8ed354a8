// libFuzzer target: any bytes, split into two chunks at a fuzzer-chosen point, through the
// whole loading path (gzip/JSON/text detection, line splitting, parsing). Must never crash, and
// the store may hold no dictionary value or address that no row uses (a bad line's values are
// taken back); otherwise it aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "flowlens/loader.hpp"
#include "../tests/unit/parser_sink.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    size_t split = data[0] % (size + 1);
    flowlens::DataSet d;
    {
        flowlens::FileLoader loader(d, "fuzz", {});
        loader.feed({data, split});
        loader.feed({data + split, size - split});
        loader.finish();
    }
    d.store.pad_columns();
    if (!flowlens::test::values_no_row_uses(d.store).empty()) std::abort();
    return 0;
}
