#include "flowlens/store.hpp"

#include <algorithm>

#include "flowlens/text.hpp"

namespace flowlens {

Dictionary::Dictionary() { values_.emplace_back(); }

uint32_t Dictionary::intern(std::string_view value) {
    if (auto it = index_.find(value); it != index_.end()) return it->second;
    auto code = static_cast<uint32_t>(values_.size());
    values_.emplace_back(value);
    index_.emplace(values_.back(), code);
    return code;
}

std::optional<uint32_t> Dictionary::find(std::string_view value) const noexcept {
    if (auto it = index_.find(value); it != index_.end()) return it->second;
    return std::nullopt;
}

std::optional<uint32_t> Dictionary::find_ignore_case(std::string_view value) const noexcept {
    if (auto exact = find(value)) return exact;
    for (uint32_t code = 1; code < values_.size(); ++code)
        if (iequals(values_[code], value)) return code;
    return std::nullopt;
}

size_t Dictionary::memory_bytes() const noexcept {
    size_t n = values_.capacity() * sizeof(std::string) + index_.bucket_count() * sizeof(void*) +
               index_.size() * (sizeof(std::string) + sizeof(uint32_t) + 2 * sizeof(void*));
    for (const auto& v : values_)
        if (v.size() > 15) n += 2 * v.capacity();  // the value and its copy in the index
    return n;
}

AddressTable::AddressTable() { addresses_.emplace_back(); }

uint32_t AddressTable::intern(const IpAddress& a) {
    auto [it, inserted] = index_.try_emplace(a, static_cast<uint32_t>(addresses_.size()));
    if (inserted) addresses_.push_back(a);
    return it->second;
}

std::optional<uint32_t> AddressTable::find(const IpAddress& a) const noexcept {
    if (auto it = index_.find(a); it != index_.end()) return it->second;
    return std::nullopt;
}

size_t AddressTable::memory_bytes() const noexcept {
    return addresses_.capacity() * sizeof(IpAddress) + index_.bucket_count() * sizeof(void*) +
           index_.size() * (sizeof(IpAddress) + sizeof(uint32_t) + 2 * sizeof(void*));
}

void NullMask::set_null(size_t row) {
    if ((row >> 6) >= bits_.size()) bits_.resize((row >> 6) + 1, 0);
    bits_[row >> 6] |= uint64_t{1} << (row & 63);
}

size_t Column::size() const noexcept {
    switch (kind) {
        case FieldKind::Small:
        case FieldKind::Enum: return u8.size();
        case FieldKind::Port:
        case FieldKind::Flags: return u16.size();
        default: return u32.size();
    }
}

bool Column::is_null(size_t row) const noexcept {
    switch (kind) {
        case FieldKind::Address:
        case FieldKind::Text: return u32[row] == 0;
        case FieldKind::Enum: return u8[row] == 0;
        default: return nulls.is_null(row);
    }
}

uint64_t Column::number(size_t row) const noexcept {
    switch (kind) {
        case FieldKind::Small:
        case FieldKind::Enum: return u8[row];
        case FieldKind::Port:
        case FieldKind::Flags: return u16[row];
        case FieldKind::Counter: {
            uint32_t v = u32[row];
            if (v != kWideCounter) return v;
            auto it = wide.find(static_cast<uint32_t>(row));
            return it == wide.end() ? 0 : it->second;
        }
        default: return u32[row];
    }
}

void Column::append_null() {
    size_t row = size();
    switch (kind) {
        case FieldKind::Enum: u8.push_back(0); return;
        case FieldKind::Address:
        case FieldKind::Text: u32.push_back(0); return;
        case FieldKind::Small: u8.push_back(0); break;
        case FieldKind::Port:
        case FieldKind::Flags: u16.push_back(0); break;
        case FieldKind::Counter:
        case FieldKind::Time: u32.push_back(0); break;
    }
    nulls.set_null(row);
}

void Column::append_number(uint64_t v) {
    switch (kind) {
        case FieldKind::Small: u8.push_back(static_cast<uint8_t>(v)); return;
        case FieldKind::Port:
        case FieldKind::Flags: u16.push_back(static_cast<uint16_t>(v)); return;
        case FieldKind::Counter:
            if (v >= kWideCounter) {
                wide.emplace(static_cast<uint32_t>(u32.size()), v);
                u32.push_back(kWideCounter);
            } else {
                u32.push_back(static_cast<uint32_t>(v));
            }
            return;
        case FieldKind::Time: u32.push_back(static_cast<uint32_t>(v)); return;
        default: append_id(static_cast<uint32_t>(v)); return;
    }
}

void Column::append_id(uint32_t id) {
    if (kind == FieldKind::Enum)
        u8.push_back(static_cast<uint8_t>(id));
    else
        u32.push_back(id);
}

void Column::pad_to(size_t rows) {
    while (size() < rows) append_null();
}

size_t Column::memory_bytes() const noexcept {
    return u8.capacity() + u16.capacity() * 2 + u32.capacity() * 4 + wide.size() * 32 + nulls.memory_bytes() +
           (kind == FieldKind::Enum || kind == FieldKind::Text ? dict.memory_bytes() : 0);
}

const Column* Store::find(std::string_view name) const noexcept {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
}

Column* Store::find(std::string_view name) noexcept {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
}

Column& Store::column(std::string_view name) {
    if (Column* c = find(name)) return *c;
    auto col = std::make_unique<Column>();
    col->name = std::string(name);
    col->info = find_field(name);
    col->kind = col->info ? col->info->kind : FieldKind::Text;
    col->pad_to(rows_);
    Column* raw = col.get();
    columns_.push_back(std::move(col));
    by_name_.emplace(raw->name, raw);
    return *raw;
}

void Store::pad_columns() {
    for (auto& c : columns_) c->pad_to(rows_);
}

uint32_t Store::add_file(std::string name) {
    file_names_.push_back(std::move(name));
    return static_cast<uint32_t>(file_names_.size() - 1);
}

void Store::begin_file(uint32_t file) {
    auto first = static_cast<uint32_t>(rows_);
    if (!spans_.empty() && spans_.back().first_row == first)
        spans_.back().file = file;
    else
        spans_.push_back({first, file});
}

uint32_t Store::file_of(size_t row) const noexcept {
    auto it = std::upper_bound(spans_.begin(), spans_.end(), row,
                               [](size_t r, const FileSpan& s) { return r < s.first_row; });
    return it == spans_.begin() ? 0 : std::prev(it)->file;
}

size_t Store::memory_bytes() const noexcept {
    size_t n = addresses_.memory_bytes() + spans_.capacity() * sizeof(FileSpan);
    for (const auto& c : columns_) n += c->memory_bytes() + sizeof(Column);
    return n;
}

}  // namespace flowlens
