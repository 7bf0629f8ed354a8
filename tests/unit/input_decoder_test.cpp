// Tests of the input decoder: every input is decoded in several chunkings (SUBCASEs), and small
// inputs additionally at every single split point, and must give exactly the same lines.
#include "flowlens/input_decoder.hpp"

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#ifdef FLOWLENS_HAVE_ZLIB
#include <zlib.h>
#endif

using namespace flowlens;
using namespace std::string_literals;

namespace {

struct Bad {
    uint64_t line = 0;
    BadLineReason reason{};
    std::string detail;
    std::string text;
    bool operator==(const Bad&) const = default;
};

struct Result {
    std::vector<std::pair<uint64_t, std::string>> lines;
    std::vector<Bad> bad;
    std::string error;
    InputFormat format = InputFormat::Unknown;
    bool gzip = false;
    bool operator==(const Result&) const = default;
};

// For failure messages: short, and printable even for binary junk.
std::string shown(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 100)) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7F) {
            out.push_back(c);
        } else {
            const char* hex = "0123456789ABCDEF";
            out += "\\x";
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 15]);
        }
    }
    if (s.size() > 100) out += "...(" + std::to_string(s.size()) + " bytes)";
    return out;
}

[[maybe_unused]] std::ostream& operator<<(std::ostream& os, const Result& r) {
    os << "{format " << to_string(r.format) << (r.gzip ? " gzip" : "") << ", error \""
       << shown(r.error) << "\", " << r.lines.size() << " lines [";
    for (size_t i = 0; i < r.lines.size() && i < 12; ++i)
        os << "\n  " << r.lines[i].first << ": \"" << shown(r.lines[i].second) << '"';
    os << "], " << r.bad.size() << " bad [";
    for (size_t i = 0; i < r.bad.size() && i < 12; ++i)
        os << "\n  " << r.bad[i].line << ": reason " << static_cast<int>(r.bad[i].reason) << " \""
           << shown(r.bad[i].detail) << "\" \"" << shown(r.bad[i].text) << '"';
    return os << "]}";
}

class Collect final : public LineSink {
public:
    explicit Collect(Result& r) : r_(r) {}
    void line(std::string_view text, uint64_t line_no) override {
        r_.lines.emplace_back(line_no, std::string(text));
    }
    void bad_line(uint64_t line_no, BadLineReason reason, std::string_view detail,
                  std::string_view text) override {
        r_.bad.push_back({line_no, reason, std::string(detail), std::string(text)});
    }

private:
    Result& r_;
};

std::span<const uint8_t> bytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Feeds `in` in pieces whose sizes cycle through `sizes`.
Result decode_sizes(std::string_view in, const std::vector<size_t>& sizes) {
    Result r;
    Collect sink(r);
    InputDecoder d(sink);
    size_t pos = 0;
    for (size_t i = 0; pos < in.size(); ++i) {
        const size_t n = std::min(sizes[i % sizes.size()], in.size() - pos);
        d.feed(bytes(in.substr(pos, n)));
        pos += n;
    }
    d.feed({});  // an empty chunk is a no-op
    d.finish();
    d.finish();  // and so is a second finish
    CHECK(d.bytes_in() == in.size());
    r.error = d.file_error();
    r.format = d.format();
    r.gzip = d.gzip();
    return r;
}

Result decode_split(std::string_view in, size_t at) {
    return decode_sizes(in, {at == 0 ? in.size() : at, in.size()});
}

// One chunking per SUBCASE; doctest runs the calling test once per chunking.
size_t chunk_size() {
    size_t n = SIZE_MAX;
    SUBCASE("whole input") { n = SIZE_MAX; }
    SUBCASE("1-byte chunks") { n = 1; }
    SUBCASE("2-byte chunks") { n = 2; }
    SUBCASE("7-byte chunks") { n = 7; }
    SUBCASE("4096-byte chunks") { n = 4096; }
    return n;
}

