// ddb — the client-side rate limiter of the "adaptive" retry mode.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <mutex>

namespace ddb {

/// Sends no faster than the service has recently accepted, once it has
/// throttled: a token bucket whose fill rate follows CUBIC (cut to 70 % of
/// the measured send rate on each throttle, then growing back along a cubic
/// curve). Constants and structure follow botocore's retries/adaptive.py,
/// throttling.py and bucket.py: beta 0.7, scale 0.4, smoothing 0.8, rate
/// buckets of 0.5 s, minimum fill rate 0.5/s, fill rate at most 2x the
/// measured rate.
///
/// Waiting for a token suspends the coroutine on a timer; no thread sleeps.
/// Thread safety: all members may be called concurrently.
class rate_limiter {
public:
    using clock_fn = std::function<double()>; ///< seconds, monotonic

    explicit rate_limiter(clock_fn now = nullptr);

    /// Waits until a request may be sent (immediately until the first throttle).
    boost::asio::awaitable<void> acquire();

    /// How long a request would wait now, without taking a token (tests).
    double wait_seconds();

    /// Records an answer: `throttled` when it was a throttling error.
    void record(bool throttled);

    /// Current fill rate in requests per second (0 while not yet enabled).
    double fill_rate() const;
    bool enabled() const;

private:
    double take_token(double now); // seconds to wait; 0 = token taken
    void refill(double now);
    void set_fill_rate(double rate, double now);

    clock_fn now_;
    mutable std::mutex mutex_;
    bool enabled_ = false;
    // token bucket
    double fill_rate_ = 0, max_capacity_ = 1, capacity_ = 0, last_refill_ = -1;
    // measured send rate
    double measured_rate_ = 0, last_bucket_ = 0;
    double count_ = 0;
    // CUBIC
    double w_max_ = 0, k_ = 0, last_fail_ = 0;
};

} // namespace ddb
