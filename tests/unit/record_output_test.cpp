// Records printed back out: JSON (the parse view) and CSV (the page's export).
#include <doctest/doctest.h>

#include "flowlens/loader.hpp"
#include "flowlens/record_output.hpp"

using namespace flowlens;

TEST_CASE("record_output.json_and_csv") {
    DataSet d;
    load_text(d, "t.log",
              "srcaddr dstport bytes action note\n"
              "2001:0db8::0001 443 5000000000 accept plain\n"
              "- - - - =HYPERLINK(\"x\")\n"
              "10.0.0.1 22 7 REJECT a,b\"c\n");
    REQUIRE(d.store.rows() == 3);
    std::string json;
    JsonWriter w(json);
    write_record_json(w, d.store, 0);
    CHECK(json == R"({"srcaddr":"2001:db8::1","dstport":443,"bytes":5000000000,"action":"ACCEPT","note":"plain"})");
    json.clear();
    JsonWriter w2(json);
    write_record_json(w2, d.store, 1);
    CHECK(json == R"J({"srcaddr":null,"dstport":null,"bytes":null,"action":null,"note":"=HYPERLINK(\"x\")"})J");

    std::string csv;
    append_csv_header(csv, d.store);
    for (size_t r = 0; r < 3; ++r) append_record_csv(csv, d.store, r);
    CHECK(csv ==
          "srcaddr,dstport,bytes,action,note\r\n"
          "2001:db8::1,443,5000000000,ACCEPT,plain\r\n"
          "-,-,-,-,\"'=HYPERLINK(\"\"x\"\")\"\r\n"  // a formula is defused, then quoted
          "10.0.0.1,22,7,REJECT,\"a,b\"\"c\"\r\n");
}
