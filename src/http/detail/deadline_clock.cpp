#include "deadline_clock.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ddb::http::detail {

namespace asio = boost::asio;

deadline_clock::deadline_clock(const asio::any_io_executor& ex)
    : strand_(asio::make_strand(ex))
    , sentinel_(strand_) {}

deadline_clock::clock_type::time_point deadline_clock::on_grid(clock_type::time_point t) {
    auto step = std::chrono::duration_cast<clock_type::duration>(grid_step).count();
    auto ticks = t.time_since_epoch().count();
    if (ticks > clock_type::duration::max().count() - step)
        return clock_type::time_point::max(); // "never" (or as good as)
    return clock_type::time_point(clock_type::duration((ticks + step - 1) / step * step));
}

deadline_clock::clock_type::time_point deadline_clock::timeout_at(clock_type::time_point deadline) {
    if (!sentinel_running_.exchange(true, std::memory_order_acq_rel))
        asio::co_spawn(strand_, run_sentinel(shared_from_this()), asio::detached);
    return deadline == clock_type::time_point::max() ? deadline : on_grid(deadline);
}

void deadline_clock::stop() {
    // On its strand; the sentinel holds the clock until it ends.
    asio::post(strand_, [self = shared_from_this()] { self->sentinel_.cancel(); });
}

asio::awaitable<void> deadline_clock::run_sentinel(std::shared_ptr<deadline_clock> self) {
    for (;;) {
        self->sentinel_.expires_at(on_grid(clock_type::now() + std::chrono::milliseconds(1)));
        auto [ec] = co_await self->sentinel_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec)
            break;
        // Nothing in flight: stop (so io_context::run() can return) until
        // the next request starts it again.
        if (self->in_flight_.load(std::memory_order_acquire) == 0)
            break;
    }
    self->sentinel_running_.store(false, std::memory_order_release);
}

} // namespace ddb::http::detail
