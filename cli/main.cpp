// flowlens — the native command line over the same core the browser runs.
//
//   flowlens parse    [--fields "…"] FILE…     one JSON object per record (JSON Lines)
//   flowlens analyze  [--fields "…"] [--filter EXPR] [--top N] [--bucket SECONDS] FILE…
//   flowlens generate [--records N] [--seed S] [--fields "…"] [-o FILE]
//
// Exit status: 0 on success (bad lines and unreadable files are reported in the output, not
// fatal), 2 on a usage or filter error with a one-line message on stderr.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include <zlib.h>

#include "flowlens/analysis.hpp"
#include "flowlens/filter.hpp"
#include "flowlens/generator.hpp"
#include "flowlens/json_writer.hpp"
#include "flowlens/loader.hpp"
#include "flowlens/record_output.hpp"
#include "flowlens/record_parser.hpp"
#include "inputs.hpp"

namespace {

using namespace flowlens;

constexpr int kUsageError = 2;

int usage_error(const std::string& message) {
    std::fprintf(stderr, "flowlens: %s\n", message.c_str());
    return kUsageError;
}

void write_stdout(std::string& buf) {
    std::fwrite(buf.data(), 1, buf.size(), stdout);
    buf.clear();
}

// One line on stderr per file problem and a bad-line total, so `parse` is never silent
// about what it skipped (analyze puts the same facts in its `errors` section).
void summarise_problems(const IngestReport& report) {
    for (const auto& f : report.files)
        if (!f.error.empty()) std::fprintf(stderr, "flowlens: %s: %s\n", f.name.c_str(), f.error.c_str());
    if (report.bad_lines() == 0) return;
    std::fprintf(stderr, "flowlens: skipped %llu bad line(s)", static_cast<unsigned long long>(report.bad_lines()));
    for (size_t r = 0; r < static_cast<size_t>(BadLineReason::Count_); ++r)
        if (auto n = report.count(static_cast<BadLineReason>(r)))
            std::fprintf(stderr, "; %llu %s", static_cast<unsigned long long>(n),
                         std::string(to_string(static_cast<BadLineReason>(r))).c_str());
    std::fprintf(stderr, "\n");
    for (const auto& e : report.examples())
        std::fprintf(stderr, "  %s:%llu: %s: %s\n", report.files[e.file].name.c_str(),
                     static_cast<unsigned long long>(e.line), e.detail.c_str(), e.text.c_str());
}

std::optional<std::string> load_options(const std::string& fields, LoadOptions& options) {
    if (fields.empty()) return std::nullopt;
    return parse_field_list(fields, options.fields);
}

// Writes every row of `data` as a JSON object, fields in the order the file's layout named them.
void print_records(const DataSet& data, std::string& buf) {
    for (size_t row = 0; row < data.store.rows(); ++row) {
        JsonWriter w(buf);
        write_record_json(w, data.store, row);
        buf.push_back('\n');
        if (buf.size() >= (1u << 20)) write_stdout(buf);
    }
}

int run_parse(const std::vector<std::string>& paths, const std::string& fields) {
    LoadOptions options;
    if (auto err = load_options(fields, options)) return usage_error(*err);
    std::vector<cli::InputFile> inputs;
    if (auto err = cli::expand_inputs(paths, inputs)) return usage_error(*err);
    uint64_t total = 0;
    for (const auto& i : inputs) total += i.size;
    cli::Progress progress(total);
    std::string buf;
    // One data set per file keeps each file's own field list and bounds memory to one file.
    for (const auto& input : inputs) {
        DataSet data;
        cli::read_input(data, input, options, progress);
        print_records(data, buf);
        write_stdout(buf);
        std::fflush(stdout);
        summarise_problems(data.report);
    }
    progress.done();
    return 0;
}

struct AnalyzeArgs {
    std::vector<std::string> paths;
    std::string fields, filter, metric = "bytes";
    std::vector<std::string> keys;
    size_t top = 10;
    uint32_t bucket = 0;
    uint32_t scan_ports = ScanThresholds{}.min_ports, scan_hosts = ScanThresholds{}.min_hosts;
};

int run_analyze(const AnalyzeArgs& a) {
    LoadOptions options;
    if (auto err = load_options(a.fields, options)) return usage_error(*err);
    auto metric = parse_metric(a.metric);
    if (!metric) return usage_error("--metric must be bytes, packets or records, not '" + a.metric + "'");
    std::vector<cli::InputFile> inputs;
    if (auto err = cli::expand_inputs(a.paths, inputs)) return usage_error(*err);

    uint64_t total = 0;
    for (const auto& i : inputs) total += i.size;
    cli::Progress progress(total);
    DataSet data;
    for (const auto& input : inputs) cli::read_input(data, input, options, progress);
    progress.done();
    // Loading is over: give back the columns' growth slack (up to half of each) before the
    // queries allocate their own memory.
    data.store.shrink_to_fit();

    auto compiled = Filter::compile(a.filter, data.store);
    if (auto* err = std::get_if<FilterError>(&compiled))
        return usage_error("filter error at position " + std::to_string(err->position) + ": " + err->message);
    const Filter& filter = std::get<Filter>(compiled);
    RowSet rows = filter.evaluate(data.store);

    AnalysisOptions opts;
    opts.top_n = a.top;
    opts.metric = *metric;
    opts.bucket_seconds = a.bucket;
    opts.top_keys = a.keys;
    opts.scan = {a.scan_ports, a.scan_hosts};
    auto result = analyze(data.store, rows, opts);
    if (auto* err = std::get_if<std::string>(&result)) return usage_error(*err);

    std::string out;
    JsonWriter w(out);
    write_analysis_json(w, std::get<Analysis>(result), a.filter, data.report, data.store);
    out.push_back('\n');
    write_stdout(out);
    return 0;
}

struct GenerateArgs {
    GeneratorOptions options;
    std::string fields, output;
    bool no_header = false;
};

int run_generate(GenerateArgs& a) {
    if (!a.fields.empty()) {
        if (auto err = parse_field_list(a.fields, a.options.fields)) return usage_error(*err);
    }
    a.options.header = !a.no_header;
    bool gz = a.output.size() > 3 && a.output.compare(a.output.size() - 3, 3, ".gz") == 0;
    if (a.output.empty() || a.output == "-") {
        generate(a.options, [](std::string_view chunk) { std::fwrite(chunk.data(), 1, chunk.size(), stdout); });
        return 0;
    }
    if (gz) {
        gzFile g = gzopen(a.output.c_str(), "wb6");
        if (!g) return usage_error("cannot write '" + a.output + "'");
        generate(a.options, [&](std::string_view chunk) {
            gzwrite(g, chunk.data(), static_cast<unsigned>(chunk.size()));
        });
        gzclose(g);
        return 0;
    }
    std::FILE* f = std::fopen(a.output.c_str(), "wb");
    if (!f) return usage_error("cannot write '" + a.output + "'");
    generate(a.options, [&](std::string_view chunk) { std::fwrite(chunk.data(), 1, chunk.size(), f); });
    std::fclose(f);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"FlowLens: analyse AWS VPC Flow Logs. Files, folders (recursive) or - for stdin; plain or gzip."};
    app.set_version_flag("--version", std::string("flowlens ") + FLOWLENS_VERSION);
    app.require_subcommand(1);

