// report.cpp — the report envelope, and the masked copy of the analysis it may carry.
#include "flowlens/report.hpp"

#include <span>
#include <utility>
#include <vector>

#include "flowlens/fields.hpp"
#include "flowlens/mask.hpp"

#ifndef FLOWLENS_VERSION
#define FLOWLENS_VERSION "dev"
#endif

namespace flowlens {
namespace {

// What the masked document is written from: copies of the values, masked.
struct MaskedDocument {
    Analysis analysis;
    std::string filter;
    IngestReport report;
    std::vector<std::string> file_names;
};

// Numbers cannot carry an address or an account id; a 12-digit byte count must stay a count.
bool is_numeric(FieldKind k) {
    return k == FieldKind::Small || k == FieldKind::Flags || k == FieldKind::Port || k == FieldKind::Counter ||
           k == FieldKind::Time;
}

class DocumentMasker {
public:
    explicit DocumentMasker(const Store& store) : store_(store) {}

    // One printed top-list value of `field` (a column name, or `addr` for a conversation).
    std::string key_value(std::string_view field, const std::string& value) {
        if (value == "-") return value;
        if (field != "addr") {
            const Column* c = store_.find(field);
            const FieldInfo* info = c ? c->info : find_field(field);
            if (c ? is_numeric(c->kind) : (info && is_numeric(info->kind))) return value;
            // The account column is masked by value, whatever its shape; other text by token.
            if (field == "account-id") return m_.account(value);
        }
        return m_.text(value);
    }

    void top(TopResult& t) {
        for (TopRow& r : t.rows)
            for (size_t i = 0; i < r.key.size(); ++i) {
                std::string_view field = i < t.fields.size() ? std::string_view(t.fields[i]) : std::string_view();
                r.key[i] = key_value(field, r.key[i]);
            }
    }

    std::string text(std::string_view s) { return m_.text(s); }

private:
    const Store& store_;
    Masker m_;
};

// Masks in the order write_analysis_json() writes, so that pseudonyms are numbered in order of
// first appearance in the document: filter, top lists, NODATA interfaces, rejects, errors
// (examples, then files).
MaskedDocument mask_document(const Analysis& analysis, std::string_view filter_text, const IngestReport& report,
                             const Store& store) {
    DocumentMasker m(store);
    MaskedDocument d{analysis, {}, report, {}};
    d.filter = m.text(filter_text);
    for (TopResult& t : d.analysis.top) m.top(t);
    m.top(d.analysis.nodata_by_interface);
    RejectReport& r = d.analysis.rejects;
    for (TopResult* t : {&r.by_dstport, &r.by_source, &r.by_destination, &r.by_interface, &r.replies_by_source})
        m.top(*t);
    for (Scanner& s : r.scanners) {
        s.source = m.text(s.source);
        s.explanation = m.text(s.explanation);
    }
    // Examples name their file by index into the store's names (as write_analysis_json does).
    const std::vector<std::string>& names = store.file_names();
    d.file_names.resize(names.size());
    std::vector<bool> named(names.size(), false);
    auto name_of = [&](size_t file) {
        if (!named[file]) {
            d.file_names[file] = m.text(names[file]);
            named[file] = true;
        }
    };
    const auto& examples = report.examples();
    for (size_t i = 0; i < examples.size(); ++i) {
        if (examples[i].file < names.size()) name_of(examples[i].file);
        // Bad-line excerpts are raw log text, so they are the likeliest place for an address to
        // hide. They are masked token by token rather than dropped: what made a line bad (a
        // field count, a stray word) is what the reader needs, and it survives masking.
        std::string detail = m.text(examples[i].detail);
        std::string text = m.text(examples[i].text);
        d.report.set_example_text(i, std::move(detail), std::move(text));
    }
    for (FileReport& f : d.report.files) {
        f.name = m.text(f.name);
        f.format = m.text(f.format);
        f.error = m.text(f.error);
    }
    for (size_t i = 0; i < names.size(); ++i) name_of(i);
    return d;
}

void write_envelope(JsonWriter& w, const ReportInfo& info) {
    w.key("report").begin_object();
    w.field("generated_at", info.generated_at);
    w.field("generated_by", info.generated_by);
    w.field("flowlens_version", std::string_view(FLOWLENS_VERSION));
    w.field("masked", info.masked);
    w.end_object();
}

}  // namespace

void write_report_json(JsonWriter& w, const ReportInfo& info, const Analysis& analysis, std::string_view filter_text,
                       const IngestReport& report, const Store& store) {
    w.begin_object();
    write_envelope(w, info);
    w.key("analysis");
    if (info.masked) {
        MaskedDocument d = mask_document(analysis, filter_text, report, store);
        write_analysis_json(w, d.analysis, d.filter, d.report, std::span<const std::string>(d.file_names));
    } else {
        write_analysis_json(w, analysis, filter_text, report, store);
    }
    w.end_object();
}

std::optional<std::string> report_template_error(std::string_view html_template) {
    size_t at = html_template.find(kReportMarker);
    if (at == std::string_view::npos) return "the report template has no " + std::string(kReportMarker) + " marker";
    if (html_template.find(kReportMarker, at + kReportMarker.size()) != std::string_view::npos)
        return "the report template has more than one " + std::string(kReportMarker) + " marker";
    return std::nullopt;
}

std::optional<std::string> embed_report_data(std::string_view html_template, std::string_view json, std::string& out) {
    if (auto err = report_template_error(html_template)) return err;
    size_t at = html_template.find(kReportMarker);
    out.clear();
    out.reserve(html_template.size() - kReportMarker.size() + json.size());
    out.append(html_template.substr(0, at));
    out.append(json);
    out.append(html_template.substr(at + kReportMarker.size()));
    return std::nullopt;
}

}  // namespace flowlens
