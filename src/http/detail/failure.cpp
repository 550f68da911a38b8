#include "failure.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/system_error.hpp>

namespace ddb::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

std::string describe(const origin& o) {
    std::string s = o.tls ? "https://" : "http://";
    s.append(o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host);
    s.append(":").append(std::to_string(o.port));
    return s;
}

void fail(errc e, const origin& o, std::string_view what, const beast::error_code& cause) {
    std::string msg = std::string(what) + " (" + describe(o) + ")";
    if (cause)
        msg += ": " + cause.message();
    throw transport_error(e, msg, cause);
}

bool is_timeout(const beast::error_code& ec) {
    return ec == beast::error::timeout || ec == asio::error::timed_out;
}

bool is_closed_by_peer(const beast::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::ssl::error::stream_truncated;
}

asio::awaitable<beast::error_code> timeout_unless_cancelled(beast::error_code ec) {
    auto cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() == asio::cancellation_type::none)
        co_return beast::error::timeout;
    co_return ec;
}

void fail_read(const origin& o, const beast::error_code& ec, bool got_bytes) {
    if (ec == asio::error::operation_aborted)
        throw boost::system::system_error(ec);
    if (is_timeout(ec))
        fail(errc::attempt_timeout, o, "no complete response in time", ec);
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit ||
        ec == bhttp::error::buffer_overflow)
        fail(errc::response_too_large, o, "response exceeds max_response_bytes", ec);
    if (is_closed_by_peer(ec) || ec == bhttp::error::partial_message)
        fail(errc::connection_closed, o,
             got_bytes ? "connection closed during the response"
                       : "connection closed before the response",
             ec);
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category())
        fail(errc::malformed_response, o, "malformed HTTP response", ec);
    fail(errc::io_error, o, "I/O error", ec);
}

} // namespace ddb::http::detail
