// input_decoder.cpp — one file's bytes, pushed in chunks, → record lines (contract in the header).
//
// Three stages, each resumable at any byte because the caller pushes chunks of arbitrary size:
//   raw      sniff the gzip magic, then pass bytes through or inflate them (zlib)
//   decoded  drop a UTF-8 BOM, sniff the content (first non-blank byte), then
//   text     first the sink's take_lines (runs of record lines it reads in one pass, ends and all),
//            then split lines with find_newline (text.hpp); lines wholly inside a chunk go to the sink as
//            views into the chunk, only a line split across chunks is copied (its head) into `carry`
//   json     a hand-written state machine that emits the string values of "message" keys.
// Nothing here allocates per line: `carry`, `msg`, `key` and `lit` keep their capacity, and are
// bounded by kMaxLineBytes (or less), so memory is O(longest line + zlib window).
#include "flowlens/input_decoder.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "flowlens/text.hpp"

#ifdef FLOWLENS_HAVE_ZLIB
#define ZLIB_CONST  // next_in is `const Bytef*`: we never need to cast away const on the input
#include <zlib.h>
#endif

namespace flowlens {

std::string_view to_string(InputFormat f) noexcept {
    switch (f) {
        case InputFormat::Text: return "text";
        case InputFormat::CloudWatchJson: return "cloudwatch-json";
        case InputFormat::Unknown: break;
    }
    return "unknown";
}

namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";
// Matches excerpt()'s default, so a report that excerpts our text again does not cut it twice.
constexpr size_t kExampleBytes = 120;
// Real CloudWatch JSON nests 3 deep; the cap only stops "[[[[…" junk from growing the stack.
constexpr size_t kMaxJsonDepth = 256;
// Numbers and true/false/null are only validated, never used, so a short buffer is enough.
constexpr size_t kMaxLiteral = 64;
// Longer than any key we care about ("message"); longer keys are simply "not message".
constexpr size_t kMaxKey = 16;
#ifdef FLOWLENS_HAVE_ZLIB
constexpr uInt kInflateOut = 64 * 1024;
#endif

// Messages are built with cat() rather than `"…" + std::string`: GCC 12 at -O3 reports a false
// -Wrestrict on that operator (GCC bug 105329), and warnings are errors here.
std::string cat(std::initializer_list<std::string_view> parts) {
    size_t n = 0;
    for (auto part : parts) n += part.size();
    std::string out;
    out.reserve(n);
    for (auto part : parts) out.append(part);
    return out;
}

std::string with_commas(uint64_t v) {
    const std::string digits = std::to_string(v);
    std::string out;
    out.reserve(digits.size() + digits.size() / 3);
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return out;
}

// At most `max` bytes of `s`, not cutting a UTF-8 sequence: the example text of a bad line.
std::string_view head(std::string_view s, size_t max = kExampleBytes) noexcept {
    if (s.size() <= max) return s;
    size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
}


constexpr bool is_literal_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_ascii_digit(c) || c == '-' ||
           c == '+' || c == '.';
}

// true / false / null / a JSON number. Anything else made of literal characters is an error.
bool valid_literal(std::string_view s) noexcept {
    if (s == "true" || s == "false" || s == "null") return true;
    size_t i = 0;
    auto digits = [&] {
        const size_t start = i;
        while (i < s.size() && is_ascii_digit(s[i])) ++i;
        return i > start;
    };
    if (i < s.size() && s[i] == '-') ++i;
    if (i >= s.size()) return false;
    if (s[i] == '0') {
        ++i;
    } else if (!digits()) {
        return false;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (!digits()) return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (!digits()) return false;
    }
    return i == s.size();
}

// How an unexpected byte is named in a message: 'x' when printable, else its code.
std::string describe(const char* p, const char* end) {
    if (p == nullptr || p == end) return "the end of the input";
    const auto u = static_cast<unsigned char>(*p);
    if (u == '\n') return "the end of the line";
    if (u > 0x20 && u < 0x7F) return cat({"'", std::string_view(p, 1), "'"});
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02X", static_cast<unsigned>(u));
    return buf;
}

}  // namespace

