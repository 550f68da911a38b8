#include <ddb/client/rate_limiter.hpp>
#include <ddb/core/saturating_time.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cmath>

namespace ddb {

namespace {
constexpr double beta = 0.7;            // CUBIC multiplicative decrease
constexpr double scale = 0.4;           // CUBIC scale constant
constexpr double smoothing = 0.8;       // weight of the newest rate sample
constexpr double bucket_range = 0.5;    // seconds per rate sample
constexpr double min_fill_rate = 0.5;   // requests per second
constexpr double max_rate_adjust = 2.0; // fill rate <= 2x measured rate

double steady_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
} // namespace

rate_limiter::rate_limiter(clock_fn now)
    : now_(now ? std::move(now) : clock_fn(steady_seconds)) {
    double t = now_();
    last_bucket_ = std::floor(t);
    last_fail_ = t;
    fill_rate_ = 1;
    max_capacity_ = 1;
}

void rate_limiter::refill(double now) {
    if (last_refill_ < 0) {
        last_refill_ = now;
        return;
    }
    capacity_ = std::min(max_capacity_, capacity_ + (now - last_refill_) * fill_rate_);
    last_refill_ = now;
}

void rate_limiter::set_fill_rate(double rate, double now) {
    refill(now);
    fill_rate_ = std::max(rate, min_fill_rate);
    max_capacity_ = rate >= 1 ? rate : 1;
    capacity_ = std::min(capacity_, max_capacity_);
}

double rate_limiter::take_token(double now) {
    std::lock_guard lock(mutex_);
    if (!enabled_)
        return 0;
    refill(now);
    if (capacity_ >= 1) {
        capacity_ -= 1;
        return 0;
    }
    return (1 - capacity_) / fill_rate_;
}

double rate_limiter::wait_seconds() {
    std::lock_guard lock(mutex_);
    if (!enabled_)
        return 0;
    refill(now_());
    return capacity_ >= 1 ? 0 : (1 - capacity_) / fill_rate_;
}

boost::asio::awaitable<void> rate_limiter::acquire() {
    for (;;) {
        double wait = take_token(now_());
        if (wait <= 0)
            co_return;
        boost::asio::steady_timer timer(
            co_await boost::asio::this_coro::executor,
            // (A clock given by the caller may yield anything: saturate.)
            detail::saturating_cast<std::chrono::steady_clock::duration>(
                std::chrono::duration<double>(wait)));
        co_await timer.async_wait(boost::asio::use_awaitable);
    }
}

void rate_limiter::record(bool throttled) {
    double now = now_();
    std::lock_guard lock(mutex_);
    // Measured send rate, sampled in buckets of 0.5 s.
    double bucket = std::floor(now / bucket_range) * bucket_range;
    count_ += 1;
    if (bucket > last_bucket_) {
        double current = count_ / (bucket - last_bucket_);
        measured_rate_ = current * smoothing + measured_rate_ * (1 - smoothing);
        count_ = 0;
        last_bucket_ = bucket;
    }
    double new_rate;
    if (!throttled) {
        new_rate = scale * std::pow(now - last_fail_ - k_, 3) + w_max_;
    } else {
        double rate = enabled_ ? std::min(measured_rate_, fill_rate_) : measured_rate_;
        w_max_ = rate;
        k_ = std::cbrt(w_max_ * (1 - beta) / scale);
        last_fail_ = now;
        new_rate = rate * beta;
        enabled_ = true;
    }
    set_fill_rate(std::min(new_rate, max_rate_adjust * measured_rate_), now);
}

double rate_limiter::fill_rate() const {
    std::lock_guard lock(mutex_);
    return enabled_ ? fill_rate_ : 0;
}

bool rate_limiter::enabled() const {
    std::lock_guard lock(mutex_);
    return enabled_;
}

} // namespace ddb
