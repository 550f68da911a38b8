// The ops layer as Asio asynchronous operations, against moto (behind the
// fault proxy of tests/support, which slows chosen requests down so that
// they can be cancelled in flight):
// - every completion token kind on batch_get, a paginator's async_next, the
//   waiters and raw::async_transact_write;
// - cancellation (bind_cancellation_slot + emit) of a paginator step mid-page
//   (its Scan in flight) and between pages (values buffered, the producer
//   waiting on a full buffer), and of batch_write / batch_get mid-way, for
//   terminal, partial and total: what was written is read back, and the
//   client's pool is consistent afterwards (open == idle, few new connections).
#include <ddb/ops/batch.hpp>
#include <ddb/ops/paginator.hpp>
#include <ddb/ops/raw.hpp>
#include <ddb/ops/table_waiter.hpp>

#include <ddb/core/errc.hpp>

#include "../support/client_setup.hpp"
#include "../support/fault_proxy.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <future>
#include <set>
#include <thread>

using namespace ddb;
namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using av = attribute_value;
using ct = asio::cancellation_type;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using names = std::set<std::string>;

namespace {

batch_options fast() {
    batch_options o;
    o.base_delay = std::chrono::milliseconds(1);
    o.max_delay = std::chrono::milliseconds(5);
    o.random = [] { return 0.5; };
    return o;
}

std::string key(const std::string& prefix, int i) {
    return prefix + "-" + std::to_string(i);
}

std::vector<write_request> puts(const std::string& table, const std::string& prefix, int n) {
    std::vector<write_request> w;
    for (int i = 0; i < n; ++i)
        w.push_back(write_request::put_item(table, {{"pk", av(key(prefix, i))}}));
    return w;
}

std::vector<get_request> gets(const std::string& table, const std::string& prefix, int from,
                              int to) {
    std::vector<get_request> k;
    for (int i = from; i < to; ++i)
        k.push_back({table, {{"pk", av(key(prefix, i))}}});
    return k;
}

names range(const std::string& prefix, int from, int to) {
    names s;
    for (int i = from; i < to; ++i)
        s.insert(key(prefix, i));
    return s;
}

// A table (hash key pk) behind a fault proxy in front of moto, with `items`
// items "item-0".. written.
struct fixture {
    explicit fixture(int items)
        : proxy(test::local_server::endpoint("moto")) {
        c.emplace(ioc.get_executor(), test::config_for(proxy.endpoint()));
        test::run(ioc, [&]() -> awaitable<void> {
            co_await test::create_table(*c, table);
            if (items > 0) {
                auto w = puts(table, "item", items);
                auto r = co_await batch_write(*c, std::move(w), fast());
                REQUIRE(r.ok());
            }
        });
    }

    // The keys stored now (a consistent scan, not through the proxy's faults).
    names stored() {
        names s;
        test::run(ioc, [&]() -> awaitable<void> {
            scan_request all{.table_name = table, .consistent_read = true};
            auto items = scan_items(*c, std::move(all));
            while (auto it = co_await items.next())
                s.insert(it->at("pk").as_s());
        });
        return s;
    }

    // After everything settled: no connection left in use, few opened.
    void check_pool(const http::pool_stats& before, std::uint64_t at_most_new = 2) {
        auto after = c->pool_stats();
        CHECK(after.open == after.idle);
        CHECK(after.connections_opened - before.connections_opened <= at_most_new);
    }

