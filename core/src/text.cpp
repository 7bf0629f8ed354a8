#include "flowlens/text.hpp"

namespace flowlens {

std::string excerpt(std::string_view s, size_t max) {
    bool cut = s.size() > max;
    if (cut) {
        size_t n = max;
        // Step back over UTF-8 continuation bytes so we never split a character.
        while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
        s = s.substr(0, n);
    }
    std::string out;
    out.reserve(s.size() + 3);
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        out.push_back((u < 0x20 && c != '\t') || u == 0x7F ? '?' : c);
    }
    if (cut) out += "\xE2\x80\xA6";
    return out;
}

std::string join_words(const std::vector<std::string>& words) {
    std::string s;
    for (const auto& w : words) {
        if (!s.empty()) s.push_back(' ');
        s += w;
    }
    return s;
}

}  // namespace flowlens
