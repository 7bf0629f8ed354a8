// store.hpp — the columnar store every query runs over.
//
// Contract:
// - A Store holds N rows (records) in named Columns, one per field seen in any loaded file.
//   Every column has exactly rows() entries once pad_columns() has run (the loader calls it at
//   the end of every file); a field a file does not have is null in that file's rows.
// - Storage is narrow on purpose (a default-format record costs well under 40 bytes):
//     Small/Enum -> 1 byte, Port/Flags -> 2 bytes, Counter/Time/Address/Text -> 4 bytes,
//   plus a 1-bit null mask for numeric kinds (allocated only when a null occurs).
//   Counters are 64-bit in meaning: values >= kWideCounter live in a side map (rare).
//   Addresses are interned in one AddressTable shared by all address columns, so the same
//   address has the same id in srcaddr, dstaddr, pkt-srcaddr and pkt-dstaddr. Id 0 = null.
//   Enum and Text values are dictionary-encoded per column. Code 0 = null.
// - Row numbers are uint32: a store holds at most 4,294,967,295 records.
// - Nothing here throws except std::bad_alloc; reading a column is O(1) per row.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "flowlens/fields.hpp"
#include "flowlens/ip_address.hpp"

namespace flowlens {

// Transparent hashing so lookups by string_view never allocate.
struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// Interned strings. Code 0 is reserved for null; real values get 1, 2, …
class Dictionary {
public:
    Dictionary();
    uint32_t intern(std::string_view value);
    std::optional<uint32_t> find(std::string_view value) const noexcept;
    // Like find() but ignores ASCII case: for enumerations, where users type `reject` or `REJECT`.
    std::optional<uint32_t> find_ignore_case(std::string_view value) const noexcept;
    std::string_view value(uint32_t code) const noexcept { return values_[code]; }
    size_t size() const noexcept { return values_.size(); }  // including the null slot
    size_t memory_bytes() const noexcept;

private:
    std::vector<std::string> values_;
    std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> index_;
};

class AddressTable {
public:
    AddressTable();
    uint32_t intern(const IpAddress& a);
    std::optional<uint32_t> find(const IpAddress& a) const noexcept;
    const IpAddress& address(uint32_t id) const noexcept { return addresses_[id]; }
    size_t size() const noexcept { return addresses_.size(); }  // including the null slot 0
    size_t memory_bytes() const noexcept;

private:
    std::vector<IpAddress> addresses_;
    std::unordered_map<IpAddress, uint32_t, IpAddressHash> index_;
};

// A bitmap that costs nothing until the first null is recorded.
class NullMask {
public:
    bool any() const noexcept { return !bits_.empty(); }
    bool is_null(size_t row) const noexcept {
        return (row >> 6) < bits_.size() && ((bits_[row >> 6] >> (row & 63)) & 1u);
    }
    void set_null(size_t row);
    size_t memory_bytes() const noexcept { return bits_.capacity() * sizeof(uint64_t); }
    // Bit r of word r/64 is set when row r is null; rows past the end are not null.
    const std::vector<uint64_t>& words() const noexcept { return bits_; }

private:
    std::vector<uint64_t> bits_;
};

inline constexpr uint32_t kWideCounter = 0xFFFFFFFFu;

struct Column {
    std::string name;
    FieldKind kind = FieldKind::Text;
    const FieldInfo* info = nullptr;  // nullptr for a field FlowLens does not know

    // Exactly one of these vectors is used, by kind:
    std::vector<uint8_t> u8;    // Small (value), Enum (code)
    std::vector<uint16_t> u16;  // Port, Flags
    std::vector<uint32_t> u32;  // Counter (value or kWideCounter), Time, Address (id), Text (code)
    std::unordered_map<uint32_t, uint64_t> wide;  // Counter rows whose value >= kWideCounter
    NullMask nulls;                               // Small, Flags, Port, Counter, Time
    Dictionary dict;                              // Enum, Text

    size_t size() const noexcept;
    bool is_null(size_t row) const noexcept;
    // The numeric value of Small, Flags, Port, Counter and Time rows (0 when null); the id or
    // code for Address, Enum and Text rows.
    uint64_t number(size_t row) const noexcept;
    // Dictionary code of an Enum/Text row (0 = null).
    uint32_t code(size_t row) const noexcept { return kind == FieldKind::Enum ? u8[row] : u32[row]; }

    // Appending (the parser's side). Each appends exactly one row.
    void append_null();
    void append_number(uint64_t v);  // Small, Flags, Port, Counter, Time (caller checked range)
    void append_id(uint32_t id);     // Address id, Enum/Text code
    void pad_to(size_t rows);        // append nulls until size() == rows
    size_t memory_bytes() const noexcept;
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
    // Pads every column to rows(). Must run before a query sees the store.
    void pad_columns();

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

    // Heap bytes held by columns, dictionaries and the address table.
    size_t memory_bytes() const noexcept;

private:
    size_t rows_ = 0;
    std::vector<std::unique_ptr<Column>> columns_;
    std::unordered_map<std::string, Column*, StringHash, std::equal_to<>> by_name_;
    AddressTable addresses_;
    std::vector<FileSpan> spans_;
    std::vector<std::string> file_names_;
};

}  // namespace flowlens
