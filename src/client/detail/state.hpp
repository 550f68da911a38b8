// Internal: what a client holds, set up once by its constructor
// (src/client/client.cpp) and used by every call (src/client/send.cpp).
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/client/rate_limiter.hpp>
#include <ddb/client/retry_policy.hpp>
#include <ddb/credentials/provider.hpp>
#include <ddb/http/transport.hpp>
#include <ddb/sigv4/signing_key.hpp>

#include "endpoint_selector.hpp"
#include "service.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ddb {

class lazy_profile_set;

namespace detail {

struct client_state {
    /// Resolves everything from `c`, the environment and `files` for the
    /// service `svc`; throws config_error (or credentials_error for
    /// malformed files).
    client_state(boost::asio::any_io_executor e, client_config c, lazy_profile_set& files,
                 const service_descriptor& svc = dynamodb_descriptor());

    const service_descriptor* service;
    boost::asio::any_io_executor ex;
    client_config cfg;
    std::string region;
    /// Where each attempt goes (the base endpoint, or account-based ones).
    endpoint_selector endpoints;
    std::string user_agent;
    credentials_provider_ptr creds;
    retry_policy retries;
    std::optional<rate_limiter> limiter;
    std::shared_ptr<http::transport> transport;
    sigv4::signing_key_cache keys;

    void log(log_level level, const std::string& text) const {
        if (cfg.hooks.log)
            cfg.hooks.log(level, text);
    }
};

/// "DynamoDB_20120810.": X-Amz-Target of DynamoDB is this and the
/// operation name (`client_state::service` has the prefix of each call).
inline constexpr std::string_view target_prefix = "DynamoDB_20120810.";
inline constexpr std::string_view streams_target_prefix = "DynamoDBStreams_20120810.";
inline constexpr std::string_view json_content_type = "application/x-amz-json-1.0";

/// Whether `s` has a CR, LF or NUL (it cannot go into a header).
inline bool has_cr_lf_nul(std::string_view s) noexcept {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

/// One call through the send path (src/client/send.cpp): `request_json`,
/// or `owned_json` when that is not empty (the text a caller handed over
/// with the call), signed and sent, retried per the policy, the answer
/// checked and parsed into `sp`. With `own_arena` the answer is parsed into
/// a monotonic arena of its own, sized from the body, that the returned
/// value (and its copies) keep alive: one or two allocations in place of one
/// per string, array and object, and no per-node frees.
/// The call keeps `st` alive; `operation` is copied (the typed operations'
/// names fit the small-string buffer but for the Transact*/TimeToLive ones).
///
/// With `fast`, a checked 200 answer's body is first given to it: when it
/// returns true it has decoded the body itself (no JSON tree) and send_call
/// returns null; false: the body is parsed as above.
using body_decoder = std::function<bool(std::string_view body)>;
boost::asio::awaitable<boost::json::value>
send_call(std::shared_ptr<client_state> st, std::string operation, std::string_view request_json,
          std::string owned_json, boost::json::storage_ptr sp, bool own_arena,
          const body_decoder* fast = nullptr);

} // namespace detail

} // namespace ddb
