// row_set.hpp — a set of row numbers as a bitmap: the result of a filter, the input of analyses.
//
// Contract: fixed size chosen at construction (one bit per row of the store); operations are
// noexcept except construction/resize, which allocate size/8 bytes. for_each() visits set rows
// in increasing order, skipping empty 64-row words cheaply.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

namespace flowlens {

class RowSet {
public:
    RowSet() = default;
    explicit RowSet(size_t size, bool value = false) { assign(size, value); }

    void assign(size_t size, bool value) {
        size_ = size;
        words_.assign((size + 63) / 64, value ? ~uint64_t{0} : 0);
        clear_tail();
    }
    size_t size() const noexcept { return size_; }
    bool test(size_t row) const noexcept { return (words_[row >> 6] >> (row & 63)) & 1u; }
    void set(size_t row) noexcept { words_[row >> 6] |= uint64_t{1} << (row & 63); }
    void reset(size_t row) noexcept { words_[row >> 6] &= ~(uint64_t{1} << (row & 63)); }
    void set(size_t row, bool value) noexcept { value ? set(row) : reset(row); }

    size_t count() const noexcept {
        size_t n = 0;
        for (uint64_t w : words_) n += static_cast<size_t>(std::popcount(w));
        return n;
    }
    RowSet& operator&=(const RowSet& o) noexcept {
        for (size_t i = 0; i < words_.size(); ++i) words_[i] &= o.words_[i];
        return *this;
    }
    RowSet& operator|=(const RowSet& o) noexcept {
        for (size_t i = 0; i < words_.size(); ++i) words_[i] |= o.words_[i];
        return *this;
    }
    void flip() noexcept {
        for (uint64_t& w : words_) w = ~w;
        clear_tail();
    }
    template <class F>
    void for_each(F&& f) const {
        for (size_t i = 0; i < words_.size(); ++i) {
            uint64_t w = words_[i];
            while (w) {
                f(i * 64 + static_cast<size_t>(std::countr_zero(w)));
                w &= w - 1;
            }
        }
    }
    const std::vector<uint64_t>& words() const noexcept { return words_; }
    std::vector<uint64_t>& words() noexcept { return words_; }

private:
    void clear_tail() noexcept {
        if (size_ % 64 && !words_.empty()) words_.back() &= (uint64_t{1} << (size_ % 64)) - 1;
    }
    std::vector<uint64_t> words_;
    size_t size_ = 0;
};

}  // namespace flowlens
