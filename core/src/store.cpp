#include "flowlens/store.hpp"

#include <algorithm>
#include <bit>
#include <type_traits>

#include "flowlens/text.hpp"

namespace flowlens {
namespace {

constexpr uint32_t max_of(unsigned width) noexcept { return width == 4 ? 0xFFFFFFFFu : (1u << (8 * width)) - 1; }

// Elements of zeros kept after the last row so that a 4-byte load at any row stays inside.
constexpr size_t padding(unsigned width) noexcept { return (4 - width) / width; }

// The first `rows` elements of `from`, converted, followed by the padding of T's width, with
// room for `room` rows.
template <class T, class U>
std::vector<T> widened(const std::vector<U>& from, size_t rows, size_t room) {
    std::vector<T> to;
    to.reserve(std::max(rows, room) + padding(sizeof(T)));
    to.assign(from.begin(), from.begin() + static_cast<std::ptrdiff_t>(rows));
    to.resize(rows + padding(sizeof(T)));
    return to;
}

// The strings a std::string keeps outside itself (libstdc++ and libc++ hold up to 15 inline).
size_t heap_bytes(const std::string& s) noexcept { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

}  // namespace

// ---- IdIndex -----------------------------------------------------------------------------------

void IdIndex::insert(size_t hash, uint32_t id) {
    if ((size_ + 1) * 4 > slots_.size() * 3) {
        std::vector<uint64_t> old(std::max<size_t>(16, slots_.size() * 2), 0);
        old.swap(slots_);
        shift_ = 32 - std::countr_zero(slots_.size());
        for (uint64_t s : old)
            if (s) place(s);
    }
    place(tag_of(hash) | id);
    ++size_;
}

void IdIndex::place(uint64_t slot) noexcept {
    const size_t mask = slots_.size() - 1;
    size_t i = start(static_cast<size_t>(slot >> 32));  // the tag is the hash's low 32 bits
    while (slots_[i]) i = (i + 1) & mask;
    slots_[i] = slot;
}

void IdIndex::erase(size_t hash, uint32_t id) noexcept {
    if (slots_.empty()) return;
    const size_t mask = slots_.size() - 1;
    const uint64_t want = tag_of(hash) | id;
    size_t hole = start(hash);
    for (; slots_[hole] != want; hole = (hole + 1) & mask)
        if (slots_[hole] == 0) return;
    // Backward shift: an entry further along the run moves into the hole unless its probe
    // starts after the hole (cyclically), so that every probe still reaches its entry without
    // crossing an empty slot. No tombstones: the index stays as if the id had never come.
    for (size_t j = (hole + 1) & mask; slots_[j] != 0; j = (j + 1) & mask) {
        const size_t home = start(static_cast<size_t>(slots_[j] >> 32));
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            slots_[hole] = slots_[j];
            hole = j;
        }
    }
    slots_[hole] = 0;
    --size_;
}

// ---- Dictionary ------------------------------------------------------------------------------

Dictionary::Dictionary() { values_.emplace_back(); }

uint32_t Dictionary::intern(std::string_view value, bool* added) {
    const size_t h = StringHash{}(value);
    if (auto code = index_.find(h, [&](uint32_t c) { return values_[c] == value; })) return *code;
    auto code = static_cast<uint32_t>(values_.size());
    values_.emplace_back(value);
    index_.insert(h, code);
    if (added) *added = true;
    return code;
}

std::optional<uint32_t> Dictionary::find(std::string_view value) const noexcept {
    return index_.find(StringHash{}(value), [&](uint32_t c) { return values_[c] == value; });
}

std::optional<uint32_t> Dictionary::find_ignore_case(std::string_view value) const noexcept {
    if (auto exact = find(value)) return exact;
    for (uint32_t code = 1; code < values_.size(); ++code)
        if (iequals(values_[code], value)) return code;
    return std::nullopt;
}

void Dictionary::pop_back() noexcept {
    index_.erase(StringHash{}(values_.back()), static_cast<uint32_t>(values_.size() - 1));
    values_.pop_back();
}

void Dictionary::shrink_to_fit() { values_.shrink_to_fit(); }

size_t Dictionary::memory_bytes() const noexcept {
    size_t n = values_.capacity() * sizeof(std::string) + index_.memory_bytes();
    for (const auto& v : values_) n += heap_bytes(v);
    return n;
}

// ---- AddressTable ----------------------------------------------------------------------------

AddressTable::AddressTable() { addresses_.emplace_back(); }

uint32_t AddressTable::intern(const IpAddress& a, bool* added) {
    const size_t h = IpAddressHash{}(a);
    if (auto id = index_.find(h, [&](uint32_t i) { return addresses_[i] == a; })) return *id;
    auto id = static_cast<uint32_t>(addresses_.size());
    addresses_.push_back(a);
    index_.insert(h, id);
    if (added) *added = true;
    return id;
}

uint32_t AddressTable::intern_v4(uint32_t v, bool* added) {
    // The same hash as IpAddressHash{}(IpAddress::from_v4(v)), so both paths share one index:
    // there the address's last 8 bytes, loaded little-endian, are 0 0 0 0 a b c d.
    static_assert(std::endian::native == std::endian::little, "mirrors IpAddressHash's 8-byte loads");
    const uint32_t be = ((v & 0xFFu) << 24) | ((v & 0xFF00u) << 8) | ((v >> 8) & 0xFF00u) | (v >> 24);
    uint64_t h = ((uint64_t{be} << 32) ^ 0x51ED27ull) * 0xBF58476D1CE4E5B9ull;
    const auto hash = static_cast<size_t>(h ^ (h >> 31));
    if (auto id = index_.find(hash, [&](uint32_t i) { return addresses_[i].v4 && addresses_[i].v4_value() == v; }))
        return *id;
    auto id = static_cast<uint32_t>(addresses_.size());
    addresses_.push_back(IpAddress::from_v4(v));
    index_.insert(hash, id);
    if (added) *added = true;
    return id;
}

std::optional<uint32_t> AddressTable::find(const IpAddress& a) const noexcept {
    return index_.find(IpAddressHash{}(a), [&](uint32_t i) { return addresses_[i] == a; });
}

void AddressTable::pop_back() noexcept {
    // IpAddressHash: the hash intern_v4 computes for a v4 address too (one index for both).
    index_.erase(IpAddressHash{}(addresses_.back()), static_cast<uint32_t>(addresses_.size() - 1));
    addresses_.pop_back();
}

void AddressTable::shrink_to_fit() { addresses_.shrink_to_fit(); }

size_t AddressTable::memory_bytes() const noexcept {
    return addresses_.capacity() * sizeof(IpAddress) + index_.memory_bytes();
}

// ---- NullMask, Escapes -----------------------------------------------------------------------

void NullMask::set_null(size_t row) {
    if ((row >> 6) >= bits_.size()) bits_.resize((row >> 6) + 1, 0);
    bits_[row >> 6] |= uint64_t{1} << (row & 63);
}

size_t Escapes::lower_bound(size_t row) const noexcept {
    return static_cast<size_t>(std::lower_bound(rows_.begin(), rows_.end(), row,
                                                [](uint32_t r, size_t x) { return r < x; }) -
                               rows_.begin());
}

uint64_t Escapes::find(size_t row) const noexcept {
    size_t i = lower_bound(row);
    return i < rows_.size() && rows_[i] == row ? values_[i] : 0;
}

size_t Escapes::seek(size_t from, size_t row) const noexcept {
    const size_t n = rows_.size();
    if (from >= n || rows_[from] > row) return lower_bound(row);  // behind: a new pass
    // Forward: a few steps cover the usual gap; a long one (a sparse selection) searches.
    for (int k = 0; k < 8 && from < n && rows_[from] < row; ++k) ++from;
    if (from < n && rows_[from] < row)
        from = static_cast<size_t>(std::lower_bound(rows_.begin() + static_cast<std::ptrdiff_t>(from), rows_.end(), row,
                                                    [](uint32_t r, size_t x) { return r < x; }) -
                                   rows_.begin());
    return from;
}

// ---- Column ----------------------------------------------------------------------------------

Column::Column(std::string n, FieldKind k, const FieldInfo* i, const Column* base)
    : name(std::move(n)),
      kind(k),
      info(i),
      base_(k == FieldKind::Time && base && base->kind == FieldKind::Time && !base->base() ? base : nullptr) {
    switch (kind) {
        case FieldKind::Port:
        case FieldKind::Flags: width_ = 2; break;
        // Absolute seconds need 4 bytes; a difference from `start` usually needs one.
        case FieldKind::Time: width_ = base_ ? 1 : 4; break;
        default: width_ = 1; break;  // Small; ids, codes and counters start narrow and widen
    }
    if (width_ == 1) u8_.assign(padding(1), 0);
    if (width_ == 2) u16_.assign(padding(2), 0);
}

StoredView Column::stored_view() const noexcept {
    StoredView v;
    v.mask = max_of(width_);
    v.shift = static_cast<uint8_t>(std::countr_zero(unsigned{width_}));
    v.bytes = width_ == 1   ? u8_.data()
              : width_ == 2 ? reinterpret_cast<const unsigned char*>(u16_.data())
                            : reinterpret_cast<const unsigned char*>(u32_.data());
    return v;
}

bool Column::is_null(size_t row) const noexcept {
    switch (kind) {
        case FieldKind::Address:
        case FieldKind::Enum:
        case FieldKind::Text: return stored(row) == 0;
        default: return nulls.is_null(row);
    }
}

uint64_t Column::number(size_t row) const noexcept {
    const uint32_t x = stored(row);
    if (!escapable()) return x;
    if (x == 0 && nulls.is_null(row)) return 0;  // a null `end` must not read as its start
    if (x == escape_mark()) return escapes_.find(row);
    return base_ ? uint64_t{base_->stored(row)} + x : x;
}

void Column::set(size_t row, uint32_t v) noexcept {
    switch (width_) {
        case 1: u8_[row] = static_cast<uint8_t>(v); break;
        case 2: u16_[row] = static_cast<uint16_t>(v); break;
        default: u32_[row] = v; break;
    }
}

std::optional<uint32_t> Column::encode(size_t row, uint64_t value) const noexcept {
    if (base_) {
        if (row >= base_->size()) return std::nullopt;  // the row's start is not known yet
        const uint32_t b = base_->stored(row);            // 0 when start is null
        if (value < b) return std::nullopt;
        value -= b;
    }
    if (value >= escape_mark()) return std::nullopt;
    return static_cast<uint32_t>(value);
}

void Column::widen(uint8_t to) {
    if (to == 2) {
        u16_ = widened<uint16_t>(u8_, size_, reserved_rows_);
        std::vector<uint8_t>().swap(u8_);
    } else if (width_ == 1) {
        u32_ = widened<uint32_t>(u8_, size_, reserved_rows_);
        std::vector<uint8_t>().swap(u8_);
    } else {
        u32_ = widened<uint32_t>(u16_, size_, reserved_rows_);
        std::vector<uint16_t>().swap(u16_);
    }
    width_ = to;
    if (!escapable()) return;
    // Escaped rows hold the old mark, which is an ordinary value now: re-encode each of them,
    // inline when it fits the new width, else under the new mark.
    size_t kept = 0;
    for (size_t i = 0; i < escapes_.size(); ++i) {
        const uint32_t row = escapes_.rows_[i];
        const uint64_t value = escapes_.values_[i];
        if (auto s = encode(row, value)) {
            set(row, *s);
        } else {
            set(row, escape_mark());
            escapes_.rows_[kept] = row;
            escapes_.values_[kept] = value;
            ++kept;
        }
    }
    escapes_.rows_.resize(kept);
    escapes_.values_.resize(kept);
}

void Column::append_escapable(uint64_t value) {
    const size_t row = size();
    if (auto s = encode(row, value)) {
        push(*s);
        return;
    }
    escapes_.rows_.push_back(static_cast<uint32_t>(row));
    escapes_.values_.push_back(value);
    push(escape_mark());
    // An escape costs 12 bytes, and a mispredicted branch and a look-up in every query pass
    // that reads the column; widening costs `width` more bytes a row. Measured on the bench,
    // 2.5% of rows escaping (packets at two bytes) made every analysis pass 5-40% slower, so
    // the column widens once more than 1 row in 128 escapes: queries then barely notice, and
    // narrow storage stays far cheaper than wide (w*n + 12*n/128 < 2*w*n). The allowance of
    // 64 stops the first rows from deciding alone.
    while (width_ < 4 && escapes_.size() > (row + 1) / 128 + 64) widen(static_cast<uint8_t>(width_ * 2));
}

void Column::append_null() {
    const size_t row = size();
    push(0);
    if (!holds_ids()) nulls.set_null(row);
}

void Column::append_number_slow(uint64_t v) {
    switch (kind) {
        case FieldKind::Small:
        case FieldKind::Port:
        case FieldKind::Flags: push(static_cast<uint32_t>(v)); return;
        case FieldKind::Counter: append_escapable(v); return;
        case FieldKind::Time:
            if (base_)
                append_escapable(v);
            else
                push(static_cast<uint32_t>(v));
            return;
        default: append_id(static_cast<uint32_t>(v)); return;
    }
}

void Column::append_pending(std::span<const PendingValue> values) {
    if (holds_ids()) {
        // Ids only grow: widening once for the batch's largest gives the width that widening at
        // the first id too large would end with (as append_column does).
        uint64_t top = 0;
        for (const PendingValue& p : values) top = std::max(top, p.null ? 0 : p.value);
        if (top > escape_mark()) widen(top <= 0xFFFF ? 2 : 4);
    }
    // What every value of the batch needs checked is the same for the whole column: chosen once
    // here, so that the loop over the values has no test it does not need (the parse's flush
    // is a tenth of a load in wasm).
    const auto mode = holds_ids()                  ? FitMode::Ids
                      : base_ != nullptr             ? FitMode::Based
                      : kind == FieldKind::Counter   ? FitMode::Counter
                                                     : FitMode::Plain;
    size_t done = 0;
    while (done < values.size()) {
        const auto rest = values.subspan(done);
        done += visit_fit(mode, [&](auto m) {
            switch (width_) {
                case 1: return append_fitting<uint8_t, m.value>(u8_, rest);
                case 2: return append_fitting<uint16_t, m.value>(u16_, rest);
                default: return append_fitting<uint32_t, m.value>(u32_, rest);
            }
        });
        if (done == values.size()) break;
        const PendingValue& p = values[done++];  // it needs an escape (it may widen the column)
        append_number(p.value);                  // never null, never an id: those always fit
    }
}

// Appends values from the front of `values` while each is stored as it is (`end`: as its delta
// from the row's start) at the current width without an escape; returns how many it appended.
template <class T, Column::FitMode M>
size_t Column::append_fitting(std::vector<T>& v, std::span<const PendingValue> values) {
    const size_t n = values.size(), first = size_, pad = padding(sizeof(T));
    if (v.capacity() < first + n + pad) v.reserve(std::max(first + n + pad, v.capacity() * 2));  // as push_back
    v.resize(first + n + pad);
    T* const d = v.data() + first;
    const uint64_t mark = escape_mark();
    size_t k = 0;
    if constexpr (M == FitMode::Based) {
        for (; k < n; ++k) {
            const PendingValue& p = values[k];
            if (p.null) {
                nulls.set_null(first + k);
                d[k] = 0;
                continue;
            }
            if (first + k >= base_->size_) break;
            const uint32_t b = base_->stored(first + k);
            if (p.value < b || p.value - b >= mark) break;
            d[k] = static_cast<T>(p.value - b);
        }
    } else {
        for (; k < n; ++k) {
            const PendingValue& p = values[k];
            if constexpr (M == FitMode::Counter) {
                if (!p.null && p.value >= mark) break;
            }
            if constexpr (M != FitMode::Ids) {
                if (p.null) [[unlikely]]
                    nulls.set_null(first + k);
            }
            // A null is stored as 0 (its value is 0 too: PendingValue{0, true}).
            d[k] = static_cast<T>(p.null ? 0 : p.value);
        }
    }
    size_ = first + k;
    v.resize(size_ + pad);  // the rows not taken were never written: the padding stays zeros
    return k;
}

template <class T>
T* Column::extend(std::vector<T>& v, size_t n) {
    const size_t need = size_ + n + padding(sizeof(T));
    // Exactly: bulk appends are few (one per imported share), and doubling here would leave up
    // to half the merged column as slack in a wasm heap that never shrinks.
    if (v.capacity() < need) v.reserve(need);
    v.resize(need);  // the old padding is overwritten by rows; the new tail is zeros
    return v.data() + size_;
}

void Column::append_column(const Column& src, std::span<const uint32_t> remap) {
    const size_t n = src.size_;
    if (n == 0) return;
    const size_t first = size_;
    // Writes n translated values at the current width (which holds them all).
    auto copy_into = [&](auto& dst, auto&& translate) {
        auto* d = extend(dst, n);
        using T = std::remove_reference_t<decltype(*d)>;
        src.visit_stored([&](const auto* s) {
            for (size_t i = 0; i < n; ++i) d[i] = static_cast<T>(translate(s[i]));
        });
        size_ += n;
    };
    auto copy_all = [&](auto&& translate) {
        switch (width_) {
            case 1: copy_into(u8_, translate); break;
            case 2: copy_into(u16_, translate); break;
            default: copy_into(u32_, translate); break;
        }
    };
    if (holds_ids()) {
        // Null is id 0 on both sides (remap[0] == 0). Widen once, to the largest translated id,
        // instead of at whichever row first needs it: the same final width either way.
        uint32_t top = 0;
        if (remap.empty()) {
            src.visit_stored([&](const auto* s) {
                for (size_t i = 0; i < n; ++i) top = std::max<uint32_t>(top, s[i]);
            });
        } else {
            src.visit_stored([&](const auto* s) {
                for (size_t i = 0; i < n; ++i) top = std::max(top, remap[s[i]]);
            });
        }
        if (top > escape_mark()) widen(top <= 0xFFFF ? 2 : 4);
        if (remap.empty()) copy_all([](uint32_t x) { return x; });
        else copy_all([&](uint32_t x) { return remap[x]; });
        return;
    }
    if (!escapable() && !src.escapable() && width_ == src.width_) {
        // Small, Port, Flags and absolute Time: one fixed width per kind, so the stored
        // integers are the values on both sides.
        copy_all([](uint32_t x) { return x; });
        const auto& words = src.nulls.words();
        for (size_t w = 0; w < words.size(); ++w)
            for (uint64_t bits = words[w]; bits != 0; bits &= bits - 1)
                nulls.set_null(first + w * 64 + static_cast<size_t>(std::countr_zero(bits)));
        return;
    }
    // Counters and `end`: each value decoded on src's side (escapes, base) and re-encoded on
    // this one's by the ordinary append, whose fast path is inline.
    EscapeReader escaped(src.escapes_);
    const bool src_escapes = src.escapable();
    const uint32_t mark = src.escape_mark();
    const Column* src_base = src.base_;
    const bool has_nulls = src.nulls.any();
    // Room for all n at the current width at once, not by doubling (see extend).
    switch (width_) {
        case 1: u8_.reserve(size_ + n + padding(1)); break;
        case 2: u16_.reserve(size_ + n + padding(2)); break;
        default: u32_.reserve(size_ + n + padding(4)); break;
    }
    src.visit_stored([&](const auto* s) {
        for (size_t r = 0; r < n; ++r) {
            if (has_nulls && src.nulls.is_null(r)) {
                append_null();
                continue;
            }
            uint64_t v = s[r];
            if (src_escapes) {
                if (v == mark) v = escaped(r);
                else if (src_base) v += src_base->stored(r);
            }
            append_number(v);
        }
    });
}

void Column::reserve_rows(size_t rows) {
    reserved_rows_ = std::max(reserved_rows_, rows);
    switch (width_) {
        case 1: u8_.reserve(reserved_rows_ + padding(1)); break;
        case 2: u16_.reserve(reserved_rows_ + padding(2)); break;
        default: u32_.reserve(reserved_rows_ + padding(4)); break;
    }
}

void Column::shrink_to_fit() {
    const auto trim = [&](auto& v) {
        if (v.capacity() - v.size() > v.size() / 4) v.shrink_to_fit();
    };
    trim(u8_);
    trim(u16_);
    trim(u32_);
    reserved_rows_ = 0;
    escapes_.rows_.shrink_to_fit();
    escapes_.values_.shrink_to_fit();
    nulls.shrink_to_fit();
    dict.shrink_to_fit();
}

size_t Column::memory_bytes() const noexcept {
    return u8_.capacity() + u16_.capacity() * 2 + u32_.capacity() * 4 + escapes_.memory_bytes() +
           nulls.memory_bytes() + (kind == FieldKind::Enum || kind == FieldKind::Text ? dict.memory_bytes() : 0);
}

// ---- Store -----------------------------------------------------------------------------------

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
    const FieldInfo* info = find_field(name);
    const FieldKind kind = info ? info->kind : FieldKind::Text;
    // AWS's end is start plus the capture window (at most ten minutes): as a difference it
    // takes one or two bytes instead of four. Only when start already exists, so that every
    // row of end has a start row to be read against (start made later is null there).
    const Column* base = nullptr;
    if (info && info->name == "end")
        if (const Column* s = find("start"); s && s->kind == FieldKind::Time && !s->base()) base = s;
    auto col = std::make_unique<Column>(std::string(name), kind, info, base);
    if (reserved_rows_ > rows_) col->reserve_rows(reserved_rows_);
    col->pad_to(rows_);
    Column* raw = col.get();
    columns_.push_back(std::move(col));
    by_name_.emplace(raw->name, raw);
    return *raw;
}

void Store::pad_columns() {
    for (auto& c : columns_) c->pad_to(rows_);
}

void Store::reserve_rows(size_t rows) {
    reserved_rows_ = std::max(reserved_rows_, rows);
    for (auto& c : columns_) c->reserve_rows(rows);
}

void Store::shrink_to_fit() {
    reserved_rows_ = 0;
    for (auto& c : columns_) c->shrink_to_fit();  // one column at a time: the peak is one column
    addresses_.shrink_to_fit();
    spans_.shrink_to_fit();
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
