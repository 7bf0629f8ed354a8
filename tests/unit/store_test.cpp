// The columnar store: narrow columns, adaptive widths, escapes, `end` from `start`, nulls,
// padding, shrink_to_fit, file spans.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "flowlens/store.hpp"

using namespace flowlens;

TEST_CASE("store.columns_by_kind") {
    Store s;
    Column& port = s.column("dstport");
    Column& bytes = s.column("bytes");
    Column& eni = s.column("interface-id");
    Column& custom = s.column("my-custom-field");
    CHECK(port.kind == FieldKind::Port);
    CHECK(bytes.kind == FieldKind::Counter);
    CHECK(eni.kind == FieldKind::Text);
    CHECK(custom.kind == FieldKind::Text);
    CHECK(custom.info == nullptr);
    CHECK(&s.column("dstport") == &port);  // same column on a second ask

    port.append_number(443);
    bytes.append_number(uint64_t{1} << 40);  // 64-bit: an escape at any width
    eni.append_id(eni.dict.intern("eni-a"));
    s.commit_row();
    port.append_null();
    bytes.append_number(kWideCounter - 1);  // an escape too: the column is one byte wide
    s.commit_row();
    s.pad_columns();  // custom was never written: two nulls
    REQUIRE(s.rows() == 2);
    for (const auto& c : s.columns()) CHECK(c->size() == 2);
    CHECK(port.number(0) == 443);
    CHECK(port.is_null(1));
    CHECK_FALSE(port.is_null(0));
    CHECK(bytes.number(0) == (uint64_t{1} << 40));
    CHECK(bytes.number(1) == kWideCounter - 1);
    CHECK(eni.dict.value(eni.code(0)) == "eni-a");
    CHECK(eni.is_null(1));
    CHECK(custom.is_null(0));
    CHECK(custom.is_null(1));
}

TEST_CASE("store.late_column_is_null_for_earlier_rows") {
    Store s;
    s.column("srcport").append_number(1);
    s.commit_row();
    s.column("srcport").append_number(2);
    s.commit_row();
    Column& late = s.column("protocol");  // first seen at row 2
    CHECK(late.size() == 2);
    CHECK(late.is_null(0));
    CHECK(late.is_null(1));
    late.append_number(6);
    s.column("srcport").append_number(3);
    s.commit_row();
    CHECK(late.number(2) == 6);
    CHECK_FALSE(late.is_null(2));
}

TEST_CASE("store.address_interning_is_shared") {
    Store s;
    auto a = *parse_ip("10.0.0.1");
    auto b = *parse_ip("2001:db8::1");
    uint32_t ia = s.addresses().intern(a);
    CHECK(ia == 1);  // 0 is null
    CHECK(s.addresses().intern(b) == 2);
    CHECK(s.addresses().intern(a) == ia);
    CHECK(s.addresses().find(b) == 2u);
    CHECK_FALSE(s.addresses().find(*parse_ip("10.0.0.2")));
    CHECK(s.addresses().address(ia) == a);
}

