// ddb — errors of the credential providers.
// Thread safety: exceptions and codes are immutable once built: safe to
// share between threads.
#pragma once

#include <ddb/core/error.hpp>

#include <string>
#include <type_traits>
#include <vector>

namespace ddb {

/// Why credentials could not be had. Category name: "ddb.credentials".
enum class credentials_errc {
    /// The source has no credentials (variables unset, profile absent). A
    /// chain moves on to its next source only on this code.
    not_found = 1,
    /// The source has credentials, but they are incomplete or unreadable
    /// (e.g. an access key id without a secret). Also a syntax error in the
    /// shared config or credentials file, wherever the file is read (region,
    /// retry settings, CA bundle, credentials), naming file and line.
    malformed,
    /// The profile asks for a mechanism ddb does not support yet
    /// (role_arn, credential_process, SSO, web identity).
    unsupported,
    /// AWS_PROFILE (or the configured profile) names a profile that exists in
    /// neither file.
    profile_not_found,
    /// The source was reachable but failed (e.g. an HTTP credentials endpoint,
    /// a credential_process that exited non-zero or timed out).
    provider_failed,
    /// STS or the SSO portal refused: the caller may not assume the role
    /// (AccessDenied, or an invalid web identity token).
    access_denied,
    /// The token presented is expired (STS ExpiredToken, an SSO access token
    /// past its time).
    expired_token,
    /// STS refused the request as malformed (MalformedPolicyDocument,
    /// PackedPolicyTooLarge, ValidationError: a bad role ARN or duration).
    malformed_policy,
    /// The SSO session has expired and cannot be refreshed: the user must run
    /// `aws sso login --profile X` (the message names X).
    login_required,
};

const boost::system::error_category& credentials_category() noexcept;

inline error_code make_error_code(credentials_errc e) noexcept {
    return {static_cast<int>(e), credentials_category()};
}

/// Thrown by credential providers. `what()` says which sources were tried and
/// why each failed; it never contains a secret or a token.
class credentials_error : public ddb::error {
public:
    /// One source a chain tried, and why it gave nothing.
    struct attempt {
        std::string source;
        std::string reason;
    };

    credentials_error(credentials_errc e, const std::string& message,
                      std::vector<attempt> tried = {})
        : ddb::error(make_error_code(e), message)
        , tried_(std::move(tried)) {}

    /// The sources a chain tried, in order, each with what it said; when a
    /// source stopped the chain it is the last one (filled by chains).
    const std::vector<attempt>& tried() const noexcept { return tried_; }

private:
    std::vector<attempt> tried_;
};

} // namespace ddb

template <>
struct boost::system::is_error_code_enum<ddb::credentials_errc> : std::true_type {};
