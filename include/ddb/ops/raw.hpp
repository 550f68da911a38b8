// ddb — the JSON forms of the ops helpers, for code that speaks DynamoDB JSON.
//
// The typed forms (<ddb/ops/paginator.hpp>, <ddb/ops/table_waiter.hpp> and
// the client's typed operations) are ddb's API. The functions here do the
// same with requests and answers as DynamoDB JSON, for JSON-level code
// built on `client::call`: same paging, prefetch, cancellation, errors and
// deadlines as their typed namesakes. They live in `ddb::raw` so that a call
// says which family it uses, and `using namespace ddb` brings in one family.
// The paginators return `ddb::generator`s (their steps: `next()` and
// `async_next(token)`, cancellation in <ddb/ops/generator.hpp>); the other
// helpers have `async_` forms for any completion token (docs/asio.md). All
// use a handle sharing the client's state (`client::share()`) once started.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/client/request_token.hpp>
#include <ddb/ops/detail/async.hpp>
#include <ddb/ops/generator.hpp>
#include <ddb/value/item.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace ddb::raw {

/// \name Paginators over JSON (typed: <ddb/ops/paginator.hpp>)
/// @{

/// The answers of `operation`, page after page: sends `request`, yields the
/// answer, and while the answer has `token_out` sends it again with that
/// value as `token_in`. `prefetch` pages are fetched ahead of the consumer.
/// Errors of a call are thrown by `next()` after the pages before it.
generator<boost::json::object> paginate(client& c, std::string operation,
                                        boost::json::object request, std::string token_in,
                                        std::string token_out, std::size_t prefetch = 1);

/// Query / Scan pages (ExclusiveStartKey / LastEvaluatedKey).
generator<boost::json::object> query_pages(client& c, boost::json::object request,
                                           std::size_t prefetch = 1);
generator<boost::json::object> scan_pages(client& c, boost::json::object request,
                                          std::size_t prefetch = 1);

/// Query / Scan items, decoded, across all pages.
generator<item> query_items(client& c, boost::json::object request, std::size_t prefetch = 1);
generator<item> scan_items(client& c, boost::json::object request, std::size_t prefetch = 1);

/// A parallel Scan: `segments` segments (Segment / TotalSegments) scanned at
/// once, their pages merged in arrival order. If one segment fails, the
/// others are cancelled and the error is thrown by `next()`.
generator<boost::json::object> parallel_scan_pages(client& c, boost::json::object request,
                                                   int segments, std::size_t prefetch = 1);

/// Every table name (ListTables, ExclusiveStartTableName / LastEvaluatedTableName).
generator<std::string> table_names(client& c, boost::json::object request = {});
/// @}

/** TransactWriteItems of `actions` (Put, Update, Delete, ConditionCheck, as
    DynamoDB JSON), all or nothing, at most 100 actions; returns the answer.
    (Typed: `client::transact_write_items`.)

    `client_request_token` makes the call idempotent: DynamoDB applies a
    token once within 10 minutes, so the client's own retries can never
    apply the transaction twice. Random (`random_request_token()`) by
    default; pass your own to be idempotent across your retries too.

    @throws transaction_canceled with one reason per action (and the item,
            when ReturnValuesOnConditionCheckFailure asked for it);
            value_error(request_too_large) for 0 or more than 100 actions.

    Cancellation: terminal and partial abort the call (`operation_aborted`):
    the transaction may or may not have applied (all or nothing; sending it
    again with the same token within 10 minutes applies it at most once);
    total is ignored by `async_transact_write` (it completes). */
boost::asio::awaitable<boost::json::object>
transact_write(client& c, boost::json::array actions,
               std::optional<std::string> client_request_token = {});

/// `ddb::wait_until_table_active` (<ddb/ops/table_waiter.hpp>) returning the
/// table description as DynamoDB JSON (DescribeTable's `Table`).
/// Cancellation: terminal, partial and total (a read).
boost::asio::awaitable<boost::json::object>
wait_until_table_active(client& c, std::string table,
                        std::chrono::milliseconds deadline = std::chrono::minutes(5),
                        std::chrono::milliseconds poll = std::chrono::milliseconds(500));

/// \name Asynchronous forms
/// `transact_write` (`void(error_code, json::object)`; a random token when
/// none is given) and `wait_until_table_active` (`void(error_code,
/// json::object)`) for any completion token; the overloads taking a
/// `diagnostics&` keep the exception there.
/// @{
template <class Token = detail::ops_default_token>
auto async_transact_write(client& c, boost::json::array actions,
                          std::optional<std::string> client_request_token,
                          Token&& token = detail::ops_default_token()) {
    return detail::ops_run<boost::json::object>(
        c,
        [a = std::move(actions), t = std::move(client_request_token)](client& cl) mutable {
            return raw::transact_write(cl, std::move(a), std::move(t));
        },
        nullptr, cancellation_support::terminal_partial, std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
auto async_transact_write(client& c, boost::json::array actions,
                          std::optional<std::string> client_request_token, diagnostics& diag,
                          Token&& token = detail::ops_default_token()) {
    return detail::ops_run<boost::json::object>(
        c,
        [a = std::move(actions), t = std::move(client_request_token)](client& cl) mutable {
            return raw::transact_write(cl, std::move(a), std::move(t));
        },
        &diag, cancellation_support::terminal_partial, std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
requires detail::completion_token_arg<Token, std::optional<std::string>>
auto async_transact_write(client& c, boost::json::array actions,
                          Token&& token = detail::ops_default_token()) {
    return raw::async_transact_write(c, std::move(actions), std::nullopt,
                                     std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
auto async_transact_write(client& c, boost::json::array actions, diagnostics& diag,
                          Token&& token = detail::ops_default_token()) {
    return raw::async_transact_write(c, std::move(actions), std::nullopt, diag,
                                     std::forward<Token>(token));
}

template <class Token = detail::ops_default_token>
auto async_wait_until_table_active(client& c, std::string table, std::chrono::milliseconds deadline,
                                   std::chrono::milliseconds poll,
                                   Token&& token = detail::ops_default_token()) {
    return detail::ops_run<boost::json::object>(
        c,
        [t = std::move(table), deadline, poll](client& cl) mutable {
            return raw::wait_until_table_active(cl, std::move(t), deadline, poll);
        },
        nullptr, cancellation_support::all, std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
auto async_wait_until_table_active(client& c, std::string table, std::chrono::milliseconds deadline,
                                   std::chrono::milliseconds poll, diagnostics& diag,
                                   Token&& token = detail::ops_default_token()) {
    return detail::ops_run<boost::json::object>(
        c,
        [t = std::move(table), deadline, poll](client& cl) mutable {
            return raw::wait_until_table_active(cl, std::move(t), deadline, poll);
        },
        &diag, cancellation_support::all, std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
requires detail::completion_token_arg<Token, std::chrono::milliseconds>
auto async_wait_until_table_active(client& c, std::string table,
                                   Token&& token = detail::ops_default_token()) {
    return raw::async_wait_until_table_active(c, std::move(table), std::chrono::minutes(5),
                                              std::chrono::milliseconds(500),
                                              std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
auto async_wait_until_table_active(client& c, std::string table, diagnostics& diag,
                                   Token&& token = detail::ops_default_token()) {
    return raw::async_wait_until_table_active(c, std::move(table), std::chrono::minutes(5),
                                              std::chrono::milliseconds(500), diag,
                                              std::forward<Token>(token));
}
/// @}

} // namespace ddb::raw
