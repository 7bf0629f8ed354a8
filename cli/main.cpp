// flowlens — the native command line over the same core the browser runs.
//
//   flowlens parse    [--fields "…"] FILE…     one JSON object per record (JSON Lines)
//   flowlens analyze  [--fields "…"] [--filter EXPR] [--top N] [--bucket SECONDS] FILE…
//   flowlens report   [analyze's options] [--mask] [--template FILE] -o report.html FILE…
//                                              the report template with the analysis embedded
//   flowlens generate [--records N] [--seed S] [--fields "…"] [-o FILE]
//
// Exit status: 0 on success (bad lines and unreadable files are reported in the output, not
// fatal), 2 on a usage or filter error with a one-line message on stderr.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <string>
#include <variant>
#include <vector>

#include <zlib.h>

#include "flowlens/analysis.hpp"
#include "flowlens/filter.hpp"
#include "flowlens/generator.hpp"
#include "flowlens/json_writer.hpp"
#include "flowlens/loader.hpp"
#include "flowlens/record_output.hpp"
#include "flowlens/record_parser.hpp"
#include "flowlens/report.hpp"
#include "inputs.hpp"
#include "parallel_load.hpp"

namespace {

using namespace flowlens;
namespace fs = std::filesystem;

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
        options.expected_bytes = input.size;
        cli::read_input(data, input, options, progress);
        print_records(data, buf);
        write_stdout(buf);
        std::fflush(stdout);
        summarise_problems(data.report);
    }
    progress.done();
    return 0;
}

// One reading thread per core, up to 8 (each holds its share of the data until the merge).
unsigned default_threads() {
    return std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
}

struct AnalyzeArgs {
    std::vector<std::string> paths;
    std::string fields, filter, metric = "bytes";
    std::vector<std::string> keys;
    size_t top = 10;
    uint32_t bucket = 0;
    uint32_t scan_ports = ScanThresholds{}.min_ports, scan_hosts = ScanThresholds{}.min_hosts;
    unsigned threads = default_threads();
};

// Loads the inputs, filters and runs every analysis: the one path `analyze` and `report` share,
// so a report holds exactly what `analyze` prints for the same arguments. Calls
// use(analysis, data) and returns its exit status; a usage error (a bad option, a missing input,
// a filter error) is printed instead and returns kUsageError.
template <class Use>
int with_analysis(const AnalyzeArgs& a, Use&& use) {
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
    cli::load_inputs(data, inputs, options, progress, a.threads);
    progress.done();
    // No Store::shrink_to_fit here: the columns' growth slack was reserved but never written,
    // so the kernel never gave it pages, and shrinking would copy every column into new pages
    // (5 M records, one thread: 0.1 s slower and 5 MB more peak RSS with it).

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
    return use(std::get<Analysis>(result), data);
}

int run_analyze(const AnalyzeArgs& a) {
    return with_analysis(a, [&](const Analysis& analysis, const DataSet& data) {
        std::string out;
        JsonWriter w(out);
        write_analysis_json(w, analysis, a.filter, data.report, data.store);
        out.push_back('\n');
        write_stdout(out);
        return 0;
    });
}

struct ReportArgs {
    AnalyzeArgs analysis;
    bool mask = false;
    std::string template_path, output;
};

std::optional<std::string> read_whole_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return std::move(s).str();
}

// The running executable's folder, for the template beside it (or in the build tree's dist/).
fs::path executable_dir(const char* argv0) {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);  // Linux; argv[0] elsewhere
    if (ec || exe.empty()) exe = fs::absolute(argv0, ec);
    return exe.parent_path();
}

