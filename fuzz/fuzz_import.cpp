// libFuzzer target: any bytes as a data export (data_transfer.hpp). import_data() must return
// an error or a data set that every query path can read, and appending it to a loaded data
// set must be safe: never a crash, an out-of-bounds read or undefined behaviour. Seed it with
// real exports (the unit tests' data) for depth: the checks sit behind the header.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "flowlens/analysis.hpp"
#include "flowlens/data_transfer.hpp"
#include "flowlens/filter.hpp"
#include "flowlens/json_writer.hpp"
#include "flowlens/record_output.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace flowlens;
    auto imported = import_data({data, size});
    if (std::holds_alternative<std::string>(imported)) return 0;
    DataSet into;
    load_text(into, "a.log", "srcaddr dstaddr action bytes end start\n10.0.0.1 10.0.0.2 ACCEPT 5 20 10\n");
    if (!append_data(into, std::move(std::get<DataSet>(imported))).empty()) return 0;
    std::string out;
    JsonWriter w(out);
    for (size_t r = 0; r < into.store.rows(); ++r) write_record_json(w, into.store, r);
    auto all = Filter::compile("", into.store);
    if (auto* f = std::get_if<Filter>(&all)) {
        auto result = analyze(into.store, f->evaluate(into.store), AnalysisOptions{});
        if (auto* a = std::get_if<Analysis>(&result)) write_analysis_json(w, *a, "", into.report, into.store);
    }
    return 0;
}
