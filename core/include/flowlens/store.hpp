// store.hpp — the columnar store every query runs over.
//
// Contract:
// - A Store holds N rows (records) in named Columns, one per field seen in any loaded file.
//   Every column has exactly rows() entries once pad_columns() has run (the loader calls it at
//   the end of every file); a field a file does not have is null in that file's rows.
// - Storage is narrow on purpose: a default-format record takes about 28 bytes on the bench's
//   data (README "Memory"). Every column holds one unsigned integer per row, at one width for
//   the whole column, width() = 1, 2 or 4 bytes:
//     Small -> 1, Port/Flags -> 2, Time -> 4 (Unix seconds; `end` below).
//     Address, Enum, Text -> the id or code, at the narrowest width that holds the largest one
//       appended (1 byte up to 255, 2 up to 65535, else 4). Appending a larger one widens the
//       column: one copy of it, at most two per column, so appending stays amortised O(1).
//     Counter -> the value; `end` -> end - start (when `start` already was a column as `end`
//       was made). Both at an adaptive width with escapes: a row whose value does not fit
//       below the width's all-ones escape mark stores the mark, and its true value lives in
//       escapes(), a list sorted by row. A column widens (1 -> 2 -> 4 bytes) once more than 1
//       row in 128 escapes, so escapes stay rare and queries rarely take the slow path.
//       Counters are 64-bit in meaning. `end` escapes when it is before start or when the
//       row's start was not appended before it (a null start counts as 0).
//   Numeric kinds have a 1-bit null mask (allocated only when a null occurs); null rows store 0.
//   Addresses are interned in one AddressTable shared by all address columns, so the same
//   address has the same id in srcaddr, dstaddr, pkt-srcaddr and pkt-dstaddr. Id 0 = null.
//   Enum and Text values are dictionary-encoded per column. Code 0 = null.
// - Columns grow by doubling while loading, unless reserve_rows() made room first (a loader
//   that knows how much is coming does); shrink_to_fit() returns slack of more than a quarter
//   once loading ends. memory_bytes() counts capacity, so it shows whether that happened.
// - Appending: one row at a time (append_number, append_id, append_null), or a batch of one
//   column's values in bulk (append_pending, the parser's way), with the same result.
// - Reading: visit_stored() hands a loop the typed array, for loops instantiated per width;
//   StoredView reads any width without a branch, for loops over several columns;
//   EscapeReader resolves escapes in a row-ordered pass at O(1) amortised. number(), code()
//   and is_null() are the per-row slow paths (number() is O(log escapes) on an escaped row).
// - Row numbers are uint32: a store holds at most 4,294,967,295 records.
// - Merging (data_transfer.hpp): Column::append_column() appends another store's column in one
//   bulk pass, ids and codes translated by a remap table, values re-encoded at this column's
//   width and base, so the result is what appending the same values one by one would give.
//   data_transfer.cpp (struct DataTransferAccess, a friend) rebuilds a store from an export:
//   the only code besides Column itself that writes a column's arrays, and it checks every
//   invariant above before it does.
// - Nothing here throws except std::bad_alloc.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "flowlens/fields.hpp"
#include "flowlens/ip_address.hpp"

