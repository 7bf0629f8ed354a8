#include "flowlens/record_output.hpp"

namespace flowlens {
namespace {

// The printed form of a non-null Address, Enum or Text value.
std::string text_value(const Store& store, const Column& c, size_t row) {
    if (c.kind == FieldKind::Address) return to_string(store.addresses().address(static_cast<uint32_t>(c.number(row))));
    return std::string(c.dict.value(c.code(row)));
}

bool is_textual(FieldKind k) { return k == FieldKind::Address || k == FieldKind::Enum || k == FieldKind::Text; }

void append_csv_field(std::string& out, std::string_view v, bool textual) {
    std::string guarded;
    if (textual && !v.empty() && v != "-" &&
        (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t')) {
        guarded = "'" + std::string(v);
        v = guarded;
    }
    if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
        out.append(v);
        return;
    }
    out.push_back('"');
    for (char c : v) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

}  // namespace

void write_record_json(JsonWriter& w, const Store& store, size_t row) {
    w.begin_object();
    for (const auto& c : store.columns()) {
        w.key(c->name);
        if (c->is_null(row))
            w.null();
        else if (is_textual(c->kind))
            w.value(text_value(store, *c, row));
        else
            w.value(c->number(row));
    }
    w.end_object();
}

void append_csv_header(std::string& out, const Store& store) {
    bool first = true;
    for (const auto& c : store.columns()) {
        if (!first) out.push_back(',');
        first = false;
        append_csv_field(out, c->name, false);
    }
    out += "\r\n";
}

void append_record_csv(std::string& out, const Store& store, size_t row) {
    bool first = true;
    for (const auto& c : store.columns()) {
        if (!first) out.push_back(',');
        first = false;
        if (c->is_null(row))
            out.push_back('-');
        else if (is_textual(c->kind))
            append_csv_field(out, text_value(store, *c, row), true);
        else
            out += std::to_string(c->number(row));
    }
    out += "\r\n";
}

}  // namespace flowlens
