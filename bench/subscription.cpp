// bench_subscription: subscriptions (<ddb/es/subscription.hpp>) on DynamoDB
// (dynalite in scripts/bench), each figure next to its peer in the same run.
//
// 1. Latency: a subscription, already live (it delivered a first event),
//    receives N events that one coroutine appends at a steady rate in the
//    same process (one new aggregate each: a conditional PutItem, as
//    dynalite has no transactions). Latency = the subscriber receiving the
//    event - `append` returning (steady clock). Run with the safe horizon
//    (max_append_age + clock_skew + index_lag) and with a short one, which
//    is unsafe (it gives up the no-gap guarantee) and shows the share of
//    the polling itself. The peer is the horizon: p50 - horizon is what the
//    polling and the reads add.
// 2. Catch-up: M stored events (one aggregate each, written beforehand by
//    W coroutines and left to age past the horizon) read from the start by
//    a subscription into a projector, until the M-th event, against
//    `replay` of the same events into the same projector and a bare
//    `retrieve_all()`; the three alternate (order rotated per round; the
//    machine is noisy), and the ratio subscription/replay is the median of
//    the rounds' ratios. Target >= 0.9.
//
//   bench_subscription --endpoint URL [--latency-events N] [--rate PER_S]
//       [--short-horizon-ms H] [--catchup-events M] [--writers W] [--rounds R]
//       [--worker-events K] [--skip-latency] [--skip-catchup] [--skip-workers]
// Prints one JSON line per latency run and one for the catch-up:
//   {"bench":"subscription_latency","horizon_ms":4500,"safe":true,
//    "poll_interval_ms":100,"max_poll_interval_ms":1000,"events":..,
//    "rate_per_s":..,"p50_ms":..,"p99_ms":..,"max_ms":..,"p50_over_horizon_ms":..}
//   {"bench":"subscription_catchup","events":..,"rounds":..,"sub_events_per_s":..,
//    "replay_events_per_s":..,"retrieve_all_events_per_s":..,"ratio":..,
//    "ratios":[..],"target":0.9,"met":..}
//   {"bench":"subscription_workers","events":..,"partitions":4,
//    "one_worker_events_per_s":..,"four_workers_events_per_s":..,"ratio":..}
#include <ddb/client/client.hpp>
#include <ddb/credentials/static_provider.hpp>
#include <ddb/es/checkpoint_store.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/projection_worker.hpp>
#include <ddb/es/projector.hpp>
#include <ddb/es/replay.hpp>
#include <ddb/es/subscription.hpp>
#include <ddb/es/tables.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/describe/class.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
using asio::awaitable;
using namespace asio::experimental::awaitable_operators;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct ping {
    std::int64_t n = 0;
    std::string note{};
};
BOOST_DESCRIBE_STRUCT(ping, (), (n, note))

namespace {

struct args {
    std::string endpoint;
    long latency_events = 200;
    double rate = 20; // events per second
    long short_horizon_ms = 200;
    long catchup_events = 20000;
    int writers = 16;
    int rounds = 7;
    long worker_events = 3000;
    bool latency = true;
    bool catchup = true;
    bool workers = true;
};

// This process's CPU time, user + system.
double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return s(u.ru_utime) + s(u.ru_stime);
}

double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

double ms_between(clock_type::time_point a, clock_type::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

// Nearest rank.
double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::max<std::size_t>(rank, 1) - 1];
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