namespace flowlens {

struct DataTransferAccess;  // data_transfer.cpp: exports and rebuilds stores (see the contract)

// Transparent hashing so lookups by string_view never allocate.
struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// A hash index from values to the ids 1, 2, … under which their owner (Dictionary,
// AddressTable) keeps them. The values are not copied: a slot holds an id and 32 bits of its
// value's hash, so a probe touches the owner's table only on a likely match. 8 bytes a slot,
// at most 3/4 full, where a node-based map costs several times that per value.
class IdIndex {
public:
    // The id whose value `is(id)` accepts among those stored under `hash`.
    template <class Is>
    std::optional<uint32_t> find(size_t hash, Is&& is) const noexcept {
        if (slots_.empty()) return std::nullopt;
        const uint64_t tag = tag_of(hash);
        for (size_t i = start(hash);; i = (i + 1) & (slots_.size() - 1)) {
            uint64_t s = slots_[i];
            if (s == 0) return std::nullopt;
            if ((s & ~uint64_t{0xFFFFFFFF}) == tag && is(static_cast<uint32_t>(s))) return static_cast<uint32_t>(s);
        }
    }
    // Adds `id` (not already present, not 0) under `hash`.
    void insert(size_t hash, uint32_t id);
    // Removes `id` stored under `hash` (nothing when it is not there); the other ids stay findable.
    void erase(size_t hash, uint32_t id) noexcept;
    size_t memory_bytes() const noexcept { return slots_.capacity() * sizeof(uint64_t); }

private:
    static uint64_t tag_of(size_t hash) noexcept { return uint64_t{static_cast<uint32_t>(hash)} << 32; }
    size_t start(size_t hash) const noexcept {
        return static_cast<size_t>((static_cast<uint32_t>(hash) * 0x9E3779B9u) >> shift_) & (slots_.size() - 1);
    }
    void place(uint64_t slot) noexcept;
    std::vector<uint64_t> slots_;  // 0 = empty (ids start at 1); else hash bits << 32 | id
    size_t size_ = 0;
    int shift_ = 32;
};

// Interned strings. Code 0 is reserved for null; real values get 1, 2, …
class Dictionary {
public:
    Dictionary();
    // The value's code, a new one when it is not there yet (then *added, if given, is set true).
    uint32_t intern(std::string_view value, bool* added = nullptr);
    std::optional<uint32_t> find(std::string_view value) const noexcept;
    // Like find() but ignores ASCII case: for enumerations, where users type `reject` or `REJECT`.
    std::optional<uint32_t> find_ignore_case(std::string_view value) const noexcept;
    std::string_view value(uint32_t code) const noexcept { return values_[code]; }
    size_t size() const noexcept { return values_.size(); }  // including the null slot
    // Forgets the value interned last (size() > 1): a parser takes back what a bad line interned.
    void pop_back() noexcept;
    void shrink_to_fit();
    size_t memory_bytes() const noexcept;

private:
    std::vector<std::string> values_;
    IdIndex index_;
};

class AddressTable {
public:
    AddressTable();
    // The address's id, a new one when it is not there yet (then *added, if given, is set true).
    uint32_t intern(const IpAddress& a, bool* added = nullptr);
    // intern(IpAddress::from_v4(v)) without building and comparing whole 17-byte addresses.
    uint32_t intern_v4(uint32_t v, bool* added = nullptr);
    std::optional<uint32_t> find(const IpAddress& a) const noexcept;
    const IpAddress& address(uint32_t id) const noexcept { return addresses_[id]; }
    size_t size() const noexcept { return addresses_.size(); }  // including the null slot 0
    // Forgets the address interned last (size() > 1), as Dictionary::pop_back.
    void pop_back() noexcept;
    void shrink_to_fit();
    size_t memory_bytes() const noexcept;

private:
    std::vector<IpAddress> addresses_;
    IdIndex index_;
};

// A value on its way into a column (Column::append_pending): a number, an id or a code as the
// column's kind takes it, or null.
struct PendingValue {
    uint64_t value;
    bool null;
};

// A bitmap that costs nothing until the first null is recorded.
class NullMask {
public:
    bool any() const noexcept { return !bits_.empty(); }
    bool is_null(size_t row) const noexcept {
        return (row >> 6) < bits_.size() && ((bits_[row >> 6] >> (row & 63)) & 1u);
    }
    void set_null(size_t row);
    void shrink_to_fit() { bits_.shrink_to_fit(); }
    size_t memory_bytes() const noexcept { return bits_.capacity() * sizeof(uint64_t); }
    // Bit r of word r/64 is set when row r is null; rows past the end are not null.
    const std::vector<uint64_t>& words() const noexcept { return bits_; }

private:
    friend struct DataTransferAccess;
    std::vector<uint64_t> bits_;
};

// The escape mark of a 4-byte counter: counters of 2^32 - 1 and more always live in escapes().
inline constexpr uint32_t kWideCounter = 0xFFFFFFFFu;

// The rows of a column whose value does not fit its narrow storage, in increasing row order,
// with their true values (for `end`: the absolute time). 12 bytes an escape.
class Escapes {
public:
    size_t size() const noexcept { return rows_.size(); }
    bool empty() const noexcept { return rows_.empty(); }
    uint32_t row(size_t i) const noexcept { return rows_[i]; }
    uint64_t value(size_t i) const noexcept { return values_[i]; }
    // The index of the first escape at or after `row`: O(log size()).
    size_t lower_bound(size_t row) const noexcept;
    // The value of an escaped row (0 if `row` is not escaped): O(log size()).
    uint64_t find(size_t row) const noexcept;
    // The index of the first escape at or after `row`, searched from index `from` onwards when
    // that is not past it (a cursor moving forward), else from the start.
    size_t seek(size_t from, size_t row) const noexcept;
    size_t memory_bytes() const noexcept { return rows_.capacity() * 4 + values_.capacity() * 8; }

private:
    friend class Column;
    friend struct DataTransferAccess;
    std::vector<uint32_t> rows_;
    std::vector<uint64_t> values_;
};

// Reads escaped values during a pass over rows in increasing order: a cursor that moves
// forward, so a whole pass costs O(rows read + escapes). Reading behind the cursor is correct
// too (it seeks by binary search). The row read must be escaped.
class EscapeReader {
public:
    EscapeReader() = default;
    explicit EscapeReader(const Escapes& e) noexcept : e_(&e) {}
    uint64_t operator()(size_t row) noexcept {
        // Small enough to inline into row loops. The cursor's movement is out of line and takes
        // and returns it by value: a call given `this` would pin the caller's views to memory.
        if (next_ < e_->size() && e_->row(next_) == row) return e_->value(next_);
        next_ = e_->seek(next_, row);
        return next_ < e_->size() ? e_->value(next_) : 0;
    }

private:
    const Escapes* e_ = nullptr;
    size_t next_ = 0;
};

// A column's stored integers at whatever width, read without a branch: a 4-byte load at the
// row's offset, masked to the width (columns keep 3 bytes of zeros past their last row for
// this). For row loops that read several columns, where instantiating the loop per
// combination of widths is out of the question and a branch per read costs registers and
// time. False for a missing column.
struct StoredView {
    static_assert(std::endian::native == std::endian::little, "reads the low bytes of a 4-byte load");
    const unsigned char* bytes = nullptr;
    uint32_t mask = 0;   // 0 for a missing column
    uint8_t shift = 0;   // log2(width)

