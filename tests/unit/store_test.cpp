// The columnar store: narrow columns, nulls, wide counters, padding, file spans.
#include <doctest/doctest.h>

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
    bytes.append_number(uint64_t{1} << 40);  // wide: goes to the side map
    eni.append_id(eni.dict.intern("eni-a"));
    s.commit_row();
    port.append_null();
    bytes.append_number(kWideCounter - 1);  // the largest narrow value
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
