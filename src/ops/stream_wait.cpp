// The stream readers' waits (src/ops/detail/stream_wait.hpp).
#include "detail/stream_wait.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace ddb::detail {

namespace asio = boost::asio;
using std::chrono::milliseconds;

milliseconds throttle_delay(const stream_reader_options& o, int count) noexcept {
    const int doublings = std::clamp(count - 1, 0, 30);
    const double grown =
        static_cast<double>(o.throttle_backoff.count()) * static_cast<double>(1LL << doublings);
    return milliseconds(static_cast<milliseconds::rep>(
        std::min(grown, static_cast<double>(o.max_backoff.count()))));
}

milliseconds idle_delay(const stream_reader_options& o) noexcept {
    const int per_minute = std::max(o.max_idle_requests_per_minute, 1);
    const milliseconds floor_per_request((60000 + per_minute - 1) / per_minute);
    return std::max(o.idle_interval, floor_per_request);
}

asio::awaitable<void> stream_wait_for(const stream_reader_options& o, std::string_view shard_id,
                                      stream_wait_reason why, milliseconds delay, int count) {
    if (o.on_wait)
        o.on_wait(stream_wait{shard_id, why, delay, count});
    asio::steady_timer t(co_await asio::this_coro::executor, delay);
    co_await t.async_wait(asio::use_awaitable);
}

} // namespace ddb::detail