    explicit operator bool() const noexcept { return mask != 0; }
    uint32_t operator[](size_t row) const noexcept {
        uint32_t v;
        std::memcpy(&v, bytes + (row << shift), sizeof v);
        return v & mask;
    }
};

class Column {
public:
    // `base`: for `end`, the `start` column it is stored relative to (see the contract). Used
    // only when both are Time columns and `base` has no base of its own; the Store passes it.
    Column(std::string name, FieldKind kind, const FieldInfo* info = nullptr, const Column* base = nullptr);
    Column(const Column&) = delete;
    Column& operator=(const Column&) = delete;

    std::string name;
    FieldKind kind = FieldKind::Text;
    const FieldInfo* info = nullptr;  // nullptr for a field FlowLens does not know
    NullMask nulls;                   // Small, Flags, Port, Counter, Time
    Dictionary dict;                  // Enum, Text

    size_t size() const noexcept { return size_; }
    bool is_null(size_t row) const noexcept;
    // The numeric value of Small, Flags, Port, Counter and Time rows (0 when null); the id or
    // code for Address, Enum and Text rows.
    uint64_t number(size_t row) const noexcept;
    // Address, Enum and Text columns hold ids or codes (0 = null, no null mask); the others
    // numbers.
    bool holds_ids() const noexcept {
        return kind == FieldKind::Address || kind == FieldKind::Enum || kind == FieldKind::Text;
    }
    // The id or code of an Address, Enum or Text row (0 = null).
    uint32_t code(size_t row) const noexcept { return stored(row); }

    // ---- storage, for query loops ----
    unsigned width() const noexcept { return width_; }  // bytes per row: 1, 2 or 4
    // Calls f(const T* stored) with T = uint8_t, uint16_t or uint32_t as width() says, and
    // returns what f returns. stored[0, size()) are the rows.
    template <class F>
    decltype(auto) visit_stored(F&& f) const {
        switch (width_) {
            case 1: return f(u8_.data());
            case 2: return f(u16_.data());
            default: return f(u32_.data());
        }
    }
    StoredView stored_view() const noexcept;
    // The stored array when width() == sizeof(T), else nullptr: for kinds of a fixed width.
    template <class T>
    const T* stored_as() const noexcept {
        if (sizeof(T) != width_) return nullptr;
        if constexpr (sizeof(T) == 1) return u8_.data();
        else if constexpr (sizeof(T) == 2) return u16_.data();
        else return u32_.data();
    }
    uint32_t stored(size_t row) const noexcept {
        return width_ == 1 ? u8_[row] : width_ == 2 ? u16_[row] : u32_[row];
    }
    // Counter and delta Time columns: a stored value equal to escape_mark() means "see
    // escapes()". Other kinds never escape: for them the mark is an ordinary value.
    bool escapable() const noexcept { return kind == FieldKind::Counter || base_ != nullptr; }
    uint32_t escape_mark() const noexcept { return width_ == 4 ? 0xFFFFFFFFu : (1u << (8 * width_)) - 1; }
    const Escapes& escapes() const noexcept { return escapes_; }
    // The column this one is stored relative to (`end` -> `start`), or nullptr: a row's value is
    // base()->stored(row) + stored(row) unless the row is null or escaped.
    const Column* base() const noexcept { return base_; }

