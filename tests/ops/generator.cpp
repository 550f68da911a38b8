// generator<T> (include/ddb/ops/generator.hpp): next_batch (the values of
// a hand-off at once, mixed with next(), single values, the end and an
// error after the values before it), the async_next forms with each
// completion token, and the cancellation of a step (terminal closes,
// partial and total lose nothing). No server: the producers here stand for
// paginators (tests/ops/cancellation.cpp has the paginators against moto).
#include <ddb/ops/generator.hpp>

#include <ddb/core/errc.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using asio::awaitable;
using ddb::generator;

namespace {

template <class F>
void run(F f) {
    asio::io_context ioc;
    auto done = asio::co_spawn(ioc, f(ioc.get_executor()), asio::use_future);
    ioc.run();
    done.get();
}

// Batches {1,2,3}, then 4 alone, then {5,6}; `fail`: an error after them.
generator<int> numbers(asio::any_io_executor ex, bool fail) {
    return generator<int>(
        ex,
        [fail](generator<int>::sink& out) -> awaitable<void> {
            std::vector<int> first{1, 2, 3}, last{5, 6};
            co_await out.push_batch(std::move(first));
            co_await out.push(4);
            co_await out.push_batch(std::move(last));
            if (fail)
                throw std::runtime_error("read failed");
        },
        1);
}

using ints = std::vector<int>;

} // namespace

TEST_CASE("generator: next_batch hands over each hand-off's values at once", "[generator]") {
    run([](asio::any_io_executor ex) -> awaitable<void> {
        auto g = numbers(ex, false);
        std::vector<ints> got;
        for (int i = 0; i < 5; ++i) // the last two: the end, and still the end
            got.push_back(co_await g.next_batch());
        auto after = co_await g.next();
        CHECK(got == std::vector<ints>{{1, 2, 3}, {4}, {5, 6}, {}, {}});
        CHECK_FALSE(after);
    });
}

TEST_CASE("generator: next_batch after next() gives the rest of the batch", "[generator]") {
    run([](asio::any_io_executor ex) -> awaitable<void> {
        auto g = numbers(ex, false);
        auto one = co_await g.next();
        auto rest = co_await g.next_batch();
        auto four = co_await g.next();
        auto five = co_await g.next();
        auto six = co_await g.next_batch();
        auto end = co_await g.next();
        CHECK(one == 1);
        CHECK(rest == ints{2, 3});
        CHECK(four == 4);
        CHECK(five == 5);
        CHECK(six == ints{6});
        CHECK_FALSE(end);
    });
}

TEST_CASE("generator: next_batch rethrows the producer's error after its values", "[generator]") {
    run([](asio::any_io_executor ex) -> awaitable<void> {
        auto g = numbers(ex, true);
        std::vector<int> got;
        bool failed = false;
        try {
            for (;;) {
                auto batch = co_await g.next_batch();
                if (batch.empty())
                    break;
                got.insert(got.end(), batch.begin(), batch.end());
            }
        } catch (const std::runtime_error& e) {
            failed = std::string(e.what()) == "read failed";
        }
        auto after = co_await g.next_batch(); // the error comes once
        CHECK(failed);
        CHECK(got == ints{1, 2, 3, 4, 5, 6});
        CHECK(after.empty());
    });
}

// Cancellation of a step (include/ddb/ops/generator.hpp): the producer
// below stands for a paginator: a value, then a slow "request" (a timer the
// producer's cancellation aborts), then more values.
namespace {

using ct = asio::cancellation_type;
using namespace std::chrono_literals;

struct slow_source {
    bool producer_aborted = false; // the "request in flight" was cancelled
    bool producer_done = false;    // the producer pushed everything
};

// 1, then a wait of `wait` (the request in flight), then {2, 3}, then 4.
generator<int> slow_numbers(asio::any_io_executor ex, std::shared_ptr<slow_source> s,
                            std::chrono::milliseconds wait) {
    return generator<int>(
        ex,
        [s, wait](generator<int>::sink& out) -> awaitable<void> {
            co_await out.push(1);
            asio::steady_timer t(co_await asio::this_coro::executor, wait);
            auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            if (ec) {
                s->producer_aborted = true;
                co_return;
            }
            std::vector<int> two_three{2, 3};
            co_await out.push_batch(std::move(two_three));
            co_await out.push(4);
            s->producer_done = true;
        },
        1);
}

// Emits `type` on `sig` after `after`.
void emit_after(asio::any_io_executor ex, asio::cancellation_signal& sig, ct type,
                std::chrono::milliseconds after) {
    auto t = std::make_shared<asio::steady_timer>(ex, after);
    t->async_wait([t, &sig, type](boost::system::error_code) { sig.emit(type); });
}

// The rest of a generator's values, until the end.
awaitable<ints> rest_of(generator<int>& g) {
    ints got;
    while (auto v = co_await g.next())
        got.push_back(*v);
    co_return got;
}

} // namespace

