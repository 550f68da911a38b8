// ddb — transport errors: what went wrong between ddb and the endpoint.
#pragma once

#include <ddb/core/error.hpp>

#include <type_traits>

namespace ddb::http {

/// Transport failures. Category name: "ddb.http". Socket, TLS and timeout
/// failures are these codes; the service's own answers are service errors.
enum class errc {
    /// Resolving the host name failed.
    resolve_failed = 1,
    /// The TCP connection could not be opened (refused, unreachable).
    connect_failed,
    /// Resolving and connecting took longer than the connect timeout.
    connect_timeout,
    /// The TLS handshake failed: untrusted certificate, wrong host name, or
    /// a protocol error. The message says which.
    tls_handshake_failed,
    /// No complete response within the attempt timeout (or the call's deadline).
    attempt_timeout,
    /// The server closed the connection before the response was complete.
    connection_closed,
    /// Reading or writing failed for another reason (reset, broken pipe...).
    io_error,
    /// The response (headers or body) is larger than the configured limit.
    response_too_large,
    /// The bytes received are not a valid HTTP/1.1 response.
    malformed_response,
};

const boost::system::error_category& http_category() noexcept;

inline error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), http_category()};
}

/// Thrown by the transport. `code()` is an `http::errc`; `cause()` is the
/// underlying system, SSL or Beast error.
class transport_error : public ddb::error {
public:
    transport_error(errc e, const std::string& message, error_code cause = {})
        : ddb::error(make_error_code(e), message)
        , cause_(cause) {}

    const error_code& cause() const noexcept { return cause_; }

    /// Whether sending the request again may succeed (every transport error
    /// but an oversized or malformed response, and TLS verification).
    bool transient() const noexcept {
        auto e = static_cast<errc>(code().value());
        return e != errc::response_too_large && e != errc::malformed_response &&
               e != errc::tls_handshake_failed;
    }

private:
    error_code cause_;
};

} // namespace ddb::http

template <>
struct boost::system::is_error_code_enum<ddb::http::errc> : std::true_type {};