    // ---- appending (the parser's side); each appends exactly one row ----
    // The common cases are inline (the loader appends a value per column per record); widening,
    // escapes and nulls take the out-of-line paths.
    void append_null();
    // Small, Flags, Port, Counter, Time (caller checked range)
#if defined(__GNUC__) || defined(__clang__)
    [[gnu::always_inline]]
#endif
    void append_number(uint64_t v) {
        switch (kind) {
            case FieldKind::Small:
            case FieldKind::Port:
            case FieldKind::Flags: push(static_cast<uint32_t>(v)); return;
            case FieldKind::Counter:
                if (v < escape_mark()) {
                    push(static_cast<uint32_t>(v));
                    return;
                }
                break;
            case FieldKind::Time:
                if (!base_) {
                    push(static_cast<uint32_t>(v));
                    return;
                }
                if (size_ < base_->size_) {
                    const uint32_t b = base_->stored(size_);
                    if (v >= b && v - b < escape_mark()) {
                        push(static_cast<uint32_t>(v - b));
                        return;
                    }
                }
                break;
            default: break;
        }
        append_number_slow(v);
    }
    // Address id, Enum/Text code
    void append_id(uint32_t id) {
        // Ids only grow, so one widening per width at most: amortised O(1) per row.
        if (id > escape_mark()) [[unlikely]]
            widen(id <= 0xFFFF ? 2 : 4);
        push(id);
    }
    // Appends the values in order, each exactly as append_null, append_id (Address, Enum, Text)
    // or append_number (the rest) would: the same rows, width, escapes and nulls. An id column
    // first widens once for the batch's largest id; then the values go in bulk while they fit
    // the column as they are, and a value that needs an escape goes the one-row way. The
    // parser's batches (record_parser.hpp).
    void append_pending(std::span<const PendingValue> values);
    // append nulls until size() == rows
    void pad_to(size_t rows) {
        while (size_ < rows) [[unlikely]]
            append_null();
    }
    // Appends every row of `src` (same kind, from another store; its base, if any, is that
    // store's `start`), as append_number/append_id/append_null would one row at a time, in bulk
    // loops: ids and codes go through `remap` (remap[src code] = the id or code here; empty =
    // unchanged; it must cover every code src holds), numbers are re-encoded at this column's
    // width, escapes and base, nulls stay null. This column's base, if any, must already hold
    // the appended rows. O(src rows).
    void append_column(const Column& src, std::span<const uint32_t> remap);
    // Room for `rows` rows in all (at the current width, and at any width it widens to later):
    // a loader that can tell how many rows are coming reserves them once instead of growing by
    // doubling, which copies the column into new pages each time.
    void reserve_rows(size_t rows);
    // Frees unused capacity, except a row array's slack of at most a quarter of its rows (slack
    // a reservation left: never written, so it holds no pages, and shrinking would copy the
    // array). Values, widths and escapes are unchanged.
    void shrink_to_fit();
    size_t memory_bytes() const noexcept;

private:
    friend struct DataTransferAccess;
    // Makes room for `n` more rows at the current width and returns where row size() goes;
    // the caller writes all n, then adds n to size_. Capacity grows to fit exactly.
    template <class T>
    T* extend(std::vector<T>& v, size_t n);
    // Inlined into the loader's per-value appends (out of line it was 5% of the load).
#if defined(__GNUC__) || defined(__clang__)
    [[gnu::always_inline]]
#endif
    void push(uint32_t v) {  // v fits width_
        // The padding moves up by one element and the row takes the first padding slot.
        switch (width_) {
            case 1:
                u8_.push_back(0);
                u8_[size_] = static_cast<uint8_t>(v);
                break;
            case 2:
                u16_.push_back(0);
                u16_[size_] = static_cast<uint16_t>(v);
                break;
            default: u32_.push_back(v); break;
        }
        ++size_;
    }
    void append_number_slow(uint64_t v);
    // What append_pending's loop checks for each value: nothing but nulls (Plain), nothing at all
    // (Ids: 0 is null), the escape mark (Counter), the row's start and the mark (Based).
    enum class FitMode : uint8_t { Plain, Ids, Counter, Based };
    template <class F>
    static decltype(auto) visit_fit(FitMode m, F&& f) {
        switch (m) {
            case FitMode::Ids: return f(std::integral_constant<FitMode, FitMode::Ids>{});
            case FitMode::Counter: return f(std::integral_constant<FitMode, FitMode::Counter>{});
            case FitMode::Based: return f(std::integral_constant<FitMode, FitMode::Based>{});
            default: return f(std::integral_constant<FitMode, FitMode::Plain>{});
        }
    }
    template <class T, FitMode M>
    size_t append_fitting(std::vector<T>& v, std::span<const PendingValue> values);
    void set(size_t row, uint32_t v) noexcept;
    void widen(uint8_t to);
    // The stored form of `value` in `row` if it fits below the escape mark.
    std::optional<uint32_t> encode(size_t row, uint64_t value) const noexcept;
    void append_escapable(uint64_t value);

