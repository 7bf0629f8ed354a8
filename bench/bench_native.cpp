// Native benchmark: load throughput, store bytes per record, filter and analysis latency.
//
//   build/flowlens_bench [--records N] [--runs R] [--fields "…"] [--breakdown] [--query EXPR]
//
// --breakdown adds a line per query with each analysis timed on its own. --query times that
// filter alone, R times, after a single load and no merge: for a profiler (perf record).
// Generates the log in memory first (so disk speed is not measured), then loads it R times
// through the same path the CLI uses (FileLoader, 1 MiB chunks; Store::shrink_to_fit after the clock),
// and times the default dashboard queries. Prints medians. Figures, not assertions: no test
// depends on them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "flowlens/analysis.hpp"
#include "flowlens/data_transfer.hpp"
#include "flowlens/filter.hpp"
#include "flowlens/generator.hpp"
#include "flowlens/loader.hpp"
#include "flowlens/record_parser.hpp"

#if defined(__GLIBC__)
#include <malloc.h>  // malloc_trim
#endif

using namespace flowlens;

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

// Resident set size in bytes, from /proc (Linux only; 0 elsewhere).
size_t rss_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long pages = 0, resident = 0;
    int n = std::fscanf(f, "%lu %lu", &pages, &resident);
    std::fclose(f);
    return n == 2 ? resident * 4096ul : 0;
}

}  // namespace

