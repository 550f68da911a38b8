#include "lease_balance.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <stdexcept>

namespace ddb::es::detail {

fair_share share_of(std::size_t items, const std::vector<std::string>& live,
                    const std::string& me) {
    const std::size_t workers = std::max<std::size_t>(
        1, live.size() + (std::count(live.begin(), live.end(), me) == 0 ? 1 : 0));
    return {(items + workers - 1) / workers, items / workers};
}

bool someone_starved(const std::vector<std::string>& live, const std::string& me, std::size_t least,
                     const std::vector<std::string>& holders) {
    std::map<std::string, std::size_t> held;
    for (const auto& w : live)
        held[w] = 0;
    for (const auto& h : holders)
        if (auto it = held.find(h); it != held.end())
            ++it->second;
    for (const auto& [w, n] : held)
        if (w != me && n < least)
            return true;
    return false;
}

std::size_t leases_to_keep(std::size_t active, const fair_share& share, bool starved) {
    if (starved && active > share.least)
        return active - 1;
    return share.fair;
}

std::size_t start_offset(const std::string& owner, std::size_t items) {
    return items == 0 ? 0 : std::hash<std::string>{}(owner) % items;
}

boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
    co_await t.async_wait(boost::asio::use_awaitable);
}

std::string what_of(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "unknown exception";
    }
}

} // namespace ddb::es::detail