    asio::io_context ioc;
    test::fault_proxy proxy;
    std::optional<client> c;
    std::string table = test::unique_table("ops-async");
};

// Waits until the proxy has seen `n` requests (each is in the proxy before
// its fault applies), then `extra` longer.
awaitable<void> until_requests(const test::fault_proxy& p, std::size_t n,
                               std::chrono::milliseconds extra) {
    asio::steady_timer t(co_await asio::this_coro::executor);
    for (int i = 0; i < 1000 && p.requests() < n; ++i) {
        t.expires_after(5ms);
        co_await t.async_wait(asio::use_awaitable);
    }
    REQUIRE(p.requests() >= n);
    t.expires_after(extra);
    co_await t.async_wait(asio::use_awaitable);
}

// Emits `type` on `sig` once the proxy has seen `n` requests (and 100 ms).
void emit_at(asio::io_context& ioc, const test::fault_proxy& p, std::size_t n,
             asio::cancellation_signal& sig, ct type) {
    asio::co_spawn(
        ioc,
        [&p, n, &sig, type]() -> awaitable<void> {
            co_await until_requests(p, n, 100ms);
            sig.emit(type);
        },
        asio::detached);
}

awaitable<void> sleep(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

std::string pk_of(const std::optional<item>& it) {
    return it ? it->at("pk").as_s() : "";
}

const test::fault slow_request{test::fault::delay, 200, {}, 1500ms};

} // namespace

TEST_CASE("async_batch_get with each completion token", "[ops][async]") {
    fixture f(40);
    auto half = gets(f.table, "item", 0, 20), other = gets(f.table, "item", 20, 40);
    auto all = gets(f.table, "item", 0, 40);

    SECTION("use_awaitable, deferred in a parallel group, as_tuple with diagnostics, "
            "redirect_error") {
        test::run(f.ioc, [&]() -> awaitable<void> {
            auto r = co_await async_batch_get(*f.c, all, asio::use_awaitable);
            CHECK(r.items[f.table].size() == 40);
            auto [order, ec1, r1, ec2, r2] =
                co_await asio::experimental::make_parallel_group(
                    async_batch_get(*f.c, half, asio::deferred),
                    async_batch_get(*f.c, other, fast(), asio::deferred))
                    .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
            CHECK_FALSE(ec1);
            CHECK_FALSE(ec2);
            CHECK(r1.items[f.table].size() + r2.items[f.table].size() == 40);
            auto twice = gets(f.table, "item", 0, 2);
            twice.push_back(twice.front());
            diagnostics diag;
            auto [ec, bad] =
                co_await async_batch_get(*f.c, twice, diag, asio::as_tuple(asio::use_awaitable));
            CHECK(ec == ddb::errc::invalid_argument); // a duplicate key, refused before sending
            CHECK(diag.get<value_error>() != nullptr);
            CHECK(bad.items.empty());
            error_code ec3;
            auto again = co_await async_batch_get(*f.c, half, fast(), diag,
                                                  asio::redirect_error(asio::use_awaitable, ec3));
            CHECK_FALSE(ec3);
            CHECK(diag.exception() == nullptr);
            CHECK(again.items[f.table].size() == 20);
        });
    }
    SECTION("a callback on a strand") {
        auto strand = asio::make_strand(f.ioc);
        bool in_strand = false;
        std::size_t got = 0;
        async_batch_get(*f.c, all,
                        asio::bind_executor(strand, [&](error_code ec, batch_get_result r) {
                            CHECK_FALSE(ec);
                            got = r.items[f.table].size();
                            in_strand = strand.running_in_this_thread();
                        }));
        f.ioc.restart();
        f.ioc.run();
        CHECK(got == 40);
        CHECK(in_strand);
    }
    SECTION("use_future from a thread that does not run the io_context") {
        f.ioc.restart();
        auto work = asio::make_work_guard(f.ioc);
        std::thread runner([&] { f.ioc.run(); });
        auto r = async_batch_get(*f.c, all, asio::use_future).get();
        CHECK(r.items[f.table].size() == 40);
        auto twice = gets(f.table, "item", 0, 1);
        twice.push_back(twice.front());
        auto bad = async_batch_get(*f.c, twice, asio::use_future);
        CHECK_THROWS_AS(bad.get(), boost::system::system_error);
        work.reset();
        runner.join();
    }
}

TEST_CASE("a paginator's async_next with each completion token", "[ops][async]") {
    fixture f(30);
    scan_request pages_of_ten{.table_name = f.table, .limit = 10};

    SECTION("use_awaitable, deferred in a parallel group, && of awaitables, as_tuple, "
            "redirect_error") {
        test::run(f.ioc, [&]() -> awaitable<void> {
            auto a = scan_items(*f.c, pages_of_ten), b = scan_items(*f.c, pages_of_ten);
            names seen_a, seen_b;
            seen_a.insert(pk_of(co_await a.async_next(asio::use_awaitable)));
            auto [order, ec1, a1, ec2, b1] =
                co_await asio::experimental::make_parallel_group(a.async_next(asio::deferred),
                                                                 b.async_next(asio::deferred))
                    .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
            CHECK_FALSE(ec1);
            CHECK_FALSE(ec2);
            seen_a.insert(pk_of(a1));
            seen_b.insert(pk_of(b1));
            using namespace asio::experimental::awaitable_operators;
            auto both =
                co_await (a.async_next(asio::use_awaitable) && b.async_next(asio::use_awaitable));
            seen_a.insert(pk_of(std::get<0>(both)));
            seen_b.insert(pk_of(std::get<1>(both)));
            for (;;) {
                auto [ec, v] = co_await a.async_next(asio::as_tuple(asio::use_awaitable));
                CHECK_FALSE(ec);
                if (!v)
                    break;
                seen_a.insert(pk_of(v));
            }
            for (;;) {
                error_code ec;
                auto batch =
                    co_await b.async_next_batch(asio::redirect_error(asio::use_awaitable, ec));
                CHECK_FALSE(ec);
                if (batch.empty())
                    break;
                for (auto& it : batch)
                    seen_b.insert(it.at("pk").as_s());
            }
            CHECK(seen_a == range("item", 0, 30));
            CHECK(seen_b == range("item", 0, 30));
        });
    }
    SECTION("a callback on a strand, use_future from a thread that does not run the io_context") {
        f.ioc.restart();
        auto work = asio::make_work_guard(f.ioc);
        std::thread runner([&] { f.ioc.run(); });
        auto items = scan_items(*f.c, pages_of_ten);
        auto strand = asio::make_strand(f.ioc);
        std::promise<std::pair<bool, std::string>> first;
        items.async_next(asio::bind_executor(strand, [&](error_code, std::optional<item> it) {
            first.set_value({strand.running_in_this_thread(), pk_of(it)});
        }));
        auto [in_strand, one] = first.get_future().get();
        CHECK(in_strand);
        names seen{one};
        while (auto it = items.async_next(asio::use_future).get())
            seen.insert(pk_of(it));
        CHECK(seen == range("item", 0, 30));
        // An error on the future: the scan of a table that does not exist.
        scan_request missing{.table_name = "no-such-" + f.table};
        auto none = scan_items(*f.c, missing);
        CHECK_THROWS_AS(none.async_next(asio::use_future).get(), boost::system::system_error);
        work.reset();
        runner.join();
    }
}

TEST_CASE("the waiters' and raw::transact_write's asynchronous forms", "[ops][async]") {
    fixture f(0);
    test::run(f.ioc, [&]() -> awaitable<void> {
        auto d = co_await async_wait_until_table_active(*f.c, f.table, asio::use_awaitable);
        CHECK(d.table_status == table_status::active);
        auto [ec, j] = co_await raw::async_wait_until_table_active(
            *f.c, f.table, 10s, 10ms, asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec);
        CHECK(j.at("TableStatus").as_string() == "ACTIVE");
        diagnostics diag;
        auto [ec2] = co_await async_wait_until_table_gone(*f.c, "no-such-" + f.table, diag,
                                                          asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec2);
        auto [ec3] = co_await async_wait_until_table_gone(*f.c, f.table, 0ms, 10ms, diag,
                                                          asio::as_tuple(asio::use_awaitable));
        CHECK(ec3 == boost::system::errc::timed_out);
        CHECK(diag.get<waiter_timeout>() != nullptr);

        item one{{"pk", av("tx-1")}};
        json::array put{
            json::object{{"Put", json::object{{"TableName", f.table}, {"Item", to_json(one)}}}}};
        auto [ec4, answer] =
            co_await raw::async_transact_write(*f.c, put, asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ec4);
        json::array again{json::object{
            {"Put", json::object{{"TableName", f.table},
                                 {"Item", to_json(one)},
                                 {"ConditionExpression", "attribute_not_exists(pk)"}}}}};
        auto [ec5, failed] = co_await raw::async_transact_write(
            *f.c, again, std::string("token-1"), diag, asio::as_tuple(asio::use_awaitable));
        CHECK(ec5 == ddb::errc::transaction_canceled);
        auto* e = diag.get<transaction_canceled>();
        REQUIRE(e != nullptr);
        CHECK(e->reasons().size() == 1);
    });
}

TEST_CASE("a paginator step cancelled mid-page: terminal closes it, partial and total lose "
          "nothing",
          "[ops][cancel]") {
    auto type = GENERATE(ct::terminal, ct::partial, ct::total);
    INFO("type " << static_cast<int>(type));
    fixture f(30);
    auto before = f.c->pool_stats();
    auto seen = f.proxy.requests();
    f.proxy.push(test::fault::forward); // page 1
    f.proxy.push(slow_request);         // page 2: in flight for 1.5 s
    names got;
    error_code ec;
    bool value = true, ended = false;
    asio::cancellation_signal sig; // (outlives the emitter)
    steady::duration took{};
    test::run(f.ioc, [&]() -> awaitable<void> {
        scan_request r{.table_name = f.table, .limit = 10};
        auto items = scan_items(*f.c, std::move(r));
        for (int i = 0; i < 10; ++i)
            got.insert(pk_of(co_await items.next()));
        emit_at(f.ioc, f.proxy, seen + 2, sig, type); // page 2 in flight
        auto start = steady::now();
        auto [e, v] = co_await items.async_next(
            asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(asio::use_awaitable)));
        took = steady::now() - start;
        ec = e;
        value = v.has_value();
        if (type == ct::terminal) {
            auto after = co_await items.next();
            ended = !after;
        } else {
            while (auto it = co_await items.next())
                got.insert(pk_of(it));
        }
    });
    CHECK(ec == asio::error::operation_aborted);
    CHECK_FALSE(value);
    CHECK(took < 1000ms);
    if (type == ct::terminal) {
        CHECK(ended); // closed; its Scan in flight was aborted
        CHECK(got.size() == 10);
    } else {
        CHECK(got == range("item", 0, 30)); // every item, once
    }
    f.check_pool(before);
}

