// ddb tests — the event store's backends for the conformance suite: in
// memory, and DynamoDB on moto and on dynalite (fresh tables per test).
#pragma once

#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/dynamodb_snapshot_repository.hpp>
#include <ddb/es/in_memory_event_repository.hpp>
#include <ddb/es/in_memory_snapshot_repository.hpp>
#include <ddb/es/tables.hpp>

#include "../support/client_setup.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>

namespace ddb::es::test {

// `large`: the event count of the original's big tests (900). moto copies a
// table for every transaction and answers one request at a time, so its
// runs use a third of it (same boundaries, scaled).
struct memory_backend {
    static constexpr const char* name = "memory";
    static constexpr bool dynamodb = false;
    static constexpr int large = 900;
};
struct moto_backend {
    static constexpr const char* name = "moto";
    static constexpr bool dynamodb = true;
    static constexpr int large = 300;
};
struct dynalite_backend {
    static constexpr const char* name = "dynalite";
    static constexpr bool dynamodb = true;
    static constexpr int large = 900;
};

/// A fresh event store on backend B.
template <class B>
struct store {
    boost::asio::io_context ioc;
    store_config cfg;
    std::unique_ptr<client> c;
    std::unique_ptr<event_repository> events;
    std::unique_ptr<snapshot_repository> snapshots;

    explicit store(store_config config = {})
        : cfg(std::move(config)) {
        if constexpr (B::dynamodb) {
            c = std::make_unique<client>(
                ioc.get_executor(),
                ddb::test::config_for(ddb::test::local_server::endpoint(B::name)));
            cfg.events_table = ddb::test::unique_table("events");
            cfg.snapshots_table = ddb::test::unique_table("snapshots");
            cfg.checkpoints_table = ddb::test::unique_table("checkpoints");
            run([&]() -> boost::asio::awaitable<void> { co_await create_tables(*c, cfg); });
            events = std::make_unique<dynamodb_event_repository>(*c, cfg);
            snapshots = std::make_unique<dynamodb_snapshot_repository>(*c, cfg);
        } else {
            events = std::make_unique<in_memory_event_repository>(ioc.get_executor(), nullptr, cfg);
            snapshots = std::make_unique<in_memory_snapshot_repository>(ioc.get_executor(), cfg);
        }
    }
    ~store() {
        if (c) {
            try {
                run([&]() -> boost::asio::awaitable<void> { co_await delete_tables(*c, cfg); });
            } catch (...) {
            }
        }
    }

    template <class F>
    auto run(F&& make) {
        return ddb::test::complete(ioc, std::forward<F>(make));
    }

    /// Every event of a generator.
    std::vector<stored_event> all(generator<stored_event> gen) {
        return run([&]() -> boost::asio::awaitable<std::vector<stored_event>> {
            std::vector<stored_event> out;
            while (auto e = co_await gen.next())
                out.push_back(std::move(*e));
            co_return out;
        });
    }
};

} // namespace ddb::es::test
