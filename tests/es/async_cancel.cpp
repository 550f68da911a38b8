// Cancelling the event store's asynchronous operations with
// `bind_cancellation_slot` + `emit`, each type, with the side effects
// asserted: an append cancelled while its TransactWriteItems is in flight
// (held back or dripped by the fault proxy in front of moto) is stored whole
// or not at all and the next append works; reads stop on every type; a
// subscription's next() is cancelled; a projection worker stops gracefully
// (partial) or at once (terminal). The connection pool is consistent
// afterwards (open == idle), and ASan sees no leak.
#include "backend.hpp"
#include "worker_options.hpp"

#include "../support/fault_proxy.hpp"

#include <ddb/core/errc.hpp>
#include <ddb/es/checkpoint_store.hpp>
#include <ddb/es/error.hpp>
#include <ddb/es/partition.hpp>
#include <ddb/es/projection_worker.hpp>
#include <ddb/es/subscription.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <set>

using namespace ddb;
using namespace ddb::es;
using namespace ddb::es::test;
namespace asio = boost::asio;
using asio::awaitable;
using ct = asio::cancellation_type;
using ddb::test::fault;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using std::chrono::steady_clock;

namespace {

awaitable<void> pause(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// Polls `f` every 5 ms until it holds or `limit` passed; whether it held.
awaitable<bool> wait_until(std::function<bool()> f, std::chrono::milliseconds limit) {
    const auto end = steady_clock::now() + limit;
    while (!f()) {
        if (steady_clock::now() >= end)
            co_return false;
        co_await pause(5ms);
    }
    co_return true;
}

const char* name_of(ct t) {
    switch (t) {
    case ct::terminal:
        return "terminal";
    case ct::partial:
        return "partial";
    case ct::total:
        return "total";
    default:
        return "?";
    }
}

new_event ev(const std::string& text) {
    new_event e;
    e.event_class = "e";
    e.properties = {{"text", text}};
    return e;
}

std::vector<new_event> evs(int n, const std::string& prefix) {
    std::vector<new_event> out;
    for (int i = 0; i < n; ++i)
        out.push_back(ev(prefix + std::to_string(i)));
    return out;
}

awaitable<std::vector<stored_event>> all_of(event_repository& events,
                                            std::optional<std::string> uuid) {
    std::vector<stored_event> out;
    read_options o;
    o.consistent_read = true;
    auto gen = events.retrieve_all(std::move(uuid), o);
    while (auto e = co_await gen.next())
        out.push_back(std::move(*e));
    co_return out;
}

// An event store on moto behind the fault proxy.
struct proxied {
    asio::io_context ioc;
    ddb::test::fault_proxy proxy{ddb::test::local_server::endpoint("moto")};
    store_config cfg;
    std::unique_ptr<client> c;
    std::unique_ptr<dynamodb_event_repository> events;

    template <class F>
    auto run(F&& make) {
        return ddb::test::complete(ioc, std::forward<F>(make));
    }

    proxied() {
        c = std::make_unique<client>(ioc.get_executor(), ddb::test::config_for(proxy.endpoint()));
        cfg.events_table = ddb::test::unique_table("cancel-events");
        cfg.snapshots_table = ddb::test::unique_table("cancel-snapshots");
        cfg.checkpoints_table = ddb::test::unique_table("cancel-checkpoints");
        run([&]() -> awaitable<void> { co_await create_tables(*c, cfg); });
        events = std::make_unique<dynamodb_event_repository>(*c, cfg);
    }
    ~proxied() {
        try {
            run([&]() -> awaitable<void> { co_await delete_tables(*c, cfg); });
        } catch (...) {
        }
    }
    // Every connection back in the pool (after the io_context ran dry).
    void check_pool() {
        ioc.restart();
        ioc.run();
        const auto stats = c->pool_stats();
        CHECK(stats.open == stats.idle);
    }
};

// One cancellable operation in flight: its completion recorded.
template <class T>
struct outcome {
    bool done = false;
    ddb::error_code ec;
    T value{};
    steady_clock::time_point at{};
    auto handler() {
        return [this](ddb::error_code e, T v) {
            ec = e;
            value = std::move(v);
            at = steady_clock::now();
            done = true;
        };
    }
};

} // namespace

TEST_CASE("es cancel: an append cancelled while its TransactWriteItems is in flight",
          "[es][cancel]") {
    proxied p;
    int row = 0;
    // The warm-up records the store's first time bucket; afterwards an
    // append at a version > 0 is one request: its TransactWriteItems.
    p.run([&]() -> awaitable<void> {
        auto one = evs(1, "w");
        co_await p.events->append("warm-up", expected_version::exact(0), one);
        const auto before = p.proxy.requests();
        auto three = evs(3, "w");
        co_await p.events->append("warm-up", expected_version::exact(1), three);
        CHECK(p.proxy.requests() == before + 1);
    });
    for (ct type : {ct::terminal, ct::partial, ct::total}) {
        for (fault::kind_t kind : {fault::delay, fault::slow_drip}) {
            if (type == ct::total && kind == fault::slow_drip)
                continue;
            INFO("cancellation " << name_of(type) << ", fault " << fault::kind_name(kind));
            const std::string uuid = "agg-" + std::to_string(++row);
            p.run([&]() -> awaitable<void> {
                auto first = evs(1, "first");
                co_await p.events->append(uuid, expected_version::exact(0), first);
                const auto before = p.proxy.requests();
                // delay: the server sees it 1.5 s later (after the
                // cancellation); slow_drip: the server acted, its answer
                // comes in 20 pieces 100 ms apart.
                p.proxy.push(kind == fault::delay ? fault(fault::delay, 200, {}, 1500ms)
                                                  : fault(fault::slow_drip, 200, {}, 100ms));
                asio::cancellation_signal sig;
                outcome<std::vector<stored_event>> out;
                p.events->async_append(uuid, expected_version::exact(1), evs(3, "second"),
                                       asio::bind_cancellation_slot(sig.slot(), out.handler()));
                auto cond1 = [&] { return p.proxy.requests() > before; };
                const bool ok1 = co_await wait_until(cond1, 5000ms);
                CHECK(ok1);
                co_await pause(300ms); // the transaction in flight (being dripped)
                REQUIRE_FALSE(out.done);
                const auto emitted = steady_clock::now();
                sig.emit(type);
                auto cond2 = [&] { return out.done; };
                const bool ok2 = co_await wait_until(cond2, 5000ms);
                CHECK(ok2);
                if (type == ct::total) {
                    // Ignored by a write: it completes.
                    CHECK_FALSE(out.ec);
                    CHECK(out.value.size() == 3);
                } else {
                    CHECK(out.ec == asio::error::operation_aborted);
                    CHECK(out.at - emitted < 500ms);
                    CHECK(out.value.empty());
                }
                // The fault runs its course; then the store holds the
                // aggregate at the old version or the new one, whole.
                co_await pause(2500ms);
                auto stored = co_await all_of(*p.events, uuid);
                INFO("stored " << stored.size() << " events");
                CHECK((stored.size() == 1 || stored.size() == 4));
                for (std::size_t i = 0; i < stored.size(); ++i) {
                    CHECK(stored[i].aggregate_version == static_cast<std::int64_t>(i + 1));
                    const std::string text = i == 0 ? "first0" : "second" + std::to_string(i - 1);
                    CHECK(stored[i].event_properties.at("text").as_string() == text);
                }
                // The next append works, at the version found.
                const auto at = static_cast<std::int64_t>(stored.size());
                auto next = evs(1, "after");
                auto after = co_await p.events->append(uuid, expected_version::exact(at), next);
                REQUIRE(after.size() == 1);
                CHECK(after[0].aggregate_version == at + 1);
            });
            p.check_pool();
        }
    }
}

TEST_CASE("es cancel: reads stop on terminal, partial and total", "[es][cancel]") {
    proxied p;
    std::int64_t id = 0;
    p.run([&]() -> awaitable<void> {
        auto some = evs(3, "r");
        auto stored = co_await p.events->append("reader", expected_version::exact(0), some);
        id = stored[1].id;
        // Warm: the layout is read once per repository.
        co_await p.events->find(id);
    });
    using read_op = std::function<void(asio::cancellation_slot, outcome<std::int64_t>&)>;
    const std::vector<std::pair<const char*, read_op>> reads = {
        {"latest_aggregate_version",
         [&](asio::cancellation_slot slot, outcome<std::int64_t>& out) {
             p.events->async_latest_aggregate_version(
                 "reader", asio::bind_cancellation_slot(slot, out.handler()));
         }},
        {"find",
         [&](asio::cancellation_slot slot, outcome<std::int64_t>& out) {
             p.events->async_find(
                 id, asio::bind_cancellation_slot(
                         slot, [&out](ddb::error_code ec, auto e) { out.handler()(ec, e.id); }));
         }},
        {"count_all_starting_from (global)",
         [&](asio::cancellation_slot slot, outcome<std::int64_t>& out) {
             p.events->async_count_all_starting_from(
                 0, std::nullopt, asio::bind_cancellation_slot(slot, out.handler()));
         }},
    };
    for (ct type : {ct::terminal, ct::partial, ct::total}) {
        for (const auto& [name, start] : reads) {
            INFO("cancellation " << name_of(type) << " of " << name);
            p.run([&]() -> awaitable<void> {
                const auto before = p.proxy.requests();
                p.proxy.push(fault(fault::delay, 200, {}, 1500ms));
                asio::cancellation_signal sig;
                outcome<std::int64_t> out;
                start(sig.slot(), out);
                auto cond3 = [&] { return p.proxy.requests() > before; };
                const bool ok3 = co_await wait_until(cond3, 5000ms);
                CHECK(ok3);
                co_await pause(100ms);
                REQUIRE_FALSE(out.done);
                const auto emitted = steady_clock::now();
                sig.emit(type);
                auto cond4 = [&] { return out.done; };
                const bool ok4 = co_await wait_until(cond4, 5000ms);
                CHECK(ok4);
                CHECK(out.ec == asio::error::operation_aborted);
                CHECK(out.at - emitted < 500ms);
                co_await pause(1600ms); // the proxy forwards the held request, unanswered
            });
            p.check_pool();
        }
    }
    // A cancellation that comes after the completion changes nothing.
    p.run([&]() -> awaitable<void> {
        asio::cancellation_signal sig;
        outcome<std::int64_t> out;
        p.events->async_latest_aggregate_version(
            "reader", asio::bind_cancellation_slot(sig.slot(), out.handler()));
        auto cond5 = [&] { return out.done; };
        const bool ok5 = co_await wait_until(cond5, 5000ms);
        CHECK(ok5);
        sig.emit(ct::terminal);
        CHECK_FALSE(out.ec);
        CHECK(out.value == 3);
    });
    p.check_pool();
}

TEST_CASE("es cancel: a subscription's async_next, cancelled while its poll is in flight",
          "[es][cancel]") {
    proxied p;
    p.run([&]() -> awaitable<void> {
        auto some = evs(2, "s");
        co_await p.events->append("sub", expected_version::exact(0), some);
    });
    subscription_options o;
    o.horizon = 0ms;
    o.poll_interval = 20ms;
    o.max_poll_interval = 50ms;
    int stored = 2;
    for (ct type : {ct::terminal, ct::partial, ct::total}) {
        INFO("cancellation " << name_of(type));
        const std::string uuid = std::string("sub-") + name_of(type);
        {
            auto sub = subscribe(*p.events, {}, o);
            p.run([&]() -> awaitable<void> {
                // What is stored so far: 2 events and one per earlier round.
                for (int i = 0; i < stored; ++i) {
                    auto e = co_await sub.async_next(asio::use_awaitable);
                    REQUIRE(e);
                }
            });
            ++stored;
            p.run([&]() -> awaitable<void> {
                // Nothing more: the subscription polls. Hold its next poll,
                // and append an event meanwhile.
                const auto before = p.proxy.requests();
                p.proxy.push(fault(fault::delay, 200, {}, 1500ms));
                auto arrived = [&] { return p.proxy.requests() > before; };
                const bool ok1 = co_await wait_until(arrived, 5000ms);
                CHECK(ok1);
                asio::cancellation_signal sig;
                outcome<std::optional<stored_event>> out;
                sub.async_next(asio::bind_cancellation_slot(sig.slot(), out.handler()));
                auto late = evs(1, "late");
                co_await p.events->append(uuid, expected_version::exact(0), late);
                REQUIRE_FALSE(out.done);
                const auto emitted = steady_clock::now();
                sig.emit(type);
                auto done = [&] { return out.done; };
                const bool ok2 = co_await wait_until(done, 5000ms);
                CHECK(ok2);
                CHECK(out.ec == asio::error::operation_aborted);
                CHECK(out.at - emitted < 500ms);
                CHECK_FALSE(out.value);
                // terminal: the subscription is closed; partial, total:
                // nothing lost, the next step yields the late event.
                auto [ec, next] = co_await sub.async_next(asio::as_tuple(asio::use_awaitable));
                CHECK_FALSE(ec);
                if (type == ct::terminal) {
                    CHECK_FALSE(next);
                } else {
                    REQUIRE(next);
                    CHECK(next->aggregate_uuid == uuid);
                    CHECK(next->event_properties.at("text").as_string() == "late0");
                }
            });
        } // the subscription goes: its poll in flight, if any, is cancelled
        p.check_pool();
    }
}

namespace {

// What a worker's handler did: events started, finished, in hand.
struct handled {
    explicit handled(std::chrono::milliseconds t)
        : takes(t) {}
    std::vector<std::int64_t> started;
    std::vector<std::int64_t> finished;
    std::set<std::int64_t> in_hand;
    std::chrono::milliseconds takes;

