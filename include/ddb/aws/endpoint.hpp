// ddb — the URL a client sends its requests to, and how it is chosen for a
// service (DynamoDB, STS): configured URLs, regional, FIPS, dual-stack and
// account-based host names.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/aws/endpoint_settings.hpp>
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

/// An AWS service as the endpoint settings name it.
struct service_id {
    std::string_view name;       ///< for messages: "DynamoDB"
    std::string_view env_suffix; ///< "DYNAMODB": the variable AWS_ENDPOINT_URL_DYNAMODB
    std::string_view config_key; ///< "dynamodb": `dynamodb.endpoint_url` in a [services] section
};
inline constexpr service_id dynamodb_service{"DynamoDB", "DYNAMODB", "dynamodb"};
inline constexpr service_id dynamodb_streams_service{"DynamoDB Streams", "DYNAMODB_STREAMS",
                                                     "dynamodb_streams"};
inline constexpr service_id sts_service{"STS", "STS", "sts"};

/** The endpoint URL configured for `service`, in botocore's order:
    `explicit_url` (named `explicit_source` in errors and in the result's
    `source`) → `AWS_ENDPOINT_URL_<ID>` → `AWS_ENDPOINT_URL` → in the
    selected profile of the config file, the `<key>.endpoint_url` of the
    `[services x]` section it names (`services = x`), then its own
    `endpoint_url`. None when nothing is configured.

    `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or the profile's
    `ignore_configured_endpoint_urls = true` when the variable is unset)
    skips the variables and the files, not `explicit_url`. The files are read
    unless an explicit URL or a variable makes them moot: a syntax error is
    `credentials_error(malformed)` naming file and line; a profile naming a
    services section that does not exist is `config_error(invalid_setting)`;
    a bad URL is `config_error(invalid_endpoint)` naming where it came from.

    A variable set to the empty string counts as unset and the next source
    is used, as botocore and the Go SDK do; so does an empty `explicit_url`.
*/
std::optional<endpoint>
configured_endpoint(const service_id& service, std::optional<std::string_view> explicit_url,
                    lazy_profile_set& files,
                    std::string_view explicit_source = "client_config::endpoint");

/// Whether AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true" (any case).
bool ignoring_configured_urls();

/// How an endpoint was chosen.
enum class endpoint_form {
    configured,     ///< an endpoint URL given in code, a variable or the profile
    regional,       ///< https://<service>.<region>.amazonaws.com (.com.cn, ...)
    fips,           ///< FIPS: https://dynamodb-fips.<region>.amazonaws.com
    dualstack,      ///< IPv4 and IPv6: https://dynamodb.<region>.api.aws
    fips_dualstack, ///< both: https://dynamodb-fips.<region>.api.aws
    account_based,  ///< DynamoDB: https://<account-id>.ddb.<region>.amazonaws.com
    global,         ///< STS without a region: https://sts.amazonaws.com
    local,          ///< DynamoDB region "local": http://localhost:8000
};

/// "configured", "regional", "FIPS", "dual-stack", "FIPS dual-stack",
/// "account-based", "global", "local".
std::string_view to_string(endpoint_form form) noexcept;

/// Where a service's requests go, and the region they are signed for.
struct service_endpoint {
    ddb::endpoint endpoint;
    /// The region of the SigV4 scope: the client's region, but "us-east-1"
    /// for the global STS endpoint and for DynamoDB's "local" region.
    std::string signing_region;
    endpoint_form form = endpoint_form::configured;
};

/// A client's DynamoDB endpoint before its credentials are known: the one
/// used when no account-based endpoint applies, and whether one does.
struct dynamodb_endpoint {
    /// Configured, regional, FIPS, dual-stack or local.
    service_endpoint base;
    endpoint_settings settings;
    /// Account-based endpoints apply: `base` is the default (not configured)
    /// endpoint of a region in the aws partition, FIPS is off and the mode is
    /// not `disabled`. Each call then uses its credentials' account
    /// (`for_credentials`).
    bool account_based = false;

    /** The endpoint for credentials carrying `account_id` (empty when they
        carry none) from `credentials_source`: with `account_based` and an
        account id, `https://<account-id>.ddb.<region>.amazonaws.com`
        (`.api.aws` with dual-stack; signed for the region); else `base`.

        @throws config_error(invalid_setting) when the account id is not 12
                digits (naming the credentials' source), or when it is empty,
                account endpoints apply and the mode is `required`.
    */
    service_endpoint for_credentials(std::string_view account_id,
                                     std::string_view credentials_source) const;
};

