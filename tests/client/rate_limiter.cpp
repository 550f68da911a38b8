// Test that header file is self-contained.
#include <ddb/client/rate_limiter.hpp>

#include "../support/run.hpp"

#include <catch2/catch.hpp>

using namespace ddb;

TEST_CASE("rate limiter: off until the first throttle, then CUBIC", "[retry]") {
    double now = 1000.0;
    rate_limiter limiter([&] { return now; });
    CHECK_FALSE(limiter.enabled());
    CHECK(limiter.wait_seconds() == 0);

    // 40 requests/s for 2 s, all accepted.
    for (int i = 0; i < 80; ++i) {
        now += 0.025;
        limiter.record(false);
    }
    CHECK_FALSE(limiter.enabled());

    // A throttle: the fill rate drops to 70 % of the measured rate (~40/s).
    limiter.record(true);
    CHECK(limiter.enabled());
    double after_throttle = limiter.fill_rate();
    CHECK(after_throttle == Approx(0.7 * 40).margin(6));

    // Successes let it grow back along the cubic curve.
    for (int i = 0; i < 120; ++i) {
        now += 0.05;
        limiter.record(false);
    }
    CHECK(limiter.fill_rate() > after_throttle);
    // Repeated throttles cut it further.
    limiter.record(true);
    limiter.record(true);
    CHECK(limiter.fill_rate() < after_throttle);
}

TEST_CASE("rate limiter: an empty bucket makes acquire wait on a timer", "[retry]") {
    rate_limiter limiter; // real clock
    // Throttle with no measured rate: the fill rate goes to its 0.5/s floor.
    limiter.record(true);
    REQUIRE(limiter.enabled());
    double wait = limiter.wait_seconds();
    CHECK(wait > 0);
    CHECK(wait <= 2.0);
    // The wait is a timer, not a blocked thread: it completes on an io_context.
    auto started = std::chrono::steady_clock::now();
    test::run([&]() -> boost::asio::awaitable<void> { co_await limiter.acquire(); });
    auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(took >= wait * 0.8);
    CHECK(took < wait + 1.0);
}