// Decodes `in` in the chunking of the current SUBCASE; on the whole-input run it also checks
// that every two-piece split of a small input decodes the same (so every split point is hit).
Result decode(std::string_view in) {
    const size_t n = chunk_size();
    Result r = decode_sizes(in, {n});
    if (n == SIZE_MAX && in.size() <= 3000) {
        for (size_t at = 1; at < in.size(); ++at) {
            const Result s = decode_split(in, at);
            if (!(s == r)) {
                CAPTURE(at);
                CHECK(s == r);
                break;
            }
        }
    }
    return r;
}

using Lines = std::vector<std::pair<uint64_t, std::string>>;

#ifdef FLOWLENS_HAVE_ZLIB
using flowlens::test::gzip;
#endif

// Deterministic pseudo-random bytes (no <random> distribution differences between libraries).
std::string junk(size_t n, uint32_t seed) {
    std::string s(n, '\0');
    for (auto& c : s) {
        seed = seed * 1664525u + 1013904223u;
        c = static_cast<char>(seed >> 24);
    }
    return s;
}

const std::string kRec1 =
    "2 123456789012 eni-0a1b2c3d4e5f6a7b8 10.0.0.1 10.0.0.2 443 49152 6 10 840 1537647494 "
    "1537647554 ACCEPT OK";
const std::string kRec2 =
    "2 123456789012 eni-0a1b2c3d4e5f6a7b8 10.0.0.9 10.0.0.1 22 51000 6 3 180 1537647494 "
    "1537647554 REJECT OK";

}  // namespace

// ---- text -------------------------------------------------------------------------------------

TEST_CASE("input_decoder.empty_input") {
    SUBCASE("nothing") { CHECK(decode("") == Result{}); }
    SUBCASE("only blank lines") {
        // Blank lines before any content only count lines; the format stays unknown.
        CHECK(decode("\n\n  \r\n\t\n  ") == Result{});
    }
    SUBCASE("only a BOM") { CHECK(decode("\xEF\xBB\xBF") == Result{}); }
}

TEST_CASE("input_decoder.text_lines") {
    const Result r = decode("version srcaddr\n" + kRec1 + "\n\n" + kRec2);
    CHECK(r == Result{Lines{{1, "version srcaddr"}, {2, kRec1}, {3, ""}, {4, kRec2}}, {}, "",
                      InputFormat::Text, false});
}

TEST_CASE("input_decoder.leading_blank_lines") {
    const Result r = decode("\n \n  " + kRec1 + "\n");
    CHECK(r == Result{Lines{{3, "  " + kRec1}}, {}, "", InputFormat::Text, false});
    // Blank as the parser's tokenizer reads it: a line of \v or \f is a line (binary junk to the
    // parser, reported), here as anywhere else in a file (fuzz_parts: a part starting with one
    // lost it).
    CHECK(decode("\n\v\n\f \n" + kRec1) ==
          Result{Lines{{2, "\v"}, {3, "\f "}, {4, kRec1}}, {}, "", InputFormat::Text, false});
}

TEST_CASE("input_decoder.bom_and_crlf") {
    const Result r = decode("\xEF\xBB\xBFversion srcaddr\r\n" + kRec1 + "\r\n\r\n" + kRec2 + "\r");
    CHECK(r == Result{Lines{{1, "version srcaddr"}, {2, kRec1}, {3, ""}, {4, kRec2}}, {}, "",
                      InputFormat::Text, false});
}

TEST_CASE("input_decoder.partial_bom_is_content") {
    // Bytes that start like a BOM but are not one are kept (the parser will call them binary).
    CHECK(decode("\xEF\xBBx\nb") ==
          Result{Lines{{1, "\xEF\xBBx"}, {2, "b"}}, {}, "", InputFormat::Text, false});
    CHECK(decode("\xEF") == Result{Lines{{1, "\xEF"}}, {}, "", InputFormat::Text, false});
    // Only one BOM is dropped.
    CHECK(decode("\xEF\xBB\xBF\xEF\xBB\xBFx") ==
          Result{Lines{{1, "\xEF\xBB\xBFx"}}, {}, "", InputFormat::Text, false});
}