// The IPv4 fast path shares ids with intern(): whichever path saw an address first, the other
// finds it (same hash, same index), and an IPv4-mapped IPv6 address stays a different one.
TEST_CASE("store.intern_v4_matches_intern") {
    Store s;
    AddressTable& t = s.addresses();
    const uint32_t a = t.intern_v4(0x0A000001u);  // 10.0.0.1
    CHECK(a == 1);
    CHECK(t.intern(*parse_ip("10.0.0.1")) == a);
    CHECK(t.find(*parse_ip("10.0.0.1")) == a);
    const uint32_t b = t.intern(*parse_ip("192.168.7.200"));
    CHECK(t.intern_v4(0xC0A807C8u) == b);
    const uint32_t mapped = t.intern(*parse_ip("::ffff:10.0.0.1"));
    CHECK(mapped != a);
    CHECK(t.intern_v4(0x0A000001u) == a);
    CHECK(t.address(a) == IpAddress::from_v4(0x0A000001u));
    for (uint32_t v : {0u, 1u, 0xFFFFFFFFu, 0x80000000u, 0x000000FFu, 0xFF000000u}) {
        CAPTURE(v);
        const uint32_t id = t.intern_v4(v);
        CHECK(t.intern(IpAddress::from_v4(v)) == id);
        CHECK(t.address(id) == IpAddress::from_v4(v));
    }
    // At scale, interleaved: the index grows under both paths.
    std::vector<uint32_t> ids;
    for (uint32_t i = 0; i < 5000; ++i)
        ids.push_back(i % 2 ? t.intern_v4(0x0A000000u + i * 7919u) : t.intern(IpAddress::from_v4(0x0A000000u + i * 7919u)));
    for (uint32_t i = 0; i < 5000; ++i) {
        CHECK(t.intern(IpAddress::from_v4(0x0A000000u + i * 7919u)) == ids[i]);
        CHECK(t.intern_v4(0x0A000000u + i * 7919u) == ids[i]);
    }
}

TEST_CASE("store.dictionary") {
    Dictionary d;
    CHECK(d.size() == 1);
    CHECK(d.intern("REJECT") == 1);
    CHECK(d.intern("ACCEPT") == 2);
    CHECK(d.intern("REJECT") == 1);
    CHECK(d.find("ACCEPT") == 2u);
    CHECK_FALSE(d.find("accept"));
    CHECK(d.find_ignore_case("accept") == 2u);
    CHECK(d.value(0).empty());
}

TEST_CASE("store.file_spans") {
    Store s;
    uint32_t f0 = s.add_file("a.log"), f1 = s.add_file("b.log"), f2 = s.add_file("empty.log");
    s.begin_file(f0);
    for (int i = 0; i < 3; ++i) { s.column("srcport").append_number(1); s.commit_row(); }
    s.begin_file(f2);  // a file without records leaves no span behind
    s.begin_file(f1);
    for (int i = 0; i < 2; ++i) { s.column("srcport").append_number(1); s.commit_row(); }
    CHECK(s.file_of(0) == f0);
    CHECK(s.file_of(2) == f0);
    CHECK(s.file_of(3) == f1);
    CHECK(s.file_of(4) == f1);
    CHECK(s.file_names()[f1] == "b.log");
}

// ---- adaptive widths, escapes, `end` from `start`, shrink_to_fit ------------------------------

namespace {

// Reads row r through every reader a query may use: code()/number(), StoredView, visit_stored.
uint32_t stored_everywhere(const Column& c, size_t r) {
    const uint32_t via_view = c.stored_view()[r];
    const uint32_t via_visit = c.visit_stored([&](const auto* p) { return static_cast<uint32_t>(p[r]); });
    CHECK(via_view == via_visit);
    CHECK(via_view == c.stored(r));
    return via_view;
}

}  // namespace

TEST_CASE("store.codes_widen_across_256_and_65536") {
    // Dictionary codes stay one byte while the dictionary has at most 256 entries (null + 255),
    // then two bytes up to 65536, then four; the widening happens mid-load, in place.
    Store s;
    Column& eni = s.column("interface-id");
    CHECK(eni.width() == 1);
    const uint32_t n = 70'000;
    for (uint32_t i = 0; i < n; ++i) {
        if (i % 1000 == 7) {
            eni.append_null();
        } else {
            eni.append_id(eni.dict.intern("eni-" + std::to_string(i)));
        }
        s.commit_row();
        const size_t codes = eni.dict.size() - 1;  // the largest code appended so far
        if (codes == 255) CHECK(eni.width() == 1);
        if (codes == 256) CHECK(eni.width() == 2);
        if (codes == 65535) CHECK(eni.width() == 2);
        if (codes == 65536) CHECK(eni.width() == 4);
    }
    REQUIRE(eni.width() == 4);
    REQUIRE(eni.size() == n);
    for (uint32_t i = 0; i < n; ++i) {
        if (i % 1000 == 7) {
            CHECK(eni.is_null(i));
            CHECK(stored_everywhere(eni, i) == 0);
        } else {
            CHECK_FALSE(eni.is_null(i));
            REQUIRE(eni.dict.value(eni.code(i)) == "eni-" + std::to_string(i));
            CHECK(stored_everywhere(eni, i) == eni.code(i));
        }
    }
    CHECK(eni.dict.find("eni-69999") == eni.code(n - 1));
}

