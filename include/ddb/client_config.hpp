// ddb — how a client is set up.
#pragma once

#include <ddb/credentials/provider.hpp>
#include <ddb/http/options.hpp>
#include <ddb/metrics.hpp>
#include <ddb/retry_policy.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace ddb {

/// Everything a `client` needs; every field has a default taken from the
/// environment as the AWS SDKs do.
struct client_config {
    /// Region; default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
    std::optional<std::string> region;
    /// Endpoint URL; default: AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL,
    /// then https://dynamodb.<region>.amazonaws.com.
    std::optional<std::string> endpoint;
    /// Credentials; default: `make_default_credentials_chain()` (environment,
    /// profile files, container, instance metadata), cached.
    credentials_provider_ptr credentials;
    /// Retries; default: standard mode, adjusted by AWS_MAX_ATTEMPTS / AWS_RETRY_MODE.
    std::optional<retry_config> retry;
    /// Time for one attempt (connect, send, receive).
    std::chrono::milliseconds attempt_timeout{10000};
    /// Time for a whole call, retries and backoff included; none by default.
    std::optional<std::chrono::milliseconds> call_timeout;
    /// Connection pool and TLS settings.
    http::pool_options pool;
    /// Appended to ddb's own User-Agent (CR, LF or NUL: `config_error`).
    std::string user_agent_suffix;
    /// Metrics and debug log observers.
    client_hooks hooks;
};

} // namespace ddb
