// ddb — AWS credentials: the value every provider returns.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

namespace ddb {

/// A set of AWS credentials. Temporary credentials carry a session token and
/// an expiration; long-term keys have neither.
///
/// Printing a `credentials` shows the access key id and where the credentials
/// came from, never the secret or the token.
struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;                                       ///< empty for long-term keys
    std::optional<std::chrono::system_clock::time_point> expiration; ///< none: never expires
    std::string source; ///< e.g. "environment", "profile:dev"
    /// The AWS account the credentials belong to, when their source says so
    /// (STS, SSO, container, credential_process, `AWS_ACCOUNT_ID`,
    /// `aws_account_id`); empty when unknown. Account-based endpoints use it.
    std::string account_id;

    /// True when `expiration` is set and not after `now`.
    bool
    expired(std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const {
        return expiration && *expiration <= now;
    }

    friend std::ostream& operator<<(std::ostream& os, const credentials& c);
};

} // namespace ddb
