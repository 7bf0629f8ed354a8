// libFuzzer target: any text as a filter expression against a small store. Compiling and
// evaluating must never crash, whatever the expression, and evaluating through the cache of
// conditions (kept across inputs, as the page's session keeps it) must give the same rows.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "flowlens/filter.hpp"
#include "flowlens/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static flowlens::DataSet* d = [] {
        auto* set = new flowlens::DataSet;
        flowlens::load_text(*set, "f.log",
                            "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 50000 6 10 1000 1418530010 1418530070 ACCEPT OK\n"
                            "2 123456789010 eni-1 - - - - - - - 1418530010 1418530070 - NODATA\n"
                            "2 123456789010 eni-2 2001:db8::1 2001:db8::2 1 2 17 1 99999999999 1 2 REJECT OK\n");
        return set;
    }();
    static flowlens::ConditionCache cache(4);
    auto compiled = flowlens::Filter::compile(std::string_view(reinterpret_cast<const char*>(data), size), d->store);
    if (auto* f = std::get_if<flowlens::Filter>(&compiled)) {
        const flowlens::RowSet plain = f->evaluate(d->store);
        if (f->evaluate(d->store, cache).words() != plain.words()) std::abort();
    }
    return 0;
}
