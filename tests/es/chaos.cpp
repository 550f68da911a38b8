// Chaos: concurrent writers append events through the aggregate API while a
// fault-injecting proxy in front of a real moto breaks a fixed share of the
// requests in every way it knows. Afterwards a fresh client reading straight
// from moto checks that every acknowledged event is stored exactly once, that
// no unacknowledged event is stored twice, that versions are contiguous and
// that the global-order read is strictly ascending and complete.
//
// The short variant runs in scripts/test; a long one by hand:
//   DDB_CHAOS_EVENTS=200 DDB_CHAOS_MIN_PER_KIND=50 build/asan/tests/test_es_chaos
// Knobs (environment): DDB_CHAOS_EVENTS (per writer, default 12),
// DDB_CHAOS_RATE (default 0.25), DDB_CHAOS_SEED (default 7),
// DDB_CHAOS_MIN_PER_KIND (every fault kind injected at least this often,
// default 2), DDB_CHAOS_ATTEMPT_TIMEOUT_MS (2000), DDB_CHAOS_BASE_DELAY_MS
// (retry backoff base, 20).
//
// Each test starts a moto of its own (a dedicated server keeps this load off
// the shared fixture); the credentials variant starts it with IAM
// authentication on, so moto checks every signature made with the rotating
// short-lived credentials of a container-credentials endpoint.
#include "../support/client_setup.hpp"
#include "../support/fault_proxy.hpp"
#include "../support/http_test_server.hpp"
#include "../support/run.hpp"

#include <ddb/aws/container_provider.hpp>
#include <ddb/credentials/caching_provider.hpp>
#include <ddb/es/aggregate_root.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/error.hpp>
#include <ddb/es/event_registry.hpp>
#include <ddb/es/tables.hpp>

#include <boost/asio.hpp>
#include <boost/describe.hpp>
#include <catch2/catch.hpp>

#include "../support/source_dir.hpp"
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace ddb;
using namespace ddb::es;
namespace asio = boost::asio;
using asio::awaitable;
using std::chrono::milliseconds;

namespace chaos {

struct appended {
    int writer = 0;
    int seq = 0;
};
BOOST_DESCRIBE_STRUCT(appended, (), (writer, seq))

class tally : public aggregate_root<tally, appended> {
public:
    void add(int writer, int seq) { record(appended{writer, seq}); }
    int count() const { return count_; }

private:
    friend ddb::es::aggregate_access;
    void apply(const appended&) { ++count_; }
    int count_ = 0;
    BOOST_DESCRIBE_CLASS(tally, (), (), (), (count_))
};

long env_or(const char* name, long fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtol(v, nullptr, 10) : fallback;
}
double env_or(const char* name, double fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtod(v, nullptr) : fallback;
}

// A moto of this test's own, started with scripts/local-dynamodb (free
// loopback port) and stopped by PID.
class own_moto {
public:
    explicit own_moto(int initial_no_auth_actions = 0) {
        state_ = "/tmp/ddb-chaos-moto-" + std::to_string(::getpid()) + "-" +
                 std::to_string(++count_) + ".state";
        std::string env;
        if (initial_no_auth_actions > 0)
            env = "INITIAL_NO_AUTH_ACTION_COUNT=" + std::to_string(initial_no_auth_actions) + " ";
        std::string cmd = env + ddb_test::source_dir() + "/scripts/local-dynamodb start moto '" +
                          state_ + "' >/dev/null";
        if (std::system(cmd.c_str()) != 0)
            throw std::runtime_error("cannot start moto");
        std::ifstream in(state_);
        long pid = 0;
        int port = 0;
        if (!(in >> pid >> port))
            throw std::runtime_error("no moto state in " + state_);
        endpoint_ = "http://127.0.0.1:" + std::to_string(port);
    }
    ~own_moto() {
        std::string cmd = ddb_test::source_dir() + "/scripts/local-dynamodb stop '" + state_ + "'";
        [[maybe_unused]] int rc = std::system(cmd.c_str());
    }
    own_moto(const own_moto&) = delete;
    own_moto& operator=(const own_moto&) = delete;
    const std::string& endpoint() const { return endpoint_; }

private:
    static inline int count_ = 0;
    std::string state_, endpoint_;
};

struct temporary_key {
    std::string id, secret, token;
};

// `n` sets of STS AssumeRole credentials from a moto started with
// INITIAL_NO_AUTH_ACTION_COUNT = 6 (tests/support/moto_sts_credentials.py).
std::vector<temporary_key> assume_role(const std::string& endpoint, int n) {
    std::string cmd = "python3 " + ddb_test::source_dir() +
                      "/tests/support/moto_sts_credentials.py '" + endpoint + "' " +
                      std::to_string(n);
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p)
        throw std::runtime_error("cannot run moto_sts_credentials.py");
    std::vector<temporary_key> keys;
    std::string out;
    char buf[4096];
    while (std::size_t got = std::fread(buf, 1, sizeof buf, p))
        out.append(buf, got);
    std::istringstream in(out);
    temporary_key k;
    while (in >> k.id >> k.secret >> k.token)
        keys.push_back(k);
    if (::pclose(p) != 0 || static_cast<int>(keys.size()) != n)
        throw std::runtime_error("moto_sts_credentials.py failed");
    return keys;
}

