// The client's Asio surface against moto: async_<name> with every token
// kind, the error-code path with diagnostics, per-operation cancellation of
// each type (through the fault proxy, which holds a response back), the
// pool left consistent, and a client moved or destroyed while calls run.
#include <ddb/client/client.hpp>
#include <ddb/core/errc.hpp>
#include <ddb/ops/table.hpp>
#include <ddb/value/expression.hpp>

#include "../support/client_setup.hpp"
#include "../support/fault_proxy.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <thread>

using namespace ddb;
namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;

namespace {

put_item_request put_of(const std::string& table, const std::string& pk, int n) {
    put_item_request r;
    r.table_name = table;
    r.item = key("pk", attribute_value(pk));
    r.item["n"] = attribute_value(number(n));
    return r;
}

get_item_request get_of(const std::string& table, const std::string& pk) {
    get_item_request r;
    r.table_name = table;
    r.key = key("pk", attribute_value(pk));
    r.consistent_read = true;
    return r;
}

// Waits until the pool has no connection in use (the transport closes a
// cancelled exchange's connection on its own strand).
void settle(asio::io_context& ioc, client& c) {
    for (int i = 0; i < 200 && c.pool_stats().open != c.pool_stats().idle; ++i) {
        ioc.restart();
        ioc.run_for(5ms);
    }
}

} // namespace

TEST_CASE("client async forms: every completion token kind (moto)", "[asio]") {
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint("moto")));
    const auto table = test::unique_table("asio");
    test::run(ioc, [&]() -> awaitable<void> { co_await test::create_table(c, table); });

    SECTION("a plain callback runs on its strand") {
        auto strand = asio::make_strand(ioc);
        bool ok = false, in_strand = false;
        c.async_put_item(put_of(table, "cb", 1),
                         asio::bind_executor(strand, [&](error_code ec, put_item_response) {
                             ok = !ec;
                             in_strand = strand.running_in_this_thread();
                         }));
        ioc.restart();
        ioc.run();
        CHECK(ok);
        CHECK(in_strand);
        std::optional<item> got;
        c.async_get_item(get_of(table, "cb"), [&](error_code ec, get_item_response r) {
            CHECK_FALSE(ec);
            got = std::move(r.item);
        });
        ioc.restart();
        ioc.run();
        REQUIRE(got);
        CHECK(got->at("n").as_n().as<std::int64_t>() == 1);
    }
    SECTION("use_future from a thread that does not run the io_context") {
        auto work = asio::make_work_guard(ioc);
        ioc.restart();
        std::thread io([&] { ioc.run(); });
        auto put = c.async_put_item(put_of(table, "fut", 2), asio::use_future);
        put.get();
        auto got = c.async_get_item(get_of(table, "fut"), asio::use_future).get();
        REQUIRE(got.item);
        CHECK(got.item->at("n").as_n().as<std::int64_t>() == 2);
        auto missing = c.async_describe_table(std::string("no-such-table-xyz"), asio::use_future);
        try {
            missing.get();
            FAIL("no exception");
        } catch (const boost::system::system_error& e) {
            CHECK(e.code() == errc::not_found);
        }
        work.reset();
        io.join();
    }
    SECTION("use_awaitable, deferred in a parallel group, as_tuple, redirect_error") {
        test::run(ioc, [&]() -> awaitable<void> {
            co_await c.async_put_item(put_of(table, "aw", 3), asio::use_awaitable);
            auto [order, e1, r1, e2, r2] =
                co_await asio::experimental::make_parallel_group(
                    c.async_get_item(get_of(table, "aw"), asio::deferred),
                    c.async_put_item(put_of(table, "aw2", 4), asio::deferred))
                    .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
            CHECK_FALSE(e1);
            CHECK_FALSE(e2);
            CHECK(r1.item.has_value());
            auto [ec, answer] = co_await c.async_get_item(get_of(table, "aw2"),
                                                          asio::as_tuple(asio::use_awaitable));
            CHECK_FALSE(ec);
            CHECK(answer.item.has_value());
            error_code ec2;
            auto none = co_await c.async_get_item(get_of(table, "nobody"),
                                                  asio::redirect_error(asio::use_awaitable, ec2));
            CHECK_FALSE(ec2);
            CHECK_FALSE(none.item.has_value());
            // The raw JSON call has an async form too.
            boost::json::value req = {{"TableName", table}};
            auto described = co_await c.async_call("DescribeTable", req, asio::use_awaitable);
            CHECK(described.at("Table").at("TableName").as_string() == table);
        });
    }
}

