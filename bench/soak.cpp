// Soak: many thousand PutItem/GetItem calls with 256 in flight against a
// real local DynamoDB (dynalite or moto) through the tests' proxy with no
// faults. Checks that nothing fails, that memory stays bounded (RSS sampled
// every 50 ms: after warm-up vs the end) and that the connections open at
// once never exceed the pool limit (counted by the proxy).
//
//   bench_soak [--server dynalite|moto|URL] [--ops N] [--in-flight K] [--pool-limit P]
//
// Without a URL it starts the server with scripts/local-dynamodb and stops
// it by PID. One JSON object on stdout; exit status 1 when a check fails.
#include "../tests/support/client_setup.hpp"
#include "../tests/support/fault_proxy.hpp"

#include <ddb/client/client.hpp>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <unistd.h>

namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;

namespace {

std::size_t rss_kb() {
    std::ifstream in("/proc/self/statm");
    std::size_t pages = 0, resident = 0;
    in >> pages >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) / 1024;
}

struct own_server {
    std::string state, endpoint;
    explicit own_server(const std::string& kind) {
        state = "/tmp/ddb-soak-" + kind + "-" + std::to_string(::getpid()) + ".state";
        std::string cmd =
            DDB_SOURCE_DIR "/scripts/local-dynamodb start " + kind + " '" + state + "' >/dev/null";
        if (std::system(cmd.c_str()) != 0)
            throw std::runtime_error("cannot start " + kind);
        std::ifstream in(state);
        long pid = 0;
        int port = 0;
        in >> pid >> port;
        endpoint = "http://127.0.0.1:" + std::to_string(port);
    }
    ~own_server() {
        std::string cmd = DDB_SOURCE_DIR "/scripts/local-dynamodb stop '" + state + "'";
        [[maybe_unused]] int rc = std::system(cmd.c_str());
    }
};

} // namespace

int main(int argc, char** argv) {
    std::string server = "dynalite";
    long ops = 20000, in_flight = 256, pool_limit = 64;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--server")
            server = argv[i + 1];
        else if (a == "--ops")
            ops = std::atol(argv[i + 1]);
        else if (a == "--in-flight")
            in_flight = std::atol(argv[i + 1]);
        else if (a == "--pool-limit")
            pool_limit = std::atol(argv[i + 1]);
        else {
            std::cerr << "usage: bench_soak [--server dynalite|moto|URL] [--ops N] "
                         "[--in-flight K] [--pool-limit P]\n";
            return 2;
        }
    }
    std::unique_ptr<own_server> own;
    std::string upstream = server;
    if (server.find("://") == std::string::npos) {
        own = std::make_unique<own_server>(server);
        upstream = own->endpoint;
    }
    ddb::test::fault_proxy proxy(upstream);

    asio::io_context ioc(1);
    auto cfg = ddb::test::config_for(proxy.endpoint());
    cfg.pool.max_connections_per_host = static_cast<std::size_t>(pool_limit);
    ddb::client c(ioc.get_executor(), cfg);
    std::string table = ddb::test::unique_table("soak");

    std::atomic<long> next{0}, done{0}, errors{0};
    std::string first_error;
    const std::size_t rss_start = rss_kb();
    std::size_t rss_after_warmup = 0, rss_peak = 0;
    std::atomic<bool> sampling{true};
    std::thread sampler([&] {
        while (sampling) {
            auto r = rss_kb();
            if (r > rss_peak)
                rss_peak = r;
            if (!rss_after_warmup && done >= ops / 10)
                rss_after_warmup = r;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });

    auto worker = [&]() -> awaitable<void> {
        for (;;) {
            long i = next++;
            if (i >= ops)
                co_return;
            std::string key = "k" + std::to_string(i % 5000);
            try {
                if (i % 2 == 0) {
                    ddb::put_item_request put;
                    put.table_name = table;
                    put.item["pk"] = ddb::attribute_value::s(key);
                    put.item["n"] = ddb::attribute_value::n(ddb::number(std::to_string(i)));
                    put.item["payload"] = ddb::attribute_value::s(std::string(200, 'x'));
                    co_await c.put_item(put);
                } else {
                    ddb::get_item_request get;
                    get.table_name = table;
                    get.key["pk"] = ddb::attribute_value::s(key);
                    co_await c.get_item(get);
                }
            } catch (const std::exception& e) {
                if (errors++ == 0)
                    first_error = e.what();
            }
            ++done;
        }
    };

    double seconds = 0;
    asio::co_spawn(
        ioc,
        [&]() -> awaitable<void> {
            co_await ddb::test::create_table(c, table);
            auto start = std::chrono::steady_clock::now();
            // `in_flight` workers, each one call at a time.
            auto ex = co_await asio::this_coro::executor;
            std::atomic<long> finished{0};
            asio::steady_timer all_done(ex, asio::steady_timer::time_point::max());
            for (long w = 0; w < in_flight; ++w)
                asio::co_spawn(ex, worker(), [&](std::exception_ptr) {
                    if (++finished == in_flight)
                        all_done.cancel();
                });
            co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
            seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            co_await c.delete_table(table);
        },
        [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
    ioc.run();
    sampling = false;
    sampler.join();

    auto stats = c.pool_stats();
    const std::size_t rss_end = rss_kb();
    const bool connections_ok =
        proxy.peak_connections_open() <= static_cast<std::size_t>(pool_limit);
    // Bounded: the second 90 % of the run may not grow memory by more than
    // 25 % of what the warm-up reached (sampling noise aside).
    const bool memory_ok = rss_peak <= rss_after_warmup + rss_after_warmup / 4 + 4096;
    json::object out{{"bench", "soak"},
                     {"server", own ? server : std::string("url")},
                     {"ops", ops},
                     {"in_flight", in_flight},
                     {"pool_limit", pool_limit},
                     {"seconds", seconds},
                     {"ops_per_s", seconds > 0 ? static_cast<double>(ops) / seconds : 0},
                     {"errors", errors.load()},
                     {"rss_start_kb", rss_start},
                     {"rss_after_warmup_kb", rss_after_warmup},
                     {"rss_peak_kb", rss_peak},
                     {"rss_end_kb", rss_end},
                     {"connections_opened", stats.connections_opened},
                     {"proxy_connections_accepted", proxy.connections_accepted()},
                     {"proxy_peak_connections_open", proxy.peak_connections_open()},
                     {"memory_bounded", memory_ok},
                     {"connections_bounded", connections_ok}};
    if (errors)
        out["first_error"] = first_error;
    std::cout << json::serialize(out) << std::endl;
    return errors == 0 && memory_ok && connections_ok ? 0 : 1;
}
