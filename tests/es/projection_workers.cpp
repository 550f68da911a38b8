// Projection workers: checkpoints that survive a restart, parked events and
// their re-drive, a second worker taking its share, exactly-once commits
// through lost answers (fault proxy), and three worker processes on one
// store with one killed by SIGKILL (every event applied once, in order per
// aggregate; the takeover time is printed).
//
// On moto (transactions) and dynalite (at-least-once only: dynalite has no
// TransactWriteItems, so appends at versions > 0 and exactly-once commits
// run on moto only).
#include "backend.hpp"
#include "worker_options.hpp"

#include "../support/fault_proxy.hpp"

#include <ddb/es/checkpoint_store.hpp>
#include <ddb/es/error.hpp>
#include <ddb/es/projection_worker.hpp>
#include <ddb/value/expression.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <csignal>
#include <iostream>
#include <map>
#include <set>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

using namespace ddb;
using namespace ddb::es;
using namespace ddb::es::test;
namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using namespace ddb::expr;

namespace {

awaitable<void> pause(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

new_event ev(int n) {
    new_event e;
    e.event_class = "e";
    e.properties = {{"n", n}};
    return e;
}

// Runs `worker` until `done()` holds (checked every 50 ms, at most
// `limit`), then stops it and waits for it to finish.
template <class Done>
awaitable<void> run_until(projection_worker& worker, Done done,
                          std::chrono::milliseconds limit = 20000ms) {
    co_await (worker.run() && [&]() -> awaitable<void> {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < end)
            co_await pause(50ms);
        worker.stop();
    }());
}

} // namespace

TEMPLATE_TEST_CASE("projection worker: at least once, checkpoints survive a restart", "[es]",
                   moto_backend, dynalite_backend) {
    store<TestType> s;
    checkpoint_store checkpoints(*s.c, s.cfg);
    s.run([&]() -> awaitable<void> {
        for (int i = 0; i < 12; ++i)
            co_await s.events->persist(ev(i), "agg-" + std::to_string(i));
        std::vector<stored_event> seen;
        {
            projection_worker w(*s.events, checkpoints, fast_options("p1", "w1"),
                                [&](const stored_event& e) -> awaitable<void> {
                                    seen.push_back(e);
                                    co_return;
                                });
            co_await run_until(w, [&] { return seen.size() >= 12; });
            CHECK(w.stats().handled == 12);
        }
        CHECK(seen.size() == 12);
        // Every partition's checkpoint is at its last event; leases released.
        auto leases = co_await checkpoints.leases("p1");
        for (auto& l : leases)
            CHECK(l.owner.empty());
        // A new worker starts from the checkpoints: only new events.
        for (int i = 12; i < 15; ++i)
            co_await s.events->persist(ev(i), "agg-" + std::to_string(i));
        std::vector<stored_event> later;
        projection_worker w2(*s.events, checkpoints, fast_options("p1", "w2"),
                             [&](const stored_event& e) -> awaitable<void> {
                                 later.push_back(e);
                                 co_return;
                             });
        co_await run_until(w2, [&] { return later.size() >= 3; });
        co_await pause(300ms);
        REQUIRE(later.size() == 3);
        std::set<std::int64_t> ns;
        for (auto& e : later)
            ns.insert(e.event_properties.at("n").as_int64());
        CHECK(ns == std::set<std::int64_t>{12, 13, 14});
    });
}

TEMPLATE_TEST_CASE("projection worker: a failing handler parks the event, re-drive handles it",
                   "[es]", moto_backend, dynalite_backend) {
    store<TestType> s;
    checkpoint_store checkpoints(*s.c, s.cfg);
    s.run([&]() -> awaitable<void> {
        for (int i = 0; i < 4; ++i)
            co_await s.events->persist(ev(i), "agg-" + std::to_string(i));
        bool broken = true;
        std::set<std::int64_t> handled;
        auto o = fast_options("p2", "w1");
        o.max_attempts = 2;
        projection_worker w(*s.events, checkpoints, o,
                            [&](const stored_event& e) -> awaitable<void> {
                                const auto n = e.event_properties.at("n").as_int64();
                                if (n == 2 && broken)
                                    throw std::runtime_error("cannot handle 2");
                                handled.insert(n);
                                co_return;
                            });
        co_await run_until(w, [&] { return handled.size() >= 3 && w.stats().parked == 1; });
        CHECK(w.stats().retries == 1);
        std::vector<parked_event> parked;
        auto g = checkpoints.parked("p2");
        while (auto p = co_await g.next())
            parked.push_back(*p);
        REQUIRE(parked.size() == 1);
        CHECK(parked[0].error.find("cannot handle 2") != std::string::npos);
        CHECK(parked[0].attempts == 2);
        broken = false;
        const std::size_t redriven = co_await w.redrive_parked(true);
        CHECK(redriven == 1);
        CHECK(handled.count(2));
        auto again = checkpoints.parked("p2");
        const auto left = co_await again.next();
        CHECK_FALSE(left);
    });
}