TEST_CASE("input_decoder.iso_prefix") {
    const std::string in =
        "2018-09-22T20:28:14.000Z " + kRec1 + "\n" +     // CloudWatch export to S3
        "2018-09-22T20:28:14Z\t\t" + kRec2 + "\n" +      // no fraction, tabs
        "2018-09-22T20:28:14.123456+02:00 a b\n" +       // offset
        "2018-09-22T20:28:14-05:30 c\n" +
        "2018-09-22T20:28:14.000Z\n" +                   // not followed by a blank: kept
        "2018-09-22 20:28:14Z d\n" +                     // not ISO 'T': kept
        "2018-09-22T20:28:14. e\n" +                     // empty fraction: kept
        "2018-09-22T20:28:14+0200 f\n" +                 // offset without colon: kept
        "2018-09-22T20:28:14 g\n" +                      // no zone: kept
        "x2018-09-22T20:28:14Z h\n";
    const Result r = decode(in);
    CHECK(r == Result{Lines{{1, kRec1},
                            {2, kRec2},
                            {3, "a b"},
                            {4, "c"},
                            {5, "2018-09-22T20:28:14.000Z"},
                            {6, "2018-09-22 20:28:14Z d"},
                            {7, "2018-09-22T20:28:14. e"},
                            {8, "2018-09-22T20:28:14+0200 f"},
                            {9, "2018-09-22T20:28:14 g"},
                            {10, "x2018-09-22T20:28:14Z h"}},
                      {}, "", InputFormat::Text, false});
}

TEST_CASE("input_decoder.long_lines") {
    constexpr size_t kMax = InputDecoder::kMaxLineBytes;
    const std::string longest(kMax, 'a');
    const std::string too_long(kMax + 1, 'b');
    const std::string detail = "line longer than 65,536 bytes";
    const std::string in = "x\n" + longest + "\n" + too_long + "\r\ny\n" + std::string(3 * kMax, 'c') +
                           "\nz\n" + std::string(kMax + 10, 'd');
    const Result r = decode(in);
    CHECK(r == Result{Lines{{1, "x"}, {2, longest}, {4, "y"}, {6, "z"}},
                      {Bad{3, BadLineReason::TooLong, detail, std::string(120, 'b')},
                       Bad{5, BadLineReason::TooLong, detail, std::string(120, 'c')},
                       Bad{7, BadLineReason::TooLong, detail, std::string(120, 'd')}},
                      "", InputFormat::Text, false});
}

TEST_CASE("input_decoder.binary_junk") {
    // Starts with a text byte so it is neither gzip nor JSON; the rest is random.
    const std::string in = std::string("x").append(junk(300000, 42));
    const Result r = decode(in);
    CHECK(r.format == InputFormat::Text);
    CHECK(r.error.empty());
    for (const auto& [n, t] : r.lines) CHECK(t.size() <= InputDecoder::kMaxLineBytes);
    // Every newline ends a line: delivered + too long + the last one.
    const auto newlines = static_cast<size_t>(std::count(in.begin(), in.end(), '\n'));
    CHECK(r.lines.size() + r.bad.size() == newlines + 1);
    // And the same at random chunk sizes.
    CHECK(decode_sizes(in, {1, 300, 17, 65537, 4, 9000}) == r);
}

TEST_CASE("input_decoder.counters") {
    Result r;
    Collect sink(r);
    InputDecoder d(sink);
    CHECK(d.format() == InputFormat::Unknown);
    d.feed(bytes("\xEF\xBB\xBF" "a\nb"));
    CHECK(d.format() == InputFormat::Text);
    CHECK(d.bytes_in() == 6);
    CHECK(d.bytes_out() == 6);
    CHECK(r.lines == Lines{{1, "a"}});
    d.finish();
    CHECK(r.lines == Lines{{1, "a"}, {2, "b"}});
    CHECK(to_string(InputFormat::Unknown) == "unknown");
    CHECK(to_string(InputFormat::Text) == "text");
    CHECK(to_string(InputFormat::CloudWatchJson) == "cloudwatch-json");
}

