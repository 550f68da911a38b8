// ddb — waiting for a table to be ACTIVE or gone.
//
// Short forms (`co_await wait_until_table_active(c, "t")`, throw) and
// asynchronous forms (`async_wait_until_table_active(c, "t", token)`,
// `void(error_code, T)`; docs/asio.md). Both use a handle sharing the
// client's state (`client::share()`) once started.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/ops/detail/async.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>

namespace ddb {

/// Thrown when a waiter's deadline passes. Code: `std::errc::timed_out`.
/// Thread safety: distinct objects: safe. Shared objects: safe (const).
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
/// (<ddb/ops/raw.hpp>). Cancellation: terminal, partial and total (a read):
/// `operation_aborted`, the DescribeTable in flight or the wait aborted.
boost::asio::awaitable<table_description>
wait_until_table_active(client& c, std::string table,
                        std::chrono::milliseconds deadline = std::chrono::minutes(5),
                        std::chrono::milliseconds poll = std::chrono::milliseconds(500));

/// Polls DescribeTable until it answers ResourceNotFound. Throws
/// `waiter_timeout` after `deadline`. Same rules for `deadline` and `poll`.
/// Cancellation: terminal, partial and total, as above.
boost::asio::awaitable<void>
wait_until_table_gone(client& c, std::string table,
                      std::chrono::milliseconds deadline = std::chrono::minutes(5),
                      std::chrono::milliseconds poll = std::chrono::milliseconds(500));

/// \name Asynchronous forms
/// For any completion token: `void(error_code, table_description)` and
/// `void(error_code)`; the overloads taking a `diagnostics&` keep the
/// exception there. Default deadline and poll: 5 minutes, 500 ms.
/// @{
template <class Token = detail::ops_default_token>
auto async_wait_until_table_active(client& c, std::string table, std::chrono::milliseconds deadline,
                                   std::chrono::milliseconds poll,
                                   Token&& token = detail::ops_default_token()) {
    return detail::ops_run<table_description>(
        c,
        [t = std::move(table), deadline, poll](client& cl) mutable {
            return wait_until_table_active(cl, std::move(t), deadline, poll);
        },
        nullptr, cancellation_support::all, std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
auto async_wait_until_table_active(client& c, std::string table, std::chrono::milliseconds deadline,
                                   std::chrono::milliseconds poll, diagnostics& diag,
                                   Token&& token = detail::ops_default_token()) {
    return detail::ops_run<table_description>(
        c,
        [t = std::move(table), deadline, poll](client& cl) mutable {
            return wait_until_table_active(cl, std::move(t), deadline, poll);
        },
        &diag, cancellation_support::all, std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
requires detail::completion_token_arg<Token, std::chrono::milliseconds>
auto async_wait_until_table_active(client& c, std::string table,
                                   Token&& token = detail::ops_default_token()) {
    return async_wait_until_table_active(c, std::move(table), std::chrono::minutes(5),
                                         std::chrono::milliseconds(500),
                                         std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
auto async_wait_until_table_active(client& c, std::string table, diagnostics& diag,
                                   Token&& token = detail::ops_default_token()) {
    return async_wait_until_table_active(c, std::move(table), std::chrono::minutes(5),
                                         std::chrono::milliseconds(500), diag,
                                         std::forward<Token>(token));
}

template <class Token = detail::ops_default_token>
auto async_wait_until_table_gone(client& c, std::string table, std::chrono::milliseconds deadline,
                                 std::chrono::milliseconds poll,
                                 Token&& token = detail::ops_default_token()) {
    return detail::ops_run<void>(
        c,
        [t = std::move(table), deadline, poll](client& cl) mutable {
            return wait_until_table_gone(cl, std::move(t), deadline, poll);
        },
        nullptr, cancellation_support::all, std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
auto async_wait_until_table_gone(client& c, std::string table, std::chrono::milliseconds deadline,
                                 std::chrono::milliseconds poll, diagnostics& diag,
                                 Token&& token = detail::ops_default_token()) {
    return detail::ops_run<void>(
        c,
        [t = std::move(table), deadline, poll](client& cl) mutable {
            return wait_until_table_gone(cl, std::move(t), deadline, poll);
        },
        &diag, cancellation_support::all, std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
requires detail::completion_token_arg<Token, std::chrono::milliseconds>
auto async_wait_until_table_gone(client& c, std::string table,
                                 Token&& token = detail::ops_default_token()) {
    return async_wait_until_table_gone(c, std::move(table), std::chrono::minutes(5),
                                       std::chrono::milliseconds(500), std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
auto async_wait_until_table_gone(client& c, std::string table, diagnostics& diag,
                                 Token&& token = detail::ops_default_token()) {
    return async_wait_until_table_gone(c, std::move(table), std::chrono::minutes(5),
                                       std::chrono::milliseconds(500), diag,
                                       std::forward<Token>(token));
}
/// @}

} // namespace ddb
