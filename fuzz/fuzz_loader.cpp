// libFuzzer target: any bytes, split into two chunks at a fuzzer-chosen point, through the
// whole loading path (gzip/JSON/text detection, line splitting, parsing). Must never crash.
#include <cstddef>
#include <cstdint>

#include "flowlens/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    size_t split = data[0] % (size + 1);
    flowlens::DataSet d;
    flowlens::FileLoader loader(d, "fuzz", {});
    loader.feed({data, split});
    loader.feed({data + split, size - split});
    loader.finish();
    return 0;
}