struct InputDecoder::Impl {
    explicit Impl(LineSink& s) : sink(s) {}
    ~Impl() {
#ifdef FLOWLENS_HAVE_ZLIB
        if (z_ready) inflateEnd(&z);
#endif
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    LineSink& sink;

    // ---- state of the whole file --------------------------------------------------------------
    std::string error;     // the first fatal error
    bool stopped = false;  // after a fatal error: input is ignored
    bool finished = false;
    uint64_t in_bytes = 0;
    uint64_t out_bytes = 0;

    void fail(std::string message) {
        if (error.empty()) error = std::move(message);
        stopped = true;
    }

    // ---- raw stage: gzip or not ---------------------------------------------------------------
    enum class Raw : uint8_t { Sniff, Plain, Gzip };
    Raw raw = Raw::Sniff;
    bool held_magic = false;  // the first byte was 0x1f and the chunk ended before the second
    bool is_gzip = false;
#ifdef FLOWLENS_HAVE_ZLIB
    z_stream z{};
    bool z_ready = false;
    bool member_open = false;  // inside a gzip member: ending here means the file is truncated
    uint64_t gz_pos = 0;       // compressed bytes consumed, to say where corruption was found
    std::unique_ptr<unsigned char[]> zout;
#endif

    void feed(const uint8_t* p, size_t n);
    void start_gzip();
    void inflate_bytes(const uint8_t* p, size_t n);

    // ---- decoded stage: BOM, content sniffing -------------------------------------------------
    uint8_t bom = 0;  // bytes of a possible BOM matched so far
    bool bom_done = false;
    InputFormat format = InputFormat::Unknown;
    bool mid_text = false;  // start_mid_text(): content is text, whatever its first byte
    std::string lead;       // blanks of the current line while the format is still unknown
    uint64_t line_no = 1;   // line of the byte being looked at (1-based, decoded stream)

    void decoded(const char* p, size_t n);
    void after_bom(const char* p, const char* end);

    // ---- text mode ----------------------------------------------------------------------------
    std::string carry;      // head of a line split across chunks (never longer than the limit)
    bool skipping = false;  // inside a too-long line: discard up to its newline
    // The sink's fast lane (take_lines) backs off while it declines lines at once: after k such
    // declines in a row the next 2^k - 1 lines (at most 63) go the usual way without asking. In
    // a CloudWatch export it declines every line (their timestamps), and asking each time made
    // those files load 9 % slower; a file with a bad line here and there loses one line's ask.
    uint32_t lane_backoff = 0;  // lines to pass over after the next decline
    uint32_t lane_skip = 0;     // lines still to pass over

    void text_consume(const char* p, const char* end);
    void text_line(std::string_view s);
    void text_too_long(std::string_view start);

    // ---- JSON mode ----------------------------------------------------------------------------
    // Why not simdjson / nlohmann / a pull parser: those need the whole document, or pull bytes
    // from a reader, while here the bytes are pushed (a browser worker hands us slices of a Blob
    // and cannot block). A pull parser cannot return mid-token and resume on the next chunk; this
    // state machine can stop after any byte, since all its state lives in the fields below.
    enum class Expect : uint8_t { TopValue, Value, ValueOrEnd, KeyOrEnd, Key, Colon, CommaOrEnd };
    enum class Lex : uint8_t { None, String, Literal, SkipLine };
    enum class Str : uint8_t { Key, Message, Other };
    Expect expect = Expect::TopValue;
    Lex lex = Lex::None;
    std::vector<char> stack;        // '{' / '[' of the open containers
    bool next_is_message = false;   // the key just read is "message"
    bool multiline = false;         // a value has spanned lines: a document, not JSON lines
    Str str = Str::Other;
    uint8_t esc = 0;                // 0 plain, 1 after '\', 2..5 reading the hex digits of \u
    uint32_t hex = 0;
    uint32_t high_surrogate = 0;    // a \uD800-\uDBFF waiting for its low half
    bool str_bad = false;           // an invalid escape was seen in this string
    bool msg_long = false;          // this message passed kMaxLineBytes
    std::string str_bad_detail;
    uint64_t str_line = 0;          // line where the string starts: the message's line number
    std::string key, msg, lit;
    uint64_t jpos = 0;              // decoded bytes seen by the JSON scanner, for columns
    uint64_t jchunk_base = 0;
    const char* jchunk_begin = nullptr;
    uint64_t line_start = 0;        // jpos of the first byte of the current line
    // A syntax error is reported once the rest of its line (up to kExampleBytes) has been seen,
    // so that the example text does not depend on where the chunk happened to end.
    bool pending = false;
    uint64_t pending_line = 0;
    std::string pending_detail, pending_fatal, snippet;

    void json_consume(const char* p, const char* end);
    const char* json_string(const char* p, const char* end);
    void start_string(Str kind);
    void end_string();
    void str_out(std::string_view bytes);
    void flush_surrogate();
    void put_codepoint(uint32_t cp);
    void bad_escape(std::string detail);
    void end_literal(const char* p);
    void after_value() { expect = stack.empty() ? Expect::TopValue : Expect::CommaOrEnd; }
    std::string expected() const;
    uint64_t column(const char* at) const {
        const uint64_t pos =
            at != nullptr ? jchunk_base + static_cast<uint64_t>(at - jchunk_begin) : jpos;
        return pos - line_start + 1;
    }
    void json_error(const char* at, const std::string& what);
    void flush_pending();
    void json_finish();

    void finish();
};

// ================================================================================================
// raw stage

void InputDecoder::Impl::feed(const uint8_t* p, size_t n) {
    in_bytes += n;
    if (raw == Raw::Sniff) {
        // Gzip is told by its magic 1f 8b, which a chunk boundary may split.
        if (held_magic) {
            held_magic = false;
            if (p[0] == 0x8b) {
                start_gzip();
                static constexpr uint8_t kMagic[2] = {0x1f, 0x8b};
                if (!stopped) inflate_bytes(kMagic, 2);
                ++p;
                --n;
            } else {
                raw = Raw::Plain;
                decoded("\x1f", 1);
            }
        } else if (p[0] == 0x1f) {
            if (n == 1) {
                held_magic = true;
                return;
            }
            if (p[1] == 0x8b) start_gzip();
            else raw = Raw::Plain;
        } else {
            raw = Raw::Plain;
        }
    }
    if (stopped || n == 0) return;
    if (raw == Raw::Plain) decoded(reinterpret_cast<const char*>(p), n);
    else inflate_bytes(p, n);
}

void InputDecoder::Impl::start_gzip() {
    is_gzip = true;
    raw = Raw::Gzip;
#ifdef FLOWLENS_HAVE_ZLIB
    // 16 + MAX_WBITS: gzip wrapper (header and CRC-32 checked), not raw deflate or zlib.
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        fail(cat({"cannot start gzip decompression: ", z.msg ? z.msg : "out of memory"}));
        return;
    }
    z_ready = true;
    zout = std::make_unique<unsigned char[]>(kInflateOut);
#else
    // Every build of ours has zlib (the wasm one compiles it from source); one without cannot
    // read gzip, and says so.
    fail("gzip input must be decompressed before it reaches the core (this build has no zlib)");
#endif
}

