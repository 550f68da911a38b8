// One ddb::client driven from 4 threads running one io_context, with
// hundreds of typed calls in flight at once: every answer is checked against
// what was written, the connection pool's counters read from another thread
// meanwhile are coherent, and they add up afterwards. Also clean under
// ThreadSanitizer, run by hand: a tree configured with
// -DCMAKE_CXX_FLAGS="-fsanitize=thread -O1 -g" -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread
// (without DDB_SANITIZE), target test_client_threads.
//
// Against dynalite (keep-alive) and moto (run single-threaded, so werkzeug
// answers HTTP/1.0 and closes each connection after its answer: every call
// opens a connection, and none is pooled).
#include <ddb/client/client.hpp>

#include <ddb/ops/table_waiter.hpp>
#include <ddb/value/expression.hpp>

#include "../support/client_setup.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace ddb;
using namespace ddb::expr;
namespace asio = boost::asio;
using asio::awaitable;
using av = attribute_value;

// GCC 12 destroys an aggregate temporary built inside a co_await operand
// twice: requests are named variables here.

namespace {

constexpr int io_threads = 4;
constexpr int per_phase = 400; // calls started at once in each phase
constexpr int groups = 20;     // partitions: item i is in group i % groups
constexpr std::size_t max_connections = 64;

std::string group_of(int i) {
    return "g" + std::to_string(i % groups);
}

// Item i: every common attribute type, and a value derived from i in each.
item item_of(int i, int version = 0) {
    const auto b = static_cast<std::uint8_t>(i % 256);
    return {{"pk", av(group_of(i))},
            {"sk", av(number(i))},
            {"text", av("item " + std::to_string(i) + " v" + std::to_string(version) + " héllo ✓")},
            {"n", av(number(std::int64_t(i) * 7919 + version))},
            {"data", av::b(bytes{b, 0, 255, static_cast<std::uint8_t>(version)})},
            {"list", av::l({av(number(i)), av("x"), av(i % 2 == 0)})},
            {"map", av::m({{"i", av(number(i))}, {"s", av(std::to_string(i))}})},
            {"flag", av(i % 3 == 0)}};
}

item key_of(int i) {
    return {{"pk", av(group_of(i))}, {"sk", av(number(i))}};
}

create_table_request table_request(const std::string& name) {
    create_table_request r;
    r.table_name = name;
    r.attribute_definitions = {{"pk", scalar_attribute_type::s}, {"sk", scalar_attribute_type::n}};
    r.key_schema = {{"pk", key_type::hash}, {"sk", key_type::range}};
    r.billing_mode = billing_mode::pay_per_request;
    return r;
}

// What the calls of one phase saw, written from any io thread.
struct phase {
    std::atomic<int> in_flight{0}, peak{0}, done{0}, calls{0};
    std::mutex m;
    std::vector<std::string> errors; // a mismatch or an exception, per call
    std::set<std::thread::id> threads;
    int samples = 0; // pool_stats() read from another thread while the calls ran
    std::vector<std::string> bad_samples;

    void fail(std::string what) {
        std::lock_guard lock(m);
        errors.push_back(std::move(what));
    }
    // Counts a call around its co_await.
    void start() {
        ++calls;
        int now = ++in_flight;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
    }
    void end() {
        --in_flight;
        std::lock_guard lock(m);
        threads.insert(std::this_thread::get_id());
    }
};

// Reads the pool's counters from a thread of its own (not an io thread)
// until `stop`: every snapshot must be coherent (idle <= open <= limit).
void sample_pool(const client& c, phase& p, const std::atomic<bool>& stop) {
    while (!stop) {
        const auto s = c.pool_stats();
        ++p.samples;
        if (s.idle > s.open || s.open > max_connections)
            p.bad_samples.push_back("open " + std::to_string(s.open) + ", idle " +
                                    std::to_string(s.idle));
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
}

// Spawns body(i) for i in [0, per_phase) on the io_context (no strand: each
// resumes on whichever io thread) and runs it on `io_threads` threads until
// all of them finished and the io_context ran out of work, while another
// thread reads the pool's counters.
template <class Body>
void run_phase(asio::io_context& ioc, const client& c, phase& p, Body body) {
    for (int i = 0; i < per_phase; ++i)
        asio::co_spawn(ioc, body(i), [&p, i](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& x) {
                    p.fail("call " + std::to_string(i) + ": " + x.what());
                }
            }
            ++p.done;
        });
    ioc.restart();
    std::atomic<bool> stop{false};
    std::thread sampler([&] { sample_pool(c, p, stop); });
    std::vector<std::thread> more;
    for (int t = 1; t < io_threads; ++t)
        more.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : more)
        t.join();
    stop = true;
    sampler.join();
}

void check_phase(const char* name, phase& p, int calls) {
    INFO(name);
    CHECK(p.done == per_phase);
    CHECK(p.calls == calls);
    for (std::size_t k = 0; k < std::min<std::size_t>(p.errors.size(), 5); ++k)
        UNSCOPED_INFO(p.errors[k]); // shown with the next assertion
    CHECK(p.errors.empty());
    // All started before any answer came: hundreds in flight at once.
    CHECK(p.peak >= per_phase / 2);
    CHECK(p.threads.size() >= 2); // answers resumed on more than one thread
    CHECK(p.samples > 0);
    for (std::size_t k = 0; k < std::min<std::size_t>(p.bad_samples.size(), 5); ++k)
        UNSCOPED_INFO(p.bad_samples[k]);
    CHECK(p.bad_samples.empty());
}

} // namespace

