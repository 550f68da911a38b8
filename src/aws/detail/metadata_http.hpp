// ddb — private: small HTTP requests to credential endpoints (container,
// instance metadata), and the credentials JSON they answer with.
#pragma once

#include <ddb/aws/endpoint.hpp>
#include <ddb/credentials/credentials.hpp>
#include <ddb/http/transport.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ddb::detail {

/// Small HTTP exchanges with a credential endpoint. One per fetch: it lives
/// on the fetching coroutine's executor and ends with the fetch, so a
/// provider works from any io_context. Requests of one fetch share a
/// keep-alive connection.
class metadata_client {
public:
    /// `tls` applies to https endpoints (STS, SSO); without it, the system
    /// CA store with verification on. (Two constructors, not a default
    /// argument: GCC 12 destroys a default argument's temporary twice when
    /// the call also has a co_await, as `metadata_client m(co_await
    /// this_coro::executor, t)` does.)
    metadata_client(boost::asio::any_io_executor ex, std::chrono::milliseconds timeout);
    metadata_client(boost::asio::any_io_executor ex, std::chrono::milliseconds timeout,
                    http::tls_options tls);

    /// One request; throws http::transport_error when no response came.
    boost::asio::awaitable<http::response>
    request(const ddb::endpoint& ep, boost::beast::http::verb method, std::string_view target,
            const std::vector<std::pair<std::string, std::string>>& headers);

    /// The same with a request body (STS's form-encoded POST); Content-Length
    /// is set from it, the caller sets Content-Type in `headers`.
    boost::asio::awaitable<http::response>
    request(const ddb::endpoint& ep, boost::beast::http::verb method, std::string_view target,
            const std::vector<std::pair<std::string, std::string>>& headers, std::string body);
    /// The same with a body (`content_type`: its Content-Type), e.g. a JSON
    /// POST to SSO OIDC.
    boost::asio::awaitable<http::response>
    request(const ddb::endpoint& ep, boost::beast::http::verb method, std::string_view target,
            const std::vector<std::pair<std::string, std::string>>& headers, std::string body,
            std::string_view content_type);

private:
    std::chrono::milliseconds timeout_;
    http::pooled_transport transport_;
};

/// Waits before try `attempt` (2, 3, ...) of a credential endpoint:
/// `first`, doubling per try, at most `first` << `max_doublings`.
boost::asio::awaitable<void> pause_before_attempt(int attempt, std::chrono::milliseconds first,
                                                  int max_doublings);

/// Parses {"AccessKeyId", "SecretAccessKey", "Token", "Expiration",
/// "AccountId" (optional)}; throws
/// credentials_error(malformed) naming what is missing (never a value).
credentials parse_credentials_json(std::string_view body, std::string source);

/// Parses an ISO 8601 UTC time ("2026-11-27T05:00:00Z", fractions and
/// "+00:00" accepted). Hand-written: no Boost or standard parser in C++20
/// reads this format portably.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

} // namespace ddb::detail
