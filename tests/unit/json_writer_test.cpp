// The JSON writer: structure, escaping (including HTML-safe escapes) and numbers.
#include <doctest/doctest.h>

#include <limits>

#include "flowlens/json_writer.hpp"

using namespace flowlens;

TEST_CASE("json_writer.structure") {
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("a", 1).key("b").begin_array().value("x").null().value(true).end_array()
        .key("c").begin_object().end_object().end_object();
    CHECK(out == R"({"a":1,"b":["x",null,true],"c":{}})");
}

TEST_CASE("json_writer.escaping") {
    auto lit = [](std::string_view s) { std::string o; append_json_string(o, s); return o; };
    CHECK(lit("plain") == "\"plain\"");
    CHECK(lit("a\"b\\c") == R"("a\"b\\c")");
    CHECK(lit("\n\r\t") == R"("\n\r\t")");
    CHECK(lit(std::string_view("\x01\x1f\x7f", 3)) == R"("\u0001\u001f\u007f")");
    // HTML-significant characters never appear raw, so "</script>" cannot close a script block.
    CHECK(lit("</script><img onerror=x>&") == R"("\u003c/script\u003e\u003cimg onerror=x\u003e\u0026")");
    // Valid UTF-8 passes through; invalid bytes become U+FFFD.
    CHECK(lit("caf\xC3\xA9") == "\"caf\xC3\xA9\"");
    CHECK(lit("\xFF") == "\"\xEF\xBF\xBD\"");
    CHECK(lit("\xC3") == "\"\xEF\xBF\xBD\"");          // truncated sequence
    CHECK(lit("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // overlong '/'
    CHECK(lit("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

TEST_CASE("json_writer.numbers") {
    std::string out;
    JsonWriter w(out);
    w.begin_array()
        .value(std::numeric_limits<uint64_t>::max())
        .value(int64_t{-5})
        .value(0.5)
        .value(std::numeric_limits<double>::quiet_NaN())
        .value(std::optional<uint32_t>{})
        .value(std::optional<uint32_t>{7u})
        .end_array();
    CHECK(out == "[18446744073709551615,-5,0.5,null,null,7]");
}
