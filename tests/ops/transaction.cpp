// Test that header file is self-contained.
#include <ddb/ops/transaction.hpp>

#include <ddb/ops/raw.hpp>
#include <ddb/ops/table_waiter.hpp>
#include <ddb/value/expression.hpp>
#include <ddb/value/item.hpp>

#include "../support/client_setup.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <regex>
#include <set>

using namespace ddb;
namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using av = attribute_value;

namespace {
json::object put_action(const std::string& table, const item& it, bool only_if_new) {
    json::object put{{"TableName", table}, {"Item", to_json(it)}};
    if (only_if_new) {
        expr::parameters p;
        put["ConditionExpression"] = p.render(expr::attribute_not_exists(expr::path("pk")));
        put["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD";
        p.apply_to(put);
    }
    return {{"Put", put}};
}
} // namespace

TEST_CASE("raw::transact_write: all or nothing, with per-action reasons", "[transaction]") {
    // dynalite has no transactions: moto only.
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint("moto")));
    auto table = test::unique_table("tx");
    test::run(ioc, [&]() -> awaitable<void> { co_await test::create_table(c, table); });
    auto count = [&] {
        return test::run(ioc,
                         [&]() -> awaitable<json::value> {
                             json::value scan = {{"TableName", table}, {"Select", "COUNT"}};
                             co_return co_await c.call("Scan", scan);
                         })
            .at("Count")
            .as_int64();
    };

    json::array both{put_action(table, {{"pk", av("a")}, {"v", av(number(1))}}, true),
                     put_action(table, {{"pk", av("b")}, {"v", av(number(2))}}, true)};
    test::run(ioc, [&]() -> awaitable<void> { co_await raw::transact_write(c, both); });
    CHECK(count() == 2);

    // The second action's condition fails: nothing is written, and the
    // reasons line up with the actions.
    json::array clash{put_action(table, {{"pk", av("c")}}, true),
                      put_action(table, {{"pk", av("a")}}, true)};
    try {
        test::run(ioc, [&]() -> awaitable<void> { co_await raw::transact_write(c, clash); });
        FAIL("no exception");
    } catch (const transaction_canceled& e) {
        REQUIRE(e.reasons().size() == 2);
        CHECK(e.reasons()[0].code == "None");
        CHECK(e.reasons()[1].code == "ConditionalCheckFailed");
        REQUIRE(e.reasons()[1].item);
        CHECK(*e.reasons()[1].item == item{{"pk", av("a")}, {"v", av(number(1))}});
    }
    CHECK(count() == 2);

    CHECK_THROWS_AS(
        test::run(ioc,
                  [&]() -> awaitable<void> { co_await raw::transact_write(c, json::array{}); }),
        value_error);
}

TEST_CASE("request tokens are random version 4 UUIDs", "[transaction]") {
    std::set<std::string> seen;
    std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    for (int i = 0; i < 1000; ++i) {
        auto t = random_request_token();
        CHECK(std::regex_match(t, uuid));
        seen.insert(t);
    }
    CHECK(seen.size() == 1000);
}

TEST_CASE("table waiters: active, gone, missing and deadline", "[transaction]") {
    auto backend = GENERATE(as<std::string>{}, "moto", "dynalite");
    INFO(backend);
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint(backend)));
    auto table = test::unique_table("w");
    test::run(ioc, [&]() -> awaitable<void> {
        json::value create = {
            {"TableName", table},
            {"BillingMode", "PAY_PER_REQUEST"},
            {"AttributeDefinitions",
             json::array{json::object{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
            {"KeySchema", json::array{json::object{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}}};
        co_await c.call("CreateTable", create);
        auto description = co_await wait_until_table_active(c, table, std::chrono::seconds(10),
                                                            std::chrono::milliseconds(20));
        CHECK(description.table_name == table);
        CHECK(description.table_status == table_status::active);
        REQUIRE(description.key_schema.size() == 1);
        CHECK(description.key_schema[0].attribute_name == "pk");
        // The same description as DynamoDB JSON.
        auto raw_description = co_await raw::wait_until_table_active(
            c, table, std::chrono::seconds(10), std::chrono::milliseconds(20));
        CHECK(raw_description.at("TableStatus").as_string() == "ACTIVE");
        CHECK(raw_description.at("TableName").as_string() == table);
    });
    // A table that exists is not gone: the waiter gives up at its deadline.
    CHECK_THROWS_AS(test::run(ioc,
                              [&]() -> awaitable<void> {
                                  co_await wait_until_table_gone(c, table,
                                                                 std::chrono::milliseconds(60),
                                                                 std::chrono::milliseconds(20));
                              }),
                    waiter_timeout);
    test::run(ioc, [&]() -> awaitable<void> {
        json::value drop = {{"TableName", table}};
        co_await c.call("DeleteTable", drop);
        co_await wait_until_table_gone(c, table, std::chrono::seconds(10),
                                       std::chrono::milliseconds(20));
    });
    CHECK_THROWS_AS(test::run(ioc,
                              [&]() -> awaitable<void> {
                                  co_await wait_until_table_active(c, table + "-never");
                              }),
                    resource_not_found);
    CHECK_THROWS_AS(test::run(ioc,
                              [&]() -> awaitable<void> {
                                  co_await raw::wait_until_table_active(c, table + "-never");
                              }),
                    resource_not_found);
}
