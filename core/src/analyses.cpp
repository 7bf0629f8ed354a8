// analyses.cpp — totals, top-N, time series and reject analysis over a RowSet.
//
// Every analysis runs in one engine (Engine, below): resolve the columns once (views over the
// stored integers, per-code class tables), then one pass over the selected rows, block by
// block, that reads narrow integers and updates integer-keyed accumulators: dense arrays
// indexed by address id, dictionary code or port wherever the domain allows, hash maps
// otherwise. analyze() asks for everything at once, so the counters are decoded once for all
// of it; compute_totals(), top_n() and the others are the same engine asked for one thing.
// Strings are made only for what is printed (the top n, the scanners). Columns have adaptive
// widths (store.hpp): reading the counters is instantiated per width; other columns read
// through typed pointers or width-agnostic views.
#include "flowlens/analyses.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <memory>
#include <unordered_map>
#include <utility>

#include "analyses_internal.hpp"
#include "flowlens/text.hpp"

namespace flowlens {

// ---- small public helpers --------------------------------------------------------------------

std::string_view to_string(Metric m) noexcept {
    switch (m) {
        case Metric::Bytes: return "bytes";
        case Metric::Packets: return "packets";
        case Metric::Records: return "records";
    }
    return "bytes";
}

std::optional<Metric> parse_metric(std::string_view s) noexcept {
    s = trim(s);
    if (iequals(s, "bytes")) return Metric::Bytes;
    if (iequals(s, "packets")) return Metric::Packets;
    if (iequals(s, "records")) return Metric::Records;
    return std::nullopt;
}

namespace {

struct Civil {
    int64_t year;
    unsigned month, day, hour, minute, second;
};

// Howard Hinnant's days-to-civil: exact for every int64 day count we can meet, no libc time
// zone state (gmtime is neither thread-safe nor identical across libcs and wasm).
Civil civil(int64_t t) noexcept {
    int64_t days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        --days;
    }
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    auto doe = static_cast<unsigned>(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
    auto s = static_cast<unsigned>(secs);
    return {y, m, d, s / 3600, s / 60 % 60, s % 60};
}

}  // namespace

std::string iso_time(int64_t unix_seconds) {
    Civil c = civil(unix_seconds);
    if (c.year >= 0 && c.year <= 9999) {
        // Digit by digit rather than snprintf: every time series point writes one (and printf's
        // large engine, run that often, was compiled by V8's optimising tier in the page).
        char out[] = "0000-00-00T00:00:00Z";
        auto put = [&out](size_t at, unsigned v, size_t digits) {
            for (size_t k = digits; k-- > 0; v /= 10) out[at + k] = static_cast<char>('0' + v % 10);
        };
        put(0, static_cast<unsigned>(c.year), 4);
        put(5, c.month, 2);
        put(8, c.day, 2);
        put(11, c.hour, 2);
        put(14, c.minute, 2);
        put(17, c.second, 2);
        return std::string(out, sizeof out - 1);
    }
    char buf[48];
    int len = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02uZ", static_cast<long long>(c.year),
                            c.month, c.day, c.hour, c.minute, c.second);
    return std::string(buf, static_cast<size_t>(len > 0 ? len : 0));
}

namespace {

// ---- column access ---------------------------------------------------------------------------

// The views below are read once per row per column. GCC stops inlining them once a function
// holds a few instantiations of a row loop (one per counter width), and a call per read
// doubles a loop's time: they are forced inline.
#if defined(__GNUC__) || defined(__clang__)
#define FLOWLENS_ROW_INLINE [[gnu::always_inline]]
#define FLOWLENS_NOINLINE [[gnu::noinline]]
#else
#define FLOWLENS_ROW_INLINE
#define FLOWLENS_NOINLINE
#endif

// Action / log-status as small classes, computed once per query from the column's dictionary
// so that the row loop compares one byte instead of a string. Case-insensitive because a
// hand-built or future store may not canonicalise the words.
constexpr uint8_t kNullClass = 0;     // the row has no value
constexpr uint8_t kOtherClass = 0xFF;  // a value that is none of the words asked for
constexpr uint8_t kAccept = 1, kReject = 2;
constexpr uint8_t kOk = 1, kNoData = 2, kSkipData = 3;

struct CodeClass {
    const uint8_t* enum_codes = nullptr;  // codes one byte wide (an Enum column)
    StoredView text_codes;                // wider codes (a Text column of that name)
    std::vector<uint8_t> cls;             // class by dictionary code

    bool present() const noexcept { return enum_codes || text_codes; }
    // Whether some dictionary code is of class k (a log without NODATA records has none).
    bool has(uint8_t k) const noexcept { return std::find(cls.begin(), cls.end(), k) != cls.end(); }
    FLOWLENS_ROW_INLINE uint8_t operator()(size_t r) const noexcept {
        if (enum_codes) return cls[enum_codes[r]];
        if (text_codes) return cls[text_codes[r]];
        return kNullClass;
    }
};

CodeClass classify(const Store& store, std::string_view name, std::initializer_list<std::string_view> words) {
    CodeClass c;
    const Column* col = store.find(name);
    if (!col || (col->kind != FieldKind::Enum && col->kind != FieldKind::Text)) return c;  // missing: all null
    c.cls.assign(col->dict.size(), kOtherClass);
    c.cls[0] = kNullClass;
    for (size_t code = 1; code < col->dict.size(); ++code) {
        uint8_t k = 1;
        for (std::string_view w : words) {
            if (iequals(col->dict.value(static_cast<uint32_t>(code)), w)) {
                c.cls[code] = k;
                break;
            }
            ++k;
        }
    }
    // Enumerations have at most 255 values (the parser's rule), so one byte a row; anything
    // else reads through the width-agnostic view.
    if (col->width() == 1)
        c.enum_codes = col->stored_as<uint8_t>();
    else
        c.text_codes = col->stored_view();
    return c;
}

// A 64-bit counter stored T wide: the value, or for the rare escaped row (too wide for T) its
// value from the escape list, read by a cursor since passes visit rows in order. Null reads 0
// (the store writes 0 for null), which is the right thing for sums; so does a missing column.
template <class T>
struct CounterView {
    const T* v = nullptr;
    mutable EscapeReader escaped;
    FLOWLENS_ROW_INLINE uint64_t operator()(size_t r) const noexcept {
        if (!v) return 0;
        const T x = v[r];
        return x != std::numeric_limits<T>::max() ? x : escaped(r);
    }
};

// Calls f(CounterView<T>) for the counter column `name`, T being its stored width (uint8_t
// when missing). Every row loop reads counters, so loops are instantiated per width: a read
// stays one load, where a width-agnostic read costs registers the loop needs.
template <class F>
decltype(auto) with_counter(const Store& store, std::string_view name, F&& f) {
    const Column* col = store.find(name);
    if (!col || col->kind != FieldKind::Counter) return f(CounterView<uint8_t>{});
    const EscapeReader escaped(col->escapes());
    switch (col->width()) {
        case 1: return f(CounterView<uint8_t>{col->stored_as<uint8_t>(), escaped});
        case 2: return f(CounterView<uint16_t>{col->stored_as<uint16_t>(), escaped});
        default: return f(CounterView<uint32_t>{col->stored_as<uint32_t>(), escaped});
    }
}

// A counter at any width, read through StoredView: for the width combinations not worth a
// copy of every row loop.
struct AnyCounterView {
    StoredView v;  // the escape mark is v.mask, the width's all-ones value
    mutable EscapeReader escaped;
    FLOWLENS_ROW_INLINE uint64_t operator()(size_t r) const noexcept {
        if (!v) return 0;
        const uint32_t x = v[r];
        return x != v.mask ? x : escaped(r);
    }
};

// f(bytes, packets) with both counters' views. bytes is 4 bytes wide in practice (a flow of
// 64 KiB in a capture window is common), so the loops are instantiated for that with each
// packets width, four copies in all rather than nine; any other combination reads both
// through AnyCounterView.
template <class F>
decltype(auto) with_bytes_and_packets(const Store& store, F&& f) {
    const Column* bytes = store.find("bytes");
    if (bytes && bytes->kind == FieldKind::Counter && bytes->width() == 4) {
        const CounterView<uint32_t> typed{bytes->stored_as<uint32_t>(), EscapeReader(bytes->escapes())};
        return with_counter(store, "packets", [&](auto packets) { return f(typed, packets); });
    }
    auto any = [&](std::string_view name) {
        const Column* col = store.find(name);
        if (!col || col->kind != FieldKind::Counter) return AnyCounterView{};
        return AnyCounterView{col->stored_view(), EscapeReader(col->escapes())};
    };
    return f(any("bytes"), any("packets"));
}

// `start`: Unix seconds, 4 bytes a row (start is always a plain column: the Store stores
// only `end` relative to another). Null rows hold 0, so the null mask is consulted only for 0.
struct SecondsView {
    const uint32_t* v = nullptr;
    const NullMask* nulls = nullptr;  // when the column has a null
    FLOWLENS_ROW_INLINE bool get(size_t r, uint32_t& out) const noexcept {
        if (!v) return false;
        const uint32_t x = v[r];
        if (nulls && x == 0 && nulls->is_null(r)) return false;
        out = x;
        return true;
    }
};

SecondsView start_view(const Store& store) {
    const Column* col = store.find("start");
    if (!col || col->kind != FieldKind::Time) return {};
    return {col->stored_as<uint32_t>(), col->nulls.any() ? &col->nulls : nullptr};
}

// Any Time column (`end`): plain seconds, or the difference from its base column at the
// column's width, with escapes. Null rows hold 0. The mask is tested first, being the same for
// every row: a difference of 0 (end = start) is common, and a branch on it alone would be
// mispredicted every fifth row.
struct TimeView {
    StoredView stored;
    const uint32_t* base = nullptr;  // the base's seconds when stored holds differences
    const NullMask* nulls = nullptr;
    mutable EscapeReader escaped;
    FLOWLENS_ROW_INLINE bool get(size_t r, uint32_t& out) const noexcept {
        if (!stored) return false;
        const uint32_t x = stored[r];
        if (nulls && x == 0 && nulls->is_null(r)) return false;
        if (!base) out = x;
        else out = x != stored.mask ? base[r] + x : static_cast<uint32_t>(escaped(r));
        return true;
    }
};

TimeView time_view(const Store& store, std::string_view name) {
    const Column* col = store.find(name);
    if (!col || col->kind != FieldKind::Time) return {};
    TimeView t;
    t.stored = col->stored_view();
    t.nulls = col->nulls.any() ? &col->nulls : nullptr;
    if (const Column* b = col->base()) {
        t.base = b->stored_as<uint32_t>();  // a base is a plain Time column: 4 bytes wide
        t.escaped = EscapeReader(col->escapes());
    }
    return t;
}

// Address ids / text codes of a column (false when missing or of another kind).
StoredView ids_of(const Store& store, std::string_view name, FieldKind kind) {
    const Column* col = store.find(name);
    return col && col->kind == kind ? col->stored_view() : StoredView{};
}

// The slot count (a power of two, at least 64) that holds `expected` keys at most 70 % full: the
// starting size of both open-addressing maps below.
size_t slots_for(size_t expected) {
    size_t cap = 64;
    while (cap * 7 < expected * 10) cap *= 2;
    return cap;
}

// ---- an open-addressing hash map keyed by uint64 ---------------------------------------------
// std::unordered_map costs a node allocation per key and a pointer chase per lookup; this is
// linear probing over one array with Fibonacci hashing. Key 0 is the "empty" marker in the
// array, so a real key 0 lives in a side slot. V must be cheap to value-initialise.
template <class V>
class FlatMap {
public:
    explicit FlatMap(size_t expected = 0) { rehash(slots_for(expected)); }
    // The value for `key`, value-initialised when new. The reference is valid until the next
    // call that inserts.
    V& get(uint64_t key, bool& inserted) {
        if (key == 0) {
            inserted = !has_zero_;
            has_zero_ = true;
            return zero_;
        }
        if ((size_ + 1) * 10 > slots_.size() * 7) rehash(slots_.size() * 2);
        size_t mask = slots_.size() - 1;
        for (size_t i = slot_of(key);; i = (i + 1) & mask) {
            Slot& s = slots_[i];
            if (s.key == key) {
                inserted = false;
                return s.val;
            }
            if (s.key == 0) {
                s.key = key;
                ++size_;
                inserted = true;
                return s.val;
            }
        }
    }
    V& operator[](uint64_t key) {
        bool inserted;
        return get(key, inserted);
    }
    bool insert(uint64_t key) {
        bool inserted;
        get(key, inserted);
        return inserted;
    }
    const V* find(uint64_t key) const noexcept {
        if (key == 0) return has_zero_ ? &zero_ : nullptr;
        size_t mask = slots_.size() - 1;
        for (size_t i = slot_of(key);; i = (i + 1) & mask) {
            const Slot& s = slots_[i];
            if (s.key == key) return &s.val;
            if (s.key == 0) return nullptr;
        }
    }
    size_t size() const noexcept { return size_ + (has_zero_ ? 1 : 0); }
    template <class F>
    void for_each(F&& f) const {
        if (has_zero_) f(uint64_t{0}, zero_);
        for (const Slot& s : slots_)
            if (s.key) f(s.key, s.val);
    }

