//
// Example: the data API on ddb::client — a conditional put, an update with
// the expression builder, a paginated query consumed with co_await, a batch
// write of 1,000 items, and a transaction. Runs against whatever
// AWS_ENDPOINT_URL_DYNAMODB / AWS_REGION name (a local moto in the tests).
//
#include <ddb/batch.hpp>
#include <ddb/client.hpp>
#include <ddb/expression.hpp>
#include <ddb/mapping.hpp>
#include <ddb/paginator.hpp>
#include <ddb/table_waiter.hpp>
#include <ddb/transaction.hpp>

#include <boost/asio.hpp>
#include <iostream>

namespace asio = boost::asio;
namespace json = boost::json;
using ddb::attribute_value;
using namespace ddb::expr;

//[conditional_put
// Store an event only if its slot is still free.
asio::awaitable<bool> store_once(ddb::client& db, const std::string& table, ddb::item event) {
    parameters p;
    json::object request{{"TableName", table}, {"Item", ddb::to_json(event)}};
    request["ConditionExpression"] = p.render(attribute_not_exists(path("pk")));
    p.apply_to(request);
    try {
        co_await db.call("PutItem", request);
        co_return true;
    } catch (const ddb::conditional_check_failed&) {
        co_return false; // someone else stored it first
    }
}
//]

//[update
// Add to a balance, creating it at 0 when absent, unless the account is closed.
asio::awaitable<ddb::item> deposit(ddb::client& db, const std::string& table, const std::string& id,
                                   int amount) {
    parameters p;
    ddb::item key{{"pk", attribute_value(id)}, {"sk", attribute_value(ddb::number(0))}};
    json::object request{
        {"TableName", table}, {"Key", ddb::to_json(key)}, {"ReturnValues", "ALL_NEW"}};
    request["UpdateExpression"] = p.render(
        update().set(path("balance"), if_not_exists(path("balance"), value(0)) + value(amount)));
    request["ConditionExpression"] = p.render(attribute_not_exists(path("closed")));
    p.apply_to(request);
    auto answer = co_await db.call("UpdateItem", request);
    co_return ddb::item_from_json(answer.at("Attributes"));
}
//]

//[query
// Every event of one aggregate, across pages, decoded into items.
asio::awaitable<int> count_events(ddb::client& db, const std::string& table,
                                  const std::string& aggregate) {
    parameters p;
    json::object request{{"TableName", table}};
    request["KeyConditionExpression"] = p.render(path("pk") == value(aggregate));
    p.apply_to(request);
    int n = 0;
    auto events = ddb::query_items(db, request); // pages fetched one ahead
    while (auto event = co_await events.next())
        ++n;
    co_return n;
}
//]

//[batch
// 1,000 puts: chunked, unprocessed items re-sent, failures reported.
asio::awaitable<std::size_t> import(ddb::client& db, const std::string& table) {
    std::vector<ddb::write_request> writes;
    for (int i = 0; i < 1000; ++i)
        writes.push_back(ddb::write_request::put_item(
            table, {{"pk", attribute_value("bulk")}, {"sk", attribute_value(ddb::number(i))}}));
    auto result = co_await ddb::batch_write(db, std::move(writes));
    for (auto& failure : result.failed)
        std::cerr << "not written: " << failure.reason << "\n";
    co_return result.written;
}
//]

//[transaction
// Move money between two accounts, all or nothing, idempotent under retries.
asio::awaitable<void> transfer(ddb::client& db, const std::string& table, int amount) {
    auto move = [&](const char* id, int delta, bool check_funds) {
        parameters p;
        ddb::item key{{"pk", attribute_value(id)}, {"sk", attribute_value(ddb::number(0))}};
        json::object u{{"TableName", table}, {"Key", ddb::to_json(key)}};
        u["UpdateExpression"] =
            p.render(update().set(path("balance"), path("balance") + value(delta)));
        if (check_funds)
            u["ConditionExpression"] = p.render(path("balance") >= value(amount));
        p.apply_to(u);
        return json::object{{"Update", u}};
    };
    json::array actions{move("alice", -amount, true), move("bob", amount, false)};
    try {
        co_await ddb::transact_write(db, actions);
    } catch (const ddb::transaction_canceled& e) {
        for (auto& r : e.reasons())
            std::cerr << "action: " << r.code << "\n";
        throw;
    }
}
//]

asio::awaitable<void> run(ddb::client& db) {
    std::string table = "ddb-example-" + ddb::random_request_token().substr(0, 8);
    json::value create = {
        {"TableName", table},
        {"BillingMode", "PAY_PER_REQUEST"},
        {"AttributeDefinitions",
         json::array{json::object{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                     json::object{{"AttributeName", "sk"}, {"AttributeType", "N"}}}},
        {"KeySchema", json::array{json::object{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                                  json::object{{"AttributeName", "sk"}, {"KeyType", "RANGE"}}}}};
    co_await db.call("CreateTable", create);
    co_await ddb::wait_until_table_active(db, table);

    ddb::item event{{"pk", attribute_value("order-1")}, {"sk", attribute_value(ddb::number(1))}};
    // (Results are named locals: GCC 12 mishandles some temporaries inside co_await.)
    bool first = co_await store_once(db, table, event);
    bool second = co_await store_once(db, table, event);
    std::cout << "conditional put: first " << first << ", second " << second << "\n";

    // (The accounts use sk = 0.)
    for (const char* id : {"alice", "bob"}) {
        ddb::item account{{"pk", attribute_value(id)},
                          {"sk", attribute_value(ddb::number(0))},
                          {"balance", attribute_value(ddb::number(100))}};
        json::value put = {{"TableName", table}, {"Item", ddb::to_json(account)}};
        co_await db.call("PutItem", put);
    }
    auto alice = co_await deposit(db, table, "alice", 50);
    std::cout << "update: alice has " << alice.at("balance").as_n().str() << "\n";
    co_await transfer(db, table, 120);
    std::cout << "transaction: moved 120 from alice to bob\n";
    try {
        co_await transfer(db, table, 1000);
    } catch (const ddb::transaction_canceled&) {
        std::cout << "transaction: 1000 refused, nothing changed\n";
    }
    auto written = co_await import(db, table);
    std::cout << "batch write: " << written << " items\n";
    auto found = co_await count_events(db, table, "bulk");
    std::cout << "query: " << found << " items\n";
    json::value drop = {{"TableName", table}};
    co_await db.call("DeleteTable", drop);
}

int main() {
    asio::io_context ioc;
    ddb::client db(ioc.get_executor());
    std::exception_ptr failure;
    asio::co_spawn(ioc, run(db), [&](std::exception_ptr e) { failure = e; });
    ioc.run();
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            std::cerr << "data_api: " << e.what() << "\n";
            return 1;
        }
    }
    std::cout << "data_api: OK\n";
}