TEST_CASE("generator: async_next cancelled partial or total while waiting loses nothing",
          "[generator][cancel]") {
    auto type = GENERATE(ct::partial, ct::total);
    INFO("type " << static_cast<int>(type));
    run([type](asio::any_io_executor ex) -> awaitable<void> {
        auto s = std::make_shared<slow_source>();
        auto g = slow_numbers(ex, s, 300ms);
        auto one = co_await g.async_next(asio::use_awaitable);
        asio::cancellation_signal sig;
        emit_after(ex, sig, type, 30ms);
        auto start = std::chrono::steady_clock::now();
        auto [ec, v] = co_await g.async_next(
            asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(asio::use_awaitable)));
        auto took = std::chrono::steady_clock::now() - start;
        auto rest = co_await rest_of(g);
        CHECK(one == 1);
        CHECK(ec == asio::error::operation_aborted);
        CHECK_FALSE(v);
        CHECK(took < 250ms);
        CHECK(rest == ints{2, 3, 4}); // the value that was coming, and the others
        CHECK_FALSE(s->producer_aborted);
        CHECK(s->producer_done);
    });
}

TEST_CASE("generator: async_next cancelled terminal while waiting closes the generator",
          "[generator][cancel]") {
    run([](asio::any_io_executor ex) -> awaitable<void> {
        auto s = std::make_shared<slow_source>();
        auto g = slow_numbers(ex, s, 5s);
        auto one = co_await g.async_next(asio::use_awaitable);
        asio::cancellation_signal sig;
        emit_after(ex, sig, ct::terminal, 30ms);
        auto [ec, v] = co_await g.async_next(
            asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(asio::use_awaitable)));
        auto after = co_await g.next();
        asio::steady_timer settle(ex, 20ms);
        co_await settle.async_wait(asio::use_awaitable);
        CHECK(one == 1);
        CHECK(ec == asio::error::operation_aborted);
        CHECK_FALSE(v);
        CHECK_FALSE(after);         // closed: the end
        CHECK(s->producer_aborted); // its "request" was cancelled (not 5 s later)
        CHECK_FALSE(s->producer_done);
    });
}

TEST_CASE("generator: next() in a coroutine: partial cancellation throws and loses nothing, "
          "terminal closes",
          "[generator][cancel]") {
    auto type = GENERATE(ct::terminal, ct::partial);
    INFO("type " << static_cast<int>(type));
    asio::io_context ioc;
    auto ex = ioc.get_executor();
    auto s = std::make_shared<slow_source>();
    auto g = slow_numbers(ex, s, 300ms);
    asio::cancellation_signal sig;
    bool aborted = false;
    ints got;
    auto consumer = [&]() -> awaitable<void> {
        co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation());
        got.push_back(*co_await g.next());
        try {
            auto v = co_await g.next();
            got.push_back(v ? *v : -1);
        } catch (const boost::system::system_error& e) {
            aborted = e.code() == asio::error::operation_aborted;
        }
        // The coroutine's cancellation state stays cancelled: reset it to go on.
        co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation());
        auto rest = co_await rest_of(g);
        got.insert(got.end(), rest.begin(), rest.end());
    };
    asio::co_spawn(ex, consumer(),
                   asio::bind_cancellation_slot(sig.slot(), [](std::exception_ptr e) {
                       if (e)
                           std::rethrow_exception(e);
                   }));
    emit_after(ex, sig, type, 30ms);
    ioc.run();
    CHECK(aborted);
    if (type == ct::terminal) {
        CHECK(got == ints{1});
        CHECK(s->producer_aborted);
    } else {
        CHECK(got == ints{1, 2, 3, 4});
        CHECK(s->producer_done);
    }
}

