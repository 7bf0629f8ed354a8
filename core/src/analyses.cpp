// analyses.cpp — totals, top-N, time series and reject analysis over a RowSet.
//
// Shape of every analysis: resolve the columns once (views over the stored integers, per-code
// class tables), then one RowSet::for_each pass that only reads narrow integers and updates
// integer-keyed accumulators. Strings are made only for what is printed (the top n, the
// scanners). Columns have adaptive widths (store.hpp): the counters, read in every pass, are
// template parameters of the row loops; other columns read through width-agnostic views.
#include "flowlens/analyses.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <memory>
#include <unordered_map>
#include <utility>

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
#else
#define FLOWLENS_ROW_INLINE
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

// Dense ids (address ids, dictionary codes) seen among the selected rows: one bit per id.
struct IdBitmap {
    StoredView ids;
    std::vector<uint64_t> bits;
    IdBitmap(StoredView v, size_t domain) : ids(v) {
        if (v) bits.assign(domain / 64 + 1, 0);
    }
    FLOWLENS_ROW_INLINE void mark(size_t r) noexcept {
        if (!ids) return;
        uint32_t id = ids[r];
        bits[id >> 6] |= uint64_t{1} << (id & 63);
    }
    uint64_t count() const noexcept {  // without id 0 (null)
        uint64_t n = 0;
        for (uint64_t w : bits) n += static_cast<uint64_t>(std::popcount(w));
        return bits.empty() ? 0 : n - (bits[0] & 1u);
    }
};