struct figures {
    std::atomic<long> operations{0}, acknowledged{0}, unacknowledged{0}, conflicts{0};
    std::atomic<long> calls{0}, retries{0};
    std::mutex mutex;
    std::set<std::pair<int, int>> acked, unacked;
    std::map<std::string, long> failures; // error of an operation that gave up
};

struct outcome {
    long stored = 0, lost = 0, duplicates = 0, unacked_twice = 0, unacked_stored = 0;
    bool versions_contiguous = true, global_ascending = true, global_complete = true;
};

// Reads everything back through a fresh client talking to the server
// directly, and compares with what the writers were told.
outcome verify(const std::string& server, credentials_provider_ptr credentials,
               const store_config& cfg, figures& f, int aggregates) {
    asio::io_context ioc;
    auto direct_cfg = ddb::test::config_for(server);
    if (credentials)
        direct_cfg.credentials = std::move(credentials);
    client direct(ioc.get_executor(), direct_cfg);
    dynamodb_event_repository events(direct, cfg);
    outcome o;
    std::map<std::pair<int, int>, int> seen;
    std::size_t total = 0;
    for (int a = 0; a < aggregates; ++a) {
        auto list = ddb::test::complete(ioc, [&]() -> awaitable<std::vector<stored_event>> {
            std::vector<stored_event> out;
            auto gen = events.retrieve_all("aggregate-" + std::to_string(a));
            while (auto e = co_await gen.next())
                out.push_back(std::move(*e));
            co_return out;
        });
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (list[i].aggregate_version != static_cast<std::int64_t>(i + 1))
                o.versions_contiguous = false;
            auto& p = list[i].event_properties.as_object();
            ++seen[{static_cast<int>(p.at("writer").as_int64()),
                    static_cast<int>(p.at("seq").as_int64())}];
        }
        total += list.size();
    }
    auto all = ddb::test::complete(ioc, [&]() -> awaitable<std::vector<stored_event>> {
        std::vector<stored_event> out;
        auto gen = events.retrieve_all();
        while (auto e = co_await gen.next())
            out.push_back(std::move(*e));
        co_return out;
    });
    for (std::size_t i = 1; i < all.size(); ++i)
        if (all[i].id <= all[i - 1].id)
            o.global_ascending = false;
    o.global_complete = all.size() == total;
    o.stored = static_cast<long>(total);
    for (auto& [key, n] : seen) {
        bool acked = f.acked.count(key) != 0;
        if (acked && n > 1)
            o.duplicates += n - 1;
        if (!acked) {
            ++o.unacked_stored;
            if (n > 1)
                ++o.unacked_twice;
        }
    }
    for (auto& key : f.acked)
        if (!seen.count(key))
            ++o.lost;
    return o;
}

struct run_options {
    std::string server;                   // where the proxy forwards
    credentials_provider_ptr credentials; // default: the tests' static ones
    // moto answers one request at a time and copies the table per
    // transaction: with 16 writers queued a sound request can take ~1 s.
    milliseconds attempt_timeout{env_or("DDB_CHAOS_ATTEMPT_TIMEOUT_MS", 2000L)};
};

struct run_result {
    figures f;
    std::map<std::string, std::size_t> by_kind;
    std::size_t requests = 0, injected = 0;
    outcome o;
    double seconds = 0;
    std::vector<std::string> key_ids;
};