    std::vector<std::string> parse_paths;
    std::string parse_fields;
    auto* parse = app.add_subcommand("parse", "Print every record as one JSON object per line (JSON Lines).");
    parse->add_option("--fields", parse_fields, "Field list for files without a header line (CloudWatch data)");
    parse->add_option("files", parse_paths, "Files, folders or - (stdin)")->required();

    AnalyzeArgs an;
    auto* analyze_cmd = app.add_subcommand("analyze", "Print totals, top talkers, time series, rejects and errors as one JSON document.");
    analyze_cmd->add_option("--fields", an.fields, "Field list for files without a header line (CloudWatch data)");
    analyze_cmd->add_option("--filter", an.filter, "Filter expression, e.g. \"action = REJECT and dstport in (22, 3389)\"");
    analyze_cmd->add_option("--top", an.top, "How many entries per top list")->check(CLI::Range(1, 100000));
    analyze_cmd->add_option("--bucket", an.bucket, "Time-series bucket in seconds (default: automatic)");
    analyze_cmd->add_option("--metric", an.metric, "Rank top lists by bytes, packets or records");
    analyze_cmd->add_option("--key", an.keys, "Top-list key (repeatable): a field, a pair 'srcaddr,dstport' or 'conversation'");
    analyze_cmd->add_option("--scan-ports", an.scan_ports, "Distinct rejected destination ports that make a port scan");
    analyze_cmd->add_option("--scan-hosts", an.scan_hosts, "Distinct rejected destination hosts that make a host sweep");
    analyze_cmd->add_option("files", an.paths, "Files, folders or - (stdin)")->required();

    GenerateArgs gen;
    auto* generate_cmd = app.add_subcommand("generate", "Write realistic synthetic flow logs (deterministic).");
    generate_cmd->add_option("--records", gen.options.records, "Number of records");
    generate_cmd->add_option("--seed", gen.options.seed, "Random seed");
    generate_cmd->add_option("--fields", gen.fields, "Field list (default: the 14 version-2 fields)");
    generate_cmd->add_option("--start", gen.options.start_time, "Unix time of the first window");
    generate_cmd->add_option("--duration", gen.options.duration_seconds, "Seconds the records span");
    generate_cmd->add_flag("--no-header", gen.no_header, "Omit the header line (as CloudWatch data has none)");
    generate_cmd->add_option("-o,--output", gen.output, "Output file (.gz = gzip); default stdout");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        return usage_error(std::string(e.what()) + " (see flowlens --help)");
    }

    if (parse->parsed()) return run_parse(parse_paths, parse_fields);
    if (analyze_cmd->parsed()) return run_analyze(an);
    if (generate_cmd->parsed()) return run_generate(gen);
    return usage_error("no command given (see flowlens --help)");
}
