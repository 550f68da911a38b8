// ddb — IAM Identity Center (SSO) credentials: the access token that
// `aws sso login` cached, refreshed through SSO OIDC when expired, traded for
// role credentials at the SSO portal (GetRoleCredentials).
#pragma once

#include <ddb/aws/endpoint.hpp>
#include <ddb/credentials/provider.hpp>
#include <ddb/http/options.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace ddb {

/// One SSO profile's settings (its own or its `[sso-session]`'s).
struct sso_settings {
    std::string start_url;  ///< sso_start_url
    std::string sso_region; ///< sso_region
    std::string account_id; ///< sso_account_id
    std::string role_name;  ///< sso_role_name
    /// sso_session's name; empty for a legacy profile (start URL and region
    /// in the profile itself). The token cache file is
    /// `<cache_dir>/<sha1 hex of session_name, or of start_url when empty>.json`.
    std::string session_name;
    std::string profile_name; ///< for "run aws sso login --profile X"
    /// Empty: $HOME/.aws/sso/cache.
    std::string cache_dir;
    /// None: https://oidc.<sso_region>.amazonaws.com and
    /// https://portal.sso.<sso_region>.amazonaws.com.
    std::optional<ddb::endpoint> oidc_endpoint;
    std::optional<ddb::endpoint> portal_endpoint;
    std::chrono::milliseconds timeout{5000}; ///< per attempt; > 0
    int attempts = 3;                        ///< >= 1
    http::tls_options tls;
};

/// Each `fetch()`: reads the cached token; if it expires within 5 minutes
/// and the cache has a refresh token and a registered client, refreshes it
/// with OIDC CreateToken (grant type refresh_token) and writes the cache
/// back (atomically: a temporary file renamed, mode 0600, every other field
/// kept; a cache that cannot be written is not an error for this fetch); if
/// the refresh fails while the token is still valid, the token is used.
/// Then GetRoleCredentials. A legacy profile (no `session_name`) is never
/// refreshed, as in the AWS CLI.
/// The result carries the account id and expiration; `source` is
/// "sso <profile_name>".
///
/// Errors from `fetch()`: `login_required` naming the profile ("run aws sso
/// login --profile X") when the token is missing, expired and not
/// refreshable, or refused; `malformed` for an unreadable cache file or
/// answer; `access_denied` when the portal refuses the role;
/// `provider_failed` when the portal or OIDC cannot be reached after
/// `attempts`. Messages never contain a token.
///
/// Thread safety: distinct objects: safe. Shared objects: safe (`fetch()`
/// may be called concurrently, as for every `credentials_provider`).
class sso_provider final : public credentials_provider {
public:
    /// Throws `config_error(invalid_setting)` for a missing setting or bad
    /// timeout/attempts.
    explicit sso_provider(sso_settings settings);

    boost::asio::awaitable<credentials> fetch() override;
    std::string name() const override; ///< "sso <profile_name>"

private:
    sso_settings settings_;
};

} // namespace ddb