TEST_CASE("store.address_ids_widen_per_column") {
    // The address table is shared; each address column is as wide as the largest id it holds.
    Store s;
    Column& src = s.column("srcaddr");
    Column& dst = s.column("dstaddr");
    const uint32_t server = s.addresses().intern(*parse_ip("192.0.2.1"));
    REQUIRE(server == 1);
    for (uint32_t i = 0; i < 300; ++i) {
        src.append_id(s.addresses().intern(IpAddress::from_v4(0x0A000000u + i)));
        dst.append_id(server);
        s.commit_row();
    }
    CHECK(src.width() == 2);
    CHECK(dst.width() == 1);
    for (uint32_t i = 0; i < 300; ++i) {
        CHECK(s.addresses().address(src.code(i)) == IpAddress::from_v4(0x0A000000u + i));
        CHECK(stored_everywhere(dst, i) == 1);
    }
    CHECK(s.addresses().find(IpAddress::from_v4(0x0A000000u + 299)) == src.code(299));
}

TEST_CASE("store.enum_and_fixed_widths") {
    Store s;
    CHECK(s.column("action").width() == 1);
    CHECK(s.column("version").width() == 1);
    CHECK(s.column("srcport").width() == 2);
    CHECK(s.column("tcp-flags").width() == 2);
    CHECK(s.column("start").width() == 4);
    Column& port = s.column("dstport");
    port.append_number(65535);  // the largest port: an ordinary value, not an escape
    port.append_null();
    CHECK(port.number(0) == 65535);
    CHECK_FALSE(port.escapable());
    CHECK(port.is_null(1));
}

