// Internal: what the leased workers (projection_worker, stream_worker)
// share: the fair share of leases among the live workers, whether another
// worker is starved, where a worker starts looking for free leases, and two
// small coroutine helpers.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <string>
#include <vector>

namespace ddb::es::detail {

/// Of `items` leases among the `live` workers (`me` counted when absent):
/// `fair` = ceil(items / workers), the most a worker takes; `least` =
/// floor(items / workers), below which a worker is starved.
struct fair_share {
    std::size_t fair = 0;
    std::size_t least = 0;
};
fair_share share_of(std::size_t items, const std::vector<std::string>& live, const std::string& me);

/// Whether a live worker other than `me` holds fewer than `least` of the
/// valid leases, whose owners are `holders` (one entry per lease).
bool someone_starved(const std::vector<std::string>& live, const std::string& me, std::size_t least,
                     const std::vector<std::string>& holders);

/// How many leases a worker holding `active` keeps: above the fair share,
/// the extra goes back; at it, while another worker is starved, one goes.
std::size_t leases_to_keep(std::size_t active, const fair_share& share, bool starved);

/// Where `owner` starts scanning `items` leases, so that workers do not all
/// contend for the first.
std::size_t start_offset(const std::string& owner, std::size_t items);

/// Waits `d` on the current executor (cancellable).
boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds d);

/// The message of an exception.
std::string what_of(const std::exception_ptr& e);

} // namespace ddb::es::detail
