// Test that header file is self-contained.
#include <ddb/value/expression.hpp>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace ddb;
using namespace ddb::expr;
namespace json = boost::json;
using av = attribute_value;

namespace {
struct rendered {
    std::string text, names, values;
};
rendered render(const condition& c) {
    parameters p;
    auto t = p.render(c);
    return {t, json::serialize(p.names()), json::serialize(p.values())};
}
rendered render(const update& u) {
    parameters p;
    auto t = p.render(u);
    return {t, json::serialize(p.names()), json::serialize(p.values())};
}
} // namespace

TEST_CASE("conditions render with generated placeholders", "[expression]") {
    struct row {
        condition c;
        std::string text, names, values;
    };
    std::vector<row> table = {
        {path("a") == value(1), "#n0 = :v0", R"({"#n0":"a"})", R"({":v0":{"N":"1"}})"},
        {path("a") != value("x"), "#n0 <> :v0", R"({"#n0":"a"})", R"({":v0":{"S":"x"}})"},
        {path("a") < path("b"), "#n0 < #n1", R"({"#n0":"a","#n1":"b"})", "{}"},
        {path("a") <= value(1) && path("a") > value(0), "#n0 <= :v0 AND #n0 > :v1",
         R"({"#n0":"a"})", R"({":v0":{"N":"1"},":v1":{"N":"0"}})"},
        {between(path("n"), value(1), value(9)), "#n0 BETWEEN :v0 AND :v1", R"({"#n0":"n"})",
         R"({":v0":{"N":"1"},":v1":{"N":"9"}})"},
        {in(path("s"), {value("a"), value("b")}), "#n0 IN (:v0, :v1)", R"({"#n0":"s"})",
         R"({":v0":{"S":"a"},":v1":{"S":"b"}})"},
        {attribute_exists(path("pk")), "attribute_exists(#n0)", R"({"#n0":"pk"})", "{}"},
        {attribute_not_exists(path("pk")) || path("version") >= value(3),
         "attribute_not_exists(#n0) OR #n1 >= :v0", R"({"#n0":"pk","#n1":"version"})",
         R"({":v0":{"N":"3"}})"},
        {attribute_type(path("x"), "SS"), "attribute_type(#n0, :v0)", R"({"#n0":"x"})",
         R"({":v0":{"S":"SS"}})"},
        {begins_with(path("sk"), value("2026-")), "begins_with(#n0, :v0)", R"({"#n0":"sk"})",
         R"({":v0":{"S":"2026-"}})"},
        {contains(path("tags"), value("red")), "contains(#n0, :v0)", R"({"#n0":"tags"})",
         R"({":v0":{"S":"red"}})"},
        {size(path("l")) > value(2), "size(#n0) > :v0", R"({"#n0":"l"})", R"({":v0":{"N":"2"}})"},
        {!(path("a") == value(true)), "NOT (#n0 = :v0)", R"({"#n0":"a"})",
         R"({":v0":{"BOOL":true}})"},
        {(path("a") == value(1) || path("b") == value(2)) && path("c") == value(3),
         "(#n0 = :v0 OR #n1 = :v1) AND #n2 = :v2", R"({"#n0":"a","#n1":"b","#n2":"c"})",
         R"({":v0":{"N":"1"},":v1":{"N":"2"},":v2":{"N":"3"}})"},
        {path("a")["b"][2]["c"] == value(1), "#n0.#n1[2].#n2 = :v0",
         R"({"#n0":"a","#n1":"b","#n2":"c"})", R"({":v0":{"N":"1"}})"},
        {path::parse("a.b[2][0].c") == path("a"), "#n0.#n1[2][0].#n2 = #n0",
         R"({"#n0":"a","#n1":"b","#n2":"c"})", "{}"},
        // Reserved words and awkward names are placeholders like any other.
        {path("name") == value("x") && path("with.dot") == value("y"), "#n0 = :v0 AND #n1 = :v1",
         R"({"#n0":"name","#n1":"with.dot"})", R"({":v0":{"S":"x"},":v1":{"S":"y"}})"},
    };
    for (auto& r : table) {
        auto got = render(r.c);
        INFO(to_string(r.c));
        CHECK(got.text == r.text);
        CHECK(got.names == r.names);
        CHECK(got.values == r.values);
    }
}

TEST_CASE("update expressions: SET, REMOVE, ADD, DELETE", "[expression]") {
    auto u = update()
                 .set(path("balance"), path("balance") + value(5))
                 .set(path("count"), if_not_exists(path("count"), value(0)) - value(1))
                 .set(path("events"), list_append(path("events"), value(av::l({av("e1")}))))
                 .remove(path("tmp"))
                 .remove(path("list")[3])
                 .add(path("visits"), av(number(1)))
                 .del(path("tags"), av::ss({"old"}));
    auto r = render(u);
    CHECK(r.text ==
          "SET #n0 = #n0 + :v0, #n1 = if_not_exists(#n1, :v1) - :v2, #n2 = list_append(#n2, :v3) "
          "REMOVE #n3, #n4[3] ADD #n5 :v4 DELETE #n6 :v5");
    CHECK(
        r.names ==
        R"({"#n0":"balance","#n1":"count","#n2":"events","#n3":"tmp","#n4":"list","#n5":"visits","#n6":"tags"})");
    CHECK(
        to_string(u) ==
        R"(SET balance = balance + {"N":"5"}, count = if_not_exists(count, {"N":"0"}) - {"N":"1"}, )"
        R"(events = list_append(events, {"L":[{"S":"e1"}]}) REMOVE tmp, list[3] ADD visits {"N":"1"} )"
        R"(DELETE tags {"SS":["old"]})");
    CHECK_THROWS_AS(update().add(path("x"), av("not a number")), value_error);
    CHECK_THROWS_AS(update().del(path("x"), av(number(1))), value_error);
    CHECK_THROWS_AS(render(update()), value_error);
}

TEST_CASE("expressions rendered through one parameters object share the maps", "[expression]") {
    parameters p;
    auto cond = p.render(attribute_exists(path("pk")) && path("version") == value(7));
    auto upd = p.render(update().set(path("version"), value(8)).set(path("data"), value("x")));
    auto proj = p.render(projection{path("pk"), path("data")});
    CHECK(cond == "attribute_exists(#n0) AND #n1 = :v0");
    CHECK(upd == "SET #n1 = :v1, #n2 = :v2");
    CHECK(proj == "#n0, #n2");
    json::object request;
    p.apply_to(request);
    CHECK(json::serialize(request) ==
          R"({"ExpressionAttributeNames":{"#n0":"pk","#n1":"version","#n2":"data"},)"
          R"("ExpressionAttributeValues":{":v0":{"N":"7"},":v1":{"N":"8"},":v2":{"S":"x"}}})");
    json::object empty;
    parameters().apply_to(empty);
    CHECK(empty.empty());
}

TEST_CASE("bad expressions are typed errors", "[expression]") {
    CHECK_THROWS_AS(path(""), value_error);
    CHECK_THROWS_AS(path("a")[""], value_error);
    for (auto bad : {"", ".a", "a.", "a..b", "a[", "a[]", "a[x]", "a]"}) {
        INFO(bad);
        CHECK_THROWS_AS(path::parse(bad), value_error);
    }
    CHECK_THROWS_AS(attribute_type(path("a"), "STRING"), value_error);
    CHECK_THROWS_AS(in(path("a"), {}), value_error);
    CHECK_THROWS_AS(render(condition{}), value_error);
    CHECK(path::parse("a.b[10]").str() == "a.b[10]");
}