int main(int argc, char** argv) {
    GeneratorOptions gen;
    gen.records = 1'000'000;
    int runs = 5;
    bool breakdown = false;
    const char* only_query = nullptr;
    std::vector<std::string> query_keys;  // empty: every default key (the CLI's analyze)
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--breakdown")) {
            breakdown = true;
            continue;
        }
        if (i + 1 >= argc) break;
        if (!std::strcmp(argv[i], "--records")) gen.records = std::stoull(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--runs")) runs = std::stoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--query")) only_query = argv[i + 1];
        else if (!std::strcmp(argv[i], "--keys")) {  // top-list keys, ';'-separated (the page: srcaddr;conversation)
            for (std::string_view rest = argv[i + 1]; !rest.empty();) {
                const size_t semi = rest.find(';');
                query_keys.emplace_back(rest.substr(0, semi));
                rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
            }
        }
        else if (!std::strcmp(argv[i], "--fields")) {
            if (auto err = parse_field_list(argv[i + 1], gen.fields)) {
                std::fprintf(stderr, "%s\n", err->c_str());
                return 2;
            }
        }
        ++i;
    }
    std::string text = generate_to_string(gen);
    std::printf("input: %llu records, %.1f MB (%.1f bytes a line)\n", static_cast<unsigned long long>(gen.records),
                static_cast<double>(text.size()) / 1e6, static_cast<double>(text.size()) / static_cast<double>(gen.records));

    std::vector<double> load_s;
    size_t store_bytes = 0, rows = 0;
    double rss_delta = 0, rss_trimmed = -1;
    const int load_runs = only_query ? 1 : runs;
    for (int r = 0; r < load_runs; ++r) {
        const double rss0 = static_cast<double>(rss_bytes());
        auto data = std::make_unique<DataSet>();
        double t0 = now();
        {
            LoadOptions options;
            options.expected_bytes = text.size();  // as the CLI tells its loaders (the file's size)
            FileLoader loader(*data, "bench.log", options);
            const auto* p = reinterpret_cast<const uint8_t*>(text.data());
            for (size_t off = 0; off < text.size(); off += 1u << 20)
                loader.feed({p + off, std::min<size_t>(1u << 20, text.size() - off)});
            loader.finish();
        }
        load_s.push_back(now() - t0);
        // Not timed, as the CLI does not shrink (cli/main.cpp); the page does at its first query.
        // The bytes per record are the store's once its growth slack is given back.
        data->store.shrink_to_fit();
        store_bytes = data->store.memory_bytes();
        rows = data->store.rows();
        // RSS from the first run only: later runs reuse the heap the previous one freed, which
        // hides their growth.
        if (r == 0) {
            rss_delta = static_cast<double>(rss_bytes()) - rss0;
#if defined(__GLIBC__)
            // glibc keeps the pages that growth and shrink_to_fit freed; handed back, RSS shows
            // what the store itself holds.
            malloc_trim(0);
            rss_trimmed = static_cast<double>(rss_bytes()) - rss0;
#endif
        }
    }
    double load = median(load_s);
    std::printf("load: median %.3f s over %d runs = %.0f MB/s, %.2f M records/s\n", load, load_runs,
                static_cast<double>(text.size()) / 1e6 / load, static_cast<double>(rows) / 1e6 / load);
    // The best run as well: on a shared machine the median moves with other load, the best
    // much less, which makes it the steadier figure for comparing two builds.
    const double best = *std::min_element(load_s.begin(), load_s.end());
    std::printf("load: best %.3f s = %.0f MB/s\n", best, static_cast<double>(text.size()) / 1e6 / best);
    const auto per_row = [&](double bytes) { return bytes / static_cast<double>(rows); };
    std::printf("store: %.1f bytes/record (accounted), %.1f bytes/record (RSS growth)",
                per_row(static_cast<double>(store_bytes)), per_row(rss_delta));
    if (rss_trimmed >= 0) std::printf(", %.1f after malloc_trim", per_row(rss_trimmed));
    std::printf("\n");

    if (!only_query) {
        // The page's parallel load: a helper's half is exported, moved and imported into the
        // engine's data set, then appended (wasm/API.md exportData, importData). Two files here.
        const size_t cut = text.find('\n', text.size() / 2) + 1;
        std::vector<double> export_s, import_s, append_s;
        size_t exported_bytes = 0;
        for (int r = 0; r < runs; ++r) {
            DataSet first, second;
            load_text(first, "a.log", std::string_view(text).substr(0, cut));
            load_text(second, "b.log", std::string_view(text).substr(cut));
            double t0 = now();
            std::vector<uint8_t> bytes = export_data(second);
            double t1 = now();
            auto imported = import_data(bytes);
            double t2 = now();
            (void)append_data(first, std::move(std::get<DataSet>(imported)));
            double t3 = now();
            exported_bytes = bytes.size();
            export_s.push_back(t1 - t0);
            import_s.push_back(t2 - t1);
            append_s.push_back(t3 - t2);
        }
        std::printf("merge of a half (%.1f MB exported): export %.1f ms, import %.1f ms, append %.1f ms (medians)\n",
                    static_cast<double>(exported_bytes) / 1e6, median(export_s) * 1e3, median(import_s) * 1e3,
                    median(append_s) * 1e3);
    }

    DataSet data;
    load_text(data, "bench.log", text);
    data.store.shrink_to_fit();
    std::vector<const char*> filters = {"", "action = REJECT", "dstport in (22, 3389) or protocol = udp",
                                        "addr in 10.0.2.0/24 and bytes > 100k"};
    if (only_query) filters = {only_query};
    for (const char* expr : filters) {
        auto compiled = Filter::compile(expr, data.store);
        if (const auto* err = std::get_if<FilterError>(&compiled)) {
            std::fprintf(stderr, "filter \"%s\": %s\n", expr, err->message.c_str());
            return 2;
        }
        const Filter& f = std::get<Filter>(compiled);
        std::vector<double> filter_s, analyze_s;
        size_t selected = 0;
        for (int r = 0; r < runs; ++r) {
            double t0 = now();
            RowSet rows_sel = f.evaluate(data.store);
            double t1 = now();
            AnalysisOptions options;
            options.top_keys = query_keys;
            auto result = analyze(data.store, rows_sel, options);
            double t2 = now();
            selected = rows_sel.count();
            filter_s.push_back(t1 - t0);
            analyze_s.push_back(t2 - t1);
            (void)result;
        }
        std::printf("query \"%s\": %zu rows, filter %.1f ms, all analyses %.1f ms (medians)\n", expr, selected,
                    median(filter_s) * 1e3, median(analyze_s) * 1e3);
        if (breakdown) {
            // Each analysis on its own (a pass of its own each; analyze() shares one pass, so
            // these add up to more than its time): where the time goes.
            const RowSet rows_sel = f.evaluate(data.store);
            const std::vector<std::string> keys = default_top_keys(data.store);
            std::vector<double> totals_s, series_s, rejects_s;
            std::vector<std::vector<double>> top_s(keys.size());
            for (int r = 0; r < runs; ++r) {
                double t0 = now();
                (void)compute_totals(data.store, rows_sel);
                totals_s.push_back(now() - t0);
                for (size_t k = 0; k < keys.size(); ++k) {
                    t0 = now();
                    (void)top_n(data.store, rows_sel, keys[k], Metric::Bytes, 10);
                    top_s[k].push_back(now() - t0);
                }
                t0 = now();
                (void)time_series(data.store, rows_sel);
                series_s.push_back(now() - t0);
                t0 = now();
                (void)reject_analysis(data.store, rows_sel, 10);
                rejects_s.push_back(now() - t0);
            }
            std::printf("  each alone (ms): totals %.1f", median(totals_s) * 1e3);
            for (size_t k = 0; k < keys.size(); ++k) std::printf(", %s %.1f", keys[k].c_str(), median(top_s[k]) * 1e3);
            std::printf(", timeseries %.1f, rejects %.1f\n", median(series_s) * 1e3, median(rejects_s) * 1e3);
        }
    }
    return 0;
}
