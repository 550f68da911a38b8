// ddb — how a client is set up.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/aws/endpoint_settings.hpp>
#include <ddb/client/metrics.hpp>
#include <ddb/client/retry_policy.hpp>
#include <ddb/credentials/provider.hpp>
#include <ddb/http/options.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace ddb::http {
class transport; // <ddb/http/transport.hpp>
}

namespace ddb {

/// Everything a `client` needs; every field has a default taken from the
/// environment as the AWS SDKs do.
///
/// Environment variables set to the empty string count as unset (the next
/// source is used; the client logs a warning naming the variable). The
/// shared config files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE,
/// profile AWS_PROFILE) are read only for settings left open here and in the
/// environment; a syntax error in them is `credentials_error(malformed)`
/// naming file and line (never a value), thrown by the client constructor.
///
/// Durations: `milliseconds::max()` means "no limit" (deadline arithmetic
/// saturates, so a huge value is safe too). A value that cannot work (a
/// timeout <= 0, retry->max_attempts < 1, ...; see `retry_config` and
/// `http::pool_options`) is a `config_error(invalid_setting)` from the
/// constructor naming the field and the value.
struct client_config {
    /// Region; default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
    std::optional<std::string> region;
    /// Endpoint URL; default: AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL,
    /// the profile's services section / endpoint_url, then
    /// https://dynamodb.<region>.amazonaws.com, or the FIPS, dual-stack or
    /// account-based form the next three settings choose (see
    /// `resolve_dynamodb_endpoint`; `client::describe_endpoint()` says which).
    std::optional<std::string> endpoint;
    /// FIPS endpoints (dynamodb-fips.<region>...); default:
    /// AWS_USE_FIPS_ENDPOINT, the profile's use_fips_endpoint, false.
    std::optional<bool> use_fips_endpoint;
    /// Dual-stack (IPv4 and IPv6) endpoints (dynamodb.<region>.api.aws);
    /// default: AWS_USE_DUALSTACK_ENDPOINT, the profile's
    /// use_dualstack_endpoint, false.
    std::optional<bool> use_dualstack_endpoint;
    /// Account-based endpoints (https://<account-id>.ddb.<region>.amazonaws.com,
    /// the account taken from each call's credentials); default:
    /// AWS_ACCOUNT_ID_ENDPOINT_MODE, the profile's account_id_endpoint_mode,
    /// preferred (used when the credentials carry an account id and no
    /// endpoint URL, FIPS or other partition rules it out).
    std::optional<ddb::account_id_endpoint_mode> account_id_endpoint_mode;
    /// Credentials; default: `make_default_credentials_chain()` (environment,
    /// profile files, container, instance metadata), cached.
    credentials_provider_ptr credentials;
    /// Retries; default: standard mode, adjusted by the profile's
    /// max_attempts / retry_mode, then AWS_MAX_ATTEMPTS / AWS_RETRY_MODE.
    std::optional<retry_config> retry;
    /// Time for one attempt (connect, send, receive); > 0, max() for no limit.
    std::chrono::milliseconds attempt_timeout{10000};
    /// Time for a whole call, retries and backoff included; > 0. None
    /// (std::nullopt, the default) or max(): no limit.
    std::optional<std::chrono::milliseconds> call_timeout;
    /// Connection pool and TLS settings. Without `pool.tls.ca_file` the
    /// client trusts the bundle named by AWS_CA_BUNDLE, else by the
    /// profile's `ca_bundle`, in addition to the system store
    /// (docs/security.md).
    http::pool_options pool;
    /// Where requests go; default: an `http::pooled_transport` on the
    /// client's executor, built from `pool`. Given one, `pool` is not used.
    /// Tests pass a scripted one (no sockets); it must outlive the client's calls.
    std::shared_ptr<http::transport> transport;
    /// Appended to ddb's own User-Agent (CR, LF or NUL: `config_error`).
    std::string user_agent_suffix;
    /// Metrics and debug log observers.
    client_hooks hooks;
};

} // namespace ddb
