#include "flowlens/record_parser.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "flowlens/text.hpp"

namespace flowlens {
namespace {

constexpr uint64_t kMillisecondsFrom = uint64_t{1} << 31;  // FLOWLOGS.md: above 2^31 = ms

bool is_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// "${srcaddr}" → "srcaddr"; other tokens unchanged.
std::string_view strip_format_braces(std::string_view t) noexcept {
    if (t.size() > 3 && t.substr(0, 2) == "${" && t.back() == '}') return t.substr(2, t.size() - 3);
    return t;
}

bool is_name_like(std::string_view t) noexcept {
    t = strip_format_braces(t);
    if (t.empty() || !((t[0] >= 'a' && t[0] <= 'z') || (t[0] >= 'A' && t[0] <= 'Z'))) return false;
    return std::all_of(t.begin(), t.end(), is_name_char);
}

// Splits on runs of blanks; a token starting with '#' ends the line (documentation examples
// carry "#comment" tails). Returns false when the line holds control bytes (binary junk).
bool tokenize(std::string_view line, std::vector<std::string_view>& out) {
    out.clear();
    size_t i = 0, n = line.size();
    while (i < n) {
        char c = line[i];
        if (c == ' ' || c == '\t' || c == '\r') {
            ++i;
            continue;
        }
        if (c == '#') break;
        size_t start = i;
        while (i < n) {
            c = line[i];
            if (c == ' ' || c == '\t' || c == '\r') break;
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
            ++i;
        }
        out.push_back(line.substr(start, i - start));
    }
    return true;
}

// Shape checks used only while inferring a layout, so that an id column cannot be mistaken
// for another field that also accepts free text.
bool plausible_text(std::string_view field, std::string_view v) noexcept {
    if (v == "-") return true;
    auto starts = [&](std::string_view p) { return v.size() > p.size() && v.substr(0, p.size()) == p; };
    if (field == "account-id")
        return v == "unknown" || (v.size() == 12 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }));
    if (field == "interface-id") return starts("eni-");
    if (field == "vpc-id") return starts("vpc-");
    if (field == "subnet-id") return starts("subnet-");
    if (field == "instance-id") return starts("i-");
    if (field == "region") return v.find('-') != v.npos && !(v[0] >= '0' && v[0] <= '9');
    if (field == "az-id") return v.find("-az") != v.npos;
    return true;
}

// AWS's field order cut at each version (what "all fields of version N" writes), and the
// documented version-5 example order: the layouts inference tries.
const std::vector<std::vector<std::string>>& candidate_layouts() {
    static const std::vector<std::vector<std::string>> layouts = [] {
        std::vector<std::vector<std::string>> out;
        std::vector<std::string> cumulative;
        uint8_t version = 2;
        for (const FieldInfo& f : known_fields()) {
            if (f.since_version == 6) continue;  // transit gateway logs have their own layout
            if (f.since_version != version) {
                out.push_back(cumulative);
                version = f.since_version;
            }
            if (f.name == "resource-id" || f.name == "encryption-status") continue;
            cumulative.emplace_back(f.name);
        }
        out.push_back(cumulative);
        out.push_back({"version", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "start", "end", "type",
                       "packets", "bytes", "account-id", "vpc-id", "subnet-id", "instance-id", "interface-id",
                       "region", "az-id", "sublocation-type", "sublocation-id", "action", "tcp-flags", "pkt-srcaddr",
                       "pkt-dstaddr", "pkt-src-aws-service", "pkt-dst-aws-service", "traffic-path",
                       "flow-direction", "log-status"});
        return out;
    }();
    return layouts;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) {
        if (!s.empty()) s.push_back(' ');
        s += x;
    }
    return s;
}

}  // namespace

std::optional<std::string> parse_field_list(std::string_view text, std::vector<std::string>& out) {
    out.clear();
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (is_blank(text[i]) || text[i] == ',' || text[i] == '\n')) ++i;
        size_t start = i;
        while (i < text.size() && !(is_blank(text[i]) || text[i] == ',' || text[i] == '\n')) ++i;
        if (i == start) break;
        std::string name = to_lower(strip_format_braces(text.substr(start, i - start)));
        if (!is_name_like(name)) return "field list: '" + excerpt(name, 40) + "' is not a field name";
        if (std::find(out.begin(), out.end(), name) != out.end())
            return "field list: '" + name + "' is named twice";
        if (out.size() == RecordParser::kMaxFields) return "field list: more than 128 fields";
        out.push_back(std::move(name));
    }
    if (out.empty()) return std::string("field list is empty");
    return std::nullopt;
}