void InputDecoder::Impl::inflate_bytes(const uint8_t* p, size_t n) {
#ifdef FLOWLENS_HAVE_ZLIB
    while (n > 0 && !stopped) {
        // avail_in is a uInt: a chunk over 4 GiB goes in slices.
        const size_t slice = std::min<size_t>(n, size_t{1} << 30);
        z.next_in = p;
        z.avail_in = static_cast<uInt>(slice);
        p += slice;
        n -= slice;
        for (;;) {
            if (!member_open) {
                // Between members. gzip(1) accepts NUL padding after the last member (tape
                // blocks, some uploaders), so we do too; anything else must be a new member.
                while (z.avail_in > 0 && *z.next_in == 0) {
                    ++z.next_in;
                    --z.avail_in;
                    ++gz_pos;
                }
                if (z.avail_in == 0) break;
                member_open = true;
            }
            z.next_out = zout.get();
            z.avail_out = kInflateOut;
            const uInt in_before = z.avail_in;
            const int rc = inflate(&z, Z_NO_FLUSH);
            gz_pos += in_before - z.avail_in;
            const size_t produced = kInflateOut - z.avail_out;
            // Deliver what was inflated even when rc is an error: the contract promises the
            // lines before the damage.
            if (produced > 0) decoded(reinterpret_cast<const char*>(zout.get()), produced);
            if (stopped) return;
            if (rc == Z_STREAM_END) {
                // Concatenated members (`cat a.gz b.gz`, multi-part uploads) form one stream.
                member_open = false;
                inflateReset(&z);
                continue;
            }
            // Z_BUF_ERROR with input left cannot happen per zlib's docs; treating it as corrupt
            // guarantees this loop ends even if it does.
            if (rc != Z_OK && !(rc == Z_BUF_ERROR && z.avail_in == 0)) {
                flush_pending();  // a JSON error found before the damage comes first
                const std::string why = z.msg ? z.msg : cat({"zlib error ", std::to_string(rc)});
                fail(cat({"corrupt gzip data after ", with_commas(gz_pos), " bytes: ", why}));
                return;
            }
            // A full output buffer may hide more pending output: only stop once zlib had room.
            if (z.avail_in == 0 && z.avail_out != 0) break;
        }
    }
#else
    (void)p;
    (void)n;
#endif
}