// 16 writers on a 2-thread io_context, two per aggregate, each appending
// `events` events one persist at a time through retry_on_conflict.
void run_chaos(const run_options& opt, run_result& r) {
    constexpr int writers = 16, aggregates = 8;
    const int events = static_cast<int>(env_or("DDB_CHAOS_EVENTS", 12L));
    const double rate = env_or("DDB_CHAOS_RATE", 0.25);
    const auto seed = static_cast<std::uint64_t>(env_or("DDB_CHAOS_SEED", 7L));

    test::fault_proxy proxy(opt.server);
    asio::io_context ioc(2);
    auto cfg = ddb::test::config_for(proxy.endpoint());
    if (opt.credentials)
        cfg.credentials = opt.credentials;
    cfg.attempt_timeout = opt.attempt_timeout;
    cfg.retry->max_attempts = 8;
    // Backoff long enough to outlast a refused-connection window (30 ms).
    cfg.retry->base_delay = milliseconds(env_or("DDB_CHAOS_BASE_DELAY_MS", 20L));
    figures& f = r.f;
    cfg.hooks.on_call = [&f](const call_metrics& m) {
        ++f.calls;
        f.retries += static_cast<long>(m.attempts.size()) - 1;
    };
    client c(ioc.get_executor(), cfg);
    store_config sc;
    sc.events_table = ddb::test::unique_table("chaos-events");
    sc.snapshots_table = ddb::test::unique_table("chaos-snapshots");
    sc.checkpoints_table = ddb::test::unique_table("chaos-checkpoints");
    ddb::test::complete(ioc, [&]() -> awaitable<void> { co_await create_tables(c, sc); });
    dynamodb_event_repository events_repo(c, sc);
    event_registry registry;
    registry.add<appended>("chaos.appended");
    repositories repos(events_repo, registry);

    proxy.inject_randomly(rate, seed, test::fault::all_kinds(opt.attempt_timeout));
    auto start = std::chrono::steady_clock::now();
    auto writer = [&](int w) -> awaitable<void> {
        std::string uuid = "aggregate-" + std::to_string(w % aggregates);
        for (int seq = 0; seq < events; ++seq) {
            ++f.operations;
            int tries = 0;
            try {
                auto command = [&](tally& t) {
                    ++tries;
                    t.add(w, seq);
                };
                co_await retry_on_conflict<tally>(repos, uuid, command, 100);
                ++f.acknowledged;
                std::lock_guard lock(f.mutex);
                f.acked.insert({w, seq});
            } catch (const ddb::error& e) {
                ++f.unacknowledged;
                std::lock_guard lock(f.mutex);
                f.unacked.insert({w, seq});
                ++f.failures[e.code().category().name() + std::string(": ") + e.code().message()];
            }
            f.conflicts += tries > 0 ? tries - 1 : 0;
        }
    };
    std::atomic<int> done{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    for (int w = 0; w < writers; ++w)
        asio::co_spawn(ioc, writer(w), [&](std::exception_ptr e) {
            if (e) {
                std::lock_guard lock(failure_mutex);
                failure = e;
            }
            ++done;
        });
    std::thread second([&] { ioc.run(); });
    ioc.run();
    second.join();
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    proxy.stop_injecting();
    if (failure)
        std::rethrow_exception(failure); // an untyped error: a bug
    REQUIRE(done == writers);
    r.by_kind = proxy.injected_by_name();
    r.requests = proxy.requests();
    r.injected = proxy.faults_injected();
    r.key_ids = proxy.access_key_ids();
    r.o = verify(opt.server, opt.credentials, sc, f, aggregates);
    ioc.restart();
    ddb::test::complete(ioc, [&]() -> awaitable<void> { co_await delete_tables(c, sc); });
}

void print(const char* title, const run_result& r) {
    std::ostringstream out;
    out << "== chaos: " << title << " (" << r.seconds << " s)\n"
        << "operations " << r.f.operations << ", acknowledged " << r.f.acknowledged << ", gave up "
        << r.f.unacknowledged << "\n"
        << "requests through the proxy " << r.requests << ", faults injected " << r.injected << " ("
        << (r.requests ? 100.0 * static_cast<double>(r.injected) / static_cast<double>(r.requests)
                       : 0)
        << " %)\n";
    for (auto& [kind, n] : r.by_kind)
        out << "  " << kind << ": " << n << "\n";
    out << "client calls " << r.f.calls << ", retries " << r.f.retries << ", conflicts "
        << r.f.conflicts << "\n";
    for (auto& [what, n] : r.f.failures)
        out << "  gave up (" << what << "): " << n << "\n";
    out << "stored " << r.o.stored << " (unacknowledged but stored " << r.o.unacked_stored
        << "), lost " << r.o.lost << ", duplicated " << r.o.duplicates
        << ", unacknowledged stored twice " << r.o.unacked_twice << "\n"
        << "versions contiguous " << (r.o.versions_contiguous ? "yes" : "NO")
        << ", global order ascending " << (r.o.global_ascending ? "yes" : "NO") << ", complete "
        << (r.o.global_complete ? "yes" : "NO") << "\n";
    std::cout << out.str() << std::flush;
}

void check(const run_result& r) {
    const long min_per_kind = env_or("DDB_CHAOS_MIN_PER_KIND", 2L);
    CHECK(r.o.lost == 0);
    CHECK(r.o.duplicates == 0);
    CHECK(r.o.unacked_twice == 0);
    CHECK(r.o.versions_contiguous);
    CHECK(r.o.global_ascending);
    CHECK(r.o.global_complete);
    CHECK(r.f.acknowledged + r.f.unacknowledged == r.f.operations);
    // Every kind was injected.
    for (auto& k : test::fault::all_kinds(milliseconds(0))) {
        INFO(k.name);
        CHECK(r.by_kind.count(k.name));
        if (r.by_kind.count(k.name))
            CHECK(static_cast<long>(r.by_kind.at(k.name)) >= min_per_kind);
    }
    CHECK(static_cast<double>(r.injected) >= 0.2 * static_cast<double>(r.requests));
}

} // namespace chaos

