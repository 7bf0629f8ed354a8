// json_writer.hpp — a small streaming JSON writer into a std::string.
//
// Contract: the caller drives structure (begin/end object/array, key, values); the writer
// inserts commas, escapes strings per RFC 8259 (control bytes as \u00XX, and '<', '>', '&' as
// \u003c \u003e \u0026 so the output can be embedded in an HTML <script> block without any
// log text closing it), and replaces invalid UTF-8 with U+FFFD. Numbers are written exactly
// (64-bit integers; doubles with up to 17 significant digits, NaN/Inf as null). It does not
// validate nesting: that is the caller's job and the tests'. Amortised O(output), no throws but
// bad_alloc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowlens {

class JsonWriter {
public:
    explicit JsonWriter(std::string& out) : out_(out) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(uint64_t v);
    JsonWriter& value(int64_t v);
    JsonWriter& value(uint32_t v) { return value(uint64_t{v}); }
    JsonWriter& value(int v) { return value(int64_t{v}); }
    JsonWriter& value(double v);
    JsonWriter& value(bool v);
    JsonWriter& null();
    template <class T>
    JsonWriter& value(const std::optional<T>& v) { return v ? value(*v) : null(); }
    // Inserts already-serialised JSON as one value.
    JsonWriter& raw(std::string_view json);

    // key(k).value(v) in one call.
    template <class T>
    JsonWriter& field(std::string_view k, const T& v) { key(k); return value(v); }

private:
    void separate();
    std::string& out_;
    std::vector<bool> first_;  // per open container: no element written yet
    bool after_key_ = false;
};

// Appends `s` as a JSON string literal (with quotes) to `out`, escaped as described above.
void append_json_string(std::string& out, std::string_view s);

}  // namespace flowlens
