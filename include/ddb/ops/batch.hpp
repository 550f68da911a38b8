// ddb — batch writes and reads of any size, with re-drive of unprocessed items.
//
// Each helper has a short form (`co_await batch_write(c, writes)`, throws)
// and an asynchronous form (`async_batch_write(c, writes, token)`,
// completing with `void(error_code, result)`; docs/asio.md). Both use a
// handle sharing the client's state (`client::share()`) once started: the
// caller's client object may be moved or destroyed while they run (the
// short form needs it when it is awaited). The types here are plain values:
// distinct objects: safe; shared objects: unsafe (as for any standard
// container).
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/ops/detail/async.hpp>
#include <ddb/value/item.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ddb {

/// One write of a batch: a put of `data` (a whole item) or a delete of the
/// item whose key is `data`.
struct write_request {
    enum kind_t { put, del };
    std::string table;
    kind_t kind = put;
    item data;

    static write_request put_item(std::string table, item it) {
        return {std::move(table), put, std::move(it)};
    }
    static write_request delete_item(std::string table, item key) {
        return {std::move(table), del, std::move(key)};
    }
};

/// A key to read in a batch.
struct get_request {
    std::string table;
    item key;
};

/// How long and how fast to re-drive unprocessed items.
struct batch_options {
    /// Give up re-driving after this long; what is left is reported.
    std::chrono::milliseconds deadline{60000};
    /// Backoff between re-drives: `jittered_backoff(base_delay, max_delay, n,
    /// random())` before the n-th re-drive in a row (from 0), the client's
    /// retry backoff (<ddb/client/retry_policy.hpp>).
    std::chrono::milliseconds base_delay{50};
    std::chrono::milliseconds max_delay{5000};
    /// Uniform random numbers in [0, 1) (outside: clamped); injectable for
    /// tests. Default: `default_jitter`.
    std::function<double()> random;
    /// ConsistentRead for batch_get.
    bool consistent_read = false;
};

/// A request that could not be done, and why.
template <class Request>
struct batch_failure {
    Request request;
    std::string reason; ///< the error, or "unprocessed at the deadline"
};

struct batch_write_result {
    std::size_t written = 0;                          ///< requests DynamoDB accepted
    std::vector<batch_failure<write_request>> failed; ///< everything else, precisely
    int calls = 0;                                    ///< BatchWriteItem calls made
    int redrives = 0;                                 ///< calls that re-sent unprocessed items
    bool ok() const noexcept { return failed.empty(); }
};

struct batch_get_result {
    std::map<std::string, std::vector<item>> items; ///< per table, in no particular order
    std::vector<batch_failure<get_request>> failed;
    int calls = 0;
    int redrives = 0;
    bool ok() const noexcept { return failed.empty(); }
};

/** Writes any number of puts and deletes.

    Splits them into BatchWriteItem calls of at most 25 requests and 16 MB,
    re-sends `UnprocessedItems` with backoff until all are written or the
    deadline passes, and reports each request that was not written with the
    reason. A call that fails as a whole (after the client's own retries)
    fails its requests, and the others go on.

    @throws value_error before anything is sent when two requests address the
            same key of the same table (the key attributes of put items are
            read from DescribeTable, once per table).

    Cancellation: terminal and partial stop it (`operation_aborted`, no
    result): what the calls before wrote stays written, the call in flight
    may or may not have applied (read back to know), nothing more is sent;
    total is ignored by `async_batch_write` (it completes). The short form
    passes what the awaiting coroutine lets through (terminal by default).
*/
boost::asio::awaitable<batch_write_result>
batch_write(client& c, std::vector<write_request> requests, batch_options options = {});

/** Reads any number of keys: BatchGetItem calls of at most 100 keys and
    16 MB of answers, re-driving `UnprocessedKeys` like `batch_write`.
    @throws value_error before anything is sent for a duplicate key.
    Cancellation: terminal, partial and total: `operation_aborted`, the call
    in flight aborted, no result (nothing is written). */
boost::asio::awaitable<batch_get_result> batch_get(client& c, std::vector<get_request> keys,
                                                   batch_options options = {});

/// \name Asynchronous forms
/// `batch_write` / `batch_get` for any completion token: `void(error_code,
/// batch_write_result)` / `void(error_code, batch_get_result)`; the
/// overloads taking a `diagnostics&` keep the exception there. Cancellation
/// as above: writes terminal and partial, reads all three.
/// @{
template <class Token = detail::ops_default_token>
requires detail::completion_token_arg<Token, batch_options>
auto async_batch_write(client& c, std::vector<write_request> requests,
                       Token&& token = detail::ops_default_token()) {
    return detail::ops_run<batch_write_result>(
        c, [r = std::move(requests)](client& cl) mutable { return batch_write(cl, std::move(r)); },
        nullptr, cancellation_support::terminal_partial, std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
auto async_batch_write(client& c, std::vector<write_request> requests, diagnostics& diag,
                       Token&& token = detail::ops_default_token()) {
    return detail::ops_run<batch_write_result>(
        c, [r = std::move(requests)](client& cl) mutable { return batch_write(cl, std::move(r)); },
        &diag, cancellation_support::terminal_partial, std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
auto async_batch_write(client& c, std::vector<write_request> requests, batch_options options,
                       Token&& token = detail::ops_default_token()) {
    return detail::ops_run<batch_write_result>(
        c,
        [r = std::move(requests), o = std::move(options)](client& cl) mutable {
            return batch_write(cl, std::move(r), std::move(o));
        },
        nullptr, cancellation_support::terminal_partial, std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
auto async_batch_write(client& c, std::vector<write_request> requests, batch_options options,
                       diagnostics& diag, Token&& token = detail::ops_default_token()) {
    return detail::ops_run<batch_write_result>(
        c,
        [r = std::move(requests), o = std::move(options)](client& cl) mutable {
            return batch_write(cl, std::move(r), std::move(o));
        },
        &diag, cancellation_support::terminal_partial, std::forward<Token>(token));
}

template <class Token = detail::ops_default_token>
requires detail::completion_token_arg<Token, batch_options>
auto async_batch_get(client& c, std::vector<get_request> keys,
                     Token&& token = detail::ops_default_token()) {
    return detail::ops_run<batch_get_result>(
        c, [k = std::move(keys)](client& cl) mutable { return batch_get(cl, std::move(k)); },
        nullptr, cancellation_support::all, std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
auto async_batch_get(client& c, std::vector<get_request> keys, diagnostics& diag,
                     Token&& token = detail::ops_default_token()) {
    return detail::ops_run<batch_get_result>(
        c, [k = std::move(keys)](client& cl) mutable { return batch_get(cl, std::move(k)); }, &diag,
        cancellation_support::all, std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
auto async_batch_get(client& c, std::vector<get_request> keys, batch_options options,
                     Token&& token = detail::ops_default_token()) {
    return detail::ops_run<batch_get_result>(
        c,
        [k = std::move(keys), o = std::move(options)](client& cl) mutable {
            return batch_get(cl, std::move(k), std::move(o));
        },
        nullptr, cancellation_support::all, std::forward<Token>(token));
}
template <class Token = detail::ops_default_token>
auto async_batch_get(client& c, std::vector<get_request> keys, batch_options options,
                     diagnostics& diag, Token&& token = detail::ops_default_token()) {
    return detail::ops_run<batch_get_result>(
        c,
        [k = std::move(keys), o = std::move(options)](client& cl) mutable {
            return batch_get(cl, std::move(k), std::move(o));
        },
        &diag, cancellation_support::all, std::forward<Token>(token));
}
/// @}

} // namespace ddb
