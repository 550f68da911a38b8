// Stream workers on moto (one shard per table, iterators that never expire):
// two and three workers on one stream (every record handled, per-key order,
// one holder of the shard), a worker stopped abruptly mid-batch (the records
// after its checkpoint redelivered to the next owner and counted), a restart
// from the checkpoint, a stalled worker whose commit is refused, and two
// worker processes (es_stream_worker_process) on one stream.
#include "backend.hpp"
#include "stream_fixture.hpp"

#include <ddb/es/error.hpp>
#include <ddb/es/stream_worker.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

using namespace ddb;
using namespace ddb::es;
using namespace ddb::es::test;
namespace asio = boost::asio;
using asio::awaitable;
using std::chrono::milliseconds;
using av = attribute_value;

namespace {

// A moto table with a stream, the event store's checkpoints table, and a
// Streams client.
struct stream_fixture : store<moto_backend> {
    streams_client streams;
    checkpoint_store cps;
    std::string table = ddb::test::unique_table("changes");
    std::string arn;

    stream_fixture()
        : streams(ioc.get_executor(),
                  ddb::test::config_for(ddb::test::local_server::endpoint("moto")))
        , cps(*c, cfg) {
        arn = run([&]() -> awaitable<std::string> {
            co_return co_await create_streamed_table(*c, table);
        });
    }
    ~stream_fixture() {
        try {
            run([&]() -> awaitable<void> { co_await c->delete_table(table); });
        } catch (...) {
        }
    }

    // Puts key `k` with value `n`.
    awaitable<void> put(const std::string& k, int n) {
        put_item_request p;
        p.table_name = table;
        p.item = {{"pk", av(k)}, {"n", av(number(n))}};
        co_await c->put_item(p);
    }
    awaitable<void> put_all(int keys, int from, int to) {
        for (int n = from; n < to; ++n)
            for (int k = 0; k < keys; ++k)
                co_await put("k" + std::to_string(k), n);
    }

    stream_worker_options options(const std::string& owner) {
        stream_worker_options o;
        o.consumer = "indexer";
        o.owner = owner;
        o.stream = table; // by table name (its newest stream)
        o.lease_duration = milliseconds(1500);
        o.renew_interval = milliseconds(300);
        o.shard_sync_interval = milliseconds(1000);
        o.reader.limit = 5;
        o.reader.idle_interval = milliseconds(30);
        o.reader.max_idle_requests_per_minute = 60000;
        o.retry_delay = milliseconds(10);
        return o;
    }
};

} // namespace

TEST_CASE("stream workers: two and three workers on one stream handle every record, per-key "
          "order kept, one holder of the shard",
          "[es][stream_worker]") {
    for (int workers : {2, 3}) {
        stream_fixture f;
        handled_log log;
        std::vector<std::unique_ptr<stream_worker>> ws;
        for (int i = 0; i < workers; ++i)
            ws.push_back(std::make_unique<stream_worker>(f.streams, f.cps,
                                                         f.options("w" + std::to_string(i)),
                                                         log.handler("w" + std::to_string(i))));
        constexpr int keys = 4, per_key = 10;
        f.run([&]() -> awaitable<void> {
            co_await f.put_all(keys, 0, per_key / 2);
            std::vector<running> rs;
            for (auto& w : ws)
                rs.push_back(start_worker(*w));
            co_await f.put_all(keys, per_key / 2, per_key);
            co_await wait_until([&] { return log.distinct() == keys * per_key; },
                                std::chrono::seconds(60));
            // One worker holds the single shard; the others hold none.
            std::size_t holders = 0;
            for (auto& w : ws)
                holders += w->stats().owned.size();
            CHECK(holders == 1);
            for (auto& w : ws)
                w->stop();
            for (auto& r : rs)
                co_await r.wait();
            for (auto& r : rs)
                CHECK_FALSE(r.error());
        });
        INFO(workers << " workers");
        CHECK(log.distinct() == keys * per_key);
        CHECK(log.in_key_order());
        std::uint64_t records = 0, redelivered = 0;
        for (auto& w : ws) {
            records += w->stats().records;
            redelivered += w->stats().redelivered;
        }
        CHECK(records == log.size());
        CHECK(records - redelivered == keys * per_key); // no failure: nothing again
        CHECK(redelivered == 0);
        // The checkpoint is the last record's; the leases were released.
        auto leases = f.run([&]() -> awaitable<std::vector<shard_lease>> {
            co_return co_await f.cps.shard_leases("indexer", label_of_arn(f.arn));
        });
        REQUIRE(leases.size() == 1);
        CHECK(leases[0].owner.empty());
        CHECK(leases[0].sequence_number == log.last_sequence_number());
        CHECK(leases[0].handled == static_cast<std::int64_t>(keys * per_key));
    }
}

