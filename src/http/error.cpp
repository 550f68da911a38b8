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
    static const detail::table_category instance("ddb.http", messages);
    return instance;
}

} // namespace ddb::http
