// ddb — the DynamoDB client.
#pragma once

#include <ddb/aws/endpoint.hpp>
#include <ddb/client/config.hpp>
#include <ddb/client/errors.hpp>
#include <ddb/core/async_run.hpp>
#include <ddb/core/errc.hpp>
#include <ddb/http/error.hpp>
#include <ddb/http/pool_stats.hpp>
#include <ddb/model.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace ddb {

class table; // <ddb/ops/table.hpp>
namespace detail {
struct client_state; // src/client/detail/state.hpp
}

/// A DynamoDB client: signs, sends through its transport (pooled keep-alive
/// connections unless `client_config::transport` says otherwise), checks,
/// classifies and retries every request, on the executor it is given.
///
/// Every operation has two forms (docs/asio.md):
/// - the short form, `co_await c.get_item(request)`: an `asio::awaitable`
///   that throws the typed exception (`conditional_check_failed`, ...);
/// - `c.async_get_item(request, token)`: an Asio asynchronous operation for
///   any completion token, completing with `void(error_code, T)`; the
///   overload taking a `diagnostics&` keeps the typed exception there.
/// Requests are taken by value: an operation owns what it sends.
///
/// Thread safety: distinct objects: safe. Shared objects: safe: all members
/// may be called concurrently from any number of threads running the
/// client's io_context. Calls in flight keep the client's internals alive:
/// the client may be moved or destroyed while they run (the executor must
/// keep running them). A moved-from client may only be assigned or destroyed.
class client {
public:
    using executor_type = boost::asio::any_io_executor;
    /// With Boost 1.81 `any_io_executor` has no default token (none is
    /// given when the token is left out; pass one).
    using default_token = boost::asio::default_completion_token_t<executor_type>;

    /// Resolves region, endpoint and credentials from `config` and the
    /// environment. Throws `config_error` for a missing region or a bad URL.
    explicit client(executor_type ex, client_config config = {});
    ~client();
    client(client&&) noexcept;
    client& operator=(client&&) noexcept;
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /** Calls a DynamoDB operation with a JSON request; returns the JSON answer.

        Signs (`x-amz-target: DynamoDB_20120810.<operation>`), sends, checks
        the response's CRC32, and retries per the retry policy (throttling,
        5xx, transient network errors, CRC mismatches; ExpiredToken refreshes
        the credentials once). Honours the attempt and call timeouts.

        @throws value_error(invalid_utf8), before sending, for a request
                that is not valid UTF-8 (a string the JSON cannot carry);
                sigv4::signing_error for credentials with CR or LF;
                service_error (a subclass per DynamoDB error type) for an
                error answer (`unexpected_response` for one that is not
                DynamoDB JSON); http::protocol_error for a response that
                fails its CRC32 or a 200 body that is not a JSON object or
                nests deeper than `max_response_depth`;
                http::transport_error when no answer came;
                credentials_error; `system_error(operation_aborted)` when cancelled.

        Cancellation (per operation, docs/asio.md): terminal and partial stop
        the attempt in progress (its connection is closed, not pooled) or the
        backoff wait, and no further attempt is made: a write's outcome is
        then unknown. Total cancellation is honoured by reads (GetItem, Query,
        Scan, BatchGetItem, TransactGetItems, Describe*, List*) and ignored
        by the async form of writes (the call completes as if not
        cancelled). The short form passes what the awaiting coroutine's
        cancellation state lets through (terminal only by default).

        The answer's DOM is allocated from a `boost::json::monotonic_resource`
        of its own (sized from the response), which the returned value and
        every value sharing its storage keep alive: parsing costs no
        allocation per string or object, and freeing it none per node. Memory
        given back by changes to the answer is reused only once the last of
        those values is gone; copy into default storage
        (`boost::json::value(answer, {})`) what you keep and change for long.
    */
    boost::asio::awaitable<boost::json::value> call(std::string operation,
                                                    const boost::json::value& request);

    /// The same with a request already serialized to JSON. The answer's DOM
    /// is allocated from `sp`: pass a `boost::json::monotonic_resource` that
    /// outlives the answer to decode a response without per-node frees (the
    /// typed operations do).
    boost::asio::awaitable<boost::json::value>
    call_json(std::string operation, std::string request_json, boost::json::storage_ptr sp = {});