// ---- gzip ---------------------------------------------------------------------------------------

#ifdef FLOWLENS_HAVE_ZLIB

TEST_CASE("input_decoder.gzip_single") {
    const std::string in = gzip("\xEF\xBB\xBFversion srcaddr\r\n" + kRec1 + "\n" + kRec2);
    const Result r = decode(in);
    CHECK(r == Result{Lines{{1, "version srcaddr"}, {2, kRec1}, {3, kRec2}}, {}, "",
                      InputFormat::Text, true});
}

TEST_CASE("input_decoder.gzip_multi_member") {
    // `cat a.gz b.gz c.gz`, with a line split across members, an empty member, and the NUL
    // padding gzip(1) also accepts at the end.
    const std::string in = gzip("a1\na2\nspl") + gzip("") + gzip("it\n" + kRec1 + "\n", 9) +
                           gzip("last", 1) + std::string(7, '\0');
    const Result r = decode(in);
    CHECK(r == Result{Lines{{1, "a1"}, {2, "a2"}, {3, "split"}, {4, kRec1}, {5, "last"}}, {}, "",
                      InputFormat::Text, true});
}

TEST_CASE("input_decoder.gzip_large") {
    // Larger than the inflate buffer, fed at odd sizes: output must not depend on chunking.
    std::string text;
    Lines want;
    for (uint64_t i = 1; i <= 20000; ++i) {
        std::string line = kRec1 + " " + std::to_string(i);
        text += line + "\n";
        want.emplace_back(i, std::move(line));
    }
    const std::string in = gzip(text.substr(0, text.size() / 2)) + gzip(text.substr(text.size() / 2));
    const Result r = decode_sizes(in, {1, 4999, 3, 65536, 100000});
    CHECK(r == Result{want, {}, "", InputFormat::Text, true});
    CHECK(decode_sizes(in, {in.size()}) == r);
    Result r2;
    Collect sink(r2);
    InputDecoder d(sink);
    d.feed(bytes(in));
    d.finish();
    CHECK(d.bytes_in() == in.size());
    CHECK(d.bytes_out() == text.size());
}

TEST_CASE("input_decoder.gzip_truncated") {
    const std::string full = gzip("one\ntwo\nthree is cut");
    const std::string in = full.substr(0, full.size() - 12);  // inside the deflate data
    const Result r = decode(in);
    // Lines before the cut are delivered; the cut line is not (it could parse and be wrong).
    CHECK(r.error == "gzip stream ends early (truncated file?)");
    CHECK(r.gzip);
    CHECK(r.bad.empty());
    REQUIRE(r.lines.size() <= 2);
    const Lines first_two{{1, "one"}, {2, "two"}};
    CHECK(std::equal(r.lines.begin(), r.lines.end(), first_two.begin()));

    SUBCASE("cut in the trailer") {
        const Result t = decode_sizes(full.substr(0, full.size() - 3), {5});
        CHECK(t == Result{first_two, {}, "gzip stream ends early (truncated file?)",
                          InputFormat::Text, true});
    }
    SUBCASE("only the magic") {
        CHECK(decode_sizes("\x1f\x8b", {1}) ==
              Result{{}, {}, "gzip stream ends early (truncated file?)", InputFormat::Unknown, true});
    }
}