// ================================================================================================
// decoded stage

void InputDecoder::Impl::decoded(const char* p, size_t n) {
    out_bytes += n;
    const char* end = p + n;
    if (!bom_done) {
        while (p < end && bom < 3 && *p == kBom[bom]) {
            ++bom;
            ++p;
        }
        if (bom == 3) {
            bom_done = true;  // dropped
        } else if (p < end) {
            bom_done = true;  // not a BOM after all: the bytes held back are content
            if (bom > 0) after_bom(kBom, kBom + bom);
        } else {
            return;  // still a possible BOM prefix: wait for the next chunk
        }
    }
    if (p < end && !stopped) after_bom(p, end);
}

void InputDecoder::Impl::after_bom(const char* p, const char* end) {
    if (format == InputFormat::Unknown) {
        // Content is told by its first non-blank byte, which may come after blank lines and in a
        // later chunk. Leading blank lines only advance the line count; the blanks of the current
        // line are kept, as they belong to the first text line. Blank as the parser reads it: a
        // line of \v or \f is binary junk there, reported wherever in the file it comes (a part
        // of a file starting with one must read as the whole file does).
        while (p < end) {
            const char c = *p;
            if (c == '\n') {
                ++line_no;
                lead.clear();
                ++p;
                continue;
            }
            if (!is_token_blank(c) || lead.size() == InputDecoder::kMaxLineBytes) break;
            lead.push_back(c);
            ++p;
        }
        if (p == end) return;
        if ((*p == '{' || *p == '[') && !mid_text) {
            format = InputFormat::CloudWatchJson;
            jpos = lead.size();  // columns count the line's indentation
            line_start = 0;
            lead.clear();
        } else {
            // Also reached with kMaxLineBytes of blanks: the text path then reports the line as
            // too long instead of this loop buffering it.
            format = InputFormat::Text;
            carry.swap(lead);
        }
    }
    if (format == InputFormat::Text) text_consume(p, end);
    else json_consume(p, end);
}

// ================================================================================================
// text mode

