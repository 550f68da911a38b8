// ddb — the URL a client sends its requests to.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/core/config_error.hpp>
#include <ddb/credentials/profile_file.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ddb {

/// A parsed endpoint: where to connect and what to put in the Host header.
struct endpoint {
    std::string scheme;     ///< "https" or "http"
    std::string host;       ///< host name or IP address, without IPv6 brackets
    std::uint16_t port = 0; ///< explicit or the scheme's default
    std::string path = "/"; ///< base path of requests (DynamoDB: "/")
    std::string url;        ///< the normalized URL
    /// Where the URL came from ("client_config::endpoint",
    /// "AWS_ENDPOINT_URL_DYNAMODB", ...); empty when not known.
    std::string source;

    bool tls() const noexcept { return scheme == "https"; }
    /// The Host header value: host, in brackets for IPv6, with ":port" when
    /// the port is not the scheme's default.
    std::string host_header() const;
};

/// Parses an endpoint URL with Boost.URL. Accepts http and https with a host
/// and an optional port and path; throws `config_error(invalid_endpoint)`
/// otherwise, in plain words naming the URL (user info redacted) and
/// `source`, where it came from: "endpoint URL 'htp:/x' from
/// AWS_ENDPOINT_URL_DYNAMODB: the scheme must be http or https, not 'htp'".
endpoint parse_endpoint(std::string_view url, std::string_view source = {});

/// Resolves the DynamoDB endpoint in botocore's order: `explicit_url` →
/// `AWS_ENDPOINT_URL_DYNAMODB` → `AWS_ENDPOINT_URL` → in the selected profile
/// of the config file, the `dynamodb` `endpoint_url` of the `[services x]`
/// section it names (`services = x`), then its own `endpoint_url` →
/// `https://dynamodb.<region>.amazonaws.com` (`.amazonaws.com.cn` for `cn-`
/// regions). `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or the profile's
/// `ignore_configured_endpoint_urls = true` when the variable is unset)
/// skips the variables and the files. The files are read unless an explicit
/// URL or the variable makes them moot: a syntax error is
/// `credentials_error(malformed)` naming file and line; a profile naming a
/// services section that does not exist is `config_error(invalid_setting)`.
///
/// A variable set to the empty string counts as unset and the next source is
/// used, as botocore and the Go SDK do (`AWS_ENDPOINT_URL_DYNAMODB=` with
/// nothing else set means real AWS); a `client` logs a warning when it
/// ignores one. An empty `explicit_url` counts as none. The result's
/// `source` says which one was used.
endpoint resolve_endpoint(std::optional<std::string_view> explicit_url, std::string_view region);

/// Whether AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true" (any case).
bool ignoring_configured_urls();

/// The same, reading the shared config files through `files` (unless an
/// explicit URL or the variable makes them moot).
endpoint resolve_endpoint(std::optional<std::string_view> explicit_url, std::string_view region,
                          lazy_profile_set& files);

/// The same with the shared config files already loaded.
endpoint resolve_endpoint(std::optional<std::string_view> explicit_url, std::string_view region,
                          const profile_set& files, const profile_selection& selection);

} // namespace ddb
