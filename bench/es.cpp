//
// bench_es — the event store's client CPU per appended and per loaded event,
// against a local DynamoDB (moto or dynalite). Its peer, bench/js/es.mjs,
// sends the same requests with the AWS JS SDK v3; bench/es.sh runs both on
// both servers and compares them.
//
//   bench_es --endpoint URL [--aggregates A] [--events E] [--batch K]
//            [--payload BYTES] [--loads R] [--concurrency C]
//            [--append-concurrency C2] [--warmup W]
//
// Fresh tables (create_tables, unique names, deleted at the end), then:
//   append: each aggregate gets its E events in appends of K at expected
//           versions 0, K, 2K, ... (exact); C aggregates in flight, one
//           io_context thread (C2 for the appends when given: moto's
//           TransactWriteItems deep-copies the table without a lock and fails
//           with HTTP 500 under concurrent writes). An append of k > 1 events, or at n > 0, is
//           one TransactWriteItems; one event at n = 0 is a PutItem (the
//           only form dynalite accepts: run it with --events 1 --batch 1).
//   load:   retrieve_all(uuid) of every aggregate, every event consumed and
//           checked, C in flight; R passes, summed.
// W extra aggregates are appended and loaded first, untimed (connections,
// caches). CPU is getrusage(RUSAGE_SELF) user+sys around each phase.
// One JSON line per phase:
//   {"bench":"es_append","impl":"ddb","events":N,"cpu_s":..,
//    "cpu_us_per_event":..,"wall_s":..,"events_per_s":..,...}
//
#include <ddb/client/client.hpp>
#include <ddb/credentials/static_provider.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/tables.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
namespace es = ddb::es;
using asio::awaitable;
using steady = std::chrono::steady_clock;

namespace {

struct options {
    std::string endpoint;
    int aggregates = 50;
    int events = 100;
    int batch = 10;
    int payload = 200;
    int loads = 3;
    int concurrency = 8;
    int append_concurrency = 0; // 0: as concurrency
    int warmup = 16;
};

options parse_args(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (i + 1 >= argc)
            throw std::runtime_error("missing value after " + a);
        std::string v = argv[++i];
        if (a == "--endpoint")
            o.endpoint = v;
        else if (a == "--aggregates")
            o.aggregates = std::stoi(v);
        else if (a == "--events")
            o.events = std::stoi(v);
        else if (a == "--batch")
            o.batch = std::stoi(v);
        else if (a == "--payload")
            o.payload = std::stoi(v);
        else if (a == "--loads")
            o.loads = std::stoi(v);
        else if (a == "--concurrency")
            o.concurrency = std::stoi(v);
        else if (a == "--append-concurrency")
            o.append_concurrency = std::stoi(v);
        else if (a == "--warmup")
            o.warmup = std::stoi(v);
        else
            throw std::runtime_error("unknown option " + a);
    }
    if (o.endpoint.empty())
        throw std::runtime_error("--endpoint URL is required");
    if (o.aggregates < 1 || o.events < 1 || o.batch < 1 || o.loads < 1 || o.concurrency < 1 ||
        o.payload < 0 || o.warmup < 0)
        throw std::runtime_error("counts must be positive");
    if (o.append_concurrency < 1)
        o.append_concurrency = o.concurrency;
    return o;
}

struct cpu_times {
    double user = 0, sys = 0;
};

cpu_times cpu_now() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto s = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return {s(u.ru_utime), s(u.ru_stime)};
}

// A v4-shaped random uuid (36 characters), as the JS peer's crypto.randomUUID().
std::string random_uuid(std::mt19937_64& rng) {
    static const char* hex = "0123456789abcdef";
    std::string s(36, '-');
    for (int i = 0; i < 36; ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            continue;
        s[i] = hex[rng() & 15];
    }
    s[14] = '4';
    s[19] = hex[8 + (rng() & 3)];
    return s;
}