void InputDecoder::Impl::text_consume(const char* p, const char* end) {
    constexpr size_t kMax = InputDecoder::kMaxLineBytes;
    while (p < end) {
        if (carry.empty() && !skipping) {
            // Most lines are records the sink reads in one pass, their ends found on the way;
            // the first line it does not take (a header, a bad line, the chunk's cut line)
            // goes the usual way below, and then it tries again.
            if (lane_skip > 0) {
                --lane_skip;
            } else if (const char* taken = sink.take_lines(p, end, line_no, kMax); taken != p) {
                lane_backoff = 0;
                p = taken;
                if (p == end) return;
            } else {
                lane_skip = lane_backoff;
                lane_backoff = std::min<uint32_t>(lane_backoff * 2 + 1, 63);
            }
        }
        const char* nl = find_newline(p, end);
        if (skipping) {
            if (nl == nullptr) return;
            skipping = false;
            ++line_no;
            p = nl + 1;
            continue;
        }
        if (nl == nullptr) {
            const auto tail = static_cast<size_t>(end - p);
            if (carry.size() + tail > kMax) {
                // Report now and keep nothing: junk without newlines must not grow `carry`.
                text_too_long(carry.empty() ? std::string_view(p, tail) : std::string_view(carry));
                carry.clear();
                skipping = true;
                return;
            }
            carry.append(p, tail);
            return;
        }
        const auto len = static_cast<size_t>(nl - p);
        if (carry.empty()) {
            // The common case: the whole line is inside this chunk, no copy.
            if (len > kMax) text_too_long(std::string_view(p, len));
            else text_line(std::string_view(p, len));
        } else {
            if (carry.size() + len > kMax) {
                text_too_long(carry);
            } else {
                carry.append(p, len);
                text_line(carry);
            }
            carry.clear();  // keeps its capacity: no allocation per line
        }
        ++line_no;
        p = nl + 1;
    }
}

void InputDecoder::Impl::text_line(std::string_view s) {
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    s.remove_prefix(iso_prefix_length(s));
    sink.line(s, line_no);
}

void InputDecoder::Impl::text_too_long(std::string_view start) {
    sink.bad_line(line_no, BadLineReason::TooLong,
                  cat({"line longer than ", with_commas(InputDecoder::kMaxLineBytes), " bytes"}),
                  head(start));
}

// ================================================================================================
// JSON mode

std::string InputDecoder::Impl::expected() const {
    switch (expect) {
        case Expect::TopValue: return "a JSON value";
        case Expect::Value: return "a value";
        case Expect::ValueOrEnd: return "a value or ']'";
        case Expect::KeyOrEnd: return "a key or '}'";
        case Expect::Key: return "a key";
        case Expect::Colon: return "':'";
        case Expect::CommaOrEnd: return stack.back() == '{' ? "',' or '}'" : "',' or ']'";
    }
    return "?";
}

// `at` is the offending byte, whose line is skipped (and copied, for the example) by SkipLine.
void InputDecoder::Impl::json_error(const char* at, const std::string& what) {
    const uint64_t col = column(at);
    pending = true;
    pending_line = line_no;
    pending_detail = cat({what, " (column ", with_commas(col), ")"});
    snippet.clear();
    if (multiline) {
        // Inside a multi-line document there is no reliable point to restart at: a fresh scan
        // from the next line would misread the document's inner lines as values of their own.
        pending_fatal = cat({"malformed JSON at line ", with_commas(line_no), ", column ",
                             with_commas(col), ": ", what, "; the rest of the file was not read"});
    }
    // JSON lines (each value on one line so far): forget this line and restart at the next.
    stack.clear();
    expect = Expect::TopValue;
    lex = Lex::SkipLine;
    next_is_message = false;
    esc = 0;
    high_surrogate = 0;
    key.clear();
    msg.clear();
    lit.clear();
}

void InputDecoder::Impl::flush_pending() {
    if (!pending) return;
    pending = false;
    sink.bad_line(pending_line, BadLineReason::BadJson, pending_detail, head(snippet));
    if (!pending_fatal.empty()) fail(std::move(pending_fatal));
}