TEST_CASE("stream workers: a worker stopped abruptly mid-batch: the next owner handles the "
          "records after the checkpoint again and counts them, a restart resumes from the "
          "checkpoint",
          "[es][stream_worker]") {
    stream_fixture f;
    handled_log log;
    bool block = true;
    int batches_a = 0;
    auto inner = log.handler("a");
    // Worker a: the second batch never finishes (until cancelled).
    stream_worker a(f.streams, f.cps, f.options("a"),
                    [&](const stream_batch& b) -> awaitable<void> {
                        if (block && ++batches_a == 2) {
                            co_await inner(b); // seen, but not checkpointed
                            asio::steady_timer forever(co_await asio::this_coro::executor,
                                                       std::chrono::hours(1));
                            co_await forever.async_wait(asio::use_awaitable);
                        }
                        co_await inner(b);
                    });
    stream_worker b(f.streams, f.cps, f.options("b"), log.handler("b"));
    f.run([&]() -> awaitable<void> {
        co_await f.put_all(1, 0, 12); // 12 records, pages of 5
        auto ra = start_worker(a);
        co_await wait_until([&] { return batches_a == 2; }, std::chrono::seconds(30));
        ra.cancel(asio::cancellation_type::terminal); // abrupt: no release, no commit
        co_await ra.wait();
        CHECK(a.stats().records == 5);
        auto rb = start_worker(b);
        co_await wait_until([&] { return log.distinct() == 12 && b.stats().records >= 7; },
                            std::chrono::seconds(30));
        b.stop();
        co_await rb.wait();
        CHECK_FALSE(rb.error());
    });
    CHECK(b.stats().records == 7);
    CHECK(b.stats().redelivered == 5); // the batch a had in hand
    CHECK(b.stats().takeovers == 1);
    CHECK(log.in_key_order());

    // Restart: a new worker object resumes after the checkpoint.
    handled_log later;
    stream_worker again(f.streams, f.cps, f.options("a"), later.handler("a2"));
    f.run([&]() -> awaitable<void> {
        co_await f.put_all(1, 12, 15);
        auto r = start_worker(again);
        co_await wait_until([&] { return later.distinct() == 3; }, std::chrono::seconds(30));
        again.stop();
        co_await r.wait();
    });
    CHECK(later.size() == 3);
    CHECK(again.stats().redelivered == 0);
    CHECK(later.values("k0") == std::vector<int>{12, 13, 14});
}

TEST_CASE("stream workers: a stalled worker's commit is refused after another took the shard "
          "over, the checkpoint stays the new owner's",
          "[es][stream_worker]") {
    stream_fixture f;
    // The stalled worker runs on a thread and io_context of its own, so that
    // stalling it (blocking its thread: a GC pause, a suspended VM) stops its
    // renewals too.
    asio::io_context stalled_ioc;
    client stalled_db(stalled_ioc.get_executor(),
                      ddb::test::config_for(ddb::test::local_server::endpoint("moto")));
    streams_client stalled_streams(
        stalled_ioc.get_executor(),
        ddb::test::config_for(ddb::test::local_server::endpoint("moto")));
    checkpoint_store stalled_cps(stalled_db, f.cfg);
    std::atomic<int> stalls{0};
    std::atomic<bool> a_done{false};
    handled_log log;
    auto inner = log.handler("a");
    stream_worker a(stalled_streams, stalled_cps, f.options("a"),
                    [&](const stream_batch& batch) -> awaitable<void> {
                        co_await inner(batch);
                        if (stalls++ == 0)
                            std::this_thread::sleep_for(milliseconds(3000)); // > lease
                    });
    stream_worker b(f.streams, f.cps, f.options("b"), log.handler("b"));
    f.run([&]() -> awaitable<void> { co_await f.put_all(1, 0, 4); });
    std::exception_ptr a_error;
    asio::co_spawn(stalled_ioc, a.run(), [&](std::exception_ptr e) {
        a_error = e;
        a_done = true;
    });
    std::thread t([&] { stalled_ioc.run(); });
    struct joiner {
        std::thread& t;
        asio::io_context& ioc;
        ~joiner() {
            if (t.joinable()) {
                ioc.stop();
                t.join();
            }
        }
    } join_at_exit{t, stalled_ioc};
    f.run([&]() -> awaitable<void> {
        co_await wait_until([&] { return stalls.load() > 0; }, std::chrono::seconds(30));
        auto rb = start_worker(b);
        co_await wait_until([&] { return b.stats().records == 4; }, std::chrono::seconds(30));
        co_await wait_until([&] { return a.stats().lost >= 1; }, std::chrono::seconds(30));
        b.stop();
        a.stop();
        co_await rb.wait();
    });
    t.join();
    CHECK(a_done);
    CHECK_FALSE(a_error);
    CHECK(a.stats().records == 0);     // its commit was refused
    CHECK(b.stats().redelivered == 4); // a had handed them to its handler
    auto leases = f.run([&]() -> awaitable<std::vector<shard_lease>> {
        co_return co_await f.cps.shard_leases("indexer", label_of_arn(f.arn));
    });
    REQUIRE(leases.size() == 1);
    CHECK(leases[0].sequence_number == log.last_sequence_number());
    CHECK(leases[0].fence == 2);
}

