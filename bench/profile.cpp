//
// bench_profile — a fixed amount of client work against an already running
// endpoint (nginx with bench/canned answers, or a local DynamoDB), for
// profilers whose counts must not depend on the machine's speed
// (valgrind --tool=callgrind, perf stat). The measured part is bracketed by
// callgrind's instrumentation toggles, so a run with
// --instr-atstart=no counts only it.
//
//   bench_profile getitem URL REQUESTS CONCURRENCY
//   bench_profile load URL TABLE UUID LOADS CONCURRENCY   (retrieve_all)
//
#include <ddb/client/client.hpp>
#include <ddb/credentials/static_provider.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <valgrind/callgrind.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

namespace asio = boost::asio;
namespace json = boost::json;
using steady = std::chrono::steady_clock;

namespace {

const json::value get_item_request = {
    {"TableName", "stored_events"},
    {"Key", {{"aggregate_uuid", {{"S", "6f1c2a9e"}}}, {"id", {{"N", "1"}}}}}};

ddb::client_config config(const std::string& url) {
    ddb::client_config cfg;
    cfg.region = "us-east-1";
    cfg.endpoint = url;
    cfg.credentials = std::make_shared<ddb::static_provider>(
        ddb::credentials{"AKIDBENCH", "bench-secret", "", {}, "bench", {}});
    ddb::retry_config retry;
    retry.max_attempts = 1;
    cfg.retry = retry;
    return cfg;
}

double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto s = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return s(u.ru_utime) + s(u.ru_stime);
}

template <class Work>
double run_workers(asio::io_context& ioc, long total, int concurrency, Work work) {
    long next = 0;
    auto worker = [&]() -> asio::awaitable<void> {
        while (next < total) {
            ++next;
            co_await work();
        }
    };
    auto t0 = steady::now();
    for (int i = 0; i < concurrency; ++i)
        asio::co_spawn(ioc, worker(), [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
    ioc.restart();
    ioc.run();
    return std::chrono::duration<double>(steady::now() - t0).count();
}

} // namespace

int main(int argc, char** argv) try {
    std::string mode = argc > 1 ? argv[1] : "";
    asio::io_context ioc(1);
    if (mode == "getitem" && argc == 5) {
        ddb::client c(ioc.get_executor(), config(argv[2]));
        long n = std::stol(argv[3]);
        int conc = std::stoi(argv[4]);
        auto once = [&]() -> asio::awaitable<void> {
            auto v = co_await c.call("GetItem", get_item_request);
            if (!v.as_object().contains("Item"))
                throw std::runtime_error("no Item");
        };
        run_workers(ioc, 200, conc, once);
        CALLGRIND_START_INSTRUMENTATION;
        double cpu = cpu_seconds();
        double s = run_workers(ioc, n, conc, once);
        cpu = cpu_seconds() - cpu;
        CALLGRIND_STOP_INSTRUMENTATION;
        std::printf(
            "{\"mode\":\"getitem\",\"requests\":%ld,\"rps\":%.0f,\"cpu_us_per_request\":%.2f}\n", n,
            double(n) / s, cpu * 1e6 / double(n));
        return 0;
    }
    if (mode == "load" && argc == 7) {
        ddb::client c(ioc.get_executor(), config(argv[2]));
        ddb::es::store_config store;
        store.events_table = argv[3];
        ddb::es::dynamodb_event_repository repo(c, store);
        std::string uuid = argv[4];
        long n = std::stol(argv[5]);
        int conc = std::stoi(argv[6]);
        long events = 0;
        std::int64_t touched = 0;
        auto once = [&]() -> asio::awaitable<void> {
            std::optional<std::string> id = uuid;
            auto gen = repo.retrieve_all(std::move(id));
            while (auto e = co_await gen.next()) {
                touched += e->aggregate_version + static_cast<std::int64_t>(e->meta_data.size()) +
                           e->event_properties.as_object().size();
                ++events;
            }
        };
        run_workers(ioc, 5, conc, once);
        events = 0;
        CALLGRIND_START_INSTRUMENTATION;
        double cpu = cpu_seconds();
        double s = run_workers(ioc, n, conc, once);
        cpu = cpu_seconds() - cpu;
        CALLGRIND_STOP_INSTRUMENTATION;
        std::printf("{\"mode\":\"load\",\"loads\":%ld,\"events\":%ld,\"events_per_s\":%.0f,"
                    "\"cpu_us_per_event\":%.3f,\"touched\":%lld}\n",
                    n, events, double(events) / s, cpu * 1e6 / double(events),
                    static_cast<long long>(touched));
        return 0;
    }
    std::cerr << "usage: bench_profile getitem URL REQUESTS CONCURRENCY\n"
                 "       bench_profile load URL TABLE UUID LOADS CONCURRENCY\n";
    return 2;
} catch (const std::exception& e) {
    std::cerr << "bench_profile: " << e.what() << "\n";
    return 1;
}