// ---- an open-addressing hash map keyed by uint64 ---------------------------------------------
// std::unordered_map costs a node allocation per key and a pointer chase per lookup; this is
// linear probing over one array with Fibonacci hashing. Key 0 is the "empty" marker in the
// array, so a real key 0 lives in a side slot. V must be cheap to value-initialise.
template <class V>
class FlatMap {
public:
    explicit FlatMap(size_t expected = 0) {
        size_t cap = 64;
        while (cap * 7 < expected * 10) cap *= 2;
        rehash(cap);
    }
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

// One pass: every selected row's key and counters into an accumulator. A direct array indexed
// by the key when the key's domain is small next to the selection (ports, protocols, the
// address table when most rows are selected); otherwise the hash map.
std::vector<Entry> accumulate(const Store& store, const RowSet& rows, const KeySpec& spec) {
    const Part& a = spec.a;
    const Part& b = spec.b;
    const bool two = spec.two, conv = spec.conversation;
    uint64_t da = a.domain, db = two ? b.domain : 1;
    size_t selected = rows.count();
    uint64_t limit = std::max<uint64_t>(uint64_t{1} << 17, 2 * uint64_t{selected});
    bool direct = da != 0 && db != 0 && da <= limit / db;

    std::vector<Entry> entries;
    if (direct) {
        std::vector<Acc> acc(static_cast<size_t>(da * db));
        with_bytes_and_packets(store, [&](auto bytes, auto packets) {
            rows.for_each([&](size_t r) {
                uint64_t x = a.get(r), y = two ? b.get(r) : 0;
                if (conv && y < x) std::swap(x, y);
                Acc& e = acc[static_cast<size_t>(x * db + y)];
                e.bytes += bytes(r);
                e.packets += packets(r);
                ++e.records;
            });
        });
        for (size_t i = 0; i < acc.size(); ++i)
            if (acc[i].records) entries.push_back({(uint64_t{i / db} << 32) | (i % db), acc[i]});
    } else {
        FlatMap<Acc> map(std::min<size_t>(selected, size_t{1} << 16));
        with_bytes_and_packets(store, [&](auto bytes, auto packets) {
            rows.for_each([&](size_t r) {
                uint64_t x = a.get(r), y = two ? b.get(r) : 0;
                if (conv && y < x) std::swap(x, y);
                Acc& e = map[(x << 32) | y];
                e.bytes += bytes(r);
                e.packets += packets(r);
                ++e.records;
            });
        });
        entries = map.drain();
    }
    return entries;
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

TopResult rank(const KeySpec& spec, std::vector<Entry>& entries, Metric metric, size_t n) {
    TopResult res;
    res.key = spec.key;
    res.fields = spec.fields;
    res.metric = metric;
    res.distinct = entries.size();
    Acc total;
    for (const Entry& e : entries) total.add(e.val);

    using Keyed = std::pair<Entry, std::vector<std::string>>;
    auto m = [metric](const Entry& e) { return metric_value(e.val, metric); };
    std::vector<Keyed> chosen;
    if (entries.size() <= n) {
        chosen.reserve(entries.size());
        for (const Entry& e : entries) chosen.push_back({e, key_texts(spec, e.key)});
    } else if (n > 0) {
        // Rank on integers; only the keys tied at the cut need their text to decide who stays.
        auto nth = entries.begin() + static_cast<std::ptrdiff_t>(n - 1);
        std::nth_element(entries.begin(), nth, entries.end(), [&](const Entry& l, const Entry& r) { return m(l) > m(r); });
        uint64_t cut = m(*nth);
        auto gt_end = std::partition(entries.begin(), entries.end(), [&](const Entry& e) { return m(e) > cut; });
        auto eq_end = std::partition(gt_end, entries.end(), [&](const Entry& e) { return m(e) == cut; });
        for (auto it = entries.begin(); it != gt_end; ++it) chosen.push_back({*it, key_texts(spec, it->key)});
        size_t need = n - chosen.size();  // >= 1: at most n-1 entries beat the n-th
        std::vector<Keyed> tied;
        tied.reserve(static_cast<size_t>(eq_end - gt_end));
        for (auto it = gt_end; it != eq_end; ++it) tied.push_back({*it, key_texts(spec, it->key)});
        auto mid = tied.begin() + static_cast<std::ptrdiff_t>(need);
        std::partial_sort(tied.begin(), mid, tied.end(), [](const Keyed& l, const Keyed& r) { return l.second < r.second; });
        for (auto it = tied.begin(); it != mid; ++it) chosen.push_back(std::move(*it));
    }
    std::sort(chosen.begin(), chosen.end(), [&](const Keyed& l, const Keyed& r) {
        uint64_t ml = m(l.first), mr = m(r.first);
        return ml != mr ? ml > mr : l.second < r.second;
    });
    Acc in_rows;
    res.rows.reserve(chosen.size());
    for (Keyed& k : chosen) {
        in_rows.add(k.first.val);
        res.rows.push_back({std::move(k.second), k.first.val.bytes, k.first.val.packets, k.first.val.records});
    }
    res.other.bytes = total.bytes - in_rows.bytes;
    res.other.packets = total.packets - in_rows.packets;
    res.other.records = total.records - in_rows.records;
    return res;
}

std::variant<TopResult, std::string> top_impl(const Store& store, const RowSet& rows, std::string_view key,
                                              Metric metric, size_t n, bool allow_missing) {
    auto parsed = parse_key(store, key, allow_missing);
    if (auto* err = std::get_if<std::string>(&parsed)) return std::move(*err);
    KeySpec& spec = std::get<KeySpec>(parsed);
    std::vector<Entry> entries = accumulate(store, rows, spec);
    return rank(spec, entries, metric, n);
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

}  // namespace

// ---- totals ----------------------------------------------------------------------------------

Totals compute_totals(const Store& store, const RowSet& rows) {
    Totals t;
    CodeClass action = classify(store, "action", {"ACCEPT", "REJECT"});
    CodeClass status = classify(store, "log-status", {"OK", "NODATA", "SKIPDATA"});
    const SecondsView start = start_view(store);
    const TimeView end = time_view(store, "end");
    size_t naddr = store.addresses().size();
    IdBitmap src(ids_of(store, "srcaddr", FieldKind::Address), naddr);
    IdBitmap dst(ids_of(store, "dstaddr", FieldKind::Address), naddr);
    const Column* eni_col = store.find("interface-id");
    IdBitmap eni(eni_col && eni_col->kind == FieldKind::Text ? eni_col->stored_view() : StoredView{},
                 eni_col ? eni_col->dict.size() : 0);

    uint32_t first = std::numeric_limits<uint32_t>::max(), last = 0;
    bool any_start = false, any_end = false;
    with_bytes_and_packets(store, [&](auto bytes, auto packets) {
        // Counts are the pass's own locals, written back after it: kept in registers, where
        // stores through captured references would also make the compiler reload the views'
        // fields after each one (same types, so they may alias).
        Totals n;
        uint32_t lo = first, hi = last;
        bool started = false, ended = false;
        rows.for_each([&](size_t r) {
            ++n.records;
            uint64_t b = bytes(r);
            n.bytes += b;
            n.packets += packets(r);
            uint8_t act = action(r), st = status(r);
            if (act == kAccept) {
                ++n.accepted_records;
                n.accepted_bytes += b;
            } else if (act == kReject) {
                ++n.rejected_records;
                n.rejected_bytes += b;
            }
            // OK, or no log-status at all but an action (custom formats without log-status).
            if (st == kOk || (st == kNullClass && act != kNullClass)) ++n.ok_records;
            else if (st == kNoData) ++n.nodata_records;
            else if (st == kSkipData) ++n.skipdata_records;
            src.mark(r);
            dst.mark(r);
            eni.mark(r);
            uint32_t v;
            if (start.get(r, v)) {
                lo = std::min(lo, v);
                started = true;
            }
            if (end.get(r, v)) {
                hi = std::max(hi, v);
                ended = true;
            }
        });
        t = n;
        first = lo;
        last = hi;
        any_start = started;
        any_end = ended;
    });
    t.distinct_sources = src.count();
    t.distinct_destinations = dst.count();
    t.distinct_interfaces = eni.count();
    if (any_start) t.first_start = first;
    if (any_end) t.last_end = last;
    return t;
}

// ---- top-N -----------------------------------------------------------------------------------

std::variant<TopResult, std::string> top_n(const Store& store, const RowSet& rows, std::string_view key,
                                           Metric metric, size_t n) {
    return top_impl(store, rows, key, metric, n, false);
}

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

// ---- time series -----------------------------------------------------------------------------

namespace {

constexpr uint32_t kBucketChoices[] = {1,    5,     10,    30,    60,    300,   600,   900,
                                       1800, 3600,  10800, 21600, 43200, 86400, 604800};
constexpr uint64_t kAutoMaxBuckets = 500;
constexpr uint64_t kExplicitMaxBuckets = 100000;

uint64_t bucket_count(uint32_t lo, uint32_t hi, uint64_t b) noexcept { return hi / b - lo / b + 1; }

}  // namespace

TimeSeries time_series(const Store& store, const RowSet& rows, uint32_t bucket_seconds) {
    TimeSeries ts;
    const SecondsView start = start_view(store);
    uint32_t lo = std::numeric_limits<uint32_t>::max(), hi = 0;
    bool any = false;
    rows.for_each([&](size_t r) {
        uint32_t v;
        if (start.get(r, v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
            any = true;
        }
    });
    uint64_t b = bucket_seconds;
    if (!any) {
        ts.bucket_seconds = bucket_seconds ? bucket_seconds : kBucketChoices[0];
        return ts;
    }
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
    const uint32_t b32 = ts.bucket_seconds;  // 32-bit division in the row loop: cheaper
    const uint32_t first_bucket = lo / b32;
    ts.points.resize(size_t{hi / b32 - first_bucket} + 1);
    for (size_t i = 0; i < ts.points.size(); ++i) ts.points[i].start = static_cast<int64_t>((uint64_t{first_bucket} + i) * b32);

    CodeClass action = classify(store, "action", {"ACCEPT", "REJECT"});
    with_bytes_and_packets(store, [&](auto bytes, auto packets) {
        rows.for_each([&](size_t r) {
            uint32_t v;
            if (!start.get(r, v)) return;
            TimePoint& p = ts.points[v / b32 - first_bucket];
            uint8_t act = action(r);
            if (act == kAccept) {
                ++p.accept_records;
                p.accept_bytes += bytes(r);
                p.accept_packets += packets(r);
            } else if (act == kReject) {
                ++p.reject_records;
                p.reject_bytes += bytes(r);
                p.reject_packets += packets(r);
            } else {
                ++p.other_records;
            }
        });
    });
    return ts;
}

// ---- rejects ---------------------------------------------------------------------------------

RejectReport reject_analysis(const Store& store, const RowSet& rows, size_t n, ScanThresholds thresholds) {
    RejectReport rep;
    rep.thresholds = thresholds;
    CodeClass action = classify(store, "action", {"ACCEPT", "REJECT"});
    RowSet rejected(rows.size());
    with_counter(store, "bytes", [&](auto bytes) {
        rows.for_each([&](size_t r) {
            if (action(r) != kReject) return;
            rejected.set(r);
            ++rep.records;
            rep.bytes += bytes(r);
        });
    });
    // Fixed keys: a field the logs lack reads as null ("-") rather than failing the report.
    auto top = [&](std::string_view key) {
        return std::get<TopResult>(top_impl(store, rejected, key, Metric::Records, n, true));
    };
    rep.by_dstport = top("dstport");
    rep.by_source = top("srcaddr");
    rep.by_destination = top("dstaddr");
    rep.by_interface = top("interface-id");

    // Scanners: per source, distinct (source, port) and (source, destination) pairs among the
    // rejected rows. Both pair keys are non-zero because null sources are skipped.
    const StoredView src = ids_of(store, "srcaddr", FieldKind::Address);
    const StoredView dst = ids_of(store, "dstaddr", FieldKind::Address);
    const Column* port_col = store.find("dstport");
    const uint16_t* ports = port_col && port_col->kind == FieldKind::Port ? port_col->stored_as<uint16_t>() : nullptr;
    const Column* sport_col = store.find("srcport");
    const uint16_t* sports = sport_col && sport_col->kind == FieldKind::Port ? sport_col->stored_as<uint16_t>() : nullptr;
    const SecondsView start = start_view(store);
    const TimeView end = time_view(store, "end");
    if (!src || rep.records == 0) return rep;

    struct SourceStats {
        uint32_t src = 0;
        uint64_t records = 0, ports = 0, hosts = 0;
        uint32_t first = std::numeric_limits<uint32_t>::max(), last = 0;
        bool timed = false;
        ReplyShape replies;
    };
    std::vector<SourceStats> stats;
    FlatMap<uint32_t> index_of;  // source id -> index in stats + 1
    FlatSet port_pairs, host_pairs;
    rejected.for_each([&](size_t r) {
        uint32_t s = src[r];
        if (s == 0) return;
        uint32_t& idx = index_of[s];
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
                if (port_pairs.insert((uint64_t{s} << 16) | p)) ++st.ports;
                // Both ports non-null: a null srcport reads 0, which is below 1024.
                if (sports && p >= 1024 && sports[r] < 1024 && (sports[r] != 0 || !sport_col->nulls.is_null(r))) {
                    if (st.replies.records++ == 0)
                        st.replies.port = sports[r];
                    else if (sports[r] != st.replies.port)
                        st.replies.mixed = true;
                }
            }
        }
        if (dst) {
            uint32_t d = dst[r];
            if (d != 0 && host_pairs.insert((uint64_t{s} << 32) | d)) ++st.hosts;
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
    });

    // A threshold of 0 disables its criterion (0 would flag every source).
    auto is_port_scan = [&](const SourceStats& st) { return thresholds.min_ports && st.ports >= thresholds.min_ports; };
    auto is_sweep = [&](const SourceStats& st) { return thresholds.min_hosts && st.hosts >= thresholds.min_hosts; };
    std::vector<const SourceStats*> flagged;
    for (const SourceStats& st : stats)
        if (is_port_scan(st) || is_sweep(st)) flagged.push_back(&st);
    if (flagged.empty()) return rep;
    const AddressTable& addrs = store.addresses();
    std::sort(flagged.begin(), flagged.end(), [&](const SourceStats* l, const SourceStats* r) {
        uint64_t bl = std::max(l->ports, l->hosts), br = std::max(r->ports, r->hosts);
        if (bl != br) return bl > br;
        if (l->records != r->records) return l->records > r->records;
        return address_less(addrs.address(l->src), addrs.address(r->src));
    });

    FlatMap<uint32_t> scanner_of;  // source id -> scanner index + 1
    std::vector<uint64_t> is_scanner(addrs.size() / 64 + 1, 0);
    for (size_t i = 0; i < flagged.size(); ++i) {
        uint32_t s = flagged[i]->src;
        scanner_of[s] = static_cast<uint32_t>(i + 1);
        is_scanner[s >> 6] |= uint64_t{1} << (s & 63);
    }
    std::vector<std::vector<uint16_t>> rejected_ports(flagged.size()), accepted_ports(flagged.size());
    port_pairs.for_each([&](uint64_t k, Nothing) {
        if (const uint32_t* i = scanner_of.find(k >> 16)) rejected_ports[*i - 1].push_back(static_cast<uint16_t>(k));
    });

    // Did any of the scanners' flows get through? A security engineer's first question.
    std::vector<uint64_t> accepted(flagged.size(), 0);
    FlatSet accepted_pairs;
    rows.for_each([&](size_t r) {
        uint32_t s = src[r];
        if (!((is_scanner[s >> 6] >> (s & 63)) & 1u) || action(r) != kAccept) return;
        uint32_t i = *scanner_of.find(s) - 1;
        ++accepted[i];
        if (ports) {
            uint16_t p = ports[r];
            if ((p != 0 || !port_col->nulls.is_null(r)) && accepted_pairs.insert((uint64_t{i + 1} << 16) | p))
                accepted_ports[i].push_back(p);
        }
    });

    rep.scanners.reserve(flagged.size());
    for (size_t i = 0; i < flagged.size(); ++i) {
        const SourceStats& st = *flagged[i];
        Scanner sc;
        const IpAddress& addr = addrs.address(st.src);
        sc.source = to_string(addr);
        bool ps = is_port_scan(st), hs = is_sweep(st);
        sc.kind = ps && hs ? "port scan and host sweep" : ps ? "port scan" : "host sweep";
        sc.rejected_records = st.records;
        sc.accepted_records = accepted[i];
        sc.distinct_ports = st.ports;
        sc.distinct_hosts = st.hosts;
        std::vector<uint16_t>& rp = rejected_ports[i];
        size_t keep = std::min<size_t>(rp.size(), 10);
        std::partial_sort(rp.begin(), rp.begin() + static_cast<std::ptrdiff_t>(keep), rp.end());
        sc.sample_ports.assign(rp.begin(), rp.begin() + static_cast<std::ptrdiff_t>(keep));
        if (st.timed) {
            sc.first_seen = st.first;
            sc.last_seen = st.last;
        }
        std::sort(accepted_ports[i].begin(), accepted_ports[i].end());
        sc.explanation = explain(sc, ps, hs, is_private(addr), accepted_ports[i], st.replies);
        rep.scanners.push_back(std::move(sc));
    }
    return rep;
}

}  // namespace flowlens