TEST_CASE("input_decoder.gzip_corrupt") {
    const std::string a = gzip("one\ntwo\n");
    const std::string b = gzip("three\nfour\n");

    SUBCASE("bad header of the second member") {
        std::string bad = b;
        bad[2] = 7;  // compression method must be 8 (deflate)
        const Result r = decode(a + bad + gzip("five\n"));
        CHECK(r == Result{Lines{{1, "one"}, {2, "two"}}, {},
                          "corrupt gzip data after " + std::to_string(a.size() + 4) +
                              " bytes: unknown compression method",
                          InputFormat::Text, true});
    }
    SUBCASE("bad CRC") {
        std::string bad = a;
        bad[bad.size() - 8] ^= 0x55;  // first byte of the CRC-32 trailer
        const Result r = decode(bad + b);
        // Inflated before the check: the lines are delivered, then the error stops the rest.
        CHECK(r.lines == Lines{{1, "one"}, {2, "two"}});
        CHECK(r.error == "corrupt gzip data after " + std::to_string(a.size() - 4) +
                             " bytes: incorrect data check");
    }
    SUBCASE("garbage after a member") {
        const Result r = decode(a + "hello\n");
        CHECK(r.lines == Lines{{1, "one"}, {2, "two"}});
        CHECK(r.error.starts_with("corrupt gzip data after "));
        CHECK(r.error.ends_with("incorrect header check"));
    }
    SUBCASE("flipped bits inside the data") {
        std::string text;
        for (int i = 0; i < 2000; ++i) text += kRec1 + " " + std::to_string(i) + "\n";
        std::string bad = gzip(text);
        for (size_t i = bad.size() / 2; i < bad.size() / 2 + 8; ++i) bad[i] = static_cast<char>(~bad[i]);
        // What zlib inflates before it notices is delivered (it can be garbage: only the CRC at
        // the end is sure to catch damage); it must not depend on the chunking.
        const Result r = decode_sizes(bad, {chunk_size()});
        CHECK(r.error.starts_with("corrupt gzip data after "));
        CHECK(decode_sizes(bad, {bad.size()}) == r);
    }
    SUBCASE("junk after the magic") {
        const Result r = decode("\x1f\x8bjunk junk junk");
        CHECK(r.lines.empty());
        CHECK(r.error.starts_with("corrupt gzip data after "));
    }
}

TEST_CASE("input_decoder.gzip_json") {
    const std::string in = gzip("{\"message\":\"" + kRec1 + "\"}\n") + gzip("{\"message\":\"b\"}");
    CHECK(decode(in) ==
          Result{Lines{{1, kRec1}, {2, "b"}}, {}, "", InputFormat::CloudWatchJson, true});
}

#else  // the WebAssembly build: no zlib in the core

TEST_CASE("input_decoder.gzip_without_zlib") {
    const Result r = decode("\x1f\x8b\x08\x00junk\nmore\n"s);
    CHECK(r == Result{{}, {},
                      "gzip input must be decompressed before it reaches the core (the browser "
                      "does this)",
                      InputFormat::Unknown, true});
}

#endif

TEST_CASE("input_decoder.not_gzip") {
    // One 0x1f byte alone, or not followed by 0x8b, is content.
    CHECK(decode("\x1f") == Result{Lines{{1, "\x1f"}}, {}, "", InputFormat::Text, false});
    CHECK(decode("\x1f" "a\nb") == Result{Lines{{1, "\x1f" "a"}, {2, "b"}}, {}, "",
                                          InputFormat::Text, false});
}

// ---- CloudWatch JSON ------------------------------------------------------------------------------

TEST_CASE("input_decoder.json_filter_log_events_pretty") {
    // `aws logs filter-log-events` output as the CLI prints it.
    const std::string in =
        "{\n"
        "    \"events\": [\n"
        "        {\n"
        "            \"logStreamName\": \"eni-0a1b2c3d4e5f6a7b8-all\",\n"
        "            \"timestamp\": 1537647494000,\n"
        "            \"message\": \"" + kRec1 + "\",\n"
        "            \"ingestionTime\": 1537647500000,\n"
        "            \"eventId\": \"34308323452345234523452345234523452345\"\n"
        "        },\n"
        "        {\n"
        "            \"logStreamName\": \"eni-0a1b2c3d4e5f6a7b8-all\",\n"
        "            \"timestamp\": 1537647495000,\n"
        "            \"message\": \"" + kRec2 + "\",\n"
        "            \"ingestionTime\": 1.5e12,\n"
        "            \"eventId\": \"34308323452345234523452345234523452346\"\n"
        "        }\n"
        "    ],\n"
        "    \"searchedLogStreams\": [\n"
        "        {\n"
        "            \"logStreamName\": \"eni-0a1b2c3d4e5f6a7b8-all\",\n"
        "            \"searchedCompletely\": true\n"
        "        }\n"
        "    ],\n"
        "    \"nextToken\": null\n"
        "}\n";
    CHECK(decode(in) ==
          Result{Lines{{6, kRec1}, {13, kRec2}}, {}, "", InputFormat::CloudWatchJson, false});
}

