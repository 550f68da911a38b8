// ddb — the DynamoDB client.
#pragma once

#include <ddb/client_config.hpp>
#include <ddb/endpoint.hpp>
#include <ddb/errors.hpp>
#include <ddb/http/transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace ddb {

/// A DynamoDB client: signs, sends over pooled keep-alive connections,
/// checks, classifies and retries every request, on the executor it is given.
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

        @throws service_error (a subclass per DynamoDB error type) for an
                error answer; http::transport_error when no answer came;
                credentials_error; `system_error(operation_aborted)` when cancelled.

        Per-operation cancellation: terminal, partial and total. Cancelling
        stops the attempt in progress (its connection is closed, not pooled)
        or the backoff wait; no further attempt is made.
    */
    boost::asio::awaitable<boost::json::value> call(std::string_view operation,
                                                    const boost::json::value& request);

    /// The same with a request already serialized to JSON.
    boost::asio::awaitable<boost::json::value> call_json(std::string_view operation,
                                                         std::string_view request_json);

    /// The executor the client was built with.
    const boost::asio::any_io_executor& executor() const noexcept;
    const std::string& region() const noexcept;
    const ddb::endpoint& endpoint() const noexcept;
    /// The connection pool counters of this client's endpoint.
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