bool looks_like_header(std::string_view line) noexcept {
    bool any_known = false;
    size_t i = 0, n = line.size(), tokens = 0;
    while (i < n) {
        while (i < n && is_blank(line[i])) ++i;
        size_t start = i;
        while (i < n && !is_blank(line[i])) ++i;
        if (i == start) break;
        std::string_view t = line.substr(start, i - start);
        if (!is_name_like(t)) return false;
        if (find_field(strip_format_braces(t))) any_known = true;
        ++tokens;
    }
    return tokens > 0 && any_known;
}

RecordParser::RecordParser(Store& store, IngestReport& report, uint32_t file, std::vector<std::string> explicit_fields)
    : store_(store), report_(report), file_(file), explicit_fields_(std::move(explicit_fields)) {
    if (!explicit_fields_.empty()) set_layout(explicit_fields_, 0);
}

bool RecordParser::set_layout(const std::vector<std::string>& fields, uint64_t line_no) {
    for (size_t i = 0; i < fields.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (fields[i] == fields[j]) {
                file_error_ = "header line " + std::to_string(line_no) + " names field '" + fields[i] + "' twice";
                return false;
            }
    fields_ = fields;
    slots_.clear();
    for (const auto& name : fields_) {
        Column& col = store_.column(name);
        uint8_t rule = name == "action" ? 1 : name == "log-status" ? 2 : 0;
        slots_.push_back({&col, col.kind, rule});
    }
    // A column stored relative to another (end to start) is appended after the others, so
    // that the row's start is there to be read against whatever the field order.
    commit_order_.clear();
    for (int pass = 0; pass < 2; ++pass)
        for (size_t i = 0; i < slots_.size(); ++i)
            if ((slots_[i].column->base() != nullptr) == (pass == 1)) commit_order_.push_back(i);
    staged_.assign(slots_.size(), Staged{0, true});
    return true;
}

void RecordParser::line(std::string_view text, uint64_t line_no) {
    if (!tokenize(text, tokens_)) {
        report_.add_bad_line(file_, line_no, BadLineReason::Binary, "control bytes in the line", text);
        return;
    }
    if (tokens_.empty()) return;  // blank or comment line

    if (looks_like_header(text)) {
        std::vector<std::string> names;
        names.reserve(tokens_.size());
        for (auto t : tokens_) names.push_back(to_lower(strip_format_braces(t)));
        if (names.size() > kMaxFields || !set_layout(names, line_no)) {
            if (file_error_.empty()) file_error_ = "header line " + std::to_string(line_no) + " cannot be used";
            fields_.clear();
            slots_.clear();
            commit_order_.clear();
        }
        ++headers_;
        return;
    }

    if (slots_.empty() && !try_infer(text, line_no)) return;

    if (stage(line_no, text, true)) commit();
}

bool RecordParser::try_infer(std::string_view line, uint64_t line_no) {
    std::vector<std::string> fit;
    if (tokens_.size() == default_format().size()) {
        // The default format needs no proof: its own bad values are reported as such.
        std::vector<std::string> def(default_format().begin(), default_format().end());
        set_layout(def, line_no);
        return true;
    }
    std::vector<const std::vector<std::string>*> fitting;
    for (const auto& layout : candidate_layouts()) {
        if (layout.size() != tokens_.size()) continue;
        bool ok = true;
        for (size_t i = 0; i < layout.size() && ok; ++i) {
            const FieldInfo* f = find_field(layout[i]);
            std::string_view v = tokens_[i];
            if (v == "-") continue;
            switch (f->kind) {
                case FieldKind::Address: ok = parse_ip(v).has_value(); break;
                case FieldKind::Text: ok = plausible_text(f->name, v); break;
                case FieldKind::Enum:
                    if (f->name == "action") ok = iequals(v, "ACCEPT") || iequals(v, "REJECT");
                    else if (f->name == "log-status") ok = iequals(v, "OK") || iequals(v, "NODATA") || iequals(v, "SKIPDATA");
                    else if (f->name == "type") ok = iequals(v, "IPv4") || iequals(v, "IPv6") || iequals(v, "EFA");
                    else if (f->name == "flow-direction") ok = iequals(v, "ingress") || iequals(v, "egress");
                    break;
                case FieldKind::Small: ok = parse_u64(v).has_value() && *parse_u64(v) <= 255; break;
                default: ok = parse_u64(v).has_value(); break;
            }
        }
        if (ok) fitting.push_back(&layout);
    }
    if (fitting.size() == 1) {
        set_layout(*fitting.front(), line_no);
        return true;
    }
    std::string why = fitting.empty()
                          ? "its " + std::to_string(tokens_.size()) + " fields match no known layout"
                          : "its " + std::to_string(tokens_.size()) + " fields fit " + std::to_string(fitting.size()) +
                                " layouts";
    std::string detail = "no header line and no field list; " + why +
                         ". State the format (CLI: --fields \"version account-id …\"; page: the field-list box)";
    if (file_error_.empty()) file_error_ = "line " + std::to_string(line_no) + ": " + detail;
    report_.add_bad_line(file_, line_no, BadLineReason::UnknownFormat, detail, line);
    return false;
}

bool RecordParser::stage(uint64_t line_no, std::string_view line, bool report) {
    auto fail = [&](BadLineReason reason, std::string detail) {
        if (report) report_.add_bad_line(file_, line_no, reason, detail, line);
        return false;
    };
    if (tokens_.size() != slots_.size())
        return fail(BadLineReason::FieldCount, std::to_string(tokens_.size()) + " fields, the format has " +
                                                   std::to_string(slots_.size()) + " (" + excerpt(join(fields_), 80) + ")");
    for (size_t i = 0; i < slots_.size(); ++i) {
        std::string_view v = tokens_[i];
        Staged& s = staged_[i];
        const Slot& slot = slots_[i];
        if (v == "-") {
            s = {0, true};
            continue;
        }
        auto what = [&](std::string_view msg) { return slot.column->name + ": '" + excerpt(v, 40) + "' " + std::string(msg); };
        switch (slot.kind) {
            case FieldKind::Small:
            case FieldKind::Flags:
            case FieldKind::Port: {
                auto n = parse_u64(v);
                if (!n) return fail(BadLineReason::BadNumber, what("is not a number"));
                uint64_t max = slot.kind == FieldKind::Small ? 255 : 65535;
                if (*n > max)
                    return fail(slot.kind == FieldKind::Port ? BadLineReason::PortRange : BadLineReason::ValueRange,
                                what("is above " + std::to_string(max)));
                s = {*n, false};
                break;
            }
            case FieldKind::Counter: {
                auto n = parse_u64(v);
                if (!n) {
                    bool digits = std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
                    return digits ? fail(BadLineReason::CounterOverflow, what("does not fit in 64 bits"))
                                  : fail(BadLineReason::BadNumber, what("is not a number"));
                }
                s = {*n, false};
                break;
            }
            case FieldKind::Time: {
                auto n = parse_u64(v);
                if (!n) return fail(BadLineReason::BadTime, what("is not a Unix time"));
                uint64_t t = *n >= kMillisecondsFrom ? *n / 1000 : *n;
                if (t > 0xFFFFFFFEu) return fail(BadLineReason::BadTime, what("is beyond the year 2106"));
                s = {t, false};
                break;
            }
            case FieldKind::Address: {
                auto a = parse_ip(v);
                if (!a) return fail(BadLineReason::BadAddress, what("is not an IPv4 or IPv6 address"));
                s = {store_.addresses().intern(*a), false};
                break;
            }
            case FieldKind::Enum: {
                std::string_view canonical = v;
                if (slot.enum_rule == 1) {
                    canonical = iequals(v, "ACCEPT") ? "ACCEPT" : iequals(v, "REJECT") ? "REJECT" : "";
                    if (canonical.empty()) return fail(BadLineReason::BadEnum, what("is not ACCEPT or REJECT"));
                } else if (slot.enum_rule == 2) {
                    canonical = iequals(v, "OK")         ? "OK"
                                : iequals(v, "NODATA")   ? "NODATA"
                                : iequals(v, "SKIPDATA") ? "SKIPDATA"
                                                         : "";
                    if (canonical.empty()) return fail(BadLineReason::BadEnum, what("is not OK, NODATA or SKIPDATA"));
                }
                Dictionary& dict = slot.column->dict;
                auto code = dict.find(canonical);
                if (!code) {
                    if (dict.size() > 255) return fail(BadLineReason::BadEnum, what("is one value too many (at most 255)"));
                    code = dict.intern(canonical);
                }
                s = {*code, false};
                break;
            }
            case FieldKind::Text:
                s = {slot.column->dict.intern(v), false};
                break;
        }
    }
    return true;
}

void RecordParser::commit() {
    size_t row = store_.rows();
    for (size_t i : commit_order_) {
        Column& col = *slots_[i].column;
        col.pad_to(row);  // columns this file lacks were left behind by earlier rows
        const Staged& s = staged_[i];
        if (s.null)
            col.append_null();
        else if (slots_[i].kind == FieldKind::Address || slots_[i].kind == FieldKind::Enum ||
                 slots_[i].kind == FieldKind::Text)
            col.append_id(static_cast<uint32_t>(s.value));
        else
            col.append_number(s.value);
    }
    store_.commit_row();
    ++records_;
}

}  // namespace flowlens