TEST_CASE("one client on 4 io threads, hundreds of calls in flight", "[client][threads]") {
    auto backend = GENERATE(as<std::string>{}, "dynalite", "moto");
    INFO(backend);
    asio::io_context ioc(io_threads);
    auto cfg = test::config_for(test::local_server::endpoint(backend));
    cfg.pool.max_connections_per_host = max_connections;
    cfg.retry->max_attempts = 1; // one request per call: the counters add up exactly
    cfg.attempt_timeout = std::chrono::seconds(60);
    client c(ioc.get_executor(), cfg);
    const auto table = test::unique_table("threads");
    test::run(ioc, [&]() -> awaitable<void> {
        auto req = table_request(table);
        co_await c.create_table(req);
        co_await wait_until_table_active(c, table, std::chrono::seconds(10),
                                         std::chrono::milliseconds(10));
    });
    const auto before = c.pool_stats();

    // 1. 400 PutItem at once.
    phase puts;
    run_phase(ioc, c, puts, [&](int i) -> awaitable<void> {
        put_item_request req;
        req.table_name = table;
        req.item = item_of(i);
        puts.start();
        auto r = co_await c.put_item(req);
        puts.end();
        if (r.attributes && !r.attributes->empty())
            puts.fail("put " + std::to_string(i) + ": attributes returned unasked");
    });
    check_phase("PutItem", puts, per_phase);

    // 2. 400 reads at once: GetItem of each item, and a Query of a whole
    // group (all its items, in sort key order) for every fourth.
    phase reads;
    run_phase(ioc, c, reads, [&](int i) -> awaitable<void> {
        if (i % 4 == 0) {
            query_request req;
            req.table_name = table;
            req.consistent_read = true;
            parameters p;
            req.key_condition_expression = p.render(path("pk") == value(group_of(i / 4)));
            p.apply_to(req);
            reads.start();
            auto r = co_await c.query(req);
            reads.end();
            std::vector<item> want;
            for (int k = (i / 4) % groups; k < per_phase; k += groups)
                want.push_back(item_of(k));
            if (r.items != want || r.count != std::int64_t(want.size()))
                reads.fail("query of " + group_of(i / 4) + ": " + std::to_string(r.items.size()) +
                           " items, not the ones written");
        } else {
            get_item_request req;
            req.table_name = table;
            req.key = key_of(i);
            req.consistent_read = true;
            reads.start();
            auto r = co_await c.get_item(req);
            reads.end();
            if (!r.item || *r.item != item_of(i))
                reads.fail("get " + std::to_string(i) + ": not the item written");
        }
    });
    check_phase("GetItem and Query", reads, per_phase);

    // 3. Writes and reads in flight together: each of 400 calls overwrites
    // item i (version 1), then reads it back; the odd ones also read item
    // i + 1, which another coroutine may be overwriting at that moment
    // (either version is right, nothing else is).
    phase mixed;
    run_phase(ioc, c, mixed, [&](int i) -> awaitable<void> {
        put_item_request put;
        put.table_name = table;
        put.item = item_of(i, 1);
        put.return_values = return_values::all_old;
        mixed.start();
        auto old = co_await c.put_item(put);
        mixed.end();
        if (!old.attributes || *old.attributes != item_of(i))
            mixed.fail("put " + std::to_string(i) + ": the old item is not version 0");
        get_item_request get;
        get.table_name = table;
        get.key = key_of(i);
        get.consistent_read = true;
        mixed.start();
        auto mine = co_await c.get_item(get);
        mixed.end();
        if (!mine.item || *mine.item != item_of(i, 1))
            mixed.fail("get " + std::to_string(i) + ": not version 1");
        if (i % 2 == 1) {
            const int j = (i + 1) % per_phase;
            get_item_request other;
            other.table_name = table;
            other.key = key_of(j);
            mixed.start();
            auto theirs = co_await c.get_item(other);
            mixed.end();
            if (!theirs.item || (*theirs.item != item_of(j) && *theirs.item != item_of(j, 1)))
                mixed.fail("get " + std::to_string(j) + ": neither version");
        }
    });
    check_phase("PutItem and GetItem", mixed, per_phase * 2 + per_phase / 2);

    // The pool after everything settled: no connection in use, one request
    // per call, never more connections than the limit at once.
    const auto s = c.pool_stats();
    const auto calls = std::uint64_t(puts.calls + reads.calls + mixed.calls);
    CHECK(s.open == s.idle);
    CHECK(s.requests - before.requests == calls);
    CHECK(s.reused - before.reused + (s.connections_opened - before.connections_opened) >= calls);
    if (backend == "dynalite") { // keep-alive: connections are reused
        CHECK(s.connections_opened <= max_connections);
        CHECK(s.open <= max_connections);
        CHECK(s.reused - before.reused >= calls - max_connections);
    } else { // moto closes every connection after its answer
        CHECK(s.open == 0);
        CHECK(s.connections_opened - before.connections_opened == calls);
    }
}