TEST_CASE("client async forms: typed failures as error codes, their data in diagnostics (moto)",
          "[asio]") {
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint("moto")));
    const auto table = test::unique_table("asio-err");
    test::run(ioc, [&]() -> awaitable<void> {
        co_await test::create_table(c, table);
        co_await c.put_item(put_of(table, "a", 1));
    });
    test::run(ioc, [&]() -> awaitable<void> {
        // A failed condition: the code, and the old item from the diagnostics.
        auto again = put_of(table, "a", 2);
        again.condition_expression = "attribute_not_exists(pk)";
        again.return_values_on_condition_check_failure =
            return_values_on_condition_check_failure::all_old;
        diagnostics diag;
        auto [ec, r] = co_await c.async_put_item(again, diag, asio::as_tuple(asio::use_awaitable));
        CHECK(ec == errc::conditional_check_failed);
        CHECK(ec == service_errc::conditional_check_failed);
        CHECK(ec != errc::throttled);
        const auto* failed = diag.get<conditional_check_failed>();
        REQUIRE(failed != nullptr);
        REQUIRE(failed->item());
        CHECK(failed->item()->at("n").as_n().as<std::int64_t>() == 1);
        CHECK_FALSE(failed->request_id().empty());
        CHECK(diag.message().find("conditional") != std::string::npos);

        // A cancelled transaction: its reasons per action.
        transact_write_items_request tx;
        transact_write_item ok_put;
        ok_put.put.emplace();
        ok_put.put->table_name = table;
        ok_put.put->item = key("pk", "b");
        transact_write_item check;
        check.condition_check.emplace();
        check.condition_check->table_name = table;
        check.condition_check->key = key("pk", "a");
        check.condition_check->condition_expression = "attribute_not_exists(pk)";
        tx.transact_items = {ok_put, check};
        auto [tec, tr] =
            co_await c.async_transact_write_items(tx, diag, asio::as_tuple(asio::use_awaitable));
        CHECK(tec == errc::transaction_canceled);
        const auto* canceled = diag.get<transaction_canceled>();
        REQUIRE(canceled != nullptr);
        REQUIRE(canceled->reasons().size() == 2);
        CHECK(canceled->reasons()[0].code == "None");
        CHECK(canceled->reasons()[1].code == "ConditionalCheckFailed");

        // A bad argument, refused before sending: an error code as well.
        auto bad = put_of("x", "a", 1); // table names have 3 characters at least
        auto [bec, br] = co_await c.async_put_item(bad, diag, asio::as_tuple(asio::use_awaitable));
        CHECK(bec == errc::invalid_argument);
        CHECK(bec == value_errc::invalid_table_name);

        // A success clears the diagnostics.
        auto [gec, got] = co_await c.async_get_item(get_of(table, "a"), diag,
                                                    asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(gec);
        CHECK(diag.exception() == nullptr);
    });
}