TEST_CASE("a paginator step cancelled between pages: the buffered value comes at once",
          "[ops][cancel]") {
    auto type = GENERATE(ct::terminal, ct::partial, ct::total);
    INFO("type " << static_cast<int>(type));
    fixture f(30);
    auto before = f.c->pool_stats();
    auto seen = f.proxy.requests();
    names got;
    std::size_t requests_at_close = 0, requests_later = 0;
    test::run(f.ioc, [&]() -> awaitable<void> {
        scan_request r{.table_name = f.table, .limit = 10};
        auto items = scan_items(*f.c, std::move(r), 1);
        got.insert(pk_of(co_await items.next()));
        // Page 1 held by the consumer, page 2 buffered, page 3 read and the
        // producer waiting to hand it over (a full buffer).
        co_await until_requests(f.proxy, seen + 3, 100ms);
        asio::cancellation_signal sig;
        error_code ec;
        std::optional<item> v;
        bool done = false;
        items.async_next(
            asio::bind_cancellation_slot(sig.slot(), [&](error_code e, std::optional<item> it) {
                ec = e;
                v = std::move(it);
                done = true;
            }));
        sig.emit(type);
        co_await sleep(20ms);
        CHECK(done);
        CHECK_FALSE(ec);
        REQUIRE(v);
        got.insert(pk_of(v));
        if (type == ct::terminal) {
            requests_at_close = f.proxy.requests();
            items.close(); // the producer waiting on a full buffer stops
            co_await sleep(200ms);
            requests_later = f.proxy.requests();
        } else {
            while (auto it = co_await items.next())
                got.insert(pk_of(it));
        }
    });
    if (type == ct::terminal) {
        CHECK(got.size() == 2);
        CHECK(requests_later == requests_at_close); // nothing more was read
    } else {
        CHECK(got == range("item", 0, 30));
    }
    f.check_pool(before);
}

