// Test that header file is self-contained.
#include <ddb/client/client.hpp>

#include "../support/client_setup.hpp"
#include "../support/env.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <thread>

using namespace ddb;
namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;

TEST_CASE("call: CreateTable, PutItem, GetItem round trip", "[client]") {
    auto backend = GENERATE(as<std::string>{}, "moto", "dynalite");
    INFO(backend);
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint(backend)));
    auto table = test::unique_table();
    json::value got;
    test::run(ioc, [&]() -> awaitable<void> {
        co_await test::create_table(c, table);
        json::value put = {
            {"TableName", table},
            {"Item", {{"pk", {{"S", "k1"}}}, {"n", {{"N", "42"}}}, {"s", {{"S", "héllo ✓"}}}}}};
        co_await c.call("PutItem", put);
        json::value get = {
            {"TableName", table}, {"Key", {{"pk", {{"S", "k1"}}}}}, {"ConsistentRead", true}};
        got = co_await c.call("GetItem", get);
    });
    REQUIRE(got.is_object());
    auto& item = got.at("Item").as_object();
    CHECK(item.at("n").at("N").as_string() == "42");
    CHECK(item.at("s").at("S").as_string() == "héllo ✓");
}

TEST_CASE("call: typed service errors come back with their details", "[client]") {
    auto backend = GENERATE(as<std::string>{}, "moto", "dynalite");
    INFO(backend);
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint(backend)));
    auto table = test::unique_table();
    test::run(ioc, [&]() -> awaitable<void> { co_await test::create_table(c, table); });

    // ConditionalCheckFailed, with the old item when asked for.
    json::value put = {{"TableName", table},
                       {"Item", {{"pk", {{"S", "k"}}}, {"v", {{"S", "first"}}}}},
                       {"ConditionExpression", "attribute_not_exists(pk)"},
                       {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}};
    test::run(ioc, [&]() -> awaitable<void> { co_await c.call("PutItem", put); });
    try {
        test::run(ioc, [&]() -> awaitable<void> { co_await c.call("PutItem", put); });
        FAIL("no exception");
    } catch (const conditional_check_failed& e) {
        CHECK(e.status() == 400);
        CHECK(e.type() == "ConditionalCheckFailedException");
        CHECK(e.operation() == "PutItem");
        CHECK(e.code() == service_errc::conditional_check_failed);
        if (backend == "moto") { // dynalite predates ReturnValuesOnConditionCheckFailure
            REQUIRE(e.item());
            CHECK(*e.item() ==
                  ddb::item{{"pk", attribute_value("k")}, {"v", attribute_value("first")}});
        }
    }

    // ResourceNotFound.
    try {
        json::value get = {{"TableName", table + "-missing"}, {"Key", {{"pk", {{"S", "k"}}}}}};
        test::run(ioc, [&]() -> awaitable<void> { co_await c.call("GetItem", get); });
        FAIL("no exception");
    } catch (const resource_not_found& e) {
        CHECK(e.type() == "ResourceNotFoundException");
        CHECK_FALSE(e.message().empty());
    }

    // Validation: an item over DynamoDB's 400 KB limit.
    try {
        json::value big = {
            {"TableName", table},
            {"Item", {{"pk", {{"S", "big"}}}, {"blob", {{"S", std::string(410 * 1024, 'x')}}}}}};
        test::run(ioc, [&]() -> awaitable<void> { co_await c.call("PutItem", big); });
        FAIL("no exception");
    } catch (const validation_error& e) {
        CHECK(e.type() == "ValidationException");
        CHECK(e.status() == 400);
    }
}

TEST_CASE("keep-alive: sequential calls share one connection", "[client]") {
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint("dynalite")));
    test::run(ioc, [&]() -> awaitable<void> {
        json::value none = json::object{};
        for (int i = 0; i < 20; ++i)
            co_await c.call("ListTables", none);
    });
    auto s = c.pool_stats();
    CHECK(s.requests == 20);
    CHECK(s.connections_opened == 1);
    CHECK(s.reused == 19);
    CHECK(s.open == 1);
    CHECK(s.idle == 1);
}