TEST_CASE("store.counter_escapes_and_widening") {
    Store s;
    Column& packets = s.column("packets");
    CHECK(packets.escapable());
    CHECK(packets.width() == 1);
    std::vector<uint64_t> want;
    auto add = [&](uint64_t v) {
        packets.append_number(v);
        want.push_back(v);
    };
    SUBCASE("rare big values stay escapes at one byte") {
        for (uint64_t i = 0; i < 10'000; ++i) add(i % 200 == 0 ? 1000 + i : i % 250);  // 0.5%
        CHECK(packets.width() == 1);
        CHECK(packets.escapes().size() == 50);
        CHECK(packets.stored(0) == packets.escape_mark());
        CHECK(packets.stored(1) == 1);
    }
    SUBCASE("many escapes widen the column, and fitting escapes move inline") {
        for (uint64_t i = 0; i < 10'000; ++i) add(i % 3 == 0 ? 300 + i : i % 7);
        CHECK(packets.width() == 2);
        CHECK(packets.escapes().empty());  // every value < 65535 now
        add(uint64_t{1} << 20);            // one more escape at two bytes
        CHECK(packets.escapes().size() == 1);
    }
    SUBCASE("64-bit values escape even at four bytes") {
        for (uint64_t i = 0; i < 5'000; ++i) add(i % 2 ? 70'000 + i : 5);
        CHECK(packets.width() == 4);
        add(0xFFFFFFFEull);              // the largest inline value at four bytes
        add(0xFFFFFFFFull);              // the mark itself must escape
        add(uint64_t{1} << 40);
        add(~uint64_t{0});               // 2^64 - 1
        CHECK(packets.escapes().size() == 3);
        CHECK(packets.stored(packets.size() - 4) == 0xFFFFFFFEu);
    }
    packets.append_null();
    want.push_back(0);
    REQUIRE(packets.size() == want.size());
    for (size_t r = 0; r < want.size(); ++r) REQUIRE(packets.number(r) == want[r]);
    CHECK(packets.is_null(want.size() - 1));

    // The cursor reader agrees with number(): forwards, sparse, and backwards.
    const Escapes& e = packets.escapes();
    EscapeReader forward(e);
    for (size_t i = 0; i < e.size(); ++i) CHECK(forward(e.row(i)) == want[e.row(i)]);
    EscapeReader sparse(e);
    for (size_t i = 0; i < e.size(); i += 37) CHECK(sparse(e.row(i)) == want[e.row(i)]);
    EscapeReader backward(e);
    for (size_t i = e.size(); i-- > 0;) CHECK(backward(e.row(i)) == want[e.row(i)]);
    for (size_t i = 0; i < e.size(); ++i) CHECK(e.find(e.row(i)) == want[e.row(i)]);
}

TEST_CASE("store.end_is_stored_from_start") {
    Store s;
    Column& start = s.column("start");
    Column& end = s.column("end");
    REQUIRE(end.base() == &start);
    CHECK(start.base() == nullptr);
    CHECK(end.width() == 1);
    struct Row {
        std::optional<uint64_t> start, end;
    };
    const std::vector<Row> rows = {
        {1'700'000'000, 1'700'000'060},         // a 1-minute window: difference 60
        {1'700'000'000, 1'700'000'000},         // end = start: difference 0, not null
        {1'700'000'000, std::nullopt},          // null end
        {std::nullopt, 1'700'000'010},          // null start: end is stored whole, escaped here
        {1'700'000'100, 1'699'999'000},         // end before start: escaped
        {1'700'000'000, 1'700'000'000 + 70'000},  // a difference wider than the column: escaped
        {0, 0},                                 // zeros that are not null
        {1'700'000'000, 0xFFFFFFFEull},         // the largest time
    };
    for (const Row& r : rows) {
        r.start ? start.append_number(*r.start) : start.append_null();
        r.end ? end.append_number(*r.end) : end.append_null();
        s.commit_row();
    }
    CHECK(end.width() == 1);
    CHECK(end.escapes().size() == 4);
    for (size_t i = 0; i < rows.size(); ++i) {
        CAPTURE(i);
        CHECK(end.is_null(i) == !rows[i].end);
        CHECK(end.number(i) == rows[i].end.value_or(0));
        CHECK(start.number(i) == rows[i].start.value_or(0));
    }

    SUBCASE("end appended before start in a row is escaped, not misread") {
        end.append_number(1'700'000'300);
        start.append_number(1'700'000'200);
        s.commit_row();
        CHECK(end.number(rows.size()) == 1'700'000'300);
        CHECK(end.escapes().row(end.escapes().size() - 1) == rows.size());
    }
    SUBCASE("many wide differences widen the column") {
        for (uint32_t i = 0; i < 5'000; ++i) {
            start.append_number(1'700'000'000);
            end.append_number(1'700'000'000 + 600);  // AWS's 10-minute windows: two bytes
            s.commit_row();
        }
        CHECK(end.width() == 2);
        CHECK(end.number(rows.size() + 4'999) == 1'700'000'600);
        for (size_t i = 0; i < rows.size(); ++i) CHECK(end.number(i) == rows[i].end.value_or(0));
    }
}

TEST_CASE("store.end_without_start_is_plain") {
    Store s;
    Column& end = s.column("end");  // no start column yet: seconds, four bytes
    CHECK(end.base() == nullptr);
    CHECK(end.width() == 4);
    end.append_number(1'700'000'060);
    s.commit_row();
    Column& start = s.column("start");  // made later: end stays plain
    CHECK(end.base() == nullptr);
    start.append_number(1'700'000'000);
    end.append_number(1'700'000'120);
    s.commit_row();
    CHECK(end.number(0) == 1'700'000'060);
    CHECK(end.number(1) == 1'700'000'120);
    CHECK(start.is_null(0));
}

TEST_CASE("store.shrink_to_fit_keeps_values") {
    Store s;
    for (uint32_t i = 0; i < 5'000; ++i) {
        s.column("srcaddr").append_id(s.addresses().intern(IpAddress::from_v4(0x0A000000u + i % 700)));
        Column& eni = s.column("interface-id");
        eni.append_id(eni.dict.intern("eni-" + std::to_string(i % 300)));
        s.column("start").append_number(1'700'000'000 + i);
        s.column("end").append_number(1'700'000'000 + i + i % 90);
        if (i % 11 == 0)
            s.column("packets").append_null();
        else
            s.column("packets").append_number(i % 101 == 0 ? uint64_t{1} << 33 : i);
        s.column("dstport").append_number(i % 65536);
        s.commit_row();
    }
    s.pad_columns();
    auto snapshot = [&] {
        std::vector<std::pair<bool, uint64_t>> v;
        for (const auto& c : s.columns())
            for (size_t r = 0; r < s.rows(); ++r) v.emplace_back(c->is_null(r), c->number(r));
        return v;
    };
    const auto before = snapshot();
    const size_t bytes_before = s.memory_bytes();
    s.shrink_to_fit();
    CHECK(snapshot() == before);
    CHECK(s.memory_bytes() < bytes_before);
    // Capacity is what memory_bytes() counts: after the shrink it is the size (plus at most
    // the 3 bytes of padding a column keeps for StoredView).
    const Column& port = *s.find("dstport");
    CHECK(port.memory_bytes() <= 2 * port.size() + 2 + port.nulls.memory_bytes());

    // Loading more afterwards still works.
    s.column("dstport").append_number(80);
    s.column("packets").append_number(~uint64_t{0});
    s.commit_row();
    s.pad_columns();
    CHECK(s.find("dstport")->number(5'000) == 80);
    CHECK(s.find("packets")->number(5'000) == ~uint64_t{0});
    CHECK(s.find("srcaddr")->is_null(5'000));
    CHECK(s.find("end")->is_null(5'000));
}

TEST_CASE("store.stored_view_reads_the_last_row_of_every_width") {
    // StoredView loads 4 bytes at a row's offset: columns keep 3 bytes past the last row.
    for (uint32_t last : {200u, 60'000u, 100'000u}) {
        Store s;
        Column& eni = s.column("interface-id");
        for (uint32_t i = 0; i <= last; ++i) eni.dict.intern("eni-" + std::to_string(i));
        eni.append_id(last);
        CHECK(eni.width() == (last < 256 ? 1u : last < 65536 ? 2u : 4u));
        CHECK(eni.stored_view()[0] == last);
        s.shrink_to_fit();
        CHECK(eni.stored_view()[0] == last);
    }
}

TEST_CASE("store.dictionary_and_address_table_at_scale") {
    Dictionary d;
    for (uint32_t i = 1; i <= 20'000; ++i) REQUIRE(d.intern("value-" + std::to_string(i)) == i);
    for (uint32_t i = 1; i <= 20'000; ++i) REQUIRE(d.find("value-" + std::to_string(i)) == i);
    CHECK(d.intern("value-7") == 7);
    CHECK_FALSE(d.find("value-0"));
    CHECK(d.find_ignore_case("VALUE-12") == 12u);
    CHECK(d.find(std::string(40, 'x')) == std::nullopt);
    CHECK(d.intern(std::string(40, 'x')) == 20'001);  // a value too long for the string's buffer
    CHECK(d.value(20'001) == std::string(40, 'x'));

    AddressTable t;
    for (uint32_t i = 1; i <= 20'000; ++i) REQUIRE(t.intern(IpAddress::from_v4(i)) == i);
    auto v6 = *parse_ip("2001:db8::1");
    CHECK(t.intern(v6) == 20'001);
    CHECK(t.find(IpAddress::from_v4(12'345)) == 12'345u);
    CHECK(t.find(v6) == 20'001u);
    CHECK_FALSE(t.find(*parse_ip("::ffff:0.0.48.57")));  // 12345 as IPv4-mapped IPv6: another address
}

// pop_back takes the last value back (a parser does for a bad line's values): against a model,
// over random interns and pops that cross the index's growth, every value kept stays findable
// under its id, a popped one is gone, and interning it again gives the next id.
TEST_CASE("store.pop_back_forgets_the_last_value") {
    std::mt19937 rng(11);  // 32-bit results
    Dictionary d;
    std::vector<std::string> dict_model{""};  // code -> value; [0] the null slot
    AddressTable t;
    std::vector<IpAddress> addr_model{IpAddress{}};
    const auto value = [&] { return "v" + std::to_string(rng() % 4000); };
    const auto address = [&] {
        // v4 through either entry point, and v6 (one index shared by both)
        const auto n = static_cast<uint32_t>(rng() % 4000);
        return rng() % 4 == 0 ? *parse_ip("2001:db8::" + std::to_string(n)) : IpAddress::from_v4(n);
    };
    const auto check_all = [&] {
        REQUIRE(d.size() == dict_model.size());
        for (uint32_t c = 1; c < dict_model.size(); ++c) REQUIRE(d.find(dict_model[c]) == c);
        REQUIRE(t.size() == addr_model.size());
        for (uint32_t i = 1; i < addr_model.size(); ++i) REQUIRE(t.find(addr_model[i]) == i);
    };
    for (int step = 0; step < 20'000; ++step) {
        if (rng() % 3 != 0) {
            const std::string v = value();
            const auto at = std::find(dict_model.begin() + 1, dict_model.end(), v);
            const auto want = static_cast<uint32_t>(at == dict_model.end() ? dict_model.size() : static_cast<size_t>(at - dict_model.begin()));
            REQUIRE(d.intern(v) == want);
            if (at == dict_model.end()) dict_model.push_back(v);
            const IpAddress a = address();
            const auto found = std::find(addr_model.begin() + 1, addr_model.end(), a);
            const auto want_id = static_cast<uint32_t>(found == addr_model.end() ? addr_model.size() : static_cast<size_t>(found - addr_model.begin()));
            REQUIRE((a.v4 ? t.intern_v4(a.v4_value()) : t.intern(a)) == want_id);
            if (found == addr_model.end()) addr_model.push_back(a);
        } else {
            for (unsigned k = rng() % 4; k > 0 && dict_model.size() > 1; --k) {
                const std::string gone = dict_model.back();
                d.pop_back();
                dict_model.pop_back();
                REQUIRE_FALSE(d.find(gone));
            }
            for (unsigned k = rng() % 4; k > 0 && addr_model.size() > 1; --k) {
                const IpAddress gone = addr_model.back();
                t.pop_back();
                addr_model.pop_back();
                REQUIRE_FALSE(t.find(gone));
            }
        }
        if (step % 1000 == 0) check_all();
    }
    CHECK(dict_model.size() > 1000);  // the index grew several times on the way
    CHECK(addr_model.size() > 1000);
    check_all();
    // Down to the null slot, checked on the way: the values the index's growth placed again
    // (in slot order, so that later ones may probe past them) are popped too.
    for (int step = 0; d.size() > 1 || t.size() > 1; ++step) {
        if (d.size() > 1) {
            d.pop_back();
            dict_model.pop_back();
        }
        if (t.size() > 1) {
            t.pop_back();
            addr_model.pop_back();
        }
        if (step % 7 == 0) check_all();
    }
    // And up again: the ids are given afresh.
    CHECK(d.intern("again") == 1);
    CHECK(d.find("again") == 1u);
    CHECK(t.intern_v4(77) == 1);
    CHECK(t.find(IpAddress::from_v4(77)) == 1u);
}

TEST_CASE("store.append_pending_equals_one_value_at_a_time") {
    // The parser's bulk append against the one-row appends it replaces, on values chosen to
    // cross every width, escape and widening rule: counters from 0 to 2^40 in bursts, `end`
    // before, at and far after its `start`, ids that pass 255 and 65535, nulls everywhere.
    // Batches of random sizes; the two stores must hold the same rows the same way.
    const char* names[] = {"start", "end", "bytes", "packets", "dstport", "protocol", "tcp-flags", "interface-id", "srcaddr"};
    Store one, bulk;
    for (const char* n : names) {
        one.column(n);
        bulk.column(n);
    }
    std::mt19937_64 rng(7);
    auto pick = [&](uint64_t n) { return static_cast<uint64_t>(rng() % n); };
    uint64_t top_id = 1;
    std::vector<std::vector<PendingValue>> batch(std::size(names));
    size_t rows = 0;
    while (rows < 200000) {
        const size_t n = 1 + pick(300);
        for (auto& b : batch) b.clear();
        for (size_t k = 0; k < n; ++k) {
            const uint64_t start = 1'700'000'000 + pick(100'000);
            const int phase = static_cast<int>((rows + k) / 20000 % 4);  // bursts of big values
            const uint64_t counter_max = phase == 0 ? 200 : phase == 1 ? 70'000 : phase == 2 ? 5'000'000'000 : uint64_t{1} << 40;
            top_id = std::min<uint64_t>(top_id + pick(3), 0xFFFFFFFE);
            // Now and then a value at an escape mark of some width, or next to one.
            const uint64_t edges[] = {254, 255, 256, 65534, 65535, 65536, 0xFFFFFFFE, 0xFFFFFFFF, uint64_t{1} << 32};
            const uint64_t edge = edges[pick(std::size(edges))];
            const bool at_edge = pick(40) == 0;
            const uint64_t values[] = {start,
                                       at_edge ? start + edge : pick(50) == 0 ? start - pick(1000) : pick(30) == 0 ? start + pick(uint64_t{1} << 31) : start + pick(600),
                                       at_edge ? edge : pick(counter_max + 1), pick(std::max<uint64_t>(counter_max / 1000, 2)), pick(65536), pick(256), pick(65536),
                                       1 + pick(top_id), 1 + pick(top_id)};
            for (size_t c = 0; c < std::size(names); ++c) {
                const bool null = c != 0 && pick(20) == 0;  // start is never null: end reads it
                batch[c].push_back({null ? 0 : values[c], null});
            }
        }
        for (size_t c = 0; c < std::size(names); ++c) bulk.column(names[c]).append_pending(batch[c]);
        bulk.commit_rows(n);
        for (size_t k = 0; k < n; ++k) {
            for (size_t c = 0; c < std::size(names); ++c) {
                Column& col = one.column(names[c]);
                const PendingValue& v = batch[c][k];
                if (v.null) col.append_null();
                else if (c >= 7) col.append_id(static_cast<uint32_t>(v.value));
                else col.append_number(v.value);
            }
            one.commit_row();
        }
        rows += n;
    }
    for (const char* n : names) {
        CAPTURE(n);
        const Column& a = *one.find(n);
        const Column& b = *bulk.find(n);
        REQUIRE(a.size() == b.size());
        CHECK(a.width() == b.width());
        CHECK(a.nulls.words() == b.nulls.words());
        REQUIRE(a.escapes().size() == b.escapes().size());
        for (size_t i = 0; i < a.escapes().size(); ++i) {
            CHECK(a.escapes().row(i) == b.escapes().row(i));
            CHECK(a.escapes().value(i) == b.escapes().value(i));
        }
        size_t differ = 0;
        for (size_t r = 0; r < a.size(); ++r) differ += a.stored(r) != b.stored(r) || a.number(r) != b.number(r);
        CHECK(differ == 0);
    }
    // The inputs did cross the rules the test is for.
    CHECK(one.find("bytes")->width() == 4);
    CHECK_FALSE(one.find("bytes")->escapes().empty());
    CHECK_FALSE(one.find("end")->escapes().empty());
    CHECK(one.find("srcaddr")->width() == 4);
    CHECK(one.find("packets")->width() >= 2);
}
