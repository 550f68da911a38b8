// Test that header file is self-contained.
#include <ddb/core/saturating_time.hpp>

#include <catch2/catch.hpp>

#include <cmath>

using namespace std::chrono;
using ddb::detail::saturating_add;
using ddb::detail::saturating_cast;

TEST_CASE("saturating_cast: exact where it fits, clamped where it does not", "[config]") {
    // The overflow it exists for: milliseconds::max() in nanoseconds.
    CHECK(saturating_cast<nanoseconds>(milliseconds::max()) == nanoseconds::max());
    CHECK(saturating_cast<nanoseconds>(milliseconds::min()) == nanoseconds::min());
    CHECK(saturating_cast<nanoseconds>(seconds::max()) == nanoseconds::max());
    CHECK(saturating_cast<nanoseconds>(hours(24 * 365 * 300)) == nanoseconds::max());
    // Exact values, both directions.
    CHECK(saturating_cast<nanoseconds>(milliseconds(1500)) == nanoseconds(1'500'000'000));
    CHECK(saturating_cast<nanoseconds>(milliseconds(-7)) == nanoseconds(-7'000'000));
    CHECK(saturating_cast<milliseconds>(nanoseconds(2'999'999)) == milliseconds(2));
    CHECK(saturating_cast<milliseconds>(nanoseconds::max()) ==
          duration_cast<milliseconds>(nanoseconds::max()));
    // The largest milliseconds that fit in nanoseconds stay exact.
    const auto edge = milliseconds(nanoseconds::max().count() / 1'000'000);
    CHECK(saturating_cast<nanoseconds>(edge) == nanoseconds(edge.count() * 1'000'000));
    CHECK(saturating_cast<nanoseconds>(edge + milliseconds(1)) == nanoseconds::max());
    // Floating point: clamped, NaN is zero.
    CHECK(saturating_cast<nanoseconds>(duration<double>(1e300)) == nanoseconds::max());
    CHECK(saturating_cast<nanoseconds>(duration<double>(-1e300)) == nanoseconds::min());
    CHECK(saturating_cast<nanoseconds>(duration<double>(0.25)) == nanoseconds(250'000'000));
    CHECK(saturating_cast<nanoseconds>(duration<double>(std::nan(""))) == nanoseconds::zero());
}

TEST_CASE("saturating_add: past the clock's range is max(), before it min()", "[config]") {
    const auto now = steady_clock::now();
    CHECK(saturating_add(now, milliseconds::max()) == steady_clock::time_point::max());
    CHECK(saturating_add(now, seconds::max()) == steady_clock::time_point::max());
    CHECK(saturating_add(now, hours(24 * 365 * 300)) == steady_clock::time_point::max());
    CHECK(saturating_add(now, milliseconds::min()) == steady_clock::time_point::min());
    const auto early = steady_clock::time_point(-hours(24 * 365 * 200));
    CHECK(saturating_add(early, -hours(24 * 365 * 100)) == steady_clock::time_point::min());
    const auto late = steady_clock::time_point(hours(24 * 365 * 200));
    CHECK(saturating_add(late, hours(24 * 365 * 100)) == steady_clock::time_point::max());
    CHECK(saturating_add(late, -hours(24 * 365 * 100)) == late - hours(24 * 365 * 100));
    CHECK(saturating_add(steady_clock::time_point::max(), milliseconds(1)) ==
          steady_clock::time_point::max());
    CHECK(saturating_add(now, milliseconds(250)) == now + milliseconds(250));
    CHECK(saturating_add(now, -milliseconds(250)) == now - milliseconds(250));
    // A long but representable timeout is kept as it is, not made "never".
    const auto decade = hours(24 * 365 * 10);
    CHECK(saturating_add(now, decade) == now + decade);
    CHECK(saturating_add(now, decade) < steady_clock::time_point::max());
    // The naive sum overflows into the past, which is what made an attempt
    // with attempt_timeout = milliseconds::max() time out at once.
    const auto system_now = system_clock::now();
    CHECK(saturating_add(system_now, -seconds::max()) == system_clock::time_point::min());
}
