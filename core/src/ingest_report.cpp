#include "flowlens/ingest_report.hpp"

#include "flowlens/text.hpp"

#include <utility>

namespace flowlens {
namespace {

struct ReasonNames {
    std::string_view key, text;
};

constexpr ReasonNames kReasons[] = {
    {"field_count", "wrong number of fields"},
    {"bad_number", "text where a number belongs"},
    {"port_range", "port above 65535"},
    {"value_range", "value out of range"},
    {"bad_address", "malformed IP address"},
    {"counter_overflow", "counter above 2^64-1"},
    {"bad_time", "malformed time"},
    {"bad_enum", "unexpected word"},
    {"binary", "binary data (control bytes)"},
    {"too_long", "line too long"},
    {"bad_json", "malformed JSON"},
    {"unknown_format", "format unknown (no header, no field list)"},
};
static_assert(std::size(kReasons) == static_cast<size_t>(BadLineReason::Count_));

}  // namespace

std::string_view to_string(BadLineReason reason) noexcept { return kReasons[static_cast<size_t>(reason)].text; }
std::string_view reason_key(BadLineReason reason) noexcept { return kReasons[static_cast<size_t>(reason)].key; }

void IngestReport::add_bad_line(uint32_t file, uint64_t line, BadLineReason reason, std::string_view detail,
                                std::string_view text) {
    auto& n = counts_[static_cast<size_t>(reason)];
    ++total_;
    if (file < files.size()) ++files[file].bad_lines;
    if (n++ < kExamplesPerReason)
        examples_.push_back({file, line, reason, excerpt(detail, 200), excerpt(text, 160)});
}

void IngestReport::set_example_text(size_t i, std::string detail, std::string text) {
    if (i >= examples_.size()) return;
    examples_[i].detail = std::move(detail);
    examples_[i].text = std::move(text);
}

}  // namespace flowlens
