#include <ddb/core/config_error.hpp>
#include <ddb/core/saturating_time.hpp>
#include <ddb/ops/raw.hpp>
#include <ddb/ops/table_waiter.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ddb {

namespace asio = boost::asio;
namespace json = boost::json;
using steady = std::chrono::steady_clock;

namespace {

bool all_active(const table_description& table) {
    if (table.table_status != table_status::active)
        return false;
    for (auto& g : table.global_secondary_indexes)
        if (g.index_status && *g.index_status != index_status::active)
            return false;
    return true;
}

bool all_active(const json::object& table) {
    if (table.at("TableStatus").as_string() != "ACTIVE")
        return false;
    if (auto* gsis = table.if_contains("GlobalSecondaryIndexes"); gsis && gsis->is_array())
        for (auto& g : gsis->as_array())
            if (auto* s = g.as_object().if_contains("IndexStatus"); s && s->as_string() != "ACTIVE")
                return false;
    return true;
}

// The waiter's deadline; throws config_error for durations that cannot work.
steady::time_point checked_deadline(const char* waiter, std::chrono::milliseconds deadline,
                                    std::chrono::milliseconds poll) {
    if (poll <= std::chrono::milliseconds::zero())
        throw config_error(config_errc::invalid_setting, std::string(waiter) +
                                                             ": poll must be > 0, got " +
                                                             std::to_string(poll.count()) + " ms");
    if (deadline < std::chrono::milliseconds::zero())
        throw config_error(config_errc::invalid_setting,
                           std::string(waiter) + ": deadline must be >= 0, got " +
                               std::to_string(deadline.count()) +
                               " ms (milliseconds::max() for no limit)");
    return detail::saturating_add(steady::now(), deadline);
}

asio::awaitable<void> sleep_until_next(steady::time_point deadline, std::chrono::milliseconds poll,
                                       const std::string& what) {
    auto next = detail::saturating_add(steady::now(), poll);
    if (next > deadline)
        throw waiter_timeout(what);
    asio::steady_timer t(co_await asio::this_coro::executor, next);
    co_await t.async_wait(asio::use_awaitable);
}

// Awaits `describe()` every `poll` until the description it returns is
// all_active; returns that description.
template <class Describe>
auto poll_until_active(const std::string& table, std::chrono::milliseconds deadline,
                       std::chrono::milliseconds poll, Describe describe)
    -> asio::awaitable<typename decltype(describe())::value_type> {
    auto until = checked_deadline("wait_until_table_active", deadline, poll);
    for (;;) {
        auto description = co_await describe();
        if (all_active(description))
            co_return description;
        co_await sleep_until_next(until, poll,
                                  "table " + table + " not ACTIVE before the deadline");
    }
}

} // namespace

asio::awaitable<table_description> wait_until_table_active(client& caller, std::string table,
                                                           std::chrono::milliseconds deadline,
                                                           std::chrono::milliseconds poll) {
    client c = caller.share(); // whatever happens to the caller's object
    auto describe = [&c, &table]() -> asio::awaitable<table_description> {
        auto answer = co_await c.describe_table(table);
        co_return std::move(answer.table);
    };
    co_return co_await poll_until_active(table, deadline, poll, describe);
}

asio::awaitable<json::object> raw::wait_until_table_active(client& caller, std::string table,
                                                           std::chrono::milliseconds deadline,
                                                           std::chrono::milliseconds poll) {
    client c = caller.share(); // whatever happens to the caller's object
    json::value req = {{"TableName", table}};
    auto describe = [&c, &req]() -> asio::awaitable<json::object> {
        auto answer = co_await c.call("DescribeTable", req);
        co_return std::move(answer.at("Table").as_object());
    };
    co_return co_await poll_until_active(table, deadline, poll, describe);
}

asio::awaitable<void> wait_until_table_gone(client& caller, std::string table,
                                            std::chrono::milliseconds deadline,
                                            std::chrono::milliseconds poll) {
    client c = caller.share(); // whatever happens to the caller's object
    auto until = checked_deadline("wait_until_table_gone", deadline, poll);
    json::value req = {{"TableName", table}};
    for (;;) {
        try {
            co_await c.call("DescribeTable", req);
        } catch (const resource_not_found&) {
            co_return;
        }
        co_await sleep_until_next(until, poll, "table " + table + " still exists at the deadline");
    }
}

} // namespace ddb