awaitable<void> sleep_for(clock_type::duration d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

awaitable<void> sleep_until(clock_type::time_point at) {
    asio::steady_timer t(co_await asio::this_coro::executor, at);
    co_await t.async_wait(asio::use_awaitable);
}

ddb::es::store_config table_config(const std::string& name) {
    ddb::es::store_config sc;
    sc.events_table = name + "-" + std::to_string(std::time(nullptr));
    sc.snapshots_table = sc.events_table + "-snapshots";
    sc.checkpoints_table = sc.events_table + "-checkpoints";
    return sc;
}

// Version 1 of a new aggregate: a conditional PutItem.
awaitable<void> append_one(ddb::es::event_repository& repo, const ddb::es::event_registry& reg,
                           std::string uuid, std::int64_t n) {
    std::vector<ddb::es::new_event> one;
    one.push_back(reg.encode(ping{n, "a small event of a subscription benchmark"}));
    co_await repo.append(std::move(uuid), ddb::es::expected_version::exact(0), std::move(one));
}

std::int64_t n_of(const ddb::es::stored_event& e) {
    return e.event_properties.as_object().at("n").as_int64();
}

// ------------------------------------------------------------ latency

// One latency run on a fresh table; prints its JSON line.
awaitable<void> latency_run(ddb::client& c, const ddb::es::event_registry& reg, const args& a,
                            std::optional<milliseconds> horizon) {
    auto sc = table_config(horizon ? "sub-lat-short" : "sub-lat-safe");
    co_await ddb::es::create_tables(c, sc);
    ddb::es::dynamodb_event_repository repo(c, sc);
    ddb::es::subscription_options o; // the default poll intervals
    o.horizon = horizon;
    const milliseconds h = ddb::es::safe_horizon(repo.config(), o);
    const milliseconds safe = ddb::es::safe_horizon(repo.config(), {});

    // Live: the subscription delivered a first event, and every poll since
    // has found nothing (it backs off to max_poll_interval meanwhile).
    co_await append_one(repo, reg, "warm-up", -1);
    auto sub = ddb::es::subscribe(repo, {}, o);
    auto first = co_await sub.next();
    if (!first || n_of(*first) != -1)
        throw std::runtime_error("latency: the warm-up event did not come first");

    const auto n = static_cast<std::size_t>(a.latency_events);
    const auto period = std::chrono::duration_cast<clock_type::duration>(
        std::chrono::duration<double>(1.0 / a.rate));
    std::vector<clock_type::time_point> returned(n), received(n);
    std::vector<bool> seen(n, false);
    auto writer = [&]() -> awaitable<void> {
        const auto t0 = clock_type::now();
        for (std::size_t i = 0; i < n; ++i) {
            co_await sleep_until(t0 + period * static_cast<long>(i));
            co_await append_one(repo, reg, "lat-" + std::to_string(i),
                                static_cast<std::int64_t>(i));
            returned[i] = clock_type::now();
        }
    };
    auto reader = [&]() -> awaitable<void> {
        for (std::size_t got = 0; got < n;) {
            auto e = co_await sub.next();
            const auto at = clock_type::now();
            if (!e)
                throw std::runtime_error("latency: the subscription ended");
            const auto k = static_cast<std::size_t>(n_of(*e));
            if (k >= n || seen[k])
                throw std::runtime_error("latency: unexpected or repeated event");
            seen[k] = true;
            received[k] = at;
            ++got;
        }
    };
    auto limit = [&]() -> awaitable<void> {
        co_await sleep_for(period * static_cast<long>(n) + h + std::chrono::seconds(60));
        throw std::runtime_error("latency: events missing after a minute past the horizon");
    };
    auto both = writer() && reader();
    auto timeout = limit();
    co_await (std::move(both) || std::move(timeout));

    std::vector<double> ms;
    for (std::size_t i = 0; i < n; ++i)
        ms.push_back(ms_between(returned[i], received[i]));
    const double p50 = percentile(ms, 0.5);
    std::printf(
        "{\"bench\":\"subscription_latency\",\"horizon_ms\":%lld,\"safe\":%s,"
        "\"safe_horizon_ms\":%lld,\"poll_interval_ms\":%lld,\"max_poll_interval_ms\":%lld,"
        "\"events\":%zu,\"rate_per_s\":%.1f,\"p50_ms\":%.1f,\"p99_ms\":%.1f,"
        "\"min_ms\":%.1f,\"max_ms\":%.1f,\"p50_over_horizon_ms\":%.1f%s}\n",
        static_cast<long long>(h.count()), h >= safe ? "true" : "false",
        static_cast<long long>(safe.count()), static_cast<long long>(o.poll_interval.count()),
        static_cast<long long>(o.max_poll_interval.count()), n, a.rate, p50, percentile(ms, 0.99),
        percentile(ms, 0.0), percentile(ms, 1.0), p50 - static_cast<double>(h.count()),
        h >= safe ? "" : ",\"note\":\"unsafe: below the safe horizon\"");
    std::fflush(stdout);
    sub.close();
    co_await ddb::es::delete_tables(c, sc);
}

// ------------------------------------------------------------ catch-up

// M events, one aggregate each, by W coroutines.
awaitable<void> write_events(ddb::es::event_repository& repo, const ddb::es::event_registry& reg,
                             long events, int writers) {
    long next = 0;
    auto one_writer = [&]() -> awaitable<void> {
        while (next < events) {
            const long i = next++;
            co_await append_one(repo, reg, "c-" + std::to_string(i), i);
        }
    };
    auto ex = co_await asio::this_coro::executor;
    int done = 0;
    std::exception_ptr error;
    asio::steady_timer all_done(ex, clock_type::time_point::max());
    for (int w = 0; w < writers; ++w)
        asio::co_spawn(ex, one_writer(), [&](std::exception_ptr e) {
            if (e && !error)
                error = e;
            if (++done == writers)
                all_done.cancel();
        });
    try {
        co_await all_done.async_wait(asio::use_awaitable);
    } catch (const boost::system::system_error&) {
    }
    if (error)
        std::rethrow_exception(error);
}

struct counter {
    std::int64_t seen = 0, sum = 0;
};

// The three readers, each timed from its start to the M-th event; the
// events are checked (all M, each once).
awaitable<double> read_subscription(ddb::es::event_repository& repo, ddb::es::projectionist& pr,
                                    long events) {
    const auto t = clock_type::now();
    auto sub = ddb::es::subscribe(repo, {}, {});
    for (long i = 0; i < events; ++i) {
        auto e = co_await sub.next();
        if (!e)
            throw std::runtime_error("catch-up: the subscription ended");
        co_await pr.project(*e);
    }
    co_return seconds_since(t);
}

awaitable<double> read_replay(ddb::es::event_repository& repo, ddb::es::projectionist& pr) {
    const auto t = clock_type::now();
    co_await ddb::es::replay(repo, pr, 0);
    co_return seconds_since(t);
}

awaitable<double> read_all(ddb::es::event_repository& repo, counter& k) {
    const auto t = clock_type::now();
    auto g = repo.retrieve_all();
    while (auto e = co_await g.next()) {
        ++k.seen;
        k.sum += n_of(*e); // the properties are decoded JSON already
    }
    co_return seconds_since(t);
}

// long: the write, the alternating rounds, the checks and the JSON line
awaitable<void> catchup(ddb::client& c, const ddb::es::event_registry& reg, const args& a) {
    auto sc = table_config("sub-catchup");
    co_await ddb::es::create_tables(c, sc);
    ddb::es::dynamodb_event_repository repo(c, sc);
    const auto t_write = clock_type::now();
    co_await write_events(repo, reg, a.catchup_events, a.writers);
    const double write_s = seconds_since(t_write);
    // Every event older than the horizon: the subscription holds none back.
    const milliseconds h = ddb::es::safe_horizon(repo.config(), {});
    co_await sleep_for(h + milliseconds(200));

    counter k;
    ddb::es::projector proj(reg, "counter");
    proj.on<ping>([&](const ping& p) {
        ++k.seen;
        k.sum += p.n;
    });
    ddb::es::projectionist pr;
    pr.add(proj);
    {
        counter warm; // untimed: the server's first read of the table is slower
        co_await read_all(repo, warm);
    }
    const std::int64_t expected =
        static_cast<std::int64_t>(a.catchup_events) * (a.catchup_events - 1) / 2;
    std::vector<double> sub_rate, replay_rate, all_rate, ratios;
    std::vector<double> cpu[3]; // CPU µs per event: subscription, replay, retrieve_all
    const double m = static_cast<double>(a.catchup_events);
    for (int r = 0; r < a.rounds; ++r) {
        double sub_s = 0, replay_s = 0, all_s = 0;
        for (int j = 0; j < 3; ++j) {
            k = {};
            const double cpu0 = cpu_seconds();
            switch ((r + j) % 3) {
            case 0:
                sub_s = co_await read_subscription(repo, pr, a.catchup_events);
                break;
            case 1:
                replay_s = co_await read_replay(repo, pr);
                break;
            default:
                all_s = co_await read_all(repo, k);
                break;
            }
            if (k.seen != a.catchup_events || k.sum != expected)
                throw std::runtime_error("catch-up: reader " + std::to_string((r + j) % 3) +
                                         " saw " + std::to_string(k.seen) + " of " +
                                         std::to_string(a.catchup_events) + " events");
            cpu[(r + j) % 3].push_back((cpu_seconds() - cpu0) * 1e6 / m);
        }
        sub_rate.push_back(m / sub_s);
        replay_rate.push_back(m / replay_s);
        all_rate.push_back(m / all_s);
        ratios.push_back(replay_s / sub_s);
    }
    const double ratio = median(ratios);
    std::string list;
    for (double x : ratios) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%s%.3f", list.empty() ? "" : ",", x);
        list += buf;
    }
    std::printf("{\"bench\":\"subscription_catchup\",\"events\":%ld,\"rounds\":%d,"
                "\"horizon_ms\":%lld,\"sub_events_per_s\":%.0f,\"replay_events_per_s\":%.0f,"
                "\"retrieve_all_events_per_s\":%.0f,\"ratio\":%.3f,\"ratios\":[%s],"
                "\"target\":0.9,\"met\":%s,\"sub_cpu_us_per_event\":%.1f,"
                "\"replay_cpu_us_per_event\":%.1f,\"retrieve_all_cpu_us_per_event\":%.1f,"
                "\"write_events_per_s\":%.0f}\n",
                a.catchup_events, a.rounds, static_cast<long long>(h.count()), median(sub_rate),
                median(replay_rate), median(all_rate), ratio, list.c_str(),
                ratio >= 0.9 ? "true" : "false", median(cpu[0]), median(cpu[1]), median(cpu[2]),
                m / write_s);
    std::fflush(stdout);
    co_await ddb::es::delete_tables(c, sc);
}

