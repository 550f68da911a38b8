// Retries, timeouts, integrity checks and cancellation of client::call,
// through a fault-injecting proxy in front of a real local DynamoDB.
#include <ddb/client/client.hpp>

#include "../support/client_setup.hpp"
#include "../support/fault_proxy.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

using namespace ddb;
namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using std::chrono::milliseconds;

namespace {

struct fixture {
    explicit fixture(const std::string& backend = "moto",
                     std::function<void(client_config&)> tweak = {})
        : proxy(test::local_server::endpoint(backend)) {
        auto cfg = test::config_for(proxy.endpoint());
        cfg.hooks.on_call = [this](const call_metrics& m) { last = m; };
        if (tweak)
            tweak(cfg);
        c.emplace(ioc.get_executor(), cfg);
    }
    json::value call(const std::string& op, const json::value& body) {
        return test::run(ioc,
                         [&]() -> awaitable<json::value> { co_return co_await c->call(op, body); });
    }
    json::value list() { return call("ListTables", json::object{}); }
    /// ListTables raced against a timer (awaitable operator ||): 0 when the
    /// call won, 1 when the timer did and the call was cancelled.
    std::size_t list_racing_timer(milliseconds after) {
        using namespace asio::experimental::awaitable_operators;
        return test::run(ioc, [&]() -> awaitable<std::size_t> {
            asio::steady_timer timer(co_await asio::this_coro::executor, after);
            json::value none = json::object{};
            auto call_op = c->call("ListTables", none);
            auto wait = timer.async_wait(asio::use_awaitable);
            auto r = co_await (std::move(call_op) || std::move(wait));
            co_return r.index();
        });
    }
    std::vector<std::string> errors() const {
        std::vector<std::string> e;
        for (auto& a : last.attempts)
            e.push_back(a.error);
        return e;
    }

    asio::io_context ioc;
    test::fault_proxy proxy;
    std::optional<client> c;
    call_metrics last;
};

} // namespace

TEST_CASE("retry: a connection closed before the response is retried", "[retry]") {
    fixture f;
    f.proxy.push({test::fault::close_before_forward});
    CHECK(f.list().is_object());
    CHECK(f.last.attempts.size() == 2);
    CHECK(f.last.success);
    CHECK(f.errors()[0] == "connection closed before the response was complete");
}

TEST_CASE("retry: the ambiguous close after the server processed the request", "[retry]") {
    fixture f;
    auto table = test::unique_table();
    test::run(f.ioc, [&]() -> awaitable<void> { co_await test::create_table(*f.c, table); });
    json::value put = {{"TableName", table}, {"Item", {{"pk", {{"S", "once"}}}}}};

    // On a fresh connection: the client's retry policy sends it again.
    f.proxy.close_client_connections();
    f.proxy.push({test::fault::close_after_forward});
    auto before = f.proxy.requests();
    f.call("PutItem", put);
    CHECK(f.last.attempts.size() == 2);
    CHECK(f.proxy.requests() - before == 2);

    // On a pooled connection, no byte back looks like a stale connection:
    // the transport resends once on a new one, within the same attempt.
    f.proxy.push({test::fault::close_after_forward});
    before = f.proxy.requests();
    f.call("PutItem", put);
    CHECK(f.last.attempts.size() == 1);
    CHECK(f.proxy.requests() - before == 2);

    json::value scan = {{"TableName", table}};
    CHECK(f.call("Scan", scan).at("Count").as_int64() == 1); // PutItem is idempotent
}

TEST_CASE("retry: throttling is retried up to max attempts, then thrown typed", "[retry]") {
    fixture f;
    f.proxy.push(test::fault::throttle());
    f.proxy.push(test::fault::throttle());
    CHECK(f.list().is_object());
    CHECK(f.last.attempts.size() == 3);
    CHECK(f.errors()[0] == "ThrottlingException");
    CHECK(f.c->retries().quota_available() == 500); // refunded on success

    for (int i = 0; i < 3; ++i)
        f.proxy.push(test::fault::throttle());
    CHECK_THROWS_AS(f.list(), throttling_exception);
    CHECK(f.last.attempts.size() == 3);
    CHECK_FALSE(f.last.success);
    CHECK(f.c->retries().quota_available() == 490);
}

TEST_CASE("retry: 503 and non-JSON 502 are transient", "[retry]") {
    fixture f;
    f.proxy.push(test::fault::unavailable());
    f.proxy.push({test::fault::respond, 502, "<html><body>Bad Gateway</body></html>", {}});
    CHECK(f.list().is_object());
    CHECK(f.last.attempts.size() == 3);
    CHECK(f.last.attempts[0].status == 503);
    CHECK(f.last.attempts[1].status == 502);

    // 503 with a ThrottlingException body: throttled, typed, and retried.
    auto throttled_503 = test::fault::throttle();
    throttled_503.status = 503;
    f.proxy.push(throttled_503);
    CHECK(f.list().is_object());
    REQUIRE(f.last.attempts.size() == 2);
    CHECK(f.last.attempts[0].status == 503);
    CHECK(f.errors()[0] == "ThrottlingException");
}

TEST_CASE("retry: a damaged body fails the CRC32 check and is retried", "[retry]") {
    fixture f("dynalite"); // dynalite sends x-amz-crc32
    f.proxy.push({test::fault::flip_body_byte});
    CHECK(f.list().is_object());
    REQUIRE(f.last.attempts.size() == 2);
    CHECK(f.errors()[0] == "response CRC32 mismatch"); // http::errc::crc32_mismatch
}

