// ddb — waiting for a table to be ACTIVE or gone.
#pragma once

#include <ddb/client/client.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>

namespace ddb {

/// Thrown when a waiter's deadline passes. Code: `std::errc::timed_out`.
class waiter_timeout : public ddb::error {
public:
    explicit waiter_timeout(const std::string& message)
        : ddb::error(std::make_error_code(std::errc::timed_out), message) {}
};

/// Polls DescribeTable (every `poll`) until the table and all its global
/// secondary indexes are ACTIVE; returns the table description. Throws
/// `waiter_timeout` after `deadline`, `resource_not_found` if the table does
/// not exist. `poll` must be > 0 and `deadline` >= 0 (`milliseconds::max()`:
/// no limit), else `config_error(invalid_setting)` before the first call.
/// The description as DynamoDB JSON: `raw::wait_until_table_active`
/// (<ddb/ops/raw.hpp>).
boost::asio::awaitable<table_description>
wait_until_table_active(client& c, std::string table,
                        std::chrono::milliseconds deadline = std::chrono::minutes(5),
                        std::chrono::milliseconds poll = std::chrono::milliseconds(500));

/// Polls DescribeTable until it answers ResourceNotFound. Throws
/// `waiter_timeout` after `deadline`. Same rules for `deadline` and `poll`.
boost::asio::awaitable<void>
wait_until_table_gone(client& c, std::string table,
                      std::chrono::milliseconds deadline = std::chrono::minutes(5),
                      std::chrono::milliseconds poll = std::chrono::milliseconds(500));

} // namespace ddb
