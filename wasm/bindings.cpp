// bindings.cpp — the WebAssembly module's whole surface (contract: wasm/API.md). The only file
// that includes an Emscripten header: the core stays plain C++20.
//
// One instance holds one data set: files are loaded one after another (beginFile, feed of raw
// heap bytes, endFile), then queried with a filter text; results leave as JSON strings, which
// the core writes exactly as the CLI does. Nothing throws across the boundary: errors are
// values. The core is built without exceptions, so running out of memory aborts the instance
// (a RuntimeError in JS) rather than leaving a half-unwound heap behind a bare number.
#include <emscripten/bind.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "flowlens/analysis.hpp"
#include "flowlens/data_transfer.hpp"
#include "flowlens/filter.hpp"
#include "flowlens/json_writer.hpp"
#include "flowlens/loader.hpp"
#include "flowlens/record_output.hpp"
#include "flowlens/record_parser.hpp"
#include "flowlens/report.hpp"
#include "warm_up_log.hpp"

namespace {

using namespace flowlens;

// analyze()'s options: a JS object with every field present (Embind rejects a missing one).
struct Options {
    uint32_t top = 10;
    std::string metric = "bytes";
    uint32_t bucket = 0;
    std::string keys;  // top-list keys separated by ';' ("" = the defaults)
    uint32_t scanPorts = ScanThresholds{}.min_ports;
    uint32_t scanHosts = ScanThresholds{}.min_hosts;
    std::string sections;  // "" = everything; "top" = totals and top lists only
};

constexpr uint32_t kMaxTop = 100000;  // as the CLI's --top

struct Selection {
    bool valid = false;
    uint64_t generation = 0;
    std::string filter;
    RowSet rows;
    size_t total = 0;
};

// The data set, the file being loaded into it, and the rows of the last filter. `generation`
// moves whenever the data may have changed, so a cached selection never outlives its data
// (the row count alone would not do: reset and reload a file of the same length).
struct Session {
    std::unique_ptr<DataSet> data = std::make_unique<DataSet>();
    std::unique_ptr<FileLoader> loader;
    uint64_t generation = 1;
    uint64_t shrunk_generation = 0;
    Selection last;
    // The row sets of recent filters' conditions (filter.hpp): a filter that adds a condition to
    // an earlier one evaluates only the new one. Emptied when the generation moves.
    ConditionCache conditions{8};
    uint64_t conditions_generation = 0;
    // Recent reject reports by their rejected rows (analyses.hpp): adding `action = REJECT` to a
    // filter, or taking it away, reuses the report. Emptied when the generation moves.
    RejectMemo rejects;
    uint64_t rejects_generation = 0;
    std::vector<uint8_t> exported;  // exportData()'s bytes, viewed from JS until the next call
    uint64_t expected_bytes = 0;    // expectBytes(), for the next beginFile / beginFilePart
};

Session& session() {
    static Session s;
    return s;
}

constexpr std::string_view kBusy = "a file is being loaded: call endFile() before querying";

std::string error_json(std::string_view message) {
    std::string out;
    JsonWriter w(out);
    w.begin_object().key("error").begin_object().field("message", message).end_object().end_object();
    return out;
}

std::string filter_error_json(const FilterError& e) {
    std::string out;
    JsonWriter w(out);
    w.begin_object().key("error").begin_object();
    w.field("position", uint64_t{e.position}).field("message", std::string_view(e.message));
    w.end_object().end_object();
    return out;
}

// The rows `filter` selects, evaluated only when the text or the data changed since last time.
std::variant<const Selection*, FilterError> select(const std::string& filter) {
    Session& s = session();
    if (s.last.valid && s.last.generation == s.generation && s.last.filter == filter) return &s.last;
    // Loading has ended when the first query comes: give the columns' growth slack back now
    // (not at every endFile, which would copy every column once per file of a large folder).
    if (s.shrunk_generation != s.generation) {
        s.data->store.shrink_to_fit();
        s.shrunk_generation = s.generation;
    }
    auto compiled = Filter::compile(filter, s.data->store);
    if (auto* err = std::get_if<FilterError>(&compiled)) return std::move(*err);
    s.last.valid = false;
    s.last.rows = RowSet();  // free the old bitmap before building the new one
    if (s.conditions_generation != s.generation) {
        s.conditions.clear();
        s.conditions_generation = s.generation;
    }
    s.last.rows = std::get<Filter>(compiled).evaluate(s.data->store, s.conditions);
    s.last.total = s.last.rows.count();
    s.last.filter = filter;
    s.last.generation = s.generation;
    s.last.valid = true;
    return &s.last;
}

// Calls f(row) for selected rows number offset … offset+limit-1, in row order. Whole 64-row
// words before the page are skipped by popcount.
template <class F>
void for_page(const RowSet& rows, size_t offset, size_t limit, F&& f) {
    const auto& words = rows.words();
    for (size_t i = 0; i < words.size() && limit > 0; ++i) {
        uint64_t w = words[i];
        auto n = static_cast<size_t>(std::popcount(w));
        if (offset >= n) {
            offset -= n;
            continue;
        }
        for (; offset > 0; --offset) w &= w - 1;
        for (; w != 0 && limit > 0; --limit, w &= w - 1) f(i * 64 + static_cast<size_t>(std::countr_zero(w)));
    }
}

// A JS number as a row count: NaN and negatives are 0, anything past the data is clamped.
size_t to_count(double v, size_t max) {
    if (!(v > 0)) return 0;
    if (v >= static_cast<double>(max)) return max;
    return static_cast<size_t>(v);
}

// One file's report, shaped as an entry of `errors.files` in the analyze document.
std::string file_report_json(const FileReport& f) {
    std::string out;
    JsonWriter w(out);
    write_file_report_json(w, f);
    return out;
}

// ---- loading ------------------------------------------------------------------------------

void reset() {
    Session& s = session();
    s.loader.reset();  // finishes into the old data set, which goes next
    s.last = Selection();
    s.conditions.clear();
    s.data = std::make_unique<DataSet>();
    std::vector<uint8_t>().swap(s.exported);
    ++s.generation;
}

// The input bytes to be fed from the next file on (LoadOptions::expected_bytes): lets the store
// reserve its rows instead of growing by doubling. Used by the next beginFile or beginFilePart.
void expect_bytes(double bytes) { session().expected_bytes = bytes > 0 && bytes < 1.8e19 ? static_cast<uint64_t>(bytes) : 0; }

// LoadOptions for a file about to begin: the expected bytes go to it, once.
LoadOptions next_file_options() {
    LoadOptions options;
    options.expected_bytes = std::exchange(session().expected_bytes, 0);
    return options;
}

std::string begin_file(std::string name, std::string fields) {
    Session& s = session();
    if (s.loader) return "a file is already being loaded: call endFile() first";
    LoadOptions options = next_file_options();
    if (!fields.empty()) {
        if (auto err = parse_field_list(fields, options.fields)) return *err;
    }
    s.loader = std::make_unique<FileLoader>(*s.data, std::move(name), options);
    ++s.generation;
    return "";
}

// A JS number as a byte offset: a non-negative integer (exact up to 2^53), Infinity = no limit.
bool to_offset(double v, uint64_t& out) {
    if (v == INFINITY) {
        out = UINT64_MAX;
        return true;
    }
    if (!(v >= 0) || v >= 18446744073709551616.0 || std::floor(v) != v) return false;
    out = static_cast<uint64_t>(v);
    return true;
}

// One part of a large plain-text file (loader.hpp, FilePart; API.md says how to feed it).
std::string begin_file_part(std::string name, std::string fields, std::string first_line, double offset, double end) {
    Session& s = session();
    if (s.loader) return "a file is already being loaded: call endFile() first";
    LoadOptions options = next_file_options();
    if (!fields.empty()) {
        if (auto err = parse_field_list(fields, options.fields)) return *err;
    }
    FilePart part;
    if (!to_offset(offset, part.offset) || !to_offset(end, part.end))
        return "offset and end must be non-negative whole numbers (end may be Infinity)";
    part.first_line = std::move(first_line);
    options.part = std::move(part);
    s.loader = std::make_unique<FileLoader>(*s.data, std::move(name), options);
    ++s.generation;
    return "";
}

bool part_done() {
    Session& s = session();
    return s.loader && s.loader->done();
}

// The whole data set as bytes (data_transfer.hpp): a Uint8Array view into the heap, valid until
// the next call into the module (slice() it), or an error string while a file is open.
emscripten::val export_data_view() {
    Session& s = session();
    if (s.loader) return emscripten::val(std::string("a file is being loaded: call endFile() before exporting"));
    std::vector<uint8_t>().swap(s.exported);  // the old export's memory first: the peak is one
    s.exported = export_data(*s.data);
    return emscripten::val(emscripten::typed_memory_view(s.exported.size(), s.exported.data()));
}

void free_export() { std::vector<uint8_t>().swap(session().exported); }

// Appends an exported data set at HEAPU8[ptr … ptr+length) to this instance's, as if its files
// had been loaded here after the ones already loaded (parts of a file are folded together).
// Takes the buffer (from _malloc): it is freed as soon as it is decoded, whatever the outcome,
// so that the append can grow the columns into its room instead of growing the heap.
std::string import_data_at(uintptr_t ptr, size_t length) {
    uint8_t* const bytes = reinterpret_cast<uint8_t*>(ptr);
    Session& s = session();
    if (s.loader) {
        std::free(bytes);
        return "a file is being loaded: call endFile() before importing";
    }
    auto imported = import_data(std::span<const uint8_t>(bytes, length));
    std::free(bytes);
    if (auto* err = std::get_if<std::string>(&imported)) return *err;
    std::string err = append_data(*s.data, std::move(std::get<DataSet>(imported)));
    if (!err.empty()) return err;
    s.last = Selection();
    ++s.generation;
    return "";
}

// `ptr` is an address in the module's heap (HEAPU8 offset) the caller filled.
void feed(uintptr_t ptr, size_t length) {
    Session& s = session();
    if (!s.loader || length == 0) return;
    s.loader->feed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(ptr), length));
}

