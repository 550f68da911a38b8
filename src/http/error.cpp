#include <ddb/core/errc.hpp>
#include <ddb/core/error_category.hpp>
#include <ddb/http/error.hpp>

#include <iterator>

namespace ddb::http {

const boost::system::error_category& http_category() noexcept {
    static constexpr const char* messages[] = {
        "host name resolution failed",
        "connection failed",
        "connect timed out",
        "TLS handshake failed",
        "request timed out",
        "connection closed before the response was complete",
        "I/O error",
        "response larger than the configured limit",
        "malformed HTTP response",
        "response CRC32 mismatch",
        "response body is not the expected JSON",
    };
    static_assert(std::size(messages) == static_cast<std::size_t>(errc::unparsable_body));
    // The condition each code compares equal to (<ddb/core/errc.hpp>).
    static constexpr ddb::errc conditions[] = {
        ddb::errc::network,      ddb::errc::network,      ddb::errc::timeout,
        ddb::errc::network,      ddb::errc::timeout,      ddb::errc::network,
        ddb::errc::network,      ddb::errc::bad_response, ddb::errc::bad_response,
        ddb::errc::bad_response, ddb::errc::bad_response,
    };
    static const detail::table_category instance("ddb.http", messages, conditions);
    return instance;
}

} // namespace ddb::http