// Projection workers catching up on K stored events (at least once: each
// event handled, then its checkpoint written): one worker owning every
// partition, then four workers sharing them, timed from their start to the
// K-th event handled. Fresh projection names, so each run starts at 0.
awaitable<double> workers_catchup(ddb::es::event_repository& repo,
                                  ddb::es::checkpoint_store& checkpoints, int n, long events,
                                  const std::string& projection) {
    long handled = 0;
    std::vector<std::unique_ptr<ddb::es::projection_worker>> workers;
    for (int w = 0; w < n; ++w) {
        ddb::es::projection_worker_options o;
        o.projection = projection;
        o.owner = projection + "-" + std::to_string(w);
        o.lease_duration = milliseconds(3000);
        o.renew_interval = milliseconds(500);
        workers.push_back(std::make_unique<ddb::es::projection_worker>(
            repo, checkpoints, o, [&handled](const ddb::es::stored_event&) -> awaitable<void> {
                ++handled;
                co_return;
            }));
    }
    const auto t = clock_type::now();
    auto ex = co_await asio::this_coro::executor;
    int running = n;
    std::exception_ptr error;
    for (auto& w : workers)
        asio::co_spawn(ex, w->run(), [&](std::exception_ptr e) {
            if (e && !error)
                error = e;
            --running;
        });
    double seconds = 0;
    while (handled < events && !error)
        co_await sleep_for(milliseconds(5));
    seconds = seconds_since(t);
    for (auto& w : workers)
        w->stop();
    while (running > 0)
        co_await sleep_for(milliseconds(10));
    if (error)
        std::rethrow_exception(error);
    if (handled != events)
        throw std::runtime_error("workers: handled " + std::to_string(handled) + " of " +
                                 std::to_string(events));
    co_return seconds;
}