using namespace chaos;

TEST_CASE("chaos: every fault kind at >= 20 % of requests loses and duplicates nothing",
          "[chaos]") {
    own_moto moto;
    run_result r;
    run_options opt;
    opt.server = moto.endpoint();
    run_chaos(opt, r);
    print("static credentials", r);
    check(r);
}

TEST_CASE("chaos: the same with container credentials refreshed mid-run and checked by moto",
          "[chaos]") {
    constexpr int key_count = 4;
    own_moto moto(6);
    auto keys = assume_role(moto.endpoint(), key_count);

    // The container-credentials endpoint hands out the keys in turn, each
    // expiring 3 s past the cache's refresh window.
    std::atomic<int> handed{0};
    test::http_test_server endpoint([&](const test::test_request&) {
        auto& k = keys[static_cast<std::size_t>(handed++ % key_count)];
        auto expires = std::chrono::system_clock::now() + std::chrono::seconds(30 + 3);
        auto t = std::chrono::system_clock::to_time_t(expires);
        char when[32];
        std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
        return test::make_response(200, R"({"AccessKeyId":")" + k.id + R"(","SecretAccessKey":")" +
                                            k.secret + R"(","Token":")" + k.token +
                                            R"(","Expiration":")" + when + R"("})");
    });
    // The provider reads the variable at every fetch.
    struct env_guard {
        explicit env_guard(const std::string& url) {
            ::setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url.c_str(), 1);
        }
        ~env_guard() { ::unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"); }
    } env(endpoint.url() + "/creds");
    caching_provider::options cache;
    cache.refresh_before = std::chrono::seconds(30);
    auto provider =
        std::make_shared<caching_provider>(std::make_shared<container_provider>(), cache);

    run_result r;
    run_options opt;
    opt.server = moto.endpoint();
    opt.credentials = provider;
    run_chaos(opt, r);
    print("container credentials refreshed mid-run, IAM auth on", r);
    std::cout << "credential refreshes " << provider->refreshes() << ", access keys seen "
              << r.key_ids.size() << "\n";
    check(r);
    CHECK(provider->refreshes() >= 2);
    CHECK(r.key_ids.size() >= 2);
    // Authentication never failed: no operation gave up on a signature error.
    for (auto& [what, n] : r.f.failures) {
        INFO(what);
        CHECK(what.find("Signature") == std::string::npos);
        CHECK(what.find("security token") == std::string::npos);
    }
}