// Ends the current file. The page knows what the core cannot when it gunzipped the file itself:
// `gzip` and `bytes` (the compressed size) then make the report read as the CLI's does, and
// `error` records a failure on the page's side (a corrupt gzip stream, a read error) unless
// the core found one first.
std::string end_file_with(bool gzip, double bytes, std::string error) {
    Session& s = session();
    if (!s.loader) return R"({"error":"no file is being loaded"})";  // `error` as in a report
    s.loader->finish();
    s.loader.reset();
    ++s.generation;
    FileReport& f = s.data->report.files.back();
    if (gzip) f.gzip = true;
    if (bytes > 0) f.bytes = static_cast<uint64_t>(bytes);
    if (!error.empty() && f.error.empty()) {
        if (f.part) f.part->fatal_error = error;  // kept when the parts are folded together
        f.error = std::move(error);
    }
    return file_report_json(f);
}

std::string end_file() { return end_file_with(false, 0, ""); }

double loaded_records() { return static_cast<double>(session().data->store.rows()); }

// ---- querying -----------------------------------------------------------------------------

// Runs `answer(selection, store)` on the rows `filter` selects; the error document instead when
// a file is still open or the filter does not compile.
template <class Answer>
std::string with_selection(const std::string& filter, Answer&& answer) {
    Session& s = session();
    if (s.loader) return error_json(kBusy);
    auto selected = select(filter);
    if (auto* err = std::get_if<FilterError>(&selected)) return filter_error_json(*err);
    return answer(*std::get<const Selection*>(selected), s.data->store);
}

