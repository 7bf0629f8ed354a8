// Helpers shared by the unit tests (not a test module itself).
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace flowlens::test {

// The bytes of tests/data/<name> (FLOWLENS_TEST_DATA is set by CMake).
inline std::string read_file(const std::string& name) {
    std::ifstream in(std::string(FLOWLENS_TEST_DATA) + "/" + name, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace flowlens::test

#ifdef FLOWLENS_HAVE_ZLIB
#include <zlib.h>

namespace flowlens::test {

// Real gzip, as S3 writes it (deflate with the gzip wrapper).
inline std::string gzip(std::string_view data, int level = Z_DEFAULT_COMPRESSION) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

}  // namespace flowlens::test
#endif