TEST_CASE("input_decoder.json_compact_and_get_log_events") {
    const std::string in = "\xEF\xBB\xBF  [{\"events\":[{\"timestamp\":1,\"message\":\"" + kRec1 +
                           "\",\"eventId\":\"x\"},{\"message\":\"" + kRec2 +
                           "\"}]},{\"nextForwardToken\":\"f/1\",\"message\":[\"not\",\"this\"]}]";
    CHECK(decode(in) ==
          Result{Lines{{1, kRec1}, {1, kRec2}}, {}, "", InputFormat::CloudWatchJson, false});
}

TEST_CASE("input_decoder.json_lines") {
    // Firehose style: one object per line, other keys before and after the message.
    const std::string in = "\n{\"message\":\"" + kRec1 + "\\n\"}\r\n" +
                           "{\"timestamp\": 1537647494000, \"message\": \"" + kRec2 +
                           "\", \"logStream\": \"s\"}\n" +
                           "\n" +
                           "{\"id\":\"1\",\"timestamp\":-0.5E+3,\"message\":\"\"}\n" +
                           "{\"message\":\"no newline at the end\"}";
    CHECK(decode(in) == Result{Lines{{2, kRec1}, {3, kRec2}, {5, ""}, {6, "no newline at the end"}},
                               {}, "", InputFormat::CloudWatchJson, false});
}

TEST_CASE("input_decoder.json_escapes") {
    const std::string in =
        R"({"message":"tab\there \"quoted\" back\\slash sl\/ash \b\f\r end"})" "\n"
        R"({"message":"\u0041\u00e9\u20AC\ud83d\ude00 x"})" "\n"
        R"({"message":"lone \ud83d high, lone \ude00 low, pair split \ud83d\u0041"})" "\n"
        R"({"\u006dessage":"escaped key", "messages":"not this", "Message":"nor this"})" "\n"
        R"({"note":"\"message\": \"x\" {[", "message":"real"})" "\n"
        R"({"message":{"message":"nested"}, "x":{"y":[{"message":"deep"}]}, "message2":"no"})" "\n"
        R"({"message":12, "message":null, "message":["in array"]})" "\n";
    CHECK(decode(in) == Result{Lines{{1, "tab\there \"quoted\" back\\slash sl/ash \b\f\r end"},
                                     {2, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 x"},
                                     {3, "lone \xEF\xBF\xBD high, lone \xEF\xBF\xBD low, pair "
                                         "split \xEF\xBF\xBD" "A"},
                                     {4, "escaped key"},
                                     {5, "real"},
                                     {6, "nested"},
                                     {6, "deep"}},
                               {}, "", InputFormat::CloudWatchJson, false});
}

TEST_CASE("input_decoder.json_bad_escape") {
    const std::string in = R"({"message":"a\qb"})" "\n"
                           R"({"message":"c\u12G4d"})" "\n"
                           R"({"other":"\x", "message":"ok"})" "\n";
    CHECK(decode(in) ==
          Result{Lines{{3, "ok"}},
                 {Bad{1, BadLineReason::BadJson, "invalid escape \\'q' in a string", "ab"},
                  Bad{2, BadLineReason::BadJson, "\\u needs 4 hex digits, found 'G'", "cG4d"},
                  Bad{3, BadLineReason::BadJson, "invalid escape \\'x' in a string", ""}},
                 "", InputFormat::CloudWatchJson, false});
}