    /// \name Typed operations
    /// Each encodes the request, calls `call_json` (same signing, retries,
    /// timeouts, cancellation and errors) and decodes the answer from a
    /// per-response arena. A 200 answer without a required field throws
    /// `malformed_response` naming the field. Table names (and table ARNs)
    /// are checked before sending: `value_error(invalid_table_name)`.
    /// Requests are taken by value (move them in to save a copy).
    ///
    /// The one-line forms that are safe with GCC 12 are the table view's
    /// (`client.table("t").get(ddb::key("pk", "a"))`, <ddb/ops/table.hpp>);
    /// a braced request inside a `co_await` operand is not (README, "GCC 12").
    /// @{
    boost::asio::awaitable<get_item_response> get_item(get_item_request request);
    boost::asio::awaitable<put_item_response> put_item(put_item_request request);
    boost::asio::awaitable<update_item_response> update_item(update_item_request request);
    boost::asio::awaitable<delete_item_response> delete_item(delete_item_request request);
    /// One page; see `query_pages` / `query_items` for all of them.
    boost::asio::awaitable<query_response> query(query_request request);
    boost::asio::awaitable<scan_response> scan(scan_request request);
    /// One call, unprocessed keys returned; `batch_get` re-drives them.
    boost::asio::awaitable<batch_get_item_response> batch_get_item(batch_get_item_request request);
    /// One call, unprocessed items returned; `batch_write` re-drives them.
    boost::asio::awaitable<batch_write_item_response>
    batch_write_item(batch_write_item_request request);
    boost::asio::awaitable<transact_get_items_response>
    transact_get_items(transact_get_items_request request);
    /// Without a `client_request_token` a random one is used for the call
    /// and all its retries. 1 to 100 actions of at most 4 MB of items
    /// (`max_transaction_size`), else `value_error(request_too_large)`
    /// before sending. Throws `transaction_canceled` with per-action reasons.
    boost::asio::awaitable<transact_write_items_response>
    transact_write_items(transact_write_items_request request);
    boost::asio::awaitable<create_table_response> create_table(create_table_request request);
    boost::asio::awaitable<describe_table_response> describe_table(describe_table_request request);
    boost::asio::awaitable<describe_table_response> describe_table(std::string table_name);
    boost::asio::awaitable<update_table_response> update_table(update_table_request request);
    boost::asio::awaitable<delete_table_response> delete_table(delete_table_request request);
    boost::asio::awaitable<delete_table_response> delete_table(std::string table_name);
    /// One page; see `table_names` for all of them.
    boost::asio::awaitable<list_tables_response> list_tables(list_tables_request request = {});
    boost::asio::awaitable<update_time_to_live_response>
    update_time_to_live(update_time_to_live_request request);
    boost::asio::awaitable<describe_time_to_live_response>
    describe_time_to_live(describe_time_to_live_request request);
    boost::asio::awaitable<describe_time_to_live_response>
    describe_time_to_live(std::string table_name);
    /// @}

    /** \name Asynchronous forms
        `async_<name>(request, token)` and `async_<name>(request, diag, token)`
        for each operation above, with the same request type: an Asio
        asynchronous operation for any completion token, completing with
        `void(error_code, Response)` on the handler's associated executor. A
        failure's code is the typed exception's `code()` (compare with
        `ddb::errc`, <ddb/core/errc.hpp>); `diag` receives the exception
        itself. `use_awaitable` turns a failure into `system_error` with that
        code (the short form throws the typed exception).

        Cancellation through the handler's slot: reads (get_item, query,
        scan, batch_get_item, transact_get_items, describe_*, list_tables)
        honour terminal, partial and total; writes honour terminal and
        partial (the write may have applied) and ignore total.
    */
    /// @{
#define DDB_CLIENT_ASYNC(name, Request, Response, support)                                         \
    template <class Token = default_token>                                                         \
    auto async_##name(Request request, Token&& token = default_token()) {                          \
        return start<Response>(                                                                    \
            [r = std::move(request)](client& c) mutable { return c.name(std::move(r)); }, nullptr, \
            cancellation_support::support, std::forward<Token>(token));                            \
    }                                                                                              \
    template <class Token = default_token>                                                         \
    auto async_##name(Request request, diagnostics& diag, Token&& token = default_token()) {       \
        return start<Response>(                                                                    \
            [r = std::move(request)](client& c) mutable { return c.name(std::move(r)); }, &diag,   \
            cancellation_support::support, std::forward<Token>(token));                            \
    }
    DDB_CLIENT_ASYNC(get_item, get_item_request, get_item_response, all)
    DDB_CLIENT_ASYNC(put_item, put_item_request, put_item_response, terminal_partial)
    DDB_CLIENT_ASYNC(update_item, update_item_request, update_item_response, terminal_partial)
    DDB_CLIENT_ASYNC(delete_item, delete_item_request, delete_item_response, terminal_partial)
    DDB_CLIENT_ASYNC(query, query_request, query_response, all)
    DDB_CLIENT_ASYNC(scan, scan_request, scan_response, all)
    DDB_CLIENT_ASYNC(batch_get_item, batch_get_item_request, batch_get_item_response, all)
    DDB_CLIENT_ASYNC(batch_write_item, batch_write_item_request, batch_write_item_response,
                     terminal_partial)
    DDB_CLIENT_ASYNC(transact_get_items, transact_get_items_request, transact_get_items_response,
                     all)
    DDB_CLIENT_ASYNC(transact_write_items, transact_write_items_request,
                     transact_write_items_response, terminal_partial)
    DDB_CLIENT_ASYNC(create_table, create_table_request, create_table_response, terminal_partial)
    DDB_CLIENT_ASYNC(describe_table, describe_table_request, describe_table_response, all)
    DDB_CLIENT_ASYNC(describe_table, std::string, describe_table_response, all)
    DDB_CLIENT_ASYNC(update_table, update_table_request, update_table_response, terminal_partial)
    DDB_CLIENT_ASYNC(delete_table, delete_table_request, delete_table_response, terminal_partial)
    DDB_CLIENT_ASYNC(delete_table, std::string, delete_table_response, terminal_partial)
    DDB_CLIENT_ASYNC(list_tables, list_tables_request, list_tables_response, all)
    DDB_CLIENT_ASYNC(update_time_to_live, update_time_to_live_request, update_time_to_live_response,
                     terminal_partial)
    DDB_CLIENT_ASYNC(describe_time_to_live, describe_time_to_live_request,
                     describe_time_to_live_response, all)
    DDB_CLIENT_ASYNC(describe_time_to_live, std::string, describe_time_to_live_response, all)