std::vector<std::string> split_keys(std::string_view keys) {
    std::vector<std::string> out;
    while (!keys.empty()) {
        size_t end = keys.find(';');
        std::string_view k = keys.substr(0, end);
        if (k.find_first_not_of(" \t") != std::string_view::npos) out.emplace_back(k);
        keys = end == std::string_view::npos ? std::string_view() : keys.substr(end + 1);
    }
    return out;
}

// Validates the options, runs every analysis on the rows `filter` selects and hands the result
// to write(w, analysis, store): analyze and reportData share this, as the CLI's analyze and
// report share theirs, so both documents hold the same analysis.
template <class Write>
std::string with_analysis(const std::string& filter, const Options& o, Write&& write,
                          std::function<void(const Analysis&)> before_rejects = nullptr) {
    if (o.top < 1 || o.top > kMaxTop)
        return error_json("top must be between 1 and " + std::to_string(kMaxTop) + ", not " + std::to_string(o.top));
    auto metric = parse_metric(o.metric);
    if (!metric) return error_json("metric must be bytes, packets or records, not '" + o.metric + "'");
    if (!o.sections.empty() && o.sections != "top")
        return error_json("sections must be \"\" (everything) or \"top\" (totals and top lists), not '" + o.sections + "'");
    return with_selection(filter, [&](const Selection& sel, const Store& store) {
        AnalysisOptions opts;
        opts.top_n = o.top;
        opts.metric = *metric;
        opts.bucket_seconds = o.bucket;
        opts.top_keys = split_keys(o.keys);
        opts.scan = {o.scanPorts, o.scanHosts};
        opts.timeseries = opts.rejects = o.sections.empty();
        opts.before_rejects = std::move(before_rejects);
        Session& s = session();
        if (s.rejects_generation != s.generation) {
            s.rejects.clear();
            s.rejects_generation = s.generation;
        }
        opts.reject_memo = &s.rejects;
        auto result = analyze(store, sel.rows, opts);
        if (auto* err = std::get_if<std::string>(&result)) return error_json(*err);
        std::string out;
        JsonWriter w(out);
        write(w, std::get<Analysis>(result), store);
        return out;
    });
}