awaitable<void> workers_run(ddb::client& c, const ddb::es::event_registry& reg, const args& a) {
    auto sc = table_config("sub-workers");
    co_await ddb::es::create_tables(c, sc);
    ddb::es::dynamodb_event_repository repo(c, sc);
    ddb::es::checkpoint_store checkpoints(c, sc);
    co_await write_events(repo, reg, a.worker_events, a.writers);
    co_await sleep_for(ddb::es::safe_horizon(repo.config(), {}) + milliseconds(200));
    const int partitions = co_await repo.partition_count();
    std::vector<double> one, four;
    for (int r = 0; r < 3; ++r) {
        const std::string suffix = std::to_string(r);
        if (r % 2 == 0) {
            one.push_back(
                co_await workers_catchup(repo, checkpoints, 1, a.worker_events, "one" + suffix));
            four.push_back(
                co_await workers_catchup(repo, checkpoints, 4, a.worker_events, "four" + suffix));
        } else {
            four.push_back(
                co_await workers_catchup(repo, checkpoints, 4, a.worker_events, "four" + suffix));
            one.push_back(
                co_await workers_catchup(repo, checkpoints, 1, a.worker_events, "one" + suffix));
        }
    }
    const double m = static_cast<double>(a.worker_events);
    const double one_rate = m / median(one), four_rate = m / median(four);
    std::printf("{\"bench\":\"subscription_workers\",\"events\":%ld,\"partitions\":%d,"
                "\"rounds\":3,\"one_worker_events_per_s\":%.0f,"
                "\"four_workers_events_per_s\":%.0f,\"ratio\":%.3f}\n",
                a.worker_events, partitions, one_rate, four_rate, four_rate / one_rate);
    std::fflush(stdout);
    co_await ddb::es::delete_tables(c, sc);
}