#undef DDB_CLIENT_ASYNC

    /// `call` as an asynchronous operation: `void(error_code, json::value)`.
    /// Cancellation as `cancellation_of(operation)` says.
    template <class Token = default_token>
    auto async_call(std::string operation, boost::json::value request,
                    Token&& token = default_token()) {
        auto support = cancellation_of(operation);
        return start<boost::json::value>(
            [op = std::move(operation), r = std::move(request)](client& c) mutable {
                return c.call(std::move(op), r);
            },
            nullptr, support, std::forward<Token>(token));
    }
    template <class Token = default_token>
    auto async_call(std::string operation, boost::json::value request, diagnostics& diag,
                    Token&& token = default_token()) {
        auto support = cancellation_of(operation);
        return start<boost::json::value>(
            [op = std::move(operation), r = std::move(request)](client& c) mutable {
                return c.call(std::move(op), r);
            },
            &diag, support, std::forward<Token>(token));
    }
    /// @}

    /// What cancellation an operation honours: `all` for the reads named
    /// above, `terminal_partial` for every other operation (PartiQL
    /// statements included: they may write).
    static cancellation_support cancellation_of(std::string_view operation) noexcept;

    /// Another handle on this client: the same connections, credentials,
    /// retry quota and settings. For objects that go on using a client
    /// whatever happens to the caller's (paginators, the table view,
    /// repositories).
    client share() const noexcept {
        return client(state_);
    }

    /// A view of one table for the common calls in one statement
    /// (<ddb/ops/table.hpp>; include it to use this).
    ddb::table table(std::string name);

    /// The executor the client was built with; its operations run there.
    executor_type get_executor() const noexcept;
    /// The same (the name before `get_executor`).
    const boost::asio::any_io_executor& executor() const noexcept;
    const std::string& region() const noexcept;
    /// The endpoint resolved at construction: the configured URL, else the
    /// regional (FIPS, dual-stack, local) one. With account-based endpoints
    /// calls go to their credentials' account endpoint instead
    /// (`describe_endpoint()`).
    const ddb::endpoint& endpoint() const noexcept;
    /// The credentials provider in use (the configured one or the default
    /// chain); `credential_source()->describe()` says which source served.
    const credentials_provider_ptr& credential_source() const noexcept;
    /// Which endpoint form calls use, for logs and people (no secret):
    /// "account-based https://123456789012.ddb.us-east-1.amazonaws.com
    /// (account from credentials: environment)", "regional
    /// https://dynamodb.us-east-1.amazonaws.com (account-based once
    /// credentials with an account id are used)", "configured
    /// http://localhost:8000 (AWS_ENDPOINT_URL_DYNAMODB)", "FIPS
    /// https://dynamodb-fips.us-east-1.amazonaws.com (AWS_USE_FIPS_ENDPOINT)",
    /// "local http://localhost:8000 (region local)". Account-based: the
    /// account of the last call's credentials.
    std::string describe_endpoint() const;
    /// The connection pool counters of this client's endpoint (the last
    /// account endpoint used, with account-based endpoints; zeros for a
    /// transport without pools).
    http::pool_stats pool_stats() const;
    /// The retry policy (quota state) shared by this client's calls.
    const retry_policy& retries() const noexcept;

private:
    friend class table;
    explicit client(std::shared_ptr<detail::client_state> st) noexcept;
    // Runs `fn(client&)`'s awaitable as an asynchronous operation, on a
    // handle that shares this client's state (so the operation does not
    // depend on this object staying where it is).
    template <class T, class Fn, class Token>
    auto start(Fn fn, diagnostics* diag, cancellation_support support, Token&& token) const {
        return detail::async_run<T>(
            get_executor(),
            [st = state_, fn = std::move(fn)]() mutable {
                client c(st);
                return fn(c);
            },
            diag, support, std::forward<Token>(token));
    }

    std::shared_ptr<detail::client_state> state_;
};

/// The spelling used in the issues and the AWS SDK docs.
using Client = client;

} // namespace ddb