    uint8_t width_ = 1;
    size_t size_ = 0;
    // Exactly one is used, by width_: size_ rows, then zeros up to 3 bytes (StoredView's load).
    std::vector<uint8_t> u8_;
    std::vector<uint16_t> u16_;
    std::vector<uint32_t> u32_;
    Escapes escapes_;
    const Column* base_ = nullptr;
    size_t reserved_rows_ = 0;  // reserve_rows(): kept for the arrays widening makes
};

// Where a run of rows came from: rows [first_row, next span's first_row) belong to `file`.
struct FileSpan {
    uint32_t first_row;
    uint32_t file;
};

class Store {
public:
    size_t rows() const noexcept { return rows_; }

    const Column* find(std::string_view name) const noexcept;
    Column* find(std::string_view name) noexcept;
    const std::vector<std::unique_ptr<Column>>& columns() const noexcept { return columns_; }
    const AddressTable& addresses() const noexcept { return addresses_; }
    AddressTable& addresses() noexcept { return addresses_; }

    // The column called `name`, created (null for every earlier row) when absent. Column
    // pointers stay valid for the store's lifetime.
    Column& column(std::string_view name);

    // Declares that one more row has been appended to some columns; others get null lazily.
    void commit_row() noexcept { ++rows_; }
    void commit_rows(size_t n) noexcept { rows_ += n; }
    // Pads every column to rows(). Must run before a query sees the store.
    void pad_columns();

    // Gives back the capacity slack of every column (see Column::shrink_to_fit), dictionary and
    // the address table. Call it once loading ends: each column is copied to an exact-size
    // buffer in turn, so the peak is one column's size, O(store size) time. Loading more
    // afterwards is correct (growth resumes by doubling).
    void shrink_to_fit();
    // Column::reserve_rows(rows) for every column, now and as they are made.
    void reserve_rows(size_t rows);

    // Registers a source file by name and returns its number; rows appended after
    // begin_file(number) belong to it.
    uint32_t add_file(std::string name);
    const std::vector<std::string>& file_names() const noexcept { return file_names_; }
    // Rows appended from now on belong to file number `file`.
    void begin_file(uint32_t file);
    // The file number row `row` came from: O(log files).
    uint32_t file_of(size_t row) const noexcept;
    // The runs of rows per file, in row order (for range-wise work such as the `file` filter).
    const std::vector<FileSpan>& spans() const noexcept { return spans_; }

    // Heap bytes held by columns, dictionaries and the address table (capacity, not size).
    size_t memory_bytes() const noexcept;

private:
    friend struct DataTransferAccess;
    size_t rows_ = 0;
    std::vector<std::unique_ptr<Column>> columns_;
    std::unordered_map<std::string, Column*, StringHash, std::equal_to<>> by_name_;
    AddressTable addresses_;
    std::vector<FileSpan> spans_;
    std::vector<std::string> file_names_;
    size_t reserved_rows_ = 0;
};

}  // namespace flowlens