bool parse(int argc, char** argv, args& a) {
    for (int i = 1; i < argc; ++i) {
        const std::string k = argv[i];
        if (k == "--skip-latency")
            a.latency = false;
        else if (k == "--skip-workers")
            a.workers = false;
        else if (k == "--skip-catchup")
            a.catchup = false;
        else if (i + 1 >= argc)
            return false;
        else if (k == "--endpoint")
            a.endpoint = argv[++i];
        else if (k == "--latency-events")
            a.latency_events = std::stol(argv[++i]);
        else if (k == "--rate")
            a.rate = std::stod(argv[++i]);
        else if (k == "--short-horizon-ms")
            a.short_horizon_ms = std::stol(argv[++i]);
        else if (k == "--catchup-events")
            a.catchup_events = std::stol(argv[++i]);
        else if (k == "--writers")
            a.writers = std::stoi(argv[++i]);
        else if (k == "--worker-events")
            a.worker_events = std::stol(argv[++i]);
        else if (k == "--rounds")
            a.rounds = std::stoi(argv[++i]);
        else
            return false;
    }
    return !a.endpoint.empty() && a.latency_events > 0 && a.rate > 0 && a.catchup_events > 0 &&
           a.writers > 0 && a.rounds > 0 && a.worker_events > 0;
}

} // namespace

int main(int argc, char** argv) {
    args a;
    if (!parse(argc, argv, a)) {
        std::cerr
            << "usage: bench_subscription --endpoint URL [--latency-events N] [--rate PER_S]\n"
               "  [--short-horizon-ms H] [--catchup-events M] [--writers W] [--rounds R]\n"
               "  [--worker-events K] [--skip-latency] [--skip-catchup] [--skip-workers]\n";
        return 2;
    }
    asio::io_context ioc;
    ddb::client_config cfg;
    cfg.region = "us-east-1";
    cfg.endpoint = a.endpoint;
    cfg.credentials = std::make_shared<ddb::static_provider>(
        ddb::credentials{"AKIDBENCH", "bench", "", {}, "bench", {}});
    ddb::client c(ioc.get_executor(), cfg);
    ddb::es::event_registry registry;
    registry.add<ping>("bench.ping");
    int status = 0;
    asio::co_spawn(
        ioc,
        [&]() -> awaitable<void> {
            if (a.latency) {
                co_await latency_run(c, registry, a, std::nullopt);
                co_await latency_run(c, registry, a, milliseconds(a.short_horizon_ms));
            }
            if (a.catchup)
                co_await catchup(c, registry, a);
            if (a.workers)
                co_await workers_run(c, registry, a);
        },
        [&](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    std::cerr << "bench_subscription: " << ex.what() << "\n";
                    status = 1;
                }
            }
        });
    ioc.run();
    return status;
}