    struct Slot {
        uint64_t key = 0;
        [[no_unique_address]] V val{};
    };
    // Every (key, value), in no particular order, compacted in place: the map's own array is
    // reused rather than copied (it is the largest allocation of a high-cardinality top).
    // Leaves the map empty.
    std::vector<Slot> drain() {
        size_t w = 0;
        for (size_t i = 0; i < slots_.size(); ++i)
            if (slots_[i].key) slots_[w++] = std::move(slots_[i]);
        slots_.resize(w);
        if (has_zero_) slots_.push_back({0, std::move(zero_)});
        std::vector<Slot> out;
        out.swap(slots_);
        size_ = 0;
        has_zero_ = false;
        rehash(64);
        return out;
    }

private:
    size_t slot_of(uint64_t key) const noexcept {
        return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
    }
    void rehash(size_t cap) {
        std::vector<Slot> old(cap);
        old.swap(slots_);
        shift_ = 64 - std::countr_zero(static_cast<uint64_t>(cap));
        size_t mask = cap - 1;
        for (Slot& s : old) {
            if (!s.key) continue;
            size_t i = slot_of(s.key);
            while (slots_[i].key) i = (i + 1) & mask;
            slots_[i] = std::move(s);
        }
    }
    std::vector<Slot> slots_;
    size_t size_ = 0;
    int shift_ = 58;
    bool has_zero_ = false;
    V zero_{};
};

struct Nothing {};
using FlatSet = FlatMap<Nothing>;

// ---- top-N keys ------------------------------------------------------------------------------

// How one key field becomes a 32-bit component, 0 meaning null, so that a key of one or two
// fields packs into a uint64 (first << 32 | second).
enum class PartKind : uint8_t {
    Missing,   // the store lacks the column: every row is null
    Id,        // address id, Enum or Text code (0 = null)
    Num8,      // Small value + 1 (0 = null)
    Num16,     // Port / Flags value + 1
    Interned,  // Counter / Time: 64-bit values mapped to dense ids 1, 2, … per query
};

struct Interner {
    std::unordered_map<uint64_t, uint32_t> ids;
    std::vector<uint64_t> values;
    uint32_t id(uint64_t v) {
        auto [it, inserted] = ids.try_emplace(v, static_cast<uint32_t>(values.size() + 1));
        if (inserted) values.push_back(v);
        return it->second;
    }
};

struct Part {
    PartKind kind = PartKind::Missing;
    const Column* col = nullptr;
    const AddressTable* addresses = nullptr;  // set for address columns
    StoredView ids;
    const uint8_t* p8 = nullptr;
    const uint16_t* p16 = nullptr;
    uint64_t domain = 1;  // every component is < domain; 0 = not known before the pass
    std::unique_ptr<Interner> interner;

    FLOWLENS_ROW_INLINE uint32_t get(size_t r) const {
        switch (kind) {
            case PartKind::Missing: return 0;
            case PartKind::Id: return ids[r];
            case PartKind::Num8: {
                uint32_t v = p8[r];
                return v == 0 && col->nulls.is_null(r) ? 0 : v + 1;
            }
            case PartKind::Num16: {
                uint32_t v = p16[r];
                return v == 0 && col->nulls.is_null(r) ? 0 : v + 1;
            }
            case PartKind::Interned: return col->is_null(r) ? 0 : interner->id(col->number(r));
        }
        return 0;
    }

