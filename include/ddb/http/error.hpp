// ddb — transport errors: what went wrong between ddb and the endpoint.
// Thread safety: exceptions and codes are immutable once built: safe to
// share between threads.
#pragma once

#include <ddb/core/error.hpp>

#include <string>
#include <type_traits>
#include <utility>

namespace ddb::http {

/// Transport and protocol failures. Category name: "ddb.http". Socket, TLS
/// and timeout failures, and whole responses that cannot be used (damaged,
/// or not the JSON a successful answer is), are these codes; the service's
/// own answers are service errors.
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
    /// The body does not match the response's x-amz-crc32: damaged on the
    /// way. Thrown as `protocol_error`; retried.
    crc32_mismatch,
    /// A successful answer's body is not a JSON object, or nests deeper than
    /// allowed (a proxy's HTML page, a truncated body). Thrown as
    /// `protocol_error`; not retried.
    unparsable_body,
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
    /// but an oversized, malformed or unparsable response, and TLS
    /// verification).
    bool transient() const noexcept {
        auto e = static_cast<errc>(code().value());
        return e != errc::response_too_large && e != errc::malformed_response &&
               e != errc::unparsable_body && e != errc::tls_handshake_failed;
    }

private:
    error_code cause_;
};

/// A whole response came back that cannot be used: `crc32_mismatch` or
/// `unparsable_body`. The request reached the server (and may have been
/// processed). `status()`, `request_id()` (x-amzn-RequestId),
/// `content_type()` and `body_excerpt()` (at most 256 bytes) say what came
/// back.
class protocol_error : public transport_error {
public:
    protocol_error(errc e, const std::string& message, unsigned status, std::string request_id,
                   std::string content_type, std::string excerpt)
        : transport_error(e, message)
        , status_(status)
        , request_id_(std::move(request_id))
        , content_type_(std::move(content_type))
        , excerpt_(std::move(excerpt)) {}

    unsigned status() const noexcept { return status_; }
    const std::string& request_id() const noexcept { return request_id_; }
    const std::string& content_type() const noexcept { return content_type_; }
    const std::string& body_excerpt() const noexcept { return excerpt_; }

private:
    unsigned status_;
    std::string request_id_, content_type_, excerpt_;
};

} // namespace ddb::http

template <>
struct boost::system::is_error_code_enum<ddb::http::errc> : std::true_type {};