TEMPLATE_TEST_CASE("projection worker: a handler failure stops the worker when configured", "[es]",
                   moto_backend) {
    store<TestType> s;
    checkpoint_store checkpoints(*s.c, s.cfg);
    s.run([&]() -> awaitable<void> {
        co_await s.events->persist(ev(0), std::string("agg"));
        auto o = fast_options("p3", "w1");
        o.max_attempts = 1;
        o.failure = on_handler_failure::stop;
        projection_worker w(*s.events, checkpoints, o, [](const stored_event&) -> awaitable<void> {
            throw std::runtime_error("handler says no");
            co_return;
        });
        bool threw = false;
        try {
            co_await w.run();
        } catch (const std::runtime_error& e) {
            threw = std::string(e.what()) == "handler says no";
        }
        CHECK(threw);
        // The failed event was not checkpointed: its lease was handed back.
        auto leases = co_await checkpoints.leases("p3");
        for (auto& l : leases) {
            CHECK(l.owner.empty());
            CHECK(l.position.id == 0);
        }
    });
}

TEMPLATE_TEST_CASE("projection worker: a second worker takes its share of the partitions", "[es]",
                   moto_backend, dynalite_backend) {
    store<TestType> s;
    checkpoint_store checkpoints(*s.c, s.cfg);
    s.run([&]() -> awaitable<void> {
        const int partitions = co_await s.events->partition_count();
        auto noop = [](const stored_event&) -> awaitable<void> { co_return; };
        projection_worker a(*s.events, checkpoints, fast_options("p4", "a"), noop);
        projection_worker b(*s.events, checkpoints, fast_options("p4", "b"), noop);
        co_await (a.run() && [&]() -> awaitable<void> {
            // a alone owns every partition, then shares them with b.
            for (int i = 0; i < 100 && a.stats().owned.size() < std::size_t(partitions); ++i)
                co_await pause(50ms);
            CHECK(a.stats().owned.size() == std::size_t(partitions));
            co_await (b.run() && [&]() -> awaitable<void> {
                const auto start = std::chrono::steady_clock::now();
                for (int i = 0; i < 200; ++i) {
                    auto x = a.stats().owned.size(), y = b.stats().owned.size();
                    if (x + y == std::size_t(partitions) && x > 0 && y > 0 &&
                        std::max(x, y) - std::min(x, y) <= 1)
                        break;
                    co_await pause(50ms);
                }
                const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count();
                std::cout << "[" << TestType::name << "] rebalanced to " << a.stats().owned.size()
                          << " + " << b.stats().owned.size() << " partitions in " << ms << " ms\n";
                CHECK(a.stats().owned.size() + b.stats().owned.size() == std::size_t(partitions));
                CHECK(b.stats().owned.size() >= std::size_t(partitions / 2));
                b.stop();
            }());
            a.stop();
        }());
    });
}

TEST_CASE("projection worker: exactly once through lost answers (fault proxy)", "[es]") {
    store<moto_backend> s;
    ddb::test::fault_proxy proxy(ddb::test::local_server::endpoint("moto"));
    auto cfg = ddb::test::config_for(proxy.endpoint());
    client via(s.ioc.get_executor(), cfg);
    checkpoint_store checkpoints(via, s.cfg);
    const std::string model = ddb::test::unique_table("model");
    s.run([&]() -> awaitable<void> {
        co_await ddb::test::create_table(*s.c, model);
        for (int i = 0; i < 6; ++i)
            co_await s.events->persist(ev(i), std::string("acc"));
        // Every commit's answer is lost once: the client sends it again.
        proxy.inject_randomly(0.3, 7, {ddb::test::fault(ddb::test::fault::close_after_forward)});
        std::int64_t last = 0;
        projection_worker w(
            *s.events, checkpoints, fast_options("p5", "w1"),
            [&](const stored_event& e) -> awaitable<std::vector<transact_write_item>> {
                parameters p;
                transact_write_item u;
                u.update = transact_update{
                    .table_name = model,
                    .key = {{"pk", attribute_value("acc")}},
                    .update_expression =
                        p.render(expr::update()
                                     .set(path("last"), value(number(e.aggregate_version)))
                                     .add(path("n"), attribute_value(number(1)))),
                    .condition_expression =
                        p.render(e.aggregate_version == 1
                                     ? attribute_not_exists(path("pk"))
                                     : path("last") == value(number(e.aggregate_version - 1)))};
                p.apply_to(*u.update);
                last = e.aggregate_version;
                std::vector<transact_write_item> writes;
                writes.push_back(std::move(u));
                co_return writes;
            });
        co_await run_until(w, [&] { return w.stats().handled >= 6; });
        proxy.stop_injecting();
        get_item_request get{
            .table_name = model, .key = {{"pk", attribute_value("acc")}}, .consistent_read = true};
        auto got = co_await s.c->get_item(get);
        REQUIRE(got.item);
        CHECK(got.item->at("n").as_n().as<int>() == 6);
        CHECK(got.item->at("last").as_n().as<int>() == 6);
        CHECK(proxy.faults_injected() > 0);
    });
}

