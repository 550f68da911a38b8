// ddb — the DynamoDB client.
#pragma once

#include <ddb/aws/endpoint.hpp>
#include <ddb/client/config.hpp>
#include <ddb/client/errors.hpp>
#include <ddb/http/transport.hpp>
#include <ddb/model.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace ddb {

/// A DynamoDB client: signs, sends through its transport (pooled keep-alive
/// connections unless `client_config::transport` says otherwise), checks,
/// classifies and retries every request, on the executor it is given.
///
/// Thread safety: all members may be called concurrently from coroutines on
/// several threads of one io_context. The client must outlive its calls.
class client {
public:
    /// Resolves region, endpoint and credentials from `config` and the
    /// environment. Throws `config_error` for a missing region or a bad URL.
    explicit client(boost::asio::any_io_executor ex, client_config config = {});
    ~client();
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

        Per-operation cancellation: terminal, partial and total. Cancelling
        stops the attempt in progress (its connection is closed, not pooled)
        or the backoff wait; no further attempt is made.

        The answer's DOM is allocated from a `boost::json::monotonic_resource`
        of its own (sized from the response), which the returned value and
        every value sharing its storage keep alive: parsing costs no
        allocation per string or object, and freeing it none per node. Memory
        given back by changes to the answer is reused only once the last of
        those values is gone; copy into default storage
        (`boost::json::value(answer, {})`) what you keep and change for long.
    */
    boost::asio::awaitable<boost::json::value> call(std::string_view operation,
                                                    const boost::json::value& request);

    /// The same with a request already serialized to JSON. The answer's DOM
    /// is allocated from `sp`: pass a `boost::json::monotonic_resource` that
    /// outlives the answer to decode a response without per-node frees (the
    /// typed operations do).
    boost::asio::awaitable<boost::json::value> call_json(std::string_view operation,
                                                         std::string_view request_json,
                                                         boost::json::storage_ptr sp = {});

    /// \name Typed operations
    /// Each encodes the request, calls `call_json` (same signing, retries,
    /// timeouts, cancellation and errors) and decodes the answer from a
    /// per-response arena. A 200 answer without a required field throws
    /// `malformed_response` naming the field. Table names (and table ARNs)
    /// are checked before sending: `value_error(invalid_table_name)`. The
    /// request is read when the operation is awaited: keep it alive until then.
    ///
    /// GCC 12 destroys an aggregate temporary built inside a `co_await`
    /// operand twice (`co_await c.get_item({.table_name = ...})` corrupts
    /// memory). Build requests as named variables; clang and GCC 13 are fine.
    /// @{
    boost::asio::awaitable<get_item_response> get_item(const get_item_request& request);
    boost::asio::awaitable<put_item_response> put_item(const put_item_request& request);
    boost::asio::awaitable<update_item_response> update_item(const update_item_request& request);
    boost::asio::awaitable<delete_item_response> delete_item(const delete_item_request& request);
    /// One page; see `query_pages` / `query_items` for all of them.
    boost::asio::awaitable<query_response> query(const query_request& request);
    boost::asio::awaitable<scan_response> scan(const scan_request& request);
    /// One call, unprocessed keys returned; `batch_get` re-drives them.
    boost::asio::awaitable<batch_get_item_response>
    batch_get_item(const batch_get_item_request& request);
    /// One call, unprocessed items returned; `batch_write` re-drives them.
    boost::asio::awaitable<batch_write_item_response>
    batch_write_item(const batch_write_item_request& request);
    boost::asio::awaitable<transact_get_items_response>
    transact_get_items(const transact_get_items_request& request);
    /// Without a `client_request_token` a random one is used for the call
    /// and all its retries. 1 to 100 actions of at most 4 MB of items
    /// (`max_transaction_size`), else `value_error(request_too_large)`
    /// before sending. Throws `transaction_canceled` with per-action reasons.
    boost::asio::awaitable<transact_write_items_response>
    transact_write_items(transact_write_items_request request);
    boost::asio::awaitable<create_table_response> create_table(const create_table_request& request);
    boost::asio::awaitable<describe_table_response>
    describe_table(const describe_table_request& request);
    boost::asio::awaitable<describe_table_response> describe_table(std::string_view table_name);
    boost::asio::awaitable<update_table_response> update_table(const update_table_request& request);
    boost::asio::awaitable<delete_table_response> delete_table(const delete_table_request& request);
    boost::asio::awaitable<delete_table_response> delete_table(std::string_view table_name);
    /// One page; see `table_names` for all of them.
    boost::asio::awaitable<list_tables_response>
    list_tables(const list_tables_request& request = {});
    boost::asio::awaitable<update_time_to_live_response>
    update_time_to_live(const update_time_to_live_request& request);
    boost::asio::awaitable<describe_time_to_live_response>
    describe_time_to_live(const describe_time_to_live_request& request);
    boost::asio::awaitable<describe_time_to_live_response>
    describe_time_to_live(std::string_view table_name);
    /// @}

    using executor_type = boost::asio::any_io_executor;
    /// The executor the client was built with; its operations run there.
    executor_type get_executor() const noexcept;
    /// The same (the name before `get_executor`).
    const boost::asio::any_io_executor& executor() const noexcept;
    const std::string& region() const noexcept;
    const ddb::endpoint& endpoint() const noexcept;
    /// The connection pool counters of this client's endpoint (zeros for a
    /// transport without pools).
    http::pool_stats pool_stats() const;
    /// The retry policy (quota state) shared by this client's calls.
    const retry_policy& retries() const noexcept;

    struct state;

private:
    std::shared_ptr<state> state_;
};

/// The spelling used in the issues and the AWS SDK docs.
using Client = client;

} // namespace ddb