/** Resolves the DynamoDB endpoint as the SDKs' DynamoDB endpoint rule set
    does: the configured URL (`configured_endpoint`), else for `region`:
    `local` → http://localhost:8000; else by the region's partition
    `dynamodb.<region>.<suffix>` (amazonaws.com, amazonaws.com.cn, the
    isolated partitions' suffixes), FIPS `dynamodb-fips.<region>...` (but
    `dynamodb.<region>.amazonaws.com` in aws-us-gov, where the regular host
    is FIPS), dual-stack `dynamodb.<region>.api.aws`
    (`api.amazonwebservices.com.cn` in aws-cn), both
    `dynamodb-fips.<region>.api.aws`; account-based endpoints per
    `settings.account_mode` (see `dynamodb_endpoint`).

    @throws config_error(invalid_setting) for combinations that do not exist,
            naming where each setting came from: FIPS or dual-stack with a
            configured URL or with region `local`; FIPS or dual-stack in a
            partition without them; mode `required` with FIPS or in a
            partition other than aws. config_error(invalid_region) for a
            malformed region; errors of `configured_endpoint`.
*/
dynamodb_endpoint resolve_dynamodb_endpoint(std::optional<std::string_view> explicit_url,
                                            std::string_view region,
                                            const endpoint_settings& settings,
                                            lazy_profile_set& files);

/** Resolves the STS endpoint: the configured URL (`configured_endpoint` for
    `sts_service`: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's
    `sts.endpoint_url` / `endpoint_url`), else for `region` by its
    partition `https://sts.<region>.amazonaws.com` (.com.cn, ...), FIPS
    `sts-fips.<region>...` (`sts.<region>.amazonaws.com` in aws-us-gov),
    dual-stack `sts.<region>.api.aws`, both `sts-fips.<region>.api.aws`;
    with no region (or "aws-global") the global `https://sts.amazonaws.com`,
    signed for us-east-1. The result's `signing_region` is the region to put
    in `sts_settings::region`.

    The FIPS and dual-stack settings are read with `resolve_endpoint_settings`
    (variables, then the selected profile). Throws like
    `resolve_dynamodb_endpoint`, and `config_error(invalid_setting)` for
    FIPS or dual-stack without a region.
*/
service_endpoint resolve_sts_endpoint(std::optional<std::string_view> explicit_url,
                                      std::string_view region, lazy_profile_set& files);

/// The same with the settings already resolved.
service_endpoint resolve_sts_endpoint(std::optional<std::string_view> explicit_url,
                                      std::string_view region, const endpoint_settings& settings,
                                      lazy_profile_set& files);

/** Resolves the DynamoDB Streams endpoint as the SDKs' Streams rule set
    does (botocore 1.43 dynamodbstreams/2012-08-10): the configured URL
    (`configured_endpoint` for `dynamodb_streams_service`:
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS, AWS_ENDPOINT_URL, the profile's
    `dynamodb_streams.endpoint_url` / `endpoint_url`), else for `region`:
    `local` -> http://localhost:8000 (DynamoDB local serves Streams on its
    port; signed for us-east-1); else by the region's partition
    `https://streams.dynamodb.<region>.<suffix>`, FIPS
    `streams.dynamodb-fips.<region>...` (the regular host in aws-us-gov),
    dual-stack in aws, aws-cn and aws-us-gov `streams-dynamodb.<region>.
    <dual-stack suffix>` (`streams-dynamodb-fips...` with FIPS), elsewhere
    `streams.dynamodb[-fips].<region>.<dual-stack suffix>`. There are no
    account-based Streams endpoints.

    @throws like `resolve_dynamodb_endpoint` (FIPS or dual-stack with a
            configured URL, with region `local` or in a partition without
            them; a malformed region; errors of `configured_endpoint`).
*/
service_endpoint resolve_dynamodb_streams_endpoint(std::optional<std::string_view> explicit_url,
                                                   std::string_view region,
                                                   const endpoint_settings& settings,
                                                   lazy_profile_set& files);

/// The DynamoDB endpoint before account-based routing:
/// `resolve_dynamodb_endpoint(explicit_url, region,
/// resolve_endpoint_settings({}, files), files).base.endpoint`. Its `source`
/// says where it came from ("AWS_ENDPOINT_URL_DYNAMODB", "the default for
/// region us-east-1", ...).
endpoint resolve_endpoint(std::optional<std::string_view> explicit_url, std::string_view region,
                          lazy_profile_set& files);

/// The same, reading the shared config files when needed.
endpoint resolve_endpoint(std::optional<std::string_view> explicit_url, std::string_view region);

/// The same with the shared config files already loaded.
endpoint resolve_endpoint(std::optional<std::string_view> explicit_url, std::string_view region,
                          const profile_set& files, const profile_selection& selection);

} // namespace ddb