TEST_CASE("stream workers: a table without a stream is stream_not_found, bad options are "
          "invalid_argument",
          "[es][stream_worker]") {
    stream_fixture f;
    auto o = f.options("w");
    o.stream = f.cfg.checkpoints_table; // a table without a stream
    stream_worker w(f.streams, f.cps, o, [](const stream_batch&) -> awaitable<void> { co_return; });
    CHECK_THROWS_AS(f.run([&]() -> awaitable<void> { co_await w.run(); }), stream_not_found);
    auto bad = [&](auto change) {
        auto b = f.options("w");
        change(b);
        try {
            stream_worker x(f.streams, f.cps, b,
                            [](const stream_batch&) -> awaitable<void> { co_return; });
        } catch (const es_error& e) {
            return e.kind();
        }
        return es_errc{};
    };
    CHECK(bad([](auto& b) { b.consumer.clear(); }) == es_errc::invalid_argument);
    CHECK(bad([](auto& b) { b.stream.clear(); }) == es_errc::invalid_argument);
    CHECK(bad([](auto& b) { b.renew_interval = b.lease_duration; }) == es_errc::invalid_argument);
    CHECK(bad([](auto& b) { b.max_attempts = 0; }) == es_errc::invalid_argument);
}

namespace {

// A worker process (es_stream_worker_process) on moto.
struct child {
    pid_t pid = -1;
    child(const std::vector<std::string>& args, const std::string& endpoint) {
        std::vector<std::string> env = {"AWS_ENDPOINT_URL=" + endpoint,
                                        "AWS_REGION=us-east-1",
                                        "AWS_ACCESS_KEY_ID=AKIDLOCALTEST",
                                        "AWS_SECRET_ACCESS_KEY=local-secret",
                                        "AWS_EC2_METADATA_DISABLED=true",
                                        "AWS_CONFIG_FILE=/nonexistent",
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

// "shard seq key n" lines of the process outputs.
std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            out.push_back(line);
    return out;
}

} // namespace

TEST_CASE("stream workers: two worker processes on one stream, the holder killed with SIGKILL: "
          "every record handled by one or the other",
          "[es][stream_worker]") {
    stream_fixture f;
    const std::string endpoint = ddb::test::local_server::endpoint("moto");
    const std::string out0 = "/tmp/ddb-stream-worker-" + f.table + "-0";
    const std::string out1 = "/tmp/ddb-stream-worker-" + f.table + "-1";
    std::remove(out0.c_str());
    std::remove(out1.c_str());
    f.run([&]() -> awaitable<void> { co_await f.put_all(2, 0, 10); });
    auto p0 =
        std::make_unique<child>(std::vector<std::string>{DDB_ES_STREAM_WORKER_PROCESS, f.table,
                                                         f.cfg.checkpoints_table, "p0", out0},
                                endpoint);
    auto p1 =
        std::make_unique<child>(std::vector<std::string>{DDB_ES_STREAM_WORKER_PROCESS, f.table,
                                                         f.cfg.checkpoints_table, "p1", out1},
                                endpoint);
    // Distinct records handled (a batch handed over before the kill and not
    // committed is handled again by the survivor: lines repeat).
    auto count = [&] {
        std::set<std::string> seqs;
        for (const auto& path : {out0, out1})
            for (const auto& line : lines_of(path))
                seqs.insert(line.substr(0, line.find(' ', line.find(' ') + 1)));
        return seqs.size();
    };
    for (int i = 0; i < 600 && count() < 20; ++i)
        std::this_thread::sleep_for(milliseconds(50));
    REQUIRE(count() >= 20);
    // Kill whichever holds the shard (the one that wrote), write more.
    const bool zero_holds = !lines_of(out0).empty();
    (zero_holds ? p0 : p1)->kill_and_wait(SIGKILL);
    f.run([&]() -> awaitable<void> { co_await f.put_all(2, 10, 15); });
    for (int i = 0; i < 600 && count() < 30; ++i)
        std::this_thread::sleep_for(milliseconds(50));
    // The survivor stops cleanly on SIGTERM (releases its lease, exits 0).
    const int status = (zero_holds ? p1 : p0)->kill_and_wait(SIGTERM);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    std::map<std::string, std::vector<int>> seen;
    std::set<std::string> distinct;
    for (const auto& path : {out0, out1})
        for (const auto& line : lines_of(path)) {
            std::istringstream in(line);
            std::string shard, seq, key;
            int n = 0;
            in >> shard >> seq >> key >> n;
            distinct.insert(seq);
            seen[key].push_back(n);
        }
    CHECK(distinct.size() == 30);
    for (auto& [key, ns] : seen)
        for (int n = 0; n < 15; ++n)
            CHECK(std::count(ns.begin(), ns.end(), n) >= 1);
    std::remove(out0.c_str());
    std::remove(out1.c_str());
}