// Reads the report template into `text` (its path into `used`), found as docs/report.md says:
// --template, else $FLOWLENS_REPORT_TEMPLATE, else report-template.html beside the executable,
// else ../dist/report-template.html from it (the build tree); or returns why it could not. A
// path the user named that cannot be read is an error rather than a reason to look further:
// they meant that file.
std::optional<std::string> find_template(const std::string& given, const char* argv0, std::string& text,
                                         std::string& used) {
    auto named = [&](const std::string& path, const char* how) -> std::optional<std::string> {
        if (auto t = read_whole_file(path)) {
            text = std::move(*t);
            used = path;
            return std::nullopt;
        }
        std::error_code ec;
        return "report template '" + path + "' (" + how + ") " +
               (fs::exists(path, ec) ? "cannot be read" : "does not exist");
    };
    if (!given.empty()) return named(given, "--template");
    const char* env = std::getenv("FLOWLENS_REPORT_TEMPLATE");
    if (env && *env) return named(env, "$FLOWLENS_REPORT_TEMPLATE");
    fs::path dir = executable_dir(argv0);
    std::string looked;
    const fs::path candidates[] = {dir / "report-template.html",
                                   (dir / ".." / "dist" / "report-template.html").lexically_normal()};
    for (const fs::path& p : candidates) {
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) {
            if (auto t = read_whole_file(p)) {
                text = std::move(*t);
                used = p.string();
                return std::nullopt;
            }
        }
        looked += (looked.empty() ? "" : ", ") + p.string();
    }
    return "no report template found (looked for --template, $FLOWLENS_REPORT_TEMPLATE, " + looked +
           "): build it with `make build` or pass --template FILE";
}

int run_report(const ReportArgs& r, const char* argv0) {
    // The template first: a missing one should not cost a whole load to find out.
    std::string html_template, template_path;
    if (auto err = find_template(r.template_path, argv0, html_template, template_path)) return usage_error(*err);
    if (auto err = report_template_error(html_template))
        return usage_error(*err + " (" + template_path + "): it must hold exactly one");

    return with_analysis(r.analysis, [&](const Analysis& analysis, const DataSet& data) {
        std::string generated_at = iso_time(static_cast<int64_t>(std::time(nullptr)));
        std::string json;
        JsonWriter w(json);
        write_report_json(w, {generated_at, "cli", r.mask}, analysis, r.analysis.filter, data.report, data.store);
        std::string html;
        if (auto err = embed_report_data(html_template, json, html)) return usage_error(*err);
        if (r.output == "-") {
            write_stdout(html);
            return 0;
        }
        std::FILE* f = std::fopen(r.output.c_str(), "wb");
        if (!f) return usage_error("cannot write '" + r.output + "': " + std::strerror(errno));
        bool ok = std::fwrite(html.data(), 1, html.size(), f) == html.size();
        ok = std::fclose(f) == 0 && ok;
        if (!ok) return usage_error("cannot write '" + r.output + "': " + std::strerror(errno));
        return 0;
    });
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

// The options `analyze` and `report` share (they run the same analysis).
void add_analysis_options(CLI::App* cmd, AnalyzeArgs& a) {
    cmd->add_option("--fields", a.fields, "Field list for files without a header line (CloudWatch data)");
    cmd->add_option("--filter", a.filter, "Filter expression, e.g. \"action = REJECT and dstport in (22, 3389)\"");
    cmd->add_option("--top", a.top, "How many entries per top list")->check(CLI::Range(1, 100000));
    cmd->add_option("--bucket", a.bucket, "Time-series bucket in seconds (default: automatic)");
    cmd->add_option("--metric", a.metric, "Rank top lists by bytes, packets or records");
    cmd->add_option("--key", a.keys, "Top-list key (repeatable): a field, a pair 'srcaddr,dstport' or 'conversation'");
    cmd->add_option("--scan-ports", a.scan_ports, "Distinct rejected destination ports that make a port scan");
    cmd->add_option("--scan-hosts", a.scan_hosts, "Distinct rejected destination hosts that make a host sweep");
    cmd->add_option("--threads", a.threads, "Threads that read large inputs (default: one per core; 1 = sequential)")
        ->check(CLI::Range(1u, 256u));
    cmd->add_option("files", a.paths, "Files, folders or - (stdin)")->required();
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
    add_analysis_options(analyze_cmd, an);

    ReportArgs rep;
    auto* report_cmd = app.add_subcommand(
        "report", "Write a self-contained HTML report: the report template with the analysis embedded.");
    add_analysis_options(report_cmd, rep.analysis);
    report_cmd->add_flag("--mask", rep.mask, "Replace addresses and account ids by consistent pseudonyms");
    report_cmd->add_option("--template", rep.template_path,
                           "Report template (default: $FLOWLENS_REPORT_TEMPLATE, else report-template.html beside "
                           "the executable, else ../dist/report-template.html from it)");
    report_cmd->add_option("-o,--output", rep.output, "The HTML file to write (- = stdout)")->required();

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
    if (report_cmd->parsed()) return run_report(rep, argc > 0 ? argv[0] : "flowlens");
    if (generate_cmd->parsed()) return run_generate(gen);
    return usage_error("no command given (see flowlens --help)");
}
