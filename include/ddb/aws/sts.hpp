// ddb — AWS STS: AssumeRole and AssumeRoleWithWebIdentity over the query
// protocol (form-encoded POST, XML answer), for the role-based credential
// sources (profiles with role_arn, web identity / EKS).
#pragma once

#include <ddb/aws/endpoint.hpp>
#include <ddb/credentials/credentials.hpp>
#include <ddb/credentials/error.hpp>
#include <ddb/http/options.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace ddb {

/// Where and how STS is called. `endpoint` comes from
/// `resolve_sts_endpoint()` (<ddb/aws/endpoint.hpp>).
struct sts_settings {
    ddb::endpoint endpoint;
    /// The region requests are signed for ("us-east-1" for the global
    /// endpoint sts.amazonaws.com).
    std::string region = "us-east-1";
    /// Per attempt; > 0.
    std::chrono::milliseconds timeout{5000};
    /// Tries for answers that may change (5xx, throttling, no answer); >= 1.
    int attempts = 3;
    http::tls_options tls;
};

/// The role to assume and how.
struct assume_role_params {
    std::string role_arn;
    /// Empty: "ddb-session-<milliseconds since the epoch>", as the SDKs do.
    std::string role_session_name;
    std::string external_id; ///< empty: none sent
    /// None: STS's default (1 hour). 900 s to the role's maximum.
    std::optional<std::chrono::seconds> duration;
};

/// STS refused or failed. The code tells what kind (`access_denied`,
/// `expired_token`, `malformed_policy`, `provider_failed` for 5xx/throttling
/// after every attempt); `sts_code()` is STS's own ("AccessDenied",
/// "ExpiredTokenException", "InvalidIdentityToken", ...). The message names
/// the role and the STS request id, never a key, secret or token.
class sts_error : public credentials_error {
public:
    sts_error(credentials_errc e, const std::string& message, std::string sts_code,
              std::string role_arn, std::string request_id)
        : credentials_error(e, message)
        , sts_code_(std::move(sts_code))
        , role_arn_(std::move(role_arn))
        , request_id_(std::move(request_id)) {}
    const std::string& sts_code() const noexcept { return sts_code_; }
    const std::string& role_arn() const noexcept { return role_arn_; }
    const std::string& request_id() const noexcept { return request_id_; }

private:
    std::string sts_code_;
    std::string role_arn_;
    std::string request_id_;
};

/// Throws `config_error(invalid_setting)` naming the first field of `sts`
/// that cannot work: an endpoint without a host, an empty region, a timeout
/// <= 0, attempts < 1. The providers call it when they are built.
void validate(const sts_settings& sts);

/// The same for `role`: an empty role ARN, a duration outside 900..43200 s.
void validate(const assume_role_params& role);

/// AssumeRole, signed (SigV4, service "sts") with `caller`. The result has
/// a session token, an expiration and the account id of the role (from the
/// assumed-role ARN); `source` is "assume-role <role_arn>".
///
/// Both calls: settings are checked first (`validate`, config_error); 5xx,
/// Throttling and IDPCommunicationError answers and no answer at all are
/// tried again, `sts.attempts` times in all, 100 ms, 200 ms, ... (at most
/// 1.6 s) apart, each attempt bounded by `sts.timeout`, then `sts_error`
/// with `provider_failed`. Other refusals are thrown at once. An answer
/// that is not the expected XML is `credentials_error(malformed)`.
/// Per-operation cancellation: as the HTTP transport's (terminal, partial,
/// total).
boost::asio::awaitable<credentials>
sts_assume_role(const sts_settings& sts, const credentials& caller, const assume_role_params& role);

/// AssumeRoleWithWebIdentity (not signed: the token is the proof).
/// `source` is "web-identity <role_arn>". `role.external_id` is not sent
/// (this action has none).
boost::asio::awaitable<credentials>
sts_assume_role_with_web_identity(const sts_settings& sts, const std::string& web_identity_token,
                                  const assume_role_params& role);

} // namespace ddb