TEST_CASE("async_batch_write cancelled mid-way: terminal and partial stop it, total is ignored",
          "[ops][cancel]") {
    auto type = GENERATE(ct::terminal, ct::partial, ct::total);
    INFO("type " << static_cast<int>(type));
    fixture f(0);
    auto writes = puts(f.table, "w", 100); // 4 calls of 25
    auto before = f.c->pool_stats();
    auto seen = f.proxy.requests();
    f.proxy.push(test::fault::forward); // DescribeTable (the key schema)
    f.proxy.push(test::fault::forward); // w-0 .. w-24
    f.proxy.push(test::fault::forward); // w-25 .. w-49
    f.proxy.push(slow_request);         // w-50 .. w-74: in flight for 1.5 s
    error_code ec;
    batch_write_result r;
    steady::duration took{};
    asio::cancellation_signal sig; // (outlives the emitter)
    test::run(f.ioc, [&]() -> awaitable<void> {
        emit_at(f.ioc, f.proxy, seen + 4, sig, type);
        auto start = steady::now();
        auto [e, result] = co_await async_batch_write(
            *f.c, writes, fast(),
            asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(asio::use_awaitable)));
        took = steady::now() - start;
        ec = e;
        r = std::move(result);
    });
    auto right_after = f.stored();
    if (type == ct::total) {
        CHECK_FALSE(ec);
        CHECK(r.written == 100);
        CHECK(took >= 1400ms);
        CHECK(right_after == range("w", 0, 100));
    } else {
        CHECK(ec == asio::error::operation_aborted);
        CHECK(took < 1000ms);
        CHECK(right_after == range("w", 0, 50)); // the calls before; nothing after
        // The call that was in flight: its outcome was unknown to the caller.
        // Here the proxy forwards it after its delay, so it applies.
        test::run(f.ioc, [&]() -> awaitable<void> { co_await sleep(1600ms); });
        CHECK(f.stored() == range("w", 0, 75));
    }
    f.check_pool(before);
}