// Runs the query code (filter, every analysis, the JSON writer) once on a small generated data
// set of its own; the session's data is not touched. Why: V8 first runs wasm in baseline code
// and compiles a function's optimised code only after it has run for a while, and a call never
// switches code midway; so the first analysis of a big load would run wholly in baseline code
// (about 1.5x slower). The page's engine worker calls this once it has started, while the page
// waits for files. The data set is kept for warm_up_filters(). Returns the number of rows the
// warm-up analysed.
std::unique_ptr<DataSet>& warm_up_data() {
    static std::unique_ptr<DataSet> data;
    return data;
}

// Analyses `data` as the session's queries do, without a filter and with one, a reject report kept
// and found again (the second filter's rejected rows are the first's); the JSON written too.
// Returns the rows analysed.
double analyse_for_warm_up(const DataSet& data) {
    double rows = 0;
    RejectMemo memo;  // a memo of its own: every call also makes the report
    AnalysisOptions options;
    options.reject_memo = &memo;
    for (const char* filter : {"", "action = REJECT or dstport in (22, 3389)"}) {
        auto compiled = Filter::compile(filter, data.store);
        if (!std::holds_alternative<Filter>(compiled)) continue;
        const RowSet selected = std::get<Filter>(compiled).evaluate(data.store);
        auto result = analyze(data.store, selected, options);
        if (!std::holds_alternative<Analysis>(result)) continue;
        std::string out;
        JsonWriter w(out);
        write_analysis_json(w, std::get<Analysis>(result), filter, data.report, data.store);
        rows += static_cast<double>(selected.count());
    }
    return rows;
}

// The warm-up's log text: `records` lines after a header, kWarmUpLog's lines over and over.
// Why not generated lines (flowlens generate): V8 optimised the generator, which runs once,
// and warm_up(), which inlines it (about 130 ms of the optimising compiler in Node,
// --trace-wasm-compilation-times); that compile ran right when a load given at once began.
std::string warm_up_text(size_t records) {
    const size_t body = kWarmUpLog.find('\n') + 1;  // the lines after the header
    const std::string_view lines = kWarmUpLog.substr(body);
    const size_t per_copy = static_cast<size_t>(std::count(lines.begin(), lines.end(), '\n'));
    std::string text(kWarmUpLog.substr(0, body));
    text.reserve(body + (records / per_copy + 1) * lines.size());
    size_t n = 0;
    for (; n + per_copy <= records; n += per_copy) text += lines;
    size_t end = 0;  // the rest: the first records - n lines
    for (; n < records; ++n) end = lines.find('\n', end) + 1;
    text += lines.substr(0, end);
    return text;
}