    projection_worker::handler handler() {
        return [this](const stored_event& e) -> awaitable<void> {
            started.push_back(e.id);
            in_hand.insert(e.id);
            co_await pause(takes);
            in_hand.erase(e.id);
            finished.push_back(e.id);
        };
    }
};

// Whether some lease's checkpoint covers `e`.
bool covered(const std::vector<lease>& leases, const stored_event& e, int partitions) {
    return std::any_of(leases.begin(), leases.end(), [&](const lease& l) {
        return l.partition == index_partition(e, partitions) && l.position.covers(e);
    });
}

std::set<std::int64_t> common(const std::vector<std::int64_t>& a,
                              const std::vector<std::int64_t>& b) {
    std::set<std::int64_t> sa(a.begin(), a.end()), out;
    for (auto x : b)
        if (sa.count(x))
            out.insert(x);
    return out;
}

} // namespace

TEST_CASE("es cancel: a projection worker's run, partial: as stop(); terminal: at once",
          "[es][cancel][worker]") {
    store<moto_backend> s;
    checkpoint_store checkpoints(*s.c, s.cfg);
    constexpr int n = 12;
    std::vector<stored_event> events;
    int partitions = 0;
    s.run([&]() -> awaitable<void> {
        for (int i = 0; i < n; ++i)
            co_await s.events->persist(ev("e" + std::to_string(i)), "agg-" + std::to_string(i));
        events = co_await all_of(*s.events, std::nullopt);
        partitions = co_await s.events->partition_count();
    });
    REQUIRE(events.size() == n);

    SECTION("partial: the events in hand are finished and committed, the leases released") {
        handled h1(150ms);
        handled h2(1ms);
        s.run([&]() -> awaitable<void> {
            projection_worker w1(*s.events, checkpoints, fast_options("pp", "w1"), h1.handler());
            asio::cancellation_signal sig;
            outcome<int> out;
            w1.async_run(asio::bind_cancellation_slot(
                sig.slot(), [&](ddb::error_code ec) { out.handler()(ec, 0); }));
            auto busy = [&] { return h1.finished.size() >= 2 && !h1.in_hand.empty(); };
            const bool ok8 = co_await wait_until(busy, 20000ms);
            CHECK(ok8);
            const auto in_hand = h1.in_hand;
            sig.emit(ct::partial);
            auto cond8 = [&] { return out.done; };
            const bool ok9 = co_await wait_until(cond8, 10000ms);
            CHECK(ok9);
            CHECK(out.ec == asio::error::operation_aborted);
            CHECK(h1.in_hand.empty()); // finished, not cancelled
            for (auto id : in_hand)
                CHECK(std::count(h1.finished.begin(), h1.finished.end(), id) == 1);
            auto leases = co_await checkpoints.leases("pp");
            for (const auto& l : leases)
                CHECK(l.owner.empty()); // released
            auto live = co_await checkpoints.live_workers("pp");
            CHECK(live.empty()); // its heartbeat removed
            // The checkpoints cover exactly the events handled.
            const std::set<std::int64_t> done(h1.finished.begin(), h1.finished.end());
            for (const auto& e : events)
                CHECK(covered(leases, e, partitions) == (done.count(e.id) == 1));
            CHECK(w1.stats().owned.empty());
            // Another worker handles the rest: none twice.
            projection_worker w2(*s.events, checkpoints, fast_options("pp", "w2"), h2.handler());
            co_await (w2.run() && [&]() -> awaitable<void> {
                auto cond9 = [&] { return h1.finished.size() + h2.finished.size() >= n; };
                co_await wait_until(cond9, 20000ms);
                co_await pause(300ms);
                w2.stop();
            }());
            CHECK(h1.finished.size() + h2.finished.size() == n);
            CHECK(common(h1.started, h2.started).empty());
        });
    }
    SECTION("terminal: the handlers in flight are cancelled, the leases left to expire") {
        handled h1(5000ms);
        handled h2(1ms);
        s.run([&]() -> awaitable<void> {
            projection_worker w1(*s.events, checkpoints, fast_options("pt", "w1"), h1.handler());
            asio::cancellation_signal sig;
            outcome<int> out;
            w1.async_run(asio::bind_cancellation_slot(
                sig.slot(), [&](ddb::error_code ec) { out.handler()(ec, 0); }));
            auto cond10 = [&] { return h1.in_hand.size() >= 2; };
            const bool ok10 = co_await wait_until(cond10, 20000ms);
            CHECK(ok10);
            const auto emitted = steady_clock::now();
            sig.emit(ct::terminal);
            auto cond11 = [&] { return out.done; };
            const bool ok11 = co_await wait_until(cond11, 10000ms);
            CHECK(ok11);
            CHECK(out.ec == asio::error::operation_aborted);
            CHECK(out.at - emitted < 1000ms); // not waiting for the handlers
            CHECK(h1.finished.empty());       // they were cancelled
            CHECK(w1.stats().owned.empty());
            // Its leases and heartbeat are left to expire.
            auto leases = co_await checkpoints.leases("pt");
            const auto owned = std::count_if(leases.begin(), leases.end(), [](const lease& l) {
                return l.owner == "w1" && l.until > std::chrono::system_clock::now();
            });
            CHECK(owned >= 1);
            auto live = co_await checkpoints.live_workers("pt");
            CHECK(std::count(live.begin(), live.end(), "w1") == 1);
            for (const auto& e : events)
                CHECK_FALSE(covered(leases, e, partitions)); // nothing committed
            // Another worker takes over once they expire and handles every
            // event; only the events w1 had in hand (one per partition at
            // most) are handled twice.
            projection_worker w2(*s.events, checkpoints, fast_options("pt", "w2"), h2.handler());
            co_await (w2.run() && [&]() -> awaitable<void> {
                auto cond12 = [&] { return h2.finished.size() >= n; };
                co_await wait_until(cond12, 30000ms);
                co_await pause(300ms);
                w2.stop();
            }());
            CHECK(h2.finished.size() == n);
            const auto twice = common(h1.started, h2.started);
            CHECK(twice.size() <= static_cast<std::size_t>(partitions));
            for (auto id : twice)
                CHECK(h1.in_hand.count(id) == 1);
        });
    }
    SECTION("total: ignored (a worker has side effects)") {
        handled h1(1ms);
        s.run([&]() -> awaitable<void> {
            projection_worker w1(*s.events, checkpoints, fast_options("px", "w1"), h1.handler());
            asio::cancellation_signal sig;
            outcome<int> out;
            w1.async_run(asio::bind_cancellation_slot(
                sig.slot(), [&](ddb::error_code ec) { out.handler()(ec, 0); }));
            auto some = [&] { return !h1.finished.empty(); };
            const bool ok1 = co_await wait_until(some, 20000ms);
            CHECK(ok1);
            sig.emit(ct::total);
            auto all = [&] { return h1.finished.size() >= n; };
            const bool ok2 = co_await wait_until(all, 20000ms);
            CHECK(ok2); // it went on
            CHECK_FALSE(out.done);
            w1.stop();
            auto done = [&] { return out.done; };
            const bool ok3 = co_await wait_until(done, 10000ms);
            CHECK(ok3);
            CHECK_FALSE(out.ec);
            CHECK(h1.finished.size() == n);
            auto leases = co_await checkpoints.leases("px");
            for (const auto& l : leases)
                CHECK(l.owner.empty());
        });
    }
    const auto stats = s.c->pool_stats();
    CHECK(stats.open == stats.idle);
}

// The in-memory repository never suspends: a cancellation emitted after
// async_append is started but before its coroutine first runs (here: before
// run()) must still be seen. Terminal and partial abort it with nothing
// stored; total is ignored by a write, which then stores its events.
TEST_CASE("es cancel: an in-memory append cancelled before it first runs", "[es][cancel]") {
    for (ct type : {ct::terminal, ct::partial, ct::total}) {
        INFO(name_of(type));
        asio::io_context ioc;
        in_memory_event_repository repo(ioc.get_executor());
        asio::cancellation_signal sig;
        outcome<std::vector<stored_event>> o;
        repo.async_append("agg", expected_version::exact(0), evs(2, "x"),
                          asio::bind_cancellation_slot(sig.slot(), o.handler()));
        sig.emit(type);
        ioc.run();
        REQUIRE(o.done);
        ioc.restart();
        auto stored = ddb::test::complete(ioc, [&] { return all_of(repo, "agg"); });
        if (type == ct::total) {
            CHECK_FALSE(o.ec);
            CHECK(o.value.size() == 2);
            CHECK(stored.size() == 2);
        } else {
            CHECK(o.ec == asio::error::operation_aborted);
            CHECK(stored.empty());
        }
    }
}
