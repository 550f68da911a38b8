#include <ddb/core/errc.hpp>
#include <ddb/core/error_category.hpp>
#include <ddb/sigv4/error.hpp>

#include <iterator>

namespace ddb::sigv4 {

const boost::system::error_category& sigv4_category() noexcept {
    static constexpr const char* messages[] = {
        "invalid HTTP header name",   "HTTP header value contains CR, LF or NUL",
        "request has no host header", "x-amz-date header differs from the signing time",
        "invalid HTTP method",        "missing signing parameter",
    };
    static_assert(std::size(messages) == static_cast<std::size_t>(errc::missing_parameter));
    // The condition each code compares equal to (<ddb/core/errc.hpp>).
    static constexpr ddb::errc conditions[] = {
        ddb::errc::invalid_argument, ddb::errc::invalid_argument, ddb::errc::invalid_argument,
        ddb::errc::invalid_argument, ddb::errc::invalid_argument, ddb::errc::invalid_argument,
    };
    static const detail::table_category instance("ddb.sigv4", messages, conditions);
    return instance;
}

} // namespace ddb::sigv4