// merge: also run a parallel load's merge (export, import, append) once, on copies. It runs
// once per parallel load, so it would always run in baseline code; a page that loads with one
// parse worker never merges, and its optimising compile (about 100 ms) would be wasted.
double warm_up(double records, bool merge) {
    const std::string text = warm_up_text(static_cast<size_t>(std::clamp(records, 0.0, 1e6)));
    auto data = std::make_unique<DataSet>();
    {
        FileLoader loader(*data, "warm-up", LoadOptions{});
        loader.feed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
        loader.finish();
    }
    data->store.pad_columns();
    const double rows = analyse_for_warm_up(*data);
    if (merge) {
        const std::vector<uint8_t> bytes = export_data(*data);
        auto into = import_data(bytes);
        auto from = import_data(bytes);
        if (auto* a = std::get_if<DataSet>(&into))
            if (auto* b = std::get_if<DataSet>(&from)) append_data(*a, std::move(*b));
    }
    warm_up_data() = std::move(data);
    return rows;
}

// warm_up()'s analyses again, `times` times, on its data set (kept); returns the rows analysed (0
// without a warm-up before). Why: one round on 5,000 rows spends too little of V8's tier-up
// budget, and the first analysis of a 5 M-record load then ran partly in baseline code:
// 220 → 197 ms after seven more rounds (bench/README.md). A call per round, so that the page's
// worker can stop between rounds when a load comes.
double warm_up_analyses(double times) {
    const std::unique_ptr<DataSet>& data = warm_up_data();
    if (!data) return 0;
    const int rounds = static_cast<int>(std::clamp(times, 0.0, 1000.0));
    double rows = 0;
    for (int i = 0; i < rounds; ++i) rows += analyse_for_warm_up(*data);
    return rows;
}

// Evaluates the usual kinds of condition `times` times on warm_up()'s data set (kept: it is
// small, and freeing it as a load ended made the next reject reports a little slower);
// returns the rows selected (0 without a warm-up before). Why: the filter evaluator is one
// large function, run once per filter change, so V8 would optimise it (40 ms of a compiler
// thread) only at the first filter after a load, competing with that filter's analysis and
// drawing. Apart from warm_up() because the same compile right after the page opens competes
// with a load: the worker calls this once the page has been idle a while, or as a load ends.
double warm_up_filters(double times) {
    const std::unique_ptr<DataSet>& data = warm_up_data();
    if (!data) return 0;
    std::vector<Filter> filters;
    for (const char* text : {"action = REJECT", "dstport in (22, 3389) or protocol = udp",
                             "addr in 10.0.2.0/24 and bytes > 100k", "srcaddr = 10.0.1.30"}) {
        auto compiled = Filter::compile(text, data->store);
        if (auto* f = std::get_if<Filter>(&compiled)) filters.push_back(std::move(*f));
    }
    const int rounds = static_cast<int>(std::clamp(times, 0.0, 1000.0));
    double rows = 0;
    for (int i = 0; i < rounds; ++i)
        for (const Filter& f : filters) rows += static_cast<double>(f.evaluate(data->store).count());
    return rows;
}

std::string analyze_json(std::string filter, Options o) {
    return with_analysis(filter, o, [&](JsonWriter& w, const Analysis& analysis, const Store& store) {
        write_analysis_json(w, analysis, filter, session().data->report, store);
    });
}

