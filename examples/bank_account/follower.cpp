//
// bank_follower — the bank's second process: it follows the event store that
// bank_account writes and keeps the balances in a DynamoDB table, exactly
// once (each balance change is committed with the worker's checkpoint in one
// transaction). Start several: they share the store's partitions; stop one
// and the others take its partitions over.
//
//   bank_follower --suffix S    tables bank-events-S, bank-checkpoints-S and
//                               the read model bank-balances-S (made here
//                               when missing); DynamoDB from the usual AWS
//                               settings. Runs until SIGTERM or SIGINT.
//
// scripts/demo starts it beside bank_account, which checks at the end that
// this table holds the balances of its own projection.
//
#include "account.hpp"

#include <ddb/client/client.hpp>
#include <ddb/es/checkpoint_store.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/projection_worker.hpp>
#include <ddb/es/subscription.hpp>
#include <ddb/es/tables.hpp>
#include <ddb/ops/table_waiter.hpp>
#include <ddb/value/expression.hpp>

#include <boost/asio.hpp>

#include <cstring>
#include <iostream>
#include <string>
#include <unistd.h>
#include <variant>

namespace asio = boost::asio;
namespace es = ddb::es;
using asio::awaitable;
using namespace ddb::expr;
using namespace bank;

//[subscribe
#include <ddb/es/subscription.hpp>

#include <boost/asio/awaitable.hpp>

#include <iostream>

// Prints each event of the store from `from` on: the history first, then
// new events as they are appended (it never ends by itself).
boost::asio::awaitable<void> tail(ddb::es::event_repository& events,
                                  ddb::es::subscription_position from) {
    auto sub = ddb::es::subscribe(events, from);
    while (auto e = co_await sub.next()) {
        std::cout << e->id << " " << e->event_class << "\n";
        from.advance(*e); // store it somewhere to resume from here
    }
}
//]

namespace {

// The balance change an event makes, as a write to the read model.
std::vector<ddb::transact_write_item> balance_writes(const std::string& table,
                                                     const es::event_registry& registry,
                                                     const es::stored_event& se) {
    using any_event = std::variant<opened, deposited, withdrawn, overdraft_refused>;
    const any_event e = registry.decode<any_event>(se);
    std::int64_t change = 0;
    if (auto* d = std::get_if<deposited>(&e))
        change = d->amount;
    else if (auto* w = std::get_if<withdrawn>(&e))
        change = -w->amount;
    else if (!std::holds_alternative<opened>(e))
        return {}; // nothing changes; the checkpoint still moves
    ddb::expr::parameters p;
    ddb::transact_write_item u;
    u.update = ddb::transact_update{
        .table_name = table,
        .key = {{"pk", ddb::attribute_value(*se.aggregate_uuid)}},
        .update_expression =
            p.render(ddb::expr::update()
                         .add(path("balance"), ddb::attribute_value(ddb::number(change)))
                         .set(path("version"), value(ddb::number(se.aggregate_version))))};
    p.apply_to(*u.update);
    std::vector<ddb::transact_write_item> writes;
    writes.push_back(std::move(u));
    return writes;
}

awaitable<void> make_tables(ddb::client& c, const es::store_config& cfg,
                            const std::string& balances) {
    co_await es::create_tables(c, cfg);
    ddb::create_table_request req{.table_name = balances,
                                  .attribute_definitions = {{"pk", ddb::scalar_attribute_type::s}},
                                  .key_schema = {{"pk", ddb::key_type::hash}},
                                  .billing_mode = ddb::billing_mode::pay_per_request};
    try {
        co_await c.create_table(req);
    } catch (const ddb::resource_in_use&) {
        // Made already (by another follower).
    }
    co_await ddb::wait_until_table_active(c, balances);
}

} // namespace

int main(int argc, char** argv) {
    std::string suffix;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--suffix") == 0 && i + 1 < argc) {
            suffix = argv[++i];
        } else {
            std::cerr << "usage: bank_follower --suffix S\n";
            return 2;
        }
    }
    if (suffix.empty()) {
        std::cerr << "usage: bank_follower --suffix S\n";
        return 2;
    }
    asio::io_context ioc;
    try {
        const es::event_registry registry = make_registry();
        ddb::client c(ioc.get_executor(), ddb::client_config{});
        es::store_config cfg;
        cfg.events_table = "bank-events-" + suffix;
        cfg.snapshots_table = "bank-snapshots-" + suffix;
        cfg.checkpoints_table = "bank-checkpoints-" + suffix;
        const std::string balances = "bank-balances-" + suffix;
        es::dynamodb_event_repository events(c, cfg);
        es::checkpoint_store checkpoints(c, cfg);
        es::projection_worker_options o;
        o.projection = "balances";
        o.owner = "follower-" + std::to_string(::getpid());
        es::projection_worker worker(
            events, checkpoints, o,
            [&](const es::stored_event& se) -> awaitable<std::vector<ddb::transact_write_item>> {
                std::cout << "  [follower " << o.owner << "] " << *se.aggregate_uuid << " v"
                          << se.aggregate_version << " " << se.event_class << std::endl;
                co_return balance_writes(balances, registry, se);
            });
        asio::signal_set signals(ioc, SIGTERM, SIGINT);
        signals.async_wait([&](const boost::system::error_code& ec, int) {
            if (!ec)
                worker.stop();
        });
        std::exception_ptr failure;
        asio::co_spawn(
            ioc,
            [&]() -> awaitable<void> {
                co_await make_tables(c, cfg, balances);
                std::cout << "bank_follower " << worker.owner() << ": following "
                          << cfg.events_table << " into " << balances << std::endl;
                co_await worker.run();
            },
            [&](std::exception_ptr e) {
                failure = e;
                signals.cancel();
            });
        ioc.run();
        if (failure)
            std::rethrow_exception(failure);
        std::cout << "bank_follower " << worker.owner() << ": stopped after "
                  << worker.stats().handled << " events" << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "bank_follower: FAILED: " << e.what() << "\n";
        return 1;
    }
}
