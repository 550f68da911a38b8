//
// ddb demo — a tour of the client against whatever the usual AWS settings
// name: a local DynamoDB (AWS_ENDPOINT_URL_DYNAMODB, as scripts/demo sets up)
// or real AWS. Creates a table, writes and reads an item, shows typed errors,
// deletes the table, and prints what each call did on the wire.
//
#include <ddb/client/client.hpp>
#include <ddb/ops/table_waiter.hpp>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <iostream>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

// Prints one line per call: operation, attempts, latency, outcome.
void report(const ddb::call_metrics& m) {
    std::cout << "  [" << m.operation << ": " << m.attempts.size() << " attempt(s), "
              << m.total.count() / 1000.0 << " ms, " << (m.success ? "ok" : m.attempts.back().error)
              << "]\n";
}

asio::awaitable<void> demo(ddb::client& c) {
    // (Requests are named locals: GCC 12 mishandles some temporaries inside co_await.)
    json::value list = json::object{};
    auto tables = co_await c.call("ListTables", list);
    std::cout << "ListTables -> " << json::serialize(tables) << "\n";

    auto stamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    std::string table = "ddb-demo-" + std::to_string(stamp);
    json::value create = {
        {"TableName", table},
        {"BillingMode", "PAY_PER_REQUEST"},
        {"AttributeDefinitions",
         json::array{json::object{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
        {"KeySchema", json::array{json::object{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}}};
    auto created = co_await c.call("CreateTable", create);
    std::cout << "CreateTable -> " << table << " is "
              << std::string_view(created.at("TableDescription").at("TableStatus").as_string())
              << "\n";
    co_await ddb::wait_until_table_active(c, table, 60s);
    std::cout << "DescribeTable -> ACTIVE\n";

    json::value put = {
        {"TableName", table},
        {"Item",
         {{"pk", {{"S", "account-1"}}}, {"balance", {{"N", "100"}}}, {"owner", {{"S", "Zoë"}}}}},
        {"ConditionExpression", "attribute_not_exists(pk)"}};
    co_await c.call("PutItem", put);
    std::cout << "PutItem -> stored account-1\n";

    json::value get = {
        {"TableName", table}, {"Key", {{"pk", {{"S", "account-1"}}}}}, {"ConsistentRead", true}};
    auto item = co_await c.call("GetItem", get);
    std::cout << "GetItem -> " << json::serialize(item.at("Item")) << "\n";

    // The same conditional put again: DynamoDB refuses it, ddb throws it typed.
    try {
        co_await c.call("PutItem", put);
    } catch (const ddb::conditional_check_failed& e) {
        std::cout << "PutItem again -> ddb::conditional_check_failed: " << e.message() << "\n";
    }
    json::value missing = {{"TableName", table + "-missing"}};
    try {
        co_await c.call("DescribeTable", missing);
    } catch (const ddb::resource_not_found& e) {
        std::cout << "DescribeTable (missing) -> ddb::resource_not_found (HTTP " << e.status()
                  << ")\n";
    }

    json::value drop = {{"TableName", table}};
    co_await c.call("DeleteTable", drop);
    std::cout << "DeleteTable -> " << table << " deleted\n";
}

int main() {
    asio::io_context ioc;
    try {
        ddb::client_config config; // region, endpoint, credentials: from the environment
        config.hooks.on_call = report;
        ddb::client c(ioc.get_executor(), config);
        std::cout << "endpoint: " << c.endpoint().url << "  region: " << c.region() << "\n\n";
        std::exception_ptr failure;
        asio::co_spawn(ioc, demo(c), [&](std::exception_ptr e) { failure = e; });
        ioc.run();
        if (failure)
            std::rethrow_exception(failure);
        auto pool = c.pool_stats();
        // Which credential source and which endpoint form served (no secret).
        std::cout << "\ncredentials: " << c.credential_source()->describe() << "\n";
        std::cout << "endpoint: " << c.describe_endpoint() << "\n";
        std::cout << "\n"
                  << pool.requests << " requests over " << pool.connections_opened
                  << " connection(s)\ndemo: OK\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "demo failed: " << e.what() << "\n";
        std::cout << "demo: FAILED\n";
        return 1;
    }
}