TEST_CASE("input_decoder.json_lines_resync") {
    // A broken JSON line is reported where it breaks; the next line is read again.
    const std::string in = "{\"message\":\"a\"}\n"
                           "{\"message\":\"b\" \"oops\":1}\n"
                           "{\"message\":\"c\n"
                           "{\"message\":\"d\"}\n"
                           "{\"message\" 1}\n"
                           "not json at all\n"
                           "{\"message\":\"e\",}\n"
                           "{\"message\":tru}\n"
                           "]\n"
                           "{\"message\":\"f\"}\n";
    CHECK(decode(in) ==
          Result{Lines{{1, "a"}, {2, "b"}, {4, "d"}, {7, "e"}, {10, "f"}},
                 {Bad{2, BadLineReason::BadJson,
                      "expected ',' or '}', found '\"' (column 16)", "\"oops\":1}"},
                  Bad{3, BadLineReason::BadJson, "the line ends inside a string (column 14)", ""},
                  Bad{5, BadLineReason::BadJson, "expected ':', found '1' (column 12)", "1}"},
                  Bad{6, BadLineReason::BadJson, "'not' is not a JSON value (column 4)",
                      " json at all"},
                  Bad{7, BadLineReason::BadJson, "expected a key, found '}' (column 16)", "}"},
                  Bad{8, BadLineReason::BadJson, "'tru' is not a JSON value (column 15)", "}"},
                  Bad{9, BadLineReason::BadJson, "expected a JSON value, found ']' (column 1)",
                      "]"}},
                 "", InputFormat::CloudWatchJson, false});
}

TEST_CASE("input_decoder.json_document_error_is_fatal") {
    const std::string in = "{\n"
                           "  \"events\": [\n"
                           "    {\"message\": \"a\"},\n"
                           "    {\"message\": \"b\"}}\n"
                           "    {\"message\": \"c\"}\n"
                           "  ]\n"
                           "}\n";
    CHECK(decode(in) ==
          Result{Lines{{3, "a"}, {4, "b"}},
                 {Bad{4, BadLineReason::BadJson, "expected ',' or ']', found '}' (column 21)", "}"}},
                 "malformed JSON at line 4, column 21: expected ',' or ']', found '}'; the rest "
                 "of the file was not read",
                 InputFormat::CloudWatchJson, false});
}

TEST_CASE("input_decoder.json_truncated") {
    SUBCASE("JSON lines: the last line is cut") {
        CHECK(decode("{\"message\":\"a\"}\n{\"message\":\"b") ==
              Result{Lines{{1, "a"}},
                     {Bad{2, BadLineReason::BadJson,
                          "the input ends inside a string (column 14)", ""}},
                     "", InputFormat::CloudWatchJson, false});
        CHECK(decode("{\"message\":\"a\"}\n{\"message\":\"b\", \"t\": 12") ==
              Result{Lines{{1, "a"}, {2, "b"}},
                     {Bad{2, BadLineReason::BadJson,
                          "the input ends inside an object (column 24)", ""}},
                     "", InputFormat::CloudWatchJson, false});
        CHECK(decode("{\"message\":\"a\"} 12") ==
              Result{Lines{{1, "a"}}, {}, "", InputFormat::CloudWatchJson, false});
        CHECK(decode("{\"message\":\"a\"} 12e") ==
              Result{Lines{{1, "a"}},
                     {Bad{1, BadLineReason::BadJson, "'12e' is not a JSON value (column 20)", ""}},
                     "", InputFormat::CloudWatchJson, false});
    }
    SUBCASE("a document is cut") {
        CHECK(decode("{\"events\": [\n  {\"message\": \"a\"},\n  {\"mess") ==
              Result{Lines{{2, "a"}},
                     {Bad{3, BadLineReason::BadJson,
                          "the input ends inside a string (column 9)", ""}},
                     "the JSON document ends early at line 3 (truncated file?): the input ends "
                     "inside a string",
                     InputFormat::CloudWatchJson, false});
    }
}

