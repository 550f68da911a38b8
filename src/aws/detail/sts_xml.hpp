// ddb — private: the STS query protocol's texts: the form-encoded request
// body, the XML answers (credentials or an error) and how ddb treats each
// STS error code.
#pragma once

#include <ddb/credentials/credentials.hpp>
#include <ddb/credentials/error.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ddb::detail {

/// "k1=v1&k2=v2" with every byte but A-Z a-z 0-9 - _ . ~ percent-encoded
/// (what botocore sends, and what moto recomputes signatures over).
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

/// The credentials of a successful answer to `action` ("AssumeRole",
/// "AssumeRoleWithWebIdentity"): `<action>Response/<action>Result/
/// Credentials/{AccessKeyId, SecretAccessKey, SessionToken, Expiration}`,
/// the account id from `AssumedRoleUser/Arn`. Throws
/// credentials_error(malformed) naming what is missing or unreadable,
/// never a value.
credentials parse_sts_credentials(std::string_view xml, std::string_view action,
                                  std::string source);

/// An STS error answer: `ErrorResponse/Error/{Code, Message}` and
/// `ErrorResponse/RequestId` (moto nests Error in `Errors`).
struct sts_error_answer {
    std::string code;
    std::string message;
    std::string request_id;
};

/// Nothing when `xml` is not an STS error document.
std::optional<sts_error_answer> parse_sts_error(std::string_view xml);

/// How ddb treats an STS answer that is not a success.
struct sts_error_class {
    credentials_errc errc = credentials_errc::provider_failed;
    bool retryable = false; ///< 5xx, throttling, IdP communication errors
};

/// AccessDenied, InvalidIdentityToken, IDPRejectedClaim,
/// RegionDisabledException (and the caller's own key refused:
/// InvalidClientTokenId, SignatureDoesNotMatch, ...) → access_denied;
/// ExpiredToken(Exception) → expired_token; MalformedPolicyDocument,
/// PackedPolicyTooLarge, ValidationError, ... → malformed_policy; 5xx,
/// Throttling(Exception), IDPCommunicationError → retryable; any other →
/// provider_failed, not retried.
sts_error_class classify_sts_error(unsigned http_status, std::string_view code);

/// The account id of an ARN ("arn:aws:sts::123456789012:assumed-role/r/s"
/// → "123456789012"); empty when it has none.
std::string account_id_of_arn(std::string_view arn);

} // namespace ddb::detail
