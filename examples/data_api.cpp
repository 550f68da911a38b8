//
// Example: the data API on ddb::client — the table view's one-line calls, a
// callback and an as_tuple call, a conditional put, an update with the
// expression builder, a paginated query consumed with co_await, a batch
// write of 1,000 items, and a transaction. Runs against whatever
// AWS_ENDPOINT_URL_DYNAMODB / AWS_REGION name (a local moto in the tests).
//
#include <ddb/client/client.hpp>
#include <ddb/ops/batch.hpp>
#include <ddb/ops/paginator.hpp>
#include <ddb/ops/table.hpp>
#include <ddb/ops/table_waiter.hpp>
#include <ddb/ops/transaction.hpp>
#include <ddb/value/expression.hpp>

#include <boost/asio.hpp>
#include <iostream>

namespace asio = boost::asio;
using ddb::attribute_value;
using namespace ddb::expr;

//[table_view
#include <ddb/ops/table.hpp>

#include <boost/asio/awaitable.hpp>

#include <iostream>
#include <optional>
#include <string>

namespace asio = boost::asio;
using namespace ddb::expr;

// One statement per call: every argument is a class with constructors (no
// braced aggregate, no initializer list), which GCC 12 handles correctly
// inside a co_await.
asio::awaitable<std::optional<ddb::item>> open_account(ddb::client& db, const std::string& table,
                                                       const std::string& id) {
    auto accounts = db.table(table);
    co_await accounts.put(ddb::key("pk", id, "sk", ddb::number(0)),
                          ddb::write_options().only_if(attribute_not_exists(path("pk"))));
    co_await accounts.update(ddb::key("pk", id, "sk", ddb::number(0)),
                             update().set(path("balance"), value(10)));
    co_await accounts.update(ddb::key("pk", id, "sk", ddb::number(0)),
                             update().set(path("owner"), value("Zoë")),
                             ddb::write_options().only_if(attribute_exists(path("balance"))));
    auto items = accounts.query(path("pk") == value(id), ddb::read_options().consistent());
    while (auto account = co_await items.next())
        std::cout << "query: " << account->at("pk").as_s() << "\n";
    co_return co_await accounts.get(ddb::key("pk", id, "sk", ddb::number(0)),
                                    ddb::get_options().consistent());
}
//]

//[callbacks
#include <ddb/core/errc.hpp>
#include <ddb/ops/table.hpp>

#include <boost/asio.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;

// A plain callback: the handler gets (error_code, result), no exception.
void print_balance(ddb::table accounts, const std::string& id) {
    accounts.async_get(ddb::key("pk", id, "sk", ddb::number(0)), {},
                       [](ddb::error_code ec, std::optional<ddb::item> account) {
                           if (ec)
                               std::cerr << "get failed: " << ec.message() << "\n";
                           else if (account)
                               std::cout << "callback: balance "
                                         << account->at("balance").as_n().str() << "\n";
                       });
}

// as_tuple: a routine failure (the condition) is a value to test, not an exception.
asio::awaitable<bool> close_if_empty(ddb::table accounts, const std::string& id) {
    auto [ec, answer] = co_await accounts.async_remove(
        ddb::key("pk", id, "sk", ddb::number(0)),
        ddb::write_options().only_if(ddb::expr::path("balance") == ddb::expr::value(0)),
        asio::as_tuple(asio::use_awaitable));
    if (ec == ddb::errc::conditional_check_failed)
        co_return false; // not empty: still open
    if (ec)
        throw boost::system::system_error(ec);
    co_return true;
}
//]

//[conditional_put
#include <ddb/client/client.hpp>
#include <ddb/value/expression.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>

namespace asio = boost::asio;
using namespace ddb::expr; // parameters, path, attribute_not_exists, ...

// Store an event only if its slot is still free.
asio::awaitable<bool> store_once(ddb::client& db, const std::string& table, ddb::item event) {
    parameters p;
    ddb::put_item_request request{.table_name = table, .item = std::move(event)};
    request.condition_expression = p.render(attribute_not_exists(path("pk")));
    p.apply_to(request);
    try {
        co_await db.put_item(request);
        co_return true;
    } catch (const ddb::conditional_check_failed&) {
        co_return false; // someone else stored it first
    }
}
//]

//[update
#include <ddb/client/client.hpp>
#include <ddb/value/expression.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>

namespace asio = boost::asio;
using ddb::attribute_value;
using namespace ddb::expr;