// analyze(), and first onPart(json): the same document without "rejects", as soon as everything
// else is final (AnalysisOptions::before_rejects). The page's worker posts it on, so the page
// draws it while the reject report is made. onPart is not called on an error, nor when
// `sections` leaves the report out.
std::string analyze_in_parts(std::string filter, Options o, emscripten::val on_part) {
    const auto write = [&](JsonWriter& w, const Analysis& analysis) {
        write_analysis_json(w, analysis, filter, session().data->report, session().data->store);
    };
    return with_analysis(
        filter, o, [&](JsonWriter& w, const Analysis& analysis, const Store&) { write(w, analysis); },
        [&](const Analysis& partial) {
            std::string out;
            JsonWriter w(out);
            write(w, partial);
            on_part(out);
        });
}

// The report's data (docs/report.md): the analyze document in its envelope, masked on request.
// `generatedAt` is the page's clock (new Date().toISOString()), written as given.
std::string report_data(std::string filter, Options o, bool mask, std::string generated_at) {
    return with_analysis(filter, o, [&](JsonWriter& w, const Analysis& analysis, const Store& store) {
        write_report_json(w, {generated_at, "page", mask}, analysis, filter, session().data->report, store);
    });
}

std::string records_json(std::string filter, double offset, double limit) {
    return with_selection(filter, [&](const Selection& sel, const Store& store) {
        size_t first = to_count(offset, sel.total);
        std::string out;
        JsonWriter w(out);
        w.begin_object();
        w.field("total", uint64_t{sel.total});
        w.field("offset", uint64_t{first});
        w.key("fields").begin_array();
        for (const auto& c : store.columns()) w.value(std::string_view(c->name));
        w.end_array();
        w.key("rows").begin_array();
        for_page(sel.rows, first, to_count(limit, sel.total - first),
                 [&](size_t row) { write_record_json(w, store, row); });
        w.end_array();
        w.end_object();
        return out;
    });
}

// A CSV page; on error the `{"error": …}` document instead (no CSV text starts with `{"`: a
// field holding a quote is itself quoted).
std::string records_csv(std::string filter, double offset, double limit) {
    return with_selection(filter, [&](const Selection& sel, const Store& store) {
        size_t first = to_count(offset, sel.total);
        std::string out;
        if (first == 0) append_csv_header(out, store);
        for_page(sel.rows, first, to_count(limit, sel.total - first),
                 [&](size_t row) { append_record_csv(out, store, row); });
        return out;
    });
}

std::string version() { return FLOWLENS_VERSION; }

// The top-list keys an analysis with `keys: ""` computes for the loaded data, as a JSON array
// (the CLI's default_top_keys): the page lists them in its key menu, and asks an analysis only
// for the ones it shows.
std::string top_keys() {
    std::string out;
    JsonWriter w(out);
    w.begin_array();
    for (const std::string& k : default_top_keys(session().data->store)) w.value(std::string_view(k));
    w.end_array();
    return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(flowlens) {
    using namespace emscripten;
    value_object<Options>("AnalyzeOptions")
        .field("top", &Options::top)
        .field("metric", &Options::metric)
        .field("bucket", &Options::bucket)
        .field("keys", &Options::keys)
        .field("scanPorts", &Options::scanPorts)
        .field("scanHosts", &Options::scanHosts)
        .field("sections", &Options::sections);

    function("reset", &reset);
    function("expectBytes", &expect_bytes);
    function("beginFile", &begin_file);
    function("feed", &feed);
    function("beginFilePart", &begin_file_part);
    function("partDone", &part_done);
    function("exportData", &export_data_view);
    function("freeExport", &free_export);
    function("importData", &import_data_at);
    function("endFile", &end_file);
    function("endFileWith", &end_file_with);
    function("loadedRecords", &loaded_records);
    function("analyze", &analyze_json);
    function("analyzeInParts", &analyze_in_parts);
    function("warmUp", &warm_up);
    function("warmUpAnalyses", &warm_up_analyses);
    function("warmUpFilters", &warm_up_filters);
    function("reportData", &report_data);
    function("records", &records_json);
    function("recordsCsv", &records_csv);
    function("version", &version);
    function("topKeys", &top_keys);
}