TEST_CASE("input_decoder.json_long_message") {
    const std::string big(InputDecoder::kMaxLineBytes + 1, 'm');
    const std::string fits(InputDecoder::kMaxLineBytes, 'f');
    const std::string in = "{\"message\":\"" + big + "\"}\n{\"message\":\"" + fits +
                           "\"}\n{\"message\":\"after\"}\n";
    CHECK(decode(in) ==
          Result{Lines{{2, fits}, {3, "after"}},
                 {Bad{1, BadLineReason::TooLong, "message longer than 65,536 bytes",
                      std::string(120, 'm')}},
                 "", InputFormat::CloudWatchJson, false});
}

TEST_CASE("input_decoder.json_junk") {
    // Random bytes after a '{' must never crash or hang, and give the same at any chunking.
    const std::string in = std::string("{").append(junk(20000, 7));
    const Result r = decode(in);
    CHECK(r.format == InputFormat::CloudWatchJson);
    CHECK(decode_sizes(in, {1, 13, 4096}) == r);
    // Deep nesting is refused, not followed.
    const Result deep = decode(std::string(1000, '['));
    CHECK(deep.bad.size() == 1);
    CHECK(deep.bad[0].detail == "nested deeper than 256 levels (column 257)");
}

TEST_CASE("input_decoder.json_error_at_the_end") {
    // The error's example is the rest of its line, which here ends with the input.
    CHECK(decode("{\"message\":\"a\"}\n{\"message\" x") ==
          Result{Lines{{1, "a"}},
                 {Bad{2, BadLineReason::BadJson, "expected ':', found 'x' (column 12)", "x"}},
                 "", InputFormat::CloudWatchJson, false});
    // Text after a complete multi-line document cannot be followed either.
    CHECK(decode("{\"events\": [\n{\"message\": \"a\"}\n]}\nnot json\n{\"message\": \"b\"}\n") ==
          Result{Lines{{2, "a"}},
                 {Bad{4, BadLineReason::BadJson, "'not' is not a JSON value (column 4)",
                      " json"}},
                 "malformed JSON at line 4, column 4: 'not' is not a JSON value; the rest of "
                 "the file was not read",
                 InputFormat::CloudWatchJson, false});
}

TEST_CASE("input_decoder.json_long_literal") {
    // A number longer than any real one is refused where it passes the limit.
    const std::string digits(100, '7');
    const std::string in = "{\"message\":\"a\",\"n\":" + digits + "}\n{\"message\":\"b\"}\n";
    CHECK(decode(in) ==
          Result{Lines{{1, "a"}, {2, "b"}},
                 {Bad{1, BadLineReason::BadJson, "a number or word longer than 64 bytes (column 84)",
                      std::string(36, '7') + "}"}},
                 "", InputFormat::CloudWatchJson, false});
}

TEST_CASE("input_decoder.random_inputs_any_split") {
    // Short random strings over the bytes that drive the state machines (JSON syntax, escapes,
    // BOM and gzip magic bytes, newlines): every split point must give the whole-input result.
    const std::string alphabet = "{}[]\":,\\u0dD8a9eE.-+ \n\r\tmessage\xEF\xBB\xBF\x1f\x8b";
    uint32_t seed = 1;
    for (int round = 0; round < 400; ++round) {
        std::string in = round % 2 == 0 ? "{\"message\":\"" : "";
        seed = seed * 1664525u + 1013904223u;
        const size_t n = (seed >> 16) % 60;
        for (size_t i = 0; i < n; ++i) {
            seed = seed * 1664525u + 1013904223u;
            in.push_back(alphabet[(seed >> 16) % alphabet.size()]);
        }
        const Result whole = decode_sizes(in, {SIZE_MAX});
        for (size_t at = 1; at < in.size(); ++at) {
            const Result s = decode_split(in, at);
            if (!(s == whole)) {
                CAPTURE(shown(in));
                CAPTURE(at);
                CHECK(s == whole);
                break;
            }
        }
        CHECK(decode_sizes(in, {1}) == whole);
    }
}
