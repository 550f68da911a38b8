// bench_replay: replay of N events (default 100,000) from DynamoDB into a
// projector: events/s and the process's peak RSS during the replay beside
// its RSS before it (bounded memory: the replay streams, one page per index
// partition at a time).
//   bench_replay --endpoint URL [--events N] [--writers W]
// Prints {"bench":"es_replay","events":..,"events_per_s":..,"rss_before_mb":..,
//         "rss_peak_during_mb":..,"write_events_per_s":..}
#include <ddb/client/client.hpp>
#include <ddb/credentials/static_provider.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/projector.hpp>
#include <ddb/es/replay.hpp>
#include <ddb/es/tables.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/describe/class.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

namespace asio = boost::asio;
using asio::awaitable;

struct ping {
    std::int64_t n = 0;
    std::string note{};
};
BOOST_DESCRIBE_STRUCT(ping, (), (n, note))

namespace {

double rss_mb() { // current resident set, from /proc/self/statm
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return static_cast<double>(resident) * 4096.0 / (1024.0 * 1024.0);
}

} // namespace

int main(int argc, char** argv) {
    std::string endpoint;
    long events = 100000;
    int writers = 16;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--endpoint"))
            endpoint = argv[i + 1];
        else if (!std::strcmp(argv[i], "--events"))
            events = std::stol(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--writers"))
            writers = std::stoi(argv[i + 1]);
    }
    if (endpoint.empty()) {
        std::cerr << "usage: bench_replay --endpoint URL [--events N] [--writers W]\n";
        return 2;
    }
    asio::io_context ioc;
    ddb::client_config cfg;
    cfg.region = "us-east-1";
    cfg.endpoint = endpoint;
    cfg.credentials = std::make_shared<ddb::static_provider>(
        ddb::credentials{"AKIDBENCH", "bench", "", {}, "bench", {}});
    ddb::client c(ioc.get_executor(), cfg);
    ddb::es::store_config sc;
    sc.events_table = "replay-" + std::to_string(std::time(nullptr));
    sc.snapshots_table = sc.events_table + "-snapshots";
    sc.checkpoints_table = sc.events_table + "-checkpoints";
    ddb::es::event_registry registry;
    registry.add<ping>("bench.ping");
    int status = 0;
    asio::co_spawn(
        ioc,
        [&]() -> awaitable<void> {
            co_await ddb::es::create_tables(c, sc);
            ddb::es::dynamodb_event_repository repo(c, sc);
            // Write: W coroutines, each its share, events without an
            // aggregate (one conditional PutItem each; dynalite has no
            // transactions).
            auto t0 = std::chrono::steady_clock::now();
            long next = 0;
            int done = 0;
            asio::steady_timer all(ioc, std::chrono::steady_clock::time_point::max());
            for (int w = 0; w < writers; ++w)
                asio::co_spawn(
                    ioc,
                    [&]() -> awaitable<void> {
                        while (next < events) {
                            ping p{next++, "a small event of a replay benchmark"};
                            auto e = registry.encode(p);
                            co_await repo.persist(std::move(e));
                        }
                        if (++done == writers)
                            all.cancel();
                    },
                    asio::detached);
            if (done < writers) {
                try {
                    co_await all.async_wait(asio::use_awaitable);
                } catch (const boost::system::system_error&) {
                }
            }
            double write_s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

            std::int64_t sum = 0, seen = 0;
            ddb::es::projector counter(registry, "counter");
            counter.on<ping>([&](const ping& p) {
                sum += p.n;
                ++seen;
            });
            ddb::es::projectionist pr;
            pr.add(counter);
            const double before = rss_mb();
            double peak = before;
            auto t1 = std::chrono::steady_clock::now();
            auto progress = [&](const ddb::es::replay_progress& pg) {
                if (pg.done % 1000 == 0)
                    peak = std::max(peak, rss_mb());
                return true;
            };
            auto r = co_await ddb::es::replay(repo, pr, 0, progress);
            double replay_s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
            peak = std::max(peak, rss_mb());
            const std::int64_t expected = static_cast<std::int64_t>(events) * (events - 1) / 2;
            if (r.replayed != events || seen != events || sum != expected) {
                std::cerr << "bench_replay: replayed " << r.replayed << " of " << events << "\n";
                status = 1;
            }
            std::printf("{\"bench\":\"es_replay\",\"events\":%lld,\"events_per_s\":%.0f,"
                        "\"rss_before_mb\":%.1f,\"rss_peak_during_mb\":%.1f,"
                        "\"write_events_per_s\":%.0f}\n",
                        static_cast<long long>(r.replayed),
                        static_cast<double>(r.replayed) / replay_s, before, peak,
                        static_cast<double>(events) / write_s);
            co_await ddb::es::delete_tables(c, sc);
        },
        [&](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    std::cerr << "bench_replay: " << ex.what() << "\n";
                    status = 1;
                }
            }
        });
    ioc.run();
    return status;
}
