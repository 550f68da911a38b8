// ddb — errors of the SigV4 signer.
// Thread safety: exceptions and codes are immutable once built: safe to
// share between threads.
#pragma once

#include <ddb/core/error.hpp>

#include <type_traits>

namespace ddb::sigv4 {

/// Why a request could not be signed. Category name: "ddb.sigv4".
enum class errc {
    /// A header name is empty or contains a character that is not an HTTP
    /// token character (RFC 9110 `tchar`).
    invalid_header_name = 1,
    /// A header value contains CR, LF or NUL (header injection).
    invalid_header_value,
    /// The request has no `host` header; SigV4 always signs it.
    missing_host,
    /// The request carries an `x-amz-date` header that differs from the
    /// signing time.
    date_mismatch,
    /// The method is empty or not an HTTP token.
    invalid_method,
    /// Region, service, access key id or secret is empty.
    missing_parameter,
};

/// The "ddb.sigv4" error category.
const boost::system::error_category& sigv4_category() noexcept;

/// Makes an error code of the "ddb.sigv4" category.
inline error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), sigv4_category()};
}

/// Thrown when a request cannot be signed. Never carries the secret, the
/// token or a header value.
class signing_error : public ddb::error {
public:
    signing_error(errc e, const std::string& detail)
        : ddb::error(make_error_code(e), detail) {}
};

} // namespace ddb::sigv4

template <>
struct boost::system::is_error_code_enum<ddb::sigv4::errc> : std::true_type {};
