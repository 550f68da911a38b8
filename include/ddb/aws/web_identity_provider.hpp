// ddb — web identity credentials (EKS IAM roles for service accounts, and
// profiles with web_identity_token_file): an OIDC token file traded for a
// role's credentials through STS AssumeRoleWithWebIdentity.
#pragma once

#include <ddb/aws/sts.hpp>
#include <ddb/credentials/provider.hpp>

#include <optional>
#include <string>

namespace ddb {

/// The token file is read at every `fetch()` (EKS rotates it), never kept.
///
/// Errors from `fetch()`: `not_found` (environment form only) when
/// AWS_WEB_IDENTITY_TOKEN_FILE is unset; `malformed` when AWS_ROLE_ARN is
/// missing or the file cannot be read (naming the file, not its content);
/// else `sts_error` (`access_denied` for an invalid token).
///
/// Thread safety: distinct objects: safe. Shared objects: safe (`fetch()`
/// may be called concurrently, as for every `credentials_provider`).
class web_identity_provider final : public credentials_provider {
public:
    /// The environment form: reads AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN
    /// and AWS_ROLE_SESSION_NAME at each fetch.
    explicit web_identity_provider(sts_settings sts);
    /// The profile form: `web_identity_token_file` + `role_arn` (+
    /// `role_session_name`, `duration_seconds`).
    web_identity_provider(std::string token_file, assume_role_params role, sts_settings sts);

    boost::asio::awaitable<credentials> fetch() override;
    /// "web-identity" or "web-identity <role_arn>".
    std::string name() const override;

private:
    std::optional<std::string> token_file_; // none: the environment form
    assume_role_params role_;
    sts_settings sts_;
};

} // namespace ddb
