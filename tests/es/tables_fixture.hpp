// ddb tests — create_tables against moto and dynalite, optionally through the
// fault proxy: fresh table names, the progress lines and the calls of each
// run, and a client straight to the server for checking what is there.
#pragma once

#include "backend.hpp"

#include "../support/fault_proxy.hpp"

#include <ddb/es/error.hpp>
#include <ddb/ops/table_waiter.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ddb::es::test {

template <class B>
struct tables_fixture {
    boost::asio::io_context ioc;
    std::string server = ddb::test::local_server::endpoint(B::name);
    std::unique_ptr<ddb::test::fault_proxy> proxy;
    client direct;               // straight to the server
    std::unique_ptr<client> via; // through the proxy (when there is one)
    store_config cfg;
    /// The progress lines and the calls of the last `create`.
    std::vector<std::string> lines;
    std::vector<call_metrics> calls;
    /// Called with each progress line before it is recorded (to queue faults).
    std::function<void(const std::string&)> on_line;

    explicit tables_fixture(bool with_proxy = false)
        : direct(ioc.get_executor(), hooked(server)) {
        if (with_proxy) {
            proxy = std::make_unique<ddb::test::fault_proxy>(server);
            via = std::make_unique<client>(ioc.get_executor(), hooked(proxy->endpoint()));
        }
        cfg.events_table = ddb::test::unique_table("tables-events");
        cfg.snapshots_table = ddb::test::unique_table("tables-snapshots");
        cfg.checkpoints_table = ddb::test::unique_table("tables-checkpoints");
    }
    ~tables_fixture() {
        try {
            run([&]() -> boost::asio::awaitable<void> { co_await delete_tables(direct, cfg); });
        } catch (...) {
        }
    }
    tables_fixture(const tables_fixture&) = delete;
    tables_fixture& operator=(const tables_fixture&) = delete;

    template <class F>
    auto run(F&& make) {
        return ddb::test::complete(ioc, std::forward<F>(make));
    }

    /// create_tables with `config` (default: `cfg`), through the proxy when
    /// there is one.
    void create(bool force = false, std::optional<store_config> config = {}) {
        lines.clear();
        calls.clear();
        client& c = via ? *via : direct;
        const store_config used = config ? *config : cfg;
        std::function<void(std::string_view)> progress = [this](std::string_view line) {
            if (on_line)
                on_line(std::string(line));
            lines.emplace_back(line);
        };
        run([&]() -> boost::asio::awaitable<void> {
            co_await create_tables(c, used, force, progress);
        });
    }

    bool said(const std::string& line) const {
        return std::find(lines.begin(), lines.end(), line) != lines.end();
    }
    std::size_t calls_of(const std::string& operation) const {
        return static_cast<std::size_t>(
            std::count_if(calls.begin(), calls.end(),
                          [&](const call_metrics& m) { return m.operation == operation; }));
    }

    std::optional<table_description> describe(const std::string& table) {
        return run([&]() -> boost::asio::awaitable<std::optional<table_description>> {
            try {
                auto r = co_await direct.describe_table(table);
                co_return std::move(r.table);
            } catch (const resource_not_found&) {
                co_return std::nullopt;
            }
        });
    }

    /// Creates a table by hand (straight to the server) and waits until it is ACTIVE.
    void create_by_hand(const create_table_request& spec) {
        run([&]() -> boost::asio::awaitable<void> {
            co_await direct.create_table(spec);
            co_await wait_until_table_active(direct, spec.table_name, std::chrono::seconds(30),
                                             std::chrono::milliseconds(20));
        });
    }

    /// The three tables are ACTIVE, with the store's schema.
    void check_ready() {
        for (const auto& spec :
             {events_table_spec(cfg), snapshots_table_spec(cfg), checkpoints_table_spec(cfg)}) {
            auto t = describe(spec.table_name);
            REQUIRE(t);
            CHECK(t->table_status == table_status::active);
            CHECK(schema_differences(spec, *t).empty());
        }
    }

private:
    client_config hooked(const std::string& endpoint) {
        auto c = ddb::test::config_for(endpoint);
        c.hooks.on_call = [this](const call_metrics& m) { calls.push_back(m); };
        return c;
    }
};

} // namespace ddb::es::test