namespace {

// A child process: the worker program with these arguments, the endpoint
// and test credentials in its environment.
struct child {
    pid_t pid = -1;

    child(const std::vector<std::string>& args, const std::string& endpoint) {
        std::vector<std::string> env = {
            "AWS_ENDPOINT_URL_DYNAMODB=" + endpoint,   "AWS_REGION=us-east-1",
            "AWS_ACCESS_KEY_ID=AKIDLOCALTEST",         "AWS_SECRET_ACCESS_KEY=local-secret",
            "AWS_EC2_METADATA_DISABLED=true",          "AWS_CONFIG_FILE=/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE=/nonexistent"};
        for (char** e = environ; *e; ++e)
            if (std::string_view(*e).rfind("ASAN_OPTIONS=", 0) == 0 ||
                std::string_view(*e).rfind("UBSAN_OPTIONS=", 0) == 0)
                env.emplace_back(*e);
        std::vector<char*> argv, envp;
        for (auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        for (auto& e : env)
            envp.push_back(const_cast<char*>(e.c_str()));
        envp.push_back(nullptr);
        if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), envp.data()) != 0)
            throw std::runtime_error("cannot start " + args[0]);
    }
    int kill_and_wait(int sig) {
        if (pid <= 0)
            return -1;
        ::kill(pid, sig);
        int status = 0;
        ::waitpid(pid, &status, 0);
        pid = -1;
        return status;
    }
    ~child() { kill_and_wait(SIGKILL); }
};

} // namespace

TEST_CASE("projection workers: three processes, one killed with SIGKILL, exactly once", "[es]") {
    store<moto_backend> s;
    const std::string endpoint = ddb::test::local_server::endpoint("moto");
    const std::string model = ddb::test::unique_table("model");
    checkpoint_store checkpoints(*s.c, s.cfg);
    constexpr int aggregates = 8, per_aggregate = 8;
    s.run([&]() -> awaitable<void> { co_await ddb::test::create_table(*s.c, model); });
    std::vector<std::unique_ptr<child>> workers;
    for (const char* owner : {"w0", "w1", "w2"})
        workers.push_back(std::make_unique<child>(
            std::vector<std::string>{DDB_ES_WORKER_PROCESS, s.cfg.events_table,
                                     s.cfg.checkpoints_table, model, "bank", owner},
            endpoint));
    s.run([&]() -> awaitable<void> {
        // Half the events, then w0 dies mid-way (no release, no last commit);
        // the rest are written while the others take its partitions over.
        auto write = [&](int from, int to) -> awaitable<void> {
            for (int v = from; v < to; ++v)
                for (int a = 0; a < aggregates; ++a)
                    co_await s.events->persist(ev(v), "acc-" + std::to_string(a));
        };
        co_await write(0, per_aggregate / 2);
        // w0 holds partitions (4 partitions, 3 workers: 2 + 1 + 1).
        for (int i = 0;; ++i) {
            int held = 0;
            const auto leases = co_await checkpoints.leases("bank");
            for (auto& l : leases)
                held += l.owner == "w0";
            if (held > 0)
                break;
            REQUIRE(i < 200);
            co_await pause(50ms);
        }
        workers[0]->kill_and_wait(SIGKILL);
        const auto killed = std::chrono::steady_clock::now();
        std::chrono::milliseconds takeover{0};
        co_await (write(per_aggregate / 2, per_aggregate) && [&]() -> awaitable<void> {
            // Every partition held by a live worker again.
            for (;;) {
                auto leases = co_await checkpoints.leases("bank");
                bool taken = !leases.empty();
                for (auto& l : leases)
                    taken = taken && !l.owner.empty() && l.owner != "w0";
                if (taken)
                    break;
                REQUIRE(std::chrono::steady_clock::now() - killed < 30s);
                co_await pause(50ms);
            }
            takeover = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - killed);
        }());
        std::cout << "takeover after SIGKILL: every partition owned by a live worker "
                  << takeover.count() << " ms after the kill (lease 2000 ms, renew 400 ms)\n";
        CHECK(takeover < 2000ms + 3 * 400ms + 1000ms);
        // Every event applied once, in order, whoever applied it.
        const auto start = std::chrono::steady_clock::now();
        for (;;) {
            int complete = 0;
            for (int a = 0; a < aggregates; ++a) {
                get_item_request get{.table_name = model,
                                     .key = {{"pk", attribute_value("acc-" + std::to_string(a))}},
                                     .consistent_read = true};
                auto got = co_await s.c->get_item(get);
                if (got.item && got.item->at("last").as_n().as<int>() == per_aggregate) {
                    CHECK(got.item->at("n").as_n().as<int>() == per_aggregate);
                    ++complete;
                }
            }
            if (complete == aggregates)
                break;
            REQUIRE(std::chrono::steady_clock::now() - start < 60s);
            co_await pause(200ms);
        }
    });
    // The survivors stop cleanly (a duplicate or a gap would have failed one).
    CHECK(workers[1]->kill_and_wait(SIGTERM) == 0);
    CHECK(workers[2]->kill_and_wait(SIGTERM) == 0);
}