TEST_CASE("async_batch_get cancelled mid-way: every cancellation type stops it", "[ops][cancel]") {
    auto type = GENERATE(ct::terminal, ct::partial, ct::total);
    INFO("type " << static_cast<int>(type));
    fixture f(250);
    auto keys = gets(f.table, "item", 0, 250); // 3 calls: 100, 100, 50
    auto before = f.c->pool_stats();
    auto seen = f.proxy.requests();
    f.proxy.push(test::fault::forward);
    f.proxy.push(slow_request); // the second call
    error_code ec;
    std::size_t items = 0;
    steady::duration took{};
    asio::cancellation_signal sig; // (outlives the emitter)
    test::run(f.ioc, [&]() -> awaitable<void> {
        emit_at(f.ioc, f.proxy, seen + 2, sig, type);
        auto start = steady::now();
        auto [e, result] = co_await async_batch_get(
            *f.c, keys, fast(),
            asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(asio::use_awaitable)));
        took = steady::now() - start;
        ec = e;
        items = result.items[f.table].size();
    });
    CHECK(ec == asio::error::operation_aborted);
    CHECK(items == 0);
    CHECK(took < 1000ms);
    f.check_pool(before);
    // The client goes on: the same read completes.
    auto r = test::run(f.ioc, [&]() -> awaitable<batch_get_result> {
        co_return co_await async_batch_get(*f.c, keys, asio::use_awaitable);
    });
    CHECK(r.items[f.table].size() == 250);
}

TEST_CASE("repeated cancellations leave the pool bounded", "[ops][cancel]") {
    fixture f(30);
    auto before = f.c->pool_stats();
    for (int round = 0; round < 5; ++round) {
        INFO("round " << round);
        auto seen = f.proxy.requests();
        f.proxy.push(test::fault::forward);
        f.proxy.push(slow_request);
        asio::cancellation_signal sig; // (outlives the emitter)
        test::run(f.ioc, [&]() -> awaitable<void> {
            scan_request r{.table_name = f.table, .limit = 10};
            auto items = scan_items(*f.c, std::move(r));
            auto page = co_await items.next_batch(); // page 1, all of it
            CHECK(page.size() == 10);
            emit_at(f.ioc, f.proxy, seen + 2, sig, ct::terminal);
            auto [e, v] = co_await items.async_next(
                asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(asio::use_awaitable)));
            CHECK(e == asio::error::operation_aborted);
        });
    }
    // One connection replaced per aborted Scan, none left in use.
    f.check_pool(before, 5 + 1);
}

TEST_CASE("async_wait_until_table_gone cancelled: every type stops the wait", "[ops][cancel]") {
    auto type = GENERATE(ct::terminal, ct::partial, ct::total);
    INFO("type " << static_cast<int>(type));
    fixture f(0);
    auto before = f.c->pool_stats();
    asio::cancellation_signal sig; // (outlives the emitter)
    error_code ec;
    steady::duration took{};
    test::run(f.ioc, [&]() -> awaitable<void> {
        asio::steady_timer t(f.ioc, 200ms);
        t.async_wait([&](error_code) { sig.emit(type); });
        auto start = steady::now();
        auto [e] = co_await async_wait_until_table_gone(
            *f.c, f.table, 10s, 50ms,
            asio::bind_cancellation_slot(sig.slot(), asio::as_tuple(asio::use_awaitable)));
        took = steady::now() - start;
        ec = e;
    });
    CHECK(ec == asio::error::operation_aborted);
    CHECK(took < 1000ms);
    f.check_pool(before);
}

TEST_CASE("the asynchronous forms and paginators outlive the caller's client object",
          "[ops][async]") {
    fixture f(20);
    auto own = std::make_unique<client>(f.c->share());
    error_code wec;
    std::size_t written = 0;
    async_batch_write(*own, puts(f.table, "moved", 30), fast(),
                      [&](error_code ec, batch_write_result r) {
                          wec = ec;
                          written = r.written;
                      });
    scan_request all{.table_name = f.table, .consistent_read = true};
    auto items = scan_items(*own, std::move(all));
    own.reset(); // the caller's object is gone; the operations go on
    std::size_t scanned = 0;
    test::run(f.ioc, [&]() -> awaitable<void> {
        while (auto it = co_await items.next())
            ++scanned;
    });
    CHECK_FALSE(wec);
    CHECK(written == 30);
    CHECK(scanned >= 20);
    auto stored = f.stored();
    auto want = range("moved", 0, 30);
    CHECK(std::includes(stored.begin(), stored.end(), want.begin(), want.end()));
}