TEST_CASE("generator: a step with values buffered completes with the next value whatever the "
          "cancellation",
          "[generator][cancel]") {
    auto type = GENERATE(ct::terminal, ct::partial, ct::total);
    INFO("type " << static_cast<int>(type));
    run([type](asio::any_io_executor ex) -> awaitable<void> {
        // The consumer holds {2, 3} of the batch {1, 2, 3}; the channel holds
        // {4, 5}; the producer waits to push 6 (a full buffer).
        auto producer_aborted = std::make_shared<bool>(false);
        generator<int> g(
            ex,
            [producer_aborted](generator<int>::sink& out) -> awaitable<void> {
                try {
                    std::vector<int> a{1, 2, 3}, b{4, 5};
                    co_await out.push_batch(std::move(a));
                    co_await out.push_batch(std::move(b));
                    co_await out.push(6);
                    co_await out.push(7);
                } catch (const boost::system::system_error&) {
                    *producer_aborted = true;
                    throw;
                }
            },
            1);
        auto one = co_await g.next();
        asio::steady_timer t(ex, 20ms); // the producer now waits with a full buffer
        co_await t.async_wait(asio::use_awaitable);
        asio::cancellation_signal sig;
        ddb::error_code ec;
        std::optional<int> two;
        bool done = false;
        g.async_next(
            asio::bind_cancellation_slot(sig.slot(), [&](ddb::error_code e, std::optional<int> v) {
                ec = e;
                two = v;
                done = true;
            }));
        sig.emit(type);
        t.expires_after(20ms);
        co_await t.async_wait(asio::use_awaitable);
        CHECK(one == 1);
        CHECK(done);
        CHECK_FALSE(ec);
        CHECK(two == 2); // a buffered value is handed over at once
        if (type == ct::terminal) {
            g.close(); // the producer, waiting on a full buffer, is stopped
            t.expires_after(20ms);
            co_await t.async_wait(asio::use_awaitable);
            CHECK(*producer_aborted);
        } else {
            auto rest = co_await rest_of(g);
            CHECK(rest == ints{3, 4, 5, 6, 7});
            CHECK_FALSE(*producer_aborted);
        }
    });
}

TEST_CASE("generator: async_next and async_next_batch with each completion token",
          "[generator][async]") {
    SECTION("as_tuple, redirect_error, deferred, diagnostics on the producer's error") {
        run([](asio::any_io_executor ex) -> awaitable<void> {
            auto g = numbers(ex, true);
            auto [ec, batch] = co_await g.async_next_batch(asio::as_tuple(asio::use_awaitable));
            ddb::error_code ec2;
            auto two = co_await g.async_next(asio::redirect_error(asio::use_awaitable, ec2));
            auto deferred = g.async_next(asio::deferred);
            auto three = co_await std::move(deferred)(asio::use_awaitable);
            auto rest = co_await g.async_next_batch(asio::use_awaitable);
            ddb::diagnostics diag;
            auto [ec3, after] = co_await g.async_next(diag, asio::as_tuple(asio::use_awaitable));
            auto [ec4, end] = co_await g.async_next(asio::as_tuple(asio::use_awaitable));
            CHECK_FALSE(ec);
            CHECK(batch == ints{1, 2, 3});
            CHECK_FALSE(ec2);
            CHECK(two == 4);
            CHECK(three == 5);
            CHECK(rest == ints{6});
            CHECK(ec3 == ddb::errc::unexpected_exception); // a runtime_error
            REQUIRE(diag.get<std::runtime_error>() != nullptr);
            CHECK(diag.message() == "read failed");
            CHECK_FALSE(after);
            CHECK_FALSE(ec4); // the error comes once, then the end
            CHECK_FALSE(end);
        });
    }
    SECTION("a callback on a strand, use_future from a thread not running the io_context") {
        // (A producer waiting on a full buffer is work: the io_context runs
        // on its own thread throughout.)
        asio::io_context ioc;
        auto work = asio::make_work_guard(ioc);
        std::thread runner([&] { ioc.run(); });
        auto g = numbers(ioc.get_executor(), false);
        auto strand = asio::make_strand(ioc);
        std::promise<bool> in_strand;
        std::optional<int> first;
        g.async_next(asio::bind_executor(strand, [&](ddb::error_code ec, std::optional<int> v) {
            first = ec ? std::nullopt : v;
            in_strand.set_value(strand.running_in_this_thread());
        }));
        CHECK(in_strand.get_future().get());
        CHECK(first == 1);
        auto batch = g.async_next_batch(asio::use_future).get();
        auto four = g.async_next(asio::use_future).get();
        CHECK(batch == ints{2, 3});
        CHECK(four == 4);
        g.close();
        work.reset();
        runner.join();
    }
}