void InputDecoder::Impl::json_consume(const char* p, const char* end) {
    jchunk_base = jpos;
    jchunk_begin = p;
    jpos += static_cast<uint64_t>(end - p);
    while (p < end && !stopped) {
        switch (lex) {
            case Lex::SkipLine: {
                const auto* nl =
                    static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
                if (pending) {
                    // +4: head() then cuts at kExampleBytes on a UTF-8 boundary.
                    const size_t room = kExampleBytes + 4 - snippet.size();
                    snippet.append(p, std::min(room, static_cast<size_t>((nl ? nl : end) - p)));
                    if (nl != nullptr || snippet.size() == kExampleBytes + 4) flush_pending();
                    if (stopped) return;
                }
                if (nl == nullptr) return;
                lex = Lex::None;
                p = nl;  // the newline itself is counted below
                continue;
            }
            case Lex::String: p = json_string(p, end); continue;
            case Lex::Literal: {
                const char* q = p;
                while (q < end && is_literal_char(*q)) ++q;
                const auto n = static_cast<size_t>(q - p);
                if (lit.size() + n > kMaxLiteral) {
                    // At the first byte over the limit, wherever the chunks were cut.
                    p += kMaxLiteral - lit.size();
                    json_error(p, cat({"a number or word longer than ",
                                       std::to_string(kMaxLiteral), " bytes"}));
                    continue;
                }
                lit.append(p, n);
                p = q;
                if (p == end) return;  // the literal may go on in the next chunk
                end_literal(p);
                continue;
            }
            case Lex::None: break;
        }
        const char c = *p;
        if (c == '\n') {
            if (!stack.empty()) multiline = true;
            ++line_no;
            line_start = jchunk_base + static_cast<uint64_t>(p - jchunk_begin) + 1;
            ++p;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            ++p;
            continue;
        }
        const bool want_value =
            expect == Expect::TopValue || expect == Expect::Value || expect == Expect::ValueOrEnd;
        switch (c) {
            case '{':
            case '[':
                if (!want_value) break;
                if (stack.size() == kMaxJsonDepth) {
                    json_error(p, cat({"nested deeper than ", std::to_string(kMaxJsonDepth),
                                       " levels"}));
                    continue;
                }
                stack.push_back(c);
                next_is_message = false;  // "message": {…} is not a message, though inside may be
                expect = c == '{' ? Expect::KeyOrEnd : Expect::ValueOrEnd;
                ++p;
                continue;
            case '}':
            case ']': {
                const bool obj = c == '}';
                if (stack.empty() || stack.back() != (obj ? '{' : '[')) break;
                if (expect != Expect::CommaOrEnd &&
                    expect != (obj ? Expect::KeyOrEnd : Expect::ValueOrEnd))
                    break;
                stack.pop_back();
                after_value();
                ++p;
                continue;
            }
            case ',':
                if (expect != Expect::CommaOrEnd) break;
                expect = stack.back() == '{' ? Expect::Key : Expect::Value;
                ++p;
                continue;
            case ':':
                if (expect != Expect::Colon) break;
                expect = Expect::Value;
                ++p;
                continue;
            case '"':
                if (expect == Expect::KeyOrEnd || expect == Expect::Key) {
                    start_string(Str::Key);
                } else if (want_value) {
                    start_string(expect == Expect::Value && next_is_message ? Str::Message
                                                                            : Str::Other);
                } else {
                    break;
                }
                ++p;
                continue;
            default:
                if (want_value && is_literal_char(c)) {
                    lex = Lex::Literal;
                    lit.clear();
                    next_is_message = false;
                    continue;  // the literal branch above takes the bytes
                }
                break;
        }
        json_error(p, cat({"expected ", expected(), ", found ", describe(p, end)}));
    }
}

void InputDecoder::Impl::start_string(Str kind) {
    lex = Lex::String;
    str = kind;
    esc = 0;
    high_surrogate = 0;
    str_bad = false;
    msg_long = false;
    str_line = line_no;
    next_is_message = false;
    key.clear();
    msg.clear();
}

void InputDecoder::Impl::flush_surrogate() {
    if (high_surrogate == 0) return;
    high_surrogate = 0;
    str_out("\xEF\xBF\xBD");  // a lone high surrogate becomes U+FFFD, as WHATWG decoders do
}

void InputDecoder::Impl::str_out(std::string_view bytes) {
    if (str == Str::Other) return;
    if (str == Str::Key) {
        if (key.size() + bytes.size() > kMaxKey) key.resize(kMaxKey + 1);  // "not message"
        else key.append(bytes);
        return;
    }
    if (msg_long) return;
    if (msg.size() + bytes.size() > InputDecoder::kMaxLineBytes) {
        // Keep the head for the example (filled up the same way whatever the chunking), and
        // drop the rest without buffering it.
        msg.append(bytes.substr(0, InputDecoder::kMaxLineBytes - msg.size()));
        msg_long = true;
        return;
    }
    msg.append(bytes);
}