    std::string text(uint32_t comp) const {
        if (comp == 0) return "-";
        switch (kind) {
            case PartKind::Missing: return "-";
            case PartKind::Id:
                return addresses ? to_string(addresses->address(comp)) : std::string(col->dict.value(comp));
            case PartKind::Num8:
            case PartKind::Num16: return std::to_string(comp - 1);
            case PartKind::Interned: return std::to_string(interner->values[comp - 1]);
        }
        return "-";
    }
};

Part make_part(const Store& store, const Column* col) {
    Part p;
    p.col = col;
    if (!col) return p;
    switch (col->kind) {
        case FieldKind::Address:
        case FieldKind::Text:
        case FieldKind::Enum: {
            p.kind = PartKind::Id;
            p.ids = col->stored_view();
            if (col->kind == FieldKind::Address) {
                p.addresses = &store.addresses();
                p.domain = store.addresses().size();
            } else {
                p.domain = col->dict.size();
            }
            break;
        }
        case FieldKind::Small:
            p.kind = PartKind::Num8;
            p.p8 = col->stored_as<uint8_t>();
            p.domain = 257;
            break;
        case FieldKind::Port:
        case FieldKind::Flags:
            p.kind = PartKind::Num16;
            p.p16 = col->stored_as<uint16_t>();
            p.domain = 65537;
            break;
        case FieldKind::Counter:
        case FieldKind::Time:
            p.kind = PartKind::Interned;
            p.domain = 0;
            p.interner = std::make_unique<Interner>();
            break;
    }
    return p;
}

// Numeric address order, IPv4 before IPv6; used to print a conversation lower address first.
bool address_less(const IpAddress& a, const IpAddress& b) noexcept {
    if (a.v4 != b.v4) return a.v4;
    return a.bytes < b.bytes;
}

struct KeySpec {
    std::string key;                  // normalised: lower-case fields joined by ","
    std::vector<std::string> fields;  // one name per printed key value
    Part a, b;
    bool two = false;
    bool conversation = false;
};

const Column* find_column(const Store& store, std::string_view name) {
    if (const Column* c = store.find(name)) return c;
    for (const auto& c : store.columns())
        if (iequals(c->name, name)) return c.get();
    return nullptr;
}

std::string fields_present(const Store& store) {
    std::string s;
    for (const auto& c : store.columns()) {
        if (!s.empty()) s += ", ";
        s += c->name;
    }
    if (store.find("srcaddr") && store.find("dstaddr")) s += s.empty() ? "conversation" : ", conversation";
    return s.empty() ? "(none: no data loaded)" : s;
}

// Parses a top key. With allow_missing, a field the store lacks reads as null everywhere (the
// reject report's fixed keys); otherwise it is an error naming the fields present.
std::variant<KeySpec, std::string> parse_key(const Store& store, std::string_view key, bool allow_missing) {
    KeySpec spec;
    std::vector<std::string> names;
    std::string_view rest = key;
    for (;;) {
        size_t comma = rest.find(',');
        std::string_view part = trim(rest.substr(0, comma));
        if (part.empty())
            return "malformed top key '" + std::string(key) +
                   "': expected a field, two fields separated by a comma, or 'conversation'";
        names.push_back(to_lower(part));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    if (names.size() > 2)
        return "top key '" + std::string(key) + "' has " + std::to_string(names.size()) +
               " fields; a top key has one or two";
    for (size_t i = 0; i < names.size(); ++i) spec.key += (i ? "," : "") + names[i];

    auto resolve = [&](const std::string& name, std::string& err) -> const Column* {
        const Column* c = find_column(store, name);
        if (!c && !allow_missing) {
            err = find_field(name) ? "field '" + name + "' is not in the loaded logs"
                                   : "unknown field '" + name + "'";
            err += " in top key '" + std::string(key) + "'; fields present: " + fields_present(store);
        }
        return c;
    };

    std::string err;
    if (names.size() == 1 && names[0] == "conversation") {
        const Column* s = resolve("srcaddr", err);
        if (!err.empty()) return err;
        const Column* d = resolve("dstaddr", err);
        if (!err.empty()) return err;
        spec.a = make_part(store, s);
        spec.b = make_part(store, d);
        spec.two = spec.conversation = true;
        // Both values are "srcaddr or dstaddr": the filter language's virtual field `addr`.
        spec.fields = {"addr", "addr"};
        if ((s && s->kind != FieldKind::Address) || (d && d->kind != FieldKind::Address))
            return std::string("'conversation' needs srcaddr and dstaddr to be address columns");
        return spec;
    }
    for (const std::string& n : names)
        if (n == "conversation") return "'conversation' cannot be combined with another field in '" + std::string(key) + "'";
    const Column* c0 = resolve(names[0], err);
    if (!err.empty()) return err;
    spec.a = make_part(store, c0);
    spec.fields.push_back(c0 ? c0->name : names[0]);
    if (names.size() == 2) {
        const Column* c1 = resolve(names[1], err);
        if (!err.empty()) return err;
        spec.b = make_part(store, c1);
        spec.fields.push_back(c1 ? c1->name : names[1]);
        spec.two = true;
    }
    return spec;
}

struct Acc {
    uint64_t bytes = 0, packets = 0, records = 0;
    void add(const Acc& o) noexcept {
        bytes += o.bytes;
        packets += o.packets;
        records += o.records;
    }
};

// key = first << 32 | second; val = the counters.
using Entry = FlatMap<Acc>::Slot;

uint64_t metric_value(const Acc& a, Metric m) noexcept {
    switch (m) {
        case Metric::Bytes: return a.bytes;
        case Metric::Packets: return a.packets;
        case Metric::Records: return a.records;
    }
    return a.bytes;
}

std::vector<std::string> key_texts(const KeySpec& spec, uint64_t key) {
    auto x = static_cast<uint32_t>(key >> 32), y = static_cast<uint32_t>(key);
    if (!spec.two) return {spec.a.text(x)};
    if (spec.conversation) {
        // Ids were ordered by id to make the pair unordered; print by address order, null last.
        const AddressTable& t = *spec.a.addresses;
        bool swap = x == 0 ? y != 0 : (y != 0 && address_less(t.address(y), t.address(x)));
        if (swap) std::swap(x, y);
        return {spec.a.text(x), spec.a.text(y)};
    }
    return {spec.a.text(x), spec.b.text(y)};
}

// The number of keys other than null among a single-field top list's entries.
uint64_t non_null_keys(const std::vector<Entry>& entries) noexcept {
    uint64_t n = 0;
    for (const Entry& e : entries) n += (e.key >> 32) != 0;
    return n;
}

// A key being ranked: its metric and where its key and counters are (an index into the
// accumulator: a map's entries or a direct array).
struct Cand {
    uint64_t m;
    size_t i;
};

// The top n of `cands` by metric, ties broken by key text; `total` is the sum over all keys.
template <class KeyAt, class AccAt>
TopResult rank_by(const KeySpec& spec, std::vector<Cand>& cands, const Acc& total, Metric metric, size_t n,
                  KeyAt key_at, AccAt acc_at) {
    TopResult res;
    res.key = spec.key;
    res.fields = spec.fields;
    res.metric = metric;
    res.distinct = cands.size();

    using Keyed = std::pair<Cand, std::vector<std::string>>;
    std::vector<Keyed> chosen;
    if (cands.size() <= n) {
        chosen.reserve(cands.size());
        for (const Cand& c : cands) chosen.push_back({c, key_texts(spec, key_at(c.i))});
    } else if (n > 0) {
        // Rank on integers; only the keys tied at the cut need their text to decide who stays.
        auto nth = cands.begin() + static_cast<std::ptrdiff_t>(n - 1);
        std::nth_element(cands.begin(), nth, cands.end(), [](const Cand& l, const Cand& r) { return l.m > r.m; });
        uint64_t cut = nth->m;
        auto gt_end = std::partition(cands.begin(), cands.end(), [&](const Cand& c) { return c.m > cut; });
        auto eq_end = std::partition(gt_end, cands.end(), [&](const Cand& c) { return c.m == cut; });
        for (auto it = cands.begin(); it != gt_end; ++it) chosen.push_back({*it, key_texts(spec, key_at(it->i))});
        size_t need = n - chosen.size();  // >= 1: at most n-1 keys beat the n-th
        std::vector<Keyed> tied;
        tied.reserve(static_cast<size_t>(eq_end - gt_end));
        for (auto it = gt_end; it != eq_end; ++it) tied.push_back({*it, key_texts(spec, key_at(it->i))});
        auto mid = tied.begin() + static_cast<std::ptrdiff_t>(need);
        std::partial_sort(tied.begin(), mid, tied.end(), [](const Keyed& l, const Keyed& r) { return l.second < r.second; });
        for (auto it = tied.begin(); it != mid; ++it) chosen.push_back(std::move(*it));
    }
    std::sort(chosen.begin(), chosen.end(), [&](const Keyed& l, const Keyed& r) {
        return l.first.m != r.first.m ? l.first.m > r.first.m : l.second < r.second;
    });
    Acc in_rows;
    res.rows.reserve(chosen.size());
    for (Keyed& k : chosen) {
        const Acc& a = acc_at(k.first.i);
        in_rows.add(a);
        res.rows.push_back({std::move(k.second), a.bytes, a.packets, a.records});
    }
    res.other.bytes = total.bytes - in_rows.bytes;
    res.other.packets = total.packets - in_rows.packets;
    res.other.records = total.records - in_rows.records;
    return res;
}

TopResult rank(const KeySpec& spec, const std::vector<Entry>& entries, Metric metric, size_t n) {
    std::vector<Cand> cands;
    cands.reserve(entries.size());
    Acc total;
    for (size_t i = 0; i < entries.size(); ++i) {
        total.add(entries[i].val);
        cands.push_back({metric_value(entries[i].val, metric), i});
    }
    return rank_by(
        spec, cands, total, metric, n, [&](size_t i) { return entries[i].key; },
        [&](size_t i) -> const Acc& { return entries[i].val; });
}

// ---- explanations ----------------------------------------------------------------------------

std::string grouped(uint64_t v) {  // 1234567 -> "1,234,567"
    std::string digits = std::to_string(v), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return out;
}

std::string plural(uint64_t n, std::string_view one, std::string_view many) {
    return grouped(n) + " " + std::string(n == 1 ? one : many);
}

std::string two_digits(unsigned v) {
    return std::string{static_cast<char>('0' + v / 10 % 10), static_cast<char>('0' + v % 10)};
}

std::string date_text(const Civil& c) {
    std::string y = std::to_string(c.year);
    return y + "-" + two_digits(c.month) + "-" + two_digits(c.day);
}

std::string hm_text(const Civil& c) { return two_digits(c.hour) + ":" + two_digits(c.minute); }

// " between 2014-12-14 10:00 and 10:05 UTC", " at … UTC", or "" without times.
std::string time_range_text(std::optional<uint32_t> first, std::optional<uint32_t> last) {
    if (!first) return "";
    Civil a = civil(*first), b = civil(last ? *last : *first);
    bool same_day = a.year == b.year && a.month == b.month && a.day == b.day;
    if (same_day && a.hour == b.hour && a.minute == b.minute) return " at " + date_text(a) + " " + hm_text(a) + " UTC";
    return " between " + date_text(a) + " " + hm_text(a) + " and " + (same_day ? "" : date_text(b) + " ") +
           hm_text(b) + " UTC";
}

std::string port_list(const std::vector<uint16_t>& ports, size_t max) {
    std::string s;
    for (size_t i = 0; i < ports.size() && i < max; ++i) s += (i ? ", " : "") + std::to_string(ports[i]);
    if (ports.size() > max) s += ", …";
    return s;
}

// Rejected records that go from a well-known port to an ephemeral one look like a server's
// replies, not probes: a stateless network ACL without an outbound rule for ports 1024-65535
// rejects every reply, and the server then "hits" many ports of many hosts.
struct ReplyShape {
    uint64_t records = 0;  // rejected records from a port below 1024 to a port 1024 or above
    uint16_t port = 0;     // the source port of the first of them
    bool mixed = false;    // not all from that port
};

std::string explain(const Scanner& s, bool port_scan, bool host_sweep, bool internal,
                    const std::vector<uint16_t>& accepted_ports, ReplyShape replies) {
    std::string t = s.source + " was rejected ";
    std::string when = time_range_text(s.first_seen, s.last_seen);
    if (replies.records * 2 > s.rejected_records) {
        t += "on " + plural(s.distinct_ports, "different destination port", "different destination ports") + " of " +
             plural(s.distinct_hosts, "host", "hosts") + when + ", but " + grouped(replies.records) + " of its " +
             plural(s.rejected_records, "rejected record", "rejected records") + " go from " +
             (replies.mixed ? "ports below 1024 (such as " + std::to_string(replies.port) + ")"
                            : "port " + std::to_string(replies.port)) +
             " to ports 1024 and above: they look like " +
             "replies blocked by a network ACL (stateless: replies need an outbound rule for ports 1024-65535) " +
             "rather than a scan.";
        if (s.accepted_records > 0)
            t += " " + plural(s.accepted_records, "flow", "flows") + " from it " +
                 (s.accepted_records == 1 ? "was" : "were") + " accepted.";
        return t;
    }
    if (port_scan && host_sweep) {
        t += "on " + plural(s.distinct_ports, "different destination port", "different destination ports") +
             " across " + plural(s.distinct_hosts, "host", "different hosts") + when +
             ": this looks like a port scan and a host sweep.";
    } else if (port_scan) {
        t += "on " + plural(s.distinct_ports, "different destination port", "different destination ports") + " of " +
             plural(s.distinct_hosts, "host", "hosts") + when + ": this looks like a port scan.";
    } else {
        t += "by " + plural(s.distinct_hosts, "different destination address", "different destination addresses") +
             " on " + plural(s.distinct_ports, "port", "ports");
        if (s.distinct_ports > 0 && s.distinct_ports <= 3) t += " (" + port_list(s.sample_ports, 3) + ")";
        t += when + ": this looks like a host sweep.";
    }
    t += " " + plural(s.rejected_records, "record was", "records were") + " rejected.";
    if (internal)
        t += " The source is a private address: the scan comes from inside the network, so that host deserves a look.";
    if (s.accepted_records > 0) {
        t += " " + plural(s.accepted_records, "flow", "flows") + " from it " + (s.accepted_records == 1 ? "was" : "were") +
             " accepted";
        if (!accepted_ports.empty())
            t += std::string(accepted_ports.size() == 1 ? " (destination port " : " (destination ports ") +
                 port_list(accepted_ports, 5) + ")";
        t += ": check what answered.";
    } else {
        t += " None of its flows were accepted.";
    }
    return t;
}


// ---- a hash map from integer keys to counters, keys apart from values ----------------------
// A top list's map of high-cardinality keys (conversations). Probing reads only the slots
// (a key and the index of its counters: 8 bytes for 32-bit keys), so probe chains stay in
// cache; the counters are packed in order of arrival, dense, touched once per update with
// nothing waiting on them, and never moved when the slots grow. Key 0 lives in a side slot.
// K = uint32_t halves the slots for keys known to fit (two 16-bit ids).
template <class K>
class AccMap {
public:
    explicit AccMap(size_t expected = 0) {
        resize(slots_for(expected));
        vals_.reserve(expected / 2);
    }
    FLOWLENS_ROW_INLINE Acc& operator[](K key) {
        if (key == 0) {
            has_zero_ = true;
            return zero_;
        }
        if ((vals_.size() + 1) * 10 > slots_.size() * 7) [[unlikely]]
            grow();
        const size_t mask = slots_.size() - 1;
        for (size_t i = slot_of(key);; i = (i + 1) & mask) {
            Slot& s = slots_[i];
            if (s.key == key) return vals_[s.index];
            if (s.key == 0) {
                s.key = key;
                s.index = static_cast<uint32_t>(vals_.size());
                vals_.emplace_back();
                return vals_.back();
            }
        }
    }
    // Every (to_key(key), counters), in no particular order. Leaves the map empty.
    template <class ToKey>
    std::vector<Entry> drain(ToKey to_key) {
        std::vector<Entry> out;
        out.reserve(vals_.size() + 1);
        if (has_zero_) out.push_back({to_key(K{0}), zero_});
        for (const Slot& s : slots_)
            if (s.key) out.push_back({to_key(s.key), vals_[s.index]});
        *this = AccMap();
        return out;
    }

private:
    struct Slot {
        K key = 0;  // 0 = empty
        uint32_t index = 0;
    };
    size_t slot_of(K key) const noexcept {
        return static_cast<size_t>((uint64_t{key} * 0x9E3779B97F4A7C15ull) >> shift_);
    }
    void resize(size_t cap) {
        slots_.assign(cap, Slot{});
        shift_ = 64 - std::countr_zero(static_cast<uint64_t>(cap));
    }
    FLOWLENS_NOINLINE void grow() {
        std::vector<Slot> old;
        old.swap(slots_);
        resize(old.size() * 2);
        const size_t mask = slots_.size() - 1;
        for (const Slot& s : old) {
            if (!s.key) continue;
            size_t i = slot_of(s.key);
            while (slots_[i].key) i = (i + 1) & mask;
            slots_[i] = s;
        }
    }
    std::vector<Slot> slots_;
    std::vector<Acc> vals_;  // by order of arrival
    int shift_ = 58;
    bool has_zero_ = false;
    Acc zero_;
};

// ---- the engine: every analysis in one pass -------------------------------------------------
//
// The selected rows are taken in blocks of up to kBlock: their row numbers, counters and
// action class are read once into small arrays, then each accumulator (totals, time series,
// every top list, the rejected rows' list) runs its own tight loop over the block. So a row's
// bytes and packets are decoded once for all analyses, each loop is specialised for its key's
// storage (no per-row switch on kinds or widths), and the block stays in L1 between loops.
// Rejected rows are copied out with their counters; the reject lists and scanners then run
// over that short list instead of over the whole selection again.

constexpr size_t kBlock = 1024;

// A run of rows in increasing order with their counters.
struct RowRun {
    const uint32_t* row = nullptr;
    const uint64_t* bytes = nullptr;
    const uint64_t* packets = nullptr;
    size_t n = 0;
};

struct Block {
    size_t n = 0;
    std::array<uint32_t, kBlock> row;
    std::array<uint64_t, kBlock> bytes, packets;
    std::array<uint8_t, kBlock> act;
    RowRun run() const noexcept { return {row.data(), bytes.data(), packets.data(), n}; }
};

// Puts the row numbers of the next selected rows into blk (blk.n of them, at most kBlock), in
// increasing order, from word `i` of the selection on; returns the word to go on from. Whole
// 64-row words are copied without bit scanning. Called per block rather than looping over the
// whole selection: in the browser a function is first run by a baseline compiler and replaced
// by optimised code only from its next call on, so the hot loops live in functions called
// thousands of times.
FLOWLENS_NOINLINE size_t gather(const std::vector<uint64_t>& words, size_t i, Block& blk) noexcept {
    size_t n = 0;
    for (; i < words.size() && n <= kBlock - 64; ++i) {
        uint64_t w = words[i];
        if (!w) continue;
        const auto base = static_cast<uint32_t>(i * 64);
        if (w == ~uint64_t{0}) {
            for (uint32_t k = 0; k < 64; ++k) blk.row[n + k] = base + k;
            n += 64;
        } else {
            while (w) {
                blk.row[n++] = base + static_cast<uint32_t>(std::countr_zero(w));
                w &= w - 1;
            }
        }
    }
    blk.n = n;
    return i;
}

// The counters of a block's rows.
template <class BytesView, class PacketsView>
FLOWLENS_NOINLINE void fill_counters(Block& b, BytesView& bytes, PacketsView& packets) noexcept {
    for (size_t i = 0; i < b.n; ++i) {
        const uint32_t r = b.row[i];
        b.bytes[i] = bytes(r);
        b.packets[i] = packets(r);
    }
}

// One top list being accumulated. The loop is chosen once, by the key's storage: a direct array
// indexed by an address id / dictionary code / port / small number at its stored width, the
// conversation (both address ids; a direct array or the hash map), or the generic path through
// Part::get for everything else (two fields, counters and times as keys, large domains).
class TopTask {
public:
    TopTask(KeySpec s, size_t selected) : spec(std::move(s)) {
        const Part& a = spec.a;
        const Part& b = spec.b;
        const uint64_t da = a.domain;
        db_ = spec.two ? b.domain : 1;
        // A direct array when the key's domain is small next to the selection (ports, protocols,
        // the address table when most rows are selected); otherwise the hash map.
        const uint64_t limit = std::max<uint64_t>(uint64_t{1} << 17, 2 * uint64_t{selected});
        direct_ = da != 0 && db_ != 0 && da <= limit / db_;
        if (direct_)
            dense_.assign(static_cast<size_t>(da * db_), Acc{});
        else
            map_ = AccMap<uint64_t>(std::min<size_t>(selected, kMapStart));
        mode_ = Mode::Generic;
        if (!spec.two && direct_) {
            if (a.kind == PartKind::Id) {
                switch (a.col->width()) {
                    case 1: mode_ = Mode::Id8; break;
                    case 2: mode_ = Mode::Id16; break;
                    default: mode_ = Mode::Id32; break;
                }
            } else if (a.kind == PartKind::Num8) {
                mode_ = Mode::Num8;
            } else if (a.kind == PartKind::Num16) {
                mode_ = Mode::Num16;
            }
            // A handful of keys (protocols, accounts, actions) takes most rows, so consecutive
            // rows update the same counters: four copies, one per row mod 4, break that chain of
            // dependent updates; they are summed at the end.
            if (mode_ == Mode::Id8 || mode_ == Mode::Num8) {
                lanes_ = kLanes;
                dense_.assign(static_cast<size_t>(da) * kLanes, Acc{});
            }
        } else if (spec.conversation && a.kind == PartKind::Id && b.kind == PartKind::Id) {
            mode_ = direct_ ? Mode::ConvDirect : Mode::ConvMap;
            // Both ids below 2^16: the pair packs in 32 bits.
            if (!direct_ && a.domain <= 0x10000 && b.domain <= 0x10000) {
                mode_ = Mode::ConvMap32;
                map_ = AccMap<uint64_t>();
                map32_ = AccMap<uint32_t>(std::min<size_t>(selected, kMapStart));
            }
        }
    }

    FLOWLENS_NOINLINE void add(const RowRun& run) {
        const Part& a = spec.a;
        switch (mode_) {
            case Mode::Id8: add_direct(run, [p = a.col->stored_as<uint8_t>()](uint32_t r) { return size_t{p[r]}; }); break;
            case Mode::Id16: add_direct(run, [p = a.col->stored_as<uint16_t>()](uint32_t r) { return size_t{p[r]}; }); break;
            case Mode::Id32: add_direct(run, [p = a.col->stored_as<uint32_t>()](uint32_t r) { return size_t{p[r]}; }); break;
            case Mode::Num8:
                add_direct(run, [p = a.p8, nulls = &a.col->nulls](uint32_t r) {
                    const size_t v = p[r];
                    return v == 0 && nulls->is_null(r) ? 0 : v + 1;
                });
                break;
            case Mode::Num16:
                add_direct(run, [p = a.p16, nulls = &a.col->nulls](uint32_t r) {
                    const size_t v = p[r];
                    return v == 0 && nulls->is_null(r) ? 0 : v + 1;
                });
                break;
            case Mode::ConvDirect: {
                const StoredView x = spec.a.ids, y = spec.b.ids;
                const uint64_t db = db_;
                add_direct(run, [x, y, db](uint32_t r) {
                    uint32_t u = x[r], v = y[r];
                    if (v < u) std::swap(u, v);
                    return static_cast<size_t>(u * db + v);
                });
                break;
            }
            case Mode::ConvMap: add_conv_map(run, map_, 32); break;
            case Mode::ConvMap32: add_conv_map(run, map32_, 16); break;
            case Mode::Generic: add_generic(run); break;
        }
    }

    // The ranked top list; `non_null` gets the number of keys whose first value is not null.
    // Can be asked again, by another metric: when every selected row was rejected, the reject
    // report ranks the counts of the main lists by records instead of counting again.
    TopResult result(Metric metric, size_t n, uint64_t& non_null) {
        settle();
        if (direct_) {
            // Ranked in place: only the keys printed (and tied at the cut) are copied out.
            std::vector<Cand> cands;
            Acc total;
            const Acc* acc = dense_.data();
            for (size_t i = 0; i < dense_.size(); ++i) {
                if (!acc[i].records) continue;
                total.add(acc[i]);
                cands.push_back({metric_value(acc[i], metric), i});
            }
            const uint64_t db = db_;
            non_null = 0;
            for (const Cand& c : cands) non_null += c.i >= db;
            return rank_by(
                spec, cands, total, metric, n, [db](size_t i) { return (uint64_t{i / db} << 32) | (i % db); },
                [acc](size_t i) -> const Acc& { return acc[i]; });
        }
        non_null = non_null_keys(entries_);
        return rank(spec, entries_, metric, n);
    }

    KeySpec spec;

private:
    enum class Mode : uint8_t { Id8, Id16, Id32, Num8, Num16, ConvDirect, ConvMap, ConvMap32, Generic };

    // One count per key from what the pass left in parts (lanes, the map and the pending run),
    // once: direct counts stay in dense_, the map's go to entries_.
    void settle() {
        if (settled_) return;
        settled_ = true;
        if (lanes_ > 1) {
            for (size_t k = 0; k < dense_.size() / lanes_; ++k) {
                Acc sum = dense_[k * lanes_];
                for (size_t l = 1; l < lanes_; ++l) sum.add(dense_[k * lanes_ + l]);
                dense_[k] = sum;
            }
            dense_.resize(dense_.size() / lanes_);
            lanes_ = 1;
        }
        if (direct_) return;
        if (mode_ == Mode::ConvMap32) {
            if (last_.acc.records) map32_[static_cast<uint32_t>(last_.key)].add(last_.acc);
            entries_ = map32_.drain([](uint32_t k) { return (uint64_t{k >> 16} << 32) | (k & 0xFFFF); });
        } else {
            if (last_.acc.records) map_[last_.key].add(last_.acc);
            entries_ = map_.drain([](uint64_t k) { return k; });
        }
        last_ = Run{};
    }

    template <class KeyOf>
    void add_direct(const RowRun& run, KeyOf key) {
        Acc* acc = dense_.data();
        size_t i = 0;
        if (lanes_ == kLanes) {
            for (; i + kLanes <= run.n; i += kLanes) {
                for (size_t l = 0; l < kLanes; ++l) {
                    Acc& e = acc[key(run.row[i + l]) * kLanes + l];
                    e.bytes += run.bytes[i + l];
                    e.packets += run.packets[i + l];
                    ++e.records;
                }
            }
            for (; i < run.n; ++i) {
                Acc& e = acc[key(run.row[i]) * kLanes];
                e.bytes += run.bytes[i];
                e.packets += run.packets[i];
                ++e.records;
            }
            return;
        }
        for (; i < run.n; ++i) {
            Acc& e = acc[key(run.row[i])];
            e.bytes += run.bytes[i];
            e.packets += run.packets[i];
            ++e.records;
        }
    }

    // Records of one conversation often come together (a flow's two directions are logged
    // side by side): consecutive rows with the same key are summed first, without a branch,
    // and only each run's sum goes into the hash map. The last run stays pending, since the
    // next block may continue it.
    template <class K>
    void add_conv_map(const RowRun& run, AccMap<K>& map, unsigned shift) {
        const StoredView x = spec.a.ids, y = spec.b.ids;
        if (runs_.size() < run.n + 1) runs_.resize(run.n + 1);
        Run* out = runs_.data();
        uint64_t prev = last_.key;
        uint64_t b = last_.acc.bytes, p = last_.acc.packets, n = last_.acc.records;
        size_t j = 0;
        for (size_t i = 0; i < run.n; ++i) {
            const uint32_t r = run.row[i];
            uint64_t u = x[r], v = y[r];
            const uint64_t lo = std::min(u, v), hi = std::max(u, v);
            const uint64_t key = (lo << shift) | hi;
            const uint64_t same = key == prev;
            out[j] = {prev, {b, p, n}};  // the run so far: final when the next row starts another
            j += 1 - same;
            const uint64_t keep = 0 - same;
            b = (b & keep) + run.bytes[i];
            p = (p & keep) + run.packets[i];
            n = (n & keep) + 1;
            prev = key;
        }
        for (size_t k = 0; k < j; ++k)
            if (out[k].acc.records) map[static_cast<K>(out[k].key)].add(out[k].acc);
        last_ = {prev, {b, p, n}};
    }

    void add_generic(const RowRun& run) {
        const Part& a = spec.a;
        const Part& b = spec.b;
        const bool two = spec.two, conv = spec.conversation;
        for (size_t i = 0; i < run.n; ++i) {
            const uint32_t r = run.row[i];
            uint64_t x = a.get(r), y = two ? b.get(r) : 0;
            if (conv && y < x) std::swap(x, y);
            Acc& e = direct_ ? dense_[static_cast<size_t>(x * db_ + y)] : map_[(x << 32) | y];
            e.bytes += run.bytes[i];
            e.packets += run.packets[i];
            ++e.records;
        }
    }

    static constexpr size_t kLanes = 4;
    // A map starts small and doubles (only its slots move): a sparse table costs cache.
    static constexpr size_t kMapStart = 4096;
    Mode mode_ = Mode::Generic;
    size_t lanes_ = 1;  // copies of each key's counters in dense_ (add_direct)
    bool direct_ = false;
    uint64_t db_ = 1;
    std::vector<Acc> dense_;
    AccMap<uint64_t> map_;
    AccMap<uint32_t> map32_;
    struct Run {
        uint64_t key = 0;
        Acc acc;
    };
    std::vector<Run> runs_;  // add_conv_map's runs of one block
    Run last_;               // and the pending one
    std::vector<Entry> entries_;  // the map's counts, once settled
    bool settled_ = false;
};

// ---- time series helpers ----

constexpr uint32_t kBucketChoices[] = {1,    5,     10,    30,    60,    300,   600,   900,
                                       1800, 3600,  10800, 21600, 43200, 86400, 604800};
constexpr uint64_t kAutoMaxBuckets = 500;
constexpr uint64_t kExplicitMaxBuckets = 100000;

uint64_t bucket_count(uint32_t lo, uint32_t hi, uint64_t b) noexcept { return hi / b - lo / b + 1; }

struct StartRange {
    uint32_t lo = std::numeric_limits<uint32_t>::max(), hi = 0;
    bool any = false;
};

// The smallest and largest `start` among the selected rows: the time series' range, known
// before the main pass so that it can place rows straight into their buckets. Words [from, to)
// of the selection into sr (in chunks: see gather()).
FLOWLENS_NOINLINE void start_range_of(const SecondsView& start, const std::vector<uint64_t>& words, size_t from,
                                      size_t to, StartRange& sr) noexcept {
    uint32_t lo = sr.lo, hi = sr.hi;
    bool any = sr.any;
    for (size_t i = from; i < to; ++i) {
        uint64_t w = words[i];
        if (!w) continue;
        if (w == ~uint64_t{0} && !start.nulls) {
            const uint32_t* p = start.v + i * 64;
            for (size_t k = 0; k < 64; ++k) {
                lo = std::min(lo, p[k]);
                hi = std::max(hi, p[k]);
            }
            any = true;
            continue;
        }
        while (w) {
            const size_t r = i * 64 + static_cast<size_t>(std::countr_zero(w));
            w &= w - 1;
            uint32_t v;
            if (start.get(r, v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
                any = true;
            }
        }
    }
    sr.lo = lo;
    sr.hi = hi;
    sr.any = any;
}

StartRange start_range(const SecondsView& start, const RowSet& rows) {
    StartRange sr;
    if (!start.v) return sr;
    const std::vector<uint64_t>& words = rows.words();
    for (size_t i = 0; i < words.size(); i += 256) start_range_of(start, words, i, std::min(words.size(), i + 256), sr);
    return sr;
}

// The bucket width and the (empty) points for [lo, hi]; see time_series() in analyses.hpp.
TimeSeries series_frame(const StartRange& sr, uint32_t bucket_seconds) {
    TimeSeries ts;
    uint64_t b = bucket_seconds;
    if (!sr.any) {
        ts.bucket_seconds = bucket_seconds ? bucket_seconds : kBucketChoices[0];
        return ts;
    }
    const uint32_t lo = sr.lo, hi = sr.hi;
    if (b == 0) {
        b = 0;
        for (uint32_t c : kBucketChoices)
            if (bucket_count(lo, hi, c) <= kAutoMaxBuckets) {
                b = c;
                break;
            }
        // Beyond ~10 years: whole weeks.
        for (uint64_t k = 2; b == 0; ++k)
            if (bucket_count(lo, hi, 604800 * k) <= kAutoMaxBuckets) b = 604800 * k;
    } else if (bucket_count(lo, hi, b) > kExplicitMaxBuckets) {
        // A bucket asked for that would make millions of points (1 s over a month) is widened to
        // the smallest multiple that fits, rather than exhausting memory; bucket_seconds says so.
        uint64_t k = (uint64_t{hi} - lo) / (b * (kExplicitMaxBuckets - 1)) + 1;
        while (bucket_count(lo, hi, b * k) > kExplicitMaxBuckets) ++k;
        b *= k;
    }
    // b <= 2^32 here except for absurd explicit requests that were widened; clamp keeps the
    // uint32 field honest (a single bucket then covers everything).
    if (b > std::numeric_limits<uint32_t>::max()) b = std::numeric_limits<uint32_t>::max();
    ts.bucket_seconds = static_cast<uint32_t>(b);
    const uint32_t b32 = ts.bucket_seconds;
    const uint32_t first_bucket = lo / b32;
    ts.points.resize(size_t{hi / b32 - first_bucket} + 1);
    for (size_t i = 0; i < ts.points.size(); ++i)
        ts.points[i].start = static_cast<int64_t>((uint64_t{first_bucket} + i) * b32);
    return ts;
}

// ---- the plan ----

struct Outcome;

struct Plan {
    bool totals = false;
    bool nodata = false;  // NODATA records by interface (needs totals)
    std::vector<KeySpec> tops;
    Metric metric = Metric::Bytes;
    size_t n = 10;
    bool series = false;
    uint32_t bucket_seconds = 0;
    bool rejects = false;
    ScanThresholds thresholds;
    std::function<void(const Outcome&)> before_rejects;  // see AnalysisOptions::before_rejects
    RejectMemo* memo = nullptr;                          // see AnalysisOptions::reject_memo
};

struct Outcome {
    Totals totals;
    TopResult nodata_by_interface;
    std::vector<TopResult> tops;
    TimeSeries series;
    RejectReport rejects;
};

// Rows of the selection copied out with their counters (the rejected ones, the NODATA ones).
struct RowList {
    std::vector<uint32_t> row;
    std::vector<uint64_t> bytes, packets;
    RowRun run() const noexcept { return {row.data(), bytes.data(), packets.data(), row.size()}; }
};

// A scanner as found among the rejected rows: all but what the rest of the selection adds (its
// accepted records, and so its explanation). What a RejectMemo keeps of the scanners.
struct ScannerDraft {
    Scanner scanner;
    uint32_t source = 0;  // address id
    bool port_scan = false, host_sweep = false;
    ReplyShape replies;
};
std::vector<ScannerDraft> find_scanners(const Store& store, const RowList& rej, ScanThresholds thresholds);
void finish_scanners(const Store& store, const RowSet& rows, const CodeClass& action,
                     const std::vector<ScannerDraft>& drafts, bool all_rejected, std::vector<Scanner>& out);

}  // namespace

// ---- reject reports kept by their rejected rows (RejectMemo) ------------------------------------

struct RejectMemo::Entry {
    const Store* store = nullptr;
    size_t store_rows = 0;
    size_t n = 0;
    size_t count = 0;            // rejected rows
    std::vector<uint64_t> bits;  // which rows
    RejectReport report;         // without its scanners: those are finished per selection
    std::vector<ScannerDraft> drafts;
};

RejectMemo::RejectMemo() = default;
RejectMemo::~RejectMemo() = default;
void RejectMemo::clear() noexcept {
    entries_.clear();
    hits_ = 0;
}
size_t RejectMemo::size() const noexcept { return entries_.size(); }
uint64_t RejectMemo::hits() const noexcept { return hits_; }

struct RejectMemoAccess {
    // The report made from exactly these rejected rows (in increasing order), or nullptr.
    static const RejectMemo::Entry* find(RejectMemo* memo, const Store& store, const std::vector<uint32_t>& rows,
                                         size_t n, ScanThresholds thresholds) {
        if (!memo) return nullptr;
        auto& entries = memo->entries_;
        for (size_t k = entries.size(); k-- > 0;) {
            const RejectMemo::Entry& e = *entries[k];
            const ScanThresholds& kept = e.report.thresholds;  // as the report was made with
            if (e.store != &store || e.store_rows != store.rows() || e.n != n || e.count != rows.size() ||
                kept.min_ports != thresholds.min_ports || kept.min_hosts != thresholds.min_hosts)
                continue;
            // As many rows, all of them in the set: the same set.
            const uint64_t* bits = e.bits.data();
            if (!std::all_of(rows.begin(), rows.end(), [&](uint32_t r) { return (bits[r >> 6] >> (r & 63)) & 1u; }))
                continue;
            std::rotate(entries.begin() + static_cast<std::ptrdiff_t>(k), entries.begin() + static_cast<std::ptrdiff_t>(k) + 1,
                        entries.end());
            ++memo->hits_;
            return entries.back().get();
        }
        return nullptr;
    }

    // Keeps `report` (but its scanners) and `drafts` (moved from) as made from `rows`, the oldest
    // report going when kEntries are kept; returns the entry, or nullptr without a memo.
    static const RejectMemo::Entry* keep(RejectMemo* memo, const Store& store, const std::vector<uint32_t>& rows,
                                         size_t n, const RejectReport& report, std::vector<ScannerDraft>& drafts) {
        if (!memo) return nullptr;
        auto e = std::make_unique<RejectMemo::Entry>();
        e->store = &store;
        e->store_rows = store.rows();
        e->n = n;
        e->count = rows.size();
        e->bits.assign(store.rows() / 64 + 1, 0);
        for (uint32_t r : rows) e->bits[r >> 6] |= uint64_t{1} << (r & 63);
        e->report = report;
        e->report.scanners.clear();
        e->drafts = std::move(drafts);
        auto& entries = memo->entries_;
        if (entries.size() >= RejectMemo::kEntries) entries.erase(entries.begin());
        entries.push_back(std::move(e));
        return entries.back().get();
    }
};

namespace {

// A server's reply, by its ports: from a well-known port (below 1024, and not null: a null reads
// 0) to an ephemeral one (1024 and up, so not null). Both the reject report's replies and the
// scanner check's ReplyShape ask this of a row.
bool reply_ports(uint16_t sport, uint16_t dport, const NullMask& sport_nulls, size_t row) noexcept {
    return dport >= 1024 && sport < 1024 && (sport != 0 || !sport_nulls.is_null(row));
}

// The rejected TCP and UDP rows whose ports look like a reply's (reply_ports): what a server's
// replies look like when a stateless network ACL has no outbound rule for ports 1024-65535.
RowList reply_rows(const Store& store, const RowList& rej) {
    RowList out;
    const Column* sport_col = store.find("srcport");
    const Column* dport_col = store.find("dstport");
    const Column* proto_col = store.find("protocol");
    if (!sport_col || sport_col->kind != FieldKind::Port || !dport_col || dport_col->kind != FieldKind::Port ||
        !proto_col || proto_col->kind != FieldKind::Small)
        return out;
    const uint16_t* sports = sport_col->stored_as<uint16_t>();
    const uint16_t* dports = dport_col->stored_as<uint16_t>();
    const StoredView protos = proto_col->stored_view();  // null reads 0, neither TCP nor UDP
    for (size_t i = 0; i < rej.row.size(); ++i) {
        const uint32_t r = rej.row[i];
        const uint32_t proto = protos[r];
        if ((proto != 6 && proto != 17) || !reply_ports(sports[r], dports[r], sport_col->nulls, r)) continue;
        out.row.push_back(r);
        out.bytes.push_back(rej.bytes[i]);
        out.packets.push_back(rej.packets[i]);
    }
    return out;
}

// Per-row classes of a block: cls[code] of each row's action / log-status.
void classes_of(const CodeClass& c, const uint32_t* row, size_t n, uint8_t* out) noexcept {
    const uint8_t* cls = c.cls.data();
    if (const uint8_t* codes = c.enum_codes) {
        for (size_t i = 0; i < n; ++i) out[i] = cls[codes[row[i]]];
    } else if (const StoredView v = c.text_codes) {
        for (size_t i = 0; i < n; ++i) out[i] = cls[v[row[i]]];
    } else {
        std::memset(out, kNullClass, n);
    }
}

// Totals' counts over blocks: branch-free, in locals.
struct TotalsPass {
    uint64_t records = 0, bytes = 0, packets = 0;
    uint64_t accepted_records = 0, accepted_bytes = 0, rejected_records = 0, rejected_bytes = 0;
    uint64_t ok_records = 0, nodata_records = 0, skipdata_records = 0;

    // `counters`: false when a time series counts the block's bytes, packets and classes anyway
    // (Engine::run takes those from SeriesPass::by_class at the end), which saves the first
    // loop: about 5 % of an unfiltered analysis in wasm.
    void add(const Block& b, const uint8_t* st, bool counters) noexcept {
        // Two loops with few accumulators each: they stay in registers (in wasm too).
        uint64_t by = 0, pk = 0, ar = 0, ab = 0, rr = 0, rb = 0;
        for (size_t i = 0; counters && i < b.n; ++i) {
            const uint64_t x = b.bytes[i];
            const uint8_t act = b.act[i];
            const uint64_t is_a = act == kAccept, is_r = act == kReject;
            by += x;
            pk += b.packets[i];
            ar += is_a;
            ab += x & (0 - is_a);
            rr += is_r;
            rb += x & (0 - is_r);
        }
        uint64_t ok = 0, nd = 0, sd = 0;
        for (size_t i = 0; i < b.n; ++i) {
            const uint8_t act = b.act[i], s = st[i];
            // OK, or no log-status at all but an action (custom formats without log-status).
            ok += static_cast<uint64_t>((s == kOk) | ((s == kNullClass) & (act != kNullClass)));
            nd += s == kNoData;
            sd += s == kSkipData;
        }
        records += b.n;
        bytes += by;
        packets += pk;
        accepted_records += ar;
        accepted_bytes += ab;
        rejected_records += rr;
        rejected_bytes += rb;
        ok_records += ok;
        nodata_records += nd;
        skipdata_records += sd;
    }
};

// The number of distinct non-zero ids in column `ids` among the selected rows, when no top list
// already counts them: a byte per id, set without reading it back (a bitmap's read-modify-write
// chains consecutive rows with ids in the same word); a bitmap when the domain is large next to
// the selection.
struct SeenIds {
    StoredView ids;
    std::vector<uint8_t> bytes;
    std::vector<uint64_t> bits;
    void init(StoredView v, size_t domain, size_t selected) {
        ids = v;
        if (!v) return;
        if (domain <= std::max<size_t>(size_t{1} << 16, 4 * selected))
            bytes.assign(domain + 1, 0);
        else
            bits.assign(domain / 64 + 1, 0);
    }
    void add(const Block& b) noexcept {
        if (!ids) return;
        const StoredView v = ids;
        if (!bytes.empty()) {
            uint8_t* seen = bytes.data();
            for (size_t i = 0; i < b.n; ++i) seen[v[b.row[i]]] = 1;
            return;
        }
        uint64_t* w = bits.data();
        for (size_t i = 0; i < b.n; ++i) {
            const uint32_t id = v[b.row[i]];
            w[id >> 6] |= uint64_t{1} << (id & 63);
        }
    }
    uint64_t count() const noexcept {  // without id 0 (null)
        uint64_t n = 0;
        if (!bytes.empty()) {
            for (size_t i = 1; i < bytes.size(); ++i) n += bytes[i];
            return n;
        }
        for (uint64_t x : bits) n += static_cast<uint64_t>(std::popcount(x));
        return bits.empty() ? 0 : n - (bits[0] & 1u);
    }
};

// The time series over blocks. A row's bucket is (start - first bucket's start) / width,
// computed in floating point: (d + 0.5) / b is at least 0.5 / b away from an integer and the
// product's error is below that for every d < 2^32, so truncating gives the exact quotient
// without a division per row. Each bucket counts records, bytes and packets per class
// (accept, reject, other), in two copies when there are few buckets (even and odd rows:
// consecutive rows often share a bucket, and one copy would chain their updates); they are
// summed at the end.
class SeriesPass {
public:
    SeriesPass(const SecondsView& s, std::vector<TimePoint>& p, uint32_t b, uint32_t first)
        : start_(s),
          points_(p),
          base_(static_cast<uint32_t>(uint64_t{first} * b)),
          inv_(1.0 / b),
          lanes_(p.size() <= 4096 ? 2 : 1),
          acc_(p.size() * 3 * lanes_) {}

    FLOWLENS_NOINLINE void add(const Block& blk) noexcept {
        const SecondsView st = start_;
        const uint32_t base = base_;
        const double inv = inv_;
        const size_t lanes = lanes_, odd = lanes - 1;
        Acc* acc = acc_.data();
        for (size_t i = 0; i < blk.n; ++i) {
            uint32_t v;
            const uint8_t act = blk.act[i];
            const size_t c = act == kAccept ? 0 : act == kReject ? 1 : 2;
            if (!st.get(blk.row[i], v)) [[unlikely]] {
                undated_[c].add({blk.bytes[i], blk.packets[i], 1});
                continue;
            }
            const auto k = static_cast<uint32_t>((static_cast<double>(v - base) + 0.5) * inv);
            Acc& e = acc[(size_t{k} * 3 + c) * lanes + (i & odd)];
            e.bytes += blk.bytes[i];
            e.packets += blk.packets[i];
            ++e.records;
        }
    }
    // Every row added, by class (accept, reject, other), dated or not: what the totals count.
    std::array<Acc, 3> by_class() const noexcept {
        std::array<Acc, 3> c = undated_;
        for (size_t k = 0; k < acc_.size(); ++k) c[(k / lanes_) % 3].add(acc_[k]);
        return c;
    }
    void finish() noexcept {
        for (size_t k = 0; k < points_.size(); ++k) {
            Acc c[3];
            for (size_t j = 0; j < 3; ++j)
                for (size_t l = 0; l < lanes_; ++l) c[j].add(acc_[(k * 3 + j) * lanes_ + l]);
            TimePoint& p = points_[k];
            p.accept_records = c[0].records;
            p.accept_bytes = c[0].bytes;
            p.accept_packets = c[0].packets;
            p.reject_records = c[1].records;
            p.reject_bytes = c[1].bytes;
            p.reject_packets = c[1].packets;
            p.other_records = c[2].records;
        }
    }

private:
    SecondsView start_;
    std::vector<TimePoint>& points_;
    uint32_t base_;  // the first bucket's start
    double inv_;
    size_t lanes_;
    std::vector<Acc> acc_;
    std::array<Acc, 3> undated_{};  // rows without a start, by class
};

// One pass over the selected rows for everything a plan asks (see "the engine" above).
class Engine {
public:
    Engine(const Store& store, const RowSet& rows, Plan& plan) : store_(store), rows_(rows), plan_(plan) {}

    Outcome run() {
        const size_t selected = selected_ = rows_.count();
        action_ = classify(store_, "action", {"ACCEPT", "REJECT"});
        need_action_ = plan_.totals || plan_.series || plan_.rejects;

        // Time range first: totals' first start and the series' buckets.
        const SecondsView start = start_view(store_);
        StartRange sr;
        if (plan_.totals || plan_.series) sr = start_range(start, rows_);
        if (plan_.series) out_.series = series_frame(sr, plan_.bucket_seconds);
        if (plan_.series && !out_.series.points.empty())
            series_.emplace(start, out_.series.points, out_.series.bucket_seconds,
                            sr.lo / out_.series.bucket_seconds);

        tasks_.reserve(plan_.tops.size());
        for (KeySpec& s : plan_.tops) tasks_.emplace_back(std::move(s), selected);
        if (plan_.totals) init_totals();

        // Only reading the counters depends on their widths; the rest of a block's work is one
        // function whatever they are (process()), which keeps the code small: that matters in
        // the browser, where a function is compiled when first called.
        auto blk = std::make_unique<Block>();
        with_bytes_and_packets(store_, [&](auto bytes, auto packets) {
            const std::vector<uint64_t>& words = rows_.words();
            for (size_t i = 0; i < words.size();) {
                i = gather(words, i, *blk);
                if (!blk->n) continue;
                fill_counters(*blk, bytes, packets);
                process(*blk);
            }
        });
        blk.reset();
        if (series_ && plan_.totals) {  // the counters the totals left to the series
            const std::array<Acc, 3> c = series_->by_class();
            totals_.bytes = c[0].bytes + c[1].bytes + c[2].bytes;
            totals_.packets = c[0].packets + c[1].packets + c[2].packets;
            totals_.accepted_records = c[0].records;
            totals_.accepted_bytes = c[0].bytes;
            totals_.rejected_records = c[1].records;
            totals_.rejected_bytes = c[1].bytes;
        }
        if (series_) series_->finish();

        // Every selected row rejected (a filter on action = REJECT): the reject report's lists
        // count exactly the rows of the main lists with the same key, ranked by records instead.
        if (plan_.rejects && rej_.row.size() == selected_) {
            for (size_t i = 0; i < kRejectTops.size(); ++i)
                for (TopTask& task : tasks_)
                    if (task.spec.key == kRejectTops[i]) {
                        uint64_t non_null = 0;
                        reject_tops_[i] = task.result(Metric::Records, plan_.n, non_null);
                        break;
                    }
        }
        out_.tops.reserve(tasks_.size());
        for (TopTask& task : tasks_) {
            uint64_t non_null = 0;
            out_.tops.push_back(task.result(plan_.metric, plan_.n, non_null));
            for (Distinct& d : distinct_)
                if (d.task == &task) d.count = non_null;
        }
        tasks_.clear();
        if (plan_.totals) finish_totals(sr);
        if (plan_.nodata) out_.nodata_by_interface = top_of(nodata_, "interface-id");
        if (plan_.rejects && plan_.before_rejects) plan_.before_rejects(out_);
        if (plan_.rejects) finish_rejects();
        return std::move(out_);
    }

private:
    // Distinct sources, destinations and interfaces come from their top lists when those are
    // being computed (the same column, every selected row), else from bitmaps.
    struct Distinct {
        const Column* col = nullptr;
        TopTask* task = nullptr;  // a single-field top list over the same column
        SeenIds seen;
        uint64_t count = 0;
    };

    void init_totals() {
        status_ = classify(store_, "log-status", {"OK", "NODATA", "SKIPDATA"});
        end_ = time_view(store_, "end");
        const Column* src = store_.find("srcaddr");
        const Column* dst = store_.find("dstaddr");
        const Column* eni = store_.find("interface-id");
        distinct_[0].col = src && src->kind == FieldKind::Address ? src : nullptr;
        distinct_[1].col = dst && dst->kind == FieldKind::Address ? dst : nullptr;
        distinct_[2].col = eni && eni->kind == FieldKind::Text ? eni : nullptr;
        collect_nodata_ = plan_.nodata && status_.has(kNoData);
        for (Distinct& d : distinct_) {
            if (!d.col) continue;
            for (TopTask& task : tasks_)
                if (!task.spec.two && task.spec.a.col == d.col) d.task = &task;
            if (!d.task)
                d.seen.init(d.col->stored_view(),
                            d.col->kind == FieldKind::Address ? store_.addresses().size() : d.col->dict.size(), selected_);
        }
    }

    FLOWLENS_NOINLINE void process(Block& b) {
        const size_t n = b.n;
        if (need_action_) classes_of(action_, b.row.data(), n, b.act.data());
        if (plan_.totals) {
            classes_of(status_, b.row.data(), n, st_.data());
            totals_.add(b, st_.data(), !series_);
            if (collect_nodata_) collect(b, st_.data(), kNoData, nodata_);
            for (Distinct& d : distinct_) d.seen.add(b);
            if (end_.stored) add_end(b);
        }
        if (series_) series_->add(b);
        const RowRun run = b.run();
        for (TopTask& task : tasks_) task.add(run);
        if (plan_.rejects) collect(b, b.act.data(), kReject, rej_);
    }

    FLOWLENS_NOINLINE void add_end(const Block& b) noexcept {
        TimeView& end = end_;
        uint32_t hi = last_end_;
        bool ended = any_end_;
        if (end.base && !end.nulls && b.n) {
            // The usual `end`: start + a stored difference, no nulls; escapes are rare.
            const unsigned char* bytes = end.stored.bytes;
            const uint32_t mask = end.stored.mask;
            const unsigned shift = end.stored.shift;
            const uint32_t* base = end.base;
            for (size_t i = 0; i < b.n; ++i) {
                const uint32_t r = b.row[i];
                uint32_t x;
                std::memcpy(&x, bytes + (size_t{r} << shift), sizeof x);
                x &= mask;
                const uint32_t v = x != mask ? base[r] + x : static_cast<uint32_t>(end.escaped(r));
                hi = std::max(hi, v);
            }
            last_end_ = hi;
            any_end_ = true;
            return;
        }
        for (size_t i = 0; i < b.n; ++i) {
            uint32_t v;
            if (end.get(b.row[i], v)) {
                hi = std::max(hi, v);
                ended = true;
            }
        }
        last_end_ = hi;
        any_end_ = ended;
    }

    // Appends the block's rows of class `want` (cls: their action or log-status classes).
    static void collect(const Block& b, const uint8_t* cls, uint8_t want, RowList& out) {
        std::array<uint16_t, kBlock> hit;
        size_t k = 0;
        for (size_t i = 0; i < b.n; ++i) {
            hit[k] = static_cast<uint16_t>(i);
            k += cls[i] == want;
        }
        for (size_t j = 0; j < k; ++j) {
            out.row.push_back(b.row[hit[j]]);
            out.bytes.push_back(b.bytes[hit[j]]);
            out.packets.push_back(b.packets[hit[j]]);
        }
    }

    // A top list over collected rows, keyed by fixed fields (a field the logs lack reads as
    // null), ranked by records.
    TopResult top_of(const RowList& list, std::string_view key) const {
        const RowRun run = list.run();
        TopTask task(std::get<KeySpec>(parse_key(store_, key, true)), run.n);
        task.add(run);
        uint64_t non_null = 0;
        return task.result(Metric::Records, plan_.n, non_null);
    }

    void finish_totals(const StartRange& sr) {
        Totals& t = out_.totals;
        t.records = totals_.records;
        t.bytes = totals_.bytes;
        t.packets = totals_.packets;
        t.accepted_records = totals_.accepted_records;
        t.accepted_bytes = totals_.accepted_bytes;
        t.rejected_records = totals_.rejected_records;
        t.rejected_bytes = totals_.rejected_bytes;
        t.ok_records = totals_.ok_records;
        t.nodata_records = totals_.nodata_records;
        t.skipdata_records = totals_.skipdata_records;
        for (Distinct& d : distinct_)
            if (d.col && !d.task) d.count = d.seen.count();
        t.distinct_sources = distinct_[0].count;
        t.distinct_destinations = distinct_[1].count;
        t.distinct_interfaces = distinct_[2].count;
        if (sr.any) t.first_start = sr.lo;
        if (any_end_) t.last_end = last_end_;
    }

    void finish_rejects() {
        RejectReport& rep = out_.rejects;
        std::vector<ScannerDraft> found;
        const std::vector<ScannerDraft>* drafts = &found;
        if (const RejectMemo::Entry* known = RejectMemoAccess::find(plan_.memo, store_, rej_.row, plan_.n, plan_.thresholds)) {
            rep = known->report;
            drafts = &known->drafts;
        } else {
            rep.thresholds = plan_.thresholds;
            rep.records = rej_.row.size();
            for (uint64_t by : rej_.bytes) rep.bytes += by;
            auto top = [&](size_t i) {
                if (reject_tops_[i]) return std::move(*reject_tops_[i]);  // ranked from a main list
                return top_of(rej_, kRejectTops[i]);
            };
            rep.by_dstport = top(0);
            rep.by_source = top(1);
            rep.by_destination = top(2);
            rep.by_interface = top(3);
            const RowList replies = reply_rows(store_, rej_);
            rep.reply_records = replies.row.size();
            for (uint64_t by : replies.bytes) rep.reply_bytes += by;
            rep.replies_by_source = top_of(replies, "srcaddr,srcport");
            found = find_scanners(store_, rej_, plan_.thresholds);
            if (const RejectMemo::Entry* kept = RejectMemoAccess::keep(plan_.memo, store_, rej_.row, plan_.n, rep, found))
                drafts = &kept->drafts;
        }
        finish_scanners(store_, rows_, action_, *drafts, rej_.row.size() == selected_, rep.scanners);
    }

    const Store& store_;
    const RowSet& rows_;
    Plan& plan_;
    Outcome out_;
    size_t selected_ = 0;
    CodeClass action_, status_;
    bool need_action_ = false;
    TimeView end_;
    uint32_t last_end_ = 0;
    bool any_end_ = false;
    TotalsPass totals_;
    std::array<Distinct, 3> distinct_;
    std::array<uint8_t, kBlock> st_{};
    std::optional<SeriesPass> series_;
    std::vector<TopTask> tasks_;
    RowList rej_;
    bool collect_nodata_ = false;
    RowList nodata_;
    // The reject report's lists: by_dstport, by_source, by_destination, by_interface.
    static constexpr std::array<std::string_view, 4> kRejectTops = {"dstport", "srcaddr", "dstaddr", "interface-id"};
    std::array<std::optional<TopResult>, 4> reject_tops_;
};

Outcome run_plan(const Store& store, const RowSet& rows, Plan& plan) { return Engine(store, rows, plan).run(); }

// Calls visit(r) for the selected rows r in words [from, to) whose source id is set in `bits`
// (in chunks: see gather()).
template <class Visit>
FLOWLENS_NOINLINE void rows_from(const std::vector<uint64_t>& words, size_t from, size_t to, StoredView src,
                                 const uint64_t* bits, Visit& visit) {
    for (size_t w = from; w < to; ++w) {
        uint64_t sel = words[w];
        if (!sel) continue;
        const size_t base = w * 64;
        if (sel == ~uint64_t{0}) {
            for (size_t r = base; r < base + 64; ++r) {
                const uint32_t s = src[r];
                if ((bits[s >> 6] >> (s & 63)) & 1u) [[unlikely]]
                    visit(r);
            }
            continue;
        }
        while (sel) {
            const size_t r = base + static_cast<size_t>(std::countr_zero(sel));
            sel &= sel - 1;
            const uint32_t s = src[r];
            if ((bits[s >> 6] >> (s & 63)) & 1u) visit(r);
        }
    }
}

// A set of non-zero pair keys for the scanner's host counts, at 4 bytes a slot when the keys fit in
// 32 bits (sources and hosts below 2^16): half the cache of 8-byte slots.
class PairSet {
public:
    PairSet(size_t expected, bool narrow) : narrow_(narrow) {
        size_t cap = 64;
        while (cap * 7 < expected * 10) cap *= 2;
        if (narrow)
            k32_.assign(cap, 0);
        else
            k64_.assign(cap, 0);
        shift_ = 64 - std::countr_zero(static_cast<uint64_t>(cap));
    }
    // True when `key` (not 0) was not there yet.
    bool insert(uint64_t key) { return narrow_ ? insert_in(k32_, static_cast<uint32_t>(key)) : insert_in(k64_, key); }

private:
    template <class K>
    bool insert_in(std::vector<K>& keys, K key) {
        if ((size_ + 1) * 10 > keys.size() * 7) [[unlikely]]
            grow(keys);
        const size_t mask = keys.size() - 1;
        for (size_t i = static_cast<size_t>((uint64_t{key} * 0x9E3779B97F4A7C15ull) >> shift_);; i = (i + 1) & mask) {
            if (keys[i] == key) return false;
            if (keys[i] == 0) {
                keys[i] = key;
                ++size_;
                return true;
            }
        }
    }
    template <class K>
    FLOWLENS_NOINLINE void grow(std::vector<K>& keys) {
        std::vector<K> old(keys.size() * 2, 0);
        old.swap(keys);
        shift_ = 64 - std::countr_zero(static_cast<uint64_t>(keys.size()));
        const size_t mask = keys.size() - 1;
        for (K k : old) {
            if (!k) continue;
            size_t i = static_cast<size_t>((uint64_t{k} * 0x9E3779B97F4A7C15ull) >> shift_);
            while (keys[i]) i = (i + 1) & mask;
            keys[i] = k;
        }
    }
    bool narrow_;
    std::vector<uint32_t> k32_;
    std::vector<uint64_t> k64_;
    size_t size_ = 0;
    int shift_ = 58;
};

// The distinct ports of each group: item i is port `value[i]` of group `group[i]` (< groups).
// count(g, n) gets group g's number of distinct ports and returns where to list them (in the
// order first seen), or nullptr. The items are grouped by a counting sort, then each group's
// ports are marked in a table of every port (group + 1 marks the ports it has): no hash set,
// whose probes missed the cache on most items (80 k distinct pairs among 360 k rejected rows of
// a 5 M-record log).
template <class Count>
void distinct_ports_by_group(const std::vector<uint32_t>& group, const std::vector<uint16_t>& value, size_t groups,
                             Count&& count) {
    if (group.empty()) return;
    std::vector<uint32_t> first(groups + 1, 0);
    for (uint32_t g : group) ++first[g + 1];
    for (size_t g = 0; g < groups; ++g) first[g + 1] += first[g];
    std::vector<uint16_t> grouped(group.size());
    {
        std::vector<uint32_t> at(first.begin(), first.end() - 1);
        for (size_t i = 0; i < group.size(); ++i) grouped[at[group[i]]++] = value[i];
    }
    std::vector<uint32_t> seen_by(size_t{1} << 16, 0);
    for (size_t g = 0; g < groups; ++g) {
        const uint32_t mark = static_cast<uint32_t>(g + 1);
        uint64_t n = 0;
        for (uint32_t i = first[g]; i < first[g + 1]; ++i) {
            const uint16_t p = grouped[i];
            n += seen_by[p] != mark;
            seen_by[p] = mark;
        }
        std::vector<uint16_t>* out = count(g, n);
        if (!out) continue;
        out->reserve(static_cast<size_t>(n));
        for (uint32_t i = first[g]; i < first[g + 1]; ++i) {
            const uint16_t p = grouped[i];
            if (seen_by[p] != mark) continue;
            seen_by[p] = 0;  // listed (no later group has mark 0)
            out->push_back(p);
        }
    }
}

// Scanners: per source, distinct (source, port) and (source, destination) pairs among the
// rejected rows. Both pair keys are non-zero because null sources are skipped.
std::vector<ScannerDraft> find_scanners(const Store& store, const RowList& rej, ScanThresholds thresholds) {
    std::vector<ScannerDraft> drafts;
    const StoredView src = ids_of(store, "srcaddr", FieldKind::Address);
    const StoredView dst = ids_of(store, "dstaddr", FieldKind::Address);
    const Column* port_col = store.find("dstport");
    const uint16_t* ports = port_col && port_col->kind == FieldKind::Port ? port_col->stored_as<uint16_t>() : nullptr;
    const Column* sport_col = store.find("srcport");
    const uint16_t* sports = sport_col && sport_col->kind == FieldKind::Port ? sport_col->stored_as<uint16_t>() : nullptr;
    const SecondsView start = start_view(store);
    const TimeView end = time_view(store, "end");
    if (!src || rej.row.empty()) return drafts;

    struct SourceStats {
        uint32_t src = 0;
        uint64_t records = 0, ports = 0, hosts = 0;
        uint32_t first = std::numeric_limits<uint32_t>::max(), last = 0;
        bool timed = false;
        ReplyShape replies;
    };
    std::vector<SourceStats> stats;
    // Source id -> index in stats + 1: a direct array unless the address table is large next
    // to the rejected rows.
    const size_t naddr = store.addresses().size();
    const bool direct = naddr <= std::max<size_t>(size_t{1} << 17, 4 * rej.row.size());
    std::vector<uint32_t> index_direct(direct ? naddr : 0, 0);
    FlatMap<uint32_t> index_map;
    // (source, host) keys: source << 16 | host when ids fit in 16 bits, else source << 32 | host.
    const bool narrow = naddr <= 0x10000;
    const unsigned host_shift = narrow ? 16 : 32;
    // Sized for few pairs and grown as they come: the distinct pairs are usually far fewer than
    // the rows, and a table sized for every row (2 MB at 360 k rows) spreads the inserts over
    // more memory than the cache holds.
    constexpr size_t kPairSetStart = 4096;
    PairSet host_pairs(std::min<size_t>(rej.row.size(), kPairSetStart), narrow);
    // Distinct ports are counted per source after this pass (distinct_ports_by_group).
    std::vector<uint32_t> port_group;  // per row with a port: its source's index in stats
    std::vector<uint16_t> port_value;
    if (ports) {
        port_group.reserve(rej.row.size());
        port_value.reserve(rej.row.size());
    }
    for (uint32_t r : rej.row) {
        uint32_t s = src[r];
        if (s == 0) continue;
        uint32_t& idx = direct ? index_direct[s] : index_map[s];
        if (idx == 0) {
            stats.push_back({});
            stats.back().src = s;
            idx = static_cast<uint32_t>(stats.size());
        }
        SourceStats& st = stats[idx - 1];
        ++st.records;
        if (ports) {
            uint16_t p = ports[r];
            if (p != 0 || !port_col->nulls.is_null(r)) {
                port_group.push_back(idx - 1);
                port_value.push_back(p);
                if (sports && reply_ports(sports[r], p, sport_col->nulls, r)) {
                    if (st.replies.records++ == 0)
                        st.replies.port = sports[r];
                    else if (sports[r] != st.replies.port)
                        st.replies.mixed = true;
                }
            }
        }
        if (dst) {
            uint32_t d = dst[r];
            if (d != 0 && host_pairs.insert((uint64_t{s} << host_shift) | d)) ++st.hosts;
        }
        uint32_t t0, t1;
        if (start.get(r, t0)) {
            st.first = std::min(st.first, t0);
            st.last = std::max(st.last, t0);
            st.timed = true;
        }
        if (end.get(r, t1)) {
            st.first = std::min(st.first, t1);  // an end without a start still dates the record
            st.last = std::max(st.last, t1);
            st.timed = true;
        }
    }

    // A threshold of 0 disables its criterion (0 would flag every source).
    auto is_port_scan = [&](const SourceStats& st) { return thresholds.min_ports && st.ports >= thresholds.min_ports; };
    auto is_sweep = [&](const SourceStats& st) { return thresholds.min_hosts && st.hosts >= thresholds.min_hosts; };

    // Distinct ports per source; a flagged source's are kept for its sample.
    std::vector<std::vector<uint16_t>> distinct_ports(stats.size());
    distinct_ports_by_group(port_group, port_value, stats.size(), [&](size_t g, uint64_t n) {
        SourceStats& st = stats[g];
        st.ports = n;
        return is_port_scan(st) || is_sweep(st) ? &distinct_ports[g] : nullptr;
    });
    std::vector<const SourceStats*> flagged;
    for (const SourceStats& st : stats)
        if (is_port_scan(st) || is_sweep(st)) flagged.push_back(&st);
    const AddressTable& addrs = store.addresses();
    std::sort(flagged.begin(), flagged.end(), [&](const SourceStats* l, const SourceStats* r) {
        uint64_t bl = std::max(l->ports, l->hosts), br = std::max(r->ports, r->hosts);
        if (bl != br) return bl > br;
        if (l->records != r->records) return l->records > r->records;
        return address_less(addrs.address(l->src), addrs.address(r->src));
    });
    drafts.reserve(flagged.size());
    for (const SourceStats* st : flagged) {
        ScannerDraft& d = drafts.emplace_back();
        d.source = st->src;
        d.port_scan = is_port_scan(*st);
        d.host_sweep = is_sweep(*st);
        d.replies = st->replies;
        Scanner& sc = d.scanner;
        sc.source = to_string(addrs.address(st->src));
        sc.kind = d.port_scan && d.host_sweep ? "port scan and host sweep" : d.port_scan ? "port scan" : "host sweep";
        sc.rejected_records = st->records;
        sc.distinct_ports = st->ports;
        sc.distinct_hosts = st->hosts;
        std::vector<uint16_t>& rp = distinct_ports[static_cast<size_t>(st - stats.data())];
        size_t keep = std::min<size_t>(rp.size(), 10);
        std::partial_sort(rp.begin(), rp.begin() + static_cast<std::ptrdiff_t>(keep), rp.end());
        sc.sample_ports.assign(rp.begin(), rp.begin() + static_cast<std::ptrdiff_t>(keep));
        if (st->timed) {
            sc.first_seen = st->first;
            sc.last_seen = st->last;
        }
    }
    return drafts;
}

void finish_scanners(const Store& store, const RowSet& rows, const CodeClass& action,
                     const std::vector<ScannerDraft>& drafts, bool all_rejected, std::vector<Scanner>& out) {
    out.clear();
    if (drafts.empty()) return;
    const StoredView src = ids_of(store, "srcaddr", FieldKind::Address);
    const Column* port_col = store.find("dstport");
    const uint16_t* ports = port_col && port_col->kind == FieldKind::Port ? port_col->stored_as<uint16_t>() : nullptr;
    const AddressTable& addrs = store.addresses();
    std::vector<uint64_t> accepted(drafts.size(), 0);
    std::vector<std::vector<uint16_t>> accepted_ports(drafts.size());
    // Did any of the scanners' flows get through? A security engineer's first question. Not
    // when every selected row is rejected (a filter on action = REJECT): nothing got through.
    if (!all_rejected) {
        FlatMap<uint32_t> scanner_of;  // source id -> scanner index + 1
        std::vector<uint64_t> is_scanner(addrs.size() / 64 + 1, 0);
        for (size_t i = 0; i < drafts.size(); ++i) {
            uint32_t s = drafts[i].source;
            scanner_of[s] = static_cast<uint32_t>(i + 1);
            is_scanner[s >> 6] |= uint64_t{1} << (s & 63);
        }
        FlatSet accepted_pairs;
        auto visit = [&](size_t r) {
            if (action(r) != kAccept) return;
            uint32_t i = *scanner_of.find(src[r]) - 1;
            ++accepted[i];
            if (ports) {
                uint16_t p = ports[r];
                if ((p != 0 || !port_col->nulls.is_null(r)) && accepted_pairs.insert((uint64_t{i + 1} << 16) | p))
                    accepted_ports[i].push_back(p);
            }
        };
        const std::vector<uint64_t>& words = rows.words();
        for (size_t w = 0; w < words.size(); w += 256)
            rows_from(words, w, std::min(words.size(), w + 256), src, is_scanner.data(), visit);
    }
    out.reserve(drafts.size());
    for (size_t i = 0; i < drafts.size(); ++i) {
        const ScannerDraft& d = drafts[i];
        Scanner& sc = out.emplace_back(d.scanner);
        sc.accepted_records = accepted[i];
        std::sort(accepted_ports[i].begin(), accepted_ports[i].end());
        sc.explanation = explain(sc, d.port_scan, d.host_sweep, is_private(addrs.address(d.source)), accepted_ports[i],
                                 d.replies);
    }
}

}  // namespace

// ---- default keys ----------------------------------------------------------------------------

std::vector<std::string> default_top_keys(const Store& store) {
    std::vector<std::string> keys;
    for (std::string_view k : {"srcaddr", "dstaddr"})
        if (store.find(k)) keys.emplace_back(k);
    if (store.find("srcaddr") && store.find("dstaddr")) keys.emplace_back("conversation");
    for (std::string_view k : {"srcport", "dstport", "protocol", "interface-id", "account-id"})
        if (store.find(k)) keys.emplace_back(k);
    // Dimensions of later versions, shown only when the logs carry them: an all-null column
    // (a field of one file among many) would only show "-".
    static constexpr std::string_view kLater[] = {
        "vpc-id", "subnet-id", "instance-id", "region", "az-id", "sublocation-type", "sublocation-id", "type",
        "flow-direction", "traffic-path", "pkt-srcaddr", "pkt-dstaddr", "pkt-src-aws-service",
        "pkt-dst-aws-service", "tcp-flags", "reject-reason", "encryption-status", "resource-id",
        "ecs-cluster-name", "ecs-service-name", "ecs-task-definition-arn", "resource-type", "tgw-id",
        "tgw-attachment-id", "tgw-src-vpc-id", "tgw-dst-vpc-id", "tgw-pair-attachment-id"};
    for (std::string_view k : kLater) {
        const Column* c = store.find(k);
        if (!c) continue;
        bool any = false;
        for (size_t r = 0; r < c->size() && !any; ++r) any = !c->is_null(r);
        if (any) keys.emplace_back(k);
    }
    return keys;
}

// ---- the public analyses: each a plan of one ---------------------------------------------------

Totals compute_totals(const Store& store, const RowSet& rows) {
    Plan plan;
    plan.totals = true;
    return run_plan(store, rows, plan).totals;
}

std::variant<TopResult, std::string> top_n(const Store& store, const RowSet& rows, std::string_view key,
                                           Metric metric, size_t n) {
    auto parsed = parse_key(store, key, false);
    if (auto* err = std::get_if<std::string>(&parsed)) return std::move(*err);
    Plan plan;
    plan.tops.push_back(std::move(std::get<KeySpec>(parsed)));
    plan.metric = metric;
    plan.n = n;
    return std::move(run_plan(store, rows, plan).tops.front());
}

TimeSeries time_series(const Store& store, const RowSet& rows, uint32_t bucket_seconds) {
    Plan plan;
    plan.series = true;
    plan.bucket_seconds = bucket_seconds;
    return std::move(run_plan(store, rows, plan).series);
}

RejectReport reject_analysis(const Store& store, const RowSet& rows, size_t n, ScanThresholds thresholds) {
    Plan plan;
    plan.rejects = true;
    plan.n = n;
    plan.thresholds = thresholds;
    return std::move(run_plan(store, rows, plan).rejects);
}

namespace detail {

std::variant<Analysis, std::string> analyze_all(const Store& store, const RowSet& rows, const AnalysisOptions& options) {
    Plan plan;
    plan.totals = true;
    plan.nodata = true;
    plan.series = options.timeseries;
    plan.rejects = options.rejects;
    plan.metric = options.metric;
    plan.n = options.top_n;
    plan.bucket_seconds = options.bucket_seconds;
    plan.thresholds = options.scan;
    plan.memo = options.reject_memo;
    std::vector<std::string> keys = options.top_keys.empty() ? default_top_keys(store) : options.top_keys;
    for (const std::string& key : keys) {
        auto parsed = parse_key(store, key, false);
        if (auto* err = std::get_if<std::string>(&parsed)) return std::move(*err);
        KeySpec& spec = std::get<KeySpec>(parsed);
        // The document's "top" is an object keyed by the normalised key: one entry per key.
        bool seen = std::any_of(plan.tops.begin(), plan.tops.end(), [&](const KeySpec& o) { return o.key == spec.key; });
        if (!seen) plan.tops.push_back(std::move(spec));
    }
    auto assemble = [&](Outcome o, bool with_rejects) {
        Analysis a;
        a.loaded_records = store.rows();
        a.totals = o.totals;
        a.nodata_by_interface = std::move(o.nodata_by_interface);
        a.top = std::move(o.tops);
        a.timeseries = std::move(o.series);
        a.rejects = std::move(o.rejects);
        a.with_timeseries = options.timeseries;
        a.with_rejects = with_rejects;
        return a;
    };
    if (options.before_rejects)  // a copy of the part done: top lists and series are small
        plan.before_rejects = [&](const Outcome& o) { options.before_rejects(assemble(o, false)); };
    return assemble(run_plan(store, rows, plan), options.rejects);
}

}  // namespace detail

}  // namespace flowlens