// The properties of event `version`: {"kind","amount","currency","note"},
// the note padded so the JSON text is `payload` bytes (when it can be). The
// JS peer builds the same text.
json::value properties(std::int64_t version, int payload) {
    json::object o;
    o["kind"] = "deposited";
    o["amount"] = version;
    o["currency"] = "EUR";
    o["note"] = "";
    const auto base = json::serialize(o).size();
    if (static_cast<std::size_t>(payload) > base)
        o["note"] = std::string(static_cast<std::size_t>(payload) - base, 'x');
    return o;
}

// Runs `make()` to completion; returns when it completes (the transport
// leaves a timer behind for a while, which must not count as work).
template <class F>
void run(asio::io_context& ioc, F&& make) {
    ioc.restart();
    std::exception_ptr error;
    bool done = false;
    asio::co_spawn(ioc, std::forward<F>(make)(), [&](std::exception_ptr e) {
        error = e;
        done = true;
    });
    while (!done && ioc.run_one() > 0) {
    }
    if (!done)
        throw std::logic_error("the io_context ran out of work first");
    if (error)
        std::rethrow_exception(error);
}

struct measure {
    cpu_times cpu0 = cpu_now();
    steady::time_point t0 = steady::now();
    cpu_times cpu() const {
        auto now = cpu_now();
        return {now.user - cpu0.user, now.sys - cpu0.sys};
    }
    double wall() const { return std::chrono::duration<double>(steady::now() - t0).count(); }
};

void report(const char* bench, const options& o, int concurrency, long long events,
            long long requests, cpu_times t, double wall) {
    const double cpu = t.user + t.sys;
    std::printf("{\"bench\":\"%s\",\"impl\":\"ddb\",\"events\":%lld,\"cpu_s\":%.4f,"
                "\"cpu_us_per_event\":%.2f,\"wall_s\":%.3f,\"events_per_s\":%.0f,"
                "\"user_s\":%.4f,\"sys_s\":%.4f,\"requests\":%lld,\"cpu_us_per_request\":%.2f,"
                "\"aggregates\":%d,\"events_per_aggregate\":%d,\"batch\":%d,\"payload\":%d,"
                "\"concurrency\":%d}\n",
                bench, events, cpu, cpu * 1e6 / double(events), wall, double(events) / wall, t.user,
                t.sys, requests, cpu * 1e6 / double(requests), o.aggregates, o.events, o.batch,
                o.payload, concurrency);
    std::fflush(stdout);
}

struct bench {
    const options& o;
    es::dynamodb_event_repository& repo;
    long long appends = 0;
    long long loaded = 0;
    std::int64_t touched = 0; // sums of fields read, so nothing is skipped

    // Appends every event of every aggregate in `uuids`, C aggregates at once.
    awaitable<void> append_all(const std::vector<std::string>& uuids) {
        std::size_t next = 0;
        auto worker = [&]() -> awaitable<void> {
            while (next < uuids.size()) {
                const std::string& uuid = uuids[next++];
                for (int n = 0; n < o.events; n += o.batch) {
                    const int k = std::min(o.batch, o.events - n);
                    std::vector<es::new_event> events;
                    events.reserve(static_cast<std::size_t>(k));
                    for (int i = 1; i <= k; ++i) {
                        es::new_event e;
                        e.event_class = "BankAccount.Deposited";
                        e.properties = properties(n + i, o.payload);
                        events.push_back(std::move(e));
                    }
                    std::string id = uuid;
                    auto expected = es::expected_version::exact(n);
                    auto stored = co_await repo.append(std::move(id), expected, std::move(events));
                    if (stored.size() != static_cast<std::size_t>(k))
                        throw std::runtime_error("append stored a wrong number of events");
                    ++appends;
                }
            }
        };
        co_await run_workers(worker, o.append_concurrency);
    }

