// ddb — the DynamoDB Streams client: the change records of tables with a
// stream (StreamSpecification), read shard by shard.
#pragma once

#include <ddb/aws/endpoint.hpp>
#include <ddb/client/config.hpp>
#include <ddb/client/errors.hpp>
#include <ddb/core/async_run.hpp>
#include <ddb/core/errc.hpp>
#include <ddb/http/pool_stats.hpp>
#include <ddb/model/get_records_page.hpp>
#include <ddb/model/streams.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <string>

namespace ddb {

class retry_policy;
namespace detail {
struct client_state; // src/client/detail/state.hpp
}

/** A DynamoDB Streams client (ListStreams, DescribeStream,
    GetShardIterator, GetRecords).

    It is `ddb::client`'s machinery for another service: the same send path
    (signing with SigV4 for service "dynamodb", the credentials chain,
    retries with the jittered backoff and retry quota, the adaptive rate
    limiter, the pooled transport or `client_config::transport`, the
    attempt/call hooks and metrics, typed errors), with X-Amz-Target
    `DynamoDBStreams_20120810.<operation>` and its own endpoint: the
    `client_config::endpoint` given, else AWS_ENDPOINT_URL_DYNAMODB_STREAMS,
    AWS_ENDPOINT_URL, the profile's `dynamodb_streams` services entry or
    `endpoint_url`, else `streams.dynamodb.<region>.amazonaws.com` with the
    FIPS / dual-stack forms (`resolve_dynamodb_streams_endpoint`). Streams
    has no account-based endpoints (`account_id_endpoint_mode` is ignored).

    Errors (<ddb/client/errors.hpp>): `expired_iterator` (an iterator older
    than 15 minutes; `ddb::errc::expired_iterator`), `trimmed_data_access`
    (records past the 24-hour retention; `ddb::errc::trimmed_data_access`),
    `limit_exceeded` (more than two readers on a shard: a throttling error,
    retried by the retry policy before it is thrown;
    `ddb::errc::throttled`), `resource_not_found` (an unknown stream ARN or
    shard; `ddb::errc::not_found`), and every error `client::call` has.

    Every operation has the short form (`co_await s.get_records(r)`, which
    throws the typed exception) and `async_<name>(request[, diag], token)`
    for any completion token, completing with `void(error_code, Response)`
    (docs/asio.md). All four operations are reads: terminal, partial and
    total cancellation stop the attempt in progress or the backoff wait.

    Thread safety: distinct objects: safe. Shared objects: safe: all members
    may be called concurrently from threads running the client's
    io_context. Calls in flight keep the internals alive: the client may be
    moved or destroyed while they run. A moved-from client may only be
    assigned or destroyed.
*/
class streams_client {
public:
    using executor_type = boost::asio::any_io_executor;
    using default_token = boost::asio::default_completion_token_t<executor_type>;

    /// Resolves region, endpoint and credentials from `config` and the
    /// environment as `client` does. Throws `config_error` for a missing
    /// region, a bad URL or settings that do not go together.
    explicit streams_client(executor_type ex, client_config config = {});
    ~streams_client();
    streams_client(streams_client&&) noexcept;
    streams_client& operator=(streams_client&&) noexcept;
    streams_client(const streams_client&) = delete;
    streams_client& operator=(const streams_client&) = delete;

    /// Calls a Streams operation with a JSON request; returns the JSON
    /// answer (as `client::call`, with the Streams target prefix).
    boost::asio::awaitable<boost::json::value> call(std::string operation,
                                                    const boost::json::value& request);

    /// \name Typed operations
    /// A 200 answer without a required field throws `malformed_response`
    /// naming the field ("GetRecords answer: Records[3].dynamodb.SequenceNumber:
    /// missing").
    /// @{
    /// One page of streams; `list_streams` (<ddb/ops/streams.hpp>) reads all.
    boost::asio::awaitable<list_streams_response> list_streams(list_streams_request request = {});
    /// The stream and one page of its shards; `stream_shards` reads all.
    boost::asio::awaitable<describe_stream_response>
    describe_stream(describe_stream_request request);
    boost::asio::awaitable<get_shard_iterator_response>
    get_shard_iterator(get_shard_iterator_request request);
    /// Up to 1,000 records (1 MB) after the iterator, in order, and the
    /// next iterator. A page may be empty while records follow.
    boost::asio::awaitable<get_records_response> get_records(get_records_request request);
    /// GetRecords as `get_records` does it, the answer kept as a page of
    /// views (`ddb::get_records_page`: one arena per page instead of about
    /// 55 allocations per record): the fast path for readers that handle
    /// records in place. The same records (`to_record()`) and errors.
    boost::asio::awaitable<ddb::get_records_page> get_records_page(get_records_request request);
    /// @}

    /// \name Asynchronous forms
    /// @{
#define DDB_STREAMS_ASYNC(name, Request, Response)                                                 \
    template <class Token = default_token>                                                         \
    auto async_##name(Request request, Token&& token = default_token()) {                          \
        return start<Response>(                                                                    \
            [r = std::move(request)](streams_client& c) mutable { return c.name(std::move(r)); },  \
            nullptr, std::forward<Token>(token));                                                  \
    }                                                                                              \
    template <class Token = default_token>                                                         \
    auto async_##name(Request request, diagnostics& diag, Token&& token = default_token()) {       \
        return start<Response>(                                                                    \
            [r = std::move(request)](streams_client& c) mutable { return c.name(std::move(r)); },  \
            &diag, std::forward<Token>(token));                                                    \
    }
    DDB_STREAMS_ASYNC(list_streams, list_streams_request, list_streams_response)
    DDB_STREAMS_ASYNC(describe_stream, describe_stream_request, describe_stream_response)
    DDB_STREAMS_ASYNC(get_shard_iterator, get_shard_iterator_request, get_shard_iterator_response)
    DDB_STREAMS_ASYNC(get_records, get_records_request, get_records_response)
    DDB_STREAMS_ASYNC(get_records_page, get_records_request, ddb::get_records_page)
#undef DDB_STREAMS_ASYNC
    /// @}

    /// Another handle on this client: the same connections, credentials,
    /// retry quota and settings (for paginators and readers that outlive
    /// the caller's object).
    streams_client share() const noexcept {
        return streams_client(state_);
    }

    /// The executor the client was built with; its operations run there.
    executor_type get_executor() const noexcept;
    const std::string& region() const noexcept;
    /// The Streams endpoint resolved at construction.
    const ddb::endpoint& endpoint() const noexcept;
    const credentials_provider_ptr& credential_source() const noexcept;
    /// "regional https://streams.dynamodb.us-east-1.amazonaws.com",
    /// "configured http://localhost:8000 (AWS_ENDPOINT_URL_DYNAMODB_STREAMS)".
    std::string describe_endpoint() const;
    http::pool_stats pool_stats() const;
    const retry_policy& retries() const noexcept;

private:
    explicit streams_client(std::shared_ptr<detail::client_state> st) noexcept;
    template <class T, class Fn, class Token>
    auto start(Fn fn, diagnostics* diag, Token&& token) const {
        return detail::async_run<T>(
            get_executor(),
            [st = state_, fn = std::move(fn)]() mutable {
                streams_client c(st);
                return fn(c);
            },
            diag, cancellation_support::all, std::forward<Token>(token));
    }

    std::shared_ptr<detail::client_state> state_;
};

} // namespace ddb
