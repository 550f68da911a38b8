// The token layer (<ddb/core/async_run.hpp>): every completion token kind,
// the handler's executor, the cancellation types passed per
// `cancellation_support`, and the error code + diagnostics of a failure.
// The operation here is a timer wait (no server): the layer is what is tested.
#include <ddb/client/errors.hpp>
#include <ddb/core/async_run.hpp>
#include <ddb/core/errc.hpp>
#include <ddb/es/error.hpp>
#include <ddb/http/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// An operation: waits `wait` (0: does not suspend at all), then returns
// `value` or throws `fail`.
struct op {
    asio::io_context::executor_type ex;
    template <class Token = asio::default_completion_token_t<asio::any_io_executor>>
    auto async_wait_value(int value, std::chrono::milliseconds wait, bool fail,
                          ddb::cancellation_support support, ddb::diagnostics* diag,
                          Token&& token = {}) {
        auto ex2 = ex;
        return ddb::detail::async_run<int>(
            ex,
            [ex2, value, wait, fail]() -> asio::awaitable<int> {
                if (wait > 0ms) {
                    asio::steady_timer t(ex2, wait);
                    co_await t.async_wait(asio::use_awaitable);
                }
                if (fail)
                    throw ddb::conditional_check_failed({400, "ConditionalCheckFailedException",
                                                         "the condition", "req-1", "PutItem"},
                                                        ddb::item{});
                co_return value;
            },
            diag, support, std::forward<Token>(token));
    }
};

// Which cancellation types each support level lets through.
struct support_row {
    ddb::cancellation_support support;
    asio::cancellation_type type;
    bool cancelled;
};
const support_row support_rows[] = {
    {ddb::cancellation_support::all, asio::cancellation_type::terminal, true},
    {ddb::cancellation_support::all, asio::cancellation_type::partial, true},
    {ddb::cancellation_support::all, asio::cancellation_type::total, true},
    {ddb::cancellation_support::terminal_partial, asio::cancellation_type::terminal, true},
    {ddb::cancellation_support::terminal_partial, asio::cancellation_type::partial, true},
    {ddb::cancellation_support::terminal_partial, asio::cancellation_type::total, false},
};

} // namespace