TEST_CASE("a pooled connection the server closed after its idle time is not used", "[client]") {
    // dynalite closes idle keep-alive connections after 5 s.
    asio::io_context ioc;
    auto cfg = test::config_for(test::local_server::endpoint("dynalite"));
    cfg.pool.idle_timeout = std::chrono::seconds(60); // trust the pool, not the clock
    client c(ioc.get_executor(), cfg);
    test::run(ioc, [&]() -> awaitable<void> {
        json::value none = json::object{};
        co_await c.call("ListTables", none);
        asio::steady_timer wait(co_await asio::this_coro::executor,
                                std::chrono::milliseconds(7000));
        co_await wait.async_wait(asio::use_awaitable);
        co_await c.call("ListTables", none);
    });
    auto s = c.pool_stats();
    CHECK(s.connections_opened == 2);
    CHECK(s.discarded_stale == 1);
}

TEST_CASE("concurrent calls from two threads of one io_context", "[client]") {
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint("dynalite")));
    auto table = test::unique_table();
    test::run(ioc, [&]() -> awaitable<void> { co_await test::create_table(c, table); });
    std::atomic<int> ok{0}, failed{0};
    for (int i = 0; i < 64; ++i)
        asio::co_spawn(
            ioc,
            [&, i]() -> awaitable<void> {
                json::value put = {{"TableName", table},
                                   {"Item", {{"pk", {{"S", "k" + std::to_string(i)}}}}}};
                co_await c.call("PutItem", put);
                json::value get = {{"TableName", table},
                                   {"Key", {{"pk", {{"S", "k" + std::to_string(i)}}}}}};
                auto r = co_await c.call("GetItem", get);
                if (r.at("Item").at("pk").at("S").as_string() == "k" + std::to_string(i))
                    ++ok;
            },
            [&](std::exception_ptr e) {
                if (e)
                    ++failed;
            });
    ioc.restart();
    std::thread second([&] { ioc.run(); });
    ioc.run();
    second.join();
    CHECK(ok == 64);
    CHECK(failed == 0);
    CHECK(c.pool_stats().open <= 64);
}

TEST_CASE("metrics and log hooks never carry a secret", "[client]") {
    asio::io_context ioc;
    auto cfg = test::config_for(test::local_server::endpoint("moto"));
    std::string captured;
    int calls = 0;
    cfg.hooks.on_call = [&](const call_metrics& m) {
        ++calls;
        captured += m.operation + m.error + json::serialize(m.consumed_capacity) +
                    json::serialize(m.throttling_reasons);
        for (auto& a : m.attempts)
            captured += a.error + a.request_id + std::to_string(a.status);
    };
    cfg.hooks.log = [&](log_level, std::string_view line) {
        captured.append(line).push_back('\n');
    };
    client c(ioc.get_executor(), cfg);
    auto table = test::unique_table();
    test::run(ioc, [&]() -> awaitable<void> {
        co_await test::create_table(c, table);
        calls = 0; // CreateTable and its DescribeTable polls are in `captured` too
        json::value put = {{"TableName", table},
                           {"Item", {{"pk", {{"S", "k"}}}}},
                           {"ReturnConsumedCapacity", "TOTAL"}};
        co_await c.call("PutItem", put);
        json::value bad = {{"TableName", table + "-nope"}, {"Key", {{"pk", {{"S", "k"}}}}}};
        try {
            co_await c.call("GetItem", bad);
        } catch (const resource_not_found&) {
        }
    });
    CHECK(calls == 2);
    CHECK(captured.find("PutItem") != std::string::npos);
    CHECK(captured.find("ResourceNotFoundException") != std::string::npos);
    for (const std::string& secret :
         {test::test_credentials.secret_access_key, test::test_credentials.session_token,
          std::string("AWS4-HMAC-SHA256"), std::string("Signature="), std::string("Authorization"),
          std::string("authorization")}) {
        INFO(secret);
        CHECK(captured.find(secret) == std::string::npos);
    }
}

TEST_CASE("call rejects a bad configuration with typed errors", "[client]") {
    test::env_guard env;
    env.clean_aws();
    asio::io_context ioc;
    client_config cfg;
    cfg.region = "us-east-1";
    cfg.endpoint = "ftp://nowhere";
    CHECK_THROWS_AS(client(ioc.get_executor(), cfg), config_error);
    cfg.endpoint.reset();
    cfg.region.reset();
    env.set("AWS_CONFIG_FILE", "/nonexistent").set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    CHECK_THROWS_AS(client(ioc.get_executor(), cfg), config_error);
}
