// Test that header file is self-contained.
#include <ddb/credentials/caching_provider.hpp>

#include "../support/run.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace ddb;
namespace asio = boost::asio;
using namespace std::chrono;

namespace {

// A provider whose refresh takes `delay` on the caller's executor (a timer,
// not a sleep), numbers the credentials it hands out and can be told to fail.
class slow_provider : public credentials_provider {
public:
    explicit slow_provider(std::function<system_clock::time_point()> now)
        : now_(std::move(now)) {}
    std::atomic<int> calls{0};
    std::atomic<bool> fail{false};
    milliseconds delay{20};
    std::optional<seconds> lifetime = minutes(60);

    asio::awaitable<credentials> fetch() override {
        int n = ++calls;
        asio::steady_timer t(co_await asio::this_coro::executor, delay);
        co_await t.async_wait(asio::use_awaitable);
        if (fail)
            throw credentials_error(credentials_errc::provider_failed, "refresh failed");
        credentials c{"AKID" + std::to_string(n), "SECRET", "", {}, "slow", {}};
        if (lifetime)
            c.expiration = now_() + *lifetime;
        co_return c;
    }
    std::string name() const override { return "slow"; }

private:
    std::function<system_clock::time_point()> now_;
};

struct fake_clock {
    std::shared_ptr<std::atomic<system_clock::rep>> ticks =
        std::make_shared<std::atomic<system_clock::rep>>(
            system_clock::now().time_since_epoch().count());
    system_clock::time_point operator()() const {
        return system_clock::time_point(system_clock::duration(ticks->load()));
    }
    void advance(system_clock::duration d) const { *ticks += d.count(); }
};

} // namespace

TEST_CASE("concurrent callers share one refresh, on a 2-thread io_context", "[credentials]") {
    fake_clock clock;
    auto inner = std::make_shared<slow_provider>(clock);
    auto cache =
        std::make_shared<caching_provider>(inner, caching_provider::options{minutes(5), clock});
    asio::io_context ioc;
    std::atomic<int> done{0};
    std::atomic<int> mismatched{0};
    for (int i = 0; i < 64; ++i)
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                auto c = co_await cache->fetch();
                if (c.access_key_id != "AKID1")
                    ++mismatched;
                ++done;
            },
            asio::detached);
    std::thread second([&] { ioc.run(); });
    ioc.run();
    second.join();
    CHECK(done == 64);
    CHECK(mismatched == 0);
    CHECK(inner->calls == 1);
    CHECK(cache->refreshes() == 1);
}

TEST_CASE("waiting for a refresh does not block the only io thread", "[credentials]") {
    // The refresh needs the same single thread to fire its timer: a blocking
    // wait would deadlock; the test finishing is the proof.
    fake_clock clock;
    auto inner = std::make_shared<slow_provider>(clock);
    auto cache =
        std::make_shared<caching_provider>(inner, caching_provider::options{minutes(5), clock});
    asio::io_context ioc(1);
    int done = 0;
    for (int i = 0; i < 8; ++i)
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                co_await cache->fetch();
                ++done;
            },
            asio::detached);
    ioc.run_for(seconds(10));
    CHECK(done == 8);
    CHECK(inner->calls == 1);
}

TEST_CASE("credentials are served from the cache until the refresh window", "[credentials]") {
    fake_clock clock;
    auto inner = std::make_shared<slow_provider>(clock);
    caching_provider cache(inner, {minutes(5), clock});
    CHECK(test::run([&] { return cache.fetch(); }).access_key_id == "AKID1");
    clock.advance(minutes(54));
    CHECK(test::run([&] { return cache.fetch(); }).access_key_id == "AKID1");
    CHECK(inner->calls == 1);

    // Within 5 minutes of expiry: the old credentials come back at once and
    // one background refresh runs.
    clock.advance(minutes(2));
    CHECK(test::run([&] { return cache.fetch(); }).access_key_id == "AKID1");
    CHECK(inner->calls == 2);
    CHECK(test::run([&] { return cache.fetch(); }).access_key_id == "AKID2");
    CHECK(inner->calls == 2);

    // Expired: callers wait for the new ones.
    clock.advance(minutes(61));
    CHECK(test::run([&] { return cache.fetch(); }).access_key_id == "AKID3");
}

TEST_CASE("credentials without expiration are fetched once", "[credentials]") {
    fake_clock clock;
    auto inner = std::make_shared<slow_provider>(clock);
    inner->lifetime.reset();
    caching_provider cache(inner, {minutes(5), clock});
    for (int i = 0; i < 5; ++i) {
        clock.advance(hours(1000));
        CHECK(test::run([&] { return cache.fetch(); }).access_key_id == "AKID1");
    }
    CHECK(inner->calls == 1);
    cache.invalidate();
    CHECK(test::run([&] { return cache.fetch(); }).access_key_id == "AKID2");
}

TEST_CASE("a failed refresh reaches every waiter, and the next call tries again", "[credentials]") {
    fake_clock clock;
    auto inner = std::make_shared<slow_provider>(clock);
    inner->fail = true;
    auto cache =
        std::make_shared<caching_provider>(inner, caching_provider::options{minutes(5), clock});
    asio::io_context ioc;
    int failures = 0;
    for (int i = 0; i < 5; ++i)
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                try {
                    co_await cache->fetch();
                } catch (const credentials_error& e) {
                    if (e.code() == credentials_errc::provider_failed)
                        ++failures;
                }
            },
            asio::detached);
    ioc.run();
    CHECK(failures == 5);
    CHECK(inner->calls == 1);
    inner->fail = false;
    CHECK(test::run([&] { return cache->fetch(); }).access_key_id == "AKID2");
}

TEST_CASE("a failed background refresh keeps the still-valid credentials", "[credentials]") {
    fake_clock clock;
    auto inner = std::make_shared<slow_provider>(clock);
    caching_provider cache(inner, {minutes(5), clock});
    CHECK(test::run([&] { return cache.fetch(); }).access_key_id == "AKID1");
    clock.advance(minutes(57));
    inner->fail = true;
    CHECK(test::run([&] { return cache.fetch(); }).access_key_id ==
          "AKID1"); // starts refresh 2, fails
    CHECK(test::run([&] { return cache.fetch(); }).access_key_id ==
          "AKID1"); // starts refresh 3, fails
    CHECK(inner->calls == 3);
    inner->fail = false;
    clock.advance(minutes(4)); // expired now: must wait for a successful refresh
    CHECK(test::run([&] { return cache.fetch(); }).access_key_id == "AKID4");
}