TEST_CASE("async_run: every completion token kind", "[async]") {
    asio::io_context io;
    op o{io.get_executor()};
    auto all = ddb::cancellation_support::all;

    SECTION("plain callback, on its strand") {
        auto strand = asio::make_strand(io);
        int got = 0;
        bool in_strand = false;
        o.async_wait_value(7, 1ms, false, all, nullptr,
                           asio::bind_executor(strand, [&](ddb::error_code ec, int v) {
                               CHECK_FALSE(ec);
                               got = v;
                               in_strand = strand.running_in_this_thread();
                           }));
        io.run();
        CHECK(got == 7);
        CHECK(in_strand);
    }
    SECTION("use_awaitable, deferred composed with && and ||, as_tuple, redirect_error") {
        using namespace asio::experimental::awaitable_operators;
        bool done = false;
        auto body = [&]() -> asio::awaitable<void> {
            int a = co_await o.async_wait_value(1, 1ms, false, all, nullptr, asio::use_awaitable);
            CHECK(a == 1);
            // deferred operations composed: Boost 1.81 composes them with a
            // parallel group (&& and || are for awaitables, below).
            auto [order, ec2a, a2, ec3, a3] =
                co_await asio::experimental::make_parallel_group(
                    o.async_wait_value(2, 1ms, false, all, nullptr, asio::deferred),
                    o.async_wait_value(3, 1ms, false, all, nullptr, asio::deferred))
                    .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
            CHECK(a2 == 2);
            CHECK(a3 == 3);
            CHECK_FALSE(ec2a);
            CHECK_FALSE(ec3);
            auto deferred_op = o.async_wait_value(10, 1ms, false, all, nullptr, asio::deferred);
            int ten = co_await std::move(deferred_op)(asio::use_awaitable);
            CHECK(ten == 10);
            auto both =
                co_await (o.async_wait_value(2, 1ms, false, all, nullptr, asio::use_awaitable) &&
                          o.async_wait_value(3, 1ms, false, all, nullptr, asio::use_awaitable));
            CHECK(std::get<0>(both) == 2);
            CHECK(std::get<1>(both) == 3);
            auto either =
                co_await (o.async_wait_value(4, 1ms, false, all, nullptr, asio::use_awaitable) ||
                          o.async_wait_value(5, 5s, false, all, nullptr, asio::use_awaitable));
            CHECK(either.index() == 0);
            ddb::diagnostics diag;
            auto [ec, v] = co_await o.async_wait_value(6, 1ms, true, all, &diag,
                                                       asio::as_tuple(asio::use_awaitable));
            CHECK(ec == ddb::errc::conditional_check_failed);
            CHECK(ec == ddb::service_errc::conditional_check_failed);
            CHECK(v == 0);
            auto* e = diag.get<ddb::conditional_check_failed>();
            REQUIRE(e != nullptr);
            CHECK(e->request_id() == "req-1");
            CHECK(diag.get<ddb::es::concurrency_conflict>() == nullptr);
            ddb::error_code ec2;
            int w = co_await o.async_wait_value(8, 1ms, false, all, &diag,
                                                asio::redirect_error(asio::use_awaitable, ec2));
            CHECK(w == 8);
            CHECK_FALSE(ec2);
            CHECK(diag.exception() == nullptr); // cleared when an operation starts
            // use_awaitable on failure: a system_error carrying the code.
            try {
                co_await o.async_wait_value(9, 1ms, true, all, nullptr, asio::use_awaitable);
                FAIL("no exception");
            } catch (const boost::system::system_error& x) {
                CHECK(x.code() == ddb::errc::conditional_check_failed);
            }
            done = true;
        };
        asio::co_spawn(io, body(), [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
        io.run();
        CHECK(done);
    }
    SECTION("use_future from a thread that does not run the io_context") {
        auto work = asio::make_work_guard(io);
        std::thread runner([&] { io.run(); });
        auto f = o.async_wait_value(11, 1ms, false, all, nullptr, asio::use_future);
        CHECK(f.get() == 11);
        auto g = o.async_wait_value(12, 1ms, true, all, nullptr, asio::use_future);
        try {
            g.get();
            FAIL("no exception");
        } catch (const boost::system::system_error& x) {
            CHECK(x.code() == ddb::errc::conditional_check_failed);
        }
        work.reset();
        runner.join();
    }
}

TEST_CASE("async_run: the cancellation types each support level passes", "[async]") {
    for (const auto& r : support_rows) {
        INFO("support " << static_cast<int>(r.support) << " type " << static_cast<int>(r.type));
        asio::io_context io;
        op o{io.get_executor()};
        asio::cancellation_signal sig;
        ddb::error_code got;
        int value = -1;
        auto start = std::chrono::steady_clock::now();
        o.async_wait_value(5, 300ms, false, r.support, nullptr,
                           asio::bind_cancellation_slot(sig.slot(), [&](ddb::error_code ec, int v) {
                               got = ec;
                               value = v;
                           }));
        asio::steady_timer t(io, 20ms);
        t.async_wait([&](auto) { sig.emit(r.type); });
        io.run();
        auto took = std::chrono::steady_clock::now() - start;
        if (r.cancelled) {
            CHECK(got == asio::error::operation_aborted);
            CHECK(took < 250ms);
        } else {
            CHECK_FALSE(got);
            CHECK(value == 5);
            CHECK(took >= 300ms);
        }
    }
}

// A cancellation emitted after initiation but before the coroutine first
// runs (here: before `run()`) reaches an operation that never suspends, and
// the support level still filters it. The caller's slot reused for a second
// operation drops the first one's handler (no leak under ASan).
TEST_CASE("async_run: a cancellation emitted before the operation first runs", "[async]") {
    for (const auto& r : support_rows) {
        INFO("support " << static_cast<int>(r.support) << " type " << static_cast<int>(r.type));
        asio::io_context io;
        op o{io.get_executor()};
        asio::cancellation_signal sig;
        ddb::error_code got;
        int value = -1;
        int calls = 0;
        o.async_wait_value(5, 0ms, false, r.support, nullptr,
                           asio::bind_cancellation_slot(sig.slot(), [&](ddb::error_code ec, int v) {
                               ++calls;
                               got = ec;
                               value = v;
                           }));
        sig.emit(r.type);
        io.run();
        CHECK(calls == 1);
        if (r.cancelled) {
            CHECK(got == asio::error::operation_aborted);
        } else {
            CHECK_FALSE(got);
            CHECK(value == 5);
        }
        // The same slot, a second operation, no emission: it completes.
        io.restart();
        o.async_wait_value(6, 0ms, false, r.support, nullptr,
                           asio::bind_cancellation_slot(sig.slot(), [&](ddb::error_code ec, int v) {
                               ++calls;
                               got = ec;
                               value = v;
                           }));
        io.run();
        CHECK(calls == 2);
        CHECK_FALSE(got);
        CHECK(value == 6);
    }
}

TEST_CASE("every ddb error code compares equal to its condition", "[async][error]") {
    CHECK(ddb::error_code(ddb::service_errc::throttling) == ddb::errc::throttled);
    CHECK(ddb::error_code(ddb::service_errc::provisioned_throughput_exceeded) ==
          ddb::errc::throttled);
    CHECK(ddb::error_code(ddb::service_errc::transaction_canceled) ==
          ddb::errc::transaction_canceled);
    CHECK(ddb::error_code(ddb::service_errc::resource_not_found) == ddb::errc::not_found);
    CHECK(ddb::error_code(ddb::service_errc::expired_token) == ddb::errc::access_denied);
    CHECK(ddb::error_code(ddb::service_errc::internal_server_error) == ddb::errc::service_failure);
    CHECK(ddb::error_code(ddb::http::errc::attempt_timeout) == ddb::errc::timeout);
    CHECK(ddb::error_code(ddb::http::errc::connect_failed) == ddb::errc::network);
    CHECK(ddb::error_code(ddb::http::errc::crc32_mismatch) == ddb::errc::bad_response);
    CHECK(ddb::error_code(ddb::es::es_errc::concurrency_conflict) ==
          ddb::errc::concurrency_conflict);
    CHECK(ddb::error_code(ddb::es::es_errc::lease_lost) == ddb::errc::lease_lost);
    CHECK(ddb::error_code(ddb::es::es_errc::event_not_found) == ddb::errc::not_found);
    CHECK(ddb::error_code(ddb::value_errc::invalid_table_name) == ddb::errc::invalid_argument);
    // A code of one kind is not equal to another kind's condition.
    CHECK(ddb::error_code(ddb::service_errc::throttling) != ddb::errc::conditional_check_failed);
    CHECK(ddb::error_code(ddb::service_errc::unknown) != ddb::errc::validation);
    // The conditions are named and described.
    for (int v = 1; v <= static_cast<int>(ddb::errc::unexpected_exception); ++v) {
        auto c = ddb::make_error_condition(static_cast<ddb::errc>(v));
        CHECK(std::string(c.category().name()) == "ddb");
        CHECK(c.message().find("unknown") == std::string::npos);
    }
    CHECK(ddb::error_code_of(std::make_exception_ptr(std::runtime_error("x"))) ==
          ddb::errc::unexpected_exception);
    CHECK(ddb::error_code_of(std::make_exception_ptr(std::bad_alloc())) ==
          boost::system::errc::not_enough_memory);
    CHECK_FALSE(ddb::error_code_of(nullptr));
}