void InputDecoder::Impl::put_codepoint(uint32_t cp) {
    if (str == Str::Other) return;
    if (high_surrogate != 0) {
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = 0x10000 + ((high_surrogate - 0xD800) << 10) + (cp - 0xDC00);
            high_surrogate = 0;
        } else {
            flush_surrogate();
        }
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        high_surrogate = cp;
        return;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) cp = 0xFFFD;  // a lone low surrogate
    char buf[4];
    size_t n = 0;
    if (cp < 0x80) {
        buf[n++] = static_cast<char>(cp);
    } else if (cp < 0x800) {
        buf[n++] = static_cast<char>(0xC0 | (cp >> 6));
        buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        buf[n++] = static_cast<char>(0xE0 | (cp >> 12));
        buf[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        buf[n++] = static_cast<char>(0xF0 | (cp >> 18));
        buf[n++] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        buf[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    }
    str_out(std::string_view(buf, n));
}

void InputDecoder::Impl::bad_escape(std::string detail) {
    // Reported once the string ends (the string itself can still be followed): the first one.
    if (!str_bad) str_bad_detail = std::move(detail);
    str_bad = true;
}

const char* InputDecoder::Impl::json_string(const char* p, const char* end) {
    while (p < end) {
        if (esc == 0) {
            // Fast path: copy (or, for strings we do not keep, skip) the run up to the next
            // byte that needs a decision.
            const char* q = p;
            while (q < end && *q != '"' && *q != '\\' && *q != '\n') ++q;
            if (q > p) {
                if (str != Str::Other) {
                    flush_surrogate();
                    str_out(std::string_view(p, static_cast<size_t>(q - p)));
                }
                p = q;
            }
            if (p == end) return p;
            if (*p == '"') {
                end_string();
                return p + 1;
            }
            if (*p == '\n') {
                // JSON forbids a raw newline in a string; here it means a cut line. Not consumed:
                // resynchronising starts at this very newline.
                json_error(p, "the line ends inside a string");
                return p;
            }
            esc = 1;
            ++p;
            continue;
        }
        const char c = *p;
        if (esc == 1) {
            char out = 0;
            switch (c) {
                case '"': out = '"'; break;
                case '\\': out = '\\'; break;
                case '/': out = '/'; break;
                case 'b': out = '\b'; break;
                case 'f': out = '\f'; break;
                case 'n': out = '\n'; break;
                case 'r': out = '\r'; break;
                case 't': out = '\t'; break;
                case 'u':
                    esc = 2;
                    hex = 0;
                    ++p;
                    continue;
                case '\n':
                    json_error(p, "the line ends inside a string");
                    return p;
                default:
                    bad_escape(cat({"invalid escape \\", describe(p, end), " in a string"}));
                    esc = 0;
                    ++p;
                    continue;
            }
            if (str != Str::Other) {
                flush_surrogate();
                str_out(std::string_view(&out, 1));
            }
            esc = 0;
            ++p;
            continue;
        }
        const int h = hex_digit_value(c);
        if (h < 0) {
            // Not consumed: the byte may be the closing quote or a newline.
            bad_escape(cat({"\\u needs 4 hex digits, found ", describe(p, end)}));
            esc = 0;
            continue;
        }
        hex = hex * 16 + static_cast<uint32_t>(h);
        ++p;
        if (++esc == 6) {
            esc = 0;
            put_codepoint(hex);
        }
    }
    return p;
}

void InputDecoder::Impl::end_string() {
    flush_surrogate();
    lex = Lex::None;
    const std::string_view text = str == Str::Key ? std::string_view(key) : std::string_view(msg);
    if (str_bad) sink.bad_line(str_line, BadLineReason::BadJson, str_bad_detail, head(text));
    switch (str) {
        case Str::Key:
            next_is_message = !str_bad && key == "message";
            expect = Expect::Colon;
            return;
        case Str::Message:
            if (msg_long) {
                sink.bad_line(str_line, BadLineReason::TooLong,
                              cat({"message longer than ",
                                   with_commas(InputDecoder::kMaxLineBytes), " bytes"}),
                              head(msg));
            } else if (!str_bad) {
                // The message is the record line: drop a line terminator some writers include,
                // as text mode drops "\n" / "\r\n".
                std::string_view line = msg;
                if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
                if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                sink.line(line, str_line);
            }
            break;
        case Str::Other: break;
    }
    after_value();
}

void InputDecoder::Impl::end_literal(const char* p) {
    lex = Lex::None;
    if (!valid_literal(lit)) {
        json_error(p, cat({"'", head(lit, 40), "' is not a JSON value"}));
        return;
    }
    after_value();
}

void InputDecoder::Impl::json_finish() {
    if (lex == Lex::Literal) end_literal(nullptr);
    flush_pending();  // an error whose line had no newline after it
    if (stopped || lex == Lex::SkipLine) return;
    if (lex != Lex::String && stack.empty()) return;
    const std::string_view what =
        lex == Lex::String     ? "the input ends inside a string"
        : stack.back() == '{' ? "the input ends inside an object"
                              : "the input ends inside an array";
    sink.bad_line(line_no, BadLineReason::BadJson,
                  cat({what, " (column ", with_commas(column(nullptr)), ")"}), {});
    if (multiline)
        fail(cat({"the JSON document ends early at line ", with_commas(line_no),
                  " (truncated file?): ", what}));
}

// ================================================================================================

void InputDecoder::Impl::finish() {
    if (finished) return;
    finished = true;
    if (stopped) return;
    if (held_magic) {
        // A one-byte file 0x1f: not gzip after all.
        held_magic = false;
        raw = Raw::Plain;
        decoded("\x1f", 1);
    }
    flush_pending();  // a JSON error on the last line, with no newline after it
#ifdef FLOWLENS_HAVE_ZLIB
    if (!stopped && raw == Raw::Gzip && member_open) {
        // The unfinished last line is dropped, not flushed: a cut record can still parse (a
        // byte count cut from 1234 to 12) and would be silently wrong.
        fail("gzip stream ends early (truncated file?)");
        return;
    }
#endif
    if (stopped) return;
    if (!bom_done) {
        bom_done = true;
        if (bom > 0) after_bom(kBom, kBom + bom);
    }
    if (format == InputFormat::Text) {
        if (!skipping && !carry.empty()) text_line(carry);  // the last line need not end in '\n'
        carry.clear();
        skipping = false;
    } else if (format == InputFormat::CloudWatchJson) {
        json_finish();
    }
}

// ================================================================================================

InputDecoder::InputDecoder(LineSink& sink) : impl_(std::make_unique<Impl>(sink)) {}
InputDecoder::~InputDecoder() = default;

void InputDecoder::feed(std::span<const uint8_t> chunk) {
    if (chunk.empty() || impl_->finished) return;
    if (impl_->stopped) {
        impl_->in_bytes += chunk.size();  // still counted: the report shows the file's size
        return;
    }
    impl_->feed(chunk.data(), chunk.size());
}

void InputDecoder::finish() { impl_->finish(); }

std::string_view first_line_content(std::string_view s) noexcept {
    if (s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
    if (const size_t nl = s.find('\n'); nl != std::string_view::npos) s = s.substr(0, nl);
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    s.remove_prefix(iso_prefix_length(s));
    return s;
}

void InputDecoder::start_mid_text() {
    impl_->raw = Impl::Raw::Plain;
    impl_->bom_done = true;
    impl_->mid_text = true;  // still "unknown" until a non-blank byte, as for a whole file
}

bool InputDecoder::gzip() const noexcept { return impl_->is_gzip; }
InputFormat InputDecoder::format() const noexcept { return impl_->format; }
const std::string& InputDecoder::file_error() const noexcept { return impl_->error; }
uint64_t InputDecoder::bytes_in() const noexcept { return impl_->in_bytes; }
uint64_t InputDecoder::bytes_out() const noexcept { return impl_->out_bytes; }
uint64_t InputDecoder::newlines() const noexcept { return impl_->line_no - 1; }

}  // namespace flowlens
