// ddb tests — clients for local servers, with fast, deterministic retries.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/credentials/static_provider.hpp>
#include <ddb/ops/table_waiter.hpp>

#include "run.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <random>
#include <string>

namespace ddb::test {

inline const credentials test_credentials{
    "AKIDDDBTEST", "ddb-test-secret-key", "ddb-test-session-token", {}, "test", {}};

/// A config for `endpoint`: fixed region and credentials, 1 ms base backoff
/// with a fixed jitter factor, so attempt counts and timings are predictable.
inline client_config config_for(const std::string& endpoint) {
    client_config c;
    c.region = "us-east-1";
    c.endpoint = endpoint;
    c.credentials = std::make_shared<static_provider>(test_credentials);
    retry_config r;
    r.base_delay = std::chrono::milliseconds(1);
    r.random = [] { return 0.5; };
    c.retry = r;
    return c;
}

/// A table name no other test uses.
/// ListTables through `client::call`, run to completion on `ioc`: the
/// cheapest signed call, for tests of credentials and endpoints.
inline boost::json::value list_tables(boost::asio::io_context& ioc, client& c) {
    return run(ioc, [&]() -> boost::asio::awaitable<boost::json::value> {
        boost::json::value none = boost::json::object{};
        co_return co_await c.call("ListTables", none);
    });
}

inline std::string unique_table(const std::string& prefix = "t") {
    static std::atomic<int> n{0};
    std::random_device rd;
    return prefix + "-" + std::to_string(rd() % 1000000) + "-" + std::to_string(++n);
}

/// CreateTable with a string hash key `pk`, on demand; returns once the
/// table is ACTIVE (dynalite reports CREATING for a moment even with
/// --createTableMs 0, as DynamoDB does for seconds).
inline boost::asio::awaitable<void> create_table(client& c, const std::string& name) {
    boost::json::value req = {
        {"TableName", name},
        {"BillingMode", "PAY_PER_REQUEST"},
        {"AttributeDefinitions",
         boost::json::array{boost::json::object{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
        {"KeySchema",
         boost::json::array{boost::json::object{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}}};
    co_await c.call("CreateTable", req);
    co_await wait_until_table_active(c, name, std::chrono::seconds(10),
                                     std::chrono::milliseconds(10));
}

} // namespace ddb::test