    // Loads every aggregate of `uuids` and checks its events.
    awaitable<void> load_all(const std::vector<std::string>& uuids) {
        std::size_t next = 0;
        auto worker = [&]() -> awaitable<void> {
            while (next < uuids.size()) {
                const std::string& uuid = uuids[next++];
                std::optional<std::string> id = uuid;
                auto events = repo.retrieve_all(std::move(id));
                std::int64_t expect = 0;
                while (auto e = co_await events.next()) {
                    if (e->aggregate_version != ++expect ||
                        e->event_properties.as_object().at("amount").as_int64() != expect)
                        throw std::runtime_error("loaded an unexpected event");
                    touched +=
                        e->id % 7 + e->event_version +
                        static_cast<std::int64_t>(e->meta_data.size() + e->event_class.size());
                    ++loaded;
                }
                if (expect != o.events)
                    throw std::runtime_error("loaded " + std::to_string(expect) + " events of " +
                                             uuid + ", expected " + std::to_string(o.events));
            }
        };
        co_await run_workers(worker, o.concurrency);
    }

    template <class W>
    awaitable<void> run_workers(W& worker, int concurrency) {
        auto ex = co_await asio::this_coro::executor;
        int running = concurrency;
        std::exception_ptr first_error;
        asio::steady_timer all_done(ex, steady::time_point::max());
        for (int i = 0; i < concurrency; ++i)
            asio::co_spawn(ex, worker(), [&](std::exception_ptr e) {
                if (e && !first_error)
                    first_error = e;
                if (--running == 0)
                    all_done.cancel();
            });
        boost::system::error_code ec;
        co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (first_error)
            std::rethrow_exception(first_error);
    }
};

} // namespace

int main(int argc, char** argv) try {
    const options o = parse_args(argc, argv);
    asio::io_context ioc(1);
    ddb::client_config cfg;
    cfg.region = "us-east-1";
    cfg.endpoint = o.endpoint;
    cfg.credentials = std::make_shared<ddb::static_provider>(
        ddb::credentials{"AKIDBENCH", "bench-secret", "", {}, "bench", {}});
    ddb::client c(ioc.get_executor(), cfg);

    std::mt19937_64 rng(std::random_device{}());
    es::store_config store;
    const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000);
    store.events_table = "bench-es-events-" + tag;
    store.snapshots_table = "bench-es-snapshots-" + tag;
    store.checkpoints_table = "bench-es-checkpoints-" + tag;
    run(ioc, [&]() -> awaitable<void> { co_await es::create_tables(c, store); });

    std::vector<std::string> warm, uuids;
    for (int i = 0; i < o.warmup; ++i)
        warm.push_back(random_uuid(rng));
    for (int i = 0; i < o.aggregates; ++i)
        uuids.push_back(random_uuid(rng));

    int rc = 0;
    try {
        es::dynamodb_event_repository repo(c, store);
        bench b{o, repo};
        if (!warm.empty()) {
            run(ioc, [&] { return b.append_all(warm); });
            run(ioc, [&] { return b.load_all(warm); });
        }

        b.appends = 0;
        measure m;
        run(ioc, [&] { return b.append_all(uuids); });
        const cpu_times append_cpu = m.cpu();
        const double append_wall = m.wall();
        const long long appended = static_cast<long long>(o.aggregates) * o.events;
        report("es_append", o, o.append_concurrency, appended, b.appends, append_cpu, append_wall);

        b.loaded = 0;
        measure l;
        for (int r = 0; r < o.loads; ++r)
            run(ioc, [&] { return b.load_all(uuids); });
        const cpu_times load_cpu = l.cpu();
        const double load_wall = l.wall();
        if (b.loaded != appended * o.loads)
            throw std::runtime_error("loaded " + std::to_string(b.loaded) + " events, expected " +
                                     std::to_string(appended * o.loads));
        report("es_load", o, o.concurrency, b.loaded,
               static_cast<long long>(o.aggregates) * o.loads, load_cpu, load_wall);
        if (b.touched == 0)
            std::fprintf(stderr, "bench_es: nothing touched\n");
    } catch (const std::exception& e) {
        std::cerr << "bench_es: " << e.what() << "\n";
        rc = 1;
    }
    try {
        run(ioc, [&]() -> awaitable<void> { co_await es::delete_tables(c, store); });
    } catch (const std::exception& e) {
        std::cerr << "bench_es: deleting the tables: " << e.what() << "\n";
        rc = 1;
    }
    return rc;
} catch (const std::exception& e) {
    std::cerr << "bench_es: " << e.what() << "\n";
    return 1;
}
