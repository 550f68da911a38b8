// The model's JSON form (model::encode, model::decode, model::to_wire): the
// public functions the client and the event store use instead of the
// model's private codec.
#include <ddb/model/wire.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

namespace json = boost::json;
using namespace ddb;

TEST_CASE("to_wire spells enum values as DynamoDB does", "[model]") {
    CHECK(model::to_wire(key_type::hash) == "HASH");
    CHECK(model::to_wire(key_type::range) == "RANGE");
    CHECK(model::to_wire(scalar_attribute_type::n) == "N");
    CHECK(model::to_wire(billing_mode::pay_per_request) == "PAY_PER_REQUEST");
    CHECK(model::to_wire(projection_type::keys_only) == "KEYS_ONLY");
    CHECK(model::to_wire(table_status::active) == "ACTIVE");
    CHECK(model::to_wire(table_status::unknown).empty());
}

TEST_CASE("encode writes wire names and leaves out what is unset", "[model]") {
    get_item_request r;
    r.table_name = "events";
    r.key = item{{"pk", attribute_value::s("a#1")}};
    r.consistent_read = true;
    json::object out;
    model::encode(r, out);
    CHECK(json::serialize(out) ==
          R"({"TableName":"events","Key":{"pk":{"S":"a#1"}},"ConsistentRead":true})");
}

TEST_CASE("decode reads an answer and names the field it cannot read", "[model]") {
    describe_table_response ok;
    model::decode(json::parse(R"({"Table":{"TableName":"t","TableStatus":"ACTIVE",
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}})"),
                  ok);
    CHECK(ok.table.table_name == "t");
    CHECK(ok.table.table_status == table_status::active);
    REQUIRE(ok.table.key_schema.size() == 1);
    CHECK(ok.table.key_schema[0].key_type == key_type::hash);

    describe_table_response bad;
    try {
        model::decode(
            json::parse(
                R"({"Table":{"TableName":"t","TableStatus":"ACTIVE","KeySchema":[{"AttributeName":7,"KeyType":"HASH"}]}})"),
            bad);
        FAIL("decode accepted a number as an attribute name");
    } catch (const model::wire_error& e) {
        CHECK(e.path == "Table.KeySchema[0].AttributeName");
        CHECK(e.problem == "not a string");
    }
}
