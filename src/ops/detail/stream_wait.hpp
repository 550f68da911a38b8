// The waits of the stream readers: the capped exponential back-off after
// throttling, the idle interval, each reported to `on_wait` first.
#pragma once

#include <ddb/ops/stream_reader.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string_view>

namespace ddb::detail {

/// The `count`-th throttled wait in a row (1: the first): throttle_backoff
/// doubled count - 1 times, at most max_backoff.
std::chrono::milliseconds throttle_delay(const stream_reader_options& o, int count) noexcept;

/// The wait after an empty page: idle_interval, at least 60 s /
/// max_idle_requests_per_minute (rounded up).
std::chrono::milliseconds idle_delay(const stream_reader_options& o) noexcept;

/// Reports the wait to `o.on_wait`, then waits (cancellable).
boost::asio::awaitable<void> stream_wait_for(const stream_reader_options& o,
                                             std::string_view shard_id, stream_wait_reason why,
                                             std::chrono::milliseconds delay, int count);

} // namespace ddb::detail