TEST_CASE("retry: a response slower than the attempt timeout is retried", "[retry]") {
    fixture f("moto", [](client_config& c) { c.attempt_timeout = milliseconds(300); });
    f.proxy.push({test::fault::delay, 0, {}, milliseconds(900)});
    CHECK(f.list().is_object());
    REQUIRE(f.last.attempts.size() == 2);
    CHECK(f.errors()[0] == "request timed out");
    CHECK(f.last.attempts[0].latency >= milliseconds(280));
}

TEST_CASE("retry: a truncated response is retried", "[retry]") {
    fixture f;
    f.proxy.push({test::fault::truncate_body});
    CHECK(f.list().is_object());
    CHECK(f.last.attempts.size() == 2);
}

TEST_CASE("retry: validation and condition failures are never retried", "[retry]") {
    fixture f;
    auto table = test::unique_table();
    test::run(f.ioc, [&]() -> awaitable<void> { co_await test::create_table(*f.c, table); });
    json::value bad = {{"TableName", table}, {"Item", {{"other", {{"S", "no key"}}}}}};
    CHECK_THROWS_AS(f.call("PutItem", bad), validation_error);
    CHECK(f.last.attempts.size() == 1);
}

TEST_CASE("non-JSON error bodies become typed errors that say what came back", "[retry]") {
    fixture f;
    f.proxy.push({test::fault::respond, 413, "", {}});
    try {
        f.list();
        FAIL("no exception");
    } catch (const unexpected_response& e) {
        CHECK(e.status() == 413);
        CHECK(e.message() == "empty body");
    }
    CHECK(f.last.attempts.size() == 1);
    f.proxy.push({test::fault::respond,
                  404,
                  "<Error><Code>NoSuchThing</Code><Message>gone</Message></Error>",
                  {}});
    try {
        f.list();
        FAIL("no exception");
    } catch (const unexpected_response& e) {
        CHECK(e.status() == 404);
        CHECK(e.type() == "NoSuchThing");
        CHECK(e.body_excerpt().find("gone") != std::string::npos);
    }
}

TEST_CASE("retry: ExpiredToken refreshes the credentials and re-signs", "[retry]") {
    struct counting : credentials_provider {
        int fetches = 0, invalidations = 0;
        asio::awaitable<credentials> fetch() override {
            ++fetches;
            co_return test::test_credentials;
        }
        std::string name() const override { return "counting"; }
        void invalidate() override { ++invalidations; }
    };
    auto provider = std::make_shared<counting>();
    fixture f("moto", [&](client_config& c) { c.credentials = provider; });
    f.proxy.push(
        {test::fault::respond,
         400,
         R"({"__type":"com.amazonaws.dynamodb.v20120810#ExpiredTokenException","message":"expired"})",
         {}});
    CHECK(f.list().is_object());
    CHECK(provider->invalidations == 1);
    CHECK(provider->fetches == 2);
    CHECK(f.last.attempts.size() == 2);
}

TEST_CASE("the retry quota runs out under sustained failures", "[retry]") {
    fixture f("moto", [](client_config& c) {
        c.retry->quota_capacity = 12; // two retries' worth
        c.retry->max_attempts = 10;
    });
    for (int i = 0; i < 10; ++i)
        f.proxy.push(test::fault::unavailable());
    CHECK_THROWS_AS(f.list(), service_unavailable);
    CHECK(f.last.attempts.size() == 3); // 1 + 2 retries, then no quota
}

TEST_CASE("cancellation stops a slow call and leaves the pool usable", "[retry]") {
    fixture f;
    f.list(); // one pooled connection
    f.proxy.push({test::fault::delay, 0, {}, milliseconds(3000)});
    auto started = std::chrono::steady_clock::now();
    auto winner = f.list_racing_timer(milliseconds(200));
    CHECK(winner == 1);
    CHECK(std::chrono::steady_clock::now() - started < milliseconds(2000));
    auto s = f.c->pool_stats();
    CHECK(s.open == 0); // the interrupted connection was closed, not pooled
    CHECK(f.list().is_object());
    CHECK(f.c->pool_stats().open == 1);
}

TEST_CASE("cancellation during the backoff wait", "[retry]") {
    fixture f("moto", [](client_config& c) { c.retry->base_delay = milliseconds(4000); });
    f.proxy.push(test::fault::throttle());
    auto started = std::chrono::steady_clock::now();
    auto winner = f.list_racing_timer(milliseconds(300));
    CHECK(winner == 1);
    CHECK(std::chrono::steady_clock::now() - started < milliseconds(1500));
    CHECK(f.proxy.requests() == 1); // no second attempt went out
}

TEST_CASE("the call timeout bounds retries and backoff", "[retry]") {
    fixture f("moto", [](client_config& c) {
        c.retry->base_delay = milliseconds(2000);
        c.call_timeout = milliseconds(500);
    });
    f.proxy.push(test::fault::throttle());
    auto started = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(f.list(), throttling_exception); // backoff would pass the deadline
    CHECK(std::chrono::steady_clock::now() - started < milliseconds(400));
    CHECK(f.last.attempts.size() == 1);
}