// Add to a balance, creating it at 0 when absent, unless the account is closed.
asio::awaitable<ddb::item> deposit(ddb::client& db, const std::string& table, const std::string& id,
                                   int amount) {
    parameters p;
    ddb::update_item_request request{
        .table_name = table,
        .key = {{"pk", attribute_value(id)}, {"sk", attribute_value(ddb::number(0))}},
        .return_values = ddb::return_values::all_new};
    request.update_expression = p.render(
        update().set(path("balance"), if_not_exists(path("balance"), value(0)) + value(amount)));
    request.condition_expression = p.render(attribute_not_exists(path("closed")));
    p.apply_to(request);
    auto answer = co_await db.update_item(request);
    co_return std::move(*answer.attributes);
}
//]

//[query
#include <ddb/client/client.hpp>
#include <ddb/ops/paginator.hpp>
#include <ddb/value/expression.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>

namespace asio = boost::asio;
using namespace ddb::expr;

// Every event of one aggregate, across pages, decoded into items.
asio::awaitable<int> count_events(ddb::client& db, const std::string& table,
                                  const std::string& aggregate) {
    parameters p;
    ddb::query_request request{.table_name = table};
    request.key_condition_expression = p.render(path("pk") == value(aggregate));
    p.apply_to(request);
    int n = 0;
    auto events = ddb::query_items(db, request); // pages fetched one ahead
    while (auto event = co_await events.next())
        ++n;
    co_return n;
}
//]

//[batch
#include <ddb/client/client.hpp>
#include <ddb/ops/batch.hpp>

#include <boost/asio/awaitable.hpp>

#include <iostream>
#include <vector>

namespace asio = boost::asio;
using ddb::attribute_value;

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
#include <ddb/client/client.hpp>
#include <ddb/value/expression.hpp>

#include <boost/asio/awaitable.hpp>

#include <iostream>

namespace asio = boost::asio;
using ddb::attribute_value;
using namespace ddb::expr;

// Move money between two accounts, all or nothing, idempotent under retries
// (the client sends one random ClientRequestToken for all its attempts).
asio::awaitable<void> transfer(ddb::client& db, const std::string& table, int amount) {
    auto move = [&](const char* id, int delta, bool check_funds) {
        parameters p;
        ddb::transact_update u{
            .table_name = table,
            .key = {{"pk", attribute_value(id)}, {"sk", attribute_value(ddb::number(0))}}};
        u.update_expression =
            p.render(update().set(path("balance"), path("balance") + value(delta)));
        if (check_funds)
            u.condition_expression = p.render(path("balance") >= value(amount));
        p.apply_to(u);
        return ddb::transact_write_item{.update = std::move(u)};
    };
    ddb::transact_write_items_request request{
        .transact_items = {move("alice", -amount, true), move("bob", amount, false)}};
    try {
        co_await db.transact_write_items(request);
    } catch (const ddb::transaction_canceled& e) {
        for (auto& r : e.reasons())
            std::cerr << "action: " << r.code << "\n";
        throw;
    }
}
//]

asio::awaitable<void> run(ddb::client& db) {
    std::string table = "ddb-example-" + ddb::random_request_token().substr(0, 8);
    ddb::create_table_request create{
        .table_name = table,
        .attribute_definitions = {{"pk", ddb::scalar_attribute_type::s},
                                  {"sk", ddb::scalar_attribute_type::n}},
        .key_schema = {{"pk", ddb::key_type::hash}, {"sk", ddb::key_type::range}},
        .billing_mode = ddb::billing_mode::pay_per_request};
    co_await db.create_table(create);
    co_await ddb::wait_until_table_active(db, table);

    auto opened = co_await open_account(db, table, "carol");
    std::cout << "table view: carol's owner is " << opened->at("owner").as_s() << "\n";
    print_balance(db.table(table), "carol"); // runs while this coroutine goes on
    bool closed = co_await close_if_empty(db.table(table), "carol");
    std::cout << "as_tuple: carol closed " << closed << "\n";

    ddb::item event{{"pk", attribute_value("order-1")}, {"sk", attribute_value(ddb::number(1))}};
    // (Requests and results are named locals: GCC 12 destroys aggregate
    // temporaries built inside a co_await operand twice.)
    bool first = co_await store_once(db, table, event);
    bool second = co_await store_once(db, table, event);
    std::cout << "conditional put: first " << first << ", second " << second << "\n";

    // (The accounts use sk = 0.)
    for (const char* id : {"alice", "bob"}) {
        ddb::put_item_request put{.table_name = table,
                                  .item = {{"pk", attribute_value(id)},
                                           {"sk", attribute_value(ddb::number(0))},
                                           {"balance", attribute_value(ddb::number(100))}}};
        co_await db.put_item(put);
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
    co_await db.delete_table(table);
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