TEST_CASE("client async forms: terminal, partial and total cancellation (fault proxy)", "[asio]") {
    using ct = asio::cancellation_type;
    const auto type = GENERATE(ct::terminal, ct::partial, ct::total);
    INFO("cancellation type " << static_cast<int>(type));
    test::fault_proxy proxy(test::local_server::endpoint("moto"));
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(proxy.endpoint()));
    const auto table = test::unique_table("asio-cancel");
    test::run(ioc, [&]() -> awaitable<void> {
        co_await test::create_table(c, table);
        co_await c.put_item(put_of(table, "held", 1));
    });
    const auto before = c.pool_stats();

    // Emits `type` 150 ms into an operation whose request the proxy holds
    // 600 ms; returns what the handler got and how long it took.
    auto cancel_during = [&](auto start) {
        asio::cancellation_signal sig;
        std::optional<error_code> got;
        proxy.push(test::fault(test::fault::delay, 200, {}, 600ms));
        auto t0 = std::chrono::steady_clock::now();
        start(
            asio::bind_cancellation_slot(sig.slot(), [&](error_code ec, auto&&...) { got = ec; }));
        asio::steady_timer timer(ioc, 150ms);
        timer.async_wait([&](error_code) { sig.emit(type); });
        ioc.restart();
        while (!got && ioc.run_one())
            ;
        auto took = std::chrono::steady_clock::now() - t0;
        settle(ioc, c);
        return std::pair{*got, took};
    };

    SECTION("a read honours every type") {
        auto [ec, took] = cancel_during(
            [&](auto handler) { c.async_get_item(get_of(table, "held"), std::move(handler)); });
        CHECK(ec == asio::error::operation_aborted);
        CHECK(took < 500ms);
    }
    SECTION("a write honours terminal and partial, and completes under total") {
        auto [ec, took] = cancel_during(
            [&](auto handler) { c.async_put_item(put_of(table, "held", 2), std::move(handler)); });
        if (type == ct::total) {
            CHECK_FALSE(ec);
            CHECK(took >= 550ms);
        } else {
            CHECK(ec == asio::error::operation_aborted);
            CHECK(took < 500ms);
        }
        // The write's outcome, whatever it is, is whole: n is 1 or 2.
        auto n = test::run(ioc, [&]() -> awaitable<std::int64_t> {
            auto r = co_await c.get_item(get_of(table, "held"));
            co_return r.item->at("n").as_n().as<std::int64_t>();
        });
        CHECK((n == 1 || n == 2));
        if (type == ct::total)
            CHECK(n == 2);
    }
    // The pool: nothing left in use; a cancelled exchange's connection was
    // closed, not pooled; the client goes on working.
    auto after = c.pool_stats();
    CHECK(after.open == after.idle);
    CHECK(after.connections_opened <= before.connections_opened + 3);
    auto again = test::run(ioc, [&]() -> awaitable<bool> {
        auto r = co_await c.get_item(get_of(table, "held"));
        co_return r.item.has_value();
    });
    CHECK(again);
}

TEST_CASE("a client moved or destroyed while its calls run", "[asio]") {
    asio::io_context ioc;
    auto c = std::make_unique<client>(ioc.get_executor(),
                                      test::config_for(test::local_server::endpoint("moto")));
    const auto table = test::unique_table("asio-move");
    test::run(ioc, [&]() -> awaitable<void> { co_await test::create_table(*c, table); });

    int done = 0;
    for (int i = 0; i < 10; ++i)
        c->async_put_item(put_of(table, "k" + std::to_string(i), i), [&](error_code ec, auto) {
            CHECK_FALSE(ec);
            ++done;
        });
    client moved = std::move(*c); // the calls in flight do not depend on *c
    c.reset();                    // nor on its storage
    auto short_form = moved.get_item(get_of(table, "k0"));
    client last = std::move(moved);
    ioc.restart();
    ioc.run();
    CHECK(done == 10);
    auto got = test::run(ioc, [&]() -> awaitable<bool> {
        auto r = co_await std::move(short_form); // made before the move
        co_return r.item.has_value();
    });
    CHECK(got);
    {
        // Destroyed while the call runs: the call completes.
        auto doomed = std::make_unique<client>(
            ioc.get_executor(), test::config_for(test::local_server::endpoint("moto")));
        bool completed = false;
        doomed->async_get_item(get_of(table, "k1"), [&](error_code ec, get_item_response r) {
            completed = !ec && r.item.has_value();
        });
        doomed.reset();
        ioc.restart();
        ioc.run();
        CHECK(completed);
    }
}
